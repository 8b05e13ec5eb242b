/*
 * describe_types.c - PostgreSQL's type rules, as far as describe needs
 * them: the numeric ranking, array and element types, the type two
 * branches resolve to, the result of arithmetic, a numeric literal's type,
 * type names after :: and CAST, and the built-in functions (their result
 * types and the types their untyped parameter arguments take).
 * Pure functions of OIDs and names; reading statements is left to
 * describe_expr.c and describe_query.c.
 */
#include <string.h>

#include "sqlite/describe_int.h"
#include "sqlite/translate.h"

/* The rank of a numeric type (int2 1 ... float8 6), 0 for the others. */
int desc_num_rank(uint32_t o)
{
	switch (o) {
	case T_INT2:
		return 1;
	case T_INT4:
		return 2;
	case T_INT8:
		return 3;
	case T_NUMERIC:
		return 4;
	case T_FLOAT4:
		return 5;
	case T_FLOAT8:
		return 6;
	}
	return 0;
}

static bool is_texty(uint32_t o)
{
	return o == T_TEXT || o == T_VARCHAR || o == T_BPCHAR || o == T_NAME;
}

static const struct {
	uint32_t elem, array;
} arrays[] = {
    {T_BOOL, 1000},	   {T_BYTEA, 1001},	{T_CHAR, 1002},	   {T_NAME, 1003},
    {T_INT2, 1005},	   {T_INT4, 1007},	{T_TEXT, 1009},	   {T_BPCHAR, 1014},
    {T_VARCHAR, 1015},	   {T_INT8, 1016},	{T_FLOAT4, 1021},  {T_FLOAT8, 1022},
    {T_OID, 1028},	   {T_TIMESTAMP, 1115}, {T_DATE, 1182},	   {T_TIME, 1183},
    {T_TIMESTAMPTZ, 1185}, {T_INTERVAL, 1187},	{T_NUMERIC, 1231}, {T_UUID, 2951},
    {T_JSON, 199},	   {T_JSONB, 3807},
};

uint32_t desc_array_of(uint32_t e)
{
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (arrays[i].elem == e)
			return arrays[i].array;
	return 0;
}

uint32_t desc_elem_of(uint32_t a)
{
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (arrays[i].array == a)
			return arrays[i].elem;
	return 0;
}

/* PostgreSQL's internal name of a type, which FigureColname() gives a
 * cast ("x::integer" is named "int4"). */
static const char *oid_name(uint32_t oid)
{
	static const struct {
		uint32_t oid;
		const char *name;
	} names[] = {
	    {T_BOOL, "bool"},	      {T_BYTEA, "bytea"},	  {T_CHAR, "char"},
	    {T_NAME, "name"},	      {T_INT8, "int8"},		  {T_INT2, "int2"},
	    {T_INT4, "int4"},	      {T_TEXT, "text"},		  {T_OID, "oid"},
	    {T_JSON, "json"},	      {T_FLOAT4, "float4"},	  {T_FLOAT8, "float8"},
	    {T_BPCHAR, "bpchar"},     {T_VARCHAR, "varchar"},	  {T_DATE, "date"},
	    {T_TIME, "time"},	      {T_TIMESTAMP, "timestamp"}, {T_TIMESTAMPTZ, "timestamptz"},
	    {T_INTERVAL, "interval"}, {T_TIMETZ, "timetz"},	  {T_BIT, "bit"},
	    {T_NUMERIC, "numeric"},   {T_REGCLASS, "regclass"},	  {T_REGTYPE, "regtype"},
	    {24, "regproc"},	      {T_UUID, "uuid"},		  {T_JSONB, "jsonb"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].oid == oid)
			return names[i].name;
	return NULL;
}

/* The type two branches of a UNION, CASE or COALESCE resolve to. */
uint32_t desc_common_type(uint32_t a, uint32_t b)
{
	int ra = desc_num_rank(a), rb = desc_num_rank(b);

	if (a == 0 || a == T_UNKNOWN)
		return b != 0 ? b : a;
	if (b == 0 || b == T_UNKNOWN || a == b)
		return a;
	if (ra && rb)
		return ra >= rb ? a : b;
	if (is_texty(a) && is_texty(b))
		return T_TEXT;
	if ((a == T_TIMESTAMPTZ && (b == T_TIMESTAMP || b == T_DATE)) ||
	    (b == T_TIMESTAMPTZ && (a == T_TIMESTAMP || a == T_DATE)))
		return T_TIMESTAMPTZ;
	if ((a == T_TIMESTAMP && b == T_DATE) || (b == T_TIMESTAMP && a == T_DATE))
		return T_TIMESTAMP;
	return a;
}

/* Result of + - * / % between two typed operands. */
uint32_t desc_arith_type(char o, uint32_t a, uint32_t b)
{
	bool ts_a = a == T_TIMESTAMP || a == T_TIMESTAMPTZ,
	     ts_b = b == T_TIMESTAMP || b == T_TIMESTAMPTZ;
	int ra, rb;

	if (a == T_UNKNOWN)
		a = b;
	if (b == T_UNKNOWN)
		b = a;
	if (a == 0 || b == 0 || a == T_UNKNOWN)
		return 0;
	ra = desc_num_rank(a);
	rb = desc_num_rank(b);
	if (ra && rb) {
		/* float4 with anything else resolves to the float8 operator */
		if (a == T_FLOAT4 || b == T_FLOAT4)
			return a == b ? T_FLOAT4 : T_FLOAT8;
		return ra >= rb ? a : b;
	}
	if (a == T_DATE && rb && rb <= 3 && (o == '+' || o == '-'))
		return T_DATE;
	if (ra && ra <= 3 && b == T_DATE && o == '+')
		return T_DATE;
	if (a == T_DATE && b == T_DATE && o == '-')
		return T_INT4;
	if ((a == T_DATE && (b == T_INTERVAL || b == T_TIME)) || (b == T_DATE && a == T_INTERVAL))
		return T_TIMESTAMP;
	if (ts_a && b == T_INTERVAL)
		return a;
	if (ts_b && a == T_INTERVAL && o == '+')
		return b;
	if ((ts_a && ts_b) || (a == T_TIME && b == T_TIME))
		return o == '-' ? T_INTERVAL : 0;
	if (a == T_TIME && b == T_INTERVAL)
		return T_TIME;
	if (a == T_INTERVAL && (rb || b == T_INTERVAL))
		return T_INTERVAL;
	if (ra && b == T_INTERVAL && o == '*')
		return T_INTERVAL;
	return a == b ? a : 0;
}

/* The type an untyped parameter takes opposite `other` in "x op $n":
 * PostgreSQL first tries the operator with both sides of other's type. */
uint32_t desc_arith_param(char o, uint32_t other)
{
	if (desc_num_rank(other))
		return other;
	if (other == T_INTERVAL)
		return T_INTERVAL;
	if (other == T_TIMESTAMP || other == T_TIMESTAMPTZ || other == T_TIME || other == T_DATE)
		return o == '-' ? other : o == '+' && other != T_DATE ? T_INTERVAL : 0;
	return 0;
}

uint32_t desc_number_type(const struct cx *c, size_t p, bool neg)
{
	const struct lex_token *t = tok(c, p);
	const char *s = c->toks.src + t->pos;
	unsigned long long v = 0, base = 10;
	unsigned long long lim4 = neg ? 2147483648ULL : 2147483647ULL;
	unsigned long long lim8 = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
	size_t i = 0;

	if (t->len > 2 && s[0] == '0' && strchr("xXoObB", s[1]) != NULL) {
		base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
		i = 2;
	} else {
		for (size_t k = 0; k < t->len; k++)
			if (s[k] == '.' || s[k] == 'e' || s[k] == 'E')
				return T_NUMERIC;
	}
	for (; i < t->len; i++) {
		unsigned long long d;
		char ch = s[i];
		if (ch == '_')
			continue;
		d = (ch >= '0' && ch <= '9')   ? (unsigned)(ch - '0')
		    : (ch >= 'a' && ch <= 'f') ? (unsigned)(ch - 'a' + 10)
					       : (unsigned)(ch - 'A' + 10);
		if (v > (lim8 - d) / base)
			return T_NUMERIC;
		v = v * base + d;
	}
	return v <= lim4 ? T_INT4 : T_INT8;
}

/*
 * A type name at *pp, as after "::" or CAST(x AS: one or more words
 * (double precision, character varying, timestamp with time zone), an
 * optional schema, modifiers and array bounds.  Returns its OID (0 if
 * unknown) and the name PostgreSQL gives a cast to it; *pp is left after
 * it (unchanged when there is no type name).
 */
uint32_t desc_read_type(const struct cx *c, size_t *pp, size_t end, char *name)
{
	char buf[128], w[DESC_NAME_MAX];
	size_t p = *pp, bl;
	bool quoted_char = false;
	int dims = 0;
	uint32_t oid;
	const char *in;

	if (!is_name(c, p, end))
		return 0;
	while (op(c, p + 1, end, ".") && is_name(c, p + 2, end))
		p += 2;
	desc_ident(c, p, w);
	quoted_char = kind_at(c, p, end) == LX_QIDENT && strcmp(w, "char") == 0;
	desc_set_str(buf, sizeof(buf), w);
	desc_set_str(name, DESC_NAME_MAX, w);
	p++;
	if (kind_at(c, p - 1, end) == LX_WORD) {
		if (strcmp(w, "national") == 0 &&
		    (kw(c, p, end, "character") || kw(c, p, end, "char"))) {
			desc_set_str(buf, sizeof(buf), "character");
			p++;
		}
		if (strcmp(w, "double") == 0 && kw(c, p, end, "precision")) {
			desc_set_str(buf, sizeof(buf), "double precision");
			p++;
		} else if ((strcmp(w, "character") == 0 || strcmp(w, "char") == 0 ||
			    strcmp(w, "national") == 0 || strcmp(w, "bit") == 0) &&
			   kw(c, p, end, "varying")) {
			bl = strlen(buf);
			desc_set_str(buf + bl, sizeof(buf) - bl, " varying");
			p++;
		} else if (strcmp(w, "timestamp") == 0 || strcmp(w, "time") == 0) {
			if (op(c, p, end, "("))
				p = past(c, p, end);
			if ((kw(c, p, end, "with") || kw(c, p, end, "without")) &&
			    kw(c, p + 1, end, "time") && kw(c, p + 2, end, "zone")) {
				bl = strlen(buf);
				desc_set_str(buf + bl, sizeof(buf) - bl,
					     kw(c, p, end, "with") ? " with time zone"
								   : " without time zone");
				p += 3;
			}
		}
	}
	if (op(c, p, end, "("))
		p = past(c, p, end); /* modifiers: sqlt_type_oid ignores them anyway */
	for (;;) {
		if (op(c, p, end, "[")) {
			p = past(c, p, end);
			dims++;
		} else if (kw(c, p, end, "array")) {
			p++;
			if (op(c, p, end, "["))
				p = past(c, p, end);
			dims++;
		} else {
			break;
		}
	}
	if (quoted_char)
		oid = T_CHAR;
	else if (strcmp(buf, "time with time zone") == 0)
		oid = T_TIMETZ;
	else
		oid = sqlt_type_oid(buf);
	in = oid_name(oid);
	if (in != NULL)
		desc_set_str(name, DESC_NAME_MAX, in);
	if (dims > 0)
		oid = desc_array_of(oid);
	*pp = p;
	return oid;
}

enum fn_rule {
	FR_FIXED,    /* oid */
	FR_ARG0,     /* the first argument's type (max, abs, lag...) */
	FR_SUM,	     /* sum(int2/int4) int8, sum(int8) numeric, else the argument's */
	FR_AVG,	     /* avg(int) numeric, avg(float) float8 */
	FR_ROUND,    /* round/ceil/floor(numeric) numeric, of any other number float8 */
	FR_FLOATNUM, /* sqrt, exp, power...: numeric if an argument is, else float8 */
	FR_ARRAY,    /* array_agg: array of the argument */
	FR_ELEM,     /* unnest: element of the argument */
	FR_STRAGG,   /* string_agg: bytea for bytea, else text */
	FR_COMMON,   /* coalesce, greatest, least: the arguments' common type */
	FR_NULLIF,   /* the first argument's, parameters take the common type */
	FR_TRUNC_TS, /* date_trunc: the timestamp/interval argument's type */
	FR_MOD,	     /* mod/div: arithmetic on both arguments */
};

struct fninfo {
	const char *name;
	enum fn_rule rule;
	uint32_t oid;
	uint32_t args[4]; /* parameter types by position, 0 = unknown */
	bool sqlsyntax;	  /* SQL-standard argument keywords (FROM, FOR, IN, PLACING) */
};

static const struct fninfo functions[] = {
    {"count", FR_FIXED, T_INT8, {0}, false},
    {"max", FR_ARG0, 0, {0}, false},
    {"min", FR_ARG0, 0, {0}, false},
    {"sum", FR_SUM, 0, {0}, false},
    {"avg", FR_AVG, 0, {0}, false},
    {"string_agg", FR_STRAGG, T_TEXT, {0, T_TEXT}, false},
    {"array_agg", FR_ARRAY, 0, {0}, false},
    {"bool_and", FR_FIXED, T_BOOL, {T_BOOL}, false},
    {"bool_or", FR_FIXED, T_BOOL, {T_BOOL}, false},
    {"every", FR_FIXED, T_BOOL, {T_BOOL}, false},
    {"length", FR_FIXED, T_INT4, {T_TEXT}, false},
    {"char_length", FR_FIXED, T_INT4, {T_TEXT}, false},
    {"character_length", FR_FIXED, T_INT4, {T_TEXT}, false},
    {"octet_length", FR_FIXED, T_INT4, {T_TEXT}, false},
    {"bit_length", FR_FIXED, T_INT4, {T_TEXT}, false},
    {"strpos", FR_FIXED, T_INT4, {T_TEXT, T_TEXT}, false},
    {"position", FR_FIXED, T_INT4, {T_TEXT, T_TEXT}, true},
    {"ascii", FR_FIXED, T_INT4, {T_TEXT}, false},
    {"lower", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"upper", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"initcap", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"reverse", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"md5", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"btrim", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT}, false},
    {"ltrim", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT}, false},
    {"rtrim", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT}, false},
    {"trim", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT}, true},
    {"substr", FR_FIXED, T_TEXT, {T_TEXT, T_INT4, T_INT4}, false},
    /* untyped arguments pick the SQL regular expression form (text, text, text) */
    {"substring", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT, T_TEXT}, true},
    {"overlay", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT, T_INT4, T_INT4}, true},
    {"replace", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT, T_TEXT}, false},
    {"translate", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT, T_TEXT}, false},
    {"regexp_replace", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT, T_TEXT, T_TEXT}, false},
    {"concat", FR_FIXED, T_TEXT, {0}, false},
    {"concat_ws", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"format", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"left", FR_FIXED, T_TEXT, {T_TEXT, T_INT4}, false},
    {"right", FR_FIXED, T_TEXT, {T_TEXT, T_INT4}, false},
    {"repeat", FR_FIXED, T_TEXT, {T_TEXT, T_INT4}, false},
    {"lpad", FR_FIXED, T_TEXT, {T_TEXT, T_INT4, T_TEXT}, false},
    {"rpad", FR_FIXED, T_TEXT, {T_TEXT, T_INT4, T_TEXT}, false},
    {"split_part", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT, T_INT4}, false},
    {"to_char", FR_FIXED, T_TEXT, {0, T_TEXT}, false},
    {"quote_ident", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"quote_literal", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"quote_nullable", FR_FIXED, T_TEXT, {T_TEXT}, false},
    {"chr", FR_FIXED, T_TEXT, {T_INT4}, false},
    {"encode", FR_FIXED, T_TEXT, {T_BYTEA, T_TEXT}, false},
    {"decode", FR_FIXED, T_BYTEA, {T_TEXT, T_TEXT}, false},
    {"string_to_array", FR_FIXED, T_TEXT_ARRAY, {T_TEXT, T_TEXT, T_TEXT}, false},
    {"array_to_string", FR_FIXED, T_TEXT, {0, T_TEXT, T_TEXT}, false},
    {"version", FR_FIXED, T_TEXT, {0}, false},
    {"current_setting", FR_FIXED, T_TEXT, {T_TEXT, T_BOOL}, false},
    {"set_config", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT, T_BOOL}, false},
    {"format_type", FR_FIXED, T_TEXT, {T_OID, T_INT4}, false},
    {"pg_get_userbyid", FR_FIXED, T_NAME, {T_OID}, false},
    {"pg_encoding_to_char", FR_FIXED, T_NAME, {T_INT4}, false},
    {"obj_description", FR_FIXED, T_TEXT, {T_OID, T_NAME}, false},
    {"col_description", FR_FIXED, T_TEXT, {T_OID, T_INT4}, false},
    {"pg_get_expr", FR_FIXED, T_TEXT, {0}, false},
    {"pg_get_indexdef", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_constraintdef", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_viewdef", FR_FIXED, T_TEXT, {0}, false},
    {"pg_get_triggerdef", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_ruledef", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_partkeydef", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_function_result", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_function_arguments", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_function_identity_arguments", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_statisticsobjdef_columns", FR_FIXED, T_TEXT, {T_OID}, false},
    {"pg_get_serial_sequence", FR_FIXED, T_TEXT, {T_TEXT, T_TEXT}, false},
    {"pg_size_pretty", FR_FIXED, T_TEXT, {T_INT8}, false},
    {"now", FR_FIXED, T_TIMESTAMPTZ, {0}, false},
    {"statement_timestamp", FR_FIXED, T_TIMESTAMPTZ, {0}, false},
    {"transaction_timestamp", FR_FIXED, T_TIMESTAMPTZ, {0}, false},
    {"clock_timestamp", FR_FIXED, T_TIMESTAMPTZ, {0}, false},
    {"pg_postmaster_start_time", FR_FIXED, T_TIMESTAMPTZ, {0}, false},
    {"timeofday", FR_FIXED, T_TEXT, {0}, false},
    {"to_timestamp", FR_FIXED, T_TIMESTAMPTZ, {T_FLOAT8}, false},
    {"to_date", FR_FIXED, T_DATE, {T_TEXT, T_TEXT}, false},
    {"date_trunc", FR_TRUNC_TS, T_TIMESTAMPTZ, {T_TEXT}, false},
    {"date_part", FR_FIXED, T_FLOAT8, {T_TEXT}, false},
    {"extract", FR_FIXED, T_NUMERIC, {0}, true},
    {"age", FR_FIXED, T_INTERVAL, {0}, false},
    {"current_database", FR_FIXED, T_NAME, {0}, false},
    {"current_schema", FR_FIXED, T_NAME, {0}, false},
    {"current_schemas", FR_FIXED, T_NAME_ARRAY, {T_BOOL}, false},
    {"pg_total_relation_size", FR_FIXED, T_INT8, {T_REGCLASS}, false},
    {"pg_relation_size", FR_FIXED, T_INT8, {T_REGCLASS, T_TEXT}, false},
    {"pg_table_size", FR_FIXED, T_INT8, {T_REGCLASS}, false},
    {"pg_indexes_size", FR_FIXED, T_INT8, {T_REGCLASS}, false},
    {"pg_database_size", FR_FIXED, T_INT8, {T_NAME}, false},
    {"pg_backend_pid", FR_FIXED, T_INT4, {0}, false},
    {"pg_sleep", FR_FIXED, T_VOID, {T_FLOAT8}, false},
    {"pg_advisory_lock", FR_FIXED, T_VOID, {T_INT8}, false},
    {"pg_advisory_lock_shared", FR_FIXED, T_VOID, {T_INT8}, false},
    {"pg_advisory_xact_lock", FR_FIXED, T_VOID, {T_INT8}, false},
    {"pg_advisory_xact_lock_shared", FR_FIXED, T_VOID, {T_INT8}, false},
    {"pg_try_advisory_lock", FR_FIXED, T_BOOL, {T_INT8}, false},
    {"pg_try_advisory_lock_shared", FR_FIXED, T_BOOL, {T_INT8}, false},
    {"pg_try_advisory_xact_lock", FR_FIXED, T_BOOL, {T_INT8}, false},
    {"pg_advisory_unlock", FR_FIXED, T_BOOL, {T_INT8}, false},
    {"pg_advisory_unlock_shared", FR_FIXED, T_BOOL, {T_INT8}, false},
    {"pg_advisory_unlock_all", FR_FIXED, T_VOID, {0}, false},
    {"pg_is_in_recovery", FR_FIXED, T_BOOL, {0}, false},
    {"pg_table_is_visible", FR_FIXED, T_BOOL, {T_OID}, false},
    {"pg_type_is_visible", FR_FIXED, T_BOOL, {T_OID}, false},
    {"pg_function_is_visible", FR_FIXED, T_BOOL, {T_OID}, false},
    {"has_table_privilege", FR_FIXED, T_BOOL, {0}, false},
    {"has_schema_privilege", FR_FIXED, T_BOOL, {0}, false},
    {"has_database_privilege", FR_FIXED, T_BOOL, {0}, false},
    {"pg_typeof", FR_FIXED, T_REGTYPE, {0}, false},
    {"txid_current", FR_FIXED, T_INT8, {0}, false},
    {"inet_server_port", FR_FIXED, T_INT4, {0}, false},
    {"random", FR_FIXED, T_FLOAT8, {0}, false},
    {"pi", FR_FIXED, T_FLOAT8, {0}, false},
    {"cbrt", FR_FIXED, T_FLOAT8, {T_FLOAT8}, false},
    {"gen_random_uuid", FR_FIXED, T_UUID, {0}, false},
    {"uuid_generate_v4", FR_FIXED, T_UUID, {0}, false},
    {"nextval", FR_FIXED, T_INT8, {T_REGCLASS}, false},
    {"currval", FR_FIXED, T_INT8, {T_REGCLASS}, false},
    {"setval", FR_FIXED, T_INT8, {T_REGCLASS, T_INT8, T_BOOL}, false},
    {"lastval", FR_FIXED, T_INT8, {0}, false},
    {"row_number", FR_FIXED, T_INT8, {0}, false},
    {"rank", FR_FIXED, T_INT8, {0}, false},
    {"dense_rank", FR_FIXED, T_INT8, {0}, false},
    {"ntile", FR_FIXED, T_INT4, {T_INT4}, false},
    {"percent_rank", FR_FIXED, T_FLOAT8, {0}, false},
    {"cume_dist", FR_FIXED, T_FLOAT8, {0}, false},
    {"lag", FR_ARG0, 0, {0, T_INT4}, false},
    {"lead", FR_ARG0, 0, {0, T_INT4}, false},
    {"first_value", FR_ARG0, 0, {0}, false},
    {"last_value", FR_ARG0, 0, {0}, false},
    {"nth_value", FR_ARG0, 0, {0, T_INT4}, false},
    {"abs", FR_ARG0, 0, {0}, false},
    {"round", FR_ROUND, 0, {0, T_INT4}, false},
    {"trunc", FR_ROUND, 0, {0, T_INT4}, false},
    {"ceil", FR_ROUND, 0, {0}, false},
    {"ceiling", FR_ROUND, 0, {0}, false},
    {"floor", FR_ROUND, 0, {0}, false},
    {"sign", FR_ROUND, 0, {0}, false},
    {"sqrt", FR_FLOATNUM, 0, {0}, false},
    {"exp", FR_FLOATNUM, 0, {0}, false},
    {"ln", FR_FLOATNUM, 0, {0}, false},
    {"log", FR_FLOATNUM, 0, {0}, false},
    {"power", FR_FLOATNUM, 0, {0}, false},
    {"pow", FR_FLOATNUM, 0, {0}, false},
    {"mod", FR_MOD, 0, {0}, false},
    {"div", FR_FIXED, T_NUMERIC, {T_NUMERIC, T_NUMERIC}, false},
    {"json_build_object", FR_FIXED, T_JSON, {0}, false},
    {"jsonb_build_object", FR_FIXED, T_JSONB, {0}, false},
    {"json_build_array", FR_FIXED, T_JSON, {0}, false},
    {"jsonb_build_array", FR_FIXED, T_JSONB, {0}, false},
    {"to_json", FR_FIXED, T_JSON, {0}, false},
    {"to_jsonb", FR_FIXED, T_JSONB, {0}, false},
    {"row_to_json", FR_FIXED, T_JSON, {0}, false},
    {"json_agg", FR_FIXED, T_JSON, {0}, false},
    {"jsonb_agg", FR_FIXED, T_JSONB, {0}, false},
    {"json_object_agg", FR_FIXED, T_JSON, {0}, false},
    {"jsonb_object_agg", FR_FIXED, T_JSONB, {0}, false},
    {"array_length", FR_FIXED, T_INT4, {0, T_INT4}, false},
    {"array_upper", FR_FIXED, T_INT4, {0, T_INT4}, false},
    {"array_lower", FR_FIXED, T_INT4, {0, T_INT4}, false},
    {"array_position", FR_FIXED, T_INT4, {0}, false},
    {"cardinality", FR_FIXED, T_INT4, {0}, false},
    {"generate_series", FR_ARG0, 0, {0}, false},
    {"unnest", FR_ELEM, 0, {0}, false},
    {"coalesce", FR_COMMON, 0, {0}, false},
    {"greatest", FR_COMMON, 0, {0}, false},
    {"least", FR_COMMON, 0, {0}, false},
    {"nullif", FR_NULLIF, 0, {0}, false},
};

/* The function named name in the table, NULL if it is not there. */
const struct fninfo *desc_fn_find(const char *name)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strcmp(functions[i].name, name) == 0)
			return &functions[i];
	return NULL;
}

/* The type a bare parameter takes as argument i of nargs. */
uint32_t desc_fn_argtype(const struct fninfo *f, const char *name, int i, int nargs)
{
	if (f == NULL || i >= 4)
		return 0;
	/* the two-int4 forms of the advisory lock functions */
	if (strncmp(name, "pg_", 3) == 0 && strstr(name, "advisory") != NULL && nargs == 2)
		return T_INT4;
	if (strcmp(name, "to_timestamp") == 0 && nargs == 2)
		return T_TEXT;
	return f->args[i];
}

/*
 * The result type of f (NULL: not in the table) called as fname with
 * arguments of types aoid[0..na).  *untyped is the type the untyped
 * parameter arguments take (0: none, or already given by fn_argtype).
 */
uint32_t desc_fn_result(const struct fninfo *f, const char *fname, const uint32_t *aoid, int na,
			uint32_t *untyped)
{
	uint32_t res = 0;

	*untyped = 0;
	switch (f != NULL ? (int)f->rule : -1) {
	case FR_FIXED:
		return f->oid;
	case FR_ARG0:
		return aoid[0];
	case FR_SUM:
		return (aoid[0] == T_INT2 || aoid[0] == T_INT4) ? T_INT8
		       : aoid[0] == T_INT8			? T_NUMERIC
								: aoid[0];
	case FR_AVG:
		return (aoid[0] == T_FLOAT4 || aoid[0] == T_FLOAT8) ? T_FLOAT8
		       : aoid[0] == T_INTERVAL			    ? T_INTERVAL
		       : desc_num_rank(aoid[0])			    ? T_NUMERIC
								    : 0;
	case FR_ROUND:
		/* round(int) resolves to round(float8): float8 is the
		 * preferred numeric type; round(x, n) exists for numeric only */
		return (na >= 2 || aoid[0] == T_NUMERIC) ? T_NUMERIC
		       : desc_num_rank(aoid[0])		 ? T_FLOAT8
							 : 0;
	case FR_FLOATNUM:
		res = T_FLOAT8;
		for (int i = 0; i < na; i++)
			if (aoid[i] == T_NUMERIC)
				res = T_NUMERIC;
		return res;
	case FR_ARRAY:
		return desc_array_of(out_oid(aoid[0]));
	case FR_ELEM:
		return desc_elem_of(aoid[0]);
	case FR_STRAGG:
		return aoid[0] == T_BYTEA ? T_BYTEA : T_TEXT;
	case FR_COMMON:
	case FR_NULLIF:
		for (int i = 0; i < na; i++)
			res = desc_common_type(res, aoid[i]);
		*untyped = res;
		return f->rule == FR_NULLIF && aoid[0] != 0 ? aoid[0] : res;
	case FR_TRUNC_TS:
		return (na >= 2 && (aoid[1] == T_TIMESTAMP || aoid[1] == T_INTERVAL)) ? aoid[1]
										      : f->oid;
	case FR_MOD:
		return desc_arith_type('%', aoid[0], aoid[1]);
	default:
		/* int8(x), text(x), date(x): a type's name used as a function is a cast */
		return sqlt_type_oid(fname);
	}
}

/* f takes SQL-standard argument keywords (substring(x FROM y)). */
bool desc_fn_sqlsyntax(const struct fninfo *f)
{
	return f != NULL && f->sqlsyntax;
}

/* The type of a SQL value function written without parentheses
 * (current_date, current_user...), 0 if w is not one. */
uint32_t desc_value_fn(const char *w)
{
	static const struct {
		const char *word;
		uint32_t oid;
	} valuefns[] = {
	    {"current_date", T_DATE},
	    {"current_time", T_TIMETZ},
	    {"current_timestamp", T_TIMESTAMPTZ},
	    {"localtime", T_TIME},
	    {"localtimestamp", T_TIMESTAMP},
	    {"current_role", T_NAME},
	    {"current_user", T_NAME},
	    {"user", T_NAME},
	    {"session_user", T_NAME},
	    {"current_catalog", T_NAME},
	    {"current_schema", T_NAME},
	};

	for (size_t i = 0; i < sizeof(valuefns) / sizeof(valuefns[0]); i++)
		if (strcmp(w, valuefns[i].word) == 0)
			return valuefns[i].oid;
	return 0;
}
