/*
 * wake.c - waking the event loop from other threads (see wake.h).
 *
 * A posted wake joins a list under a mutex; the first one to join an empty
 * list also writes the eventfd the loop watches.  The loop then takes the
 * wakes off the list one at a time, each with the lock held only to unlink
 * it, and runs their callbacks unlocked: a callback may free its own wake,
 * or another, and threads may post again meanwhile.
 */
#include "wake.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>

struct wake {
	TAILQ_ENTRY(wake) link;
	bool pending; /* on the list */
	void (*cb)(void *arg);
	void *arg;
};

static struct {
	pthread_mutex_t mu;
	TAILQ_HEAD(, wake) pending;
	int fd;
	struct event *ev;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

static void wake_run(evutil_socket_t fd, short what, void *arg)
{
	uint64_t count;
	(void)what;
	(void)arg;

	/* Clear first: a post that comes after this writes again. */
	while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR)
		;
	for (;;) {
		void (*cb)(void *) = NULL;
		void *cb_arg = NULL;
		pthread_mutex_lock(&g.mu);
		struct wake *w = TAILQ_FIRST(&g.pending);
		if (w) {
			TAILQ_REMOVE(&g.pending, w, link);
			w->pending = false;
			cb = w->cb;
			cb_arg = w->arg;
		}
		pthread_mutex_unlock(&g.mu);
		if (!cb)
			return;
		cb(cb_arg); /* w itself may be gone by now */
	}
}

int wake_setup(struct event_base *base)
{
	TAILQ_INIT(&g.pending);
	g.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g.fd < 0)
		return -1;
	g.ev = event_new(base, g.fd, EV_READ | EV_PERSIST, wake_run, NULL);
	if (!g.ev || event_add(g.ev, NULL) < 0) {
		if (g.ev)
			event_free(g.ev);
		g.ev = NULL;
		close(g.fd);
		g.fd = -1;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void wake_teardown(void)
{
	if (g.ev)
		event_free(g.ev);
	g.ev = NULL;
	if (g.fd >= 0)
		close(g.fd);
	g.fd = -1;
}

struct wake *wake_new(void (*cb)(void *arg), void *arg)
{
	struct wake *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->cb = cb;
	w->arg = arg;
	return w;
}

void wake_post(struct wake *w)
{
	bool first = false;

	pthread_mutex_lock(&g.mu);
	if (!w->pending) {
		first = TAILQ_EMPTY(&g.pending);
		TAILQ_INSERT_TAIL(&g.pending, w, link);
		w->pending = true;
	}
	pthread_mutex_unlock(&g.mu);
	if (first) {
		uint64_t one = 1;
		/* Only a full counter fails, and that already wakes the loop. */
		while (write(g.fd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	}
}

void wake_free(struct wake *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&g.mu);
	if (w->pending)
		TAILQ_REMOVE(&g.pending, w, link);
	pthread_mutex_unlock(&g.mu);
	free(w);
}
