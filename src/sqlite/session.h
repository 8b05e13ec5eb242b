/*
 * session.h - the state one SQLite-backed client session keeps, shared by
 * link.c (thread, queues, writer lock) and session.c with its session_*.c
 * (the protocol; their private surface is session_int.h).
 *
 * Fields under "shared" are guarded by mu; everything else belongs to the
 * session's thread alone once it runs.
 */
#ifndef PGPIN_SQLITE_SESSION_H
#define PGPIN_SQLITE_SESSION_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "params.h"
#include "proto.h"
#include "sqlite/catalog.h"
#include "sqlite/describe.h"
#include "sqlite/errors.h"
#include "sqlite/link.h"
#include "sqlite/translate.h"

struct wake;

/* A growable byte queue with a read offset. */
struct lite_buf {
	uint8_t *data;
	size_t len; /* bytes in data */
	size_t off; /* bytes already consumed */
	size_t cap;
};

/* A prepared statement (Parse, or the simple-query statement being run). */
struct lite_stmt {
	struct lite_stmt *next;
	char *name;		/* "" = unnamed */
	char *text;		/* the PostgreSQL text */
	struct sqlt_result tr;	/* its translation: one statement */
	struct sqlt_stmt *t;	/* &tr.v[0] */
	struct cat_query cat;	/* answered by the catalog (cat.sql set) */
	sqlite3_stmt *st;	/* NULL when not plain SQL or several SQLite statements */
	bool multi;		/* t->sql holds several SQLite statements */
	bool st_busy;		/* st is lent to a portal */
	int nparams;
	uint32_t *param_oids;
	int ncols;		/* -1: no rows (NoData) */
	struct desc_column *cols;
	uint32_t *col_table;	/* RowDescription's table OID per column, or NULL */
	int16_t *col_attnum;	/* ... and column number */
	int refs;		/* portals using it */
	bool closed;		/* Close'd while a portal still used it */
	bool changed;		/* its result columns changed since Parse: refused */
	uint64_t shape;		/* ses_stmt_shape(st) when described */
	/* What Parse gave, for ses_stmt_same(): its parameter types, and the
	 * schema version st was prepared in (-1: none) */
	uint32_t *given;
	int ngiven;
	int schema_version;
};

struct lite_portal {
	struct lite_portal *next;
	char *name;
	struct lite_stmt *ps;
	sqlite3_stmt *st;	/* ps->st or a private copy */
	bool own_st;
	int16_t *formats;	/* [ps->ncols] */
	bool started;
	bool done;
	bool autocommit_writer; /* took the writer lock for this statement */
	uint64_t rows;
};

struct lite_setting {
	char *name;
	char *value;
};

enum copy_state { COPY_NONE = 0, COPY_IN, COPY_IN_FAILED };

struct lite_session {
	/* ------------------------------------------------ shared (mu) */
	pthread_mutex_t mu;
	pthread_cond_t cond;	   /* thread waits for input; flush waits for room */
	struct lite_buf inbox;	   /* whole frontend messages from the loop */
	struct lite_buf outbox;	   /* backend messages for the loop */
	bool closing;		   /* the client is gone */
	bool thread_done;
	bool detached;		   /* the loop no longer wants notifications */
	enum lite_open_state open_state;
	struct pkt open_reply;	   /* welcome or FATAL, for lite_session_opened */
	bool busy;		   /* the thread is working on input */
	bool in_txn;		   /* a transaction block is open */
	bool running;		   /* a statement or lock wait is in progress */
	bool cancel;		   /* a cancel arrived while running */
	pthread_cond_t *lock_wait; /* the writer-lock wait to wake on cancel */
	/* Output may go straight to the client's socket from the thread:
	 * the loop has nothing of the client's left to write, and the socket
	 * is plain (no TLS).  See lite_flush(). */
	bool direct;
	int direct_fd;
	/* The thread holds output it could not send, waiting for room in the
	 * outbox: however empty the outbox, direct writing would overtake it. */
	bool held_output;
	/* The loop waits for the thread to run its inbox (client ending):
	 * notify it when idle.  See lite_session_finished(). */
	bool notify_idle;
	/* Input read from the client's socket by the thread itself (lent by
	 * the loop; see lite_session_lend_input()), and what it gives back. */
	bool own_input;
	int input_fd;
	uint32_t input_max;
	struct lite_buf returned;
	int poke_fd;		   /* eventfd: wakes the thread's poll() */

	/* ------------------------------------------------ loop side */
	pthread_t thread;
	struct wake *notify_wake;
	lite_notify_fn notify;
	void *notify_arg;

	/* ------------------------------------------------ thread side */
	char *database;
	char *user;
	char *path;		   /* the file this session opened */
	uint32_t pid;
	sqlite3 *db;
	struct cat_env env;
	char **dbnames;		   /* for env.databases */
	int n_dbnames;
	struct params vars;	   /* startup parameters */
	struct lite_setting *settings;
	int n_settings;
	struct lite_setting *local_undo; /* SET LOCAL: values to restore */
	int n_local_undo;
	struct pkt out;		   /* being built */
	struct lite_buf rbuf;	   /* read from the socket, not yet run */
	struct lite_stmt *stmts;
	struct lite_portal *portals;
	bool block;		   /* explicit transaction block (BEGIN) */
	bool failed;		   /* ... in which an error happened: 25P02 until ROLLBACK */
	bool implicit;		   /* pgpin opened a SQLite transaction for a multi-statement Query */
	bool writer;		   /* holds the global writer lock */
	bool skip_to_sync;	   /* extended protocol error: discard until Sync */
	/* the simple Query being run (resumed after COPY FROM) */
	struct sqlt_result query;
	size_t query_next;
	char *query_text;
	bool in_query;
	/* COPY FROM STDIN */
	enum copy_state copy;
	struct sqlt_copy *copy_opts;
	struct lite_stmt *copy_stmt;   /* owns copy_opts for a simple Query's COPY */
	sqlite3_stmt *copy_st;
	uint32_t *copy_oids;
	int copy_ncols;
	struct lite_buf copy_line; /* partial row */
	uint64_t copy_rows;
	bool copy_implicit;	   /* pgpin opened the transaction for the COPY */
	bool copy_header;	   /* HEADER: the next line is skipped */
	/* column cache for describe and COPY (session_schema.c) */
	int schema_version;
	sqlite3_stmt *schema_st; /* PRAGMA schema_version */
	bool schema_hold;	 /* the next check keeps its read transaction */
	bool schema_held;	 /* ... and has: schema_st is not reset */
	struct lite_table *tables;
};

/* ------------------------------------------------------- link.c */

int lite_buf_append(struct lite_buf *b, const void *data, size_t n);

/* Move the built output to the outbox (waiting while the outbox is full). */
void lite_flush(struct lite_session *s);
/* Take the writer lock (FIFO, bounded wait). 0, or -1 with e set. */
int lite_writer_acquire(struct lite_session *s, struct lite_error *e);
void lite_writer_release(struct lite_session *s);
/* Mark a statement as running (cancel interrupts it) or finished. */
void lite_running(struct lite_session *s, bool on);
bool lite_cancelled(struct lite_session *s);
/* Publish the transaction state (for lite_session_idle). */
void lite_set_in_txn(struct lite_session *s, bool on);
/* The database directory (NULL in single-file mode) and file names. */
const char *lite_dir(void);
int lite_db_path(const char *name, char *buf, size_t len);
/* Databases listed in pg_database: malloc'd array of malloc'd names. */
int lite_list_databases(char ***names, int *n);
/* CREATE / DROP DATABASE: 0 or -1 with e set. */
int lite_create_database(const char *name, struct lite_error *e);
int lite_drop_database(const char *name, const char *current, struct lite_error *e);
int lite_synchronous(void);	/* 0 OFF, 1 NORMAL, 2 FULL */
int lite_busy_timeout_ms(void);

/* ------------------------------------------- session.c (welcome: session_set.c) */

/* Open the database and set the connection up; 0, or -1 with e set. */
int session_open(struct lite_session *s, struct lite_error *e);
/* The ParameterStatus messages of the welcome. */
void session_welcome(struct lite_session *s, struct pkt *p);
/* Handle whole messages in buf[0..len); output goes to s->out. */
void session_input(struct lite_session *s, const uint8_t *buf, size_t len);
/* Roll back and release everything (client gone). */
void session_close(struct lite_session *s);

#endif
