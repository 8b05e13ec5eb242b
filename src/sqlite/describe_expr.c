/*
 * describe_expr.c - expressions: a Pratt reader with PostgreSQL's operator
 * precedence over literals, parameters, column references, function
 * calls, CASE, casts, subqueries and the SQL operators, giving each
 * expression its type and FigureColname() name and each untyped $n the
 * type its context gives it (the first context wins, as in PostgreSQL).
 * What a type rule says is asked of describe_types.c; subqueries are read
 * by describe_query.c; names resolve through describe_scope.c.
 */
#include <string.h>

#include "sqlite/describe_int.h"

/* The type $n has so far, 0 when none (or n is out of range). */
uint32_t desc_param_type(const struct cx *c, int n)
{
	return n >= 1 && n <= c->nparams ? c->params[n - 1] : 0;
}

/* The first context that types a parameter wins, as in PostgreSQL. */
void desc_set_param(struct cx *c, int n, uint32_t oid)
{
	if (n >= 1 && n <= c->nparams && c->params[n - 1] == 0 && oid != 0 && oid != T_UNKNOWN)
		c->params[n - 1] = oid;
}

/* An expression that is exactly an untyped $n takes the type its context
 * gives it. */
void desc_infer(struct cx *c, struct ev *e, uint32_t oid)
{
	if (e->param != 0 && e->oid == 0) {
		desc_set_param(c, e->param, oid);
		e->oid = desc_param_type(c, e->param);
	}
}

void desc_bool_ctx(struct cx *c, struct ev *e)
{
	desc_infer(c, e, T_BOOL);
}

/* Operands of a comparison: an untyped parameter takes the other side's type. */
static void infer_pair(struct cx *c, struct ev *l, struct ev *r)
{
	if (r->oid != 0 && r->oid != T_UNKNOWN)
		desc_infer(c, l, r->oid);
	if (l->oid != 0 && l->oid != T_UNKNOWN)
		desc_infer(c, r, l->oid);
}

void desc_ev_clear(struct ev *e)
{
	e->oid = 0;
	e->param = 0;
	e->strength = 0;
	desc_set_str(e->name, sizeof(e->name), "?column?");
}

void desc_ev_set(struct ev *e, uint32_t oid, const char *name, int strength)
{
	e->oid = oid;
	e->param = 0;
	e->strength = strength;
	desc_set_str(e->name, sizeof(e->name), name);
}

/* fname( ... ) at *pp (on the parenthesis), with its trailing FILTER,
 * WITHIN GROUP and OVER clauses. */
void desc_func_call(struct cx *c, size_t *pp, size_t end, const struct scope *sc, const char *fname,
		    struct ev *e)
{
	size_t open = *pp, close = closer(c, open, end), p = open + 1;
	const struct fninfo *f = desc_fn_find(fname);
	bool sqlsyntax = desc_fn_sqlsyntax(f);
	uint32_t aoid[MAX_ARGS] = {0}, res, untyped;
	int apar[MAX_ARGS] = {0}, na = 0, nargs = 0;
	char name[DESC_NAME_MAX];
	struct items it;

	desc_set_str(name, sizeof(name), fname);
	if (kw(c, p, close, "distinct") || kw(c, p, close, "all") || kw(c, p, close, "variadic"))
		p++;
	if (strcmp(fname, "trim") == 0) {
		/* TRIM is the btrim/ltrim/rtrim function, and named after it */
		desc_set_str(name, sizeof(name),
			     kw(c, p, close, "leading")	   ? "ltrim"
			     : kw(c, p, close, "trailing") ? "rtrim"
							   : "btrim");
		if (kw(c, p, close, "both") || kw(c, p, close, "leading") ||
		    kw(c, p, close, "trailing"))
			p++;
	}
	if (op(c, p, close, "*") && p + 1 == close)
		p = close; /* count(*) */
	for (it = desc_items(p, close, sqlsyntax); desc_next_item(c, &it);)
		nargs++;
	for (it = desc_items(p, close, sqlsyntax); desc_next_item(c, &it);) {
		struct ev a;
		/* the rest of an argument: ORDER BY in an aggregate, a named argument... */
		desc_whole_expr(c, it.at, it.stop, sc, &a, 0);
		if (na < MAX_ARGS) {
			uint32_t want = desc_fn_argtype(f, fname, na, nargs);
			if (want != 0)
				desc_infer(c, &a, want);
			aoid[na] = a.oid;
			apar[na] = a.param;
			na++;
		}
	}
	res = desc_fn_result(f, fname, aoid, na, &untyped);
	for (int i = 0; i < na; i++)
		if (apar[i] != 0 && aoid[i] == 0)
			desc_set_param(c, apar[i], untyped);
	p = past(c, open, end);
	if (kw(c, p, end, "filter") && op(c, p + 1, end, "(")) {
		size_t q = closer(c, p + 1, end), s = p + 2;
		struct ev w;
		if (kw(c, s, q, "where"))
			s++;
		desc_whole_expr(c, s, q, sc, &w, T_BOOL);
		p = past(c, p + 1, end);
	}
	if (kw(c, p, end, "within") && kw(c, p + 1, end, "group") && op(c, p + 2, end, "("))
		p = desc_walk_group(c, p + 2, end, sc);
	if (kw(c, p, end, "over"))
		p = op(c, p + 1, end, "(") ? desc_walk_group(c, p + 1, end, sc) : p + 2;
	desc_ev_set(e, res, name, 2);
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

	desc_ident(c, p, parts[np++]);
	p++;
	while (op(c, p, end, ".") && (is_name(c, p + 1, end) || op(c, p + 1, end, "*"))) {
		if (op(c, p + 1, end, "*")) { /* t.* as a value: a whole row */
			*pp = p + 2;
			desc_ev_set(e, T_RECORD, parts[np - 1], 2);
			return;
		}
		if (np == 3) {
			memmove(parts[0], parts[1], sizeof(parts[0]) * 2);
			np--;
		}
		desc_ident(c, p + 1, parts[np++]);
		p += 2;
	}
	if (op(c, p, end, "(")) {
		*pp = p;
		desc_func_call(c, pp, end, sc, parts[np - 1], e);
		return;
	}
	desc_ev_set(e, desc_lookup(c, sc, np >= 2 ? parts[np - 2] : NULL, parts[np - 1]),
		    parts[np - 1], 2);
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

	desc_ev_clear(&arg);
	desc_ev_clear(e);
	if (simple) {
		desc_expr(c, &p, end, 0, sc, &arg);
		desc_infer(c, &arg, T_TEXT); /* an untyped CASE argument is resolved as text */
	}
	while (kw(c, p, end, "when") && !c->oom) {
		p++;
		desc_expr(c, &p, end, 0, sc, &w);
		if (simple)
			infer_pair(c, &arg, &w);
		else
			desc_bool_ctx(c, &w);
		if (!kw(c, p, end, "then"))
			break;
		p++;
		desc_expr(c, &p, end, 0, sc, &r);
		t = desc_common_type(t, r.oid);
		if (r.param != 0 && nr < MAX_ARGS)
			rpar[nr++] = r.param;
	}
	/* FigureColname names a CASE after its ELSE branch if that has a
	 * strong name, else "case" */
	desc_set_str(e->name, sizeof(e->name), "case");
	e->strength = 1;
	if (kw(c, p, end, "else")) {
		p++;
		desc_expr(c, &p, end, 0, sc, &r);
		t = desc_common_type(t, r.oid);
		if (r.param != 0 && nr < MAX_ARGS)
			rpar[nr++] = r.param;
		if (r.strength == 2) {
			desc_set_str(e->name, sizeof(e->name), r.name);
			e->strength = 2;
		}
	}
	if (kw(c, p, end, "end"))
		p++;
	if (t == T_UNKNOWN || (t == 0 && nr > 0))
		t = T_TEXT; /* only unknowns: PostgreSQL resolves them as text */
	for (int i = 0; i < nr; i++)
		desc_set_param(c, rpar[i], t);
	e->oid = t;
	*pp = p;
}

/* ( ... ): a scalar subquery, a row, or a parenthesised expression. */
static void paren(struct cx *c, size_t *pp, size_t end, const struct scope *sc, struct ev *e)
{
	size_t p = *pp, q = closer(c, p, end);
	struct desc_column col;

	if (desc_starts_query(c, p + 1, q)) {
		/* named after the subquery's single output column */
		if (desc_subquery_col(c, p + 1, q, sc, &col))
			desc_ev_set(e, col.oid, col.name, 2);
	} else if (desc_find_top(c, p + 1, q, is_comma) < q) {
		desc_walk(c, p + 1, q, sc);
		desc_ev_set(e, T_RECORD, "row", 2);
	} else {
		desc_whole_expr(c, p + 1, q, sc, e, 0);
	}
	*pp = past(c, p, end);
}

static bool prefix_word(struct cx *c, size_t *pp, size_t end, const struct scope *sc, struct ev *e)
{
	size_t p = *pp;
	bool call = op(c, p + 1, end, "(");
	struct ev s;
	struct desc_column col;
	char w[DESC_NAME_MAX];
	uint32_t vt;

	desc_ident(c, p, w);
	if (strcmp(w, "not") == 0) {
		p++;
		desc_expr(c, &p, end, 3, sc, &s);
		desc_bool_ctx(c, &s);
		desc_ev_set(e, T_BOOL, "?column?", 0);
		*pp = p;
		return true;
	}
	if (strcmp(w, "true") == 0 || strcmp(w, "false") == 0) {
		desc_ev_set(e, T_BOOL, "?column?", 0);
		*pp = p + 1;
		return true;
	}
	if (strcmp(w, "null") == 0) {
		desc_ev_set(e, T_UNKNOWN, "?column?", 0);
		*pp = p + 1;
		return true;
	}
	if (strcmp(w, "case") == 0) {
		parse_case(c, pp, end, sc, e);
		return true;
	}
	if (strcmp(w, "exists") == 0 && call) {
		desc_subquery_col(c, p + 2, closer(c, p + 1, end), sc, &col);
		desc_ev_set(e, T_BOOL, "exists", 2);
		*pp = past(c, p + 1, end);
		return true;
	}
	if (strcmp(w, "array") == 0 && (call || op(c, p + 1, end, "["))) {
		size_t q = closer(c, p + 1, end);
		uint32_t t = 0;
		if (call) {
			if (desc_subquery_col(c, p + 2, q, sc, &col))
				t = col.oid;
		} else {
			for (struct items it = desc_items(p + 2, q, false);
			     desc_next_item(c, &it);) {
				struct ev el;
				if (op(c, it.at, it.stop, "[")) { /* ARRAY[[1,2],[3,4]] */
					desc_walk(c, it.at, it.stop, sc);
				} else {
					desc_whole_expr(c, it.at, it.stop, sc, &el, 0);
					t = desc_common_type(t, el.oid);
				}
			}
		}
		desc_ev_set(e, desc_array_of(out_oid(t)), "array", 2);
		*pp = past(c, p + 1, end);
		return true;
	}
	if (strcmp(w, "row") == 0 && call) {
		*pp = desc_walk_group(c, p + 1, end, sc);
		desc_ev_set(e, T_RECORD, "row", 2);
		return true;
	}
	if (strcmp(w, "cast") == 0 && call) {
		size_t q = closer(c, p + 1, end), a = p + 2;
		char tn[DESC_NAME_MAX];
		uint32_t t = 0;
		desc_expr(c, &a, q, 0, sc, &s);
		if (kw(c, a, q, "as")) {
			a++;
			t = desc_read_type(c, &a, q, tn);
			desc_infer(c, &s, t);
			if (s.strength <= 1)
				desc_ev_set(e, t, tn, 1);
			else
				desc_ev_set(e, t, s.name, s.strength);
		}
		*pp = past(c, p + 1, end);
		return true;
	}
	vt = desc_value_fn(w);
	/* current_schema() is a function */
	if (vt != 0 && !(call && strcmp(w, "current_schema") == 0)) {
		desc_ev_set(e, vt, w, 2);
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
		uint32_t t = desc_read_type(c, &q, end, tn);
		if (q > p && kind_at(c, q, end) == LX_STRING) {
			desc_ev_set(e, t, tn, 1);
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
		e->oid = desc_number_type(c, p, false);
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
		e->oid = desc_param_type(c, t->param);
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
		desc_tok_text(c, p, o, sizeof(o));
		if (strcmp(o, "-") == 0 && kind_at(c, p + 1, end) == LX_NUMBER &&
		    !op(c, p + 2, end, "::") && !op(c, p + 2, end, "[")) {
			/* the grammar folds the sign into the constant: -2147483648 is int4 */
			e->oid = desc_number_type(c, p + 1, true);
			*pp = p + 2;
			return true;
		}
		if (strcmp(o, "-") != 0 && strcmp(o, "+") != 0 && strcmp(o, "~") != 0 &&
		    strcmp(o, "@") != 0 && strcmp(o, "|/") != 0 && strcmp(o, "||/") != 0)
			return false;
		p++;
		desc_expr(c, &p, end, 14, sc, &s);
		desc_ev_set(e, (o[0] == '|') ? T_FLOAT8 : s.oid, "?column?", 0);
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
		desc_tok_text(c, p, o, sizeof(o));
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
		desc_bool_ctx(c, l);
		p++;
	} else if (kw(c, p, end, "distinct") && kw(c, p + 1, end, "from")) {
		p += 2;
		desc_expr(c, &p, end, 5, sc, &r);
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
	desc_ev_set(l, T_BOOL, "?column?", 0);
	return p;
}

/* x [NOT] IN ( list | query ) */
static size_t in_op(struct cx *c, size_t p, size_t end, const struct scope *sc, struct ev *l)
{
	struct ev r;
	struct desc_column col;
	size_t q;

	if (!op(c, p, end, "(")) {
		desc_expr(c, &p, end, 7, sc, &r);
		desc_ev_set(l, T_BOOL, "?column?", 0);
		return p;
	}
	q = closer(c, p, end);
	if (desc_starts_query(c, p + 1, q)) {
		if (desc_subquery_col(c, p + 1, q, sc, &col))
			desc_infer(c, l, col.oid);
	} else {
		for (struct items it = desc_items(p + 1, q, false); desc_next_item(c, &it);) {
			size_t a = it.at;
			desc_expr(c, &a, it.stop, 0, sc, &r);
			infer_pair(c, l, &r);
			if (a < it.stop)
				desc_walk(c, a, it.stop, sc);
		}
	}
	desc_ev_set(l, T_BOOL, "?column?", 0);
	return past(c, p, end);
}

/* A binary operator other than arithmetic and comparison. */
static uint32_t other_op(struct cx *c, const char *o, struct ev *l, struct ev *r)
{
	static const char *const regex[] = {"~", "~*", "!~", "!~*", "~~", "~~*", "!~~", "!~~*"};
	static const char *const boolops[] = {"@>", "<@", "&&", "?", "?|", "?&", "@@", "-|-"};

	if (strcmp(o, "||") == 0) {
		if (l->oid == T_BYTEA || l->oid == T_JSONB || desc_elem_of(l->oid) != 0)
			return l->oid;
		if (r->oid == T_BYTEA || r->oid == T_JSONB || desc_elem_of(r->oid) != 0)
			return r->oid;
		desc_infer(c, l, T_TEXT);
		desc_infer(c, r, T_TEXT);
		return T_TEXT;
	}
	for (size_t i = 0; i < sizeof(regex) / sizeof(regex[0]); i++)
		if (strcmp(o, regex[i]) == 0) {
			desc_infer(c, l, T_TEXT);
			desc_infer(c, r, T_TEXT);
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
		if (desc_num_rank(l->oid) || desc_num_rank(r->oid))
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
			desc_expr(c, &p, end, bp + 1, sc, &r);
			desc_bool_ctx(c, l);
			desc_bool_ctx(c, &r);
			desc_ev_set(l, T_BOOL, "?column?", 0);
			return p;
		}
		if (kw(c, p, end, "isnull") || kw(c, p, end, "notnull")) {
			desc_ev_set(l, T_BOOL, "?column?", 0);
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
			desc_expr(c, &p, end, 13, sc, &r);
			desc_infer(c, &r, T_TEXT);
			desc_ev_set(l, t, "timezone", 2); /* the grammar calls timezone() */
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
				desc_tok_text(c, q - 1, o, sizeof(o));
			else
				o[0] = '\0';
			p = past(c, p + 1, end);
			desc_expr(c, &p, end, bp + 1, sc, &r);
			desc_ev_set(l, other_op(c, o, l, &r), "?column?", 0);
			return p;
		}
		if (kw(c, p, end, "not"))
			p++;
		if (kw(c, p, end, "between")) {
			struct ev hi;
			p++;
			if (kw(c, p, end, "symmetric") || kw(c, p, end, "asymmetric"))
				p++;
			desc_expr(c, &p, end, 7, sc, &r);
			infer_pair(c, l, &r);
			if (kw(c, p, end, "and")) {
				p++;
				desc_expr(c, &p, end, 7, sc, &hi);
				infer_pair(c, l, &hi);
				infer_pair(c, &r, &hi);
			}
			desc_ev_set(l, T_BOOL, "?column?", 0);
			return p;
		}
		if (kw(c, p, end, "in"))
			return in_op(c, p + 1, end, sc, l);
		/* LIKE, ILIKE, SIMILAR TO: the pattern is text */
		p++;
		if (kw(c, p - 1, end, "similar") && kw(c, p, end, "to"))
			p++;
		desc_expr(c, &p, end, 7, sc, &r);
		desc_infer(c, l, T_TEXT);
		desc_infer(c, &r, T_TEXT);
		if (kw(c, p, end, "escape")) {
			p++;
			desc_expr(c, &p, end, 7, sc, &r);
			desc_infer(c, &r, T_TEXT);
		}
		desc_ev_set(l, T_BOOL, "?column?", 0);
		return p;
	}
	if (op(c, p, end, "[")) {
		size_t q = closer(c, p, end);
		if (kind_at(c, p + 1, q) == LX_PARAM && p + 2 == q)
			desc_set_param(c, tok(c, p + 1)->param, T_INT4);
		desc_walk(c, p + 1, q, sc);
		/* a slice keeps the array type; FigureColname keeps the name */
		if (desc_find_top(c, p + 1, q, is_comma) >= q) {
			bool slice = false;
			for (size_t k = p + 1; k < q; k++)
				if (op(c, k, q, ":"))
					slice = true;
			if (!slice)
				l->oid = desc_elem_of(l->oid);
		}
		l->param = 0;
		return past(c, p, end);
	}
	desc_tok_text(c, p, o, sizeof(o));
	p++;
	if (strcmp(o, "::") == 0) {
		char tn[DESC_NAME_MAX];
		size_t s = p;
		uint32_t t = desc_read_type(c, &p, end, tn);
		if (p == s)
			return p;
		desc_infer(c, l, t);
		l->oid = t;
		l->param = 0;
		if (l->strength <= 1) {
			desc_set_str(l->name, sizeof(l->name), tn);
			l->strength = 1;
		}
		return p;
	}
	if (bp == 5) {
		/* comparison, maybe with ANY/ALL/SOME (array or subquery) */
		if ((kw(c, p, end, "any") || kw(c, p, end, "all") || kw(c, p, end, "some")) &&
		    op(c, p + 1, end, "(")) {
			size_t q = closer(c, p + 1, end), a = p + 2;
			struct desc_column col;
			if (desc_starts_query(c, a, q)) {
				if (desc_subquery_col(c, a, q, sc, &col))
					desc_infer(c, l, col.oid);
			} else {
				desc_whole_expr(c, a, q, sc, &r, 0);
				desc_infer(c, &r, desc_array_of(l->oid));
				desc_infer(c, l, desc_elem_of(r.oid));
			}
			p = past(c, p + 1, end);
		} else {
			desc_expr(c, &p, end, bp + 1, sc, &r);
			infer_pair(c, l, &r);
		}
		desc_ev_set(l, T_BOOL, "?column?", 0);
		return p;
	}
	desc_expr(c, &p, end, bp + 1, sc, &r);
	if (bp == 9 || bp == 10) {
		uint32_t t;
		if (l->param != 0 && l->oid == 0 && r.oid != 0 && r.oid != T_UNKNOWN)
			desc_infer(c, l, desc_arith_param(o[0], r.oid));
		if (r.param != 0 && r.oid == 0 && l->oid != 0 && l->oid != T_UNKNOWN)
			desc_infer(c, &r, desc_arith_param(o[0], l->oid));
		t = desc_arith_type(o[0], l->oid, r.oid);
		desc_ev_set(l, t, "?column?", 0);
	} else if (bp == 11) {
		uint32_t t = (l->oid == T_NUMERIC || r.oid == T_NUMERIC) ? T_NUMERIC : T_FLOAT8;
		desc_infer(c, l, t);
		desc_infer(c, &r, t);
		desc_ev_set(l, t, "?column?", 0);
	} else {
		desc_ev_set(l, other_op(c, o, l, &r), "?column?", 0);
	}
	return p;
}

/*
 * An expression at *pp, read up to the first token that cannot continue
 * it (a keyword, a comma, a closing parenthesis) or end; only operators
 * binding at least minbp are taken.  *pp is left after it, unchanged if
 * no expression starts there.
 */
void desc_expr(struct cx *c, size_t *pp, size_t end, int minbp, const struct scope *sc,
	       struct ev *e)
{
	size_t p = *pp;

	desc_ev_clear(e);
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
void desc_walk(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	while (p < end && !c->oom) {
		size_t s = p;
		struct ev e;
		desc_expr(c, &p, end, 0, sc, &e);
		if (p != s)
			continue;
		if (op(c, p, end, "[")) {
			desc_walk(c, p + 1, closer(c, p, end), sc);
			p = past(c, p, end);
		} else {
			p++;
		}
	}
}

/* An expression that should fill [p, end): an untyped $n in it takes the
 * type want (0: none), and what follows it is still walked. */
void desc_whole_expr(struct cx *c, size_t p, size_t end, const struct scope *sc, struct ev *e,
		     uint32_t want)
{
	desc_expr(c, &p, end, 0, sc, e);
	if (want != 0)
		desc_infer(c, e, want);
	if (p < end)
		desc_walk(c, p, end, sc);
}

/* A boolean condition (WHERE, HAVING, ON): a lone $n in it is bool. */
void desc_condition(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	struct ev e;

	desc_whole_expr(c, p, end, sc, &e, T_BOOL);
}

/* Walk the inside of the bracket at p; returns the index after it. */
size_t desc_walk_group(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	desc_walk(c, p + 1, closer(c, p, end), sc);
	return past(c, p, end);
}
