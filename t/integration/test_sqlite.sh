#!/bin/bash
# test_sqlite.sh - pgpin's embedded SQLite backend as its users meet it:
#
#  quick start    `pgpin` with no endpoint, in an empty directory, creates
#                 ./pgpin-data/postgres.db and answers psql
#  psql           PostgreSQL types printed as PostgreSQL prints them, command
#                 tags, transaction blocks (25P02, COMMIT answering ROLLBACK,
#                 the 25P01 and 25001 warnings), a multi-statement Query that
#                 fails as a whole, SET/SHOW/RESET, version(), CREATE/DROP
#                 DATABASE (55006 while in use), a missing database (3D000)
#  meta-commands  \l \dt \d \di \dn \du
#  COPY           text and CSV from stdin (quotes, NULLs, escapes, newlines),
#                 a bad row (22P02, nothing kept), COPY TO STDOUT
#  cancel         psql's SIGINT during pg_sleep (57014)
#  pgbench        -i, TPC-B with the simple, extended and prepared protocols,
#                 select-only; no failure, the balances add up
#  drivers        psycopg 3, asyncpg, node-postgres, pgx v4: values of each
#                 type both ways (drivers/sqlite_*, drivers/pgx_sqlite)
#  writers        --sqlite-lock-timeout 1: a second writer waits its turn,
#                 gives up with 55P03, succeeds once the first commits; a
#                 client gone mid-transaction leaves nothing and no lock
#  crash          commits acknowledged before kill -9 are all there
#  single file    sqlite:FILE.db serves the same file under every name
#  column types   Describe and COPY type columns as \d does: a bigint beside
#                 a two-column key, a view over a bigserial, generated and
#                 TEMP columns
#
# Only pgpin's SQLite backend is used; the PostgreSQL that run.sh starts is
# not.  A driver whose runtime is missing is skipped ("ok N - ... # SKIP").
# Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_sqlite
. "$top_srcdir/t/integration/drivers/common.sh"

# lsql PORT DB ARGS...: psql as user postgres, with the SQLSTATE in errors.
lsql() {
	local port=$1 db=$2
	shift 2
	timeout 60 "$IT_PSQL" -X -v VERBOSITY=verbose -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

ms_now() { date +%s%3N; }

skip() {
	it_pass "$1 # SKIP $2"
}

# A psql session kept open: hold_open NAME PORT DB starts psql reading a
# fifo (HOLD_PID is psql itself, HOLD_FD the fifo's write end), hold_send
# feeds it, hold_wait NAME REGEX waits for its output, hold_close ends it.
hold_open() {
	local name=$1 port=$2 db=$3
	mkfifo "$IT_WORK/$name.in" || return 1
	"$IT_PSQL" -X -At -v VERBOSITY=verbose -h 127.0.0.1 -p "$port" -U postgres -d "$db" \
		<"$IT_WORK/$name.in" >"$IT_WORK/$name.out" 2>&1 &
	HOLD_PID=$!
	exec {HOLD_FD}>"$IT_WORK/$name.in"
}

hold_send() {
	printf '%s\n' "$1" >&"$HOLD_FD"
}

hold_wait() {
	local name=$1 re=$2 i
	for i in $(seq 100); do
		grep -Eq -- "$re" "$IT_WORK/$name.out" 2>/dev/null && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -Eq -- "$re" "$IT_WORK/$name.out" 2>/dev/null
}

hold_close() {
	exec {HOLD_FD}>&-
	wait "$HOLD_PID"
}

hold_output() {
	cat "$IT_WORK/$1.out"
}

# ------------------------------------------------------------ quick start

qs=$IT_WORK/quickstart
mkdir -p "$qs"
cd "$qs" || exit 99
it_start_pgpin
started=$?
cd "$IT_WORK" || exit 99
if [ $started -ne 0 ]; then
	it_fail "pgpin with no endpoint starts in an empty directory"
	it_done
fi
it_pass "pgpin with no endpoint starts in an empty directory"
port=$IT_PGPIN_PORT
data=$qs/pgpin-data
it_ok "it created ./pgpin-data/postgres.db" test -f "$data/postgres.db"
out=$(timeout 60 "$IT_PSQL" -X -h 127.0.0.1 -p "$port" -U postgres -c 'select 1' 2>&1)
it_is "README quick start: psql -h 127.0.0.1 -p PORT -U postgres -c 'select 1'" "$out" \
	"$(printf ' ?column? \n----------\n        1\n(1 row)\n')"

# ------------------------------------------------------------ psql: types

out=$(lsql "$port" postgres -At 2>&1 <<'EOF'
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, active boolean, data bytea,
	created timestamp, price numeric, code varchar(20), big bigint);
CREATE INDEX items_name_idx ON items (name);
EOF
)
it_is "CREATE TABLE with serial, text, boolean, bytea, timestamp, numeric, varchar(20), bigint" \
	"$out" "$(printf 'CREATE TABLE\nCREATE INDEX')"

out=$(lsql "$port" postgres -At -c "INSERT INTO items (name, active, data, created, price, code, big)
	VALUES ('apple', true, '\\x00ff10', '2024-01-02 03:04:05', 12.50, 'A-1', 9007199254740993)
	RETURNING id, name" 2>&1)
it_is "INSERT ... RETURNING id, name" "$out" "$(printf '1|apple\nINSERT 0 1')"
out=$(lsql "$port" postgres -At -c "INSERT INTO items (name, active, data, created, price, code, big)
	VALUES ('pear', false, 'abc', '2024-02-29 23:59:59.25', 0.1, 'P', -5) RETURNING id" 2>&1)
it_is "INSERT ... RETURNING id: the serial counts up" "$out" "$(printf '2\nINSERT 0 1')"
out=$(lsql "$port" postgres -At -c "INSERT INTO items (name) VALUES ('plum') RETURNING id, active, data, price" 2>&1)
it_is "INSERT ... RETURNING NULL columns" "$out" "$(printf '3|||\nINSERT 0 1')"

out=$(lsql "$port" postgres -At -c 'SELECT * FROM items ORDER BY id' 2>&1)
# numeric is stored as a SQLite number, so the scale written is not kept
# (12.50 reads back as 12.5): a documented limit (doc/sqlite.md).
it_is "SELECT * prints every type as PostgreSQL does" "$out" \
	"$(printf '%s\n' '1|apple|t|\x00ff10|2024-01-02 03:04:05|12.5|A-1|9007199254740993' \
		'2|pear|f|\x616263|2024-02-29 23:59:59.25|0.1|P|-5' '3|plum||||||')"
# one column at a time, so that a failure names the type
col() {
	lsql "$port" postgres -At -q -c "SELECT $1 FROM items ORDER BY id" 2>&1 | tr '\n' ' '
}
it_is "boolean prints t/f" "$(col active)" "t f  "
it_is "bytea prints \\x and lower-case hex" "$(col data)" '\x00ff10 \x616263  '
it_is "timestamp prints ISO, fractional seconds only when there are any" "$(col created)" \
	"2024-01-02 03:04:05 2024-02-29 23:59:59.25  "
it_is "numeric keeps its value (not its scale: documented)" "$(col price)" "12.5 0.1  "
it_is "varchar(20)" "$(col code)" "A-1 P  "
it_is "bigint beyond 2^53" "$(col big)" "9007199254740993 -5  "
it_is "text and serial" "$(col "id || ':' || name")" "1:apple 2:pear 3:plum "
it_is "a column header as PostgreSQL names it" \
	"$(lsql "$port" postgres -A -c 'SELECT count(*), max(id), 1 + 1, upper(min(name)) FROM items' 2>&1 | head -n 1)" \
	"count|max|?column?|upper"

out=$(lsql "$port" postgres -At -c 'UPDATE items SET price = price * 2 WHERE price IS NOT NULL' 2>&1)
it_is "UPDATE tag" "$out" "UPDATE 2"
it_is "numeric arithmetic" "$(col price)" "25 0.2  "
out=$(lsql "$port" postgres -At -c "DELETE FROM items WHERE name = 'plum'" 2>&1)
it_is "DELETE tag" "$out" "DELETE 1"
out=$(lsql "$port" postgres -At -c "UPDATE items SET code = 'x' WHERE id > 100" 2>&1)
it_is "UPDATE of no row" "$out" "UPDATE 0"

# ------------------------------------------------------------ psql: transactions

lsql "$port" postgres -q -c 'CREATE TABLE tx (id int PRIMARY KEY, v text)' >/dev/null 2>&1
out=$(lsql "$port" postgres -At 2>&1 <<'EOF'
BEGIN;
INSERT INTO tx VALUES (1, 'lost');
SELECT * FROM no_such_table;
SELECT 1;
COMMIT;
EOF
)
it_like "an error in a block: 42P01 relation does not exist" "$out" \
	'^ERROR:  42P01: relation "no_such_table" does not exist$'
it_like "the next statement: 25P02 current transaction is aborted" "$out" \
	'^ERROR:  25P02: current transaction is aborted, commands ignored until end of transaction block$'
it_is "COMMIT of the failed block answers ROLLBACK" "$(printf '%s\n' "$out" | tail -n 1)" "ROLLBACK"
it_is "the failed block left nothing" "$(lsql "$port" postgres -At -c 'SELECT count(*) FROM tx' 2>&1)" "0"

out=$(lsql "$port" postgres -At -c 'COMMIT' 2>&1)
it_is "COMMIT outside a block: WARNING 25P01" "$out" \
	"$(printf 'WARNING:  25P01: there is no transaction in progress\nCOMMIT')"
out=$(lsql "$port" postgres -At 2>&1 <<'EOF'
BEGIN;
BEGIN;
INSERT INTO tx VALUES (2, 'two');
COMMIT;
BEGIN;
INSERT INTO tx VALUES (3, 'three');
ROLLBACK;
SELECT id, v FROM tx ORDER BY id;
EOF
)
it_is "BEGIN inside a block: WARNING 25001; COMMIT keeps, ROLLBACK drops" "$out" \
	"$(printf '%s\n' BEGIN 'WARNING:  25001: there is already a transaction in progress' BEGIN \
		'INSERT 0 1' COMMIT BEGIN 'INSERT 0 1' ROLLBACK '2|two')"
out=$(lsql "$port" postgres -At -c 'SELECT 1/0' 2>&1)
it_like "division by zero: 22012" "$out" '^ERROR:  22012: division by zero$'

out=$(lsql "$port" postgres -At \
	-c "insert into tx values (10, 'a'); insert into tx values (11, 'b'); select * from nope" 2>&1)
it_like "a multi-statement Query whose last statement fails: the error" "$out" \
	'^ERROR:  42P01: relation "nope" does not exist$'
it_is "a multi-statement Query is one transaction: nothing kept" \
	"$(lsql "$port" postgres -At -c 'SELECT count(*) FROM tx WHERE id >= 10' 2>&1)" "0"
out=$(lsql "$port" postgres -At -c "insert into tx values (10, 'a'); insert into tx values (11, 'b'); select count(*) from tx" 2>&1)
it_is "a multi-statement Query that succeeds" "$out" "$(printf 'INSERT 0 1\nINSERT 0 1\n3')"

# ------------------------------------------------------------ psql: settings, version

it_like "SHOW TimeZone" "$(lsql "$port" postgres -At -c 'SHOW TimeZone' 2>&1)" '^(UTC|Etc/UTC)$'
out=$(lsql "$port" postgres -At -c "set application_name='x'" -c 'show application_name' \
	-c 'reset application_name' -c 'show application_name' 2>&1)
it_is "SET / SHOW / RESET application_name" "$out" "$(printf 'SET\nx\nRESET\npsql')"
out=$(lsql "$port" postgres -At -c "SET statement_timeout = '5s'" -c 'SHOW statement_timeout' 2>&1)
it_is "SET / SHOW statement_timeout" "$out" "$(printf 'SET\n5s')"
out=$(lsql "$port" postgres -At -c 'select version()' 2>&1)
it_like "version() says PostgreSQL 15 and SQLite" "$out" '^PostgreSQL 15\..*SQLite'
it_like "server_version is 15" "$(lsql "$port" postgres -At -c 'SHOW server_version' 2>&1)" '^15\.'

# ------------------------------------------------------------ meta-commands

lsql "$port" postgres -q -c 'CREATE DATABASE foo' >/dev/null 2>&1
# meta NAME COMMAND: run a meta-command; sets out; checks exit status and stderr.
meta() {
	out=$(lsql "$port" postgres -c "$2" 2>"$IT_WORK/meta.err")
	local st=$? err
	err=$(cat "$IT_WORK/meta.err")
	it_ok "$1: psql exit status 0 (was $st)" test "$st" = 0
	it_is "$1: nothing on stderr" "$err" ""
}
meta '\l' '\l'
it_like '\l lists postgres' "$out" '^ postgres +\|'
it_like '\l lists foo' "$out" '^ foo +\|'
it_like '\l has the encoding' "$out" '^ postgres +\|[^|]*\| UTF8 +\|'
meta '\dt' '\dt'
it_like '\dt lists items as a table' "$out" '^ public +\| items +\| table +\|'
it_like '\dt lists tx' "$out" '^ public +\| tx +\| table +\|'
meta '\d items' '\d items'
it_like '\d items: the title' "$out" 'Table "public\.items"'
it_like '\d items: id integer not null' "$out" '^ id +\| integer +\|[^|]*\| not null +\|'
it_like '\d items: name text not null' "$out" '^ name +\| text +\|[^|]*\| not null +\|'
it_like '\d items: active boolean' "$out" '^ active +\| boolean +\|'
it_like '\d items: data bytea' "$out" '^ data +\| bytea +\|'
it_like '\d items: created timestamp without time zone' "$out" '^ created +\| timestamp without time zone +\|'
it_like '\d items: price numeric' "$out" '^ price +\| numeric +\|'
it_like '\d items: code character varying(20)' "$out" '^ code +\| character varying\(20\) +\|'
it_like '\d items: big bigint' "$out" '^ big +\| bigint +\|'
it_like '\d items: the primary key' "$out" '"items_pkey" PRIMARY KEY, btree \(id\)'
it_like '\d items: the index' "$out" '"items_name_idx" btree \(name\)'
meta '\di' '\di'
it_like '\di lists items_name_idx on items' "$out" '^ public +\| items_name_idx +\| index +\|[^|]*\| items *$'
it_like '\di lists items_pkey on items' "$out" '^ public +\| items_pkey +\| index +\|[^|]*\| items *$'
meta '\dn' '\dn'
it_like '\dn lists public' "$out" '^ public +\|'
meta '\du' '\du'
it_like '\du lists postgres' "$out" '^ postgres +\|'

# ------------------------------------------------------------ databases

it_ok "CREATE DATABASE foo made pgpin-data/foo.db" test -f "$data/foo.db"
out=$(lsql "$port" foo -At -c 'CREATE TABLE ft (x int)' -c 'INSERT INTO ft VALUES (7)' -c 'SELECT x FROM ft' 2>&1)
it_is "connect to foo, use it" "$out" "$(printf 'CREATE TABLE\nINSERT 0 1\n7')"
it_like "postgres does not see foo's table" "$(lsql "$port" postgres -At -c 'SELECT x FROM ft' 2>&1)" \
	'^ERROR:  42P01: relation "ft" does not exist$'
out=$(lsql "$port" postgres -At -c 'CREATE DATABASE foo' 2>&1)
it_like "CREATE DATABASE of an existing one: 42P04" "$out" '^ERROR:  42P04: database "foo" already exists$'

hold_open infoo "$port" foo
hold_send "SELECT 'in-foo';"
it_ok "a session stays in foo" hold_wait infoo '^in-foo$'
out=$(lsql "$port" postgres -At -c 'DROP DATABASE foo' 2>&1)
it_like "DROP DATABASE in use: 55006" "$out" '^ERROR:  55006: database "foo" is being accessed by other users$'
it_ok "foo.db is still there" test -f "$data/foo.db"
hold_close
# The session's end reaches pgpin a moment after psql exits.
for i in $(seq 30); do
	out=$(lsql "$port" postgres -At -c 'DROP DATABASE foo' 2>&1)
	case $out in *55006*) sleep 0.1 ;; *) break ;; esac
done
it_is "DROP DATABASE foo once nobody uses it" "$out" "DROP DATABASE"
it_ok "foo.db is gone" test ! -e "$data/foo.db"
out=$(lsql "$port" nope -At -c 'select 1' 2>&1)
it_like 'connecting to a missing database: FATAL database "nope" does not exist' "$out" \
	'FATAL:  (3D000: )?database "nope" does not exist'
it_ok "and no nope.db was created" test ! -e "$data/nope.db"
out=$(lsql "$port" postgres -At -c 'DROP DATABASE nope' 2>&1)
it_like "DROP DATABASE of a missing one: 3D000" "$out" '^ERROR:  3D000: database "nope" does not exist$'
it_is "DROP DATABASE IF EXISTS of a missing one: a notice" \
	"$(lsql "$port" postgres -At -c 'DROP DATABASE IF EXISTS nope' 2>&1)" \
	"$(printf 'NOTICE:  00000: database "nope" does not exist, skipping\nDROP DATABASE')"

# ------------------------------------------------------------ COPY

lsql "$port" postgres -q -c 'CREATE TABLE c (id int PRIMARY KEY, name text, note text)' \
	-c 'CREATE TABLE c2 (id int PRIMARY KEY, name text, note text)' >/dev/null 2>&1
out=$(printf '1\tplain\t\\N\n2\ttab\\there\tline1\\nline2\n3\tback\\\\slash\t\n' |
	lsql "$port" postgres -c '\copy c from stdin' 2>&1)
it_is '\copy c from stdin (text format)' "$out" "COPY 3"
out=$(lsql "$port" postgres -At -c 'SELECT id, name IS NULL, note IS NULL, length(note) FROM c ORDER BY id' 2>&1)
it_is "COPY text: \\N is NULL, an empty field an empty string" "$out" \
	"$(printf '%s\n' '1|f|t|' '2|f|f|11' '3|f|f|0')"
out=$(lsql "$port" postgres -At -c "SELECT name || '|' || note FROM c WHERE id = 2" \
	-c "SELECT name FROM c WHERE id = 3" 2>&1)
it_is "COPY text: \\t, \\n and \\\\ escapes arrive decoded" "$out" "$(printf 'tab\there|line1\nline2\nback\\slash')"
lsql "$port" postgres -c 'copy c to stdout' >"$IT_WORK/copy.out" 2>&1
printf '1\tplain\t\\N\n2\ttab\\there\tline1\\nline2\n3\tback\\\\slash\t\n' >"$IT_WORK/copy.want"
it_ok "copy c to stdout prints PostgreSQL's text format" cmp -s "$IT_WORK/copy.out" "$IT_WORK/copy.want"
cmp -s "$IT_WORK/copy.out" "$IT_WORK/copy.want" || diff "$IT_WORK/copy.want" "$IT_WORK/copy.out" | sed 's/^/#   /'

out=$(printf 'id,name,note\n4,"comma, inside","quote ""q"""\n5,,""\n6,"multi\nline",x\n' |
	lsql "$port" postgres -c 'copy c2 from stdin with (format csv, header)' 2>&1)
it_is 'copy c2 from stdin with (format csv, header)' "$out" "COPY 3"
out=$(lsql "$port" postgres -At -c 'SELECT id, name IS NULL, note IS NULL, length(note) FROM c2 ORDER BY id' 2>&1)
it_is "COPY CSV: an unquoted empty field is NULL, \"\" an empty string" "$out" \
	"$(printf '%s\n' '4|f|f|9' '5|t|f|0' '6|f|f|1')"
out=$(lsql "$port" postgres -At -c "SELECT name || '|' || note FROM c2 WHERE id IN (4, 6) ORDER BY id" 2>&1)
it_is "COPY CSV: quoted commas, doubled quotes and newlines arrive exactly" "$out" \
	"$(printf 'comma, inside|quote "q"\nmulti\nline|x')"

before=$(lsql "$port" postgres -At -c 'SELECT count(*) FROM c' 2>&1)
out=$(printf '7\tok\tn\nx\tbad\tn\n' | lsql "$port" postgres -c '\copy c from stdin' 2>&1)
it_like "COPY with a bad row: 22P02" "$out" '^ERROR:  22P02: invalid input syntax for type integer: "x"$'
it_is "COPY is atomic: the good row before the bad one is not kept" \
	"$(lsql "$port" postgres -At -c 'SELECT count(*) FROM c' 2>&1)" "$before"
out=$(printf '8\tin a block\tn\n' | lsql "$port" postgres -At -c 'BEGIN' -c '\copy c from stdin' -c 'ROLLBACK' \
	-c 'SELECT count(*) FROM c' 2>&1)
it_is "COPY inside a block that is rolled back" "$out" "$(printf 'BEGIN\nCOPY 1\nROLLBACK\n%s' "$before")"

# ------------------------------------------------------------ cancel

# psql itself in the background ($! must be psql): its SIGINT handler sends
# the CancelRequest.
t0=$(ms_now)
"$IT_PSQL" -X -v VERBOSITY=verbose -h 127.0.0.1 -p "$port" -U postgres -d postgres \
	-c 'select pg_sleep(30)' >"$IT_WORK/cancel.out" 2>&1 &
psql_pid=$!
sleep 1
kill -INT "$psql_pid"
for i in $(seq 100); do
	kill -0 "$psql_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$psql_pid" 2>/dev/null && kill -TERM "$psql_pid"
wait "$psql_pid"
st=$?
took=$(($(ms_now) - t0))
out=$(cat "$IT_WORK/cancel.out")
it_like "psql's SIGINT cancels pg_sleep(30): 57014" "$out" '^ERROR:  57014: canceling statement due to user request$'
it_ok "the cancelled query ended within 4 s of starting, 1 s before SIGINT (${took} ms)" test "$took" -lt 4000
it_is "psql exit status after the cancel" "$st" "1"
it_is "pgpin answers after the cancel" "$(lsql "$port" postgres -At -c 'SELECT 2' 2>&1)" "2"

# ------------------------------------------------------------ pgbench

pgbench() {
	timeout 90 "$IT_PGBENCH" -h 127.0.0.1 -p "$port" -U postgres "$@" postgres
}

# check_run NAME OUTPUT STATUS: the lines pgbench 15 prints at the end of a run.
check_run() {
	local name=$1 out=$2 status=$3 n
	it_is "$name: pgbench exit status" "$status" "0"
	it_like "$name: no failed transaction" "$out" '^number of failed transactions: 0 '
	it_unlike "$name: no client aborted" "$out" 'aborted'
	n=$(printf '%s\n' "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
	it_ok "$name: transactions processed (${n:-none})" test "${n:-0}" -gt 0
	it_note "$(printf '%s\n' "$out" | grep -E '^(tps|latency average)' | tr '\n' ' ')"
	[ "$status" = 0 ] || printf '%s\n' "$out" | grep -v '^progress' | tail -n 15 | sed 's/^/#   /'
}

out=$(pgbench -i -s 1 -q 2>&1)
status=$?
it_is "pgbench -i -s 1" "$status" "0"
[ "$status" = 0 ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
it_is "pgbench_accounts has 100000 rows" \
	"$(lsql "$port" postgres -At -c 'SELECT count(*) FROM pgbench_accounts' 2>&1)" "100000"
for mode in simple extended prepared; do
	out=$(pgbench -n -c 8 -j 2 -T 5 -M $mode 2>&1)
	check_run "TPC-B -M $mode, 8 clients" "$out" $?
done
out=$(lsql "$port" postgres -At -c 'SELECT (SELECT sum(abalance) FROM pgbench_accounts),
	(SELECT sum(bbalance) FROM pgbench_branches), (SELECT sum(tbalance) FROM pgbench_tellers),
	(SELECT sum(delta) FROM pgbench_history), (SELECT count(*) FROM pgbench_history)' 2>&1)
IFS='|' read -r sa sb st sh nh <<<"$out"
it_ok "the balances add up: accounts $sa = branches $sb = tellers $st = history $sh" \
	test -n "$sa" -a "$sa" = "$sb" -a "$sa" = "$st" -a "$sa" = "$sh"
it_ok "history has rows ($nh)" test "${nh:-0}" -gt 0 2>/dev/null
out=$(pgbench -n -S -c 4 -j 2 -T 3 2>&1)
check_run "select-only (-S), 4 clients" "$out" $?

# ------------------------------------------------------------ drivers

lsql "$port" postgres -q -c 'CREATE DATABASE drivers' >/dev/null 2>&1
db=drivers

if ! "$DRV_PY" -c 'import psycopg' 2>/dev/null; then
	skip "psycopg 3" "psycopg not installed for $DRV_PY (Debian: python3-psycopg)"
else
	timeout 90 "$DRV_PY" "$DRV_SRC/drivers/sqlite_psycopg_test.py" \
		"host=127.0.0.1 port=$port user=postgres dbname=$db" >"$IT_WORK/psycopg.out" 2>&1
	drv_relay "psycopg 3" "$IT_WORK/psycopg.out" $?
fi

if ! "$DRV_PY" -c 'import asyncpg' 2>/dev/null; then
	skip "asyncpg" "asyncpg not installed for $DRV_PY (Debian: python3-asyncpg)"
else
	timeout 90 "$DRV_PY" "$DRV_SRC/drivers/sqlite_asyncpg_test.py" \
		"postgresql://postgres@127.0.0.1:$port/$db" "postgresql://postgres@127.0.0.1:$port/nope" \
		>"$IT_WORK/asyncpg.out" 2>&1
	drv_relay asyncpg "$IT_WORK/asyncpg.out" $?
fi

drv_node_modules
case $? in
0)
	TZ=UTC NODE_PATH=$DRV_NODE_MODULES timeout 90 node "$DRV_SRC/drivers/sqlite_node_pg_test.js" \
		"postgres://postgres@127.0.0.1:$port/$db" >"$IT_WORK/node.out" 2>&1
	drv_relay node-postgres "$IT_WORK/node.out" $?
	;;
2) skip "node-postgres" "$DRV_SKIP_WHY" ;;
*) it_fail "node-postgres: installing it" ;;
esac

drv_go_build "$DRV_SRC/drivers/pgx_sqlite" pgxsqlite
case $? in
0)
	timeout 90 "$DRV_BIN" "postgres://postgres@127.0.0.1:$port/$db" >"$IT_WORK/pgx.out" 2>&1
	drv_relay "pgx v4" "$IT_WORK/pgx.out" $?
	;;
2) skip "pgx v4" "$DRV_SKIP_WHY" ;;
*) it_fail "pgx v4: the Go program builds" ;;
esac

it_ok "pgpin (quick start) still runs" kill -0 "$IT_PGPIN_PID"
it_ok "pgpin (quick start) exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"

# ------------------------------------------------------------ writers

wdir=$IT_WORK/writers
wargs=(--datastore-endpoint "sqlite:$wdir/" --sqlite-lock-timeout 1)
if ! it_start_pgpin "${wargs[@]}"; then
	it_fail "pgpin --sqlite-lock-timeout 1 starts"
	it_done
fi
wport=$IT_PGPIN_PORT
wpid=$IT_PGPIN_PID
lsql "$wport" postgres -q -c 'CREATE TABLE w (id int PRIMARY KEY, who text)' >/dev/null 2>&1

hold_open a "$wport" postgres
hold_send "BEGIN; INSERT INTO w VALUES (1, 'a'); SELECT 'a-holds';"
it_ok "session A: BEGIN; INSERT and holds the transaction" hold_wait a '^a-holds$'
t0=$(ms_now)
out=$(lsql "$wport" postgres -At -c 'SELECT count(*) FROM w' 2>&1)
took=$(($(ms_now) - t0))
# A reader waiting for the write lock would get 55P03 here, not the count.
it_is "a reader is not blocked by A and sees only committed rows (${took} ms)" "$out" "0"
t0=$(ms_now)
out=$(lsql "$wport" postgres -At -c "INSERT INTO w VALUES (2, 'b')" 2>&1)
took=$(($(ms_now) - t0))
it_like "session B's INSERT gives up: 55P03" "$out" '^ERROR:  55P03: '
it_ok "after about sqlite_lock_timeout = 1 s (${took} ms)" test "$took" -ge 900 -a "$took" -lt 4000
hold_send "COMMIT;"
hold_close
it_is "A's output" "$(hold_output a)" "$(printf 'BEGIN\nINSERT 0 1\na-holds\nCOMMIT')"
out=$(lsql "$wport" postgres -At -c "INSERT INTO w VALUES (2, 'b')" 2>&1)
it_is "after A's COMMIT, B's retry succeeds" "$out" "INSERT 0 1"

hold_open a2 "$wport" postgres
hold_send "BEGIN; INSERT INTO w VALUES (3, 'a2'); SELECT 'a2-holds';"
hold_wait a2 '^a2-holds$'
(
	t0=$(ms_now)
	lsql "$wport" postgres -At -c "INSERT INTO w VALUES (4, 'b2')" >"$IT_WORK/b2.out" 2>&1
	echo $(($(ms_now) - t0)) >"$IT_WORK/b2.ms"
) &
b2=$!
sleep 0.5
hold_send "COMMIT;"
hold_close
wait "$b2"
it_is "B waits its turn and goes ahead when A commits within the timeout" "$(cat "$IT_WORK/b2.out")" "INSERT 0 1"
took=$(cat "$IT_WORK/b2.ms")
it_ok "B waited for A (${took} ms)" test "$took" -ge 300

hold_open a3 "$wport" postgres
hold_send "BEGIN; INSERT INTO w VALUES (5, 'gone'); SELECT 'a3-holds';"
it_ok "session A3 holds a transaction" hold_wait a3 '^a3-holds$'
{
	kill -KILL "$HOLD_PID"
	hold_close
} 2>/dev/null
out=$(lsql "$wport" postgres -At -c "INSERT INTO w VALUES (6, 'after')" 2>&1)
it_is "a client killed mid-transaction does not keep the write lock" "$out" "INSERT 0 1"
out=$(lsql "$wport" postgres -At -c 'SELECT id FROM w ORDER BY id' 2>&1 | tr '\n' ' ')
it_is "and its insert was rolled back" "$out" "1 2 3 4 6 "

# ------------------------------------------------------------ crash

lsql "$wport" postgres -q -c 'CREATE TABLE crash (id int PRIMARY KEY)' >/dev/null 2>&1
for i in $(seq 200); do echo "INSERT INTO crash VALUES ($i);"; done >"$IT_WORK/crash.sql"
lsql "$wport" postgres -q -v ON_ERROR_STOP=1 -f "$IT_WORK/crash.sql" >"$IT_WORK/crash.out" 2>&1
it_is "200 INSERTs in autocommit acknowledged" "$?" "0"
kill -KILL "$wpid"
wait "$wpid" 2>/dev/null
for i in "${!IT_PIDS[@]}"; do
	[ "${IT_PIDS[i]}" = "$wpid" ] && IT_PIDS[i]=""
done
if it_start_pgpin "${wargs[@]}"; then
	it_pass "pgpin restarts on the same directory after kill -9"
	wport=$IT_PGPIN_PORT
	it_is "every acknowledged commit survived kill -9" \
		"$(lsql "$wport" postgres -At -c 'SELECT count(*), sum(id) FROM crash' 2>&1)" "200|20100"
	it_is "and the earlier rows" "$(lsql "$wport" postgres -At -c 'SELECT count(*) FROM w' 2>&1)" "5"
	it_ok "pgpin (writers) exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"
else
	it_fail "pgpin restarts on the same directory after kill -9"
fi

# ------------------------------------------------------------ single file

if it_start_pgpin --datastore-endpoint "sqlite:$IT_WORK/one.db"; then
	sport=$IT_PGPIN_PORT
	out=$(lsql "$sport" postgres -At -c 'CREATE TABLE one (x text)' -c "INSERT INTO one VALUES ('shared')" 2>&1)
	it_is "sqlite:FILE.db: write through database postgres" "$out" "$(printf 'CREATE TABLE\nINSERT 0 1')"
	it_is "sqlite:FILE.db: the same file under another database name" \
		"$(lsql "$sport" anyname -At -c 'SELECT x FROM one' 2>&1)" "shared"
	it_ok "sqlite:FILE.db: the file is the one named" test -f "$IT_WORK/one.db"
	it_ok "pgpin (single file) exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"
else
	it_fail "pgpin --datastore-endpoint sqlite:FILE.db starts"
fi

# ------------------------------------------------------------ column types (Describe, COPY)
#
# The PostgreSQL type of a table's column, as a statement's RowDescription
# and COPY FROM use it, is the one \d shows (catalog.c's rule, which
# session_schema.c caches): what PostgreSQL 15 answers for the same table.
# Values past 2^31 show it: typed int4, they fail with 22003.

if it_start_pgpin --datastore-endpoint "sqlite:$IT_WORK/coltypes.db"; then
	cport=$IT_PGPIN_PORT
	lsql "$cport" postgres -q \
		-c 'CREATE TABLE cpk (a int, b smallint, c bigint, d integer, PRIMARY KEY (a, b))' \
		-c 'CREATE TABLE bs (id bigserial PRIMARY KEY, v text)' \
		-c 'CREATE VIEW bsv AS SELECT id, v FROM bs' \
		-c 'CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED, c text)' \
		>/dev/null 2>&1
	out=$(printf '1\t2\t9007199254740993\t4\n' | lsql "$cport" postgres -c '\copy cpk from stdin' 2>&1)
	it_is "COPY into a two-column-key table: its bigint column takes a 64-bit value" "$out" "COPY 1"
	out=$(lsql "$cport" postgres -At -c 'SELECT * FROM cpk' -c 'SELECT c + 1 FROM cpk' 2>&1)
	it_is "a bigint beside a two-column primary key is bigint, not integer" "$out" \
		"$(printf '1|2|9007199254740993|4\n9007199254740994')"
	out=$(lsql "$cport" postgres -At -c 'CREATE TABLE dot (v text)' \
		-c "INSERT INTO dot VALUES (E'\\\\.')" -c 'COPY dot TO STDOUT (FORMAT csv)' 2>&1)
	it_is "COPY TO CSV quotes a lone \\. in a one-column row, as PostgreSQL" "$out" \
		"$(printf 'CREATE TABLE\nINSERT 0 1\n"\\."')"
	out=$(printf 'SELECT a, b, c FROM cpk \\gdesc\n' | lsql "$cport" postgres -At 2>&1)
	it_is "psql's \\gdesc names each column's type, as on PostgreSQL" "$out" \
		"$(printf 'a|integer\nb|smallint\nc|bigint')"
	out=$(lsql "$cport" postgres -At -c "INSERT INTO bs VALUES (9007199254740993, 'big')" \
		-c 'SELECT id, v FROM bsv' -c 'SELECT * FROM bsv' 2>&1)
	it_is "a view's column over a bigserial is bigint" "$out" \
		"$(printf 'INSERT 0 1\n9007199254740993|big\n9007199254740993|big')"
	out=$(printf '5\tx\n' | lsql "$cport" postgres -At -c '\copy gen from stdin' -c 'SELECT * FROM gen' 2>&1)
	it_is "COPY without a column list leaves a generated column out" "$out" "$(printf 'COPY 1\n5|10|x')"
	out=$(printf '6\t12\n' | lsql "$cport" postgres -c '\copy gen (a, b) from stdin' 2>&1)
	it_is "COPY naming a generated column: 42P10, as PostgreSQL" "$out" \
		"$(printf 'ERROR:  42P10: column "b" is a generated column\nDETAIL:  Generated columns cannot be used in COPY.')"
	out=$(lsql "$cport" postgres -At -c 'COPY gen TO STDOUT' -c '\copy gen to stdout' 2>&1)
	it_is "COPY TO without a column list leaves a generated column out, as PostgreSQL" "$out" \
		"$(printf '5\tx\n5\tx')"
	out=$(lsql "$cport" postgres -c 'COPY gen (a, b) TO STDOUT' 2>&1)
	it_is "COPY TO naming a generated column: 42P10, as PostgreSQL" "$out" \
		"$(printf 'ERROR:  42P10: column "b" is a generated column\nDETAIL:  Generated columns cannot be used in COPY.')"
	out=$(lsql "$cport" postgres -At -c 'COPY (SELECT * FROM gen) TO STDOUT' 2>&1)
	it_is "COPY (query) TO copies what the query returns, generated columns too" "$out" \
		"$(printf '5\t10\tx')"
	out=$(lsql "$cport" postgres -c '\d gen' 2>&1)
	it_like "\\d shows a generated column's expression, as on PostgreSQL" "$out" \
		'^ b +\| integer +\| +\| +\| generated always as \(a \* 2\) stored$'
	out=$(lsql "$cport" postgres -At -c "SELECT column_name, column_default, is_generated,
		generation_expression FROM information_schema.columns WHERE table_name = 'gen' ORDER BY 1" 2>&1)
	it_is "information_schema: the expression is generation_expression, not column_default" "$out" \
		"$(printf 'a||NEVER|\nb||ALWAYS|a * 2\nc||NEVER|')"
	out=$(printf '9007199254740993\tt\n' | lsql "$cport" postgres -At \
		-c 'CREATE TEMP TABLE tt (id bigserial PRIMARY KEY, ok boolean)' -c '\copy tt from stdin' \
		-c 'SELECT id, ok FROM tt' 2>&1)
	it_is "a TEMP table is typed as well: bigserial key, boolean" "$out" \
		"$(printf 'CREATE TABLE\nCOPY 1\n9007199254740993|t')"
	out=$(lsql "$cport" postgres -At \
		-c 'CREATE TEMP TABLE tb (id bigserial PRIMARY KEY, v text)' \
		-c 'CREATE TEMP VIEW tbv AS SELECT id, v FROM tb' \
		-c "INSERT INTO tb VALUES (9007199254740993, 'big')" -c 'SELECT * FROM tbv' \
		-c 'CREATE TEMP TABLE bs (id boolean, note text)' -c "INSERT INTO bs VALUES (true, 'temp')" \
		-c 'SELECT * FROM bs' 2>&1)
	it_is "a TEMP view over a TEMP bigserial is bigint; a TEMP table hides a table of its name" \
		"$out" "$(printf 'CREATE TABLE\nCREATE VIEW\nINSERT 0 1\n9007199254740993|big\nCREATE TABLE\nINSERT 0 1\nt|temp')"
	it_ok "pgpin (column types) exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"
else
	it_fail "pgpin --datastore-endpoint sqlite:coltypes.db starts"
fi

it_no_sanitizer_reports
it_done
