# lib.sh - shell helpers for pgpin's integration tests; sourced, not run.
#
# run.sh uses the first part (ports, running commands as the cluster's owner).
# Test scripts (test_*.sh) use the rest: it_begin sets up a scratch directory
# and a trap that stops every pgpin the script started; it_start_pgpin starts
# one and waits for it to listen; it_ok/it_is/it_like print TAP lines; it_done
# prints the plan and the "N passed, N failed" line and exits 1 on failure.
# The environment comes from run.sh (PGPIN, PGPIN_TEST_*).

# ------------------------------------------------------------ common

it_note() { printf '# %s\n' "$*"; }

# A TCP port on 127.0.0.1 that nothing listens on, below the ephemeral range.
it_free_port() {
	local port tries=0
	while [ $tries -lt 200 ]; do
		port=$((20000 + RANDOM % 12000))
		tries=$((tries + 1))
		if command -v ss >/dev/null 2>&1 &&
		   [ -n "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then
			continue
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue
		fi
		echo "$port"
		return 0
	done
	echo "it_free_port: no free port found" >&2
	return 1
}

# it_wait_port PORT SECONDS [PID]: wait until PORT accepts connections;
# fails early if PID (the process that should listen) has exited.
it_wait_port() {
	local port=$1 secs=$2 pid=${3:-} i=0
	while [ $i -lt $((secs * 20)) ]; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Set IT_UNSET to the env(1) options that drop the test's own variables
# (PGPIN, PGPIN_TEST_*) from a command's environment: they are not pgpin
# settings.  Use `env "${IT_UNSET[@]}" "$PGPIN" ...` (not a shell function:
# in the background, $! must be pgpin's own pid).
it_unset_test_vars() {
	local v
	IT_UNSET=(-u PGPIN)
	for v in $(compgen -e); do
		case $v in PGPIN_TEST_*) IT_UNSET+=(-u "$v") ;; esac
	done
}

# Run a command as the OS user that owns the cluster: postgres when root.
it_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# ------------------------------------------------------------ test scripts

IT_NTEST=0
IT_NFAIL=0
IT_PIDS=()
IT_LOGS=()

# it_begin NAME: check the environment, make $IT_WORK, arrange cleanup.
it_begin() {
	IT_NAME=$1
	local v
	for v in PGPIN PGPIN_TEST_PGPORT PGPIN_TEST_PGSOCKDIR PGPIN_TEST_PGBINDIR; do
		if [ -z "${!v:-}" ]; then
			echo "1..0 # SKIP $v not set: run through t/integration/run.sh"
			exit 77
		fi
	done
	IT_WORK=$(mktemp -d "${PGPIN_TEST_TMPDIR:-${TMPDIR:-/tmp}}/$IT_NAME.XXXXXX") || exit 99
	# shellcheck disable=SC2034 # for the scripts that source this file
	IT_ENDPOINT="postgres://$PGPIN_TEST_USER:$PGPIN_TEST_PASSWORD@$PGPIN_TEST_PGHOST:$PGPIN_TEST_PGPORT/$PGPIN_TEST_DB"
	IT_PSQL="$PGPIN_TEST_PGBINDIR/psql"
	# shellcheck disable=SC2034
	IT_PGBENCH="$PGPIN_TEST_PGBINDIR/pgbench"
	export PGCONNECT_TIMEOUT=10
	it_unset_test_vars
	trap it_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

it_cleanup() {
	local rc=$? i pid
	trap - EXIT
	for i in "${!IT_PIDS[@]}"; do
		pid=${IT_PIDS[$i]}
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
	done
	for i in "${!IT_PIDS[@]}"; do
		pid=${IT_PIDS[$i]}
		[ -n "$pid" ] || continue
		it_reap "$pid" 5 || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ "$IT_NFAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
		it_dump_logs
	fi
	rm -rf "$IT_WORK"
	exit "$rc"
}

# it_reap PID SECONDS: wait for PID (our child) to exit; true if it did.
it_reap() {
	local pid=$1 secs=$2 i=0
	while kill -0 "$pid" 2>/dev/null; do
		[ $i -ge $((secs * 20)) ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

it_dump_logs() {
	local log
	for log in "${IT_LOGS[@]}"; do
		[ -f "$log" ] || continue
		echo "# ---- $(basename "$log") (last 200 lines) ----"
		tail -n 200 "$log" | sed 's/^/#   /'
	done
}

# it_start_pgpin ARGS...: start pgpin listening on a fresh port on 127.0.0.1
# (unless ARGS has --listen) with ARGS, logging to a file; sets IT_PGPIN_PID,
# IT_PGPIN_PORT, IT_PGPIN_LOG.  Returns 1 (and logs) if it does not listen.
it_start_pgpin() {
	local n=${#IT_PIDS[@]} a listen=yes
	for a in "$@"; do
		[ "$a" = --listen ] && listen=no
	done
	IT_PGPIN_PORT=$(it_free_port) || return 1
	IT_PGPIN_LOG="$IT_WORK/pgpin$n.log"
	IT_LOGS+=("$IT_PGPIN_LOG")
	local args=()
	[ $listen = yes ] && args+=(--listen "127.0.0.1:$IT_PGPIN_PORT")
	args+=("$@")
	echo "# harness: started as: $PGPIN ${args[*]}" >"$IT_PGPIN_LOG"
	env "${IT_UNSET[@]}" "$PGPIN" "${args[@]}" >>"$IT_PGPIN_LOG" 2>&1 </dev/null &
	IT_PGPIN_PID=$!
	IT_PIDS+=("$IT_PGPIN_PID")
	if ! it_wait_port "$IT_PGPIN_PORT" 10 "$IT_PGPIN_PID"; then
		it_note "pgpin did not listen on port $IT_PGPIN_PORT; log:"
		sed 's/^/#   /' "$IT_PGPIN_LOG"
		return 1
	fi
	return 0
}

# it_stop_pgpin PID: SIGTERM, SIGKILL after 5 s; true if SIGTERM was enough.
it_stop_pgpin() {
	local pid=$1 i i2
	kill -TERM "$pid" 2>/dev/null
	if it_reap "$pid" 5; then
		wait "$pid" 2>/dev/null
		i=0
	else
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		i=1
	fi
	for i2 in "${!IT_PIDS[@]}"; do
		[ "${IT_PIDS[i2]}" = "$pid" ] && IT_PIDS[i2]=""
	done
	return $i
}

# it_no_sanitizer_reports: one TAP line per log, failing on ASan/UBSan/TSan output.
it_no_sanitizer_reports() {
	local log hit
	for log in "${IT_LOGS[@]}"; do
		hit=$(grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer|WARNING: ThreadSanitizer' "$log" 2>/dev/null)
		it_ok "no sanitizer report in $(basename "$log")" test -z "$hit"
		[ -n "$hit" ] && it_note "$hit"
	done
}

# psql through pgpin on PORT; further arguments are psql's.
it_psql() {
	local port=$1
	shift
	PGPASSWORD="$PGPIN_TEST_PASSWORD" timeout 60 "$IT_PSQL" -X -q -h 127.0.0.1 -p "$port" \
		-U "$PGPIN_TEST_USER" -d "$PGPIN_TEST_DB" "$@"
}

# psql straight to PostgreSQL (Unix socket, trust), unaligned tuples only.
it_direct() {
	timeout 60 "$IT_PSQL" -X -q -At -h "$PGPIN_TEST_PGSOCKDIR" -p "$PGPIN_TEST_PGPORT" \
		-U "$PGPIN_TEST_USER" -d "$PGPIN_TEST_DB" "$@"
}

# ------------------------------------------------------------ TAP

it_pass() {
	IT_NTEST=$((IT_NTEST + 1))
	echo "ok $IT_NTEST - $1"
}

it_fail() {
	IT_NTEST=$((IT_NTEST + 1))
	IT_NFAIL=$((IT_NFAIL + 1))
	echo "not ok $IT_NTEST - $1"
}

# it_ok DESC COMMAND...: passes if COMMAND succeeds.
it_ok() {
	local desc=$1
	shift
	if "$@"; then
		it_pass "$desc"
	else
		it_fail "$desc"
		it_note "command failed: $*"
	fi
}

# it_is DESC GOT EXPECTED
it_is() {
	if [ "$2" = "$3" ]; then
		it_pass "$1"
	else
		it_fail "$1"
		it_note "got:      '$2'"
		it_note "expected: '$3'"
	fi
}

# it_like DESC TEXT REGEX (extended regex, grep -E)
it_like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		it_pass "$1"
	else
		it_fail "$1"
		it_note "expected to match /$3/, got:"
		printf '%s\n' "$2" | tail -n 30 | sed 's/^/#   /'
	fi
}

# it_unlike DESC TEXT REGEX
it_unlike() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		it_fail "$1"
		it_note "expected not to match /$3/, got:"
		printf '%s\n' "$2" | grep -E -- "$3" | head -n 10 | sed 's/^/#   /'
	else
		it_pass "$1"
	fi
}

# it_done: plan, summary line, exit status.
it_done() {
	echo "1..$IT_NTEST"
	echo "$IT_NAME: $((IT_NTEST - IT_NFAIL)) passed, $IT_NFAIL failed"
	[ "$IT_NFAIL" -eq 0 ] && exit 0
	exit 1
}
