/*
 * test_proto.c - unit tests for src/proto.c (PostgreSQL protocol 3.0
 * framing, parsing and message building).
 *
 * Builders are checked byte for byte against hand-written expectations;
 * parsers against hand-built packets, including the malformed ones a
 * hostile client could send.
 *
 * Build and run on its own:
 *   gcc -Wall -Wextra -Isrc -fsanitize=address,undefined \
 *       -o /tmp/test_proto t/unit/test_proto.c src/proto.c -lcriterion
 *   /tmp/test_proto
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* ------------------------------------------------------------ helpers */

static void hexdump(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 4 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x ", p[i]);
}

/* Assert that [got, got+gotlen) is exactly [want, want+wantlen). */
#define assert_bytes(got, gotlen, want, wantlen)                                         \
	do {                                                                             \
		const uint8_t *g_ = (const uint8_t *)(got);                              \
		const uint8_t *w_ = (const uint8_t *)(want);                             \
		size_t gl_ = (gotlen), wl_ = (wantlen);                                  \
		char gh_[1024], wh_[1024];                                               \
		hexdump(gh_, sizeof(gh_), g_, gl_);                                      \
		hexdump(wh_, sizeof(wh_), w_, wl_);                                      \
		cr_assert(gl_ == wl_ && memcmp(g_, w_, gl_) == 0,                        \
			  "bytes differ\n  got  (%zu): %s\n  want (%zu): %s", gl_, gh_, wl_, \
			  wh_);                                                          \
	} while (0)

/* Byte-string literal helpers: sizeof - 1 drops the literal's own NUL. */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)
#define assert_lit(got, gotlen, s) assert_bytes(got, gotlen, (s), sizeof(s) - 1)

/* A growable byte buffer for assembling test packets by hand. */
struct buf {
	uint8_t d[70000];
	size_t n;
};

static void b_bytes(struct buf *b, const void *p, size_t n)
{
	cr_assert(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void b_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4];
	proto_put_u32(x, v);
	b_bytes(b, x, 4);
}

static void b_str(struct buf *b, const char *s)
{
	b_bytes(b, s, strlen(s) + 1);
}

static void b_byte(struct buf *b, uint8_t v)
{
	b_bytes(b, &v, 1);
}

/* Parse b as a startup body; expect failure with the given sqlstate. */
static void expect_startup_fail(const struct buf *b, const char *want_state, const char *want_msg)
{
	struct startup_msg m;
	const char *state = NULL;
	char msg[256] = "";
	int rc = proto_parse_startup(b->d, b->n, &m, &state, msg, sizeof(msg));
	cr_assert_eq(rc, -1, "expected failure, got %d", rc);
	cr_assert_not_null(state);
	cr_assert_str_eq(state, want_state, "sqlstate %s (%s)", state, msg);
	if (want_msg)
		cr_assert_str_eq(msg, want_msg);
	else
		cr_assert(msg[0] != '\0', "error message must not be empty");
}

/* A string returned by the parser must point inside [base, base+len). */
static void assert_inside(const char *s, const uint8_t *base, size_t len)
{
	cr_assert_not_null(s);
	const uint8_t *p = (const uint8_t *)s;
	cr_assert(p >= base && p < base + len, "string %p outside buffer [%p,+%zu)", (void *)p,
		  (void *)base, len);
	cr_assert(memchr(p, 0, (size_t)(base + len - p)) != NULL, "string not terminated in buffer");
}

/* ===================================================== builder tests */

Test(builder, ready_exact)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_ready(&p, 'I');
	assert_lit(p.data, p.len, ("Z\0\0\0\5I"));
	cr_assert_not(p.oom);
	pkt_free(&p);
}

Test(builder, ready_each_status)
{
	const char st[] = {'I', 'T', 'E'};
	for (size_t i = 0; i < sizeof(st); i++) {
		struct pkt p;
		pkt_init(&p);
		proto_build_ready(&p, st[i]);
		uint8_t want[] = {'Z', 0, 0, 0, 5, (uint8_t)st[i]};
		assert_bytes(p.data, p.len, want, sizeof(want));
		pkt_free(&p);
	}
}

Test(builder, error_minimal)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_error(&p, "FATAL", "28P01", "bad pw", NULL, NULL);
	/* body: S FATAL\0 V FATAL\0 C 28P01\0 M bad pw\0 \0 */
	static const uint8_t want[] = "E\0\0\0\x22"
				      "SFATAL\0"
				      "VFATAL\0"
				      "C28P01\0"
				      "Mbad pw\0"
				      "\0";
	size_t wantlen = sizeof(want) - 1;
	cr_assert_eq(wantlen, 1 + 0x22);
	assert_bytes(p.data, p.len, want, wantlen);
	cr_assert_eq(proto_get_u32(p.data + 1), p.len - 1);
	pkt_free(&p);
}

Test(builder, error_with_detail_and_hint)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_error(&p, "ERROR", "53300", "too many", "d1", "h2");
	static const uint8_t want[] = "E\0\0\0\x2c"
				      "SERROR\0"
				      "VERROR\0"
				      "C53300\0"
				      "Mtoo many\0"
				      "Dd1\0"
				      "Hh2\0"
				      "\0";
	size_t wantlen = sizeof(want) - 1;
	cr_assert_eq(wantlen, 1 + 0x2c);
	assert_bytes(p.data, p.len, want, wantlen);

	/* And it parses back. */
	struct error_fields f;
	cr_assert_eq(proto_parse_error(p.data + 5, p.len - 5, &f), 0);
	cr_assert_str_eq(f.severity, "ERROR");
	cr_assert_str_eq(f.sqlstate, "53300");
	cr_assert_str_eq(f.message, "too many");
	cr_assert_str_eq(f.detail, "d1");
	pkt_free(&p);
}

Test(builder, error_detail_only)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_error(&p, "ERROR", "XX000", "m", "dd", NULL);
	static const uint8_t want[] = "E\0\0\0\x21"
				      "SERROR\0"
				      "VERROR\0"
				      "CXX000\0"
				      "Mm\0"
				      "Ddd\0"
				      "\0";
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);
	pkt_free(&p);
}

Test(builder, notice)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_notice(&p, "WARNING", "01000", "w");
	static const uint8_t want[] = "N\0\0\0\x21"
				      "SWARNING\0"
				      "VWARNING\0"
				      "C01000\0"
				      "Mw\0"
				      "\0";
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);
	pkt_free(&p);
}

Test(builder, param_status)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_param_status(&p, "client_encoding", "UTF8");
	static const uint8_t want[] = "S\0\0\0\x19"
				      "client_encoding\0"
				      "UTF8\0";
	cr_assert_eq(sizeof(want) - 1, 1 + 0x19);
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);
	pkt_free(&p);
}

Test(builder, param_status_empty_value)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_param_status(&p, "x", "");
	assert_lit(p.data, p.len, ("S\0\0\0\x07x\0\0"));
	pkt_free(&p);
}

Test(builder, backend_key)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_backend_key(&p, 0x01020304u, 0xdeadbeefu);
	assert_lit(p.data, p.len, ("K\0\0\0\x0c\x01\x02\x03\x04\xde\xad\xbe\xef"));
	pkt_free(&p);
}

Test(builder, auth_ok)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_auth(&p, AUTH_REQ_OK, NULL, 0);
	assert_lit(p.data, p.len, ("R\0\0\0\x08\0\0\0\0"));
	pkt_free(&p);
}

Test(builder, auth_md5_salt)
{
	struct pkt p;
	pkt_init(&p);
	const uint8_t salt[4] = {0xa1, 0x00, 0xff, 0x7f};
	proto_build_auth(&p, AUTH_REQ_MD5, salt, sizeof(salt));
	assert_lit(p.data, p.len, ("R\0\0\0\x0c\0\0\0\x05\xa1\x00\xff\x7f"));
	pkt_free(&p);
}

Test(builder, auth_sasl_mechanisms)
{
	struct pkt p;
	pkt_init(&p);
	static const char mechs[] = "SCRAM-SHA-256\0"; /* list ended by an extra NUL */
	proto_build_auth(&p, AUTH_REQ_SASL, mechs, sizeof(mechs));
	static const uint8_t want[] = "R\0\0\0\x17\0\0\0\x0a"
				      "SCRAM-SHA-256\0\0";
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);
	pkt_free(&p);
}

Test(builder, query)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_query(&p, "SELECT 1");
	assert_lit(p.data, p.len, ("Q\0\0\0\x0dSELECT 1\0"));
	pkt_free(&p);
}

Test(builder, password)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_password(&p, "md5abc");
	assert_lit(p.data, p.len, ("p\0\0\0\x0bmd5abc\0"));
	pkt_free(&p);
}

Test(builder, sasl_initial_and_response)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_sasl_initial(&p, "SCRAM-SHA-256", "n,,n=,r=ab", 10);
	static const uint8_t want[] = "p\0\0\0\x20"
				      "SCRAM-SHA-256\0"
				      "\0\0\0\x0a"
				      "n,,n=,r=ab";
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);
	pkt_reset(&p);
	proto_build_sasl_response(&p, "c=biws", 6);
	assert_lit(p.data, p.len, ("p\0\0\0\x0a"
					"c=biws"));
	pkt_free(&p);
}

Test(builder, cancel_request_16_bytes)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_cancel(&p, 0x11223344u, 0x80000001u);
	cr_assert_eq(p.len, 16);
	assert_lit(p.data, p.len,
		   ("\0\0\0\x10"
			 "\x04\xd2\x16\x2e"
			 "\x11\x22\x33\x44"
			 "\x80\x00\x00\x01"));
	cr_assert_eq(proto_get_u32(p.data + 4), PROTO_CANCEL_REQUEST);

	/* And it parses back. */
	struct startup_msg m;
	const char *st = NULL;
	char msg[128];
	cr_assert_eq(proto_parse_startup(p.data + 4, p.len - 4, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.kind, STARTUP_CANCEL);
	cr_assert_eq(m.cancel_pid, 0x11223344u);
	cr_assert_eq(m.cancel_key, 0x80000001u);
	pkt_free(&p);
}

Test(builder, startup_exact_bytes)
{
	struct pkt p;
	pkt_init(&p);
	struct startup_param params[] = {{"user", "bob"}, {"database", "db"}};
	proto_build_startup(&p, params, 2);
	static const uint8_t want[] = "\0\0\0\x1e"
				      "\0\x03\0\0"
				      "user\0bob\0"
				      "database\0db\0"
				      "\0";
	cr_assert_eq(sizeof(want) - 1, 0x1e);
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);
	pkt_free(&p);
}

Test(builder, startup_roundtrip)
{
	struct pkt p;
	pkt_init(&p);
	struct startup_param params[] = {
		{"user", "alice"},
		{"database", "shop"},
		{"application_name", "psql"},
		{"options", "-c search_path=x"},
		{"client_encoding", "UTF8"},
		{"DateStyle", "ISO"},
	};
	proto_build_startup(&p, params, 6);
	cr_assert_not(p.oom);
	cr_assert_eq(proto_get_u32(p.data), p.len);
	cr_assert_eq(proto_get_u32(p.data + 4), PROTO_VERSION_3_0);

	struct startup_msg m;
	const char *st = NULL;
	char msg[128] = "";
	int rc = proto_parse_startup(p.data + 4, p.len - 4, &m, &st, msg, sizeof(msg));
	cr_assert_eq(rc, 0, "parse failed: %s %s", st ? st : "", msg);
	cr_assert_eq(m.kind, STARTUP_NORMAL);
	cr_assert_eq(m.version, PROTO_VERSION_3_0);
	cr_assert_str_eq(m.user, "alice");
	cr_assert_str_eq(m.database, "shop");
	cr_assert_str_eq(m.options, "-c search_path=x");
	cr_assert_eq(m.nparams, 3);
	cr_assert_str_eq(m.params[0].name, "application_name");
	cr_assert_str_eq(m.params[0].value, "psql");
	cr_assert_str_eq(m.params[1].name, "client_encoding");
	cr_assert_str_eq(m.params[1].value, "UTF8");
	cr_assert_str_eq(m.params[2].name, "DateStyle");
	cr_assert_str_eq(m.params[2].value, "ISO");
	cr_assert_eq(m.n_unknown_pq, 0);
	/* Strings point into the parsed buffer. */
	assert_inside(m.user, p.data + 4, p.len - 4);
	assert_inside(m.database, p.data + 4, p.len - 4);
	assert_inside(m.options, p.data + 4, p.len - 4);
	pkt_free(&p);
}

Test(builder, negotiate_protocol_version)
{
	struct pkt p;
	pkt_init(&p);
	const char *const unknown[] = {"_pq_.foo", "_pq_.b"};
	proto_build_negotiate_version(&p, 0, unknown, 2);
	static const uint8_t want[] = "v\0\0\0\x1c"
				      "\0\x03\0\0"
				      "\0\0\0\x02"
				      "_pq_.foo\0"
				      "_pq_.b\0";
	cr_assert_eq(sizeof(want) - 1, 1 + 0x1c);
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);
	pkt_free(&p);
}

Test(builder, negotiate_protocol_version_minor_no_options)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_negotiate_version(&p, 2, NULL, 0);
	assert_lit(p.data, p.len, ("v\0\0\0\x0c\0\x03\0\x02\0\0\0\0"));
	pkt_free(&p);
}

Test(builder, back_to_back_messages)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_auth(&p, AUTH_REQ_OK, NULL, 0);
	proto_build_param_status(&p, "server_version", "16.2");
	proto_build_backend_key(&p, 42, 7);
	proto_build_ready(&p, 'I');
	cr_assert_not(p.oom);

	static const uint8_t want[] = "R\0\0\0\x08\0\0\0\0"
				      "S\0\0\0\x18server_version\0"
				      "16.2\0"
				      "K\0\0\0\x0c\0\0\0\x2a\0\0\0\x07"
				      "Z\0\0\0\x05I";
	assert_bytes(p.data, p.len, want, sizeof(want) - 1);

	/* Walk them with proto_peek_header: each length must be right. */
	const char types[] = {'R', 'S', 'K', 'Z'};
	const uint32_t lens[] = {8, 0x18, 12, 5};
	size_t off = 0;
	for (int i = 0; i < 4; i++) {
		char t = 0;
		uint32_t l = 0;
		cr_assert_eq(proto_peek_header(p.data + off, p.len - off, 1u << 20, &t, &l), 1);
		cr_assert_eq(t, types[i]);
		cr_assert_eq(l, lens[i]);
		off += 1 + l;
	}
	cr_assert_eq(off, p.len);
	pkt_free(&p);
}

Test(builder, grows_past_initial_capacity)
{
	struct pkt p;
	pkt_init(&p);
	static char big[5000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	proto_build_query(&p, big);
	proto_build_ready(&p, 'T');
	cr_assert_not(p.oom);
	cr_assert_eq(p.len, 5 + 5000 + 6);
	cr_assert_eq(p.data[0], 'Q');
	cr_assert_eq(proto_get_u32(p.data + 1), 4 + 5000);
	cr_assert_eq(p.data[5 + 4998], 'x');
	cr_assert_eq(p.data[5 + 4999], 0); /* the query's NUL */
	assert_lit(p.data + 5005, 6, ("Z\0\0\0\5T"));
	pkt_free(&p);
}

Test(builder, pkt_reset)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_query(&p, "SELECT 1");
	proto_build_ready(&p, 'I');
	size_t cap = p.cap;
	uint8_t *data = p.data;
	cr_assert_gt(p.len, 0);

	pkt_reset(&p);
	cr_assert_eq(p.len, 0);
	cr_assert_eq(p.start, 0);
	cr_assert_not(p.oom);
	/* The buffer is kept for reuse. */
	cr_assert_eq(p.cap, cap);
	cr_assert_eq(p.data, data);

	proto_build_ready(&p, 'E');
	assert_lit(p.data, p.len, ("Z\0\0\0\5E"));
	pkt_free(&p);
	cr_assert_null(p.data);
	cr_assert_eq(p.len, 0);
	cr_assert_eq(p.cap, 0);
}

Test(builder, huge_size_sets_oom, .timeout = 10)
{
	/* A size that would wrap len + n (or the capacity doubling) must latch
	 * oom instead of overflowing the buffer or looping forever. */
	struct pkt p;
	pkt_init(&p);
	pkt_bytes(&p, "x", SIZE_MAX);
	cr_assert(p.oom);
	cr_assert_eq(p.len, 0);
	pkt_free(&p);

	pkt_init(&p);
	proto_build_ready(&p, 'I');
	pkt_begin(&p, 'd');
	pkt_bytes(&p, "x", SIZE_MAX - 2);
	cr_assert(p.oom);
	pkt_end(&p); /* no-op after oom */
	cr_assert_eq(p.len, 6 + 5);
	assert_lit(p.data, 6, ("Z\0\0\0\5I"));

	/* Further appends are dropped; pkt_reset clears the flag. */
	proto_build_ready(&p, 'T');
	cr_assert_eq(p.len, 6 + 5);
	pkt_reset(&p);
	cr_assert_not(p.oom);
	proto_build_ready(&p, 'T');
	assert_lit(p.data, p.len, ("Z\0\0\0\5T"));
	pkt_free(&p);

	pkt_init(&p);
	pkt_bytes(&p, "x", SIZE_MAX / 2 + 1);
	cr_assert(p.oom);
	pkt_free(&p);
}

Test(builder, raw_primitives)
{
	struct pkt p;
	pkt_init(&p);
	pkt_begin(&p, 'X');
	pkt_int16(&p, -2);
	pkt_int16(&p, 0x1234);
	pkt_int32(&p, -1);
	pkt_int32(&p, INT32_MIN);
	pkt_byte(&p, 0xff);
	pkt_string(&p, "");
	pkt_bytes(&p, NULL, 0);
	pkt_end(&p);
	assert_lit(p.data, p.len,
		   ("X\0\0\0\x12"
			 "\xff\xfe\x12\x34"
			 "\xff\xff\xff\xff\x80\0\0\0"
			 "\xff\0"));
	pkt_free(&p);
}

Test(builder, untyped_begin_after_typed)
{
	/* An untyped message appended after a typed one gets its own length. */
	struct pkt p;
	pkt_init(&p);
	proto_build_ready(&p, 'I');
	proto_build_cancel(&p, 1, 2);
	cr_assert_eq(p.len, 6 + 16);
	cr_assert_eq(proto_get_u32(p.data + 1), 5);
	cr_assert_eq(proto_get_u32(p.data + 6), 16);
	pkt_free(&p);
}

/* ====================================================== reader tests */

Test(reader, basic_sequence)
{
	static const uint8_t d[] = "\x7f\x12\x34\x01\x02\x03\x04hi\0rest";
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d) - 1);
	cr_assert_eq(pr_remaining(&r), sizeof(d) - 1);
	cr_assert_eq(pr_byte(&r), 0x7f);
	cr_assert_eq(pr_int16(&r), 0x1234);
	cr_assert_eq(pr_int32(&r), 0x01020304);
	const char *s = pr_string(&r);
	cr_assert_str_eq(s, "hi");
	cr_assert_eq((const uint8_t *)s, d + 7);
	const uint8_t *b = pr_bytes(&r, 4);
	cr_assert_eq(b, d + 10);
	cr_assert_eq(pr_remaining(&r), 0);
	cr_assert_not(r.err);
}

Test(reader, string_unterminated)
{
	static const uint8_t d[] = {'a', 'b', 'c'};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	const char *s = pr_string(&r);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "");
	cr_assert(r.err);
	cr_assert_eq(r.pos, 0, "an unterminated string must not advance");
}

Test(reader, string_at_end_of_buffer)
{
	static const uint8_t d[] = {'a', 0};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	cr_assert_str_eq(pr_string(&r), "a");
	cr_assert_not(r.err);
	/* Nothing left: a further string is unterminated. */
	cr_assert_str_eq(pr_string(&r), "");
	cr_assert(r.err);
}

Test(reader, string_empty)
{
	static const uint8_t d[] = {0, 'x', 0};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	const char *s = pr_string(&r);
	cr_assert_eq((const uint8_t *)s, d);
	cr_assert_str_eq(s, "");
	cr_assert_not(r.err);
	cr_assert_str_eq(pr_string(&r), "x");
	cr_assert_not(r.err);
}

Test(reader, empty_buffer)
{
	struct pkt_reader r;
	pr_init(&r, "", 0);
	cr_assert_eq(pr_remaining(&r), 0);
	cr_assert_eq(pr_byte(&r), 0);
	cr_assert(r.err);

	pr_init(&r, "", 0);
	cr_assert_str_eq(pr_string(&r), "");
	cr_assert(r.err);

	pr_init(&r, "", 0);
	cr_assert_not_null(pr_bytes(&r, 0), "zero bytes from an empty buffer is fine");
	cr_assert_not(r.err);
}

Test(reader, null_empty_buffer)
{
	/* pr_init(NULL, 0) is a valid empty buffer: no NULL arithmetic, no crash
	 * (UBSan with -fno-sanitize-recover used to abort in pr_string). */
	struct pkt_reader r;
	pr_init(&r, NULL, 0);
	cr_assert_str_eq(pr_string(&r), "");
	cr_assert(r.err);

	pr_init(&r, NULL, 0);
	cr_assert_not_null(pr_bytes(&r, 0));
	cr_assert_not(r.err);
	cr_assert_eq(pr_int32(&r), 0);
	cr_assert(r.err);

	struct error_fields f;
	cr_assert_eq(proto_parse_error(NULL, 0, &f), -1);
	struct startup_msg m;
	const char *st = NULL;
	char msg[64];
	cr_assert_eq(proto_parse_startup(NULL, 0, &m, &st, msg, sizeof(msg)), -1);
	cr_assert_str_eq(st, "08P01");
}

Test(reader, past_end_latches)
{
	static const uint8_t d[] = {1, 2, 3, 0};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	cr_assert_eq(pr_int16(&r), 0x0102);
	/* Only 2 bytes remain: a 4-byte read fails, returns 0 and does not move. */
	cr_assert_eq(pr_int32(&r), 0);
	cr_assert(r.err);
	cr_assert_eq(r.pos, 2);
	/* Everything after that fails too, even reads that would fit. */
	cr_assert_eq(pr_byte(&r), 0);
	cr_assert_eq(pr_int16(&r), 0);
	cr_assert_null(pr_bytes(&r, 1));
	cr_assert_null(pr_bytes(&r, 0));
	cr_assert_str_eq(pr_string(&r), "");
	cr_assert(r.err);
	cr_assert_eq(r.pos, 2);
}

Test(reader, bytes_past_end)
{
	static const uint8_t d[] = {1, 2, 3};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	cr_assert_null(pr_bytes(&r, 4));
	cr_assert(r.err);

	pr_init(&r, d, sizeof(d));
	cr_assert_null(pr_bytes(&r, SIZE_MAX), "huge n must not wrap");
	cr_assert(r.err);

	pr_init(&r, d, sizeof(d));
	cr_assert_eq(pr_bytes(&r, 3), d);
	cr_assert_not(r.err);
	cr_assert_eq(pr_remaining(&r), 0);
}

Test(reader, byte_past_end)
{
	static const uint8_t d[] = {9};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	cr_assert_eq(pr_byte(&r), 9);
	cr_assert_not(r.err);
	cr_assert_eq(pr_byte(&r), 0);
	cr_assert(r.err);
}

Test(reader, int16_sign)
{
	static const uint8_t d[] = {0xff, 0xff, 0x80, 0x00, 0x7f, 0xff, 0xff, 0xfe};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	cr_assert_eq(pr_int16(&r), -1);
	cr_assert_eq(pr_int16(&r), INT16_MIN);
	cr_assert_eq(pr_int16(&r), INT16_MAX);
	cr_assert_eq(pr_int16(&r), -2);
	cr_assert_not(r.err);
}

Test(reader, int32_sign)
{
	static const uint8_t d[] = {0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0,
				    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	cr_assert_eq(pr_int32(&r), -1);
	cr_assert_eq(pr_int32(&r), INT32_MIN);
	cr_assert_eq(pr_int32(&r), INT32_MAX);
	cr_assert_eq(pr_int32(&r), -2);
	cr_assert_not(r.err);
}

Test(reader, int16_past_end)
{
	static const uint8_t d[] = {0xff};
	struct pkt_reader r;
	pr_init(&r, d, sizeof(d));
	cr_assert_eq(pr_int16(&r), 0);
	cr_assert(r.err);
	cr_assert_eq(r.pos, 0);
}

Test(reader, u32_helpers)
{
	uint8_t b[4];
	proto_put_u32(b, 0xa1b2c3d4u);
	assert_lit(b, 4, ("\xa1\xb2\xc3\xd4"));
	cr_assert_eq(proto_get_u32(b), 0xa1b2c3d4u);
}

/* =============================================== proto_peek_header */

Test(peek_header, short_needs_more)
{
	static const uint8_t d[] = {'Q', 0, 0, 0, 5, 'x'};
	char t = '?';
	uint32_t l = 99;
	for (size_t n = 0; n < 5; n++) {
		cr_assert_eq(proto_peek_header(d, n, 1u << 20, &t, &l), 0, "avail %zu", n);
		cr_assert_eq(t, '?', "type must be untouched");
		cr_assert_eq(l, 99, "len must be untouched");
	}
	cr_assert_eq(proto_peek_header(d, 5, 1u << 20, &t, &l), 1);
}

Test(peek_header, length_too_small)
{
	char t;
	uint32_t l;
	for (uint8_t bad = 0; bad < 4; bad++) {
		uint8_t d[] = {'Q', 0, 0, 0, bad};
		cr_assert_eq(proto_peek_header(d, sizeof(d), 1u << 20, &t, &l), -1, "len %u", bad);
	}
}

Test(peek_header, length_3)
{
	static const uint8_t d[] = {'Q', 0, 0, 0, 3};
	char t;
	uint32_t l;
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1u << 20, &t, &l), -1);
}

Test(peek_header, length_over_max)
{
	char t;
	uint32_t l;
	uint8_t d[5] = {'D'};
	proto_put_u32(d + 1, 1001);
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1000, &t, &l), -1);
	proto_put_u32(d + 1, 1000);
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1000, &t, &l), 1, "max itself is allowed");
	cr_assert_eq(l, 1000);
	proto_put_u32(d + 1, 0xffffffffu);
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1u << 30, &t, &l), -1);
	proto_put_u32(d + 1, 0x80000000u); /* would be negative as int32 */
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1u << 30, &t, &l), -1);
}

Test(peek_header, ok)
{
	static const uint8_t d[] = {'Q', 0, 0, 0, 13, 'S', 'E', 'L'};
	char t = 0;
	uint32_t l = 0;
	/* Only the header needs to be present, not the whole body. */
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1u << 20, &t, &l), 1);
	cr_assert_eq(t, 'Q');
	cr_assert_eq(l, 13);
}

Test(peek_header, length_4_empty_body)
{
	static const uint8_t d[] = {'S', 0, 0, 0, 4};
	char t = 0;
	uint32_t l = 0;
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1u << 20, &t, &l), 1);
	cr_assert_eq(t, 'S');
	cr_assert_eq(l, 4);
}

Test(peek_header, high_type_byte)
{
	static const uint8_t d[] = {0xff, 0, 0, 1, 0};
	char t = 0;
	uint32_t l = 0;
	cr_assert_eq(proto_peek_header(d, sizeof(d), 1u << 20, &t, &l), 1);
	cr_assert_eq((uint8_t)t, 0xff);
	cr_assert_eq(l, 256);
}

/* ============================================= proto_parse_startup */

static void startup_header(struct buf *b, uint32_t version)
{
	b->n = 0;
	b_u32(b, version);
}

Test(startup, normal_full)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "carol");
	b_str(&b, "application_name");
	b_str(&b, "myapp");
	b_str(&b, "database");
	b_str(&b, "sales");
	b_str(&b, "options");
	b_str(&b, "-c geqo=off");
	b_str(&b, "client_encoding");
	b_str(&b, "LATIN1");
	b_str(&b, "replication");
	b_str(&b, "false");
	b_byte(&b, 0);

	struct startup_msg m;
	const char *st = NULL;
	char msg[256] = "";
	int rc = proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg));
	cr_assert_eq(rc, 0, "%s %s", st ? st : "", msg);
	cr_assert_eq(m.kind, STARTUP_NORMAL);
	cr_assert_eq(m.version, PROTO_VERSION_3_0);
	cr_assert_str_eq(m.user, "carol");
	cr_assert_str_eq(m.database, "sales");
	cr_assert_str_eq(m.options, "-c geqo=off");
	cr_assert_eq(m.nparams, 3);
	cr_assert_str_eq(m.params[0].name, "application_name");
	cr_assert_str_eq(m.params[0].value, "myapp");
	cr_assert_str_eq(m.params[1].name, "client_encoding");
	cr_assert_str_eq(m.params[1].value, "LATIN1");
	cr_assert_str_eq(m.params[2].name, "replication");
	cr_assert_str_eq(m.params[2].value, "false");
	cr_assert_eq(m.n_unknown_pq, 0);
	cr_assert_eq(m.cancel_pid, 0);
	cr_assert_eq(m.cancel_key, 0);
	assert_inside(m.user, b.d, b.n);
	assert_inside(m.database, b.d, b.n);
	assert_inside(m.options, b.d, b.n);
	for (int i = 0; i < m.nparams; i++) {
		assert_inside(m.params[i].name, b.d, b.n);
		assert_inside(m.params[i].value, b.d, b.n);
	}
}

Test(startup, user_only_database_defaults_to_user)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "dave");
	b_byte(&b, 0);

	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_str_eq(m.user, "dave");
	cr_assert_str_eq(m.database, "dave");
	cr_assert_eq(m.database, m.user);
	cr_assert_null(m.options);
	cr_assert_eq(m.nparams, 0);
}

Test(startup, empty_database_defaults_to_user)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "database");
	b_str(&b, "");
	b_str(&b, "user");
	b_str(&b, "erin");
	b_byte(&b, 0);

	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_str_eq(m.database, "erin");
}

Test(startup, minor_version_accepted)
{
	/* 3.2 is still protocol 3: accepted, version reported as sent. */
	static struct buf b;
	startup_header(&b, (3u << 16) | 2);
	b_str(&b, "user");
	b_str(&b, "u");
	b_byte(&b, 0);
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.version, (3u << 16) | 2);
	cr_assert_eq(m.kind, STARTUP_NORMAL);
}

Test(startup, pq_params_collected)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "_pq_.compression");
	b_str(&b, "on");
	b_str(&b, "user");
	b_str(&b, "frank");
	b_str(&b, "_pq_.xxx");
	b_str(&b, "1");
	b_str(&b, "TimeZone");
	b_str(&b, "UTC");
	b_byte(&b, 0);

	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.n_unknown_pq, 2);
	cr_assert_str_eq(m.unknown_pq[0], "_pq_.compression");
	cr_assert_str_eq(m.unknown_pq[1], "_pq_.xxx");
	assert_inside(m.unknown_pq[0], b.d, b.n);
	/* _pq_ options are not ordinary parameters. */
	cr_assert_eq(m.nparams, 1);
	cr_assert_str_eq(m.params[0].name, "TimeZone");
	cr_assert_str_eq(m.params[0].value, "UTC");
	cr_assert_str_eq(m.user, "frank");
}

Test(startup, ssl_request)
{
	static struct buf b;
	startup_header(&b, PROTO_SSL_REQUEST);
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.kind, STARTUP_SSL);
	cr_assert_eq(m.version, PROTO_SSL_REQUEST);
	cr_assert_null(m.user);
}

Test(startup, ssl_request_wire_bytes)
{
	/* 00 00 00 08 04 d2 16 2f: the body after the length word is 4 bytes. */
	static const uint8_t wire[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_get_u32(wire), sizeof(wire));
	cr_assert_eq(proto_parse_startup(wire + 4, sizeof(wire) - 4, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.kind, STARTUP_SSL);
}

Test(startup, ssl_request_bad_length)
{
	static struct buf b;
	startup_header(&b, PROTO_SSL_REQUEST);
	b_byte(&b, 0);
	expect_startup_fail(&b, "08P01", NULL);
	b_bytes(&b, "\0\0\0", 3);
	expect_startup_fail(&b, "08P01", NULL);
}

Test(startup, gssenc_request)
{
	static struct buf b;
	startup_header(&b, PROTO_GSSENC_REQUEST);
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.kind, STARTUP_GSSENC);
	cr_assert_eq(m.version, PROTO_GSSENC_REQUEST);

	b_bytes(&b, "\0\0\0\0", 4);
	expect_startup_fail(&b, "08P01", NULL);
}

Test(startup, cancel_request)
{
	static struct buf b;
	startup_header(&b, PROTO_CANCEL_REQUEST);
	b_u32(&b, 12345);
	b_u32(&b, 0xfedcba98u);
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.kind, STARTUP_CANCEL);
	cr_assert_eq(m.cancel_pid, 12345);
	cr_assert_eq(m.cancel_key, 0xfedcba98u);
	cr_assert_null(m.user);
}

Test(startup, cancel_request_bad_length)
{
	static struct buf b;
	startup_header(&b, PROTO_CANCEL_REQUEST);
	b_u32(&b, 1);
	expect_startup_fail(&b, "08P01", NULL); /* 8 bytes: too short */
	b_u32(&b, 2);
	b_byte(&b, 0);
	expect_startup_fail(&b, "08P01", NULL); /* 13 bytes: too long */
}

Test(startup, protocol_2_rejected)
{
	static struct buf b;
	startup_header(&b, 2u << 16);
	b_str(&b, "user");
	b_str(&b, "x");
	b_byte(&b, 0);
	expect_startup_fail(&b, "0A000",
			    "unsupported frontend protocol 2.0: server supports 3.0 to 3.0");
}

Test(startup, protocol_4_rejected)
{
	static struct buf b;
	startup_header(&b, (4u << 16) | 1);
	b_byte(&b, 0);
	expect_startup_fail(&b, "0A000",
			    "unsupported frontend protocol 4.1: server supports 3.0 to 3.0");
}

Test(startup, unknown_special_code_rejected)
{
	/* 1234.5678/5679/5680 are cancel/SSL/GSSENC; 1234.5681 is unknown. */
	static struct buf b;
	startup_header(&b, (1234u << 16) | 5681);
	expect_startup_fail(&b, "0A000",
			    "unsupported frontend protocol 1234.5681: server supports 3.0 to 3.0");
}

Test(startup, missing_user)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "database");
	b_str(&b, "db");
	b_byte(&b, 0);
	expect_startup_fail(&b, "28000", "no PostgreSQL user name specified in startup packet");
}

Test(startup, no_params_at_all)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_byte(&b, 0);
	expect_startup_fail(&b, "28000", "no PostgreSQL user name specified in startup packet");
}

Test(startup, empty_user)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "");
	b_byte(&b, 0);
	expect_startup_fail(&b, "28000", "no PostgreSQL user name specified in startup packet");
}

Test(startup, missing_terminator)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "x");
	/* no final NUL */
	expect_startup_fail(&b, "08P01", NULL);
}

Test(startup, only_version_no_terminator)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	expect_startup_fail(&b, "08P01", NULL);
}

Test(startup, name_without_value)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "x");
	b_str(&b, "application_name");
	/* value missing, packet ends */
	expect_startup_fail(&b, "08P01", NULL);
}

Test(startup, unterminated_value)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_bytes(&b, "abc", 3);
	expect_startup_fail(&b, "08P01", NULL);
}

Test(startup, trailing_garbage)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "x");
	b_byte(&b, 0);
	b_bytes(&b, "junk", 4);
	expect_startup_fail(&b, "08P01",
			    "invalid startup packet layout: expected terminator as last byte");
}

Test(startup, trailing_nul_after_terminator)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "x");
	b_byte(&b, 0);
	b_byte(&b, 0);
	expect_startup_fail(&b, "08P01", NULL);
}

Test(startup, too_short_for_version)
{
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	static const uint8_t d[] = {0, 3, 0};
	for (size_t n = 0; n < 4; n++) {
		st = NULL;
		cr_assert_eq(proto_parse_startup(d, n, &m, &st, msg, sizeof(msg)), -1);
		cr_assert_str_eq(st, "08P01");
		cr_assert_str_eq(msg, "invalid length of startup packet");
	}
}

Test(startup, exactly_max_params_ok)
{
	static struct buf b;
	char name[32], val[32];
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "u");
	for (int i = 0; i < PROTO_MAX_PARAMS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		b_str(&b, name);
		b_str(&b, val);
	}
	b_byte(&b, 0);
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_eq(m.nparams, PROTO_MAX_PARAMS);
	cr_assert_str_eq(m.params[PROTO_MAX_PARAMS - 1].name, "p63");
	cr_assert_str_eq(m.params[PROTO_MAX_PARAMS - 1].value, "v63");
}

Test(startup, too_many_params)
{
	static struct buf b;
	char name[32];
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "u");
	for (int i = 0; i < PROTO_MAX_PARAMS + 1; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		b_str(&b, name);
		b_str(&b, "v");
	}
	b_byte(&b, 0);
	expect_startup_fail(&b, "08P01", "too many parameters in startup packet");
}

Test(startup, many_pq_params_do_not_overflow)
{
	/* More _pq_ options than unknown_pq[] holds: capped, never overflowed. */
	static struct buf b;
	char name[32];
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "u");
	for (int i = 0; i < PROTO_MAX_PARAMS + 10; i++) {
		snprintf(name, sizeof(name), "_pq_.o%d", i);
		b_str(&b, name);
		b_str(&b, "1");
	}
	b_byte(&b, 0);
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	int rc = proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg));
	if (rc == 0) {
		cr_assert_leq(m.n_unknown_pq, PROTO_MAX_PARAMS);
		cr_assert_str_eq(m.unknown_pq[0], "_pq_.o0");
	} else {
		cr_assert_str_eq(st, "08P01");
	}
}

Test(startup, user_given_twice_last_wins)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_str(&b, "user");
	b_str(&b, "first");
	b_str(&b, "user");
	b_str(&b, "second");
	b_byte(&b, 0);
	struct startup_msg m;
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_str_eq(m.user, "second");
	cr_assert_eq(m.nparams, 0);
}

Test(startup, small_errmsg_buffer_truncates)
{
	static struct buf b;
	startup_header(&b, PROTO_VERSION_3_0);
	b_byte(&b, 0);
	struct startup_msg m;
	const char *st = NULL;
	char msg[8];
	memset(msg, 'Z', sizeof(msg));
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "no Post");
}

Test(startup, resets_output_struct)
{
	static struct buf b;
	startup_header(&b, PROTO_SSL_REQUEST);
	struct startup_msg m;
	memset(&m, 0xa5, sizeof(m));
	const char *st = NULL;
	char msg[256];
	cr_assert_eq(proto_parse_startup(b.d, b.n, &m, &st, msg, sizeof(msg)), 0);
	cr_assert_null(m.user);
	cr_assert_null(m.database);
	cr_assert_null(m.options);
	cr_assert_eq(m.nparams, 0);
	cr_assert_eq(m.n_unknown_pq, 0);
}

/* =============================================== proto_parse_error */

Test(parse_error, v_preferred_over_s)
{
	static const uint8_t body[] = "SFEHLER\0"
				      "VERROR\0"
				      "C42P01\0"
				      "Mrelation \"x\" does not exist\0"
				      "DSome detail\0"
				      "P15\0"
				      "\0";
	struct error_fields f;
	cr_assert_eq(proto_parse_error(body, sizeof(body) - 1, &f), 0);
	cr_assert_str_eq(f.severity, "ERROR");
	cr_assert_str_eq(f.sqlstate, "42P01");
	cr_assert_str_eq(f.message, "relation \"x\" does not exist");
	cr_assert_str_eq(f.detail, "Some detail");
}

Test(parse_error, v_before_s_still_wins)
{
	static const uint8_t body[] = "VFATAL\0"
				      "SSCHWERWIEGEND\0"
				      "C57P01\0"
				      "Mbye\0"
				      "\0";
	struct error_fields f;
	cr_assert_eq(proto_parse_error(body, sizeof(body) - 1, &f), 0);
	cr_assert_str_eq(f.severity, "FATAL");
	cr_assert_str_eq(f.sqlstate, "57P01");
	cr_assert_str_eq(f.message, "bye");
	cr_assert_null(f.detail);
}

Test(parse_error, s_only)
{
	/* Pre-9.6 servers send only S. */
	static const uint8_t body[] = "SNOTICE\0"
				      "C00000\0"
				      "Mhi\0"
				      "\0";
	struct error_fields f;
	cr_assert_eq(proto_parse_error(body, sizeof(body) - 1, &f), 0);
	cr_assert_str_eq(f.severity, "NOTICE");
	cr_assert_null(f.detail);
}

Test(parse_error, empty_is_valid)
{
	static const uint8_t body[] = {0};
	struct error_fields f;
	memset(&f, 0x5a, sizeof(f));
	cr_assert_eq(proto_parse_error(body, sizeof(body), &f), 0);
	cr_assert_null(f.severity);
	cr_assert_null(f.sqlstate);
	cr_assert_null(f.message);
	cr_assert_null(f.detail);
}

Test(parse_error, strings_inside_body)
{
	static const uint8_t body[] = "VERROR\0"
				      "C22012\0"
				      "Mdivision by zero\0"
				      "\0";
	struct error_fields f;
	cr_assert_eq(proto_parse_error(body, sizeof(body) - 1, &f), 0);
	assert_inside(f.severity, body, sizeof(body) - 1);
	assert_inside(f.sqlstate, body, sizeof(body) - 1);
	assert_inside(f.message, body, sizeof(body) - 1);
	cr_assert_eq((const uint8_t *)f.severity, body + 1);
}

Test(parse_error, malformed)
{
	struct error_fields f;
	/* empty body: no terminator */
	cr_assert_eq(proto_parse_error((const uint8_t *)"", 0, &f), -1);
	/* missing final terminator */
	cr_assert_eq(proto_parse_error(LIT("VERROR\0"), &f), -1);
	/* field value not terminated */
	cr_assert_eq(proto_parse_error(LIT("VERROR\0Mabc"), &f), -1);
	/* field code with nothing after it */
	cr_assert_eq(proto_parse_error(LIT("VERROR\0M"), &f), -1);
	/* single code byte */
	cr_assert_eq(proto_parse_error(LIT("S"), &f), -1);
}

Test(parse_error, roundtrip_from_builder)
{
	struct pkt p;
	pkt_init(&p);
	proto_build_notice(&p, "NOTICE", "00000", "note");
	struct error_fields f;
	cr_assert_eq(proto_parse_error(p.data + 5, p.len - 5, &f), 0);
	cr_assert_str_eq(f.severity, "NOTICE");
	cr_assert_str_eq(f.sqlstate, "00000");
	cr_assert_str_eq(f.message, "note");
	cr_assert_null(f.detail);
	pkt_free(&p);
}

/* ========================================== proto_is_frontend_type */

Test(frontend_type, accepted_and_rejected)
{
	const char *yes = "QPBDECSHXFdcfp";
	for (const char *c = yes; *c; c++)
		cr_assert(proto_is_frontend_type(*c), "'%c' should be a frontend type", *c);
	/* Backend-only or unassigned types. */
	const char *no = "ZRKTNAGWVnstIv1 ";
	for (const char *c = no; *c; c++)
		cr_assert_not(proto_is_frontend_type(*c), "'%c' should not be a frontend type", *c);
	cr_assert_not(proto_is_frontend_type('\0'));
	cr_assert_not(proto_is_frontend_type((char)0xff));
}
