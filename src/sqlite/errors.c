/*
 * errors.c - SQLite failures as the ErrorResponse PostgreSQL would send.
 *
 * The extended result code decides the SQLSTATE wherever SQLite has one
 * (constraints, busy, interrupt, I/O...); only plain SQLITE_ERROR, which
 * SQLite does not subdivide, is classified by its message text.  A unique
 * violation is named as PostgreSQL names it: SQLite reports the columns
 * ("UNIQUE constraint failed: kine.name, kine.prev_revision"), so the
 * index with exactly those columns is looked up with read-only
 * pragma_index_list / pragma_index_info queries on the same connection.
 * Building the wire message is here too; sending it is the engine's job.
 */
#include "sqlite/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEY_COLS 32

static void copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void lite_error_set(struct lite_error *e, const char *sqlstate, const char *fmt, ...)
{
	va_list ap;
	memset(e, 0, sizeof(*e));
	snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", sqlstate);
	snprintf(e->severity, sizeof(e->severity), "ERROR");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ------------------------------------------------- unique constraints */

struct key_cols {
	char table[128];
	int n;
	char col[MAX_KEY_COLS][128];
};

/*
 * "t.a, t.b" (after "UNIQUE constraint failed: ") into table and
 * columns.  SQLite prints table.column for each column, unquoted, so a
 * name with ", " or "." in it cannot be told apart; such tables get no
 * constraint name rather than a wrong one.
 */
static bool parse_key_cols(const char *s, struct key_cols *k)
{
	memset(k, 0, sizeof(*k));
	const char *dot = strchr(s, '.');
	if (!dot)
		return false;
	copy(k->table, sizeof(k->table), s, (size_t)(dot - s));
	size_t tl = strlen(k->table);
	while (*s) {
		if (k->n == MAX_KEY_COLS || strncmp(s, k->table, tl) != 0 || s[tl] != '.')
			return false;
		s += tl + 1;
		const char *end = strstr(s, ", ");
		size_t n = end ? (size_t)(end - s) : strlen(s);
		copy(k->col[k->n++], sizeof(k->col[0]), s, n);
		s += n;
		if (end)
			s += 2;
	}
	return k->n > 0;
}

/* True if index idx has exactly the columns of k, in order. */
static bool index_matches(sqlite3 *db, const char *idx, const struct key_cols *k)
{
	sqlite3_stmt *st = NULL;
	int n = 0;
	bool ok = false;
	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno", -1, &st,
			       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, idx, -1, SQLITE_STATIC);
	ok = true;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		/* An expression column has no name: never a match. */
		if (n >= k->n || !c || strcmp(c, k->col[n]) != 0)
			ok = false;
		n++;
	}
	ok = ok && n == k->n;
fail:
	sqlite3_finalize(st);
	return ok;
}

/* PostgreSQL's name for an inline UNIQUE constraint: table_col1_col2_key,
 * cut to NAMEDATALEN - 1 bytes. */
static void unique_key_name(const struct key_cols *k, char *out, size_t cap)
{
	size_t len = (size_t)snprintf(out, cap, "%s", k->table);
	for (int i = 0; i < k->n && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "_%s", k->col[i]);
	if (len < cap)
		snprintf(out + len, cap - len, "_key");
	if (strlen(out) > 63)
		out[63] = '\0';
}

/* "<table>_pkey", the table part cut so the name fits NAMEDATALEN - 1 as
 * PostgreSQL's ChooseRelationName does. */
static void pkey_name(const char *table, char *out, size_t cap)
{
	snprintf(out, cap, "%.58s_pkey", table);
}

/*
 * The constraint name of a unique index on k's columns: the index's own
 * name for CREATE UNIQUE INDEX (including a "t_pkey" made for ALTER TABLE
 * ADD PRIMARY KEY), "<table>_pkey" for a PRIMARY KEY, and
 * "<table>_<cols>_key" for an inline UNIQUE (sqlite_autoindex_*).  Empty
 * if no index matches.
 */
static void find_unique_index(sqlite3 *db, const struct key_cols *k, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	out[0] = '\0';
	if (sqlite3_prepare_v2(db,
			       "SELECT name, origin FROM pragma_index_list(?1) WHERE \"unique\" "
			       "ORDER BY seq DESC",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, k->table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *origin = (const char *)sqlite3_column_text(st, 1);
		if (!name || !index_matches(db, name, k))
			continue;
		if (origin && strcmp(origin, "pk") == 0)
			pkey_name(k->table, out, cap);
		else if (starts(name, "sqlite_autoindex_"))
			unique_key_name(k, out, cap);
		else
			snprintf(out, cap, "%s", name);
		break;
	}
fail:
	sqlite3_finalize(st);
}

/* The table of a named index, from the schema (read only). */
static void index_table(sqlite3 *db, const char *index, struct lite_error *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT tbl_name FROM sqlite_schema WHERE type = 'index' "
			       "AND name = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(e->table, sizeof(e->table), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		snprintf(e->schema, sizeof(e->schema), "public");
	}
fail:
	sqlite3_finalize(st);
}

static void unique_violation(sqlite3 *db, int rc, const char *msg, struct lite_error *e)
{
	struct key_cols k;
	const char *cols = strstr(msg, "constraint failed: ");
	char name[128] = "";

	lite_error_set(e, "23505", "duplicate key value violates unique constraint");
	if (!cols)
		return;
	cols += strlen("constraint failed: ");
	if (starts(cols, "index '")) {
		/* An index on expressions: SQLite names the index itself. */
		const char *q = cols + strlen("index '");
		const char *end = strrchr(q, '\'');
		if (end && end > q)
			copy(name, sizeof(name), q, (size_t)(end - q));
		index_table(db, name, e);
	} else if (parse_key_cols(cols, &k)) {
		snprintf(e->table, sizeof(e->table), "%s", k.table);
		snprintf(e->schema, sizeof(e->schema), "public");
		if (rc != SQLITE_CONSTRAINT_UNIQUE) /* the primary key or the rowid */
			pkey_name(k.table, name, sizeof(name));
		else
			find_unique_index(db, &k, name, sizeof(name));
		/* The key values are not at hand once the statement failed, so
		 * PostgreSQL's "Key (...)=(...) already exists." detail is left out
		 * rather than made up; PostgreSQL sends no column field here. */
	}
	if (name[0]) {
		snprintf(e->constraint, sizeof(e->constraint), "%s", name);
		snprintf(e->message, sizeof(e->message),
			 "duplicate key value violates unique constraint \"%s\"", name);
	}
}

/* ------------------------------------------------------ plain ERROR */

/* The name after a "prefix: " in msg, up to the end. */
static const char *after(const char *msg, const char *prefix)
{
	return starts(msg, prefix) ? msg + strlen(prefix) : NULL;
}

/* SQLite quotes odd table names in "table "x y" already exists". */
static void unquote(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		copy(out, cap, s + 1, n - 2);
	else
		copy(out, cap, s, n);
}

/*
 * SQLITE_ERROR carries no finer code, so its message decides.  The
 * messages are SQLite's own (sqlite3ErrorMsg calls in its parser and
 * resolver), stable across 3.x releases.
 */
static void plain_error(const char *msg, struct lite_error *e)
{
	const char *x;
	char name[256];

	/* Our own functions (catalog.c, engine.c) report "pgpin:XXXXX:text". */
	if (starts(msg, LITE_ERROR_PREFIX) && strlen(msg) > strlen(LITE_ERROR_PREFIX) + 6 &&
	    msg[strlen(LITE_ERROR_PREFIX) + 5] == ':') {
		char code[6];
		copy(code, sizeof(code), msg + strlen(LITE_ERROR_PREFIX), 5);
		lite_error_set(e, code, "%s", msg + strlen(LITE_ERROR_PREFIX) + 6);
		return;
	}
	/* ... or "[XXXXX] text" (catalog.c's functions). */
	if (msg[0] == '[' && strlen(msg) > 8 && msg[6] == ']' && msg[7] == ' ') {
		char code[6];
		copy(code, sizeof(code), msg + 1, 5);
		lite_error_set(e, code, "%s", msg + 8);
		return;
	}
	if ((x = after(msg, "no such table: ")) || (x = after(msg, "no such view: "))) {
		lite_error_set(e, "42P01", "relation \"%s\" does not exist", x);
		return;
	}
	if ((x = after(msg, "no such column: "))) {
		/* PostgreSQL quotes a bare column, not a qualified one. */
		if (strchr(x, '.'))
			lite_error_set(e, "42703", "column %s does not exist", x);
		else
			lite_error_set(e, "42703", "column \"%s\" does not exist", x);
		return;
	}
	if ((x = after(msg, "table ")) && strstr(x, " has no column named ")) {
		const char *col = strstr(x, " has no column named ");
		copy(name, sizeof(name), x, (size_t)(col - x));
		col += strlen(" has no column named ");
		char tbl[256];
		unquote(name, tbl, sizeof(tbl));
		lite_error_set(e, "42703", "column \"%s\" of relation \"%s\" does not exist", col,
			       tbl);
		return;
	}
	if ((x = after(msg, "no such function: "))) {
		lite_error_set(e, "42883", "function %s does not exist", x);
		snprintf(e->hint, sizeof(e->hint),
			 "No function matches the given name and argument types.");
		return;
	}
	if ((x = after(msg, "wrong number of arguments to function "))) {
		copy(name, sizeof(name), x, strcspn(x, "("));
		lite_error_set(e, "42883", "function %s does not exist", name);
		snprintf(e->hint, sizeof(e->hint),
			 "No function matches the given name and argument types. You might need "
			 "to add explicit type casts.");
		return;
	}
	if ((x = after(msg, "near \""))) {
		const char *end = strstr(x, "\": syntax error");
		if (end) {
			copy(name, sizeof(name), x, (size_t)(end - x));
			lite_error_set(e, "42601", "syntax error at or near \"%s\"", name);
			return;
		}
	}
	if ((x = after(msg, "unrecognized token: \""))) {
		size_t n = strlen(x);
		copy(name, sizeof(name), x, n > 0 && x[n - 1] == '"' ? n - 1 : n);
		if (name[0] == '\'')
			lite_error_set(e, "42601", "unterminated quoted string at or near \"%s\"",
				       name);
		else if (name[0] == '"')
			lite_error_set(e, "42601",
				       "unterminated quoted identifier at or near \"%s\"", name);
		else
			lite_error_set(e, "42601", "syntax error at or near \"%s\"", name);
		return;
	}
	if (strcmp(msg, "incomplete input") == 0) {
		lite_error_set(e, "42601", "syntax error at end of input");
		return;
	}
	if (((x = after(msg, "table ")) || (x = after(msg, "index ")) ||
	     (x = after(msg, "view "))) &&
	    strstr(x, " already exists")) {
		copy(name, sizeof(name), x, (size_t)(strstr(x, " already exists") - x));
		char rel[256];
		unquote(name, rel, sizeof(rel));
		lite_error_set(e, "42P07", "relation \"%s\" already exists", rel);
		return;
	}
	if ((x = after(msg, "trigger ")) && strstr(x, " already exists")) {
		copy(name, sizeof(name), x, (size_t)(strstr(x, " already exists") - x));
		lite_error_set(e, "42710", "trigger %s already exists", name);
		return;
	}
	if ((x = after(msg, "ambiguous column name: "))) {
		lite_error_set(e, "42702", "column reference \"%s\" is ambiguous", x);
		return;
	}
	if ((x = after(msg, "no such index: "))) {
		lite_error_set(e, "42704", "index \"%s\" does not exist", x);
		return;
	}
	if ((x = after(msg, "no such trigger: "))) {
		lite_error_set(e, "42704", "trigger \"%s\" does not exist", x);
		return;
	}
	if ((x = after(msg, "no such collation sequence: "))) {
		lite_error_set(e, "42704", "collation \"%s\" for encoding \"UTF8\" does not exist",
			       x);
		return;
	}
	if ((x = after(msg, "no such savepoint: "))) {
		lite_error_set(e, "3B001", "savepoint \"%s\" does not exist", x);
		return;
	}
	if ((x = after(msg, "duplicate column name: "))) {
		lite_error_set(e, "42701", "column \"%s\" specified more than once", x);
		return;
	}
	if (strcmp(msg, "cannot start a transaction within a transaction") == 0) {
		lite_error_set(e, "25001", "there is already a transaction in progress");
		return;
	}
	if (starts(msg, "cannot commit - no transaction is active") ||
	    starts(msg, "cannot rollback - no transaction is active")) {
		lite_error_set(e, "25P01", "there is no transaction in progress");
		return;
	}
	if (strcmp(msg, "cannot VACUUM from within a transaction") == 0) {
		lite_error_set(e, "25001", "VACUUM cannot run inside a transaction block");
		return;
	}
	if (starts(msg, "too many terms in compound SELECT") ||
	    starts(msg, "Expression tree is too large") || starts(msg, "parser stack overflow") ||
	    starts(msg, "too many levels of trigger recursion")) {
		lite_error_set(e, "54001", "sqlite: %s", msg);
		return;
	}
	if (starts(msg, "too many columns") || starts(msg, "too many SQL variables") ||
	    starts(msg, "too many FROM clause terms") ||
	    starts(msg, "LIKE or GLOB pattern too complex")) {
		lite_error_set(e, "54000", "sqlite: %s", msg);
		return;
	}
	if (strcmp(msg, "integer overflow") == 0) {
		lite_error_set(e, "22003", "bigint out of range");
		return;
	}
	if (starts(msg, "misuse of aggregate") ||
	    strcmp(msg, "a GROUP BY clause is required before HAVING") == 0 ||
	    starts(msg, "aggregate functions are not allowed")) {
		lite_error_set(e, "42803", "sqlite: %s", msg);
		return;
	}
	if (starts(msg, "misuse of window function")) {
		lite_error_set(e, "42P20", "sqlite: %s", msg);
		return;
	}
	if (strstr(msg, "ORDER BY term out of range") ||
	    strstr(msg, "GROUP BY term out of range")) {
		lite_error_set(e, "42P10", "sqlite: %s", msg);
		return;
	}
	if (starts(msg, "sub-select returns ")) {
		lite_error_set(e, "42601", "subquery has too many columns");
		return;
	}
	if (strstr(msg, " do not have the same number of result columns")) {
		lite_error_set(e, "42601", "each UNION query must have the same number of columns");
		return;
	}
	if (strstr(msg, " values were supplied") || strstr(msg, " values for ")) {
		lite_error_set(e, "42601", "sqlite: %s", msg);
		return;
	}
	if (strstr(msg, "may not be modified") || strstr(msg, "may not be dropped") ||
	    strstr(msg, "may not be altered") || starts(msg, "cannot modify ")) {
		lite_error_set(e, "42809", "sqlite: %s", msg);
		return;
	}
	lite_error_set(e, "XX000", "sqlite: %s", msg);
}

/* --------------------------------------------------------- dispatch */

void lite_error_from_sqlite(sqlite3 *db, int rc, struct lite_error *e)
{
	/* Copy the message first: the pragma queries below replace it. */
	char msg[512];
	const char *m = db ? sqlite3_errmsg(db) : NULL;
	snprintf(msg, sizeof(msg), "%s", m && *m ? m : sqlite3_errstr(rc));

	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_ROWID:
		unique_violation(db, rc, msg, e);
		return;
	case SQLITE_CONSTRAINT_NOTNULL: {
		/* "NOT NULL constraint failed: t.c" */
		struct key_cols k;
		const char *cols = strstr(msg, "constraint failed: ");
		if (cols && parse_key_cols(cols + strlen("constraint failed: "), &k) && k.n == 1) {
			lite_error_set(e, "23502",
				       "null value in column \"%s\" of relation \"%s\" violates "
				       "not-null constraint",
				       k.col[0], k.table);
			snprintf(e->table, sizeof(e->table), "%s", k.table);
			snprintf(e->column, sizeof(e->column), "%s", k.col[0]);
			snprintf(e->schema, sizeof(e->schema), "public");
		} else
			lite_error_set(e, "23502", "null value violates not-null constraint");
		return;
	}
	case SQLITE_CONSTRAINT_CHECK: {
		/* "CHECK constraint failed: name" for a named constraint, the
		 * expression text for an unnamed one.  SQLite does not say which
		 * table, so PostgreSQL's "for relation" part cannot be given. */
		const char *what = strstr(msg, "constraint failed: ");
		what = what ? what + strlen("constraint failed: ") : "";
		size_t n = strlen(what);
		bool ident = n > 0 && n < sizeof(e->constraint) &&
			     strspn(what, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789_$") == n &&
			     !(what[0] >= '0' && what[0] <= '9');
		if (ident) {
			lite_error_set(e, "23514", "new row violates check constraint \"%s\"",
				       what);
			snprintf(e->constraint, sizeof(e->constraint), "%s", what);
		} else if (n)
			lite_error_set(e, "23514", "new row violates check constraint (%s)", what);
		else
			lite_error_set(e, "23514", "new row violates check constraint");
		return;
	}
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		lite_error_set(e, "23503",
			       "insert, update or delete violates a foreign key constraint");
		return;
	case SQLITE_CONSTRAINT_TRIGGER:
		/* RAISE(ABORT, 'text') in a trigger: PostgreSQL's RAISE EXCEPTION. */
		lite_error_set(e, "P0001", "%s", msg);
		return;
	case SQLITE_BUSY:
	case SQLITE_BUSY_SNAPSHOT:
	case SQLITE_BUSY_RECOVERY:
	case SQLITE_BUSY_TIMEOUT:
		/* pgbench --max-tries and retrying clients act on 40001. */
		lite_error_set(e, "40001", "could not serialize access due to concurrent update");
		snprintf(e->hint, sizeof(e->hint), "The transaction might succeed if retried.");
		snprintf(e->detail, sizeof(e->detail), "sqlite: %.400s", msg);
		return;
	case SQLITE_INTERRUPT:
		lite_error_set(e, "57014", "canceling statement due to user request");
		return;
	case SQLITE_RANGE:
		lite_error_set(e, "08P01",
			       "bind message supplies a parameter the statement does not have");
		return;
	case SQLITE_NOTADB:
		lite_error_set(e, "XX001", "sqlite: %s", msg);
		return;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_ERROR:
		plain_error(msg, e);
		break;
	case SQLITE_CONSTRAINT:
		lite_error_set(e, "23000", "sqlite: %s", msg);
		break;
	case SQLITE_BUSY:
		lite_error_set(e, "40001", "could not serialize access due to concurrent update");
		snprintf(e->hint, sizeof(e->hint), "The transaction might succeed if retried.");
		break;
	case SQLITE_LOCKED:
		lite_error_set(e, "55P03", "could not obtain lock: sqlite: %s", msg);
		break;
	case SQLITE_READONLY:
		lite_error_set(e, "25006", "cannot write in a read-only database: sqlite: %s", msg);
		break;
	case SQLITE_FULL:
		lite_error_set(e, "53100", "could not extend the database file: sqlite: %s", msg);
		break;
	case SQLITE_TOOBIG:
		lite_error_set(e, "54000", "sqlite: %s", msg);
		break;
	case SQLITE_MISMATCH:
		lite_error_set(e, "42804", "sqlite: %s", msg);
		break;
	case SQLITE_NOMEM:
		lite_error_set(e, "53200", "out of memory");
		break;
	case SQLITE_IOERR:
		lite_error_set(e, "58030", "could not access the database file: sqlite: %s", msg);
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		lite_error_set(e, "XX001", "sqlite: %s", msg);
		break;
	case SQLITE_CANTOPEN:
		lite_error_set(e, "58P01", "could not open the database file: sqlite: %s", msg);
		break;
	case SQLITE_AUTH:
	case SQLITE_PERM:
		lite_error_set(e, "42501", "sqlite: %s", msg);
		break;
	case SQLITE_INTERRUPT:
		lite_error_set(e, "57014", "canceling statement due to user request");
		break;
	default:
		lite_error_set(e, "XX000", "sqlite: %s", msg);
		break;
	}
}

/* ------------------------------------------------------------ build */

static void field(struct pkt *p, char code, const char *value)
{
	if (!value[0])
		return;
	pkt_byte(p, (uint8_t)code);
	pkt_string(p, value);
}

void lite_error_build(struct pkt *p, const struct lite_error *e)
{
	const char *sev = e->severity[0] ? e->severity : "ERROR";
	char pos[16] = "";
	if (e->position > 0)
		snprintf(pos, sizeof(pos), "%d", e->position);
	pkt_begin(p, 'E');
	field(p, 'S', sev);
	field(p, 'V', sev);
	field(p, 'C', e->sqlstate[0] ? e->sqlstate : "XX000");
	pkt_byte(p, 'M');
	pkt_string(p, e->message);
	field(p, 'D', e->detail);
	field(p, 'H', e->hint);
	field(p, 'P', pos);
	field(p, 's', e->schema);
	field(p, 't', e->table);
	field(p, 'c', e->column);
	field(p, 'n', e->constraint);
	pkt_byte(p, 0);
	pkt_end(p);
}
