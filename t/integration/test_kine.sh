#!/bin/bash
# test_kine.sh - kine's PostgreSQL traffic through pgpin: kine v0.16.4's
# statements (generation C, byte for byte from kine-sql-vectors.json) sent
# the way pgx v5 sends them (named stmtcache_<sha256> statements,
# Parse/Describe/Sync then Bind/Execute/Sync, Close of invalidated
# statements), by the Go program in t/integration/kine (pgx v4's pgconn for
# the connection, raw messages after that):
#
#  1. errors: bootstrap and error paths directly against PostgreSQL and
#     through pgpin, compared reply by reply: 42P01 from a failed Parse and
#     the Close of that never-created statement, 23505 with the constraint
#     names kine inspects (kine_name_prev_revision_uindex, kine_pkey), the
#     Close and re-Parse after each, an error inside a serializable
#     transaction;
#  2. the workload (4 writers, a watch poller with gap fills, a compactor in
#     serializable transactions: 6 connections) directly, then through pgpin
#     with --pool-size 2: no errors besides kine's normal ones, results add
#     up, PostgreSQL sees at most 2 connections;
#  3. the same workload through pgpin --backend-is-pooler in front of
#     PgBouncer 1.18 in transaction mode (default_pool_size 2): no errors;
#  4. control: pgpin without --backend-is-pooler in front of the same
#     PgBouncer must produce prepared-statement errors.
#
# Skipped ("ok N - ... # SKIP") without Go and pgx v4 (Debian golang-go,
# golang-github-jackc-pgx-v4-dev); 3 and 4 without PgBouncer.  Run through
# t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_kine
. "$top_srcdir/t/integration/drivers/common.sh"

drv_go_build "$DRV_SRC/kine" kinewire
case $? in
0) kinewire=$DRV_BIN ;;
2)
	it_pass "kine # SKIP $DRV_SKIP_WHY"
	it_done
	;;
*)
	it_fail "kine: the Go program builds"
	it_done
	;;
esac

dbs="kine_err_direct kine_err_pgpin kine_direct kine_pgpin kine_pgb kine_ctl"
for db in $dbs; do
	it_direct -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	if ! it_direct -c "CREATE DATABASE $db OWNER $PGPIN_TEST_USER" >/dev/null; then
		it_fail "create database $db"
		it_done
	fi
done

direct() {
	echo "postgres://$PGPIN_TEST_USER:$PGPIN_TEST_PASSWORD@$PGPIN_TEST_PGHOST:$PGPIN_TEST_PGPORT/$1"
}

# start_pgpin PREFIX ENDPOINT [ARGS...]: pgpin, pool size 2, for one scenario.
start_pgpin() {
	local prefix=$1 endpoint=$2
	shift 2
	# The endpoint holds a password: pass it in the environment, as the
	# warning pgpin gives for a password on the command line recommends.
	if ! PGPIN_DATASTORE_ENDPOINT="$endpoint" it_start_pgpin --pool-mode transaction \
		--pool-size 2 --log-level info "$@"; then
		it_fail "$prefix: pgpin starts"
		return 1
	fi
}

# stop_pgpin PREFIX [control]: pgpin survived; stop it; a clean log
# (but in the control case).
stop_pgpin() {
	it_ok "$1: pgpin still runs" kill -0 "$IT_PGPIN_PID"
	it_stop_pgpin "$IT_PGPIN_PID"
	[ "${2:-}" = control ] || drv_log_clean "$1" "$IT_PGPIN_LOG"
}

# run_kine PREFIX OUTNAME ARGS...: the program, its lines relayed as TAP.
run_kine() {
	local prefix=$1 out="$IT_WORK/$2.out"
	shift 2
	timeout 120 "$kinewire" "$@" >"$out" 2>&1
	drv_relay "$prefix" "$out" $?
}

# ------------------------------------------------------------ 1. errors

if start_pgpin "kine errors" "$(direct kine_err_pgpin)"; then
	run_kine kine errors errors "$(direct kine_err_direct)" \
		"postgres://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/kine_err_pgpin"
	stop_pgpin "kine errors"
fi

# ------------------------------------------------------------ 2. workload

run_kine "kine direct" direct workload "$(direct kine_direct)"

if start_pgpin "kine via pgpin" "$(direct kine_pgpin)"; then
	drv_sampler_start kine_pgpin
	IT_PIDS+=("$DRV_SAMPLER")
	run_kine "kine via pgpin" pgpin workload "postgres://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/kine_pgpin"
	drv_server_conns_ok "kine via pgpin" 2
	stop_pgpin "kine via pgpin"
fi

# ------------------------------------------------------------ 3, 4. PgBouncer

pgbouncer=/usr/sbin/pgbouncer
if [ ! -x "$pgbouncer" ]; then
	it_pass "kine via PgBouncer # SKIP $pgbouncer not installed (Debian: pgbouncer)"
	it_done
fi

bdir="$IT_WORK/pgbouncer"
mkdir -p "$bdir"
bport=$(it_free_port)
cat >"$bdir/pgbouncer.ini" <<EOF
[databases]
kine_pgb = host=$PGPIN_TEST_PGHOST port=$PGPIN_TEST_PGPORT dbname=kine_pgb user=$PGPIN_TEST_USER password=$PGPIN_TEST_PASSWORD
kine_ctl = host=$PGPIN_TEST_PGHOST port=$PGPIN_TEST_PGPORT dbname=kine_ctl user=$PGPIN_TEST_USER password=$PGPIN_TEST_PASSWORD

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $bdir/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
logfile = $bdir/pgbouncer.log
pidfile = $bdir/pgbouncer.pid
EOF
echo "\"$PGPIN_TEST_USER\" \"\"" >"$bdir/userlist.txt"
IT_LOGS+=("$bdir/pgbouncer.log")
run_as=()
if [ "$(id -u)" = 0 ]; then
	# PgBouncer refuses to run as root; the cluster's owner runs it.
	chmod 711 "$IT_WORK"
	chown -R postgres: "$bdir"
	run_as=(setpriv --reuid=postgres --regid=postgres --clear-groups)
fi
"${run_as[@]}" "$pgbouncer" "$bdir/pgbouncer.ini" >/dev/null 2>&1 </dev/null &
bpid=$!
IT_PIDS+=("$bpid")
if ! it_wait_port "$bport" 10 "$bpid"; then
	it_fail "PgBouncer starts"
	sed 's/^/#   /' "$bdir/pgbouncer.log" 2>/dev/null | tail -n 20
	it_done
fi
it_note "$("$pgbouncer" --version 2>/dev/null | head -n1) on 127.0.0.1:$bport, transaction mode, default_pool_size 2"

prefix="kine via pgpin --backend-is-pooler + PgBouncer"
if start_pgpin "$prefix" "postgres://$PGPIN_TEST_USER@127.0.0.1:$bport/kine_pgb" --backend-is-pooler; then
	drv_sampler_start kine_pgb
	IT_PIDS+=("$DRV_SAMPLER")
	run_kine "$prefix" pgb workload "postgres://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/kine_pgb"
	drv_server_conns_ok "$prefix" 2 PgBouncer
	stop_pgpin "$prefix"
fi

prefix="kine control, pgpin without --backend-is-pooler + PgBouncer"
if start_pgpin "$prefix" "postgres://$PGPIN_TEST_USER@127.0.0.1:$bport/kine_ctl"; then
	run_kine "$prefix" ctl control "postgres://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/kine_ctl"
	stop_pgpin "$prefix" control
fi

it_ok "PgBouncer still runs" kill -0 "$bpid"
it_no_sanitizer_reports
it_done
