/*
 * translate_session.c - the statements the engine carries out itself
 * rather than SQLite: transaction control (BEGIN, COMMIT, ROLLBACK,
 * SAVEPOINT), SET / SHOW / RESET, CREATE and DROP DATABASE, DEALLOCATE
 * and DISCARD.  Each is parsed into the sqlt_stmt's fields (name, value,
 * flags), not rewritten; SAVEPOINT and ROLLBACK TO are the exceptions,
 * which SQLite runs.  COPY, also the engine's, is translate_copy.c's.
 */
#include "sqlite/translate_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is token i a name that ends the statement?  A syntax error if not. */
static bool lone_name(struct sqlt_ctx *c, size_t i)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b;

	if (!sqlt_is_name(tr, i, b) || sqlt_nxt(tr, i, b) < b) {
		sqlt_syntax_error(c, i < b ? sqlt_nxt(tr, i, b) : i);
		return false;
	}
	return true;
}

/* st->name = s, a malloc'd string (NULL: memory ran out). */
static void take_name(struct sqlt_ctx *c, char *s)
{
	c->st->name = s;
	if (s == NULL)
		c->tr->oom = true;
}

/* BEGIN [WORK|TRANSACTION] / START TRANSACTION [modes] */
void sqlt_h_begin(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b);

	(void)m;
	c->st->kind = SQLT_BEGIN;
	sqlt_set_tag(c->st, strncmp(m, "START", 5) == 0 ? "START TRANSACTION" : "BEGIN");
	if (sqlt_kw(tr, i, b, "work") || sqlt_kw(tr, i, b, "transaction"))
		i = sqlt_nxt(tr, i, b);
	while (i < b) {
		if (sqlt_is(tr, i, b, ",")) {
			i = sqlt_nxt(tr, i, b);
		} else if (sqlt_kw(tr, i, b, "isolation") &&
			   sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "level")) {
			i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
			if (sqlt_kw(tr, i, b, "serializable")) {
				i = sqlt_nxt(tr, i, b);
			} else if ((sqlt_kw(tr, i, b, "repeatable") &&
				    sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "read")) ||
				   (sqlt_kw(tr, i, b, "read") &&
				    (sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "committed") ||
				     sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "uncommitted")))) {
				i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
			} else {
				sqlt_syntax_error(c, i);
				return;
			}
		} else if (sqlt_kw(tr, i, b, "read") &&
			   sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "only")) {
			c->st->read_only = true;
			i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
		} else if (sqlt_kw(tr, i, b, "read") &&
			   sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "write")) {
			c->st->read_only = false;
			i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
		} else if (sqlt_kw(tr, i, b, "not") &&
			   sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "deferrable")) {
			i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
		} else if (sqlt_kw(tr, i, b, "deferrable") || sqlt_kw(tr, i, b, "deferred") ||
			   sqlt_kw(tr, i, b, "immediate") || sqlt_kw(tr, i, b, "exclusive")) {
			/* the last three are SQLite's own spellings */
			i = sqlt_nxt(tr, i, b);
		} else {
			sqlt_syntax_error(c, i);
			return;
		}
	}
}

/* [AND [NO] CHAIN] after COMMIT/ROLLBACK [WORK|TRANSACTION]; false on junk */
static bool end_of_txn_cmd(struct sqlt_ctx *c, size_t i)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b;

	if (sqlt_kw(tr, i, b, "work") || sqlt_kw(tr, i, b, "transaction"))
		i = sqlt_nxt(tr, i, b);
	if (sqlt_kw(tr, i, b, "and")) {
		i = sqlt_nxt(tr, i, b);
		if (sqlt_kw(tr, i, b, "chain")) {
			sqlt_unsupported(tr, "AND CHAIN");
			return false;
		}
		if (!sqlt_kw(tr, i, b, "no") || !sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "chain")) {
			sqlt_syntax_error(c, i);
			return false;
		}
		i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
	}
	if (i < b) {
		sqlt_syntax_error(c, i);
		return false;
	}
	return true;
}

/* COMMIT|END [WORK|TRANSACTION] [AND [NO] CHAIN] */
void sqlt_h_commit(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t i = sqlt_nxt(tr, sqlt_sig(tr, 0, c->b), c->b);

	(void)m;
	if (sqlt_kw(tr, i, c->b, "prepared")) {
		sqlt_unsupported(tr, "two-phase commit (COMMIT PREPARED)");
		return;
	}
	c->st->kind = SQLT_COMMIT;
	sqlt_set_tag(c->st, "COMMIT");
	end_of_txn_cmd(c, i);
}

/* ROLLBACK|ABORT [WORK|TRANSACTION] [AND [NO] CHAIN], or ROLLBACK TO
 * [SAVEPOINT] name, which SQLite runs */
void sqlt_h_rollback(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b), j = i;

	(void)m;
	if (sqlt_kw(tr, i, b, "prepared")) {
		sqlt_unsupported(tr, "two-phase commit (ROLLBACK PREPARED)");
		return;
	}
	if (sqlt_kw(tr, j, b, "work") || sqlt_kw(tr, j, b, "transaction"))
		j = sqlt_nxt(tr, j, b);
	if (sqlt_kw(tr, j, b, "to")) {
		j = sqlt_nxt(tr, j, b);
		if (sqlt_kw(tr, j, b, "savepoint"))
			j = sqlt_nxt(tr, j, b);
		if (!lone_name(c, j))
			return;
		c->st->kind = SQLT_SQL;
		sqlt_set_tag(c->st, "ROLLBACK");
		sqlt_sb_puts(&tr->out, "ROLLBACK TO SAVEPOINT ");
		sqlt_emit_tok(tr, j);
		return;
	}
	c->st->kind = SQLT_ROLLBACK;
	sqlt_set_tag(c->st, "ROLLBACK");
	end_of_txn_cmd(c, i);
}

/* SAVEPOINT name / RELEASE [SAVEPOINT] name: SQLite runs them */
void sqlt_h_savepoint(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, f = sqlt_sig(tr, 0, b), i = sqlt_nxt(tr, f, b);

	if (strcmp(m, "RELEASE") == 0 && sqlt_kw(tr, i, b, "savepoint"))
		i = sqlt_nxt(tr, i, b);
	if (!lone_name(c, i))
		return;
	c->st->kind = SQLT_SQL;
	sqlt_set_tag(c->st, m);
	sqlt_sb_puts(&tr->out, strcmp(m, "RELEASE") == 0 ? "RELEASE SAVEPOINT " : "SAVEPOINT ");
	sqlt_emit_tok(tr, i);
}

/* A GUC name at i (dotted names allowed): lower-cased into st->name. */
static size_t guc_name(struct sqlt_ctx *c, size_t i)
{
	struct sqlt_tr *tr = c->tr;
	char buf[256] = "", part[128];
	size_t b = c->b;

	if (!sqlt_is_name(tr, i, b)) {
		sqlt_syntax_error(c, i);
		return b;
	}
	for (;;) {
		sqlt_ident(tr, i, part, sizeof(part));
		strncat(buf, part, sizeof(buf) - strlen(buf) - 1);
		if (sqlt_is(tr, i + 1, b, ".") && sqlt_is_name(tr, i + 2, b)) {
			strncat(buf, ".", sizeof(buf) - strlen(buf) - 1);
			i += 2;
			continue;
		}
		break;
	}
	/* GUC names are case-insensitive, even when quoted */
	for (char *p = buf; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	take_name(c, strdup(buf));
	return sqlt_nxt(tr, i, b);
}

/* SET value list at i: PostgreSQL's flattened text. */
static void set_value(struct sqlt_ctx *c, size_t i)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b;
	struct sqlt_sb v = {0};
	bool list_quote = c->st->name != NULL && strcmp(c->st->name, "search_path") == 0;

	if (sqlt_kw(tr, i, b, "default") && sqlt_nxt(tr, i, b) >= b) {
		c->st->value = NULL;
		return;
	}
	if (sqlt_kw(tr, i, b, "from") && sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "current")) {
		sqlt_unsupported(tr, "SET ... FROM CURRENT");
		return;
	}
	if (i >= b) {
		sqlt_syntax_error(c, i);
		return;
	}
	while (i < b) {
		char *val = NULL;
		size_t n = 0;
		bool ident_like = false;

		if (tr->t[i].kind == LX_STRING || tr->t[i].kind == LX_DOLLAR) {
			val = sqlt_string_value(tr, i, &n);
			ident_like = true;
			i = sqlt_nxt(tr, i, b);
		} else if (sqlt_is_name(tr, i, b)) {
			char buf[256];
			sqlt_ident(tr, i, buf, sizeof(buf));
			val = strdup(buf);
			n = strlen(buf);
			ident_like = true;
			i = sqlt_nxt(tr, i, b);
		} else if (tr->t[i].kind == LX_NUMBER ||
			   ((sqlt_is(tr, i, b, "-") || sqlt_is(tr, i, b, "+")) &&
			    tr->t[sqlt_nxt(tr, i, b) < b ? sqlt_nxt(tr, i, b) : i].kind ==
				LX_NUMBER)) {
			struct sqlt_sb num = {0};
			if (tr->t[i].kind != LX_NUMBER) {
				if (sqlt_is(tr, i, b, "-"))
					sqlt_sb_puts(&num, "-");
				i = sqlt_nxt(tr, i, b);
			}
			sqlt_sb_put(&num, tr->t[i].s, tr->t[i].len);
			val = sqlt_sb_take(&num);
			n = val != NULL ? strlen(val) : 0;
			i = sqlt_nxt(tr, i, b);
		} else {
			sqlt_syntax_error(c, i);
			free(v.s);
			return;
		}
		if (val == NULL) {
			sqlt_fail(tr, "22025", "invalid string literal in SET");
			free(v.s);
			return;
		}
		if (v.len > 0)
			sqlt_sb_puts(&v, ", ");
		if (list_quote && ident_like) /* search_path keeps each name's value */
			sqlt_sb_ident(&v, val, n);
		else
			sqlt_sb_put(&v, val, n);
		free(val);
		if (i < b && !sqlt_is(tr, i, b, ",")) {
			sqlt_syntax_error(c, i);
			free(v.s);
			return;
		}
		if (i < b)
			i = sqlt_nxt(tr, i, b);
	}
	c->st->value = sqlt_sb_take(&v);
	if (c->st->value == NULL)
		tr->oom = true;
}

/* SET [SESSION|LOCAL] name TO|= value, and the special forms (TIME ZONE,
 * NAMES, SCHEMA, ROLE, SESSION AUTHORIZATION) under their GUC names */
void sqlt_h_set(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b);

	(void)m;
	if (sqlt_kw(tr, i, b, "session") && sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "characteristics")) {
		sqlt_noop(c, "SET");
		return;
	}
	if (sqlt_kw(tr, i, b, "local")) {
		c->st->local = true;
		i = sqlt_nxt(tr, i, b);
	} else if (sqlt_kw(tr, i, b, "session") &&
		   !sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "authorization")) {
		i = sqlt_nxt(tr, i, b);
	}
	if (sqlt_kw(tr, i, b, "transaction") || sqlt_kw(tr, i, b, "constraints")) {
		sqlt_noop(c, "SET");
		return;
	}
	c->st->kind = SQLT_SET;
	sqlt_set_tag(c->st, "SET");
	size_t j = sqlt_nxt(tr, i, b);
	if (sqlt_kw(tr, i, b, "time") && sqlt_kw(tr, j, b, "zone")) {
		take_name(c, strdup("timezone"));
		i = sqlt_nxt(tr, j, b);
		if ((sqlt_kw(tr, i, b, "local") || sqlt_kw(tr, i, b, "default")) &&
		    sqlt_nxt(tr, i, b) >= b) {
			c->st->value = NULL;
			return;
		}
		if (sqlt_kw(tr, i, b, "interval")) {
			sqlt_unsupported(tr, "SET TIME ZONE INTERVAL");
			return;
		}
		set_value(c, i);
		return;
	}
	if (sqlt_kw(tr, i, b, "names") && j < b) {
		take_name(c, strdup("client_encoding"));
		set_value(c, j);
		return;
	}
	if (sqlt_kw(tr, i, b, "schema") && j < b && tr->t[j].kind == LX_STRING) {
		take_name(c, strdup("search_path"));
		set_value(c, j);
		return;
	}
	if (sqlt_kw(tr, i, b, "role") && j < b) {
		take_name(c, strdup("role"));
		if (sqlt_kw(tr, j, b, "none") && sqlt_nxt(tr, j, b) >= b)
			return;
		set_value(c, j);
		return;
	}
	if (sqlt_kw(tr, i, b, "session") && sqlt_kw(tr, j, b, "authorization")) {
		take_name(c, strdup("session_authorization"));
		set_value(c, sqlt_nxt(tr, j, b));
		return;
	}
	i = guc_name(c, i);
	if (!sqlt_kw(tr, i, b, "to") && !sqlt_is(tr, i, b, "=")) {
		sqlt_syntax_error(c, i);
		return;
	}
	set_value(c, sqlt_nxt(tr, i, b));
}

/* Names for the multi-word forms of SHOW/RESET. */
static bool special_name(struct sqlt_ctx *c, size_t i)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, j = sqlt_nxt(tr, i, b);
	const char *n = NULL;
	size_t end = b;

	if (sqlt_kw(tr, i, b, "time") && sqlt_kw(tr, j, b, "zone")) {
		n = "timezone";
		end = sqlt_nxt(tr, j, b);
	} else if (sqlt_kw(tr, i, b, "transaction") && sqlt_kw(tr, j, b, "isolation") &&
		   sqlt_kw(tr, sqlt_nxt(tr, j, b), b, "level")) {
		n = "transaction_isolation";
		end = sqlt_nxt(tr, sqlt_nxt(tr, j, b), b);
	} else if (sqlt_kw(tr, i, b, "session") && sqlt_kw(tr, j, b, "authorization")) {
		n = "session_authorization";
		end = sqlt_nxt(tr, j, b);
	}
	if (n == NULL)
		return false;
	if (end < b)
		sqlt_syntax_error(c, end);
	take_name(c, strdup(n));
	return true;
}

/* SHOW name | ALL, RESET name | ALL */
void sqlt_h_show_reset(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b);

	c->st->kind = strcmp(m, "SHOW") == 0 ? SQLT_SHOW : SQLT_RESET;
	sqlt_set_tag(c->st, m);
	if (special_name(c, i))
		return;
	i = guc_name(c, i);
	if (i < b)
		sqlt_syntax_error(c, i);
}

/* CREATE DATABASE name [...] / DROP DATABASE [IF EXISTS] name [...] */
void sqlt_h_database(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_nxt(tr, sqlt_sig(tr, 0, b), b), b);
	bool create = m[0] == 'C';

	c->st->kind = create ? SQLT_CREATE_DATABASE : SQLT_DROP_DATABASE;
	sqlt_set_tag(c->st, create ? "CREATE DATABASE" : "DROP DATABASE");
	if (!create && sqlt_kw(tr, i, b, "if") && sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "exists")) {
		c->st->if_exists = true;
		i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
	}
	if (!sqlt_is_name(tr, i, b)) {
		sqlt_syntax_error(c, i);
		return;
	}
	take_name(c, sqlt_ident_dup(tr, i));
}

/* DEALLOCATE [PREPARE] name | ALL */
void sqlt_h_deallocate(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b);

	(void)m;
	c->st->kind = SQLT_DEALLOCATE;
	sqlt_set_tag(c->st, "DEALLOCATE");
	if (sqlt_kw(tr, i, b, "prepare"))
		i = sqlt_nxt(tr, i, b);
	if (!lone_name(c, i))
		return;
	if (sqlt_kw(tr, i, b, "all"))
		sqlt_set_tag(c->st, "DEALLOCATE ALL");
	take_name(c, sqlt_ident_dup(tr, i));
}

/* DISCARD ALL | PLANS | SEQUENCES | TEMP[ORARY] */
void sqlt_h_discard(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b);
	const char *n = NULL;

	(void)m;
	if (sqlt_kw(tr, i, b, "all"))
		n = "all";
	else if (sqlt_kw(tr, i, b, "plans"))
		n = "plans";
	else if (sqlt_kw(tr, i, b, "sequences"))
		n = "sequences";
	else if (sqlt_kw(tr, i, b, "temp") || sqlt_kw(tr, i, b, "temporary"))
		n = "temp";
	if (n == NULL || sqlt_nxt(tr, i, b) < b) {
		sqlt_syntax_error(c, n == NULL ? i : sqlt_nxt(tr, i, b));
		return;
	}
	c->st->kind = SQLT_DISCARD;
	snprintf(c->st->tag, sizeof(c->st->tag), "DISCARD %s", n);
	sqlt_upcase(c->st->tag);
	take_name(c, strdup(n));
}
