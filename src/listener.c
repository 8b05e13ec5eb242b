/*
 * listener.c - accepting client connections.
 *
 * Each listen address gets a libevent connection listener; accepted
 * sockets go straight to client_accept().  When the process runs out of
 * file descriptors, accepting pauses for a moment instead of spinning.
 */
#include "listener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "client.h"
#include "config.h"
#include "log.h"
#include "runtime.h"

#define MAX_LISTENERS 32
#define BACKLOG 1024

static struct evconnlistener *listeners[MAX_LISTENERS];
static int n_listeners;
static char unix_path[108];
static struct event *resume_ev;

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	client_accept(fd, sa, salen);
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
	for (int i = 0; i < n_listeners; i++)
		evconnlistener_enable(listeners[i]);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	log_warning("accept failed: %s", evutil_socket_error_to_string(err));
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		/* Out of descriptors: pause rather than spin on a ready socket. */
		for (int i = 0; i < n_listeners; i++)
			evconnlistener_disable(listeners[i]);
		struct timeval tv = {0, 100000};
		if (!resume_ev)
			resume_ev = evtimer_new(rt.base, resume_cb, NULL);
		evtimer_add(resume_ev, &tv);
	}
}

static int listen_tcp(const struct listen_addr *la, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	char spec[300];

	if (strchr(la->host, ':'))
		snprintf(spec, sizeof(spec), "[%s]:%d", la->host, la->port);
	else
		snprintf(spec, sizeof(spec), "%s:%d", la->host, la->port);
	if (strcmp(la->host, "localhost") == 0)
		snprintf(spec, sizeof(spec), "127.0.0.1:%d", la->port);
	if (evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss, &sslen) < 0) {
		snprintf(err, errlen, "listen: \"%s\" is not a numeric address", la->host);
		return -1;
	}
	struct evconnlistener *l = evconnlistener_new_bind(
		rt.base, accept_cb, NULL,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, BACKLOG,
		(struct sockaddr *)&ss, sslen);
	if (!l) {
		snprintf(err, errlen, "could not listen on %s: %s", spec, strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(l, accept_error_cb);
	listeners[n_listeners++] = l;
	log_info("listening on %s", spec);
	return 0;
}

static int listen_unix(const char *dir, int port, int mode, char *err, size_t errlen)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	int n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/.s.PGSQL.%d", dir, port);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "unix_socket_dir \"%s\" is too long", dir);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	unlink(sun.sun_path); /* a stale socket from a previous run */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "could not bind %s: %s", sun.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	chmod(sun.sun_path, (mode_t)mode);
	evutil_make_socket_nonblocking(fd);
	struct evconnlistener *l = evconnlistener_new(rt.base, accept_cb, NULL,
						      LEV_OPT_CLOSE_ON_FREE, BACKLOG, fd);
	if (!l) {
		snprintf(err, errlen, "could not listen on %s: %s", sun.sun_path, strerror(errno));
		close(fd);
		unlink(sun.sun_path);
		return -1;
	}
	evconnlistener_set_error_cb(l, accept_error_cb);
	listeners[n_listeners++] = l;
	snprintf(unix_path, sizeof(unix_path), "%s", sun.sun_path);
	log_info("listening on %s", sun.sun_path);
	return 0;
}

int listener_start_all(char *err, size_t errlen)
{
	const struct config *cfg = rt.cfg;

	for (int i = 0; i < cfg->n_listen; i++) {
		if (n_listeners >= MAX_LISTENERS - 1) {
			snprintf(err, errlen, "too many listen addresses (at most %d)",
				 MAX_LISTENERS - 1);
			return -1;
		}
		if (listen_tcp(&cfg->listen[i], err, errlen) < 0)
			return -1;
	}
	if (cfg->unix_socket_dir && *cfg->unix_socket_dir) {
		int port = cfg->n_listen ? cfg->listen[0].port : 6432;
		if (listen_unix(cfg->unix_socket_dir, port, cfg->unix_socket_mode, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void listener_stop_all(void)
{
	for (int i = 0; i < n_listeners; i++)
		evconnlistener_free(listeners[i]);
	n_listeners = 0;
	if (unix_path[0]) {
		unlink(unix_path);
		unix_path[0] = 0;
	}
	if (resume_ev) {
		event_free(resume_ev);
		resume_ev = NULL;
	}
}
