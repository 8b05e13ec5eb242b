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

# ---- syslog (log.c): lifecycle lines reach syslog, under the configured
# ident and at the priority of their level; no password does.
# glibc's syslog() writes datagrams to /dev/log.  pgpin runs in a private
# mount namespace (unshare -m) whose /dev is a tmpfs of links to the real
# /dev entries, plus /dev/log: a link to a datagram socket this script
# reads.  The machine's own /dev and syslog are left alone.
syslog_ident=pgpin-it-syslog
syslog_dir="$IT_WORK/syslog"
syslog_out="$syslog_dir/received"
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	it_pass "syslog # SKIP needs root and unshare -m (util-linux)"
else
	mkdir -p "$syslog_dir/hostdev"
	# every datagram on a line of its own, until "--end--" (or 30 s of
	# silence: it never outlives the test)
	"$python" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        d = s.recv(65536)
        if d == b"--end--":
            break
        out.write(d + b"\n")
' "$syslog_dir/log.sock" "$syslog_out" 2>"$syslog_dir/listener.err" &
	syslog_listener=$!
	wait_for 5 test -S "$syslog_dir/log.sock"
	# pgpin, as it_start_pgpin runs $PGPIN; exec all the way, so that
	# IT_PGPIN_PID is pgpin's own pid (the one syslog shows)
	cat >"$syslog_dir/pgpin" <<EOF2
#!/bin/sh
exec unshare -m sh -c '
	mount --rbind /dev "\$0/hostdev" && mount -t tmpfs -o mode=755 tmpfs /dev || exit 1
	for e in "\$0"/hostdev/*; do ln -s "\$e" "/dev/\${e##*/}" || exit 1; done
	ln -s "\$0/log.sock" /dev/log && exec "\$@"' "$syslog_dir" "$PGPIN" "\$@"
EOF2
	chmod +x "$syslog_dir/pgpin"
	printf '"%s" "%s"\n' "$PGPIN_TEST_USER" "$PGPIN_TEST_PASSWORD" >"$syslog_dir/users.txt"
	# passwords: the server's in the endpoint, the clients' in the auth file
	cat >"$syslog_dir/pgpin.ini" <<EOF2
[pgpin]
datastore_endpoint = "$IT_ENDPOINT"
auth_type = scram-sha-256
auth_file = $syslog_dir/users.txt
log_level = debug
syslog = yes
syslog_ident = $syslog_ident
EOF2
	if PGPIN="$syslog_dir/pgpin" it_start_pgpin --config "$syslog_dir/pgpin.ini"; then
		syslog_pid=$IT_PGPIN_PID
		it_is "syslog: a query through pgpin" "$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1')" "1"
		out=$(PGPASSWORD=not-the-password-4711 timeout 60 "$IT_PSQL" -X -At -h 127.0.0.1 \
			-p "$IT_PGPIN_PORT" -U "$PGPIN_TEST_USER" -d "$PGPIN_TEST_DB" -c 'SELECT 1' 2>&1)
		it_like "syslog: a wrong password is refused" "$out" 'password authentication failed'
		# A reload that renames the ident: openlog() keeps the pointer it
		# is given, so the old configuration's string must not be it.
		sed -i "s/^syslog_ident = .*/syslog_ident = ${syslog_ident}-2/" "$syslog_dir/pgpin.ini"
		kill -HUP "$syslog_pid"
		it_ok "syslog: SIGHUP reloads" wait_for 10 grep -q 'configuration reloaded' "$IT_PGPIN_LOG"
		it_ok "syslog: pgpin exits on SIGTERM" it_stop_pgpin "$syslog_pid"
		# after pgpin's own datagrams, which the socket keeps in order
		"$python" -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"--end--", sys.argv[1])' \
			"$syslog_dir/log.sock"
		it_ok "syslog: the listener read up to the end" it_reap "$syslog_listener" 5
		hdr="^<30>[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} $syslog_ident\\[$syslog_pid\\]: "
		got=$(cat "$syslog_out")
		it_like "syslog: the login, at daemon.info under ident ${syslog_ident}[pid]" "$got" \
			"${hdr}client 127\\.0\\.0\\.1:[0-9]+: login user=$PGPIN_TEST_USER database=$PGPIN_TEST_DB application_name=psql\$"
		it_like "syslog: the server login" "$got" \
			"${hdr}server $PGPIN_TEST_PGHOST:$PGPIN_TEST_PGPORT pid [0-9]+: logged in\$"
		it_like "syslog: the client's end" "$got" \
			"${hdr}client 127\\.0\\.0\\.1:[0-9]+ user=$PGPIN_TEST_USER database=$PGPIN_TEST_DB: closed \\(client terminated\\)\$"
		it_like "syslog: the refused login" "$got" \
			"${hdr}client 127\\.0\\.0\\.1:[0-9]+ user=$PGPIN_TEST_USER: SCRAM authentication failed: "
		it_like "syslog: the reload announced under the old ident" "$got" \
			"${hdr}SIGHUP: reloading configuration\$"
		it_like "syslog: after the reload, the new ident" "$got" \
			"^<30>.* ${syslog_ident}-2\\[$syslog_pid\\]: configuration reloaded\$"
		it_like "syslog: a debug line at daemon.debug" "$got" \
			"^<31>.* $syslog_ident\\[$syslog_pid\\]: client 127\\.0\\.0\\.1:[0-9]+: connected\$"
		# The same lines as on stderr, in the same order, each at its
		# level's priority (daemon: 24 + error 3, warning 4, info 6, debug 7).
		sed -n 's/^[0-9-]* [0-9:.]* UTC \[[0-9]*\] \(error\|warning\|info\|debug\): /\1 /p' "$IT_PGPIN_LOG" |
			sed 's/^error/27/; s/^warning/28/; s/^info/30/; s/^debug/31/' >"$syslog_dir/stderr.lines"
		sed -E "s/^<([0-9]+)>[A-Z][a-z]{2} [ 1-3][0-9] [0-9:]{8} $syslog_ident(-2)?\\[$syslog_pid\\]: /\\1 /" \
			"$syslog_out" >"$syslog_dir/syslog.lines"
		it_ok "syslog: every line of stderr, and only those, at its level's priority ($(wc -l <"$syslog_dir/syslog.lines") lines)" \
			cmp -s "$syslog_dir/stderr.lines" "$syslog_dir/syslog.lines"
		cmp -s "$syslog_dir/stderr.lines" "$syslog_dir/syslog.lines" ||
			diff -U0 "$syslog_dir/stderr.lines" "$syslog_dir/syslog.lines" | head -n 20 | sed 's/^/#   /'
		it_unlike "syslog: no password" "$got" "$PGPIN_TEST_PASSWORD|not-the-password-4711"
	else
		it_fail "syslog: pgpin starts in its own mount namespace"
	fi
	kill "$syslog_listener" 2>/dev/null
	wait "$syslog_listener" 2>/dev/null
	it_is "syslog: the listener had no error" "$(cat "$syslog_dir/listener.err")" ""
fi

it_no_sanitizer_reports
it_done
