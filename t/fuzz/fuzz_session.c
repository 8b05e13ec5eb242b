/*
 * fuzz_session.c - fuzz target for the SQLite backend's protocol engine
 * (src/sqlite/session.c and everything under it: translator, describe,
 * catalog, types, COPY, errors) on untrusted frontend messages.
 *
 * Each input is a stream of typed frontend messages, as a client sends
 * them after the startup: type byte, int32 length (>= 4, counting
 * itself), body.  Only what client.c would hand over is used: complete
 * messages of a frontend type other than 'p' and 'X'; the first message
 * that is not (or 'X', or a truncated one) ends the input.  At most
 * FUZZ_MAX_MSGS messages of at most FUZZ_MAX_MSG_LEN bytes are taken so
 * that one input runs fast.
 *
 * A fresh session is built per input the way link.c builds one (a
 * lite_session with its mutex, condition and notify event), opened with
 * session_open() on a private in-memory database (lite_init() with
 * sqlite_path ":memory:": single-file mode), and fed one message at a time
 * through session_input(), each on its own exactly-sized heap copy.  An
 * event loop thread plays the part of pgpin's loop: the notify event
 * moves the outbox away, so lite_flush() never waits for ever.  At the end
 * session_close() runs and everything is freed; AddressSanitizer's leak
 * check then covers the whole session.
 *
 * Invariants (abort() on violation):
 *   - the output (the welcome, then everything moved out of s->out and
 *     the outbox) is a sequence of well-framed backend messages of backend
 *     types, and the messages with a fixed layout (ReadyForQuery,
 *     RowDescription, DataRow, ParameterDescription, CommandComplete,
 *     ParameterStatus, CopyInResponse, ErrorResponse/NoticeResponse with
 *     severity, 5-character SQLSTATE and message, ...) have exactly it;
 *   - after a Query or a Sync outside COPY, once the session is not in
 *     COPY any more, the last message sent is ReadyForQuery;
 *   - after session_close() the process-wide writer lock is free.
 *
 * Things that would only make inputs slow, never wrong, are bounded on the
 * session's connection after session_open(): a SQLite progress handler
 * interrupts statements after a budget of VM steps (a 57014-like error to
 * the client), values are limited to 1 MiB, and pg_sleep() returns at
 * once.
 *
 * Two builds (as fuzz_proto.c):
 *   -DPGPIN_LIBFUZZER  libFuzzer target; see t/fuzz/run.sh.
 *   (default)          standalone replay program with its own main():
 *                      runs every file (or every file in every directory)
 *                      named on the command line, or stdin if none.
 */
#include <event2/event.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "params.h"
#include "proto.h"
#include "sqlite/link.h"
#include "sqlite/session.h"
#include "wake.h"

#define FUZZ_MAX_MSGS 64
#define FUZZ_MAX_MSG_LEN (64u << 10)
/* Progress handler: called every FUZZ_PROGRESS_N VM steps, interrupts
 * once FUZZ_PROGRESS_CALLS calls were made in one input. */
#define FUZZ_PROGRESS_N 1000
#define FUZZ_PROGRESS_CALLS 1000
/* A backend message longer than this is a bug (values are <= 1 MiB). */
#define FUZZ_MAX_BACKEND_LEN (64u << 20)

#include "check.h"

/* ------------------------------------------------------ output checks */

/* The backend messages seen so far, and a partial one carried over. */
struct outchk {
	uint8_t *buf;
	size_t len, cap;
	char last;	/* type of the last complete message */
	unsigned nmsgs;
};

static bool is_backend_type(char t)
{
	switch (t) {
	case 'R': /* Authentication* */
	case 'K': /* BackendKeyData */
	case 'S': /* ParameterStatus */
	case 'Z': /* ReadyForQuery */
	case 'T': /* RowDescription */
	case 'D': /* DataRow */
	case 'C': /* CommandComplete */
	case 'I': /* EmptyQueryResponse */
	case 'E': /* ErrorResponse */
	case 'N': /* NoticeResponse */
	case 'A': /* NotificationResponse */
	case '1': /* ParseComplete */
	case '2': /* BindComplete */
	case '3': /* CloseComplete */
	case 'n': /* NoData */
	case 't': /* ParameterDescription */
	case 's': /* PortalSuspended */
	case 'G': /* CopyInResponse */
	case 'H': /* CopyOutResponse */
	case 'W': /* CopyBothResponse */
	case 'd': /* CopyData */
	case 'c': /* CopyDone */
	case 'V': /* FunctionCallResponse */
	case 'v': /* NegotiateProtocolVersion */
		return true;
	default:
		return false;
	}
}

static void check_sqlstate(const char *st)
{
	CHECK(st != NULL && strlen(st) == 5);
	for (int i = 0; i < 5; i++)
		CHECK((st[i] >= '0' && st[i] <= '9') || (st[i] >= 'A' && st[i] <= 'Z'));
}

/* A NUL-terminated string from r, which must have one. */
static const char *need_string(struct pkt_reader *r)
{
	const char *s = pr_string(r);
	CHECK(!r->err);
	return s;
}

static void check_message(char type, const uint8_t *body, size_t len)
{
	struct pkt_reader r;
	pr_init(&r, body, len);

	switch (type) {
	case 'Z':
		CHECK(len == 1);
		CHECK(body[0] == 'I' || body[0] == 'T' || body[0] == 'E');
		return;
	case '1':
	case '2':
	case '3':
	case 'n':
	case 'I':
	case 's':
	case 'c':
		CHECK(len == 0);
		return;
	case 'C': {
		const char *tag = need_string(&r);
		CHECK(tag[0] != '\0');
		break;
	}
	case 'S':
		CHECK(need_string(&r)[0] != '\0');
		need_string(&r);
		break;
	case 'E':
	case 'N': {
		struct error_fields f;
		CHECK(proto_parse_error(body, len, &f) == 0);
		CHECK(f.severity != NULL && f.message != NULL);
		check_sqlstate(f.sqlstate);
		/* Every field is code byte + string, and a final NUL. */
		while (pr_remaining(&r) > 1) {
			CHECK(pr_byte(&r) != 0);
			need_string(&r);
		}
		CHECK(pr_byte(&r) == 0 && !r.err);
		break;
	}
	case 'T': {
		int n = pr_int16(&r);
		CHECK(!r.err && n >= 0);
		for (int i = 0; i < n; i++) {
			need_string(&r);
			pr_int32(&r); /* table oid */
			pr_int16(&r); /* attnum */
			pr_int32(&r); /* type oid */
			pr_int16(&r); /* typlen */
			pr_int32(&r); /* typmod */
			int16_t fmt = pr_int16(&r);
			CHECK(!r.err && (fmt == 0 || fmt == 1));
		}
		break;
	}
	case 'D': {
		int n = pr_int16(&r);
		CHECK(!r.err && n >= 0);
		for (int i = 0; i < n; i++) {
			int32_t l = pr_int32(&r);
			CHECK(!r.err && l >= -1);
			if (l > 0)
				CHECK(pr_bytes(&r, (size_t)l) != NULL);
		}
		break;
	}
	case 't': {
		int n = pr_int16(&r);
		CHECK(!r.err && n >= 0);
		for (int i = 0; i < n; i++)
			pr_int32(&r);
		CHECK(!r.err);
		break;
	}
	case 'G':
	case 'H':
	case 'W': {
		uint8_t all = pr_byte(&r);
		int n = pr_int16(&r);
		CHECK(!r.err && all <= 1 && n >= 0);
		for (int i = 0; i < n; i++) {
			int16_t fmt = pr_int16(&r);
			CHECK(!r.err && (fmt == 0 || fmt == 1));
		}
		break;
	}
	case 'K':
		CHECK(len >= 8);
		return;
	default:
		return; /* R, A, d, V, v: free-form enough */
	}
	CHECK(pr_remaining(&r) == 0); /* nothing after the last field */
}

/* FUZZ_TRACE=1 in the environment prints the replies (to check seeds). */
static bool trace;

static void trace_message(char type, const uint8_t *body, size_t len)
{
	struct error_fields f;

	if ((type == 'E' || type == 'N') && proto_parse_error(body, len, &f) == 0)
		fprintf(stderr, "  <%c %s %s\n", type, f.sqlstate, f.message);
	else if (type == 'C' || type == 'S')
		fprintf(stderr, "  <%c %s\n", type, (const char *)body);
	else if (type == 'Z')
		fprintf(stderr, "  <Z %c\n", body[0]);
	else
		fprintf(stderr, "  <%c (%zu bytes)\n", type, len);
}

/* Take more output bytes; check every complete message in them. */
static void outchk_add(struct outchk *o, const uint8_t *data, size_t n)
{
	if (n == 0)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + n)
			cap *= 2;
		o->buf = realloc(o->buf, cap);
		CHECK(o->buf != NULL);
		o->cap = cap;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;

	size_t off = 0;
	while (o->len - off >= 5) {
		char type = (char)o->buf[off];
		uint32_t len = proto_get_u32(o->buf + off + 1);
		if (!is_backend_type(type)) {
			fprintf(stderr, "output message %u has type 0x%02x\n", o->nmsgs,
				(unsigned char)type);
			CHECK(!"not a backend message type");
		}
		CHECK(len >= 4 && len <= FUZZ_MAX_BACKEND_LEN);
		if (o->len - off < 1 + (size_t)len)
			break;
		/* Exactly sized, so that a field read past the message shows. */
		uint8_t *body = dup_exact(o->buf + off + 5, len - 4);
		check_message(type, body, len - 4);
		if (trace)
			trace_message(type, body, len - 4);
		free(body);
		o->last = type;
		o->nmsgs++;
		off += 1 + (size_t)len;
	}
	memmove(o->buf, o->buf + off, o->len - off);
	o->len -= off;
}

/* ------------------------------------------------------- the loop side */

static struct event_base *base;
static pthread_t loop_thread;
static struct lite_session probe; /* for the writer-lock check */

/* The session being fuzzed and its output check (guarded by s->mu). */
struct fuzz_state {
	struct lite_session *s;
	struct outchk out;
	int progress_calls;
};

static struct fuzz_state fs;

/* Move the outbox into the checker (s->mu held). */
static void take_outbox(struct lite_session *s)
{
	size_t n = s->outbox.len - s->outbox.off;
	if (n > 0)
		outchk_add(&fs.out, s->outbox.data + s->outbox.off, n);
	s->outbox.off = s->outbox.len = 0;
	pthread_cond_broadcast(&s->cond); /* room for a waiting lite_flush() */
}

/* The notify wake: what client_lite_output() does, on the loop thread. */
static void notify_cb(void *arg)
{
	struct lite_session *s = arg;
	pthread_mutex_lock(&s->mu);
	take_outbox(s);
	pthread_mutex_unlock(&s->mu);
}

/* Return once the loop thread has run every wake posted before the call:
 * it runs them one after the other, in order. */
static pthread_mutex_t barrier_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t barrier_cond = PTHREAD_COND_INITIALIZER;

static void barrier_cb(void *arg)
{
	pthread_mutex_lock(&barrier_mu);
	*(bool *)arg = true;
	pthread_cond_broadcast(&barrier_cond);
	pthread_mutex_unlock(&barrier_mu);
}

static void loop_barrier(void)
{
	bool done = false;
	struct wake *w = wake_new(barrier_cb, &done);
	CHECK(w != NULL);
	wake_post(w);
	pthread_mutex_lock(&barrier_mu);
	while (!done)
		pthread_cond_wait(&barrier_cond, &barrier_mu);
	pthread_mutex_unlock(&barrier_mu);
	wake_free(w);
}

#ifndef PGPIN_LIBFUZZER
static void stop_cb(void *arg)
{
	(void)arg;
	event_base_loopbreak(base);
}
#endif

static void *loop_main(void *arg)
{
	(void)arg;
	event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static void global_init(void)
{
	static struct config cfg;
	char err[256];

	if (base)
		return;
	trace = getenv("FUZZ_TRACE") != NULL;
	base = event_base_new();
	CHECK(base != NULL);
	CHECK(wake_setup(base) == 0);
	CHECK(pthread_create(&loop_thread, NULL, loop_main, NULL) == 0);

	cfg.endpoint.kind = ENDPOINT_SQLITE;
	cfg.endpoint.sqlite_path = (char *)":memory:";
	cfg.sqlite_synchronous = 0;
	cfg.sqlite_busy_timeout = 0;
	cfg.sqlite_lock_timeout = 2; /* a leaked lock shows as 55P03, and below */
	if (lite_init(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "lite_init: %s\n", err);
		abort();
	}
	pthread_mutex_init(&probe.mu, NULL);
	pthread_cond_init(&probe.cond, NULL);
}

#ifndef PGPIN_LIBFUZZER
static void global_done(void)
{
	if (!base)
		return;
	/* Only the loop's own thread may touch it: stop it from there. */
	struct wake *stop = wake_new(stop_cb, NULL);
	CHECK(stop != NULL);
	wake_post(stop);
	pthread_join(loop_thread, NULL);
	wake_free(stop);
	wake_teardown();
	event_base_free(base);
	base = NULL;
	pthread_mutex_destroy(&probe.mu);
	pthread_cond_destroy(&probe.cond);
	libevent_global_shutdown();
}
#endif

/* ------------------------------------------------------- bounds on SQLite */

static int progress(void *arg)
{
	struct fuzz_state *f = arg;
	return ++f->progress_calls > FUZZ_PROGRESS_CALLS;
}

static void fast_sleep(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_null(ctx);
}

static void bound_sqlite(sqlite3 *db)
{
	sqlite3_progress_handler(db, FUZZ_PROGRESS_N, progress, &fs);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
	CHECK(sqlite3_create_function(db, "pg_sleep", 1, SQLITE_UTF8, NULL, fast_sleep, NULL,
				      NULL) == SQLITE_OK);
}

/* ------------------------------------------------------- one session */

static struct lite_session *session_new(void)
{
	struct lite_session *s = calloc(1, sizeof(*s));
	struct params vars;

	CHECK(s != NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	pkt_init(&s->open_reply);
	pkt_init(&s->out);
	params_init(&s->vars);
	params_init(&vars);
	CHECK(params_set(&vars, "application_name", "fuzz") == 0);
	CHECK(params_set(&vars, "client_encoding", "UTF8") == 0);
	CHECK(params_set(&vars, "DateStyle", "ISO, MDY") == 0);
	CHECK(params_copy(&s->vars, &vars) == 0);
	params_free(&vars);
	s->database = strdup("postgres");
	s->user = strdup("fuzz");
	CHECK(s->database && s->user);
	s->pid = 4242;
	s->notify_wake = wake_new(notify_cb, s);
	CHECK(s->notify_wake != NULL);
	return s;
}

static void session_free_all(struct lite_session *s)
{
	wake_free(s->notify_wake);
	loop_barrier(); /* a callback already running on the loop ends first */
	free(s->inbox.data);
	free(s->outbox.data);
	pkt_free(&s->open_reply);
	pkt_free(&s->out);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s->database);
	free(s->user);
	params_free(&s->vars);
	free(s);
}

/* What session_thread() does after session_input(), then the loop's part. */
static void flush_and_take(struct lite_session *s)
{
	lite_flush(s);
	pthread_mutex_lock(&s->mu);
	take_outbox(s);
	CHECK(!s->closing); /* nothing made the session give up */
	pthread_mutex_unlock(&s->mu);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lite_error e;
	struct pkt welcome;

	global_init();
	struct lite_session *s = session_new();
	pthread_mutex_lock(&s->mu);
	memset(&fs, 0, sizeof(fs));
	fs.s = s;
	pthread_mutex_unlock(&s->mu);

	memset(&e, 0, sizeof(e));
	if (session_open(s, &e) != 0) {
		fprintf(stderr, "session_open: %s %s\n", e.sqlstate, e.message);
		abort();
	}
	bound_sqlite(s->db);
	pkt_init(&welcome);
	session_welcome(s, &welcome);
	CHECK(!welcome.oom && welcome.len > 0);
	pthread_mutex_lock(&s->mu);
	outchk_add(&fs.out, welcome.data, welcome.len);
	CHECK(fs.out.len == 0 && fs.out.last == 'S');
	pthread_mutex_unlock(&s->mu);
	pkt_free(&welcome);

	size_t pos = 0;
	for (int nmsg = 0; nmsg < FUZZ_MAX_MSGS && size - pos >= 5; nmsg++) {
		char type = (char)data[pos];
		uint32_t len = proto_get_u32(data + pos + 1);
		/* What client_relay_lite() lets through. */
		if (!proto_is_frontend_type(type) || type == 'p' || type == 'X')
			break;
		if (len < 4 || len > FUZZ_MAX_MSG_LEN || size - pos - 1 < len)
			break;
		uint8_t *msg = dup_exact(data + pos, 1 + (size_t)len);
		if (trace)
			fprintf(stderr, "%c %.*s\n", type, (int)(len > 84 ? 80 : len - 4),
				(const char *)msg + 5);
		pos += 1 + (size_t)len;

		bool copy_before = s->copy != COPY_NONE;
		bool skipping = s->skip_to_sync; /* a Query is dropped too, as PostgreSQL does */
		session_input(s, msg, 1 + (size_t)len);
		free(msg);
		flush_and_take(s);

		CHECK(fs.out.len == 0); /* only whole messages are flushed */
		if ((type == 'S' || (type == 'Q' && !skipping)) && !copy_before &&
		    s->copy == COPY_NONE) {
			if (fs.out.last != 'Z') {
				fprintf(stderr, "after '%c' (message %d) the last reply is '%c'\n", type,
					nmsg, fs.out.last);
				CHECK(!"no ReadyForQuery after Query/Sync");
			}
		}
	}

	session_close(s);
	flush_and_take(s);
	CHECK(fs.out.len == 0);
	CHECK(s->db == NULL);
	CHECK(!s->writer);

	/* The writer lock must be free for the next session. */
	memset(&e, 0, sizeof(e));
	CHECK(lite_writer_acquire(&probe, &e) == 0);
	lite_writer_release(&probe);

	pthread_mutex_lock(&s->mu);
	free(fs.out.buf);
	memset(&fs, 0, sizeof(fs));
	pthread_mutex_unlock(&s->mu);
	session_free_all(s);
	return 0;
}

#ifndef PGPIN_LIBFUZZER
#define FUZZ_NAME "fuzz_session"
#define FUZZ_REPLAY_DONE() global_done()
#include "replay.h"
#endif
