/*
 * wake.h - waking the event loop from other threads.
 *
 * pgpin's loop runs on one thread; SQLite sessions and database-creation
 * jobs run on their own and must tell the loop when they have something for
 * it.  That is the only thing other threads do to the loop, so it has this
 * one path (an eventfd and a short locked list) instead of libevent's
 * locking, which would make every event-loop operation take a mutex.
 */
#ifndef PGPIN_WAKE_H
#define PGPIN_WAKE_H

struct event_base;
struct wake;

/* Once, on the loop thread, before any wake is made.  0, or -1 with errno. */
int wake_setup(struct event_base *base);
/* On the loop thread, after every wake is freed. */
void wake_teardown(void);

/* A wake that runs cb(arg) on the loop thread after wake_post().  Made and
 * freed on the loop thread; NULL when out of memory. */
struct wake *wake_new(void (*cb)(void *arg), void *arg);
/* From any thread: the loop runs the callback soon.  Posts that come before
 * it runs are one run. */
void wake_post(struct wake *w);
/* On the loop thread, once no other thread can post it any more (its
 * callback may be the caller). */
void wake_free(struct wake *w);

#endif
