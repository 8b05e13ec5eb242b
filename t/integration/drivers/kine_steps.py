"""kine's generation-C statements and call pattern, the same for every
Python driver: kine_asyncpg.py and kine_psycopg.py are thin adapters that
run these steps through their driver's own path.

The program does what kine v0.16.4 does with its pgsql driver
(shared/reference/kine.md section 3), with the statement texts byte for
byte as kine sends them ($n parameters; the list family with " LIMIT n"
appended).  The values bound are the Python kinds of kine's Go arguments:
str, int, bool, bytes and None.

The scenario (ids are shown as r1, r2, ... in the order the inserts
returned them, so that PostgreSQL's sequence, which a failed INSERT
advances, and pgpin's SQLite rowids print the same):

  bootstrap     createDBIfNotExist on database postgres (pg_database lookup
                with a name parameter, CREATE DATABASE "<db>";),
                -- ping, select version(), the 7 schema statements,
                SELECT COUNT(*) FROM key_value fails with 42P01, COUNT(*)
                FROM kine; compactStart (AfterSingleOldVal, Insert of
                compact_rev_key) and the /registry/health create
  writes        Create (GetSingle includeDeleted, Insert RETURNING id) of
                four keys, a racing create (23505 on
                kine_name_prev_revision_uindex), Update (GetSingleVal,
                Insert), Delete (GetSingleVal, Insert deleted=1)
  reads         Get at a revision (ListRevisionStartVal LIMIT 1), List
                (ListCurrentVal LIMIT 2, CountCurrent, ListCurrent LIMIT
                501, GetRevisionAfter, CountRevision), the watch start
                queries (AfterOldVal, AfterSingleOldVal) and the poll
                (AfterAllOldVal LIMIT 500)
  gap           a row deleted under a later one (kine's Delete statement)
                leaves a hole the poll sees; Fill("gap-N"), the poll again;
                a Fill of an existing id: 23505 on kine_pkey
  compaction    begin isolation level serializable, CurrentRev,
                CompactRev, Compact, UpdateCompact, commit: exactly the
                superseded rows, the tombstone and the gap record go
  failures      a compaction batch with nothing to do (rollback); an
                error inside the transaction, 25P02 after it, rollback
  big revision  a Fill at 2^33+1 and the poll reading it back (int8
                beyond int4)
  collation     keys with non-ASCII names listed in C order, a list
                continued from a start key ending in \\x1a
  types         what the driver learned of each statement (asyncpg: the
                parameter types and result columns; psycopg: the result
                columns it saw), against PostgreSQL 15's

The adapter: run(driver, URL) takes an object with
  name             the driver's name, for the last line if the run raised
  Error            the class of the errors the server reports
  undefined_table  the name of the class it raises for 42P01
  ping_desc        how "-- ping" goes through the driver, and
  ping_want        what ping() returns for it
  described        what describe() returns: "parameter types and result
                   columns" or "result columns"
  connect(url)     a connection: fetch(text, *args) (rows, indexable),
                   fetchrow, fetchval, execute (the command tag), ping(text),
                   describe(text) (a tuple of strings: the parameter types,
                   if it learns them, and the result columns, each
                   "name:type"), is_in_transaction(), close()
  server_error(e)  (SQLSTATE, constraint, table) of a server error, else None

Output: "ok DESC: RESULT" / "not ok DESC: RESULT" lines (the result as the
user sees it, normalized) and "# NOTE" lines, relayed as TAP by
t/integration/test_sqlite_kine_drivers.sh, which runs each program against
PostgreSQL and against pgpin serving SQLite and compares the two outputs.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from tap import note, ok, status


# ------------------------------------------------------------ kine's statements (generation C)

SQL = {
    "CurrentRev": "SELECT MAX(id) AS current_rev FROM kine",
    "CompactRev": "SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key'",
    "GetSingle": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = $1 ) AND (deleted = 0 OR $2)",
    "GetSingleVal": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = $1 ) AND (deleted = 0 OR $2)",
    "ListCurrent": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC",
    "ListCurrentVal": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC",
    "ListRevisionStartVal": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name = $1 AND id <= $2) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC",
    "GetRevisionAfter": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $4) ORDER BY name ASC",
    "CountCurrent": "SELECT (SELECT MAX(id) AS current_rev FROM kine), COUNT(id) FROM kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3)",
    "CountRevision": "SELECT (SELECT MAX(id) AS current_rev FROM kine), (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key'), COUNT(id) FROM kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $4)",
    "AfterOldVal": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE name >= $1 AND name < $2 AND id > $3 ORDER BY id ASC",
    "AfterAllOldVal": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id > $1 ORDER BY id ASC",
    "AfterSingleOldVal": "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE name = $1 AND id > $2 ORDER BY id ASC",
    "Insert": "INSERT INTO kine(name, created, deleted, create_revision, prev_revision, lease, value, old_value) SELECT $1, $2, $3, $4, $5, $6, $7, (SELECT value FROM kine WHERE id = $8) AS old_value RETURNING id",
    "Fill": "INSERT INTO kine(id, name, created, deleted, create_revision, prev_revision, lease, value, old_value) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    "Delete": "DELETE FROM kine WHERE id = $1",
    "UpdateCompact": "UPDATE kine SET prev_revision = $1 WHERE name = 'compact_rev_key'",
    "Compact": "DELETE FROM kine AS kv USING ( SELECT kp.prev_revision AS id FROM kine AS kp WHERE kp.name != 'compact_rev_key' AND kp.prev_revision != 0 AND kp.id <= $1 UNION SELECT kd.id AS id FROM kine AS kd WHERE kd.deleted != 0 AND kd.id <= $2 ) AS ks WHERE kv.id = ks.id",
    "GetSize": "SELECT pg_total_relation_size('kine')",
    "MigrateCountKV": "SELECT COUNT(*) FROM key_value",
    "MigrateCountKine": "SELECT COUNT(*) FROM kine",
    "DBExists": "SELECT 1 FROM pg_database WHERE datname = $1",
    "Version": "select version()",
    "Ping": "-- ping",
    "Begin": "begin isolation level serializable",
    "Commit": "commit",
    "Rollback": "rollback",
}

DDL = [
    "CREATE TABLE IF NOT EXISTS kine\n \t\t\t(\n\t\t\t\tid BIGSERIAL PRIMARY KEY,\n\t\t\t\tname text COLLATE \"C\",\n\t\t\t\tcreated INTEGER,\n\t\t\t\tdeleted INTEGER,\n\t\t\t\tcreate_revision BIGINT,\n\t\t\t\tprev_revision BIGINT,\n \t\t\t\tlease INTEGER,\n \t\t\t\tvalue bytea,\n \t\t\t\told_value bytea\n \t\t\t);",
    "CREATE INDEX IF NOT EXISTS kine_name_index ON kine (name)",
    "CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name,id)",
    "CREATE INDEX IF NOT EXISTS kine_id_deleted_index ON kine (id,deleted)",
    "CREATE INDEX IF NOT EXISTS kine_prev_revision_index ON kine (prev_revision)",
    "CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision)",
    "CREATE INDEX IF NOT EXISTS kine_list_query_index on kine(name, id DESC, deleted)",
]

# The parameter types and result columns PostgreSQL 15 describes for each
# statement (kine-sql-vectors.json "param_oids", "result_columns").
LIST9 = ("current_rev:int8 compact_rev:int8 id:int8 name:text created:int4 deleted:int4 create_revision:int8"
         " prev_revision:int8 lease:int4")
TYPES = {
    "CurrentRev": ("", "current_rev:int8"),
    "CompactRev": ("", "compact_rev:int8"),
    "GetSingle": ("text bool", LIST9),
    "GetSingleVal": ("text bool", LIST9 + " value:bytea"),
    "ListCurrent": ("text text bool", LIST9),
    "ListCurrentVal": ("text text bool", LIST9 + " value:bytea"),
    "ListRevisionStartVal": ("text int8 bool", LIST9 + " value:bytea"),
    "GetRevisionAfter": ("text text int8 bool", LIST9),
    "CountCurrent": ("text text bool", "current_rev:int8 count:int8"),
    "CountRevision": ("text text int8 bool", "current_rev:int8 compact_rev:int8 count:int8"),
    "AfterOldVal": ("text text int8", LIST9 + " value:bytea old_value:bytea"),
    "AfterAllOldVal": ("int8", LIST9 + " value:bytea old_value:bytea"),
    "AfterSingleOldVal": ("text int8", LIST9 + " value:bytea old_value:bytea"),
    "Insert": ("text int4 int4 int8 int8 int4 bytea int8", "id:int8"),
    "Fill": ("int8 text int4 int4 int8 int8 int4 bytea bytea", ""),
    "Delete": ("int8", ""),
    "UpdateCompact": ("int8", ""),
    "Compact": ("int8 int8", ""),
    "GetSize": ("", "pg_total_relation_size:int8"),
    "MigrateCountKine": ("", "count:int8"),
    "DBExists": ("name", "?column?:int4"),
    "Version": ("", "version:text"),
}

P = "/registry/configmaps/default/"
END = "/registry/configmaps/default0"  # kine's range end for the prefix P

# ------------------------------------------------------------ output


def check(desc, got, want):
    if not ok(got == want, "%s: %s" % (desc, got)):
        note("want: %s" % want)


# ------------------------------------------------------------ normalizing what the driver returns

REVS = {}  # real id -> "rN", in the order the inserts returned them


def rev_add(rid):
    if not isinstance(rid, int) or isinstance(rid, bool):
        return "?%r" % (rid,)
    REVS.setdefault(rid, "r%d" % (len(REVS) + 1))
    return REVS[rid]


def sym(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool) or not isinstance(v, int):
        return "?%s:%r" % (type(v).__name__, v)
    if v == 0:
        return "0"
    return REVS.get(v, "?%d" % v)


def num(v):
    """An int4/int8 column that is not a revision: the number, or its type."""
    if isinstance(v, bool) or not isinstance(v, int):
        return "?%s:%r" % (type(v).__name__, v)
    return str(v)


def val(v):
    if v is None:
        return "NULL"
    if not isinstance(v, bytes):
        return "?%s:%r" % (type(v).__name__, v)
    return "'" + "".join(chr(b) if 32 <= b < 127 and b not in (39, 92) else "\\x%02x" % b for b in v) + "'"


def name_of(n):
    if not isinstance(n, str):
        return "?%s:%r" % (type(n).__name__, n)
    m = re.fullmatch(r"gap-(\d+)", n)
    if m:
        return "gap-" + sym(int(m.group(1)))
    return n[len(P):] if n.startswith(P) else n


def kv(r):
    """One row of the list family: id name flags revisions lease [value [old_value]]."""
    s = "%s %s c%s d%s cr=%s pr=%s l=%s" % (sym(r[2]), name_of(r[3]), num(r[4]), num(r[5]), sym(r[6]), sym(r[7]),
                                           num(r[8]))
    if len(r) > 9:
        s += " v=" + val(r[9])
    if len(r) > 10:
        s += " ov=" + val(r[10])
    return s


def rows_of(rows):
    """current_rev/compact_rev (the same on every row) once, then the rows."""
    if not rows:
        return "0 rows"
    heads = {"cur=%s comp=%s" % (sym(r[0]), sym(r[1])) for r in rows}
    return " | ".join(sorted(heads) + [kv(r) for r in rows])


def err(e):
    return "%s %s" % (type(e).__name__, e)


# ------------------------------------------------------------ kine's operations


class Kine:
    """kine's operations on one connection (c) of a driver (drv)."""

    def __init__(self, drv, conn):
        self.drv = drv
        self.c = conn

    def pgerr(self, e):
        """What kine reads from an error: SQLSTATE, constraint and table name."""
        fields = self.drv.server_error(e)
        if fields is None:
            return "not a server error: " + err(e)
        return "%s %s %s" % fields

    def insert(self, key, create, delete, create_rev, prev_rev, lease, value):
        # the Go types kine passes: int for the int4 flags and lease, int64
        # revisions, []byte; $8 feeds the old_value sub-select
        return self.c.fetchval(SQL["Insert"], key, int(create), int(delete), create_rev, prev_rev, lease, value,
                               prev_rev)

    def get_single(self, key, include_deleted, with_value):
        return self.c.fetch(SQL["GetSingleVal" if with_value else "GetSingle"], key, include_deleted)

    def create(self, key, value, lease=0):
        """logstructured.Create: GetSingle(includeDeleted), then Insert;
        a fresh key records prev_revision 0, a key over a tombstone the
        tombstone's revision."""
        rows = self.get_single(key, True, False)
        prev = 0
        if rows:
            if rows[0][5] == 0:
                return rows, "key exists"
            prev = rows[0][2]
        rid = self.insert(key, True, False, 0, prev, lease, value)
        return rows, rev_add(rid)

    def update(self, key, rev, value, lease=0):
        """logstructured.Update: GetSingleVal, then Insert with the row's
        create revision (its own id if it is the create) and prev_revision."""
        rows = self.get_single(key, False, True)
        if not rows or rows[0][2] != rev:
            return rows, "not updated"
        r = rows[0]
        create_rev = r[2] if r[4] else r[6]
        rid = self.insert(key, False, False, create_rev, r[2], lease, value)
        return rows, rev_add(rid)

    def delete(self, key):
        """logstructured.Delete: GetSingleVal(includeDeleted), then Insert
        deleted=1 carrying the last value."""
        rows = self.get_single(key, True, True)
        if not rows or rows[0][5]:
            return rows, "nothing to delete"
        r = rows[0]
        create_rev = r[2] if r[4] else r[6]
        rid = self.insert(key, False, True, create_rev, r[2], r[8], r[9])
        return rows, rev_add(rid)

    def fill(self, rid):
        return self.c.execute(SQL["Fill"], rid, "gap-%d" % rid, 0, 1, 0, 0, 0, None, None)

    def poll(self, after):
        return self.c.fetch(SQL["AfterAllOldVal"] + " LIMIT 500", after)


def real(s):
    """The id behind "rN"."""
    for k, v in REVS.items():
        if v == s:
            return k
    raise KeyError(s)


# ------------------------------------------------------------ the scenario


def bootstrap(drv, url):
    u = urlsplit(url)
    db = u.path.lstrip("/")
    pg = drv.connect(urlunsplit(u._replace(path="/postgres")))
    try:
        rows = pg.fetch(SQL["DBExists"], db)
        check("pg_database lookup before CREATE DATABASE ($1 name)", str([list(r) for r in rows]), "[]")
        tag = pg.execute('CREATE DATABASE "%s";' % db)
        check('CREATE DATABASE "%s"; (simple)' % db, tag, "CREATE DATABASE")
        rows = pg.fetch(SQL["DBExists"], db)
        check("pg_database lookup after it", str([list(r) for r in rows]), "[[1]]")
    finally:
        pg.close()

    c = drv.connect(url)
    k = Kine(drv, c)
    check(drv.ping_desc, c.ping(SQL["Ping"]), drv.ping_want)
    v = c.fetchval(SQL["Version"])
    check("select version()", "text starting 'PostgreSQL 15'" if isinstance(v, str) and v.startswith("PostgreSQL 15")
          else repr(v), "text starting 'PostgreSQL 15'")
    tags = [c.execute(d) for d in DDL]
    check("the 7 schema statements (simple)", ", ".join(tags),
          "CREATE TABLE, " + ", ".join(["CREATE INDEX"] * 6))
    try:
        got = "no error: %r" % c.fetchval(SQL["MigrateCountKV"])
    except drv.Error as e:
        got = "%s %s" % (type(e).__name__, e.sqlstate)
    check("SELECT COUNT(*) FROM key_value", got, drv.undefined_table + " 42P01")
    check("SELECT COUNT(*) FROM kine", num(c.fetchval(SQL["MigrateCountKine"])), "0")

    # compactStart, then the health key
    rows = c.fetch(SQL["AfterSingleOldVal"], "compact_rev_key", 0)
    check("compactStart: AfterSingleOldVal('compact_rev_key', 0)", rows_of(rows), "0 rows")
    rid = k.insert("compact_rev_key", True, False, 0, 0, 0, b"")
    check("compactStart: Insert compact_rev_key RETURNING id", rev_add(rid), "r1")
    rows, got = k.create("/registry/health", b'{"health":"true"}')
    check("Create /registry/health (GetSingle, Insert)", "%s, %s" % (rows_of(rows), got), "0 rows, r2")
    return k


def writes(k):
    c = k.c
    for key, value, lease, want in (("a", b"a1\x00\xff", 0, "r3"), ("b", b"b1", 30, "r4"), ("c", b"", 0, "r5"),
                                    ("d", b"d1", 0, "r6")):
        rows, got = k.create(P + key, value, lease)
        check("Create %s (GetSingle, Insert)" % key, "%s, %s" % (rows_of(rows), got), "0 rows, " + want)

    rows, got = k.create(P + "b", b"b-again")
    check("Create b again: GetSingle finds it live", "%s, %s" % (rows_of(rows), got),
          "cur=r6 comp=0 | r4 b c1 d0 cr=0 pr=0 l=30, key exists")
    # the create that lost a race: the same (name, prev_revision) again
    try:
        got = "no error: %r" % k.insert(P + "b", True, False, 0, 0, 0, b"b-race")
    except k.drv.Error as e:
        got = k.pgerr(e)
    check("a racing Create of b: 23505, constraint, table", got, "23505 kine_name_prev_revision_uindex kine")
    check("the failed Insert left no row", num(c.fetchval(SQL["MigrateCountKine"])), "6")

    rows, got = k.update(P + "a", real("r3"), b"a2")
    check("Update a (GetSingleVal, Insert)", "%s, %s" % (rows_of(rows), got),
          "cur=r6 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff', r7")
    rows, got = k.delete(P + "c")
    check("Delete c (GetSingleVal includeDeleted, Insert deleted=1)", "%s, %s" % (rows_of(rows), got),
          "cur=r7 comp=0 | r5 c c1 d0 cr=0 pr=0 l=0 v='', r8")
    rows, got = k.delete(P + "c")
    check("Delete c again: the tombstone", "%s, %s" % (rows_of(rows), got),
          "cur=r8 comp=0 | r8 c c0 d1 cr=r5 pr=r5 l=0 v='', nothing to delete")
    rows = k.get_single(P + "a", False, True)
    check("Get a (GetSingleVal)", rows_of(rows), "cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2'")
    rows = k.get_single(P + "c", False, False)
    check("Get c (GetSingle): deleted", rows_of(rows), "0 rows")


def reads(k):
    c = k.c
    rows = c.fetch(SQL["ListRevisionStartVal"] + " LIMIT 1", P + "a", real("r6"), False)
    check("Get a at revision r6 (ListRevisionStartVal LIMIT 1)", rows_of(rows),
          "cur=r8 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff'")
    rows = c.fetch(SQL["ListCurrentVal"] + " LIMIT 2", P, END, False)
    check("List limit 1 (ListCurrentVal LIMIT 2)", rows_of(rows),
          "cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' | r4 b c1 d0 cr=0 pr=0 l=30 v='b1'")
    row = c.fetchrow(SQL["CountCurrent"], P, END, False)
    check("CountCurrent", "%s %s" % (sym(row[0]), num(row[1])), "r8 3")
    rows = c.fetch(SQL["ListCurrent"] + " LIMIT 501", P, END, False)
    check("List keys only (ListCurrent LIMIT 501)", rows_of(rows),
          "cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 | r4 b c1 d0 cr=0 pr=0 l=30 | r6 d c1 d0 cr=0 pr=0 l=0")
    rows = c.fetch(SQL["GetRevisionAfter"] + " LIMIT 501", P, END, real("r6"), False)
    check("List at revision r6 (GetRevisionAfter LIMIT 501)", rows_of(rows),
          "cur=r8 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 | r4 b c1 d0 cr=0 pr=0 l=30 | r5 c c1 d0 cr=0 pr=0 l=0"
          " | r6 d c1 d0 cr=0 pr=0 l=0")
    row = c.fetchrow(SQL["CountRevision"], P, END, real("r6"), False)
    check("CountRevision at r6", "%s %s %s" % (sym(row[0]), sym(row[1]), num(row[2])), "r8 0 4")

    rows = c.fetch(SQL["AfterOldVal"], P, END, real("r6"))
    check("Watch the prefix from r6 (AfterOldVal)", rows_of(rows),
          "cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' ov='a1\\x00\\xff'"
          " | r8 c c0 d1 cr=r5 pr=r5 l=0 v='' ov=''")
    rows = c.fetch(SQL["AfterSingleOldVal"], P + "a", 0)
    check("Watch a (AfterSingleOldVal)", rows_of(rows),
          "cur=r8 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff' ov=NULL"
          " | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' ov='a1\\x00\\xff'")
    rows = k.poll(0)
    ids = [r[2] for r in rows]
    check("the poll from 0 (AfterAllOldVal LIMIT 500): ids ascending", " ".join(sym(i) for i in ids),
          "r1 r2 r3 r4 r5 r6 r7 r8")
    check("the poll from 0: the first rows", rows_of(rows[:3]),
          "cur=r8 comp=0 | r1 compact_rev_key c1 d0 cr=0 pr=0 l=0 v='' ov=NULL"
          " | r2 /registry/health c1 d0 cr=0 pr=0 l=0 v='{\"health\":\"true\"}' ov=NULL"
          " | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff' ov=NULL")


def gap(k):
    c = k.c
    _, t = k.create(P + "tmp", b"t")
    _, e = k.create(P + "e", b"e1")
    check("Create tmp, Create e", "%s %s" % (t, e), "r9 r10")
    tag = c.execute(SQL["Delete"], real("r9"))
    check("DELETE FROM kine WHERE id = r9", tag, "DELETE 1")
    rows = k.poll(real("r8"))
    first = rows[0][2] if rows else None
    check("the poll from r8: a gap where r9 was", "%s, next expected r9, got %s" % (rows_of(rows), sym(first)),
          "cur=r10 comp=0 | r10 e c1 d0 cr=0 pr=0 l=0 v='e1' ov=NULL, next expected r9, got r10")
    tag = k.fill(real("r9"))
    check("Fill r9 ('gap-r9', deleted=1, NULL values)", tag, "INSERT 0 1")
    rows = k.poll(real("r8"))
    check("the poll from r8 again", rows_of(rows),
          "cur=r10 comp=0 | r9 gap-r9 c0 d1 cr=0 pr=0 l=0 v=NULL ov=NULL | r10 e c1 d0 cr=0 pr=0 l=0 v='e1' ov=NULL")
    try:
        got = "no error: %r" % k.fill(real("r10"))
    except k.drv.Error as e:
        got = k.pgerr(e)
    check("Fill of an existing id (r10): 23505, constraint, table", got, "23505 kine_pkey kine")


def compaction(k):
    c = k.c
    before = k.poll(0)
    tags = [c.execute(SQL["Begin"])]
    cur = c.fetchval(SQL["CurrentRev"])
    comp = c.fetchval(SQL["CompactRev"])
    tags.append(c.execute(SQL["Compact"], cur, cur))
    tags.append(c.execute(SQL["UpdateCompact"], cur))
    tags.append(c.execute(SQL["Commit"]))
    check("compaction transaction (begin, CurrentRev, CompactRev, Compact, UpdateCompact, commit)",
          "current %s, compact %s, %s" % (sym(cur), sym(comp), ", ".join(tags)),
          "current r10, compact 0, BEGIN, DELETE 4, UPDATE 1, COMMIT")
    after = k.poll(0)
    gone = [r for r in before if r[2] not in {a[2] for a in after}]
    check("compaction removed the superseded rows, the tombstone and the gap record", rows_of(gone),
          "cur=r10 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff' ov=NULL"
          " | r5 c c1 d0 cr=0 pr=0 l=0 v='' ov=NULL | r8 c c0 d1 cr=r5 pr=r5 l=0 v='' ov=''"
          " | r9 gap-r9 c0 d1 cr=0 pr=0 l=0 v=NULL ov=NULL")
    check("what is left", rows_of(after),
          "cur=r10 comp=r10 | r1 compact_rev_key c1 d0 cr=0 pr=r10 l=0 v='' ov=NULL"
          " | r2 /registry/health c1 d0 cr=0 pr=0 l=0 v='{\"health\":\"true\"}' ov=NULL"
          " | r4 b c1 d0 cr=0 pr=0 l=30 v='b1' ov=NULL | r6 d c1 d0 cr=0 pr=0 l=0 v='d1' ov=NULL"
          " | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' ov='a1\\x00\\xff' | r10 e c1 d0 cr=0 pr=0 l=0 v='e1' ov=NULL")
    check("CompactRev after it", sym(c.fetchval(SQL["CompactRev"])), "r10")
    rows = c.fetch(SQL["ListCurrentVal"] + " LIMIT 501", P, END, False)
    check("List after the compaction", " ".join("%s=%s" % (name_of(r[3]), val(r[9])) for r in rows),
          "a='a2' b='b1' d='d1' e='e1'")
    # a Create on top of the compacted tombstone's key: prev_revision 0 again
    rows, got = k.create(P + "c", b"c2")
    check("Create c after the compaction", "%s, %s" % (rows_of(rows), got), "0 rows, r11")
    size = c.fetchval(SQL["GetSize"])
    check("GetSize (pg_total_relation_size)", "a positive int" if isinstance(size, int) and size > 0 else repr(size),
          "a positive int")


def txerr(k):
    """A compaction batch with nothing to do (rollback), and one that
    fails: an error inside the serializable transaction, 25P02 for the
    next statement, rollback, and nothing of it is kept."""
    c = k.c
    tags = [c.execute(SQL["Begin"])]
    cur = c.fetchval(SQL["CurrentRev"])
    comp = c.fetchval(SQL["CompactRev"])
    tags.append(c.execute(SQL["Rollback"]))
    check("a compaction batch with nothing to do",
          "current %s, compact %s, %s" % (sym(cur), sym(comp), ", ".join(tags)),
          "current r11, compact r10, BEGIN, ROLLBACK")
    tags = [c.execute(SQL["Begin"])]
    rows, got = k.create(P + "f", b"f1")
    try:
        e1 = "no error: %r" % k.fill(real("r10"))
    except k.drv.Error as e:
        e1 = k.pgerr(e)
    try:
        e2 = "no error: %r" % c.fetchval(SQL["CompactRev"])
    except k.drv.Error as e:
        e2 = e.sqlstate
    tags.append(c.execute(SQL["Rollback"]))
    check("a failed transaction: Create f, Fill r10, CompactRev, rollback",
          "%s; %s; %s; %s" % (got, e1, e2, ", ".join(tags)), "r12; 23505 kine_pkey kine; 25P02; BEGIN, ROLLBACK")
    rows = k.get_single(P + "f", True, False)
    check("f is not there after the rollback", rows_of(rows), "0 rows")
    check("CurrentRev after the rollback", sym(c.fetchval(SQL["CurrentRev"])), "r11")


def bigrev(k):
    """A revision beyond int4, as a big cluster reaches: the Fill binds it
    and the poll and CurrentRev read it back as int8."""
    big = 2 ** 33 + 1
    tag = k.fill(big)
    check("Fill of revision 2^33+1", tag, "INSERT 0 1")
    rows = k.poll(big - 1)
    check("the poll from 2^33 (current_rev id name)", " ".join("%r %r %s" % (r[0], r[2], r[3]) for r in rows),
          "8589934593 8589934593 gap-8589934593")
    check("CurrentRev", repr(k.c.fetchval(SQL["CurrentRev"])), "8589934593")


def esc(n):
    """A key with its non-ASCII characters as \\uXXXX."""
    return "".join(ch if 32 <= ord(ch) < 127 else "\\u%04x" % ord(ch) for ch in n)


def collation(k):
    """kine's keys are text COLLATE "C": a list is in byte order, non-ASCII
    names after ASCII ones; a list continued from a start key ending in
    \\x1a, kine's rewrite of the \\x00 an apiserver continue token ends in."""
    c = k.c
    p2, end2 = "/registry/collate/", "/registry/collate0"
    for n in ("B", "a", "\u00e9", "Z", "a b", "\u00e4", "\u65e5\u672c", "~", "a_b"):
        k.create(p2 + n, n.encode())
    rows = c.fetch(SQL["ListCurrentVal"] + " LIMIT 501", p2, end2, False)
    check("List of non-ASCII keys (C order)", ", ".join("%s=%s" % (esc(r[3][len(p2):]), val(r[9])) for r in rows),
          "B='B', Z='Z', a='a', a b='a b', a_b='a_b', ~='~', \\u00e4='\\xc3\\xa4', \\u00e9='\\xc3\\xa9',"
          " \\u65e5\\u672c='\\xe6\\x97\\xa5\\xe6\\x9c\\xac'")
    rows = c.fetch(SQL["ListCurrent"] + " LIMIT 3", p2 + "a\x1a", end2, False)
    check("List continued after a (start key a\\x1a, LIMIT 3)", ", ".join(esc(r[3][len(p2):]) for r in rows),
          "a b, a_b, ~")
    row = c.fetchrow(SQL["CountCurrent"], p2 + "a\x1a", end2, False)
    check("CountCurrent from that start key", num(row[1]), "6")


def describe(k):
    """What the driver learned of each statement: its parameter types (if
    it learns them) and result columns, against PostgreSQL 15's."""
    differ = []
    for label, types in TYPES.items():
        got = k.c.describe(SQL[label])
        want = types[len(types) - len(got):]
        if got != want:
            differ.append(label)
            note("%s: %s, PostgreSQL 15: %s" % (label, " -> ".join("(%s)" % g for g in got),
                                                " -> ".join("(%s)" % w for w in want)))
    check("%s of the %d statements as PostgreSQL 15 describes them" % (k.drv.described, len(TYPES)),
          "differ: " + " ".join(differ) if differ else "all the same", "all the same")


def main(drv, url):
    k = bootstrap(drv, url)
    try:
        for part in (writes, reads, gap, compaction, txerr, bigrev, collation, describe):
            try:
                part(k)
            except Exception as e:  # noqa: BLE001
                ok(False, "%s raised %s" % (part.__name__, err(e)))
                if k.c.is_in_transaction():
                    k.c.execute("rollback")
    finally:
        k.c.close()


def run(drv, url):
    """The scenario through drv against the database url names; the exit
    status: 1 if a check failed."""
    try:
        main(drv, url)
    except Exception as e:  # noqa: BLE001
        ok(False, "kine through %s raised %s" % (drv.name, err(e)))
    return status()
