/*
 * test_proxy.c - pgpin as its clients see it, against a real PostgreSQL 15:
 * libpq through pgpin (simple and extended protocol, pipelines, COPY, large
 * results, cancel), pooling limits measured on the server, failures of
 * clients and of the server, raw protocol abuse, client authentication and
 * signals.  Run through t/integration/run.sh, which starts the cluster; each
 * test starts its own pgpin (see harness.h).
 *
 * Tests run one at a time (jobs = 1): several of them count server
 * connections or restart PostgreSQL, which other tests would disturb.
 * Tables are created straight on PostgreSQL, so a test's setup does not
 * depend on the pgpin it checks.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/logging.h>

extern char **environ;

#define IT(seconds) .init = h_setup, .fini = h_teardown, .timeout = (seconds)

/* A test's pgpin logs go to the test's output when it fails. */
ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	if (stats->test_status == CR_STATUS_FAILED)
		h_print_logs(stats->test->category, stats->test->name, 20000);
}

ReportHook(TEST_CRASH)(struct criterion_test_stats *stats)
{
	h_print_logs(stats->test->category, stats->test->name, 20000);
}

static bool sqlstate_is(const char *got, const char *a, const char *b)
{
	return strcmp(got, a) == 0 || (b && strcmp(got, b) == 0);
}

/* pgpin is still running and a fresh client can run a query through it. */
static void assert_healthy(struct h_pgpin *p)
{
	PGconn *c;

	cr_assert(h_pgpin_alive(p), "pgpin exited (wait status %#x)", p->status);
	c = h_connect(p, NULL);
	cr_assert_str_eq(h_value(c, "SELECT 'still-alive'"), "still-alive");
	PQfinish(c);
}

/* ================================================================ basic */

Test(basic, select_and_parameter_status, IT(30))
{
	/* What PostgreSQL reports at login; NULL: present, any value. */
	static const struct {
		const char *name, *want;
	} params[] = {
		{ "server_version", NULL },
		{ "server_encoding", "UTF8" },
		{ "client_encoding", "UTF8" },
		{ "DateStyle", "ISO, MDY" },
		{ "TimeZone", NULL },
		{ "integer_datetimes", "on" },
		{ "standard_conforming_strings", "on" },
		{ "application_name", "it-basic-app" },
		{ "is_superuser", "on" },
		{ "session_authorization", "pgpin_test" },
		{ "IntervalStyle", "postgres" },
	};
	struct h_pgpin *p = h_pgpin_start(NULL);
	/* libpq's default sslmode=prefer: pgpin has to answer the SSLRequest. */
	PGconn *c = h_connect(p, "sslmode=prefer application_name=it-basic-app");
	const char *v;

	cr_expect_str_eq(h_value(c, "SELECT 1"), "1");
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
		v = PQparameterStatus(c, params[i].name);
		cr_expect(v != NULL, "no ParameterStatus for %s", params[i].name);
		if (v && params[i].want)
			cr_expect_str_eq(v, params[i].want, "ParameterStatus %s", params[i].name);
	}
	v = PQparameterStatus(c, "server_version");
	cr_expect(v && strncmp(v, "15", 2) == 0, "server_version is '%s'", v ? v : "(none)");
	cr_expect(PQserverVersion(c) >= 150000 && PQserverVersion(c) < 160000,
		  "PQserverVersion() = %d", PQserverVersion(c));
	cr_expect(PQbackendPID(c) != 0, "no BackendKeyData (PQbackendPID() = 0)");
	cr_expect(!PQsslInUse(c), "TLS in use, but pgpin has no TLS configured");
	cr_expect_str_eq(h_value(c, "SELECT current_database()"), "pgpin_test");

	/* A SET that changes a reported parameter is reported to the client. */
	PQclear(h_exec(c, "SET application_name = 'it-renamed'"));
	v = PQparameterStatus(c, "application_name");
	cr_expect(v && strcmp(v, "it-renamed") == 0,
		  "application_name after SET is '%s'", v ? v : "(none)");
	PQfinish(c);
	h_done();
}

/*
 * Every login to a pool is welcomed with the pool's ParameterStatus set but
 * for what the client set itself, which must come back as PostgreSQL would
 * report it, whatever the clients before it in the same pool set.  Each
 * login is compared with a login to PostgreSQL directly with the same
 * settings.
 */
Test(basic, welcome_reports_each_clients_settings_like_postgres, IT(60))
{
	static const char *const names[] = {
		"server_encoding", "client_encoding", "DateStyle", "TimeZone",
		"integer_datetimes", "standard_conforming_strings", "application_name",
		"IntervalStyle", "server_version",
	};
	static const char *const logins[] = {
		"application_name=it-welcome-1",
		"application_name=it-welcome-2 options='-c DateStyle=ISO,\\\\ DMY'",
		"application_name=it-welcome-3 options='-c TimeZone=Asia/Tokyo -c IntervalStyle=iso_8601'",
		"application_name=it-welcome-4 client_encoding=LATIN1",
		"application_name=it-welcome-5 options='-c TimeZone=America/Sao_Paulo'",
		"application_name=it-welcome-1",
		/* Settings PostgreSQL reports in its own form, not the client's:
		 * pgpin has a server check them at the first login with each. */
		"application_name=it-welcome-6 options='-c DateStyle=german -c TimeZone=utc'",
		"application_name=it-welcome-7 options='-c datestyle=sql -c intervalstyle=SQL_STANDARD'",
		"application_name=it-welcome-8 client_encoding=latin1",
		/* "iso" keeps the date order it finds: PostgreSQL's default
		 * (MDY), not that of the German session the server had last. */
		"application_name=it-welcome-9 options='-c DateStyle=iso -c TimeZone=europe/berlin'",
		/* The same values again: known to the pool now. */
		"application_name=it-welcome-6 options='-c DateStyle=german -c TimeZone=utc'",
		"application_name=it-welcome-9 options='-c DateStyle=iso -c TimeZone=europe/berlin'",
		/* Settings PostgreSQL does not report, in its own form too. */
		"application_name=it-welcome-10 options='-c search_path=public,pg_catalog -c statement_timeout=90000'",
		/* postgres(1)'s own switches (-e: European dates); a setting
		 * given twice; settings that apply only when a server process
		 * starts, which PostgreSQL takes at login and a pooled session
		 * cannot (accepted, not applied). */
		"application_name=it-welcome-11 options='-c log_disconnections=on -e -fs'",
		"application_name=it-welcome-12 options='-c DateStyle=sql -c DateStyle=german,\\\\ ymd'",
		"application_name=it-welcome-13 options='--statement-timeout=1min -c post_auth_delay=0'",
	};
	const struct h_env *e = h_env();
	struct h_pgpin *p = h_pgpin_start(NULL);
	char direct[1024];

	for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++) {
		snprintf(direct, sizeof direct, "host=%s port=%d user=%s password=%s dbname=%s %s",
			 e->pghost, e->pgport, e->user, e->password, e->db, logins[i]);
		PGconn *d = PQconnectdb(direct);
		cr_assert(PQstatus(d) == CONNECTION_OK, "direct login %zu: %s", i,
			  PQerrorMessage(d));
		PGconn *c = h_connect(p, logins[i]);
		for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
			const char *want = PQparameterStatus(d, names[k]);
			const char *got = PQparameterStatus(c, names[k]);
			cr_expect(got && want && strcmp(got, want) == 0,
				  "login %zu (%s): %s is '%s' through pgpin, '%s' directly", i,
				  logins[i], names[k], got ? got : "(none)", want ? want : "(none)");
		}
		/* ...and the session has them. */
		cr_expect_str_eq(h_value(c, "SHOW TimeZone"), h_value(d, "SHOW TimeZone"),
				 "login %zu: TimeZone", i);
		cr_expect_str_eq(h_value(c, "SHOW DateStyle"), h_value(d, "SHOW DateStyle"),
				 "login %zu: DateStyle", i);
		cr_expect_str_eq(h_value(c, "SHOW search_path"), h_value(d, "SHOW search_path"),
				 "login %zu: search_path", i);
		cr_expect_str_eq(h_value(c, "SHOW statement_timeout"),
				 h_value(d, "SHOW statement_timeout"), "login %zu: statement_timeout", i);
		cr_expect_str_eq(h_value(c, "SELECT now()::date::text"),
				 h_value(d, "SELECT now()::date::text"), "login %zu: a date", i);
		PQfinish(d);
		PQfinish(c);
	}
	h_done();
}

/* What follows the last "failed: " in a libpq connection error: the
 * server's part (libpq may try twice, and say so for each). */
static const char *server_part(PGconn *c)
{
	const char *m = PQerrorMessage(c), *f, *last = NULL;
	for (f = strstr(m, "failed: "); f; f = strstr(f + 1, "failed: "))
		last = f;
	return last ? last + strlen("failed: ") : m;
}

/*
 * A startup setting PostgreSQL would refuse is refused by pgpin at login,
 * with PostgreSQL's own error (SQLSTATE, message, detail, hint), instead of
 * a session that silently lacks it.  The servers that checked the settings
 * are left as they were, and stay in the pool.
 */
Test(basic, bad_startup_settings_are_refused_like_postgres, IT(60))
{
	static const struct {
		const char *extra;
		const char *sqlstate;
	} logins[] = {
		{"options='-c DateStyle=bogus'", "22023"},
		{"options='-c IntervalStyle=nope'", "22023"},
		{"options='-c statement_timeout=soon'", "22023"},
		{"options='-c no_such_setting=1'", "42704"},
		{"options='-c DateStyle=ISO,\\\\ DMY,\\\\ SQL'", "22023"},
		{"options='-c TimeZone=Mars/Olympus_Mons -c DateStyle=german'", "22023"},
		{"client_encoding=no_such_encoding", "22023"},
		/* The options string, read as postgres(1) reads its command
		 * line: settings in order, then words that are not switches,
		 * then the other startup settings. */
		{"options='-c DateStyle=ISO, DMY'", "22023"},
		{"options='stray'", "42601"},
		{"options='-c DateStyle=bogus stray'", "22023"},
		{"options='stray -c DateStyle=bogus'", "22023"},
		{"options='-c DateStyle=german stray' client_encoding=no_such_encoding", "42601"},
		{"options='-c statement_timeout=1 -c'", "42601"},
		{"options='-c foo -c DateStyle=bogus'", "42601"},
		{"options='-c =x'", "42704"},
		{"options='-c DateStyle=bogus -c DateStyle=german'", "22023"},
		{"options='-B 10'", "55P02"},
		{"options='-f q'", "42601"},
		{"options='-x'", "42601"},
	};
	const struct h_env *e = h_env();
	struct h_pgpin_opts o = {.pool_size = 2};
	struct h_pgpin *p = h_pgpin_start(&o);
	char direct[1024], via[1024];

	/* Two servers open and idle. */
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL);
	h_exec(a, "BEGIN");
	h_exec(b, "SELECT 1");
	h_exec(a, "COMMIT");
	for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++) {
		snprintf(direct, sizeof direct, "host=%s port=%d user=%s password=%s dbname=%s %s",
			 e->pghost, e->pgport, e->user, e->password, e->db, logins[i].extra);
		PGconn *d = PQconnectdb(direct);
		cr_assert(PQstatus(d) == CONNECTION_BAD, "PostgreSQL accepts %s", logins[i].extra);
		snprintf(via, sizeof via, "%s", h_conninfo(p->port, logins[i].extra));
		PGconn *c = PQconnectdb(via);
		cr_expect(PQstatus(c) == CONNECTION_BAD, "pgpin accepts %s", logins[i].extra);
		cr_expect_str_eq(server_part(c), server_part(d), "login with %s", logins[i].extra);
		PQfinish(c);
		/* Verbose messages carry the SQLSTATE (and PostgreSQL's the
		 * source location, which pgpin's cannot). */
		c = h_connect_try(p->port, logins[i].extra);
		cr_expect_str_eq(h_sqlstate(c, NULL), logins[i].sqlstate, "SQLSTATE for %s: %s",
				 logins[i].extra, PQerrorMessage(c));
		PQfinish(d);
		PQfinish(c);
	}
	/* The servers are the two of before, in PostgreSQL's defaults. */
	cr_expect_eq(h_direct_long("SELECT count(*) FROM pg_stat_activity WHERE "
				   "datname = current_database() AND backend_type = 'client backend' "
				   "AND pid <> pg_backend_pid()"),
		     2);
	cr_expect_str_eq(h_value(a, "SHOW DateStyle"), "ISO, MDY");
	cr_expect_str_eq(h_value(b, "SHOW IntervalStyle"), "postgres");
	cr_expect_str_eq(h_value(a, "SHOW statement_timeout"), "0");
	PQfinish(a);
	PQfinish(b);
	assert_healthy(p);
	h_done();
}

/* Lines pgpin logs (at debug) for each settings check it runs. */
#define CHECK_LINE "checking startup settings on server"

/*
 * A pool remembers the settings a server checked: the same login again does
 * not wait for a server, until 64 other values have pushed it out.  Values
 * equal to the pool's own, and application names, never need a check.
 */
Test(basic, settings_checks_are_remembered_by_the_pool, IT(90))
{
	struct h_pgpin_opts o = {.log_level = "debug"};
	struct h_pgpin *p = h_pgpin_start(&o);
	char extra[128];
	PGconn *c;

	c = h_connect(p, "application_name=it-no-check options='-c DateStyle=ISO,\\\\ MDY'");
	cr_expect_str_eq(h_value(c, "SHOW DateStyle"), "ISO, MDY");
	PQfinish(c);
	cr_expect_eq(h_log_count(p, CHECK_LINE), 0, "a check ran for the pool's own values");

	for (int i = 0; i < 2; i++) {
		c = h_connect(p, "options='-c DateStyle=german'");
		cr_expect_str_eq(PQparameterStatus(c, "DateStyle"), "German, DMY", "login %d", i);
		cr_expect_str_eq(h_value(c, "SHOW DateStyle"), "German, DMY", "login %d", i);
		PQfinish(c);
	}
	cr_expect_eq(h_log_count(p, CHECK_LINE), 1, "the repeated login was checked again");

	/* 64 other values: the pool forgets the oldest. */
	for (int i = 0; i < 64; i++) {
		snprintf(extra, sizeof extra, "options='-c statement_timeout=%d'", 1000 + i);
		c = h_connect(p, extra);
		PQfinish(c);
	}
	cr_expect_eq(h_log_count(p, CHECK_LINE), 65);
	c = h_connect(p, "options='-c statement_timeout=1063'");
	cr_expect_str_eq(h_value(c, "SHOW statement_timeout"), "1063ms");
	PQfinish(c);
	cr_expect_eq(h_log_count(p, CHECK_LINE), 65, "the newest value was checked again");
	c = h_connect(p, "options='-c DateStyle=german'");
	cr_expect_str_eq(PQparameterStatus(c, "DateStyle"), "German, DMY");
	PQfinish(c);
	cr_expect_eq(h_log_count(p, CHECK_LINE), 66, "the oldest value was not checked again");
	h_done();
}

/* The backend pid of the only server of a pool, from PostgreSQL. */
static long only_server_pid(void)
{
	cr_assert_eq(h_direct_long("SELECT count(*) FROM pg_stat_activity WHERE "
				   "datname = current_database() AND backend_type = 'client backend' "
				   "AND pid <> pg_backend_pid()"),
		     1, "the pool does not have exactly one server");
	return h_direct_long("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
			     "AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
}

/*
 * A settings check that does not end (its server is stopped): the client
 * is cut off at client_login_timeout, or may leave; either way the server
 * finishes the check once it runs again and goes back to the pool as it
 * was.
 */
Test(basic, settings_check_that_does_not_end, IT(90))
{
	struct h_pgpin_opts o = {
		.pool_size = 1,
		.log_level = "debug",
		.args = H_ARGS("--client-login-timeout", "2"),
	};
	struct h_pgpin *p = h_pgpin_start(&o);
	PGconn *c = h_connect(p, NULL);
	struct h_async a;

	h_exec(c, "SELECT 1");
	PQfinish(c);
	pid_t server = (pid_t)only_server_pid();
	if (kill(server, SIGSTOP) != 0)
		cr_skip_test("cannot stop PostgreSQL's backend %d: %s", (int)server, strerror(errno));

	double t0 = h_now();
	c = h_connect_try(p->port, "options='-c DateStyle=german'");
	double took = h_now() - t0;
	bool refused = PQstatus(c) == CONNECTION_BAD;
	char state[6];
	snprintf(state, sizeof state, "%s", h_sqlstate(c, NULL));
	bool said_why = strstr(PQerrorMessage(c), "client_login_timeout") != NULL;
	PQfinish(c);
	kill(server, SIGCONT);
	cr_expect(refused, "the login went through with its server stopped");
	cr_expect_str_eq(state, "08006");
	cr_expect(said_why, "the error does not name client_login_timeout");
	cr_expect(took > 1.5 && took < 10, "cut off after %.1f s (client_login_timeout = 2)", took);
	cr_expect_eq(h_log_count(p, CHECK_LINE), 1);

	/* The check ends, and the same server serves the next client. */
	c = h_connect(p, NULL);
	cr_expect_eq(atol(h_value(c, "SELECT pg_backend_pid()")), server);
	cr_expect_str_eq(h_value(c, "SHOW DateStyle"), "ISO, MDY");
	PQfinish(c);

	/* A client that leaves during its check. */
	kill(server, SIGSTOP);
	h_async_start(&a, p->port, "options='-c DateStyle=sql'", "SELECT 1");
	for (int i = 0; i < 100 && h_log_count(p, CHECK_LINE) < 2; i++)
		h_async_poll(&a, 0.05);
	bool checking = h_log_count(p, CHECK_LINE) == 2 && !a.failed;
	h_async_close(&a);
	h_sleep(0.3);
	kill(server, SIGCONT);
	cr_expect(checking, "the second login never reached its check");
	c = h_connect(p, NULL);
	cr_expect_eq(atol(h_value(c, "SELECT pg_backend_pid()")), server,
		     "the server of the abandoned check was not given back");
	cr_expect_str_eq(h_value(c, "SHOW DateStyle"), "ISO, MDY");
	PQfinish(c);
	cr_expect_eq(only_server_pid(), server);
	assert_healthy(p);
	h_done();
}

Test(basic, endpoint_database_rules, IT(30))
{
	const struct h_env *e = h_env();
	char ep[512];
	struct h_pgpin *with_db, *without_db;
	PGconn *c;

	/* The endpoint names a database: clients may ask for any name. */
	with_db = h_pgpin_start(NULL);
	c = h_connect(with_db, "dbname=app");
	cr_expect_str_eq(h_value(c, "SELECT current_database()"), "pgpin_test");
	PQfinish(c);
	c = h_connect(with_db, "dbname=no_such_database");
	cr_expect_str_eq(h_value(c, "SELECT current_database()"), "pgpin_test");
	PQfinish(c);

	/* No database in a keyword endpoint: the client's database is passed
	 * through.  (A URI without one means k3s's "kubernetes".) */
	snprintf(ep, sizeof ep, "host=%s port=%d user=%s password=%s", e->pghost, e->pgport,
		 e->user, e->password);
	without_db = h_pgpin_start(&(struct h_pgpin_opts){ .endpoint = ep });
	c = h_connect(without_db, "dbname=app");
	cr_expect_str_eq(h_value(c, "SELECT current_database()"), "app");
	/* The endpoint's user is the one on the server side. */
	cr_expect_str_eq(h_value(c, "SELECT current_user"), "pgpin_test");
	PQfinish(c);
	h_done();
}

/* Run pgpin (not as a server) with args, without the test's PGPIN* variables. */
static int run_pgpin_cli(const char *const args[], char *out, size_t outlen)
{
	static char names[64][128];
	const char *argv[200];
	int n = 0, k = 0;

	argv[n++] = "env";
	for (char **v = environ; *v && k < 64; v++) {
		if (strncmp(*v, "PGPIN", 5) != 0)
			continue;
		snprintf(names[k], sizeof names[k], "%.*s", (int)strcspn(*v, "="), *v);
		argv[n++] = "-u";
		argv[n++] = names[k++];
	}
	argv[n++] = h_env()->pgpin;
	for (int i = 0; args[i] && n < 198; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return h_run(argv, 10, out, outlen);
}

Test(basic, check_prints_config_without_secrets, IT(30))
{
	const struct h_env *e = h_env();
	char ep[512], out[16384];
	int status;

	snprintf(ep, sizeof ep, "postgres://%s:%s@%s:%d/%s", e->user, e->password, e->pghost,
		 e->pgport, e->db);
	status = run_pgpin_cli(H_ARGS("--check", "--listen", "127.0.0.1:6543", "--datastore-endpoint",
				      ep, "--pool-mode", "session", "--pool-size", "7"),
			       out, sizeof out);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "pgpin --check: wait status %#x, output:\n%s", status, out);
	cr_expect(strstr(out, "session"), "--check output does not show pool mode session:\n%s", out);
	cr_expect(strstr(out, "6543"), "--check output does not show the listen port:\n%s", out);
	cr_expect(!strstr(out, e->password), "--check output shows the endpoint password:\n%s", out);

	status = run_pgpin_cli(H_ARGS("--no-such-option"), out, sizeof out);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) != 0,
		  "pgpin --no-such-option: wait status %#x", status);
}

/* ================================================================ pooling */

static long max_l(long a, long b)
{
	return a > b ? a : b;
}

/* Server connections of user pgpin_test, other than the observer's own. */
/*
 * Server connections on PostgreSQL opened since the time since (a text
 * from PostgreSQL's now()): over TCP, so not the test's own direct ones,
 * and not those of an earlier test's pgpin that are still going away.
 */
static long count_backends(PGconn *observer, const char *since)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM pg_stat_activity WHERE usename = 'pgpin_test' AND "
		 "backend_type = 'client backend' AND client_addr IS NOT NULL AND "
		 "backend_start >= '%s'::timestamptz",
		 since);
	return strtol(h_value(observer, sql), NULL, 10);
}

/* PostgreSQL's clock now, for count_backends() (static storage). */
static const char *backends_since(void)
{
	static char since[64];
	PGconn *c = h_direct();
	snprintf(since, sizeof since, "%s", h_value(c, "SELECT now()::text"));
	PQfinish(c);
	return since;
}

struct tx_client {
	char conninfo[1024];
	int id;
	int errors;
	char first_error[512];
	pthread_barrier_t *start;
	atomic_int *finished;
};

static void tx_error(struct tx_client *w, PGconn *c, const char *what)
{
	if (w->errors++ == 0)
		snprintf(w->first_error, sizeof w->first_error, "client %d: %s: %s", w->id, what,
			 PQerrorMessage(c));
}

static bool tx_exec(struct tx_client *w, PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		tx_error(w, c, sql);
	PQclear(r);
	return ok;
}

static void *tx_client_main(void *arg)
{
	struct tx_client *w = arg;
	PGconn *c = PQconnectdb(w->conninfo);
	bool connected = PQstatus(c) == CONNECTION_OK;

	if (!connected)
		tx_error(w, c, "connect");
	pthread_barrier_wait(w->start);
	for (int i = 0; connected && i < 50; i++) {
		char sql[128];

		snprintf(sql, sizeof sql, "INSERT INTO it_txpool VALUES (%d, %d)", w->id, i);
		if (!tx_exec(w, c, "BEGIN"))
			continue;
		if (!tx_exec(w, c, sql)) {
			PQclear(PQexec(c, "ROLLBACK"));
			continue;
		}
		tx_exec(w, c, "COMMIT");
	}
	PQfinish(c);
	atomic_fetch_add(w->finished, 1);
	return NULL;
}

Test(pooling, transaction_mode_more_clients_than_servers, IT(120))
{
	enum { NCLIENTS = 10 };
	struct tx_client w[NCLIENTS];
	pthread_t th[NCLIENTS];
	pthread_barrier_t start;
	atomic_int finished = 0;
	struct h_pgpin *p;
	PGconn *observer;
	long max_backends = 0, samples = 0;
	int errors = 0;

	h_direct_exec("DROP TABLE IF EXISTS it_txpool; CREATE TABLE it_txpool (client int, n int)");
	const char *since = backends_since();
	p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	pthread_barrier_init(&start, NULL, NCLIENTS + 1);
	for (int i = 0; i < NCLIENTS; i++) {
		w[i] = (struct tx_client){ .id = i, .start = &start, .finished = &finished };
		snprintf(w[i].conninfo, sizeof w[i].conninfo, "%s", h_conninfo(p->port, NULL));
		cr_assert(pthread_create(&th[i], NULL, tx_client_main, &w[i]) == 0);
	}
	observer = h_direct();
	pthread_barrier_wait(&start);
	/* Count pgpin's server connections on PostgreSQL while the clients run. */
	while (atomic_load(&finished) < NCLIENTS) {
		max_backends = max_l(max_backends, count_backends(observer, since));
		samples++;
		h_sleep(0.01);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(th[i], NULL);
		if (w[i].errors)
			cr_log_error("%s", w[i].first_error);
		errors += w[i].errors;
	}
	/* Once more, after the clients: the pool keeps its servers open. */
	max_backends = max_l(max_backends, count_backends(observer, since));
	PQfinish(observer);
	cr_log_info("server connections seen: at most %ld in %ld samples", max_backends, samples);
	cr_expect_eq(errors, 0, "%d errors in the clients (first ones logged above)", errors);
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_txpool"), NCLIENTS * 50);
	cr_expect_eq(h_direct_long("SELECT count(DISTINCT (client, n)) FROM it_txpool"), NCLIENTS * 50);
	/* A server pgpin closes leaves the pool at once, and a waiting client
	 * may get a new one while PostgreSQL still lists the old backend as
	 * it exits: three can then be seen, though never three logged in
	 * when only two ever were. */
	int logins = h_log_count(p, ": logged in");
	cr_log_info("pgpin logged %d server logins", logins);
	cr_expect(max_backends <= 2 || logins > 2,
		  "pool size 2, but %ld server connections at once (%d logins)", max_backends, logins);
	cr_expect(max_backends >= 1, "no server connection ever seen: is the observer broken?");
	h_done();
}

Test(pooling, session_mode_client_waits_for_a_server, IT(60))
{
	const char *since = backends_since();
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_mode = "session", .pool_size = 2 });
	PGconn *c1 = h_connect(p, NULL), *c2 = h_connect(p, NULL);
	struct h_async third;

	cr_assert_str_eq(h_value(c1, "SELECT 1"), "1");
	cr_assert_str_eq(h_value(c2, "SELECT 2"), "2");
	h_async_start(&third, p->port, NULL, "SELECT 3");
	cr_assert(!h_async_poll(&third, 1.5),
		  "a third client was served although both servers are taken (session mode, pool "
		  "size 2): failed=%d, result status %s, error: %s", third.failed,
		  PQresStatus(third.res.status), third.res.error);
	{
		PGconn *observer = h_direct();

		cr_expect_leq(count_backends(observer, since), 2);
		PQfinish(observer);
	}
	PQfinish(c1);
	cr_assert(h_async_poll(&third, 10), "the third client was not served within 10 s of a "
		  "server being released");
	cr_assert(!third.failed, "the third client failed: %s", third.res.error);
	cr_assert_eq(third.res.status, PGRES_TUPLES_OK, "third client: %s %s",
		     PQresStatus(third.res.status), third.res.error);
	cr_expect_str_eq(third.res.value, "3");
	cr_expect_str_eq(h_value(c2, "SELECT 'c2 still works'"), "c2 still works");
	h_async_close(&third);
	PQfinish(c2);
	h_done();
}

Test(pooling, query_wait_timeout_gives_an_error, IT(60))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){
		.pool_mode = "session", .pool_size = 1, .args = H_ARGS("--query-wait-timeout", "1") });
	PGconn *c1 = h_connect(p, NULL);
	struct h_async waiter;
	double waited;

	cr_assert_str_eq(h_value(c1, "SELECT 1"), "1");
	h_async_start(&waiter, p->port, NULL, "SELECT 2");
	cr_assert(h_async_poll(&waiter, 10), "a client waiting for a server got no answer within 10 s "
		  "with --query-wait-timeout 1");
	waited = waiter.finished - waiter.started;
	cr_assert(waiter.failed || waiter.res.status == PGRES_FATAL_ERROR,
		  "the waiting client was served: %s value %s", PQresStatus(waiter.res.status),
		  waiter.res.value);
	cr_expect(sqlstate_is(waiter.res.sqlstate, "53300", "08006"),
		  "SQLSTATE '%s' (want 53300 or 08006): %s", waiter.res.sqlstate, waiter.res.error);
	cr_expect(waited >= 0.8 && waited < 5, "the error came after %.2f s (want about 1 s)", waited);
	cr_expect_str_eq(h_value(c1, "SELECT 'c1 still works'"), "c1 still works");
	h_async_close(&waiter);
	PQfinish(c1);
	h_done();
}

/* ================================================================ extended protocol */

/* Bind of the unnamed statement to the unnamed portal, no parameters, and
 * Execute of that portal with no row limit: message bodies. */
static const char raw_bind[8] = {0};
static const char raw_execute[5] = {0};

static uint32_t be32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

Test(extended, prepared_unnamed_and_binary_results, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	PGconn *c = h_connect(p, NULL);
	const char *vals[3] = { "41", "abc", "\\x00ff10" };
	PGresult *r;

	r = PQprepare(c, "", "SELECT $1::int4 + 1, $2::text, $3::bytea", 3, NULL);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "Parse: %s", PQerrorMessage(c));
	PQclear(r);
	r = PQdescribePrepared(c, "");
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "Describe: %s", PQerrorMessage(c));
	cr_expect_eq(PQnparams(r), 3);
	cr_expect_eq(PQparamtype(r, 0), 23);
	cr_expect_eq(PQparamtype(r, 1), 25);
	cr_expect_eq(PQparamtype(r, 2), 17);
	cr_expect_eq(PQnfields(r), 3);
	PQclear(r);

	r = PQexecPrepared(c, "", 3, vals, NULL, NULL, 1);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "Bind/Execute: %s", PQerrorMessage(c));
	cr_assert_eq(PQntuples(r), 1);
	cr_expect_eq(PQfformat(r, 0), 1);
	cr_assert_eq(PQgetlength(r, 0, 0), 4);
	cr_expect_eq(be32(PQgetvalue(r, 0, 0)), 42);
	cr_assert_eq(PQgetlength(r, 0, 1), 3);
	cr_expect(memcmp(PQgetvalue(r, 0, 1), "abc", 3) == 0);
	cr_assert_eq(PQgetlength(r, 0, 2), 3);
	cr_expect(memcmp(PQgetvalue(r, 0, 2), "\x00\xff\x10", 3) == 0);
	PQclear(r);

	/* Binary parameter in, binary result out. */
	{
		uint64_t v = 12345678901ULL, got;
		uint32_t hi = htonl((uint32_t)(v >> 32)), lo = htonl((uint32_t)v);
		char bin[8];
		const char *pv[1] = { bin };
		int plen[1] = { 8 }, pfmt[1] = { 1 };
		Oid ptype[1] = { 20 };

		memcpy(bin, &hi, 4);
		memcpy(bin + 4, &lo, 4);
		r = PQexecParams(c, "SELECT $1::int8 * 2", 1, ptype, pv, plen, pfmt, 1);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
		cr_assert_eq(PQgetlength(r, 0, 0), 8);
		got = (uint64_t)be32(PQgetvalue(r, 0, 0)) << 32 | be32(PQgetvalue(r, 0, 0) + 4);
		cr_expect_eq(got, 2 * v);
		PQclear(r);
	}

	/* A NULL parameter. */
	{
		const char *pv[1] = { NULL };

		r = PQexecParams(c, "SELECT $1::text IS NULL", 1, NULL, pv, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "t");
		PQclear(r);
	}

	/* An error in Bind/Execute, then the connection goes on. */
	{
		const char *pv[1] = { "0" };

		r = PQexecParams(c, "SELECT 1 / $1::int", 1, NULL, pv, NULL, NULL, 0);
		cr_expect_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
		cr_expect_str_eq(h_sqlstate(c, r), "22012");
		PQclear(r);
		pv[0] = "4";
		r = PQexecParams(c, "SELECT 8 / $1::int", 1, NULL, pv, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "after an error: %s", PQerrorMessage(c));
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "2");
		PQclear(r);
	}

	/* A named statement used inside one transaction. */
	{
		const char *pv[1] = { "7" };

		PQclear(h_exec(c, "BEGIN"));
		r = PQprepare(c, "it_named", "SELECT $1::int * 10", 1, NULL);
		cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
		PQclear(r);
		r = PQexecPrepared(c, "it_named", 1, pv, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "70");
		PQclear(r);
		PQclear(h_exec(c, "DEALLOCATE it_named"));
		PQclear(h_exec(c, "COMMIT"));
	}
	PQfinish(c);
	h_done();
}

struct pipe_client {
	char conninfo[1024];
	int id;
	int errors;
	int rounds_done;
	char first_error[512];
};

static void pipe_error(struct pipe_client *w, const char *fmt, const char *detail, int round, int q)
{
	if (w->errors++ == 0)
		snprintf(w->first_error, sizeof w->first_error, "client %d round %d query %d: %s %s",
			 w->id, round, q, fmt, detail ? detail : "");
}

/*
 * 25 rounds of 5 pipelined queries and a Sync; every fifth round the third
 * query fails, so the fourth and fifth are skipped by the server.
 */
static void *pipe_client_main(void *arg)
{
	struct pipe_client *w = arg;
	PGconn *c = PQconnectdb(w->conninfo);

	if (PQstatus(c) != CONNECTION_OK || !PQenterPipelineMode(c)) {
		pipe_error(w, "connect/enter pipeline:", PQerrorMessage(c), -1, -1);
		PQfinish(c);
		return NULL;
	}
	for (int round = 0; round < 25 && !w->errors; round++) {
		bool fail_round = round % 5 == 4;
		char vals[5][16];

		for (int q = 0; q < 5; q++) {
			const char *pv[1] = { vals[q] };
			const char *sql = fail_round && q == 2 ? "SELECT 1 / ($1::int - $1::int)"
							       : "SELECT $1::int * 2";

			snprintf(vals[q], sizeof vals[q], "%d", w->id * 1000 + round * 10 + q);
			if (!PQsendQueryParams(c, sql, 1, NULL, pv, NULL, NULL, 0))
				pipe_error(w, "send:", PQerrorMessage(c), round, q);
		}
		if (!PQpipelineSync(c))
			pipe_error(w, "sync:", PQerrorMessage(c), round, -1);
		for (int q = 0; q < 5 && !w->errors; q++) {
			PGresult *r = PQgetResult(c);
			ExecStatusType want = !fail_round || q < 2 ? PGRES_TUPLES_OK
					      : q == 2 ? PGRES_FATAL_ERROR : PGRES_PIPELINE_ABORTED;
			char expect[16];

			if (PQresultStatus(r) != want) {
				pipe_error(w, PQresStatus(PQresultStatus(r)), PQerrorMessage(c), round, q);
			} else if (want == PGRES_TUPLES_OK) {
				snprintf(expect, sizeof expect, "%d", 2 * atoi(vals[q]));
				if (strcmp(PQgetvalue(r, 0, 0), expect) != 0)
					pipe_error(w, "wrong value", PQgetvalue(r, 0, 0), round, q);
			}
			PQclear(r);
			r = PQgetResult(c); /* NULL ends each query's results */
			if (r) {
				pipe_error(w, "extra result", PQresStatus(PQresultStatus(r)), round, q);
				PQclear(r);
			}
		}
		if (!w->errors) {
			PGresult *r = PQgetResult(c);

			if (PQresultStatus(r) != PGRES_PIPELINE_SYNC)
				pipe_error(w, "want PIPELINE_SYNC, got", PQresStatus(PQresultStatus(r)),
					   round, 5);
			PQclear(r);
			w->rounds_done++;
		}
	}
	if (!w->errors && !PQexitPipelineMode(c))
		pipe_error(w, "exit pipeline:", PQerrorMessage(c), -1, -1);
	PQfinish(c);
	return NULL;
}

/*
 * An error answers a Parse that came with Flush, before the client's Sync:
 * PostgreSQL then ignores the Bind and Execute the client sends next and
 * answers the Sync with ReadyForQuery; the connection goes on.  (libpq's
 * and psycopg's pipeline mode do this once their buffer fills before the
 * Sync.)
 */
Test(extended, an_error_before_the_sync_skips_to_it, IT(60))
{
	static const char parse[] = "\0SELEC 1\0\0\0";
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	uint8_t buf[256];
	struct h_msg m;
	int fd = h_tcp_connect(p->port);

	h_raw_login(fd, h_env()->user, h_env()->db);
	size_t n = h_message(buf, sizeof buf, 'P', parse, sizeof parse - 1);
	n += h_message(buf + n, sizeof buf - n, 'H', "", 0);
	cr_assert_eq(h_send(fd, buf, n), n);
	for (char type = 0; type != 'E';) {
		cr_assert_eq(h_read_msg(fd, &m, 5), 1, "no ErrorResponse to the bad Parse");
		type = m.type;
		if (type == 'E')
			cr_expect_str_eq(h_msg_field(&m, 'C'), "42601");
		h_msg_free(&m);
	}
	n = h_message(buf, sizeof buf, 'B', raw_bind, sizeof raw_bind);
	n += h_message(buf + n, sizeof buf - n, 'E', raw_execute, sizeof raw_execute);
	n += h_message(buf + n, sizeof buf - n, 'S', "", 0);
	cr_assert_eq(h_send(fd, buf, n), n);
	cr_assert_eq(h_read_msg(fd, &m, 5), 1, "no ReadyForQuery for the Sync (connection lost?)");
	cr_expect_eq(m.type, 'Z', "'%c' where ReadyForQuery was due: %s", m.type,
		     m.type == 'E' ? h_msg_field(&m, 'M') : "");
	h_msg_free(&m);
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'goes on'"), "goes on");
	close(fd);
	h_done();
}

/*
 * Parse/Bind/Execute and Flush with no Sync, then a simple Query: on
 * PostgreSQL the Query ends the implicit transaction (ReadyForQuery 'I'),
 * so in transaction mode the server is free for the next client (pool of
 * one), who must not wait for it.
 */
Test(extended, a_simple_query_ends_a_batch_left_without_sync, IT(60))
{
	static const char parse[] = "\0SELECT 1\0\0\0";
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	uint8_t buf[256];
	struct h_msg m;
	int fd = h_tcp_connect(p->port);

	h_raw_login(fd, h_env()->user, h_env()->db);
	size_t n = h_message(buf, sizeof buf, 'P', parse, sizeof parse - 1);
	n += h_message(buf + n, sizeof buf - n, 'B', raw_bind, sizeof raw_bind);
	n += h_message(buf + n, sizeof buf - n, 'E', raw_execute, sizeof raw_execute);
	n += h_message(buf + n, sizeof buf - n, 'H', "", 0);
	cr_assert_eq(h_send(fd, buf, n), n);
	for (const char *want = "12DC"; *want;) {
		cr_assert_eq(h_read_msg(fd, &m, 5), 1, "no reply '%c' to the batch", *want);
		if (m.type != 'S') { /* the settings pgpin applies say so */
			cr_assert_eq(m.type, *want, "reply '%c' where '%c' was due: %s", m.type,
				     *want, m.type == 'E' ? h_msg_field(&m, 'M') : "");
			want++;
		}
		h_msg_free(&m);
	}
	n = h_message(buf, sizeof buf, 'Q', "SELECT 2", sizeof "SELECT 2");
	cr_assert_eq(h_send(fd, buf, n), n);
	char last = 0;
	while (last != 'Z') {
		cr_assert_eq(h_read_msg(fd, &m, 5), 1, "no ReadyForQuery for the Query");
		last = m.type;
		if (last == 'Z')
			cr_expect_eq(m.body[0], 'I');
		h_msg_free(&m);
	}
	struct h_async b;
	h_async_start(&b, p->port, NULL, "SELECT 'b served'");
	cr_expect(h_async_poll(&b, 3), "the next client waited 3 s for the server the batch's "
		  "client no longer needs");
	h_async_close(&b);
	close(fd);
	h_done();
}

Test(extended, pipelines_of_four_clients_through_one_server, IT(90))
{
	enum { NCLIENTS = 4 };
	struct pipe_client w[NCLIENTS];
	pthread_t th[NCLIENTS];
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });

	for (int i = 0; i < NCLIENTS; i++) {
		w[i] = (struct pipe_client){ .id = i + 1 };
		snprintf(w[i].conninfo, sizeof w[i].conninfo, "%s", h_conninfo(p->port, NULL));
		cr_assert(pthread_create(&th[i], NULL, pipe_client_main, &w[i]) == 0);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(w[i].errors, 0, "%s", w[i].first_error);
		cr_expect_eq(w[i].rounds_done, 25, "client %d finished %d of 25 rounds", w[i].id,
			     w[i].rounds_done);
	}
	h_done();
}

struct named_client {
	char conninfo[1024];
	int id;
	int errors;
	char first_error[512];
};

static void named_error(struct named_client *w, const char *what, PGconn *c, int i)
{
	if (w->errors++ == 0)
		snprintf(w->first_error, sizeof w->first_error, "client %d step %d: %s: %s", w->id, i,
			 what, PQerrorMessage(c));
}

/* Execute it_stmt with i; it must return i + the client's id. */
static void named_exec(struct named_client *w, PGconn *c, int i)
{
	char val[16], want[16];
	const char *pv[1] = { val };
	PGresult *r;

	snprintf(val, sizeof val, "%d", i);
	snprintf(want, sizeof want, "%d", i + w->id);
	r = PQexecPrepared(c, "it_stmt", 1, pv, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		named_error(w, "execute it_stmt", c, i);
	else if (strcmp(PQgetvalue(r, 0, 0), want) != 0)
		named_error(w, "it_stmt returned another client's result", c, i);
	PQclear(r);
}

/*
 * Every client prepares a statement of the same name with its own text, then
 * uses it from transaction to transaction while servers change hands.
 */
static void *named_client_main(void *arg)
{
	struct named_client *w = arg;
	PGconn *c = PQconnectdb(w->conninfo);
	char sql[64];
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK) {
		named_error(w, "connect", c, -1);
		PQfinish(c);
		return NULL;
	}
	snprintf(sql, sizeof sql, "SELECT $1::int + %d", w->id);
	r = PQprepare(c, "it_stmt", sql, 1, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		named_error(w, "prepare", c, -1);
	PQclear(r);
	for (int i = 0; i < 60 && !w->errors; i++) {
		named_exec(w, c, i);
		if (i % 3 == 0) {
			/* A transaction in between, so that servers rotate. */
			PQclear(PQexec(c, "BEGIN"));
			named_exec(w, c, i);
			PQclear(PQexec(c, "SELECT pg_sleep(0.001)"));
			PQclear(PQexec(c, "COMMIT"));
		}
		if (i % 20 == 10) {
			r = PQdescribePrepared(c, "it_stmt");
			if (PQresultStatus(r) != PGRES_COMMAND_OK || PQnparams(r) != 1 ||
			    PQparamtype(r, 0) != 23)
				named_error(w, "describe it_stmt", c, i);
			PQclear(r);
		}
	}
	/* After DEALLOCATE the name is gone, and can be prepared again. */
	PQclear(PQexec(c, "DEALLOCATE it_stmt"));
	r = PQexecPrepared(c, "it_stmt", 1, (const char *const[]){ "1" }, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_FATAL_ERROR ||
	    strcmp(h_sqlstate(NULL, r), "26000") != 0)
		named_error(w, "it_stmt still exists after DEALLOCATE", c, 60);
	PQclear(r);
	r = PQprepare(c, "it_stmt", sql, 1, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		named_error(w, "prepare again", c, 61);
	PQclear(r);
	if (!w->errors)
		named_exec(w, c, 62);
	PQfinish(c);
	return NULL;
}

Test(extended, named_prepared_statements_under_transaction_pooling, IT(90))
{
	enum { NCLIENTS = 4 };
	struct named_client w[NCLIENTS];
	pthread_t th[NCLIENTS];
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });

	for (int i = 0; i < NCLIENTS; i++) {
		w[i] = (struct named_client){ .id = (i + 1) * 1000 };
		snprintf(w[i].conninfo, sizeof w[i].conninfo, "%s", h_conninfo(p->port, NULL));
		cr_assert(pthread_create(&th[i], NULL, named_client_main, &w[i]) == 0);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(w[i].errors, 0, "%s", w[i].first_error);
	}
	h_done();
}

/* ================================================================ COPY and streaming */

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

Test(copy, in_and_out_100k_rows, IT(120))
{
	enum { NROWS = 100000 };
	struct h_pgpin *p;
	PGconn *c;
	PGresult *r;
	uint64_t sent_hash = 14695981039346656037ULL, got_hash = 14695981039346656037ULL;
	static char buf[70000];
	size_t used = 0;
	long rows = 0;
	char *row;
	int n;

	h_direct_exec("DROP TABLE IF EXISTS it_copy; CREATE TABLE it_copy (id int PRIMARY KEY, v text)");
	p = h_pgpin_start(NULL);
	c = h_connect(p, NULL);

	r = PQexec(c, "COPY it_copy (id, v) FROM STDIN");
	cr_assert_eq(PQresultStatus(r), PGRES_COPY_IN, "COPY FROM STDIN: %s", PQerrorMessage(c));
	PQclear(r);
	for (int i = 1; i <= NROWS; i++) {
		int len = snprintf(buf + used, sizeof buf - used, "%d\trow %d \\\\ %08x\n", i, i,
				   (unsigned)(i * 2654435761u));

		sent_hash = fnv1a(sent_hash, buf + used, (size_t)len);
		used += (size_t)len;
		if (used > 60000 || i == NROWS) {
			cr_assert_eq(PQputCopyData(c, buf, (int)used), 1, "PQputCopyData: %s",
				     PQerrorMessage(c));
			used = 0;
		}
	}
	cr_assert_eq(PQputCopyEnd(c, NULL), 1, "PQputCopyEnd: %s", PQerrorMessage(c));
	r = PQgetResult(c);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "end of COPY IN: %s", PQerrorMessage(c));
	cr_expect_str_eq(PQcmdTuples(r), "100000");
	PQclear(r);
	cr_assert_null(PQgetResult(c));
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_copy"), NROWS);

	r = PQexec(c, "COPY (SELECT id, v FROM it_copy ORDER BY id) TO STDOUT");
	cr_assert_eq(PQresultStatus(r), PGRES_COPY_OUT, "COPY TO STDOUT: %s", PQerrorMessage(c));
	PQclear(r);
	while ((n = PQgetCopyData(c, &row, 0)) > 0) {
		got_hash = fnv1a(got_hash, row, (size_t)n);
		rows++;
		PQfreemem(row);
	}
	cr_assert_eq(n, -1, "PQgetCopyData: %s", PQerrorMessage(c));
	r = PQgetResult(c);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "end of COPY OUT: %s", PQerrorMessage(c));
	PQclear(r);
	cr_assert_null(PQgetResult(c));
	cr_expect_eq(rows, NROWS);
	cr_expect_eq(got_hash, sent_hash, "the rows read back differ from the rows written");
	PQfinish(c);
	h_done();
}

Test(copy, failures_leave_the_connection_usable, IT(60))
{
	struct h_pgpin *p;
	PGconn *c, *other;
	PGresult *r;
	static const char good[] = "1\tone\n2\ttwo\n", bad[] = "three\tthree\n";
	char *row;
	int n, rows = 0;

	h_direct_exec("DROP TABLE IF EXISTS it_copyfail; CREATE TABLE it_copyfail (id int, v text)");
	p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	c = h_connect(p, NULL);

	/* Bad data: the server fails the COPY. */
	r = PQexec(c, "COPY it_copyfail FROM STDIN");
	cr_assert_eq(PQresultStatus(r), PGRES_COPY_IN, "%s", PQerrorMessage(c));
	PQclear(r);
	cr_assert_eq(PQputCopyData(c, good, sizeof good - 1), 1);
	cr_assert_eq(PQputCopyData(c, bad, sizeof bad - 1), 1);
	cr_assert_eq(PQputCopyEnd(c, NULL), 1);
	r = PQgetResult(c);
	cr_expect_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	cr_expect_str_eq(h_sqlstate(c, r), "22P02");
	PQclear(r);
	cr_assert_null(PQgetResult(c));
	cr_expect_str_eq(h_value(c, "SELECT 'after bad data'"), "after bad data");

	/* The client gives up (CopyFail). */
	r = PQexec(c, "COPY it_copyfail FROM STDIN");
	cr_assert_eq(PQresultStatus(r), PGRES_COPY_IN, "%s", PQerrorMessage(c));
	PQclear(r);
	cr_assert_eq(PQputCopyData(c, good, sizeof good - 1), 1);
	cr_assert_eq(PQputCopyEnd(c, "client gave up"), 1);
	r = PQgetResult(c);
	cr_expect_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	cr_expect_str_eq(h_sqlstate(c, r), "57014");
	PQclear(r);
	cr_assert_null(PQgetResult(c));
	cr_expect_str_eq(h_value(c, "SELECT 'after CopyFail'"), "after CopyFail");

	/* COPY TO STDOUT that fails half way. */
	r = PQexec(c, "COPY (SELECT 1 / (g - 5000) FROM generate_series(1, 10000) g) TO STDOUT");
	cr_assert_eq(PQresultStatus(r), PGRES_COPY_OUT, "%s", PQerrorMessage(c));
	PQclear(r);
	while ((n = PQgetCopyData(c, &row, 0)) > 0) {
		rows++;
		PQfreemem(row);
	}
	cr_expect_eq(n, -1, "PQgetCopyData: %s", PQerrorMessage(c));
	r = PQgetResult(c);
	cr_expect_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	cr_expect_str_eq(h_sqlstate(c, r), "22012");
	PQclear(r);
	cr_assert_null(PQgetResult(c));
	cr_expect_eq(rows, 4999);
	cr_expect_str_eq(h_value(c, "SELECT 'after failed COPY OUT'"), "after failed COPY OUT");

	/* Nothing was left half done on the only server. */
	other = h_connect(p, NULL);
	cr_expect_str_eq(h_value(other, "SELECT count(*) FROM it_copyfail"), "0");
	cr_expect_str_eq(h_value(other, "SELECT txid_current_if_assigned() IS NULL"), "t");
	PQfinish(other);
	PQfinish(c);
	h_done();
}

/* pgpin on a SQLite directory of its own in the tests' scratch directory. */
static struct h_pgpin *lite_pgpin_start(const char *name, const char *const *args)
{
	char ep[600];
	snprintf(ep, sizeof ep, "sqlite:%s/%s-lite-%d/", h_env()->tmpdir, name, (int)getpid());
	struct h_pgpin_opts o = {.endpoint = ep, .args = args};
	return h_pgpin_start(&o);
}

/*
 * On SQLite, replies go to the socket from the session's thread while the
 * socket takes them, and through the loop when it does not.  A client that
 * sends many queries and then reads slowly makes replies switch between
 * the two paths: they still arrive whole and in order.
 */
Test(streaming, sqlite_replies_keep_their_order_when_the_client_reads_slowly, IT(120))
{
	enum { ROWS = 200, QUERIES = 60, WIDTH = 1000 };
	char v[WIDTH + 1], num[16];
	struct h_pgpin *p = lite_pgpin_start("order", NULL);
	PGconn *c = h_connect(p, "dbname=postgres");

	PQclear(h_exec(c, "CREATE TABLE it_big (i int PRIMARY KEY, v text)"));
	PQclear(h_exec(c, "BEGIN"));
	for (int i = 1; i <= ROWS; i++) {
		memset(v, 'a' + i % 26, WIDTH);
		v[WIDTH] = '\0';
		snprintf(num, sizeof num, "%d", i);
		const char *params[2] = {num, v};
		PGresult *r = PQexecParams(c, "INSERT INTO it_big VALUES ($1, $2)", 2, NULL, params,
					   NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
		PQclear(r);
	}
	PQclear(h_exec(c, "COMMIT"));

	cr_assert(PQenterPipelineMode(c));
	for (int k = 0; k < QUERIES; k++) {
		snprintf(num, sizeof num, "%d", k);
		const char *params[1] = {num};
		cr_assert(PQsendQueryParams(c, "SELECT i, v, $1::int AS q FROM it_big ORDER BY i", 1,
					    NULL, params, NULL, NULL, 0),
			  "%s", PQerrorMessage(c));
	}
	cr_assert(PQpipelineSync(c));
	/* About 12 MB of replies pile up: the socket fills, then the loop's
	 * buffers, then the thread waits. */
	h_sleep(1.0);
	for (int k = 0; k < QUERIES; k++) {
		PGresult *r = PQgetResult(c);
		cr_assert(r && PQresultStatus(r) == PGRES_TUPLES_OK, "query %d: %s", k,
			  r ? PQresultErrorMessage(r) : "no result");
		cr_assert_eq(PQntuples(r), ROWS, "query %d", k);
		for (int i = 0; i < ROWS; i++) {
			cr_assert_eq(atoi(PQgetvalue(r, i, 0)), i + 1, "query %d row %d", k, i);
			cr_assert_eq(atoi(PQgetvalue(r, i, 2)), k, "query %d row %d: the reply of "
				     "another query", k, i);
			const char *got = PQgetvalue(r, i, 1);
			cr_assert(strlen(got) == WIDTH && got[0] == 'a' + (i + 1) % 26 &&
					  got[WIDTH - 1] == got[0],
				  "query %d row %d: value damaged", k, i);
		}
		PQclear(r);
		cr_assert_null(PQgetResult(c), "query %d: more than one result", k);
	}
	PGresult *r = PQgetResult(c);
	cr_assert(r && PQresultStatus(r) == PGRES_PIPELINE_SYNC);
	PQclear(r);
	cr_assert(PQexitPipelineMode(c));
	cr_expect_str_eq(h_value(c, "SELECT count(*) FROM it_big"), "200");
	PQfinish(c);
	h_done();
}

enum fast_read { FAST_DONE, FAST_STALLED, FAST_GARBLED };

/*
 * A reader of raw bytes as fast as recv() goes, for the replies to one
 * simple Query of SELECTs of narrow rows: it counts the DataRows and
 * returns FAST_DONE at the ReadyForQuery, FAST_STALLED when nothing comes
 * for timeout seconds, FAST_GARBLED at a message that cannot be one of
 * those replies (bytes out of order).  Bytes read: *total.
 */
static enum fast_read read_rows_fast(int fd, double timeout, size_t *total, long *rows)
{
	static uint8_t buf[256 * 1024];
	uint8_t hdr[5];
	size_t have_hdr = 0, body_left = 0;

	*total = 0; /* bytes before buf */
	*rows = 0;
	for (;;) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, (int)(timeout * 1000)) <= 0)
			return FAST_STALLED;
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n <= 0)
			return FAST_STALLED;
		for (size_t i = 0; i < (size_t)n;) {
			if (body_left > 0) {
				size_t k = (size_t)n - i < body_left ? (size_t)n - i : body_left;
				i += k;
				body_left -= k;
				continue;
			}
			hdr[have_hdr++] = buf[i++];
			if (have_hdr < 5)
				continue;
			have_hdr = 0;
			uint32_t len = be32((const char *)hdr + 1);
			if (!hdr[0] || !strchr("TDCZ", hdr[0]) || len < 4 || len > 4096) {
				*total += i;
				return FAST_GARBLED;
			}
			body_left = len - 4;
			if (hdr[0] == 'D')
				(*rows)++;
			if (hdr[0] == 'Z') {
				*total += i;
				return FAST_DONE;
			}
		}
		*total += (size_t)n;
	}
}

/*
 * The other half of the order test: a client that pauses while replies
 * pile up on SQLite, then reads as fast as it can.  The loop then moves
 * the thread's replies in parts the socket takes whole, which leaves no
 * write pending to call it back: it must go on by itself until the last
 * part is out.  Whether the socket takes a part whole is timing, so eight
 * clients try in turn (when the loop stopped after one part, from two to
 * six of the eight were left waiting).
 */
Test(streaming, sqlite_replies_all_reach_a_client_that_reads_fast_after_a_pause, IT(120))
{
	enum { ROWS = 200, QUERIES = 60, WIDTH = 1000, ATTEMPTS = 8 };
	struct h_pgpin *p = lite_pgpin_start("fast", NULL);
	PGconn *c = h_connect(p, "dbname=postgres");
	char sql[WIDTH + 64];
	int stalled = 0;

	PQclear(h_exec(c, "CREATE TABLE it_big (i int PRIMARY KEY, v text)"));
	PQclear(h_exec(c, "BEGIN"));
	for (int i = 1; i <= ROWS; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO it_big VALUES (%d, '%0*d')", i, WIDTH, i);
		PQclear(h_exec(c, sql));
	}
	PQclear(h_exec(c, "COMMIT"));
	PQfinish(c);

	/* One simple Query of QUERIES statements: about 12 MB of replies. */
	static const char one[] = "SELECT i, v FROM it_big;";
	static char q[QUERIES * sizeof one];
	static uint8_t msg[sizeof q + 8];
	for (int k = 0; k < QUERIES; k++)
		strcat(q, one);
	size_t msg_len = h_message(msg, sizeof msg, 'Q', q, strlen(q) + 1);

	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		int fd = h_tcp_connect(p->port);
		h_raw_login(fd, h_env()->user, "postgres");
		h_send(fd, msg, msg_len);
		h_sleep(1.0); /* the socket, the loop's buffer and the outbox fill */
		size_t total;
		long rows;
		enum fast_read got = read_rows_fast(fd, 5.0, &total, &rows);
		if (got == FAST_STALLED) {
			stalled++;
			cr_log_error("attempt %d: replies stopped after %zu bytes, %ld of %d rows",
				     attempt, total, rows, ROWS * QUERIES);
		}
		cr_expect_neq(got, FAST_GARBLED, "attempt %d: the replies are out of order at "
			      "byte %zu (after %ld rows)", attempt, total, rows);
		if (got == FAST_DONE)
			cr_expect_eq(rows, ROWS * QUERIES, "attempt %d", attempt);
		close(fd);
	}
	cr_expect_eq(stalled, 0, "%d of %d clients never got the rest of their replies", stalled,
		     ATTEMPTS);
	h_done();
}

Test(streaming, large_result_with_bounded_memory, IT(180))
{
	enum { NROWS = 300000 };
	char asan[1024];
	struct h_pgpin *p;
	PGconn *c;
	PGresult *r;
	long rows = 0, bad = 0, hwm_kb, max_rss_kb = 0;
	bool paused = false;

	/* A smaller ASan quarantine, so that freed buffers do not count as held. */
	snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%squarantine_size_mb=16",
		 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "",
		 getenv("ASAN_OPTIONS") ? ":" : "");
	p = h_pgpin_start(&(struct h_pgpin_opts){ .log_level = "info", .env = H_ARGS(asan) });
	c = h_connect(p, NULL);

	cr_assert(PQsendQuery(c, "SELECT repeat('x', 1000) FROM generate_series(1, 300000)"),
		  "%s", PQerrorMessage(c));
	cr_assert(PQsetSingleRowMode(c), "single-row mode refused");
	while ((r = PQgetResult(c))) {
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_SINGLE_TUPLE) {
			rows++;
			if (PQgetlength(r, 0, 0) != 1000 || PQgetvalue(r, 0, 0)[999] != 'x')
				bad++;
		} else {
			cr_assert_eq(st, PGRES_TUPLES_OK, "after %ld rows: %s %s", rows,
				     PQresStatus(st), PQerrorMessage(c));
		}
		PQclear(r);
		/* A slow reader: pgpin must stop reading from the server meanwhile. */
		if (rows == 1000 && !paused) {
			paused = true;
			h_sleep(2);
		}
		if (rows % 10000 == 0) {
			long rss = h_proc_kb(p->pid, "VmRSS");

			if (rss > max_rss_kb)
				max_rss_kb = rss;
		}
	}
	hwm_kb = h_proc_kb(p->pid, "VmHWM");
	cr_log_info("pgpin VmHWM %ld kB, largest VmRSS sampled %ld kB, for a %d MB result", hwm_kb,
		    max_rss_kb, NROWS / 1000);
	cr_expect_eq(rows, NROWS);
	cr_expect_eq(bad, 0, "%ld rows with wrong content", bad);
	cr_assert_gt(hwm_kb, 0, "cannot read VmHWM of pgpin (pid %d)", p->pid);
	cr_expect_lt(hwm_kb, 100 * 1024, "pgpin's peak RSS was %ld kB for a 300 MB result: it buffers "
		     "instead of streaming", hwm_kb);
	cr_expect_str_eq(h_value(c, "SELECT 'after large result'"), "after large result");
	PQfinish(c);
	h_done();
}

/* ================================================================ cancel */

Test(cancel, cancel_request_stops_the_query, IT(60))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	PGconn *c = h_connect(p, NULL);
	PGcancel *cancel;
	char err[256];
	struct h_result res;
	double t0;

	cr_assert(PQsendQuery(c, "SELECT pg_sleep(30)"), "%s", PQerrorMessage(c));
	h_sleep(0.5);
	cancel = PQgetCancel(c);
	cr_assert(cancel, "PQgetCancel: no cancel key");
	t0 = h_now();
	cr_assert(PQcancel(cancel, err, sizeof err), "PQcancel: %s", err);
	PQfreeCancel(cancel);
	res = h_collect(c, 10);
	cr_assert(res.done, "the cancelled query had not ended 10 s later");
	cr_expect_eq(res.status, PGRES_FATAL_ERROR, "status %s", PQresStatus(res.status));
	cr_expect_str_eq(res.sqlstate, "57014", "%s", res.error);
	cr_expect_lt(h_now() - t0, 5.0, "the cancel took %.1f s", h_now() - t0);
	cr_expect_str_eq(h_value(c, "SELECT 'after cancel'"), "after cancel");
	PQfinish(c);
	h_done();
}

static void send_cancel_request(int port, uint32_t pid, uint32_t key)
{
	uint32_t pkt[4] = { htonl(16), htonl(80877102), htonl(pid), htonl(key) };
	int fd = h_tcp_connect(port);

	cr_assert_eq(h_send(fd, pkt, sizeof pkt), sizeof pkt);
	cr_expect(h_raw_closed(fd, 5), "pgpin did not close the CancelRequest connection");
	close(fd);
}

/* The SQLSTATE of the result of the query c sent (h_sqlstate's, or "ok"). */
static const char *collect_state(PGconn *c, char *buf, size_t len)
{
	PGresult *r;
	snprintf(buf, len, "ok");
	while ((r = PQgetResult(c))) {
		if (PQresultStatus(r) == PGRES_FATAL_ERROR)
			snprintf(buf, len, "%s", h_sqlstate(c, r));
		PQclear(r);
	}
	return buf;
}

/*
 * A cancel sent just as a client's query ends must not reach the query of
 * the client that gets the server next (pool of one): on PostgreSQL a
 * client's key reaches only its own backend.  The server goes to nobody
 * else until PostgreSQL has taken the request.
 */
Test(cancel, a_late_cancel_does_not_reach_the_next_client, IT(120))
{
	enum { TRIES = 40 };
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL);
	PGcancel *cancel_a = PQgetCancel(a);
	char err[256], state_a[16], state_b[16];
	int hits = 0, a_cancelled = 0;

	for (int i = 0; i < TRIES; i++) {
		cr_assert(PQsendQuery(a, "SELECT pg_sleep(0.02)"));
		h_sleep(0.001);
		cr_assert(PQsendQuery(b, "SELECT pg_sleep(0.3)")); /* waits for the server */
		h_sleep(0.011 + (i % 10) * 0.001);
		cr_assert(PQcancel(cancel_a, err, sizeof err), "%s", err);
		collect_state(a, state_a, sizeof state_a);
		collect_state(b, state_b, sizeof state_b);
		a_cancelled += strcmp(state_a, "57014") == 0;
		if (strcmp(state_b, "ok") != 0) {
			hits++;
			cr_log_error("try %d: A %s, B %s", i, state_a, state_b);
		}
	}
	cr_log_info("A's query cancelled in %d of %d tries", a_cancelled, TRIES);
	cr_expect_eq(hits, 0, "B's query failed in %d of %d tries (A's cancel reached it)", hits,
		     TRIES);
	PQfreeCancel(cancel_a);
	PQfinish(a);
	PQfinish(b);
	h_done();
}

/*
 * A cancel for a query still waiting for a server (pool of one, taken by a
 * transaction): on PostgreSQL the query would be running, and would fail
 * with 57014 at once.  It fails the same through pgpin, never runs, and
 * the client goes on.
 */
Test(cancel, a_query_waiting_for_a_server_is_cancelled, IT(60))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL);
	PGcancel *cancel_b = PQgetCancel(b);
	char err[256], state[16];

	h_direct_exec("DROP TABLE IF EXISTS it_cw; CREATE TABLE it_cw (v int)");
	PQclear(h_exec(a, "BEGIN"));
	cr_assert(PQsendQuery(b, "INSERT INTO it_cw SELECT 1 FROM pg_sleep(2)"));
	h_sleep(0.3);
	cr_assert(PQcancel(cancel_b, err, sizeof err), "%s", err);
	bool answered = h_wait_readable(b, 1.5);
	cr_expect(answered, "no answer within 1.5 s of the cancel (still waiting for a server?)");
	PQclear(h_exec(a, "COMMIT")); /* now the server is free either way */
	collect_state(b, state, sizeof state);
	cr_expect_str_eq(state, "57014");
	cr_expect_str_eq(h_value(b, "SELECT 'b goes on'"), "b goes on");
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_cw"), 0, "the cancelled insert ran");
	PQfreeCancel(cancel_b);
	PQfinish(a);
	PQfinish(b);
	h_done();
}

Test(cancel, wrong_key_does_nothing, IT(60))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	PGconn *c = h_connect(p, NULL);
	uint32_t pid = (uint32_t)PQbackendPID(c);
	struct h_result res;
	double t0 = h_now();

	cr_assert(PQsendQuery(c, "SELECT pg_sleep(1.5), 'slept'"), "%s", PQerrorMessage(c));
	h_sleep(0.3);
	send_cancel_request(p->port, pid, 0x0badcafe);
	send_cancel_request(p->port, pid + 1, 0x12345678);
	send_cancel_request(p->port, 0, 0);
	res = h_collect(c, 10);
	cr_assert(res.done, "the query had not ended 10 s later");
	cr_expect_eq(res.status, PGRES_TUPLES_OK, "a cancel with a wrong key had an effect: %s %s",
		     PQresStatus(res.status), res.error);
	cr_expect_geq(h_now() - t0, 1.4, "pg_sleep(1.5) ended after %.2f s", h_now() - t0);
	PQfinish(c);
	h_done();
}

Test(cancel, idle_clients_key_does_not_cancel_another_client, IT(60))
{
	/* Pool size 1: A's last server is now B's. */
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL);
	PGcancel *cancel;
	struct h_result res;
	char err[256];
	double t0;

	cr_assert_str_eq(h_value(a, "SELECT 'a'"), "a");
	t0 = h_now();
	cr_assert(PQsendQuery(b, "SELECT pg_sleep(1.5), 'b slept'"), "%s", PQerrorMessage(b));
	h_sleep(0.3);
	cancel = PQgetCancel(a);
	cr_assert(cancel);
	PQcancel(cancel, err, sizeof err);
	PQfreeCancel(cancel);
	res = h_collect(b, 10);
	cr_assert(res.done, "B's query had not ended 10 s later");
	cr_expect_eq(res.status, PGRES_TUPLES_OK, "A's cancel key cancelled B's query: %s %s",
		     PQresStatus(res.status), res.error);
	cr_expect_geq(h_now() - t0, 1.4);
	cr_expect_str_eq(h_value(a, "SELECT 'a again'"), "a again");
	PQfinish(a);
	PQfinish(b);
	h_done();
}

/* ================================================================ client and server failures */

/*
 * In a child process: connect, run the statements, tell the parent, wait to
 * be killed.  With rst, the kernel resets the connection instead of closing.
 */
static pid_t doomed_client(int port, const char *const stmts[], const char *send_last, bool rst)
{
	char conninfo[1024];
	int pfd[2];
	pid_t pid;
	char ok = 0;

	snprintf(conninfo, sizeof conninfo, "%s", h_conninfo(port, NULL));
	cr_assert(pipe(pfd) == 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		PGconn *c = PQconnectdb(conninfo);
		char status = PQstatus(c) == CONNECTION_OK ? '1' : '0';

		for (int i = 0; status == '1' && stmts[i]; i++) {
			PGresult *r = PQexec(c, stmts[i]);

			if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
				status = '0';
			PQclear(r);
		}
		if (status == '1' && send_last && !PQsendQuery(c, send_last))
			status = '0';
		if (rst) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(PQsocket(c), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		}
		if (write(pfd[1], &status, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], &ok, 1), 1, "the doomed client died early");
	close(pfd[0]);
	if (ok != '1') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		cr_assert_fail("the doomed client could not run its statements");
	}
	if (send_last)
		h_sleep(0.3); /* let the query reach the server */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return pid;
}

Test(failure, client_dies_inside_a_transaction, IT(60))
{
	struct h_pgpin *p;

	h_direct_exec("DROP TABLE IF EXISTS it_ghost; CREATE TABLE it_ghost (v text)");
	p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	for (int rst = 0; rst <= 1; rst++) {
		PGconn *b;
		PGresult *r;
		long stuck = -1;

		doomed_client(p->port, H_ARGS("BEGIN", "INSERT INTO it_ghost VALUES ('ghost')"), NULL, rst);
		/* Pool size 1: B gets the very server A left in a transaction. */
		b = h_connect(p, NULL);
		r = h_exec(b, "SELECT txid_current_if_assigned() IS NULL, "
			      "(SELECT count(*) FROM it_ghost WHERE v = 'ghost')");
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "t", "B runs inside A's transaction (%s close)",
				 rst ? "RST" : "FIN");
		cr_expect_str_eq(PQgetvalue(r, 0, 1), "0", "A's uncommitted row is visible (%s close)",
				 rst ? "RST" : "FIN");
		PQclear(r);
		PQclear(h_exec(b, "BEGIN"));
		PQclear(h_exec(b, "INSERT INTO it_ghost VALUES ('real')"));
		PQclear(h_exec(b, "COMMIT"));
		PQfinish(b);
		for (double end = h_now() + 5; h_now() < end; h_sleep(0.1)) {
			stuck = h_direct_long("SELECT count(*) FROM pg_stat_activity WHERE usename = "
					      "'pgpin_test' AND state LIKE 'idle in transaction%'");
			if (stuck == 0)
				break;
		}
		cr_expect_eq(stuck, 0, "a server connection stays idle in transaction");
	}
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_ghost WHERE v = 'ghost'"), 0);
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_ghost WHERE v = 'real'"), 2);
	h_done();
}

Test(failure, client_dies_while_its_query_runs, IT(60))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	struct h_async b;

	doomed_client(p->port, H_ARGS(NULL), "SELECT pg_sleep(30)", false);
	/* The only server is busy with a query nobody waits for. */
	h_async_start(&b, p->port, NULL, "SELECT 'b served'");
	cr_assert(h_async_poll(&b, 10), "another client was not served within 10 s: the server "
		  "stayed busy with the dead client's pg_sleep(30)");
	cr_assert(!b.failed && b.res.status == PGRES_TUPLES_OK, "%s", b.res.error);
	cr_expect_str_eq(b.res.value, "b served");
	h_async_close(&b);
	h_done();
}

/* Send a whole login, then msgs (len bytes), then close: libpq's
 * PQsendQuery() followed at once by PQfinish() sends the same. */
static void send_and_leave(int port, const char *sql, bool terminate)
{
	uint8_t buf[1024];
	int fd = h_tcp_connect(port);
	h_raw_login(fd, h_env()->user, h_env()->db);
	size_t n = h_message(buf, sizeof buf, 'Q', sql, strlen(sql) + 1);
	if (terminate)
		n += h_message(buf + n, sizeof buf - n, 'X', "", 0);
	cr_assert_eq(h_send(fd, buf, n), n);
	close(fd);
}

/*
 * PostgreSQL runs the queries a client sent before its Terminate, even when
 * it never reads their replies.  Through pgpin they run too, on a server
 * the client had or one it was still waiting for (pool of one), and what
 * they leave open is rolled back, also after a COPY that ended normally.
 * A COPY FROM STDIN whose client went this way fails (simple protocol) or
 * has its server closed (extended: its Sync went into the COPY), and the
 * pool goes on.
 */
Test(failure, queries_before_terminate_run_to_their_end, IT(60))
{
	enum { N = 10 };
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });

	h_direct_exec("DROP TABLE IF EXISTS it_ff; CREATE TABLE it_ff (v int)");
	/* A COPY that ends normally first: the server forgets it. */
	PGconn *c = h_connect(p, NULL);
	PGresult *r = PQexec(c, "COPY it_ff FROM STDIN");
	cr_assert_eq(PQresultStatus(r), PGRES_COPY_IN, "%s", PQerrorMessage(c));
	PQclear(r);
	cr_assert_eq(PQputCopyData(c, "3\n", 2), 1);
	cr_assert_eq(PQputCopyEnd(c, NULL), 1);
	r = PQgetResult(c);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(r);
	PQclear(PQgetResult(c));
	PQfinish(c);

	for (int i = 0; i < N; i++)
		send_and_leave(p->port, "INSERT INTO it_ff SELECT 1 FROM pg_sleep(0.02)", true);
	for (int i = 0; i < 3; i++)
		send_and_leave(p->port, "BEGIN; INSERT INTO it_ff VALUES (2)", true);
	send_and_leave(p->port, "COPY it_ff FROM STDIN", true);
	/* The same COPY through the extended protocol (libpq's
	 * PQsendQueryParams() then PQfinish()): its Sync goes into the COPY. */
	{
		static const char q[] = "\0COPY it_ff FROM STDIN\0\0\0";
				uint8_t buf[256];
		int fd = h_tcp_connect(p->port);
		h_raw_login(fd, h_env()->user, h_env()->db);
		size_t n = h_message(buf, sizeof buf, 'P', q, sizeof q - 1);
		n += h_message(buf + n, sizeof buf - n, 'B', raw_bind, sizeof raw_bind);
		n += h_message(buf + n, sizeof buf - n, 'E', raw_execute, sizeof raw_execute);
		n += h_message(buf + n, sizeof buf - n, 'S', "", 0);
		n += h_message(buf + n, sizeof buf - n, 'X', "", 0);
		cr_assert_eq(h_send(fd, buf, n), n);
		close(fd);
	}
	double deadline = h_now() + 15;
	while (h_direct_long("SELECT count(*) FROM it_ff WHERE v = 1") < N && h_now() < deadline)
		h_sleep(0.1);
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_ff WHERE v = 1"), N,
		     "inserts sent just before Terminate that ran (of %d)", N);

	/* The pool's only server is usable, with no transaction left over. */
	c = h_connect(p, NULL);
	cr_expect_str_eq(h_value(c, "SELECT 'served after them'"), "served after them");
	cr_expect_str_eq(h_value(c, "SELECT txid_current_if_assigned() IS NULL"), "t");
	PQfinish(c);
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_ff WHERE v = 2"), 0,
		     "a transaction left open before Terminate was committed");
	cr_expect_eq(h_direct_long("SELECT count(*) FROM pg_stat_activity WHERE usename = "
				   "'pgpin_test' AND state LIKE 'idle in transaction%'"), 0);
	h_done();
}

struct load_client {
	char conninfo[1024];
	atomic_bool *stop, *restarted;
	atomic_int ok_before, ok_after;
	int errors, connect_errors, bad_errors;
	char bad[512];
};

static void *load_client_main(void *arg)
{
	struct load_client *w = arg;
	PGconn *c = NULL;

	while (!atomic_load(w->stop)) {
		PGresult *r;
		const char *state;

		if (!c || PQstatus(c) != CONNECTION_OK) {
			if (c) {
				PQfinish(c);
				h_sleep(0.05);
			}
			c = PQconnectdb(w->conninfo);
			if (PQstatus(c) != CONNECTION_OK)
				w->connect_errors++;
			continue;
		}
		r = PQexec(c, "SELECT pg_sleep(0.02), 1");
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			if (atomic_load(w->restarted))
				atomic_fetch_add(&w->ok_after, 1);
			else
				atomic_fetch_add(&w->ok_before, 1);
		} else {
			state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			w->errors++;
			/*
			 * Acceptable: class 08, 57P01-57P03 (shutdown, crash, starting up), or
			 * libpq's own report of a closed connection (no SQLSTATE).
			 */
			if (state ? !(strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
				  : PQstatus(c) == CONNECTION_OK) {
				if (w->bad_errors++ == 0)
					snprintf(w->bad, sizeof w->bad, "SQLSTATE %s: %s",
						 state ? state : "(none)", PQerrorMessage(c));
			}
		}
		PQclear(r);
	}
	if (c)
		PQfinish(c);
	return NULL;
}

Test(failure, server_restart_under_load, IT(120))
{
	enum { NCLIENTS = 4 };
	const struct h_env *e = h_env();
	struct load_client w[NCLIENTS];
	pthread_t th[NCLIENTS];
	atomic_bool stop = false, restarted = false;
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 4 });
	pid_t pid = p->pid;
	char out[8192];
	int status, ok_before = 0, ok_after = 0, errors = 0, bad = 0;
	bool recovered = false;
	double t_up;

	for (int i = 0; i < NCLIENTS; i++) {
		w[i] = (struct load_client){ .stop = &stop, .restarted = &restarted };
		snprintf(w[i].conninfo, sizeof w[i].conninfo, "%s", h_conninfo(p->port, NULL));
		cr_assert(pthread_create(&th[i], NULL, load_client_main, &w[i]) == 0);
	}
	/* Every client gets queries through before PostgreSQL goes away. */
	for (double end = h_now() + 20; h_now() < end; h_sleep(0.05)) {
		int ready = 0;

		for (int i = 0; i < NCLIENTS; i++)
			ready += atomic_load(&w[i].ok_before) >= 3;
		if (ready == NCLIENTS)
			break;
	}
	{
		char bin[600];
		const char *argv[] = { bin, "restart", "-m", "fast", "-w", "-t", "60", "-D", e->pgdata,
				       "-l", e->pglog ? e->pglog : "/dev/null", NULL };

		snprintf(bin, sizeof bin, "%s/pg_ctl", e->pgbindir);
		status = h_run_as_postgres(argv, 90, out, sizeof out);
	}
	atomic_store(&restarted, true);
	t_up = h_now();
	cr_assert(status == 0, "pg_ctl restart failed (status %#x):\n%s", status, out);

	/* New clients get through once PostgreSQL is back. */
	while (!recovered && h_now() - t_up < 20) {
		PGconn *c = h_connect_try(p->port, "connect_timeout=5");

		if (PQstatus(c) == CONNECTION_OK) {
			PGresult *r = PQexec(c, "SELECT 'recovered'");

			recovered = PQresultStatus(r) == PGRES_TUPLES_OK;
			PQclear(r);
		}
		PQfinish(c);
		if (!recovered)
			h_sleep(0.2);
	}
	h_sleep(1);
	atomic_store(&stop, true);
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(th[i], NULL);
		ok_before += atomic_load(&w[i].ok_before);
		ok_after += atomic_load(&w[i].ok_after);
		errors += w[i].errors;
		bad += w[i].bad_errors;
		if (w[i].bad_errors)
			cr_log_error("unexpected error in a client: %s", w[i].bad);
	}
	cr_log_info("queries ok before restart %d, after %d; errors %d (unexpected %d)", ok_before,
		    ok_after, errors, bad);
	cr_assert(h_pgpin_alive(p) && p->pid == pid, "pgpin died during the restart (status %#x)",
		  p->status);
	cr_expect_gt(ok_before, 0, "no query succeeded before the restart");
	cr_expect(recovered, "no new client got through pgpin within 20 s of PostgreSQL's restart");
	cr_expect_gt(ok_after, 0, "the running clients got no query through after the restart");
	cr_expect_eq(bad, 0, "%d errors with a SQLSTATE other than class 08 / 57P0x", bad);
	h_done();
}

/* ================================================================ raw protocol */

/*
 * Send bytes on a new connection; expect ErrorResponse with sqlstate, then
 * close; a client connected before goes on undisturbed.
 */
static void expect_rejected(struct h_pgpin *p, const void *bytes, size_t len, const char *sqlstate,
			    const char *what)
{
	PGconn *bystander = h_connect(p, NULL);
	int fd = h_tcp_connect(p->port);
	char seen[64];
	const char *got;

	h_send(fd, bytes, len);
	got = h_raw_expect_error(fd, 5, seen, sizeof seen);
	cr_expect(got && strcmp(got, sqlstate) == 0,
		  "%s: want ErrorResponse %s, got %s (messages seen: '%s')", what, sqlstate,
		  got ? got : "no ErrorResponse", seen);
	cr_expect(h_raw_closed(fd, 5), "%s: pgpin did not close the connection", what);
	close(fd);
	cr_expect_str_eq(h_value(bystander, "SELECT 'bystander'"), "bystander");
	PQfinish(bystander);
	assert_healthy(p);
}

Test(protocol, startup_packet_too_short, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	static const uint8_t pkt[] = { 0, 0, 0, 3 };

	expect_rejected(p, pkt, sizeof pkt, "08P01", "startup length 3");
	h_done();
}

Test(protocol, startup_packet_too_long, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	uint8_t pkt[200] = { 0, 1, 0x86, 0xa0, 0, 3, 0, 0 }; /* length 100000, version 3.0 */

	memset(pkt + 8, 'u', sizeof pkt - 8);
	expect_rejected(p, pkt, sizeof pkt, "08P01", "startup length 100000");
	h_done();
}

Test(protocol, version_2_is_refused, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	uint8_t pkt[256];
	size_t n = h_startup_packet(pkt, sizeof pkt, 131072,
				    H_ARGS("user", "pgpin_test", "database", "pgpin_test"));

	expect_rejected(p, pkt, n, "0A000", "protocol 2.0");
	h_done();
}

Test(protocol, startup_without_user, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	uint8_t pkt[256];
	size_t n = h_startup_packet(pkt, sizeof pkt, 196608, H_ARGS("database", "pgpin_test"));

	expect_rejected(p, pkt, n, "28000", "startup without user");
	h_done();
}

Test(protocol, version_3_1_is_negotiated_down, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	uint8_t pkt[256];
	size_t n = h_startup_packet(pkt, sizeof pkt, 196609,
				    H_ARGS("user", "pgpin_test", "database", "pgpin_test"));
	int fd = h_tcp_connect(p->port);
	bool negotiated = false, auth_ok = false;
	struct h_msg m;

	h_send(fd, pkt, n);
	for (;;) {
		int rc = h_read_msg(fd, &m, 10);

		cr_assert(rc == 1, "connection %s before ReadyForQuery", rc ? "timed out" : "closed");
		if (m.type == 'E')
			cr_assert_fail("protocol 3.1 refused: %s %s", h_msg_field(&m, 'C'), h_msg_field(&m, 'M'));
		if (m.type == 'v') {
			uint32_t v;

			cr_assert_geq(m.body_len, 8);
			/*
			 * The protocol documents the newest minor version; PostgreSQL sends
			 * the whole version number, 3.0 = 196608.  Either way: minor 0.
			 */
			v = be32((char *)m.body);
			cr_expect((v & 0xffff) == 0 && (v >> 16 == 0 || v >> 16 == 3),
				  "NegotiateProtocolVersion offers version %u.%u", v >> 16, v & 0xffff);
			cr_expect(!auth_ok, "NegotiateProtocolVersion after AuthenticationOk");
			negotiated = true;
		}
		if (m.type == 'R' && m.body_len >= 4 && be32((char *)m.body) == 0)
			auth_ok = true;
		if (m.type == 'Z') {
			h_msg_free(&m);
			break;
		}
		h_msg_free(&m);
	}
	cr_expect(negotiated, "no NegotiateProtocolVersion message for protocol 3.1");
	cr_expect(auth_ok, "no AuthenticationOk");
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'v3.1 works'"), "v3.1 works");
	close(fd);
	assert_healthy(p);
	h_done();
}

Test(protocol, unknown_message_type_after_login, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	PGconn *bystander = h_connect(p, NULL);
	int fd = h_tcp_connect(p->port);
	static const uint8_t msg[] = { 'z', 0, 0, 0, 4 };
	char seen[64];
	const char *got;

	h_raw_login(fd, "pgpin_test", "pgpin_test");
	cr_assert_str_eq(h_raw_query(fd, "SELECT 'logged in'"), "logged in");
	h_send(fd, msg, sizeof msg);
	got = h_raw_expect_error(fd, 5, seen, sizeof seen);
	cr_expect(got && strcmp(got, "08P01") == 0, "want 08P01, got %s (messages: '%s')",
		  got ? got : "no ErrorResponse", seen);
	cr_expect(h_raw_closed(fd, 5), "pgpin did not close the connection");
	close(fd);
	cr_expect_str_eq(h_value(bystander, "SELECT 'bystander'"), "bystander");
	PQfinish(bystander);
	assert_healthy(p);
	h_done();
}

/*
 * A simple Query reaches pgpin whole in one read (its fast path, from the
 * read buffer straight to a server), a byte at a time, or with another
 * query behind it in the same write (the buffered path): every way, the
 * client gets the same replies, in order.
 */
static int read_replies(int fd, char values[][32], int max_values, int readies)
{
	struct h_msg m;
	int n = 0;

	while (readies > 0) {
		cr_assert(h_read_msg(fd, &m, 30) == 1, "no reply from pgpin");
		cr_assert(m.type != 'E', "ErrorResponse: %s", h_msg_field(&m, 'M'));
		if (m.type == 'D' && n < max_values && m.body_len >= 6) {
			uint32_t flen;
			memcpy(&flen, m.body + 2, 4);
			flen = ntohl(flen);
			snprintf(values[n++], 32, "%.*s", (int)(flen < 31 ? flen : 31), m.body + 6);
		}
		if (m.type == 'Z')
			readies--;
		h_msg_free(&m);
	}
	return n;
}

Test(protocol, queries_whole_split_or_batched_get_the_same_replies, IT(60))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	int fd = h_tcp_connect(p->port);
	uint8_t buf[256];
	char values[4][32];
	size_t n, k;

	h_raw_login(fd, "pgpin_test", "pgpin_test");
	for (int round = 0; round < 3; round++) {
		cr_assert_str_eq(h_raw_query(fd, "SELECT 'whole'"), "whole");

		n = h_message(buf, sizeof buf, 'Q', "SELECT 'bytes'", sizeof("SELECT 'bytes'"));
		for (k = 0; k < n; k++) {
			cr_assert(h_send(fd, buf + k, 1) == 1);
			usleep(2000);
		}
		cr_assert_eq(read_replies(fd, values, 4, 1), 1);
		cr_assert_str_eq(values[0], "bytes");

		n = h_message(buf, sizeof buf, 'Q', "SELECT 'one'", sizeof("SELECT 'one'"));
		n += h_message(buf + n, sizeof buf - n, 'Q', "SELECT 'two'; SELECT 'three'",
			       sizeof("SELECT 'two'; SELECT 'three'"));
		cr_assert(h_send(fd, buf, n) == n);
		cr_assert_eq(read_replies(fd, values, 4, 2), 3);
		cr_assert_str_eq(values[0], "one");
		cr_assert_str_eq(values[1], "two");
		cr_assert_str_eq(values[2], "three");

		/* half a query, then its rest with a whole one behind it */
		n = h_message(buf, sizeof buf, 'Q', "SELECT 'half'", sizeof("SELECT 'half'"));
		n += h_message(buf + n, sizeof buf - n, 'Q', "SELECT 'after'", sizeof("SELECT 'after'"));
		cr_assert(h_send(fd, buf, 7) == 7);
		usleep(20000);
		cr_assert(h_send(fd, buf + 7, n - 7) == n - 7);
		cr_assert_eq(read_replies(fd, values, 4, 2), 2);
		cr_assert_str_eq(values[0], "half");
		cr_assert_str_eq(values[1], "after");
	}
	close(fd);
	assert_healthy(p);
	h_done();
}

Test(protocol, message_longer_than_max_packet_size, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){
		.args = H_ARGS("--max-packet-size", "65536") });
	PGconn *bystander = h_connect(p, NULL);
	int fd = h_tcp_connect(p->port);
	static char sql[61000];
	uint8_t hdr[5 + 64] = { 'Q', 0, 1, 0x86, 0xa0 }; /* claims 100000 bytes */
	char seen[64];
	const char *got;

	h_raw_login(fd, "pgpin_test", "pgpin_test");
	/* Below the limit: fine. */
	snprintf(sql, sizeof sql, "SELECT length('%0*d')", 60000, 0);
	cr_assert_str_eq(h_raw_query(fd, sql), "60000");
	memset(hdr + 5, 'x', sizeof hdr - 5);
	h_send(fd, hdr, sizeof hdr);
	got = h_raw_expect_error(fd, 5, seen, sizeof seen);
	cr_expect(got && strcmp(got, "08P01") == 0, "want 08P01, got %s (messages: '%s')",
		  got ? got : "no ErrorResponse", seen);
	cr_expect(h_raw_closed(fd, 5), "pgpin did not close the connection");
	close(fd);
	cr_expect_str_eq(h_value(bystander, "SELECT 'bystander'"), "bystander");
	PQfinish(bystander);
	assert_healthy(p);
	h_done();
}

/*
 * A SQLite session's thread reads its client's socket itself once the
 * client is idle, and gives it back to the loop for what is not its to
 * judge.  The client sees the same protocol either way: messages split
 * across writes or batched in one, short and long ones (past the 1 MB the
 * thread takes itself), an unknown type or an oversized length (08P01 and
 * a close), Terminate, and a client that vanishes inside a transaction
 * (rolled back).
 */
/*
 * A simple Query on SQLite checks the schema and reads in one SQLite read
 * transaction (session_schema.c): it must still see what other sessions
 * changed just before, the columns and types of a table dropped and made
 * again, and rows added, and its own writes must not fail for having read.
 * A Parse must see the new columns too, though the session keeps an
 * unnamed statement Parsed again with the same text and parameter types
 * (session_stmt.c): not after the schema changed, nor for other types.
 */
static void lite_expect_columns(PGconn *c, bool extended, const char *sql, int nrows,
				int nfields, const Oid *types, const char *what)
{
	PGresult *r = extended ? PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, 0) : h_exec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", what, PQresultErrorMessage(r));
	cr_expect_eq(PQntuples(r), nrows, "%s: %d rows, want %d", what, PQntuples(r), nrows);
	cr_expect_eq(PQnfields(r), nfields, "%s: %d columns, want %d", what, PQnfields(r),
		     nfields);
	for (int i = 0; i < nfields && i < PQnfields(r); i++)
		cr_expect_eq(PQftype(r, i), types[i], "%s: column %d has type %u, want %u", what,
			     i + 1, PQftype(r, i), types[i]);
	PQclear(r);
}

Test(protocol, sqlite_simple_queries_see_other_sessions_changes, IT(60))
{
	struct h_pgpin *p = lite_pgpin_start("seen", NULL);
	PGconn *a = h_connect(p, "dbname=postgres");
	PGconn *b = h_connect(p, "dbname=postgres");
	const Oid one[] = {23}, two[] = {25, 20};

	PQclear(h_exec(b, "CREATE TABLE it_seen (x int)"));
	PQclear(h_exec(b, "INSERT INTO it_seen VALUES (1)"));
	lite_expect_columns(a, false, "SELECT * FROM it_seen", 1, 1, one, "first read");
	lite_expect_columns(a, false, "SELECT * FROM it_seen", 1, 1, one, "read again");

	PQclear(h_exec(b, "DROP TABLE it_seen"));
	PQclear(h_exec(b, "CREATE TABLE it_seen (x text, y bigint)"));
	PQclear(h_exec(b, "INSERT INTO it_seen VALUES ('a', 7), ('b', 8)"));
	lite_expect_columns(a, false, "SELECT * FROM it_seen", 2, 2, two,
			    "after another session made the table again");

	PQclear(h_exec(b, "DROP TABLE it_seen"));
	PQclear(h_exec(b, "CREATE TABLE it_seen (x int)"));
	PQclear(h_exec(b, "INSERT INTO it_seen VALUES (1)"));
	lite_expect_columns(a, true, "SELECT * FROM it_seen", 1, 1, one,
			    "Parse, after another session made the table again");
	PQclear(h_exec(b, "DROP TABLE it_seen"));
	PQclear(h_exec(b, "CREATE TABLE it_seen (x text, y bigint)"));
	PQclear(h_exec(b, "INSERT INTO it_seen VALUES ('a', 7), ('b', 8)"));
	lite_expect_columns(a, true, "SELECT * FROM it_seen", 2, 2, two,
			    "Parse, after another session made the table a third time");
	lite_expect_columns(a, true, "SELECT * FROM it_seen", 2, 2, two, "Parse, again");

	const Oid types[] = {23, 25, 20, 23};
	for (int i = 0; i < 4; i++) {
		const char *v[] = {"5"};
		PGresult *r = PQexecParams(a, "SELECT $1 AS v", 1, &types[i], v, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
		cr_expect_eq(PQftype(r, 0), types[i], "SELECT $1 with $1 of type %u: type %u",
			     types[i], PQftype(r, 0));
		PQclear(r);
	}

	for (int i = 0; i < 3; i++) {
		char want[16];
		PQclear(h_exec(b, "INSERT INTO it_seen VALUES ('c', 9)"));
		snprintf(want, sizeof want, "%d", 3 + i);
		cr_expect_str_eq(h_value(a, "SELECT count(*) FROM it_seen"), want,
				 "a row another session added is not seen");
	}
	/* Read, then write, on each side in turn. */
	for (int i = 0; i < 3; i++) {
		PQclear(h_exec(a, "SELECT count(*) FROM it_seen"));
		PQclear(h_exec(b, "INSERT INTO it_seen VALUES ('b', 10)"));
		PQclear(h_exec(a, "INSERT INTO it_seen VALUES ('a', 11)"));
		PQclear(h_exec(a, "SELECT count(*) FROM it_seen; UPDATE it_seen SET y = y + 1 "
				  "WHERE x = 'a'"));
	}
	cr_expect_str_eq(h_value(b, "SELECT count(*) FROM it_seen"), "11");
	cr_expect_str_eq(h_value(b, "SELECT sum(y) FROM it_seen WHERE x = 'a'"), "49");
	PQfinish(a);
	PQfinish(b);
	h_done();
}

/*
 * One side of sqlite_prepared_statement_after_the_table_changed: a named
 * statement on a, before each Describe and Execute of it a change by b (or
 * a's own DEALLOCATE and prepare again).  got[i]: what they gave
 * ("described 2, 2 cols a", "Describe error 0A000, error 0A000"), for
 * comparing SQLite through pgpin with PostgreSQL.
 */
enum { SHAPE_STEPS = 10 };

static void shape_steps(PGconn *a, PGconn *b, char got[SHAPE_STEPS][64])
{
	static const char *const before[SHAPE_STEPS] = {
		"DROP TABLE IF EXISTS it_shape; CREATE TABLE it_shape (x int); "
		"INSERT INTO it_shape VALUES (1)",
		/* the same columns again: it runs */
		"DROP TABLE it_shape; CREATE TABLE it_shape (x int); INSERT INTO it_shape VALUES (2)",
		/* another type */
		"DROP TABLE it_shape; CREATE TABLE it_shape (x text); INSERT INTO it_shape VALUES ('a')",
		"",
		"a",
		/* another number of columns */
		"DROP TABLE it_shape; CREATE TABLE it_shape (x text, y bigint); "
		"INSERT INTO it_shape VALUES ('b', 7)",
		"a",
		/* another name */
		"DROP TABLE it_shape; CREATE TABLE it_shape (z text, y bigint); "
		"INSERT INTO it_shape VALUES ('c', 8)",
		"a",
		/* another table: the schema changes, not this statement's columns */
		"CREATE TABLE it_shape_other (k int)",
	};

	PQclear(h_exec(a, "DEALLOCATE ALL"));
	for (int i = 0; i < SHAPE_STEPS; i++) {
		if (strcmp(before[i], "a") == 0)
			PQclear(h_exec(a, "DEALLOCATE it_shape_st"));
		else if (before[i][0])
			PQclear(h_exec(b, before[i]));
		if (i == 0 || strcmp(before[i], "a") == 0) {
			PGresult *r = PQprepare(a, "it_shape_st", "SELECT * FROM it_shape", 0, NULL);
			cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(r));
			PQclear(r);
		}
		char described[32];
		PGresult *r = PQdescribePrepared(a, "it_shape_st");
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			snprintf(described, sizeof described, "described %d", PQnfields(r));
		else
			snprintf(described, sizeof described, "Describe error %s", h_sqlstate(a, r));
		PQclear(r);
		r = PQexecPrepared(a, "it_shape_st", 0, NULL, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			snprintf(got[i], 64, "%s, %d col%s %s", described, PQnfields(r),
				 PQnfields(r) == 1 ? "" : "s", PQgetvalue(r, 0, 0));
		else
			snprintf(got[i], 64, "%s, error %s", described, h_sqlstate(a, r));
		PQclear(r);
	}
	PQclear(h_exec(b, "DROP TABLE it_shape; DROP TABLE it_shape_other"));
}

/*
 * A named statement whose table another session makes again: the same
 * columns, it runs; other columns, PostgreSQL refuses every Describe and
 * Execute with 0A000 until it is prepared again, and so must pgpin on
 * SQLite (which SQLite would otherwise run with the new columns under the
 * old RowDescription).
 */
Test(protocol, sqlite_prepared_statement_after_the_table_changed, IT(60))
{
	char lite[SHAPE_STEPS][64], pg[SHAPE_STEPS][64];
	struct h_pgpin *p = lite_pgpin_start("shape", NULL);
	PGconn *a = h_connect(p, "dbname=postgres");
	PGconn *b = h_connect(p, "dbname=postgres");
	shape_steps(a, b, lite);
	PQfinish(a);
	PQfinish(b);

	a = h_direct();
	b = h_direct();
	shape_steps(a, b, pg);
	PQfinish(a);
	PQfinish(b);

	cr_expect_str_eq(pg[0], "described 1, 1 col 1");
	cr_expect_str_eq(pg[1], "described 1, 1 col 2");
	cr_expect_str_eq(pg[2], "Describe error 0A000, error 0A000");
	cr_expect_str_eq(pg[9], "described 2, 2 cols c");
	for (int i = 0; i < SHAPE_STEPS; i++)
		cr_expect_str_eq(lite[i], pg[i], "Execute %d: SQLite through pgpin gave \"%s\", "
				 "PostgreSQL \"%s\"", i + 1, lite[i], pg[i]);
	h_done();
}

/* A raw client of the SQLite backend, logged in and idle. */
static int lite_idle_client(int port)
{
	int fd = h_tcp_connect(port);
	h_raw_login(fd, "pgpin_test", "postgres");
	h_sleep(0.1); /* idle: its session's thread has the socket now */
	return fd;
}

/*
 * PostgreSQL runs every message it has read before a Terminate, or before
 * the end of the connection, then closes.  On SQLite the loop hands the
 * messages to the session's thread; the client is closed only once the
 * thread has run them: a query behind the startup packet or after the
 * login, followed by Terminate or by a plain close (libpq's PQsendQuery()
 * then PQfinish()).  A client that sends Terminate and waits is closed.
 */
Test(protocol, sqlite_messages_before_terminate_or_eof_run_first, IT(60))
{
	enum { ROUNDS = 5 };
	static const char *const how_name[] = {"after the login, then a close",
					       "behind the startup packet, then a close",
					       "after the login, then Terminate",
					       "behind the startup packet, then Terminate"};
	struct h_pgpin *p = lite_pgpin_start("term", NULL);
	PGconn *c = h_connect(p, "dbname=postgres");
	uint8_t buf[1024];
	char sql[128];

	PQclear(h_exec(c, "CREATE TABLE it_term (how int, k int)"));
	for (int how = 0; how < 4; how++) {
		for (int k = 0; k < ROUNDS; k++) {
			size_t n = 0;
			int fd = h_tcp_connect(p->port);
			if (how & 1)
				n = h_startup_packet(buf, sizeof buf, 196608,
						     H_ARGS("user", h_env()->user, "database", "postgres"));
			else
				h_raw_login(fd, h_env()->user, "postgres");
			snprintf(sql, sizeof sql, "INSERT INTO it_term VALUES (%d, %d)", how, k);
			n += h_message(buf + n, sizeof buf - n, 'Q', sql, strlen(sql) + 1);
			if (how & 2)
				n += h_message(buf + n, sizeof buf - n, 'X', "", 0);
			cr_assert_eq(h_send(fd, buf, n), n);
			close(fd);
		}
	}
	/* The inserts run after the clients are gone: give them time. */
	double deadline = h_now() + 10;
	while (strcmp(h_value(c, "SELECT count(*) FROM it_term"), "20") != 0 && h_now() < deadline)
		h_sleep(0.1);
	for (int how = 0; how < 4; how++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM it_term WHERE how = %d", how);
		cr_expect_eq(atoi(h_value(c, sql)), ROUNDS, "a query %s: %s of %d ran", how_name[how],
			     h_value(c, sql), ROUNDS);
	}

	/* Behind the startup packet, then Terminate, and the client waits for
	 * pgpin to close. */
	int fd = h_tcp_connect(p->port);
	size_t n = h_startup_packet(buf, sizeof buf, 196608,
				    H_ARGS("user", h_env()->user, "database", "postgres"));
	n += h_message(buf + n, sizeof buf - n, 'Q', "INSERT INTO it_term VALUES (9, 0)",
		       sizeof "INSERT INTO it_term VALUES (9, 0)");
	n += h_message(buf + n, sizeof buf - n, 'X', "", 0);
	cr_assert_eq(h_send(fd, buf, n), n);
	cr_expect(h_raw_closed(fd, 5), "the connection is still open 5 s after Terminate");
	close(fd);
	cr_expect_str_eq(h_value(c, "SELECT count(*) FROM it_term WHERE how = 9"), "1");
	PQfinish(c);
	h_done();
}

/* Send bytes that PostgreSQL refuses with 08P01 and a close; so must pgpin. */
static void lite_refused(int fd, const void *bytes, size_t n, const char *what)
{
	char seen[64];

	h_send(fd, bytes, n);
	const char *got = h_raw_expect_error(fd, 5, seen, sizeof seen);
	cr_expect(got && strcmp(got, "08P01") == 0, "%s: want 08P01, got %s", what,
		  got ? got : "no ErrorResponse");
	cr_expect(h_raw_closed(fd, 5), "pgpin did not close after %s", what);
	close(fd);
}

Test(protocol, sqlite_sessions_read_their_clients_like_the_loop, IT(60))
{
	struct h_pgpin *p = lite_pgpin_start("raw", H_ARGS("--max-packet-size", "4MB"));
	uint8_t msg[256];
	size_t n;
	int fd = lite_idle_client(p->port);

	cr_assert_str_eq(h_raw_query(fd, "SELECT 'first'"), "first");
	h_sleep(0.1);

	/* One query in three writes, cut in its header and in its text. */
	n = h_message(msg, sizeof msg, 'Q', "SELECT 'split'", 15);
	h_send(fd, msg, 3);
	h_sleep(0.1);
	h_send(fd, msg + 3, 7);
	h_sleep(0.1);
	h_send(fd, msg + 10, n - 10);
	struct h_msg m;
	bool row = false;
	while (h_read_msg(fd, &m, 5) == 1) {
		char type = m.type;
		if (type == 'D')
			row = m.body_len > 6 && memcmp(m.body + 6, "split", 5) == 0;
		cr_assert_neq(type, 'E', "error for the split query: %s", h_msg_field(&m, 'M'));
		h_msg_free(&m);
		if (type == 'Z')
			break;
	}
	cr_expect(row, "the split query's row is missing or wrong");

	/* Long queries: 300 kB (the thread's), 1.5 MB (given to the loop). */
	static const size_t lens[] = {300000, 1500000, 1000};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		char *sql = malloc(lens[i] + 64), want[32];
		cr_assert(sql);
		int at = snprintf(sql, 64, "SELECT length('");
		memset(sql + at, 'x', lens[i]);
		snprintf(sql + at + lens[i], 64, "')");
		snprintf(want, sizeof want, "%zu", lens[i]);
		cr_expect_str_eq(h_raw_query(fd, sql), want, "a query of %zu bytes", lens[i]);
		free(sql);
	}

	/* Two queries in one write. */
	n = h_message(msg, sizeof msg, 'Q', "SELECT 1", 9);
	n += h_message(msg + n, sizeof msg - n, 'Q', "SELECT 2", 9);
	h_send(fd, msg, n);
	int ready = 0;
	while (ready < 2 && h_read_msg(fd, &m, 5) == 1) {
		ready += m.type == 'Z';
		cr_assert_neq(m.type, 'E', "error for a batched query");
		h_msg_free(&m);
	}
	cr_expect_eq(ready, 2, "two queries in one write: %d ReadyForQuery", ready);

	/* An unknown message type, a length past max_packet_size. */
	h_sleep(0.1);
	n = h_message(msg, sizeof msg, 'z', "??", 2);
	lite_refused(fd, msg, n, "an unknown message type");
	uint8_t huge[5 + 16] = {'Q', 0x7f, 0, 0, 0};
	memset(huge + 5, 'x', sizeof huge - 5);
	lite_refused(lite_idle_client(p->port), huge, sizeof huge, "an oversized length");

	/* Terminate. */
	fd = lite_idle_client(p->port);
	n = h_message(msg, sizeof msg, 'X', NULL, 0);
	h_send(fd, msg, n);
	cr_expect(h_raw_closed(fd, 5), "pgpin did not close after Terminate");
	close(fd);

	/* A client gone inside a transaction. */
	fd = lite_idle_client(p->port);
	h_raw_query(fd, "CREATE TABLE it_gone (v int)");
	h_raw_query(fd, "BEGIN");
	h_raw_query(fd, "INSERT INTO it_gone VALUES (1)");
	h_sleep(0.1);
	close(fd);
	h_sleep(0.3);
	PGconn *c = h_connect(p, "dbname=postgres");
	cr_expect_str_eq(h_value(c, "SELECT count(*) FROM it_gone"), "0",
			 "the vanished client's INSERT survived");
	PQfinish(c);
	h_done();
}

Test(protocol, max_client_conn_refuses_the_next_client, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){
		.args = H_ARGS("--max-client-conn", "2") });
	PGconn *c1, *c2, *c3 = NULL;
	uint8_t pkt[256];
	size_t n = h_startup_packet(pkt, sizeof pkt, 196608,
				    H_ARGS("user", "pgpin_test", "database", "pgpin_test"));
	char seen[64];
	const char *got;
	int fd;

	h_sleep(0.2); /* the readiness probe's connection is gone */
	c1 = h_connect(p, NULL);
	c2 = h_connect(p, NULL);
	fd = h_tcp_connect(p->port);
	h_send(fd, pkt, n);
	got = h_raw_expect_error(fd, 5, seen, sizeof seen);
	cr_expect(got && strcmp(got, "53300") == 0, "third client: want 53300, got %s (messages: '%s')",
		  got ? got : "no ErrorResponse", seen);
	cr_expect(h_raw_closed(fd, 5), "pgpin did not close the refused connection");
	close(fd);
	cr_expect_str_eq(h_value(c2, "SELECT 'c2 unaffected'"), "c2 unaffected");
	PQfinish(c1);
	for (double end = h_now() + 3; h_now() < end; h_sleep(0.1)) {
		c3 = h_connect_try(p->port, NULL);
		if (PQstatus(c3) == CONNECTION_OK)
			break;
		PQfinish(c3);
		c3 = NULL;
	}
	cr_expect(c3 != NULL, "no room for a new client after one of two left");
	if (c3)
		PQfinish(c3);
	PQfinish(c2);
	h_done();
}

static void encryption_request_then_startup(uint32_t code)
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	uint32_t req[2] = { htonl(8), htonl(code) };
	int fd = h_tcp_connect(p->port);
	int answer;

	h_send(fd, req, sizeof req);
	answer = h_read_byte(fd, 5);
	cr_assert_eq(answer, 'N', "answer to request %u: %d (want 'N')", code, answer);
	h_raw_login(fd, "pgpin_test", "pgpin_test");
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'plain text'"), "plain text");
	close(fd);
	h_done();
}

Test(protocol, ssl_request_is_declined, IT(30))
{
	encryption_request_then_startup(80877103);
}

Test(protocol, gssenc_request_is_declined, IT(30))
{
	encryption_request_then_startup(80877104);
}

/* xorshift64*: the garbage is the same on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

Test(protocol, random_garbage_does_not_kill_pgpin, IT(90))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2, .log_level = "info" });
	PGconn *bystander = h_connect(p, NULL);
	uint8_t buf[4096];

	for (int i = 0; i < 60; i++) {
		int fd = h_tcp_connect(p->port);
		size_t len = 1 + rng() % sizeof buf;

		if (i % 2)
			h_raw_login(fd, "pgpin_test", "pgpin_test");
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rng();
		if (i % 6 == 1)
			buf[0] = "QPBEDSHFCXdcfp"[rng() % 14]; /* a real message type */
		h_send(fd, buf, len);
		if (i % 3 == 0) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		} else {
			h_sleep(0.02);
		}
		close(fd);
		if (i % 10 == 9) {
			assert_healthy(p);
			cr_assert_str_eq(h_value(bystander, "SELECT 'bystander'"), "bystander");
		}
	}
	PQfinish(bystander);
	h_done();
}

/* ================================================================ client authentication */

/* alice: plain text, bob: md5, carol: a SCRAM verifier made by PostgreSQL. */
static const char *write_auth_file(void)
{
	static char path[600];
	PGconn *d = h_direct();
	char md5[64], scram[512];
	FILE *f;

	snprintf(md5, sizeof md5, "%s", h_value(d, "SELECT 'md5' || md5('bob-pw' || 'bob')"));
	PQclear(h_exec(d, "DROP ROLE IF EXISTS pgpin_it_scram"));
	PQclear(h_exec(d, "SET password_encryption = 'scram-sha-256'"));
	PQclear(h_exec(d, "CREATE ROLE pgpin_it_scram PASSWORD 'carol-pw'"));
	snprintf(scram, sizeof scram, "%s",
		 h_value(d, "SELECT rolpassword FROM pg_authid WHERE rolname = 'pgpin_it_scram'"));
	PQclear(h_exec(d, "DROP ROLE pgpin_it_scram"));
	PQfinish(d);
	cr_assert(strncmp(scram, "SCRAM-SHA-256$", 14) == 0, "not a SCRAM verifier: %s", scram);

	snprintf(path, sizeof path, "%s/auth.%d.txt", h_env()->tmpdir, (int)getpid());
	f = fopen(path, "w");
	cr_assert(f, "%s: %s", path, strerror(errno));
	fprintf(f, "\"alice\" \"alice-pw\"\n\"bob\" \"%s\"\n\"carol\" \"%s\"\n", md5, scram);
	fclose(f);
	return path;
}

/* Log in as user/password: "" on success, else the SQLSTATE (or "?"). */
static const char *login(struct h_pgpin *p, const char *user, const char *password)
{
	static char state[8];
	char extra[256];
	PGconn *c;

	snprintf(extra, sizeof extra, "user=%s password=%s", user, password);
	c = h_connect_try(p->port, extra);
	if (PQstatus(c) == CONNECTION_OK) {
		PGresult *r = PQexec(c, "SELECT current_user");

		state[0] = '\0';
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			snprintf(state, sizeof state, "query");
		else
			cr_expect_str_eq(PQgetvalue(r, 0, 0), "pgpin_test",
					 "server-side user of %s is not the endpoint's", user);
		PQclear(r);
	} else {
		snprintf(state, sizeof state, "%s", *h_sqlstate(c, NULL) ? h_sqlstate(c, NULL) : "?");
		if (strcmp(state, "28P01") != 0)
			cr_log_warn("login as %s: %s", user, PQerrorMessage(c));
	}
	PQfinish(c);
	return state;
}

/* The first authentication request pgpin sends to user. */
static uint32_t auth_request(struct h_pgpin *p, const char *user, char *detail, size_t dlen)
{
	uint8_t pkt[256];
	size_t n = h_startup_packet(pkt, sizeof pkt, 196608, H_ARGS("user", user, "database", "x"));
	int fd = h_tcp_connect(p->port);
	struct h_msg m;
	uint32_t code = 0xffffffff;

	h_send(fd, pkt, n);
	if (h_read_msg(fd, &m, 5) == 1) {
		if (m.type == 'R' && m.body_len >= 4) {
			code = be32((char *)m.body);
			snprintf(detail, dlen, "%.*s", (int)(m.body_len - 4), (char *)m.body + 4);
		}
		h_msg_free(&m);
	}
	close(fd);
	return code;
}

Test(auth, scram_sha_256, IT(60))
{
	const char *file = write_auth_file();
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){
		.args = H_ARGS("--auth-type", "scram-sha-256", "--auth-file", file) });
	char mech[256] = "";

	cr_expect_eq(auth_request(p, "alice", mech, sizeof mech), 10, "want AuthenticationSASL");
	cr_expect_str_eq(mech, "SCRAM-SHA-256", "mechanisms offered");
	cr_expect_str_eq(login(p, "alice", "alice-pw"), "", "alice, plain-text secret");
	cr_expect_str_eq(login(p, "carol", "carol-pw"), "", "carol, SCRAM verifier");
	cr_expect_str_eq(login(p, "alice", "wrong"), "28P01", "alice, wrong password");
	cr_expect_str_eq(login(p, "carol", "wrong"), "28P01", "carol, wrong password");
	cr_expect_str_eq(login(p, "dave", "dave-pw"), "28P01", "unknown user");
	h_done();
}

Test(auth, md5, IT(60))
{
	const char *file = write_auth_file();
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){
		.args = H_ARGS("--auth-type", "md5", "--auth-file", file) });
	char salt[64] = "";

	cr_expect_eq(auth_request(p, "bob", salt, sizeof salt), 5, "want AuthenticationMD5Password");
	cr_expect_str_eq(login(p, "alice", "alice-pw"), "", "alice, plain-text secret");
	cr_expect_str_eq(login(p, "bob", "bob-pw"), "", "bob, md5 secret");
	cr_expect_str_eq(login(p, "bob", "wrong"), "28P01", "bob, wrong password");
	cr_expect_str_eq(login(p, "alice", "wrong"), "28P01", "alice, wrong password");
	cr_expect_str_eq(login(p, "dave", "dave-pw"), "28P01", "unknown user");
	h_done();
}

Test(auth, trust_is_refused_on_all_interfaces, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(&(struct h_pgpin_opts){
		.listen_host = "0.0.0.0", .no_wait = true });

	cr_assert(h_pgpin_wait_exit(p, 5), "pgpin runs with trust authentication on 0.0.0.0");
	cr_expect(WIFEXITED(p->status) && WEXITSTATUS(p->status) != 0,
		  "pgpin ended with wait status %#x, want a non-zero exit", p->status);
	cr_expect(h_log_contains(p, "trust"), "pgpin's message does not mention trust");
	h_done();
}

/* ================================================================ signals */

Test(signals, sigterm_exits_promptly, IT(30))
{
	struct h_pgpin *p = h_pgpin_start(NULL);
	PGconn *idle = h_connect(p, NULL), *in_tx = h_connect(p, NULL);
	double t0;

	PQclear(h_exec(idle, "SELECT 1"));
	PQclear(h_exec(in_tx, "BEGIN"));
	PQclear(h_exec(in_tx, "SELECT 1"));
	t0 = h_now();
	kill(p->pid, SIGTERM);
	cr_assert(h_pgpin_wait_exit(p, 2), "pgpin still runs 2 s after SIGTERM");
	cr_log_info("pgpin exited %.3f s after SIGTERM", h_now() - t0);
	cr_expect((WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0) ||
		  (WIFSIGNALED(p->status) && WTERMSIG(p->status) == SIGTERM),
		  "wait status after SIGTERM: %#x", p->status);
	PQfinish(idle);
	PQfinish(in_tx);
	h_done();
}

/* SIGINT while client a is inside a transaction on table it_sigint (and
 * client idle is not): pgpin keeps running. */
static void sigint_inside_transaction(struct h_pgpin *p, PGconn *a, PGconn *idle)
{
	PQclear(h_exec(idle, "SELECT 1"));
	PQclear(h_exec(a, "BEGIN"));
	PQclear(h_exec(a, "INSERT INTO it_sigint VALUES ('before SIGINT')"));
	kill(p->pid, SIGINT);
	h_sleep(0.5);
	cr_assert(h_pgpin_alive(p), "pgpin exited on SIGINT with a transaction open (status %#x)",
		  p->status);
}

/* a ends its transaction, then pgpin exits cleanly: the seconds it took. */
static double commit_then_exit(struct h_pgpin *p, PGconn *a)
{
	PQclear(h_exec(a, "INSERT INTO it_sigint VALUES ('after SIGINT')"));
	double t0 = h_now();
	PGresult *r = PQexec(a, "COMMIT");
	cr_expect_eq(PQresultStatus(r), PGRES_COMMAND_OK, "COMMIT after SIGINT: %s", PQerrorMessage(a));
	PQclear(r);
	cr_expect(h_pgpin_wait_exit(p, 5), "pgpin still runs 5 s after the last transaction ended "
		  "(an idle client is still connected)");
	if (p->exited)
		cr_expect(WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0,
			  "wait status after SIGINT: %#x", p->status);
	return h_now() - t0;
}

Test(signals, sigint_waits_for_open_transactions, IT(60))
{
	struct h_pgpin *p;
	PGconn *a, *idle, *late;

	h_direct_exec("DROP TABLE IF EXISTS it_sigint; CREATE TABLE it_sigint (v text)");
	p = h_pgpin_start(NULL);
	a = h_connect(p, NULL);
	idle = h_connect(p, NULL);
	sigint_inside_transaction(p, a, idle);
	late = h_connect_try(p->port, "connect_timeout=3");
	cr_expect(PQstatus(late) != CONNECTION_OK, "pgpin accepted a new client after SIGINT");
	PQfinish(late);
	commit_then_exit(p, a);
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_sigint"), 2);
	PQfinish(a);
	PQfinish(idle);
	h_done();
}

/*
 * The same on the SQLite backend, whose sessions run on their own threads
 * and write their replies to the socket themselves: pgpin still learns that
 * the transaction ended, closes the client and exits at once.
 */
Test(signals, sigint_waits_for_open_transactions_on_sqlite, IT(60))
{
	struct h_pgpin *p = lite_pgpin_start("sigint", NULL);
	PGconn *a = h_connect(p, "dbname=postgres"), *idle = h_connect(p, "dbname=postgres");

	PQclear(h_exec(a, "CREATE TABLE it_sigint (v text)"));
	sigint_inside_transaction(p, a, idle);
	double took = commit_then_exit(p, a);
	cr_expect(took < 3, "pgpin exited %.1f s after the COMMIT", took);
	PQfinish(a);
	PQfinish(idle);

	/* The transaction was committed whole (the same directory). */
	p = lite_pgpin_start("sigint", NULL);
	a = h_connect(p, "dbname=postgres");
	cr_expect_str_eq(h_value(a, "SELECT count(*) FROM it_sigint"), "2");
	PQfinish(a);
	h_done();
}

/*
 * SIGINT while a SQLite client has not read a large result: pgpin waits
 * for it to read the result, then says 57P01 and exits, though nothing
 * more comes from the session's thread to wake it.
 */
Test(signals, sigint_waits_for_a_sqlite_result_read_late, IT(60))
{
	enum { ROWS = 80000 };
	static const char sql[] = "WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t "
				  "WHERE i < 80000) SELECT i, printf('%0100d', i) FROM t";
	struct h_pgpin *p = lite_pgpin_start("sigint-late", NULL);
	int fd = h_tcp_connect(p->port);
	uint8_t buf[512];
	struct h_msg m;
	long rows = 0;

	h_raw_login(fd, h_env()->user, "postgres");
	cr_assert_eq(h_send(fd, buf, h_message(buf, sizeof buf, 'Q', sql, sizeof sql)),
		     h_message(buf, sizeof buf, 'Q', sql, sizeof sql));
	h_sleep(1.0); /* about 9 MB wait in the socket, the loop and the outbox */
	cr_assert(kill(p->pid, SIGINT) == 0);
	h_sleep(0.5);
	for (;;) {
		cr_assert_eq(h_read_msg(fd, &m, 10), 1, "the result stopped after %ld rows", rows);
		char type = m.type;
		h_msg_free(&m);
		if (type == 'D')
			rows++;
		if (type == 'Z')
			break;
		cr_assert(type == 'T' || type == 'D' || type == 'C', "message '%c' in the result", type);
	}
	cr_expect_eq(rows, ROWS);
	cr_assert_eq(h_read_msg(fd, &m, 5), 1, "nothing within 5 s of the end of the result");
	cr_expect_eq(m.type, 'E');
	const char *code = h_msg_field(&m, 'C');
	cr_expect_str_eq(code ? code : "(none)", "57P01");
	h_msg_free(&m);
	close(fd);
	cr_expect(h_pgpin_wait_exit(p, 5), "pgpin still runs 5 s after its last client left");
	h_done();
}

/* ================================================================ runner */

/*
 * In a sanitizer build, LeakSanitizer checks pgpin; a test that fails an
 * assertion skips its cleanup, and that is no leak worth reporting.
 */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return 1;
}

/* One test at a time, unless --jobs says otherwise. */
int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int rc = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true))
		rc = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return rc;
}
