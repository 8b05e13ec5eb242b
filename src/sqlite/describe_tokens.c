/*
 * describe_tokens.c - the token view the describe_*.c readers work on:
 * a statement's significant tokens with their brackets matched (struct
 * cx, built here), identifiers folded and clipped as PostgreSQL clips
 * them, and the searches the readers share: the first top-level token
 * that satisfies a test, the items of a comma-separated list, where each
 * clause keyword of a statement stands.
 * It knows no SQL grammar beyond which words start a query and which are
 * reserved, and nothing of types.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite/describe_int.h"

/* Copy at most cap-1 bytes, never cutting a UTF-8 character (as
 * PostgreSQL clips identifiers to NAMEDATALEN-1 bytes). */
void desc_set_str(char *dst, size_t cap, const char *src)
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
void desc_ident(const struct cx *c, size_t p, char *buf)
{
	char tmp[256];

	lex_ident(&c->toks, c->sig[p], tmp, sizeof(tmp));
	desc_set_str(buf, DESC_NAME_MAX, tmp);
}

void desc_tok_text(const struct cx *c, size_t p, char *buf, size_t cap)
{
	const struct lex_token *t = tok(c, p);
	size_t n = t->len < cap - 1 ? t->len : cap - 1;

	memcpy(buf, c->toks.src + t->pos, n);
	buf[n] = '\0';
}

/* Words that end an expression or a FROM item instead of naming an alias. */
bool desc_reserved(const struct cx *c, size_t p, size_t end)
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
size_t desc_find_top(const struct cx *c, size_t p, size_t end,
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

/* A query starts at p: SELECT, WITH, VALUES, TABLE, or ( query ). */
bool desc_starts_query(const struct cx *c, size_t p, size_t end)
{
	while (op(c, p, end, "("))
		p++;
	return kw(c, p, end, "select") || kw(c, p, end, "with") || kw(c, p, end, "values") ||
	       kw(c, p, end, "table");
}

/* The SQL-standard argument keywords of substring, position, overlay and
 * trim separate arguments as a comma does. */
static bool is_sql_arg_sep(const struct cx *c, size_t p, size_t end)
{
	return op(c, p, end, ",") || kw(c, p, end, "from") || kw(c, p, end, "for") ||
	       kw(c, p, end, "in") || kw(c, p, end, "placing");
}

bool desc_next_item(const struct cx *c, struct items *it)
{
	if (it->next >= it->end || c->oom)
		return false;
	it->at = it->next;
	it->stop = desc_find_top(c, it->at, it->end, it->sqlsyntax ? is_sql_arg_sep : is_comma);
	it->next = it->stop + 1;
	return true;
}

/* Where each of words[0..n) first stands at depth 0 in [p, end), end when
 * absent.  "group" and "order" count only before "by"; a FROM right after
 * DISTINCT is the operator IS DISTINCT FROM, not a clause. */
void desc_find_clauses(const struct cx *c, size_t p, size_t end, const char *const *words,
		       size_t *at, int n)
{
	for (int i = 0; i < n; i++)
		at[i] = end;
	for (size_t q = p; q < end; q++) {
		if (op(c, q, end, "(") || op(c, q, end, "[")) {
			q = closer(c, q, end);
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (at[i] != end || !kw(c, q, end, words[i]))
				continue;
			if ((strcmp(words[i], "group") == 0 || strcmp(words[i], "order") == 0) &&
			    !kw(c, q + 1, end, "by"))
				continue;
			if (strcmp(words[i], "from") == 0 && q > 0 && kw(c, q - 1, end, "distinct"))
				continue;
			at[i] = q;
		}
	}
}

int desc_build(struct cx *c, const char *text, size_t len)
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
