/*
 * lex.h - a PostgreSQL-dialect SQL tokenizer.
 *
 * Splits statement text into tokens without ever looking inside string
 * literals ('..', E'..', U&'..', B'..', X'..'), quoted identifiers ("..",
 * U&".."), dollar-quoted strings ($tag$..$tag$) or comments (-- and
 * nested slash-star).  Every byte of the input belongs to exactly one
 * token, so text can be rebuilt by copying token spans, and rewriting code
 * works on tokens only: nothing is ever replaced inside a literal.
 *
 * Pure: no allocation except the token array, no global state.
 */
#ifndef PGPIN_SQLITE_LEX_H
#define PGPIN_SQLITE_LEX_H

#include <stdbool.h>
#include <stddef.h>

enum lex_kind {
	LX_SPACE = 0,  /* run of whitespace */
	LX_COMMENT,    /* -- to end of line, or a (nested) block comment */
	LX_WORD,       /* unquoted identifier or keyword: [A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]* */
	LX_QIDENT,     /* "quoted identifier" (also U&"...") */
	LX_STRING,     /* '...' with '' escapes; E'..' (backslash escapes), U&'..', B'..', X'..' */
	LX_DOLLAR,     /* $tag$ ... $tag$ */
	LX_NUMBER,     /* 42, 3.5, .5, 1e10, 0x1F */
	LX_PARAM,      /* $1 .. $65535 */
	LX_OP,         /* operator: one or more of + - * / < > = ~ ! @ # % ^ & | ` ?  and also :: */
	LX_PUNCT,      /* one of ( ) [ ] , ; . : */
	LX_ERROR,      /* an unterminated literal/comment: runs to the end of the text */
};

struct lex_token {
	enum lex_kind kind;
	size_t pos; /* byte offset in the text */
	size_t len; /* byte length (including quotes and prefixes) */
	int param;  /* LX_PARAM: the number n of $n */
};

struct lex_tokens {
	struct lex_token *v;
	size_t n;
	size_t cap;
	const char *src; /* the text tokenized (not owned) */
	size_t srclen;
};

/* Tokenize text[0..len).  Returns 0, or -1 on allocation failure.
 * toks must be zero-initialised or freed before; lex_free() releases it. */
int lex_tokenize(const char *text, size_t len, struct lex_tokens *toks);
void lex_free(struct lex_tokens *toks);

/* True when the token is trivia (space or comment). */
static inline bool lex_is_trivia(const struct lex_token *t)
{
	return t->kind == LX_SPACE || t->kind == LX_COMMENT;
}

/* Case-insensitive comparison of a LX_WORD token with an ASCII keyword. */
bool lex_is_word(const struct lex_tokens *toks, size_t i, const char *kw);
/* True when token i is the punctuation or operator text s exactly. */
bool lex_is(const struct lex_tokens *toks, size_t i, const char *s);
/* Index of the next non-trivia token after i (toks->n if none). */
size_t lex_next_sig(const struct lex_tokens *toks, size_t i);
/* Index of the first non-trivia token at or after i (toks->n if none). */
size_t lex_sig_from(const struct lex_tokens *toks, size_t i);
/* For '(' at i: the index of its matching ')', or toks->n if unbalanced. */
size_t lex_match_paren(const struct lex_tokens *toks, size_t i);

/*
 * The value of an identifier token: LX_WORD folded to lower case (as
 * PostgreSQL folds unquoted names), LX_QIDENT unquoted with "" undoubled.
 * Writes at most cap-1 bytes plus a NUL into buf; returns buf.
 */
char *lex_ident(const struct lex_tokens *toks, size_t i, char *buf, size_t cap);

/*
 * The value of a string token (LX_STRING or LX_DOLLAR), quotes removed and
 * escapes processed (E'' backslash escapes; '' undoubled).  Returns a
 * malloc'd NUL-terminated string (*outlen set if not NULL), or NULL on
 * allocation failure or a malformed escape.
 */
char *lex_string_value(const struct lex_tokens *toks, size_t i, size_t *outlen);

#endif
