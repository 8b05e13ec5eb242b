#!/bin/bash
# test_contrib.sh - contrib/container/ and contrib/k3s/ checked as far as a
# machine without a container engine, a systemd manager or Kubernetes can:
#
#  Containerfile   parsed as a Dockerfile (known instructions, exec forms,
#                  stages, USER, STOPSIGNAL, EXPOSE), its Debian 12 packages
#                  exist, the build stage has every -dev package configure.ac
#                  requires and the runtime stage every library the binary
#                  links, and the ignore file lets the sources in and build
#                  products out;
#  the image run   the binary started the way the image starts it: as the
#                  image's USER, in a fresh WORKDIR, with exactly the ENV the
#                  Containerfile declares, in a network namespace of its own
#                  (a pod's); it listens, the HEALTHCHECK and the manifest's
#                  probes pass, psql gets `select 1` from the SQLite default,
#                  the k3s endpoint of the manifest works after CREATE
#                  DATABASE, then the STOPSIGNAL stops it;
#  the sidecar     the manifest's pgpin environment (endpoint from the Secret
#                  replaced by the test's PostgreSQL) serves on a read-only
#                  root file system;
#  k3s-sidecar.yaml  parsed as YAML: the pgpin sidecar, the endpoint only from
#                  a secretKeyRef, no secret literal, TLS files from a
#                  projected Secret at 0400, K3S_DATASTORE_ENDPOINT to
#                  127.0.0.1:6432, runAsNonRoot, readOnlyRootFilesystem;
#  systemd units   `systemd-analyze verify` of pgpin.service, the TLS drop-in
#                  and the k3s drop-in, the hardening score, then pgpin started
#                  with the unit's ExecStart and pgpin.env.example's variables
#                  (endpoint and port replaced), k3s's endpoint from the
#                  drop-in served, SIGHUP (ExecReload) and KillSignal.
#
# The parsing is in contrib_check.py.  Run through t/integration/run.sh.
# PGPIN_TEST_CONTAINER_BUILD=1 also runs the build stage's commands on a copy
# of the build context (a few minutes) and tests the binary it installs.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_contrib
chmod 755 "$IT_WORK" # the image's user must reach its files below

src=$top_srcdir
ctr=$src/contrib/container
k3s=$src/contrib/k3s
py=/usr/bin/python3
check_py=$src/t/integration/contrib_check.py
S=$'\x1f'

it_skip() {
	IT_NTEST=$((IT_NTEST + 1))
	echo "ok $IT_NTEST - $1 # SKIP $2"
}

# run_check SUBCOMMAND ARGS...: contrib_check.py's records into TAP lines,
# V[name] (set) and L[name], the values added (add), one a line.
declare -A V
declare -A L
run_check() {
	local outf=$IT_WORK/check.out kind a b
	if ! "$py" "$check_py" "$@" >"$outf" 2>"$IT_WORK/check.err"; then
		it_fail "contrib_check.py $1 ran"
		sed 's/^/#   /' "$IT_WORK/check.err"
	fi
	while IFS=$S read -r kind a b _; do
		case $kind in
		pass) it_pass "$a" ;;
		fail) it_fail "$a"; [ -n "$b" ] && it_note "$b" ;;
		skip) it_skip "$1" "$a" ;;
		set) V[$a]=$b ;;
		add) L[$a]+="$b"$'\n' ;;
		note) it_note "$a" ;;
		esac
	done <"$outf"
}

# lines NAME: the values added under NAME, one a line
lines() { printf '%s' "${L[$1]:-}"; }

# stop_with SIG PID SECONDS: send SIG to PID (our child) and wait for it;
# STOP_RC is its exit status, or "still running" (then it is killed).
stop_with() {
	local sig=$1 pid=$2 secs=$3 i
	kill -s "$sig" "$pid" 2>/dev/null
	if it_reap "$pid" "$secs"; then
		wait "$pid"
		STOP_RC=$?
	else
		STOP_RC="still running"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	for i in "${!IT_PIDS[@]}"; do
		[ "${IT_PIDS[i]}" = "$pid" ] && IT_PIDS[i]=""
	done
}

if [ ! -x "$py" ]; then
	echo "1..0 # SKIP $py not installed"
	exit 77
fi

"$PGPIN" --help 2>&1 | grep -o '\[PGPIN_[A-Z_]*' | tr -d '[' | sort -u >"$IT_WORK/settings"
it_ok "pgpin --help lists the PGPIN_ variables" test -s "$IT_WORK/settings"

# ------------------------------------------------------------ Containerfile

run_check containerfile "$ctr/Containerfile" "$ctr/Containerfile.dockerignore" "$src"
uid=${V[uid]:-}
gid=${V[gid]:-}
[ -n "$uid" ] || it_note "no numeric USER: the image-run checks use nobody"

# Debian 12's packages, as the two stages name them.
debian12=no
if [ -r /etc/os-release ] && (. /etc/os-release && [ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ]); then
	debian12=yes
fi
if [ $debian12 = yes ] && apt-cache show libc6 >/dev/null 2>&1; then
	# apt-cache and dpkg are slow to start: one call each for all packages.
	mapfile -t build_pkgs < <(lines build_pkg)
	mapfile -t runtime_pkgs < <(lines runtime_pkg)
	known=$(apt-cache show --no-all-versions "${build_pkgs[@]}" "${runtime_pkgs[@]}" 2>/dev/null |
		sed -n 's/^Package: //p' | sort -u)
	missing=()
	for p in "${build_pkgs[@]}" "${runtime_pkgs[@]}"; do
		grep -qx "$p" <<<"$known" || missing+=("$p")
	done
	it_is "every package the Containerfile installs exists in Debian 12" "${missing[*]}" ""

	# The build stage: the package owning each .pc file configure.ac requires
	# (PKG_CHECK_MODULES without a fallback) is installed there.
	mapfile -t mods < <(sed -n 's/^PKG_CHECK_MODULES(\[[A-Z_0-9]*\], *\[\([^]]*\)\])$/\1/p' \
		"$src/configure.ac" | tr ' ' '\n' | grep -E '^[a-z]')
	it_ok "configure.ac requires pkg-config modules (found: ${mods[*]})" test ${#mods[@]} -gt 0
	pcs=()
	for mod in "${mods[@]}"; do
		pcs+=("$(pkg-config --variable=pcfiledir "$mod" 2>/dev/null)/$mod.pc")
	done
	owners=$(dpkg -S "${pcs[@]}" 2>/dev/null)
	missing=()
	for pc in "${pcs[@]}"; do
		owner=$(grep -F ": $pc" <<<"$owners" | head -n1 | cut -d: -f1)
		if [ -z "$owner" ]; then
			missing+=("$(basename "$pc")(no package)")
		elif ! lines build_pkg | grep -qx "$owner"; then
			missing+=("$(basename "$pc")($owner)")
		fi
	done
	it_is "the build stage installs the -dev package of every module configure.ac requires" \
		"${missing[*]}" ""

	# The runtime stage: every library the binary loads comes from a runtime
	# package or one of their dependencies (or debian:12-slim's required set).
	closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "${runtime_pkgs[@]}" 2>/dev/null |
		grep -v '^ ' | tr -d '<>' | sort -u)
	# The libraries the binary names (NEEDED), not ldd's whole tree: their
	# own dependencies are their packages' business.
	needed=$(readelf -d "$PGPIN" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	libmap=$(ldd "$PGPIN" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
	paths=()
	for lib in $needed; do
		path=$(awk -v n="$lib" '$1 == n { print $2 }' <<<"$libmap")
		[ -n "$path" ] || continue
		real=$(readlink -f "$path")
		paths+=("$path" "$real" "${real#/usr}")
	done
	owners=$(dpkg -S "${paths[@]}" 2>/dev/null)
	missing=()
	leftover=()
	nlibs=0
	for lib in $needed; do
		nlibs=$((nlibs + 1))
		path=$(awk -v n="$lib" '$1 == n { print $2 }' <<<"$libmap")
		real=$(readlink -f "$path")
		owner=$(awk -v a="$path" -v b="$real" -v c="${real#/usr}" '
			{ p = $NF } p == a || p == b || p == c { sub(/:.*/, "", $1); print $1; exit }' <<<"$owners")
		case $owner in
		lib*san[0-9]*) continue ;; # a sanitizer build's runtime, not a release's
		"") missing+=("$lib(no package)"); continue ;;
		esac
		grep -qx "$owner" <<<"$closure" || leftover+=("$owner")
	done
	if [ ${#leftover[@]} -gt 0 ]; then
		required=$(apt-cache show --no-all-versions "${leftover[@]}" 2>/dev/null |
			awk '/^Package:/ { p = $2 } /^Priority: required/ { print p }')
		for owner in "${leftover[@]}"; do
			grep -qx "$owner" <<<"$required" || missing+=("$owner")
		done
	fi
	it_ok "the binary names its libraries ($nlibs, readelf -d)" test "$nlibs" -gt 3
	it_is "the runtime stage provides every library the binary loads" "${missing[*]}" ""
else
	it_skip "the Containerfile's packages" "not Debian 12 with apt lists (run apt-get update)"
fi

# The build context: the sources in, a build's products out.
if [ -d "$src/.git" ] && command -v git >/dev/null 2>&1; then
	mapfile -t needed < <(git -C "$src" ls-files -- configure.ac Makefile.am README.md m4/.keep \
		src doc conf)
else
	mapfile -t needed < <(cd "$src" && find configure.ac Makefile.am README.md m4/.keep src doc \
		conf -type f ! -name '*.o' ! -name '*.a' ! -path '*/.deps/*' ! -name '.dirstamp')
fi
L[excluded]=""
run_check ignore "$ctr/Containerfile.dockerignore" "${needed[@]}"
it_is "the build context keeps every source file" "$(lines excluded | tr '\n' ' ')" ""
products=(pgpin libpgpin.a src/main.o src/sqlite/link.o src/.deps/main.Po src/sqlite/.dirstamp
	config.status config.log Makefile build-config.h stamp-h1 autom4te.cache/output.0
	build-aux/compile build-asan/pgpin t/unit/test_pin t/integration/test_proxy
	t/integration/test_proxy.log pgpin-data/postgres.db .git/HEAD .ci/run)
L[excluded]=""
run_check ignore "$ctr/Containerfile.dockerignore" "${products[@]}"
it_is "the build context leaves out a build's products" "$(lines excluded | tr '\n' ' ')" \
	"${products[*]} "

# ------------------------------------------------------------ the manifest

run_check manifest "$k3s/k3s-sidecar.yaml" "$IT_WORK/settings" "${uid:-none}"

# ------------------------------------------------------------ the image, run

# The image's file system, as far as pgpin sees it: the binary and the probe
# where the Containerfile puts them, the WORKDIR owned by the USER.
root=$IT_WORK/image
bindir=${V[bindir]:-/usr/local/bin}
mkdir -p "$root$bindir"
bin=$PGPIN
if [ "${PGPIN_TEST_CONTAINER_BUILD:-0}" = 1 ] && [ -n "${V[destdir]:-}" ]; then
	# The build stage's commands on a copy of the build context.
	ctx=$IT_WORK/context
	mkdir -p "$ctx"
	mapfile -t all < <(cd "$src" && find . -path ./.git -prune -o -type f -print | sed 's|^\./||')
	L[excluded]=""
	run_check ignore "$ctr/Containerfile.dockerignore" "${all[@]}"
	(cd "$src" && printf '%s\n' "${all[@]}" | grep -vxF -f <(lines excluded) | tar -cf - -T -) |
		tar -xf - -C "$ctx"
	dest=$IT_WORK/dest
	if (cd "$ctx" && autoreconf -fi && ./configure -q --prefix=/usr/local && make -j2 &&
	    make install-strip DESTDIR="$dest") >"$IT_WORK/build.log" 2>&1; then
		it_pass "the build stage's commands build and install pgpin from the build context"
		bin=$dest$bindir/pgpin
	else
		it_fail "the build stage's commands build and install pgpin from the build context"
		tail -n 30 "$IT_WORK/build.log" | sed 's/^/#   /'
	fi
fi
install -m 0755 "$bin" "$root$bindir/pgpin"
while IFS=$'\t' read -r from to; do
	[ -n "$from" ] || continue
	case $to in */) to=$to$(basename "$from") ;; esac
	mkdir -p "$root$(dirname "$to")"
	install -m 0755 "$src/$from" "$root$to"
done <<<"$(lines copy)"
workdir=$root${V[workdir]:-/var/lib/pgpin}
mkdir -p "$workdir"
chmod 0755 "$root" "$root/var" "$root/var/lib" 2>/dev/null

# Who runs it: the image's USER when we are root; ourselves otherwise.
as=()
run_uid=$(id -u)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	run_uid=${uid:-65534}
	as=(setpriv --reuid="$run_uid" --regid="${gid:-65534}" --clear-groups)
	chown "$run_uid:${gid:-65534}" "$workdir"
else
	it_note "not root: pgpin runs as $(id -un), not as the image's USER"
fi
chmod 0700 "$workdir"

# Where: a network namespace of its own, like a pod's, so that the image's
# port is free whatever runs on this machine.
ns=()
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && command -v nsenter >/dev/null 2>&1 &&
   command -v ip >/dev/null 2>&1; then
	unshare -n sleep 600 </dev/null >/dev/null 2>&1 &
	holder=$!
	IT_PIDS+=("$holder")
	for _ in $(seq 1 100); do
		[ "$(readlink "/proc/$holder/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.02
	done
	if [ "$(readlink "/proc/$holder/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] &&
	   nsenter -t "$holder" -n ip link set lo up 2>/dev/null; then
		ns=(nsenter -t "$holder" -n)
	else
		it_note "no network namespace: pgpin runs in the host's"
	fi
fi

# The environment of the image: the base image's PATH, HOME of the USER (its
# WORKDIR), then exactly the Containerfile's ENV.
cenv=(PATH="$root$bindir:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$workdir")
while IFS= read -r kv; do
	[ -n "$kv" ] && cenv+=("$kv")
done <<<"$(lines env)"
listen=127.0.0.1:6432
for kv in "${cenv[@]}"; do
	case $kv in PGPIN_LISTEN=*) listen=${kv#PGPIN_LISTEN=} ;; esac
done
port=${listen##*:}
if [ ${#ns[@]} -eq 0 ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	port=$(it_free_port)
	it_note "port ${listen##*:} is taken on this host: PGPIN_LISTEN=127.0.0.1:$port instead"
	cenv+=(PGPIN_LISTEN="127.0.0.1:$port")
fi
it_note "image environment: ${cenv[*]}"

entry=${V[entrypoint]:-/usr/local/bin/pgpin}
log=$IT_WORK/image.log
IT_LOGS+=("$log")
(cd "$workdir" && exec ${ns[@]+"${ns[@]}"} ${as[@]+"${as[@]}"} env -i "${cenv[@]}" "$root$entry") \
	>"$log" 2>&1 </dev/null &
pid=$!
IT_PIDS+=("$pid")

# in_ns CMD...: run CMD where pgpin's network is
in_ns() { ${ns[@]+"${ns[@]}"} "$@"; }
psql_ns() {
	local conninfo=$1
	shift
	in_ns env PGCONNECT_TIMEOUT=5 timeout 20 "$IT_PSQL" -X -q -At -d "$conninfo" "$@"
}

up=no
for _ in $(seq 1 200); do
	if in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
		up=yes
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
it_is "the image's ENTRYPOINT with the image's ENV listens on 127.0.0.1:$port" "$up" yes
if [ $up = yes ]; then
	it_is "it runs as the image's USER ($run_uid)" \
		"$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" "$run_uid"
	out=$(psql_ns "host=127.0.0.1 port=$port user=postgres dbname=postgres" -c 'select 1' 2>&1)
	it_is "psql: select 1 on the SQLite default" "$out" "1"
	it_ok "the SQLite default is in the WORKDIR" test -f "$workdir/pgpin-data/postgres.db"
	it_is "and belongs to the USER" "$(stat -c %u "$workdir/pgpin-data/postgres.db" 2>/dev/null)" \
		"$run_uid"

	hc=${V[healthcheck]:-}
	if [ -n "$hc" ]; then
		in_ns ${as[@]+"${as[@]}"} env -i "${cenv[@]}" "$root$hc" >"$IT_WORK/hc.out" 2>&1
		it_is "the HEALTHCHECK passes (as the USER, with the image's ENV)" "$?" 0
		sed 's/^/#   /' "$IT_WORK/hc.out"
	fi
	while IFS=$'\t' read -r kind cmd0 args; do
		[ -n "$kind" ] || continue
		# shellcheck disable=SC2086 # the probe's arguments, tab-separated
		in_ns ${as[@]+"${as[@]}"} env -i "${cenv[@]}" "$root$cmd0" $args >"$IT_WORK/probe.out" 2>&1
		rc=$?
		if [ ${#ns[@]} -eq 0 ] && [ "$port" != 6432 ]; then
			it_skip "the manifest's $kind command passes" "pgpin is not on 6432 here"
		else
			it_is "the manifest's $kind command passes" "$rc" 0
		fi
		sed 's/^/#   /' "$IT_WORK/probe.out"
	done <<<"$(lines probe)"

	# k3s's side: kine creates its database, then connects with the
	# manifest's endpoint (the port is the one pgpin has here).
	kep=${V[k3s_endpoint]:-}
	if [ -n "$kep" ]; then
		out=$(psql_ns "host=127.0.0.1 port=$port user=postgres dbname=postgres" \
			-c 'CREATE DATABASE kubernetes' 2>&1)
		it_is "CREATE DATABASE kubernetes (what kine does first)" "$out" ""
		out=$(psql_ns "${kep/:6432\//:$port/}" -c 'select current_database()' 2>&1)
		it_is "the manifest's K3S_DATASTORE_ENDPOINT is served" "$out" "kubernetes"
	fi

	sig=${V[stopsignal]:-TERM}
	stop_with "$sig" "$pid" 10
	it_is "SIG$sig (the STOPSIGNAL) stops it within 10 s, exit status 0" "$STOP_RC" 0
	it_like "it says it exits" "$(cat "$log")" 'exiting'
	if [ -n "$hc" ]; then
		in_ns env -i "${cenv[@]}" "$root$hc" >"$IT_WORK/hc.out" 2>&1
		it_is "the HEALTHCHECK fails once pgpin is gone" "$?" 1
		it_like "and says why" "$(cat "$IT_WORK/hc.out")" 'cannot connect'
	fi
else
	sed 's/^/#   /' "$log"
fi

# A container that listens on every address without authentication is
# refused, as the Containerfile's comment says.
out=$(cd "$workdir" && in_ns ${as[@]+"${as[@]}"} env -i "${cenv[@]}" PGPIN_LISTEN=0.0.0.0:6432 \
	timeout 10 "$root$entry" 2>&1 </dev/null)
rc=$?
it_ok "PGPIN_LISTEN=0.0.0.0:6432 without auth is refused (exit status $rc)" test $rc -ne 0 -a $rc -ne 124
it_like "the refusal names trust" "$out" '[Tt]rust'

# ------------------------------------------------------------ the sidecar, read-only

# The manifest's pgpin environment on a read-only root file system, its
# Secret's endpoint replaced by the test's PostgreSQL.  The TLS variables are
# left out: the test's PostgreSQL has no TLS.
senv=(PATH="$root$bindir:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$workdir")
while IFS= read -r kv; do
	[ -n "$kv" ] || continue
	case " $(lines tlsvars) " in *" ${kv%%=*} "*) continue ;; esac
	senv+=("$kv")
done <<<"$(lines env)
$(lines pgpin_env)"
sport=$(it_free_port)
senv+=(PGPIN_DATASTORE_ENDPOINT="$IT_ENDPOINT" PGPIN_LISTEN="127.0.0.1:$sport")
mnt=()
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && command -v nsenter >/dev/null 2>&1; then
	unshare -m sleep 600 </dev/null >/dev/null 2>&1 &
	mholder=$!
	IT_PIDS+=("$mholder")
	for _ in $(seq 1 100); do
		[ "$(readlink "/proc/$mholder/ns/mnt" 2>/dev/null)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.02
	done
	# Every mount read-only in that namespace (a private copy), but the
	# kernel's (/proc, /sys, /dev), which a container keeps too.
	# shellcheck disable=SC2016 # expanded by that sh
	nsenter -t "$mholder" -m sh -c '
		awk "{ print \$5 }" /proc/self/mountinfo | while read -r mp; do
			case $mp in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
			mount -o remount,bind,ro "$mp" 2>/dev/null
		done' 2>/dev/null
	if ! nsenter -t "$mholder" -m touch "$workdir/rw-probe" 2>/dev/null &&
	   ! nsenter -t "$mholder" -m touch /tmp/pgpin-rw-probe.$$ 2>/dev/null; then
		mnt=(nsenter -t "$mholder" -m "--wd=$workdir")
	else
		rm -f "$workdir/rw-probe" /tmp/pgpin-rw-probe.$$
	fi
fi
if [ ${#mnt[@]} -gt 0 ]; then
	slog=$IT_WORK/sidecar.log
	IT_LOGS+=("$slog")
	(cd "$workdir" && exec "${mnt[@]}" ${as[@]+"${as[@]}"} env -i "${senv[@]}" "$root$entry") \
		>"$slog" 2>&1 </dev/null &
	spid=$!
	IT_PIDS+=("$spid")
	if it_wait_port "$sport" 10 "$spid"; then
		it_pass "the manifest's pgpin environment starts on a read-only root file system"
		out=$(PGCONNECT_TIMEOUT=5 timeout 20 "$IT_PSQL" -X -q -At \
			-d "postgres://kine@127.0.0.1:$sport/kubernetes?sslmode=disable" \
			-c 'select current_database()' 2>&1)
		it_is "and serves k3s's endpoint from the datastore the Secret names" "$out" "$PGPIN_TEST_DB"
		stop_with "${V[stopsignal]:-TERM}" "$spid" 10
		it_is "and stops on SIG${V[stopsignal]:-TERM}, exit status 0" "$STOP_RC" 0
	else
		it_fail "the manifest's pgpin environment starts on a read-only root file system"
		sed 's/^/#   /' "$slog"
	fi
else
	it_skip "pgpin on a read-only root file system" "no private mount namespace here"
fi

# ------------------------------------------------------------ systemd units

# unit_get KEY: the values of Section.Key in the last unit read, one a line
unit_read() {
	L=()
	run_check unit "$1"
}
unit_get() { lines "$1"; }
unit_last() { unit_get "$1" | tail -n 1; }

# DURATION in seconds, for the unit's and pgpin's "30s", "2min", "500ms"
seconds() {
	case $1 in
	*ms) echo $((${1%ms} / 1000)) ;;
	*min) echo $((${1%min} * 60)) ;;
	*s) echo "${1%s}" ;;
	*[0-9]) echo "$1" ;;
	*) echo "" ;;
	esac
}

unit_read "$k3s/pgpin.service"
exec_start=$(unit_last Service.ExecStart)
it_is "pgpin.service: ExecStart runs pgpin without arguments (no secret on the command line)" \
	"$exec_start" "${V[entrypoint]:-/usr/local/bin/pgpin}"
it_is "pgpin.service: EnvironmentFile=/etc/pgpin/pgpin.env (required, not -optional)" \
	"$(unit_last Service.EnvironmentFile)" /etc/pgpin/pgpin.env
# shellcheck disable=SC2016 # a regular expression
it_like "pgpin.service: ExecReload sends SIGHUP to the main process" \
	"$(unit_last Service.ExecReload)" '^/bin/kill -HUP \$MAINPID$'
it_ok "pgpin.service: runs as a dynamic user or a named non-root user" \
	test "$(unit_last Service.DynamicUser)" = yes -o \
	-n "$(unit_last Service.User)" -a "$(unit_last Service.User)" != root
it_like "pgpin.service: ordered before k3s" "$(unit_get Unit.Before)" 'k3s\.service'
for kv in Type=simple Restart=on-failure NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
	PrivateTmp=yes "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" CapabilityBoundingSet=; do
	it_is "pgpin.service: ${kv%%=*}" "$(unit_last "Service.${kv%%=*}")" "${kv#*=}"
done
unit_env=$(unit_get Service.Environment)
reload=$(unit_last Service.ExecReload)
kill_signal=$(unit_last Service.KillSignal)
kill_signal=${kill_signal:-SIGTERM}
stop_secs=$(seconds "$(unit_last Service.TimeoutStopSec)")
if [ "$kill_signal" = SIGINT ]; then
	st=$(sed -n 's/^PGPIN_SHUTDOWN_TIMEOUT=//p' <<<"$unit_env" | tail -n1)
	st=$(seconds "${st:-0}")
	it_ok "pgpin.service: with KillSignal=SIGINT, PGPIN_SHUTDOWN_TIMEOUT ($st s) ends before TimeoutStopSec ($stop_secs s)" \
		test -n "$st" -a -n "$stop_secs" -a "${st:-0}" -gt 0 -a "${st:-0}" -lt "${stop_secs:-0}"
fi
it_note "pgpin.service: KillSignal=$kill_signal"

unit_read "$k3s/pgpin.service.d/20-tls.conf"
tls_env=$(unit_get Service.Environment)
creds=$(unit_get Service.LoadCredential | cut -d: -f1)
bad=()
for v in PGPIN_DATASTORE_CAFILE PGPIN_DATASTORE_CERTFILE PGPIN_DATASTORE_KEYFILE; do
	f=$(sed -n "s|^$v=%d/||p" <<<"$tls_env")
	grep -qx "$v" "$IT_WORK/settings" || bad+=("$v is not a pgpin setting")
	[ -n "$f" ] && grep -qxF "$f" <<<"$creds" || bad+=("$v is not %d/<a LoadCredential>")
done
it_is "20-tls.conf: each datastore file is a credential in %d" "${bad[*]}" ""

unit_read "$k3s/k3s.service.d/10-pgpin.conf"
it_like "10-pgpin.conf: k3s Requires=pgpin.service" "$(unit_get Unit.Requires)" 'pgpin\.service'
it_like "10-pgpin.conf: k3s After=pgpin.service" "$(unit_get Unit.After)" 'pgpin\.service'
k3s_env=$(unit_get Service.Environment | sed -n 's/^K3S_DATASTORE_ENDPOINT=//p' | tail -n1)
k3s_env=${k3s_env#\"}
k3s_env=${k3s_env%\"}
it_like "10-pgpin.conf: K3S_DATASTORE_ENDPOINT is postgres://USER@127.0.0.1:6432/kubernetes" \
	"$k3s_env" '^postgres(ql)?://[^:@/]+@127\.0\.0\.1:6432/kubernetes(\?.*)?$'

# The environment file: every variable, set or commented out, is a setting.
L=()
run_check envfile "$k3s/pgpin.env.example"
file_env=$(lines env)
bad=()
for v in $( (cut -d= -f1 <<<"$file_env"; sed -n 's/^#\(PGPIN_[A-Z_]*\)=.*/\1/p' "$k3s/pgpin.env.example") | sort -u); do
	[ -n "$v" ] && ! grep -qx "$v" "$IT_WORK/settings" && bad+=("$v")
done
it_is "pgpin.env.example names only pgpin settings" "${bad[*]}" ""
it_like "pgpin.env.example sets the endpoint" "$file_env" '^PGPIN_DATASTORE_ENDPOINT=postgres://'
it_like "pgpin.env.example listens where k3s's drop-in connects" "$file_env" '^PGPIN_LISTEN=127\.0\.0\.1:6432$'

# systemd-analyze on copies whose paths exist here.
if command -v systemd-analyze >/dev/null 2>&1; then
	d=$IT_WORK/units
	mkdir -p "$d/pgpin.service.d" "$d/k3s.service.d"
	sed -e "s|^ExecStart=$exec_start|ExecStart=$root$bindir/pgpin|" \
		-e "s|^EnvironmentFile=/etc/pgpin/pgpin.env|EnvironmentFile=$d/pgpin.env|" \
		"$k3s/pgpin.service" >"$d/pgpin.service"
	cp "$k3s/pgpin.env.example" "$d/pgpin.env"
	cp "$k3s/pgpin.service.d/20-tls.conf" "$d/pgpin.service.d/"
	cp "$k3s/k3s.service.d/10-pgpin.conf" "$d/k3s.service.d/"
	# k3s's own unit, as its installer writes it, reduced to what verify needs.
	printf '[Unit]\nDescription=k3s (stand-in)\n[Service]\nType=notify\nExecStart=%s server\n' \
		"$(command -v true)" >"$d/k3s.service"
	out=$(cd "$d" && systemd-analyze verify --man=no ./pgpin.service ./k3s.service 2>&1)
	rc=$?
	it_is "systemd-analyze verify: pgpin.service, its TLS drop-in, k3s's drop-in (exit status)" "$rc" 0
	it_is "systemd-analyze verify: no complaint about them" "$(grep -F "$d" <<<"$out")" ""
	grep -vF "$d" <<<"$out" | grep . | head -n 5 | sed 's/^/# (about other units) /'
	out=$(cd "$d" && systemd-analyze security --offline=true --no-pager ./pgpin.service 2>&1)
	score=$(sed -n 's/.*Overall exposure level for pgpin.service: \([0-9.]*\).*/\1/p' <<<"$out")
	if [ -n "$score" ]; then
		it_ok "systemd-analyze security: exposure $score (at most 2.0)" \
			awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'
	else
		it_skip "systemd-analyze security" "no --offline mode here"
	fi
else
	it_skip "systemd-analyze verify" "systemd-analyze not installed"
fi

# pgpin as pgpin.service starts it: ExecStart, the unit's Environment= then
# the environment file (which wins), the endpoint replaced by the test's
# PostgreSQL and the port by a free one; a non-root user (DynamicUser) in its
# own 0700 state directory.
uport=$(it_free_port)
uenv=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
while IFS= read -r kv; do
	case $kv in
	"") ;;
	PGPIN_DATASTORE_ENDPOINT=*) uenv+=(PGPIN_DATASTORE_ENDPOINT="$IT_ENDPOINT") ;;
	PGPIN_LISTEN=*) uenv+=(PGPIN_LISTEN="127.0.0.1:$uport") ;;
	*) uenv+=("$kv") ;;
	esac
done <<<"$unit_env
$file_env"
state=$IT_WORK/state
mkdir -p "$state"
uas=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	uas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	chown 65534:65534 "$state"
fi
chmod 0700 "$state"
ulog=$IT_WORK/unit.log
IT_LOGS+=("$ulog")
(cd "$state" && exec ${uas[@]+"${uas[@]}"} env -i "${uenv[@]}" "$root$bindir/pgpin") >"$ulog" 2>&1 </dev/null &
upid=$!
IT_PIDS+=("$upid")
if it_wait_port "$uport" 10 "$upid"; then
	it_pass "pgpin.service's command with pgpin.env.example's settings listens"
	cmdline=$(tr '\0' ' ' <"/proc/$upid/cmdline")
	it_is "its command line is the bare ExecStart" "$cmdline" "$root$bindir/pgpin "
	k3s_uri=${k3s_env/:6432\//:$uport/}
	out=$(PGCONNECT_TIMEOUT=5 timeout 20 "$IT_PSQL" -X -q -At -d "$k3s_uri" -c 'select current_database()' 2>&1)
	it_is "k3s's endpoint from 10-pgpin.conf is served from the datastore" "$out" "$PGPIN_TEST_DB"
	reload=${reload//\$MAINPID/$upid}
	$reload
	ok=no
	for _ in $(seq 1 60); do
		grep -q 'configuration reloaded' "$ulog" && { ok=yes; break; }
		sleep 0.05
	done
	it_is "ExecReload reloads the configuration" "$ok" yes
	out=$(PGCONNECT_TIMEOUT=5 timeout 20 "$IT_PSQL" -X -q -At -d "$k3s_uri" -c 'select 1' 2>&1)
	it_is "and it still serves" "$out" 1
	stop_with "$kill_signal" "$upid" 10
	it_is "KillSignal=$kill_signal stops it, exit status 0" "$STOP_RC" 0
	it_unlike "no log line shows the datastore password" "$(cat "$ulog")" "$PGPIN_TEST_PASSWORD"
else
	it_fail "pgpin.service's command with pgpin.env.example's settings listens"
	sed 's/^/#   /' "$ulog"
fi

it_no_sanitizer_reports
it_done
