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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authfile.h"
#include "client.h"
#include "pgpass.h"
#include "log.h"
#include "runtime.h"
#include "server.h"

/* After a failed connection attempt, wait this long before the next. */
#define RETRY_DELAY 1.0

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void target_free(struct target *t)
{
	free(t->host);
	free(t->dbname);
	free(t->user);
	free(t->password);
	free(t->application_name);
	free(t->options);
	free(t->sslrootcert);
	free(t->sslcert);
	free(t->sslkey);
	memset(t, 0, sizeof(*t));
}

static char *target_key(const struct target *t)
{
	size_t n = strlen(t->host) + strlen(t->dbname) + strlen(t->user) + 32;
	char *key = malloc(n);
	if (key)
		snprintf(key, n, "%s@%s:%d/%s", t->user, t->host, t->port, t->dbname);
	return key;
}

struct pool *pool_get(const struct target *t, enum pool_mode mode, int pool_size,
		      int min_pool_size)
{
	char *key = target_key(t);
	struct pool *p;

	if (!key)
		return NULL;
	TAILQ_FOREACH(p, &rt.pools, link) {
		if (strcmp(p->key, key) == 0) {
			free(key);
			return p;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		free(key);
		return NULL;
	}
	p->key = key;
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
	stmt_registry_free(&p->registry);
	free(p->key);
	free(p->cfg_database);
	free(p->cfg_user);
	free(p);
}

void pool_free_all(void)
{
	struct pool *p;
	while ((p = TAILQ_FIRST(&rt.pools)))
		pool_free(p);
}

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
		if (!server_connect(p))
			return;
		n_pending++;
	}
}

static void pool_link(struct pool *p, struct server *s, struct client *c)
{
	s->state = SV_ACTIVE;
	s->client = c;
	c->server = s;
	s->last_used = rt_now();
	client_linked(c);
}

/* A server idle for server_check_delay is checked before a client gets it
 * (0: every time), so a connection the backend dropped meanwhile is found
 * by pgpin, not by the client's next query. */
static bool pool_needs_check(const struct server *s, double now)
{
	return now - s->last_used >= rt.cfg->server_check_delay;
}

void pool_request(struct pool *p, struct client *c)
{
	struct server *s;
	double now = rt_now();

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
	c->wait_started = now;
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

void pool_server_logged_in(struct server *s)
{
	struct pool *p = s->pool;
	struct client *c;

	TAILQ_REMOVE(&p->pending, s, link);
	TAILQ_INSERT_TAIL(&p->used, s, link);
	p->stats.server_logins++;
	p->last_failure = 0;
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

void pool_server_login_failed(struct server *s, const char *sqlstate, const char *msg,
			      bool retryable)
{
	struct pool *p = s->pool;
	struct client *c;

	p->stats.server_login_failures++;
	p->last_failure = rt_now();
	snprintf(p->last_error, sizeof(p->last_error), "%s", msg);
	if (retryable)
		return; /* waiting clients keep waiting, up to query_wait_timeout */

	/* Wrong password, unknown database...: trying again will not help the
	 * clients that are waiting now. */
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

void pool_server_available(struct server *s)
{
	struct pool *p = s->pool;
	double now = rt_now();
	struct client *c;

	if (s->state == SV_CLOSED || s->client || server_busy(s))
		return;
	if (s->close_at_release ||
	    (rt.cfg->server_lifetime > 0 && now - s->created > rt.cfg->server_lifetime)) {
		server_close(s, s->close_at_release ? "released for closing" : "server_lifetime");
		return;
	}
	c = TAILQ_FIRST(&p->waiting);
	if (c) {
		pool_cancel_wait(p, c);
		p->stats.waits++;
		p->stats.wait_us += (uint64_t)((now - c->wait_started) * 1e6);
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
		if (!server_connect(p))
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

struct pool *pool_for_client(const char *database, const char *user, char *err,
			     size_t errlen)
{
	const struct config *cfg = rt.cfg;
	const struct endpoint *main_ep = &cfg->endpoint;
	const struct db_entry *db = config_find_db(cfg, database);
	const struct endpoint *dep = db ? &db->ep : NULL;
	struct target t;
	enum pool_mode mode;
	int size;

#define PICK(field) (dep && dep->field ? dep->field : main_ep->field)
	memset(&t, 0, sizeof(t));
	t.host = PICK(hostaddr) ? PICK(hostaddr) : PICK(host);
	if (!t.host)
		t.host = "localhost";
	t.port = dep && dep->port ? dep->port : (main_ep->port ? main_ep->port : 5432);
	/* [databases] maps a client's database; otherwise an endpoint that
	 * names a database serves it to every client (the datastore is the
	 * proxy's choice, like its credentials); an endpoint without one
	 * passes the client's database through. */
	t.dbname = dep && dep->dbname ? dep->dbname
				      : (main_ep->dbname ? main_ep->dbname : (char *)database);
	t.user = PICK(user) ? PICK(user) : (char *)user;
	t.application_name = PICK(application_name);
	t.options = PICK(options);
	/* TLS: the endpoint's own parameters, else k3s's datastore files; any
	 * such file and no sslmode means verify-full, as kine does. */
	t.sslrootcert = PICK(sslrootcert) ? PICK(sslrootcert) : cfg->datastore_cafile;
	t.sslcert = PICK(sslcert) ? PICK(sslcert) : cfg->datastore_certfile;
	t.sslkey = PICK(sslkey) ? PICK(sslkey) : cfg->datastore_keyfile;
	if (dep && dep->sslmode_given)
		t.sslmode = dep->sslmode;
	else if (main_ep->sslmode_given)
		t.sslmode = main_ep->sslmode;
	else if (cfg->datastore_cafile || cfg->datastore_certfile || cfg->datastore_keyfile)
		t.sslmode = SSLMODE_VERIFY_FULL;
	else
		t.sslmode = SSLMODE_PREFER;
	t.sslsni = dep && dep->sslmode_given ? dep->sslsni : main_ep->sslsni;
	t.target_session_attrs = dep && dep->target_session_attrs ? dep->target_session_attrs
								   : main_ep->target_session_attrs;
	/* A password given with the endpoint belongs to the endpoint's user. */
	char *password = NULL;
	if (PICK(password)) {
		password = strdup(PICK(password));
	} else if (strcmp(t.user, user) == 0 && rt.authfile) {
		const char *secret = authfile_lookup(rt.authfile, user);
		if (secret && secret_kind_of(secret) == SECRET_PLAIN)
			password = strdup(secret);
	}
	if (!password) {
		char *path = PICK(passfile) ? strdup(PICK(passfile)) : pgpass_default_path();
		if (path)
			password = pgpass_lookup(path, t.host, t.port, t.dbname, t.user);
		free(path);
	}
#undef PICK
	t.password = password;

	pool_settings(database, user, &mode, &size);
	struct pool *p = pool_get(&t, mode, size, cfg->min_pool_size);
	free(password);
	if (p && !p->cfg_database) {
		p->cfg_database = strdup(database);
		p->cfg_user = strdup(user);
	}
	if (!p || !p->cfg_database || !p->cfg_user)
		snprintf(err, errlen, "out of memory");
	return p;
}

void pool_apply_config(void)
{
	struct pool *p;
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
