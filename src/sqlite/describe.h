/*
 * describe.h - PostgreSQL types and names for a statement's parameters
 * and result columns, inferred the way PostgreSQL's parser would.
 *
 * SQLite knows only declared column types of plain column references;
 * PostgreSQL clients (pgx, asyncpg, JDBC) need the exact parameter and
 * result type OIDs that PostgreSQL would announce in ParameterDescription
 * and RowDescription, and PostgreSQL's column names ("count", "?column?",
 * "max", the alias).  desc_describe() reads the PostgreSQL text (with $n
 * and :: casts still in it) and resolves:
 *   parameters: from an explicit cast ($1::int8), a comparison or
 *     arithmetic with a column (name = $1, id <= $2, col IN ($1, $2)), an
 *     INSERT column list (VALUES or SELECT list positions), UPDATE SET
 *     col = $n, LIMIT/OFFSET (int8), a boolean context (AND/OR operand,
 *     WHERE $n) -> bool, LIKE/ILIKE pattern -> text;
 *   result columns: plain and qualified columns (through table aliases,
 *     derived tables and scalar subqueries), aggregates (count -> int8,
 *     max/min -> the argument's type, sum int -> int8/numeric, avg ->
 *     numeric/float8), casts, literals (integer -> int4, or int8 if it does
 *     not fit; decimal -> numeric; string -> text), parameters, known
 *     functions (version() text, now() timestamptz, current_database()
 *     name, pg_total_relation_size() int8, coalesce -> first known
 *     argument...), RETURNING lists.
 * Anything it cannot type is 0: the engine then uses SQLite's declared
 * type, and finally text.
 *
 * Pure apart from the schema callbacks; thread-safe.
 */
#ifndef PGPIN_SQLITE_DESCRIBE_H
#define PGPIN_SQLITE_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

#define DESC_NAME_MAX 64

struct desc_schema {
	void *arg;
	/* Type OID of table.column (names already folded and unqualified:
	 * "pg_catalog." and "public." removed); 0 when there is no such
	 * column or table. */
	uint32_t (*column_type)(void *arg, const char *table, const char *column);
	/* The columns of a table in order (for SELECT * and INSERT without a
	 * column list): fills up to max names and OIDs, returns the number of
	 * columns (may exceed max), or -1 for an unknown table. */
	int (*table_columns)(void *arg, const char *table, char (*names)[DESC_NAME_MAX],
			     uint32_t *oids, int max);
};

struct desc_column {
	char name[DESC_NAME_MAX]; /* PostgreSQL's name for the column */
	uint32_t oid;		  /* 0 = unknown */
};

struct desc_result {
	int nparams;	      /* highest $n seen */
	uint32_t *param_oids; /* [nparams], 0 = unknown */
	int ncols;	      /* -1: not a row-returning statement, or not understood */
	struct desc_column *cols;
};

/* Returns 0 (unknowns are 0 OIDs), -1 on allocation failure. */
int desc_describe(const char *pg_sql, size_t len, const struct desc_schema *schema,
		  struct desc_result *out);
/* The same, with the parameter types the client declared in Parse
 * (given[i], 0 = unspecified) taken as known from the start. */
int desc_describe_typed(const char *pg_sql, size_t len, const struct desc_schema *schema,
			const uint32_t *given, int ngiven, struct desc_result *out);
void desc_result_free(struct desc_result *r);

#endif
