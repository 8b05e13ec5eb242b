/*
 * types_oid.c - the type OIDs the SQLite backend knows: PostgreSQL's name,
 * typlen and whether a binary format is defined for each, and the OID a
 * SQLite declared column type maps to (PostgreSQL's spellings first, then
 * SQLite's affinity rules).  Conversion of values is types.c's business.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "sqlite/types.h"

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
