/*
 * translate_type.c - PostgreSQL type names: their OIDs (sqlt_type_oid(),
 * shared with describe.c), a type name read from the token stream
 * (double precision, varchar(10), timestamp with time zone, int[]), and
 * what a cast to each becomes in SQLite (a CAST to an affinity or a pgpin_
 * function).  Writing the cast out is translate_expr.c's; column types in
 * CREATE TABLE are translate_ddl.c's.
 */
#include "sqlite/translate_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct type_name {
	const char *name;
	unsigned oid;
};

static const struct type_name type_names[] = {
	{"int2", 21},
	{"smallint", 21},
	{"int", 23},
	{"int4", 23},
	{"integer", 23},
	{"int8", 20},
	{"bigint", 20},
	{"serial", 23},
	{"serial4", 23},
	{"bigserial", 20},
	{"serial8", 20},
	{"smallserial", 21},
	{"serial2", 21},
	{"text", 25},
	{"varchar", 1043},
	{"character varying", 1043},
	{"char varying", 1043},
	{"char", 1042},
	{"character", 1042},
	{"bpchar", 1042},
	{"name", 19},
	{"bool", 16},
	{"boolean", 16},
	{"bytea", 17},
	{"float4", 700},
	{"real", 700},
	{"float8", 701},
	{"double precision", 701},
	{"float", 701},
	{"numeric", 1700},
	{"decimal", 1700},
	{"timestamp", 1114},
	{"timestamp without time zone", 1114},
	{"timestamptz", 1184},
	{"timestamp with time zone", 1184},
	{"date", 1082},
	{"time", 1083},
	{"time without time zone", 1083},
	{"interval", 1186},
	{"oid", 26},
	{"regclass", 2205},
	{"regtype", 2206},
	{"regproc", 24},
	{"json", 114},
	{"jsonb", 3802},
	{"uuid", 2950},
};

unsigned sqlt_type_oid(const char *name)
{
	char buf[96];
	size_t o = 0;
	int depth = 0;
	const char *p = name;

	if (name == NULL)
		return 0;
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "pg_catalog.", 11) == 0)
		p += 11;
	/* Fold case, collapse spaces, drop (modifiers) and quotes. */
	for (; *p != '\0' && o + 1 < sizeof(buf); p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '(') {
			depth++;
			continue;
		}
		if (c == ')') {
			depth--;
			continue;
		}
		if (depth > 0 || c == '"')
			continue;
		if (isspace(c)) {
			if (o > 0 && buf[o - 1] != ' ')
				buf[o++] = ' ';
			continue;
		}
		buf[o++] = (char)tolower(c);
	}
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
	/* "timestamp(3) with time zone" leaves a double-space-free "timestamp with time zone" */
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(buf, type_names[i].name) == 0)
			return type_names[i].oid;
	return 0;
}

/*
 * Parse a type name starting at token i: one or more words (double
 * precision, character varying, timestamp with time zone...), an optional
 * (modifier list), optional [] / ARRAY.  Returns false if there is no name.
 */
bool sqlt_parse_type(const struct sqlt_tr *tr, size_t i, size_t b, struct sqlt_ptype *pt)
{
	static const char *const second[][2] = {
		{"double", "precision"}, {"character", "varying"}, {"char", "varying"},
		{"bit", "varying"},	 {"national", "character"},
	};
	size_t j;
	char w[64];

	memset(pt, 0, sizeof(*pt));
	if (!sqlt_is_name(tr, i, b))
		return false;
	pt->a = i;
	sqlt_ident(tr, i, pt->name, sizeof(pt->name));
	j = sqlt_nxt(tr, i, b);
	for (size_t k = 0; k < sizeof(second) / sizeof(second[0]); k++)
		if (strcmp(pt->name, second[k][0]) == 0 && sqlt_kw(tr, j, b, second[k][1])) {
			snprintf(pt->name + strlen(pt->name), sizeof(pt->name) - strlen(pt->name),
				 " %s", second[k][1]);
			i = j;
			j = sqlt_nxt(tr, i, b);
			break;
		}
	if (sqlt_is(tr, j, b, "(")) {
		size_t c = sqlt_mpar(tr, j, b);
		if (c < b) {
			i = c;
			j = sqlt_nxt(tr, i, b);
		}
	}
	if ((strcmp(pt->name, "timestamp") == 0 || strcmp(pt->name, "time") == 0) &&
	    (sqlt_kw(tr, j, b, "with") || sqlt_kw(tr, j, b, "without")) &&
	    sqlt_kw(tr, sqlt_nxt(tr, j, b), b, "time") &&
	    sqlt_kw(tr, sqlt_nxt(tr, sqlt_nxt(tr, j, b), b), b, "zone")) {
		sqlt_ident(tr, j, w, sizeof(w));
		snprintf(pt->name + strlen(pt->name), sizeof(pt->name) - strlen(pt->name),
			 " %s time zone", w);
		i = sqlt_nxt(tr, sqlt_nxt(tr, j, b), b);
		j = sqlt_nxt(tr, i, b);
	}
	while (sqlt_is(tr, j, b, "[") || sqlt_kw(tr, j, b, "array")) {
		pt->array = true;
		i = sqlt_is(tr, j, b, "[") ? sqlt_mpar(tr, j, b) : j;
		if (i >= b)
			return false;
		j = sqlt_nxt(tr, i, b);
	}
	pt->e = i + 1;
	return true;
}

/* How a cast to pt is written in SQLite: CAST(x AS *out) or *out(x). */
enum sqlt_cast_how sqlt_cast_target(const struct sqlt_ptype *pt, const char **out)
{
	unsigned oid = pt->array ? 0 : sqlt_type_oid(pt->name);

	switch (oid) {
	case 20: case 21: case 23: case 26: case 24:
		*out = "INTEGER";
		return SQLT_CAST_AS;
	case 700: case 701:
		*out = "REAL";
		return SQLT_CAST_AS;
	case 1700:
		*out = "NUMERIC";
		return SQLT_CAST_AS;
	case 25: case 1043: case 1042: case 19: case 2950: case 114: case 3802:
	case 1114: case 1184: case 1082: case 1083: case 1186:
		*out = "TEXT";
		return SQLT_CAST_AS;
	case 17:
		*out = "BLOB";
		return SQLT_CAST_AS;
	case 16:
		*out = "pgpin_bool";
		return SQLT_CAST_FUNC;
	case 2205:
		*out = "pgpin_regclass";
		return SQLT_CAST_FUNC;
	case 2206:
		*out = "pgpin_regtype";
		return SQLT_CAST_FUNC;
	default:
		return SQLT_CAST_ERROR;
	}
}
