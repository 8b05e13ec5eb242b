/*
 * session.c - one client's PostgreSQL session on a SQLite connection:
 * the protocol state machine of the SQLite backend, run on the session's
 * thread (link.c).
 *
 * It speaks the same client-side protocol as a PostgreSQL server: simple
 * Query (several statements, one implicit transaction), the extended
 * protocol (named and unnamed statements and portals, Describe of both,
 * Execute with a row limit and PortalSuspended, Flush, pipelining without
 * Sync, skip to Sync after an error), COPY FROM STDIN and COPY TO STDOUT,
 * and PostgreSQL's transaction semantics: ReadyForQuery I/T/E, 25P02 in a
 * failed block, COMMIT of a failed block answering ROLLBACK, the 25001 and
 * 25P01 warnings, rollback on disconnect.
 *
 * Statements are translated (translate.c), typed (describe.c, then the
 * declared types SQLite knows), run, and their values encoded (types.c);
 * SQLite errors become PostgreSQL's (errors.c).  Transaction control, SET,
 * SHOW, RESET, CREATE/DROP DATABASE and COPY are handled here.
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

#include "build-config.h"
#include "log.h"
#include "sqlite/copy.h"
#include "sqlite/session.h"
#include "sqlite/types.h"

#define PG_SERVER_VERSION "15.0"

/* ------------------------------------------------------------ settings */

struct known_setting {
	const char *name; /* canonical spelling */
	const char *def;  /* NULL: computed */
	bool report;	  /* sent as ParameterStatus */
	bool fixed;	  /* cannot be changed */
};

static const struct known_setting known[] = {
	{"application_name", "", true, false},
	{"client_encoding", "UTF8", true, false},
	{"DateStyle", "ISO, MDY", true, false},
	{"default_transaction_read_only", "off", true, false},
	{"in_hot_standby", "off", true, true},
	{"integer_datetimes", "on", true, true},
	{"IntervalStyle", "postgres", true, false},
	{"is_superuser", "on", true, true},
	{"server_encoding", "UTF8", true, true},
	{"server_version", NULL, true, true},
	{"session_authorization", NULL, true, true},
	{"standard_conforming_strings", "on", true, false},
	{"TimeZone", "UTC", true, false},
	{"server_version_num", "150000", false, true},
	{"search_path", "\"$user\", public", false, false},
	{"transaction_isolation", "serializable", false, false},
	{"default_transaction_isolation", "serializable", false, false},
	{"transaction_read_only", "off", false, false},
	{"transaction_deferrable", "off", false, false},
	{"default_transaction_deferrable", "off", false, false},
	{"extra_float_digits", "1", false, false},
	{"statement_timeout", "0", false, false},
	{"lock_timeout", "0", false, false},
	{"idle_in_transaction_session_timeout", "0", false, false},
	{"client_min_messages", "notice", false, false},
	{"max_identifier_length", "63", false, true},
	{"lc_collate", "C", false, true},
	{"lc_ctype", "C", false, true},
	{"lc_messages", "C", false, false},
	{"lc_monetary", "C", false, false},
	{"lc_numeric", "C", false, false},
	{"lc_time", "C", false, false},
	{"block_size", "8192", false, true},
	{"max_connections", "100", false, true},
	{"synchronous_commit", "on", false, false},
	{"bytea_output", "hex", false, false},
	{"timezone_abbreviations", "Default", false, false},
	{"row_security", "on", false, false},
	{"jit", "off", false, false},
	{"check_function_bodies", "on", false, false},
	{"escape_string_warning", "on", false, false},
	{"backslash_quote", "safe_encoding", false, false},
	{"work_mem", "4MB", false, false},
	{"maintenance_work_mem", "64MB", false, false},
	{"xmloption", "content", false, false},
	{"default_with_oids", "off", false, false},
	{"enable_seqscan", "on", false, false},
	{"geqo", "on", false, false},
	{"join_collapse_limit", "8", false, false},
	{"server_version_string", NULL, false, true},
};

static const struct known_setting *known_find(const char *name)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(known[i].name, name) == 0)
			return &known[i];
	return NULL;
}

static const char *server_version_string(void)
{
	static char v[96];
	if (!v[0])
		snprintf(v, sizeof(v), "%s (pgpin %s, SQLite %s)", PG_SERVER_VERSION,
			 PACKAGE_VERSION, sqlite3_libversion());
	return v;
}

static struct lite_setting *setting_slot(struct lite_setting *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* The value of a setting, or NULL for an unknown one. */
static const char *setting_get(struct lite_session *s, const char *name)
{
	struct lite_setting *slot = setting_slot(s->settings, s->n_settings, name);
	if (slot)
		return slot->value;
	const struct known_setting *k = known_find(name);
	const char *startup = params_get(&s->vars, name);
	if (startup && (k || strchr(name, '.')))
		return startup; /* after DISCARD ALL: the startup value */
	if (!k)
		return NULL;
	if (k->def)
		return k->def;
	if (strcasecmp(k->name, "session_authorization") == 0)
		return s->user;
	return server_version_string();
}

static int setting_store(struct lite_setting **v, int *n, const char *name, const char *value)
{
	struct lite_setting *slot = setting_slot(*v, *n, name);
	char *val = strdup(value ? value : "");
	if (!val)
		return -1;
	if (slot) {
		free(slot->value);
		slot->value = val;
		return 0;
	}
	struct lite_setting *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		free(val);
		return -1;
	}
	*v = nv;
	nv[*n].name = strdup(name);
	nv[*n].value = val;
	if (!nv[*n].name) {
		free(val);
		return -1;
	}
	(*n)++;
	return 0;
}

static void settings_free(struct lite_setting **v, int *n)
{
	for (int i = 0; i < *n; i++) {
		free((*v)[i].name);
		free((*v)[i].value);
	}
	free(*v);
	*v = NULL;
	*n = 0;
}

static bool encoding_ok(const char *v)
{
	return strcasecmp(v, "UTF8") == 0 || strcasecmp(v, "UTF-8") == 0 ||
	       strcasecmp(v, "UNICODE") == 0 || strcasecmp(v, "SQL_ASCII") == 0;
}

/*
 * SET name = value (value NULL: DEFAULT).  Sends ParameterStatus for the
 * reported settings.  Returns 0, or -1 with e set.
 */
static int setting_set(struct lite_session *s, const char *name, const char *value, bool local,
		       struct lite_error *e)
{
	const struct known_setting *k = known_find(name);
	const char *canon = k ? k->name : name;

	if (!k && !strchr(name, '.')) {
		lite_error_set(e, "42704", "unrecognized configuration parameter \"%s\"", name);
		return -1;
	}
	if (k && k->fixed) {
		lite_error_set(e, "55P02", "parameter \"%s\" cannot be changed", canon);
		return -1;
	}
	if (!value) {
		/* RESET and DEFAULT go back to the session's default: the
		 * value the client gave at startup, else the built-in one. */
		value = params_get(&s->vars, canon);
		if (!value)
			value = k && k->def ? k->def : "";
	}
	if (strcasecmp(canon, "client_encoding") == 0) {
		if (!encoding_ok(value)) {
			lite_error_set(e, "0A000",
				       "pgpin's SQLite backend speaks only UTF8: client_encoding "
				       "\"%s\" is not supported",
				       value);
			return -1;
		}
		value = "UTF8";
	}
	if (strcasecmp(canon, "transaction_isolation") == 0 ||
	    strcasecmp(canon, "default_transaction_isolation") == 0)
		value = "serializable"; /* SQLite transactions are serializable */
	if (local && s->block) {
		const char *old = setting_get(s, canon);
		if (!setting_slot(s->local_undo, s->n_local_undo, canon) &&
		    setting_store(&s->local_undo, &s->n_local_undo, canon, old ? old : "") < 0)
			goto oom;
	}
	if (setting_store(&s->settings, &s->n_settings, canon, value) < 0)
		goto oom;
	if (k && k->report)
		proto_build_param_status(&s->out, canon, value);
	return 0;
oom:
	lite_error_set(e, "53200", "out of memory");
	return -1;
}

/* A transaction ended: SET LOCAL values go back. */
static void settings_end_txn(struct lite_session *s)
{
	for (int i = 0; i < s->n_local_undo; i++) {
		const struct known_setting *k = known_find(s->local_undo[i].name);
		setting_store(&s->settings, &s->n_settings, s->local_undo[i].name,
			      s->local_undo[i].value);
		if (k && k->report)
			proto_build_param_status(&s->out, k->name, s->local_undo[i].value);
	}
	settings_free(&s->local_undo, &s->n_local_undo);
}

static const char *env_get_setting(void *arg, const char *name)
{
	return setting_get(arg, name);
}

static int env_set_setting(void *arg, const char *name, const char *value, bool local)
{
	struct lite_error e;
	return setting_set(arg, name, value, local, &e);
}

static bool env_cancelled(void *arg)
{
	return lite_cancelled(arg);
}

/* ------------------------------------------------------------ schema */

/* Declared types of a table's columns, as PostgreSQL types. */
struct lite_table {
	struct lite_table *next;
	char *name;
	uint32_t oid; /* as pg_class has it; 0 for a temporary or catalog relation */
	int n;
	char (*names)[DESC_NAME_MAX];
	uint32_t *oids;
};

static void schema_forget(struct lite_session *s)
{
	while (s->tables) {
		struct lite_table *t = s->tables;
		s->tables = t->next;
		free(t->name);
		free(t->names);
		free(t->oids);
		free(t);
	}
}

/* Drop the cache when the schema changed (any connection may change it). */
static void schema_check(struct lite_session *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA schema_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (v != s->schema_version) {
		schema_forget(s);
		s->schema_version = v;
	}
}

/*
 * A rowid alias (INTEGER PRIMARY KEY) holds 64-bit integers: int8, unless
 * the translator marked a PostgreSQL integer/serial column in the DDL.
 */
static uint32_t rowid_alias_oid(const char *create_sql)
{
	if (create_sql && strstr(create_sql, "/*pgpin:int4*/"))
		return OID_INT4;
	if (create_sql && strstr(create_sql, "/*pgpin:int2*/"))
		return OID_INT2;
	return OID_INT8;
}

static struct lite_table *schema_table(struct lite_session *s, const char *name)
{
	for (struct lite_table *t = s->tables; t; t = t->next)
		if (strcasecmp(t->name, name) == 0)
			return t;

	sqlite3_stmt *st = NULL;
	char *create_sql = NULL;
	struct lite_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->name = strdup(name);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT sql, 0 FROM sqlite_temp_schema WHERE name = ?1 COLLATE NOCASE "
			       "UNION ALL SELECT sql, rowid FROM sqlite_schema WHERE name = ?1 "
			       "COLLATE NOCASE",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
			create_sql = strdup((const char *)sqlite3_column_text(st, 0));
			int64_t rowid = sqlite3_column_int64(st, 1);
			t->oid = rowid > 0 ? CAT_REL_OID_BASE + (uint32_t)rowid : 0;
		}
		sqlite3_finalize(st);
	}
	int npk = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT name, type, pk FROM pragma_table_info(?1)", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			void *nn = realloc(t->names, (t->n + 1) * sizeof(*t->names));
			if (!nn)
				break;
			t->names = nn;
			void *no = realloc(t->oids, (t->n + 1) * sizeof(*t->oids));
			if (!no)
				break;
			t->oids = no;
			const char *cn = (const char *)sqlite3_column_text(st, 0);
			const char *ty = (const char *)sqlite3_column_text(st, 1);
			snprintf(t->names[t->n], DESC_NAME_MAX, "%s", cn ? cn : "");
			uint32_t oid = pgt_oid_from_decltype(ty);
			if (sqlite3_column_int(st, 2) > 0) {
				npk++;
				if (ty && strcasecmp(ty, "INTEGER") == 0)
					oid = rowid_alias_oid(create_sql);
			}
			t->oids[t->n] = oid ? oid : OID_TEXT;
			t->n++;
		}
		sqlite3_finalize(st);
	}
	/* Only a single-column INTEGER PRIMARY KEY is a rowid alias. */
	if (npk > 1) {
		for (int i = 0; i < t->n; i++)
			if (t->oids[i] == OID_INT8 || t->oids[i] == OID_INT2)
				t->oids[i] = OID_INT4; /* declared INTEGER */
	}
	free(create_sql);
	t->next = s->tables;
	s->tables = t;
	return t;
}

static const char *strip_schema(const char *table)
{
	if (strncasecmp(table, "pg_catalog.", 11) == 0)
		return table + 11;
	if (strncasecmp(table, "public.", 7) == 0)
		return table + 7;
	if (strncasecmp(table, "main.", 5) == 0)
		return table + 5;
	return table;
}

static uint32_t schema_column_type(void *arg, const char *table, const char *column)
{
	struct lite_session *s = arg;
	table = strip_schema(table);
	uint32_t oid = cat_column_type(table, column);
	if (oid)
		return oid;
	struct lite_table *t = schema_table(s, table);
	if (!t)
		return 0;
	for (int i = 0; i < t->n; i++)
		if (strcasecmp(t->names[i], column) == 0)
			return t->oids[i];
	if (strcasecmp(column, "rowid") == 0 && t->n > 0)
		return OID_INT8;
	return 0;
}

static int schema_table_columns(void *arg, const char *table, char (*names)[DESC_NAME_MAX],
				uint32_t *oids, int max)
{
	struct lite_session *s = arg;
	table = strip_schema(table);
	int n = cat_table_columns(table, names, oids, max);
	if (n >= 0)
		return n;
	struct lite_table *t = schema_table(s, table);
	if (!t || t->n == 0)
		return -1;
	for (int i = 0; i < t->n && i < max; i++) {
		memcpy(names[i], t->names[i], DESC_NAME_MAX);
		oids[i] = t->oids[i];
	}
	return t->n;
}

/* ------------------------------------------------------------ open */

static int exec_simple(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

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
	if (exec_simple(db, "PRAGMA journal_mode=WAL") != SQLITE_OK ||
	    exec_simple(db, pragma) != SQLITE_OK ||
	    exec_simple(db, "PRAGMA case_sensitive_like=ON") != SQLITE_OK ||
	    exec_simple(db, "PRAGMA foreign_keys=ON") != SQLITE_OK) {
		lite_error_set(e, "58030", "could not set up SQLite database \"%s\": %s", path,
			       sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	pthread_mutex_lock(&s->mu);
	s->db = db;
	pthread_mutex_unlock(&s->mu);

	/* The client's startup parameters become session settings. */
	for (int i = 0; i < s->vars.n; i++) {
		struct lite_error se;
		const char *n = s->vars.items[i].name;
		if (!known_find(n) && !strchr(n, '.'))
			continue; /* PostgreSQL would refuse; drivers send odd ones */
		if (setting_set(s, n, s->vars.items[i].value, false, &se) < 0 &&
		    strcmp(se.sqlstate, "0A000") == 0) {
			*e = se;
			return -1;
		}
	}
	pkt_reset(&s->out); /* no ParameterStatus yet: the welcome sends them */

	s->env.database = s->database;
	s->env.user = s->user;
	s->env.backend_pid = (int)s->pid;
	s->env.arg = s;
	s->env.get_setting = env_get_setting;
	s->env.set_setting = env_set_setting;
	s->env.cancelled = env_cancelled;
	refresh_databases(s);
	if (cat_setup(db, &s->env, err, sizeof(err)) < 0) {
		lite_error_set(e, "58030", "could not set up the catalog: %s", err);
		return -1;
	}
	s->schema_version = -1;
	return 0;
}

void session_welcome(struct lite_session *s, struct pkt *p)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!known[i].report)
			continue;
		proto_build_param_status(p, known[i].name, setting_get(s, known[i].name));
	}
}

/* ------------------------------------------------------------ replies */

static void send_error(struct lite_session *s, const struct lite_error *e)
{
	lite_error_build(&s->out, e);
}

static void send_notice(struct lite_session *s, const char *sqlstate, const char *msg)
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

static void send_complete(struct lite_session *s, const char *tag)
{
	pkt_begin(&s->out, 'C');
	pkt_string(&s->out, tag);
	pkt_end(&s->out);
}

static void send_empty(struct lite_session *s, char type)
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

static void send_ready(struct lite_session *s)
{
	proto_build_ready(&s->out, txn_status(s));
	lite_set_in_txn(s, s->block);
}

static void send_row_description(struct lite_session *s, const struct lite_stmt *ps,
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
		exec_simple(s->db, "ROLLBACK");
	s->block = false;
	s->failed = false;
	s->implicit = false;
	lite_writer_release(s);
	settings_end_txn(s);
}

/* Start a SQLite write transaction under the writer lock. */
static int txn_begin_immediate(struct lite_session *s, struct lite_error *e)
{
	lite_running(s, true);
	int rc = lite_writer_acquire(s, e);
	lite_running(s, false);
	if (rc < 0)
		return -1;
	rc = exec_simple(s->db, "BEGIN IMMEDIATE");
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
		send_notice(s, "25001", "there is already a transaction in progress");
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
		int rc = exec_simple(s->db, "BEGIN DEFERRED");
		if (rc != SQLITE_OK) {
			lite_error_from_sqlite(s->db, rc, e);
			return -1;
		}
	} else if (txn_begin_immediate(s, e) < 0) {
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
		send_notice(s, "25P01", "there is no transaction in progress");
		return 0;
	}
	if (s->failed) {
		txn_rollback(s);
		*tag = "ROLLBACK";
		return 0;
	}
	if (!sqlite3_get_autocommit(s->db)) {
		int rc = exec_simple(s->db, "COMMIT");
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
	settings_end_txn(s);
	return 0;
}

static void do_rollback(struct lite_session *s)
{
	if (!s->block && !s->implicit)
		send_notice(s, "25P01", "there is no transaction in progress");
	txn_rollback(s);
}

/* After a statement, keep PostgreSQL's view in step with SQLite's: an
 * error may have rolled SQLite's transaction back on its own. */
static void txn_after_error(struct lite_session *s)
{
	if (s->implicit) {
		txn_rollback(s);
		return;
	}
	fail_block(s);
	if (s->block && sqlite3_get_autocommit(s->db))
		lite_writer_release(s); /* SQLite already rolled back */
}

/* ------------------------------------------------------------ statements */

static void stmt_free(struct lite_stmt *ps)
{
	if (!ps)
		return;
	sqlite3_finalize(ps->st);
	sqlt_result_free(&ps->tr);
	cat_query_free(&ps->cat);
	free(ps->name);
	free(ps->text);
	free(ps->param_oids);
	free(ps->cols);
	free(ps->col_table);
	free(ps->col_attnum);
	free(ps);
}

static void stmt_unref(struct lite_stmt *ps)
{
	if (--ps->refs == 0 && ps->closed)
		stmt_free(ps);
}

static struct lite_stmt *stmt_find(struct lite_session *s, const char *name)
{
	for (struct lite_stmt *ps = s->stmts; ps; ps = ps->next)
		if (strcmp(ps->name, name) == 0)
			return ps;
	return NULL;
}

static void stmt_remove(struct lite_session *s, struct lite_stmt *ps)
{
	for (struct lite_stmt **pp = &s->stmts; *pp; pp = &(*pp)->next) {
		if (*pp == ps) {
			*pp = ps->next;
			break;
		}
	}
	ps->closed = true;
	if (ps->refs == 0)
		stmt_free(ps);
}

/* Is the rest of a SQLite text only space and semicolons? */
static bool tail_empty(const char *tail)
{
	while (tail && *tail) {
		if (!isspace((unsigned char)*tail) && *tail != ';')
			return false;
		tail++;
	}
	return true;
}

/* RowDescription's table OID and column number for a plain column. */
static void column_origin(struct lite_session *s, struct lite_stmt *ps, int i, int ncols,
			  const char *table, const char *column)
{
	struct lite_table *t = schema_table(s, strip_schema(table));
	if (!t || !t->oid)
		return;
	if (!ps->col_table) {
		ps->col_table = calloc(ncols, sizeof(uint32_t));
		ps->col_attnum = calloc(ncols, sizeof(int16_t));
		if (!ps->col_table || !ps->col_attnum) {
			free(ps->col_table);
			free(ps->col_attnum);
			ps->col_table = NULL;
			ps->col_attnum = NULL;
			return;
		}
	}
	for (int k = 0; k < t->n; k++) {
		if (strcasecmp(t->names[k], column) == 0) {
			ps->col_table[i] = t->oid;
			ps->col_attnum[i] = (int16_t)(k + 1);
			return;
		}
	}
}

/* Type the parameters and result columns of a prepared statement. */
static int stmt_describe(struct lite_session *s, struct lite_stmt *ps, const uint32_t *given,
			 int ngiven, struct lite_error *e)
{
	struct desc_result d = {0};
	struct desc_schema schema = {.arg = s,
				     .column_type = schema_column_type,
				     .table_columns = schema_table_columns};
	int n = 0, ncols = -1;

	if (ps->cat.sql) {
		n = ps->cat.nparams;
	} else if (ps->t->kind == SQLT_SQL || ps->t->kind == SQLT_COPY_TO) {
		if (desc_describe_typed(ps->text + ps->t->pg_pos, ps->t->pg_len, &schema, given,
					ngiven, &d) < 0)
			goto oom;
		n = ps->t->max_param;
		if (d.nparams > n)
			n = d.nparams;
		if (ps->st && sqlite3_bind_parameter_count(ps->st) > n)
			n = sqlite3_bind_parameter_count(ps->st);
	}
	if (ngiven > n)
		n = ngiven;
	ps->nparams = n;
	ps->param_oids = calloc(n ? n : 1, sizeof(uint32_t));
	if (!ps->param_oids)
		goto oom;
	for (int i = 0; i < n; i++) {
		uint32_t oid = i < ngiven ? given[i] : 0;
		if (!oid && ps->cat.sql && i < ps->cat.nparams)
			oid = ps->cat.param_oids[i];
		if (!oid && i < d.nparams)
			oid = d.param_oids[i];
		ps->param_oids[i] = oid ? oid : OID_TEXT;
	}

	if (ps->cat.sql) {
		ncols = ps->cat.ncols;
		ps->cols = calloc(ncols > 0 ? ncols : 1, sizeof(*ps->cols));
		if (!ps->cols)
			goto oom;
		if (ncols > 0)
			memcpy(ps->cols, ps->cat.cols, ncols * sizeof(*ps->cols));
	} else if (ps->t->kind == SQLT_SHOW) {
		bool all = strcmp(ps->t->name, "all") == 0;
		ncols = all ? 3 : 1;
		ps->cols = calloc(3, sizeof(*ps->cols));
		if (!ps->cols)
			goto oom;
		if (all) {
			snprintf(ps->cols[0].name, DESC_NAME_MAX, "name");
			snprintf(ps->cols[1].name, DESC_NAME_MAX, "setting");
			snprintf(ps->cols[2].name, DESC_NAME_MAX, "description");
			ps->cols[0].oid = ps->cols[1].oid = ps->cols[2].oid = OID_TEXT;
		} else {
			const struct known_setting *k = known_find(ps->t->name);
			snprintf(ps->cols[0].name, DESC_NAME_MAX, "%s", k ? k->name : ps->t->name);
			ps->cols[0].oid = OID_TEXT;
		}
	} else if (ps->st && ps->t->kind == SQLT_SQL) {
		int nc = sqlite3_column_count(ps->st);
		if (nc > 0) {
			ncols = nc;
			ps->cols = calloc(nc, sizeof(*ps->cols));
			if (!ps->cols)
				goto oom;
			bool use_desc = d.ncols == nc;
			for (int i = 0; i < nc; i++) {
				struct desc_column *c = &ps->cols[i];
				uint32_t oid = use_desc ? d.cols[i].oid : 0;
				if (use_desc && d.cols[i].name[0])
					memcpy(c->name, d.cols[i].name, DESC_NAME_MAX);
				else
					snprintf(c->name, DESC_NAME_MAX, "%s",
						 sqlite3_column_name(ps->st, i));
				const char *tbl = sqlite3_column_table_name(ps->st, i);
				const char *col = sqlite3_column_origin_name(ps->st, i);
				if (!oid && tbl && col)
					oid = schema_column_type(s, tbl, col);
				if (tbl && col)
					column_origin(s, ps, i, nc, tbl, col);
				if (!oid)
					oid = pgt_oid_from_decltype(sqlite3_column_decltype(ps->st, i));
				c->oid = oid ? oid : OID_TEXT;
			}
		}
	}
	ps->ncols = ncols;
	desc_result_free(&d);
	return 0;
oom:
	desc_result_free(&d);
	lite_error_set(e, "53200", "out of memory");
	return -1;
}

/*
 * Parse: translate, prepare and type text.  Returns the statement, or
 * NULL with e set.  The catalog answers some queries itself.
 */
static struct lite_stmt *stmt_prepare(struct lite_session *s, const char *name, const char *text,
				      size_t len, const uint32_t *given, int ngiven,
				      struct lite_error *e)
{
	struct lite_stmt *ps = calloc(1, sizeof(*ps));
	if (!ps || !(ps->name = strdup(name)) || !(ps->text = strndup(text, len))) {
		lite_error_set(e, "53200", "out of memory");
		goto fail;
	}
	int m = cat_intercept(ps->text, len, &ps->cat);
	if (m < 0 || sqlt_translate(ps->text, len, false, &ps->tr) < 0 || ps->tr.n < 1) {
		lite_error_set(e, "53200", "out of memory");
		goto fail;
	}
	ps->t = &ps->tr.v[0];
	if (m == 0 && ps->t->kind == SQLT_ERROR) {
		lite_error_set(e, ps->t->sqlstate, "%s", ps->t->message ? ps->t->message : "error");
		goto fail;
	}
	const char *sql = m ? ps->cat.sql : (ps->t->kind == SQLT_SQL || ps->t->kind == SQLT_COPY_TO)
						? ps->t->sql
						: NULL;
	if (sql) {
		const char *tail = NULL;
		schema_check(s);
		int rc = sqlite3_prepare_v2(s->db, sql, -1, &ps->st, &tail);
		if (rc != SQLITE_OK) {
			lite_error_from_sqlite(s->db, rc, e);
			goto fail;
		}
		if (!tail_empty(tail)) {
			/* Several SQLite statements (DROP TABLE a, b): run them in
			 * turn at Execute. */
			sqlite3_finalize(ps->st);
			ps->st = NULL;
			ps->multi = true;
		}
	}
	if (stmt_describe(s, ps, given, ngiven, e) < 0)
		goto fail;
	return ps;
fail:
	stmt_free(ps);
	return NULL;
}

/* ------------------------------------------------------------ portals */

static void portal_free(struct lite_portal *p)
{
	if (!p)
		return;
	if (p->st) {
		if (p->own_st)
			sqlite3_finalize(p->st);
		else {
			sqlite3_reset(p->st);
			sqlite3_clear_bindings(p->st);
			p->ps->st_busy = false;
		}
	}
	stmt_unref(p->ps);
	free(p->formats);
	free(p->name);
	free(p);
}

static struct lite_portal *portal_find(struct lite_session *s, const char *name)
{
	for (struct lite_portal *p = s->portals; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static void portal_drop(struct lite_session *s, struct lite_portal *p)
{
	for (struct lite_portal **pp = &s->portals; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->autocommit_writer)
		lite_writer_release(s);
	portal_free(p);
}

/* Portals end with their transaction (none are WITH HOLD). */
static void portals_drop_all(struct lite_session *s)
{
	while (s->portals)
		portal_drop(s, s->portals);
}

/* ------------------------------------------------------------ running */

enum run_result { RUN_DONE = 0, RUN_SUSPENDED, RUN_ERROR };

/* The command tag for a finished SQL statement. */
static void sql_tag(struct lite_session *s, const char *verb, uint64_t rows, char *tag,
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

/*
 * Step st, sending DataRows, until it is done or max_rows rows were sent
 * (0 = no limit).  Takes the writer lock first for a write outside a
 * transaction.  *rows counts the rows sent so far.
 */
static enum run_result run_rows(struct lite_session *s, sqlite3_stmt *st, int ncols,
				const struct desc_column *cols, const int16_t *formats,
				int32_t max_rows, uint64_t *rows, bool *autocommit_writer,
				struct lite_error *e)
{
	struct pgt_error pe;
	int32_t sent = 0;

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
	if (own_txn && txn_begin_immediate(s, e) < 0)
		return -1;
	lite_running(s, true);
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	lite_running(s, false);
	sqlite3_free(msg);
	if (rc != SQLITE_OK) {
		lite_error_from_sqlite(s->db, rc, e);
		if (own_txn) {
			exec_simple(s->db, "ROLLBACK");
			lite_writer_release(s);
		}
		return -1;
	}
	if (own_txn) {
		rc = exec_simple(s->db, "COMMIT");
		lite_writer_release(s);
		if (rc != SQLITE_OK) {
			lite_error_from_sqlite(s->db, rc, e);
			exec_simple(s->db, "ROLLBACK");
			return -1;
		}
	}
	return 0;
}

static void send_show(struct lite_session *s, const struct sqlt_stmt *t, const int16_t *formats,
		      uint64_t *rows, struct lite_error *e)
{
	struct pgt_error pe;
	if (strcmp(t->name, "all") == 0) {
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			pkt_begin(&s->out, 'D');
			pkt_int16(&s->out, 3);
			pgt_encode_text(&s->out, known[i].name, OID_TEXT, formats ? formats[0] : 0, &pe);
			pgt_encode_text(&s->out, setting_get(s, known[i].name), OID_TEXT,
					formats ? formats[1] : 0, &pe);
			pgt_encode_text(&s->out, "", OID_TEXT, formats ? formats[2] : 0, &pe);
			pkt_end(&s->out);
			(*rows)++;
		}
		return;
	}
	const char *v = setting_get(s, t->name);
	if (!v) {
		lite_error_set(e, "42704", "unrecognized configuration parameter \"%s\"", t->name);
		return;
	}
	pkt_begin(&s->out, 'D');
	pkt_int16(&s->out, 1);
	pgt_encode_text(&s->out, v, OID_TEXT, formats ? formats[0] : 0, &pe);
	pkt_end(&s->out);
	(*rows)++;
}

/* Does the statement run as SQL that SQLite steps (rows or not)? */
static bool ps_is_sql(const struct lite_stmt *ps)
{
	return ps->st && (ps->cat.sql || ps->t->kind == SQLT_SQL);
}

static const char *ps_tag(const struct lite_stmt *ps)
{
	return ps->cat.sql ? "SELECT" : ps->t->tag;
}

static bool is_txn_control(const struct sqlt_stmt *t)
{
	return t->kind == SQLT_COMMIT || t->kind == SQLT_ROLLBACK ||
	       (t->kind == SQLT_SQL && strcmp(t->tag, "ROLLBACK") == 0); /* ROLLBACK TO */
}

/*
 * What PostgreSQL refuses before running a statement: anything but
 * ROLLBACK [TO SAVEPOINT] in a failed block, savepoints outside a block,
 * writes in a READ ONLY block.
 */
static int sql_check(struct lite_session *s, const struct lite_stmt *ps, struct lite_error *e)
{
	const char *tag = ps_tag(ps);
	bool savepoint = strcmp(tag, "SAVEPOINT") == 0 || strcmp(tag, "RELEASE") == 0 ||
			 strcmp(tag, "ROLLBACK") == 0;
	if (s->failed && strcmp(tag, "ROLLBACK") != 0) {
		lite_error_set(e, "25P02",
			       "current transaction is aborted, commands ignored until end of "
			       "transaction block");
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
static void sql_done(struct lite_session *s, const struct lite_stmt *ps)
{
	if (s->failed && strcmp(ps_tag(ps), "ROLLBACK") == 0)
		s->failed = false;
	if (ps->t->kind == SQLT_SQL && strncmp(ps->t->tag, "CREATE", 6) != 0 &&
	    strncmp(ps->t->tag, "DROP", 4) != 0 && strncmp(ps->t->tag, "ALTER", 5) != 0)
		return;
	schema_forget(s); /* DDL: types may have changed */
	s->schema_version = -1;
}

static int start_copy_in(struct lite_session *s, const struct sqlt_stmt *t, struct lite_error *e);
static int run_copy_out(struct lite_session *s, struct lite_stmt *ps, struct lite_error *e);

/*
 * Run a statement that is not row-by-row SQL (or all of one, for the
 * simple protocol).  Sends what PostgreSQL sends up to and including
 * CommandComplete (or starts COPY).  Returns 0, 1 when COPY FROM waits
 * for data, -1 with e set.
 */
static int run_utility(struct lite_session *s, struct lite_stmt *ps, const int16_t *formats,
		       struct lite_error *e)
{
	const struct sqlt_stmt *t = ps->t;
	const char *tag = t->tag;
	char buf[64];
	uint64_t rows = 0;

	if (s->failed && !is_txn_control(t) && t->kind != SQLT_EMPTY) {
		lite_error_set(e, "25P02",
			       "current transaction is aborted, commands ignored until end of "
			       "transaction block");
		return -1;
	}
	switch (t->kind) {
	case SQLT_EMPTY:
		send_empty(s, 'I');
		return 0;
	case SQLT_BEGIN:
		if (do_begin(s, t, e) < 0)
			return -1;
		tag = t->tag[0] ? t->tag : "BEGIN"; /* or START TRANSACTION */
		break;
	case SQLT_COMMIT:
		if (do_commit(s, &tag, e) < 0)
			return -1;
		portals_drop_all(s);
		break;
	case SQLT_ROLLBACK:
		do_rollback(s);
		portals_drop_all(s);
		tag = "ROLLBACK";
		break;
	case SQLT_SET:
		if (setting_set(s, t->name, t->value, t->local, e) < 0)
			return -1;
		tag = "SET";
		break;
	case SQLT_RESET:
		if (strcmp(t->name, "all") == 0) {
			for (int i = 0; i < s->n_settings; i++) {
				const struct known_setting *k = known_find(s->settings[i].name);
				if (k && !k->fixed && k->def &&
				    strcmp(s->settings[i].value, k->def) != 0)
					setting_set(s, k->name, NULL, false, e);
			}
		} else if (setting_set(s, t->name, NULL, false, e) < 0) {
			return -1;
		}
		tag = "RESET";
		break;
	case SQLT_SHOW:
		send_show(s, t, formats, &rows, e);
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
				stmt_remove(s, s->stmts);
		} else {
			struct lite_stmt *x = stmt_find(s, t->name);
			if (!x) {
				lite_error_set(e, "26000", "prepared statement \"%s\" does not exist",
					       t->name);
				return -1;
			}
			stmt_remove(s, x);
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
			portals_drop_all(s);
			while (s->stmts)
				stmt_remove(s, s->stmts);
			settings_free(&s->settings, &s->n_settings);
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
		return start_copy_in(s, t, e) < 0 ? -1 : 1;
	case SQLT_COPY_TO:
		return run_copy_out(s, ps, e);
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
	send_complete(s, tag);
	return 0;
}

/* ------------------------------------------------------------ COPY */

static void copy_reset(struct lite_session *s)
{
	sqlite3_finalize(s->copy_st);
	s->copy_st = NULL;
	free(s->copy_oids);
	s->copy_oids = NULL;
	s->copy_ncols = 0;
	s->copy_line.len = s->copy_line.off = 0;
	s->copy = COPY_NONE;
	s->copy_opts = NULL;
	stmt_free(s->copy_stmt); /* a simple Query's COPY statement */
	s->copy_stmt = NULL;
}

static int start_copy_in(struct lite_session *s, const struct sqlt_stmt *t, struct lite_error *e)
{
	char (*names)[DESC_NAME_MAX] = NULL;
	uint32_t *oids = NULL;
	struct pkt sql;
	int n;

	if (t->copy.format == SQLT_COPY_BINARY) {
		lite_error_set(e, "0A000", "COPY FROM in binary format is not supported by pgpin's "
					   "SQLite backend");
		return -1;
	}
	schema_check(s);
	names = calloc(COPY_MAX_FIELDS, sizeof(*names));
	oids = calloc(COPY_MAX_FIELDS, sizeof(*oids));
	if (!names || !oids)
		goto oom;
	n = schema_table_columns(s, t->copy.table, names, oids, COPY_MAX_FIELDS);
	if (n < 0) {
		lite_error_set(e, "42P01", "relation \"%s\" does not exist", t->copy.table);
		goto fail;
	}
	if (n > COPY_MAX_FIELDS)
		n = COPY_MAX_FIELDS;
	int ncols = t->copy.columns ? t->copy.ncolumns : n;
	s->copy_oids = calloc(ncols ? ncols : 1, sizeof(uint32_t));
	if (!s->copy_oids)
		goto oom;
	pkt_init(&sql);
	char *q = sqlite3_mprintf("INSERT INTO \"%w\" (", t->copy.table);
	pkt_bytes(&sql, q, strlen(q));
	sqlite3_free(q);
	for (int i = 0; i < ncols; i++) {
		const char *cn = t->copy.columns ? t->copy.columns[i] : names[i];
		uint32_t oid = 0;
		for (int j = 0; j < n; j++)
			if (strcasecmp(names[j], cn) == 0)
				oid = oids[j];
		if (!oid) {
			lite_error_set(e, "42703", "column \"%s\" of relation \"%s\" does not exist", cn,
				       t->copy.table);
			pkt_free(&sql);
			goto fail;
		}
		s->copy_oids[i] = oid;
		q = sqlite3_mprintf("%s\"%w\"", i ? ", " : "", cn);
		pkt_bytes(&sql, q, strlen(q));
		sqlite3_free(q);
	}
	pkt_bytes(&sql, ") VALUES (", 10);
	for (int i = 0; i < ncols; i++) {
		char p[16];
		snprintf(p, sizeof(p), "%s?%d", i ? ", " : "", i + 1);
		pkt_bytes(&sql, p, strlen(p));
	}
	pkt_bytes(&sql, ")", 2); /* with the NUL */
	int rc = sql.oom ? SQLITE_NOMEM
			 : sqlite3_prepare_v2(s->db, (const char *)sql.data, -1, &s->copy_st, NULL);
	pkt_free(&sql);
	if (rc != SQLITE_OK) {
		lite_error_from_sqlite(s->db, rc, e);
		goto fail;
	}
	/* COPY is atomic: all rows or none. */
	s->copy_implicit = sqlite3_get_autocommit(s->db);
	if (s->copy_implicit && txn_begin_immediate(s, e) < 0)
		goto fail;
	s->copy_ncols = ncols;
	s->copy_opts = (struct sqlt_copy *)&t->copy;
	s->copy_rows = 0;
	s->copy = COPY_IN;
	s->copy_header = t->copy.header;
	free(names);
	free(oids);
	/* CopyInResponse: overall format text, per-column text. */
	pkt_begin(&s->out, 'G');
	pkt_byte(&s->out, 0);
	pkt_int16(&s->out, (int16_t)ncols);
	for (int i = 0; i < ncols; i++)
		pkt_int16(&s->out, 0);
	pkt_end(&s->out);
	return 0;
oom:
	lite_error_set(e, "53200", "out of memory");
fail:
	free(names);
	free(oids);
	copy_reset(s);
	return -1;
}

/* Insert one parsed row. */
static int copy_insert(struct lite_session *s, struct copy_field *f, int n, struct lite_error *e)
{
	struct pgt_error pe;
	if (n != s->copy_ncols) {
		lite_error_set(e, "22P04", n < s->copy_ncols ? "missing data for column %d"
							      : "extra data after last expected column (%d)",
			       n < s->copy_ncols ? n + 1 : s->copy_ncols);
		return -1;
	}
	sqlite3_reset(s->copy_st);
	for (int i = 0; i < n; i++) {
		if (pgt_bind(s->copy_st, i + 1, s->copy_oids[i], 0, (const uint8_t *)f[i].data,
			     f[i].null ? -1 : (int32_t)f[i].len, &pe) < 0) {
			lite_error_set(e, pe.sqlstate, "%s", pe.message);
			return -1;
		}
	}
	int rc = sqlite3_step(s->copy_st);
	if (rc != SQLITE_DONE) {
		lite_error_from_sqlite(s->db, rc, e);
		return -1;
	}
	s->copy_rows++;
	return 0;
}

/* Feed CopyData bytes; complete rows are inserted. */
static int copy_data(struct lite_session *s, const uint8_t *data, size_t len, bool final,
		     struct lite_error *e)
{
	struct copy_field fields[COPY_MAX_FIELDS];
	struct copy_parser cp;
	int rc = 0;

	copy_parser_init(&cp, s->copy_opts->format == SQLT_COPY_CSV, s->copy_opts->delimiter,
			 s->copy_opts->quote, s->copy_opts->escape, s->copy_opts->null_string);
	if (len && lite_buf_append(&s->copy_line, data, len) < 0) {
		lite_error_set(e, "53200", "out of memory");
		return -1;
	}
	for (;;) {
		const char *line = (const char *)s->copy_line.data + s->copy_line.off;
		size_t avail = s->copy_line.len - s->copy_line.off;
		size_t used = 0;
		int n = copy_next_row(&cp, line, avail, final, fields, COPY_MAX_FIELDS, &used);
		if (n == COPY_NEED_MORE)
			break;
		if (n == COPY_ERROR) {
			lite_error_set(e, "22P04", "%s", cp.error);
			snprintf(e->detail, sizeof(e->detail), "COPY %s, line %llu", s->copy_opts->table,
				 (unsigned long long)s->copy_rows + 1);
			rc = -1;
			break;
		}
		s->copy_line.off += used;
		if (n == COPY_END_MARKER)
			continue;
		if (s->copy_header) {
			s->copy_header = false; /* HEADER: the first line is not data */
			continue;
		}
		if (copy_insert(s, fields, n, e) < 0) {
			snprintf(e->detail, sizeof(e->detail), "COPY %s, line %llu", s->copy_opts->table,
				 (unsigned long long)s->copy_rows + 1);
			rc = -1;
			break;
		}
	}
	copy_parser_free(&cp);
	if (s->copy_line.off == s->copy_line.len)
		s->copy_line.off = s->copy_line.len = 0;
	return rc;
}

static void copy_finish(struct lite_session *s, bool ok, const struct lite_error *err)
{
	struct lite_error e = {0};
	char tag[48];
	bool implicit = s->copy_implicit;
	uint64_t rows = s->copy_rows;

	copy_reset(s);
	if (ok) {
		if (implicit) {
			int rc = exec_simple(s->db, "COMMIT");
			lite_writer_release(s);
			if (rc != SQLITE_OK) {
				lite_error_from_sqlite(s->db, rc, &e);
				exec_simple(s->db, "ROLLBACK");
				send_error(s, &e);
				return;
			}
		}
		snprintf(tag, sizeof(tag), "COPY %llu", (unsigned long long)rows);
		send_complete(s, tag);
		return;
	}
	if (implicit) {
		exec_simple(s->db, "ROLLBACK");
		lite_writer_release(s);
	} else {
		txn_after_error(s);
	}
	send_error(s, err);
}

static int run_copy_out(struct lite_session *s, struct lite_stmt *ps, struct lite_error *e)
{
	struct copy_parser cp;
	uint64_t rows = 0;
	char tag[48];
	struct pkt line;

	if (!ps->st) {
		lite_error_set(e, "0A000", "this COPY TO is not supported by pgpin's SQLite backend");
		return -1;
	}
	if (ps->t->copy.format == SQLT_COPY_BINARY) {
		lite_error_set(e, "0A000", "COPY TO in binary format is not supported by pgpin's "
					   "SQLite backend");
		return -1;
	}
	copy_parser_init(&cp, ps->t->copy.format == SQLT_COPY_CSV, ps->t->copy.delimiter,
			 ps->t->copy.quote, ps->t->copy.escape, ps->t->copy.null_string);
	int ncols = sqlite3_column_count(ps->st);
	pkt_begin(&s->out, 'H');
	pkt_byte(&s->out, 0);
	pkt_int16(&s->out, (int16_t)ncols);
	for (int i = 0; i < ncols; i++)
		pkt_int16(&s->out, 0);
	pkt_end(&s->out);
	pkt_init(&line);
	sqlite3_reset(ps->st);
	lite_running(s, true);
	int rc;
	while ((rc = sqlite3_step(ps->st)) == SQLITE_ROW) {
		struct pgt_error pe;
		struct pkt val;
		pkt_reset(&line);
		for (int i = 0; i < ncols; i++) {
			if (i)
				pkt_byte(&line, (uint8_t)cp.delimiter);
			pkt_init(&val);
			uint32_t oid = i < ps->ncols ? ps->cols[i].oid : OID_TEXT;
			if (pgt_encode(&val, ps->st, i, oid, 0, &pe) < 0) {
				pkt_free(&val);
				pkt_free(&line);
				copy_parser_free(&cp);
				lite_running(s, false);
				sqlite3_reset(ps->st);
				lite_error_set(e, pe.sqlstate, "%s", pe.message);
				return -1;
			}
			int32_t vlen = (int32_t)proto_get_u32(val.data);
			if (vlen < 0)
				pkt_bytes(&line, cp.null_string, strlen(cp.null_string));
			else
				copy_escape_field(&cp, &line, (const char *)val.data + 4, (size_t)vlen);
			pkt_free(&val);
		}
		pkt_byte(&line, '\n');
		pkt_begin(&s->out, 'd');
		pkt_bytes(&s->out, line.data, line.len);
		pkt_end(&s->out);
		rows++;
		if (s->out.len >= 65536)
			lite_flush(s);
	}
	lite_running(s, false);
	pkt_free(&line);
	copy_parser_free(&cp);
	if (rc != SQLITE_DONE) {
		lite_error_from_sqlite(s->db, rc, e);
		sqlite3_reset(ps->st);
		return -1;
	}
	sqlite3_reset(ps->st);
	send_empty(s, 'c');
	snprintf(tag, sizeof(tag), "COPY %llu", (unsigned long long)rows);
	send_complete(s, tag);
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
				send_error(s, &e);
		} else {
			txn_rollback(s);
		}
	}
	sqlt_result_free(&s->query);
	free(s->query_text);
	s->query_text = NULL;
	s->in_query = false;
	if (!s->block)
		portals_drop_all(s);
	send_ready(s);
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
		ps = stmt_prepare(s, "", s->query_text + t->pg_pos, t->pg_len, NULL, 0, &e);
		if (!ps) {
			send_error(s, &e);
			txn_after_error(s);
			query_end(s, false);
			return;
		}
		int rc;
		if (ps_is_sql(ps)) {
			if (sql_check(s, ps, &e) < 0) {
				rc = -1;
			} else {
				uint64_t rows = 0;
				bool acw = false;
				char tag[64];
				if (ps->ncols > 0)
					send_row_description(s, ps, NULL);
				enum run_result r = run_rows(s, ps->st, ps->ncols, ps->cols, NULL, 0,
							     &rows, &acw, &e);
				if (r == RUN_DONE) {
					sql_tag(s, ps_tag(ps), rows, tag, sizeof(tag));
					send_complete(s, tag);
					sql_done(s, ps);
					rc = 0;
				} else {
					rc = -1;
				}
				sqlite3_reset(ps->st);
				if (acw)
					lite_writer_release(s);
			}
		} else {
			if (ps->ncols > 0 && ps->t->kind != SQLT_COPY_TO)
				send_row_description(s, ps, NULL);
			rc = run_utility(s, ps, NULL, &e);
		}
		if (rc == 1) {
			/* COPY FROM: its statement (and options) live until
			 * CopyDone; the rest of the Query runs after it. */
			s->copy_stmt = ps;
			return;
		}
		stmt_free(ps);
		if (rc < 0) {
			send_error(s, &e);
			txn_after_error(s);
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
		send_error(s, &e);
		send_ready(s);
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
		if (txn_begin_immediate(s, &e) < 0) {
			send_error(s, &e);
			query_end(s, false);
			return;
		}
		s->implicit = true;
	}
	query_continue(s);
}

/* ------------------------------------------------------------ extended */

static void ext_error(struct lite_session *s, const struct lite_error *e)
{
	send_error(s, e);
	txn_after_error(s);
	s->skip_to_sync = true;
}

static void handle_parse(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	const char *name = pr_string(r);
	const char *query = pr_string(r);
	int16_t n = pr_int16(r);
	uint32_t *given = NULL;

	if (r->err || n < 0) {
		lite_error_set(&e, "08P01", "invalid Parse message");
		ext_error(s, &e);
		return;
	}
	if (n > 0 && !(given = calloc(n, sizeof(uint32_t)))) {
		lite_error_set(&e, "53200", "out of memory");
		ext_error(s, &e);
		return;
	}
	for (int i = 0; i < n; i++)
		given[i] = (uint32_t)pr_int32(r);
	if (r->err) {
		free(given);
		lite_error_set(&e, "08P01", "invalid Parse message");
		ext_error(s, &e);
		return;
	}
	if (name[0] && stmt_find(s, name)) {
		free(given);
		lite_error_set(&e, "42P05", "prepared statement \"%s\" already exists", name);
		ext_error(s, &e);
		return;
	}
	if (s->failed) {
		/* PostgreSQL refuses everything but transaction control. */
		struct sqlt_result tr = {0};
		bool control = sqlt_translate(query, strlen(query), false, &tr) == 0 && tr.n == 1 &&
			       (is_txn_control(&tr.v[0]) || tr.v[0].kind == SQLT_EMPTY);
		sqlt_result_free(&tr);
		if (!control) {
			free(given);
			lite_error_set(&e, "25P02",
				       "current transaction is aborted, commands ignored until end "
				       "of transaction block");
			ext_error(s, &e);
			return;
		}
	}
	struct lite_stmt *ps = stmt_prepare(s, name, query, strlen(query), given, n, &e);
	free(given);
	if (!ps) {
		ext_error(s, &e);
		return;
	}
	if (!name[0]) {
		struct lite_stmt *old = stmt_find(s, "");
		if (old)
			stmt_remove(s, old);
	}
	ps->next = s->stmts;
	s->stmts = ps;
	send_empty(s, '1');
}

static void handle_bind(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	struct pgt_error pe;
	const char *pname = pr_string(r);
	const char *sname = pr_string(r);
	int16_t nfmt = pr_int16(r);
	int16_t *fmts = NULL, *rfmts = NULL;
	struct lite_portal *p = NULL;

	if (r->err || nfmt < 0)
		goto bad;
	fmts = calloc(nfmt ? nfmt : 1, sizeof(int16_t));
	if (!fmts)
		goto oom;
	for (int i = 0; i < nfmt; i++)
		fmts[i] = pr_int16(r);
	int16_t nparams = pr_int16(r);
	if (r->err || nparams < 0)
		goto bad;
	struct lite_stmt *ps = stmt_find(s, sname);
	if (!ps) {
		if (sname[0])
			lite_error_set(&e, "26000", "prepared statement \"%s\" does not exist", sname);
		else
			lite_error_set(&e, "26000", "unnamed prepared statement does not exist");
		goto fail;
	}
	if (s->failed && !is_txn_control(ps->t)) {
		lite_error_set(&e, "25P02",
			       "current transaction is aborted, commands ignored until end of "
			       "transaction block");
		goto fail;
	}
	if (nparams != ps->nparams) {
		lite_error_set(&e, "08P01",
			       "bind message supplies %d parameters, but prepared statement \"%s\" "
			       "requires %d",
			       nparams, sname, ps->nparams);
		goto fail;
	}
	if (nfmt > 1 && nfmt != nparams) {
		lite_error_set(&e, "08P01", "bind message has %d parameter formats but %d parameters",
			       nfmt, nparams);
		goto fail;
	}
	if (pname[0] && portal_find(s, pname)) {
		lite_error_set(&e, "42P03", "cursor \"%s\" already exists", pname);
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup(pname)))
		goto oom;
	p->ps = ps;
	ps->refs++;
	if (ps->st) {
		if (ps->st_busy) {
			const char *sql = ps->cat.sql ? ps->cat.sql : ps->t->sql;
			int rc = sqlite3_prepare_v2(s->db, sql, -1, &p->st, NULL);
			if (rc != SQLITE_OK) {
				lite_error_from_sqlite(s->db, rc, &e);
				goto fail;
			}
			p->own_st = true;
		} else {
			p->st = ps->st;
			ps->st_busy = true;
			sqlite3_reset(p->st);
			sqlite3_clear_bindings(p->st);
		}
	}
	for (int i = 0; i < nparams; i++) {
		int32_t len = pr_int32(r);
		const uint8_t *val = NULL;
		if (len >= 0)
			val = pr_bytes(r, (size_t)len);
		if (r->err)
			goto bad;
		int16_t f = nfmt == 0 ? 0 : nfmt == 1 ? fmts[0] : fmts[i];
		if (f != 0 && f != 1) {
			lite_error_set(&e, "08P01", "unsupported format code: %d", f);
			goto fail;
		}
		if (p->st && i < sqlite3_bind_parameter_count(p->st) &&
		    pgt_bind(p->st, i + 1, ps->param_oids[i], f, val, len, &pe) < 0) {
			lite_error_set(&e, pe.sqlstate, "%s", pe.message);
			goto fail;
		}
	}
	int16_t nr = pr_int16(r);
	if (r->err || nr < 0)
		goto bad;
	int ncols = ps->ncols > 0 ? ps->ncols : 0;
	if (nr > 1 && nr != ncols) {
		lite_error_set(&e, "08P01", "bind message has %d result formats but query has %d "
					    "columns",
			       nr, ncols);
		goto fail;
	}
	rfmts = calloc(ncols ? ncols : 1, sizeof(int16_t));
	if (!rfmts)
		goto oom;
	for (int i = 0; i < nr; i++) {
		int16_t f = pr_int16(r);
		if (f != 0 && f != 1) {
			lite_error_set(&e, "22023", "unsupported format code: %d", f);
			goto fail;
		}
		if (nr == 1) {
			for (int j = 0; j < ncols; j++)
				rfmts[j] = f;
		} else {
			rfmts[i] = f;
		}
	}
	if (r->err)
		goto bad;
	p->formats = rfmts;
	rfmts = NULL;
	if (!pname[0]) {
		struct lite_portal *old = portal_find(s, "");
		if (old)
			portal_drop(s, old);
	}
	p->next = s->portals;
	s->portals = p;
	free(fmts);
	send_empty(s, '2');
	return;
bad:
	lite_error_set(&e, "08P01", "invalid Bind message");
	goto fail;
oom:
	lite_error_set(&e, "53200", "out of memory");
fail:
	free(fmts);
	free(rfmts);
	portal_free(p);
	ext_error(s, &e);
}

static void send_param_description(struct lite_session *s, const struct lite_stmt *ps)
{
	pkt_begin(&s->out, 't');
	pkt_int16(&s->out, (int16_t)ps->nparams);
	for (int i = 0; i < ps->nparams; i++)
		pkt_int32(&s->out, (int32_t)ps->param_oids[i]);
	pkt_end(&s->out);
}

static void handle_describe(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	uint8_t kind = pr_byte(r);
	const char *name = pr_string(r);

	if (r->err || (kind != 'S' && kind != 'P')) {
		lite_error_set(&e, "08P01", "invalid DESCRIBE message subtype %d", kind);
		ext_error(s, &e);
		return;
	}
	if (kind == 'S') {
		struct lite_stmt *ps = stmt_find(s, name);
		if (!ps) {
			if (name[0])
				lite_error_set(&e, "26000", "prepared statement \"%s\" does not exist",
					       name);
			else
				lite_error_set(&e, "26000", "unnamed prepared statement does not exist");
			ext_error(s, &e);
			return;
		}
		send_param_description(s, ps);
		if (ps->ncols > 0 && ps->t->kind != SQLT_COPY_TO)
			send_row_description(s, ps, NULL);
		else
			send_empty(s, 'n');
		return;
	}
	struct lite_portal *p = portal_find(s, name);
	if (!p) {
		lite_error_set(&e, "34000", "portal \"%s\" does not exist", name);
		ext_error(s, &e);
		return;
	}
	if (p->ps->ncols > 0 && p->ps->t->kind != SQLT_COPY_TO)
		send_row_description(s, p->ps, p->formats);
	else
		send_empty(s, 'n');
}

static void handle_execute(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	const char *name = pr_string(r);
	int32_t max_rows = pr_int32(r);

	if (r->err) {
		lite_error_set(&e, "08P01", "invalid Execute message");
		ext_error(s, &e);
		return;
	}
	struct lite_portal *p = portal_find(s, name);
	if (!p) {
		lite_error_set(&e, "34000", "portal \"%s\" does not exist", name);
		ext_error(s, &e);
		return;
	}
	struct lite_stmt *ps = p->ps;
	if (ps_is_sql(ps) && !p->started && sql_check(s, ps, &e) < 0) {
		ext_error(s, &e);
		return;
	}
	if (p->done) {
		/* PostgreSQL answers an exhausted portal with an empty result. */
		char tag[64];
		if (strcmp(ps_tag(ps), "SELECT") == 0)
			snprintf(tag, sizeof(tag), "SELECT 0");
		else
			sql_tag(s, ps_tag(ps), 0, tag, sizeof(tag));
		send_complete(s, tag);
		return;
	}
	if (!ps_is_sql(ps) || !p->st) {
		/* COMMIT and ROLLBACK close every portal, this one too: p is
		 * not touched after run_utility().  rc 1 (COPY FROM) carries
		 * on with the CopyData messages. */
		p->done = true;
		if (run_utility(s, ps, p->formats, &e) < 0)
			ext_error(s, &e);
		return;
	}
	enum run_result res = run_rows(s, p->st, ps->ncols, ps->cols, p->formats, max_rows, &p->rows,
				       &p->autocommit_writer, &e);
	p->started = true;
	if (res == RUN_SUSPENDED) {
		send_empty(s, 's');
		return;
	}
	if (res == RUN_ERROR) {
		p->done = true;
		if (p->autocommit_writer) {
			lite_writer_release(s);
			p->autocommit_writer = false;
		}
		ext_error(s, &e);
		return;
	}
	char tag[64];
	sql_tag(s, ps_tag(ps), p->rows, tag, sizeof(tag));
	p->done = true;
	sqlite3_reset(p->st); /* end the statement's read transaction now */
	if (p->autocommit_writer) {
		lite_writer_release(s);
		p->autocommit_writer = false;
	}
	send_complete(s, tag);
	sql_done(s, ps);
}

static void handle_close(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	uint8_t kind = pr_byte(r);
	const char *name = pr_string(r);

	if (r->err || (kind != 'S' && kind != 'P')) {
		lite_error_set(&e, "08P01", "invalid CLOSE message subtype %d", kind);
		ext_error(s, &e);
		return;
	}
	if (kind == 'S') {
		struct lite_stmt *ps = stmt_find(s, name);
		if (ps)
			stmt_remove(s, ps);
	} else {
		struct lite_portal *p = portal_find(s, name);
		if (p)
			portal_drop(s, p);
	}
	send_empty(s, '3');
}

static void handle_sync(struct lite_session *s)
{
	s->skip_to_sync = false;
	if (!s->block) {
		/* The implicit transaction of the batch ends here: portals go,
		 * and with them any read transaction they kept open. */
		portals_drop_all(s);
	}
	send_ready(s);
}

/* ------------------------------------------------------------ input */

static void handle_copy_message(struct lite_session *s, char type, const uint8_t *body,
				size_t len)
{
	struct lite_error e = {0};
	bool ok = true;

	switch (type) {
	case 'd':
		if (copy_data(s, body, len, false, &e) == 0)
			return;
		ok = false;
		break;
	case 'c':
		ok = copy_data(s, NULL, 0, true, &e) == 0;
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
	copy_finish(s, ok, &e);
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
			handle_parse(s, &r);
			break;
		case 'B':
			handle_bind(s, &r);
			break;
		case 'D':
			handle_describe(s, &r);
			break;
		case 'E':
			handle_execute(s, &r);
			break;
		case 'C':
			handle_close(s, &r);
			break;
		case 'S':
			handle_sync(s);
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
			ext_error(s, &e);
			break;
		}
		default: {
			struct lite_error e;
			lite_error_set(&e, "08P01", "invalid frontend message type %d",
				       (unsigned char)type);
			ext_error(s, &e);
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
		copy_reset(s);
	portals_drop_all(s);
	while (s->stmts)
		stmt_remove(s, s->stmts);
	if (s->db) {
		if (!sqlite3_get_autocommit(s->db))
			exec_simple(s->db, "ROLLBACK");
		lite_writer_release(s);
		schema_forget(s);
		pthread_mutex_lock(&s->mu);
		sqlite3 *db = s->db;
		s->db = NULL;
		pthread_mutex_unlock(&s->mu);
		sqlite3_close_v2(db);
	}
	sqlt_result_free(&s->query);
	free(s->query_text);
	settings_free(&s->settings, &s->n_settings);
	settings_free(&s->local_undo, &s->n_local_undo);
	for (int i = 0; i < s->n_dbnames; i++)
		free(s->dbnames[i]);
	free(s->dbnames);
	free(s->copy_line.data);
	free(s->path);
}
