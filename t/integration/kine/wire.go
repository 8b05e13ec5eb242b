package main

// wire.go - the protocol messages kine sends through pgx v5 (v5.10.0, the
// version of kine v0.16.4), written with pgx v4's pgconn (Debian has no pgx
// v5): connection and authentication by pgconn, then raw messages with
// SendBytes/ReceiveMessage, exactly as pgx v5's QueryExecModeCacheStatement
// sends them (shared/reference/kine.md section 1.3):
//
//   - first use of a text: Parse("stmtcache_"+sha256(sql)[:48], sql, no
//     parameter types), Describe('S'), Sync;
//   - every use: Bind(unnamed portal, that name, parameter formats from the
//     described parameter types, result formats from the described
//     columns), Execute(max 0), Sync; no Describe('P');
//   - an error while a statement executes invalidates it, and a failed
//     Parse is remembered: before the next query, when the transaction
//     status is 'I' or 'T', pgx sends Close('S', name) for each (even for
//     a statement that was never created), then Sync;
//   - statements without arguments (DDL, begin/commit/rollback, "-- ping")
//     are simple Query messages.

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgproto3/v2"
)

const (
	oidBool  = 16
	oidBytea = 17
	oidInt8  = 20
	oidInt2  = 21
	oidInt4  = 23
	oidText  = 25
	oidName  = 19
)

type stmtDesc struct {
	name      string
	sql       string
	paramOIDs []uint32
	fields    []pgproto3.FieldDescription
}

// kconn is one kine connection: what database/sql + pgx v5 keep per
// connection.
type kconn struct {
	pc *pgconn.PgConn
	// statement cache, by SQL text
	cache map[string]*stmtDesc
	// names to Close before the next query (invalidated statements)
	invalid []string
	// a Parse that failed; closed before the next query too
	failedDescribe string

	// counters for the test
	closesSent     int
	closeCompletes int
	parses         int
}

func stmtName(sql string) string {
	sum := sha256.Sum256([]byte(sql))
	return "stmtcache_" + hex.EncodeToString(sum[:])[:48]
}

func kconnect(ctx context.Context, dsn string) (*kconn, error) {
	pc, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &kconn{pc: pc, cache: map[string]*stmtDesc{}}, nil
}

func (k *kconn) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5e9)
	defer cancel()
	k.pc.Close(ctx) // Terminate
}

func (k *kconn) txStatus() byte { return k.pc.TxStatus() }

func (k *kconn) send(ctx context.Context, msgs ...pgproto3.FrontendMessage) error {
	var buf []byte
	for _, m := range msgs {
		buf = m.Encode(buf)
	}
	return k.pc.SendBytes(ctx, buf)
}

// result of one round trip up to ReadyForQuery
type result struct {
	rows      [][][]byte
	fields    []pgproto3.FieldDescription
	paramOIDs []uint32
	tags      []string
	err       *pgconn.PgError
	// messages seen, by type letter, for the test's checks
	seen map[byte]int
}

func msgType(m pgproto3.BackendMessage) byte {
	switch m.(type) {
	case *pgproto3.ParseComplete:
		return '1'
	case *pgproto3.BindComplete:
		return '2'
	case *pgproto3.CloseComplete:
		return '3'
	case *pgproto3.CommandComplete:
		return 'C'
	case *pgproto3.DataRow:
		return 'D'
	case *pgproto3.ErrorResponse:
		return 'E'
	case *pgproto3.EmptyQueryResponse:
		return 'I'
	case *pgproto3.NoData:
		return 'n'
	case *pgproto3.NoticeResponse:
		return 'N'
	case *pgproto3.ParameterDescription:
		return 't'
	case *pgproto3.RowDescription:
		return 'T'
	case *pgproto3.ReadyForQuery:
		return 'Z'
	case *pgproto3.ParameterStatus:
		return 'S'
	}
	return '?'
}

// readUntilReady collects replies up to ReadyForQuery.  A connection
// error (or FATAL) is returned as err; an ErrorResponse goes in r.err.
func (k *kconn) readUntilReady(ctx context.Context) (*result, error) {
	r := &result{seen: map[byte]int{}}
	for {
		m, err := k.pc.ReceiveMessage(ctx)
		if err != nil {
			return r, err
		}
		r.seen[msgType(m)]++
		switch m := m.(type) {
		case *pgproto3.ReadyForQuery:
			return r, nil
		case *pgproto3.ErrorResponse:
			if r.err == nil {
				r.err = pgconn.ErrorResponseToPgError(m)
			}
		case *pgproto3.ParameterDescription:
			r.paramOIDs = append([]uint32{}, m.ParameterOIDs...)
		case *pgproto3.RowDescription:
			r.fields = append([]pgproto3.FieldDescription(nil), m.Fields...)
			for i := range r.fields {
				r.fields[i].Name = append([]byte(nil), m.Fields[i].Name...)
			}
		case *pgproto3.DataRow:
			row := make([][]byte, len(m.Values))
			for i, v := range m.Values {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			r.rows = append(r.rows, row)
		case *pgproto3.CommandComplete:
			r.tags = append(r.tags, string(m.CommandTag))
		}
	}
}

// simple sends one simple Query message.
func (k *kconn) simple(ctx context.Context, sql string) (*result, error) {
	if err := k.send(ctx, &pgproto3.Query{String: sql}); err != nil {
		return &result{seen: map[byte]int{}}, err
	}
	r, err := k.readUntilReady(ctx)
	if err != nil {
		return r, err
	}
	if r.err != nil {
		return r, r.err
	}
	return r, nil
}

// deallocateInvalidated is pgx v5's deallocateInvalidatedCachedStatements.
func (k *kconn) deallocateInvalidated(ctx context.Context) error {
	if s := k.txStatus(); s != 'I' && s != 'T' {
		return nil
	}
	names := k.invalid
	if k.failedDescribe != "" {
		names = append(names, k.failedDescribe)
	}
	if len(names) == 0 {
		return nil
	}
	var msgs []pgproto3.FrontendMessage
	for _, n := range names {
		msgs = append(msgs, &pgproto3.Close{ObjectType: 'S', Name: n})
	}
	msgs = append(msgs, &pgproto3.Sync{})
	if err := k.send(ctx, msgs...); err != nil {
		return err
	}
	k.closesSent += len(names)
	r, err := k.readUntilReady(ctx)
	if err != nil {
		return err
	}
	k.closeCompletes += r.seen['3']
	if r.err != nil {
		return fmt.Errorf("closing invalidated statements: %w", r.err)
	}
	if r.seen['3'] != len(names) {
		return fmt.Errorf("closing %d statements: %d CloseComplete", len(names), r.seen['3'])
	}
	k.invalid = nil
	k.failedDescribe = ""
	return nil
}

// prepare is pgx v5's cache-statement lookup: Parse/Describe/Sync on a miss.
func (k *kconn) prepare(ctx context.Context, sql string) (*stmtDesc, error) {
	if sd := k.cache[sql]; sd != nil {
		return sd, nil
	}
	name := stmtName(sql)
	if err := k.send(ctx, &pgproto3.Parse{Name: name, Query: sql},
		&pgproto3.Describe{ObjectType: 'S', Name: name}, &pgproto3.Sync{}); err != nil {
		return nil, err
	}
	k.parses++
	r, err := k.readUntilReady(ctx)
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		k.failedDescribe = name
		return nil, r.err
	}
	if r.seen['1'] != 1 || r.seen['t'] != 1 || r.seen['T']+r.seen['n'] != 1 {
		return nil, fmt.Errorf("Parse/Describe/Sync of %s: unexpected replies %v", name, r.seen)
	}
	sd := &stmtDesc{name: name, sql: sql, fields: r.fields, paramOIDs: r.paramOIDs}
	k.cache[sql] = sd
	return sd, nil
}

func (k *kconn) invalidate(sd *stmtDesc) {
	delete(k.cache, sd.sql)
	k.invalid = append(k.invalid, sd.name)
}

// encodeArg encodes a Go value into the OID the server described, as pgx
// does: string as text; other types in the OID's binary format; nil NULL.
func encodeArg(oid uint32, v interface{}) (int16, []byte, error) {
	switch v := v.(type) {
	case nil:
		return 0, nil, nil
	case string:
		return 0, []byte(v), nil
	case bool:
		if oid != oidBool {
			return 0, nil, fmt.Errorf("bool into oid %d", oid)
		}
		if v {
			return 1, []byte{1}, nil
		}
		return 1, []byte{0}, nil
	case int:
		return encodeArg(oid, int64(v))
	case int64:
		switch oid {
		case oidInt8:
			b := make([]byte, 8)
			binary.BigEndian.PutUint64(b, uint64(v))
			return 1, b, nil
		case oidInt4:
			b := make([]byte, 4)
			binary.BigEndian.PutUint32(b, uint32(int32(v)))
			return 1, b, nil
		case oidInt2:
			b := make([]byte, 2)
			binary.BigEndian.PutUint16(b, uint16(int16(v)))
			return 1, b, nil
		}
		return 0, nil, fmt.Errorf("int64 into oid %d", oid)
	case []byte:
		if oid != oidBytea {
			return 0, nil, fmt.Errorf("[]byte into oid %d", oid)
		}
		return 1, v, nil
	}
	return 0, nil, fmt.Errorf("cannot encode %T", v)
}

// resultFormat is the database/sql stdlib adapter's choice.
func resultFormat(oid uint32) int16 {
	switch oid {
	case 16, 17, 21, 23, 20, 700, 701, 26, 1082, 1114, 1184, 29, 28:
		return 1
	}
	return 0
}

// value is a decoded column: int64, bool, []byte, string or nil.
func decode(f pgproto3.FieldDescription, b []byte) (interface{}, error) {
	if b == nil {
		return nil, nil
	}
	if f.Format == 0 {
		return string(b), nil
	}
	switch f.DataTypeOID {
	case oidInt8:
		if len(b) != 8 {
			return nil, errors.New("int8 length")
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case oidInt4:
		if len(b) != 4 {
			return nil, errors.New("int4 length")
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case oidInt2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case oidBool:
		return b[0] != 0, nil
	case oidBytea:
		return b, nil
	}
	return string(b), nil
}

type rowset struct {
	cols []string
	rows [][]interface{}
	tag  string
}

// query runs sql with args the way pgx v5 runs a cached statement; exec
// (no rows wanted) sends no result formats, as pgx's Exec does.
func (k *kconn) run(ctx context.Context, exec bool, sql string, args ...interface{}) (*rowset, error) {
	if err := k.deallocateInvalidated(ctx); err != nil {
		return nil, err
	}
	sd, err := k.prepare(ctx, sql)
	if err != nil {
		return nil, err
	}
	if len(sd.paramOIDs) != len(args) {
		return nil, fmt.Errorf("%s: %d parameters described, %d arguments", sd.name, len(sd.paramOIDs), len(args))
	}
	bind := &pgproto3.Bind{PreparedStatement: sd.name}
	for i, a := range args {
		f, b, err := encodeArg(sd.paramOIDs[i], a)
		if err != nil {
			return nil, err
		}
		bind.ParameterFormatCodes = append(bind.ParameterFormatCodes, f)
		bind.Parameters = append(bind.Parameters, b)
	}
	fields := append([]pgproto3.FieldDescription(nil), sd.fields...)
	if !exec {
		for i := range fields {
			fields[i].Format = resultFormat(fields[i].DataTypeOID)
			bind.ResultFormatCodes = append(bind.ResultFormatCodes, fields[i].Format)
		}
	}
	if err := k.send(ctx, bind, &pgproto3.Execute{}, &pgproto3.Sync{}); err != nil {
		return nil, err
	}
	r, err := k.readUntilReady(ctx)
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		k.invalidate(sd)
		return nil, r.err
	}
	if r.seen['2'] != 1 || len(r.tags) != 1 {
		return nil, fmt.Errorf("Bind/Execute/Sync of %s: unexpected replies %v", sd.name, r.seen)
	}
	rs := &rowset{tag: r.tags[0]}
	for _, f := range fields {
		rs.cols = append(rs.cols, string(f.Name))
	}
	for _, raw := range r.rows {
		if len(raw) != len(fields) {
			return nil, fmt.Errorf("%s: row of %d columns, %d described", sd.name, len(raw), len(fields))
		}
		row := make([]interface{}, len(raw))
		for i, b := range raw {
			if row[i], err = decode(fields[i], b); err != nil {
				return nil, fmt.Errorf("%s column %s: %v", sd.name, fields[i].Name, err)
			}
		}
		rs.rows = append(rs.rows, row)
	}
	return rs, nil
}

func (k *kconn) query(ctx context.Context, sql string, args ...interface{}) (*rowset, error) {
	return k.run(ctx, false, sql, args...)
}

func (k *kconn) exec(ctx context.Context, sql string, args ...interface{}) (*rowset, error) {
	return k.run(ctx, true, sql, args...)
}
