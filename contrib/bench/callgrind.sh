#!/usr/bin/env bash
# callgrind.sh - the user-space instructions pgpin and PgBouncer spend per
# select-only transaction, counted by valgrind's callgrind, for each of
# pgbench's protocols.
#
# Wall-clock CPU time on a shared machine swings by tens of percent from
# one run to the next; an instruction count depends only on the binary,
# its input and its environment, so it shows what a change to the relay
# path saves.  (It leaves out the kernel's work, which is most of a
# proxy's CPU time: run.sh measures that.)  The script starts a throwaway
# PostgreSQL (SCRAM on 127.0.0.1) and pgbench -i, then, for each proxy
# (transaction pooling, 20 server connections) and protocol (-M simple,
# extended, prepared; PgBouncer 1.18 not with prepared, which fails there;
# "storm": -C -M simple, a new connection for every transaction), twice:
# the proxy under valgrind --tool=callgrind, pgbench -n -S -M MODE -c 4
# -j 1 with N and then 5N transactions per client, the proxy stopped.  The difference of
# the two totals over the 16N extra transactions is the cost of one
# transaction: start-up, log-in and shut-down drop out.  It prints a
# Markdown table, and writes it to --out if given.
#
#   contrib/bench/callgrind.sh [--pgpin PATH] [--transactions N] [--modes LIST]
#                              [--out FILE] [--logdir DIR]
#
# Run as root (PostgreSQL and PgBouncer then run as the postgres user) or
# as an ordinary user.  Needs valgrind.  Everything it starts is stopped,
# and its scratch directory removed, on exit, failure and interruption.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	bench_usage_synopsis
	cat <<'EOF'

  --pgpin PATH        pgpin binary [$PGPIN, else ./pgpin in the current (build) directory]
  --transactions N    transactions per client in the shorter run [500]; the longer
                      run makes 5N
  --modes LIST        pgbench protocols, comma-separated; storm: -C -M simple
                      [simple,extended,prepared,storm]
  --out FILE          also write the table (Markdown) to FILE
  --logdir DIR        keep every log and callgrind output in DIR
  -h, --help          this help
EOF
}

transactions=500
modes=simple,extended,prepared,storm
bench_valgrind_options
bench_parse_options "$@"
bench_positive transactions
bench_mode_list simple extended prepared storm
duration=600 # the bound bench_run puts on one pgbench run (plus 2 min)
scale=1
bench_paths

bench_kept=('*.log' 'callgrind.*' pgbouncer.ini)
bench_valgrind_setup pgpin-callgrind

# count PROXY MODE TXNS: start PROXY under callgrind, run TXNS transactions
# per client through it with pgbench -M MODE, stop it; print its total
# instruction count.
count() {
	local proxy=$1 mode=$2 txns=$3 cg=$work/callgrind.$1.$2.$3 log=$work/$1-$2-$3
	bench_valgrind_proxy "$proxy" "$log.proxy.log" --tool=callgrind "--callgrind-out-file=$cg"
	local how=(-M "$mode")
	[ "$mode" = storm ] && how=(-C -M simple)
	bench_select_through "$proxy" "$log.pgbench.log" "${how[@]}" -c 4 -j 1 -t "$txns"
	stop_pid "$proxy_pid" 60
	proxy_pid=""
	sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$cg" | head -n 1 | grep . ||
		die "no totals in $cg (see $log.proxy.log)"
}

short=$transactions
long=$((5 * transactions))
extra=$((4 * (long - short)))
declare -A per_txn
for mode in "${mode_list[@]}"; do
	for proxy in pgpin pgbouncer; do
		[ "$proxy/$mode" = pgbouncer/prepared ] && continue
		note "$proxy -M $mode under callgrind: $short, then $long transactions per client"
		a=$(count "$proxy" "$mode" "$short") || exit 1
		b=$(count "$proxy" "$mode" "$long") || exit 1
		per_txn[$proxy/$mode]=$(((b - a) / extra))
		note "$proxy -M $mode: $((b - a)) instructions for $extra transactions: ${per_txn[$proxy/$mode]} per transaction"
	done
done

table=$(
	echo "| protocol | pgpin ($(bench_version "$pgpin_bin")) | PgBouncer ($(bench_version "$pgbouncer_bin")) | pgpin/PgBouncer |"
	echo "|---|---:|---:|---:|"
	for mode in "${mode_list[@]}"; do
		a=${per_txn[pgpin/$mode]}
		b=${per_txn[pgbouncer/$mode]:-}
		label="-M $mode"
		[ "$mode" = storm ] && label="-C -M simple (a connection per transaction)"
		if [ -n "$b" ]; then
			echo "| $label | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }') |"
		else
			echo "| $label | $a | — | — |"
		fi
	done
	echo
	echo "Instructions per select-only transaction (with -C: per connection and its"
	echo "transaction): pgbench -n -S -M PROTOCOL -c 4 -j 1"
	echo "-t $short and -t $long through each, under valgrind --tool=callgrind"
	echo "($(valgrind --version)); the difference over the $extra extra transactions."
	echo "PgBouncer 1.18 is not run with -M prepared (it fails there in transaction mode)."
)
if [ -n "$out" ]; then
	printf '%s\n' "$table" >"$out" || die "cannot write $out"
	note "table written to $out"
fi
echo "$table"
