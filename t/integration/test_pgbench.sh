#!/bin/bash
# test_pgbench.sh - pgbench through pgpin in transaction mode, pool size 5:
# initialisation (COPY, VACUUM, DDL), 20 clients with the simple, the
# extended and the prepared (named statements) protocol, and a new
# connection per transaction (-C).  Every run
# must finish with no failed transaction and no aborted client, while
# PostgreSQL never sees more than 5 server connections from pgpin.
# Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_pgbench

it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-mode transaction --pool-size 5 \
	--max-client-conn 100 --log-level info || { it_fail "pgpin starts"; it_done; }
port=$IT_PGPIN_PORT
export PGPASSWORD=$PGPIN_TEST_PASSWORD

pgbench() {
	timeout 60 "$IT_PGBENCH" -h 127.0.0.1 -p "$port" -U "$PGPIN_TEST_USER" "$@" "$PGPIN_TEST_DB"
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
}

# Largest number of pgpin's server connections seen on PostgreSQL, sampled
# every 0.2 s until $IT_WORK/stop-sampling exists.
sample_backends() {
	local max=0 n
	while [ ! -e "$IT_WORK/stop-sampling" ]; do
		n=$(it_direct -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'pgpin_test'
			AND backend_type = 'client backend' AND pid <> pg_backend_pid()" 2>/dev/null)
		[ -n "$n" ] && [ "$n" -gt "$max" ] && max=$n
		sleep 0.2
	done
	echo "$max" >"$IT_WORK/max-backends"
}

out=$(pgbench -i -s 2 -q 2>&1)
status=$?
it_is "pgbench -i -s 2 through pgpin" "$status" "0"
[ "$status" = 0 ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
it_is "pgbench_accounts has 200000 rows" "$(it_direct -c 'SELECT count(*) FROM pgbench_accounts')" "200000"

sample_backends &
sampler=$!

out=$(pgbench -M simple -c 20 -j 2 -T 10 -n 2>&1)
check_run "simple protocol, 20 clients" "$out" $?

out=$(pgbench -M extended -c 20 -j 2 -T 10 -n 2>&1)
check_run "extended protocol, 20 clients" "$out" $?

touch "$IT_WORK/stop-sampling"
wait "$sampler"
max=$(cat "$IT_WORK/max-backends" 2>/dev/null)
it_ok "at most 5 server connections during the runs (saw ${max:-none})" test "${max:-99}" -le 5

out=$(pgbench -C -S -c 4 -j 2 -T 5 -n 2>&1)
check_run "a new connection per transaction (-C -S)" "$out" $?

# pgpin keeps named prepared statements working under transaction pooling.
out=$(pgbench -M prepared -c 20 -j 2 -T 10 -n 2>&1)
check_run "prepared statements, 20 clients" "$out" $?

it_is "the balances still add up" \
	"$(it_direct -c 'SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(delta) FROM pgbench_history)')" "t"

it_ok "pgpin still runs" kill -0 "$IT_PGPIN_PID"
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"

# Prepared statements through 4 servers, TPC-B and select-only, with the
# statistics line that shows what the statement tracking did.
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-mode transaction --pool-size 4 \
	--max-client-conn 100 --log-level info --stats-period 1 || { it_fail "pgpin starts"; it_done; }
port=$IT_PGPIN_PORT
out=$(pgbench -M prepared -c 20 -j 2 -T 8 -n 2>&1)
check_run "prepared TPC-B, 20 clients, pool size 4" "$out" $?
out=$(pgbench -M prepared -S -c 20 -j 2 -T 8 -n 2>&1)
check_run "prepared select-only, 20 clients, pool size 4" "$out" $?
sleep 1.5
stats=$(grep 'statements:' "$IT_PGPIN_LOG" | tail -n 1)
it_note "$stats"
it_like "the stats line counts the statements pgpin answered itself" "$(grep 'statements:' "$IT_PGPIN_LOG")" \
	'[1-9][0-9]* answered by pgpin'
it_like "the stats line counts injected Parses" "$(grep 'statements:' "$IT_PGPIN_LOG")" \
	'server parses \([1-9][0-9]* injected\)'
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"
it_no_sanitizer_reports
it_done
