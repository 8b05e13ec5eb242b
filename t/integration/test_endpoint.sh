#!/bin/bash
# test_endpoint.sh - the datastore endpoint as k3s defines it: a bare
# postgres:// means postgres:postgres@localhost:5432/kubernetes, a URI without
# a database means "kubernetes", the endpoint's database is created when it
# does not exist (and is not when the role may not, or --no-create-database),
# a password given as a flag leaves the process list at once, and no output
# of pgpin ever shows a password.
. "$(dirname "$0")/lib.sh"
it_begin endpoint

pg_host=$PGPIN_TEST_PGHOST
pg_port=$PGPIN_TEST_PGPORT
secret=$PGPIN_TEST_PASSWORD
nc_secret=Nc-pass-7Qz

# pgpin --check with the given environment and arguments, stdout and stderr.
check() {
	env "${IT_UNSET[@]}" "$@" 2>&1
}

# wait_log REGEX SECONDS: until pgpin's current log matches.
wait_log() {
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		grep -Eq -- "$1" "$IT_PGPIN_LOG" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

db_exists() {
	it_direct -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$1'"
}

cleanup_cluster() {
	it_direct -d postgres >/dev/null 2>&1 <<'EOF'
DROP DATABASE IF EXISTS kubernetes WITH (FORCE);
DROP DATABASE IF EXISTS nc_db WITH (FORCE);
DROP DATABASE IF EXISTS it_first_use WITH (FORCE);
DROP DATABASE IF EXISTS it_not_created WITH (FORCE);
DROP ROLE IF EXISTS it_nocreate;
ALTER ROLE postgres PASSWORD NULL;
EOF
}
cleanup_cluster
it_direct -d postgres -c "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null
it_direct -d postgres -c "CREATE ROLE it_nocreate LOGIN PASSWORD '$nc_secret'" >/dev/null

# ---- resolution, as --check prints it
for scheme in postgres postgresql; do
	out=$(check PGPIN_DATASTORE_ENDPOINT="$scheme://" "$PGPIN" --check)
	it_like "bare $scheme:// resolves to k3s's default" "$out" \
		'^; resolved: host=localhost port=5432 dbname=kubernetes user=postgres password=\*\*\*\*$'
done
out=$(check PGPIN_DATASTORE_ENDPOINT="postgres://kine:$secret@db.example:5433" "$PGPIN" --check)
it_like "a URI without a database names kubernetes" "$out" \
	'^; resolved: host=db.example port=5433 dbname=kubernetes user=kine password=\*\*\*\*$'
out=$(check PGPIN_DATASTORE_ENDPOINT="postgres://kine:$secret@db.example/K3s_Main" "$PGPIN" --check)
it_like "the database name is lower-cased" "$out" 'dbname=k3s_main user=kine'
out=$(check PGPIN_DATASTORE_ENDPOINT="host=db.example user=kine password=$secret" "$PGPIN" --check)
it_like "a keyword string without dbname passes the client's database" "$out" \
	'^; resolved: host=db.example port=5432 user=kine password=\*\*\*\*$'
it_unlike "--check never shows the password (environment)" "$out" "$secret"
out=$(check "$PGPIN" --check --datastore-endpoint "postgres://kine:$secret@db.example:5433/k?password=$secret")
it_unlike "--check never shows the password (flag)" "$out" "$secret"
it_like "--check warns about a password on the command line" "$out" \
	'set PGPIN_DATASTORE_ENDPOINT .* instead'
out=$(check "$PGPIN" --check --datastore-endpoint "postgres://kine:$secret@db.example/k?bogus=1")
it_like "an unknown parameter is refused at start" "$out" 'invalid URI query parameter: "bogus"'
it_unlike "... and the message has no password" "$out" "$secret"
out=$(check "$PGPIN" --check --no-create-database --datastore-endpoint "postgres://")
it_like "--no-create-database" "$out" '^create_database = no$'

# ---- postgres://postgres:postgres@...: the database kubernetes, created at start
it_is "no kubernetes database yet" "$(db_exists kubernetes)" "0"
PGPIN_DATASTORE_ENDPOINT="postgres://postgres:postgres@$pg_host:$pg_port" \
	it_start_pgpin || it_fail "pgpin with a database-less URI starts"
it_ok "pgpin creates kubernetes at start" wait_log 'created database "kubernetes"' 10
out=$(it_psql "$IT_PGPIN_PORT" -d anything -At -c 'SELECT current_database(), current_user' 2>&1)
it_is "clients are served kubernetes as postgres" "$out" "kubernetes|postgres"
it_is "kubernetes exists" "$(db_exists kubernetes)" "1"
it_stop_pgpin "$IT_PGPIN_PID"

# ---- kine style: the database is missing when a client comes
# (the Unix socket: trust, no password needed)
it_start_pgpin --datastore-endpoint "host=$PGPIN_TEST_PGSOCKDIR port=$pg_port user=$PGPIN_TEST_USER dbname=it_first_use" \
	|| it_fail "pgpin for it_first_use starts"
it_ok "at start: created" wait_log 'created database "it_first_use"' 10
it_direct -d postgres -c "DROP DATABASE it_first_use WITH (FORCE)" >/dev/null
sleep 1.2
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT current_database()' 2>&1)
it_is "a login that finds no database creates it and goes on" "$out" "it_first_use"
n=$(grep -c 'created database "it_first_use"' "$IT_PGPIN_LOG")
it_is "created twice: at start and at first use" "$n" "2"
it_stop_pgpin "$IT_PGPIN_PID"

# ---- a role without CREATEDB: a clear log line, and clients get 3D000
it_start_pgpin --datastore-endpoint "postgres://it_nocreate:$nc_secret@$pg_host:$pg_port/nc_db" ||
	it_fail "pgpin for nc_db starts"
it_ok "the log says why the database was not created" \
	wait_log 'could not create database "nc_db": permission denied to create database \(SQLSTATE 42501\)' 10
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1' 2>&1)
it_like "the client gets the server's 3D000 error" "$out" 'database "nc_db" does not exist'
it_is "nc_db was not created" "$(db_exists nc_db)" "0"
it_stop_pgpin "$IT_PGPIN_PID"

# ---- --no-create-database
it_start_pgpin --no-create-database \
	--datastore-endpoint "host=$PGPIN_TEST_PGSOCKDIR port=$pg_port user=$PGPIN_TEST_USER dbname=it_not_created" ||
	it_fail "pgpin --no-create-database starts"
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1' 2>&1)
it_like "--no-create-database: the client gets 3D000" "$out" 'database "it_not_created" does not exist'
it_is "--no-create-database: nothing created" "$(db_exists it_not_created)" "0"
it_unlike "--no-create-database: no attempt logged" "$(cat "$IT_PGPIN_LOG")" 'create database'
it_stop_pgpin "$IT_PGPIN_PID"

# ---- a password on the command line leaves the process list
it_start_pgpin --datastore-endpoint "postgres://$PGPIN_TEST_USER:$secret@$pg_host:$pg_port/$PGPIN_TEST_DB" \
	--log-level debug || it_fail "pgpin with a password in a flag starts"
pid=$IT_PGPIN_PID
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
it_unlike "/proc/PID/cmdline has no password" "$cmdline" "$secret"
it_like "/proc/PID/cmdline shows where it was" "$cmdline" "postgres://$PGPIN_TEST_USER:\*\*\*\*@$pg_host"
it_like "a warning recommends the environment" "$(cat "$IT_PGPIN_LOG")" \
	'warning: .*password.*set PGPIN_DATASTORE_ENDPOINT'
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT current_user' 2>&1)
it_is "pgpin logs in with the password it wiped" "$out" "$PGPIN_TEST_USER"
kill -HUP "$pid"
it_ok "SIGHUP reloads from the saved arguments" wait_log 'configuration reloaded' 10
it_direct -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE usename = '$PGPIN_TEST_USER' AND pid <> pg_backend_pid() AND datname = '$PGPIN_TEST_DB'" >/dev/null
sleep 0.3
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 2' 2>&1)
it_is "after the reload, new server logins still have the password" "$out" "2"
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
it_unlike "still no password in /proc/PID/cmdline" "$cmdline" "$secret"

# ---- the password from a password file, read again at every server login
# (as libpq does), so that a changed password needs no restart
it_stop_pgpin "$pid"
pf=$IT_WORK/pgpass
write_pgpass() {
	printf '%s:%s:*:%s:%s\n' "$pg_host" "$pg_port" "$PGPIN_TEST_USER" "$1" >"$pf"
	chmod 600 "$pf"
}
kill_servers() {
	it_direct -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE usename = '$PGPIN_TEST_USER' AND pid <> pg_backend_pid() AND datname = '$PGPIN_TEST_DB'" >/dev/null
	sleep 0.3
}
write_pgpass "$secret"
it_start_pgpin --datastore-endpoint "host=$pg_host port=$pg_port user=$PGPIN_TEST_USER passfile=$pf" ||
	it_fail "pgpin with a password file starts"
pid=$IT_PGPIN_PID
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT current_user' 2>&1)
it_is "the password file gives pgpin the server password" "$out" "$PGPIN_TEST_USER"
write_pgpass wrong-password
kill_servers
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 1' 2>&1)
it_like "a password changed in the file is the one the next server login uses" "$out" \
	'password authentication failed'
write_pgpass "$secret"
sleep 1.2 # pgpin waits a second before trying a failed target again
out=$(it_psql "$IT_PGPIN_PORT" -At -c 'SELECT 3' 2>&1)
it_is "the right one again: served, without a restart" "$out" "3"

# ---- no log line ever shows a password (the harness's own line aside)
leaks=""
for log in "${IT_LOGS[@]}"; do
	leaks+=$(grep -v '^# harness:' "$log" | grep -E -- "$secret|$nc_secret")
done
it_is "no pgpin log shows a password" "$leaks" ""

it_stop_pgpin "$pid"
cleanup_cluster
it_no_sanitizer_reports
it_done
