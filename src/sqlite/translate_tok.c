/*
 * translate_tok.c - the translator's working parts: the string builder
 * the SQLite text is written into, the cursor over a statement's tokens
 * (names, literals, matching parentheses, comma lists), the first-error
 * record, and the normalisation that builds the token array (schema
 * qualifiers dropped, OPERATOR(...) unwrapped).  It knows no statement:
 * what to rewrite is decided by the translate_*.c files that use it.
 */
#include "sqlite/translate_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- String builder */

static bool sb_reserve(struct sqlt_sb *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + extra + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (s == NULL) {
			b->oom = true;
			return false;
		}
		b->s = s;
		b->cap = cap;
	}
	return true;
}

/* Append s[0, n). */
void sqlt_sb_put(struct sqlt_sb *b, const char *s, size_t n)
{
	if (n == 0 || !sb_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append the string s. */
void sqlt_sb_puts(struct sqlt_sb *b, const char *s)
{
	sqlt_sb_put(b, s, strlen(s));
}

/* Insert the string s at offset pos. */
void sqlt_sb_insert(struct sqlt_sb *b, size_t pos, const char *s)
{
	size_t n = strlen(s);

	if (!sb_reserve(b, n))
		return;
	memmove(b->s + pos + n, b->s + pos, b->len - pos);
	memcpy(b->s + pos, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Drop trailing whitespace (left behind by a removed clause). */
void sqlt_sb_trim(struct sqlt_sb *b)
{
	while (b->len > 0 && strchr(" \t\r\n\f\v", b->s[b->len - 1]) != NULL)
		b->len--;
	if (b->s != NULL)
		b->s[b->len] = '\0';
}

/* Append s[0, n) between two q, each q inside doubled: how SQL quotes a
 * string ('...') and an identifier ("..."). */
static void sb_enclose(struct sqlt_sb *b, char q, const char *s, size_t n)
{
	sqlt_sb_put(b, &q, 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == q)
			sqlt_sb_put(b, &q, 1);
		sqlt_sb_put(b, s + i, 1);
	}
	sqlt_sb_put(b, &q, 1);
}

/* Append s as a standard SQL string literal ('' doubled). */
void sqlt_sb_quote(struct sqlt_sb *b, const char *s, size_t n)
{
	sb_enclose(b, '\'', s, n);
}

/*
 * Append s[0, n) as an SQL identifier: bare when it is a plain lower-case
 * name (what an unquoted name folds to), else double-quoted with '"'
 * doubled, so that it names exactly s.
 */
void sqlt_sb_ident(struct sqlt_sb *b, const char *s, size_t n)
{
	bool plain = n > 0 && (islower((unsigned char)s[0]) || s[0] == '_');

	for (size_t k = 0; k < n && s[k] != '\0' && plain; k++)
		if (!islower((unsigned char)s[k]) && !isdigit((unsigned char)s[k]) && s[k] != '_')
			plain = false;
	if (plain)
		sqlt_sb_put(b, s, n);
	else
		sb_enclose(b, '"', s, n);
}

/* The string, handed over (an empty one if nothing was appended); NULL
 * after a failed allocation.  The builder is left empty. */
char *sqlt_sb_take(struct sqlt_sb *b)
{
	char *s = b->s;

	if (s == NULL && !b->oom)
		s = calloc(1, 1);
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* Upper-case s in place (ASCII): command tags and feature names. */
void sqlt_upcase(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* ---- The statement's first error */

void sqlt_fail(struct sqlt_tr *tr, const char *state, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (tr->state[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(tr->state, state, 6);
	tr->msg = strdup(buf);
	if (tr->msg == NULL)
		tr->oom = true;
}

/* 0A000 naming the feature: "<what> is not supported by ...". */
void sqlt_unsupported(struct sqlt_tr *tr, const char *what)
{
	sqlt_fail(tr, "0A000", "%s is not supported by pgpin's SQLite backend", what);
}

/* ---- Token cursor */

/* Matching ')' of '(' at i, or b. */
size_t sqlt_mpar(const struct sqlt_tr *tr, size_t i, size_t b)
{
	int depth = 0;

	for (; i < b; i++) {
		if (sqlt_is(tr, i, b, "(") || sqlt_is(tr, i, b, "["))
			depth++;
		else if ((sqlt_is(tr, i, b, ")") || sqlt_is(tr, i, b, "]")) && --depth == 0)
			return i;
	}
	return b;
}

/* Identifier value: words folded to lower case, "quoted" unquoted. */
void sqlt_ident(const struct sqlt_tr *tr, size_t i, char *buf, size_t cap)
{
	const struct sqlt_tok *t = &tr->t[i];
	size_t o = 0;

	if (t->kind == LX_QIDENT && t->s[0] == '"') {
		for (size_t k = 1; k + 1 < t->len && o + 1 < cap; k++) {
			buf[o++] = t->s[k];
			if (t->s[k] == '"')
				k++;
		}
	} else {
		for (size_t k = 0; k < t->len && o + 1 < cap; k++)
			buf[o++] = (char)tolower((unsigned char)t->s[k]);
	}
	buf[o] = '\0';
}

/* sqlt_ident() as a malloc'd string (NULL: out of memory). */
char *sqlt_ident_dup(const struct sqlt_tr *tr, size_t i)
{
	char buf[256];

	sqlt_ident(tr, i, buf, sizeof(buf));
	return strdup(buf);
}

/* Skip a top-level expression: up to the next top-level token that is a
 * word in stop[] (or ',' / ';' if listed as "," / ";"), or b. */
size_t sqlt_skip_to(const struct sqlt_tr *tr, size_t i, size_t b, const char *const *stop)
{
	for (; i < b; i++) {
		if (sqlt_is(tr, i, b, "(") || sqlt_is(tr, i, b, "[")) {
			i = sqlt_mpar(tr, i, b);
			if (i >= b)
				return b;
			continue;
		}
		for (const char *const *w = stop; *w != NULL; w++)
			if (sqlt_kw(tr, i, b, *w) || sqlt_is(tr, i, b, *w))
				return i;
	}
	return b;
}

/* The index after the name at i with its dotted parts (s.t, written
 * without spaces). */
size_t sqlt_name_end(const struct sqlt_tr *tr, size_t i, size_t b)
{
	size_t e = i + 1;

	while (sqlt_is(tr, e, b, ".") && sqlt_is_name(tr, e + 1, b))
		e += 2;
	return e;
}

/* Last significant token before e (>= a), or SQLT_NONE. */
size_t sqlt_prev_sig(const struct sqlt_tr *tr, size_t a, size_t e)
{
	while (e > a) {
		e--;
		if (!sqlt_trivia(tr, e))
			return e;
	}
	return SQLT_NONE;
}

/*
 * The value of a string literal spelled s[0, len) (lexed as kind), quotes
 * removed and escapes processed: malloc'd (*n its length when n is not
 * NULL), or NULL when it is malformed or memory runs out.
 */
char *sqlt_literal_value(enum lex_kind kind, const char *s, size_t len, size_t *n)
{
	struct lex_token lt = {kind, 0, len, 0};
	struct lex_tokens one = {.v = &lt, .n = 1, .src = s, .srclen = len};

	return lex_string_value(&one, 0, n);
}

/* The value of string token i (see sqlt_literal_value). */
char *sqlt_string_value(const struct sqlt_tr *tr, size_t i, size_t *n)
{
	return sqlt_literal_value(tr->t[i].kind, tr->t[i].s, tr->t[i].len, n);
}

/* Split [a, b) at top-level commas into at most max ranges. */
int sqlt_split_commas(const struct sqlt_tr *tr, size_t a, size_t b, struct sqlt_clause *v,
		      int max)
{
	static const char *const comma[] = {",", NULL};
	int n = 0;

	while (a < b && n < max) {
		size_t e = sqlt_skip_to(tr, a, b, comma);
		v[n++] = (struct sqlt_clause){a, e};
		a = e + 1;
	}
	return n;
}

/* Copy token i to the output as it is. */
void sqlt_emit_tok(struct sqlt_tr *tr, size_t i)
{
	sqlt_sb_put(&tr->out, tr->t[i].s, tr->t[i].len);
}

/* Copy tokens [a, b) as they are. */
void sqlt_emit_raw(struct sqlt_tr *tr, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		sqlt_emit_tok(tr, i);
}

/* ---- Normalisation: the token array of one statement */

/* Keep s (malloc'd) until the statement is done: synthesized tokens
 * point into it.  "" and tr->oom when s is NULL or cannot be kept. */
static const char *own(struct sqlt_tr *tr, char *s)
{
	char **v;

	if (s == NULL) {
		tr->oom = true;
		return "";
	}
	v = realloc(tr->owned, (tr->nowned + 1) * sizeof(*v));
	if (v == NULL) {
		free(s);
		tr->oom = true;
		return "";
	}
	tr->owned = v;
	v[tr->nowned++] = s;
	return s;
}

/*
 * Build the statement's token array from lex tokens [a, b): drop
 * pg_catalog. and public. qualifiers, turn information_schema.x into the
 * identifier "information_schema.x" and OPERATOR(schema.op) into op.
 */
int sqlt_normalise(struct sqlt_tr *tr, const struct lex_tokens *lx, size_t a, size_t b)
{
	tr->t = calloc(b - a + 1, sizeof(*tr->t));
	if (tr->t == NULL)
		return -1;
	tr->n = 0;
	for (size_t i = a; i < b; i++) {
		const struct lex_token *l = &lx->v[i];
		size_t d = lex_sig_from(lx, i + 1), x = d < b ? lex_sig_from(lx, d + 1) : b;

		if (l->kind == LX_WORD && d < b && x < b && lex_is(lx, d, ".") &&
		    (lex_is_word(lx, i, "pg_catalog") || lex_is_word(lx, i, "public")) &&
		    (lx->v[x].kind == LX_WORD || lx->v[x].kind == LX_QIDENT ||
		     lx->v[x].kind == LX_OP)) {
			i = x - 1; /* keep only the name */
			continue;
		}
		if (lex_is_word(lx, i, "information_schema") && d < b && x < b &&
		    lex_is(lx, d, ".") &&
		    (lx->v[x].kind == LX_WORD || lx->v[x].kind == LX_QIDENT)) {
			char name[128], q[300];
			lex_ident(lx, x, name, sizeof(name));
			snprintf(q, sizeof(q), "\"information_schema.%s\"", name);
			tr->t[tr->n++] =
			    (struct sqlt_tok){LX_QIDENT, own(tr, strdup(q)), strlen(q), 0};
			i = x;
			continue;
		}
		if (lex_is_word(lx, i, "operator") && d < b && lex_is(lx, d, "(")) {
			size_t close = lex_match_paren(lx, d);
			size_t op = SQLT_NONE;
			for (size_t k = d + 1; k < close && k < b; k++)
				if (lx->v[k].kind == LX_OP)
					op = k;
			if (close < b && op != SQLT_NONE) {
				tr->t[tr->n++] = (struct sqlt_tok){LX_OP, lx->src + lx->v[op].pos,
								   lx->v[op].len, 0};
				i = close;
				continue;
			}
		}
		tr->t[tr->n++] = (struct sqlt_tok){l->kind, lx->src + l->pos, l->len, l->param};
	}
	return tr->oom ? -1 : 0;
}
