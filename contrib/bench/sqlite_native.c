/*
 * sqlite_native.c - the statements of contrib/bench/sqlite.sh run natively
 * through the sqlite3 C API, in one process, as the baseline pgpin's
 * SQLite backend is measured against.
 *
 * N threads, each with its own connection opened and set up the way pgpin
 * opens a session's connection (src/sqlite/session.c: NOMUTEX, extended
 * result codes, a busy timeout, journal_mode=WAL, synchronous,
 * case_sensitive_like=ON, foreign_keys=ON), prepare the case's statement
 * once, then bind random arguments and step it to the end, reading every
 * column of every row, until the duration is over.  The statement texts
 * are what pgpin's translator (src/sqlite/translate.c) makes of the
 * PostgreSQL texts the benchmark sends through pgpin: the same text with
 * $n written ?n.  Writes (the insert case) take a process-wide mutex
 * around each statement, as pgpin's writer lock (src/sqlite/link.c)
 * serialises them, instead of spinning in SQLite's busy handler.
 *
 * Not part of pgpin's build: sqlite.sh compiles it with
 *   cc -O2 -o sqlite_native sqlite_native.c -lsqlite3 -lpthread
 *
 * Output, one line on stdout:
 *   queries=N seconds=S rate=R cpu_s=C cpu_us_per_query=U rows=N
 * rate is statements completed per second of wall time; cpu is the
 * process's user+system time (getrusage) over the same interval.  With
 * --check it runs the statement once per key instead and prints
 *   check keys=N rows_min=A rows_max=B
 * Exit status 0, or 1 on any error (printed on stderr).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* pgbench -S's statement, as pgpin translates it. */
static const char SQL_SELECT[] = "SELECT abalance FROM pgbench_accounts WHERE aid = ?1";

/* kine's GetSingleVal (generation C), as pgpin translates it. */
static const char SQL_GETSINGLE[] =
	"SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, "
	"prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, "
	"(SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS "
	"compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = ?1 ) AND "
	"(deleted = 0 OR ?2)";

/* kine's ListCurrent (generation C) with " LIMIT 500", as pgpin translates it. */
static const char SQL_LIST[] =
	"SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, "
	"prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, "
	"(SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS "
	"compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= ?1 AND name < ?2 "
	"GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR ?3) ORDER BY name ASC LIMIT 500";

/* kine's Insert (generation C), as pgpin translates it. */
static const char SQL_INSERT[] =
	"INSERT INTO kine(name, created, deleted, create_revision, prev_revision, lease, value, "
	"old_value) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT value FROM kine WHERE id = ?8) AS "
	"old_value RETURNING id";

enum bcase { C_SELECT, C_GETSINGLE, C_LIST, C_INSERT };

static struct {
	const char *db;
	enum bcase bcase;
	int threads;
	double duration;
	const char *sync;
	long long accounts; /* select: aid in [1, accounts] */
	long long old_ids;  /* insert: old_value looked up by an id in [1, old_ids] */
	int value_len;	    /* insert: bytes of value */
	bool check;
	/* keys: getsingle one key per line; list "start<TAB>end" per line */
	char **k1, **k2;
	int nkeys;
} opt = {.threads = 1, .duration = 5, .sync = "FULL", .accounts = 100000, .old_ids = 1,
	 .value_len = 256};

static atomic_bool stop;
static pthread_barrier_t ready;
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;

struct worker {
	pthread_t tid;
	int idx;
	uint64_t seed;
	uint64_t queries, rows, sink;
	int failed; /* set when the thread hit an error */
};

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64*: enough for picking keys, and no shared state */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int exec_simple(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "sqlite_native: %s: %s\n", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

/* Open and set up a connection as pgpin's session_open() does. */
static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;
	char pragma[64];
	int rc = sqlite3_open_v2(opt.db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		fprintf(stderr, "sqlite_native: cannot open %s: %s\n", opt.db,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	snprintf(pragma, sizeof(pragma), "PRAGMA synchronous=%s", opt.sync);
	if (exec_simple(db, "PRAGMA journal_mode=WAL") != SQLITE_OK ||
	    exec_simple(db, pragma) != SQLITE_OK ||
	    exec_simple(db, "PRAGMA case_sensitive_like=ON") != SQLITE_OK ||
	    exec_simple(db, "PRAGMA foreign_keys=ON") != SQLITE_OK)
		goto fail;
	return db;
fail:
	sqlite3_close(db);
	return NULL;
}

static const char *case_sql(void)
{
	switch (opt.bcase) {
	case C_SELECT: return SQL_SELECT;
	case C_GETSINGLE: return SQL_GETSINGLE;
	case C_LIST: return SQL_LIST;
	case C_INSERT: return SQL_INSERT;
	}
	return NULL;
}

/* Bind the arguments of one execution; key is an index into the key list
 * (getsingle, list) or ignored. */
static void bind_args(struct worker *w, sqlite3_stmt *st, int key, unsigned char *value)
{
	switch (opt.bcase) {
	case C_SELECT:
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(next_rand(&w->seed) % (uint64_t)opt.accounts) + 1);
		break;
	case C_GETSINGLE:
		sqlite3_bind_text(st, 1, opt.k1[key], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, 0); /* includeDeleted = false */
		break;
	case C_LIST:
		sqlite3_bind_text(st, 1, opt.k1[key], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, opt.k2[key], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, 0);
		break;
	case C_INSERT: {
		char name[64];
		/* (name, prev_revision) is unique: a random 53-bit prev_revision
		 * under a per-thread name does not collide in practice */
		sqlite3_int64 prev = (sqlite3_int64)(next_rand(&w->seed) >> 11) + 1;
		snprintf(name, sizeof(name), "/registry/bench/native-%d", w->idx);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, 0);
		sqlite3_bind_int(st, 3, 0);
		sqlite3_bind_int64(st, 4, 1);
		sqlite3_bind_int64(st, 5, prev);
		sqlite3_bind_int(st, 6, 0);
		if (value != NULL)
			sqlite3_bind_blob(st, 7, value, opt.value_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 7);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)(next_rand(&w->seed) % (uint64_t)opt.old_ids) + 1);
		break;
	}
	}
}

/* Step st to the end, reading every column of every row, as pgpin must
 * to encode them; returns the row count, or -1 on error. */
static long step_all(sqlite3 *db, sqlite3_stmt *st, struct worker *w)
{
	long rows = 0;
	int rc, nc = sqlite3_column_count(st);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		for (int i = 0; i < nc; i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				w->sink += (uint64_t)sqlite3_column_int64(st, i);
				break;
			case SQLITE_FLOAT:
				w->sink += (uint64_t)sqlite3_column_double(st, i);
				break;
			case SQLITE_TEXT: {
				const unsigned char *t = sqlite3_column_text(st, i);
				int n = sqlite3_column_bytes(st, i);
				w->sink += (uint64_t)n + (n > 0 ? t[n - 1] : 0);
				break;
			}
			case SQLITE_BLOB: {
				const unsigned char *b = sqlite3_column_blob(st, i);
				int n = sqlite3_column_bytes(st, i);
				w->sink += (uint64_t)n + (n > 0 ? b[n - 1] : 0);
				break;
			}
			default:
				break;
			}
		}
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "sqlite_native: step: %s (%d)\n", sqlite3_errmsg(db), rc);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return rows;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db = open_db();
	sqlite3_stmt *st = NULL;
	unsigned char *value = NULL;
	bool write = opt.bcase == C_INSERT;

	if (db == NULL)
		goto fail;
	if (sqlite3_prepare_v2(db, case_sql(), -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_native: prepare: %s\n", sqlite3_errmsg(db));
		goto fail;
	}
	if (write) {
		value = malloc((size_t)opt.value_len);
		if (value == NULL)
			goto fail;
		for (int i = 0; i < opt.value_len; i++)
			value[i] = (unsigned char)next_rand(&w->seed);
	}
	pthread_barrier_wait(&ready);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		int key = opt.nkeys > 0 ? (int)(next_rand(&w->seed) % (uint64_t)opt.nkeys) : 0;
		long rows;

		bind_args(w, st, key, value);
		if (write)
			pthread_mutex_lock(&writer);
		rows = step_all(db, st, w);
		if (write)
			pthread_mutex_unlock(&writer);
		if (rows < 0)
			goto fail_started;
		w->rows += (uint64_t)rows;
		w->queries++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(value);
	return NULL;
fail:
	w->failed = 1;
	/* still meet the barrier, so that the main thread is not left waiting */
	pthread_barrier_wait(&ready);
	goto out;
fail_started:
	w->failed = 1;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(value);
	atomic_store(&stop, true);
	return NULL;
}

/* --check: run the statement once per key, print the range of row counts. */
static int check(void)
{
	struct worker w = {.seed = 88172645463325252ULL};
	sqlite3 *db = open_db();
	sqlite3_stmt *st = NULL;
	long min = -1, max = -1;
	int n = opt.nkeys > 0 ? opt.nkeys : 1;

	if (db == NULL)
		return 1;
	if (sqlite3_prepare_v2(db, case_sql(), -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_native: prepare: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	for (int k = 0; k < n; k++) {
		long rows;
		bind_args(&w, st, k, NULL);
		rows = step_all(db, st, &w);
		if (rows < 0)
			break;
		if (min < 0 || rows < min)
			min = rows;
		if (rows > max)
			max = rows;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (min < 0)
		return 1;
	printf("check keys=%d rows_min=%ld rows_max=%ld\n", n, min, max);
	return 0;
}

static int read_keys(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int cap = 0;

	if (f == NULL) {
		fprintf(stderr, "sqlite_native: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab, *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] == '\0')
			continue;
		if (opt.nkeys == cap) {
			char **n1, **n2;
			cap = cap ? 2 * cap : 64;
			n1 = realloc(opt.k1, (size_t)cap * sizeof(*opt.k1));
			if (n1 != NULL)
				opt.k1 = n1;
			n2 = realloc(opt.k2, (size_t)cap * sizeof(*opt.k2));
			if (n2 != NULL)
				opt.k2 = n2;
			if (n1 == NULL || n2 == NULL) {
				fclose(f);
				return -1;
			}
		}
		tab = strchr(line, '\t');
		if (tab)
			*tab++ = '\0';
		opt.k1[opt.nkeys] = strdup(line);
		opt.k2[opt.nkeys] = strdup(tab ? tab : "");
		opt.nkeys++;
		if (opt.k1[opt.nkeys - 1] == NULL || opt.k2[opt.nkeys - 1] == NULL) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static void free_keys(void)
{
	for (int i = 0; i < opt.nkeys; i++) {
		free(opt.k1[i]);
		free(opt.k2[i]);
	}
	free(opt.k1);
	free(opt.k2);
	opt.k1 = opt.k2 = NULL;
	opt.nkeys = 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sqlite_native --db FILE --case select|getsingle|list|insert\n"
		   "                     [--threads N] [--duration S] [--sync full|normal|off]\n"
		   "                     [--accounts N] [--keys FILE] [--old-ids N]\n"
		   "                     [--value-len N] [--check] [--print-sql] [--version]\n");
}

int main(int argc, char **argv)
{
	struct worker *w;
	double t0, t1, c0, c1;
	uint64_t queries = 0, rows = 0;
	int failed = 0;
	bool print_sql = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (strcmp(a, "--check") == 0) {
			opt.check = true;
			takes = false;
		} else if (strcmp(a, "--print-sql") == 0) {
			print_sql = true;
			takes = false;
		} else if (strcmp(a, "--version") == 0) {
			printf("%s\n", sqlite3_libversion());
			return 0;
		} else if (v == NULL) {
			usage(stderr);
			return 1;
		} else if (strcmp(a, "--db") == 0) {
			opt.db = v;
		} else if (strcmp(a, "--case") == 0) {
			if (strcmp(v, "select") == 0)
				opt.bcase = C_SELECT;
			else if (strcmp(v, "getsingle") == 0)
				opt.bcase = C_GETSINGLE;
			else if (strcmp(v, "list") == 0)
				opt.bcase = C_LIST;
			else if (strcmp(v, "insert") == 0)
				opt.bcase = C_INSERT;
			else {
				usage(stderr);
				return 1;
			}
		} else if (strcmp(a, "--threads") == 0) {
			opt.threads = atoi(v);
		} else if (strcmp(a, "--duration") == 0) {
			opt.duration = atof(v);
		} else if (strcmp(a, "--sync") == 0) {
			opt.sync = v;
		} else if (strcmp(a, "--accounts") == 0) {
			opt.accounts = atoll(v);
		} else if (strcmp(a, "--old-ids") == 0) {
			opt.old_ids = atoll(v);
		} else if (strcmp(a, "--value-len") == 0) {
			opt.value_len = atoi(v);
		} else if (strcmp(a, "--keys") == 0) {
			if (read_keys(v) < 0)
				return 1;
		} else {
			usage(stderr);
			return 1;
		}
		if (takes)
			i++;
	}
	if (print_sql) {
		printf("%s\n", case_sql());
		return 0;
	}
	if (opt.db == NULL || opt.threads < 1 || opt.duration <= 0 || opt.accounts < 1 ||
	    opt.old_ids < 1 || opt.value_len < 0 ||
	    ((opt.bcase == C_GETSINGLE || opt.bcase == C_LIST) && opt.nkeys == 0)) {
		usage(stderr);
		return 1;
	}
	if (opt.check) {
		int rc = check();
		free_keys();
		return rc;
	}

	w = calloc((size_t)opt.threads, sizeof(*w));
	if (w == NULL || pthread_barrier_init(&ready, NULL, (unsigned)opt.threads + 1) != 0)
		return 1;
	for (int i = 0; i < opt.threads; i++) {
		w[i].idx = i;
		w[i].seed = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) ^ (uint64_t)getpid();
		if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0) {
			fprintf(stderr, "sqlite_native: pthread_create failed\n");
			return 1;
		}
	}
	pthread_barrier_wait(&ready);
	c0 = cpu_seconds();
	t0 = now();
	/* sleep in slices: a thread that fails sets stop and ends the run early */
	while (!atomic_load(&stop) && now() - t0 < opt.duration)
		usleep(10000);
	atomic_store(&stop, true);
	t1 = now();
	for (int i = 0; i < opt.threads; i++) {
		pthread_join(w[i].tid, NULL);
		queries += w[i].queries;
		rows += w[i].rows;
		failed |= w[i].failed;
	}
	c1 = cpu_seconds();
	free(w);
	pthread_barrier_destroy(&ready);
	free_keys();
	if (failed)
		return 1;
	printf("queries=%" PRIu64 " seconds=%.3f rate=%.1f cpu_s=%.3f cpu_us_per_query=%.3f "
	       "rows=%" PRIu64 "\n",
	       queries, t1 - t0, (double)queries / (t1 - t0), c1 - c0,
	       queries ? (c1 - c0) * 1e6 / (double)queries : 0.0, rows);
	return 0;
}
