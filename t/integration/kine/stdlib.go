package main

// stdlib.go - kine's statements through pgx v4's database/sql adapter
// (github.com/jackc/pgx/v4/stdlib, the default statement cache: prepared
// statements lrupsc_N_M, 512 of them), the way older kine releases and
// other database/sql programs talk to pgpin:
//
//	kinewire stdlib DSN
//
// createDBIfNotExist, Ping, version(), the schema, Migrate's 42P01, then
// Insert ... RETURNING id, GetSingleVal, a racing Insert (23505 with the
// constraint name through database/sql), ListCurrentVal with LIMIT,
// CountCurrent, a delete, a compaction transaction (serializable) and
// generation B's explicitly prepared watch poll (LIKE ... ESCAPE '^'),
// checking every result.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgconn"
	_ "github.com/jackc/pgx/v4/stdlib"
)

func stdErr(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Sprintf("C=%s n=%q t=%q M=%q", pe.Code, pe.ConstraintName, pe.TableName, pe.Message)
	}
	return fmt.Sprint(err)
}

type stdRow struct {
	cur, id, createRev, prevRev int64
	comp                        sql.NullInt64
	name                        string
	created, deleted, lease     int64
	value                       []byte
}

func stdGet(ctx context.Context, db *sql.DB, key string) (*stdRow, error) {
	var r stdRow
	err := db.QueryRowContext(ctx, sqlGetSingleVal, key, false).Scan(&r.cur, &r.comp, &r.id, &r.name, &r.created,
		&r.deleted, &r.createRev, &r.prevRev, &r.lease, &r.value)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func stdInsert(ctx context.Context, db *sql.DB, key string, create, del bool, createRev, prevRev int64,
	value []byte) (int64, error) {
	var id int64
	// the Go types kine passes: int for the int4 flags, int64 revisions
	err := db.QueryRowContext(ctx, sqlInsert, key, int(b2i(create)), int(b2i(del)), createRev, prevRev, 0, value,
		prevRev).Scan(&id)
	return id, err
}

func modeStdlib(ctx context.Context, dsn string) {
	name := dbOf(dsn)
	pg, err := sql.Open("pgx", withDB(dsn, "postgres"))
	if !ok(err == nil, "stdlib: sql.Open (err %v)", err) {
		return
	}
	var one int
	err = pg.QueryRowContext(ctx, sqlDBExists, name).Scan(&one)
	if err == sql.ErrNoRows {
		_, err = pg.ExecContext(ctx, `CREATE DATABASE "`+name+`";`)
		// kine only logs a failed CREATE DATABASE; connecting is what counts
		note("stdlib: CREATE DATABASE %q: %v", name, err)
	} else {
		note("stdlib: pg_database lookup of %q: %d, err %v", name, one, err)
	}
	pg.Close()

	db, err := sql.Open("pgx", dsn)
	if !ok(err == nil, "stdlib: sql.Open %s (err %v)", name, err) {
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(3)
	perr := 0
	for i := 0; i < 3; i++ {
		if err := db.PingContext(ctx); err != nil {
			perr++
			note("stdlib: ping: %v", err)
		}
	}
	ok(perr == 0, "stdlib: 3 x Ping")
	var version string
	err = db.QueryRowContext(ctx, sqlVersion).Scan(&version)
	ok(err == nil && strings.HasPrefix(version, "PostgreSQL ") && !strings.Contains(version, "cockroach"),
		"stdlib: select version() (%q, err %v)", version, err)
	derr := 0
	for _, ddl := range schemaDDL {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			derr++
			note("stdlib: %s: %s", ddl, stdErr(err))
		}
	}
	ok(derr == 0, "stdlib: the 7 schema statements (simple protocol, no arguments)")
	var n int64
	err = db.QueryRowContext(ctx, sqlMigrateCountKV).Scan(&n)
	ok(strings.HasPrefix(stdErr(err), "C=42P01 "), "stdlib: SELECT COUNT(*) FROM key_value fails with 42P01 (%s)",
		stdErr(err))
	var before int64
	err = db.QueryRowContext(ctx, sqlMigrateCountKine).Scan(&before)
	ok(err == nil, "stdlib: SELECT COUNT(*) FROM kine after it (%d, err %v)", before, err)

	// five keys, created the way kine creates them
	prefix := "/registry/configmaps/stdlib/"
	ids := map[string]int64{}
	ierr := 0
	var last int64
	for i := 0; i < 5; i++ {
		key := fmt.Sprintf("%scm%d", prefix, i)
		// prev_revision 0, not the current revision as kine's Create
		// records it: the compaction below would take that row
		id, err := stdInsert(ctx, db, key, true, false, 0, 0, []byte(fmt.Sprintf("v%d\x00\xff", i)))
		if err != nil || id <= last {
			ierr++
			note("stdlib: insert %s: id %d, err %s", key, id, stdErr(err))
		}
		ids[key], last = id, id
	}
	ok(ierr == 0, "stdlib: 5 x Insert ... RETURNING id, ids ascending")

	key := prefix + "cm2"
	r, err := stdGet(ctx, db, key)
	ok(err == nil && r != nil && r.id == ids[key] && r.name == key && r.created == 1 && r.deleted == 0 &&
		string(r.value) == "v2\x00\xff" && r.cur == last,
		"stdlib: GetSingleVal %s (%+v, err %v)", key, r, err)
	_, err = stdInsert(ctx, db, key, true, false, 0, r.prevRev, []byte("dup"))
	ok(strings.HasPrefix(stdErr(err), `C=23505 n="kine_name_prev_revision_uindex" t="kine"`),
		"stdlib: a second create from the same revision: %s", stdErr(err))
	id2, err := stdInsert(ctx, db, key, false, false, r.id, r.id, []byte("v2-updated"))
	r2, err2 := stdGet(ctx, db, key)
	ok(err == nil && err2 == nil && r2 != nil && r2.id == id2 && id2 > last && string(r2.value) == "v2-updated" &&
		r2.prevRev == r.id && r2.createRev == r.id,
		"stdlib: update, then GetSingleVal (%+v, err %v %v)", r2, err, err2)

	list := func(limit int) ([]string, error) {
		rows, err := db.QueryContext(ctx, fmt.Sprintf("%s LIMIT %d", sqlListCurrentVal, limit), prefix,
			prefixEnd(prefix), false)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var x stdRow
			if err := rows.Scan(&x.cur, &x.comp, &x.id, &x.name, &x.created, &x.deleted, &x.createRev, &x.prevRev,
				&x.lease, &x.value); err != nil {
				return got, err
			}
			got = append(got, fmt.Sprintf("%s=%q", strings.TrimPrefix(x.name, prefix), x.value))
		}
		return got, rows.Err()
	}
	got, err := list(3)
	ok(err == nil && strings.Join(got, " ") == `cm0="v0\x00\xff" cm1="v1\x00\xff" cm2="v2-updated"`,
		"stdlib: ListCurrentVal LIMIT 3 (%v, err %v)", got, err)
	got, err = list(501)
	ok(err == nil && len(got) == 5, "stdlib: ListCurrentVal LIMIT 501 (%d rows, err %v)", len(got), err)

	count := func() (int64, int64, error) {
		var cur, n int64
		err := db.QueryRowContext(ctx, sqlCountCurrent, prefix, prefixEnd(prefix), false).Scan(&cur, &n)
		return cur, n, err
	}
	cur, cnt, err := count()
	ok(err == nil && cnt == 5 && cur == id2, "stdlib: CountCurrent (%d at %d, err %v)", cnt, cur, err)

	// delete cm4: a tombstone, not counted any more
	dkey := prefix + "cm4"
	did, err := stdInsert(ctx, db, dkey, false, true, ids[dkey], ids[dkey], []byte("v4\x00\xff"))
	_, cnt, err2 = count()
	ok(err == nil && err2 == nil && cnt == 4 && did > id2, "stdlib: delete, then CountCurrent (%d, err %v %v)", cnt,
		err, err2)

	// a compaction batch: serializable transaction
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if ok(err == nil, "stdlib: BeginTx serializable (err %v)", err) {
		var tcur int64
		var tcomp sql.NullInt64
		err1 := tx.QueryRowContext(ctx, sqlCurrentRev).Scan(&tcur)
		err2 := tx.QueryRowContext(ctx, sqlCompactRev).Scan(&tcomp)
		res, err3 := tx.ExecContext(ctx, sqlCompact, tcur, tcur)
		var deleted int64 = -1
		if err3 == nil {
			deleted, _ = res.RowsAffected()
		}
		_, err4 := tx.ExecContext(ctx, sqlUpdateCompact, tcur)
		err5 := tx.Commit()
		// superseded: cm2's create; the tombstone cm4 and its create
		ok(err1 == nil && err2 == nil && err3 == nil && err4 == nil && err5 == nil && deleted == 3,
			"stdlib: compaction transaction (deleted %d rows; errors %v %v %v %v %v)", deleted, err1, err2,
			stdErr(err3), err4, err5)
	}
	got, err = list(501)
	ok(err == nil && strings.Join(got, " ") == `cm0="v0\x00\xff" cm1="v1\x00\xff" cm2="v2-updated" cm3="v3\x00\xff"`,
		"stdlib: ListCurrentVal after the compaction (%v, err %v)", got, err)

	// generation B's watch poll, prepared explicitly (stmt_<sha> in pgx v5;
	// pgx v4 names it its own way)
	var poll string
	for _, st := range refStmts {
		if st.label == "PollPrepared" {
			poll = st.sql
		}
	}
	stmt, err := db.PrepareContext(ctx, poll)
	if ok(err == nil, "stdlib: Prepare generation B's watch poll (err %s)", stdErr(err)) {
		var names []string
		for round := 0; round < 2; round++ {
			names = nil
			rows, err := stmt.QueryContext(ctx, prefix+"%", int64(0))
			if err != nil {
				note("stdlib: poll: %s", stdErr(err))
				break
			}
			for rows.Next() {
				var x stdRow
				var old []byte
				if err := rows.Scan(&x.cur, &x.comp, &x.id, &x.name, &x.created, &x.deleted, &x.createRev,
					&x.prevRev, &x.lease, &x.value, &old); err != nil {
					note("stdlib: poll scan: %v", err)
					break
				}
				names = append(names, strings.TrimPrefix(x.name, prefix))
			}
			rows.Close()
		}
		// after the compaction: cm0, cm1, cm3 creates and cm2's update
		ok(strings.Join(names, " ") == "cm0 cm1 cm3 cm2", "stdlib: the prepared poll, twice (%v)", names)
		ok(stmt.Close() == nil, "stdlib: close the prepared poll")
	}
}
