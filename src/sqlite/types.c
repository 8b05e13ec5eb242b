/*
 * types.c - PostgreSQL values <-> SQLite values, in PostgreSQL's own text
 * and binary formats.
 *
 * Two directions.  pgt_bind() takes a Bind parameter (type OID, format,
 * bytes), parses it the way PostgreSQL's input/receive function for that
 * type would (same accepted forms, same SQLSTATE and message on failure)
 * and binds the SQLite value that behaves like it.  pgt_encode() takes a
 * result value of whatever SQLite storage class and writes it as a DataRow
 * field in the type announced in RowDescription, as PostgreSQL's
 * output/send function would print it.
 *
 * A value travels through one small struct (struct tval: SQLite storage
 * class plus its payload), so a column value and a synthesized C string go
 * through the same converters.  Timestamps live in SQLite as ISO-8601 text
 * (timestamptz in UTC with "+00"), dates as "YYYY-MM-DD", numerics as
 * integer, real or text.  Nothing here touches the network or the engine.
 */
#include "sqlite/types.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------------------------------------------------------------- values */

/* One SQLite value: cls is SQLITE_INTEGER/FLOAT/TEXT/BLOB/NULL. */
struct tval {
	int cls;
	int64_t i;
	double d;
	const uint8_t *s; /* TEXT and BLOB; not NUL-terminated */
	size_t n;
};

static int fail(struct pgt_error *err, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct pgt_error *err, const char *sqlstate, const char *fmt, ...)
{
	va_list ap;
	memcpy(err->sqlstate, sqlstate, 5);
	err->sqlstate[5] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* Input shown in an error message, as PostgreSQL quotes it: the whole
 * string.  Long inputs are cut so the message keeps its closing quote. */
#define SHOWN(n) ((int)((n) > 160 ? 160 : (n)))

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const uint8_t **s, size_t *n)
{
	while (*n > 0 && is_space((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

/* Compare a (not NUL-terminated) input with a lower-case word, ignoring case. */
static bool word_eq(const uint8_t *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp((const char *)s, word, n) == 0;
}

static const char *type_label(uint32_t oid)
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

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	proto_put_u32(p, (uint32_t)(v >> 32));
	proto_put_u32(p + 4, (uint32_t)v);
}

static uint64_t get_be64(const uint8_t *p)
{
	return ((uint64_t)proto_get_u32(p) << 32) | proto_get_u32(p + 4);
}

/* A DataRow field: length word, then the bytes. */
static int put_field(struct pkt *p, const void *data, size_t n, struct pgt_error *err)
{
	if (n > INT32_MAX)
		return fail(err, "54000", "value too large to send (%zu bytes)", n);
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

static int check_utf8(const uint8_t *s, size_t n, struct pgt_error *err)
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
			return fail(err, "22021", "invalid byte sequence for encoding \"UTF8\": %s",
				    hex);
		}
		i += l;
	}
	return 0;
}

/* ------------------------------------------------------------ integers */

enum { PARSE_OK = 0, PARSE_SYNTAX = 1, PARSE_RANGE = 2 };

/* PostgreSQL 15's pg_strtoint64: spaces, sign, decimal digits, spaces. */
static int parse_int64(const uint8_t *s, size_t n, int64_t *out)
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
	int rc = parse_int64(s, n, &v);
	if (rc == PARSE_OK && !signed_type && v < 0 && v >= INT32_MIN)
		v += (int64_t)UINT32_MAX + 1;
	if (rc == PARSE_OK && (v < lo || v > hi))
		rc = PARSE_RANGE;
	if (rc == PARSE_SYNTAX)
		return fail(err, "22P02", "invalid input syntax for type %s: \"%.*s\"",
			    signed_type ? type_label(oid) : "oid", SHOWN(n), (const char *)s);
	if (rc == PARSE_RANGE)
		return fail(err, "22003", "value \"%.*s\" is out of range for type %s", SHOWN(n),
			    (const char *)s, signed_type ? type_label(oid) : "oid");
	*out = v;
	return 0;
}

static int int_out_of_range(uint32_t oid, struct pgt_error *err)
{
	switch (oid) {
	case OID_INT2:
		return fail(err, "22003", "smallint out of range");
	case OID_INT4:
		return fail(err, "22003", "integer out of range");
	case OID_INT8:
		return fail(err, "22003", "bigint out of range");
	default:
		return fail(err, "22003", "OID out of range");
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
static void shortest_e(double d, bool f4, char *tmp)
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
static size_t fmt_float(double d, bool f4, char *buf)
{
	if (isnan(d))
		return (size_t)sprintf(buf, "NaN");
	if (isinf(d))
		return (size_t)sprintf(buf, d < 0 ? "-Infinity" : "Infinity");
	if (d == 0)
		return (size_t)sprintf(buf, signbit(d) ? "-0" : "0");

	char tmp[40];
	shortest_e(d, f4, tmp);
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
		return fail(err, "53200", "out of memory");
	memcpy(buf, s, n);
	buf[n] = '\0';
	int rc = 0;
	char *p = buf, *end;
	while (is_space((uint8_t)*p))
		p++;
	errno = 0;
	double v = f4 ? (double)strtof(p, &end) : strtod(p, &end);
	if (end == p || memchr(buf, 0, n)) {
		rc = fail(err, "22P02", "invalid input syntax for type %s: \"%.*s\"", label,
			  SHOWN(n), (const char *)s);
		goto out;
	}
	/* PostgreSQL refuses overflow and underflow to zero, keeps denormals. */
	if (errno == ERANGE && (v == 0 || isinf(v))) {
		rc = fail(err, "22003", "\"%.*s\" is out of range for type %s", SHOWN(n),
			  (const char *)s, label);
		goto out;
	}
	while (is_space((uint8_t)*end))
		end++;
	if (*end) {
		rc = fail(err, "22P02", "invalid input syntax for type %s: \"%.*s\"", label,
			  SHOWN(n), (const char *)s);
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
		return fail(err, "22003", "value out of range: overflow");
	if (f4 && d != 0 && (float)d == 0)
		return fail(err, "22003", "value out of range: underflow");
	*out = d;
	return 0;
}

/* ------------------------------------------------------------ numeric */

enum { DEC_FINITE, DEC_NAN, DEC_PINF, DEC_NINF };

/* value = (neg ? -1 : 1) * dig * 10^-scale; dig has no leading zeros
 * (zero is ndig == 0); scale is PostgreSQL's dscale. */
struct dec {
	int kind;
	bool neg;
	char *dig;
	size_t ndig;
	int scale;
};

#define NUMERIC_MAX_PRECISION 1000
#define NUMERIC_DSCALE_MAX    0x3FFF
#define NUMERIC_POS	      0x0000
#define NUMERIC_NEG	      0x4000
#define NUMERIC_NAN	      0xC000
#define NUMERIC_PINF	      0xD000
#define NUMERIC_NINF	      0xF000
/* 131072 digits before the point, 16383 after: PostgreSQL's limits. */
#define NUMERIC_MAX_DIGITS (131072 + 16383)

static void dec_free(struct dec *d)
{
	free(d->dig);
	d->dig = NULL;
}

static void dec_strip(struct dec *d)
{
	size_t lead = 0;
	while (lead < d->ndig && d->dig[lead] == '0')
		lead++;
	memmove(d->dig, d->dig + lead, d->ndig - lead);
	d->ndig -= lead;
	if (d->ndig == 0)
		d->neg = false;
}

/* numeric_in.  Returns PARSE_OK, PARSE_SYNTAX, PARSE_RANGE, or -1 (memory). */
static int dec_parse(const uint8_t *s, size_t n, struct dec *d)
{
	memset(d, 0, sizeof(*d));
	trim(&s, &n);
	if (word_eq(s, n, "nan")) {
		d->kind = DEC_NAN;
		return PARSE_OK;
	}
	if (word_eq(s, n, "infinity") || word_eq(s, n, "+infinity") || word_eq(s, n, "inf") ||
	    word_eq(s, n, "+inf")) {
		d->kind = DEC_PINF;
		return PARSE_OK;
	}
	if (word_eq(s, n, "-infinity") || word_eq(s, n, "-inf")) {
		d->kind = DEC_NINF;
		return PARSE_OK;
	}
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		d->neg = s[i++] == '-';
	size_t mant = 0, frac = 0;
	bool point = false;
	size_t start = i;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			mant++;
			if (point)
				frac++;
		} else if (s[i] == '.' && !point)
			point = true;
		else
			break;
	}
	if (mant == 0)
		return PARSE_SYNTAX;
	size_t mend = i;
	long exp = 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		size_t es = i;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			exp = exp * 10 + (s[i] - '0');
			if (exp > NUMERIC_MAX_PRECISION)
				return PARSE_SYNTAX;
		}
		if (i == es)
			return PARSE_SYNTAX;
		if (eneg)
			exp = -exp;
	}
	if (i != n)
		return PARSE_SYNTAX;
	long scale = (long)frac - exp;
	size_t zeros = scale < 0 ? (size_t)-scale : 0;
	if (mant + zeros > NUMERIC_MAX_DIGITS)
		return PARSE_RANGE;
	d->dig = malloc(mant + zeros + 1);
	if (!d->dig)
		return -1;
	for (size_t k = start; k < mend; k++)
		if (s[k] != '.')
			d->dig[d->ndig++] = (char)s[k];
	memset(d->dig + d->ndig, '0', zeros);
	d->ndig += zeros;
	d->scale = scale < 0 ? 0 : (int)scale;
	if (d->scale > NUMERIC_DSCALE_MAX) {
		dec_free(d);
		return PARSE_RANGE;
	}
	dec_strip(d);
	return PARSE_OK;
}

static int dec_from_double(double v, struct dec *d)
{
	if (isnan(v) || isinf(v)) {
		memset(d, 0, sizeof(*d));
		d->kind = isnan(v) ? DEC_NAN : v > 0 ? DEC_PINF : DEC_NINF;
		return PARSE_OK;
	}
	/* The shortest round-trip digits, read back as a plain decimal. */
	char sci[40];
	shortest_e(v, false, sci);
	return dec_parse((const uint8_t *)sci, strlen(sci), d);
}

/* Text of a finite or special numeric, as numeric_out prints it. */
static char *dec_to_text(const struct dec *d, size_t *len)
{
	const char *special = d->kind == DEC_NAN    ? "NaN"
			      : d->kind == DEC_PINF ? "Infinity"
			      : d->kind == DEC_NINF ? "-Infinity"
						    : NULL;
	if (special) {
		*len = strlen(special);
		return strdup(special);
	}
	size_t cap = d->ndig + (size_t)d->scale + 4;
	char *out = malloc(cap), *o = out;
	if (!out)
		return NULL;
	long intlen = (long)d->ndig - d->scale;
	if (d->neg)
		*o++ = '-';
	if (intlen <= 0)
		*o++ = '0';
	else {
		memcpy(o, d->dig, (size_t)intlen);
		o += intlen;
	}
	if (d->scale > 0) {
		*o++ = '.';
		for (long k = intlen; k < 0; k++)
			*o++ = '0';
		size_t from = intlen > 0 ? (size_t)intlen : 0;
		memcpy(o, d->dig + from, d->ndig - from);
		o += d->ndig - from;
	}
	*len = (size_t)(o - out);
	return out;
}

/* Digit at decimal position k (0 = units, -1 = tenths). */
static int dec_digit(const struct dec *d, long k)
{
	long idx = (long)d->ndig - 1 - (k + d->scale);
	return idx >= 0 && idx < (long)d->ndig ? d->dig[idx] - '0' : 0;
}

/* numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
static uint8_t *dec_to_bin(const struct dec *d, size_t *len)
{
	long intlen = (long)d->ndig - d->scale;
	long ig = intlen > 0 ? (intlen + 3) / 4 : 0;
	long fg = (d->scale + 3) / 4;
	long total = ig + fg, weight = ig - 1;
	uint8_t *out = malloc(8 + 2 * (size_t)total);
	if (!out)
		return NULL;
	uint16_t sign = d->kind == DEC_NAN    ? NUMERIC_NAN
			: d->kind == DEC_PINF ? NUMERIC_PINF
			: d->kind == DEC_NINF ? NUMERIC_NINF
			: d->neg	      ? NUMERIC_NEG
					      : NUMERIC_POS;
	long first = 0, last = d->kind == DEC_FINITE ? total : 0; /* [first, last) */
	uint16_t *groups = NULL;
	if (last > 0) {
		groups = malloc(sizeof(uint16_t) * (size_t)total);
		if (!groups) {
			free(out);
			return NULL;
		}
	}
	for (long g = 0; g < last; g++) {
		long gp = weight - g;
		groups[g] =
		    (uint16_t)(dec_digit(d, 4 * gp + 3) * 1000 + dec_digit(d, 4 * gp + 2) * 100 +
			       dec_digit(d, 4 * gp + 1) * 10 + dec_digit(d, 4 * gp));
	}
	while (first < last && groups[first] == 0) {
		first++;
		weight--;
	}
	while (last > first && groups[last - 1] == 0)
		last--;
	if (last == first)
		weight = 0;
	put_be16(out, (uint16_t)(last - first));
	put_be16(out + 2, (uint16_t)(int16_t)weight);
	put_be16(out + 4, sign);
	put_be16(out + 6, (uint16_t)(d->kind == DEC_FINITE ? d->scale : 0));
	for (long g = first; g < last; g++)
		put_be16(out + 8 + 2 * (g - first), groups[g]);
	free(groups);
	*len = 8 + 2 * (size_t)(last - first);
	return out;
}

/* numeric_recv, with its checks and its truncation to dscale. */
static int dec_from_bin(const uint8_t *b, size_t n, int param, struct dec *d, struct pgt_error *err)
{
	memset(d, 0, sizeof(*d));
	if (n < 8)
		return fail(err, "08P01", "insufficient data left in message");
	int ndigits = (int16_t)((b[0] << 8) | b[1]);
	int weight = (int16_t)((b[2] << 8) | b[3]);
	uint16_t sign = (uint16_t)((b[4] << 8) | b[5]);
	int dscale = (uint16_t)((b[6] << 8) | b[7]);
	if (ndigits < 0 || ndigits > NUMERIC_MAX_PRECISION + 1000)
		return fail(err, "22P03", "invalid length in external \"numeric\" value");
	if (n < 8 + 2 * (size_t)ndigits)
		return fail(err, "08P01", "insufficient data left in message");
	if (n > 8 + 2 * (size_t)ndigits)
		return fail(err, "22P03", "incorrect binary data format in bind parameter %d",
			    param);
	if (sign != NUMERIC_POS && sign != NUMERIC_NEG && sign != NUMERIC_NAN &&
	    sign != NUMERIC_PINF && sign != NUMERIC_NINF)
		return fail(err, "22P03", "invalid sign in external \"numeric\" value");
	if (dscale > NUMERIC_DSCALE_MAX)
		return fail(err, "22P03", "invalid scale in external \"numeric\" value");
	for (int g = 0; g < ndigits; g++) {
		int v = (b[8 + 2 * g] << 8) | b[9 + 2 * g];
		if (v >= 10000)
			return fail(err, "22P03", "invalid digit in external \"numeric\" value");
	}
	if (sign == NUMERIC_NAN || sign == NUMERIC_PINF || sign == NUMERIC_NINF) {
		d->kind = sign == NUMERIC_NAN	 ? DEC_NAN
			  : sign == NUMERIC_PINF ? DEC_PINF
						 : DEC_NINF;
		return 0;
	}
	d->neg = sign == NUMERIC_NEG;
	d->scale = dscale;
	long top = 4L * (weight > 0 ? weight : 0) + 3;
	size_t cap = (size_t)(top + dscale + 1);
	d->dig = malloc(cap);
	if (!d->dig)
		return fail(err, "53200", "out of memory");
	for (long k = top; k >= -dscale; k--) {
		long gp = k >= 0 ? k / 4 : -((-k + 3) / 4);
		long g = weight - gp;
		int v = 0;
		if (g >= 0 && g < ndigits) {
			v = (b[8 + 2 * g] << 8) | b[9 + 2 * g];
			for (long e = k - 4 * gp; e > 0; e--)
				v /= 10;
			v %= 10;
		}
		d->dig[d->ndig++] = (char)('0' + v);
	}
	dec_strip(d);
	return 0;
}

static int val_to_dec(const struct tval *v, struct dec *d, struct pgt_error *err)
{
	int rc;
	if (v->cls == SQLITE_INTEGER) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
		rc = dec_parse((const uint8_t *)buf, strlen(buf), d);
	} else if (v->cls == SQLITE_FLOAT)
		rc = dec_from_double(v->d, d);
	else
		rc = dec_parse(v->s, v->n, d);
	if (rc < 0)
		return fail(err, "53200", "out of memory");
	if (rc == PARSE_SYNTAX)
		return fail(err, "22P02", "invalid input syntax for type numeric: \"%.*s\"",
			    SHOWN(v->n), (const char *)v->s);
	if (rc == PARSE_RANGE)
		return fail(err, "22003", "value overflows numeric format");
	return 0;
}

/* ------------------------------------------------------------- bool */

/* parse_bool_with_len, after boolin's trimming: unique prefixes. */
static int parse_bool(const uint8_t *s, size_t n, bool *out)
{
	trim(&s, &n);
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
		return fail(err, "22P02", "invalid input syntax for type boolean: \"%.*s\"",
			    SHOWN(v->n), (const char *)v->s);
	}
}

/* ------------------------------------------------------------- bytea */

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* byteain: "\x" hex (spaces between pairs allowed), else the escape
 * format (\\ and \ooo).  *out is malloc'ed. */
static int text_to_bytea(const uint8_t *s, size_t n, uint8_t **out, size_t *outlen,
			 struct pgt_error *err)
{
	uint8_t *b = malloc(n + 1);
	size_t k = 0;
	if (!b)
		return fail(err, "53200", "out of memory");
	if (n >= 2 && s[0] == '\\' && s[1] == 'x') {
		for (size_t i = 2; i < n;) {
			if (is_space(s[i])) {
				i++;
				continue;
			}
			int hi = hexval(s[i]);
			if (hi < 0) {
				free(b);
				return fail(err, "22023", "invalid hexadecimal digit: \"%c\"",
					    s[i]);
			}
			if (i + 1 >= n) {
				free(b);
				return fail(err, "22023",
					    "invalid hexadecimal data: odd number of digits");
			}
			int lo = hexval(s[i + 1]);
			if (lo < 0) {
				free(b);
				return fail(err, "22023", "invalid hexadecimal digit: \"%c\"",
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
				return fail(err, "22P02", "invalid input syntax for type bytea");
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
		return fail(err, "54000", "value too large to send (%zu bytes)", n);
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
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
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
		return fail(err, "22P02", "invalid input syntax for type uuid: \"%.*s\"",
			    SHOWN(v->n), (const char *)v->s);
	return fail(err, "22P02", "invalid input syntax for type uuid: \"%lld\"", (long long)v->i);
}

/* -------------------------------------------------------------- json */

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
					if (j->i >= j->n || hexval(j->s[j->i++]) < 0)
						return false;
			} else if (!strchr("\"\\/bfnrt", c) || c == 0)
				return false;
		}
	}
	return false;
}

static bool jp_number(struct jp *j)
{
	size_t st;
	if (j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else {
		st = j->i;
		while (j->i < j->n && isdigit(j->s[j->i]))
			j->i++;
		if (j->i == st)
			return false;
	}
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		st = j->i;
		while (j->i < j->n && isdigit(j->s[j->i]))
			j->i++;
		if (j->i == st)
			return false;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		st = j->i;
		while (j->i < j->n && isdigit(j->s[j->i]))
			j->i++;
		if (j->i == st)
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
	return fail(err, "22P02", "invalid input syntax for type %s", type_label(oid));
}

/* ------------------------------------------------------- date and time */

#define USECS_PER_SEC	INT64_C(1000000)
#define USECS_PER_DAY	INT64_C(86400000000)
#define UNIX_TO_PG_DAYS 10957 /* 1970-01-01 .. 2000-01-01 */
#define UNIX_TO_PG_SECS INT64_C(946684800)
#define TS_MIN_DAYS	INT64_C(-2451545)   /* 4714-11-24 BC, Julian day 0 */
#define TS_END_DAYS	INT64_C(106751983)  /* 294277-01-01 */
#define DATE_END_DAYS	INT64_C(2145031949) /* Julian 2147483494: 5874898-01-01 */

/* Days since 1970-01-01 of a proleptic Gregorian date (astronomical year). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

enum dt_kind { DT_DATE, DT_TIME, DT_TS };

struct dt {
	int inf;      /* +1 infinity, -1 -infinity */
	int64_t days; /* since 2000-01-01 */
	int64_t tod;  /* microseconds since midnight, may be 24h */
	bool has_date;
	bool has_tz;
	int32_t tz; /* seconds east of UTC */
};

static bool read_num(const uint8_t *s, size_t n, size_t *i, int mind, int maxd, int64_t *out)
{
	size_t st = *i;
	int64_t v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && (int)(*i - st) < maxd)
		v = v * 10 + (s[(*i)++] - '0');
	if ((int)(*i - st) < mind)
		return false;
	*out = v;
	return true;
}

static bool starts_date(const uint8_t *s, size_t n, size_t i)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i < n && s[i] == '-';
}

/*
 * The ISO forms of PostgreSQL's date/time input (and SQLite's
 * CURRENT_TIMESTAMP): "YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][ ][Z|UTC|(+|-)HH[[:]MM[[:]SS]]][ BC]",
 * "HH:MM[:SS[.f]]" for time, and the words infinity, -infinity, epoch,
 * now.  Returns PARSE_OK, PARSE_SYNTAX (22007) or PARSE_RANGE (22008).
 */
static int parse_dt(const uint8_t *s, size_t n, enum dt_kind kind, struct dt *r)
{
	memset(r, 0, sizeof(*r));
	trim(&s, &n);
	if (kind != DT_TIME) {
		if (word_eq(s, n, "infinity") || word_eq(s, n, "+infinity")) {
			r->inf = 1;
			return PARSE_OK;
		}
		if (word_eq(s, n, "-infinity")) {
			r->inf = -1;
			return PARSE_OK;
		}
		if (word_eq(s, n, "epoch")) {
			r->days = -UNIX_TO_PG_DAYS;
			r->has_date = true;
			r->has_tz = true;
			return PARSE_OK;
		}
	}
	if (word_eq(s, n, "now")) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t us =
		    ((int64_t)ts.tv_sec - UNIX_TO_PG_SECS) * USECS_PER_SEC + ts.tv_nsec / 1000;
		r->days =
		    us >= 0 ? us / USECS_PER_DAY : -((-us + USECS_PER_DAY - 1) / USECS_PER_DAY);
		r->tod = us - r->days * USECS_PER_DAY;
		r->has_date = r->has_tz = true;
		return PARSE_OK;
	}
	bool bc = false;
	if (n >= 3 && is_space(s[n - 3]) && word_eq(s + n - 2, 2, "bc")) {
		bc = true;
		n -= 3;
		trim(&s, &n);
	}
	size_t i = 0;
	int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, us = 0;
	bool has_time = false;
	if (kind != DT_TIME || starts_date(s, n, 0)) {
		if (!read_num(s, n, &i, 1, 9, &y) || i >= n || s[i++] != '-' ||
		    !read_num(s, n, &i, 1, 2, &mo) || i >= n || s[i++] != '-' ||
		    !read_num(s, n, &i, 1, 2, &d))
			return PARSE_SYNTAX;
		r->has_date = true;
		if (i < n && (s[i] == 'T' || s[i] == 't')) {
			i++;
			if (i >= n)
				return PARSE_SYNTAX;
		} else
			while (i < n && is_space(s[i]))
				i++;
	}
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		if (!read_num(s, n, &i, 1, 2, &h) || i >= n || s[i++] != ':' ||
		    !read_num(s, n, &i, 2, 2, &mi))
			return PARSE_SYNTAX;
		if (i < n && s[i] == ':') {
			i++;
			if (!read_num(s, n, &i, 2, 2, &sec))
				return PARSE_SYNTAX;
			if (i < n && s[i] == '.') {
				i++;
				static const int64_t place[] = {100000, 10000, 1000, 100, 10, 1};
				for (int nd = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++) {
					if (nd < 6)
						us += (s[i] - '0') * place[nd];
					else if (nd == 6 && s[i] >= '5')
						us++; /* rounded to the microsecond, as PostgreSQL
							 does */
				}
			}
		}
		has_time = true;
		while (i < n && is_space(s[i]))
			i++;
		if (i < n) {
			r->has_tz = true;
			if (s[i] == 'Z' || s[i] == 'z')
				i++;
			else if (n - i >= 3 &&
				 (word_eq(s + i, 3, "utc") || word_eq(s + i, 3, "gmt")))
				i += 3;
			else if (s[i] == '+' || s[i] == '-') {
				int sign = s[i++] == '-' ? -1 : 1;
				int64_t th = 0, tm = 0, ts = 0;
				if (!read_num(s, n, &i, 1, 2, &th))
					return PARSE_SYNTAX;
				if (i < n && s[i] == ':')
					i++;
				if (i < n && !read_num(s, n, &i, 2, 2, &tm))
					return PARSE_SYNTAX;
				if (i < n && s[i] == ':')
					i++;
				if (i < n && !read_num(s, n, &i, 2, 2, &ts))
					return PARSE_SYNTAX;
				if (th > 15 || tm > 59 || ts > 59)
					return PARSE_RANGE;
				r->tz = sign * (int32_t)(th * 3600 + tm * 60 + ts);
			} else
				return PARSE_SYNTAX;
		}
	}
	if (i != n)
		return PARSE_SYNTAX;
	if (kind == DT_TIME && !has_time)
		return PARSE_SYNTAX;
	if (kind != DT_TIME && !r->has_date)
		return PARSE_SYNTAX;
	if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec || us)))
		return PARSE_RANGE;
	r->tod = ((h * 60 + mi) * 60 + sec) * USECS_PER_SEC + us;
	if (r->has_date) {
		if (y == 0 || mo < 1 || mo > 12 || d < 1 ||
		    d > days_in_month(bc ? 1 - y : y, (int)mo))
			return PARSE_RANGE;
		if (bc)
			y = 1 - y;
		r->days = days_from_civil(y, (int)mo, (int)d) - UNIX_TO_PG_DAYS;
	} else if (bc)
		return PARSE_SYNTAX;
	return PARSE_OK;
}

static int dt_error(int rc, uint32_t oid, const uint8_t *s, size_t n, struct pgt_error *err)
{
	if (rc == PARSE_RANGE)
		return fail(err, "22008", "date/time field value out of range: \"%.*s\"", SHOWN(n),
			    (const char *)s);
	return fail(err, "22007", "invalid input syntax for type %s: \"%.*s\"", type_label(oid),
		    SHOWN(n), (const char *)s);
}

/* Microseconds since 2000-01-01 of a parsed timestamp; the zone applies
 * only to timestamptz (timestamp input ignores it, as PostgreSQL does). */
static int dt_to_usec(const struct dt *r, bool tz, int64_t *out, struct pgt_error *err)
{
	if (r->inf) {
		*out = r->inf > 0 ? INT64_MAX : INT64_MIN;
		return 0;
	}
	if (r->days < TS_MIN_DAYS - 1 || r->days > TS_END_DAYS)
		return fail(err, "22008", "timestamp out of range");
	int64_t us = r->days * USECS_PER_DAY + r->tod;
	if (tz)
		us -= (int64_t)r->tz * USECS_PER_SEC;
	if (us < TS_MIN_DAYS * USECS_PER_DAY || us >= TS_END_DAYS * USECS_PER_DAY)
		return fail(err, "22008", "timestamp out of range");
	*out = us;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* "YYYY-MM-DD" (years before 1 as PostgreSQL: "0001-..." plus " BC" later). */
static size_t fmt_date(int64_t days, char *buf, bool *bc)
{
	int64_t y;
	int m, d;
	civil_from_days(days + UNIX_TO_PG_DAYS, &y, &m, &d);
	*bc = y <= 0;
	if (*bc)
		y = 1 - y;
	return (size_t)sprintf(buf, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* "HH:MM:SS[.ffffff]", trailing zeros of the fraction dropped. */
static size_t fmt_tod(int64_t tod, char *buf)
{
	int64_t secs = tod / USECS_PER_SEC, frac = tod % USECS_PER_SEC;
	size_t n = (size_t)sprintf(buf, "%02lld:%02lld:%02lld", (long long)(secs / 3600),
				   (long long)(secs / 60 % 60), (long long)(secs % 60));
	if (frac) {
		int digits = 6;
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		n += (size_t)sprintf(buf + n, ".%0*lld", digits, (long long)frac);
	}
	return n;
}

/* timestamp_out / timestamptz_out with DateStyle ISO and TimeZone UTC. */
static size_t fmt_ts(int64_t us, bool tz, char *buf)
{
	if (us == INT64_MAX)
		return (size_t)sprintf(buf, "infinity");
	if (us == INT64_MIN)
		return (size_t)sprintf(buf, "-infinity");
	int64_t days = floor_div(us, USECS_PER_DAY);
	bool bc;
	size_t n = fmt_date(days, buf, &bc);
	buf[n++] = ' ';
	n += fmt_tod(us - days * USECS_PER_DAY, buf + n);
	if (tz)
		n += (size_t)sprintf(buf + n, "+00");
	if (bc)
		n += (size_t)sprintf(buf + n, " BC");
	return n;
}

static size_t fmt_date_out(int32_t days, char *buf)
{
	if (days == INT32_MAX)
		return (size_t)sprintf(buf, "infinity");
	if (days == INT32_MIN)
		return (size_t)sprintf(buf, "-infinity");
	bool bc;
	size_t n = fmt_date(days, buf, &bc);
	if (bc)
		n += (size_t)sprintf(buf + n, " BC");
	return n;
}

/* A stored value (ISO text, or a unix epoch as integer or real) as a
 * parsed date/time. */
static int val_to_dt(const struct tval *v, uint32_t oid, struct dt *r, struct pgt_error *err)
{
	enum dt_kind kind = oid == OID_DATE ? DT_DATE : oid == OID_TIME ? DT_TIME : DT_TS;
	if (v->cls == SQLITE_TEXT || v->cls == SQLITE_BLOB) {
		int rc = parse_dt(v->s, v->n, kind, r);
		return rc ? dt_error(rc, oid, v->s, v->n, err) : 0;
	}
	double secs = v->cls == SQLITE_INTEGER ? (double)v->i : v->d;
	if (!isfinite(secs) || secs < -2.2e11 || secs > 9.2e12)
		return fail(err, "22008", "timestamp out of range");
	int64_t us;
	if (v->cls == SQLITE_INTEGER)
		us = (v->i - UNIX_TO_PG_SECS) * USECS_PER_SEC;
	else
		us = llround((v->d - (double)UNIX_TO_PG_SECS) * 1e6);
	memset(r, 0, sizeof(*r));
	r->days = floor_div(us, USECS_PER_DAY);
	r->tod = us - r->days * USECS_PER_DAY;
	r->has_date = r->has_tz = true;
	return 0;
}

/* The date/time types in the canonical text SQLite stores (and PostgreSQL
 * prints); for binary, the int64/int32 PostgreSQL sends.  */
static int dt_render(const struct dt *r, uint32_t oid, char *text, size_t *tlen, uint8_t *bin,
		     size_t *blen, struct pgt_error *err)
{
	switch (oid) {
	case OID_DATE: {
		int32_t days;
		if (r->inf)
			days = r->inf > 0 ? INT32_MAX : INT32_MIN;
		else {
			/* date_in ignores a time and zone after the date; stored
			 * timestamptz text is in UTC already. */
			int64_t dd = r->days;
			if (dd < TS_MIN_DAYS || dd >= DATE_END_DAYS)
				return fail(err, "22008", "date out of range");
			days = (int32_t)dd;
		}
		*tlen = fmt_date_out(days, text);
		proto_put_u32(bin, (uint32_t)days);
		*blen = 4;
		return 0;
	}
	case OID_TIME: {
		int64_t tod = r->tod;
		*tlen = fmt_tod(tod, text);
		put_be64(bin, (uint64_t)tod);
		*blen = 8;
		return 0;
	}
	default: {
		bool tz = oid == OID_TIMESTAMPTZ;
		int64_t us = 0;
		if (dt_to_usec(r, tz, &us, err))
			return -1;
		*tlen = fmt_ts(us, tz, text);
		put_be64(bin, (uint64_t)us);
		*blen = 8;
		return 0;
	}
	}
}

/* Fixed binary sizes of the array element types. */
static size_t binary_len_elem(uint32_t oid)
{
	switch (oid) {
	case OID_CHAR:
		return 1;
	case OID_INT2:
		return 2;
	case OID_INT4:
	case OID_OID:
		return 4;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------ arrays */

/* The element type of the array types we carry, 0 for any other OID. */
static uint32_t array_elem(uint32_t oid)
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
	trim(&s, &n);
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
			return fail(err, "0A000", "multidimensional arrays are not supported");
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
			return fail(err, "54000", "array size exceeds the maximum allowed (%d)",
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
	return fail(err, "22P02", "malformed array literal: \"%.*s\"", SHOWN(on),
		    (const char *)orig);
nomem:
	arr_free(el, count);
	return fail(err, "53200", "out of memory");
}

static int encode_val(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		      struct pgt_error *err);

/* array_send of a stored "{...}" text: ndim, has-nulls flag, element type,
 * size and lower bound 1, then each element as a binary field. */
static int put_array_binary(struct pkt *p, uint32_t oid, const uint8_t *s, size_t n,
			    struct pgt_error *err)
{
	uint32_t elem = array_elem(oid);
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
		rc = encode_val(&body, &ev, elem, 1, err);
	}
	if (rc == 0 && body.oom)
		rc = fail(err, "53200", "out of memory");
	if (rc == 0)
		rc = put_field(p, body.data, body.len, err);
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
		return fail(err, "08P01", "insufficient data left in message");
	if (ndim < 0 || ndim > 6)
		return fail(err, "22P03", "invalid number of dimensions: %d", ndim);
	if (ndim > 1)
		return fail(err, "0A000", "multidimensional arrays are not supported");
	if (flags != 0 && flags != 1)
		return fail(err, "22P03", "invalid array flags");
	if (elem != array_elem(oid))
		return fail(err, "42804",
			    "binary data has array element type %u (%s) instead "
			    "of expected %u (%s)",
			    elem, pgt_type_name(elem), array_elem(oid),
			    pgt_type_name(array_elem(oid)));
	int32_t count = 0;
	if (ndim == 1) {
		count = pr_int32(&r);
		(void)pr_int32(&r); /* lower bound: PostgreSQL keeps it, we print from 1 */
		if (r.err)
			return fail(err, "08P01", "insufficient data left in message");
		if (count < 0 || count > ARRAY_MAX_ELEMS)
			return fail(err, "54000", "array size exceeds the maximum allowed (%d)",
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
			return fail(err, "08P01", "insufficient data left in message");
		size_t want = binary_len_elem(elem);
		if (want && (size_t)len != want)
			return fail(err, "22P03",
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
			if (check_utf8(e, (size_t)len, err))
				return -1;
			append_elem(t, e, (size_t)len);
		}
	}
	pkt_byte(t, '}');
	if (pr_remaining(&r))
		return fail(err, "22P03", "incorrect binary data format in bind parameter %d",
			    param);
	return t->oom ? fail(err, "53200", "out of memory") : 0;
}

/* ------------------------------------------------------ type catalogue */

struct type_info {
	uint32_t oid;
	const char *name;
	int16_t len;
	bool binary;
};

static const struct type_info types[] = {
    {OID_BOOL, "bool", 1, true},
    {OID_BYTEA, "bytea", -1, true},
    {OID_CHAR, "char", 1, true},
    {OID_NAME, "name", 64, true},
    {OID_INT8, "int8", 8, true},
    {OID_INT2, "int2", 2, true},
    {OID_INT4, "int4", 4, true},
    {OID_REGPROC, "regproc", 4, true},
    {OID_TEXT, "text", -1, true},
    {OID_OID, "oid", 4, true},
    {OID_JSON, "json", -1, true},
    {OID_FLOAT4, "float4", 4, true},
    {OID_FLOAT8, "float8", 8, true},
    /* PostgreSQL's unknown is a C string: typlen -2 */
    {OID_UNKNOWN, "unknown", -2, true},
    {OID_BPCHAR, "bpchar", -1, true},
    {OID_VARCHAR, "varchar", -1, true},
    {OID_DATE, "date", 4, true},
    {OID_TIME, "time", 8, true},
    {OID_TIMESTAMP, "timestamp", 8, true},
    {OID_TIMESTAMPTZ, "timestamptz", 8, true},
    {OID_INTERVAL, "interval", 16, false},
    {OID_NUMERIC, "numeric", -1, true},
    {OID_REGCLASS, "regclass", 4, true},
    {OID_UUID, "uuid", 16, true},
    {OID_JSONB, "jsonb", -1, true},
    {OID_TEXT_ARRAY, "_text", -1, true},
    {OID_INT4_ARRAY, "_int4", -1, true},
    {OID_INT2_ARRAY, "_int2", -1, true},
    {OID_OID_ARRAY, "_oid", -1, true},
    {OID_NAME_ARRAY, "_name", -1, true},
    {OID_CHAR_ARRAY, "_char", -1, true},
    {OID_REGTYPE, "regtype", 4, true},
};

static const struct type_info *type_find(uint32_t oid)
{
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
		if (types[k].oid == oid)
			return &types[k];
	return NULL;
}

const char *pgt_type_name(uint32_t oid)
{
	const struct type_info *t = type_find(oid);
	return t ? t->name : "unknown";
}

int16_t pgt_typlen(uint32_t oid)
{
	const struct type_info *t = type_find(oid);
	return t ? t->len : -1;
}

bool pgt_has_binary(uint32_t oid)
{
	const struct type_info *t = type_find(oid);
	return t && t->binary && oid != OID_UNKNOWN;
}

/* PostgreSQL's type names first (whole declared type, lower-cased, its
 * "(n)" modifier dropped), then SQLite's affinity rules (§3.1 of
 * datatype3.html), mapped to the PostgreSQL type that holds such values:
 * a SQLite INTEGER is 64 bits, so an unknown *INT* type is int8. */
uint32_t pgt_oid_from_decltype(const char *decltype)
{
	static const struct {
		const char *name;
		uint32_t oid;
	} names[] = {
	    {"integer", OID_INT4},
	    {"int", OID_INT4},
	    {"int4", OID_INT4},
	    {"serial", OID_INT4},
	    {"serial4", OID_INT4},
	    {"bigint", OID_INT8},
	    {"int8", OID_INT8},
	    {"bigserial", OID_INT8},
	    {"serial8", OID_INT8},
	    {"smallint", OID_INT2},
	    {"int2", OID_INT2},
	    {"smallserial", OID_INT2},
	    {"text", OID_TEXT},
	    {"varchar", OID_VARCHAR},
	    {"character varying", OID_VARCHAR},
	    {"char", OID_BPCHAR},
	    {"character", OID_BPCHAR},
	    {"bpchar", OID_BPCHAR},
	    {"\"char\"", OID_CHAR},
	    {"name", OID_NAME},
	    {"boolean", OID_BOOL},
	    {"bool", OID_BOOL},
	    {"blob", OID_BYTEA},
	    {"bytea", OID_BYTEA},
	    {"real", OID_FLOAT4},
	    {"float4", OID_FLOAT4},
	    {"double precision", OID_FLOAT8},
	    {"float8", OID_FLOAT8},
	    {"double", OID_FLOAT8},
	    {"float", OID_FLOAT8},
	    {"numeric", OID_NUMERIC},
	    {"decimal", OID_NUMERIC},
	    {"timestamp", OID_TIMESTAMP},
	    {"timestamp without time zone", OID_TIMESTAMP},
	    {"datetime", OID_TIMESTAMP},
	    {"timestamptz", OID_TIMESTAMPTZ},
	    {"timestamp with time zone", OID_TIMESTAMPTZ},
	    {"date", OID_DATE},
	    {"time", OID_TIME},
	    {"time without time zone", OID_TIME},
	    {"interval", OID_INTERVAL},
	    {"json", OID_JSON},
	    {"jsonb", OID_JSONB},
	    {"uuid", OID_UUID},
	    {"oid", OID_OID},
	    {"regclass", OID_REGCLASS},
	    {"regtype", OID_REGTYPE},
	    {"regproc", OID_REGPROC},
	    {"text[]", OID_TEXT_ARRAY},
	    {"integer[]", OID_INT4_ARRAY},
	    {"int4[]", OID_INT4_ARRAY},
	    {"smallint[]", OID_INT2_ARRAY},
	    {"int2[]", OID_INT2_ARRAY},
	    {"oid[]", OID_OID_ARRAY},
	    {"name[]", OID_NAME_ARRAY},
	};
	if (!decltype)
		return 0;
	/* Normalise: lower case, single spaces, no "(n[,m])" modifier. */
	char norm[64];
	size_t n = 0;
	bool space = false, paren = false;
	for (const char *p = decltype; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (paren) {
			if (c == ')')
				paren = false;
			continue;
		}
		if (c == '(') {
			paren = true;
			continue;
		}
		if (isspace(c)) {
			space = n > 0;
			continue;
		}
		if (n + 2 >= sizeof(norm))
			break;
		if (space)
			norm[n++] = ' ';
		space = false;
		norm[n++] = (char)tolower(c);
	}
	norm[n] = '\0';
	if (n == 0)
		return 0;
	/* "varchar (20)" leaves "varchar"; "varchar(20)[]" leaves "varchar[]". */
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strcmp(norm, names[k].name) == 0)
			return names[k].oid;
	if (strstr(norm, "int"))
		return OID_INT8;
	if (strstr(norm, "char") || strstr(norm, "clob") || strstr(norm, "text"))
		return OID_TEXT;
	if (strstr(norm, "blob"))
		return OID_BYTEA;
	if (strstr(norm, "real") || strstr(norm, "floa") || strstr(norm, "doub"))
		return OID_FLOAT8;
	return OID_NUMERIC;
}

/* ------------------------------------------------------------- encode */

/* Text form of any stored value for the string types: integers and reals
 * printed as PostgreSQL prints int8 and float8. */
static void val_as_text(const struct tval *v, char *buf, const uint8_t **s, size_t *n)
{
	switch (v->cls) {
	case SQLITE_INTEGER:
		*n = (size_t)sprintf(buf, "%lld", (long long)v->i);
		*s = (const uint8_t *)buf;
		break;
	case SQLITE_FLOAT:
		*n = fmt_float(v->d, false, buf);
		*s = (const uint8_t *)buf;
		break;
	default:
		*s = v->s;
		*n = v->n;
	}
}

static int encode_val(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		      struct pgt_error *err)
{
	uint8_t bin[16];
	char text[64];
	const uint8_t *s;
	size_t n;

	if (fmt != 0 && fmt != 1)
		return fail(err, "22023", "unsupported format code: %d", fmt);
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
		return put_field(p, fmt ? (const void *)bin : (b ? "t" : "f"), 1, err);
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
			if (parse_int64(v->s, v->n, &dummy) != PARSE_OK)
				return put_field(p, v->s, v->n, err);
		}
		if (val_to_int(v, oid, &i, err))
			return -1;
		if (fmt == 0) {
			n = (size_t)sprintf(text, "%lld", (long long)i);
			return put_field(p, text, n, err);
		}
		if (oid == OID_INT2) {
			put_be16(bin, (uint16_t)i);
			return put_field(p, bin, 2, err);
		}
		if (oid == OID_INT8) {
			put_be64(bin, (uint64_t)i);
			return put_field(p, bin, 8, err);
		}
		proto_put_u32(bin, (uint32_t)i);
		return put_field(p, bin, 4, err);
	}
	case OID_FLOAT4:
	case OID_FLOAT8: {
		double d = 0;
		bool f4 = oid == OID_FLOAT4;
		if (val_to_float(v, f4, &d, err))
			return -1;
		if (fmt == 0) {
			n = fmt_float(d, f4, text);
			return put_field(p, text, n, err);
		}
		if (f4) {
			float f = (float)d;
			uint32_t u;
			memcpy(&u, &f, 4);
			proto_put_u32(bin, u);
			return put_field(p, bin, 4, err);
		}
		uint64_t u;
		memcpy(&u, &d, 8);
		put_be64(bin, u);
		return put_field(p, bin, 8, err);
	}
	case OID_NUMERIC: {
		struct dec d;
		if (val_to_dec(v, &d, err))
			return -1;
		void *out = fmt ? (void *)dec_to_bin(&d, &n) : (void *)dec_to_text(&d, &n);
		dec_free(&d);
		if (!out)
			return fail(err, "53200", "out of memory");
		int rc = put_field(p, out, n, err);
		free(out);
		return rc;
	}
	case OID_BYTEA:
		if (v->cls == SQLITE_TEXT) {
			/* A string literal written to a bytea column is stored as
			 * text (SQLite does not know the column's type): it means
			 * what byteain makes of it, as it would in PostgreSQL. */
			uint8_t *b;
			size_t bl;
			if (text_to_bytea(v->s, v->n, &b, &bl, err))
				return -1;
			int rc = fmt ? put_field(p, b, bl, err) : put_bytea_text(p, b, bl, err);
			free(b);
			return rc;
		}
		val_as_text(v, text, &s, &n);
		return fmt ? put_field(p, s, n, err) : put_bytea_text(p, s, n, err);
	case OID_UUID: {
		uint8_t u[16];
		if (val_to_uuid(v, u, err))
			return -1;
		if (fmt)
			return put_field(p, u, 16, err);
		fmt_uuid(u, text);
		return put_field(p, text, 36, err);
	}
	case OID_DATE:
	case OID_TIME:
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ: {
		struct dt r;
		size_t tl, bl;
		if (val_to_dt(v, oid, &r, err) || dt_render(&r, oid, text, &tl, bin, &bl, err))
			return -1;
		return fmt ? put_field(p, bin, bl, err) : put_field(p, text, tl, err);
	}
	case OID_JSONB:
		val_as_text(v, text, &s, &n);
		if (v->cls == SQLITE_BLOB && check_utf8(s, n, err))
			return -1;
		if (fmt) {
			if (n > INT32_MAX - 1)
				return fail(err, "54000", "value too large to send (%zu bytes)", n);
			pkt_int32(p, (int32_t)(n + 1));
			pkt_byte(p, 1); /* jsonb binary format version */
			pkt_bytes(p, s, n);
			return 0;
		}
		return put_field(p, s, n, err);
	case OID_INTERVAL:
		if (fmt)
			return fail(err, "0A000",
				    "binary format is not supported for type interval");
		val_as_text(v, text, &s, &n);
		return put_field(p, s, n, err);
	case OID_TEXT_ARRAY:
	case OID_INT4_ARRAY:
	case OID_INT2_ARRAY:
	case OID_OID_ARRAY:
	case OID_NAME_ARRAY:
	case OID_CHAR_ARRAY:
		val_as_text(v, text, &s, &n);
		if (fmt)
			return put_array_binary(p, oid, s, n, err);
		if (v->cls == SQLITE_BLOB && check_utf8(s, n, err))
			return -1;
		return put_field(p, s, n, err);
	default:
		/* text, varchar, bpchar, name, "char", json, unknown, and
		 * anything we do not know: the bytes as they are (the binary
		 * form of the string types is the text). */
		val_as_text(v, text, &s, &n);
		if (v->cls == SQLITE_BLOB && check_utf8(s, n, err))
			return -1;
		return put_field(p, s, n, err);
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
		return fail(err, "53200", "out of memory");
	return encode_val(p, &v, oid, format, err);
}

int pgt_encode_text(struct pkt *p, const char *value, uint32_t oid, int16_t format,
		    struct pgt_error *err)
{
	struct tval v = {.cls = value ? SQLITE_TEXT : SQLITE_NULL};
	if (value) {
		v.s = (const uint8_t *)value;
		v.n = strlen(value);
	}
	return encode_val(p, &v, oid, format, err);
}

/* --------------------------------------------------------------- bind */

static int bind_rc(int rc, struct pgt_error *err)
{
	switch (rc) {
	case SQLITE_OK:
		return 0;
	case SQLITE_RANGE:
		return fail(err, "08P01",
			    "bind message supplies a parameter the statement does not have");
	case SQLITE_TOOBIG:
		return fail(err, "54000", "parameter value too large");
	case SQLITE_NOMEM:
		return fail(err, "53200", "out of memory");
	default:
		return fail(err, "XX000", "sqlite: %s", sqlite3_errstr(rc));
	}
}

static int bind_text(sqlite3_stmt *st, int idx, const void *s, size_t n, struct pgt_error *err)
{
	return bind_rc(sqlite3_bind_text64(st, idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8), err);
}

/* A double as SQLite can hold it: SQLite turns a bound NaN into NULL, so
 * NaN is kept as the text PostgreSQL prints, which reads back as NaN. */
static int bind_double(sqlite3_stmt *st, int idx, double d, struct pgt_error *err)
{
	if (isnan(d))
		return bind_text(st, idx, "NaN", 3, err);
	return bind_rc(sqlite3_bind_double(st, idx, d), err);
}

/* A numeric as the SQLite value closest in behaviour: an integer when
 * whole and in range, a real when 15 significant digits hold it (what
 * SQLite's NUMERIC affinity would make of it anyway), else its text. */
static int bind_dec(sqlite3_stmt *st, int idx, const struct dec *d, struct pgt_error *err)
{
	if (d->kind == DEC_PINF || d->kind == DEC_NINF)
		return bind_rc(
		    sqlite3_bind_double(st, idx, d->kind == DEC_PINF ? INFINITY : -INFINITY), err);
	size_t n;
	char *text = dec_to_text(d, &n);
	if (!text)
		return fail(err, "53200", "out of memory");
	int rc;
	int64_t i;
	if (d->kind == DEC_FINITE && d->scale == 0 &&
	    parse_int64((const uint8_t *)text, n, &i) == PARSE_OK)
		rc = bind_rc(sqlite3_bind_int64(st, idx, i), err);
	else if (d->kind == DEC_FINITE && d->ndig <= 15)
		rc = bind_rc(sqlite3_bind_double(st, idx, strtod(text, NULL)), err);
	else
		rc = bind_text(st, idx, text, n, err);
	free(text);
	return rc;
}

static int bind_dt(sqlite3_stmt *st, int idx, const struct dt *r, uint32_t oid,
		   struct pgt_error *err)
{
	char text[64];
	uint8_t bin[8];
	size_t tl, bl;
	if (dt_render(r, oid, text, &tl, bin, &bl, err))
		return -1;
	return bind_text(st, idx, text, tl, err);
}

/* Exact length of the fixed-size binary formats (0: variable). */
static size_t binary_len(uint32_t oid)
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

static int bind_binary(sqlite3_stmt *st, int idx, uint32_t oid, const uint8_t *b, size_t n,
		       struct pgt_error *err)
{
	size_t want = binary_len(oid);
	/* PostgreSQL's recv functions: a short value runs off the end of the
	 * parameter (08P01), a long one leaves bytes unread (22P03). */
	if (want && n < want)
		return fail(err, "08P01", "insufficient data left in message");
	if (want && n > want)
		return fail(err, "22P03", "incorrect binary data format in bind parameter %d", idx);
	switch (oid) {
	case OID_INTERVAL:
		return fail(err, "0A000",
			    "binary interval parameters are not supported by pgpin's SQLite backend");
	case OID_BOOL:
		return bind_rc(sqlite3_bind_int64(st, idx, b[0] != 0), err);
	case OID_INT2:
		return bind_rc(sqlite3_bind_int64(st, idx, (int16_t)((b[0] << 8) | b[1])), err);
	case OID_INT4:
		return bind_rc(sqlite3_bind_int64(st, idx, (int32_t)proto_get_u32(b)), err);
	case OID_OID:
	case OID_REGCLASS:
	case OID_REGTYPE:
	case OID_REGPROC:
		return bind_rc(sqlite3_bind_int64(st, idx, proto_get_u32(b)), err);
	case OID_INT8:
		return bind_rc(sqlite3_bind_int64(st, idx, (int64_t)get_be64(b)), err);
	case OID_FLOAT4: {
		uint32_t u = proto_get_u32(b);
		float f;
		memcpy(&f, &u, 4);
		return bind_double(st, idx, (double)f, err);
	}
	case OID_FLOAT8: {
		uint64_t u = get_be64(b);
		double d;
		memcpy(&d, &u, 8);
		return bind_double(st, idx, d, err);
	}
	case OID_NUMERIC: {
		struct dec d;
		if (dec_from_bin(b, n, idx, &d, err))
			return -1;
		int rc = bind_dec(st, idx, &d, err);
		dec_free(&d);
		return rc;
	}
	case OID_BYTEA:
	case OID_UNKNOWN:
	case 0:
		return bind_rc(
		    sqlite3_bind_blob64(st, idx, n ? b : (const void *)"", n, SQLITE_TRANSIENT),
		    err);
	case OID_UUID: {
		char text[40];
		fmt_uuid(b, text);
		return bind_text(st, idx, text, 36, err);
	}
	case OID_DATE: {
		int32_t days = (int32_t)proto_get_u32(b);
		struct dt r = {.has_date = true, .days = days};
		if (days == INT32_MAX || days == INT32_MIN)
			r.inf = days == INT32_MAX ? 1 : -1;
		else if (days < TS_MIN_DAYS || days >= DATE_END_DAYS)
			return fail(err, "22008", "date out of range");
		return bind_dt(st, idx, &r, oid, err);
	}
	case OID_TIME: {
		int64_t us = (int64_t)get_be64(b);
		if (us < 0 || us > USECS_PER_DAY)
			return fail(err, "22008", "time out of range");
		struct dt r = {.tod = us};
		return bind_dt(st, idx, &r, oid, err);
	}
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ: {
		int64_t us = (int64_t)get_be64(b);
		char text[64];
		if (us != INT64_MAX && us != INT64_MIN &&
		    (us < TS_MIN_DAYS * USECS_PER_DAY || us >= TS_END_DAYS * USECS_PER_DAY))
			return fail(err, "22008", "timestamp out of range");
		size_t tl = fmt_ts(us, oid == OID_TIMESTAMPTZ, text);
		return bind_text(st, idx, text, tl, err);
	}
	case OID_JSONB:
		if (n < 1)
			return fail(err, "08P01", "insufficient data left in message");
		if (b[0] != 1)
			return fail(err, "XX000", "unsupported jsonb version number %d", b[0]);
		if (check_utf8(b + 1, n - 1, err) || check_json(b + 1, n - 1, oid, err))
			return -1;
		return bind_text(st, idx, b + 1, n - 1, err);
	case OID_JSON:
		if (check_utf8(b, n, err) || check_json(b, n, oid, err))
			return -1;
		return bind_text(st, idx, b, n, err);
	case OID_NAME:
		/* name_recv: no truncation for binary input */
		if (n >= 64)
			return fail(err, "42622", "identifier too long");
		/* fall through */
	case OID_TEXT:
	case OID_VARCHAR:
	case OID_BPCHAR:
	case OID_CHAR:
		if (check_utf8(b, n, err))
			return -1;
		return bind_text(st, idx, b, n, err);
	case OID_TEXT_ARRAY:
	case OID_INT4_ARRAY:
	case OID_INT2_ARRAY:
	case OID_OID_ARRAY:
	case OID_NAME_ARRAY:
	case OID_CHAR_ARRAY: {
		struct pkt t;
		pkt_init(&t);
		int rc = array_from_binary(b, n, oid, idx, &t, err);
		if (rc == 0)
			rc = bind_text(st, idx, t.data, t.len, err);
		pkt_free(&t);
		return rc;
	}
	default:
		/* No receive function of ours: keep the bytes. */
		return bind_rc(
		    sqlite3_bind_blob64(st, idx, n ? b : (const void *)"", n, SQLITE_TRANSIENT),
		    err);
	}
}

static int bind_textfmt(sqlite3_stmt *st, int idx, uint32_t oid, const uint8_t *s, size_t n,
			struct pgt_error *err)
{
	switch (oid) {
	case OID_BOOL: {
		bool b;
		if (parse_bool(s, n, &b))
			return fail(err, "22P02", "invalid input syntax for type boolean: \"%.*s\"",
				    SHOWN(n), (const char *)s);
		return bind_rc(sqlite3_bind_int64(st, idx, b), err);
	}
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID: {
		int64_t i;
		if (text_to_int(s, n, oid, &i, err))
			return -1;
		return bind_rc(sqlite3_bind_int64(st, idx, i), err);
	}
	case OID_REGCLASS:
	case OID_REGTYPE:
	case OID_REGPROC: {
		/* A number binds as the oid; a name stays text for the catalog. */
		int64_t i;
		if (parse_int64(s, n, &i) == PARSE_OK && i >= 0 && i <= UINT32_MAX)
			return bind_rc(sqlite3_bind_int64(st, idx, i), err);
		if (check_utf8(s, n, err))
			return -1;
		return bind_text(st, idx, s, n, err);
	}
	case OID_FLOAT4:
	case OID_FLOAT8: {
		double d;
		if (text_to_float(s, n, oid == OID_FLOAT4, &d, err))
			return -1;
		return bind_double(st, idx, d, err);
	}
	case OID_NUMERIC: {
		struct tval v = {.cls = SQLITE_TEXT, .s = s, .n = n};
		struct dec d;
		if (val_to_dec(&v, &d, err))
			return -1;
		int rc = bind_dec(st, idx, &d, err);
		dec_free(&d);
		return rc;
	}
	case OID_BYTEA: {
		uint8_t *b = NULL;
		size_t bl = 0;
		if (text_to_bytea(s, n, &b, &bl, err))
			return -1;
		return bind_rc(sqlite3_bind_blob64(st, idx, b, bl, free), err);
	}
	case OID_UUID: {
		uint8_t u[16];
		char text[40];
		if (parse_uuid(s, n, u))
			return fail(err, "22P02", "invalid input syntax for type uuid: \"%.*s\"",
				    SHOWN(n), (const char *)s);
		fmt_uuid(u, text);
		return bind_text(st, idx, text, 36, err);
	}
	case OID_DATE:
	case OID_TIME:
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ: {
		struct tval v = {.cls = SQLITE_TEXT, .s = s, .n = n};
		struct dt r;
		if (val_to_dt(&v, oid, &r, err))
			return -1;
		return bind_dt(st, idx, &r, oid, err);
	}
	case OID_JSON:
	case OID_JSONB:
		if (check_utf8(s, n, err) || check_json(s, n, oid, err))
			return -1;
		return bind_text(st, idx, s, n, err);
	case OID_TEXT_ARRAY:
	case OID_INT4_ARRAY:
	case OID_INT2_ARRAY:
	case OID_OID_ARRAY:
	case OID_NAME_ARRAY:
	case OID_CHAR_ARRAY: {
		/* Kept as the literal; checked so a malformed one fails here. */
		struct arr_elem *el = NULL;
		int count = array_parse(s, n, &el, err);
		if (count < 0)
			return -1;
		arr_free(el, count);
		if (check_utf8(s, n, err))
			return -1;
		return bind_text(st, idx, s, n, err);
	}
	case OID_NAME:
		if (check_utf8(s, n, err))
			return -1;
		/* namein truncates to NAMEDATALEN - 1 bytes on a character boundary. */
		while (n > 63) {
			n--;
			while (n > 0 && (s[n] & 0xC0) == 0x80)
				n--;
		}
		return bind_text(st, idx, s, n, err);
	default:
		/* text, varchar, bpchar, unknown, 0, and types we only carry as text */
		if (check_utf8(s, n, err))
			return -1;
		return bind_text(st, idx, s, n, err);
	}
}

int pgt_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t format, const uint8_t *val,
	     int32_t len, struct pgt_error *err)
{
	if (format != 0 && format != 1)
		return fail(err, "22023", "unsupported format code: %d", format);
	if (len < 0)
		return bind_rc(sqlite3_bind_null(st, idx), err);
	if (!val)
		val = (const uint8_t *)"";
	if (format == 1)
		return bind_binary(st, idx, oid, val, (size_t)len, err);
	return bind_textfmt(st, idx, oid, val, (size_t)len, err);
}
