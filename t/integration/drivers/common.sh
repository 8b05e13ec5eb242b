# drivers/common.sh - helpers shared by test_drivers.sh and test_kine.sh;
# sourced after lib.sh and it_begin.
#
# The driver programs print "ok DESC", "not ok DESC" and "# NOTE" lines;
# drv_relay turns them into the script's numbered TAP lines.  Compiled Go
# programs and the npm-installed node-postgres are cached between runs in
# $DRV_CACHE (PGPIN_TEST_CACHE, default $TMPDIR/pgpin-test-cache-UID).

DRV_SRC="$top_srcdir/t/integration"
DRV_CACHE=${PGPIN_TEST_CACHE:-${TMPDIR:-/tmp}/pgpin-test-cache-$(id -u)}
DRV_PY=${PGPIN_TEST_PYTHON:-/usr/bin/python3} # Debian's, with python3-psycopg and python3-asyncpg
DRV_GOPATH=/usr/share/gocode
DRV_SKIP_WHY=""

drv_cache_dir() {
	mkdir -p "$DRV_CACHE" && chmod 700 "$DRV_CACHE"
}

# drv_go_build SRCDIR NAME: build the Go program in SRCDIR (Debian's Go and
# golang-github-jackc-pgx-v4-dev, GOPATH mode) unless a binary of the same
# sources is cached; sets DRV_BIN to the binary's path.  Returns 2 (and sets
# DRV_SKIP_WHY) when Go or pgx v4 is not installed, 1 when the build fails.
drv_go_build() {
	local src=$1 name=$2 hash bin log
	DRV_BIN=""
	if ! command -v go >/dev/null 2>&1; then
		DRV_SKIP_WHY="go not installed (Debian: golang-go)"
		return 2
	fi
	if [ ! -d "$DRV_GOPATH/src/github.com/jackc/pgx/v4" ]; then
		DRV_SKIP_WHY="pgx v4 not installed (Debian: golang-github-jackc-pgx-v4-dev)"
		return 2
	fi
	drv_cache_dir || return 1
	hash=$( (cat "$src"/*.go; go version) | sha256sum | cut -c1-16)
	bin="$DRV_CACHE/go/$name-$hash"
	if [ ! -x "$bin" ]; then
		mkdir -p "$DRV_CACHE/go"
		log="$DRV_CACHE/go/$name.build.log"
		if ! (cd "$src" && env GOPATH="$DRV_GOPATH" GO111MODULE=off GOFLAGS= \
			GOCACHE="$DRV_CACHE/go-build" timeout 240 go build -o "$bin.tmp$$" .) >"$log" 2>&1; then
			sed 's/^/# go build: /' "$log" >&2
			rm -f "$bin.tmp$$"
			return 1
		fi
		mv -f "$bin.tmp$$" "$bin"
	fi
	DRV_BIN=$bin
}

# drv_node_modules: install node-postgres (npm "pg", 8.x) into the cache
# unless it is there; sets DRV_NODE_MODULES to its node_modules directory.  Returns 2 (and
# sets DRV_SKIP_WHY) when node or npm is missing or npm cannot install it.
drv_node_modules() {
	local dir="$DRV_CACHE/node" tmp
	DRV_NODE_MODULES=""
	if ! command -v node >/dev/null 2>&1; then
		DRV_SKIP_WHY="node not installed (Debian: nodejs)"
		return 2
	fi
	if [ -f "$dir/node_modules/pg/package.json" ]; then
		DRV_NODE_MODULES="$dir/node_modules"
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		DRV_SKIP_WHY="npm not installed (Debian: npm)"
		return 2
	fi
	drv_cache_dir || return 1
	tmp=$(mktemp -d "$DRV_CACHE/node.XXXXXX") || return 1
	if ! (cd "$tmp" && timeout 180 npm install --no-audit --no-fund --no-progress --loglevel=error \
		pg@8) >"$tmp/npm.log" 2>&1; then
		sed 's/^/# npm: /' "$tmp/npm.log" | tail -n 20 >&2
		rm -rf "$tmp"
		DRV_SKIP_WHY="npm install pg@8 failed (no access to the npm registry?)"
		return 2
	fi
	rm -rf "$dir"
	mv "$tmp" "$dir"
	DRV_NODE_MODULES="$dir/node_modules"
}

# drv_relay PREFIX FILE STATUS: the program's lines as TAP, prefixed; its
# other output as notes; fails if it reported nothing or exited non-zero.
drv_relay() {
	local prefix=$1 file=$2 status=$3 line desc n=0
	while IFS= read -r line; do
		desc=${line#ok }
		desc=${desc#not ok }
		desc=${desc//#/\\#} # a "#" would start a TAP directive
		case $line in
		"ok "*) it_pass "$prefix: $desc"; n=$((n + 1)) ;;
		"not ok "*) it_fail "$prefix: $desc"; n=$((n + 1)) ;;
		"#"*) echo "$line" ;;
		*) echo "# $prefix: $line" ;;
		esac
	done <"$file"
	it_ok "$prefix: reported results ($n)" test "$n" -gt 0
	it_is "$prefix: exit status" "$status" 0
}

# drv_sampler_start DB: sample every 0.1 s how many client backends
# PostgreSQL has on DB (pgpin's server connections) until drv_sampler_stop,
# which sets DRV_SAMPLE_MAX to the largest number seen.
drv_sampler_start() {
	local db=$1
	DRV_SAMPLE_FILE=$(mktemp "$IT_WORK/sample.XXXXXX")
	rm -f "$DRV_SAMPLE_FILE.stop"
	(
		max=0
		while [ ! -e "$DRV_SAMPLE_FILE.stop" ]; do
			n=$(it_direct -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
				AND backend_type = 'client backend'" 2>/dev/null)
			[ -n "$n" ] && [ "$n" -gt "$max" ] && max=$n
			echo "$max" >"$DRV_SAMPLE_FILE"
			sleep 0.1
		done
	) &
	DRV_SAMPLER=$!
}

drv_sampler_stop() {
	touch "$DRV_SAMPLE_FILE.stop"
	wait "$DRV_SAMPLER" 2>/dev/null
	DRV_SAMPLE_MAX=$(cat "$DRV_SAMPLE_FILE" 2>/dev/null)
}

# drv_server_conns_ok PREFIX MAX [WHOSE]: a TAP line for the sampled maximum.
drv_server_conns_ok() {
	local prefix=$1 limit=$2 whose=${3:-pgpin} max
	drv_sampler_stop
	max=$DRV_SAMPLE_MAX
	it_ok "$prefix: PostgreSQL saw at most $limit server connections from $whose (max ${max:-none})" \
		test "${max:-0}" -ge 1 -a "${max:-99}" -le "$limit"
}

# drv_log_clean PREFIX LOG: pgpin logged no warning or error and closed no
# connection for any reason but a client's Terminate or its own shutdown.
drv_log_clean() {
	local prefix=$1 log=$2 bad
	bad=$(grep -E '\] (warning|error): |: closed \(' "$log" 2>/dev/null |
		grep -v -E ': closed \((shutdown|client terminated)\)$')
	it_is "$prefix: pgpin logged no warning, error or unexpected close" "$bad" ""
}
