#!/bin/bash
# test_sqlite_kine_drivers.sh - kine's statements and call pattern through
# asyncpg, psycopg 3 and node-postgres, against PostgreSQL and against
# pgpin serving SQLite (--datastore-endpoint sqlite:DIR/):
#
#  drivers/kine_asyncpg.py   asyncpg's prepared-statement cache (Parse,
#                            Describe, Flush; binary parameters typed by
#                            the server's ParameterDescription)
#  drivers/kine_psycopg.py   psycopg 3, prepare=True (named _pg3_N, the
#                            parameter types psycopg chose: int2 for small
#                            ints, bytea in binary), autocommit
#  drivers/kine_node_pg.js   node-postgres named queries {name, text,
#                            values} (no parameter types; values in text,
#                            Buffers in binary)
#
# Each program runs kine's generation-C statements, byte for byte (the
# same texts as t/integration/kine/sql.go, which this script checks), in
# kine's call pattern: createDBIfNotExist, -- ping, version(), the schema,
# Migrate's 42P01, compactStart, Create/Update/Delete, Get and List at the
# current and at a past revision with LIMIT, the counts, the watch queries
# and the poll, a gap Fill, 23505 with kine_name_prev_revision_uindex and
# kine_pkey, a serializable compaction transaction and a revision beyond
# int4.  It asserts every result as the driver hands it to the program
# (ids shown as r1, r2, ... in insert order).  It runs first against the
# PostgreSQL that run.sh started, so the expectations are PostgreSQL's
# behaviour, then against pgpin on a fresh directory; the two outputs must
# be the same line for line.
#
# A driver whose runtime is not installed is skipped ("ok N - ... # SKIP");
# CI installs them all (.ci/run).  Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_sqlite_kine_drivers
. "$top_srcdir/t/integration/drivers/common.sh"

skip() {
	it_pass "$1 # SKIP $2"
}

direct() {
	echo "postgresql://$PGPIN_TEST_USER:$PGPIN_TEST_PASSWORD@$PGPIN_TEST_PGHOST:$PGPIN_TEST_PGPORT/$1"
}

lite() {
	echo "postgresql://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/$1"
}

# ------------------------------------------------------------ the statement texts

# same_texts FILE: the program's statements (its SQL map and DDL list) are
# kine's, as t/integration/kine/sql.go spells them.
same_texts() {
	"$DRV_PY" - "$DRV_SRC/kine/sql.go" "$1" <<'EOF'
import json, re, sys

go = open(sys.argv[1]).read()
want = {m.group(1): json.loads(m.group(2))
        for m in re.finditer(r'^\s*sql(\w+)\s*=\s*("(?:[^"\\]|\\.)*")\s*$', go, re.M)}
block = re.search(r'var schemaDDL = \[\]string\{\n(.*?)\n\}', go, re.S).group(1)
want_ddl = [json.loads(m.group(1)) for m in re.finditer(r'^\s*("(?:[^"\\]|\\.)*"),\s*$', block, re.M)]

src = open(sys.argv[2]).read()
sql = re.search(r'^(?:SQL = |const SQL = )\{\n(.*?)\n\}', src, re.S | re.M).group(1)
got = {m.group(1): json.loads(m.group(2))
       for m in re.finditer(r'^\s*"?(\w+)"?:\s*("(?:[^"\\]|\\.)*"),\s*$', sql, re.M)}
ddl = re.search(r'^(?:DDL = |const DDL = )\[\n(.*?)\n\]', src, re.S | re.M).group(1)
got_ddl = [json.loads(m.group(1)) for m in re.finditer(r'^\s*("(?:[^"\\]|\\.)*"),\s*$', ddl, re.M)]

bad = [k for k, v in got.items() if want.get(k) != v]
if len(got) != len(sql.splitlines()):
    bad.append("unparsed lines in SQL")
if got_ddl != want_ddl or len(got_ddl) != len(ddl.splitlines()):
    bad.append("DDL")
print("%d statements, %d DDL%s" % (len(got), len(got_ddl), "; differ: " + " ".join(bad) if bad else ""))
EOF
}

for f in kine_steps.py kine_node_pg.js; do
	if ! "$DRV_PY" -c 'import json, re' 2>/dev/null; then
		skip "drivers/$f: kine's texts" "no Python at $DRV_PY"
		continue
	fi
	out=$(same_texts "$DRV_SRC/drivers/$f" 2>&1)
	it_like "drivers/$f: kine's texts byte for byte as in kine/sql.go ($out)" "$out" '^[0-9]+ statements, 7 DDL$'
done

# ------------------------------------------------------------ pgpin serving SQLite

dir="$IT_WORK/lite"
mkdir -p "$dir"
if ! it_start_pgpin --datastore-endpoint "sqlite:$dir/" --log-level info; then
	it_fail "pgpin serving SQLite starts"
	it_done
fi

# run_both PREFIX DB COMMAND...: COMMAND URL against PostgreSQL (a fresh
# database DB), then against pgpin; both outputs as TAP, then compared.
run_both() {
	local prefix=$1 db=$2 pg_out lite_out
	shift 2
	pg_out="$IT_WORK/$db.pg.out"
	lite_out="$IT_WORK/$db.lite.out"
	it_direct -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	timeout 90 "$@" "$(direct "$db")" >"$pg_out" 2>&1
	drv_relay "$prefix on PostgreSQL" "$pg_out" $?
	timeout 90 "$@" "$(lite "$db")" >"$lite_out" 2>&1
	drv_relay "$prefix on SQLite" "$lite_out" $?
	grep -E '^(not )?ok ' "$pg_out" >"$pg_out.lines"
	grep -E '^(not )?ok ' "$lite_out" >"$lite_out.lines"
	if [ -s "$pg_out.lines" ] && cmp -s "$pg_out.lines" "$lite_out.lines"; then
		it_pass "$prefix: pgpin on SQLite answered as PostgreSQL did, line for line"
	else
		it_fail "$prefix: pgpin on SQLite answered as PostgreSQL did, line for line"
		diff -U0 --label PostgreSQL --label "pgpin on SQLite" "$pg_out.lines" "$lite_out.lines" |
			head -n 60 | sed 's/^/#   /'
	fi
	it_ok "$prefix: CREATE DATABASE made $db.db" test -f "$dir/$db.db"
	it_direct -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
}

if ! "$DRV_PY" -c 'import asyncpg' 2>/dev/null; then
	skip "asyncpg" "asyncpg not installed for $DRV_PY (Debian: python3-asyncpg)"
else
	run_both asyncpg kine_asyncpg "$DRV_PY" "$DRV_SRC/drivers/kine_asyncpg.py"
fi

if ! "$DRV_PY" -c 'import psycopg' 2>/dev/null; then
	skip "psycopg 3" "psycopg not installed for $DRV_PY (Debian: python3-psycopg)"
else
	run_both "psycopg 3" kine_psycopg "$DRV_PY" "$DRV_SRC/drivers/kine_psycopg.py"
fi

drv_node_modules
case $? in
0) run_both node-postgres kine_node_pg env NODE_PATH="$DRV_NODE_MODULES" node "$DRV_SRC/drivers/kine_node_pg.js" ;;
2) skip "node-postgres" "$DRV_SKIP_WHY" ;;
*) it_fail "node-postgres: installing it" ;;
esac

it_ok "pgpin still runs" kill -0 "$IT_PGPIN_PID"
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"
drv_log_clean "pgpin" "$IT_PGPIN_LOG"
it_no_sanitizer_reports
it_done
