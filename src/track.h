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

#endif
