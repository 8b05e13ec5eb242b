#!/bin/bash
# test_config.sh - pgpin's command line, environment and config file as a
# user meets them: --help/--version, --check (precedence flag > environment
# > file > default, passwords masked), bad values refused, a proxy
# configured only by a file or only by the environment, and the Unix socket.
# Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_config

# pgpin in the foreground, without the test's own variables.
pgpin_clean_timeout() {
	local secs=$1
	shift
	env "${IT_UNSET[@]}" timeout "$secs" "$PGPIN" "$@"
}

pgpin_clean() {
	env "${IT_UNSET[@]}" "$PGPIN" "$@"
}

# ---- help and version
out=$(pgpin_clean --help 2>&1)
it_is "--help exits 0" "$?" "0"
it_like "--help lists --datastore-endpoint" "$out" '--datastore-endpoint'
out=$(pgpin_clean --version 2>&1)
it_is "--version exits 0" "$?" "0"
it_like "--version names pgpin" "$out" 'pgpin'

# ---- precedence, seen through --check
cat >"$IT_WORK/pgpin.ini" <<EOF
; written by test_config.sh
[pgpin]
listen = 127.0.0.1:6999
datastore_endpoint = "$IT_ENDPOINT"
pool_mode = session
pool_size = 3
EOF
out=$(pgpin_clean --config "$IT_WORK/pgpin.ini" --check 2>&1)
it_is "--check exits 0" "$?" "0"
it_like "the file sets pool_size" "$out" '^pool_size = 3$'
it_like "the file sets pool_mode" "$out" '^pool_mode = session$'
it_unlike "--check does not print the endpoint password" "$out" "$PGPIN_TEST_PASSWORD"
out=$(PGPIN_POOL_SIZE=4 pgpin_clean --config "$IT_WORK/pgpin.ini" --check 2>&1)
it_like "the environment wins over the file" "$out" '^pool_size = 4$'
out=$(PGPIN_POOL_SIZE=4 pgpin_clean --config "$IT_WORK/pgpin.ini" --pool-size 6 --check 2>&1)
it_like "a flag wins over the environment" "$out" '^pool_size = 6$'
out=$(PGPIN_CONFIG="$IT_WORK/pgpin.ini" pgpin_clean --check 2>&1)
it_like "PGPIN_CONFIG names the file" "$out" '^pool_size = 3$'

# ---- bad values are refused
pgpin_clean --pool-size abc --check >"$IT_WORK/out" 2>&1
it_ok "--pool-size abc is refused" test $? -ne 0
pgpin_clean --pool-mode sometimes --check >"$IT_WORK/out" 2>&1
it_ok "--pool-mode sometimes is refused" test $? -ne 0
pgpin_clean --no-such-flag >"$IT_WORK/out" 2>&1
it_ok "an unknown flag is refused" test $? -ne 0
pgpin_clean --config "$IT_WORK/does-not-exist.ini" --check >"$IT_WORK/out" 2>&1
it_ok "a missing config file is refused" test $? -ne 0

# ---- a proxy configured by its file only
port=$(it_free_port)
cat >"$IT_WORK/serve.ini" <<EOF
[pgpin]
listen = 127.0.0.1:$port
datastore_endpoint = "$IT_ENDPOINT"
pool_size = 2
EOF
IT_LOGS+=("$IT_WORK/file.log")
env "${IT_UNSET[@]}" "$PGPIN" --config "$IT_WORK/serve.ini" >"$IT_WORK/file.log" 2>&1 </dev/null &
pid=$!
IT_PIDS+=("$pid")
it_ok "pgpin configured by a file listens" it_wait_port "$port" 10 "$pid"
out=$(it_psql "$port" -At -c "SELECT 'from the file'" 2>&1)
it_is "pgpin configured by a file serves" "$out" "from the file"
it_ok "and exits on SIGTERM" it_stop_pgpin "$pid"

# ---- a proxy configured by its environment only, with a Unix socket
port=$(it_free_port)
mkdir -p "$IT_WORK/sock"
IT_LOGS+=("$IT_WORK/env.log")
env "${IT_UNSET[@]}" \
	PGPIN_LISTEN="127.0.0.1:$port" PGPIN_DATASTORE_ENDPOINT="$IT_ENDPOINT" PGPIN_POOL_SIZE=2 \
	PGPIN_UNIX_SOCKET_DIR="$IT_WORK/sock" "$PGPIN" >"$IT_WORK/env.log" 2>&1 </dev/null &
pid=$!
IT_PIDS+=("$pid")
it_ok "pgpin configured by the environment listens" it_wait_port "$port" 10 "$pid"
out=$(it_psql "$port" -At -c "SELECT 'from the environment'" 2>&1)
it_is "pgpin configured by the environment serves" "$out" "from the environment"
it_ok "the Unix socket exists" test -S "$IT_WORK/sock/.s.PGSQL.$port"
out=$(PGPASSWORD=x timeout 30 "$IT_PSQL" -X -At -h "$IT_WORK/sock" -p "$port" -U "$PGPIN_TEST_USER" \
	-d "$PGPIN_TEST_DB" -c "SELECT 'over the Unix socket'" 2>&1)
it_is "a client on the Unix socket is served" "$out" "over the Unix socket"
it_ok "and exits on SIGTERM" it_stop_pgpin "$pid"
it_ok "the Unix socket is removed on exit" test ! -e "$IT_WORK/sock/.s.PGSQL.$port"

# ---- trust on a non-loopback address is refused, from the file too
cat >"$IT_WORK/open.ini" <<EOF
[pgpin]
listen = 0.0.0.0:$(it_free_port)
datastore_endpoint = "$IT_ENDPOINT"
EOF
out=$(pgpin_clean_timeout 10 --config "$IT_WORK/open.ini" 2>&1 </dev/null)
status=$?
it_ok "trust on 0.0.0.0 is refused (exit status $status)" test "$status" -ne 0 -a "$status" -ne 124
it_like "the refusal mentions trust" "$out" '[Tt]rust'

it_no_sanitizer_reports
it_done
