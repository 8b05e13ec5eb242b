#!/bin/bash
# test_psql.sh - psql through pgpin: statements, meta-commands (catalog
# queries), notices, errors that do not end the session, \copy, the
# database-name rules of the endpoint, and LISTEN/NOTIFY in session mode.
# Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_psql

it_direct -c "DROP TABLE IF EXISTS it_psql; CREATE TABLE it_psql (id int PRIMARY KEY, name text)" \
	>/dev/null 2>&1
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-mode transaction --pool-size 2 ||
	{ it_fail "pgpin starts"; it_done; }
port=$IT_PGPIN_PORT

# ---- statements
out=$(it_psql "$port" -v ON_ERROR_STOP=1 -At 2>&1 <<'EOF'
INSERT INTO it_psql VALUES (1, 'one'), (2, 'two');
SELECT count(*) FROM it_psql;
SELECT name FROM it_psql WHERE id = 2;
BEGIN;
UPDATE it_psql SET name = 'deux' WHERE id = 2;
SELECT name FROM it_psql WHERE id = 2;
ROLLBACK;
SELECT name FROM it_psql WHERE id = 2;
SELECT 1 AS a \gset
SELECT :a + 41;
EOF
)
it_is "statements through pgpin" "$out" "2
two
deux
two
42"

out=$(it_psql "$port" -At -c "SELECT 'a'; SELECT 'b'" 2>&1)
it_is "two statements in one Query message" "$out" "a
b"

# ---- meta-commands: catalog queries
out=$(it_psql "$port" -c '\d it_psql' 2>&1)
it_like '\d it_psql shows the table' "$out" 'Table "public.it_psql"'
it_like '\d it_psql shows the columns' "$out" 'name +\| text'
it_like '\d it_psql shows the primary key' "$out" 'it_psql_pkey'
out=$(it_psql "$port" -c '\dt' 2>&1)
it_like '\dt lists the table' "$out" 'it_psql'
out=$(it_psql "$port" -c '\l' 2>&1)
it_like '\l lists the databases' "$out" 'pgpin_test'
out=$(it_psql "$port" -c '\conninfo' 2>&1)
it_like '\conninfo' "$out" 'You are connected to database "pgpin_test" as user "pgpin_test"'

# ---- notices and errors
out=$(it_psql "$port" -c "DO \$\$BEGIN RAISE NOTICE 'hello from DO'; END\$\$" 2>&1)
it_like "a NOTICE from a DO block reaches psql" "$out" 'NOTICE:  hello from DO'

out=$(it_psql "$port" -At 2>&1 <<'EOF'
SELECT 1/0;
SELECT 'after the error';
BEGIN;
SELECT 1/0;
SELECT 'inside the aborted transaction';
ROLLBACK;
SELECT 'after rollback';
EOF
)
it_like "division by zero is reported" "$out" 'ERROR:  division by zero'
it_like "the session goes on after an error" "$out" 'after the error'
it_like "an aborted transaction says so" "$out" 'current transaction is aborted'
it_like "and works again after ROLLBACK" "$out" 'after rollback'

# ---- \copy (COPY FROM STDIN / TO STDOUT through pgpin)
out=$(printf '10\tten\n11\televen\n' | it_psql "$port" -v ON_ERROR_STOP=1 -c '\copy it_psql from stdin' 2>&1)
it_is '\copy from stdin' "$out" ""
out=$(it_psql "$port" -v ON_ERROR_STOP=1 -c '\copy (SELECT id, name FROM it_psql WHERE id >= 10 ORDER BY id) to stdout' 2>&1)
it_is '\copy to stdout' "$out" "$(printf '10\tten\n11\televen')"

# ---- database names: the endpoint's database wins; without one (keyword form:
# a URI without a database means k3s's "kubernetes"), the client's is used
out=$(it_psql "$port" -d app -At -c 'SELECT current_database()' 2>&1)
it_is "endpoint with a database: the client's dbname is ignored" "$out" "pgpin_test"
PGPIN_DATASTORE_ENDPOINT="host=$PGPIN_TEST_PGHOST port=$PGPIN_TEST_PGPORT user=$PGPIN_TEST_USER password=$PGPIN_TEST_PASSWORD" \
	it_start_pgpin --pool-mode transaction --pool-size 2 ||
	it_fail "pgpin without a database in the endpoint starts"
out=$(it_psql "$IT_PGPIN_PORT" -d app -At -c 'SELECT current_database(), current_user' 2>&1)
it_is "endpoint without a database: the client's dbname is used" "$out" "app|pgpin_test"

# ---- LISTEN/NOTIFY between two sessions, in session mode
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --pool-mode session --pool-size 3 ||
	it_fail "pgpin in session mode starts"
sport=$IT_PGPIN_PORT
it_psql "$sport" -At >"$IT_WORK/listen.out" 2>&1 <<'EOF' &
LISTEN it_channel;
SELECT pg_sleep(3), 'it-listener-sleeps';
SELECT 'listener done';
EOF
listener=$!
# The listener sleeps once its LISTEN is done: notify only then.
for i in $(seq 100); do
	n=$(it_direct -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%it-listener-sleeps%'
		AND pid <> pg_backend_pid()")
	[ "$n" = 1 ] && break
	sleep 0.1
done
it_is "the listener is listening" "$n" "1"
out=$(it_psql "$sport" -At -c "NOTIFY it_channel, 'from the other session'" 2>&1)
it_is "NOTIFY" "$out" ""
wait "$listener"
it_is "the listener's psql succeeded" "$?" "0"
out=$(cat "$IT_WORK/listen.out")
it_like "the listener got the notification" "$out" \
	'Asynchronous notification "it_channel" with payload "from the other session" received'
it_like "the listener went on" "$out" 'listener done'

for pid in "${IT_PIDS[@]}"; do
	[ -n "$pid" ] || continue
	it_ok "pgpin (pid $pid) still runs" kill -0 "$pid"
	it_ok "pgpin (pid $pid) exits on SIGTERM" it_stop_pgpin "$pid"
done
it_no_sanitizer_reports
it_done
