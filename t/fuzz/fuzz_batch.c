/*
 * fuzz_batch.c - fuzz target for the client's extended-protocol batches
 * under transaction pooling (src/track.c).
 *
 * The read fast path hands a batch read in one piece to track_batch_plan(),
 * and, if the plan takes it, to track_batch_send(), which must do exactly
 * what client_relay() and track_message() would have done message by
 * message.  This target checks that claim differentially: every input the
 * plan takes is sent both ways, from the same starting state, to a server
 * whose output is a socketpair, and the bytes the server gets, the
 * requests queued on it, and what the client's state becomes must agree.
 * Inputs the plan refuses only have to be refused safely.
 *
 * Byte 0 of an input chooses the starting state:
 *   bit 0  session pooling (no statement tracking)
 *   bit 1  the server already has statement "a" prepared
 *   bit 2  ...and statement "bb"
 *   bit 3  the client is closing "bb" (a Close is queued)
 *   bit 4  "bb"'s Parse is unanswered, from an earlier batch
 *   bit 5  pin_session_state = error
 *   bit 6  a statement cache of one (eviction)
 * The rest is the bytes read.  The client has named "a" (SELECT 1) and "bb"
 * (SELECT $1::int4, one int4 parameter).
 *
 * Two builds, as the other targets (see t/fuzz/README.md): with
 * -DPGPIN_LIBFUZZER for libFuzzer, otherwise a replay program.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "client.h"
#include "config.h"
#include "log.h"
#include "pin.h"
#include "pool.h"
#include "proto.h"
#include "runtime.h"
#include "server.h"
#include "stmt.h"
#include "track.h"

#include "check.h"

#define FUZZ_NAME "fuzz_batch"

/* main.c's part of the runtime, which this target does without. */
struct runtime rt;
double rt_now(void)
{
	return 0;
}
double rt_now_coarse(void)
{
	return 0;
}
void rt_check_shutdown_done(void)
{
}

static struct config cfg;
static struct pool pool;
static struct client client;
static struct server server;
static int server_peer = -1; /* the other end of the server's socketpair */
static struct stmt *st_a, *st_bb;

static const uint8_t key_a[] = "SELECT 1\0\0";		     /* query\0, no parameters */
static const uint8_t key_bb[] = "SELECT $1::int4\0\0\1\0\0\0\x17"; /* one int4 */

static struct bufferevent *pair_bev(int *peer)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(evutil_make_socket_nonblocking(sv[0]) == 0);
	CHECK(evutil_make_socket_nonblocking(sv[1]) == 0);
	int big = 1 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	struct bufferevent *bev = bufferevent_socket_new(rt.base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	CHECK(bev != NULL);
	*peer = sv[1];
	return bev;
}

static void setup(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	log_setup(LOG_LVL_ERROR, false, "fuzz_batch");
	char err[200];
	CHECK(pin_init(err, sizeof(err)) == 0);
	rt.base = event_base_new();
	CHECK(rt.base != NULL);
	rt.cfg = &cfg;
	TAILQ_INIT(&rt.clients);
	TAILQ_INIT(&rt.pools);
	cfg.max_packet_size = 1u << 30;

	stmt_registry_init(&pool.registry);
	TAILQ_INIT(&pool.idle);
	TAILQ_INIT(&pool.used);
	TAILQ_INIT(&pool.pending);
	TAILQ_INIT(&pool.waiting);
	TAILQ_INIT(&pool.login_wait);
	st_a = stmt_intern(&pool.registry, key_a, sizeof(key_a) - 1);
	st_bb = stmt_intern(&pool.registry, key_bb, sizeof(key_bb) - 1);
	CHECK(st_a && st_bb);

	int client_peer;
	client.bev = pair_bev(&client_peer);
	client.state = CL_READY;
	client.pool = &pool;
	client.user = "fuzz";
	snprintf(client.addr, sizeof(client.addr), "fuzz");
	stmt_names_init(&client.names);

	server.bev = pair_bev(&server_peer);
	server.pool = &pool;
	server.state = SV_ACTIVE;
	snprintf(server.addr, sizeof(server.addr), "fuzz");
	stmt_cache_init(&server.stmts);
}

/* The starting state byte 0 chooses. */
static void reset(uint8_t flags)
{
	cfg.max_prepared_statements = flags & 0x40 ? 1 : 4;
	cfg.pin_session_state = flags & 0x20 ? PIN_MODE_ERROR : PIN_MODE_YES;
	cfg.backend_is_pooler = false;
	pool.mode = flags & 1 ? POOL_SESSION : POOL_TRANSACTION;
	memset(&pool.stats, 0, sizeof(pool.stats));

	stmt_names_clear(&client.names);
	CHECK(stmt_names_add(&client.names, "a", st_a) == 0);
	CHECK(stmt_names_add(&client.names, "bb", st_bb) == 0);
	client.batch_seq = 7;
	struct stmt_name *e = stmt_names_entry(&client.names, "a");
	e->confirmed = true;
	e = stmt_names_entry(&client.names, "bb");
	e->confirmed = !(flags & 0x10);
	e->batch = 6;
	e->closing = flags & 0x08;
	client.pins = 0;
	client.pin_logged = true;
	client.stalled = false;
	client.fwd_remaining = 0;
	client.fwd_drop = false;
	client.skip_to_sync = false;
	client.in_batch = false;
	client.server = &server;
	server.client = &client;

	stmt_cache_clear(&server.stmts);
	if (flags & 0x02)
		CHECK(stmt_cache_add(&server.stmts, st_a) != NULL);
	if (flags & 0x04 && !(flags & 0x40 && flags & 0x02))
		CHECK(stmt_cache_add(&server.stmts, st_bb) != NULL);
	server.batch_gen = 3;
	server.txn_status = 'I';
}

/* What one way of sending left behind. */
struct outcome {
	uint8_t *bytes; /* what the server got */
	size_t len;
	char reqs[256]; /* type and kind of each queued request */
	uint32_t pins;
	uint64_t batch_seq;
	bool in_batch, skip_to_sync;
	uint64_t parses, binds, queries, server_parses, injected;
};

static void collect(struct outcome *o)
{
	/* What reached the socket, then what is still queued on it. */
	struct evbuffer *out = bufferevent_get_output(server.bev);
	struct evbuffer *got = evbuffer_new();
	CHECK(got != NULL);
	while (evbuffer_read(got, server_peer, -1) > 0)
		;
	evbuffer_unfreeze(out, 1);
	CHECK(evbuffer_add_buffer(got, out) == 0);
	evbuffer_freeze(out, 1);
	bufferevent_disable(server.bev, EV_WRITE);
	o->len = evbuffer_get_length(got);
	o->bytes = dup_exact(evbuffer_pullup(got, -1), o->len);
	evbuffer_free(got);

	size_t k = 0;
	for (uint32_t i = 0; i < server.rq_len && k + 3 < sizeof(o->reqs); i++) {
		struct req *r = &server.rq[(server.rq_head + i) & (server.rq_cap - 1)];
		o->reqs[k++] = r->type;
		o->reqs[k++] = (char)('0' + r->kind);
		stmt_unref(r->stmt);
		free(r->client_name);
		free(r->error_msg);
		memset(r, 0, sizeof(*r));
	}
	o->reqs[k] = 0;
	server.rq_head = 0;
	server.rq_len = 0;
	server.n_internal = 0;
	o->pins = client.pins;
	o->batch_seq = client.batch_seq;
	o->in_batch = client.in_batch;
	o->skip_to_sync = client.skip_to_sync;
	o->parses = pool.stats.client_parses;
	o->binds = pool.stats.binds;
	o->queries = pool.stats.queries;
	o->server_parses = pool.stats.server_parses;
	o->injected = pool.stats.injected_parses;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct track_batch b;
	struct outcome fast, slow;

	if (size < 1)
		return 0;
	setup();
	uint8_t flags = data[0];
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	uint8_t *copy = dup_exact(p, n);

	reset(flags);
	bool planned = track_batch_plan(&client, copy, n, &b);
	if (!planned) {
		free(copy);
		return 0;
	}
	CHECK(b.n >= 1 && b.n <= TRACK_BATCH_MAX && b.len == n);
	CHECK(b.m[b.n - 1].type == 'S');
	size_t off = 0;
	for (int i = 0; i < b.n; i++) {
		CHECK(b.m[i].off == off);
		CHECK(i == b.n - 1 || strchr("PBDE", b.m[i].type));
		CHECK(!b.m[i].head || (b.m[i].head > 5 && b.m[i].head <= b.m[i].len + 1));
		CHECK(!b.m[i].head == !b.m[i].st);
		off += (size_t)b.m[i].len + 1;
	}
	CHECK(off == n);

	/* The fast way. */
	CHECK(track_batch_send(&client, copy, &b) == 0);
	collect(&fast);
	if (!b.rewrite)
		CHECK(fast.len == n && memcmp(fast.bytes, copy, n) == 0);

	/* The message-by-message way, from the same state. */
	reset(flags);
	struct evbuffer *in = bufferevent_get_input(client.bev);
	/* As the reader leaves it: a socket bufferevent's input is frozen at
	 * its end but while reading. */
	evbuffer_unfreeze(in, 0);
	CHECK(evbuffer_add(in, copy, n) == 0);
	evbuffer_freeze(in, 0);
	client_process(&client);
	CHECK(evbuffer_get_length(in) == 0);
	collect(&slow);

	if (fast.len != slow.len || memcmp(fast.bytes, slow.bytes, fast.len) != 0) {
		fprintf(stderr, "the server got different bytes: %zu the fast way, %zu the slow way\n",
			fast.len, slow.len);
		abort();
	}
	CHECK(strcmp(fast.reqs, slow.reqs) == 0);
	CHECK(fast.pins == slow.pins);
	CHECK(fast.batch_seq == slow.batch_seq);
	CHECK(fast.in_batch == slow.in_batch && fast.skip_to_sync == slow.skip_to_sync);
	CHECK(fast.parses == slow.parses && fast.binds == slow.binds &&
	      fast.queries == slow.queries);
	CHECK(fast.server_parses == slow.server_parses && fast.injected == slow.injected);
	CHECK(evbuffer_get_length(bufferevent_get_output(client.bev)) == 0);
	free(fast.bytes);
	free(slow.bytes);
	free(copy);
	return 0;
}

#ifndef PGPIN_LIBFUZZER
#include "replay.h"
#endif
