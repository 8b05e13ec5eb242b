#!/bin/sh
# run.sh - build a libFuzzer target from t/fuzz/ and fuzz it.
#
#   t/fuzz/run.sh [TARGET] [SECONDS] [extra libFuzzer flags...]
#
# TARGET is one of
#   fuzz_proto    src/proto.c: startup packets, message framing,
#                 ErrorResponse, the pkt reader (the default); and the
#                 startup options string (src/params.c)
#   fuzz_sql      src/sqlite/: tokenizer, translator, describe, catalog
#                 intercepts, COPY text/CSV parser, Bind value types
#   fuzz_session  src/sqlite/session.c: the protocol engine on a stream
#                 of frontend messages, on an in-memory database
#   fuzz_batch    src/track.c: extended-protocol batches taken whole by
#                 the client's read fast path, checked against the
#                 message-by-message relay
# ("proto", "sql", "session" and "batch" work too).  SECONDS defaults to 60;
# `t/fuzz/run.sh 60` still fuzzes fuzz_proto.
#
# Builds with clang -fsanitize=fuzzer,address,undefined -DPGPIN_LIBFUZZER.
# fuzz_proto needs src/proto.c and src/params.c only; the other targets are linked with a
# static library of every src/*.c (but src/main.c) and src/sqlite/*.c,
# compiled with the same sanitizers and coverage (so the linker takes
# only the modules a target uses, as with libpgpin.a), and with libevent,
# OpenSSL, libpq, SQLite and PCRE2.  Then fuzzes starting from the seed
# corpus (t/fuzz/corpus, t/fuzz/corpus_sql, t/fuzz/corpus_session,
# t/fuzz/corpus_batch).  Exits
# 0 if no crash was found, non-zero otherwise (the crashing input is left
# in $WORKDIR/artifacts/).
#
# Environment:
#   CC          compiler (default clang; needs libFuzzer, on Debian 12:
#               apt-get install -y clang libclang-rt-14-dev)
#   WORKDIR     build and scratch directory (default ${TMPDIR:-/tmp}/pgpin-fuzz);
#               new corpus entries go to $WORKDIR/corpus (fuzz_proto) or
#               $WORKDIR/corpus_sql, $WORKDIR/corpus_session,
#               $WORKDIR/corpus_batch, never into
#               the checked-in seed corpus
#   MAX_LEN     libFuzzer -max_len (default 16384: above the 10000-byte
#               startup packet limit, and room for a few SQL statements)
#   JOBS        parallel compiles for the library (default 2)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

target=fuzz_proto
case ${1:-} in
fuzz_proto | proto) target=fuzz_proto; shift ;;
fuzz_sql | sql) target=fuzz_sql; shift ;;
fuzz_session | session) target=fuzz_session; shift ;;
fuzz_batch | batch) target=fuzz_batch; shift ;;
'' | [0-9]* | -*) ;;
*)
	echo "usage: $0 [fuzz_proto|fuzz_sql|fuzz_session|fuzz_batch] [SECONDS] [libFuzzer flags...]" >&2
	exit 2
	;;
esac
seconds=${1:-60}
[ $# -gt 0 ] && shift

case $seconds in
'' | *[!0-9]*)
	echo "usage: $0 [fuzz_proto|fuzz_sql|fuzz_session|fuzz_batch] [SECONDS] [libFuzzer flags...]" >&2
	exit 2
	;;
esac

CC=${CC:-clang}
WORKDIR=${WORKDIR:-${TMPDIR:-/tmp}/pgpin-fuzz}
MAX_LEN=${MAX_LEN:-16384}
JOBS=${JOBS:-2}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "$0: $CC not found; on Debian 12: apt-get install -y clang libclang-rt-14-dev" >&2
	exit 2
fi

case $target in
fuzz_proto)
	seeds=$here/corpus
	corpus=$WORKDIR/corpus
	prefix=$WORKDIR/artifacts/
	;;
fuzz_sql)
	seeds=$here/corpus_sql
	corpus=$WORKDIR/corpus_sql
	prefix=$WORKDIR/artifacts/fuzz_sql-
	;;
fuzz_session)
	seeds=$here/corpus_session
	corpus=$WORKDIR/corpus_session
	prefix=$WORKDIR/artifacts/fuzz_session-
	;;
fuzz_batch)
	seeds=$here/corpus_batch
	corpus=$WORKDIR/corpus_batch
	prefix=$WORKDIR/artifacts/fuzz_batch-
	;;
esac

mkdir -p "$corpus" "$WORKDIR/artifacts" || exit 2
bin=$WORKDIR/$target

SAN="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
WARN="-Wall -Wextra -Wshadow -Wno-unused-parameter"

# The pgpin library, for the targets that need more than src/proto.c.
build_lib() {
	lib=$WORKDIR/libpgpin-fuzz.a
	objdir=$WORKDIR/obj
	if ! pkg-config --exists libevent_core libevent_extra \
		libevent_openssl openssl libpq sqlite3 libpcre2-8; then
		echo "$0: pkg-config cannot find libevent, openssl, libpq, sqlite3 or pcre2" >&2
		exit 2
	fi
	PKG_CFLAGS=$(pkg-config --cflags libevent_core openssl libpq sqlite3 libpcre2-8)
	PKG_LIBS="$(pkg-config --libs libevent_core libevent_extra \
		libevent_openssl openssl libpq sqlite3 libpcre2-8) -lm"
	rm -rf "$objdir" "$lib"
	mkdir -p "$objdir" "$WORKDIR/include" || exit 2
	# configure's build-config.h, which this build does without: what
	# the sources use of it.
	version=$(sed -n 's/^AC_INIT(\[pgpin\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
	cat >"$WORKDIR/include/build-config.h" <<EOF
#define PACKAGE "pgpin"
#define PACKAGE_NAME "pgpin"
#define PACKAGE_VERSION "${version:-0}"
#define VERSION "${version:-0}"
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
EOF
	echo "== building $lib"
	export CC SAN WARN PKG_CFLAGS top objdir WORKDIR
	# shellcheck disable=SC2016
	if ! (cd "$top" && for f in src/*.c src/sqlite/*.c; do
		[ "$f" = src/main.c ] || echo "$f"
	done | xargs -P "$JOBS" -I{} sh -c \
			'o=$objdir/$(echo {} | tr / _ | sed "s/\.c$/.o/");
			 $CC $SAN -fsanitize=fuzzer-no-link -pthread $WARN \
				-DPGPIN_SYSCONFDIR="\"/etc\"" -I"$WORKDIR/include" \
				-I"$top/src" $PKG_CFLAGS \
				-c "$top/{}" -o "$o" || { echo "failed: {}" >&2; exit 255; }'); then
		echo "$0: library build failed" >&2
		exit 2
	fi
	ar rcs "$lib" "$objdir"/*.o || exit 2
}

build_target() {
	case $target in
	fuzz_proto)
		# shellcheck disable=SC2086
		$CC $SAN -fsanitize=fuzzer -DPGPIN_LIBFUZZER -I"$top/src" $WARN \
			-o "$bin" "$here/fuzz_proto.c" "$top/src/proto.c" "$top/src/params.c"
		;;
	*)
		build_lib
		# shellcheck disable=SC2086
		$CC $SAN -fsanitize=fuzzer -pthread -DPGPIN_LIBFUZZER -I"$top/src" $PKG_CFLAGS \
			$WARN -o "$bin" "$here/$target.c" "$lib" $PKG_LIBS
		;;
	esac
}

echo "== building $bin"
if ! build_target; then
	echo "$0: build failed (is libFuzzer installed? apt-get install -y libclang-rt-14-dev)" >&2
	exit 2
fi

# A dictionary of tokens helps the fuzzer find the magic numbers.
dict=$WORKDIR/$target.dict
case $target in
fuzz_proto)
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
	;;
fuzz_batch)
	cat >"$dict" <<'EOF'
parse="P"
bind="B"
describe="D"
execute="E"
sync="S\x00\x00\x00\x04"
close="C"
flush="H\x00\x00\x00\x04"
name_a="a\x00"
name_bb="bb\x00"
len4="\x00\x00\x00\x04"
set="SET search_path TO x\x00"
listen="LISTEN x\x00"
dealloc="DEALLOCATE a\x00"
select="SELECT 1\x00"
EOF
	;;
*)
	# SQL and COPY tokens, for both SQL targets.
	cat >"$dict" <<'EOF'
"SELECT "
" FROM "
" WHERE "
"INSERT INTO "
" VALUES ("
"UPDATE "
" SET "
"DELETE FROM "
" RETURNING "
"CREATE TABLE "
"CREATE INDEX "
"DROP TABLE "
"ALTER TABLE "
"BEGIN"
"COMMIT"
"ROLLBACK"
"SAVEPOINT "
"SHOW "
"RESET "
"DISCARD ALL"
"DEALLOCATE "
"COPY "
" FROM STDIN"
" TO STDOUT"
" WITH (FORMAT csv, HEADER true)"
"DELIMITER"
"QUOTE"
"ESCAPE"
"NULL"
" ON CONFLICT "
" DO UPDATE SET "
"EXCLUDED."
"WITH RECURSIVE "
" UNION ALL "
" ORDER BY "
" GROUP BY "
" LIMIT "
" OFFSET "
"::int"
"::int8"
"::text"
"::bytea"
"::bool"
"::numeric"
"::timestamptz"
"::oid[]"
"::regclass"
"$1"
"$2"
"$65536"
"$$"
"$t$"
"E'"
"U&'"
"U&\""
"B'"
"X'"
"'"
"\""
"/*"
"*/"
"--"
";"
"\\."
"\\N"
"\\x"
"\x0a"
"\x0d\x0a"
"\x09"
"kine"
"name"
"value"
"id"
"pg_catalog."
"pg_class"
"pg_type"
"pg_namespace"
"pg_attribute"
"information_schema.tables"
"current_setting("
"set_config("
"pg_sleep("
"now()"
"version()"
"count(*)"
"max("
"coalesce("
"generate_series("
"ANY("
"ARRAY["
" LIKE "
" ILIKE "
" ~ "
" IS NOT DISTINCT FROM "
"true"
"infinity"
"NaN"
"2024-02-29 23:59:59.999999+00"
"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
"{\"a\":1}"
"{1,2,NULL}"
EOF
	if [ "$target" = fuzz_session ]; then
		# Message types with a small length word.
		cat >>"$dict" <<'EOF'
Q4="Q\x00\x00\x00"
S4="S\x00\x00\x00\x04"
H4="H\x00\x00\x00\x04"
c4="c\x00\x00\x00\x04"
d0="d\x00\x00\x00"
P0="P\x00\x00\x00"
B0="B\x00\x00\x00"
E0="E\x00\x00\x00\x09\x00\x00\x00\x00\x00"
DP="D\x00\x00\x00\x06P\x00"
DS="D\x00\x00\x00\x06S\x00"
CS="C\x00\x00\x00\x06S\x00"
CP="C\x00\x00\x00\x06P\x00"
f0="f\x00\x00\x00"
fmt1="\x00\x01\x00\x01"
null="\xff\xff\xff\xff"
EOF
	fi
	;;
esac

echo "== fuzzing $target for ${seconds}s (work dir $WORKDIR)"
# Run inside the work directory: whatever a statement might write lands there.
cd "$WORKDIR" || exit 2
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$bin" \
	-max_total_time="$seconds" \
	-max_len="$MAX_LEN" \
	-timeout=10 \
	-rss_limit_mb=2048 \
	-dict="$dict" \
	-artifact_prefix="$prefix" \
	-print_final_stats=1 \
	"$@" \
	"$corpus" "$seeds"
rc=$?

if [ $rc -ne 0 ]; then
	echo "== FAILED (exit $rc); crashing inputs:" >&2
	ls -l "$WORKDIR/artifacts/" >&2
	echo "reproduce with: $bin $WORKDIR/artifacts/<file>" >&2
	exit $rc
fi
echo "== no crash in ${seconds}s"
exit 0
