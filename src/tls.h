/*
 * tls.h - OpenSSL contexts for both sides of pgpin.
 *
 * Towards clients: one server context made from tls_cert, tls_key and
 * tls_ca, rebuilt on SIGHUP (a new certificate that does not load leaves
 * the running one in place).  Towards backends: one client context per
 * set of certificate files (sslrootcert, sslcert, sslkey), made on first
 * use and dropped on SIGHUP, so replaced files are read again.
 *
 * This module makes SSL objects and explains failures; the connections
 * themselves are bufferevents (net_start_tls() in net.h), and the
 * protocol around them (SSLRequest, sslmode, client_tls_mode) lives in
 * client.c and server.c.
 */
#ifndef PGPIN_TLS_H
#define PGPIN_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct config;
struct target;

/* Load the client-facing certificate (when tls_cert is set).  At start:
 * 0, or -1 with the reason in err. */
int tls_init(const struct config *cfg, char *err, size_t errlen);
/* SIGHUP: reload the client-facing certificate from cfg, keeping the old
 * one (and logging why) if the new one does not load; forget the backend
 * contexts.  0 or -1. */
int tls_reload(const struct config *cfg);
void tls_free(void);

/* True when a client-facing certificate is loaded. */
bool tls_frontend_available(void);
/* A server-side SSL for one client connection; NULL with err on failure. */
SSL *tls_frontend_new(char *err, size_t errlen);

/*
 * A client-side SSL for a connection to host (one of target t's), set up
 * as t's sslmode says (libpq's rules): the server certificate is checked
 * against the root certificate when there is one (sslrootcert, or
 * ~/.postgresql/root.crt), which verify-ca and verify-full require;
 * verify-full also checks host, a name or an IP address; the client
 * certificate (sslcert/sslkey, or ~/.postgresql/postgresql.crt/.key) is
 * presented; SNI is sent when sslsni is on and the host is a name.
 * NULL with err when a file does not load.
 */
SSL *tls_backend_new(const struct target *t, const char *host, char *err, size_t errlen);

/*
 * Why a handshake failed: the certificate verification result when
 * there is one ("certificate verify failed: hostname mismatch"), else
 * the OpenSSL error err (0: none known).
 */
void tls_error_string(SSL *ssl, unsigned long err, char *buf, size_t len);
/* The peer presented a certificate and it verified. */
bool tls_peer_verified(SSL *ssl);
/* The CN of the peer's certificate: 0, or -1 if there is none or it
 * holds a NUL byte or does not fit. */
int tls_peer_cn(SSL *ssl, char *buf, size_t len);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs. */
void tls_describe(SSL *ssl, char *buf, size_t len);

#endif
