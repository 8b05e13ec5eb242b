/*
 * harness.c - process, connection and raw-protocol helpers for the
 * integration tests (see harness.h).
 *
 * Criterion runs each test in a forked worker; everything here is per worker.
 * Failures are reported with criterion assertions from the test's own
 * thread only: helper threads in tests record errors and let the test body
 * assert.
 */
#define _GNU_SOURCE /* pipe2, strcasestr */
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

extern char **environ;

#define MAX_PGPIN 16

static struct h_pgpin procs[MAX_PGPIN];
static int nprocs;

static bool wait_fd(int fd, short events, double timeout);

/* ------------------------------------------------------------ environment */

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

const struct h_env *h_env(void)
{
	static struct h_env e;
	static bool loaded;

	if (loaded)
		return &e;
	if (!getenv("PGPIN_TEST_PGPORT") || !getenv("PGPIN"))
		cr_skip_test("PGPIN_TEST_* not set: run through t/integration/run.sh");
	e.pgpin = getenv("PGPIN");
	e.pghost = env_or("PGPIN_TEST_PGHOST", "127.0.0.1");
	e.pgport = atoi(getenv("PGPIN_TEST_PGPORT"));
	e.pgsockdir = env_or("PGPIN_TEST_PGSOCKDIR", "/tmp");
	e.pgdata = env_or("PGPIN_TEST_PGDATA", "");
	e.pgbindir = env_or("PGPIN_TEST_PGBINDIR", "/usr/lib/postgresql/15/bin");
	e.pglog = env_or("PGPIN_TEST_PGLOG", NULL);
	e.user = env_or("PGPIN_TEST_USER", "pgpin_test");
	e.password = env_or("PGPIN_TEST_PASSWORD", "pgpin-secret");
	e.db = env_or("PGPIN_TEST_DB", "pgpin_test");
	e.tmpdir = env_or("PGPIN_TEST_TMPDIR", "/tmp");
	e.logdir = env_or("PGPIN_TEST_LOGDIR", e.tmpdir);
	loaded = true;
	return &e;
}

void h_setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	h_env();
}

void h_teardown(void)
{
	/* Whatever the test left running dies here; h_done() already checked. */
	for (int i = 0; i < nprocs; i++) {
		if (!procs[i].exited && procs[i].pid > 0) {
			kill(procs[i].pid, SIGKILL);
			waitpid(procs[i].pid, &procs[i].status, 0);
			procs[i].exited = true;
		}
	}
}

double h_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void h_sleep(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int ms_until(double deadline)
{
	double left = deadline - h_now();

	if (left <= 0)
		return 0;
	return (int)(left * 1000) + 1;
}

int h_free_port(void)
{
	/*
	 * A random port below the kernel's ephemeral range that can be bound on
	 * every address without SO_REUSEADDR: so no listener, no connection
	 * and no TIME_WAIT uses it.
	 */
	for (int tries = 0; tries < 200; tries++) {
		int port = 20000 + (int)(random() % 12000);
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int ok;

		cr_assert(fd >= 0, "socket: %s", strerror(errno));
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
		ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
		close(fd);
		if (ok && !h_port_open(port))
			return port;
	}
	cr_assert_fail("no free TCP port found");
	return -1;
}

bool h_port_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	if (fd < 0)
		return false;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

/* ------------------------------------------------------------ pgpin processes */

void h_log_prefix(const char *suite, const char *test, char *buf, size_t len)
{
	size_t j = 0;
	char name[256];

	snprintf(name, sizeof name, "%s.%s", suite ? suite : "none", test ? test : "none");
	for (size_t i = 0; name[i] && j + 1 < len; i++)
		buf[j++] = isalnum((unsigned char)name[i]) || name[i] == '.' ? name[i] : '_';
	buf[j] = '\0';
}

static void log_path(char *buf, size_t len, int n)
{
	const struct criterion_test *t = criterion_current_test;
	char prefix[256];

	h_log_prefix(t ? t->category : NULL, t ? t->name : NULL, prefix, sizeof prefix);
	snprintf(buf, len, "%s/%s.pgpin%d.log", h_env()->logdir, prefix, n);
}

/* Offset of the first sanitizer report in buf, or -1. */
static long sanitizer_report_at(const char *buf)
{
	static const char *const marks[] = { "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
					     "runtime error:" };
	const char *first = NULL;

	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		const char *at = strstr(buf, marks[i]);

		if (at && (!first || at < first))
			first = at;
	}
	return first ? first - buf : -1;
}

void h_print_logs(const char *suite, const char *test, size_t max)
{
	/* Runs in criterion's runner process: no h_env(), no assertions. */
	const char *dir = getenv("PGPIN_TEST_LOGDIR");
	char prefix[256], path[1024];
	int n;

	if (!dir)
		return;
	h_log_prefix(suite, test, prefix, sizeof prefix);
	for (n = 0; n < MAX_PGPIN; n++) {
		FILE *f;
		char *buf;
		long size, from, report, len;

		snprintf(path, sizeof path, "%s/%s.pgpin%d.log", dir, prefix, n);
		f = fopen(path, "r");
		if (!f)
			break;
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		rewind(f);
		buf = malloc((size_t)size + 1);
		if (!buf) {
			fclose(f);
			break;
		}
		size = (long)fread(buf, 1, (size_t)size, f);
		buf[size] = '\0';
		fclose(f);
		/* The end of the log, or its sanitizer report: that is what explains. */
		from = size > (long)max ? size - (long)max : 0;
		report = sanitizer_report_at(buf);
		if (report >= 0 && report < from)
			from = report > 200 ? report - 200 : 0;
		len = size - from < (long)max ? size - from : (long)max;
		fprintf(stderr, "---- %s/%s: pgpin log %d (%ld bytes%s) ----\n%.*s%s", suite, test,
			n, size, len < size ? ", part shown" : "", (int)len, buf + from,
			len > 0 && buf[from + len - 1] != '\n' ? "\n" : "");
		free(buf);
	}
	if (n > 0)
		fprintf(stderr, "---- end of pgpin logs ----\n");
}

static char *tail_of_file(const char *path, size_t max)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	long size;
	size_t n;

	buf[0] = '\0';
	if (!f)
		return buf;
	if (max > sizeof buf - 1)
		max = sizeof buf - 1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)max ? size - (long)max : 0, SEEK_SET);
	n = fread(buf, 1, max, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

struct h_pgpin *h_pgpin_start(const struct h_pgpin_opts *o)
{
	const struct h_env *e = h_env();
	static const struct h_pgpin_opts none;
	struct h_pgpin *p;
	const char *argv[64];
	char *envp[256];
	char listen[128], endpoint[512], pool_size[16];
	int argc = 0, envc = 0, fd;
	pid_t parent = getpid();
	FILE *f;

	if (!o)
		o = &none;
	cr_assert(nprocs < MAX_PGPIN, "too many pgpin processes in one test");
	p = &procs[nprocs];
	memset(p, 0, sizeof *p);
	p->port = h_free_port();
	log_path(p->log, sizeof p->log, nprocs);
	nprocs++;

	snprintf(listen, sizeof listen, "%s:%d", o->listen_host ? o->listen_host : "127.0.0.1", p->port);
	snprintf(endpoint, sizeof endpoint, "postgres://%s:%s@%s:%d/%s",
		 e->user, e->password, e->pghost, e->pgport, e->db);
	snprintf(pool_size, sizeof pool_size, "%d", o->pool_size > 0 ? o->pool_size : 5);

	argv[argc++] = e->pgpin;
	argv[argc++] = "--listen";
	argv[argc++] = listen;
	argv[argc++] = "--datastore-endpoint";
	argv[argc++] = o->endpoint ? o->endpoint : endpoint;
	argv[argc++] = "--pool-mode";
	argv[argc++] = o->pool_mode ? o->pool_mode : "transaction";
	argv[argc++] = "--pool-size";
	argv[argc++] = pool_size;
	argv[argc++] = "--log-level";
	argv[argc++] = o->log_level ? o->log_level : env_or("PGPIN_TEST_LOG_LEVEL", "debug");
	for (int i = 0; o->args && o->args[i]; i++) {
		cr_assert(argc < 62, "too many pgpin arguments");
		argv[argc++] = o->args[i];
	}
	argv[argc] = NULL;

	/*
	 * The test's own variables (PGPIN, PGPIN_TEST_*) are not pgpin settings:
	 * keep them out of its environment.  Built before fork(): the child of a
	 * threaded process may only call async-signal-safe functions.
	 */
	for (char **v = environ; *v && envc < 200; v++) {
		bool replaced = false;

		if (strncmp(*v, "PGPIN=", 6) == 0 || strncmp(*v, "PGPIN_TEST_", 11) == 0)
			continue;
		for (int i = 0; o->env && o->env[i]; i++) {
			size_t n = strcspn(o->env[i], "=") + 1;

			replaced = replaced || strncmp(*v, o->env[i], n) == 0;
		}
		if (!replaced)
			envp[envc++] = *v;
	}
	for (int i = 0; o->env && o->env[i] && envc < 254; i++)
		envp[envc++] = (char *)o->env[i];
	envp[envc] = NULL;

	f = fopen(p->log, "a");
	cr_assert(f, "cannot write %s: %s", p->log, strerror(errno));
	fprintf(f, "# harness: started as:");
	for (int i = 0; argv[i]; i++)
		fprintf(f, " %s", argv[i]);
	for (int i = 0; o->env && o->env[i]; i++)
		fprintf(f, " [env %s]", o->env[i]);
	fprintf(f, "\n");
	fclose(f);
	fd = open(p->log, O_WRONLY | O_APPEND | O_CLOEXEC);
	cr_assert(fd >= 0, "open %s: %s", p->log, strerror(errno));

	p->pid = fork();
	cr_assert(p->pid >= 0, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		/* Die with the test worker, even if it crashes or times out. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(devnull, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		signal(SIGPIPE, SIG_DFL);
		execve(argv[0], (char *const *)argv, envp);
		_exit(127);
	}
	close(fd);

	if (o->no_wait)
		return p;
	for (double deadline = h_now() + 10; !h_port_open(p->port);) {
		if (!h_pgpin_alive(p))
			cr_assert_fail("pgpin exited (status %#x) before listening on port %d; log:\n%s",
				 p->status, p->port, tail_of_file(p->log, 4000));
		if (h_now() > deadline)
			cr_assert_fail("pgpin did not listen on port %d within 10 s; log:\n%s",
				 p->port, tail_of_file(p->log, 4000));
		h_sleep(0.02);
	}
	return p;
}

bool h_pgpin_alive(struct h_pgpin *p)
{
	if (p->exited)
		return false;
	if (waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
		p->exited = true;
		return false;
	}
	return true;
}

bool h_pgpin_wait_exit(struct h_pgpin *p, double timeout)
{
	double deadline = h_now() + timeout;

	while (h_pgpin_alive(p)) {
		if (h_now() > deadline)
			return false;
		h_sleep(0.01);
	}
	return true;
}

bool h_pgpin_stop(struct h_pgpin *p)
{
	if (!h_pgpin_alive(p))
		return true;
	kill(p->pid, SIGTERM);
	if (h_pgpin_wait_exit(p, 5))
		return true;
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &p->status, 0);
	p->exited = true;
	return false;
}

static bool file_contains(const char *path, const char *needle, char *line, size_t linelen)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(buf, sizeof buf, f)) {
		if (strcasestr(buf, needle)) {
			found = true;
			if (line && linelen) {
				size_t l = strcspn(buf, "\n");

				if (l >= linelen)
					l = linelen - 1;
				memcpy(line, buf, l);
				line[l] = '\0';
			}
		}
	}
	fclose(f);
	return found;
}

bool h_log_contains(const struct h_pgpin *p, const char *needle)
{
	return file_contains(p->log, needle, NULL, 0);
}

int h_log_count(const struct h_pgpin *p, const char *needle)
{
	FILE *f = fopen(p->log, "r");
	char buf[4096];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(buf, sizeof buf, f))
		if (strcasestr(buf, needle))
			n++;
	fclose(f);
	return n;
}

void h_done(void)
{
	static const char *const reports[] = {
		"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
		"SUMMARY: UndefinedBehaviorSanitizer", "ThreadSanitizer",
	};
	char line[512];
	int stuck = -1;

	for (int i = 0; i < nprocs; i++)
		if (!procs[i].exited && !h_pgpin_stop(&procs[i]) && stuck < 0)
			stuck = i;
	for (int i = 0; i < nprocs; i++)
		for (size_t r = 0; r < sizeof reports / sizeof reports[0]; r++)
			cr_assert(!file_contains(procs[i].log, reports[r], line, sizeof line),
				  "sanitizer report in %s: %s", procs[i].log, line);
	cr_assert(stuck < 0, "pgpin (pid %d) did not exit within 5 s of SIGTERM",
		  stuck >= 0 ? procs[stuck].pid : 0);
}

long h_proc_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, flen) == 0 && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* ------------------------------------------------------------ libpq */

const char *h_conninfo(int port, const char *extra)
{
	static char buf[4][1024];
	static int next;
	const struct h_env *e = h_env();
	char *b = buf[next++ % 4];

	snprintf(b, sizeof buf[0],
		 "host=127.0.0.1 port=%d user=%s dbname=%s password=%s connect_timeout=10 "
		 "sslmode=disable gssencmode=disable application_name=pgpin-it %s",
		 port, e->user, e->db, e->password, extra ? extra : "");
	return b;
}

PGconn *h_connect_try(int port, const char *extra)
{
	/*
	 * Connect step by step so that errors during login are verbose too:
	 * they then carry the SQLSTATE that h_sqlstate() reads.
	 */
	PGconn *c = PQconnectStart(h_conninfo(port, extra));
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	double deadline = h_now() + 15;

	cr_assert(c, "out of memory");
	PQsetErrorVerbosity(c, PQERRORS_VERBOSE);
	while (PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		if (!wait_fd(PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
			     deadline - h_now()))
			break; /* timed out: the caller sees a status other than OK */
		st = PQconnectPoll(c);
	}
	return c;
}

PGconn *h_connect(const struct h_pgpin *p, const char *extra)
{
	PGconn *c = h_connect_try(p->port, extra);

	cr_assert(PQstatus(c) == CONNECTION_OK, "connecting through pgpin (port %d) failed: %s",
		  p->port, PQerrorMessage(c));
	return c;
}

PGconn *h_direct(void)
{
	const struct h_env *e = h_env();
	char ci[512];
	PGconn *c;

	snprintf(ci, sizeof ci,
		 "host=%s port=%d user=%s dbname=%s connect_timeout=10 "
		 "application_name=pgpin-it-direct options='-c client_min_messages=warning'",
		 e->pgsockdir, e->pgport, e->user, e->db);
	c = PQconnectdb(ci);
	cr_assert(PQstatus(c) == CONNECTION_OK, "direct connection to PostgreSQL failed: %s",
		  PQerrorMessage(c));
	PQsetErrorVerbosity(c, PQERRORS_VERBOSE);
	return c;
}

PGresult *h_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK,
		  "query failed: %s\n  -> %s %s", sql, PQresStatus(st), PQerrorMessage(c));
	return r;
}

const char *h_value(PGconn *c, const char *sql)
{
	static char buf[8][1024];
	static int next;
	char *b = buf[next++ % 8];
	PGresult *r = h_exec(c, sql);

	cr_assert(PQntuples(r) >= 1 && PQnfields(r) >= 1, "no value from: %s", sql);
	snprintf(b, sizeof buf[0], "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return b;
}

long h_direct_long(const char *sql)
{
	PGconn *c = h_direct();
	long v = strtol(h_value(c, sql), NULL, 10);

	PQfinish(c);
	return v;
}

void h_direct_exec(const char *sql)
{
	PGconn *c = h_direct();

	PQclear(h_exec(c, sql));
	PQfinish(c);
}

const char *h_sqlstate(PGconn *c, const PGresult *r)
{
	static char buf[6];
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg, *p;

	if (s)
		return s;
	buf[0] = '\0';
	if (!c)
		return buf;
	/* Verbose messages read "FATAL:  28P01: password authentication ...". */
	msg = PQerrorMessage(c);
	for (p = strstr(msg, ":  "); p; p = strstr(p + 1, ":  ")) {
		const char *q = p + 3;
		bool ok = true;

		for (int i = 0; i < 5; i++)
			ok = ok && (isdigit((unsigned char)q[i]) || isupper((unsigned char)q[i]));
		if (ok && q[5] == ':') {
			memcpy(buf, q, 5);
			buf[5] = '\0';
			break;
		}
	}
	return buf;
}

static bool wait_fd(int fd, short events, double timeout)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	double deadline = h_now() + timeout;
	int n;

	do
		n = poll(&pfd, 1, ms_until(deadline));
	while (n < 0 && errno == EINTR);
	return n > 0;
}

bool h_wait_readable(PGconn *c, double timeout)
{
	return wait_fd(PQsocket(c), POLLIN, timeout);
}

static void record_result(struct h_result *res, PGconn *c, PGresult *r)
{
	res->status = PQresultStatus(r);
	res->ntuples = PQntuples(r);
	snprintf(res->sqlstate, sizeof res->sqlstate, "%s", h_sqlstate(c, r));
	snprintf(res->error, sizeof res->error, "%s", PQresultErrorMessage(r));
	if (PQntuples(r) > 0 && PQnfields(r) > 0)
		snprintf(res->value, sizeof res->value, "%s", PQgetvalue(r, 0, 0));
}

struct h_result h_collect(PGconn *c, double timeout)
{
	struct h_result res = { .status = PGRES_EMPTY_QUERY };
	double deadline = h_now() + timeout;
	bool first = true;

	for (;;) {
		PGresult *r;

		while (!PQisBusy(c)) {
			r = PQgetResult(c);
			if (!r) {
				res.done = true;
				return res;
			}
			if (first)
				record_result(&res, c, r);
			first = false;
			PQclear(r);
		}
		if (h_now() > deadline || !h_wait_readable(c, deadline - h_now()))
			return res;
		if (!PQconsumeInput(c)) {
			/* The connection is gone: PQgetResult() now reports it. */
			while ((r = PQgetResult(c))) {
				if (first)
					record_result(&res, c, r);
				first = false;
				PQclear(r);
			}
			if (first) {
				res.status = PGRES_FATAL_ERROR;
				snprintf(res.error, sizeof res.error, "%s", PQerrorMessage(c));
			}
			res.done = true;
			return res;
		}
	}
}

enum { ASYNC_CONNECTING, ASYNC_QUERY, ASYNC_DONE };

void h_async_start(struct h_async *a, int port, const char *extra, const char *sql)
{
	memset(a, 0, sizeof *a);
	a->conn = PQconnectStart(h_conninfo(port, extra));
	cr_assert(a->conn, "out of memory");
	PQsetErrorVerbosity(a->conn, PQERRORS_VERBOSE);
	a->sql = sql;
	a->started = h_now();
	a->phase = ASYNC_CONNECTING;
	a->poll = PGRES_POLLING_WRITING;
	if (PQstatus(a->conn) == CONNECTION_BAD) {
		a->failed = true;
		a->phase = ASYNC_DONE;
		snprintf(a->res.error, sizeof a->res.error, "%s", PQerrorMessage(a->conn));
	}
}

bool h_async_poll(struct h_async *a, double seconds)
{
	double deadline = h_now() + seconds;

	while (a->phase != ASYNC_DONE) {
		if (a->phase == ASYNC_CONNECTING) {
			short ev = a->poll == PGRES_POLLING_READING ? POLLIN : POLLOUT;

			if (!wait_fd(PQsocket(a->conn), ev, deadline - h_now()))
				return false;
			a->poll = PQconnectPoll(a->conn);
			if (a->poll == PGRES_POLLING_FAILED) {
				a->failed = true;
				a->phase = ASYNC_DONE;
				a->finished = h_now();
				snprintf(a->res.error, sizeof a->res.error, "%s", PQerrorMessage(a->conn));
				snprintf(a->res.sqlstate, sizeof a->res.sqlstate, "%s",
					 h_sqlstate(a->conn, NULL));
			} else if (a->poll == PGRES_POLLING_OK) {
				a->connected = h_now();
				cr_assert(PQsendQuery(a->conn, a->sql), "PQsendQuery: %s",
					  PQerrorMessage(a->conn));
				a->phase = ASYNC_QUERY;
			}
		} else {
			double left = deadline - h_now();

			a->res = h_collect(a->conn, left > 0 ? left : 0);
			if (!a->res.done)
				return false;
			a->phase = ASYNC_DONE;
			a->finished = h_now();
		}
	}
	return true;
}

void h_async_close(struct h_async *a)
{
	if (a->conn)
		PQfinish(a->conn);
	a->conn = NULL;
}

/* ------------------------------------------------------------ raw protocol */

int h_tcp_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0,
		  "connect to 127.0.0.1:%d: %s", port, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

size_t h_send(int fd, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, b + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t h_startup_packet(uint8_t *buf, size_t cap, uint32_t version, const char *const *kv)
{
	size_t n = 8;

	for (int i = 0; kv && kv[i]; i++) {
		size_t l = strlen(kv[i]) + 1;

		cr_assert(n + l + 1 <= cap, "startup packet too big");
		memcpy(buf + n, kv[i], l);
		n += l;
	}
	buf[n++] = '\0';
	put32(buf, (uint32_t)n);
	put32(buf + 4, version);
	return n;
}

size_t h_message(uint8_t *buf, size_t cap, char type, const void *body, size_t body_len)
{
	cr_assert(body_len + 5 <= cap, "message too big for buffer");
	buf[0] = (uint8_t)type;
	put32(buf + 1, (uint32_t)(body_len + 4));
	if (body_len)
		memcpy(buf + 5, body, body_len);
	return body_len + 5;
}

/* Read exactly len bytes: 1, 0 on EOF/reset, -1 on timeout. */
static int read_full(int fd, uint8_t *buf, size_t len, double deadline)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (!wait_fd(fd, POLLIN, deadline - h_now()))
			return -1;
		n = recv(fd, buf + done, len - done, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return 0;
		done += (size_t)n;
	}
	return 1;
}

int h_read_msg(int fd, struct h_msg *m, double timeout)
{
	double deadline = h_now() + timeout;
	uint8_t hdr[5];
	int rc;

	memset(m, 0, sizeof *m);
	rc = read_full(fd, hdr, 5, deadline);
	if (rc <= 0)
		return rc;
	m->type = (char)hdr[0];
	m->len = get32(hdr + 1);
	cr_assert(m->len >= 4 && m->len < (1u << 30), "bad message length %u for type '%c'",
		  m->len, m->type);
	m->body_len = m->len - 4;
	m->body = malloc(m->body_len + 1);
	cr_assert(m->body, "out of memory");
	m->body[m->body_len] = '\0';
	rc = read_full(fd, m->body, m->body_len, deadline);
	if (rc <= 0)
		h_msg_free(m);
	return rc;
}

void h_msg_free(struct h_msg *m)
{
	free(m->body);
	m->body = NULL;
}

int h_read_byte(int fd, double timeout)
{
	uint8_t b;

	return read_full(fd, &b, 1, h_now() + timeout) == 1 ? b : -1;
}

const char *h_msg_field(const struct h_msg *m, char code)
{
	size_t i = 0;

	while (i < m->body_len && m->body[i]) {
		const char *val = (const char *)m->body + i + 1;

		if ((char)m->body[i] == code)
			return val;
		i += strlen(val) + 2;
	}
	return NULL;
}

const char *h_raw_expect_error(int fd, double timeout, char *seen, size_t seen_len)
{
	static char state[6];
	double deadline = h_now() + timeout;
	size_t nseen = 0;
	struct h_msg m;

	if (seen && seen_len)
		seen[0] = '\0';
	while (h_read_msg(fd, &m, deadline - h_now()) == 1) {
		if (seen && nseen + 1 < seen_len) {
			seen[nseen++] = m.type;
			seen[nseen] = '\0';
		}
		if (m.type == 'E') {
			const char *c = h_msg_field(&m, 'C');

			snprintf(state, sizeof state, "%s", c ? c : "?????");
			h_msg_free(&m);
			return state;
		}
		h_msg_free(&m);
	}
	return NULL;
}

bool h_raw_closed(int fd, double timeout)
{
	double deadline = h_now() + timeout;
	uint8_t buf[4096];

	for (;;) {
		ssize_t n;

		if (!wait_fd(fd, POLLIN, deadline - h_now()))
			return false;
		n = recv(fd, buf, sizeof buf, 0);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return true;
	}
}

void h_raw_login(int fd, const char *user, const char *db)
{
	uint8_t buf[512];
	size_t n = h_startup_packet(buf, sizeof buf, 196608,
				    H_ARGS("user", user, "database", db,
					   "application_name", "pgpin-it-raw"));
	struct h_msg m;

	cr_assert(h_send(fd, buf, n) == n, "sending startup packet failed");
	for (;;) {
		int rc = h_read_msg(fd, &m, 10);

		cr_assert(rc == 1, "connection %s during raw login", rc == 0 ? "closed" : "timed out");
		if (m.type == 'E') {
			const char *c = h_msg_field(&m, 'C'), *msg = h_msg_field(&m, 'M');

			cr_assert_fail("raw login failed: %s %s", c ? c : "?", msg ? msg : "");
		}
		if (m.type == 'R')
			cr_assert(m.body_len >= 4 && get32(m.body) == 0,
				  "raw login expects trust, got authentication request %u",
				  m.body_len >= 4 ? get32(m.body) : 0);
		if (m.type == 'Z') {
			h_msg_free(&m);
			return;
		}
		h_msg_free(&m);
	}
}

const char *h_raw_query(int fd, const char *sql)
{
	static char value[1024];
	uint8_t *buf;
	size_t len = strlen(sql) + 1, n;
	bool have = false;
	struct h_msg m;

	buf = malloc(len + 5);
	cr_assert(buf, "out of memory");
	n = h_message(buf, len + 5, 'Q', sql, len);
	cr_assert(h_send(fd, buf, n) == n, "sending query failed");
	free(buf);
	for (;;) {
		int rc = h_read_msg(fd, &m, 30);

		cr_assert(rc == 1, "connection %s during raw query", rc == 0 ? "closed" : "timed out");
		if (m.type == 'E') {
			const char *c = h_msg_field(&m, 'C'), *msg = h_msg_field(&m, 'M');

			cr_assert_fail("raw query failed: %s %s", c ? c : "?", msg ? msg : "");
		}
		if (m.type == 'D' && !have && m.body_len >= 6) {
			uint32_t flen = get32(m.body + 2);

			if (flen != 0xffffffffu && flen < sizeof value && 6 + flen <= m.body_len) {
				memcpy(value, m.body + 6, flen);
				value[flen] = '\0';
				have = true;
			}
		}
		if (m.type == 'Z') {
			h_msg_free(&m);
			return have ? value : NULL;
		}
		h_msg_free(&m);
	}
}

/* ------------------------------------------------------------ commands */

int h_run(const char *const argv[], double timeout, char *out, size_t outlen)
{
	double deadline = h_now() + timeout;
	size_t used = 0;
	int pfd[2], status;
	pid_t pid;
	bool killed = false;

	cr_assert(pipe2(pfd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	if (out && outlen)
		out[0] = '\0';
	for (;;) {
		char buf[4096];
		ssize_t n;

		if (!wait_fd(pfd[0], POLLIN, deadline - h_now())) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		n = read(pfd[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && used + 1 < outlen) {
			size_t take = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;

			memcpy(out + used, buf, take);
			used += take;
			out[used] = '\0';
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return killed ? -1 : status;
}

int h_run_as_postgres(const char *const argv[], double timeout, char *out, size_t outlen)
{
	const char *full[64];
	int n = 0;

	if (geteuid() == 0) {
		full[n++] = "runuser";
		full[n++] = "-u";
		full[n++] = "postgres";
		full[n++] = "--";
	}
	for (int i = 0; argv[i] && n < 63; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	return h_run(full, timeout, out, outlen);
}
