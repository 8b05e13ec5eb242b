/*
 * test_sqlite_types.c - types.c and errors.c against a real in-memory
 * SQLite: the exact DataRow field bytes PostgreSQL would send for each
 * type in text and binary, parameters parsed as PostgreSQL's input and
 * receive functions parse them (with their SQLSTATEs and messages), and
 * SQLite failures turned into PostgreSQL's ErrorResponse, constraint
 * names included.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sqlite/errors.h"
#include "sqlite/types.h"

static sqlite3 *db;

static void exec(const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, msg ? msg : "");
}

static void setup(void)
{
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	sqlite3_extended_result_codes(db, 1);
}

static void teardown(void)
{
	sqlite3_close(db);
	db = NULL;
}

static char *hex(const uint8_t *b, size_t n)
{
	static char buf[4][1024];
	static int which;
	char *out = buf[which++ % 4];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < sizeof(buf[0]); i++)
		o += (size_t)sprintf(out + o, "%02x ", b[i]);
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------- type helpers */

/* The DataRow field pgt_encode writes for the value of "SELECT expr". */
static int encode_sql(const char *expr, uint32_t oid, int16_t fmt, struct pkt *p,
		      struct pgt_error *err)
{
	char sql[512];
	sqlite3_stmt *st;
	snprintf(sql, sizeof(sql), "SELECT %s", expr);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	int rc = pgt_encode(p, st, 0, oid, fmt, err);
	sqlite3_finalize(st);
	return rc;
}

static void expect_bytes(const struct pkt *p, const void *data, int32_t len)
{
	uint8_t want[512];
	size_t wl = 4;
	proto_put_u32(want, (uint32_t)len);
	if (len > 0) {
		memcpy(want + 4, data, (size_t)len);
		wl += (size_t)len;
	}
	cr_assert_eq(p->len, wl, "field is [%s], want [%s]", hex(p->data, p->len), hex(want, wl));
	cr_assert(memcmp(p->data, want, wl) == 0, "field is [%s], want [%s]", hex(p->data, p->len),
		  hex(want, wl));
}

static void expect_enc(const char *expr, uint32_t oid, int16_t fmt, const void *data, int32_t len)
{
	struct pkt p;
	struct pgt_error err = {0};
	pkt_init(&p);
	cr_assert_eq(encode_sql(expr, oid, fmt, &p, &err), 0, "%s as %u: %s %s", expr, oid,
		     err.sqlstate, err.message);
	expect_bytes(&p, data, len);
	pkt_free(&p);
}

#define ENC_TEXT(expr, oid, text) expect_enc(expr, oid, 0, text, (int32_t)strlen(text))
#define ENC_BIN(expr, oid, lit)	  expect_enc(expr, oid, 1, lit, (int32_t)sizeof(lit) - 1)

static void expect_enc_err(const char *expr, uint32_t oid, int16_t fmt, const char *state,
			   const char *msg)
{
	struct pkt p;
	struct pgt_error err = {0};
	pkt_init(&p);
	cr_assert_eq(encode_sql(expr, oid, fmt, &p, &err), -1, "%s as %u encoded", expr, oid);
	cr_assert_str_eq(err.sqlstate, state, "%s: %s", expr, err.message);
	cr_assert_str_eq(err.message, msg);
	cr_assert_eq(p.len, 0, "nothing appended on failure");
	pkt_free(&p);
}

/* Bind one parameter to "SELECT ?1, quote(?1)" and step it. */
static sqlite3_stmt *bind1(uint32_t oid, int16_t fmt, const void *val, int32_t len,
			   struct pgt_error *err, int *rc)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT ?1, quote(?1)", -1, &st, NULL), SQLITE_OK);
	*rc = pgt_bind(st, 1, oid, fmt, val, len, err);
	if (*rc == 0)
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	return st;
}

/* What SQLite holds after the bind, as quote() shows it: 42, 1.5, 'text',
 * X'00FF', NULL. */
static void expect_bind(uint32_t oid, int16_t fmt, const void *val, int32_t len, const char *quoted)
{
	struct pgt_error err = {0};
	int rc;
	sqlite3_stmt *st = bind1(oid, fmt, val, len, &err, &rc);
	cr_assert_eq(rc, 0, "bind as %u: %s %s", oid, err.sqlstate, err.message);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 1), quoted);
	sqlite3_finalize(st);
}

#define BIND_TEXT(oid, s, quoted)  expect_bind(oid, 0, s, (int32_t)strlen(s), quoted)
#define BIND_BIN(oid, lit, quoted) expect_bind(oid, 1, lit, (int32_t)sizeof(lit) - 1, quoted)

static void expect_bind_err(uint32_t oid, int16_t fmt, const void *val, int32_t len,
			    const char *state, const char *msg)
{
	struct pgt_error err = {0};
	int rc;
	sqlite3_stmt *st = bind1(oid, fmt, val, len, &err, &rc);
	cr_assert_eq(rc, -1, "bind as %u accepted", oid);
	cr_assert_str_eq(err.sqlstate, state, "%s", err.message);
	cr_assert_str_eq(err.message, msg);
	sqlite3_finalize(st);
}

#define BIND_TEXT_ERR(oid, s, state, msg) expect_bind_err(oid, 0, s, (int32_t)strlen(s), state, msg)
#define BIND_BIN_ERR(oid, lit, state, msg)                                                         \
	expect_bind_err(oid, 1, lit, (int32_t)sizeof(lit) - 1, state, msg)

/* Bind (in_fmt), step, encode (out_fmt): the whole path of a parameter
 * echoed back by "SELECT $1". */
static void expect_echo(uint32_t oid, int16_t in_fmt, const void *val, int32_t len, int16_t out_fmt,
			const void *want, int32_t wlen)
{
	struct pgt_error err = {0};
	struct pkt p;
	int rc;
	sqlite3_stmt *st = bind1(oid, in_fmt, val, len, &err, &rc);
	cr_assert_eq(rc, 0, "bind as %u: %s %s", oid, err.sqlstate, err.message);
	pkt_init(&p);
	cr_assert_eq(pgt_encode(&p, st, 0, oid, out_fmt, &err), 0, "encode: %s %s", err.sqlstate,
		     err.message);
	expect_bytes(&p, want, wlen);
	pkt_free(&p);
	sqlite3_finalize(st);
}

#define ECHO_TT(oid, in, out)                                                                      \
	expect_echo(oid, 0, in, (int32_t)strlen(in), 0, out, (int32_t)strlen(out))
#define ECHO_TB(oid, in, lit)                                                                      \
	expect_echo(oid, 0, in, (int32_t)strlen(in), 1, lit, (int32_t)sizeof(lit) - 1)
#define ECHO_BT(oid, lit, out)                                                                     \
	expect_echo(oid, 1, lit, (int32_t)sizeof(lit) - 1, 0, out, (int32_t)strlen(out))
#define ECHO_BB(oid, lit)                                                                          \
	expect_echo(oid, 1, lit, (int32_t)sizeof(lit) - 1, 1, lit, (int32_t)sizeof(lit) - 1)

TestSuite(types, .init = setup, .fini = teardown);

/* ------------------------------------------------------ type catalogue */

Test(types, oid_from_decltype_postgres_names_first)
{
	struct {
		const char *decl;
		uint32_t oid;
	} cases[] = {
	    {"INTEGER", 23},
	    {"int", 23},
	    {"INT4", 23},
	    {"BIGINT", 20},
	    {"int8", 20},
	    {"smallint", 21},
	    {"INT2", 21},
	    {"TEXT", 25},
	    {"varchar(20)", 1043},
	    {"VARCHAR (255)", 1043},
	    {"character varying(10)", 1043},
	    {"char(22)", 1042},
	    {"character(4)", 1042},
	    {"bpchar", 1042},
	    {"name", 19},
	    {"BOOLEAN", 16},
	    {"bool", 16},
	    {"BLOB", 17},
	    {"bytea", 17},
	    {"REAL", 700},
	    {"float4", 700},
	    {"double precision", 701},
	    {"DOUBLE  PRECISION", 701},
	    {"float8", 701},
	    {"DOUBLE", 701},
	    {"float", 701},
	    {"numeric(10,2)", 1700},
	    {"DECIMAL", 1700},
	    {"timestamp", 1114},
	    {"timestamp without time zone", 1114},
	    {"DATETIME", 1114},
	    {"timestamptz", 1184},
	    {"timestamp with time zone", 1184},
	    {"date", 1082},
	    {"time", 1083},
	    {"json", 114},
	    {"JSONB", 3802},
	    {"uuid", 2950},
	    {"oid", 26},
	    /* SQLite's affinity rules for the rest */
	    {"MEDIUMINT", 20},
	    {"UNSIGNED BIG INT", 20},
	    {"NATIVE CHARACTER(70)", 25},
	    {"CLOB", 25},
	    {"LONGTEXT", 25},
	    {"BINARY BLOB", 17},
	    {"FLOATING", 701},
	    {"DOUBLE WIDE", 701},
	    {"whatever", 1700},
	    {"STRING", 1700},
	    {"", 0},
	    {"   ", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(pgt_oid_from_decltype(cases[i].decl), cases[i].oid, "%s -> %u",
			     cases[i].decl, pgt_oid_from_decltype(cases[i].decl));
	cr_expect_eq(pgt_oid_from_decltype(NULL), 0);
}

Test(types, names_lengths_binary)
{
	cr_expect_str_eq(pgt_type_name(23), "int4");
	cr_expect_str_eq(pgt_type_name(1184), "timestamptz");
	cr_expect_str_eq(pgt_type_name(1043), "varchar");
	cr_expect_str_eq(pgt_type_name(1009), "_text");
	cr_expect_str_eq(pgt_type_name(99999), "unknown");
	int16_t lens[][2] = {{16, 1},	 {21, 2},  {23, 4},   {20, 8},	  {700, 4},   {701, 8},
			     {26, 4},	 {19, 64}, {1082, 4}, {1114, 8},  {1184, 8},  {1083, 8},
			     {2950, 16}, {25, -1}, {17, -1},  {1700, -1}, {1043, -1}, {3802, -1}};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		cr_expect_eq(pgt_typlen((uint32_t)lens[i][0]), lens[i][1], "typlen %d", lens[i][0]);
	cr_expect(pgt_has_binary(20));
	cr_expect(pgt_has_binary(17));
	cr_expect(pgt_has_binary(1700));
	cr_expect(pgt_has_binary(1184));
	cr_expect(!pgt_has_binary(1186));
	cr_expect(!pgt_has_binary(705));
	cr_expect(!pgt_has_binary(4242));
}

/* ---------------------------------------------------------- encoding */

Test(types, null_is_minus_one)
{
	expect_enc("NULL", 23, 1, NULL, -1);
	expect_enc("NULL", 25, 0, NULL, -1);
	struct pkt p;
	struct pgt_error err;
	pkt_init(&p);
	cr_assert_eq(pgt_encode_text(&p, NULL, 16, 0, &err), 0);
	expect_bytes(&p, NULL, -1);
	pkt_free(&p);
}

Test(types, bool_any_storage_class)
{
	ENC_TEXT("1", 16, "t");
	ENC_TEXT("0", 16, "f");
	ENC_TEXT("5", 16, "t");
	ENC_TEXT("0.0", 16, "f");
	ENC_TEXT("'yes'", 16, "t");
	ENC_TEXT("'F'", 16, "f");
	ENC_BIN("1", 16, "\x01");
	ENC_BIN("0", 16, "\x00");
	expect_enc_err("'maybe'", 16, 0, "22P02",
		       "invalid input syntax for type boolean: \"maybe\"");
}

Test(types, integers)
{
	ENC_TEXT("42", 20, "42");
	ENC_BIN("42", 20, "\x00\x00\x00\x00\x00\x00\x00\x2a");
	ENC_BIN("-1", 20, "\xff\xff\xff\xff\xff\xff\xff\xff");
	ENC_BIN("42", 23, "\x00\x00\x00\x2a");
	ENC_BIN("-2", 21, "\xff\xfe");
	ENC_TEXT("-9223372036854775808", 20, "-9223372036854775808");
	/* text stored in a NUMERIC-less column, announced as int8 */
	ENC_TEXT("' 12 '", 20, "12");
	ENC_BIN("'7'", 23, "\x00\x00\x00\x07");
	expect_enc_err("'abc'", 20, 0, "22P02", "invalid input syntax for type bigint: \"abc\"");
	expect_enc_err("'1.5'", 23, 1, "22P02", "invalid input syntax for type integer: \"1.5\"");
	expect_enc_err("3000000000", 23, 1, "22003", "integer out of range");
	expect_enc_err("40000", 21, 0, "22003", "smallint out of range");
	/* a REAL announced as an integer: rounded like PostgreSQL's float8 -> int
	 * casts (rint, half to even) */
	ENC_TEXT("2.5", 23, "2");
	ENC_TEXT("3.5", 23, "4");
	ENC_TEXT("-1.6", 20, "-2");
	expect_enc_err("1e19", 20, 0, "22003", "bigint out of range");
	/* oid is unsigned */
	ENC_TEXT("4294967295", 26, "4294967295");
	ENC_BIN("4294967295", 26, "\xff\xff\xff\xff");
	expect_enc_err("-1", 26, 0, "22003", "OID out of range");
	/* a regclass given as a name prints as the name */
	ENC_TEXT("'pg_class'", 2205, "pg_class");
	ENC_TEXT("1259", 2205, "1259");
	ENC_BIN("1259", 2205, "\x00\x00\x04\xeb");
}

Test(types, floats_shortest_round_trip)
{
	ENC_TEXT("0.1", 701, "0.1");
	ENC_TEXT("1.0/3", 701, "0.3333333333333333");
	ENC_TEXT("-2.5", 701, "-2.5");
	ENC_TEXT("100.0", 701, "100");
	ENC_TEXT("1e14", 701, "100000000000000");
	ENC_TEXT("1e15", 701, "1e+15");
	ENC_TEXT("123456789012345678.0", 701, "1.2345678901234568e+17");
	ENC_TEXT("0.0001", 701, "0.0001");
	ENC_TEXT("0.00001", 701, "1e-05");
	ENC_TEXT("1.5e-300", 701, "1.5e-300");
	ENC_TEXT("1.7976931348623157e308", 701, "1.7976931348623157e+308");
	ENC_TEXT("9e999", 701, "Infinity");
	ENC_TEXT("-9e999", 701, "-Infinity");
	ENC_TEXT("'NaN'", 701, "NaN");
	ENC_TEXT("-0.0", 701, "-0");
	ENC_TEXT("7", 701, "7");
	ENC_BIN("0.1", 701, "\x3f\xb9\x99\x99\x99\x99\x99\x9a");
	ENC_TEXT("0.1", 700, "0.1");
	ENC_TEXT("100000.0", 700, "100000");
	ENC_TEXT("1000000.0", 700, "1e+06");
	ENC_TEXT("1.0/3", 700, "0.33333334");
	ENC_BIN("0.1", 700, "\x3d\xcc\xcc\xcd");
	expect_enc_err("'x1'", 701, 0, "22P02",
		       "invalid input syntax for type double precision: \"x1\"");
	expect_enc_err("1e300", 700, 0, "22003", "value out of range: overflow");
}

Test(types, numeric_text_and_binary)
{
	ENC_TEXT("'12345.678'", 1700, "12345.678");
	ENC_BIN("'12345.678'", 1700, "\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c");
	ENC_BIN("12345.678", 1700, "\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c");
	ENC_BIN("'-0.0012'", 1700, "\x00\x01\xff\xff\x40\x00\x00\x04\x00\x0c");
	ENC_BIN("10000", 1700, "\x00\x01\x00\x01\x00\x00\x00\x00\x00\x01");
	ENC_BIN("0", 1700, "\x00\x00\x00\x00\x00\x00\x00\x00");
	ENC_BIN("'0.00'", 1700, "\x00\x00\x00\x00\x00\x00\x00\x02");
	ENC_BIN("'NaN'", 1700, "\x00\x00\x00\x00\xc0\x00\x00\x00");
	ENC_BIN("'-Infinity'", 1700, "\x00\x00\x00\x00\xf0\x00\x00\x00");
	/* as stored: trailing zeros of text kept, exponents expanded */
	ENC_TEXT("'12.50'", 1700, "12.50");
	ENC_TEXT("'  -1.5e3 '", 1700, "-1500");
	ENC_TEXT("'1.50e1'", 1700, "15.0");
	ENC_TEXT("'.5'", 1700, "0.5");
	ENC_TEXT("'-0'", 1700, "0");
	ENC_TEXT("0.1", 1700, "0.1");
	ENC_TEXT("1e20", 1700, "100000000000000000000");
	ENC_TEXT("1.5e-7", 1700, "0.00000015");
	ENC_TEXT("-42", 1700, "-42");
	ENC_TEXT("9e999", 1700, "Infinity");
	expect_enc_err("'12a'", 1700, 0, "22P02", "invalid input syntax for type numeric: \"12a\"");
}

Test(types, bytea)
{
	ENC_TEXT("x'00ff10'", 17, "\\x00ff10");
	ENC_TEXT("x''", 17, "\\x");
	ENC_BIN("x'00ff10'", 17, "\x00\xff\x10");
	ENC_TEXT("'ab'", 17, "\\x6162");
	ENC_BIN("zeroblob(0)", 17, "");
}

Test(types, text_types_and_utf8)
{
	ENC_TEXT("'héllo'", 25, "héllo");
	ENC_BIN("'héllo'", 25, "héllo");
	ENC_TEXT("42", 25, "42");
	ENC_TEXT("0.5", 1043, "0.5");
	ENC_TEXT("x'6869'", 25, "hi");
	ENC_BIN("'{\"a\":1}'", 114, "{\"a\":1}");
	ENC_BIN("'{\"a\":1}'", 3802, "\x01{\"a\":1}");
	ENC_TEXT("'{\"a\":1}'", 3802, "{\"a\":1}");
	expect_enc_err("x'ff'", 25, 0, "22021",
		       "invalid byte sequence for encoding \"UTF8\": 0xff");
	expect_enc_err("x'c328'", 1043, 1, "22021",
		       "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28");
	expect_enc_err("x'610062'", 25, 0, "22021",
		       "invalid byte sequence for encoding \"UTF8\": 0x00");
	/* surrogates and overlong forms are not UTF-8 */
	expect_enc_err("x'eda080'", 25, 0, "22021",
		       "invalid byte sequence for encoding \"UTF8\": 0xed 0xa0 0x80");
	expect_enc_err("x'c0af'", 25, 0, "22021",
		       "invalid byte sequence for encoding \"UTF8\": 0xc0 0xaf");
}

Test(types, uuid)
{
	ENC_TEXT("'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", 2950,
		 "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	ENC_TEXT("'{a0eebc999c0b4ef8bb6d6bb9bd380a11}'", 2950,
		 "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	ENC_TEXT("'a0ee-bc99-9c0b4ef8-bb6d6bb9bd380a11'", 2950,
		 "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	ENC_BIN("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", 2950,
		"\xa0\xee\xbc\x99\x9c\x0b\x4e\xf8\xbb\x6d\x6b\xb9\xbd\x38\x0a\x11");
	ENC_TEXT("x'a0eebc999c0b4ef8bb6d6bb9bd380a11'", 2950,
		 "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	expect_enc_err("'a0eebc99-9c0b'", 2950, 0, "22P02",
		       "invalid input syntax for type uuid: \"a0eebc99-9c0b\"");
}

Test(types, timestamps_dates_times)
{
	ENC_BIN("'2000-01-01 00:00:01'", 1114, "\x00\x00\x00\x00\x00\x0f\x42\x40");
	ENC_BIN("'1999-12-31 23:59:59.999999'", 1114, "\xff\xff\xff\xff\xff\xff\xff\xff");
	ENC_BIN("'2024-01-02 03:04:05.123456'", 1114, "\x00\x02\xb0\xec\x85\x17\xd5\x80");
	ENC_BIN("'2024-01-02 03:04:05.123456+00'", 1184, "\x00\x02\xb0\xec\x85\x17\xd5\x80");
	ENC_TEXT("'2024-01-02 03:04:05.123456'", 1184, "2024-01-02 03:04:05.123456+00");
	ENC_TEXT("'2024-01-02 03:04:05.120'", 1114, "2024-01-02 03:04:05.12");
	ENC_TEXT("'2024-01-02T05:04:05.5+02:00'", 1184, "2024-01-02 03:04:05.5+00");
	ENC_TEXT("'2024-01-02T03:04:05Z'", 1184, "2024-01-02 03:04:05+00");
	/* a timestamp without time zone ignores a zone, as PostgreSQL's input does */
	ENC_TEXT("'2024-01-02 05:04:05+02'", 1114, "2024-01-02 05:04:05");
	ENC_TEXT("'2024-01-02 03:04:05'", 1184, "2024-01-02 03:04:05+00");
	ENC_TEXT("'2024-01-02'", 1114, "2024-01-02 00:00:00");
	ENC_TEXT("946684800", 1114, "2000-01-01 00:00:00");
	ENC_TEXT("1704164645", 1184, "2024-01-02 03:04:05+00");
	ENC_TEXT("1704164645.25", 1184, "2024-01-02 03:04:05.25+00");
	ENC_TEXT("'infinity'", 1184, "infinity");
	ENC_BIN("'-infinity'", 1114, "\x80\x00\x00\x00\x00\x00\x00\x00");
	ENC_TEXT("'0001-01-01 00:00:00 BC'", 1114, "0001-01-01 00:00:00 BC");
	ENC_TEXT("'2024-02-29'", 1082, "2024-02-29");
	ENC_BIN("'2024-02-29'", 1082, "\x00\x00\x22\x79");
	ENC_BIN("'1999-12-31'", 1082, "\xff\xff\xff\xff");
	ENC_TEXT("'2024-02-29 23:00:00'", 1082, "2024-02-29");
	ENC_TEXT("'13:14:15.5'", 1083, "13:14:15.5");
	ENC_BIN("'00:00:01'", 1083, "\x00\x00\x00\x00\x00\x0f\x42\x40");
	ENC_TEXT("'2024-01-02 03:04:05'", 1083, "03:04:05");
	expect_enc_err("'2023-02-29'", 1082, 0, "22008",
		       "date/time field value out of range: \"2023-02-29\"");
	expect_enc_err("'yesterday-ish'", 1114, 0, "22007",
		       "invalid input syntax for type timestamp: \"yesterday-ish\"");
	expect_enc_err("'2024-01-02 25:00:00'", 1184, 1, "22008",
		       "date/time field value out of range: \"2024-01-02 25:00:00\"");
}

Test(types, current_timestamp_is_read)
{
	/* SQLite's own CURRENT_TIMESTAMP text, announced as timestamptz */
	struct pkt p;
	struct pgt_error err = {0};
	pkt_init(&p);
	cr_assert_eq(encode_sql("CURRENT_TIMESTAMP", 1184, 0, &p, &err), 0, "%s", err.message);
	cr_assert_eq(p.len, 4 + 22);
	cr_assert(memcmp(p.data + 4 + 19, "+00", 3) == 0);
	cr_assert_eq(p.data[4 + 10], ' ');
	pkt_reset(&p);
	cr_assert_eq(encode_sql("CURRENT_TIMESTAMP", 1114, 1, &p, &err), 0, "%s", err.message);
	cr_assert_eq(p.len, 4 + 8);
	/* after 2020-01-01 (631152000 s since 2000) */
	cr_assert_gt(((uint64_t)proto_get_u32(p.data + 4) << 32 | proto_get_u32(p.data + 8)),
		     UINT64_C(631152000000000));
	pkt_free(&p);
}

Test(types, encode_text_and_format_code)
{
	struct pkt p;
	struct pgt_error err = {0};
	pkt_init(&p);
	cr_assert_eq(pgt_encode_text(&p, "16385", 26, 1, &err), 0);
	expect_bytes(&p, "\x00\x00\x40\x01", 4);
	pkt_reset(&p);
	cr_assert_eq(pgt_encode_text(&p, "on", 16, 0, &err), 0);
	expect_bytes(&p, "t", 1);
	pkt_reset(&p);
	cr_assert_eq(pgt_encode_text(&p, "x", 25, 2, &err), -1);
	cr_assert_str_eq(err.sqlstate, "22023");
	cr_assert_str_eq(err.message, "unsupported format code: 2");
	pkt_free(&p);
}

/* ------------------------------------------------------------ binding */

Test(types, bind_integers_text)
{
	BIND_TEXT(23, " 42 ", "42");
	BIND_TEXT(23, "-2147483648", "-2147483648");
	BIND_TEXT(20, "+9223372036854775807", "9223372036854775807");
	BIND_TEXT(21, "-7", "-7");
	BIND_TEXT(26, "-1", "4294967295");
	BIND_TEXT_ERR(23, "abc", "22P02", "invalid input syntax for type integer: \"abc\"");
	BIND_TEXT_ERR(23, "", "22P02", "invalid input syntax for type integer: \"\"");
	BIND_TEXT_ERR(23, "1 2", "22P02", "invalid input syntax for type integer: \"1 2\"");
	BIND_TEXT_ERR(23, "4.0", "22P02", "invalid input syntax for type integer: \"4.0\"");
	BIND_TEXT_ERR(23, "99999999999", "22003",
		      "value \"99999999999\" is out of range for type integer");
	BIND_TEXT_ERR(21, "40000", "22003", "value \"40000\" is out of range for type smallint");
	BIND_TEXT_ERR(20, "9223372036854775808", "22003",
		      "value \"9223372036854775808\" is out of range for type bigint");
	BIND_TEXT_ERR(20, "x", "22P02", "invalid input syntax for type bigint: \"x\"");
}

Test(types, bind_integers_binary)
{
	BIND_BIN(20, "\x00\x00\x00\x00\x00\x00\x00\x2a", "42");
	BIND_BIN(20, "\x80\x00\x00\x00\x00\x00\x00\x00", "-9223372036854775808");
	BIND_BIN(23, "\xff\xff\xff\xfe", "-2");
	BIND_BIN(21, "\x80\x00", "-32768");
	BIND_BIN(26, "\xff\xff\xff\xff", "4294967295");
	BIND_BIN_ERR(23, "\x00\x2a", "08P01", "insufficient data left in message");
	BIND_BIN_ERR(20, "\x00\x00\x00\x2a", "08P01", "insufficient data left in message");
	BIND_BIN_ERR(21, "\x00\x00\x00\x2a", "22P03",
		     "incorrect binary data format in bind parameter 1");
}

Test(types, bind_bool)
{
	const char *yes[] = {"t", "true", "TRUE", "tr", "Yes", "y", "on", "ON", "1", " true "};
	const char *no[] = {"f", "false", "FALSE", "fa", "no", "N", "off", "of", "OFF", "0"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		BIND_TEXT(16, yes[i], "1");
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		BIND_TEXT(16, no[i], "0");
	BIND_TEXT_ERR(16, "o", "22P02", "invalid input syntax for type boolean: \"o\"");
	BIND_TEXT_ERR(16, "truee", "22P02", "invalid input syntax for type boolean: \"truee\"");
	BIND_TEXT_ERR(16, "2", "22P02", "invalid input syntax for type boolean: \"2\"");
	BIND_BIN(16, "\x01", "1");
	BIND_BIN(16, "\x00", "0");
	BIND_BIN_ERR(16, "", "08P01", "insufficient data left in message");
	BIND_BIN_ERR(16, "\x01\x00", "22P03", "incorrect binary data format in bind parameter 1");
	/* kine's (deleted = 0 OR $n) needs a real 0/1 integer */
	struct pgt_error err;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT 0 = 1 OR ?1", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(pgt_bind(st, 1, 16, 0, (const uint8_t *)"true", 4, &err), 0);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
}

Test(types, bind_floats)
{
	BIND_TEXT(701, " 1.5 ", "1.5");
	BIND_TEXT(701, "-Infinity", "-Inf");
	BIND_TEXT(701, "infinity", "Inf");
	BIND_TEXT(701, "NaN", "'NaN'");
	BIND_BIN(701, "\x3f\xf8\x00\x00\x00\x00\x00\x00", "1.5");
	BIND_BIN(700, "\x3f\xc0\x00\x00", "1.5");
	BIND_TEXT_ERR(701, "1e400", "22003", "\"1e400\" is out of range for type double precision");
	BIND_TEXT_ERR(700, "1e40", "22003", "\"1e40\" is out of range for type real");
	BIND_TEXT_ERR(701, "1.5x", "22P02",
		      "invalid input syntax for type double precision: \"1.5x\"");
	BIND_BIN_ERR(701, "\x3f\xf8\x00\x00", "08P01", "insufficient data left in message");
	ECHO_TT(701, "NaN", "NaN");
	ECHO_TT(701, "-Infinity", "-Infinity");
	ECHO_TT(700, "0.1", "0.1");
	ECHO_TB(701, "0.1", "\x3f\xb9\x99\x99\x99\x99\x99\x9a");
	ECHO_BB(701, "\x3f\xb9\x99\x99\x99\x99\x99\x9a");
}

Test(types, bind_numeric)
{
	BIND_TEXT(1700, "42", "42");
	BIND_TEXT(1700, "12.50", "12.5");
	BIND_TEXT(1700, "123456789012345678901234567890.5", "'123456789012345678901234567890.5'");
	BIND_TEXT(1700, "NaN", "'NaN'");
	BIND_BIN(1700, "\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c", "12345.678");
	BIND_BIN(1700, "\x00\x01\xff\xff\x40\x00\x00\x04\x00\x0c", "-0.0012");
	/* dscale hides a digit: truncated, as numeric_recv does */
	BIND_BIN(1700, "\x00\x02\x00\x00\x00\x00\x00\x01\x00\x01\x04\xd2", "1.1");
	ECHO_TT(1700, "123456789012345678901234567890.5", "123456789012345678901234567890.5");
	ECHO_TB(1700, "12345.678", "\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c");
	ECHO_BT(1700, "\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c", "12345.678");
	BIND_TEXT_ERR(1700, "1.2.3", "22P02", "invalid input syntax for type numeric: \"1.2.3\"");
	BIND_BIN_ERR(1700, "\x00\x01\x00\x00\x00\x00\x00\x00", "08P01",
		     "insufficient data left in message");
	BIND_BIN_ERR(1700, "\x00\x01\x00\x00\x12\x34\x00\x00\x00\x01", "22P03",
		     "invalid sign in external \"numeric\" value");
	BIND_BIN_ERR(1700, "\x00\x01\x00\x00\x00\x00\x00\x00\x27\x10", "22P03",
		     "invalid digit in external \"numeric\" value");
}

Test(types, bind_bytea)
{
	BIND_TEXT(17, "\\x0001ff", "X'0001FF'");
	BIND_TEXT(17, "\\x00 01", "X'0001'");
	BIND_TEXT(17, "a\\\\b\\001", "X'615C6201'");
	BIND_TEXT(17, "", "X''");
	BIND_BIN(17, "\x00\x01\xff", "X'0001FF'");
	BIND_TEXT_ERR(17, "\\x0g", "22023", "invalid hexadecimal digit: \"g\"");
	BIND_TEXT_ERR(17, "\\x012", "22023", "invalid hexadecimal data: odd number of digits");
	BIND_TEXT_ERR(17, "a\\9", "22P02", "invalid input syntax for type bytea");
	ECHO_TT(17, "\\xDEADbeef", "\\xdeadbeef");
	ECHO_BB(17, "\x00\xff\x00");
}

Test(types, bind_text_types)
{
	BIND_TEXT(25, "it's", "'it''s'");
	BIND_TEXT(0, "123", "'123'");
	BIND_TEXT(705, "abc", "'abc'");
	BIND_BIN(25, "h\xc3\xa9", "'h\xc3\xa9'");
	BIND_BIN(1043, "abc", "'abc'");
	expect_bind_err(25, 0, "a\0b", 3, "22021",
			"invalid byte sequence for encoding \"UTF8\": 0x00");
	expect_bind_err(1043, 1, "a\xe2\x82", 3, "22021",
			"invalid byte sequence for encoding \"UTF8\": 0xe2 0x82");
	/* namein cuts at 63 bytes */
	char longname[80];
	memset(longname, 'n', 70);
	longname[70] = '\0';
	char want[80];
	snprintf(want, sizeof(want), "'%.63s'", longname);
	BIND_TEXT(19, longname, want);
	BIND_TEXT(114, "{\"a\": [1, 2.5e3, true, null, \"x\\n\"]}",
		  "'{\"a\": [1, 2.5e3, true, null, \"x\\n\"]}'");
	BIND_TEXT_ERR(114, "{\"a\":}", "22P02", "invalid input syntax for type json");
	BIND_TEXT(3802, "[0, -1.5, 2E+3, 10e-2]", "'[0, -1.5, 2E+3, 10e-2]'");
	BIND_TEXT_ERR(3802, "[1.]", "22P02", "invalid input syntax for type jsonb");
	BIND_TEXT_ERR(114, "[1e]", "22P02", "invalid input syntax for type json");
	BIND_TEXT_ERR(114, "[-]", "22P02", "invalid input syntax for type json");
	BIND_BIN(3802, "\x01[1]", "'[1]'");
	BIND_BIN_ERR(3802, "\x02[1]", "XX000", "unsupported jsonb version number 2");
	expect_bind(25, 0, NULL, -1, "NULL");
	expect_bind(17, 1, NULL, -1, "NULL");
}

Test(types, bind_text_unsupported_format)
{
	expect_bind_err(25, 2, "x", 1, "22023", "unsupported format code: 2");
}

Test(types, bind_uuid)
{
	BIND_TEXT(2950, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
		  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'");
	BIND_BIN(2950, "\xa0\xee\xbc\x99\x9c\x0b\x4e\xf8\xbb\x6d\x6b\xb9\xbd\x38\x0a\x11",
		 "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'");
	BIND_TEXT_ERR(2950, "a0eebc99", "22P02",
		      "invalid input syntax for type uuid: \"a0eebc99\"");
	BIND_BIN_ERR(2950, "\xa0\xee", "08P01", "insufficient data left in message");
	ECHO_BB(2950, "\xa0\xee\xbc\x99\x9c\x0b\x4e\xf8\xbb\x6d\x6b\xb9\xbd\x38\x0a\x11");
}

Test(types, bind_timestamps)
{
	BIND_TEXT(1114, "2024-01-02T03:04:05Z", "'2024-01-02 03:04:05'");
	BIND_TEXT(1114, " 2024-1-2 3:04 ", "'2024-01-02 03:04:00'");
	BIND_TEXT(1184, "2024-01-02 05:04:05.250+02", "'2024-01-02 03:04:05.25+00'");
	BIND_TEXT(1184, "2024-01-02 03:04:05-0130", "'2024-01-02 04:34:05+00'");
	BIND_TEXT(1184, "2024-01-02", "'2024-01-02 00:00:00+00'");
	BIND_TEXT(1184, "2024-01-02 03:04:05.1234567", "'2024-01-02 03:04:05.123457+00'");
	BIND_TEXT(1114, "epoch", "'1970-01-01 00:00:00'");
	BIND_TEXT(1114, "-infinity", "'-infinity'");
	BIND_TEXT(1082, "2024-02-29", "'2024-02-29'");
	BIND_TEXT(1082, "2024-02-29 13:00", "'2024-02-29'");
	BIND_TEXT(1083, "7:08:09.5", "'07:08:09.5'");
	BIND_BIN(1114, "\x00\x00\x00\x00\x00\x0f\x42\x40", "'2000-01-01 00:00:01'");
	BIND_BIN(1184, "\x00\x02\xb0\xec\x85\x17\xd5\x80", "'2024-01-02 03:04:05.123456+00'");
	BIND_BIN(1082, "\x00\x00\x22\x79", "'2024-02-29'");
	BIND_BIN(1082, "\x7f\xff\xff\xff", "'infinity'");
	BIND_BIN(1083, "\x00\x00\x00\x00\x00\x0f\x42\x40", "'00:00:01'");
	BIND_TEXT_ERR(1114, "hello", "22007", "invalid input syntax for type timestamp: \"hello\"");
	BIND_TEXT_ERR(1184, "2024-01-02 03:04:05 +", "22007",
		      "invalid input syntax for type timestamp with time zone: "
		      "\"2024-01-02 03:04:05 +\"");
	BIND_TEXT_ERR(1114, "2024-13-01", "22008",
		      "date/time field value out of range: \"2024-13-01\"");
	BIND_TEXT_ERR(1082, "2024-02-30", "22008",
		      "date/time field value out of range: \"2024-02-30\"");
	BIND_TEXT_ERR(1083, "25:00", "22008", "date/time field value out of range: \"25:00\"");
	BIND_BIN_ERR(1114, "\x00\x00\x00\x01", "08P01", "insufficient data left in message");
	BIND_BIN_ERR(1114, "\x7f\xff\xff\xff\xff\xff\xff\x00", "22008", "timestamp out of range");
	/* the far negative end: checked before it is split into days */
	BIND_BIN_ERR(1184, "\x80\x00\x00\x00\x00\x00\x00\x01", "22008", "timestamp out of range");
	BIND_BIN(1114, "\x80\x00\x00\x00\x00\x00\x00\x00", "'-infinity'");
	BIND_BIN_ERR(1082, "\x7f\xff\xff\xfe", "22008", "date out of range");
	BIND_BIN_ERR(1083, "\xff\xff\xff\xff\xff\xff\xff\xff", "22008", "time out of range");
	ECHO_BB(1114, "\x00\x02\xb0\xec\x85\x17\xd5\x80");
	ECHO_BB(1184, "\xff\xff\xff\xff\xff\xff\xff\xff");
	ECHO_BB(1082, "\xff\xff\xff\xff");
	ECHO_TT(1184, "2024-01-02 03:04:05+05", "2024-01-01 22:04:05+00");
	ECHO_TT(1114, "2024-01-02 03:04:05.000001", "2024-01-02 03:04:05.000001");
}

/* ------------------------------------------------------------- errors */

static const char *KINE_DDL =
    "CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, created INTEGER, "
    "deleted INTEGER, create_revision BIGINT, prev_revision BIGINT, lease INTEGER, "
    "value BLOB, old_value BLOB);"
    "CREATE INDEX kine_name_index ON kine (name);"
    "CREATE INDEX kine_name_id_index ON kine (name, id);"
    "CREATE INDEX kine_id_deleted_index ON kine (id, deleted);"
    "CREATE INDEX kine_prev_revision_index ON kine (prev_revision);"
    "CREATE UNIQUE INDEX kine_name_prev_revision_uindex ON kine (name, prev_revision);";

static void esetup(void)
{
	setup();
	exec(KINE_DDL);
	exec("INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, lease) "
	     "VALUES (1, '/registry/a', 1, 0, 0, 0, 0)");
}

TestSuite(errors, .init = esetup, .fini = teardown);

/* Run sql, expect it to fail, and map the failure. */
static struct lite_error fails(const char *sql, int want_rc)
{
	struct lite_error e;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
	}
	cr_assert_eq(rc, want_rc, "%s: rc %d (%s)", sql, rc, sqlite3_errmsg(db));
	memset(&e, 0x5a, sizeof(e)); /* every field must be written */
	lite_error_from_sqlite(db, rc, &e);
	sqlite3_finalize(st);
	return e;
}

static void expect_err(const struct lite_error *e, const char *state, const char *msg)
{
	cr_assert_str_eq(e->sqlstate, state, "%s", e->message);
	cr_assert_str_eq(e->message, msg);
	cr_assert_str_eq(e->severity, "ERROR");
}

Test(errors, kine_unique_index_by_name)
{
	struct lite_error e = fails("INSERT INTO kine (name, created, deleted, create_revision, "
				    "prev_revision, lease) VALUES ('/registry/a', 1, 0, 0, 0, 0)",
				    SQLITE_CONSTRAINT_UNIQUE);
	expect_err(
	    &e, "23505",
	    "duplicate key value violates unique constraint \"kine_name_prev_revision_uindex\"");
	cr_assert_str_eq(e.constraint, "kine_name_prev_revision_uindex");
	cr_assert_str_eq(e.table, "kine");
	cr_assert_str_eq(e.schema, "public");
	cr_assert_str_eq(e.column, "");
	cr_assert_str_eq(e.detail, "");
	cr_assert_str_eq(e.hint, "");
	cr_assert_eq(e.position, 0);
}

Test(errors, kine_pkey)
{
	struct lite_error e = fails("INSERT INTO kine (id, name, prev_revision) VALUES "
				    "(1, '/registry/b', 0)",
				    SQLITE_CONSTRAINT_PRIMARYKEY);
	expect_err(&e, "23505", "duplicate key value violates unique constraint \"kine_pkey\"");
	cr_assert_str_eq(e.constraint, "kine_pkey");
	cr_assert_str_eq(e.table, "kine");
	cr_assert_str_eq(e.schema, "public");
}

Test(errors, lookup_leaves_the_transaction_alone)
{
	exec("BEGIN IMMEDIATE");
	exec("INSERT INTO kine (name, prev_revision) VALUES ('/registry/b', 0)");
	struct lite_error e = fails("INSERT INTO kine (name, prev_revision) VALUES "
				    "('/registry/b', 0)",
				    SQLITE_CONSTRAINT_UNIQUE);
	cr_assert_str_eq(e.constraint, "kine_name_prev_revision_uindex");
	cr_assert_eq(sqlite3_get_autocommit(db), 0, "still inside the transaction");
	exec("COMMIT");
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM kine", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
}

Test(errors, inline_unique_and_primary_keys)
{
	exec("CREATE TABLE t (a INT, b INT, c TEXT UNIQUE, UNIQUE (a, b));"
	     "INSERT INTO t VALUES (1, 2, 'x')");
	struct lite_error e = fails("INSERT INTO t VALUES (1, 2, 'y')", SQLITE_CONSTRAINT_UNIQUE);
	expect_err(&e, "23505", "duplicate key value violates unique constraint \"t_a_b_key\"");
	cr_assert_str_eq(e.constraint, "t_a_b_key");
	cr_assert_str_eq(e.table, "t");
	e = fails("INSERT INTO t VALUES (1, 3, 'x')", SQLITE_CONSTRAINT_UNIQUE);
	cr_assert_str_eq(e.constraint, "t_c_key");

	/* a PRIMARY KEY that is not the rowid has an autoindex of origin "pk" */
	exec("CREATE TABLE u (k TEXT PRIMARY KEY, v INT UNIQUE); INSERT INTO u VALUES ('a', 1)");
	e = fails("INSERT INTO u VALUES ('a', 2)", SQLITE_CONSTRAINT_PRIMARYKEY);
	cr_assert_str_eq(e.constraint, "u_pkey");
	cr_assert_str_eq(e.message, "duplicate key value violates unique constraint \"u_pkey\"");
	e = fails("INSERT INTO u VALUES ('b', 1)", SQLITE_CONSTRAINT_UNIQUE);
	cr_assert_str_eq(e.constraint, "u_v_key");

	exec("CREATE TABLE w (a INT, b INT, PRIMARY KEY (a, b)) WITHOUT ROWID;"
	     "INSERT INTO w VALUES (1, 1)");
	e = fails("INSERT INTO w VALUES (1, 1)", SQLITE_CONSTRAINT_PRIMARYKEY);
	cr_assert_str_eq(e.constraint, "w_pkey");
	cr_assert_str_eq(e.table, "w");

	/* pgbench's ALTER TABLE ... ADD PRIMARY KEY becomes CREATE UNIQUE INDEX x_pkey */
	exec("CREATE TABLE pgbench_branches (bid INT NOT NULL, bbalance INT);"
	     "CREATE UNIQUE INDEX pgbench_branches_pkey ON pgbench_branches (bid);"
	     "INSERT INTO pgbench_branches VALUES (1, 0)");
	e = fails("INSERT INTO pgbench_branches VALUES (1, 5)", SQLITE_CONSTRAINT_UNIQUE);
	cr_assert_str_eq(e.constraint, "pgbench_branches_pkey");
	cr_assert_str_eq(e.table, "pgbench_branches");
}

Test(errors, unique_index_on_expression)
{
	exec("CREATE TABLE x (a TEXT); CREATE UNIQUE INDEX x_lower ON x (lower(a));"
	     "INSERT INTO x VALUES ('A')");
	struct lite_error e = fails("INSERT INTO x VALUES ('a')", SQLITE_CONSTRAINT_UNIQUE);
	expect_err(&e, "23505", "duplicate key value violates unique constraint \"x_lower\"");
	cr_assert_str_eq(e.constraint, "x_lower");
	cr_assert_str_eq(e.table, "x");
}

Test(errors, not_null_check_foreign_key)
{
	exec("CREATE TABLE u (n INT NOT NULL, k INT CONSTRAINT k_positive CHECK (k > 0), "
	     "j INT CHECK (j < 5))");
	struct lite_error e = fails("INSERT INTO u (n) VALUES (NULL)", SQLITE_CONSTRAINT_NOTNULL);
	expect_err(&e, "23502",
		   "null value in column \"n\" of relation \"u\" violates not-null constraint");
	cr_assert_str_eq(e.column, "n");
	cr_assert_str_eq(e.table, "u");
	cr_assert_str_eq(e.schema, "public");
	cr_assert_str_eq(e.constraint, "");

	e = fails("INSERT INTO u VALUES (1, -1, 0)", SQLITE_CONSTRAINT_CHECK);
	expect_err(&e, "23514", "new row violates check constraint \"k_positive\"");
	cr_assert_str_eq(e.constraint, "k_positive");
	e = fails("INSERT INTO u VALUES (1, 1, 9)", SQLITE_CONSTRAINT_CHECK);
	expect_err(&e, "23514", "new row violates check constraint (j < 5)");
	cr_assert_str_eq(e.constraint, "");

	exec("PRAGMA foreign_keys = ON; CREATE TABLE p (id INTEGER PRIMARY KEY);"
	     "CREATE TABLE c (p INT REFERENCES p (id))");
	e = fails("INSERT INTO c VALUES (5)", SQLITE_CONSTRAINT_FOREIGNKEY);
	cr_assert_str_eq(e.sqlstate, "23503");
}

Test(errors, plain_errors_by_message)
{
	struct lite_error e = fails("SELECT COUNT(*) FROM key_value", SQLITE_ERROR);
	expect_err(&e, "42P01", "relation \"key_value\" does not exist");
	cr_assert_str_eq(e.table, "");

	e = fails("SELEC 1", SQLITE_ERROR);
	expect_err(&e, "42601", "syntax error at or near \"SELEC\"");
	e = fails("SELECT (1", SQLITE_ERROR);
	expect_err(&e, "42601", "syntax error at end of input");
	e = fails("SELECT 'abc", SQLITE_ERROR);
	expect_err(&e, "42601", "unterminated quoted string at or near \"'abc\"");

	e = fails("CREATE TABLE kine (x)", SQLITE_ERROR);
	expect_err(&e, "42P07", "relation \"kine\" already exists");
	e = fails("CREATE INDEX kine_name_index ON kine (name)", SQLITE_ERROR);
	expect_err(&e, "42P07", "relation \"kine_name_index\" already exists");

	e = fails("SELECT nope FROM kine", SQLITE_ERROR);
	expect_err(&e, "42703", "column \"nope\" does not exist");
	e = fails("SELECT kine.nope FROM kine", SQLITE_ERROR);
	expect_err(&e, "42703", "column kine.nope does not exist");
	e = fails("INSERT INTO kine (nope) VALUES (1)", SQLITE_ERROR);
	expect_err(&e, "42703", "column \"nope\" of relation \"kine\" does not exist");

	e = fails("SELECT nofunc(1)", SQLITE_ERROR);
	expect_err(&e, "42883", "function nofunc does not exist");
	cr_assert_str_eq(e.hint, "No function matches the given name and argument types.");

	e = fails("SELECT id FROM kine, kine AS k2", SQLITE_ERROR);
	expect_err(&e, "42702", "column reference \"id\" is ambiguous");
	e = fails("DROP INDEX nope", SQLITE_ERROR);
	expect_err(&e, "42704", "index \"nope\" does not exist");
	e = fails("CREATE TABLE y (a TEXT COLLATE \"C\")", SQLITE_ERROR_MISSING_COLLSEQ);
	expect_err(&e, "42704", "collation \"C\" for encoding \"UTF8\" does not exist");
	e = fails("COMMIT", SQLITE_ERROR);
	expect_err(&e, "25P01", "there is no transaction in progress");
	e = fails("ATTACH ':memory:' AS main", SQLITE_ERROR);
	expect_err(&e, "XX000", "sqlite: database main is already in use");
}

static void pg_error_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_error(ctx, LITE_ERROR_PREFIX "22012:division by zero", -1);
}

Test(errors, own_functions_choose_their_sqlstate)
{
	cr_assert_eq(
	    sqlite3_create_function(db, "pgerr", 0, SQLITE_UTF8, NULL, pg_error_fn, NULL, NULL),
	    SQLITE_OK);
	struct lite_error e = fails("SELECT pgerr()", SQLITE_ERROR);
	expect_err(&e, "22012", "division by zero");
}

static int stop_now(void *arg)
{
	(void)arg;
	return 1;
}

Test(errors, interrupt_busy_and_others)
{
	sqlite3_progress_handler(db, 1, stop_now, NULL);
	struct lite_error e = fails("SELECT count(*) FROM kine", SQLITE_INTERRUPT);
	expect_err(&e, "57014", "canceling statement due to user request");
	sqlite3_progress_handler(db, 0, NULL, NULL);

	char path[] = "/tmp/pgpin-test-errors-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	sqlite3 *a, *b;
	cr_assert_eq(sqlite3_open(path, &a), SQLITE_OK);
	cr_assert_eq(sqlite3_open(path, &b), SQLITE_OK);
	sqlite3_extended_result_codes(b, 1);
	cr_assert_eq(sqlite3_exec(a, "CREATE TABLE t (x); BEGIN IMMEDIATE", NULL, NULL, NULL),
		     SQLITE_OK);
	int rc = sqlite3_exec(b, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	cr_assert_eq(rc, SQLITE_BUSY);
	lite_error_from_sqlite(b, rc, &e);
	expect_err(&e, "40001", "could not serialize access due to concurrent update");
	cr_assert_str_eq(e.hint, "The transaction might succeed if retried.");
	sqlite3_close(b);
	sqlite3_close(a);
	unlink(path);

	struct {
		int rc;
		const char *state;
	} codes[] = {
	    {SQLITE_LOCKED, "55P03"},
	    {SQLITE_READONLY, "25006"},
	    {SQLITE_FULL, "53100"},
	    {SQLITE_TOOBIG, "54000"},
	    {SQLITE_MISMATCH, "42804"},
	    {SQLITE_NOMEM, "53200"},
	    {SQLITE_IOERR_WRITE, "58030"},
	    {SQLITE_IOERR, "58030"},
	    {SQLITE_CORRUPT, "XX001"},
	    {SQLITE_NOTADB, "XX001"},
	    {SQLITE_CANTOPEN, "58P01"},
	    {SQLITE_RANGE, "08P01"},
	    {SQLITE_BUSY_SNAPSHOT, "40001"},
	    {SQLITE_BUSY_RECOVERY, "40001"},
	    {SQLITE_READONLY_DBMOVED, "25006"},
	    {SQLITE_CONSTRAINT_TRIGGER, "P0001"},
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		lite_error_from_sqlite(NULL, codes[i].rc, &e);
		cr_expect_str_eq(e.sqlstate, codes[i].state, "rc %d -> %s", codes[i].rc,
				 e.sqlstate);
	}
	lite_error_from_sqlite(NULL, SQLITE_NOMEM, &e);
	cr_assert_str_eq(e.message, "out of memory");
}

Test(errors, build_error_response_bytes)
{
	struct lite_error e =
	    fails("INSERT INTO kine (id, name) VALUES (1, 'x')", SQLITE_CONSTRAINT_PRIMARYKEY);
	struct pkt p;
	pkt_init(&p);
	lite_error_build(&p, &e);
	static const char body[] = "SERROR\0VERROR\0C23505\0"
				   "Mduplicate key value violates unique constraint \"kine_pkey\"\0"
				   "spublic\0tkine\0nkine_pkey\0";
	size_t blen = sizeof(body); /* the final NUL is the terminator */
	cr_assert_eq(p.len, 1 + 4 + blen, "%s", hex(p.data, p.len));
	cr_assert_eq(p.data[0], 'E');
	cr_assert_eq(proto_get_u32(p.data + 1), 4 + blen);
	cr_assert(memcmp(p.data + 5, body, blen) == 0, "%s", hex(p.data, p.len));

	/* every optional field, in PostgreSQL's order */
	lite_error_set(&e, "42601", "syntax error at or near \"%s\"", "x");
	snprintf(e.detail, sizeof(e.detail), "d");
	snprintf(e.hint, sizeof(e.hint), "h");
	e.position = 17;
	snprintf(e.schema, sizeof(e.schema), "public");
	snprintf(e.table, sizeof(e.table), "t");
	snprintf(e.column, sizeof(e.column), "c");
	snprintf(e.constraint, sizeof(e.constraint), "n1");
	pkt_reset(&p);
	lite_error_build(&p, &e);
	static const char body2[] = "SERROR\0VERROR\0C42601\0Msyntax error at or near \"x\"\0"
				    "Dd\0Hh\0P17\0spublic\0tt\0cc\0nn1\0";
	cr_assert_eq(p.len, 1 + 4 + sizeof(body2));
	cr_assert(memcmp(p.data + 5, body2, sizeof(body2)) == 0, "%s", hex(p.data, p.len));

	/* what proto.c's own parser reads back */
	struct error_fields f;
	cr_assert_eq(proto_parse_error(p.data + 5, p.len - 5, &f), 0);
	cr_assert_str_eq(f.sqlstate, "42601");
	cr_assert_str_eq(f.detail, "d");
	pkt_free(&p);
}

/* ------------------------------------------------------------- arrays */

Test(types, arrays_binary_from_stored_literal)
{
	ENC_BIN("'{1,2,NULL}'", 1007,
		"\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x17\x00\x00\x00\x03\x00\x00\x00\x01"
		"\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x02\xff\xff\xff\xff");
	ENC_BIN("'{}'", 1009, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x19");
	ENC_BIN("'{a, \"b c\" ,\"NULL\",\"x\\\"y\"}'", 1003,
		"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x13\x00\x00\x00\x04\x00\x00\x00\x01"
		"\x00\x00\x00\x01"
		"a"
		"\x00\x00\x00\x03"
		"b c"
		"\x00\x00\x00\x04"
		"NULL"
		"\x00\x00\x00\x03"
		"x\"y");
	ENC_BIN("'{1259}'", 1028,
		"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00\x01\x00\x00\x00\x01"
		"\x00\x00\x00\x04\x00\x00\x04\xeb");
	ENC_TEXT("'{a,b}'", 1009, "{a,b}");
	expect_enc_err("'{a'", 1009, 1, "22P02", "malformed array literal: \"{a\"");
	expect_enc_err("'{1,x}'", 1007, 1, "22P02", "invalid input syntax for type integer: \"x\"");
	expect_enc_err("'{{1},{2}}'", 1007, 1, "0A000",
		       "multidimensional arrays are not supported");
}

Test(types, arrays_bind)
{
	/* asyncpg's introspection: ti.oid = any($1::oid[]) with a binary oid[] */
	BIND_BIN(1028,
		 "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00\x02\x00\x00\x00\x01"
		 "\x00\x00\x00\x04\x00\x00\x04\xeb\x00\x00\x00\x04\x00\x00\x0a\x37",
		 "'{1259,2615}'");
	BIND_BIN(1009,
		 "\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x19\x00\x00\x00\x03\x00\x00\x00\x01"
		 "\x00\x00\x00\x03"
		 "a b"
		 "\xff\xff\xff\xff"
		 "\x00\x00\x00\x00",
		 "'{\"a b\",NULL,\"\"}'");
	BIND_BIN(1009, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x19", "'{}'");
	BIND_BIN_ERR(
	    1007,
	    "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x19\x00\x00\x00\x00\x00\x00\x00\x01",
	    "42804", "binary data has array element type 25 (text) instead of expected 23 (int4)");
	BIND_BIN_ERR(1007, "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x17\x00\x00\x00\x01",
		     "08P01", "insufficient data left in message");
	BIND_TEXT(1007, "{1,2}", "'{1,2}'");
	BIND_TEXT_ERR(1009, "{a,", "22P02", "malformed array literal: \"{a,\"");
	ECHO_BB(1007, "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x17\x00\x00\x00\x02\x00\x00\x00"
		      "\x01\x00\x00\x00\x04\x00\x00\x00\x07\x00\x00\x00\x04\xff\xff\xff\xf9");
}
