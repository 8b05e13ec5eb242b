/*
 * server.c - a connection from pgpin to a backend server.
 *
 * Life of a server:
 *
 *   SV_CONNECTING --connected--> SV_LOGIN --ReadyForQuery--> SV_IDLE
 *        |                          |                          ^  |
 *        +------ failure -----------+                 release  |  | link
 *                  |                                           |  v
 *                  v                                        SV_ACTIVE
 *              SV_CLOSED <------------- error, EOF, timeout ------+
 *
 * In SV_ACTIVE the server relays to its linked client, runs internal
 * queries (reset, rollback, health check, session parameters), or both.
 * A server answers in order, so a queue of outstanding requests (struct
 * req) says whom each reply is for: the client (FORWARD), nobody (SKIP,
 * INTERNAL: what pgpin sent itself), or a reply pgpin makes up in its turn
 * (FAKE).  doc/statements.md tells the whole story.
 *
 * Relaying is streamed: a message is never held whole unless pgpin must
 * read it (ReadyForQuery, ParameterStatus, login messages, errors of
 * internal queries).  Everything else moves between evbuffers in chunks,
 * so results of any size pass through in bounded memory.
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "client.h"
#include "config.h"
#include "hot.h"
#include "log.h"
#include "net.h"
#include "pool.h"
#include "proto.h"
#include "runtime.h"
#include "scram.h"
#include "tls.h"
#include "track.h"

/* Relay buffering bounds: stop reading one side while the other side's
 * output holds more than this. */
#define RELAY_HIGH_WATER (256 * 1024)
/* Messages pgpin reads whole from a server must fit in this. */
#define SERVER_MAX_INSPECT (RELAY_HIGH_WATER / 2)

static void server_read_cb(struct bufferevent *bev, void *arg);
static void server_write_cb(struct bufferevent *bev, void *arg);
static void server_event_cb(struct bufferevent *bev, short events, void *arg);
static void req_pop(struct server *s);
static void cancels_forget(struct server *s);
static bool server_retry_login(struct server *s, const char *why);
static void server_bev_setup(struct server *s);

static void server_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	while (s->rq_len)
		req_pop(s);
	free(s->rq);
	stmt_cache_clear(&s->stmts);
	params_free(&s->params);
	params_free(&s->base_params);
	free(s);
}

struct server *server_connect(struct pool *p, int attempt)
{
	struct server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pool = p;
	s->attempt = attempt;
	s->host = p->target.hosts[attempt % p->target.n_hosts].host;
	s->port = p->target.hosts[attempt % p->target.n_hosts].port;
	s->state = SV_CONNECTING;
	s->txn_status = 'I';
	s->created = s->last_used = s->login_started = rt_now();
	params_init(&s->params);
	params_init(&s->base_params);
	stmt_cache_init(&s->stmts);
	snprintf(s->addr, sizeof(s->addr), "%s:%d", s->host, s->port);

	s->bev = bufferevent_socket_new(rt.base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!s->bev) {
		free(s);
		return NULL;
	}
	server_bev_setup(s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);

	TAILQ_INSERT_TAIL(&p->pending, s, link);
	p->n_servers++;
	p->last_connect_attempt = s->created;
	log_debug("server %s: connecting", s->addr);
	if (net_connect(s->bev, s->host, s->port) < 0) {
		/* The event callback may already have run (a synchronous DNS
		 * failure); only report if it did not. */
		if (s->state != SV_CLOSED) {
			pool_server_login_failed(s, "08006", "could not start a connection", true);
			server_close(s, "connect failed");
		}
		return NULL;
	}
	return s;
}

void server_close(struct server *s, const char *reason)
{
	if (s->state == SV_CLOSED)
		return;
	bool was_pending = s->state == SV_CONNECTING || s->state == SV_LOGIN;
	log_info("server %s pid %u: closed (%s)", s->addr, s->be_pid, reason);

	struct client *c = s->client;
	if (c) {
		s->client = NULL;
		c->server = NULL;
		char msg[256];
		snprintf(msg, sizeof(msg), "server connection lost: %s", reason);
		client_fatal(c, "08006", msg);
	}
	if (!was_pending && server_busy(s)) {
		server_send_cancel(s); /* do not leave a query running */
	} else if (!was_pending) {
		/* Say goodbye, so the server does not log an unexpected EOF. */
		static const uint8_t terminate[5] = {'X', 0, 0, 0, 4};
		net_flush(s->bev);
		net_send_last(s->bev, terminate, sizeof(terminate)); /* encrypted if TLS */
	}
	cancels_forget(s);
	pool_server_gone(s); /* uses s->state to find its list */
	s->state = SV_CLOSED;
	net_reader_free(s->reader);
	s->reader = NULL;
	net_free(s->bev);
	s->bev = NULL;
	scram_client_free(s->scram);
	s->scram = NULL;
	struct timeval now = {0, 0};
	event_base_once(rt.base, -1, EV_TIMEOUT, server_free_cb, s, &now);
}

/* ---------------------------------------------------------- sending */

static void server_send_pkt(struct server *s, struct pkt *p)
{
	if (p->oom) {
		server_close(s, "out of memory");
		return;
	}
	bufferevent_write(s->bev, p->data, p->len);
	net_flush(s->bev);
}

static void server_send_query(struct server *s, const char *sql, enum req_kind kind)
{
	struct pkt p;
	struct req r = {.type = 'Q', .kind = (uint8_t)kind};

	if (server_push_req(s, &r) < 0) {
		server_close(s, "out of memory");
		return;
	}
	pkt_init(&p);
	proto_build_query(&p, sql);
	server_send_pkt(s, &p);
	pkt_free(&p);
}

void server_send_internal(struct server *s, const char *sql)
{
	server_send_query(s, sql, RQ_INTERNAL);
}

void server_send_check(struct server *s, const char *sql)
{
	server_send_query(s, sql, RQ_CHECK);
}

void server_check(struct server *s)
{
	s->checking = true;
	server_send_internal(s, rt.cfg->server_check_query);
}

static void server_send_startup(struct server *s)
{
	const struct target *t = &s->pool->target;
	struct startup_param params[4];
	int n = 0;
	struct pkt p;

	params[n++] = (struct startup_param){"user", t->user};
	params[n++] = (struct startup_param){"database", t->dbname};
	if (t->application_name)
		params[n++] = (struct startup_param){"application_name", t->application_name};
	if (t->options)
		params[n++] = (struct startup_param){"options", t->options};
	pkt_init(&p);
	proto_build_startup(&p, params, n);
	server_send_pkt(s, &p);
	pkt_free(&p);
}

/* ---------------------------------------------------------- cancel */

/* SSLRequest: length 8, code 80877103. */
static const uint8_t ssl_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};

struct cancel_conn {
	LIST_ENTRY(cancel_conn) link;
	struct server *server;	/* held from other clients until the end, or NULL */
	struct bufferevent *bev;
	SSL *ssl;		/* the server uses TLS: used once it answers 'S' */
	uint8_t request[16];	/* the CancelRequest */
	char addr[128];
};

/* Cancel connections in flight, so that an exit frees them too. */
static LIST_HEAD(, cancel_conn) cancels = LIST_HEAD_INITIALIZER(cancels);

static void cancel_event_cb(struct bufferevent *bev, short events, void *arg);
static void cancel_send(struct server *s, bool hold);

static void cancel_free(struct cancel_conn *cc)
{
	struct server *s = cc->server;

	LIST_REMOVE(cc, link);
	net_free(cc->bev);
	SSL_free(cc->ssl);
	free(cc);
	/* PostgreSQL has signalled the backend (or the request failed): the
	 * server may serve another client. */
	if (s && --s->cancels_in_flight == 0)
		pool_server_available(s);
}

/* A server going away: its cancels in flight no longer hold it. */
static void cancels_forget(struct server *s)
{
	struct cancel_conn *cc;
	LIST_FOREACH(cc, &cancels, link)
		if (cc->server == s)
			cc->server = NULL;
	s->cancels_in_flight = 0;
}

static void cancel_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct cancel_conn *cc = arg;

	if (events & BEV_EVENT_CONNECTED) {
		/* TCP connected (the request, or SSLRequest, is queued), or the
		 * TLS handshake done: the request goes over it. */
		if (net_is_tls(bev))
			bufferevent_write(bev, cc->request, sizeof(cc->request));
		return;
	}
	if (net_is_tls(bev) && (events & BEV_EVENT_ERROR)) {
		char why[256];
		unsigned long e = bufferevent_get_openssl_error(bev);
		tls_error_string(net_ssl(bev), e, why, sizeof(why));
		log_warning("server %s: cancel request not sent: TLS failed: %s", cc->addr, why);
	}
	/* The server closes the connection once it has read the request. */
	cancel_free(arg);
}

/* The server's answer to the SSLRequest of a cancel connection. */
static void cancel_read_cb(struct bufferevent *bev, void *arg)
{
	struct cancel_conn *cc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t answer;

	if (!cc->ssl || evbuffer_remove(in, &answer, 1) != 1)
		return;
	if (answer != 'S' || evbuffer_get_length(in) > 0) {
		log_warning("server %s: cancel request not sent: the server %s", cc->addr,
			    answer == 'S' ? "sent unencrypted data after its SSL response"
					  : "refused TLS for it");
		cancel_free(cc);
		return;
	}
	SSL *ssl = cc->ssl;
	cc->ssl = NULL;
	struct bufferevent *tls = net_start_tls(bev, ssl, false);
	if (!tls) {
		log_warning("server %s: cancel request not sent: could not start TLS", cc->addr);
		cancel_free(cc);
		return;
	}
	cc->bev = tls;
	bufferevent_setcb(tls, NULL, NULL, cancel_event_cb, cc);
	struct timeval tv = {10, 0};
	bufferevent_set_timeouts(tls, &tv, &tv);
}

bool server_cancels_pending(void)
{
	return !LIST_EMPTY(&cancels);
}

void server_cancels_free(void)
{
	while (!LIST_EMPTY(&cancels))
		cancel_free(LIST_FIRST(&cancels));
}

void server_send_cancel(struct server *s)
{
	cancel_send(s, false);
}

void server_send_client_cancel(struct server *s)
{
	cancel_send(s, true);
}

/* Start a cancel connection for s's query; hold: keep s from other
 * clients until it ends (cancels_in_flight). */
static void cancel_send(struct server *s, bool hold)
{
	struct cancel_conn *cc;
	struct pkt p;

	if (!s->be_pid || !(cc = calloc(1, sizeof(*cc))))
		return;
	cc->bev = bufferevent_socket_new(rt.base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!cc->bev) {
		free(cc);
		return;
	}
	LIST_INSERT_HEAD(&cancels, cc, link);
	snprintf(cc->addr, sizeof(cc->addr), "%s", s->addr);
	pkt_init(&p);
	proto_build_cancel(&p, s->be_pid, s->be_key);
	if (p.oom || p.len != sizeof(cc->request)) {
		pkt_free(&p);
		cancel_free(cc);
		return;
	}
	memcpy(cc->request, p.data, sizeof(cc->request));
	pkt_free(&p);
	/* A server we speak TLS with gets its cancel over TLS too: SSLRequest,
	 * handshake, then the request (PostgreSQL accepts that order). */
	if (s->tls == STLS_ON) {
		char err[256];
		if (!(cc->ssl = tls_backend_new(&s->pool->target, s->host, err, sizeof(err)))) {
			log_warning("server %s: cancel request not sent: %s", s->addr, err);
			cancel_free(cc);
			return;
		}
	}
	bufferevent_setcb(cc->bev, cc->ssl ? cancel_read_cb : NULL, NULL, cancel_event_cb, cc);
	struct timeval tv = {10, 0};
	bufferevent_set_timeouts(cc->bev, &tv, &tv);
	bufferevent_enable(cc->bev, EV_READ | EV_WRITE);
	if (cc->ssl)
		bufferevent_write(cc->bev, ssl_request, sizeof(ssl_request));
	else
		bufferevent_write(cc->bev, cc->request, sizeof(cc->request));
	log_debug("server %s pid %u: sending cancel request%s", s->addr, s->be_pid,
		  cc->ssl ? " over TLS" : "");
	if (hold) {
		cc->server = s;
		s->cancels_in_flight++;
	}
	/* On failure cancel_event_cb has run, or runs, and frees cc. */
	(void)net_connect(cc->bev, s->host, s->port);
}

/* ---------------------------------------------------------- login */

static void server_login_error(struct server *s, const char *sqlstate, const char *msg,
			       bool retryable)
{
	log_warning("server %s: login failed: %s", s->addr, msg);
	pool_server_login_failed(s, sqlstate, msg, retryable);
	server_close(s, "login failed");
}

static void server_handle_auth(struct server *s, struct pkt_reader *r)
{
	const struct target *t = &s->pool->target;
	int32_t code = pr_int32(r);
	struct pkt p;
	char err[256];

	if (r->err) {
		server_login_error(s, "08P01", "malformed authentication request from server", false);
		return;
	}
	if (code == AUTH_REQ_OK)
		return;
	if (code != AUTH_REQ_SASL_FIN && !t->password) {
		server_login_error(s, "28P01",
				   "server requested a password, but no password is configured "
				   "for this backend (endpoint, auth file or password file)",
				   false);
		return;
	}
	pkt_init(&p);
	switch (code) {
	case AUTH_REQ_PASSWORD:
		proto_build_password(&p, t->password);
		break;
	case AUTH_REQ_MD5: {
		const uint8_t *salt = pr_bytes(r, 4);
		char hash[36], salted[36];
		if (!salt) {
			pkt_free(&p);
			server_login_error(s, "08P01", "malformed MD5 request from server", false);
			return;
		}
		pg_md5_hash(t->password, t->user, hash);
		pg_md5_salted(hash, salt, salted);
		proto_build_password(&p, salted);
		break;
	}
	case AUTH_REQ_SASL: {
		bool have_scram = false;
		for (;;) {
			const char *mech = pr_string(r);
			if (r->err || !*mech)
				break;
			if (strcmp(mech, SCRAM_MECHANISM) == 0)
				have_scram = true;
		}
		if (!have_scram) {
			pkt_free(&p);
			server_login_error(s, "28000", "server offers no SASL mechanism pgpin supports",
					   false);
			return;
		}
		scram_client_free(s->scram);
		s->scram = scram_client_new(t->password);
		char *first = s->scram ? scram_client_first(s->scram) : NULL;
		if (!first) {
			pkt_free(&p);
			server_login_error(s, "53200", "out of memory", true);
			return;
		}
		proto_build_sasl_initial(&p, SCRAM_MECHANISM, first, strlen(first));
		free(first);
		break;
	}
	case AUTH_REQ_SASL_CONT: {
		size_t n = pr_remaining(r);
		const uint8_t *data = pr_bytes(r, n);
		char *final = s->scram ? scram_client_final(s->scram, (const char *)data, n, err,
							    sizeof(err))
				       : NULL;
		if (!final) {
			pkt_free(&p);
			server_login_error(s, "28000", s->scram ? err : "unexpected SASL message",
					   false);
			return;
		}
		proto_build_sasl_response(&p, final, strlen(final));
		free(final);
		break;
	}
	case AUTH_REQ_SASL_FIN: {
		size_t n = pr_remaining(r);
		const uint8_t *data = pr_bytes(r, n);
		pkt_free(&p);
		if (!s->scram) {
			server_login_error(s, "08P01", "unexpected SASL final message from server",
					   false);
			return;
		}
		if (scram_client_verify(s->scram, (const char *)data, n, err, sizeof(err)) < 0) {
			char msg[320];
			snprintf(msg, sizeof(msg), "SCRAM authentication with the server failed: %s",
				 err);
			server_login_error(s, "28000", msg, false);
			return;
		}
		scram_client_free(s->scram);
		s->scram = NULL;
		return;
	}
	default:
		pkt_free(&p);
		snprintf(err, sizeof(err), "server requested unsupported authentication method %d",
			 code);
		server_login_error(s, "28000", err, false);
		return;
	}
	server_send_pkt(s, &p);
	pkt_free(&p);
}

/* One whole message during login.  type/body/len: the message. */
static void server_login_msg(struct server *s, char type, const uint8_t *body, size_t len)
{
	struct pkt_reader r;
	pr_init(&r, body, len);

	switch (type) {
	case 'R':
		server_handle_auth(s, &r);
		break;
	case 'S': {
		const char *name = pr_string(&r);
		const char *value = pr_string(&r);
		if (!r.err) {
			params_set(&s->params, name, value);
			params_set(&s->base_params, name, value);
		}
		break;
	}
	case 'K':
		s->be_pid = (uint32_t)pr_int32(&r);
		s->be_key = (uint32_t)pr_int32(&r);
		break;
	case 'E': {
		struct error_fields ef;
		char msg[512];
		if (proto_parse_error(body, len, &ef) < 0 || !ef.sqlstate) {
			server_login_error(s, "08P01", "malformed error from server", false);
			break;
		}
		snprintf(msg, sizeof(msg), "%s", ef.message ? ef.message : "login failed");
		if (server_retry_login(s, msg))
			break;
		/* Starting up, shutting down, too many connections: try again later. */
		bool retry = strcmp(ef.sqlstate, "57P03") == 0 || strcmp(ef.sqlstate, "53300") == 0 ||
			     strcmp(ef.sqlstate, "57P01") == 0;
		server_login_error(s, ef.sqlstate, msg, retry);
		break;
	}
	case 'Z':
		if (len != 1) {
			server_login_error(s, "08P01", "malformed ReadyForQuery from server", false);
			break;
		}
		s->txn_status = body[0];
		s->state = SV_ACTIVE; /* pool_server_logged_in files it */
		s->last_used = rt_now();
		log_info("server %s pid %u: logged in", s->addr, s->be_pid);
		pool_server_logged_in(s);
		break;
	case 'N':
	case 'v':
		break;
	default:
		server_login_error(s, "08P01", "unexpected message from server during login", false);
		break;
	}
}

/* ---------------------------------------------------------- requests */

static void req_release(struct req *r)
{
	stmt_unref(r->stmt);
	/* Both are NULL for nearly every request: tested, which keeps libc's
	 * free() off the per-transaction path (hot.h). */
	if (r->client_name)
		free(r->client_name);
	if (r->error_msg)
		free(r->error_msg);
	memset(r, 0, sizeof(*r));
}

PGPIN_HOT static struct req *req_front(struct server *s)
{
	return s->rq_len ? &s->rq[s->rq_head] : NULL;
}

static struct req *req_at(struct server *s, uint32_t i)
{
	return &s->rq[(s->rq_head + i) & (s->rq_cap - 1)];
}

PGPIN_HOT static void req_pop(struct server *s)
{
	struct req *r = req_front(s);
	if (r->kind == RQ_INTERNAL)
		s->n_internal--;
	req_release(r);
	s->rq_head = (s->rq_head + 1) & (s->rq_cap - 1);
	s->rq_len--;
}

/* Answer the FAKE requests at the front of the queue: their turn has come. */
PGPIN_HOT static void server_answer_fakes(struct server *s)
{
	struct req *r;
	while ((r = req_front(s)) && r->kind == RQ_FAKE) {
		if (s->client) {
			uint8_t msg[5] = {(uint8_t)r->fake, 0, 0, 0, 4};
			evbuffer_add(bufferevent_get_output(s->client->bev), msg, sizeof(msg));
			if (r->client_name && r->type == 'P')
				track_parse_done(s->client, r->client_name, r->stmt, true);
			else if (r->client_name && r->type == 'C')
				track_close_done(s->client, r->client_name, r->stmt, true);
		}
		req_pop(s);
	}
}

PGPIN_HOT int server_push_req(struct server *s, const struct req *r)
{
	if (s->rq_len == s->rq_cap) {
		uint32_t cap = s->rq_cap ? s->rq_cap * 2 : 16;
		struct req *q = malloc(cap * sizeof(*q));
		if (!q)
			return -1;
		for (uint32_t i = 0; i < s->rq_len; i++)
			q[i] = *req_at(s, i);
		free(s->rq);
		s->rq = q;
		s->rq_cap = cap;
		s->rq_head = 0;
	}
	*req_at(s, s->rq_len) = *r;
	s->rq_len++;
	if (r->kind == RQ_INTERNAL)
		s->n_internal++;
	/* Its turn has come, unless the reply to the request before it is still
	 * being relayed: then it is answered when that message is through. */
	if (r->kind == RQ_FAKE && s->rq_len == 1 && !s->fakes_after_msg)
		server_answer_fakes(s);
	return 0;
}

void server_forget_statements(struct server *s)
{
	stmt_cache_clear(&s->stmts);
}

/*
 * A request the server failed, or skipped after an earlier failure: take
 * back what pgpin assumed when it sent it.
 */
static void req_undo(struct server *s, struct req *r)
{
	struct client *c = s->client;

	if (r->type == 'P' && r->stmt) {
		if (r->client_name && c)
			track_parse_done(c, r->client_name, r->stmt, false);
		if (r->added_cache)
			stmt_cache_remove(&s->stmts, r->stmt); /* never prepared */
	} else if (r->type == 'C' && r->kind == RQ_SKIP && r->stmt) {
		stmt_cache_add(&s->stmts, r->stmt); /* the eviction never ran */
	} else if (r->type == 'C' && r->kind == RQ_FAKE && r->client_name && c) {
		track_close_done(c, r->client_name, r->stmt, false);
	}
}

/* ---------------------------------------------------------- relaying */

/* The last internal query finished and no client holds the server. */
static void server_internal_done(struct server *s)
{
	s->checking = false;
	pool_server_available(s);
}

/* Read a whole message into a contiguous buffer; NULL if not all here. */
static const uint8_t *server_pullup(struct server *s, uint32_t len)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	if (evbuffer_get_length(in) < (size_t)len + 1)
		return NULL;
	return evbuffer_pullup(in, (ssize_t)len + 1);
}

/* A ParameterStatus: the session's value, and the client's if it has one
 * (to_client). */
static void relay_param_status(struct server *s, const uint8_t *body, size_t len, bool to_client)
{
	struct pkt_reader r;
	pr_init(&r, body, len);
	const char *name = pr_string(&r);
	const char *value = pr_string(&r);
	if (r.err)
		return;
	params_set(&s->params, name, value);
	if (to_client && (params_is_tracked(name) || params_get(&s->client->vars, name)))
		params_set(&s->client->vars, name, value);
}

static void client_write_pkt(struct client *c, struct pkt *p)
{
	if (!p->oom)
		evbuffer_add(bufferevent_get_output(c->bev), p->data, p->len);
}

/* An ErrorResponse, whole in msg.  Decides who sees it. */
static void server_error_reply(struct server *s, struct req *r, const uint8_t *msg, uint32_t len)
{
	struct client *c = s->client;
	struct error_fields ef;
	struct pkt p;

	if (proto_parse_error(msg + 5, len - 4, &ef) < 0)
		memset(&ef, 0, sizeof(ef));
	if (r->kind == RQ_CHECK) {
		if (c)
			client_settings_failed(c, &ef);
		return;
	}
	if (r->kind == RQ_INTERNAL) {
		log_warning("server %s pid %u: internal query failed: %s", s->addr, s->be_pid,
			    ef.message ? ef.message : "?");
		if (!c) {
			s->close_at_release = true;
			return;
		}
		char note[512];
		snprintf(note, sizeof(note), "pgpin could not restore a session setting: %s",
			 ef.message ? ef.message : "?");
		pkt_init(&p);
		proto_build_notice(&p, "WARNING", ef.sqlstate ? ef.sqlstate : "01000", note);
		client_write_pkt(c, &p);
		pkt_free(&p);
		return;
	}
	if (!c)
		return;
	if (r->local_error) {
		pkt_init(&p);
		proto_build_error(&p, "ERROR", r->error_code, r->error_msg, NULL, NULL);
		client_write_pkt(c, &p);
		pkt_free(&p);
		return;
	}
	evbuffer_add(bufferevent_get_output(c->bev), msg, len + 1);
}

/*
 * One message from a server that has requests outstanding or a client
 * linked.  Returns false when the caller must stop (message incomplete, or
 * the server was closed).
 */
/*
 * How a reply of a given type relates to the request at the front of the
 * queue: part of its answer, its last message, or proof that pgpin and the
 * server disagree about what was asked.  ErrorResponse, ReadyForQuery and
 * the messages that answer no request are handled by server_reply() itself.
 */
enum reply_fit { FIT_PART, FIT_COMPLETES, FIT_WRONG };

PGPIN_HOT static enum reply_fit reply_fit(char req_type, char type)
{
	switch (type) {
	case '1': /* ParseComplete */
		return req_type == 'P' ? FIT_COMPLETES : FIT_WRONG;
	case '2': /* BindComplete */
		return req_type == 'B' ? FIT_COMPLETES : FIT_WRONG;
	case '3': /* CloseComplete */
		return req_type == 'C' ? FIT_COMPLETES : FIT_WRONG;
	case 't': /* ParameterDescription: a Describe of a statement goes on */
		return req_type == 'D' ? FIT_PART : FIT_WRONG;
	case 'T': /* RowDescription */
	case 'n': /* NoData */
		if (req_type == 'D')
			return FIT_COMPLETES;
		return req_type == 'E' || req_type == 'Q' ? FIT_PART : FIT_WRONG;
	case 'C': /* CommandComplete */
	case 'I': /* EmptyQueryResponse */
	case 's': /* PortalSuspended */
		if (req_type == 'E')
			return FIT_COMPLETES;
		return req_type == 'Q' || req_type == 'F' ? FIT_PART : FIT_WRONG;
	default: /* DataRow, COPY, FunctionCallResponse... */
		return FIT_PART;
	}
}

/* A ParseComplete answered r: the statement is known good, the name settled. */
static void reply_parse_complete(struct server *s, struct req *r)
{
	if (!r->stmt)
		return;
	r->stmt->validated = true;
	if (r->client_name && s->client)
		track_parse_done(s->client, r->client_name, r->stmt, true);
}

static bool server_reply(struct server *s, char type, uint32_t len)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct req *r = req_front(s);
	struct client *c = s->client;
	const uint8_t *msg;

	log_debug("server %s pid %u: reply '%c' (%u bytes) to request '%c'/%d of %u%s", s->addr,
		  s->be_pid, type, len, r ? r->type : '-', r ? r->kind : -1, s->rq_len,
		  c ? "" : ", no client");

	/* Messages that answer no request. */
	switch (type) {
	case 'S': {
		if (!(msg = server_pullup(s, len)))
			return false;
		/* A client still logging in (its settings check) has had no
		 * welcome yet, and its session is not this one. */
		bool to_client = c && !(r && r->kind == RQ_CHECK);
		relay_param_status(s, msg + 5, len - 4, to_client);
		/* Even for an internal query: the client must learn the value
		 * its session now has. */
		if (to_client)
			evbuffer_add(bufferevent_get_output(c->bev), msg, len + 1);
		evbuffer_drain(in, len + 1);
		return true;
	}
	case 'N':
	case 'A':
		s->fwd_remaining = len + 1;
		s->fwd_drop = !c || (r && r->kind == RQ_CHECK) ||
			      (type == 'N' && r && r->kind == RQ_INTERNAL);
		return true;
	default:
		break;
	}
	if (!r) {
		if (type == 'E' && (msg = server_pullup(s, len))) {
			struct error_fields ef;
			if (proto_parse_error(msg + 5, len - 4, &ef) == 0 && ef.message)
				log_warning("server %s pid %u: %s", s->addr, s->be_pid, ef.message);
		}
		server_close(s, type == 'E' ? "server sent an error" : "unexpected message from server");
		return false;
	}

	switch (type) {
	case 'E': {
		if (len > SERVER_MAX_INSPECT) {
			server_close(s, "oversized error from server");
			return false;
		}
		if (!(msg = server_pullup(s, len)))
			return false;
		server_error_reply(s, r, msg, len);
		evbuffer_drain(in, len + 1);
		if (r->type == 'Q' || r->type == 'F')
			return true; /* the query goes on to its ReadyForQuery */
		/* Extended protocol: the server now skips everything up to Sync. */
		req_undo(s, r);
		req_pop(s);
		while ((r = req_front(s)) && r->type != 'S') {
			req_undo(s, r);
			req_pop(s);
		}
		/* The Sync not sent yet: what the client sends before it is
		 * skipped too, and its requests go when the Sync's answer
		 * comes. */
		if (!r)
			s->skipping = true;
		return true;
	}
	case 'Z': {
		if (len != 5) {
			server_close(s, "malformed ReadyForQuery from server");
			return false;
		}
		if (r->type != 'S' && s->skipping) {
			while ((r = req_front(s)) && r->type != 'S') {
				req_undo(s, r);
				req_pop(s);
			}
			if (!r) {
				server_close(s, "protocol desynchronized (ReadyForQuery without Sync)");
				return false;
			}
		}
		if (r->type != 'S' && r->type != 'Q' && r->type != 'F') {
			server_close(s, "protocol desynchronized (ReadyForQuery out of turn)");
			return false;
		}
		if (!(msg = server_pullup(s, len)))
			return false;
		s->skipping = false;
		s->txn_status = (char)msg[5];
		s->copy_in = false;
		s->batch_gen++;
		enum req_kind kind = r->kind;
		/* A simple Query ends an extended-protocol batch left without
		 * Sync: PostgreSQL commits its implicit transaction, drops
		 * the unnamed statement and portal, and waits for the next. */
		if (kind == RQ_FORWARD && c && r->type == 'Q' && s->rq_len == 1)
			c->in_batch = false;
		if (kind == RQ_FORWARD && c) {
			evbuffer_remove_buffer(in, bufferevent_get_output(c->bev), len + 1);
			s->pool->stats.bytes_out += len + 1;
		} else {
			evbuffer_drain(in, len + 1);
		}
		req_pop(s);
		server_answer_fakes(s);
		if (c && kind == RQ_CHECK) {
			client_settings_checked(c);
		} else if (c) {
			net_flush(c->bev);
			if (kind == RQ_FORWARD)
				client_server_ready(c);
		} else if (s->rq_len == 0 && s->txn_status != 'I' && kind == RQ_FORWARD) {
			/* The last request of a client that sent Terminate
			 * left a transaction open: nothing of it survives. */
			server_send_internal(s, "ROLLBACK");
		} else if (s->rq_len == 0) {
			server_internal_done(s);
		}
		return true;
	}
	case 'G': /* CopyInResponse */
	case 'W': /* CopyBothResponse */
		s->copy_in = true;
		if (!c) {
			/* The client sent Terminate after its COPY FROM STDIN:
			 * no data will come.  A simple Query's COPY fails, as on
			 * PostgreSQL when the client goes.  An extended one had
			 * its Sync swallowed by the COPY (PostgreSQL ignores
			 * Sync in COPY IN), so the request queue no longer
			 * matches: only closing is safe. */
			if (type == 'W' || r->type != 'Q') {
				server_close(s, "COPY for a client that has gone");
				return false;
			}
			static const uint8_t fail[] = "f\0\0\0\x14"
						      "client has gone";
			bufferevent_write(s->bev, fail, sizeof fail);
			net_flush(s->bev);
		}
		break;
	case 'D':
		if (r->kind != RQ_CHECK)
			break;
		/* The row of the settings check: the client's. */
		if (len > SERVER_MAX_INSPECT) {
			server_close(s, "oversized settings check row from server");
			return false;
		}
		if (!(msg = server_pullup(s, len)))
			return false;
		if (c)
			client_settings_row(c, msg + 5, len - 4);
		evbuffer_drain(in, len + 1);
		return true;
	case 'C':
		/* DISCARD ALL and DEALLOCATE ALL drop every prepared statement
		 * of the session, on the server and for the client that ran them. */
		if ((r->type == 'E' || r->type == 'Q') &&
		    (len == 4 + sizeof("DISCARD ALL") || len == 4 + sizeof("DEALLOCATE ALL"))) {
			if (!(msg = server_pullup(s, len)))
				return false;
			if (strcmp((const char *)msg + 5, "DISCARD ALL") == 0 ||
			    strcmp((const char *)msg + 5, "DEALLOCATE ALL") == 0)
				track_forget_all(s, r->kind == RQ_FORWARD);
		}
		break;
	default:
		break;
	}
	enum reply_fit fit = reply_fit(r->type, type);
	if (fit == FIT_WRONG) {
		char why[80];
		snprintf(why, sizeof(why), "protocol desynchronized (reply '%c' to request '%c')",
			 type, r->type);
		server_close(s, why);
		return false;
	}
	if (type == '1')
		reply_parse_complete(s, r);
	s->fwd_remaining = len + 1;
	s->fwd_drop = !(r->kind == RQ_FORWARD && c);
	if (fit == FIT_COMPLETES) {
		req_pop(s);
		s->fakes_after_msg = true; /* once this message is relayed */
	}
	return true;
}

/* Replies server_relay_batch() may pass on: DataRow, RowDescription,
 * NoData, ParameterDescription, CommandComplete, EmptyQueryResponse,
 * PortalSuspended, ParseComplete, BindComplete, CloseComplete. */
PGPIN_HOT static bool batchable(char type)
{
	switch (type) {
	case 'D': case 'T': case 'n': case 't': case 'C':
	case 'I': case 's': case '1': case '2': case '3':
		return true;
	default:
		return false;
	}
}

/*
 * The fast path of relaying: replies to the client's own requests that need
 * no more than queue bookkeeping (DataRow, RowDescription, CommandComplete,
 * ParseComplete, ...) are scanned in place and moved to the client in one
 * piece, up to and including the ReadyForQuery that ends the client's
 * query or Sync (after which the client may give the server back).
 * Anything else (errors, ParameterStatus, a message not yet complete, a
 * request that is not the client's) stops the scan and is left to
 * server_reply().  batch_scan() does the bookkeeping for the messages at
 * p (span bytes) and returns how many bytes from the front they fill; it
 * says whether a request was completed and whether the client's
 * ReadyForQuery ends the batch.
 */
PGPIN_HOT static size_t batch_scan(struct server *s, const uint8_t *p, size_t span, bool *popped_out,
			 bool *ready_out)
{
	size_t off = 0;
	bool popped = false, ready = false;

	for (;;) {
		struct req *r = req_front(s);
		if (!r || r->kind != RQ_FORWARD || span - off < 5)
			break;
		char type = (char)p[off];
		uint32_t len = proto_get_u32(p + off + 1);
		if (len < 4 || (size_t)len + 1 > span - off)
			break;
		if (type == 'Z') {
			/* The client's own ReadyForQuery ends the batch: relayed
			 * with the rest, then handled as server_reply() would. */
			if (len != 5 || (r->type != 'S' && r->type != 'Q' && r->type != 'F'))
				break;
			s->txn_status = (char)p[off + 5];
			s->copy_in = false; /* as server_reply() */
			s->batch_gen++;
			off += 6;
			if (r->type == 'Q' && s->rq_len == 1)
				s->client->in_batch = false; /* see server_reply() */
			req_pop(s);
			popped = true;
			ready = true;
			break;
		}
		/* Only what needs nothing but bookkeeping; the rest, and any
		 * disagreement, is server_reply()'s. */
		if (!batchable(type))
			break;
		if (type == 'C' &&
		    (len == 4 + sizeof("DISCARD ALL") || len == 4 + sizeof("DEALLOCATE ALL")))
			break;
		enum reply_fit fit = reply_fit(r->type, type);
		if (fit == FIT_WRONG)
			break;
		if (type == '1')
			reply_parse_complete(s, r);
		bool completes = fit == FIT_COMPLETES;
		off += (size_t)len + 1;
		if (completes) {
			req_pop(s);
			popped = true;
		}
	}
	*popped_out = popped;
	*ready_out = ready;
	return off;
}

/* Relay a batch that batch_scan() took from p: to the client (straight to
 * its socket when it ends with the ReadyForQuery the client waits for and
 * nothing is queued there), then the fakes whose turn came, and the
 * server goes back to the pool if the client is done with it. */
PGPIN_HOT static void batch_relay(struct server *s, const uint8_t *p, size_t off, bool popped, bool ready,
			struct evbuffer *in)
{
	struct client *c = s->client;

	if (in)
		net_relay(in, off, c->bev, ready && c->reader ? net_reader_fd(c->reader) : -1);
	else
		net_write(c->bev, ready && c->reader ? net_reader_fd(c->reader) : -1, p, off);
	s->pool->stats.bytes_out += off;
	if (popped)
		server_answer_fakes(s);
	if (ready) {
		net_flush(c->bev);
		client_server_ready(c);
	} else if (!in) {
		net_flush(c->bev);
	}
}

/* The batch at the front of the server's input, if any: server_relay_batch()
 * is batch_scan() on the input, then batch_relay(). */
static void server_relay_batch(struct server *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct evbuffer *out = bufferevent_get_output(s->client->bev);
	size_t avail = evbuffer_get_length(in);
	size_t span = avail < 65536 ? avail : 65536;
	bool popped, ready;

	if (span < 5 || evbuffer_get_length(out) >= RELAY_HIGH_WATER)
		return;
	const uint8_t *p = evbuffer_pullup(in, (ssize_t)span);
	if (!p)
		return;
	size_t off = batch_scan(s, p, span, &popped, &ready);
	if (off)
		batch_relay(s, p, off, popped, ready, in);
}

/*
 * The reader's fast path (net_fast_fn): replies that arrive while nothing
 * of this server is buffered are scanned where they were read, and the
 * batch batch_scan() takes goes to the client from there, without a trip
 * through the server's input; the rest, if any, is server_process()'s.
 */
PGPIN_HOT static size_t server_fast_read(void *arg, const uint8_t *p, size_t n)
{
	struct server *s = arg;
	bool popped, ready;

	if (!s->client || !s->rq_len || s->fakes_after_msg || s->fwd_remaining ||
	    s->state != SV_ACTIVE ||
	    evbuffer_get_length(bufferevent_get_output(s->client->bev)) >= RELAY_HIGH_WATER)
		return 0;
	size_t off = batch_scan(s, p, n, &popped, &ready);
	if (off)
		batch_relay(s, p, off, popped, ready, NULL);
	/* Given back to the pool, the server may have been closed there (its
	 * lifetime is over, pgpin is stopping): its reader with it. */
	return s->state == SV_CLOSED ? n : off;
}

static void server_process_loop(struct server *s)
{
	struct evbuffer *in;

	while (s->state != SV_CLOSED) {
		in = bufferevent_get_input(s->bev);
		size_t avail = evbuffer_get_length(in);

		if (s->fwd_remaining) {
			if (!avail)
				return;
			size_t n = avail < s->fwd_remaining ? avail : s->fwd_remaining;
			if (s->fwd_drop || !s->client) {
				evbuffer_drain(in, n);
			} else {
				struct evbuffer *out = bufferevent_get_output(s->client->bev);
				if (evbuffer_get_length(out) >= RELAY_HIGH_WATER)
					return; /* client_resume() calls us again */
				evbuffer_remove_buffer(in, out, n);
				s->pool->stats.bytes_out += n;
			}
			s->fwd_remaining -= (uint32_t)n;
			if (s->fwd_remaining == 0 && s->fakes_after_msg) {
				s->fakes_after_msg = false;
				server_answer_fakes(s);
			}
			continue;
		}

		if (s->client && s->rq_len && !s->fakes_after_msg && s->state == SV_ACTIVE) {
			size_t before = avail;
			server_relay_batch(s);
			avail = evbuffer_get_length(in);
			if (avail != before)
				continue;
		}

		uint8_t hcopy[5];
		const uint8_t *hdr;
		char type;
		uint32_t len;
		if (!(hdr = net_peek_header(in, hcopy)))
			return;
		if (proto_peek_header(hdr, 5, 0x7fffffffu, &type, &len) < 0) {
			server_close(s, "invalid message length from server");
			return;
		}

		switch (s->state) {
		case SV_LOGIN: {
			if (len > SERVER_MAX_INSPECT) {
				server_close(s, "oversized login message from server");
				return;
			}
			const uint8_t *msg = server_pullup(s, len);
			if (!msg)
				return;
			/* Copy: a login error frees the buffer. */
			uint8_t small[512];
			uint8_t *copy = len + 1 <= sizeof(small) ? small : malloc(len + 1);
			if (!copy) {
				server_close(s, "out of memory");
				return;
			}
			memcpy(copy, msg, len + 1);
			evbuffer_drain(in, len + 1);
			server_login_msg(s, type, copy + 5, len - 4);
			if (copy != small)
				free(copy);
			break;
		}
		case SV_ACTIVE:
		case SV_IDLE:
			if ((type == 'S' || type == 'Z') && len > SERVER_MAX_INSPECT) {
				server_close(s, "oversized message from server");
				return;
			}
			if (!server_reply(s, type, len))
				return;
			break;
		default:
			server_close(s, "unexpected data from server");
			return;
		}
	}
}

void server_process(struct server *s)
{
	server_process_loop(s);
	if (s->state == SV_CLOSED)
		return;
	if (s->client)
		net_flush(s->client->bev);
	net_reader_update(s->reader);
}

void server_resume(struct server *s)
{
	server_process(s);
}

/* ---------------------------------------------------------- TLS */

/*
 * Negotiation, before the startup packet, as libpq does it: SSLRequest,
 * one byte of answer ('S': handshake, then everything over TLS; 'N': plain
 * text if sslmode allows), then the login.  sslmode=allow logs in in plain
 * text first and asks for TLS only if that login is refused.
 */

/*
 * Callbacks and bounds of a new bufferevent.  The input bound is set once
 * the login starts, and only if the bufferevent itself reads: a read
 * watermark installs an evbuffer callback that stays on the input, run on
 * every add and drain, even once the watermark is cleared.  Until then
 * only a one-byte SSL answer or a TLS handshake comes in.
 */
static void server_bev_setup(struct server *s)
{
	bufferevent_setcb(s->bev, server_read_cb, server_write_cb, server_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, RELAY_HIGH_WATER / 4, 0);
	bufferevent_set_max_single_read(s->bev, 64 * 1024);
}

/* Whether to send SSLRequest on this connection. */
static bool server_wants_tls(const struct server *s)
{
	/* libpq never asks for TLS on a Unix socket, whatever sslmode says. */
	if (s->host[0] == '/')
		return false;
	switch (s->pool->target.sslmode) {
	case SSLMODE_DISABLE:
		return false;
	case SSLMODE_ALLOW: /* plain text first, TLS on the retry */
		return s->tls_retry;
	case SSLMODE_PREFER: /* TLS first, plain text on the retry */
		return !s->tls_retry;
	default:
		return true;
	}
}

/* No TLS, or TLS failed: not worth retrying when the cause is settings or
 * certificates, since the next attempt would fail the same way. */
static void server_tls_fail(struct server *s, const char *msg, bool retryable)
{
	log_warning("%s", msg);
	pool_server_login_failed(s, "08006", msg, retryable);
	server_close(s, "TLS negotiation failed");
}

/* Connected, encrypted or not as settled: send the startup packet. */
static void server_start_login(struct server *s)
{
	if (!net_is_tls(s->bev)) {
		bufferevent_disable(s->bev, EV_WRITE); /* see net_flush() */
		s->reader = net_reader_new(s->bev, RELAY_HIGH_WATER, server_read_cb,
					   server_event_cb, s);
		if (s->reader)
			net_reader_set_fast(s->reader, server_fast_read);
	}
	if (!s->reader) /* the bufferevent reads, bounded the same way */
		bufferevent_setwatermark(s->bev, EV_READ, 0, RELAY_HIGH_WATER);
	s->state = SV_LOGIN;
	server_send_startup(s);
}

/* The one-byte answer to our SSLRequest. */
static void server_tls_answer(struct server *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	const struct target *t = &s->pool->target;
	char msg[700], err[400];
	uint8_t answer;

	if (evbuffer_remove(in, &answer, 1) != 1)
		return;
	switch (answer) {
	case 'S': {
		/* Anything after the 'S' came before encryption: a
		 * man-in-the-middle's injection (CVE-2021-23222). */
		if (evbuffer_get_length(in) > 0) {
			snprintf(msg, sizeof(msg),
				 "server %s sent unencrypted data after its SSL response", s->addr);
			server_tls_fail(s, msg, false);
			return;
		}
		SSL *ssl = tls_backend_new(t, s->host, err, sizeof(err));
		if (!ssl) {
			snprintf(msg, sizeof(msg), "could not set up TLS for server %s: %s",
				 s->addr, err);
			server_tls_fail(s, msg, false);
			return;
		}
		struct bufferevent *bev = net_start_tls(s->bev, ssl, false);
		if (!bev) {
			snprintf(msg, sizeof(msg), "could not start TLS with server %s", s->addr);
			server_tls_fail(s, msg, true);
			return;
		}
		s->bev = bev;
		server_bev_setup(s);
		s->tls = STLS_HANDSHAKE; /* server_event_cb() hears how it went */
		return;
	}
	case 'N':
		if (t->sslmode >= SSLMODE_REQUIRE || s->tls_retry) {
			snprintf(msg, sizeof(msg), "server %s does not support SSL, but SSL was %s",
				 s->addr,
				 s->tls_retry
					 ? "needed (it refused the plain-text login, sslmode=allow)"
					 : "required");
			server_tls_fail(s, msg, false);
			return;
		}
		s->tls = STLS_NONE;
		server_start_login(s);
		return;
	case 'E':
		/* A server that could not even start a backend (fork failure):
		 * the rest is an ErrorResponse, read as a login error. */
		s->tls = STLS_NONE;
		s->state = SV_LOGIN;
		evbuffer_prepend(in, &answer, 1);
		server_process(s);
		return;
	default:
		snprintf(msg, sizeof(msg),
			 "received invalid response to SSL negotiation from %s: %c", s->addr,
			 answer);
		server_tls_fail(s, msg, false);
		return;
	}
}

/* The handshake failed: say why, with OpenSSL's reason. */
static void server_tls_handshake_failed(struct server *s, struct bufferevent *bev)
{
	SSL *ssl = net_ssl(bev);
	unsigned long e = bufferevent_get_openssl_error(bev);
	long vr = SSL_get_verify_result(ssl);
	char why[300], msg[700];

	tls_error_string(ssl, e, why, sizeof(why));
	if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
			 " (the server certificate does not match host \"%s\", "
			 "sslmode=verify-full)",
			 s->host);
	snprintf(msg, sizeof(msg), "could not establish TLS with server %s: %s", s->addr, why);
	/* A closed connection may be a server restarting; a certificate or
	 * protocol error will not mend itself. */
	server_tls_fail(s, msg, !e && vr == X509_V_OK);
}

/* The handshake is done (the certificate verified as sslmode asks). */
static void server_tls_ready(struct server *s)
{
	s->tls = STLS_ON;
	if (log_enabled(LOG_LVL_DEBUG)) {
		char desc[128];
		tls_describe(net_ssl(s->bev), desc, sizeof(desc));
		log_debug("server %s: TLS established (%s)", s->addr, desc);
	}
	server_start_login(s);
}

/*
 * The server refused the login.  As libpq does, try once more the other
 * way: sslmode=allow over TLS after a plain-text refusal (a pg_hba.conf
 * hostssl line, say), sslmode=prefer in plain text after a refusal over
 * TLS (hostnossl).  Only a refusal by the server, never a failed
 * handshake or verification.  True if the retry is under way (or failed
 * and closed the server).
 */
static bool server_retry_login(struct server *s, const char *why)
{
	int mode = s->pool->target.sslmode;
	bool to_tls;

	if (s->tls_retry || s->host[0] == '/')
		return false;
	if (mode == SSLMODE_ALLOW && s->tls == STLS_NONE)
		to_tls = true;
	else if (mode == SSLMODE_PREFER && s->tls == STLS_ON)
		to_tls = false;
	else
		return false;
	struct bufferevent *bev = bufferevent_socket_new(rt.base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		return false;
	log_info("server %s: login refused %s (%s); trying again %s", s->addr,
		 to_tls ? "in plain text" : "over TLS", why,
		 to_tls ? "with TLS (sslmode=allow)" : "without TLS (sslmode=prefer)");
	net_reader_free(s->reader);
	s->reader = NULL;
	net_free(s->bev); /* the server closes it anyway */
	s->bev = bev;
	s->tls = STLS_NONE;
	server_bev_setup(s);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	scram_client_free(s->scram);
	s->scram = NULL;
	s->be_pid = s->be_key = 0;
	s->tls_retry = true;
	s->state = SV_CONNECTING;
	if (net_connect(s->bev, s->host, s->port) < 0 && s->state != SV_CLOSED) {
		pool_server_login_failed(s, "08006", "could not start a connection", true);
		server_close(s, "connect failed");
	}
	return true;
}

/* ---------------------------------------------------------- callbacks */

static void server_read_cb(struct bufferevent *bev, void *arg)
{
	struct server *s = arg;

	if (s->tls == STLS_ASKED) {
		server_tls_answer(s);
		return;
	}
	server_process(s);
}

static void server_write_cb(struct bufferevent *bev, void *arg)
{
	struct server *s = arg;
	net_write_drained(bev);
	/* Our output drained: the linked client may send more. */
	if (s->client)
		client_resume(s->client);
}

/* Why a connection broke: OpenSSL's reason on a TLS connection (errno
 * means nothing there), else the socket's. */
static const char *server_io_error(struct bufferevent *bev, char *buf, size_t len)
{
	unsigned long e = net_is_tls(bev) ? bufferevent_get_openssl_error(bev) : 0;
	if (!e)
		return evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR());
	tls_error_string(NULL, e, buf, len);
	return buf;
}

static void server_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct server *s = arg;
	char msg[300], why[256];

	if (events & BEV_EVENT_CONNECTED) {
		if (s->tls == STLS_HANDSHAKE) {
			server_tls_ready(s);
			return;
		}
		net_tune_socket(bufferevent_getfd(bev));
		if (server_wants_tls(s)) {
			s->tls = STLS_ASKED;
			bufferevent_write(bev, ssl_request, sizeof(ssl_request));
			net_flush(bev);
			return;
		}
		server_start_login(s);
		return;
	}
	if (s->tls == STLS_HANDSHAKE) {
		server_tls_handshake_failed(s, bev);
		return;
	}
	if (s->state == SV_CONNECTING || s->state == SV_LOGIN) {
		int dnserr = bufferevent_socket_get_dns_error(bev);
		if (dnserr)
			snprintf(msg, sizeof(msg), "could not resolve \"%s\": %s",
				 s->host, evutil_gai_strerror(dnserr));
		else if (events & BEV_EVENT_EOF)
			snprintf(msg, sizeof(msg), "server %s closed the connection during login",
				 s->addr);
		else
			snprintf(msg, sizeof(msg), "could not connect to server %s: %s", s->addr,
				 server_io_error(bev, why, sizeof(why)));
		log_warning("%s", msg);
		pool_server_login_failed(s, "08006", msg, true);
		server_close(s, "connection failed");
		return;
	}
	if (events & BEV_EVENT_EOF)
		server_close(s, "server closed the connection");
	else
		server_close(s, server_io_error(bev, why, sizeof(why)));
}
