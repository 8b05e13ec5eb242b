/*
 * net.h - outgoing connections and socket options shared by server links
 * and cancel requests.
 */
#ifndef PGPIN_NET_H
#define PGPIN_NET_H

struct bufferevent;

/* Start connecting bev to host:port, or to the Unix socket
 * HOST/.s.PGSQL.PORT when host is an absolute path.  0 or -1. */
int net_connect(struct bufferevent *bev, const char *host, int port);
/* TCP_NODELAY and keepalive on a connected TCP socket (no-op on Unix). */
void net_tune_socket(int fd);
/* "host:port" or "unix:path" of the peer, for logs. */
void net_peer_name(int fd, char *buf, unsigned long len);

#endif
