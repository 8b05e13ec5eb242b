"""psycopg 3 against pgpin's SQLite backend: values of each type both ways.

    /usr/bin/python3 sqlite_psycopg_test.py CONNINFO

A table with int, text, boolean, bytea, timestamp and bigint columns is
filled with parameterized INSERTs (psycopg's binary int2/bool/bytea
parameters, text-format str, timestamps) and read back with text and with
binary results, once unprepared and once with every query prepared
(prepare_threshold=0); NULL in every column.  Also what a psycopg user
sees of the session: ParameterStatus after SET application_name, the
reported server_version, a unique violation (23505 with the constraint
name), and a cancelled pg_sleep (57014) after which the connection still
works.

Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP by
t/integration/test_sqlite.sh.  Debian 12: python3-psycopg (3.1.x).
"""

import datetime
import sys
import threading
import time

import psycopg

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tap import err, is_, ok, status  # noqa: E402

CONNINFO = sys.argv[1]

ROWS = [
    # i, s, b, bin, ts, n
    (42, "hello, world", True, b"\x00\x01\xfe\xff", datetime.datetime(2024, 1, 2, 3, 4, 5), 9007199254740993),
    (-7, "ünïcödé 'quoted' \"double\"", False, b"", datetime.datetime(1999, 12, 31, 23, 59, 59, 250000), -1),
    (None, None, None, None, None, None),
]


def roundtrip(prepare_threshold, label):
    with psycopg.connect(CONNINFO, autocommit=True, prepare_threshold=prepare_threshold) as conn:
        conn.execute("DROP TABLE IF EXISTS drv_pg3_types")
        conn.execute("CREATE TABLE drv_pg3_types (id serial PRIMARY KEY, i int, s text, b boolean,"
                     " bin bytea, ts timestamp, n bigint)")
        ids = []
        for r in ROWS:
            cur = conn.execute("INSERT INTO drv_pg3_types (i, s, b, bin, ts, n) VALUES (%s, %s, %s, %s, %s, %s)"
                               " RETURNING id", r)
            ids.append(cur.fetchone()[0])
        is_(ids, [1, 2, 3], "%s: INSERT ... RETURNING id gives the serial ids" % label)
        q = "SELECT i, s, b, bin, ts, n FROM drv_pg3_types WHERE id = %s"
        for k, want in enumerate(ROWS):
            got = conn.execute(q, (ids[k],)).fetchone()
            is_(got, want, "%s: row %d, text results" % (label, k + 1))
            got = conn.cursor(binary=True).execute(q, (ids[k],)).fetchone()
            is_(got, want, "%s: row %d, binary results" % (label, k + 1))
        # WHERE on a boolean and a bytea parameter, IS NULL
        n = conn.execute("SELECT count(*) FROM drv_pg3_types WHERE b = %s", (True,)).fetchone()[0]
        is_(n, 1, "%s: WHERE b = true (binary bool parameter)" % label)
        got = conn.execute("SELECT id FROM drv_pg3_types WHERE bin = %s", (b"\x00\x01\xfe\xff",)).fetchall()
        is_(got, [(1,)], "%s: WHERE bin = bytes (binary bytea parameter)" % label)
        got = conn.execute("SELECT id FROM drv_pg3_types WHERE i IS NULL").fetchall()
        is_(got, [(3,)], "%s: IS NULL" % label)
        cur = conn.execute("SELECT i, s, b, bin, ts, n FROM drv_pg3_types LIMIT 0")
        is_([d.type_code for d in cur.description], [23, 25, 16, 17, 1114, 20],
            "%s: RowDescription type OIDs" % label)


def session_checks():
    with psycopg.connect(CONNINFO, autocommit=True) as conn:
        v = conn.info.parameter_status("server_version") or ""
        ok(v.startswith("15."), "server_version ParameterStatus is 15.x (%r)" % v)
        conn.execute("SET application_name = 'drv-sqlite'")
        is_(conn.info.parameter_status("application_name"), "drv-sqlite",
            "SET application_name sends a ParameterStatus")
        is_(conn.execute("SHOW application_name").fetchone()[0], "drv-sqlite", "SHOW application_name")

        try:
            conn.execute("INSERT INTO drv_pg3_types (id, i) VALUES (1, 1)")
            ok(False, "a duplicate primary key fails")
        except psycopg.Error as e:
            is_((e.sqlstate, e.diag.constraint_name, e.diag.table_name),
                ("23505", "drv_pg3_types_pkey", "drv_pg3_types"),
                "a duplicate primary key: 23505 naming drv_pg3_types_pkey")

        # cancel from another thread while pg_sleep runs
        t = threading.Timer(1.0, conn.cancel)
        t.start()
        start = time.monotonic()
        try:
            conn.execute("SELECT pg_sleep(30)")
            ok(False, "pg_sleep(30) was cancelled")
        except psycopg.Error as e:
            took = time.monotonic() - start
            is_((e.sqlstate, str(e).strip()), ("57014", "canceling statement due to user request"),
                "cancel: 57014 canceling statement due to user request")
            ok(took < 4, "cancel: pg_sleep(30) ended %.1f s after it started" % took)
        t.join()
        is_(conn.execute("SELECT 1 + 1").fetchone()[0], 2, "cancel: the connection works afterwards")


def main():
    ok(True, "psycopg %s, libpq %s" % (psycopg.__version__, psycopg.pq.version()))
    for thr, label in ((None, "unprepared"), (0, "prepared")):
        try:
            roundtrip(thr, label)
        except Exception as e:  # noqa: BLE001
            ok(False, "%s: round trip raised %s" % (label, err(e)))
    session_checks()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        ok(False, "psycopg test raised %s" % err(e))
    sys.exit(status())
