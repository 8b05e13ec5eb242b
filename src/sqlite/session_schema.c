/*
 * session_schema.c - a session's cache of the columns of the tables and
 * views its statements name: PostgreSQL types for Describe (describe.c's
 * desc_schema), the pg_class OID and column number RowDescription carries,
 * and the columns COPY FROM fills by default.
 *
 * What type a column has is catalog.c's rule (cat_user_table_columns()),
 * so Describe agrees with what \d and pg_attribute say; this file only
 * caches it and drops the cache when the schema version moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/session_int.h"
#include "sqlite/types.h"

/* Columns read at the first try; a wider table is read again. */
#define SCHEMA_COLS 64

static void table_free(struct lite_table *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->names);
	free(t->oids);
	free(t->generated);
	free(t);
}

void ses_schema_forget(struct lite_session *s)
{
	while (s->tables) {
		struct lite_table *t = s->tables;
		s->tables = t->next;
		table_free(t);
	}
	s->schema_version = -1; /* read again at the next check */
}

void ses_schema_check(struct lite_session *s)
{
	int v = -1;

	/* Checked already, in the read transaction still open. */
	if (s->schema_held)
		return;
	/* Prepared once per session: the simple Query checks before every
	 * statement, and compiling the PRAGMA cost more than running it. */
	if (s->schema_st ||
	    sqlite3_prepare_v2(s->db, "PRAGMA schema_version", -1, &s->schema_st, NULL) == SQLITE_OK) {
		if (sqlite3_step(s->schema_st) == SQLITE_ROW)
			v = sqlite3_column_int(s->schema_st, 0);
		if (s->schema_hold && v >= 0)
			s->schema_held = true;
		else
			sqlite3_reset(s->schema_st);
	}
	if (v != s->schema_version) {
		ses_schema_forget(s);
		s->schema_version = v;
		/*
		 * SQLite's own copy of the schema is reloaded only by a
		 * statement that checks the schema cookie, which PRAGMA
		 * schema_version does not.  Until then sqlite3_prepare_v2()
		 * compiles against the old one: SELECT * would be described
		 * with the columns of a table another connection has made
		 * again since, then run with the new ones.  Reading
		 * sqlite_master checks it, and reloads.
		 */
		if (v >= 0)
			sqlite3_exec(s->db, "SELECT 1 FROM sqlite_master LIMIT 0", NULL, NULL, NULL);
	}
}

void ses_schema_release(struct lite_session *s)
{
	s->schema_hold = false;
	if (s->schema_held) {
		sqlite3_reset(s->schema_st);
		s->schema_held = false;
	}
}

static int columns_alloc(struct lite_table *t, int n)
{
	free(t->names);
	free(t->oids);
	free(t->generated);
	t->names = calloc(n ? n : 1, sizeof(*t->names));
	t->oids = calloc(n ? n : 1, sizeof(*t->oids));
	t->generated = calloc(n ? n : 1, sizeof(*t->generated));
	return t->names && t->oids && t->generated ? 0 : -1;
}

/*
 * The relation's OID as pg_class gives it, and whether it is TEMP.  A
 * TEMP relation hides a main one of the same name, as in SQLite's own
 * name resolution.
 */
static uint32_t table_oid(sqlite3 *db, const char *name, bool *temp)
{
	sqlite3_stmt *st = NULL;
	uint32_t oid = 0;

	*temp = false;
	if (sqlite3_prepare_v2(db,
			       "SELECT 0 FROM sqlite_temp_schema WHERE name = ?1 COLLATE NOCASE "
			       "AND type IN ('table', 'view') UNION ALL "
			       "SELECT rowid FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE "
			       "AND type IN ('table', 'view')",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t rowid = sqlite3_column_int64(st, 0);
		*temp = rowid == 0;
		oid = rowid > 0 ? CAT_REL_OID_BASE + (uint32_t)rowid : 0;
	}
	sqlite3_finalize(st);
	return oid;
}

/* A table or view (TEMP or main): catalog.c says what its columns are. */
static int user_columns(sqlite3 *db, const char *name, struct lite_table *t)
{
	int max = SCHEMA_COLS, n;

	for (;;) {
		if (columns_alloc(t, max) < 0)
			return -1;
		n = cat_user_table_columns(db, name, t->names, t->oids, max);
		if (n <= max)
			break;
		max = n;
	}
	t->n = n > 0 ? n : 0;
	return 0;
}

/* Flag the generated columns (GENERATED ALWAYS AS (...) [STORED]): PostgreSQL
 * leaves them out of a COPY without a column list. */
static void mark_generated(sqlite3 *db, const char *name, bool temp, struct lite_table *t)
{
	sqlite3_stmt *st = NULL;

	if (t->n == 0 ||
	    sqlite3_prepare_v2(db,
			       temp ? "SELECT name FROM pragma_table_xinfo(?1, 'temp') "
				      "WHERE hidden IN (2, 3)"
				    : "SELECT name FROM pragma_table_xinfo(?1, 'main') "
				      "WHERE hidden IN (2, 3)",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *cn = (const char *)sqlite3_column_text(st, 0);
		for (int i = 0; cn && i < t->n; i++)
			if (strcasecmp(t->names[i], cn) == 0)
				t->generated[i] = true;
	}
	sqlite3_finalize(st);
}

/* name is unqualified. */
static struct lite_table *schema_table(struct lite_session *s, const char *name)
{
	struct lite_table *t;
	bool temp;

	for (t = s->tables; t; t = t->next)
		if (strcasecmp(t->name, name) == 0)
			return t;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->name = strdup(name)))
		goto fail;
	t->oid = table_oid(s->db, name, &temp);
	if (user_columns(s->db, name, t) < 0)
		goto fail;
	mark_generated(s->db, name, temp, t);
	t->next = s->tables;
	s->tables = t;
	return t;
fail:
	table_free(t);
	return NULL;
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

const struct lite_table *ses_schema_table(struct lite_session *s, const char *table)
{
	return schema_table(s, strip_schema(table));
}

uint32_t ses_column_type(void *arg, const char *table, const char *column)
{
	struct lite_session *s = arg;
	const struct lite_table *t;
	uint32_t oid;

	table = strip_schema(table);
	oid = cat_column_type(table, column);
	if (oid)
		return oid;
	t = schema_table(s, table);
	if (!t)
		return 0;
	for (int i = 0; i < t->n; i++)
		if (strcasecmp(t->names[i], column) == 0)
			return t->oids[i];
	if (strcasecmp(column, "rowid") == 0 && t->n > 0)
		return OID_INT8;
	return 0;
}

int ses_table_columns(void *arg, const char *table, char (*names)[DESC_NAME_MAX],
		      uint32_t *oids, int max)
{
	struct lite_session *s = arg;
	const struct lite_table *t;
	int n;

	table = strip_schema(table);
	n = cat_table_columns(table, names, oids, max);
	if (n >= 0)
		return n;
	t = schema_table(s, table);
	if (!t || t->n == 0)
		return -1;
	for (int i = 0; i < t->n && i < max; i++) {
		memcpy(names[i], t->names[i], DESC_NAME_MAX);
		oids[i] = t->oids[i];
	}
	return t->n;
}
