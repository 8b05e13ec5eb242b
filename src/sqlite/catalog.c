/*
 * catalog.c - enough of pg_catalog and information_schema, over SQLite's
 * own schema, for psql, pgbench, the drivers' introspection and kine.
 *
 * Three parts, in this order:
 *   1. SQL functions registered on each connection (list below);
 *   2. TEMP views (and two TEMP tables) named like the catalog relations,
 *      built from one C description per relation that also answers
 *      cat_column_type() / cat_table_columns() for describe.c;
 *   3. cat_intercept(): psql's backslash-command queries, pgbench's
 *      partition probe, asyncpg's type introspection and kine's bootstrap
 *      recognised by fragments of their whitespace-normalised text, and
 *      answered with SQLite SQL over the views.
 * It does not translate SQL (translate.c) nor encode values (types.c).
 *
 * Functions: version, current_database, current_catalog, current_user,
 * session_user, current_role, current_schema, current_schemas(bool), now,
 * statement_timestamp, clock_timestamp, transaction_timestamp,
 * pg_backend_pid, current_setting(name[, missing_ok]),
 * set_config(name, value, is_local), pg_sleep(seconds),
 * pg_total_relation_size, pg_relation_size, pg_table_size,
 * pg_indexes_size, pg_database_size, pg_size_pretty, format_type,
 * pg_get_userbyid, pg_table_is_visible, pg_type_is_visible,
 * pg_function_is_visible, obj_description, col_description,
 * shobj_description, pg_get_expr, pg_get_indexdef, pg_get_constraintdef,
 * pg_get_viewdef, pg_encoding_to_char, has_table_privilege,
 * has_schema_privilege, has_database_privilege, pg_is_in_recovery,
 * txid_current, pg_current_xact_id, gen_random_uuid, md5, left, right,
 * quote_ident, pg_my_temp_schema, string_agg (aggregate); and for the
 * translator: pgpin_left, pgpin_right (left/right are SQLite keywords),
 * pgpin_bool(x), pgpin_nonzero(x), pgpin_regex(text, pattern, icase),
 * pgpin_regclass(x) (oid), pgpin_regclass_text(x) (name),
 * pgpin_regtype(x) (oid), pgpin_regtype_text(x) (name); and for the views:
 * pgpin_typeoid(decltype, is_rowid_alias, create_sql),
 * pgpin_view_typeoid(view, cid, decltype), pgpin_typmod(decltype),
 * pgpin_oid_in(array, oid).  array_to_string works on PostgreSQL's text
 * form of arrays, which is how arrays live in SQLite here.
 *
 * Relation sizes come from the dbstat virtual table (pages of the table
 * and, for pg_total_relation_size, of its indexes); pg_database_size is
 * page_count * page_size of the file.
 */
#include "sqlite/catalog.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pcre2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "sqlite/translate.h"
#include "sqlite/types.h"

#define PG_VERSION_STR "15.0"

#if defined(__x86_64__)
#define HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define HOST_ARCH "aarch64"
#elif defined(__arm__)
#define HOST_ARCH "arm"
#else
#define HOST_ARCH "unknown"
#endif

/* ------------------------------------------------------------------ */
/* Part 1: SQL functions                                              */
/* ------------------------------------------------------------------ */

/* Fail the function call with a SQLSTATE (see cat_error_split). */
static void fail(sqlite3_context *ctx, const char *sqlstate, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(sqlite3_context *ctx, const char *sqlstate, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof msg, "[%s] ", sqlstate);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	sqlite3_result_error(ctx, msg, -1);
}

const char *cat_error_split(const char *msg, char sqlstate[6])
{
	if (!msg || msg[0] != '[' || strlen(msg) < 8 || msg[6] != ']' || msg[7] != ' ')
		return NULL;
	for (int i = 1; i <= 5; i++)
		if (!isupper((unsigned char)msg[i]) && !isdigit((unsigned char)msg[i]))
			return NULL;
	memcpy(sqlstate, msg + 1, 5);
	sqlstate[5] = '\0';
	return msg + 8;
}

static const struct cat_env *env_of(sqlite3_context *ctx)
{
	return sqlite3_user_data(ctx);
}

static const char *value_text(sqlite3_value *v)
{
	return (const char *)sqlite3_value_text(v);
}

static void result_str(sqlite3_context *ctx, sqlite3_str *str);

static void fn_version(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[256];

	(void)argc;
	(void)argv;
	snprintf(buf, sizeof buf,
		 "PostgreSQL " PG_VERSION_STR " (pgpin %s on SQLite %s) on " HOST_ARCH
		 "-pc-linux-gnu, compiled by gcc, 64-bit",
		 PACKAGE_VERSION, sqlite3_libversion());
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void fn_database(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_text(ctx, env_of(ctx)->database, -1, SQLITE_STATIC);
}

static void fn_user(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_text(ctx, env_of(ctx)->user, -1, SQLITE_STATIC);
}

static void fn_schema(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_text(ctx, "public", -1, SQLITE_STATIC);
}

/* current_schemas(include_implicit): the search path as a name[] text. */
static void fn_schemas(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_text(ctx, sqlite3_value_int(argv[0]) ? "{pg_catalog,public}" : "{public}",
			    -1, SQLITE_STATIC);
}

/* PostgreSQL's timestamptz text: microseconds with trailing zeros dropped. */
static void fn_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct timeval tv;
	struct tm tm;
	char buf[64];
	size_t n;

	(void)argc;
	(void)argv;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	if (tv.tv_usec) {
		n += (size_t)snprintf(buf + n, sizeof buf - n, ".%06ld", (long)tv.tv_usec);
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
	}
	snprintf(buf + n, sizeof buf - n, "+00");
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void fn_backend_pid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, env_of(ctx)->backend_pid);
}

static void lower_copy(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

static void fn_current_setting(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct cat_env *env = env_of(ctx);
	const char *name = value_text(argv[0]);
	bool missing_ok = argc > 1 && sqlite3_value_int(argv[1]);
	const char *v = NULL;
	char lname[128];

	if (!name) {
		sqlite3_result_null(ctx);
		return;
	}
	lower_copy(lname, sizeof lname, name);
	if (env->get_setting)
		v = env->get_setting(env->arg, lname);
	if (v)
		sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
	else if (missing_ok)
		sqlite3_result_null(ctx);
	else
		fail(ctx, "42704", "unrecognized configuration parameter \"%s\"", name);
}

static void fn_set_config(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct cat_env *env = env_of(ctx);
	const char *name = value_text(argv[0]);
	const char *value = value_text(argv[1]);
	bool local = sqlite3_value_int(argv[2]) != 0;
	const char *now;
	char lname[128];

	(void)argc;
	if (!name) {
		fail(ctx, "22004", "SET requires parameter name");
		return;
	}
	lower_copy(lname, sizeof lname, name);
	if (!env->set_setting || env->set_setting(env->arg, lname, value ? value : "", local) != 0) {
		fail(ctx, "42704", "unrecognized configuration parameter \"%s\"", name);
		return;
	}
	now = env->get_setting ? env->get_setting(env->arg, lname) : value;
	sqlite3_result_text(ctx, now ? now : "", -1, SQLITE_TRANSIENT);
}

/* Sleeps in 10 ms steps so that a CancelRequest ends it promptly. */
static void fn_pg_sleep(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct cat_env *env = env_of(ctx);
	double secs = sqlite3_value_double(argv[0]);
	struct timespec start, now;

	(void)argc;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		double left;

		if (env->cancelled && env->cancelled(env->arg)) {
			sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = secs - ((double)(now.tv_sec - start.tv_sec) +
			       (double)(now.tv_nsec - start.tv_nsec) / 1e9);
		if (!(left > 0))
			break;
		usleep(left > 0.01 ? 10000 : (useconds_t)(left * 1e6) + 1);
	}
	sqlite3_result_null(ctx);
}

/*
 * PostgreSQL's boolean input: any unique prefix of true/false/yes/no,
 * on/off (two letters at least), 1/0, case-insensitive, blanks around.
 * Returns 1, 0, or -1 when not a boolean.
 */
static int parse_bool(const char *s)
{
	char w[8];
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof w)
		return -1;
	for (size_t i = 0; i < n; i++)
		w[i] = (char)tolower((unsigned char)s[i]);
	w[n] = '\0';
	if (!strncmp("true", w, n) || !strncmp("yes", w, n) || !strcmp(w, "1"))
		return 1;
	if (!strncmp("false", w, n) || !strncmp("no", w, n) || !strcmp(w, "0"))
		return 0;
	if (n >= 2 && !strncmp("on", w, n))
		return 1;
	if (n >= 2 && !strncmp("off", w, n))
		return 0;
	return -1;
}

/* pgpin_nonzero(x): x, or 22012 when x is zero (the translator wraps
 * divisors in it: SQLite's x/0 is NULL, PostgreSQL's an error). */
static void fn_nonzero(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	int t = sqlite3_value_numeric_type(argv[0]);
	if ((t == SQLITE_INTEGER && sqlite3_value_int64(argv[0]) == 0) ||
	    (t == SQLITE_FLOAT && sqlite3_value_double(argv[0]) == 0.0)) {
		fail(ctx, "22012", "division by zero");
		return;
	}
	sqlite3_result_value(ctx, argv[0]);
}

static void fn_bool(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s;
	int b;

	(void)argc;
	switch (sqlite3_value_type(argv[0])) {
	case SQLITE_NULL:
		sqlite3_result_null(ctx);
		return;
	case SQLITE_INTEGER:
		sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]));
		return;
	case SQLITE_FLOAT:
		sqlite3_result_int(ctx, sqlite3_value_double(argv[0]) != 0);
		return;
	default:
		s = value_text(argv[0]);
		b = s ? parse_bool(s) : -1;
		if (b < 0)
			fail(ctx, "22P02", "invalid input syntax for type boolean: \"%s\"",
			     s ? s : "");
		else
			sqlite3_result_int(ctx, b);
	}
}

struct regex_cache {
	pcre2_code *code;
	pcre2_match_data *md;
};

static void regex_cache_free(void *p)
{
	struct regex_cache *rc = p;

	pcre2_match_data_free(rc->md);
	pcre2_code_free(rc->code);
	free(rc);
}

/* pgpin_regex(text, pattern, icase): PostgreSQL's ~ and ~*.  The compiled
 * pattern stays in the argument's aux data while the statement runs. */
static void fn_regex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct regex_cache *rc;
	const char *subject = value_text(argv[0]);
	const char *pattern = value_text(argv[1]);
	bool icase = argc > 2 && sqlite3_value_int(argv[2]);
	bool fresh = false;
	int rcode;

	if (!subject || !pattern) {
		sqlite3_result_null(ctx);
		return;
	}
	rc = sqlite3_get_auxdata(ctx, 1);
	if (!rc) {
		int errcode;
		PCRE2_SIZE erroff;

		rc = calloc(1, sizeof *rc);
		if (!rc) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		rc->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
						 (icase ? PCRE2_CASELESS : 0),
					 &errcode, &erroff, NULL);
		if (!rc->code) {
			PCRE2_UCHAR msg[160];

			pcre2_get_error_message(errcode, msg, sizeof msg);
			free(rc);
			fail(ctx, "2201B", "invalid regular expression: %s", (const char *)msg);
			return;
		}
		rc->md = pcre2_match_data_create_from_pattern(rc->code, NULL);
		if (!rc->md) {
			regex_cache_free(rc);
			sqlite3_result_error_nomem(ctx);
			return;
		}
		fresh = true;
	}
	rcode = pcre2_match(rc->code, (PCRE2_SPTR)subject, (PCRE2_SIZE)sqlite3_value_bytes(argv[0]),
			    0, 0, rc->md, NULL);
	sqlite3_result_int(ctx, rcode >= 0);
	/* last: SQLite may run the destructor at once (a pattern that is
	 * not a constant of the statement) */
	if (fresh)
		sqlite3_set_auxdata(ctx, 1, rc, regex_cache_free);
}

/* ----- relations: resolving a regclass argument, sizes ----- */

/* Run a one-row query with one text or integer parameter; returns the
 * first column as int64 in *out.  1 found, 0 no row, -1 error. */
static int query_int(sqlite3 *db, const char *sql, sqlite3_value *arg, const char *targ,
		     sqlite3_int64 *out)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	if (arg)
		sqlite3_bind_value(st, 1, arg);
	else if (targ)
		sqlite3_bind_text(st, 1, targ, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	}
fail:
	sqlite3_finalize(st);
	return ret;
}

/*
 * A regclass input: an integer OID as is; a name ('kine', 'public.kine',
 * '"Kine"') folded as PostgreSQL folds it, looked up in pg_class.
 * Returns the oid, or 0 with the error set on ctx.
 */
static sqlite3_int64 regclass_of(sqlite3_context *ctx, sqlite3_value *v)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	const char *s;
	char name[256];
	size_t n = 0;
	sqlite3_int64 oid = 0;
	int rc;

	if (sqlite3_value_numeric_type(v) == SQLITE_INTEGER)
		return sqlite3_value_int64(v);
	s = value_text(v);
	if (!s)
		return 0;
	if (!strncasecmp(s, "public.", 7))
		s += 7;
	else if (!strncasecmp(s, "pg_catalog.", 11))
		s += 11;
	if (*s == '"') {
		for (s++; *s && n + 1 < sizeof name; s++) {
			if (*s == '"' && s[1] == '"')
				s++;
			else if (*s == '"')
				break;
			name[n++] = *s;
		}
	} else {
		for (; *s && n + 1 < sizeof name; s++)
			name[n++] = (char)tolower((unsigned char)*s);
	}
	name[n] = '\0';
	rc = query_int(db,
		       "SELECT oid FROM pgpin_rels WHERE relname = ?1 "
		       "ORDER BY nsp = 11 DESC LIMIT 1",
		       NULL, name, &oid);
	if (rc < 0)
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
	else if (rc == 0)
		fail(ctx, "42P01", "relation \"%s\" does not exist", value_text(v));
	return rc > 0 ? oid : 0;
}

static void fn_regclass(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_int64 oid;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	oid = regclass_of(ctx, argv[0]);
	if (oid)
		sqlite3_result_int64(ctx, oid);
}

/* The relation's name as regclass output prints it (the OID if unknown). */
static void fn_regclass_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	sqlite3_int64 oid;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	oid = regclass_of(ctx, argv[0]);
	if (!oid)
		return;
	if (sqlite3_prepare_v2(db, "SELECT relname FROM pgpin_rels WHERE oid = ?1", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
		return;
	}
	sqlite3_bind_int64(st, 1, oid);
	if (sqlite3_step(st) == SQLITE_ROW)
		sqlite3_result_value(ctx, sqlite3_column_value(st, 0));
	else
		sqlite3_result_text(ctx, sqlite3_mprintf("%lld", (long long)oid), -1,
				    sqlite3_free);
	sqlite3_finalize(st);
}

/* Sum of dbstat page sizes of the SQLite btrees named by names_sql (a
 * SELECT of names with ?1 = the relation oid). */
static void relation_size(sqlite3_context *ctx, sqlite3_value *arg, const char *names_sql)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	sqlite3_int64 oid;
	char *sql;

	if (sqlite3_value_type(arg) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	oid = regclass_of(ctx, arg);
	if (!oid)
		return;
	sql = sqlite3_mprintf("SELECT coalesce(sum(pgsize), 0) FROM dbstat('main', 1) "
			      "WHERE name IN (%s)",
			      names_sql);
	if (!sql) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
		goto done;
	}
	sqlite3_bind_int64(st, 1, oid);
	if (sqlite3_step(st) == SQLITE_ROW)
		sqlite3_result_int64(ctx, sqlite3_column_int64(st, 0));
	else
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
done:
	sqlite3_finalize(st);
	sqlite3_free(sql);
}

static void fn_relation_size(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	relation_size(ctx, argv[0], "SELECT sqlite_name FROM pgpin_rels WHERE oid = ?1");
}

static void fn_indexes_size(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	relation_size(ctx, argv[0],
		      "SELECT i.sqlite_name FROM pgpin_indexes i WHERE i.tbl_oid = ?1");
}

static void fn_total_relation_size(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	relation_size(ctx, argv[0],
		      "SELECT sqlite_name FROM pgpin_rels WHERE oid = ?1 UNION ALL "
		      "SELECT i.sqlite_name FROM pgpin_indexes i WHERE i.tbl_oid = ?1");
}

static void fn_database_size(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_int64 size = 0;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (query_int(db,
		      "SELECT p.page_count * s.page_size FROM pragma_page_count('main') p, "
		      "pragma_page_size('main') s",
		      NULL, NULL, &size) < 0) {
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
		return;
	}
	sqlite3_result_int64(ctx, size);
}

/* pg_size_pretty(bigint), with PostgreSQL's half-rounding between units. */
static void fn_size_pretty(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
	const sqlite3_int64 limit = 10 * 1024, limit2 = limit * 2 - 1;
	sqlite3_int64 size = sqlite3_value_int64(argv[0]);
	char buf[64];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (llabs(size) < limit) {
		snprintf(buf, sizeof buf, "%lld bytes", (long long)size);
	} else {
		int u = 0;

		size /= 1 << 9; /* half kB: rounded below */
		while (llabs(size) >= limit2 && u < 4) {
			size /= 1 << 10;
			u++;
		}
		snprintf(buf, sizeof buf, "%lld %s",
			 (long long)((size + (size < 0 ? -1 : 1)) / 2), units[u]);
	}
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* ----- types ----- */

struct cat_type {
	uint32_t oid;
	const char *name;	/* typname */
	const char *sqlname;	/* format_type() name */
	int16_t len;
	bool byval;
	char category;
	bool preferred;
	uint32_t elem;
	uint32_t array;
	const char *input;	/* typinput; output/receive/send follow its form */
	char align;
	uint32_t collation;
	char typtype;
};

/* The built-in types clients meet, with PostgreSQL 15's OIDs.  Array
 * types are derived from their element's row ("_" + name). */
static const struct cat_type base_types[] = {
	{16, "bool", "boolean", 1, true, 'B', true, 0, 1000, "boolin", 'c', 0, 'b'},
	{17, "bytea", "bytea", -1, false, 'U', false, 0, 1001, "byteain", 'i', 0, 'b'},
	{18, "char", "\"char\"", 1, true, 'Z', false, 0, 1002, "charin", 'c', 0, 'b'},
	{19, "name", "name", 64, false, 'S', false, 18, 1003, "namein", 'c', 950, 'b'},
	{20, "int8", "bigint", 8, true, 'N', false, 0, 1016, "int8in", 'd', 0, 'b'},
	{21, "int2", "smallint", 2, true, 'N', false, 0, 1005, "int2in", 's', 0, 'b'},
	{22, "int2vector", "int2vector", -1, false, 'A', false, 21, 1006, "int2vectorin", 'i', 0,
	 'b'},
	{23, "int4", "integer", 4, true, 'N', false, 0, 1007, "int4in", 'i', 0, 'b'},
	{24, "regproc", "regproc", 4, true, 'N', false, 0, 1008, "regprocin", 'i', 0, 'b'},
	{25, "text", "text", -1, false, 'S', true, 0, 1009, "textin", 'i', 100, 'b'},
	{26, "oid", "oid", 4, true, 'N', true, 0, 1028, "oidin", 'i', 0, 'b'},
	{27, "tid", "tid", 6, false, 'U', false, 0, 1010, "tidin", 's', 0, 'b'},
	{28, "xid", "xid", 4, true, 'U', false, 0, 1011, "xidin", 'i', 0, 'b'},
	{29, "cid", "cid", 4, true, 'U', false, 0, 1012, "cidin", 'i', 0, 'b'},
	{30, "oidvector", "oidvector", -1, false, 'A', false, 26, 1013, "oidvectorin", 'i', 0,
	 'b'},
	{114, "json", "json", -1, false, 'U', false, 0, 199, "json_in", 'i', 0, 'b'},
	{142, "xml", "xml", -1, false, 'U', false, 0, 143, "xml_in", 'i', 0, 'b'},
	{194, "pg_node_tree", "pg_node_tree", -1, false, 'Z', false, 0, 0, "pg_node_tree_in",
	 'i', 100, 'b'},
	{650, "cidr", "cidr", -1, false, 'I', false, 0, 651, "cidr_in", 'i', 0, 'b'},
	{700, "float4", "real", 4, true, 'N', false, 0, 1021, "float4in", 'i', 0, 'b'},
	{701, "float8", "double precision", 8, true, 'N', true, 0, 1022, "float8in", 'd', 0,
	 'b'},
	{705, "unknown", "unknown", -2, false, 'X', false, 0, 0, "unknownin", 'c', 0, 'p'},
	{790, "money", "money", 8, true, 'N', false, 0, 791, "cash_in", 'd', 0, 'b'},
	{829, "macaddr", "macaddr", 6, false, 'U', false, 0, 1040, "macaddr_in", 'i', 0, 'b'},
	{869, "inet", "inet", -1, false, 'I', true, 0, 1041, "inet_in", 'i', 0, 'b'},
	{1033, "aclitem", "aclitem", 12, false, 'U', false, 0, 1034, "aclitemin", 'i', 0, 'b'},
	{1042, "bpchar", "character", -1, false, 'S', false, 0, 1014, "bpcharin", 'i', 100,
	 'b'},
	{1043, "varchar", "character varying", -1, false, 'S', false, 0, 1015, "varcharin", 'i',
	 100, 'b'},
	{1082, "date", "date", 4, true, 'D', false, 0, 1182, "date_in", 'i', 0, 'b'},
	{1083, "time", "time without time zone", 8, true, 'D', false, 0, 1183, "time_in", 'd', 0,
	 'b'},
	{1114, "timestamp", "timestamp without time zone", 8, true, 'D', false, 0, 1115,
	 "timestamp_in", 'd', 0, 'b'},
	{1184, "timestamptz", "timestamp with time zone", 8, true, 'D', true, 0, 1185,
	 "timestamptz_in", 'd', 0, 'b'},
	{1186, "interval", "interval", 16, false, 'T', true, 0, 1187, "interval_in", 'd', 0,
	 'b'},
	{1266, "timetz", "time with time zone", 12, false, 'D', false, 0, 1270, "timetz_in", 'd',
	 0, 'b'},
	{1560, "bit", "bit", -1, false, 'V', false, 0, 1561, "bit_in", 'i', 0, 'b'},
	{1562, "varbit", "bit varying", -1, false, 'V', true, 0, 1563, "varbit_in", 'i', 0, 'b'},
	{1700, "numeric", "numeric", -1, false, 'N', false, 0, 1231, "numeric_in", 'i', 0, 'b'},
	{2205, "regclass", "regclass", 4, true, 'N', false, 0, 2210, "regclassin", 'i', 0, 'b'},
	{2206, "regtype", "regtype", 4, true, 'N', false, 0, 2211, "regtypein", 'i', 0, 'b'},
	{2249, "record", "record", -1, false, 'P', false, 0, 2287, "record_in", 'd', 0, 'p'},
	{2278, "void", "void", 4, true, 'P', false, 0, 0, "void_in", 'i', 0, 'p'},
	{2950, "uuid", "uuid", 16, false, 'U', false, 0, 2951, "uuid_in", 'c', 0, 'b'},
	{3802, "jsonb", "jsonb", -1, false, 'U', false, 0, 3807, "jsonb_in", 'i', 0, 'b'},
	{4089, "regnamespace", "regnamespace", 4, true, 'N', false, 0, 4090, "regnamespacein",
	 'i', 0, 'b'},
	{4096, "regrole", "regrole", 4, true, 'N', false, 0, 4097, "regrolein", 'i', 0, 'b'},
};

#define N_BASE_TYPES (sizeof base_types / sizeof base_types[0])

static const struct cat_type *base_type(uint32_t oid)
{
	for (size_t i = 0; i < N_BASE_TYPES; i++)
		if (base_types[i].oid == oid)
			return &base_types[i];
	return NULL;
}

/* The element type whose array type is oid, or NULL. */
static const struct cat_type *array_elem(uint32_t oid)
{
	for (size_t i = 0; i < N_BASE_TYPES; i++)
		if (base_types[i].array == oid && oid)
			return &base_types[i];
	return NULL;
}

static const struct cat_type *type_by_name(const char *name)
{
	for (size_t i = 0; i < N_BASE_TYPES; i++)
		if (!strcasecmp(base_types[i].name, name) ||
		    !strcasecmp(base_types[i].sqlname, name))
			return &base_types[i];
	return NULL;
}

/* format_type(oid, typmod) into buf; false for an unknown type. */
static bool format_type(uint32_t oid, int typmod, char *buf, size_t n)
{
	const struct cat_type *t = base_type(oid), *e;
	const char *suffix = "";

	if (!t && (e = array_elem(oid))) {
		t = e;
		suffix = "[]";
	}
	if (!t)
		return false;
	if (typmod >= 0) {
		switch (t->oid) {
		case 1042:
		case 1043:
			if (typmod >= 4) {
				snprintf(buf, n, "%s(%d)%s", t->sqlname, typmod - 4, suffix);
				return true;
			}
			break;
		case 1700:
			if (typmod >= 4) {
				snprintf(buf, n, "numeric(%d,%d)%s", ((typmod - 4) >> 16) & 0xffff,
					 (typmod - 4) & 0xffff, suffix);
				return true;
			}
			break;
		case 1083:
		case 1114:
		case 1184:
		case 1266: {
			/* "timestamp(3) without time zone" */
			const char *sp = strchr(t->sqlname, ' ');
			int w = sp ? (int)(sp - t->sqlname) : (int)strlen(t->sqlname);

			snprintf(buf, n, "%.*s(%d)%s%s", w, t->sqlname, typmod, sp ? sp : "",
				 suffix);
			return true;
		}
		default:
			break;
		}
	}
	if (oid == 1042 && typmod < 0)
		snprintf(buf, n, "bpchar%s", suffix);
	else
		snprintf(buf, n, "%s%s", t->sqlname, suffix);
	return true;
}

static void fn_format_type(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[96];
	int typmod = -1;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL)
		typmod = sqlite3_value_int(argv[1]);
	if (!format_type((uint32_t)sqlite3_value_int64(argv[0]), typmod, buf, sizeof buf))
		snprintf(buf, sizeof buf, "???");
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* pgpin_regtype(x): a type name ('int4', 'integer', 'text[]') or OID. */
static void fn_regtype(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct cat_type *t;
	const char *s;
	char name[64];
	size_t n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (sqlite3_value_numeric_type(argv[0]) == SQLITE_INTEGER) {
		sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]));
		return;
	}
	s = value_text(argv[0]);
	if (!strncasecmp(s, "pg_catalog.", 11))
		s += 11;
	snprintf(name, sizeof name, "%s", s);
	n = strlen(name);
	if (n > 2 && !strcmp(name + n - 2, "[]")) {
		name[n - 2] = '\0';
		t = type_by_name(name);
		if (t && t->array) {
			sqlite3_result_int64(ctx, t->array);
			return;
		}
	} else if ((t = type_by_name(name)) != NULL) {
		sqlite3_result_int64(ctx, t->oid);
		return;
	} else {
		/* "int", "character varying(20)", "timestamp with time zone" */
		uint32_t oid = sqlt_type_oid(name);

		if (oid) {
			sqlite3_result_int64(ctx, oid);
			return;
		}
	}
	fail(ctx, "42704", "type \"%s\" does not exist", s);
}

/* pgpin_regtype_text(oid): regtype output ("integer", "-" for 0). */
static void fn_regtype_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[96];
	sqlite3_int64 oid;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	oid = sqlite3_value_int64(argv[0]);
	if (oid == 0)
		snprintf(buf, sizeof buf, "-");
	else if (!format_type((uint32_t)oid, -1, buf, sizeof buf))
		snprintf(buf, sizeof buf, "%lld", (long long)oid);
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/*
 * pgpin_typeoid(decltype, is_rowid_alias, create_sql): the column type
 * rule shared with the engine (see cat_user_column_type).
 */
static void fn_typeoid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *decl = value_text(argv[0]);
	const char *sql = argc > 2 ? value_text(argv[2]) : NULL;
	uint32_t oid;

	if (argc > 1 && sqlite3_value_int(argv[1])) {
		if (sql && strstr(sql, "/*pgpin:int4*/"))
			oid = OID_INT4;
		else if (sql && strstr(sql, "/*pgpin:int2*/"))
			oid = OID_INT2;
		else
			oid = OID_INT8;
	} else {
		oid = decl && *decl ? pgt_oid_from_decltype(decl) : 0;
		if (!oid)
			oid = OID_TEXT;
	}
	sqlite3_result_int64(ctx, oid);
}

/*
 * pgpin_view_typeoid(view, cid, decltype): a view column's type is its
 * origin column's (a view over kine.id is int8 as kine.id is), found with
 * SQLite's column metadata; decltype's mapping when it has no origin.
 */
static void fn_view_typeoid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	const char *view = value_text(argv[0]);
	int cid = sqlite3_value_int(argv[1]);
	const char *decl = value_text(argv[2]);
	sqlite3_stmt *st = NULL;
	uint32_t oid = 0;
	char *sql;

	(void)argc;
	sql = view ? sqlite3_mprintf("SELECT * FROM main.\"%w\"", view) : NULL;
	if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    cid < sqlite3_column_count(st)) {
		const char *tbl = sqlite3_column_table_name(st, cid);
		const char *col = sqlite3_column_origin_name(st, cid);

		if (tbl && col && strcmp(tbl, view))
			oid = cat_user_column_type(db, tbl, col);
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	if (!oid)
		oid = decl && *decl ? pgt_oid_from_decltype(decl) : 0;
	sqlite3_result_int64(ctx, oid ? oid : OID_TEXT);
}

/* array_to_string(array, delimiter[, null_string]) over PostgreSQL's text
 * form of a one-dimension array ('{a,"b c",NULL}'). */
static void fn_array_to_string(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = value_text(argv[0]);
	const char *sep = value_text(argv[1]);
	const char *nul = argc > 2 ? value_text(argv[2]) : NULL;
	sqlite3_str *out;
	bool first = true;

	if (!s || !sep) {
		sqlite3_result_null(ctx);
		return;
	}
	if (*s != '{') {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	out = sqlite3_str_new(NULL);
	for (s++; *s && *s != '}';) {
		sqlite3_str *item = sqlite3_str_new(NULL);
		bool quoted = *s == '"', is_null;
		char *v;

		if (quoted)
			s++;
		while (*s && (quoted ? *s != '"' : *s != ',' && *s != '}')) {
			if (*s == '\\' && s[1])
				s++;
			sqlite3_str_appendchar(item, 1, *s++);
		}
		if (quoted && *s == '"')
			s++;
		v = sqlite3_str_finish(item);
		is_null = !quoted && v && !strcasecmp(v, "NULL");
		if (!is_null || nul) {
			if (!first)
				sqlite3_str_appendall(out, sep);
			sqlite3_str_appendall(out, is_null ? nul : v ? v : "");
			first = false;
		}
		sqlite3_free(v);
		if (*s == ',')
			s++;
	}
	result_str(ctx, out);
}

/* pgpin_typmod(decltype): atttypmod of "varchar(20)" (24), "char(84)",
 * "numeric(10,2)", "timestamp(3)"; -1 otherwise. */
static void fn_typmod(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *decl = value_text(argv[0]);
	const char *p;
	long a, b = 0;
	char *end;
	uint32_t oid;

	(void)argc;
	if (!decl || !(p = strchr(decl, '('))) {
		sqlite3_result_int(ctx, -1);
		return;
	}
	a = strtol(p + 1, &end, 10);
	if (*end == ',')
		b = strtol(end + 1, &end, 10);
	oid = pgt_oid_from_decltype(decl);
	switch (oid) {
	case OID_VARCHAR:
	case OID_BPCHAR:
		sqlite3_result_int64(ctx, a + 4);
		return;
	case OID_NUMERIC:
		sqlite3_result_int64(ctx, ((a << 16) | b) + 4);
		return;
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ:
	case OID_TIME:
		sqlite3_result_int64(ctx, a);
		return;
	default:
		sqlite3_result_int(ctx, -1);
	}
}

/* ----- arrays ----- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * pgpin_oid_in(array, oid): whether oid is an element of a one-dimension
 * integer array given as PostgreSQL text ('{23,1007}') or binary (the
 * wire format: ndim, flags, elemtype, dims, then length-prefixed items).
 */
static void fn_oid_in(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_int64 want = sqlite3_value_int64(argv[1]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) {
		const unsigned char *p = sqlite3_value_blob(argv[0]);
		size_t n = (size_t)sqlite3_value_bytes(argv[0]), off;
		uint32_t ndim, count = 1;

		if (n < 12)
			goto no;
		ndim = be32(p);
		if (ndim == 0 || ndim > 6 || n < 12 + 8 * (size_t)ndim)
			goto no;
		for (uint32_t d = 0; d < ndim; d++)
			count *= be32(p + 12 + 8 * d);
		off = 12 + 8 * (size_t)ndim;
		for (uint32_t i = 0; i < count && off + 4 <= n; i++) {
			uint32_t len = be32(p + off);
			uint64_t v = 0;

			off += 4;
			if (len == 0xffffffffu)
				continue;
			if (off + len > n)
				break;
			for (uint32_t k = 0; k < len; k++)
				v = v << 8 | p[off + k];
			off += len;
			if ((sqlite3_int64)v == want) {
				sqlite3_result_int(ctx, 1);
				return;
			}
		}
	} else if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
		const char *s = value_text(argv[0]);

		while (s && *s) {
			char *end;
			long long v;

			while (*s && !isdigit((unsigned char)*s) && *s != '-')
				s++;
			if (!*s)
				break;
			v = strtoll(s, &end, 10);
			if (end == s)
				break;
			if (v == want) {
				sqlite3_result_int(ctx, 1);
				return;
			}
			s = end;
		}
	}
no:
	sqlite3_result_int(ctx, 0);
}

/* ----- small catalog functions ----- */

static void fn_userbyid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_int64 oid = sqlite3_value_int64(argv[0]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		sqlite3_result_null(ctx);
	else if (oid == CAT_OID_ROLE)
		sqlite3_result_text(ctx, env_of(ctx)->user, -1, SQLITE_STATIC);
	else
		sqlite3_result_text(ctx, sqlite3_mprintf("unknown (OID=%lld)", (long long)oid),
				    -1, sqlite3_free);
}

static void fn_true(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, 1);
}

static void fn_false(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, 0);
}

static void fn_null(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_null(ctx);
}

/* pg_get_expr(text, relid[, pretty]): our pg_attrdef.adbin already holds
 * the expression's text, so it is its own deparse. */
static void fn_get_expr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_value(ctx, argv[0]);
}

static void fn_encoding_to_char(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_text(ctx, sqlite3_value_int(argv[0]) == 6 ? "UTF8" : "", -1,
			    SQLITE_STATIC);
}

static void fn_zero(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, 0);
}

static atomic_ullong xid_counter = 1000;

static void fn_txid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int64(ctx, (sqlite3_int64)atomic_fetch_add(&xid_counter, 1));
}

static void fn_uuid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char b[16];
	char out[37];
	int n = 0;

	(void)argc;
	(void)argv;
	if (RAND_bytes(b, sizeof b) != 1) {
		fail(ctx, "XX000", "could not generate random values");
		return;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		n += snprintf(out + n, sizeof out - (size_t)n, "%02x", b[i]);
	}
	sqlite3_result_text(ctx, out, 36, SQLITE_TRANSIENT);
}

static void fn_md5(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	const void *p;
	int n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	p = sqlite3_value_type(argv[0]) == SQLITE_BLOB ? sqlite3_value_blob(argv[0])
						       : sqlite3_value_text(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	if (EVP_Digest(p ? p : "", (size_t)n, d, &dn, EVP_md5(), NULL) != 1) {
		fail(ctx, "XX000", "could not compute MD5 hash");
		return;
	}
	for (unsigned int i = 0; i < dn; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	sqlite3_result_text(ctx, hex, (int)(2 * dn), SQLITE_TRANSIENT);
}

/* Byte offset of the k-th UTF-8 character of s (n bytes), or n. */
static int utf8_offset(const unsigned char *s, int n, sqlite3_int64 k)
{
	int i = 0;

	while (i < n && k > 0) {
		i++;
		while (i < n && (s[i] & 0xc0) == 0x80)
			i++;
		k--;
	}
	return i;
}

static int utf8_len(const unsigned char *s, int n)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* left(s, n) and right(s, n), in characters; negative n counts from the
 * other end, as in PostgreSQL. */
static void left_right(sqlite3_context *ctx, sqlite3_value **argv, bool left)
{
	const unsigned char *s = sqlite3_value_text(argv[0]);
	int bytes = sqlite3_value_bytes(argv[0]);
	sqlite3_int64 k = sqlite3_value_int64(argv[1]);
	int chars, from, to;

	if (!s || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	chars = utf8_len(s, bytes);
	if (k < 0)
		k = chars + k < 0 ? 0 : chars + k;
	if (k > chars)
		k = chars;
	if (left) {
		from = 0;
		to = utf8_offset(s, bytes, k);
	} else {
		from = utf8_offset(s, bytes, chars - k);
		to = bytes;
	}
	sqlite3_result_text(ctx, (const char *)s + from, to - from, SQLITE_TRANSIENT);
}

static void fn_left(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	left_right(ctx, argv, true);
}

static void fn_right(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	left_right(ctx, argv, false);
}

/* PostgreSQL's reserved key words (those quote_ident quotes). */
static const char *const reserved_words[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both",
	"case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
	"current_date", "current_role", "current_time", "current_timestamp", "current_user",
	"default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false",
	"fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially",
	"intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
	"null", "offset", "on", "only", "or", "order", "placing", "primary", "references",
	"returning", "select", "session_user", "some", "symmetric", "table", "then", "to",
	"trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
	"window", "with",
};

/* Append s to str, double-quoted if PostgreSQL would quote it. */
static void append_ident(sqlite3_str *str, const char *s)
{
	bool plain = (*s >= 'a' && *s <= 'z') || *s == '_';

	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	for (size_t i = 0; plain && i < sizeof reserved_words / sizeof *reserved_words; i++)
		if (!strcmp(s, reserved_words[i]))
			plain = false;
	if (plain) {
		sqlite3_str_appendall(str, s);
		return;
	}
	sqlite3_str_appendchar(str, 1, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sqlite3_str_appendchar(str, 1, '"');
		sqlite3_str_appendchar(str, 1, *p);
	}
	sqlite3_str_appendchar(str, 1, '"');
}

static void result_str(sqlite3_context *ctx, sqlite3_str *str)
{
	int n = sqlite3_str_length(str);
	char *s = sqlite3_str_finish(str);

	if (!s && n == 0)
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
	else if (!s)
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, s, n, sqlite3_free);
}

static void fn_quote_ident(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_str *str;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	str = sqlite3_str_new(NULL);
	append_ident(str, value_text(argv[0]));
	result_str(ctx, str);
}

/* ----- index and constraint definitions ----- */

/*
 * Append the column list "(name, id DESC)" of an index: from
 * pragma_index_xinfo for a SQLite index, or the rowid-alias column for the
 * synthesized "<table>_pkey".  Returns false when the index is unknown.
 */
static bool append_index_columns(sqlite3 *db, sqlite3_int64 idx_oid, sqlite3_str *str,
				 int only_col)
{
	static const char sql[] =
		"SELECT coalesce(x.name, CASE WHEN x.cid = -1 THEN 'rowid' ELSE 'expr' END), "
		"x.\"desc\" FROM pgpin_indexes i, pragma_index_xinfo(i.sqlite_name, 'main') x "
		"WHERE i.oid = ?1 AND x.key = 1 "
		"UNION ALL SELECT a.col, 0 FROM pgpin_indexes i JOIN pgpin_rowid_alias a "
		"ON a.tbl = i.tbl WHERE i.oid = ?1 AND i.sqlite_name IS NULL";
	sqlite3_stmt *st = NULL;
	int k = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, idx_oid);
	if (!only_col)
		sqlite3_str_appendchar(str, 1, '(');
	while (sqlite3_step(st) == SQLITE_ROW) {
		k++;
		if (only_col && k != only_col)
			continue;
		if (!only_col && k > 1)
			sqlite3_str_appendall(str, ", ");
		append_ident(str, (const char *)sqlite3_column_text(st, 0));
		if (!only_col && sqlite3_column_int(st, 1))
			sqlite3_str_appendall(str, " DESC");
	}
	if (!only_col)
		sqlite3_str_appendchar(str, 1, ')');
	sqlite3_finalize(st);
	return k > 0;
}

/* The WHERE predicate of a partial index's CREATE text, or NULL. */
static const char *partial_predicate(const char *sql)
{
	const char *last = NULL;
	int depth = 0;
	char q = 0;

	for (const char *p = sql; p && *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '\'' || *p == '"')
			q = *p;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && !strncasecmp(p, "where", 5) && p > sql &&
			 isspace((unsigned char)p[-1]) && isspace((unsigned char)p[5]))
			last = p + 6;
	}
	while (last && isspace((unsigned char)*last))
		last++;
	return last;
}

/* pg_get_indexdef(oid[, column, pretty]): PostgreSQL's CREATE INDEX text,
 * or with a column number, that column's name. */
static void fn_get_indexdef(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	sqlite3_int64 oid = sqlite3_value_int64(argv[0]);
	int col = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
	sqlite3_str *str = NULL;
	const char *pred;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		goto null;
	if (sqlite3_prepare_v2(db,
			       "SELECT relname, tbl, isunique, sql, partial FROM pgpin_indexes "
			       "WHERE oid = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
		return;
	}
	sqlite3_bind_int64(st, 1, oid);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto null;
	str = sqlite3_str_new(NULL);
	if (col > 0) {
		append_index_columns(db, oid, str, col);
	} else {
		sqlite3_str_appendall(str, sqlite3_column_int(st, 2) ? "CREATE UNIQUE INDEX "
								     : "CREATE INDEX ");
		append_ident(str, (const char *)sqlite3_column_text(st, 0));
		sqlite3_str_appendall(str, " ON public.");
		append_ident(str, (const char *)sqlite3_column_text(st, 1));
		sqlite3_str_appendall(str, " USING btree ");
		append_index_columns(db, oid, str, 0);
		pred = sqlite3_column_int(st, 4)
			       ? partial_predicate((const char *)sqlite3_column_text(st, 3))
			       : NULL;
		if (pred)
			sqlite3_str_appendf(str, " WHERE (%s)", pred);
	}
	sqlite3_finalize(st);
	result_str(ctx, str);
	return;
null:
	sqlite3_finalize(st);
	sqlite3_result_null(ctx);
}

/* pg_get_constraintdef(oid[, pretty]) for the primary key and UNIQUE
 * constraints pg_constraint lists. */
static void fn_get_constraintdef(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	sqlite3_int64 oid = sqlite3_value_int64(argv[0]);
	sqlite3_str *str;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (sqlite3_prepare_v2(db, "SELECT contype, conindid FROM pg_constraint WHERE oid = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
		return;
	}
	sqlite3_bind_int64(st, 1, oid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		sqlite3_result_null(ctx);
		return;
	}
	str = sqlite3_str_new(NULL);
	sqlite3_str_appendall(str, *(const char *)sqlite3_column_text(st, 0) == 'p'
					   ? "PRIMARY KEY "
					   : "UNIQUE ");
	append_index_columns(db, sqlite3_column_int64(st, 1), str, 0);
	sqlite3_finalize(st);
	result_str(ctx, str);
}

/* pg_get_viewdef(oid[, pretty]): the SELECT of the view's CREATE text. */
static void fn_get_viewdef(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	const char *sql, *p;

	(void)argc;
	if (sqlite3_prepare_v2(db, "SELECT sql FROM pgpin_rels WHERE oid = ?1 AND relkind = 'v'",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
		return;
	}
	sqlite3_bind_value(st, 1, argv[0]);
	if (sqlite3_step(st) == SQLITE_ROW && (sql = (const char *)sqlite3_column_text(st, 0))) {
		/* the first top-level " AS " ends the view's name and column list */
		for (p = sql; *p; p++)
			if (!strncasecmp(p, " AS", 3) && isspace((unsigned char)p[3]))
				break;
		p = *p ? p + 4 : sql;
		while (isspace((unsigned char)*p))
			p++;
		sqlite3_result_text(ctx, sqlite3_mprintf(" %s;", p), -1, sqlite3_free);
	} else {
		sqlite3_result_null(ctx);
	}
	sqlite3_finalize(st);
}

/* ----- string_agg(value, delimiter) ----- */

struct agg_str {
	sqlite3_str *str;
	bool any;
};

static void string_agg_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct agg_str *a = sqlite3_aggregate_context(ctx, sizeof *a);

	(void)argc;
	if (!a) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	if (!a->str)
		a->str = sqlite3_str_new(sqlite3_context_db_handle(ctx));
	if (a->any && sqlite3_value_type(argv[1]) != SQLITE_NULL)
		sqlite3_str_appendall(a->str, value_text(argv[1]));
	sqlite3_str_appendall(a->str, value_text(argv[0]));
	a->any = true;
}

static void string_agg_final(sqlite3_context *ctx)
{
	struct agg_str *a = sqlite3_aggregate_context(ctx, 0);

	if (!a || !a->any) {
		if (a && a->str)
			sqlite3_free(sqlite3_str_finish(a->str));
		sqlite3_result_null(ctx);
		return;
	}
	result_str(ctx, a->str);
}

/* ----- registration ----- */

struct fn_def {
	const char *name;
	int nargs;
	bool deterministic;
	void (*fn)(sqlite3_context *, int, sqlite3_value **);
};

static const struct fn_def functions[] = {
	{"version", 0, true, fn_version},
	{"current_database", 0, true, fn_database},
	{"current_catalog", 0, true, fn_database},
	{"current_user", 0, true, fn_user},
	{"session_user", 0, true, fn_user},
	{"current_role", 0, true, fn_user},
	{"current_schema", 0, true, fn_schema},
	{"current_schemas", 1, true, fn_schemas},
	{"now", 0, false, fn_now},
	{"statement_timestamp", 0, false, fn_now},
	{"clock_timestamp", 0, false, fn_now},
	{"transaction_timestamp", 0, false, fn_now},
	{"pg_backend_pid", 0, true, fn_backend_pid},
	{"current_setting", 1, false, fn_current_setting},
	{"current_setting", 2, false, fn_current_setting},
	{"set_config", 3, false, fn_set_config},
	{"pg_sleep", 1, false, fn_pg_sleep},
	{"pg_total_relation_size", 1, false, fn_total_relation_size},
	{"pg_relation_size", 1, false, fn_relation_size},
	{"pg_relation_size", 2, false, fn_relation_size},
	{"pg_table_size", 1, false, fn_relation_size},
	{"pg_indexes_size", 1, false, fn_indexes_size},
	{"pg_database_size", 1, false, fn_database_size},
	{"pg_size_pretty", 1, true, fn_size_pretty},
	{"pgpin_bool", 1, true, fn_bool},
	{"pgpin_nonzero", 1, true, fn_nonzero},
	{"pgpin_regex", 2, true, fn_regex},
	{"pgpin_regex", 3, true, fn_regex},
	{"pgpin_regclass", 1, false, fn_regclass},
	{"pgpin_regclass_text", 1, false, fn_regclass_text},
	{"pgpin_regtype", 1, true, fn_regtype},
	{"pgpin_regtype_text", 1, true, fn_regtype_text},
	{"pgpin_typeoid", 3, true, fn_typeoid},
	{"pgpin_typmod", 1, true, fn_typmod},
	{"pgpin_view_typeoid", 3, false, fn_view_typeoid},
	{"array_to_string", 2, true, fn_array_to_string},
	{"array_to_string", 3, true, fn_array_to_string},
	{"pgpin_oid_in", 2, true, fn_oid_in},
	{"format_type", 2, true, fn_format_type},
	{"pg_get_userbyid", 1, true, fn_userbyid},
	{"pg_table_is_visible", 1, true, fn_true},
	{"pg_type_is_visible", 1, true, fn_true},
	{"pg_function_is_visible", 1, true, fn_true},
	{"obj_description", 1, true, fn_null},
	{"obj_description", 2, true, fn_null},
	{"col_description", 2, true, fn_null},
	{"shobj_description", 2, true, fn_null},
	{"pg_get_expr", 2, true, fn_get_expr},
	{"pg_get_expr", 3, true, fn_get_expr},
	{"pg_get_indexdef", 1, false, fn_get_indexdef},
	{"pg_get_indexdef", 3, false, fn_get_indexdef},
	{"pg_get_constraintdef", 1, false, fn_get_constraintdef},
	{"pg_get_constraintdef", 2, false, fn_get_constraintdef},
	{"pg_get_viewdef", 1, false, fn_get_viewdef},
	{"pg_get_viewdef", 2, false, fn_get_viewdef},
	{"pg_encoding_to_char", 1, true, fn_encoding_to_char},
	{"has_table_privilege", 2, true, fn_true},
	{"has_table_privilege", 3, true, fn_true},
	{"has_schema_privilege", 2, true, fn_true},
	{"has_schema_privilege", 3, true, fn_true},
	{"has_database_privilege", 2, true, fn_true},
	{"has_database_privilege", 3, true, fn_true},
	{"pg_is_in_recovery", 0, true, fn_false},
	{"pg_my_temp_schema", 0, true, fn_zero},
	{"txid_current", 0, false, fn_txid},
	{"pg_current_xact_id", 0, false, fn_txid},
	{"gen_random_uuid", 0, false, fn_uuid},
	{"md5", 1, true, fn_md5},
	{"left", 2, true, fn_left},
	{"right", 2, true, fn_right},
	/* LEFT and RIGHT are join keywords to SQLite: the translator calls these */
	{"pgpin_left", 2, true, fn_left},
	{"pgpin_right", 2, true, fn_right},
	{"quote_ident", 1, true, fn_quote_ident},
};

static int register_functions(sqlite3 *db, const struct cat_env *env)
{
	for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
		const struct fn_def *f = &functions[i];
		int flags = SQLITE_UTF8 | (f->deterministic ? SQLITE_DETERMINISTIC : 0);

		/* none of them writes or leaks anything a view must not see */
		flags |= SQLITE_INNOCUOUS;
		if (sqlite3_create_function_v2(db, f->name, f->nargs, flags, (void *)env, f->fn,
					       NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	}
	if (sqlite3_create_function_v2(db, "string_agg", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS,
				       (void *)env, NULL, string_agg_step, string_agg_final,
				       NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Part 2: catalog relations                                          */
/* ------------------------------------------------------------------ */

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
static const char *const helper_views[] = {
	"CREATE TEMP VIEW pgpin_rowid_alias AS "
	"SELECT t.name AS tbl, p.name AS col, p.cid AS cid "
	"FROM main.sqlite_schema t, pragma_table_xinfo(t.name, 'main') p "
	"WHERE t.type = 'table' AND substr(t.name, 1, 7) <> 'sqlite_' AND p.pk = 1 "
	"AND upper(p.type) = 'INTEGER' "
	"AND (SELECT count(*) FROM pragma_table_xinfo(t.name, 'main') q WHERE q.pk > 0) = 1 "
	"AND instr(upper(t.sql), 'WITHOUT ROWID') = 0",

	"CREATE TEMP VIEW pgpin_indexes AS "
	"SELECT CAST(16384 + s.rowid AS INTEGER) AS oid, "
	"CASE il.origin WHEN 'pk' THEN t.name || '_pkey' "
	"WHEN 'u' THEN t.name || '_' || (SELECT group_concat(x.name, '_') FROM "
	"(SELECT name FROM pragma_index_info(s.name, 'main') ORDER BY seqno) x) || '_key' "
	"ELSE s.name END AS relname, "
	"s.name AS sqlite_name, t.name AS tbl, CAST(16384 + t.rowid AS INTEGER) AS tbl_oid, "
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
	"WHERE t.type = 'table' AND substr(t.name, 1, 7) <> 'sqlite_' AND s.type = 'index' "
	"AND s.name = il.name "
	"UNION ALL "
	"SELECT CAST(8388608 + 16384 + t.rowid AS INTEGER), t.name || '_pkey', NULL, t.name, "
	"CAST(16384 + t.rowid AS INTEGER), 1, 1, 'pk', 0, NULL, CAST(a.cid + 1 AS TEXT), '0', 1 "
	"FROM main.sqlite_schema t JOIN pgpin_rowid_alias a ON a.tbl = t.name "
	"WHERE t.type = 'table'",

	"CREATE TEMP VIEW pgpin_rels AS "
	"SELECT CAST(16384 + s.rowid AS INTEGER) AS oid, s.name AS relname, "
	"CASE s.type WHEN 'table' THEN 'r' ELSE 'v' END AS relkind, 2200 AS nsp, "
	"s.name AS sqlite_name, s.name AS tbl, s.sql AS sql, "
	"(SELECT count(*) FROM pragma_table_xinfo(s.name, 'main') p WHERE p.hidden <> 1) AS natts "
	"FROM main.sqlite_schema s WHERE s.type IN ('table', 'view') "
	"AND substr(s.name, 1, 7) <> 'sqlite_' "
	"UNION ALL "
	"SELECT oid, relname, 'i', 2200, sqlite_name, tbl, sql, natts FROM pgpin_indexes "
	"UNION ALL "
	"SELECT column1, column2, 'r', 11, NULL, NULL, NULL, 0 FROM (VALUES "
	"(1247, 'pg_type'), (1249, 'pg_attribute'), (1255, 'pg_proc'), (1259, 'pg_class'), "
	"(1260, 'pg_authid'), (1262, 'pg_database'), (2604, 'pg_attrdef'), "
	"(2606, 'pg_constraint'), (2609, 'pg_description'), (2610, 'pg_index'), "
	"(2615, 'pg_namespace'))",

	"CREATE TEMP VIEW pgpin_columns AS "
	"SELECT CAST(16384 + t.rowid AS INTEGER) AS attrelid, t.name AS tbl, p.name AS attname, "
	"CASE t.type WHEN 'view' THEN pgpin_view_typeoid(t.name, p.cid, p.type) "
	"ELSE pgpin_typeoid(p.type, a.cid IS NOT NULL, t.sql) END AS atttypid, "
	"p.cid + 1 AS attnum, "
	"pgpin_typmod(p.type) AS atttypmod, (p.\"notnull\" OR a.cid IS NOT NULL) AS attnotnull, "
	"CASE WHEN p.dflt_value IS NOT NULL THEN p.dflt_value "
	"WHEN a.cid IS NOT NULL AND instr(upper(t.sql), 'AUTOINCREMENT') > 0 "
	"THEN 'nextval(''' || t.name || '_' || p.name || '_seq''::regclass)' END AS adbin, "
	"CASE WHEN p.hidden IN (2, 3) THEN 's' ELSE '' END AS attgenerated, p.type AS decltype "
	"FROM main.sqlite_schema t JOIN pragma_table_xinfo(t.name, 'main') p "
	"LEFT JOIN pgpin_rowid_alias a ON a.tbl = t.name AND a.cid = p.cid "
	"WHERE t.type IN ('table', 'view') AND substr(t.name, 1, 7) <> 'sqlite_' "
	"AND p.hidden <> 1",

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

/* a TEMP TABLE: see fill_types() */
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
	{"oid", 26, "16777216 + i.oid"},
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

static const struct cat_col roles_cols[] = {
	{"rolname", 19, "current_user()"},
	{"rolsuper", 16, "1"},
	{"rolinherit", 16, "1"},
	{"rolcreaterole", 16, "1"},
	{"rolcreatedb", 16, "1"},
	{"rolcanlogin", 16, "1"},
	{"rolreplication", 16, "1"},
	{"rolconnlimit", 23, "-1"},
	{"rolpassword", 25, "'********'"},
	{"rolvaliduntil", 1184, "NULL"},
	{"rolbypassrls", 16, "1"},
	{"rolconfig", 1009, "NULL"},
	{"oid", 26, "10"},
};

static const struct cat_col authid_cols[] = {
	{"oid", 26, "10"},
	{"rolname", 19, "current_user()"},
	{"rolsuper", 16, "1"},
	{"rolinherit", 16, "1"},
	{"rolcreaterole", 16, "1"},
	{"rolcreatedb", 16, "1"},
	{"rolcanlogin", 16, "1"},
	{"rolreplication", 16, "1"},
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
	{"column_default", 1043, "a.adbin"},
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
	{"generation_expression", 1043, "NULL"},
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

/* The regproc names of a type's I/O functions, from its input's form. */
static void io_name(const char *input, const char *what, char *buf, size_t n)
{
	size_t len = strlen(input);

	if (len > 3 && !strcmp(input + len - 3, "_in"))
		snprintf(buf, n, "%.*s_%s", (int)(len - 3), input, what);
	else
		snprintf(buf, n, "%.*s%s", (int)(len - 2), input, what);
}

static int insert_type(sqlite3_stmt *st, const struct cat_type *t, bool array)
{
	char out[64], recv[64], send[64];
	const char *input = array ? "array_in" : t->input;
	char name[72];
	int k = 1;

	io_name(input, "out", out, sizeof out);
	io_name(input, "recv", recv, sizeof recv);
	io_name(input, "send", send, sizeof send);
	snprintf(name, sizeof name, "%s%s", array ? "_" : "", t->name);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, k++, array ? t->array : t->oid);
	sqlite3_bind_text(st, k++, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, k++, 11);
	sqlite3_bind_int(st, k++, 10);
	sqlite3_bind_int(st, k++, array ? -1 : t->len);
	sqlite3_bind_int(st, k++, array ? 0 : t->byval);
	sqlite3_bind_text(st, k++, array ? "b" : (char[]){t->typtype, 0}, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, array ? "A" : (char[]){t->category, 0}, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, k++, array ? 0 : t->preferred);
	sqlite3_bind_int(st, k++, 1);
	sqlite3_bind_text(st, k++, ",", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_text(st, k++,
			  array || t->elem ? (t->len == -1 || array ? "array_subscript_handler"
								  : "raw_array_subscript_handler")
					   : "-",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, k++, array ? t->oid : t->elem);
	sqlite3_bind_int64(st, k++, array ? 0 : t->array);
	sqlite3_bind_text(st, k++, input, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, out, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, recv, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, send, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, array ? "array_typanalyze" : "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, array && t->align == 'd' ? "d" : array ? "i"
							  : (char[]){t->align, 0},
			  -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, array || t->len == -1 ? "x" : "p", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_int(st, k++, -1);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_int64(st, k++, t->collation);
	sqlite3_bind_null(st, k++);
	sqlite3_bind_null(st, k++);
	sqlite3_bind_null(st, k++);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int fill_types(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO temp.pg_type VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < N_BASE_TYPES; i++) {
		if (insert_type(st, &base_types[i], false) < 0)
			goto fail;
		if (base_types[i].array && insert_type(st, &base_types[i], true) < 0)
			goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
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
	if (register_functions(db, env) < 0) {
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
	if (fill_types(db) < 0 || cat_refresh_databases(db, env) < 0) {
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

static const char user_columns_sql[] =
	"SELECT attname, atttypid FROM pgpin_columns WHERE tbl = ?1 COLLATE NOCASE "
	"ORDER BY attnum";

uint32_t cat_user_column_type(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *st = NULL;
	uint32_t oid = 0;

	if (sqlite3_prepare_v2(db, user_columns_sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
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
	sqlite3_stmt *st = NULL;
	int n = 0;

	if (sqlite3_prepare_v2(db, user_columns_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
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

/* ------------------------------------------------------------------ */
/* Part 3: intercepted catalog queries                                */
/* ------------------------------------------------------------------ */

/*
 * Works for psql 15's \l, \d (list), \dt, \di, \dv, \ds, \dm (and their +
 * forms), \d NAME on tables and views (all nine queries; on an index the
 * lookup, flags and columns), \dn, \du, \dT, \df; pgbench's partition
 * probe; asyncpg's typeinfo_tree introspection; kine's bootstrap
 * statements.  Other catalog queries go to the translator.
 */

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

struct icept;
typedef int (*icept_fn)(const char *q, const struct icept *ic, sqlite3_str *sql,
			struct cat_query *out);

struct icept {
	const char *name;
	const char *must[3]; /* fragments of the normalised text, all present */
	const char *cols;    /* result columns, when fixed */
	icept_fn build;	     /* appends the SQLite text; 1 done, 0 not ours after all */
};

/* Empty answers with the right RowDescription (policies, extended
 * statistics, publications, inheritance, types, functions). */
static int build_empty(const char *q, const struct icept *ic, sqlite3_str *sql,
		       struct cat_query *out)
{
	(void)q;
	sqlite3_str_appendall(sql, "SELECT ");
	for (int i = 0; i < out->ncols; i++)
		sqlite3_str_appendall(sql, i ? ", NULL" : "NULL");
	sqlite3_str_appendall(sql, " WHERE 0");
	(void)ic;
	return 1;
}

/* One optional column of a psql listing: present when frag is. */
struct opt_col {
	const char *frag;
	const char *expr;
	const char *col;
};

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
	for (size_t i = 0; i < sizeof l_opt_cols / sizeof *l_opt_cols; i++) {
		if (!has(q, l_opt_cols[i].frag))
			continue;
		sqlite3_str_appendf(sql, ", %s", l_opt_cols[i].expr);
		snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "|%s", l_opt_cols[i].col);
	}
	sqlite3_str_appendall(sql, " FROM pg_database d LEFT JOIN pg_tablespace t ON "
				   "d.dattablespace = t.oid WHERE 1");
	if (!append_patterns(sql, q))
		return 0;
	sqlite3_str_appendall(sql, " ORDER BY 1");
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
	bool table_col = has(q, list_opt_cols[0].frag);

	(void)ic;
	if (!p)
		return 0;
	sqlite3_str_appendall(
		sql, "SELECT n.nspname, c.relname, CASE c.relkind WHEN 'r' THEN 'table' "
		     "WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN "
		     "'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN "
		     "'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN "
		     "'partitioned index' END, pg_get_userbyid(c.relowner)");
	for (size_t i = 0; i < sizeof list_opt_cols / sizeof *list_opt_cols; i++) {
		if (!has(q, list_opt_cols[i].frag))
			continue;
		sqlite3_str_appendf(sql, ", %s", list_opt_cols[i].expr);
		snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "|%s",
			 list_opt_cols[i].col);
	}
	sqlite3_str_appendall(sql, " FROM pg_class c LEFT JOIN pg_namespace n ON n.oid = "
				   "c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam");
	if (table_col)
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
	if (has(q, "n.nspname <> 'pg_catalog'"))
		sqlite3_str_appendall(sql, " AND n.nspname <> 'pg_catalog'");
	if (has(q, "n.nspname <> 'information_schema'"))
		sqlite3_str_appendall(sql, " AND n.nspname <> 'information_schema'");
	if (!append_patterns(sql, q))
		return 0;
	sqlite3_str_appendall(sql, " ORDER BY 1, 2");
	return set_cols(out, cols) < 0 ? -1 : 1;
}

/* \d NAME, first query: which relations the pattern names. */
static int build_psql_lookup(const char *q, const struct icept *ic, sqlite3_str *sql,
			     struct cat_query *out)
{
	(void)ic;
	(void)out;
	sqlite3_str_appendall(sql, "SELECT c.oid, n.nspname, c.relname FROM pg_class c "
				   "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE 1");
	if (!append_patterns(sql, q))
		return 0;
	sqlite3_str_appendall(sql, " ORDER BY 2, 3");
	return 1;
}

/* \d NAME, second query: the relation's flags. */
static int build_psql_flags(const char *q, const struct icept *ic, sqlite3_str *sql,
			    struct cat_query *out)
{
	unsigned long oid = quoted_oid(q, "WHERE c.oid = '");

	(void)ic;
	(void)out;
	if (!oid)
		return 0;
	sqlite3_str_appendf(sql,
			    "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, "
			    "c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, 0, "
			    "c.relispartition, '', c.reltablespace, '', c.relpersistence, "
			    "c.relreplident, am.amname FROM pg_class c LEFT JOIN pg_am am ON "
			    "c.relam = am.oid WHERE c.oid = %lu",
			    oid);
	return 1;
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
	for (size_t i = 0; i < sizeof attr_cols / sizeof *attr_cols; i++) {
		if (!has(q, attr_cols[i].frag))
			continue;
		sqlite3_str_appendf(sql, "%s%s", i ? ", " : "", attr_cols[i].expr);
		snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", i ? "|" : "",
			 attr_cols[i].col);
	}
	sqlite3_str_appendf(sql,
			    " FROM pg_attribute a WHERE a.attrelid = %lu AND a.attnum > 0 "
			    "AND NOT a.attisdropped ORDER BY a.attnum",
			    oid);
	return set_cols(out, cols) < 0 ? -1 : 1;
}

/* \d NAME, fourth query: the table's indexes. */
static int build_psql_indexes(const char *q, const struct icept *ic, sqlite3_str *sql,
			      struct cat_query *out)
{
	unsigned long oid = quoted_oid(q, "WHERE c.oid = '");

	(void)ic;
	(void)out;
	if (!oid)
		return 0;
	sqlite3_str_appendf(
		sql,
		"SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, "
		"i.indisvalid, pg_get_indexdef(i.indexrelid, 0, 1), "
		"pg_get_constraintdef(con.oid, 1), con.contype, con.condeferrable, "
		"con.condeferred, i.indisreplident, c2.reltablespace "
		"FROM pg_class c, pg_class c2, pg_index i LEFT JOIN pg_constraint con ON "
		"(con.conrelid = i.indrelid AND con.conindid = i.indexrelid AND "
		"con.contype IN ('p', 'u', 'x')) "
		"WHERE c.oid = %lu AND c.oid = i.indrelid AND i.indexrelid = c2.oid "
		"ORDER BY i.indisprimary DESC, c2.relname",
		oid);
	return 1;
}

static int build_psql_dn(const char *q, const struct icept *ic, sqlite3_str *sql,
			 struct cat_query *out)
{
	(void)ic;
	(void)out;
	sqlite3_str_appendall(sql, "SELECT n.nspname, pg_get_userbyid(n.nspowner) "
				   "FROM pg_namespace n WHERE 1");
	if (has(q, "n.nspname !~ '^pg_'"))
		sqlite3_str_appendall(sql, " AND NOT pgpin_regex(n.nspname, '^pg_', 0)");
	if (has(q, "n.nspname <> 'information_schema'"))
		sqlite3_str_appendall(sql, " AND n.nspname <> 'information_schema'");
	if (!append_patterns(sql, q))
		return 0;
	sqlite3_str_appendall(sql, " ORDER BY 1");
	return 1;
}

static int build_psql_du(const char *q, const struct icept *ic, sqlite3_str *sql,
			 struct cat_query *out)
{
	(void)ic;
	(void)out;
	sqlite3_str_appendall(sql, "SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, "
				   "r.rolcreatedb, r.rolcanlogin, r.rolconnlimit, r.rolvaliduntil, "
				   "'{}', r.rolreplication, r.rolbypassrls FROM pg_roles r WHERE 1");
	if (has(q, "r.rolname !~ '^pg_'"))
		sqlite3_str_appendall(sql, " AND NOT pgpin_regex(r.rolname, '^pg_', 0)");
	if (!append_patterns(sql, q))
		return 0;
	sqlite3_str_appendall(sql, " ORDER BY 1");
	return 1;
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
	out->param_oids = malloc(sizeof *out->param_oids);
	if (!out->param_oids)
		return -1;
	out->param_oids[0] = OID_OID_ARRAY;
	out->nparams = 1;
	return 1;
}

/* kine's bootstrap, typed exactly as PostgreSQL types it. */
static int build_kine_database(const char *q, const struct icept *ic, sqlite3_str *sql,
			       struct cat_query *out)
{
	(void)ic;
	if (strcasecmp(q, "SELECT 1 FROM pg_database WHERE datname = $1"))
		return 0;
	sqlite3_str_appendall(sql, "SELECT 1 FROM pg_database WHERE datname = ?1");
	out->param_oids = malloc(sizeof *out->param_oids);
	if (!out->param_oids)
		return -1;
	out->param_oids[0] = OID_NAME;
	out->nparams = 1;
	return 1;
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

static const struct icept icepts[] = {
	{"kine pg_database", {"pg_database WHERE datname = $1"}, "?column?:23",
	 build_kine_database},
	{"kine version", {"version()"}, "version:25", build_kine_version},
	{"kine size", {"pg_total_relation_size('"}, "pg_total_relation_size:20",
	 build_kine_size},
	{"psql \\l",
	 {"SELECT d.datname as \"Name\",", "FROM pg_catalog.pg_database d",
	  "d.daticulocale as \"ICU Locale\""},
	 NULL, build_psql_l},
	{"psql \\d list",
	 {"SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind",
	  "FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = "
	  "c.relnamespace"},
	 NULL, build_psql_list},
	{"psql \\d lookup",
	 {"SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN "
	  "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE"},
	 "oid:26|nspname:19|relname:19", build_psql_lookup},
	{"psql \\d flags",
	 {"SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, "
	  "c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, ",
	  "FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = "
	  "tc.oid)"},
	 "relchecks:21|relkind:18|relhasindex:16|relhasrules:16|relhastriggers:16|"
	 "relrowsecurity:16|relforcerowsecurity:16|relhasoids:16|relispartition:16|?column?:25|"
	 "reltablespace:26|reloftype:25|relpersistence:18|relreplident:18|amname:19",
	 build_psql_flags},
	{"psql \\d columns",
	 {"FROM pg_catalog.pg_attribute a WHERE a.attrelid = '",
	  "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"},
	 NULL, build_psql_columns},
	{"psql \\d indexes",
	 {"SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, "
	  "pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),",
	  "FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i"},
	 "relname:19|indisprimary:16|indisunique:16|indisclustered:16|indisvalid:16|"
	 "pg_get_indexdef:25|pg_get_constraintdef:25|contype:18|condeferrable:16|"
	 "condeferred:16|indisreplident:16|reltablespace:26",
	 build_psql_indexes},
	{"psql \\d policies",
	 {"SELECT pol.polname, pol.polpermissive,", "FROM pg_catalog.pg_policy pol"},
	 "polname:19|polpermissive:16|array_to_string:25|pg_get_expr:25|pg_get_expr:25|cmd:25",
	 build_empty},
	{"psql \\d statistics",
	 {"SELECT oid, stxrelid::pg_catalog.regclass,", "FROM pg_catalog.pg_statistic_ext"},
	 "oid:26|stxrelid:2205|nsp:25|stxname:19|columns:25|ndist_enabled:16|deps_enabled:16|"
	 "mcv_enabled:16|stxstattarget:23",
	 build_empty},
	{"psql \\d publications",
	 {"SELECT pubname , NULL , NULL FROM pg_catalog.pg_publication p",
	  "pg_catalog.pg_relation_is_publishable('"},
	 "pubname:19|?column?:25|?column?:25", build_empty},
	{"psql \\d parents",
	 {"SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i "
	  "WHERE c.oid = i.inhparent AND i.inhrelid = '"},
	 "oid:2205", build_empty},
	{"psql \\d children",
	 {"SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, "
	  "pg_catalog.pg_get_expr(c.relpartbound, c.oid) FROM pg_catalog.pg_class c, "
	  "pg_catalog.pg_inherits i WHERE c.oid = i.inhrelid AND i.inhparent = '"},
	 "oid:2205|relkind:18|inhdetachpending:16|pg_get_expr:25", build_empty},
	{"psql \\dn",
	 {"SELECT n.nspname AS \"Name\", pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\" "
	  "FROM pg_catalog.pg_namespace n"},
	 "Name:19|Owner:19", build_psql_dn},
	{"psql \\du",
	 {"SELECT r.rolname, r.rolsuper, r.rolinherit,",
	  ", r.rolbypassrls FROM pg_catalog.pg_roles r"},
	 "rolname:19|rolsuper:16|rolinherit:16|rolcreaterole:16|rolcreatedb:16|rolcanlogin:16|"
	 "rolconnlimit:23|rolvaliduntil:1184|memberof:1003|rolreplication:16|rolbypassrls:16",
	 build_psql_du},
	{"psql \\dT",
	 {"pg_catalog.format_type(t.oid, NULL) AS \"Name\", pg_catalog.obj_description(t.oid, "
	  "'pg_type') as \"Description\" FROM pg_catalog.pg_type t"},
	 "Schema:19|Name:25|Description:25", build_empty},
	{"psql \\df",
	 {"p.proname as \"Name\",", "END as \"Type\" FROM pg_catalog.pg_proc p"},
	 "Schema:19|Name:19|Result data type:25|Argument data types:25|Type:25", build_empty},
	{"pgbench partitions",
	 {"select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c",
	  "left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid)"},
	 "n:23|partstrat:18|count:20", build_pgbench_partitions},
	{"asyncpg typeinfo",
	 {"WITH RECURSIVE typeinfo_tree(", "ti.oid = any($1::oid[])"},
	 "oid:26|ns:19|name:19|kind:18|basetype:26|elemtype:26|elemdelim:18|range_subtype:26|"
	 "attrtypoids:1028|attrnames:1009|depth:23|basetype_name:25|elemtype_name:25|"
	 "range_subtype_name:25",
	 build_asyncpg_types},
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
