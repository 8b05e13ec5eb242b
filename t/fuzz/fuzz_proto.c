/*
 * fuzz_proto.c - fuzz target for the untrusted-byte parsers in src/proto.c.
 *
 * One input is exercised four ways:
 *   1. as a startup packet body (proto_parse_startup), and, if it starts
 *      with a plausible length word, as a whole framed startup packet;
 *   2. as a stream of back-to-back typed messages walked with
 *      proto_peek_header (max_len 1 << 20);
 *   3. each complete message body from (2) goes through proto_parse_error
 *      (and proto_is_frontend_type for its type byte);
 *   4. as a little program for the pr_* reader: the first bytes choose the
 *      reads, the rest is the buffer read from.
 * Parsed results are checked against invariants (strings lie inside the
 * input and are terminated inside it, a successful startup has a non-empty
 * user and database, counts are in range, ...) and successful parses are
 * rebuilt with the proto_build_* builders and parsed again to the same
 * result.  Any violation calls abort(), which libFuzzer reports as a crash.
 *
 * Every parser gets its own exactly-sized heap copy of the bytes it may
 * look at, so AddressSanitizer catches a read even one byte past the end.
 *
 * Two builds:
 *   -DPGPIN_LIBFUZZER  libFuzzer target (clang -fsanitize=fuzzer,...);
 *                      see t/fuzz/run.sh.
 *   (default)          standalone replay program with its own main(): runs
 *                      every file (or every file in every directory) named
 *                      on the command line, or stdin if none.  This is what
 *                      "make t/fuzz/fuzz_proto" builds.
 */
#include "params.h"
#include "proto.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_LEN (1u << 20)

#include "check.h"

/* s points into [base, base+len) and is NUL-terminated inside it. */
static void check_inside(const char *s, const uint8_t *base, size_t len)
{
	CHECK(s != NULL);
	const uint8_t *p = (const uint8_t *)s;
	CHECK(p >= base && p < base + len);
	CHECK(memchr(p, 0, (size_t)(base + len - p)) != NULL);
}

static int streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* ------------------------------------------------------------ startup */

static void check_startup_ok(const struct startup_msg *m, const uint8_t *body, size_t len)
{
	CHECK(len >= 4);
	CHECK(m->version == proto_get_u32(body));
	switch (m->kind) {
	case STARTUP_SSL:
		CHECK(m->version == PROTO_SSL_REQUEST);
		CHECK(len == 4);
		CHECK(m->user == NULL);
		return;
	case STARTUP_GSSENC:
		CHECK(m->version == PROTO_GSSENC_REQUEST);
		CHECK(len == 4);
		CHECK(m->user == NULL);
		return;
	case STARTUP_CANCEL:
		CHECK(m->version == PROTO_CANCEL_REQUEST);
		CHECK(len == 12);
		CHECK(m->cancel_pid == proto_get_u32(body + 4));
		CHECK(m->cancel_key == proto_get_u32(body + 8));
		CHECK(m->user == NULL);
		return;
	case STARTUP_NORMAL:
		break;
	default:
		CHECK(!"bad startup kind");
	}
	CHECK((m->version >> 16) == 3);
	CHECK(body[len - 1] == 0); /* the terminator is the last byte */
	check_inside(m->user, body, len);
	CHECK(m->user[0] != '\0');
	check_inside(m->database, body, len);
	CHECK(m->database[0] != '\0');
	if (m->options)
		check_inside(m->options, body, len);
	CHECK(m->nparams >= 0 && m->nparams <= PROTO_MAX_PARAMS);
	CHECK(m->n_unknown_pq >= 0 && m->n_unknown_pq <= PROTO_MAX_PARAMS);
	for (int i = 0; i < m->nparams; i++) {
		const char *n = m->params[i].name;
		check_inside(n, body, len);
		check_inside(m->params[i].value, body, len);
		CHECK(n[0] != '\0');
		CHECK(strcmp(n, "user") != 0 && strcmp(n, "database") != 0 &&
		      strcmp(n, "options") != 0 && strncmp(n, "_pq_.", 5) != 0);
	}
	for (int i = 0; i < m->n_unknown_pq; i++) {
		check_inside(m->unknown_pq[i], body, len);
		CHECK(strncmp(m->unknown_pq[i], "_pq_.", 5) == 0);
	}
}

/* Rebuild a parsed StartupMessage and check it parses back the same. */
static void startup_roundtrip(const struct startup_msg *m)
{
	static struct startup_param pl[PROTO_MAX_PARAMS + 3];
	static struct startup_msg m2;
	int n = 0;

	pl[n++] = (struct startup_param){"user", m->user};
	pl[n++] = (struct startup_param){"database", m->database};
	if (m->options)
		pl[n++] = (struct startup_param){"options", m->options};
	for (int i = 0; i < m->nparams; i++)
		pl[n++] = m->params[i];

	struct pkt p;
	pkt_init(&p);
	proto_build_startup(&p, pl, n);
	CHECK(!p.oom);
	CHECK(p.len >= 8);
	CHECK(proto_get_u32(p.data) == p.len);
	CHECK(proto_get_u32(p.data + 4) == PROTO_VERSION_3_0);

	const char *st = NULL;
	char msg[256];
	int rc = proto_parse_startup(p.data + 4, p.len - 4, &m2, &st, msg, sizeof(msg));
	CHECK(rc == 0);
	CHECK(m2.kind == STARTUP_NORMAL);
	CHECK(streq(m2.user, m->user));
	CHECK(streq(m2.database, m->database));
	CHECK(streq(m2.options, m->options));
	CHECK(m2.nparams == m->nparams);
	for (int i = 0; i < m->nparams; i++) {
		CHECK(streq(m2.params[i].name, m->params[i].name));
		CHECK(streq(m2.params[i].value, m->params[i].value));
	}
	CHECK(m2.n_unknown_pq == 0);
	pkt_free(&p);
}

static void fuzz_startup_body(const uint8_t *data, size_t size)
{
	static struct startup_msg m; /* large: keep it off the stack */
	uint8_t *body = dup_exact(data, size);
	const char *st = NULL;
	char msg[256];

	memset(msg, 0x7f, sizeof(msg));
	int rc = proto_parse_startup(body, size, &m, &st, msg, sizeof(msg));
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		check_startup_ok(&m, body, size);
		if (m.kind == STARTUP_NORMAL)
			startup_roundtrip(&m);
		if (m.kind == STARTUP_CANCEL) {
			struct pkt p;
			pkt_init(&p);
			proto_build_cancel(&p, m.cancel_pid, m.cancel_key);
			CHECK(p.len == 16 && memcmp(p.data + 4, body, 12) == 0);
			CHECK(proto_get_u32(p.data) == 16);
			pkt_free(&p);
		}
	} else {
		CHECK(st != NULL);
		CHECK(strcmp(st, "08P01") == 0 || strcmp(st, "0A000") == 0 ||
		      strcmp(st, "28000") == 0);
		CHECK(memchr(msg, 0, sizeof(msg)) != NULL);
		CHECK(msg[0] != '\0');
	}

	/* A tiny message buffer must be truncated, not overrun. */
	char small[4 + 2];
	memset(small, 0x7f, sizeof(small));
	st = NULL;
	int rc2 = proto_parse_startup(body, size, &m, &st, small, 4);
	CHECK(rc2 == rc);
	if (rc2 == -1)
		CHECK(memchr(small, 0, 4) != NULL);
	CHECK(small[4] == 0x7f && small[5] == 0x7f);

	free(body);
}

static void fuzz_startup(const uint8_t *data, size_t size)
{
	/* The input as the body of a startup packet... */
	fuzz_startup_body(data, size);

	/* ...and as a whole packet whose first word is its length. */
	if (size >= 4) {
		uint32_t l = proto_get_u32(data);
		if (l >= 4 && l <= size && l <= PROTO_MAX_STARTUP_LEN)
			fuzz_startup_body(data + 4, l - 4);
	}
}

/* ------------------------------------------------------ ErrorResponse */

static void fuzz_error_body(const uint8_t *data, size_t size)
{
	uint8_t *body = dup_exact(data, size);
	struct error_fields f;

	int rc = proto_parse_error(body, size, &f);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(size >= 1);
		CHECK(memchr(body, 0, size) != NULL);
		if (f.severity)
			check_inside(f.severity, body, size);
		if (f.sqlstate)
			check_inside(f.sqlstate, body, size);
		if (f.message)
			check_inside(f.message, body, size);
		if (f.detail)
			check_inside(f.detail, body, size);

		/* Rebuild and reparse: the same fields come back. */
		if (f.severity && f.sqlstate && f.message) {
			struct pkt p;
			struct error_fields g;
			pkt_init(&p);
			proto_build_error(&p, f.severity, f.sqlstate, f.message, f.detail, NULL);
			CHECK(!p.oom);
			CHECK(p.len >= 5 && p.data[0] == 'E');
			CHECK(proto_get_u32(p.data + 1) == p.len - 1);
			CHECK(p.data[p.len - 1] == 0);
			CHECK(proto_parse_error(p.data + 5, p.len - 5, &g) == 0);
			CHECK(streq(g.severity, f.severity));
			CHECK(streq(g.sqlstate, f.sqlstate));
			CHECK(streq(g.message, f.message));
			CHECK(streq(g.detail, f.detail));
			pkt_free(&p);
		}
	}
	free(body);
}

/* ------------------------------------------------------------ framing */

static void fuzz_framing(const uint8_t *data, size_t size)
{
	size_t off = 0;
	int nmsg = 0;

	while (off <= size) {
		char type = 0;
		uint32_t len = 0;
		size_t avail = size - off;
		int rc = proto_peek_header(data + off, avail, FUZZ_MAX_LEN, &type, &len);
		if (rc == 0) {
			CHECK(avail < 5);
			break;
		}
		if (rc == -1) {
			CHECK(avail >= 5);
			uint32_t l = proto_get_u32(data + off + 1);
			CHECK(l < 4 || l > FUZZ_MAX_LEN);
			break;
		}
		CHECK(rc == 1);
		CHECK(avail >= 5);
		CHECK(type == (char)data[off]);
		CHECK(len == proto_get_u32(data + off + 1));
		CHECK(len >= 4 && len <= FUZZ_MAX_LEN);
		/* A smaller max_len must not accept what it should reject. */
		{
			char t2;
			uint32_t l2;
			int rc2 = proto_peek_header(data + off, avail, len - 1, &t2, &l2);
			CHECK(rc2 == -1);
		}
		if ((size_t)len + 1 > avail)
			break; /* incomplete message: a real reader would wait */

		(void)proto_is_frontend_type(type);
		fuzz_error_body(data + off + 5, len - 4);
		off += (size_t)len + 1;
		nmsg++;
	}
	(void)nmsg;
}

/* ------------------------------------------------------------- reader */

/*
 * The first byte gives the number of operations (0..15), the next that
 * many bytes are the operations, the rest is the buffer.
 */
static void fuzz_reader(const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	size_t nops = data[0] & 15;
	if (size < 1 + nops)
		return;
	const uint8_t *ops = data + 1;
	size_t blen = size - 1 - nops;
	uint8_t *buf = dup_exact(data + 1 + nops, blen);

	struct pkt_reader r;
	pr_init(&r, buf, blen);
	CHECK(pr_remaining(&r) == blen);

	for (size_t i = 0; i < nops; i++) {
		size_t pos = r.pos;
		bool was_err = r.err;
		size_t rem = pr_remaining(&r);
		CHECK(rem == blen - pos);

		switch (ops[i] % 5) {
		case 0: {
			uint8_t v = pr_byte(&r);
			if (!was_err && rem >= 1) {
				CHECK(!r.err && r.pos == pos + 1 && v == buf[pos]);
			} else {
				CHECK(r.err && r.pos == pos && v == 0);
			}
			break;
		}
		case 1: {
			int16_t v = pr_int16(&r);
			if (!was_err && rem >= 2) {
				CHECK(!r.err && r.pos == pos + 2);
				CHECK((uint16_t)v == (uint16_t)((buf[pos] << 8) | buf[pos + 1]));
			} else {
				CHECK(r.err && r.pos == pos && v == 0);
			}
			break;
		}
		case 2: {
			int32_t v = pr_int32(&r);
			if (!was_err && rem >= 4) {
				CHECK(!r.err && r.pos == pos + 4);
				CHECK((uint32_t)v == proto_get_u32(buf + pos));
			} else {
				CHECK(r.err && r.pos == pos && v == 0);
			}
			break;
		}
		case 3: {
			const char *s = pr_string(&r);
			CHECK(s != NULL);
			if (!was_err && rem > 0 && memchr(buf + pos, 0, rem)) {
				CHECK(!r.err);
				CHECK((const uint8_t *)s == buf + pos);
				CHECK(r.pos == pos + strlen(s) + 1);
				CHECK(r.pos <= blen);
			} else {
				CHECK(r.err && r.pos == pos && s[0] == '\0');
			}
			break;
		}
		case 4: {
			size_t n = ops[i] / 5; /* 0..51 */
			const uint8_t *b = pr_bytes(&r, n);
			if (!was_err && rem >= n) {
				CHECK(!r.err && b == buf + pos && r.pos == pos + n);
			} else {
				CHECK(r.err && b == NULL && r.pos == pos);
			}
			break;
		}
		}
		CHECK(r.pos <= r.len);
		CHECK(!was_err || r.err); /* the error latches */
	}
	free(buf);
}

/* An empty input is also tried as a NULL buffer, which callers may pass. */
static void fuzz_null_buffer(void)
{
	static struct startup_msg m;
	struct error_fields f;
	struct pkt_reader r;
	const char *st = NULL;
	char msg[64];

	CHECK(proto_parse_startup(NULL, 0, &m, &st, msg, sizeof(msg)) == -1);
	CHECK(st != NULL && strcmp(st, "08P01") == 0);
	CHECK(proto_parse_error(NULL, 0, &f) == -1);
	pr_init(&r, NULL, 0);
	CHECK(pr_bytes(&r, 0) != NULL && !r.err);
	CHECK(pr_string(&r)[0] == '\0' && r.err);
}

/* ------------------------------------------------------------ entry */

/* ------------------------------------------------------------ options */

/* The settings of an options string, kept for the second reading. */
struct opt_list {
	char *text; /* "name\0value\0" pairs */
	size_t len, cap;
	int n;
};

static int opt_collect(void *arg, const char *name, const char *value)
{
	struct opt_list *l = arg;
	size_t nl = strlen(name) + 1, vl = strlen(value) + 1;

	/* A name is a word's part before its first '=': never empty, never
	 * holding '=' or '-' (read as '_'). */
	CHECK(nl > 1);
	CHECK(!strchr(name, '=') && !strchr(name, '-'));
	if (l->len + nl + vl > l->cap) {
		l->cap = (l->len + nl + vl) * 2;
		l->text = realloc(l->text, l->cap);
		CHECK(l->text != NULL);
	}
	memcpy(l->text + l->len, name, nl);
	memcpy(l->text + l->len + nl, value, vl);
	l->len += nl + vl;
	l->n++;
	return 0;
}

/* "-c name=value ..." for the list, spaces and backslashes escaped. */
static char *opt_rebuild(const struct opt_list *l)
{
	char *out = malloc(l->len * 2 + (size_t)l->n * 4 + 1), *o = out;
	CHECK(out != NULL);
	for (size_t at = 0; at < l->len;) {
		const char *name = l->text + at, *value = name + strlen(name) + 1;
		at += strlen(name) + strlen(value) + 2;
		o += sprintf(o, "-c");
		for (const char *q = name; *q; q++) {
			if (isspace((unsigned char)*q) || *q == '\\')
				*o++ = '\\';
			*o++ = *q;
		}
		*o++ = '=';
		for (const char *q = value; *q; q++) {
			if (isspace((unsigned char)*q) || *q == '\\')
				*o++ = '\\';
			*o++ = *q;
		}
		*o++ = ' ';
	}
	*o = '\0';
	return out;
}

/*
 * The input as the options string of a startup packet: every setting has a
 * proper name, a refusal is one of PostgreSQL's, and the settings written
 * back as "-c name=value" read the same.
 */
static void fuzz_options(const uint8_t *data, size_t size)
{
	char *opts = malloc(size + 1);
	struct opt_list l = {0}, again = {0};
	struct options_error err;

	CHECK(opts != NULL);
	memcpy(opts, data, size);
	opts[size] = '\0'; /* a startup packet's strings end at the first NUL */
	CHECK(params_parse_options(opts, opt_collect, &l, &err) == 0);
	if (err.sqlstate) {
		CHECK(strcmp(err.sqlstate, "42601") == 0 || strcmp(err.sqlstate, "42704") == 0);
		CHECK(memchr(err.message, 0, sizeof(err.message)) != NULL);
		CHECK(err.message[0] != '\0');
	}
	char *rebuilt = opt_rebuild(&l);
	CHECK(params_parse_options(rebuilt, opt_collect, &again, &err) == 0);
	/* A name of "-" characters only reads back as "_"s: still a name. */
	CHECK(!err.sqlstate);
	CHECK(again.n == l.n && again.len == l.len);
	CHECK(l.len == 0 || memcmp(again.text, l.text, l.len) == 0);
	free(rebuilt);
	free(l.text);
	free(again.text);
	free(opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_startup(data, size);
	fuzz_framing(data, size);
	fuzz_error_body(data, size);
	fuzz_reader(data, size);
	fuzz_options(data, size);
	if (size == 0)
		fuzz_null_buffer();
	return 0;
}

#ifndef PGPIN_LIBFUZZER
#define FUZZ_NAME "fuzz_proto"
#include "replay.h"
#endif
