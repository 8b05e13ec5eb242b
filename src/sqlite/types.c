/*
 * types.c - PostgreSQL values <-> SQLite values: pgt_bind() reads a Bind
 * parameter as PostgreSQL's input/receive function would (same forms,
 * same SQLSTATE and message) and binds the SQLite value that behaves like
 * it; pgt_encode() writes a value of any storage class as PostgreSQL's
 * output/send function prints the announced type.  Both pass through
 * struct tval.  Here: the dispatch, errors, and the simple scalars (bool,
 * integers, floats, bytea, uuid, the string types).  Elsewhere:
 * types_numeric.c, types_datetime.c, types_array.c, types_json.c, and the
 * OID table in types_oid.c.  Nothing here touches the network.
 */
#include "sqlite/types.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/types_int.h"
#include "sqlite/hex.h"

int pgt_fail(struct pgt_error *err, const char *sqlstate, const char *fmt, ...)
{
	va_list ap;
	memcpy(err->sqlstate, sqlstate, 5);
	err->sqlstate[5] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* The message of PostgreSQL's input functions for text they cannot read. */
int pgt_bad_input(struct pgt_error *err, const char *type, const uint8_t *s, size_t n)
{
	return pgt_fail(err, "22P02", "invalid input syntax for type %s: \"%.*s\"", type, SHOWN(n),
			(const char *)s);
}

void pgt_trim(const uint8_t **s, size_t *n)
{
	while (*n > 0 && is_space((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

/* Compare a (not NUL-terminated) input with a lower-case word, ignoring case. */
bool pgt_word_eq(const uint8_t *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp((const char *)s, word, n) == 0;
}

const char *pgt_type_label(uint32_t oid)
{
	/* The type names PostgreSQL's input functions put in their messages. */
	switch (oid) {
	case OID_BOOL:
		return "boolean";
	case OID_INT2:
		return "smallint";
	case OID_INT4:
		return "integer";
	case OID_INT8:
		return "bigint";
	case OID_OID:
		return "oid";
	case OID_FLOAT4:
		return "real";
	case OID_FLOAT8:
		return "double precision";
	case OID_NUMERIC:
		return "numeric";
	case OID_BYTEA:
		return "bytea";
	case OID_UUID:
		return "uuid";
	case OID_DATE:
		return "date";
	case OID_TIME:
		return "time";
	case OID_TIMESTAMP:
		return "timestamp";
	case OID_TIMESTAMPTZ:
		return "timestamp with time zone";
	case OID_JSON:
		return "json";
	case OID_JSONB:
		return "jsonb";
	default:
		return pgt_type_name(oid);
	}
}

/* A DataRow field: length word, then the bytes. */
int pgt_put_field(struct pkt *p, const void *data, size_t n, struct pgt_error *err)
{
	if (n > INT32_MAX)
		return pgt_fail(err, "54000", "value too large to send (%zu bytes)", n);
	pkt_int32(p, (int32_t)n);
	pkt_bytes(p, data, n);
	return 0;
}

/* ------------------------------------------------------------ UTF-8 */

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one.
 * Same rules as PostgreSQL's pg_utf8_islegal: no overlong forms, no
 * surrogates, nothing above U+10FFFF; NUL is refused as PostgreSQL's
 * text types cannot hold it.
 */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	size_t len;
	uint8_t lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return len;
}

/* pg_utf_mblen: how many bytes PostgreSQL shows for a bad sequence. */
static size_t utf8_mblen(uint8_t c)
{
	if ((c & 0x80) == 0)
		return 1;
	if ((c & 0xE0) == 0xC0)
		return 2;
	if ((c & 0xF0) == 0xE0)
		return 3;
	if ((c & 0xF8) == 0xF0)
		return 4;
	return 1;
}

int pgt_check_utf8(const uint8_t *s, size_t n, struct pgt_error *err)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x80) { /* the common case, quickly */
			i++;
			continue;
		}
		size_t l = utf8_seq(s + i, n - i);
		if (l == 0) {
			char hex[32] = "";
			size_t show = utf8_mblen(s[i]);
			if (show > n - i)
				show = n - i;
			for (size_t k = 0; k < show; k++)
				snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%s0x%02x",
					 k ? " " : "", s[i + k]);
			return pgt_fail(err, "22021",
					"invalid byte sequence for encoding \"UTF8\": %s", hex);
		}
		i += l;
	}
	return 0;
}

/* ------------------------------------------------------------ integers */

/* PostgreSQL 15's pg_strtoint64: spaces, sign, decimal digits, spaces. */
int pgt_parse_int64(const uint8_t *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t acc = 0;
	bool range = false;
	while (i < n && is_space(s[i]))
		i++;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	size_t start = i;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned dgt = s[i] - '0';
		if (acc > (UINT64_C(1) << 63) / 10 || acc * 10 + dgt > (UINT64_C(1) << 63))
			range = true;
		else
			acc = acc * 10 + dgt;
	}
	if (i == start)
		return PARSE_SYNTAX;
	while (i < n && is_space(s[i]))
		i++;
	if (i != n)
		return PARSE_SYNTAX;
	if (range || (!neg && acc > INT64_MAX))
		return PARSE_RANGE;
	*out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return PARSE_OK;
}

static bool int_range(uint32_t oid, int64_t *lo, int64_t *hi)
{
	switch (oid) {
	case OID_INT2:
		*lo = INT16_MIN;
		*hi = INT16_MAX;
		return true;
	case OID_INT4:
		*lo = INT32_MIN;
		*hi = INT32_MAX;
		return true;
	case OID_INT8:
		*lo = INT64_MIN;
		*hi = INT64_MAX;
		return true;
	default: /* oid and the reg* types: unsigned 32 bits */
		*lo = 0;
		*hi = UINT32_MAX;
		return false;
	}
}

/*
 * Text of an integer type, as int2in/int4in/int8in/oidin read it.  oidin
 * also takes negative numbers down to INT32_MIN and wraps them, as
 * PostgreSQL does ('-1'::oid is 4294967295).
 */
static int text_to_int(const uint8_t *s, size_t n, uint32_t oid, int64_t *out,
		       struct pgt_error *err)
{
	int64_t v = 0, lo, hi;
	bool signed_type = int_range(oid, &lo, &hi);
	int rc = pgt_parse_int64(s, n, &v);
	if (rc == PARSE_OK && !signed_type && v < 0 && v >= INT32_MIN)
		v += (int64_t)UINT32_MAX + 1;
	if (rc == PARSE_OK && (v < lo || v > hi))
		rc = PARSE_RANGE;
	if (rc == PARSE_SYNTAX)
		return pgt_bad_input(err, signed_type ? pgt_type_label(oid) : "oid", s, n);
	if (rc == PARSE_RANGE)
		return pgt_fail(err, "22003", "value \"%.*s\" is out of range for type %s",
				SHOWN(n), (const char *)s,
				signed_type ? pgt_type_label(oid) : "oid");
	*out = v;
	return 0;
}

static int int_out_of_range(uint32_t oid, struct pgt_error *err)
{
	switch (oid) {
	case OID_INT2:
		return pgt_fail(err, "22003", "smallint out of range");
	case OID_INT4:
		return pgt_fail(err, "22003", "integer out of range");
	case OID_INT8:
		return pgt_fail(err, "22003", "bigint out of range");
	default:
		return pgt_fail(err, "22003", "OID out of range");
	}
}

/*
 * Any stored value as an integer of type oid.  A REAL is rounded as
 * PostgreSQL's float8 -> int casts do (rint: half to even) and range
 * checked; text is parsed as the type's input function would.
 */
static int val_to_int(const struct tval *v, uint32_t oid, int64_t *out, struct pgt_error *err)
{
	int64_t lo, hi;
	int_range(oid, &lo, &hi);
	switch (v->cls) {
	case SQLITE_INTEGER:
		if (v->i < lo || v->i > hi)
			return int_out_of_range(oid, err);
		*out = v->i;
		return 0;
	case SQLITE_FLOAT: {
		double r = rint(v->d);
		/* -0x1p63 is exact; 0x1p63 is one past INT64_MAX. */
		if (isnan(r) || r < -0x1p63 || r >= 0x1p63 || (int64_t)r < lo || (int64_t)r > hi)
			return int_out_of_range(oid, err);
		*out = (int64_t)r;
		return 0;
	}
	default:
		return text_to_int(v->s, v->n, oid, out, err);
	}
}

/* ------------------------------------------------------------- floats */

/* d in "%.*e" form with the fewest digits that read back as the same
 * double (float if f4).  Such a string never ends in a zero digit. */
void pgt_shortest_e(double d, bool f4, char *tmp)
{
	int maxp = f4 ? 9 : 17;
	if (f4)
		d = (double)(float)d;
	for (int prec = 1; prec <= maxp; prec++) {
		snprintf(tmp, 40, "%.*e", prec - 1, d);
		if (f4 ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
			return;
	}
}

/*
 * Shortest text that reads back as the same double (or float), printed
 * the way PostgreSQL 12+ prints with extra_float_digits >= 1 (its Ryu
 * code): plain digits when the decimal exponent is in [-4, 15) ([-4, 6)
 * for real), otherwise d.ddde+XX with at least two exponent digits.
 * buf must hold 40 bytes.
 */
size_t pgt_fmt_float(double d, bool f4, char *buf)
{
	if (isnan(d))
		return (size_t)sprintf(buf, "NaN");
	if (isinf(d))
		return (size_t)sprintf(buf, d < 0 ? "-Infinity" : "Infinity");
	if (d == 0)
		return (size_t)sprintf(buf, signbit(d) ? "-0" : "0");

	char tmp[40];
	pgt_shortest_e(d, f4, tmp);
	/* tmp is "[-]d[.ddd]e[+-]XX": split digits and exponent. */
	const char *p = tmp;
	char *o = buf;
	char digits[24];
	int nd = 0;
	if (*p == '-')
		*o++ = *p++;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	int exp = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;

	if (exp >= -4 && exp < (f4 ? 6 : 15)) {
		if (exp < 0) {
			*o++ = '0';
			*o++ = '.';
			for (int k = -1; k > exp; k--)
				*o++ = '0';
			memcpy(o, digits, (size_t)nd);
			o += nd;
		} else {
			for (int k = 0; k <= exp; k++)
				*o++ = k < nd ? digits[k] : '0';
			if (nd > exp + 1) {
				*o++ = '.';
				memcpy(o, digits + exp + 1, (size_t)(nd - exp - 1));
				o += nd - exp - 1;
			}
		}
	} else {
		*o++ = digits[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		o += sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	*o = '\0';
	return (size_t)(o - buf);
}

/* float8in / float4in: spaces, strtod's forms (Infinity, inf, NaN), spaces. */
static int text_to_float(const uint8_t *s, size_t n, bool f4, double *out, struct pgt_error *err)
{
	const char *label = f4 ? "real" : "double precision";
	char small[64];
	char *buf = n < sizeof(small) ? small : malloc(n + 1);
	if (!buf)
		return pgt_fail(err, "53200", "out of memory");
	memcpy(buf, s, n);
	buf[n] = '\0';
	int rc = 0;
	char *p = buf, *end;
	while (is_space((uint8_t)*p))
		p++;
	errno = 0;
	double v = f4 ? (double)strtof(p, &end) : strtod(p, &end);
	if (end == p || memchr(buf, 0, n)) {
		rc = pgt_bad_input(err, label, s, n);
		goto out;
	}
	/* PostgreSQL refuses overflow and underflow to zero, keeps denormals. */
	if (errno == ERANGE && (v == 0 || isinf(v))) {
		rc = pgt_fail(err, "22003", "\"%.*s\" is out of range for type %s", SHOWN(n),
			      (const char *)s, label);
		goto out;
	}
	while (is_space((uint8_t)*end))
		end++;
	if (*end) {
		rc = pgt_bad_input(err, label, s, n);
		goto out;
	}
	*out = v;
out:
	if (buf != small)
		free(buf);
	return rc;
}

static int val_to_float(const struct tval *v, bool f4, double *out, struct pgt_error *err)
{
	double d;
	switch (v->cls) {
	case SQLITE_INTEGER:
		d = (double)v->i;
		break;
	case SQLITE_FLOAT:
		d = v->d;
		break;
	default:
		if (text_to_float(v->s, v->n, f4, &d, err))
			return -1;
	}
	/* float8 -> float4, as PostgreSQL's cast checks it. */
	if (f4 && isfinite(d) && isinf((float)d))
		return pgt_fail(err, "22003", "value out of range: overflow");
	if (f4 && d != 0 && (float)d == 0)
		return pgt_fail(err, "22003", "value out of range: underflow");
	*out = d;
	return 0;
}

/* ------------------------------------------------------------- bool */

/* parse_bool_with_len, after boolin's trimming: unique prefixes. */
static int parse_bool(const uint8_t *s, size_t n, bool *out)
{
	pgt_trim(&s, &n);
	if (n == 0)
		return -1;
	const char *v = (const char *)s;
	switch (s[0]) {
	case 't':
	case 'T':
		if (n <= 4 && strncasecmp(v, "true", n) == 0)
			return *out = true, 0;
		break;
	case 'f':
	case 'F':
		if (n <= 5 && strncasecmp(v, "false", n) == 0)
			return *out = false, 0;
		break;
	case 'y':
	case 'Y':
		if (n <= 3 && strncasecmp(v, "yes", n) == 0)
			return *out = true, 0;
		break;
	case 'n':
	case 'N':
		if (n <= 2 && strncasecmp(v, "no", n) == 0)
			return *out = false, 0;
		break;
	case 'o':
	case 'O':
		/* "o" alone is ambiguous */
		if (n == 2 && strncasecmp(v, "on", 2) == 0)
			return *out = true, 0;
		if (n >= 2 && n <= 3 && strncasecmp(v, "off", n) == 0)
			return *out = false, 0;
		break;
	case '1':
		if (n == 1)
			return *out = true, 0;
		break;
	case '0':
		if (n == 1)
			return *out = false, 0;
		break;
	}
	return -1;
}

static int val_to_bool(const struct tval *v, bool *out, struct pgt_error *err)
{
	switch (v->cls) {
	case SQLITE_INTEGER:
		*out = v->i != 0;
		return 0;
	case SQLITE_FLOAT:
		*out = v->d != 0;
		return 0;
	default:
		if (parse_bool(v->s, v->n, out) == 0)
			return 0;
		return pgt_bad_input(err, "boolean", v->s, v->n);
	}
}

/* ------------------------------------------------------------- bytea */

/* byteain: "\x" hex (spaces between pairs allowed), else the escape
 * format (\\ and \ooo).  *out is malloc'ed. */
static int text_to_bytea(const uint8_t *s, size_t n, uint8_t **out, size_t *outlen,
			 struct pgt_error *err)
{
	uint8_t *b = malloc(n + 1);
	size_t k = 0;
	if (!b)
		return pgt_fail(err, "53200", "out of memory");
	if (n >= 2 && s[0] == '\\' && s[1] == 'x') {
		for (size_t i = 2; i < n;) {
			if (is_space(s[i])) {
				i++;
				continue;
			}
			int hi = hex_value(s[i]);
			if (hi < 0) {
				free(b);
				return pgt_fail(err, "22023", "invalid hexadecimal digit: \"%c\"",
						s[i]);
			}
			if (i + 1 >= n) {
				free(b);
				return pgt_fail(err, "22023",
						"invalid hexadecimal data: odd number of digits");
			}
			int lo = hex_value(s[i + 1]);
			if (lo < 0) {
				free(b);
				return pgt_fail(err, "22023", "invalid hexadecimal digit: \"%c\"",
						s[i + 1]);
			}
			b[k++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
	} else {
		for (size_t i = 0; i < n;) {
			if (s[i] != '\\') {
				b[k++] = s[i++];
			} else if (i + 1 < n && s[i + 1] == '\\') {
				b[k++] = '\\';
				i += 2;
			} else if (i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
				   s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' &&
				   s[i + 3] <= '7') {
				b[k++] = (uint8_t)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
						   (s[i + 3] - '0'));
				i += 4;
			} else {
				free(b);
				return pgt_fail(err, "22P02",
						"invalid input syntax for type bytea");
			}
		}
	}
	*out = b;
	*outlen = k;
	return 0;
}

/* "\x" + lower-case hex, straight into a DataRow field. */
static int put_bytea_text(struct pkt *p, const uint8_t *s, size_t n, struct pgt_error *err)
{
	static const char hex[] = "0123456789abcdef";
	if (n > (INT32_MAX - 2) / 2)
		return pgt_fail(err, "54000", "value too large to send (%zu bytes)", n);
	char chunk[512];
	size_t c = 0;
	pkt_int32(p, (int32_t)(2 + 2 * n));
	chunk[c++] = '\\';
	chunk[c++] = 'x';
	for (size_t i = 0; i < n; i++) {
		if (c + 2 > sizeof(chunk)) {
			pkt_bytes(p, chunk, c);
			c = 0;
		}
		chunk[c++] = hex[s[i] >> 4];
		chunk[c++] = hex[s[i] & 15];
	}
	pkt_bytes(p, chunk, c);
	return 0;
}

/* -------------------------------------------------------------- uuid */

/* uuid_in: 32 hex digits, a '-' allowed after any group of four, optional braces. */
static int parse_uuid(const uint8_t *s, size_t n, uint8_t out[16])
{
	size_t i = 0;
	bool braces = n > 0 && s[0] == '{';
	if (braces)
		i++;
	for (int k = 0; k < 16; k++) {
		if (i + 2 > n)
			return -1;
		int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[k] = (uint8_t)(hi << 4 | lo);
		i += 2;
		if (i < n && s[i] == '-' && k % 2 == 1 && k < 15)
			i++;
	}
	if (braces) {
		if (i >= n || s[i] != '}')
			return -1;
		i++;
	}
	return i == n ? 0 : -1;
}

static void fmt_uuid(const uint8_t u[16], char *buf)
{
	static const char hex[] = "0123456789abcdef";
	char *o = buf;
	for (int k = 0; k < 16; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			*o++ = '-';
		*o++ = hex[u[k] >> 4];
		*o++ = hex[u[k] & 15];
	}
	*o = '\0';
}

static int val_to_uuid(const struct tval *v, uint8_t out[16], struct pgt_error *err)
{
	if (v->cls == SQLITE_BLOB && v->n == 16) {
		memcpy(out, v->s, 16);
		return 0;
	}
	if ((v->cls == SQLITE_TEXT || v->cls == SQLITE_BLOB) && parse_uuid(v->s, v->n, out) == 0)
		return 0;
	if (v->cls == SQLITE_TEXT || v->cls == SQLITE_BLOB)
		return pgt_bad_input(err, "uuid", v->s, v->n);
	return pgt_fail(err, "22P02", "invalid input syntax for type uuid: \"%lld\"",
			(long long)v->i);
}

/* ------------------------------------------------------------- encode */

/* The same, for a type whose text must be valid UTF-8: a blob is checked. */
int pgt_val_as_string(const struct tval *v, char *buf, const uint8_t **s, size_t *n,
		      struct pgt_error *err)
{
	pgt_val_as_text(v, buf, s, n);
	return v->cls == SQLITE_BLOB ? pgt_check_utf8(*s, *n, err) : 0;
}

/* Text form of any stored value for the string types: integers and reals
 * printed as PostgreSQL prints int8 and float8. */
void pgt_val_as_text(const struct tval *v, char *buf, const uint8_t **s, size_t *n)
{
	switch (v->cls) {
	case SQLITE_INTEGER:
		*n = (size_t)sprintf(buf, "%lld", (long long)v->i);
		*s = (const uint8_t *)buf;
		break;
	case SQLITE_FLOAT:
		*n = pgt_fmt_float(v->d, false, buf);
		*s = (const uint8_t *)buf;
		break;
	default:
		*s = v->s;
		*n = v->n;
	}
}

int pgt_encode_value(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		     struct pgt_error *err)
{
	uint8_t bin[16];
	char text[64];
	const uint8_t *s;
	size_t n;

	if (fmt != 0 && fmt != 1)
		return pgt_fail(err, "22023", "unsupported format code: %d", fmt);
	if (v->cls == SQLITE_NULL) {
		pkt_int32(p, -1);
		return 0;
	}
	switch (oid) {
	case OID_BOOL: {
		bool b;
		if (val_to_bool(v, &b, err))
			return -1;
		bin[0] = b;
		return pgt_put_field(p, fmt ? (const void *)bin : (b ? "t" : "f"), 1, err);
	}
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
	case OID_REGCLASS:
	case OID_REGTYPE:
	case OID_REGPROC: {
		int64_t i;
		/* A reg* value that is a name (not a number) prints as the name. */
		if (fmt == 0 && (oid == OID_REGCLASS || oid == OID_REGTYPE || oid == OID_REGPROC) &&
		    (v->cls == SQLITE_TEXT || v->cls == SQLITE_BLOB)) {
			int64_t dummy;
			if (pgt_parse_int64(v->s, v->n, &dummy) != PARSE_OK)
				return pgt_put_field(p, v->s, v->n, err);
		}
		if (val_to_int(v, oid, &i, err))
			return -1;
		if (fmt == 0) {
			n = (size_t)sprintf(text, "%lld", (long long)i);
			return pgt_put_field(p, text, n, err);
		}
		if (oid == OID_INT2) {
			pgt_put_be16(bin, (uint16_t)i);
			return pgt_put_field(p, bin, 2, err);
		}
		if (oid == OID_INT8) {
			pgt_put_be64(bin, (uint64_t)i);
			return pgt_put_field(p, bin, 8, err);
		}
		proto_put_u32(bin, (uint32_t)i);
		return pgt_put_field(p, bin, 4, err);
	}
	case OID_FLOAT4:
	case OID_FLOAT8: {
		double d = 0;
		bool f4 = oid == OID_FLOAT4;
		if (val_to_float(v, f4, &d, err))
			return -1;
		if (fmt == 0) {
			n = pgt_fmt_float(d, f4, text);
			return pgt_put_field(p, text, n, err);
		}
		if (f4) {
			float f = (float)d;
			uint32_t u;
			memcpy(&u, &f, 4);
			proto_put_u32(bin, u);
			return pgt_put_field(p, bin, 4, err);
		}
		uint64_t u;
		memcpy(&u, &d, 8);
		pgt_put_be64(bin, u);
		return pgt_put_field(p, bin, 8, err);
	}
	case OID_NUMERIC:
		return pgt_numeric_encode(p, v, fmt, err);
	case OID_BYTEA:
		if (v->cls == SQLITE_TEXT) {
			/* A string literal written to a bytea column is stored as
			 * text (SQLite does not know the column's type): it means
			 * what byteain makes of it, as it would in PostgreSQL. */
			uint8_t *b;
			size_t bl;
			if (text_to_bytea(v->s, v->n, &b, &bl, err))
				return -1;
			int rc = fmt ? pgt_put_field(p, b, bl, err) : put_bytea_text(p, b, bl, err);
			free(b);
			return rc;
		}
		pgt_val_as_text(v, text, &s, &n);
		return fmt ? pgt_put_field(p, s, n, err) : put_bytea_text(p, s, n, err);
	case OID_UUID: {
		uint8_t u[16];
		if (val_to_uuid(v, u, err))
			return -1;
		if (fmt)
			return pgt_put_field(p, u, 16, err);
		fmt_uuid(u, text);
		return pgt_put_field(p, text, 36, err);
	}
	case OID_DATE:
	case OID_TIME:
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ:
		return pgt_dt_encode(p, v, oid, fmt, err);
	case OID_JSON:
	case OID_JSONB:
		return pgt_json_encode(p, v, oid, fmt, err);
	case OID_INTERVAL:
		if (fmt)
			return pgt_fail(err, "0A000",
					"binary format is not supported for type interval");
		pgt_val_as_text(v, text, &s, &n);
		return pgt_put_field(p, s, n, err);
	default:
		if (pgt_array_elem(oid) != 0)
			return pgt_array_encode(p, v, oid, fmt, err);
		/* text, varchar, bpchar, name, "char", unknown, and
		 * anything we do not know: the bytes as they are (the binary
		 * form of the string types is the text). */
		if (pgt_val_as_string(v, text, &s, &n, err))
			return -1;
		return pgt_put_field(p, s, n, err);
	}
}

int pgt_encode(struct pkt *p, sqlite3_stmt *st, int col, uint32_t oid, int16_t format,
	       struct pgt_error *err)
{
	struct tval v = {.cls = sqlite3_column_type(st, col)};
	switch (v.cls) {
	case SQLITE_INTEGER:
		v.i = sqlite3_column_int64(st, col);
		break;
	case SQLITE_FLOAT:
		v.d = sqlite3_column_double(st, col);
		break;
	case SQLITE_TEXT:
		v.s = sqlite3_column_text(st, col);
		v.n = (size_t)sqlite3_column_bytes(st, col);
		break;
	case SQLITE_BLOB:
		v.s = sqlite3_column_blob(st, col);
		v.n = (size_t)sqlite3_column_bytes(st, col);
		if (!v.s) /* a zero-length blob */
			v.s = (const uint8_t *)"";
		break;
	default:
		break;
	}
	/* sqlite3_column_text gives "" for an empty text, so NULL is a failed
	 * conversion (out of memory). */
	if (v.cls == SQLITE_TEXT && !v.s)
		return pgt_fail(err, "53200", "out of memory");
	return pgt_encode_value(p, &v, oid, format, err);
}

int pgt_encode_text(struct pkt *p, const char *value, uint32_t oid, int16_t format,
		    struct pgt_error *err)
{
	struct tval v = {.cls = value ? SQLITE_TEXT : SQLITE_NULL};
	if (value) {
		v.s = (const uint8_t *)value;
		v.n = strlen(value);
	}
	return pgt_encode_value(p, &v, oid, format, err);
}

/* --------------------------------------------------------------- bind */

int pgt_bind_rc(int rc, struct pgt_error *err)
{
	switch (rc) {
	case SQLITE_OK:
		return 0;
	case SQLITE_RANGE:
		return pgt_fail(err, "08P01",
				"bind message supplies a parameter the statement does not have");
	case SQLITE_TOOBIG:
		return pgt_fail(err, "54000", "parameter value too large");
	case SQLITE_NOMEM:
		return pgt_fail(err, "53200", "out of memory");
	default:
		return pgt_fail(err, "XX000", "sqlite: %s", sqlite3_errstr(rc));
	}
}

int pgt_bind_str(sqlite3_stmt *st, int idx, const void *s, size_t n, struct pgt_error *err)
{
	return pgt_bind_rc(sqlite3_bind_text64(st, idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8), err);
}

/* Text that must be valid UTF-8 without NUL, as PostgreSQL's text types. */
int pgt_bind_utf8(sqlite3_stmt *st, int idx, const uint8_t *s, size_t n, struct pgt_error *err)
{
	if (pgt_check_utf8(s, n, err))
		return -1;
	return pgt_bind_str(st, idx, s, n, err);
}

/* A double as SQLite can hold it: SQLite turns a bound NaN into NULL, so
 * NaN is kept as the text PostgreSQL prints, which reads back as NaN. */
static int bind_double(sqlite3_stmt *st, int idx, double d, struct pgt_error *err)
{
	if (isnan(d))
		return pgt_bind_str(st, idx, "NaN", 3, err);
	return pgt_bind_rc(sqlite3_bind_double(st, idx, d), err);
}

/* The bytes as a blob (a zero-length one is not NULL). */
static int bind_blob(sqlite3_stmt *st, int idx, const uint8_t *b, size_t n, struct pgt_error *err)
{
	return pgt_bind_rc(
	    sqlite3_bind_blob64(st, idx, n ? b : (const void *)"", n, SQLITE_TRANSIENT), err);
}

/* Exact length of the fixed-size binary formats (0: variable). */
size_t pgt_binary_len(uint32_t oid)
{
	switch (oid) {
	case OID_BOOL:
	case OID_CHAR:
		return 1;
	case OID_INT2:
		return 2;
	case OID_INT4:
	case OID_OID:
	case OID_FLOAT4:
	case OID_DATE:
	case OID_REGCLASS:
	case OID_REGTYPE:
	case OID_REGPROC:
		return 4;
	case OID_INT8:
	case OID_FLOAT8:
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ:
	case OID_TIME:
		return 8;
	case OID_UUID:
		return 16;
	default:
		return 0;
	}
}

/* A binary parameter of a scalar type, its length already checked. */
static int bind_binary(sqlite3_stmt *st, int idx, uint32_t oid, const uint8_t *b, size_t n,
		       struct pgt_error *err)
{
	switch (oid) {
	case OID_INTERVAL:
		return pgt_fail(err, "0A000",
				"binary interval parameters are not supported by pgpin's SQLite "
				"backend");
	case OID_BOOL:
		return pgt_bind_rc(sqlite3_bind_int64(st, idx, b[0] != 0), err);
	case OID_INT2:
		return pgt_bind_rc(sqlite3_bind_int64(st, idx, (int16_t)((b[0] << 8) | b[1])), err);
	case OID_INT4:
		return pgt_bind_rc(sqlite3_bind_int64(st, idx, (int32_t)proto_get_u32(b)), err);
	case OID_OID:
	case OID_REGCLASS:
	case OID_REGTYPE:
	case OID_REGPROC:
		return pgt_bind_rc(sqlite3_bind_int64(st, idx, proto_get_u32(b)), err);
	case OID_INT8:
		return pgt_bind_rc(sqlite3_bind_int64(st, idx, (int64_t)pgt_get_be64(b)), err);
	case OID_FLOAT4: {
		uint32_t u = proto_get_u32(b);
		float f;
		memcpy(&f, &u, 4);
		return bind_double(st, idx, (double)f, err);
	}
	case OID_FLOAT8: {
		uint64_t u = pgt_get_be64(b);
		double d;
		memcpy(&d, &u, 8);
		return bind_double(st, idx, d, err);
	}
	case OID_UUID: {
		char text[40];
		fmt_uuid(b, text);
		return pgt_bind_str(st, idx, text, 36, err);
	}
	case OID_NAME:
		/* name_recv: no truncation for binary input */
		if (n >= 64)
			return pgt_fail(err, "42622", "identifier too long");
		/* fall through */
	case OID_TEXT:
	case OID_VARCHAR:
	case OID_BPCHAR:
	case OID_CHAR:
		return pgt_bind_utf8(st, idx, b, n, err);
	default:
		/* bytea, unknown, 0, and types with no receive function of
		 * ours: keep the bytes. */
		return bind_blob(st, idx, b, n, err);
	}
}

static int bind_textfmt(sqlite3_stmt *st, int idx, uint32_t oid, const uint8_t *s, size_t n,
			struct pgt_error *err)
{
	struct tval v = {.cls = SQLITE_TEXT, .s = s, .n = n};

	switch (oid) {
	case OID_BOOL: {
		bool b;
		if (val_to_bool(&v, &b, err))
			return -1;
		return pgt_bind_rc(sqlite3_bind_int64(st, idx, b), err);
	}
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID: {
		int64_t i;
		if (text_to_int(s, n, oid, &i, err))
			return -1;
		return pgt_bind_rc(sqlite3_bind_int64(st, idx, i), err);
	}
	case OID_REGCLASS:
	case OID_REGTYPE:
	case OID_REGPROC: {
		/* A number binds as the oid; a name stays text for the catalog. */
		int64_t i;
		if (pgt_parse_int64(s, n, &i) == PARSE_OK && i >= 0 && i <= UINT32_MAX)
			return pgt_bind_rc(sqlite3_bind_int64(st, idx, i), err);
		return pgt_bind_utf8(st, idx, s, n, err);
	}
	case OID_FLOAT4:
	case OID_FLOAT8: {
		double d;
		if (text_to_float(s, n, oid == OID_FLOAT4, &d, err))
			return -1;
		return bind_double(st, idx, d, err);
	}
	case OID_BYTEA: {
		uint8_t *b = NULL;
		size_t bl = 0;
		if (text_to_bytea(s, n, &b, &bl, err))
			return -1;
		return pgt_bind_rc(sqlite3_bind_blob64(st, idx, b, bl, free), err);
	}
	case OID_UUID: {
		uint8_t u[16];
		char text[40];
		if (val_to_uuid(&v, u, err))
			return -1;
		fmt_uuid(u, text);
		return pgt_bind_str(st, idx, text, 36, err);
	}
	case OID_NAME:
		/* namein truncates to NAMEDATALEN - 1 bytes on a character
		 * boundary, once the whole is known to be valid. */
		if (pgt_check_utf8(s, n, err))
			return -1;
		while (n > 63) {
			n--;
			while (n > 0 && (s[n] & 0xC0) == 0x80)
				n--;
		}
		return pgt_bind_str(st, idx, s, n, err);
	default:
		/* text, varchar, bpchar, unknown, 0, and types we only carry as text */
		return pgt_bind_utf8(st, idx, s, n, err);
	}
}

int pgt_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t format, const uint8_t *val,
	     int32_t len, struct pgt_error *err)
{
	if (format != 0 && format != 1)
		return pgt_fail(err, "22023", "unsupported format code: %d", format);
	if (len < 0)
		return pgt_bind_rc(sqlite3_bind_null(st, idx), err);
	if (!val)
		val = (const uint8_t *)"";
	if (format == 1) {
		size_t want = pgt_binary_len(oid);
		/* PostgreSQL's recv functions: a short value runs off the end of
		 * the parameter (08P01), a long one leaves bytes unread (22P03). */
		if (want && (size_t)len < want)
			return pgt_fail(err, "08P01", "insufficient data left in message");
		if (want && (size_t)len > want)
			return pgt_fail(err, "22P03",
					"incorrect binary data format in bind parameter %d", idx);
	}
	/* the type families handle both formats */
	switch (oid) {
	case OID_NUMERIC:
		return pgt_numeric_bind(st, idx, format, val, (size_t)len, err);
	case OID_DATE:
	case OID_TIME:
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ:
		return pgt_dt_bind(st, idx, oid, format, val, (size_t)len, err);
	case OID_JSON:
	case OID_JSONB:
		return pgt_json_bind(st, idx, oid, format, val, (size_t)len, err);
	default:
		if (pgt_array_elem(oid) != 0)
			return pgt_array_bind(st, idx, oid, format, val, (size_t)len, err);
	}
	if (format == 1)
		return bind_binary(st, idx, oid, val, (size_t)len, err);
	return bind_textfmt(st, idx, oid, val, (size_t)len, err);
}
