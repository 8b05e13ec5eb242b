"""asyncpg against pgpin's SQLite backend: types, as asyncpg learns them.

    /usr/bin/python3 sqlite_asyncpg_test.py DSN MISSING_DSN

asyncpg prepares every query (Parse, Describe Statement, Flush), takes the
parameter and result type OIDs from the answer, and binds and fetches
everything in binary.  An OID it has no codec for sends it into its
pg_type introspection query, so the OIDs announced for columns,
expressions and parameters decide whether it works at all.  Checked here:
parameterized insert/select of int, text, bool, bytea, timestamp, bigint
and NULL; the type names asyncpg resolved for a prepared statement's
parameters and columns; expressions without a declared type (count(*),
max(), literals, NULL, casts); and connecting to a database that does not
exist (MISSING_DSN): InvalidCatalogNameError, 3D000.

Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP by
t/integration/test_sqlite.sh.  Debian 12: python3-asyncpg (0.27).
"""

import asyncio
import datetime
import sys

import asyncpg

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tap import err, is_, ok, status  # noqa: E402

DSN = sys.argv[1]
MISSING_DSN = sys.argv[2]

ROWS = [
    (42, "hello, world", True, b"\x00\x01\xfe\xff", datetime.datetime(2024, 1, 2, 3, 4, 5), 9007199254740993),
    (-7, "ünïcödé 'quoted'", False, b"", datetime.datetime(1999, 12, 31, 23, 59, 59, 250000), -1),
    (None, None, None, None, None, None),
]


async def step(desc, coro):
    """Run one check; an exception fails it instead of the whole script."""
    try:
        return await coro
    except Exception as e:  # noqa: BLE001
        ok(False, "%s raised %s" % (desc, err(e)))
        return None


async def types(conn):
    await conn.execute("DROP TABLE IF EXISTS drv_apg_types")
    await conn.execute("CREATE TABLE drv_apg_types (id serial PRIMARY KEY, i int, s text, b boolean,"
                       " bin bytea, ts timestamp, n bigint)")
    ins = "INSERT INTO drv_apg_types (i, s, b, bin, ts, n) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    ids = []
    for r in ROWS:
        ids.append(await conn.fetchval(ins, *r))
    is_(ids, [1, 2, 3], "INSERT ... RETURNING id with 6 binary parameters")

    sel = "SELECT i, s, b, bin, ts, n FROM drv_apg_types WHERE id = $1"
    for k, want in enumerate(ROWS):
        row = await conn.fetchrow(sel, ids[k])
        is_(tuple(row) if row else None, want, "row %d read back (binary results)" % (k + 1))

    st = await conn.prepare(sel)
    is_([t.name for t in st.get_parameters()], ["int4"], "prepared statement: parameter types")
    is_([(a.name, a.type.name) for a in st.get_attributes()],
        [("i", "int4"), ("s", "text"), ("b", "bool"), ("bin", "bytea"), ("ts", "timestamp"), ("n", "int8")],
        "prepared statement: column names and types")
    st = await conn.prepare("INSERT INTO drv_apg_types (i, s, b, bin, ts, n) VALUES ($1, $2, $3, $4, $5, $6)")
    is_([t.name for t in st.get_parameters()], ["int4", "text", "bool", "bytea", "timestamp", "int8"],
        "INSERT parameters take the column types")

    rows = await conn.fetch("SELECT id FROM drv_apg_types WHERE b = $1 OR bin = $2 ORDER BY id",
                            False, b"\x00\x01\xfe\xff")
    is_([r["id"] for r in rows], [1, 2], "WHERE b = $1 OR bin = $2")

    # Expressions without a declared type: no introspection, exact values.
    row = await conn.fetchrow("SELECT count(*) AS c, max(i) AS m, 1 AS one, 'x' AS x, $1::int + 1 AS p,"
                              " $2::text || '!' AS t FROM drv_apg_types WHERE id = 1", 41, "hi")
    is_(dict(row) if row else None, {"c": 1, "m": 42, "one": 1, "x": "x", "p": 42, "t": "hi!"},
        "count(*), max(), literals, casts")
    v = await conn.fetchval("SELECT length(s) FROM drv_apg_types WHERE id = $1", 1)
    is_(v, 12, "length(text)")
    v = await conn.fetchval("SELECT NULL")
    is_(v, None, "SELECT NULL")
    v = await conn.fetchval("SELECT $1::bytea", b"\x00\xff")
    is_(v, b"\x00\xff", "SELECT $1::bytea")
    v = await conn.fetchval("SELECT $1::timestamp", datetime.datetime(2020, 2, 29, 12, 0, 0, 1))
    is_(v, datetime.datetime(2020, 2, 29, 12, 0, 0, 1), "SELECT $1::timestamp keeps microseconds")

    async with conn.transaction():
        await conn.execute("INSERT INTO drv_apg_types (i) VALUES ($1)", 100)
        n = await conn.fetchval("SELECT count(*) FROM drv_apg_types WHERE i = 100")
        is_(n, 1, "inside a transaction: the row is visible")
        try:
            async with conn.transaction():  # a savepoint
                await conn.execute("INSERT INTO drv_apg_types (i) VALUES ($1)", 101)
                raise RuntimeError("roll back the savepoint")
        except RuntimeError:
            pass
    n = await conn.fetchval("SELECT count(*) FROM drv_apg_types WHERE i >= 100")
    is_(n, 1, "committed the transaction, rolled back the savepoint")


async def main():
    conn = await asyncpg.connect(DSN, command_timeout=30)
    ok(True, "asyncpg %s, server version %s" % (asyncpg.__version__, conn.get_server_version()))
    is_(conn.get_server_version().major, 15, "server_version is 15")
    await step("types", types(conn))
    await conn.close()

    try:
        c = await asyncpg.connect(MISSING_DSN)
        await c.close()
        ok(False, "connecting to a missing database fails")
    except asyncpg.InvalidCatalogNameError as e:
        is_((e.sqlstate, str(e)), ("3D000", 'database "nope" does not exist'),
            "a missing database: 3D000 database \"nope\" does not exist")
    except Exception as e:  # noqa: BLE001
        ok(False, "a missing database: %s" % err(e))


if __name__ == "__main__":
    try:
        asyncio.run(asyncio.wait_for(main(), 60))
    except Exception as e:  # noqa: BLE001
        ok(False, "asyncpg test raised %s" % err(e))
    sys.exit(status())
