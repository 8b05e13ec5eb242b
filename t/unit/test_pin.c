/*
 * test_pin.c - what pin.c recognises as session state, and what it must
 * not: keywords inside literals, comments and dollar quotes, and the
 * transaction-scoped forms.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pin.h"

static void setup(void)
{
	char err[256];
	cr_assert_eq(pin_init(err, sizeof(err)), 0, "%s", err);
}

static void teardown(void)
{
	pin_free();
}

TestSuite(pin, .init = setup, .fini = teardown);

static struct pin_class cls(const char *sql)
{
	return pin_classify(sql, strlen(sql));
}

Test(pin, session_set_pins)
{
	cr_assert_eq(cls("SET search_path = foo").sets, PIN_SET);
	cr_assert_eq(cls("set session statement_timeout to 5").sets, PIN_SET);
	cr_assert_eq(cls("SET ROLE app").sets, PIN_SET);
	/* The session's default for later transactions: session state too. */
	cr_assert_eq(cls("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").sets, PIN_SET);
	cr_assert_eq(cls("select 1; SET work_mem = '64MB'").sets, PIN_SET);
	cr_assert_eq(cls("SELECT set_config('search_path', 'a, b', false)").sets, PIN_SET);
	/* Comments before the statement do not hide it. */
	cr_assert_eq(cls("/* app:report */ SET search_path = a").sets, PIN_SET);
	cr_assert_eq(cls("-- ping\nLISTEN x").sets, PIN_LISTEN);
	cr_assert_eq(cls("  \n\tset work_mem = 1").sets, PIN_SET);
}

Test(pin, transaction_scoped_and_reported_settings_do_not_pin)
{
	cr_assert_eq(cls("SET LOCAL search_path = foo").sets, 0);
	cr_assert_eq(cls("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").sets, 0);
	cr_assert_eq(cls("SET CONSTRAINTS ALL DEFERRED").sets, 0);
	cr_assert_eq(cls("SET TimeZone = 'UTC'").sets, 0);
	cr_assert_eq(cls("set application_name = 'x'").sets, 0);
	cr_assert_eq(cls("SELECT set_config('search_path', 'a', true)").sets, 0);
	cr_assert_eq(cls("UPDATE t SET a = 1").sets, 0);
	cr_assert_eq(cls("SELECT pg_advisory_xact_lock(1)").sets, 0);
}

Test(pin, other_state)
{
	cr_assert_eq(cls("LISTEN channel").sets, PIN_LISTEN);
	cr_assert_eq(cls("SELECT pg_advisory_lock(42)").sets, PIN_ADVISORY);
	cr_assert_eq(cls("select pg_try_advisory_lock_shared(1, 2)").sets, PIN_ADVISORY);
	cr_assert_eq(cls("CREATE TEMP TABLE t (a int)").sets, PIN_TEMP);
	cr_assert_eq(cls("create temporary view v as select 1").sets, PIN_TEMP);
	cr_assert_eq(cls("DECLARE c CURSOR WITH HOLD FOR SELECT 1").sets, PIN_HOLD);
	cr_assert_eq(cls("DECLARE c CURSOR FOR SELECT 1").sets, 0);
	cr_assert_eq(cls("PREPARE q AS SELECT $1::int").sets, PIN_PREPARE);
	cr_assert_eq(cls("PREPARE TRANSACTION 'x'").sets, 0);
}

Test(pin, releases)
{
	cr_assert_eq(cls("RESET ALL").clears, PIN_SET);
	cr_assert_eq(cls("UNLISTEN *").clears, PIN_LISTEN);
	cr_assert_eq(cls("UNLISTEN x").clears, 0);
	cr_assert_eq(cls("SELECT pg_advisory_unlock_all()").clears, PIN_ADVISORY);
	cr_assert_eq(cls("DISCARD TEMP").clears, PIN_TEMP);
	cr_assert_eq(cls("CLOSE ALL").clears, PIN_HOLD);
	cr_assert_eq(cls("DEALLOCATE ALL").clears, PIN_PREPARE);
	cr_assert_eq(cls("discard all").clears, (unsigned)PIN_ALL);
}

/*
 * The prefilter searches the text eight bytes at a time: a rule must be
 * found wherever its words fall, across those boundaries and at the very
 * end, and a long identifier that merely looks like one must not pin.
 */
Test(pin, rules_found_at_every_offset)
{
	static const struct {
		const char *tail;
		uint32_t sets;
	} cases[] = {
		{"; SET work_mem = 1", PIN_SET},
		{"; set_config('search_path', 'a', false)", PIN_SET},
		{"; SELECT set_config('a.b', 'c', false)", PIN_SET},
		{"; CREATE TEMP TABLE t (a int)", PIN_TEMP},
		{"; CREATE TEMPORARY TABLE t (a int)", PIN_TEMP},
		{", pg_advisory_lock(7)", PIN_ADVISORY},
		{", PG_TRY_ADVISORY_LOCK(7)", PIN_ADVISORY},
		{";LISTEN c", PIN_LISTEN},
		{";set a", PIN_SET}, /* in the last, short, piece of the text */
		{", 1temp", 0}, /* 1 AS temp: not a table */
		{" FROM pgbench_accounts_temp_pg_x WHERE aid = 1;", 0},
		{" FROM my_set_config_log", 0},
	};
	char sql[128];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		for (int pad = 0; pad < 17; pad++) {
			int n = snprintf(sql, sizeof(sql), "SELECT %.*s1%s", pad,
					 "xxxxxxxxxxxxxxxxxxxxxxx", cases[k].tail);
			cr_assert_eq(pin_classify(sql, (size_t)n).sets, cases[k].sets,
				     "%s: expected %#x", sql, cases[k].sets);
		}
	}
}

Test(pin, keywords_in_literals_comments_and_dollar_quotes_do_not_count)
{
	cr_assert_eq(cls("SELECT 'SET search_path = x'").sets, 0);
	cr_assert_eq(cls("SELECT 1 -- ; LISTEN x").sets, 0);
	cr_assert_eq(cls("SELECT /* ; SET a = 1 /* nested */ ; LISTEN x */ 1").sets, 0);
	cr_assert_eq(cls("SELECT $$; LISTEN x$$").sets, 0);
	cr_assert_eq(cls("SELECT $tag$ ; SET a=1 $tag$").sets, 0);
	cr_assert_eq(cls("SELECT \"; listen\" FROM t").sets, 0);
	cr_assert_eq(cls("SELECT E'it\\'s; LISTEN x'").sets, 0);
	cr_assert_eq(cls("SELECT 'it''s; LISTEN x'").sets, 0);
	/* ...but code after them still does. */
	cr_assert_eq(cls("SELECT 'x'; LISTEN y").sets, PIN_LISTEN);
	cr_assert_eq(cls("SELECT $1; LISTEN y").sets, PIN_LISTEN);
}

Test(pin, deallocate_name)
{
	char name[64];
	const char *q = "DEALLOCATE \"stmtcache_ab12\"";
	cr_assert_eq(pin_parse_deallocate(q, strlen(q) + 1, name, sizeof(name)), 1);
	cr_assert_str_eq(name, "stmtcache_ab12");
	q = "deallocate prepare P_1;";
	cr_assert_eq(pin_parse_deallocate(q, strlen(q), name, sizeof(name)), 1);
	cr_assert_str_eq(name, "p_1");
	q = "DEALLOCATE ALL";
	cr_assert_eq(pin_parse_deallocate(q, strlen(q), name, sizeof(name)), 0);
	q = "DEALLOCATE a; SELECT 1";
	cr_assert_eq(pin_parse_deallocate(q, strlen(q), name, sizeof(name)), 0);
	q = "SELECT 1";
	cr_assert_eq(pin_parse_deallocate(q, strlen(q), name, sizeof(name)), 0);
}
