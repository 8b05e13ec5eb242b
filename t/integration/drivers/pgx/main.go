// pgx v4 through pgpin in transaction mode: named prepared statements with
// pgx's default statement cache, explicitly prepared names that collide
// between connections, and the statement cache's DEALLOCATE path.
//
//	pgxdrv MODE CONNSTRING
//
// MODE is "pool" (pgxpool, 8 connections, transactions, batches), "names"
// (6 connections, the same statement name for different texts, 42P05,
// DEALLOCATE, 26000) or "cache" (6 connections with
// statement_cache_capacity=4 cycling through 10 statements, so that pgx
// deallocates its lrupsc_N_M statements by name all the time; two
// processes running this mode at once use the same lrupsc names for
// different texts).
//
// Output: "ok DESC", "not ok DESC" and "# NOTE" lines, renumbered into TAP by
// t/integration/test_drivers.sh.  Built with Debian's golang-go and
// golang-github-jackc-pgx-v4-dev: GOPATH=/usr/share/gocode GO111MODULE=off.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"
)

// ok, note and failed: tap.go (t/integration/gotap).

// errs collects the unexpected errors of concurrent workers.
type errs struct {
	mu   sync.Mutex
	n    int
	list []string
}

func (e *errs) add(format string, args ...interface{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if len(e.list) < 10 {
		e.list = append(e.list, fmt.Sprintf(format, args...))
	}
}

func (e *errs) report(desc string) {
	ok(e.n == 0, "%s: no errors (%d)", desc, e.n)
	for _, s := range e.list {
		note("  %s", s)
	}
}

func sqlstate(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// ------------------------------------------------------------ pool

func modePool(ctx context.Context, connstr string) {
	const workers = 8
	const iters = 40
	cfg, err := pgxpool.ParseConfig(connstr)
	if !ok(err == nil, "pool: parse config") {
		note("%v", err)
		return
	}
	cfg.MaxConns = workers
	cfg.MinConns = workers
	pool, err := pgxpool.ConnectConfig(ctx, cfg)
	if !ok(err == nil, "pool: connect") {
		note("%v", err)
		return
	}
	defer pool.Close()

	_, err = pool.Exec(ctx, `DROP TABLE IF EXISTS drv_pgx;
		CREATE TABLE drv_pgx (id serial PRIMARY KEY, worker int NOT NULL, seq int NOT NULL,
			payload text NOT NULL, touched int NOT NULL DEFAULT 0)`)
	if !ok(err == nil, "pool: create table") {
		note("%v", err)
		return
	}

	// Hold all 8 connections at once, so the pool really has 8 clients.
	var conns []*pgxpool.Conn
	for i := 0; i < workers; i++ {
		c, err := pool.Acquire(ctx)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	ok(len(conns) == workers, "pool: %d connections open at once (want %d)", len(conns), workers)
	for _, c := range conns {
		c.Release()
	}

	var e errs
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				// A transaction: several prepared statements on one server.
				tx, err := pool.Begin(ctx)
				if err != nil {
					e.add("w%d i%d begin: %v", w, i, err)
					continue
				}
				payload := fmt.Sprintf("w%d-i%d", w, i)
				var id int
				err = tx.QueryRow(ctx, "INSERT INTO drv_pgx (worker, seq, payload) VALUES ($1, $2, $3) RETURNING id",
					w, i, payload).Scan(&id)
				if err != nil {
					e.add("w%d i%d insert: %v", w, i, err)
					tx.Rollback(ctx)
					continue
				}
				var n int
				if err = tx.QueryRow(ctx, "SELECT count(*) FROM drv_pgx WHERE worker = $1", w).Scan(&n); err != nil {
					e.add("w%d i%d count: %v", w, i, err)
				} else if n != i+1 {
					e.add("w%d i%d: count %d, want %d", w, i, n, i+1)
				}
				if _, err = tx.Exec(ctx, "UPDATE drv_pgx SET touched = touched + $1 WHERE id = $2", 1, id); err != nil {
					e.add("w%d i%d update: %v", w, i, err)
				}
				var got string
				if err = tx.QueryRow(ctx, "SELECT payload FROM drv_pgx WHERE id = $1 AND touched = $2", id, 1).Scan(&got); err != nil {
					e.add("w%d i%d select: %v", w, i, err)
				} else if got != payload {
					e.add("w%d i%d: payload %q, want %q", w, i, got, payload)
				}
				if err = tx.Commit(ctx); err != nil {
					e.add("w%d i%d commit: %v", w, i, err)
				}

				// Autocommit statements with parameters of several types.
				var a int64
				var b string
				var c bool
				err = pool.QueryRow(ctx, "SELECT $1::int8 * 3, $2::text || '/' || $3::text, $4::bool",
					int64(w*1000+i), "w", payload, i%2 == 0).Scan(&a, &b, &c)
				if err != nil {
					e.add("w%d i%d scalar: %v", w, i, err)
				} else if a != int64(w*1000+i)*3 || b != "w/"+payload || c != (i%2 == 0) {
					e.add("w%d i%d scalar: got %d %q %v", w, i, a, b, c)
				}

				// A multi-row result.
				rows, err := pool.Query(ctx, "SELECT g, g * $1::int FROM generate_series(1, $2::int) g", w+1, i%7+1)
				if err != nil {
					e.add("w%d i%d rows: %v", w, i, err)
				} else {
					k := 0
					for rows.Next() {
						var g, m int
						if err := rows.Scan(&g, &m); err != nil {
							e.add("w%d i%d scan: %v", w, i, err)
							break
						}
						k++
						if g != k || m != k*(w+1) {
							e.add("w%d i%d row %d: %d %d", w, i, k, g, m)
						}
					}
					if rows.Err() != nil {
						e.add("w%d i%d rows: %v", w, i, rows.Err())
					} else if k != i%7+1 {
						e.add("w%d i%d: %d rows, want %d", w, i, k, i%7+1)
					}
					rows.Close()
				}

				// A batch: prepared statements pipelined, one Sync.
				if i%5 == 0 {
					b := &pgx.Batch{}
					b.Queue("SELECT $1::int + 1", w)
					b.Queue("SELECT count(*) FROM drv_pgx WHERE worker = $1", w)
					b.Queue("SELECT $1::text || $2::text", "b", payload)
					br := pool.SendBatch(ctx, b)
					var x, cnt int
					var s string
					if err := br.QueryRow().Scan(&x); err != nil || x != w+1 {
						e.add("w%d i%d batch 1: %v %d", w, i, err, x)
					}
					if err := br.QueryRow().Scan(&cnt); err != nil || cnt != i+1 {
						e.add("w%d i%d batch 2: %v %d", w, i, err, cnt)
					}
					if err := br.QueryRow().Scan(&s); err != nil || s != "b"+payload {
						e.add("w%d i%d batch 3: %v %q", w, i, err, s)
					}
					if err := br.Close(); err != nil {
						e.add("w%d i%d batch close: %v", w, i, err)
					}
				}
			}
		}(w)
	}
	wg.Wait()
	e.report(fmt.Sprintf("pool: %d workers x %d transactions", workers, iters))

	var total, touched int
	err = pool.QueryRow(ctx, "SELECT count(*), sum(touched) FROM drv_pgx").Scan(&total, &touched)
	ok(err == nil && total == workers*iters && touched == workers*iters,
		"pool: %d rows, each updated once (got %d rows, %d updates, err %v)", workers*iters, total, touched, err)
	var bad int
	err = pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT worker FROM drv_pgx GROUP BY worker
		HAVING count(*) <> $1::int OR array_agg(seq ORDER BY seq) <> array(SELECT generate_series(0, $1::int - 1))) x`,
		iters).Scan(&bad)
	ok(err == nil && bad == 0, "pool: every worker's rows are exactly its own (bad workers %d, err %v)", bad, err)
}

// ------------------------------------------------------------ names

// The text conn i prepares as "same": even connections return (int8, text),
// odd ones (text, text, int4), so a mix-up shows in the values and in the
// row shape.
func sameText(i int) string {
	if i%2 == 0 {
		return fmt.Sprintf("SELECT $1::int8 + %d AS v, 'conn%d' AS who", i, i)
	}
	return fmt.Sprintf("SELECT ($1::int8 + %d)::text AS v, 'conn%d'::text AS who, %d AS extra", i, i, i)
}

func checkSame(ctx context.Context, conn *pgx.Conn, i int, x int64) error {
	rows, err := conn.Query(ctx, "same", x)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if rows.Err() != nil {
			return rows.Err()
		}
		return fmt.Errorf("no row")
	}
	vals, err := rows.Values()
	if err != nil {
		return err
	}
	want := []interface{}{x + int64(i), fmt.Sprintf("conn%d", i)}
	if i%2 == 1 {
		want = []interface{}{fmt.Sprint(x + int64(i)), fmt.Sprintf("conn%d", i), int32(i)}
	}
	if fmt.Sprint(vals) != fmt.Sprint(want) {
		return fmt.Errorf("\"same\" on conn%d returned %v, want %v", i, vals, want)
	}
	if rows.Next() {
		return fmt.Errorf("more than one row")
	}
	return rows.Err()
}

func modeNames(ctx context.Context, connstr string) {
	const nconn = 6
	const iters = 60
	conns := make([]*pgx.Conn, nconn)
	for i := range conns {
		c, err := pgx.Connect(ctx, connstr)
		if !ok(err == nil, "names: connect conn%d", i) {
			note("%v", err)
			return
		}
		conns[i] = c
		defer c.Close(ctx)
	}
	shared := "SELECT $1::int8 * 10 AS v, $2::text AS tag"
	for i, c := range conns {
		_, err1 := c.Prepare(ctx, "same", sameText(i))
		_, err2 := c.Prepare(ctx, "shared", shared)
		if !ok(err1 == nil && err2 == nil, "names: conn%d prepares \"same\" (its own text) and \"shared\" (the common text)", i) {
			note("%v / %v", err1, err2)
			return
		}
	}

	var e errs
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func(i int, c *pgx.Conn) {
			defer wg.Done()
			for k := 0; k < iters; k++ {
				x := int64(i*100000 + k)
				if k%3 == 2 {
					// inside a transaction, both statements
					tx, err := c.Begin(ctx)
					if err != nil {
						e.add("conn%d k%d begin: %v", i, k, err)
						continue
					}
					if err := checkSame(ctx, c, i, x); err != nil {
						e.add("conn%d k%d same in tx: %v", i, k, err)
					}
					var v int64
					var tag string
					if err := tx.QueryRow(ctx, "shared", x, fmt.Sprint("c", i)).Scan(&v, &tag); err != nil || v != x*10 || tag != fmt.Sprint("c", i) {
						e.add("conn%d k%d shared in tx: %v %d %q", i, k, err, v, tag)
					}
					if err := tx.Commit(ctx); err != nil {
						e.add("conn%d k%d commit: %v", i, k, err)
					}
					continue
				}
				if err := checkSame(ctx, c, i, x); err != nil {
					e.add("conn%d k%d same: %v", i, k, err)
				}
				var v int64
				var tag string
				if err := c.QueryRow(ctx, "shared", x, fmt.Sprint("c", i)).Scan(&v, &tag); err != nil || v != x*10 || tag != fmt.Sprint("c", i) {
					e.add("conn%d k%d shared: %v %d %q", i, k, err, v, tag)
				}
			}
		}(i, c)
	}
	wg.Wait()
	e.report(fmt.Sprintf("names: %d connections x %d rounds of \"same\" (different texts) and \"shared\" (one text)", nconn, iters))

	// The same name again with another text: 42P05, as from PostgreSQL.
	c := conns[0]
	_, err := c.Prepare(ctx, "same", "SELECT 'other text'")
	ok(sqlstate(err) == "42P05", "names: preparing \"same\" again with another text fails with 42P05 (got %v)", err)
	ok(checkSame(ctx, c, 0, 7) == nil, "names: \"same\" still runs its first text after the 42P05")

	// DEALLOCATE "same" (pgx sends it as SQL), then a new text under the name.
	err = c.Deallocate(ctx, "same")
	ok(err == nil, "names: DEALLOCATE \"same\" (err %v)", err)
	_, err = c.Prepare(ctx, "same", "SELECT $1::int8 - 1 AS v, 'renewed' AS who")
	ok(err == nil, "names: \"same\" prepared again with a new text (err %v)", err)
	var v int64
	var who string
	err = c.QueryRow(ctx, "same", int64(50)).Scan(&v, &who)
	ok(err == nil && v == 49 && who == "renewed", "names: the new \"same\" runs the new text (%d %q, err %v)", v, who, err)
	ok(checkSame(ctx, conns[1], 1, 5) == nil, "names: conn1's \"same\" is untouched")

	// DEALLOCATE inside a transaction, prepare again, use, commit.
	tx, err := c.Begin(ctx)
	if ok(err == nil, "names: begin") {
		err1 := c.Deallocate(ctx, "shared")
		_, err2 := c.Prepare(ctx, "shared", shared)
		var v int64
		var tag string
		err3 := tx.QueryRow(ctx, "shared", int64(4), "t").Scan(&v, &tag)
		err4 := tx.Commit(ctx)
		ok(err1 == nil && err2 == nil && err3 == nil && err4 == nil && v == 40 && tag == "t",
			"names: DEALLOCATE and Prepare inside a transaction (%v %v %v %v %d)", err1, err2, err3, err4, v)
	}

	// Executing a name this client never prepared: 26000, and the
	// connection goes on working.
	rr := c.PgConn().ExecPrepared(ctx, "never_prepared", nil, nil, nil)
	_, err = rr.Close()
	ok(sqlstate(err) == "26000", "names: executing an unknown name fails with 26000 (got %v)", err)
	// A name conn1 prepared is unknown to conn0.
	_, err = c.Prepare(ctx, "conn1_only", "SELECT 1")
	if err == nil {
		err = c.Deallocate(ctx, "conn1_only")
	}
	_, err1 := conns[1].Prepare(ctx, "conn1_only", "SELECT 11")
	rr = c.PgConn().ExecPrepared(ctx, "conn1_only", nil, nil, nil)
	_, err2 := rr.Close()
	ok(err == nil && err1 == nil && sqlstate(err2) == "26000",
		"names: conn0 cannot run conn1's statement (26000) (%v %v %v)", err, err1, err2)
	err = c.QueryRow(ctx, "same", int64(1)).Scan(&v, &who)
	ok(err == nil && v == 0, "names: conn0 still works after the errors (%d, err %v)", v, err)

	// An error while executing a named statement in a transaction, then rollback.
	_, err = c.Prepare(ctx, "div", "SELECT 10 / $1::int")
	tx, err1 = c.Begin(ctx)
	var q int
	err2 = tx.QueryRow(ctx, "div", 0).Scan(&q)
	err3 := tx.Rollback(ctx)
	err4 := tx.Commit(ctx)
	var q2 int
	err5 := c.QueryRow(ctx, "div", 5).Scan(&q2)
	ok(err == nil && err1 == nil && sqlstate(err2) == "22012" && err3 == nil && q2 == 2 && err5 == nil,
		"names: division by zero in a transaction, rollback, statement reused (%v %v %v %v %v %v q2=%d)",
		err, err1, err2, err3, err4, err5, q2)
}

// ------------------------------------------------------------ cache

func modeCache(ctx context.Context, connstr string, tag string) {
	const nconn = 6
	const rounds = 15
	const nq = 10
	sep := "?"
	if strings.Contains(connstr, "?") {
		sep = "&"
	}
	cs := connstr + sep + "statement_cache_capacity=4"
	// Processes with different tags walk the texts in different orders.
	off := 0
	for _, b := range []byte(tag) {
		off += int(b)
	}
	var e errs
	var wg sync.WaitGroup
	for i := 0; i < nconn; i++ {
		c, err := pgx.Connect(ctx, cs)
		if !ok(err == nil, "cache%s: connect conn%d", tag, i) {
			note("%v", err)
			return
		}
		defer c.Close(ctx)
		wg.Add(1)
		go func(i int, c *pgx.Conn) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for j := 0; j < nq; j++ {
					// Every connection walks the 10 texts in its own order,
					// so equal lrupsc names mean different texts.
					q := (j*(i+1) + r + off) % nq
					sql := fmt.Sprintf("SELECT $1::int8 + %d AS v%d", q*1000, q)
					x := int64(i*100 + r)
					var v int64
					if r%4 == 3 && j == 0 {
						tx, err := c.Begin(ctx)
						if err == nil {
							err = tx.QueryRow(ctx, sql, x).Scan(&v)
							if err == nil {
								err = tx.Commit(ctx)
							}
						}
						if err != nil || v != x+int64(q*1000) {
							e.add("conn%d r%d q%d in tx: %v (%d)", i, r, q, err, v)
						}
						continue
					}
					if err := c.QueryRow(ctx, sql, x).Scan(&v); err != nil || v != x+int64(q*1000) {
						e.add("conn%d r%d q%d: %v (%d, want %d)", i, r, q, err, v, x+int64(q*1000))
					}
				}
			}
		}(i, c)
	}
	wg.Wait()
	e.report(fmt.Sprintf("cache%s: %d connections, statement cache of 4, %d statements x %d rounds (pgx deallocates by name)",
		tag, nconn, nq, rounds))
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: pgxdrv pool|names|cache[TAG] CONNSTRING")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	mode, connstr := os.Args[1], os.Args[2]
	switch {
	case mode == "pool":
		modePool(ctx, connstr)
	case mode == "names":
		modeNames(ctx, connstr)
	case strings.HasPrefix(mode, "cache"):
		modeCache(ctx, connstr, strings.TrimPrefix(mode, "cache"))
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}
