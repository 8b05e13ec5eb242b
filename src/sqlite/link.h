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
/* Move up to max bytes of output into dst; returns the number moved.
 * Moving any turns direct writing off (lite_session_direct()). */
size_t lite_session_take(struct lite_session *s, struct evbuffer *dst, size_t max);
/*
 * Let the thread write its output to the client's socket fd itself (on),
 * or stop it (off; the thread is not writing once this returns).  On is
 * for a plain socket, when nothing of the client's waits in the loop; it
 * takes effect only if nothing waits in the outbox, or in the thread for
 * room there, either, and lasts until the socket does not take a reply
 * whole (the rest comes through the outbox, with a notify), the loop takes
 * output, or the loop turns it off before writing itself.
 */
void lite_session_direct(struct lite_session *s, int fd, bool on);
/*
 * Lend the client's socket fd to the thread, which then reads it itself
 * and runs the whole messages it brings (up to max_len bytes each), so a
 * query costs the loop nothing.  For a plain socket the loop no longer
 * reads, with nothing of the client's buffered.  False if the thread
 * cannot take it now (closing, or input given back and not yet taken).
 * The thread gives the socket back, with a notify, at the end of the
 * stream, an error, or a message that is not its to judge (Terminate, an
 * unknown type, a length beyond max_len or 1 MB).
 */
bool lite_session_lend_input(struct lite_session *s, int fd, uint32_t max_len);
/* After a notify: 1 if the socket is back with the loop, what the thread
 * read of it and did not run (it comes first) given to take(); 0 if it is
 * still lent; -1 if take() failed. */
int lite_session_input_back(struct lite_session *s,
			    int (*take)(void *arg, const void *data, size_t len), void *arg);
/* SIGINT: from now on, threads notify the loop whenever they go idle. */
void lite_draining(void);
/* True when the thread has nothing to do and no transaction is open. */
bool lite_session_idle(struct lite_session *s);
/*
 * True when the thread has run every message handed over (or the session
 * is closing); otherwise it notifies the loop once it has.
 */
bool lite_session_finished(struct lite_session *s);
/* CancelRequest: interrupt the running statement or lock wait. */
void lite_session_cancel(struct lite_session *s);
/* The client is gone: roll back, close, free (asynchronously). */
void lite_session_close(struct lite_session *s);
/* At exit: wait for every session's thread to finish, and free them. */
void lite_shutdown(void);

#endif
