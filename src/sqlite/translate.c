/*
 * translate.c - PostgreSQL dialect to SQLite: the statement dispatcher.
 *
 * Splits a query text into statements on top-level ';', classifies each
 * by its leading keywords against a table of pcre2 patterns, runs the
 * handler the pattern names, and packs the outcome into a sqlt_stmt.  The
 * handlers here only dispatch (queries, EXPLAIN, refusals, pass-through);
 * the rewriting is elsewhere: translate_expr.c (expressions), _query.c
 * (query clauses), _ddl.c, _copy.c, _session.c, on translate_tok.c's cursor.
 */

/*
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
#include "sqlite/translate_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- What every handler may set */

/* The command tag (the engine appends the row count where PostgreSQL does). */
void sqlt_set_tag(struct sqlt_stmt *st, const char *tag)
{
	snprintf(st->tag, sizeof(st->tag), "%s", tag);
}

/* Accepted and ignored: the client sees only the tag. */
void sqlt_noop(struct sqlt_ctx *c, const char *tag)
{
	c->st->kind = SQLT_NOOP;
	sqlt_set_tag(c->st, tag);
}

/* 42601 at token i, worded as PostgreSQL words it. */
void sqlt_syntax_error(struct sqlt_ctx *c, size_t i)
{
	struct sqlt_tr *tr = c->tr;

	if (i >= c->b)
		sqlt_fail(tr, "42601", "syntax error at end of input");
	else
		sqlt_fail(tr, "42601", "syntax error at or near \"%.*s\"", (int)tr->t[i].len,
			  tr->t[i].s);
}

/* ---- The handlers that only dispatch */

/* Statements run by SQLite: tag = the verb. */
static void h_sql(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t f = sqlt_sig(tr, 0, c->b), verb = f;
	char tag[32];

	(void)m;
	if (sqlt_kw(tr, f, c->b, "with"))
		verb = sqlt_skip_with(tr, f, c->b);
	if (sqlt_kw(tr, verb, c->b, "insert"))
		strcpy(tag, "INSERT");
	else if (sqlt_kw(tr, verb, c->b, "update"))
		strcpy(tag, "UPDATE");
	else if (sqlt_kw(tr, verb, c->b, "delete"))
		strcpy(tag, "DELETE");
	else
		strcpy(tag, "SELECT");
	if (!sqlt_emit_dml(tr, f, c->b))
		sqlt_emit_query(tr, f, c->b);
	c->st->kind = SQLT_SQL;
	sqlt_set_tag(c->st, tag);
}

/* Refused outright: the matched head names the feature. */
static void h_unsupported(struct sqlt_ctx *c, const char *m)
{
	sqlt_unsupported(c->tr, m);
}

/* Accepted and ignored (VACUUM, GRANT, COMMENT ON, ...). */
static void h_ignored(struct sqlt_ctx *c, const char *m)
{
	if (strncmp(m, "COMMENT", 7) == 0)
		sqlt_noop(c, "COMMENT");
	else if (strcmp(m, "ANALYSE") == 0)
		sqlt_noop(c, "ANALYZE");
	else if (strncmp(m, "LOCK", 4) == 0)
		sqlt_noop(c, "LOCK TABLE");
	else
		sqlt_noop(c, m);
}

/* EXPLAIN [ANALYZE] [VERBOSE] [(options)] statement */
static void h_explain(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b);

	(void)m;
	while (sqlt_kw(tr, i, b, "analyze") || sqlt_kw(tr, i, b, "analyse") ||
	       sqlt_kw(tr, i, b, "verbose"))
		i = sqlt_nxt(tr, i, b);
	if (sqlt_is(tr, i, b, "("))
		i = sqlt_nxt(tr, sqlt_mpar(tr, i, b), b);
	c->st->kind = SQLT_SQL;
	sqlt_set_tag(c->st, "EXPLAIN");
	sqlt_sb_puts(&tr->out, "EXPLAIN QUERY PLAN ");
	if (sqlt_emit_dml(tr, i, b))
		return;
	if (sqlt_is_query_start(tr, i, b) || sqlt_is(tr, i, b, "("))
		sqlt_emit_query(tr, i, b);
	else
		sqlt_unsupported(tr, "EXPLAIN of this statement");
}

/* Anything else: give it to SQLite as it is (PRAGMA, SQLite's own forms). */
static void h_passthrough(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t f = sqlt_sig(tr, 0, c->b);

	(void)m;
	c->st->kind = SQLT_SQL;
	snprintf(c->st->tag, sizeof(c->st->tag), "%.*s", (int)tr->t[f].len, tr->t[f].s);
	sqlt_upcase(c->st->tag);
	sqlt_emit_range(tr, f, c->b);
}

/* ---- Classification */

struct rule {
	const char *pattern;
	sqlt_handler_fn fn;
	pcre2_code *code;
};

static struct rule rules[] = {
	{"^(?:BEGIN|START TRANSACTION)\\b", sqlt_h_begin, NULL},
	{"^(?:COMMIT|END)\\b", sqlt_h_commit, NULL},
	{"^(?:ROLLBACK|ABORT)\\b", sqlt_h_rollback, NULL},
	{"^(?:SAVEPOINT|RELEASE)\\b", sqlt_h_savepoint, NULL},
	{"^SET\\b", sqlt_h_set, NULL},
	{"^(?:SHOW|RESET)\\b", sqlt_h_show_reset, NULL},
	{"^(?:CREATE|DROP) DATABASE\\b", sqlt_h_database, NULL},
	{"^COPY\\b", sqlt_h_copy, NULL},
	{"^DEALLOCATE\\b", sqlt_h_deallocate, NULL},
	{"^DISCARD\\b", sqlt_h_discard, NULL},
	{"^(?:VACUUM|ANALYZE|ANALYSE|CHECKPOINT|REINDEX|CLUSTER|COMMENT ON|GRANT|REVOKE|LOCK)\\b",
	 h_ignored, NULL},
	{"^TRUNCATE\\b", sqlt_h_truncate, NULL},
	{"^DROP (?:TABLE|INDEX|VIEW)\\b", sqlt_h_drop, NULL},
	{"^CREATE (?:(?:GLOBAL|LOCAL) )?(?:(?:TEMP|TEMPORARY) )?(?:UNLOGGED )?TABLE\\b",
	 sqlt_h_create_table, NULL},
	{"^CREATE (?:UNIQUE )?INDEX\\b", sqlt_h_create_index, NULL},
	{"^CREATE (?:OR REPLACE )?(?:(?:TEMP|TEMPORARY) )?(?:RECURSIVE )?VIEW\\b",
	 sqlt_h_create_view, NULL},
	{"^ALTER TABLE\\b", sqlt_h_alter_table, NULL},
	{"^ALTER (?:SEQUENCE|\\w+)", sqlt_h_alter_other, NULL},
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

/* Compile the patterns once; a pattern that fails to compile leaves
 * every statement to h_passthrough (rules_ok false). */
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
static void head_string(const struct sqlt_tr *tr, char *buf, size_t cap)
{
	size_t o = 0;
	int count = 0;

	buf[0] = '\0';
	for (size_t i = sqlt_sig(tr, 0, tr->n); i < tr->n && count < 6;
	     i = sqlt_nxt(tr, i, tr->n)) {
		const struct sqlt_tok *t = &tr->t[i];
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

/* ---- Driver */

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

/* Turn st into a SQLT_ERROR statement.  -1 when out of memory. */
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
	struct sqlt_tr tr = {0};
	struct sqlt_ctx c = {&tr, st, 0};
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
	if (sqlt_normalise(&tr, lx, a, b) < 0) {
		rc = -1;
		goto out;
	}
	c.b = tr.n;
	head_string(&tr, head, sizeof(head));
	st->kind = SQLT_SQL;
	sqlt_handler_fn fn = h_passthrough;
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
		rc = set_error(st, tr.state, tr.msg);
		goto out;
	}
	if (st->kind == SQLT_SQL || st->kind == SQLT_COPY_TO) {
		st->sql = sqlt_sb_take(&tr.out);
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

/* Append a zeroed statement to out. */
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

/* The end of the statement starting at token start: its top-level ';'
 * (a ';' inside parentheses does not end it), or lx->n. */
static size_t stmt_end(const struct lex_tokens *lx, size_t start)
{
	int depth = 0;

	for (size_t i = start; i < lx->n; i++) {
		if (lex_is(lx, i, "("))
			depth++;
		else if (lex_is(lx, i, ")") && depth > 0)
			depth--;
		else if (depth == 0 && lex_is(lx, i, ";"))
			return i;
	}
	return lx->n;
}

int sqlt_translate(const char *text, size_t len, bool multi, struct sqlt_result *out)
{
	struct lex_tokens lx = {0};
	size_t cap = 0;
	int nonempty = 0;

	out->v = NULL;
	out->n = 0;
	pthread_once(&rules_once, rules_compile);
	if (lex_tokenize(text, len, &lx) < 0)
		goto fail;
	/* count the statements first: a Parse may carry only one */
	for (size_t start = 0, e; start <= lx.n; start = e + 1) {
		e = stmt_end(&lx, start);
		if (lex_sig_from(&lx, start) < e)
			nonempty++;
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
	for (size_t start = 0, e; start <= lx.n; start = e + 1) {
		size_t a = lex_sig_from(&lx, start), b;

		e = stmt_end(&lx, start);
		if (a >= e)
			continue;
		b = e;
		while (b > a && lex_is_trivia(&lx.v[b - 1]))
			b--;
		if (push_stmt(out, &cap) < 0 || translate_one(&lx, a, b, &out->v[out->n - 1]) < 0)
			goto fail;
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
