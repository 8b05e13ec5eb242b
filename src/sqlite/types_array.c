/*
 * types_array.c - the one-dimensional arrays types.h lists (text[],
 * int4[], int2[], oid[], name[], "char"[]): array_in's "{a,"b c",NULL}"
 * literal, which SQLite stores as is, array_send built from it and
 * array_recv turned back into it.  Elements are converted by
 * pgt_encode_value (types.c); more than one dimension is 0A000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/types_int.h"

/* The element type of the array types we carry, 0 for any other OID. */
uint32_t pgt_array_elem(uint32_t oid)
{
	switch (oid) {
	case OID_TEXT_ARRAY:
		return OID_TEXT;
	case OID_INT4_ARRAY:
		return OID_INT4;
	case OID_INT2_ARRAY:
		return OID_INT2;
	case OID_OID_ARRAY:
		return OID_OID;
	case OID_NAME_ARRAY:
		return OID_NAME;
	case OID_CHAR_ARRAY:
		return OID_CHAR;
	default:
		return 0;
	}
}

#define ARRAY_MAX_ELEMS 100000

struct arr_elem {
	char *s; /* NULL: SQL NULL */
	size_t n;
};

static void arr_free(struct arr_elem *e, int n)
{
	for (int k = 0; k < n; k++)
		free(e[k].s);
	free(e);
}

/*
 * array_in for one-dimensional arrays: "{a, "b c", NULL, "x\"y"}".
 * Elements are trimmed unless quoted; backslash escapes anything.  Returns
 * the element count, or -1 with err (22P02 malformed array literal, 0A000
 * for more than one dimension).
 */
static int array_parse(const uint8_t *s, size_t n, struct arr_elem **out, struct pgt_error *err)
{
	size_t i = 0;
	int count = 0, cap = 0;
	struct arr_elem *el = NULL;
	const uint8_t *orig = s;
	size_t on = n;
	pgt_trim(&s, &n);
	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		goto malformed;
	i = 1;
	while (i < n - 1 && is_space(s[i]))
		i++;
	if (i == n - 1) {
		*out = NULL;
		return 0;
	}
	for (;;) {
		char *buf = malloc(n + 1);
		size_t bl = 0, last_kept = 0;
		bool quoted = false, any = false, had_quote = false;
		if (!buf)
			goto nomem;
		while (i < n - 1 && is_space(s[i]))
			i++;
		if (s[i] == '{') {
			free(buf);
			arr_free(el, count);
			return pgt_fail(err, "0A000", "multidimensional arrays are not supported");
		}
		while (i < n - 1 && (quoted || (s[i] != ',' && s[i] != '}'))) {
			uint8_t c = s[i++];
			if (c == '\\') {
				if (i >= n - 1) {
					free(buf);
					goto malformed;
				}
				buf[bl++] = s[i++];
				last_kept = bl;
			} else if (c == '"') {
				quoted = !quoted;
				had_quote = true;
				last_kept = bl;
			} else if (c == '{') {
				free(buf);
				goto malformed;
			} else {
				buf[bl++] = (char)c;
				if (quoted || !is_space(c))
					last_kept = bl;
			}
			any = true;
		}
		if (quoted || !any) {
			free(buf);
			goto malformed;
		}
		bl = last_kept; /* trailing unquoted spaces are not part of it */
		buf[bl] = '\0';
		if (count == ARRAY_MAX_ELEMS) {
			free(buf);
			arr_free(el, count);
			return pgt_fail(err, "54000", "array size exceeds the maximum allowed (%d)",
					ARRAY_MAX_ELEMS);
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			struct arr_elem *ne = realloc(el, sizeof(*el) * (size_t)cap);
			if (!ne) {
				free(buf);
				goto nomem;
			}
			el = ne;
		}
		/* An unquoted NULL is the null element; "NULL" is a string. */
		if (!had_quote && bl == 4 && strncasecmp(buf, "null", 4) == 0) {
			free(buf);
			el[count].s = NULL;
			el[count++].n = 0;
		} else {
			el[count].s = buf;
			el[count++].n = bl;
		}
		if (s[i] == '}' && i == n - 1)
			break;
		if (s[i] != ',')
			goto malformed;
		i++;
	}
	*out = el;
	return count;
malformed:
	arr_free(el, count);
	return pgt_fail(err, "22P02", "malformed array literal: \"%.*s\"", SHOWN(on),
			(const char *)orig);
nomem:
	arr_free(el, count);
	return pgt_fail(err, "53200", "out of memory");
}

/* array_send of a stored "{...}" text: ndim, has-nulls flag, element type,
 * size and lower bound 1, then each element as a binary field. */
static int put_array_binary(struct pkt *p, uint32_t oid, const uint8_t *s, size_t n,
			    struct pgt_error *err)
{
	uint32_t elem = pgt_array_elem(oid);
	struct arr_elem *el = NULL;
	int count = array_parse(s, n, &el, err);
	if (count < 0)
		return -1;
	struct pkt body;
	pkt_init(&body);
	bool nulls = false;
	for (int k = 0; k < count; k++)
		nulls |= el[k].s == NULL;
	pkt_int32(&body, count ? 1 : 0);
	pkt_int32(&body, nulls);
	pkt_int32(&body, (int32_t)elem);
	if (count) {
		pkt_int32(&body, count);
		pkt_int32(&body, 1);
	}
	int rc = 0;
	for (int k = 0; k < count && rc == 0; k++) {
		struct tval ev = {.cls = el[k].s ? SQLITE_TEXT : SQLITE_NULL,
				  .s = (const uint8_t *)el[k].s,
				  .n = el[k].n};
		rc = pgt_encode_value(&body, &ev, elem, 1, err);
	}
	if (rc == 0 && body.oom)
		rc = pgt_fail(err, "53200", "out of memory");
	if (rc == 0)
		rc = pgt_put_field(p, body.data, body.len, err);
	pkt_free(&body);
	arr_free(el, count);
	return rc;
}

/* An element as array_out quotes it: empty, NULL-looking, or containing
 * a delimiter, quote, backslash or space. */
static void append_elem(struct pkt *t, const uint8_t *s, size_t n)
{
	bool quote = n == 0 || (n == 4 && strncasecmp((const char *)s, "null", 4) == 0);
	for (size_t k = 0; k < n && !quote; k++)
		quote = s[k] == '{' || s[k] == '}' || s[k] == ',' || s[k] == '"' || s[k] == '\\' ||
			is_space(s[k]);
	if (!quote) {
		pkt_bytes(t, s, n);
		return;
	}
	pkt_byte(t, '"');
	for (size_t k = 0; k < n; k++) {
		if (s[k] == '"' || s[k] == '\\')
			pkt_byte(t, '\\');
		pkt_byte(t, s[k]);
	}
	pkt_byte(t, '"');
}

/* array_recv into the "{...}" text SQLite keeps.  One dimension only. */
static int array_from_binary(const uint8_t *b, size_t n, uint32_t oid, int param, struct pkt *t,
			     struct pgt_error *err)
{
	struct pkt_reader r;
	pr_init(&r, b, n);
	int32_t ndim = pr_int32(&r);
	int32_t flags = pr_int32(&r);
	uint32_t elem = (uint32_t)pr_int32(&r);
	if (r.err)
		return pgt_fail(err, "08P01", "insufficient data left in message");
	if (ndim < 0 || ndim > 6)
		return pgt_fail(err, "22P03", "invalid number of dimensions: %d", ndim);
	if (ndim > 1)
		return pgt_fail(err, "0A000", "multidimensional arrays are not supported");
	if (flags != 0 && flags != 1)
		return pgt_fail(err, "22P03", "invalid array flags");
	if (elem != pgt_array_elem(oid))
		return pgt_fail(err, "42804",
				"binary data has array element type %u (%s) instead "
				"of expected %u (%s)",
				elem, pgt_type_name(elem), pgt_array_elem(oid),
				pgt_type_name(pgt_array_elem(oid)));
	int32_t count = 0;
	if (ndim == 1) {
		count = pr_int32(&r);
		(void)pr_int32(&r); /* lower bound: PostgreSQL keeps it, we print from 1 */
		if (r.err)
			return pgt_fail(err, "08P01", "insufficient data left in message");
		if (count < 0 || count > ARRAY_MAX_ELEMS)
			return pgt_fail(err, "54000", "array size exceeds the maximum allowed (%d)",
					ARRAY_MAX_ELEMS);
	}
	pkt_byte(t, '{');
	for (int32_t k = 0; k < count; k++) {
		int32_t len = pr_int32(&r);
		if (k)
			pkt_byte(t, ',');
		if (len == -1) {
			pkt_bytes(t, "NULL", 4);
			continue;
		}
		const uint8_t *e = len >= 0 ? pr_bytes(&r, (size_t)len) : NULL;
		if (r.err || len < -1)
			return pgt_fail(err, "08P01", "insufficient data left in message");
		size_t want = pgt_binary_len(elem);
		if (want && (size_t)len != want)
			return pgt_fail(err, "22P03",
					"incorrect binary data format in array element %d", k + 1);
		char num[24];
		switch (elem) {
		case OID_INT2:
			append_elem(t, (const uint8_t *)num,
				    (size_t)sprintf(num, "%d", (int16_t)((e[0] << 8) | e[1])));
			break;
		case OID_INT4:
			append_elem(t, (const uint8_t *)num,
				    (size_t)sprintf(num, "%d", (int32_t)proto_get_u32(e)));
			break;
		case OID_OID:
			append_elem(t, (const uint8_t *)num,
				    (size_t)sprintf(num, "%u", proto_get_u32(e)));
			break;
		default:
			if (pgt_check_utf8(e, (size_t)len, err))
				return -1;
			append_elem(t, e, (size_t)len);
		}
	}
	pkt_byte(t, '}');
	if (pr_remaining(&r))
		return pgt_fail(err, "22P03", "incorrect binary data format in bind parameter %d",
				param);
	return t->oom ? pgt_fail(err, "53200", "out of memory") : 0;
}

/* An array value: the stored "{...}" literal as text, or array_send. */
int pgt_array_encode(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		     struct pgt_error *err)
{
	char text[64];
	const uint8_t *s;
	size_t n;

	if (fmt) {
		pgt_val_as_text(v, text, &s, &n);
		return put_array_binary(p, oid, s, n, err);
	}
	if (pgt_val_as_string(v, text, &s, &n, err))
		return -1;
	return pgt_put_field(p, s, n, err);
}

/* An array parameter, stored as its "{...}" literal: a text one is kept
 * as written but checked, so that a malformed one fails here. */
int pgt_array_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t fmt, const uint8_t *s, size_t n,
		   struct pgt_error *err)
{
	struct arr_elem *el = NULL;
	struct pkt t;
	int rc, count;

	if (fmt) {
		pkt_init(&t);
		rc = array_from_binary(s, n, oid, idx, &t, err);
		if (rc == 0)
			rc = pgt_bind_str(st, idx, t.data, t.len, err);
		pkt_free(&t);
		return rc;
	}
	count = array_parse(s, n, &el, err);
	if (count < 0)
		return -1;
	arr_free(el, count);
	return pgt_bind_utf8(st, idx, s, n, err);
}
