#!/usr/bin/env bash
# sqlite.sh - benchmark pgpin's embedded SQLite backend against the same
# statements run natively through the sqlite3 C API.
#
# Starts pgpin on a scratch SQLite directory (sqlite:DIR/), loads pgbench's
# tables (pgbench -i) and a kine table (kine's own DDL, 10k rows of
# /registry/... keys) through pgpin, and compiles sqlite_native.c, which
# runs the same statements (as pgpin's translator writes them) on the same
# database files with one sqlite3 connection per thread.  Then, for each
# client count, it runs pgbench select-only (-M prepared, simple, extended),
# kine's GetSingleVal and ListCurrent ... LIMIT 500 (pgbench custom
# scripts, -M prepared), and kine's Insert ... RETURNING id, through pgpin
# and natively, alternating them within every round and rotating their
# order from one round to the next.  For every pgpin run it takes pgpin's
# CPU time from /proc/PID/stat and pgbench's from /usr/bin/time.  It writes
# a Markdown report (medians over the rounds, pgpin/native ratios, CPU per
# query, and the target: reads through pgpin at least 60% of the native
# rate) and prints its tables.  See contrib/bench/README.md.
#
#   contrib/bench/sqlite.sh [--pgpin PATH] [--duration S] [--rounds N]
#                           [--clients "N ..."] [--scale N] [--kine-rows N]
#                           [--sync full|normal|off] [--no-writes]
#                           [--out FILE] [--logdir DIR] [--quick]
#
# Everything it starts is stopped, and its scratch directory removed, on
# exit, failure and interruption alike.
#
# Exit status: 0 all runs finished cleanly, 1 setup failed or pgpin died,
# 3 the report was written but some run had failed transactions or an
# error (see the logs it kept).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	bench_usage_synopsis
	cat <<'EOF'

  --pgpin PATH     pgpin binary [$PGPIN, else ./pgpin in the current (build) directory]
  --duration S     seconds per run, pgbench -T and native alike [8; --quick: 3]
  --rounds N       rounds; each runs every case through pgpin and natively [3; --quick: 1]
  --clients LIST   client counts, space- or comma-separated: pgbench -c N (-j 2, or
                   -j 1 for one client) and N native threads [1 8]
  --scale N        pgbench -i -s N [10; --quick: 1]
  --kine-rows N    rows loaded in the kine table, a multiple of 20 [10000]
  --sync MODE      --sqlite-synchronous of pgpin and PRAGMA synchronous natively [full]
  --no-writes      leave out the kine Insert case
  --out FILE       Markdown report [doc/benchmarks-sqlite.md in the source tree;
                   --quick: none, the tables go to stdout only]
  --logdir DIR     keep every log (pgbench outputs, native outputs, pgpin's log,
                   results.tsv) in DIR; without it they are kept only when a run
                   went wrong
  --quick          short smoke-test runs
  -h, --help       this help
EOF
}

# ------------------------------------------------------------ options

# the command line, for the report
cmdline=$(printf '%q ' "$@")
cmdline=${cmdline% }
clients_opt="1 8" kine_rows=10000 sync=full writes=yes
bench_value_opts+=([--clients]=clients_opt [--kine-rows]=kine_rows [--sync]=sync)
bench_flag_opts+=([--no-writes]=writes=no)
bench_parse_options "$@"
bench_defaults 8 3 3 1 doc/benchmarks-sqlite.md
bench_positive duration rounds scale kine_rows
[ $((kine_rows % 20)) = 0 ] || die "--kine-rows must be a multiple of 20 (20 namespaces of equal size)"
read -r -a clients_list <<<"${clients_opt//,/ }"
[ ${#clients_list[@]} -gt 0 ] || die "--clients needs at least one client count"
for c in "${clients_list[@]}"; do
	[[ $c =~ ^[1-9][0-9]*$ ]] || die "--clients: '$c' is not a positive integer"
done
case $sync in full | normal | off) ;; *) die "--sync must be full, normal or off, not '$sync'" ;; esac
bench_paths

bench_pgbindir pgbench
pgbench_bin=$(bench_tool pgbench) || exit 1
psql_bin=$(bench_tool psql) || exit 1
cc_bin=${CC:-cc}
command -v "$cc_bin" >/dev/null || die "no C compiler ($cc_bin)"
# GNU time gives pgbench's own CPU time; without it that column is n/a.
gnu_time=""
[ -x /usr/bin/time ] && /usr/bin/time -f '%U %S' -o /dev/null true 2>/dev/null && gnu_time=/usr/bin/time
bench_environment

# ------------------------------------------------------------ scratch, cleanup

pgpin_pid=""
bench_kept=('*.log' runs results.tsv scripts)
# shellcheck disable=SC2317 # called from the EXIT trap
bench_stop() {
	stop_pid "$pgpin_pid" 10
}
bench_scratch pgpin-sqlite-bench
data=$work/data
mkdir -p "$work/runs" "$work/scripts" "$data"

# ------------------------------------------------------------ the native program

native=$work/sqlite_native
native_cc=("$cc_bin" -O2 -o "$native" "$here/sqlite_native.c" -lsqlite3 -lpthread)
note "compiling sqlite_native.c"
"${native_cc[@]}" >"$work/cc.log" 2>&1 || { cat "$work/cc.log" >&2; die "cannot compile sqlite_native.c (libsqlite3-dev?)"; }
sqlite_version=$("$native" --version 2>/dev/null)

# ------------------------------------------------------------ pgpin

pgpin_port=""
free_port pgpin_port || die "no free TCP port found"
dbuser=bench
pgpin_args=(--listen "127.0.0.1:$pgpin_port" --datastore-endpoint "sqlite:$data/"
	--sqlite-synchronous "$sync" --log-level warning)
note "pgpin on 127.0.0.1:$pgpin_port, SQLite files in $data"
bench_start_pgpin "$pgpin_port"

# sql DB SQL...: run each SQL through pgpin as its own simple Query.
sql() {
	local db=$1 a=() q
	shift
	for q in "$@"; do a+=(-c "$q"); done
	"$psql_bin" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgpin_port" -U "$dbuser" -d "$db" "${a[@]}"
}
# sql_rows DB SQL: the rows of one query through pgpin, unaligned, no header.
sql_rows() {
	"$psql_bin" -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgpin_port" -U "$dbuser" -d "$1" -c "$2"
}

# ------------------------------------------------------------ data

note "CREATE DATABASE bench, kine; pgbench -i -s $scale (through pgpin)"
sql postgres "CREATE DATABASE bench" "CREATE DATABASE kine" >"$work/setup.log" 2>&1 ||
	{ cat "$work/setup.log" >&2; die "CREATE DATABASE through pgpin failed"; }
"$pgbench_bin" -i -s "$scale" -q -h 127.0.0.1 -p "$pgpin_port" -U "$dbuser" bench \
	>"$work/pgbench-init.log" 2>&1 || { tail -n 20 "$work/pgbench-init.log" >&2; die "pgbench -i failed"; }
accounts=$((100000 * scale))

# kine's schema, each statement its own simple Query, verbatim (tabs, newlines
# and stray spaces included) as kine's pgsql driver sends it.
kine_ddl=(
	$'CREATE TABLE IF NOT EXISTS kine\n \t\t\t(\n\t\t\t\tid BIGSERIAL PRIMARY KEY,\n\t\t\t\tname text COLLATE "C",\n\t\t\t\tcreated INTEGER,\n\t\t\t\tdeleted INTEGER,\n\t\t\t\tcreate_revision BIGINT,\n\t\t\t\tprev_revision BIGINT,\n \t\t\t\tlease INTEGER,\n \t\t\t\tvalue bytea,\n \t\t\t\told_value bytea\n \t\t\t);'
	'CREATE INDEX IF NOT EXISTS kine_name_index ON kine (name)'
	'CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name,id)'
	'CREATE INDEX IF NOT EXISTS kine_id_deleted_index ON kine (id,deleted)'
	'CREATE INDEX IF NOT EXISTS kine_prev_revision_index ON kine (prev_revision)'
	'CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision)'
	'CREATE INDEX IF NOT EXISTS kine_list_query_index on kine(name, id DESC, deleted)'
)
nns=20 per_ns=$((kine_rows / 20)) value_bytes=256
list_limit=500
list_rows=$((per_ns < list_limit ? per_ns : list_limit))
note "kine: DDL and $kine_rows rows of /registry/pods/ns-NN/pod-NNNNN keys (through pgpin)"
sql kine "${kine_ddl[@]}" >>"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; die "kine DDL through pgpin failed"; }
# One transaction: the compact_rev_key row kine keeps, then the keys as kine
# creates them (created=1, revisions 0), 256-byte values, 500 rows per INSERT.
awk -v ns="$nns" -v per="$per_ns" -v vb="$value_bytes" 'BEGIN {
	srand(42)
	print "INSERT INTO kine(name, created, deleted, create_revision, prev_revision, lease, value, old_value) VALUES (\x27compact_rev_key\x27, 0, 0, 0, 0, 0, NULL, NULL);"
	n = 0
	for (i = 0; i < ns; i++)
		for (j = 0; j < per; j++) {
			if (n % 500 == 0)
				printf "INSERT INTO kine(name, created, deleted, create_revision, prev_revision, lease, value, old_value) VALUES\n"
			v = ""
			for (b = 0; b < vb; b++) v = v sprintf("%02x", int(rand() * 256))
			printf "(\x27/registry/pods/ns-%02d/pod-%05d\x27, 1, 0, 0, 0, 0, \x27\\x%s\x27::bytea, NULL)", i, j, v
			n++
			print (n % 500 == 0 || n == ns * per) ? ";" : ","
		}
}' >"$work/kine-load.sql"
"$psql_bin" -X -q -v ON_ERROR_STOP=1 -1 -h 127.0.0.1 -p "$pgpin_port" -U "$dbuser" -d kine \
	-f "$work/kine-load.sql" >>"$work/setup.log" 2>&1 || { tail -n 20 "$work/setup.log" >&2; die "loading kine through pgpin failed"; }
got=$(sql_rows kine "SELECT count(*) FROM kine WHERE name LIKE '/registry/%'" 2>&1)
[ "$got" = "$kine_rows" ] || die "kine holds '$got' /registry/ rows, expected $kine_rows"
# Stored as bytes, not as the text of the literal.
got=$(sql_rows kine "SELECT length(value) FROM kine WHERE name = '/registry/pods/ns-00/pod-00000'" 2>&1)
[ "$got" = "$value_bytes" ] || die "kine values are '$got' bytes long, expected $value_bytes"

# ------------------------------------------------------------ scripts and keys

# kine's statements (generation C), exact text.  GetSingleVal: params (key
# text, includeDeleted bool); ListCurrent: (start text, end text,
# includeDeleted bool) with kine's " LIMIT n" suffix; Insert: RETURNING id.
q_getsingle="SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = \$1 ) AND (deleted = 0 OR \$2)"
q_list="SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= \$1 AND name < \$2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR \$3) ORDER BY name ASC LIMIT $list_limit"
q_insert="INSERT INTO kine(name, created, deleted, create_revision, prev_revision, lease, value, old_value) SELECT \$1, \$2, \$3, \$4, \$5, \$6, \$7, (SELECT value FROM kine WHERE id = \$8) AS old_value RETURNING id"

# pgbench's \set has numbers only, and a kine key is a string: every
# GetSingleVal key is its own script file (a -D variable bound as $1), and
# pgbench picks a script at random for every transaction.  pgbench takes at
# most 128 scripts, so GetSingleVal reads 100 keys drawn at random from the
# table; natively the threads draw from the same 100 keys.  ListCurrent
# has one script per namespace prefix, kine's range end (the prefix with
# its last byte + 1) as the second parameter.
n_getkeys=100
s=$work/scripts
: >"$s/getsingle.keys"
: >"$s/list.keys"
getsingle_vars=(-D incl=false)
getsingle_args=()
list_args=(-D incl=false)
RANDOM=4242
# shellcheck disable=SC2016 # the $n in sed programs are the statements' parameters
for ((k = 0; k < n_getkeys; k++)); do
	printf -v key '/registry/pods/ns-%02d/pod-%05d' $((RANDOM % nns)) $(((RANDOM * 32768 + RANDOM) % per_ns))
	printf '%s\n' "$key" >>"$s/getsingle.keys"
	printf '%s\n' "${q_getsingle//\$1/:k$k}" | sed 's/\$2/:incl/' >"$s/getsingle-$k.sql"
	getsingle_args+=(-f "$s/getsingle-$k.sql")
	getsingle_vars+=(-D "k$k=$key")
done
getsingle_args+=("${getsingle_vars[@]}")
for ((k = 0; k < nns; k++)); do
	start=$(printf '/registry/pods/ns-%02d/' "$k")
	end=$(printf '/registry/pods/ns-%02d0' "$k") # '/' + 1 = '0'
	printf '%s\t%s\n' "$start" "$end" >>"$s/list.keys"
	# shellcheck disable=SC2016
	printf '%s\n' "$q_list" | sed -e "s/\\\$1/:s$k/" -e "s/\\\$2/:e$k/" -e 's/\$3/:incl/' >"$s/list-$k.sql"
	list_args+=(-f "$s/list-$k.sql" -D "s$k=$start" -D "e$k=$end")
done
# Insert: kine's update of a key (created 0, deleted 0), a random 53-bit
# prev_revision under a fixed name (the unique (name, prev_revision) index
# never collides in practice), old_value looked up by a random existing id.
value_hex=$(head -c "$value_bytes" /dev/urandom | od -An -v -tx1 | tr -d ' \n')
# shellcheck disable=SC2016
{
	echo '\set prev random(1, 9007199254740991)'
	echo "\\set old random(1, $kine_rows)"
	printf '%s\n' "$q_insert" | sed -e 's/\$1/:wname/' -e 's/\$2/:zero/' -e 's/\$3/:zero/' -e 's/\$4/:one/' \
		-e 's/\$5/:prev/' -e 's/\$6/:zero/' -e 's/\$7/:val/' -e 's/\$8/:old/'
} >"$s/insert.sql"
insert_args=(-f "$s/insert.sql" -D wname=/registry/bench/pgpin -D zero=0 -D one=1 -D "val=\\x$value_hex")

# The native side runs the translated texts: check that they are what
# pgpin's translator makes of kine's texts ($n -> ?n, nothing else).
for c in getsingle list insert; do
	v=q_$c
	want=$(printf '%s' "${!v}" | sed 's/\$\([0-9]\)/?\1/g')
	have=$("$native" --case "$c" --print-sql)
	[ "$want" = "$have" ] || die "sqlite_native.c's $c statement is not kine's text with ?n: $have"
done

# ------------------------------------------------------------ checks

# Every GetSingleVal key has exactly one row, through pgpin (pgbench's
# \gset fails a transaction on any other count) and natively.
note "checks: GetSingleVal returns one row per key, ListCurrent $list_rows rows per prefix"
check_args=()
for ((k = 0; k < n_getkeys; k++)); do
	{ cat "$s/getsingle-$k.sql"; echo '\gset'; } >"$s/check-getsingle-$k.sql"
	check_args+=(-f "$s/check-getsingle-$k.sql")
done
# 2000 transactions over 100 scripts drawn at random: every one is run
if ! "$pgbench_bin" -n -M prepared -c 1 -t 2000 -h 127.0.0.1 -p "$pgpin_port" -U "$dbuser" \
	"${check_args[@]}" "${getsingle_vars[@]}" kine >"$work/check-getsingle.log" 2>&1 ||
	! grep -q '^number of failed transactions: 0 ' "$work/check-getsingle.log"; then
	grep -v '^ - \|^SQL script' "$work/check-getsingle.log" | tail -n 20 >&2
	die "GetSingleVal through pgpin did not return one row per key"
fi
for ((k = 0; k < nns; k++)); do
	IFS=$'\t' read -r start end < <(sed -n "$((k + 1))p" "$s/list.keys")
	lq=${q_list//\$1/\'$start\'}
	lq=${lq//\$2/\'$end\'}
	lq=${lq//\$3/false}
	got=$(sql_rows kine "$lq" 2>&1 | grep -c .)
	[ "$got" = "$list_rows" ] || die "ListCurrent through pgpin over $start gave $got rows, expected $list_rows"
done
got=$("$native" --db "$data/kine.db" --sync "$sync" --case getsingle --keys "$s/getsingle.keys" --check) ||
	die "sqlite_native --check getsingle failed"
[ "$got" = "check keys=$n_getkeys rows_min=1 rows_max=1" ] || die "native GetSingleVal: $got"
got=$("$native" --db "$data/kine.db" --sync "$sync" --case list --keys "$s/list.keys" --check) ||
	die "sqlite_native --check list failed"
[ "$got" = "check keys=$nns rows_min=$list_rows rows_max=$list_rows" ] || die "native ListCurrent: $got"

# ------------------------------------------------------------ the runs

# A group is one workload at one client count; its runs alternate within a
# round.  select has three pgpin runs (prepared, simple, extended) against
# one native.
workloads=(select getsingle list)
[ $writes = yes ] && workloads+=(insert)
declare -A wl_targets=(
	[select]="pgpin-prepared pgpin-simple pgpin-extended native"
	[getsingle]="pgpin-prepared native"
	[list]="pgpin-prepared native"
	[insert]="pgpin-prepared native"
)
declare -A wl_title=(
	[select]="pgbench select-only: SELECT abalance FROM pgbench_accounts WHERE aid = \$1"
	[getsingle]="kine GetSingleVal (one key, with its value)"
	[list]="kine ListCurrent ... LIMIT $list_limit over a namespace prefix ($list_rows rows)"
	[insert]="kine Insert ... RETURNING id (write, no target)"
)
declare -A wl_db=([select]=bench [getsingle]=kine [list]=kine [insert]=kine)
declare -A wl_native=(
	[select]="--db $data/bench.db --case select --accounts $accounts"
	[getsingle]="--db $data/kine.db --case getsingle --keys $s/getsingle.keys"
	[list]="--db $data/kine.db --case list --keys $s/list.keys"
	[insert]="--db $data/kine.db --case insert --old-ids $kine_rows --value-len $value_bytes"
)

jobs_for() { # CLIENTS: pgbench -j
	if [ "$1" -lt 2 ]; then echo 1; else echo 2; fi
}

# pgbench_args WORKLOAD MODE CLIENTS: the arguments of a pgpin run (but -h/-p/-U/db)
pgbench_args() {
	local a=(-n -j "$(jobs_for "$3")" -c "$3" -T "$duration" -M "$2")
	case $1 in
	select) a+=(-S) ;;
	getsingle) a+=("${getsingle_args[@]}") ;;
	list) a+=("${list_args[@]}") ;;
	insert) a+=("${insert_args[@]}") ;;
	esac
	printf '%s\n' "${a[@]}"
}

# run_bg LOG CMD...: run CMD bounded in time, output to LOG, CPU time to
# LOG.time; returns its exit status (124 on timeout).
run_bg() {
	local log=$1
	shift
	if [ -n "$gnu_time" ]; then
		bench_run "$log" "$gnu_time" -f '%U %S' -o "$log.time" "$@"
	else
		bench_run "$log" "$@"
	fi
}

pgpin_alive() { is_proc "$pgpin_pid" pgpin; }

results=$work/results.tsv
printf 'round\tworkload\tclients\ttarget\trate\tqueries\tfailed\tpgpin_ticks\tclient_cpu_s\tstatus\n' >"$results"

# one_run ROUND WORKLOAD CLIENTS TARGET LOG: one run, one line of results.tsv
one_run() {
	local r=$1 wl=$2 c=$3 t=$4 log=$5 st before after ticks=- rate queries failed cpu=-
	local -a args
	if [ "$t" = native ]; then
		# shellcheck disable=SC2086 # wl_native holds words on purpose
		run_bg "$log" "$native" ${wl_native[$wl]} --sync "$sync" --threads "$c" --duration "$duration"
		st=$?
		rate=$(sed -n 's/^queries=.* rate=\([0-9.]*\) .*/\1/p' "$log")
		queries=$(sed -n 's/^queries=\([0-9]*\) .*/\1/p' "$log")
		cpu=$(sed -n 's/^queries=.* cpu_s=\([0-9.]*\) .*/\1/p' "$log")
		failed=$([ "$st" = 0 ] && echo 0 || echo -)
	else
		pgpin_alive || { trouble=yes; die "pgpin (pid $pgpin_pid) is gone before round $r, $wl, $c clients"; }
		mapfile -t args < <(pgbench_args "$wl" "${t#pgpin-}" "$c")
		before=$(cpu_ticks "$pgpin_pid")
		run_bg "$log" "$pgbench_bin" -h 127.0.0.1 -p "$pgpin_port" -U "$dbuser" "${args[@]}" "${wl_db[$wl]}"
		st=$?
		if ! pgpin_alive; then
			trouble=yes
			echo "sqlite.sh: pgpin died during round $r, $wl, $c clients, $t; pgbench said:" >&2
			grep -v '^ - \|^SQL script' "$log" | tail -n 20 >&2
			echo "sqlite.sh: pgpin's log:" >&2
			tail -n 50 "$work/pgpin.log" >&2
			die "pgpin died"
		fi
		after=$(cpu_ticks "$pgpin_pid")
		ticks=$((after - before))
		rate=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$log" | head -n 1)
		queries=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
		failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log" | head -n 1)
		[ -f "$log.time" ] && cpu=$(awk 'NR == 1 && NF == 2 { print $1 + $2 }' "$log.time")
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$wl" "$c" "$t" "${rate:--}" "${queries:--}" \
		"${failed:--}" "$ticks" "${cpu:--}" "$st" >>"$results"
	if [ "$st" != 0 ] || [ "${failed:-x}" != 0 ] || [ -z "$rate" ]; then
		trouble=yes
		echo "sqlite.sh: round $r, $wl, $c clients, $t: exit status $st, failed ${failed:-?}:" >&2
		grep -v '^ - \|^SQL script\|^progress' "$log" | tail -n 15 | sed 's/^/    /' >&2
	fi
	printf '== [%d/%d] round %d %-9s c=%-3s %-14s rate %-12s n %-9s failed %-3s pgpin %s ticks, client cpu %s s%s\n' \
		"$n" "$total" "$r" "$wl" "$c" "$t" "${rate:--}" "${queries:--}" "${failed:-?}" "$ticks" "$cpu" \
		"$([ "$st" = 0 ] || echo " EXIT $st")" >&2
}

note "warm-up: 2 s of select-only through pgpin and natively, not counted"
n=0 total=0
one_run 0 select "${clients_list[0]}" pgpin-prepared "$work/runs/warmup-pgpin.log" 2>/dev/null
one_run 0 select "${clients_list[0]}" native "$work/runs/warmup-native.log" 2>/dev/null
sed -i '/^0\t/d' "$results"
[ "$trouble" = no ] || die "the warm-up failed (logs kept)"

groups=()
for c in "${clients_list[@]}"; do
	for wl in "${workloads[@]}"; do
		groups+=("$wl:$c")
		read -r -a tl <<<"${wl_targets[$wl]}"
		total=$((total + rounds * ${#tl[@]}))
	done
done
for ((r = 1; r <= rounds; r++)); do
	for gi in "${!groups[@]}"; do
		wl=${groups[$gi]%%:*} c=${groups[$gi]##*:}
		read -r -a tl <<<"${wl_targets[$wl]}"
		# round-robin order, rotated by one each round and each group
		for ((k = 0; k < ${#tl[@]}; k++)); do
			t=${tl[$(((k + r - 1 + gi) % ${#tl[@]}))]}
			n=$((n + 1))
			one_run "$r" "$wl" "$c" "$t" "$work/runs/r$r-$wl-c$c-$t.log"
		done
	done
done

bench_after_runs

# ------------------------------------------------------------ report

pgbench_version=$(bench_version "$pgbench_bin")
cc_version=$(bench_version "$cc_bin")

# summarise MODE: the awk program reads results.tsv and prints the summary
# table (summary), the targets (targets) or the per-round table (rounds).
summarise() {
	awk -F '\t' -v mode="$1" -v hz="$clk_tck" -v rounds="$rounds" -v reads="select getsingle list" "$bench_awk_lib"'
	# per_round(G, T): rate of T / native rate, round by round
	function per_round(g, t,    r, s, x, y) {
		s = ""
		for (r = 1; r <= rounds; r++) {
			x = rate[g, t, r]; y = rate[g, "native", r]
			s = s (r > 1 ? ", " : "") ((x == "" || x == "-" || y == "" || y == "-" || y + 0 == 0) ? "n/a" : sprintf("%.2f", x / y))
		}
		return s
	}
	NR == 1 { next }
	{
		g = $2 ":" $3; t = $4
		if (!(g in seen)) { seen[g] = 1; order[++ng] = g; wl[g] = $2; cl[g] = $3 }
		if (!((g, t) in tseen)) { tseen[g, t] = 1; tg[g] = tg[g] " " t }
		rate[g, t, $1] = $5
		if ($5 != "-") rates[g, t] = rates[g, t] " " $5
		if ($7 != "-") failed[g, t] += $7; else nofailed[g, t]++
		if ($10 != 0) errors[g, t]++
		if ($6 != "-" && $6 > 0) {
			if ($8 != "-") pcpu[g, t] = pcpu[g, t] " " ($8 * 1e6 / hz / $6)
			if ($9 != "-") ccpu[g, t] = ccpu[g, t] " " ($9 * 1e6 / $6)
		}
	}
	END {
		if (mode == "summary") {
			print "| case | clients | through pgpin, q/s | native, q/s | pgpin/native | per round | ceiling | pgpin CPU µs/q | pgbench CPU µs/q | native CPU µs/q | failed |"
			print "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
			for (i = 1; i <= ng; i++) {
				g = order[i]
				nat = median(rates[g, "native"])
				n = split(substr(tg[g], 2), ts, " ")
				for (k = 1; k <= n; k++) {
					t = ts[k]
					if (t == "native") continue
					p = median(rates[g, t])
					name = wl[g] " `-M " substr(t, 7) "`"
					nc = median(ccpu[g, "native"]); bc = median(ccpu[g, t])
					printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, cl[g],
						fmt(p, "%.0f"), fmt(nat, "%.0f"), fmt(ratio(p, nat), "%.2f"), per_round(g, t),
						fmt((nc == "" || bc == "") ? "" : ratio(nc, nc + bc), "%.2f"),
						fmt(median(pcpu[g, t]), "%.1f"), fmt(bc, "%.1f"), fmt(nc, "%.1f"),
						(failed[g, t] + failed[g, "native"]) (nofailed[g, t] + nofailed[g, "native"] ? "?" : "") (errors[g, t] + errors[g, "native"] ? "!" : "")
				}
			}
		} else if (mode == "targets") {
			nmet = 0; nall = 0; lines = ""
			for (i = 1; i <= ng; i++) {
				g = order[i]
				if (index(" " reads " ", " " wl[g] " ") == 0) continue
				nat = median(rates[g, "native"])
				n = split(substr(tg[g], 2), ts, " ")
				for (k = 1; k <= n; k++) {
					t = ts[k]
					if (t == "native") continue
					p = median(rates[g, t]); x = ratio(p, nat)
					ok = (x != "" && x >= 0.6)
					nall++; nmet += ok
					lines = lines sprintf("- **%s**: %s `-M %s`, %s client(s): %s vs %s q/s native, %s of native (per round: %s).\n",
						ok ? "met" : "not met", wl[g], substr(t, 7), cl[g], fmt(p, "%.0f"), fmt(nat, "%.0f"),
						x == "" ? "n/a" : sprintf("%.1f%%", 100 * x), per_round(g, t))
				}
			}
			printf "**Target: reads through pgpin at least 60%% of the native rate: %s** (%d of %d read cases).\n\n%s",
				(nall > 0 && nmet == nall) ? "met" : "not met", nmet, nall, lines
		}
	}' "$results"
}

summary=$(summarise summary)
targets_md=$(summarise targets)

report() {
	local wl c
	echo "# pgpin's SQLite backend against native SQLite"
	echo
	if [ $quick = yes ]; then
		echo "**Quick smoke run (\`--quick\`): too short to be a measurement.**"
		echo
	fi
	echo "Generated by \`contrib/bench/sqlite.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "The same statements through pgpin (\`--datastore-endpoint sqlite:DIR/\`, pgbench as"
	echo "the client over loopback TCP) and natively through the sqlite3 C API in one process"
	echo "(\`contrib/bench/sqlite_native.c\`: one connection per thread, the statement prepared"
	echo "once), on the same database files. $rounds round(s) of ${duration} s runs; each round runs"
	echo "every case through pgpin and natively, one after the other, in an order rotated from"
	echo "round to round and case to case. Figures are medians over the rounds; ratios are"
	echo "ratios of the medians, and \"per round\" gives each round's own ratio (its runs are"
	echo "seconds apart). See contrib/bench/README.md for how to read this."
	echo
	echo "## Machine"
	echo
	echo "- CPUs (nproc): $(nproc); model: ${model:-unknown}; kernel: $(uname -sr)"
	echo "- pgbench, pgpin and the native program share these CPUs. Through pgpin, every query"
	echo "  also pays pgbench's own CPU (building and parsing protocol messages) and a loopback"
	echo "  round trip with its context switches; the native program has no client and no"
	echo "  protocol at all. pgpin/native is therefore the whole cost of serving SQLite over"
	echo "  the PostgreSQL protocol on this machine, not pgpin's CPU alone: compare the CPU"
	echo "  columns for that."
	echo "- load average (1, 5, 15 min) when the script started: $load_start; after the last"
	echo "  run (including the benchmark's own load): $load_end. A load above the number of"
	echo "  CPUs before the start means other work competed with the runs."
	echo
	echo "## Versions"
	echo
	echo "- pgpin: \`$pgpin_version\`"
	echo "- SQLite: \`$sqlite_version\` (the native program; pgpin links the same system library)"
	echo "- pgbench: \`$pgbench_version\`"
	echo "- compiler of sqlite_native.c: \`$cc_version\`"
	echo
	echo "## Summary"
	echo
	echo "$summary"
	echo
	echo "q/s: statements completed per second: pgbench's \"tps = … (without initial connection"
	echo "time)\" (every pgbench transaction here is one statement) or the native program's count"
	echo "over its wall time. pgpin CPU: pgpin's user+system time from /proc/PID/stat ($clk_tck"
	echo "ticks/s, all threads) over the run, per query. pgbench CPU: pgbench's own user+system"
	echo "time (GNU time) per query. native CPU: the native process's user+system time"
	echo "(getrusage) per query. Failed: pgbench's \"number of failed transactions\" plus failed"
	echo "native runs, summed over the rounds (\`?\`: a run printed no count; \`!\`: a run exited"
	echo "non-zero). The select-only \`-M prepared\`, \`-M simple\` and \`-M extended\` rows share one"
	echo "native run per round: natively the statement is always prepared once."
	echo
	echo "Ceiling: native CPU / (native CPU + pgbench CPU) per query, the pgpin/native ratio a"
	echo "CPU-bound run (clients ≥ CPUs) would reach if pgpin cost no more CPU than the SQLite"
	echo "work itself, with pgbench on the same CPUs. Where it is below 0.60 the target cannot"
	echo "be met on this machine with this client, whatever pgpin does; one-client runs are"
	echo "bound by round-trip latency instead, so there it is only indicative."
	echo
	echo "## Target"
	echo
	echo "$targets_md"
	echo
	echo "## Cases"
	echo
	for wl in "${workloads[@]}"; do
		echo "- **$wl**: ${wl_title[$wl]}."
	done
	echo
	echo "Through pgpin, for each client count N (\`-j 2\`, or \`-j 1\` for one client):"
	echo
	echo '```'
	echo "pgbench -n -j J -c N -T $duration -M prepared -S bench"
	echo "pgbench -n -j J -c N -T $duration -M simple -S bench"
	echo "pgbench -n -j J -c N -T $duration -M extended -S bench"
	echo "pgbench -n -j J -c N -T $duration -M prepared -D incl=false -f getsingle-0.sql -D k0=KEY0 ... -f getsingle-$((n_getkeys - 1)).sql -D k$((n_getkeys - 1))=KEY$((n_getkeys - 1)) kine"
	echo "pgbench -n -j J -c N -T $duration -M prepared -D incl=false -f list-0.sql -D s0=START0 -D e0=END0 ... (${nns} scripts) kine"
	[ $writes = yes ] &&
		echo "pgbench -n -j J -c N -T $duration -M prepared -f insert.sql -D wname=/registry/bench/pgpin -D zero=0 -D one=1 -D val='\\x<${value_bytes} bytes>' kine"
	echo '```'
	echo
	echo "pgbench's \`\\set\` makes numbers only and a kine key is a string, so every GetSingleVal"
	echo "key is a script of its own whose key is a \`-D\` variable (bound as \$1, a text"
	echo "parameter), and pgbench draws a script at random for every transaction: $n_getkeys keys"
	echo "drawn at random (fixed seed) from the ${kine_rows} rows; the native threads draw from the"
	echo "same $n_getkeys keys. ListCurrent: one script per namespace, the ${nns} prefixes"
	echo "\`/registry/pods/ns-NN/\` with kine's range end (the prefix with its last byte + 1)."
	echo "Booleans are sent as \`false\`. getsingle-0.sql:"
	echo
	echo '```sql'
	cat "$s/getsingle-0.sql"
	echo '```'
	echo
	echo "list-0.sql:"
	echo
	echo '```sql'
	cat "$s/list-0.sql"
	echo '```'
	if [ $writes = yes ]; then
		echo
		echo "insert.sql (kine's Insert; a random prev_revision keeps the unique (name,"
		echo "prev_revision) index from colliding, old_value is looked up by a random existing id):"
		echo
		echo '```sql'
		cat "$s/insert.sql"
		echo '```'
	fi
	echo
	echo "Natively, N threads, each with its own connection:"
	echo
	echo '```'
	for wl in "${workloads[@]}"; do
		echo "sqlite_native ${wl_native[$wl]} --sync $sync --threads N --duration $duration" |
			sed -e "s|$data/|DIR/|g" -e "s|$s/|SCRIPTS/|g"
	done
	echo '```'
	echo
	echo "Each thread opens its connection as pgpin opens a session's (\`SQLITE_OPEN_NOMUTEX\`,"
	echo "busy timeout 5 s, \`PRAGMA journal_mode=WAL\`, \`synchronous=${sync^^}\`,"
	echo "\`case_sensitive_like=ON\`, \`foreign_keys=ON\`), prepares the statement once, and then"
	echo "binds and steps it to the end, reading every column of every row, until the time is"
	echo "up. Its statements are pgpin's translation of the texts above (\$n written ?n, the"
	echo "script checks this), e.g. \`$("$native" --case select --print-sql)\`. Random keys:"
	echo "aid uniform in [1, $accounts]; the kine keys as above. Inserts take a process-wide"
	echo "mutex around each statement, as pgpin's writer lock serialises writes."
	echo
	echo "## Setup"
	echo
	echo '```'
	echo "pgpin ${pgpin_args[*]}" | sed "s|$data/|DIR/|"
	echo "psql -c 'CREATE DATABASE bench' -c 'CREATE DATABASE kine'        # through pgpin"
	echo "pgbench -i -s $scale bench                                           # through pgpin"
	echo "psql -d kine -c <each of kine's 7 schema statements, verbatim>   # through pgpin"
	echo "psql -d kine -1 -f kine-load.sql  # compact_rev_key + $kine_rows rows, 500 per INSERT"
	echo "cc -O2 -o sqlite_native contrib/bench/sqlite_native.c -lsqlite3 -lpthread"
	echo '```'
	echo
	echo "Keys \`/registry/pods/ns-NN/pod-NNNNN\`, ${nns} namespaces of ${per_ns}, created=1, revisions 0,"
	echo "${value_bytes}-byte random values. Before the rounds the script checks that every GetSingleVal"
	echo "key gives exactly one row through pgpin (pgbench \`-M prepared\` with \`\\gset\`) and natively,"
	echo "and every ListCurrent prefix $list_rows rows through pgpin (psql) and natively. A 2 s"
	echo "select-only warm-up through pgpin and natively is not counted."
	echo
	echo "pgpin logged $pgpin_log_lines line(s) at level warning."
	echo
	echo "### Commands"
	echo
	echo "This report was produced by:"
	echo
	echo '```'
	echo "contrib/bench/sqlite.sh ${cmdline}"
	echo '```'
	echo
	echo "### Raw results"
	echo
	echo "<details><summary>every run (rate in q/s; pgpin_ticks: pgpin's CPU in 1/$clk_tck s; client_cpu_s: pgbench's or the native process's CPU; status: exit status)</summary>"
	echo
	echo '```'
	column -t -s $'\t' "$results" 2>/dev/null || cat "$results"
	echo '```'
	echo
	echo "</details>"
}

bench_finish Target
