#!/bin/bash
# quickstart.sh - build pgpin and run it.
#
# On a fresh Debian 12 machine, as root: installs the build and runtime
# dependencies and builds pgpin, then
#
#   contrib/quickstart.sh             runs `pgpin` with no arguments: the
#                                     embedded SQLite backend, serving
#                                     ./pgpin-data/ on 127.0.0.1:6432
#   contrib/quickstart.sh --postgres  runs pgpin in front of a throwaway
#                                     PostgreSQL 15 instead (temporary
#                                     directory, SCRAM, 127.0.0.1 only)
#
# Other arguments go to pgpin.  Ctrl-C stops everything.
#
#   psql -h 127.0.0.1 -p 6432 -U postgres          (SQLite)
#   psql "host=127.0.0.1 port=6432 user=app dbname=app"   (--postgres)
set -euo pipefail

mode=sqlite
if [ "${1:-}" = --postgres ]; then
	mode=postgres
	shift
fi

top=$(cd "$(dirname "$0")/.." && pwd)
port=${PGPIN_PORT:-6432}
pgport=${PG_PORT:-54329}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	pkgs="build-essential autoconf automake libtool pkg-config libevent-dev libssl-dev
	      libpq-dev libsqlite3-dev libpcre2-dev postgresql-client-15"
	[ $mode = postgres ] && pkgs="$pkgs postgresql-15"
	# shellcheck disable=SC2086
	if ! dpkg -s $pkgs >/dev/null 2>&1; then
		apt-get update -qq
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
	fi
fi

build="$top/build"
if [ ! -x "$build/pgpin" ]; then
	(cd "$top" && autoreconf -fi >/dev/null 2>&1)
	mkdir -p "$build"
	(cd "$build" && "$top/configure" -q && make -j"$(nproc)" pgpin >/dev/null)
fi

if [ $mode = sqlite ]; then
	echo "pgpin serves SQLite databases from $(pwd)/pgpin-data/ on 127.0.0.1:6432."
	echo "Try:  psql -h 127.0.0.1 -p 6432 -U postgres"
	exec "$build/pgpin" "$@"
fi

pgbin=/usr/lib/postgresql/15/bin
tmp=$(mktemp -d /tmp/pgpin-quickstart.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$tmp"
cleanup() {
	as_pg "$pgbin/pg_ctl" -D "$tmp/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "app-secret" > "$tmp/pw"
[ "$(id -u)" = 0 ] && chown postgres "$tmp/pw"
as_pg "$pgbin/initdb" -D "$tmp/data" -U postgres -A scram-sha-256 --pwfile="$tmp/pw" >/dev/null
as_pg "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w \
	-o "-c listen_addresses=127.0.0.1 -c port=$pgport -c unix_socket_directories=$tmp" start >/dev/null
PGPASSWORD=app-secret "$pgbin/psql" -q -h 127.0.0.1 -p "$pgport" -U postgres -d postgres \
	-c "CREATE ROLE app LOGIN PASSWORD 'app-secret'" -c "CREATE DATABASE app OWNER app"

echo "PostgreSQL 15 is on 127.0.0.1:$pgport; pgpin listens on 127.0.0.1:$port."
echo "Try:  psql \"host=127.0.0.1 port=$port user=app dbname=app\""
export PGPIN_DATASTORE_ENDPOINT="postgres://app:app-secret@127.0.0.1:$pgport/app"
"$build/pgpin" --listen "127.0.0.1:$port" "$@"
