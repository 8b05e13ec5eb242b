/*
 * test_config.c - unit tests for src/config.c: sources and their precedence,
 * every value type, listen lists, the trust rule, libpq connection strings,
 * [databases] and [users], the printed configuration and --help.
 *
 * Error messages are checked word for word: they are what an operator reads.
 *
 * Build and run on its own:
 *   gcc -Wall -Wextra -Isrc -I/usr/include/postgresql -fsanitize=address,undefined \
 *       -o /tmp/test_config t/unit/test_config.c src/config.c src/log.c -lpq -lcriterion
 *   /tmp/test_config
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* ------------------------------------------------------------ helpers */

#define ARGV(...) ((char *const[]){"pgpin", __VA_ARGS__, NULL})
#define NOARGS ((char *const[]){"pgpin", NULL})
#define ENV(...) ((char *const[]){__VA_ARGS__, NULL})
#define NOENV ((char *const[]){NULL})

static int count(char *const *v)
{
	int n = 0;
	while (v[n])
		n++;
	return n;
}

static struct config cfg;
static char err[1024];
static char ini_path[64];

static int load(char *const argv[], char *const envp[])
{
	return config_load(&cfg, count(argv), argv, envp, err, sizeof(err));
}

/* Load and fail the test with the message if it does not load. */
static void load_ok(char *const argv[], char *const envp[])
{
	int rc = load(argv, envp);
	cr_assert_eq(rc, 0, "config_load failed: %s", err);
}

static void load_fails(char *const argv[], char *const envp[], const char *want)
{
	int rc = load(argv, envp);
	cr_assert_eq(rc, -1, "config_load should have failed with: %s", want);
	cr_assert_str_eq(err, want);
}

/* Write an INI file; its path is left in ini_path. */
static void write_ini(const char *text)
{
	int fd;
	FILE *f;

	snprintf(ini_path, sizeof(ini_path), "/tmp/test_config_XXXXXX");
	fd = mkstemp(ini_path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void cleanup(void)
{
	config_free(&cfg);
	if (ini_path[0])
		unlink(ini_path);
	ini_path[0] = '\0';
}

/* config_print() output, to be freed by the caller. */
static char *printed(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	config_print(c, f);
	fclose(f);
	return buf;
}

TestSuite(defaults, .fini = cleanup);
TestSuite(precedence, .fini = cleanup);
TestSuite(flags, .fini = cleanup);
TestSuite(types, .fini = cleanup);
TestSuite(listen, .fini = cleanup);
TestSuite(auth, .fini = cleanup);
TestSuite(endpoint);
TestSuite(ini, .fini = cleanup);
TestSuite(databases, .fini = cleanup);
TestSuite(print, .fini = cleanup);
TestSuite(usage);
TestSuite(wipe, .fini = cleanup);

/* ------------------------------------------------------------ defaults */

Test(defaults, every_setting)
{
	load_ok(NOARGS, NOENV);
	cr_assert_eq(cfg.action, ACTION_RUN);
	cr_assert_null(cfg.config_file);
	cr_assert_eq(cfg.n_listen, 1);
	cr_assert_str_eq(cfg.listen[0].host, "127.0.0.1");
	cr_assert_eq(cfg.listen[0].port, 6432);
	cr_assert_null(cfg.unix_socket_dir);
	cr_assert_eq(cfg.unix_socket_mode, 0777);
	cr_assert_str_eq(cfg.datastore_endpoint, "");
	cr_assert_eq(cfg.endpoint.kind, ENDPOINT_SQLITE);
	cr_assert_str_eq(cfg.endpoint.sqlite_path, "./pgpin-data/");
	cr_assert_eq(cfg.auth_type, AUTH_TRUST);
	cr_assert_null(cfg.auth_file);
	cr_assert_eq(cfg.pool_mode, POOL_TRANSACTION);
	cr_assert_eq(cfg.pool_size, 20);
	cr_assert_eq(cfg.min_pool_size, 0);
	cr_assert_eq(cfg.max_client_conn, 100);
	cr_assert_str_eq(cfg.server_reset_query, "DISCARD ALL");
	cr_assert_str_eq(cfg.server_check_query, "");
	cr_assert_float_eq(cfg.server_idle_timeout, 600, 1e-9);
	cr_assert_float_eq(cfg.server_lifetime, 3600, 1e-9);
	cr_assert_float_eq(cfg.server_connect_timeout, 15, 1e-9);
	cr_assert_float_eq(cfg.server_check_delay, 30, 1e-9);
	cr_assert_float_eq(cfg.query_wait_timeout, 120, 1e-9);
	cr_assert_float_eq(cfg.client_login_timeout, 60, 1e-9);
	cr_assert_float_eq(cfg.shutdown_timeout, 0, 1e-9);
	cr_assert_eq(cfg.max_packet_size, 1073741824u);
	cr_assert_eq(cfg.log_level, LOG_LVL_INFO);
	cr_assert_eq(cfg.syslog, false);
	cr_assert_str_eq(cfg.syslog_ident, "pgpin");
	cr_assert_float_eq(cfg.stats_period, 60, 1e-9);
	cr_assert_eq(cfg.n_dbs, 0);
	cr_assert_eq(cfg.n_users, 0);
}

Test(defaults, envp_may_be_null)
{
	cr_assert_eq(config_load(&cfg, 1, NOARGS, NULL, err, sizeof(err)), 0, "%s", err);
}

Test(defaults, reload_with_same_arguments)
{
	char *const *argv = ARGV("--pool-size", "9", "--listen", "[::1]:7000");
	char *const *envp = ENV("PGPIN_LOG_LEVEL=debug");

	load_ok(argv, envp);
	config_free(&cfg);
	load_ok(argv, envp);
	cr_assert_eq(cfg.pool_size, 9);
	cr_assert_str_eq(cfg.listen[0].host, "::1");
	cr_assert_eq(cfg.log_level, LOG_LVL_DEBUG);
}

/* ------------------------------------------------------------ precedence */

Test(precedence, flag_over_env_over_file_over_default)
{
	write_ini("[pgpin]\n"
		  "pool_size = 5\n"
		  "min_pool_size = 1\n"
		  "max_client_conn = 50\n");
	char cflag[80];
	snprintf(cflag, sizeof(cflag), "--config=%s", ini_path);

	load_ok(ARGV(cflag, "--pool-size=7"),
		ENV("PGPIN_POOL_SIZE=6", "PGPIN_MIN_POOL_SIZE=2"));
	cr_assert_eq(cfg.pool_size, 7);       /* flag */
	cr_assert_eq(cfg.min_pool_size, 2);   /* environment */
	cr_assert_eq(cfg.max_client_conn, 50); /* file */
	cr_assert_str_eq(cfg.syslog_ident, "pgpin"); /* default */
	cr_assert_str_eq(cfg.config_file, ini_path);
}

Test(precedence, config_file_from_env_and_flag)
{
	char env[80];

	write_ini("[pgpin]\npool_size = 11\n");
	snprintf(env, sizeof(env), "PGPIN_CONFIG=%s", ini_path);
	load_ok(NOARGS, ENV(env));
	cr_assert_eq(cfg.pool_size, 11);
	config_free(&cfg);

	/* -c wins over PGPIN_CONFIG. */
	load_fails(ARGV("-c", "/nonexistent/pgpin.ini"), ENV(env),
		   "cannot open config file '/nonexistent/pgpin.ini': No such file or directory");
	load_fails(ARGV("-c/nonexistent/x.ini"), NOENV,
		   "cannot open config file '/nonexistent/x.ini': No such file or directory");
}

Test(precedence, env_names_and_empty_values)
{
	load_ok(NOARGS, ENV("PGPIN_SERVER_RESET_QUERY=", "PGPIN_UNIX_SOCKET_DIR=/run/pgpin",
			    "PGPIN_POOL_SIZE_EXTRA=3", "PGPIN_SERVICE_HOST=10.0.0.1"));
	cr_assert_str_eq(cfg.server_reset_query, "");
	cr_assert_str_eq(cfg.unix_socket_dir, "/run/pgpin");
	cr_assert_eq(cfg.pool_size, 20);
}

/* ------------------------------------------------------------ flags */

Test(flags, both_value_forms)
{
	load_ok(ARGV("--pool-mode", "session", "--syslog-ident=pgpin-a", "--log-level", "debug"),
		NOENV);
	cr_assert_eq(cfg.pool_mode, POOL_SESSION);
	cr_assert_str_eq(cfg.syslog_ident, "pgpin-a");
	cr_assert_eq(cfg.log_level, LOG_LVL_DEBUG);
}

Test(flags, actions)
{
	load_ok(ARGV("-h"), NOENV);
	cr_assert_eq(cfg.action, ACTION_HELP);
	config_free(&cfg);
	load_ok(ARGV("--help"), NOENV);
	cr_assert_eq(cfg.action, ACTION_HELP);
	config_free(&cfg);
	load_ok(ARGV("-V"), NOENV);
	cr_assert_eq(cfg.action, ACTION_VERSION);
	config_free(&cfg);
	load_ok(ARGV("--version"), NOENV);
	cr_assert_eq(cfg.action, ACTION_VERSION);
	config_free(&cfg);
	load_ok(ARGV("--check", "--pool-size=3"), NOENV);
	cr_assert_eq(cfg.action, ACTION_CHECK);
	cr_assert_eq(cfg.pool_size, 3);
	config_free(&cfg);
	/* Help works even when the rest would not load. */
	load_ok(ARGV("--help", "-c", "/nonexistent"), NOENV);
	cr_assert_eq(cfg.action, ACTION_HELP);
}

Test(flags, errors)
{
	load_fails(ARGV("--pool-sise=3"), NOENV, "unknown option '--pool-sise' (see --help)");
	config_free(&cfg);
	load_fails(ARGV("-x"), NOENV, "unknown option '-x' (see --help)");
	config_free(&cfg);
	load_fails(ARGV("--pool-size"), NOENV, "option '--pool-size' needs a value");
	config_free(&cfg);
	load_fails(ARGV("-c"), NOENV, "option '-c' needs a file name");
	config_free(&cfg);
	load_fails(ARGV("extra"), NOENV, "unexpected argument 'extra' (see --help)");
	config_free(&cfg);
	load_fails(ARGV("--", "extra"), NOENV, "unexpected argument 'extra' (see --help)");
	config_free(&cfg);
	load_fails(ARGV("--help=yes"), NOENV, "option '--help' takes no value");
}

Test(flags, negated_booleans)
{
	load_ok(NOARGS, NOENV);
	cr_assert(cfg.create_database, "default: yes");
	config_free(&cfg);
	load_ok(ARGV("--no-create-database"), ENV("PGPIN_CREATE_DATABASE=yes"));
	cr_assert(!cfg.create_database);
	config_free(&cfg);
	load_ok(ARGV("--no-create-database", "--create-database"), NOENV);
	cr_assert(cfg.create_database, "the last flag wins");
	config_free(&cfg);
	load_ok(ARGV("--syslog", "--no-syslog", "--no-backend-is-pooler"), NOENV);
	cr_assert(!cfg.syslog);
	cr_assert(!cfg.backend_is_pooler);
	config_free(&cfg);
	load_fails(ARGV("--no-create-database=yes"), NOENV,
		   "option '--no-create-database' takes no value");
	config_free(&cfg);
	load_fails(ARGV("--no-pool-size"), NOENV, "unknown option '--no-pool-size' (see --help)");
	config_free(&cfg);
	load_fails(ARGV("--no-such-thing"), NOENV, "unknown option '--no-such-thing' (see --help)");
}

Test(flags, last_flag_wins)
{
	load_ok(ARGV("--pool-size=3", "--pool-size=4"), NOENV);
	cr_assert_eq(cfg.pool_size, 4);
}

/* ------------------------------------------------------------ types */

Test(types, integer)
{
	write_ini("[pgpin]\n\npool_size = x\n");
	char want[256], cflag[80];
	snprintf(cflag, sizeof(cflag), "--config=%s", ini_path);
	snprintf(want, sizeof(want), "%s:3: pool_size: invalid integer 'x'", ini_path);
	load_fails(ARGV(cflag), NOENV, want);

	load_fails(ARGV("--pool-size=12abc"), NOENV, "--pool-size: invalid integer '12abc'");
	load_fails(ARGV("--pool-size= 12"), NOENV, "--pool-size: invalid integer ' 12'");
	load_fails(ARGV("--pool-size=99999999999999999999"), NOENV,
		   "--pool-size: invalid integer '99999999999999999999'");
	load_fails(ARGV("--pool-size=0"), NOENV, "--pool-size: must be at least 1 (got 0)");
	load_fails(ARGV("--pool-size=2147483648"), NOENV,
		   "--pool-size: must be at most 2147483647 (got 2147483648)");
	load_fails(NOARGS, ENV("PGPIN_MAX_CLIENT_CONN=-5"),
		   "PGPIN_MAX_CLIENT_CONN: must be at least 1 (got -5)");
	load_fails(ARGV("--min-pool-size=30"), NOENV,
		   "min_pool_size (30) must not be greater than pool_size (20)");
	load_ok(ARGV("--min-pool-size=20", "--max-client-conn=1"), NOENV);
	cr_assert_eq(cfg.min_pool_size, 20);
	cr_assert_eq(cfg.max_client_conn, 1);
}

Test(types, boolean)
{
	static const char *const yes[] = {"yes", "on", "true", "1", "YES", "True"};
	static const char *const no[] = {"no", "off", "false", "0", "NO", "Off"};
	char flag[32];
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(flag, sizeof(flag), "--syslog=%s", yes[i]);
		load_ok(ARGV(flag), NOENV);
		cr_assert(cfg.syslog, "%s", flag);
		config_free(&cfg);
		snprintf(flag, sizeof(flag), "--syslog=%s", no[i]);
		load_ok(ARGV(flag), ENV("PGPIN_SYSLOG=yes"));
		cr_assert(!cfg.syslog, "%s", flag);
		config_free(&cfg);
	}
	/* A boolean flag alone means yes, and does not take the next argument. */
	load_ok(ARGV("--syslog", "--pool-size=2"), NOENV);
	cr_assert(cfg.syslog);
	cr_assert_eq(cfg.pool_size, 2);
	config_free(&cfg);
	load_fails(ARGV("--syslog=maybe"), NOENV,
		   "--syslog: invalid boolean 'maybe' (expected yes or no)");
	load_fails(NOARGS, ENV("PGPIN_SYSLOG="), "PGPIN_SYSLOG: invalid boolean '' (expected yes or no)");
}

static double seconds_of(const char *v)
{
	char flag[64];

	snprintf(flag, sizeof(flag), "--server-idle-timeout=%s", v);
	config_free(&cfg);
	load_ok(ARGV(flag), NOENV);
	return cfg.server_idle_timeout;
}

Test(types, seconds)
{
	cr_assert_float_eq(seconds_of("3"), 3, 1e-9);
	cr_assert_float_eq(seconds_of("2.5"), 2.5, 1e-9);
	cr_assert_float_eq(seconds_of(".5"), 0.5, 1e-9);
	cr_assert_float_eq(seconds_of("10s"), 10, 1e-9);
	cr_assert_float_eq(seconds_of("10 s"), 10, 1e-9);
	cr_assert_float_eq(seconds_of("250ms"), 0.25, 1e-9);
	cr_assert_float_eq(seconds_of("1.5min"), 90, 1e-9);
	cr_assert_float_eq(seconds_of("2h"), 7200, 1e-9);
	cr_assert_float_eq(seconds_of("0"), 0, 1e-9);
	config_free(&cfg);

	static const char *const bad[] = {"-1", "10m", "inf", "nan", "0x10", "", "s", "1.5 days",
					  "+3", "."};
	char flag[64], want[200];
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(flag, sizeof(flag), "--query-wait-timeout=%s", bad[i]);
		snprintf(want, sizeof(want),
			 "--query-wait-timeout: invalid duration '%s' (expected seconds, or a "
			 "number with ms, s, min or h)",
			 bad[i]);
		load_fails(ARGV(flag), NOENV, want);
	}
	load_fails(ARGV("--stats-period=1e10"), NOENV, "--stats-period: duration '1e10' is too long");
}

Test(types, size)
{
	load_ok(ARGV("--max-packet-size=1kB"), NOENV);
	cr_assert_eq(cfg.max_packet_size, 1024u);
	config_free(&cfg);
	load_ok(ARGV("--max-packet-size=64MB"), NOENV);
	cr_assert_eq(cfg.max_packet_size, 64u * 1024 * 1024);
	config_free(&cfg);
	load_ok(ARGV("--max-packet-size=1GB"), NOENV);
	cr_assert_eq(cfg.max_packet_size, 1073741824u);
	config_free(&cfg);
	load_ok(ARGV("--max-packet-size=2147483647"), NOENV);
	cr_assert_eq(cfg.max_packet_size, 0x7fffffffu);
	config_free(&cfg);
	load_ok(ARGV("--max-packet-size=4096 B"), NOENV);
	cr_assert_eq(cfg.max_packet_size, 4096u);
	config_free(&cfg);

	load_fails(ARGV("--max-packet-size=1TB"), NOENV,
		   "--max-packet-size: invalid size '1TB' (expected bytes, or a number with kB, "
		   "MB or GB)");
	load_fails(ARGV("--max-packet-size=-1"), NOENV,
		   "--max-packet-size: invalid size '-1' (expected bytes, or a number with kB, "
		   "MB or GB)");
	load_fails(ARGV("--max-packet-size=1000"), NOENV,
		   "--max-packet-size: must be at least 1024 bytes (got '1000')");
	load_fails(ARGV("--max-packet-size=2GB"), NOENV,
		   "--max-packet-size: must be at most 2147483647 bytes (got '2GB')");
}

Test(types, enums)
{
	load_ok(ARGV("--pool-mode=statement", "--log-level=warning", "--auth-type=scram-sha-256",
		     "--auth-file=/etc/pgpin/userlist.txt"),
		NOENV);
	cr_assert_eq(cfg.pool_mode, POOL_STATEMENT);
	cr_assert_eq(cfg.log_level, LOG_LVL_WARNING);
	cr_assert_eq(cfg.auth_type, AUTH_SCRAM);
	cr_assert_str_eq(cfg.auth_file, "/etc/pgpin/userlist.txt");
	config_free(&cfg);

	load_fails(ARGV("--pool-mode=tx"), NOENV,
		   "--pool-mode: invalid value 'tx' (expected session, transaction or statement)");
	load_fails(NOARGS, ENV("PGPIN_LOG_LEVEL=loud"),
		   "PGPIN_LOG_LEVEL: invalid value 'loud' (expected error, warning, info or debug)");
	load_fails(ARGV("--auth-type=password"), NOENV,
		   "--auth-type: invalid value 'password' (expected trust, md5 or scram-sha-256)");
}

Test(types, octal_and_strings)
{
	load_ok(ARGV("--unix-socket-mode=0600", "--unix-socket-dir=/tmp",
		     "--server-check-query=SELECT 1"),
		NOENV);
	cr_assert_eq(cfg.unix_socket_mode, 0600);
	cr_assert_str_eq(cfg.unix_socket_dir, "/tmp");
	cr_assert_str_eq(cfg.server_check_query, "SELECT 1");
	config_free(&cfg);
	load_fails(ARGV("--unix-socket-mode=0999"), NOENV,
		   "--unix-socket-mode: invalid octal mode '0999' (expected 0 to 777)");
	load_fails(ARGV("--unix-socket-mode=01777"), NOENV,
		   "--unix-socket-mode: invalid octal mode '01777' (expected 0 to 777)");
}

/* ------------------------------------------------------------ listen */

Test(listen, list_forms)
{
	load_ok(NOARGS, ENV("PGPIN_LISTEN=127.0.0.1:7000, [::1]:7001 localhost"));
	cr_assert_eq(cfg.n_listen, 3);
	cr_assert_str_eq(cfg.listen[0].host, "127.0.0.1");
	cr_assert_eq(cfg.listen[0].port, 7000);
	cr_assert_str_eq(cfg.listen[1].host, "::1");
	cr_assert_eq(cfg.listen[1].port, 7001);
	cr_assert_str_eq(cfg.listen[2].host, "localhost");
	cr_assert_eq(cfg.listen[2].port, 6432);
}

Test(listen, repeated_flags_replace_env)
{
	load_ok(ARGV("--listen", "127.0.0.2:1", "--listen=[::1]"),
		ENV("PGPIN_LISTEN=127.0.0.1:9999"));
	cr_assert_eq(cfg.n_listen, 2);
	cr_assert_str_eq(cfg.listen[0].host, "127.0.0.2");
	cr_assert_eq(cfg.listen[0].port, 1);
	cr_assert_str_eq(cfg.listen[1].host, "::1");
	cr_assert_eq(cfg.listen[1].port, 6432);
}

Test(listen, unix_socket_only)
{
	load_ok(ARGV("--listen=", "--unix-socket-dir=/run/pgpin"), NOENV);
	cr_assert_eq(cfg.n_listen, 0);
	config_free(&cfg);
	load_fails(ARGV("--listen="), NOENV,
		   "listen: no address to listen on (set listen or unix_socket_dir)");
}

Test(listen, errors)
{
	load_fails(ARGV("--listen=::1"), NOENV,
		   "--listen: write IPv6 addresses in brackets, as in [::1]:6432 (got '::1')");
	load_fails(ARGV("--listen=[::1"), NOENV, "--listen: missing ']' in '[::1'");
	load_fails(ARGV("--listen=[::1]6432"), NOENV,
		   "--listen: unexpected text after ']' in '[::1]6432'");
	load_fails(ARGV("--listen=:6432"), NOENV, "--listen: missing host in ':6432'");
	load_fails(ARGV("--listen=127.0.0.1:0"), NOENV,
		   "--listen: invalid port '0' in '127.0.0.1:0' (expected 1 to 65535)");
	load_fails(ARGV("--listen=127.0.0.1:65536"), NOENV,
		   "--listen: invalid port '65536' in '127.0.0.1:65536' (expected 1 to 65535)");
	load_fails(ARGV("--listen=127.0.0.1:x"), NOENV,
		   "--listen: invalid port 'x' in '127.0.0.1:x' (expected 1 to 65535)");
	load_fails(ARGV("--listen=127.0.0.1:"), NOENV,
		   "--listen: invalid port '' in '127.0.0.1:' (expected 1 to 65535)");
}

/* ------------------------------------------------------------ auth */

#define TRUST_REFUSED                                                                    \
	"auth_type=trust is only allowed when every listen address is loopback or a Unix " \
	"socket; set auth_type and auth_file"

Test(auth, trust_refused_off_loopback)
{
	load_fails(ARGV("--listen=0.0.0.0:6432"), NOENV,
		   TRUST_REFUSED " (listen address 0.0.0.0 is not loopback)");
	load_fails(ARGV("--listen=127.0.0.1:6432", "--listen=[::]:6432"), NOENV,
		   TRUST_REFUSED " (listen address :: is not loopback)");
	load_fails(NOARGS, ENV("PGPIN_LISTEN=db.example.com:6432"),
		   TRUST_REFUSED " (listen address db.example.com is not loopback)");
}

Test(auth, trust_on_loopback)
{
	load_ok(ARGV("--listen=127.1.2.3:6432", "--listen=[::1]:6432", "--listen=localhost:1"),
		NOENV);
	cr_assert_eq(cfg.auth_type, AUTH_TRUST);
}

Test(auth, password_auth_needs_a_file)
{
	load_fails(ARGV("--auth-type=md5"), NOENV, "auth_type=md5 needs auth_file");
	load_fails(ARGV("--auth-type=scram-sha-256", "--auth-file="), NOENV,
		   "auth_type=scram-sha-256 needs auth_file");
	load_ok(ARGV("--auth-type=md5", "--auth-file=users.txt", "--listen=0.0.0.0:6432"), NOENV);
	cr_assert_eq(cfg.auth_type, AUTH_MD5);
}

Test(auth, loopback_hosts)
{
	cr_assert(config_host_is_loopback("127.0.0.1"));
	cr_assert(config_host_is_loopback("127.255.0.9"));
	cr_assert(config_host_is_loopback("::1"));
	cr_assert(config_host_is_loopback("[::1]"));
	cr_assert(config_host_is_loopback("::ffff:127.0.0.1"));
	cr_assert(config_host_is_loopback("localhost"));
	cr_assert(config_host_is_loopback("LocalHost"));
	cr_assert(!config_host_is_loopback("0.0.0.0"));
	cr_assert(!config_host_is_loopback("::"));
	cr_assert(!config_host_is_loopback("128.0.0.1"));
	cr_assert(!config_host_is_loopback("10.0.0.1"));
	cr_assert(!config_host_is_loopback("localhost.example.com"));
	cr_assert(!config_host_is_loopback("127.0.0.1.nip.io"));
	cr_assert(!config_host_is_loopback(""));
	cr_assert(!config_host_is_loopback(NULL));
}

Test(auth, names)
{
	cr_assert_str_eq(auth_type_name(AUTH_TRUST), "trust");
	cr_assert_str_eq(auth_type_name(AUTH_MD5), "md5");
	cr_assert_str_eq(auth_type_name(AUTH_SCRAM), "scram-sha-256");
	cr_assert_str_eq(pool_mode_name(POOL_SESSION), "session");
	cr_assert_str_eq(pool_mode_name(POOL_TRANSACTION), "transaction");
	cr_assert_str_eq(pool_mode_name(POOL_STATEMENT), "statement");
}

/* ------------------------------------------------------------ endpoint_parse */

Test(endpoint, uri_with_percent_encoded_password)
{
	struct endpoint ep;
	char msg[256];

	cr_assert_eq(endpoint_parse("postgresql://kine:p%40ss%2Fw%3Ard@db.example:5433/kubernetes"
				    "?application_name=k3s&connect_timeout=7",
				    &ep, msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(ep.kind, ENDPOINT_POSTGRES);
	cr_assert_str_eq(ep.host, "db.example");
	cr_assert_eq(ep.port, 5433);
	cr_assert_str_eq(ep.dbname, "kubernetes");
	cr_assert_str_eq(ep.user, "kine");
	cr_assert_str_eq(ep.password, "p@ss/w:rd");
	cr_assert_str_eq(ep.application_name, "k3s");
	cr_assert_eq(ep.connect_timeout, 7);
	cr_assert_null(ep.hostaddr);
	cr_assert_null(ep.passfile);
	cr_assert_null(ep.options);
	endpoint_free(&ep);
}

Test(endpoint, keyword_form)
{
	struct endpoint ep;
	char msg[256];

	cr_assert_eq(endpoint_parse("host=/var/run/postgresql port=5434 dbname='my db' user=u "
				    "password='it\\'s' hostaddr=10.0.0.5 passfile=/p "
				    "options='-c search_path=kine'",
				    &ep, msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_str_eq(ep.host, "/var/run/postgresql");
	cr_assert_eq(ep.port, 5434);
	cr_assert_str_eq(ep.dbname, "my db");
	cr_assert_str_eq(ep.user, "u");
	cr_assert_str_eq(ep.password, "it's");
	cr_assert_str_eq(ep.hostaddr, "10.0.0.5");
	cr_assert_str_eq(ep.passfile, "/p");
	cr_assert_str_eq(ep.options, "-c search_path=kine");
	endpoint_free(&ep);
}

Test(endpoint, bare_uri_is_k3s_default)
{
	static const char *const bare[] = {"postgres://", "postgresql://"};
	struct endpoint ep;
	char msg[256];
	size_t i;

	/* libpq's PGHOST & co. must not leak in: only what the string says. */
	setenv("PGHOST", "from-env", 1);
	setenv("PGUSER", "from-env", 1);
	setenv("PGDATABASE", "from-env", 1);
	/* k3s: "postgres://" is postgres://postgres:postgres@localhost:5432/kubernetes */
	for (i = 0; i < 2; i++) {
		cr_assert_eq(endpoint_parse(bare[i], &ep, msg, sizeof(msg)), 0, "%s", msg);
		cr_assert_eq(ep.kind, ENDPOINT_POSTGRES);
		cr_assert_str_eq(ep.host, "localhost");
		cr_assert_eq(ep.port, 5432);
		cr_assert_str_eq(ep.user, "postgres");
		cr_assert_str_eq(ep.password, "postgres");
		cr_assert_str_eq(ep.dbname, "kubernetes");
		cr_assert_eq(ep.connect_timeout, 0);
		endpoint_free(&ep);
	}
	/* Only an empty remainder is bare: the rest keeps libpq's meaning. */
	cr_assert_eq(endpoint_parse("postgres://?sslmode=disable", &ep, msg, sizeof(msg)), 0, "%s",
		     msg);
	cr_assert_null(ep.host);
	cr_assert_null(ep.user);
	cr_assert_null(ep.password);
	cr_assert_str_eq(ep.dbname, "kubernetes");
	endpoint_free(&ep);
}

Test(endpoint, uri_database_follows_kine)
{
	static const struct {
		const char *uri, *dbname;
	} cases[] = {
		{"postgres://u:p@db:5433", "kubernetes"},
		{"postgres://u:p@db:5433/", "kubernetes"},
		{"postgresql://db/K3S_Data", "k3s_data"},
		{"postgres://db/%4Bine", "kine"},
		{"postgres://db/kine?sslmode=disable", "kine"},
	};
	struct endpoint ep;
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(endpoint_parse(cases[i].uri, &ep, msg, sizeof(msg)), 0, "%s: %s",
			     cases[i].uri, msg);
		cr_assert_str_eq(ep.dbname, cases[i].dbname, "%s", cases[i].uri);
		endpoint_free(&ep);
	}
	/* Keyword strings are libpq's: no dbname passes the client's through,
	 * and a name keeps its case. */
	cr_assert_eq(endpoint_parse("host=db user=u", &ep, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_null(ep.dbname);
	endpoint_free(&ep);
	cr_assert_eq(endpoint_parse("host=db dbname=MyDB", &ep, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_str_eq(ep.dbname, "MyDB");
	endpoint_free(&ep);
}

Test(endpoint, sqlite_forms)
{
	struct endpoint ep;
	char msg[256];

	cr_assert_eq(endpoint_parse("sqlite:/var/lib/pgpin/", &ep, msg, sizeof(msg)), 0);
	cr_assert_eq(ep.kind, ENDPOINT_SQLITE);
	cr_assert_str_eq(ep.sqlite_path, "/var/lib/pgpin/");
	endpoint_free(&ep);
	cr_assert_eq(endpoint_parse("sqlite://./data", &ep, msg, sizeof(msg)), 0);
	cr_assert_str_eq(ep.sqlite_path, "./data");
	endpoint_free(&ep);
	cr_assert_eq(endpoint_parse("sqlite:///abs/dir", &ep, msg, sizeof(msg)), 0);
	cr_assert_str_eq(ep.sqlite_path, "/abs/dir");
	endpoint_free(&ep);
	cr_assert_eq(endpoint_parse("sqlite:", &ep, msg, sizeof(msg)), 0);
	cr_assert_str_eq(ep.sqlite_path, "./pgpin-data/");
	endpoint_free(&ep);
}

static void assert_hosts(const struct endpoint *ep, int want_n, const char *want)
{
	struct host_port *hosts;
	char msg[256], got[512] = "";
	size_t len = 0;
	int n, i;

	n = endpoint_hosts(ep->host, ep->hostaddr, ep->ports, ep->port, &hosts, msg, sizeof(msg));
	cr_assert_eq(n, want_n, "%s", n < 0 ? msg : "");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s:%d", i ? " " : "",
					hosts[i].host, hosts[i].port);
	cr_assert_str_eq(got, want);
	host_list_free(hosts, n);
}

Test(endpoint, multi_host)
{
	struct endpoint ep;
	char msg[256];

	cr_assert_eq(endpoint_parse("postgres://h1:5432,h2:5433/db?target_session_attrs=read-write",
				    &ep, msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_str_eq(ep.host, "h1,h2");
	cr_assert_str_eq(ep.ports, "5432,5433");
	cr_assert_eq(ep.port, 5432);
	cr_assert_eq(ep.target_session_attrs, TSA_READ_WRITE);
	assert_hosts(&ep, 2, "h1:5432 h2:5433");
	endpoint_free(&ep);

	/* A host without a port in a URI gets the default one. */
	cr_assert_eq(endpoint_parse("postgres://h1,h2:5433/db", &ep, msg, sizeof(msg)), 0, "%s",
		     msg);
	assert_hosts(&ep, 2, "h1:5432 h2:5433");
	endpoint_free(&ep);

	cr_assert_eq(endpoint_parse("host=h1,h2 port=5432,5433", &ep, msg, sizeof(msg)), 0, "%s",
		     msg);
	assert_hosts(&ep, 2, "h1:5432 h2:5433");
	endpoint_free(&ep);

	/* One port for all hosts. */
	cr_assert_eq(endpoint_parse("host=h1,h2,/run/pg port=6000", &ep, msg, sizeof(msg)), 0,
		     "%s", msg);
	assert_hosts(&ep, 3, "h1:6000 h2:6000 /run/pg:6000");
	endpoint_free(&ep);

	/* An empty host is localhost, an empty port the default, a hostaddr
	 * element wins over its host name. */
	cr_assert_eq(endpoint_parse("host=,h2,h3 hostaddr=10.0.0.1,,10.0.0.3 port=,7000,",
				    &ep, msg, sizeof(msg)),
		     0, "%s", msg);
	assert_hosts(&ep, 3, "10.0.0.1:5432 h2:7000 10.0.0.3:5432");
	endpoint_free(&ep);

	cr_assert_eq(endpoint_parse("host=h1,h2,h3 port=5432,5433", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "could not match 2 port numbers to 3 hosts");
	/* A port parameter replaces the URI's ports: one for all. */
	cr_assert_eq(endpoint_parse("postgres://h1:1,h2:2/db?port=5", &ep, msg, sizeof(msg)), 0,
		     "%s", msg);
	assert_hosts(&ep, 2, "h1:5 h2:5");
	endpoint_free(&ep);
	cr_assert_eq(endpoint_parse("host=a,b hostaddr=10.0.0.1", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "could not match 2 host names to 1 hostaddr values");
	cr_assert_eq(endpoint_parse("host=a,b port=1,x", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "invalid port '1,x' (expected 1 to 65535)");
}

Test(endpoint, host_list_defaults)
{
	struct host_port *hosts;
	char msg[256];

	/* No host at all: localhost, as pgpin has always done. */
	cr_assert_eq(endpoint_hosts(NULL, NULL, NULL, 5432, &hosts, msg, sizeof(msg)), 1);
	cr_assert_str_eq(hosts[0].host, "localhost");
	cr_assert_eq(hosts[0].port, 5432);
	host_list_free(hosts, 1);
	/* A [databases] entry's ports against the endpoint's hosts. */
	cr_assert_eq(endpoint_hosts("a,b", NULL, "1,2,3", 5432, &hosts, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "could not match 3 port numbers to 2 hosts");
	cr_assert_null(hosts);
}

Test(endpoint, errors)
{
	struct endpoint ep;
	char msg[256];

	cr_assert_eq(endpoint_parse("postgres://h:99999/db", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "invalid port '99999' (expected 1 to 65535)");
	cr_assert_eq(endpoint_parse("host=h port=0", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "invalid port '0' (expected 1 to 65535)");
	cr_assert_eq(endpoint_parse("host=h port=x", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "invalid port 'x' (expected 1 to 65535)");

	/* libpq's own message, without its trailing newline. */
	cr_assert_eq(endpoint_parse("postgres://h/db?bogus=1", &ep, msg, sizeof(msg)), -1);
	cr_assert(strstr(msg, "bogus") != NULL, "%s", msg);
	cr_assert_str_eq(msg, "invalid URI query parameter: \"bogus\"");
	cr_assert_eq(endpoint_parse("host=h nonsense=1", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "invalid connection option \"nonsense\"");

	cr_assert_eq(endpoint_parse("host=h connect_timeout=-3", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "invalid connect_timeout '-3'");
}

Test(endpoint, unsupported_parameters)
{
	struct endpoint ep;
	char msg[256];

	/* Parameters pgpin cannot honour are refused, never ignored. */
	cr_assert_eq(endpoint_parse("host=h krbsrvname=x", &ep, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "connection parameter \"krbsrvname\" is not supported by pgpin");
	cr_assert_eq(endpoint_parse("postgres://h/db?gssencmode=require", &ep, msg, sizeof(msg)),
		     -1);
	cr_assert_str_eq(msg, "gssencmode=require is not supported by pgpin");
	cr_assert_eq(endpoint_parse("postgres://h/db?sslmode=sometimes", &ep, msg, sizeof(msg)),
		     -1);
	cr_assert_str_eq(msg, "invalid sslmode value: \"sometimes\"");
	cr_assert_eq(endpoint_parse("postgres://h/db?target_session_attrs=any-old", &ep, msg,
				    sizeof(msg)),
		     -1);
	cr_assert_str_eq(msg, "invalid target_session_attrs value: \"any-old\"");
	cr_assert_eq(endpoint_parse("postgres://h/db?sslmode=disable&keepalives=1", &ep, msg,
				    sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(ep.sslmode, SSLMODE_DISABLE);
	endpoint_free(&ep);
}

Test(endpoint, tls_parameters)
{
	struct endpoint ep;
	char msg[256];

	cr_assert_eq(endpoint_parse("postgres://h/db", &ep, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(ep.sslmode, SSLMODE_PREFER, "libpq's default");
	cr_assert(!ep.sslmode_given);
	cr_assert(ep.sslsni);
	cr_assert_eq(ep.target_session_attrs, TSA_ANY);
	cr_assert(!ep.tsa_given);
	endpoint_free(&ep);
	cr_assert_eq(endpoint_parse("postgres://h/db?sslmode=verify-full&sslrootcert=/ca.pem"
				    "&sslcert=/c.pem&sslkey=/k.pem&sslsni=0"
				    "&target_session_attrs=read-write",
				    &ep, msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(ep.sslmode, SSLMODE_VERIFY_FULL);
	cr_assert(ep.sslmode_given);
	cr_assert_str_eq(ep.sslrootcert, "/ca.pem");
	cr_assert_str_eq(ep.sslcert, "/c.pem");
	cr_assert_str_eq(ep.sslkey, "/k.pem");
	cr_assert(!ep.sslsni);
	cr_assert_eq(ep.target_session_attrs, TSA_READ_WRITE);
	endpoint_free(&ep);
	cr_assert_eq(endpoint_parse("host=h sslmode=verify-ca target_session_attrs=prefer-standby",
				    &ep, msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(ep.sslmode, SSLMODE_VERIFY_CA);
	cr_assert_eq(ep.target_session_attrs, TSA_PREFER_STANDBY);
	cr_assert(ep.tsa_given);
	endpoint_free(&ep);
}

Test(endpoint, datastore_setting)
{
	struct config c;
	char msg[512];

	cr_assert_eq(config_load(&c, 1, NOARGS,
				 ENV("PGPIN_DATASTORE_ENDPOINT=postgres://kine:secret@db:5432/"
				     "kubernetes"),
				 msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(c.endpoint.kind, ENDPOINT_POSTGRES);
	cr_assert_str_eq(c.endpoint.host, "db");
	cr_assert_str_eq(c.endpoint.password, "secret");
	cr_assert_str_eq(c.datastore_endpoint, "postgres://kine:secret@db:5432/kubernetes");
	config_free(&c);

	cr_assert_eq(config_load(&c, 2, ARGV("--datastore-endpoint=sqlite:/srv/db"), NULL, msg,
				 sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(c.endpoint.kind, ENDPOINT_SQLITE);
	cr_assert_str_eq(c.endpoint.sqlite_path, "/srv/db");
	config_free(&c);
}

Test(endpoint, errors_never_show_the_password)
{
	struct config c;
	char msg[512];

	cr_assert_eq(config_load(&c, 2, ARGV("--datastore-endpoint=postgres://u:hunter%zz2@h/"),
				 NULL, msg, sizeof(msg)),
		     -1);
	cr_assert_str_eq(msg, "--datastore-endpoint: invalid percent-encoded token: \"****\"");
	cr_assert_eq(config_load(&c, 1, NOARGS,
				 ENV("PGPIN_DATASTORE_ENDPOINT=host=h password=hunter 2"), msg,
				 sizeof(msg)),
		     -1);
	cr_assert_str_eq(msg, "PGPIN_DATASTORE_ENDPOINT: missing \"=\" after \"****\" in "
			      "connection info string");
}

/* ------------------------------------------------------------ the INI file */

static void load_ini(const char *text)
{
	char cflag[80];

	write_ini(text);
	snprintf(cflag, sizeof(cflag), "--config=%s", ini_path);
	load_ok(ARGV(cflag), NOENV);
}

static void load_ini_fails(const char *text, const char *want_after_path)
{
	char cflag[80], want[512];

	write_ini(text);
	snprintf(cflag, sizeof(cflag), "--config=%s", ini_path);
	snprintf(want, sizeof(want), "%s%s", ini_path, want_after_path);
	load_fails(ARGV(cflag), NOENV, want);
}

Test(ini, syntax)
{
	load_ini("\xef\xbb\xbf; a comment\r\n"
		 "# another\n"
		 "\n"
		 "  [ PGPIN ]   ; section comment\n"
		 "Pool_Size=4\n"
		 "server_reset_query = \"SELECT 1 ; SELECT 2\"   # kept: inside quotes\n"
		 "server_check_query = 'SELECT ''x'''\n"
		 "syslog_ident = pgpin;not-a-comment\n"
		 "unix_socket_dir = '/run/my dir' ; comment\n"
		 "auth_file=\n");
	cr_assert_eq(cfg.pool_size, 4);
	cr_assert_str_eq(cfg.server_reset_query, "SELECT 1 ; SELECT 2");
	cr_assert_str_eq(cfg.server_check_query, "'SELECT ''x'''");
	cr_assert_str_eq(cfg.syslog_ident, "pgpin;not-a-comment");
	cr_assert_str_eq(cfg.unix_socket_dir, "/run/my dir");
	cr_assert_null(cfg.auth_file);
}

Test(ini, errors)
{
	load_ini_fails("[pgpin]\nbogus = 1\n", ":2: unknown setting 'bogus' in [pgpin]");
	config_free(&cfg);
	load_ini_fails("[pgpin]\n[server]\n",
		       ":2: unknown section [server] (expected [pgpin], [databases] or [users])");
	config_free(&cfg);
	load_ini_fails("pool_size = 3\n", ":1: 'pool_size' comes before any [section]");
	config_free(&cfg);
	load_ini_fails("[pgpin\n", ":1: missing ']' in section header");
	config_free(&cfg);
	load_ini_fails("[pgpin]\npool_size\n", ":2: expected 'key = value' or '[section]'");
	config_free(&cfg);
	load_ini_fails("[pgpin]\n= 3\n", ":2: missing name before '='");
	config_free(&cfg);
	load_ini_fails("[pgpin]\nlog_level = chatty\n",
		       ":2: log_level: invalid value 'chatty' (expected error, warning, info or "
		       "debug)");
}

/* ------------------------------------------------------------ [databases] and [users] */

Test(databases, entries_and_pool_keys)
{
	load_ini("[databases]\n"
		 "kube = host=db port=5433 pool_size=5 dbname=kubernetes pool_mode=session\n"
		 "uri = postgres://app@db2/appdb\n"
		 "* = host=fallback\n"
		 "lite = sqlite:/var/lib/lite\n"
		 "[users]\n"
		 "alice = pool_mode=statement pool_size=3\n"
		 "bob = pool_size=1\n");
	cr_assert_eq(cfg.n_dbs, 4);

	const struct db_entry *db = config_find_db(&cfg, "kube");
	cr_assert_not_null(db);
	cr_assert_str_eq(db->name, "kube");
	cr_assert_str_eq(db->ep.host, "db");
	cr_assert_eq(db->ep.port, 5433);
	cr_assert_str_eq(db->ep.dbname, "kubernetes");
	cr_assert_eq(db->pool_size, 5);
	cr_assert_eq(db->pool_mode, POOL_SESSION);

	db = config_find_db(&cfg, "uri");
	cr_assert_str_eq(db->ep.user, "app");
	cr_assert_str_eq(db->ep.dbname, "appdb");
	cr_assert_eq(db->ep.port, 0, "a port not given must let the main one show through");
	cr_assert_eq(db->pool_size, -1);
	cr_assert_eq(db->pool_mode, -1);

	db = config_find_db(&cfg, "lite");
	cr_assert_eq(db->ep.kind, ENDPOINT_SQLITE);
	cr_assert_str_eq(db->ep.sqlite_path, "/var/lib/lite");

	db = config_find_db(&cfg, "other");
	cr_assert_not_null(db);
	cr_assert_str_eq(db->name, "*");
	cr_assert_str_eq(db->ep.host, "fallback");

	const struct user_entry *u = config_find_user(&cfg, "alice");
	cr_assert_not_null(u);
	cr_assert_eq(u->pool_mode, POOL_STATEMENT);
	cr_assert_eq(u->pool_size, 3);
	u = config_find_user(&cfg, "bob");
	cr_assert_eq(u->pool_mode, -1);
	cr_assert_eq(u->pool_size, 1);
	cr_assert_null(config_find_user(&cfg, "carol"));
}

Test(databases, uri_entries_keep_libpq_meaning)
{
	load_ini("[databases]\n"
		 "a = postgres://u@db:5433\n"
		 "b = postgres://db/MixedCase\n");
	cr_assert_eq(cfg.n_dbs, 2);
	cr_assert_null(cfg.dbs[0].ep.dbname);
	cr_assert_str_eq(cfg.dbs[1].ep.dbname, "MixedCase");
}

Test(databases, no_fallback)
{
	load_ini("[databases]\nkube = host=db\n");
	cr_assert_null(config_find_db(&cfg, "other"));
	cr_assert_not_null(config_find_db(&cfg, "kube"));
}

Test(databases, errors)
{
	load_ini_fails("[databases]\nkube = host=db pool_size=zero\n",
		       ":2: [databases] kube: pool_size: invalid integer 'zero'");
	config_free(&cfg);
	load_ini_fails("[databases]\nkube = host=db pool_mode=tx\n",
		       ":2: [databases] kube: pool_mode: invalid value 'tx' (expected session, "
		       "transaction or statement)");
	config_free(&cfg);
	load_ini_fails("[databases]\nkube = postgres://db/k?pool_size=5\n",
		       ":2: [databases] kube: invalid URI query parameter: \"pool_size\"");
	config_free(&cfg);
	load_ini_fails("[databases]\nkube = host=db\nkube = host=db2\n",
		       ":3: [databases] kube: database defined twice");
	config_free(&cfg);
	load_ini_fails("[databases]\nkube = host=db port=0\n",
		       ":2: [databases] kube: invalid port '0' (expected 1 to 65535)");
	config_free(&cfg);
	load_ini_fails("[databases]\nkube = host=db password='unterminated\n",
		       ":2: [databases] kube: unterminated quoted string in connection info "
		       "string");
	config_free(&cfg);
	load_ini_fails("[users]\nalice = pool_mode=session max=3\n",
		       ":2: [users] alice: unknown setting 'max' (expected pool_size or "
		       "pool_mode)");
	config_free(&cfg);
	load_ini_fails("[users]\nalice = pool_size 3\n",
		       ":2: [users] alice: missing \"=\" after \"pool_size\" in connection info "
		       "string");
}

/* ------------------------------------------------------------ config_print */

static void assert_absent(const char *out, const char *secret)
{
	cr_assert(strstr(out, secret) == NULL, "'%s' printed in:\n%s", secret, out);
}

Test(print, masks_passwords)
{
	char env[200];

	write_ini("[databases]\n"
		  "a = host=db user=u password='Zq9 pw1' pool_size=2\n"
		  "b = postgres://u:Zq9pw2@db/b\n"
		  "c = postgres://db/c?password=Zq9pw3\n");
	snprintf(env, sizeof(env), "PGPIN_CONFIG=%s", ini_path);
	load_ok(NOARGS, ENV(env, "PGPIN_DATASTORE_ENDPOINT=postgresql://kine:Zq9%40pw4@db:5432/"
				 "kubernetes?password=Zq9pw5&application_name=k3s"));
	char *out = printed(&cfg);
	assert_absent(out, "Zq9");
	cr_assert(strstr(out, "datastore_endpoint = \"postgresql://kine:****@db:5432/kubernetes"
			      "?password=****&application_name=k3s\"\n") != NULL,
		  "%s", out);
	cr_assert(strstr(out, "a = \"host=db user=u password=**** pool_size=2\"\n") != NULL, "%s",
		  out);
	cr_assert(strstr(out, "b = \"host=db dbname=b user=u password=****\"\n") != NULL, "%s",
		  out);
	free(out);
	config_free(&cfg);

	load_ok(NOARGS, ENV("PGPIN_DATASTORE_ENDPOINT=host=db password = 'Zq9 pw6' user=k"));
	out = printed(&cfg);
	assert_absent(out, "Zq9");
	cr_assert(strstr(out, "datastore_endpoint = \"host=db password=**** user=k\"\n") != NULL,
		  "%s", out);
	free(out);
}

Test(print, resolved_endpoint)
{
	load_ok(NOARGS, ENV("PGPIN_DATASTORE_ENDPOINT=postgres://"));
	char *out = printed(&cfg);
	cr_assert(strstr(out, "datastore_endpoint = \"postgres://\"\n"
			      "; resolved: host=localhost port=5432 dbname=kubernetes "
			      "user=postgres password=****\n") != NULL,
		  "%s", out);
	free(out);
	config_free(&cfg);

	load_ok(ARGV("--datastore-endpoint=postgres://k:Zq9pw@h1:5432,h2:5433/K8s"
		     "?target_session_attrs=read-write&sslmode=require"),
		NOENV);
	out = printed(&cfg);
	assert_absent(out, "Zq9");
	cr_assert(strstr(out, "; resolved: host=h1,h2 port=5432,5433 dbname=k8s user=k "
			      "password=**** sslmode=require "
			      "target_session_attrs=read-write\n") != NULL,
		  "%s", out);
	free(out);
	config_free(&cfg);

	write_ini("[databases]\n"
		  "app = host=a,b port=1,2 sslmode=verify-ca sslsni=0 target_session_attrs=primary "
		  "pool_size=3\n");
	char env[128];
	snprintf(env, sizeof(env), "PGPIN_CONFIG=%s", ini_path);
	load_ok(NOARGS, ENV(env));
	out = printed(&cfg);
	cr_assert(strstr(out, "app = \"host=a,b port=1,2 sslmode=verify-ca sslsni=0 "
			      "target_session_attrs=primary pool_size=3\"\n") != NULL,
		  "%s", out);
	free(out);
}

Test(print, is_a_config_that_loads_back)
{
	char cflag[80];

	load_ok(ARGV("--listen=127.0.0.1:7000", "--listen=[::1]:7001", "--stats-period=250ms",
		     "--server-lifetime=1.5h", "--max-packet-size=64MB", "--syslog",
		     "--pool-mode=session", "--unix-socket-mode=0660",
		     "--server-reset-query=SELECT 'a' ; -- x", "--datastore-endpoint=sqlite:/d"),
		NOENV);
	char *out = printed(&cfg);
	cr_assert(strstr(out, "[pgpin]\n") != NULL);
	cr_assert(strstr(out, "listen = 127.0.0.1:7000, [::1]:7001\n") != NULL, "%s", out);
	cr_assert(strstr(out, "stats_period = 0.25\n") != NULL, "%s", out);
	cr_assert(strstr(out, "server_lifetime = 5400\n") != NULL, "%s", out);
	cr_assert(strstr(out, "max_packet_size = 64MB\n") != NULL, "%s", out);
	cr_assert(strstr(out, "unix_socket_mode = 0660\n") != NULL, "%s", out);
	cr_assert(strstr(out, "[databases]\n") != NULL);
	cr_assert(strstr(out, "[users]\n") != NULL);
	config_free(&cfg);

	write_ini(out);
	free(out);
	snprintf(cflag, sizeof(cflag), "--config=%s", ini_path);
	load_ok(ARGV(cflag), NOENV);
	cr_assert_eq(cfg.n_listen, 2);
	cr_assert_str_eq(cfg.listen[1].host, "::1");
	cr_assert_float_eq(cfg.stats_period, 0.25, 1e-12);
	cr_assert_float_eq(cfg.server_lifetime, 5400, 1e-9);
	cr_assert_eq(cfg.max_packet_size, 64u * 1024 * 1024);
	cr_assert(cfg.syslog);
	cr_assert_eq(cfg.pool_mode, POOL_SESSION);
	cr_assert_eq(cfg.unix_socket_mode, 0660);
	cr_assert_str_eq(cfg.server_reset_query, "SELECT 'a' ; -- x");
	cr_assert_str_eq(cfg.endpoint.sqlite_path, "/d");
}

/* ------------------------------------------------------------ --help */

Test(usage, lists_every_setting)
{
	static const char *const names[] = {
		"listen", "unix_socket_dir", "unix_socket_mode", "datastore_endpoint", "auth_type",
		"auth_file", "pool_mode", "pool_size", "min_pool_size", "max_client_conn",
		"server_reset_query", "server_check_query", "server_idle_timeout",
		"server_lifetime", "server_connect_timeout", "server_check_delay",
		"query_wait_timeout", "client_login_timeout", "shutdown_timeout",
		"max_packet_size", "log_level", "syslog", "syslog_ident", "stats_period",
	};
	char *buf = NULL, flag[64], env[64];
	size_t len = 0, i, j;
	FILE *f = open_memstream(&buf, &len);

	config_usage(f);
	fclose(f);
	cr_assert(strncmp(buf, "Usage: pgpin [OPTION]...\n", 25) == 0, "%s", buf);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(flag, sizeof(flag), "\n  --%s", names[i]);
		snprintf(env, sizeof(env), "[PGPIN_%s;", names[i]);
		for (j = 4; flag[j]; j++)
			flag[j] = flag[j] == '_' ? '-' : flag[j];
		for (j = 7; env[j]; j++)
			env[j] = (char)(env[j] >= 'a' && env[j] <= 'z' ? env[j] - 32 : env[j]);
		cr_assert(strstr(buf, flag) != NULL, "%s missing from --help", flag + 3);
		cr_assert(strstr(buf, env) != NULL, "%s missing from --help", env);
	}
	cr_assert(strstr(buf, "-c, --config=FILE") != NULL);
	cr_assert(strstr(buf, "--check") != NULL);
	cr_assert(strstr(buf, "-h, --help") != NULL);
	cr_assert(strstr(buf, "-V, --version") != NULL);
	cr_assert(strstr(buf, "[PGPIN_POOL_SIZE; default: 20]") != NULL, "%s", buf);
	cr_assert(strstr(buf, "\n  --create-database[=yes|no], --no-create-database\n") != NULL,
		  "%s", buf);
	cr_assert(strstr(buf, "--no-NAME means no.") != NULL, "%s", buf);
	free(buf);
}

Test(usage, k3s_names)
{
	static const char *const want[] = {
		"\n  --datastore-endpoint=URI\n",      "[PGPIN_DATASTORE_ENDPOINT;",
		"\n  --datastore-cafile=FILE\n",       "[PGPIN_DATASTORE_CAFILE;",
		"\n  --datastore-certfile=FILE\n",     "[PGPIN_DATASTORE_CERTFILE;",
		"\n  --datastore-keyfile=FILE\n",      "[PGPIN_DATASTORE_KEYFILE;",
	};
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	config_usage(f);
	fclose(f);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(strstr(buf, want[i]) != NULL, "'%s' missing from --help:\n%s", want[i],
			  buf);
	free(buf);
}

/* ------------------------------------------------------------ wiping argv */

/* A writable argv, as main() gets it: one buffer, strings end to end. */
struct fake_argv {
	char buf[1024];
	char *argv[16];
	size_t len[16];
	int argc;
};

static void fake_argv(struct fake_argv *fa, const char *const *args)
{
	size_t off = 0;

	memset(fa, 0, sizeof(*fa));
	for (fa->argc = 0; args[fa->argc]; fa->argc++) {
		fa->len[fa->argc] = strlen(args[fa->argc]);
		fa->argv[fa->argc] = fa->buf + off;
		memcpy(fa->buf + off, args[fa->argc], fa->len[fa->argc] + 1);
		off += fa->len[fa->argc] + 1;
	}
}

/* True if needle is anywhere in the len bytes at buf, NULs included. */
static bool buf_has(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return true;
	return false;
}

/* argv[i] reads want, and the bytes after it, up to its old length, are 0. */
static void assert_arg(const struct fake_argv *fa, int i, const char *want)
{
	size_t k;

	cr_assert_str_eq(fa->argv[i], want);
	for (k = strlen(want); k < fa->len[i]; k++)
		cr_assert_eq(fa->argv[i][k], '\0', "byte %zu of '%s' not cleared", k, want);
}

Test(wipe, uri_and_keyword_passwords)
{
	struct fake_argv fa;

	fake_argv(&fa, (const char *const[]){"pgpin", "--listen", "127.0.0.1:7000",
					      "--datastore-endpoint=postgres://kine:Sup3r%40Secret"
					      "@db/k?password=Zq9x&sslmode=disable",
					      "--pool-size", "3", NULL});
	cr_assert_eq(config_wipe_argv_secrets(fa.argc, fa.argv), 2);
	assert_arg(&fa, 3, "--datastore-endpoint=postgres://kine:****@db/k?password=****"
			   "&sslmode=disable");
	cr_assert_str_eq(fa.argv[1], "--listen");
	cr_assert_str_eq(fa.argv[2], "127.0.0.1:7000");
	cr_assert_str_eq(fa.argv[5], "3");
	cr_assert(!buf_has(fa.buf, sizeof(fa.buf), "Sup3r"));
	cr_assert(!buf_has(fa.buf, sizeof(fa.buf), "Zq9x"));
	/* What is left still loads, without the password. */
	load_ok(fa.argv, NOENV);
	cr_assert_str_eq(cfg.endpoint.password, "****");
	config_free(&cfg);

	fake_argv(&fa, (const char *const[]){"pgpin", "--datastore-endpoint",
					      "host=db password = 'it\\'s secret' user=k", NULL});
	cr_assert_eq(config_wipe_argv_secrets(fa.argc, fa.argv), 1);
	assert_arg(&fa, 2, "host=db password = **** user=k");

	/* A short password, an unquoted one with a space (the second word is
	 * a stray key to libpq, a secret all the same). */
	fake_argv(&fa, (const char *const[]){"pgpin", "--datastore-endpoint=host=db password=ab",
					      "--datastore-endpoint", "host=db password=Zq9 pw2",
					      NULL});
	cr_assert_eq(config_wipe_argv_secrets(fa.argc, fa.argv), 3);
	assert_arg(&fa, 1, "--datastore-endpoint=host=db password=**");
	assert_arg(&fa, 3, "host=db password=*** ***");
}

Test(wipe, only_endpoint_values)
{
	struct fake_argv fa;

	/* Values of other flags and the config file name are not endpoints,
	 * even when they look like one; sqlite: paths have no password. */
	static const char ep[] = "--datastore-endpoint=postgres://u:pw@h/";
	fake_argv(&fa, (const char *const[]){"pgpin", "-c", ep, "--server-reset-query", ep,
					      "--syslog", "--datastore-endpoint=sqlite:/a:b@c",
					      "--", ep, NULL});
	cr_assert_eq(config_wipe_argv_secrets(fa.argc, fa.argv), 0);
	cr_assert_str_eq(fa.argv[2], ep);
	cr_assert_str_eq(fa.argv[4], ep);
	cr_assert_str_eq(fa.argv[6], "--datastore-endpoint=sqlite:/a:b@c");
	cr_assert_str_eq(fa.argv[8], ep);

	/* Nothing to wipe: nothing changes. */
	fake_argv(&fa, (const char *const[]){"pgpin", "--datastore-endpoint",
					      "postgres://kine@db/k", NULL});
	cr_assert_eq(config_wipe_argv_secrets(fa.argc, fa.argv), 0);
	assert_arg(&fa, 2, "postgres://kine@db/k");
}
