/*
 * translate_expr.c - expressions: operands (literals, $n, names, calls,
 * casts, typed literals, subqueries in parentheses) and the operators
 * SQLite spells differently (~ and friends, ILIKE, / and % by zero,
 * COLLATE), copied token by token with only those rewritten; also DEFAULT
 * in a column definition.  Query clauses (LIMIT, DISTINCT ON, DELETE
 * USING...) are translate_query.c's; statements are dispatched elsewhere.
 */
#include "sqlite/translate_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words that are never the start of an operand. */
static const char *const keywords[] = {
	"all", "and", "any", "as", "asc", "between", "both", "by", "case", "check",
	"collate", "column", "constraint", "create", "cross", "default", "deferrable", "delete",
	"desc", "distinct", "do", "else", "end", "escape", "except", "exists", "fetch", "filter",
	"first", "for", "foreign", "from", "full", "group", "having", "ilike", "in", "inner",
	"insert", "intersect", "into", "is", "isnull", "join", "key", "last", "lateral",
	"leading", "like", "limit", "natural", "not", "notnull", "nulls", "offset", "on", "only",
	"or", "order", "outer", "over", "partition", "primary", "recursive", "references",
	"returning", "rows", "select", "set", "similar", "some", "symmetric", "table", "then",
	"to", "trailing", "union", "unique", "update", "using", "values", "when", "where",
	"window", "with", "glob", "regexp", "match", "escape", "range", "groups", "preceding",
	"following", "unbounded", "current", "row", "exclude", "ties", "others", "conflict",
	"nothing", "returning", "materialized", "if", "index", "view", "drop", "alter", "add",
	"rename", "temp", "temporary", "autoincrement", "generated", "always", "stored",
	"virtual", "identity", "cascade", "restrict", "action", "no", "deferred", "immediate",
	"initially", "without", "rowid",
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

/* keywords[] in strcmp() order, for bsearch(): asked for every word of
 * every expression, where a linear search was a tenth of translating. */
static const char *sorted_keywords[N_KEYWORDS];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int keyword_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void keywords_sort(void)
{
	memcpy(sorted_keywords, keywords, sizeof(keywords));
	qsort(sorted_keywords, N_KEYWORDS, sizeof(sorted_keywords[0]), keyword_cmp);
}

/* Is token i one of keywords[] (so never an operand)? */
bool sqlt_is_keyword(const struct sqlt_tr *tr, size_t i)
{
	char w[32];
	const char *key = w;

	if (tr->t[i].kind != LX_WORD || tr->t[i].len >= sizeof(w))
		return false;
	pthread_once(&sorted_once, keywords_sort);
	sqlt_ident(tr, i, w, sizeof(w));
	return bsearch(&key, sorted_keywords, N_KEYWORDS, sizeof(sorted_keywords[0]),
		       keyword_cmp) != NULL;
}

/* Can token i start an operand? */
static bool starts_primary(const struct sqlt_tr *tr, size_t i, size_t b)
{
	switch (tr->t[i].kind) {
	case LX_STRING: case LX_DOLLAR: case LX_NUMBER: case LX_PARAM: case LX_QIDENT:
		return true;
	case LX_WORD:
		/* row(...) and the like are calls even though "row" is a keyword */
		return !sqlt_is_keyword(tr, i) ||
		       (sqlt_kw(tr, i, b, "row") && sqlt_is(tr, sqlt_nxt(tr, i, b), b, "("));
	case LX_PUNCT:
		return sqlt_is(tr, i, b, "(");
	default:
		return false;
	}
}

/* Does a query (SELECT, WITH, VALUES, TABLE) start at i? */
bool sqlt_is_query_start(const struct sqlt_tr *tr, size_t i, size_t b)
{
	return sqlt_kw(tr, i, b, "select") || sqlt_kw(tr, i, b, "with") ||
	       sqlt_kw(tr, i, b, "values") || sqlt_kw(tr, i, b, "table");
}

/* Append a string token's value as a standard literal. */
static void emit_string(struct sqlt_tr *tr, size_t i)
{
	const struct sqlt_tok *t = &tr->t[i];
	char *v;
	size_t n;

	if (t->kind == LX_STRING && t->s[0] == '\'') {
		sqlt_emit_tok(tr, i);
		return;
	}
	if (t->kind == LX_STRING && (t->s[0] == 'x' || t->s[0] == 'X')) {
		/* PostgreSQL reads X'..' as a bit string; SQLite as a blob,
		 * which is what a client writing it for bytea means. */
		sqlt_emit_tok(tr, i);
		return;
	}
	if (t->kind == LX_STRING && (t->s[0] == 'b' || t->s[0] == 'B')) {
		sqlt_unsupported(tr, "a bit-string literal (B'...')");
		return;
	}
	v = sqlt_string_value(tr, i, &n);
	if (v == NULL) {
		sqlt_fail(tr, "22025", "invalid escape sequence in string literal %.*s",
			  (int)t->len, t->s);
		return;
	}
	sqlt_sb_quote(&tr->out, v, n);
	free(v);
}

/* Decode a bytea literal value (hex \x.. or escape format) into X'..'. */
static void emit_bytea_literal(struct sqlt_tr *tr, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	struct sqlt_sb *o = &tr->out;

	sqlt_sb_puts(o, "X'");
	if (n >= 2 && v[0] == '\\' && (v[1] == 'x' || v[1] == 'X')) {
		size_t digits = 0;
		for (size_t k = 2; k < n; k++) {
			if (isspace((unsigned char)v[k]))
				continue;
			if (!isxdigit((unsigned char)v[k])) {
				sqlt_fail(tr, "22P02", "invalid hexadecimal digit: \"%c\"", v[k]);
				return;
			}
			char c = (char)tolower((unsigned char)v[k]);
			sqlt_sb_put(o, &c, 1);
			digits++;
		}
		if (digits % 2 != 0)
			sqlt_fail(tr, "22P02", "invalid hexadecimal data: odd number of digits");
	} else {
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)v[k];
			if (c == '\\') {
				if (k + 1 < n && v[k + 1] == '\\') {
					k++;
				} else if (k + 3 < n && v[k + 1] >= '0' && v[k + 1] <= '3' &&
					   v[k + 2] >= '0' && v[k + 2] <= '7' && v[k + 3] >= '0' &&
					   v[k + 3] <= '7') {
					c = (unsigned char)((v[k + 1] - '0') * 64 +
							    (v[k + 2] - '0') * 8 +
							    (v[k + 3] - '0'));
					k += 3;
				} else {
					sqlt_fail(tr, "22P02",
						  "invalid input syntax for type bytea");
					return;
				}
			}
			sqlt_sb_put(o, &hex[c >> 4], 1);
			sqlt_sb_put(o, &hex[c & 15], 1);
		}
	}
	sqlt_sb_puts(o, "'");
}

/*
 * Wrap the output from start (an operand just emitted) in a cast to pt.
 * lit is the string token the operand consists of, or SQLT_NONE.
 */
static void wrap_cast(struct sqlt_tr *tr, size_t start, const struct sqlt_ptype *pt, size_t lit)
{
	const char *target;
	enum sqlt_cast_how how = sqlt_cast_target(pt, &target);
	char suffix[32];

	if (tr->state[0] != '\0' || tr->out.oom)
		return; /* the operand already failed */
	if (how == SQLT_CAST_ERROR) {
		sqlt_fail(tr, "0A000", "type \"%s%s\" is not supported by pgpin's SQLite backend",
			  pt->name, pt->array ? "[]" : "");
		return;
	}
	if (sqlt_type_oid(pt->name) == 17 && lit != SQLT_NONE && tr->t[lit].kind != LX_NUMBER &&
	    tr->out.s != NULL) {
		/* '\x0001'::bytea: the literal's bytes, not its text */
		struct sqlt_sb saved = tr->out;
		char *v = strndup(saved.s + start, saved.len - start);
		size_t n;
		char *val;

		if (v == NULL) {
			tr->oom = true;
			return;
		}
		val = sqlt_literal_value(LX_STRING, v, strlen(v), &n);
		free(v);
		if (val == NULL) {
			sqlt_fail(tr, "22P02", "invalid input syntax for type bytea");
			return;
		}
		tr->out.len = start;
		emit_bytea_literal(tr, val, n);
		free(val);
		return;
	}
	if (how == SQLT_CAST_FUNC) {
		sqlt_sb_insert(&tr->out, start, "(");
		sqlt_sb_insert(&tr->out, start, target);
		sqlt_sb_puts(&tr->out, ")");
	} else {
		sqlt_sb_insert(&tr->out, start, "CAST(");
		snprintf(suffix, sizeof(suffix), " AS %s)", target);
		sqlt_sb_puts(&tr->out, suffix);
	}
}

static size_t emit_primary(struct sqlt_tr *tr, size_t i, size_t b, size_t *start, size_t *lit);

/* Postfix :: casts and [subscripts] after an operand ending before i. */
static size_t emit_postfix(struct sqlt_tr *tr, size_t i, size_t b, size_t start, size_t lit)
{
	for (;;) {
		size_t j = sqlt_sig(tr, i, b);
		struct sqlt_ptype pt;

		if (sqlt_is(tr, j, b, "::")) {
			size_t k = sqlt_nxt(tr, j, b);
			if (!sqlt_parse_type(tr, k, b, &pt)) {
				sqlt_emit_raw(tr, i, j + 1);
				return j + 1;
			}
			wrap_cast(tr, start, &pt, lit);
			lit = SQLT_NONE;
			i = pt.e;
			continue;
		}
		if (sqlt_is(tr, j, b, "[") && j == i) {
			sqlt_unsupported(tr, "array subscripting");
			return sqlt_mpar(tr, j, b) + 1 > b ? b : sqlt_mpar(tr, j, b) + 1;
		}
		return i;
	}
}

/* CAST(expr AS type) at i ("cast" word). Returns the index after ')'. */
static size_t emit_cast_call(struct sqlt_tr *tr, size_t i, size_t b)
{
	size_t open = sqlt_nxt(tr, i, b), close = sqlt_mpar(tr, open, b);
	size_t as = SQLT_NONE, start;
	struct sqlt_ptype pt;
	const char *target;

	for (size_t k = open + 1; k < close; k++) {
		if (sqlt_is(tr, k, close, "(") || sqlt_is(tr, k, close, "[")) {
			k = sqlt_mpar(tr, k, close);
			continue;
		}
		if (sqlt_kw(tr, k, close, "as"))
			as = k;
	}
	if (close >= b || as == SQLT_NONE ||
	    !sqlt_parse_type(tr, sqlt_nxt(tr, as, close), close, &pt) ||
	    sqlt_sig(tr, pt.e, close) != close) {
		sqlt_emit_raw(tr, i, close < b ? close + 1 : b);
		return close < b ? close + 1 : b;
	}
	/* CAST(x AS INTEGER) is already SQLite: keep it byte for byte. */
	if (sqlt_cast_target(&pt, &target) == SQLT_CAST_AS && pt.e == sqlt_nxt(tr, as, close) + 1 &&
	    strcasecmp(pt.name, target) == 0) {
		sqlt_emit_tok(tr, i);
		sqlt_emit_raw(tr, i + 1, open + 1);
		sqlt_emit_range(tr, open + 1, as);
		sqlt_emit_raw(tr, as, close + 1);
		return close + 1;
	}
	start = tr->out.len;
	size_t es = sqlt_sig(tr, open + 1, as), lit = SQLT_NONE;
	if ((tr->t[es].kind == LX_STRING || tr->t[es].kind == LX_DOLLAR) &&
	    sqlt_sig(tr, es + 1, as) == as)
		lit = es;
	size_t ee = sqlt_prev_sig(tr, open + 1, as);
	sqlt_emit_range(tr, es, ee + 1);
	wrap_cast(tr, start, &pt, lit);
	return close + 1;
}

/* What stands between the parentheses at open and close: a subquery or
 * an expression list. */
static void emit_inside(struct sqlt_tr *tr, size_t open, size_t close)
{
	if (sqlt_is_query_start(tr, sqlt_sig(tr, open + 1, close), close))
		sqlt_emit_query(tr, open + 1, close);
	else
		sqlt_emit_range(tr, open + 1, close);
}

/*
 * (VALUES ...) [AS] alias (c1, c2, ...): SQLite takes no column list after
 * a derived table's alias, and names VALUES' columns column1, column2, ...;
 * so this becomes (SELECT column1 AS c1, ... FROM (VALUES ...)) AS alias
 * (psql's \gdesc sends it).  Emits it and returns the index after the
 * column list, or returns SQLT_NONE having emitted nothing.
 */
static size_t emit_values_with_columns(struct sqlt_tr *tr, size_t open, size_t close, size_t b)
{
	struct sqlt_clause cols[64];
	char name[128];
	size_t alias = sqlt_nxt(tr, close, b);

	if (!sqlt_kw(tr, sqlt_sig(tr, open + 1, close), close, "values"))
		return SQLT_NONE;
	if (sqlt_kw(tr, alias, b, "as"))
		alias = sqlt_nxt(tr, alias, b);
	size_t lp = sqlt_nxt(tr, alias, b);
	if (!sqlt_is_name(tr, alias, b) || !sqlt_is(tr, lp, b, "("))
		return SQLT_NONE;
	size_t rp = sqlt_mpar(tr, lp, b);
	int n = rp < b ? sqlt_split_commas(tr, lp + 1, rp, cols, 64) : 0;
	if (n < 1 || n > 64)
		return SQLT_NONE;
	for (int k = 0; k < n; k++)
		if (!sqlt_is_name(tr, sqlt_sig(tr, cols[k].a, cols[k].e), cols[k].e) ||
		    sqlt_nxt(tr, sqlt_sig(tr, cols[k].a, cols[k].e), cols[k].e) < cols[k].e)
			return SQLT_NONE;
	sqlt_sb_puts(&tr->out, "(SELECT ");
	for (int k = 0; k < n; k++) {
		char col[32];
		snprintf(col, sizeof(col), "%scolumn%d AS ", k ? ", " : "", k + 1);
		sqlt_sb_puts(&tr->out, col);
		sqlt_ident(tr, sqlt_sig(tr, cols[k].a, cols[k].e), name, sizeof(name));
		sqlt_sb_ident(&tr->out, name, strlen(name));
	}
	sqlt_sb_puts(&tr->out, " FROM (");
	sqlt_emit_query(tr, open + 1, close);
	sqlt_sb_puts(&tr->out, ")) AS ");
	sqlt_ident(tr, alias, name, sizeof(name));
	sqlt_sb_ident(&tr->out, name, strlen(name));
	return rp + 1;
}

/*
 * Emit one operand starting at significant token i: a literal, a
 * parameter, a name chain (a.b.c, t.*), a call f(...) [OVER (...)], a
 * parenthesised expression or subquery, CAST(...), a typed literal, plus
 * any :: casts after it.  *start receives its output offset.  Returns the
 * index after it.
 */
static size_t emit_primary(struct sqlt_tr *tr, size_t i, size_t b, size_t *start, size_t *litp)
{
	const struct sqlt_tok *t = &tr->t[i];
	size_t lit = SQLT_NONE, j;
	char w[64];

	*start = tr->out.len;
	switch (t->kind) {
	case LX_PARAM: {
		char buf[24];
		if (t->param < 1) {
			sqlt_fail(tr, "42P02", "there is no parameter $%d", t->param);
			return i + 1;
		}
		snprintf(buf, sizeof(buf), "?%d", t->param);
		sqlt_sb_puts(&tr->out, buf);
		i++;
		break;
	}
	case LX_STRING:
		if ((t->s[0] == 'u' || t->s[0] == 'U') &&
		    sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "uescape")) {
			sqlt_unsupported(tr, "UESCAPE");
			return b;
		}
		/* FALLTHROUGH */
	case LX_DOLLAR:
		emit_string(tr, i);
		lit = i;
		i++;
		break;
	case LX_NUMBER:
		sqlt_emit_tok(tr, i);
		lit = i;
		i++;
		break;
	case LX_PUNCT: { /* '(' */
		size_t c = sqlt_mpar(tr, i, b);
		if (c >= b) {
			sqlt_emit_raw(tr, i, b);
			return b;
		}
		if ((j = emit_values_with_columns(tr, i, c, b)) != SQLT_NONE) {
			i = j;
			break;
		}
		sqlt_emit_tok(tr, i);
		emit_inside(tr, i, c);
		sqlt_emit_tok(tr, c);
		i = c + 1;
		break;
	}
	default: /* LX_WORD, LX_QIDENT */
		sqlt_ident(tr, i, w, sizeof(w));
		j = sqlt_nxt(tr, i, b);
		if (t->kind == LX_WORD) {
			if (strcmp(w, "cast") == 0 && sqlt_is(tr, j, b, "(")) {
				i = emit_cast_call(tr, i, b);
				break;
			}
			if (strcmp(w, "array") == 0 &&
			    (sqlt_is(tr, j, b, "[") || sqlt_is(tr, j, b, "("))) {
				sqlt_unsupported(tr, "ARRAY");
				return b;
			}
			if ((strcmp(w, "nextval") == 0 || strcmp(w, "currval") == 0 ||
			     strcmp(w, "setval") == 0 || strcmp(w, "lastval") == 0) &&
			    sqlt_is(tr, j, b, "(")) {
				sqlt_fail(
				    tr, "0A000",
				    "sequences (%s) are not supported by pgpin's SQLite backend",
				    w);
				return b;
			}
			if ((strcmp(w, "current_user") == 0 || strcmp(w, "session_user") == 0 ||
			     strcmp(w, "current_schema") == 0 ||
			     strcmp(w, "current_catalog") == 0) &&
			    !sqlt_is(tr, j, b, "(") && !sqlt_is(tr, j, b, ".")) {
				sqlt_emit_tok(tr, i);
				sqlt_sb_puts(&tr->out, "()");
				i++;
				break;
			}
			if (strcmp(w, "current_timestamp") == 0 ||
			    strcmp(w, "localtimestamp") == 0) {
				sqlt_sb_puts(&tr->out, tr->ddl ? "CURRENT_TIMESTAMP" : "now()");
				i++;
				if (sqlt_is(tr, j, b, "(")) /* precision */
					i = sqlt_mpar(tr, j, b) + 1;
				break;
			}
			if (tr->ddl && strcmp(w, "now") == 0 && sqlt_is(tr, j, b, "(") &&
			    sqlt_is(tr, sqlt_nxt(tr, j, b), b, ")")) {
				sqlt_sb_puts(&tr->out, "CURRENT_TIMESTAMP");
				i = sqlt_nxt(tr, j, b) + 1;
				break;
			}
			/* typed literal: date '2020-01-01', interval '1 day' */
			if (tr->t[j].kind == LX_STRING && j < b && sqlt_type_oid(w) != 0 &&
			    strcmp(w, "char") != 0) {
				struct sqlt_ptype pt;
				size_t s2 = tr->out.len;
				memset(&pt, 0, sizeof(pt));
				snprintf(pt.name, sizeof(pt.name), "%s", w);
				emit_string(tr, j);
				wrap_cast(tr, s2, &pt, j);
				i = j + 1;
				break;
			}
		}
		/* name chain */
		sqlt_emit_tok(tr, i);
		i++;
		while (sqlt_is(tr, i, b, ".") && i + 1 < b &&
		       (sqlt_is_name(tr, i + 1, b) || sqlt_is(tr, i + 1, b, "*"))) {
			sqlt_emit_raw(tr, i, i + 2);
			i += 2;
		}
		j = sqlt_sig(tr, i, b);
		if (sqlt_is(tr, j, b, "(") && t->kind == LX_WORD) {
			size_t c = sqlt_mpar(tr, j, b);
			if (c >= b) {
				sqlt_emit_raw(tr, i, b);
				return b;
			}
			sqlt_emit_raw(tr, i, j + 1);
			emit_inside(tr, j, c);
			sqlt_emit_tok(tr, c);
			i = c + 1;
		}
		break;
	}
	if (litp != NULL)
		*litp = lit;
	return emit_postfix(tr, i, b, *start, lit);
}

/* Wrap out[s, e) as prefix + it + suffix, keeping what follows e. */
static void wrap_out(struct sqlt_tr *tr, size_t s, size_t e, const char *prefix, const char *suffix)
{
	sqlt_sb_insert(&tr->out, e, suffix);
	sqlt_sb_insert(&tr->out, s, prefix);
}

/*
 * The binary operator at op whose left operand is out[ls, le): emit
 * the right operand and combine.  kind: 'r' regex (ci, neg), 'i' ILIKE.
 */
static size_t emit_binop(struct sqlt_tr *tr, size_t op, size_t b, size_t ls, size_t le, char kind,
			 bool ci, bool neg)
{
	size_t r = sqlt_sig(tr, op + 1, b), rs;
	char *right;

	if (r >= b || !starts_primary(tr, r, b)) {
		sqlt_emit_tok(tr, op);
		return op + 1;
	}
	if (tr->out.s == NULL)
		return b; /* the left operand failed */
	tr->out.len = le; /* drop the space between the left operand and the operator */
	tr->out.s[le] = '\0';
	r = emit_primary(tr, r, b, &rs, NULL);
	if (tr->state[0] != '\0' || tr->out.oom)
		return b;
	right = strdup(tr->out.s + rs);
	if (right == NULL) {
		tr->oom = true;
		return b;
	}
	tr->out.len = le;
	tr->out.s[le] = '\0';
	if (kind == 'r') {
		wrap_out(tr, ls, le, neg ? "NOT pgpin_regex(" : "pgpin_regex(", "");
		sqlt_sb_puts(&tr->out, ", ");
		sqlt_sb_puts(&tr->out, right);
		sqlt_sb_puts(&tr->out, ci ? ", 1)" : ", 0)");
	} else {
		wrap_out(tr, ls, le, "lower(", ")");
		sqlt_sb_puts(&tr->out, neg ? " NOT LIKE lower(" : " LIKE lower(");
		sqlt_sb_puts(&tr->out, right);
		sqlt_sb_puts(&tr->out, ")");
	}
	free(right);
	return r;
}

/* COLLATE at i: drop it for the byte-order collations, refuse others. */
static size_t emit_collate(struct sqlt_tr *tr, size_t i, size_t b)
{
	size_t j = sqlt_nxt(tr, i, b);
	char name[64];

	if (!sqlt_is_name(tr, j, b)) {
		sqlt_emit_tok(tr, i);
		return i + 1;
	}
	sqlt_ident(tr, j, name, sizeof(name));
	if (strcasecmp(name, "c") == 0 || strcasecmp(name, "posix") == 0 ||
	    strcasecmp(name, "default") == 0 || strcasecmp(name, "ucs_basic") == 0) {
		sqlt_sb_trim(&tr->out);
		return j + 1;
	}
	sqlt_fail(
	    tr, "0A000",
	    "collation \"%s\" is not supported by pgpin's SQLite backend (only \"C\" byte order)",
	    name);
	return b;
}

/* DEFAULT in a column definition at i: emit it so that SQLite accepts it. */
static size_t emit_default(struct sqlt_tr *tr, size_t i, size_t b)
{
	static const char *const stop[] = {"not",	 "null",     "primary", "unique", "check",
					   "references", "constraint", "collate", "generated",
					   "deferrable", "initially", ",", NULL};
	size_t s = sqlt_nxt(tr, i, b), e, start;
	const char *text;

	sqlt_emit_raw(tr, i, s);
	if (s >= b)
		return b;
	/* DEFAULT NULL: NULL is the expression, not the constraint */
	if (sqlt_kw(tr, s, b, "null") || sqlt_kw(tr, s, b, "true") || sqlt_kw(tr, s, b, "false")) {
		sqlt_emit_tok(tr, s);
		return s + 1;
	}
	e = sqlt_skip_to(tr, sqlt_is(tr, s, b, "-") || sqlt_is(tr, s, b, "+") ? s + 1 : s, b, stop);
	e = sqlt_prev_sig(tr, s, e) + 1;
	start = tr->out.len;
	sqlt_emit_range(tr, s, e);
	text = tr->out.s + start;
	/* A literal, a signed number, CURRENT_* and (expr) are fine bare. */
	if ((e == s + 1 && (tr->t[s].kind == LX_NUMBER || tr->t[s].kind == LX_STRING ||
			    tr->t[s].kind == LX_DOLLAR)) ||
	    (e == s + 2 && tr->t[s + 1].kind == LX_NUMBER) ||
	    strcmp(text, "CURRENT_TIMESTAMP") == 0 || strcasecmp(text, "current_date") == 0 ||
	    strcasecmp(text, "current_time") == 0 ||
	    (text[0] == '(' && sqlt_is(tr, s, b, "(") && sqlt_mpar(tr, s, b) == e - 1))
		return e;
	sqlt_sb_insert(&tr->out, start, "(");
	sqlt_sb_puts(&tr->out, ")");
	return e;
}

/*
 * Emit tokens [a, b) as an expression list, rewriting operands and
 * operators.  Query-level clauses are handled by sqlt_emit_query().
 */
void sqlt_emit_range(struct sqlt_tr *tr, size_t a, size_t b)
{
	size_t ls = SQLT_NONE, le = SQLT_NONE; /* last operand in the output */
	size_t i = a;

	while (i < b && tr->state[0] == '\0' && !tr->out.oom) {
		const struct sqlt_tok *t = &tr->t[i];

		if (sqlt_trivia(tr, i)) {
			sqlt_emit_tok(tr, i);
			i++;
			continue;
		}
		if (starts_primary(tr, i, b)) {
			size_t s;
			i = emit_primary(tr, i, b, &s, NULL);
			ls = s;
			le = tr->out.len;
			continue;
		}
		if (t->kind == LX_OP && ls != SQLT_NONE) {
			char op[8] = "";
			if (t->len < sizeof(op))
				memcpy(op, t->s, t->len), op[t->len] = '\0';
			if (strcmp(op, "~") == 0 || strcmp(op, "~*") == 0 ||
			    strcmp(op, "!~") == 0 || strcmp(op, "!~*") == 0) {
				i = emit_binop(tr, i, b, ls, le, 'r', strchr(op, '*') != NULL,
					       op[0] == '!');
				le = tr->out.len;
				continue;
			}
			if (strcmp(op, "~~*") == 0 || strcmp(op, "!~~*") == 0) {
				i = emit_binop(tr, i, b, ls, le, 'i', true, op[0] == '!');
				le = tr->out.len;
				continue;
			}
			if ((strcmp(op, "/") == 0 || strcmp(op, "%") == 0) &&
			    sqlt_sig(tr, i + 1, b) < b &&
			    starts_primary(tr, sqlt_sig(tr, i + 1, b), b)) {
				/* SQLite answers x/0 with NULL; PostgreSQL raises
				 * 22012.  The divisor is the primary after the
				 * operator (nothing binds tighter than / and %). */
				size_t r = sqlt_sig(tr, i + 1, b), rs;
				for (size_t k = i; k < r; k++)
					sqlt_emit_tok(tr, k);
				sqlt_sb_puts(&tr->out, "pgpin_nonzero(");
				i = emit_primary(tr, r, b, &rs, NULL);
				sqlt_sb_puts(&tr->out, ")");
				ls = SQLT_NONE;
				continue;
			}
			if (strcmp(op, "~~") == 0 || strcmp(op, "!~~") == 0) {
				sqlt_sb_trim(&tr->out);
				sqlt_sb_puts(&tr->out, op[0] == '!' ? " NOT LIKE " : " LIKE ");
				ls = SQLT_NONE;
				i = sqlt_sig(tr, i + 1, b);
				continue;
			}
		}
		if (t->kind == LX_WORD) {
			if (sqlt_kw(tr, i, b, "ilike") && ls != SQLT_NONE) {
				i = emit_binop(tr, i, b, ls, le, 'i', true, false);
				le = tr->out.len;
				continue;
			}
			if (sqlt_kw(tr, i, b, "not") &&
			    sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "ilike") && ls != SQLT_NONE) {
				i = emit_binop(tr, sqlt_nxt(tr, i, b), b, ls, le, 'i', true, true);
				le = tr->out.len;
				continue;
			}
			if (sqlt_kw(tr, i, b, "collate")) {
				i = emit_collate(tr, i, b);
				continue;
			}
			if (tr->ddl && sqlt_kw(tr, i, b, "default")) {
				i = emit_default(tr, i, b);
				ls = SQLT_NONE;
				continue;
			}
			if (sqlt_kw(tr, i, b, "current") &&
			    sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "of")) {
				sqlt_unsupported(tr, "WHERE CURRENT OF (cursors)");
				return;
			}
		}
		sqlt_emit_tok(tr, i);
		ls = SQLT_NONE;
		i++;
	}
}

/* Append the expression [s, e) rewritten, as a new string. */
char *sqlt_emit_sub(struct sqlt_tr *tr, size_t s, size_t e)
{
	struct sqlt_sb saved = tr->out;
	char *r;

	memset(&tr->out, 0, sizeof(tr->out));
	sqlt_emit_range(tr, sqlt_sig(tr, s, e),
			sqlt_prev_sig(tr, s, e) == SQLT_NONE ? s : sqlt_prev_sig(tr, s, e) + 1);
	if (tr->out.oom)
		tr->oom = true;
	r = sqlt_sb_take(&tr->out);
	tr->out = saved;
	if (r == NULL)
		tr->oom = true;
	return r;
}
