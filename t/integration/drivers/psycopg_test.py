"""psycopg 3 through pgpin in transaction mode, every query prepared.

    /usr/bin/python3 psycopg_test.py CONNINFO

prepare_threshold=0 makes psycopg prepare every query under a name of its
own, _pg3_0, _pg3_1, ... counted per connection: six connections in
threads use the same names for different texts.  Half the connections are
autocommit, half are not (psycopg then sends BEGIN itself); both also use
explicit transaction blocks, and roll some back.  Then psycopg's own
maintenance statements, both sent with PQsendQueryParams (extended
protocol, unnamed statement): with prepared_max=4 and 10 texts it sends
"DEALLOCATE _pg3_N" for the names it evicts, and after a DROP it sends
"DEALLOCATE ALL".

Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP by
t/integration/test_drivers.sh.  Debian 12: python3-psycopg (3.1.x).
"""

import sys
import threading

import psycopg

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tap import note, ok, status  # noqa: E402

CONNINFO = sys.argv[1]
NCONN = 6
ITERS = 40
lock = threading.Lock()


class Errors:
    def __init__(self):
        self.n = 0
        self.list = []

    def add(self, msg):
        with lock:
            self.n += 1
            if len(self.list) < 10:
                self.list.append(msg)

    def report(self, desc):
        ok(self.n == 0, "%s: no errors (%d)" % (desc, self.n))
        for m in self.list:
            note("  " + m)


def connect(autocommit):
    return psycopg.connect(CONNINFO, autocommit=autocommit, prepare_threshold=0)


def setup():
    with connect(True) as conn:
        conn.execute("DROP TABLE IF EXISTS drv_pg3")
        conn.execute("CREATE TABLE drv_pg3 (id serial PRIMARY KEY, worker int NOT NULL,"
                     " seq int NOT NULL, note text NOT NULL)")


def worker(i, conn, errs):
    auto = conn.autocommit
    try:
        # The first statement of each connection is its own text, so every
        # connection has _pg3_0 for a different query.
        cur = conn.cursor()
        cur.execute("SELECT %%s::int8 + %d AS v, 'conn%d' AS who" % (i, i), (1000,))
        row = cur.fetchone()
        if row != (1000 + i, "conn%d" % i):
            errs.add("conn%d first: %r" % (i, row))
        if not auto:
            conn.commit()
        kept = 0
        for k in range(ITERS):
            x = i * 100000 + k
            cur.execute("SELECT %%s::int8 + %d AS v, 'conn%d' AS who" % (i, i), (x,))
            row = cur.fetchone()
            if row != (x + i, "conn%d" % i):
                errs.add("conn%d k%d own text: %r" % (i, k, row))
            cur.execute("SELECT %s::int8 * 2, %s::text || '!', %s::bool", (x, "t%d" % k, k % 2 == 0))
            row = cur.fetchone()
            if row != (x * 2, "t%d!" % k, k % 2 == 0):
                errs.add("conn%d k%d common text: %r" % (i, k, row))
            if not auto:
                conn.commit()

            # An explicit transaction block; every fifth is rolled back.
            rollback = k % 5 == 4
            try:
                with conn.transaction():
                    cur.execute("INSERT INTO drv_pg3 (worker, seq, note) VALUES (%s, %s, %s) RETURNING id",
                                (i, k, "w%d-%d" % (i, k)))
                    rid = cur.fetchone()[0]
                    cur.execute("SELECT note FROM drv_pg3 WHERE id = %s", (rid,))
                    if cur.fetchone() != ("w%d-%d" % (i, k),):
                        errs.add("conn%d k%d: row %d not visible in its transaction" % (i, k, rid))
                    cur.execute("SELECT count(*) FROM drv_pg3 WHERE worker = %s", (i,))
                    n = cur.fetchone()[0]
                    if n != kept + 1:
                        errs.add("conn%d k%d: count %d, want %d" % (i, k, n, kept + 1))
                    if rollback:
                        raise psycopg.Rollback()
                if not rollback:
                    kept += 1
            except psycopg.Error as e:
                errs.add("conn%d k%d transaction: %s %s" % (i, k, e.sqlstate, e))
            if not auto:
                conn.commit()

            # An error, then the connection goes on.
            if k % 10 == 3:
                try:
                    cur.execute("SELECT 1 / %s::int", (0,))
                    errs.add("conn%d k%d: division by zero did not fail" % (i, k))
                except psycopg.errors.DivisionByZero:
                    pass
                except psycopg.Error as e:
                    errs.add("conn%d k%d: division by zero gave %s %s" % (i, k, e.sqlstate, e))
                if not auto:
                    conn.rollback()
        cur.execute("SELECT count(*), min(seq), max(seq) FROM drv_pg3 WHERE worker = %s", (i,))
        row = cur.fetchone()
        if row[0] != kept:
            errs.add("conn%d: %r rows at the end, want %d" % (i, row, kept))
        if not auto:
            conn.commit()
    except Exception as e:  # noqa: BLE001 - report anything
        errs.add("conn%d: %s: %s" % (i, type(e).__name__, e))
        release(conn)


def release(conn):
    """After an error, end the connection's transaction: it holds a server."""
    try:
        if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
    except psycopg.Error:
        pass


def evict(i, conn, errs):
    """prepared_max=4 with 10 texts: psycopg sends DEALLOCATE _pg3_N (by
    name, extended protocol) for every statement it evicts."""
    conn.prepared_max = 4
    cur = conn.cursor()
    for r in range(8):
        for j in range(10):
            q = (j * (i + 1) + r) % 10
            x = i * 1000 + r
            try:
                cur.execute("SELECT %%s::int8 + %d AS v%d" % (q * 100, q), (x,))
                v = cur.fetchone()[0]
                if v != x + q * 100:
                    errs.add("conn%d r%d q%d: %r" % (i, r, q, v))
            except psycopg.Error as e:
                errs.add("conn%d r%d q%d: %s %s" % (i, r, q, e.sqlstate, e))
                release(conn)
        if not conn.autocommit:
            conn.commit()


def drop(i, conn, errs):
    """A DROP makes psycopg forget its statements and send DEALLOCATE ALL
    (extended protocol) before the next query."""
    cur = conn.cursor()
    for r in range(6):
        try:
            for q in range(3):
                cur.execute("SELECT %%s::int8 + %d AS v%d, 'conn%d' AS who" % (q, q, i), (r,))
                row = cur.fetchone()
                if row != (r + q, "conn%d" % i):
                    errs.add("conn%d r%d q%d: %r" % (i, r, q, row))
            cur.execute("DROP TABLE IF EXISTS drv_pg3_scratch_%d" % i)
            if not conn.autocommit:
                conn.commit()
        except psycopg.Error as e:
            errs.add("conn%d r%d: %s %s" % (i, r, e.sqlstate, e))
            release(conn)


def run(target, desc):
    conns = []
    try:
        for i in range(NCONN):
            conns.append(connect(i % 2 == 0))
    except psycopg.Error as e:
        ok(False, "%s: connect %d connections (%s)" % (desc, NCONN, e))
        return
    errs = Errors()
    def guarded(i, c):
        try:
            target(i, c, errs)
        except Exception as e:  # noqa: BLE001
            errs.add("conn%d: %s: %s" % (i, type(e).__name__, e))
            release(c)

    threads = [threading.Thread(target=guarded, args=(i, c)) for i, c in enumerate(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in conns:
        c.close()
    errs.report(desc)


def main():
    setup()
    ok(True, "psycopg %s, libpq %s" % (psycopg.__version__, psycopg.pq.version()))
    run(worker, "%d connections (autocommit and not) x %d rounds, every query prepared" % (NCONN, ITERS))
    with connect(True) as conn:
        rows = conn.execute("SELECT worker, count(*) FROM drv_pg3 GROUP BY worker ORDER BY worker").fetchall()
    want = [(i, ITERS - ITERS // 5) for i in range(NCONN)]
    ok(rows == want, "committed rows per worker %r (want %r)" % (rows, want))
    run(evict, "prepared_max=4, 10 texts x 8 rounds: psycopg sends DEALLOCATE _pg3_N")
    run(drop, "DROP TABLE, then psycopg sends DEALLOCATE ALL: 6 rounds")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        ok(False, "psycopg test raised %s: %s" % (type(e).__name__, e))
    sys.exit(status())
