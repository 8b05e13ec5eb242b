/*
 * test_params.c - the SQL params.c writes to bring a server session to a
 * client's settings, and to check a client's startup settings on a server
 * without changing its session.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

static struct params make(const char *const *kv)
{
	struct params ps;
	params_init(&ps);
	for (; kv && kv[0]; kv += 2)
		cr_assert_eq(params_set(&ps, kv[0], kv[1]), 0);
	return ps;
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(params, names_compare_without_case_values_with)
{
	struct params ps = make(KV("DateStyle", "ISO, MDY"));
	cr_assert_str_eq(params_get(&ps, "datestyle"), "ISO, MDY");
	uint32_t gen = ps.gen;
	cr_assert_eq(params_set(&ps, "DATESTYLE", "ISO, MDY"), 0);
	cr_assert_eq(ps.gen, gen, "setting the same value is no change");
	cr_assert_eq(params_set(&ps, "datestyle", "iso, mdy"), 0);
	cr_assert_neq(ps.gen, gen);
	cr_assert_eq(ps.n, 1);
	cr_assert_str_eq(params_get(&ps, "DateStyle"), "iso, mdy");
	params_free(&ps);
}

Test(params, diff_sets_what_differs_and_resets_what_the_client_lacks)
{
	struct params want = make(KV("TimeZone", "UTC", "search_path", "a, b"));
	struct params have = make(KV("TimeZone", "Europe/Berlin", "DateStyle", "ISO, MDY",
				     "statement_timeout", "5s"));
	struct params base = make(KV("TimeZone", "Etc/UTC", "DateStyle", "ISO, MDY"));
	char *sql;

	cr_assert_eq(params_diff_sql(&want, &have, &base, &sql), 3);
	cr_assert_str_eq(sql, "SELECT pg_catalog.set_config(E'TimeZone', E'UTC', false), "
			      "pg_catalog.set_config(E'search_path', E'a, b', false); "
			      "RESET \"statement_timeout\";");
	free(sql);
	params_free(&want);
	params_free(&have);
	params_free(&base);
}

/* How a check reads each setting: not at all when it only applies when a
 * server process starts. */
#define CHECK_FIRST                                                                        \
	"WITH at_start AS (SELECT pg_catalog.lower(name) AS name FROM pg_catalog.pg_settings " \
	"WHERE context IN ('backend', 'superuser-backend')) SELECT "
#define CHECK(name, value)                                                          \
	"CASE WHEN pg_catalog.lower(E'" name "') IN (SELECT name FROM at_start) THEN NULL " \
	"ELSE pg_catalog.set_config(E'" name "', E'" value "', true) END"

Test(params, check_is_local_and_starts_from_the_servers_own_values)
{
	/* The server's session has another client's DateStyle: it is set back
	 * to the startup value first, since "iso" keeps the order it finds. */
	struct params want = make(KV("DateStyle", "iso", "extra_float_digits", "2",
				     "application_name", "it's"));
	struct params have = make(KV("DateStyle", "German, DMY", "application_name", ""));
	struct params base = make(KV("DateStyle", "ISO, MDY", "application_name", ""));
	char *sql;

	cr_assert_eq(params_check_sql(&want, &have, &base, NULL, &sql), 0);
	cr_assert_str_eq(sql, "SELECT pg_catalog.set_config(E'DateStyle', E'ISO, MDY', true); " CHECK_FIRST
			      CHECK("DateStyle", "iso") ", " CHECK("extra_float_digits", "2") ", "
			      CHECK("application_name", "it''s"));
	free(sql);

	/* A session at its startup values needs no first statement. */
	cr_assert_eq(params_set(&have, "DateStyle", "ISO, MDY"), 0);
	cr_assert_eq(params_check_sql(&want, &have, &base, NULL, &sql), 0);
	cr_assert_str_eq(sql, CHECK_FIRST CHECK("DateStyle", "iso") ", "
			      CHECK("extra_float_digits", "2") ", " CHECK("application_name", "it''s"));
	free(sql);
	params_free(&want);
	params_free(&have);
	params_free(&base);
}

Test(params, literals_escape_quotes_and_backslashes)
{
	struct params want = make(KV("search_path", "a\\'b"));
	struct params empty = make(NULL);
	char *sql;

	cr_assert_eq(params_check_sql(&want, &empty, &empty, NULL, &sql), 0);
	cr_assert_str_eq(sql, CHECK_FIRST CHECK("search_path", "a\\\\''b"));
	free(sql);
	params_free(&want);
	params_free(&empty);
}

/* ------------------------------------------------------- startup options */

/* The settings an options string stands for, as "name=value;..." */
static int collect(void *arg, const char *name, const char *value)
{
	char *out = arg;
	size_t n = strlen(out);
	snprintf(out + n, 1024 - n, "%s=%s;", name, value);
	return 0;
}

static int refuse_all(void *arg, const char *name, const char *value)
{
	(void)arg;
	(void)name;
	(void)value;
	return -1;
}

/*
 * Each options string: the settings it stands for, in order, up to its
 * refusal, and the refusal PostgreSQL 15 gives for the string itself
 * (measured against a real server; whether the server then accepts each
 * setting is the settings check's business).
 */
Test(params, options_read_as_postgres_reads_its_command_line)
{
	static const struct {
		const char *options, *settings, *sqlstate, *message;
	} cases[] = {
		{"", "", NULL, NULL},
		{"  -c   search_path=a\\ b  ", "search_path=a b;", NULL, NULL},
		{"-c DateStyle=ISO,\\ DMY", "DateStyle=ISO, DMY;", NULL, NULL},
		{"-cstatement_timeout=5s --lock-timeout=1s", "statement_timeout=5s;lock_timeout=1s;",
		 NULL, NULL},
		{"-c a=b=c -c x.y=", "a=b=c;x.y=;", NULL, NULL},
		/* A trailing backslash escapes nothing and is dropped. */
		{"-c statement_timeout=5s\\", "statement_timeout=5s;", NULL, NULL},
		/* Words that are not switches wait for every switch. */
		{"-c DateStyle=ISO, DMY", "DateStyle=ISO,;", "42601",
		 "invalid command-line argument for server process: DMY"},
		{"stray1 stray2 -c x.y=1", "x.y=1;", "42601",
		 "invalid command-line argument for server process: stray1"},
		{"-- -c x=1", "", "42601", "invalid command-line argument for server process: -c"},
		/* A bad switch stops at its place. */
		{"-c a=1 -c", "a=1;", "42601", "invalid command-line argument for server process: -c"},
		{"-c foo -c b=2", "", "42601", "-c foo requires a value"},
		{"-c a=1 --foo", "a=1;", "42601", "--foo requires a value"},
		{"-c =x", "", "42704", "unrecognized configuration parameter \"\""},
		{"-x -c a=1", "", "42601", "invalid command-line argument for server process: -x"},
		{"-f q", "", "42601", "invalid command-line argument for server process: q"},
		{"-fq", "", "42601", "invalid command-line argument for server process: -fq"},
		/* postgres's other switches. */
		{"-e -B 10", "datestyle=euro;shared_buffers=10;", NULL, NULL},
		{"-eF -fs -te -t pa", "datestyle=euro;fsync=false;enable_seqscan=false;"
				      "log_executor_stats=true;log_parser_stats=true;", NULL, NULL},
		{"-d 3", "log_min_messages=debug3;log_statement=all;debug_print_parse=true;", NULL,
		 NULL},
		{"-d 0 -C x -n -T -b -E -j", "log_min_messages=notice;", NULL, NULL},
		{"-lsi -ce=1", "ssl=true;log_statement_stats=true;listen_addresses=*;e=1;", NULL, NULL},
	};
	struct options_error err;
	char got[1024];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got[0] = '\0';
		cr_assert_eq(params_parse_options(cases[i].options, collect, got, &err), 0);
		cr_expect_str_eq(got, cases[i].settings, "settings of '%s'", cases[i].options);
		if (!cases[i].sqlstate) {
			cr_expect_null(err.sqlstate, "'%s' refused: %s", cases[i].options, err.message);
			continue;
		}
		cr_expect(err.sqlstate && strcmp(err.sqlstate, cases[i].sqlstate) == 0,
			  "SQLSTATE of '%s': %s", cases[i].options,
			  err.sqlstate ? err.sqlstate : "(none)");
		cr_expect_str_eq(err.message, cases[i].message, "message for '%s'", cases[i].options);
		if (strncmp(err.message, "invalid command-line", 20) == 0)
			cr_expect_str_eq(err.hint, "Try \"postgres --help\" for more information.");
		else
			cr_expect_null(err.hint);
	}
	/* A setting that cannot be kept fails the whole parse. */
	cr_expect_eq(params_parse_options("-c a=1", refuse_all, NULL, &err), -1);
	cr_expect_eq(params_parse_options("-e", refuse_all, NULL, &err), -1);
}
