/*
 * test_params.c - the SQL params.c writes to bring a server session to a
 * client's settings, and to check a client's startup settings on a server
 * without changing its session.
 */
#include <criterion/criterion.h>
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

Test(params, check_is_local_and_starts_from_the_servers_own_values)
{
	/* The server's session has another client's DateStyle: it is set back
	 * to the startup value first, since "iso" keeps the order it finds. */
	struct params want = make(KV("DateStyle", "iso", "extra_float_digits", "2",
				     "application_name", "it's"));
	struct params have = make(KV("DateStyle", "German, DMY", "application_name", ""));
	struct params base = make(KV("DateStyle", "ISO, MDY", "application_name", ""));
	char *sql;

	cr_assert_eq(params_check_sql(&want, &have, &base, &sql), 0);
	cr_assert_str_eq(sql, "SELECT pg_catalog.set_config(E'DateStyle', E'ISO, MDY', true); "
			      "SELECT pg_catalog.set_config(E'DateStyle', E'iso', true), "
			      "pg_catalog.set_config(E'extra_float_digits', E'2', true), "
			      "pg_catalog.set_config(E'application_name', E'it''s', true)");
	free(sql);

	/* A session at its startup values needs no first statement. */
	cr_assert_eq(params_set(&have, "DateStyle", "ISO, MDY"), 0);
	cr_assert_eq(params_check_sql(&want, &have, &base, &sql), 0);
	cr_assert_str_eq(sql, "SELECT pg_catalog.set_config(E'DateStyle', E'iso', true), "
			      "pg_catalog.set_config(E'extra_float_digits', E'2', true), "
			      "pg_catalog.set_config(E'application_name', E'it''s', true)");
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

	cr_assert_eq(params_check_sql(&want, &empty, &empty, &sql), 0);
	cr_assert_str_eq(sql, "SELECT pg_catalog.set_config(E'search_path', E'a\\\\''b', true)");
	free(sql);
	params_free(&want);
	params_free(&empty);
}
