/*
 * catalog_intercept.c - cat_intercept(): catalog queries too far from
 * SQLite to translate, recognised by fragments of their whitespace-
 * normalised text and answered with SQLite SQL over the catalog views
 * under PostgreSQL's column names and types: psql 15's \l, \d and \dX
 * listings, \d NAME, \dn, \du, \dT, \df; pgbench's partition probe;
 * asyncpg's type introspection; kine's bootstrap (the table at the end).
 * Other catalog queries go to the translator; the views are catalog.c's.
 */
#include "sqlite/catalog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/types.h"

/* Collapse whitespace runs to one space, trim, drop a trailing ';'. */
static char *normalize(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)s[i])) {
			if (n && out[n - 1] != ' ')
				out[n++] = ' ';
		} else {
			out[n++] = s[i];
		}
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == ';'))
		n--;
	out[n] = '\0';
	return out;
}

static bool has(const char *q, const char *frag)
{
	return strstr(q, frag) != NULL;
}

/* End (the closing quote) of the standard string literal starting at the
 * quote q, or NULL. */
static const char *literal_end(const char *q)
{
	for (const char *e = q + 1; *e; e++) {
		if (*e != '\'')
			continue;
		if (e[1] == '\'') {
			e++;
			continue;
		}
		return e;
	}
	return NULL;
}

/* The literal following prefix (which ends with its opening quote),
 * appended as a SQLite literal; false when absent. */
static bool append_literal_after(sqlite3_str *s, const char *q, const char *prefix)
{
	const char *p = strstr(q, prefix), *e;

	if (!p)
		return false;
	p += strlen(prefix) - 1;
	if (*p != '\'' || !(e = literal_end(p)))
		return false;
	sqlite3_str_append(s, p, (int)(e - p + 1));
	return true;
}

/* The OID in prefix'NNN' (psql's quoted oids); 0 when absent. */
static unsigned long quoted_oid(const char *q, const char *prefix)
{
	const char *p = strstr(q, prefix);
	unsigned long v = 0;

	if (!p)
		return 0;
	p += strlen(prefix);
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p) && v < 0xffffffffUL)
		v = v * 10 + (unsigned long)(*p++ - '0');
	return *p == '\'' && v <= 0xffffffffUL ? v : 0;
}

/*
 * psql's name patterns: each "alias.col OPERATOR(pg_catalog.~) '...'"
 * becomes " AND pgpin_regex(alias.col, '...', 0)".  False when a pattern
 * is not a plain literal.
 */
static bool append_patterns(sqlite3_str *s, const char *q)
{
	static const char op[] = " OPERATOR(pg_catalog.~) '";

	for (const char *m = strstr(q, op); m; m = strstr(m + 1, op)) {
		const char *c = m, *l = m + sizeof op - 2, *e = literal_end(l);

		while (c > q && (isalnum((unsigned char)c[-1]) || c[-1] == '_' || c[-1] == '.'))
			c--;
		if (c == m || !e)
			return false;
		sqlite3_str_appendf(s, " AND pgpin_regex(%.*s, %.*s, 0)", (int)(m - c), c,
				    (int)(e - l + 1), l);
	}
	return true;
}

/* Fill out->cols from "name:oid|name:oid|...". */
static int set_cols(struct cat_query *out, const char *spec)
{
	int n = 1;

	for (const char *p = spec; *p; p++)
		n += *p == '|';
	out->cols = calloc((size_t)n, sizeof *out->cols);
	if (!out->cols)
		return -1;
	out->ncols = n;
	for (int i = 0; i < n; i++) {
		const char *end = strchr(spec, '|'), *colon;

		if (!end)
			end = spec + strlen(spec);
		colon = end;
		while (colon > spec && *colon != ':')
			colon--;
		snprintf(out->cols[i].name, DESC_NAME_MAX, "%.*s", (int)(colon - spec), spec);
		out->cols[i].oid = (uint32_t)strtoul(colon + 1, NULL, 10);
		spec = *end ? end + 1 : end;
	}
	return 0;
}

/* Give the query one parameter, of type oid (1, or -1 out of memory). */
static int set_param(struct cat_query *out, uint32_t oid)
{
	out->param_oids = malloc(sizeof *out->param_oids);
	if (!out->param_oids)
		return -1;
	out->param_oids[0] = oid;
	out->nparams = 1;
	return 1;
}

/* One optional column of a psql listing: present when frag is. */
struct opt_col {
	const char *frag;
	const char *expr;
	const char *col;
};

#define OPT_COLS(a) a, sizeof a / sizeof *a

/* Append the optional columns q asks for, in the table's order: ", expr"
 * to sql and "|name:oid" to cols (no separator while cols is empty). */
static void append_opt_cols(sqlite3_str *sql, char *cols, size_t size, const char *q,
			    const struct opt_col *oc, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(cols);

		if (!has(q, oc[i].frag))
			continue;
		sqlite3_str_appendf(sql, "%s%s", len ? ", " : "", oc[i].expr);
		snprintf(cols + len, size - len, "%s%s", len ? "|" : "", oc[i].col);
	}
}

/* psql's fixed filters, each kept when the query has it. */
static const struct {
	const char *frag;
	const char *sql;
} filters[] = {
	{"n.nspname <> 'pg_catalog'", " AND n.nspname <> 'pg_catalog'"},
	{"n.nspname <> 'information_schema'", " AND n.nspname <> 'information_schema'"},
	{"n.nspname !~ '^pg_'", " AND NOT pgpin_regex(n.nspname, '^pg_', 0)"},
	{"r.rolname !~ '^pg_'", " AND NOT pgpin_regex(r.rolname, '^pg_', 0)"},
};

/* The end of a psql query after "WHERE ...": its fixed filters, its name
 * patterns, then ORDER BY order.  0 when a pattern is not a literal. */
static int append_where(sqlite3_str *sql, const char *q, const char *order)
{
	for (size_t i = 0; i < sizeof filters / sizeof *filters; i++)
		if (has(q, filters[i].frag))
			sqlite3_str_appendall(sql, filters[i].sql);
	if (!append_patterns(sql, q))
		return 0;
	sqlite3_str_appendf(sql, " ORDER BY %s", order);
	return 1;
}

struct icept;
typedef int (*icept_fn)(const char *q, const struct icept *ic, sqlite3_str *sql,
			struct cat_query *out);

struct icept {
	const char *name;
	const char *must[3]; /* fragments of the normalised text, all present */
	const char *cols;    /* result columns, when fixed */
	icept_fn build;	     /* appends the SQLite text; 1 done, 0 not ours after all */
	const char *sql;     /* build_select's SELECT, build_by_oid's format */
	const char *order;   /* build_select's ORDER BY */
};

/* Empty answers with the right RowDescription (policies, extended
 * statistics, publications, inheritance, types, functions). */
static int build_empty(const char *q, const struct icept *ic, sqlite3_str *sql,
		       struct cat_query *out)
{
	(void)q;
	(void)ic;
	sqlite3_str_appendall(sql, "SELECT ");
	for (int i = 0; i < out->ncols; i++)
		sqlite3_str_appendall(sql, i ? ", NULL" : "NULL");
	sqlite3_str_appendall(sql, " WHERE 0");
	return 1;
}

/* A psql query that is ic->sql with its filters and patterns (\dn, \du,
 * \d NAME's lookup). */
static int build_select(const char *q, const struct icept *ic, sqlite3_str *sql,
			struct cat_query *out)
{
	(void)out;
	sqlite3_str_appendf(sql, "%s WHERE 1", ic->sql);
	return append_where(sql, q, ic->order);
}

/* \d NAME's queries on one relation (psql's WHERE c.oid = 'NNN'): ic->sql
 * with the oid for its %lu. */
static int build_by_oid(const char *q, const struct icept *ic, sqlite3_str *sql,
			struct cat_query *out)
{
	unsigned long oid = quoted_oid(q, "WHERE c.oid = '");

	(void)out;
	if (!oid)
		return 0;
	sqlite3_str_appendf(sql, ic->sql, oid);
	return 1;
}

static const struct opt_col l_opt_cols[] = {
	{" as \"Size\"", "pg_size_pretty(pg_database_size(d.datname))", "Size:25"},
	{"t.spcname as \"Tablespace\"", "t.spcname", "Tablespace:19"},
	{" as \"Description\"", "NULL", "Description:25"},
};

/* \l and \l+ (Size is this connection's file for every database). */
static int build_psql_l(const char *q, const struct icept *ic, sqlite3_str *sql,
			struct cat_query *out)
{
	char cols[256] = "Name:19|Owner:19|Encoding:19|Collate:25|Ctype:25|ICU Locale:25|"
			 "Locale Provider:25|Access privileges:25";

	(void)ic;
	sqlite3_str_appendall(sql, "SELECT d.datname, pg_get_userbyid(d.datdba), "
				   "pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, "
				   "d.daticulocale, CASE d.datlocprovider WHEN 'c' THEN 'libc' "
				   "WHEN 'i' THEN 'icu' END, d.datacl");
	append_opt_cols(sql, cols, sizeof cols, q, OPT_COLS(l_opt_cols));
	sqlite3_str_appendall(sql, " FROM pg_database d LEFT JOIN pg_tablespace t ON "
				   "d.dattablespace = t.oid WHERE 1");
	if (!append_where(sql, q, "1"))
		return 0;
	return set_cols(out, cols) < 0 ? -1 : 1;
}

static const struct opt_col list_opt_cols[] = {
	{"c2.relname as \"Table\"", "c2.relname", "Table:19"},
	{"END as \"Persistence\"",
	 "CASE c.relpersistence WHEN 'p' THEN 'permanent' WHEN 't' THEN 'temporary' "
	 "WHEN 'u' THEN 'unlogged' END",
	 "Persistence:25"},
	{"am.amname as \"Access method\"", "am.amname", "Access method:19"},
	{" as \"Size\"", "pg_size_pretty(pg_table_size(c.oid))", "Size:25"},
	{" as \"Description\"", "NULL", "Description:25"},
};

/* \d, \dt, \di, \dv, \ds, \dm ... (and + forms): relkinds from the text. */
static int build_psql_list(const char *q, const struct icept *ic, sqlite3_str *sql,
			   struct cat_query *out)
{
	const char *p = strstr(q, "WHERE c.relkind IN (");
	char cols[256] = "Schema:19|Name:19|Type:25|Owner:19";

	(void)ic;
	if (!p)
		return 0;
	sqlite3_str_appendall(
		sql, "SELECT n.nspname, c.relname, CASE c.relkind WHEN 'r' THEN 'table' "
		     "WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN "
		     "'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN "
		     "'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN "
		     "'partitioned index' END, pg_get_userbyid(c.relowner)");
	append_opt_cols(sql, cols, sizeof cols, q, OPT_COLS(list_opt_cols));
	sqlite3_str_appendall(sql, " FROM pg_class c LEFT JOIN pg_namespace n ON n.oid = "
				   "c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam");
	if (has(q, list_opt_cols[0].frag))
		sqlite3_str_appendall(sql, " LEFT JOIN pg_index i ON i.indexrelid = c.oid "
					   "LEFT JOIN pg_class c2 ON i.indrelid = c2.oid");
	sqlite3_str_appendall(sql, " WHERE c.relkind IN (");
	/* copy 'x','y','' after checking each is a one-letter literal */
	for (p += strlen("WHERE c.relkind IN ("); *p != ')'; p++) {
		if (*p == '\'' && p[1] == '\'') {
			sqlite3_str_appendall(sql, "''");
			p++;
		} else if (*p == '\'' && isalpha((unsigned char)p[1]) && p[2] == '\'') {
			sqlite3_str_appendf(sql, "'%c'", p[1]);
			p += 2;
		} else if (*p == ',') {
			sqlite3_str_appendchar(sql, 1, ',');
		} else {
			return 0;
		}
	}
	sqlite3_str_appendchar(sql, 1, ')');
	if (!append_where(sql, q, "1, 2"))
		return 0;
	return set_cols(out, cols) < 0 ? -1 : 1;
}

/* The columns psql's column query may ask for, in the order it asks. */
static const struct opt_col attr_cols[] = {
	{"SELECT a.attname", "a.attname", "attname:19"},
	{"pg_catalog.format_type(a.atttypid, a.atttypmod)", "format_type(a.atttypid, a.atttypmod)",
	 "format_type:25"},
	{"FROM pg_catalog.pg_attrdef d",
	 "(SELECT d.adbin FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND "
	 "d.adnum = a.attnum AND a.atthasdef)",
	 "pg_get_expr:25"},
	{", a.attnotnull", "a.attnotnull", "attnotnull:16"},
	{") AS attcollation", "NULL", "attcollation:19"},
	{", a.attidentity", "a.attidentity", "attidentity:18"},
	{", a.attgenerated", "a.attgenerated", "attgenerated:18"},
	{"END AS is_key",
	 "CASE WHEN a.attnum <= (SELECT i.indnkeyatts FROM pg_index i WHERE "
	 "i.indexrelid = a.attrelid) THEN 'yes' ELSE 'no' END",
	 "is_key:25"},
	{"AS indexdef", "pg_get_indexdef(a.attrelid, a.attnum, 1)", "indexdef:25"},
	{", a.attstorage", "a.attstorage", "attstorage:18"},
	{"a.attcompression AS attcompression", "a.attcompression", "attcompression:18"},
	{"END AS attstattarget", "NULL", "attstattarget:23"},
	{"pg_catalog.col_description(a.attrelid, a.attnum)", "NULL", "col_description:25"},
};

/* \d NAME, third query: the columns. */
static int build_psql_columns(const char *q, const struct icept *ic, sqlite3_str *sql,
			      struct cat_query *out)
{
	unsigned long oid = quoted_oid(q, "WHERE a.attrelid = '");
	char cols[512] = "";

	(void)ic;
	if (!oid || strncmp(q, "SELECT a.attname", 16) || has(q, "attfdwoptions"))
		return 0;
	sqlite3_str_appendall(sql, "SELECT ");
	append_opt_cols(sql, cols, sizeof cols, q, OPT_COLS(attr_cols));
	sqlite3_str_appendf(sql,
			    " FROM pg_attribute a WHERE a.attrelid = %lu AND a.attnum > 0 "
			    "AND NOT a.attisdropped ORDER BY a.attnum",
			    oid);
	return set_cols(out, cols) < 0 ? -1 : 1;
}

/* pgbench: one row (1, NULL, 0) when the table exists, so that it sees an
 * ordinary, unpartitioned pgbench_accounts. */
static int build_pgbench_partitions(const char *q, const struct icept *ic, sqlite3_str *sql,
				    struct cat_query *out)
{
	(void)ic;
	(void)out;
	sqlite3_str_appendall(sql, "SELECT 1, NULL, 0 FROM pg_class c WHERE c.relname = ");
	if (!append_literal_after(sql, q, "where c.relname = '"))
		return 0;
	sqlite3_str_appendall(sql, " AND c.relnamespace = 2200 LIMIT 1");
	return 1;
}

/* asyncpg's typeinfo_tree: the requested types and, recursively, their
 * element types (no domains, ranges or composites exist here). */
static int build_asyncpg_types(const char *q, const struct icept *ic, sqlite3_str *sql,
			       struct cat_query *out)
{
	static const char one[] =
		"SELECT t.oid, n.nspname, t.typname, t.typtype, NULL, t.typelem, e.typdelim, "
		"NULL, NULL, NULL, %s FROM %s JOIN pg_namespace n ON n.oid = t.typnamespace "
		"LEFT JOIN pg_type e ON t.typlen = -1 AND t.typelem <> 0 AND e.oid = t.typelem "
		"WHERE %s";

	(void)q;
	(void)ic;
	sqlite3_str_appendall(sql, "WITH RECURSIVE tree(oid, ns, name, kind, basetype, elemtype, "
				   "elemdelim, range_subtype, attrtypoids, attrnames, depth) AS (");
	sqlite3_str_appendf(sql, one, "0", "pg_type t", "pgpin_oid_in(?1, t.oid)");
	sqlite3_str_appendall(sql, " UNION ALL ");
	sqlite3_str_appendf(sql, one, "tt.depth + 1", "tree tt JOIN pg_type t ON t.oid = tt.elemtype",
			    "tt.elemtype <> 0");
	sqlite3_str_appendall(sql, ") SELECT DISTINCT *, NULL, pgpin_regtype_text(elemtype), NULL "
				   "FROM tree ORDER BY depth DESC");
	return set_param(out, OID_OID_ARRAY);
}

/* kine's bootstrap, typed exactly as PostgreSQL types it. */
static int build_kine_database(const char *q, const struct icept *ic, sqlite3_str *sql,
			       struct cat_query *out)
{
	(void)ic;
	if (strcasecmp(q, "SELECT 1 FROM pg_database WHERE datname = $1"))
		return 0;
	sqlite3_str_appendall(sql, "SELECT 1 FROM pg_database WHERE datname = ?1");
	return set_param(out, OID_NAME);
}

static int build_kine_version(const char *q, const struct icept *ic, sqlite3_str *sql,
			      struct cat_query *out)
{
	(void)ic;
	(void)out;
	if (strcasecmp(q, "select version()"))
		return 0;
	sqlite3_str_appendall(sql, "SELECT version()");
	return 1;
}

static int build_kine_size(const char *q, const struct icept *ic, sqlite3_str *sql,
			   struct cat_query *out)
{
	static const char prefix[] = "SELECT pg_total_relation_size('";
	const char *e;

	(void)ic;
	(void)out;
	if (strncasecmp(q, prefix, sizeof prefix - 1))
		return 0;
	e = literal_end(q + sizeof prefix - 2);
	if (!e || strcmp(e, "')"))
		return 0;
	sqlite3_str_appendall(sql, "SELECT pg_total_relation_size(");
	sqlite3_str_append(sql, q + sizeof prefix - 2, (int)(e - q) - (int)sizeof prefix + 3);
	sqlite3_str_appendall(sql, ")");
	return 1;
}

/*
 * Tried in order, the first whose fragments are all present and whose
 * builder accepts the text wins.  psql 15's \l, \d (list), \dt, \di, \dv,
 * \ds, \dm (and their + forms), \d NAME on tables and views (all nine
 * queries; on an index the lookup, flags and columns), \dn, \du, \dT, \df.
 */
static const struct icept icepts[] = {
	{"kine pg_database", {"pg_database WHERE datname = $1"}, "?column?:23",
	 .build = build_kine_database},
	{"kine version", {"version()"}, "version:25", .build = build_kine_version},
	{"kine size", {"pg_total_relation_size('"}, "pg_total_relation_size:20",
	 .build = build_kine_size},
	{"psql \\l",
	 {"SELECT d.datname as \"Name\",", "FROM pg_catalog.pg_database d",
	  "d.daticulocale as \"ICU Locale\""},
	 NULL, .build = build_psql_l},
	{"psql \\d list",
	 {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind",
	  "FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = "
	  "c.relnamespace"},
	 NULL, .build = build_psql_list},
	{"psql \\d lookup",
	 {"SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN "
	  "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE"},
	 "oid:26|nspname:19|relname:19", .build = build_select,
	 .sql = "SELECT c.oid, n.nspname, c.relname FROM pg_class c "
		"LEFT JOIN pg_namespace n ON n.oid = c.relnamespace",
	 .order = "2, 3"},
	{"psql \\d flags",
	 {"SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, "
	  "c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, ",
	  "FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = "
	  "tc.oid)"},
	 "relchecks:21|relkind:18|relhasindex:16|relhasrules:16|relhastriggers:16|"
	 "relrowsecurity:16|relforcerowsecurity:16|relhasoids:16|relispartition:16|?column?:25|"
	 "reltablespace:26|reloftype:25|relpersistence:18|relreplident:18|amname:19",
	 .build = build_by_oid,
	 .sql = "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, "
		"c.relrowsecurity, c.relforcerowsecurity, 0, c.relispartition, '', "
		"c.reltablespace, '', c.relpersistence, c.relreplident, am.amname "
		"FROM pg_class c LEFT JOIN pg_am am ON c.relam = am.oid WHERE c.oid = %lu"},
	{"psql \\d columns",
	 {"FROM pg_catalog.pg_attribute a WHERE a.attrelid = '",
	  "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"},
	 NULL, .build = build_psql_columns},
	{"psql \\d indexes",
	 {"SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, "
	  "pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),",
	  "FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i"},
	 "relname:19|indisprimary:16|indisunique:16|indisclustered:16|indisvalid:16|"
	 "pg_get_indexdef:25|pg_get_constraintdef:25|contype:18|condeferrable:16|"
	 "condeferred:16|indisreplident:16|reltablespace:26",
	 .build = build_by_oid,
	 .sql = "SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, "
		"i.indisvalid, pg_get_indexdef(i.indexrelid, 0, 1), "
		"pg_get_constraintdef(con.oid, 1), con.contype, con.condeferrable, "
		"con.condeferred, i.indisreplident, c2.reltablespace "
		"FROM pg_class c, pg_class c2, pg_index i LEFT JOIN pg_constraint con ON "
		"(con.conrelid = i.indrelid AND con.conindid = i.indexrelid AND "
		"con.contype IN ('p', 'u', 'x')) "
		"WHERE c.oid = %lu AND c.oid = i.indrelid AND i.indexrelid = c2.oid "
		"ORDER BY i.indisprimary DESC, c2.relname"},
	{"psql \\d policies",
	 {"SELECT pol.polname, pol.polpermissive,", "FROM pg_catalog.pg_policy pol"},
	 "polname:19|polpermissive:16|array_to_string:25|pg_get_expr:25|pg_get_expr:25|cmd:25",
	 .build = build_empty},
	{"psql \\d statistics",
	 {"SELECT oid, stxrelid::pg_catalog.regclass,", "FROM pg_catalog.pg_statistic_ext"},
	 "oid:26|stxrelid:2205|nsp:25|stxname:19|columns:25|ndist_enabled:16|deps_enabled:16|"
	 "mcv_enabled:16|stxstattarget:23",
	 .build = build_empty},
	{"psql \\d publications",
	 {"SELECT pubname , NULL , NULL FROM pg_catalog.pg_publication p",
	  "pg_catalog.pg_relation_is_publishable('"},
	 "pubname:19|?column?:25|?column?:25", .build = build_empty},
	{"psql \\d parents",
	 {"SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i "
	  "WHERE c.oid = i.inhparent AND i.inhrelid = '"},
	 "oid:2205", .build = build_empty},
	{"psql \\d children",
	 {"SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, "
	  "pg_catalog.pg_get_expr(c.relpartbound, c.oid) FROM pg_catalog.pg_class c, "
	  "pg_catalog.pg_inherits i WHERE c.oid = i.inhrelid AND i.inhparent = '"},
	 "oid:2205|relkind:18|inhdetachpending:16|pg_get_expr:25", .build = build_empty},
	{"psql \\dn",
	 {"SELECT n.nspname AS \"Name\", pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\" "
	  "FROM pg_catalog.pg_namespace n"},
	 "Name:19|Owner:19", .build = build_select,
	 .sql = "SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n", .order = "1"},
	{"psql \\du",
	 {"SELECT r.rolname, r.rolsuper, r.rolinherit,",
	  ", r.rolbypassrls FROM pg_catalog.pg_roles r"},
	 "rolname:19|rolsuper:16|rolinherit:16|rolcreaterole:16|rolcreatedb:16|rolcanlogin:16|"
	 "rolconnlimit:23|rolvaliduntil:1184|memberof:1003|rolreplication:16|rolbypassrls:16",
	 .build = build_select,
	 .sql = "SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, "
		"r.rolcanlogin, r.rolconnlimit, r.rolvaliduntil, '{}', r.rolreplication, "
		"r.rolbypassrls FROM pg_roles r",
	 .order = "1"},
	{"psql \\dT",
	 {"pg_catalog.format_type(t.oid, NULL) AS \"Name\", pg_catalog.obj_description(t.oid, "
	  "'pg_type') as \"Description\" FROM pg_catalog.pg_type t"},
	 "Schema:19|Name:25|Description:25", .build = build_empty},
	{"psql \\df",
	 {"p.proname as \"Name\",", "END as \"Type\" FROM pg_catalog.pg_proc p"},
	 "Schema:19|Name:19|Result data type:25|Argument data types:25|Type:25", .build = build_empty},
	{"pgbench partitions",
	 {"select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c",
	  "left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid)"},
	 "n:23|partstrat:18|count:20", .build = build_pgbench_partitions},
	{"asyncpg typeinfo",
	 {"WITH RECURSIVE typeinfo_tree(", "ti.oid = any($1::oid[])"},
	 "oid:26|ns:19|name:19|kind:18|basetype:26|elemtype:26|elemdelim:18|range_subtype:26|"
	 "attrtypoids:1028|attrnames:1009|depth:23|basetype_name:25|elemtype_name:25|"
	 "range_subtype_name:25",
	 .build = build_asyncpg_types},
};

int cat_intercept(const char *pg_sql, size_t len, struct cat_query *out)
{
	char *q = normalize(pg_sql, len);
	int ret = 0;

	memset(out, 0, sizeof *out);
	if (!q)
		return -1;
	for (size_t i = 0; i < sizeof icepts / sizeof icepts[0] && ret == 0; i++) {
		const struct icept *ic = &icepts[i];
		sqlite3_str *sql;
		bool all = true;

		for (int k = 0; k < 3 && ic->must[k] && all; k++)
			all = has(q, ic->must[k]);
		if (!all)
			continue;
		if (ic->cols && set_cols(out, ic->cols) < 0) {
			ret = -1;
			break;
		}
		sql = sqlite3_str_new(NULL);
		ret = ic->build(q, ic, sql, out);
		if (ret == 1) {
			char *s = sqlite3_str_finish(sql);

			out->sql = s ? strdup(s) : NULL;
			sqlite3_free(s);
			if (!out->sql)
				ret = -1;
			snprintf(out->tag, sizeof out->tag, "SELECT");
		} else {
			sqlite3_free(sqlite3_str_finish(sql));
		}
		if (ret != 1)
			cat_query_free(out);
	}
	free(q);
	return ret;
}

void cat_query_free(struct cat_query *q)
{
	free(q->sql);
	free(q->cols);
	free(q->param_oids);
	memset(q, 0, sizeof *q);
}
