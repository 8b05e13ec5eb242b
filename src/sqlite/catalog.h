/*
 * catalog.h - enough of pg_catalog and information_schema, backed by
 * SQLite's own schema, for psql, pgbench, drivers and kine.
 *
 * cat_setup() prepares one SQLite connection: it registers the SQL
 * functions PostgreSQL clients call (version(), current_database(),
 * current_user/current_schema, now(), pg_total_relation_size(),
 * current_setting(), set_config(), pg_backend_pid(), format_type(),
 * pg_get_userbyid(), pg_table_is_visible(), obj_description(), ...) and
 * creates TEMP views named like the catalog relations (pg_database,
 * pg_namespace, pg_class, pg_attribute, pg_type, pg_index, pg_roles,
 * pg_settings, "information_schema.tables", "information_schema.columns",
 * ...) over sqlite_schema and the pragma_* table functions, with the OIDs
 * PostgreSQL uses for built-in types and namespaces.  The translator
 * strips "pg_catalog." and rewrites information_schema.x to
 * "information_schema.x", so ordinary queries on the catalog run on these
 * views.
 *
 * cat_intercept() recognises the catalog queries that are too far from
 * SQLite to translate (psql's backslash commands, pgbench's partition
 * probe, driver type introspection) by fragments of their text, and gives
 * the SQLite query that answers them with PostgreSQL's column names and
 * types.
 */
#ifndef PGPIN_SQLITE_CATALOG_H
#define PGPIN_SQLITE_CATALOG_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sqlite/describe.h"

struct cat_env {
	const char *database; /* the PostgreSQL database name this connection serves */
	const char *user;     /* the session user */
	int backend_pid;      /* the pid handed to the client */
	/* session settings (engine.c): current_setting() / set_config() */
	void *arg;
	const char *(*get_setting)(void *arg, const char *name);
	int (*set_setting)(void *arg, const char *name, const char *value, bool local);
	/* true once the running statement was cancelled: long-running
	 * functions (pg_sleep) poll it and fail with SQLITE_INTERRUPT */
	bool (*cancelled)(void *arg);
	/* the databases to list in pg_database */
	const char *const *databases;
	int n_databases;
};

/* Register functions and create the TEMP views.  env must outlive db
 * (the functions keep a pointer to it).  Returns 0, or -1 with err. */
int cat_setup(sqlite3 *db, const struct cat_env *env, char *err, size_t errlen);
/* Rebuild pg_database after CREATE/DROP DATABASE (env->databases updated). */
int cat_refresh_databases(sqlite3 *db, const struct cat_env *env);

struct cat_query {
	char *sql;	/* SQLite text answering the query; ?N for $N */
	int ncols;
	struct desc_column *cols; /* PostgreSQL names and OIDs of the result */
	int nparams;
	uint32_t *param_oids;
	char tag[16];	/* "SELECT" */
};

/* 1 and *out filled when text is a query cat_intercept answers, else 0
 * (-1 on allocation failure). */
int cat_intercept(const char *pg_sql, size_t len, struct cat_query *out);
void cat_query_free(struct cat_query *q);

/* Type OID of a catalog view's column (for describe.c), 0 if relation is
 * not a catalog view or has no such column.  Relation names are those of
 * the views: "pg_class", "information_schema.tables" (with its prefix). */
uint32_t cat_column_type(const char *relation, const char *column);
/* Columns of a catalog view in order, as desc_schema.table_columns; -1 if
 * relation is not a catalog view. */
int cat_table_columns(const char *relation, char (*names)[DESC_NAME_MAX], uint32_t *oids,
		      int max);

/*
 * OIDs the views hand out, the same in every view that refers to them:
 * a table, view or index is CAT_REL_OID_BASE + its sqlite_schema rowid
 * (so kine, created first in a new file, is 16385 as on PostgreSQL); the
 * "<table>_pkey" index PostgreSQL would have for an INTEGER PRIMARY KEY
 * (rowid alias, no index of its own in SQLite) is CAT_PKEY_OID_BASE +
 * the table's oid; the pg_constraint row of a primary key or UNIQUE
 * constraint is CAT_CON_OID_BASE + its index's oid.  Stable for a session
 * (a VACUUM may renumber sqlite_schema).
 */
#define CAT_REL_OID_BASE 16384u
#define CAT_PKEY_OID_BASE 8388608u
#define CAT_CON_OID_BASE 16777216u
#define CAT_OID_PG_CATALOG 11u
#define CAT_OID_PUBLIC 2200u
#define CAT_OID_INFORMATION_SCHEMA 13165u
#define CAT_OID_ROLE 10u

/*
 * PostgreSQL type OID of a user table's (or view's) column, with the rule
 * the engine must share: a rowid-alias INTEGER PRIMARY KEY is int8 unless
 * the CREATE TABLE text carries the translator's marker
 * / *pgpin:int4* / (or int2); other columns map their declared type with
 * pgt_oid_from_decltype(), text when it knows none.  Needs cat_setup() on
 * db.  0 when there is no such table or column.  For desc_schema.
 */
uint32_t cat_user_column_type(sqlite3 *db, const char *table, const char *column);
/* Columns of a user table or view in order, as desc_schema.table_columns;
 * -1 if there is no such table. */
int cat_user_table_columns(sqlite3 *db, const char *table, char (*names)[DESC_NAME_MAX],
			   uint32_t *oids, int max);

/*
 * The registered functions fail with PostgreSQL's SQLSTATE in front of
 * the message: "[42704] unrecognized configuration parameter \"x\"".
 * For a message of that form, copy the SQLSTATE into sqlstate and return
 * the message after the prefix; else return NULL.
 */
const char *cat_error_split(const char *msg, char sqlstate[6]);

#endif
