/*
 * track.h - the client's Parse, Bind, Describe and Close messages, rewritten
 * so that named prepared statements survive transaction pooling.
 *
 * A client's statement names map to shared statements (stmt.h); on the wire
 * to the server every named statement is called by its server-side name
 * ("pgpin_<id>").  Parse of a statement the server already has is answered
 * by pgpin; Bind or Describe of one the server lacks is preceded by an
 * injected Parse; Close is answered by pgpin.  Errors PostgreSQL would raise
 * itself (42P05 duplicate name, 26000 unknown name) are raised in the same
 * place of the stream, and the server is made to fail at that point too, so
 * that the rest of the batch is skipped and an implicit transaction rolled
 * back exactly as PostgreSQL would.
 */
#ifndef PGPIN_TRACK_H
#define PGPIN_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct stmt;
struct server;

/* Whether a client's statements are tracked (transaction or statement
 * pooling, and max_prepared_statements > 0). */
bool track_enabled(const struct client *c);

/*
 * Handle one P, B, D or C message (header type/len) at the front of the
 * client's input while a server is linked.  Returns 1 when handled (the
 * message consumed, or its tail left to stream via c->fwd_remaining), 0
 * when more input is needed, -1 when the client was closed.
 */
int track_message(struct client *c, char type, uint32_t len);

/*
 * A simple Query at the front of the client's input, server linked or not:
 * session state is recognised (pinning the client, or refusing the
 * statement with pin_session_state = error), and `DEALLOCATE name` of a
 * protocol-level statement is answered by pgpin.  Returns 1 when handled
 * completely, 3 when the caller should forward it as usual, 0 when more
 * input is needed, 2 when it needs a server first, -1 when the client was
 * closed.
 */
int track_query(struct client *c, uint32_t len);
/*
 * Whether a Query from c needs nothing of track_query() but its session
 * state classified (track_query_pins()): no DEALLOCATE of the client's own
 * names to look for, no refusal to give.  The read fast path relies on it.
 */
bool track_query_plain(const struct client *c);
/* Classify a Query's text (sqllen bytes) and pin or release c as it says. */
void track_query_pins(struct client *c, const char *sql, size_t sqllen);

/*
 * The server answered (or skipped) the Parse that defined a client's name:
 * record it, and let a client waiting on that answer go on.
 */
void track_parse_done(struct client *c, const char *name, struct stmt *st, bool ok);
/* Likewise for a Close of a client's name: answered (the name goes) or
 * skipped after an error (the name stays). */
void track_close_done(struct client *c, const char *name, struct stmt *st, bool ok);
/* After DISCARD ALL / DEALLOCATE ALL ran on s: forget the client's names
 * and the server's statements, except those Parse requests still queued
 * behind it will create. */
void track_forget_all(struct server *s, bool client_too);

/*
 * The client's Sync is about to go to the server.  When the backend is
 * itself a transaction pooler, the statements this batch prepared are
 * closed before it, since the next batch may run on another session.
 * Returns -1 on allocation failure.
 */
int track_end_batch(struct client *c);

/*
 * A message from a client with no server linked, in transaction pooling.
 * What needs no server is answered at once, as PostgreSQL would: Parse of
 * a statement some server has already accepted, Close of a statement,
 * Flush, Sync (outside a transaction, so 'I'), and the errors for duplicate
 * or unknown names.  Drivers that prepare synchronously while other
 * connections hold every server (pgbench -M prepared) depend on this.
 * Returns 1 when handled, 0 when more input is needed, 2 when the message
 * needs a server, -1 when the client was closed.
 */
int track_unlinked(struct client *c, char type, uint32_t len);

/*
 * Whole batches, for the client's read fast path.  A run of Parse, Bind,
 * Describe and Execute messages ending in Sync, read in one piece, is
 * planned first without changing anything (track_batch_plan()), and once a
 * server is linked, sent to it in one write (track_batch_send()), with the
 * effect client_relay() and track_message() would have had message by
 * message.  What the plan cannot promise to do exactly so (a named Parse, a
 * Close, Flush, a refused statement, a name unknown, unsettled or being
 * closed) it leaves to them.
 */
#define TRACK_BATCH_MAX 64

struct track_batch {
	int n;
	size_t len;	/* bytes of the batch as read */
	size_t out_len; /* ...and as the server gets them */
	bool rewrite;	/* some message names a statement: out_len may differ */
	struct track_batch_msg {
		char type;
		uint32_t off;	 /* at data + off, len + 1 bytes */
		uint32_t len;
		uint32_t head;	 /* B/D of a named statement: bytes up to its name's
				  * end (replaced); 0: sent as it is */
		uint32_t sets;	 /* P: session state its query creates... */
		uint32_t clears; /* ...and releases (pin.h) */
		struct stmt *st; /* B/D: the named statement (the client's reference) */
	} m[TRACK_BATCH_MAX];
};

/* Plan the len bytes at data as one batch; false: not a batch for this. */
bool track_batch_plan(struct client *c, const uint8_t *data, size_t len, struct track_batch *b);
/* Send a planned batch to c's server (linked since); -1 on allocation
 * failure (the client is then closed). */
int track_batch_send(struct client *c, const uint8_t *data, const struct track_batch *b);

#endif
