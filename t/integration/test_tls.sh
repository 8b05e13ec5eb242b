#!/bin/bash
# test_tls.sh - TLS on both sides of pgpin.
#
# Backend: a second PostgreSQL 15 (ssl=on, certificates made here, pg_hba
# rules that require TLS for one role, forbid it for another, and accept
# only a client certificate for a third); pgpin connects with every sslmode
# and pg_stat_ssl says whether the server connection is encrypted.
# Clients: psql (and t/integration/tls/pgtls.py, for what psql cannot do)
# to pgpin with sslmode=require and verify-full, client certificates under
# client_tls_mode=verify-full, plain clients refused under require, cancel
# requests over TLS, plain text injected behind SSLRequest, certificates
# reloaded on SIGHUP, and the SQLite backend behind TLS.
# Run through t/integration/run.sh.

set -u
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
it_begin test_tls

if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP the openssl command is not installed"
	exit 77
fi
PY=/usr/bin/python3
PGTLS="$top_srcdir/t/integration/tls/pgtls.py"
W=$IT_WORK
chmod 755 "$W"
# No ~/.postgresql/root.crt or postgresql.crt of the caller's: libpq (psql)
# and pgpin would both pick them up.
export HOME="$W/home"
mkdir -p "$HOME"

# ------------------------------------------------------------ certificates

certs=$W/certs
mkdir -p "$certs"
chmod 755 "$certs"

# mkca NAME CN
mkca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$certs/$1.key" -out "$certs/$1.crt" -subj "/CN=$2" -days 2 \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
# mkcert NAME CN SAN CA: a leaf certificate signed by CA (SAN may be empty)
mkcert() {
	local name=$1 cn=$2 san=$3 ca=$4
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$certs/$name.key" -out "$certs/$name.csr" -subj "/CN=$cn" 2>/dev/null
	{
		echo "basicConstraints=CA:FALSE"
		echo "keyUsage=critical,digitalSignature"
		echo "extendedKeyUsage=serverAuth,clientAuth"
		[ -n "$san" ] && echo "subjectAltName=$san"
	} >"$certs/$name.ext"
	openssl x509 -req -in "$certs/$name.csr" -CA "$certs/$ca.crt" -CAkey "$certs/$ca.key" \
		-CAcreateserial -days 2 -out "$certs/$name.crt" -extfile "$certs/$name.ext" 2>/dev/null
}
mkca ca "pgpin test CA"
mkca wrongca "some other CA"
mkcert server pgpin-server "DNS:localhost,IP:127.0.0.1" ca
mkcert server2 pgpin-server-two "DNS:localhost,IP:127.0.0.1" ca
mkcert wrongname db.example "DNS:db.example" ca
mkcert certuser certuser "" ca
mkcert rogue certuser "" wrongca
chmod 644 "$certs"/*.crt
chmod 600 "$certs"/*.key
it_ok "test certificates made" test -s "$certs/server.crt" -a -s "$certs/certuser.crt" \
	-a -s "$certs/rogue.crt" -a -s "$certs/wrongname.crt"

# ------------------------------------------------------------ PostgreSQL with ssl=on

pg2=$W/pg2
pg2port=$(it_free_port)
pg2_started=no
mkdir -p "$pg2"
[ "$(id -u)" = 0 ] && chown postgres: "$pg2"
chmod 700 "$pg2"

pg2_stop() {
	[ $pg2_started = yes ] || return 0
	it_as_pg "$PGPIN_TEST_PGBINDIR/pg_ctl" -D "$pg2" -m fast -t 30 -w stop >/dev/null 2>&1 ||
		it_as_pg "$PGPIN_TEST_PGBINDIR/pg_ctl" -D "$pg2" -m immediate -w stop >/dev/null 2>&1
	pg2_started=no
}
tls_cleanup() {
	local rc=$?
	pg2_stop
	[ "$IT_NFAIL" -gt 0 ] && [ -f "$pg2/log" ] && tail -n 30 "$pg2/log" | sed 's/^/# pg2: /'
	(exit $rc)
	it_cleanup
}
trap tls_cleanup EXIT

# pg2_install NAME: serve certificate NAME (copied, as the postgres user's)
pg2_install() {
	cp "$certs/$1.crt" "$pg2/server.crt"
	cp "$certs/$1.key" "$pg2/server.key"
	cp "$certs/ca.crt" "$pg2/ca.crt"
	chmod 600 "$pg2/server.key"
	[ "$(id -u)" = 0 ] && chown postgres: "$pg2/server.crt" "$pg2/server.key" "$pg2/ca.crt"
	return 0
}

if ! it_as_pg "$PGPIN_TEST_PGBINDIR/initdb" -D "$pg2" -U postgres -A trust -E UTF8 \
	--no-locale --no-sync >"$W/initdb.log" 2>&1; then
	sed 's/^/# /' "$W/initdb.log"
	it_fail "initdb of the TLS cluster"
	it_done
fi
pg2_install server
cat >>"$pg2/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg2port
unix_socket_directories = '$pg2'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
ssl_ca_file = 'ca.crt'
password_encryption = 'scram-sha-256'
max_connections = 60
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
cat >"$pg2/pg_hba.conf" <<EOF
local all all trust
hostssl all tlsuser 127.0.0.1/32 scram-sha-256
hostssl all certuser 127.0.0.1/32 cert
hostnossl all plainuser 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 reject
EOF
[ "$(id -u)" = 0 ] && chown postgres: "$pg2/postgresql.conf" "$pg2/pg_hba.conf"
if it_as_pg "$PGPIN_TEST_PGBINDIR/pg_ctl" -D "$pg2" -l "$pg2/log" -w -t 60 start >/dev/null; then
	pg2_started=yes
else
	it_fail "the TLS cluster starts"
	tail -n 20 "$pg2/log" | sed 's/^/# /'
	it_done
fi

pg2_sql() {
	timeout 60 "$IT_PSQL" -X -q -At -v ON_ERROR_STOP=1 -h "$pg2" -p "$pg2port" -U postgres \
		-d postgres "$@"
}
dbs="db_disable db_allow db_prefer db_require db_verify_ca db_verify_full db_wrong_ca
     db_require_wrong_ca db_no_root db_cert db_nocert db_w_ca db_w_full db_cafile
     db_cafile_mismatch db_cafile_wrong"
{
	echo "SET password_encryption = 'scram-sha-256';"
	echo "CREATE ROLE tlsuser LOGIN PASSWORD 'tls-pass';"
	echo "CREATE ROLE certuser LOGIN;"
	echo "CREATE ROLE plainuser LOGIN PASSWORD 'plain-pass';"
	for d in $dbs; do echo "CREATE DATABASE $d;"; done
} | pg2_sql >"$W/setup.log" 2>&1
it_ok "roles and databases on the TLS cluster" test ! -s "$W/setup.log"
[ -s "$W/setup.log" ] && sed 's/^/# /' "$W/setup.log"

# ------------------------------------------------------------ pgpin to the TLS cluster

ca=$certs/ca.crt
cat >"$W/backend.ini" <<EOF
[pgpin]
datastore_endpoint = host=127.0.0.1 port=$pg2port dbname=postgres user=tlsuser password=tls-pass sslmode=require
auth_type = trust
log_level = debug
query_wait_timeout = 10

[databases]
t_disable = dbname=db_disable sslmode=disable
t_allow = dbname=db_allow sslmode=allow
t_prefer = dbname=db_prefer sslmode=prefer
t_require = dbname=db_require sslmode=require
t_verify_ca = dbname=db_verify_ca sslmode=verify-ca sslrootcert=$ca
t_verify_full = dbname=db_verify_full sslmode=verify-full sslrootcert=$ca
t_verify_full_name = host=localhost dbname=db_verify_full sslmode=verify-full sslrootcert=$ca
t_wrong_ca = dbname=db_wrong_ca sslmode=verify-full sslrootcert=$certs/wrongca.crt
t_require_wrong_ca = dbname=db_require_wrong_ca sslmode=require sslrootcert=$certs/wrongca.crt
t_no_root = dbname=db_no_root sslmode=verify-ca
p_allow = user=plainuser password=plain-pass dbname=db_allow sslmode=allow
p_prefer = user=plainuser password=plain-pass dbname=db_prefer sslmode=prefer
p_require = user=plainuser password=plain-pass dbname=db_require sslmode=require
c_cert = user=certuser dbname=db_cert sslmode=verify-full sslrootcert=$ca sslcert=$certs/certuser.crt sslkey=$certs/certuser.key
c_nocert = user=certuser dbname=db_nocert sslmode=require
w_verify_ca = dbname=db_w_ca sslmode=verify-ca sslrootcert=$ca
w_verify_full = dbname=db_w_full sslmode=verify-full sslrootcert=$ca
EOF
it_start_pgpin --config "$W/backend.ini" || { it_fail "pgpin starts (backend TLS)"; it_done; }
bport=$IT_PGPIN_PORT
blog=$IT_PGPIN_LOG

# bq DB SQL: query the TLS cluster through pgpin as database DB
bq() {
	timeout 30 "$IT_PSQL" -X -At "host=127.0.0.1 port=$bport dbname=$1 user=anyone sslmode=disable" \
		-c "$2" 2>&1
}
SSLQ="SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"

out=$(bq t_disable "$SSLQ")
it_like "sslmode=disable: hostssl rejects the plain login" "$out" 'rejects connection.*no encryption'
out=$(bq t_allow "$SSLQ")
it_is "sslmode=allow: refused in plain text, then encrypted" "$out" "t"
it_like "sslmode=allow: the retry is logged" "$(cat "$blog")" 'trying again with TLS \(sslmode=allow\)'
for m in prefer require verify_ca verify_full verify_full_name; do
	out=$(bq "t_$m" "$SSLQ")
	it_is "sslmode=${m//_/-}: the server connection is encrypted" "$out" "t"
done
out=$(bq t_verify_full "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
it_like "TLS 1.2 or newer to the backend" "$out" '^TLSv1\.[23]$'

out=$(bq t_wrong_ca "$SSLQ")
it_like "verify-full with the wrong CA fails, with the reason" "$out" \
	'could not establish TLS with server 127\.0\.0\.1:[0-9]+: certificate verify failed: (unable to get local issuer certificate|self-signed certificate in certificate chain)'
it_like "the wrong CA is in pgpin's log" "$(cat "$blog")" \
	'warning: could not establish TLS with server 127\.0\.0\.1:[0-9]+: certificate verify failed'
out=$($PY "$PGTLS" login 127.0.0.1 "$bport" anyone t_wrong_ca plain 2>&1)
it_like "the client sees SQLSTATE 08006" "$out" '^08006 could not establish TLS.*certificate verify failed'
out=$(bq t_require_wrong_ca "$SSLQ")
it_like "sslmode=require verifies too when a root certificate is given (libpq's rule)" "$out" \
	'certificate verify failed'
out=$(bq t_no_root "$SSLQ")
it_like "sslmode=verify-ca without a root certificate is an error" "$out" \
	'sslmode=verify-ca needs a root certificate'

out=$(bq p_allow "$SSLQ")
it_is "sslmode=allow, hostnossl role: plain text" "$out" "f"
out=$(bq p_prefer "$SSLQ")
it_is "sslmode=prefer, hostnossl role: TLS refused, then plain text" "$out" "f"
it_like "sslmode=prefer: the retry is logged" "$(cat "$blog")" 'trying again without TLS \(sslmode=prefer\)'
out=$(bq p_require "$SSLQ")
it_like "sslmode=require, hostnossl role: refused, no plain-text fallback" "$out" \
	'rejects connection.*SSL encryption'

out=$(bq c_cert "SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
it_is "the cert role logs in with only its certificate" "$out" "t|/CN=certuser"
out=$(bq c_nocert "$SSLQ")
it_like "the cert role without a certificate is refused" "$out" \
	'connection requires a valid client certificate'

# A certificate for another name: verify-ca still passes, verify-full not.
pg2_install wrongname
it_as_pg "$PGPIN_TEST_PGBINDIR/pg_ctl" -D "$pg2" reload >/dev/null
sleep 1
out=$(bq w_verify_full "$SSLQ")
it_like "a certificate for another host fails verify-full" "$out" \
	'certificate verify failed: IP address mismatch \(the server certificate does not match host "127\.0\.0\.1"'
out=$(bq w_verify_ca "$SSLQ")
it_is "... and passes verify-ca" "$out" "t"

# k3s's --datastore-cafile (here from the environment) and no sslmode:
# verify-full, which the certificate for another name fails.
cat >"$W/cafile.ini" <<EOF
[pgpin]
auth_type = trust
query_wait_timeout = 10
[databases]
e_main = dbname=db_cafile
e_mismatch = dbname=db_cafile_mismatch
e_wrong = dbname=db_cafile_wrong sslrootcert=$certs/wrongca.crt
EOF
PGPIN_DATASTORE_ENDPOINT="postgres://tlsuser:tls-pass@127.0.0.1:$pg2port/postgres" \
PGPIN_DATASTORE_CAFILE="$ca" it_start_pgpin --config "$W/cafile.ini" ||
	{ it_fail "pgpin starts (datastore_cafile)"; it_done; }
eport=$IT_PGPIN_PORT
eq() {
	timeout 30 "$IT_PSQL" -X -At "host=127.0.0.1 port=$eport dbname=$1 user=x sslmode=disable" \
		-c "$SSLQ" 2>&1
}
out=$(eq e_mismatch)
it_like "--datastore-cafile without sslmode means verify-full" "$out" 'IP address mismatch'
pg2_install server
it_as_pg "$PGPIN_TEST_PGBINDIR/pg_ctl" -D "$pg2" reload >/dev/null
sleep 1
out=$(eq e_main)
it_is "--datastore-cafile with the right CA: verified and encrypted" "$out" "t"
out=$(eq e_wrong)
it_like "--datastore-cafile, the wrong CA: refused" "$out" 'certificate verify failed'

# Cancel to a TLS backend goes over TLS.
out=$($PY "$PGTLS" cancel 127.0.0.1 "$bport" anyone t_verify_full none 2>&1)
it_like "cancel reaches a TLS backend" "$out" '^57014 after [0-3]\.'
it_like "pgpin sent it over TLS" "$(cat "$blog")" 'sending cancel request over TLS'
it_unlike "no cancel failed" "$(cat "$blog")" 'cancel request not sent'

# ------------------------------------------------------------ clients over TLS

cp "$certs/server.crt" "$W/front.crt"
cp "$certs/server.key" "$W/front.key"
chmod 600 "$W/front.key"
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --tls-cert "$W/front.crt" \
	--tls-key "$W/front.key" --client-tls-mode require --log-level debug ||
	{ it_fail "pgpin starts (client TLS)"; it_done; }
fport=$IT_PGPIN_PORT
fpid=$IT_PGPIN_PID
flog=$IT_PGPIN_LOG

# fq CONNINFO SQL: psql to the client-TLS pgpin
fq() {
	PGPASSWORD=unused timeout 30 "$IT_PSQL" -X -At \
		"port=$fport user=$PGPIN_TEST_USER dbname=$PGPIN_TEST_DB $1" -c "$2" 2>&1
}

out=$(fq "host=127.0.0.1 sslmode=disable" "SELECT 1")
it_like "client_tls_mode=require refuses a plain client" "$out" \
	'TLS is required for user "pgpin_test", database "pgpin_test" \(client_tls_mode=require\): connect with sslmode=require or stronger'
out=$($PY "$PGTLS" login 127.0.0.1 "$fport" "$PGPIN_TEST_USER" "$PGPIN_TEST_DB" plain 2>&1)
it_like "... with SQLSTATE 28000" "$out" '^28000 TLS is required'
out=$(fq "host=127.0.0.1 sslmode=require" '\conninfo')
it_like "psql sslmode=require: encrypted" "$out" 'SSL connection \(protocol: TLSv1\.[23]'
out=$(fq "host=127.0.0.1 sslmode=require" "SELECT 'through TLS'")
it_is "psql sslmode=require: queries work" "$out" "through TLS"
out=$(fq "host=127.0.0.1 sslmode=verify-full sslrootcert=$ca" "SELECT 1")
it_is "psql sslmode=verify-full to 127.0.0.1" "$out" "1"
out=$(fq "host=localhost sslmode=verify-full sslrootcert=$ca" "SELECT 2")
it_is "psql sslmode=verify-full to localhost" "$out" "2"
out=$(fq "host=127.0.0.1 sslmode=verify-full sslrootcert=$certs/wrongca.crt" "SELECT 1")
it_like "psql refuses pgpin's certificate with the wrong CA" "$out" 'certificate verify failed'
out=$(fq "host=127.0.0.1 sslmode=prefer" '\conninfo')
it_like "psql's default (prefer) gets TLS" "$out" 'SSL connection'

# Big results and big messages through TLS: the bufferevent paths bound them.
big="SELECT g, repeat(md5(g::text), 16) FROM generate_series(1, 40000) g"
want=$(it_direct -c "$big" | md5sum)
got=$(fq "host=127.0.0.1 sslmode=require" "$big" | md5sum)
it_is "a 20 MB result through TLS arrives whole" "$got" "$want"
long=$(head -c 1500000 /dev/zero | tr '\0' 'x')
out=$(printf "SELECT length('%s');\n" "$long" | PGPASSWORD=unused timeout 30 "$IT_PSQL" -X -At \
	"host=127.0.0.1 port=$fport user=$PGPIN_TEST_USER dbname=$PGPIN_TEST_DB sslmode=require" 2>&1)
it_is "a 1.5 MB query through TLS" "$out" "1500000"

# Plain text behind the SSLRequest (CVE-2021-23214): 'S', then 08P01.
out=$($PY "$PGTLS" inject 127.0.0.1 "$fport" 2>&1)
it_is "unencrypted bytes after SSLRequest are refused" "$out" "S
08P01 received unencrypted data after SSL request"

# Cancel requests: over TLS, and in plain text (libpq 15's way) for a TLS session.
out=$($PY "$PGTLS" cancel 127.0.0.1 "$fport" "$PGPIN_TEST_USER" "$PGPIN_TEST_DB" tls 2>&1)
it_like "a CancelRequest over TLS cancels" "$out" '^57014 after [0-3]\.'
out=$($PY "$PGTLS" cancel 127.0.0.1 "$fport" "$PGPIN_TEST_USER" "$PGPIN_TEST_DB" plain 2>&1)
it_like "a plain CancelRequest cancels a TLS session" "$out" '^57014 after [0-3]\.'

# SIGHUP: a replaced certificate serves new connections; a broken one is
# refused and the last good one stays.
subject() {
	openssl s_client -starttls postgres -connect "127.0.0.1:$fport" </dev/null 2>/dev/null |
		openssl x509 -noout -subject 2>/dev/null
}
# subject_after_hup CN: signal, then the subject once it is CN (or after 3 s)
subject_after_hup() {
	local i got
	kill -HUP "$fpid"
	for i in $(seq 1 30); do
		got=$(subject)
		case $got in *"= $1" | *"=$1") break ;; esac
		sleep 0.1
	done
	echo "$got"
}
it_like "pgpin presents its certificate" "$(subject)" 'CN ?= ?pgpin-server$'
cp "$certs/server2.crt" "$W/front.crt"
cp "$certs/server2.key" "$W/front.key"
it_like "SIGHUP: the new certificate serves new connections" \
	"$(subject_after_hup pgpin-server-two)" 'CN ?= ?pgpin-server-two$'
echo "not a certificate" >"$W/front.crt"
kill -HUP "$fpid"
for i in $(seq 1 30); do
	grep -q 'error: TLS for clients' "$flog" && break
	sleep 0.1
done
it_like "SIGHUP with a broken certificate: an error in the log" "$(cat "$flog")" \
	'error: TLS for clients: could not load tls_cert.*keeping the certificate loaded before'
it_like "... and the last good certificate stays" "$(subject)" 'CN ?= ?pgpin-server-two$'
out=$(fq "host=127.0.0.1 sslmode=verify-full sslrootcert=$ca" "SELECT 3")
it_is "... and clients still connect" "$out" "3"
it_ok "pgpin is still running" kill -0 "$fpid"

# client_tls_mode=verify-full: a certificate from tls_ca whose CN is the user.
it_start_pgpin --datastore-endpoint "$IT_ENDPOINT" --tls-cert "$certs/server.crt" \
	--tls-key "$certs/server.key" --tls-ca "$ca" --client-tls-mode verify-full ||
	{ it_fail "pgpin starts (verify-full)"; it_done; }
vport=$IT_PGPIN_PORT
vlog=$IT_PGPIN_LOG
vq() {
	timeout 30 "$IT_PSQL" -X -At "host=127.0.0.1 port=$vport dbname=$PGPIN_TEST_DB sslmode=require $1" \
		-c "SELECT current_user" 2>&1
}
out=$(vq "user=certuser sslcert=$certs/certuser.crt sslkey=$certs/certuser.key")
it_is "client certificate, CN = user: logged in (as the endpoint's user)" "$out" "$PGPIN_TEST_USER"
out=$(vq "user=someone sslcert=$certs/certuser.crt sslkey=$certs/certuser.key")
it_like "client certificate, CN != user: refused" "$out" \
	'certificate validation \(client_tls_mode=verify-full\) failed for user "someone": CN mismatch'
out=$($PY "$PGTLS" login 127.0.0.1 "$vport" someone "$PGPIN_TEST_DB" tls "$certs/certuser.crt" \
	"$certs/certuser.key" 2>&1)
it_like "... with SQLSTATE 28000" "$out" '^28000 certificate validation'
out=$(vq "user=certuser")
it_like "no client certificate: refused" "$out" 'connection requires a valid client certificate'
out=$(vq "user=certuser sslcert=$certs/rogue.crt sslkey=$certs/rogue.key")
it_like "a certificate from another CA: the handshake fails" "$out" 'SSL error|alert'
it_like "... and pgpin logs why" "$(cat "$vlog")" 'TLS handshake failed: certificate verify failed'

# ------------------------------------------------------------ SQLite backend over TLS

mkdir -p "$W/lite"
it_start_pgpin --datastore-endpoint "sqlite:$W/lite/" --tls-cert "$certs/server.crt" \
	--tls-key "$certs/server.key" --client-tls-mode require ||
	{ it_fail "pgpin starts (SQLite backend, TLS)"; it_done; }
lport=$IT_PGPIN_PORT
out=$(timeout 30 "$IT_PSQL" -X -At -v ON_ERROR_STOP=1 \
	"host=127.0.0.1 port=$lport dbname=postgres user=app sslmode=verify-full sslrootcert=$ca" 2>&1 <<'EOF'
CREATE TABLE kv (k text PRIMARY KEY, v text);
INSERT INTO kv VALUES ('a', 'one'), ('b', 'two');
SELECT k || '=' || v FROM kv ORDER BY k;
\conninfo
EOF
)
it_like "SQLite backend through TLS: rows" "$out" 'a=one
b=two'
it_like "SQLite backend through TLS: encrypted" "$out" 'SSL connection'
lq() {
	timeout 30 "$IT_PSQL" -X -At "host=127.0.0.1 port=$lport dbname=postgres user=app $1" \
		-c "$2" 2>&1
}
zs=$(head -c 200 /dev/zero | tr '\0' z)
rows="WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
      SELECT n, '$zs' FROM s"
out=$(lq sslmode=require "$rows" | wc -l)
it_is "SQLite backend through TLS: a 4 MB result" "$out" "20000"
out=$(lq sslmode=disable "SELECT 1")
it_like "SQLite backend: plain clients refused under require" "$out" 'TLS is required'
# libpq's fire-and-forget write: PQsendQuery(), then PQfinish() at once.
# PostgreSQL runs the INSERT before it reads the Terminate; so must pgpin.
out=$(lq sslmode=require "CREATE TABLE ff (n int)")
out=$("$PY" - "host=127.0.0.1 port=$lport dbname=postgres user=app sslmode=require" 2>&1 <<'EOF'
import sys, psycopg
for i in range(20):
    c = psycopg.connect(sys.argv[1], autocommit=True)
    c.pgconn.send_query(b"INSERT INTO ff VALUES (%d)" % i)
    c.pgconn.flush()
    c.pgconn.finish()
EOF
)
for _ in $(seq 50); do
	[ "$(lq sslmode=require "SELECT count(*) FROM ff")" = 20 ] && break
	sleep 0.1
done
it_is "SQLite backend through TLS: 20 inserts sent just before PQfinish() all ran" \
	"$(lq sslmode=require "SELECT count(*) FROM ff")$out" "20"

it_no_sanitizer_reports
it_done
