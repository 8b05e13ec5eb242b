/*
 * types_numeric.c - numeric: numeric_in's text forms (with NaN and the
 * infinities), numeric_out's text, numeric_send/numeric_recv's base-10000
 * binary form, any stored value read as a numeric, and the SQLite value a
 * numeric parameter is bound as.  Decimal digits are kept as a string: no
 * arithmetic is done here, and nothing of the other types.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/types_int.h"

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
	pgt_trim(&s, &n);
	if (pgt_word_eq(s, n, "nan")) {
		d->kind = DEC_NAN;
		return PARSE_OK;
	}
	if (pgt_word_eq(s, n, "infinity") || pgt_word_eq(s, n, "+infinity") ||
	    pgt_word_eq(s, n, "inf") || pgt_word_eq(s, n, "+inf")) {
		d->kind = DEC_PINF;
		return PARSE_OK;
	}
	if (pgt_word_eq(s, n, "-infinity") || pgt_word_eq(s, n, "-inf")) {
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
	pgt_shortest_e(v, false, sci);
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
	pgt_put_be16(out, (uint16_t)(last - first));
	pgt_put_be16(out + 2, (uint16_t)(int16_t)weight);
	pgt_put_be16(out + 4, sign);
	pgt_put_be16(out + 6, (uint16_t)(d->kind == DEC_FINITE ? d->scale : 0));
	for (long g = first; g < last; g++)
		pgt_put_be16(out + 8 + 2 * (g - first), groups[g]);
	free(groups);
	*len = 8 + 2 * (size_t)(last - first);
	return out;
}

/* numeric_recv, with its checks and its truncation to dscale. */
static int dec_from_bin(const uint8_t *b, size_t n, int param, struct dec *d, struct pgt_error *err)
{
	memset(d, 0, sizeof(*d));
	if (n < 8)
		return pgt_fail(err, "08P01", "insufficient data left in message");
	int ndigits = (int16_t)((b[0] << 8) | b[1]);
	int weight = (int16_t)((b[2] << 8) | b[3]);
	uint16_t sign = (uint16_t)((b[4] << 8) | b[5]);
	int dscale = (uint16_t)((b[6] << 8) | b[7]);
	if (ndigits < 0 || ndigits > NUMERIC_MAX_PRECISION + 1000)
		return pgt_fail(err, "22P03", "invalid length in external \"numeric\" value");
	if (n < 8 + 2 * (size_t)ndigits)
		return pgt_fail(err, "08P01", "insufficient data left in message");
	if (n > 8 + 2 * (size_t)ndigits)
		return pgt_fail(err, "22P03", "incorrect binary data format in bind parameter %d",
				param);
	if (sign != NUMERIC_POS && sign != NUMERIC_NEG && sign != NUMERIC_NAN &&
	    sign != NUMERIC_PINF && sign != NUMERIC_NINF)
		return pgt_fail(err, "22P03", "invalid sign in external \"numeric\" value");
	if (dscale > NUMERIC_DSCALE_MAX)
		return pgt_fail(err, "22P03", "invalid scale in external \"numeric\" value");
	for (int g = 0; g < ndigits; g++) {
		int v = (b[8 + 2 * g] << 8) | b[9 + 2 * g];
		if (v >= 10000)
			return pgt_fail(err, "22P03",
					"invalid digit in external \"numeric\" value");
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
		return pgt_fail(err, "53200", "out of memory");
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
		return pgt_fail(err, "53200", "out of memory");
	if (rc == PARSE_SYNTAX)
		return pgt_bad_input(err, "numeric", v->s, v->n);
	if (rc == PARSE_RANGE)
		return pgt_fail(err, "22003", "value overflows numeric format");
	return 0;
}

/* A numeric as the SQLite value closest in behaviour: an integer when
 * whole and in range, a real when 15 significant digits hold it (what
 * SQLite's NUMERIC affinity would make of it anyway), else its text. */
static int bind_dec(sqlite3_stmt *st, int idx, const struct dec *d, struct pgt_error *err)
{
	if (d->kind == DEC_PINF || d->kind == DEC_NINF)
		return pgt_bind_rc(
		    sqlite3_bind_double(st, idx, d->kind == DEC_PINF ? INFINITY : -INFINITY), err);
	size_t n;
	char *text = dec_to_text(d, &n);
	if (!text)
		return pgt_fail(err, "53200", "out of memory");
	int rc;
	int64_t i;
	if (d->kind == DEC_FINITE && d->scale == 0 &&
	    pgt_parse_int64((const uint8_t *)text, n, &i) == PARSE_OK)
		rc = pgt_bind_rc(sqlite3_bind_int64(st, idx, i), err);
	else if (d->kind == DEC_FINITE && d->ndig <= 15)
		rc = pgt_bind_rc(sqlite3_bind_double(st, idx, strtod(text, NULL)), err);
	else
		rc = pgt_bind_str(st, idx, text, n, err);
	free(text);
	return rc;
}

/* numeric_out / numeric_send of any stored value. */
int pgt_numeric_encode(struct pkt *p, const struct tval *v, int16_t fmt, struct pgt_error *err)
{
	struct dec d;
	size_t n;
	void *out;
	int rc;

	if (val_to_dec(v, &d, err))
		return -1;
	out = fmt ? (void *)dec_to_bin(&d, &n) : (void *)dec_to_text(&d, &n);
	dec_free(&d);
	if (!out)
		return pgt_fail(err, "53200", "out of memory");
	rc = pgt_put_field(p, out, n, err);
	free(out);
	return rc;
}

/* A numeric parameter, read by numeric_in or numeric_recv. */
int pgt_numeric_bind(sqlite3_stmt *st, int idx, int16_t fmt, const uint8_t *s, size_t n,
		     struct pgt_error *err)
{
	struct tval v = {.cls = SQLITE_TEXT, .s = s, .n = n};
	struct dec d;
	int rc;

	if (fmt ? dec_from_bin(s, n, idx, &d, err) : val_to_dec(&v, &d, err))
		return -1;
	rc = bind_dec(st, idx, &d, err);
	dec_free(&d);
	return rc;
}
