/*
 * main.c - pgpin's command line, signals and main loop.
 *
 * Signals:  SIGHUP  reload the configuration and the auth file
 *           SIGTERM stop accepting and close every connection now
 *           SIGINT  stop accepting, let clients finish their transactions,
 *                   exit when the last one has gone (or at shutdown_timeout)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>

#include "authfile.h"
#include "client.h"
#include "config.h"
#include "evmem.h"
#include "listener.h"
#include "log.h"
#include "sqlite/link.h"
#include "pin.h"
#include "pool.h"
#include "runtime.h"
#include "server.h"
#include "tls.h"
#include "wake.h"

#include "build-config.h"
#include "hot.h"

struct runtime rt;

static int saved_argc;
static char **saved_argv;
static struct event *janitor_ev;
static struct event *stats_ev;
static struct event *shutdown_timer;
static double last_stats;

extern char **environ;

double rt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

PGPIN_HOT double rt_now_coarse(void)
{
#ifdef CLOCK_MONOTONIC_COARSE
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
		return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
	return rt_now();
}

void rt_check_shutdown_done(void)
{
	if (rt.state != RUN_NORMAL && TAILQ_EMPTY(&rt.clients) && rt.n_flushing == 0)
		event_base_loopexit(rt.base, NULL);
}

static void close_all_clients(void)
{
	struct client *c, *next;
	for (c = TAILQ_FIRST(&rt.clients); c; c = next) {
		next = TAILQ_NEXT(c, link);
		client_fatal(c, "57P01", "terminating connection due to administrator command");
	}
}

static void shutdown_now(void)
{
	rt.state = RUN_SHUTDOWN_NOW;
	listener_stop_all();
	close_all_clients();
	event_base_loopexit(rt.base, NULL);
}

static void shutdown_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	log_info("shutdown_timeout reached: closing the remaining connections");
	shutdown_now();
}

static void janitor_cb(evutil_socket_t fd, short what, void *arg)
{
	double now = rt_now();
	struct client *c, *next;
	struct pool *p;

	for (c = TAILQ_FIRST(&rt.clients); c; c = next) {
		next = TAILQ_NEXT(c, link);
		client_janitor(c, now);
	}
	TAILQ_FOREACH(p, &rt.pools, link)
		pool_janitor(p, now);
}

static void stats_cb(evutil_socket_t fd, short what, void *arg)
{
	double now = rt_now();
	double period = now - last_stats;
	struct pool *p;

	last_stats = now;
	if (period <= 0)
		return;
	TAILQ_FOREACH(p, &rt.pools, link)
		pool_log_stats(p, period);
}

static void arm_stats_timer(void)
{
	if (stats_ev) {
		event_free(stats_ev);
		stats_ev = NULL;
	}
	if (rt.cfg->stats_period > 0) {
		struct timeval tv;
		tv.tv_sec = (time_t)rt.cfg->stats_period;
		tv.tv_usec = (suseconds_t)((rt.cfg->stats_period - (double)tv.tv_sec) * 1e6);
		stats_ev = event_new(rt.base, -1, EV_PERSIST, stats_cb, NULL);
		event_add(stats_ev, &tv);
		last_stats = rt_now();
	}
}

static int load_authfile(const struct config *cfg, struct authfile **out)
{
	char err[512];
	*out = NULL;
	if (!cfg->auth_file || !*cfg->auth_file)
		return 0;
	*out = authfile_load(cfg->auth_file, err, sizeof(err));
	if (!*out) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

static void reload(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct authfile *af = NULL;
	char err[512];

	log_info("SIGHUP: reloading configuration");
	if (!cfg || config_load(cfg, saved_argc, saved_argv, environ, err, sizeof(err)) < 0) {
		log_error("reload failed, keeping the running configuration: %s",
			  cfg ? err : "out of memory");
		if (cfg) {
			config_free(cfg);
			free(cfg);
		}
		return;
	}
	if (load_authfile(cfg, &af) < 0) {
		log_error("reload failed, keeping the running configuration");
		config_free(cfg);
		free(cfg);
		return;
	}
	bool listen_changed = cfg->n_listen != rt.cfg->n_listen;
	for (int i = 0; !listen_changed && i < cfg->n_listen; i++)
		listen_changed = strcmp(cfg->listen[i].host, rt.cfg->listen[i].host) != 0 ||
				 cfg->listen[i].port != rt.cfg->listen[i].port;
	if (listen_changed)
		log_warning("listen addresses changed: they take effect at the next restart");

	struct config *old = rt.cfg;
	enum endpoint_kind old_kind = old->endpoint.kind;
	char *old_sqlite = old->endpoint.sqlite_path ? strdup(old->endpoint.sqlite_path) : NULL;
	rt.cfg = cfg;
	config_free(old);
	free(old);
	authfile_free(rt.authfile);
	rt.authfile = af;
	log_setup(cfg->log_level, cfg->syslog, cfg->syslog_ident);
	if ((cfg->endpoint.kind == ENDPOINT_SQLITE) != (old_kind == ENDPOINT_SQLITE) ||
	    (old_sqlite && cfg->endpoint.sqlite_path &&
	     strcmp(old_sqlite, cfg->endpoint.sqlite_path) != 0))
		log_warning("the datastore endpoint changed: it takes effect at the next restart");
	pool_apply_config();
	tls_reload(rt.cfg); /* certificates are read again; a bad one keeps the old */
	if (rt.cfg->endpoint.kind == ENDPOINT_SQLITE)
		lite_reconfigure(rt.cfg);
	free(old_sqlite);
	arm_stats_timer();
	log_info("configuration reloaded");
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	switch (sig) {
	case SIGHUP:
		reload();
		break;
	case SIGTERM:
		log_info("SIGTERM: closing all connections and exiting");
		shutdown_now();
		break;
	case SIGINT: {
		if (rt.state != RUN_NORMAL) {
			log_info("second SIGINT: exiting now");
			shutdown_now();
			break;
		}
		log_info("SIGINT: no new connections; waiting for %d clients to finish their "
			 "transactions",
			 rt.n_clients);
		rt.state = RUN_SHUTDOWN_WAIT;
		lite_draining();
		listener_stop_all();
		struct client *c, *next;
		for (c = TAILQ_FIRST(&rt.clients); c; c = next) {
			next = TAILQ_NEXT(c, link);
			client_shutdown_if_idle(c);
		}
		if (rt.cfg->shutdown_timeout > 0) {
			struct timeval tv = {(time_t)rt.cfg->shutdown_timeout, 0};
			shutdown_timer = evtimer_new(rt.base, shutdown_timer_cb, NULL);
			evtimer_add(shutdown_timer, &tv);
		}
		rt_check_shutdown_done();
		break;
	}
	}
}

static void print_version(void)
{
	printf("pgpin %s\n", PACKAGE_VERSION);
	printf("libevent %s, %s, SQLite %s\n", event_get_version(),
	       OpenSSL_version(OPENSSL_VERSION), sqlite3_libversion());
}

/* A copy of argv that outlives the wiping of its passwords, for reloads. */
static char **copy_argv(int argc, char **argv)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));

	for (int i = 0; copy && i < argc; i++)
		if (!(copy[i] = strdup(argv[i])))
			return NULL; /* exits: nothing to free */
	return copy;
}

static void warn_wiped(int n_wiped)
{
	if (n_wiped > 0)
		log_warning("the datastore endpoint on the command line carries a password, which "
			    "every local user could read in the process list until pgpin wiped "
			    "it; set PGPIN_DATASTORE_ENDPOINT (or datastore_endpoint in the "
			    "config file) instead");
}

int main(int argc, char **argv)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	char err[1024];
	struct event *sigs[3];
	int rc = 0, n_wiped;

	if (!cfg)
		return 1;
	evmem_setup();
	/* Passwords leave the process list at once; reloads read the copy. */
	saved_argc = argc;
	saved_argv = copy_argv(argc, argv);
	if (!saved_argv)
		return 1;
	n_wiped = config_wipe_argv_secrets(argc, argv);
	argv = saved_argv;
	if (config_load(cfg, argc, argv, environ, err, sizeof(err)) < 0) {
		fprintf(stderr, "pgpin: %s\n", err);
		fprintf(stderr, "Try \"pgpin --help\" for more information.\n");
		free(cfg);
		return 2;
	}
	switch (cfg->action) {
	case ACTION_HELP:
		config_usage(stdout);
		config_free(cfg);
		free(cfg);
		return 0;
	case ACTION_VERSION:
		print_version();
		config_free(cfg);
		free(cfg);
		return 0;
	case ACTION_CHECK: {
		struct authfile *af = NULL;
		log_setup(cfg->log_level, false, NULL);
		warn_wiped(n_wiped);
		if (load_authfile(cfg, &af) < 0) {
			config_free(cfg);
			free(cfg);
			return 2;
		}
		authfile_free(af);
		/* The TLS files must load, as they would at start. */
		if (tls_init(cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "pgpin: %s\n", err);
			config_free(cfg);
			free(cfg);
			return 2;
		}
		tls_free();
		config_print(cfg, stdout);
		config_free(cfg);
		free(cfg);
		return 0;
	}
	case ACTION_RUN:
		break;
	}
	log_setup(cfg->log_level, cfg->syslog, cfg->syslog_ident);
	warn_wiped(n_wiped);
	if (cfg->endpoint.kind == ENDPOINT_SQLITE) {
		char lerr[512];
		if (lite_init(cfg, lerr, sizeof(lerr)) < 0) {
			log_error("SQLite backend %s: %s", cfg->endpoint.sqlite_path, lerr);
			config_free(cfg);
			free(cfg);
			return 1;
		}
		log_info("serving SQLite %s from %s", sqlite3_libversion(), cfg->endpoint.sqlite_path);
	}
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());

	rt.cfg = cfg;
	TAILQ_INIT(&rt.clients);
	TAILQ_INIT(&rt.pools);
	rt.next_pid = 1000 + (uint32_t)(random() % 100000);
	if (load_authfile(cfg, &rt.authfile) < 0)
		return 2;

	if (pin_init(err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	rt.base = event_base_new();
	if (!rt.base || wake_setup(rt.base) < 0) {
		log_error("could not create the event loop");
		return 1;
	}
	rt.dns = evdns_base_new(rt.base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
						 EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (!rt.dns)
		rt.dns = evdns_base_new(rt.base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);

	if (tls_init(cfg, err, sizeof(err)) < 0 || listener_start_all(err, sizeof(err)) < 0) {
		log_error("%s", err);
		rc = 1;
		goto out;
	}
	const int signums[3] = {SIGHUP, SIGTERM, SIGINT};
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(rt.base, signums[i], signal_cb, NULL);
		evsignal_add(sigs[i], NULL);
	}
	struct timeval one = {1, 0};
	janitor_ev = event_new(rt.base, -1, EV_PERSIST, janitor_cb, NULL);
	event_add(janitor_ev, &one);
	arm_stats_timer();
	if (cfg->endpoint.kind == ENDPOINT_POSTGRES)
		pool_create_database_at_start();

	log_info("pgpin %s started: %s pooling, pool_size %d, auth %s", PACKAGE_VERSION,
		 pool_mode_name(cfg->pool_mode), cfg->pool_size, auth_type_name(cfg->auth_type));
	event_base_dispatch(rt.base);
	log_info("pgpin exiting");

	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
out:
	listener_stop_all();
	close_all_clients();
	pool_free_all();
	/* Servers closed mid-query were sent cancel requests: give them a
	 * second to get there, so no query outlives pgpin on the backend. */
	double deadline = rt_now() + 1.0;
	while (server_cancels_pending() && rt_now() < deadline) {
		struct timeval tick = {0, 50000};
		event_base_loopexit(rt.base, &tick);
		event_base_loop(rt.base, EVLOOP_ONCE);
	}
	server_cancels_free();
	lite_shutdown();
	tls_free();
	if (janitor_ev)
		event_free(janitor_ev);
	if (stats_ev)
		event_free(stats_ev);
	if (shutdown_timer)
		event_free(shutdown_timer);
	/* Run the deferred frees of clients and servers closed above. */
	event_base_loop(rt.base, EVLOOP_NONBLOCK);
	if (rt.dns)
		evdns_base_free(rt.dns, 0);
	wake_teardown();
	event_base_free(rt.base);
	authfile_free(rt.authfile);
	config_free(rt.cfg);
	free(rt.cfg);
	pin_free();
	return rc;
}
