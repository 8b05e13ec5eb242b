/*
 * link.c - SQLite sessions: their threads, their queues to and from the
 * event loop, the process-wide writer lock, and the database files.
 *
 * Each session runs on its own thread, so a slow statement (or a writer
 * waiting its turn) never stalls the loop or another client.  The loop
 * appends whole frontend messages to the session's inbox and wakes the
 * thread; the thread runs them (session.c) and appends backend messages
 * to the outbox, then makes the session's notify event active so that the
 * loop moves them to the client.  The outbox is bounded: a thread
 * producing a large result waits for the client to read it.
 *
 * The writer lock is a FIFO queue of waiting sessions, each with its own
 * condition variable, so that writers are served in arrival order and a
 * waiter can give up after sqlite_lock_timeout (55P03) or be woken by a
 * cancel (57014).  It is taken at BEGIN and for a write outside a block,
 * and released at COMMIT/ROLLBACK or when the write finishes.
 */
#include "sqlite/link.h"

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "proto.h"
#include "sqlite/session.h"
#include "wake.h"

/* The outbox holds at most this much before the thread waits. */
#define OUTBOX_HIGH (1u << 20)

struct lock_waiter {
	struct lock_waiter *next;
	pthread_cond_t cond;
	bool granted;
};

static struct {
	pthread_mutex_t mu;
	char *dir;	   /* directory mode: one file per database */
	char *file;	   /* single-file mode */
	int synchronous;
	int busy_timeout_ms;
	double lock_timeout;
	/* the writer lock: its holder (a session, or the waiter it was
	 * handed to), NULL when free */
	const void *holder;
	struct lock_waiter *head, *tail;
	/* open sessions per file, for DROP DATABASE */
	struct open_db {
		char *name;
		int count;
	} *open;
	int n_open;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ------------------------------------------------------------ buffers */

int lite_buf_append(struct lite_buf *b, const void *data, size_t n)
{
	if (b->off > 0 && b->off == b->len) {
		b->off = 0;
		b->len = 0;
	}
	if (b->len + n > b->cap) {
		/* Reclaim the consumed front before growing. */
		if (b->off > 0) {
			memmove(b->data, b->data + b->off, b->len - b->off);
			b->len -= b->off;
			b->off = 0;
		}
		if (b->len + n > b->cap) {
			size_t cap = b->cap ? b->cap : 4096;
			while (cap < b->len + n)
				cap *= 2;
			uint8_t *d = realloc(b->data, cap);
			if (!d)
				return -1;
			b->data = d;
			b->cap = cap;
		}
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

/* Room for n more bytes at the end of b. */
static int buf_reserve(struct lite_buf *b, size_t n)
{
	if (b->off > 0 && b->off == b->len)
		b->off = b->len = 0;
	if (b->cap - b->len >= n)
		return 0;
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	uint8_t *d = realloc(b->data, cap);
	if (!d)
		return -1;
	b->data = d;
	b->cap = cap;
	return 0;
}

static size_t buf_used(const struct lite_buf *b)
{
	return b->len - b->off;
}

static void buf_free(struct lite_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ------------------------------------------------------------ files */

int lite_init(const struct config *cfg, char *err, size_t errlen)
{
	const char *path = cfg->endpoint.sqlite_path;
	struct stat st;
	size_t n = strlen(path);

	lite_reconfigure(cfg);
	/* Session threads build large results and free them again: without
	 * this, glibc hands the memory back (madvise) after every large
	 * result and page-faults it in again for the next one. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	free(g.dir);
	free(g.file);
	g.dir = g.file = NULL;
	if (sqlite3_threadsafe() == 0) {
		snprintf(err, errlen, "the SQLite library was built without thread support");
		return -1;
	}
	/* A path ending in '/' or naming a directory serves a directory;
	 * anything else is one database file. */
	if ((n > 0 && path[n - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", path, strerror(errno));
			return -1;
		}
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s is not a directory", path);
			return -1;
		}
		g.dir = strdup(path);
		while (g.dir && strlen(g.dir) > 1 && g.dir[strlen(g.dir) - 1] == '/')
			g.dir[strlen(g.dir) - 1] = '\0';
		if (!g.dir)
			goto oom;
		char file[4096];
		if (lite_db_path("postgres", file, sizeof(file)) == 0 && access(file, F_OK) < 0) {
			struct lite_error e;
			if (lite_create_database("postgres", &e) < 0) {
				snprintf(err, errlen, "cannot create %s: %s", file, e.message);
				return -1;
			}
			log_info("created database \"postgres\" in %s", file);
		}
		return 0;
	}
	g.file = strdup(path);
	if (!g.file)
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

void lite_reconfigure(const struct config *cfg)
{
	pthread_mutex_lock(&g.mu);
	g.synchronous = cfg->sqlite_synchronous;
	g.busy_timeout_ms = (int)(cfg->sqlite_busy_timeout * 1000);
	g.lock_timeout = cfg->sqlite_lock_timeout;
	pthread_mutex_unlock(&g.mu);
}

int lite_synchronous(void)
{
	return g.synchronous;
}

int lite_busy_timeout_ms(void)
{
	return g.busy_timeout_ms;
}

const char *lite_dir(void)
{
	return g.dir;
}

/* A database name that can be a file name: no path parts, not hidden. */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 63 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '/' || (unsigned char)name[i] < 0x20)
			return false;
	}
	return true;
}

int lite_db_path(const char *name, char *buf, size_t len)
{
	if (!g.dir) {
		snprintf(buf, len, "%s", g.file);
		return 0;
	}
	if (!name_ok(name))
		return -1;
	if ((size_t)snprintf(buf, len, "%s/%s.db", g.dir, name) >= len)
		return -1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lite_list_databases(char ***names, int *n)
{
	char **v = NULL;
	int count = 0, cap = 0;

	*names = NULL;
	*n = 0;
	if (!g.dir) {
		/* One file serves every name: list the usual two. */
		v = calloc(2, sizeof(char *));
		if (!v)
			return -1;
		v[0] = strdup("postgres");
		v[1] = strdup("kubernetes");
		*names = v;
		*n = 2;
		return 0;
	}
	DIR *d = opendir(g.dir);
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l <= 3 || strcmp(de->d_name + l - 3, ".db") != 0 || de->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			char **nv = realloc(v, cap * sizeof(char *));
			if (!nv)
				break;
			v = nv;
		}
		v[count] = strndup(de->d_name, l - 3);
		if (v[count])
			count++;
	}
	closedir(d);
	if (count > 1)
		qsort(v, count, sizeof(char *), cmp_str);
	*names = v;
	*n = count;
	return 0;
}

int lite_create_database(const char *name, struct lite_error *e)
{
	char path[4096];
	sqlite3 *db = NULL;

	if (!g.dir)
		return 0; /* the single file serves every name already */
	if (lite_db_path(name, path, sizeof(path)) < 0) {
		lite_error_set(e, "42602", "invalid database name \"%s\"", name);
		return -1;
	}
	if (access(path, F_OK) == 0) {
		lite_error_set(e, "42P04", "database \"%s\" already exists", name);
		return -1;
	}
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
						  SQLITE_OPEN_EXCLUSIVE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		lite_error_set(e, "58030", "could not create database file \"%s\": %s", path,
			       db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_close(db);
	return 0;
}

static void open_count(const char *name, int delta)
{
	pthread_mutex_lock(&g.mu);
	for (int i = 0; i < g.n_open; i++) {
		if (strcmp(g.open[i].name, name) == 0) {
			g.open[i].count += delta;
			pthread_mutex_unlock(&g.mu);
			return;
		}
	}
	if (delta > 0) {
		struct open_db *v = realloc(g.open, (g.n_open + 1) * sizeof(*v));
		if (v) {
			g.open = v;
			g.open[g.n_open].name = strdup(name);
			g.open[g.n_open].count = delta;
			if (g.open[g.n_open].name)
				g.n_open++;
		}
	}
	pthread_mutex_unlock(&g.mu);
}

static int open_users(const char *name)
{
	int n = 0;
	for (int i = 0; i < g.n_open; i++)
		if (strcmp(g.open[i].name, name) == 0)
			n = g.open[i].count;
	return n;
}

int lite_drop_database(const char *name, const char *current, struct lite_error *e)
{
	char path[4096], extra[4200];

	if (!g.dir) {
		lite_error_set(e, "0A000",
			       "cannot drop a database served from a single SQLite file");
		return -1;
	}
	if (lite_db_path(name, path, sizeof(path)) < 0 || access(path, F_OK) < 0) {
		lite_error_set(e, "3D000", "database \"%s\" does not exist", name);
		return -1;
	}
	if (strcmp(name, current) == 0) {
		lite_error_set(e, "55006", "cannot drop the currently open database");
		return -1;
	}
	pthread_mutex_lock(&g.mu);
	int users = open_users(name);
	if (users > 0) {
		pthread_mutex_unlock(&g.mu);
		lite_error_set(e, "55006", "database \"%s\" is being accessed by other users", name);
		snprintf(e->detail, sizeof(e->detail), "There %s %d other session%s using the database.",
			 users == 1 ? "is" : "are", users, users == 1 ? "" : "s");
		return -1;
	}
	int rc = unlink(path);
	snprintf(extra, sizeof(extra), "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-shm", path);
	unlink(extra);
	pthread_mutex_unlock(&g.mu);
	if (rc < 0) {
		lite_error_set(e, "58030", "could not remove database file \"%s\": %s", path,
			       strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ writer lock */

int lite_writer_acquire(struct lite_session *s, struct lite_error *e)
{
	struct lock_waiter w = {.granted = false};
	struct timespec deadline;
	int rc = 0;

	if (s->writer)
		return 0;
	pthread_mutex_lock(&g.mu);
	if (!g.holder && !g.head) {
		g.holder = s;
		pthread_mutex_unlock(&g.mu);
		s->writer = true;
		return 0;
	}
	pthread_cond_init(&w.cond, NULL);
	if (g.tail)
		g.tail->next = &w;
	else
		g.head = &w;
	g.tail = &w;
	double timeout = g.lock_timeout;
	clock_gettime(CLOCK_REALTIME, &deadline);
	if (timeout > 0) {
		deadline.tv_sec += (time_t)timeout;
		deadline.tv_nsec += (long)((timeout - (double)(time_t)timeout) * 1e9);
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	/* A cancel wakes this wait: it signals s->lock_wait under s->mu, so
	 * publish the condition there too. */
	pthread_mutex_lock(&s->mu);
	s->lock_wait = &w.cond;
	bool cancelled = s->cancel || s->closing; /* closed before it was published */
	pthread_mutex_unlock(&s->mu);
	while (!w.granted && rc == 0 && !cancelled) {
		if (timeout > 0)
			rc = pthread_cond_timedwait(&w.cond, &g.mu, &deadline);
		else
			pthread_cond_wait(&w.cond, &g.mu);
		pthread_mutex_lock(&s->mu);
		cancelled = s->cancel || s->closing;
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_lock(&s->mu);
	s->lock_wait = NULL;
	pthread_mutex_unlock(&s->mu);
	if (!w.granted) {
		/* Leave the queue. */
		struct lock_waiter **pp = &g.head, *prev = NULL;
		while (*pp && *pp != &w) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp) {
			*pp = w.next;
			if (g.tail == &w)
				g.tail = prev;
		}
		pthread_mutex_unlock(&g.mu);
		pthread_cond_destroy(&w.cond);
		if (cancelled)
			lite_error_set(e, "57014", "canceling statement due to user request");
		else {
			lite_error_set(e, "55P03",
				       "could not obtain the write lock within sqlite_lock_timeout "
				       "(%g s): another session is writing",
				       timeout);
			snprintf(e->hint, sizeof(e->hint),
				 "Writers to the SQLite backend take turns; a transaction left open "
				 "holds the lock until it ends.");
		}
		return -1;
	}
	pthread_mutex_unlock(&g.mu);
	pthread_cond_destroy(&w.cond);
	s->writer = true;
	return 0;
}

void lite_writer_release(struct lite_session *s)
{
	if (!s->writer)
		return;
	s->writer = false;
	pthread_mutex_lock(&g.mu);
	g.holder = NULL;
	struct lock_waiter *w = g.head;
	if (w) {
		/* Hand the lock over in queue order; the waiter sets its
		 * session's writer flag when it wakes. */
		g.head = w->next;
		if (!g.head)
			g.tail = NULL;
		w->granted = true;
		g.holder = w;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&g.mu);
}

/* ------------------------------------------------------------ cancel */

void lite_running(struct lite_session *s, bool on)
{
	pthread_mutex_lock(&s->mu);
	s->running = on;
	s->cancel = false;
	pthread_mutex_unlock(&s->mu);
}

bool lite_cancelled(struct lite_session *s)
{
	pthread_mutex_lock(&s->mu);
	bool c = s->cancel;
	pthread_mutex_unlock(&s->mu);
	return c;
}

void lite_session_cancel(struct lite_session *s)
{
	/* Lock order g.mu then s->mu, as in lite_writer_acquire(): while
	 * both are held a published lock_wait condition is alive. */
	pthread_mutex_lock(&g.mu);
	pthread_mutex_lock(&s->mu);
	if (s->running) {
		s->cancel = true;
		if (s->db)
			sqlite3_interrupt(s->db);
		if (s->lock_wait)
			pthread_cond_broadcast(s->lock_wait);
	}
	pthread_mutex_unlock(&s->mu);
	pthread_mutex_unlock(&g.mu);
}

void lite_set_in_txn(struct lite_session *s, bool on)
{
	pthread_mutex_lock(&s->mu);
	s->in_txn = on;
	pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------ thread */

static void notify_loop(struct lite_session *s)
{
	wake_post(s->notify_wake);
}

/* Set while pgpin waits for transactions to end (SIGINT): threads then
 * tell the loop whenever they go idle. */
static atomic_bool draining;

void lite_draining(void)
{
	atomic_store(&draining, true);
}

/*
 * Output goes to the client's socket from this thread while the loop
 * allows it (direct: nothing of the client's waits in the loop, and the
 * socket is plain), which spares the loop a wake-up, a copy and a system
 * call for every reply.  What the socket does not take at once goes to the
 * outbox for the loop, and direct writing stops until the loop has written
 * it all, so the bytes keep their order.  The send happens under s->mu:
 * the loop takes it to stop direct writing before it writes itself or
 * closes the socket.
 */
void lite_flush(struct lite_session *s)
{
	const uint8_t *p = s->out.data;
	size_t n = s->out.len;

	if (n == 0)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->direct && !s->closing && !s->out.oom && buf_used(&s->outbox) == 0) {
		ssize_t w;
		do
			w = send(s->direct_fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (w < 0 && errno == EINTR);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		}
		if (n == 0) {
			pthread_mutex_unlock(&s->mu);
			pkt_reset(&s->out);
			return;
		}
		/* A full socket, or a broken one: the loop takes over (and
		 * sees the error on its side). */
		s->direct = false;
	}
	s->held_output = true;
	while (buf_used(&s->outbox) >= OUTBOX_HIGH && !s->closing) {
		notify_loop(s);
		pthread_cond_wait(&s->cond, &s->mu);
	}
	s->held_output = false;
	if (!s->closing && (s->out.oom || lite_buf_append(&s->outbox, p, n) < 0))
		s->closing = true; /* cannot deliver: give up the session */
	pthread_mutex_unlock(&s->mu);
	pkt_reset(&s->out);
	notify_loop(s);
}

/* The largest message the thread takes from the socket itself; a longer
 * one goes back to the loop, which has the means for it. */
#define OWN_MESSAGE_MAX (1u << 20)
#define OWN_READ_CHUNK (64u * 1024)

/*
 * The whole messages at the start of buf that the thread runs itself:
 * frontend messages of a known type and a length within max, but for
 * Terminate.  *odd is set when a message the loop must judge ends the run.
 */
static size_t own_messages(const uint8_t *buf, size_t len, uint32_t max, bool *odd)
{
	size_t pos = 0;

	*odd = false;
	while (pos + 5 <= len) {
		char type = (char)buf[pos];
		uint32_t mlen;
		if (!proto_is_frontend_type(type) || type == 'p' || type == 'X' ||
		    proto_peek_header(buf + pos, 5, max, &type, &mlen) < 0) {
			*odd = true;
			break;
		}
		if (pos + 1 + mlen > len)
			break;
		pos += 1 + mlen;
	}
	return pos;
}

/* The socket goes back to the loop, with what was read of it and not run
 * (the loop reads it first, then the socket). */
static void give_back_input(struct lite_session *s)
{
	pthread_mutex_lock(&s->mu);
	s->own_input = false;
	if (buf_used(&s->rbuf) > 0 &&
	    lite_buf_append(&s->returned, s->rbuf.data + s->rbuf.off, buf_used(&s->rbuf)) < 0)
		s->closing = true;
	pthread_mutex_unlock(&s->mu);
	s->rbuf.len = s->rbuf.off = 0;
	notify_loop(s);
}

/*
 * Wait for the client's socket (or a poke), read it, and run the whole
 * messages it brought.  The read happens under s->mu, once the socket is
 * known to be still lent: the loop takes s->mu to take it back or close it.
 */
static void read_own_input(struct lite_session *s, int fd, uint32_t max)
{
	struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = s->poke_fd, .events = POLLIN}};
	uint64_t pokes;
	ssize_t n;

	if (poll(pf, 2, -1) < 0)
		return; /* EINTR: round again */
	if (pf[1].revents && read(s->poke_fd, &pokes, sizeof(pokes)) < 0)
		(void)0; /* another poke drained it */
	if (!pf[0].revents)
		return;
	if (buf_reserve(&s->rbuf, OWN_READ_CHUNK) < 0) {
		give_back_input(s);
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (!s->own_input || s->closing) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	do
		n = recv(fd, s->rbuf.data + s->rbuf.len, OWN_READ_CHUNK, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	int err = errno;
	if (n > 0)
		s->busy = true;
	pthread_mutex_unlock(&s->mu);
	if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK))
		return;
	if (n <= 0) {
		/* The end, or an error: the loop's own read will see it. */
		give_back_input(s);
		return;
	}
	s->rbuf.len += (size_t)n;
	bool odd;
	size_t whole = own_messages(s->rbuf.data + s->rbuf.off, buf_used(&s->rbuf), max, &odd);
	if (whole > 0) {
		session_input(s, s->rbuf.data + s->rbuf.off, whole);
		s->rbuf.off += whole;
		lite_flush(s);
	}
	if (odd || buf_used(&s->rbuf) > (size_t)max + 5)
		give_back_input(s);
}

static void *session_thread(void *arg)
{
	struct lite_session *s = arg;
	struct lite_error e;
	struct lite_buf work = {0};

	pkt_init(&s->out);
	int rc = session_open(s, &e);
	pthread_mutex_lock(&s->mu);
	if (rc == 0) {
		session_welcome(s, &s->open_reply);
		s->open_state = LITE_OPEN;
	} else {
		snprintf(e.severity, sizeof(e.severity), "FATAL");
		lite_error_build(&s->open_reply, &e);
		s->open_state = LITE_FAILED;
		s->closing = true;
	}
	pthread_mutex_unlock(&s->mu);
	if (rc == 0)
		open_count(s->database, +1);
	notify_loop(s);

	for (;;) {
		pthread_mutex_lock(&s->mu);
		if (buf_used(&s->inbox) == 0 && s->busy &&
		    (s->notify_idle || atomic_load(&draining))) {
			/* Idle now: the loop may be waiting for that. */
			s->busy = false;
			notify_loop(s);
		}
		while (buf_used(&s->inbox) == 0 && !s->closing && !s->own_input) {
			s->busy = false;
			pthread_cond_wait(&s->cond, &s->mu);
		}
		if (s->closing) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		if (buf_used(&s->inbox) == 0) {
			/* The socket is lent to this thread. */
			int fd = s->input_fd;
			uint32_t max = s->input_max;
			s->busy = false;
			pthread_mutex_unlock(&s->mu);
			read_own_input(s, fd, max);
			continue;
		}
		/* Take the whole inbox; the loop keeps appending to a fresh one.
		 * The loop stops handing over input at LITE_INBOX_HIGH: only
		 * then does it need telling that there is room again (every
		 * wake-up of the loop costs system calls on each query). */
		bool was_full = buf_used(&s->inbox) >= LITE_INBOX_HIGH;
		struct lite_buf t = s->inbox;
		s->inbox = work;
		s->inbox.len = s->inbox.off = 0;
		work = t;
		s->busy = true;
		pthread_mutex_unlock(&s->mu);
		if (was_full)
			notify_loop(s); /* the loop may read more input now */

		session_input(s, work.data + work.off, work.len - work.off);
		work.len = work.off = 0;
		lite_flush(s);
	}
	session_close(s);
	if (rc == 0)
		open_count(s->database, -1);
	buf_free(&work);
	buf_free(&s->rbuf);
	pkt_free(&s->out);
	pthread_mutex_lock(&s->mu);
	s->thread_done = true;
	s->busy = false;
	pthread_mutex_unlock(&s->mu);
	notify_loop(s);
	return NULL;
}

/* ------------------------------------------------------------ loop side */

/* Every session not yet freed, for lite_shutdown() (loop thread only). */
static struct lite_session **sessions;
static size_t n_sessions, cap_sessions;

static void session_free(struct lite_session *s)
{
	for (size_t i = 0; i < n_sessions; i++) {
		if (sessions[i] == s) {
			sessions[i] = sessions[--n_sessions];
			break;
		}
	}
	pthread_join(s->thread, NULL);
	wake_free(s->notify_wake);
	close(s->poke_fd);
	buf_free(&s->inbox);
	buf_free(&s->outbox);
	buf_free(&s->returned);
	pkt_free(&s->open_reply);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s->database);
	free(s->user);
	params_free(&s->vars);
	free(s);
}

static void notify_cb(void *arg)
{
	struct lite_session *s = arg;

	pthread_mutex_lock(&s->mu);
	bool done = s->thread_done, detached = s->detached;
	pthread_mutex_unlock(&s->mu);
	if (detached) {
		if (done)
			session_free(s);
		return;
	}
	s->notify(s->notify_arg);
}

struct lite_session *lite_session_start(struct event_base *base, const char *database,
					const char *user, const struct params *vars, uint32_t pid,
					lite_notify_fn notify, void *arg)
{
	struct lite_session *s = calloc(1, sizeof(*s));
	pthread_attr_t attr;

	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	pkt_init(&s->open_reply);
	params_init(&s->vars);
	s->database = strdup(database);
	s->user = strdup(user);
	s->pid = pid;
	s->notify = notify;
	s->notify_arg = arg;
	s->notify_wake = wake_new(notify_cb, s);
	s->poke_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!s->database || !s->user || !s->notify_wake || s->poke_fd < 0 ||
	    params_copy(&s->vars, vars) < 0)
		goto fail;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 2u << 20);
	if (n_sessions == cap_sessions) {
		size_t cap = cap_sessions ? cap_sessions * 2 : 64;
		struct lite_session **v = realloc(sessions, cap * sizeof(*v));
		if (!v) {
			pthread_attr_destroy(&attr);
			goto fail;
		}
		sessions = v;
		cap_sessions = cap;
	}
	int rc = pthread_create(&s->thread, &attr, session_thread, s);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_error("cannot start a SQLite session thread: %s", strerror(rc));
		goto fail;
	}
	sessions[n_sessions++] = s;
	return s;
fail:
	wake_free(s->notify_wake);
	if (s->poke_fd >= 0)
		close(s->poke_fd);
	pkt_free(&s->open_reply);
	params_free(&s->vars);
	free(s->database);
	free(s->user);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s);
	return NULL;
}

enum lite_open_state lite_session_opened(struct lite_session *s, struct pkt *p)
{
	pthread_mutex_lock(&s->mu);
	enum lite_open_state st = s->open_state;
	if (st != LITE_OPENING && s->open_reply.len > 0) {
		pkt_bytes(p, s->open_reply.data, s->open_reply.len);
		pkt_reset(&s->open_reply);
	}
	pthread_mutex_unlock(&s->mu);
	return st;
}

void lite_session_send(struct lite_session *s, const void *msgs, size_t len)
{
	pthread_mutex_lock(&s->mu);
	if (lite_buf_append(&s->inbox, msgs, len) < 0)
		s->closing = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

size_t lite_session_pending_input(struct lite_session *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = buf_used(&s->inbox);
	pthread_mutex_unlock(&s->mu);
	return n;
}

size_t lite_session_take(struct lite_session *s, struct evbuffer *dst, size_t max)
{
	pthread_mutex_lock(&s->mu);
	size_t n = buf_used(&s->outbox);
	if (n > max)
		n = max;
	if (n > 0) {
		/* The loop has output of the client's now: no direct writes
		 * until it has written it (lite_session_direct()). */
		s->direct = false;
		evbuffer_add(dst, s->outbox.data + s->outbox.off, n);
		s->outbox.off += n;
		if (s->outbox.off == s->outbox.len)
			s->outbox.off = s->outbox.len = 0;
		pthread_cond_broadcast(&s->cond); /* room for a waiting flush */
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

bool lite_session_lend_input(struct lite_session *s, int fd, uint32_t max_len)
{
	pthread_mutex_lock(&s->mu);
	bool lent = !s->closing && buf_used(&s->returned) == 0;
	if (lent && !s->own_input) {
		s->own_input = true;
		s->input_fd = fd;
		s->input_max = max_len < OWN_MESSAGE_MAX ? max_len : OWN_MESSAGE_MAX;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->mu);
	return lent;
}

int lite_session_input_back(struct lite_session *s,
			    int (*take)(void *arg, const void *data, size_t len), void *arg)
{
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if (s->own_input) {
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	if (buf_used(&s->returned) > 0)
		rc = take(arg, s->returned.data + s->returned.off, buf_used(&s->returned));
	s->returned.len = s->returned.off = 0;
	pthread_mutex_unlock(&s->mu);
	return rc < 0 ? -1 : 1;
}

void lite_session_direct(struct lite_session *s, int fd, bool on)
{
	pthread_mutex_lock(&s->mu);
	s->direct = on && !s->closing && buf_used(&s->outbox) == 0 && !s->held_output;
	s->direct_fd = fd;
	pthread_mutex_unlock(&s->mu);
}

bool lite_session_idle(struct lite_session *s)
{
	pthread_mutex_lock(&s->mu);
	bool idle = !s->busy && !s->in_txn && buf_used(&s->inbox) == 0 &&
		    buf_used(&s->outbox) == 0;
	pthread_mutex_unlock(&s->mu);
	return idle;
}

bool lite_session_finished(struct lite_session *s)
{
	pthread_mutex_lock(&s->mu);
	bool done = s->closing || (!s->busy && buf_used(&s->inbox) == 0);
	if (!done)
		s->notify_idle = true;
	pthread_mutex_unlock(&s->mu);
	return done;
}

void lite_session_close(struct lite_session *s)
{
	pthread_mutex_lock(&g.mu);
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	s->detached = true;
	s->direct = false;
	s->own_input = false;
	uint64_t one = 1;
	if (write(s->poke_fd, &one, sizeof(one)) < 0)
		(void)0; /* the counter is full: the thread is woken anyway */
	if (s->running && s->db)
		sqlite3_interrupt(s->db);
	pthread_cond_broadcast(&s->cond);
	if (s->lock_wait)
		pthread_cond_broadcast(s->lock_wait);
	bool done = s->thread_done;
	pthread_mutex_unlock(&s->mu);
	pthread_mutex_unlock(&g.mu);
	if (done)
		session_free(s);
	/* else the thread's last notify frees it */
}

void lite_shutdown(void)
{
	/* Clients are closed by now; their threads roll back and exit. */
	while (n_sessions > 0) {
		struct lite_session *s = sessions[n_sessions - 1];
		pthread_mutex_lock(&s->mu);
		bool detached = s->detached;
		pthread_mutex_unlock(&s->mu);
		if (!detached)
			lite_session_close(s); /* may free it at once */
		if (n_sessions > 0 && sessions[n_sessions - 1] == s)
			session_free(s);
	}
	free(sessions);
	sessions = NULL;
	n_sessions = cap_sessions = 0;
}
