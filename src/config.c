/*
 * config.c - settings from built-in defaults, the INI file, the environment
 * and the command line, resolved once into a struct config.
 *
 * One table, settings[], names every [pgpin] setting exactly once: the INI
 * reader, the PGPIN_* environment lookup, the flag parser, --help and
 * --check all walk it, so no setting can exist in one place and be missing
 * from another.  Each source is collected as text; the winner (flag >
 * environment > file > default) is converted and range-checked, then the
 * rules that involve several settings run.  Backend connection strings are
 * parsed by libpq's PQconninfoParse().  Nothing here opens a socket.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#define DEFAULT_LISTEN_PORT 6432
#define DEFAULT_SQLITE_PATH "./pgpin-data/"
#define MAX_SECONDS 1e9 /* keeps every later conversion to time_t defined */
#define MASK "****"

/* Enum fields are written through an int pointer by the table code. */
_Static_assert(sizeof(enum pool_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum auth_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum log_level) == sizeof(int), "enum size");

/* ------------------------------------------------------------ the table */

enum setting_type {
	T_STRING,   /* char *, never NULL */
	T_PATH,	    /* char *, NULL when empty */
	T_ENDPOINT, /* datastore_endpoint: the raw char * plus cfg->endpoint */
	T_LISTEN,   /* cfg->listen and cfg->n_listen */
	T_INT,	    /* int, within [min, max] */
	T_OCTAL,    /* int written in octal, within [min, max] */
	T_BOOL,	    /* bool */
	T_SECONDS,  /* double, seconds */
	T_SIZE,	    /* uint32_t bytes, within [min, max] */
	T_ENUM,	    /* int, an index into choices */
};

struct setting {
	const char *name; /* INI key; flag and env var names derive from it */
	enum setting_type type;
	size_t offset; /* of the field in struct config */
	const char *def;
	const char *help;
	const char *meta;	    /* flag value placeholder; NULL: from the type */
	const char *def_doc;	    /* default as --help shows it, if def is unclear */
	const char *const *choices; /* T_ENUM: names indexed by value */
	long long min, max;	    /* T_INT, T_OCTAL, T_SIZE */
	bool secret;		    /* a connection string: passwords masked when printed */
};

static const char *const pool_mode_names[] = {"session", "transaction", "statement", NULL};
static const char *const auth_type_names[] = {"trust", "md5", "scram-sha-256", NULL};
static const char *const pin_mode_names[] = {"yes", "no", "error", NULL};
static const char *const log_level_names[] = {"error", "warning", "info", "debug", NULL};
static const char *const sqlite_sync_names[] = {"off", "normal", "full", NULL};
static const char *const ssl_mode_names[] = {"disable", "allow", "prefer", "require",
					     "verify-ca", "verify-full", NULL};
static const char *const tsa_names[] = {"any", "read-write", "read-only", "primary",
					"standby", "prefer-standby", NULL};
static const char *const client_tls_names[] = {"disable", "allow", "require", "verify-ca",
					       "verify-full", NULL};

#define F(field) offsetof(struct config, field)

static const struct setting settings[] = {
	{.name = "listen", .type = T_LISTEN, .offset = F(listen), .def = "127.0.0.1:6432",
	 .meta = "HOST:PORT",
	 .help = "TCP address to accept clients on; repeat the flag for several"},
	{.name = "unix_socket_dir", .type = T_PATH, .offset = F(unix_socket_dir), .def = "",
	 .meta = "DIR", .def_doc = "none",
	 .help = "also accept clients on DIR/.s.PGSQL.PORT (PORT of the first listen address, "
		 "else 6432)"},
	{.name = "unix_socket_mode", .type = T_OCTAL, .offset = F(unix_socket_mode),
	 .def = "0777", .meta = "MODE", .min = 0, .max = 0777,
	 .help = "permissions of the Unix socket, in octal"},
	{.name = "datastore_endpoint", .type = T_ENDPOINT, .offset = F(datastore_endpoint),
	 .def = "", .meta = "URI", .secret = true,
	 .def_doc = "embedded SQLite in " DEFAULT_SQLITE_PATH,
	 .help = "backend: a libpq URI or keyword string (several hosts: tried in order), or "
		 "sqlite:PATH; a bare postgres:// is postgres:postgres@localhost:5432/kubernetes"},
	{.name = "datastore_cafile", .type = T_PATH, .offset = F(datastore_cafile), .def = "",
	 .meta = "FILE", .def_doc = "none",
	 .help = "CA certificate(s) to verify the backend with (the endpoint's sslrootcert wins); "
		 "with any datastore file and no sslmode, sslmode is verify-full"},
	{.name = "datastore_certfile", .type = T_PATH, .offset = F(datastore_certfile), .def = "",
	 .meta = "FILE", .def_doc = "none",
	 .help = "client certificate to present to the backend (the endpoint's sslcert wins)"},
	{.name = "datastore_keyfile", .type = T_PATH, .offset = F(datastore_keyfile), .def = "",
	 .meta = "FILE", .def_doc = "none",
	 .help = "private key of datastore_certfile (the endpoint's sslkey wins)"},
	{.name = "create_database", .type = T_BOOL, .offset = F(create_database), .def = "yes",
	 .help = "create the endpoint's database through the server's postgres database when "
		 "it does not exist, as k3s does (--no-create-database turns it off)"},
	{.name = "tls_cert", .type = T_PATH, .offset = F(tls_cert), .def = "", .meta = "FILE",
	 .def_doc = "none", .help = "certificate chain (PEM) for TLS with clients"},
	{.name = "tls_key", .type = T_PATH, .offset = F(tls_key), .def = "", .meta = "FILE",
	 .def_doc = "none", .help = "private key (PEM) of tls_cert"},
	{.name = "tls_ca", .type = T_PATH, .offset = F(tls_ca), .def = "", .meta = "FILE",
	 .def_doc = "none", .help = "CA certificate(s) that sign client certificates"},
	{.name = "client_tls_mode", .type = T_ENUM, .offset = F(client_tls_mode), .def = "allow",
	 .choices = client_tls_names,
	 .help = "TLS with clients: disable, allow (when tls_cert is set), require, verify-ca "
		 "(client certificate signed by tls_ca), verify-full (and its CN is the user)"},
	{.name = "tls_ciphers", .type = T_STRING, .offset = F(tls_ciphers),
	 .def = "HIGH:!aNULL:!MD5:!3DES:!RC4", .meta = "LIST",
	 .help = "OpenSSL cipher list for TLS 1.2 (TLS 1.3 uses OpenSSL's suites); TLS 1.2 is "
		 "the minimum version"},
	{.name = "auth_type", .type = T_ENUM, .offset = F(auth_type), .def = "trust",
	 .choices = auth_type_names,
	 .help = "client authentication; trust only when every listen address is loopback"},
	{.name = "auth_file", .type = T_PATH, .offset = F(auth_file), .def = "", .meta = "FILE",
	 .def_doc = "none",
	 .help = "client users and passwords, in PgBouncer's userlist.txt format"},
	{.name = "pool_mode", .type = T_ENUM, .offset = F(pool_mode), .def = "transaction",
	 .choices = pool_mode_names,
	 .help = "when a server connection goes back to the pool"},
	{.name = "pool_size", .type = T_INT, .offset = F(pool_size), .def = "20", .min = 1,
	 .max = INT_MAX, .help = "server connections per database and user, at most"},
	{.name = "min_pool_size", .type = T_INT, .offset = F(min_pool_size), .def = "0",
	 .min = 0, .max = INT_MAX,
	 .help = "server connections per database and user kept open while idle"},
	{.name = "max_client_conn", .type = T_INT, .offset = F(max_client_conn), .def = "100",
	 .min = 1, .max = INT_MAX, .help = "client connections accepted at once, at most"},
	{.name = "max_prepared_statements", .type = T_INT,
	 .offset = F(max_prepared_statements), .def = "200", .min = 0, .max = INT_MAX,
	 .help = "prepared statements kept per server connection (LRU); 0: no tracking"},
	{.name = "backend_is_pooler", .type = T_BOOL, .offset = F(backend_is_pooler),
	 .def = "no",
	 .help = "the backend is a transaction pooler (PgBouncer): make every use of a "
		 "named statement self-contained within its batch"},
	{.name = "sqlite_synchronous", .type = T_ENUM, .offset = F(sqlite_synchronous),
	 .def = "full", .choices = sqlite_sync_names,
	 .help = "SQLite backend: PRAGMA synchronous; full makes every acknowledged COMMIT "
		 "durable, normal may lose the last commits on power loss (not on a crash)"},
	{.name = "sqlite_busy_timeout", .type = T_SECONDS, .offset = F(sqlite_busy_timeout),
	 .def = "5", .help = "SQLite backend: how long to wait for a lock held by another "
			      "process using the same file"},
	{.name = "sqlite_lock_timeout", .type = T_SECONDS, .offset = F(sqlite_lock_timeout),
	 .def = "10", .help = "SQLite backend: how long a writer waits for the write lock "
			      "(writers take turns, first come first served) before 55P03; 0 waits "
			      "for ever"},
	{.name = "pin_session_state", .type = T_ENUM, .offset = F(pin_session_state),
	 .def = "yes", .choices = pin_mode_names,
	 .help = "session state (SET, LISTEN, advisory locks, temp tables, WITH HOLD "
		 "cursors, PREPARE) under transaction pooling: yes pins the client to its "
		 "server, no lets it break, error refuses the statement"},
	{.name = "server_reset_query", .type = T_STRING, .offset = F(server_reset_query),
	 .def = "DISCARD ALL", .meta = "SQL",
	 .help = "run when a session-mode or pinned client lets its server go; empty: none"},
	{.name = "server_check_query", .type = T_STRING, .offset = F(server_check_query),
	 .def = "", .meta = "SQL", .def_doc = "empty query",
	 .help = "run on a server idle longer than server_check_delay before reuse"},
	{.name = "server_idle_timeout", .type = T_SECONDS, .offset = F(server_idle_timeout),
	 .def = "600", .help = "close server connections idle this long; 0: never"},
	{.name = "server_lifetime", .type = T_SECONDS, .offset = F(server_lifetime),
	 .def = "3600", .help = "close idle server connections older than this; 0: never"},
	{.name = "server_connect_timeout", .type = T_SECONDS,
	 .offset = F(server_connect_timeout), .def = "15",
	 .help = "give up connecting and logging in to a server after this long"},
	{.name = "server_check_delay", .type = T_SECONDS, .offset = F(server_check_delay),
	 .def = "30", .help = "idle time after which a server is checked before reuse; 0: always"},
	{.name = "query_wait_timeout", .type = T_SECONDS, .offset = F(query_wait_timeout),
	 .def = "120", .help = "fail a query that waited this long for a server; 0: wait forever"},
	{.name = "client_login_timeout", .type = T_SECONDS, .offset = F(client_login_timeout),
	 .def = "60", .help = "drop a client that has not logged in after this long; 0: never"},
	{.name = "shutdown_timeout", .type = T_SECONDS, .offset = F(shutdown_timeout),
	 .def = "0", .help = "on SIGINT, wait this long for transactions to end; 0: forever"},
	{.name = "max_packet_size", .type = T_SIZE, .offset = F(max_packet_size), .def = "1GB",
	 .min = 1024, .max = 0x7fffffff, .help = "largest protocol message accepted"},
	{.name = "log_level", .type = T_ENUM, .offset = F(log_level), .def = "info",
	 .choices = log_level_names, .help = "log messages of this importance and above"},
	{.name = "syslog", .type = T_BOOL, .offset = F(syslog), .def = "no",
	 .help = "also log to syslog (facility daemon)"},
	{.name = "syslog_ident", .type = T_STRING, .offset = F(syslog_ident), .def = "pgpin",
	 .meta = "NAME", .help = "program name in syslog messages"},
	{.name = "stats_period", .type = T_SECONDS, .offset = F(stats_period), .def = "60",
	 .help = "log pool statistics this often; 0: never"},
};

#undef F

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

/* ------------------------------------------------------------ small helpers */

/* Configuration is read at start and on SIGHUP; running out of memory there
 * leaves nothing sensible to do but stop. */
static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("pgpin: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("pgpin: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write a message into err and return -1, so that callers can say
 * "return fail(...)". */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A growing string, for printing and for rebuilding connection strings. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_addn(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->s = xrealloc(sb->s, sb->cap);
	}
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

static void sb_add(struct sbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

/* The string built so far, never NULL; the caller owns it. */
static char *sb_take(struct sbuf *sb)
{
	if (!sb->s)
		return xstrdup("");
	return sb->s;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static void flag_name(const struct setting *s, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "--%s", s->name);
	for (i = 2; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';
}

static void env_name(const struct setting *s, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "PGPIN_%s", s->name);
	for (i = 6; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

static const char *env_lookup(char *const envp[], const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* ------------------------------------------------------------ value parsers */

/*
 * Each parser converts text to a value or writes a message without a
 * prefix into msg; the caller puts the source and setting name in front.
 */

static int parse_int(const char *v, long long min, long long max, long long *out, char *msg,
		     size_t msglen)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!(isdigit((unsigned char)v[0]) || (v[0] == '-' && isdigit((unsigned char)v[1]))) ||
	    *end != '\0' || errno == ERANGE)
		return fail(msg, msglen, "invalid integer '%s'", v);
	if (n < min)
		return fail(msg, msglen, "must be at least %lld (got %lld)", min, n);
	if (n > max)
		return fail(msg, msglen, "must be at most %lld (got %lld)", max, n);
	*out = n;
	return 0;
}

static int parse_octal(const char *v, long long min, long long max, long long *out, char *msg,
		       size_t msglen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 8);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno == ERANGE || n < min ||
	    n > max)
		return fail(msg, msglen, "invalid octal mode '%s' (expected 0 to %llo)", v, max);
	*out = n;
	return 0;
}

static int parse_bool(const char *v, bool *out, char *msg, size_t msglen)
{
	static const char *const yes[] = {"yes", "on", "true", "1"};
	static const char *const no[] = {"no", "off", "false", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return fail(msg, msglen, "invalid boolean '%s' (expected yes or no)", v);
}

/* Read an unsigned decimal number at the start of v; *end is left after it.
 * strtod alone would also take "inf", "nan", hex and a sign. */
static bool scan_number(const char *v, double *out, const char **end)
{
	const char *p = v;
	char *e;

	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if (p == v || (p == v + 1 && *v == '.'))
		return false;
	if ((*p == 'e' || *p == 'E') &&
	    (isdigit((unsigned char)p[1]) ||
	     ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
		p += 2;
		while (isdigit((unsigned char)*p))
			p++;
	}
	*out = strtod(v, &e);
	if (e != p)
		return false;
	*end = p;
	return true;
}

static int parse_seconds(const char *v, double *out, char *msg, size_t msglen)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = {{"", 1}, {"s", 1}, {"ms", 0.001}, {"min", 60}, {"h", 3600}};
	const char *p;
	double d;
	size_t i;

	if (!scan_number(v, &d, &p))
		goto bad;
	while (*p == ' ')
		p++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(p, units[i].suffix) == 0) {
			d *= units[i].scale;
			if (!isfinite(d) || d > MAX_SECONDS)
				return fail(msg, msglen, "duration '%s' is too long", v);
			*out = d;
			return 0;
		}
	}
bad:
	return fail(msg, msglen,
		    "invalid duration '%s' (expected seconds, or a number with ms, s, min or h)",
		    v);
}

static int parse_size(const char *v, long long min, long long max, long long *out, char *msg,
		      size_t msglen)
{
	static const struct {
		const char *suffix;
		unsigned long long scale;
	} units[] = {{"", 1}, {"B", 1}, {"kB", 1024}, {"MB", 1024 * 1024},
		     {"GB", 1024 * 1024 * 1024}};
	unsigned long long n;
	char *end;
	size_t i;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || errno == ERANGE)
		goto bad;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (n > (unsigned long long)max / units[i].scale)
			return fail(msg, msglen, "must be at most %lld bytes (got '%s')", max, v);
		n *= units[i].scale;
		if ((long long)n < min)
			return fail(msg, msglen, "must be at least %lld bytes (got '%s')", min, v);
		*out = (long long)n;
		return 0;
	}
bad:
	return fail(msg, msglen, "invalid size '%s' (expected bytes, or a number with kB, MB or GB)",
		    v);
}

static int parse_enum(const char *v, const char *const *choices, int *out, char *msg,
		      size_t msglen)
{
	struct sbuf list = {0};
	int i;

	for (i = 0; choices[i]; i++) {
		if (strcasecmp(v, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; choices[i]; i++) {
		if (i > 0)
			sb_add(&list, choices[i + 1] ? ", " : " or ");
		sb_add(&list, choices[i]);
	}
	fail(msg, msglen, "invalid value '%s' (expected %s)", v, list.s);
	free(list.s);
	return -1;
}

/* ------------------------------------------------------------ listen lists */

/* Parse one HOST[:PORT] or [IPV6][:PORT]; the port defaults to 6432. */
static int parse_listen_one(const char *tok, struct listen_addr *la, char *msg, size_t msglen)
{
	const char *host = tok, *hend, *port = NULL;
	long long n = DEFAULT_LISTEN_PORT;

	if (tok[0] == '[') {
		host = tok + 1;
		hend = strchr(host, ']');
		if (!hend)
			return fail(msg, msglen, "missing ']' in '%s'", tok);
		if (hend[1] == ':')
			port = hend + 2;
		else if (hend[1] != '\0')
			return fail(msg, msglen, "unexpected text after ']' in '%s'", tok);
	} else {
		hend = strchr(tok, ':');
		if (hend && strchr(hend + 1, ':'))
			return fail(msg, msglen, "write IPv6 addresses in brackets, as in [::1]:6432 (got '%s')",
				    tok);
		if (hend)
			port = hend + 1;
		else
			hend = tok + strlen(tok);
	}
	if (hend == host)
		return fail(msg, msglen, "missing host in '%s'", tok);
	if (port) {
		char sub[64];
		if (!isdigit((unsigned char)port[0]) ||
		    parse_int(port, 1, 65535, &n, sub, sizeof(sub)) < 0)
			return fail(msg, msglen, "invalid port '%s' in '%s' (expected 1 to 65535)",
				    port, tok);
	}
	la->host = xstrndup(host, (size_t)(hend - host));
	la->port = (int)n;
	return 0;
}

/* A comma- or space-separated list of addresses; an empty list is allowed
 * (then only the Unix socket listens). */
static int parse_listen(const char *v, struct listen_addr **out, int *n_out, char *msg,
			size_t msglen)
{
	struct listen_addr *list = NULL;
	int n = 0;
	const char *p = v;

	while (*p) {
		size_t len = strcspn(p, ", \t");
		if (len > 0) {
			char *tok = xstrndup(p, len);
			list = xrealloc(list, sizeof(*list) * (size_t)(n + 1));
			int rc = parse_listen_one(tok, &list[n], msg, msglen);
			free(tok);
			if (rc < 0)
				goto fail;
			n++;
		}
		p += len;
		if (*p)
			p++;
	}
	*out = list;
	*n_out = n;
	return 0;
fail:
	while (n-- > 0)
		free(list[n].host);
	free(list);
	return -1;
}

/* ------------------------------------------------------------ libpq keyword strings */

/* One "key = value" pair of a libpq keyword/value connection string. */
struct kwpair {
	const char *start, *end; /* the pair as written, to copy it unchanged */
	char *key;
	char *val; /* unquoted and unescaped; NULL when "=" is missing */
};

static void kw_clear(struct kwpair *kv)
{
	free(kv->key);
	free(kv->val);
	memset(kv, 0, sizeof(*kv));
}

/*
 * Read the next pair at *pp with libpq's rules: spaces around "=" are
 * allowed, a value is either single-quoted or ends at a space, and a
 * backslash takes the next character literally.  Returns 1 with a pair,
 * 0 at the end, -1 on a syntax error (kv->key is then set if a key was read).
 */
static int kw_next(const char **pp, struct kwpair *kv)
{
	const char *p = *pp, *k;
	char *o;

	memset(kv, 0, sizeof(*kv));
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	kv->start = k = p;
	while (*p && *p != '=' && !isspace((unsigned char)*p))
		p++;
	kv->key = xstrndup(k, (size_t)(p - k));
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '=') {
		*pp = kv->end = p;
		return -1;
	}
	p++;
	while (isspace((unsigned char)*p))
		p++;
	kv->val = o = xmalloc(strlen(p) + 1);
	if (*p == '\'') {
		for (p++; *p && *p != '\''; *o++ = *p++)
			if (*p == '\\' && p[1])
				p++;
		if (*p != '\'') {
			*o = '\0';
			*pp = kv->end = p;
			return -1;
		}
		p++;
	} else {
		for (; *p && !isspace((unsigned char)*p); *o++ = *p++)
			if (*p == '\\' && p[1])
				p++;
	}
	*o = '\0';
	*pp = kv->end = p;
	return 1;
}

/* Describe the syntax error kw_next() returned -1 for, in libpq's words. */
static int kw_syntax_error(const struct kwpair *kv, char *msg, size_t msglen)
{
	if (!kv->val)
		return fail(msg, msglen, "missing \"=\" after \"%s\" in connection info string",
			    kv->key ? kv->key : "");
	return fail(msg, msglen, "unterminated quoted string in connection info string");
}

/* Append a value quoted as libpq reads it back. */
static void kw_add_value(struct sbuf *sb, const char *v)
{
	const char *p;

	if (*v && !strpbrk(v, " \t\n\r\f\v'\\")) {
		sb_add(sb, v);
		return;
	}
	sb_add(sb, "'");
	for (p = v; *p; p++) {
		if (*p == '\'' || *p == '\\')
			sb_add(sb, "\\");
		sb_addn(sb, p, 1);
	}
	sb_add(sb, "'");
}

static bool is_uri(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
}

static bool is_sqlite(const char *s)
{
	return strncmp(s, "sqlite:", 7) == 0;
}

static bool is_password_key(const char *key)
{
	return strcmp(key, "password") == 0 || strcmp(key, "sslpassword") == 0;
}

/* ------------------------------------------------------------ endpoints */

/* The number of elements of a libpq comma-separated list ("" is one). */
static int list_count(const char *v)
{
	int n = 1;

	for (; *v; v++)
		n += *v == ',';
	return n;
}

/* Element i of a comma-separated list, malloc'd. */
static char *list_item(const char *v, int i)
{
	while (i-- > 0)
		v = strchr(v, ',') + 1;
	return xstrndup(v, strcspn(v, ","));
}

/* One port of a list: empty is default_port. */
static int parse_port_item(const char *one, int default_port, int *port, char *msg,
			   size_t msglen)
{
	long long n = default_port;

	if (*one && parse_int(one, 1, 65535, &n, msg, msglen) < 0)
		return -1;
	*port = (int)n;
	return 0;
}

/* A port list, one port for all hosts or one per host (checked against the
 * hosts once they are all known).  ep->port is its first port. */
static int parse_port_list(const char *v, struct endpoint *ep, char *msg, size_t msglen)
{
	int i, n = list_count(v), port;

	for (i = 0; i < n; i++) {
		char *one = list_item(v, i);
		int rc = parse_port_item(one, ep->port, &port, msg, msglen);
		free(one);
		if (rc < 0)
			return fail(msg, msglen, "invalid port '%s' (expected 1 to 65535)", v);
		if (i == 0 && *v != ',')
			ep->port = port;
	}
	free(ep->ports);
	ep->ports = xstrdup(v);
	return 0;
}

void host_list_free(struct host_port *list, int n)
{
	int i;

	for (i = 0; list && i < n; i++)
		free(list[i].host);
	free(list);
}

int endpoint_hosts(const char *host, const char *hostaddr, const char *ports, int default_port,
		   struct host_port **out, char *err, size_t errlen)
{
	int n_host = host && *host ? list_count(host) : 0;
	int n_addr = hostaddr && *hostaddr ? list_count(hostaddr) : 0;
	int n_ports = ports && *ports ? list_count(ports) : 0;
	int n, i;
	struct host_port *list;
	char msg[128];

	*out = NULL;
	if (n_host && n_addr && n_host != n_addr)
		return fail(err, errlen, "could not match %d host names to %d hostaddr values",
			    n_host, n_addr);
	n = n_addr ? n_addr : (n_host ? n_host : 1);
	if (n_ports > 1 && n_ports != n)
		return fail(err, errlen, "could not match %d port numbers to %d hosts", n_ports, n);
	list = calloc((size_t)n, sizeof(*list));
	if (!list)
		return fail(err, errlen, "out of memory");
	for (i = 0; i < n; i++) {
		char *a = n_addr ? list_item(hostaddr, i) : NULL;
		char *h = n_host ? list_item(host, i) : NULL;
		char *p = n_ports ? list_item(ports, n_ports > 1 ? i : 0) : NULL;
		int rc = parse_port_item(p ? p : "", default_port, &list[i].port, msg, sizeof(msg));
		if (rc < 0)
			fail(err, errlen, "invalid port '%s' (expected 1 to 65535)", p);
		if (a && *a) {
			list[i].host = a;
			a = NULL;
		} else if (h && *h) {
			list[i].host = h;
			h = NULL;
		} else {
			list[i].host = xstrdup("localhost");
		}
		free(a);
		free(h);
		free(p);
		if (rc < 0) {
			host_list_free(list, i + 1);
			return -1;
		}
	}
	*out = list;
	return n;
}

/* TLS and the like are not implemented for backends yet: saying so beats
 * sending credentials in clear text to a user who asked for verify-full. */
static int check_unsupported(const char *key, const char *val, char *msg, size_t msglen)
{
	static const char *const harmless[] = {
		"fallback_application_name", "keepalives",	 "keepalives_idle",
		"keepalives_interval",	     "keepalives_count", "tcp_user_timeout",
	};
	size_t i;

	for (i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
		if (strcmp(key, harmless[i]) == 0)
			return 0;
	if (strcmp(key, "gssencmode") == 0 &&
	    (strcmp(val, "disable") == 0 || strcmp(val, "prefer") == 0))
		return 0;
	if (strcmp(key, "gssencmode") == 0)
		return fail(msg, msglen, "%s=%s is not supported by pgpin", key, val);
	return fail(msg, msglen, "connection parameter \"%s\" is not supported by pgpin", key);
}

static int endpoint_set(struct endpoint *ep, const char *key, const char *val, char *msg,
			size_t msglen)
{
	static const struct {
		const char *key;
		size_t offset;
	} strs[] = {
		{"host", offsetof(struct endpoint, host)},
		{"hostaddr", offsetof(struct endpoint, hostaddr)},
		{"dbname", offsetof(struct endpoint, dbname)},
		{"user", offsetof(struct endpoint, user)},
		{"password", offsetof(struct endpoint, password)},
		{"passfile", offsetof(struct endpoint, passfile)},
		{"application_name", offsetof(struct endpoint, application_name)},
		{"options", offsetof(struct endpoint, options)},
		{"sslrootcert", offsetof(struct endpoint, sslrootcert)},
		{"sslcert", offsetof(struct endpoint, sslcert)},
		{"sslkey", offsetof(struct endpoint, sslkey)},
	};
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (strcmp(key, strs[i].key) == 0) {
			char **field = (char **)((char *)ep + strs[i].offset);
			free(*field);
			*field = xstrdup(val);
			return 0;
		}
	}
	if (strcmp(key, "port") == 0)
		return parse_port_list(val, ep, msg, msglen);
	if (strcmp(key, "sslmode") == 0) {
		if (parse_enum(val, ssl_mode_names, &ep->sslmode, msg, msglen) < 0)
			return fail(msg, msglen, "invalid sslmode value: \"%s\"", val);
		ep->sslmode_given = true;
		return 0;
	}
	if (strcmp(key, "target_session_attrs") == 0) {
		if (parse_enum(val, tsa_names, &ep->target_session_attrs, msg, msglen) < 0)
			return fail(msg, msglen, "invalid target_session_attrs value: \"%s\"", val);
		ep->tsa_given = true;
		return 0;
	}
	if (strcmp(key, "sslsni") == 0) {
		if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
			return fail(msg, msglen, "invalid sslsni value: \"%s\"", val);
		ep->sslsni = val[0] == '1';
		return 0;
	}
	if (strcmp(key, "connect_timeout") == 0) {
		long long n = 0;
		if (*val && parse_int(val, 0, INT_MAX, &n, msg, msglen) < 0)
			return fail(msg, msglen, "invalid connect_timeout '%s'", val);
		ep->connect_timeout = (int)n;
		return 0;
	}
	return check_unsupported(key, val, msg, msglen);
}

/* "sqlite:PATH" and "sqlite://PATH"; an empty path is the default one. */
static void endpoint_sqlite(const char *rest, struct endpoint *ep)
{
	if (strncmp(rest, "//", 2) == 0)
		rest += 2;
	ep->kind = ENDPOINT_SQLITE;
	ep->sqlite_path = xstrdup(*rest ? rest : DEFAULT_SQLITE_PATH);
}

/* The text after "postgres://" or "postgresql://". */
static const char *uri_rest(const char *uri)
{
	return strstr(uri, "://") + 3;
}

/*
 * k3s and kine's conventions for URI endpoints: an empty database (no
 * path, or "/") is "kubernetes", and the name is lower-cased, as kine does
 * with the whole path before pgx reads it.
 */
static void endpoint_k3s_dbname(struct endpoint *ep)
{
	char *p;

	if (!ep->dbname || !*ep->dbname) {
		free(ep->dbname);
		ep->dbname = xstrdup("kubernetes");
		return;
	}
	for (p = ep->dbname; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* endpoint_parse() with the port to assume when none is given and whether
 * k3s's URI conventions apply; [databases] entries use port 0, so that the
 * main endpoint's port shows through, and keep libpq's plain meaning. */
static int endpoint_parse_port(const char *conninfo, struct endpoint *ep, int default_port,
			       bool k3s, char *err, size_t errlen)
{
	PQconninfoOption *opts, *o;
	struct host_port *hosts;
	char *pqerr = NULL;
	int n;

	memset(ep, 0, sizeof(*ep));
	ep->port = default_port;
	ep->sslmode = SSLMODE_PREFER; /* libpq's default */
	ep->sslsni = true;
	if (is_sqlite(conninfo)) {
		endpoint_sqlite(conninfo + 7, ep);
		return 0;
	}
	/* kine: an empty remainder means postgres://postgres:postgres@localhost/ */
	if (k3s && is_uri(conninfo) && *uri_rest(conninfo) == '\0')
		conninfo = "postgres://postgres:postgres@localhost/";
	/* PQconninfoParse() applies no defaults, unlike PQconndefaults(). */
	opts = PQconninfoParse(conninfo, &pqerr);
	if (!opts) {
		fail(err, errlen, "%s", pqerr ? pqerr : "out of memory");
		if (pqerr)
			PQfreemem(pqerr);
		if (errlen > 0)
			err[strcspn(err, "\n")] = '\0'; /* libpq ends messages with one */
		return -1;
	}
	for (o = opts; o->keyword; o++) {
		if (o->val && endpoint_set(ep, o->keyword, o->val, err, errlen) < 0) {
			PQconninfoFree(opts);
			endpoint_free(ep);
			return -1;
		}
	}
	PQconninfoFree(opts);
	if (k3s && is_uri(conninfo))
		endpoint_k3s_dbname(ep);
	/* Hosts and ports must pair up; a [databases] entry that gives ports
	 * but no hosts is checked against the main endpoint's when used. */
	if (default_port || ep->host || ep->hostaddr) {
		n = endpoint_hosts(ep->host, ep->hostaddr, ep->ports, ep->port ? ep->port : 5432,
				   &hosts, err, errlen);
		if (n < 0) {
			endpoint_free(ep);
			return -1;
		}
		host_list_free(hosts, n);
	}
	return 0;
}

int endpoint_parse(const char *conninfo, struct endpoint *ep, char *err, size_t errlen)
{
	return endpoint_parse_port(conninfo, ep, 5432, true, err, errlen);
}

void endpoint_free(struct endpoint *ep)
{
	free(ep->sqlite_path);
	free(ep->host);
	free(ep->hostaddr);
	free(ep->ports);
	free(ep->dbname);
	free(ep->user);
	free(ep->password);
	free(ep->passfile);
	free(ep->application_name);
	free(ep->options);
	free(ep->sslrootcert);
	free(ep->sslcert);
	free(ep->sslkey);
	memset(ep, 0, sizeof(*ep));
}

/* ------------------------------------------------------------ secrets */

/*
 * Where a URI keeps its password: libpq ends the user info at the first
 * "@" met before any "/", and the password starts after its first ":".
 * Sets [*pw, *pw_end) or returns false.
 */
static bool uri_password_span(const char *uri, const char **pw, const char **pw_end)
{
	const char *start = strstr(uri, "://") + 3, *p = start, *colon;

	while (*p && *p != '@' && *p != '/')
		p++;
	if (*p != '@')
		return false;
	colon = memchr(start, ':', (size_t)(p - start));
	if (!colon)
		return false;
	*pw = colon + 1;
	*pw_end = p;
	return true;
}

/* Decode %XX escapes in place, as libpq does for URI query keys. */
static void percent_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char hex[3] = {s[1], s[2], '\0'};
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Call fn for the value span of every password=... parameter in the query
 * part of a URI (from its first "?" after the user info). */
static void uri_query_passwords(const char *uri, void (*fn)(const char *, const char *, void *),
				void *arg)
{
	const char *pw, *pw_end, *p;

	p = uri_password_span(uri, &pw, &pw_end) ? pw_end : strstr(uri, "://") + 3;
	p = strchr(p, '?');
	while (p && *p) {
		const char *param = p + 1, *eq, *end;
		end = param + strcspn(param, "&");
		eq = memchr(param, '=', (size_t)(end - param));
		if (eq) {
			char *key = xstrndup(param, (size_t)(eq - param));
			percent_decode(key);
			if (is_password_key(key))
				fn(eq + 1, end, arg);
			free(key);
		}
		p = *end ? end : NULL;
	}
}

/* Collects [start, end) spans to replace with MASK. */
struct spans {
	const char *start[16], *end[16];
	int n;
};

static void add_span(const char *start, const char *end, void *arg)
{
	struct spans *sp = arg;

	if (sp->n < 16) {
		sp->start[sp->n] = start;
		sp->end[sp->n] = end;
		sp->n++;
	}
}

/* A URI with every password replaced by MASK. */
static char *mask_uri(const char *uri)
{
	struct spans sp = {.n = 0};
	struct sbuf sb = {0};
	const char *pw, *pw_end, *p = uri;
	int i;

	if (uri_password_span(uri, &pw, &pw_end))
		add_span(pw, pw_end, &sp);
	uri_query_passwords(uri, add_span, &sp);
	for (i = 0; i < sp.n; i++) {
		sb_addn(&sb, p, (size_t)(sp.start[i] - p));
		sb_add(&sb, MASK);
		p = sp.end[i];
	}
	sb_add(&sb, p);
	return sb_take(&sb);
}

/* A keyword string with every password value replaced by MASK, or NULL if
 * it does not parse. */
static char *mask_keywords(const char *conninfo)
{
	struct sbuf sb = {0};
	struct kwpair kv;
	const char *p = conninfo;
	int rc;

	while ((rc = kw_next(&p, &kv)) == 1) {
		if (sb.len)
			sb_add(&sb, " ");
		if (is_password_key(kv.key)) {
			sb_add(&sb, kv.key);
			sb_add(&sb, "=" MASK);
		} else {
			sb_addn(&sb, kv.start, (size_t)(kv.end - kv.start));
		}
		kw_clear(&kv);
	}
	kw_clear(&kv);
	if (rc < 0) {
		free(sb.s);
		return NULL;
	}
	return sb_take(&sb);
}

/* True if libpq reads no password other than MASK from s. */
static bool is_masked(const char *s)
{
	PQconninfoOption *opts, *o;
	char *pqerr = NULL;
	bool ok = true;

	opts = PQconninfoParse(s, &pqerr);
	if (!opts) {
		if (pqerr)
			PQfreemem(pqerr);
		return false;
	}
	for (o = opts; o->keyword; o++)
		if (o->val && is_password_key(o->keyword) && strcmp(o->val, MASK) != 0)
			ok = false;
	PQconninfoFree(opts);
	return ok;
}

/*
 * A connection string fit to print: passwords replaced by MASK.  The
 * result is parsed again, and if libpq would still find a password in it
 * the whole string is masked: printing too little beats leaking.
 */
static char *mask_conninfo(const char *conninfo)
{
	char *m;

	if (is_sqlite(conninfo) || *conninfo == '\0')
		return xstrdup(conninfo);
	m = is_uri(conninfo) ? mask_uri(conninfo) : mask_keywords(conninfo);
	if (m && is_masked(m))
		return m;
	free(m);
	return xstrdup(MASK);
}

/* Secret candidates of a connection string that failed to parse: every
 * password value and, in keyword form, the stray words after one (the
 * rest of an unquoted password with spaces). */
static void secret_candidates(const char *conninfo, struct spans *sp, char **owned, int *n_owned)
{
	const char *pw, *pw_end, *p = conninfo;
	bool after_password = false;
	struct kwpair kv;
	int rc;

	if (is_uri(conninfo)) {
		if (uri_password_span(conninfo, &pw, &pw_end))
			add_span(pw, pw_end, sp);
		uri_query_passwords(conninfo, add_span, sp);
		return;
	}
	while ((rc = kw_next(&p, &kv)) != 0 && *n_owned < 16) {
		char *c = NULL;
		if (rc == 1 && is_password_key(kv.key))
			c = kv.val, kv.val = NULL;
		else if (rc < 0 && !kv.val && after_password)
			c = kv.key, kv.key = NULL;
		after_password = c != NULL;
		if (c) {
			owned[(*n_owned)++] = c;
			add_span(c, c + strlen(c), sp);
		}
		kw_clear(&kv);
	}
	kw_clear(&kv);
}

static bool contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;

	for (i = 0; i + nlen <= hlen; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return true;
	return false;
}

/*
 * libpq quotes parts of the input in its messages ("invalid percent-encoded
 * token: "..."").  Replace each quoted part of msg that contains a secret
 * of conninfo by MASK, so that errors can be logged.
 */
static void scrub_message(char *msg, size_t msglen, const char *conninfo)
{
	struct spans sp = {.n = 0};
	struct sbuf out = {0};
	char *owned[16];
	const char *p = msg, *q;
	int n_owned = 0, i;

	secret_candidates(conninfo, &sp, owned, &n_owned);
	while ((q = strpbrk(p, "\"'")) != NULL) {
		const char *close = strchr(q + 1, *q);
		bool secret = false;
		if (!close)
			break;
		for (i = 0; i < sp.n && !secret; i++) {
			size_t n = (size_t)(sp.end[i] - sp.start[i]);
			secret = n > 0 && contains(q + 1, (size_t)(close - q - 1), sp.start[i], n);
		}
		sb_addn(&out, p, (size_t)(q + 1 - p));
		sb_add(&out, secret ? MASK : "");
		if (!secret)
			sb_addn(&out, q + 1, (size_t)(close - q - 1));
		p = close;
		sb_addn(&out, p, 1);
		p++;
	}
	sb_add(&out, p);
	snprintf(msg, msglen, "%s", out.s);
	free(out.s);
	for (i = 0; i < n_owned; i++)
		free(owned[i]);
}

/* ------------------------------------------------------------ [databases] and [users] */

/* Everything config_load() gathers before the winning values are applied. */
struct loader {
	struct config *cfg;
	char *err;
	size_t errlen;
	char *file_val[N_SETTINGS]; /* [pgpin] values */
	char *file_src[N_SETTINGS]; /* "FILE:LINE: name", for messages */
	char *flag_val[N_SETTINGS];
	const char *config_flag; /* -c / --config, pointing into argv */
};

/*
 * If kv is pool_size=N or pool_mode=M, store it and return 1; return 0 for
 * any other key and -1 for a bad value.
 */
static int pool_key(const struct kwpair *kv, int *pool_size, int *pool_mode, char *msg,
		    size_t msglen)
{
	char sub[256];
	long long n;

	if (strcmp(kv->key, "pool_size") == 0) {
		if (parse_int(kv->val, 1, INT_MAX, &n, sub, sizeof(sub)) < 0)
			return fail(msg, msglen, "pool_size: %s", sub);
		*pool_size = (int)n;
		return 1;
	}
	if (strcmp(kv->key, "pool_mode") == 0) {
		if (parse_enum(kv->val, pool_mode_names, pool_mode, sub, sizeof(sub)) < 0)
			return fail(msg, msglen, "pool_mode: %s", sub);
		return 1;
	}
	return 0;
}

/*
 * Take pool_size and pool_mode out of a keyword connection string: they
 * are pgpin's own and libpq would reject them.  URIs and sqlite: strings
 * are returned unchanged.
 */
static int db_split(const char *value, char **conninfo, int *pool_size, int *pool_mode,
		    char *msg, size_t msglen)
{
	struct sbuf sb = {0};
	struct kwpair kv;
	const char *p = value;
	int rc;

	*pool_size = *pool_mode = -1;
	if (is_uri(value) || is_sqlite(value)) {
		*conninfo = xstrdup(value);
		return 0;
	}
	while ((rc = kw_next(&p, &kv)) == 1) {
		int known = pool_key(&kv, pool_size, pool_mode, msg, msglen);
		if (known == 0) {
			if (sb.len)
				sb_add(&sb, " ");
			sb_addn(&sb, kv.start, (size_t)(kv.end - kv.start));
		}
		kw_clear(&kv);
		if (known < 0) {
			free(sb.s);
			return -1;
		}
	}
	if (rc < 0) {
		kw_syntax_error(&kv, msg, msglen);
		kw_clear(&kv);
		free(sb.s);
		return -1;
	}
	*conninfo = sb_take(&sb);
	return 0;
}

static int db_add(struct loader *L, const char *where, const char *name, const char *value)
{
	struct config *cfg = L->cfg;
	struct db_entry *db;
	char msg[512], *conninfo;
	int i, rc;

	for (i = 0; i < cfg->n_dbs; i++)
		if (strcmp(cfg->dbs[i].name, name) == 0)
			return fail(L->err, L->errlen, "%s: [databases] %s: database defined twice", where,
				    name);
	cfg->dbs = xrealloc(cfg->dbs, sizeof(*cfg->dbs) * (size_t)(cfg->n_dbs + 1));
	db = &cfg->dbs[cfg->n_dbs];
	memset(db, 0, sizeof(*db));
	if (db_split(value, &conninfo, &db->pool_size, &db->pool_mode, msg, sizeof(msg)) < 0) {
		scrub_message(msg, sizeof(msg), value);
		return fail(L->err, L->errlen, "%s: [databases] %s: %s", where, name, msg);
	}
	rc = endpoint_parse_port(conninfo, &db->ep, 0, false, msg, sizeof(msg));
	if (rc < 0)
		scrub_message(msg, sizeof(msg), conninfo);
	free(conninfo);
	if (rc < 0)
		return fail(L->err, L->errlen, "%s: [databases] %s: %s", where, name, msg);
	db->name = xstrdup(name);
	cfg->n_dbs++;
	return 0;
}

static int user_add(struct loader *L, const char *where, const char *name, const char *value)
{
	struct config *cfg = L->cfg;
	struct user_entry u = {.pool_size = -1, .pool_mode = -1};
	struct kwpair kv;
	const char *p = value;
	char msg[512];
	int i, rc;

	for (i = 0; i < cfg->n_users; i++)
		if (strcmp(cfg->users[i].name, name) == 0)
			return fail(L->err, L->errlen, "%s: [users] %s: user defined twice", where, name);
	while ((rc = kw_next(&p, &kv)) == 1) {
		rc = pool_key(&kv, &u.pool_size, &u.pool_mode, msg, sizeof(msg));
		if (rc == 0)
			rc = fail(msg, sizeof(msg), "unknown setting '%s' (expected pool_size or pool_mode)",
				  kv.key);
		kw_clear(&kv);
		if (rc < 0)
			return fail(L->err, L->errlen, "%s: [users] %s: %s", where, name, msg);
	}
	if (rc < 0) {
		kw_syntax_error(&kv, msg, sizeof(msg));
		kw_clear(&kv);
		return fail(L->err, L->errlen, "%s: [users] %s: %s", where, name, msg);
	}
	cfg->users = xrealloc(cfg->users, sizeof(*cfg->users) * (size_t)(cfg->n_users + 1));
	u.name = xstrdup(name);
	cfg->users[cfg->n_users++] = u;
	return 0;
}

/* ------------------------------------------------------------ the INI file */

enum section { SEC_NONE, SEC_PGPIN, SEC_DATABASES, SEC_USERS };

/* Cut a comment: ";" or "#" after white space, outside quotes.  Single
 * quotes follow libpq's rules so that connection strings survive. */
static void cut_comment(char *s)
{
	char q = 0, *p;

	for (p = s; *p; p++) {
		if (q) {
			if (q == '\'' && *p == '\\' && p[1])
				p++;
			else if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if ((*p == ';' || *p == '#') && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/* Strip one pair of quotes around the whole value, and only then: in
 * "'a' || 'b'" the quotes belong to the value. */
static char *unquote(char *v)
{
	size_t len = strlen(v);

	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && strchr(v + 1, v[0]) == v + len - 1) {
		v[len - 1] = '\0';
		return v + 1;
	}
	return v;
}

static const struct setting *find_setting(const char *name)
{
	size_t i;

	for (i = 0; i < N_SETTINGS; i++)
		if (strcasecmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

static int ini_section(struct loader *L, const char *where, char *s, enum section *sec)
{
	char *close = strchr(s, ']'), *rest, *name;

	if (!close)
		return fail(L->err, L->errlen, "%s: missing ']' in section header", where);
	*close = '\0';
	rest = trim(close + 1);
	if (*rest && *rest != ';' && *rest != '#')
		return fail(L->err, L->errlen, "%s: unexpected text after section header", where);
	name = trim(s + 1);
	if (strcasecmp(name, "pgpin") == 0)
		*sec = SEC_PGPIN;
	else if (strcasecmp(name, "databases") == 0)
		*sec = SEC_DATABASES;
	else if (strcasecmp(name, "users") == 0)
		*sec = SEC_USERS;
	else
		return fail(L->err, L->errlen,
			    "%s: unknown section [%s] (expected [pgpin], [databases] or [users])",
			    where, name);
	return 0;
}

static int ini_setting(struct loader *L, const char *where, const char *key, const char *val)
{
	const struct setting *s = find_setting(key);
	size_t i, len;

	if (!s)
		return fail(L->err, L->errlen, "%s: unknown setting '%s' in [pgpin]", where, key);
	i = (size_t)(s - settings);
	free(L->file_val[i]);
	free(L->file_src[i]);
	L->file_val[i] = xstrdup(val);
	len = strlen(where) + strlen(s->name) + 3;
	L->file_src[i] = xmalloc(len);
	snprintf(L->file_src[i], len, "%s: %s", where, s->name);
	return 0;
}

static int ini_line(struct loader *L, const char *where, char *line, enum section *sec)
{
	char *s = trim(line), *eq, *key, *val;

	if (*s == '\0' || *s == ';' || *s == '#')
		return 0;
	if (*s == '[')
		return ini_section(L, where, s, sec);
	eq = strchr(s, '=');
	if (!eq)
		return fail(L->err, L->errlen, "%s: expected 'key = value' or '[section]'", where);
	*eq = '\0';
	key = unquote(trim(s));
	val = eq + 1;
	cut_comment(val);
	val = unquote(trim(val));
	if (*key == '\0')
		return fail(L->err, L->errlen, "%s: missing name before '='", where);
	switch (*sec) {
	case SEC_PGPIN:
		return ini_setting(L, where, key, val);
	case SEC_DATABASES:
		return db_add(L, where, key, val);
	case SEC_USERS:
		return user_add(L, where, key, val);
	case SEC_NONE:
		break;
	}
	return fail(L->err, L->errlen, "%s: '%s' comes before any [section]", where, key);
}

static int ini_read(struct loader *L, const char *path)
{
	enum section sec = SEC_NONE;
	char *line = NULL, where[1024];
	size_t cap = 0;
	int lineno = 0, rc = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return fail(L->err, L->errlen, "cannot open config file '%s': %s", path,
			    strerror(errno));
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		char *s = line;
		lineno++;
		if (lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3; /* a UTF-8 byte order mark, as some editors write */
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		rc = ini_line(L, where, s, &sec);
	}
	if (rc == 0 && ferror(f))
		rc = fail(L->err, L->errlen, "cannot read config file '%s': %s", path,
			  strerror(errno));
	free(line);
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------ the command line */

static bool name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncmp(name, want, len) == 0;
}

static const struct setting *find_flag(const char *name, size_t len)
{
	char buf[64];
	size_t i;

	for (i = 0; i < N_SETTINGS; i++) {
		flag_name(&settings[i], buf, sizeof(buf));
		if (name_is(name, len, buf + 2))
			return &settings[i];
	}
	return NULL;
}

/* Several --listen flags add up; any other flag given twice: the last wins. */
static void store_flag(struct loader *L, const struct setting *s, const char *val)
{
	size_t i = (size_t)(s - settings);
	char *old = L->flag_val[i];

	if (s->type == T_LISTEN && old) {
		size_t len = strlen(old) + strlen(val) + 2;
		L->flag_val[i] = xmalloc(len);
		snprintf(L->flag_val[i], len, "%s %s", old, val);
	} else {
		L->flag_val[i] = xstrdup(val);
	}
	free(old);
}

/* Returns 1 to stop at --help or --version, 0 to go on, -1 on error. */
static int parse_long(struct loader *L, int argc, char *const argv[], int *i)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '='), *val;
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct setting *s = NULL;
	bool is_config = name_is(name, len, "config");

	if (name_is(name, len, "help") || name_is(name, len, "version") ||
	    name_is(name, len, "check")) {
		if (eq)
			return fail(L->err, L->errlen, "option '--%.*s' takes no value", (int)len,
				    name);
		L->cfg->action = name[0] == 'h'	  ? ACTION_HELP
				 : name[0] == 'v' ? ACTION_VERSION
						  : ACTION_CHECK;
		return L->cfg->action == ACTION_CHECK ? 0 : 1;
	}
	/* --no-NAME: a boolean setting turned off. */
	if (!is_config && !find_flag(name, len) && len > 3 && strncmp(name, "no-", 3) == 0 &&
	    (s = find_flag(name + 3, len - 3)) != NULL && s->type == T_BOOL) {
		if (eq)
			return fail(L->err, L->errlen, "option '--%.*s' takes no value", (int)len,
				    name);
		store_flag(L, s, "no");
		return 0;
	}
	if (!is_config && (s = find_flag(name, len)) == NULL)
		return fail(L->err, L->errlen, "unknown option '--%.*s' (see --help)", (int)len,
			    name);
	if (eq)
		val = eq + 1;
	else if (s && s->type == T_BOOL)
		val = "yes";
	else if (*i + 1 < argc)
		val = argv[++*i];
	else
		return fail(L->err, L->errlen, "option '--%.*s' needs a value", (int)len, name);
	if (is_config)
		L->config_flag = val;
	else
		store_flag(L, s, val);
	return 0;
}

static int parse_short(struct loader *L, int argc, char *const argv[], int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "-h") == 0 || strcmp(a, "-V") == 0) {
		L->cfg->action = a[1] == 'h' ? ACTION_HELP : ACTION_VERSION;
		return 1;
	}
	if (a[1] != 'c')
		return fail(L->err, L->errlen, "unknown option '%s' (see --help)", a);
	if (a[2])
		L->config_flag = a + 2;
	else if (*i + 1 < argc)
		L->config_flag = argv[++*i];
	else
		return fail(L->err, L->errlen, "option '-c' needs a file name");
	return 0;
}

static int parse_argv(struct loader *L, int argc, char *const argv[])
{
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			if (i + 1 < argc)
				return fail(L->err, L->errlen,
					    "unexpected argument '%s' (see --help)", argv[i + 1]);
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			return fail(L->err, L->errlen, "unexpected argument '%s' (see --help)", a);
		rc = a[1] == '-' ? parse_long(L, argc, argv, &i) : parse_short(L, argc, argv, &i);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------ wiping argv */

/* Where the value of a keyword pair starts, as written (quotes included). */
static const char *kw_value_start(const struct kwpair *kv)
{
	const char *p = kv->start + strcspn(kv->start, "=");

	if (*p == '=')
		p++;
	while (p < kv->end && isspace((unsigned char)*p))
		p++;
	return p;
}

/* The spans of a connection string that hold passwords, as written. */
static void secret_spans(const char *conninfo, struct spans *sp)
{
	const char *pw, *pw_end, *p = conninfo;
	bool after_password = false;
	struct kwpair kv;
	int rc;

	if (is_sqlite(conninfo))
		return;
	if (is_uri(conninfo)) {
		if (uri_password_span(conninfo, &pw, &pw_end))
			add_span(pw, pw_end, sp);
		uri_query_passwords(conninfo, add_span, sp);
		return;
	}
	/* As secret_candidates(): a password with an unquoted space leaves
	 * its second word as a stray key. */
	while ((rc = kw_next(&p, &kv)) != 0) {
		bool secret = false;
		if (kv.key && is_password_key(kv.key)) {
			add_span(kw_value_start(&kv), kv.end, sp);
			secret = true;
		} else if (rc < 0 && !kv.val && after_password) {
			add_span(kv.start, kv.end, sp);
			secret = true;
		}
		after_password = secret;
		kw_clear(&kv);
	}
	kw_clear(&kv);
}

/* Replace the secrets of str, in place, by at most 4 '*' each; the bytes
 * freed at the end are zeroed. */
static int wipe_secrets(char *str)
{
	struct spans sp = {.n = 0};
	size_t len = strlen(str), now;
	int i, j, n;

	secret_spans(str, &sp);
	/* Last span first, so that shifting the rest leaves earlier spans be. */
	for (i = 1; i < sp.n; i++)
		for (j = i; j > 0 && sp.start[j] > sp.start[j - 1]; j--) {
			const char *a = sp.start[j], *b = sp.end[j];
			sp.start[j] = sp.start[j - 1];
			sp.end[j] = sp.end[j - 1];
			sp.start[j - 1] = a;
			sp.end[j - 1] = b;
		}
	for (i = n = 0; i < sp.n; i++) {
		char *a = str + (sp.start[i] - str), *b = str + (sp.end[i] - str);
		size_t m = (size_t)(b - a) < 4 ? (size_t)(b - a) : 4;
		if (b <= a)
			continue;
		memset(a, '*', m);
		memmove(a + m, b, strlen(b) + 1);
		n++;
	}
	now = strlen(str);
	memset(str + now, 0, len - now);
	return n;
}

int config_wipe_argv_secrets(int argc, char *argv[])
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i], *name, *eq, *val = NULL;
		const struct setting *s;
		size_t len;

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "-c") == 0) {
			i++;
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			continue;
		name = a + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if (name_is(name, len, "config")) {
			i += !eq;
			continue;
		}
		s = find_flag(name, len);
		if (!s || (s->type == T_BOOL && !eq))
			continue;
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		if (val && s->secret)
			n += wipe_secrets(val);
	}
	return n;
}

/* ------------------------------------------------------------ resolving */

static int apply_endpoint(struct config *cfg, const char *v, const char *label, char *err,
			  size_t errlen)
{
	char msg[512];

	cfg->datastore_endpoint = xstrdup(v);
	/* No endpoint at all: serve the embedded SQLite store. */
	if (endpoint_parse(*v ? v : "sqlite:", &cfg->endpoint, msg, sizeof(msg)) < 0) {
		scrub_message(msg, sizeof(msg), v);
		return fail(err, errlen, "%s: %s", label, msg);
	}
	return 0;
}

/* Convert v, the winning text for setting s, into its field of cfg. */
static int apply(struct config *cfg, const struct setting *s, const char *v, const char *label,
		 char *err, size_t errlen)
{
	void *field = (char *)cfg + s->offset;
	char msg[512];
	long long n = 0;
	int rc = 0;

	switch (s->type) {
	case T_STRING:
	case T_PATH:
		*(char **)field = (*v || s->type == T_STRING) ? xstrdup(v) : NULL;
		break;
	case T_ENDPOINT:
		return apply_endpoint(cfg, v, label, err, errlen);
	case T_LISTEN:
		rc = parse_listen(v, &cfg->listen, &cfg->n_listen, msg, sizeof(msg));
		break;
	case T_INT:
	case T_OCTAL:
		rc = s->type == T_INT ? parse_int(v, s->min, s->max, &n, msg, sizeof(msg))
				      : parse_octal(v, s->min, s->max, &n, msg, sizeof(msg));
		*(int *)field = (int)n;
		break;
	case T_BOOL:
		rc = parse_bool(v, (bool *)field, msg, sizeof(msg));
		break;
	case T_SECONDS:
		rc = parse_seconds(v, (double *)field, msg, sizeof(msg));
		break;
	case T_SIZE:
		rc = parse_size(v, s->min, s->max, &n, msg, sizeof(msg));
		*(uint32_t *)field = (uint32_t)n;
		break;
	case T_ENUM:
		rc = parse_enum(v, s->choices, (int *)field, msg, sizeof(msg));
		break;
	}
	if (rc < 0)
		return fail(err, errlen, "%s: %s", label, msg);
	return 0;
}

/* For each setting take the flag, else the environment, else the file,
 * else the default. */
static int resolve(struct loader *L, char *const envp[])
{
	size_t i;

	for (i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];
		const char *v = s->def, *label = s->name, *e;
		char flag[64], env[64];

		flag_name(s, flag, sizeof(flag));
		env_name(s, env, sizeof(env));
		if (L->file_val[i]) {
			v = L->file_val[i];
			label = L->file_src[i];
		}
		if ((e = env_lookup(envp, env)) != NULL) {
			v = e;
			label = env;
		}
		if (L->flag_val[i]) {
			v = L->flag_val[i];
			label = flag;
		}
		if (apply(L->cfg, s, v, label, L->err, L->errlen) < 0)
			return -1;
	}
	return 0;
}

/* The rules that involve more than one setting. */
static int validate(const struct config *cfg, char *err, size_t errlen)
{
	int i;

	if (cfg->min_pool_size > cfg->pool_size)
		return fail(err, errlen, "min_pool_size (%d) must not be greater than pool_size (%d)",
			    cfg->min_pool_size, cfg->pool_size);
	if (cfg->n_listen == 0 && !cfg->unix_socket_dir)
		return fail(err, errlen,
			    "listen: no address to listen on (set listen or unix_socket_dir)");
	/* Trust lets anyone who can connect in as anyone: only local users may. */
	for (i = 0; cfg->auth_type == AUTH_TRUST && i < cfg->n_listen; i++)
		if (!config_host_is_loopback(cfg->listen[i].host))
			return fail(err, errlen,
				    "auth_type=trust is only allowed when every listen address is "
				    "loopback or a Unix socket; set auth_type and auth_file "
				    "(listen address %s is not loopback)",
				    cfg->listen[i].host);
	if (cfg->auth_type != AUTH_TRUST && !cfg->auth_file)
		return fail(err, errlen, "auth_type=%s needs auth_file",
			    auth_type_name(cfg->auth_type));
	if (!cfg->tls_cert != !cfg->tls_key)
		return fail(err, errlen, "tls_cert and tls_key go together: give both or neither");
	if (cfg->client_tls_mode >= CTLS_REQUIRE && !cfg->tls_cert)
		return fail(err, errlen, "client_tls_mode=%s needs tls_cert and tls_key",
			    client_tls_names[cfg->client_tls_mode]);
	if (cfg->client_tls_mode >= CTLS_VERIFY_CA && !cfg->tls_ca)
		return fail(err, errlen, "client_tls_mode=%s needs tls_ca",
			    client_tls_names[cfg->client_tls_mode]);
	return 0;
}

static int load_sources(struct loader *L, char *const envp[])
{
	const char *file = L->config_flag ? L->config_flag : env_lookup(envp, "PGPIN_CONFIG");

	if (file && *file) {
		L->cfg->config_file = xstrdup(file);
		if (ini_read(L, file) < 0)
			return -1;
	}
	if (resolve(L, envp) < 0)
		return -1;
	return validate(L->cfg, L->err, L->errlen);
}

static void loader_free(struct loader *L)
{
	size_t i;

	for (i = 0; i < N_SETTINGS; i++) {
		free(L->file_val[i]);
		free(L->file_src[i]);
		free(L->flag_val[i]);
	}
}

int config_load(struct config *cfg, int argc, char *const argv[], char *const envp[],
		char *err, size_t errlen)
{
	struct loader L;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	memset(&L, 0, sizeof(L));
	L.cfg = cfg;
	L.err = err;
	L.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	rc = parse_argv(&L, argc, argv);
	if (rc == 0)
		rc = load_sources(&L, envp);
	loader_free(&L);
	if (rc < 0) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

void config_free(struct config *cfg)
{
	size_t i;
	int j;

	for (i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];
		if (s->type == T_STRING || s->type == T_PATH || s->type == T_ENDPOINT)
			free(*(char **)((char *)cfg + s->offset));
	}
	for (j = 0; j < cfg->n_listen; j++)
		free(cfg->listen[j].host);
	free(cfg->listen);
	endpoint_free(&cfg->endpoint);
	for (j = 0; j < cfg->n_dbs; j++) {
		free(cfg->dbs[j].name);
		endpoint_free(&cfg->dbs[j].ep);
	}
	free(cfg->dbs);
	for (j = 0; j < cfg->n_users; j++)
		free(cfg->users[j].name);
	free(cfg->users);
	free(cfg->config_file);
	memset(cfg, 0, sizeof(*cfg));
}

/* ------------------------------------------------------------ printing */

/* Quote a value so that the INI reader gives it back unchanged. */
static char *ini_quote(const char *v)
{
	char q = strchr(v, '"') ? '\'' : '"';
	size_t len = strlen(v) + 3;
	char *out;

	if (strchr(v, '"') && strchr(v, '\''))
		return xstrdup(v);
	out = xmalloc(len);
	snprintf(out, len, "%c%s%c", q, v, q);
	return out;
}

/* A name as an INI key: quoted unless it is plain. */
static char *ini_key(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-*$", *p))
			return ini_quote(name);
	return xstrdup(name);
}

/* The shortest text that reads back as exactly d. */
static void format_seconds(double d, char *buf, size_t len)
{
	int prec;

	/* Plain decimals: "600" reads better than "6e+02". */
	for (prec = 0; prec <= 9; prec++) {
		snprintf(buf, len, "%.*f", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, len, "%.17g", d);
}

static void format_size(uint32_t n, char *buf, size_t len)
{
	if (n && n % (1024u * 1024 * 1024) == 0)
		snprintf(buf, len, "%uGB", n / (1024u * 1024 * 1024));
	else if (n && n % (1024u * 1024) == 0)
		snprintf(buf, len, "%uMB", n / (1024u * 1024));
	else if (n && n % 1024u == 0)
		snprintf(buf, len, "%ukB", n / 1024u);
	else
		snprintf(buf, len, "%u", n);
}

static char *format_listen(const struct config *cfg)
{
	struct sbuf sb = {0};
	char buf[300];
	int i;

	for (i = 0; i < cfg->n_listen; i++) {
		const struct listen_addr *la = &cfg->listen[i];
		snprintf(buf, sizeof(buf), strchr(la->host, ':') ? "%s[%s]:%d" : "%s%s:%d",
			 i ? ", " : "", la->host, la->port);
		sb_add(&sb, buf);
	}
	return cfg->n_listen ? sb_take(&sb) : xstrdup("\"\"");
}

static const char *choice_name(const char *const *choices, int v)
{
	int i;

	for (i = 0; choices[i]; i++)
		if (i == v)
			return choices[i];
	return "unknown";
}

/* The resolved value of setting s as INI text, secrets masked. */
static char *format_setting(const struct config *cfg, const struct setting *s)
{
	const void *field = (const char *)cfg + s->offset;
	const char *str;
	char buf[64] = "", *m, *q;

	switch (s->type) {
	case T_STRING:
	case T_PATH:
	case T_ENDPOINT:
		str = *(char *const *)field;
		m = s->secret ? mask_conninfo(str ? str : "") : xstrdup(str ? str : "");
		q = ini_quote(m);
		free(m);
		return q;
	case T_LISTEN:
		return format_listen(cfg);
	case T_INT:
		snprintf(buf, sizeof(buf), "%d", *(const int *)field);
		break;
	case T_OCTAL:
		snprintf(buf, sizeof(buf), "%04o", (unsigned)*(const int *)field);
		break;
	case T_BOOL:
		snprintf(buf, sizeof(buf), "%s", *(const bool *)field ? "yes" : "no");
		break;
	case T_SECONDS:
		format_seconds(*(const double *)field, buf, sizeof(buf));
		break;
	case T_SIZE:
		format_size(*(const uint32_t *)field, buf, sizeof(buf));
		break;
	case T_ENUM:
		snprintf(buf, sizeof(buf), "%s", choice_name(s->choices, *(const int *)field));
		break;
	}
	return xstrdup(buf);
}

static void kw_add(struct sbuf *sb, const char *key, const char *val)
{
	if (!val)
		return;
	if (sb->len)
		sb_add(sb, " ");
	sb_add(sb, key);
	sb_add(sb, "=");
	kw_add_value(sb, val);
}

/* An endpoint as a keyword string into sb, its password masked. */
static void format_endpoint(struct sbuf *sb, const struct endpoint *ep)
{
	char num[16];

	if (ep->kind == ENDPOINT_SQLITE) {
		sb_add(sb, "sqlite:");
		sb_add(sb, ep->sqlite_path);
		return;
	}
	kw_add(sb, "host", ep->host);
	kw_add(sb, "hostaddr", ep->hostaddr);
	snprintf(num, sizeof(num), "%d", ep->port);
	kw_add(sb, "port", ep->ports ? ep->ports : (ep->port ? num : NULL));
	kw_add(sb, "dbname", ep->dbname);
	kw_add(sb, "user", ep->user);
	kw_add(sb, "password", ep->password ? MASK : NULL);
	kw_add(sb, "passfile", ep->passfile);
	kw_add(sb, "application_name", ep->application_name);
	kw_add(sb, "options", ep->options);
	snprintf(num, sizeof(num), "%d", ep->connect_timeout);
	kw_add(sb, "connect_timeout", ep->connect_timeout ? num : NULL);
	kw_add(sb, "sslmode", ep->sslmode_given ? choice_name(ssl_mode_names, ep->sslmode) : NULL);
	kw_add(sb, "sslrootcert", ep->sslrootcert);
	kw_add(sb, "sslcert", ep->sslcert);
	kw_add(sb, "sslkey", ep->sslkey);
	kw_add(sb, "sslsni", ep->sslsni ? NULL : "0");
	kw_add(sb, "target_session_attrs",
	       ep->tsa_given ? choice_name(tsa_names, ep->target_session_attrs) : NULL);
}

/* A [databases] entry as a keyword string, its password masked. */
static char *format_db(const struct db_entry *db)
{
	struct sbuf sb = {0};
	char num[16];

	format_endpoint(&sb, &db->ep);
	if (db->ep.kind == ENDPOINT_SQLITE)
		return sb_take(&sb);
	snprintf(num, sizeof(num), "%d", db->pool_size);
	kw_add(&sb, "pool_size", db->pool_size >= 0 ? num : NULL);
	kw_add(&sb, "pool_mode", db->pool_mode >= 0 ? pool_mode_name(db->pool_mode) : NULL);
	return sb_take(&sb);
}

static char *format_user(const struct user_entry *u)
{
	struct sbuf sb = {0};
	char num[16];

	snprintf(num, sizeof(num), "%d", u->pool_size);
	kw_add(&sb, "pool_size", u->pool_size >= 0 ? num : NULL);
	kw_add(&sb, "pool_mode", u->pool_mode >= 0 ? pool_mode_name(u->pool_mode) : NULL);
	return sb_take(&sb);
}

static void print_entry(FILE *out, const char *name, char *value)
{
	char *k = ini_key(name), *v = ini_quote(value);

	fprintf(out, "%s = %s\n", k, v);
	free(k);
	free(v);
	free(value);
}

void config_print(const struct config *cfg, FILE *out)
{
	size_t i;
	int j;

	if (cfg->config_file)
		fprintf(out, "; pgpin configuration from flags, environment, %s and defaults\n",
			cfg->config_file);
	else
		fputs("; pgpin configuration from flags, environment and defaults\n", out);
	fputs("; passwords are shown as " MASK "\n\n[pgpin]\n", out);
	for (i = 0; i < N_SETTINGS; i++) {
		char *v = format_setting(cfg, &settings[i]);
		fprintf(out, "%s = %s\n", settings[i].name, v);
		free(v);
		/* What the endpoint means once defaults apply (k3s's for URIs). */
		if (settings[i].type == T_ENDPOINT) {
			struct sbuf sb = {0};
			format_endpoint(&sb, &cfg->endpoint);
			fprintf(out, "; resolved: %s\n", sb.s ? sb.s : "");
			free(sb.s);
		}
	}
	fputs("\n[databases]\n", out);
	for (j = 0; j < cfg->n_dbs; j++)
		print_entry(out, cfg->dbs[j].name, format_db(&cfg->dbs[j]));
	fputs("\n[users]\n", out);
	for (j = 0; j < cfg->n_users; j++)
		print_entry(out, cfg->users[j].name, format_user(&cfg->users[j]));
}

/* ------------------------------------------------------------ --help */

static void print_meta(FILE *out, const struct setting *s)
{
	int i;

	if (s->meta) {
		fprintf(out, "=%s", s->meta);
		return;
	}
	switch (s->type) {
	case T_BOOL:
		fputs("[=yes|no]", out);
		return;
	case T_ENUM:
		for (i = 0; s->choices[i]; i++)
			fprintf(out, "%s%s", i ? "|" : "=", s->choices[i]);
		return;
	case T_SECONDS:
		fputs("=DURATION", out);
		return;
	case T_SIZE:
		fputs("=SIZE", out);
		return;
	case T_INT:
		fputs("=N", out);
		return;
	case T_STRING:
	case T_PATH:
	case T_ENDPOINT:
	case T_LISTEN:
	case T_OCTAL:
		fputs("=VALUE", out);
		return;
	}
}

void config_usage(FILE *out)
{
	size_t i;

	fputs("Usage: pgpin [OPTION]...\n"
	      "A PostgreSQL-wire connection pooling proxy that keeps prepared statements\n"
	      "working under transaction pooling.\n"
	      "\n"
	      "  -c, --config=FILE  read settings from FILE, an INI file [PGPIN_CONFIG]\n"
	      "      --check        check the configuration, print it (passwords masked), exit\n"
	      "  -h, --help         print this help and exit\n"
	      "  -V, --version      print the version and exit\n"
	      "\n"
	      "Settings; a flag wins over its environment variable, which wins over the\n"
	      "config file's [pgpin] section, which wins over the default:\n",
	      out);
	for (i = 0; i < N_SETTINGS; i++) {
		const struct setting *s = &settings[i];
		char flag[64], env[64];

		flag_name(s, flag, sizeof(flag));
		env_name(s, env, sizeof(env));
		fprintf(out, "  %s", flag);
		print_meta(out, s);
		if (s->type == T_BOOL)
			fprintf(out, ", --no-%s", flag + 2);
		fprintf(out, "\n      %s\n      [%s; default: ", s->help, env);
		if (s->def_doc)
			fputs(s->def_doc, out);
		else
			fprintf(out, "%s%s", s->def, s->type == T_SECONDS ? "s" : "");
		fputs("]\n", out);
		if (s->secret)
			fprintf(out,
				"      A password in the flag is wiped from the process list at\n"
				"      start, but shows until then: put it in %s\n"
				"      or the config file.\n",
				env);
	}
	fputs("\n"
	      "DURATION is seconds, or a number with ms, s, min or h (250ms, 1.5s, 10min).\n"
	      "SIZE is bytes, or a number with kB, MB or GB.  A boolean flag alone means yes,\n"
	      "--no-NAME means no.\n",
	      out);
}

/* ------------------------------------------------------------ lookups */

const struct db_entry *config_find_db(const struct config *cfg, const char *name)
{
	const struct db_entry *fallback = NULL;
	int i;

	for (i = 0; i < cfg->n_dbs; i++) {
		if (strcmp(cfg->dbs[i].name, name) == 0)
			return &cfg->dbs[i];
		if (strcmp(cfg->dbs[i].name, "*") == 0)
			fallback = &cfg->dbs[i];
	}
	return fallback;
}

const struct user_entry *config_find_user(const struct config *cfg, const char *name)
{
	int i;

	for (i = 0; i < cfg->n_users; i++)
		if (strcmp(cfg->users[i].name, name) == 0)
			return &cfg->users[i];
	return NULL;
}

const char *pool_mode_name(enum pool_mode m)
{
	return choice_name(pool_mode_names, (int)m);
}

const char *auth_type_name(enum auth_type t)
{
	return choice_name(auth_type_names, (int)t);
}

const char *tsa_mode_name(int m)
{
	return choice_name(tsa_names, m);
}

bool config_host_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len;

	if (!host)
		return false;
	if (strcasecmp(host, "localhost") == 0)
		return true;
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}
