/*
 * types.h - PostgreSQL values <-> SQLite values.
 *
 * Binding: a Bind parameter (type OID, text or binary format, bytes) is
 * checked and bound to a sqlite3_stmt as the SQLite value that behaves
 * like the PostgreSQL one: integers as int64, bool as 0/1, bytea as a
 * blob, float as double, timestamps and dates as ISO text, numeric as text
 * (or int64/double when exact), text as text.  Bad input fails with the
 * SQLSTATE PostgreSQL uses (22P02 invalid_text_representation, 22003
 * numeric_value_out_of_range, 22021 character_not_in_repertoire for NUL
 * or bad UTF-8 in text, 08P01 for a binary value of the wrong length).
 *
 * Encoding: a result column value is written as a DataRow field in the
 * format the client asked for, for the OID announced in RowDescription,
 * whatever SQLite storage class holds it (an integer announced as text is
 * printed; a text announced as int8 is parsed, or 22P02).  Text output
 * follows PostgreSQL's: bool t/f, bytea \x hex, float shortest round-trip
 * (Infinity, NaN), timestamps "YYYY-MM-DD HH:MM:SS[.ffffff][+00]".
 * Binary output: int2/4/8 and oid big-endian, float4/8 IEEE, bool one
 * byte, bytea/text/name/varchar/json raw, jsonb version 1, numeric in
 * PostgreSQL's base-10000 format, timestamp(tz) int64 microseconds and
 * date int32 days since 2000-01-01, uuid 16 bytes.
 *
 * Choices where PostgreSQL has no equivalent situation:
 *  - a REAL announced as int2/int4/int8/oid is rounded as PostgreSQL's
 *    float8 -> integer casts round (rint: half to even), then range
 *    checked (22003 "integer out of range");
 *  - date/time values are stored as text: timestamp "YYYY-MM-DD
 *    HH:MM:SS[.ffffff]", timestamptz the same in UTC plus "+00", date
 *    "YYYY-MM-DD", time "HH:MM:SS[.ffffff]" (fraction without trailing
 *    zeros, so text order is time order); "infinity"/"-infinity" as such.
 *    Encoding also reads SQLite's CURRENT_TIMESTAMP text, the 'T'
 *    separator with Z or +hh:mm, and an INTEGER/REAL unix epoch;
 *  - a float NaN is bound as the text 'NaN' (SQLite turns a bound NaN
 *    into NULL); numeric binds as int64 when whole, as a double up to 15
 *    significant digits, else as its text;
 *  - the one-dimensional arrays of types.h (text[], int4[], int2[], oid[],
 *    name[], "char"[]) are stored as PostgreSQL's text literal "{a,b}";
 *    binary Bind and binary output convert to and from array_send's form;
 *  - interval has no binary form here (0A000 if asked); jsonb text is
 *    sent as stored, not re-normalised as PostgreSQL would print it;
 *    bpchar is not blank-padded.
 * pgt_typlen(OID_UNKNOWN) is -2, as PostgreSQL's pg_type says.
 */
#ifndef PGPIN_SQLITE_TYPES_H
#define PGPIN_SQLITE_TYPES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum {
	OID_BOOL = 16, OID_BYTEA = 17, OID_CHAR = 18, OID_NAME = 19, OID_INT8 = 20,
	OID_INT2 = 21, OID_INT4 = 23, OID_REGPROC = 24, OID_TEXT = 25, OID_OID = 26,
	OID_JSON = 114, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_UNKNOWN = 705,
	OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_DATE = 1082, OID_TIME = 1083,
	OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_INTERVAL = 1186,
	OID_NUMERIC = 1700, OID_REGCLASS = 2205, OID_UUID = 2950, OID_JSONB = 3802,
	OID_TEXT_ARRAY = 1009, OID_INT4_ARRAY = 1007, OID_INT2_ARRAY = 1005,
	OID_OID_ARRAY = 1028, OID_NAME_ARRAY = 1003, OID_CHAR_ARRAY = 1002,
	OID_REGTYPE = 2206,
};

struct pgt_error {
	char sqlstate[6];
	char message[256];
};

/* OID for a SQLite declared column type (as written in CREATE TABLE:
 * "INTEGER", "BIGINT", "varchar(20)", "BLOB", "BOOLEAN", "TIMESTAMP",
 * "double precision", ...); 0 for NULL, "" or unknown. */
uint32_t pgt_oid_from_decltype(const char *decltype);
/* PostgreSQL's type name for an OID ("int4"), "unknown" if not known. */
const char *pgt_type_name(uint32_t oid);
/* typlen for RowDescription: 1, 2, 4, 8, 16, 64 (name) or -1. */
int16_t pgt_typlen(uint32_t oid);
/* The format the stdlib drivers prefer: true if binary is defined for oid. */
bool pgt_has_binary(uint32_t oid);

/*
 * Bind parameter idx (1-based) of st.  len -1 is NULL.  oid 0 or 705 is
 * treated as text.  Returns 0, or -1 with err filled.
 */
int pgt_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t format, const uint8_t *val,
	     int32_t len, struct pgt_error *err);

/*
 * Append column col of st's current row to p as a DataRow field (int32
 * length, -1 for NULL, then the bytes).  Returns 0, or -1 with err filled
 * (a value that cannot be represented as oid).
 */
int pgt_encode(struct pkt *p, sqlite3_stmt *st, int col, uint32_t oid, int16_t format,
	       struct pgt_error *err);

/* Same for a plain C string value (text of a synthesized row); NULL -> SQL NULL. */
int pgt_encode_text(struct pkt *p, const char *value, uint32_t oid, int16_t format,
		    struct pgt_error *err);

/*
 * Convert a text-format value of type oid to the text SQLite should
 * store (used by COPY FROM): for bool "t"/"f" -> integer, bytea "\x.." ->
 * blob, integers checked.  Binds it as parameter idx of st.  Same return
 * as pgt_bind.
 */
static inline int pgt_bind_text(sqlite3_stmt *st, int idx, uint32_t oid, const char *val,
				int32_t len, struct pgt_error *err)
{
	return pgt_bind(st, idx, oid, 0, (const uint8_t *)val, len, err);
}

#endif
