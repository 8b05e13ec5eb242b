/*
 * client.c - what a PostgreSQL client sends to pgpin, from the first byte
 * to Terminate.
 *
 *   CL_STARTUP --StartupMessage--> CL_AUTH --password ok--+
 *        |  (SSLRequest, GSSENCRequest: 'N', read again)   |
 *        |  (CancelRequest: forward, close)                v
 *        +--------------- trust -------------------> CL_LOGIN_WAIT
 *                                                          | pool's welcome known
 *                                                          v
 *                                                      CL_READY
 *
 * In CL_READY each message is framed here and relayed to the server the
 * pool lends the client.  The server is asked for on the first message
 * that needs one and given back at ReadyForQuery 'I' (transaction mode)
 * unless the client is in the middle of an extended-protocol batch
 * (messages sent since the last Sync) or has more replies coming.
 * Bodies are streamed, never assembled: pgpin only reads the 5-byte
 * header of what a client sends after login.
 */
#include "client.h"
#include "sqlite/link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/rand.h>

#include "authfile.h"
#include "config.h"
#include "hot.h"
#include "log.h"
#include "net.h"
#include "pool.h"
#include "proto.h"
#include "runtime.h"
#include "scram.h"
#include "server.h"
#include "tls.h"
#include "track.h"

#define RELAY_HIGH_WATER (256 * 1024)
/* PostgreSQL's own bound on an authentication message (PG_MAX_AUTH_TOKEN_LENGTH). */
#define MAX_AUTH_MSG 65535
/* How long a closing client may take to read its last error. */
#define CLOSE_FLUSH_SECONDS 5

static void client_read_cb(struct bufferevent *bev, void *arg);
static void client_write_cb(struct bufferevent *bev, void *arg);
static void client_event_cb(struct bufferevent *bev, short events, void *arg);
static void client_lite_output(struct client *c);
static void client_lite_lend(struct client *c);
static void client_lite_end(struct client *c, const char *reason);
static void client_lite_notify(void *arg);
static void client_tls_ready(struct client *c);
static size_t client_fast_read(void *arg, const uint8_t *p, size_t n);

/* ------------------------------------------------------- lifecycle */

/*
 * A cancel key: drawn from OpenSSL's generator 1024 at a time, since every
 * RAND_bytes() call checks for a fork with getpid() (a system call) and
 * costs well over 100K instructions, several logins' worth, whatever its
 * size.
 * random() only if the generator fails.
 */
static uint32_t client_new_key(double now)
{
	static uint32_t keys[1024];
	static unsigned n_keys;

	if (n_keys == 0 && RAND_bytes((unsigned char *)keys, sizeof(keys)) == 1)
		n_keys = sizeof(keys) / sizeof(keys[0]);
	if (n_keys == 0)
		return (uint32_t)random() ^ (uint32_t)(now * 1e6);
	uint32_t key = keys[--n_keys];
	keys[n_keys] = 0;
	return key;
}

void client_accept(int fd, const struct sockaddr *sa, int salen)
{
	struct client *c = calloc(1, sizeof(*c));
	if (!c) {
		evutil_closesocket(fd);
		return;
	}
	/* accept() told the peer's address already: no system calls for it. */
	if (sa && salen > 0) {
		if (sa->sa_family != AF_UNIX)
			net_tune_tcp(fd);
		net_addr_name(sa, c->addr, sizeof(c->addr));
	} else {
		net_tune_socket(fd);
		net_peer_name(fd, c->addr, sizeof(c->addr));
	}
	c->unix_socket = sa && sa->sa_family == AF_UNIX;
	c->bev = bufferevent_socket_new(rt.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	params_init(&c->vars);
	params_init(&c->superseded);
	stmt_names_init(&c->names);
	c->state = CL_STARTUP;
	c->connected_at = rt_now();
	c->pid = rt.next_pid++;
	if (rt.next_pid > 0x7ffffff0u)
		rt.next_pid = 1000;
	c->key = client_new_key(c->connected_at);
	TAILQ_INSERT_TAIL(&rt.clients, c, link);

	bufferevent_setcb(c->bev, client_read_cb, client_write_cb, client_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, RELAY_HIGH_WATER / 4, 0);
	bufferevent_set_max_single_read(c->bev, 64 * 1024);
	/* EV_WRITE (on by default) only while output is pending: net_flush() */
	bufferevent_disable(c->bev, EV_WRITE);
	bufferevent_enable(c->bev, EV_READ);
	c->reader = net_reader_new(c->bev, RELAY_HIGH_WATER, client_read_cb, client_event_cb, c);
	if (c->reader)
		net_reader_set_fast(c->reader, client_fast_read);
	if (!c->reader) /* the bufferevent reads, bounded the same way */
		bufferevent_setwatermark(c->bev, EV_READ, 0, RELAY_HIGH_WATER);
	log_debug("client %s: connected", c->addr);
	/* Its first message is most likely here already (libpq sends it as
	 * soon as the connection is up): take it now.  c may be gone after. */
	if (c->reader)
		net_reader_read_now(c->reader);
}

static void client_check_row_free(struct client *c)
{
	if (!c->check_row)
		return;
	for (int i = 0; i < c->check_row_n; i++)
		if (c->check_row[i] != pool_at_server_start)
			free(c->check_row[i]);
	free(c->check_row);
	c->check_row = NULL;
}

static void client_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	if (c->flushing) {
		/* Written out, or given up on (CLOSE_FLUSH_SECONDS). */
		rt.n_flushing--;
		rt_check_shutdown_done();
	}
	net_reader_free(c->reader);
	if (c->bev)
		net_free(c->bev);
	client_check_row_free(c);
	free(c->check_error);
	free(c->options_error);
	params_free(&c->superseded);
	params_free(&c->vars);
	stmt_names_clear(&c->names);
	free(c->user);
	free(c->database);
	free(c->secret);
	free(c);
}

/*
 * Give back what the client holds: its place in a queue, its server (rolled
 * back, or closed if it was mid-query), its connection slot.
 */
static void client_detach(struct client *c)
{
	struct server *s = c->server;

	if (c->pool)
		pool_cancel_wait(c->pool, c);
	if (c->lite) {
		/* Rolled back and closed by its thread. */
		lite_session_close(c->lite);
		c->lite = NULL;
	}
	if (s && c->settings_check) {
		/* The check changes nothing on the server: it finishes on its
		 * own, and the server goes back to the pool at its end. */
		c->server = NULL;
		s->client = NULL;
	} else if (s) {
		bool busy = server_busy(s);
		c->server = NULL;
		s->client = NULL;
		if (c->in_batch || c->fwd_remaining || s->copy_in ||
		    (busy && !c->terminated)) {
			/* An unsynced batch (its Sync would commit), a message
			 * half sent, a COPY waiting for data, or a client gone
			 * with replies still due: only closing the server (and
			 * cancelling what runs) is safe. */
			server_close(s, "client disconnected while the server was busy");
		} else {
			/* After Terminate, as on PostgreSQL, the queries sent
			 * before it run to their end (their replies are
			 * dropped); a transaction they leave open is rolled
			 * back then (server_reply()). */
			if (busy) {
				log_debug("server %s pid %u: %u requests of a client that sent "
					  "Terminate run to their end", s->addr, s->be_pid, s->rq_len);
				net_flush(s->bev); /* client_process() no longer will */
			} else if (s->txn_status != 'I')
				server_send_internal(s, "ROLLBACK");
			/* Session mode, or a client pinned by session state: the
			 * next client must not inherit it. */
			if ((s->pool->mode == POOL_SESSION || c->pins) &&
			    *rt.cfg->server_reset_query) {
				server_send_internal(s, rt.cfg->server_reset_query);
				/* Settings pgpin applied are gone with the reset. */
				params_free(&s->params);
				params_init(&s->params);
				params_copy(&s->params, &s->base_params);
			}
			pool_server_available(s);
		}
	}
	scram_server_free(c->scram);
	c->scram = NULL;
	if (c->counted) {
		rt.n_clients--;
		c->counted = false;
	}
	TAILQ_REMOVE(&rt.clients, c, link);
	c->state = CL_CLOSED;
}

void client_close(struct client *c, const char *reason)
{
	if (c->state == CL_CLOSED)
		return;
	if (c->user)
		log_info("client %s user=%s database=%s: closed (%s)", c->addr, c->user,
			 c->database, reason);
	else
		log_debug("client %s: closed (%s)", c->addr, reason);
	client_detach(c);
	net_reader_free(c->reader);
	c->reader = NULL;
	net_free(c->bev);
	c->bev = NULL;
	struct timeval now = {0, 0};
	event_base_once(rt.base, -1, EV_TIMEOUT, client_free_cb, c, &now);
	rt_check_shutdown_done();
}

static void client_send_pkt(struct client *c, struct pkt *p)
{
	if (p->oom) {
		client_close(c, "out of memory");
		return;
	}
	if (c->lite)
		lite_session_direct(c->lite, -1, false); /* our bytes first */
	bufferevent_write(c->bev, p->data, p->len);
	net_flush(c->bev);
}

/* Send the last messages (p), then close once they have been written. */
static void client_send_last(struct client *c, const struct pkt *p)
{
	if (c->lite)
		lite_session_direct(c->lite, -1, false);
	if (!p->oom)
		bufferevent_write(c->bev, p->data, p->len);

	client_detach(c);
	c->closing = true;
	net_reader_free(c->reader);
	c->reader = NULL;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_enable(c->bev, EV_WRITE);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	struct timeval tv = {CLOSE_FLUSH_SECONDS, 0};
	bufferevent_set_timeouts(c->bev, NULL, &tv);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		struct timeval now = {0, 0};
		event_base_once(rt.base, -1, EV_TIMEOUT, client_free_cb, c, &now);
		bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	} else {
		c->flushing = true;
		rt.n_flushing++;
	}
	rt_check_shutdown_done();
}

/* Send an ErrorResponse, then close once it has been written. */
void client_fatal(struct client *c, const char *sqlstate, const char *msg)
{
	struct pkt p;

	if (c->state == CL_CLOSED)
		return;
	log_info("client %s%s%s: %s (SQLSTATE %s)", c->addr, c->user ? " user=" : "",
		 c->user ? c->user : "", msg, sqlstate);
	pkt_init(&p);
	proto_build_error(&p, "FATAL", sqlstate, msg, NULL, NULL);
	client_send_last(c, &p);
	pkt_free(&p);
}

/* A protocol error: what PostgreSQL answers, and close. */
static void client_protocol_error(struct client *c, const char *fmt, int arg)
{
	char msg[128];
	snprintf(msg, sizeof(msg), fmt, arg);
	client_fatal(c, "08P01", msg);
}

/* ------------------------------------------------------- callbacks */

static void client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	c->input_returned = false; /* the loop read: it may lend again */
	client_process(c);
}

static void client_write_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
			bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
			struct timeval now = {0, 0};
			event_base_once(rt.base, -1, EV_TIMEOUT, client_free_cb, c, &now);
		}
		return;
	}
	net_write_drained(bev);
	/* Room again in our output: let the server relay more. */
	if (c->server)
		server_resume(c->server);
	if (c->lite) {
		client_lite_output(c);
		/* The last of the output may be what SIGINT waits for. */
		if (rt.state == RUN_SHUTDOWN_WAIT && c->state == CL_READY && !c->lite_end)
			client_shutdown_if_idle(c);
	}
}

/* Read no more from the client (its end is known; what is buffered stays). */
static void client_stop_reading(struct client *c)
{
	if (c->reader)
		net_reader_hold(c->reader, true);
	else
		bufferevent_disable(c->bev, EV_READ);
}

/* Whether the whole messages buffered from the client include Terminate. */
static bool client_input_has_terminate(struct client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t avail = evbuffer_get_length(in), pos = 0;
	uint8_t hdr[5];

	while (pos + 5 <= avail) {
		struct evbuffer_ptr at;
		evbuffer_ptr_set(in, &at, pos, EVBUFFER_PTR_SET);
		if (evbuffer_copyout_from(in, &at, hdr, 5) < 5)
			return false;
		if (hdr[0] == 'X')
			return true;
		uint32_t len = proto_get_u32(hdr + 1);
		if (len < 4)
			return false;
		pos += 1 + (size_t)len;
	}
	return false;
}

static void client_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct client *c = arg;

	if (c->closing) {
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
		struct timeval now = {0, 0};
		event_base_once(rt.base, -1, EV_TIMEOUT, client_free_cb, c, &now);
		return;
	}
	if (events & BEV_EVENT_CONNECTED) {
		client_tls_ready(c); /* the only connect a client bufferevent reports */
		return;
	}
	if (c->tls_handshake) {
		char why[256];
		unsigned long e = bufferevent_get_openssl_error(bev);
		tls_error_string(net_ssl(bev), e, why, sizeof(why));
		log_info("client %s: TLS handshake failed: %s", c->addr, why);
		client_close(c, "TLS handshake failed");
		return;
	}
	if (!c->lite && c->state == CL_READY && (events & BEV_EVENT_EOF) &&
	    client_input_has_terminate(c)) {
		/* Terminate came before the end, behind messages still
		 * waiting for a server: they go first (client_relay()). */
		client_stop_reading(c);
		return;
	}
	if (c->lite && (c->state == CL_READY || c->state == CL_LOGIN_WAIT)) {
		/* What came before the end runs first, as on PostgreSQL. */
		client_lite_end(c, events & BEV_EVENT_EOF ? "client disconnected"
							  : "client connection failed");
		return;
	}
	if (events & BEV_EVENT_EOF) {
		client_close(c, c->server ? "client disconnected mid-transaction" : "client disconnected");
	} else {
		unsigned long e = c->tls ? bufferevent_get_openssl_error(bev) : 0;
		char why[256];
		if (e)
			tls_error_string(NULL, e, why, sizeof(why));
		client_close(c, e ? why : evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
}

/* ------------------------------------------------------- TLS */

static const char *const client_tls_mode_names[] = {"disable", "allow", "require", "verify-ca",
						    "verify-full"};

/*
 * SSLRequest: 'S' and the TLS handshake when a certificate is loaded and
 * client_tls_mode is not disable, else 'N' and plain text goes on.
 * Returns true when the caller must stop reading (TLS under way, or the
 * client closed).
 */
static bool client_ssl_request(struct client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	char err[200];

	if (c->tls) {
		client_fatal(c, "08P01", "SSLRequest on a connection that is already encrypted");
		return true;
	}
	/* No TLS on a Unix socket, as PostgreSQL. */
	if (c->unix_socket || rt.cfg->client_tls_mode == CTLS_DISABLE ||
	    !tls_frontend_available()) {
		bufferevent_write(c->bev, "N", 1);
		net_flush(c->bev);
		return false;
	}
	SSL *ssl = tls_frontend_new(err, sizeof(err));
	if (!ssl) {
		client_fatal(c, "53200", err);
		return true;
	}
	/* The answer goes out in the clear, now: nothing is queued before it
	 * (the startup phase flushes every byte it writes). */
	bufferevent_write(c->bev, "S", 1);
	net_flush(c->bev);
	/*
	 * Bytes that came with the SSLRequest were sent before encryption: a
	 * man-in-the-middle may have put them there (CVE-2021-23214).
	 * PostgreSQL answers 'S', then this error in plain text.
	 */
	if (evbuffer_get_length(in) > 0) {
		SSL_free(ssl);
		client_fatal(c, "08P01", "received unencrypted data after SSL request");
		return true;
	}
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
		SSL_free(ssl);
		client_close(c, "could not send the SSL response");
		return true;
	}
	/* From now on OpenSSL reads and writes the socket. */
	net_reader_free(c->reader);
	c->reader = NULL;
	struct bufferevent *bev = net_start_tls(c->bev, ssl, true);
	if (!bev) {
		client_close(c, "could not start TLS");
		return true;
	}
	c->bev = bev;
	bufferevent_setcb(bev, client_read_cb, client_write_cb, client_event_cb, c);
	bufferevent_setwatermark(bev, EV_READ, 0, RELAY_HIGH_WATER);
	bufferevent_setwatermark(bev, EV_WRITE, RELAY_HIGH_WATER / 4, 0);
	bufferevent_set_max_single_read(bev, 64 * 1024);
	c->tls = true;
	c->tls_handshake = true;
	return true;
}

/* The handshake is done; the startup packet comes next, encrypted. */
static void client_tls_ready(struct client *c)
{
	c->tls_handshake = false;
	if (log_enabled(LOG_LVL_DEBUG)) {
		char desc[128], cn[256];
		SSL *ssl = net_ssl(c->bev);
		tls_describe(ssl, desc, sizeof(desc));
		bool have_cn = tls_peer_cn(ssl, cn, sizeof(cn)) == 0;
		log_debug("client %s: TLS established (%s%s%s)", c->addr, desc,
			  have_cn ? ", client certificate CN=" : "", have_cn ? cn : "");
	}
}

/*
 * client_tls_mode, once the user is known (as PostgreSQL checks pg_hba
 * after the startup packet, so that the client gets a FATAL it can show):
 * require: encrypted; verify-ca: and a client certificate that verified
 * against tls_ca; verify-full: and its CN is the user name.  Unix-socket
 * clients are exempt (no TLS there).  0, or -1 with the client closed.
 */
static int client_check_tls(struct client *c)
{
	int mode = rt.cfg->client_tls_mode;
	char msg[400], cn[256];

	if (mode < CTLS_REQUIRE || c->unix_socket)
		return 0;
	if (!c->tls) {
		snprintf(msg, sizeof(msg),
			 "TLS is required for user \"%s\", database \"%s\" (client_tls_mode=%s): "
			 "connect with sslmode=require or stronger",
			 c->user, c->database, client_tls_mode_names[mode]);
		client_fatal(c, "28000", msg);
		return -1;
	}
	if (mode < CTLS_VERIFY_CA)
		return 0;
	SSL *ssl = net_ssl(c->bev);
	if (!tls_peer_verified(ssl)) {
		client_fatal(c, "28000", "connection requires a valid client certificate");
		return -1;
	}
	if (mode == CTLS_VERIFY_FULL && (tls_peer_cn(ssl, cn, sizeof(cn)) < 0 ||
					 strcmp(cn, c->user) != 0)) {
		log_info("client %s: certificate CN does not match user \"%s\"", c->addr, c->user);
		snprintf(msg, sizeof(msg),
			 "certificate validation (client_tls_mode=verify-full) failed for user "
			 "\"%s\": CN mismatch",
			 c->user);
		client_fatal(c, "28000", msg);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------- startup */

static int client_add_var(struct client *c, const char *name, const char *value)
{
	/* asyncpg sends client_encoding='utf-8', quotes included; report
	 * the canonical name as the server would. */
	if (strcasecmp(name, "client_encoding") == 0) {
		char clean[32];
		size_t n = 0;
		for (const char *p = value; *p && n < sizeof(clean) - 1; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9'))
				clean[n++] = *p;
		clean[n] = 0;
		if (strcasecmp(clean, "utf8") == 0 || strcasecmp(clean, "unicode") == 0)
			value = "UTF8";
	}
	const char *before = params_get(&c->vars, name);
	if (before && strcmp(before, value) != 0 && params_add(&c->superseded, name, before) < 0)
		return -1;
	return params_set(&c->vars, name, value);
}

static void client_options_refused(struct client *c, const struct options_error *e)
{
	struct pkt p;

	pkt_init(&p);
	proto_build_error(&p, "FATAL", e->sqlstate, e->message, NULL, e->hint);
	if (p.oom) {
		pkt_free(&p);
		return;
	}
	c->options_error = p.data;
	c->options_error_len = p.len;
}

static int client_option_setting(void *arg, const char *name, const char *value)
{
	return client_add_var(arg, name, value);
}

/*
 * The startup "options" parameter (params_parse_options()).  PostgreSQL
 * applies the settings before a word it refuses, so the refusal waits in
 * c->options_error until a server has checked them.  Returns -1 when out of
 * memory.
 */
static int client_parse_options(struct client *c, const char *options)
{
	struct options_error e;

	if (params_parse_options(options, client_option_setting, c, &e) < 0)
		return -1;
	if (e.sqlstate) {
		client_options_refused(c, &e);
		if (!c->options_error)
			return -1;
	}
	return 0;
}

/* Authenticated, then refused, as PostgreSQL refuses a login it cannot
 * start a session for: AuthenticationOk and a FATAL ErrorResponse. */
static void client_refuse_after_auth(struct client *c, const uint8_t *error, size_t len)
{
	struct pkt p;

	pkt_init(&p);
	proto_build_auth(&p, AUTH_REQ_OK, NULL, 0);
	pkt_bytes(&p, error, len);
	client_send_last(c, &p);
	pkt_free(&p);
}

static void client_auth_ok(struct client *c);

static void client_send_auth(struct client *c, int32_t code, const void *data, size_t n)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_auth(&p, code, data, n);
	client_send_pkt(c, &p);
	pkt_free(&p);
}

static void client_start_scram(struct client *c)
{
	struct scram_secret secret;
	bool mock = true;

	/* Unknown users get a made-up verifier that is stable per name, so
	 * the exchange looks the same as for a real user with a wrong password. */
	scram_mock_secret(c->user, &secret);
	if (c->secret) {
		switch (secret_kind_of(c->secret)) {
		case SECRET_SCRAM:
			mock = scram_parse_secret(c->secret, &secret) < 0;
			break;
		case SECRET_PLAIN:
			/* PostgreSQL refuses empty passwords; so do we. */
			mock = !*c->secret || scram_secret_from_password(c->secret,
									 SCRAM_DEFAULT_ITERATIONS,
									 &secret) < 0;
			break;
		case SECRET_MD5:
			log_warning("user \"%s\" has an md5 hash in the auth file, which cannot "
				    "verify SCRAM; store a plain password or a SCRAM secret",
				    c->user);
			break;
		}
	}
	if (mock)
		scram_mock_secret(c->user, &secret);
	c->scram = scram_server_new(&secret, mock);
	if (!c->scram) {
		client_fatal(c, "53200", "out of memory");
		return;
	}
	c->auth_method = AM_SCRAM;
	c->sasl_step = 0;
	c->state = CL_AUTH;
	static const char mechs[] = SCRAM_MECHANISM "\0";
	client_send_auth(c, AUTH_REQ_SASL, mechs, sizeof(mechs));
}

static void client_start_auth(struct client *c)
{
	const char *secret = rt.authfile ? authfile_lookup(rt.authfile, c->user) : NULL;

	if (rt.cfg->auth_type == AUTH_TRUST) {
		client_auth_ok(c);
		return;
	}
	if (secret && !(c->secret = strdup(secret))) {
		client_fatal(c, "53200", "out of memory");
		return;
	}
	/* As PostgreSQL does: md5 with a SCRAM secret stored means SCRAM. */
	if (rt.cfg->auth_type == AUTH_SCRAM ||
	    (c->secret && secret_kind_of(c->secret) == SECRET_SCRAM)) {
		client_start_scram(c);
		return;
	}
	if (RAND_bytes(c->md5_salt, sizeof(c->md5_salt)) != 1) {
		client_fatal(c, "53200", "could not generate random salt");
		return;
	}
	c->auth_method = AM_MD5;
	c->state = CL_AUTH;
	client_send_auth(c, AUTH_REQ_MD5, c->md5_salt, sizeof(c->md5_salt));
}

static void client_start_login(struct client *c, const struct startup_msg *m)
{
	if (rt.state != RUN_NORMAL) {
		client_fatal(c, "57P03", "the database system is shutting down");
		return;
	}
	if (rt.n_clients >= rt.cfg->max_client_conn) {
		client_fatal(c, "53300", "sorry, too many clients already");
		return;
	}
	c->counted = true;
	rt.n_clients++;

	c->user = strdup(m->user);
	c->database = strdup(m->database);
	if (!c->user || !c->database) {
		client_fatal(c, "53200", "out of memory");
		return;
	}
	if (client_check_tls(c) < 0)
		return;
	for (int i = 0; i < m->nparams; i++) {
		if (strcmp(m->params[i].name, "replication") == 0) {
			client_fatal(c, "0A000", "pgpin does not support replication connections");
			return;
		}
	}
	/* PostgreSQL takes the options first, then the other settings, which
	 * it never reaches when the options are refused. */
	if (m->options && client_parse_options(c, m->options) < 0) {
		client_fatal(c, "53200", "out of memory");
		return;
	}
	for (int i = 0; i < m->nparams && !c->options_error; i++) {
		if (client_add_var(c, m->params[i].name, m->params[i].value) < 0) {
			client_fatal(c, "53200", "out of memory");
			return;
		}
	}
	/* A newer minor version, or protocol extensions: tell the client what
	 * we speak, as PostgreSQL does, and carry on with 3.0. */
	if ((m->version & 0xffff) != 0 || m->n_unknown_pq > 0) {
		struct pkt p;
		pkt_init(&p);
		proto_build_negotiate_version(&p, 0, m->unknown_pq, m->n_unknown_pq);
		client_send_pkt(c, &p);
		pkt_free(&p);
	}
	log_info("client %s: login user=%s database=%s%s%s%s", c->addr, c->user, c->database,
		 params_get(&c->vars, "application_name") ? " application_name=" : "",
		 params_get(&c->vars, "application_name") ? params_get(&c->vars, "application_name")
							   : "",
		 c->tls ? " (TLS)" : "");
	client_start_auth(c);
}

/*
 * A cancel for a client still waiting for a server: on PostgreSQL its query
 * would be running, and would fail.  A simple Query waiting at the front of
 * its input is answered with 57014 instead of being run; anything else
 * (an extended-protocol batch) waits on, as its cancel cannot be placed.
 */
static void client_cancel_waiting(struct client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t hdr[5];
	struct pkt p;

	if (evbuffer_copyout(in, hdr, 5) < 5 || hdr[0] != 'Q')
		return;
	uint32_t len = proto_get_u32(hdr + 1);
	if (len < 4 || evbuffer_get_length(in) < (size_t)len + 1)
		return;
	evbuffer_drain(in, (size_t)len + 1);
	pool_cancel_wait(c->pool, c);
	log_info("client %s: cancel request: its query had not started", c->addr);
	pkt_init(&p);
	proto_build_error(&p, "ERROR", "57014", "canceling statement due to user request", NULL,
			  NULL);
	proto_build_ready(&p, 'I'); /* waiting: between transactions */
	client_send_pkt(c, &p);
	pkt_free(&p);
	if (c->state == CL_READY && !c->closing && evbuffer_get_length(in) >= 5)
		client_process(c);
}

static void client_handle_cancel(uint32_t pid, uint32_t key)
{
	struct client *target = client_find_by_key(pid, key);

	if (!target) {
		log_debug("cancel request for unknown key (pid %u) ignored", pid);
		return;
	}
	if (!target->server && target->waiting && !target->lite && !target->processing) {
		client_cancel_waiting(target);
		return;
	}
	if (target->server) {
		log_info("client %s: cancel request forwarded", target->addr);
		server_send_client_cancel(target->server);
	}
	if (target->lite) {
		log_info("client %s: cancel request", target->addr);
		lite_session_cancel(target->lite);
	}
}

/* Untyped packets before login: SSLRequest, GSSENCRequest, CancelRequest,
 * StartupMessage. */
static void client_read_startup(struct client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct startup_msg m;
	const char *sqlstate;
	char errmsg[200];
	uint8_t lenbuf[4];

	while (c->state == CL_STARTUP) {
		if (evbuffer_copyout(in, lenbuf, 4) < 4)
			return;
		uint32_t len = proto_get_u32(lenbuf);
		if (len < 8 || len > PROTO_MAX_STARTUP_LEN) {
			client_fatal(c, "08P01", "invalid length of startup packet");
			return;
		}
		if (evbuffer_get_length(in) < len)
			return;
		const uint8_t *buf = evbuffer_pullup(in, len);
		if (proto_parse_startup(buf + 4, len - 4, &m, &sqlstate, errmsg, sizeof(errmsg)) < 0) {
			client_fatal(c, sqlstate, errmsg);
			return;
		}
		switch (m.kind) {
		case STARTUP_SSL:
			evbuffer_drain(in, len);
			if (client_ssl_request(c))
				return; /* c->bev may be another bufferevent now */
			break;
		case STARTUP_GSSENC:
			evbuffer_drain(in, len);
			/* No GSSAPI encryption: the client may go on as it likes. */
			bufferevent_write(c->bev, "N", 1);
			net_flush(c->bev);
			break;
		case STARTUP_CANCEL:
			evbuffer_drain(in, len);
			client_handle_cancel(m.cancel_pid, m.cancel_key);
			client_close(c, "cancel request");
			return;
		case STARTUP_NORMAL:
			/* m points into the buffer: use it before draining. */
			client_start_login(c, &m);
			if (c->state != CL_CLOSED)
				evbuffer_drain(in, len);
			return;
		}
	}
}

/* ------------------------------------------------------- authentication */

static void client_auth_failed(struct client *c)
{
	char msg[200];
	snprintf(msg, sizeof(msg), "password authentication failed for user \"%s\"", c->user);
	client_fatal(c, "28P01", msg);
}

static void client_read_auth(struct client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t hdr[5];
	char type;
	uint32_t len;
	char err[200];

	if (evbuffer_copyout(in, hdr, 5) < 5)
		return;
	if (proto_peek_header(hdr, 5, MAX_AUTH_MSG, &type, &len) <= 0 || type != 'p') {
		if (hdr[0] == 'X')
			client_close(c, "client gave up authentication");
		else
			client_protocol_error(c, "expected password response, got message type %d",
					      hdr[0]);
		return;
	}
	if (evbuffer_get_length(in) < (size_t)len + 1)
		return;
	uint8_t *msg = malloc(len + 1);
	if (!msg) {
		client_fatal(c, "53200", "out of memory");
		return;
	}
	evbuffer_remove(in, msg, len + 1);
	struct pkt_reader r;
	pr_init(&r, msg + 5, len - 4);

	if (c->auth_method == AM_MD5) {
		const char *resp = pr_string(&r);
		if (r.err) {
			client_protocol_error(c, "invalid password packet %d", 0);
		} else if (c->secret && *c->secret &&
			   pg_md5_verify(c->secret, c->user, c->md5_salt, resp)) {
			client_auth_ok(c);
		} else {
			client_auth_failed(c);
		}
	} else if (c->sasl_step == 0) {
		const char *mech = pr_string(&r);
		int32_t n = pr_int32(&r);
		const uint8_t *data = n >= 0 ? pr_bytes(&r, (size_t)n) : NULL;
		char *out = NULL;
		if (r.err || !data) {
			client_protocol_error(c, "malformed SASL initial response %d", 0);
		} else if (strcmp(mech, SCRAM_MECHANISM) != 0) {
			client_fatal(c, "08P01", "client selected an invalid SASL authentication mechanism");
		} else if (scram_server_first(c->scram, (const char *)data, (size_t)n, &out, err,
					      sizeof(err)) < 0) {
			client_fatal(c, "08P01", err);
		} else {
			c->sasl_step = 1;
			client_send_auth(c, AUTH_REQ_SASL_CONT, out, strlen(out));
		}
		free(out);
	} else {
		size_t n = pr_remaining(&r);
		char *out = NULL;
		if (scram_server_final(c->scram, (const char *)pr_bytes(&r, n), n, &out, err,
				       sizeof(err)) < 0) {
			log_info("client %s user=%s: SCRAM authentication failed: %s", c->addr, c->user,
				 err);
			client_auth_failed(c);
		} else {
			client_send_auth(c, AUTH_REQ_SASL_FIN, out, strlen(out));
			client_auth_ok(c);
		}
		free(out);
	}
	free(msg);
}

static void client_auth_ok(struct client *c)
{
	char err[200];

	scram_server_free(c->scram);
	c->scram = NULL;
	if (rt.cfg->endpoint.kind == ENDPOINT_SQLITE) {
		if (c->options_error) {
			client_refuse_after_auth(c, c->options_error, c->options_error_len);
			return;
		}
		/* The session thread opens the database and says when it has. */
		c->lite = lite_session_start(rt.base, c->database, c->user, &c->vars, c->pid,
					     client_lite_notify, c);
		if (!c->lite) {
			client_fatal(c, "53200", "could not start a SQLite session");
			return;
		}
		c->state = CL_LOGIN_WAIT;
		return;
	}
	c->pool = pool_for_client(c->database, c->user, err, sizeof(err));
	if (!c->pool) {
		client_fatal(c, "53200", err);
		return;
	}
	if (c->pool->have_welcome) {
		client_welcome(c);
		return;
	}
	c->state = CL_LOGIN_WAIT;
	pool_request_welcome(c->pool, c);
}

/* ------------------------------------------------------- SQLite backend */

/*
 * Output the session thread produced goes to the client while its output
 * buffer has room; client_write_cb() asks for more.  A part the socket
 * takes whole leaves the output empty and EV_WRITE off, so no write
 * callback would come for the rest: take more until the thread's outbox
 * is empty or the socket is full, and after LITE_OUTPUT_ROUNDS parts let
 * other connections have the loop and come back through the callback.
 */
#define LITE_OUTPUT_ROUNDS 8
static void client_lite_output(struct client *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	for (int round = 0;; round++) {
		size_t have = evbuffer_get_length(out);
		if (have >= RELAY_HIGH_WATER)
			break;
		if (round == LITE_OUTPUT_ROUNDS) {
			bufferevent_trigger(c->bev, EV_WRITE,
					    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
			break;
		}
		if (lite_session_take(c->lite, out, RELAY_HIGH_WATER - have) == 0)
			break;
		net_flush(c->bev);
	}
	/* All written: the thread may write its next replies itself, and
	 * read the next queries too when nothing of them waits here. */
	if (c->tls || c->state != CL_READY || c->closing || evbuffer_get_length(out) > 0)
		return;
	int fd = c->reader ? net_reader_fd(c->reader) : bufferevent_getfd(c->bev);
	lite_session_direct(c->lite, fd, true);
	client_lite_lend(c);
}

/* Lend the socket to the session's thread if nothing of the client's
 * input waits here (see lite_session_lend_input()). */
static void client_lite_lend(struct client *c)
{
	if (c->reader && !c->input_lent && !c->input_returned && !c->tls &&
	    c->state == CL_READY && !c->closing && !c->lite_end &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 &&
	    lite_session_lend_input(c->lite, net_reader_fd(c->reader), rt.cfg->max_packet_size)) {
		net_reader_hold(c->reader, true);
		c->input_lent = true;
	}
}

static void client_lite_welcome(struct client *c)
{
	struct pkt p;

	pkt_init(&p);
	proto_build_auth(&p, AUTH_REQ_OK, NULL, 0);
	enum lite_open_state st = lite_session_opened(c->lite, &p);
	if (st == LITE_OPENING) {
		pkt_free(&p);
		return;
	}
	if (st == LITE_FAILED) {
		/* p holds AuthenticationOk then the FATAL error. */
		log_info("client %s user=%s database=%s: could not open the SQLite database",
			 c->addr, c->user, c->database);
		client_send_last(c, &p);
		pkt_free(&p);
		return;
	}
	proto_build_backend_key(&p, c->pid, c->key);
	proto_build_ready(&p, 'I');
	c->state = CL_READY;
	client_send_pkt(c, &p);
	pkt_free(&p);
	if (c->state != CL_READY)
		return;
	client_lite_output(c);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 && !c->processing)
		bufferevent_trigger(c->bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

static int client_take_input(void *reader, const void *data, size_t len)
{
	return net_reader_add(reader, data, len);
}

/* The session thread has news: opened, output, or room for more input. */
static void client_lite_notify(void *arg)
{
	struct client *c = arg;

	if (c->state == CL_CLOSED || c->closing || !c->lite)
		return;
	if (c->state == CL_LOGIN_WAIT) {
		client_lite_welcome(c);
		if (c->lite_end && c->state == CL_READY && !c->closing)
			client_lite_end(c, c->lite_end);
		return;
	}
	if (c->input_lent) {
		/* The thread may have met something for the loop (the end,
		 * Terminate, a bad message): read and judge it here, after
		 * what the thread read and did not run. */
		int back = lite_session_input_back(c->lite, client_take_input, c->reader);
		if (back != 0) {
			c->input_lent = false;
			c->input_returned = true;
			net_reader_hold(c->reader, false);
		}
		if (back < 0) {
			client_close(c, "out of memory");
			return;
		}
	}
	client_lite_output(c);
	if (c->lite_end) {
		client_lite_end(c, c->lite_end);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		client_process(c);
	if (rt.state == RUN_SHUTDOWN_WAIT && c->state == CL_READY && !c->closing)
		client_shutdown_if_idle(c);
}

/*
 * The client sent Terminate, or its connection ended: stop reading, hand
 * the thread the whole messages still buffered here (as the inbox makes
 * room), and close once it has run them all.  Called again from the
 * thread's notifies until then.
 */
static void client_lite_end(struct client *c, const char *reason)
{
	if (!c->lite_end) {
		c->lite_end = reason;
		client_stop_reading(c);
	}
	if (c->state != CL_READY)
		return; /* logging in: client_lite_notify() comes back */
	if (!c->processing && evbuffer_get_length(bufferevent_get_input(c->bev)) >= 5) {
		client_process(c);
		if (c->state == CL_CLOSED || c->closing)
			return;
	}
	if (lite_session_pending_input(c->lite) >= LITE_INBOX_HIGH)
		return; /* more to hand over once the thread takes the inbox */
	if (lite_session_finished(c->lite))
		client_close(c, c->lite_end);
}

/*
 * Hand the client's whole messages to the session thread.  Terminate
 * ends the client once the thread has run what came before it (see
 * client_lite_end()); everything else, COPY data included, is the
 * session's to judge.  Input stops while the thread has a backlog.
 */
static void client_relay_lite(struct client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t total = 0;
	uint8_t hdr[5];
	char type;
	uint32_t len;
	bool terminate = false;

	if (lite_session_pending_input(c->lite) >= LITE_INBOX_HIGH)
		return; /* the thread's notify brings us back */
	for (;;) {
		struct evbuffer_ptr pos;
		size_t avail = evbuffer_get_length(in);
		if (total + 5 > avail)
			break;
		evbuffer_ptr_set(in, &pos, total, EVBUFFER_PTR_SET);
		if (evbuffer_copyout_from(in, &pos, hdr, 5) < 5)
			break;
		type = (char)hdr[0];
		if (!proto_is_frontend_type(type) || type == 'p') {
			client_protocol_error(c, "invalid frontend message type %d", (uint8_t)type);
			return;
		}
		if (proto_peek_header(hdr, 5, rt.cfg->max_packet_size, &type, &len) < 0) {
			client_fatal(c, "08P01", "invalid message length");
			return;
		}
		if (type == 'X') {
			terminate = true;
			break;
		}
		if (total + 1 + len > avail) {
			if (total == 0)
				client_expect_message(c, 1 + len);
			break;
		}
		total += 1 + len;
		if (total >= LITE_INBOX_HIGH)
			break;
	}
	if (total > 0) {
		lite_session_send(c->lite, evbuffer_pullup(in, total), total);
		evbuffer_drain(in, total);
	}
	if (terminate) {
		/* The thread runs what came before it, then the client is
		 * closed. */
		evbuffer_drain(in, evbuffer_get_length(in));
		client_lite_end(c, "client terminated");
		return;
	}
	if (total == 0)
		return;
	if (evbuffer_get_length(in) >= 5 && !c->processing)
		bufferevent_trigger(c->bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
	/* The thread runs what it has first, then reads the socket. */
	client_lite_lend(c);
}

/*
 * The pool's welcome as bytes, built once: every login to the pool sends
 * the same ParameterStatus messages but for the settings the client gave
 * itself.  False when out of memory.
 */
static bool client_welcome_cache(struct pool *pl)
{
	const struct params *w = &pl->welcome;
	struct pkt p;

	if (pl->welcome_off)
		return true;
	uint32_t *off = malloc(((size_t)w->n + 1) * sizeof(*off));
	bool *tracked = malloc((size_t)w->n + 1);
	if (!off || !tracked) {
		free(off);
		free(tracked);
		return false;
	}
	pkt_init(&p);
	for (int i = 0; i < w->n; i++) {
		off[i] = (uint32_t)p.len;
		proto_build_param_status(&p, w->items[i].name, w->items[i].value);
		tracked[i] = params_is_tracked(w->items[i].name);
	}
	off[w->n] = (uint32_t)p.len;
	if (p.oom) {
		pkt_free(&p);
		free(off);
		free(tracked);
		return false;
	}
	pl->welcome_msgs = p.data;
	pl->welcome_off = off;
	pl->welcome_tracked = tracked;
	return true;
}

/* ------------------------------------------------------- startup settings */

/*
 * PostgreSQL checks the settings a client gives at startup (runtime
 * parameters, "options") before it lets the client in, refuses a bad one
 * with a FATAL error, and reports the ones it shows in ParameterStatus in
 * its own form ("iso" as "ISO, MDY", "utc" as "UTC").  pgpin answers the
 * login itself, so it has a server check them first: with set_config(...,
 * true), which reads them as the login would and leaves the session as it
 * was (params_check_sql()).  The pool remembers what a check showed, so
 * only the first login with a given value waits for a server; values equal
 * to the pool's welcome, and printable ASCII application names (kept as
 * they are), need none.
 */

static bool printable_ascii(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 32 || (unsigned char)*v > 126)
			return false;
	return true;
}

/* A setting that is good as it is, without asking a server. */
static bool setting_plainly_good(const struct pool *pl, const char *name, const char *v)
{
	const char *w = params_get(&pl->welcome, name);
	return (w && strcmp(w, v) == 0) ||
	       (strcasecmp(name, "application_name") == 0 && printable_ascii(v));
}

/*
 * Setting i of the client as a server showed it: in the server's form, or
 * taken out if it only applies when a server process starts (PostgreSQL
 * takes log_connections at login; a pooled session cannot).  Out of memory
 * keeps the client's form: harmless.
 */
static void client_take_setting(struct client *c, int i, const char *shown)
{
	const char *name = c->vars.items[i].name;

	if (shown == pool_at_server_start) {
		log_debug("client %s: startup setting %s applies only when a server starts: not applied",
			  c->addr, name);
		params_remove(&c->vars, name);
	} else if (strcmp(shown, c->vars.items[i].value) != 0) {
		(void)params_set(&c->vars, name, shown);
	}
}

/* True when every setting the client gave is known good; those a check
 * showed in another form then take that form. */
static bool settings_known(const struct pool *pl, const struct params *ps)
{
	for (int i = 0; i < ps->n; i++) {
		const char *name = ps->items[i].name, *v = ps->items[i].value;
		if (!setting_plainly_good(pl, name, v) && !pool_seen_setting(pl, name, v))
			return false;
	}
	return true;
}

static bool client_settings_known(struct client *c)
{
	struct pool *pl = c->pool;

	if (!settings_known(pl, &c->vars) || !settings_known(pl, &c->superseded))
		return false;
	/* Backwards: a setting taken out moves the last one into its place. */
	for (int i = c->vars.n; i-- > 0;) {
		const char *name = c->vars.items[i].name, *v = c->vars.items[i].value;
		if (!setting_plainly_good(pl, name, v))
			client_take_setting(c, i, pool_seen_setting(pl, name, v));
	}
	return true;
}

static void client_start_settings_check(struct client *c)
{
	log_debug("client %s: startup settings to check on a server", c->addr);
	c->settings_check = true;
	c->state = CL_LOGIN_WAIT;
	pool_request(c->pool, c); /* client_linked() when it has a server */
}

static void client_send_settings_check(struct client *c)
{
	struct server *s = c->server;
	char *sql;

	if (params_check_sql(&c->vars, &s->params, &s->base_params, &c->superseded, &sql) < 0) {
		client_fatal(c, "53200", "out of memory");
		return;
	}
	log_debug("client %s: checking startup settings on server pid %u: %s", c->addr, s->be_pid,
		  sql);
	server_send_check(s, sql);
	free(sql);
}

void client_settings_row(struct client *c, const uint8_t *body, size_t len)
{
	struct pkt_reader r;
	int n = c->vars.n;

	/* A row of another width is the statement that set values back. */
	pr_init(&r, body, len);
	if (pr_int16(&r) != n || r.err)
		return;
	char **row = calloc((size_t)n ? (size_t)n : 1, sizeof(*row));
	if (!row)
		return; /* the client's own forms are kept */
	for (int i = 0; i < n && !r.err; i++) {
		int32_t vlen = pr_int32(&r);
		const uint8_t *v = vlen >= 0 ? pr_bytes(&r, (size_t)vlen) : NULL;
		if (vlen < 0)
			row[i] = (char *)pool_at_server_start; /* see params_check_sql() */
		else if (v && !r.err && !memchr(v, 0, (size_t)vlen))
			row[i] = strndup((const char *)v, (size_t)vlen);
	}
	/* The last row is the check's: it replaces any before it. */
	client_check_row_free(c);
	c->check_row = row;
	c->check_row_n = n;
}

void client_settings_failed(struct client *c, const struct error_fields *ef)
{
	struct pkt p;

	if (c->check_error)
		return;
	pkt_init(&p);
	proto_build_error(&p, "FATAL", ef->sqlstate ? ef->sqlstate : "22023",
			  ef->message ? ef->message : "invalid startup setting", ef->detail,
			  ef->hint);
	if (p.oom) {
		pkt_free(&p);
		return;
	}
	log_info("client %s user=%s database=%s: startup setting refused by the server: %s",
		 c->addr, c->user, c->database, ef->message ? ef->message : "?");
	c->check_error = p.data;
	c->check_error_len = p.len;
}

void client_settings_checked(struct client *c)
{
	struct server *s = c->server;

	c->settings_check = false;
	c->settings_checked = true;
	c->server = NULL;
	s->client = NULL;
	pool_server_available(s);

	if (c->check_error) {
		client_refuse_after_auth(c, c->check_error, c->check_error_len);
		return;
	}
	/* Backwards: a setting taken out moves the last one into its place. */
	for (int i = c->check_row_n < c->vars.n ? c->check_row_n : c->vars.n; i-- > 0;) {
		const char *shown = c->check_row[i];
		const char *name = c->vars.items[i].name, *given = c->vars.items[i].value;
		if (!shown)
			continue;
		if (!setting_plainly_good(c->pool, name, given))
			pool_learn_setting(c->pool, name, given, shown);
		client_take_setting(c, i, shown);
	}
	client_check_row_free(c);
	client_welcome(c);
}

void client_welcome(struct client *c)
{
	struct pool *pl = c->pool;
	const struct params *w = &pl->welcome;
	struct pkt p;

	if (!c->settings_checked && !client_settings_known(c)) {
		client_start_settings_check(c);
		return;
	}
	if (c->options_error) {
		client_refuse_after_auth(c, c->options_error, c->options_error_len);
		return;
	}
	if (!client_welcome_cache(pl)) {
		client_fatal(c, "53200", "out of memory");
		return;
	}
	pkt_init(&p);
	proto_build_auth(&p, AUTH_REQ_OK, NULL, 0);
	/* The client's own settings first decide; the pool's values fill in
	 * the rest (a run of them copied at once), and those the session
	 * keeps become the client's.  The client's few settings are looked
	 * up in the welcome, not each welcome item among them. */
	int n_own = c->vars.n;
	int16_t own_at[64]; /* welcome item i: the client's setting own_at[i], or -1 */
	bool by_index = w->n <= 64;
	if (by_index) {
		memset(own_at, 0xff, sizeof(own_at));
		for (int k = 0; k < n_own; k++) {
			int i = params_index(w, c->vars.items[k].name);
			if (i >= 0)
				own_at[i] = (int16_t)k;
		}
	}
	int run = -1; /* the first of the items the client left alone */
	for (int i = 0; i <= w->n; i++) {
		const char *mine = NULL;
		if (i < w->n) {
			if (by_index)
				mine = own_at[i] >= 0 ? c->vars.items[own_at[i]].value : NULL;
			else if (n_own)
				mine = params_get(&c->vars, w->items[i].name);
			if (!mine) {
				if (run < 0)
					run = i;
				if (pl->welcome_tracked[i] &&
				    params_add(&c->vars, w->items[i].name, w->items[i].value) < 0)
					p.oom = true;
				continue;
			}
		}
		if (run >= 0)
			pkt_bytes(&p, pl->welcome_msgs + pl->welcome_off[run],
				  pl->welcome_off[i] - pl->welcome_off[run]);
		run = -1;
		if (mine)
			proto_build_param_status(&p, w->items[i].name, mine);
	}
	proto_build_backend_key(&p, c->pid, c->key);
	proto_build_ready(&p, 'I');
	if (p.oom) {
		pkt_free(&p);
		client_fatal(c, "53200", "out of memory");
		return;
	}
	c->state = CL_READY;
	client_send_pkt(c, &p);
	pkt_free(&p);
	/* Clients may pipeline their first query behind the startup packet. */
	if (c->state == CL_READY && evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 &&
	    !c->processing)
		bufferevent_trigger(c->bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

void client_login_failed(struct client *c, const char *sqlstate, const char *msg)
{
	client_fatal(c, sqlstate, msg);
}

/* ------------------------------------------------------- relaying */

PGPIN_HOT void client_linked(struct client *c)
{
	struct server *s = c->server;
	char *sql = NULL;

	if (c->settings_check) {
		client_send_settings_check(c);
		return;
	}
	uint64_t fp = params_fingerprint(&c->vars);

	if (s->synced_fp == fp && s->synced_gen == s->params.gen)
		goto done; /* last set up for these very settings, unchanged since */

	/* Bring the server's session settings to what this client expects. */
	int n = params_diff_sql(&c->vars, &s->params, &s->base_params, &sql);
	if (n > 0) {
		log_debug("client %s: applying session settings: %s", c->addr, sql);
		server_send_internal(s, sql);
		for (int i = s->params.n - 1; i >= 0; i--) {
			const char *name = s->params.items[i].name;
			if (!params_get(&s->base_params, name) && !params_get(&c->vars, name))
				params_remove(&s->params, name);
		}
		params_copy(&s->params, &c->vars);
	} else if (n < 0) {
		client_fatal(c, "53200", "out of memory");
		free(sql);
		return;
	}
	free(sql);
	s->synced_fp = fp;
	s->synced_gen = s->params.gen;
done:
	if (!c->processing)
		bufferevent_trigger(c->bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

/* Unlink the server and give it back to the pool. */
static void client_release_server(struct client *c)
{
	struct server *s = c->server;
	c->server = NULL;
	s->client = NULL;
	s->pool->stats.xacts++;
	pool_server_available(s);
}

PGPIN_HOT void client_server_ready(struct client *c)
{
	struct server *s = c->server;

	if (server_busy(s) || c->in_batch || c->fwd_remaining)
		return; /* more replies or more of a batch to come */
	if (s->txn_status == 'I' && rt.state == RUN_SHUTDOWN_WAIT) {
		client_release_server(c);
		client_fatal(c, "57P01", "terminating connection due to administrator command");
		return;
	}
	if (c->pins && rt.cfg->pin_session_state == PIN_MODE_YES)
		return; /* session state lives on this server */
	switch (s->pool->mode) {
	case POOL_SESSION:
		return;
	case POOL_TRANSACTION:
		if (s->txn_status == 'I')
			client_release_server(c);
		return;
	case POOL_STATEMENT:
		if (s->txn_status != 'I') {
			client_fatal(c, "25001",
				     "transaction blocks are not allowed in statement pooling mode");
			return;
		}
		client_release_server(c);
		return;
	}
}

void client_expect_message(struct client *c, size_t n)
{
	if (n <= RELAY_HIGH_WATER)
		return;
	c->input_raised = true;
	if (c->reader)
		net_reader_set_high_water(c->reader, n);
	else
		bufferevent_setwatermark(c->bev, EV_READ, 0, n);
}

/* Queue the request a forwarded message makes of the server. */
PGPIN_HOT static int client_push_forward(struct client *c, char type)
{
	struct req r = {.type = type, .kind = RQ_FORWARD};
	return server_push_req(c->server, &r);
}

/*
 * Frame and relay what the client has sent.  Returns when the input is
 * exhausted, the server's output is full, or the client must wait for a
 * server.
 */
static void client_relay(struct client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t copy[5];
	const uint8_t *hdr;
	char type;
	uint32_t len;

	while (c->state == CL_READY) {
		size_t avail = evbuffer_get_length(in);
		if (!avail)
			return;

		if (c->fwd_remaining) {
			size_t n = avail < c->fwd_remaining ? avail : c->fwd_remaining;
			if (c->fwd_drop || !c->server) {
				evbuffer_drain(in, n);
			} else {
				struct server *s = c->server;
				struct evbuffer *out = bufferevent_get_output(s->bev);
				if (evbuffer_get_length(out) >= RELAY_HIGH_WATER)
					return; /* server_write_cb resumes us */
				/* The end of what the client sent goes out now:
				 * the server's flush would come next anyway. */
				net_relay(in, n, s->bev,
					  n == avail && s->reader ? net_reader_fd(s->reader) : -1);
				s->pool->stats.bytes_in += n;
			}
			c->fwd_remaining -= (uint32_t)n;
			if (!c->fwd_remaining)
				c->fwd_drop = false;
			continue;
		}

		if (!(hdr = net_peek_header(in, copy)))
			return;
		type = (char)hdr[0];
		if (!proto_is_frontend_type(type) || type == 'p') {
			client_protocol_error(c, "invalid frontend message type %d", (uint8_t)type);
			return;
		}
		if (proto_peek_header(hdr, 5, rt.cfg->max_packet_size, &type, &len) < 0) {
			client_fatal(c, "08P01", "invalid message length");
			return;
		}
		if (type == 'X') {
			evbuffer_drain(in, evbuffer_get_length(in));
			c->terminated = true;
			client_close(c, "client terminated");
			return;
		}
		if (c->skip_to_sync && type != 'S' && type != 'Q') {
			/* PostgreSQL ignores everything after an error up to Sync. */
			c->fwd_remaining = len + 1;
			c->fwd_drop = true;
			continue;
		}
		if (!c->server) {
			if (track_enabled(c)) {
				int rc = track_unlinked(c, type, len);
				if (rc < 0 || rc == 0)
					return;
				if (rc == 1)
					continue;
			}
			if (c->waiting)
				return;
			pool_request(c->pool, c);
			if (!c->server)
				return; /* queued: pool_server_available() links us */
			continue;
		}

		struct server *s = c->server;
		int rc = 0;
		log_debug("client %s: message '%c' (%u bytes) to server pid %u", c->addr, type, len,
			  s->be_pid);
		switch (type) {
		case 'Q':
			if (track_enabled(c)) {
				rc = track_query(c, len);
				if (rc == 0 || rc < 0)
					return;
				if (rc == 1)
					continue;
			}
			s->pool->stats.queries++;
			rc = client_push_forward(c, type);
			break;
		case 'F':
			s->pool->stats.queries++;
			rc = client_push_forward(c, type);
			break;
		case 'S':
			s->pool->stats.queries++;
			c->in_batch = false;
			c->skip_to_sync = false;
			rc = track_end_batch(c);
			if (rc == 0)
				rc = client_push_forward(c, type);
			break;
		case 'P':
		case 'B':
		case 'D':
		case 'C':
			c->in_batch = true;
			if (track_enabled(c)) {
				rc = track_message(c, type, len);
				if (rc < 0)
					return;
				if (rc == 0)
					return; /* more input needed */
				continue;
			}
			rc = client_push_forward(c, type);
			break;
		case 'E':
			c->in_batch = true;
			rc = client_push_forward(c, type);
			break;
		case 'H':
			c->in_batch = true;
			break;
		default: /* COPY data travels inside a query already queued */
			break;
		}
		if (rc < 0) {
			client_fatal(c, "53200", "out of memory");
			return;
		}
		c->fwd_remaining = len + 1;
	}
}

/*
 * Link a server for what the read fast path has in hand, as client_relay()
 * would.  False when the client must wait for one (client_relay() finds it
 * so), or is going away; *gone then says whether the bytes must be taken.
 */
PGPIN_HOT static bool client_fast_link(struct client *c, bool *gone)
{
	*gone = false;
	if (c->server)
		return true;
	c->processing = true; /* so that client_linked() schedules no read */
	pool_request(c->pool, c);
	c->processing = false;
	if (c->closing || c->state != CL_READY) {
		*gone = true; /* its reader may be gone already */
		return false;
	}
	return c->server != NULL;
}

/*
 * The reader's fast path (net_fast_fn): a whole simple Query, or a whole
 * extended-protocol batch ending in Sync (track_batch_plan()), that arrives
 * while nothing of this client is buffered, when pgpin has nothing to do
 * with it but classify, rename and forward it, goes from the read buffer
 * to the server (straight to its socket when nothing is queued there), as
 * client_relay() would have sent it.  Anything else, or what must wait
 * for a server, is left to client_process().
 */
PGPIN_HOT static size_t client_fast_read(void *arg, const uint8_t *p, size_t n)
{
	struct client *c = arg;
	struct track_batch batch;
	bool gone;

	if (n < 6 || c->state != CL_READY || c->lite || c->closing || c->processing ||
	    c->fwd_remaining || c->skip_to_sync || c->stalled || c->waiting)
		return 0;
	if (p[0] != 'Q') {
		if ((p[0] != 'P' && p[0] != 'B') || p[n - 5] != 'S' ||
		    (c->server && evbuffer_get_length(bufferevent_get_output(c->server->bev)) >=
				      RELAY_HIGH_WATER) ||
		    !track_batch_plan(c, p, n, &batch))
			return 0;
		if (!client_fast_link(c, &gone))
			return gone ? n : 0;
		log_debug("client %s: batch of %d messages (%zu bytes) to server pid %u", c->addr,
			  batch.n, n, c->server->be_pid);
		track_batch_send(c, p, &batch);
		return n;
	}
	uint32_t len = proto_get_u32(p + 1);
	bool track = track_enabled(c);
	if ((size_t)len + 1 != n || len > rt.cfg->max_packet_size || (track && !track_query_plain(c)))
		return 0;
	if (!client_fast_link(c, &gone))
		return gone ? n : 0;
	struct server *s = c->server;
	log_debug("client %s: message 'Q' (%u bytes) to server pid %u", c->addr, len, s->be_pid);
	if (track)
		track_query_pins(c, (const char *)p + 5, len - 4);
	s->pool->stats.queries++;
	if (client_push_forward(c, 'Q') < 0) {
		client_fatal(c, "53200", "out of memory");
		return n;
	}
	s->pool->stats.bytes_in += n;
	net_write(s->bev, s->reader ? net_reader_fd(s->reader) : -1, p, n);
	return n;
}

void client_process(struct client *c)
{
	if (c->processing || c->closing)
		return;
	c->processing = true;
	/* A state change may leave a whole message already buffered (a query
	 * pipelined behind the startup packet), so go round until the state
	 * stops changing. */
	for (;;) {
		enum client_state before = c->state;
		switch (c->state) {
		case CL_STARTUP:
			client_read_startup(c);
			break;
		case CL_AUTH:
			client_read_auth(c);
			break;
		case CL_READY:
			if (c->lite)
				client_relay_lite(c);
			else
				client_relay(c);
			break;
		case CL_LOGIN_WAIT:
		case CL_CLOSED:
			break;
		}
		if (c->state == before || c->state == CL_CLOSED || c->closing)
			break;
	}
	c->processing = false;
	if (c->server)
		net_flush(c->server->bev);
	if (c->bev && !c->closing && c->state != CL_CLOSED)
		net_flush(c->bev); /* replies pgpin gave itself */
	if (c->state != CL_CLOSED) {
		if (c->input_raised &&
		    evbuffer_get_length(bufferevent_get_input(c->bev)) < RELAY_HIGH_WATER) {
			c->input_raised = false;
			if (c->reader)
				net_reader_set_high_water(c->reader, RELAY_HIGH_WATER);
			else
				bufferevent_setwatermark(c->bev, EV_READ, 0, RELAY_HIGH_WATER);
		}
		net_reader_update(c->reader);
	}
}

void client_resume(struct client *c)
{
	if (c->state == CL_READY)
		client_process(c);
}

/* ------------------------------------------------------- upkeep */

void client_janitor(struct client *c, double now)
{
	const struct config *cfg = rt.cfg;

	switch (c->state) {
	case CL_STARTUP:
	case CL_AUTH:
		if (cfg->client_login_timeout > 0 && now - c->connected_at > cfg->client_login_timeout)
			client_fatal(c, "08006", "login timed out (client_login_timeout)");
		break;
	case CL_LOGIN_WAIT:
	case CL_READY:
		if (c->settings_check && c->server && cfg->client_login_timeout > 0 &&
		    now - c->connected_at > cfg->client_login_timeout) {
			client_fatal(c, "08006", "login timed out (client_login_timeout)");
			break;
		}
		if ((c->waiting || c->in_login_wait) && cfg->query_wait_timeout > 0 &&
		    now - c->wait_started > cfg->query_wait_timeout) {
			char msg[400];
			if (c->pool->last_failure && now - c->pool->last_failure < cfg->query_wait_timeout + 2) {
				snprintf(msg, sizeof(msg),
					 "no server connection available within query_wait_timeout: %s",
					 c->pool->last_error);
				client_fatal(c, "08006", msg);
			} else {
				client_fatal(c, "53300",
					     "no server connection available within query_wait_timeout "
					     "(all pool_size servers busy)");
			}
		}
		break;
	case CL_CLOSED:
		break;
	}
}

void client_shutdown_if_idle(struct client *c)
{
	if (c->state == CL_CLOSED || c->closing)
		return;
	if (c->state != CL_READY) {
		client_fatal(c, "57P01", "terminating connection due to administrator command");
		return;
	}
	if (c->lite) {
		if (lite_session_idle(c->lite))
			client_fatal(c, "57P01", "terminating connection due to administrator command");
		return;
	}
	if (!c->server) {
		client_fatal(c, "57P01", "terminating connection due to administrator command");
		return;
	}
	struct server *s = c->server;
	if (s->txn_status == 'I' && !server_busy(s) && !c->in_batch && !c->fwd_remaining) {
		client_release_server(c);
		client_fatal(c, "57P01", "terminating connection due to administrator command");
	}
}

struct client *client_find_by_key(uint32_t pid, uint32_t key)
{
	struct client *c;
	TAILQ_FOREACH(c, &rt.clients, link) {
		if (c->pid == pid && c->state == CL_READY)
			return scram_ct_equal(&c->key, &key, sizeof(key)) ? c : NULL;
	}
	return NULL;
}
