/*
 * pool.h - pools of server connections, one per backend target
 * (host, port, database, user).
 *
 * A pool owns its servers (idle, in use, connecting) and a FIFO of clients
 * waiting for one.  It decides when to open a connection, which idle one
 * to hand out (the most recently used: warm caches), and enforces
 * pool_size, min_pool_size, idle timeouts, lifetimes and health checks.
 */
#ifndef PGPIN_POOL_H
#define PGPIN_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "config.h"
#include "params.h"
#include "stmt.h"

struct client;
struct server;

/* How many checked startup settings a pool remembers (struct pool). */
#define POOL_SEEN_SETTINGS 64

TAILQ_HEAD(server_list, server);
TAILQ_HEAD(client_wait_list, client);

/* Where a pool's servers connect, and as whom. */
struct target {
	char *host; /* the first host: name, address, or Unix socket directory */
	int port;   /* its port */
	struct host_port *hosts; /* every host, tried in this order for each new server
				  * connection (libpq's multi-host rule); hosts[0] is
				  * host:port.  A server's own is server->host/port. */
	int n_hosts;
	char *dbname;
	char *user;
	char *password; /* NULL when the server asks for none */
	char *application_name;
	char *options;
	/* TLS to the server (libpq's meanings; see enum ssl_mode) */
	int sslmode;
	char *sslrootcert;
	char *sslcert;
	char *sslkey;
	bool sslsni;
	int target_session_attrs; /* enum tsa_mode */
};

struct pool_stats {
	uint64_t xacts;	       /* server releases at ReadyForQuery 'I' */
	uint64_t queries;      /* Query and Sync messages forwarded */
	uint64_t bytes_in;     /* client -> server */
	uint64_t bytes_out;    /* server -> client */
	uint64_t wait_us;      /* total time clients waited for a server */
	uint64_t waits;	       /* number of such waits */
	uint64_t client_parses;	 /* named and unnamed Parse messages from clients */
	uint64_t server_parses;	 /* Parse messages sent to servers (incl. injected) */
	uint64_t cache_hits;	 /* client Parses answered by pgpin */
	uint64_t injected_parses; /* re-prepared before a Bind or Describe */
	uint64_t evictions;	 /* statements closed to make room */
	uint64_t binds;
	uint64_t pins;		 /* clients pinned to their server */
	uint64_t server_logins;
	uint64_t server_login_failures;
};

struct pool {
	TAILQ_ENTRY(pool) link;
	char *key;
	struct target target;
	char *cfg_database; /* client names that created the pool, for reloads */
	char *cfg_user;
	enum pool_mode mode;
	int pool_size;
	int min_pool_size;

	struct server_list idle;    /* ready for a client; head = most recent */
	struct server_list used;    /* linked to a client or busy internally */
	struct server_list pending; /* connecting or logging in */
	int n_servers;		    /* idle + used + pending */
	struct client_wait_list waiting;
	int n_waiting;
	struct client_wait_list login_wait; /* no welcome parameters yet */

	struct stmt_registry registry; /* prepared statements of this pool */

	/* ParameterStatus set of the first server that logged in. */
	struct params welcome;
	bool have_welcome;
	/* ...as the messages a client is sent (client.c builds them at the
	 * first welcome): item i's from welcome_off[i] to welcome_off[i + 1]
	 * of welcome_msgs; welcome_tracked[i]: a client's session keeps
	 * item i (params_is_tracked()). */
	uint8_t *welcome_msgs;
	uint32_t *welcome_off;
	bool *welcome_tracked;

	/* Startup settings a server has checked for a client (client.c): the
	 * value a client gave, and the form the server reports it in.  A ring:
	 * past POOL_SEEN_SETTINGS the oldest is forgotten. */
	struct seen_setting {
		char *name;
		char *given;
		char *shown; /* NULL: pool_at_server_start */
	} seen[POOL_SEEN_SETTINGS];
	int seen_next;

	double last_connect_attempt;
	double last_failure;
	char last_error[256];
	/* Multi-host: the last failure of each host, for the message when no
	 * host will do. */
	char (*host_errors)[200];
	bool awaits_create;	/* logins wait for CREATE DATABASE (create_database) */

	struct pool_stats stats;
};

/* Startup settings a server has checked: the form the server shows a
 * client's value of name in, or NULL if not (or no longer) known, or
 * pool_at_server_start for a setting that only applies when a server
 * process starts (log_connections): a pooled session cannot take it. */
extern const char pool_at_server_start[];
const char *pool_seen_setting(const struct pool *p, const char *name, const char *given);
void pool_learn_setting(struct pool *p, const char *name, const char *given, const char *shown);

/* The pool serving a client's database and user, per the configuration. */
struct pool *pool_for_client(const char *database, const char *user, char *err,
			     size_t errlen);
/* Find or create the pool for a target; NULL on allocation failure. */
struct pool *pool_get(const struct target *t, enum pool_mode mode, int pool_size,
		      int min_pool_size);
void pool_free_all(void);

/* A client needs a server: hand one over now or queue the client. */
void pool_request(struct pool *p, struct client *c);
/* A waiting client gave up or left. */
void pool_cancel_wait(struct pool *p, struct client *c);
/* A client that is logging in needs the welcome parameters. */
void pool_request_welcome(struct pool *p, struct client *c);

/* Server state changes reported by server.c. */
void pool_server_logged_in(struct server *s);
void pool_server_login_failed(struct server *s, const char *sqlstate, const char *msg,
			      bool retryable);
/* A server has no client and no internal work left: idle it or give it out. */
void pool_server_available(struct server *s);
/* A server is closing; it has already been unlinked from its client. */
void pool_server_gone(struct server *s);

/* Periodic upkeep (called by the janitor every second). */
void pool_janitor(struct pool *p, double now);
void pool_apply_config(void);
void pool_log_stats(struct pool *p, double period);

void target_free(struct target *t);

/*
 * create_database: make sure the datastore endpoint's database exists, in
 * the background (a thread with its own libpq connection to the server's
 * "postgres" database), so that the first client does not wait for it.
 * Called once at start; logins that find no database start it again.
 */
void pool_create_database_at_start(void);

#endif
