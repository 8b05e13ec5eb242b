/*
 * lex.c - a PostgreSQL-dialect SQL tokenizer.
 *
 * Follows the token rules of PostgreSQL's scan.l closely enough that no
 * rewriting rule can ever fire inside a literal, a quoted identifier, a
 * dollar-quoted body or a comment: E'' backslash escapes, '' doubling,
 * nested block comments, $tag$ quotes (and $n parameters, which look like
 * them), and operators that end before a comment start.  It does not
 * validate: a stray byte becomes a one-byte LX_PUNCT token and an
 * unterminated literal an LX_ERROR token, and the consumer decides.
 */
#include "sqlite/lex.h"
#include "sqlite/hex.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_cont(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* Identifier characters allowed in a dollar-quote tag (no '$'). */
static bool is_tag_cont(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_op_char(unsigned char c)
{
	return strchr("+-*/<>=~!@#%^&|`?", c) != NULL && c != '\0';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int push(struct lex_tokens *t, enum lex_kind kind, size_t pos, size_t len, int param)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct lex_token *v = realloc(t->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = (struct lex_token){.kind = kind, .pos = pos, .len = len, .param = param};
	return 0;
}

/*
 * End of a quoted run starting at s[i] == q.  Doubled quotes are part of
 * the run; with backslash true, a backslash escapes the next byte (E'').
 * Returns the index just past the closing quote, or len if unterminated
 * (*closed false).
 */
static size_t scan_quoted(const char *s, size_t len, size_t i, char q, bool backslash,
			  bool *closed)
{
	for (i++; i < len; i++) {
		if (backslash && s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q) {
				i++;
				continue;
			}
			*closed = true;
			return i + 1;
		}
	}
	*closed = false;
	return len;
}

/* End of a (nested) block comment starting at s[i..i+1] == slash-star. */
static size_t scan_block_comment(const char *s, size_t len, size_t i, bool *closed)
{
	int depth = 0;

	while (i < len) {
		if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
			depth++;
			i += 2;
		} else if (i + 1 < len && s[i] == '*' && s[i + 1] == '/') {
			depth--;
			i += 2;
			if (depth == 0) {
				*closed = true;
				return i;
			}
		} else {
			i++;
		}
	}
	*closed = false;
	return len;
}

/* Length of a dollar-quote opening tag at s[i] == '$' ("$$" or "$tag$"),
 * or 0 if there is none. */
static size_t dollar_tag_len(const char *s, size_t len, size_t i)
{
	size_t j = i + 1;

	if (j < len && s[j] == '$')
		return 2;
	if (j >= len || !is_ident_start((unsigned char)s[j]))
		return 0;
	while (j < len && is_tag_cont((unsigned char)s[j]))
		j++;
	if (j < len && s[j] == '$')
		return j - i + 1;
	return 0;
}

/* Number: 42, 3.5, .5, 1e10, 1.5E-3, 0x1F, 0o17, 0b101 (and _ separators). */
static size_t scan_number(const char *s, size_t len, size_t i)
{
	if (s[i] == '0' && i + 2 < len && strchr("xXoObB", s[i + 1]) != NULL &&
	    isxdigit((unsigned char)s[i + 2])) {
		i += 2;
		while (i < len && (isxdigit((unsigned char)s[i]) || s[i] == '_'))
			i++;
		return i;
	}
	while (i < len && (is_digit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	/* "1..5" is not a number followed by ".5": leave ".." alone. */
	if (i < len && s[i] == '.' && !(i + 1 < len && s[i + 1] == '.')) {
		i++;
		while (i < len && (is_digit((unsigned char)s[i]) || s[i] == '_'))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && is_digit((unsigned char)s[j])) {
			while (j < len && is_digit((unsigned char)s[j]))
				j++;
			i = j;
		}
	}
	return i;
}

/*
 * Operator run at s[i], with PostgreSQL's two rules: it stops before "--"
 * or slash-star, and a multi-byte operator may not end in + or - unless
 * it contains one of ~ ! @ # % ^ & | ` ? (so "=-1" is "=" then "-1").
 */
static size_t scan_operator(const char *s, size_t len, size_t i)
{
	size_t start = i, end;
	bool special = false;

	while (i < len && is_op_char((unsigned char)s[i])) {
		if (i > start && i + 1 < len &&
		    ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '/' && s[i + 1] == '*')))
			break;
		i++;
	}
	end = i;
	for (size_t k = start; k < end; k++)
		if (strchr("~!@#%^&|`?", s[k]) != NULL)
			special = true;
	if (!special)
		while (end - start > 1 && (s[end - 1] == '+' || s[end - 1] == '-'))
			end--;
	return end;
}

int lex_tokenize(const char *s, size_t len, struct lex_tokens *t)
{
	size_t i = 0;

	t->n = 0;
	t->src = s;
	t->srclen = len;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t start = i;
		enum lex_kind kind;
		int param = 0;
		bool closed = true;

		if (is_space(c)) {
			while (i < len && is_space((unsigned char)s[i]))
				i++;
			kind = LX_SPACE;
		} else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
			kind = LX_COMMENT;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			i = scan_block_comment(s, len, i, &closed);
			kind = closed ? LX_COMMENT : LX_ERROR;
		} else if (c == '\'') {
			i = scan_quoted(s, len, i, '\'', false, &closed);
			kind = closed ? LX_STRING : LX_ERROR;
		} else if (c == '"') {
			i = scan_quoted(s, len, i, '"', false, &closed);
			kind = closed ? LX_QIDENT : LX_ERROR;
		} else if ((c == 'u' || c == 'U') && i + 2 < len && s[i + 1] == '&' &&
			   (s[i + 2] == '\'' || s[i + 2] == '"')) {
			char q = s[i + 2];
			i = scan_quoted(s, len, i + 2, q, false, &closed);
			kind = !closed ? LX_ERROR : q == '\'' ? LX_STRING : LX_QIDENT;
		} else if (strchr("eEbBxXnN", c) != NULL && c != '\0' && i + 1 < len &&
			   s[i + 1] == '\'') {
			i = scan_quoted(s, len, i + 1, '\'', c == 'e' || c == 'E', &closed);
			kind = closed ? LX_STRING : LX_ERROR;
		} else if (is_ident_start(c)) {
			while (i < len && is_ident_cont((unsigned char)s[i]))
				i++;
			kind = LX_WORD;
		} else if (c == '$' && i + 1 < len && is_digit((unsigned char)s[i + 1])) {
			long n = 0;
			for (i++; i < len && is_digit((unsigned char)s[i]); i++)
				if (n <= 1000000)
					n = n * 10 + (s[i] - '0');
			param = n > 1000000 ? 1000000 : (int)n;
			kind = LX_PARAM;
		} else if (c == '$' && dollar_tag_len(s, len, i) > 0) {
			size_t tl = dollar_tag_len(s, len, i);
			const char *end = NULL;
			for (size_t j = i + tl; j + tl <= len; j++)
				if (s[j] == '$' && memcmp(s + j, s + i, tl) == 0) {
					end = s + j;
					break;
				}
			if (end != NULL) {
				i = (size_t)(end - s) + tl;
				kind = LX_DOLLAR;
			} else {
				i = len;
				kind = LX_ERROR;
			}
		} else if (is_digit(c) ||
			   (c == '.' && i + 1 < len && is_digit((unsigned char)s[i + 1]))) {
			i = scan_number(s, len, i);
			kind = LX_NUMBER;
		} else if (c == ':' && i + 1 < len && s[i + 1] == ':') {
			i += 2;
			kind = LX_OP;
		} else if (is_op_char(c)) {
			i = scan_operator(s, len, i);
			kind = LX_OP;
		} else {
			/* ( ) [ ] , ; . : and any stray byte ('\\', '{', a lone '$') */
			i++;
			kind = LX_PUNCT;
		}
		if (push(t, kind, start, i - start, param) < 0)
			return -1;
	}
	return 0;
}

void lex_free(struct lex_tokens *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

bool lex_is_word(const struct lex_tokens *t, size_t i, const char *kw)
{
	size_t n = strlen(kw);

	if (i >= t->n || t->v[i].kind != LX_WORD || t->v[i].len != n)
		return false;
	return strncasecmp(t->src + t->v[i].pos, kw, n) == 0;
}

bool lex_is(const struct lex_tokens *t, size_t i, const char *s)
{
	size_t n = strlen(s);

	if (i >= t->n || (t->v[i].kind != LX_PUNCT && t->v[i].kind != LX_OP) || t->v[i].len != n)
		return false;
	return memcmp(t->src + t->v[i].pos, s, n) == 0;
}

size_t lex_sig_from(const struct lex_tokens *t, size_t i)
{
	while (i < t->n && lex_is_trivia(&t->v[i]))
		i++;
	return i < t->n ? i : t->n;
}

size_t lex_next_sig(const struct lex_tokens *t, size_t i)
{
	return i >= t->n ? t->n : lex_sig_from(t, i + 1);
}

size_t lex_match_paren(const struct lex_tokens *t, size_t i)
{
	int depth = 0;

	if (!lex_is(t, i, "("))
		return t->n;
	for (; i < t->n; i++) {
		if (lex_is(t, i, "("))
			depth++;
		else if (lex_is(t, i, ")") && --depth == 0)
			return i;
	}
	return t->n;
}

char *lex_ident(const struct lex_tokens *t, size_t i, char *buf, size_t cap)
{
	const char *p;
	size_t len, o = 0;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (i >= t->n)
		return buf;
	p = t->src + t->v[i].pos;
	len = t->v[i].len;
	if (t->v[i].kind == LX_QIDENT) {
		if (p[0] != '"') { /* U&"..." */
			p += 2;
			len -= 2;
		}
		for (size_t k = 1; k + 1 < len && o + 1 < cap; k++) {
			buf[o++] = p[k];
			if (p[k] == '"')
				k++; /* "" */
		}
	} else {
		bool fold = t->v[i].kind == LX_WORD;
		for (size_t k = 0; k < len && o + 1 < cap; k++)
			buf[o++] = fold ? (char)tolower((unsigned char)p[k]) : p[k];
	}
	buf[o] = '\0';
	return buf;
}

/* Append code point cp as UTF-8; false if it is not a valid scalar value. */
static bool put_utf8(char *out, size_t *o, uint32_t cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return false;
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xC0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xE0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*o)++] = (char)(0xF0 | (cp >> 18));
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	}
	return true;
}

/* n hex digits at p as a code point, or -1. */
static long hex_run(const char *p, size_t avail, size_t n)
{
	long v = 0;

	if (avail < n)
		return -1;
	for (size_t k = 0; k < n; k++) {
		int h = hex_value(p[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* E'' body: backslash escapes as PostgreSQL defines them. */
static bool unescape_e(const char *p, size_t len, char *out, size_t *o)
{
	for (size_t k = 0; k < len; k++) {
		char c = p[k];
		if (c == '\'') { /* '' */
			out[(*o)++] = '\'';
			k++;
			continue;
		}
		if (c != '\\') {
			out[(*o)++] = c;
			continue;
		}
		if (++k >= len)
			return false;
		c = p[k];
		switch (c) {
		case 'b': out[(*o)++] = '\b'; break;
		case 'f': out[(*o)++] = '\f'; break;
		case 'n': out[(*o)++] = '\n'; break;
		case 'r': out[(*o)++] = '\r'; break;
		case 't': out[(*o)++] = '\t'; break;
		case 'x': {
			int v = 0, nd = 0;
			while (nd < 2 && k + 1 < len && hex_value(p[k + 1]) >= 0)
				v = v * 16 + hex_value(p[++k]), nd++;
			if (nd == 0) {
				out[(*o)++] = 'x'; /* "\x" without digits is just x */
				break;
			}
			if (v == 0)
				return false;
			out[(*o)++] = (char)v;
			break;
		}
		case 'u':
		case 'U': {
			size_t nd = c == 'u' ? 4 : 8;
			long cp = hex_run(p + k + 1, len - k - 1, nd);
			if (cp < 0 || !put_utf8(out, o, (uint32_t)cp))
				return false;
			k += nd;
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				int v = c - '0', nd = 1;
				while (nd < 3 && k + 1 < len && p[k + 1] >= '0' && p[k + 1] <= '7')
					v = v * 8 + (p[++k] - '0'), nd++;
				if ((v & 0xFF) == 0)
					return false;
				out[(*o)++] = (char)v;
			} else {
				out[(*o)++] = c;
			}
		}
	}
	return true;
}

/* U&'' body: \XXXX, \+XXXXXX and \\ (the default escape character). */
static bool unescape_u(const char *p, size_t len, char *out, size_t *o)
{
	for (size_t k = 0; k < len; k++) {
		char c = p[k];
		if (c == '\'') {
			out[(*o)++] = '\'';
			k++;
			continue;
		}
		if (c != '\\') {
			out[(*o)++] = c;
			continue;
		}
		if (k + 1 < len && p[k + 1] == '\\') {
			out[(*o)++] = '\\';
			k++;
			continue;
		}
		bool plus = k + 1 < len && p[k + 1] == '+';
		size_t nd = plus ? 6 : 4;
		long cp = hex_run(p + k + 1 + plus, len - k - 1 - plus, nd);
		if (cp < 0 || !put_utf8(out, o, (uint32_t)cp))
			return false;
		k += nd + plus;
	}
	return true;
}

char *lex_string_value(const struct lex_tokens *t, size_t i, size_t *outlen)
{
	const char *p;
	size_t len, o = 0;
	char *out;
	bool ok = true;

	if (i >= t->n || (t->v[i].kind != LX_STRING && t->v[i].kind != LX_DOLLAR))
		return NULL;
	p = t->src + t->v[i].pos;
	len = t->v[i].len;
	/* Every escape shrinks or keeps the length, except \u/\U, whose
	 * 6 or 10 input bytes give at most 4 output bytes. */
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	if (t->v[i].kind == LX_DOLLAR) {
		size_t tl = 1;
		while (p[tl] != '$')
			tl++;
		tl++;
		memcpy(out, p + tl, len - 2 * tl);
		o = len - 2 * tl;
	} else if (p[0] == 'e' || p[0] == 'E') {
		ok = unescape_e(p + 2, len - 3, out, &o);
	} else if (p[0] == 'u' || p[0] == 'U') {
		ok = unescape_u(p + 3, len - 4, out, &o);
	} else {
		size_t skip = p[0] == '\'' ? 1 : 2; /* '..' or B'..' X'..' N'..' */
		for (size_t k = skip; k + 1 < len; k++) {
			out[o++] = p[k];
			if (p[k] == '\'')
				k++;
		}
	}
	if (!ok) {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}
