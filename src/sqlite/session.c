/*
 * session.c - one client's PostgreSQL session on a SQLite connection:
 * the protocol state machine of the SQLite backend, run on the session's
 * thread (link.c).  This file opens and closes the session, takes the
 * frontend messages in, runs statements (the simple Query, whose several
 * statements are one implicit transaction, and the portals of the
 * extended protocol) and the utility commands (transaction control,
 * CREATE/DROP DATABASE, DEALLOCATE, DISCARD), and keeps PostgreSQL's
 * transaction semantics: ReadyForQuery I/T/E, 25P02 in a failed block,
 * COMMIT of a failed block answering ROLLBACK, the 25001 and 25P01
 * warnings, rollback on disconnect.
 *
 * Statements are translated (translate.c), typed (describe.c, then the
 * declared types SQLite knows), run, and their values encoded (types.c);
 * SQLite errors become PostgreSQL's (errors.c).  Beside it:
 * session_stmt.c (statements, portals), session_ext.c (the extended
 * protocol's messages), session_copy.c (COPY), session_set.c (SET, SHOW,
 * RESET) and session_schema.c (the column types Describe uses).
 *
 * Writes are serialised by the writer lock (link.c): taken at BEGIN (the
 * SQLite transaction is BEGIN IMMEDIATE, so it can never fail half-way on
 * SQLITE_BUSY), and around a single write outside a block.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sqlite/session_int.h"
#include "sqlite/types.h"

/* ------------------------------------------------------------ open */

int ses_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static bool env_cancelled(void *arg)
{
	return lite_cancelled(arg);
}

/* The databases pg_database lists (after CREATE/DROP DATABASE too). */
static void refresh_databases(struct lite_session *s)
{
	for (int i = 0; i < s->n_dbnames; i++)
		free(s->dbnames[i]);
	free(s->dbnames);
	s->dbnames = NULL;
	s->n_dbnames = 0;
	lite_list_databases(&s->dbnames, &s->n_dbnames);
	s->env.databases = (const char *const *)s->dbnames;
	s->env.n_databases = s->n_dbnames;
}

int session_open(struct lite_session *s, struct lite_error *e)
{
	char path[4096], pragma[64];
	char err[256];

	if (lite_db_path(s->database, path, sizeof(path)) < 0 ||
	    (lite_dir() && access(path, F_OK) < 0)) {
		lite_error_set(e, "3D000", "database \"%s\" does not exist", s->database);
		return -1;
	}
	s->path = strdup(path);
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		lite_error_set(e, "58030", "could not open SQLite database \"%s\": %s", path,
			       db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, lite_busy_timeout_ms());
	static const char *const sync_names[] = {"OFF", "NORMAL", "FULL"};
	snprintf(pragma, sizeof(pragma), "PRAGMA synchronous=%s", sync_names[lite_synchronous()]);
	if (ses_exec(db, "PRAGMA journal_mode=WAL") != SQLITE_OK ||
	    ses_exec(db, pragma) != SQLITE_OK ||
	    ses_exec(db, "PRAGMA case_sensitive_like=ON") != SQLITE_OK ||
	    ses_exec(db, "PRAGMA foreign_keys=ON") != SQLITE_OK) {
		lite_error_set(e, "58030", "could not set up SQLite database \"%s\": %s", path,
			       sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	pthread_mutex_lock(&s->mu);
	s->db = db;
	pthread_mutex_unlock(&s->mu);

	/* The client's startup parameters become session settings. */
	if (ses_settings_open(s, e) < 0)
		return -1;

	s->env.database = s->database;
	s->env.user = s->user;
	s->env.backend_pid = (int)s->pid;
	s->env.cancelled = env_cancelled;
	refresh_databases(s);
	if (cat_setup(db, &s->env, err, sizeof(err)) < 0) {
		lite_error_set(e, "58030", "could not set up the catalog: %s", err);
		return -1;
	}
	s->schema_version = -1;
	return 0;
}

/* ------------------------------------------------------------ replies */

void ses_send_error(struct lite_session *s, const struct lite_error *e)
{
	lite_error_build(&s->out, e);
}

static void send_warning(struct lite_session *s, const char *sqlstate, const char *msg)
{
	pkt_begin(&s->out, 'N');
	pkt_byte(&s->out, 'S');
	pkt_string(&s->out, "WARNING");
	pkt_byte(&s->out, 'V');
	pkt_string(&s->out, "WARNING");
	pkt_byte(&s->out, 'C');
	pkt_string(&s->out, sqlstate);
	pkt_byte(&s->out, 'M');
	pkt_string(&s->out, msg);
	pkt_byte(&s->out, 0);
	pkt_end(&s->out);
}

void ses_send_complete(struct lite_session *s, const char *tag)
{
	pkt_begin(&s->out, 'C');
	pkt_string(&s->out, tag);
	pkt_end(&s->out);
}

void ses_send_empty(struct lite_session *s, char type)
{
	pkt_begin(&s->out, type);
	pkt_end(&s->out);
}

static char txn_status(const struct lite_session *s)
{
	if (!s->block)
		return 'I';
	return s->failed ? 'E' : 'T';
}

void ses_send_ready(struct lite_session *s)
{
	proto_build_ready(&s->out, txn_status(s));
	lite_set_in_txn(s, s->block);
}

void ses_send_row_description(struct lite_session *s, const struct lite_stmt *ps,
				 const int16_t *formats)
{
	int ncols = ps->ncols;
	const struct desc_column *cols = ps->cols;
	pkt_begin(&s->out, 'T');
	pkt_int16(&s->out, (int16_t)ncols);
	for (int i = 0; i < ncols; i++) {
		pkt_string(&s->out, cols[i].name);
		pkt_int32(&s->out, ps->col_table ? (int32_t)ps->col_table[i] : 0);
		pkt_int16(&s->out, ps->col_attnum ? ps->col_attnum[i] : 0);
		pkt_int32(&s->out, (int32_t)cols[i].oid);
		pkt_int16(&s->out, pgt_typlen(cols[i].oid));
		pkt_int32(&s->out, -1); /* typmod */
		pkt_int16(&s->out, formats ? formats[i] : 0);
	}
	pkt_end(&s->out);
}

/* ------------------------------------------------------------ transactions */

/* Any error in a block fails it (PostgreSQL aborts the transaction). */
static void fail_block(struct lite_session *s)
{
	if (s->block)
		s->failed = true;
}

/* End whatever SQLite transaction is open, and the block. */
static void txn_rollback(struct lite_session *s)
{
	if (!sqlite3_get_autocommit(s->db))
		ses_exec(s->db, "ROLLBACK");
	s->block = false;
	s->failed = false;
	s->implicit = false;
	lite_writer_release(s);
	ses_settings_end_txn(s);
}

/* Start a SQLite write transaction under the writer lock. */
int ses_txn_begin_immediate(struct lite_session *s, struct lite_error *e)
{
	lite_running(s, true);
	int rc = lite_writer_acquire(s, e);
	lite_running(s, false);
	if (rc < 0)
		return -1;
	rc = ses_exec(s->db, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK) {
		lite_error_from_sqlite(s->db, rc, e);
		lite_writer_release(s);
		return -1;
	}
	return 0;
}

static int do_begin(struct lite_session *s, const struct sqlt_stmt *t, struct lite_error *e)
{
	if (s->block) {
		send_warning(s, "25001", "there is already a transaction in progress");
		return 0;
	}
	if (s->implicit) {
		/* BEGIN inside a multi-statement Query: the implicit
		 * transaction becomes the block. */
		s->implicit = false;
		s->block = true;
		return 0;
	}
	if (t->read_only) {
		int rc = ses_exec(s->db, "BEGIN DEFERRED");
		if (rc != SQLITE_OK) {
			lite_error_from_sqlite(s->db, rc, e);
			return -1;
		}
	} else if (ses_txn_begin_immediate(s, e) < 0) {
		return -1;
	}
	s->block = true;
	s->failed = false;
	return 0;
}

/* COMMIT; *tag says what happened ("COMMIT" or, for a failed block, "ROLLBACK"). */
static int do_commit(struct lite_session *s, const char **tag, struct lite_error *e)
{
	*tag = "COMMIT";
	if (!s->block && !s->implicit) {
		send_warning(s, "25P01", "there is no transaction in progress");
		return 0;
	}
	if (s->failed) {
		txn_rollback(s);
		*tag = "ROLLBACK";
		return 0;
	}
	if (!sqlite3_get_autocommit(s->db)) {
		int rc = ses_exec(s->db, "COMMIT");
		if (rc != SQLITE_OK) {
			lite_error_from_sqlite(s->db, rc, e);
			txn_rollback(s);
			return -1;
		}
	}
	s->block = false;
	s->implicit = false;
	s->failed = false;
	lite_writer_release(s);
	ses_settings_end_txn(s);
	return 0;
}

static void do_rollback(struct lite_session *s)
{
	if (!s->block && !s->implicit)
		send_warning(s, "25P01", "there is no transaction in progress");
	txn_rollback(s);
}

/* After a statement, keep PostgreSQL's view in step with SQLite's: an
 * error may have rolled SQLite's transaction back on its own. */
void ses_txn_after_error(struct lite_session *s)
{
	if (s->implicit) {
		txn_rollback(s);
		return;
	}
	fail_block(s);
	if (s->block && sqlite3_get_autocommit(s->db))
		lite_writer_release(s); /* SQLite already rolled back */
}

/* ------------------------------------------------------------ running */

/* The command tag for a finished SQL statement. */
void ses_sql_tag(struct lite_session *s, const char *verb, uint64_t rows, char *tag,
		    size_t len)
{
	uint64_t changes = (uint64_t)sqlite3_changes64(s->db);
	if (strcmp(verb, "SELECT") == 0)
		snprintf(tag, len, "SELECT %llu", (unsigned long long)rows);
	else if (strcmp(verb, "INSERT") == 0)
		snprintf(tag, len, "INSERT 0 %llu", (unsigned long long)changes);
	else if (strcmp(verb, "UPDATE") == 0 || strcmp(verb, "DELETE") == 0)
		snprintf(tag, len, "%s %llu", verb, (unsigned long long)changes);
	else
		snprintf(tag, len, "%s", verb);
}

uint64_t ses_stmt_shape(sqlite3_stmt *st)
{
	int n = sqlite3_column_count(st);
	uint64_t h = 14695981039346656037ull ^ (uint64_t)n;

	for (int i = 0; i < n; i++) {
		const char *parts[2] = {sqlite3_column_name(st, i), sqlite3_column_decltype(st, i)};
		for (int k = 0; k < 2; k++) {
			for (const char *c = parts[k] ? parts[k] : ""; *c; c++)
				h = (h ^ (uint8_t)*c) * 1099511628211ull;
			h = (h ^ 0xff) * 1099511628211ull; /* end of a part */
		}
	}
	return h;
}

/*
 * Step st, sending DataRows, until it is done or max_rows rows were sent
 * (0 = no limit).  Takes the writer lock first for a write outside a
 * transaction.  *rows counts the rows sent so far.
 */
enum run_result ses_run_rows(struct lite_session *s, sqlite3_stmt *st, uint64_t shape,
				int ncols, const struct desc_column *cols, const int16_t *formats,
				int32_t max_rows, uint64_t *rows, bool *autocommit_writer,
				struct lite_error *e)
{
	struct pgt_error pe;
	int32_t sent = 0;
	bool first = true;
	int prepared = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0);

	if (!*autocommit_writer && !s->writer && sqlite3_get_autocommit(s->db) &&
	    !sqlite3_stmt_readonly(st)) {
		lite_running(s, true);
		int rc = lite_writer_acquire(s, e);
		lite_running(s, false);
		if (rc < 0)
			return RUN_ERROR;
		*autocommit_writer = true;
	}
	lite_running(s, true);
	for (;;) {
		int rc = sqlite3_step(st);
		if (first && (rc == SQLITE_ROW || rc == SQLITE_DONE) &&
		    sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0) != prepared &&
		    ses_stmt_shape(st) != shape) {
			/* Another connection changed a table under a statement
			 * described before: refuse, as PostgreSQL does. */
			lite_running(s, false);
			ses_stmt_changed_error(e);
			sqlite3_reset(st);
			return RUN_CHANGED;
		}
		first = false;
		if (rc == SQLITE_ROW) {
			if (ncols > 0) {
				size_t start = s->out.len;
				pkt_begin(&s->out, 'D');
				pkt_int16(&s->out, (int16_t)ncols);
				for (int i = 0; i < ncols; i++) {
					if (pgt_encode(&s->out, st, i, cols[i].oid,
						       formats ? formats[i] : 0, &pe) < 0) {
						s->out.len = start;
						lite_running(s, false);
						lite_error_set(e, pe.sqlstate, "%s", pe.message);
						sqlite3_reset(st);
						return RUN_ERROR;
					}
				}
				pkt_end(&s->out);
				(*rows)++;
				if (s->out.len >= 65536)
					lite_flush(s);
			}
			if (max_rows > 0 && ++sent >= max_rows) {
				lite_running(s, false);
				return RUN_SUSPENDED;
			}
			continue;
		}
		lite_running(s, false);
		if (rc == SQLITE_DONE)
			return RUN_DONE;
		lite_error_from_sqlite(s->db, rc, e);
		sqlite3_reset(st);
		return RUN_ERROR;
	}
}

/* Run a text of several SQLite statements (no parameters, no rows). */
static int run_multi(struct lite_session *s, const char *sql, struct lite_error *e)
{
	bool own_txn = sqlite3_get_autocommit(s->db);
	if (own_txn && ses_txn_begin_immediate(s, e) < 0)
		return -1;
	lite_running(s, true);
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	lite_running(s, false);
	sqlite3_free(msg);
	if (rc != SQLITE_OK) {
		lite_error_from_sqlite(s->db, rc, e);
		if (own_txn) {
			ses_exec(s->db, "ROLLBACK");
			lite_writer_release(s);
		}
		return -1;
	}
	if (own_txn) {
		rc = ses_exec(s->db, "COMMIT");
		lite_writer_release(s);
		if (rc != SQLITE_OK) {
			lite_error_from_sqlite(s->db, rc, e);
			ses_exec(s->db, "ROLLBACK");
			return -1;
		}
	}
	return 0;
}


/*
 * What PostgreSQL refuses before running a statement: anything but
 * ROLLBACK [TO SAVEPOINT] in a failed block, savepoints outside a block,
 * writes in a READ ONLY block.
 */
int ses_sql_check(struct lite_session *s, const struct lite_stmt *ps, struct lite_error *e)
{
	const char *tag = ses_ps_tag(ps);
	bool savepoint = strcmp(tag, "SAVEPOINT") == 0 || strcmp(tag, "RELEASE") == 0 ||
			 strcmp(tag, "ROLLBACK") == 0;
	if (s->failed && strcmp(tag, "ROLLBACK") != 0) {
		lite_error_set(e, "25P02",
			       "current transaction is aborted, commands ignored until end of "
			       "transaction block");
		return -1;
	}
	if (ps->changed) {
		ses_stmt_changed_error(e);
		return -1;
	}
	if (savepoint && !s->block) {
		lite_error_set(e, "25P01", "%s can only be used in transaction blocks",
			       strcmp(tag, "SAVEPOINT") == 0 ? "SAVEPOINT"
			       : strcmp(tag, "RELEASE") == 0 ? "RELEASE SAVEPOINT"
							      : "ROLLBACK TO SAVEPOINT");
		return -1;
	}
	if (s->block && !s->writer && ps->st && !sqlite3_stmt_readonly(ps->st) && !savepoint) {
		lite_error_set(e, "25006", "cannot execute %s in a read-only transaction", tag);
		return -1;
	}
	return 0;
}

/* ROLLBACK TO SAVEPOINT ends the failed state of a block. */
void ses_sql_done(struct lite_session *s, const struct lite_stmt *ps)
{
	if (s->failed && strcmp(ses_ps_tag(ps), "ROLLBACK") == 0)
		s->failed = false;
	if (ps->t->kind == SQLT_SQL && strncmp(ps->t->tag, "CREATE", 6) != 0 &&
	    strncmp(ps->t->tag, "DROP", 4) != 0 && strncmp(ps->t->tag, "ALTER", 5) != 0)
		return;
	ses_schema_forget(s); /* DDL: types may have changed */
}

/*
 * A statement that is not row-by-row SQL (or all of one, for the simple
 * protocol): sends what PostgreSQL sends up to and including
 * CommandComplete, or starts COPY.
 */
int ses_run_utility(struct lite_session *s, struct lite_stmt *ps, const int16_t *formats,
		       struct lite_error *e)
{
	const struct sqlt_stmt *t = ps->t;
	const char *tag = t->tag;
	char buf[64];
	uint64_t rows = 0;

	if (s->failed && !ses_is_txn_control(t) && t->kind != SQLT_EMPTY) {
		lite_error_set(e, "25P02",
			       "current transaction is aborted, commands ignored until end of "
			       "transaction block");
		return -1;
	}
	switch (t->kind) {
	case SQLT_EMPTY:
		ses_send_empty(s, 'I');
		return 0;
	case SQLT_BEGIN:
		if (do_begin(s, t, e) < 0)
			return -1;
		tag = t->tag[0] ? t->tag : "BEGIN"; /* or START TRANSACTION */
		break;
	case SQLT_COMMIT:
		if (do_commit(s, &tag, e) < 0)
			return -1;
		ses_portals_drop_all(s);
		break;
	case SQLT_ROLLBACK:
		do_rollback(s);
		ses_portals_drop_all(s);
		tag = "ROLLBACK";
		break;
	case SQLT_SET:
		if (ses_set(s, t->name, t->value, t->local, e) < 0)
			return -1;
		tag = "SET";
		break;
	case SQLT_RESET:
		if (ses_reset(s, t->name, e) < 0)
			return -1;
		tag = "RESET";
		break;
	case SQLT_SHOW:
		ses_show(s, t, formats, &rows, e);
		if (e->sqlstate[0])
			return -1;
		tag = "SHOW";
		break;
	case SQLT_CREATE_DATABASE:
	case SQLT_DROP_DATABASE:
		if (s->block || s->implicit) {
			lite_error_set(e, "25001", "%s cannot run inside a transaction block",
				       t->kind == SQLT_CREATE_DATABASE ? "CREATE DATABASE"
								   : "DROP DATABASE");
			return -1;
		}
		if (t->kind == SQLT_CREATE_DATABASE) {
			if (lite_create_database(t->name, e) < 0)
				return -1;
			tag = "CREATE DATABASE";
		} else {
			if (lite_drop_database(t->name, s->database, e) < 0) {
				if (!(t->if_exists && strcmp(e->sqlstate, "3D000") == 0))
					return -1;
				char note[128];
				snprintf(note, sizeof(note), "database \"%.60s\" does not exist, skipping",
					 t->name);
				pkt_begin(&s->out, 'N');
				pkt_byte(&s->out, 'S');
				pkt_string(&s->out, "NOTICE");
				pkt_byte(&s->out, 'V');
				pkt_string(&s->out, "NOTICE");
				pkt_byte(&s->out, 'C');
				pkt_string(&s->out, "00000");
				pkt_byte(&s->out, 'M');
				pkt_string(&s->out, note);
				pkt_byte(&s->out, 0);
				pkt_end(&s->out);
				memset(e, 0, sizeof(*e));
			}
			tag = "DROP DATABASE";
		}
		refresh_databases(s);
		cat_refresh_databases(s->db, &s->env);
		break;
	case SQLT_DEALLOCATE:
		if (strcmp(t->name, "all") == 0) {
			while (s->stmts)
				ses_stmt_remove(s, s->stmts);
		} else {
			struct lite_stmt *x = ses_stmt_find(s, t->name);
			if (!x) {
				lite_error_set(e, "26000", "prepared statement \"%s\" does not exist",
					       t->name);
				return -1;
			}
			ses_stmt_remove(s, x);
		}
		tag = "DEALLOCATE";
		if (strcmp(t->name, "all") == 0)
			tag = "DEALLOCATE ALL";
		break;
	case SQLT_DISCARD:
		if (s->block) {
			lite_error_set(e, "25001", "DISCARD ALL cannot run inside a transaction block");
			return -1;
		}
		if (strcmp(t->name, "all") == 0) {
			ses_portals_drop_all(s);
			while (s->stmts)
				ses_stmt_remove(s, s->stmts);
			ses_settings_discard(s);
			tag = "DISCARD ALL";
		} else {
			snprintf(buf, sizeof(buf), "DISCARD %s", t->name);
			for (char *c = buf; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			tag = buf;
		}
		break;
	case SQLT_NOOP:
		break;
	case SQLT_COPY_FROM:
		return ses_copy_in_start(s, t, e) < 0 ? -1 : 1;
	case SQLT_COPY_TO:
		return ses_copy_out(s, ps, e);
	case SQLT_ERROR:
		lite_error_set(e, t->sqlstate, "%s", t->message ? t->message : "error");
		return -1;
	case SQLT_SQL:
		if (ps->multi) {
			if (run_multi(s, t->sql, e) < 0)
				return -1;
			break;
		}
		return -1; /* plain SQL is run row by row by the caller */
	default:
		return -1;
	}
	ses_send_complete(s, tag);
	return 0;
}

/* ------------------------------------------------------------ simple query */

/* Finish the simple Query: close the implicit transaction, ReadyForQuery. */
static void query_end(struct lite_session *s, bool ok)
{
	if (s->implicit) {
		if (ok) {
			const char *tag;
			struct lite_error e = {0};
			if (do_commit(s, &tag, &e) < 0)
				ses_send_error(s, &e);
		} else {
			txn_rollback(s);
		}
	}
	sqlt_result_free(&s->query);
	free(s->query_text);
	s->query_text = NULL;
	s->in_query = false;
	if (!s->block)
		ses_portals_drop_all(s);
	ses_send_ready(s);
}

/* Run the Query's statements from s->query_next; stops at COPY FROM. */
static void query_continue(struct lite_session *s)
{
	while (s->query_next < s->query.n) {
		struct sqlt_stmt *t = &s->query.v[s->query_next++];
		struct lite_error e = {0};
		struct lite_stmt *ps;

		/* Each statement is prepared and described like an unnamed Parse. */
		if (t->kind == SQLT_EMPTY && s->query.n > 1)
			continue;
		s->schema_hold = true;
		ps = ses_stmt_prepare_translated(s, s->query_text + t->pg_pos, t->pg_len, t, &e);
		/* A query reads in the transaction its schema was checked in;
		 * anything else begins its own (a read transaction held open
		 * cannot become a write if another connection wrote since). */
		if (!ps || !ses_ps_is_sql(ps) || !ps->st || ps->ncols <= 0 ||
		    !sqlite3_stmt_readonly(ps->st))
			ses_schema_release(s);
		if (!ps) {
			ses_send_error(s, &e);
			ses_txn_after_error(s);
			query_end(s, false);
			return;
		}
		int rc;
		if (ses_ps_is_sql(ps)) {
			if (ses_sql_check(s, ps, &e) < 0) {
				rc = -1;
			} else {
				uint64_t rows = 0;
				bool acw = false;
				char tag[64];
				if (ps->ncols > 0)
					ses_send_row_description(s, ps, NULL);
				enum run_result r = ses_run_rows(s, ps->st, ps->shape, ps->ncols,
								 ps->cols, NULL, 0, &rows, &acw, &e);
				if (r == RUN_DONE) {
					ses_sql_tag(s, ses_ps_tag(ps), rows, tag, sizeof(tag));
					ses_send_complete(s, tag);
					ses_sql_done(s, ps);
					rc = 0;
				} else {
					rc = -1;
				}
				sqlite3_reset(ps->st);
				if (acw)
					lite_writer_release(s);
			}
			ses_schema_release(s);
		} else {
			if (ps->ncols > 0 && ps->t->kind != SQLT_COPY_TO)
				ses_send_row_description(s, ps, NULL);
			rc = ses_run_utility(s, ps, NULL, &e);
		}
		if (rc == 1) {
			/* COPY FROM: its statement (and options) live until
			 * CopyDone; the rest of the Query runs after it. */
			s->copy_stmt = ps;
			return;
		}
		ses_stmt_free(ps);
		if (rc < 0) {
			ses_send_error(s, &e);
			ses_txn_after_error(s);
			query_end(s, false);
			return;
		}
	}
	query_end(s, true);
}

static void handle_query(struct lite_session *s, const char *text, size_t len)
{
	s->query_text = strndup(text, len);
	if (!s->query_text || sqlt_translate(s->query_text, len, true, &s->query) < 0) {
		struct lite_error e;
		lite_error_set(&e, "53200", "out of memory");
		ses_send_error(s, &e);
		ses_send_ready(s);
		free(s->query_text);
		s->query_text = NULL;
		return;
	}
	s->query_next = 0;
	s->in_query = true;
	/* Several statements outside a block run as one transaction, as in
	 * PostgreSQL, unless they manage transactions themselves. */
	int nsig = 0;
	bool control = false;
	for (size_t i = 0; i < s->query.n; i++) {
		const struct sqlt_stmt *t = &s->query.v[i];
		if (t->kind == SQLT_EMPTY)
			continue;
		nsig++;
		if (t->kind == SQLT_BEGIN || t->kind == SQLT_COMMIT || t->kind == SQLT_ROLLBACK ||
		    t->kind == SQLT_CREATE_DATABASE || t->kind == SQLT_DROP_DATABASE ||
		    t->kind == SQLT_COPY_FROM || t->kind == SQLT_DISCARD)
			control = true;
	}
	if (nsig > 1 && !control && !s->block && !s->failed) {
		struct lite_error e = {0};
		if (ses_txn_begin_immediate(s, &e) < 0) {
			ses_send_error(s, &e);
			query_end(s, false);
			return;
		}
		s->implicit = true;
	}
	query_continue(s);
}

/* ------------------------------------------------------------ input */

static void handle_copy_message(struct lite_session *s, char type, const uint8_t *body,
				size_t len)
{
	struct lite_error e = {0};
	bool ok = true;

	switch (type) {
	case 'd':
		if (ses_copy_data(s, body, len, false, &e) == 0)
			return;
		ok = false;
		break;
	case 'c':
		ok = ses_copy_data(s, NULL, 0, true, &e) == 0;
		break;
	case 'f':
		lite_error_set(&e, "57014", "COPY from stdin failed: %.*s",
			       (int)(len ? strnlen((const char *)body, len) : 0), (const char *)body);
		ok = false;
		break;
	case 'H':
	case 'S':
		return; /* allowed during COPY, and ignored */
	default:
		lite_error_set(&e, "08P01", "unexpected message type 0x%02X during COPY from stdin",
			       (unsigned char)type);
		ok = false;
		break;
	}
	/* Done or failed: later CopyData/CopyDone/CopyFail are dropped. */
	ses_copy_finish(s, ok, &e);
	if (s->in_query) {
		if (ok)
			query_continue(s);
		else
			query_end(s, false);
	} else if (!ok) {
		s->skip_to_sync = true;
	}
}

void session_input(struct lite_session *s, const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	while (pos + 5 <= len) {
		char type = (char)buf[pos];
		uint32_t mlen = proto_get_u32(buf + pos + 1);
		const uint8_t *body = buf + pos + 5;
		size_t blen = mlen - 4;
		struct pkt_reader r;
		pos += 1 + mlen;
		pr_init(&r, body, blen);

		if (s->copy != COPY_NONE) {
			handle_copy_message(s, type, body, blen);
			continue;
		}
		if (s->skip_to_sync && type != 'S')
			continue;
		switch (type) {
		case 'Q':
			handle_query(s, (const char *)body, blen ? strnlen((const char *)body, blen) : 0);
			break;
		case 'P':
			ses_handle_parse(s, &r);
			break;
		case 'B':
			ses_handle_bind(s, &r);
			break;
		case 'D':
			ses_handle_describe(s, &r);
			break;
		case 'E':
			ses_handle_execute(s, &r);
			break;
		case 'C':
			ses_handle_close(s, &r);
			break;
		case 'S':
			ses_handle_sync(s);
			break;
		case 'H':
			lite_flush(s);
			break;
		case 'd':
		case 'c':
		case 'f':
			/* COPY data after the COPY ended (it failed): ignored, as
			 * PostgreSQL does. */
			break;
		case 'F': {
			struct lite_error e;
			lite_error_set(&e, "0A000",
				       "the function call protocol is not supported by pgpin's SQLite "
				       "backend");
			ses_ext_error(s, &e);
			break;
		}
		default: {
			struct lite_error e;
			lite_error_set(&e, "08P01", "invalid frontend message type %d",
				       (unsigned char)type);
			ses_ext_error(s, &e);
			break;
		}
		}
		if (s->out.len >= 65536)
			lite_flush(s);
	}
}

void session_close(struct lite_session *s)
{
	if (s->copy != COPY_NONE)
		ses_copy_reset(s);
	ses_portals_drop_all(s);
	while (s->stmts)
		ses_stmt_remove(s, s->stmts);
	if (s->db) {
		if (!sqlite3_get_autocommit(s->db))
			ses_exec(s->db, "ROLLBACK");
		lite_writer_release(s);
		ses_schema_forget(s);
		sqlite3_finalize(s->schema_st);
		s->schema_st = NULL;
		pthread_mutex_lock(&s->mu);
		sqlite3 *db = s->db;
		s->db = NULL;
		pthread_mutex_unlock(&s->mu);
		sqlite3_close_v2(db);
	}
	sqlt_result_free(&s->query);
	free(s->query_text);
	ses_settings_close(s);
	for (int i = 0; i < s->n_dbnames; i++)
		free(s->dbnames[i]);
	free(s->dbnames);
	free(s->copy_line.data);
	free(s->path);
}
