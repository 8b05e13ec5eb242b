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
#include "stmt.h"

struct bufferevent;
struct net_reader;
struct client;
struct pool;
struct scram_client;

/*
 * What pgpin does with the replies to one request it sent the server.
 * A server answers requests in order, so a queue of these says, for every
 * message the server sends, whom it is for.
 */
enum req_kind {
	RQ_FORWARD = 0, /* the client's request: replies go to the client */
	RQ_SKIP,	/* injected for the client (a re-Parse, an eviction Close):
			 * replies are swallowed, but an error is the client's */
	RQ_FAKE,	/* answered by pgpin (ParseComplete, CloseComplete) when it
			 * reaches the front of the queue; never sent */
	RQ_INTERNAL,	/* pgpin's own query (reset, settings, check): all swallowed */
	RQ_CHECK,	/* the check of a logging-in client's startup settings
			 * (params_check_sql()): its rows and error are the
			 * client's (client_settings_*()), nothing is relayed */
};

struct req {
	char type;	    /* 'P' 'B' 'D' 'E' 'C' 'S' 'Q' 'F' */
	uint8_t kind;	    /* enum req_kind */
	char fake;	    /* RQ_FAKE: the reply to synthesize */
	bool local_error;   /* the server's error is replaced by error_* below */
	bool added_cache;   /* 'P': this request put stmt in the server's cache */
	struct stmt *stmt;  /* 'P': prepared under stmt->name; undone on failure */
	char *client_name;  /* 'P': the client's name for it; undone on failure */
	char *error_msg;    /* local_error: message; error_code: SQLSTATE */
	const char *error_code;
};

/* Where a server connection stands with TLS (sslmode, libpq's rules). */
enum server_tls {
	STLS_NONE = 0,	/* plain text, or not asked yet */
	STLS_ASKED,	/* SSLRequest sent: waiting for 'S' or 'N' */
	STLS_HANDSHAKE, /* 'S': the bufferevent is now TLS, handshaking */
	STLS_ON,	/* encrypted */
};

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
	struct net_reader *reader; /* NULL: the bufferevent reads (always with TLS) */
	enum server_state state;
	uint8_t tls;		   /* enum server_tls */
	bool tls_retry;		   /* sslmode allow/prefer: the first login was refused;
				    * this is the second, the other way round */
	struct client *client;

	uint32_t be_pid;
	uint32_t be_key;
	struct params params;	    /* what the session has now */
	struct params base_params;  /* reported at login */
	uint64_t synced_fp;	    /* fingerprint of the client settings last applied */
	uint32_t synced_gen;	    /* params.gen right after that */
	char txn_status;	    /* last ReadyForQuery status */
	struct req *rq;		    /* ring of outstanding requests */
	uint32_t rq_head;
	uint32_t rq_len;
	uint32_t rq_cap;
	int n_internal;		    /* RQ_INTERNAL requests in the ring */
	struct stmt_cache stmts;    /* statements prepared on this server */
	uint64_t batch_gen;	    /* bumped at every ReadyForQuery */
	uint32_t fwd_remaining;	    /* bytes of a message being relayed */
	bool fwd_drop;		    /* ...to be dropped, not relayed */
	bool fakes_after_msg;	    /* answer FAKE requests once it is relayed */

	struct scram_client *scram;
	double created;
	double last_used;
	double login_started;
	/* Multi-host endpoints: the step of the pool's search for a server
	 * (pool.c), and the host it chose: pool->target.hosts[attempt % n]. */
	int attempt;
	const char *host;
	int port;
	bool next_host;		    /* pool.c: try the next host once this one is gone */
	bool checking;		    /* a health check is running */
	bool close_at_release;	    /* lifetime over, or reload */
	bool copy_in;		    /* COPY FROM STDIN (or COPY BOTH) under way */
	/* An extended-protocol error came before the client's Sync: the
	 * server ignores every message up to that Sync, whose ReadyForQuery
	 * then answers it (server_reply()). */
	bool skipping;
	/* Cancel requests sent for a client's query and not yet taken by
	 * PostgreSQL: the server goes to no other client meanwhile, or the
	 * cancel could stop that client's query. */
	int cancels_in_flight;
	char addr[128];
};

/* Open a new server for a pool (state SV_CONNECTING) to the host of step
 * attempt of its search (see struct server).  NULL on failure. */
struct server *server_connect(struct pool *p, int attempt);
/* Close now; unlinks from client and pool. reason is logged. */
void server_close(struct server *s, const char *reason);

/* Send an internal simple query; its replies are swallowed. */
void server_send_internal(struct server *s, const char *sql);
/* Send the check of the linked client's startup settings (RQ_CHECK). */
void server_send_check(struct server *s, const char *sql);

/* Outstanding requests.  server_push_req() copies r; a FAKE request at the
 * front of an empty queue is answered at once. */
int server_push_req(struct server *s, const struct req *r);
static inline bool server_busy(const struct server *s)
{
	return s->rq_len > 0;
}
/* Forget every statement this server has prepared (DISCARD ALL, reset). */
void server_forget_statements(struct server *s);
/* Run the health check query if the server has been idle long enough. */
void server_check(struct server *s);

/* The linked client's output has drained: resume relaying. */
void server_resume(struct server *s);
/* Relay what the server has buffered (after a link or resume). */
void server_process(struct server *s);

/* Send a CancelRequest for this server's current query on a new connection. */
void server_send_cancel(struct server *s);
/* The same for a client's CancelRequest: s is kept from other clients
 * until PostgreSQL has taken the request (see cancels_in_flight). */
void server_send_client_cancel(struct server *s);
/* True while cancel requests are still on their way. */
bool server_cancels_pending(void);
/* Free cancel connections still in flight (at exit). */
void server_cancels_free(void);

#endif
