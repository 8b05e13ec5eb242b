#!/usr/bin/env bash
# footprint.sh - how much memory pgpin and PgBouncer touch per select-only
# transaction: distinct 64-byte cache lines and 4 KB pages of code and of
# data, traced by valgrind's lackey, for each of pgbench's protocols.
#
# Between a client's query and the server's answer a proxy sleeps, and
# pgbench, PostgreSQL and the kernel run on the same cores: when it wakes,
# most of what it touches has left the caches and the TLB.  At the rates
# a proxy usually runs at, its user-space time per transaction is then
# set by how many cache lines and pages it touches, more than by how many
# instructions it executes (callgrind.sh counts those).  The script starts
# a throwaway PostgreSQL (trust on 127.0.0.1) and pgbench -i, then, for
# each proxy (transaction pooling, 20 server connections) and protocol
# (-M simple, extended, prepared; PgBouncer 1.18 not with prepared): the
# proxy under valgrind --tool=lackey --trace-mem=yes, 100 transactions of
# one pgbench client to warm it up, then N more; the trace of those N is
# cut into windows of one transaction's instructions, and the distinct
# lines and pages in a window are averaged.  Code pages are also split by
# the object they belong to (the proxy, libevent, libc).  It prints a
# Markdown table, and writes it to --out if given.
#
#   contrib/bench/footprint.sh [--pgpin PATH] [--transactions N] [--modes LIST]
#                              [--out FILE] [--logdir DIR]
#
# Run as root (PostgreSQL and PgBouncer then run as the postgres user) or
# as an ordinary user.  Needs valgrind and python3.  A trace takes a few
# hundred MB in the scratch directory while it is read.  Everything it
# starts is stopped, and its scratch directory removed, on exit, failure
# and interruption.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	bench_usage_synopsis
	cat <<'EOF'

  --pgpin PATH        pgpin binary [$PGPIN, else ./pgpin in the current (build) directory]
  --transactions N    transactions traced, after 100 of warm-up [300]
  --modes LIST        pgbench protocols, comma-separated [simple,extended,prepared]
  --out FILE          also write the table (Markdown) to FILE
  --logdir DIR        keep every log in DIR (not the traces)
  -h, --help          this help
EOF
}

transactions=300
modes=simple,extended,prepared
bench_valgrind_options
bench_parse_options "$@"
bench_positive transactions
bench_mode_list simple extended prepared
duration=600 # the bound bench_run puts on one pgbench run (plus 2 min)
scale=1
bench_paths

python=$(command -v python3) || die "python3 not found"
bench_kept=('*.log' pgbouncer.ini)
# The proxies' logins to PostgreSQL are not what is measured, and SCRAM's
# 4096 rounds of HMAC take minutes under lackey: trust over TCP here.
bench_tcp_auth=trust
bench_valgrind_setup pgpin-footprint

# The analysis of one trace: the records between two byte offsets, the
# process's memory map, the number of transactions in between.  Prints
# "instructions code-lines code-pages data-lines data-pages" and then
# "OBJECT code-pages" lines.
analyse() {
	"$python" - "$@" <<'EOF'
import os, sys
from collections import defaultdict
path, a0, a1, txns, maps_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
maps = []
for l in open(maps_path):
    f = l.split()
    if len(f) >= 6 and f[5].startswith('/'):
        lo, hi = (int(x, 16) for x in f[0].split('-'))
        maps.append((lo, hi, os.path.basename(f[5])))
def owner(a):
    for lo, hi, name in maps:
        if lo <= a < hi:
            return name
    return 'other'
with open(path, 'rb') as fh:
    fh.seek(a0)
    lines = fh.read(a1 - a0).decode(errors='replace').split('\n')[1:-1]
recs = []
for l in lines:
    if l.startswith('I  '):
        recs.append((True, int(l[3:].split(',')[0], 16)))
    elif l[:3] in (' L ', ' S ', ' M '):
        recs.append((False, int(l[3:].split(',')[0], 16)))
n_ins = sum(1 for code, _ in recs if code)
per = n_ins / txns
totals = [0, 0, 0, 0]
by_obj = defaultdict(int)
windows = 0
sets = [set(), set(), set(), set()]
count = 0
for code, a in recs:
    k = 0 if code else 2
    sets[k].add(a >> 6)
    sets[k + 1].add(a >> 12)
    if code:
        count += 1
        if count >= per:
            for i in range(4):
                totals[i] += len(sets[i])
            for page in sets[1]:
                by_obj[owner(page << 12)] += 1
            sets = [set(), set(), set(), set()]
            count = 0
            windows += 1
if not windows:
    sys.exit('no transaction in the trace')
print('%.0f %s' % (per, ' '.join('%.1f' % (t / windows) for t in totals)))
for name, pages in sorted(by_obj.items(), key=lambda x: -x[1]):
    print('%s %.1f' % (name, pages / windows))
EOF
}

# trace PROXY MODE: PROXY under lackey, warmed up, TXNS traced; the
# analysis in $work/footprint.PROXY.MODE.
trace() {
	local proxy=$1 mode=$2 log=$work/$1-$2 tr=$work/trace.$1.$2
	: >"$tr"
	[ "$(id -u)" != 0 ] || chown postgres "$tr"
	bench_valgrind_proxy "$proxy" "$log.proxy.log" --tool=lackey --trace-mem=yes "--log-file=$tr"
	bench_select_through "$proxy" "$log.warmup.log" -M "$mode" -c 1 -j 1 -t 100
	sleep 1
	cat "/proc/$proxy_pid/maps" >"$work/maps" || die "no memory map of $proxy"
	local a0 a1
	a0=$(stat -c %s "$tr")
	bench_select_through "$proxy" "$log.pgbench.log" -M "$mode" -c 1 -j 1 -t "$transactions"
	a1=$(stat -c %s "$tr")
	stop_pid "$proxy_pid" 60
	proxy_pid=""
	analyse "$tr" "$a0" "$a1" "$transactions" "$work/maps" >"$work/footprint.$proxy.$mode" ||
		die "cannot read the trace of $proxy -M $mode"
	rm -f "$tr"
}

for mode in "${mode_list[@]}"; do
	for proxy in pgpin pgbouncer; do
		[ "$proxy/$mode" = pgbouncer/prepared ] && continue
		note "$proxy -M $mode under lackey: 100 transactions, then $transactions traced"
		trace "$proxy" "$mode"
		note "$proxy -M $mode: $(head -n 1 "$work/footprint.$proxy.$mode")"
	done
done

# pages_of FILE OBJECT...: the code pages per transaction in those objects
pages_of() {
	local file=$1
	shift
	awk -v want=" $* " 'NR > 1 && index(want, " " $1 " ") { s += $2 } END { printf "%.1f", s }' "$file"
}

table=$(
	echo "| protocol | proxy | instructions | code lines | code pages | own code pages | libevent | libc | data lines | data pages |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for mode in "${mode_list[@]}"; do
		for proxy in pgpin pgbouncer; do
			res=$work/footprint.$proxy.$mode
			[ -f "$res" ] || continue
			read -r ins cl cp dl dp <"$res"
			own=$(pages_of "$res" "$(basename "$([ "$proxy" = pgpin ] && echo "$pgpin_bin" || echo "$pgbouncer_bin")")")
			ev=$(pages_of "$res" libevent-2.1.so.7.0.1 libevent_openssl-2.1.so.7.0.1)
			libc=$(pages_of "$res" libc.so.6)
			echo "| -M $mode | $proxy | $ins | $cl | $cp | $own | $ev | $libc | $dl | $dp |"
		done
	done
	echo
	echo "Per select-only transaction, averaged over windows of one transaction's"
	echo "instructions: distinct 64-byte lines and 4 KB pages touched, code and data"
	echo "(data: every load and store, the stack and heap included); code pages also"
	echo "by object. pgbench -n -S -M PROTOCOL -c 1 -j 1 -t $transactions through"
	echo "each, after 100 of warm-up, under valgrind --tool=lackey --trace-mem=yes"
	echo "($(valgrind --version)). pgpin: $(bench_version "$pgpin_bin");"
	echo "PgBouncer: $(bench_version "$pgbouncer_bin")."
)
if [ -n "$out" ]; then
	printf '%s\n' "$table" >"$out" || die "cannot write $out"
	note "table written to $out"
fi
echo "$table"
