/*
 * describe_int.h - what the describe_*.c files share, and nothing other
 * modules need (they use describe.h): the token view of a statement
 * (struct cx), scopes and relations, expression values, the type OIDs
 * the rules name, and the functions each describe_*.c file offers the
 * others.  The tiny token tests are inline: the readers call them on
 * every token.
 */
#ifndef PGPIN_SQLITE_DESCRIBE_INT_H
#define PGPIN_SQLITE_DESCRIBE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sqlite/describe.h"
#include "sqlite/lex.h"

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

/* ---------------------------------------------------------------------- */
/* Tokens (describe_tokens.c) */

static inline const struct lex_token *tok(const struct cx *c, size_t p)
{
	return &c->toks.v[c->sig[p]];
}

static inline int kind_at(const struct cx *c, size_t p, size_t end)
{
	return p < end ? (int)tok(c, p)->kind : -1;
}

static inline bool kw(const struct cx *c, size_t p, size_t end, const char *w)
{
	return p < end && lex_is_word(&c->toks, c->sig[p], w);
}

static inline bool op(const struct cx *c, size_t p, size_t end, const char *s)
{
	return p < end && lex_is(&c->toks, c->sig[p], s);
}

static inline bool is_name(const struct cx *c, size_t p, size_t end)
{
	int k = kind_at(c, p, end);
	return k == LX_WORD || k == LX_QIDENT;
}

static inline bool is_comma(const struct cx *c, size_t p, size_t end)
{
	return op(c, p, end, ",");
}

/* Index of the token closing the bracket at p, or end when unbalanced. */
static inline size_t closer(const struct cx *c, size_t p, size_t end)
{
	size_t q = c->match[p];
	return q < end ? q : end;
}

/* Index just after the bracketed group opening at p. */
static inline size_t past(const struct cx *c, size_t p, size_t end)
{
	size_t q = closer(c, p, end);
	return q < end ? q + 1 : end;
}

/*
 * A comma-separated list in [p, end), item by item:
 *	for (struct items it = desc_items(p, end, false); desc_next_item(c, &it);)
 *		... the item is [it.at, it.stop) ...
 * With sqlsyntax the SQL-standard argument keywords (FROM, FOR, IN,
 * PLACING) separate items too.
 */
struct items {
	size_t at, stop; /* the current item */
	size_t next, end;
	bool sqlsyntax;
};

static inline struct items desc_items(size_t p, size_t end, bool sqlsyntax)
{
	struct items it = {p, p, p, end, sqlsyntax};
	return it;
}

/* Tokenizes text into c (which the caller zeroed); -1 on allocation failure. */
int desc_build(struct cx *c, const char *text, size_t len);
void desc_set_str(char *dst, size_t cap, const char *src);
void desc_ident(const struct cx *c, size_t p, char *buf);
void desc_tok_text(const struct cx *c, size_t p, char *buf, size_t cap);
bool desc_reserved(const struct cx *c, size_t p, size_t end);
size_t desc_find_top(const struct cx *c, size_t p, size_t end,
		     bool (*pred)(const struct cx *, size_t, size_t));
bool desc_starts_query(const struct cx *c, size_t p, size_t end);
bool desc_next_item(const struct cx *c, struct items *it);
void desc_find_clauses(const struct cx *c, size_t p, size_t end, const char *const *words,
		       size_t *at, int n);

/* ---------------------------------------------------------------------- */
/* Type rules (describe_types.c) */

struct fninfo;

/* What a column holds: an unknown literal is output as text. */
static inline uint32_t out_oid(uint32_t oid)
{
	return oid == T_UNKNOWN ? T_TEXT : oid;
}

int desc_num_rank(uint32_t o);
uint32_t desc_array_of(uint32_t e);
uint32_t desc_elem_of(uint32_t a);
uint32_t desc_common_type(uint32_t a, uint32_t b);
uint32_t desc_arith_type(char o, uint32_t a, uint32_t b);
uint32_t desc_arith_param(char o, uint32_t other);
uint32_t desc_number_type(const struct cx *c, size_t p, bool neg);
uint32_t desc_read_type(const struct cx *c, size_t *pp, size_t end, char *name);
const struct fninfo *desc_fn_find(const char *name);
bool desc_fn_sqlsyntax(const struct fninfo *f);
uint32_t desc_fn_argtype(const struct fninfo *f, const char *name, int i, int nargs);
uint32_t desc_fn_result(const struct fninfo *f, const char *fname, const uint32_t *aoid, int na,
			uint32_t *untyped);
uint32_t desc_value_fn(const char *w);

/* ---------------------------------------------------------------------- */
/* Expressions (describe_expr.c) */

uint32_t desc_param_type(const struct cx *c, int n);
void desc_set_param(struct cx *c, int n, uint32_t oid);
void desc_infer(struct cx *c, struct ev *e, uint32_t oid);
void desc_bool_ctx(struct cx *c, struct ev *e);
void desc_ev_clear(struct ev *e);
void desc_ev_set(struct ev *e, uint32_t oid, const char *name, int strength);
void desc_func_call(struct cx *c, size_t *pp, size_t end, const struct scope *sc, const char *fname,
		    struct ev *e);
void desc_expr(struct cx *c, size_t *pp, size_t end, int minbp, const struct scope *sc,
	       struct ev *e);
void desc_walk(struct cx *c, size_t p, size_t end, const struct scope *sc);
void desc_whole_expr(struct cx *c, size_t p, size_t end, const struct scope *sc, struct ev *e,
		     uint32_t want);
void desc_condition(struct cx *c, size_t p, size_t end, const struct scope *sc);
size_t desc_walk_group(struct cx *c, size_t p, size_t end, const struct scope *sc);

/* ---------------------------------------------------------------------- */
/* Scopes and relations (describe_scope.c) */

struct rel *desc_scope_add(struct cx *c, struct scope *s, bool cte);
void desc_scope_free(struct scope *s);
void desc_cv_push(struct cx *c, struct colvec *cv, const char *name, uint32_t oid, int param);
void desc_cv_free(struct colvec *cv);
void desc_rel_set_cols(struct cx *c, struct rel *r, const struct colvec *cv);
int desc_fetch_table(struct cx *c, const char *table, struct desc_column **out);
void desc_rel_materialize(struct cx *c, struct rel *r);
uint32_t desc_column_type(const struct cx *c, const char *table, const char *col);
uint32_t desc_lookup(struct cx *c, const struct scope *sc, const char *qual, const char *col);
const struct rel *desc_find_cte(const struct scope *sc, const char *name);
void desc_rel_expand(struct cx *c, const struct rel *r, struct colvec *out);
bool desc_read_relname(const struct cx *c, size_t *pp, size_t end, char *table, char *alias);
size_t desc_read_as(const struct cx *c, size_t p, size_t end, char *alias);

/* ---------------------------------------------------------------------- */
/* Queries (describe_query.c) and data-modifying statements (describe_dml.c) */

bool desc_query(struct cx *c, size_t p, size_t end, const struct scope *parent,
		const uint32_t *targets, int ntargets, struct colvec *out);
bool desc_subquery_col(struct cx *c, size_t p, size_t end, const struct scope *sc,
		       struct desc_column *col);
void desc_select_list(struct cx *c, size_t p, size_t end, struct scope *sc, struct colvec *out);
size_t desc_from_list(struct cx *c, size_t p, size_t end, struct scope *sc);
void desc_values_rows(struct cx *c, size_t p, size_t end, const struct scope *sc,
		      const uint32_t *targets, int ntargets, struct colvec *out);
void desc_finish_cols(struct cx *c, struct colvec *out, const uint32_t *targets, int ntargets);
bool desc_dml(struct cx *c, size_t p, size_t end, const struct scope *parent, struct colvec *out);

#endif
