/*
 * server.h - one connection from pgpin to a backend server.
 *
 * server.c connects, logs in (trust, cleartext, MD5, SCRAM-SHA-256),
 * records the server's ParameterStatus and BackendKeyData, then relays
 * what the server sends to the client linked to it, watching for
 * ReadyForQuery to learn when the client may be unlinked.  Queries pgpin
 * sends on its own (reset, rollback, health check, session parameters) are
 * "internal": their replies are consumed here and never reach a client.
 */
#ifndef PGPIN_SERVER_H
#define PGPIN_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "params.h"

struct bufferevent;
struct net_reader;
struct client;
struct pool;
struct scram_client;

enum server_state {
	SV_CONNECTING = 0,
	SV_LOGIN,  /* startup sent, authenticating, reading parameters */
	SV_IDLE,   /* in the pool's idle list */
	SV_ACTIVE, /* linked to a client, or running internal queries */
	SV_CLOSED,
};

struct server {
	TAILQ_ENTRY(server) link; /* in one of the pool's lists */
	struct pool *pool;
	struct bufferevent *bev;
	struct net_reader *reader; /* NULL: the bufferevent reads */
	enum server_state state;
	struct client *client;

	uint32_t be_pid;
	uint32_t be_key;
	struct params params;	    /* what the session has now */
	struct params base_params;  /* reported at login */
	uint64_t synced_fp;	    /* fingerprint of the client settings last applied */
	uint32_t synced_gen;	    /* params.gen right after that */
	char txn_status;	    /* last ReadyForQuery status */
	int pending_ready;	    /* client ReadyForQuery still to come */
	int internal_ready;	    /* internal ReadyForQuery still to come */
	uint32_t fwd_remaining;	    /* bytes of a message being relayed */
	bool fwd_drop;		    /* ...to be dropped, not relayed */
	bool in_copy_out;

	struct scram_client *scram;
	double created;
	double last_used;
	double login_started;
	bool checking;		    /* a health check is running */
	bool close_at_release;	    /* lifetime over, or reload */
	char addr[128];
};

/* Open a new server for a pool (state SV_CONNECTING).  NULL on failure. */
struct server *server_connect(struct pool *p);
/* Close now; unlinks from client and pool. reason is logged. */
void server_close(struct server *s, const char *reason);

/* Send an internal simple query; its replies are swallowed. */
void server_send_internal(struct server *s, const char *sql);
/* Run the health check query if the server has been idle long enough. */
void server_check(struct server *s);

/* The linked client's output has drained: resume relaying. */
void server_resume(struct server *s);
/* Relay what the server has buffered (after a link or resume). */
void server_process(struct server *s);

/* Send a CancelRequest for this server's current query on a new connection. */
void server_send_cancel(struct server *s);
/* Free cancel connections still in flight (at exit). */
void server_cancels_free(void);

#endif
