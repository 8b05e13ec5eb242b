// node-postgres against pgpin's SQLite backend: parameters without types.
//
//   TZ=UTC NODE_PATH=DIR/node_modules node sqlite_node_pg_test.js CONNSTRING
//
// node-postgres sends a query with parameters as an unnamed Parse that
// gives no parameter types, every value in text (a Buffer in binary), so
// the server must infer each parameter's type from where it stands, and
// node-postgres then parses each result column by the OID in
// RowDescription (int4 -> number, int8 -> string, bool -> boolean,
// bytea -> Buffer, timestamp -> Date).  Checked: parameterized
// insert/select of int, text, bool, bytea, timestamp, bigint and NULL,
// unnamed and named queries, the announced OIDs, and a query without
// parameters (simple protocol).
//
// Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP
// by t/integration/test_sqlite.sh.  node-postgres (npm "pg", 8.x) is
// installed by the test script into a cache directory.
'use strict';

const pg = require('pg');

const CONN = process.argv[2];
let failed = false;

function ok(cond, desc) {
  process.stdout.write((cond ? 'ok ' : 'not ok ') + desc + '\n');
  if (!cond) failed = true;
  return cond;
}

function note(msg) {
  for (const l of String(msg).split('\n')) process.stdout.write('# ' + l + '\n');
}

// JSON with Buffers and Dates spelled out, for comparing rows.
function show(v) {
  return JSON.stringify(v, (k, x) => {
    if (x && x.type === 'Buffer' && Array.isArray(x.data)) return 'buf:' + Buffer.from(x.data).toString('hex');
    return x;
  });
}

function is(got, want, desc) {
  const g = show(got), w = show(want);
  if (!ok(g === w, desc)) {
    note('got:  ' + g);
    note('want: ' + w);
  }
}

const ROWS = [
  [42, 'hello, world', true, Buffer.from([0, 1, 0xfe, 0xff]), new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), '9007199254740993'],
  [-7, "ünïcödé 'quoted'", false, Buffer.alloc(0), new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 250)), '-1'],
  [null, null, null, null, null, null],
];

async function step(desc, fn) {
  try {
    await fn();
  } catch (e) {
    ok(false, `${desc} raised ${e.code || ''} ${e.message}`);
  }
}

async function main() {
  const c = new pg.Client({ connectionString: CONN });
  await c.connect();
  ok(true, `node ${process.version}, pg ${require('pg/package.json').version}`);

  await c.query('DROP TABLE IF EXISTS drv_node_types');
  await c.query('CREATE TABLE drv_node_types (id serial PRIMARY KEY, i int, s text, b boolean, bin bytea, ts timestamp, n bigint)');

  const ids = [];
  await step('INSERT with untyped parameters', async () => {
    for (const r of ROWS) {
      const res = await c.query('INSERT INTO drv_node_types (i, s, b, bin, ts, n) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', r);
      ids.push(res.rows[0].id);
    }
    is(ids, [1, 2, 3], 'INSERT ... RETURNING id with untyped parameters');
  });

  await step('SELECT by id', async () => {
    for (let k = 0; k < ROWS.length; k++) {
      const res = await c.query('SELECT i, s, b, bin, ts, n FROM drv_node_types WHERE id = $1', [ids[k]]);
      const r = res.rows[0] || {};
      is([r.i, r.s, r.b, r.bin, r.ts, r.n], ROWS[k], `row ${k + 1} read back with its JavaScript types`);
      if (k === 0) {
        is(res.fields.map((f) => [f.name, f.dataTypeID]),
          [['i', 23], ['s', 25], ['b', 16], ['bin', 17], ['ts', 1114], ['n', 20]],
          'RowDescription: names and type OIDs');
      }
    }
  });

  await step('WHERE with untyped parameters', async () => {
    let res = await c.query('SELECT id FROM drv_node_types WHERE b = $1 ORDER BY id', [false]);
    is(res.rows, [{ id: 2 }], 'WHERE b = $1 with text "false"');
    res = await c.query('SELECT id FROM drv_node_types WHERE bin = $1', [Buffer.from([0, 1, 0xfe, 0xff])]);
    is(res.rows, [{ id: 1 }], 'WHERE bin = $1 with a Buffer');
    res = await c.query('SELECT id FROM drv_node_types WHERE ts < $1 ORDER BY id', [new Date(Date.UTC(2000, 0, 1))]);
    is(res.rows, [{ id: 2 }], 'WHERE ts < $1 with a Date');
    res = await c.query('SELECT id FROM drv_node_types WHERE i > $1 AND s LIKE $2', ['0', 'hello%']);
    is(res.rows, [{ id: 1 }], 'WHERE i > $1 AND s LIKE $2');
    res = await c.query('SELECT $1::int + 1 AS v, $2::text AS t, count(*) AS c FROM drv_node_types', [41, 'x']);
    is(res.rows, [{ v: 42, t: 'x', c: '3' }], 'casts and count(*) (int8: a string)');
  });

  await step('named query', async () => {
    const q = { name: 'sel_i', text: 'SELECT s FROM drv_node_types WHERE i = $1', values: [42] };
    let res = await c.query(q);
    is(res.rows, [{ s: 'hello, world' }], 'named query, first use');
    res = await c.query({ ...q, values: [-7] });
    is(res.rows, [{ s: "ünïcödé 'quoted'" }], 'named query, second use (Bind only)');
  });

  await step('UPDATE with parameters', async () => {
    const res = await c.query('UPDATE drv_node_types SET b = $1 WHERE id <> $2', [true, 3]);
    is([res.command, res.rowCount], ['UPDATE', 2], 'UPDATE tag and row count');
  });

  await step('simple query', async () => {
    const res = await c.query('SELECT id, b FROM drv_node_types ORDER BY id');
    is(res.rows, [{ id: 1, b: true }, { id: 2, b: true }, { id: 3, b: null }], 'query without parameters');
  });

  await step('error', async () => {
    try {
      await c.query('INSERT INTO drv_node_types (id) VALUES ($1)', [1]);
      ok(false, 'duplicate key fails');
    } catch (e) {
      is([e.code, e.constraint], ['23505', 'drv_node_types_pkey'], 'duplicate key: 23505 naming drv_node_types_pkey');
    }
    const res = await c.query('SELECT 1 AS one');
    is(res.rows, [{ one: 1 }], 'the client goes on after the error');
  });

  await c.end();
}

const timer = setTimeout(() => { ok(false, 'node-postgres test timed out'); process.exit(1); }, 60000);
main().then(() => {
  clearTimeout(timer);
  process.exit(failed ? 1 : 0);
}, (e) => {
  ok(false, `node-postgres test raised ${e.code || ''} ${e.message}`);
  process.exit(1);
});
