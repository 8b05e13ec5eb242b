#!/bin/bash
# run.sh - pgpin's integration tests: start a throwaway PostgreSQL cluster,
# run each test program (t/integration/test_*, criterion + libpq) and script
# (t/integration/test_*.sh, psql/pgbench) against it, print a TAP summary.
#
#   t/integration/run.sh                       every test
#   t/integration/run.sh t/integration/test_pgbench.sh test_proxy
#   t/integration/run.sh test_proxy -- --filter 'cancel/*'
#
# Arguments after -- go to every test run.  `make check` runs it with
# top_builddir, top_srcdir, PGBINDIR and PGPIN set; run alone, it guesses
# them from its own location.  Exit: 0 all passed, 1 a test failed, 77 no
# PostgreSQL binaries, 99 the cluster could not be set up.
#
# Tunables: PGPIN_TEST_TIMEOUT (seconds per test, default 300),
# PGPIN_TEST_LOG_LEVEL (pgpin's --log-level in the C tests, default debug).

set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
# Run by hand from a build directory (./pgpin there), or in the source tree.
if [ -z "${top_builddir:-}" ]; then
	top_builddir=$top_srcdir
	[ -x ./pgpin ] && top_builddir=$(pwd)
fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
PGPIN=${PGPIN:-$top_builddir/pgpin}
. "$top_srcdir/t/integration/lib.sh"

# ------------------------------------------------------------ what to run

tests=()
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; extra=("$@"); break ;;
	*) tests+=("$1"); shift ;;
	esac
done

# resolve NAME: a path, or a name under t/integration of the build or source tree
resolve() {
	local t=$1 d
	for d in "" "$top_builddir/" "$top_srcdir/" "$top_builddir/t/integration/" "$top_srcdir/t/integration/"; do
		if [ -f "$d$t" ]; then
			(cd "$(dirname "$d$t")" && echo "$(pwd)/$(basename "$t")")
			return 0
		fi
	done
	return 1
}

if [ ${#tests[@]} -eq 0 ]; then
	for t in "$top_builddir"/t/integration/test_*; do
		# programs: executable, no extension (the .c, .o, .log, .trs files are not)
		case $(basename "$t") in *.*) continue ;; esac
		[ -f "$t" ] && [ -x "$t" ] && tests+=("$t")
	done
	for t in "$top_srcdir"/t/integration/test_*.sh; do
		# test_docs.sh needs no PostgreSQL: make check runs it on its own
		case $(basename "$t") in test_docs.sh) continue ;; esac
		[ -f "$t" ] && tests+=("$t")
	done
else
	for i in "${!tests[@]}"; do
		if ! r=$(resolve "${tests[$i]}"); then
			echo "Bail out! no such test: ${tests[$i]}"
			exit 99
		fi
		tests[i]=$r
	done
fi
if [ ${#tests[@]} -eq 0 ]; then
	echo "Bail out! no integration tests found under $top_builddir/t/integration"
	exit 99
fi

# ------------------------------------------------------------ PostgreSQL

if [ -z "${PGBINDIR:-}" ]; then
	for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { PGBINDIR=$d; break; }
	done
fi
if [ -z "${PGBINDIR:-}" ] || [ ! -x "$PGBINDIR/initdb" ] || [ ! -x "$PGBINDIR/pg_ctl" ] ||
   [ ! -x "$PGBINDIR/postgres" ] || [ ! -x "$PGBINDIR/psql" ]; then
	echo "1..0 # SKIP PostgreSQL server binaries not found (PGBINDIR='${PGBINDIR:-}')"
	exit 77
fi
if [ ! -x "$PGPIN" ]; then
	echo "Bail out! pgpin binary not found: $PGPIN"
	exit 99
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
	echo "Bail out! running as root but there is no 'postgres' user to run the cluster"
	exit 99
fi

# Settings from the caller's environment must not redirect the tests.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSERVICEFILE \
	PGOPTIONS PGAPPNAME PGSSLMODE PGREQUIRESSL PGGSSENCMODE PGTARGETSESSIONATTRS PGPASSFILE

tmp=$(mktemp -d "${PGPIN_TEST_TMPBASE:-/tmp}/pgpin-it.XXXXXX") || exit 99
pgdata=$tmp/pgdata
pglog=$tmp/postgres.log
running_pid=""
pg_started=no

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$running_pid" ]; then
		kill -TERM -- "-$running_pid" 2>/dev/null
		sleep 1
		kill -KILL -- "-$running_pid" 2>/dev/null
	fi
	if [ $pg_started = yes ]; then
		it_as_pg "$PGBINDIR/pg_ctl" -D "$pgdata" -m fast -t 30 -w stop >/dev/null 2>&1 ||
			it_as_pg "$PGBINDIR/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'echo "Bail out! interrupted"; exit 130' INT
trap 'echo "Bail out! terminated"; exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$tmp/work" "$tmp/logs"
chmod 1777 "$tmp/work" "$tmp/logs"
if [ "$(id -u)" = 0 ]; then
	chown postgres: "$tmp"
	chmod 755 "$tmp"
fi

setup_failed() {
	echo "Bail out! $*"
	[ -f "$pglog" ] && tail -n 50 "$pglog" | sed 's/^/# postgres: /'
	exit 99
}

port=$(it_free_port) || setup_failed "no free port for PostgreSQL"
it_as_pg "$PGBINDIR/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --no-locale \
	--no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; setup_failed "initdb failed"; }
cat >>"$pgdata/postgresql.conf" <<EOF

# pgpin integration tests
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$tmp'
password_encryption = 'scram-sha-256'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
max_wal_size = 1GB
log_min_messages = warning
log_connections = off
EOF
cat >"$pgdata/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
EOF
it_as_pg "$PGBINDIR/pg_ctl" -D "$pgdata" -l "$pglog" -w -t 60 start >/dev/null ||
	setup_failed "PostgreSQL did not start"
pg_started=yes

it_as_pg "$PGBINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres -d postgres <<'EOF' >"$tmp/setup.log" 2>&1 ||
SET password_encryption = 'scram-sha-256';
CREATE ROLE pgpin_test SUPERUSER LOGIN PASSWORD 'pgpin-secret';
CREATE ROLE app LOGIN PASSWORD 'app-pass';
CREATE DATABASE pgpin_test OWNER pgpin_test;
CREATE DATABASE app OWNER app;
EOF
	{ cat "$tmp/setup.log"; setup_failed "creating roles and databases failed"; }

export PGPIN PGBINDIR top_srcdir top_builddir
export PGPIN_TEST_PGHOST=127.0.0.1
export PGPIN_TEST_PGPORT=$port
export PGPIN_TEST_PGSOCKDIR=$tmp
export PGPIN_TEST_PGDATA=$pgdata
export PGPIN_TEST_PGBINDIR=$PGBINDIR
export PGPIN_TEST_PGLOG=$pglog
export PGPIN_TEST_USER=pgpin_test
export PGPIN_TEST_PASSWORD=pgpin-secret
export PGPIN_TEST_DB=pgpin_test
export PGPIN_TEST_TMPDIR=$tmp/work
export PGPIN_TEST_LOGDIR=$tmp/logs

echo "# $("$PGBINDIR/postgres" --version) on 127.0.0.1:$port, data in $pgdata"
echo "# pgpin: $PGPIN"

# ------------------------------------------------------------ run

timeout_s=${PGPIN_TEST_TIMEOUT:-300}
n=0
passed=0
failed=0
skipped=0
failures=()
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=${t#"$top_builddir"/}
	name=${name#"$top_srcdir"/}
	echo "# ---- $name"
	start=$(date +%s)
	case $t in
	*.sh) cmd=(bash "$t") ;;
	*) cmd=("$t" --verbose --short-filename) ;;
	esac
	# timeout puts the test in a process group of its own: whatever the
	# test leaves behind is killed with that group below.
	(cd "$(dirname "$t")" && exec timeout -k 10 "$timeout_s" "${cmd[@]}" ${extra[@]+"${extra[@]}"}) &
	running_pid=$!
	wait "$running_pid"
	rc=$?
	# Whatever the test left in its process group is a bug in the test.
	for p in $(pgrep -g "$running_pid" 2>/dev/null); do
		echo "# $name left a process behind: $(ps -o pid=,args= -p "$p" 2>/dev/null)"
		kill -KILL "$p" 2>/dev/null
	done
	kill -KILL -- "-$running_pid" 2>/dev/null
	running_pid=""
	secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $name (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1))
		echo "ok $n - $name # SKIP (${secs}s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		why="exit $rc"
		[ $rc -eq 124 ] && why="timed out after ${timeout_s}s"
		echo "not ok $n - $name ($why, ${secs}s)"
	fi
	# Each test starts its own pgpin: a failing one must not take the cluster down.
	if ! it_as_pg "$PGBINDIR/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
		echo "# PostgreSQL is not running after $name; restarting it"
		it_as_pg "$PGBINDIR/pg_ctl" -D "$pgdata" -l "$pglog" -w -t 60 start >/dev/null ||
			setup_failed "PostgreSQL could not be restarted"
	fi
done

echo "1..$n"
if [ $failed -gt 0 ]; then
	echo "# failed: ${failures[*]}"
	echo "# last lines of the PostgreSQL log:"
	tail -n 40 "$pglog" | sed 's/^/#   /'
fi
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
