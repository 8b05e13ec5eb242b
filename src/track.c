/*
 * track.c - rewriting the extended protocol so that named prepared
 * statements work through a pool.
 *
 * For each message the server will answer, a request is queued on the
 * server (server.h: struct req), saying whether its replies go to the
 * client (FORWARD), are swallowed (SKIP: a Parse or Close pgpin injected),
 * or are synthesized by pgpin (FAKE).  What pgpin assumes when it sends a
 * message (a client name now exists, the server now has a statement) is
 * recorded in the request and undone if the server fails or skips it.
 */
#include "track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "client.h"
#include "config.h"
#include "hot.h"
#include "log.h"
#include "net.h"
#include "pin.h"
#include "pool.h"
#include "proto.h"
#include "runtime.h"
#include "server.h"
#include "stmt.h"

static void client_out(struct client *c, const void *data, size_t n);
static void local_error_unlinked(struct client *c, const char *sqlstate, const char *fmt,
				 const char *name);

/* Bind's two names are read from at most this much of its start. */
#define BIND_PREFIX_MAX 8192

PGPIN_HOT bool track_enabled(const struct client *c)
{
	return c->pool && c->pool->mode != POOL_SESSION && rt.cfg->max_prepared_statements > 0;
}

/* The whole message at the front of the input, or NULL if not all here
 * yet (the input bound is raised so that it can arrive). */
static const uint8_t *client_pullup(struct client *c, uint32_t len)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	if (evbuffer_get_length(in) < (size_t)len + 1) {
		client_expect_message(c, (size_t)len + 1);
		return NULL;
	}
	return evbuffer_pullup(in, (ssize_t)len + 1);
}

static void server_out(struct server *s, const void *data, size_t n)
{
	evbuffer_add(bufferevent_get_output(s->bev), data, n);
	s->pool->stats.bytes_in += n;
}

static void send_parse(struct server *s, const char *name, const uint8_t *key, uint32_t keylen)
{
	uint8_t hdr[5];
	size_t nlen = strlen(name) + 1;
	hdr[0] = 'P';
	proto_put_u32(hdr + 1, (uint32_t)(4 + nlen + keylen));
	server_out(s, hdr, 5);
	server_out(s, name, nlen);
	server_out(s, key, keylen);
}

static void send_close_stmt(struct server *s, const char *name)
{
	uint8_t hdr[6];
	size_t nlen = strlen(name) + 1;
	hdr[0] = 'C';
	proto_put_u32(hdr + 1, (uint32_t)(4 + 1 + nlen));
	hdr[5] = 'S';
	server_out(s, hdr, 6);
	server_out(s, name, nlen);
}

/* Make room in the server's statement cache: Close the least recently
 * used statements not used in the current batch. */
static int evict_if_needed(struct server *s)
{
	int limit = rt.cfg->max_prepared_statements;

	while ((int)s->stmts.count >= limit) {
		struct stmt_cached *v = stmt_cache_victim(&s->stmts, s->batch_gen);
		if (!v)
			return 0; /* everything is in use: grow past the limit for now */
		struct req r = {.type = 'C', .kind = RQ_SKIP, .stmt = v->stmt};
		stmt_ref(v->stmt);
		if (server_push_req(s, &r) < 0) {
			stmt_unref(v->stmt);
			return -1;
		}
		send_close_stmt(s, v->alias);
		stmt_cache_remove(&s->stmts, v->stmt);
		s->pool->stats.evictions++;
	}
	return 0;
}

/*
 * Record st as prepared on s.  Behind another pooler each batch gets names
 * of its own, never reused: a batch that fails skips its closing Close, and
 * the statement it leaves behind on some backend session must not collide
 * with a later Parse.
 */
static struct stmt_cached *cache_add(struct server *s, struct stmt *st)
{
	static uint64_t seq;
	struct stmt_cached *e = stmt_cache_add(&s->stmts, st);
	if (e && rt.cfg->backend_is_pooler)
		snprintf(e->alias, sizeof(e->alias), "%s_%llu", st->name,
			 (unsigned long long)++seq);
	return e;
}

/*
 * Make sure the server has st prepared, injecting a Parse whose replies
 * are swallowed if it has not.  -1 on allocation failure.
 */
static int ensure_prepared(struct server *s, struct stmt *st)
{
	struct stmt_cached *e = stmt_cache_get(&s->stmts, st);
	if (e) {
		e->used_gen = s->batch_gen;
		return 0;
	}
	if (evict_if_needed(s) < 0)
		return -1;
	struct req r = {.type = 'P', .kind = RQ_SKIP, .stmt = st, .added_cache = true};
	stmt_ref(st);
	if (server_push_req(s, &r) < 0) {
		stmt_unref(st);
		return -1;
	}
	e = cache_add(s, st);
	if (!e)
		return -1;
	send_parse(s, e->alias, st->key, st->key_len);
	e->used_gen = s->batch_gen;
	s->pool->stats.injected_parses++;
	s->pool->stats.server_parses++;
	return 0;
}

/*
 * An error PostgreSQL would raise itself at this point of the batch.  The
 * server is sent a Parse that cannot succeed, so that it too fails here
 * (skipping to Sync, rolling back an implicit transaction); its error is
 * replaced by ours on the way back.  The client's messages up to its Sync
 * are dropped.
 */
static int local_error(struct client *c, const char *sqlstate, const char *fmt, const char *name)
{
	struct server *s = c->server;
	char msg[300];
	static const uint8_t bad[] = "pgpin\0\0\0"; /* a syntax error, no parameters */

	snprintf(msg, sizeof(msg), fmt, name);
	struct req r = {.type = 'P', .kind = RQ_SKIP, .local_error = true, .error_code = sqlstate};
	r.error_msg = strdup(msg);
	if (!r.error_msg || server_push_req(s, &r) < 0) {
		free(r.error_msg);
		return -1;
	}
	send_parse(s, "pgpin_invalid", bad, sizeof(bad) - 1);
	c->skip_to_sync = true;
	return 0;
}

PGPIN_HOT static int push_forward(struct server *s, char type)
{
	struct req r = {.type = type, .kind = RQ_FORWARD};
	return server_push_req(s, &r);
}

/* Record the session state a statement creates or releases. */
PGPIN_HOT static void apply_pins(struct client *c, struct pin_class pc)
{
	uint32_t before = c->pins;
	c->pins = (c->pins & ~pc.clears) | pc.sets;
	if (c->pins && !before && rt.cfg->pin_session_state == PIN_MODE_YES) {
		c->pool->stats.pins++;
		if (!c->pin_logged) {
			log_info("client %s user=%s: pinned to its server (%s)", c->addr, c->user,
				 pin_name(c->pins));
			c->pin_logged = true;
		}
	}
}

static uint32_t refused(struct pin_class pc)
{
	return rt.cfg->pin_session_state == PIN_MODE_ERROR ? pc.sets : 0;
}

static void refusal_message(char *buf, size_t len, uint32_t flags)
{
	snprintf(buf, len,
		 "%s is not allowed under transaction pooling (pin_session_state = error)",
		 pin_name(flags));
}

/*
 * A name whose defining Parse is still in flight: whether a second Parse
 * of it is a duplicate, or a Bind of it finds it, depends on whether the
 * first succeeds.  PostgreSQL knows; pgpin waits for the answer rather than
 * guess (track_parse_done() resumes).
 */
static bool name_unsettled(struct client *c, const char *name)
{
	struct stmt_name *e = stmt_names_entry(&c->names, name);
	/* Within the Parse's own batch there is nothing to wait for: if it
	 * fails, the server skips the rest of the batch anyway.  A queued
	 * Close may still be skipped, so a new Parse of the name waits. */
	if (e && ((!e->confirmed && e->batch != c->batch_seq) || e->closing)) {
		c->stalled = true;
		return true;
	}
	return false;
}

static void resume_stalled(struct client *c)
{
	if (c->stalled) {
		c->stalled = false;
		bufferevent_trigger(c->bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
	}
}

void track_parse_done(struct client *c, const char *name, struct stmt *st, bool ok)
{
	struct stmt_name *e = stmt_names_entry(&c->names, name);
	if (e && e->stmt == st) {
		if (ok)
			e->confirmed = true;
		else
			stmt_names_remove(&c->names, name);
	}
	resume_stalled(c);
}

void track_close_done(struct client *c, const char *name, struct stmt *st, bool ok)
{
	struct stmt_name *e = stmt_names_entry(&c->names, name);
	if (e && e->stmt == st && e->closing) {
		if (ok)
			stmt_names_remove(&c->names, name);
		else
			e->closing = false;
	}
	resume_stalled(c);
}

void track_forget_all(struct server *s, bool client_too)
{
	struct client *c = s->client;

	server_forget_statements(s);
	if (client_too && c)
		stmt_names_clear(&c->names);
	/* Parses queued behind the command run after it: they stand. */
	for (uint32_t i = 0; i < s->rq_len; i++) {
		struct req *r = &s->rq[(s->rq_head + i) & (s->rq_cap - 1)];
		if (r->type != 'P' || !r->stmt)
			continue;
		if (r->kind != RQ_FAKE && r->added_cache)
			stmt_cache_add(&s->stmts, r->stmt);
		if (client_too && c && r->client_name &&
		    stmt_names_add(&c->names, r->client_name, r->stmt) == 0)
			stmt_names_entry(&c->names, r->client_name)->batch = c->batch_seq;
	}
}

/*
 * DEALLOCATE of one of the client's protocol-level names, for the server to
 * run: the statement is made present and deallocated there under its
 * server-side name (and leaves that server's cache), so the command
 * succeeds or fails just where PostgreSQL's would (25P02 in an aborted
 * transaction), and the client's name goes.  Returns the SQL, in buf.
 */
static const char *deallocate_sql(struct client *c, const char *name, char *buf, size_t len)
{
	struct server *s = c->server;
	struct stmt *st = stmt_names_get(&c->names, name);

	if (!st || ensure_prepared(s, st) < 0)
		return NULL;
	snprintf(buf, len, "DEALLOCATE \"%s\"", stmt_cache_get(&s->stmts, st)->alias);
	stmt_cache_remove(&s->stmts, st);
	stmt_names_remove(&c->names, name);
	return buf;
}

/* Parse: name\0 query\0 int16 n, n x int32 */
static int track_parse(struct client *c, uint32_t len)
{
	struct server *s = c->server;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	const uint8_t *msg = client_pullup(c, len);
	struct pkt_reader rd;

	if (!msg)
		return 0;
	pr_init(&rd, msg + 5, len - 4);
	const char *name = pr_string(&rd);
	if (rd.err) {
		client_fatal(c, "08P01", "invalid Parse message");
		return -1;
	}
	s->pool->stats.client_parses++;
	if (!*name) {
		/* The unnamed statement keeps PostgreSQL's own semantics. */
		const char *q = (const char *)msg + 5 + rd.pos;
		struct pin_class pc = pin_classify(q, strnlen(q, len - 4 - rd.pos));
		if (refused(pc)) {
			char text[200];
			refusal_message(text, sizeof(text), refused(pc));
			if (local_error(c, "0A000", "%s", text) < 0)
				goto oom;
			evbuffer_drain(in, len + 1);
			return 1;
		}
		apply_pins(c, pc);
		if (push_forward(s, 'P') < 0)
			goto oom;
		/* psycopg deallocates its statements with an unnamed Parse. */
		char dname[256], sql[320];
		const char *dsql;
		if (pin_parse_deallocate(q, strnlen(q, len - 4 - rd.pos), dname, sizeof(dname)) &&
		    (dsql = deallocate_sql(c, dname, sql, sizeof(sql)))) {
			static const uint8_t no_params[2] = {0, 0};
			uint8_t hdr[6] = {'P'};
			size_t qlen = strlen(dsql) + 1;
			proto_put_u32(hdr + 1, (uint32_t)(4 + 1 + qlen + 2));
			server_out(s, hdr, 6); /* hdr[5] = 0: the unnamed statement */
			server_out(s, dsql, qlen);
			server_out(s, no_params, 2);
			evbuffer_drain(in, len + 1);
			return 1;
		}
		evbuffer_remove_buffer(in, bufferevent_get_output(s->bev), len + 1);
		return 1;
	}
	const uint8_t *key = msg + 5 + rd.pos;
	uint32_t keylen = len - 4 - (uint32_t)rd.pos;

	if (name_unsettled(c, name))
		return 0;
	if (stmt_names_get(&c->names, name)) {
		if (s->txn_status == 'E') {
			/* In an aborted transaction PostgreSQL says so first. */
			static const uint8_t valid[] = "SELECT 1\0\0\0";
			struct req r = {.type = 'P', .kind = RQ_SKIP};
			if (server_push_req(s, &r) < 0)
				goto oom;
			send_parse(s, "pgpin_invalid", valid, sizeof(valid) - 1);
		} else if (local_error(c, "42P05", "prepared statement \"%s\" already exists",
				       name) < 0) {
			goto oom;
		}
		evbuffer_drain(in, len + 1);
		return 1;
	}
	struct stmt *st = stmt_intern(&s->pool->registry, key, keylen);
	if (!st)
		goto oom;
	if (st->pin_class < 0) {
		struct pin_class pc = pin_classify((const char *)key, strnlen((const char *)key, keylen));
		st->pin_class = (int)(pc.sets | pc.clears << 8);
	}
	if (refused((struct pin_class){(uint32_t)st->pin_class & 0xff, 0})) {
		char text[200];
		refusal_message(text, sizeof(text), (uint32_t)st->pin_class & 0xff);
		stmt_unref(st);
		if (local_error(c, "0A000", "%s", text) < 0)
			goto oom;
		evbuffer_drain(in, len + 1);
		return 1;
	}
	if (stmt_names_add(&c->names, name, st) < 0) {
		stmt_unref(st);
		goto oom;
	}
	stmt_names_entry(&c->names, name)->batch = c->batch_seq;
	struct req r = {.type = 'P', .stmt = st, .client_name = strdup(name)};
	if (!r.client_name) {
		stmt_unref(st);
		goto oom;
	}
	struct stmt_cached *e = stmt_cache_get(&s->stmts, st);
	if (e && s->txn_status == 'E') {
		/* An aborted transaction: the server must answer (25P02). */
		r.kind = RQ_FORWARD;
		if (server_push_req(s, &r) < 0)
			goto oom_req;
		send_parse(s, e->alias, key, keylen);
	} else if (e) {
		/* The server has it already: answer ParseComplete ourselves. */
		e->used_gen = s->batch_gen;
		r.kind = RQ_FAKE;
		r.fake = '1';
		s->pool->stats.cache_hits++;
		if (server_push_req(s, &r) < 0)
			goto oom_req;
	} else {
		if (evict_if_needed(s) < 0)
			goto oom_req;
		r.kind = RQ_FORWARD;
		r.added_cache = true;
		if (server_push_req(s, &r) < 0)
			goto oom_req;
		if (!(e = cache_add(s, st)))
			goto oom;
		send_parse(s, e->alias, key, keylen);
		e->used_gen = s->batch_gen;
		s->pool->stats.server_parses++;
	}
	evbuffer_drain(in, len + 1);
	return 1;
oom_req:
	stmt_unref(r.stmt);
	free(r.client_name);
oom:
	client_fatal(c, "53200", "out of memory");
	return -1;
}

/*
 * A Bind or Describe of the client's statement st on its way to s: the
 * session state st keeps applied (Bind), st made present on s (a Parse
 * injected when s lacks it), the request queued.  Returns the name s knows
 * st by, or NULL when out of memory.
 */
static const char *forward_named(struct client *c, struct server *s, char type, struct stmt *st)
{
	if (type == 'B' && st->pin_class > 0)
		apply_pins(c, (struct pin_class){(uint32_t)st->pin_class & 0xff,
						 (uint32_t)st->pin_class >> 8});
	if (ensure_prepared(s, st) < 0 || push_forward(s, type) < 0)
		return NULL;
	return stmt_cache_get(&s->stmts, st)->alias;
}

/*
 * Bind (portal\0 statement\0 ...) and Describe/Close ('S'|'P', name\0):
 * the statement name is replaced by the server-side one; anything after it
 * streams through untouched.
 */
static int track_bind_describe(struct client *c, char type, uint32_t len)
{
	struct server *s = c->server;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint32_t want = len + 1 < BIND_PREFIX_MAX || type != 'B' ? len + 1 : BIND_PREFIX_MAX;
	const uint8_t *msg;
	struct pkt_reader rd;
	const char *portal = NULL;
	char kind = 0;

	if (evbuffer_get_length(in) < want) {
		client_expect_message(c, want);
		return 0;
	}
	msg = evbuffer_pullup(in, want);
	pr_init(&rd, msg + 5, want - 5);
	if (type == 'B')
		portal = pr_string(&rd);
	else
		kind = (char)pr_byte(&rd);
	const char *name = pr_string(&rd);
	if (rd.err && want < len + 1) {
		/* Names longer than the prefix: read the whole message. */
		if (!(msg = client_pullup(c, len)))
			return 0;
		pr_init(&rd, msg + 5, len - 4);
		portal = pr_string(&rd);
		name = pr_string(&rd);
	}
	if (rd.err || (type != 'B' && kind != 'S' && kind != 'P')) {
		client_fatal(c, "08P01", type == 'B' ? "invalid Bind message" : "invalid message format");
		return -1;
	}
	size_t prefix = 5 + rd.pos; /* header and the names */

	if (type == 'B')
		s->pool->stats.binds++;
	if (kind == 'P' || !*name) {
		/* Portals and the unnamed statement pass through. */
		if (push_forward(s, type) < 0)
			goto oom;
		c->fwd_remaining = len + 1;
		return 1;
	}
	if (type == 'C') {
		/* Close of a statement: the client forgets the name, the server
		 * keeps it for others.  CloseComplete even for unknown names,
		 * as PostgreSQL answers. */
		struct req r = {.type = 'C', .kind = RQ_FAKE, .fake = '3'};
		struct stmt_name *e = stmt_names_entry(&c->names, name);
		if (e && !e->closing) {
			/* The name goes when the CloseComplete is due, not
			 * before: an error earlier in the batch skips the Close. */
			e->closing = true;
			r.stmt = e->stmt;
			stmt_ref(r.stmt);
			if (!(r.client_name = strdup(name))) {
				stmt_unref(r.stmt);
				goto oom;
			}
		}
		if (server_push_req(s, &r) < 0) {
			stmt_unref(r.stmt);
			free(r.client_name);
			goto oom;
		}
		evbuffer_drain(in, len + 1);
		return 1;
	}

	if (name_unsettled(c, name) && !stmt_names_entry(&c->names, name)->closing)
		return 0;
	c->stalled = false;
	struct stmt_name *ne = stmt_names_entry(&c->names, name);
	struct stmt *st = ne && !ne->closing ? ne->stmt : NULL;
	if (!st) {
		if (local_error(c, "26000", "prepared statement \"%s\" does not exist", name) < 0)
			goto oom;
		c->fwd_remaining = len + 1;
		c->fwd_drop = true;
		return 1;
	}
	const char *alias = forward_named(c, s, type, st);
	if (!alias)
		goto oom;

	/* Re-emit the head with the server-side name, then stream the rest. */
	struct pkt p;
	pkt_init(&p);
	pkt_begin(&p, type);
	if (type == 'B')
		pkt_string(&p, portal);
	else
		pkt_byte(&p, (uint8_t)kind);
	pkt_string(&p, alias);
	size_t rest = (size_t)len + 1 - prefix;
	if (p.oom) {
		pkt_free(&p);
		goto oom;
	}
	proto_put_u32(p.data + 1, (uint32_t)(p.len - 1 + rest));
	server_out(s, p.data, p.len);
	pkt_free(&p);
	evbuffer_drain(in, prefix);
	c->fwd_remaining = (uint32_t)rest;
	return 1;
oom:
	client_fatal(c, "53200", "out of memory");
	return -1;
}

PGPIN_HOT bool track_query_plain(const struct client *c)
{
	return !c->names.count && rt.cfg->pin_session_state != PIN_MODE_ERROR;
}

PGPIN_HOT void track_query_pins(struct client *c, const char *sql, size_t sqllen)
{
	apply_pins(c, pin_classify(sql, sqllen));
}

int track_query(struct client *c, uint32_t len)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct server *s = c->server;
	const uint8_t *msg = client_pullup(c, len);
	char name[256];
	char text[200];

	if (!msg)
		return 0;
	const char *sql = (const char *)msg + 5;
	size_t sqllen = len - 4;

	/* pgx v4 deallocates its own statements by name in SQL (a client
	 * that has named none has nothing to look for). */
	bool dealloc_mine = c->names.count &&
			    pin_parse_deallocate(sql, sqllen, name, sizeof(name)) &&
			    stmt_names_get(&c->names, name);
	if (dealloc_mine && s && (server_busy(s) || s->txn_status == 'E')) {
		/* Replies still due, or an aborted transaction: the server
		 * must answer it, in its turn. */
		char rewritten[320];
		const char *dsql = deallocate_sql(c, name, rewritten, sizeof(rewritten));
		if (dsql) {
			uint8_t hdr[5] = {'Q'};
			size_t qlen = strlen(dsql) + 1;
			struct req r = {.type = 'Q', .kind = RQ_FORWARD};
			if (server_push_req(s, &r) < 0) {
				client_fatal(c, "53200", "out of memory");
				return -1;
			}
			proto_put_u32(hdr + 1, (uint32_t)(4 + qlen));
			server_out(s, hdr, 5);
			server_out(s, dsql, qlen);
			evbuffer_drain(in, len + 1);
			return 1;
		}
	}
	if (dealloc_mine && (!s || !server_busy(s))) {
		stmt_names_remove(&c->names, name);
		evbuffer_drain(in, len + 1);
		static const uint8_t done[] = {'C', 0, 0, 0, 15, 'D', 'E', 'A', 'L', 'L', 'O',
					       'C', 'A', 'T', 'E', 0};
		client_out(c, done, sizeof(done));
		uint8_t ready[6] = {'Z', 0, 0, 0, 5, s ? (uint8_t)s->txn_status : 'I'};
		client_out(c, ready, sizeof(ready));
		if (s)
			client_server_ready(c);
		return 1;
	}

	/* Without a server only a refusal can be answered here; the rest
	 * waits for the server, and is classified once, then. */
	if (!s && rt.cfg->pin_session_state != PIN_MODE_ERROR)
		return 2;
	struct pin_class pc = pin_classify(sql, sqllen);
	uint32_t bad = refused(pc);
	if (bad) {
		refusal_message(text, sizeof(text), bad);
		if (!s) {
			/* Nothing runs: the error and ReadyForQuery, as PostgreSQL
			 * would send them outside a transaction. */
			local_error_unlinked(c, "0A000", "%s", text);
			c->skip_to_sync = false;
			evbuffer_drain(in, len + 1);
			static const uint8_t ready[6] = {'Z', 0, 0, 0, 5, 'I'};
			client_out(c, ready, sizeof(ready));
			return 1;
		}
		/* Inside a transaction the server must fail too. */
		static const char failing[] = "SELECT pgpin_statement_refused";
		struct req r = {.type = 'Q', .kind = RQ_FORWARD, .local_error = true,
				.error_code = "0A000"};
		if (!(r.error_msg = strdup(text)) || server_push_req(s, &r) < 0) {
			free(r.error_msg);
			client_fatal(c, "53200", "out of memory");
			return -1;
		}
		uint8_t hdr[5] = {'Q'};
		proto_put_u32(hdr + 1, (uint32_t)(4 + sizeof(failing)));
		server_out(s, hdr, 5);
		server_out(s, failing, sizeof(failing));
		evbuffer_drain(in, len + 1);
		return 1;
	}
	if (!s)
		return 2;
	apply_pins(c, pc);
	return 3;
}

int track_end_batch(struct client *c)
{
	struct server *s = c->server;
	struct stmt_cached *e;

	c->batch_seq++;
	if (!rt.cfg->backend_is_pooler || !track_enabled(c))
		return 0;
	TAILQ_FOREACH(e, &s->stmts.lru, lru) {
		struct req r = {.type = 'C', .kind = RQ_SKIP};
		if (server_push_req(s, &r) < 0)
			return -1;
		send_close_stmt(s, e->alias);
	}
	stmt_cache_clear(&s->stmts);
	return 0;
}

int track_message(struct client *c, char type, uint32_t len)
{
	switch (type) {
	case 'P':
		return track_parse(c, len);
	case 'B':
	case 'D':
	case 'C':
		return track_bind_describe(c, type, len);
	default:
		return -1;
	}
}

static void client_out(struct client *c, const void *data, size_t n)
{
	evbuffer_add(bufferevent_get_output(c->bev), data, n);
}

static void local_reply(struct client *c, char type)
{
	uint8_t msg[5] = {(uint8_t)type, 0, 0, 0, 4};
	client_out(c, msg, sizeof(msg));
}

/* An error raised with no server: nothing ran, so nothing to roll back. */
static void local_error_unlinked(struct client *c, const char *sqlstate, const char *fmt,
				 const char *name)
{
	char msg[300];
	struct pkt p;

	snprintf(msg, sizeof(msg), fmt, name);
	pkt_init(&p);
	proto_build_error(&p, "ERROR", sqlstate, msg, NULL, NULL);
	if (!p.oom)
		client_out(c, p.data, p.len);
	pkt_free(&p);
	c->skip_to_sync = true;
}

int track_unlinked(struct client *c, char type, uint32_t len)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	const uint8_t *msg;
	struct pkt_reader rd;

	switch (type) {
	case 'S':
		/* No server since the last Sync: no transaction is open. */
		evbuffer_drain(in, len + 1);
		c->in_batch = false;
		c->skip_to_sync = false;
		static const uint8_t ready[6] = {'Z', 0, 0, 0, 5, 'I'};
		client_out(c, ready, sizeof(ready));
		return 1;
	case 'H':
		evbuffer_drain(in, len + 1);
		c->in_batch = true;
		return 1;
	case 'Q':
		/* Nothing to answer without a server unless the client has
		 * statements to deallocate or a refusal is due: the query
		 * waits, and is looked at once, when a server is linked. */
		if (track_query_plain(c))
			return 2;
		return track_query(c, len);
	case 'P':
	case 'B':
	case 'D':
	case 'C':
		break;
	default:
		return 2;
	}

	if (len > 64 * 1024 && type != 'P')
		return 2; /* a big Bind: let the linked path stream it */
	if (!(msg = client_pullup(c, len)))
		return 0;
	pr_init(&rd, msg + 5, len - 4);
	if (type == 'B')
		pr_string(&rd); /* portal */
	char kind = type == 'D' || type == 'C' ? (char)pr_byte(&rd) : 'S';
	const char *name = pr_string(&rd);
	if (rd.err || kind != 'S' || !*name)
		return 2; /* portals, the unnamed statement, malformed: for the server */

	c->in_batch = true;
	switch (type) {
	case 'P': {
		struct stmt *st = stmt_names_get(&c->names, name);
		if (st) {
			local_error_unlinked(c, "42P05", "prepared statement \"%s\" already exists",
					     name);
			break;
		}
		st = stmt_find(&c->pool->registry, msg + 5 + rd.pos, len - 4 - (uint32_t)rd.pos);
		if (!st || !st->validated)
			return 2; /* never parsed by a server yet: a server must check it */
		if (stmt_names_add(&c->names, name, st) < 0) {
			client_fatal(c, "53200", "out of memory");
			return -1;
		}
		stmt_names_entry(&c->names, name)->confirmed = true;
		c->pool->stats.client_parses++;
		c->pool->stats.cache_hits++;
		local_reply(c, '1');
		break;
	}
	case 'C':
		/* CloseComplete even for unknown names, as PostgreSQL answers. */
		stmt_names_remove(&c->names, name);
		local_reply(c, '3');
		break;
	default: /* Bind, Describe */
		if (stmt_names_get(&c->names, name))
			return 2;
		local_error_unlinked(c, "26000", "prepared statement \"%s\" does not exist", name);
		break;
	}
	evbuffer_drain(in, len + 1);
	return 1;
}

/* ------------------------------------------------------ whole batches */

PGPIN_HOT bool track_batch_plan(struct client *c, const uint8_t *data, size_t len, struct track_batch *b)
{
	bool track = track_enabled(c);
	size_t off = 0;

	/* Behind another pooler a Sync closes statements first (track_end_batch()). */
	if (track && rt.cfg->backend_is_pooler)
		return false;
	b->n = 0;
	b->len = len;
	b->out_len = len;
	b->rewrite = false;
	while (off < len) {
		if (b->n == TRACK_BATCH_MAX || len - off < 5)
			return false;
		const uint8_t *msg = data + off;
		char type = (char)msg[0];
		uint32_t mlen = proto_get_u32(msg + 1);
		if (mlen < 4 || mlen > rt.cfg->max_packet_size || mlen > len - off - 1)
			return false;
		struct track_batch_msg *m = &b->m[b->n++];
		*m = (struct track_batch_msg){.type = type, .off = (uint32_t)off, .len = mlen};
		off += (size_t)mlen + 1;
		if (type == 'S')
			return off == len;
		if (type != 'P' && type != 'B' && type != 'D' && type != 'E')
			return false;
		if (!track || type == 'E')
			continue;

		struct pkt_reader rd;
		pr_init(&rd, msg + 5, mlen - 4);
		if (type == 'P') {
			/* The unnamed statement only: a name is recorded, and may
			 * have to wait for an earlier Parse's answer. */
			const char *name = pr_string(&rd);
			if (rd.err || *name)
				return false;
			const char *q = (const char *)msg + 5 + rd.pos;
			size_t qlen = strnlen(q, mlen - 4 - rd.pos);
			struct pin_class pc = pin_classify(q, qlen);
			char dname[256];
			if (refused(pc) || (c->names.count &&
					    pin_parse_deallocate(q, qlen, dname, sizeof(dname)) &&
					    stmt_names_get(&c->names, dname)))
				return false;
			m->sets = pc.sets;
			m->clears = pc.clears;
			continue;
		}
		char kind = 0;
		if (type == 'B')
			pr_string(&rd); /* the portal */
		else
			kind = (char)pr_byte(&rd);
		const char *name = pr_string(&rd);
		if (rd.err || (type == 'D' && kind != 'S' && kind != 'P'))
			return false;
		if (kind == 'P' || !*name)
			continue;
		/* A name known and settled (name_unsettled()), not being closed. */
		struct stmt_name *e = stmt_names_entry(&c->names, name);
		if (!e || e->closing || (!e->confirmed && e->batch != c->batch_seq))
			return false;
		m->st = e->stmt;
		m->head = (uint32_t)(5 + rd.pos);
		b->rewrite = true;
		b->out_len = b->out_len - strlen(name) + strlen(e->stmt->name);
	}
	return false; /* no Sync */
}

/* The output of a batch that renames statements is gathered here, and
 * moved to the server's output buffer only when it does not fit, or
 * before a Parse pgpin injects. */
#define BATCH_OUT_MAX 16384

struct batch_out {
	struct evbuffer *sout;
	size_t used;
	uint8_t buf[BATCH_OUT_MAX];
};

static void batch_spill(struct batch_out *o)
{
	evbuffer_add(o->sout, o->buf, o->used);
	o->used = 0;
}

static void batch_emit(struct batch_out *o, const void *data, size_t n)
{
	if (o->used + n > sizeof(o->buf)) {
		batch_spill(o);
		if (n > sizeof(o->buf)) {
			evbuffer_add(o->sout, data, n);
			return;
		}
	}
	memcpy(o->buf + o->used, data, n);
	o->used += n;
}

PGPIN_HOT int track_batch_send(struct client *c, const uint8_t *data, const struct track_batch *b)
{
	static struct batch_out o;
	struct server *s = c->server;
	bool track = track_enabled(c);

	o.sout = bufferevent_get_output(s->bev);
	o.used = 0;
	for (int i = 0; i < b->n; i++) {
		const struct track_batch_msg *m = &b->m[i];
		const uint8_t *msg = data + m->off;

		switch (m->type) {
		case 'S':
			s->pool->stats.queries++;
			c->in_batch = false;
			c->batch_seq++;
			break;
		case 'P':
			c->in_batch = true;
			if (track) {
				s->pool->stats.client_parses++;
				apply_pins(c, (struct pin_class){m->sets, m->clears});
			}
			break;
		case 'B':
			c->in_batch = true;
			if (track)
				s->pool->stats.binds++;
			break;
		default:
			c->in_batch = true;
			break;
		}
		if (!m->head) {
			if (push_forward(s, m->type) < 0)
				goto oom;
			if (b->rewrite)
				batch_emit(&o, msg, (size_t)m->len + 1);
			continue;
		}

		/* A named statement: made present on this server, then called
		 * by its server-side name, as track_bind_describe() does. */
		if (!stmt_cache_get(&s->stmts, m->st))
			batch_spill(&o); /* the Parse injected for it goes right before it */
		const char *name = forward_named(c, s, m->type, m->st);
		if (!name)
			goto oom;
		/* Type, length, the portal (B) or the kind (D), the new name. */
		size_t pre = m->type == 'B' ? strlen((const char *)msg + 5) + 1 : 1;
		size_t alias = strlen(name) + 1;
		uint8_t hdr[5] = {(uint8_t)m->type};
		proto_put_u32(hdr + 1, (uint32_t)(m->len - (m->head - 5 - pre) + alias));
		batch_emit(&o, hdr, 5);
		batch_emit(&o, msg + 5, pre);
		batch_emit(&o, name, alias);
		batch_emit(&o, msg + m->head, (size_t)m->len + 1 - m->head);
	}
	c->skip_to_sync = false;
	s->pool->stats.bytes_in += b->out_len;
	int fd = s->reader ? net_reader_fd(s->reader) : -1;
	if (b->rewrite)
		net_write(s->bev, fd, o.buf, o.used);
	else
		net_write(s->bev, fd, data, b->len);
	return 0;
oom:
	client_fatal(c, "53200", "out of memory");
	return -1;
}
