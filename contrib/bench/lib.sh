# lib.sh - what the scripts of contrib/bench share; sourced, not run.
#
# The command line (options both take, --quick's defaults), the checks on
# the pgpin binary and the report path, finding pgbench and psql, a clean
# environment, the scratch directory and its clean-up on any exit, free
# ports, a bounded background run, a process's CPU time from
# /proc/PID/stat, a throwaway PostgreSQL cluster and PgBouncer's
# configuration (run.sh, callgrind.sh), the machine's facts for the
# report, the awk functions the summaries use, and writing the report.  What a script measures, and
# how its report reads, stays in the script.
#
# A script defines usage() (its --help), bench_stop (called on exit to
# stop what it started), report (its Markdown report) and the array
# bench_kept (the files bench_keep_logs copies); it adds its own options to
# bench_value_opts / bench_flag_opts before bench_parse_options.  The
# variables a function reads and sets are named at it.

# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with the script
bench_me=${0##*/}
srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

die() {
	echo "$bench_me: $*" >&2
	exit 1
}
note() { echo "== $*" >&2; }

# ------------------------------------------------------------ options

# bench_usage_synopsis: the synopsis in the calling script's top comment,
# from "#   contrib/bench/..." to the comment's next empty line.
bench_usage_synopsis() {
	sed -n '/^#   contrib\/bench\//,/^#$/{/^#$/d;s/^#   //;p}' "$0"
}

need_arg() { if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (see --help)"; fi; }

# Options both scripts take; a script adds its own to these two arrays
# before calling bench_parse_options.  bench_value_opts: option -> the
# variable its value goes to (--opt V and --opt=V alike).
# bench_flag_opts: flag -> VAR=VALUE it sets.
declare -A bench_value_opts=([--pgpin]=pgpin_bin [--duration]=duration [--rounds]=rounds
	[--clients]=clients [--scale]=scale [--out]=out [--logdir]=logdir)
declare -A bench_flag_opts=([--quick]=quick=yes)
pgpin_bin=${PGPIN:-}
duration="" rounds="" scale="" out="" quick=no logdir="" out_set=no

# bench_parse_options ARGS...: set the variables of the options in ARGS;
# out_set=yes when --out was given.  -h/--help: usage, exit 0.
bench_parse_options() {
	local opt var
	while [ $# -gt 0 ]; do
		opt=${1%%=*}
		var=${bench_value_opts[$opt]:-}
		if [ -n "$var" ] && [ "$opt" != "$1" ]; then
			printf -v "$var" '%s' "${1#*=}"
			shift
		elif [ -n "$var" ]; then
			need_arg "$@"
			printf -v "$var" '%s' "$2"
			shift 2
		elif [ -n "${bench_flag_opts[$1]:-}" ]; then
			printf -v "${bench_flag_opts[$1]%%=*}" '%s' "${bench_flag_opts[$1]#*=}"
			shift
		elif [ "$1" = -h ] || [ "$1" = --help ]; then
			usage
			exit 0
		else
			usage >&2
			die "unknown option: $1"
		fi
		[ "$opt" != --out ] || out_set=yes
	done
}

# bench_defaults DURATION ROUNDS QUICK-DURATION QUICK-ROUNDS REPORT: what
# the command line left out (scale: 10, --quick 1).  A --quick run writes
# no report unless --out names one; otherwise REPORT, in the source tree.
bench_defaults() {
	if [ "$quick" = yes ]; then
		duration=${duration:-$3} rounds=${rounds:-$4} scale=${scale:-1}
	else
		duration=${duration:-$1} rounds=${rounds:-$2} scale=${scale:-10}
		[ "$out_set" = yes ] || out=$srcdir/$5
	fi
}

# bench_positive VAR...: each is a positive integer, or die naming its option.
bench_positive() {
	local v
	for v in "$@"; do
		[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v//_/-} must be a positive integer, not '${!v}'"
	done
}

# bench_paths: pgpin_bin (default ./pgpin) and out made absolute; out's
# directory made.
bench_paths() {
	if [ -z "$pgpin_bin" ]; then
		[ -x ./pgpin ] || die "no pgpin binary: give --pgpin PATH, set PGPIN, or run from a build directory"
		pgpin_bin=./pgpin
	fi
	if [ ! -f "$pgpin_bin" ] || [ ! -x "$pgpin_bin" ]; then die "pgpin binary not executable: $pgpin_bin"; fi
	pgpin_bin=$(cd "$(dirname "$pgpin_bin")" && pwd)/$(basename "$pgpin_bin")
	if [ -n "$out" ]; then
		mkdir -p "$(dirname "$out")" || die "cannot create the directory of $out"
		out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
	fi
}

# ------------------------------------------------------------ tools, environment

# bench_pgbindir FILE: pgbindir = the first PostgreSQL bin directory (15's
# preferred) holding FILE; false if none does.
bench_pgbindir() {
	local d
	pgbindir=""
	for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		[ -x "$d/$1" ] && { pgbindir=$d; return 0; }
	done
	return 1
}

# bench_tool NAME: prints $pgbindir/NAME, else NAME on PATH; fails (with
# a message) if neither is there.
bench_tool() {
	local p=${pgbindir:+$pgbindir/$1}
	if [ -z "$p" ] || [ ! -x "$p" ]; then
		p=$(command -v "$1") || die "$1 not found"
	fi
	echo "$p"
}

# bench_environment: the caller's libpq and pgpin settings must not
# redirect the runs; timeout(1) bounds them; clk_tck and load_start (other
# load on the machine, before the script adds its own) for the report.
bench_environment() {
	local v
	unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSERVICEFILE \
		PGOPTIONS PGAPPNAME PGSSLMODE PGREQUIRESSL PGGSSENCMODE PGTARGETSESSIONATTRS PGPASSFILE \
		PGCONNECT_TIMEOUT
	while read -r v; do
		unset "$v"
	done < <(env | sed -n 's/^\(PGPIN[A-Za-z0-9_]*\)=.*/\1/p')
	command -v timeout >/dev/null || die "timeout (coreutils) not found"
	clk_tck=$(getconf CLK_TCK) || die "getconf CLK_TCK failed"
	load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)
}

# ------------------------------------------------------------ scratch, cleanup

trouble=no bench_pid=""

# bench_scratch PREFIX: work = a fresh ${TMPDIR:-/tmp}/PREFIX.XXXXXX,
# removed on exit, failure and interruption alike, after bench_cleanup
# stopped everything and kept the logs (always with --logdir; else only
# when something went wrong).
bench_scratch() {
	bench_prefix=$1
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || die "mktemp failed"
	trap bench_cleanup EXIT
	trap 'echo "$bench_me: interrupted" >&2; exit 130' INT
	trap 'echo "$bench_me: terminated" >&2; exit 143' TERM
	trap 'exit 129' HUP
}

# is_proc PID NAME: PID is a running process whose command name is NAME
is_proc() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# shellcheck disable=SC2317 # called from the EXIT trap
stop_pid() { # PID SECONDS: TERM, wait, then KILL
	local pid=$1 i=0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# shellcheck disable=SC2317
bench_keep_logs() { # copy bench_kept (patterns in $work) out of the scratch directory
	local dest=$logdir p f
	if [ -z "$dest" ]; then
		dest=$(mktemp -d "${TMPDIR:-/tmp}/$bench_prefix-logs.XXXXXX") || return
	fi
	mkdir -p "$dest" || return
	for p in "${bench_kept[@]}"; do
		# shellcheck disable=SC2231 # p is a glob on purpose
		for f in "$work"/$p; do
			[ -e "$f" ] || continue
			cp -r "$f" "$dest/"
			# a configuration file kept holds no password
			case $f in *.ini) sed -i 's/password=[^ ]*/password=***/' "$dest/${f##*/}" ;; esac
		done
	done
	echo "$bench_me: logs kept in $dest" >&2
}

# shellcheck disable=SC2317
bench_cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	stop_pid "$bench_pid" 3
	bench_stop
	if [ -n "$logdir" ] || [ "$rc" -ne 0 ] || [ "$trouble" = yes ]; then
		bench_keep_logs
	fi
	rm -rf "$work"
	exit "$rc"
}

# ------------------------------------------------------------ processes

# free_port VAR: set VAR to a TCP port on 127.0.0.1 that nothing listens on,
# below the ephemeral range, and not handed out before.
taken_ports=" "
free_port() {
	local port tries=0
	while [ $tries -lt 500 ]; do
		port=$((20000 + RANDOM % 12000))
		tries=$((tries + 1))
		case $taken_ports in *" $port "*) continue ;; esac
		if command -v ss >/dev/null && [ -n "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then
			continue
		fi
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
		taken_ports+="$port "
		printf -v "$1" '%s' "$port"
		return 0
	done
	return 1
}

wait_port() { # PORT SECONDS PID
	local i=0
	while [ $i -lt $(($2 * 20)) ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# bench_start_pgpin PORT: pgpin_bin with pgpin_args, its output in
# $work/pgpin.log; pgpin_pid once it listens on PORT, else die.
bench_start_pgpin() {
	"$pgpin_bin" "${pgpin_args[@]}" >"$work/pgpin.log" 2>&1 </dev/null &
	pgpin_pid=$!
	wait_port "$1" 15 "$pgpin_pid" || { cat "$work/pgpin.log" >&2; die "pgpin did not listen"; }
	is_proc "$pgpin_pid" pgpin || die "pid $pgpin_pid is not pgpin"
}

# bench_proxy_tools: PostgreSQL's server binaries (pgbindir), pgbench_bin,
# psql_bin and pgbouncer_bin found, else die; then bench_environment.
bench_proxy_tools() {
	bench_pgbindir initdb || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
	pgbench_bin=$(bench_tool pgbench) || exit 1
	psql_bin=$(bench_tool psql) || exit 1
	pgbouncer_bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	[ -x "$pgbouncer_bin" ] || die "pgbouncer not found (Debian: apt-get install pgbouncer)"
	bench_environment
}

# bench_valgrind_options: the options of callgrind.sh and footprint.sh,
# --transactions and --modes, instead of run.sh's that they do not take.
bench_valgrind_options() {
	bench_value_opts[--transactions]=transactions
	bench_value_opts[--modes]=modes
	unset 'bench_value_opts[--duration]' 'bench_value_opts[--rounds]' 'bench_value_opts[--clients]'
	unset 'bench_value_opts[--scale]' 'bench_flag_opts[--quick]'
}

# bench_mode_list PROTOCOL...: mode_list from the comma-separated $modes
# (--modes), each one of the PROTOCOLs, else die.
bench_mode_list() {
	local m known="$*"
	IFS=, read -r -a mode_list <<<"$modes"
	for m in "${mode_list[@]}"; do
		case " $known " in
		*" $m "*) ;;
		*) die "--modes: unknown protocol '$m' (${known// /, })" ;;
		esac
	done
	[ "${#mode_list[@]}" -gt 0 ] || die "--modes: no protocol given"
}

# bench_valgrind_setup PREFIX: what callgrind.sh and footprint.sh (one proxy
# at a time under a valgrind tool) start from: valgrind, PostgreSQL's server
# binaries, pgbench, psql and PgBouncer found; the scratch directory
# PREFIX.XXXXXX (bench_scratch; the clean-up stops proxy_pid, then the
# cluster); the throwaway cluster (bench_postgres); a free port for the
# proxy (proxy_port) and PgBouncer's configuration for it.
bench_valgrind_setup() {
	command -v valgrind >/dev/null || die "valgrind not found (Debian: apt-get install valgrind)"
	bench_proxy_tools
	proxy_pid=""
	# shellcheck disable=SC2317 # called from the EXIT trap
	bench_stop() {
		stop_pid "$proxy_pid" 30
		bench_postgres_stop
	}
	bench_scratch "$1"
	bench_postgres
	proxy_port=""
	free_port proxy_port || die "no free TCP port found"
	bench_pgbouncer_ini "$proxy_port"
}

# bench_select_through PROXY LOG PGBENCH-ARG...: pgbench -n -S with those
# arguments against the proxy on proxy_port, its output in LOG; dies unless
# it succeeds with no failed transaction.
bench_select_through() {
	local proxy=$1 log=$2
	shift 2
	PGPASSWORD=$dbpass bench_run "$log" "$pgbench_bin" -n -S "$@" \
		-h 127.0.0.1 -p "$proxy_port" -U "$dbuser" "$db" ||
		{ cat "$log" >&2; die "pgbench through $proxy failed"; }
	grep -q '^number of failed transactions: 0 ' "$log" ||
		{ cat "$log" >&2; die "pgbench through $proxy had failed transactions"; }
}

# bench_valgrind_proxy PROXY LOG VALGRIND-ARG...: pgpin or PgBouncer
# (transaction pooling, 20 server connections, on 127.0.0.1:$proxy_port)
# under valgrind with the given arguments, its output in LOG; proxy_pid once
# it listens (a valgrind tool starts slowly: up to 5 minutes), else die.
bench_valgrind_proxy() {
	local proxy=$1 log=$2
	shift 2
	case $proxy in
	pgpin)
		PGPIN_DATASTORE_ENDPOINT="postgres://$dbuser:$dbpass@127.0.0.1:$pgport/$db" \
			valgrind "$@" "$pgpin_bin" --listen "127.0.0.1:$proxy_port" --pool-mode transaction \
			--pool-size 20 --log-level warning >"$log" 2>&1 </dev/null &
		;;
	pgbouncer)
		"${as_pg_exec[@]}" valgrind "$@" "$pgbouncer_bin" "$work/pgbouncer.ini" \
			>"$log" 2>&1 </dev/null &
		;;
	esac
	proxy_pid=$!
	wait_port "$proxy_port" 300 "$proxy_pid" || { cat "$log" >&2; die "$proxy did not listen under valgrind"; }
}

# bench_run LOG CMD...: CMD in the background, bounded in time (duration +
# 2 min), output to LOG; returns its exit status (124 on timeout).  While
# it runs its pid is in bench_pid, for the clean-up to stop.
bench_run() {
	local log=$1 st
	shift
	timeout -k 10 $((duration + 120)) "$@" >"$log" 2>&1 </dev/null &
	bench_pid=$!
	wait "$bench_pid"
	st=$?
	bench_pid=""
	return $st
}

# cpu_ticks PID: user + system CPU time of the process (all its threads), in
# clock ticks: fields 14 and 15 of /proc/PID/stat.
cpu_ticks() {
	local stat rest f
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	read -r -a f <<<"$rest"
	echo $((f[11] + f[12]))
}

# cpu_ns PID: the time the process's threads have run, in nanoseconds, as
# the scheduler counts it (the first field of /proc/PID/task/*/schedstat):
# the same time as cpu_ticks, without its 10 ms steps.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { if (NR) printf "%.0f\n", s; else exit 1 }'
}

# cpu_slices PID: how many times the process's threads have been switched in
# to run (the third field of schedstat): one per wake-up or preemption.
cpu_slices() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $3 } END { if (NR) printf "%.0f\n", s; else exit 1 }'
}

# ------------------------------------------------------------ PostgreSQL, PgBouncer

# as_pg CMD...: run CMD as the cluster's owner (postgres when we are root).
# For a background process whose pid we need, use "${as_pg_exec[@]}" CMD &
# instead: setpriv execs CMD, so $! is CMD's own pid.
as_pg_exec=()
[ "$(id -u)" != 0 ] || as_pg_exec=(setpriv --reuid=postgres --regid=postgres --init-groups --)
as_pg() {
	"${as_pg_exec[@]}" "$@"
}

# How benchmark connections over TCP authenticate: SCRAM, as PostgreSQL 15
# does by default (footprint.sh, whose proxies log in under a valgrind tool
# too slow for SCRAM's 4096 rounds, sets trust).
bench_tcp_auth=scram-sha-256

# bench_postgres: a throwaway cluster in $work/pgdata (the scratch directory
# given to the postgres user when we are root), bench_tcp_auth over TCP on
# loopback,
# the role dbuser (password dbpass) owning the database db, and pgbench -i
# -s $scale in it.  Sets pgport, db, dbuser, dbpass, pgdata, pg_settings (its
# postgresql.conf lines), pg_started;
# reads pgbindir, psql_bin, pgbench_bin, scale, work.  admin_sql then runs
# SQL as the superuser; bench_postgres_stop stops the cluster.
pg_started=no
bench_postgres() {
	pgdata=$work/pgdata
	[ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user"
	[ "$(id -u)" != 0 ] || chown postgres: "$work" || die "chown $work failed"
	pgport=""
	free_port pgport || die "no free TCP port found"
	db=bench
	dbuser=bench
	dbpass=bench-$RANDOM$RANDOM$RANDOM
	pg_settings=(
		"listen_addresses = '127.0.0.1'"
		"port = $pgport"
		"unix_socket_directories = '$work'"
		"password_encryption = 'scram-sha-256'"
		"max_connections = 300"
		"shared_buffers = 256MB"
		"synchronous_commit = off"
	)
	note "PostgreSQL: initdb in $pgdata, port $pgport"
	as_pg "$pgbindir/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1 ||
		{ cat "$work/initdb.log" >&2; die "initdb failed"; }
	printf '%s\n' "" "# contrib/bench/$bench_me" "${pg_settings[@]}" >>"$pgdata/postgresql.conf"
	printf '%s\n' "# contrib/bench/$bench_me: the Unix socket (in the scratch directory) for" \
		"# set-up, $bench_tcp_auth over TCP on loopback for every benchmark connection." \
		"local all all trust" "host  all all 127.0.0.1/32 $bench_tcp_auth" >"$pgdata/pg_hba.conf"
	as_pg "$pgbindir/pg_ctl" -D "$pgdata" -l "$work/postgres.log" -w -t 60 start >/dev/null 2>&1 ||
		{ tail -n 30 "$work/postgres.log" >&2; die "PostgreSQL did not start"; }
	pg_started=yes
	admin_sql "CREATE ROLE $dbuser LOGIN PASSWORD '$dbpass'" -d postgres >/dev/null || die "CREATE ROLE failed"
	admin_sql "CREATE DATABASE $db OWNER $dbuser" -d postgres >/dev/null || die "CREATE DATABASE failed"
	# the password really is stored as a SCRAM verifier
	[ "$(admin_sql "SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = '$dbuser'" -tA)" = 'SCRAM-SHA-256$' ] ||
		die "the benchmark role has no SCRAM verifier"
	note "pgbench -i -s $scale (direct, over TCP, $bench_tcp_auth)"
	PGPASSWORD=$dbpass "$pgbench_bin" -i -s "$scale" -q -h 127.0.0.1 -p "$pgport" -U "$dbuser" "$db" \
		>"$work/pgbench-init.log" 2>&1 || { tail -n 20 "$work/pgbench-init.log" >&2; die "pgbench -i failed"; }
}

# admin_sql SQL [PSQL-ARGS...]: run SQL as the superuser over the Unix socket,
# read from standard input so that each statement is its own transaction.
admin_sql() {
	local sql=$1
	shift
	as_pg "$psql_bin" -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$pgport" -U postgres -d "$db" "$@" <<<"$sql"
}

# shellcheck disable=SC2317 # called from the EXIT trap
bench_postgres_stop() {
	[ "$pg_started" = yes ] || return 0
	as_pg "$pgbindir/pg_ctl" -D "$pgdata" -m fast -t 30 -w stop >/dev/null 2>&1 ||
		as_pg "$pgbindir/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1
	pg_started=no
}

# bench_pgbouncer_ini PORT: $work/pgbouncer.ini (and userlist.txt) for
# PgBouncer on 127.0.0.1:PORT in front of the cluster, transaction pooling,
# 20 server connections, readable only by the user it runs as.
bench_pgbouncer_ini() {
	printf '%s\n' "[databases]" \
		"$db = host=127.0.0.1 port=$pgport dbname=$db user=$dbuser password=$dbpass" "" \
		"[pgbouncer]" "listen_addr = 127.0.0.1" "listen_port = $1" "unix_socket_dir =" \
		"pool_mode = transaction" "default_pool_size = 20" "max_client_conn = 500" \
		"auth_type = trust" "auth_file = $work/userlist.txt" "logfile = $work/pgbouncer.log" \
		"log_connections = 0" "log_disconnections = 0" >"$work/pgbouncer.ini"
	printf '"%s" ""\n' "$dbuser" >"$work/userlist.txt"
	[ "$(id -u)" != 0 ] || chown postgres: "$work/pgbouncer.ini" "$work/userlist.txt"
	chmod 600 "$work/pgbouncer.ini"
}

# ------------------------------------------------------------ report

# bench_after_runs: load_end; pgpin_log_lines, the lines pgpin logged at
# --log-level warning (none after a clean run: the last are shown); model
# and pgpin_version for the report.
bench_after_runs() {
	load_end=$(cut -d ' ' -f 1-3 /proc/loadavg)
	pgpin_log_lines=$(grep -c . "$work/pgpin.log")
	if [ "$pgpin_log_lines" -gt 0 ]; then
		echo "$bench_me: pgpin logged $pgpin_log_lines line(s) at level warning; the last ones:" >&2
		tail -n 20 "$work/pgpin.log" | sed 's/^/    /' >&2
	fi
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	pgpin_version=$(bench_version "$pgpin_bin")
}

bench_version() { # BIN: the first line of BIN --version
	"$1" --version 2>&1 | head -n 1
}

# The awk functions both summaries use: the median of a space-separated
# list (insertion sort: a handful of rounds), a ratio that is empty when
# either side is missing, and a number formatted or "n/a".
# shellcheck disable=SC2016 # awk, not shell
bench_awk_lib='
	function median(list,    a, n, i, j, x) {
		n = split(list, a, " ")
		if (n == 0) return ""
		for (i = 2; i <= n; i++) {
			x = a[i] + 0
			for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j + 1] = a[j]
			a[j + 1] = x
		}
		return (n % 2) ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }
	function fmt(x, f) { return x == "" ? "n/a" : sprintf(f, x) }
'

# bench_finish TARGETS-TITLE: write the report (report, the script's
# function) to out, if any; print the summary and the targets; exit 3 if
# some run went wrong, else 0.
bench_finish() {
	report >"$work/report.md"
	if [ -n "$out" ]; then
		cp "$work/report.md" "$out.tmp.$$" || die "cannot write $out.tmp.$$"
		mv "$out.tmp.$$" "$out" || die "cannot write $out"
		note "report written to $out"
	fi
	echo
	echo "## Summary"
	echo
	echo "$summary"
	echo
	echo "## $1"
	echo
	echo "$targets_md"
	[ "$trouble" = no ] || exit 3
	exit 0
}
