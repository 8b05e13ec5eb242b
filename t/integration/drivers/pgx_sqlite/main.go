// pgx v4 against pgpin's SQLite backend: values of each type both ways.
//
//	pgxsqlite CONNSTRING
//
// pgx prepares every query (its statement cache: a named Parse, Describe
// Statement, Sync), encodes each argument for the parameter OID the
// server announced and decodes each column by its RowDescription OID,
// binary where pgtype can.  So the OIDs the SQLite backend infers decide
// what works.  Checked: parameterized insert/select of int4, text, bool,
// bytea, timestamp, int8 and NULL (pgtype's nullable types), the
// announced OIDs, the simple protocol (PreferSimpleProtocol) on the same
// table, a transaction rolled back, and 23505 with the constraint name.
//
// Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP by
// t/integration/test_sqlite.sh.  Built with Debian's golang-go and
// golang-github-jackc-pgx-v4-dev: GOPATH=/usr/share/gocode GO111MODULE=off.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgtype"
	"github.com/jackc/pgx/v4"
)

// ok, note and failed: tap.go (t/integration/gotap).

func is(got, want interface{}, format string, args ...interface{}) {
	if !ok(reflect.DeepEqual(got, want), format, args...) {
		note("got:  %#v", got)
		note("want: %#v", want)
	}
}

type row struct {
	i   pgtype.Int4
	s   pgtype.Text
	b   pgtype.Bool
	bin pgtype.Bytea
	ts  pgtype.Timestamp
	n   pgtype.Int8
}

func (r row) String() string {
	return fmt.Sprintf("{i:%v/%v s:%q/%v b:%v/%v bin:%x/%v ts:%v/%v n:%v/%v}",
		r.i.Int, r.i.Status, r.s.String, r.s.Status, r.b.Bool, r.b.Status, r.bin.Bytes, r.bin.Status,
		r.ts.Time, r.ts.Status, r.n.Int, r.n.Status)
}

func same(a, b row) bool {
	return a.i == b.i && a.s == b.s && a.b == b.b && bytes.Equal(a.bin.Bytes, b.bin.Bytes) &&
		a.bin.Status == b.bin.Status && a.ts.Status == b.ts.Status &&
		a.ts.Time.Equal(b.ts.Time) && a.n == b.n
}

var rows = []row{
	{pgtype.Int4{Int: 42, Status: pgtype.Present}, pgtype.Text{String: "hello, world", Status: pgtype.Present},
		pgtype.Bool{Bool: true, Status: pgtype.Present}, pgtype.Bytea{Bytes: []byte{0, 1, 0xfe, 0xff}, Status: pgtype.Present},
		pgtype.Timestamp{Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Status: pgtype.Present},
		pgtype.Int8{Int: 9007199254740993, Status: pgtype.Present}},
	{pgtype.Int4{Int: -7, Status: pgtype.Present}, pgtype.Text{String: "ünïcödé 'quoted'", Status: pgtype.Present},
		pgtype.Bool{Bool: false, Status: pgtype.Present}, pgtype.Bytea{Bytes: []byte{}, Status: pgtype.Present},
		pgtype.Timestamp{Time: time.Date(1999, 12, 31, 23, 59, 59, 250000000, time.UTC), Status: pgtype.Present},
		pgtype.Int8{Int: -1, Status: pgtype.Present}},
	{pgtype.Int4{Status: pgtype.Null}, pgtype.Text{Status: pgtype.Null}, pgtype.Bool{Status: pgtype.Null}, pgtype.Bytea{Status: pgtype.Null},
		pgtype.Timestamp{Status: pgtype.Null}, pgtype.Int8{Status: pgtype.Null}},
}

// roundtrip fills the table and reads it back over conn; label names the mode.
func roundtrip(ctx context.Context, conn *pgx.Conn, label string) {
	_, err := conn.Exec(ctx, "DROP TABLE IF EXISTS drv_pgx_types")
	if err == nil {
		_, err = conn.Exec(ctx, "CREATE TABLE drv_pgx_types (id serial PRIMARY KEY, i int, s text, "+
			"b boolean, bin bytea, ts timestamp, n bigint)")
	}
	if !ok(err == nil, "%s: create table", label) {
		note("%v", err)
		return
	}
	var ids []int32
	for k, r := range rows {
		var id int32
		err := conn.QueryRow(ctx, "INSERT INTO drv_pgx_types (i, s, b, bin, ts, n) "+
			"VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", r.i, r.s, r.b, r.bin, r.ts, r.n).Scan(&id)
		if !ok(err == nil, "%s: insert row %d", label, k+1) {
			note("%v", err)
			return
		}
		ids = append(ids, id)
	}
	is(ids, []int32{1, 2, 3}, "%s: INSERT ... RETURNING id", label)
	for k, want := range rows {
		var got row
		err := conn.QueryRow(ctx, "SELECT i, s, b, bin, ts, n FROM drv_pgx_types WHERE id = $1", ids[k]).
			Scan(&got.i, &got.s, &got.b, &got.bin, &got.ts, &got.n)
		if !ok(err == nil, "%s: select row %d", label, k+1) {
			note("%v", err)
			continue
		}
		if !ok(same(got, want), "%s: row %d read back", label, k+1) {
			note("got:  %v", got)
			note("want: %v", want)
		}
	}
	rs, err := conn.Query(ctx, "SELECT i, s, b, bin, ts, n FROM drv_pgx_types WHERE b = $1 OR bin = $2 ORDER BY id",
		false, []byte{0, 1, 0xfe, 0xff})
	if !ok(err == nil, "%s: WHERE b = $1 OR bin = $2", label) {
		note("%v", err)
		return
	}
	var oids []uint32
	for _, fd := range rs.FieldDescriptions() {
		oids = append(oids, fd.DataTypeOID)
	}
	n := 0
	for rs.Next() {
		n++
	}
	rs.Close()
	is(oids, []uint32{23, 25, 16, 17, 1114, 20}, "%s: RowDescription type OIDs", label)
	ok(rs.Err() == nil && n == 2, "%s: WHERE b = $1 OR bin = $2 gives 2 rows (%d, %v)", label, n, rs.Err())
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pgxsqlite CONNSTRING")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	connstr := os.Args[1]

	conn, err := pgx.Connect(ctx, connstr)
	if !ok(err == nil, "connect") {
		note("%v", err)
		os.Exit(1)
	}
	ok(strings.HasPrefix(conn.PgConn().ParameterStatus("server_version"), "15."),
		"server_version %q", conn.PgConn().ParameterStatus("server_version"))
	roundtrip(ctx, conn, "prepared (statement cache)")

	// A rolled-back transaction leaves nothing; the error carries the constraint.
	tx, err := conn.Begin(ctx)
	if ok(err == nil, "begin") {
		_, err = tx.Exec(ctx, "INSERT INTO drv_pgx_types (i) VALUES ($1)", int32(100))
		ok(err == nil, "insert in a transaction (%v)", err)
		ok(tx.Rollback(ctx) == nil, "rollback")
	}
	var cnt int64
	err = conn.QueryRow(ctx, "SELECT count(*) FROM drv_pgx_types WHERE i = $1", int32(100)).Scan(&cnt)
	ok(err == nil && cnt == 0, "the rolled-back row is gone (count %d, %v)", cnt, err)
	_, err = conn.Exec(ctx, "INSERT INTO drv_pgx_types (id, i) VALUES ($1, $2)", int32(1), int32(1))
	var pe *pgconn.PgError
	if ok(errors.As(err, &pe), "a duplicate primary key fails (%v)", err) {
		is([]string{pe.Code, pe.ConstraintName}, []string{"23505", "drv_pgx_types_pkey"},
			"a duplicate primary key: 23505 naming drv_pgx_types_pkey")
	}
	conn.Close(ctx)

	cfg, err := pgx.ParseConfig(connstr)
	if ok(err == nil, "parse config") {
		cfg.PreferSimpleProtocol = true
		sc, err := pgx.ConnectConfig(ctx, cfg)
		if ok(err == nil, "connect (simple protocol)") {
			roundtrip(ctx, sc, "simple protocol")
			sc.Close(ctx)
		} else {
			note("%v", err)
		}
	}
	if failed {
		os.Exit(1)
	}
}
