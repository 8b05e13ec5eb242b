/*
 * session_int.h - what the files of the SQLite session engine share with
 * each other, and nobody else: session.c (lifecycle, transactions, running
 * statements, the simple Query, input), session_stmt.c (statements and
 * portals), session_ext.c (the extended protocol), session_copy.c (COPY),
 * session_set.c (settings) and session_schema.c (the column cache).
 * link.c and the rest of pgpin use session.h only.
 */
#ifndef PGPIN_SQLITE_SESSION_INT_H
#define PGPIN_SQLITE_SESSION_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "proto.h"
#include "sqlite/session.h"

/* ------------------------------------------------------- session.c */

/* sqlite3_exec() without callback or message. */
int ses_exec(sqlite3 *db, const char *sql);

/* Backend messages built into s->out. */
void ses_send_error(struct lite_session *s, const struct lite_error *e);
void ses_send_complete(struct lite_session *s, const char *tag);
void ses_send_empty(struct lite_session *s, char type);
void ses_send_ready(struct lite_session *s);
/* formats: the portal's result formats, NULL for all text. */
void ses_send_row_description(struct lite_session *s, const struct lite_stmt *ps,
			      const int16_t *formats);

/* Start a SQLite write transaction under the writer lock; 0 or -1 with e. */
int ses_txn_begin_immediate(struct lite_session *s, struct lite_error *e);
/* After a failed statement: fail the block, or end the implicit transaction. */
void ses_txn_after_error(struct lite_session *s);

/* RUN_CHANGED: an error, and the statement's result columns are no longer
 * the ones it was described with (ses_run_rows()). */
enum run_result { RUN_DONE = 0, RUN_SUSPENDED, RUN_ERROR, RUN_CHANGED };

/* The command tag of a finished SQL statement ("INSERT 0 3"). */
void ses_sql_tag(struct lite_session *s, const char *verb, uint64_t rows, char *tag, size_t len);
/*
 * Step st sending DataRows, up to max_rows (0: all); *rows counts them.
 * SQLite prepares st again by itself when the schema has changed; if its
 * columns then differ from shape (ses_stmt_shape() when it was described),
 * nothing is sent and the result is RUN_CHANGED with PostgreSQL's 0A000
 * "cached plan must not change result type" in e.
 */
enum run_result ses_run_rows(struct lite_session *s, sqlite3_stmt *st, uint64_t shape,
			     int ncols, const struct desc_column *cols, const int16_t *formats,
			     int32_t max_rows, uint64_t *rows, bool *autocommit_writer,
			     struct lite_error *e);
/* A hash of st's result columns: their number, names and declared types. */
uint64_t ses_stmt_shape(sqlite3_stmt *st);
/* What PostgreSQL refuses before running a statement; 0 or -1 with e. */
int ses_sql_check(struct lite_session *s, const struct lite_stmt *ps, struct lite_error *e);
/* A SQL statement finished: savepoint and schema bookkeeping. */
void ses_sql_done(struct lite_session *s, const struct lite_stmt *ps);
/* Run a statement that is not row-by-row SQL: 0, 1 (COPY FROM waits for
 * data), or -1 with e set. */
int ses_run_utility(struct lite_session *s, struct lite_stmt *ps, const int16_t *formats,
		    struct lite_error *e);

/* Does the statement run as SQL that SQLite steps (rows or not)? */
static inline bool ses_ps_is_sql(const struct lite_stmt *ps)
{
	return ps->st && (ps->cat.sql || ps->t->kind == SQLT_SQL);
}

static inline const char *ses_ps_tag(const struct lite_stmt *ps)
{
	return ps->cat.sql ? "SELECT" : ps->t->tag;
}

/* COMMIT, ROLLBACK or ROLLBACK TO: what a failed block still accepts. */
static inline bool ses_is_txn_control(const struct sqlt_stmt *t)
{
	return t->kind == SQLT_COMMIT || t->kind == SQLT_ROLLBACK ||
	       (t->kind == SQLT_SQL && strcmp(t->tag, "ROLLBACK") == 0);
}

/* ------------------------------------------------------- session_stmt.c */

/* Parse: translate, prepare and type text; NULL with e set. */
struct lite_stmt *ses_stmt_prepare(struct lite_session *s, const char *name, const char *text,
				   size_t len, const uint32_t *given, int ngiven,
				   struct lite_error *e);
/*
 * The same for one statement of a simple Query, already translated with
 * the rest of it: tr (text's translation, its span relative to the whole
 * Query) is taken over, and left empty, instead of translating text again.
 */
struct lite_stmt *ses_stmt_prepare_translated(struct lite_session *s, const char *text,
					      size_t len, struct sqlt_stmt *tr,
					      struct lite_error *e);
/*
 * Would preparing text with these parameter types give ps again?  Plain
 * SQL statements only, and only while the schema is the one ps was
 * prepared in (checked: a SQLite read transaction).  Clients that Parse
 * the same unnamed statement for every query keep it instead.
 */
bool ses_stmt_same(struct lite_session *s, const struct lite_stmt *ps, const char *text,
		   const uint32_t *given, int ngiven);
/*
 * Describe's check of a statement: 0, or -1 with e when its table has
 * changed so that its result columns differ from those it was described
 * with (0A000, as PostgreSQL says; ps->changed set), or its text no longer
 * compiles.
 */
int ses_stmt_revalidate(struct lite_session *s, struct lite_stmt *ps, struct lite_error *e);
/* PostgreSQL's error for a statement whose result columns changed. */
void ses_stmt_changed_error(struct lite_error *e);
void ses_stmt_free(struct lite_stmt *ps);
struct lite_stmt *ses_stmt_find(struct lite_session *s, const char *name);
/* Close: unlisted now, freed once no portal uses it. */
void ses_stmt_remove(struct lite_session *s, struct lite_stmt *ps);

void ses_portal_free(struct lite_portal *p);
struct lite_portal *ses_portal_find(struct lite_session *s, const char *name);
void ses_portal_drop(struct lite_session *s, struct lite_portal *p);
/* Portals end with their transaction (none are WITH HOLD). */
void ses_portals_drop_all(struct lite_session *s);

/* ------------------------------------------------------- session_ext.c */

/* An error in the extended protocol: send it, skip to Sync. */
void ses_ext_error(struct lite_session *s, const struct lite_error *e);
void ses_handle_parse(struct lite_session *s, struct pkt_reader *r);
void ses_handle_bind(struct lite_session *s, struct pkt_reader *r);
void ses_handle_describe(struct lite_session *s, struct pkt_reader *r);
void ses_handle_execute(struct lite_session *s, struct pkt_reader *r);
void ses_handle_close(struct lite_session *s, struct pkt_reader *r);
void ses_handle_sync(struct lite_session *s);

/* ------------------------------------------------------- session_copy.c */

/* COPY FROM STDIN: answer CopyInResponse; 0 or -1 with e set. */
int ses_copy_in_start(struct lite_session *s, const struct sqlt_stmt *t, struct lite_error *e);
/* CopyData bytes (final: CopyDone); complete rows are inserted. */
int ses_copy_data(struct lite_session *s, const uint8_t *data, size_t len, bool final,
		  struct lite_error *e);
/* End COPY FROM: commit and CommandComplete, or roll back and err. */
void ses_copy_finish(struct lite_session *s, bool ok, const struct lite_error *err);
/* Forget COPY FROM's state. */
void ses_copy_reset(struct lite_session *s);
/* COPY TO STDOUT: the whole of it, up to CommandComplete. */
int ses_copy_out(struct lite_session *s, struct lite_stmt *ps, struct lite_error *e);
/* COPY table TO: the SELECT to run instead of the translator's when the
 * table has generated columns (PostgreSQL leaves them out), in *sql
 * (sqlite3_free() it), else *sql NULL; -1 (e set) when the column list
 * names a generated column. */
int ses_copy_to_select(struct lite_session *s, const struct sqlt_stmt *t, char **sql,
		       struct lite_error *e);

/* ------------------------------------------------------- session_set.c */

/* Startup parameters become settings; env gets current_setting()'s
 * callbacks.  0, or -1 with e set for a value pgpin refuses. */
int ses_settings_open(struct lite_session *s, struct lite_error *e);
/* SET name = value (NULL: DEFAULT); ParameterStatus for reported ones. */
int ses_set(struct lite_session *s, const char *name, const char *value, bool local,
	    struct lite_error *e);
/* RESET name, or RESET ALL. */
int ses_reset(struct lite_session *s, const char *name, struct lite_error *e);
/* SHOW: its columns (cols has room for 3; returns how many) and rows. */
int ses_show_columns(const struct sqlt_stmt *t, struct desc_column *cols);
void ses_show(struct lite_session *s, const struct sqlt_stmt *t, const int16_t *formats,
	      uint64_t *rows, struct lite_error *e);
/* A transaction ended: SET LOCAL values go back. */
void ses_settings_end_txn(struct lite_session *s);
/* DISCARD ALL: every setting back to its session default. */
void ses_settings_discard(struct lite_session *s);
void ses_settings_close(struct lite_session *s);

/* ------------------------------------------------------- session_schema.c */

/* A user table's or view's columns as catalog.c types them. */
struct lite_table {
	struct lite_table *next;
	char *name;
	uint32_t oid; /* as pg_class has it; 0 for a temporary or catalog relation */
	int n;	      /* 0: no such table */
	char (*names)[DESC_NAME_MAX];
	uint32_t *oids;
	bool *generated; /* GENERATED ALWAYS AS (...): not COPY's by default */
};

/* The cached columns of table ("public." or "pg_catalog." allowed);
 * n == 0 when there is no such table; NULL when out of memory. */
const struct lite_table *ses_schema_table(struct lite_session *s, const char *table);
/* desc_schema's callbacks (arg is the session). */
uint32_t ses_column_type(void *arg, const char *table, const char *column);
int ses_table_columns(void *arg, const char *table, char (*names)[DESC_NAME_MAX],
		      uint32_t *oids, int max);
/* Drop the cache if another connection (or this one) changed the schema. */
void ses_schema_check(struct lite_session *s);
/*
 * With s->schema_hold set, ses_schema_check() leaves its read transaction
 * open, so that the statement it was for reads in the same one instead of
 * beginning another (each costs SQLite file locks).  Release ends it.
 */
void ses_schema_release(struct lite_session *s);
/* Drop the cache (DDL ran, or the session ends). */
void ses_schema_forget(struct lite_session *s);

#endif
