/*
 * test_statements.c - named prepared statements through transaction
 * pooling, against a real PostgreSQL 15: what pgpin exists for.
 *
 * Every test here is built so that a plain pass-through pooler in
 * transaction mode (PgBouncer 1.18, or pgpin with tracking off) fails it:
 * the client that prepares a statement is moved to another server before it
 * uses it, or two clients use the same statement name for different texts
 * on one server, or a statement is looked for where another client left it.
 * Servers are moved deterministically: the pool is filled with "holder"
 * clients sitting in open transactions, and exactly one server is let go
 * at the moment the client under test needs one (struct pool_ctl).
 *
 * libpq 15 is used where it can say what a driver says (PQprepare,
 * PQexecPrepared, PQdescribePrepared, pipeline mode); raw protocol bytes
 * where it cannot (Close 'S', Flush, batches that mix a failing message
 * with others, byte-exact replies to compare with PostgreSQL's own).
 *
 * Where PostgreSQL's own answer is the specification (errors inside a
 * batch, what is skipped, what is rolled back), the same raw messages are
 * sent straight to PostgreSQL first and pgpin's replies must match them
 * message by message.
 *
 * IT_NAIVE_POOLER=1 in the environment checks the tests themselves: every
 * pgpin is then started without statement tracking or pinning, and every
 * test must fail except the two that expect a configuration to break.
 *
 * Tests run one at a time (jobs = 1): they count server connections and
 * rely on which server is idle.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/logging.h>

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

/*
 * pgpin for a test.  With IT_NAIVE_POOLER=1, a plain pass-through pooler
 * (no statement tracking, no pinning): then every test should fail, except
 * sql_prepare_without_pinning_breaks and without_backend_is_pooler_*.
 */
static struct h_pgpin *pgpin_start(const struct h_pgpin_opts *o)
{
	static const char *args[64];
	struct h_pgpin_opts naive = o ? *o : (struct h_pgpin_opts){ 0 };
	const char *v = getenv("IT_NAIVE_POOLER");
	int n = 0;

	if (!v || strcmp(v, "1") != 0)
		return h_pgpin_start(o);
	for (int i = 0; naive.args && naive.args[i] && n < 58; i++)
		args[n++] = naive.args[i];
	/* The last of a flag given twice wins. */
	args[n++] = "--max-prepared-statements";
	args[n++] = "0";
	args[n++] = "--pin-session-state";
	args[n++] = "no";
	args[n++] = "--backend-is-pooler=no";
	args[n] = NULL;
	naive.args = args;
	return h_pgpin_start(&naive);
}

/* ================================================================ raw protocol */

/* Messages to send, built up and sent at once (one TCP write: a pipeline). */
struct wire {
	uint8_t buf[65536];
	size_t len;
	size_t start; /* of the message being built */
};

static void w_bytes(struct wire *w, const void *p, size_t n)
{
	cr_assert(w->len + n <= sizeof w->buf, "test wire buffer full");
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void w_u8(struct wire *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void w_u16(struct wire *w, uint16_t v)
{
	v = htons(v);
	w_bytes(w, &v, 2);
}

static void w_u32(struct wire *w, uint32_t v)
{
	v = htonl(v);
	w_bytes(w, &v, 4);
}

static void w_str(struct wire *w, const char *s)
{
	w_bytes(w, s, strlen(s) + 1);
}

static void w_begin(struct wire *w, char type)
{
	w->start = w->len;
	w_u8(w, (uint8_t)type);
	w_u32(w, 0);
}

static void w_end(struct wire *w)
{
	uint32_t l = htonl((uint32_t)(w->len - w->start - 1));

	memcpy(w->buf + w->start + 1, &l, 4);
}

/* Parse: name, query, nparams type OIDs. */
static void w_parse(struct wire *w, const char *name, const char *sql, int n, const uint32_t *oids)
{
	w_begin(w, 'P');
	w_str(w, name);
	w_str(w, sql);
	w_u16(w, (uint16_t)n);
	for (int i = 0; i < n; i++)
		w_u32(w, oids[i]);
	w_end(w);
}

/* Bind with text parameters (NULL: SQL NULL) and text results. */
static void w_bind(struct wire *w, const char *portal, const char *stmt, int n,
		   const char *const *vals)
{
	w_begin(w, 'B');
	w_str(w, portal);
	w_str(w, stmt);
	w_u16(w, 0); /* parameter formats: all text */
	w_u16(w, (uint16_t)n);
	for (int i = 0; i < n; i++) {
		if (!vals[i]) {
			w_u32(w, 0xffffffffu);
			continue;
		}
		w_u32(w, (uint32_t)strlen(vals[i]));
		w_bytes(w, vals[i], strlen(vals[i]));
	}
	w_u16(w, 0); /* result formats: all text */
	w_end(w);
}

static void w_describe(struct wire *w, char kind, const char *name)
{
	w_begin(w, 'D');
	w_u8(w, (uint8_t)kind);
	w_str(w, name);
	w_end(w);
}

static void w_execute(struct wire *w, const char *portal)
{
	w_begin(w, 'E');
	w_str(w, portal);
	w_u32(w, 0);
	w_end(w);
}

static void w_close(struct wire *w, char kind, const char *name)
{
	w_begin(w, 'C');
	w_u8(w, (uint8_t)kind);
	w_str(w, name);
	w_end(w);
}

static void w_sync(struct wire *w)
{
	w_begin(w, 'S');
	w_end(w);
}

static void w_flush(struct wire *w)
{
	w_begin(w, 'H');
	w_end(w);
}

static void w_query(struct wire *w, const char *sql)
{
	w_begin(w, 'Q');
	w_str(w, sql);
	w_end(w);
}

/* Parse (unnamed or named) + Bind + Execute of a statement without parameters. */
static void w_pbe(struct wire *w, const char *name, const char *sql)
{
	w_parse(w, name, sql, 0, NULL);
	w_bind(w, "", name, 0, NULL);
	w_execute(w, "");
}

/* Bind + Execute of a named statement, one parameter or none. */
static void w_be(struct wire *w, const char *name, const char *val)
{
	const char *v[1] = { val };

	w_bind(w, "", name, val ? 1 : 0, v);
	w_execute(w, "");
}

static void w_send(int fd, struct wire *w)
{
	cr_assert_eq(h_send(fd, w->buf, w->len), w->len, "sending %zu bytes failed", w->len);
	w->len = 0;
}

/* What came back: message types in order (not N, S, A), errors, values. */
struct reply {
	char types[256];
	int n;
	int nerr;
	char sqlstate[8][6];
	char errmsg[8][256];
	int nrows;
	char vals[64][128]; /* first column of each DataRow ("<NULL>" for NULL) */
	int ntags;
	char tags[16][64];  /* CommandComplete tags */
	char ready;	    /* status of the last ReadyForQuery */
	bool eof;	    /* the connection closed */
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void r_record(struct reply *r, const struct h_msg *m)
{
	if (m->type == 'N' || m->type == 'S' || m->type == 'A')
		return;
	if (r->n + 1 < (int)sizeof r->types) {
		r->types[r->n++] = m->type;
		r->types[r->n] = '\0';
	}
	switch (m->type) {
	case 'E':
		if (r->nerr < 8) {
			const char *c = h_msg_field(m, 'C'), *t = h_msg_field(m, 'M');

			snprintf(r->sqlstate[r->nerr], sizeof r->sqlstate[0], "%s", c ? c : "?????");
			snprintf(r->errmsg[r->nerr], sizeof r->errmsg[0], "%s", t ? t : "");
		}
		r->nerr++;
		break;
	case 'D':
		if (r->nrows < 64 && m->body_len >= 6) {
			uint32_t flen = get32(m->body + 2);

			if (flen == 0xffffffffu)
				snprintf(r->vals[r->nrows], sizeof r->vals[0], "<NULL>");
			else
				snprintf(r->vals[r->nrows], sizeof r->vals[0], "%.*s",
					 (int)(flen < m->body_len - 6 ? flen : m->body_len - 6),
					 (const char *)m->body + 6);
		}
		r->nrows++;
		break;
	case 'C':
		if (r->ntags < 16)
			snprintf(r->tags[r->ntags], sizeof r->tags[0], "%s", (const char *)m->body);
		r->ntags++;
		break;
	case 'Z':
		r->ready = m->body_len >= 1 ? (char)m->body[0] : '?';
		break;
	default:
		break;
	}
}

/*
 * Read until nz ReadyForQuery messages (nz > 0) or nmsg recorded messages
 * (nz == 0) have come, up to timeout.  True if they did.
 */
static bool r_read(int fd, struct reply *r, int nz, int nmsg, double timeout)
{
	double deadline = h_now() + timeout;
	int zs = 0;
	struct h_msg m;

	memset(r, 0, sizeof *r);
	for (;;) {
		int rc;

		if (nz > 0 && zs >= nz)
			return true;
		if (nz == 0 && r->n >= nmsg)
			return true;
		rc = h_read_msg(fd, &m, deadline - h_now());
		if (rc != 1) {
			r->eof = rc == 0;
			return false;
		}
		r_record(r, &m);
		if (m.type == 'Z')
			zs++;
		h_msg_free(&m);
	}
}

/* One line describing a reply, for failure messages. */
static const char *r_str(const struct reply *r)
{
	static char buf[4][1024];
	static int next;
	char *b = buf[next++ % 4];
	int o;

	o = snprintf(b, sizeof buf[0], "types '%s'%s", r->types, r->eof ? " then EOF" : "");
	for (int i = 0; i < r->nerr && i < 8 && o < (int)sizeof buf[0]; i++)
		o += snprintf(b + o, sizeof buf[0] - (size_t)o, ", error %s \"%s\"", r->sqlstate[i],
			      r->errmsg[i]);
	for (int i = 0; i < r->nrows && i < 8 && o < (int)sizeof buf[0]; i++)
		o += snprintf(b + o, sizeof buf[0] - (size_t)o, ", row '%s'", r->vals[i]);
	return b;
}

/* Send w on fd and read the replies up to nz ReadyForQuery; fail on a timeout. */
static void roundtrip(int fd, struct wire *w, struct reply *r, int nz)
{
	w_send(fd, w);
	cr_assert(r_read(fd, r, nz, 0, 10), "no ReadyForQuery within 10 s; got %s", r_str(r));
}

/* A raw client of pgpin, logged in. */
static int raw_pgpin(const struct h_pgpin *p)
{
	int fd = h_tcp_connect(p->port);

	h_raw_login(fd, "pgpin_test", "pgpin_test");
	return fd;
}

/* A raw client of PostgreSQL itself (Unix socket, trust), for comparisons. */
static int raw_direct(void)
{
	const struct h_env *e = h_env();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/.s.PGSQL.%d", e->pgsockdir, e->pgport);
	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0, "connect %s: %s", sa.sun_path,
		  strerror(errno));
	h_raw_login(fd, "pgpin_test", "pgpin_test");
	return fd;
}

/* ================================================================ servers on demand */

/*
 * The pool filled with holders, each in an open transaction on a server of
 * its own.  Letting exactly one go makes the next transaction of any other
 * client run on that server; holding it again checks that the holder got
 * the same server back.  Clients under test must be connected before the
 * pool is filled.
 */
struct pool_ctl {
	int n;
	PGconn *h[8];
	int pid[8];
	bool held[8];
};

static int backend_pid(PGconn *c)
{
	return atoi(h_value(c, "SELECT pg_backend_pid()"));
}

static void pool_fill(struct pool_ctl *pc, const struct h_pgpin *p, int n)
{
	cr_assert(n <= 8);
	memset(pc, 0, sizeof *pc);
	pc->n = n;
	for (int i = 0; i < n; i++)
		pc->h[i] = h_connect(p, "application_name=it-holder");
	for (int i = 0; i < n; i++) {
		PQclear(h_exec(pc->h[i], "BEGIN"));
		pc->pid[i] = backend_pid(pc->h[i]);
		pc->held[i] = true;
		for (int j = 0; j < i; j++)
			cr_assert_neq(pc->pid[i], pc->pid[j], "two holders in transactions share server "
				      "pid %d", pc->pid[i]);
	}
}

/* Let server i go: the only idle one while the others are held. */
static void pool_free(struct pool_ctl *pc, int i)
{
	cr_assert(pc->held[i], "holder %d holds nothing", i);
	PQclear(h_exec(pc->h[i], "COMMIT"));
	pc->held[i] = false;
}

/* Take server i back (it must be idle again: the client under test is done). */
static void pool_hold(struct pool_ctl *pc, int i)
{
	int pid;

	cr_assert(!pc->held[i], "holder %d holds already", i);
	PQclear(h_exec(pc->h[i], "BEGIN"));
	pid = backend_pid(pc->h[i]);
	pc->held[i] = true;
	cr_assert_eq(pid, pc->pid[i], "holder %d got server pid %d back, want %d: the pool did "
		     "not hand out the only idle server", i, pid, pc->pid[i]);
}

static void pool_release_all(struct pool_ctl *pc)
{
	for (int i = 0; i < pc->n; i++) {
		if (pc->held[i])
			PQclear(h_exec(pc->h[i], "COMMIT"));
		PQfinish(pc->h[i]);
	}
	memset(pc, 0, sizeof *pc);
}

/* Server connections of user pgpin_test, other than the observer's own. */
static long count_backends(PGconn *observer)
{
	return strtol(h_value(observer, "SELECT count(*) FROM pg_stat_activity WHERE usename = "
			      "'pgpin_test' AND backend_type = 'client backend' AND pid <> "
			      "pg_backend_pid()"),
		      NULL, 10);
}

/* Wait until the backends of earlier tests are gone. */
static void wait_no_backends(void)
{
	PGconn *o = h_direct();
	long n = 0;

	for (double end = h_now() + 5; h_now() < end; h_sleep(0.05))
		if ((n = count_backends(o)) == 0)
			break;
	PQfinish(o);
	cr_assert_eq(n, 0, "%ld backends of an earlier test still there", n);
}

/* ================================================================ libpq helpers */

static PGresult *prepare_ok(PGconn *c, const char *name, const char *sql, int n, const Oid *types)
{
	PGresult *r = PQprepare(c, name, sql, n, types);

	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "PQprepare(%s, %s): %s", name, sql,
		     PQerrorMessage(c));
	return r;
}

/* Execute a named statement with at most one text parameter; first value. */
static const char *exec_value(PGconn *c, const char *name, const char *val)
{
	static char buf[4][256];
	static int next;
	char *b = buf[next++ % 4];
	const char *pv[1] = { val };
	PGresult *r = PQexecPrepared(c, name, val ? 1 : 0, pv, NULL, NULL, 0);

	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "PQexecPrepared(%s): %s %s", name,
		     PQresStatus(PQresultStatus(r)), PQerrorMessage(c));
	cr_assert(PQntuples(r) >= 1 && PQnfields(r) >= 1, "no rows from %s", name);
	snprintf(b, sizeof buf[0], "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return b;
}

/* Execute a named statement that must fail: its SQLSTATE. */
static const char *exec_error(PGconn *c, const char *name, const char *val)
{
	static char buf[6];
	const char *pv[1] = { val };
	PGresult *r = PQexecPrepared(c, name, val ? 1 : 0, pv, NULL, NULL, 0);

	cr_assert_eq(PQresultStatus(r), PGRES_FATAL_ERROR, "PQexecPrepared(%s) did not fail: %s",
		     name, PQresStatus(PQresultStatus(r)));
	snprintf(buf, sizeof buf, "%s", h_sqlstate(c, r));
	PQclear(r);
	return buf;
}

/* A simple query that must fail: its SQLSTATE. */
static const char *query_error(PGconn *c, const char *sql)
{
	static char buf[6];
	PGresult *r = PQexec(c, sql);

	cr_assert_eq(PQresultStatus(r), PGRES_FATAL_ERROR, "%s did not fail: %s", sql,
		     PQresStatus(PQresultStatus(r)));
	snprintf(buf, sizeof buf, "%s", h_sqlstate(c, r));
	PQclear(r);
	return buf;
}

/* ================================================================ 1: many clients */

struct many_client {
	char conninfo[1024];
	int id;
	int iterations;
	int errors;
	int executions;
	char first_error[512];
	pthread_barrier_t *start;
	atomic_int *finished;
};

static void many_error(struct many_client *w, const char *what, const char *detail, int i)
{
	if (w->errors++ == 0)
		snprintf(w->first_error, sizeof w->first_error, "client %d iteration %d: %s: %s",
			 w->id, i, what, detail);
}

static void many_s1_want(const struct many_client *w, int v, char *out, size_t len)
{
	snprintf(out, len, "%d", v + w->id * 1000);
}

static void many_s2_want(const struct many_client *w, int v, char *out, size_t len)
{
	if (w->id % 2 == 0)
		snprintf(out, len, "shared:%d", v);
	else
		snprintf(out, len, "c%d:%d", w->id, v);
}

static void many_exec(struct many_client *w, PGconn *c, const char *name, int v, int i)
{
	char val[16], want[64];
	const char *pv[1] = { val };
	PGresult *r;

	snprintf(val, sizeof val, "%d", v);
	if (strcmp(name, "s1") == 0)
		many_s1_want(w, v, want, sizeof want);
	else
		many_s2_want(w, v, want, sizeof want);
	r = PQexecPrepared(c, name, 1, pv, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		many_error(w, name, PQerrorMessage(c), i);
	else if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), want) != 0)
		many_error(w, name, PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "no row", i);
	else
		w->executions++;
	PQclear(r);
}

static void many_simple(struct many_client *w, PGconn *c, const char *sql, int i)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		many_error(w, sql, PQerrorMessage(c), i);
	PQclear(r);
}

static void *many_client_main(void *arg)
{
	struct many_client *w = arg;
	PGconn *c = PQconnectdb(w->conninfo);
	char s1[128], s2[128];
	PGresult *r;

	pthread_barrier_wait(w->start);
	if (PQstatus(c) != CONNECTION_OK) {
		many_error(w, "connect", PQerrorMessage(c), -1);
		goto out;
	}
	/* The same names everywhere; s1's text is the client's own, s2's is
	 * shared by the even clients. */
	snprintf(s1, sizeof s1, "SELECT $1::int + %d", w->id * 1000);
	if (w->id % 2 == 0)
		snprintf(s2, sizeof s2, "SELECT 'shared:' || $1::text");
	else
		snprintf(s2, sizeof s2, "SELECT 'c%d:' || $1::text", w->id);
	r = PQprepare(c, "s1", s1, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		many_error(w, "prepare s1", PQerrorMessage(c), -1);
	PQclear(r);
	r = PQprepare(c, "s2", s2, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		many_error(w, "prepare s2", PQerrorMessage(c), -1);
	PQclear(r);
	for (int i = 0; i < w->iterations; i++) {
		many_exec(w, c, "s1", i, i);
		many_exec(w, c, "s2", i, i);
		if (i % 3 == 0) {
			/* A transaction that holds its server a little, so that
			 * servers change hands between the clients. */
			many_simple(w, c, "BEGIN", i);
			many_exec(w, c, "s2", i + 1, i);
			many_simple(w, c, "SELECT pg_sleep(0.002)", i);
			many_exec(w, c, "s1", i + 1, i);
			many_simple(w, c, "COMMIT", i);
		}
		if (i % 10 == 5) {
			r = PQdescribePrepared(c, "s2");
			if (PQresultStatus(r) != PGRES_COMMAND_OK || PQnparams(r) != 1 ||
			    PQparamtype(r, 0) != 25 || PQnfields(r) != 1 || PQftype(r, 0) != 25)
				many_error(w, "describe s2", PQerrorMessage(c), i);
			PQclear(r);
		}
	}
out:
	PQfinish(c);
	atomic_fetch_add(w->finished, 1);
	return NULL;
}

Test(statements, many_clients_same_names_different_texts, IT(90))
{
	enum { NCLIENTS = 10, ITER = 30 };
	struct many_client w[NCLIENTS];
	pthread_t th[NCLIENTS];
	pthread_barrier_t start;
	atomic_int finished = 0;
	struct h_pgpin *p;
	PGconn *observer;
	long max_backends = 0, samples = 0;
	int errors = 0, executions = 0;

	wait_no_backends();
	p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	pthread_barrier_init(&start, NULL, NCLIENTS + 1);
	for (int i = 0; i < NCLIENTS; i++) {
		w[i] = (struct many_client){ .id = i + 1, .iterations = ITER, .start = &start,
					     .finished = &finished };
		snprintf(w[i].conninfo, sizeof w[i].conninfo, "%s", h_conninfo(p->port, NULL));
		cr_assert(pthread_create(&th[i], NULL, many_client_main, &w[i]) == 0);
	}
	observer = h_direct();
	pthread_barrier_wait(&start);
	while (atomic_load(&finished) < NCLIENTS) {
		long n = count_backends(observer);

		max_backends = n > max_backends ? n : max_backends;
		samples++;
		h_sleep(0.01);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(th[i], NULL);
		if (w[i].errors)
			cr_log_error("%s (%d errors)", w[i].first_error, w[i].errors);
		errors += w[i].errors;
		executions += w[i].executions;
	}
	PQfinish(observer);
	cr_log_info("%d executions, at most %ld server connections in %ld samples", executions,
		    max_backends, samples);
	cr_expect_eq(errors, 0, "%d errors in the clients (first ones logged above)", errors);
	cr_expect_eq(executions, NCLIENTS * (ITER * 2 + (ITER + 2) / 3 * 2),
		     "not every execution returned the client's own result");
	cr_expect(max_backends <= 2, "pool size 2, but %ld server connections at once", max_backends);
	cr_expect(max_backends >= 1, "no server connection ever seen: is the observer broken?");
	h_done();
}

/* ================================================================ 2: injection */

Test(statements, moved_client_gets_its_statement_injected, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 3 });
	PGconn *a = h_connect(p, NULL);
	struct pool_ctl pc;
	PGresult *r;
	char want[32];

	pool_fill(&pc, p, 3);

	/* Prepared and run on server 0. */
	pool_free(&pc, 0);
	PQclear(prepare_ok(a, "st", "SELECT $1::int * 3, pg_backend_pid()", 0, NULL));
	cr_expect_str_eq(exec_value(a, "st", "5"), "15");
	cr_expect_eq(backend_pid(a), pc.pid[0]);
	pool_hold(&pc, 0);

	/* Describe 'S' alone on server 1, which lacks it (Supavisor #1174). */
	pool_free(&pc, 1);
	r = PQdescribePrepared(a, "st");
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "Describe on another server: %s",
		     PQerrorMessage(a));
	cr_expect_eq(PQnparams(r), 1);
	cr_expect_eq(PQparamtype(r, 0), 23);
	cr_expect_eq(PQnfields(r), 2);
	cr_expect_eq(PQftype(r, 0), 23);
	PQclear(r);
	pool_hold(&pc, 1);

	/* Bind/Execute on server 2, which lacks it too: the result says where it ran. */
	pool_free(&pc, 2);
	{
		const char *pv[1] = { "7" };

		r = PQexecPrepared(a, "st", 1, pv, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "Bind/Execute on another server: %s",
			     PQerrorMessage(a));
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "21");
		snprintf(want, sizeof want, "%d", pc.pid[2]);
		cr_expect_str_eq(PQgetvalue(r, 0, 1), want, "the statement did not run on server 2");
		PQclear(r);
	}
	/* Inside a transaction on the same server, twice. */
	PQclear(h_exec(a, "BEGIN"));
	cr_expect_str_eq(exec_value(a, "st", "1"), "3");
	cr_expect_str_eq(exec_value(a, "st", "2"), "6");
	PQclear(h_exec(a, "COMMIT"));
	pool_hold(&pc, 2);

	/* Back on server 0, which has it: nothing to inject, still right. */
	pool_free(&pc, 0);
	cr_expect_str_eq(exec_value(a, "st", "10"), "30");
	/* The server-side statement is pgpin's, under pgpin's name. */
	cr_expect_eq(strtol(h_value(a, "SELECT count(*) FROM pg_prepared_statements WHERE name = "
				    "'st'"), NULL, 10), 0, "the client's name reached the server");
	cr_expect_eq(strtol(h_value(a, "SELECT count(*) FROM pg_prepared_statements WHERE "
				    "statement = 'SELECT $1::int * 3, pg_backend_pid()'"), NULL, 10),
		     1, "server 0 does not hold the statement once");
	pool_release_all(&pc);
	PQfinish(a);
	h_done();
}

/* Every step's replies through pgpin are PostgreSQL's own. */
static void compare_replies(const struct reply *got, const struct reply *want, int n)
{
	for (int i = 0; i < n; i++) {
		cr_expect_str_eq(got[i].types, want[i].types, "step %d: pgpin %s; PostgreSQL %s", i,
				 r_str(&got[i]), r_str(&want[i]));
		cr_expect_eq(got[i].nerr, want[i].nerr, "step %d: pgpin %s; PostgreSQL %s", i,
			     r_str(&got[i]), r_str(&want[i]));
		for (int e = 0; e < got[i].nerr && e < want[i].nerr && e < 8; e++) {
			cr_expect_str_eq(got[i].sqlstate[e], want[i].sqlstate[e],
					 "step %d error %d: pgpin %s; PostgreSQL %s", i, e,
					 r_str(&got[i]), r_str(&want[i]));
			cr_expect_str_eq(got[i].errmsg[e], want[i].errmsg[e], "step %d error %d", i, e);
		}
		cr_expect_eq(got[i].nrows, want[i].nrows, "step %d: pgpin %s; PostgreSQL %s", i,
			     r_str(&got[i]), r_str(&want[i]));
		for (int v = 0; v < got[i].nrows && v < want[i].nrows && v < 64; v++)
			cr_expect_str_eq(got[i].vals[v], want[i].vals[v], "step %d row %d", i, v);
		cr_expect_eq(got[i].ntags, want[i].ntags, "step %d", i);
		for (int t = 0; t < got[i].ntags && t < want[i].ntags && t < 16; t++)
			cr_expect_str_eq(got[i].tags[t], want[i].tags[t], "step %d tag %d", i, t);
		cr_expect_eq(got[i].ready, want[i].ready, "step %d: ReadyForQuery '%c', PostgreSQL '%c'",
			     i, got[i].ready, want[i].ready);
	}
}

/* ================================================================ 3: duplicate Parse */

/*
 * The duplicate-name scenario; between its first and second batch,
 * switch() (if not NULL) moves the client to another server.  Returns the
 * replies of each step in r[0..5].
 */
static void dup_scenario(int fd, struct reply r[6], void (*sw)(void *), void *arg)
{
	struct wire w = { 0 };

	/* 0: "d" exists. */
	w_parse(&w, "d", "SELECT 1", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[0], 1);
	if (sw)
		sw(arg);
	/* 1: an INSERT, then Parse of "d" again, in one implicit transaction. */
	w_pbe(&w, "ins", "INSERT INTO it_dup VALUES (1)");
	w_parse(&w, "d", "SELECT 2", 0, NULL);
	w_be(&w, "d", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[1], 1);
	/* 2: "d" is still the first text; the session goes on. */
	w_be(&w, "d", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[2], 1);
	/* 3: in an explicit transaction the error aborts it. */
	w_query(&w, "BEGIN");
	w_be(&w, "ins", NULL);
	w_parse(&w, "d", "SELECT 3", 0, NULL);
	w_sync(&w);
	w_query(&w, "COMMIT");
	roundtrip(fd, &w, &r[3], 3);
	/* 4: "ins" survived its batch's failure, as PostgreSQL keeps it. */
	w_be(&w, "ins", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[4], 1);
	/* 5: Parse of a new name in a failed batch is skipped: no such name. */
	w_parse(&w, "d", "SELECT 4", 0, NULL);
	w_parse(&w, "never", "SELECT 5", 0, NULL);
	w_sync(&w);
	w_be(&w, "never", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[5], 2);
}

static void dup_switch(void *arg)
{
	struct pool_ctl *pc = arg;

	pool_hold(pc, 0);
	pool_free(pc, 1);
}

Test(statements, duplicate_parse_is_42P05_and_rolls_back_like_postgres, IT(60))
{
	struct reply want[6], got[6];
	struct h_pgpin *p;
	struct pool_ctl pc;
	long rows_direct, rows_pgpin;
	int fd;

	h_direct_exec("DROP TABLE IF EXISTS it_dup; CREATE TABLE it_dup (v int)");
	fd = raw_direct();
	dup_scenario(fd, want, NULL, NULL);
	close(fd);
	rows_direct = h_direct_long("SELECT count(*) FROM it_dup");
	h_direct_exec("TRUNCATE it_dup");

	/* What PostgreSQL does, so that the test states it too. */
	cr_assert_str_eq(want[1].types, "12CEZ", "PostgreSQL: %s", r_str(&want[1]));
	cr_assert_str_eq(want[1].sqlstate[0], "42P05");
	cr_assert_str_eq(want[1].errmsg[0], "prepared statement \"d\" already exists");
	cr_assert_eq(rows_direct, 1, "PostgreSQL kept %ld rows", rows_direct);

	p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	fd = raw_pgpin(p);
	pool_fill(&pc, p, 2);
	pool_free(&pc, 0);
	dup_scenario(fd, got, dup_switch, &pc);
	rows_pgpin = h_direct_long("SELECT count(*) FROM it_dup");
	compare_replies(got, want, 6);
	cr_expect_eq(rows_pgpin, rows_direct, "rows committed through pgpin: %ld, PostgreSQL: %ld "
		     "(the INSERT before the duplicate Parse must be rolled back)", rows_pgpin,
		     rows_direct);
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'usable'"), "usable");
	close(fd);
	pool_release_all(&pc);
	h_done();
}

/*
 * Errors inside a batch skip the messages pgpin answers itself too, and an
 * aborted transaction refuses Parse and Describe: the same replies as
 * PostgreSQL's, step by step.
 */
static void skip_scenario(int fd, struct reply r[11], void (*sw)(void *), void *arg)
{
	struct wire w = { 0 };

	/* 0: k prepared and run. */
	w_parse(&w, "k", "SELECT $1::int", 0, NULL);
	w_be(&w, "k", "1");
	w_sync(&w);
	roundtrip(fd, &w, &r[0], 1);
	if (sw)
		sw(arg);
	/* 1: k again (through pgpin: on another server). */
	w_be(&w, "k", "2");
	w_sync(&w);
	roundtrip(fd, &w, &r[1], 1);
	/* 2: Bind fails; the Close and the Parse after it are skipped. */
	w_be(&w, "k", "abc");
	w_close(&w, 'S', "k");
	w_parse(&w, "y", "SELECT $1::int", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[2], 1);
	/* 3: so k still exists, and y does not. */
	w_be(&w, "k", "3");
	w_sync(&w);
	w_be(&w, "y", "4");
	w_sync(&w);
	roundtrip(fd, &w, &r[3], 2);
	/* 4: an aborted transaction, each step waited for: Parse (of a text
	 * the server has, of a name in use) and Describe fail with 25P02,
	 * Close works. */
	w_query(&w, "BEGIN");
	w_query(&w, "SELECT 1/0");
	roundtrip(fd, &w, &r[4], 2);
	w_parse(&w, "k2", "SELECT $1::int", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[5], 1);
	w_parse(&w, "k", "SELECT 9", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r[6], 1);
	w_describe(&w, 'S', "k");
	w_sync(&w);
	roundtrip(fd, &w, &r[7], 1);
	w_close(&w, 'S', "k");
	w_sync(&w);
	roundtrip(fd, &w, &r[8], 1);
	w_query(&w, "ROLLBACK");
	roundtrip(fd, &w, &r[9], 1);
	/* 10: k2 was never created, k was closed. */
	w_be(&w, "k2", "5");
	w_sync(&w);
	w_be(&w, "k", "6");
	w_sync(&w);
	roundtrip(fd, &w, &r[10], 2);
}

Test(statements, errors_skip_what_pgpin_answers_like_postgres, IT(60))
{
	struct reply want[11], got[11];
	struct h_pgpin *p;
	struct pool_ctl pc;
	int fd;

	fd = raw_direct();
	skip_scenario(fd, want, NULL, NULL);
	close(fd);
	cr_assert_str_eq(want[2].types, "EZ", "PostgreSQL: %s", r_str(&want[2]));
	cr_assert_str_eq(want[3].types, "2DCZEZ", "PostgreSQL: %s", r_str(&want[3]));

	p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	fd = raw_pgpin(p);
	pool_fill(&pc, p, 2);
	pool_free(&pc, 0);
	skip_scenario(fd, got, dup_switch, &pc);
	compare_replies(got, want, 11);
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'usable'"), "usable");
	close(fd);
	pool_release_all(&pc);
	h_done();
}

/* ================================================================ 4: unknown names */

Test(statements, unknown_name_in_bind_and_describe_is_26000, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *owner = h_connect(p, NULL);
	int fd = raw_pgpin(p);
	struct wire w = { 0 };
	struct reply r;

	h_direct_exec("DROP TABLE IF EXISTS it_unknown; CREATE TABLE it_unknown (v int)");
	/* Another client's statement is on the one server, under its name. */
	PQclear(prepare_ok(owner, "theirs", "SELECT 'not yours'", 0, NULL));
	cr_assert_str_eq(exec_value(owner, "theirs", NULL), "not yours");

	/* Bind of a name this client never prepared. */
	w_be(&w, "theirs", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "Bind of another client's name: %s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "26000");
	cr_expect_str_eq(r.errmsg[0], "prepared statement \"theirs\" does not exist");
	cr_expect_eq(r.ready, 'I');

	/* Describe 'S' of it. */
	w_describe(&w, 'S', "theirs");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "Describe of another client's name: %s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "26000");
	cr_expect_str_eq(r.errmsg[0], "prepared statement \"theirs\" does not exist");

	/* In a batch: the INSERT before it is rolled back, the rest skipped. */
	w_pbe(&w, "", "INSERT INTO it_unknown VALUES (1)");
	w_be(&w, "nope", NULL);
	w_pbe(&w, "", "INSERT INTO it_unknown VALUES (2)");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12CEZ", "INSERT, Bind unknown, INSERT: %s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "26000");
	cr_expect_str_eq(r.errmsg[0], "prepared statement \"nope\" does not exist");
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_unknown"), 0,
		     "rows of the failed batch were committed");

	/* Describe unknown, then a Parse in the skipped part is not done. */
	w_describe(&w, 'S', "nope");
	w_parse(&w, "later", "SELECT 'later'", 0, NULL);
	w_sync(&w);
	w_be(&w, "later", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 2);
	cr_expect_str_eq(r.types, "EZEZ", "Describe unknown, Parse; Bind of the skipped Parse: %s",
			 r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "26000");
	cr_expect_str_eq(r.sqlstate[1], "26000");

	/* The session is usable: its own statement works, under the same name. */
	w_parse(&w, "theirs", "SELECT 'mine'", 0, NULL);
	w_be(&w, "theirs", NULL);
	w_describe(&w, 'S', "theirs");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DCtTZ", "%s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "mine");
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'usable'"), "usable");
	cr_expect_str_eq(exec_value(owner, "theirs", NULL), "not yours");
	close(fd);
	PQfinish(owner);
	h_done();
}

/* ================================================================ 5: Close */

Test(statements, close_statement_semantics, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	int fd = raw_pgpin(p);
	struct wire w = { 0 };
	struct pool_ctl pc;
	struct reply r;

	/* Close of a name never prepared: CloseComplete, as PostgreSQL. */
	w_close(&w, 'S', "never_prepared");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "3Z", "Close of an unknown name: %s", r_str(&r));

	/* kine's pipelined Close...Close, Sync. */
	w_parse(&w, "k1", "SELECT 'k1'", 0, NULL);
	w_parse(&w, "k2", "SELECT 'k2'", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "11Z", "%s", r_str(&r));
	w_close(&w, 'S', "k1");
	w_close(&w, 'S', "k2");
	w_close(&w, 'S', "k3");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "333Z", "pipelined Close: %s", r_str(&r));
	w_be(&w, "k1", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "Bind after Close: %s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "26000");

	/* A portal outlives the Close of its statement. */
	w_parse(&w, "pc", "SELECT 'portal'", 0, NULL);
	w_bind(&w, "", "pc", 0, NULL);
	w_close(&w, 'S', "pc");
	w_execute(&w, "");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "123DCZ", "Parse, Bind, Close, Execute: %s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "portal");

	/*
	 * Prepared on server 0, closed on server 1, prepared again with another
	 * text on server 0: a pass-through pooler leaves "c1" on server 0.
	 */
	pool_fill(&pc, p, 2);
	pool_free(&pc, 0);
	w_parse(&w, "c1", "SELECT 'first'", 0, NULL);
	w_be(&w, "c1", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DCZ", "%s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "first");
	pool_hold(&pc, 0);
	pool_free(&pc, 1);
	w_close(&w, 'S', "c1");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "3Z", "Close on another server: %s", r_str(&r));
	/* Something that surely runs on server 1 while it is the only one. */
	w_pbe(&w, "", "SELECT 'on server 1'");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DCZ", "%s", r_str(&r));
	pool_hold(&pc, 1);
	pool_free(&pc, 0);
	w_parse(&w, "c1", "SELECT 'second'", 0, NULL);
	w_be(&w, "c1", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DCZ", "re-Parse after Close, back on the first server: %s",
			 r_str(&r));
	cr_expect_str_eq(r.vals[0], "second");
	pool_hold(&pc, 0);
	pool_release_all(&pc);

	/*
	 * pgx: a Parse that fails, then (next query) Close of that name and
	 * Parse again.
	 */
	w_parse(&w, "stmtcache_0123456789abcdef", "SELECT count(*) FROM it_no_such_table", 0, NULL);
	w_describe(&w, 'S', "stmtcache_0123456789abcdef");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "%s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "42P01");
	w_close(&w, 'S', "stmtcache_0123456789abcdef");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "3Z", "Close after a failed Parse: %s", r_str(&r));
	w_parse(&w, "stmtcache_0123456789abcdef", "SELECT 42", 0, NULL);
	w_describe(&w, 'S', "stmtcache_0123456789abcdef");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "1tTZ", "Parse again: %s", r_str(&r));
	w_be(&w, "stmtcache_0123456789abcdef", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "2DCZ", "%s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "42");

	/* A failed Parse leaves no name behind: Parse without Close works too. */
	w_parse(&w, "f1", "SELEC 1", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "%s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "42601");
	w_parse(&w, "f1", "SELECT 'f1'", 0, NULL);
	w_be(&w, "f1", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DCZ", "Parse after a failed Parse of the name: %s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "f1");

	/* The same pipelined: the second batch is sent before the first's error. */
	w_parse(&w, "f2", "SELEC 1", 0, NULL);
	w_sync(&w);
	w_parse(&w, "f2", "SELECT 'f2'", 0, NULL);
	w_be(&w, "f2", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 2);
	cr_expect_str_eq(r.types, "EZ12DCZ", "pipelined: failing Parse f2, Sync, Parse f2, Bind, "
			 "Execute, Sync: %s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "42601");
	cr_expect_str_eq(r.vals[0], "f2");
	w_parse(&w, "f3", "SELEC 1", 0, NULL);
	w_sync(&w);
	w_be(&w, "f3", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 2);
	cr_expect_str_eq(r.types, "EZEZ", "pipelined: failing Parse f3, Sync, Bind f3, Sync: %s",
			 r_str(&r));
	cr_expect_str_eq(r.sqlstate[1], "26000", "%s", r_str(&r));
	cr_expect_str_eq(r.errmsg[1], "prepared statement \"f3\" does not exist");
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'usable'"), "usable");
	close(fd);
	h_done();
}

/* ================================================================ 6: eviction */

static long server_statements(PGconn *c)
{
	return strtol(h_value(c, "SELECT count(*) FROM pg_prepared_statements"), NULL, 10);
}

Test(statements, eviction_keeps_every_statement_working, IT(60))
{
	enum { NSTMT = 10 };
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){
		.pool_size = 1, .args = H_ARGS("--max-prepared-statements", "3") });
	PGconn *c = h_connect(p, NULL);
	char name[16], sql[64], val[16], want[32];
	long n;

	for (int i = 0; i < NSTMT; i++) {
		snprintf(name, sizeof name, "ev%d", i);
		snprintf(sql, sizeof sql, "SELECT $1::int + %d", i * 100);
		PQclear(prepare_ok(c, name, sql, 0, NULL));
	}
	n = server_statements(c);
	cr_expect(n <= 3, "--max-prepared-statements 3, but the server holds %ld statements", n);
	/* Rotation: every use needs a re-Parse after an eviction. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < NSTMT; i++) {
			snprintf(name, sizeof name, "ev%d", i);
			snprintf(val, sizeof val, "%d", round);
			snprintf(want, sizeof want, "%d", round + i * 100);
			cr_expect_str_eq(exec_value(c, name, val), want, "round %d %s", round, name);
		}
		/* Backwards, inside a transaction. */
		PQclear(h_exec(c, "BEGIN"));
		for (int i = NSTMT - 1; i >= 0; i--) {
			snprintf(name, sizeof name, "ev%d", i);
			snprintf(want, sizeof want, "%d", 7 + i * 100);
			cr_expect_str_eq(exec_value(c, name, "7"), want, "round %d %s in a transaction",
					 round, name);
		}
		PQclear(h_exec(c, "COMMIT"));
	}
	n = server_statements(c);
	cr_expect(n >= 1 && n <= 3, "after the rotation the server holds %ld statements (want 1..3)",
		  n);

	/* One pipeline binds 8 distinct statements before its Sync. */
	cr_assert(PQenterPipelineMode(c));
	for (int i = 0; i < 8; i++) {
		const char *pv[1] = { "1" };

		snprintf(name, sizeof name, "ev%d", (i * 3) % NSTMT);
		cr_assert(PQsendQueryPrepared(c, name, 1, pv, NULL, NULL, 0));
	}
	cr_assert(PQpipelineSync(c));
	for (int i = 0; i < 8; i++) {
		PGresult *r = PQgetResult(c);

		snprintf(want, sizeof want, "%d", 1 + ((i * 3) % NSTMT) * 100);
		cr_expect_eq(PQresultStatus(r), PGRES_TUPLES_OK, "pipelined Bind %d (ev%d): %s %s", i,
			     (i * 3) % NSTMT, PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r));
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			cr_expect_str_eq(PQgetvalue(r, 0, 0), want, "pipelined Bind %d", i);
		PQclear(r);
		r = PQgetResult(c);
		cr_expect(r == NULL, "extra result after pipelined query %d", i);
		PQclear(r);
	}
	{
		PGresult *r = PQgetResult(c);

		cr_expect_eq(PQresultStatus(r), PGRES_PIPELINE_SYNC);
		PQclear(r);
	}
	cr_assert(PQexitPipelineMode(c), "%s", PQerrorMessage(c));
	/* The next new statement brings the server back under the limit. */
	PQclear(prepare_ok(c, "ev_last", "SELECT 'last'", 0, NULL));
	cr_expect_str_eq(exec_value(c, "ev_last", NULL), "last");
	n = server_statements(c);
	cr_expect(n >= 1 && n <= 3, "after the pipeline and a new Parse the server holds %ld "
		  "statements (want 1..3)", n);
	PQfinish(c);
	h_done();
}

Test(statements, eviction_with_cache_size_one_in_batches, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){
		.pool_size = 1, .args = H_ARGS("--max-prepared-statements", "1") });
	int fd = raw_pgpin(p);
	struct wire w = { 0 };
	struct reply r;

	/* pg_doorman #167: Parse A, Bind A, Parse B, Bind B, Bind A, Sync. */
	w_parse(&w, "A", "SELECT 'a'", 0, NULL);
	w_be(&w, "A", NULL);
	w_parse(&w, "B", "SELECT 'b'", 0, NULL);
	w_be(&w, "B", NULL);
	w_be(&w, "A", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DC12DC2DCZ", "%s", r_str(&r));
	cr_expect_eq(r.nrows, 3);
	cr_expect_str_eq(r.vals[0], "a");
	cr_expect_str_eq(r.vals[1], "b");
	cr_expect_str_eq(r.vals[2], "a");

	/* PgBouncer's "eviction + failure in a pipeline". */
	w_parse(&w, "e1", "SELECT 1", 0, NULL);
	w_be(&w, "e1", NULL);
	w_parse(&w, "e2", "SELEC 2", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DCEZ", "%s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "1");
	cr_expect_str_eq(r.sqlstate[0], "42601");

	/*
	 * An eviction Close skipped by the server after an error: the server
	 * still has the victim, and pgpin must know it.
	 */
	w_parse(&w, "e0", "SELECT 0", 0, NULL);
	w_be(&w, "e0", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12DCZ", "%s", r_str(&r));
	w_parse(&w, "", "SELEC 1", 0, NULL);
	w_parse(&w, "e3", "SELECT 3", 0, NULL); /* evicts e0: a Close the server skips */
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "%s", r_str(&r));
	w_be(&w, "e0", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "2DCZ", "e0 after a skipped eviction: %s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "0");
	w_be(&w, "e3", NULL); /* its Parse was skipped: no such statement */
	w_sync(&w);
	w_parse(&w, "e3", "SELECT 3", 0, NULL);
	w_be(&w, "e3", NULL);
	w_be(&w, "A", NULL);
	w_be(&w, "e1", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 2);
	cr_expect_str_eq(r.types, "EZ12DC2DC2DCZ", "%s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "26000");
	cr_expect_str_eq(r.vals[0], "3");
	cr_expect_str_eq(r.vals[1], "a");
	cr_expect_str_eq(r.vals[2], "1");
	/* Back under the limit at the next new Parse (the last batch used 3). */
	w_parse(&w, "e4", "SELECT 4", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(h_raw_query(fd, "SELECT count(*) FROM pg_prepared_statements"), "1",
			 "--max-prepared-statements 1");
	close(fd);
	h_done();
}

/* ================================================================ 7: parameter types */

Test(statements, parameter_types_are_part_of_identity, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL), *c = h_connect(p, NULL);
	Oid int4[1] = { 23 }, text[1] = { 25 };
	PGresult *r;

	PQclear(prepare_ok(a, "p", "SELECT $1", 1, int4));
	PQclear(prepare_ok(b, "p", "SELECT $1", 1, text));
	PQclear(prepare_ok(c, "p", "SELECT $1", 0, NULL)); /* unknown: PostgreSQL picks text */

	r = PQdescribePrepared(a, "p");
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(a));
	cr_expect_eq(PQparamtype(r, 0), 23, "client a's parameter type");
	cr_expect_eq(PQftype(r, 0), 23, "client a's result type");
	PQclear(r);
	r = PQdescribePrepared(b, "p");
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(b));
	cr_expect_eq(PQparamtype(r, 0), 25, "client b's parameter type");
	cr_expect_eq(PQftype(r, 0), 25, "client b's result type");
	PQclear(r);
	r = PQdescribePrepared(c, "p");
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	cr_expect_eq(PQparamtype(r, 0), 25, "client c's parameter type");
	PQclear(r);

	/* Results: a gets an int4 ("007" is 7), b and c the text itself. */
	{
		const char *pv[1] = { "007" };

		r = PQexecPrepared(a, "p", 1, pv, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(a));
		cr_expect_eq(PQftype(r, 0), 23);
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "7");
		PQclear(r);
		r = PQexecPrepared(b, "p", 1, pv, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(b));
		cr_expect_eq(PQftype(r, 0), 25);
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "007");
		PQclear(r);
		/* Binary result of a's int4: 4 bytes. */
		r = PQexecPrepared(a, "p", 1, pv, NULL, NULL, 1);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(a));
		cr_expect_eq(PQgetlength(r, 0, 0), 4);
		PQclear(r);
	}
	cr_expect_str_eq(exec_value(c, "p", "x"), "x");

	/* Same text and types under two names: one statement on the server. */
	PQclear(prepare_ok(a, "p_again", "SELECT $1", 1, int4));
	cr_expect_str_eq(exec_value(a, "p_again", "8"), "8");
	cr_expect_eq(strtol(h_value(a, "SELECT count(*) FROM pg_prepared_statements WHERE "
				    "statement = 'SELECT $1'"), NULL, 10), 3,
		     "want 3 server statements for SELECT $1 (int4, text, unknown)");
	PQfinish(a);
	PQfinish(b);
	PQfinish(c);
	h_done();
}

/* ================================================================ 8: failing injection */

Test(statements, injected_parse_that_fails_reports_at_bind, IT(60))
{
	struct h_pgpin *p;
	struct pool_ctl pc;
	struct wire w = { 0 };
	struct reply r;
	int fd;

	h_direct_exec("DROP TABLE IF EXISTS it_gone; CREATE TABLE it_gone (v int);"
		      "INSERT INTO it_gone VALUES (1), (2);"
		      "DROP TABLE IF EXISTS it_gone_log; CREATE TABLE it_gone_log (v int)");
	p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	fd = raw_pgpin(p);
	pool_fill(&pc, p, 2);

	pool_free(&pc, 0);
	w_parse(&w, "g", "SELECT count(*) FROM it_gone", 0, NULL);
	w_be(&w, "g", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_assert_str_eq(r.types, "12DCZ", "%s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "2");
	pool_hold(&pc, 0);

	/* The table goes; server 1 needs the statement prepared again. */
	h_direct_exec("DROP TABLE it_gone");
	pool_free(&pc, 1);
	w_pbe(&w, "", "INSERT INTO it_gone_log VALUES (1)");
	w_be(&w, "g", NULL);
	w_pbe(&w, "", "INSERT INTO it_gone_log VALUES (2)");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12CEZ", "INSERT, Bind g (re-Parse fails), INSERT: %s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "42P01", "%s", r_str(&r));
	cr_expect_str_eq(r.errmsg[0], "relation \"it_gone\" does not exist");
	cr_expect_eq(r.ready, 'I');
	cr_expect_eq(h_direct_long("SELECT count(*) FROM it_gone_log"), 0,
		     "rows of the failed batch were committed");
	/* The session goes on, on the same server. */
	cr_expect_str_eq(h_raw_query(fd, "SELECT 'usable'"), "usable");
	/* Describe fails the same way. */
	w_describe(&w, 'S', "g");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "%s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "42P01");

	/* The name is still the client's: with the table back, it works here. */
	h_direct_exec("CREATE TABLE it_gone (v int); INSERT INTO it_gone VALUES (5)");
	w_be(&w, "g", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "2DCZ", "after the table is back: %s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "1");
	/* And still 42P05 for a Parse of the same name. */
	w_parse(&w, "g", "SELECT 0", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "%s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "42P05");
	pool_hold(&pc, 1);
	close(fd);
	pool_release_all(&pc);
	h_done();
}

/* ================================================================ 9: Flush */

Test(statements, flush_without_sync_keeps_the_server, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *other = h_connect(p, NULL), *holder = h_connect(p, NULL);
	int fd = raw_pgpin(p);
	struct wire w = { 0 };
	struct reply r;
	struct h_async busy;
	const char *pv[1] = { "41" };

	/* Another client's "af" is on the one server already. */
	PQclear(prepare_ok(other, "af", "SELECT 'other'::text", 0, NULL));
	cr_assert_str_eq(exec_value(other, "af", NULL), "other");

	/* asyncpg: Parse, Describe, Flush while another client holds the server. */
	PQclear(h_exec(holder, "BEGIN"));
	w_parse(&w, "af", "SELECT $1::int + 1", 0, NULL);
	w_describe(&w, 'S', "af");
	w_flush(&w);
	w_send(fd, &w);
	h_sleep(0.3);
	PQclear(h_exec(holder, "COMMIT"));
	cr_assert(r_read(fd, &r, 0, 3, 10), "no answer to Parse, Describe, Flush: %s", r_str(&r));
	cr_expect_str_eq(r.types, "1tT", "%s", r_str(&r));

	/* Until the Sync the server is this client's: another one waits. */
	h_async_start(&busy, p->port, NULL, "SELECT 'busy'");
	cr_expect(!h_async_poll(&busy, 0.5), "another client was served between Flush and Sync "
		  "(pool size 1): %s", busy.res.error);
	w_bind(&w, "", "af", 1, pv);
	w_execute(&w, "");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "2DCZ", "Bind, Execute, Sync after the Flush: %s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "42");
	cr_assert(h_async_poll(&busy, 10), "the waiting client was not served after the Sync");
	cr_expect_str_eq(busy.res.value, "busy", "%s", busy.res.error);
	h_async_close(&busy);

	/* Again, with the statement known: Parse answered while unlinked, Flush, ... */
	PQclear(h_exec(holder, "BEGIN"));
	w_close(&w, 'S', "af");
	w_parse(&w, "af", "SELECT $1::int + 1", 0, NULL);
	w_flush(&w);
	w_send(fd, &w);
	cr_assert(r_read(fd, &r, 0, 2, 10), "Close + Parse of a known text + Flush with every "
		  "server taken: %s", r_str(&r));
	cr_expect_str_eq(r.types, "31", "%s", r_str(&r));
	w_describe(&w, 'S', "af");
	w_flush(&w);
	w_send(fd, &w);
	h_sleep(0.3);
	PQclear(h_exec(holder, "COMMIT"));
	cr_assert(r_read(fd, &r, 0, 2, 10), "Describe + Flush: %s", r_str(&r));
	cr_expect_str_eq(r.types, "tT", "%s", r_str(&r));
	w_bind(&w, "", "af", 1, pv);
	w_execute(&w, "");
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "2DCZ", "%s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "42");
	cr_expect_str_eq(exec_value(other, "af", NULL), "other");
	close(fd);
	PQfinish(other);
	PQfinish(holder);
	h_done();
}

/* ================================================================ 10: SQL-level state */

/*
 * SQL PREPARE on server X while the pool's other server is held; then the
 * other server is let go and the client runs EXECUTE.  Pinned, it runs on
 * X; unpinned, on the other one.  Returns the SQLSTATE of the EXECUTE, ""
 * when it worked (and the value is right).
 */
static const char *sql_prepare_scenario(const char *pin_mode)
{
	static char state[6];
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){
		.pool_size = 2, .args = H_ARGS("--pin-session-state", pin_mode) });
	PGconn *a = h_connect(p, NULL), *h2 = h_connect(p, NULL);
	struct h_async h1;
	PGresult *r;
	int pid_x;

	PQclear(h_exec(h2, "BEGIN"));
	PQclear(h_exec(a, "PREPARE qa(int) AS SELECT $1 + 100"));
	pid_x = backend_pid(a);
	/* Another client's transaction: with A pinned, it must wait for h2. */
	h_async_start(&h1, p->port, NULL, "BEGIN");
	if (h_async_poll(&h1, 0.5) && strcmp(pin_mode, "yes") == 0)
		cr_expect_fail("another client was served while one server is pinned by PREPARE "
			       "and the other held");
	PQclear(h_exec(h2, "COMMIT"));
	cr_assert(h_async_poll(&h1, 10), "the other client was never served: %s", h1.res.error);
	cr_assert_eq(h1.res.status, PGRES_COMMAND_OK, "%s", h1.res.error);
	if (strcmp(pin_mode, "yes") == 0)
		cr_expect_neq(backend_pid(h1.conn), pid_x, "another client got the pinned server");
	r = PQexec(a, "EXECUTE qa(1)");
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		state[0] = '\0';
		cr_expect_str_eq(PQgetvalue(r, 0, 0), "101");
	} else {
		snprintf(state, sizeof state, "%s", h_sqlstate(a, r));
	}
	PQclear(r);
	PQclear(PQexec(h1.conn, "COMMIT"));
	h_async_close(&h1);
	PQfinish(a);
	PQfinish(h2);
	h_done();
	return state;
}

Test(statements, sql_prepare_pins_the_client, IT(60))
{
	cr_expect_str_eq(sql_prepare_scenario("yes"), "", "EXECUTE after PREPARE failed");
}

/* The scenario above can fail: without pinning EXECUTE runs elsewhere. */
Test(statements, sql_prepare_without_pinning_breaks, IT(60))
{
	cr_expect_str_eq(sql_prepare_scenario("no"), "26000",
			 "with --pin-session-state no, EXECUTE on the other server should fail");
}

Test(statements, sql_prepare_two_clients_one_server, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL);
	struct h_async waiter;

	PQclear(h_exec(a, "PREPARE qa(int) AS SELECT $1 + 100"));
	for (int i = 0; i < 3; i++) {
		cr_expect_str_eq(h_value(a, "EXECUTE qa(1)"), "101");
		PQclear(h_exec(a, "BEGIN"));
		cr_expect_str_eq(h_value(a, "EXECUTE qa(2)"), "102");
		PQclear(h_exec(a, "COMMIT"));
	}
	/* a is pinned to the one server: another client waits. */
	h_async_start(&waiter, p->port, NULL, "EXECUTE qa(3)");
	cr_expect(!h_async_poll(&waiter, 0.5), "a client was served while the only server is "
		  "pinned by another's PREPARE");
	/* DEALLOCATE of the one name keeps nothing: still pinned until ALL. */
	PQclear(h_exec(a, "DEALLOCATE qa"));
	PQclear(h_exec(a, "PREPARE qa2 AS SELECT 'a2'"));
	cr_expect_str_eq(h_value(a, "EXECUTE qa2"), "a2");
	PQclear(h_exec(a, "DEALLOCATE ALL"));
	cr_assert(h_async_poll(&waiter, 10), "DEALLOCATE ALL did not unpin the server");
	cr_expect_str_eq(waiter.res.sqlstate, "26000", "another client saw qa: %s %s",
			 PQresStatus(waiter.res.status), waiter.res.error);
	h_async_close(&waiter);

	/* Now b prepares; a waits; b leaves and its server is reset. */
	PQclear(h_exec(b, "PREPARE qb AS SELECT 'b'"));
	cr_expect_str_eq(h_value(b, "EXECUTE qb"), "b");
	h_async_start(&waiter, p->port, NULL, "SELECT 'waited'");
	cr_expect(!h_async_poll(&waiter, 0.5), "served while b holds the pinned server");
	PQfinish(b);
	cr_assert(h_async_poll(&waiter, 10), "not served after b left");
	cr_expect_str_eq(waiter.res.value, "waited", "%s", waiter.res.error);
	h_async_close(&waiter);
	cr_expect_str_eq(query_error(a, "EXECUTE qb"), "26000", "b's statement survived b");
	cr_expect_str_eq(h_value(a, "SELECT count(*) FROM pg_prepared_statements"), "0");
	PQfinish(a);
	h_done();
}

Test(statements, set_search_path_pins_and_is_reset, IT(60))
{
	struct h_pgpin *p;
	PGconn *a, *b;
	struct h_async waiter;
	char dflt[128];

	h_direct_exec("DROP SCHEMA IF EXISTS it_sp CASCADE; CREATE SCHEMA it_sp;"
		      "CREATE TABLE it_sp.where_am_i AS SELECT 'it_sp'::text AS v;"
		      "DROP TABLE IF EXISTS public.where_am_i;"
		      "CREATE TABLE public.where_am_i AS SELECT 'public'::text AS v");
	p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	a = h_connect(p, NULL);
	b = h_connect(p, NULL);
	snprintf(dflt, sizeof dflt, "%s", h_value(b, "SHOW search_path"));
	PQclear(h_exec(a, "SET search_path = it_sp, public"));
	for (int i = 0; i < 3; i++) {
		cr_expect_str_eq(h_value(a, "SELECT v FROM where_am_i"), "it_sp");
		PQclear(h_exec(a, "BEGIN"));
		cr_expect_str_eq(h_value(a, "SHOW search_path"), "it_sp, public");
		PQclear(h_exec(a, "COMMIT"));
	}
	h_async_start(&waiter, p->port, NULL, "SELECT v FROM where_am_i");
	cr_expect(!h_async_poll(&waiter, 0.5), "served while a's SET pins the only server: got '%s'",
		  waiter.res.value);
	PQfinish(a);
	cr_assert(h_async_poll(&waiter, 10), "not served after a left");
	cr_expect_str_eq(waiter.res.value, "public", "another client inherited a's search_path: %s",
			 waiter.res.error);
	h_async_close(&waiter);
	cr_expect_str_eq(h_value(b, "SHOW search_path"), dflt);

	/* RESET ALL unpins. */
	PQclear(h_exec(b, "SET search_path = it_sp"));
	h_async_start(&waiter, p->port, NULL, "SELECT v FROM where_am_i");
	cr_expect(!h_async_poll(&waiter, 0.5), "served while b's SET pins the only server");
	PQclear(h_exec(b, "RESET ALL"));
	cr_assert(h_async_poll(&waiter, 10), "RESET ALL did not unpin");
	cr_expect_str_eq(waiter.res.value, "public", "%s", waiter.res.error);
	h_async_close(&waiter);
	PQfinish(b);
	h_done();
}

Test(statements, listen_pins_and_receives_notifications, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL), *c = h_connect(p, NULL);
	int got = 0;
	char sql[128];

	PQclear(h_exec(a, "LISTEN it_chan"));
	for (int i = 0; i < 10 && got == i; i++) {
		/* Others keep the other server busy in between. */
		PQclear(h_exec(c, "BEGIN"));
		PQclear(h_exec(c, "SELECT pg_sleep(0.005)"));
		PQclear(h_exec(c, "COMMIT"));
		snprintf(sql, sizeof sql, "NOTIFY it_chan, 'n%d'", i);
		PQclear(h_exec(b, sql));
		for (double end = h_now() + 5; h_now() < end;) {
			PGnotify *n;

			PQconsumeInput(a);
			if ((n = PQnotifies(a))) {
				char want[16];

				snprintf(want, sizeof want, "n%d", i);
				cr_expect_str_eq(n->relname, "it_chan");
				cr_expect_str_eq(n->extra, want);
				PQfreemem(n);
				got++;
				break;
			}
			h_wait_readable(a, 0.2);
		}
	}
	cr_expect_eq(got, 10, "a received %d of 10 notifications", got);
	/* The listener's session still answers queries. */
	cr_expect_str_eq(h_value(a, "SELECT 'listener'"), "listener");
	PQclear(h_exec(a, "UNLISTEN *"));
	PQfinish(a);
	PQfinish(b);
	PQfinish(c);
	h_done();
}

Test(statements, pin_session_state_error_refuses, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){
		.pool_size = 1, .args = H_ARGS("--pin-session-state", "error") });
	PGconn *a = h_connect(p, NULL);
	PGresult *r;

	cr_expect_str_eq(query_error(a, "SET search_path = it_sp, public"), "0A000");
	cr_expect_str_eq(query_error(a, "PREPARE qe AS SELECT 1"), "0A000");
	cr_expect_str_eq(query_error(a, "LISTEN it_chan"), "0A000");
	cr_expect_str_eq(query_error(a, "SELECT pg_advisory_lock(42)"), "0A000");
	/* Nothing of it happened. */
	cr_expect_str_eq(query_error(a, "EXECUTE qe"), "26000");
	cr_expect_neq(strcmp(h_value(a, "SHOW search_path"), "it_sp, public"), 0,
		      "the refused SET took effect");
	/* Reported settings and transaction-local ones are fine. */
	PQclear(h_exec(a, "SET application_name = 'it-allowed'"));
	PQclear(h_exec(a, "BEGIN"));
	PQclear(h_exec(a, "SET LOCAL search_path = it_sp"));
	PQclear(h_exec(a, "COMMIT"));
	/* Inside a transaction the refusal aborts it. */
	PQclear(h_exec(a, "BEGIN"));
	cr_expect_str_eq(query_error(a, "SET search_path = public"), "0A000");
	cr_expect_eq(PQtransactionStatus(a), PQTRANS_INERROR);
	r = PQexec(a, "COMMIT");
	cr_expect_str_eq(PQcmdStatus(r), "ROLLBACK");
	PQclear(r);
	/* Protocol-level statements are unaffected. */
	PQclear(prepare_ok(a, "fine", "SELECT 'fine'", 0, NULL));
	cr_expect_str_eq(exec_value(a, "fine", NULL), "fine");
	cr_expect_str_eq(h_value(a, "SELECT 'usable'"), "usable");
	PQfinish(a);
	h_done();
}

/* A client that must wait: not served within 0.5 s, served once released. */
static void expect_waits(struct h_async *w, const struct h_pgpin *p, const char *why)
{
	h_async_start(w, p->port, NULL, "SELECT 'served'");
	cr_expect(!h_async_poll(w, 0.5), "another client was served while %s (pool size 1)", why);
}

static void expect_served(struct h_async *w, const char *after)
{
	cr_expect(h_async_poll(w, 10), "the waiting client was not served after %s", after);
	cr_expect_str_eq(w->res.value, "served", "after %s: %s", after, w->res.error);
	h_async_close(w);
}

Test(statements, other_session_state_pins_until_released, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL);
	struct h_async w;

	PQclear(h_exec(a, "CREATE TEMP TABLE it_tmp (v int)"));
	expect_waits(&w, p, "a temporary table exists");
	PQclear(h_exec(a, "INSERT INTO it_tmp VALUES (1)"));
	cr_expect_str_eq(h_value(a, "SELECT count(*) FROM it_tmp"), "1");
	PQclear(h_exec(a, "DISCARD TEMP"));
	expect_served(&w, "DISCARD TEMP");

	PQclear(h_exec(a, "SELECT pg_advisory_lock(4242)"));
	expect_waits(&w, p, "a session advisory lock is held");
	PQclear(h_exec(a, "SELECT pg_advisory_unlock_all()"));
	expect_served(&w, "pg_advisory_unlock_all()");

	/* A named statement pins when it is bound, not when it is parsed. */
	PQclear(prepare_ok(a, "setter", "SELECT set_config('search_path', 'it_sp', false)", 0, NULL));
	cr_expect_str_eq(h_value(a, "SELECT 'parsed only'"), "parsed only");
	cr_expect_str_eq(exec_value(a, "setter", NULL), "it_sp");
	expect_waits(&w, p, "set_config(..., false) ran in a named statement");
	cr_expect_str_eq(h_value(a, "SHOW search_path"), "it_sp");
	PQclear(h_exec(a, "RESET ALL"));
	expect_served(&w, "RESET ALL");

	PQclear(h_exec(a, "DECLARE it_cur CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g"));
	expect_waits(&w, p, "a WITH HOLD cursor is open");
	cr_expect_str_eq(h_value(a, "FETCH NEXT FROM it_cur"), "1");
	cr_expect_str_eq(h_value(a, "FETCH NEXT FROM it_cur"), "2");
	PQclear(h_exec(a, "CLOSE ALL"));
	expect_served(&w, "CLOSE ALL");
	PQfinish(a);
	h_done();
}

Test(statements, reset_of_a_pinned_server_forgets_its_statements, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *c0 = h_connect(p, NULL), *a = h_connect(p, NULL), *b = h_connect(p, NULL);
	char dflt[128];

	snprintf(dflt, sizeof dflt, "%s", h_value(b, "SHOW search_path"));
	PQclear(prepare_ok(c0, "x", "SELECT 'x'", 0, NULL));
	cr_expect_str_eq(exec_value(c0, "x", NULL), "x");
	PQclear(prepare_ok(a, "ax", "SELECT 'x'", 0, NULL));
	PQclear(h_exec(a, "SET search_path = public"));
	cr_expect_str_eq(exec_value(a, "ax", NULL), "x");
	/* a leaves: its server is reset with DISCARD ALL, statements and all. */
	PQfinish(a);
	cr_expect_str_eq(h_value(b, "SHOW search_path"), dflt, "a's SET survived a");
	PQclear(prepare_ok(b, "bx", "SELECT 'x'", 0, NULL));
	cr_expect_str_eq(exec_value(b, "bx", NULL), "x");
	cr_expect_str_eq(exec_value(c0, "x", NULL), "x");
	cr_expect_str_eq(h_value(b, "SELECT count(*) FROM pg_prepared_statements"), "1");
	PQfinish(b);
	PQfinish(c0);
	h_done();
}

/* pgbench -M prepared: statements prepared while every server is taken. */
Test(statements, prepare_while_every_server_is_taken, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL), *holder = h_connect(p, NULL);
	int fd = raw_pgpin(p);
	struct wire wr = { 0 };
	struct reply rr;
	struct h_result res;

	PQclear(prepare_ok(a, "pa", "SELECT 'pa'", 0, NULL));
	cr_expect_str_eq(exec_value(a, "pa", NULL), "pa");
	PQclear(h_exec(holder, "BEGIN"));

	/* A text some server has accepted: answered at once. */
	cr_assert(PQsendPrepare(b, "pb", "SELECT 'pa'", 0, NULL));
	res = h_collect(b, 2);
	cr_expect(res.done, "Parse of a known text waited for a server");
	cr_expect_eq(res.status, PGRES_COMMAND_OK, "%s", res.error);
	/* A duplicate name and an unknown name: PostgreSQL's errors, at once. */
	cr_assert(PQsendPrepare(b, "pb", "SELECT 'pa'", 0, NULL));
	res = h_collect(b, 2);
	cr_expect(res.done, "duplicate Parse waited for a server");
	cr_expect_str_eq(res.sqlstate, "42P05", "%s", res.error);
	cr_assert(PQsendQueryPrepared(b, "nope", 0, NULL, NULL, NULL, 0));
	res = h_collect(b, 2);
	cr_expect(res.done, "Bind of an unknown name waited for a server");
	cr_expect_str_eq(res.sqlstate, "26000", "%s", res.error);
	/* Close, Flush and Sync need no server either. */
	w_close(&wr, 'S', "whatever");
	w_flush(&wr);
	w_sync(&wr);
	roundtrip(fd, &wr, &rr, 1);
	cr_expect_str_eq(rr.types, "3Z", "%s", r_str(&rr));
	cr_expect_eq(rr.ready, 'I');

	/* A text no server has seen must be checked by one: it waits. */
	cr_assert(PQsendPrepare(b, "pnew", "SELECT 'new text'", 0, NULL));
	res = h_collect(b, 0.5);
	cr_expect(!res.done, "Parse of a never-seen text answered without a server");
	PQclear(h_exec(holder, "COMMIT"));
	res = h_collect(b, 10);
	cr_expect(res.done && res.status == PGRES_COMMAND_OK, "%s", res.error);
	cr_expect_str_eq(exec_value(b, "pb", NULL), "pa");
	cr_expect_str_eq(exec_value(b, "pnew", NULL), "new text");
	close(fd);
	PQfinish(a);
	PQfinish(b);
	PQfinish(holder);
	h_done();
}

/* Parse, Bind and statement names bigger than the buffers' fast paths. */
Test(statements, large_messages_through_injection, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	PGconn *a = h_connect(p, NULL);
	int fd = raw_pgpin(p);
	static char sql[120000], big[300001], longname[10001], want[32];
	struct wire w = { 0 };
	struct pool_ctl pc;
	struct reply r;
	PGresult *res;

	memset(big, 'b', sizeof big - 1);
	memset(longname, 'n', sizeof longname - 1);
	snprintf(sql, sizeof sql, "SELECT length($1::text), '%0*d' <> ''", 100000, 7);
	pool_fill(&pc, p, 2);
	pool_free(&pc, 0);
	PQclear(prepare_ok(a, "big_parse", sql, 0, NULL));
	w_parse(&w, longname, "SELECT 'long ' || $1::text", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "1Z", "Parse with a 10000-byte name: %s", r_str(&r));
	pool_hold(&pc, 0);

	/* On server 1: a 100 kB re-Parse injected before a 300 kB Bind. */
	pool_free(&pc, 1);
	{
		const char *pv[1] = { big };

		res = PQexecPrepared(a, "big_parse", 1, pv, NULL, NULL, 0);
		cr_expect_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(a));
		snprintf(want, sizeof want, "%zu", sizeof big - 1);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			cr_expect_str_eq(PQgetvalue(res, 0, 0), want);
			cr_expect_str_eq(PQgetvalue(res, 0, 1), "t");
		}
		PQclear(res);
	}
	w_describe(&w, 'S', longname);
	w_be(&w, longname, "name");
	w_close(&w, 'S', longname);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "tT2DC3Z", "Describe, Bind, Execute, Close of the long name on "
			 "another server: %s", r_str(&r));
	cr_expect_str_eq(r.vals[0], "long name");
	w_describe(&w, 'S', longname);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "EZ", "Describe after Close: %s", r_str(&r));
	cr_expect_str_eq(r.sqlstate[0], "26000");
	pool_hold(&pc, 1);

	/* A big Bind with no server free at first: it waits, then streams. */
	pool_free(&pc, 0);
	PQclear(h_exec(pc.h[0], "BEGIN"));
	{
		const char *pv[1] = { big };

		cr_assert(PQsendQueryPrepared(a, "big_parse", 1, pv, NULL, NULL, 0));
		h_sleep(0.2);
		PQclear(h_exec(pc.h[0], "COMMIT"));
		struct h_result hr = h_collect(a, 10);

		cr_expect(hr.done && hr.status == PGRES_TUPLES_OK, "%s", hr.error);
		cr_expect_str_eq(hr.value, want);
	}
	pool_release_all(&pc);
	close(fd);
	PQfinish(a);
	h_done();
}

/* ================================================================ 11: DEALLOCATE name */

Test(statements, deallocate_of_a_protocol_statement, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	PGconn *a = h_connect(p, NULL);
	struct pool_ctl pc;
	PGresult *r;

	pool_fill(&pc, p, 2);
	pool_free(&pc, 0);
	PQclear(prepare_ok(a, "stmtcache_1", "SELECT 'v1'", 0, NULL));
	PQclear(prepare_ok(a, "lower_name", "SELECT 'lower'", 0, NULL));
	cr_expect_str_eq(exec_value(a, "stmtcache_1", NULL), "v1");
	pool_hold(&pc, 0);
	pool_free(&pc, 1);

	/* pgx v4, on a server that never saw the statement. */
	r = PQexec(a, "DEALLOCATE \"stmtcache_1\"");
	cr_expect_eq(PQresultStatus(r), PGRES_COMMAND_OK, "DEALLOCATE \"stmtcache_1\": %s",
		     PQerrorMessage(a));
	cr_expect_str_eq(PQcmdStatus(r), "DEALLOCATE");
	PQclear(r);
	cr_expect_str_eq(exec_error(a, "stmtcache_1", NULL), "26000");
	PQclear(prepare_ok(a, "stmtcache_1", "SELECT 'v2'", 0, NULL));
	cr_expect_str_eq(exec_value(a, "stmtcache_1", NULL), "v2");

	/* Unquoted, case-folded, with PREPARE, inside a transaction. */
	PQclear(h_exec(a, "BEGIN"));
	r = PQexec(a, "deallocate prepare LOWER_NAME");
	cr_expect_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(a));
	PQclear(r);
	cr_expect_eq(PQtransactionStatus(a), PQTRANS_INTRANS);
	PQclear(h_exec(a, "COMMIT"));
	cr_expect_str_eq(exec_error(a, "lower_name", NULL), "26000");

	/* An unknown name is PostgreSQL's error. */
	cr_expect_str_eq(query_error(a, "DEALLOCATE no_such_statement"), "26000");
	cr_expect_str_eq(h_value(a, "SELECT 'usable'"), "usable");
	pool_hold(&pc, 1);
	pool_release_all(&pc);
	PQfinish(a);
	h_done();
}

/* ================================================================ 12: DISCARD ALL */

Test(statements, discard_all_forgets_only_the_clients_statements, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });
	PGconn *a = h_connect(p, NULL), *b = h_connect(p, NULL);

	PQclear(prepare_ok(a, "sa", "SELECT 'a'", 0, NULL));
	PQclear(prepare_ok(a, "shared", "SELECT 'same text'", 0, NULL));
	PQclear(prepare_ok(b, "sb", "SELECT 'b'", 0, NULL));
	PQclear(prepare_ok(b, "shared", "SELECT 'same text'", 0, NULL));
	cr_expect_str_eq(exec_value(a, "sa", NULL), "a");
	cr_expect_str_eq(exec_value(b, "sb", NULL), "b");

	PQclear(h_exec(a, "DISCARD ALL"));
	cr_expect_str_eq(exec_error(a, "sa", NULL), "26000");
	cr_expect_str_eq(exec_error(a, "shared", NULL), "26000");
	/* b's statements were on the same server: they come back. */
	cr_expect_str_eq(exec_value(b, "sb", NULL), "b");
	cr_expect_str_eq(exec_value(b, "shared", NULL), "same text");
	/* a can prepare the names again. */
	PQclear(prepare_ok(a, "sa", "SELECT 'a again'", 0, NULL));
	cr_expect_str_eq(exec_value(a, "sa", NULL), "a again");

	/* DEALLOCATE ALL: the same. */
	PQclear(h_exec(b, "DEALLOCATE ALL"));
	cr_expect_str_eq(exec_error(b, "sb", NULL), "26000");
	cr_expect_str_eq(exec_value(a, "sa", NULL), "a again");
	PQclear(prepare_ok(b, "sb", "SELECT 'b again'", 0, NULL));
	cr_expect_str_eq(exec_value(b, "sb", NULL), "b again");
	PQfinish(a);
	PQfinish(b);
	h_done();
}

/* PgBouncer #1535: a named Parse after DEALLOCATE ALL in the same batch survives. */
Test(statements, deallocate_all_then_parse_in_one_batch, IT(60))
{
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 2 });
	int fd = raw_pgpin(p);
	struct wire w = { 0 };
	struct pool_ctl pc;
	struct reply r;

	pool_fill(&pc, p, 2);
	pool_free(&pc, 0);
	w_parse(&w, "old", "SELECT 'old'", 0, NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "1Z", "%s", r_str(&r));
	w_pbe(&w, "", "DEALLOCATE ALL");
	w_parse(&w, "new", "SELECT 'new'", 0, NULL);
	w_be(&w, "new", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 1);
	cr_expect_str_eq(r.types, "12C12DCZ", "DEALLOCATE ALL, Parse, Bind in one batch: %s",
			 r_str(&r));
	cr_expect_str_eq(r.vals[0], "new");
	/* On the other server, the next batch. */
	pool_hold(&pc, 0);
	pool_free(&pc, 1);
	w_be(&w, "new", NULL);
	w_sync(&w);
	w_be(&w, "old", NULL);
	w_sync(&w);
	roundtrip(fd, &w, &r, 2);
	cr_expect_str_eq(r.types, "2DCZEZ", "after the batch, \"new\" must exist and \"old\" not: %s",
			 r_str(&r));
	cr_expect_str_eq(r.vals[0], "new");
	cr_expect_str_eq(r.sqlstate[0], "26000");
	pool_hold(&pc, 1);
	/* Server 0 still has the statement parsed after DEALLOCATE ALL: a
	 * new client preparing that text there must not collide with it. */
	pool_free(&pc, 0);
	{
		PGconn *b = h_connect(p, NULL);
		PGresult *res = PQprepare(b, "b_new", "SELECT 'new'", 0, NULL);

		cr_expect_eq(PQresultStatus(res), PGRES_COMMAND_OK, "another client's Parse of the "
			     "same text on server 0: %s", PQerrorMessage(b));
		PQclear(res);
		cr_expect_eq(backend_pid(b), pc.pid[0]);
		PQfinish(b);
	}
	pool_hold(&pc, 0);
	close(fd);
	pool_release_all(&pc);
	h_done();
}

/* ================================================================ 13: pipelines */

struct pipe_client {
	char conninfo[1024];
	int id;
	int errors;
	int rounds_done;
	char first_error[512];
};

static void pipe_error(struct pipe_client *w, const char *what, const char *detail, int round, int q)
{
	if (w->errors++ == 0)
		snprintf(w->first_error, sizeof w->first_error, "client %d round %d query %d: %s %s",
			 w->id, round, q, what, detail ? detail : "");
}

/* Statement k of client id: the same 5 names everywhere, texts partly shared. */
static void pipe_sql(int id, int k, char *out, size_t len)
{
	if (k < 2)
		snprintf(out, len, "SELECT $1::int * %d", k + 2); /* same for all */
	else
		snprintf(out, len, "SELECT $1::int * %d + %d", k + 2, id * 100000);
}

static long pipe_want(int id, int k, long v)
{
	return v * (k + 2) + (k < 2 ? 0 : id * 100000);
}

static void *pipe_client_main(void *arg)
{
	struct pipe_client *w = arg;
	PGconn *c = PQconnectdb(w->conninfo);
	char sql[128], name[16];

	if (PQstatus(c) != CONNECTION_OK || !PQenterPipelineMode(c)) {
		pipe_error(w, "connect/enter pipeline:", PQerrorMessage(c), -1, -1);
		PQfinish(c);
		return NULL;
	}
	for (int round = 0; round < 6 && !w->errors; round++) {
		char vals[50][16];
		int nres = 0;
		ExecStatusType want[60];
		int kind[60]; /* -1: prepare, else the query index */

		if (round == 0) {
			for (int k = 0; k < 5; k++) {
				snprintf(name, sizeof name, "q%d", k);
				pipe_sql(w->id, k, sql, sizeof sql);
				if (!PQsendPrepare(c, name, sql, 0, NULL))
					pipe_error(w, "send prepare", PQerrorMessage(c), round, k);
				want[nres] = PGRES_COMMAND_OK;
				kind[nres++] = -1;
			}
		}
		for (int q = 0; q < 50; q++) {
			const char *pv[1] = { vals[q] };

			snprintf(name, sizeof name, "q%d", q % 5);
			snprintf(vals[q], sizeof vals[q], "%d", round * 100 + q);
			if (!PQsendQueryPrepared(c, name, 1, pv, NULL, NULL, 0))
				pipe_error(w, "send", PQerrorMessage(c), round, q);
			want[nres] = PGRES_TUPLES_OK;
			kind[nres++] = q;
		}
		if (!PQpipelineSync(c))
			pipe_error(w, "sync", PQerrorMessage(c), round, -1);
		for (int i = 0; i < nres && !w->errors; i++) {
			PGresult *r = PQgetResult(c);

			if (PQresultStatus(r) != want[i]) {
				pipe_error(w, PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r),
					   round, kind[i]);
			} else if (kind[i] >= 0) {
				int q = kind[i];
				long v = pipe_want(w->id, q % 5, round * 100 + q);

				if (PQntuples(r) != 1 || atol(PQgetvalue(r, 0, 0)) != v)
					pipe_error(w, "wrong value", PQntuples(r) ? PQgetvalue(r, 0, 0)
								     : "no row", round, q);
			}
			PQclear(r);
			r = PQgetResult(c);
			if (r) {
				pipe_error(w, "extra result", PQresStatus(PQresultStatus(r)), round, i);
				PQclear(r);
			}
		}
		if (!w->errors) {
			PGresult *r = PQgetResult(c);

			if (PQresultStatus(r) != PGRES_PIPELINE_SYNC)
				pipe_error(w, "want PIPELINE_SYNC, got", PQresStatus(PQresultStatus(r)),
					   round, 50);
			PQclear(r);
			w->rounds_done++;
		}
	}
	PQfinish(c);
	return NULL;
}

Test(statements, pipelines_of_named_statements_four_clients_one_server, IT(90))
{
	enum { NCLIENTS = 4 };
	struct pipe_client w[NCLIENTS];
	pthread_t th[NCLIENTS];
	struct h_pgpin *p = pgpin_start(&(struct h_pgpin_opts){ .pool_size = 1 });

	for (int i = 0; i < NCLIENTS; i++) {
		w[i] = (struct pipe_client){ .id = i + 1 };
		snprintf(w[i].conninfo, sizeof w[i].conninfo, "%s", h_conninfo(p->port, NULL));
		cr_assert(pthread_create(&th[i], NULL, pipe_client_main, &w[i]) == 0);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(w[i].errors, 0, "%s (%d errors)", w[i].first_error, w[i].errors);
		cr_expect_eq(w[i].rounds_done, 6, "client %d finished %d of 6 rounds", w[i].id,
			     w[i].rounds_done);
	}
	h_done();
}

/* ================================================================ 14: behind PgBouncer */

static pid_t bouncer_pid;

static void bouncer_teardown(void)
{
	if (bouncer_pid > 0) {
		kill(bouncer_pid, SIGKILL);
		waitpid(bouncer_pid, NULL, 0);
		bouncer_pid = 0;
	}
	h_teardown();
}

#define IT_BOUNCER(seconds) .init = h_setup, .fini = bouncer_teardown, .timeout = (seconds)

/* Start Debian's PgBouncer 1.18 in transaction mode, pool size 2: its port. */
static int bouncer_start(char *log, size_t loglen)
{
	const struct h_env *e = h_env();
	static const char *bin = "/usr/sbin/pgbouncer";
	char dir[512], ini[600], users[600];
	struct passwd *pw = NULL;
	pid_t parent = getpid();
	int port = h_free_port(), fd;
	FILE *f;

	if (access(bin, X_OK) != 0)
		cr_skip_test("%s is not installed", bin);
	if (geteuid() == 0) {
		pw = getpwnam("postgres");
		cr_assert(pw, "running as root and there is no postgres user for PgBouncer");
	}
	snprintf(dir, sizeof dir, "%s/pgbouncer.%d", e->tmpdir, (int)getpid());
	cr_assert(mkdir(dir, 0777) == 0 || errno == EEXIST, "mkdir %s: %s", dir, strerror(errno));
	chmod(dir, 0777);
	snprintf(users, sizeof users, "%s/userlist.txt", dir);
	f = fopen(users, "w");
	cr_assert(f, "%s: %s", users, strerror(errno));
	fprintf(f, "\"%s\" \"%s\"\n", e->user, e->password);
	fclose(f);
	chmod(users, 0644);
	snprintf(ini, sizeof ini, "%s/pgbouncer.ini", dir);
	f = fopen(ini, "w");
	cr_assert(f, "%s: %s", ini, strerror(errno));
	fprintf(f,
		"[databases]\n"
		"%s = host=%s port=%d dbname=%s user=%s password=%s\n"
		"[pgbouncer]\n"
		"listen_addr = 127.0.0.1\n"
		"listen_port = %d\n"
		"unix_socket_dir =\n"
		"auth_type = trust\n"
		"auth_file = %s\n"
		"pool_mode = transaction\n"
		"default_pool_size = 2\n"
		"max_client_conn = 100\n"
		"ignore_startup_parameters = extra_float_digits, options\n"
		"server_reset_query =\n"
		"logfile = %s/pgbouncer.log\n",
		e->db, e->pghost, e->pgport, e->db, e->user, e->password, port, users, dir);
	fclose(f);
	chmod(ini, 0644);
	snprintf(log, loglen, "%s/pgbouncer.log", dir);
	if (pw) {
		if (chown(dir, pw->pw_uid, pw->pw_gid) != 0)
			cr_assert_fail("chown %s: %s", dir, strerror(errno));
	}
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	bouncer_pid = fork();
	cr_assert(bouncer_pid >= 0, "fork: %s", strerror(errno));
	if (bouncer_pid == 0) {
		if (pw && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
			   setuid(pw->pw_uid) != 0))
			_exit(126);
		/* After setuid(), which clears it: die with the test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(bin, "pgbouncer", ini, (char *)NULL);
		_exit(127);
	}
	close(fd);
	for (double end = h_now() + 10; !h_port_open(port); h_sleep(0.05)) {
		int st;

		if (waitpid(bouncer_pid, &st, WNOHANG) == bouncer_pid) {
			bouncer_pid = 0;
			cr_assert_fail("PgBouncer exited (status %#x); see %s", st, log);
		}
		cr_assert(h_now() < end, "PgBouncer does not listen on %d", port);
	}
	return port;
}

static void bouncer_stop(void)
{
	if (bouncer_pid > 0) {
		kill(bouncer_pid, SIGTERM);
		for (double end = h_now() + 5; h_now() < end; h_sleep(0.02))
			if (waitpid(bouncer_pid, NULL, WNOHANG) == bouncer_pid) {
				bouncer_pid = 0;
				return;
			}
		kill(bouncer_pid, SIGKILL);
		waitpid(bouncer_pid, NULL, 0);
		bouncer_pid = 0;
	}
}

/* 8 clients, named statements, many transactions, through pgpin and PgBouncer. */
static int behind_bouncer(bool backend_is_pooler, int *executions)
{
	enum { NCLIENTS = 8, ITER = 25 };
	const struct h_env *e = h_env();
	struct many_client w[NCLIENTS];
	pthread_t th[NCLIENTS];
	pthread_barrier_t start;
	atomic_int finished = 0;
	char log[600], ep[512];
	int bport = bouncer_start(log, sizeof log), errors = 0;
	struct h_pgpin *p;

	snprintf(ep, sizeof ep, "postgres://%s:%s@127.0.0.1:%d/%s", e->user, e->password, bport,
		 e->db);
	p = pgpin_start(&(struct h_pgpin_opts){
		.endpoint = ep, .pool_size = 4,
		.args = backend_is_pooler ? H_ARGS("--backend-is-pooler=yes")
					  : H_ARGS("--backend-is-pooler=no") });
	pthread_barrier_init(&start, NULL, NCLIENTS + 1);
	for (int i = 0; i < NCLIENTS; i++) {
		w[i] = (struct many_client){ .id = i + 1, .iterations = ITER, .start = &start,
					     .finished = &finished };
		snprintf(w[i].conninfo, sizeof w[i].conninfo, "%s", h_conninfo(p->port, NULL));
		cr_assert(pthread_create(&th[i], NULL, many_client_main, &w[i]) == 0);
	}
	pthread_barrier_wait(&start);
	*executions = 0;
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(th[i], NULL);
		if (w[i].errors)
			cr_log_info("%s (%d errors)", w[i].first_error, w[i].errors);
		errors += w[i].errors;
		*executions += w[i].executions;
	}
	h_done();
	bouncer_stop();
	return errors;
}

Test(statements, backend_is_pooler_behind_pgbouncer, IT_BOUNCER(120))
{
	int executions, errors = behind_bouncer(true, &executions);

	cr_expect_eq(errors, 0, "%d errors through pgpin --backend-is-pooler and PgBouncer 1.18 "
		     "(first ones logged above)", errors);
	cr_expect_eq(executions, 8 * (25 * 2 + (25 + 2) / 3 * 2));
}

/* The test above can fail: the same without --backend-is-pooler breaks. */
Test(statements, without_backend_is_pooler_pgbouncer_breaks, IT_BOUNCER(120))
{
	int executions, errors = behind_bouncer(false, &executions);

	cr_log_info("without --backend-is-pooler: %d errors, %d good executions", errors,
		    executions);
	cr_expect_gt(errors, 0, "no errors without --backend-is-pooler: the test above proves "
		     "nothing");
}

/* ================================================================ runner */

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
