/*
 * types_datetime.c - date, time, timestamp and timestamptz: the ISO forms
 * of PostgreSQL's input (and SQLite's CURRENT_TIMESTAMP text or a unix
 * epoch), the canonical text SQLite stores and PostgreSQL prints
 * (DateStyle ISO, TimeZone UTC), and the binary int32 days / int64
 * microseconds since 2000-01-01.  Proleptic Gregorian calendar; no time
 * zone names beyond UTC/GMT/Z, no other DateStyles, and no interval
 * (carried as text by types.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sqlite/types_int.h"

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
	pgt_trim(&s, &n);
	if (kind != DT_TIME) {
		if (pgt_word_eq(s, n, "infinity") || pgt_word_eq(s, n, "+infinity")) {
			r->inf = 1;
			return PARSE_OK;
		}
		if (pgt_word_eq(s, n, "-infinity")) {
			r->inf = -1;
			return PARSE_OK;
		}
		if (pgt_word_eq(s, n, "epoch")) {
			r->days = -UNIX_TO_PG_DAYS;
			r->has_date = true;
			r->has_tz = true;
			return PARSE_OK;
		}
	}
	if (pgt_word_eq(s, n, "now")) {
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
	if (n >= 3 && is_space(s[n - 3]) && pgt_word_eq(s + n - 2, 2, "bc")) {
		bc = true;
		n -= 3;
		pgt_trim(&s, &n);
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
				 (pgt_word_eq(s + i, 3, "utc") || pgt_word_eq(s + i, 3, "gmt")))
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
		return pgt_fail(err, "22008", "date/time field value out of range: \"%.*s\"",
				SHOWN(n), (const char *)s);
	return pgt_fail(err, "22007", "invalid input syntax for type %s: \"%.*s\"",
			pgt_type_label(oid), SHOWN(n), (const char *)s);
}

/* The finite timestamps PostgreSQL can hold, in microseconds since 2000-01-01. */
static bool ts_in_range(int64_t us)
{
	return us >= TS_MIN_DAYS * USECS_PER_DAY && us < TS_END_DAYS * USECS_PER_DAY;
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
		return pgt_fail(err, "22008", "timestamp out of range");
	int64_t us = r->days * USECS_PER_DAY + r->tod;
	if (tz)
		us -= (int64_t)r->tz * USECS_PER_SEC;
	if (!ts_in_range(us))
		return pgt_fail(err, "22008", "timestamp out of range");
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
		return pgt_fail(err, "22008", "timestamp out of range");
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
				return pgt_fail(err, "22008", "date out of range");
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
		pgt_put_be64(bin, (uint64_t)tod);
		*blen = 8;
		return 0;
	}
	default: {
		bool tz = oid == OID_TIMESTAMPTZ;
		int64_t us = 0;
		if (dt_to_usec(r, tz, &us, err))
			return -1;
		*tlen = fmt_ts(us, tz, text);
		pgt_put_be64(bin, (uint64_t)us);
		*blen = 8;
		return 0;
	}
	}
}

/* date_recv, time_recv, timestamp_recv: b holds the 4 or 8 bytes of the
 * binary form.  Date ranges are checked by dt_render. */
static int dt_recv(uint32_t oid, const uint8_t *b, struct dt *r, struct pgt_error *err)
{
	int64_t us;

	memset(r, 0, sizeof(*r));
	if (oid == OID_DATE) {
		int32_t days = (int32_t)proto_get_u32(b);
		r->has_date = true;
		r->days = days;
		if (days == INT32_MAX || days == INT32_MIN)
			r->inf = days == INT32_MAX ? 1 : -1;
		return 0;
	}
	us = (int64_t)pgt_get_be64(b);
	if (oid == OID_TIME) {
		if (us < 0 || us > USECS_PER_DAY)
			return pgt_fail(err, "22008", "time out of range");
		r->tod = us;
		return 0;
	}
	if (us == INT64_MAX || us == INT64_MIN) {
		r->inf = us == INT64_MAX ? 1 : -1;
		return 0;
	}
	if (!ts_in_range(us))
		return pgt_fail(err, "22008", "timestamp out of range");
	r->days = floor_div(us, USECS_PER_DAY);
	r->tod = us - r->days * USECS_PER_DAY;
	r->has_date = true;
	return 0;
}

/* A date/time value out, in the text or binary form of oid. */
int pgt_dt_encode(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		  struct pgt_error *err)
{
	struct dt r;
	char text[64];
	uint8_t bin[8];
	size_t tl, bl;

	if (val_to_dt(v, oid, &r, err) || dt_render(&r, oid, text, &tl, bin, &bl, err))
		return -1;
	return fmt ? pgt_put_field(p, bin, bl, err) : pgt_put_field(p, text, tl, err);
}

/* A date/time parameter (its binary length checked by pgt_bind), stored
 * as the canonical text. */
int pgt_dt_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t fmt, const uint8_t *s, size_t n,
		struct pgt_error *err)
{
	struct tval v = {.cls = SQLITE_TEXT, .s = s, .n = n};
	struct dt r;
	char text[64];
	uint8_t bin[8];
	size_t tl, bl;

	if (fmt ? dt_recv(oid, s, &r, err) : val_to_dt(&v, oid, &r, err))
		return -1;
	if (dt_render(&r, oid, text, &tl, bin, &bl, err))
		return -1;
	return pgt_bind_str(st, idx, text, tl, err);
}
