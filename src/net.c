/*
 * net.c - connecting to backends (TCP with asynchronous name resolution,
 * or Unix sockets), tuning sockets for request/response traffic, moving a
 * connection to TLS, and the direct socket paths plain connections use.
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>

#include "runtime.h"
#include "hot.h"

int net_connect(struct bufferevent *bev, const char *host, int port)
{
	if (host[0] == '/') {
		struct sockaddr_un sun;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		int n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/.s.PGSQL.%d", host, port);
		if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
			return -1;
		return bufferevent_socket_connect(bev, (struct sockaddr *)&sun, sizeof(sun));
	}
	return bufferevent_socket_connect_hostname(bev, rt.dns, AF_UNSPEC, host, port);
}

void net_tune_tcp(int fd)
{
	int on = 1;

	/* Requests and replies are small and latency-bound: never Nagle them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
}

void net_tune_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 || ss.ss_family == AF_UNIX)
		return;
	net_tune_tcp(fd);
}

void net_addr_name(const struct sockaddr *sa, char *buf, unsigned long len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		/* By hand: inet_ntop() and snprintf() cost more than the rest
		 * of accepting a connection in user space. */
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		const uint8_t *a = (const uint8_t *)&sin->sin_addr;
		unsigned vals[5] = {a[0], a[1], a[2], a[3], ntohs(sin->sin_port)};
		char tmp[INET_ADDRSTRLEN + 8], *o = tmp;
		for (int i = 0; i < 5; i++) {
			char digits[5];
			int n = 0;
			unsigned v = vals[i];
			do {
				digits[n++] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			while (n)
				*o++ = digits[--n];
			*o++ = i < 3 ? '.' : i == 3 ? ':' : '\0';
		}
		size_t n = (size_t)(o - tmp) - 1;
		if (len == 0)
			return;
		if (n >= len)
			n = len - 1;
		memcpy(buf, tmp, n);
		buf[n] = '\0';
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%d", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, len, "unix");
	}
}

void net_peer_name(int fd, char *buf, unsigned long len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0) {
		snprintf(buf, len, "?");
		return;
	}
	net_addr_name((const struct sockaddr *)&ss, buf, len);
}

/* ------------------------------------------------------ TLS */

SSL *net_ssl(struct bufferevent *bev)
{
	return bufferevent_openssl_get_ssl(bev);
}

bool net_is_tls(struct bufferevent *bev)
{
	return bufferevent_openssl_get_ssl(bev) != NULL;
}

struct bufferevent *net_start_tls(struct bufferevent *plain, SSL *ssl, bool accepting)
{
	evutil_socket_t fd = bufferevent_getfd(plain);
	struct bufferevent *bev = NULL;

	if (fd >= 0)
		bev = bufferevent_openssl_socket_new(
			bufferevent_get_base(plain), fd, ssl,
			accepting ? BUFFEREVENT_SSL_ACCEPTING : BUFFEREVENT_SSL_CONNECTING,
			BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	/* PostgreSQL peers often close without close_notify: that is an EOF. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	/* The socket now belongs to the TLS bufferevent: detach it from the
	 * plain one (which would close it) before freeing that. */
	bufferevent_setfd(plain, -1);
	bufferevent_free(plain);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return bev;
}

void net_send_last(struct bufferevent *bev, const void *data, size_t len)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (!ssl) {
		(void)send(bufferevent_getfd(bev), data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		return;
	}
	if (SSL_is_init_finished(ssl))
		(void)SSL_write(ssl, data, (int)len);
	ERR_clear_error();
}

void net_free(struct bufferevent *bev)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);

	/* One non-blocking attempt at close_notify, as PostgreSQL does on
	 * closing; the peer may be gone, which is fine. */
	if (ssl && SSL_is_init_finished(ssl))
		(void)SSL_shutdown(ssl);
	ERR_clear_error();
	bufferevent_free(bev);
}

/* ------------------------------------------------------ plain sockets */

/*
 * sendmsg() rather than the writev() evbuffer_write() uses: socket calls go
 * straight to the socket layer instead of through the file layer, which is
 * measurably cheaper per message, and MSG_NOSIGNAL spares us SIGPIPE.
 */
static ssize_t net_send_buffer(struct evbuffer *out, int fd)
{
	struct evbuffer_iovec vec[16];
	struct iovec iov[16];
	struct msghdr mh;

	int n = evbuffer_peek(out, -1, NULL, vec, 16);
	if (n > 16)
		n = 16;
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = vec[i].iov_base;
		iov[i].iov_len = vec[i].iov_len;
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)n;
	ssize_t sent = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (sent > 0)
		evbuffer_drain(out, (size_t)sent);
	return sent;
}

PGPIN_HOT void net_flush(struct bufferevent *bev)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	if (evbuffer_get_length(out) == 0)
		return;
	if (bufferevent_openssl_get_ssl(bev)) {
		/* Only OpenSSL may write an encrypted socket. */
		bufferevent_enable(bev, EV_WRITE);
		return;
	}
	if (!(bufferevent_get_enabled(bev) & EV_WRITE)) {
		/* A socket bufferevent keeps the front of its output frozen
		 * except while it writes; do as it does.  Errors are left for
		 * the bufferevent to find and report. */
		evbuffer_unfreeze(out, 1);
		net_send_buffer(out, bufferevent_getfd(bev));
		evbuffer_freeze(out, 1);
		if (evbuffer_get_length(out) == 0)
			return;
	}
	bufferevent_enable(bev, EV_WRITE);
}

void net_write_drained(struct bufferevent *bev)
{
	/* A TLS bufferevent keeps EV_WRITE: it writes as data is added, and
	 * OpenSSL may need to write to read. */
	if (bufferevent_openssl_get_ssl(bev))
		return;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_disable(bev, EV_WRITE);
}

PGPIN_HOT void net_relay(struct evbuffer *in, size_t n, struct bufferevent *bev, int fd)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	/* Straight from the input only when the bytes lie in its first
	 * chain (evbuffer_pullup() then merely returns it) and nothing is
	 * queued ahead of them. */
	if (fd >= 0 && evbuffer_get_contiguous_space(in) >= n && evbuffer_get_length(out) == 0) {
		const uint8_t *p = evbuffer_pullup(in, (ssize_t)n);
		ssize_t sent = p ? send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT) : -1;
		if (sent > 0) {
			evbuffer_drain(in, (size_t)sent);
			n -= (size_t)sent;
		}
		/* A failed send is the next write's to see and report. */
		if (n == 0)
			return;
	}
	evbuffer_remove_buffer(in, out, n);
}

const uint8_t *net_peek_header(struct evbuffer *in, uint8_t copy[5])
{
	/* evbuffer_pullup() returns the first chain as it is when that holds
	 * the header: a few instructions, where evbuffer_copyout() walks the
	 * chains.  Copy only when it cannot (out of memory to rearrange). */
	const uint8_t *p = evbuffer_pullup(in, 5);
	if (p)
		return p;
	/* NULL: fewer than 5 bytes, or no memory to rearrange them. */
	if (evbuffer_copyout(in, copy, 5) < 5)
		return NULL;
	return copy;
}

/* ------------------------------------------------------ direct reading */

#define NET_READ_CHUNK 16384

struct net_reader {
	struct event *ev; /* in the same allocation, right after the reader */
	int fd;
	struct bufferevent *bev;
	struct evbuffer *in; /* bev's input */
	size_t high_water;
	bool paused;
	bool held; /* net_reader_hold(): another thread reads the socket */
	bool bulk; /* the last read filled a whole chunk: read in place */
	/* Bytes may wait in the input.  While a reader exists only it adds
	 * to the input, so when this is false the input is known to be empty
	 * without looking: on the fast path, where every read is taken whole,
	 * the bufferevent and its input are not touched at all. */
	bool maybe_buffered;
	void (*readcb)(struct bufferevent *, void *);
	void (*eventcb)(struct bufferevent *, short, void *);
	net_fast_fn fast;
	void *arg;
};

/*
 * Where small reads land first.  Reading straight into the input buffer
 * makes it allocate a chunk-sized chain for every message, and free it once
 * the message is relayed: a large malloc and free per message, more
 * instructions than the rest of the relay.  Copying what arrived into the
 * input instead costs a small (cached) allocation and a short memcpy.  Only
 * the event loop's thread reads sockets, so one buffer serves them all.
 */
static uint8_t net_read_buf[NET_READ_CHUNK];

/* One read into in, straight into its space when a bulk transfer is under
 * way, else through net_read_buf.  Like recv(): bytes read, 0, or -1 and
 * errno. */
static ssize_t net_read_into(struct net_reader *r, int fd, struct evbuffer *in)
{
	ssize_t n;

	if (!r->bulk) {
		n = recv(fd, net_read_buf, sizeof(net_read_buf), 0);
		if (n <= 0)
			return n;
		if (evbuffer_add(in, net_read_buf, (size_t)n) < 0) {
			errno = ENOMEM;
			return -1;
		}
		r->bulk = (size_t)n == sizeof(net_read_buf);
		return n;
	}

	struct evbuffer_iovec vec[2];
	struct iovec iov[2];
	int nvec = evbuffer_reserve_space(in, NET_READ_CHUNK, vec, 2);
	if (nvec <= 0) {
		errno = ENOMEM;
		return -1;
	}
	for (int i = 0; i < nvec; i++) {
		iov[i].iov_base = vec[i].iov_base;
		iov[i].iov_len = vec[i].iov_len;
	}
	n = nvec == 1 ? recv(fd, iov[0].iov_base, iov[0].iov_len, 0) : readv(fd, iov, nvec);
	int err = errno;
	size_t left = n > 0 ? (size_t)n : 0;
	for (int i = 0; i < nvec; i++) {
		size_t take = left < vec[i].iov_len ? left : vec[i].iov_len;
		vec[i].iov_len = take;
		left -= take;
	}
	evbuffer_commit_space(in, vec, nvec);
	/* Back to small reads once the stream is no longer saturating us. */
	if (n >= 0 && (size_t)n < NET_READ_CHUNK / 2)
		r->bulk = false;
	errno = err;
	return n;
}

PGPIN_HOT static void net_reader_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_reader *r = arg;
	struct evbuffer *in = r->in;
	size_t buffered = 0;
	ssize_t n;
	int err;

	if (r->maybe_buffered) {
		buffered = evbuffer_get_length(in);
		r->maybe_buffered = buffered != 0;
	}

	if (buffered >= r->high_water) {
		event_del(r->ev);
		r->paused = true;
		return;
	}
	if (r->fast && !buffered && !r->bulk) {
		/* Nothing waits ahead of what arrives: the fast path may take
		 * it from the read buffer, before (or instead of) the input. */
		n = recv(fd, net_read_buf, sizeof(net_read_buf), 0);
		err = errno;
		if (n > 0) {
			bool full = (size_t)n == sizeof(net_read_buf);
			size_t took = r->fast(r->arg, net_read_buf, (size_t)n);
			if (took >= (size_t)n)
				return; /* r may be gone: the connection may be */
			evbuffer_unfreeze(in, 0);
			int rc = evbuffer_add(in, net_read_buf + took, (size_t)n - took);
			evbuffer_freeze(in, 0);
			r->maybe_buffered = true;
			if (rc < 0) {
				errno = ENOMEM;
				r->eventcb(r->bev, BEV_EVENT_READING | BEV_EVENT_ERROR, r->arg);
				return;
			}
			r->bulk = full;
			r->readcb(r->bev, r->arg);
			return;
		}
	} else {
		/* The bufferevent keeps the end of its input frozen except
		 * while it reads; do as it does. */
		evbuffer_unfreeze(in, 0);
		n = net_read_into(r, fd, in);
		err = errno;
		evbuffer_freeze(in, 0);
		r->maybe_buffered = true;
	}

	if (n > 0) {
		r->readcb(r->bev, r->arg);
	} else if (n == 0) {
		r->eventcb(r->bev, BEV_EVENT_READING | BEV_EVENT_EOF, r->arg);
	} else if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
		errno = err;
		r->eventcb(r->bev, BEV_EVENT_READING | BEV_EVENT_ERROR, r->arg);
	}
}

struct net_reader *net_reader_new(struct bufferevent *bev, size_t high_water,
				  void (*readcb)(struct bufferevent *, void *),
				  void (*eventcb)(struct bufferevent *, short, void *), void *arg)
{
	/* Reading an encrypted socket directly would hand ciphertext to the
	 * protocol: TLS connections read through their bufferevent. */
	if (bufferevent_openssl_get_ssl(bev))
		return NULL;
	/* The event right after the reader: the loop touches the one, then
	 * the callback the other, on every wake-up. */
	size_t size = (sizeof(struct net_reader) + 15) & ~(size_t)15;
	struct net_reader *r = calloc(1, size + event_get_struct_event_size());
	if (!r)
		return NULL;
	r->ev = (struct event *)((char *)r + size);
	r->bev = bev;
	r->in = bufferevent_get_input(bev);
	r->fd = bufferevent_getfd(bev);
	r->high_water = high_water;
	r->maybe_buffered = true; /* read before the reader, perhaps */
	r->readcb = readcb;
	r->eventcb = eventcb;
	r->arg = arg;
	if (event_assign(r->ev, bufferevent_get_base(bev), r->fd, EV_READ | EV_PERSIST,
			 net_reader_cb, r) < 0 ||
	    event_add(r->ev, NULL) < 0) {
		free(r);
		return NULL;
	}
	bufferevent_disable(bev, EV_READ);
	/*
	 * The socket bufferevent watches its output with an evbuffer callback
	 * that runs on every add and drain, only to start its write event when
	 * data comes while EV_WRITE is enabled and idle.  net_flush() starts
	 * writing itself, after every write pgpin makes, so the callback is
	 * pure overhead here: drop it.  (It is the only one: pgpin adds none,
	 * and the bufferevent keeps no reference to it.)
	 */
	evbuffer_setcb(bufferevent_get_output(bev), NULL, NULL);
	return r;
}

void net_reader_update(struct net_reader *r)
{
	if (r && r->paused && evbuffer_get_length(r->in) < r->high_water) {
		r->paused = false;
		if (!r->held)
			event_add(r->ev, NULL);
	}
}

void net_reader_read_now(struct net_reader *r)
{
	if (!r->paused && !r->held)
		net_reader_cb(r->fd, EV_READ, r);
}

int net_reader_add(struct net_reader *r, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	evbuffer_unfreeze(r->in, 0);
	int rc = evbuffer_add(r->in, data, len);
	evbuffer_freeze(r->in, 0);
	r->maybe_buffered = true;
	return rc;
}

void net_reader_hold(struct net_reader *r, bool hold)
{
	if (hold == r->held)
		return;
	r->held = hold;
	if (hold)
		event_del(r->ev);
	else if (!r->paused)
		event_add(r->ev, NULL);
}

void net_reader_set_high_water(struct net_reader *r, size_t high_water)
{
	r->high_water = high_water;
	net_reader_update(r);
}

void net_reader_set_fast(struct net_reader *r, net_fast_fn fast)
{
	r->fast = fast;
}

PGPIN_HOT void net_write(struct bufferevent *bev, int fd, const void *data, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	if (fd >= 0 && evbuffer_get_length(out) == 0) {
		ssize_t sent = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent > 0) {
			data = (const uint8_t *)data + sent;
			len -= (size_t)sent;
		}
		/* A failed send is the next write's to see and report. */
		if (len == 0)
			return;
	}
	evbuffer_add(out, data, len);
	net_flush(bev);
}

PGPIN_HOT int net_reader_fd(const struct net_reader *r)
{
	return r->fd;
}

void net_reader_free(struct net_reader *r)
{
	if (!r)
		return;
	event_del(r->ev);
	free(r);
}
