/*
 * link.h - the SQLite backend as the event loop sees it.
 *
 * A client served by the embedded SQLite backend owns one lite_session:
 * one sqlite3 connection, run by one worker thread, that speaks the
 * PostgreSQL protocol (session.c).  The loop hands it whole frontend
 * messages and takes back the backend messages it produced; neither side
 * ever waits for the other.  The thread tells the loop that output is
 * ready (or that it opened, or that it has finished) through a libevent
 * event made active from the thread, so the loop's callback runs on the
 * loop thread.
 *
 * Writers are serialised by pgpin itself (FIFO, with a bound on waiting)
 * instead of SQLite's busy handler, so no client ever sees SQLITE_BUSY
 * from another pgpin session.
 */
#ifndef PGPIN_SQLITE_LINK_H
#define PGPIN_SQLITE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct event_base;
struct evbuffer;
struct params;
struct pkt;
struct lite_session;

/*
 * Check the endpoint (sqlite:PATH) and prepare it: a directory is
 * created if missing and gets postgres.db, as initdb would give a
 * PostgreSQL cluster its postgres database.  Returns 0, or -1 with err.
 */
int lite_init(const struct config *cfg, char *err, size_t errlen);
/* Settings that a reload may change (timeouts, synchronous). */
void lite_reconfigure(const struct config *cfg);

/* Called on the loop thread whenever the session has news for it. */
typedef void (*lite_notify_fn)(void *arg);

/*
 * Start a session for a logged-in client: the thread opens the database
 * and reports through notify.  vars are the client's startup parameters.
 */
struct lite_session *lite_session_start(struct event_base *base, const char *database,
					const char *user, const struct params *vars, uint32_t pid,
					lite_notify_fn notify, void *arg);

enum lite_open_state { LITE_OPENING = 0, LITE_OPEN, LITE_FAILED };
/*
 * After a notify: LITE_OPEN appends the welcome (ParameterStatus set;
 * the caller adds AuthenticationOk before and BackendKeyData and
 * ReadyForQuery after), LITE_FAILED the FATAL ErrorResponse, to p.
 */
enum lite_open_state lite_session_opened(struct lite_session *s, struct pkt *p);

/* The loop hands over no more input while this much is pending. */
#define LITE_INBOX_HIGH (256u * 1024)

/* Hand over whole frontend messages (type byte, length, body). */
void lite_session_send(struct lite_session *s, const void *msgs, size_t len);
/* Bytes handed over and not yet taken by the thread. */
size_t lite_session_pending_input(struct lite_session *s);
/* Move up to max bytes of output into dst; returns the number moved. */
size_t lite_session_take(struct lite_session *s, struct evbuffer *dst, size_t max);
/* True when the thread has nothing to do and no transaction is open. */
bool lite_session_idle(struct lite_session *s);
/* CancelRequest: interrupt the running statement or lock wait. */
void lite_session_cancel(struct lite_session *s);
/* The client is gone: roll back, close, free (asynchronously). */
void lite_session_close(struct lite_session *s);
/* At exit: wait for every session's thread to finish, and free them. */
void lite_shutdown(void);

#endif
