package main

// sqlite.go - the modes of t/integration/test_sqlite_kine.sh: kine's
// traffic (wire.go, main.go) against pgpin serving SQLite files.
//
//	kinewire lite-errors DIRECT_DSN LITE_DSN
//	    on a database that does not exist yet on either side: kine's
//	    createDBIfNotExist (pg_database lookup with a name parameter,
//	    CREATE DATABASE), then the errors scenario of main.go, then an
//	    error inside a serializable transaction (25P02 for the statements
//	    after it, rollback; commit of a failed transaction answered
//	    ROLLBACK); then, on a second new database, a history without a
//	    failed INSERT (so that both sides hand out the same ids),
//	    Parse/Describe of every statement of generations C, B and legacy
//	    (sqlgens.go), every read among them with several sets of
//	    arguments (LIKE ... ESCAPE '^', old revisions, deleted rows), the
//	    legacy write statements and the whole table at the end; reply by
//	    reply the same as PostgreSQL in everything kine reads (below).
//
//	kinewire lite-workload DSN
//	    createDBIfNotExist, then the workload of main.go.
//
//	kinewire race DSN N ROUNDS
//	    N connections write the same key at the same prev_revision at
//	    once, ROUNDS times (updates of one key and creates of new keys in
//	    turn): exactly one INSERT wins each round, every other one fails
//	    with 23505 on kine_name_prev_revision_uindex.
//
//	kinewire acked DSN ACKFILE
//	    writers (autocommit INSERT ... RETURNING id, and serializable
//	    transactions of three inserts) append every write pgpin
//	    acknowledged to ACKFILE ("id name deleted hex(value)") until their
//	    connections break: the test kills pgpin with SIGKILL meanwhile and
//	    then looks for every line in the SQLite file.
//
//	kinewire stdlib DSN   (stdlib.go)
//
// What "the same as PostgreSQL" means here: SQLSTATE, severity, table,
// column and constraint names, command tags, rows, transaction status,
// Close/CloseComplete counts, parameter OIDs, column names, type OIDs and
// formats; these are what pgx and kine read.  Not compared (reported as
// notes when they differ): the message, detail and schema of errors
// (kine's TranslateErr and InsertRetry read only C and n), the text of
// version() after "PostgreSQL 15" (kine only looks for "cockroachdb"),
// pg_total_relation_size's value (a metric), and RowDescription's type
// size, type modifier, table OID and column number (pgx decodes by type
// OID and format alone).  Ids are never compared either: PostgreSQL's
// sequence is consumed by failed INSERTs, SQLite's AUTOINCREMENT is not, so
// the same history has different ids on the two sides.

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgproto3/v2"
)

// extraMode runs the modes of this file; false for an unknown mode.
func extraMode(ctx context.Context, args []string) bool {
	switch {
	case args[1] == "lite-errors" && len(args) >= 4:
		modeLiteErrors(ctx, args[2], args[3])
	case args[1] == "lite-workload":
		obs, err := liteCreateDB(ctx, args[2])
		if !ok(err == nil, "workload: kine's createDBIfNotExist (err %v)", err) {
			for _, o := range obs {
				note("  %s", o)
			}
		}
		modeWorkload(ctx, args[2], false)
	case args[1] == "race" && len(args) >= 5:
		n, _ := strconv.Atoi(args[3])
		rounds, _ := strconv.Atoi(args[4])
		modeRace(ctx, args[2], n, rounds)
	case args[1] == "acked" && len(args) >= 4:
		modeAcked(ctx, args[2], args[3])
	case args[1] == "stdlib":
		modeStdlib(ctx, args[2])
	default:
		return false
	}
	return true
}

// ------------------------------------------------------------ lite-errors

// liteCreateDB is kine's createDBIfNotExist (kine.md section 2.3): connect
// to "postgres" and close; connect again, look the database up, CREATE
// DATABASE "<db>"; when there is no row.  Before that, a connection to a
// database that does not exist.
func liteCreateDB(ctx context.Context, dsn string) ([]string, error) {
	var obs []string
	db := dbOf(dsn)
	if c, err := kconnect(ctx, withDB(dsn, db+"_absent")); err == nil {
		c.close()
		obs = append(obs, "connect to a database that does not exist: connected")
	} else {
		obs = append(obs, "connect to a database that does not exist: "+describeErr(err))
	}
	c, err := kconnect(ctx, withDB(dsn, "postgres"))
	if err != nil {
		return obs, fmt.Errorf("connect to database postgres: %w", err)
	}
	c.close()
	if c, err = kconnect(ctx, withDB(dsn, "postgres")); err != nil {
		return obs, fmt.Errorf("connect to database postgres again: %w", err)
	}
	defer c.close()
	rs, err := c.query(ctx, sqlDBExists, db)
	if err != nil {
		return obs, fmt.Errorf("pg_database lookup: %w", err)
	}
	sd := c.cache[sqlDBExists]
	obs = append(obs, fmt.Sprintf("pg_database lookup of a new database: params %v, columns %s, %d row(s), tag %s",
		sd.paramOIDs, fieldsString(sd.fields), len(rs.rows), rs.tag))
	if len(rs.rows) == 0 {
		r, err := c.simple(ctx, `CREATE DATABASE "`+db+`";`)
		obs = append(obs, fmt.Sprintf("CREATE DATABASE: err %v, tags %v, replies %s", err, r.tags, seenString(r.seen)))
		if err != nil {
			return obs, err
		}
	}
	rs, err = c.query(ctx, sqlDBExists, db)
	if err != nil {
		return obs, fmt.Errorf("pg_database lookup after CREATE DATABASE: %w", err)
	}
	obs = append(obs, fmt.Sprintf("pg_database lookup after CREATE DATABASE: %v, tag %s", rs.rows, rs.tag))
	return obs, nil
}

// liteTxScenario: errors inside serializable transactions, kine's way (no
// Close while the transaction has failed) and not (a commit of a failed
// transaction, which database/sql sends when a caller commits anyway).
func liteTxScenario(ctx context.Context, dsn string) ([]string, error) {
	var obs []string
	step := func(format string, args ...interface{}) {
		obs = append(obs, fmt.Sprintf(format, args...))
	}
	c, err := kconnect(ctx, dsn)
	if err != nil {
		return obs, err
	}
	defer c.close()
	k := &kine{c: c}
	key := "/registry/leases/tx/a"
	id1, err := create(ctx, k, key, []byte("a1"))
	if err != nil {
		return obs, fmt.Errorf("create %s: %w", key, err)
	}
	// prepared before the transaction, so that it fails at Bind in it
	got, _, err := k.getSingle(ctx, key, false, true)
	step("tx: before: err %v, value %q", err, valueOf(got))

	r, err := c.simple(ctx, sqlBegin)
	step("tx: begin: err %v, tags %v, status %c", err, r.tags, c.txStatus())
	_, err = k.insert(ctx, key, false, false, id1, id1, 0, []byte("a2"))
	step("tx: update in the transaction: err %v, status %c", err, c.txStatus())
	_, err = k.insert(ctx, key, false, false, id1, id1, 0, []byte("a3"))
	step("tx: second update from the same revision: %s; status %c", describeErr(err), c.txStatus())
	n0 := c.closeCompletes
	_, _, err = k.getSingle(ctx, key, false, true)
	step("tx: a prepared statement after the error (Bind): %s; status %c; %d CloseComplete", describeErr(err),
		c.txStatus(), c.closeCompletes-n0)
	_, err = c.query(ctx, sqlListCurrentVal+" LIMIT 7", "/registry/", prefixEnd("/registry/"), false)
	step("tx: a new statement after the error (Parse): %s; status %c", describeErr(err), c.txStatus())
	r, err = c.simple(ctx, "-- ping")
	step("tx: -- ping in the failed transaction: err %v, replies %s, status %c", err, seenString(r.seen), c.txStatus())
	r, err = c.simple(ctx, sqlRollback)
	step("tx: rollback: err %v, tags %v, status %c", err, r.tags, c.txStatus())
	n0, s0 := c.closeCompletes, c.closesSent
	got, _, err = k.getSingle(ctx, key, false, true)
	step("tx: after rollback: err %v, %d CloseComplete for %d Close, value %q (the update was rolled back)",
		err, c.closeCompletes-n0, c.closesSent-s0, valueOf(got))

	// commit of a failed transaction: PostgreSQL answers ROLLBACK
	id2, done, err := update(ctx, k, key, id1, []byte("b1"))
	step("tx: update outside a transaction: err %v, done %v", err, done)
	r, err = c.simple(ctx, sqlBegin)
	step("tx: begin: err %v, status %c", err, c.txStatus())
	_, err = k.insert(ctx, key, false, false, id1, id1, 0, []byte("b2"))
	step("tx: stale update in the transaction: %s; status %c", describeErr(err), c.txStatus())
	r, err = c.simple(ctx, sqlCommit)
	step("tx: commit of the failed transaction: err %v, tags %v, status %c", err, r.tags, c.txStatus())
	got, _, err = k.getSingle(ctx, key, false, true)
	step("tx: after it: err %v, value %q, at the last committed write %v", err, valueOf(got), got != nil && got.id == id2)

	// a transaction that commits: both writes visible, in order
	r, err = c.simple(ctx, sqlBegin)
	id3, err1 := k.insert(ctx, key, false, false, id1, id2, 0, []byte("c1"))
	id4, err2 := k.insert(ctx, key, false, false, id1, id3, 0, []byte("c2"))
	r2, err3 := c.simple(ctx, sqlCommit)
	step("tx: two updates committed: errors %v %v %v %v, tags %v %v, ids ascending %v, status %c", err, err1, err2,
		err3, r.tags, r2.tags, id2 < id3 && id3 < id4, c.txStatus())
	got, _, err = k.getSingle(ctx, key, false, true)
	step("tx: after commit: err %v, value %q", err, valueOf(got))
	return obs, nil
}

func fieldsString(fields []pgproto3.FieldDescription) string {
	if fields == nil {
		return "NoData"
	}
	var s []string
	for _, f := range fields {
		s = append(s, fmt.Sprintf("%s:%d/f%d", f.Name, f.DataTypeOID, f.Format))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// fieldsDetail: what pgx does not read, compared as a note only.
func fieldsDetail(fields []pgproto3.FieldDescription) string {
	var s []string
	for _, f := range fields {
		s = append(s, fmt.Sprintf("%s:size %d,typmod %d,table %v,attnum %d", f.Name, f.DataTypeSize, f.TypeModifier,
			f.TableOID != 0, f.TableAttributeNumber))
	}
	return strings.Join(s, " ")
}

func refFields(cols []refCol) string {
	if len(cols) == 0 {
		return "NoData"
	}
	var s []string
	for _, c := range cols {
		s = append(s, fmt.Sprintf("%s:%d/f0", c.name, c.oid))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// prepareAs is pgx's explicit Prepare (database/sql PrepareContext): the
// statement under a name of the caller's, Parse/Describe/Sync.
func prepareAs(ctx context.Context, c *kconn, name, sql string) (*result, error) {
	if err := c.send(ctx, &pgproto3.Parse{Name: name, Query: sql},
		&pgproto3.Describe{ObjectType: 'S', Name: name}, &pgproto3.Sync{}); err != nil {
		return nil, err
	}
	r, err := c.readUntilReady(ctx)
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		return r, r.err
	}
	return r, nil
}

// closeStmt is database/sql's Stmt.Close through pgx: Close('S'), Sync.
func closeStmt(ctx context.Context, c *kconn, name string) (int, error) {
	if err := c.send(ctx, &pgproto3.Close{ObjectType: 'S', Name: name}, &pgproto3.Sync{}); err != nil {
		return 0, err
	}
	r, err := c.readUntilReady(ctx)
	if err != nil {
		return 0, err
	}
	if r.err != nil {
		return r.seen['3'], r.err
	}
	return r.seen['3'], nil
}

var (
	reArgLike  = regexp.MustCompile(`LIKE \$(\d+)`)
	reArgGE    = regexp.MustCompile(`name >= \$(\d+)`)
	reArgLT    = regexp.MustCompile(`name < \$(\d+)`)
	reArgEq    = regexp.MustCompile(`name = \$(\d+)`)
	reArgAfter = regexp.MustCompile(`id > \$(\d+)`)
)

// readArgs: arguments for a read statement, from how its text uses each
// parameter: LIKE patterns are like, ranges cover /registry/, "id > $n" is
// 0 (all revisions), other revisions are rev, booleans incl.
func readArgs(sql string, oids []uint32, db, like string, rev int64, incl bool) []interface{} {
	role := map[string]string{}
	for what, re := range map[string]*regexp.Regexp{"like": reArgLike, "ge": reArgGE, "lt": reArgLT, "eq": reArgEq,
		"after": reArgAfter} {
		for _, m := range re.FindAllStringSubmatch(sql, -1) {
			role[m[1]] = what
		}
	}
	var args []interface{}
	for i, oid := range oids {
		r := role[strconv.Itoa(i+1)]
		switch oid {
		case oidBool:
			args = append(args, incl)
		case oidInt8, oidInt4:
			if r == "after" {
				args = append(args, int64(0))
			} else {
				args = append(args, rev)
			}
		case oidName:
			args = append(args, db)
		default:
			switch r {
			case "like":
				args = append(args, like)
			case "ge":
				args = append(args, "/registry/")
			case "lt":
				args = append(args, prefixEnd("/registry/"))
			default:
				args = append(args, "/registry/pods/default/a")
			}
		}
	}
	return args
}

// readArgSets: the default arguments; for LIKE ... ESCAPE '^' an escaped
// pattern whose "_" must not match "X" nor, in PostgreSQL's case-sensitive
// LIKE, "_SYSTEM"; with a revision or the include-deleted flag, the state
// at an old revision with the deleted rows.
func readArgSets(sql string, oids []uint32, db string) [][]interface{} {
	sets := [][]interface{}{readArgs(sql, oids, db, "/registry/%", int64(1)<<40, false)}
	if reArgLike.MatchString(sql) {
		sets = append(sets, readArgs(sql, oids, db, "/registry/pods/kube^_system/%", int64(1)<<40, false))
	}
	hasRev := false
	for _, o := range oids {
		hasRev = hasRev || o == oidBool || o == oidInt8
	}
	if hasRev && !strings.Contains(sql, "id > $") {
		sets = append(sets, readArgs(sql, oids, db, "/registry/%", 9, true))
	}
	return sets
}

// rowsString: every column; the history is the same on both sides.
func rowsString(fields []pgproto3.FieldDescription, rows [][]interface{}) string {
	var out []string
	for _, row := range rows {
		var vals []string
		for i, v := range row {
			if b, isBytes := v.([]byte); isBytes {
				vals = append(vals, fmt.Sprintf("%s=%q", fields[i].Name, b))
			} else {
				vals = append(vals, fmt.Sprintf("%s=%v", fields[i].Name, v))
			}
		}
		out = append(out, "("+strings.Join(vals, " ")+")")
	}
	return fmt.Sprintf("%d row(s) %s", len(rows), strings.Join(out, " "))
}

func refStmtOf(gen, label string) refStmt {
	for _, st := range refStmts {
		if st.gen == gen && st.label == label {
			return st
		}
	}
	panic("no statement " + gen + " " + label)
}

// liteHistory writes, on a fresh database, a history without a failed
// INSERT: PostgreSQL's sequence then hands out the same ids as SQLite's
// AUTOINCREMENT, and every read can be compared with its ids and
// revisions.  Keys with "_", "X" and upper case in the place of a LIKE
// pattern's escaped "_"; updates, deletes, a create over a tombstone, a
// compaction batch, a gap record at the end.
func liteHistory(ctx context.Context, dsn string) ([]string, error) {
	var obs []string
	step := func(format string, args ...interface{}) {
		obs = append(obs, fmt.Sprintf(format, args...))
	}
	_, k, err := bootstrap(ctx, dsn)
	if k != nil {
		defer k.c.close()
	}
	if err != nil {
		return obs, fmt.Errorf("bootstrap: %w", err)
	}
	c := k.c
	keys := []string{"/registry/pods/default/a", "/registry/pods/default/b", "/registry/pods/kube_system/c",
		"/registry/pods/kubeXsystem/d", "/registry/pods/KUBE_SYSTEM/e", "/registry/services/x"}
	for i, key := range keys {
		// prev_revision 0, not the current revision kine's Create
		// records, which would let the compaction below take other
		// keys' live rows (see compactor in main.go)
		id, err := k.insert(ctx, key, true, false, 0, 0, 0, []byte(fmt.Sprintf("v%d\x00\xff'\\", i)))
		step("history: create %s: id %d, err %v", key, id, err)
	}
	upd := func(key, val string) {
		id, done, err := update(ctx, k, key, 0, []byte(val))
		step("history: update %s: id %d, done %v, err %v", key, id, done, err)
	}
	dl := func(key string) {
		id, err := del(ctx, k, key)
		step("history: delete %s: id %d, err %v", key, id, err)
	}
	upd(keys[0], "a2")
	upd(keys[0], "a3")
	upd(keys[1], "b2")
	dl(keys[2])
	id, err := create(ctx, k, keys[2], []byte("c-again"))
	step("history: create %s over its tombstone: id %d, err %v", keys[2], id, err)
	upd(keys[2], "c2")

	r, err := c.simple(ctx, sqlBegin)
	cur, err1 := k.scalar(ctx, sqlCurrentRev)
	comp, err2 := k.scalar(ctx, sqlCompactRev)
	rs1, err3 := c.exec(ctx, sqlCompact, cur-3, cur-3)
	rs2, err4 := c.exec(ctx, sqlUpdateCompact, cur-3)
	r2, err5 := c.simple(ctx, sqlCommit)
	step("history: compaction to %d (compact_rev %d): errors %v %v %v %v %v %v, tags %v %s %s %v", cur-3, comp, err,
		err1, err2, err3, err4, err5, r.tags, tagOf(rs1), tagOf(rs2), r2.tags)

	upd(keys[0], "a4")
	dl(keys[5])
	// a gap record where the compaction left a hole: below PostgreSQL's
	// sequence, so that later INSERTs get the same ids on both sides
	rs, err := c.query(ctx, sqlAfterSingleOldVal, keys[0], int64(0))
	if err != nil || len(rs.rows) == 0 {
		return obs, fmt.Errorf("history of %s: %d rows, err %v", keys[0], lenRows(rs), err)
	}
	hole := i64(rs.rows[0][2]) - 1
	err = k.fill(ctx, hole)
	step("history: fill of revision %d: err %v", hole, err)
	return obs, nil
}

// liteWrites: the write statements of the legacy generation (kine <=
// v0.15: Insert without the old_value sub-select, DELETE ... AS kv) and
// of generation C that the scenarios do not send, then the whole history.
func liteWrites(ctx context.Context, dsn string) ([]string, error) {
	var obs []string
	step := func(format string, args ...interface{}) {
		obs = append(obs, fmt.Sprintf(format, args...))
	}
	errText := func(err error) string {
		if err == nil {
			return "<nil>"
		}
		return describeErr(err)
	}
	c, err := kconnect(ctx, dsn)
	if err != nil {
		return obs, err
	}
	defer c.close()
	k := &kine{c: c}
	cur, err := k.scalar(ctx, sqlCurrentRev)
	step("writes: CurrentRev %d, err %v", cur, err)
	ins := refStmtOf("legacy", "Insert")
	rs, err := c.query(ctx, ins.sql, "/registry/legacy/x", int64(1), int64(0), int64(0), int64(0), int64(0),
		[]byte("lx"), []byte(nil))
	var lid int64
	if err == nil && len(rs.rows) == 1 {
		lid = i64(rs.rows[0][0])
	}
	step("writes: legacy Insert: id %d, tag %s, err %s", lid, tagOf(rs), errText(err))
	// compact_rev_key again: the compaction took its row (the health key's
	// create recorded it as its prev_revision)
	rs, err = c.query(ctx, ins.sql, "compact_rev_key", int64(0), int64(0), int64(0), int64(0), int64(0),
		[]byte(nil), []byte(nil))
	step("writes: legacy Insert of compact_rev_key: rows %v, tag %s, err %s", rowsOf(rs), tagOf(rs), errText(err))
	fill := refStmtOf("legacy", "Fill")
	rs, err = c.exec(ctx, fill.sql, cur+10, "gap-legacy", int64(0), int64(1), int64(0), int64(0), int64(0),
		[]byte(nil), []byte(nil))
	step("writes: legacy Fill of %d: tag %s, err %s", cur+10, tagOf(rs), errText(err))
	rs, err = c.exec(ctx, refStmtOf("legacy", "Delete").sql, cur+10)
	step("writes: legacy Delete (DELETE FROM kine AS kv) of %d: tag %s, err %s", cur+10, tagOf(rs), errText(err))
	rs, err = c.exec(ctx, sqlDelete, lid)
	step("writes: Delete of %d: tag %s, err %s", lid, tagOf(rs), errText(err))
	rs, err = c.exec(ctx, sqlDelete, cur+1000)
	step("writes: Delete of a revision that does not exist: tag %s, err %s", tagOf(rs), errText(err))
	rs, err = c.exec(ctx, refStmtOf("legacy", "UpdateCompact").sql, int64(4))
	step("writes: legacy UpdateCompact: tag %s, err %s", tagOf(rs), errText(err))
	comp, err := k.scalar(ctx, sqlCompactRev)
	step("writes: CompactRev %d, err %v", comp, err)
	rs, err = c.query(ctx, sqlAfterAllOldVal, int64(0))
	if err == nil {
		step("writes: the whole history: %s", rowsString(c.cache[sqlAfterAllOldVal].fields, rs.rows))
	} else {
		step("writes: the whole history: %s", errText(err))
	}
	return obs, nil
}

// liteDescribeAll describes every statement of sqlgens.go and runs the
// reads; the second result lists what is compared as notes only.
func liteDescribeAll(ctx context.Context, dsn string) ([]string, []string, error) {
	var obs, info []string
	c, err := kconnect(ctx, dsn)
	if err != nil {
		return obs, info, err
	}
	defer c.close()
	db := dbOf(dsn)
	for _, st := range refStmts {
		label := st.gen + " " + st.label
		var fields []pgproto3.FieldDescription
		var params []uint32
		if strings.HasPrefix(st.name, "stmt_") {
			// generation B's watch poll: prepared explicitly, closed on error
			r, err := prepareAs(ctx, c, st.name, st.sql)
			if err != nil {
				obs = append(obs, fmt.Sprintf("describe %s: %s", label, describeErr(err)))
				continue
			}
			fields, params = r.fields, r.paramOIDs
			n, err := closeStmt(ctx, c, st.name)
			obs = append(obs, fmt.Sprintf("close %s (%s): err %v, %d CloseComplete", label, st.name, err, n))
		} else {
			if stmtName(st.sql) != st.name {
				obs = append(obs, fmt.Sprintf("describe %s: the text does not give the name %s", label, st.name))
			}
			sd, err := c.prepare(ctx, st.sql)
			if err != nil {
				obs = append(obs, fmt.Sprintf("describe %s: %s", label, describeErr(err)))
				continue
			}
			fields, params = sd.fields, sd.paramOIDs
		}
		obs = append(obs, fmt.Sprintf("describe %s: params %v, columns %s", label, params, fieldsString(fields)))
		info = append(info, fmt.Sprintf("describe %s: %s", label, fieldsDetail(fields)))
		if fmt.Sprint(params) != fmt.Sprint(st.params) || fieldsString(fields) != refFields(st.cols) {
			info = append(info, fmt.Sprintf("reference %s: params %v, columns %s", label, st.params, refFields(st.cols)))
		}
		// run the reads, but version() and the size (their values differ)
		up := strings.ToUpper(strings.TrimSpace(st.sql))
		if !strings.HasPrefix(up, "SELECT") || st.label == "Version" || st.label == "GetSize" ||
			strings.HasPrefix(st.name, "stmt_") {
			continue
		}
		for _, args := range readArgSets(st.sql, params, db) {
			rs, err := c.query(ctx, st.sql, args...)
			if err != nil {
				obs = append(obs, fmt.Sprintf("run %s %v: %s", label, args, describeErr(err)))
				continue
			}
			obs = append(obs, fmt.Sprintf("run %s %v: tag %s, %s", label, args, rs.tag,
				rowsString(c.cache[st.sql].fields, rs.rows)))
		}
	}
	obs = append(obs, fmt.Sprintf("describe/run: Close sent %d, CloseComplete %d", c.closesSent, c.closeCompletes))
	return obs, info, nil
}

var (
	reWording = regexp.MustCompile(` (M|D|s)="(?:[^"\\]|\\.)*"`)
	reVersion = regexp.MustCompile(`, PostgreSQL (true|false)$`)
	reSize    = regexp.MustCompile(`, positive (true|false)$`)
	// ids in main.go's errors scenario, which has failed INSERTs
	reCurRev  = regexp.MustCompile(`current_rev == \d+`)
	reIDAbove = regexp.MustCompile(`id > \d+ `)
	reCompTag = regexp.MustCompile(`tags DELETE \d+ UPDATE`)
)

// strictObs drops from an observation what is not compared (top of file).
// In main.go's errors scenario, PostgreSQL's sequence has gaps where
// INSERTs failed, so its gap Fill lands above the revisions of the later
// INSERTs, SQLite's below: the ids and the number of rows its compaction
// deletes differ (liteHistory compares those on a history without failures).
func strictObs(s string) string {
	s = reWording.ReplaceAllString(s, "")
	s = reVersion.ReplaceAllString(s, "")
	s = reSize.ReplaceAllString(s, "")
	s = reCurRev.ReplaceAllString(s, "current_rev == N")
	s = reIDAbove.ReplaceAllString(s, "id > N ")
	return reCompTag.ReplaceAllString(s, "tags DELETE n UPDATE")
}

func liteScenario(ctx context.Context, dsn string) ([]string, []string, error) {
	obs, err := liteCreateDB(ctx, dsn)
	if err != nil {
		return obs, nil, err
	}
	o, err := errorScenario(ctx, dsn)
	obs = append(obs, o...)
	if err != nil {
		return obs, nil, err
	}
	o, err = liteTxScenario(ctx, dsn)
	obs = append(obs, o...)
	if err != nil {
		return obs, nil, err
	}
	hist := withDB(dsn, dbOf(dsn)+"_hist")
	o, err = liteCreateDB(ctx, hist)
	obs = append(obs, o...)
	if err != nil {
		return obs, nil, err
	}
	o, err = liteHistory(ctx, hist)
	obs = append(obs, o...)
	if err != nil {
		return obs, nil, err
	}
	o, info, err := liteDescribeAll(ctx, hist)
	obs = append(obs, o...)
	if err != nil {
		return obs, info, err
	}
	o, err = liteWrites(ctx, hist)
	obs = append(obs, o...)
	return obs, info, err
}

// compareLines: one TAP line per observation, strict on what kine reads,
// notes for the rest.
func compareLines(what string, d, p []string) int {
	bad := 0
	for i := 0; i < len(d) || i < len(p); i++ {
		var a, b string
		if i < len(d) {
			a = d[i]
		}
		if i < len(p) {
			b = p[i]
		}
		sa, sb := strictObs(a), strictObs(b)
		if !ok(sa == sb, "%s: same as PostgreSQL: %s", what, sb) {
			bad++
			note("PostgreSQL: %s", a)
			note("SQLite:     %s", b)
		} else if a != b {
			note("differs only in what is not compared: PostgreSQL: %s", a)
			note("                                      SQLite:     %s", b)
		}
	}
	return bad
}

func modeLiteErrors(ctx context.Context, direct, lite string) {
	d, dinfo, errD := liteScenario(ctx, direct)
	p, pinfo, errP := liteScenario(ctx, lite)
	ok(errD == nil, "errors: the scenario runs directly against PostgreSQL (err %v)", errD)
	ok(errP == nil, "errors: the scenario runs against pgpin on SQLite (err %v)", errP)
	compareLines("errors", d, p)
	refBad := 0
	for _, l := range dinfo {
		if strings.HasPrefix(l, "reference ") {
			refBad++
			note("PostgreSQL differs from the reference: %s", l)
		}
	}
	ok(refBad == 0, "errors: PostgreSQL describes the %d statements as the reference measured (%d differ)",
		len(refStmts), refBad)
	details := func(info []string) []string {
		var out []string
		for _, l := range info {
			if !strings.HasPrefix(l, "reference ") {
				out = append(out, l)
			}
		}
		return out
	}
	dinfo, pinfo = details(dinfo), details(pinfo)
	differ, shown := 0, 0
	for i := 0; i < len(dinfo) && i < len(pinfo); i++ {
		if dinfo[i] != pinfo[i] {
			differ++
			if shown < 2 {
				shown++
				note("RowDescription details pgx does not read differ (not compared), e.g.:")
				note("  PostgreSQL: %s", dinfo[i])
				note("  SQLite:     %s", pinfo[i])
			}
		}
	}
	note("RowDescription details (type size, type modifier, table OID, column number) differ for %d of %d statements",
		differ, len(dinfo))
	// the facts kine depends on, spelled out
	want := []string{
		`connect to a database that does not exist: S=FATAL C=3D000`,
		`pg_database lookup of a new database: params [19], columns [?column?:23/f0], 0 row(s), tag SELECT 0`,
		`CREATE DATABASE: err <nil>, tags [CREATE DATABASE]`,
		`pg_database lookup after CREATE DATABASE: [[1]], tag SELECT 1`,
		`-- ping: replies I Z`,
		`C=42P01`,
		`after the failed Parse: 1 CloseComplete`,
		`insert p1 again: S=ERROR C=23505`,
		`n="kine_name_prev_revision_uindex"`,
		`t="kine"`,
		`fill of an existing revision: S=ERROR C=23505`,
		`n="kine_pkey"`,
		`transaction status E`,
		`tx: a prepared statement after the error (Bind): S=ERROR C=25P02`,
		`tx: a new statement after the error (Parse): S=ERROR C=25P02`,
		`tx: rollback: err <nil>, tags [ROLLBACK], status I`,
		`tx: commit of the failed transaction: err <nil>, tags [ROLLBACK], status I`,
	}
	all := strings.Join(p, "\n")
	for _, w := range want {
		ok(strings.Contains(all, w), "errors: pgpin on SQLite: %s", w)
	}
}

// ------------------------------------------------------------ race

func modeRace(ctx context.Context, dsn string, n, rounds int) {
	_, k0, err := bootstrap(ctx, dsn)
	if k0 != nil {
		defer k0.c.close()
	}
	if !ok(err == nil, "race: kine's bootstrap (err %v)", err) {
		return
	}
	conns := make([]*kine, n)
	for i := range conns {
		c, err := kconnect(ctx, dsn)
		if !ok(err == nil, "race: connection %d (err %v)", i, err) {
			return
		}
		defer c.close()
		conns[i] = &kine{c: c}
		// prepared beforehand: the race is between Bind/Execute/Sync
		if _, err := c.prepare(ctx, sqlInsert); err != nil {
			ok(false, "race: prepare the Insert on connection %d (%s)", i, describeErr(err))
			return
		}
	}
	key := "/registry/leases/race/held"
	prevID, err := create(ctx, k0, key, []byte("r0"))
	if !ok(err == nil, "race: create %s (err %v)", key, err) {
		return
	}
	badRounds, badLosers, winners := 0, 0, 0
	var samples []string
	var lastID int64
	lastVal := ""
	for r := 0; r < rounds && ctx.Err() == nil; r++ {
		// even rounds update the held key from its revision; odd rounds
		// create a new key, all from the same current revision
		k := key
		var createRev, prev int64
		isCreate := r%2 == 1
		if isCreate {
			k = fmt.Sprintf("/registry/leases/race/new%d", r)
			cur, err := k0.scalar(ctx, sqlCurrentRev)
			if err != nil {
				ok(false, "race: CurrentRev (%v)", err)
				return
			}
			prev = cur
		} else {
			createRev, prev = prevID, prevID
		}
		type res struct {
			id  int64
			err error
		}
		results := make([]res, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, kc := range conns {
			wg.Add(1)
			go func(i int, kc *kine) {
				defer wg.Done()
				<-start
				id, err := kc.insert(ctx, k, isCreate, false, createRev, prev, 0, []byte(fmt.Sprintf("r%d-c%d", r, i)))
				results[i] = res{id, err}
			}(i, kc)
		}
		time.Sleep(5 * time.Millisecond)
		close(start)
		wg.Wait()
		won := 0
		for i, x := range results {
			if x.err == nil {
				won++
				if !isCreate {
					prevID = x.id
				}
				lastID, lastVal = x.id, fmt.Sprintf("r%d-c%d", r, i)
				continue
			}
			pe := pgErr(x.err)
			if pe == nil || pe.Code != "23505" || pe.ConstraintName != "kine_name_prev_revision_uindex" ||
				pe.TableName != "kine" {
				badLosers++
				if len(samples) < 10 {
					samples = append(samples, fmt.Sprintf("round %d conn %d: %s", r, i, describeErr(x.err)))
				}
			}
		}
		winners += won
		if won != 1 {
			badRounds++
			if len(samples) < 10 {
				samples = append(samples, fmt.Sprintf("round %d (%s): %d winners", r, k, won))
			}
		}
		if isCreate && won == 1 {
			got, _, err := k0.getSingle(ctx, k, false, true)
			if err != nil || got == nil || got.id != lastID || string(got.value) != lastVal {
				badRounds++
				samples = append(samples, fmt.Sprintf("round %d: %s is %+v (err %v), want id %d value %s", r, k,
					got, err, lastID, lastVal))
			}
		}
	}
	ok(badRounds == 0, "race: %d connections x %d rounds writing one key from one revision: exactly one INSERT won each round (%d rounds wrong, %d winners)",
		n, rounds, badRounds, winners)
	ok(badLosers == 0, "race: every other INSERT failed with 23505 n=kine_name_prev_revision_uindex t=kine (%d did not)",
		badLosers)
	for _, s := range samples {
		note("  %s", s)
	}
	// the losers' invalidated Insert is closed before their next query
	closeBad := 0
	for _, kc := range conns {
		if _, err := kc.scalar(ctx, sqlCurrentRev); err != nil {
			closeBad++
			note("  after the race: %s", describeErr(err))
		}
		if kc.c.closesSent != kc.c.closeCompletes {
			closeBad++
		}
	}
	ok(closeBad == 0, "race: every loser's Close of the failed Insert answered CloseComplete, and the connections go on")
	got, _, err := k0.getSingle(ctx, key, false, true)
	want := fmt.Sprintf("r%d", rounds-2+rounds%2)
	ok(err == nil && got != nil && got.id == prevID && strings.HasPrefix(string(got.value), want+"-"),
		"race: %s ends at the last round's winner (id %d, value %q; err %v)", key, prevID, valueOf(got), err)
	rs, err := k0.c.query(ctx, sqlAfterSingleOldVal, key, int64(0))
	ok(err == nil && len(rs.rows) == (rounds+1)/2+1,
		"race: %s has one revision per round and its create (%d rows, want %d; err %v)", key, lenRows(rs),
		(rounds+1)/2+1, err)
}

func rowsOf(rs *rowset) [][]interface{} {
	if rs == nil {
		return nil
	}
	return rs.rows
}

func lenRows(rs *rowset) int {
	if rs == nil {
		return -1
	}
	return len(rs.rows)
}

// ------------------------------------------------------------ acked

type ackLog struct {
	mu      sync.Mutex
	f       *os.File
	n       int
	inTx    int
	sqlErrs []string
	ends    []string
}

func (a *ackLog) ack(id int64, name string, deleted bool, value []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	// straight to the file (no buffer): the test reads it after SIGKILL
	fmt.Fprintf(a.f, "%d %s %d %x\n", id, name, b2i(deleted), value)
	a.n++
}

func (a *ackLog) end(who string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if pgErr(err) != nil {
		a.sqlErrs = append(a.sqlErrs, fmt.Sprintf("%s: %s", who, describeErr(err)))
	} else {
		a.ends = append(a.ends, fmt.Sprintf("%s: %v", who, err))
	}
}

func ackWriter(ctx context.Context, dsn string, w int, a *ackLog) {
	c, err := kconnect(ctx, dsn)
	if err != nil {
		a.end(fmt.Sprintf("w%d connect", w), err)
		return
	}
	defer c.close()
	k := &kine{c: c}
	rnd := rand.New(rand.NewSource(int64(w)))
	type state struct {
		id, createRev int64
		value         []byte
		deleted       bool
	}
	own := map[string]*state{}
	for i := 0; ctx.Err() == nil; i++ {
		key := fmt.Sprintf("/registry/acked/w%d/k%d", w, rnd.Intn(8))
		val := append([]byte(fmt.Sprintf("w%d-i%d-", w, i)), 0, 0xff, byte(i), '\'', '\\')
		s := own[key]
		var id int64
		switch {
		case s == nil || s.deleted:
			prev := int64(0)
			if s != nil {
				prev = s.id
			} else if prev, err = k.scalar(ctx, sqlCurrentRev); err != nil {
				a.end(fmt.Sprintf("w%d CurrentRev", w), err)
				return
			}
			id, err = k.insert(ctx, key, true, false, 0, prev, 0, val)
			if err == nil {
				own[key] = &state{id: id, createRev: id, value: val}
				a.ack(id, key, false, val)
			}
		case i%5 == 4:
			id, err = k.insert(ctx, key, false, true, s.createRev, s.id, 0, s.value)
			if err == nil {
				s.id, s.deleted = id, true
				a.ack(id, key, true, s.value)
			}
		default:
			id, err = k.insert(ctx, key, false, false, s.createRev, s.id, 0, val)
			if err == nil {
				s.id, s.value = id, val
				a.ack(id, key, false, val)
			}
		}
		if err != nil {
			a.end(fmt.Sprintf("w%d write %s", w, key), err)
			return
		}
	}
}

// ackTxWriter: three creates per serializable transaction, acknowledged
// by the commit's CommandComplete and ReadyForQuery 'I'.
func ackTxWriter(ctx context.Context, dsn string, a *ackLog) {
	c, err := kconnect(ctx, dsn)
	if err != nil {
		a.end("tx connect", err)
		return
	}
	defer c.close()
	k := &kine{c: c}
	for i := 0; ctx.Err() == nil; i++ {
		if _, err := c.simple(ctx, sqlBegin); err != nil {
			a.end("tx begin", err)
			return
		}
		type w struct {
			id   int64
			name string
			val  []byte
		}
		var writes []w
		for j := 0; j < 3; j++ {
			name := fmt.Sprintf("/registry/acked/tx/t%d-%d", i, j)
			val := []byte(fmt.Sprintf("tx%d-%d", i, j))
			id, err := k.insert(ctx, name, true, false, 0, 0, 0, val)
			if err != nil {
				a.end("tx insert "+name, err)
				return
			}
			writes = append(writes, w{id, name, val})
		}
		r, err := c.simple(ctx, sqlCommit)
		if err != nil || len(r.tags) != 1 || r.tags[0] != "COMMIT" || c.txStatus() != 'I' {
			if err == nil {
				err = fmt.Errorf("commit answered %v, status %c", r.tags, c.txStatus())
			}
			a.end("tx commit", err)
			return
		}
		for _, x := range writes {
			a.ack(x.id, x.name, false, x.val)
		}
		a.mu.Lock()
		a.inTx += len(writes)
		a.mu.Unlock()
	}
}

func modeAcked(ctx context.Context, dsn, file string) {
	_, k, err := bootstrap(ctx, dsn)
	if k != nil {
		k.c.close()
	}
	if !ok(err == nil, "acked: kine's bootstrap (err %v)", err) {
		return
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if !ok(err == nil, "acked: open %s (err %v)", file, err) {
		return
	}
	defer f.Close()
	a := &ackLog{f: f}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) { defer wg.Done(); ackWriter(wctx, dsn, w, a) }(w)
	}
	wg.Add(1)
	go func() { defer wg.Done(); ackTxWriter(wctx, dsn, a) }()
	wg.Wait()
	ok(a.n > 0, "acked: %d writes acknowledged (%d of them by a commit) before the connections broke", a.n, a.inTx)
	ok(len(a.sqlErrs) == 0, "acked: no SQL error before the connections broke (%d)", len(a.sqlErrs))
	for _, s := range a.sqlErrs {
		note("  %s", s)
	}
	ok(wctx.Err() == nil, "acked: the writers stopped because the connections broke, not by the timeout")
	for _, s := range a.ends {
		note("  stopped: %s", s)
	}
}
