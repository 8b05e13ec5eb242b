#!/bin/bash
# test_lifecycle.sh - what happens to server connections over time and on
# SIGHUP: min_pool_size keeps servers open, server_idle_timeout and
# server_lifetime retire them, the health check runs before a server idle
# for server_check_delay is lent again, a server the backend dropped is not
# lent, a reload applies a new configuration or keeps the old one, and the
# login, connect and shutdown timeouts end what would otherwise hang.
# Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_lifecycle

# Server connections pgpin has open (as pgpin_test, not this psql).
backends() {
	it_direct -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'pgpin_test'
		AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
}

backends_are() {
	test "$(backends)" = "$1"
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}

# ---- min_pool_size: two servers stay open with no client at all
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-size 4 --min-pool-size 2 \
	--server-idle-timeout 1 || { it_fail "pgpin starts"; it_done; }
it_is "a query through pgpin" "$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1')" "1"
it_ok "min_pool_size 2: two servers open while idle" wait_for 5 backends_are 2
sleep 2.5
it_is "min_pool_size 2: still two after server_idle_timeout" "$(backends)" "2"
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"
it_ok "its servers are gone" wait_for 5 backends_are 0

# ---- server_idle_timeout: idle servers above min_pool_size are closed
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-size 4 --server-idle-timeout 1 ||
	{ it_fail "pgpin starts"; it_done; }
it_is "a query through pgpin" "$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1')" "1"
it_ok "server_idle_timeout 1: the idle server is closed" wait_for 5 backends_are 0
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"

# ---- server_lifetime: an old server is replaced at release
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-size 1 --server-lifetime 1 ||
	{ it_fail "pgpin starts"; it_done; }
pid1=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT pg_backend_pid()')
pid2=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT pg_backend_pid()')
it_is "within server_lifetime the same server serves" "$pid2" "$pid1"
sleep 2.2
pid3=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT pg_backend_pid()')
it_ok "after server_lifetime another server serves ($pid1 then $pid3)" test -n "$pid3" -a "$pid3" != "$pid1"
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"

# ---- the health check before reuse
# A check query with a visible effect: it runs before a server idle for
# server_check_delay is lent again, and not otherwise.
it_direct -c "DROP TABLE IF EXISTS it_checks; CREATE TABLE it_checks (at timestamptz DEFAULT now())" >/dev/null
checks_after_three_queries() {
	it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-size 1 \
		--server-check-delay "$1" --server-check-query "INSERT INTO it_checks DEFAULT VALUES" ||
		{ it_fail "pgpin starts"; it_done; }
	it_direct -c "TRUNCATE it_checks" >/dev/null
	for i in 1 2 3; do
		it_psql "$IT_PGPIN_PORT" -At -c "SELECT $i" >/dev/null
	done
	it_stop_pgpin "$IT_PGPIN_PID"
	it_direct -c "SELECT count(*) FROM it_checks"
}
it_is "server_check_delay 0: the check runs every time a server is lent" "$(checks_after_three_queries 0)" "3"
it_is "server_check_delay 3600: no check for a server just used" \
	"$(checks_after_three_queries 3600)" "0"

# A server the backend drops while idle is not lent to the next client.
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-size 1 --server-check-delay 0 ||
	{ it_fail "pgpin starts"; it_done; }
pid=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT pg_backend_pid()')
it_direct -c "SELECT pg_terminate_backend($pid)" >/dev/null
wait_for 5 backends_are 0
it_is "the next client is served by a new server" \
	"$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT pg_backend_pid() <> '"$pid" 2>&1)" "t"
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"

# ---- SIGHUP
cat >"$IT_WORK/reload.ini" <<EOF2
[pgpin]
datastore_endpoint = "$IT_ENDPOINT"
log_level = warning
EOF2
it_start_pgpin --config "$IT_WORK/reload.ini" || { it_fail "pgpin starts"; it_done; }
it_is "a query before the reload" "$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1')" "1"
it_unlike "log_level = warning: no connection lines" "$(cat "$IT_PGPIN_LOG")" 'login user='
sed -i 's/^log_level = warning/log_level = info/' "$IT_WORK/reload.ini"
kill -HUP "$IT_PGPIN_PID"
it_ok "the reload is logged" wait_for 5 grep -q 'configuration reloaded' "$IT_PGPIN_LOG"
it_is "a query after the reload" "$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 2')" "2"
it_like "log_level = info now: the login is logged" "$(cat "$IT_PGPIN_LOG")" 'login user='
echo "pool_size = many" >>"$IT_WORK/reload.ini"
kill -HUP "$IT_PGPIN_PID"
it_ok "a bad file is refused and the running configuration kept" \
	wait_for 5 grep -q 'reload failed, keeping the running configuration' "$IT_PGPIN_LOG"
it_is "pgpin still serves" "$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 3')" "3"
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"

# ---- client_login_timeout: a client that never logs in is dropped
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --client-login-timeout 1 ||
	{ it_fail "pgpin starts"; it_done; }
start=$SECONDS
# bash holds the connection open and sends nothing; read returns at EOF.
out=$(timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$IT_PGPIN_PORT; cat <&3 | head -c 0; echo closed")
it_is "a silent connection is closed" "$out" "closed"
it_ok "within client_login_timeout and the janitor's second ($((SECONDS - start)) s)" \
	test $((SECONDS - start)) -le 4
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"

# ---- server_connect_timeout: a backend that accepts and never answers
python=/usr/bin/python3
blackhole_port=$(it_free_port)
"$python" -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $blackhole_port)); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
" &
blackhole=$!
it_start_pgpin --datastore-endpoint "postgres://u:p@127.0.0.1:$blackhole_port/db" \
	--server-connect-timeout 1 --query-wait-timeout 3 || { it_fail "pgpin starts"; it_done; }
start=$SECONDS
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1' 2>&1)
it_like "the client is told the server did not answer" "$out" 'timeout connecting to server'
it_ok "within query_wait_timeout ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 6
it_ok "pgpin logged server_connect_timeout" grep -q 'server_connect_timeout' "$IT_PGPIN_LOG"
it_ok "pgpin exits on SIGTERM" it_stop_pgpin "$IT_PGPIN_PID"
kill "$blackhole" 2>/dev/null
wait "$blackhole" 2>/dev/null

# ---- shutdown_timeout: SIGINT stops waiting for an open transaction
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --shutdown-timeout 1 ||
	{ it_fail "pgpin starts"; it_done; }
it_psql "$IT_PGPIN_PORT" -c "BEGIN" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
sleep 0.5
start=$SECONDS
kill -INT "$IT_PGPIN_PID"
it_ok "SIGINT with a transaction open: pgpin exits after shutdown_timeout" \
	it_reap "$IT_PGPIN_PID" 6
it_ok "...not at once" test $((SECONDS - start)) -ge 1
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
it_ok "the query the shutdown cut short does not go on running on PostgreSQL" \
	wait_for 5 backends_are 0

it_no_sanitizer_reports
it_done
