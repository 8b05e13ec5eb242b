"""asyncpg through pgpin in transaction mode, statement cache on.

    /usr/bin/python3 asyncpg_test.py DSN

asyncpg prepares every query under a per-connection counter name
(__asyncpg_stmt_N__) with Parse/Describe/Flush, waits for the description,
then sends Bind/Execute/Sync: pgpin must keep the server while such a batch
is open.  A pool of 8 connections runs concurrent fetches with parameters,
explicit prepared statements and transactions; every connection first
prepares a text of its own, so the same statement names stand for
different texts on different connections.  A second pool with
statement_cache_size=4 and 10 texts makes asyncpg close evicted statements
(Close message) all the time.

Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP by
t/integration/test_drivers.sh.  Debian 12: python3-asyncpg (0.27).
"""

import asyncio
import sys

import asyncpg

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tap import err, note, ok, status  # noqa: E402

DSN = sys.argv[1]
NCONN = 8
TASKS = 24
ITERS = 25


class Errors:
    def __init__(self):
        self.n = 0
        self.list = []

    def add(self, msg):
        self.n += 1
        if len(self.list) < 10:
            self.list.append(msg)

    def report(self, desc):
        ok(self.n == 0, "%s: no errors (%d)" % (desc, self.n))
        for m in self.list:
            note("  " + m)


async def own_texts(pool, errs):
    """Hold all connections; each runs a text of its own first."""
    conns = [await pool.acquire() for _ in range(NCONN)]
    try:
        for i, c in enumerate(conns):
            v = await c.fetchval("SELECT $1::int8 + %d" % i, 1000)
            if v != 1000 + i:
                errs.add("conn%d own text: %r" % (i, v))

        async def per_conn(i, c):
            for k in range(ITERS):
                row = await c.fetchrow("SELECT $1::int8 + %d AS v, 'conn%d' AS who" % (i, i), k)
                if (row["v"], row["who"]) != (k + i, "conn%d" % i):
                    errs.add("conn%d k%d: %r" % (i, k, tuple(row)))
        res = await asyncio.gather(*(per_conn(i, c) for i, c in enumerate(conns)), return_exceptions=True)
        for i, r in enumerate(res):
            if isinstance(r, BaseException):
                errs.add("conn%d: %s" % (i, err(r)))
    finally:
        for c in conns:
            await pool.release(c)


async def task(pool, t, errs):
    for k in range(ITERS):
        x = t * 1000 + k
        try:
            rows = await pool.fetch("SELECT g, g * $1::int8 AS m FROM generate_series(1, $2::int) g", x, k % 6 + 1)
            if [(r["g"], r["m"]) for r in rows] != [(g, g * x) for g in range(1, k % 6 + 2)]:
                errs.add("t%d k%d fetch: %r" % (t, k, rows))
            v = await pool.fetchval("SELECT $1::text || '-' || $2::int4", "t%d" % t, k)
            if v != "t%d-%d" % (t, k):
                errs.add("t%d k%d fetchval: %r" % (t, k, v))
            async with pool.acquire() as c:
                async with c.transaction():
                    rid = await c.fetchval("INSERT INTO drv_apg (task, seq, data) VALUES ($1, $2, $3) RETURNING id",
                                           t, k, b"\x00\x01" + bytes([t, k]))
                    n = await c.fetchval("SELECT count(*) FROM drv_apg WHERE task = $1", t)
                    if n != k + 1:
                        errs.add("t%d k%d: count %d, want %d" % (t, k, n, k + 1))
                    st = await c.prepare("SELECT data, seq FROM drv_apg WHERE id = $1")
                    row = await st.fetchrow(rid)
                    if (row["data"], row["seq"]) != (b"\x00\x01" + bytes([t, k]), k):
                        errs.add("t%d k%d prepared: %r" % (t, k, tuple(row)))
                    if k % 5 == 0:
                        # a cursor: named portal, Execute with a row limit
                        got = [r[0] async for r in c.cursor(
                            "SELECT g * $1::int FROM generate_series(1, 10) g", t + 1, prefetch=3)]
                        if got != [g * (t + 1) for g in range(1, 11)]:
                            errs.add("t%d k%d cursor: %r" % (t, k, got))
                if k % 7 == 3:
                    try:
                        await c.fetchval("SELECT 1 / $1::int", 0)
                        errs.add("t%d k%d: division by zero did not fail" % (t, k))
                    except asyncpg.DivisionByZeroError:
                        pass
                    if await c.fetchval("SELECT $1::int * 2", k) != k * 2:
                        errs.add("t%d k%d: after the error" % (t, k))
        except Exception as e:  # noqa: BLE001
            errs.add("t%d k%d: %s" % (t, k, err(e)))


async def evict_task(pool, t, errs):
    for r in range(6):
        for j in range(10):
            q = (j * (t + 1) + r) % 10
            try:
                v = await pool.fetchval("SELECT $1::int8 + %d AS v%d" % (q * 100, q), t * 1000 + r)
                if v != t * 1000 + r + q * 100:
                    errs.add("t%d r%d q%d: %r" % (t, r, q, v))
            except Exception as e:  # noqa: BLE001
                errs.add("t%d r%d q%d: %s" % (t, r, q, err(e)))


async def main():
    pool = await asyncpg.create_pool(DSN, min_size=NCONN, max_size=NCONN, command_timeout=60)
    ok(True, "asyncpg %s: pool of %d connections" % (asyncpg.__version__, NCONN))
    await pool.execute("DROP TABLE IF EXISTS drv_apg")
    await pool.execute("CREATE TABLE drv_apg (id serial PRIMARY KEY, task int NOT NULL,"
                       " seq int NOT NULL, data bytea NOT NULL)")

    errs = Errors()
    await own_texts(pool, errs)
    errs.report("%d connections, each its own text under the same statement names" % NCONN)

    errs = Errors()
    await asyncio.gather(*(task(pool, t, errs) for t in range(TASKS)))
    errs.report("%d tasks x %d rounds over %d connections (fetch, fetchval, transactions, prepare, cursors)"
                % (TASKS, ITERS, NCONN))
    rows = await pool.fetch("SELECT task, count(*) AS n FROM drv_apg GROUP BY task ORDER BY task")
    got = [(r["task"], r["n"]) for r in rows]
    ok(got == [(t, ITERS) for t in range(TASKS)], "every task committed its %d rows (%r)" % (ITERS, got[:4]))
    await pool.close()

    small = await asyncpg.create_pool(DSN, min_size=6, max_size=6, statement_cache_size=4, command_timeout=60)
    errs = Errors()
    await asyncio.gather(*(evict_task(small, t, errs) for t in range(12)))
    errs.report("statement_cache_size=4, 10 texts: asyncpg closes evicted statements")
    await small.close()


if __name__ == "__main__":
    try:
        asyncio.run(asyncio.wait_for(main(), 120))
    except Exception as e:  # noqa: BLE001
        ok(False, "asyncpg test raised %s" % err(e))
    sys.exit(status())
