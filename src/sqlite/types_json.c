/*
 * types_json.c - json and jsonb: a strict RFC 8259 checker (json_in
 * refuses what it refuses, 22P02), jsonb's binary version byte, and the
 * text both are stored and sent as.  Values are not re-normalised the way
 * PostgreSQL prints jsonb, and nothing is parsed into a tree.
 */
#include <ctype.h>
#include <string.h>

#include "sqlite/types_int.h"
#include "sqlite/hex.h"

struct jp {
	const uint8_t *s;
	size_t n, i;
	int depth;
};

static void jp_ws(struct jp *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' ||
			       j->s[j->i] == '\r'))
		j->i++;
}

static bool jp_value(struct jp *j);

static bool jp_string(struct jp *j)
{
	j->i++; /* opening quote */
	while (j->i < j->n) {
		uint8_t c = j->s[j->i++];
		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->i >= j->n)
				return false;
			c = j->s[j->i++];
			if (c == 'u') {
				for (int k = 0; k < 4; k++)
					if (j->i >= j->n || hex_value(j->s[j->i++]) < 0)
						return false;
			} else if (!strchr("\"\\/bfnrt", c) || c == 0)
				return false;
		}
	}
	return false;
}

/* One or more decimal digits. */
static bool jp_digits(struct jp *j)
{
	size_t st = j->i;
	while (j->i < j->n && isdigit(j->s[j->i]))
		j->i++;
	return j->i > st;
}

static bool jp_number(struct jp *j)
{
	if (j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (!jp_digits(j))
		return false;
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!jp_digits(j))
			return false;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!jp_digits(j))
			return false;
	}
	return true;
}

static bool jp_lit(struct jp *j, const char *w)
{
	size_t l = strlen(w);
	if (j->n - j->i < l || memcmp(j->s + j->i, w, l) != 0)
		return false;
	j->i += l;
	return true;
}

static bool jp_value(struct jp *j)
{
	jp_ws(j);
	if (j->i >= j->n || ++j->depth > 1000)
		return false;
	bool ok;
	uint8_t c = j->s[j->i];
	if (c == '{' || c == '[') {
		uint8_t close = c == '{' ? '}' : ']';
		j->i++;
		jp_ws(j);
		if (j->i < j->n && j->s[j->i] == close) {
			j->i++;
			ok = true;
			goto out;
		}
		for (;;) {
			if (c == '{') {
				jp_ws(j);
				if (j->i >= j->n || j->s[j->i] != '"' || !jp_string(j))
					return false;
				jp_ws(j);
				if (j->i >= j->n || j->s[j->i++] != ':')
					return false;
			}
			if (!jp_value(j))
				return false;
			jp_ws(j);
			if (j->i >= j->n)
				return false;
			if (j->s[j->i] == ',') {
				j->i++;
				continue;
			}
			if (j->s[j->i] != close)
				return false;
			j->i++;
			ok = true;
			goto out;
		}
	} else if (c == '"')
		ok = jp_string(j);
	else if (c == '-' || isdigit(c))
		ok = jp_number(j);
	else
		ok = jp_lit(j, "true") || jp_lit(j, "false") || jp_lit(j, "null");
out:
	j->depth--;
	return ok;
}

static int check_json(const uint8_t *s, size_t n, uint32_t oid, struct pgt_error *err)
{
	struct jp j = {s, n, 0, 0};
	if (jp_value(&j)) {
		jp_ws(&j);
		if (j.i == n)
			return 0;
	}
	return pgt_fail(err, "22P02", "invalid input syntax for type %s", pgt_type_label(oid));
}

/* json and jsonb out: the stored text; jsonb's binary form puts its
 * version number (1) before it. */
int pgt_json_encode(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		    struct pgt_error *err)
{
	char text[64];
	const uint8_t *s;
	size_t n;

	if (pgt_val_as_string(v, text, &s, &n, err))
		return -1;
	if (fmt && oid == OID_JSONB) {
		if (n > INT32_MAX - 1)
			return pgt_fail(err, "54000", "value too large to send (%zu bytes)", n);
		pkt_int32(p, (int32_t)(n + 1));
		pkt_byte(p, 1);
		pkt_bytes(p, s, n);
		return 0;
	}
	return pgt_put_field(p, s, n, err);
}

/* A json or jsonb parameter, checked as json_in checks it, stored as text. */
int pgt_json_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t fmt, const uint8_t *s, size_t n,
		  struct pgt_error *err)
{
	if (fmt && oid == OID_JSONB) { /* jsonb_recv */
		if (n < 1)
			return pgt_fail(err, "08P01", "insufficient data left in message");
		if (s[0] != 1)
			return pgt_fail(err, "XX000", "unsupported jsonb version number %d", s[0]);
		s++;
		n--;
	}
	if (pgt_check_utf8(s, n, err) || check_json(s, n, oid, err))
		return -1;
	return pgt_bind_str(st, idx, s, n, err);
}
