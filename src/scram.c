/*
 * scram.c - SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL runs it, on
 * both sides, and PostgreSQL's MD5 password scheme.
 *
 *   client                                        server
 *   client-first  "n,,n=,r=<cnonce>"          -->
 *                 <-- server-first  "r=<cnonce><snonce>,s=<salt>,i=<iter>"
 *   client-final  "c=biws,r=<nonce>,p=<proof>" -->
 *                 <-- server-final  "v=<server signature>"
 *
 * Both proofs are HMACs over the AuthMessage: client-first-message-bare,
 * server-first-message and client-final-message-without-proof joined by
 * commas.  This file handles the strings and the cryptography only; framing
 * them in PostgreSQL protocol messages is the caller's business.
 */
#include "scram.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define NONCE_RAW_LEN 18 /* as PostgreSQL: 24 base64 characters */
#define SALT_LEN 16	 /* PostgreSQL's SCRAM_DEFAULT_SALT_LEN */
#define SALT_MAX (sizeof(((struct scram_secret *)0)->salt))
#define B64_LEN(n) (4 * (((n) + 2) / 3))

static const char secret_prefix[] = "SCRAM-SHA-256$";

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* malloc'd printf, or NULL. */
static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* Free a string that held key material. */
static void free_secret_str(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* ------------------------------------------------------------ base64 */

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* out must hold B64_LEN(n) + 1 bytes; it is NUL-terminated. */
static void b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i = 0;

	for (; n - i >= 3; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64_chars[w >> 18];
		*out++ = b64_chars[(w >> 12) & 63];
		*out++ = b64_chars[(w >> 6) & 63];
		*out++ = b64_chars[w & 63];
	}
	if (n - i == 1) {
		uint32_t w = (uint32_t)in[i] << 16;
		*out++ = b64_chars[w >> 18];
		*out++ = b64_chars[(w >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = b64_chars[w >> 18];
		*out++ = b64_chars[(w >> 12) & 63];
		*out++ = b64_chars[(w >> 6) & 63];
		*out++ = '=';
	}
	*out = '\0';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode len characters of strict base64 (whole quanta, '=' only as final
 * padding, no white space) into at most cap bytes.  The decoded length, or
 * -1 if the input is not base64 or does not fit.
 */
static int b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;

	if (len % 4 != 0 || len / 4 * 3 > INT_MAX)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t w = 0;
		int pad = 0;

		for (int k = 0; k < 4; k++) {
			char c = in[i + k];
			int v = 0;

			if (c == '=') {
				/* "xx==" or "xxx=", and only in the last quantum */
				if (i + 4 != len || k < 2)
					return -1;
				pad++;
			} else {
				if (pad > 0 || (v = b64_value(c)) < 0)
					return -1;
			}
			w = w << 6 | (uint32_t)v;
		}
		if (o + (size_t)(3 - pad) > cap)
			return -1;
		out[o++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)w;
	}
	return (int)o;
}

/* ------------------------------------------------------------ crypto */

static bool hmac_sha256(const uint8_t *key, size_t keylen, const void *msg,
			size_t msglen, uint8_t out[SCRAM_KEY_LEN])
{
	unsigned int outlen = 0;

	return HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &outlen) != NULL &&
	       outlen == SCRAM_KEY_LEN;
}

static bool sha256(const void *msg, size_t len, uint8_t out[SCRAM_KEY_LEN])
{
	unsigned int outlen = 0;

	return EVP_Digest(msg, len, out, &outlen, EVP_sha256(), NULL) == 1 &&
	       outlen == SCRAM_KEY_LEN;
}

/*
 * SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2 with
 * HMAC-SHA-256.
 *
 * Normalize is SASLprep in the RFC.  PostgreSQL uses a pure ASCII password
 * as it is, which is what we do.  For other passwords PostgreSQL applies
 * SASLprep (NFKC, mapping some characters to nothing or to a space) and
 * falls back to the raw bytes when the result is prohibited or the input is
 * not UTF-8; we always use the raw bytes.  The two agree for the common
 * case of NFKC-stable UTF-8 text (e.g. "café" typed in NFC) and differ only
 * for passwords that SASLprep would rewrite, such as ones holding
 * compatibility characters or non-ASCII spaces.
 */
static bool salted_password(const char *password, const uint8_t *salt, size_t salt_len,
			    int iterations, uint8_t out[SCRAM_KEY_LEN])
{
	return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len,
				 iterations, EVP_sha256(), SCRAM_KEY_LEN, out) == 1;
}

/* ClientKey, StoredKey = H(ClientKey) and ServerKey from SaltedPassword. */
static bool derive_keys(const uint8_t salted[SCRAM_KEY_LEN], uint8_t client_key[SCRAM_KEY_LEN],
			uint8_t stored_key[SCRAM_KEY_LEN], uint8_t server_key[SCRAM_KEY_LEN])
{
	return hmac_sha256(salted, SCRAM_KEY_LEN, "Client Key", 10, client_key) &&
	       sha256(client_key, SCRAM_KEY_LEN, stored_key) &&
	       hmac_sha256(salted, SCRAM_KEY_LEN, "Server Key", 10, server_key);
}

bool scram_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* ------------------------------------------------------------ verifiers */

/* A decimal number 1..INT_MAX spelled by exactly len digits. */
static int parse_positive_int(const char *s, size_t len, int *out)
{
	long long v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

int scram_parse_secret(const char *s, struct scram_secret *out)
{
	struct scram_secret tmp;
	const char *p, *end;
	int n;
	int rc = -1;

	if (s == NULL || strncmp(s, secret_prefix, sizeof(secret_prefix) - 1) != 0)
		return -1;
	memset(&tmp, 0, sizeof(tmp));
	p = s + sizeof(secret_prefix) - 1;

	/* <iterations>: */
	if ((end = strchr(p, ':')) == NULL ||
	    parse_positive_int(p, (size_t)(end - p), &tmp.iterations) != 0)
		goto done;
	p = end + 1;
	/* <salt>$ */
	if ((end = strchr(p, '$')) == NULL ||
	    (n = b64_decode(p, (size_t)(end - p), tmp.salt, SALT_MAX)) < 1)
		goto done;
	tmp.salt_len = (size_t)n;
	p = end + 1;
	/* <StoredKey>:<ServerKey> */
	if ((end = strchr(p, ':')) == NULL ||
	    b64_decode(p, (size_t)(end - p), tmp.stored_key, SCRAM_KEY_LEN) != SCRAM_KEY_LEN)
		goto done;
	p = end + 1;
	if (b64_decode(p, strlen(p), tmp.server_key, SCRAM_KEY_LEN) != SCRAM_KEY_LEN)
		goto done;

	if (out != NULL)
		*out = tmp;
	rc = 0;
done:
	OPENSSL_cleanse(&tmp, sizeof(tmp));
	return rc;
}

bool scram_is_secret(const char *s)
{
	return scram_parse_secret(s, NULL) == 0;
}

int scram_secret_from_password_salt(const char *password, const uint8_t *salt,
				    size_t salt_len, int iterations,
				    struct scram_secret *out)
{
	uint8_t salted[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
	int rc = -1;

	if (password == NULL || salt == NULL || salt_len == 0 || salt_len > SALT_MAX ||
	    iterations < 1 || out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	out->iterations = iterations;
	memcpy(out->salt, salt, salt_len);
	out->salt_len = salt_len;
	if (salted_password(password, salt, salt_len, iterations, salted) &&
	    derive_keys(salted, client_key, out->stored_key, out->server_key))
		rc = 0;
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	return rc;
}

int scram_secret_from_password(const char *password, int iterations,
			       struct scram_secret *out)
{
	uint8_t salt[SALT_LEN];

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	return scram_secret_from_password_salt(password, salt, sizeof(salt), iterations, out);
}

int scram_secret_format(const struct scram_secret *secret, char *out, size_t outlen)
{
	char salt[B64_LEN(SALT_MAX) + 1];
	char stored[B64_LEN(SCRAM_KEY_LEN) + 1];
	char server[B64_LEN(SCRAM_KEY_LEN) + 1];
	int n;

	if (secret->salt_len == 0 || secret->salt_len > SALT_MAX)
		return -1;
	b64_encode(secret->salt, secret->salt_len, salt);
	b64_encode(secret->stored_key, SCRAM_KEY_LEN, stored);
	b64_encode(secret->server_key, SCRAM_KEY_LEN, server);
	n = snprintf(out, outlen, "%s%d:%s$%s:%s", secret_prefix, secret->iterations, salt,
		     stored, server);
	OPENSSL_cleanse(stored, sizeof(stored));
	OPENSSL_cleanse(server, sizeof(server));
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0)
			OPENSSL_cleanse(out, outlen);
		return -1;
	}
	return n;
}

/*
 * Unknown users get a salt that is a keyed hash of their name, so that asking
 * twice for the same name gives the same salt, as for a real user, and the
 * salt cannot be predicted without the key, which lives only in this process.
 */
static uint8_t mock_key[SCRAM_KEY_LEN];
static bool mock_key_ok;
static pthread_once_t mock_key_once = PTHREAD_ONCE_INIT;

static void mock_key_init(void)
{
	mock_key_ok = RAND_bytes(mock_key, sizeof(mock_key)) == 1;
}

int scram_mock_secret(const char *user, struct scram_secret *out)
{
	uint8_t mac[SCRAM_KEY_LEN];

	pthread_once(&mock_key_once, mock_key_init);
	if (!mock_key_ok)
		return -1;
	if (user == NULL)
		user = "";
	memset(out, 0, sizeof(*out));
	if (!hmac_sha256(mock_key, sizeof(mock_key), user, strlen(user), mac))
		return -1;
	out->iterations = SCRAM_DEFAULT_ITERATIONS;
	memcpy(out->salt, mac, SALT_LEN);
	out->salt_len = SALT_LEN;
	if (RAND_bytes(out->stored_key, SCRAM_KEY_LEN) != 1 ||
	    RAND_bytes(out->server_key, SCRAM_KEY_LEN) != 1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ message parsing */

/* A NUL-terminated copy of a message, or NULL (empty, NUL inside, memory). */
static char *msg_dup(const char *in, size_t inlen, char *err, size_t errlen)
{
	char *s;

	if (in == NULL || inlen == 0) {
		set_err(err, errlen, "malformed SCRAM message (empty message)");
		return NULL;
	}
	if (memchr(in, '\0', inlen) != NULL) {
		set_err(err, errlen, "malformed SCRAM message (NUL byte in message)");
		return NULL;
	}
	if ((s = malloc(inlen + 1)) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(s, in, inlen);
	s[inlen] = '\0';
	return s;
}

/*
 * Read "<attr>=<value>" at *p, the value running to the next ',' or the end.
 * On success *p points at that ',' or NUL.
 */
static bool read_attr(const char **p, char attr, const char **value, size_t *len)
{
	const char *s = *p;

	if (s[0] != attr || s[1] != '=')
		return false;
	*value = s + 2;
	*len = strcspn(s + 2, ",");
	*p = s + 2 + *len;
	return true;
}

/* Skip an extension attribute: a letter, '=', a value. */
static bool skip_attr(const char **p)
{
	const char *s = *p;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) || s[1] != '=')
		return false;
	*p = s + 2 + strcspn(s + 2, ",");
	return true;
}

/* Skip ",ext=value" attributes; false on a malformed one. */
static bool skip_extensions(const char **p)
{
	while (**p == ',') {
		(*p)++;
		if (!skip_attr(p))
			return false;
	}
	return true;
}

/* RFC 5802: a nonce is printable ASCII without ','. */
static bool valid_nonce(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ',')
			return false;
	return true;
}

static bool random_nonce(char out[B64_LEN(NONCE_RAW_LEN) + 1])
{
	uint8_t raw[NONCE_RAW_LEN];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return false;
	b64_encode(raw, sizeof(raw), out);
	return true;
}

/* ------------------------------------------------------------ server side */

enum server_state {
	SERVER_WANT_FIRST,
	SERVER_WANT_FINAL,
	SERVER_DONE, /* succeeded or failed: no more messages */
};

struct scram_server {
	enum server_state state;
	bool mock;
	struct scram_secret secret;
	const char *cbind;	 /* c= the client must send: base64 of its GS2 header */
	char *fixed_nonce;	 /* tests only: replaces the random server nonce */
	char *nonce;		 /* client nonce + server nonce */
	char *client_first_bare; /* for the AuthMessage */
	char *server_first;
};

static bool secret_usable(const struct scram_secret *secret)
{
	return secret != NULL && secret->iterations >= 1 && secret->salt_len >= 1 &&
	       secret->salt_len <= SALT_MAX;
}

struct scram_server *scram_server_new_with_nonce(const struct scram_secret *secret,
						 bool mock, const char *nonce)
{
	struct scram_secret mock_secret;
	struct scram_server *s;

	if (nonce != NULL && !valid_nonce(nonce, strlen(nonce)))
		return NULL;
	/* A mock exchange must look real: an empty salt or "i=0" would tell
	 * the client (and libpq refuses "i=0" outright). */
	if (!secret_usable(secret)) {
		if (!mock || scram_mock_secret("", &mock_secret) != 0)
			return NULL;
		secret = &mock_secret;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto done;
	s->state = SERVER_WANT_FIRST;
	s->mock = mock;
	s->secret = *secret;
	if (nonce != NULL && (s->fixed_nonce = strdup(nonce)) == NULL) {
		scram_server_free(s);
		s = NULL;
	}
done:
	OPENSSL_cleanse(&mock_secret, sizeof(mock_secret));
	return s;
}

struct scram_server *scram_server_new(const struct scram_secret *secret, bool mock)
{
	return scram_server_new_with_nonce(secret, mock, NULL);
}

void scram_server_free(struct scram_server *s)
{
	if (s == NULL)
		return;
	free(s->fixed_nonce);
	free(s->nonce);
	free(s->client_first_bare);
	free(s->server_first);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/*
 * client-first-message = gs2-header client-first-message-bare
 *   gs2-header = ("n" / "y" / "p=" name) "," [ "a=" authzid ] ","
 *   client-first-message-bare = [ "m=" ext "," ] "n=" user "," "r=" nonce
 *                               [ "," extensions ]
 * The user name is ignored: PostgreSQL clients send "n=" and the user is the
 * one of the startup packet.
 */
int scram_server_first(struct scram_server *s, const char *in, size_t inlen, char **out,
		       char *err, size_t errlen)
{
	char *msg = NULL;
	const char *p, *bare, *cnonce, *v;
	size_t cnonce_len, n;
	char snonce_buf[B64_LEN(NONCE_RAW_LEN) + 1];
	const char *snonce;
	char salt[B64_LEN(SALT_MAX) + 1];

	*out = NULL;
	if (s->state != SERVER_WANT_FIRST) {
		set_err(err, errlen, "SCRAM exchange out of order");
		goto fail;
	}
	if ((msg = msg_dup(in, inlen, err, errlen)) == NULL)
		goto fail;
	p = msg;

	switch (*p) {
	case 'n':
		s->cbind = "biws";
		break;
	case 'y':
		/* The client could bind but thinks we cannot: right, we do not. */
		s->cbind = "eSws";
		break;
	case 'p':
		set_err(err, errlen,
			"client requires SCRAM channel binding, but it is not offered");
		goto fail;
	default:
		set_err(err, errlen, "malformed SCRAM message (unexpected channel-binding flag)");
		goto fail;
	}
	p++;
	if (*p != ',') {
		set_err(err, errlen,
			"malformed SCRAM message (comma expected after channel-binding flag)");
		goto fail;
	}
	p++;
	if (p[0] == 'a' && p[1] == '=') {
		set_err(err, errlen,
			"client uses an authorization identity, which is not supported");
		goto fail;
	}
	if (*p != ',') {
		set_err(err, errlen, "malformed SCRAM message (comma expected after GS2 header)");
		goto fail;
	}
	p++;

	bare = p;
	if (p[0] == 'm' && p[1] == '=') {
		set_err(err, errlen, "client requires an unsupported SCRAM extension");
		goto fail;
	}
	if (!read_attr(&p, 'n', &v, &n)) {
		set_err(err, errlen, "malformed SCRAM message (user name expected)");
		goto fail;
	}
	if (*p != ',') {
		set_err(err, errlen, "malformed SCRAM message (nonce expected)");
		goto fail;
	}
	p++;
	if (!read_attr(&p, 'r', &cnonce, &cnonce_len)) {
		set_err(err, errlen, "malformed SCRAM message (nonce expected)");
		goto fail;
	}
	if (!valid_nonce(cnonce, cnonce_len)) {
		set_err(err, errlen, "malformed SCRAM message (invalid nonce)");
		goto fail;
	}
	if (!skip_extensions(&p)) {
		set_err(err, errlen, "malformed SCRAM message (invalid extension)");
		goto fail;
	}

	if (s->fixed_nonce != NULL) {
		snonce = s->fixed_nonce;
	} else {
		if (!random_nonce(snonce_buf)) {
			set_err(err, errlen, "could not generate a SCRAM nonce");
			goto fail;
		}
		snonce = snonce_buf;
	}
	b64_encode(s->secret.salt, s->secret.salt_len, salt);
	s->nonce = str_printf("%.*s%s", (int)cnonce_len, cnonce, snonce);
	s->client_first_bare = strdup(bare);
	if (s->nonce != NULL)
		s->server_first =
			str_printf("r=%s,s=%s,i=%d", s->nonce, salt, s->secret.iterations);
	if (s->nonce == NULL || s->client_first_bare == NULL || s->server_first == NULL ||
	    (*out = strdup(s->server_first)) == NULL) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	free(msg);
	s->state = SERVER_WANT_FINAL;
	return 0;

fail:
	free(msg);
	s->state = SERVER_DONE;
	return -1;
}

/* ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); H(ClientKey)
 * must be StoredKey. */
static bool verify_client_proof(const struct scram_secret *secret, const char *auth,
				const uint8_t proof[SCRAM_KEY_LEN])
{
	uint8_t sig[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN], h[SCRAM_KEY_LEN];
	bool ok = false;

	if (hmac_sha256(secret->stored_key, SCRAM_KEY_LEN, auth, strlen(auth), sig)) {
		for (int i = 0; i < SCRAM_KEY_LEN; i++)
			client_key[i] = proof[i] ^ sig[i];
		ok = sha256(client_key, SCRAM_KEY_LEN, h) &&
		     CRYPTO_memcmp(h, secret->stored_key, SCRAM_KEY_LEN) == 0;
	}
	OPENSSL_cleanse(sig, sizeof(sig));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	OPENSSL_cleanse(h, sizeof(h));
	return ok;
}

/*
 * client-final-message = "c=" cbind "," "r=" nonce [ "," extensions ]
 *                        "," "p=" proof
 */
int scram_server_final(struct scram_server *s, const char *in, size_t inlen, char **out,
		       char *err, size_t errlen)
{
	char *msg = NULL, *auth = NULL;
	const char *p, *v, *without_proof_end;
	size_t n;
	uint8_t proof[SCRAM_KEY_LEN], sig[SCRAM_KEY_LEN];
	char sig_b64[B64_LEN(SCRAM_KEY_LEN) + 1];
	bool ok;
	int rc = -1;

	*out = NULL;
	if (s->state != SERVER_WANT_FINAL) {
		set_err(err, errlen, "SCRAM exchange out of order");
		goto done;
	}
	s->state = SERVER_DONE; /* one attempt, whatever the outcome */
	if ((msg = msg_dup(in, inlen, err, errlen)) == NULL)
		goto done;
	p = msg;

	if (!read_attr(&p, 'c', &v, &n)) {
		set_err(err, errlen, "malformed SCRAM message (channel binding expected)");
		goto done;
	}
	if (n != strlen(s->cbind) || memcmp(v, s->cbind, n) != 0) {
		set_err(err, errlen,
			"SCRAM channel binding check failed (c= does not match the GS2 header)");
		goto done;
	}
	if (*p != ',') {
		set_err(err, errlen, "malformed SCRAM message (nonce expected)");
		goto done;
	}
	p++;
	if (!read_attr(&p, 'r', &v, &n)) {
		set_err(err, errlen, "malformed SCRAM message (nonce expected)");
		goto done;
	}
	if (n != strlen(s->nonce) || memcmp(v, s->nonce, n) != 0) {
		set_err(err, errlen, "SCRAM nonce mismatch");
		goto done;
	}
	/* Extensions up to the proof, which comes last. */
	for (;;) {
		if (*p != ',') {
			set_err(err, errlen, "malformed SCRAM message (proof expected)");
			goto done;
		}
		without_proof_end = p;
		p++;
		if (p[0] == 'p' && p[1] == '=')
			break;
		if (!skip_attr(&p)) {
			set_err(err, errlen, "malformed SCRAM message (invalid extension)");
			goto done;
		}
	}
	read_attr(&p, 'p', &v, &n);
	if (*p != '\0') {
		set_err(err, errlen,
			"malformed SCRAM message (garbage at end of client-final-message)");
		goto done;
	}
	if (b64_decode(v, n, proof, sizeof(proof)) != SCRAM_KEY_LEN) {
		set_err(err, errlen, "malformed SCRAM message (invalid proof)");
		goto done;
	}

	auth = str_printf("%s,%s,%.*s", s->client_first_bare, s->server_first,
			  (int)(without_proof_end - msg), msg);
	if (auth == NULL) {
		set_err(err, errlen, "out of memory");
		goto done;
	}
	/* Verify even when mocking, so that both take the same time. */
	ok = verify_client_proof(&s->secret, auth, proof);
	if (!ok || s->mock) {
		set_err(err, errlen, "password authentication failed");
		goto done;
	}

	/* ServerSignature := HMAC(ServerKey, AuthMessage) */
	if (!hmac_sha256(s->secret.server_key, SCRAM_KEY_LEN, auth, strlen(auth), sig)) {
		set_err(err, errlen, "could not compute the SCRAM server signature");
		goto done;
	}
	b64_encode(sig, sizeof(sig), sig_b64);
	if ((*out = str_printf("v=%s", sig_b64)) == NULL) {
		set_err(err, errlen, "out of memory");
		goto done;
	}
	rc = 0;

done:
	free(msg);
	free(auth);
	OPENSSL_cleanse(sig, sizeof(sig));
	return rc;
}

/* ------------------------------------------------------------ client side */

enum client_state {
	CLIENT_INIT,
	CLIENT_FIRST_SENT,
	CLIENT_FINAL_SENT,
	CLIENT_DONE, /* verified or failed: no more messages */
};

struct scram_client {
	enum client_state state;
	char *password;
	char *user;		 /* saslname, escaped; "" for pgpin */
	char *nonce;		 /* client nonce */
	char *client_first_bare; /* for the AuthMessage */
	uint8_t server_signature[SCRAM_KEY_LEN];
};

/* RFC 5802 saslname: ',' and '=' are written "=2C" and "=3D". */
static char *escape_saslname(const char *user)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = user; *p; p++)
		n += (*p == ',' || *p == '=') ? 3 : 1;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	o = out;
	for (const char *p = user; *p; p++) {
		if (*p == ',') {
			memcpy(o, "=2C", 3);
			o += 3;
		} else if (*p == '=') {
			memcpy(o, "=3D", 3);
			o += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

struct scram_client *scram_client_new_with_nonce(const char *password, const char *user,
						 const char *nonce)
{
	struct scram_client *c;
	char buf[B64_LEN(NONCE_RAW_LEN) + 1];

	if (password == NULL || (nonce != NULL && !valid_nonce(nonce, strlen(nonce))))
		return NULL;
	if (nonce == NULL) {
		if (!random_nonce(buf))
			return NULL;
		nonce = buf;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->state = CLIENT_INIT;
	c->password = strdup(password);
	c->user = escape_saslname(user != NULL ? user : "");
	c->nonce = strdup(nonce);
	if (c->password == NULL || c->user == NULL || c->nonce == NULL) {
		scram_client_free(c);
		return NULL;
	}
	return c;
}

struct scram_client *scram_client_new(const char *password)
{
	return scram_client_new_with_nonce(password, NULL, NULL);
}

void scram_client_free(struct scram_client *c)
{
	if (c == NULL)
		return;
	free_secret_str(c->password);
	free(c->user);
	free(c->nonce);
	free(c->client_first_bare);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

char *scram_client_first(struct scram_client *c)
{
	char *out;

	if (c->state != CLIENT_INIT)
		return NULL;
	c->client_first_bare = str_printf("n=%s,r=%s", c->user, c->nonce);
	if (c->client_first_bare == NULL)
		return NULL;
	if ((out = str_printf("n,,%s", c->client_first_bare)) == NULL)
		return NULL;
	c->state = CLIENT_FIRST_SENT;
	return out;
}

/*
 * server-first-message = [ "m=" ext "," ] "r=" nonce "," "s=" salt ","
 *                        "i=" iteration-count [ "," extensions ]
 * The nonce must extend ours.
 */
char *scram_client_final(struct scram_client *c, const char *in, size_t inlen, char *err,
			 size_t errlen)
{
	char *msg = NULL, *auth = NULL, *without_proof = NULL, *out = NULL;
	const char *p, *nonce, *v;
	size_t nonce_len, n, cn;
	uint8_t *salt = NULL;
	int salt_len, iterations;
	uint8_t salted[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
	uint8_t stored_key[SCRAM_KEY_LEN], server_key[SCRAM_KEY_LEN];
	uint8_t sig[SCRAM_KEY_LEN], proof[SCRAM_KEY_LEN];
	char proof_b64[B64_LEN(SCRAM_KEY_LEN) + 1];

	if (c->state != CLIENT_FIRST_SENT) {
		set_err(err, errlen, "SCRAM exchange out of order");
		return NULL;
	}
	c->state = CLIENT_DONE; /* until this succeeds */
	if ((msg = msg_dup(in, inlen, err, errlen)) == NULL)
		goto done;
	p = msg;

	if (p[0] == 'm' && p[1] == '=') {
		set_err(err, errlen, "server requires an unsupported SCRAM extension");
		goto done;
	}
	if (!read_attr(&p, 'r', &nonce, &nonce_len) || !valid_nonce(nonce, nonce_len)) {
		set_err(err, errlen,
			"malformed SCRAM message (invalid nonce in server-first-message)");
		goto done;
	}
	cn = strlen(c->nonce);
	if (nonce_len <= cn || memcmp(nonce, c->nonce, cn) != 0) {
		set_err(err, errlen, "invalid SCRAM response (nonce mismatch)");
		goto done;
	}
	if (*p != ',') {
		set_err(err, errlen, "malformed SCRAM message (salt expected)");
		goto done;
	}
	p++;
	if (!read_attr(&p, 's', &v, &n)) {
		set_err(err, errlen, "malformed SCRAM message (salt expected)");
		goto done;
	}
	if ((salt = malloc(n + 1)) == NULL) {
		set_err(err, errlen, "out of memory");
		goto done;
	}
	if ((salt_len = b64_decode(v, n, salt, n)) < 1) {
		set_err(err, errlen, "malformed SCRAM message (invalid salt)");
		goto done;
	}
	if (*p != ',') {
		set_err(err, errlen, "malformed SCRAM message (iteration count expected)");
		goto done;
	}
	p++;
	if (!read_attr(&p, 'i', &v, &n) || parse_positive_int(v, n, &iterations) != 0) {
		set_err(err, errlen, "malformed SCRAM message (invalid iteration count)");
		goto done;
	}
	if (!skip_extensions(&p)) {
		set_err(err, errlen, "malformed SCRAM message (invalid extension)");
		goto done;
	}

	without_proof = str_printf("c=biws,r=%.*s", (int)nonce_len, nonce);
	if (without_proof != NULL)
		auth = str_printf("%s,%s,%s", c->client_first_bare, msg, without_proof);
	if (auth == NULL) {
		set_err(err, errlen, "out of memory");
		goto done;
	}
	/* ClientProof := ClientKey XOR HMAC(StoredKey, AuthMessage); keep the
	 * ServerSignature the server must answer with. */
	if (!salted_password(c->password, salt, (size_t)salt_len, iterations, salted) ||
	    !derive_keys(salted, client_key, stored_key, server_key) ||
	    !hmac_sha256(stored_key, SCRAM_KEY_LEN, auth, strlen(auth), sig) ||
	    !hmac_sha256(server_key, SCRAM_KEY_LEN, auth, strlen(auth), c->server_signature)) {
		set_err(err, errlen, "could not compute the SCRAM client proof");
		goto done;
	}
	for (int i = 0; i < SCRAM_KEY_LEN; i++)
		proof[i] = client_key[i] ^ sig[i];
	b64_encode(proof, sizeof(proof), proof_b64);
	if ((out = str_printf("%s,p=%s", without_proof, proof_b64)) == NULL) {
		set_err(err, errlen, "out of memory");
		goto done;
	}
	c->state = CLIENT_FINAL_SENT;

done:
	free(msg);
	free(salt);
	free(auth);
	free(without_proof);
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	OPENSSL_cleanse(stored_key, sizeof(stored_key));
	OPENSSL_cleanse(server_key, sizeof(server_key));
	return out;
}

/* server-final-message = ( "e=" error / "v=" signature ) [ "," extensions ] */
int scram_client_verify(struct scram_client *c, const char *in, size_t inlen, char *err,
			size_t errlen)
{
	char *msg = NULL;
	const char *p, *v;
	size_t n;
	uint8_t sig[SCRAM_KEY_LEN];
	int rc = -1;

	if (c->state != CLIENT_FINAL_SENT) {
		set_err(err, errlen, "SCRAM exchange out of order");
		return -1;
	}
	c->state = CLIENT_DONE;
	if ((msg = msg_dup(in, inlen, err, errlen)) == NULL)
		goto done;
	p = msg;

	if (read_attr(&p, 'e', &v, &n)) {
		set_err(err, errlen, "error received from server in SCRAM exchange: %.*s",
			(int)(n > 100 ? 100 : n), v);
		goto done;
	}
	if (!read_attr(&p, 'v', &v, &n)) {
		set_err(err, errlen, "malformed SCRAM message (server signature expected)");
		goto done;
	}
	if (!skip_extensions(&p)) {
		set_err(err, errlen, "malformed SCRAM message (invalid extension)");
		goto done;
	}
	if (b64_decode(v, n, sig, sizeof(sig)) != SCRAM_KEY_LEN) {
		set_err(err, errlen, "malformed SCRAM message (invalid server signature)");
		goto done;
	}
	if (CRYPTO_memcmp(sig, c->server_signature, SCRAM_KEY_LEN) != 0) {
		set_err(err, errlen, "incorrect server signature");
		goto done;
	}
	rc = 0;
done:
	free(msg);
	return rc;
}

/* ------------------------------------------------------------ MD5 */

bool pg_md5_is_hash(const char *s)
{
	return s != NULL && strncmp(s, "md5", 3) == 0 && strlen(s) == 35 &&
	       strspn(s + 3, "0123456789abcdef") == 32;
}

/* out := "md5" + hex(md5(a || b)); "" on failure. */
static void md5_hex(const void *a, size_t alen, const void *b, size_t blen, char out[36])
{
	static const char hex[] = "0123456789abcdef";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t d[16];
	unsigned int dlen = 0;

	out[0] = '\0';
	if (ctx == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 && EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    EVP_DigestUpdate(ctx, b, blen) == 1 && EVP_DigestFinal_ex(ctx, d, &dlen) == 1 &&
	    dlen == sizeof(d)) {
		memcpy(out, "md5", 3);
		for (int i = 0; i < 16; i++) {
			out[3 + 2 * i] = hex[d[i] >> 4];
			out[4 + 2 * i] = hex[d[i] & 15];
		}
		out[35] = '\0';
	}
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(d, sizeof(d));
}

void pg_md5_hash(const char *password, const char *user, char out[36])
{
	out[0] = '\0';
	if (password == NULL || user == NULL)
		return;
	md5_hex(password, strlen(password), user, strlen(user), out);
}

void pg_md5_salted(const char *md5hash, const uint8_t salt[4], char out[36])
{
	out[0] = '\0';
	if (!pg_md5_is_hash(md5hash))
		return;
	md5_hex(md5hash + 3, 32, salt, 4, out);
}

bool pg_md5_verify(const char *stored, const char *user, const uint8_t salt[4],
		   const char *response)
{
	char hash[36], expect[36];
	bool ok;

	/* PostgreSQL refuses empty passwords; a verifier cannot do md5. */
	if (stored == NULL || stored[0] == '\0' || user == NULL || response == NULL ||
	    scram_is_secret(stored))
		return false;
	if (pg_md5_is_hash(stored))
		memcpy(hash, stored, sizeof(hash));
	else
		pg_md5_hash(stored, user, hash);
	pg_md5_salted(hash, salt, expect);
	ok = expect[0] != '\0' && strlen(response) == 35 &&
	     CRYPTO_memcmp(expect, response, 35) == 0;
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(expect, sizeof(expect));
	return ok;
}
