#!/bin/sh
# run.sh - build the libFuzzer target t/fuzz/fuzz_proto.c and fuzz it.
#
#   t/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#
# SECONDS defaults to 60.  Builds with clang -fsanitize=fuzzer,address,
# undefined -DPGPIN_LIBFUZZER against src/proto.c only (the module is pure,
# no other pgpin code or library is needed), then fuzzes starting from the
# seed corpus in t/fuzz/corpus.  Exits 0 if no crash was found, non-zero
# otherwise (the crashing input is left in $WORKDIR/artifacts/).
#
# Environment:
#   CC          compiler (default clang; needs libFuzzer, on Debian 12:
#               apt-get install -y clang libclang-rt-14-dev)
#   WORKDIR     build and scratch directory (default ${TMPDIR:-/tmp}/pgpin-fuzz);
#               new corpus entries go to $WORKDIR/corpus, never into
#               the checked-in seed corpus
#   MAX_LEN     libFuzzer -max_len (default 16384: above the 10000-byte
#               startup packet limit)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift

case $seconds in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS] [libFuzzer flags...]" >&2
	exit 2
	;;
esac

CC=${CC:-clang}
WORKDIR=${WORKDIR:-${TMPDIR:-/tmp}/pgpin-fuzz}
MAX_LEN=${MAX_LEN:-16384}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "$0: $CC not found; on Debian 12: apt-get install -y clang libclang-rt-14-dev" >&2
	exit 2
fi

mkdir -p "$WORKDIR/corpus" "$WORKDIR/artifacts" || exit 2
bin=$WORKDIR/fuzz_proto

echo "== building $bin"
# shellcheck disable=SC2086
if ! $CC -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DPGPIN_LIBFUZZER -I"$top/src" \
	-Wall -Wextra -Wshadow -Wno-unused-parameter \
	-o "$bin" "$here/fuzz_proto.c" "$top/src/proto.c"; then
	echo "$0: build failed (is libFuzzer installed? apt-get install -y libclang-rt-14-dev)" >&2
	exit 2
fi

# A dictionary of protocol tokens helps the fuzzer find the magic numbers.
dict=$WORKDIR/proto.dict
cat >"$dict" <<'EOF'
v30="\x00\x03\x00\x00"
v32="\x00\x03\x00\x02"
v20="\x00\x02\x00\x00"
ssl="\x04\xd2\x16\x2f"
gss="\x04\xd2\x16\x30"
cancel="\x04\xd2\x16\x2e"
len8="\x00\x00\x00\x08"
len16="\x00\x00\x00\x10"
len4="\x00\x00\x00\x04"
user="user\x00"
database="database\x00"
options="options\x00"
appname="application_name\x00"
pq="_pq_."
sev="S"
ver="V"
code="C"
msg="M"
det="D"
error="ERROR\x00"
fatal="FATAL\x00"
EOF

echo "== fuzzing for ${seconds}s (work dir $WORKDIR)"
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$bin" \
	-max_total_time="$seconds" \
	-max_len="$MAX_LEN" \
	-timeout=10 \
	-rss_limit_mb=2048 \
	-dict="$dict" \
	-artifact_prefix="$WORKDIR/artifacts/" \
	-print_final_stats=1 \
	"$@" \
	"$WORKDIR/corpus" "$here/corpus"
rc=$?

if [ $rc -ne 0 ]; then
	echo "== FAILED (exit $rc); crashing inputs:" >&2
	ls -l "$WORKDIR/artifacts/" >&2
	echo "reproduce with: $bin $WORKDIR/artifacts/<file>" >&2
	exit $rc
fi
echo "== no crash in ${seconds}s"
exit 0
