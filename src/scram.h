/*
 * scram.h - SCRAM-SHA-256 (RFC 5802, RFC 7677) and PostgreSQL's MD5 password
 * scheme, both sides: pgpin verifying its clients, and pgpin logging in to
 * PostgreSQL.
 *
 * Pure functions over strings plus OpenSSL's digests and RNG: no sockets.
 * Channel binding is not offered (the GS2 header is "n,,"); a client that
 * asks for it ("p=") is refused, one that could but did not ("y,,") is
 * accepted, as PostgreSQL does without TLS.
 */
#ifndef PGPIN_SCRAM_H
#define PGPIN_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCRAM_KEY_LEN 32
#define SCRAM_DEFAULT_ITERATIONS 4096
#define SCRAM_MECHANISM "SCRAM-SHA-256"

/* A stored verifier in PostgreSQL's format
 * "SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>". */
struct scram_secret {
	int iterations;
	uint8_t salt[64];
	size_t salt_len;
	uint8_t stored_key[SCRAM_KEY_LEN];
	uint8_t server_key[SCRAM_KEY_LEN];
};

/* Room for any verifier scram_secret_format writes (a 64-byte salt). */
#define SCRAM_SECRET_BUFLEN 256

/* Parse a verifier; 0, or -1 if s is not one (out untouched). */
int scram_parse_secret(const char *s, struct scram_secret *out);
bool scram_is_secret(const char *s);
/* Derive a verifier from a plain password; salt random, given iterations. */
int scram_secret_from_password(const char *password, int iterations,
			       struct scram_secret *out);
/* Same with a given salt (1..64 bytes): deterministic. */
int scram_secret_from_password_salt(const char *password, const uint8_t *salt,
				    size_t salt_len, int iterations,
				    struct scram_secret *out);
/* Write the verifier in PostgreSQL's format; its length, or -1 if outlen
 * is too small (SCRAM_SECRET_BUFLEN always suffices). */
int scram_secret_format(const struct scram_secret *secret, char *out, size_t outlen);
/* A fake verifier for a user that does not exist: the salt is derived from
 * the name and a per-process random key, so it is stable for a name within
 * a run and looks like any other salt.  Pass it to scram_server_new with
 * mock = true; the keys are random and never verify.  0, or -1 (RNG). */
int scram_mock_secret(const char *user, struct scram_secret *out);

/* ---- server side: verify a client ---- */
struct scram_server;

/* mock: run a full exchange that always fails (unknown user), so that a
 * client cannot tell unknown users from wrong passwords.  With mock, secret
 * should come from scram_mock_secret(user); NULL or an unusable secret
 * (no salt, no iterations, e.g. all zeroes) falls back to the mock secret
 * of "", which gives every unknown user the same salt.  The secret is
 * copied.  NULL without mock if the secret is NULL or unusable, or on RNG
 * failure. */
struct scram_server *scram_server_new(const struct scram_secret *secret, bool mock);
/* client-first-message in, server-first-message out (malloc'd).
 * Returns 0, or -1 with a message in err (malformed input). */
int scram_server_first(struct scram_server *s, const char *in, size_t inlen,
		       char **out, char *err, size_t errlen);
/* client-final-message in; on a valid proof returns 0 and the
 * server-final-message ("v=...") in *out; -1 on bad proof or malformed input.
 * A wrong proof and a mock exchange give the same err text
 * ("password authentication failed"); err is for the log, never for the
 * client, which must get the same error whatever went wrong. */
int scram_server_final(struct scram_server *s, const char *in, size_t inlen,
		       char **out, char *err, size_t errlen);
void scram_server_free(struct scram_server *s);

/* ---- client side: log in to PostgreSQL ---- */
struct scram_client;

struct scram_client *scram_client_new(const char *password);
/* client-first-message ("n,,n=,r=<nonce>"), malloc'd. */
char *scram_client_first(struct scram_client *c);
/* server-first-message in, client-final-message out (malloc'd), or NULL
 * with a message in err. */
char *scram_client_final(struct scram_client *c, const char *in, size_t inlen,
			 char *err, size_t errlen);
/* server-final-message: 0 if the server proved it knows the verifier. */
int scram_client_verify(struct scram_client *c, const char *in, size_t inlen,
			char *err, size_t errlen);
void scram_client_free(struct scram_client *c);

/* ---- for tests only: fixed nonces (RFC 7677 test vector) ---- */

/* nonce replaces the random server nonce (printable, no ','). */
struct scram_server *scram_server_new_with_nonce(const struct scram_secret *secret,
						 bool mock, const char *nonce);
/* nonce replaces the random client nonce; user (NULL for none, as pgpin
 * sends) goes into n=, escaped. */
struct scram_client *scram_client_new_with_nonce(const char *password,
						 const char *user,
						 const char *nonce);

/* ---- MD5 ("md5" + hex(md5(hex(md5(password || user)) || salt))) ---- */

/* out receives "md5" + 32 hex digits + NUL (36 bytes). */
void pg_md5_hash(const char *password, const char *user, char out[36]);
/* out is "" if md5hash is not "md5" + 32 hex digits, or MD5 is unavailable
 * (OpenSSL in FIPS mode); pg_md5_hash likewise. */
void pg_md5_salted(const char *md5hash /* "md5..." */, const uint8_t salt[4],
		   char out[36]);
/* Check a client's PasswordMessage for md5 auth against a stored secret that
 * is either a plain password or an "md5..." hash.  Constant time.  A SCRAM
 * verifier cannot answer an md5 challenge: false. */
bool pg_md5_verify(const char *stored, const char *user, const uint8_t salt[4],
		   const char *response);

/* "md5" followed by 32 hex digits: an MD5 hash as PostgreSQL stores it. */
bool pg_md5_is_hash(const char *s);

/* Constant-time comparison. */
bool scram_ct_equal(const void *a, const void *b, size_t n);

#endif
