#!/bin/bash
# test_ha.sh - highly available backends: a primary and a streaming standby
# (two clusters of their own on loopback), a multi-host endpoint, and
# target_session_attrs checked on every new server connection.  Then the
# standby is promoted and the old primary stopped: the transaction in flight
# fails, and writes through the same pgpin succeed again without a restart.
. "$(dirname "$0")/lib.sh"
it_begin ha

bin=$PGPIN_TEST_PGBINDIR
ha=$IT_WORK/ha
primary=$ha/primary
standby=$ha/standby
p1=$(it_free_port) || exit 99
p2=$(it_free_port) || exit 99
while [ "$p2" = "$p1" ]; do p2=$(it_free_port) || exit 99; done
started=()

ha_cleanup() {
	local rc=$? d
	for d in "${started[@]}"; do
		it_as_pg "$bin/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
	done
	(exit $rc)
	it_cleanup
}
trap ha_cleanup EXIT

# The clusters run as the postgres user when the tests run as root.
chmod 755 "$IT_WORK"
mkdir -p "$ha"
[ "$(id -u)" = 0 ] && chown postgres: "$ha"

setup_failed() {
	it_fail "$*"
	for f in "$ha"/*.log; do
		[ -f "$f" ] && tail -n 20 "$f" | sed "s|^|# $(basename "$f"): |"
	done
	it_done
}

# pg PORT SQL: straight to a cluster, as postgres, unaligned.
pg() {
	timeout 20 "$bin/psql" -X -q -At -h "$ha" -p "$1" -U postgres -d postgres -c "$2" 2>&1
}

it_as_pg "$bin/initdb" -D "$primary" -U postgres -A trust -E UTF8 --no-locale --no-sync \
	>"$ha/initdb.log" 2>&1 || setup_failed "initdb of the primary"
cat >>"$primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $p1
unix_socket_directories = '$ha'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
shared_buffers = 16MB
max_connections = 30
EOF
cat >"$primary/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
EOF
it_as_pg "$bin/pg_ctl" -D "$primary" -l "$ha/primary.log" -w -t 30 start >/dev/null ||
	setup_failed "the primary starts"
started+=("$primary")
it_as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres -D "$standby" -R -X stream \
	--no-sync >"$ha/basebackup.log" 2>&1 || setup_failed "pg_basebackup"
echo "port = $p2" >>"$standby/postgresql.conf"
it_as_pg "$bin/pg_ctl" -D "$standby" -l "$ha/standby.log" -w -t 30 start >/dev/null ||
	setup_failed "the standby starts"
started+=("$standby")
it_is "the standby is in recovery" "$(pg "$p2" 'SELECT pg_is_in_recovery()')" "t"
pg "$p1" "CREATE TABLE ha (id int PRIMARY KEY, note text)" >/dev/null

# ---- target_session_attrs routes as libpq does
both="host=127.0.0.1,127.0.0.1 port=$p1,$p2 user=postgres dbname=postgres"
reversed="host=127.0.0.1,127.0.0.1 port=$p2,$p1 user=postgres dbname=postgres"
cat >"$IT_WORK/ha.ini" <<EOF
[databases]
rw = $both target_session_attrs=read-write
ro = $both target_session_attrs=read-only
primary = $reversed target_session_attrs=primary
standby = $both target_session_attrs=standby
prefer = $both target_session_attrs=prefer-standby
any = $both target_session_attrs=any
any_reversed = $reversed target_session_attrs=any
inherit_reversed = $reversed
rw_reversed = $reversed target_session_attrs=read-write
prefer_primary_only = host=127.0.0.1 port=$p1 user=postgres dbname=postgres target_session_attrs=prefer-standby
standby_primary_only = host=127.0.0.1 port=$p1 user=postgres dbname=postgres target_session_attrs=standby
EOF
it_start_pgpin --config "$IT_WORK/ha.ini" --query-wait-timeout 3 \
	--datastore-endpoint "postgres://postgres@127.0.0.1:$p1,127.0.0.1:$p2/postgres?target_session_attrs=read-write" ||
	setup_failed "pgpin starts"
routes=$IT_PGPIN_PORT

route() {
	it_psql "$routes" -d "$1" -At -c 'SELECT inet_server_port(), pg_is_in_recovery()' 2>&1
}
it_is "read-write: the primary" "$(route rw)" "$p1|f"
it_is "read-only: the standby" "$(route ro)" "$p2|t"
it_is "primary, listed second: the primary" "$(route primary)" "$p1|f"
it_is "standby: the standby" "$(route standby)" "$p2|t"
it_is "prefer-standby: the standby" "$(route prefer)" "$p2|t"
it_is "any: the first host" "$(route any)" "$p1|f"
it_is "any, the standby first: the standby" "$(route any_reversed)" "$p2|t"
it_is "read-write, the standby first: the primary" "$(route rw_reversed)" "$p1|f"
it_is "an entry without target_session_attrs has the endpoint's" "$(route inherit_reversed)" "$p1|f"
it_is "prefer-standby without a standby: the primary" "$(route prefer_primary_only)" "$p1|f"
out=$(route standby_primary_only)
it_like "standby without a standby: 08006 with libpq's reason" "$out" \
	"connection to server at \"127.0.0.1\", port $p1 failed: server is not in hot standby mode"
it_like "the endpoint itself: read-write" "$(route whatever)" "^$p1\|f$"
it_like "the standby was tried and passed over" "$(cat "$IT_PGPIN_LOG")" \
	"server 127.0.0.1:$p2 pid [0-9]+: session is read-only"

# ---- failover without restarting pgpin
it_start_pgpin --query-wait-timeout 10 --server-check-delay 0 \
	--datastore-endpoint "postgres://postgres@127.0.0.1:$p1,127.0.0.1:$p2/postgres?target_session_attrs=read-write" ||
	setup_failed "pgpin for the failover starts"
fo=$IT_PGPIN_PORT
fo_pid=$IT_PGPIN_PID
out=$(it_psql "$fo" -d postgres -At -c "INSERT INTO ha VALUES (1, 'before') RETURNING inet_server_port()" 2>&1)
it_is "a write goes to the primary" "$out" "$p1"
for i in $(seq 100); do
	[ "$(pg "$p2" 'SELECT count(*) FROM ha')" = 1 ] && break
	sleep 0.1
done
it_is "the standby has replayed it" "$(pg "$p2" 'SELECT count(*) FROM ha')" "1"

# A transaction in flight when the primary goes.
it_psql "$fo" -d postgres -At -v ON_ERROR_STOP=1 >"$IT_WORK/inflight.out" 2>&1 <<'EOF' &
BEGIN;
INSERT INTO ha VALUES (2, 'in flight');
SELECT pg_sleep(30);
COMMIT;
EOF
inflight=$!
for i in $(seq 100); do
	n=$(pg "$p1" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'")
	[ "$n" = 1 ] && break
	sleep 0.1
done
it_is "the in-flight transaction runs on the primary" "$n" "1"

it_as_pg "$bin/pg_ctl" -D "$standby" -w -t 30 promote >/dev/null
it_is "the standby is promoted" "$(pg "$p2" 'SELECT pg_is_in_recovery()')" "f"
it_as_pg "$bin/pg_ctl" -D "$primary" -m fast -w -t 30 stop >/dev/null
started=("$standby")
wait "$inflight"
it_ok "the in-flight transaction fails" test $? -ne 0
it_like "... with a connection error" "$(cat "$IT_WORK/inflight.out")" \
	'terminating connection|server connection lost|server closed the connection'

out=$(it_psql "$fo" -d postgres -At -c "INSERT INTO ha VALUES (3, 'after') RETURNING inet_server_port()" 2>&1)
it_is "the next write succeeds, on the new primary" "$out" "$p2"
out=$(it_psql "$fo" -d postgres -At -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM ha" 2>&1)
it_is "the new primary has the rows committed before and after" "$out" "1,3"
it_ok "pgpin was not restarted" kill -0 "$fo_pid"
it_like "the old primary was passed over" "$(cat "$IT_PGPIN_LOG")" \
	"could not connect to server 127.0.0.1:$p1"

for pid in "${IT_PIDS[@]}"; do
	[ -n "$pid" ] && it_stop_pgpin "$pid"
done
it_no_sanitizer_reports
it_done
