/*
 * runtime.h - the one process-wide context: the event loop, the resolved
 * configuration, the auth file, and the lists of live objects.
 *
 * Every module reaches the configuration through rt.cfg, so a SIGHUP
 * reload swaps one pointer and nothing else holds a stale copy.
 */
#ifndef PGPIN_RUNTIME_H
#define PGPIN_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

struct event_base;
struct evdns_base;
struct event;
struct config;
struct authfile;
struct client;
struct pool;

TAILQ_HEAD(client_list, client);
TAILQ_HEAD(pool_list, pool);

enum run_state {
	RUN_NORMAL = 0,
	RUN_SHUTDOWN_WAIT, /* SIGINT: no new clients, wait for transactions */
	RUN_SHUTDOWN_NOW,  /* SIGTERM: close everything */
};

struct runtime {
	struct event_base *base;
	struct evdns_base *dns;
	struct config *cfg;
	struct authfile *authfile;
	enum run_state state;
	struct client_list clients;
	int n_clients; /* logged in or logging in; cancel requests excluded */
	/* Closed clients whose last bytes (a result, then 57P01 on SIGINT)
	 * are still being written: pgpin waits for them before it exits. */
	int n_flushing;
	struct pool_list pools;
	uint32_t next_pid; /* BackendKeyData process ids handed to clients */
};

extern struct runtime rt;

/* Monotonic seconds, for timeouts and ages. */
double rt_now(void);

/* The same clock to within a few milliseconds (the kernel's last tick),
 * read without the hardware counter: for the per-transaction paths, whose
 * ages and timeouts are whole seconds. */
double rt_now_coarse(void);

/* Ask the main loop to exit once the last client has gone. */
void rt_check_shutdown_done(void);

#endif
