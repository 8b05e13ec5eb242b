/*
 * catalog_func.c - the SQL functions registered on each connection:
 * PostgreSQL's that clients call (version(), current_setting(),
 * pg_total_relation_size(), format_type(), pg_get_indexdef(), md5(),
 * string_agg(), ...; the table at the end lists them all) and pgpin_*
 * helpers that the translator's output and the catalog views call.
 * Errors carry PostgreSQL's SQLSTATE in the message (cat_error_split).
 * It does not create the views (catalog.c) nor know the built-in types'
 * rows (catalog_type.c).
 */
#include "sqlite/catalog.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
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
#include "sqlite/catalog_int.h"
#include "sqlite/lex.h"
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

/* PostgreSQL's functions here are STRICT: a NULL argument, a NULL answer.
 * True, with that answer set on ctx, when v is NULL. */
static bool null_arg(sqlite3_context *ctx, sqlite3_value *v)
{
	if (sqlite3_value_type(v) != SQLITE_NULL)
		return false;
	sqlite3_result_null(ctx);
	return true;
}

/* A statement on the calling connection; NULL with the error set on ctx. */
static sqlite3_stmt *prepare(sqlite3_context *ctx, const char *sql)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Hand str's text to ctx as the result (an empty text when empty). */
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

/* ----- the session: version, names, time, settings ----- */

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

/* ----- the translator's: booleans, divisors, regular expressions ----- */

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

/* Run a one-row query, with ?1 = text when it is not NULL, on the calling
 * connection; the first column as int64 in *out.  1 found, 0 no row, -1
 * error (set on ctx). */
static int query_int(sqlite3_context *ctx, const char *sql, const char *text,
		     sqlite3_int64 *out)
{
	sqlite3_stmt *st = prepare(ctx, sql);
	int rc;

	if (!st)
		return -1;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		sqlite3_result_error(ctx, sqlite3_errmsg(sqlite3_context_db_handle(ctx)), -1);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/*
 * A regclass input: an integer OID as is; a name ('kine', 'public.kine',
 * '"Kine"') folded as PostgreSQL folds it, looked up in pg_class.
 * Returns the oid, or 0 with the result set on ctx: NULL for a NULL
 * input, else an error.
 */
static sqlite3_int64 regclass_of(sqlite3_context *ctx, sqlite3_value *v)
{
	const char *s;
	char name[256];
	size_t n = 0;
	sqlite3_int64 oid = 0;
	int rc;

	if (null_arg(ctx, v))
		return 0;
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
	rc = query_int(ctx,
		       "SELECT oid FROM pgpin_rels WHERE relname = ?1 "
		       "ORDER BY nsp = 11 DESC LIMIT 1",
		       name, &oid);
	if (rc == 0)
		fail(ctx, "42P01", "relation \"%s\" does not exist", value_text(v));
	return rc > 0 ? oid : 0;
}

static void fn_regclass(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_int64 oid = regclass_of(ctx, argv[0]);

	(void)argc;
	if (oid)
		sqlite3_result_int64(ctx, oid);
}

/* The relation's name as regclass output prints it (the OID if unknown). */
static void fn_regclass_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_int64 oid = regclass_of(ctx, argv[0]);
	sqlite3_stmt *st;

	(void)argc;
	if (!oid || !(st = prepare(ctx, "SELECT relname FROM pgpin_rels WHERE oid = ?1")))
		return;
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
	sqlite3_int64 oid = regclass_of(ctx, arg);
	sqlite3_stmt *st = NULL;
	char *sql;

	if (!oid)
		return;
	sql = sqlite3_mprintf("SELECT coalesce(sum(pgsize), 0) FROM dbstat('main', 1) "
			      "WHERE name IN (%s)",
			      names_sql);
	if (!sql) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	st = prepare(ctx, sql);
	sqlite3_free(sql);
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, oid);
	if (sqlite3_step(st) == SQLITE_ROW)
		sqlite3_result_int64(ctx, sqlite3_column_int64(st, 0));
	else
		sqlite3_result_error(ctx, sqlite3_errmsg(sqlite3_context_db_handle(ctx)), -1);
	sqlite3_finalize(st);
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
	sqlite3_int64 size = 0;

	(void)argc;
	if (null_arg(ctx, argv[0]))
		return;
	if (query_int(ctx,
		      "SELECT p.page_count * s.page_size FROM pragma_page_count('main') p, "
		      "pragma_page_size('main') s",
		      NULL, &size) >= 0)
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
	if (null_arg(ctx, argv[0]))
		return;
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

static void fn_format_type(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[96];
	int typmod = -1;

	if (null_arg(ctx, argv[0]))
		return;
	if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL)
		typmod = sqlite3_value_int(argv[1]);
	if (!cat_type_format((uint32_t)sqlite3_value_int64(argv[0]), typmod, buf, sizeof buf))
		snprintf(buf, sizeof buf, "???");
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* pgpin_regtype(x): a type name ('int4', 'integer', 'text[]') or OID. */
static void fn_regtype(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s;
	uint32_t oid;

	(void)argc;
	if (null_arg(ctx, argv[0]))
		return;
	if (sqlite3_value_numeric_type(argv[0]) == SQLITE_INTEGER) {
		sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]));
		return;
	}
	s = value_text(argv[0]);
	if (!strncasecmp(s, "pg_catalog.", 11))
		s += 11;
	oid = cat_type_input(s);
	if (oid)
		sqlite3_result_int64(ctx, oid);
	else
		fail(ctx, "42704", "type \"%s\" does not exist", s);
}

/* pgpin_regtype_text(oid): regtype output ("integer", "-" for 0). */
static void fn_regtype_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[96];
	sqlite3_int64 oid;

	(void)argc;
	if (null_arg(ctx, argv[0]))
		return;
	if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	oid = sqlite3_value_int64(argv[0]);
	if (oid == 0)
		snprintf(buf, sizeof buf, "-");
	else if (!cat_type_format((uint32_t)oid, -1, buf, sizeof buf))
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
 * pgpin_view_typeoid(view, cid, decltype[, schema]): a view column's type
 * is its origin column's (a view over kine.id is int8 as kine.id is), found
 * with SQLite's column metadata; decltype's mapping when it has no origin.
 * The view is in "main" unless schema is "temp".
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

	bool temp = argc > 3 && value_text(argv[3]) && strcmp(value_text(argv[3]), "temp") == 0;
	sql = view ? sqlite3_mprintf("SELECT * FROM %s.\"%w\"", temp ? "temp" : "main", view) : NULL;
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
	if (null_arg(ctx, argv[0]))
		return;
	if (oid == CAT_OID_ROLE)
		sqlite3_result_text(ctx, env_of(ctx)->user, -1, SQLITE_STATIC);
	else
		sqlite3_result_text(ctx, sqlite3_mprintf("unknown (OID=%lld)", (long long)oid),
				    -1, sqlite3_free);
}

/* pg_get_expr(text, relid[, pretty]): our pg_attrdef.adbin already holds
 * the expression's text, so it is its own deparse. */
static void fn_get_expr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_value(ctx, argv[0]);
}

/*
 * pgpin_generated_expr(create_table_sql, column): the expression of a
 * generated column, "a * 2" from "b int GENERATED ALWAYS AS (a * 2)
 * STORED" (SQLite keeps it only in the table's CREATE text), for
 * pg_attrdef and \d; NULL when the column has none.
 */
static void fn_generated_expr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *sql = (const char *)sqlite3_value_text(argv[0]);
	const char *col = (const char *)sqlite3_value_text(argv[1]);
	struct lex_tokens tk = {0};
	char name[256];

	(void)argc;
	if (!sql || !col)
		return;
	if (lex_tokenize(sql, strlen(sql), &tk) < 0) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	/* The column list: the first parenthesis of CREATE TABLE name (...). */
	size_t i = 0;
	while (i < tk.n && !lex_is(&tk, i, "("))
		i++;
	size_t end = i < tk.n ? lex_match_paren(&tk, i) : tk.n;
	/* Each top-level item: its first token names the column. */
	for (size_t a = lex_next_sig(&tk, i); a < end; a = lex_next_sig(&tk, a)) {
		bool ours = (tk.v[a].kind == LX_WORD || tk.v[a].kind == LX_QIDENT) &&
			    strcasecmp(lex_ident(&tk, a, name, sizeof(name)), col) == 0;
		for (; a < end && !lex_is(&tk, a, ","); a = lex_next_sig(&tk, a)) {
			if (lex_is(&tk, a, "(")) {
				a = lex_match_paren(&tk, a);
				continue;
			}
			size_t open = lex_next_sig(&tk, a);
			if (!ours || !lex_is_word(&tk, a, "as") || open >= end || !lex_is(&tk, open, "("))
				continue;
			size_t close = lex_match_paren(&tk, open);
			size_t from = lex_next_sig(&tk, open);
			if (close >= end || from >= close)
				break;
			size_t last = from;
			for (size_t k = from; k < close; k = lex_next_sig(&tk, k))
				last = k;
			sqlite3_result_text(ctx, sql + tk.v[from].pos,
					    (int)(tk.v[last].pos + tk.v[last].len - tk.v[from].pos),
					    SQLITE_TRANSIENT);
			lex_free(&tk);
			return;
		}
		if (ours)
			break;
	}
	lex_free(&tk);
}

static void fn_encoding_to_char(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_text(ctx, sqlite3_value_int(argv[0]) == 6 ? "UTF8" : "", -1,
			    SQLITE_STATIC);
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
	if (null_arg(ctx, argv[0]))
		return;
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

static void fn_quote_ident(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_str *str;

	(void)argc;
	if (null_arg(ctx, argv[0]))
		return;
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

/* The row sql (?1 = the oid in v) finds on the calling connection, the
 * statement stepped onto it; NULL when there is none, with the result
 * set on ctx: NULL for a NULL v or no row, else the error. */
static sqlite3_stmt *row_of_oid(sqlite3_context *ctx, const char *sql, sqlite3_value *v)
{
	sqlite3_stmt *st;

	if (null_arg(ctx, v) || !(st = prepare(ctx, sql)))
		return NULL;
	sqlite3_bind_int64(st, 1, sqlite3_value_int64(v));
	if (sqlite3_step(st) == SQLITE_ROW)
		return st;
	sqlite3_finalize(st);
	sqlite3_result_null(ctx);
	return NULL;
}

/* pg_get_indexdef(oid[, column, pretty]): PostgreSQL's CREATE INDEX text,
 * or with a column number, that column's name. */
static void fn_get_indexdef(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3 *db = sqlite3_context_db_handle(ctx);
	sqlite3_int64 oid = sqlite3_value_int64(argv[0]);
	int col = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
	sqlite3_stmt *st = row_of_oid(ctx,
				      "SELECT relname, tbl, isunique, sql, partial "
				      "FROM pgpin_indexes WHERE oid = ?1",
				      argv[0]);
	sqlite3_str *str;
	const char *pred;

	if (!st)
		return;
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
}

/* pg_get_constraintdef(oid[, pretty]) for the primary key and UNIQUE
 * constraints pg_constraint lists. */
static void fn_get_constraintdef(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_stmt *st = row_of_oid(
		ctx, "SELECT contype, conindid FROM pg_constraint WHERE oid = ?1", argv[0]);
	sqlite3_str *str;

	(void)argc;
	if (!st)
		return;
	str = sqlite3_str_new(NULL);
	sqlite3_str_appendall(str, *(const char *)sqlite3_column_text(st, 0) == 'p'
					   ? "PRIMARY KEY "
					   : "UNIQUE ");
	append_index_columns(sqlite3_context_db_handle(ctx), sqlite3_column_int64(st, 1), str, 0);
	sqlite3_finalize(st);
	result_str(ctx, str);
}

/* pg_get_viewdef(oid[, pretty]): the SELECT of the view's CREATE text. */
static void fn_get_viewdef(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_stmt *st = row_of_oid(
		ctx, "SELECT sql FROM pgpin_rels WHERE oid = ?1 AND relkind = 'v'", argv[0]);
	const char *sql, *p;

	(void)argc;
	if (!st)
		return;
	sql = (const char *)sqlite3_column_text(st, 0);
	if (sql) {
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

/* ----- functions whose answer is a constant here ----- */

/* One schema that is always on the path, one role that may do anything,
 * no comments on objects, never a standby. */
struct const_def {
	const char *name;
	int nargs;
	int type; /* SQLITE_NULL, SQLITE_INTEGER (value) or SQLITE_TEXT (text) */
	int value;
	const char *text;
};

#define C_TRUE SQLITE_INTEGER, 1, NULL
#define C_ZERO SQLITE_INTEGER, 0, NULL
#define C_NULL SQLITE_NULL, 0, NULL

static const struct const_def constants[] = {
	{"current_schema", 0, SQLITE_TEXT, 0, "public"},
	{"pg_table_is_visible", 1, C_TRUE},
	{"pg_type_is_visible", 1, C_TRUE},
	{"pg_function_is_visible", 1, C_TRUE},
	{"has_table_privilege", 2, C_TRUE},
	{"has_table_privilege", 3, C_TRUE},
	{"has_schema_privilege", 2, C_TRUE},
	{"has_schema_privilege", 3, C_TRUE},
	{"has_database_privilege", 2, C_TRUE},
	{"has_database_privilege", 3, C_TRUE},
	{"pg_is_in_recovery", 0, C_ZERO},
	{"pg_my_temp_schema", 0, C_ZERO},
	{"obj_description", 1, C_NULL},
	{"obj_description", 2, C_NULL},
	{"col_description", 2, C_NULL},
	{"shobj_description", 2, C_NULL},
};

static void fn_const(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct const_def *c = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	if (c->type == SQLITE_TEXT)
		sqlite3_result_text(ctx, c->text, -1, SQLITE_STATIC);
	else if (c->type == SQLITE_INTEGER)
		sqlite3_result_int(ctx, c->value);
	else
		sqlite3_result_null(ctx);
}

/* ----- registration ----- */

struct fn_def {
	const char *name;
	int nargs;
	bool deterministic;
	void (*fn)(sqlite3_context *, int, sqlite3_value **);
};

/* pgpin_* are the translator's and the views': pgpin_bool(x) and
 * pgpin_nonzero(x) check a boolean and a divisor, pgpin_regex(text,
 * pattern, icase) is ~ and ~*, pgpin_regclass[_text](x) and
 * pgpin_regtype[_text](x) are the reg* casts to oid and to name;
 * pgpin_typeoid, pgpin_view_typeoid, pgpin_typmod and pgpin_oid_in build
 * pg_attribute and answer asyncpg's type query. */
static const struct fn_def functions[] = {
	{"version", 0, true, fn_version},
	{"current_database", 0, true, fn_database},
	{"current_catalog", 0, true, fn_database},
	{"current_user", 0, true, fn_user},
	{"session_user", 0, true, fn_user},
	{"current_role", 0, true, fn_user},
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
	{"pgpin_view_typeoid", 4, false, fn_view_typeoid},
	{"array_to_string", 2, true, fn_array_to_string},
	{"array_to_string", 3, true, fn_array_to_string},
	{"pgpin_oid_in", 2, true, fn_oid_in},
	{"format_type", 2, true, fn_format_type},
	{"pg_get_userbyid", 1, true, fn_userbyid},
	{"pgpin_generated_expr", 2, true, fn_generated_expr},
	{"pg_get_expr", 2, true, fn_get_expr},
	{"pg_get_expr", 3, true, fn_get_expr},
	{"pg_get_indexdef", 1, false, fn_get_indexdef},
	{"pg_get_indexdef", 3, false, fn_get_indexdef},
	{"pg_get_constraintdef", 1, false, fn_get_constraintdef},
	{"pg_get_constraintdef", 2, false, fn_get_constraintdef},
	{"pg_get_viewdef", 1, false, fn_get_viewdef},
	{"pg_get_viewdef", 2, false, fn_get_viewdef},
	{"pg_encoding_to_char", 1, true, fn_encoding_to_char},
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

/* None of them writes or leaks anything a view must not see: all are
 * SQLITE_INNOCUOUS, so the TEMP views may call them. */
int cat_func_register(sqlite3 *db, const struct cat_env *env)
{
	const int innocuous = SQLITE_UTF8 | SQLITE_INNOCUOUS;

	for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
		const struct fn_def *f = &functions[i];
		int flags = innocuous | (f->deterministic ? SQLITE_DETERMINISTIC : 0);

		if (sqlite3_create_function_v2(db, f->name, f->nargs, flags, (void *)env, f->fn,
					       NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	}
	for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
		if (sqlite3_create_function_v2(db, constants[i].name, constants[i].nargs,
					       innocuous | SQLITE_DETERMINISTIC,
					       (void *)&constants[i], fn_const, NULL, NULL,
					       NULL) != SQLITE_OK)
			return -1;
	if (sqlite3_create_function_v2(db, "string_agg", 2, innocuous, (void *)env, NULL,
				       string_agg_step, string_agg_final, NULL) != SQLITE_OK)
		return -1;
	return 0;
}
