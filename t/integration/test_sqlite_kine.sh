#!/bin/bash
# test_sqlite_kine.sh - kine's traffic against pgpin serving SQLite
# (--datastore-endpoint sqlite:DIR/, one file per database), by the Go
# program in t/integration/kine (kine v0.16.4's statements as pgx v5 sends
# them: named stmtcache_<sha256> statements, Parse/Describe/Sync then
# Bind/Execute/Sync with pgx's binary and text formats, Close of
# invalidated statements):
#
#  1. lite-errors: the same scenario directly against PostgreSQL (a fresh
#     database) and against pgpin on a fresh directory, compared reply by
#     reply in everything kine reads: createDBIfNotExist (pg_database
#     lookup with a name parameter, CREATE DATABASE), -- ping, version(),
#     the 7 DDL statements, 42P01 from Migrate's failed Parse and the Close
#     of that never-created statement, 23505 with n =
#     kine_name_prev_revision_uindex and kine_pkey and t = kine, 25P02
#     after an error in a serializable transaction, rollback, commit of a
#     failed transaction; ParameterDescription and RowDescription of every
#     statement of generations C, B and legacy, and the rows of every read
#     among them.  Error messages, the version() text and
#     pg_total_relation_size's value are shown when they differ, not
#     compared (kine does not read them; see kine/sqlite.go);
#  2. the workload (4 writers, the watch poller with gap fills, the
#     compactor: main.go) on SQLite; 8 connections racing INSERTs on one
#     key from one revision (one wins, the others get 23505
#     kine_name_prev_revision_uindex);
#  3. pgx v4 through database/sql (the stdlib adapter, default statement
#     cache) running kine's statements, on the directory and on a single
#     file (sqlite:FILE.db);
#  4. durability: writers record every write pgpin acknowledged while
#     pgpin is killed with SIGKILL; every one of them must be in the file
#     (read by Debian's /usr/bin/python3 sqlite3 module), and a restarted
#     pgpin serves the same rows.
#
# Skipped ("ok N - ... # SKIP") without Go and pgx v4 (Debian golang-go,
# golang-github-jackc-pgx-v4-dev).  Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_sqlite_kine
. "$top_srcdir/t/integration/drivers/common.sh"

drv_go_build "$DRV_SRC/kine" kinewire
case $? in
0) kinewire=$DRV_BIN ;;
2)
	it_pass "kine on SQLite # SKIP $DRV_SKIP_WHY"
	it_done
	;;
*)
	it_fail "kine on SQLite: the Go program builds"
	it_done
	;;
esac

PY=/usr/bin/python3 # Debian's, with the sqlite3 module

# the database the errors scenario creates on PostgreSQL, as kine would
for db in kine_lite_err kine_lite_err_absent kine_lite_err_hist kine_lite_err_hist_absent; do
	if ! it_direct -c "DROP DATABASE IF EXISTS $db" >/dev/null; then
		it_fail "drop database $db"
		it_done
	fi
done

direct() {
	echo "postgres://$PGPIN_TEST_USER:$PGPIN_TEST_PASSWORD@$PGPIN_TEST_PGHOST:$PGPIN_TEST_PGPORT/$1"
}

lite() {
	echo "postgres://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/$1"
}

# start_lite PREFIX ENDPOINT: pgpin serving SQLite.
start_lite() {
	if ! it_start_pgpin --datastore-endpoint "$2" --log-level info; then
		it_fail "$1: pgpin starts"
		return 1
	fi
}

stop_lite() {
	it_ok "$1: pgpin still runs" kill -0 "$IT_PGPIN_PID"
	it_stop_pgpin "$IT_PGPIN_PID"
	drv_log_clean "$1" "$IT_PGPIN_LOG"
}

# run_kine PREFIX OUTNAME ARGS...: the program, its lines relayed as TAP.
run_kine() {
	local prefix=$1 out="$IT_WORK/$2.out"
	shift 2
	timeout 100 "$kinewire" "$@" >"$out" 2>&1
	drv_relay "$prefix" "$out" $?
}

# ------------------------------------------------------------ 1. errors

dir="$IT_WORK/lite"
mkdir -p "$dir"
if ! start_lite "kine on SQLite" "sqlite:$dir/"; then
	it_done
fi
it_ok "kine on SQLite: postgres.db is created at start" test -f "$dir/postgres.db"

run_kine "kine on SQLite" errors lite-errors "$(direct kine_lite_err)" "$(lite kine_lite_err)"
it_ok "kine on SQLite: CREATE DATABASE made kine_lite_err.db" test -f "$dir/kine_lite_err.db"
it_ok "kine on SQLite: no file for the database that does not exist" test ! -e "$dir/kine_lite_err_absent.db"

# ------------------------------------------------------------ 2. workload, race

run_kine "kine workload on SQLite" workload lite-workload "$(lite kubernetes)"
run_kine "kine race on SQLite" race race "$(lite kubernetes)" 8 20

# ------------------------------------------------------------ 3. pgx v4 database/sql

run_kine "pgx v4 database/sql on SQLite" stdlib stdlib "$(lite kine_stdlib)"
stop_lite "kine on SQLite"

one="$IT_WORK/one/state.db"
mkdir -p "$(dirname "$one")"
if start_lite "single file" "sqlite:$one"; then
	run_kine "pgx v4 database/sql on one SQLite file" stdlib1 stdlib "$(lite kine_stdlib)"
	stop_lite "single file"
	it_ok "single file: everything went to $one" test -f "$one" -a ! -e "$(dirname "$one")/kine_stdlib.db"
fi

# ------------------------------------------------------------ 4. durability

# count_lines FILE
count_lines() {
	local n
	n=$(wc -l <"$1" 2>/dev/null)
	echo "${n:-0}"
}

acks="$IT_WORK/acked.txt"
if start_lite "durability" "sqlite:$dir/"; then
	pid=$IT_PGPIN_PID
	: >"$acks"
	timeout 100 "$kinewire" acked "$(lite kubernetes)" "$acks" >"$IT_WORK/acked.out" 2>&1 &
	kpid=$!
	IT_PIDS+=("$kpid")
	# let the writers run, then kill pgpin under them
	i=0
	while [ "$(count_lines "$acks")" -lt 400 ] && [ $i -lt 300 ] && kill -0 "$kpid" 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	for i2 in "${!IT_PIDS[@]}"; do
		[ "${IT_PIDS[i2]}" = "$pid" ] && IT_PIDS[i2]=""
	done
	wait "$kpid"
	drv_relay "durability" "$IT_WORK/acked.out" $?
	it_note "durability: $(count_lines "$acks") acknowledged writes recorded when pgpin was killed"

	check=$("$PY" - "$dir/kubernetes.db" "$acks" <<'EOF'
import sqlite3, sys

db = sqlite3.connect(sys.argv[1])
integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
rows = {}
for rid, name, deleted, value in db.execute("SELECT id, name, deleted, value FROM kine"):
    rows[rid] = (name, deleted, value)
acked = missing = wrong = 0
samples = []
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split(" ")
    rid, name, deleted, value = int(f[0]), f[1], int(f[2]), bytes.fromhex(f[3])
    acked += 1
    got = rows.get(rid)
    if got is None:
        missing += 1
        if len(samples) < 10:
            samples.append("missing: %d %s" % (rid, name))
    elif got != (name, deleted, value):
        wrong += 1
        if len(samples) < 10:
            samples.append("differs: %d: %r, acknowledged %r" % (rid, got, (name, deleted, value)))
print("integrity=%s acked=%d missing=%d wrong=%d" % (integrity, acked, missing, wrong))
print("rows=%d|%d" % (len(rows), max(rows) if rows else 0))
for s in samples:
    print("# " + s)
EOF
)
	summary=$(printf '%s\n' "$check" | head -n1)
	printf '%s\n' "$check" | grep '^#'
	it_like "durability: every acknowledged write is in kubernetes.db after SIGKILL ($summary)" "$summary" \
		'^integrity=ok acked=[1-9][0-9]* missing=0 wrong=0$'
	rows=$(printf '%s\n' "$check" | sed -n 's/^rows=//p')

	# a new pgpin on the same directory serves what the file holds
	if start_lite "durability, restarted" "sqlite:$dir/"; then
		got=$(PGPASSWORD=x timeout 30 "$IT_PSQL" -X -At -h 127.0.0.1 -p "$IT_PGPIN_PORT" -U "$PGPIN_TEST_USER" \
			-d kubernetes -c 'SELECT count(*), max(id) FROM kine' 2>&1)
		it_is "durability: a restarted pgpin serves the same rows (count|max id)" "$got" "$rows"
		stop_lite "durability, restarted"
	fi
fi

it_no_sanitizer_reports
it_done
