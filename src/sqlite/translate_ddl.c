/*
 * translate_ddl.c - schema statements: CREATE TABLE (column types, SERIAL
 * and IDENTITY keys, storage options), CREATE INDEX, CREATE VIEW, ALTER
 * TABLE, ALTER of other objects, DROP TABLE|INDEX|VIEW and TRUNCATE, each
 * rewritten into the SQLite statements that do the same, or refused.
 * CREATE/DROP DATABASE are translate_session.c's; the CREATE statements
 * refused outright (SCHEMA, SEQUENCE...) are refused by translate.c's table.
 */
#include "sqlite/translate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Is PRIMARY KEY among the column constraints [a, b)?  Index of KEY. */
static size_t find_pk(const struct sqlt_tr *tr, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++) {
		if (sqlt_is(tr, i, b, "(")) {
			i = sqlt_mpar(tr, i, b);
			continue;
		}
		if (sqlt_kw(tr, i, b, "primary") && sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "key"))
			return sqlt_nxt(tr, i, b);
	}
	return SQLT_NONE;
}

/* GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY [(opts)]: its range. */
static bool find_identity(const struct sqlt_tr *tr, size_t a, size_t b, struct sqlt_clause *c)
{
	for (size_t i = a; i < b; i++) {
		if (!sqlt_kw(tr, i, b, "generated"))
			continue;
		size_t j = sqlt_nxt(tr, i, b);
		if (sqlt_kw(tr, j, b, "always"))
			j = sqlt_nxt(tr, j, b);
		else if (sqlt_kw(tr, j, b, "by") && sqlt_kw(tr, sqlt_nxt(tr, j, b), b, "default"))
			j = sqlt_nxt(tr, sqlt_nxt(tr, j, b), b);
		else
			return false;
		if (!sqlt_kw(tr, j, b, "as") || !sqlt_kw(tr, sqlt_nxt(tr, j, b), b, "identity"))
			return false;
		j = sqlt_nxt(tr, j, b);
		if (sqlt_is(tr, sqlt_nxt(tr, j, b), b, "("))
			j = sqlt_mpar(tr, sqlt_nxt(tr, j, b), b);
		c->a = i;
		c->e = j + 1;
		return true;
	}
	return false;
}

/* Emit [a, e) without the clause cut, when cut starts inside it. */
static void emit_range_cut(struct sqlt_tr *tr, size_t a, size_t e, const struct sqlt_clause *cut)
{
	if (cut != NULL && cut->a >= a && cut->a < e) {
		sqlt_emit_range(tr, a, cut->a);
		sqlt_sb_trim(&tr->out);
		sqlt_emit_range(tr, cut->e, e);
	} else {
		sqlt_emit_range(tr, a, e);
	}
}

/* A column definition [a, b): name type [constraints]. */
static void emit_column_def(struct sqlt_tr *tr, size_t a, size_t b)
{
	size_t name = sqlt_sig(tr, a, b), ti = sqlt_nxt(tr, name, b), pk;
	struct sqlt_ptype pt;
	struct sqlt_clause ident_c = {SQLT_NONE, SQLT_NONE};
	bool identity;
	const char *marker = NULL;
	char col[128];
	unsigned oid;

	sqlt_emit_raw(tr, a, name + 1);
	if (!sqlt_parse_type(tr, ti, b, &pt)) {
		sqlt_emit_range(tr, name + 1, b);
		return;
	}
	sqlt_ident(tr, name, col, sizeof(col));
	if (pt.array) {
		sqlt_fail(tr, "0A000",
			  "array types are not supported by pgpin's SQLite backend (column \"%s\")",
			  col);
		return;
	}
	oid = sqlt_type_oid(pt.name);
	pk = find_pk(tr, pt.e, b);
	identity = find_identity(tr, pt.e, b, &ident_c);
	bool serial = strstr(pt.name, "serial") != NULL && oid != 0;
	if (serial || identity) {
		if (pk == SQLT_NONE || (oid != 20 && oid != 21 && oid != 23)) {
			sqlt_fail(
			    tr, "0A000",
			    "%s column \"%s\" must be the PRIMARY KEY with pgpin's SQLite backend, "
			    "which implements it as INTEGER PRIMARY KEY AUTOINCREMENT",
			    identity ? "identity" : pt.name, col);
			return;
		}
		marker = oid == 20 ? "INTEGER" : oid == 23 ? "INTEGER /*pgpin:int4*/"
							   : "INTEGER /*pgpin:int2*/";
	} else if (oid == 23 && pk != SQLT_NONE) {
		marker = "INTEGER /*pgpin:int4*/";
	} else if (oid == 17) {
		marker = "BLOB";
	}
	sqlt_emit_raw(tr, name + 1, pt.a);
	if (marker != NULL)
		sqlt_sb_puts(&tr->out, marker);
	else
		sqlt_emit_raw(tr, pt.a, pt.e);
	tr->ddl = true;
	if (serial || identity) {
		/* constraints, with AUTOINCREMENT after PRIMARY KEY [ASC|DESC] */
		size_t after = pk + 1;
		if (sqlt_kw(tr, sqlt_nxt(tr, pk, b), b, "asc") ||
		    sqlt_kw(tr, sqlt_nxt(tr, pk, b), b, "desc"))
			after = sqlt_nxt(tr, pk, b) + 1;
		emit_range_cut(tr, pt.e, after, identity ? &ident_c : NULL);
		sqlt_sb_puts(&tr->out, " AUTOINCREMENT");
		emit_range_cut(tr, after, b, identity ? &ident_c : NULL);
	} else {
		sqlt_emit_range(tr, pt.e, b);
	}
	tr->ddl = false;
}

/* Table options after the column list: drop the storage ones. */
static void emit_table_options(struct sqlt_tr *tr, size_t i, size_t b)
{
	while ((i = sqlt_sig(tr, i, b)) < b && tr->state[0] == '\0') {
		size_t j = sqlt_nxt(tr, i, b);
		if (sqlt_kw(tr, i, b, "with") && sqlt_is(tr, j, b, "(")) {
			i = sqlt_mpar(tr, j, b) + 1;
		} else if (sqlt_kw(tr, i, b, "without") && sqlt_kw(tr, j, b, "oids")) {
			i = j + 1;
		} else if (sqlt_kw(tr, i, b, "tablespace") || sqlt_kw(tr, i, b, "using")) {
			i = j + 1;
		} else if (sqlt_kw(tr, i, b, "on") && sqlt_kw(tr, j, b, "commit")) {
			size_t k = sqlt_nxt(tr, j, b);
			if (!sqlt_kw(tr, k, b, "preserve")) {
				sqlt_unsupported(tr, "ON COMMIT DROP / DELETE ROWS");
				return;
			}
			i = sqlt_nxt(tr, k, b) + 1;
		} else if (sqlt_kw(tr, i, b, "inherits")) {
			sqlt_unsupported(tr, "table inheritance (INHERITS)");
			return;
		} else if (sqlt_kw(tr, i, b, "partition")) {
			sqlt_unsupported(tr, "table partitioning");
			return;
		} else {
			sqlt_sb_puts(&tr->out, " ");
			sqlt_emit_range(tr, i, b);
			return;
		}
	}
}

/* CREATE [GLOBAL|LOCAL] [TEMP] [UNLOGGED] TABLE [IF NOT EXISTS] name (...) | AS query */
static void emit_create_table(struct sqlt_tr *tr, size_t a, size_t b, char *tag)
{
	size_t i = a, name;

	/* the head, without GLOBAL/LOCAL/UNLOGGED */
	while (i < b && !sqlt_kw(tr, i, b, "table")) {
		if (sqlt_kw(tr, i, b, "global") || sqlt_kw(tr, i, b, "local") ||
		    sqlt_kw(tr, i, b, "unlogged")) {
			i = sqlt_sig(tr, i + 1, b);
			continue;
		}
		sqlt_emit_tok(tr, i);
		i++;
	}
	name = sqlt_nxt(tr, i, b);
	if (sqlt_kw(tr, name, b, "if"))
		name = sqlt_nxt(tr, sqlt_nxt(tr, sqlt_nxt(tr, name, b), b), b);
	size_t after = sqlt_name_end(tr, name, b);
	sqlt_emit_raw(tr, i, after);
	size_t p = sqlt_sig(tr, after, b);
	if (sqlt_kw(tr, p, b, "of") || sqlt_kw(tr, p, b, "partition")) {
		sqlt_unsupported(tr,
				 sqlt_kw(tr, p, b, "of") ? "CREATE TABLE OF type" : "PARTITION OF");
		return;
	}
	if (sqlt_kw(tr, p, b, "as")) {
		size_t q = sqlt_nxt(tr, p, b);
		strcpy(tag, "SELECT");
		size_t e = b, last = sqlt_prev_sig(tr, q, b);
		/* WITH [NO] DATA */
		if (last != SQLT_NONE && sqlt_kw(tr, last, b, "data")) {
			size_t wd = sqlt_prev_sig(tr, q, last);
			if (wd != SQLT_NONE && sqlt_kw(tr, wd, b, "no")) {
				sqlt_unsupported(tr, "CREATE TABLE AS ... WITH NO DATA");
				return;
			}
			if (wd != SQLT_NONE && sqlt_kw(tr, wd, b, "with"))
				e = sqlt_prev_sig(tr, q, wd) + 1;
		}
		sqlt_emit_raw(tr, after, q);
		sqlt_emit_query(tr, q, e);
		return;
	}
	if (!sqlt_is(tr, p, b, "(")) {
		sqlt_emit_range(tr, after, b);
		return;
	}
	size_t close = sqlt_mpar(tr, p, b);
	if (close >= b) {
		sqlt_emit_range(tr, after, b);
		return;
	}
	if (sqlt_kw(tr, sqlt_nxt(tr, close, b), b, "as")) {
		sqlt_unsupported(tr, "CREATE TABLE with a column list and AS");
		return;
	}
	sqlt_emit_raw(tr, after, p + 1);
	struct sqlt_clause el[256];
	int nel = sqlt_split_commas(tr, p + 1, close, el, 256);
	for (int k = 0; k < nel && tr->state[0] == '\0'; k++) {
		size_t f = sqlt_sig(tr, el[k].a, el[k].e);
		if (k > 0)
			sqlt_sb_puts(&tr->out, ",");
		if (sqlt_kw(tr, f, b, "like")) {
			sqlt_unsupported(tr, "CREATE TABLE (LIKE ...)");
			return;
		}
		if (sqlt_kw(tr, f, b, "exclude")) {
			sqlt_unsupported(tr, "EXCLUDE constraints");
			return;
		}
		if (sqlt_kw(tr, f, b, "constraint") || sqlt_kw(tr, f, b, "primary") ||
		    sqlt_kw(tr, f, b, "unique") || sqlt_kw(tr, f, b, "check") ||
		    sqlt_kw(tr, f, b, "foreign")) {
			tr->ddl = true;
			sqlt_emit_range(tr, el[k].a, el[k].e);
			tr->ddl = false;
		} else {
			emit_column_def(tr, el[k].a, el[k].e);
		}
	}
	sqlt_emit_tok(tr, close);
	emit_table_options(tr, close + 1, b);
}

/* PostgreSQL's name for an index without one: table_col[_col]_suffix. */
static void default_index_name(const struct sqlt_tr *tr, const char *table, size_t a, size_t b,
			       const char *suffix, char *out, size_t cap)
{
	struct sqlt_clause cols[32];
	int n = sqlt_split_commas(tr, a, b, cols, 32);
	size_t o;

	snprintf(out, cap, "%s", table);
	for (int k = 0; k < n; k++) {
		size_t f = sqlt_sig(tr, cols[k].a, cols[k].e);
		char c[64] = "expr";
		if (sqlt_is_name(tr, f, b))
			sqlt_ident(tr, f, c, sizeof(c));
		o = strlen(out);
		snprintf(out + o, cap - o, "_%s", c);
	}
	o = strlen(out);
	snprintf(out + o, cap - o, "_%s", suffix);
}

/* Index column list ( ... ) [a, b): drop opclasses and NULLS FIRST/LAST. */
static void emit_index_columns(struct sqlt_tr *tr, size_t a, size_t b)
{
	struct sqlt_clause cols[64];
	int n = sqlt_split_commas(tr, a, b, cols, 64);

	for (int k = 0; k < n; k++) {
		size_t e = cols[k].e;
		if (k > 0)
			sqlt_sb_puts(&tr->out, ",");
		for (size_t i = cols[k].a; i < e; i++) {
			if (sqlt_kw(tr, i, e, "nulls") &&
			    (sqlt_kw(tr, sqlt_nxt(tr, i, e), e, "first") ||
			     sqlt_kw(tr, sqlt_nxt(tr, i, e), e, "last"))) {
				sqlt_emit_range(tr, cols[k].a, i);
				sqlt_sb_trim(&tr->out);
				sqlt_emit_range(tr, sqlt_nxt(tr, i, e) + 1, e);
				e = SQLT_NONE;
				break;
			}
			if (tr->t[i].kind == LX_WORD && tr->t[i].len > 4 &&
			    strncasecmp(tr->t[i].s + tr->t[i].len - 4, "_ops", 4) == 0 &&
			    i > cols[k].a) {
				/* operator class: dropped with its leading space */
				sqlt_emit_range(tr, cols[k].a, i);
				sqlt_sb_trim(&tr->out);
				sqlt_emit_range(tr, i + 1, e);
				e = SQLT_NONE;
				break;
			}
		}
		if (e != SQLT_NONE)
			sqlt_emit_range(tr, cols[k].a, e);
	}
}

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t
 * [USING m] (cols) [INCLUDE (..)] [NULLS [NOT] DISTINCT] [WITH (..)]
 * [TABLESPACE x] [WHERE pred] */
static void emit_create_index(struct sqlt_tr *tr, size_t a, size_t b)
{
	size_t i = a, on, t, te, p, close;
	bool has_name;
	char table[128], name[256];

	while (i < b && !sqlt_kw(tr, i, b, "index"))
		sqlt_emit_tok(tr, i++);
	sqlt_emit_tok(tr, i++);
	size_t j = sqlt_sig(tr, i, b);
	if (sqlt_kw(tr, j, b, "concurrently"))
		i = j + 1;
	j = sqlt_sig(tr, i, b);
	if (sqlt_kw(tr, j, b, "if")) {
		size_t ex = sqlt_nxt(tr, sqlt_nxt(tr, j, b), b);
		sqlt_emit_raw(tr, i, ex + 1);
		i = ex + 1;
	}
	on = sqlt_sig(tr, i, b);
	has_name = !sqlt_kw(tr, on, b, "on");
	if (has_name)
		on = sqlt_nxt(tr, on, b);
	t = sqlt_nxt(tr, on, b);
	if (sqlt_kw(tr, t, b, "only"))
		t = sqlt_nxt(tr, t, b);
	te = sqlt_name_end(tr, t, b);
	if (!sqlt_kw(tr, on, b, "on") || !sqlt_is_name(tr, t, b)) {
		sqlt_emit_range(tr, i, b);
		return;
	}
	sqlt_ident(tr, te - 1, table, sizeof(table));
	p = sqlt_sig(tr, te, b);
	if (sqlt_kw(tr, p, b, "using")) {
		char m[32];
		sqlt_ident(tr, sqlt_nxt(tr, p, b), m, sizeof(m));
		if (strcmp(m, "btree") != 0 && strcmp(m, "hash") != 0) {
			char what[64];
			snprintf(what, sizeof(what), "index method \"%s\"", m);
			sqlt_unsupported(tr, what);
			return;
		}
		p = sqlt_nxt(tr, sqlt_nxt(tr, p, b), b);
	}
	close = sqlt_mpar(tr, p, b);
	if (!sqlt_is(tr, p, b, "(") || close >= b) {
		sqlt_emit_range(tr, i, b);
		return;
	}
	if (has_name) {
		sqlt_emit_raw(tr, i, on);
	} else {
		default_index_name(tr, table, p + 1, close, "idx", name, sizeof(name));
		sqlt_emit_raw(tr, i, on);
		sqlt_sb_ident(&tr->out, name, strlen(name));
		sqlt_sb_puts(&tr->out, " ");
	}
	if (sqlt_nxt(tr, on, b) == t && sqlt_sig(tr, te, b) == p) {
		sqlt_emit_raw(tr, on, p + 1); /* nothing dropped: keep the spacing */
	} else {
		sqlt_emit_raw(tr, on, on + 1);
		sqlt_sb_puts(&tr->out, " ");
		sqlt_emit_raw(tr, t, te);
		sqlt_sb_puts(&tr->out, " (");
	}
	emit_index_columns(tr, p + 1, close);
	sqlt_emit_tok(tr, close);
	for (i = sqlt_nxt(tr, close, b); i < b && tr->state[0] == '\0';) {
		size_t n1 = sqlt_nxt(tr, i, b);
		if (sqlt_kw(tr, i, b, "include") || sqlt_kw(tr, i, b, "with")) {
			i = sqlt_nxt(tr, sqlt_mpar(tr, n1, b), b);
		} else if (sqlt_kw(tr, i, b, "tablespace")) {
			i = sqlt_nxt(tr, n1, b);
		} else if (sqlt_kw(tr, i, b, "nulls")) {
			if (sqlt_kw(tr, n1, b, "not")) {
				sqlt_unsupported(tr, "NULLS NOT DISTINCT");
				return;
			}
			i = sqlt_nxt(tr, n1, b);
		} else {
			sqlt_sb_puts(&tr->out, " ");
			tr->ddl = true;
			sqlt_emit_range(tr, i, b);
			tr->ddl = false;
			return;
		}
	}
}

/*
 * The list of names at i (TRUNCATE a, b; DROP TABLE a, b) up to a word in
 * stop: one statement "prefix name" for each, joined by "; ", since SQLite
 * takes one name at a time.  With inherit, each name's ONLY and trailing *
 * (TRUNCATE's say on inheritance, which SQLite has not) are dropped.
 */
static void emit_each_name(struct sqlt_ctx *c, size_t i, const char *const *stop,
			   const char *prefix, bool inherit)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b;
	bool first = true;

	while (i < b) {
		if (inherit && sqlt_kw(tr, i, b, "only"))
			i = sqlt_nxt(tr, i, b);
		size_t e = sqlt_skip_to(tr, i, b, stop), last = sqlt_prev_sig(tr, i, e);
		if (last == SQLT_NONE) {
			sqlt_syntax_error(c, i);
			return;
		}
		if (inherit && sqlt_is(tr, last, b, "*"))
			last = sqlt_prev_sig(tr, i, last);
		sqlt_sb_puts(&tr->out, first ? "" : "; ");
		sqlt_sb_puts(&tr->out, prefix);
		sqlt_emit_raw(tr, i, last + 1);
		first = false;
		i = sqlt_sig(tr, e, b);
		if (!sqlt_is(tr, i, b, ","))
			break;
		i = sqlt_nxt(tr, i, b);
	}
}

/* TRUNCATE [TABLE] [ONLY] a [*], ... [RESTART|CONTINUE IDENTITY] [CASCADE|RESTRICT] */
void sqlt_h_truncate(struct sqlt_ctx *c, const char *m)
{
	static const char *const stop[] = {",", "restart", "continue", "cascade", "restrict", NULL};
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b);

	(void)m;
	c->st->kind = SQLT_SQL;
	sqlt_set_tag(c->st, "TRUNCATE TABLE");
	if (sqlt_kw(tr, i, b, "table"))
		i = sqlt_nxt(tr, i, b);
	emit_each_name(c, i, stop, "DELETE FROM ", true);
	/* RESTART IDENTITY / CONTINUE IDENTITY / CASCADE / RESTRICT: ignored */
}

/* DROP TABLE|INDEX|VIEW [CONCURRENTLY] [IF EXISTS] a, ... [CASCADE|RESTRICT] */
void sqlt_h_drop(struct sqlt_ctx *c, const char *m)
{
	static const char *const stop[] = {",", "cascade", "restrict", NULL};
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_nxt(tr, sqlt_sig(tr, 0, b), b), b);
	bool if_exists = false;
	char prefix[96];

	c->st->kind = SQLT_SQL;
	sqlt_set_tag(c->st, m);
	if (sqlt_kw(tr, i, b, "concurrently"))
		i = sqlt_nxt(tr, i, b);
	if (sqlt_kw(tr, i, b, "if") && sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "exists")) {
		if_exists = true;
		i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
	}
	snprintf(prefix, sizeof(prefix), "%s%s", m, if_exists ? " IF EXISTS " : " ");
	emit_each_name(c, i, stop, prefix, false);
}

/* CREATE [GLOBAL|LOCAL] [TEMP] [UNLOGGED] TABLE ...: see emit_create_table() */
void sqlt_h_create_table(struct sqlt_ctx *c, const char *m)
{
	char tag[32] = "CREATE TABLE";

	(void)m;
	c->st->kind = SQLT_SQL;
	emit_create_table(c->tr, sqlt_sig(c->tr, 0, c->b), c->b, tag);
	sqlt_set_tag(c->st, tag);
}

/* CREATE [UNIQUE] INDEX ...: see emit_create_index() */
void sqlt_h_create_index(struct sqlt_ctx *c, const char *m)
{
	(void)m;
	c->st->kind = SQLT_SQL;
	sqlt_set_tag(c->st, "CREATE INDEX");
	emit_create_index(c->tr, sqlt_sig(c->tr, 0, c->b), c->b);
}

/* CREATE [OR REPLACE] [TEMP] [RECURSIVE] VIEW name [(cols)] [WITH (..)] AS q */
void sqlt_h_create_view(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_sig(tr, 0, b), v, name, ne, as;
	bool replace = false;

	(void)m;
	c->st->kind = SQLT_SQL;
	sqlt_set_tag(c->st, "CREATE VIEW");
	for (v = i; v < b && !sqlt_kw(tr, v, b, "view"); v++) {
		if (sqlt_kw(tr, v, b, "or"))
			replace = true;
		if (sqlt_kw(tr, v, b, "recursive")) {
			sqlt_unsupported(tr, "CREATE RECURSIVE VIEW");
			return;
		}
	}
	name = sqlt_nxt(tr, v, b);
	if (sqlt_kw(tr, name, b, "if"))
		name = sqlt_nxt(tr, sqlt_nxt(tr, sqlt_nxt(tr, name, b), b), b);
	ne = sqlt_name_end(tr, name, b);
	as = sqlt_sig(tr, ne, b);
	if (sqlt_is(tr, as, b, "("))
		as = sqlt_nxt(tr, sqlt_mpar(tr, as, b), b);
	size_t cols_end = as;
	if (sqlt_kw(tr, as, b, "with") && sqlt_is(tr, sqlt_nxt(tr, as, b), b, "("))
		as = sqlt_nxt(tr, sqlt_mpar(tr, sqlt_nxt(tr, as, b), b), b);
	if (!sqlt_kw(tr, as, b, "as")) {
		sqlt_syntax_error(c, as);
		return;
	}
	if (replace) {
		sqlt_sb_puts(&tr->out, "DROP VIEW IF EXISTS ");
		sqlt_emit_raw(tr, name, ne);
		sqlt_sb_puts(&tr->out, "; CREATE");
		for (size_t k = i + 1; k < v; k++)
			if (sqlt_kw(tr, k, b, "temp") || sqlt_kw(tr, k, b, "temporary")) {
				sqlt_sb_puts(&tr->out, " ");
				sqlt_emit_tok(tr, k);
			}
		sqlt_sb_puts(&tr->out, " VIEW ");
		sqlt_emit_raw(tr, name, cols_end);
	} else {
		sqlt_emit_raw(tr, i, cols_end);
	}
	sqlt_sb_trim(&tr->out);
	sqlt_sb_puts(&tr->out, " AS ");
	size_t q = sqlt_nxt(tr, as, b), e = b;
	/* WITH [CASCADED|LOCAL] CHECK OPTION: SQLite views are read-only anyway */
	for (size_t k = q; k < b; k++) {
		if (sqlt_is(tr, k, b, "(")) {
			k = sqlt_mpar(tr, k, b);
			continue;
		}
		if (sqlt_kw(tr, k, b, "with") && (sqlt_kw(tr, sqlt_nxt(tr, k, b), b, "check") ||
						  sqlt_kw(tr, sqlt_nxt(tr, k, b), b, "cascaded") ||
						  sqlt_kw(tr, sqlt_nxt(tr, k, b), b, "local"))) {
			e = sqlt_prev_sig(tr, q, k) + 1;
			break;
		}
	}
	sqlt_emit_query(tr, q, e);
}

/* "ALTER TABLE t<what>": the head of one of the statements an ALTER TABLE
 * of several actions becomes. */
static void alter_head(struct sqlt_tr *tr, size_t t, size_t te, const char *what)
{
	sqlt_sb_puts(&tr->out, "ALTER TABLE ");
	sqlt_emit_raw(tr, t, te);
	sqlt_sb_puts(&tr->out, what);
}

/* ALTER TABLE [IF EXISTS] [ONLY] t action [, action ...] */
void sqlt_h_alter_table(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_nxt(tr, sqlt_sig(tr, 0, b), b), b), t, te;
	struct sqlt_clause acts[64];
	struct sqlt_sb saved;
	char table[128];
	int n, nsql = 0;

	(void)m;
	sqlt_set_tag(c->st, "ALTER TABLE");
	if (sqlt_kw(tr, i, b, "if") && sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "exists"))
		i = sqlt_nxt(tr, sqlt_nxt(tr, i, b), b);
	if (sqlt_kw(tr, i, b, "only"))
		i = sqlt_nxt(tr, i, b);
	t = i;
	if (!sqlt_is_name(tr, t, b)) {
		sqlt_syntax_error(c, t);
		return;
	}
	te = sqlt_name_end(tr, t, b);
	sqlt_ident(tr, te - 1, table, sizeof(table));
	i = sqlt_sig(tr, te, b);
	if (sqlt_is(tr, i, b, "*"))
		i = sqlt_nxt(tr, i, b);
	n = sqlt_split_commas(tr, i, b, acts, 64);
	saved = tr->out;
	memset(&tr->out, 0, sizeof(tr->out));
	for (int k = 0; k < n && tr->state[0] == '\0'; k++) {
		size_t a = sqlt_sig(tr, acts[k].a, acts[k].e), e = acts[k].e,
		       j = sqlt_nxt(tr, a, e);
		size_t before = tr->out.len;
		char cname[128] = "";
		char idx[256];

		if (nsql > 0)
			sqlt_sb_puts(&tr->out, "; ");
		if (sqlt_kw(tr, a, e, "add")) {
			if (sqlt_kw(tr, j, e, "constraint")) {
				sqlt_ident(tr, sqlt_nxt(tr, j, e), cname, sizeof(cname));
				j = sqlt_nxt(tr, sqlt_nxt(tr, j, e), e);
			}
			if ((sqlt_kw(tr, j, e, "primary") &&
			     sqlt_kw(tr, sqlt_nxt(tr, j, e), e, "key")) ||
			    sqlt_kw(tr, j, e, "unique")) {
				bool pk = sqlt_kw(tr, j, e, "primary");
				size_t p =
				    pk ? sqlt_nxt(tr, sqlt_nxt(tr, j, e), e) : sqlt_nxt(tr, j, e);
				if (!sqlt_is(tr, p, e, "(") || sqlt_mpar(tr, p, e) >= e) {
					sqlt_syntax_error(c, p);
					break;
				}
				if (cname[0] != '\0')
					snprintf(idx, sizeof(idx), "%s", cname);
				else if (pk)
					snprintf(idx, sizeof(idx), "%s_pkey", table);
				else
					default_index_name(tr, table, p + 1, sqlt_mpar(tr, p, e),
							   "key", idx, sizeof(idx));
				sqlt_sb_puts(&tr->out, "CREATE UNIQUE INDEX ");
				sqlt_sb_ident(&tr->out, idx, strlen(idx));
				sqlt_sb_puts(&tr->out, " ON ");
				sqlt_emit_raw(tr, t, te);
				sqlt_sb_puts(&tr->out, " (");
				emit_index_columns(tr, p + 1, sqlt_mpar(tr, p, e));
				sqlt_sb_puts(&tr->out, ")");
				nsql++;
				continue;
			}
			if (sqlt_kw(tr, j, e, "foreign")) {
				tr->out.len = before; /* not enforced: see the top comment */
				continue;
			}
			if (sqlt_kw(tr, j, e, "check") || sqlt_kw(tr, j, e, "exclude")) {
				sqlt_unsupported(tr, "ALTER TABLE ... ADD CHECK/EXCLUDE");
				break;
			}
			if (sqlt_kw(tr, j, e, "column"))
				j = sqlt_nxt(tr, j, e);
			if (sqlt_kw(tr, j, e, "if")) {
				sqlt_unsupported(tr, "ALTER TABLE ... ADD COLUMN IF NOT EXISTS");
				break;
			}
			alter_head(tr, t, te, " ADD COLUMN ");
			emit_column_def(tr, j, e);
			nsql++;
			continue;
		}
		if (sqlt_kw(tr, a, e, "drop")) {
			bool ife = false;
			if (sqlt_kw(tr, j, e, "constraint")) {
				j = sqlt_nxt(tr, j, e);
				if (sqlt_kw(tr, j, e, "if")) {
					ife = true;
					j = sqlt_nxt(tr, sqlt_nxt(tr, j, e), e);
				}
				sqlt_sb_puts(&tr->out,
					     ife ? "DROP INDEX IF EXISTS " : "DROP INDEX ");
				sqlt_emit_tok(tr, j);
				nsql++;
				continue;
			}
			if (sqlt_kw(tr, j, e, "column"))
				j = sqlt_nxt(tr, j, e);
			if (sqlt_kw(tr, j, e, "if"))
				j = sqlt_nxt(tr, sqlt_nxt(tr, j, e), e);
			alter_head(tr, t, te, " DROP COLUMN ");
			sqlt_emit_tok(tr, j);
			nsql++;
			continue;
		}
		if (sqlt_kw(tr, a, e, "alter")) {
			if (sqlt_kw(tr, j, e, "column"))
				j = sqlt_nxt(tr, j, e);
			size_t w = sqlt_nxt(tr, j, e);
			if (sqlt_kw(tr, w, e, "type") ||
			    (sqlt_kw(tr, w, e, "set") &&
			     sqlt_kw(tr, sqlt_nxt(tr, w, e), e, "data")) ||
			    (sqlt_kw(tr, w, e, "set") &&
			     (sqlt_kw(tr, sqlt_nxt(tr, w, e), e, "statistics") ||
			      sqlt_kw(tr, sqlt_nxt(tr, w, e), e, "storage") ||
			      sqlt_kw(tr, sqlt_nxt(tr, w, e), e, "compression") ||
			      sqlt_is(tr, sqlt_nxt(tr, w, e), e, "("))) ||
			    sqlt_kw(tr, w, e, "reset")) {
				tr->out.len = before; /* SQLite columns take any type */
				continue;
			}
			sqlt_unsupported(
			    tr, "ALTER TABLE ... ALTER COLUMN SET/DROP DEFAULT or NOT NULL");
			break;
		}
		if (sqlt_kw(tr, a, e, "rename")) {
			if (sqlt_kw(tr, j, e, "constraint")) {
				sqlt_unsupported(tr, "ALTER TABLE ... RENAME CONSTRAINT");
				break;
			}
			alter_head(tr, t, te, " ");
			sqlt_emit_raw(tr, a,
				      sqlt_sig(tr, acts[k].a, e) == a ? sqlt_prev_sig(tr, a, e) + 1
								      : e);
			nsql++;
			continue;
		}
		if (sqlt_kw(tr, a, e, "owner") || sqlt_kw(tr, a, e, "set") ||
		    sqlt_kw(tr, a, e, "reset") || sqlt_kw(tr, a, e, "cluster") ||
		    sqlt_kw(tr, a, e, "enable") || sqlt_kw(tr, a, e, "disable") ||
		    sqlt_kw(tr, a, e, "replica") || sqlt_kw(tr, a, e, "force") ||
		    sqlt_kw(tr, a, e, "no")) {
			tr->out.len = before;
			continue;
		}
		{
			char what[96];
			snprintf(what, sizeof(what), "ALTER TABLE ... %.*s", (int)tr->t[a].len,
				 tr->t[a].s);
			sqlt_upcase(what + 16);
			sqlt_unsupported(tr, what);
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
		struct sqlt_sb built = tr->out;
		tr->out = saved;
		if (built.s != NULL)
			sqlt_sb_puts(&tr->out, built.s);
		if (built.oom)
			tr->oom = true;
		free(built.s);
	}
}

/* ALTER <object> ...: OWNER TO and friends are ignored, the rest refused. */
void sqlt_h_alter_other(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b, f = sqlt_sig(tr, 0, b), k = sqlt_nxt(tr, f, b);
	char tag[32];

	snprintf(tag, sizeof(tag), "ALTER %.*s", (int)tr->t[k < b ? k : f].len,
		 tr->t[k < b ? k : f].s);
	sqlt_upcase(tag);
	for (size_t i = k; i < b; i++)
		if (sqlt_kw(tr, i, b, "owner") && sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "to")) {
			sqlt_noop(c, tag);
			return;
		}
	if (strcmp(m, "ALTER SEQUENCE") == 0) {
		sqlt_noop(c, "ALTER SEQUENCE");
		return;
	}
	sqlt_unsupported(tr, tag);
}
