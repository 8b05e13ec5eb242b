#!/bin/sh
# replay.sh - run every fuzz target's seed corpus through its replay program
# (make check): each input must pass the target's invariants, under the
# sanitizers too when configured with --enable-sanitizers.  The fuzzing
# itself is t/fuzz/run.sh's.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
status=0
n=0
for pair in fuzz_proto:corpus fuzz_sql:corpus_sql fuzz_session:corpus_session \
	fuzz_batch:corpus_batch; do
	target=${pair%%:*}
	corpus=$top_srcdir/t/fuzz/${pair#*:}
	n=$((n + 1))
	if out=$("$top_builddir/t/fuzz/$target" "$corpus" 2>&1); then
		echo "ok $n - $target replays $(ls "$corpus" | wc -l) seed inputs"
	else
		echo "not ok $n - $target on $corpus"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
		status=1
	fi
done
echo "1..$n"
exit $status
