/*
 * test_scram.c - SCRAM-SHA-256 both ways, verifiers, and PostgreSQL's MD5
 * scheme.  Expected values come from RFC 7677, from a PostgreSQL 15 server
 * (rolpassword of roles created with a known password) and from Python's
 * hashlib, never from this code.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "scram.h"

#define RFC_CLIENT_NONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_NONCE RFC_CLIENT_NONCE RFC_SERVER_NONCE
#define RFC_SALT_B64 "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_CLIENT_FIRST "n,,n=user,r=" RFC_CLIENT_NONCE
#define RFC_SERVER_FIRST "r=" RFC_NONCE ",s=" RFC_SALT_B64 ",i=4096"
#define RFC_CLIENT_FINAL                                                       \
	"c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_PREFIX "r=" RFC_NONCE ",s=" RFC_SALT_B64
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* Made by PostgreSQL 15: CREATE ROLE alice PASSWORD 'secret' and
 * CREATE ROLE carol PASSWORD 'café' (UTF-8, NFC), scram-sha-256. */
#define ALICE_SALT "I0I/4JO9/uueHtpwFPdj8w=="
#define ALICE_STORED "TuMQm7hCy4H7x/sLeQ9Tv+fhLXeXUraI7BPZtwv5V8w="
#define ALICE_SERVER "YEc/1yGBfL1+zNNTontDKNpHuDj3EnHJKCiG/nOd0yg="
#define PG_ALICE_SECRET                                                        \
	"SCRAM-SHA-256$4096:" ALICE_SALT "$" ALICE_STORED ":" ALICE_SERVER
#define PG_CAROL_SECRET                                                        \
	"SCRAM-SHA-256$4096:Ir93IXlguRXxHdAhiwaCbQ==$"                         \
	"ddBJdczm4snCqI0zlWtC231tcBzkGtY84ZXeV7wWlVw=:"                        \
	"CYEvd+v4akdMMTvfrounH4ZVl76cf2gkZ0UUD5Dvm7M="

static const uint8_t rfc_salt[16] = {0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e,
				     0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81};

static void rfc_secret(struct scram_secret *sec)
{
	cr_assert_eq(scram_secret_from_password_salt("pencil", rfc_salt, sizeof(rfc_salt),
						     4096, sec),
		     0);
}

static int server_first_str(struct scram_server *s, const char *in, char **out, char *err,
			    size_t errlen)
{
	return scram_server_first(s, in, strlen(in), out, err, errlen);
}

static int server_final_str(struct scram_server *s, const char *in, char **out, char *err,
			    size_t errlen)
{
	return scram_server_final(s, in, strlen(in), out, err, errlen);
}

/* Run a full exchange between this module's client and server; 0 if both
 * sides are satisfied.  err receives the first side's complaint. */
static int exchange(const struct scram_secret *secret, bool mock, const char *password,
		    char *err, size_t errlen)
{
	struct scram_server *s = scram_server_new(secret, mock);
	struct scram_client *c = scram_client_new(password);
	char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL;
	int rc = -1;

	cr_assert_not_null(s);
	cr_assert_not_null(c);
	err[0] = '\0';
	m1 = scram_client_first(c);
	cr_assert_not_null(m1);
	if (scram_server_first(s, m1, strlen(m1), &m2, err, errlen) != 0)
		goto done;
	if ((m3 = scram_client_final(c, m2, strlen(m2), err, errlen)) == NULL)
		goto done;
	if (scram_server_final(s, m3, strlen(m3), &m4, err, errlen) != 0) {
		cr_assert_null(m4);
		goto done;
	}
	rc = scram_client_verify(c, m4, strlen(m4), err, errlen);
done:
	free(m1);
	free(m2);
	free(m3);
	free(m4);
	scram_server_free(s);
	scram_client_free(c);
	return rc;
}

/* ------------------------------------------------------------ RFC 7677 */

Test(scram_rfc7677, server_side)
{
	struct scram_secret sec;
	char err[256] = "", *out = NULL;

	rfc_secret(&sec);
	struct scram_server *s = scram_server_new_with_nonce(&sec, false, RFC_SERVER_NONCE);
	cr_assert_not_null(s);
	cr_assert_eq(server_first_str(s, RFC_CLIENT_FIRST, &out, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(out, RFC_SERVER_FIRST);
	free(out);
	cr_assert_eq(server_final_str(s, RFC_CLIENT_FINAL, &out, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(out, RFC_SERVER_FINAL);
	free(out);
	scram_server_free(s);
}

Test(scram_rfc7677, client_side)
{
	char err[256] = "", *out;
	struct scram_client *c = scram_client_new_with_nonce("pencil", "user", RFC_CLIENT_NONCE);

	cr_assert_not_null(c);
	out = scram_client_first(c);
	cr_assert_str_eq(out, RFC_CLIENT_FIRST);
	free(out);
	out = scram_client_final(c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), err, sizeof(err));
	cr_assert_not_null(out, "%s", err);
	cr_assert_str_eq(out, RFC_CLIENT_FINAL);
	free(out);
	cr_assert_eq(scram_client_verify(c, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL), err,
					 sizeof(err)),
		     0, "%s", err);
	scram_client_free(c);
}

Test(scram_rfc7677, secret_matches_vector)
{
	struct scram_secret sec, parsed;
	char buf[SCRAM_SECRET_BUFLEN];

	rfc_secret(&sec);
	cr_assert_eq(scram_secret_format(&sec, buf, sizeof(buf)), (int)strlen(buf));
	cr_assert_eq(strncmp(buf, "SCRAM-SHA-256$4096:" RFC_SALT_B64 "$", 44), 0, "%s", buf);
	cr_assert_eq(scram_parse_secret(buf, &parsed), 0);
	cr_assert_eq(memcmp(&parsed, &sec, sizeof(sec)), 0);
}

/* The client may say it supports channel binding but thinks we do not:
 * GS2 header "y,,", c= is then base64("y,,") = "eSws".  Proof and
 * signature computed with Python's hashlib. */
Test(scram_server, gs2_y_accepted)
{
	struct scram_secret sec;
	char err[256] = "", *out = NULL;

	rfc_secret(&sec);
	struct scram_server *s = scram_server_new_with_nonce(&sec, false, RFC_SERVER_NONCE);
	cr_assert_eq(server_first_str(s, "y,,n=user,r=" RFC_CLIENT_NONCE, &out, err,
				      sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(out, RFC_SERVER_FIRST);
	free(out);
	cr_assert_eq(server_final_str(s,
				      "c=eSws,r=" RFC_NONCE
				      ",p=FoqiHTtQEDE8lz1CdaEe3tK4mS+iMDTl77SPyDS53DY=",
				      &out, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(out, "v=dI4KpiQJwBr1+V+K6U1dA6l6I4I9DUNXWND4pcpRU3U=");
	free(out);
	scram_server_free(s);
}

Test(scram_server, gs2_y_with_biws_rejected)
{
	struct scram_secret sec;
	char err[256] = "", *out = NULL;

	rfc_secret(&sec);
	struct scram_server *s = scram_server_new_with_nonce(&sec, false, RFC_SERVER_NONCE);
	cr_assert_eq(server_first_str(s, "y,,n=user,r=" RFC_CLIENT_NONCE, &out, err,
				      sizeof(err)),
		     0);
	free(out);
	cr_assert_eq(server_final_str(s, RFC_CLIENT_FINAL, &out, err, sizeof(err)), -1);
	cr_assert_null(out);
	cr_assert_str_eq(err,
			 "SCRAM channel binding check failed (c= does not match the GS2 header)");
	scram_server_free(s);
}

/* ------------------------------------------------------------ both sides */

Test(scram_exchange, right_password)
{
	struct scram_secret sec;
	char err[256];

	cr_assert_eq(scram_secret_from_password("correct horse", 4096, &sec), 0);
	cr_assert_eq(exchange(&sec, false, "correct horse", err, sizeof(err)), 0, "%s", err);
}

Test(scram_exchange, wrong_password)
{
	struct scram_secret sec;
	char err[256];

	cr_assert_eq(scram_secret_from_password("correct horse", 4096, &sec), 0);
	cr_assert_eq(exchange(&sec, false, "battery staple", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "password authentication failed");
	cr_assert_eq(exchange(&sec, false, "", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "password authentication failed");
}

Test(scram_exchange, mock_always_fails)
{
	struct scram_secret sec;
	char err[256];

	cr_assert_eq(scram_secret_from_password("pw", 4096, &sec), 0);
	/* even the right password for the secret it was given */
	cr_assert_eq(exchange(&sec, true, "pw", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "password authentication failed");
	cr_assert_eq(scram_mock_secret("nobody", &sec), 0);
	cr_assert_eq(exchange(&sec, true, "pw", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "password authentication failed");
	cr_assert_eq(exchange(NULL, true, "pw", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "password authentication failed");
}

Test(scram_exchange, mock_salt_stable_per_user)
{
	struct scram_secret a1, a2, b;

	cr_assert_eq(scram_mock_secret("alice", &a1), 0);
	cr_assert_eq(scram_mock_secret("alice", &a2), 0);
	cr_assert_eq(scram_mock_secret("bob", &b), 0);
	cr_assert_eq(a1.iterations, SCRAM_DEFAULT_ITERATIONS);
	cr_assert_eq(a1.salt_len, 16);
	cr_assert_eq(memcmp(a1.salt, a2.salt, 16), 0);
	cr_assert_neq(memcmp(a1.salt, b.salt, 16), 0);
}

/* The mock server-first message looks like a real one. */
Test(scram_exchange, mock_server_first_shape)
{
	struct scram_secret sec;
	char err[256], *out = NULL;

	cr_assert_eq(scram_mock_secret("nobody", &sec), 0);
	struct scram_server *s = scram_server_new_with_nonce(&sec, true, "SNONCE");
	cr_assert_eq(server_first_str(s, "n,,n=,r=CNONCE", &out, err, sizeof(err)), 0);
	cr_assert_eq(strncmp(out, "r=CNONCESNONCE,s=", 17), 0, "%s", out);
	cr_assert_eq(strlen(out), strlen("r=CNONCESNONCE,s=") + 24 + strlen(",i=4096"), "%s",
		     out);
	cr_assert_str_eq(out + strlen(out) - 7, ",i=4096");
	free(out);
	scram_server_free(s);
}

/* A zeroed secret with mock still gives a normal-looking salt and count. */
Test(scram_exchange, mock_with_zeroed_secret)
{
	struct scram_secret zero;
	char err[256], *out = NULL;

	memset(&zero, 0, sizeof(zero));
	cr_assert_null(scram_server_new(&zero, false));
	struct scram_server *s = scram_server_new_with_nonce(&zero, true, "SNONCE");
	cr_assert_not_null(s);
	cr_assert_eq(server_first_str(s, "n,,n=,r=CNONCE", &out, err, sizeof(err)), 0);
	cr_assert_eq(strlen(out), strlen("r=CNONCESNONCE,s=") + 24 + strlen(",i=4096"), "%s",
		     out);
	cr_assert_str_eq(out + strlen(out) - 7, ",i=4096");
	free(out);
	scram_server_free(s);
	cr_assert_eq(exchange(&zero, true, "", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "password authentication failed");
}

Test(scram_exchange, server_nulls)
{
	cr_assert_null(scram_server_new(NULL, false));
	scram_server_free(NULL);
	scram_client_free(NULL);
	cr_assert_null(scram_client_new(NULL));
}

/* ------------------------------------------------------------ PostgreSQL verifiers */

Test(scram_secret, postgresql_verifier_verifies)
{
	struct scram_secret sec;
	char err[256], buf[SCRAM_SECRET_BUFLEN];

	cr_assert(scram_is_secret(PG_ALICE_SECRET));
	cr_assert_eq(scram_parse_secret(PG_ALICE_SECRET, &sec), 0);
	cr_assert_eq(sec.iterations, 4096);
	cr_assert_eq(sec.salt_len, 16);
	cr_assert_eq(scram_secret_format(&sec, buf, sizeof(buf)), (int)strlen(PG_ALICE_SECRET));
	cr_assert_str_eq(buf, PG_ALICE_SECRET);
	cr_assert_eq(exchange(&sec, false, "secret", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(exchange(&sec, false, "Secret", err, sizeof(err)), -1);
}

/* For an NFKC-stable UTF-8 password SASLprep changes nothing, so the raw
 * bytes give PostgreSQL's verifier. */
Test(scram_secret, postgresql_verifier_utf8)
{
	struct scram_secret sec;
	char err[256];

	cr_assert_eq(scram_parse_secret(PG_CAROL_SECRET, &sec), 0);
	cr_assert_eq(exchange(&sec, false, "caf\xc3\xa9", err, sizeof(err)), 0, "%s", err);
}

/* Salt "0123456789abcdef", password "pencil": Python's
 * hashlib.pbkdf2_hmac + hmac give this verifier. */
Test(scram_secret, derived_matches_python)
{
	struct scram_secret sec;
	char buf[SCRAM_SECRET_BUFLEN];

	cr_assert_eq(scram_secret_from_password_salt("pencil", (const uint8_t *)"0123456789abcdef",
						     16, 4096, &sec),
		     0);
	cr_assert_eq(scram_secret_format(&sec, buf, sizeof(buf)), 133);
	cr_assert_str_eq(buf, "SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$"
			      "nQpbZ77WudtqufPwikHXGRt6g2QJ4zns8bZLw273DRM=:"
			      "jn2amWP1q1h+jgjy0YTO14S6/F02SV7taipOeB7ef20=");
	cr_assert_eq(scram_secret_format(&sec, buf, 133), -1);
}

Test(scram_secret, random_salt)
{
	struct scram_secret a, b;

	cr_assert_eq(scram_secret_from_password("pw", 10, &a), 0);
	cr_assert_eq(scram_secret_from_password("pw", 10, &b), 0);
	cr_assert_eq(a.iterations, 10);
	cr_assert_eq(a.salt_len, 16);
	cr_assert_neq(memcmp(a.salt, b.salt, 16), 0);
	cr_assert_neq(memcmp(a.stored_key, b.stored_key, SCRAM_KEY_LEN), 0);
	cr_assert_eq(scram_secret_from_password("pw", 0, &a), -1);
	cr_assert_eq(scram_secret_from_password(NULL, 4096, &a), -1);
}

Test(scram_secret, not_secrets)
{
	static const char *const bad[] = {
		"",
		"secret",
		"md54a0a68b43b6cd5cf266fa02f196e2371",
		"SCRAM-SHA-256$",
		"SCRAM-SHA-256$4096:" ALICE_SALT "$",
		/* iterations */
		"SCRAM-SHA-256$0:" ALICE_SALT "$" ALICE_STORED ":" ALICE_SERVER,
		"SCRAM-SHA-256$x:" ALICE_SALT "$" ALICE_STORED ":" ALICE_SERVER,
		"SCRAM-SHA-256$99999999999:" ALICE_SALT "$" ALICE_STORED ":" ALICE_SERVER,
		/* empty salt, bad base64 salt */
		"SCRAM-SHA-256$4096:$" ALICE_STORED ":" ALICE_SERVER,
		"SCRAM-SHA-256$4096:I0I/4JO9/uueHtpwFPdj8w=$" ALICE_STORED ":" ALICE_SERVER,
		/* StoredKey too short, ServerKey too long */
		"SCRAM-SHA-256$4096:" ALICE_SALT "$TuMQm7hCy4H7x/sLeQ9Tv+fhLXeXUraI7BPZtwv5"
		":" ALICE_SERVER,
		"SCRAM-SHA-256$4096:" ALICE_SALT "$" ALICE_STORED ":" ALICE_SERVER "AAAA",
		/* missing ServerKey, trailing garbage, wrong case */
		"SCRAM-SHA-256$4096:" ALICE_SALT "$" ALICE_STORED,
		"SCRAM-SHA-256$4096:" ALICE_SALT "$" ALICE_STORED ":" ALICE_SERVER " ",
		"scram-sha-256$4096:" ALICE_SALT "$" ALICE_STORED ":" ALICE_SERVER,
	};

	struct scram_secret sec;

	cr_assert_not(scram_is_secret(NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_not(scram_is_secret(bad[i]), "accepted [%zu] %s", i, bad[i]);
		cr_assert_eq(scram_parse_secret(bad[i], &sec), -1);
	}
}

/* ------------------------------------------------------------ malformed, server */

/* client-first messages that must be refused, with PostgreSQL's gist. */
Test(scram_server, malformed_client_first)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen */
		const char *err;
	} cases[] = {
		{"", 0, "malformed SCRAM message (empty message)"},
		{"n", 0, "malformed SCRAM message (comma expected after channel-binding flag)"},
		{"n,", 0, "malformed SCRAM message (comma expected after GS2 header)"},
		{"n,,", 0, "malformed SCRAM message (user name expected)"},
		{"n,,n=", 0, "malformed SCRAM message (nonce expected)"},
		{"n,,n=,", 0, "malformed SCRAM message (nonce expected)"},
		{"n,,n=,r=", 0, "malformed SCRAM message (invalid nonce)"},
		{"n,,n=,r=ab c", 0, "malformed SCRAM message (invalid nonce)"},
		{"n,,n=,r=abc,", 0, "malformed SCRAM message (invalid extension)"},
		{"n,,n=,r=abc,1=2", 0, "malformed SCRAM message (invalid extension)"},
		{"n,,r=abc", 0, "malformed SCRAM message (user name expected)"},
		{"x,,n=,r=abc", 0, "malformed SCRAM message (unexpected channel-binding flag)"},
		{"p=tls-server-end-point,,n=,r=abc", 0,
		 "client requires SCRAM channel binding, but it is not offered"},
		{"n,a=alice,n=,r=abc", 0,
		 "client uses an authorization identity, which is not supported"},
		{"n,,m=ext,n=,r=abc", 0, "client requires an unsupported SCRAM extension"},
		{"n,,n=,r=a\0bc", 11, "malformed SCRAM message (NUL byte in message)"},
	};
	struct scram_secret sec;

	rfc_secret(&sec);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scram_server *s = scram_server_new(&sec, false);
		char err[256] = "", *out = (char *)"unset";
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

		cr_assert_eq(scram_server_first(s, cases[i].in, len, &out, err, sizeof(err)), -1,
			     "accepted [%zu]", i);
		cr_assert_null(out);
		cr_assert_str_eq(err, cases[i].err, "[%zu]", i);
		/* the exchange is over */
		cr_assert_eq(server_final_str(s, RFC_CLIENT_FINAL, &out, err, sizeof(err)), -1);
		cr_assert_str_eq(err, "SCRAM exchange out of order");
		scram_server_free(s);
	}
}

Test(scram_server, extensions_after_nonce_ignored)
{
	struct scram_secret sec;
	char err[256] = "", *out = NULL;

	rfc_secret(&sec);
	struct scram_server *s = scram_server_new_with_nonce(&sec, false, RFC_SERVER_NONCE);
	cr_assert_eq(server_first_str(s, "n,,n=anything=2C,r=abc,x=1,y=", &out, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(out, "r=abc" RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096");
	free(out);
	scram_server_free(s);
}

/* client-final messages that must be refused after a good client-first. */
Test(scram_server, malformed_client_final)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
		{"c=biws", "malformed SCRAM message (nonce expected)"},
		{"c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "malformed SCRAM message (nonce expected)"},
		{"r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "malformed SCRAM message (channel binding expected)"},
		{"c=biws,r=" RFC_NONCE, "malformed SCRAM message (proof expected)"},
		{"c=biws,r=" RFC_NONCE ",", "malformed SCRAM message (invalid extension)"},
		{"c=biws,r=" RFC_NONCE ",p=", "malformed SCRAM message (invalid proof)"},
		{"c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
		 "malformed SCRAM message (invalid proof)"},
		{"c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7And!Q=",
		 "malformed SCRAM message (invalid proof)"},
		{"c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndQ==",
		 "malformed SCRAM message (invalid proof)"},
		{"c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=1",
		 "malformed SCRAM message (garbage at end of client-final-message)"},
		{"c=biws,r=" RFC_CLIENT_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "SCRAM nonce mismatch"},
		{"c=biws,r=" RFC_NONCE "x,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "SCRAM nonce mismatch"},
		{"c=eSws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "SCRAM channel binding check failed (c= does not match the GS2 header)"},
		{"c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=" RFC_NONCE
		 ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "SCRAM channel binding check failed (c= does not match the GS2 header)"},
		/* a valid-looking proof that is not the right one */
		{"c=biws,r=" RFC_NONCE ",p=AHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "password authentication failed"},
		/* an extension changes the AuthMessage, so the RFC proof fails */
		{"c=biws,r=" RFC_NONCE ",x=1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		 "password authentication failed"},
	};
	struct scram_secret sec;

	rfc_secret(&sec);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scram_server *s = scram_server_new_with_nonce(&sec, false, RFC_SERVER_NONCE);
		char err[256] = "", *out = NULL;

		cr_assert_eq(server_first_str(s, RFC_CLIENT_FIRST, &out, err, sizeof(err)), 0);
		free(out);
		out = (char *)"unset";
		cr_assert_eq(server_final_str(s, cases[i].in, &out, err, sizeof(err)), -1,
			     "accepted [%zu]", i);
		cr_assert_null(out);
		cr_assert_str_eq(err, cases[i].err, "[%zu]", i);
		/* one attempt only: the right message no longer works */
		cr_assert_eq(server_final_str(s, RFC_CLIENT_FINAL, &out, err, sizeof(err)), -1);
		cr_assert_str_eq(err, "SCRAM exchange out of order");
		scram_server_free(s);
	}
}

Test(scram_server, truncations_never_crash)
{
	struct scram_secret sec;
	const char *first = RFC_CLIENT_FIRST, *final = RFC_CLIENT_FINAL;

	rfc_secret(&sec);
	for (size_t n = 0; n < strlen(first); n++) {
		struct scram_server *s = scram_server_new(&sec, false);
		char err[256], *out = NULL;

		if (scram_server_first(s, first, n, &out, err, sizeof(err)) == 0)
			free(out); /* e.g. a shorter nonce is still a nonce */
		scram_server_free(s);
	}
	for (size_t n = 0; n < strlen(final); n++) {
		struct scram_server *s = scram_server_new_with_nonce(&sec, false, RFC_SERVER_NONCE);
		char err[256], *out = NULL;

		cr_assert_eq(server_first_str(s, first, &out, err, sizeof(err)), 0);
		free(out);
		out = NULL;
		cr_assert_eq(scram_server_final(s, final, n, &out, err, sizeof(err)), -1,
			     "accepted %zu bytes", n);
		cr_assert_null(out);
		scram_server_free(s);
	}
}

/* ------------------------------------------------------------ malformed, client */

static struct scram_client *rfc_client(void)
{
	struct scram_client *c = scram_client_new_with_nonce("pencil", "user", RFC_CLIENT_NONCE);
	char *first = scram_client_first(c);

	cr_assert_not_null(first);
	free(first);
	return c;
}

Test(scram_client, first_message_shape)
{
	struct scram_client *c = scram_client_new("pw");
	char *m = scram_client_first(c);

	cr_assert_eq(strncmp(m, "n,,n=,r=", 8), 0, "%s", m);
	cr_assert_eq(strlen(m), 8 + 24, "%s", m);
	for (const char *p = m + 8; *p; p++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
				 *p) != NULL,
			  "%s", m);
	/* only once */
	cr_assert_null(scram_client_first(c));
	free(m);
	scram_client_free(c);
}

Test(scram_client, user_name_escaped)
{
	struct scram_client *c = scram_client_new_with_nonce("pw", "a,b=c", "N");
	char *m = scram_client_first(c);

	cr_assert_str_eq(m, "n,,n=a=2Cb=3Dc,r=N");
	free(m);
	scram_client_free(c);
	cr_assert_null(scram_client_new_with_nonce("pw", NULL, "bad,nonce"));
	cr_assert_null(scram_client_new_with_nonce("pw", NULL, ""));
}

Test(scram_client, malformed_server_first)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
		{"", "malformed SCRAM message (empty message)"},
		{"r=", "malformed SCRAM message (invalid nonce in server-first-message)"},
		{"s=" RFC_SALT_B64 ",i=4096",
		 "malformed SCRAM message (invalid nonce in server-first-message)"},
		{"m=x,r=" RFC_NONCE ",s=" RFC_SALT_B64 ",i=4096",
		 "server requires an unsupported SCRAM extension"},
		{"r=" RFC_CLIENT_NONCE ",s=" RFC_SALT_B64 ",i=4096",
		 "invalid SCRAM response (nonce mismatch)"},
		{"r=XOprNGfwEbeRWgbNEkqO" RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096",
		 "invalid SCRAM response (nonce mismatch)"},
		{"r=" RFC_NONCE, "malformed SCRAM message (salt expected)"},
		{"r=" RFC_NONCE ",i=4096", "malformed SCRAM message (salt expected)"},
		{"r=" RFC_NONCE ",s=,i=4096", "malformed SCRAM message (invalid salt)"},
		{"r=" RFC_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",
		 "malformed SCRAM message (invalid salt)"},
		{"r=" RFC_NONCE ",s=W22ZaJ0SNY7soEs*Ejb6gQ==,i=4096",
		 "malformed SCRAM message (invalid salt)"},
		{RFC_PREFIX, "malformed SCRAM message (iteration count expected)"},
		{RFC_PREFIX ",i=", "malformed SCRAM message (invalid iteration count)"},
		{RFC_PREFIX ",i=0", "malformed SCRAM message (invalid iteration count)"},
		{RFC_PREFIX ",i=-1", "malformed SCRAM message (invalid iteration count)"},
		{RFC_PREFIX ",i=4096x", "malformed SCRAM message (invalid iteration count)"},
		{RFC_PREFIX ",i=2147483648", "malformed SCRAM message (invalid iteration count)"},
		{RFC_PREFIX ",i=4096,", "malformed SCRAM message (invalid extension)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scram_client *c = rfc_client();
		char err[256] = "";

		cr_assert_null(scram_client_final(c, cases[i].in, strlen(cases[i].in), err,
						  sizeof(err)),
			       "accepted [%zu]", i);
		cr_assert_str_eq(err, cases[i].err, "[%zu]", i);
		cr_assert_eq(scram_client_verify(c, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL), err,
						 sizeof(err)),
			     -1);
		cr_assert_str_eq(err, "SCRAM exchange out of order");
		scram_client_free(c);
	}
}

Test(scram_client, malformed_server_final)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
		{"e=invalid-proof", "error received from server in SCRAM exchange: invalid-proof"},
		{"", "malformed SCRAM message (empty message)"},
		{"v=", "malformed SCRAM message (invalid server signature)"},
		{"x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
		 "malformed SCRAM message (server signature expected)"},
		{"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4",
		 "malformed SCRAM message (invalid server signature)"},
		{"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,",
		 "malformed SCRAM message (invalid extension)"},
		{"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "incorrect server signature"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scram_client *c = rfc_client();
		char err[256] = "", *m;

		m = scram_client_final(c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), err,
				       sizeof(err));
		cr_assert_not_null(m, "%s", err);
		free(m);
		cr_assert_eq(scram_client_verify(c, cases[i].in, strlen(cases[i].in), err,
						 sizeof(err)),
			     -1, "accepted [%zu]", i);
		cr_assert_str_eq(err, cases[i].err, "[%zu]", i);
		scram_client_free(c);
	}
}

Test(scram_client, out_of_order)
{
	struct scram_client *c = scram_client_new_with_nonce("pencil", "user", RFC_CLIENT_NONCE);
	char err[256] = "";

	cr_assert_null(scram_client_final(c, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), err,
					  sizeof(err)));
	cr_assert_str_eq(err, "SCRAM exchange out of order");
	cr_assert_eq(scram_client_verify(c, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL), err,
					 sizeof(err)),
		     -1);
	scram_client_free(c);
}

Test(scram_client, truncations_never_crash)
{
	const char *first = RFC_SERVER_FIRST, *final = RFC_SERVER_FINAL;

	for (size_t n = 0; n < strlen(first); n++) {
		struct scram_client *c = rfc_client();
		char err[256];
		char *m = scram_client_final(c, first, n, err, sizeof(err));

		/* a shorter i= is still a count: only then may it succeed */
		cr_assert(m == NULL || n >= strlen(first) - 3, "accepted %zu bytes", n);
		free(m);
		scram_client_free(c);
	}
	for (size_t n = 0; n < strlen(final); n++) {
		struct scram_client *c = rfc_client();
		char err[256], *m = scram_client_final(c, first, strlen(first), err, sizeof(err));

		free(m);
		cr_assert_eq(scram_client_verify(c, final, n, err, sizeof(err)), -1);
		scram_client_free(c);
	}
}

/* ------------------------------------------------------------ MD5 */

Test(md5, hash_matches_postgresql)
{
	char out[36];

	/* printf 'secretalice' | md5sum */
	pg_md5_hash("secret", "alice", out);
	cr_assert_str_eq(out, "md54a0a68b43b6cd5cf266fa02f196e2371");
	/* rolpassword of CREATE ROLE bob PASSWORD 'secret' with md5 encryption */
	pg_md5_hash("secret", "bob", out);
	cr_assert_str_eq(out, "md521f3163f8f86fa10bdefbfbd502a8f06");
	cr_assert(pg_md5_is_hash(out));
}

Test(md5, salted)
{
	static const uint8_t salt[4] = {0x01, 0x02, 0x03, 0x04};
	static const uint8_t salt2[4] = {0xde, 0xad, 0xbe, 0xef};
	char out[36];

	/* Python: "md5" + md5(b"4a0a...2371" + bytes([1, 2, 3, 4])).hexdigest() */
	pg_md5_salted("md54a0a68b43b6cd5cf266fa02f196e2371", salt, out);
	cr_assert_str_eq(out, "md598a0412b9c31436fc53776e863350083");
	pg_md5_salted("md521f3163f8f86fa10bdefbfbd502a8f06", salt2, out);
	cr_assert_str_eq(out, "md5f367206c41f91baa6279335f27350e9d");
	pg_md5_salted("not a hash", salt, out);
	cr_assert_str_eq(out, "");
	pg_md5_salted("md54A0A68B43B6CD5CF266FA02F196E2371", salt, out);
	cr_assert_str_eq(out, "");
}

Test(md5, verify)
{
	static const uint8_t salt[4] = {0x01, 0x02, 0x03, 0x04};
	static const uint8_t other[4] = {0x01, 0x02, 0x03, 0x05};
	const char *resp = "md598a0412b9c31436fc53776e863350083";
	const char *upper = "md598A0412B9C31436FC53776E863350083";
	const char *shorter = "md598a0412b9c31436fc53776e86335008";
	const char *longer = "md598a0412b9c31436fc53776e8633500830";

	cr_assert(pg_md5_verify("secret", "alice", salt, resp));
	cr_assert(pg_md5_verify("md54a0a68b43b6cd5cf266fa02f196e2371", "alice", salt, resp));
	cr_assert_not(pg_md5_verify("secret", "alice", other, resp));
	cr_assert_not(pg_md5_verify("secret", "bob", salt, resp));
	cr_assert_not(pg_md5_verify("Secret", "alice", salt, resp));
	cr_assert_not(pg_md5_verify("secret", "alice", salt, upper));
	cr_assert_not(pg_md5_verify("secret", "alice", salt, shorter));
	cr_assert_not(pg_md5_verify("secret", "alice", salt, longer));
	cr_assert_not(pg_md5_verify("secret", "alice", salt, ""));
	cr_assert_not(pg_md5_verify("secret", "alice", salt, NULL));
	cr_assert_not(pg_md5_verify("", "alice", salt, resp));
	cr_assert_not(pg_md5_verify(PG_ALICE_SECRET, "alice", salt, resp));
}

Test(md5, is_hash)
{
	cr_assert(pg_md5_is_hash("md54a0a68b43b6cd5cf266fa02f196e2371"));
	cr_assert_not(pg_md5_is_hash("md54a0a68b43b6cd5cf266fa02f196e237"));
	cr_assert_not(pg_md5_is_hash("md54a0a68b43b6cd5cf266fa02f196e23711"));
	cr_assert_not(pg_md5_is_hash("md54a0a68b43b6cd5cf266fa02f196e237g"));
	cr_assert_not(pg_md5_is_hash("MD54a0a68b43b6cd5cf266fa02f196e2371"));
	cr_assert_not(pg_md5_is_hash(NULL));
}

Test(scram_util, ct_equal)
{
	cr_assert(scram_ct_equal("abc", "abc", 3));
	cr_assert_not(scram_ct_equal("abc", "abd", 3));
	cr_assert(scram_ct_equal("abc", "abd", 2));
}
