/*
 * pool.c - pools of server connections and the clients waiting for them.
 *
 * One pool per backend target (host, port, database, user).  A server is
 * in exactly one of the pool's lists:
 *
 *   pending  connecting or logging in
 *   idle     logged in, no client, nothing running; head = last released
 *   used     linked to a client, or running an internal query
 *
 * Clients that need a server and find none idle wait in FIFO order; a
 * server that becomes available goes to the longest-waiting client first.
 * Connections are opened on demand up to pool_size, and kept at
 * min_pool_size by the janitor, which also retires idle servers, checks
 * their health and retries after a failed connection (once a second, so a
 * dead backend is not hammered).
 */
#include "pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "authfile.h"
#include "client.h"
#include "pgpass.h"
#include "log.h"
#include "runtime.h"
#include "server.h"
#include "wake.h"
#include "hot.h"

/* After a failed connection attempt, wait this long before the next. */
#define RETRY_DELAY 1.0

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* free() a secret, overwritten first. */
static void wipe_free(char *secret)
{
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
}

void target_free(struct target *t)
{
	host_list_free(t->hosts, t->n_hosts);
	free(t->host);
	free(t->dbname);
	free(t->user);
	wipe_free(t->password);
	free(t->application_name);
	free(t->options);
	free(t->sslrootcert);
	free(t->sslcert);
	free(t->sslkey);
	memset(t, 0, sizeof(*t));
}

/* "user@host:port/db", with every host of a multi-host target, and the
 * kind of server wanted if not any: pools differ in that too. */
static char *target_key(const struct target *t)
{
	size_t n = strlen(t->dbname) + strlen(t->user) + 128, len;
	int i;

	for (i = 0; i < t->n_hosts; i++)
		n += strlen(t->hosts[i].host) + 8;
	char *key = malloc(n);
	if (!key)
		return NULL;
	len = (size_t)snprintf(key, n, "%s@", t->user);
	for (i = 0; i < t->n_hosts; i++)
		len += (size_t)snprintf(key + len, n - len, "%s%s:%d", i ? "," : "",
					t->hosts[i].host, t->hosts[i].port);
	len += (size_t)snprintf(key + len, n - len, "/%s", t->dbname);
	/* Targets that differ only in how they connect are different pools. */
	static const char *const ssl_names[] = {"disable", "allow", "prefer", "require",
						"verify-ca", "verify-full"};
	const char *sep = "?";
	if (t->target_session_attrs != TSA_ANY) {
		len += (size_t)snprintf(key + len, n - len, "%starget_session_attrs=%s", sep,
					tsa_mode_name(t->target_session_attrs));
		sep = "&";
	}
	if (t->sslmode != SSLMODE_PREFER && t->sslmode >= 0 && t->sslmode <= SSLMODE_VERIFY_FULL)
		snprintf(key + len, n - len, "%ssslmode=%s", sep, ssl_names[t->sslmode]);
	return key;
}

/* The pool whose target has this key, or NULL. */
static struct pool *pool_find(const char *key)
{
	struct pool *p;

	TAILQ_FOREACH(p, &rt.pools, link)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

struct pool *pool_get(const struct target *t, enum pool_mode mode, int pool_size,
		      int min_pool_size)
{
	char *key = target_key(t);
	struct pool *p;

	if (!key)
		return NULL;
	p = pool_find(key);
	if (p) {
		free(key);
		return p;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		free(key);
		return NULL;
	}
	p->key = key;
	p->target.hosts = calloc((size_t)t->n_hosts, sizeof(*p->target.hosts));
	p->host_errors = calloc((size_t)t->n_hosts, sizeof(*p->host_errors));
	if (!p->target.hosts || !p->host_errors) {
		free(p->target.hosts);
		free(p->host_errors);
		free(p);
		free(key);
		return NULL;
	}
	p->target.n_hosts = t->n_hosts;
	for (int i = 0; i < t->n_hosts; i++) {
		p->target.hosts[i].host = xstrdup(t->hosts[i].host);
		p->target.hosts[i].port = t->hosts[i].port;
	}
	p->target.host = xstrdup(t->host);
	p->target.port = t->port;
	p->target.dbname = xstrdup(t->dbname);
	p->target.user = xstrdup(t->user);
	p->target.password = xstrdup(t->password);
	p->target.application_name = xstrdup(t->application_name);
	p->target.options = xstrdup(t->options);
	p->target.sslmode = t->sslmode;
	p->target.sslrootcert = xstrdup(t->sslrootcert);
	p->target.sslcert = xstrdup(t->sslcert);
	p->target.sslkey = xstrdup(t->sslkey);
	p->target.sslsni = t->sslsni;
	p->target.target_session_attrs = t->target_session_attrs;
	p->mode = mode;
	p->pool_size = pool_size;
	p->min_pool_size = min_pool_size;
	TAILQ_INIT(&p->idle);
	TAILQ_INIT(&p->used);
	TAILQ_INIT(&p->pending);
	TAILQ_INIT(&p->waiting);
	TAILQ_INIT(&p->login_wait);
	params_init(&p->welcome);
	stmt_registry_init(&p->registry);
	TAILQ_INSERT_TAIL(&rt.pools, p, link);
	log_info("pool %s: created (%s mode, size %d)", p->key, pool_mode_name(mode), pool_size);
	return p;
}

static void pool_free(struct pool *p)
{
	struct server *s;
	while ((s = TAILQ_FIRST(&p->idle)))
		server_close(s, "shutdown");
	while ((s = TAILQ_FIRST(&p->used)))
		server_close(s, "shutdown");
	while ((s = TAILQ_FIRST(&p->pending)))
		server_close(s, "shutdown");
	TAILQ_REMOVE(&rt.pools, p, link);
	target_free(&p->target);
	params_free(&p->welcome);
	free(p->welcome_msgs);
	free(p->welcome_off);
	free(p->welcome_tracked);
	stmt_registry_free(&p->registry);
	for (int i = 0; i < POOL_SEEN_SETTINGS; i++) {
		free(p->seen[i].name);
		free(p->seen[i].given);
		free(p->seen[i].shown);
	}
	free(p->host_errors);
	free(p->key);
	free(p->cfg_database);
	free(p->cfg_user);
	free(p);
}

static void dbjobs_free_all(void);
static void routes_clear(void);

void pool_free_all(void)
{
	struct pool *p;

	routes_clear();
	while ((p = TAILQ_FIRST(&rt.pools)))
		pool_free(p);
	dbjobs_free_all();
}

/* ------------------------------------------------------ checked settings */

const char pool_at_server_start[] = "(at server start)";

const char *pool_seen_setting(const struct pool *p, const char *name, const char *given)
{
	for (int i = 0; i < POOL_SEEN_SETTINGS && p->seen[i].name; i++)
		if (strcmp(p->seen[i].given, given) == 0 && strcasecmp(p->seen[i].name, name) == 0)
			return p->seen[i].shown ? p->seen[i].shown : pool_at_server_start;
	return NULL;
}

void pool_learn_setting(struct pool *p, const char *name, const char *given, const char *shown)
{
	if (pool_seen_setting(p, name, given))
		return;
	char *n = strdup(name), *g = strdup(given);
	char *v = shown == pool_at_server_start ? NULL : strdup(shown);
	if (!n || !g || (!v && shown != pool_at_server_start)) {
		free(n);
		free(g);
		free(v);
		return; /* only a cache: the next login checks again */
	}
	struct seen_setting *e = &p->seen[p->seen_next];
	free(e->name);
	free(e->given);
	free(e->shown);
	*e = (struct seen_setting){n, g, v};
	p->seen_next = (p->seen_next + 1) % POOL_SEEN_SETTINGS;
}

static struct server *pool_connect(struct pool *p, int attempt);

/* Open connections while clients wait for more than are being opened. */
static void pool_maybe_launch(struct pool *p, double now)
{
	int n_pending = 0;
	struct server *s;
	TAILQ_FOREACH(s, &p->pending, link)
		n_pending++;
	TAILQ_FOREACH(s, &p->used, link)
		if (!s->client && s->checking)
			n_pending++; /* about to be available */

	int demand = p->n_waiting;
	if (!p->have_welcome && !TAILQ_EMPTY(&p->login_wait) && demand == 0)
		demand = 1;
	while (n_pending < demand && p->n_servers < p->pool_size) {
		if (p->last_failure && now - p->last_failure < RETRY_DELAY)
			return; /* the janitor tries again */
		if (!pool_connect(p, 0))
			return;
		n_pending++;
	}
}

static void pool_link(struct pool *p, struct server *s, struct client *c)
{
	s->state = SV_ACTIVE;
	s->client = c;
	c->server = s;
	s->last_used = rt_now_coarse();
	client_linked(c);
}

/* A server idle for server_check_delay is checked before a client gets it
 * (0: every time), so a connection the backend dropped meanwhile is found
 * by pgpin, not by the client's next query. */
static bool pool_needs_check(const struct server *s, double now)
{
	return now - s->last_used >= rt.cfg->server_check_delay;
}

PGPIN_HOT void pool_request(struct pool *p, struct client *c)
{
	struct server *s;
	double now = rt_now_coarse();

	while ((s = TAILQ_FIRST(&p->idle))) {
		TAILQ_REMOVE(&p->idle, s, link);
		TAILQ_INSERT_TAIL(&p->used, s, link);
		s->state = SV_ACTIVE;
		if (pool_needs_check(s, now)) {
			server_check(s); /* pool_server_available() when done */
			continue;
		}
		pool_link(p, s, c);
		return;
	}
	c->waiting = true;
	c->wait_started = rt_now(); /* precise: the wait time statistics */
	TAILQ_INSERT_TAIL(&p->waiting, c, wait_link);
	p->n_waiting++;
	pool_maybe_launch(p, c->wait_started);
}

void pool_cancel_wait(struct pool *p, struct client *c)
{
	if (c->waiting) {
		TAILQ_REMOVE(&p->waiting, c, wait_link);
		p->n_waiting--;
		c->waiting = false;
	}
	if (c->in_login_wait) {
		TAILQ_REMOVE(&p->login_wait, c, wait_link);
		c->in_login_wait = false;
	}
}

void pool_request_welcome(struct pool *p, struct client *c)
{
	c->in_login_wait = true;
	c->wait_started = rt_now();
	TAILQ_INSERT_TAIL(&p->login_wait, c, wait_link);
	pool_maybe_launch(p, c->wait_started);
}

/* ------------------------------------------------------ hosts and target_session_attrs */

/* How many steps a search for a server may take: every host once, and
 * twice for prefer-standby (standbys first, then any server), as libpq. */
static int pool_search_steps(const struct pool *p)
{
	int n = p->target.n_hosts;
	return p->target.target_session_attrs == TSA_PREFER_STANDBY ? 2 * n : n;
}

/* A boolean the server reported at login: 1 "on", 0 otherwise, -1 when it
 * did not report it (before PostgreSQL 14). */
static int param_bool(const struct server *s, const char *name)
{
	const char *v = params_get(&s->base_params, name);
	if (!v)
		return -1;
	return strcmp(v, "on") == 0;
}

/*
 * Why a server that has just logged in does not fit target_session_attrs,
 * in libpq's words, or NULL if it fits.  PostgreSQL 14 and later report
 * in_hot_standby and default_transaction_read_only at login.
 */
static const char *tsa_mismatch(const struct pool *p, const struct server *s)
{
	int tsa = p->target.target_session_attrs;
	int hot = param_bool(s, "in_hot_standby");
	int ro = param_bool(s, "default_transaction_read_only");

	if (tsa == TSA_PREFER_STANDBY)
		tsa = s->attempt < p->target.n_hosts ? TSA_STANDBY : TSA_ANY;
	if (tsa == TSA_ANY)
		return NULL;
	if (hot < 0 || ((tsa == TSA_READ_WRITE || tsa == TSA_READ_ONLY) && ro < 0))
		return "server does not report in_hot_standby and default_transaction_read_only "
		       "(target_session_attrs needs PostgreSQL 14 or later)";
	switch (tsa) {
	case TSA_READ_WRITE:
		return hot || ro ? "session is read-only" : NULL;
	case TSA_READ_ONLY:
		return hot || ro ? NULL : "session is not read-only";
	case TSA_PRIMARY:
		return hot ? "server is in hot standby mode" : NULL;
	case TSA_STANDBY:
		return hot ? NULL : "server is not in hot standby mode";
	default:
		return NULL;
	}
}

/* Every host's last failure, for the message when none will do. */
static void pool_hosts_message(const struct pool *p, char *buf, size_t len)
{
	size_t used;
	int i;

	if (p->target.target_session_attrs == TSA_ANY)
		used = (size_t)snprintf(buf, len, "no host answered:");
	else
		used = (size_t)snprintf(buf, len, "no server fits (target_session_attrs=%s):",
					tsa_mode_name(p->target.target_session_attrs));
	for (i = 0; i < p->target.n_hosts && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s %s", i ? ";" : "",
					 p->host_errors[i][0] ? p->host_errors[i] : "not tried");
}

void pool_server_logged_in(struct server *s)
{
	struct pool *p = s->pool;
	struct client *c;
	const char *why;

	TAILQ_REMOVE(&p->pending, s, link);
	TAILQ_INSERT_TAIL(&p->used, s, link);
	if ((why = tsa_mismatch(p, s)) != NULL) {
		char msg[256];
		snprintf(msg, sizeof(msg), "connection to server at \"%s\", port %d failed: %s",
			 s->host, s->port, why);
		log_info("server %s pid %u: %s", s->addr, s->be_pid, why);
		pool_server_login_failed(s, "08006", msg, true);
		server_close(s, "target_session_attrs");
		return;
	}
	p->stats.server_logins++;
	p->last_failure = 0;
	if (p->target.n_hosts > 1 && s->attempt > 0)
		log_info("pool %s: server %s fits target_session_attrs=%s", p->key, s->addr,
			 tsa_mode_name(p->target.target_session_attrs));
	if (!p->have_welcome) {
		params_copy(&p->welcome, &s->base_params);
		p->have_welcome = true;
	}
	while ((c = TAILQ_FIRST(&p->login_wait))) {
		TAILQ_REMOVE(&p->login_wait, c, wait_link);
		c->in_login_wait = false;
		client_welcome(c);
	}
	pool_server_available(s);
}

/* Wrong password, unknown database...: trying again will not help the
 * clients that are waiting now. */
static void pool_fail_waiters(struct pool *p, const char *sqlstate, const char *msg)
{
	struct client *c;

	while ((c = TAILQ_FIRST(&p->login_wait))) {
		pool_cancel_wait(p, c);
		client_login_failed(c, sqlstate, msg);
	}
	if (TAILQ_EMPTY(&p->idle) && TAILQ_EMPTY(&p->used)) {
		while ((c = TAILQ_FIRST(&p->waiting))) {
			pool_cancel_wait(p, c);
			client_fatal(c, sqlstate, msg);
		}
	}
}

static bool pool_create_database(struct pool *p);

void pool_server_login_failed(struct server *s, const char *sqlstate, const char *msg,
			      bool retryable)
{
	struct pool *p = s->pool;
	char all[256];

	p->stats.server_login_failures++;
	if (pool_search_steps(p) > 1) {
		snprintf(p->host_errors[s->attempt % p->target.n_hosts], sizeof(*p->host_errors),
			 "%s", msg);
		/* This host is down, starting, full, or not the kind asked for:
		 * the next one is tried, as libpq does. */
		if (retryable && s->attempt + 1 < pool_search_steps(p) && rt.state == RUN_NORMAL) {
			s->next_host = true;
			return;
		}
		if (retryable) {
			pool_hosts_message(p, all, sizeof(all));
			msg = all;
		}
	}
	p->last_failure = rt_now();
	snprintf(p->last_error, sizeof(p->last_error), "%s", msg);
	if (!retryable && strcmp(sqlstate, "3D000") == 0 && pool_create_database(p))
		retryable = true; /* the logins are tried again once it exists */
	if (retryable)
		return; /* waiting clients keep waiting, up to query_wait_timeout */
	pool_fail_waiters(p, sqlstate, msg);
}

PGPIN_HOT void pool_server_available(struct server *s)
{
	struct pool *p = s->pool;
	double now = rt_now_coarse();
	struct client *c;

	if (s->state == SV_CLOSED || s->client || server_busy(s))
		return;
	if (s->cancels_in_flight > 0)
		return; /* the last cancel's end brings it back (cancel_free()) */
	if (s->close_at_release ||
	    (rt.cfg->server_lifetime > 0 && now - s->created > rt.cfg->server_lifetime)) {
		server_close(s, s->close_at_release ? "released for closing" : "server_lifetime");
		return;
	}
	c = TAILQ_FIRST(&p->waiting);
	if (c) {
		pool_cancel_wait(p, c);
		p->stats.waits++;
		p->stats.wait_us += (uint64_t)((rt_now() - c->wait_started) * 1e6);
		if (s->state == SV_IDLE) {
			TAILQ_REMOVE(&p->idle, s, link);
			TAILQ_INSERT_TAIL(&p->used, s, link);
		}
		pool_link(p, s, c);
		return;
	}
	if (s->state != SV_IDLE) {
		TAILQ_REMOVE(&p->used, s, link);
		TAILQ_INSERT_HEAD(&p->idle, s, link);
		s->state = SV_IDLE;
	}
	s->last_used = now;
}

void pool_server_gone(struct server *s)
{
	struct pool *p = s->pool;

	switch (s->state) {
	case SV_CONNECTING:
	case SV_LOGIN:
		TAILQ_REMOVE(&p->pending, s, link);
		break;
	case SV_IDLE:
		TAILQ_REMOVE(&p->idle, s, link);
		break;
	case SV_ACTIVE:
		TAILQ_REMOVE(&p->used, s, link);
		break;
	case SV_CLOSED:
		return;
	}
	p->n_servers--;
	/* The search for a fitting host goes on with the next one. */
	if (s->next_host && rt.state == RUN_NORMAL) {
		s->next_host = false;
		(void)pool_connect(p, s->attempt + 1);
		return;
	}
	/* Clients waiting for this one get a replacement. */
	if (p->n_waiting > 0 && rt.state == RUN_NORMAL)
		pool_maybe_launch(p, rt_now());
}

void pool_janitor(struct pool *p, double now)
{
	const struct config *cfg = rt.cfg;
	struct server *s, *next;

	for (s = TAILQ_FIRST(&p->pending); s; s = next) {
		next = TAILQ_NEXT(s, link);
		if (cfg->server_connect_timeout > 0 &&
		    now - s->login_started > cfg->server_connect_timeout) {
			char msg[256];
			snprintf(msg, sizeof(msg), "timeout connecting to server %s", s->addr);
			log_warning("%s", msg);
			pool_server_login_failed(s, "08006", msg, true);
			server_close(s, "server_connect_timeout");
		}
	}
	for (s = TAILQ_FIRST(&p->idle); s; s = next) {
		next = TAILQ_NEXT(s, link);
		if (cfg->server_lifetime > 0 && now - s->created > cfg->server_lifetime &&
		    p->n_servers > p->min_pool_size) {
			server_close(s, "server_lifetime");
		} else if (cfg->server_idle_timeout > 0 &&
			   now - s->last_used > cfg->server_idle_timeout &&
			   p->n_servers > p->min_pool_size) {
			server_close(s, "server_idle_timeout");
		}
	}
	if (rt.state != RUN_NORMAL)
		return;
	pool_maybe_launch(p, now);
	while (p->n_servers < p->min_pool_size && p->have_welcome &&
	       (!p->last_failure || now - p->last_failure >= RETRY_DELAY)) {
		if (!pool_connect(p, 0))
			break;
	}
}

void pool_log_stats(struct pool *p, double period)
{
	struct pool_stats *st = &p->stats;
	int idle = 0, used = 0;
	struct server *s;
	TAILQ_FOREACH(s, &p->idle, link)
		idle++;
	TAILQ_FOREACH(s, &p->used, link)
		used++;
	log_info("stats: pool %s: %.1f xact/s, %.1f query/s, in %.1f kB/s, out %.1f kB/s, "
		 "avg wait %.3f ms, servers %d idle %d used, %d clients waiting; "
		 "statements: %zu known, %llu client parses, %llu server parses (%llu injected), "
		 "%llu answered by pgpin, %llu evicted; %llu clients pinned",
		 p->key, st->xacts / period, st->queries / period, st->bytes_in / 1024.0 / period,
		 st->bytes_out / 1024.0 / period,
		 st->waits ? st->wait_us / 1000.0 / (double)st->waits : 0.0, idle, used,
		 p->n_waiting, p->registry.count, (unsigned long long)st->client_parses,
		 (unsigned long long)st->server_parses, (unsigned long long)st->injected_parses,
		 (unsigned long long)st->cache_hits, (unsigned long long)st->evictions,
		 (unsigned long long)st->pins);
	memset(st, 0, sizeof(*st));
}

/* ------------------------------------------------------ resolution */

/* Pool settings for a client database and user: [users] beats
 * [databases] beats the global setting. */
static void pool_settings(const char *database, const char *user, enum pool_mode *mode,
			  int *size)
{
	const struct config *cfg = rt.cfg;
	const struct db_entry *db = config_find_db(cfg, database);
	const struct user_entry *u = config_find_user(cfg, user);

	*mode = cfg->pool_mode;
	*size = cfg->pool_size;
	if (db && db->pool_mode >= 0)
		*mode = (enum pool_mode)db->pool_mode;
	if (db && db->pool_size > 0)
		*size = db->pool_size;
	if (u && u->pool_mode >= 0)
		*mode = (enum pool_mode)u->pool_mode;
	if (u && u->pool_size > 0)
		*size = u->pool_size;
}

/*
 * The target for a client's database and user, per the configuration,
 * without its password (target_password() adds it).  Strings are borrowed
 * from the configuration, except t->hosts and t->password (free both:
 * target_release()).  -1 with a message if the hosts and ports of a
 * [databases] entry and the endpoint do not pair up.
 */
static int target_resolve(const char *database, const char *user, struct target *t, char *err,
			  size_t errlen)
{
	const struct config *cfg = rt.cfg;
	const struct endpoint *main_ep = &cfg->endpoint;
	const struct db_entry *db = config_find_db(cfg, database);
	const struct endpoint *dep = db ? &db->ep : NULL;
	const struct endpoint *hep;
	int n;

#define PICK(field) (dep && dep->field ? dep->field : main_ep->field)
	memset(t, 0, sizeof(*t));
	/* Hosts come from the entry if it names any, else from the endpoint;
	 * ports from the entry if it gives any, else the endpoint's list for
	 * the endpoint's hosts, or its first port for the entry's. */
	hep = dep && (dep->host || dep->hostaddr) ? dep : main_ep;
	n = endpoint_hosts(hep->host, hep->hostaddr,
			   dep && dep->ports ? dep->ports : (hep == main_ep ? main_ep->ports : NULL),
			   dep && dep->port ? dep->port : (main_ep->port ? main_ep->port : 5432),
			   &t->hosts, err, errlen);
	if (n < 0)
		return -1;
	t->n_hosts = n;
	t->host = t->hosts[0].host;
	t->port = t->hosts[0].port;
	/* [databases] maps a client's database; otherwise an endpoint that
	 * names a database serves it to every client (the datastore is the
	 * proxy's choice, like its credentials); an endpoint without one
	 * passes the client's database through. */
	t->dbname = dep && dep->dbname ? dep->dbname
				       : (main_ep->dbname ? main_ep->dbname : (char *)database);
	t->user = PICK(user) ? PICK(user) : (char *)user;
	t->application_name = PICK(application_name);
	t->options = PICK(options);
	/* TLS: the endpoint's own parameters, else k3s's datastore files; any
	 * such file and no sslmode means verify-full, as kine does. */
	t->sslrootcert = PICK(sslrootcert) ? PICK(sslrootcert) : cfg->datastore_cafile;
	t->sslcert = PICK(sslcert) ? PICK(sslcert) : cfg->datastore_certfile;
	t->sslkey = PICK(sslkey) ? PICK(sslkey) : cfg->datastore_keyfile;
	if (dep && dep->sslmode_given)
		t->sslmode = dep->sslmode;
	else if (main_ep->sslmode_given)
		t->sslmode = main_ep->sslmode;
	else if (cfg->datastore_cafile || cfg->datastore_certfile || cfg->datastore_keyfile)
		t->sslmode = SSLMODE_VERIFY_FULL;
	else
		t->sslmode = SSLMODE_PREFER;
	t->sslsni = dep && dep->sslmode_given ? dep->sslsni : main_ep->sslsni;
	t->target_session_attrs = dep && dep->tsa_given ? dep->target_session_attrs
						       : main_ep->target_session_attrs;
#undef PICK
	return 0;
}

/*
 * t->password for a target that target_resolve() gave for database and
 * user: the endpoint's (or the [databases] entry's), else the auth file's
 * plain password when the server role is the client's own, else the
 * password file's.  NULL when none has one (or out of memory).
 */
static void target_password(const char *database, const char *user, struct target *t)
{
	const struct config *cfg = rt.cfg;
	const struct endpoint *main_ep = &cfg->endpoint;
	const struct db_entry *db = config_find_db(cfg, database);
	const struct endpoint *dep = db ? &db->ep : NULL;

#define PICK(field) (dep && dep->field ? dep->field : main_ep->field)
	/* A password given with the endpoint belongs to the endpoint's user. */
	if (PICK(password)) {
		t->password = strdup(PICK(password));
	} else if (strcmp(t->user, user) == 0 && rt.authfile) {
		const char *secret = authfile_lookup(rt.authfile, user);
		if (secret && secret_kind_of(secret) == SECRET_PLAIN)
			t->password = strdup(secret);
	}
	if (!t->password) {
		char *path = PICK(passfile) ? strdup(PICK(passfile)) : pgpass_default_path();
		/* One password for the role: the first host with an entry gives it. */
		for (int i = 0; path && !t->password && i < t->n_hosts; i++)
			t->password = pgpass_lookup(path, t->hosts[i].host, t->hosts[i].port,
						    t->dbname, t->user);
		free(path);
	}
#undef PICK
}

/* Free what target_resolve() allocated. */
static void target_release(struct target *t)
{
	host_list_free(t->hosts, t->n_hosts);
	wipe_free(t->password);
	memset(t, 0, sizeof(*t));
}

/*
 * Open a server connection for p, with the password as the configuration
 * and the password file give it now, as libpq would: a password changed in
 * the file, or in the configuration and reloaded, is used from the next
 * login on, without a restart.  (The names that created the pool still
 * lead to it, or it keeps the password it has.)
 */
static struct server *pool_connect(struct pool *p, int attempt)
{
	struct target t;
	char err[256];

	if (p->cfg_database && target_resolve(p->cfg_database, p->cfg_user, &t, err, sizeof(err)) == 0) {
		char *key = target_key(&t);
		if (key && strcmp(key, p->key) == 0) {
			target_password(p->cfg_database, p->cfg_user, &t);
			wipe_free(p->target.password);
			p->target.password = t.password;
			t.password = NULL;
		}
		free(key);
		target_release(&t);
	}
	return server_connect(p, attempt);
}

/*
 * Which pool a login's (database, user) goes to depends only on the
 * configuration: the answer is remembered until it is reloaded, so that a
 * login to a known pool resolves no target and builds no key.  At most
 * ROUTES_MAX answers are kept (clients may name any database).
 */
#define ROUTES_BUCKETS 256
#define ROUTES_MAX 4096

struct pool_route {
	struct pool_route *next;
	struct pool *pool;
	uint32_t hash;
	size_t dblen;
	char names[]; /* database\0user\0 */
};

static struct pool_route *routes[ROUTES_BUCKETS];
static int n_routes;

static uint32_t route_hash(const char *database, const char *user)
{
	uint32_t h = 2166136261u; /* FNV-1a over both names and their NULs */
	for (const char *p = database;; p++) {
		h = (h ^ (uint8_t)*p) * 16777619u;
		if (!*p)
			break;
	}
	for (const char *p = user; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

static struct pool *route_find(const char *database, const char *user, uint32_t hash)
{
	for (struct pool_route *r = routes[hash % ROUTES_BUCKETS]; r; r = r->next)
		if (r->hash == hash && strcmp(r->names, database) == 0 &&
		    strcmp(r->names + r->dblen + 1, user) == 0)
			return r->pool;
	return NULL;
}

static void route_add(const char *database, const char *user, uint32_t hash, struct pool *p)
{
	size_t dblen = strlen(database), ulen = strlen(user);
	if (n_routes >= ROUTES_MAX)
		return;
	struct pool_route *r = malloc(sizeof(*r) + dblen + ulen + 2);
	if (!r)
		return; /* merely not remembered */
	r->pool = p;
	r->hash = hash;
	r->dblen = dblen;
	memcpy(r->names, database, dblen + 1);
	memcpy(r->names + dblen + 1, user, ulen + 1);
	r->next = routes[hash % ROUTES_BUCKETS];
	routes[hash % ROUTES_BUCKETS] = r;
	n_routes++;
}

static void routes_clear(void)
{
	for (int i = 0; i < ROUTES_BUCKETS; i++) {
		while (routes[i]) {
			struct pool_route *r = routes[i];
			routes[i] = r->next;
			free(r);
		}
	}
	n_routes = 0;
}

struct pool *pool_for_client(const char *database, const char *user, char *err,
			     size_t errlen)
{
	const struct config *cfg = rt.cfg;
	struct target t;
	enum pool_mode mode;
	int size;
	uint32_t hash = route_hash(database, user);
	struct pool *known = route_find(database, user, hash);

	if (known)
		return known;
	if (target_resolve(database, user, &t, err, errlen) < 0)
		return NULL;
	/* Only a new pool needs the password: a login to an existing one
	 * reads no file. */
	char *key = target_key(&t);
	struct pool *p = key ? pool_find(key) : NULL;
	free(key);
	if (!p) {
		target_password(database, user, &t);
		pool_settings(database, user, &mode, &size);
		p = pool_get(&t, mode, size, cfg->min_pool_size);
	}
	target_release(&t);
	if (p && !p->cfg_database) {
		p->cfg_database = strdup(database);
		p->cfg_user = strdup(user);
	}
	if (!p || !p->cfg_database || !p->cfg_user) {
		snprintf(err, errlen, "out of memory");
		return p;
	}
	route_add(database, user, hash, p);
	return p;
}

void pool_apply_config(void)
{
	struct pool *p;
	routes_clear(); /* the configuration that chose them is gone */
	TAILQ_FOREACH(p, &rt.pools, link) {
		/* Pools are shared by every client that maps to the target;
		 * settings come from the names that first created it. */
		enum pool_mode mode;
		int size;
		if (!p->cfg_database)
			continue;
		pool_settings(p->cfg_database, p->cfg_user, &mode, &size);
		p->mode = mode;
		p->pool_size = size;
		p->min_pool_size = rt.cfg->min_pool_size;
	}
}

/* ------------------------------------------------------ create_database */

/*
 * k3s promises that the endpoint's database is created when it does not
 * exist.  pgpin does it as kine does (look in pg_database, then CREATE
 * DATABASE, through the server's "postgres" database), on a thread of its
 * own with libpq: the event loop never waits for it, and libpq brings the
 * same TLS settings and authentication methods.  The thread reports back
 * with wake_post(); pools waiting for it retry their logins then.
 */

/* Wait this long before trying again to create a database that the role
 * could not create, and this long after it was created (dropped again?) or
 * the server could not be reached (a login has just reached it). */
#define CREATE_RETRY_DELAY 30.0
#define CREATE_AGAIN_DELAY 1.0

enum job_result { JOB_CREATED = 1, JOB_EXISTED, JOB_UNREACHABLE, JOB_FAILED };

/*
 * One attempt.  The thread owns result and msg until it has posted its
 * wake; the loop reads them in dbjob_done_cb().  At exit a job
 * still running is abandoned under dbjob_lock: its thread then frees it,
 * and never touches the event loop.
 */
struct dbjob {
	LIST_ENTRY(dbjob) link;
	char *key;	/* the target key of the pools it serves */
	char *dbname;
	char *conninfo; /* to the postgres database; has the password */
	pthread_t thread;
	bool running;	/* loop's view: the thread has not reported yet */
	bool abandoned; /* under dbjob_lock: pgpin is exiting */
	bool reported;	/* under dbjob_lock: the thread is done with the job */
	bool at_start;	/* not asked for by a login that found no database */
	struct wake *done;
	enum job_result result;
	char msg[512];
	double finished;
};

static LIST_HEAD(, dbjob) dbjobs = LIST_HEAD_INITIALIZER(dbjobs);
static pthread_mutex_t dbjob_lock = PTHREAD_MUTEX_INITIALIZER;

static void dbjob_release(struct dbjob *j)
{
	free(j->key);
	free(j->dbname);
	if (j->conninfo) {
		memset(j->conninfo, 0, strlen(j->conninfo));
		free(j->conninfo);
	}
	free(j);
}

static const char *const sslmode_names[] = {"disable", "allow", "prefer", "require",
					    "verify-ca", "verify-full"};

/* Append key='value' with libpq's quoting. */
static void conninfo_add(char **buf, size_t *len, size_t *cap, const char *key, const char *val)
{
	size_t need;
	char *o;

	if (!val)
		return;
	need = *len + strlen(key) + 2 * strlen(val) + 8;
	if (need > *cap) {
		char *nb = realloc(*buf, need * 2);
		if (!nb)
			abort(); /* a few hundred bytes */
		*buf = nb;
		*cap = need * 2;
	}
	o = *buf + *len;
	o += sprintf(o, "%s%s='", *len ? " " : "", key);
	for (; *val; val++) {
		if (*val == '\'' || *val == '\\')
			*o++ = '\\';
		*o++ = *val;
	}
	*o++ = '\'';
	*o = '\0';
	*len = (size_t)(o - *buf);
}

/* A libpq connection string for the target's servers and role, to the
 * "postgres" database. */
static char *admin_conninfo(const struct target *t)
{
	char *buf = NULL, *hosts, *ports, num[32];
	size_t len = 0, cap = 0, hl = 1, hn = 0, pn = 0;
	int i, timeout = (int)rt.cfg->server_connect_timeout;

	/* libpq's lists, which it pairs up as pgpin does. */
	for (i = 0; i < t->n_hosts; i++)
		hl += strlen(t->hosts[i].host) + 1;
	hosts = malloc(hl);
	ports = malloc((size_t)t->n_hosts * 7 + 1);
	if (!hosts || !ports)
		abort(); /* a few bytes, at start or after a failed login */
	for (i = 0; i < t->n_hosts; i++) {
		hn += (size_t)snprintf(hosts + hn, hl - hn, "%s%s", i ? "," : "", t->hosts[i].host);
		pn += (size_t)sprintf(ports + pn, "%s%d", i ? "," : "", t->hosts[i].port);
	}
	conninfo_add(&buf, &len, &cap, "host", hosts);
	conninfo_add(&buf, &len, &cap, "port", ports);
	free(hosts);
	free(ports);
	conninfo_add(&buf, &len, &cap, "dbname", "postgres");
	conninfo_add(&buf, &len, &cap, "user", t->user);
	conninfo_add(&buf, &len, &cap, "password", t->password);
	conninfo_add(&buf, &len, &cap, "application_name", "pgpin");
	conninfo_add(&buf, &len, &cap, "sslmode", sslmode_names[t->sslmode]);
	conninfo_add(&buf, &len, &cap, "sslrootcert", t->sslrootcert);
	conninfo_add(&buf, &len, &cap, "sslcert", t->sslcert);
	conninfo_add(&buf, &len, &cap, "sslkey", t->sslkey);
	conninfo_add(&buf, &len, &cap, "sslsni", t->sslsni ? "1" : "0");
	/* CREATE DATABASE needs a primary. */
	if (t->n_hosts > 1)
		conninfo_add(&buf, &len, &cap, "target_session_attrs", "read-write");
	snprintf(num, sizeof(num), "%d", timeout < 2 ? 2 : timeout);
	conninfo_add(&buf, &len, &cap, "connect_timeout", num);
	return buf;
}

/* The server's error, as "message (SQLSTATE xxxxx)". */
static void result_error(char *dst, size_t len, const PGresult *r)
{
	const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (primary && state)
		snprintf(dst, len, "%s (SQLSTATE %s)", primary, state);
	else
		snprintf(dst, len, "%s", PQresultErrorMessage(r));
	dst[strcspn(dst, "\n")] = '\0';
}

/* libpq's message on one line, without its trailing newline. */
static void one_line(char *dst, size_t len, const char *what, const char *msg)
{
	char *p;

	snprintf(dst, len, "%s%s", what, msg && *msg ? msg : "unknown error");
	for (p = dst; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	while (p > dst && p[-1] == ' ')
		*--p = '\0';
}

static void *dbjob_run(void *arg)
{
	struct dbjob *j = arg;
	const char *values[1] = {j->dbname};
	PGresult *r = NULL;
	PGconn *conn;

	conn = PQconnectdb(j->conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		one_line(j->msg, sizeof(j->msg), "could not connect to database postgres: ",
			 PQerrorMessage(conn));
		j->result = JOB_UNREACHABLE;
		goto done;
	}
	r = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, values,
			 NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		result_error(j->msg, sizeof(j->msg), r);
		j->result = JOB_FAILED;
		goto done;
	}
	if (PQntuples(r) > 0) {
		j->result = JOB_EXISTED;
		goto done;
	}
	PQclear(r);
	/* An identifier in double quotes, its double quotes doubled. */
	char *quoted = PQescapeIdentifier(conn, j->dbname, strlen(j->dbname));
	size_t n = (quoted ? strlen(quoted) : 0) + 32;
	char *sql = malloc(n);
	if (!quoted || !sql) {
		PQfreemem(quoted);
		free(sql);
		r = NULL;
		snprintf(j->msg, sizeof(j->msg), "out of memory");
		j->result = JOB_FAILED;
		goto done;
	}
	snprintf(sql, n, "CREATE DATABASE %s", quoted);
	PQfreemem(quoted);
	r = PQexec(conn, sql);
	free(sql);
	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		j->result = JOB_CREATED;
	} else {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		/* Someone else created it meanwhile. */
		if (state && strcmp(state, "42P04") == 0) {
			j->result = JOB_EXISTED;
		} else {
			result_error(j->msg, sizeof(j->msg), r);
			j->result = JOB_FAILED;
		}
	}
done:
	PQclear(r);
	PQfinish(conn);
	/* The conninfo holds the password: do not leave it in freed memory. */
	memset(j->conninfo, 0, strlen(j->conninfo));
	pthread_mutex_lock(&dbjob_lock);
	bool abandoned = j->abandoned;
	if (!abandoned) {
		wake_post(j->done);
		j->reported = true;
	}
	pthread_mutex_unlock(&dbjob_lock);
	if (abandoned)
		dbjob_release(j);
	return NULL;
}

static void dbjob_done_cb(void *arg)
{
	struct dbjob *j = arg;
	struct pool *p;

	pthread_join(j->thread, NULL);
	j->running = false;
	j->finished = rt_now();
	switch (j->result) {
	case JOB_CREATED:
		log_info("created database \"%s\"", j->dbname);
		break;
	case JOB_EXISTED:
		log_debug("database \"%s\" exists", j->dbname);
		break;
	case JOB_UNREACHABLE:
		/* At start nothing says the database is missing: the role may
		 * just not be allowed into "postgres". */
		if (j->at_start) {
			log_info("could not check that database \"%s\" exists: %s", j->dbname,
				 j->msg);
			break;
		}
		/* fall through */
	default:
		log_warning("could not create database \"%s\": %s", j->dbname, j->msg);
		break;
	}
	TAILQ_FOREACH(p, &rt.pools, link) {
		if (!p->awaits_create || strcmp(p->key, j->key) != 0)
			continue;
		p->awaits_create = false;
		if (j->result == JOB_FAILED || j->result == JOB_UNREACHABLE) {
			/* The clients get the server's "does not exist" error. */
			pool_fail_waiters(p, "3D000", p->last_error);
		} else {
			p->last_failure = 0;
			if (rt.state == RUN_NORMAL)
				pool_maybe_launch(p, rt_now());
		}
	}
}

static struct dbjob *dbjob_find(const char *key)
{
	struct dbjob *j;
	LIST_FOREACH(j, &dbjobs, link)
		if (strcmp(j->key, key) == 0)
			return j;
	return NULL;
}

/* Forget a job; one still running is left to its thread. */
static void dbjob_free(struct dbjob *j)
{
	bool left_to_thread;

	LIST_REMOVE(j, link);
	pthread_mutex_lock(&dbjob_lock);
	left_to_thread = j->running && !j->reported;
	j->abandoned = left_to_thread;
	wake_free(j->done);
	j->done = NULL;
	pthread_mutex_unlock(&dbjob_lock);
	if (left_to_thread) {
		pthread_detach(j->thread);
		return;
	}
	if (j->running)
		pthread_join(j->thread, NULL);
	dbjob_release(j);
}

/* Start creating t's database unless that is running or was tried lately.
 * Returns the job running for it, or NULL. */
static struct dbjob *dbjob_start(const struct target *t, const char *key, bool at_start)
{
	struct dbjob *j = dbjob_find(key);

	if (j && j->running) {
		j->at_start = j->at_start && at_start;
		return j;
	}
	if (j && rt_now() - j->finished <
			 (j->result == JOB_FAILED ? CREATE_RETRY_DELAY : CREATE_AGAIN_DELAY))
		return NULL;
	if (j)
		dbjob_free(j);
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->key = strdup(key);
	j->at_start = at_start;
	j->dbname = strdup(t->dbname);
	j->conninfo = admin_conninfo(t);
	j->done = wake_new(dbjob_done_cb, j);
	LIST_INSERT_HEAD(&dbjobs, j, link);
	if (!j->key || !j->dbname || !j->conninfo || !j->done ||
	    pthread_create(&j->thread, NULL, dbjob_run, j) != 0) {
		log_warning("could not create database \"%s\": out of resources", t->dbname);
		dbjob_free(j);
		return NULL;
	}
	j->running = true;
	log_debug("making sure database \"%s\" exists", t->dbname);
	return j;
}

/* Whether the datastore endpoint's database is the one t names. */
static bool is_endpoint_database(const char *dbname)
{
	const struct config *cfg = rt.cfg;
	return cfg->create_database && cfg->endpoint.kind == ENDPOINT_POSTGRES &&
	       cfg->endpoint.dbname && strcmp(dbname, cfg->endpoint.dbname) == 0;
}

/* A login found no database: create it if it is the endpoint's own.  True
 * if the pool's logins now wait for that. */
static bool pool_create_database(struct pool *p)
{
	if (!is_endpoint_database(p->target.dbname) || rt.state != RUN_NORMAL)
		return false;
	if (!dbjob_start(&p->target, p->key, false))
		return false;
	p->awaits_create = true;
	return true;
}

void pool_create_database_at_start(void)
{
	const struct endpoint *ep = &rt.cfg->endpoint;
	struct target t;
	char err[256], *key;

	/* Without a user in the endpoint, the role is each client's own. */
	if (!ep->dbname || !ep->user || !is_endpoint_database(ep->dbname))
		return;
	if (target_resolve(ep->dbname, ep->user, &t, err, sizeof(err)) < 0)
		return;
	target_password(ep->dbname, ep->user, &t);
	key = target_key(&t);
	if (key && is_endpoint_database(t.dbname))
		(void)dbjob_start(&t, key, true);
	free(key);
	target_release(&t);
}

/* At exit: threads still connecting are not waited for; they free their
 * job and never touch the event loop, which is about to go. */
static void dbjobs_free_all(void)
{
	/* A thread still in libpq when the process exits would run into
	 * OpenSSL's and libc's exit-time cleanup: give running jobs a few
	 * seconds to finish (they connect with a timeout), then leave any
	 * straggler to itself. */
	double deadline = rt_now() + 5.0;
	for (;;) {
		bool waiting = false;
		struct dbjob *j;
		pthread_mutex_lock(&dbjob_lock);
		LIST_FOREACH(j, &dbjobs, link)
			if (j->running && !j->reported)
				waiting = true;
		pthread_mutex_unlock(&dbjob_lock);
		if (!waiting || rt_now() >= deadline)
			break;
		struct timespec tick = {0, 10 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
	while (!LIST_EMPTY(&dbjobs))
		dbjob_free(LIST_FIRST(&dbjobs));
}
