// kine's generation-C statements and call pattern through node-postgres.
//
//   NODE_PATH=DIR/node_modules node kine_node_pg.js URL
//
// URL names the database kine would use (postgres://USER[:PW]@HOST:PORT/
// kine_node_pg); it must not exist yet.  The same scenario as
// kine_asyncpg.py (see there), through node-postgres's own prepared
// statement path: named queries {name, text, values}, parsed once per
// connection and then only bound and executed.  node-postgres's Parse
// gives no parameter types, and it sends every value in text (true/false
// for booleans, numbers in decimal) except Buffers, which go in binary, so
// the server infers each parameter's type from where it stands in kine's
// text; results come back in text, parsed by the OIDs of RowDescription
// (int8 -> string, int4 -> number, bool -> boolean, bytea -> Buffer).  The
// values bound are the JavaScript kinds of kine's Go arguments: string,
// number, boolean, Buffer, null.  kine's DDL, "-- ping" and the
// transaction statements are queries without values: the simple protocol.
//
// Output: "ok DESC: RESULT" / "not ok DESC: RESULT" lines and "# NOTE"
// lines, relayed as TAP by t/integration/test_sqlite_kine_drivers.sh,
// which runs the program against PostgreSQL and against pgpin serving
// SQLite and compares the two outputs.  node-postgres (npm "pg", 8.x) is
// installed by the test script into a cache directory.
'use strict';

const pg = require('pg');

const URL_ = process.argv[2];
const DB = new URL(URL_).pathname.replace(/^\//, '');
let failed = false;

// ------------------------------------------------------------ kine's statements (generation C)

const SQL = {
  CurrentRev: "SELECT MAX(id) AS current_rev FROM kine",
  CompactRev: "SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key'",
  GetSingle: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = $1 ) AND (deleted = 0 OR $2)",
  GetSingleVal: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = $1 ) AND (deleted = 0 OR $2)",
  ListCurrent: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC",
  ListCurrentVal: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC",
  ListRevisionStartVal: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name = $1 AND id <= $2) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC",
  GetRevisionAfter: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $4) ORDER BY name ASC",
  CountCurrent: "SELECT (SELECT MAX(id) AS current_rev FROM kine), COUNT(id) FROM kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3)",
  CountRevision: "SELECT (SELECT MAX(id) AS current_rev FROM kine), (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key'), COUNT(id) FROM kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $4)",
  AfterOldVal: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE name >= $1 AND name < $2 AND id > $3 ORDER BY id ASC",
  AfterAllOldVal: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id > $1 ORDER BY id ASC",
  AfterSingleOldVal: "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE name = $1 AND id > $2 ORDER BY id ASC",
  Insert: "INSERT INTO kine(name, created, deleted, create_revision, prev_revision, lease, value, old_value) SELECT $1, $2, $3, $4, $5, $6, $7, (SELECT value FROM kine WHERE id = $8) AS old_value RETURNING id",
  Fill: "INSERT INTO kine(id, name, created, deleted, create_revision, prev_revision, lease, value, old_value) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
  Delete: "DELETE FROM kine WHERE id = $1",
  UpdateCompact: "UPDATE kine SET prev_revision = $1 WHERE name = 'compact_rev_key'",
  Compact: "DELETE FROM kine AS kv USING ( SELECT kp.prev_revision AS id FROM kine AS kp WHERE kp.name != 'compact_rev_key' AND kp.prev_revision != 0 AND kp.id <= $1 UNION SELECT kd.id AS id FROM kine AS kd WHERE kd.deleted != 0 AND kd.id <= $2 ) AS ks WHERE kv.id = ks.id",
  GetSize: "SELECT pg_total_relation_size('kine')",
  MigrateCountKV: "SELECT COUNT(*) FROM key_value",
  MigrateCountKine: "SELECT COUNT(*) FROM kine",
  DBExists: "SELECT 1 FROM pg_database WHERE datname = $1",
  Version: "select version()",
  Ping: "-- ping",
  Begin: "begin isolation level serializable",
  Commit: "commit",
  Rollback: "rollback",
};

const DDL = [
  "CREATE TABLE IF NOT EXISTS kine\n \t\t\t(\n\t\t\t\tid BIGSERIAL PRIMARY KEY,\n\t\t\t\tname text COLLATE \"C\",\n\t\t\t\tcreated INTEGER,\n\t\t\t\tdeleted INTEGER,\n\t\t\t\tcreate_revision BIGINT,\n\t\t\t\tprev_revision BIGINT,\n \t\t\t\tlease INTEGER,\n \t\t\t\tvalue bytea,\n \t\t\t\told_value bytea\n \t\t\t);",
  "CREATE INDEX IF NOT EXISTS kine_name_index ON kine (name)",
  "CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name,id)",
  "CREATE INDEX IF NOT EXISTS kine_id_deleted_index ON kine (id,deleted)",
  "CREATE INDEX IF NOT EXISTS kine_prev_revision_index ON kine (prev_revision)",
  "CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision)",
  "CREATE INDEX IF NOT EXISTS kine_list_query_index on kine(name, id DESC, deleted)",
];

// The result columns PostgreSQL 15 describes for each statement
// (kine-sql-vectors.json "result_columns").
const LIST9 = 'current_rev:int8 compact_rev:int8 id:int8 name:text created:int4 deleted:int4 create_revision:int8' +
  ' prev_revision:int8 lease:int4';
const COLUMNS = {
  CurrentRev: 'current_rev:int8',
  CompactRev: 'compact_rev:int8',
  GetSingle: LIST9,
  GetSingleVal: LIST9 + ' value:bytea',
  ListCurrent: LIST9,
  ListCurrentVal: LIST9 + ' value:bytea',
  ListRevisionStartVal: LIST9 + ' value:bytea',
  GetRevisionAfter: LIST9,
  CountCurrent: 'current_rev:int8 count:int8',
  CountRevision: 'current_rev:int8 compact_rev:int8 count:int8',
  AfterOldVal: LIST9 + ' value:bytea old_value:bytea',
  AfterAllOldVal: LIST9 + ' value:bytea old_value:bytea',
  AfterSingleOldVal: LIST9 + ' value:bytea old_value:bytea',
  Insert: 'id:int8',
  Fill: '',
  Delete: '',
  UpdateCompact: '',
  Compact: '',
  GetSize: 'pg_total_relation_size:int8',
  MigrateCountKine: 'count:int8',
  DBExists: '?column?:int4',
  Version: 'version:text',
};
const OIDS = { 16: 'bool', 17: 'bytea', 19: 'name', 20: 'int8', 23: 'int4', 25: 'text' };
const FIELDS = new Map(); // statement text -> its columns as result.fields gave them

const P = '/registry/configmaps/default/';
const END = '/registry/configmaps/default0'; // kine's range end for the prefix P

// ------------------------------------------------------------ output

function ok(cond, desc) {
  process.stdout.write((cond ? 'ok ' : 'not ok ') + desc + '\n');
  if (!cond) failed = true;
  return cond;
}

function note(msg) {
  for (const l of String(msg).split('\n')) process.stdout.write('# ' + l + '\n');
}

function check(desc, got, want) {
  if (!ok(got === want, desc + ': ' + got)) note('want: ' + want);
}

// ------------------------------------------------------------ normalizing what the driver returns

const REVS = new Map(); // real id (a string, as node-postgres gives int8) -> "rN"

function bad(v) {
  return '?' + (v === null ? 'null' : typeof v) + ':' + JSON.stringify(v);
}

// an int8 column: node-postgres gives it as a string of digits
function isInt8(v) {
  return typeof v === 'string' && /^-?\d+$/.test(v);
}

function revAdd(id) {
  if (!isInt8(id)) return bad(id);
  if (!REVS.has(id)) REVS.set(id, 'r' + (REVS.size + 1));
  return REVS.get(id);
}

function sym(v) {
  if (v === null) return 'NULL';
  if (!isInt8(v)) return bad(v);
  if (v === '0') return '0';
  return REVS.has(v) ? REVS.get(v) : '?' + v;
}

function real(s) {
  for (const [k, v] of REVS) if (v === s) return Number(k);
  throw new Error('no revision ' + s);
}

// an int4 column: a number
function num(v) {
  return typeof v === 'number' && Number.isInteger(v) ? String(v) : bad(v);
}

// an int8 that is not a revision (a count)
function i8(v) {
  return isInt8(v) ? v : bad(v);
}

function val(v) {
  if (v === null) return 'NULL';
  if (!Buffer.isBuffer(v)) return bad(v);
  let s = "'";
  for (const b of v) {
    s += b >= 32 && b < 127 && b !== 39 && b !== 92 ? String.fromCharCode(b) : '\\x' + b.toString(16).padStart(2, '0');
  }
  return s + "'";
}

function nameOf(n) {
  if (typeof n !== 'string') return bad(n);
  const m = /^gap-(\d+)$/.exec(n);
  if (m) return 'gap-' + sym(m[1]);
  return n.startsWith(P) ? n.slice(P.length) : n;
}

// one row of the list family (rowMode array): id name flags revisions lease [value [old_value]]
function kv(r) {
  let s = `${sym(r[2])} ${nameOf(r[3])} c${num(r[4])} d${num(r[5])} cr=${sym(r[6])} pr=${sym(r[7])} l=${num(r[8])}`;
  if (r.length > 9) s += ' v=' + val(r[9]);
  if (r.length > 10) s += ' ov=' + val(r[10]);
  return s;
}

function rowsOf(rows) {
  if (!rows.length) return '0 rows';
  const heads = [...new Set(rows.map((r) => `cur=${sym(r[0])} comp=${sym(r[1])}`))].sort();
  return heads.concat(rows.map(kv)).join(' | ');
}

function err(e) {
  return `${e && e.constructor ? e.constructor.name : typeof e} ${e && e.message}`;
}

// what kine reads from an error: SQLSTATE, constraint and table name
function pgerr(e) {
  if (!e || !e.code) return 'not a server error: ' + err(e);
  return `${e.code} ${e.constraint} ${e.table}`;
}

// a command tag as node-postgres shows it
function tag(res) {
  return res.command === null ? 'null' : res.command + (res.rowCount === null ? '' : ' ' + res.rowCount);
}

// ------------------------------------------------------------ calls

// a named query (prepared once per connection), rows as arrays
async function q(c, label, text, values) {
  const res = await c.query({ name: 'kine-' + label, text, values, rowMode: 'array' });
  FIELDS.set(text.split(' LIMIT ')[0],
    res.fields.map((f) => `${f.name}:${OIDS[f.dataTypeID] || f.dataTypeID}`).join(' '));
  return res;
}

async function fetch(c, label, suffix, ...values) {
  const name = label + (suffix ? suffix.replace(/ /g, '_') : '');
  return (await q(c, name, SQL[label] + (suffix || ''), values)).rows;
}

async function fetchval(c, label, ...values) {
  const rows = await fetch(c, label, '', ...values);
  return rows.length ? rows[0][0] : null;
}

async function connect(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

// ------------------------------------------------------------ kine's operations

class Kine {
  constructor(c) {
    this.c = c;
  }

  // the JavaScript kinds of kine's Go arguments: number for the int4 flags,
  // the lease and the int64 revisions, Buffer; $8 feeds the old_value sub-select
  async insert(key, create, del, createRev, prevRev, lease, value) {
    return fetchval(this.c, 'Insert', key, create ? 1 : 0, del ? 1 : 0, createRev, prevRev, lease, value, prevRev);
  }

  async getSingle(key, includeDeleted, withValue) {
    return fetch(this.c, withValue ? 'GetSingleVal' : 'GetSingle', '', key, includeDeleted);
  }

  // logstructured.Create: GetSingle(includeDeleted), then Insert; a fresh
  // key records prev_revision 0, a key over a tombstone the tombstone's
  async create(key, value, lease = 0) {
    const rows = await this.getSingle(key, true, false);
    let prev = 0;
    if (rows.length) {
      if (rows[0][5] === 0) return [rows, 'key exists'];
      prev = Number(rows[0][2]);
    }
    return [rows, revAdd(await this.insert(key, true, false, 0, prev, lease, value))];
  }

  // logstructured.Update: GetSingleVal, then Insert with the row's create
  // revision (its own id if it is the create) and prev_revision
  async update(key, rev, value, lease = 0) {
    const rows = await this.getSingle(key, false, true);
    if (!rows.length || Number(rows[0][2]) !== rev) return [rows, 'not updated'];
    const r = rows[0];
    const createRev = Number(r[4] ? r[2] : r[6]);
    return [rows, revAdd(await this.insert(key, false, false, createRev, Number(r[2]), lease, value))];
  }

  // logstructured.Delete: GetSingleVal(includeDeleted), then Insert
  // deleted=1 carrying the last value
  async delete(key) {
    const rows = await this.getSingle(key, true, true);
    if (!rows.length || rows[0][5]) return [rows, 'nothing to delete'];
    const r = rows[0];
    const createRev = Number(r[4] ? r[2] : r[6]);
    return [rows, revAdd(await this.insert(key, false, true, createRev, Number(r[2]), r[8], r[9]))];
  }

  async fill(rev) {
    return tag(await q(this.c, 'Fill', SQL.Fill, [rev, 'gap-' + rev, 0, 1, 0, 0, 0, null, null]));
  }

  async poll(after) {
    return fetch(this.c, 'AfterAllOldVal', ' LIMIT 500', after);
  }
}

// ------------------------------------------------------------ the scenario

async function bootstrap() {
  const u = new URL(URL_);
  u.pathname = '/postgres';
  const pgc = await connect(u.toString());
  try {
    let rows = await fetch(pgc, 'DBExists', '', DB);
    check('pg_database lookup before CREATE DATABASE ($1 name)', JSON.stringify(rows), '[]');
    const res = await pgc.query(`CREATE DATABASE "${DB}";`);
    check(`CREATE DATABASE "${DB}"; (simple)`, tag(res), 'CREATE');
    rows = await fetch(pgc, 'DBExists', '', DB);
    check('pg_database lookup after it', JSON.stringify(rows), '[[1]]');
  } finally {
    await pgc.end();
  }

  const c = await connect(URL_);
  const k = new Kine(c);
  check('-- ping (simple: EmptyQueryResponse)', tag(await c.query(SQL.Ping)), 'null');
  const v = await fetchval(c, 'Version');
  check('select version()',
    typeof v === 'string' && v.startsWith('PostgreSQL 15') ? "text starting 'PostgreSQL 15'" : bad(v),
    "text starting 'PostgreSQL 15'");
  const tags = [];
  for (const d of DDL) tags.push(tag(await c.query(d)));
  check('the 7 schema statements (simple)', tags.join(', '), Array(7).fill('CREATE').join(', '));
  let got;
  try {
    got = 'no error: ' + (await fetchval(c, 'MigrateCountKV'));
  } catch (e) {
    got = e.code || err(e);
  }
  check('SELECT COUNT(*) FROM key_value', got, '42P01');
  check('SELECT COUNT(*) FROM kine', i8(await fetchval(c, 'MigrateCountKine')), '0');

  // compactStart, then the health key
  let rows = await fetch(c, 'AfterSingleOldVal', '', 'compact_rev_key', 0);
  check("compactStart: AfterSingleOldVal('compact_rev_key', 0)", rowsOf(rows), '0 rows');
  const rid = await k.insert('compact_rev_key', true, false, 0, 0, 0, Buffer.alloc(0));
  check('compactStart: Insert compact_rev_key RETURNING id', revAdd(rid), 'r1');
  [rows, got] = await k.create('/registry/health', Buffer.from('{"health":"true"}'));
  check('Create /registry/health (GetSingle, Insert)', `${rowsOf(rows)}, ${got}`, '0 rows, r2');
  return k;
}

async function writes(k) {
  const c = k.c;
  let rows, got;
  const creates = [['a', Buffer.from([0x61, 0x31, 0, 0xff]), 0, 'r3'], ['b', Buffer.from('b1'), 30, 'r4'],
    ['c', Buffer.alloc(0), 0, 'r5'], ['d', Buffer.from('d1'), 0, 'r6']];
  for (const [key, value, lease, want] of creates) {
    [rows, got] = await k.create(P + key, value, lease);
    check(`Create ${key} (GetSingle, Insert)`, `${rowsOf(rows)}, ${got}`, '0 rows, ' + want);
  }

  [rows, got] = await k.create(P + 'b', Buffer.from('b-again'));
  check('Create b again: GetSingle finds it live', `${rowsOf(rows)}, ${got}`,
    'cur=r6 comp=0 | r4 b c1 d0 cr=0 pr=0 l=30, key exists');
  // the create that lost a race: the same (name, prev_revision) again
  try {
    got = 'no error: ' + (await k.insert(P + 'b', true, false, 0, 0, 0, Buffer.from('b-race')));
  } catch (e) {
    got = pgerr(e);
  }
  check('a racing Create of b: 23505, constraint, table', got, '23505 kine_name_prev_revision_uindex kine');
  check('the failed Insert left no row', i8(await fetchval(c, 'MigrateCountKine')), '6');

  [rows, got] = await k.update(P + 'a', real('r3'), Buffer.from('a2'));
  check('Update a (GetSingleVal, Insert)', `${rowsOf(rows)}, ${got}`,
    "cur=r6 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff', r7");
  [rows, got] = await k.delete(P + 'c');
  check('Delete c (GetSingleVal includeDeleted, Insert deleted=1)', `${rowsOf(rows)}, ${got}`,
    "cur=r7 comp=0 | r5 c c1 d0 cr=0 pr=0 l=0 v='', r8");
  [rows, got] = await k.delete(P + 'c');
  check('Delete c again: the tombstone', `${rowsOf(rows)}, ${got}`,
    "cur=r8 comp=0 | r8 c c0 d1 cr=r5 pr=r5 l=0 v='', nothing to delete");
  rows = await k.getSingle(P + 'a', false, true);
  check('Get a (GetSingleVal)', rowsOf(rows), "cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2'");
  rows = await k.getSingle(P + 'c', false, false);
  check('Get c (GetSingle): deleted', rowsOf(rows), '0 rows');
}

async function reads(k) {
  const c = k.c;
  let rows = await fetch(c, 'ListRevisionStartVal', ' LIMIT 1', P + 'a', real('r6'), false);
  check('Get a at revision r6 (ListRevisionStartVal LIMIT 1)', rowsOf(rows),
    "cur=r8 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff'");
  rows = await fetch(c, 'ListCurrentVal', ' LIMIT 2', P, END, false);
  check('List limit 1 (ListCurrentVal LIMIT 2)', rowsOf(rows),
    "cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' | r4 b c1 d0 cr=0 pr=0 l=30 v='b1'");
  let row = (await fetch(c, 'CountCurrent', '', P, END, false))[0];
  check('CountCurrent', `${sym(row[0])} ${i8(row[1])}`, 'r8 3');
  rows = await fetch(c, 'ListCurrent', ' LIMIT 501', P, END, false);
  check('List keys only (ListCurrent LIMIT 501)', rowsOf(rows),
    'cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 | r4 b c1 d0 cr=0 pr=0 l=30 | r6 d c1 d0 cr=0 pr=0 l=0');
  rows = await fetch(c, 'GetRevisionAfter', ' LIMIT 501', P, END, real('r6'), false);
  check('List at revision r6 (GetRevisionAfter LIMIT 501)', rowsOf(rows),
    'cur=r8 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 | r4 b c1 d0 cr=0 pr=0 l=30 | r5 c c1 d0 cr=0 pr=0 l=0' +
    ' | r6 d c1 d0 cr=0 pr=0 l=0');
  row = (await fetch(c, 'CountRevision', '', P, END, real('r6'), false))[0];
  check('CountRevision at r6', `${sym(row[0])} ${sym(row[1])} ${i8(row[2])}`, 'r8 0 4');

  rows = await fetch(c, 'AfterOldVal', '', P, END, real('r6'));
  check('Watch the prefix from r6 (AfterOldVal)', rowsOf(rows),
    "cur=r8 comp=0 | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' ov='a1\\x00\\xff'" +
    " | r8 c c0 d1 cr=r5 pr=r5 l=0 v='' ov=''");
  rows = await fetch(c, 'AfterSingleOldVal', '', P + 'a', 0);
  check('Watch a (AfterSingleOldVal)', rowsOf(rows),
    "cur=r8 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff' ov=NULL" +
    " | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' ov='a1\\x00\\xff'");
  rows = await k.poll(0);
  check('the poll from 0 (AfterAllOldVal LIMIT 500): ids ascending', rows.map((r) => sym(r[2])).join(' '),
    'r1 r2 r3 r4 r5 r6 r7 r8');
  check('the poll from 0: the first rows', rowsOf(rows.slice(0, 3)),
    "cur=r8 comp=0 | r1 compact_rev_key c1 d0 cr=0 pr=0 l=0 v='' ov=NULL" +
    " | r2 /registry/health c1 d0 cr=0 pr=0 l=0 v='{\"health\":\"true\"}' ov=NULL" +
    " | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff' ov=NULL");
}

async function gap(k) {
  const c = k.c;
  const [, t] = await k.create(P + 'tmp', Buffer.from('t'));
  const [, e] = await k.create(P + 'e', Buffer.from('e1'));
  check('Create tmp, Create e', `${t} ${e}`, 'r9 r10');
  check('DELETE FROM kine WHERE id = r9', tag(await q(c, 'Delete', SQL.Delete, [real('r9')])), 'DELETE 1');
  let rows = await k.poll(real('r8'));
  const first = rows.length ? rows[0][2] : null;
  check('the poll from r8: a gap where r9 was', `${rowsOf(rows)}, next expected r9, got ${sym(first)}`,
    "cur=r10 comp=0 | r10 e c1 d0 cr=0 pr=0 l=0 v='e1' ov=NULL, next expected r9, got r10");
  check("Fill r9 ('gap-r9', deleted=1, NULL values)", await k.fill(real('r9')), 'INSERT 1');
  rows = await k.poll(real('r8'));
  check('the poll from r8 again', rowsOf(rows),
    "cur=r10 comp=0 | r9 gap-r9 c0 d1 cr=0 pr=0 l=0 v=NULL ov=NULL | r10 e c1 d0 cr=0 pr=0 l=0 v='e1' ov=NULL");
  let got;
  try {
    got = 'no error: ' + (await k.fill(real('r10')));
  } catch (e2) {
    got = pgerr(e2);
  }
  check('Fill of an existing id (r10): 23505, constraint, table', got, '23505 kine_pkey kine');
}

async function compaction(k) {
  const c = k.c;
  const before = await k.poll(0);
  const tags = [tag(await c.query(SQL.Begin))];
  const cur = await fetchval(c, 'CurrentRev');
  const comp = await fetchval(c, 'CompactRev');
  tags.push(tag(await q(c, 'Compact', SQL.Compact, [Number(cur), Number(cur)])));
  tags.push(tag(await q(c, 'UpdateCompact', SQL.UpdateCompact, [Number(cur)])));
  tags.push(tag(await c.query(SQL.Commit)));
  check('compaction transaction (begin, CurrentRev, CompactRev, Compact, UpdateCompact, commit)',
    `current ${sym(cur)}, compact ${sym(comp)}, ${tags.join(', ')}`,
    'current r10, compact 0, BEGIN, DELETE 4, UPDATE 1, COMMIT');
  const after = await k.poll(0);
  const left = new Set(after.map((r) => r[2]));
  const gone = before.filter((r) => !left.has(r[2]));
  check('compaction removed the superseded rows, the tombstone and the gap record', rowsOf(gone),
    "cur=r10 comp=0 | r3 a c1 d0 cr=0 pr=0 l=0 v='a1\\x00\\xff' ov=NULL" +
    " | r5 c c1 d0 cr=0 pr=0 l=0 v='' ov=NULL | r8 c c0 d1 cr=r5 pr=r5 l=0 v='' ov=''" +
    ' | r9 gap-r9 c0 d1 cr=0 pr=0 l=0 v=NULL ov=NULL');
  check('what is left', rowsOf(after),
    "cur=r10 comp=r10 | r1 compact_rev_key c1 d0 cr=0 pr=r10 l=0 v='' ov=NULL" +
    " | r2 /registry/health c1 d0 cr=0 pr=0 l=0 v='{\"health\":\"true\"}' ov=NULL" +
    " | r4 b c1 d0 cr=0 pr=0 l=30 v='b1' ov=NULL | r6 d c1 d0 cr=0 pr=0 l=0 v='d1' ov=NULL" +
    " | r7 a c0 d0 cr=r3 pr=r3 l=0 v='a2' ov='a1\\x00\\xff' | r10 e c1 d0 cr=0 pr=0 l=0 v='e1' ov=NULL");
  check('CompactRev after it', sym(await fetchval(c, 'CompactRev')), 'r10');
  const rows = await fetch(c, 'ListCurrentVal', ' LIMIT 501', P, END, false);
  check('List after the compaction', rows.map((r) => `${nameOf(r[3])}=${val(r[9])}`).join(' '),
    "a='a2' b='b1' d='d1' e='e1'");
  // a Create on top of the compacted tombstone's key: prev_revision 0 again
  const [rows2, got] = await k.create(P + 'c', Buffer.from('c2'));
  check('Create c after the compaction', `${rowsOf(rows2)}, ${got}`, '0 rows, r11');
  const size = await fetchval(c, 'GetSize');
  check('GetSize (pg_total_relation_size)', isInt8(size) && Number(size) > 0 ? 'a positive int8' : bad(size),
    'a positive int8');
}

// A compaction batch with nothing to do (rollback), and one that fails: an
// error inside the serializable transaction, 25P02 for the next statement,
// rollback, and nothing of it is kept.
async function txerr(k) {
  const c = k.c;
  let tags = [tag(await c.query(SQL.Begin))];
  const cur = await fetchval(c, 'CurrentRev');
  const comp = await fetchval(c, 'CompactRev');
  tags.push(tag(await c.query(SQL.Rollback)));
  check('a compaction batch with nothing to do', `current ${sym(cur)}, compact ${sym(comp)}, ${tags.join(', ')}`,
    'current r11, compact r10, BEGIN, ROLLBACK');
  tags = [tag(await c.query(SQL.Begin))];
  const [, got] = await k.create(P + 'f', Buffer.from('f1'));
  let e1, e2;
  try {
    e1 = 'no error: ' + (await k.fill(real('r10')));
  } catch (e) {
    e1 = pgerr(e);
  }
  try {
    e2 = 'no error: ' + (await fetchval(c, 'CompactRev'));
  } catch (e) {
    e2 = e.code;
  }
  tags.push(tag(await c.query(SQL.Rollback)));
  check('a failed transaction: Create f, Fill r10, CompactRev, rollback', `${got}; ${e1}; ${e2}; ${tags.join(', ')}`,
    'r12; 23505 kine_pkey kine; 25P02; BEGIN, ROLLBACK');
  check('f is not there after the rollback', rowsOf(await k.getSingle(P + 'f', true, false)), '0 rows');
  check('CurrentRev after the rollback', sym(await fetchval(c, 'CurrentRev')), 'r11');
}

// A revision beyond int4, as a big cluster reaches: the Fill binds it and
// the poll and CurrentRev read it back as int8.
async function bigrev(k) {
  const big = 2 ** 33 + 1;
  check('Fill of revision 2^33+1', await k.fill(big), 'INSERT 1');
  const rows = await k.poll(big - 1);
  check('the poll from 2^33 (current_rev id name)', rows.map((r) => `${i8(r[0])} ${i8(r[2])} ${r[3]}`).join(' '),
    '8589934593 8589934593 gap-8589934593');
  check('CurrentRev', i8(await fetchval(k.c, 'CurrentRev')), '8589934593');
}

// a key with its non-ASCII characters as \uXXXX
function esc(n) {
  let s = '';
  for (const ch of n) {
    const u = ch.codePointAt(0);
    s += u >= 32 && u < 127 ? ch : '\\u' + u.toString(16).padStart(4, '0');
  }
  return s;
}

// kine's keys are text COLLATE "C": a list is in byte order, non-ASCII
// names after ASCII ones; a list continued from a start key ending in
// \x1a, kine's rewrite of the \x00 an apiserver continue token ends in.
async function collation(k) {
  const c = k.c;
  const p2 = '/registry/collate/', end2 = '/registry/collate0';
  for (const n of ['B', 'a', '\u00e9', 'Z', 'a b', '\u00e4', '\u65e5\u672c', '~', 'a_b']) {
    await k.create(p2 + n, Buffer.from(n, 'utf8'));
  }
  let rows = await fetch(c, 'ListCurrentVal', ' LIMIT 501', p2, end2, false);
  check('List of non-ASCII keys (C order)', rows.map((r) => `${esc(r[3].slice(p2.length))}=${val(r[9])}`).join(', '),
    "B='B', Z='Z', a='a', a b='a b', a_b='a_b', ~='~', \\u00e4='\\xc3\\xa4', \\u00e9='\\xc3\\xa9'," +
    " \\u65e5\\u672c='\\xe6\\x97\\xa5\\xe6\\x9c\\xac'");
  rows = await fetch(c, 'ListCurrent', ' LIMIT 3', p2 + 'a\x1a', end2, false);
  check('List continued after a (start key a\\x1a, LIMIT 3)', rows.map((r) => esc(r[3].slice(p2.length))).join(', '),
    'a b, a_b, ~');
  const row = (await fetch(c, 'CountCurrent', '', p2 + 'a\x1a', end2, false))[0];
  check('CountCurrent from that start key', i8(row[1]), '6');
}

// The result columns node-postgres saw (result.fields) for each statement
// the scenario ran.
async function describe() {
  const differ = [];
  for (const [label, cols] of Object.entries(COLUMNS)) {
    const got = FIELDS.has(SQL[label]) ? FIELDS.get(SQL[label]) : '(not run)';
    if (got !== cols) {
      differ.push(label);
      note(`${label}: (${got}), PostgreSQL 15: (${cols})`);
    }
  }
  check(`result columns of the ${Object.keys(COLUMNS).length} statements as PostgreSQL 15 describes them`,
    differ.length ? 'differ: ' + differ.join(' ') : 'all the same', 'all the same');
}

async function main() {
  const k = await bootstrap();
  try {
    for (const part of [writes, reads, gap, compaction, txerr, bigrev, collation, describe]) {
      try {
        await part(k);
      } catch (e) {
        ok(false, `${part.name} raised ${err(e)}`);
        await k.c.query('rollback').catch(() => {});
      }
    }
  } finally {
    await k.c.end();
  }
}

const timer = setTimeout(() => {
  ok(false, 'kine through node-postgres timed out');
  process.exit(1);
}, 60000);
main().then(() => {
  clearTimeout(timer);
  process.exit(failed ? 1 : 0);
}, (e) => {
  ok(false, 'kine through node-postgres raised ' + err(e));
  process.exit(1);
});
