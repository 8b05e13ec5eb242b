/*
 * tls.c - OpenSSL contexts: the certificate pgpin shows its clients, and
 * the trust and identity it uses towards backends.
 *
 * Both sides speak TLS 1.2 or newer.  The client-facing context is made
 * at start and again at every SIGHUP; a connection keeps the context it
 * started with (SSL objects hold a reference), so a reload never disturbs
 * sessions in progress.  Backend contexts are keyed by the files they
 * load and built on first use; the per-connection settings (verification
 * mode, host name, SNI) go on the SSL object, since one context may serve
 * targets with different sslmode and hosts.
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "log.h"
#include "pool.h"

/* The client-facing context; NULL when tls_cert is not set. */
static SSL_CTX *frontend_ctx;

/* Backend contexts, by the files they were made from ("" = none). */
struct backend_ctx {
	struct backend_ctx *next;
	char *rootcert;
	char *cert;
	char *key;
	SSL_CTX *ctx;
};
static struct backend_ctx *backend_ctxs;

/* Everything OpenSSL reported, as "reason" of the first error, and the
 * queue left empty: a stale error would be blamed on the next connection. */
static void openssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	if (r)
		snprintf(buf, len, "%s", r);
	else if (e)
		ERR_error_string_n(e, buf, len);
	else if (errno)
		snprintf(buf, len, "%s", strerror(errno));
	else
		snprintf(buf, len, "unknown error");
	ERR_clear_error();
}

static int fail_file(char *err, size_t errlen, const char *what, const char *path)
{
	char why[200];
	openssl_reason(why, sizeof(why));
	snprintf(err, errlen, "could not load %s \"%s\": %s", what, path, why);
	return -1;
}

/* Settings both sides share. */
static void ctx_common(SSL_CTX *ctx)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* A peer closing without close_notify is an EOF, not an error:
	 * PostgreSQL clients and servers do it all the time. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
				     SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/* ------------------------------------------------------- towards clients */

static SSL_CTX *frontend_ctx_new(const struct config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	ERR_clear_error();
	errno = 0;
	if (!ctx) {
		snprintf(err, errlen, "could not create a TLS context");
		return NULL;
	}
	ctx_common(ctx);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	/* No session resumption, as PostgreSQL: every connection authenticates. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		fail_file(err, errlen, "tls_cert", cfg->tls_cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
		fail_file(err, errlen, "tls_key", cfg->tls_key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		char why[200];
		openssl_reason(why, sizeof(why));
		snprintf(err, errlen, "tls_key \"%s\" does not match tls_cert \"%s\": %s",
			 cfg->tls_key, cfg->tls_cert, why);
		goto fail;
	}
	if (cfg->tls_ciphers && *cfg->tls_ciphers &&
	    SSL_CTX_set_cipher_list(ctx, cfg->tls_ciphers) != 1) {
		char why[200];
		openssl_reason(why, sizeof(why));
		snprintf(err, errlen, "invalid tls_ciphers \"%s\": %s", cfg->tls_ciphers, why);
		goto fail;
	}
	if (cfg->tls_ca) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->tls_ca);
		if (!names || SSL_CTX_load_verify_locations(ctx, cfg->tls_ca, NULL) != 1) {
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			fail_file(err, errlen, "tls_ca", cfg->tls_ca);
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		/* As PostgreSQL with ssl_ca_file: ask for a certificate and
		 * verify what is presented; whether one is required is
		 * client_tls_mode's business, after the startup packet, so that
		 * the client gets a FATAL it can show rather than a TLS alert. */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	static const unsigned char sid[] = "pgpin";
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	ERR_clear_error();
	return ctx;
fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

int tls_init(const struct config *cfg, char *err, size_t errlen)
{
	if (!cfg->tls_cert)
		return 0;
	SSL_CTX *ctx = frontend_ctx_new(cfg, err, errlen);
	if (!ctx)
		return -1;
	frontend_ctx = ctx;
	static const char *const modes[] = {"disable", "allow", "require", "verify-ca",
					    "verify-full"};
	log_info("TLS for clients: certificate %s, client_tls_mode=%s", cfg->tls_cert,
		 modes[cfg->client_tls_mode]);
	return 0;
}

static void backend_ctxs_free(void)
{
	struct backend_ctx *b;
	while ((b = backend_ctxs)) {
		backend_ctxs = b->next;
		SSL_CTX_free(b->ctx);
		free(b->rootcert);
		free(b->cert);
		free(b->key);
		free(b);
	}
}

int tls_reload(const struct config *cfg)
{
	char err[512];

	/* Backend files are read again on the next connection. */
	backend_ctxs_free();
	if (!cfg->tls_cert) {
		if (frontend_ctx)
			log_info("TLS for clients: turned off (no tls_cert)");
		SSL_CTX_free(frontend_ctx);
		frontend_ctx = NULL;
		return 0;
	}
	SSL_CTX *ctx = frontend_ctx_new(cfg, err, sizeof(err));
	if (!ctx) {
		log_error("TLS for clients: %s; %s", err,
			  frontend_ctx ? "keeping the certificate loaded before"
				       : "TLS stays unavailable");
		return -1;
	}
	SSL_CTX_free(frontend_ctx);
	frontend_ctx = ctx;
	log_info("TLS for clients: certificate %s reloaded", cfg->tls_cert);
	return 0;
}

void tls_free(void)
{
	SSL_CTX_free(frontend_ctx);
	frontend_ctx = NULL;
	backend_ctxs_free();
}

bool tls_frontend_available(void)
{
	return frontend_ctx != NULL;
}

SSL *tls_frontend_new(char *err, size_t errlen)
{
	SSL *ssl = frontend_ctx ? SSL_new(frontend_ctx) : NULL;
	if (!ssl)
		snprintf(err, errlen, "could not create a TLS connection");
	ERR_clear_error();
	return ssl;
}

/* ------------------------------------------------------- towards backends */

/* HOME/.postgresql/NAME if it exists (libpq's default files), else NULL. */
static char *default_file(const char *name)
{
	const char *home = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096], path[4200];
	struct stat st;

	if (!home || !*home) {
		if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) != 0 || !res ||
		    !res->pw_dir || !*res->pw_dir)
			return NULL;
		home = res->pw_dir;
	}
	snprintf(path, sizeof(path), "%s/.postgresql/%s", home, name);
	if (stat(path, &st) != 0)
		return NULL;
	return strdup(path);
}

static bool same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The context for these files, made now if need be. */
static SSL_CTX *backend_ctx_get(const char *rootcert, const char *cert, const char *key, char *err,
				size_t errlen)
{
	struct backend_ctx *b;

	for (b = backend_ctxs; b; b = b->next)
		if (same(b->rootcert, rootcert) && same(b->cert, cert) && same(b->key, key))
			return b->ctx;

	ERR_clear_error();
	errno = 0;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "could not create a TLS context");
		return NULL;
	}
	ctx_common(ctx);
	if (rootcert && strcmp(rootcert, "system") == 0) {
		/* libpq 16's sslrootcert=system: the operating system's CAs. */
		if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
			fail_file(err, errlen, "the system's root certificates", "system");
			goto fail;
		}
	} else if (rootcert && SSL_CTX_load_verify_locations(ctx, rootcert, NULL) != 1) {
		fail_file(err, errlen, "root certificate file", rootcert);
		goto fail;
	}
	if (cert) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
			fail_file(err, errlen, "certificate file", cert);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
			fail_file(err, errlen, "private key file", key);
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			char why[200];
			openssl_reason(why, sizeof(why));
			snprintf(err, errlen,
				 "private key file \"%s\" does not match certificate \"%s\": %s",
				 key, cert, why);
			goto fail;
		}
	}
	if (!(b = calloc(1, sizeof(*b))))
		goto oom;
	b->rootcert = dup_or_null(rootcert);
	b->cert = dup_or_null(cert);
	b->key = dup_or_null(key);
	if ((rootcert && !b->rootcert) || (cert && !b->cert) || (key && !b->key)) {
		free(b->rootcert);
		free(b->cert);
		free(b->key);
		free(b);
		goto oom;
	}
	b->ctx = ctx;
	b->next = backend_ctxs;
	backend_ctxs = b;
	ERR_clear_error();
	return ctx;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static bool host_is_ip(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

SSL *tls_backend_new(const struct target *t, const char *host, char *err, size_t errlen)
{
	char *rootcert = NULL, *cert = NULL, *key = NULL;
	SSL *ssl = NULL;

	if (!host)
		host = "localhost";

	/* Root certificate: the one given (which must exist: pgpin does not
	 * follow libpq in silently skipping a named file that is missing),
	 * else libpq's default file if present.  Its presence turns on
	 * verification for every sslmode, as in libpq. */
	if (t->sslrootcert && *t->sslrootcert) {
		if (strcmp(t->sslrootcert, "system") != 0 && !file_exists(t->sslrootcert)) {
			snprintf(err, errlen, "root certificate file \"%s\" does not exist",
				 t->sslrootcert);
			goto out;
		}
		rootcert = strdup(t->sslrootcert);
	} else {
		rootcert = default_file("root.crt");
	}
	if (!rootcert && t->sslmode >= SSLMODE_VERIFY_CA) {
		snprintf(err, errlen,
			 "sslmode=%s needs a root certificate: set sslrootcert (or "
			 "--datastore-cafile), or change sslmode to disable server certificate "
			 "verification",
			 t->sslmode == SSLMODE_VERIFY_CA ? "verify-ca" : "verify-full");
		goto out;
	}
	/* Client certificate and key: the ones given, else libpq's defaults. */
	if (t->sslcert && *t->sslcert) {
		if (!file_exists(t->sslcert)) {
			snprintf(err, errlen, "certificate file \"%s\" does not exist", t->sslcert);
			goto out;
		}
		cert = strdup(t->sslcert);
	} else {
		cert = default_file("postgresql.crt");
	}
	if (cert) {
		key = t->sslkey && *t->sslkey ? strdup(t->sslkey) : default_file("postgresql.key");
		if (!key) {
			snprintf(err, errlen,
				 "certificate \"%s\" given, but no private key (sslkey)", cert);
			goto out;
		}
		if (!file_exists(key)) {
			snprintf(err, errlen, "private key file \"%s\" does not exist", key);
			goto out;
		}
	}

	SSL_CTX *ctx = backend_ctx_get(rootcert, cert, key, err, errlen);
	if (!ctx)
		goto out;
	if (!(ssl = SSL_new(ctx))) {
		snprintf(err, errlen, "could not create a TLS connection");
		goto out;
	}
	SSL_set_verify(ssl, rootcert ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	bool ip = host_is_ip(host);
	if (t->sslmode == SSLMODE_VERIFY_FULL) {
		X509_VERIFY_PARAM *pm = SSL_get0_param(ssl);
		X509_VERIFY_PARAM_set_hostflags(pm, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(pm, host)
			    : X509_VERIFY_PARAM_set1_host(pm, host, 0);
		if (ok != 1) {
			snprintf(err, errlen, "cannot verify the host name \"%s\"", host);
			SSL_free(ssl);
			ssl = NULL;
			goto out;
		}
	}
	/* SNI: names only, as libpq (an address is no server name). */
	if (t->sslsni && !ip && host[0] != '/' && SSL_set_tlsext_host_name(ssl, host) != 1)
		log_debug("server %s: could not set SNI", host);
out:
	ERR_clear_error();
	free(rootcert);
	free(cert);
	free(key);
	return ssl;
}

/* ------------------------------------------------------- peers */

void tls_error_string(SSL *ssl, unsigned long err, char *buf, size_t len)
{
	long vr = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;

	if (vr != X509_V_OK) {
		snprintf(buf, len, "certificate verify failed: %s",
			 X509_verify_cert_error_string(vr));
	} else if (err) {
		const char *r = ERR_reason_error_string(err);
		if (r)
			snprintf(buf, len, "%s", r);
		else
			ERR_error_string_n(err, buf, len);
	} else {
		snprintf(buf, len, "connection closed during the TLS handshake");
	}
}

bool tls_peer_verified(SSL *ssl)
{
	return SSL_get0_peer_certificate(ssl) && SSL_get_verify_result(ssl) == X509_V_OK;
}

int tls_peer_cn(SSL *ssl, char *buf, size_t len)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	int rc = -1;

	if (!cert)
		return -1;
	X509_NAME *subject = X509_get_subject_name(cert);
	int i = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
	if (i >= 0) {
		ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
		unsigned char *utf8 = NULL;
		int n = data ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
		/* A NUL inside the name would let "admin\0.evil" pass for "admin". */
		if (n >= 0 && (size_t)n < len && memchr(utf8, 0, (size_t)n) == NULL) {
			memcpy(buf, utf8, (size_t)n);
			buf[n] = 0;
			rc = 0;
		}
		OPENSSL_free(utf8);
	}
	return rc;
}

void tls_describe(SSL *ssl, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
}
