/*
 * client.h - one connection from a PostgreSQL client to pgpin.
 *
 * client.c reads the startup packet (answering SSLRequest, GSSENCRequest
 * and CancelRequest), authenticates, sends the welcome (ParameterStatus,
 * BackendKeyData, ReadyForQuery), then relays the client's messages to the
 * server its pool lends it, one transaction (or session, or statement) at
 * a time.
 */
#ifndef PGPIN_CLIENT_H
#define PGPIN_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "params.h"
#include "stmt.h"

struct bufferevent;
struct net_reader;
struct pool;
struct server;
struct scram_server;
struct lite_session;

enum client_state {
	CL_STARTUP = 0, /* reading the startup packet */
	CL_AUTH,	/* waiting for a password or SASL message */
	CL_LOGIN_WAIT,	/* authenticated, waiting for the pool's welcome */
	CL_READY,	/* logged in */
	CL_CLOSED,
};

struct client {
	TAILQ_ENTRY(client) link;      /* rt.clients */
	TAILQ_ENTRY(client) wait_link; /* pool waiting or login_wait list */
	struct bufferevent *bev;
	struct net_reader *reader; /* NULL: the bufferevent reads */
	enum client_state state;
	bool tls;	      /* encrypted (or handshaking: tls_handshake) */
	bool tls_handshake;   /* 'S' sent, TLS handshake under way */
	bool unix_socket;     /* connected over the Unix socket: never TLS */
	bool counted;  /* counts against max_client_conn */
	bool closing;  /* flushing a final error, then freed */
	bool terminated; /* sent Terminate: what it asked before runs to its end */
	bool flushing; /* closing with output left: counted in rt.n_flushing */
	bool waiting;  /* in pool->waiting */
	bool in_login_wait;
	bool settings_check; /* linked to a server to check its startup settings */
	struct pool *pool;
	struct server *server;
	struct lite_session *lite; /* the SQLite backend's session, instead of a pool */

	char *user;
	char *database;
	struct params vars; /* session parameters the client expects */
	uint32_t pid;	    /* BackendKeyData handed to the client */
	uint32_t key;

	/* authentication */
	enum { AM_NONE = 0, AM_MD5, AM_SCRAM } auth_method;
	int sasl_step;
	uint8_t md5_salt[4];
	struct scram_server *scram;
	char *secret; /* from the auth file; plain, md5 or SCRAM */

	/* prepared statements: the client's names (track.c) */
	struct stmt_names names;
	uint32_t pins;	  /* session state keeping the server (pin.h) */
	bool stalled;	  /* waiting for the answer to an earlier Parse of a name */
	uint64_t batch_seq; /* Syncs forwarded so far */
	bool pin_logged;

	/* relaying client -> server */
	uint32_t fwd_remaining;
	bool fwd_drop;	  /* ...to be dropped, not relayed */
	bool skip_to_sync; /* after an error pgpin raised: drop until Sync */
	bool input_raised; /* the input bound was raised for a long message */
	bool in_batch;	  /* extended-protocol messages since the last Sync */
	bool processing;  /* inside client_process(): no re-entry, no deferral */
	/* startup settings the pool has not seen: checked on a server before
	 * the welcome (client_welcome()) */
	bool settings_checked;
	char **check_row;      /* the check's row: each setting as the server shows it */
	int check_row_n;
	uint8_t *check_error;  /* the ErrorResponse the check ended in (FATAL) */
	size_t check_error_len;
	/* A refusal of the startup options (FATAL ErrorResponse), sent after
	 * the settings before the bad word have been checked, as PostgreSQL
	 * applies them first. */
	uint8_t *options_error;
	size_t options_error_len;
	/* SQLite: the socket is lent to the session's thread, which reads it
	 * (input_lent); it gave it back and the loop has not read since
	 * (input_returned: not lent again until then). */
	bool input_lent;
	bool input_returned;
	/* SQLite: the client sent Terminate or went away (the reason, for the
	 * log): it is closed once its thread has run what came before, as
	 * PostgreSQL runs every message it read before the end. */
	const char *lite_end;
	/* Settings the client gave and then gave again: checked too. */
	struct params superseded;

	double wait_started;
	double connected_at;
	char addr[128];
};

/* Take over an accepted socket. */
void client_accept(int fd, const struct sockaddr *sa, int salen);
/* Close with an optional FATAL ErrorResponse first. */
void client_fatal(struct client *c, const char *sqlstate, const char *msg);
void client_close(struct client *c, const char *reason);

/* The pool has linked a server to this client. */
void client_linked(struct client *c);
/* The pool's welcome parameters are known: finish the login. */
void client_welcome(struct client *c);
/* The pool could not log in to the server on the client's behalf. */
void client_login_failed(struct client *c, const char *sqlstate, const char *msg);
/* The server output drained below its watermark: resume reading. */
void client_resume(struct client *c);
/* Relay the client's buffered messages (after a link or resume). */
void client_process(struct client *c);
/* A message of n bytes must be read whole: let the input hold it. */
void client_expect_message(struct client *c, size_t n);
/* The settings check (RQ_CHECK) of a client logging in: its row (the
 * body of a DataRow), its error, and its end (ReadyForQuery), after which
 * the client gives the server back and logs in, or is refused. */
struct error_fields;
void client_settings_row(struct client *c, const uint8_t *body, size_t len);
void client_settings_failed(struct client *c, const struct error_fields *ef);
void client_settings_checked(struct client *c);
/* The server said ReadyForQuery for this client: maybe unlink. */
void client_server_ready(struct client *c);
/* Janitor: timeouts for logins and waits. */
void client_janitor(struct client *c, double now);
/* Graceful shutdown: close if not inside a transaction. */
void client_shutdown_if_idle(struct client *c);
/* Find a client by the key it was given (for CancelRequest). */
struct client *client_find_by_key(uint32_t pid, uint32_t key);

#endif
