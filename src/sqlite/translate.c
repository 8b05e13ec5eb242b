/*
 * translate.c - PostgreSQL dialect to SQLite, one statement text at a time.
 *
 * The text is tokenized once (lex.c), split on top-level ';', and each
 * statement is classified by matching its leading keywords (folded into a
 * normalised "head" string) against a table of pcre2 patterns.  Statements
 * the engine handles itself (transaction control, SET/SHOW/RESET, COPY,
 * CREATE/DROP DATABASE, DEALLOCATE, DISCARD) are parsed into fields; the
 * rest are rewritten by walking tokens and copying their text, so nothing
 * inside a literal, a quoted identifier or a comment is ever touched, and
 * a statement with nothing to rewrite comes out byte for byte the same
 * (apart from $n -> ?n), which keeps SQLite's error messages meaningful.
 *
 * WHAT IS REWRITTEN
 *   $n -> ?n.  expr::type and CAST(expr AS type) -> CAST(expr AS <affinity>)
 *     (int* INTEGER, float/real/double REAL, numeric NUMERIC, text-like,
 *     uuid, json(b), date/time types TEXT, bytea BLOB, oid/regproc INTEGER;
 *     bool -> pgpin_bool(expr), regclass -> pgpin_regclass(expr), regtype ->
 *     pgpin_regtype(expr); a '\x..'::bytea literal -> X'..').  Typed
 *     literals (date '..', timestamp '..', interval '..') likewise.
 *   E'..', U&'..', N'..' and $$..$$ strings -> plain '..' literals; X'..'
 *     -> SQLite blob X'..'.
 *   pg_catalog.x and public.x -> x; information_schema.x ->
 *     "information_schema.x" (TEMP views of the catalog module);
 *     OPERATOR(pg_catalog.~) -> ~.
 *   current_user, session_user, current_schema, current_catalog -> calls;
 *     CURRENT_TIMESTAMP, LOCALTIMESTAMP -> now() (kept as CURRENT_TIMESTAMP
 *     in DDL, where now() also becomes CURRENT_TIMESTAMP, so that the
 *     schema does not depend on pgpin's functions).
 *   a / b and a % b -> a / pgpin_nonzero(b): division by zero raises 22012
 *     as in PostgreSQL instead of giving SQLite's NULL.
 *   a ~ b, ~*, !~, !~* -> [NOT] pgpin_regex(a, b, 0|1); ILIKE -> lower(a)
 *     LIKE lower(b); ~~ / !~~ -> LIKE / NOT LIKE.  The operands are the
 *     primaries next to the operator (a column, literal, parameter, call or
 *     parenthesised expression), which is what PostgreSQL's precedence
 *     gives except next to arithmetic: a + b ~ c becomes a + (b ~ c).
 *   LIMIT ALL, OFFSET n ROWS, FETCH FIRST n ROWS ONLY, OFFSET before LIMIT
 *     -> LIMIT x OFFSET y.  TABLE t -> SELECT * FROM t.
 *   SELECT DISTINCT ON (e) ... ORDER BY o -> a ROW_NUMBER() OVER (PARTITION
 *     BY e ORDER BY o) derived table filtered to the first row, with the
 *     same output columns and order (not with * in the list or UNION).
 *   DELETE FROM t [AS a] USING items WHERE c -> DELETE FROM t WHERE rowid
 *     IN (SELECT a.rowid FROM t AS a, items WHERE c).
 *   DDL: [BIG|SMALL]SERIAL[2|4|8] PRIMARY KEY and GENERATED ... AS IDENTITY
 *     PRIMARY KEY -> INTEGER [marker] PRIMARY KEY AUTOINCREMENT, where the
 *     marker is the comment "pgpin:int4" or "pgpin:int2" for the 4- and
 *     2-byte kinds (the engine reads it back from sqlite_schema; a rowid
 *     alias must be declared exactly INTEGER); INT/INTEGER/INT4 PRIMARY
 *     KEY -> INTEGER [pgpin:int4 marker] PRIMARY KEY;
 *     bytea -> BLOB; other type names kept; DEFAULT expressions
 *     parenthesised when SQLite needs it.  COLLATE "C"/"POSIX"/"default"
 *     removed.  WITH (storage options), TABLESPACE, UNLOGGED, WITHOUT
 *     OIDS, ON COMMIT PRESERVE ROWS, USING btree|hash, CONCURRENTLY,
 *     INCLUDE (...), operator classes and NULLS FIRST/LAST in index columns
 *     removed; a CREATE INDEX without a name gets PostgreSQL's t_col_idx.
 *     CREATE OR REPLACE VIEW -> DROP VIEW IF EXISTS + CREATE VIEW.
 *     DROP TABLE|INDEX|VIEW a, b -> one DROP each; TRUNCATE a, b -> DELETE
 *     FROM a; DELETE FROM b.  ALTER TABLE t ADD [CONSTRAINT n] PRIMARY KEY
 *     | UNIQUE (cols) -> CREATE UNIQUE INDEX n|t_pkey|t_cols_key ON t
 *     (cols); DROP CONSTRAINT n -> DROP INDEX n; ADD/DROP/RENAME COLUMN
 *     and RENAME TO pass through.
 *   EXPLAIN [ANALYZE] [(...)] stmt -> EXPLAIN QUERY PLAN stmt.
 *
 * WHAT IS ACCEPTED AND IGNORED (SQLT_NOOP, or dropped from the statement)
 *   FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [OF ..] [NOWAIT | SKIP
 *   LOCKED] (SQLite serialises writers); foreign keys added by ALTER TABLE
 *   (not enforced); ALTER COLUMN .. TYPE; ALTER SEQUENCE; ALTER .. OWNER
 *   TO and other storage-only ALTER TABLE actions; VACUUM, ANALYZE,
 *   CHECKPOINT, REINDEX, LOCK TABLE; COMMENT ON, GRANT, REVOKE; SET
 *   TRANSACTION, SET SESSION CHARACTERISTICS, SET CONSTRAINTS; TRUNCATE's
 *   RESTART IDENTITY (AUTOINCREMENT counters are kept) and CASCADE; DROP
 *   ... CASCADE (dependants are not dropped); ALTER TABLE IF EXISTS is
 *   treated as ALTER TABLE.
 *
 * WHAT IS REFUSED WITH 0A000 (feature_not_supported)
 *   Array types and ARRAY[...] / subscripts; casts to types outside the
 *   list above; B'..' bit strings; U&'..' UESCAPE; SERIAL or IDENTITY
 *   columns that are not the PRIMARY KEY; collations other than C/POSIX/
 *   default; sequences (CREATE SEQUENCE, nextval...); CREATE SCHEMA,
 *   EXTENSION, FUNCTION, PROCEDURE, TRIGGER, TYPE, DOMAIN, MATERIALIZED
 *   VIEW, RULE, POLICY, ROLE; partitions and INHERITS; CREATE TABLE (LIKE
 *   ..) and OF type; LISTEN/NOTIFY/UNLISTEN; SQL-level PREPARE/EXECUTE;
 *   DO; cursors (DECLARE, FETCH, MOVE, CLOSE, WHERE CURRENT OF); COPY to or
 *   from a file or program; ON CONFLICT ON CONSTRAINT; COMMIT AND CHAIN;
 *   two-phase commit; index methods other than btree/hash; ALTER TABLE
 *   ADD CHECK, SET/DROP DEFAULT, SET/DROP NOT NULL, ADD COLUMN IF NOT
 *   EXISTS; FETCH ... WITH TIES.
 *
 * Limits: RETURNING after a DELETE ... USING may not name the alias; a
 * statement SQLite cannot parse after translation fails there, with
 * SQLite's message.
 */
#include "sqlite/translate.h"
#include "sqlite/lex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------- */
/* String builder */

struct sb {
	char *s;
	size_t len, cap;
	bool oom;
};

static bool sb_reserve(struct sb *b, size_t extra)
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

static void sb_put(struct sb *b, const char *s, size_t n)
{
	if (n == 0 || !sb_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_insert(struct sb *b, size_t pos, const char *s)
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
static void sb_trim(struct sb *b)
{
	while (b->len > 0 && strchr(" \t\r\n\f\v", b->s[b->len - 1]) != NULL)
		b->len--;
	if (b->s != NULL)
		b->s[b->len] = '\0';
}

/* Append s as a standard SQL string literal ('' doubled). */
static void sb_quote(struct sb *b, const char *s, size_t n)
{
	sb_put(b, "'", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			sb_put(b, "'", 1);
		sb_put(b, s + i, 1);
	}
	sb_put(b, "'", 1);
}

static char *sb_take(struct sb *b)
{
	char *s = b->s;

	if (s == NULL && !b->oom)
		s = calloc(1, 1);
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* ---------------------------------------------------------------------- */
/* Statement tokens and the translation state */

/* A token of one statement after normalisation: text points into the
 * query string or, for synthesized tokens, into tr->owned. */
struct tok {
	enum lex_kind kind;
	const char *s;
	size_t len;
	int param;
};

struct tr {
	struct tok *t;
	size_t n;
	struct sb out;
	bool ddl;	 /* CREATE/ALTER TABLE: keep CURRENT_TIMESTAMP */
	char state[6];	 /* first error: SQLSTATE */
	char *msg;	 /* and message */
	char **owned;	 /* synthesized token texts */
	size_t nowned;
	bool oom;
};

#define NONE ((size_t)-1)

static void fail(struct tr *tr, const char *state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct tr *tr, const char *state, const char *fmt, ...)
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

static void unsupported(struct tr *tr, const char *what)
{
	fail(tr, "0A000", "%s is not supported by pgpin's SQLite backend", what);
}

static bool trivia(const struct tr *tr, size_t i)
{
	return tr->t[i].kind == LX_SPACE || tr->t[i].kind == LX_COMMENT;
}

/* First significant token at or after i, below end b. */
static size_t sig(const struct tr *tr, size_t i, size_t b)
{
	while (i < b && trivia(tr, i))
		i++;
	return i < b ? i : b;
}

static size_t nxt(const struct tr *tr, size_t i, size_t b)
{
	return i >= b ? b : sig(tr, i + 1, b);
}

static bool kw(const struct tr *tr, size_t i, size_t b, const char *w)
{
	size_t n = strlen(w);

	return i < b && tr->t[i].kind == LX_WORD && tr->t[i].len == n &&
	       strncasecmp(tr->t[i].s, w, n) == 0;
}

static bool is(const struct tr *tr, size_t i, size_t b, const char *s)
{
	size_t n = strlen(s);

	return i < b && (tr->t[i].kind == LX_PUNCT || tr->t[i].kind == LX_OP) &&
	       tr->t[i].len == n && memcmp(tr->t[i].s, s, n) == 0;
}

static bool is_name(const struct tr *tr, size_t i, size_t b)
{
	return i < b && (tr->t[i].kind == LX_WORD || tr->t[i].kind == LX_QIDENT);
}

/* Matching ')' of '(' at i, or b. */
static size_t mpar(const struct tr *tr, size_t i, size_t b)
{
	int depth = 0;

	for (; i < b; i++) {
		if (is(tr, i, b, "(") || is(tr, i, b, "["))
			depth++;
		else if ((is(tr, i, b, ")") || is(tr, i, b, "]")) && --depth == 0)
			return i;
	}
	return b;
}

/* Identifier value: words folded to lower case, "quoted" unquoted. */
static void ident(const struct tr *tr, size_t i, char *buf, size_t cap)
{
	const struct tok *t = &tr->t[i];
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

static char *ident_dup(const struct tr *tr, size_t i)
{
	char buf[256];

	ident(tr, i, buf, sizeof(buf));
	return strdup(buf);
}

static void emit_tok(struct tr *tr, size_t i)
{
	sb_put(&tr->out, tr->t[i].s, tr->t[i].len);
}

/* Copy tokens [a, b) as they are. */
static void emit_raw(struct tr *tr, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		emit_tok(tr, i);
}

/* Skip a top-level expression: up to the next top-level token that is a
 * word in stop[] (or ',' / ';' if listed as "," / ";"), or b. */
static size_t skip_to(const struct tr *tr, size_t i, size_t b, const char *const *stop)
{
	for (; i < b; i++) {
		if (is(tr, i, b, "(") || is(tr, i, b, "[")) {
			i = mpar(tr, i, b);
			if (i >= b)
				return b;
			continue;
		}
		for (const char *const *w = stop; *w != NULL; w++)
			if (kw(tr, i, b, *w) || is(tr, i, b, *w))
				return i;
	}
	return b;
}

/* Last significant token before e (>= a), or NONE. */
static size_t prev_sig(const struct tr *tr, size_t a, size_t e)
{
	while (e > a) {
		e--;
		if (!trivia(tr, e))
			return e;
	}
	return NONE;
}

/* ---------------------------------------------------------------------- */
/* Normalisation of qualified names */

static const char *own(struct tr *tr, char *s)
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
static int normalise(struct tr *tr, const struct lex_tokens *lx, size_t a, size_t b)
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
			tr->t[tr->n++] = (struct tok){LX_QIDENT, own(tr, strdup(q)), strlen(q), 0};
			i = x;
			continue;
		}
		if (lex_is_word(lx, i, "operator") && d < b && lex_is(lx, d, "(")) {
			size_t close = lex_match_paren(lx, d);
			size_t op = NONE;
			for (size_t k = d + 1; k < close && k < b; k++)
				if (lx->v[k].kind == LX_OP)
					op = k;
			if (close < b && op != NONE) {
				tr->t[tr->n++] = (struct tok){LX_OP, lx->src + lx->v[op].pos,
							      lx->v[op].len, 0};
				i = close;
				continue;
			}
		}
		tr->t[tr->n++] = (struct tok){l->kind, lx->src + l->pos, l->len, l->param};
	}
	return tr->oom ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Types */

struct type_name {
	const char *name;
	unsigned oid;
};

static const struct type_name type_names[] = {
	{"int2", 21},
	{"smallint", 21},
	{"int", 23},
	{"int4", 23},
	{"integer", 23},
	{"int8", 20},
	{"bigint", 20},
	{"serial", 23},
	{"serial4", 23},
	{"bigserial", 20},
	{"serial8", 20},
	{"smallserial", 21},
	{"serial2", 21},
	{"text", 25},
	{"varchar", 1043},
	{"character varying", 1043},
	{"char varying", 1043},
	{"char", 1042},
	{"character", 1042},
	{"bpchar", 1042},
	{"name", 19},
	{"bool", 16},
	{"boolean", 16},
	{"bytea", 17},
	{"float4", 700},
	{"real", 700},
	{"float8", 701},
	{"double precision", 701},
	{"float", 701},
	{"numeric", 1700},
	{"decimal", 1700},
	{"timestamp", 1114},
	{"timestamp without time zone", 1114},
	{"timestamptz", 1184},
	{"timestamp with time zone", 1184},
	{"date", 1082},
	{"time", 1083},
	{"time without time zone", 1083},
	{"interval", 1186},
	{"oid", 26},
	{"regclass", 2205},
	{"regtype", 2206},
	{"regproc", 24},
	{"json", 114},
	{"jsonb", 3802},
	{"uuid", 2950},
};

unsigned sqlt_type_oid(const char *name)
{
	char buf[96];
	size_t o = 0;
	int depth = 0;
	const char *p = name;

	if (name == NULL)
		return 0;
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "pg_catalog.", 11) == 0)
		p += 11;
	/* Fold case, collapse spaces, drop (modifiers) and quotes. */
	for (; *p != '\0' && o + 1 < sizeof(buf); p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '(') {
			depth++;
			continue;
		}
		if (c == ')') {
			depth--;
			continue;
		}
		if (depth > 0 || c == '"')
			continue;
		if (isspace(c)) {
			if (o > 0 && buf[o - 1] != ' ')
				buf[o++] = ' ';
			continue;
		}
		buf[o++] = (char)tolower(c);
	}
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
	/* "timestamp(3) with time zone" leaves a double-space-free "timestamp with time zone" */
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(buf, type_names[i].name) == 0)
			return type_names[i].oid;
	return 0;
}

/* A type name in the token stream. */
struct ptype {
	char name[96];	  /* canonical: lower case, single spaces, no modifiers */
	size_t a, e;	  /* its tokens [a, e) */
	bool array;	  /* [] or ARRAY */
};

/*
 * Parse a type name starting at token i: one or more words (double
 * precision, character varying, timestamp with time zone...), an optional
 * (modifier list), optional [] / ARRAY.  Returns false if there is no name.
 */
static bool parse_type(const struct tr *tr, size_t i, size_t b, struct ptype *pt)
{
	static const char *const second[][2] = {
		{"double", "precision"}, {"character", "varying"}, {"char", "varying"},
		{"bit", "varying"},	 {"national", "character"},
	};
	size_t j;
	char w[64];

	memset(pt, 0, sizeof(*pt));
	if (!is_name(tr, i, b))
		return false;
	pt->a = i;
	ident(tr, i, pt->name, sizeof(pt->name));
	j = nxt(tr, i, b);
	for (size_t k = 0; k < sizeof(second) / sizeof(second[0]); k++)
		if (strcmp(pt->name, second[k][0]) == 0 && kw(tr, j, b, second[k][1])) {
			snprintf(pt->name + strlen(pt->name), sizeof(pt->name) - strlen(pt->name),
				 " %s", second[k][1]);
			i = j;
			j = nxt(tr, i, b);
			break;
		}
	if (is(tr, j, b, "(")) {
		size_t c = mpar(tr, j, b);
		if (c < b) {
			i = c;
			j = nxt(tr, i, b);
		}
	}
	if ((strcmp(pt->name, "timestamp") == 0 || strcmp(pt->name, "time") == 0) &&
	    (kw(tr, j, b, "with") || kw(tr, j, b, "without")) &&
	    kw(tr, nxt(tr, j, b), b, "time") && kw(tr, nxt(tr, nxt(tr, j, b), b), b, "zone")) {
		ident(tr, j, w, sizeof(w));
		snprintf(pt->name + strlen(pt->name), sizeof(pt->name) - strlen(pt->name),
			 " %s time zone", w);
		i = nxt(tr, nxt(tr, j, b), b);
		j = nxt(tr, i, b);
	}
	while (is(tr, j, b, "[") || kw(tr, j, b, "array")) {
		pt->array = true;
		i = is(tr, j, b, "[") ? mpar(tr, j, b) : j;
		if (i >= b)
			return false;
		j = nxt(tr, i, b);
	}
	pt->e = i + 1;
	return true;
}

enum cast_how { CAST_AS, CAST_FUNC, CAST_ERROR };

/* How a cast to pt is written in SQLite: CAST(x AS *out) or *out(x). */
static enum cast_how cast_target(const struct ptype *pt, const char **out)
{
	unsigned oid = pt->array ? 0 : sqlt_type_oid(pt->name);

	switch (oid) {
	case 20: case 21: case 23: case 26: case 24:
		*out = "INTEGER";
		return CAST_AS;
	case 700: case 701:
		*out = "REAL";
		return CAST_AS;
	case 1700:
		*out = "NUMERIC";
		return CAST_AS;
	case 25: case 1043: case 1042: case 19: case 2950: case 114: case 3802:
	case 1114: case 1184: case 1082: case 1083: case 1186:
		*out = "TEXT";
		return CAST_AS;
	case 17:
		*out = "BLOB";
		return CAST_AS;
	case 16:
		*out = "pgpin_bool";
		return CAST_FUNC;
	case 2205:
		*out = "pgpin_regclass";
		return CAST_FUNC;
	case 2206:
		*out = "pgpin_regtype";
		return CAST_FUNC;
	default:
		return CAST_ERROR;
	}
}

/* ---------------------------------------------------------------------- */
/* Expressions */

static void emit_range(struct tr *tr, size_t a, size_t b);
static void emit_query(struct tr *tr, size_t a, size_t b);

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
	"initially", "without", "rowid", NULL,
};

static bool is_keyword(const struct tr *tr, size_t i)
{
	char w[32];

	if (tr->t[i].kind != LX_WORD || tr->t[i].len >= sizeof(w))
		return false;
	ident(tr, i, w, sizeof(w));
	for (const char *const *k = keywords; *k != NULL; k++)
		if (strcmp(w, *k) == 0)
			return true;
	return false;
}

/* Can token i start an operand? */
static bool starts_primary(const struct tr *tr, size_t i, size_t b)
{
	switch (tr->t[i].kind) {
	case LX_STRING: case LX_DOLLAR: case LX_NUMBER: case LX_PARAM: case LX_QIDENT:
		return true;
	case LX_WORD:
		/* row(...) and the like are calls even though "row" is a keyword */
		return !is_keyword(tr, i) || (kw(tr, i, b, "row") && is(tr, nxt(tr, i, b), b, "("));
	case LX_PUNCT:
		return is(tr, i, b, "(");
	default:
		return false;
	}
}

static bool is_query_start(const struct tr *tr, size_t i, size_t b)
{
	return kw(tr, i, b, "select") || kw(tr, i, b, "with") || kw(tr, i, b, "values") ||
	       kw(tr, i, b, "table");
}

/* Append a string token's value as a standard literal. */
static void emit_string(struct tr *tr, size_t i)
{
	const struct tok *t = &tr->t[i];
	struct lex_tokens one = {0};
	struct lex_token lt = {t->kind, 0, t->len, 0};
	char *v;
	size_t n;

	if (t->kind == LX_STRING && t->s[0] == '\'') {
		emit_tok(tr, i);
		return;
	}
	if (t->kind == LX_STRING && (t->s[0] == 'x' || t->s[0] == 'X')) {
		/* PostgreSQL reads X'..' as a bit string; SQLite as a blob,
		 * which is what a client writing it for bytea means. */
		emit_tok(tr, i);
		return;
	}
	if (t->kind == LX_STRING && (t->s[0] == 'b' || t->s[0] == 'B')) {
		unsupported(tr, "a bit-string literal (B'...')");
		return;
	}
	one.v = &lt;
	one.n = 1;
	one.src = t->s;
	one.srclen = t->len;
	v = lex_string_value(&one, 0, &n);
	if (v == NULL) {
		fail(tr, "22025", "invalid escape sequence in string literal %.*s", (int)t->len,
		     t->s);
		return;
	}
	sb_quote(&tr->out, v, n);
	free(v);
}

/* Decode a bytea literal value (hex \x.. or escape format) into X'..'. */
static void emit_bytea_literal(struct tr *tr, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	struct sb *o = &tr->out;

	sb_puts(o, "X'");
	if (n >= 2 && v[0] == '\\' && (v[1] == 'x' || v[1] == 'X')) {
		size_t digits = 0;
		for (size_t k = 2; k < n; k++) {
			if (isspace((unsigned char)v[k]))
				continue;
			if (!isxdigit((unsigned char)v[k])) {
				fail(tr, "22P02", "invalid hexadecimal digit: \"%c\"", v[k]);
				return;
			}
			char c = (char)tolower((unsigned char)v[k]);
			sb_put(o, &c, 1);
			digits++;
		}
		if (digits % 2 != 0)
			fail(tr, "22P02", "invalid hexadecimal data: odd number of digits");
	} else {
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)v[k];
			if (c == '\\') {
				if (k + 1 < n && v[k + 1] == '\\') {
					k++;
				} else if (k + 3 < n && v[k + 1] >= '0' && v[k + 1] <= '3' &&
					   v[k + 2] >= '0' && v[k + 2] <= '7' && v[k + 3] >= '0' &&
					   v[k + 3] <= '7') {
					c = (unsigned char)((v[k + 1] - '0') * 64 + (v[k + 2] - '0') * 8 +
							    (v[k + 3] - '0'));
					k += 3;
				} else {
					fail(tr, "22P02", "invalid input syntax for type bytea");
					return;
				}
			}
			sb_put(o, &hex[c >> 4], 1);
			sb_put(o, &hex[c & 15], 1);
		}
	}
	sb_puts(o, "'");
}

/*
 * Wrap the output from start (an operand just emitted) in a cast to pt.
 * lit is the string token the operand consists of, or NONE.
 */
static void wrap_cast(struct tr *tr, size_t start, const struct ptype *pt, size_t lit)
{
	const char *target;
	enum cast_how how = cast_target(pt, &target);
	char suffix[32];

	if (tr->state[0] != '\0' || tr->out.oom)
		return; /* the operand already failed */
	if (how == CAST_ERROR) {
		fail(tr, "0A000", "type \"%s%s\" is not supported by pgpin's SQLite backend",
		     pt->name, pt->array ? "[]" : "");
		return;
	}
	if (sqlt_type_oid(pt->name) == 17 && lit != NONE && tr->t[lit].kind != LX_NUMBER &&
	    tr->out.s != NULL) {
		/* '\x0001'::bytea: the literal's bytes, not its text */
		struct sb saved = tr->out;
		char *v = strndup(saved.s + start, saved.len - start);
		struct lex_tokens one = {0};
		struct lex_token lt = {LX_STRING, 0, 0, 0};
		size_t n;
		char *val;

		if (v == NULL) {
			tr->oom = true;
			return;
		}
		lt.len = strlen(v);
		one.v = &lt;
		one.n = 1;
		one.src = v;
		one.srclen = lt.len;
		val = lex_string_value(&one, 0, &n);
		free(v);
		if (val == NULL) {
			fail(tr, "22P02", "invalid input syntax for type bytea");
			return;
		}
		tr->out.len = start;
		emit_bytea_literal(tr, val, n);
		free(val);
		return;
	}
	if (how == CAST_FUNC) {
		sb_insert(&tr->out, start, "(");
		sb_insert(&tr->out, start, target);
		sb_puts(&tr->out, ")");
	} else {
		sb_insert(&tr->out, start, "CAST(");
		snprintf(suffix, sizeof(suffix), " AS %s)", target);
		sb_puts(&tr->out, suffix);
	}
}

static size_t emit_primary(struct tr *tr, size_t i, size_t b, size_t *start, size_t *lit);

/* Postfix :: casts and [subscripts] after an operand ending before i. */
static size_t emit_postfix(struct tr *tr, size_t i, size_t b, size_t start, size_t lit)
{
	for (;;) {
		size_t j = sig(tr, i, b);
		struct ptype pt;

		if (is(tr, j, b, "::")) {
			size_t k = nxt(tr, j, b);
			if (!parse_type(tr, k, b, &pt)) {
				emit_raw(tr, i, j + 1);
				return j + 1;
			}
			wrap_cast(tr, start, &pt, lit);
			lit = NONE;
			i = pt.e;
			continue;
		}
		if (is(tr, j, b, "[") && j == i) {
			unsupported(tr, "array subscripting");
			return mpar(tr, j, b) + 1 > b ? b : mpar(tr, j, b) + 1;
		}
		return i;
	}
}

/* CAST(expr AS type) at i ("cast" word). Returns the index after ')'. */
static size_t emit_cast_call(struct tr *tr, size_t i, size_t b)
{
	size_t open = nxt(tr, i, b), close = mpar(tr, open, b);
	size_t as = NONE, start;
	struct ptype pt;
	const char *target;

	for (size_t k = open + 1; k < close; k++) {
		if (is(tr, k, close, "(") || is(tr, k, close, "[")) {
			k = mpar(tr, k, close);
			continue;
		}
		if (kw(tr, k, close, "as"))
			as = k;
	}
	if (close >= b || as == NONE || !parse_type(tr, nxt(tr, as, close), close, &pt) ||
	    sig(tr, pt.e, close) != close) {
		emit_raw(tr, i, close < b ? close + 1 : b);
		return close < b ? close + 1 : b;
	}
	/* CAST(x AS INTEGER) is already SQLite: keep it byte for byte. */
	if (cast_target(&pt, &target) == CAST_AS && pt.e == nxt(tr, as, close) + 1 &&
	    strcasecmp(pt.name, target) == 0) {
		emit_tok(tr, i);
		emit_raw(tr, i + 1, open + 1);
		emit_range(tr, open + 1, as);
		emit_raw(tr, as, close + 1);
		return close + 1;
	}
	start = tr->out.len;
	size_t es = sig(tr, open + 1, as), lit = NONE;
	if ((tr->t[es].kind == LX_STRING || tr->t[es].kind == LX_DOLLAR) &&
	    sig(tr, es + 1, as) == as)
		lit = es;
	size_t ee = prev_sig(tr, open + 1, as);
	emit_range(tr, es, ee + 1);
	wrap_cast(tr, start, &pt, lit);
	return close + 1;
}

/*
 * Emit one operand starting at significant token i: a literal, a
 * parameter, a name chain (a.b.c, t.*), a call f(...) [OVER (...)], a
 * parenthesised expression or subquery, CAST(...), a typed literal, plus
 * any :: casts after it.  *start receives its output offset.  Returns the
 * index after it.
 */
static size_t emit_primary(struct tr *tr, size_t i, size_t b, size_t *start, size_t *litp)
{
	const struct tok *t = &tr->t[i];
	size_t lit = NONE, j;
	char w[64];

	*start = tr->out.len;
	switch (t->kind) {
	case LX_PARAM: {
		char buf[24];
		if (t->param < 1) {
			fail(tr, "42P02", "there is no parameter $%d", t->param);
			return i + 1;
		}
		snprintf(buf, sizeof(buf), "?%d", t->param);
		sb_puts(&tr->out, buf);
		i++;
		break;
	}
	case LX_STRING:
		if ((t->s[0] == 'u' || t->s[0] == 'U') && kw(tr, nxt(tr, i, b), b, "uescape")) {
			unsupported(tr, "UESCAPE");
			return b;
		}
		/* FALLTHROUGH */
	case LX_DOLLAR:
		emit_string(tr, i);
		lit = i;
		i++;
		break;
	case LX_NUMBER:
		emit_tok(tr, i);
		lit = i;
		i++;
		break;
	case LX_PUNCT: { /* '(' */
		size_t c = mpar(tr, i, b);
		if (c >= b) {
			emit_raw(tr, i, b);
			return b;
		}
		emit_tok(tr, i);
		if (is_query_start(tr, sig(tr, i + 1, c), c))
			emit_query(tr, i + 1, c);
		else
			emit_range(tr, i + 1, c);
		emit_tok(tr, c);
		i = c + 1;
		break;
	}
	default: /* LX_WORD, LX_QIDENT */
		ident(tr, i, w, sizeof(w));
		j = nxt(tr, i, b);
		if (t->kind == LX_WORD) {
			if (strcmp(w, "cast") == 0 && is(tr, j, b, "(")) {
				i = emit_cast_call(tr, i, b);
				break;
			}
			if (strcmp(w, "array") == 0 && (is(tr, j, b, "[") || is(tr, j, b, "("))) {
				unsupported(tr, "ARRAY");
				return b;
			}
			if ((strcmp(w, "nextval") == 0 || strcmp(w, "currval") == 0 ||
			     strcmp(w, "setval") == 0 || strcmp(w, "lastval") == 0) &&
			    is(tr, j, b, "(")) {
				fail(tr, "0A000",
				     "sequences (%s) are not supported by pgpin's SQLite backend", w);
				return b;
			}
			if ((strcmp(w, "current_user") == 0 || strcmp(w, "session_user") == 0 ||
			     strcmp(w, "current_schema") == 0 || strcmp(w, "current_catalog") == 0) &&
			    !is(tr, j, b, "(") && !is(tr, j, b, ".")) {
				emit_tok(tr, i);
				sb_puts(&tr->out, "()");
				i++;
				break;
			}
			if (strcmp(w, "current_timestamp") == 0 || strcmp(w, "localtimestamp") == 0) {
				sb_puts(&tr->out, tr->ddl ? "CURRENT_TIMESTAMP" : "now()");
				i++;
				if (is(tr, j, b, "(")) /* precision */
					i = mpar(tr, j, b) + 1;
				break;
			}
			if (tr->ddl && strcmp(w, "now") == 0 && is(tr, j, b, "(") &&
			    is(tr, nxt(tr, j, b), b, ")")) {
				sb_puts(&tr->out, "CURRENT_TIMESTAMP");
				i = nxt(tr, j, b) + 1;
				break;
			}
			/* typed literal: date '2020-01-01', interval '1 day' */
			if (tr->t[j].kind == LX_STRING && j < b && sqlt_type_oid(w) != 0 &&
			    strcmp(w, "char") != 0) {
				struct ptype pt;
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
		emit_tok(tr, i);
		i++;
		while (is(tr, i, b, ".") && i + 1 < b &&
		       (is_name(tr, i + 1, b) || is(tr, i + 1, b, "*"))) {
			emit_raw(tr, i, i + 2);
			i += 2;
		}
		j = sig(tr, i, b);
		if (is(tr, j, b, "(") && t->kind == LX_WORD) {
			size_t c = mpar(tr, j, b);
			if (c >= b) {
				emit_raw(tr, i, b);
				return b;
			}
			emit_raw(tr, i, j + 1);
			if (is_query_start(tr, sig(tr, j + 1, c), c))
				emit_query(tr, j + 1, c);
			else
				emit_range(tr, j + 1, c);
			emit_tok(tr, c);
			i = c + 1;
		}
		break;
	}
	if (litp != NULL)
		*litp = lit;
	return emit_postfix(tr, i, b, *start, lit);
}

/* Wrap out[s, e) as prefix + it + suffix, keeping what follows e. */
static void wrap_out(struct tr *tr, size_t s, size_t e, const char *prefix, const char *suffix)
{
	sb_insert(&tr->out, e, suffix);
	sb_insert(&tr->out, s, prefix);
}

/*
 * The binary operator at op whose left operand is out[ls, le): emit
 * the right operand and combine.  kind: 'r' regex (ci, neg), 'i' ILIKE.
 */
static size_t emit_binop(struct tr *tr, size_t op, size_t b, size_t ls, size_t le, char kind,
			 bool ci, bool neg)
{
	size_t r = sig(tr, op + 1, b), rs;
	char *right;

	if (r >= b || !starts_primary(tr, r, b)) {
		emit_tok(tr, op);
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
		sb_puts(&tr->out, ", ");
		sb_puts(&tr->out, right);
		sb_puts(&tr->out, ci ? ", 1)" : ", 0)");
	} else {
		wrap_out(tr, ls, le, "lower(", ")");
		sb_puts(&tr->out, neg ? " NOT LIKE lower(" : " LIKE lower(");
		sb_puts(&tr->out, right);
		sb_puts(&tr->out, ")");
	}
	free(right);
	return r;
}

/* COLLATE at i: drop it for the byte-order collations, refuse others. */
static size_t emit_collate(struct tr *tr, size_t i, size_t b)
{
	size_t j = nxt(tr, i, b);
	char name[64];

	if (!is_name(tr, j, b)) {
		emit_tok(tr, i);
		return i + 1;
	}
	ident(tr, j, name, sizeof(name));
	if (strcasecmp(name, "c") == 0 || strcasecmp(name, "posix") == 0 ||
	    strcasecmp(name, "default") == 0 || strcasecmp(name, "ucs_basic") == 0) {
		sb_trim(&tr->out);
		return j + 1;
	}
	fail(tr, "0A000",
	     "collation \"%s\" is not supported by pgpin's SQLite backend (only \"C\" byte order)",
	     name);
	return b;
}

/* DEFAULT in a column definition at i: emit it so that SQLite accepts it. */
static size_t emit_default(struct tr *tr, size_t i, size_t b)
{
	static const char *const stop[] = {"not",	 "null",     "primary", "unique", "check",
					   "references", "constraint", "collate", "generated",
					   "deferrable", "initially", ",", NULL};
	size_t s = nxt(tr, i, b), e, start;
	const char *text;

	emit_raw(tr, i, s);
	if (s >= b)
		return b;
	/* DEFAULT NULL: NULL is the expression, not the constraint */
	if (kw(tr, s, b, "null") || kw(tr, s, b, "true") || kw(tr, s, b, "false")) {
		emit_tok(tr, s);
		return s + 1;
	}
	e = skip_to(tr, is(tr, s, b, "-") || is(tr, s, b, "+") ? s + 1 : s, b, stop);
	e = prev_sig(tr, s, e) + 1;
	start = tr->out.len;
	emit_range(tr, s, e);
	text = tr->out.s + start;
	/* A literal, a signed number, CURRENT_* and (expr) are fine bare. */
	if ((e == s + 1 && (tr->t[s].kind == LX_NUMBER || tr->t[s].kind == LX_STRING ||
			    tr->t[s].kind == LX_DOLLAR)) ||
	    (e == s + 2 && tr->t[s + 1].kind == LX_NUMBER) ||
	    strcmp(text, "CURRENT_TIMESTAMP") == 0 || strcasecmp(text, "current_date") == 0 ||
	    strcasecmp(text, "current_time") == 0 ||
	    (text[0] == '(' && is(tr, s, b, "(") && mpar(tr, s, b) == e - 1))
		return e;
	sb_insert(&tr->out, start, "(");
	sb_puts(&tr->out, ")");
	return e;
}

/*
 * Emit tokens [a, b) as an expression list, rewriting operands and
 * operators.  Query-level clauses are handled by emit_query.
 */
static void emit_range(struct tr *tr, size_t a, size_t b)
{
	size_t ls = NONE, le = NONE; /* last operand in the output */
	size_t i = a;

	while (i < b && tr->state[0] == '\0' && !tr->out.oom) {
		const struct tok *t = &tr->t[i];

		if (trivia(tr, i)) {
			emit_tok(tr, i);
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
		if (t->kind == LX_OP && ls != NONE) {
			char op[8] = "";
			if (t->len < sizeof(op))
				memcpy(op, t->s, t->len), op[t->len] = '\0';
			if (strcmp(op, "~") == 0 || strcmp(op, "~*") == 0 || strcmp(op, "!~") == 0 ||
			    strcmp(op, "!~*") == 0) {
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
			    sig(tr, i + 1, b) < b && starts_primary(tr, sig(tr, i + 1, b), b)) {
				/* SQLite answers x/0 with NULL; PostgreSQL raises
				 * 22012.  The divisor is the primary after the
				 * operator (nothing binds tighter than / and %). */
				size_t r = sig(tr, i + 1, b), rs;
				for (size_t k = i; k < r; k++)
					emit_tok(tr, k);
				sb_puts(&tr->out, "pgpin_nonzero(");
				i = emit_primary(tr, r, b, &rs, NULL);
				sb_puts(&tr->out, ")");
				ls = NONE;
				continue;
			}
			if (strcmp(op, "~~") == 0 || strcmp(op, "!~~") == 0) {
				sb_trim(&tr->out);
				sb_puts(&tr->out, op[0] == '!' ? " NOT LIKE " : " LIKE ");
				ls = NONE;
				i = sig(tr, i + 1, b);
				continue;
			}
		}
		if (t->kind == LX_WORD) {
			if (kw(tr, i, b, "ilike") && ls != NONE) {
				i = emit_binop(tr, i, b, ls, le, 'i', true, false);
				le = tr->out.len;
				continue;
			}
			if (kw(tr, i, b, "not") && kw(tr, nxt(tr, i, b), b, "ilike") && ls != NONE) {
				i = emit_binop(tr, nxt(tr, i, b), b, ls, le, 'i', true, true);
				le = tr->out.len;
				continue;
			}
			if (kw(tr, i, b, "collate")) {
				i = emit_collate(tr, i, b);
				continue;
			}
			if (tr->ddl && kw(tr, i, b, "default")) {
				i = emit_default(tr, i, b);
				ls = NONE;
				continue;
			}
			if (kw(tr, i, b, "current") && kw(tr, nxt(tr, i, b), b, "of")) {
				unsupported(tr, "WHERE CURRENT OF (cursors)");
				return;
			}
		}
		emit_tok(tr, i);
		ls = NONE;
		i++;
	}
}

/* ---------------------------------------------------------------------- */
/* Queries */

/* A removed or rebuilt clause of a query level. */
struct clause {
	size_t a, e;
};

static bool is_lock_clause(const struct tr *tr, size_t i, size_t b)
{
	size_t j = nxt(tr, i, b);

	if (!kw(tr, i, b, "for"))
		return false;
	return kw(tr, j, b, "update") || kw(tr, j, b, "share") ||
	       (kw(tr, j, b, "no") && kw(tr, nxt(tr, j, b), b, "key")) ||
	       (kw(tr, j, b, "key") && kw(tr, nxt(tr, j, b), b, "share"));
}

static const char *const tail_stop[] = {"limit", "offset", "fetch", "for", "union", "intersect",
					"except", "order", ";", NULL};

/* Find the index of the main verb after WITH [RECURSIVE] cte, ... */
static size_t skip_with(const struct tr *tr, size_t w, size_t b)
{
	size_t i = nxt(tr, w, b);

	if (kw(tr, i, b, "recursive"))
		i = nxt(tr, i, b);
	while (i < b) {
		i = nxt(tr, i, b); /* past the name */
		if (is(tr, i, b, "("))
			i = nxt(tr, mpar(tr, i, b), b);
		if (!kw(tr, i, b, "as"))
			return b;
		i = nxt(tr, i, b);
		if (kw(tr, i, b, "not"))
			i = nxt(tr, i, b);
		if (kw(tr, i, b, "materialized"))
			i = nxt(tr, i, b);
		if (!is(tr, i, b, "("))
			return b;
		i = nxt(tr, mpar(tr, i, b), b);
		if (!is(tr, i, b, ","))
			return i;
		i = nxt(tr, i, b);
	}
	return b;
}

static void emit_insert(struct tr *tr, size_t a, size_t b);
static void emit_update(struct tr *tr, size_t a, size_t b);
static void emit_delete(struct tr *tr, size_t a, size_t b);
static void emit_select(struct tr *tr, size_t a, size_t b);

/* Emit a query (SELECT / VALUES / TABLE / WITH ...) [a, b). */
static void emit_query(struct tr *tr, size_t a, size_t b)
{
	size_t f = sig(tr, a, b);

	if (kw(tr, f, b, "with")) {
		size_t m = skip_with(tr, f, b);
		emit_range(tr, a, m);
		if (kw(tr, m, b, "insert"))
			emit_insert(tr, m, b);
		else if (kw(tr, m, b, "update"))
			emit_update(tr, m, b);
		else if (kw(tr, m, b, "delete"))
			emit_delete(tr, m, b);
		else
			emit_select(tr, m, b);
		return;
	}
	emit_raw(tr, a, f);
	emit_select(tr, f, b);
}

/* Append the expression [s, e) rewritten, as a new string. */
static char *emit_sub(struct tr *tr, size_t s, size_t e)
{
	struct sb saved = tr->out;
	char *r;

	memset(&tr->out, 0, sizeof(tr->out));
	emit_range(tr, sig(tr, s, e), prev_sig(tr, s, e) == NONE ? s : prev_sig(tr, s, e) + 1);
	if (tr->out.oom)
		tr->oom = true;
	r = sb_take(&tr->out);
	tr->out = saved;
	if (r == NULL)
		tr->oom = true;
	return r;
}

/* Compare two token ranges ignoring trivia and case of words. */
static bool same_tokens(const struct tr *tr, size_t a1, size_t e1, size_t a2, size_t e2)
{
	size_t i = sig(tr, a1, e1), j = sig(tr, a2, e2);

	while (i < e1 && j < e2) {
		if (tr->t[i].len != tr->t[j].len || strncasecmp(tr->t[i].s, tr->t[j].s,
								  tr->t[i].len) != 0)
			return false;
		i = nxt(tr, i, e1);
		j = nxt(tr, j, e2);
	}
	return i >= e1 && j >= e2;
}

#define MAX_ITEMS 128

struct item {
	size_t a, e;	 /* expression tokens */
	char out[128];	 /* the output column's name as SQL text */
	char name[128];	 /* its value, for matching */
};

/* Split [a, b) at top-level commas into ranges. */
static int split_commas(const struct tr *tr, size_t a, size_t b, struct clause *v, int max)
{
	static const char *const comma[] = {",", NULL};
	int n = 0;

	while (a < b && n < max) {
		size_t e = skip_to(tr, a, b, comma);
		v[n++] = (struct clause){a, e};
		a = e + 1;
	}
	return n;
}

/*
 * SELECT DISTINCT ON (keys) list FROM ... [ORDER BY o] [tail]: keep the
 * first row of each group in ORDER BY order with ROW_NUMBER(), in a
 * derived table whose visible columns are the original list's.
 */
static void emit_distinct_on(struct tr *tr, size_t sel, size_t b, const struct clause *tail,
			     int ntail)
{
	static const char *const from_stop[] = {"from", NULL};
	static const char *const order_stop[] = {"order", NULL};
	size_t dist = nxt(tr, sel, b), on = nxt(tr, dist, b), lp = nxt(tr, on, b);
	size_t rp = mpar(tr, lp, b), ls = nxt(tr, rp, b);
	size_t tail_a = ntail > 0 ? tail[0].a : b;
	size_t from = skip_to(tr, ls, tail_a, from_stop);
	size_t order = skip_to(tr, from, tail_a, order_stop);
	struct clause keys[32], ords[32], raw[MAX_ITEMS];
	struct item *items = calloc(MAX_ITEMS, sizeof(*items));
	int nkeys, nords = 0, nitems, hidden = 0;
	struct sb inner = {0}, outer_order = {0};
	char *s;

	if (items == NULL) {
		tr->oom = true;
		return;
	}
	if (rp >= b) {
		fail(tr, "42601", "syntax error at or near \"ON\"");
		goto out;
	}
	nkeys = split_commas(tr, lp + 1, rp, keys, 32);
	nitems = split_commas(tr, ls, from, raw, MAX_ITEMS);
	for (int k = 0; k < nitems; k++) {
		struct item *it = &items[k];
		size_t last = prev_sig(tr, raw[k].a, raw[k].e), before;
		it->a = raw[k].a;
		it->e = raw[k].e;
		if (last == NONE)
			continue;
		before = prev_sig(tr, raw[k].a, last);
		if (is(tr, last, b, "*") && (before == NONE || is(tr, before, b, "."))) {
			unsupported(tr, "SELECT DISTINCT ON with * in the select list");
			goto out;
		}
		if (is_name(tr, last, b) && before != NONE &&
		    (kw(tr, before, b, "as") ||
		     (!is(tr, before, b, ".") && tr->t[before].kind != LX_OP &&
		      !is(tr, before, b, ",") && !is(tr, before, b, "(") &&
		      !is_keyword(tr, before)))) {
			/* expr [AS] alias */
			snprintf(it->out, sizeof(it->out), "%.*s", (int)tr->t[last].len,
				 tr->t[last].s);
			ident(tr, last, it->name, sizeof(it->name));
			it->e = kw(tr, before, b, "as") ? before : last;
		} else if (is_name(tr, last, b)) {
			/* a.b.c: named after its last part */
			snprintf(it->out, sizeof(it->out), "%.*s", (int)tr->t[last].len,
				 tr->t[last].s);
			ident(tr, last, it->name, sizeof(it->name));
		} else {
			snprintf(it->out, sizeof(it->out), "pgpin_c%d", k + 1);
			snprintf(it->name, sizeof(it->name), "pgpin_c%d", k + 1);
		}
	}
	if (order < tail_a) {
		size_t by = nxt(tr, order, tail_a);
		nords = split_commas(tr, nxt(tr, by, tail_a), tail_a, ords, 32);
	}

	/* inner: SELECT list, ROW_NUMBER() OVER (...) AS pgpin_rn FROM ... */
	sb_puts(&inner, "SELECT ");
	for (int k = 0; k < nitems; k++) {
		char *e = emit_sub(tr, raw[k].a, raw[k].e);
		if (e == NULL)
			goto out;
		sb_puts(&inner, k ? ", " : "");
		sb_puts(&inner, e);
		if (strncmp(items[k].out, "pgpin_c", 7) == 0) {
			sb_puts(&inner, " AS ");
			sb_puts(&inner, items[k].out);
		}
		free(e);
	}
	/* resolve a key or order term: an output name or position -> its expression */
	struct sb win = {0};
	sb_puts(&win, ", ROW_NUMBER() OVER (PARTITION BY ");
	for (int p = 0; p < nkeys + nords; p++) {
		bool is_ord = p >= nkeys;
		struct clause c = is_ord ? ords[p - nkeys] : keys[p];
		size_t es = sig(tr, c.a, c.e), ee = c.e, dir = NONE;
		int match = -1;
		char nm[128];

		if (is_ord) {
			/* split off ASC/DESC/NULLS FIRST|LAST */
			static const char *const dstop[] = {"asc", "desc", "nulls", "using", NULL};
			dir = skip_to(tr, es, c.e, dstop);
			ee = dir;
			if (dir >= c.e)
				dir = NONE;
		}
		size_t last = prev_sig(tr, es, ee);
		if (last == es && is_name(tr, es, b)) {
			ident(tr, es, nm, sizeof(nm));
			for (int k = 0; k < nitems && match < 0; k++)
				if (strcmp(items[k].name, nm) == 0)
					match = k;
		} else if (last == es && tr->t[es].kind == LX_NUMBER) {
			int pos = atoi(tr->t[es].s);
			if (pos >= 1 && pos <= nitems)
				match = pos - 1;
		}
		if (match < 0)
			for (int k = 0; k < nitems && match < 0; k++)
				if (same_tokens(tr, items[k].a, items[k].e, es, ee))
					match = k;
		char *e = match >= 0 ? emit_sub(tr, items[match].a, items[match].e)
				     : emit_sub(tr, es, ee);
		char *d = dir != NONE ? emit_sub(tr, dir, c.e) : NULL;
		if (e == NULL || (dir != NONE && d == NULL)) {
			free(e);
			free(d);
			goto out;
		}
		if (p == nkeys)
			sb_puts(&win, " ORDER BY ");
		else if (p > 0)
			sb_puts(&win, ", ");
		sb_puts(&win, e);
		if (d != NULL) {
			sb_puts(&win, " ");
			sb_puts(&win, d);
		}
		if (is_ord) {
			sb_puts(&outer_order, p > nkeys ? ", " : " ORDER BY ");
			if (match >= 0) {
				sb_puts(&outer_order, items[match].out);
			} else {
				char h[32];
				snprintf(h, sizeof(h), "pgpin_o%d", ++hidden);
				sb_puts(&inner, ", ");
				sb_puts(&inner, e);
				sb_puts(&inner, " AS ");
				sb_puts(&inner, h);
				sb_puts(&outer_order, h);
			}
			if (d != NULL) {
				sb_puts(&outer_order, " ");
				sb_puts(&outer_order, d);
			}
		}
		free(e);
		free(d);
	}
	sb_puts(&win, ") AS pgpin_rn ");
	if (win.s != NULL)
		sb_puts(&inner, win.s);
	free(win.s);
	s = emit_sub(tr, from, order);
	if (s == NULL)
		goto out;
	sb_puts(&inner, s);
	free(s);

	/* outer */
	sb_puts(&tr->out, "SELECT ");
	for (int k = 0; k < nitems; k++) {
		sb_puts(&tr->out, k ? ", " : "");
		sb_puts(&tr->out, items[k].out);
		if (strncmp(items[k].out, "pgpin_c", 7) == 0)
			sb_puts(&tr->out, " AS \"?column?\"");
	}
	sb_puts(&tr->out, " FROM (");
	if (inner.s != NULL)
		sb_puts(&tr->out, inner.s);
	sb_puts(&tr->out, ") WHERE pgpin_rn = 1");
	if (outer_order.s != NULL)
		sb_puts(&tr->out, outer_order.s);
	if (inner.oom || outer_order.oom)
		tr->oom = true;
out:
	free(inner.s);
	free(outer_order.s);
	free(items);
}

/*
 * One query level starting at SELECT/VALUES/TABLE/( : drop row-locking
 * clauses, normalise LIMIT/OFFSET/FETCH into SQLite's LIMIT x OFFSET y,
 * rewrite DISTINCT ON and TABLE t.
 */
static void emit_select(struct tr *tr, size_t a, size_t b)
{
	struct clause locks[8], tail[3];
	int nlocks = 0, ntail = 0;
	size_t lim = NONE, lim_e = NONE, off = NONE, off_e = NONE, fetch = NONE, fetch_e = NONE;
	bool rebuild = false, setop = false;
	size_t i;

	/* scan this level's clauses */
	for (i = a; i < b; i++) {
		if (is(tr, i, b, "(")) {
			i = mpar(tr, i, b);
			continue;
		}
		if (kw(tr, i, b, "union") || kw(tr, i, b, "intersect") || kw(tr, i, b, "except"))
			setop = true;
		if (is_lock_clause(tr, i, b) && nlocks < 8) {
			static const char *const stop[] = {"limit", "offset", "fetch", ";", NULL};
			size_t e = i + 1;
			/* FOR UPDATE [OF t, ...] [NOWAIT | SKIP LOCKED], possibly repeated */
			while (e < b && !kw(tr, e, b, "for")) {
				size_t s2 = skip_to(tr, e, b, stop);
				size_t f2 = e;
				while (f2 < s2 && !kw(tr, f2, b, "for"))
					f2++;
				e = f2 < s2 ? f2 : s2;
				break;
			}
			locks[nlocks++] = (struct clause){i, e};
			i = e - 1;
			continue;
		}
		if (kw(tr, i, b, "limit")) {
			lim = i;
			lim_e = skip_to(tr, i + 1, b, tail_stop);
			if (kw(tr, nxt(tr, i, b), b, "all"))
				rebuild = true;
			if (off != NONE)
				rebuild = true;
			i = lim_e - 1;
			continue;
		}
		if (kw(tr, i, b, "offset")) {
			off = i;
			off_e = skip_to(tr, i + 1, b, tail_stop);
			size_t last = prev_sig(tr, i + 1, off_e);
			if (last != NONE && (kw(tr, last, b, "row") || kw(tr, last, b, "rows")))
				rebuild = true;
			i = off_e - 1;
			continue;
		}
		if (kw(tr, i, b, "fetch") &&
		    (kw(tr, nxt(tr, i, b), b, "first") || kw(tr, nxt(tr, i, b), b, "next"))) {
			static const char *const only[] = {"only", "ties", NULL};
			fetch = i;
			fetch_e = skip_to(tr, i + 1, b, only);
			if (kw(tr, fetch_e, b, "ties")) {
				unsupported(tr, "FETCH ... WITH TIES");
				return;
			}
			fetch_e = fetch_e < b ? fetch_e + 1 : b;
			rebuild = true;
			i = fetch_e - 1;
			continue;
		}
	}
	bool distinct_on = kw(tr, a, b, "select") && kw(tr, nxt(tr, a, b), b, "distinct") &&
			   kw(tr, nxt(tr, nxt(tr, a, b), b), b, "on");
	/* DISTINCT ON moves the tail to an outer query: cut it out */
	if (distinct_on && (lim != NONE || off != NONE || fetch != NONE))
		rebuild = true;
	if (off != NONE && lim == NONE)
		rebuild = true;
	if (off != NONE && lim != NONE && off < lim)
		rebuild = true;
	if (rebuild) {
		if (lim != NONE)
			tail[ntail++] = (struct clause){lim, lim_e};
		if (off != NONE)
			tail[ntail++] = (struct clause){off, off_e};
		if (fetch != NONE)
			tail[ntail++] = (struct clause){fetch, fetch_e};
		/* order by position */
		for (int x = 0; x < ntail; x++)
			for (int y = x + 1; y < ntail; y++)
				if (tail[y].a < tail[x].a) {
					struct clause c = tail[x];
					tail[x] = tail[y];
					tail[y] = c;
				}
	}

	/* the body: everything before the first removed clause, in pieces */
	struct clause cut[12];
	int ncut = 0;
	for (int x = 0; x < nlocks; x++)
		cut[ncut++] = locks[x];
	for (int x = 0; x < ntail; x++)
		cut[ncut++] = tail[x];
	for (int x = 0; x < ncut; x++)
		for (int y = x + 1; y < ncut; y++)
			if (cut[y].a < cut[x].a) {
				struct clause c = cut[x];
				cut[x] = cut[y];
				cut[y] = c;
			}

	size_t body_end = ncut > 0 ? cut[0].a : b;
	if (distinct_on) {
		if (setop) {
			unsupported(tr, "SELECT DISTINCT ON combined with UNION/INTERSECT/EXCEPT");
			return;
		}
		emit_distinct_on(tr, a, body_end, NULL, 0);
	} else if (kw(tr, a, b, "table")) {
		size_t t = nxt(tr, a, b);
		if (kw(tr, t, b, "only"))
			t = nxt(tr, t, b);
		sb_puts(&tr->out, "SELECT * FROM ");
		emit_range(tr, t, body_end);
	} else {
		emit_range(tr, a, body_end);
	}
	/* the pieces between removed clauses (normally only trivia) */
	for (int x = 0; x < ncut; x++) {
		size_t from = cut[x].e, to = x + 1 < ncut ? cut[x + 1].a : b;
		sb_trim(&tr->out);
		if (sig(tr, from, to) < to) {
			sb_puts(&tr->out, " ");
			emit_range(tr, sig(tr, from, to), to);
		}
	}
	if (rebuild) {
		char *l = NULL, *o = NULL;
		if (lim != NONE && !kw(tr, nxt(tr, lim, b), b, "all"))
			l = emit_sub(tr, lim + 1, lim_e);
		if (fetch != NONE) {
			/* FETCH FIRST [n] ROW[S] ONLY */
			size_t n1 = nxt(tr, fetch, b), rows = nxt(tr, n1, b);
			static const char *const rw[] = {"row", "rows", NULL};
			rows = skip_to(tr, rows, fetch_e, rw);
			free(l);
			l = rows > nxt(tr, n1, b) ? emit_sub(tr, nxt(tr, n1, b), rows) : strdup("1");
		}
		if (off != NONE) {
			size_t last = prev_sig(tr, off + 1, off_e);
			if (last != NONE && (kw(tr, last, b, "row") || kw(tr, last, b, "rows")))
				o = emit_sub(tr, off + 1, last);
			else
				o = emit_sub(tr, off + 1, off_e);
		}
		sb_trim(&tr->out);
		sb_puts(&tr->out, " LIMIT ");
		sb_puts(&tr->out, l != NULL ? l : "-1");
		if (o != NULL) {
			sb_puts(&tr->out, " OFFSET ");
			sb_puts(&tr->out, o);
		}
		free(l);
		free(o);
	}
}

/* INSERT ... [SELECT|VALUES ...] [ON CONFLICT ...] [RETURNING ...] */
static void emit_insert(struct tr *tr, size_t a, size_t b)
{
	static const char *const conflict_stop[] = {"on", "returning", NULL};
	size_t i = a, q = NONE, c;

	/* the source query: the first top-level SELECT/VALUES/WITH after the target */
	for (i = nxt(tr, a, b); i < b; i = nxt(tr, i, b)) {
		if (is(tr, i, b, "(")) {
			/* (cols) or a parenthesised query */
			if (is_query_start(tr, sig(tr, i + 1, b), b)) {
				q = i;
				break;
			}
			i = mpar(tr, i, b);
			continue;
		}
		if (kw(tr, i, b, "select") || kw(tr, i, b, "values") || kw(tr, i, b, "with")) {
			q = i;
			break;
		}
		if (kw(tr, i, b, "default") || kw(tr, i, b, "on") || kw(tr, i, b, "returning"))
			break;
	}
	for (size_t k = a; k < b; k++)
		if (kw(tr, k, b, "on") && kw(tr, nxt(tr, k, b), b, "conflict") &&
		    kw(tr, nxt(tr, nxt(tr, k, b), b), b, "on") &&
		    kw(tr, nxt(tr, nxt(tr, nxt(tr, k, b), b), b), b, "constraint")) {
			unsupported(tr, "ON CONFLICT ON CONSTRAINT (name the columns instead)");
			return;
		}
	if (q == NONE) {
		emit_range(tr, a, b);
		return;
	}
	c = q;
	for (;;) {
		c = skip_to(tr, c, b, conflict_stop);
		if (c >= b || kw(tr, c, b, "returning") ||
		    kw(tr, nxt(tr, c, b), b, "conflict"))
			break;
		c++;
	}
	emit_range(tr, a, q);
	size_t qe = prev_sig(tr, q, c);
	emit_query(tr, q, qe == NONE ? c : qe + 1);
	emit_range(tr, qe == NONE ? c : qe + 1, b);
}

/* UPDATE [ONLY] t ... */
static void emit_update(struct tr *tr, size_t a, size_t b)
{
	size_t t = nxt(tr, a, b);

	if (kw(tr, t, b, "only")) {
		emit_raw(tr, a, t);
		emit_range(tr, nxt(tr, t, b), b);
		return;
	}
	emit_range(tr, a, b);
}

/* DELETE FROM [ONLY] t [[AS] a] [USING items] [WHERE cond] [RETURNING ..] */
static void emit_delete(struct tr *tr, size_t a, size_t b)
{
	static const char *const using_stop[] = {"where", "returning", NULL};
	static const char *const ret_stop[] = {"returning", NULL};
	size_t from = nxt(tr, a, b), t = nxt(tr, from, b), te, alias = NONE, u, w, r;

	if (!kw(tr, from, b, "from")) {
		emit_range(tr, a, b);
		return;
	}
	if (kw(tr, t, b, "only")) {
		size_t only = t;
		t = nxt(tr, t, b);
		emit_raw(tr, a, only);
		a = t;
	}
	te = t + 1;
	while (is(tr, te, b, ".") && is_name(tr, te + 1, b))
		te += 2;
	u = sig(tr, te, b);
	if (kw(tr, u, b, "as"))
		u = nxt(tr, u, b);
	if (is_name(tr, u, b) && !kw(tr, u, b, "using") && !kw(tr, u, b, "where") &&
	    !kw(tr, u, b, "returning")) {
		alias = u;
		u = nxt(tr, u, b);
	}
	if (!kw(tr, u, b, "using")) {
		emit_range(tr, a, b);
		return;
	}
	w = skip_to(tr, u, b, using_stop);
	r = skip_to(tr, u, b, ret_stop);
	char *items = emit_sub(tr, nxt(tr, u, b), w);
	char *cond = kw(tr, w, b, "where") ? emit_sub(tr, nxt(tr, w, b), r) : NULL;
	if (items == NULL || (kw(tr, w, b, "where") && cond == NULL)) {
		free(items);
		free(cond);
		return;
	}
	emit_raw(tr, a, te);
	sb_puts(&tr->out, " WHERE rowid IN (SELECT ");
	if (alias != NONE)
		emit_tok(tr, alias);
	else
		emit_raw(tr, t, te);
	sb_puts(&tr->out, ".rowid FROM ");
	emit_raw(tr, t, te);
	if (alias != NONE) {
		sb_puts(&tr->out, " AS ");
		emit_tok(tr, alias);
	}
	sb_puts(&tr->out, ", ");
	sb_puts(&tr->out, items);
	if (cond != NULL) {
		sb_puts(&tr->out, " WHERE ");
		sb_puts(&tr->out, cond);
	}
	sb_puts(&tr->out, ")");
	if (r < b) {
		sb_puts(&tr->out, " ");
		emit_range(tr, r, b);
	}
	free(items);
	free(cond);
}

/* ---------------------------------------------------------------------- */
/* DDL */

/* Is PRIMARY KEY among the column constraints [a, b)?  Index of KEY. */
static size_t find_pk(const struct tr *tr, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++) {
		if (is(tr, i, b, "(")) {
			i = mpar(tr, i, b);
			continue;
		}
		if (kw(tr, i, b, "primary") && kw(tr, nxt(tr, i, b), b, "key"))
			return nxt(tr, i, b);
	}
	return NONE;
}

/* GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY [(opts)]: its range. */
static bool find_identity(const struct tr *tr, size_t a, size_t b, struct clause *c)
{
	for (size_t i = a; i < b; i++) {
		if (!kw(tr, i, b, "generated"))
			continue;
		size_t j = nxt(tr, i, b);
		if (kw(tr, j, b, "always"))
			j = nxt(tr, j, b);
		else if (kw(tr, j, b, "by") && kw(tr, nxt(tr, j, b), b, "default"))
			j = nxt(tr, nxt(tr, j, b), b);
		else
			return false;
		if (!kw(tr, j, b, "as") || !kw(tr, nxt(tr, j, b), b, "identity"))
			return false;
		j = nxt(tr, j, b);
		if (is(tr, nxt(tr, j, b), b, "("))
			j = mpar(tr, nxt(tr, j, b), b);
		c->a = i;
		c->e = j + 1;
		return true;
	}
	return false;
}

/* A column definition [a, b): name type [constraints]. */
static void emit_column_def(struct tr *tr, size_t a, size_t b)
{
	size_t name = sig(tr, a, b), ti = nxt(tr, name, b), pk;
	struct ptype pt;
	struct clause ident_c = {NONE, NONE};
	bool identity;
	const char *marker = NULL;
	char col[128];
	unsigned oid;

	emit_raw(tr, a, name + 1);
	if (!parse_type(tr, ti, b, &pt)) {
		emit_range(tr, name + 1, b);
		return;
	}
	ident(tr, name, col, sizeof(col));
	if (pt.array) {
		fail(tr, "0A000",
		     "array types are not supported by pgpin's SQLite backend (column \"%s\")", col);
		return;
	}
	oid = sqlt_type_oid(pt.name);
	pk = find_pk(tr, pt.e, b);
	identity = find_identity(tr, pt.e, b, &ident_c);
	bool serial = strstr(pt.name, "serial") != NULL && oid != 0;
	if (serial || identity) {
		if (pk == NONE || (oid != 20 && oid != 21 && oid != 23)) {
			fail(tr, "0A000",
			     "%s column \"%s\" must be the PRIMARY KEY with pgpin's SQLite backend, "
			     "which implements it as INTEGER PRIMARY KEY AUTOINCREMENT",
			     identity ? "identity" : pt.name, col);
			return;
		}
		marker = oid == 20 ? "INTEGER" : oid == 23 ? "INTEGER /*pgpin:int4*/"
							   : "INTEGER /*pgpin:int2*/";
	} else if (oid == 23 && pk != NONE) {
		marker = "INTEGER /*pgpin:int4*/";
	} else if (oid == 17) {
		marker = "BLOB";
	}
	emit_raw(tr, name + 1, pt.a);
	if (marker != NULL)
		sb_puts(&tr->out, marker);
	else
		emit_raw(tr, pt.a, pt.e);
	tr->ddl = true;
	if (serial || identity) {
		/* constraints, with AUTOINCREMENT after PRIMARY KEY [ASC|DESC] */
		size_t after = pk + 1;
		if (kw(tr, nxt(tr, pk, b), b, "asc") || kw(tr, nxt(tr, pk, b), b, "desc"))
			after = nxt(tr, pk, b) + 1;
		if (identity && ident_c.a < after) {
			emit_range(tr, pt.e, ident_c.a);
			sb_trim(&tr->out);
			emit_range(tr, ident_c.e, after);
		} else {
			emit_range(tr, pt.e, after);
		}
		sb_puts(&tr->out, " AUTOINCREMENT");
		if (identity && ident_c.a >= after) {
			emit_range(tr, after, ident_c.a);
			sb_trim(&tr->out);
			emit_range(tr, ident_c.e, b);
		} else {
			emit_range(tr, after, b);
		}
	} else {
		emit_range(tr, pt.e, b);
	}
	tr->ddl = false;
}

/* Table options after the column list: drop the storage ones. */
static void emit_table_options(struct tr *tr, size_t i, size_t b)
{
	while ((i = sig(tr, i, b)) < b && tr->state[0] == '\0') {
		size_t j = nxt(tr, i, b);
		if (kw(tr, i, b, "with") && is(tr, j, b, "(")) {
			i = mpar(tr, j, b) + 1;
		} else if (kw(tr, i, b, "without") && kw(tr, j, b, "oids")) {
			i = j + 1;
		} else if (kw(tr, i, b, "tablespace") || kw(tr, i, b, "using")) {
			i = j + 1;
		} else if (kw(tr, i, b, "on") && kw(tr, j, b, "commit")) {
			size_t k = nxt(tr, j, b);
			if (!kw(tr, k, b, "preserve")) {
				unsupported(tr, "ON COMMIT DROP / DELETE ROWS");
				return;
			}
			i = nxt(tr, k, b) + 1;
		} else if (kw(tr, i, b, "inherits")) {
			unsupported(tr, "table inheritance (INHERITS)");
			return;
		} else if (kw(tr, i, b, "partition")) {
			unsupported(tr, "table partitioning");
			return;
		} else {
			sb_puts(&tr->out, " ");
			emit_range(tr, i, b);
			return;
		}
	}
}

/* CREATE [GLOBAL|LOCAL] [TEMP] [UNLOGGED] TABLE [IF NOT EXISTS] name (...) | AS query */
static void emit_create_table(struct tr *tr, size_t a, size_t b, char *tag)
{
	size_t i = a, name;

	/* the head, without GLOBAL/LOCAL/UNLOGGED */
	while (i < b && !kw(tr, i, b, "table")) {
		if (kw(tr, i, b, "global") || kw(tr, i, b, "local") || kw(tr, i, b, "unlogged")) {
			i = sig(tr, i + 1, b);
			continue;
		}
		emit_tok(tr, i);
		i++;
	}
	name = nxt(tr, i, b);
	if (kw(tr, name, b, "if"))
		name = nxt(tr, nxt(tr, nxt(tr, name, b), b), b);
	size_t after = name + 1;
	while (is(tr, after, b, ".") && is_name(tr, after + 1, b))
		after += 2;
	emit_raw(tr, i, after);
	size_t p = sig(tr, after, b);
	if (kw(tr, p, b, "of") || kw(tr, p, b, "partition")) {
		unsupported(tr, kw(tr, p, b, "of") ? "CREATE TABLE OF type" : "PARTITION OF");
		return;
	}
	if (kw(tr, p, b, "as")) {
		size_t q = nxt(tr, p, b);
		strcpy(tag, "SELECT");
		size_t e = b, last = prev_sig(tr, q, b);
		/* WITH [NO] DATA */
		if (last != NONE && kw(tr, last, b, "data")) {
			size_t wd = prev_sig(tr, q, last);
			if (wd != NONE && kw(tr, wd, b, "no")) {
				unsupported(tr, "CREATE TABLE AS ... WITH NO DATA");
				return;
			}
			if (wd != NONE && kw(tr, wd, b, "with"))
				e = prev_sig(tr, q, wd) + 1;
		}
		emit_raw(tr, after, q);
		emit_query(tr, q, e);
		return;
	}
	if (!is(tr, p, b, "(")) {
		emit_range(tr, after, b);
		return;
	}
	size_t close = mpar(tr, p, b);
	if (close >= b) {
		emit_range(tr, after, b);
		return;
	}
	if (kw(tr, nxt(tr, close, b), b, "as")) {
		unsupported(tr, "CREATE TABLE with a column list and AS");
		return;
	}
	emit_raw(tr, after, p + 1);
	struct clause el[256];
	int nel = split_commas(tr, p + 1, close, el, 256);
	for (int k = 0; k < nel && tr->state[0] == '\0'; k++) {
		size_t f = sig(tr, el[k].a, el[k].e);
		if (k > 0)
			sb_puts(&tr->out, ",");
		if (kw(tr, f, b, "like")) {
			unsupported(tr, "CREATE TABLE (LIKE ...)");
			return;
		}
		if (kw(tr, f, b, "exclude")) {
			unsupported(tr, "EXCLUDE constraints");
			return;
		}
		if (kw(tr, f, b, "constraint") || kw(tr, f, b, "primary") || kw(tr, f, b, "unique") ||
		    kw(tr, f, b, "check") || kw(tr, f, b, "foreign")) {
			tr->ddl = true;
			emit_range(tr, el[k].a, el[k].e);
			tr->ddl = false;
		} else {
			emit_column_def(tr, el[k].a, el[k].e);
		}
	}
	emit_tok(tr, close);
	emit_table_options(tr, close + 1, b);
}

/* PostgreSQL's name for an index without one: table_col[_col]_suffix. */
static void default_index_name(const struct tr *tr, const char *table, size_t a, size_t b,
			       const char *suffix, char *out, size_t cap)
{
	struct clause cols[32];
	int n = split_commas(tr, a, b, cols, 32);
	size_t o;

	snprintf(out, cap, "%s", table);
	for (int k = 0; k < n; k++) {
		size_t f = sig(tr, cols[k].a, cols[k].e);
		char c[64] = "expr";
		if (is_name(tr, f, b))
			ident(tr, f, c, sizeof(c));
		o = strlen(out);
		snprintf(out + o, cap - o, "_%s", c);
	}
	o = strlen(out);
	snprintf(out + o, cap - o, "_%s", suffix);
}

/* Emit a name as an SQL identifier (quoted if needed). */
static void emit_ident_str(struct tr *tr, const char *s)
{
	bool plain = (islower((unsigned char)s[0]) || s[0] == '_');

	for (const char *p = s; *p != '\0' && plain; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			plain = false;
	if (plain) {
		sb_puts(&tr->out, s);
		return;
	}
	sb_puts(&tr->out, "\"");
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			sb_puts(&tr->out, "\""); /* "" inside a quoted identifier */
		sb_put(&tr->out, p, 1);
	}
	sb_puts(&tr->out, "\"");
}

/* Index column list ( ... ) [a, b): drop opclasses and NULLS FIRST/LAST. */
static void emit_index_columns(struct tr *tr, size_t a, size_t b)
{
	struct clause cols[64];
	int n = split_commas(tr, a, b, cols, 64);

	for (int k = 0; k < n; k++) {
		size_t e = cols[k].e;
		if (k > 0)
			sb_puts(&tr->out, ",");
		for (size_t i = cols[k].a; i < e; i++) {
			if (kw(tr, i, e, "nulls") &&
			    (kw(tr, nxt(tr, i, e), e, "first") || kw(tr, nxt(tr, i, e), e, "last"))) {
				emit_range(tr, cols[k].a, i);
				sb_trim(&tr->out);
				emit_range(tr, nxt(tr, i, e) + 1, e);
				e = NONE;
				break;
			}
			if (tr->t[i].kind == LX_WORD && tr->t[i].len > 4 &&
			    strncasecmp(tr->t[i].s + tr->t[i].len - 4, "_ops", 4) == 0 &&
			    i > cols[k].a) {
				/* operator class: dropped with its leading space */
				emit_range(tr, cols[k].a, i);
				sb_trim(&tr->out);
				emit_range(tr, i + 1, e);
				e = NONE;
				break;
			}
		}
		if (e != NONE)
			emit_range(tr, cols[k].a, e);
	}
}

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t
 * [USING m] (cols) [INCLUDE (..)] [NULLS [NOT] DISTINCT] [WITH (..)]
 * [TABLESPACE x] [WHERE pred] */
static void emit_create_index(struct tr *tr, size_t a, size_t b)
{
	size_t i = a, on, t, te, p, close;
	bool has_name;
	char table[128], name[256];

	while (i < b && !kw(tr, i, b, "index"))
		emit_tok(tr, i++);
	emit_tok(tr, i++);
	size_t j = sig(tr, i, b);
	if (kw(tr, j, b, "concurrently"))
		i = j + 1;
	j = sig(tr, i, b);
	if (kw(tr, j, b, "if")) {
		size_t ex = nxt(tr, nxt(tr, j, b), b);
		emit_raw(tr, i, ex + 1);
		i = ex + 1;
	}
	on = sig(tr, i, b);
	has_name = !kw(tr, on, b, "on");
	if (has_name)
		on = nxt(tr, on, b);
	t = nxt(tr, on, b);
	if (kw(tr, t, b, "only"))
		t = nxt(tr, t, b);
	te = t + 1;
	while (is(tr, te, b, ".") && is_name(tr, te + 1, b))
		te += 2;
	if (!kw(tr, on, b, "on") || !is_name(tr, t, b)) {
		emit_range(tr, i, b);
		return;
	}
	ident(tr, te - 1, table, sizeof(table));
	p = sig(tr, te, b);
	if (kw(tr, p, b, "using")) {
		char m[32];
		ident(tr, nxt(tr, p, b), m, sizeof(m));
		if (strcmp(m, "btree") != 0 && strcmp(m, "hash") != 0) {
			char what[64];
			snprintf(what, sizeof(what), "index method \"%s\"", m);
			unsupported(tr, what);
			return;
		}
		p = nxt(tr, nxt(tr, p, b), b);
	}
	close = mpar(tr, p, b);
	if (!is(tr, p, b, "(") || close >= b) {
		emit_range(tr, i, b);
		return;
	}
	if (has_name) {
		emit_raw(tr, i, on);
	} else {
		default_index_name(tr, table, p + 1, close, "idx", name, sizeof(name));
		emit_raw(tr, i, on);
		emit_ident_str(tr, name);
		sb_puts(&tr->out, " ");
	}
	if (nxt(tr, on, b) == t && sig(tr, te, b) == p) {
		emit_raw(tr, on, p + 1); /* nothing dropped: keep the spacing */
	} else {
		emit_raw(tr, on, on + 1);
		sb_puts(&tr->out, " ");
		emit_raw(tr, t, te);
		sb_puts(&tr->out, " (");
	}
	emit_index_columns(tr, p + 1, close);
	emit_tok(tr, close);
	for (i = nxt(tr, close, b); i < b && tr->state[0] == '\0';) {
		size_t n1 = nxt(tr, i, b);
		if (kw(tr, i, b, "include") || kw(tr, i, b, "with")) {
			i = nxt(tr, mpar(tr, n1, b), b);
		} else if (kw(tr, i, b, "tablespace")) {
			i = nxt(tr, n1, b);
		} else if (kw(tr, i, b, "nulls")) {
			if (kw(tr, n1, b, "not")) {
				unsupported(tr, "NULLS NOT DISTINCT");
				return;
			}
			i = nxt(tr, n1, b);
		} else {
			sb_puts(&tr->out, " ");
			tr->ddl = true;
			emit_range(tr, i, b);
			tr->ddl = false;
			return;
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Statement handlers */

struct ctx {
	struct tr *tr;
	struct sqlt_stmt *st;
	size_t b; /* tr->n */
};

typedef void (*handler_fn)(struct ctx *c, const char *matched);

static void set_tag(struct sqlt_stmt *st, const char *tag)
{
	snprintf(st->tag, sizeof(st->tag), "%s", tag);
}

static void noop(struct ctx *c, const char *tag)
{
	c->st->kind = SQLT_NOOP;
	set_tag(c->st, tag);
}

static void syntax_error(struct ctx *c, size_t i)
{
	struct tr *tr = c->tr;

	if (i >= c->b)
		fail(tr, "42601", "syntax error at end of input");
	else
		fail(tr, "42601", "syntax error at or near \"%.*s\"", (int)tr->t[i].len, tr->t[i].s);
}

/* Statements run by SQLite: tag = the verb. */
static void h_sql(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t f = sig(tr, 0, c->b), verb = f;
	char tag[32];

	(void)m;
	if (kw(tr, f, c->b, "with"))
		verb = skip_with(tr, f, c->b);
	if (kw(tr, verb, c->b, "insert"))
		strcpy(tag, "INSERT");
	else if (kw(tr, verb, c->b, "update"))
		strcpy(tag, "UPDATE");
	else if (kw(tr, verb, c->b, "delete"))
		strcpy(tag, "DELETE");
	else
		strcpy(tag, "SELECT");
	if (kw(tr, f, c->b, "insert"))
		emit_insert(tr, f, c->b);
	else if (kw(tr, f, c->b, "update"))
		emit_update(tr, f, c->b);
	else if (kw(tr, f, c->b, "delete"))
		emit_delete(tr, f, c->b);
	else
		emit_query(tr, f, c->b);
	c->st->kind = SQLT_SQL;
	set_tag(c->st, tag);
}

static void h_unsupported(struct ctx *c, const char *m)
{
	unsupported(c->tr, m);
}

static void h_ignored(struct ctx *c, const char *m)
{
	if (strncmp(m, "COMMENT", 7) == 0)
		noop(c, "COMMENT");
	else if (strcmp(m, "ANALYSE") == 0)
		noop(c, "ANALYZE");
	else if (strncmp(m, "LOCK", 4) == 0)
		noop(c, "LOCK TABLE");
	else
		noop(c, m);
}

/* BEGIN [WORK|TRANSACTION] / START TRANSACTION [modes] */
static void h_begin(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b);

	(void)m;
	c->st->kind = SQLT_BEGIN;
	set_tag(c->st, strncmp(m, "START", 5) == 0 ? "START TRANSACTION" : "BEGIN");
	if (kw(tr, i, b, "work") || kw(tr, i, b, "transaction"))
		i = nxt(tr, i, b);
	while (i < b) {
		if (is(tr, i, b, ",")) {
			i = nxt(tr, i, b);
		} else if (kw(tr, i, b, "isolation") && kw(tr, nxt(tr, i, b), b, "level")) {
			i = nxt(tr, nxt(tr, i, b), b);
			if (kw(tr, i, b, "serializable")) {
				i = nxt(tr, i, b);
			} else if ((kw(tr, i, b, "repeatable") &&
				    kw(tr, nxt(tr, i, b), b, "read")) ||
				   (kw(tr, i, b, "read") && (kw(tr, nxt(tr, i, b), b, "committed") ||
							     kw(tr, nxt(tr, i, b), b, "uncommitted")))) {
				i = nxt(tr, nxt(tr, i, b), b);
			} else {
				syntax_error(c, i);
				return;
			}
		} else if (kw(tr, i, b, "read") && kw(tr, nxt(tr, i, b), b, "only")) {
			c->st->read_only = true;
			i = nxt(tr, nxt(tr, i, b), b);
		} else if (kw(tr, i, b, "read") && kw(tr, nxt(tr, i, b), b, "write")) {
			c->st->read_only = false;
			i = nxt(tr, nxt(tr, i, b), b);
		} else if (kw(tr, i, b, "not") && kw(tr, nxt(tr, i, b), b, "deferrable")) {
			i = nxt(tr, nxt(tr, i, b), b);
		} else if (kw(tr, i, b, "deferrable") || kw(tr, i, b, "deferred") ||
			   kw(tr, i, b, "immediate") || kw(tr, i, b, "exclusive")) {
			/* the last three are SQLite's own spellings */
			i = nxt(tr, i, b);
		} else {
			syntax_error(c, i);
			return;
		}
	}
}

/* [AND [NO] CHAIN] after COMMIT/ROLLBACK [WORK|TRANSACTION]; false on junk */
static bool end_of_txn_cmd(struct ctx *c, size_t i)
{
	struct tr *tr = c->tr;
	size_t b = c->b;

	if (kw(tr, i, b, "work") || kw(tr, i, b, "transaction"))
		i = nxt(tr, i, b);
	if (kw(tr, i, b, "and")) {
		i = nxt(tr, i, b);
		if (kw(tr, i, b, "chain")) {
			unsupported(tr, "AND CHAIN");
			return false;
		}
		if (!kw(tr, i, b, "no") || !kw(tr, nxt(tr, i, b), b, "chain")) {
			syntax_error(c, i);
			return false;
		}
		i = nxt(tr, nxt(tr, i, b), b);
	}
	if (i < b) {
		syntax_error(c, i);
		return false;
	}
	return true;
}

static void h_commit(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t i = nxt(tr, sig(tr, 0, c->b), c->b);

	(void)m;
	if (kw(tr, i, c->b, "prepared")) {
		unsupported(tr, "two-phase commit (COMMIT PREPARED)");
		return;
	}
	c->st->kind = SQLT_COMMIT;
	set_tag(c->st, "COMMIT");
	end_of_txn_cmd(c, i);
}

static void h_rollback(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b), j = i;

	(void)m;
	if (kw(tr, i, b, "prepared")) {
		unsupported(tr, "two-phase commit (ROLLBACK PREPARED)");
		return;
	}
	if (kw(tr, j, b, "work") || kw(tr, j, b, "transaction"))
		j = nxt(tr, j, b);
	if (kw(tr, j, b, "to")) {
		j = nxt(tr, j, b);
		if (kw(tr, j, b, "savepoint"))
			j = nxt(tr, j, b);
		if (!is_name(tr, j, b) || nxt(tr, j, b) < b) {
			syntax_error(c, j < b ? nxt(tr, j, b) : j);
			return;
		}
		c->st->kind = SQLT_SQL;
		set_tag(c->st, "ROLLBACK");
		sb_puts(&tr->out, "ROLLBACK TO SAVEPOINT ");
		emit_tok(tr, j);
		return;
	}
	c->st->kind = SQLT_ROLLBACK;
	set_tag(c->st, "ROLLBACK");
	end_of_txn_cmd(c, i);
}

static void h_savepoint(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, f = sig(tr, 0, b), i = nxt(tr, f, b);

	if (strcmp(m, "RELEASE") == 0 && kw(tr, i, b, "savepoint"))
		i = nxt(tr, i, b);
	if (!is_name(tr, i, b) || nxt(tr, i, b) < b) {
		syntax_error(c, i < b ? nxt(tr, i, b) : i);
		return;
	}
	c->st->kind = SQLT_SQL;
	set_tag(c->st, m);
	sb_puts(&tr->out, strcmp(m, "RELEASE") == 0 ? "RELEASE SAVEPOINT " : "SAVEPOINT ");
	emit_tok(tr, i);
}

/* A GUC name at i (dotted names allowed): lower-cased into st->name. */
static size_t guc_name(struct ctx *c, size_t i)
{
	struct tr *tr = c->tr;
	char buf[256] = "", part[128];
	size_t b = c->b;

	if (!is_name(tr, i, b)) {
		syntax_error(c, i);
		return b;
	}
	for (;;) {
		ident(tr, i, part, sizeof(part));
		strncat(buf, part, sizeof(buf) - strlen(buf) - 1);
		if (is(tr, i + 1, b, ".") && is_name(tr, i + 2, b)) {
			strncat(buf, ".", sizeof(buf) - strlen(buf) - 1);
			i += 2;
			continue;
		}
		break;
	}
	/* GUC names are case-insensitive, even when quoted */
	for (char *p = buf; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	c->st->name = strdup(buf);
	if (c->st->name == NULL)
		tr->oom = true;
	return nxt(tr, i, b);
}

/* Does an identifier need quotes to keep its value (for search_path)? */
static bool needs_quotes(const char *s)
{
	if (!(islower((unsigned char)s[0]) || s[0] == '_'))
		return true;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return true;
	return false;
}

/* SET value list at i: PostgreSQL's flattened text. */
static void set_value(struct ctx *c, size_t i)
{
	struct tr *tr = c->tr;
	size_t b = c->b;
	struct sb v = {0};
	bool list_quote = c->st->name != NULL && strcmp(c->st->name, "search_path") == 0;

	if (kw(tr, i, b, "default") && nxt(tr, i, b) >= b) {
		c->st->value = NULL;
		return;
	}
	if (kw(tr, i, b, "from") && kw(tr, nxt(tr, i, b), b, "current")) {
		unsupported(tr, "SET ... FROM CURRENT");
		return;
	}
	if (i >= b) {
		syntax_error(c, i);
		return;
	}
	while (i < b) {
		char *val = NULL;
		size_t n = 0;
		bool ident_like = false;

		if (tr->t[i].kind == LX_STRING || tr->t[i].kind == LX_DOLLAR) {
			struct lex_tokens one = {0};
			struct lex_token lt = {tr->t[i].kind, 0, tr->t[i].len, 0};
			one.v = &lt;
			one.n = 1;
			one.src = tr->t[i].s;
			one.srclen = tr->t[i].len;
			val = lex_string_value(&one, 0, &n);
			ident_like = true;
			i = nxt(tr, i, b);
		} else if (is_name(tr, i, b)) {
			char buf[256];
			ident(tr, i, buf, sizeof(buf));
			val = strdup(buf);
			n = strlen(buf);
			ident_like = true;
			i = nxt(tr, i, b);
		} else if (tr->t[i].kind == LX_NUMBER ||
			   ((is(tr, i, b, "-") || is(tr, i, b, "+")) &&
			    tr->t[nxt(tr, i, b) < b ? nxt(tr, i, b) : i].kind == LX_NUMBER)) {
			struct sb num = {0};
			if (tr->t[i].kind != LX_NUMBER) {
				if (is(tr, i, b, "-"))
					sb_puts(&num, "-");
				i = nxt(tr, i, b);
			}
			sb_put(&num, tr->t[i].s, tr->t[i].len);
			val = sb_take(&num);
			n = val != NULL ? strlen(val) : 0;
			i = nxt(tr, i, b);
		} else {
			syntax_error(c, i);
			free(v.s);
			return;
		}
		if (val == NULL) {
			fail(tr, "22025", "invalid string literal in SET");
			free(v.s);
			return;
		}
		if (v.len > 0)
			sb_puts(&v, ", ");
		if (list_quote && ident_like && needs_quotes(val)) {
			sb_puts(&v, "\"");
			for (size_t k = 0; k < n; k++) {
				if (val[k] == '"')
					sb_puts(&v, "\"");
				sb_put(&v, val + k, 1);
			}
			sb_puts(&v, "\"");
		} else {
			sb_put(&v, val, n);
		}
		free(val);
		if (i < b && !is(tr, i, b, ",")) {
			syntax_error(c, i);
			free(v.s);
			return;
		}
		if (i < b)
			i = nxt(tr, i, b);
	}
	c->st->value = sb_take(&v);
	if (c->st->value == NULL)
		tr->oom = true;
}

static bool set_special(struct ctx *c, size_t i, const char *name)
{
	c->st->name = strdup(name);
	if (c->st->name == NULL) {
		c->tr->oom = true;
		return false;
	}
	(void)i;
	return true;
}

static void h_set(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b);

	(void)m;
	if (kw(tr, i, b, "session") && kw(tr, nxt(tr, i, b), b, "characteristics")) {
		noop(c, "SET");
		return;
	}
	if (kw(tr, i, b, "local")) {
		c->st->local = true;
		i = nxt(tr, i, b);
	} else if (kw(tr, i, b, "session") && !kw(tr, nxt(tr, i, b), b, "authorization")) {
		i = nxt(tr, i, b);
	}
	if (kw(tr, i, b, "transaction") || kw(tr, i, b, "constraints")) {
		noop(c, "SET");
		return;
	}
	c->st->kind = SQLT_SET;
	set_tag(c->st, "SET");
	size_t j = nxt(tr, i, b);
	if (kw(tr, i, b, "time") && kw(tr, j, b, "zone")) {
		set_special(c, i, "timezone");
		i = nxt(tr, j, b);
		if ((kw(tr, i, b, "local") || kw(tr, i, b, "default")) && nxt(tr, i, b) >= b) {
			c->st->value = NULL;
			return;
		}
		if (kw(tr, i, b, "interval")) {
			unsupported(tr, "SET TIME ZONE INTERVAL");
			return;
		}
		set_value(c, i);
		return;
	}
	if (kw(tr, i, b, "names") && j < b) {
		set_special(c, i, "client_encoding");
		set_value(c, j);
		return;
	}
	if (kw(tr, i, b, "schema") && j < b && tr->t[j].kind == LX_STRING) {
		set_special(c, i, "search_path");
		set_value(c, j);
		return;
	}
	if (kw(tr, i, b, "role") && j < b) {
		set_special(c, i, "role");
		if (kw(tr, j, b, "none") && nxt(tr, j, b) >= b)
			return;
		set_value(c, j);
		return;
	}
	if (kw(tr, i, b, "session") && kw(tr, j, b, "authorization")) {
		set_special(c, i, "session_authorization");
		set_value(c, nxt(tr, j, b));
		return;
	}
	i = guc_name(c, i);
	if (!kw(tr, i, b, "to") && !is(tr, i, b, "=")) {
		syntax_error(c, i);
		return;
	}
	set_value(c, nxt(tr, i, b));
}

/* Names for the multi-word forms of SHOW/RESET. */
static bool special_name(struct ctx *c, size_t i)
{
	struct tr *tr = c->tr;
	size_t b = c->b, j = nxt(tr, i, b);
	const char *n = NULL;
	size_t end = b;

	if (kw(tr, i, b, "time") && kw(tr, j, b, "zone")) {
		n = "timezone";
		end = nxt(tr, j, b);
	} else if (kw(tr, i, b, "transaction") && kw(tr, j, b, "isolation") &&
		   kw(tr, nxt(tr, j, b), b, "level")) {
		n = "transaction_isolation";
		end = nxt(tr, nxt(tr, j, b), b);
	} else if (kw(tr, i, b, "session") && kw(tr, j, b, "authorization")) {
		n = "session_authorization";
		end = nxt(tr, j, b);
	}
	if (n == NULL)
		return false;
	if (end < b)
		syntax_error(c, end);
	set_special(c, i, n);
	return true;
}

static void h_show_reset(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b);

	c->st->kind = strcmp(m, "SHOW") == 0 ? SQLT_SHOW : SQLT_RESET;
	set_tag(c->st, m);
	if (special_name(c, i))
		return;
	i = guc_name(c, i);
	if (i < b)
		syntax_error(c, i);
}

/* CREATE DATABASE name [...] / DROP DATABASE [IF EXISTS] name [...] */
static void h_database(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, nxt(tr, sig(tr, 0, b), b), b);
	bool create = m[0] == 'C';

	c->st->kind = create ? SQLT_CREATE_DATABASE : SQLT_DROP_DATABASE;
	set_tag(c->st, create ? "CREATE DATABASE" : "DROP DATABASE");
	if (!create && kw(tr, i, b, "if") && kw(tr, nxt(tr, i, b), b, "exists")) {
		c->st->if_exists = true;
		i = nxt(tr, nxt(tr, i, b), b);
	}
	if (!is_name(tr, i, b)) {
		syntax_error(c, i);
		return;
	}
	c->st->name = ident_dup(tr, i);
	if (c->st->name == NULL)
		tr->oom = true;
}

static void h_deallocate(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b);

	(void)m;
	c->st->kind = SQLT_DEALLOCATE;
	set_tag(c->st, "DEALLOCATE");
	if (kw(tr, i, b, "prepare"))
		i = nxt(tr, i, b);
	if (!is_name(tr, i, b) || nxt(tr, i, b) < b) {
		syntax_error(c, i < b ? nxt(tr, i, b) : i);
		return;
	}
	if (kw(tr, i, b, "all"))
		set_tag(c->st, "DEALLOCATE ALL");
	c->st->name = ident_dup(tr, i);
	if (c->st->name == NULL)
		tr->oom = true;
}

static void h_discard(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b);
	const char *n = NULL;

	(void)m;
	if (kw(tr, i, b, "all"))
		n = "all";
	else if (kw(tr, i, b, "plans"))
		n = "plans";
	else if (kw(tr, i, b, "sequences"))
		n = "sequences";
	else if (kw(tr, i, b, "temp") || kw(tr, i, b, "temporary"))
		n = "temp";
	if (n == NULL || nxt(tr, i, b) < b) {
		syntax_error(c, n == NULL ? i : nxt(tr, i, b));
		return;
	}
	c->st->kind = SQLT_DISCARD;
	snprintf(c->st->tag, sizeof(c->st->tag), "DISCARD %s", n);
	for (char *p = c->st->tag; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	c->st->name = strdup(n);
	if (c->st->name == NULL)
		tr->oom = true;
}

/* A single-character COPY option value. */
static bool copy_char(struct ctx *c, size_t i, char *out, const char *what)
{
	struct tr *tr = c->tr;
	struct lex_tokens one = {0};
	struct lex_token lt;
	char *v;
	size_t n;

	if (i >= c->b || tr->t[i].kind != LX_STRING) {
		syntax_error(c, i);
		return false;
	}
	lt = (struct lex_token){LX_STRING, 0, tr->t[i].len, 0};
	one.v = &lt;
	one.n = 1;
	one.src = tr->t[i].s;
	one.srclen = tr->t[i].len;
	v = lex_string_value(&one, 0, &n);
	if (v == NULL || n != 1) {
		fail(tr, "0A000", "COPY %s must be a single one-byte character", what);
		free(v);
		return false;
	}
	*out = v[0];
	free(v);
	return true;
}

static bool copy_bool(const struct tr *tr, size_t i, size_t b, bool *out, size_t *next)
{
	*next = i;
	*out = true;
	if (kw(tr, i, b, "true") || kw(tr, i, b, "on") || (i < b && tr->t[i].kind == LX_NUMBER &&
							     tr->t[i].s[0] == '1')) {
		*next = nxt(tr, i, b);
	} else if (kw(tr, i, b, "false") || kw(tr, i, b, "off") ||
		   (i < b && tr->t[i].kind == LX_NUMBER && tr->t[i].s[0] == '0')) {
		*out = false;
		*next = nxt(tr, i, b);
	}
	return true;
}

/* One COPY option (new or old syntax) at i; returns the next index. */
static size_t copy_option(struct ctx *c, size_t i, bool old_syntax, bool *delim_set,
			  bool *null_set, bool *quote_set, bool *escape_set)
{
	struct tr *tr = c->tr;
	struct sqlt_copy *cp = &c->st->copy;
	size_t b = c->b, j = nxt(tr, i, b);
	char w[32];
	bool flag;

	ident(tr, i, w, sizeof(w));
	if (old_syntax && kw(tr, j, b, "as") &&
	    (strcmp(w, "delimiter") == 0 || strcmp(w, "null") == 0 || strcmp(w, "quote") == 0 ||
	     strcmp(w, "escape") == 0))
		j = nxt(tr, j, b);
	if (strcmp(w, "format") == 0) {
		char f[16];
		if (!is_name(tr, j, b)) {
			syntax_error(c, j);
			return b;
		}
		ident(tr, j, f, sizeof(f));
		if (strcmp(f, "text") == 0)
			cp->format = SQLT_COPY_TEXT;
		else if (strcmp(f, "csv") == 0)
			cp->format = SQLT_COPY_CSV;
		else if (strcmp(f, "binary") == 0)
			cp->format = SQLT_COPY_BINARY;
		else {
			fail(tr, "22023", "COPY format \"%s\" not recognized", f);
			return b;
		}
		return nxt(tr, j, b);
	}
	if (strcmp(w, "csv") == 0 && old_syntax) {
		cp->format = SQLT_COPY_CSV;
		return j;
	}
	if (strcmp(w, "binary") == 0 && old_syntax) {
		cp->format = SQLT_COPY_BINARY;
		return j;
	}
	if (strcmp(w, "delimiter") == 0) {
		*delim_set = copy_char(c, j, &cp->delimiter, "delimiter");
		return nxt(tr, j, b);
	}
	if (strcmp(w, "quote") == 0) {
		*quote_set = copy_char(c, j, &cp->quote, "quote");
		return nxt(tr, j, b);
	}
	if (strcmp(w, "escape") == 0) {
		*escape_set = copy_char(c, j, &cp->escape, "escape");
		return nxt(tr, j, b);
	}
	if (strcmp(w, "null") == 0) {
		struct lex_tokens one = {0};
		struct lex_token lt;
		if (j >= b || tr->t[j].kind != LX_STRING) {
			syntax_error(c, j);
			return b;
		}
		lt = (struct lex_token){LX_STRING, 0, tr->t[j].len, 0};
		one.v = &lt;
		one.n = 1;
		one.src = tr->t[j].s;
		one.srclen = tr->t[j].len;
		free(cp->null_string);
		cp->null_string = lex_string_value(&one, 0, NULL);
		if (cp->null_string == NULL) {
			fail(tr, "22025", "invalid COPY NULL string");
			return b;
		}
		*null_set = true;
		return nxt(tr, j, b);
	}
	if (strcmp(w, "header") == 0) {
		size_t nx;
		if (kw(tr, j, b, "match")) {
			unsupported(tr, "COPY HEADER MATCH");
			return b;
		}
		copy_bool(tr, j, b, &flag, &nx);
		cp->header = flag;
		return nx;
	}
	if (strcmp(w, "freeze") == 0 || strcmp(w, "oids") == 0) {
		size_t nx;
		copy_bool(tr, j, b, &flag, &nx);
		if (strcmp(w, "oids") == 0 && flag) {
			unsupported(tr, "COPY WITH OIDS");
			return b;
		}
		return nx;
	}
	if (strcmp(w, "encoding") == 0) {
		char e[32] = "";
		if (j < b && tr->t[j].kind == LX_STRING) {
			snprintf(e, sizeof(e), "%.*s", (int)(tr->t[j].len - 2), tr->t[j].s + 1);
			for (char *p = e; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		}
		if (strcmp(e, "utf8") != 0 && strcmp(e, "utf-8") != 0 && strcmp(e, "sql_ascii") != 0) {
			unsupported(tr, "COPY ENCODING other than UTF8");
			return b;
		}
		return nxt(tr, j, b);
	}
	if (strcmp(w, "force_quote") == 0 || strcmp(w, "force_not_null") == 0 ||
	    strcmp(w, "force_null") == 0 || strcmp(w, "force") == 0) {
		/* their column lists: accepted; quoting detail is the engine's */
		if (strcmp(w, "force") == 0) {
			while (kw(tr, j, b, "not") || kw(tr, j, b, "null") || kw(tr, j, b, "quote"))
				j = nxt(tr, j, b);
		}
		if (is(tr, j, b, "("))
			return nxt(tr, mpar(tr, j, b), b);
		if (is(tr, j, b, "*"))
			return nxt(tr, j, b);
		while (is_name(tr, j, b)) {
			j = nxt(tr, j, b);
			if (!is(tr, j, b, ","))
				break;
			j = nxt(tr, j, b);
		}
		return j;
	}
	fail(tr, "42601", "option \"%s\" not recognized", w);
	return b;
}

/* A table name (maybe qualified) at i: folded, schema dropped. */
static size_t table_name(struct ctx *c, size_t i, char **out)
{
	struct tr *tr = c->tr;
	size_t b = c->b;

	if (!is_name(tr, i, b)) {
		syntax_error(c, i);
		return b;
	}
	while (is(tr, i + 1, b, ".") && is_name(tr, i + 2, b))
		i += 2;
	*out = ident_dup(tr, i);
	if (*out == NULL)
		tr->oom = true;
	return nxt(tr, i, b);
}

/* COPY t [(cols)] FROM STDIN [opts] | COPY t [(cols)] | (query) TO STDOUT [opts] */
static void h_copy(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	struct sqlt_stmt *st = c->st;
	struct sqlt_copy *cp = &st->copy;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b), qa = NONE, qe = NONE, ca = NONE, ce = NONE;
	bool from, delim_set = false, null_set = false, quote_set = false, escape_set = false;

	(void)m;
	set_tag(st, "COPY");
	if (kw(tr, i, b, "binary")) {
		cp->format = SQLT_COPY_BINARY;
		i = nxt(tr, i, b);
	}
	if (is(tr, i, b, "(")) {
		qa = i + 1;
		qe = mpar(tr, i, b);
		i = nxt(tr, qe, b);
	} else {
		i = table_name(c, i, &cp->table);
		if (is(tr, i, b, "(")) {
			size_t close = mpar(tr, i, b);
			struct clause cols[256];
			int n = split_commas(tr, i + 1, close, cols, 256);
			ca = i + 1;
			ce = close;
			cp->columns = calloc((size_t)n + 1, sizeof(char *));
			if (cp->columns == NULL) {
				tr->oom = true;
				return;
			}
			for (int k = 0; k < n; k++) {
				size_t f = sig(tr, cols[k].a, cols[k].e);
				if (!is_name(tr, f, b)) {
					syntax_error(c, f);
					return;
				}
				cp->columns[k] = ident_dup(tr, f);
				cp->ncolumns++;
			}
			i = nxt(tr, close, b);
		}
	}
	if (tr->state[0] != '\0')
		return;
	if (kw(tr, i, b, "from"))
		from = true;
	else if (kw(tr, i, b, "to"))
		from = false;
	else {
		syntax_error(c, i);
		return;
	}
	if (from && qa != NONE) {
		syntax_error(c, i);
		return;
	}
	i = nxt(tr, i, b);
	if (kw(tr, i, b, "program") || (i < b && tr->t[i].kind == LX_STRING)) {
		unsupported(tr, from ? "COPY FROM a file or program (use STDIN, or psql's \\copy)"
				     : "COPY TO a file or program (use STDOUT, or psql's \\copy)");
		return;
	}
	if (!(from ? kw(tr, i, b, "stdin") : kw(tr, i, b, "stdout"))) {
		syntax_error(c, i);
		return;
	}
	i = nxt(tr, i, b);
	if (kw(tr, i, b, "with"))
		i = nxt(tr, i, b);
	if (is(tr, i, b, "(")) {
		size_t close = mpar(tr, i, b);
		struct clause opts[32];
		int n = split_commas(tr, i + 1, close, opts, 32);
		for (int k = 0; k < n && tr->state[0] == '\0'; k++) {
			size_t o = sig(tr, opts[k].a, opts[k].e);
			if (copy_option(c, o, false, &delim_set, &null_set, &quote_set,
					&escape_set) < opts[k].e &&
			    tr->state[0] == '\0')
				syntax_error(c, o);
		}
		i = nxt(tr, close, b);
	} else {
		while (i < b && tr->state[0] == '\0' && is_name(tr, i, b) &&
		       !kw(tr, i, b, "where"))
			i = copy_option(c, i, true, &delim_set, &null_set, &quote_set, &escape_set);
	}
	if (tr->state[0] != '\0')
		return;
	if (kw(tr, i, b, "where")) {
		unsupported(tr, "COPY FROM ... WHERE");
		return;
	}
	if (i < b) {
		syntax_error(c, i);
		return;
	}
	if (!delim_set)
		cp->delimiter = cp->format == SQLT_COPY_CSV ? ',' : '\t';
	if (!quote_set)
		cp->quote = '"';
	if (!escape_set)
		cp->escape = cp->quote;
	if (!null_set) {
		cp->null_string = strdup(cp->format == SQLT_COPY_CSV ? "" : "\\N");
		if (cp->null_string == NULL)
			tr->oom = true;
	}
	if (from) {
		st->kind = SQLT_COPY_FROM;
		return;
	}
	st->kind = SQLT_COPY_TO;
	if (qa != NONE) {
		size_t f = sig(tr, qa, qe);
		if (kw(tr, f, qe, "insert") || kw(tr, f, qe, "update") || kw(tr, f, qe, "delete"))
			unsupported(tr, "COPY (INSERT/UPDATE/DELETE ... RETURNING) TO");
		else
			emit_query(tr, f, prev_sig(tr, qa, qe) + 1);
		return;
	}
	sb_puts(&tr->out, "SELECT ");
	if (ca != NONE)
		emit_range(tr, sig(tr, ca, ce), prev_sig(tr, ca, ce) + 1);
	else
		sb_puts(&tr->out, "*");
	sb_puts(&tr->out, " FROM ");
	emit_ident_str(tr, cp->table);
}

static void h_truncate(struct ctx *c, const char *m)
{
	static const char *const stop[] = {",", "restart", "continue", "cascade", "restrict", NULL};
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b);
	bool first = true;

	(void)m;
	c->st->kind = SQLT_SQL;
	set_tag(c->st, "TRUNCATE TABLE");
	if (kw(tr, i, b, "table"))
		i = nxt(tr, i, b);
	while (i < b) {
		if (kw(tr, i, b, "only"))
			i = nxt(tr, i, b);
		size_t e = skip_to(tr, i, b, stop), last = prev_sig(tr, i, e);
		if (last == NONE) {
			syntax_error(c, i);
			return;
		}
		if (is(tr, last, b, "*"))
			last = prev_sig(tr, i, last);
		sb_puts(&tr->out, first ? "DELETE FROM " : "; DELETE FROM ");
		emit_raw(tr, i, last + 1);
		first = false;
		i = sig(tr, e, b);
		if (!is(tr, i, b, ","))
			break;
		i = nxt(tr, i, b);
	}
	/* RESTART IDENTITY / CONTINUE IDENTITY / CASCADE / RESTRICT: ignored */
}

static void h_drop(struct ctx *c, const char *m)
{
	static const char *const stop[] = {",", "cascade", "restrict", NULL};
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, nxt(tr, sig(tr, 0, b), b), b);
	bool if_exists = false, first = true;

	c->st->kind = SQLT_SQL;
	set_tag(c->st, m);
	if (kw(tr, i, b, "concurrently"))
		i = nxt(tr, i, b);
	if (kw(tr, i, b, "if") && kw(tr, nxt(tr, i, b), b, "exists")) {
		if_exists = true;
		i = nxt(tr, nxt(tr, i, b), b);
	}
	while (i < b) {
		size_t e = skip_to(tr, i, b, stop), last = prev_sig(tr, i, e);
		if (last == NONE) {
			syntax_error(c, i);
			return;
		}
		sb_puts(&tr->out, first ? "" : "; ");
		sb_puts(&tr->out, m);
		sb_puts(&tr->out, if_exists ? " IF EXISTS " : " ");
		emit_raw(tr, i, last + 1);
		first = false;
		i = sig(tr, e, b);
		if (!is(tr, i, b, ","))
			break;
		i = nxt(tr, i, b);
	}
}

static void h_create_table(struct ctx *c, const char *m)
{
	char tag[32] = "CREATE TABLE";

	(void)m;
	c->st->kind = SQLT_SQL;
	emit_create_table(c->tr, sig(c->tr, 0, c->b), c->b, tag);
	set_tag(c->st, tag);
}

static void h_create_index(struct ctx *c, const char *m)
{
	(void)m;
	c->st->kind = SQLT_SQL;
	set_tag(c->st, "CREATE INDEX");
	emit_create_index(c->tr, sig(c->tr, 0, c->b), c->b);
}

/* CREATE [OR REPLACE] [TEMP] [RECURSIVE] VIEW name [(cols)] [WITH (..)] AS q */
static void h_create_view(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = sig(tr, 0, b), v, name, ne, as;
	bool replace = false;

	(void)m;
	c->st->kind = SQLT_SQL;
	set_tag(c->st, "CREATE VIEW");
	for (v = i; v < b && !kw(tr, v, b, "view"); v++) {
		if (kw(tr, v, b, "or"))
			replace = true;
		if (kw(tr, v, b, "recursive")) {
			unsupported(tr, "CREATE RECURSIVE VIEW");
			return;
		}
	}
	name = nxt(tr, v, b);
	if (kw(tr, name, b, "if"))
		name = nxt(tr, nxt(tr, nxt(tr, name, b), b), b);
	ne = name + 1;
	while (is(tr, ne, b, ".") && is_name(tr, ne + 1, b))
		ne += 2;
	as = sig(tr, ne, b);
	if (is(tr, as, b, "("))
		as = nxt(tr, mpar(tr, as, b), b);
	size_t cols_end = as;
	if (kw(tr, as, b, "with") && is(tr, nxt(tr, as, b), b, "("))
		as = nxt(tr, mpar(tr, nxt(tr, as, b), b), b);
	if (!kw(tr, as, b, "as")) {
		syntax_error(c, as);
		return;
	}
	if (replace) {
		sb_puts(&tr->out, "DROP VIEW IF EXISTS ");
		emit_raw(tr, name, ne);
		sb_puts(&tr->out, "; CREATE");
		for (size_t k = i + 1; k < v; k++)
			if (kw(tr, k, b, "temp") || kw(tr, k, b, "temporary")) {
				sb_puts(&tr->out, " ");
				emit_tok(tr, k);
			}
		sb_puts(&tr->out, " VIEW ");
		emit_raw(tr, name, cols_end);
	} else {
		emit_raw(tr, i, cols_end);
	}
	sb_trim(&tr->out);
	sb_puts(&tr->out, " AS ");
	size_t q = nxt(tr, as, b), e = b;
	/* WITH [CASCADED|LOCAL] CHECK OPTION: SQLite views are read-only anyway */
	for (size_t k = q; k < b; k++) {
		if (is(tr, k, b, "(")) {
			k = mpar(tr, k, b);
			continue;
		}
		if (kw(tr, k, b, "with") &&
		    (kw(tr, nxt(tr, k, b), b, "check") || kw(tr, nxt(tr, k, b), b, "cascaded") ||
		     kw(tr, nxt(tr, k, b), b, "local"))) {
			e = prev_sig(tr, q, k) + 1;
			break;
		}
	}
	emit_query(tr, q, e);
}

/* ALTER TABLE [IF EXISTS] [ONLY] t action [, action ...] */
static void h_alter_table(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, nxt(tr, sig(tr, 0, b), b), b), t, te;
	struct clause acts[64];
	struct sb saved;
	char table[128];
	int n, nsql = 0;

	(void)m;
	set_tag(c->st, "ALTER TABLE");
	if (kw(tr, i, b, "if") && kw(tr, nxt(tr, i, b), b, "exists"))
		i = nxt(tr, nxt(tr, i, b), b);
	if (kw(tr, i, b, "only"))
		i = nxt(tr, i, b);
	t = i;
	if (!is_name(tr, t, b)) {
		syntax_error(c, t);
		return;
	}
	te = t + 1;
	while (is(tr, te, b, ".") && is_name(tr, te + 1, b))
		te += 2;
	ident(tr, te - 1, table, sizeof(table));
	i = sig(tr, te, b);
	if (is(tr, i, b, "*"))
		i = nxt(tr, i, b);
	n = split_commas(tr, i, b, acts, 64);
	saved = tr->out;
	memset(&tr->out, 0, sizeof(tr->out));
	for (int k = 0; k < n && tr->state[0] == '\0'; k++) {
		size_t a = sig(tr, acts[k].a, acts[k].e), e = acts[k].e, j = nxt(tr, a, e);
		size_t before = tr->out.len;
		char cname[128] = "";
		char idx[256];

		if (nsql > 0)
			sb_puts(&tr->out, "; ");
		if (kw(tr, a, e, "add")) {
			if (kw(tr, j, e, "constraint")) {
				ident(tr, nxt(tr, j, e), cname, sizeof(cname));
				j = nxt(tr, nxt(tr, j, e), e);
			}
			if ((kw(tr, j, e, "primary") && kw(tr, nxt(tr, j, e), e, "key")) ||
			    kw(tr, j, e, "unique")) {
				bool pk = kw(tr, j, e, "primary");
				size_t p = pk ? nxt(tr, nxt(tr, j, e), e) : nxt(tr, j, e);
				if (!is(tr, p, e, "(") || mpar(tr, p, e) >= e) {
					syntax_error(c, p);
					break;
				}
				if (cname[0] != '\0')
					snprintf(idx, sizeof(idx), "%s", cname);
				else if (pk)
					snprintf(idx, sizeof(idx), "%s_pkey", table);
				else
					default_index_name(tr, table, p + 1, mpar(tr, p, e), "key",
							   idx, sizeof(idx));
				sb_puts(&tr->out, "CREATE UNIQUE INDEX ");
				emit_ident_str(tr, idx);
				sb_puts(&tr->out, " ON ");
				emit_raw(tr, t, te);
				sb_puts(&tr->out, " (");
				emit_index_columns(tr, p + 1, mpar(tr, p, e));
				sb_puts(&tr->out, ")");
				nsql++;
				continue;
			}
			if (kw(tr, j, e, "foreign")) {
				tr->out.len = before; /* not enforced: see the top comment */
				continue;
			}
			if (kw(tr, j, e, "check") || kw(tr, j, e, "exclude")) {
				unsupported(tr, "ALTER TABLE ... ADD CHECK/EXCLUDE");
				break;
			}
			if (kw(tr, j, e, "column"))
				j = nxt(tr, j, e);
			if (kw(tr, j, e, "if")) {
				unsupported(tr, "ALTER TABLE ... ADD COLUMN IF NOT EXISTS");
				break;
			}
			sb_puts(&tr->out, "ALTER TABLE ");
			emit_raw(tr, t, te);
			sb_puts(&tr->out, " ADD COLUMN ");
			emit_column_def(tr, j, e);
			nsql++;
			continue;
		}
		if (kw(tr, a, e, "drop")) {
			bool ife = false;
			if (kw(tr, j, e, "constraint")) {
				j = nxt(tr, j, e);
				if (kw(tr, j, e, "if")) {
					ife = true;
					j = nxt(tr, nxt(tr, j, e), e);
				}
				sb_puts(&tr->out, ife ? "DROP INDEX IF EXISTS " : "DROP INDEX ");
				emit_tok(tr, j);
				nsql++;
				continue;
			}
			if (kw(tr, j, e, "column"))
				j = nxt(tr, j, e);
			if (kw(tr, j, e, "if"))
				j = nxt(tr, nxt(tr, j, e), e);
			sb_puts(&tr->out, "ALTER TABLE ");
			emit_raw(tr, t, te);
			sb_puts(&tr->out, " DROP COLUMN ");
			emit_tok(tr, j);
			nsql++;
			continue;
		}
		if (kw(tr, a, e, "alter")) {
			if (kw(tr, j, e, "column"))
				j = nxt(tr, j, e);
			size_t w = nxt(tr, j, e);
			if (kw(tr, w, e, "type") ||
			    (kw(tr, w, e, "set") && kw(tr, nxt(tr, w, e), e, "data")) ||
			    (kw(tr, w, e, "set") && (kw(tr, nxt(tr, w, e), e, "statistics") ||
						     kw(tr, nxt(tr, w, e), e, "storage") ||
						     kw(tr, nxt(tr, w, e), e, "compression") ||
						     is(tr, nxt(tr, w, e), e, "("))) ||
			    kw(tr, w, e, "reset")) {
				tr->out.len = before; /* SQLite columns take any type */
				continue;
			}
			unsupported(tr, "ALTER TABLE ... ALTER COLUMN SET/DROP DEFAULT or NOT NULL");
			break;
		}
		if (kw(tr, a, e, "rename")) {
			if (kw(tr, j, e, "constraint")) {
				unsupported(tr, "ALTER TABLE ... RENAME CONSTRAINT");
				break;
			}
			sb_puts(&tr->out, "ALTER TABLE ");
			emit_raw(tr, t, te);
			sb_puts(&tr->out, " ");
			emit_raw(tr, a, sig(tr, acts[k].a, e) == a ? prev_sig(tr, a, e) + 1 : e);
			nsql++;
			continue;
		}
		if (kw(tr, a, e, "owner") || kw(tr, a, e, "set") || kw(tr, a, e, "reset") ||
		    kw(tr, a, e, "cluster") || kw(tr, a, e, "enable") || kw(tr, a, e, "disable") ||
		    kw(tr, a, e, "replica") || kw(tr, a, e, "force") || kw(tr, a, e, "no")) {
			tr->out.len = before;
			continue;
		}
		{
			char what[96];
			snprintf(what, sizeof(what), "ALTER TABLE ... %.*s", (int)tr->t[a].len,
				 tr->t[a].s);
			for (char *p = what + 16; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			unsupported(tr, what);
		}
		break;
	}
	if (tr->out.s != NULL)
		tr->out.s[tr->out.len] = '\0';
	if (nsql == 0) {
		free(tr->out.s);
		tr->out = saved;
		c->st->kind = SQLT_NOOP;
		return;
	}
	c->st->kind = SQLT_SQL;
	{
		struct sb built = tr->out;
		tr->out = saved;
		if (built.s != NULL)
			sb_puts(&tr->out, built.s);
		if (built.oom)
			tr->oom = true;
		free(built.s);
	}
}

/* ALTER <object> ...: OWNER TO and friends are ignored, the rest refused. */
static void h_alter_other(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, f = sig(tr, 0, b), k = nxt(tr, f, b);
	char tag[32];

	snprintf(tag, sizeof(tag), "ALTER %.*s", (int)tr->t[k < b ? k : f].len, tr->t[k < b ? k : f].s);
	for (char *p = tag; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (size_t i = k; i < b; i++)
		if (kw(tr, i, b, "owner") && kw(tr, nxt(tr, i, b), b, "to")) {
			noop(c, tag);
			return;
		}
	if (strcmp(m, "ALTER SEQUENCE") == 0) {
		noop(c, "ALTER SEQUENCE");
		return;
	}
	unsupported(tr, tag);
}

/* EXPLAIN [ANALYZE] [VERBOSE] [(options)] statement */
static void h_explain(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t b = c->b, i = nxt(tr, sig(tr, 0, b), b);

	(void)m;
	while (kw(tr, i, b, "analyze") || kw(tr, i, b, "analyse") || kw(tr, i, b, "verbose"))
		i = nxt(tr, i, b);
	if (is(tr, i, b, "("))
		i = nxt(tr, mpar(tr, i, b), b);
	c->st->kind = SQLT_SQL;
	set_tag(c->st, "EXPLAIN");
	sb_puts(&tr->out, "EXPLAIN QUERY PLAN ");
	if (kw(tr, i, b, "insert"))
		emit_insert(tr, i, b);
	else if (kw(tr, i, b, "update"))
		emit_update(tr, i, b);
	else if (kw(tr, i, b, "delete"))
		emit_delete(tr, i, b);
	else if (is_query_start(tr, i, b) || is(tr, i, b, "("))
		emit_query(tr, i, b);
	else
		unsupported(tr, "EXPLAIN of this statement");
}

/* Anything else: give it to SQLite as it is (PRAGMA, SQLite's own forms). */
static void h_passthrough(struct ctx *c, const char *m)
{
	struct tr *tr = c->tr;
	size_t f = sig(tr, 0, c->b);

	(void)m;
	c->st->kind = SQLT_SQL;
	snprintf(c->st->tag, sizeof(c->st->tag), "%.*s", (int)tr->t[f].len, tr->t[f].s);
	for (char *p = c->st->tag; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	emit_range(tr, f, c->b);
}

/* ---------------------------------------------------------------------- */
/* Classification */

struct rule {
	const char *pattern;
	handler_fn fn;
	pcre2_code *code;
};

static struct rule rules[] = {
	{"^(?:BEGIN|START TRANSACTION)\\b", h_begin, NULL},
	{"^(?:COMMIT|END)\\b", h_commit, NULL},
	{"^(?:ROLLBACK|ABORT)\\b", h_rollback, NULL},
	{"^(?:SAVEPOINT|RELEASE)\\b", h_savepoint, NULL},
	{"^SET\\b", h_set, NULL},
	{"^(?:SHOW|RESET)\\b", h_show_reset, NULL},
	{"^(?:CREATE|DROP) DATABASE\\b", h_database, NULL},
	{"^COPY\\b", h_copy, NULL},
	{"^DEALLOCATE\\b", h_deallocate, NULL},
	{"^DISCARD\\b", h_discard, NULL},
	{"^(?:VACUUM|ANALYZE|ANALYSE|CHECKPOINT|REINDEX|CLUSTER|COMMENT ON|GRANT|REVOKE|LOCK)\\b",
	 h_ignored, NULL},
	{"^TRUNCATE\\b", h_truncate, NULL},
	{"^DROP (?:TABLE|INDEX|VIEW)\\b", h_drop, NULL},
	{"^CREATE (?:(?:GLOBAL|LOCAL) )?(?:(?:TEMP|TEMPORARY) )?(?:UNLOGGED )?TABLE\\b",
	 h_create_table, NULL},
	{"^CREATE (?:UNIQUE )?INDEX\\b", h_create_index, NULL},
	{"^CREATE (?:OR REPLACE )?(?:(?:TEMP|TEMPORARY) )?(?:RECURSIVE )?VIEW\\b", h_create_view,
	 NULL},
	{"^ALTER TABLE\\b", h_alter_table, NULL},
	{"^ALTER (?:SEQUENCE|\\w+)", h_alter_other, NULL},
	{"^(?:LISTEN|NOTIFY|UNLISTEN|PREPARE|EXECUTE|DO|DECLARE|FETCH|MOVE|CLOSE|CALL|LOAD|"
	 "SECURITY LABEL|REFRESH MATERIALIZED VIEW|IMPORT FOREIGN SCHEMA|REASSIGN OWNED|"
	 "DROP OWNED)\\b",
	 h_unsupported, NULL},
	{"^CREATE (?:OR REPLACE )?(?:(?:TEMP|TEMPORARY) )?(?:SCHEMA|EXTENSION|SEQUENCE|FUNCTION|"
	 "PROCEDURE|(?:CONSTRAINT )?TRIGGER|TYPE|DOMAIN|ROLE|USER|GROUP|MATERIALIZED VIEW|RULE|"
	 "POLICY|AGGREGATE|OPERATOR|CAST|LANGUAGE|PUBLICATION|SUBSCRIPTION|TABLESPACE|"
	 "COLLATION|CONVERSION|EVENT TRIGGER|FOREIGN|SERVER|STATISTICS|TEXT SEARCH|ACCESS METHOD|"
	 "TRANSFORM)\\b",
	 h_unsupported, NULL},
	{"^DROP (?:SCHEMA|EXTENSION|SEQUENCE|FUNCTION|PROCEDURE|TRIGGER|TYPE|DOMAIN|ROLE|USER|"
	 "GROUP|MATERIALIZED VIEW|RULE|POLICY|AGGREGATE|OPERATOR|CAST|LANGUAGE|PUBLICATION|"
	 "SUBSCRIPTION|TABLESPACE|COLLATION|CONVERSION|EVENT TRIGGER|FOREIGN|SERVER|STATISTICS|"
	 "TEXT SEARCH|ACCESS METHOD|TRANSFORM)\\b",
	 h_unsupported, NULL},
	{"^(?:SELECT|VALUES|TABLE|WITH|INSERT|UPDATE|DELETE|\\()", h_sql, NULL},
	{"^EXPLAIN\\b", h_explain, NULL},
};

static pthread_once_t rules_once = PTHREAD_ONCE_INIT;
static bool rules_ok;

static void rules_compile(void)
{
	rules_ok = true;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int err;
		PCRE2_SIZE off;
		rules[i].code = pcre2_compile((PCRE2_SPTR)rules[i].pattern, PCRE2_ZERO_TERMINATED, 0,
					      &err, &off, NULL);
		if (rules[i].code == NULL)
			rules_ok = false;
		else
			pcre2_jit_compile(rules[i].code, PCRE2_JIT_COMPLETE);
	}
}

/*
 * The statement's head: its first significant tokens, words upper-cased,
 * everything else as its text, separated by single spaces.  Comments and
 * the spacing of the original never reach the patterns.
 */
static void head_string(const struct tr *tr, char *buf, size_t cap)
{
	size_t o = 0;
	int count = 0;

	buf[0] = '\0';
	for (size_t i = sig(tr, 0, tr->n); i < tr->n && count < 6; i = nxt(tr, i, tr->n)) {
		const struct tok *t = &tr->t[i];
		if (t->len + 2 >= cap - o)
			break;
		if (o > 0)
			buf[o++] = ' ';
		for (size_t k = 0; k < t->len; k++)
			buf[o++] = t->kind == LX_WORD ? (char)toupper((unsigned char)t->s[k]) : t->s[k];
		buf[o] = '\0';
		count++;
	}
}

/* ---------------------------------------------------------------------- */
/* Driver */

static void stmt_free(struct sqlt_stmt *st)
{
	free(st->sql);
	free(st->name);
	free(st->value);
	free(st->message);
	free(st->copy.table);
	if (st->copy.columns != NULL)
		for (int k = 0; k < st->copy.ncolumns; k++)
			free(st->copy.columns[k]);
	free(st->copy.columns);
	free(st->copy.null_string);
	memset(st, 0, sizeof(*st));
}

static int set_error(struct sqlt_stmt *st, const char *state, const char *msg)
{
	/* The statement keeps its span and parameters: the engine still
	 * needs to know where it was in the text. */
	size_t pos = st->pg_pos, len = st->pg_len;
	int max_param = st->max_param;
	stmt_free(st);
	st->pg_pos = pos;
	st->pg_len = len;
	st->max_param = max_param;
	st->kind = SQLT_ERROR;
	memcpy(st->sqlstate, state, 6);
	st->message = strdup(msg);
	return st->message == NULL ? -1 : 0;
}

/* Translate the statement made of lex tokens [a, b) (trimmed). */
static int translate_one(const struct lex_tokens *lx, size_t a, size_t b, struct sqlt_stmt *st)
{
	struct tr tr = {0};
	struct ctx c = {&tr, st, 0};
	char head[256];
	int rc = 0;

	st->pg_pos = lx->v[a].pos;
	st->pg_len = lx->v[b - 1].pos + lx->v[b - 1].len - st->pg_pos;
	for (size_t i = a; i < b; i++) {
		if (lx->v[i].kind == LX_PARAM && lx->v[i].param > st->max_param)
			st->max_param = lx->v[i].param;
		if (lx->v[i].kind == LX_ERROR) {
			const char *what = lx->src[lx->v[i].pos] == '/' ? "/* comment"
					   : lx->src[lx->v[i].pos] == '"' ? "quoted identifier"
					   : lx->src[lx->v[i].pos] == '$' ? "dollar-quoted string"
									  : "quoted string";
			char msg[160];
			snprintf(msg, sizeof(msg), "unterminated %s at or near \"%.*s\"", what,
				 (int)(lx->v[i].len > 40 ? 40 : lx->v[i].len),
				 lx->src + lx->v[i].pos);
			return set_error(st, "42601", msg);
		}
	}
	if (normalise(&tr, lx, a, b) < 0) {
		rc = -1;
		goto out;
	}
	c.b = tr.n;
	head_string(&tr, head, sizeof(head));
	st->kind = SQLT_SQL;
	handler_fn fn = h_passthrough;
	char matched[64] = "";
	pcre2_match_data *md = NULL;
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]) && rules_ok; r++) {
		if (md == NULL)
			md = pcre2_match_data_create(2, NULL);
		if (md == NULL) {
			rc = -1;
			goto out;
		}
		if (pcre2_match(rules[r].code, (PCRE2_SPTR)head, strlen(head), 0, 0, md, NULL) >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			snprintf(matched, sizeof(matched), "%.*s", (int)(ov[1] - ov[0]), head + ov[0]);
			fn = rules[r].fn;
			break;
		}
	}
	pcre2_match_data_free(md);
	fn(&c, matched);
	if (tr.oom || tr.out.oom) {
		rc = -1;
		goto out;
	}
	if (tr.state[0] != '\0') {
		int mp = st->max_param;
		rc = set_error(st, tr.state, tr.msg);
		st->max_param = mp;
		st->pg_pos = lx->v[a].pos;
		st->pg_len = lx->v[b - 1].pos + lx->v[b - 1].len - st->pg_pos;
		goto out;
	}
	if (st->kind == SQLT_SQL || st->kind == SQLT_COPY_TO) {
		st->sql = sb_take(&tr.out);
		if (st->sql == NULL)
			rc = -1;
	}
out:
	free(tr.out.s);
	free(tr.msg);
	for (size_t k = 0; k < tr.nowned; k++)
		free(tr.owned[k]);
	free(tr.owned);
	free(tr.t);
	return rc;
}

static int push_stmt(struct sqlt_result *out, size_t *cap)
{
	if (out->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct sqlt_stmt *v = realloc(out->v, nc * sizeof(*v));
		if (v == NULL)
			return -1;
		out->v = v;
		*cap = nc;
	}
	memset(&out->v[out->n], 0, sizeof(out->v[0]));
	out->n++;
	return 0;
}

int sqlt_translate(const char *text, size_t len, bool multi, struct sqlt_result *out)
{
	struct lex_tokens lx = {0};
	size_t cap = 0, start = 0;
	int depth = 0, nonempty = 0;

	out->v = NULL;
	out->n = 0;
	pthread_once(&rules_once, rules_compile);
	if (lex_tokenize(text, len, &lx) < 0)
		goto fail;
	/* count the statements first: a Parse may carry only one */
	for (size_t i = 0; i <= lx.n; i++) {
		if (i < lx.n && lex_is(&lx, i, "("))
			depth++;
		else if (i < lx.n && lex_is(&lx, i, ")") && depth > 0)
			depth--;
		if (i == lx.n || (depth == 0 && lex_is(&lx, i, ";"))) {
			size_t a = lex_sig_from(&lx, start);
			if (a < i)
				nonempty++;
			start = i + 1;
		}
	}
	if (!multi && nonempty > 1) {
		if (push_stmt(out, &cap) < 0 ||
		    set_error(&out->v[0], "42601",
			      "cannot insert multiple commands into a prepared statement") < 0)
			goto fail;
		out->v[0].pg_len = len;
		lex_free(&lx);
		return 0;
	}
	if (nonempty == 0) {
		if (push_stmt(out, &cap) < 0)
			goto fail;
		out->v[0].kind = SQLT_EMPTY;
		lex_free(&lx);
		return 0;
	}
	depth = 0;
	start = 0;
	for (size_t i = 0; i <= lx.n; i++) {
		if (i < lx.n && lex_is(&lx, i, "("))
			depth++;
		else if (i < lx.n && lex_is(&lx, i, ")") && depth > 0)
			depth--;
		if (i == lx.n || (depth == 0 && lex_is(&lx, i, ";"))) {
			size_t a = lex_sig_from(&lx, start), b = i;
			start = i + 1;
			if (a >= i)
				continue;
			while (b > a && (lx.v[b - 1].kind == LX_SPACE || lx.v[b - 1].kind == LX_COMMENT))
				b--;
			if (push_stmt(out, &cap) < 0 ||
			    translate_one(&lx, a, b, &out->v[out->n - 1]) < 0)
				goto fail;
		}
	}
	lex_free(&lx);
	return 0;
fail:
	lex_free(&lx);
	sqlt_result_free(out);
	return -1;
}

void sqlt_result_free(struct sqlt_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		stmt_free(&r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
