/*
 * catalog_type.c - the built-in PostgreSQL types the catalog knows, with
 * PostgreSQL 15's OIDs: their names both ways (format_type() output,
 * regtype input) and the rows of the pg_type TEMP table.
 * It does not map a column's declared type to an OID (types.c:
 * pgt_oid_from_decltype) nor encode values (types.c), and registers no
 * SQL function itself (catalog_func.c calls in here).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sqlite/catalog_int.h"
#include "sqlite/translate.h"

struct cat_type {
	uint32_t oid;
	const char *name;	/* typname */
	const char *sqlname;	/* format_type() name */
	int16_t len;
	bool byval;
	char category;
	bool preferred;
	uint32_t elem;
	uint32_t array;
	const char *input;	/* typinput; output/receive/send follow its form */
	char align;
	uint32_t collation;
	char typtype;
};

/* The built-in types clients meet, with PostgreSQL 15's OIDs.  Array
 * types are derived from their element's row ("_" + name). */
static const struct cat_type base_types[] = {
	{16, "bool", "boolean", 1, true, 'B', true, 0, 1000, "boolin", 'c', 0, 'b'},
	{17, "bytea", "bytea", -1, false, 'U', false, 0, 1001, "byteain", 'i', 0, 'b'},
	{18, "char", "\"char\"", 1, true, 'Z', false, 0, 1002, "charin", 'c', 0, 'b'},
	{19, "name", "name", 64, false, 'S', false, 18, 1003, "namein", 'c', 950, 'b'},
	{20, "int8", "bigint", 8, true, 'N', false, 0, 1016, "int8in", 'd', 0, 'b'},
	{21, "int2", "smallint", 2, true, 'N', false, 0, 1005, "int2in", 's', 0, 'b'},
	{22, "int2vector", "int2vector", -1, false, 'A', false, 21, 1006, "int2vectorin", 'i', 0,
	 'b'},
	{23, "int4", "integer", 4, true, 'N', false, 0, 1007, "int4in", 'i', 0, 'b'},
	{24, "regproc", "regproc", 4, true, 'N', false, 0, 1008, "regprocin", 'i', 0, 'b'},
	{25, "text", "text", -1, false, 'S', true, 0, 1009, "textin", 'i', 100, 'b'},
	{26, "oid", "oid", 4, true, 'N', true, 0, 1028, "oidin", 'i', 0, 'b'},
	{27, "tid", "tid", 6, false, 'U', false, 0, 1010, "tidin", 's', 0, 'b'},
	{28, "xid", "xid", 4, true, 'U', false, 0, 1011, "xidin", 'i', 0, 'b'},
	{29, "cid", "cid", 4, true, 'U', false, 0, 1012, "cidin", 'i', 0, 'b'},
	{30, "oidvector", "oidvector", -1, false, 'A', false, 26, 1013, "oidvectorin", 'i', 0,
	 'b'},
	{114, "json", "json", -1, false, 'U', false, 0, 199, "json_in", 'i', 0, 'b'},
	{142, "xml", "xml", -1, false, 'U', false, 0, 143, "xml_in", 'i', 0, 'b'},
	{194, "pg_node_tree", "pg_node_tree", -1, false, 'Z', false, 0, 0, "pg_node_tree_in",
	 'i', 100, 'b'},
	{650, "cidr", "cidr", -1, false, 'I', false, 0, 651, "cidr_in", 'i', 0, 'b'},
	{700, "float4", "real", 4, true, 'N', false, 0, 1021, "float4in", 'i', 0, 'b'},
	{701, "float8", "double precision", 8, true, 'N', true, 0, 1022, "float8in", 'd', 0,
	 'b'},
	{705, "unknown", "unknown", -2, false, 'X', false, 0, 0, "unknownin", 'c', 0, 'p'},
	{790, "money", "money", 8, true, 'N', false, 0, 791, "cash_in", 'd', 0, 'b'},
	{829, "macaddr", "macaddr", 6, false, 'U', false, 0, 1040, "macaddr_in", 'i', 0, 'b'},
	{869, "inet", "inet", -1, false, 'I', true, 0, 1041, "inet_in", 'i', 0, 'b'},
	{1033, "aclitem", "aclitem", 12, false, 'U', false, 0, 1034, "aclitemin", 'i', 0, 'b'},
	{1042, "bpchar", "character", -1, false, 'S', false, 0, 1014, "bpcharin", 'i', 100,
	 'b'},
	{1043, "varchar", "character varying", -1, false, 'S', false, 0, 1015, "varcharin", 'i',
	 100, 'b'},
	{1082, "date", "date", 4, true, 'D', false, 0, 1182, "date_in", 'i', 0, 'b'},
	{1083, "time", "time without time zone", 8, true, 'D', false, 0, 1183, "time_in", 'd', 0,
	 'b'},
	{1114, "timestamp", "timestamp without time zone", 8, true, 'D', false, 0, 1115,
	 "timestamp_in", 'd', 0, 'b'},
	{1184, "timestamptz", "timestamp with time zone", 8, true, 'D', true, 0, 1185,
	 "timestamptz_in", 'd', 0, 'b'},
	{1186, "interval", "interval", 16, false, 'T', true, 0, 1187, "interval_in", 'd', 0,
	 'b'},
	{1266, "timetz", "time with time zone", 12, false, 'D', false, 0, 1270, "timetz_in", 'd',
	 0, 'b'},
	{1560, "bit", "bit", -1, false, 'V', false, 0, 1561, "bit_in", 'i', 0, 'b'},
	{1562, "varbit", "bit varying", -1, false, 'V', true, 0, 1563, "varbit_in", 'i', 0, 'b'},
	{1700, "numeric", "numeric", -1, false, 'N', false, 0, 1231, "numeric_in", 'i', 0, 'b'},
	{2205, "regclass", "regclass", 4, true, 'N', false, 0, 2210, "regclassin", 'i', 0, 'b'},
	{2206, "regtype", "regtype", 4, true, 'N', false, 0, 2211, "regtypein", 'i', 0, 'b'},
	{2249, "record", "record", -1, false, 'P', false, 0, 2287, "record_in", 'd', 0, 'p'},
	{2278, "void", "void", 4, true, 'P', false, 0, 0, "void_in", 'i', 0, 'p'},
	{2950, "uuid", "uuid", 16, false, 'U', false, 0, 2951, "uuid_in", 'c', 0, 'b'},
	{3802, "jsonb", "jsonb", -1, false, 'U', false, 0, 3807, "jsonb_in", 'i', 0, 'b'},
	{4089, "regnamespace", "regnamespace", 4, true, 'N', false, 0, 4090, "regnamespacein",
	 'i', 0, 'b'},
	{4096, "regrole", "regrole", 4, true, 'N', false, 0, 4097, "regrolein", 'i', 0, 'b'},
};

#define N_BASE_TYPES (sizeof base_types / sizeof base_types[0])

static const struct cat_type *base_type(uint32_t oid)
{
	for (size_t i = 0; i < N_BASE_TYPES; i++)
		if (base_types[i].oid == oid)
			return &base_types[i];
	return NULL;
}

/* The element type whose array type is oid, or NULL. */
static const struct cat_type *array_elem(uint32_t oid)
{
	for (size_t i = 0; i < N_BASE_TYPES; i++)
		if (base_types[i].array == oid && oid)
			return &base_types[i];
	return NULL;
}

static const struct cat_type *type_by_name(const char *name)
{
	for (size_t i = 0; i < N_BASE_TYPES; i++)
		if (!strcasecmp(base_types[i].name, name) ||
		    !strcasecmp(base_types[i].sqlname, name))
			return &base_types[i];
	return NULL;
}

/* format_type(oid, typmod) into buf; false for an unknown type. */
bool cat_type_format(uint32_t oid, int typmod, char *buf, size_t n)
{
	const struct cat_type *t = base_type(oid), *e;
	const char *suffix = "";

	if (!t && (e = array_elem(oid))) {
		t = e;
		suffix = "[]";
	}
	if (!t)
		return false;
	if (typmod >= 0) {
		switch (t->oid) {
		case 1042:
		case 1043:
			if (typmod >= 4) {
				snprintf(buf, n, "%s(%d)%s", t->sqlname, typmod - 4, suffix);
				return true;
			}
			break;
		case 1700:
			if (typmod >= 4) {
				snprintf(buf, n, "numeric(%d,%d)%s", ((typmod - 4) >> 16) & 0xffff,
					 (typmod - 4) & 0xffff, suffix);
				return true;
			}
			break;
		case 1083:
		case 1114:
		case 1184:
		case 1266: {
			/* "timestamp(3) without time zone" */
			const char *sp = strchr(t->sqlname, ' ');
			int w = sp ? (int)(sp - t->sqlname) : (int)strlen(t->sqlname);

			snprintf(buf, n, "%.*s(%d)%s%s", w, t->sqlname, typmod, sp ? sp : "",
				 suffix);
			return true;
		}
		default:
			break;
		}
	}
	if (oid == 1042 && typmod < 0)
		snprintf(buf, n, "bpchar%s", suffix);
	else
		snprintf(buf, n, "%s%s", t->sqlname, suffix);
	return true;
}

/*
 * regtype input: a typname ('int4'), a SQL name ('integer'), a built-in
 * type's array ('text[]'), or another spelling the translator knows
 * ('int', 'character varying(20)').  0 when none of these.
 */
uint32_t cat_type_input(const char *s)
{
	const struct cat_type *t;
	char name[64];
	size_t n;

	snprintf(name, sizeof name, "%s", s);
	n = strlen(name);
	if (n > 2 && !strcmp(name + n - 2, "[]")) {
		name[n - 2] = '\0';
		t = type_by_name(name);
		return t ? t->array : 0;
	}
	t = type_by_name(name);
	return t ? t->oid : sqlt_type_oid(name);
}

/* The regproc names of a type's I/O functions, from its input's form. */
static void io_name(const char *input, const char *what, char *buf, size_t n)
{
	size_t len = strlen(input);

	if (len > 3 && !strcmp(input + len - 3, "_in"))
		snprintf(buf, n, "%.*s_%s", (int)(len - 3), input, what);
	else
		snprintf(buf, n, "%.*s%s", (int)(len - 2), input, what);
}

static int insert_type(sqlite3_stmt *st, const struct cat_type *t, bool array)
{
	char out[64], recv[64], send[64];
	const char *input = array ? "array_in" : t->input;
	char name[72];
	int k = 1;

	io_name(input, "out", out, sizeof out);
	io_name(input, "recv", recv, sizeof recv);
	io_name(input, "send", send, sizeof send);
	snprintf(name, sizeof name, "%s%s", array ? "_" : "", t->name);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, k++, array ? t->array : t->oid);
	sqlite3_bind_text(st, k++, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, k++, 11);
	sqlite3_bind_int(st, k++, 10);
	sqlite3_bind_int(st, k++, array ? -1 : t->len);
	sqlite3_bind_int(st, k++, array ? 0 : t->byval);
	sqlite3_bind_text(st, k++, array ? "b" : (char[]){t->typtype, 0}, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, array ? "A" : (char[]){t->category, 0}, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, k++, array ? 0 : t->preferred);
	sqlite3_bind_int(st, k++, 1);
	sqlite3_bind_text(st, k++, ",", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_text(st, k++,
			  array || t->elem ? (t->len == -1 || array ? "array_subscript_handler"
								  : "raw_array_subscript_handler")
					   : "-",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, k++, array ? t->oid : t->elem);
	sqlite3_bind_int64(st, k++, array ? 0 : t->array);
	sqlite3_bind_text(st, k++, input, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, out, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, recv, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, send, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, array ? "array_typanalyze" : "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k++, array && t->align == 'd' ? "d" : array ? "i"
							  : (char[]){t->align, 0},
			  -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k++, array || t->len == -1 ? "x" : "p", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_int(st, k++, -1);
	sqlite3_bind_int(st, k++, 0);
	sqlite3_bind_int64(st, k++, t->collation);
	sqlite3_bind_null(st, k++);
	sqlite3_bind_null(st, k++);
	sqlite3_bind_null(st, k++);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

int cat_type_fill(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO temp.pg_type VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < N_BASE_TYPES; i++) {
		if (insert_type(st, &base_types[i], false) < 0)
			goto fail;
		if (base_types[i].array && insert_type(st, &base_types[i], true) < 0)
			goto fail;
	}
	rc = 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

