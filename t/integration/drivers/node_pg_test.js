// node-postgres through pgpin in transaction mode: named queries.
//
//   NODE_PATH=DIR/node_modules node node_pg_test.js CONNSTRING
//
// Six clients.  Each uses the query name "q1" for a text of its own (so the
// same name stands for different texts on different clients, with different
// row shapes) and "shared" for one common text; node-postgres parses a named
// query once per client, then sends only Bind/Describe/Execute/Sync.  Also
// named statements inside BEGIN/COMMIT and BEGIN/ROLLBACK, unnamed
// parameterised queries, and an error in a named query (the client goes on).
//
// Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP
// by t/integration/test_drivers.sh.  node-postgres (npm "pg", 8.x) is
// installed by the test script into a cache directory.
'use strict';

const pg = require('pg');

const CONN = process.argv[2];
const NCLIENT = 6;
const ITERS = 40;
let failed = false;

function ok(cond, desc) {
  process.stdout.write((cond ? 'ok ' : 'not ok ') + desc + '\n');
  if (!cond) failed = true;
  return cond;
}

function note(msg) {
  for (const l of String(msg).split('\n')) process.stdout.write('# ' + l + '\n');
}

class Errors {
  constructor() { this.n = 0; this.list = []; }
  add(msg) { this.n++; if (this.list.length < 10) this.list.push(msg); }
  report(desc) {
    ok(this.n === 0, `${desc}: no errors (${this.n})`);
    for (const m of this.list) note('  ' + m);
  }
}

// Client i's text for "q1": even clients return (int, text), odd ones
// (text, text, int).
function q1(i, x) {
  if (i % 2 === 0)
    return { name: 'q1', text: `SELECT $1::int + ${i} AS v, 'client${i}' AS who`, values: [x] };
  return { name: 'q1', text: `SELECT ($1::int + ${i})::text AS v, 'client${i}'::text AS who, ${i} AS extra`, values: [x] };
}

function q1want(i, x) {
  if (i % 2 === 0) return { v: x + i, who: `client${i}` };
  return { v: String(x + i), who: `client${i}`, extra: i };
}

async function work(i, c, errs) {
  let kept = 0;
  for (let k = 0; k < ITERS; k++) {
    const x = i * 10000 + k;
    try {
      let r = await c.query(q1(i, x));
      if (JSON.stringify(r.rows) !== JSON.stringify([q1want(i, x)]))
        errs.add(`client${i} k${k} q1: ${JSON.stringify(r.rows)}`);
      r = await c.query({ name: 'shared', text: 'SELECT $1::int * 10 AS v, $2::text AS tag', values: [x, `c${i}`] });
      if (r.rows.length !== 1 || r.rows[0].v !== x * 10 || r.rows[0].tag !== `c${i}`)
        errs.add(`client${i} k${k} shared: ${JSON.stringify(r.rows)}`);
      r = await c.query('SELECT $1::text || $2::text AS s', ['u', String(x)]);
      if (r.rows[0].s !== 'u' + x)
        errs.add(`client${i} k${k} unnamed: ${JSON.stringify(r.rows)}`);

      // named statements in a transaction; every fourth rolled back
      const rollback = k % 4 === 3;
      await c.query('BEGIN');
      r = await c.query({ name: 'ins', text: 'INSERT INTO drv_node (client, seq) VALUES ($1, $2) RETURNING id', values: [i, k] });
      const id = r.rows[0].id;
      r = await c.query({ name: 'cnt', text: 'SELECT count(*)::int AS n FROM drv_node WHERE client = $1', values: [i] });
      if (r.rows[0].n !== kept + 1)
        errs.add(`client${i} k${k}: count ${r.rows[0].n}, want ${kept + 1}`);
      r = await c.query(q1(i, id));
      if (JSON.stringify(r.rows) !== JSON.stringify([q1want(i, id)]))
        errs.add(`client${i} k${k} q1 in transaction: ${JSON.stringify(r.rows)}`);
      await c.query(rollback ? 'ROLLBACK' : 'COMMIT');
      if (!rollback) kept++;

      if (k % 10 === 5) {
        try {
          await c.query({ name: 'div', text: 'SELECT 10 / $1::int AS q', values: [0] });
          errs.add(`client${i} k${k}: division by zero did not fail`);
        } catch (e) {
          if (e.code !== '22012') errs.add(`client${i} k${k}: division by zero gave ${e.code} ${e.message}`);
        }
        r = await c.query({ name: 'div', text: 'SELECT 10 / $1::int AS q', values: [5] });
        if (r.rows[0].q !== 2) errs.add(`client${i} k${k}: div after the error ${JSON.stringify(r.rows)}`);
      }
    } catch (e) {
      errs.add(`client${i} k${k}: ${e.code} ${e.message}`);
      try { await c.query('ROLLBACK'); } catch (e2) { /* the connection may be gone */ }
    }
  }
  const r = await c.query({ name: 'cnt', text: 'SELECT count(*)::int AS n FROM drv_node WHERE client = $1', values: [i] });
  if (r.rows[0].n !== kept) errs.add(`client${i}: ${r.rows[0].n} rows at the end, want ${kept}`);
}

async function main() {
  const clients = [];
  for (let i = 0; i < NCLIENT; i++) {
    const c = new pg.Client({ connectionString: CONN });
    await c.connect();
    clients.push(c);
  }
  ok(true, `node ${process.version}, pg ${require('pg/package.json').version}: ${NCLIENT} clients`);
  await clients[0].query('DROP TABLE IF EXISTS drv_node');
  await clients[0].query('CREATE TABLE drv_node (id serial PRIMARY KEY, client int NOT NULL, seq int NOT NULL)');

  const errs = new Errors();
  await Promise.all(clients.map((c, i) => work(i, c, errs).catch((e) => errs.add(`client${i}: ${e.message}`))));
  errs.report(`${NCLIENT} clients x ${ITERS} rounds: "q1" (a different text per client), "shared", transactions`);

  const r = await clients[0].query('SELECT client, count(*)::int AS n FROM drv_node GROUP BY client ORDER BY client');
  const want = [];
  for (let i = 0; i < NCLIENT; i++) want.push({ client: i, n: ITERS - ITERS / 4 });
  ok(JSON.stringify(r.rows) === JSON.stringify(want), `committed rows per client ${JSON.stringify(r.rows.map((x) => x.n))}`);
  for (const c of clients) await c.end();
}

const timer = setTimeout(() => { ok(false, 'node-postgres test timed out'); process.exit(1); }, 120000);
main().then(() => {
  clearTimeout(timer);
  process.exit(failed ? 1 : 0);
}, (e) => {
  ok(false, `node-postgres test raised ${e.code || ''} ${e.message}`);
  process.exit(1);
});
