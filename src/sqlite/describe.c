/*
 * describe.c - the parameter types and result columns PostgreSQL would
 * announce for a statement, inferred from its text.
 *
 * A small recursive-descent reader over the significant tokens of lex.h,
 * not a SQL parser: it knows the shape of SELECT (WITH, set operations,
 * FROM items with aliases, joins, derived tables), VALUES, INSERT, UPDATE,
 * DELETE and RETURNING, and reads expressions with PostgreSQL's operator
 * precedence, so that "name = $1 AND (deleted = 0 OR $2)" gives $1 the
 * column's type and $2 bool.  Column references resolve through a chain of
 * scopes, innermost first, so correlated and nested subqueries see their
 * own aliases before outer ones.  Result names follow PostgreSQL's
 * FigureColname().  The order in which clauses are read follows
 * PostgreSQL's parse analysis (FROM, select list, WHERE, ..., then unknown
 * output parameters become text), because the first context that types a
 * parameter wins.  What it cannot read it skips, still visiting every
 * parenthesised part for nested subqueries, and types as 0 (unknown).
 */
#include "sqlite/describe.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/lex.h"
#include "sqlite/translate.h"

/* Nesting deeper than this is skipped, not read: it bounds the stack. */
#define MAX_DEPTH 100
#define MAX_ARGS  16
/* PostgreSQL's protocol numbers parameters with an int16. */
#define MAX_PARAMS 65535

enum {
	T_BOOL = 16,
	T_BYTEA = 17,
	T_CHAR = 18,
	T_NAME = 19,
	T_INT8 = 20,
	T_INT2 = 21,
	T_INT4 = 23,
	T_TEXT = 25,
	T_OID = 26,
	T_JSON = 114,
	T_FLOAT4 = 700,
	T_FLOAT8 = 701,
	T_UNKNOWN = 705, /* an untyped literal: output as text */
	T_BPCHAR = 1042,
	T_VARCHAR = 1043,
	T_DATE = 1082,
	T_TIME = 1083,
	T_TIMESTAMP = 1114,
	T_TIMESTAMPTZ = 1184,
	T_INTERVAL = 1186,
	T_TIMETZ = 1266,
	T_BIT = 1560,
	T_NUMERIC = 1700,
	T_REGCLASS = 2205,
	T_REGTYPE = 2206,
	T_RECORD = 2249,
	T_VOID = 2278,
	T_UUID = 2950,
	T_JSONB = 3802,
	T_NAME_ARRAY = 1003,
	T_TEXT_ARRAY = 1009,
};

/* The statement's significant tokens, with bracket matching. */
struct cx {
	struct lex_tokens toks;
	size_t *sig;   /* token index of each significant token */
	size_t *match; /* for ( and [: the index of the closer; n when unbalanced */
	size_t n;
	const struct desc_schema *schema;
	uint32_t *params;
	int nparams;
	int depth;
	bool oom;
};

/* A FROM item: a base table (asked of the schema) or a derived table. */
struct rel {
	char alias[DESC_NAME_MAX];     /* the name that qualifies its columns */
	char table[2 * DESC_NAME_MAX]; /* relation name given to the schema */
	bool derived;		       /* columns are cols[], not the schema's */
	bool func;		       /* a function in FROM with one output column */
	struct desc_column *cols;      /* derived: owned */
	int ncols;		       /* derived: -1 when not known */
};

struct scope {
	struct rel *rels;
	int nrels, caprels;
	struct rel *ctes;
	int nctes, capctes;
	const struct scope *parent;
	bool merged; /* a JOIN USING / NATURAL JOIN merged columns */
};

struct ocol {
	struct desc_column c;
	int param; /* n when the output column is exactly $n */
};

struct colvec {
	struct ocol *v;
	int n, cap;
	bool unknown; /* the column count is not known (* over an unknown relation) */
};

/* An expression's type and FigureColname() result. */
struct ev {
	uint32_t oid;
	int param;    /* n when the expression is exactly $n (parentheses allowed) */
	int strength; /* 0 "?column?", 1 weak (cast type, "case"), 2 strong */
	char name[DESC_NAME_MAX];
};

static void expr(struct cx *c, size_t *pp, size_t end, int minbp, const struct scope *sc,
		 struct ev *e);
static void walk(struct cx *c, size_t p, size_t end, const struct scope *sc);
static bool parse_query(struct cx *c, size_t p, size_t end, const struct scope *parent,
			const uint32_t *targets, int ntargets, struct colvec *out);

/* ---------------------------------------------------------------------- */
/* Tokens */

static const struct lex_token *tok(const struct cx *c, size_t p)
{
	return &c->toks.v[c->sig[p]];
}

static int kind_at(const struct cx *c, size_t p, size_t end)
{
	return p < end ? (int)tok(c, p)->kind : -1;
}

static bool kw(const struct cx *c, size_t p, size_t end, const char *w)
{
	return p < end && lex_is_word(&c->toks, c->sig[p], w);
}

static bool op(const struct cx *c, size_t p, size_t end, const char *s)
{
	return p < end && lex_is(&c->toks, c->sig[p], s);
}

static bool is_name(const struct cx *c, size_t p, size_t end)
{
	int k = kind_at(c, p, end);
	return k == LX_WORD || k == LX_QIDENT;
}

/* Copy at most cap-1 bytes, never cutting a UTF-8 character (as
 * PostgreSQL clips identifiers to NAMEDATALEN-1 bytes). */
static void set_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The folded (or unquoted) identifier at p, clipped to DESC_NAME_MAX. */
static void ident(const struct cx *c, size_t p, char *buf)
{
	char tmp[256];

	lex_ident(&c->toks, c->sig[p], tmp, sizeof(tmp));
	set_str(buf, DESC_NAME_MAX, tmp);
}

static void tok_text(const struct cx *c, size_t p, char *buf, size_t cap)
{
	const struct lex_token *t = tok(c, p);
	size_t n = t->len < cap - 1 ? t->len : cap - 1;

	memcpy(buf, c->toks.src + t->pos, n);
	buf[n] = '\0';
}

/* Index of the token closing the bracket at p, or end when unbalanced. */
static size_t closer(const struct cx *c, size_t p, size_t end)
{
	size_t q = c->match[p];
	return q < end ? q : end;
}

/* Index just after the bracketed group opening at p. */
static size_t past(const struct cx *c, size_t p, size_t end)
{
	size_t q = closer(c, p, end);
	return q < end ? q + 1 : end;
}

/* Words that end an expression or a FROM item instead of naming an alias. */
static bool reserved(const struct cx *c, size_t p, size_t end)
{
	static const char *const words[] = {
	    "all",   "and",	"any",	       "as",	  "asc",   "between",	"by",	  "case",
	    "cross", "desc",	"distinct",    "do",	  "else",  "end",	"except", "escape",
	    "fetch", "filter",	"for",	       "from",	  "full",  "group",	"having", "ilike",
	    "in",    "inner",	"intersect",   "into",	  "is",	   "isnull",	"join",	  "lateral",
	    "left",  "like",	"limit",       "natural", "not",   "notnull",	"nulls",  "offset",
	    "on",    "or",	"order",       "outer",	  "over",  "returning", "right",  "select",
	    "set",   "similar", "tablesample", "then",	  "union", "using",	"values", "when",
	    "where", "window",	"with",	       "within",
	};

	if (kind_at(c, p, end) != LX_WORD)
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (lex_is_word(&c->toks, c->sig[p], words[i]))
			return true;
	return false;
}

/* First index in [p, end) at depth 0 where pred holds, else end. */
static size_t find_top(const struct cx *c, size_t p, size_t end,
		       bool (*pred)(const struct cx *, size_t, size_t))
{
	for (; p < end; p++) {
		if (op(c, p, end, "(") || op(c, p, end, "[")) {
			p = closer(c, p, end);
			if (p >= end)
				return end;
			continue;
		}
		if (pred(c, p, end))
			return p;
	}
	return end;
}

static bool is_comma(const struct cx *c, size_t p, size_t end)
{
	return op(c, p, end, ",");
}

static bool is_setop(const struct cx *c, size_t p, size_t end)
{
	return kw(c, p, end, "union") || kw(c, p, end, "intersect") || kw(c, p, end, "except");
}

/* The clauses that belong to a whole query, after its set operations. */
static bool is_tail(const struct cx *c, size_t p, size_t end)
{
	if (kw(c, p, end, "order"))
		return kw(c, p + 1, end, "by");
	if (kw(c, p, end, "for"))
		return kw(c, p + 1, end, "update") || kw(c, p + 1, end, "share") ||
		       kw(c, p + 1, end, "no") || kw(c, p + 1, end, "key");
	return kw(c, p, end, "limit") || kw(c, p, end, "offset") || kw(c, p, end, "fetch");
}

static bool is_returning(const struct cx *c, size_t p, size_t end)
{
	return kw(c, p, end, "returning");
}

static bool is_conflict_or_returning(const struct cx *c, size_t p, size_t end)
{
	return (kw(c, p, end, "on") && kw(c, p + 1, end, "conflict")) || is_returning(c, p, end);
}

static bool is_where_or_returning(const struct cx *c, size_t p, size_t end)
{
	return kw(c, p, end, "where") || is_returning(c, p, end);
}

/* A query starts at p: SELECT, WITH, VALUES, TABLE, or ( query ). */
static bool starts_query(const struct cx *c, size_t p, size_t end)
{
	while (op(c, p, end, "("))
		p++;
	return kw(c, p, end, "select") || kw(c, p, end, "with") || kw(c, p, end, "values") ||
	       kw(c, p, end, "table");
}

/* ---------------------------------------------------------------------- */
/* Types */

static int num_rank(uint32_t o)
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

static uint32_t array_of(uint32_t e)
{
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (arrays[i].elem == e)
			return arrays[i].array;
	return 0;
}

static uint32_t elem_of(uint32_t a)
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
static uint32_t common_type(uint32_t a, uint32_t b)
{
	int ra = num_rank(a), rb = num_rank(b);

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
static uint32_t arith_type(char o, uint32_t a, uint32_t b)
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
	ra = num_rank(a);
	rb = num_rank(b);
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
static uint32_t arith_param(char o, uint32_t other)
{
	if (num_rank(other))
		return other;
	if (other == T_INTERVAL)
		return T_INTERVAL;
	if (other == T_TIMESTAMP || other == T_TIMESTAMPTZ || other == T_TIME || other == T_DATE)
		return o == '-' ? other : o == '+' && other != T_DATE ? T_INTERVAL : 0;
	return 0;
}

static uint32_t number_type(const struct cx *c, size_t p, bool neg)
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
static uint32_t read_type(const struct cx *c, size_t *pp, size_t end, char *name)
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
	ident(c, p, w);
	quoted_char = kind_at(c, p, end) == LX_QIDENT && strcmp(w, "char") == 0;
	set_str(buf, sizeof(buf), w);
	set_str(name, DESC_NAME_MAX, w);
	p++;
	if (kind_at(c, p - 1, end) == LX_WORD) {
		if (strcmp(w, "national") == 0 &&
		    (kw(c, p, end, "character") || kw(c, p, end, "char"))) {
			set_str(buf, sizeof(buf), "character");
			p++;
		}
		if (strcmp(w, "double") == 0 && kw(c, p, end, "precision")) {
			set_str(buf, sizeof(buf), "double precision");
			p++;
		} else if ((strcmp(w, "character") == 0 || strcmp(w, "char") == 0 ||
			    strcmp(w, "national") == 0 || strcmp(w, "bit") == 0) &&
			   kw(c, p, end, "varying")) {
			bl = strlen(buf);
			set_str(buf + bl, sizeof(buf) - bl, " varying");
			p++;
		} else if (strcmp(w, "timestamp") == 0 || strcmp(w, "time") == 0) {
			if (op(c, p, end, "("))
				p = past(c, p, end);
			if ((kw(c, p, end, "with") || kw(c, p, end, "without")) &&
			    kw(c, p + 1, end, "time") && kw(c, p + 2, end, "zone")) {
				bl = strlen(buf);
				set_str(buf + bl, sizeof(buf) - bl,
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
		set_str(name, DESC_NAME_MAX, in);
	if (dims > 0)
		oid = array_of(oid);
	*pp = p;
	return oid;
}

/* ---------------------------------------------------------------------- */
/* Parameters and expression values */

static uint32_t param_type(const struct cx *c, int n)
{
	return n >= 1 && n <= c->nparams ? c->params[n - 1] : 0;
}

/* The first context that types a parameter wins, as in PostgreSQL. */
static void set_param(struct cx *c, int n, uint32_t oid)
{
	if (n >= 1 && n <= c->nparams && c->params[n - 1] == 0 && oid != 0 && oid != T_UNKNOWN)
		c->params[n - 1] = oid;
}

/* An expression that is exactly an untyped $n takes the type its context
 * gives it. */
static void infer(struct cx *c, struct ev *e, uint32_t oid)
{
	if (e->param != 0 && e->oid == 0) {
		set_param(c, e->param, oid);
		e->oid = param_type(c, e->param);
	}
}

static void bool_ctx(struct cx *c, struct ev *e)
{
	infer(c, e, T_BOOL);
}

/* Operands of a comparison: an untyped parameter takes the other side's type. */
static void infer_pair(struct cx *c, struct ev *l, struct ev *r)
{
	if (r->oid != 0 && r->oid != T_UNKNOWN)
		infer(c, l, r->oid);
	if (l->oid != 0 && l->oid != T_UNKNOWN)
		infer(c, r, l->oid);
}

static void ev_clear(struct ev *e)
{
	e->oid = 0;
	e->param = 0;
	e->strength = 0;
	set_str(e->name, sizeof(e->name), "?column?");
}

static void ev_set(struct ev *e, uint32_t oid, const char *name, int strength)
{
	e->oid = oid;
	e->param = 0;
	e->strength = strength;
	set_str(e->name, sizeof(e->name), name);
}

static uint32_t out_oid(uint32_t oid)
{
	return oid == T_UNKNOWN ? T_TEXT : oid;
}

/* ---------------------------------------------------------------------- */
/* Scopes and relations */

static struct rel *scope_add(struct cx *c, struct scope *s, bool cte)
{
	struct rel **v = cte ? &s->ctes : &s->rels;
	int *n = cte ? &s->nctes : &s->nrels, *cap = cte ? &s->capctes : &s->caprels;
	struct rel *r;

	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 4;
		struct rel *nv = realloc(*v, (size_t)nc * sizeof(**v));
		if (nv == NULL) {
			c->oom = true;
			return NULL;
		}
		*v = nv;
		*cap = nc;
	}
	r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	return r;
}

static void scope_free(struct scope *s)
{
	for (int i = 0; i < s->nrels; i++)
		free(s->rels[i].cols);
	for (int i = 0; i < s->nctes; i++)
		free(s->ctes[i].cols);
	free(s->rels);
	free(s->ctes);
	memset(s, 0, sizeof(*s));
}

static void cv_push(struct cx *c, struct colvec *cv, const char *name, uint32_t oid, int param)
{
	struct ocol *o;

	if (cv->n == cv->cap) {
		int nc = cv->cap ? cv->cap * 2 : 8;
		struct ocol *nv = realloc(cv->v, (size_t)nc * sizeof(*nv));
		if (nv == NULL) {
			c->oom = true;
			return;
		}
		cv->v = nv;
		cv->cap = nc;
	}
	o = &cv->v[cv->n++];
	set_str(o->c.name, sizeof(o->c.name), name);
	o->c.oid = oid;
	o->param = param;
}

static void cv_free(struct colvec *cv)
{
	free(cv->v);
	memset(cv, 0, sizeof(*cv));
}

/* Give a derived relation the columns of a query. */
static void rel_set_cols(struct cx *c, struct rel *r, const struct colvec *cv)
{
	r->derived = true;
	r->ncols = cv->unknown ? -1 : cv->n;
	if (cv->unknown || cv->n == 0)
		return;
	r->cols = malloc((size_t)cv->n * sizeof(*r->cols));
	if (r->cols == NULL) {
		c->oom = true;
		r->ncols = -1;
		return;
	}
	for (int i = 0; i < cv->n; i++) {
		r->cols[i] = cv->v[i].c;
		r->cols[i].oid = out_oid(r->cols[i].oid);
	}
}

/* The columns of a base table in order; -1 when the schema does not know it. */
static int fetch_table(struct cx *c, const char *table, struct desc_column **out)
{
	int max = 32;

	*out = NULL;
	if (c->schema == NULL || c->schema->table_columns == NULL)
		return -1;
	for (int tries = 0; tries < 2; tries++) {
		char(*names)[DESC_NAME_MAX] = malloc((size_t)max * DESC_NAME_MAX);
		uint32_t *oids = malloc((size_t)max * sizeof(*oids));
		struct desc_column *cols;
		int n;

		if (names == NULL || oids == NULL) {
			free(names);
			free(oids);
			c->oom = true;
			return -1;
		}
		n = c->schema->table_columns(c->schema->arg, table, names, oids, max);
		if (n > max) {
			free(names);
			free(oids);
			max = n;
			continue;
		}
		if (n <= 0) {
			free(names);
			free(oids);
			return n < 0 ? -1 : 0;
		}
		cols = malloc((size_t)n * sizeof(*cols));
		if (cols == NULL) {
			c->oom = true;
			n = -1;
		} else {
			for (int i = 0; i < n; i++) {
				names[i][DESC_NAME_MAX - 1] = '\0';
				set_str(cols[i].name, DESC_NAME_MAX, names[i]);
				cols[i].oid = oids[i];
			}
		}
		free(names);
		free(oids);
		*out = cols;
		return n;
	}
	return -1;
}

/* Turn a base table into a derived one (for a column alias list). */
static void rel_materialize(struct cx *c, struct rel *r)
{
	if (r->derived)
		return;
	r->derived = true;
	r->ncols = fetch_table(c, r->table, &r->cols);
}

static bool rel_col(struct cx *c, const struct rel *r, const char *col, uint32_t *oid)
{
	if (!r->derived) {
		uint32_t o = 0;
		if (c->schema != NULL && c->schema->column_type != NULL)
			o = c->schema->column_type(c->schema->arg, r->table, col);
		*oid = o;
		return o != 0;
	}
	for (int i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i].name, col) == 0) {
			*oid = r->cols[i].oid;
			return true;
		}
	return false;
}

/* Type of a column reference: qualified ones through the nearest relation
 * with that name, unqualified ones through the first relation that has
 * the column, innermost scope first. */
static uint32_t lookup(struct cx *c, const struct scope *sc, const char *qual, const char *col)
{
	uint32_t oid = 0;

	for (const struct scope *s = sc; s != NULL; s = s->parent)
		for (int i = 0; i < s->nrels; i++) {
			const struct rel *r = &s->rels[i];
			if (qual != NULL) {
				if (strcmp(r->alias, qual) == 0) {
					rel_col(c, r, col, &oid);
					return oid;
				}
			} else if (rel_col(c, r, col, &oid)) {
				return oid;
			}
		}
	return 0;
}

static const struct rel *find_cte(const struct scope *sc, const char *name)
{
	for (const struct scope *s = sc; s != NULL; s = s->parent)
		for (int i = 0; i < s->nctes; i++)
			if (strcmp(s->ctes[i].alias, name) == 0)
				return &s->ctes[i];
	return NULL;
}

/* Append a relation's columns (for * and t.*). */
static void rel_expand(struct cx *c, const struct rel *r, struct colvec *out)
{
	struct desc_column *cols = NULL;
	int n;

	if (r->derived) {
		if (r->ncols < 0)
			out->unknown = true;
		for (int i = 0; i < r->ncols; i++)
			cv_push(c, out, r->cols[i].name, r->cols[i].oid, 0);
		return;
	}
	n = fetch_table(c, r->table, &cols);
	if (n < 0)
		out->unknown = true;
	for (int i = 0; i < n; i++)
		cv_push(c, out, cols[i].name, cols[i].oid, 0);
	free(cols);
}

/*
 * A relation name at *pp ([schema.]name).  pg_catalog and public are
 * dropped; information_schema.x is the relation "information_schema.x".
 * The last part is the default alias.
 */
static bool read_relname(const struct cx *c, size_t *pp, size_t end, char *table, char *alias)
{
	char schema[DESC_NAME_MAX] = "", last[DESC_NAME_MAX];
	size_t p = *pp;

	if (!is_name(c, p, end))
		return false;
	ident(c, p, last);
	p++;
	while (op(c, p, end, ".") && is_name(c, p + 1, end)) {
		memcpy(schema, last, sizeof(schema));
		ident(c, p + 1, last);
		p += 2;
	}
	if (schema[0] == '\0' || strcmp(schema, "pg_catalog") == 0 ||
	    strcmp(schema, "public") == 0) {
		set_str(table, 2 * DESC_NAME_MAX, last);
	} else {
		size_t sl = strlen(schema);
		memcpy(table, schema, sl);
		table[sl] = '.';
		set_str(table + sl + 1, 2 * DESC_NAME_MAX - sl - 1, last);
	}
	set_str(alias, DESC_NAME_MAX, last);
	*pp = p;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Functions */

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

static const struct fninfo *fn_find(const char *name)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (strcmp(functions[i].name, name) == 0)
			return &functions[i];
	return NULL;
}

/* The type a bare parameter takes as argument i of nargs. */
static uint32_t fn_argtype(const struct fninfo *f, const char *name, int i, int nargs)
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

/* End of the function argument at p: the next top-level comma, or with
 * SQL-standard syntax one of FROM, FOR, IN, PLACING. */
static size_t arg_end(const struct cx *c, size_t p, size_t end, bool sqlsyntax)
{
	for (; p < end; p++) {
		if (op(c, p, end, "(") || op(c, p, end, "[")) {
			p = closer(c, p, end);
			if (p >= end)
				return end;
			continue;
		}
		if (op(c, p, end, ","))
			return p;
		if (sqlsyntax && (kw(c, p, end, "from") || kw(c, p, end, "for") ||
				  kw(c, p, end, "in") || kw(c, p, end, "placing")))
			return p;
	}
	return end;
}

static int count_args(const struct cx *c, size_t p, size_t end, bool sqlsyntax)
{
	int n = 0;

	while (p < end) {
		size_t e = arg_end(c, p, end, sqlsyntax);
		n++;
		if (e >= end)
			break;
		p = e + 1;
	}
	return n;
}

/* fname( ... ) at *pp (on the parenthesis), with its trailing FILTER,
 * WITHIN GROUP and OVER clauses. */
static void func_call(struct cx *c, size_t *pp, size_t end, const struct scope *sc,
		      const char *fname, struct ev *e)
{
	size_t open = *pp, close = closer(c, open, end), p = open + 1;
	const struct fninfo *f = fn_find(fname);
	bool sqlsyntax = f != NULL && f->sqlsyntax;
	uint32_t aoid[MAX_ARGS] = {0}, res = 0;
	int apar[MAX_ARGS] = {0}, na = 0, nargs;
	char name[DESC_NAME_MAX];

	set_str(name, sizeof(name), fname);
	if (kw(c, p, close, "distinct") || kw(c, p, close, "all") || kw(c, p, close, "variadic"))
		p++;
	if (strcmp(fname, "trim") == 0) {
		/* TRIM is the btrim/ltrim/rtrim function, and named after it */
		set_str(name, sizeof(name),
			kw(c, p, close, "leading")    ? "ltrim"
			: kw(c, p, close, "trailing") ? "rtrim"
						      : "btrim");
		if (kw(c, p, close, "both") || kw(c, p, close, "leading") ||
		    kw(c, p, close, "trailing"))
			p++;
	}
	if (op(c, p, close, "*") && p + 1 == close)
		p = close; /* count(*) */
	nargs = count_args(c, p, close, sqlsyntax);
	while (p < close && !c->oom) {
		size_t ae = arg_end(c, p, close, sqlsyntax);
		struct ev a;
		expr(c, &p, ae, 0, sc, &a);
		if (p < ae) /* ORDER BY in an aggregate, a named argument... */
			walk(c, p, ae, sc);
		if (na < MAX_ARGS) {
			uint32_t want = fn_argtype(f, fname, na, nargs);
			if (want != 0)
				infer(c, &a, want);
			aoid[na] = a.oid;
			apar[na] = a.param;
			na++;
		}
		p = ae < close ? ae + 1 : close;
	}
	switch (f != NULL ? (int)f->rule : -1) {
	case FR_FIXED:
		res = f->oid;
		break;
	case FR_ARG0:
		res = aoid[0];
		break;
	case FR_SUM:
		res = (aoid[0] == T_INT2 || aoid[0] == T_INT4) ? T_INT8
		      : aoid[0] == T_INT8		       ? T_NUMERIC
							       : aoid[0];
		break;
	case FR_AVG:
		res = (aoid[0] == T_FLOAT4 || aoid[0] == T_FLOAT8) ? T_FLOAT8
		      : aoid[0] == T_INTERVAL			   ? T_INTERVAL
		      : num_rank(aoid[0])			   ? T_NUMERIC
								   : 0;
		break;
	case FR_ROUND:
		/* round(int) resolves to round(float8): float8 is the
		 * preferred numeric type; round(x, n) exists for numeric only */
		res = (na >= 2 || aoid[0] == T_NUMERIC) ? T_NUMERIC
		      : num_rank(aoid[0])		? T_FLOAT8
							: 0;
		break;
	case FR_FLOATNUM:
		res = T_FLOAT8;
		for (int i = 0; i < na; i++)
			if (aoid[i] == T_NUMERIC)
				res = T_NUMERIC;
		break;
	case FR_ARRAY:
		res = array_of(out_oid(aoid[0]));
		break;
	case FR_ELEM:
		res = elem_of(aoid[0]);
		break;
	case FR_STRAGG:
		res = aoid[0] == T_BYTEA ? T_BYTEA : T_TEXT;
		break;
	case FR_COMMON:
	case FR_NULLIF:
		for (int i = 0; i < na; i++)
			res = common_type(res, aoid[i]);
		for (int i = 0; i < na; i++)
			if (apar[i] != 0 && aoid[i] == 0)
				set_param(c, apar[i], res);
		if (f->rule == FR_NULLIF && aoid[0] != 0)
			res = aoid[0];
		break;
	case FR_TRUNC_TS:
		res = (na >= 2 && (aoid[1] == T_TIMESTAMP || aoid[1] == T_INTERVAL)) ? aoid[1]
										     : f->oid;
		break;
	case FR_MOD:
		res = arith_type('%', aoid[0], aoid[1]);
		break;
	default:
		/* int8(x), text(x), date(x): a type's name used as a function is a cast */
		res = sqlt_type_oid(fname);
	}
	p = past(c, open, end);
	if (kw(c, p, end, "filter") && op(c, p + 1, end, "(")) {
		size_t q = closer(c, p + 1, end), s = p + 2;
		struct ev w;
		if (kw(c, s, q, "where"))
			s++;
		expr(c, &s, q, 0, sc, &w);
		bool_ctx(c, &w);
		if (s < q)
			walk(c, s, q, sc);
		p = past(c, p + 1, end);
	}
	if (kw(c, p, end, "within") && kw(c, p + 1, end, "group") && op(c, p + 2, end, "(")) {
		walk(c, p + 3, closer(c, p + 2, end), sc);
		p = past(c, p + 2, end);
	}
	if (kw(c, p, end, "over")) {
		if (op(c, p + 1, end, "(")) {
			walk(c, p + 2, closer(c, p + 1, end), sc);
			p = past(c, p + 1, end);
		} else {
			p += 2;
		}
	}
	ev_set(e, res, name, 2);
	*pp = p < end ? p : end;
}

/* ---------------------------------------------------------------------- */
/* Expressions */

/* A column reference or function call: name [. name ...] [ ( args ) ]. */
static void name_ref(struct cx *c, size_t *pp, size_t end, const struct scope *sc, struct ev *e)
{
	char parts[3][DESC_NAME_MAX];
	size_t p = *pp;
	int np = 0;

	ident(c, p, parts[np++]);
	p++;
	while (op(c, p, end, ".") && (is_name(c, p + 1, end) || op(c, p + 1, end, "*"))) {
		if (op(c, p + 1, end, "*")) { /* t.* as a value: a whole row */
			*pp = p + 2;
			ev_set(e, T_RECORD, parts[np - 1], 2);
			return;
		}
		if (np == 3) {
			memmove(parts[0], parts[1], sizeof(parts[0]) * 2);
			np--;
		}
		ident(c, p + 1, parts[np++]);
		p += 2;
	}
	if (op(c, p, end, "(")) {
		*pp = p;
		func_call(c, pp, end, sc, parts[np - 1], e);
		return;
	}
	ev_set(e, lookup(c, sc, np >= 2 ? parts[np - 2] : NULL, parts[np - 1]), parts[np - 1], 2);
	*pp = p;
}

/* CASE [arg] WHEN ... THEN ... [ELSE ...] END */
static void parse_case(struct cx *c, size_t *pp, size_t end, const struct scope *sc, struct ev *e)
{
	size_t p = *pp + 1;
	struct ev arg, w, r;
	bool simple = !kw(c, p, end, "when");
	int rpar[MAX_ARGS], nr = 0;
	uint32_t t = 0;

	ev_clear(&arg);
	ev_clear(e);
	if (simple) {
		expr(c, &p, end, 0, sc, &arg);
		infer(c, &arg, T_TEXT); /* an untyped CASE argument is resolved as text */
	}
	while (kw(c, p, end, "when") && !c->oom) {
		p++;
		expr(c, &p, end, 0, sc, &w);
		if (simple)
			infer_pair(c, &arg, &w);
		else
			bool_ctx(c, &w);
		if (!kw(c, p, end, "then"))
			break;
		p++;
		expr(c, &p, end, 0, sc, &r);
		t = common_type(t, r.oid);
		if (r.param != 0 && nr < MAX_ARGS)
			rpar[nr++] = r.param;
	}
	/* FigureColname names a CASE after its ELSE branch if that has a
	 * strong name, else "case" */
	set_str(e->name, sizeof(e->name), "case");
	e->strength = 1;
	if (kw(c, p, end, "else")) {
		p++;
		expr(c, &p, end, 0, sc, &r);
		t = common_type(t, r.oid);
		if (r.param != 0 && nr < MAX_ARGS)
			rpar[nr++] = r.param;
		if (r.strength == 2) {
			set_str(e->name, sizeof(e->name), r.name);
			e->strength = 2;
		}
	}
	if (kw(c, p, end, "end"))
		p++;
	if (t == T_UNKNOWN || (t == 0 && nr > 0))
		t = T_TEXT; /* only unknowns: PostgreSQL resolves them as text */
	for (int i = 0; i < nr; i++)
		set_param(c, rpar[i], t);
	e->oid = t;
	*pp = p;
}

/* ( ... ): a scalar subquery, a row, or a parenthesised expression. */
static void paren(struct cx *c, size_t *pp, size_t end, const struct scope *sc, struct ev *e)
{
	size_t p = *pp, q = closer(c, p, end);

	if (starts_query(c, p + 1, q)) {
		struct colvec cv = {0};
		parse_query(c, p + 1, q, sc, NULL, 0, &cv);
		/* named after the subquery's single output column */
		if (cv.n > 0)
			ev_set(e, out_oid(cv.v[0].c.oid), cv.v[0].c.name, 2);
		cv_free(&cv);
	} else if (find_top(c, p + 1, q, is_comma) < q) {
		walk(c, p + 1, q, sc);
		ev_set(e, T_RECORD, "row", 2);
	} else {
		size_t s = p + 1;
		expr(c, &s, q, 0, sc, e);
		if (s < q)
			walk(c, s, q, sc);
	}
	*pp = q < end ? q + 1 : end;
}

static bool prefix_word(struct cx *c, size_t *pp, size_t end, const struct scope *sc, struct ev *e)
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
	size_t p = *pp;
	bool call = op(c, p + 1, end, "(");
	struct ev s;
	char w[DESC_NAME_MAX];

	ident(c, p, w);
	if (strcmp(w, "not") == 0) {
		p++;
		expr(c, &p, end, 3, sc, &s);
		bool_ctx(c, &s);
		ev_set(e, T_BOOL, "?column?", 0);
		*pp = p;
		return true;
	}
	if (strcmp(w, "true") == 0 || strcmp(w, "false") == 0) {
		ev_set(e, T_BOOL, "?column?", 0);
		*pp = p + 1;
		return true;
	}
	if (strcmp(w, "null") == 0) {
		ev_set(e, T_UNKNOWN, "?column?", 0);
		*pp = p + 1;
		return true;
	}
	if (strcmp(w, "case") == 0) {
		parse_case(c, pp, end, sc, e);
		return true;
	}
	if (strcmp(w, "exists") == 0 && call) {
		struct colvec cv = {0};
		parse_query(c, p + 2, closer(c, p + 1, end), sc, NULL, 0, &cv);
		cv_free(&cv);
		ev_set(e, T_BOOL, "exists", 2);
		*pp = past(c, p + 1, end);
		return true;
	}
	if (strcmp(w, "array") == 0 && (call || op(c, p + 1, end, "["))) {
		size_t q = closer(c, p + 1, end);
		uint32_t t = 0;
		if (call) {
			struct colvec cv = {0};
			parse_query(c, p + 2, q, sc, NULL, 0, &cv);
			if (cv.n > 0)
				t = out_oid(cv.v[0].c.oid);
			cv_free(&cv);
		} else {
			for (size_t a = p + 2; a < q;) {
				size_t ae = find_top(c, a, q, is_comma);
				struct ev el;
				if (op(c, a, ae, "[")) { /* ARRAY[[1,2],[3,4]] */
					walk(c, a, ae, sc);
				} else {
					expr(c, &a, ae, 0, sc, &el);
					t = common_type(t, el.oid);
					if (a < ae)
						walk(c, a, ae, sc);
				}
				if (ae >= q)
					break;
				a = ae + 1;
			}
		}
		ev_set(e, array_of(out_oid(t)), "array", 2);
		*pp = past(c, p + 1, end);
		return true;
	}
	if (strcmp(w, "row") == 0 && call) {
		walk(c, p + 2, closer(c, p + 1, end), sc);
		ev_set(e, T_RECORD, "row", 2);
		*pp = past(c, p + 1, end);
		return true;
	}
	if (strcmp(w, "cast") == 0 && call) {
		size_t q = closer(c, p + 1, end), a = p + 2;
		char tn[DESC_NAME_MAX];
		uint32_t t = 0;
		expr(c, &a, q, 0, sc, &s);
		if (kw(c, a, q, "as")) {
			a++;
			t = read_type(c, &a, q, tn);
			infer(c, &s, t);
			if (s.strength <= 1)
				ev_set(e, t, tn, 1);
			else
				ev_set(e, t, s.name, s.strength);
		}
		*pp = past(c, p + 1, end);
		return true;
	}
	for (size_t i = 0; i < sizeof(valuefns) / sizeof(valuefns[0]); i++) {
		if (strcmp(w, valuefns[i].word) != 0)
			continue;
		if (call && strcmp(w, "current_schema") == 0)
			break; /* current_schema() is a function */
		ev_set(e, valuefns[i].oid, w, 2);
		p++;
		if (call) /* current_timestamp(3) */
			p = past(c, p, end);
		*pp = p;
		return true;
	}
	/* a typed literal: DATE '2001-02-03', TIMESTAMP WITH TIME ZONE '...' */
	if (kind_at(c, p + 1, end) == LX_STRING || strcmp(w, "double") == 0 ||
	    strcmp(w, "timestamp") == 0 || strcmp(w, "time") == 0 || strcmp(w, "character") == 0 ||
	    strcmp(w, "national") == 0 || strcmp(w, "bit") == 0) {
		size_t q = p;
		char tn[DESC_NAME_MAX];
		uint32_t t = read_type(c, &q, end, tn);
		if (q > p && kind_at(c, q, end) == LX_STRING) {
			ev_set(e, t, tn, 1);
			*pp = q + 1;
			return true;
		}
	}
	name_ref(c, pp, end, sc, e);
	return true;
}

static bool prefix(struct cx *c, size_t *pp, size_t end, const struct scope *sc, struct ev *e)
{
	size_t p = *pp;
	const struct lex_token *t = tok(c, p);
	struct ev s;
	char o[8];

	switch (t->kind) {
	case LX_NUMBER:
		e->oid = number_type(c, p, false);
		*pp = p + 1;
		return true;
	case LX_STRING:
	case LX_DOLLAR: {
		char ch = c->toks.src[t->pos];
		e->oid = (ch == 'b' || ch == 'B' || ch == 'x' || ch == 'X') ? T_BIT : T_UNKNOWN;
		*pp = p + 1;
		return true;
	}
	case LX_PARAM:
		e->param = t->param;
		e->oid = param_type(c, t->param);
		*pp = p + 1;
		return true;
	case LX_WORD:
		return prefix_word(c, pp, end, sc, e);
	case LX_QIDENT:
		name_ref(c, pp, end, sc, e);
		return true;
	case LX_PUNCT:
		if (!op(c, p, end, "("))
			return false;
		paren(c, pp, end, sc, e);
		return true;
	case LX_OP:
		tok_text(c, p, o, sizeof(o));
		if (strcmp(o, "-") == 0 && kind_at(c, p + 1, end) == LX_NUMBER &&
		    !op(c, p + 2, end, "::") && !op(c, p + 2, end, "[")) {
			/* the grammar folds the sign into the constant: -2147483648 is int4 */
			e->oid = number_type(c, p + 1, true);
			*pp = p + 2;
			return true;
		}
		if (strcmp(o, "-") != 0 && strcmp(o, "+") != 0 && strcmp(o, "~") != 0 &&
		    strcmp(o, "@") != 0 && strcmp(o, "|/") != 0 && strcmp(o, "||/") != 0)
			return false;
		p++;
		expr(c, &p, end, 14, sc, &s);
		ev_set(e, (o[0] == '|') ? T_FLOAT8 : s.oid, "?column?", 0);
		*pp = p;
		return true;
	default:
		return false;
	}
}

/* Binding power of the infix operator at p (PostgreSQL's precedence
 * table, higher binds tighter), 0 if there is none. */
static int infix_bp(const struct cx *c, size_t p, size_t end)
{
	char o[8];

	switch (kind_at(c, p, end)) {
	case LX_OP:
		tok_text(c, p, o, sizeof(o));
		if (strcmp(o, "::") == 0)
			return 16;
		if (strcmp(o, "^") == 0)
			return 11;
		if (strcmp(o, "*") == 0 || strcmp(o, "/") == 0 || strcmp(o, "%") == 0)
			return 10;
		if (strcmp(o, "+") == 0 || strcmp(o, "-") == 0)
			return 9;
		if (strcmp(o, "<") == 0 || strcmp(o, ">") == 0 || strcmp(o, "=") == 0 ||
		    strcmp(o, "<=") == 0 || strcmp(o, ">=") == 0 || strcmp(o, "<>") == 0 ||
		    strcmp(o, "!=") == 0)
			return 5;
		return 8;
	case LX_PUNCT:
		return op(c, p, end, "[") ? 15 : 0;
	case LX_WORD:
		if (kw(c, p, end, "or"))
			return 1;
		if (kw(c, p, end, "and"))
			return 2;
		if (kw(c, p, end, "is") || kw(c, p, end, "isnull") || kw(c, p, end, "notnull"))
			return 4;
		if (kw(c, p, end, "not"))
			p++;
		if (kw(c, p, end, "between") || kw(c, p, end, "in") || kw(c, p, end, "like") ||
		    kw(c, p, end, "ilike") || kw(c, p, end, "similar"))
			return 6;
		if (kw(c, p, end, "at") && kw(c, p + 1, end, "time") && kw(c, p + 2, end, "zone"))
			return 12;
		if (kw(c, p, end, "collate"))
			return 13;
		if (kw(c, p, end, "operator") && op(c, p + 1, end, "("))
			return 8;
		return 0;
	default:
		return 0;
	}
}

/* IS [NOT] NULL | TRUE | FALSE | UNKNOWN | DISTINCT FROM x | ... */
static size_t is_op(struct cx *c, size_t p, size_t end, const struct scope *sc, struct ev *l)
{
	struct ev r;

	if (kw(c, p, end, "not"))
		p++;
	if (kw(c, p, end, "true") || kw(c, p, end, "false") || kw(c, p, end, "unknown")) {
		bool_ctx(c, l);
		p++;
	} else if (kw(c, p, end, "distinct") && kw(c, p + 1, end, "from")) {
		p += 2;
		expr(c, &p, end, 5, sc, &r);
		infer_pair(c, l, &r);
	} else if (kw(c, p, end, "of") && op(c, p + 1, end, "(")) {
		p = past(c, p + 1, end);
	} else {
		while (kw(c, p, end, "nfc") || kw(c, p, end, "nfd") || kw(c, p, end, "nfkc") ||
		       kw(c, p, end, "nfkd"))
			p++;
		if (kw(c, p, end, "null") || kw(c, p, end, "document") ||
		    kw(c, p, end, "normalized"))
			p++;
	}
	ev_set(l, T_BOOL, "?column?", 0);
	return p;
}

/* x [NOT] IN ( list | query ) */
static size_t in_op(struct cx *c, size_t p, size_t end, const struct scope *sc, struct ev *l)
{
	struct ev r;

	if (!op(c, p, end, "(")) {
		expr(c, &p, end, 7, sc, &r);
		ev_set(l, T_BOOL, "?column?", 0);
		return p;
	}
	if (starts_query(c, p + 1, closer(c, p, end))) {
		struct colvec cv = {0};
		parse_query(c, p + 1, closer(c, p, end), sc, NULL, 0, &cv);
		if (cv.n > 0)
			infer(c, l, out_oid(cv.v[0].c.oid));
		cv_free(&cv);
	} else {
		size_t q = closer(c, p, end);
		for (size_t a = p + 1; a < q && !c->oom;) {
			size_t ae = find_top(c, a, q, is_comma);
			expr(c, &a, ae, 0, sc, &r);
			infer_pair(c, l, &r);
			if (a < ae)
				walk(c, a, ae, sc);
			if (ae >= q)
				break;
			a = ae + 1;
		}
	}
	ev_set(l, T_BOOL, "?column?", 0);
	return past(c, p, end);
}

/* A binary operator other than arithmetic and comparison. */
static uint32_t other_op(struct cx *c, const char *o, struct ev *l, struct ev *r)
{
	static const char *const regex[] = {"~", "~*", "!~", "!~*", "~~", "~~*", "!~~", "!~~*"};
	static const char *const boolops[] = {"@>", "<@", "&&", "?", "?|", "?&", "@@", "-|-"};

	if (strcmp(o, "||") == 0) {
		if (l->oid == T_BYTEA || l->oid == T_JSONB || elem_of(l->oid) != 0)
			return l->oid;
		if (r->oid == T_BYTEA || r->oid == T_JSONB || elem_of(r->oid) != 0)
			return r->oid;
		infer(c, l, T_TEXT);
		infer(c, r, T_TEXT);
		return T_TEXT;
	}
	for (size_t i = 0; i < sizeof(regex) / sizeof(regex[0]); i++)
		if (strcmp(o, regex[i]) == 0) {
			infer(c, l, T_TEXT);
			infer(c, r, T_TEXT);
			return T_BOOL;
		}
	for (size_t i = 0; i < sizeof(boolops) / sizeof(boolops[0]); i++)
		if (strcmp(o, boolops[i]) == 0) {
			infer_pair(c, l, r);
			return T_BOOL;
		}
	if (strcmp(o, "->>") == 0 || strcmp(o, "#>>") == 0)
		return T_TEXT;
	if (strcmp(o, "->") == 0 || strcmp(o, "#>") == 0)
		return l->oid;
	if (strcmp(o, "<<") == 0 || strcmp(o, ">>") == 0 || strcmp(o, "&") == 0 ||
	    strcmp(o, "|") == 0 || strcmp(o, "#") == 0) {
		if (num_rank(l->oid) || num_rank(r->oid))
			infer_pair(c, l, r);
		return l->oid == T_UNKNOWN ? r->oid : l->oid;
	}
	return 0;
}

/* Apply the infix operator at p (binding power bp) to the left operand l. */
static size_t infix(struct cx *c, size_t p, size_t end, int bp, const struct scope *sc,
		    struct ev *l)
{
	struct ev r;
	char o[16];

	if (kind_at(c, p, end) == LX_WORD) {
		if (kw(c, p, end, "or") || kw(c, p, end, "and")) {
			p++;
			expr(c, &p, end, bp + 1, sc, &r);
			bool_ctx(c, l);
			bool_ctx(c, &r);
			ev_set(l, T_BOOL, "?column?", 0);
			return p;
		}
		if (kw(c, p, end, "isnull") || kw(c, p, end, "notnull")) {
			ev_set(l, T_BOOL, "?column?", 0);
			return p + 1;
		}
		if (kw(c, p, end, "is"))
			return is_op(c, p + 1, end, sc, l);
		if (kw(c, p, end, "at")) {
			uint32_t t = l->oid == T_TIMESTAMPTZ			? T_TIMESTAMP
				     : l->oid == T_TIMESTAMP			? T_TIMESTAMPTZ
				     : (l->oid == T_TIME || l->oid == T_TIMETZ) ? T_TIMETZ
										: 0;
			p += 3;
			expr(c, &p, end, 13, sc, &r);
			infer(c, &r, T_TEXT);
			ev_set(l, t, "timezone", 2); /* the grammar calls timezone() */
			return p;
		}
		if (kw(c, p, end, "collate")) {
			p++;
			while (is_name(c, p, end) && op(c, p + 1, end, ".") &&
			       is_name(c, p + 2, end))
				p += 2;
			return is_name(c, p, end) ? p + 1 : p;
		}
		if (kw(c, p, end, "operator")) { /* OPERATOR(pg_catalog.~) */
			size_t q = closer(c, p + 1, end);
			if (q > p + 2)
				tok_text(c, q - 1, o, sizeof(o));
			else
				o[0] = '\0';
			p = past(c, p + 1, end);
			expr(c, &p, end, bp + 1, sc, &r);
			ev_set(l, other_op(c, o, l, &r), "?column?", 0);
			return p;
		}
		if (kw(c, p, end, "not"))
			p++;
		if (kw(c, p, end, "between")) {
			struct ev hi;
			p++;
			if (kw(c, p, end, "symmetric") || kw(c, p, end, "asymmetric"))
				p++;
			expr(c, &p, end, 7, sc, &r);
			infer_pair(c, l, &r);
			if (kw(c, p, end, "and")) {
				p++;
				expr(c, &p, end, 7, sc, &hi);
				infer_pair(c, l, &hi);
				infer_pair(c, &r, &hi);
			}
			ev_set(l, T_BOOL, "?column?", 0);
			return p;
		}
		if (kw(c, p, end, "in"))
			return in_op(c, p + 1, end, sc, l);
		/* LIKE, ILIKE, SIMILAR TO: the pattern is text */
		p++;
		if (kw(c, p - 1, end, "similar") && kw(c, p, end, "to"))
			p++;
		expr(c, &p, end, 7, sc, &r);
		infer(c, l, T_TEXT);
		infer(c, &r, T_TEXT);
		if (kw(c, p, end, "escape")) {
			p++;
			expr(c, &p, end, 7, sc, &r);
			infer(c, &r, T_TEXT);
		}
		ev_set(l, T_BOOL, "?column?", 0);
		return p;
	}
	if (op(c, p, end, "[")) {
		size_t q = closer(c, p, end);
		if (kind_at(c, p + 1, q) == LX_PARAM && p + 2 == q)
			set_param(c, tok(c, p + 1)->param, T_INT4);
		walk(c, p + 1, q, sc);
		/* a slice keeps the array type; FigureColname keeps the name */
		if (find_top(c, p + 1, q, is_comma) >= q) {
			bool slice = false;
			for (size_t k = p + 1; k < q; k++)
				if (op(c, k, q, ":"))
					slice = true;
			if (!slice)
				l->oid = elem_of(l->oid);
		}
		l->param = 0;
		return past(c, p, end);
	}
	tok_text(c, p, o, sizeof(o));
	p++;
	if (strcmp(o, "::") == 0) {
		char tn[DESC_NAME_MAX];
		size_t s = p;
		uint32_t t = read_type(c, &p, end, tn);
		if (p == s)
			return p;
		infer(c, l, t);
		l->oid = t;
		l->param = 0;
		if (l->strength <= 1) {
			set_str(l->name, sizeof(l->name), tn);
			l->strength = 1;
		}
		return p;
	}
	if (bp == 5) {
		/* comparison, maybe with ANY/ALL/SOME (array or subquery) */
		if ((kw(c, p, end, "any") || kw(c, p, end, "all") || kw(c, p, end, "some")) &&
		    op(c, p + 1, end, "(")) {
			size_t q = closer(c, p + 1, end), a = p + 2;
			if (starts_query(c, a, q)) {
				struct colvec cv = {0};
				parse_query(c, a, q, sc, NULL, 0, &cv);
				if (cv.n > 0)
					infer(c, l, out_oid(cv.v[0].c.oid));
				cv_free(&cv);
			} else {
				expr(c, &a, q, 0, sc, &r);
				if (a < q)
					walk(c, a, q, sc);
				infer(c, &r, array_of(l->oid));
				infer(c, l, elem_of(r.oid));
			}
			p = past(c, p + 1, end);
		} else {
			expr(c, &p, end, bp + 1, sc, &r);
			infer_pair(c, l, &r);
		}
		ev_set(l, T_BOOL, "?column?", 0);
		return p;
	}
	expr(c, &p, end, bp + 1, sc, &r);
	if (bp == 9 || bp == 10) {
		uint32_t t;
		if (l->param != 0 && l->oid == 0 && r.oid != 0 && r.oid != T_UNKNOWN)
			infer(c, l, arith_param(o[0], r.oid));
		if (r.param != 0 && r.oid == 0 && l->oid != 0 && l->oid != T_UNKNOWN)
			infer(c, &r, arith_param(o[0], l->oid));
		t = arith_type(o[0], l->oid, r.oid);
		ev_set(l, t, "?column?", 0);
	} else if (bp == 11) {
		uint32_t t = (l->oid == T_NUMERIC || r.oid == T_NUMERIC) ? T_NUMERIC : T_FLOAT8;
		infer(c, l, t);
		infer(c, &r, t);
		ev_set(l, t, "?column?", 0);
	} else {
		ev_set(l, other_op(c, o, l, &r), "?column?", 0);
	}
	return p;
}

/*
 * An expression at *pp, read up to the first token that cannot continue
 * it (a keyword, a comma, a closing parenthesis) or end; only operators
 * binding at least minbp are taken.  *pp is left after it, unchanged if
 * no expression starts there.
 */
static void expr(struct cx *c, size_t *pp, size_t end, int minbp, const struct scope *sc,
		 struct ev *e)
{
	size_t p = *pp;

	ev_clear(e);
	if (c->oom || p >= end)
		return;
	if (c->depth >= MAX_DEPTH) {
		*pp = end;
		return;
	}
	c->depth++;
	if (prefix(c, &p, end, sc, e)) {
		for (;;) {
			int bp = infix_bp(c, p, end);
			if (bp == 0 || bp < minbp || c->oom)
				break;
			p = infix(c, p, end, bp, sc, e);
		}
		*pp = p;
	}
	c->depth--;
}

/* Read everything in [p, end) as expressions, so that parameters and
 * subqueries in parts this reader does not understand are still seen. */
static void walk(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	while (p < end && !c->oom) {
		size_t s = p;
		struct ev e;
		expr(c, &p, end, 0, sc, &e);
		if (p != s)
			continue;
		if (op(c, p, end, "[")) {
			walk(c, p + 1, closer(c, p, end), sc);
			p = past(c, p, end);
		} else {
			p++;
		}
	}
}

/* A boolean condition (WHERE, HAVING, ON): a lone $n in it is bool. */
static void condition(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	struct ev e;

	expr(c, &p, end, 0, sc, &e);
	bool_ctx(c, &e);
	if (p < end)
		walk(c, p, end, sc);
}

/* ---------------------------------------------------------------------- */
/* Queries */

/* One item of a select or RETURNING list: *, t.*, or expr [[AS] alias]. */
static void select_item(struct cx *c, size_t p, size_t end, struct scope *sc, struct colvec *out)
{
	char alias[DESC_NAME_MAX];
	bool has_alias = false;
	struct ev e;
	size_t q = p;

	if (op(c, p, end, "*") && p + 1 == end) {
		/* PostgreSQL puts merged join columns first, SQLite leaves them
		 * where the left table has them: let the engine describe it */
		if (sc->merged) {
			out->unknown = true;
			return;
		}
		for (int i = 0; i < sc->nrels; i++)
			rel_expand(c, &sc->rels[i], out);
		return;
	}
	if (is_name(c, p, end) && op(c, p + 1, end, ".") && op(c, p + 2, end, "*") &&
	    p + 3 == end) {
		ident(c, p, alias);
		for (const struct scope *s = sc; s != NULL; s = s->parent)
			for (int i = 0; i < s->nrels; i++)
				if (strcmp(s->rels[i].alias, alias) == 0) {
					rel_expand(c, &s->rels[i], out);
					return;
				}
		out->unknown = true;
		return;
	}
	expr(c, &q, end, 0, sc, &e);
	if (kw(c, q, end, "as") && is_name(c, q + 1, end)) {
		ident(c, q + 1, alias);
		has_alias = true;
		q += 2;
	} else if (is_name(c, q, end) && q + 1 == end && !reserved(c, q, end)) {
		ident(c, q, alias);
		has_alias = true;
		q++;
	}
	if (q < end)
		walk(c, q, end, sc);
	cv_push(c, out, has_alias ? alias : e.name, e.oid, e.param);
}

static void select_list(struct cx *c, size_t p, size_t end, struct scope *sc, struct colvec *out)
{
	while (p < end && !c->oom) {
		size_t e = find_top(c, p, end, is_comma);
		select_item(c, p, e, sc, out);
		if (e >= end)
			break;
		p = e + 1;
	}
}

/* Column alias list "(a, b)" at p renaming a relation's columns. */
static size_t column_aliases(struct cx *c, size_t p, size_t end, struct rel *r)
{
	size_t q = closer(c, p, end);
	int i = 0;

	rel_materialize(c, r);
	for (size_t a = p + 1; a < q; a++) {
		if (!is_name(c, a, q))
			continue;
		if (i < r->ncols)
			ident(c, a, r->cols[i].name);
		i++;
	}
	return past(c, p, end);
}

/* [AS] alias [(column aliases)] after a FROM item. */
static size_t read_alias(struct cx *c, size_t p, size_t end, struct rel *r)
{
	bool has = false;

	if (kw(c, p, end, "as") && is_name(c, p + 1, end)) {
		ident(c, p + 1, r->alias);
		p += 2;
		has = true;
	} else if (is_name(c, p, end) && !reserved(c, p, end)) {
		ident(c, p, r->alias);
		p++;
		has = true;
	}
	if (has && op(c, p, end, "("))
		return column_aliases(c, p, end, r);
	/* a function returning one value names its column after the alias */
	if (has && r->func && r->ncols == 1)
		memcpy(r->cols[0].name, r->alias, sizeof(r->alias));
	return p;
}

static size_t from_list(struct cx *c, size_t p, size_t end, struct scope *sc);

/* One FROM item: [LATERAL] (query) | (join) | function(...) | table, with
 * its alias. */
static size_t from_item(struct cx *c, size_t p, size_t end, struct scope *sc)
{
	char table[2 * DESC_NAME_MAX], alias[DESC_NAME_MAX];
	struct rel *r;

	while (kw(c, p, end, "lateral") || kw(c, p, end, "only"))
		p++;
	if (op(c, p, end, "(")) {
		size_t q = closer(c, p, end);
		struct colvec cv = {0};
		if (!starts_query(c, p + 1, q)) { /* (a JOIN b) */
			from_list(c, p + 1, q, sc);
			p = past(c, p, end);
			if (kw(c, p, end, "as"))
				p++;
			return is_name(c, p, end) && !reserved(c, p, end) ? p + 1 : p;
		}
		/* the enclosing scope is visible for LATERAL subqueries */
		parse_query(c, p + 1, q, sc, NULL, 0, &cv);
		r = scope_add(c, sc, false);
		if (r != NULL)
			rel_set_cols(c, r, &cv);
		cv_free(&cv);
		p = past(c, p, end);
		return r != NULL ? read_alias(c, p, end, r) : end;
	}
	if (!read_relname(c, &p, end, table, alias))
		return p + 1;
	if (op(c, p, end, "(")) { /* a function in FROM */
		struct ev e;
		const struct fninfo *f = fn_find(alias);
		func_call(c, &p, end, sc, alias, &e);
		r = scope_add(c, sc, false);
		if (r == NULL)
			return end;
		set_str(r->alias, sizeof(r->alias), alias);
		r->derived = true;
		r->ncols = -1;
		if (f != NULL) { /* scalar or one-column set-returning */
			r->cols = malloc(sizeof(*r->cols));
			if (r->cols == NULL) {
				c->oom = true;
				return end;
			}
			set_str(r->cols[0].name, DESC_NAME_MAX, alias);
			r->cols[0].oid = e.oid;
			r->ncols = 1;
			r->func = true;
		}
		return read_alias(c, p, end, r);
	}
	{
		const struct rel *cte = strchr(table, '.') == NULL ? find_cte(sc, table) : NULL;
		struct desc_column *cols = NULL;
		if (cte != NULL && cte->ncols > 0) {
			cols = malloc((size_t)cte->ncols * sizeof(*cols));
			if (cols == NULL) {
				c->oom = true;
				return end;
			}
			memcpy(cols, cte->cols, (size_t)cte->ncols * sizeof(*cols));
		}
		r = scope_add(c, sc, false);
		if (r == NULL) {
			free(cols);
			return end;
		}
		set_str(r->alias, sizeof(r->alias), alias);
		set_str(r->table, sizeof(r->table), table);
		if (cte != NULL) {
			r->derived = true;
			r->ncols = cte->ncols;
			r->cols = cols;
		}
	}
	return read_alias(c, p, end, r);
}

/* FROM items separated by commas, each with its JOINs; ON conditions are
 * read once both sides are in scope. */
static size_t from_list(struct cx *c, size_t p, size_t end, struct scope *sc)
{
	while (p < end && !c->oom) {
		p = from_item(c, p, end, sc);
		for (;;) {
			size_t q = p;
			if (kw(c, q, end, "natural"))
				sc->merged = true;
			while (kw(c, q, end, "natural") || kw(c, q, end, "inner") ||
			       kw(c, q, end, "left") || kw(c, q, end, "right") ||
			       kw(c, q, end, "full") || kw(c, q, end, "outer") ||
			       kw(c, q, end, "cross"))
				q++;
			if (!kw(c, q, end, "join") || c->oom)
				break;
			p = from_item(c, q + 1, end, sc);
			if (kw(c, p, end, "on")) {
				struct ev e;
				p++;
				expr(c, &p, end, 0, sc, &e);
				bool_ctx(c, &e);
			} else if (kw(c, p, end, "using") && op(c, p + 1, end, "(")) {
				sc->merged = true;
				p = past(c, p + 1, end);
			}
		}
		if (op(c, p, end, ",")) {
			p++;
			continue;
		}
		if (p < end)
			walk(c, p, end, sc);
		break;
	}
	return end;
}

/* VALUES (..), (..): columns named column1..N, typed by the rows; with
 * targets (INSERT), each row's bare parameters take the target types. */
static void values_rows(struct cx *c, size_t p, size_t end, const struct scope *sc,
			const uint32_t *targets, int ntargets, struct colvec *out)
{
	bool first = true;

	while (op(c, p, end, "(") && !c->oom) {
		size_t q = closer(c, p, end);
		int i = 0;
		for (size_t a = p + 1; a < q && !c->oom; i++) {
			size_t ae = find_top(c, a, q, is_comma);
			struct ev e;
			ev_clear(&e);
			if (kw(c, a, ae, "default") && a + 1 == ae) {
				a = ae;
				if (targets != NULL && i < ntargets)
					e.oid = targets[i];
			} else {
				expr(c, &a, ae, 0, sc, &e);
				if (a < ae)
					walk(c, a, ae, sc);
			}
			if (targets != NULL && i < ntargets)
				infer(c, &e, targets[i]);
			if (first) {
				char name[16] = "column";
				int k = 6, v = i + 1, digits = 1;
				for (int t = v; t >= 10; t /= 10)
					digits++;
				for (int d = digits - 1; d >= 0; d--, v /= 10)
					name[k + d] = (char)('0' + v % 10);
				name[k + digits] = '\0';
				cv_push(c, out, name, e.oid, e.param);
			} else if (i < out->n) {
				out->v[i].c.oid = common_type(out->v[i].c.oid, e.oid);
				if (out->v[i].c.oid != T_UNKNOWN)
					infer(c, &e, out->v[i].c.oid);
			}
			if (ae >= q)
				break;
			a = ae + 1;
		}
		first = false;
		p = past(c, p, end);
		if (!op(c, p, end, ","))
			break;
		p++;
	}
	if (p < end)
		walk(c, p, end, sc);
}

/* The end of the clause starting at x: the next of WHERE, GROUP BY,
 * HAVING, WINDOW after it. */
static size_t clause_end(const size_t cl[4], size_t x, size_t end)
{
	size_t e = end;

	for (int i = 0; i < 4; i++)
		if (cl[i] > x && cl[i] < e)
			e = cl[i];
	return e;
}

/* One SELECT (or VALUES, TABLE, (query)) of a query. sc is this core's
 * scope, kept by the caller for the query's ORDER BY. */
static void parse_core(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       const uint32_t *targets, int ntargets, struct colvec *out, struct scope *sc)
{
	size_t from = end, where = end, group = end, having = end, window = end, into = end;
	size_t don = end, donend = end, items_end, cl[4];

	sc->parent = parent;
	if (op(c, p, end, "(") && closer(c, p, end) + 1 == end) {
		parse_query(c, p + 1, end - 1, parent, targets, ntargets, out);
		return;
	}
	if (kw(c, p, end, "values")) {
		values_rows(c, p + 1, end, parent, targets, ntargets, out);
		return;
	}
	if (kw(c, p, end, "table")) {
		p++;
		from_item(c, p, end, sc);
		for (int i = 0; i < sc->nrels; i++)
			rel_expand(c, &sc->rels[i], out);
		return;
	}
	if (!kw(c, p, end, "select")) {
		walk(c, p, end, parent);
		out->unknown = true;
		return;
	}
	p++;
	if (kw(c, p, end, "distinct")) {
		p++;
		if (kw(c, p, end, "on") && op(c, p + 1, end, "(")) {
			don = p + 2;
			donend = closer(c, p + 1, end);
			p = past(c, p + 1, end);
		}
	} else if (kw(c, p, end, "all")) {
		p++;
	}
	for (size_t q = p; q < end; q++) {
		if (op(c, q, end, "(") || op(c, q, end, "[")) {
			q = closer(c, q, end);
			continue;
		}
		if (kw(c, q, end, "from") && !kw(c, q - 1, end, "distinct") && from == end)
			from = q;
		else if (kw(c, q, end, "where") && where == end)
			where = q;
		else if (kw(c, q, end, "group") && kw(c, q + 1, end, "by") && group == end)
			group = q;
		else if (kw(c, q, end, "having") && having == end)
			having = q;
		else if (kw(c, q, end, "window") && window == end)
			window = q;
		else if (kw(c, q, end, "into") && into == end && from == end)
			into = q;
	}
	cl[0] = where;
	cl[1] = group;
	cl[2] = having;
	cl[3] = window;
	items_end = from < into ? from : into;
	if (where < items_end)
		items_end = where;
	if (group < items_end)
		items_end = group;
	if (having < items_end)
		items_end = having;
	if (window < items_end)
		items_end = window;
	/* PostgreSQL's order: FROM, the select list, WHERE, GROUP BY, HAVING */
	if (from < end)
		from_list(c, from + 1, clause_end(cl, from, end), sc);
	select_list(c, p, items_end, sc, out);
	if (don < end)
		walk(c, don, donend, sc);
	if (where < end)
		condition(c, where + 1, clause_end(cl, where, end), sc);
	if (group < end)
		walk(c, group + 2, clause_end(cl, group, end), sc);
	if (having < end)
		condition(c, having + 1, clause_end(cl, having, end), sc);
	if (window < end)
		walk(c, window + 1, end, sc);
}

/* A LIMIT / OFFSET / FETCH count: int8. */
static size_t row_count(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	struct ev e;

	if (kw(c, p, end, "all"))
		return p + 1;
	expr(c, &p, end, 0, sc, &e);
	infer(c, &e, T_INT8);
	return p;
}

/* The query-level clauses after the set operations. */
static void query_tail(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	while (p < end && !c->oom) {
		if (kw(c, p, end, "order") && kw(c, p + 1, end, "by")) {
			size_t e = p + 2;
			while (e < end && !is_tail(c, e, end)) {
				if (op(c, e, end, "(") || op(c, e, end, "["))
					e = closer(c, e, end);
				e++;
			}
			walk(c, p + 2, e < end ? e : end, sc);
			p = e;
		} else if (kw(c, p, end, "limit") || kw(c, p, end, "offset")) {
			p = row_count(c, p + 1, end, sc);
			if (kw(c, p, end, "row") || kw(c, p, end, "rows"))
				p++;
		} else if (kw(c, p, end, "fetch")) {
			p++;
			if (kw(c, p, end, "first") || kw(c, p, end, "next"))
				p++;
			if (!kw(c, p, end, "row") && !kw(c, p, end, "rows"))
				p = row_count(c, p, end, sc);
			while (p < end && !is_tail(c, p, end))
				p++;
		} else {
			p++; /* FOR UPDATE ... */
		}
	}
}

/* Output columns that are exactly $n and still untyped: PostgreSQL gives
 * them the INSERT target's type, or else text. */
static void resolve_bare(struct cx *c, struct colvec *out, const uint32_t *targets, int ntargets)
{
	for (int i = 0; i < out->n; i++) {
		struct ocol *o = &out->v[i];
		uint32_t t;
		if (o->param == 0)
			continue;
		t = param_type(c, o->param);
		if (t == 0) {
			t = (o->c.oid != 0 && o->c.oid != T_UNKNOWN)		   ? o->c.oid
			    : (targets != NULL && i < ntargets && targets[i] != 0) ? targets[i]
										   : T_TEXT;
			set_param(c, o->param, t);
			t = param_type(c, o->param);
		}
		o->c.oid = t;
	}
}

static size_t parse_with(struct cx *c, size_t p, size_t end, struct scope *sc);
static bool dml(struct cx *c, size_t p, size_t end, const struct scope *parent, struct colvec *out);

/*
 * A query at [p, end): [WITH ...] core { UNION|INTERSECT|EXCEPT core }
 * [ORDER BY] [LIMIT] [OFFSET] [FETCH] [FOR ...], or a data-modifying
 * statement.  Names come from the first core, types from the first core
 * where known, else from the others.  Returns whether it returns rows.
 */
static bool parse_query(struct cx *c, size_t p, size_t end, const struct scope *parent,
			const uint32_t *targets, int ntargets, struct colvec *out)
{
	struct scope cte = {0}, first = {0};
	size_t tail, q;
	int ncores = 0;
	bool rows = true;

	if (c->depth >= MAX_DEPTH || c->oom) {
		out->unknown = true;
		return true;
	}
	c->depth++;
	cte.parent = parent;
	if (kw(c, p, end, "with"))
		p = parse_with(c, p + 1, end, &cte);
	if (kw(c, p, end, "insert") || kw(c, p, end, "update") || kw(c, p, end, "delete")) {
		rows = dml(c, p, end, &cte, out);
		goto done;
	}
	tail = find_top(c, p, end, is_tail);
	for (q = p; q < tail && !c->oom; ncores++) {
		size_t ce = find_top(c, q, tail, is_setop);
		if (ncores == 0) {
			parse_core(c, q, ce, &cte, targets, ntargets, out, &first);
		} else {
			struct scope s2 = {0};
			struct colvec cv = {0};
			parse_core(c, q, ce, &cte, targets, ntargets, &cv, &s2);
			if (cv.unknown)
				out->unknown = true;
			for (int i = 0; i < out->n && i < cv.n; i++) {
				out->v[i].c.oid = common_type(out->v[i].c.oid, cv.v[i].c.oid);
				if (cv.v[i].param != 0)
					set_param(c, cv.v[i].param, out->v[i].c.oid);
			}
			scope_free(&s2);
			cv_free(&cv);
		}
		if (ce >= tail)
			break;
		q = ce + 1;
		if (kw(c, q, tail, "all") || kw(c, q, tail, "distinct"))
			q++;
	}
	/* ORDER BY of a single SELECT also sees its FROM items */
	query_tail(c, tail, end, ncores <= 1 ? &first : &cte);
	resolve_bare(c, out, targets, ntargets);
	for (int i = 0; i < out->n; i++)
		out->v[i].c.oid = out_oid(out->v[i].c.oid);
done:
	scope_free(&first);
	scope_free(&cte);
	c->depth--;
	return rows;
}

/* WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (stmt), ... */
static size_t parse_with(struct cx *c, size_t p, size_t end, struct scope *sc)
{
	bool recursive = kw(c, p, end, "recursive");

	if (recursive)
		p++;
	while (is_name(c, p, end) && !c->oom) {
		char name[DESC_NAME_MAX];
		size_t cols = end, body;
		struct colvec cv = {0};
		struct rel *r;

		ident(c, p, name);
		p++;
		if (op(c, p, end, "(")) {
			cols = p;
			p = past(c, p, end);
		}
		if (!kw(c, p, end, "as"))
			break;
		p++;
		if (kw(c, p, end, "not"))
			p++;
		if (kw(c, p, end, "materialized"))
			p++;
		if (!op(c, p, end, "("))
			break;
		body = p;
		parse_query(c, body + 1, closer(c, body, end), sc, NULL, 0, &cv);
		r = scope_add(c, sc, true);
		if (r != NULL) {
			set_str(r->alias, sizeof(r->alias), name);
			rel_set_cols(c, r, &cv);
			if (cols < end)
				column_aliases(c, cols, end, r);
		}
		cv_free(&cv);
		if (recursive && r != NULL) {
			/* the recursive term refers to the CTE itself: read it
			 * again now that its columns are known */
			parse_query(c, body + 1, closer(c, body, end), sc, NULL, 0, &cv);
			cv_free(&cv);
		}
		p = past(c, body, end);
		if (!op(c, p, end, ","))
			break;
		p++;
	}
	return p;
}

/* SET col = expr, (a, b) = (x, y), ... of UPDATE and ON CONFLICT DO UPDATE. */
static void assignments(struct cx *c, size_t p, size_t end, const struct scope *sc,
			const char *table)
{
	while (p < end && !c->oom) {
		size_t ie = find_top(c, p, end, is_comma), q = p;
		struct ev e;

		if (op(c, q, ie, "(")) { /* (a, b) = (x, y) | (subquery) */
			size_t cq = closer(c, q, ie), a = q + 1;
			uint32_t t[MAX_ARGS] = {0};
			int nt = 0;
			for (; a < cq; a++)
				if (is_name(c, a, cq) && nt < MAX_ARGS) {
					char col[DESC_NAME_MAX];
					ident(c, a, col);
					if (c->schema != NULL && c->schema->column_type != NULL)
						t[nt] = c->schema->column_type(c->schema->arg,
									       table, col);
					nt++;
				}
			q = past(c, q, ie);
			if (op(c, q, ie, "="))
				q++;
			if (kw(c, q, ie, "row"))
				q++;
			if (op(c, q, ie, "(") && !starts_query(c, q + 1, closer(c, q, ie))) {
				size_t rq = closer(c, q, ie);
				int i = 0;
				for (size_t b = q + 1; b < rq; i++) {
					size_t be = find_top(c, b, rq, is_comma);
					expr(c, &b, be, 0, sc, &e);
					if (i < nt)
						infer(c, &e, t[i]);
					if (b < be)
						walk(c, b, be, sc);
					if (be >= rq)
						break;
					b = be + 1;
				}
			} else {
				walk(c, q, ie, sc);
			}
		} else if (is_name(c, q, ie)) {
			char col[DESC_NAME_MAX];
			uint32_t t = 0;
			ident(c, q, col);
			q++;
			if (op(c, q, ie, "=") && c->schema != NULL &&
			    c->schema->column_type != NULL)
				t = c->schema->column_type(c->schema->arg, table, col);
			while (q < ie && !op(c, q, ie, "=")) /* col.field, col[i] */
				q = op(c, q, ie, "[") ? past(c, q, ie) : q + 1;
			q++;
			if (!(kw(c, q, ie, "default") && q + 1 == ie)) {
				expr(c, &q, ie, 0, sc, &e);
				infer(c, &e, t);
				if (q < ie)
					walk(c, q, ie, sc);
			}
		} else {
			walk(c, q, ie, sc);
		}
		if (ie >= end)
			break;
		p = ie + 1;
	}
}

/* RETURNING list: like a select list over the target (and FROM) scope. */
static void returning(struct cx *c, size_t p, size_t end, struct scope *sc, struct colvec *out)
{
	select_list(c, p, end, sc, out);
	resolve_bare(c, out, NULL, 0);
	for (int i = 0; i < out->n; i++)
		out->v[i].c.oid = out_oid(out->v[i].c.oid);
}

/* The target table of INSERT/UPDATE/DELETE with its alias, as the first
 * relation of ts. */
static struct rel *target(struct cx *c, size_t *pp, size_t end, struct scope *ts)
{
	char table[2 * DESC_NAME_MAX], alias[DESC_NAME_MAX];
	struct rel *r;
	size_t p = *pp;

	if (kw(c, p, end, "only"))
		p++;
	if (!read_relname(c, &p, end, table, alias))
		return NULL;
	if (op(c, p, end, "*"))
		p++;
	r = scope_add(c, ts, false);
	if (r == NULL)
		return NULL;
	set_str(r->table, sizeof(r->table), table);
	set_str(r->alias, sizeof(r->alias), alias);
	if (kw(c, p, end, "as") && is_name(c, p + 1, end)) {
		ident(c, p + 1, r->alias);
		p += 2;
	} else if (is_name(c, p, end) && !reserved(c, p, end) && !kw(c, p, end, "default") &&
		   !kw(c, p, end, "overriding")) {
		ident(c, p, r->alias);
		p++;
	}
	*pp = p;
	return r;
}

static bool dml_insert(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       struct colvec *out)
{
	struct scope ts = {0}, cs = {0};
	uint32_t *targets = NULL;
	int ntargets = 0;
	struct rel *r;
	size_t body_end;
	bool rows = false;
	char table[2 * DESC_NAME_MAX];

	ts.parent = parent;
	p++;
	if (kw(c, p, end, "into"))
		p++;
	r = target(c, &p, end, &ts);
	if (r == NULL) {
		walk(c, p, end, parent);
		goto done;
	}
	memcpy(table, r->table, sizeof(table));
	if (op(c, p, end, "(") && !starts_query(c, p + 1, closer(c, p, end))) {
		size_t q = closer(c, p, end);
		int n = 0;
		for (size_t a = p + 1; a < q; a++)
			if (is_name(c, a, q) && (a == p + 1 || op(c, a - 1, q, ",")))
				n++;
		targets = calloc(n > 0 ? (size_t)n : 1, sizeof(*targets));
		if (targets == NULL) {
			c->oom = true;
			goto done;
		}
		for (size_t a = p + 1; a < q; a++)
			if (is_name(c, a, q) && (a == p + 1 || op(c, a - 1, q, ","))) {
				char col[DESC_NAME_MAX];
				ident(c, a, col);
				/* col.field or col[i] is not the column's type */
				if (!op(c, a + 1, q, ".") && !op(c, a + 1, q, "[") &&
				    c->schema != NULL && c->schema->column_type != NULL)
					targets[ntargets] =
					    c->schema->column_type(c->schema->arg, table, col);
				ntargets++;
			}
		p = past(c, p, end);
	} else {
		struct desc_column *cols = NULL;
		int n = fetch_table(c, table, &cols);
		if (n > 0) {
			targets = calloc((size_t)n, sizeof(*targets));
			if (targets == NULL) {
				free(cols);
				c->oom = true;
				goto done;
			}
			for (int i = 0; i < n; i++)
				targets[i] = cols[i].oid;
			ntargets = n;
		}
		free(cols);
	}
	if (kw(c, p, end, "overriding"))
		p += 3;
	body_end = find_top(c, p, end, is_conflict_or_returning);
	if (kw(c, p, body_end, "default") && kw(c, p + 1, body_end, "values")) {
		p += 2;
	} else if (kw(c, p, body_end, "values")) {
		struct colvec cv = {0};
		values_rows(c, p + 1, body_end, parent, targets, ntargets, &cv);
		cv_free(&cv);
	} else if (p < body_end) {
		struct colvec cv = {0};
		parse_query(c, p, body_end, parent, targets, ntargets, &cv);
		cv_free(&cv);
	}
	p = body_end;
	if (kw(c, p, end, "on") && kw(c, p + 1, end, "conflict")) {
		size_t ret = find_top(c, p, end, is_returning), set;
		struct rel *ex;
		p += 2;
		cs.parent = &ts;
		ex = scope_add(c, &cs, false);
		if (ex != NULL) {
			set_str(ex->alias, sizeof(ex->alias), "excluded");
			set_str(ex->table, sizeof(ex->table), table);
		}
		if (op(c, p, ret, "(")) {
			walk(c, p + 1, closer(c, p, ret), &ts);
			p = past(c, p, ret);
		}
		if (kw(c, p, ret, "where")) {
			size_t s = p + 1;
			while (p < ret && !kw(c, p, ret, "do"))
				p++;
			condition(c, s, p, &ts);
		}
		if (kw(c, p, ret, "on") && kw(c, p + 1, ret, "constraint"))
			p += 3;
		for (set = p; set < ret && !kw(c, set, ret, "set"); set++)
			;
		if (set < ret) {
			size_t w = find_top(c, set + 1, ret, is_where_or_returning);
			if (w < ret)
				condition(c, w + 1, ret, &cs);
			assignments(c, set + 1, w, &cs, table);
		}
		p = ret;
	}
	if (kw(c, p, end, "returning")) {
		returning(c, p + 1, end, &ts, out);
		rows = true;
	}
done:
	free(targets);
	scope_free(&cs);
	scope_free(&ts);
	return rows;
}

/* UPDATE t [AS a] SET ... [FROM ...] [WHERE ...] [RETURNING ...], read in
 * PostgreSQL's order: FROM, WHERE, RETURNING, then SET. */
static bool dml_update(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       struct colvec *out)
{
	struct scope ts = {0};
	size_t set, from = end, where = end, ret = end, set_end;
	struct rel *r;
	char table[2 * DESC_NAME_MAX];
	bool rows = false;

	ts.parent = parent;
	p++;
	r = target(c, &p, end, &ts);
	if (r == NULL || !kw(c, p, end, "set")) {
		walk(c, p, end, &ts);
		goto done;
	}
	memcpy(table, r->table, sizeof(table));
	set = p + 1;
	for (size_t q = set; q < end; q++) {
		if (op(c, q, end, "(") || op(c, q, end, "[")) {
			q = closer(c, q, end);
			continue;
		}
		if (kw(c, q, end, "from") && from == end && where == end)
			from = q;
		else if (kw(c, q, end, "where") && where == end)
			where = q;
		else if (kw(c, q, end, "returning") && ret == end)
			ret = q;
	}
	set_end = from < where ? from : where;
	if (ret < set_end)
		set_end = ret;
	if (from < end)
		from_list(c, from + 1, where < ret ? where : ret, &ts);
	if (where < end && !kw(c, where + 1, end, "current"))
		condition(c, where + 1, ret, &ts);
	if (ret < end) {
		returning(c, ret + 1, end, &ts, out);
		rows = true;
	}
	assignments(c, set, set_end, &ts, table);
done:
	scope_free(&ts);
	return rows;
}

/* DELETE FROM t [AS a] [USING ...] [WHERE ...] [RETURNING ...] */
static bool dml_delete(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       struct colvec *out)
{
	struct scope ts = {0};
	size_t using_ = end, where = end, ret = end;
	bool rows = false;

	ts.parent = parent;
	p++;
	if (kw(c, p, end, "from"))
		p++;
	if (target(c, &p, end, &ts) == NULL) {
		walk(c, p, end, &ts);
		goto done;
	}
	for (size_t q = p; q < end; q++) {
		if (op(c, q, end, "(") || op(c, q, end, "[")) {
			q = closer(c, q, end);
			continue;
		}
		if (kw(c, q, end, "using") && using_ == end && where == end)
			using_ = q;
		else if (kw(c, q, end, "where") && where == end)
			where = q;
		else if (kw(c, q, end, "returning") && ret == end)
			ret = q;
	}
	if (using_ < end)
		from_list(c, using_ + 1, where < ret ? where : ret, &ts);
	if (where < end && !kw(c, where + 1, end, "current"))
		condition(c, where + 1, ret, &ts);
	if (ret < end) {
		returning(c, ret + 1, end, &ts, out);
		rows = true;
	}
done:
	scope_free(&ts);
	return rows;
}

static bool dml(struct cx *c, size_t p, size_t end, const struct scope *parent, struct colvec *out)
{
	if (kw(c, p, end, "insert"))
		return dml_insert(c, p, end, parent, out);
	if (kw(c, p, end, "update"))
		return dml_update(c, p, end, parent, out);
	return dml_delete(c, p, end, parent, out);
}

/* SHOW name: one text column named as PostgreSQL spells the setting. */
static void show(struct cx *c, size_t p, size_t end, struct colvec *out)
{
	static const char *const mixed[] = {"DateStyle", "IntervalStyle", "TimeZone"};
	char name[DESC_NAME_MAX];

	if (kw(c, p, end, "all")) {
		cv_push(c, out, "name", T_TEXT, 0);
		cv_push(c, out, "setting", T_TEXT, 0);
		cv_push(c, out, "description", T_TEXT, 0);
		return;
	}
	if (kw(c, p, end, "time") && kw(c, p + 1, end, "zone"))
		set_str(name, sizeof(name), "TimeZone");
	else if (kw(c, p, end, "transaction") && kw(c, p + 1, end, "isolation"))
		set_str(name, sizeof(name), "transaction_isolation");
	else if (kw(c, p, end, "session") && kw(c, p + 1, end, "authorization"))
		set_str(name, sizeof(name), "session_authorization");
	else if (is_name(c, p, end)) {
		char w[DESC_NAME_MAX];
		size_t n;
		ident(c, p, name);
		/* custom.setting */
		if (op(c, p + 1, end, ".") && is_name(c, p + 2, end)) {
			ident(c, p + 2, w);
			n = strlen(name);
			if (n + 1 < sizeof(name)) {
				name[n] = '.';
				set_str(name + n + 1, sizeof(name) - n - 1, w);
			}
		}
		for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
			if (strcasecmp(name, mixed[i]) == 0)
				set_str(name, sizeof(name), mixed[i]);
	} else {
		out->unknown = true;
		return;
	}
	cv_push(c, out, name, T_TEXT, 0);
}

/* ---------------------------------------------------------------------- */

static int build(struct cx *c, const char *text, size_t len)
{
	size_t *stack = NULL, top = 0;
	int maxp = 0;

	if (lex_tokenize(text, len, &c->toks) < 0)
		return -1;
	c->sig = malloc((c->toks.n + 1) * sizeof(*c->sig));
	c->match = malloc((c->toks.n + 1) * sizeof(*c->match));
	stack = malloc((c->toks.n + 1) * sizeof(*stack));
	if (c->sig == NULL || c->match == NULL || stack == NULL) {
		free(stack);
		return -1;
	}
	for (size_t i = 0; i < c->toks.n; i++) {
		if (lex_is_trivia(&c->toks.v[i]))
			continue;
		if (c->toks.v[i].kind == LX_PARAM && c->toks.v[i].param > maxp)
			maxp = c->toks.v[i].param;
		c->sig[c->n] = i;
		c->match[c->n] = SIZE_MAX;
		c->n++;
	}
	for (size_t p = 0; p < c->n; p++) {
		if (lex_is(&c->toks, c->sig[p], "(") || lex_is(&c->toks, c->sig[p], "[")) {
			stack[top++] = p;
		} else if (lex_is(&c->toks, c->sig[p], ")") || lex_is(&c->toks, c->sig[p], "]")) {
			char want = lex_is(&c->toks, c->sig[p], ")") ? '(' : '[';
			if (top > 0 && c->toks.src[tok(c, stack[top - 1])->pos] == want)
				c->match[stack[--top]] = p;
		}
	}
	for (size_t p = 0; p < c->n; p++)
		if (c->match[p] == SIZE_MAX)
			c->match[p] = c->n;
	free(stack);
	c->nparams = maxp > MAX_PARAMS ? MAX_PARAMS : maxp;
	if (c->nparams > 0) {
		c->params = calloc((size_t)c->nparams, sizeof(*c->params));
		if (c->params == NULL)
			return -1;
	}
	return 0;
}

int desc_describe(const char *pg_sql, size_t len, const struct desc_schema *schema,
		  struct desc_result *out)
{
	return desc_describe_typed(pg_sql, len, schema, NULL, 0, out);
}

int desc_describe_typed(const char *pg_sql, size_t len, const struct desc_schema *schema,
			const uint32_t *given, int ngiven, struct desc_result *out)
{
	struct cx c;
	struct colvec cv = {0};
	size_t end, p = 0;
	bool rows = false;

	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	out->ncols = -1;
	c.schema = schema;
	if (build(&c, pg_sql, len) < 0)
		goto fail;
	/* Types the client declared in Parse come first, as in PostgreSQL:
	 * `SELECT $1` with int2 declared is an int2 column. */
	for (int i = 0; i < ngiven && i < c.nparams; i++)
		if (given[i] != 0)
			c.params[i] = given[i];
	/* one statement: up to the first ';' */
	for (end = 0; end < c.n && !op(&c, end, c.n, ";"); end++)
		;
	if (starts_query(&c, p, end) || kw(&c, p, end, "insert") || kw(&c, p, end, "update") ||
	    kw(&c, p, end, "delete")) {
		rows = parse_query(&c, p, end, NULL, NULL, 0, &cv);
	} else if (kw(&c, p, end, "show")) {
		show(&c, p + 1, end, &cv);
		rows = true;
	} else if (kw(&c, p, end, "explain")) {
		struct colvec inner = {0};
		p++;
		if (op(&c, p, end, "("))
			p = past(&c, p, end);
		while (kw(&c, p, end, "analyze") || kw(&c, p, end, "analyse") ||
		       kw(&c, p, end, "verbose"))
			p++;
		parse_query(&c, p, end, NULL, NULL, 0, &inner);
		cv_free(&inner);
		cv_push(&c, &cv, "QUERY PLAN", T_TEXT, 0);
		rows = true;
	} else {
		walk(&c, p, end, NULL);
	}
	if (c.oom)
		goto fail;
	if (rows && !cv.unknown) {
		out->ncols = cv.n;
		if (cv.n > 0) {
			out->cols = malloc((size_t)cv.n * sizeof(*out->cols));
			if (out->cols == NULL)
				goto fail;
			for (int i = 0; i < cv.n; i++) {
				out->cols[i] = cv.v[i].c;
				out->cols[i].oid = out_oid(out->cols[i].oid);
			}
		}
	}
	out->nparams = c.nparams;
	out->param_oids = c.params;
	c.params = NULL;
	cv_free(&cv);
	free(c.params);
	free(c.sig);
	free(c.match);
	lex_free(&c.toks);
	return 0;
fail:
	cv_free(&cv);
	free(c.params);
	free(c.sig);
	free(c.match);
	lex_free(&c.toks);
	desc_result_free(out);
	return -1;
}

void desc_result_free(struct desc_result *r)
{
	free(r->param_oids);
	free(r->cols);
	memset(r, 0, sizeof(*r));
	r->ncols = -1;
}
