/*
 * net.h - outgoing connections and socket options shared by server links
 * and cancel requests.
 */
#ifndef PGPIN_NET_H
#define PGPIN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct bufferevent;
struct evbuffer;
struct sockaddr;

/* Start connecting bev to host:port, or to the Unix socket
 * HOST/.s.PGSQL.PORT when host is an absolute path.  0 or -1. */
int net_connect(struct bufferevent *bev, const char *host, int port);
/* TCP_NODELAY and keepalive on a connected TCP socket (no-op on Unix). */
void net_tune_socket(int fd);
/* The same on a socket known to be TCP. */
void net_tune_tcp(int fd);
/* "host:port", "[v6host]:port" or "unix" of the peer, for logs. */
void net_peer_name(int fd, char *buf, unsigned long len);
/* The same from an address accept() gave: no system call. */
void net_addr_name(const struct sockaddr *sa, char *buf, unsigned long len);

/*
 * TLS.  An encrypted connection is a bufferevent_openssl on the socket: the
 * direct paths below (net_flush() writing the socket, net_reader reading
 * it) would bypass the encryption, so they step aside for it and leave
 * reading and writing to the bufferevent, which keeps EV_WRITE enabled.
 */
bool net_is_tls(struct bufferevent *bev);
/*
 * Start TLS on a connected plain bufferevent whose buffers are empty (the
 * SSLRequest exchange done): returns a new bufferevent on the same socket
 * that handshakes as server (accepting) or client, and frees plain.
 * Callbacks and watermarks are the caller's to set.  Takes ssl; on
 * failure frees it, leaves plain as it was and returns NULL.
 */
struct bufferevent *net_start_tls(struct bufferevent *plain, SSL *ssl, bool accepting);
/* The SSL of a TLS bufferevent, else NULL. */
SSL *net_ssl(struct bufferevent *bev);
/*
 * Send a last message (a Terminate) now, if nothing else is queued, then
 * the TLS close_notify for an encrypted connection: best effort, just
 * before the bufferevent is freed.
 */
void net_send_last(struct bufferevent *bev, const void *data, size_t len);
/* Free a bufferevent; an encrypted one says close_notify first. */
void net_free(struct bufferevent *bev);

/*
 * Write what bev's output holds straight to its socket.  Connections keep
 * EV_WRITE disabled while their output is empty, so that a reply costs one
 * writev() and no epoll registration; only what the kernel does not take
 * at once is left to the bufferevent (EV_WRITE enabled until drained, see
 * net_write_drained()).
 */
void net_flush(struct bufferevent *bev);
/* Call from a write callback: stop watching for writability once drained. */
void net_write_drained(struct bufferevent *bev);

/*
 * Relay the n bytes at the front of in to bev, as the last thing written
 * to bev before it is flushed.  Given bev's socket fd (>= 0: a plain
 * socket, TLS never) and nothing queued on bev, the bytes go to the socket
 * from where they lie, without a trip through bev's output; only what the
 * kernel does not take is moved there.  Otherwise (fd -1) they are moved
 * to bev's output for net_flush().
 */
void net_relay(struct evbuffer *in, size_t n, struct bufferevent *bev, int fd);

/*
 * The 5-byte header of the message at the front of in: in place when the
 * first chain holds it (nearly always), else gathered into copy.  NULL
 * while fewer than 5 bytes are buffered.
 */
const uint8_t *net_peek_header(struct evbuffer *in, uint8_t copy[5]);

/*
 * Reading plain sockets directly.  bufferevent_sock asks the kernel how
 * much is readable (FIONREAD) before every read: one extra system call per
 * message, which on a proxy is a third of its system calls.  A net_reader
 * reads into the bufferevent's own input buffer with one readv() and then
 * calls the bufferevent's read callback, so the rest of pgpin still sees an
 * ordinary bufferevent.  It stops reading while the input holds
 * high_water bytes or more; net_reader_update() resumes it.
 */
struct net_reader;

/*
 * A reader's fast path: given bytes just read while nothing else of the
 * connection is buffered, it may handle some of them from where they lie
 * (they are valid only during the call) and returns how many it took from
 * the front; the rest goes to the input buffer and the read callback as
 * usual.  It must not free the connection unless it takes every byte.
 */
typedef size_t (*net_fast_fn)(void *arg, const uint8_t *data, size_t len);

/* NULL for a TLS bufferevent: it must read through OpenSSL. */
struct net_reader *net_reader_new(struct bufferevent *bev, size_t high_water,
				  void (*readcb)(struct bufferevent *, void *),
				  void (*eventcb)(struct bufferevent *, short, void *), void *arg);
void net_reader_update(struct net_reader *r);
/*
 * Read now, as if the socket had been reported readable: for a socket just
 * accepted, whose client has usually sent its first message by the time
 * the loop gets to it.  Nothing there costs one recv(); waiting for the
 * loop to report it costs a sleep and a wake-up.  The callbacks may free
 * the connection, as from the loop.
 */
void net_reader_read_now(struct net_reader *r);
/* Add bytes read elsewhere to the end of r's input; 0, or -1 when out of
 * memory. */
int net_reader_add(struct net_reader *r, const void *data, size_t len);
/* Stop reading (hold) while another thread reads the socket, or resume. */
void net_reader_hold(struct net_reader *r, bool hold);
void net_reader_set_high_water(struct net_reader *r, size_t high_water);
void net_reader_free(struct net_reader *r);
/* Give r a fast path (see net_fast_fn); NULL removes it. */
void net_reader_set_fast(struct net_reader *r, net_fast_fn fast);
/*
 * Write data to bev: straight to its socket fd when that is given (>= 0, a
 * plain socket) and nothing is queued on bev, what the kernel does not
 * take (or all of it otherwise) queued on bev's output and flushed.
 */
void net_write(struct bufferevent *bev, int fd, const void *data, size_t len);
/* The socket r reads (bufferevent_getfd() costs a locked control call). */
int net_reader_fd(const struct net_reader *r);

#endif
