#!/bin/bash
# test_drivers.sh - real client drivers, statement caches on, through pgpin
# in transaction mode with --pool-size 2 and 6-8 concurrent connections:
#
#  pgx v4 (Go)      pgxpool of 8 with the default statement cache
#                   (transactions, batches); 6 pgx.Conn preparing "same"
#                   for different texts and "shared" for one text, 42P05,
#                   DEALLOCATE, 26000; statement_cache_capacity=4 with 10
#                   texts (pgx deallocates lrupsc_N_M by name), in two
#                   processes at once so that equal names mean different texts
#  asyncpg          pool of 8, Parse/Describe/Flush then Bind/Execute/Sync,
#                   per-connection statement names, transactions, a small
#                   statement cache (Close of evicted statements)
#  psycopg 3        prepare_threshold=0, 6 connections in threads, autocommit
#                   and not, transaction blocks and rollbacks; DEALLOCATE
#                   _pg3_N (prepared_max=4) and DEALLOCATE ALL (after DROP)
#  node-postgres    6 clients, named queries: the same name with a different
#                   text on each client, transactions
#
# Each driver gets a pgpin of its own; PostgreSQL (pg_stat_activity) must
# never see more than 2 server connections.  A driver whose runtime is not
# installed is skipped ("ok N - ... # SKIP"); CI installs them all (.ci/run).
# Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_drivers
. "$top_srcdir/t/integration/drivers/common.sh"

db=drivers_t
it_direct -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
if ! it_direct -c "CREATE DATABASE $db OWNER $PGPIN_TEST_USER" >/dev/null; then
	it_fail "create database $db"
	it_done
fi
endpoint="postgres://$PGPIN_TEST_USER:$PGPIN_TEST_PASSWORD@$PGPIN_TEST_PGHOST:$PGPIN_TEST_PGPORT/$db"

# start_pgpin PREFIX: a pgpin with pool size 2 for one driver, and the
# sampler of its server connections.
start_pgpin() {
	# The endpoint holds a password: in the environment, not on the command line.
	if ! PGPIN_DATASTORE_ENDPOINT="$endpoint" it_start_pgpin --pool-mode transaction \
		--pool-size 2 --log-level info; then
		it_fail "$1: pgpin starts"
		return 1
	fi
	drv_sampler_start "$db"
	IT_PIDS+=("$DRV_SAMPLER")
	return 0
}

# stop_pgpin PREFIX: check the server connections, that pgpin survived, and stop it.
stop_pgpin() {
	drv_server_conns_ok "$1" 2
	it_ok "$1: pgpin still runs" kill -0 "$IT_PGPIN_PID"
	it_stop_pgpin "$IT_PGPIN_PID"
	drv_log_clean "$1" "$IT_PGPIN_LOG"
}

skip() {
	it_pass "$1 # SKIP $2"
}

# ------------------------------------------------------------ pgx v4

drv_go_build "$DRV_SRC/drivers/pgx" pgxdrv
case $? in
0)
	bin=$DRV_BIN
	if start_pgpin pgx; then
		url="postgres://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/$db"
		timeout 100 "$bin" pool "$url" >"$IT_WORK/pgx-pool.out" 2>&1
		drv_relay "pgx v4" "$IT_WORK/pgx-pool.out" $?
		timeout 100 "$bin" names "$url" >"$IT_WORK/pgx-names.out" 2>&1
		drv_relay "pgx v4" "$IT_WORK/pgx-names.out" $?
		# two processes: the same lrupsc_N_M names for different texts
		timeout 100 "$bin" cache-A "$url" >"$IT_WORK/pgx-cacheA.out" 2>&1 &
		pa=$!
		timeout 100 "$bin" cache-B "$url" >"$IT_WORK/pgx-cacheB.out" 2>&1
		sb=$?
		wait "$pa"
		sa=$?
		drv_relay "pgx v4" "$IT_WORK/pgx-cacheA.out" $sa
		drv_relay "pgx v4" "$IT_WORK/pgx-cacheB.out" $sb
		stop_pgpin "pgx v4"
	fi
	;;
2) skip "pgx v4" "$DRV_SKIP_WHY" ;;
*) it_fail "pgx v4: the Go program builds" ;;
esac

# ------------------------------------------------------------ asyncpg

if ! "$DRV_PY" -c 'import asyncpg' 2>/dev/null; then
	skip "asyncpg" "asyncpg not installed for $DRV_PY (Debian: python3-asyncpg)"
elif start_pgpin asyncpg; then
	timeout 150 "$DRV_PY" "$DRV_SRC/drivers/asyncpg_test.py" \
		"postgresql://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/$db" >"$IT_WORK/asyncpg.out" 2>&1
	drv_relay asyncpg "$IT_WORK/asyncpg.out" $?
	stop_pgpin asyncpg
fi

# ------------------------------------------------------------ psycopg 3

if ! "$DRV_PY" -c 'import psycopg' 2>/dev/null; then
	skip "psycopg 3" "psycopg not installed for $DRV_PY (Debian: python3-psycopg)"
elif start_pgpin "psycopg 3"; then
	timeout 150 "$DRV_PY" "$DRV_SRC/drivers/psycopg_test.py" \
		"host=127.0.0.1 port=$IT_PGPIN_PORT user=$PGPIN_TEST_USER dbname=$db" >"$IT_WORK/psycopg.out" 2>&1
	drv_relay "psycopg 3" "$IT_WORK/psycopg.out" $?
	stop_pgpin "psycopg 3"
fi

# ------------------------------------------------------------ node-postgres

drv_node_modules
case $? in
0) start_pgpin node-postgres ;;
2) skip "node-postgres" "$DRV_SKIP_WHY"; false ;;
*) it_fail "node-postgres: installing it"; false ;;
esac && {
	NODE_PATH=$DRV_NODE_MODULES timeout 150 node "$DRV_SRC/drivers/node_pg_test.js" \
		"postgres://$PGPIN_TEST_USER@127.0.0.1:$IT_PGPIN_PORT/$db" >"$IT_WORK/node.out" 2>&1
	drv_relay node-postgres "$IT_WORK/node.out" $?
	stop_pgpin node-postgres
}

it_no_sanitizer_reports
it_done
