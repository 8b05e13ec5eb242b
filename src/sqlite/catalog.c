/*
 * catalog.c - enough of pg_catalog and information_schema, over SQLite's
 * own schema, for psql, pgbench, the drivers' introspection and kine:
 * cat_setup() registers the functions (catalog_func.c) and creates TEMP
 * views (and two TEMP tables) named like the catalog relations, each
 * from one C description that also answers cat_column_type() /
 * cat_table_columns() for describe.c; and the user tables' column types.
 * It does not answer the queries too far from SQLite to run on these
 * views (catalog_intercept.c) nor translate SQL (translate.c).
 */
#include "sqlite/catalog.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sqlite/catalog_int.h"

/* The OID rules of catalog.h, as the views' SQL says them. */
#define REL_OID(alias) "CAST(16384 + " alias ".rowid AS INTEGER)"
#define PKEY_OID(alias) "CAST(8388608 + 16384 + " alias ".rowid AS INTEGER)"
#define CON_OID(index_oid) "16777216 + " index_oid
_Static_assert(CAT_REL_OID_BASE == 16384 && CAT_PKEY_OID_BASE == 8388608 &&
		       CAT_CON_OID_BASE == 16777216,
	       "REL_OID, PKEY_OID and CON_OID follow catalog.h");
/* A table or view of the user's, not one of SQLite's own (sqlite_*). */
#define USER_REL(alias) "substr(" alias ".name, 1, 7) <> 'sqlite_'"

/*
 * Helper views, named pgpin_*, that every catalog view builds on, so that
 * an OID is computed in one place.  SQLite's own tables (sqlite_*) are
 * left out.  An INTEGER PRIMARY KEY is the rowid: SQLite has no index for
 * it, PostgreSQL would have "<table>_pkey", so pgpin_indexes adds one.
 * An inline UNIQUE / PRIMARY KEY constraint's sqlite_autoindex_* gets the
 * name PostgreSQL gives it ("<table>_<cols>_key", "<table>_pkey"), and a
 * unique index named "<table>_pkey" (pgbench's ADD PRIMARY KEY, as the
 * translator emits it) is the primary key.
 */
/*
 * The rowid alias (an INTEGER PRIMARY KEY) of each table of a schema, and
 * the columns of each table and view of a schema with PostgreSQL's types:
 * written once, made for "main" (the catalog's) and for "temp" (TEMP
 * tables, which pg_class does not list but Describe and COPY type alike).
 */
#define ROWID_ALIAS_VIEW(name, schema)                                                 \
	"CREATE TEMP VIEW " name " AS "                                                \
	"SELECT t.name AS tbl, p.name AS col, p.cid AS cid "                           \
	"FROM " schema ".sqlite_schema t, pragma_table_xinfo(t.name, '" schema "') p " \
	"WHERE t.type = 'table' AND " USER_REL("t") " AND p.pk = 1 "                   \
	"AND upper(p.type) = 'INTEGER' "                                               \
	"AND (SELECT count(*) FROM pragma_table_xinfo(t.name, '" schema "') q "        \
	"WHERE q.pk > 0) = 1 "                                                         \
	"AND instr(upper(t.sql), 'WITHOUT ROWID') = 0"

#define COLUMNS_VIEW(name, rowid_view, schema, relid)                                       \
	"CREATE TEMP VIEW " name " AS "                                                     \
	"SELECT " relid " AS attrelid, t.name AS tbl, p.name AS attname, "                  \
	"CASE t.type WHEN 'view' THEN "                                                     \
	"pgpin_view_typeoid(t.name, p.cid, p.type, '" schema "') "                          \
	"ELSE pgpin_typeoid(p.type, a.cid IS NOT NULL, t.sql) END AS atttypid, "            \
	"p.cid + 1 AS attnum, pgpin_typmod(p.type) AS atttypmod, "                          \
	"(p.\"notnull\" OR a.cid IS NOT NULL) AS attnotnull, "                              \
	"CASE WHEN p.dflt_value IS NOT NULL THEN p.dflt_value "                             \
	"WHEN p.hidden IN (2, 3) THEN pgpin_generated_expr(t.sql, p.name) "                 \
	"WHEN a.cid IS NOT NULL AND instr(upper(t.sql), 'AUTOINCREMENT') > 0 "              \
	"THEN 'nextval(''' || t.name || '_' || p.name || '_seq''::regclass)' END AS adbin, " \
	"CASE WHEN p.hidden IN (2, 3) THEN 's' ELSE '' END AS attgenerated, "               \
	"p.type AS decltype "                                                               \
	"FROM " schema ".sqlite_schema t JOIN pragma_table_xinfo(t.name, '" schema "') p "  \
	"LEFT JOIN " rowid_view " a ON a.tbl = t.name AND a.cid = p.cid "                   \
	"WHERE t.type IN ('table', 'view') AND " USER_REL("t") " AND p.hidden <> 1"

static const char *const helper_views[] = {
	ROWID_ALIAS_VIEW("pgpin_rowid_alias", "main"),
	ROWID_ALIAS_VIEW("pgpin_temp_rowid_alias", "temp"),

	"CREATE TEMP VIEW pgpin_indexes AS "
	"SELECT " REL_OID("s") " AS oid, "
	"CASE il.origin WHEN 'pk' THEN t.name || '_pkey' "
	"WHEN 'u' THEN t.name || '_' || (SELECT group_concat(x.name, '_') FROM "
	"(SELECT name FROM pragma_index_info(s.name, 'main') ORDER BY seqno) x) || '_key' "
	"ELSE s.name END AS relname, "
	"s.name AS sqlite_name, t.name AS tbl, " REL_OID("t") " AS tbl_oid, "
	"il.\"unique\" AS isunique, "
	"(il.origin = 'pk' OR (il.\"unique\" AND s.name = t.name || '_pkey')) AS isprimary, "
	"il.origin AS origin, il.partial AS partial, s.sql AS sql, "
	"(SELECT group_concat(CASE WHEN x.cid >= 0 THEN x.cid + 1 ELSE 0 END, ' ') FROM "
	"(SELECT cid FROM pragma_index_xinfo(s.name, 'main') WHERE key = 1 ORDER BY seqno) x) "
	"AS indkey, "
	"(SELECT group_concat(CASE WHEN x.\"desc\" THEN 3 ELSE 0 END, ' ') FROM "
	"(SELECT \"desc\" FROM pragma_index_xinfo(s.name, 'main') WHERE key = 1 "
	"ORDER BY seqno) x) AS indoption, "
	"(SELECT count(*) FROM pragma_index_info(s.name, 'main')) AS natts "
	"FROM main.sqlite_schema t, pragma_index_list(t.name, 'main') il, main.sqlite_schema s "
	"WHERE t.type = 'table' AND " USER_REL("t") " AND s.type = 'index' "
	"AND s.name = il.name "
	"UNION ALL "
	"SELECT " PKEY_OID("t") ", t.name || '_pkey', NULL, t.name, "
	REL_OID("t") ", 1, 1, 'pk', 0, NULL, CAST(a.cid + 1 AS TEXT), '0', 1 "
	"FROM main.sqlite_schema t JOIN pgpin_rowid_alias a ON a.tbl = t.name "
	"WHERE t.type = 'table'",

	"CREATE TEMP VIEW pgpin_rels AS "
	"SELECT " REL_OID("s") " AS oid, s.name AS relname, "
	"CASE s.type WHEN 'table' THEN 'r' ELSE 'v' END AS relkind, 2200 AS nsp, "
	"s.name AS sqlite_name, s.name AS tbl, s.sql AS sql, "
	"(SELECT count(*) FROM pragma_table_xinfo(s.name, 'main') p WHERE p.hidden <> 1) AS natts "
	"FROM main.sqlite_schema s WHERE s.type IN ('table', 'view') "
	"AND " USER_REL("s") " "
	"UNION ALL "
	"SELECT oid, relname, 'i', 2200, sqlite_name, tbl, sql, natts FROM pgpin_indexes "
	"UNION ALL "
	"SELECT column1, column2, 'r', 11, NULL, NULL, NULL, 0 FROM (VALUES "
	"(1247, 'pg_type'), (1249, 'pg_attribute'), (1255, 'pg_proc'), (1259, 'pg_class'), "
	"(1260, 'pg_authid'), (1262, 'pg_database'), (2604, 'pg_attrdef'), "
	"(2606, 'pg_constraint'), (2609, 'pg_description'), (2610, 'pg_index'), "
	"(2615, 'pg_namespace'))",

	COLUMNS_VIEW("pgpin_columns", "pgpin_rowid_alias", "main", REL_OID("t")),
	/* TEMP tables have no OID in pgpin's catalog */
	COLUMNS_VIEW("pgpin_temp_columns", "pgpin_temp_rowid_alias", "temp", "0"),

	/* the key columns of each index, typed as the table's columns */
	"CREATE TEMP VIEW pgpin_index_columns AS "
	"SELECT i.oid AS attrelid, i.tbl AS tbl, c.attname AS attname, c.atttypid AS atttypid, "
	"x.seqno + 1 AS attnum, c.atttypmod AS atttypmod, 0 AS attnotnull, NULL AS adbin, "
	"'' AS attgenerated, c.decltype AS decltype "
	"FROM pgpin_indexes i, pragma_index_xinfo(i.sqlite_name, 'main') x "
	"JOIN pgpin_columns c ON c.tbl = i.tbl AND c.attnum = x.cid + 1 "
	"WHERE i.sqlite_name IS NOT NULL AND x.key = 1 "
	"UNION ALL "
	"SELECT i.oid, i.tbl, c.attname, c.atttypid, 1, c.atttypmod, 0, NULL, '', c.decltype "
	"FROM pgpin_indexes i JOIN pgpin_rowid_alias a ON a.tbl = i.tbl "
	"JOIN pgpin_columns c ON c.tbl = i.tbl AND c.attnum = a.cid + 1 "
	"WHERE i.sqlite_name IS NULL",
};

struct cat_col {
	const char *name;
	uint32_t oid;
	const char *expr; /* views only */
};

struct cat_rel {
	const char *name;
	const char *from; /* NULL: a TEMP TABLE filled from C */
	const struct cat_col *cols;
	int ncols;
};

#define REL(n, f, c) {n, f, c, (int)(sizeof c / sizeof c[0])}
#define EMPTY "(SELECT 1) WHERE 0"
#define ONE_ROW "(SELECT 1)"

static const struct cat_col namespace_cols[] = {
	{"oid", 26, "v.column1"},
	{"nspname", 19, "v.column2"},
	{"nspowner", 26, "10"},
	{"nspacl", 1034, "NULL"},
};

static const struct cat_col class_cols[] = {
	{"oid", 26, "r.oid"},
	{"relname", 19, "r.relname"},
	{"relnamespace", 26, "r.nsp"},
	{"reltype", 26, "0"},
	{"reloftype", 26, "0"},
	{"relowner", 26, "10"},
	{"relam", 26, "CASE r.relkind WHEN 'r' THEN 2 WHEN 'i' THEN 403 ELSE 0 END"},
	{"relfilenode", 26, "CASE r.relkind WHEN 'v' THEN 0 ELSE r.oid END"},
	{"reltablespace", 26, "0"},
	{"relpages", 23, "0"},
	{"reltuples", 700, "-1"},
	{"relallvisible", 23, "0"},
	{"reltoastrelid", 26, "0"},
	{"relhasindex", 16,
	 "(r.relkind = 'r' AND EXISTS (SELECT 1 FROM pgpin_indexes i WHERE i.tbl_oid = r.oid))"},
	{"relisshared", 16, "0"},
	{"relpersistence", 18, "'p'"},
	{"relkind", 18, "r.relkind"},
	{"relnatts", 21, "r.natts"},
	{"relchecks", 21, "0"},
	{"relhasrules", 16, "r.relkind = 'v'"},
	{"relhastriggers", 16, "0"},
	{"relhassubclass", 16, "0"},
	{"relrowsecurity", 16, "0"},
	{"relforcerowsecurity", 16, "0"},
	{"relispopulated", 16, "1"},
	{"relreplident", 18, "CASE r.relkind WHEN 'r' THEN 'd' ELSE 'n' END"},
	{"relispartition", 16, "0"},
	{"relrewrite", 26, "0"},
	{"relfrozenxid", 28, "0"},
	{"relminmxid", 28, "0"},
	{"relacl", 1034, "NULL"},
	{"reloptions", 1009, "NULL"},
	{"relpartbound", 194, "NULL"},
};

static const struct cat_col attribute_cols[] = {
	{"attrelid", 26, "a.attrelid"},
	{"attname", 19, "a.attname"},
	{"atttypid", 26, "a.atttypid"},
	{"attstattarget", 23, "-1"},
	{"attlen", 21, "coalesce(ty.typlen, -1)"},
	{"attnum", 21, "a.attnum"},
	{"attndims", 23, "CASE WHEN ty.typcategory = 'A' THEN 1 ELSE 0 END"},
	{"attcacheoff", 23, "-1"},
	{"atttypmod", 23, "a.atttypmod"},
	{"attbyval", 16, "coalesce(ty.typbyval, 0)"},
	{"attalign", 18, "coalesce(ty.typalign, 'i')"},
	{"attstorage", 18, "coalesce(ty.typstorage, 'x')"},
	{"attcompression", 18, "''"},
	{"attnotnull", 16, "a.attnotnull"},
	{"atthasdef", 16, "a.adbin IS NOT NULL"},
	{"atthasmissing", 16, "0"},
	{"attidentity", 18, "''"},
	{"attgenerated", 18, "a.attgenerated"},
	{"attisdropped", 16, "0"},
	{"attislocal", 16, "1"},
	{"attinhcount", 23, "0"},
	{"attcollation", 26, "coalesce(ty.typcollation, 0)"},
	{"attacl", 1034, "NULL"},
	{"attoptions", 1009, "NULL"},
	{"attfdwoptions", 1009, "NULL"},
};

static const struct cat_col attrdef_cols[] = {
	{"oid", 26, "a.attrelid * 2048 + a.attnum"},
	{"adrelid", 26, "a.attrelid"},
	{"adnum", 21, "a.attnum"},
	{"adbin", 194, "a.adbin"},
};

/* a TEMP TABLE: see cat_type_fill() */
static const struct cat_col type_cols[] = {
	{"oid", 26, NULL},	     {"typname", 19, NULL},	 {"typnamespace", 26, NULL},
	{"typowner", 26, NULL},	     {"typlen", 21, NULL},	 {"typbyval", 16, NULL},
	{"typtype", 18, NULL},	     {"typcategory", 18, NULL},	 {"typispreferred", 16, NULL},
	{"typisdefined", 16, NULL},  {"typdelim", 18, NULL},	 {"typrelid", 26, NULL},
	{"typsubscript", 24, NULL},  {"typelem", 26, NULL},	 {"typarray", 26, NULL},
	{"typinput", 24, NULL},	     {"typoutput", 24, NULL},	 {"typreceive", 24, NULL},
	{"typsend", 24, NULL},	     {"typmodin", 24, NULL},	 {"typmodout", 24, NULL},
	{"typanalyze", 24, NULL},    {"typalign", 18, NULL},	 {"typstorage", 18, NULL},
	{"typnotnull", 16, NULL},    {"typbasetype", 26, NULL},	 {"typtypmod", 23, NULL},
	{"typndims", 23, NULL},	     {"typcollation", 26, NULL}, {"typdefaultbin", 194, NULL},
	{"typdefault", 25, NULL},    {"typacl", 1034, NULL},
};

static const struct cat_col index_cols[] = {
	{"indexrelid", 26, "i.oid"},
	{"indrelid", 26, "i.tbl_oid"},
	{"indnatts", 21, "i.natts"},
	{"indnkeyatts", 21, "i.natts"},
	{"indisunique", 16, "i.isunique"},
	{"indnullsnotdistinct", 16, "0"},
	{"indisprimary", 16, "i.isprimary"},
	{"indisexclusion", 16, "0"},
	{"indimmediate", 16, "1"},
	{"indisclustered", 16, "0"},
	{"indisvalid", 16, "1"},
	{"indcheckxmin", 16, "0"},
	{"indisready", 16, "1"},
	{"indislive", 16, "1"},
	{"indisreplident", 16, "0"},
	{"indkey", 22, "i.indkey"},
	{"indcollation", 30, "replace(i.indoption, '3', '0')"},
	{"indclass", 30, "replace(i.indoption, '3', '0')"},
	{"indoption", 22, "i.indoption"},
	{"indexprs", 194, "NULL"},
	{"indpred", 194, "NULL"},
};

static const struct cat_col constraint_cols[] = {
	{"oid", 26, CON_OID("i.oid")},
	{"conname", 19, "i.relname"},
	{"connamespace", 26, "2200"},
	{"contype", 18, "CASE WHEN i.isprimary THEN 'p' ELSE 'u' END"},
	{"condeferrable", 16, "0"},
	{"condeferred", 16, "0"},
	{"convalidated", 16, "1"},
	{"conrelid", 26, "i.tbl_oid"},
	{"contypid", 26, "0"},
	{"conindid", 26, "i.oid"},
	{"conparentid", 26, "0"},
	{"confrelid", 26, "0"},
	{"confupdtype", 18, "' '"},
	{"confdeltype", 18, "' '"},
	{"confmatchtype", 18, "' '"},
	{"conislocal", 16, "1"},
	{"coninhcount", 23, "0"},
	{"connoinherit", 16, "1"},
	{"conkey", 1005, "'{' || replace(i.indkey, ' ', ',') || '}'"},
	{"confkey", 1005, "NULL"},
	{"conpfeqop", 1028, "NULL"},
	{"conppeqop", 1028, "NULL"},
	{"conffeqop", 1028, "NULL"},
	{"conexclop", 1028, "NULL"},
	{"conbin", 194, "NULL"},
};

/* The one role, the session user, may do anything. */
#define ROLE_NAME_AND_RIGHTS                                                               \
	{"rolname", 19, "current_user()"}, {"rolsuper", 16, "1"}, {"rolinherit", 16, "1"}, \
	{"rolcreaterole", 16, "1"}, {"rolcreatedb", 16, "1"}, {"rolcanlogin", 16, "1"},    \
	{"rolreplication", 16, "1"}

static const struct cat_col roles_cols[] = {
	ROLE_NAME_AND_RIGHTS,
	{"rolconnlimit", 23, "-1"},
	{"rolpassword", 25, "'********'"},
	{"rolvaliduntil", 1184, "NULL"},
	{"rolbypassrls", 16, "1"},
	{"rolconfig", 1009, "NULL"},
	{"oid", 26, "10"},
};

static const struct cat_col authid_cols[] = {
	{"oid", 26, "10"},
	ROLE_NAME_AND_RIGHTS,
	{"rolbypassrls", 16, "1"},
	{"rolconnlimit", 23, "-1"},
	{"rolpassword", 25, "NULL"},
	{"rolvaliduntil", 1184, "NULL"},
};

static const struct cat_col user_cols[] = {
	{"usename", 19, "current_user()"},
	{"usesysid", 26, "10"},
	{"usecreatedb", 16, "1"},
	{"usesuper", 16, "1"},
	{"userepl", 16, "1"},
	{"usebypassrls", 16, "1"},
	{"passwd", 25, "'********'"},
	{"valuntil", 1184, "NULL"},
	{"useconfig", 1009, "NULL"},
};

static const struct cat_col auth_members_cols[] = {
	{"roleid", 26, "0"},
	{"member", 26, "0"},
	{"grantor", 26, "0"},
	{"admin_option", 16, "0"},
};

/* a TEMP TABLE: see cat_refresh_databases() */
static const struct cat_col database_cols[] = {
	{"oid", 26, NULL},	      {"datname", 19, NULL},	   {"datdba", 26, NULL},
	{"encoding", 23, NULL},	      {"datlocprovider", 18, NULL}, {"datistemplate", 16, NULL},
	{"datallowconn", 16, NULL},   {"datconnlimit", 23, NULL},  {"datfrozenxid", 28, NULL},
	{"datminmxid", 28, NULL},     {"dattablespace", 26, NULL}, {"datcollate", 25, NULL},
	{"datctype", 25, NULL},	      {"daticulocale", 25, NULL},  {"datcollversion", 25, NULL},
	{"datacl", 1034, NULL},
};

static const struct cat_col settings_cols[] = {
	{"name", 25, "v.column1"},
	{"setting", 25, "current_setting(v.column1, 1)"},
	{"unit", 25, "NULL"},
	{"category", 25, "''"},
	{"short_desc", 25, "''"},
	{"extra_desc", 25, "NULL"},
	{"context", 25, "'user'"},
	{"vartype", 25, "'string'"},
	{"source", 25, "'default'"},
	{"min_val", 25, "NULL"},
	{"max_val", 25, "NULL"},
	{"enumvals", 1009, "NULL"},
	{"boot_val", 25, "NULL"},
	{"reset_val", 25, "current_setting(v.column1, 1)"},
	{"sourcefile", 25, "NULL"},
	{"sourceline", 23, "NULL"},
	{"pending_restart", 16, "0"},
};

static const struct cat_col am_cols[] = {
	{"oid", 26, "v.column1"},
	{"amname", 19, "v.column2"},
	{"amhandler", 24, "v.column3"},
	{"amtype", 18, "v.column4"},
};

static const struct cat_col proc_cols[] = {
	{"oid", 26, "0"},	      {"proname", 19, "''"},	   {"pronamespace", 26, "0"},
	{"proowner", 26, "0"},	      {"prolang", 26, "0"},	   {"procost", 700, "0"},
	{"prorows", 700, "0"},	      {"provariadic", 26, "0"},	   {"prosupport", 24, "'-'"},
	{"prokind", 18, "'f'"},	      {"prosecdef", 16, "0"},	   {"proleakproof", 16, "0"},
	{"proisstrict", 16, "0"},     {"proretset", 16, "0"},	   {"provolatile", 18, "'v'"},
	{"proparallel", 18, "'u'"},   {"pronargs", 21, "0"},	   {"pronargdefaults", 21, "0"},
	{"prorettype", 26, "0"},      {"proargtypes", 30, "''"},   {"proallargtypes", 1028, "NULL"},
	{"proargmodes", 1002, "NULL"}, {"proargnames", 1009, "NULL"}, {"prosrc", 25, "''"},
};

static const struct cat_col description_cols[] = {
	{"objoid", 26, "0"},
	{"classoid", 26, "0"},
	{"objsubid", 23, "0"},
	{"description", 25, "''"},
};

static const struct cat_col shdescription_cols[] = {
	{"objoid", 26, "0"},
	{"classoid", 26, "0"},
	{"description", 25, "''"},
};

static const struct cat_col inherits_cols[] = {
	{"inhrelid", 26, "0"},
	{"inhparent", 26, "0"},
	{"inhseqno", 23, "0"},
	{"inhdetachpending", 16, "0"},
};

static const struct cat_col partitioned_table_cols[] = {
	{"partrelid", 26, "0"},
	{"partstrat", 18, "''"},
	{"partnatts", 21, "0"},
	{"partdefid", 26, "0"},
};

static const struct cat_col tablespace_cols[] = {
	{"oid", 26, "v.column1"},
	{"spcname", 19, "v.column2"},
	{"spcowner", 26, "10"},
	{"spcacl", 1034, "NULL"},
	{"spcoptions", 1009, "NULL"},
};

static const struct cat_col collation_cols[] = {
	{"oid", 26, "v.column1"},
	{"collname", 19, "v.column2"},
	{"collnamespace", 26, "11"},
	{"collowner", 26, "10"},
	{"collprovider", 18, "v.column3"},
	{"collisdeterministic", 16, "1"},
	{"collencoding", 23, "-1"},
	{"collcollate", 25, "v.column4"},
	{"collctype", 25, "v.column4"},
};

static const struct cat_col extension_cols[] = {
	{"oid", 26, "0"},	   {"extname", 19, "''"},	{"extowner", 26, "0"},
	{"extnamespace", 26, "0"}, {"extrelocatable", 16, "0"}, {"extversion", 25, "''"},
};

static const struct cat_col enum_cols[] = {
	{"oid", 26, "0"},
	{"enumtypid", 26, "0"},
	{"enumsortorder", 700, "0"},
	{"enumlabel", 19, "''"},
};

static const struct cat_col range_cols[] = {
	{"rngtypid", 26, "0"},	   {"rngsubtype", 26, "0"},   {"rngmultitypid", 26, "0"},
	{"rngcollation", 26, "0"}, {"rngsubopc", 26, "0"},    {"rngcanonical", 24, "'-'"},
	{"rngsubdiff", 24, "'-'"},
};

static const struct cat_col trigger_cols[] = {
	{"oid", 26, "0"},	    {"tgrelid", 26, "0"},     {"tgname", 19, "''"},
	{"tgfoid", 26, "0"},	    {"tgtype", 21, "0"},      {"tgenabled", 18, "'O'"},
	{"tgisinternal", 16, "0"},
};

static const struct cat_col stat_activity_cols[] = {
	{"datid", 26, "(SELECT d.oid FROM pg_database d WHERE d.datname = current_database())"},
	{"datname", 19, "current_database()"},
	{"pid", 23, "pg_backend_pid()"},
	{"leader_pid", 23, "NULL"},
	{"usesysid", 26, "10"},
	{"usename", 19, "current_user()"},
	{"application_name", 25, "coalesce(current_setting('application_name', 1), '')"},
	{"client_addr", 869, "NULL"},
	{"client_hostname", 25, "NULL"},
	{"client_port", 23, "NULL"},
	{"backend_start", 1184, "NULL"},
	{"xact_start", 1184, "NULL"},
	{"query_start", 1184, "NULL"},
	{"state_change", 1184, "NULL"},
	{"wait_event_type", 25, "NULL"},
	{"wait_event", 25, "NULL"},
	{"state", 25, "'active'"},
	{"backend_xid", 28, "NULL"},
	{"backend_xmin", 28, "NULL"},
	{"query_id", 20, "NULL"},
	{"query", 25, "''"},
	{"backend_type", 25, "'client backend'"},
};

static const struct cat_col tables_cols[] = {
	{"schemaname", 19, "n.nspname"},
	{"tablename", 19, "c.relname"},
	{"tableowner", 19, "pg_get_userbyid(c.relowner)"},
	{"tablespace", 19, "NULL"},
	{"hasindexes", 16, "c.relhasindex"},
	{"hasrules", 16, "c.relhasrules"},
	{"hastriggers", 16, "c.relhastriggers"},
	{"rowsecurity", 16, "c.relrowsecurity"},
};

static const struct cat_col views_cols[] = {
	{"schemaname", 19, "'public'"},
	{"viewname", 19, "r.relname"},
	{"viewowner", 19, "current_user()"},
	{"definition", 25, "pg_get_viewdef(r.oid)"},
};

static const struct cat_col indexes_cols[] = {
	{"schemaname", 19, "'public'"},
	{"tablename", 19, "i.tbl"},
	{"indexname", 19, "i.relname"},
	{"tablespace", 19, "NULL"},
	{"indexdef", 25, "pg_get_indexdef(i.oid)"},
};

static const struct cat_col is_schemata_cols[] = {
	{"catalog_name", 19, "current_database()"},
	{"schema_name", 19, "n.nspname"},
	{"schema_owner", 19, "current_user()"},
	{"default_character_set_catalog", 19, "NULL"},
	{"default_character_set_schema", 19, "NULL"},
	{"default_character_set_name", 19, "NULL"},
	{"sql_path", 1043, "NULL"},
};

static const struct cat_col is_tables_cols[] = {
	{"table_catalog", 19, "current_database()"},
	{"table_schema", 19, "n.nspname"},
	{"table_name", 19, "r.relname"},
	{"table_type", 1043, "CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'BASE TABLE' END"},
	{"self_referencing_column_name", 19, "NULL"},
	{"reference_generation", 1043, "NULL"},
	{"user_defined_type_catalog", 19, "NULL"},
	{"user_defined_type_schema", 19, "NULL"},
	{"user_defined_type_name", 19, "NULL"},
	{"is_insertable_into", 1043, "'YES'"},
	{"is_typed", 1043, "'NO'"},
	{"commit_action", 1043, "NULL"},
};

static const struct cat_col is_columns_cols[] = {
	{"table_catalog", 19, "current_database()"},
	{"table_schema", 19, "'public'"},
	{"table_name", 19, "a.tbl"},
	{"column_name", 19, "a.attname"},
	{"ordinal_position", 23, "a.attnum"},
	{"column_default", 1043, "CASE WHEN a.attgenerated = '' THEN a.adbin END"},
	{"is_nullable", 1043, "CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END"},
	{"data_type", 1043,
	 "CASE WHEN ty.typcategory = 'A' THEN 'ARRAY' WHEN a.atttypid = 1042 THEN 'character' "
	 "ELSE format_type(a.atttypid, NULL) END"},
	{"character_maximum_length", 23,
	 "CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod > 0 THEN a.atttypmod - 4 END"},
	{"character_octet_length", 23,
	 "CASE WHEN a.atttypid IN (25, 1042, 1043) THEN CASE WHEN a.atttypmod > 0 "
	 "THEN (a.atttypmod - 4) * 4 ELSE 1073741824 END END"},
	{"numeric_precision", 23,
	 "CASE a.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 "
	 "WHEN 701 THEN 53 WHEN 1700 THEN CASE WHEN a.atttypmod > 0 "
	 "THEN ((a.atttypmod - 4) >> 16) & 65535 END END"},
	{"numeric_precision_radix", 23,
	 "CASE WHEN a.atttypid IN (20, 21, 23, 700, 701) THEN 2 WHEN a.atttypid = 1700 "
	 "THEN 10 END"},
	{"numeric_scale", 23,
	 "CASE WHEN a.atttypid IN (20, 21, 23) THEN 0 WHEN a.atttypid = 1700 AND "
	 "a.atttypmod > 0 THEN (a.atttypmod - 4) & 65535 END"},
	{"datetime_precision", 23,
	 "CASE WHEN a.atttypid = 1082 THEN 0 WHEN a.atttypid IN (1083, 1114, 1184, 1186, 1266) "
	 "THEN CASE WHEN a.atttypmod >= 0 THEN a.atttypmod ELSE 6 END END"},
	{"interval_type", 1043, "NULL"},
	{"interval_precision", 23, "NULL"},
	{"collation_name", 19, "NULL"},
	{"domain_catalog", 19, "NULL"},
	{"domain_schema", 19, "NULL"},
	{"domain_name", 19, "NULL"},
	{"udt_catalog", 19, "current_database()"},
	{"udt_schema", 19, "'pg_catalog'"},
	{"udt_name", 19, "ty.typname"},
	{"is_self_referencing", 1043, "'NO'"},
	{"is_identity", 1043, "'NO'"},
	{"is_generated", 1043, "CASE WHEN a.attgenerated <> '' THEN 'ALWAYS' ELSE 'NEVER' END"},
	{"generation_expression", 1043, "CASE WHEN a.attgenerated <> '' THEN a.adbin END"},
	{"is_updatable", 1043, "'YES'"},
};

/* In creation order: a view may only use those above it. */
static const struct cat_rel relations[] = {
	REL("pg_type", NULL, type_cols),
	REL("pg_database", NULL, database_cols),
	REL("pg_namespace",
	    "(VALUES (11, 'pg_catalog'), (99, 'pg_toast'), (2200, 'public'), "
	    "(13165, 'information_schema')) v",
	    namespace_cols),
	REL("pg_class", "pgpin_rels r", class_cols),
	REL("pg_attribute",
	    "(SELECT attrelid, tbl, attname, atttypid, attnum, atttypmod, attnotnull, adbin, "
	    "attgenerated FROM pgpin_columns UNION ALL SELECT attrelid, tbl, attname, atttypid, "
	    "attnum, atttypmod, attnotnull, adbin, attgenerated FROM pgpin_index_columns) a "
	    "LEFT JOIN pg_type ty ON ty.oid = a.atttypid",
	    attribute_cols),
	REL("pg_attrdef", "pgpin_columns a WHERE a.adbin IS NOT NULL", attrdef_cols),
	REL("pg_index", "pgpin_indexes i", index_cols),
	REL("pg_constraint", "pgpin_indexes i WHERE i.isprimary OR i.origin = 'u'",
	    constraint_cols),
	REL("pg_roles", ONE_ROW, roles_cols),
	REL("pg_authid", ONE_ROW, authid_cols),
	REL("pg_user", ONE_ROW, user_cols),
	REL("pg_auth_members", EMPTY, auth_members_cols),
	REL("pg_settings",
	    "(VALUES ('application_name'), ('client_encoding'), ('DateStyle'), "
	    "('default_transaction_isolation'), ('default_transaction_read_only'), "
	    "('extra_float_digits'), ('integer_datetimes'), ('IntervalStyle'), "
	    "('is_superuser'), ('lc_collate'), ('lc_ctype'), ('max_connections'), "
	    "('max_identifier_length'), ('search_path'), ('server_encoding'), "
	    "('server_version'), ('server_version_num'), ('standard_conforming_strings'), "
	    "('statement_timeout'), ('TimeZone'), ('transaction_isolation'), "
	    "('transaction_read_only')) v WHERE current_setting(v.column1, 1) IS NOT NULL",
	    settings_cols),
	REL("pg_am",
	    "(VALUES (2, 'heap', 'heap_tableam_handler', 't'), (403, 'btree', 'bthandler', 'i'), "
	    "(405, 'hash', 'hashhandler', 'i')) v",
	    am_cols),
	REL("pg_proc", EMPTY, proc_cols),
	REL("pg_description", EMPTY, description_cols),
	REL("pg_shdescription", EMPTY, shdescription_cols),
	REL("pg_inherits", EMPTY, inherits_cols),
	REL("pg_partitioned_table", EMPTY, partitioned_table_cols),
	REL("pg_tablespace", "(VALUES (1663, 'pg_default'), (1664, 'pg_global')) v",
	    tablespace_cols),
	REL("pg_collation",
	    "(VALUES (100, 'default', 'd', NULL), (950, 'C', 'c', 'C'), "
	    "(951, 'POSIX', 'c', 'POSIX')) v",
	    collation_cols),
	REL("pg_extension", EMPTY, extension_cols),
	REL("pg_enum", EMPTY, enum_cols),
	REL("pg_range", EMPTY, range_cols),
	REL("pg_trigger", EMPTY, trigger_cols),
	REL("pg_stat_activity", ONE_ROW, stat_activity_cols),
	REL("pg_tables",
	    "pg_class c LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'",
	    tables_cols),
	REL("pg_views", "pgpin_rels r WHERE r.relkind = 'v'", views_cols),
	REL("pg_indexes", "pgpin_indexes i", indexes_cols),
	REL("information_schema.schemata", "pg_namespace n", is_schemata_cols),
	REL("information_schema.tables",
	    "pgpin_rels r LEFT JOIN pg_namespace n ON n.oid = r.nsp WHERE r.relkind IN ('r', 'v')",
	    is_tables_cols),
	REL("information_schema.columns",
	    "pgpin_columns a LEFT JOIN pg_type ty ON ty.oid = a.atttypid", is_columns_cols),
};

#define N_RELATIONS (sizeof relations / sizeof relations[0])

static bool integer_oid(uint32_t oid)
{
	return oid == 16 || oid == 20 || oid == 21 || oid == 23 || oid == 26 || oid == 28 ||
	       oid == 2205 || oid == 2206;
}

/*
 * CREATE TEMP VIEW (or TABLE) text for a relation.  Integer columns are
 * CASTs so that they have INTEGER affinity: psql compares oids with
 * quoted literals (c.oid = '16385'), which SQLite only converts for an
 * operand that has an affinity.
 */
static char *relation_ddl(const struct cat_rel *r)
{
	sqlite3_str *s = sqlite3_str_new(NULL);

	if (!r->from) {
		sqlite3_str_appendf(s, "CREATE TEMP TABLE \"%w\" (", r->name);
		for (int i = 0; i < r->ncols; i++)
			sqlite3_str_appendf(s, "%s\"%w\" %s", i ? ", " : "", r->cols[i].name,
					    integer_oid(r->cols[i].oid)	   ? "INTEGER"
					    : r->cols[i].oid == 700 ? "REAL"
								    : "TEXT");
		sqlite3_str_appendall(s, ")");
		return sqlite3_str_finish(s);
	}
	sqlite3_str_appendf(s, "CREATE TEMP VIEW \"%w\" AS SELECT ", r->name);
	for (int i = 0; i < r->ncols; i++) {
		const struct cat_col *c = &r->cols[i];

		if (integer_oid(c->oid) && strcmp(c->expr, "NULL"))
			sqlite3_str_appendf(s, "%sCAST(%s AS INTEGER) AS \"%w\"", i ? ", " : "",
					    c->expr, c->name);
		else
			sqlite3_str_appendf(s, "%s%s AS \"%w\"", i ? ", " : "", c->expr, c->name);
	}
	sqlite3_str_appendf(s, " FROM %s", r->from);
	return sqlite3_str_finish(s);
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err)
			snprintf(err, errlen, "%s: %.200s", msg ? msg : "out of memory", sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* A database's OID: PostgreSQL's for its initdb databases, otherwise a
 * hash of the name, so that it does not move when others come and go. */
static uint32_t database_oid(const char *name)
{
	uint32_t h = 2166136261u;

	if (!strcmp(name, "template1"))
		return 1;
	if (!strcmp(name, "template0"))
		return 4;
	if (!strcmp(name, "postgres"))
		return 5;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return 24576 + h % 100000000u;
}

int cat_refresh_databases(sqlite3 *db, const struct cat_env *env)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (exec(db, "DELETE FROM temp.pg_database", NULL, 0) < 0)
		return -1;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO temp.pg_database VALUES (?1, ?2, 10, 6, 'c', ?3, 1, "
			       "-1, 0, 1, 1663, 'C', 'C', NULL, NULL, NULL)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < env->n_databases; i++) {
		const char *name = env->databases[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, database_oid(name));
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, !strncmp(name, "template", 8));
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

int cat_setup(sqlite3 *db, const struct cat_env *env, char *err, size_t errlen)
{
	if (cat_func_register(db, env) < 0) {
		snprintf(err, errlen, "registering functions: %s", sqlite3_errmsg(db));
		return -1;
	}
	for (size_t i = 0; i < sizeof helper_views / sizeof helper_views[0]; i++)
		if (exec(db, helper_views[i], err, errlen) < 0)
			return -1;
	for (size_t i = 0; i < N_RELATIONS; i++) {
		char *ddl = relation_ddl(&relations[i]);
		int rc;

		if (!ddl) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rc = exec(db, ddl, err, errlen);
		sqlite3_free(ddl);
		if (rc < 0)
			return -1;
	}
	if (cat_type_fill(db) < 0 || cat_refresh_databases(db, env) < 0) {
		snprintf(err, errlen, "filling the catalog: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static const struct cat_rel *find_relation(const char *name)
{
	for (size_t i = 0; i < N_RELATIONS; i++)
		if (!strcmp(relations[i].name, name))
			return &relations[i];
	return NULL;
}

uint32_t cat_column_type(const char *relation, const char *column)
{
	const struct cat_rel *r = find_relation(relation);

	for (int i = 0; r && i < r->ncols; i++)
		if (!strcmp(r->cols[i].name, column))
			return r->cols[i].oid;
	return 0;
}

int cat_table_columns(const char *relation, char (*names)[DESC_NAME_MAX], uint32_t *oids,
		      int max)
{
	const struct cat_rel *r = find_relation(relation);

	if (!r)
		return -1;
	for (int i = 0; i < r->ncols && i < max; i++) {
		snprintf(names[i], DESC_NAME_MAX, "%s", r->cols[i].name);
		oids[i] = r->cols[i].oid;
	}
	return r->ncols;
}

/* The columns of a user table or view in order, (attname, atttypid) rows;
 * a TEMP one hides a main one of the same name, as in SQLite's own name
 * lookup.  NULL if the statement cannot be prepared (no cat_setup() on db). */
static sqlite3_stmt *user_columns(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db,
			       "SELECT attname, atttypid, attnum FROM pgpin_temp_columns "
			       "WHERE tbl = ?1 COLLATE NOCASE UNION ALL "
			       "SELECT attname, atttypid, attnum FROM pgpin_columns "
			       "WHERE tbl = ?1 COLLATE NOCASE AND NOT EXISTS "
			       "(SELECT 1 FROM temp.sqlite_schema WHERE name = ?1 COLLATE NOCASE "
			       "AND type IN ('table', 'view')) ORDER BY attnum",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	return st;
}

uint32_t cat_user_column_type(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *st = user_columns(db, table);
	uint32_t oid = 0;

	while (st && sqlite3_step(st) == SQLITE_ROW)
		if (!strcasecmp((const char *)sqlite3_column_text(st, 0), column)) {
			oid = (uint32_t)sqlite3_column_int64(st, 1);
			break;
		}
	sqlite3_finalize(st);
	return oid;
}

int cat_user_table_columns(sqlite3 *db, const char *table, char (*names)[DESC_NAME_MAX],
			   uint32_t *oids, int max)
{
	sqlite3_stmt *st = user_columns(db, table);
	int n = 0;

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n < max) {
			snprintf(names[n], DESC_NAME_MAX, "%s", sqlite3_column_text(st, 0));
			oids[n] = (uint32_t)sqlite3_column_int64(st, 1);
		}
		n++;
	}
	sqlite3_finalize(st);
	return n ? n : -1;
}
