// kine's PostgreSQL traffic, reproduced: the statements of kine v0.16.4
// (generation C) sent the way pgx v5 sends them (wire.go), for
// t/integration/test_kine.sh.
//
//	kinewire errors DIRECT_DSN PROXY_DSN
//	    kine's bootstrap, then its error paths, once directly against
//	    PostgreSQL and once through the proxy, on two fresh databases:
//	    42P01 from a failed Parse followed by pgx's Close of the statement
//	    that was never created; 23505 with constraint
//	    kine_name_prev_revision_uindex (create of an existing key) and
//	    kine_pkey (a Fill on a taken id), each followed by the Close of the
//	    invalidated statement and its re-Parse; a 23505 inside a
//	    serializable transaction, rollback, then the Close.  Every reply
//	    (SQLSTATE, message, detail, schema, table, constraint, row values,
//	    command tags, CloseComplete counts) must be the same both ways.
//
//	kinewire workload DSN
//	    bootstrap, then 4 workers (create/update/delete/get/list/count on
//	    keys of their own, updates racing on shared keys), a watch poller
//	    (AfterAllOldVal LIMIT 500, gap Fill) and a compactor (serializable
//	    transactions), each on its own connection: 6 clients.  No error
//	    other than kine's normal ones (23505 on the racing writes, 40001 in
//	    compaction), and the results add up.
//
//	kinewire control DSN
//	    the same workload, expecting prepared-statement errors (26000,
//	    42P05): the control case of a proxy that is not told its backend
//	    is a transaction pooler.
//
//	kinewire lite-errors | lite-workload | race | acked | stdlib ...
//	    the SQLite backend's tests (sqlite.go, stdlib.go).
//
// Output: "ok DESC", "not ok DESC" and "# NOTE" lines.
package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgconn"
)

// ok, note and failed: tap.go (t/integration/gotap).

func pgErr(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

func sqlstate(err error) string {
	if pe := pgErr(err); pe != nil {
		return pe.Code
	}
	return ""
}

// the fields kine (and a careful client) looks at
func describeErr(err error) string {
	pe := pgErr(err)
	if pe == nil {
		return fmt.Sprintf("non-PostgreSQL error: %v", err)
	}
	return fmt.Sprintf("S=%s C=%s M=%q D=%q s=%q t=%q c=%q n=%q", pe.Severity, pe.Code, pe.Message,
		pe.Detail, pe.SchemaName, pe.TableName, pe.ColumnName, pe.ConstraintName)
}

func isPreparedStmtErr(err error) bool {
	pe := pgErr(err)
	return pe != nil && (pe.Code == "26000" || pe.Code == "42P05" ||
		strings.Contains(pe.Message, "prepared statement"))
}

func withDB(dsn, db string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + db
	return u.String()
}

func dbOf(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// ------------------------------------------------------------ kine's calls

type kv struct {
	id, createRev, prevRev, lease int64
	name                          string
	created, deleted              int64
	value, oldValue               []byte
}

func i64(v interface{}) int64 {
	n, _ := v.(int64)
	return n
}

func toKV(row []interface{}) kv {
	k := kv{id: i64(row[2]), created: i64(row[4]), deleted: i64(row[5]),
		createRev: i64(row[6]), prevRev: i64(row[7]), lease: i64(row[8])}
	k.name, _ = row[3].(string)
	if len(row) > 9 {
		k.value, _ = row[9].([]byte)
	}
	if len(row) > 10 {
		k.oldValue, _ = row[10].([]byte)
	}
	return k
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// prefixEnd is the range end of a prefix, as etcd clients compute it.
func prefixEnd(p string) string {
	b := []byte(p)
	b[len(b)-1]++
	return string(b)
}

type kine struct {
	c *kconn
}

// getSingle: GetSingle[Val](key, includeDeleted); nil when absent.
func (k *kine) getSingle(ctx context.Context, key string, includeDeleted, val bool) (*kv, int64, error) {
	sql := sqlGetSingle
	if val {
		sql = sqlGetSingleVal
	}
	rs, err := k.c.query(ctx, sql, key, includeDeleted)
	if err != nil {
		return nil, 0, err
	}
	if len(rs.rows) == 0 {
		// an empty result: kine then asks for the revisions
		cur, err := k.scalar(ctx, sqlCurrentRev)
		return nil, cur, err
	}
	x := toKV(rs.rows[0])
	return &x, i64(rs.rows[0][0]), nil
}

func (k *kine) scalar(ctx context.Context, sql string, args ...interface{}) (int64, error) {
	rs, err := k.c.query(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	if len(rs.rows) != 1 || len(rs.rows[0]) < 1 {
		return 0, fmt.Errorf("%s: %d rows", sql, len(rs.rows))
	}
	return i64(rs.rows[0][0]), nil
}

// insert: kine's Insert through QueryRow, with InsertRetry on kine_pkey.
func (k *kine) insert(ctx context.Context, key string, create, del bool, createRev, prevRev, lease int64,
	value []byte) (int64, error) {
	var err error
	for i := 0; i < 20; i++ {
		var rs *rowset
		rs, err = k.c.query(ctx, sqlInsert, key, b2i(create), b2i(del), createRev, prevRev, lease, value, prevRev)
		if err == nil {
			if len(rs.rows) != 1 {
				return 0, fmt.Errorf("insert: %d rows", len(rs.rows))
			}
			return i64(rs.rows[0][0]), nil
		}
		if pe := pgErr(err); pe == nil || pe.Code != "23505" || pe.ConstraintName != "kine_pkey" {
			return 0, err
		}
		time.Sleep(time.Duration(i+1) * time.Millisecond)
	}
	return 0, err
}

func (k *kine) fill(ctx context.Context, rev int64) error {
	_, err := k.c.exec(ctx, sqlFill, rev, fmt.Sprintf("gap-%d", rev), int64(0), int64(1), int64(0), int64(0),
		int64(0), []byte(nil), []byte(nil))
	return err
}

// bootstrap: what kine sends from start to its first Watch (kine.md §2).
// Returns observations for the direct/proxy comparison.
func bootstrap(ctx context.Context, dsn string) ([]string, *kine, error) {
	var obs []string
	db := dbOf(dsn)
	// createDBIfNotExist: connect to "postgres", close; connect again and
	// look the database up.
	c, err := kconnect(ctx, withDB(dsn, "postgres"))
	if err != nil {
		return obs, nil, fmt.Errorf("connect to database postgres: %w", err)
	}
	c.close()
	c, err = kconnect(ctx, withDB(dsn, "postgres"))
	if err != nil {
		return obs, nil, fmt.Errorf("connect to database postgres: %w", err)
	}
	rs, err := c.query(ctx, sqlDBExists, db)
	if err != nil {
		c.close()
		return obs, nil, fmt.Errorf("pg_database lookup: %w", err)
	}
	obs = append(obs, fmt.Sprintf("pg_database lookup: params %v, %d row(s) %v, tag %s",
		c.cache[sqlDBExists].paramOIDs, len(rs.rows), rs.rows, rs.tag))
	c.close()

	c, err = kconnect(ctx, dsn)
	if err != nil {
		return obs, nil, err
	}
	k := &kine{c: c}
	for i := 0; i < 4; i++ {
		r, err := c.simple(ctx, sqlPing)
		if err != nil {
			return obs, k, fmt.Errorf("-- ping: %w", err)
		}
		if i == 0 {
			obs = append(obs, fmt.Sprintf("-- ping: replies %s", seenString(r.seen)))
		}
	}
	rs, err = c.query(ctx, sqlVersion)
	if err != nil {
		return obs, k, fmt.Errorf("select version(): %w", err)
	}
	v, _ := rs.rows[0][0].(string)
	obs = append(obs, fmt.Sprintf("select version(): columns %v, PostgreSQL %v", rs.cols, strings.HasPrefix(v, "PostgreSQL 15")))
	for _, ddl := range schemaDDL {
		r, err := c.simple(ctx, ddl)
		if err != nil {
			return obs, k, fmt.Errorf("%q: %w", ddl, err)
		}
		obs = append(obs, fmt.Sprintf("schema: %v", r.tags))
	}
	// Migrate: the failed Parse, then the Close of a statement that was
	// never created, sent before the next Parse.
	_, err = c.query(ctx, sqlMigrateCountKV)
	obs = append(obs, "SELECT COUNT(*) FROM key_value: "+describeErr(err))
	closes := c.closeCompletes
	n, err := k.scalar(ctx, sqlMigrateCountKine)
	if err != nil {
		return obs, k, fmt.Errorf("SELECT COUNT(*) FROM kine: %w", err)
	}
	obs = append(obs, fmt.Sprintf("after the failed Parse: %d CloseComplete for the Close of %s; COUNT(*) FROM kine = %d",
		c.closeCompletes-closes, stmtName(sqlMigrateCountKV), n))

	// compactStart
	rs, err = c.query(ctx, sqlAfterSingleOldVal, "compact_rev_key", int64(0))
	if err != nil {
		return obs, k, fmt.Errorf("compactStart: %w", err)
	}
	if len(rs.rows) == 0 {
		if _, err := k.insert(ctx, "compact_rev_key", false, false, 0, 0, 0, nil); err != nil {
			return obs, k, fmt.Errorf("insert compact_rev_key: %w", err)
		}
	}
	// /registry/health
	if _, err := create(ctx, k, "/registry/health", []byte(`{"health":"true"}`)); err != nil &&
		!errors.Is(err, errKeyExists) {
		return obs, k, fmt.Errorf("create /registry/health: %w", err)
	}
	return obs, k, nil
}

var errKeyExists = errors.New("key exists")

// seenString: the message types of a reply, e.g. "I Z".
func seenString(seen map[byte]int) string {
	var types []string
	for t, n := range seen {
		types = append(types, strings.Repeat(string(rune(t))+" ", n))
	}
	sort.Strings(types)
	return strings.TrimSpace(strings.Join(types, ""))
}

// create is logstructured.Create: GetSingle(includeDeleted), then Insert;
// any 23505 is ErrKeyExists.
func create(ctx context.Context, k *kine, key string, value []byte) (int64, error) {
	prev, cur, err := k.getSingle(ctx, key, true, false)
	if err != nil {
		return 0, err
	}
	prevRev := cur
	if prev != nil {
		if prev.deleted == 0 {
			return 0, errKeyExists
		}
		prevRev = prev.id
	}
	id, err := k.insert(ctx, key, true, false, 0, prevRev, 0, value)
	if sqlstate(err) == "23505" {
		return 0, fmt.Errorf("%w (%s)", errKeyExists, describeErr(err))
	}
	return id, err
}

// update is logstructured.Update with an expected revision (0: any).
func update(ctx context.Context, k *kine, key string, rev int64, value []byte) (int64, bool, error) {
	cur, _, err := k.getSingle(ctx, key, false, true)
	if err != nil {
		return 0, false, err
	}
	if cur == nil || (rev != 0 && cur.id != rev) {
		return 0, false, nil
	}
	id, err := k.insert(ctx, key, false, false, cur.createRev, cur.id, cur.lease, value)
	if err != nil {
		// kine reads the key again and reports the conflict
		if _, _, err2 := k.getSingle(ctx, key, false, true); err2 != nil {
			return 0, false, err2
		}
		if sqlstate(err) == "23505" {
			return 0, false, nil
		}
		return 0, false, err
	}
	return id, true, nil
}

// del is logstructured.Delete.
func del(ctx context.Context, k *kine, key string) (int64, error) {
	cur, _, err := k.getSingle(ctx, key, true, true)
	if err != nil || cur == nil || cur.deleted != 0 {
		return 0, err
	}
	return k.insert(ctx, key, false, true, cur.createRev, cur.id, cur.lease, cur.value)
}

// ------------------------------------------------------------ errors mode

func errorScenario(ctx context.Context, dsn string) ([]string, error) {
	obs, k, err := bootstrap(ctx, dsn)
	if k != nil {
		defer k.c.close()
	}
	if err != nil {
		return obs, err
	}
	c := k.c
	step := func(format string, args ...interface{}) {
		obs = append(obs, fmt.Sprintf(format, args...))
	}
	closes := func() int { return c.closeCompletes }

	// 23505 on kine_name_prev_revision_uindex: a second create of a key
	// that raced with the first (same prev_revision).
	id1, err := k.insert(ctx, "/registry/pods/default/p1", true, false, 0, 0, 0, []byte("v1"))
	step("insert p1: err %v", err)
	_, err = k.insert(ctx, "/registry/pods/default/p1", true, false, 0, 0, 0, []byte("v1-again"))
	step("insert p1 again: %s", describeErr(err))
	n0, p0 := closes(), c.parses
	got, _, err := k.getSingle(ctx, "/registry/pods/default/p1", false, true)
	step("next query: err %v, %d CloseComplete, value %q, id matches %v", err, closes()-n0,
		valueOf(got), got != nil && got.id == id1)
	id2, ok2, err := update(ctx, k, "/registry/pods/default/p1", id1, []byte("v2"))
	step("update p1 (Insert parsed again: %v): ok %v err %v, new id > old %v", c.parses > p0, ok2, err, id2 > id1)
	// a racing update that lost: same prev_revision again
	_, err = k.insert(ctx, "/registry/pods/default/p1", false, false, id1, id1, 0, []byte("v2-lost"))
	step("update p1 from a stale revision: %s", describeErr(err))

	// 23505 on kine_pkey: a Fill of a revision that exists
	err = k.fill(ctx, id2)
	step("fill of an existing revision: %s", describeErr(err))
	n0 = closes()
	cur, err := k.scalar(ctx, sqlCurrentRev)
	step("next query: err %v, %d CloseComplete, current_rev == %d: %v", err, closes()-n0, id2, cur == id2)
	err = k.fill(ctx, cur+5)
	step("fill of a gap after the error (Fill parsed again): err %v", err)
	cur, _ = k.scalar(ctx, sqlCurrentRev)
	step("current_rev after the fill moved by 5: %v", cur == id2+5)

	// an error inside a serializable transaction: no Close while the
	// transaction has failed; rollback, then the Close
	_, err = c.simple(ctx, sqlBegin)
	step("begin: err %v", err)
	_, err = k.insert(ctx, "/registry/pods/default/p1", false, false, id1, id1, 0, []byte("in-tx"))
	step("insert in transaction: %s; transaction status %c", describeErr(err), c.txStatus())
	n0 = closes()
	r, err := c.simple(ctx, sqlRollback)
	step("rollback: err %v tags %v; %d CloseComplete before it", err, r.tags, closes()-n0)
	n0 = closes()
	got, _, err = k.getSingle(ctx, "/registry/pods/default/p1", false, true)
	step("after rollback: err %v, %d CloseComplete, value %q", err, closes()-n0, valueOf(got))

	// create of an existing key, kine's way: no INSERT, ErrKeyExists
	_, err = create(ctx, k, "/registry/pods/default/p1", []byte("x"))
	step("create of a live key: %v", err)
	// delete, then create again on top of the tombstone
	did, err := del(ctx, k, "/registry/pods/default/p1")
	step("delete p1: err %v, id > %d %v", err, id2, did > id2)
	cid, err := create(ctx, k, "/registry/pods/default/p1", []byte("v3"))
	step("create p1 after delete: err %v, id > delete %v", err, cid > did)

	// a compaction batch in a serializable transaction
	_, err = c.simple(ctx, sqlBegin)
	step("compaction: begin err %v", err)
	cur, err1 := k.scalar(ctx, sqlCurrentRev)
	comp, err2 := k.scalar(ctx, sqlCompactRev)
	target := cur - 1
	rs1, err3 := c.exec(ctx, sqlCompact, target, target)
	rs2, err4 := c.exec(ctx, sqlUpdateCompact, target)
	r, err5 := c.simple(ctx, sqlCommit)
	step("compaction: compact_rev %d, errors %v %v %v %v %v, tags %s %s %v", comp, err1, err2, err3, err4, err5,
		tagOf(rs1), tagOf(rs2), r.tags)
	rs, err := c.query(ctx, sqlListCurrentVal+" LIMIT 501", "/registry/", prefixEnd("/registry/"), false)
	if err == nil {
		var names []string
		for _, row := range rs.rows {
			x := toKV(row)
			names = append(names, fmt.Sprintf("%s=%s", x.name, x.value))
		}
		step("list /registry/ after compaction: %v", names)
	} else {
		step("list /registry/ after compaction: %v", err)
	}
	size, err := k.scalar(ctx, sqlGetSize)
	step("GetSize: err %v, positive %v", err, size > 0)
	checked, badOIDs := 0, 0
	for sql, sd := range c.cache {
		if want, found := wantParamOIDs[sql]; found {
			checked++
			if fmt.Sprint(want) != fmt.Sprint(sd.paramOIDs) {
				badOIDs++
				step("parameter OIDs of %s: %v, want %v", sd.name, sd.paramOIDs, want)
			}
		}
	}
	step("parameter OIDs of %d cached statements as measured on PostgreSQL 15: %d mismatches", checked, badOIDs)
	step("Close messages sent %d, CloseComplete received %d", c.closesSent, c.closeCompletes)
	return obs, nil
}

func valueOf(x *kv) string {
	if x == nil {
		return "<none>"
	}
	return string(x.value)
}

func tagOf(rs *rowset) string {
	if rs == nil {
		return "<none>"
	}
	return rs.tag
}

func modeErrors(ctx context.Context, direct, proxy string) {
	d, errD := errorScenario(ctx, direct)
	p, errP := errorScenario(ctx, proxy)
	ok(errD == nil, "errors: the scenario runs directly against PostgreSQL (err %v)", errD)
	ok(errP == nil, "errors: the scenario runs through the proxy (err %v)", errP)
	for i := 0; i < len(d) || i < len(p); i++ {
		var a, b string
		if i < len(d) {
			a = d[i]
		}
		if i < len(p) {
			b = p[i]
		}
		if !ok(a == b, "errors: same as PostgreSQL: %s", b) {
			note("direct: %s", a)
			note("proxy:  %s", b)
		}
	}
	// the facts kine depends on, spelled out
	want := []string{
		`C=42P01 M="relation \"key_value\" does not exist"`,
		`after the failed Parse: 1 CloseComplete`,
		`insert p1 again: S=ERROR C=23505 M="duplicate key value violates unique constraint \"kine_name_prev_revision_uindex\""`,
		`n="kine_name_prev_revision_uindex"`,
		`t="kine"`,
		`fill of an existing revision: S=ERROR C=23505 M="duplicate key value violates unique constraint \"kine_pkey\""`,
		`n="kine_pkey"`,
		`transaction status E`,
	}
	all := strings.Join(p, "\n")
	for _, w := range want {
		ok(strings.Contains(all, w), "errors: through the proxy: %s", w)
	}
	for _, l := range p {
		if strings.HasPrefix(l, "next query:") || strings.HasPrefix(l, "after rollback:") {
			ok(strings.Contains(l, "err <nil>, 1 CloseComplete"),
				"errors: the invalidated statement is closed before the next query (%s)", l)
		}
	}
}

// ------------------------------------------------------------ workload

type stats struct {
	mu         sync.Mutex
	unexpected int
	samples    []string
	conflicts  int // 23505 kine_name_prev_revision_uindex on racing writes
	pkeys      int // 23505 kine_pkey (InsertRetry, Fill)
	serial     int // 40001 in compaction
	prepared   int // 26000 / 42P05 / "prepared statement"
	ops        int
	closes     int
	closeOK    int
	compacts   int
	fills      int
}

func (s *stats) err(where string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if isPreparedStmtErr(err) {
		s.prepared++
	}
	s.unexpected++
	if len(s.samples) < 12 {
		s.samples = append(s.samples, fmt.Sprintf("%s: %s", where, describeErr(err)))
	}
}

func (s *stats) add(f func(s *stats)) {
	s.mu.Lock()
	f(s)
	s.mu.Unlock()
}

type ownKey struct {
	rev     int64
	value   string
	deleted bool
}

const nWorkers = 4
const nIters = 120
const nShared = 2

// sharedWrites[key] = ids of successful writes to a shared key
type sharedLog struct {
	mu  sync.Mutex
	ids map[string][]int64
}

func worker(ctx context.Context, dsn string, w int, st *stats, sh *sharedLog, control bool) {
	c, err := kconnect(ctx, dsn)
	if err != nil {
		st.err(fmt.Sprintf("w%d connect", w), err)
		return
	}
	defer c.close()
	k := &kine{c: c}
	rnd := rand.New(rand.NewSource(int64(w)))
	prefix := fmt.Sprintf("/registry/pods/ns%d/", w)
	own := map[string]*ownKey{}
	fail := func(where string, err error) {
		st.err(fmt.Sprintf("w%d %s", w, where), err)
		// kine's database/sql would roll back an open transaction
		if c.txStatus() == 'E' || c.txStatus() == 'T' {
			c.simple(ctx, sqlRollback)
		}
	}
	for i := 0; i < nIters && ctx.Err() == nil; i++ {
		st.add(func(s *stats) { s.ops++ })
		key := fmt.Sprintf("%spod%d", prefix, rnd.Intn(6))
		val := fmt.Sprintf("w%d-i%d", w, i)
		o := own[key]
		switch {
		case o == nil || o.deleted:
			id, err := create(ctx, k, key, []byte(val))
			if err != nil {
				fail("create "+key, err)
				break
			}
			own[key] = &ownKey{rev: id, value: val}
		case i%7 == 3:
			id, err := del(ctx, k, key)
			if err != nil {
				fail("delete "+key, err)
				break
			}
			if id == 0 && !control {
				st.err(fmt.Sprintf("w%d delete %s", w, key), fmt.Errorf("the key was not there"))
			}
			o.rev, o.deleted = id, true
		default:
			id, done, err := update(ctx, k, key, o.rev, []byte(val))
			if err != nil {
				fail("update "+key, err)
				break
			}
			if !done {
				if !control {
					st.err(fmt.Sprintf("w%d update %s", w, key), fmt.Errorf("conflict on a key only this worker writes"))
				}
				break
			}
			o.rev, o.value = id, val
		}
		// read back what this worker wrote
		if o := own[key]; o != nil && !control {
			got, _, err := k.getSingle(ctx, key, true, true)
			if err != nil {
				fail("get "+key, err)
			} else if got == nil || got.id != o.rev || (!o.deleted && string(got.value) != o.value) ||
				(got.deleted != 0) != o.deleted {
				st.err(fmt.Sprintf("w%d get %s", w, key), fmt.Errorf("got %+v, want %+v", got, *o))
			}
		}

		// racing updates on shared keys: 23505 is kine's conflict
		skey := fmt.Sprintf("/registry/leases/kube-system/shared%d", rnd.Intn(nShared))
		cur, _, err := k.getSingle(ctx, skey, false, true)
		if err != nil {
			fail("get "+skey, err)
		} else if cur == nil {
			id, err := create(ctx, k, skey, []byte(val))
			if errors.Is(err, errKeyExists) {
				st.add(func(s *stats) { s.conflicts++ })
			} else if err != nil {
				fail("create "+skey, err)
			} else {
				sh.mu.Lock()
				sh.ids[skey] = append(sh.ids[skey], id)
				sh.mu.Unlock()
			}
		} else {
			time.Sleep(time.Duration(rnd.Intn(2)) * time.Millisecond)
			id, err := k.insert(ctx, skey, false, false, cur.createRev, cur.id, cur.lease, []byte(val))
			if sqlstate(err) == "23505" && pgErr(err).ConstraintName == "kine_name_prev_revision_uindex" {
				st.add(func(s *stats) { s.conflicts++ })
				// kine reads again after a failed update
				if _, _, err := k.getSingle(ctx, skey, false, true); err != nil {
					fail("get after conflict "+skey, err)
				}
			} else if err != nil {
				fail("update "+skey, err)
			} else {
				sh.mu.Lock()
				sh.ids[skey] = append(sh.ids[skey], id)
				sh.mu.Unlock()
			}
		}

		// lists and counts of this worker's prefix, now and at a revision
		if i%3 == 0 {
			listCheck(ctx, k, w, prefix, own, st, control, fail)
		}
		if i%10 == 9 {
			if _, err := c.simple(ctx, sqlPing); err != nil {
				fail("ping", err)
			}
			if _, err := k.scalar(ctx, sqlGetSize); err != nil {
				fail("GetSize", err)
			}
			if _, err := k.scalar(ctx, sqlCompactRev); err != nil {
				fail("CompactRev", err)
			}
		}
	}
	st.add(func(s *stats) { s.closes += c.closesSent; s.closeOK += c.closeCompletes })
}

func listCheck(ctx context.Context, k *kine, w int, prefix string, own map[string]*ownKey, st *stats,
	control bool, fail func(string, error)) {
	end := prefixEnd(prefix)
	var want []string
	var maxRev int64
	for name, o := range own {
		if o.rev > maxRev {
			maxRev = o.rev
		}
		if !o.deleted {
			want = append(want, fmt.Sprintf("%s@%d=%s", name, o.rev, o.value))
		}
	}
	sort.Strings(want)
	rows := func(rs *rowset) []string {
		var got []string
		for _, r := range rs.rows {
			x := toKV(r)
			got = append(got, fmt.Sprintf("%s@%d=%s", x.name, x.id, x.value))
		}
		return got
	}
	rs, err := k.c.query(ctx, sqlListCurrentVal+" LIMIT 501", prefix, end, false)
	if err != nil {
		fail("ListCurrentVal", err)
		return
	}
	if got := rows(rs); !control && strings.Join(got, " ") != strings.Join(want, " ") {
		st.err(fmt.Sprintf("w%d ListCurrentVal", w), fmt.Errorf("got %v, want %v", got, want))
	}
	rs, err = k.c.query(ctx, sqlCountCurrent, prefix, end, false)
	if err != nil {
		fail("CountCurrent", err)
		return
	}
	if n := i64(rs.rows[0][1]); !control && n != int64(len(want)) {
		st.err(fmt.Sprintf("w%d CountCurrent", w), fmt.Errorf("count %d, want %d", n, len(want)))
	}
	if maxRev == 0 {
		return
	}
	rs, err = k.c.query(ctx, sqlGetRevisionAfterVal+" LIMIT 501", prefix, end, maxRev, false)
	if err != nil {
		fail("GetRevisionAfterVal", err)
		return
	}
	if got := rows(rs); !control && strings.Join(got, " ") != strings.Join(want, " ") {
		st.err(fmt.Sprintf("w%d GetRevisionAfterVal", w), fmt.Errorf("got %v, want %v", got, want))
	}
	rs, err = k.c.query(ctx, sqlCountRevision, prefix, end, maxRev, false)
	if err != nil {
		fail("CountRevision", err)
		return
	}
	if n := i64(rs.rows[0][2]); !control && n != int64(len(want)) {
		st.err(fmt.Sprintf("w%d CountRevision", w), fmt.Errorf("count %d, want %d", n, len(want)))
	}
	for name, o := range own {
		if o.deleted {
			continue
		}
		rs, err = k.c.query(ctx, sqlListRevisionStartVal+" LIMIT 1", name, o.rev, false)
		if err != nil {
			fail("ListRevisionStartVal", err)
			return
		}
		if !control && (len(rs.rows) != 1 || toKV(rs.rows[0]).id != o.rev || string(toKV(rs.rows[0]).value) != o.value) {
			st.err(fmt.Sprintf("w%d ListRevisionStartVal %s@%d", w, name, o.rev), fmt.Errorf("got %d rows", len(rs.rows)))
		}
		break
	}
	rs, err = k.c.query(ctx, sqlAfterOldVal, prefix, end, maxRev-1)
	if err != nil {
		fail("AfterOldVal", err)
		return
	}
	for _, r := range rs.rows {
		if x := toKV(r); !control && !strings.HasPrefix(x.name, prefix) {
			st.err(fmt.Sprintf("w%d AfterOldVal", w), fmt.Errorf("row %s outside the prefix", x.name))
		}
	}
}

// poller is kine's watch poll: AfterAllOldVal LIMIT 500; a missing revision
// is polled again after a millisecond, then filled with a gap record.
type pollResult struct {
	start, last int64
	seen        []int64
	fills       int
}

func poller(ctx context.Context, dsn string, st *stats, stop <-chan struct{}, control bool) *pollResult {
	res := &pollResult{}
	c, err := kconnect(ctx, dsn)
	if err != nil {
		st.err("poller connect", err)
		return res
	}
	defer c.close()
	k := &kine{c: c}
	last, err := k.scalar(ctx, sqlCurrentRev)
	if err != nil {
		st.err("poller CurrentRev", err)
		return res
	}
	res.start = last
	stopping := false
	retried := map[int64]bool{}
	for ctx.Err() == nil {
		select {
		case <-stop:
			stopping = true
		default:
		}
		rs, err := c.query(ctx, sqlAfterAllOldVal+" LIMIT 500", last)
		if err != nil {
			st.err("poller AfterAllOldVal", err)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		for _, r := range rs.rows {
			x := toKV(r)
			if x.id != last+1 {
				if !retried[last+1] {
					// kine polls again after a millisecond
					retried[last+1] = true
					break
				}
				for gap := last + 1; gap < x.id; gap++ {
					err := k.fill(ctx, gap)
					if pe := pgErr(err); pe != nil && pe.Code == "23505" && pe.ConstraintName == "kine_pkey" {
						st.add(func(s *stats) { s.pkeys++ })
						break // the revision arrived; poll again
					} else if err != nil {
						st.err("poller Fill", err)
						break
					}
					res.fills++
					res.seen = append(res.seen, gap)
					last = gap
				}
				if x.id != last+1 {
					break
				}
			}
			res.seen = append(res.seen, x.id)
			last = x.id
		}
		if len(rs.rows) == 0 && stopping {
			break
		}
		if len(rs.rows) < 100 {
			time.Sleep(time.Millisecond + 5)
		}
		if len(rs.rows) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	res.last = last
	st.add(func(s *stats) { s.closes += c.closesSent; s.closeOK += c.closeCompletes; s.fills += res.fills })
	return res
}

// compactor runs kine's compaction batches, serializable transactions, up
// to limit: the revisions written before the workers started.  (kine's
// Compact also deletes the row whose id a fresh key's create recorded as
// its prev_revision, the current revision of the time, whatever key that
// row belongs to: compacting the workers' own revisions would make the
// test's bookkeeping wrong, not kine's traffic different.)
func compactor(ctx context.Context, dsn string, st *stats, stop <-chan struct{}, limit int64) {
	c, err := kconnect(ctx, dsn)
	if err != nil {
		st.err("compactor connect", err)
		return
	}
	defer c.close()
	k := &kine{c: c}
	var done int64
	for ctx.Err() == nil {
		select {
		case <-stop:
			st.add(func(s *stats) { s.closes += c.closesSent; s.closeOK += c.closeCompletes })
			return
		case <-time.After(50 * time.Millisecond):
		}
		err := func() error {
			if _, err := c.simple(ctx, sqlBegin); err != nil {
				return err
			}
			if _, err := k.scalar(ctx, sqlCurrentRev); err != nil {
				return err
			}
			comp, err := k.scalar(ctx, sqlCompactRev)
			if err != nil {
				return err
			}
			if comp < done {
				comp = done // compact_rev_key itself may have been compacted
			}
			target := comp + 20 // batches, like --compact-batch-size
			if target > limit {
				target = limit
			}
			if target <= comp {
				_, err := c.simple(ctx, sqlRollback)
				return err
			}
			if _, err := c.exec(ctx, sqlCompact, target, target); err != nil {
				return err
			}
			if _, err := c.exec(ctx, sqlUpdateCompact, target); err != nil {
				return err
			}
			if _, err := c.simple(ctx, sqlCommit); err != nil {
				return err
			}
			done = target
			st.add(func(s *stats) { s.compacts++ })
			return nil
		}()
		if err != nil {
			if c.txStatus() != 'I' {
				c.simple(ctx, sqlRollback)
			}
			if sqlstate(err) == "40001" {
				st.add(func(s *stats) { s.serial++ })
			} else {
				st.err("compactor", err)
			}
		}
	}
}

// seed writes some history for the compactor: creates, updates, deletes.
func seed(ctx context.Context, k *kine) (int64, error) {
	for i := 0; i < 20; i++ {
		key := fmt.Sprintf("/registry/events/default/seed%d", i%4)
		if _, err := create(ctx, k, key, []byte("s")); err != nil && !errors.Is(err, errKeyExists) {
			return 0, err
		}
		for j := 0; j < 2; j++ {
			if _, _, err := update(ctx, k, key, 0, []byte(fmt.Sprint("s", i, j))); err != nil {
				return 0, err
			}
		}
		if i%2 == 1 {
			if _, err := del(ctx, k, key); err != nil {
				return 0, err
			}
		}
	}
	return k.scalar(ctx, sqlCurrentRev)
}

func modeWorkload(ctx context.Context, dsn string, control bool) {
	label := "workload"
	if control {
		label = "control"
	}
	obs, k, err := bootstrap(ctx, dsn)
	if control {
		if err != nil {
			note("control: bootstrap: %s", describeErr(err))
		}
	} else if !ok(err == nil, "%s: kine's bootstrap (pg_database, ping, version, schema, Migrate, compact_rev_key, /registry/health) (err %v)", label, err) {
		for _, o := range obs {
			note("  %s", o)
		}
	}
	var seedEnd int64
	if k != nil {
		seedEnd, err = seed(ctx, k)
		if control {
			if err != nil {
				note("control: seed: %s", describeErr(err))
			}
		} else {
			ok(err == nil, "%s: history for the compactor written (revisions up to %d, err %v)", label, seedEnd, err)
		}
		k.c.close()
	}

	st := &stats{}
	sh := &sharedLog{ids: map[string][]int64{}}
	stop := make(chan struct{})
	var pres *pollResult
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); pres = poller(ctx, dsn, st, stop, control) }()
	go func() { defer bg.Done(); compactor(ctx, dsn, st, stop, seedEnd) }()
	time.Sleep(50 * time.Millisecond)
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < nWorkers; w++ {
		wg.Add(1)
		go func(w int) { defer wg.Done(); worker(ctx, dsn, w, st, sh, control) }(w)
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	note("%s: %d workers x %d iterations + poller + compactor in %.1fs: %d racing-write conflicts (23505), "+
		"%d kine_pkey 23505, %d gap fills, %d serialization failures, %d compactions, %d Close sent / %d CloseComplete",
		label, nWorkers, nIters, time.Since(t0).Seconds(), st.conflicts, st.pkeys, st.fills, st.serial, st.compacts,
		st.closes, st.closeOK)

	if control {
		ok(st.prepared > 0, "control: prepared-statement errors (26000/42P05) happen (%d of %d errors)",
			st.prepared, st.unexpected)
		for _, s := range st.samples {
			note("  %s", s)
		}
		return
	}
	ok(st.unexpected == 0, "%s: no errors besides kine's normal ones (%d)", label, st.unexpected)
	for _, s := range st.samples {
		note("  %s", s)
	}
	ok(st.compacts > 0, "%s: compaction batches committed (%d)", label, st.compacts)
	ok(st.closes == st.closeOK, "%s: every Close of an invalidated statement answered CloseComplete (%d/%d)",
		label, st.closeOK, st.closes)

	// the watch saw every revision, in order
	c, err := kconnect(ctx, dsn)
	if !ok(err == nil, "%s: connect for the final checks", label) {
		return
	}
	defer c.close()
	k = &kine{c: c}
	cur, err := k.scalar(ctx, sqlCurrentRev)
	inOrder := true
	for i := 1; i < len(pres.seen); i++ {
		if pres.seen[i] != pres.seen[i-1]+1 {
			inOrder = false
		}
	}
	ok(err == nil && pres.last == cur && inOrder && len(pres.seen) > 0 && pres.seen[0] == pres.start+1,
		"%s: the watch poller saw revisions %d..%d in order, without holes (current_rev %d, %d events)",
		label, pres.start+1, pres.last, cur, len(pres.seen))

	// the shared keys end at their last successful write
	for key, ids := range sh.ids {
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		got, _, err := k.getSingle(ctx, key, false, true)
		ok(err == nil && got != nil && got.id == ids[len(ids)-1],
			"%s: %s is at its last successful write %d (%d writes)", label, key, ids[len(ids)-1], len(ids))
	}
	// everything kine can list is consistent with a count
	rs, err := c.query(ctx, sqlListCurrent+" LIMIT 501", "/registry/", prefixEnd("/registry/"), false)
	rc, err2 := c.query(ctx, sqlCountCurrent, "/registry/", prefixEnd("/registry/"), false)
	ok(err == nil && err2 == nil && int64(len(rs.rows)) == i64(rc.rows[0][1]),
		"%s: ListCurrent and CountCurrent of /registry/ agree", label)
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: kinewire errors DIRECT_DSN PROXY_DSN | workload DSN | control DSN | lite-errors DIRECT_DSN LITE_DSN | lite-workload DSN | race DSN N ROUNDS | acked DSN FILE | stdlib DSN")
		os.Exit(2)
	}
	// the texts are kine's: their pgx v5 names match the reference
	bad := 0
	for sql, name := range wantNames {
		if stmtName(sql) != name {
			bad++
			note("name mismatch: %s for %q", name, sql)
		}
	}
	if stmtName(sqlAfterAllOldVal+" LIMIT 500") != "stmtcache_b8af8d857e0ccd1d9f8399880dfed204d10dc6746ee56860" {
		bad++
	}
	ok(bad == 0, "kine's statement texts give the statement names of the reference (%d texts)", len(wantNames)+1)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()
	switch os.Args[1] {
	case "errors":
		if len(os.Args) < 4 {
			os.Exit(2)
		}
		modeErrors(ctx, os.Args[2], os.Args[3])
	case "workload":
		modeWorkload(ctx, os.Args[2], false)
	case "control":
		modeWorkload(ctx, os.Args[2], true)
	default:
		// the SQLite modes (sqlite.go)
		if !extraMode(ctx, os.Args) {
			os.Exit(2)
		}
	}
	if failed {
		os.Exit(1)
	}
}
