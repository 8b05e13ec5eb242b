/*
 * listener.h - the sockets pgpin accepts clients on: TCP addresses from
 * `listen` and, if configured, a Unix socket in unix_socket_dir.
 */
#ifndef PGPIN_LISTENER_H
#define PGPIN_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

/* Open every listener; -1 with a message in err if any fails. */
int listener_start_all(char *err, size_t errlen);
/* Stop accepting (graceful shutdown); idempotent. */
void listener_stop_all(void);

#endif
