/*
 * translate_int.h - what the files of the translator share, and nothing
 * else includes: the translation state of one statement, its token
 * cursor, the string builder the output is written into, and the entry
 * points the statement handlers of one file call in another.  The public
 * surface is translate.h; nothing here is part of it.
 */
#ifndef PGPIN_SQLITE_TRANSLATE_INT_H
#define PGPIN_SQLITE_TRANSLATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "sqlite/lex.h"
#include "sqlite/translate.h"

/* ---- String builder (translate_tok.c) */

/* A growing NUL-terminated string; after a failed allocation every append
 * is a no-op and oom stays set, so callers check once at the end. */
struct sqlt_sb {
	char *s;
	size_t len, cap;
	bool oom;
};

void sqlt_sb_put(struct sqlt_sb *b, const char *s, size_t n);
void sqlt_sb_puts(struct sqlt_sb *b, const char *s);
void sqlt_sb_insert(struct sqlt_sb *b, size_t pos, const char *s);
void sqlt_sb_trim(struct sqlt_sb *b);
void sqlt_sb_quote(struct sqlt_sb *b, const char *s, size_t n);
void sqlt_sb_ident(struct sqlt_sb *b, const char *s, size_t n);
char *sqlt_sb_take(struct sqlt_sb *b);
void sqlt_upcase(char *s);

/* ---- The statement being translated (translate_tok.c) */

/* A token of one statement after normalisation: text points into the
 * query string or, for synthesized tokens, into tr->owned. */
struct sqlt_tok {
	enum lex_kind kind;
	const char *s;
	size_t len;
	int param;
};

struct sqlt_tr {
	struct sqlt_tok *t;
	size_t n;
	struct sqlt_sb out;
	bool ddl;	 /* CREATE/ALTER TABLE: keep CURRENT_TIMESTAMP */
	char state[6];	 /* first error: SQLSTATE */
	char *msg;	 /* and message */
	char **owned;	 /* synthesized token texts */
	size_t nowned;
	bool oom;
};

/* "No token": what the searches below return when they find nothing. */
#define SQLT_NONE ((size_t)-1)

/* A range of tokens [a, e): a clause, a list item, a removed part. */
struct sqlt_clause {
	size_t a, e;
};

int sqlt_normalise(struct sqlt_tr *tr, const struct lex_tokens *lx, size_t a, size_t b);

/* Record the statement's error (only the first one counts). */
void sqlt_fail(struct sqlt_tr *tr, const char *state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sqlt_unsupported(struct sqlt_tr *tr, const char *what);

/*
 * The token cursor.  Every function takes the end b of the range it may
 * look at, and treats an index at or past b as "no token" (false, or b),
 * so that chains like sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "x") need no
 * bounds checks.  These few are inline: the walk calls them per token.
 */
static inline bool sqlt_trivia(const struct sqlt_tr *tr, size_t i)
{
	return tr->t[i].kind == LX_SPACE || tr->t[i].kind == LX_COMMENT;
}

/* First significant token at or after i, below end b. */
static inline size_t sqlt_sig(const struct sqlt_tr *tr, size_t i, size_t b)
{
	while (i < b && sqlt_trivia(tr, i))
		i++;
	return i < b ? i : b;
}

/* First significant token after i. */
static inline size_t sqlt_nxt(const struct sqlt_tr *tr, size_t i, size_t b)
{
	return i >= b ? b : sqlt_sig(tr, i + 1, b);
}

/* Is token i the word w (any case)? */
static inline bool sqlt_kw(const struct sqlt_tr *tr, size_t i, size_t b, const char *w)
{
	size_t n = strlen(w);

	return i < b && tr->t[i].kind == LX_WORD && tr->t[i].len == n &&
	       strncasecmp(tr->t[i].s, w, n) == 0;
}

/* Is token i the punctuation or operator s? */
static inline bool sqlt_is(const struct sqlt_tr *tr, size_t i, size_t b, const char *s)
{
	size_t n = strlen(s);

	return i < b && (tr->t[i].kind == LX_PUNCT || tr->t[i].kind == LX_OP) &&
	       tr->t[i].len == n && memcmp(tr->t[i].s, s, n) == 0;
}

/* Is token i a word or a quoted identifier? */
static inline bool sqlt_is_name(const struct sqlt_tr *tr, size_t i, size_t b)
{
	return i < b && (tr->t[i].kind == LX_WORD || tr->t[i].kind == LX_QIDENT);
}

size_t sqlt_mpar(const struct sqlt_tr *tr, size_t i, size_t b);
size_t sqlt_skip_to(const struct sqlt_tr *tr, size_t i, size_t b, const char *const *stop);
size_t sqlt_prev_sig(const struct sqlt_tr *tr, size_t a, size_t e);
size_t sqlt_name_end(const struct sqlt_tr *tr, size_t i, size_t b);
int sqlt_split_commas(const struct sqlt_tr *tr, size_t a, size_t b, struct sqlt_clause *v,
		      int max);
void sqlt_ident(const struct sqlt_tr *tr, size_t i, char *buf, size_t cap);
char *sqlt_ident_dup(const struct sqlt_tr *tr, size_t i);
char *sqlt_literal_value(enum lex_kind kind, const char *s, size_t len, size_t *n);
char *sqlt_string_value(const struct sqlt_tr *tr, size_t i, size_t *n);
void sqlt_emit_tok(struct sqlt_tr *tr, size_t i);
void sqlt_emit_raw(struct sqlt_tr *tr, size_t a, size_t b);

/* ---- Type names and casts (translate_type.c) */

/* A type name in the token stream. */
struct sqlt_ptype {
	char name[96];	  /* canonical: lower case, single spaces, no modifiers */
	size_t a, e;	  /* its tokens [a, e) */
	bool array;	  /* [] or ARRAY */
};

/* How a cast is written in SQLite: CAST(x AS T), f(x), or not at all. */
enum sqlt_cast_how { SQLT_CAST_AS, SQLT_CAST_FUNC, SQLT_CAST_ERROR };

bool sqlt_parse_type(const struct sqlt_tr *tr, size_t i, size_t b, struct sqlt_ptype *pt);
enum sqlt_cast_how sqlt_cast_target(const struct sqlt_ptype *pt, const char **out);

/* ---- Expressions (translate_expr.c) */

bool sqlt_is_keyword(const struct sqlt_tr *tr, size_t i);
bool sqlt_is_query_start(const struct sqlt_tr *tr, size_t i, size_t b);
void sqlt_emit_range(struct sqlt_tr *tr, size_t a, size_t b);
char *sqlt_emit_sub(struct sqlt_tr *tr, size_t s, size_t e);

/* ---- Queries (translate_query.c) */

size_t sqlt_skip_with(const struct sqlt_tr *tr, size_t w, size_t b);
void sqlt_emit_query(struct sqlt_tr *tr, size_t a, size_t b);
bool sqlt_emit_dml(struct sqlt_tr *tr, size_t i, size_t b);

/* ---- Statement handlers (translate.c and the files named below) */

/* What a handler works on: the tokens [0, b) and the result to fill. */
struct sqlt_ctx {
	struct sqlt_tr *tr;
	struct sqlt_stmt *st;
	size_t b; /* tr->n */
};

/* A handler: matched is the part of the statement's head its pattern
 * matched ("DROP TABLE", "SHOW", ...). */
typedef void (*sqlt_handler_fn)(struct sqlt_ctx *c, const char *matched);

void sqlt_set_tag(struct sqlt_stmt *st, const char *tag);
void sqlt_noop(struct sqlt_ctx *c, const char *tag);
void sqlt_syntax_error(struct sqlt_ctx *c, size_t i);

/* translate_session.c */
void sqlt_h_begin(struct sqlt_ctx *c, const char *m);
void sqlt_h_commit(struct sqlt_ctx *c, const char *m);
void sqlt_h_rollback(struct sqlt_ctx *c, const char *m);
void sqlt_h_savepoint(struct sqlt_ctx *c, const char *m);
void sqlt_h_set(struct sqlt_ctx *c, const char *m);
void sqlt_h_show_reset(struct sqlt_ctx *c, const char *m);
void sqlt_h_database(struct sqlt_ctx *c, const char *m);
void sqlt_h_deallocate(struct sqlt_ctx *c, const char *m);
void sqlt_h_discard(struct sqlt_ctx *c, const char *m);

/* translate_copy.c */
void sqlt_h_copy(struct sqlt_ctx *c, const char *m);

/* translate_ddl.c */
void sqlt_h_truncate(struct sqlt_ctx *c, const char *m);
void sqlt_h_drop(struct sqlt_ctx *c, const char *m);
void sqlt_h_create_table(struct sqlt_ctx *c, const char *m);
void sqlt_h_create_index(struct sqlt_ctx *c, const char *m);
void sqlt_h_create_view(struct sqlt_ctx *c, const char *m);
void sqlt_h_alter_table(struct sqlt_ctx *c, const char *m);
void sqlt_h_alter_other(struct sqlt_ctx *c, const char *m);

#endif
