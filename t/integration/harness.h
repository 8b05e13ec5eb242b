/*
 * harness.h - what pgpin's integration tests share: starting and stopping
 * pgpin processes, libpq connections through pgpin or straight to the
 * PostgreSQL cluster that t/integration/run.sh started, clients driven
 * without blocking, and raw protocol bytes over TCP for the tests that must
 * send what libpq never would.
 *
 * It links only libpq and criterion, never pgpin's own code: these tests see
 * pgpin the way a user does, through its command line and its sockets.
 *
 * Every pgpin started here dies with the test process that started it
 * (PR_SET_PDEATHSIG), so a crashed or timed-out test leaves no orphan, and
 * writes its stderr to a log file that the runner prints when the test fails.
 */
#ifndef PGPIN_IT_HARNESS_H
#define PGPIN_IT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libpq-fe.h>

/* ------------------------------------------------------------ environment */

/* What run.sh exports; h_env() skips the test when it is missing. */
struct h_env {
	const char *pgpin;	/* $PGPIN: the binary under test */
	const char *pghost;	/* 127.0.0.1 */
	int pgport;
	const char *pgsockdir;
	const char *pgdata;
	const char *pgbindir;
	const char *pglog;	/* PostgreSQL's log file, may be NULL */
	const char *user;	/* pgpin_test, superuser on the cluster */
	const char *password;
	const char *db;
	const char *tmpdir;	/* scratch space for the tests */
	const char *logdir;	/* pgpin logs go here */
};

const struct h_env *h_env(void);

/* Fixtures: .init = h_setup, .fini = h_teardown on every test. */
void h_setup(void);
void h_teardown(void);

double h_now(void);
void h_sleep(double seconds);

/* A TCP port on 127.0.0.1 that nothing is bound to right now. */
int h_free_port(void);

/* True once something accepts TCP connections on 127.0.0.1:port. */
bool h_port_open(int port);

/* ------------------------------------------------------------ pgpin processes */

struct h_pgpin {
	pid_t pid;
	int port;
	char log[512];	/* path of the file holding its stdout and stderr */
	bool exited;
	int status;	/* wait status, once exited */
};

/*
 * How to start pgpin.  Zero values mean: listen on 127.0.0.1, the cluster's
 * pgpin_test database as endpoint, transaction pooling, pool size 5, log level
 * from $PGPIN_TEST_LOG_LEVEL or "debug".  args are appended to the command
 * line; env entries ("NAME=value") are added to its environment.
 */
struct h_pgpin_opts {
	const char *listen_host;
	const char *endpoint;
	const char *pool_mode;
	int pool_size;
	const char *log_level;
	const char *const *args;
	const char *const *env;
	bool no_wait;	/* do not wait for the port: the start may fail */
};

/* NULL-terminated string array literal, for h_pgpin_opts.args and .env. */
#define H_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Start pgpin and wait (10 s at most) until it accepts connections. */
struct h_pgpin *h_pgpin_start(const struct h_pgpin_opts *o);

/* Reap without blocking; true if the process is still running. */
bool h_pgpin_alive(struct h_pgpin *p);

/* Wait up to timeout seconds for it to exit; true if it has. */
bool h_pgpin_wait_exit(struct h_pgpin *p, double timeout);

/* SIGTERM, then SIGKILL after 5 s; returns true if SIGTERM was enough. */
bool h_pgpin_stop(struct h_pgpin *p);

/*
 * End of a test: stop every pgpin it started and fail the test if one did not
 * exit on SIGTERM or wrote a sanitizer report.  Call it last in each test.
 */
void h_done(void);

/*
 * Log files of a test are named PREFIX.pgpinN.log in the log directory;
 * PREFIX is made from the test's suite and name.
 */
void h_log_prefix(const char *suite, const char *test, char *buf, size_t len);

/* Print the pgpin logs of a test (its last max bytes each) to stderr. */
void h_print_logs(const char *suite, const char *test, size_t max);

/* Whether the process's log contains needle (case-insensitive). */
bool h_log_contains(const struct h_pgpin *p, const char *needle);

/* How many lines of the process's log contain needle (case-insensitive). */
int h_log_count(const struct h_pgpin *p, const char *needle);

/* A field of /proc/PID/status in kB ("VmHWM", "VmRSS"), or -1. */
long h_proc_kb(pid_t pid, const char *field);

/* ------------------------------------------------------------ libpq */

/*
 * conninfo for pgpin on port, as user pgpin_test to database pgpin_test,
 * without TLS; keywords in extra (may be NULL) override the defaults.
 */
const char *h_conninfo(int port, const char *extra);

/* Connect through pgpin; the test fails if that does not work. */
PGconn *h_connect(const struct h_pgpin *p, const char *extra);

/* Connect; the caller checks PQstatus().  Errors are verbose. */
PGconn *h_connect_try(int port, const char *extra);

/* Connect straight to PostgreSQL over its Unix socket, as pgpin_test. */
PGconn *h_direct(void);

/* Run sql; fail the test unless it succeeds.  Returns the result. */
PGresult *h_exec(PGconn *c, const char *sql);

/* Run sql and return the first column of the first row (static storage). */
const char *h_value(PGconn *c, const char *sql);

/* h_value() of a direct connection, as a number. */
long h_direct_long(const char *sql);

/* Run sql on a direct connection; fail the test unless it succeeds. */
void h_direct_exec(const char *sql);

/*
 * SQLSTATE of a failed result, or of a failed connection (taken from the
 * verbose error message), or "" if there is none.
 */
const char *h_sqlstate(PGconn *c, const PGresult *r);

/* Wait until c's socket is readable, up to timeout; true if it is. */
bool h_wait_readable(PGconn *c, double timeout);

/* Collect results of a sent query until NULL, up to timeout. */
struct h_result {
	bool done;			/* PQgetResult returned NULL in time */
	ExecStatusType status;		/* of the first result */
	char sqlstate[6];
	char value[256];		/* first value of the first result */
	char error[512];
	int ntuples;
};
struct h_result h_collect(PGconn *c, double timeout);

/*
 * A client driven without blocking: connects, then sends one query and
 * collects its result.  Used to see that a client waits.
 */
struct h_async {
	PGconn *conn;
	int phase;		/* internal */
	PostgresPollingStatusType poll;
	const char *sql;
	double started, connected, finished;
	struct h_result res;	/* res.done is set when the query finished */
	bool failed;		/* connecting failed: see res.error/sqlstate */
};

void h_async_start(struct h_async *a, int port, const char *extra, const char *sql);

/* Make progress for up to seconds; true once finished (or failed). */
bool h_async_poll(struct h_async *a, double seconds);

void h_async_close(struct h_async *a);

/* ------------------------------------------------------------ raw protocol */

/* A connected TCP socket to 127.0.0.1:port; the test fails if it cannot. */
int h_tcp_connect(int port);

/* Send everything, ignoring errors (the peer may have closed): bytes sent. */
size_t h_send(int fd, const void *buf, size_t len);

/* Build a startup packet: version, then key/value strings up to NULL. */
size_t h_startup_packet(uint8_t *buf, size_t cap, uint32_t version, const char *const *kv);

/* Build a typed message with a body; returns its total length. */
size_t h_message(uint8_t *buf, size_t cap, char type, const void *body, size_t body_len);

struct h_msg {
	char type;
	uint32_t len;	/* as on the wire: includes itself */
	uint8_t *body;	/* malloc'd, NUL-terminated past len - 4 bytes */
	size_t body_len;
};

/* Read one message: 1 on success, 0 on EOF or reset, -1 on timeout. */
int h_read_msg(int fd, struct h_msg *m, double timeout);
void h_msg_free(struct h_msg *m);

/* Read one byte (SSLRequest answers): the byte, or -1 on EOF/timeout. */
int h_read_byte(int fd, double timeout);

/* A field of an ErrorResponse or NoticeResponse body, or NULL. */
const char *h_msg_field(const struct h_msg *m, char code);

/*
 * Read messages until an ErrorResponse, up to timeout; returns its SQLSTATE
 * (static storage) or NULL if the connection closed or went quiet first.
 * The type bytes of all messages read are stored in seen if not NULL.
 */
const char *h_raw_expect_error(int fd, double timeout, char *seen, size_t seen_len);

/* True if the peer closes the connection within timeout. */
bool h_raw_closed(int fd, double timeout);

/* Startup as user/db with trust authentication and read up to ReadyForQuery. */
void h_raw_login(int fd, const char *user, const char *db);

/* Simple query; read up to ReadyForQuery.  Returns the first DataRow's first
 * column (static storage) or NULL; fails the test on ErrorResponse. */
const char *h_raw_query(int fd, const char *sql);

/* ------------------------------------------------------------ commands */

/*
 * Run argv with a timeout, output (stdout and stderr) into out.  Returns the
 * wait status, or -1 if it had to be killed.
 */
int h_run(const char *const argv[], double timeout, char *out, size_t outlen);

/* The same as the OS user that owns the cluster (runuser when root). */
int h_run_as_postgres(const char *const argv[], double timeout, char *out, size_t outlen);

#endif
