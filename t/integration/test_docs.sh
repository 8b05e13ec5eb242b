#!/bin/bash
# test_docs.sh - the documentation says what the binary does.  The settings
# are the ones `pgpin --check` prints with no configuration, with their
# defaults; for each one, `pgpin --help` and pgpin(1) have an entry for its
# flag naming its PGPIN_* variable and its default, pgpin.ini(5) an entry
# for its key naming its flag and variable and its default, conf/pgpin.ini a
# line for it showing its default, and the README's table, where it is
# listed, its default.  Conversely, every flag, key and variable the
# documents name is one pgpin accepts, tried on pgpin itself; conf/pgpin.ini
# and the example of pgpin.ini(5) pass --check.  A failing check prints one
# line per problem: "FILE: SETTING: what is wrong".
#
# Needs no PostgreSQL: make check runs it on its own (run.sh only by name).
# PGPIN_TEST_DOCDIR reads the documents from another tree (a copy with an
# entry broken, to see this test fail); the default is top_srcdir.

set -u
export LC_ALL=C # [a-z] is ASCII, and the man pages are read byte by byte
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/t/integration/lib.sh"

# it_begin wants run.sh's PostgreSQL; this test needs only the binary.
IT_NAME=test_docs
PGPIN=${PGPIN:-${top_builddir:-$top_srcdir}/pgpin}
if [ ! -x "$PGPIN" ]; then
	echo "Bail out! pgpin binary not found: $PGPIN"
	exit 99
fi
IT_WORK=$(mktemp -d "${PGPIN_TEST_TMPDIR:-${TMPDIR:-/tmp}}/$IT_NAME.XXXXXX") || exit 99
trap it_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

docdir=${PGPIN_TEST_DOCDIR:-$top_srcdir}
MAN1=doc/pgpin.1
MAN5=doc/pgpin.ini.5
CONF=conf/pgpin.ini
README=README.md

# ------------------------------------------------------------ running pgpin

# None of the caller's PGPIN_* variables (settings, PGPIN_CONFIG, the
# tests' own) reach pgpin: with no configuration it prints its defaults.
BARE=()
for v in $(compgen -e); do
	case $v in PGPIN*) BARE+=(-u "$v") ;; esac
done

# pgpin_run [PGPIN_NAME=VALUE]... ARG...: pgpin with only those settings
# in its environment, in the scratch directory.
pgpin_run() {
	local envs=()
	while [ $# -gt 0 ] && [[ $1 == PGPIN_*=* ]]; do
		envs+=("$1")
		shift
	done
	(cd "$IT_WORK" && exec env ${BARE[@]+"${BARE[@]}"} ${envs[@]+"${envs[@]}"} \
		timeout 20 "$PGPIN" "$@" </dev/null)
}

flag_of() { printf -- '--%s' "${1//_/-}"; }
env_of() { printf 'PGPIN_%s' "${1^^}"; }

# ------------------------------------------------------------ reading documents

# A man page as text, one paragraph a line: "@TP " starts the paragraph
# of a .TP entry (its tag, then its text up to the next break), "@SH " and
# "@SS " a heading.  Enough troff for pgpin's two pages: the font macros,
# the font escapes and the few special characters they use.
man_text() {
	awk '
	function text(s) {
		gsub(/\\e/, "\001", s)
		gsub(/\\f\(../, "", s)
		gsub(/\\f[A-Z]/, "", s)
		gsub(/\\-/, "-", s)
		gsub(/\\\(aq/, "\047", s)
		gsub(/\\\(dq/, "\"", s)
		gsub(/\\\(em/, "\342\200\224", s)
		gsub(/\\\(->/, "->", s)
		gsub(/\\\(bu/, "*", s)
		gsub(/\\&/, "", s)
		gsub(/\\:/, "", s)
		gsub(/\\ /, " ", s)
		gsub(/\001/, "\\", s)
		return s
	}
	# The arguments of a macro line, as troff splits them.
	function split_args(s, a,    n, i, c, cur, inq, have) {
		n = 0; cur = ""; inq = 0; have = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\\") {
				cur = cur c substr(s, i + 1, 1); i++; have = 1
			} else if (inq) {
				if (c != "\"") cur = cur c
				else if (substr(s, i + 1, 1) == "\"") { cur = cur c; i++ }
				else inq = 0
			} else if (c == "\"") {
				inq = 1; have = 1
			} else if (c == " " || c == "\t") {
				if (have) { a[++n] = cur; cur = ""; have = 0 }
			} else {
				cur = cur c; have = 1
			}
		}
		if (have) a[++n] = cur
		return n
	}
	function add(s) { para = para == "" ? s : para " " s }
	function flush() {
		if (para != "") print (tp ? "@TP " : "") para
		para = ""; tp = 0
	}
	/^\.\\"/ { next }
	/^\.[A-Za-z]+/ {
		m = $1; rest = substr($0, length(m) + 2)
		n = split_args(rest, a)
		if (m == ".B" || m == ".I" || m == ".SM" || m == ".SB") {
			s = ""
			for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") text(a[i])
			if (n > 0) add(s)
			next
		}
		if (m ~ /^\.(BR|RB|BI|IB|IR|RI)$/) {
			s = ""
			for (i = 1; i <= n; i++) s = s text(a[i])
			add(s)
			next
		}
		flush()
		if (m == ".TP") tp = 1
		if (m == ".SH" || m == ".SS") {
			s = ""
			for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") text(a[i])
			print "@" substr(m, 2) " " s
		}
		next
	}
	{ add(text($0)) }
	END { flush() }
	' "$1"
}

# --help in the same form: one "@TP " line per option entry.
help_text() {
	awk '
	/^  -/ { if (e != "") print "@TP " e; e = substr($0, 3); next }
	/^      / && e != "" { sub(/^ +/, ""); e = e " " $0; next }
	{ if (e != "") print "@TP " e; e = "" }
	END { if (e != "") print "@TP " e }
	'
}

# The --flags a document names, one a line.  In a man page a name that
# goes on in another font (\-\-no\- \fIname\fP) is a placeholder, not a
# flag; it ends in "-" here, since the escapes are matched as written.
flags_in() {
	sed -e '/^\.\\"/d' -e 's/\\-/-/g' | grep -o -- '--[a-z0-9][a-z0-9-]*' | grep -v -- '-$' | sort -u
}

# The PGPIN_* variables a document names; "PGPIN_*" and PGPIN_TEST_* (the
# tests' own, see run.sh) are not pgpin's.
vars_in() {
	grep -o 'PGPIN_[A-Z0-9_]*' | grep -v -e '_$' -e '^PGPIN_TEST_' | sort -u
}

# The keys of conf/pgpin.ini's [pgpin] section, "key line" a line, set or
# commented out (";key = value": a ";" followed by a space starts prose).
conf_keys() {
	awk '
	/^\[/ { sec = $0; next }
	sec == "[pgpin]" && /^[;#]?[A-Za-z_]+[ \t]*=/ {
		line = $0; sub(/^[;#]/, "", line)
		key = line; sub(/[ \t]*=.*/, "", key)
		print key " " line
	}
	' "$docdir/$CONF"
}

# The settings table of the README, "key default" a line; a row for
# several settings ("`a` / `b` | x / y") gives one line each.  A row whose
# settings and defaults do not pair up prints "! row".
readme_defaults() {
	awk -F ' *\\| *' '
	/^\| *setting *\| *default *\|/ { t = 1; next }
	t && /^\|-/ { next }
	t && !/^\|/ { exit }
	t {
		keys = $2; defs = $3
		gsub(/`/, "", keys); gsub(/ \/ |, /, "\n", keys)
		gsub(/ \/ |, /, "\n", defs)
		nk = split(keys, k, "\n"); nd = split(defs, d, "\n")
		if (nk != nd) { print "! " $0; next }
		for (i = 1; i <= nk; i++) print k[i] " " d[i]
	}
	' "$docdir/$README"
}

# ------------------------------------------------------------ defaults

# The settings, in --check order, with the default --check prints for each
# (as INI text) and, for the endpoint, what an empty one resolves to.
declare -A DEF RESOLVED
SETTINGS=()
baseline=$(pgpin_run --check 2>&1)
it_is "pgpin --check with no configuration exits 0" "$?" "0"
while IFS= read -r line; do
	case $line in
	'['*) [ "$line" = "[pgpin]" ] && sec=pgpin || sec=other ;;
	'; resolved: '*) [ "${sec:-}" = pgpin ] && RESOLVED[$key]=${line#; resolved: } ;;
	*' = '*)
		[ "${sec:-}" = pgpin ] || continue
		key=${line%% = *}
		SETTINGS+=("$key")
		DEF[$key]=${line#* = }
		;;
	esac
done <<<"$baseline"
it_ok "pgpin --check lists the settings (${#SETTINGS[@]})" test "${#SETTINGS[@]}" -gt 0

# doc_value TEXT: a default as a document writes it, as a value: quotes and
# a trailing "(remark)" go, and prose for no value (none, empty, empty
# query) is the empty value.
doc_value() {
	local t=$1
	t=${t#"${t%%[! ]*}"}
	t=${t%"${t##*[! ]}"}
	[[ $t == *' ('*')' ]] && t=${t% (*}
	case $t in
	\"*\" | \'*\' | \`*\`) t=${t:1:${#t}-2} ;;
	esac
	case $t in
	none | empty | 'empty query') t= ;;
	esac
	printf '%s' "$t"
}

# default_is KEY TEXT: TEXT, a default as a document writes it, is KEY's.
# pgpin decides which spellings are equal (600 and 10min, no and off): TEXT
# goes in as the setting's variable and --check must print the default
# back.  For the endpoint, what an empty one resolves to, or prose that
# ends with where that is ("embedded SQLite in ./pgpin-data/"), stands for
# the empty default.
default_is() {
	local key=$1 t r got
	t=$(doc_value "$2")
	r=${RESOLVED[$key]:-}
	if [ -n "$r" ] && { [ "$t" = "$r" ] || [[ $t == *" ${r#*:}" ]]; }; then
		t=
	fi
	# What --check prints reads back as itself: no need to ask.
	[ "$t" = "${DEF[$key]}" ] || [ "\"$t\"" = "${DEF[$key]}" ] && return 0
	got=$(pgpin_run "$(env_of "$key")=$t" --check 2>/dev/null | grep -m1 "^$key = ")
	[ "$got" = "$key = ${DEF[$key]}" ]
}

# ------------------------------------------------------------ reporting

# Each check gathers its problems, one a line, then passes or fails once.
PROBLEMS=()
problem() { PROBLEMS+=("$*"); }
report() {
	local p
	if [ ${#PROBLEMS[@]} -eq 0 ]; then
		it_pass "$1"
	else
		it_fail "$1"
		for p in "${PROBLEMS[@]}"; do
			it_note "$p"
		done
	fi
	PROBLEMS=()
}

# entry_of FILE TEXT KEY HEAD: sets ENTRY to TEXT's .TP entry that starts
# with HEAD (a flag, or a key); a problem unless there is exactly one.
entry_of() {
	local file=$1 text=$2 key=$3 head=$4 n
	ENTRY=$(grep -E -- "^@TP $head([=[ ,]|$)" <<<"$text")
	n=$(grep -c . <<<"$ENTRY")
	if [ "$n" -eq 0 ]; then
		problem "$file: $key: no entry for $head"
		return 1
	fi
	[ "$n" -gt 1 ] && problem "$file: $key: $n entries for $head"
	ENTRY=${ENTRY%%$'\n'*}
	return 0
}

# has_word TEXT WORD: WORD is in TEXT, not as a part of a longer name.
has_word() { [[ " $1 " =~ [^A-Za-z0-9_-]$2[^A-Za-z0-9_-] ]]; }

# ------------------------------------------------------------ each setting

help=$(pgpin_run --help 2>&1)
it_is "pgpin --help exits 0" "$?" "0"
help_entries=$(help_text <<<"$help")
man1=$(man_text "$docdir/$MAN1")
# pgpin.ini(5)'s entries are those of its [pgpin] section.
man5=$(man_text "$docdir/$MAN5" | awk '/^@SH / { on = $0 ~ /\[pgpin\]/; next } on')

# --help: an entry for the flag, with the variable and the default.
for key in "${SETTINGS[@]}"; do
	flag=$(flag_of "$key")
	env=$(env_of "$key")
	entry_of "pgpin --help" "$help_entries" "$key" "$flag" || continue
	e=$ENTRY
	if [[ $e =~ \[$env\;\ default:\ ([^]]*)\] ]]; then
		default_is "$key" "${BASH_REMATCH[1]}" ||
			problem "pgpin --help: $key: default '${BASH_REMATCH[1]}', pgpin --check: ${DEF[$key]}"
	else
		problem "pgpin --help: $key: $flag does not give [$env; default: ...]"
	fi
done
report "pgpin --help: every setting's flag, variable and default"

# The value a flag's entry shows: "=N", "[=yes|no]", "=off|normal|full".
value_of() {
	local v=${1#"@TP $2"}
	printf '%s' "${v%%[ ,]*}"
}

# pgpin(1): an entry for the flag (and its --no- form), with the value as
# --help shows it (a list of choices may have a name instead), the variable
# and the default in brackets.
for key in "${SETTINGS[@]}"; do
	flag=$(flag_of "$key")
	env=$(env_of "$key")
	entry_of "$MAN1" "$man1" "$key" "$flag" || continue
	e=$ENTRY
	want=$(value_of "$(grep -E -m1 -- "^@TP $flag([=[ ,]|$)" <<<"$help_entries")" "$flag")
	got=$(value_of "$e" "$flag")
	if [ "$got" != "$want" ] && ! [[ $want == =*'|'* && $got == =* ]]; then
		problem "$MAN1: $key: $flag$got, pgpin --help: $flag$want"
	fi
	if has_word "$help" "--no-${flag#--}" && ! has_word "$e" "--no-${flag#--}"; then
		problem "$MAN1: $key: the entry for $flag does not name --no-${flag#--}"
	fi
	if [[ $e =~ \[$env\;\ ([^]]*)\] ]]; then
		default_is "$key" "${BASH_REMATCH[1]}" ||
			problem "$MAN1: $key: default '${BASH_REMATCH[1]}', pgpin --check: ${DEF[$key]}"
	else
		problem "$MAN1: $key: the entry for $flag does not give [$env; default]"
	fi
done
# The options that are not settings (--config, --check, ...) too.
for flag in $(flags_in <<<"$help"); do
	flags_in <"$docdir/$MAN1" | grep -qx -- "$flag" ||
		problem "$MAN1: $flag: in pgpin --help, not in the manual page"
done
report "$MAN1: every setting's flag, variable and default, every flag of --help"

# pgpin.ini(5): an entry for the key, naming the flag(s) and the variable,
# with the default.
for key in "${SETTINGS[@]}"; do
	flag=$(flag_of "$key")
	env=$(env_of "$key")
	entry_of "$MAN5" "$man5" "$key" "$key" || continue
	e=$ENTRY
	for w in "$flag" "$env"; do
		has_word "$e" "$w" || problem "$MAN5: $key: the entry does not name $w"
	done
	if has_word "$help" "--no-${flag#--}" && ! has_word "$e" "--no-${flag#--}"; then
		problem "$MAN5: $key: the entry does not name --no-${flag#--}"
	fi
	if [[ $e == *[Dd]efault\ *' — '* ]]; then
		d=${e#*[Dd]efault }
		d=${d%% — *}
		default_is "$key" "$d" ||
			problem "$MAN5: $key: default '$d', pgpin --check: ${DEF[$key]}"
	else
		problem "$MAN5: $key: the entry gives no default"
	fi
done
report "$MAN5: every setting's key, flag, variable and default"

# conf/pgpin.ini: a line for the key; the first one (others are examples)
# holds the default, read by pgpin itself.
conf=$(conf_keys)
for key in "${SETTINGS[@]}"; do
	line=$(awk -v k="$key" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' <<<"$conf")
	if [ -z "$line" ]; then
		problem "$CONF: $key: no line for it"
		continue
	fi
	printf '[pgpin]\n%s\n' "$line" >"$IT_WORK/one.ini"
	if ! out=$(pgpin_run --config "$IT_WORK/one.ini" --check 2>&1); then
		out=${out%%$'\n'*}
		problem "$CONF: $key: pgpin refuses '$line': ${out#*one.ini:2: }"
		continue
	fi
	got=$(grep -m1 "^$key = " <<<"$out")
	[ "$got" = "$key = ${DEF[$key]}" ] ||
		problem "$CONF: $key: '$line' is not the default, pgpin --check: ${DEF[$key]}"
done
report "$CONF: every setting, with its default"

# The README's table: the defaults it gives.
while read -r key d; do
	if [ "$key" = "!" ]; then
		problem "$README: the row '$d' does not pair its settings with its defaults"
	elif [ -n "${DEF[$key]+set}" ]; then
		default_is "$key" "$d" ||
			problem "$README: $key: default '$d', pgpin --check: ${DEF[$key]}"
	fi
done < <(readme_defaults)
report "$README: the defaults of the settings table"

# ------------------------------------------------------------ nothing stale

# Whether pgpin knows a name, asked once per name.  A flag is tried as
# "--flag=" with --check (so that it never starts the proxy), a key in a
# config file of its own, each with the error that says "unknown".  A
# variable pgpin does not know is ignored: set to a value no setting takes
# as it is, it changes nothing --check prints.
declare -A KNOWN
flag_known() {
	local err
	if [ -z "${KNOWN[$1]:-}" ]; then
		KNOWN[$1]=yes
		err=$(pgpin_run "$1=" --check 2>&1 >/dev/null) ||
			[[ $err != *"unknown option '$1'"* ]] || KNOWN[$1]=no
	fi
	[ "${KNOWN[$1]}" = yes ]
}
key_known() {
	local err
	if [ -z "${KNOWN[$1]:-}" ]; then
		KNOWN[$1]=yes
		printf '[pgpin]\n%s = x\n' "$1" >"$IT_WORK/key.ini"
		err=$(pgpin_run --config "$IT_WORK/key.ini" --check 2>&1 >/dev/null) ||
			[[ $err != *"unknown setting '$1'"* ]] || KNOWN[$1]=no
	fi
	[ "${KNOWN[$1]}" = yes ]
}
variable_known() {
	local out
	if [ -z "${KNOWN[$1]:-}" ]; then
		KNOWN[$1]=yes
		out=$(pgpin_run "$1=/nonexistent/test-docs" --check 2>&1) &&
			[ "$out" = "$baseline" ] && KNOWN[$1]=no
	fi
	[ "${KNOWN[$1]}" = yes ]
}

# stale KIND FILE: of the names of that KIND (flag, key, variable) FILE
# gives, one a line on stdin, those pgpin does not know.  Called with
# "< <(...)", not in a pipe: the TAP counters are this shell's.
stale() {
	local kind=$1 file=$2 name
	while read -r name; do
		case $kind in
		flag) flag_known "$name" ;;
		key) key_known "$name" ;;
		variable) variable_known "$name" ;;
		esac || problem "$file: $name: pgpin does not know this $kind"
	done < <(sort -u)
	report "$file: every $kind it names is one pgpin knows"
}
stale flag "pgpin --help" < <(flags_in <<<"$help")
stale flag "$MAN1" < <(flags_in <"$docdir/$MAN1")
stale flag "$MAN5" < <(flags_in <"$docdir/$MAN5")
stale flag "$CONF" < <(flags_in <"$docdir/$CONF")
stale key "$MAN5" < <(awk '/^@TP [A-Za-z_]+ / { print $2 }' <<<"$man5")
stale key "$CONF" < <(awk '{ print $1 }' <<<"$conf")
stale key "$README" < <(readme_defaults | awk '$1 != "!" { print $1 }')
stale variable "pgpin --help" < <(vars_in <<<"$help")
stale variable "$MAN1" < <(vars_in <"$docdir/$MAN1")
stale variable "$MAN5" < <(vars_in <"$docdir/$MAN5")
stale variable "$CONF" < <(vars_in <"$docdir/$CONF")
stale variable "$README" < <(vars_in <"$docdir/$README")

# ------------------------------------------------------------ the examples

# passes_check DESC FILE: pgpin --config FILE --check exits 0.
passes_check() {
	local out status
	out=$(pgpin_run --config "$2" --check 2>&1)
	status=$?
	it_is "$1" "$status" "0"
	[ "$status" -eq 0 ] || it_note "${out%%$'\n'*}"
}

passes_check "$CONF passes pgpin --check" "$docdir/$CONF"
# Every commented-out line set: the example endpoints, [databases], [users].
sed 's/^;\([^ ;]\)/\1/' "$docdir/$CONF" >"$IT_WORK/uncommented.ini"
passes_check "$CONF with every commented-out line set passes pgpin --check" \
	"$IT_WORK/uncommented.ini"
# The .EX block of pgpin.ini(5)'s EXAMPLE section.
sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$docdir/$MAN5" | sed -n '/^\.EX/,/^\.EE/p' | sed '1d;$d' |
	sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" >"$IT_WORK/example.ini"
it_ok "$MAN5 has an example with a [pgpin] section" grep -q '^\[pgpin\]' "$IT_WORK/example.ini"
passes_check "the example of $MAN5 passes pgpin --check" "$IT_WORK/example.ini"

it_done
