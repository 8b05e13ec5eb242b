#!/usr/bin/env bash
# run.sh - benchmark pgpin against PgBouncer and a direct connection.
#
# Starts a throwaway PostgreSQL cluster (SCRAM on 127.0.0.1), PgBouncer and
# pgpin (both in transaction mode, 20 server connections), then runs pgbench
# against the three targets, alternating them within every round and
# rotating their order from one round to the next, for seven cases:
# select-only (simple, extended, prepared), TPC-B-like (simple, extended,
# prepared) and a connection storm (-C).  The two -M prepared cases run
# against direct and pgpin only: PgBouncer 1.18 cannot run them in
# transaction mode.  For every proxy run it also takes the proxy's CPU
# time from /proc/PID/stat.  Then it compares the two proxies' CPU per
# transaction at one fixed rate, in back-to-back pairs of runs, with the
# simple and then the extended protocol.  It writes
# a Markdown report (medians over the rounds, ratios, CPU per transaction,
# failed transactions, the paired comparison and the Targets section) and
# prints its tables.  See contrib/bench/README.md.
#
#   contrib/bench/run.sh [--pgpin PATH] [--duration S] [--rounds N]
#                        [--clients N] [--scale N] [--rate TPS]
#                        [--cpu-pairs N] [--out FILE] [--logdir DIR]
#                        [--quick]
#
# Run as root (PostgreSQL and PgBouncer then run as the postgres user) or as
# an ordinary user.  Everything it starts is stopped, and its scratch
# directory removed, on exit, failure and interruption alike.
#
# Exit status: 0 all runs finished cleanly, 1 setup failed or a proxy died,
# 3 the report was written but some run had failed transactions or a
# pgbench error (see the logs it kept).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	bench_usage_synopsis
	cat <<'EOF'

  --pgpin PATH     pgpin binary [$PGPIN, else ./pgpin in the current (build) directory]
  --duration S     seconds per pgbench run [15; --quick: 3]
  --rounds N       rounds; each runs every case against each of its targets
                   (all three; direct and pgpin for -M prepared) [3; --quick: 2]
  --clients N      pgbench clients (-c) [20]
  --scale N        pgbench scale factor (-i -s) [10; --quick: 1]
  --rate TPS       the fixed rate (pgbench -R) at which the proxies' CPU per
                   transaction is compared [half the lower of pgpin's and
                   PgBouncer's warm-up TPS, in hundreds]
  --cpu-pairs N    back-to-back pairs of 5 s runs (pgpin, PgBouncer) at that
                   rate, for each protocol (simple, extended) [20; --quick: 4]
  --out FILE       Markdown report [doc/benchmarks.md in the source tree;
                   --quick: none, the tables go to stdout only]
  --logdir DIR     keep every log (pgbench outputs, pgpin, PgBouncer, PostgreSQL)
                   in DIR; without it they are kept only when a run went wrong
  --quick          short smoke-test runs
  -h, --help       this help
EOF
}

# ------------------------------------------------------------ options

clients=20
rate="" cpu_pairs=""
bench_value_opts[--rate]=rate
bench_value_opts[--cpu-pairs]=cpu_pairs
bench_parse_options "$@"
bench_defaults 15 3 3 2 doc/benchmarks.md
bench_positive duration rounds clients scale
[ -z "$rate" ] || bench_positive rate
rate_given=${rate:+yes}
if [ -z "$cpu_pairs" ]; then
	cpu_pairs=20
	[ "$quick" = no ] || cpu_pairs=4
fi
bench_positive cpu_pairs
cpu_seconds=5
bench_paths

bench_proxy_tools

# ------------------------------------------------------------ scratch, cleanup

pgpin_pid="" bouncer_pid=""
bench_kept=('*.log' runs results.tsv cpu.tsv pgbouncer.ini)

# shellcheck disable=SC2317 # called from the EXIT trap
bench_stop() {
	stop_pid "$pgpin_pid" 10
	stop_pid "$bouncer_pid" 10
	bench_postgres_stop
}
bench_scratch pgpin-bench

# ------------------------------------------------------------ PostgreSQL

bench_postgres
mkdir -p "$work/runs"
pgpin_port="" bouncer_port=""
for v in pgpin_port bouncer_port; do
	free_port "$v" || die "no free TCP port found"
done

# ------------------------------------------------------------ PgBouncer

bench_pgbouncer_ini "$bouncer_port"
note "PgBouncer on 127.0.0.1:$bouncer_port"
"${as_pg_exec[@]}" "$pgbouncer_bin" "$work/pgbouncer.ini" >"$work/pgbouncer.stderr.log" 2>&1 </dev/null &
bouncer_pid=$!
wait_port "$bouncer_port" 15 "$bouncer_pid" ||
	{ cat "$work/pgbouncer.stderr.log" "$work/pgbouncer.log" >&2 2>/dev/null; die "PgBouncer did not listen"; }
is_proc "$bouncer_pid" pgbouncer || die "pid $bouncer_pid is not PgBouncer"

# ------------------------------------------------------------ pgpin

pgpin_args=(--listen "127.0.0.1:$pgpin_port" --pool-mode transaction --pool-size 20
	--max-client-conn 500 --log-level warning)
pgpin_endpoint_shown="postgres://$dbuser:***@127.0.0.1:$pgport/$db"
note "pgpin on 127.0.0.1:$pgpin_port"
# The endpoint (with its password) goes in the environment, not the process list.
PGPIN_DATASTORE_ENDPOINT="postgres://$dbuser:$dbpass@127.0.0.1:$pgport/$db" bench_start_pgpin "$pgpin_port"

# ------------------------------------------------------------ the runs

targets=(direct pgpin pgbouncer)
declare -A port_of=([direct]=$pgport [pgpin]=$pgpin_port [pgbouncer]=$bouncer_port)
declare -A pid_of=([pgpin]=$pgpin_pid [pgbouncer]=$bouncer_pid)

cases=(select_simple select_extended select_prepared tpcb_simple tpcb_extended tpcb_prepared storm)
declare -A case_args=(
	[select_simple]="-S -M simple"
	[select_extended]="-S -M extended"
	[select_prepared]="-S -M prepared"
	[tpcb_simple]="-M simple"
	[tpcb_extended]="-M extended"
	[tpcb_prepared]="-M prepared"
	[storm]="-C -S -M simple"
)
declare -A case_title=(
	[select_simple]="Select-only, simple protocol"
	[select_extended]="Select-only, extended protocol"
	[select_prepared]="Select-only, extended protocol with named prepared statements"
	[tpcb_simple]="TPC-B (pgbench default script), simple protocol"
	[tpcb_extended]="TPC-B (pgbench default script), extended protocol"
	[tpcb_prepared]="TPC-B (pgbench default script), extended protocol with named prepared statements"
	[storm]="Connection storm: a new connection per transaction, select-only, simple protocol"
)
# The targets of a case, when not all three.  PgBouncer 1.18 in transaction
# mode cannot run -M prepared: pgbench's named statements (P_0, ...) land on
# server connections other clients prepared them on already, and pgbench
# fails.  Those cases are not run there at all, so that every run that is
# made still has to finish without a failed transaction.
declare -A case_targets=(
	[select_prepared]="direct pgpin"
	[tpcb_prepared]="direct pgpin"
)
# shellcheck disable=SC2016 # backquotes for Markdown, not for the shell
not_run_note='PgBouncer 1.18 is not run with `-M prepared`: in transaction mode pgbench fails there with `prepared statement "P_0" already exists`.'
# targets_of CASE: the targets CASE runs against, in the order of targets
targets_of() {
	echo "${case_targets[$1]:-${targets[*]}}"
}
# not_run: "CASE:TARGET ..." for every target a case does not run against
not_run=""
for c in "${cases[@]}"; do
	for t in "${targets[@]}"; do
		case " $(targets_of "$c") " in *" $t "*) ;; *) not_run+="$c:$t " ;; esac
	done
done
common_args=(-n -j 2 -c "$clients" -T "$duration")

# Before every run, straight to PostgreSQL as the superuser: what pgbench
# does itself without -n, plus a checkpoint so none lands inside a run.
prep_sql="VACUUM pgbench_branches; VACUUM pgbench_tellers; TRUNCATE pgbench_history; CHECKPOINT"

proxy_alive() { # NAME
	is_proc "${pid_of[$1]}" "$1"
}

# run_pgbench TARGET LOG ARGS...: pgbench against TARGET, output to LOG,
# bounded in time; returns pgbench's exit status (124 on timeout).
run_pgbench() {
	local target=$1 log=$2
	shift 2
	PGPASSWORD=$dbpass bench_run "$log" "$pgbench_bin" -h 127.0.0.1 -p "${port_of[$target]}" -U "$dbuser" "$@" "$db"
}

note "warm-up: 3 s of select-only against each target"
for t in "${targets[@]}"; do
	run_pgbench "$t" "$work/runs/warmup-$t.log" -n -j 2 -c "$clients" -T 3 -S ||
		{ cat "$work/runs/warmup-$t.log" >&2; trouble=yes; die "warm-up against $t failed"; }
done

# The fixed rate at which the proxies' CPU per transaction is compared:
# one both sustain with room to spare, so that both do the same work (at
# full speed each runs as many transactions as it can, and the cost of a
# transaction then also depends on how hard the machine is contended).
if [ -z "$rate" ]; then
	rate=$(for t in pgpin pgbouncer; do
		sed -n 's/^tps = \([0-9]*\).*/\1/p' "$work/runs/warmup-$t.log" | head -n 1
	done | sort -n | head -n 1)
	[ -n "$rate" ] || die "no TPS in the warm-up logs"
	rate=$((rate / 2 / 100 * 100))
	[ "$rate" -ge 100 ] || rate=100
fi
rate_how=$([ -n "$rate_given" ] && echo "given with --rate" || echo "half the lower warm-up TPS of the two proxies, in hundreds")
# The paired comparison is run for both protocols a driver may use.
cpu_modes=(simple extended)
rate_args=(-n -j 2 -c "$clients" -T "$cpu_seconds" -S -M PROTOCOL -R "$rate")

results=$work/results.tsv
printf 'round\tcase\ttarget\ttps\ttxns\tfailed\tticks\tstatus\tlatency_ms\n' >"$results"
total=0
for c in "${cases[@]}"; do
	read -r -a tl <<<"$(targets_of "$c")"
	total=$((total + rounds * ${#tl[@]}))
done
n=0
for ((r = 1; r <= rounds; r++)); do
	for ci in "${!cases[@]}"; do
		c=${cases[$ci]}
		read -r -a tl <<<"$(targets_of "$c")"
		# round-robin order, rotated by one each round (and each case, so the
		# first target of a round differs from case to case as well)
		for ((k = 0; k < ${#tl[@]}; k++)); do
			t=${tl[$(((k + r - 1 + ci) % ${#tl[@]}))]}
			n=$((n + 1))
			log=$work/runs/r$r-$c-$t.log
			admin_sql "$prep_sql" >/dev/null 2>&1 || die "pre-run VACUUM/CHECKPOINT failed"
			if [ "$t" != direct ]; then
				proxy_alive "$t" || { trouble=yes; die "$t (pid ${pid_of[$t]}) is gone before round $r, $c"; }
				before=$(cpu_ticks "${pid_of[$t]}")
			fi
			# shellcheck disable=SC2086 # case_args are words on purpose
			run_pgbench "$t" "$log" "${common_args[@]}" ${case_args[$c]}
			st=$?
			ticks=-
			if [ "$t" != direct ]; then
				if ! proxy_alive "$t"; then
					trouble=yes
					echo "run.sh: $t died during round $r, case $c; pgbench said:" >&2
					tail -n 20 "$log" >&2
					[ "$t" = pgpin ] && { echo "run.sh: pgpin's log:" >&2; tail -n 50 "$work/pgpin.log" >&2; }
					die "$t died"
				fi
				after=$(cpu_ticks "${pid_of[$t]}")
				ticks=$((after - before))
			fi
			tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$log" | head -n 1)
			txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
			failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log" | head -n 1)
			lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log" | head -n 1)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$c" "$t" "${tps:--}" "${txns:--}" \
				"${failed:--}" "$ticks" "$st" "${lat:--}" >>"$results"
			if [ "$st" != 0 ] || [ "${failed:-x}" != 0 ] || [ -z "$tps" ]; then
				trouble=yes
				echo "run.sh: round $r, $c, $t: pgbench exit status $st, failed transactions ${failed:-?}:" >&2
				grep -v '^progress' "$log" | tail -n 15 | sed 's/^/    /' >&2
			fi
			printf '== [%d/%d] round %d %-16s %-10s tps %-12s txns %-9s failed %-3s cpu %s ticks%s\n' \
				"$n" "$total" "$r" "$c" "$t" "${tps:--}" "${txns:--}" "${failed:-?}" "$ticks" \
				"$([ "$st" = 0 ] || echo " EXIT $st")" >&2
		done
	done
done

# ------------------------------------------------------------ CPU per transaction, paired

# At full speed each proxy runs as many transactions as the machine lets it,
# and what one costs then depends on how contended the machine was during
# that run; rounds minutes apart see different machines.  So the CPU
# comparison runs both proxies at the same fixed rate, in pairs of runs
# one right after the other (pgpin first in odd pairs, PgBouncer first in
# even ones), and takes the ratio within each pair: drift on the machine
# cancels out of it.  The time is the scheduler's (schedstat, nanoseconds).
cpu_results=$work/cpu.tsv
printf 'pair\ttarget\tns\ttxns\tlatency_ms\tstatus\tprotocol\tslices\n' >"$cpu_results"
for proto in "${cpu_modes[@]}"; do
	for ((k = 1; k <= cpu_pairs; k++)); do
		order=(pgpin pgbouncer)
		((k % 2)) || order=(pgbouncer pgpin)
		for t in "${order[@]}"; do
			log=$work/runs/cpu-$proto-$k-$t.log
			proxy_alive "$t" || { trouble=yes; die "$t (pid ${pid_of[$t]}) is gone before CPU pair $k ($proto)"; }
			before=$(cpu_ns "${pid_of[$t]}")
			slices_before=$(cpu_slices "${pid_of[$t]}")
			run_pgbench "$t" "$log" "${rate_args[@]/PROTOCOL/$proto}"
			st=$?
			after=$(cpu_ns "${pid_of[$t]}")
			slices_after=$(cpu_slices "${pid_of[$t]}")
			proxy_alive "$t" || { trouble=yes; tail -n 20 "$log" >&2; die "$t died during CPU pair $k ($proto)"; }
			txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
			failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log" | head -n 1)
			lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log" | head -n 1)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$t" "$((after - before))" "${txns:--}" "${lat:--}" "$st" "$proto" \
				"$((slices_after - slices_before))" >>"$cpu_results"
			if [ "$st" != 0 ] || [ "${failed:-x}" != 0 ] || [ -z "$txns" ]; then
				trouble=yes
				echo "run.sh: CPU pair $k ($proto), $t: pgbench exit status $st, failed transactions ${failed:-?}:" >&2
				grep -v '^progress' "$log" | tail -n 15 | sed 's/^/    /' >&2
			fi
			printf '== [CPU %s %d/%d] %-10s -R %s txns %-8s cpu %s ns%s\n' "$proto" "$k" "$cpu_pairs" "$t" "$rate" \
				"${txns:--}" "$((after - before))" "$([ "$st" = 0 ] || echo " EXIT $st")" >&2
		done
	done
done

# cpu_paired MODE PROTOCOL: the paired comparison's table (MODE=table) or
# its Targets line (MODE=target) for one protocol.  Per pair: pgpin's
# ns/txn over PgBouncer's.
# The interval is the distribution-free one for a median (the order
# statistics a binomial(n, 1/2) puts 95% between), so it says how far the
# noise of this machine lets the median move.
cpu_paired() {
	awk -F '\t' -v mode="$1" -v proto="$2" -v rate="$rate" -v secs="$cpu_seconds" "$bench_awk_lib"'
	NR == 1 || $7 != proto { next }
	{
		if ($4 != "-" && $4 > 0) per[$1, $2] = $3 / 1000 / $4
		if ($4 != "-" && $4 > 0) sw[$2] = sw[$2] " " $8 / $4
		if ($5 != "-") lat[$2] = lat[$2] " " $5
		if ($1 > n) n = $1
	}
	END {
		m = 0
		for (k = 1; k <= n; k++)
			if ((k, "pgpin") in per && (k, "pgbouncer") in per && per[k, "pgbouncer"] > 0) {
				r[++m] = per[k, "pgpin"] / per[k, "pgbouncer"]
				list = list " " r[m]; below += (r[m] <= 1)
				p = p " " per[k, "pgpin"]; b = b " " per[k, "pgbouncer"]
				rounds = rounds (m > 1 ? ", " : "") sprintf("%.2f", r[m])
			}
		for (i = 2; i <= m; i++) { x = r[i]; for (j = i - 1; j >= 1 && r[j] > x; j--) r[j + 1] = r[j]; r[j + 1] = x }
		med = median(list)
		# the largest c with P(Binomial(m, 1/2) < c) <= 0.025
		c = 0; cum = 0; pr = 0.5 ^ m
		for (i = 0; i < m; i++) {
			cum += pr
			if (cum > 0.025) break
			c = i + 1
			pr = pr * (m - i) / (i + 1)
		}
		lo = (c >= 1) ? r[c] : ""; hi = (c >= 1) ? r[m - c + 1] : ""
		if (mode == "table") {
			printf "%d pairs of %d s runs at `-R %s`, back to back, the order alternating.\n\n", m, secs, rate
			print "| | pgpin | pgbouncer |"
			print "|---|---:|---:|"
			printf "| CPU µs/txn, median of the pairs | %s | %s |\n", fmt(median(p), "%.1f"), fmt(median(b), "%.1f")
			printf "| latency ms, median of the pairs | %s | %s |\n", fmt(median(lat["pgpin"]), "%.3f"), fmt(median(lat["pgbouncer"]), "%.3f")
			printf "| times switched in per transaction, median | %s | %s |\n", fmt(median(sw["pgpin"]), "%.3f"), fmt(median(sw["pgbouncer"]), "%.3f")
			printf "\npgpin/pgbouncer CPU per transaction, pair by pair: %s.\n", rounds
			printf "Median %s; pgpin used no more CPU than PgBouncer in %d of %d pairs", fmt(med, "%.3f"), below, m
			if (lo != "") printf "; 95%% interval of the median: %.3f to %.3f", lo, hi
			print "."
		} else {
			verdict = (med != "" && med + 0 <= 1) ? "met" : "not met"
			printf "- **%s**: pgpin CPU per transaction ≤ PgBouncer'"'"'s at the same load (select-only, %s, `-R %s`, %d back-to-back pairs): median of the per-pair ratios ×%s", verdict, proto, rate, m, fmt(med, "%.3f")
			if (lo != "") printf " (95%% interval %.3f to %.3f)", lo, hi
			printf "; pgpin no more in %d of %d pairs.", below, m
		}
	}' "$cpu_results"
}

bench_after_runs
bouncer_warn_lines=$(grep -cE ' (WARNING|ERROR|FATAL) ' "$work/pgbouncer.log" 2>/dev/null)

# ------------------------------------------------------------ report

# Process creation cost: PostgreSQL forks a backend per connection, so this
# bounds the direct connection storm.
spawn_ms=$(
	TIMEFORMAT=%R
	{ time (for ((i = 0; i < 50; i++)); do /bin/true; done); } 2>&1 | awk '{ printf "%.1f", $1 * 1000 / 50 }'
)
bouncer_version=$(bench_version "$pgbouncer_bin")
pg_version=$(bench_version "$pgbindir/postgres")
pgbench_version=$(bench_version "$pgbench_bin")

# summarise: the awk program below reads results.tsv and prints either the
# summary table (mode=summary), a case's section (mode=case) or the Targets
# section (mode=targets).  Cells of a target a case does not run against
# (not_run) show "—".
summarise() {
	awk -F '\t' -v mode="$1" -v want="${2:-}" -v hz="$clk_tck" -v rounds="$rounds" \
		-v title="${3:-}" -v args="${4:-}" -v not_run="$not_run" -v not_run_note="$not_run_note" \
		-v cpu_target_simple="$(cpu_paired target simple)" \
		-v cpu_target_extended="$(cpu_paired target extended)" "$bench_awk_lib"'
	# cell(C, T1, T2, X, F): fmt(X, F), or "—" when C does not run against T1 or T2
	function cell(c, t1, t2, x, f) { return (skip[c, t1] || (t2 != "" && skip[c, t2])) ? "—" : fmt(x, f) }
	function tps_of(c, t) { return median(tps[c, t]) }
	function cpu_of(c, t) { return median(cpu[c, t]) }
	# per_round(ARR, C, T1, T2, F): ARR[C, T1, r] / ARR[C, T2, r] for every round
	# (F: ARR[C, T1, r] alone when T2 is empty), comma-separated
	function per_round(arr, c, t1, t2, f) { return per_round2(arr, c, t1, c, t2, f) }
	# per_round2(ARR, C1, T1, C2, T2, F): ARR[C1, T1, r] / ARR[C2, T2, r] for every round
	function per_round2(arr, c1, t1, c2, t2, f,    r, s, x, y) {
		s = ""
		for (r = 1; r <= rounds; r++) {
			x = arr[c1, t1, r]; y = (t2 == "") ? 1 : arr[c2, t2, r]
			s = s (r > 1 ? ", " : "") ((x == "" || x == "-" || y == "" || y == "-" || y + 0 == 0) ? "n/a" : sprintf(f, x / y))
		}
		return s
	}
	BEGIN {
		n = split(not_run, a, " ")
		for (i = 1; i <= n; i++) { split(a[i], ct, ":"); skip[ct[1], ct[2]] = 1 }
	}
	NR == 1 { next }
	{
		c = $2; t = $3
		if (!(c in seen)) { seen[c] = 1; order[++ncase] = c }
		if ($4 != "-") tps[c, t] = tps[c, t] " " $4
		byround[c, t, $1] = $4
		if ($6 != "-") failed[c, t] += $6; else nofailed[c, t]++
		if ($8 != 0) errors[c, t]++
		if ($9 != "-" && $9 != "") lat[c, t] = lat[c, t] " " $9
		if ($7 != "-" && $5 != "-" && $5 > 0) {
			cpu[c, t] = cpu[c, t] " " ($7 * 1e6 / hz / $5)
			cpuround[c, t, $1] = $7 * 1e6 / hz / $5
		}
	}
	END {
		split("direct pgpin pgbouncer", tg, " ")
		if (mode == "summary") {
			print "| case | direct TPS | pgpin TPS | pgbouncer TPS | pgpin/direct | pgbouncer/direct | pgpin/pgbouncer | pgpin CPU µs/txn | pgbouncer CPU µs/txn | failed txns (direct/pgpin/pgbouncer) |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
			for (i = 1; i <= ncase; i++) {
				c = order[i]
				d = tps_of(c, "direct"); p = tps_of(c, "pgpin"); b = tps_of(c, "pgbouncer")
				f = ""
				for (k = 1; k <= 3; k++) f = f (k > 1 ? "/" : "") (skip[c, tg[k]] ? "—" : (failed[c, tg[k]] + 0) (nofailed[c, tg[k]] ? "?" : "") (errors[c, tg[k]] ? "!" : ""))
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c,
					cell(c, "direct", "", d, "%.0f"), cell(c, "pgpin", "", p, "%.0f"), cell(c, "pgbouncer", "", b, "%.0f"),
					cell(c, "pgpin", "direct", ratio(p, d), "%.2f"), cell(c, "pgbouncer", "direct", ratio(b, d), "%.2f"),
					cell(c, "pgpin", "pgbouncer", ratio(p, b), "%.2f"),
					cell(c, "pgpin", "", cpu_of(c, "pgpin"), "%.1f"), cell(c, "pgbouncer", "", cpu_of(c, "pgbouncer"), "%.1f"), f
			}
		} else if (mode == "case") {
			c = want
			unit = (c == "storm") ? "µs/connection (= per txn)" : "µs/txn"
			printf "### %s (`%s`)\n\n", title, c
			printf "`pgbench %s`\n\n", args
			printf "| target | median TPS | TPS by round | vs direct | latency ms, median | proxy CPU %s, median | CPU by round | failed txns (all rounds) | pgbench errors |\n", unit
			print "|---|---:|---|---:|---:|---:|---|---:|---:|"
			d = tps_of(c, "direct")
			for (k = 1; k <= 3; k++) {
				t = tg[k]; m = tps_of(c, t)
				if (skip[c, t]) {
					printf "| %s | — | not run | — | — | — | — | — | — |\n", t
					continue
				}
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", t, fmt(m, "%.0f"),
					per_round(byround, c, t, "", "%.0f"), fmt(ratio(m, d), "%.2f"),
					fmt(median(lat[c, t]), "%.3f"),
					(t == "direct" ? "–" : fmt(cpu_of(c, t), "%.1f")),
					(t == "direct" ? "–" : per_round(cpuround, c, t, "", "%.1f")),
					(failed[c, t] + 0) (nofailed[c, t] ? " (+" nofailed[c, t] " run(s) without a count)" : ""),
					errors[c, t] + 0
			}
			p = tps_of(c, "pgpin"); b = tps_of(c, "pgbouncer")
			if (skip[c, "pgpin"] || skip[c, "pgbouncer"]) {
				printf "\n%s\n\n", not_run_note
			} else {
				printf "\npgpin/pgbouncer: TPS %s (per round: %s); CPU per transaction %s (per round: %s).\n\n",
					fmt(ratio(p, b), "%.2f"), per_round(byround, c, "pgpin", "pgbouncer", "%.2f"),
					fmt(ratio(cpu_of(c, "pgpin"), cpu_of(c, "pgbouncer")), "%.2f"),
					per_round(cpuround, c, "pgpin", "pgbouncer", "%.2f")
			}
		} else if (mode == "targets") {
			for (pi = 1; pi <= 2; pi++) {
				pr = pi == 1 ? "simple" : "extended"
				sc = "select_" pr
				p = tps_of(sc, "pgpin"); b = tps_of(sc, "pgbouncer")
				ok = (p != "" && b != "" && p + 0 >= b + 0)
				printf "- **%s**: pgpin select-only TPS ≥ PgBouncer'"'"'s (%s protocol): %s vs %s TPS (×%s; per round: %s).\n",
					ok ? "met" : "not met", pr, fmt(p, "%.0f"), fmt(b, "%.0f"), fmt(ratio(p, b), "%.2f"),
					per_round(byround, sc, "pgpin", "pgbouncer", "%.2f")
			}
			for (pi = 1; pi <= 2; pi++) {
				pr = pi == 1 ? "simple" : "extended"
				sc = "select_" pr
				printf "%s", pi == 1 ? cpu_target_simple : cpu_target_extended
				p = cpu_of(sc, "pgpin"); b = cpu_of(sc, "pgbouncer")
				printf " At full speed (`%s`, where each runs as many transactions as it can): %s vs %s µs/txn (×%s; per round: %s).\n",
					sc, fmt(p, "%.1f"), fmt(b, "%.1f"), fmt(ratio(p, b), "%.2f"),
					per_round(cpuround, sc, "pgpin", "pgbouncer", "%.2f")
			}
			p = tps_of("storm", "pgpin"); d = tps_of("storm", "direct")
			ok = (p != "" && d != "" && p + 0 >= 8 * d)
			printf "- **%s**: connection storm through pgpin ≥ 8× direct: %s vs %s TPS (×%s; per round: %s).\n",
				ok ? "met" : "not met", fmt(p, "%.0f"), fmt(d, "%.0f"), fmt(ratio(p, d), "%.2f"),
				per_round(byround, "storm", "pgpin", "direct", "%.2f")
			p = tps_of("select_prepared", "pgpin"); b = tps_of("select_simple", "pgbouncer")
			ok = (p != "" && b != "" && p + 0 >= 1.25 * b)
			printf "- **%s**: pgpin select-only `-M prepared` TPS ≥ 1.25 × PgBouncer select-only `-M simple` TPS (same run): %s vs %s TPS (×%s; per round: %s).\n",
				ok ? "met" : "not met", fmt(p, "%.0f"), fmt(b, "%.0f"), fmt(ratio(p, b), "%.2f"),
				per_round2(byround, "select_prepared", "pgpin", "select_simple", "pgbouncer", "%.2f")
		}
	}' "$results"
}

summary=$(summarise summary)
targets_md=$(summarise targets)

report() {
	local c
	echo "# pgpin benchmarks"
	echo
	if [ "$quick" = yes ]; then
		echo "**Quick smoke run (\`--quick\`): too short to be a measurement.**"
		echo
	fi
	echo "Generated by \`contrib/bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "pgbench against PostgreSQL directly, through pgpin and through PgBouncer,"
	echo "$rounds round(s) of ${duration} s runs; each round runs every case against its"
	echo "targets (all three, but direct and pgpin only for \`-M prepared\`) one after the"
	echo "other, in an order rotated from round to round and case to case. Figures are"
	echo "medians over the rounds; ratios are ratios of the medians."
	echo "See contrib/bench/README.md for how to read this."
	echo
	echo "## Machine"
	echo
	echo "- CPUs (nproc): $(nproc); model: ${model:-unknown}"
	echo "- kernel: $(uname -sr)"
	echo "- process creation (fork + exec of /bin/true, measured after the runs): ${spawn_ms} ms;"
	echo "  PostgreSQL forks a backend for every connection, which bounds the direct"
	echo "  connection storm"
	echo "- pgbench, PostgreSQL, PgBouncer and pgpin all share the machine (loopback TCP)."
	echo "- load average (1, 5, 15 min) when the script started: $load_start; after the"
	echo "  last run (including the benchmark's own load): $load_end. A load well above"
	echo "  the number of CPUs before the start means other work competed with the runs."
	echo
	echo "## Versions"
	echo
	echo "- pgpin: \`$pgpin_version\`"
	echo "- PgBouncer: \`$bouncer_version\`"
	echo "- PostgreSQL: \`$pg_version\`"
	echo "- pgbench: \`$pgbench_version\`"
	echo
	echo "## Summary"
	echo
	echo "$summary"
	echo
	echo "TPS: \"tps = … (without initial connection time)\" from pgbench, or for the"
	echo "storm (\`-C\`) the line it prints there (including reconnection times). CPU:"
	echo "the proxy's user+system time from /proc/PID/stat ($clk_tck ticks/s) over the run,"
	echo "divided by the transactions pgbench processed. Failed txns: pgbench's"
	echo "\"number of failed transactions\", summed over the rounds (\`?\`: a run printed"
	echo "no count; \`!\`: a run where pgbench exited non-zero). —: not run."
	echo
	echo "$not_run_note"
	echo
	echo "## Targets"
	echo
	echo "$targets_md"
	echo
	echo "## Cases"
	echo
	for c in "${cases[@]}"; do
		summarise case "$c" "${case_title[$c]}" "${common_args[*]} ${case_args[$c]}"
	done
	echo "### CPU per transaction at the same load (\`cpu\`)"
	echo
	echo "\`pgbench ${rate_args[*]}\` against pgpin and PgBouncer, PROTOCOL simple"
	echo "then extended. CPU: the proxy's run time from /proc/PID/task/*/schedstat"
	echo "(nanoseconds) over the run, divided by the transactions pgbench processed."
	for proto in "${cpu_modes[@]}"; do
		echo
		echo "#### -M $proto"
		echo
		cpu_paired table "$proto"
	done
	echo
	echo "## Setup"
	echo
	echo "### PostgreSQL"
	echo
	echo "A throwaway cluster (\`initdb -E UTF8 --locale=C\`), defaults except:"
	echo
	echo '```'
	printf '%s\n' "${pg_settings[@]}" | sed "s|^unix_socket_directories = .*|unix_socket_directories = '<scratch dir>'  # set-up only|"
	echo '```'
	echo
	echo "pg_hba: \`host all all 127.0.0.1/32 scram-sha-256\` for every benchmark"
	echo "connection (direct and the proxies' server connections); the Unix socket"
	echo "(trust) is used only for set-up and, before every run, for:"
	echo "\`$prep_sql\`."
	echo
	echo "Data: \`pgbench -i -s $scale\` (direct)."
	echo
	echo "### pgbench"
	echo
	echo "Against each target, with \`PGPASSWORD\` set (used by the direct target only):"
	echo
	echo '```'
	for c in "${cases[@]}"; do
		if [ "$(targets_of "$c")" = "${targets[*]}" ]; then
			echo "pgbench -h 127.0.0.1 -p PORT -U $dbuser ${common_args[*]} ${case_args[$c]} $db"
		else
			echo "pgbench -h 127.0.0.1 -p PORT -U $dbuser ${common_args[*]} ${case_args[$c]} $db   # $(targets_of "$c" | sed 's/ / and /g') only"
		fi
	done
	echo '```'
	echo
	echo "PORT: $pgport (direct), $pgpin_port (pgpin), $bouncer_port (PgBouncer)."
	echo "Before the rounds, one 3 s warm-up (\`-S\`) against each target, not counted."
	echo "The paired CPU comparison runs at \`-R $rate\`: $rate_how."
	echo
	echo "### pgpin"
	echo
	echo '```'
	echo "PGPIN_DATASTORE_ENDPOINT='$pgpin_endpoint_shown' \\"
	echo "  pgpin ${pgpin_args[*]}"
	echo '```'
	echo
	echo "Clients: trust (the default on loopback). pgpin logged $pgpin_log_lines line(s) at level warning."
	echo
	echo "### PgBouncer"
	echo
	echo '```ini'
	sed -e 's/password=[^ ]*/password=***/' -e "s|$work|<scratch dir>|g" "$work/pgbouncer.ini"
	echo '```'
	echo
	echo "PgBouncer logged ${bouncer_warn_lines:-0} WARNING/ERROR/FATAL line(s)."
	echo
	echo "### Raw results"
	echo
	echo "<details><summary>every run (ticks: proxy CPU in 1/$clk_tck s; status: pgbench's exit status)</summary>"
	echo
	echo '```'
	column -t -s $'\t' "$results" 2>/dev/null || cat "$results"
	echo '```'
	echo
	echo "</details>"
	echo
	echo "<details><summary>the CPU pairs (ns: proxy run time; status: pgbench's exit status)</summary>"
	echo
	echo '```'
	column -t -s $'\t' "$cpu_results" 2>/dev/null || cat "$cpu_results"
	echo '```'
	echo
	echo "</details>"
}

bench_finish Targets
