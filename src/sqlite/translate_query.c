/*
 * translate_query.c - query levels: SELECT / VALUES / TABLE / WITH, and
 * INSERT, UPDATE and DELETE.  Drops row-locking clauses, turns LIMIT /
 * OFFSET / FETCH into SQLite's LIMIT x OFFSET y, DISTINCT ON into a
 * ROW_NUMBER() derived table and DELETE ... USING into a rowid subquery.
 * The expressions inside the clauses are translate_expr.c's; DDL that
 * embeds a query (CREATE VIEW, CREATE TABLE AS) is translate_ddl.c's.
 */
#include "sqlite/translate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE at i? */
static bool is_lock_clause(const struct sqlt_tr *tr, size_t i, size_t b)
{
	size_t j = sqlt_nxt(tr, i, b);

	if (!sqlt_kw(tr, i, b, "for"))
		return false;
	return sqlt_kw(tr, j, b, "update") || sqlt_kw(tr, j, b, "share") ||
	       (sqlt_kw(tr, j, b, "no") && sqlt_kw(tr, sqlt_nxt(tr, j, b), b, "key")) ||
	       (sqlt_kw(tr, j, b, "key") && sqlt_kw(tr, sqlt_nxt(tr, j, b), b, "share"));
}

static const char *const tail_stop[] = {"limit", "offset", "fetch", "for", "union", "intersect",
					"except", "order", ";", NULL};

/* Find the index of the main verb after WITH [RECURSIVE] cte, ... */
size_t sqlt_skip_with(const struct sqlt_tr *tr, size_t w, size_t b)
{
	size_t i = sqlt_nxt(tr, w, b);

	if (sqlt_kw(tr, i, b, "recursive"))
		i = sqlt_nxt(tr, i, b);
	while (i < b) {
		i = sqlt_nxt(tr, i, b); /* past the name */
		if (sqlt_is(tr, i, b, "("))
			i = sqlt_nxt(tr, sqlt_mpar(tr, i, b), b);
		if (!sqlt_kw(tr, i, b, "as"))
			return b;
		i = sqlt_nxt(tr, i, b);
		if (sqlt_kw(tr, i, b, "not"))
			i = sqlt_nxt(tr, i, b);
		if (sqlt_kw(tr, i, b, "materialized"))
			i = sqlt_nxt(tr, i, b);
		if (!sqlt_is(tr, i, b, "("))
			return b;
		i = sqlt_nxt(tr, sqlt_mpar(tr, i, b), b);
		if (!sqlt_is(tr, i, b, ","))
			return i;
		i = sqlt_nxt(tr, i, b);
	}
	return b;
}

static void emit_insert(struct sqlt_tr *tr, size_t a, size_t b);
static void emit_update(struct sqlt_tr *tr, size_t a, size_t b);
static void emit_delete(struct sqlt_tr *tr, size_t a, size_t b);
static void emit_select(struct sqlt_tr *tr, size_t a, size_t b);

/* The statement [i, b) if it is an INSERT, UPDATE or DELETE: false if not. */
bool sqlt_emit_dml(struct sqlt_tr *tr, size_t i, size_t b)
{
	if (sqlt_kw(tr, i, b, "insert"))
		emit_insert(tr, i, b);
	else if (sqlt_kw(tr, i, b, "update"))
		emit_update(tr, i, b);
	else if (sqlt_kw(tr, i, b, "delete"))
		emit_delete(tr, i, b);
	else
		return false;
	return true;
}

/* Emit a query (SELECT / VALUES / TABLE / WITH ...) [a, b). */
void sqlt_emit_query(struct sqlt_tr *tr, size_t a, size_t b)
{
	size_t f = sqlt_sig(tr, a, b);

	if (sqlt_kw(tr, f, b, "with")) {
		size_t m = sqlt_skip_with(tr, f, b);
		sqlt_emit_range(tr, a, m);
		if (!sqlt_emit_dml(tr, m, b))
			emit_select(tr, m, b);
		return;
	}
	sqlt_emit_raw(tr, a, f);
	emit_select(tr, f, b);
}

/* Compare two token ranges ignoring trivia and case of words. */
static bool same_tokens(const struct sqlt_tr *tr, size_t a1, size_t e1, size_t a2, size_t e2)
{
	size_t i = sqlt_sig(tr, a1, e1), j = sqlt_sig(tr, a2, e2);

	while (i < e1 && j < e2) {
		if (tr->t[i].len != tr->t[j].len || strncasecmp(tr->t[i].s, tr->t[j].s,
								  tr->t[i].len) != 0)
			return false;
		i = sqlt_nxt(tr, i, e1);
		j = sqlt_nxt(tr, j, e2);
	}
	return i >= e1 && j >= e2;
}

#define MAX_ITEMS 128

struct item {
	size_t a, e;	 /* expression tokens */
	char out[128];	 /* the output column's name as SQL text */
	char name[128];	 /* its value, for matching */
};

/*
 * SELECT DISTINCT ON (keys) list FROM ... [ORDER BY o] [tail]: keep the
 * first row of each group in ORDER BY order with ROW_NUMBER(), in a
 * derived table whose visible columns are the original list's.
 */
static void emit_distinct_on(struct sqlt_tr *tr, size_t sel, size_t b,
			     const struct sqlt_clause *tail, int ntail)
{
	static const char *const from_stop[] = {"from", NULL};
	static const char *const order_stop[] = {"order", NULL};
	size_t dist = sqlt_nxt(tr, sel, b), on = sqlt_nxt(tr, dist, b), lp = sqlt_nxt(tr, on, b);
	size_t rp = sqlt_mpar(tr, lp, b), ls = sqlt_nxt(tr, rp, b);
	size_t tail_a = ntail > 0 ? tail[0].a : b;
	size_t from = sqlt_skip_to(tr, ls, tail_a, from_stop);
	size_t order = sqlt_skip_to(tr, from, tail_a, order_stop);
	struct sqlt_clause keys[32], ords[32], raw[MAX_ITEMS];
	struct item *items = calloc(MAX_ITEMS, sizeof(*items));
	int nkeys, nords = 0, nitems, hidden = 0;
	struct sqlt_sb inner = {0}, outer_order = {0};
	char *s;

	if (items == NULL) {
		tr->oom = true;
		return;
	}
	if (rp >= b) {
		sqlt_fail(tr, "42601", "syntax error at or near \"ON\"");
		goto out;
	}
	nkeys = sqlt_split_commas(tr, lp + 1, rp, keys, 32);
	nitems = sqlt_split_commas(tr, ls, from, raw, MAX_ITEMS);
	for (int k = 0; k < nitems; k++) {
		struct item *it = &items[k];
		size_t last = sqlt_prev_sig(tr, raw[k].a, raw[k].e), before;
		it->a = raw[k].a;
		it->e = raw[k].e;
		if (last == SQLT_NONE)
			continue;
		before = sqlt_prev_sig(tr, raw[k].a, last);
		if (sqlt_is(tr, last, b, "*") &&
		    (before == SQLT_NONE || sqlt_is(tr, before, b, "."))) {
			sqlt_unsupported(tr, "SELECT DISTINCT ON with * in the select list");
			goto out;
		}
		if (sqlt_is_name(tr, last, b)) {
			/* expr [AS] alias, or a.b.c named after its last part */
			snprintf(it->out, sizeof(it->out), "%.*s", (int)tr->t[last].len,
				 tr->t[last].s);
			sqlt_ident(tr, last, it->name, sizeof(it->name));
			if (before != SQLT_NONE &&
			    (sqlt_kw(tr, before, b, "as") ||
			     (!sqlt_is(tr, before, b, ".") && tr->t[before].kind != LX_OP &&
			      !sqlt_is(tr, before, b, ",") && !sqlt_is(tr, before, b, "(") &&
			      !sqlt_is_keyword(tr, before))))
				it->e =
				    sqlt_kw(tr, before, b, "as") ? before : last; /* the alias */
		} else {
			snprintf(it->out, sizeof(it->out), "pgpin_c%d", k + 1);
			snprintf(it->name, sizeof(it->name), "pgpin_c%d", k + 1);
		}
	}
	if (order < tail_a) {
		size_t by = sqlt_nxt(tr, order, tail_a);
		nords = sqlt_split_commas(tr, sqlt_nxt(tr, by, tail_a), tail_a, ords, 32);
	}

	/* inner: SELECT list, ROW_NUMBER() OVER (...) AS pgpin_rn FROM ... */
	sqlt_sb_puts(&inner, "SELECT ");
	for (int k = 0; k < nitems; k++) {
		char *e = sqlt_emit_sub(tr, raw[k].a, raw[k].e);
		if (e == NULL)
			goto out;
		sqlt_sb_puts(&inner, k ? ", " : "");
		sqlt_sb_puts(&inner, e);
		if (strncmp(items[k].out, "pgpin_c", 7) == 0) {
			sqlt_sb_puts(&inner, " AS ");
			sqlt_sb_puts(&inner, items[k].out);
		}
		free(e);
	}
	/* resolve a key or order term: an output name or position -> its expression */
	struct sqlt_sb win = {0};
	sqlt_sb_puts(&win, ", ROW_NUMBER() OVER (PARTITION BY ");
	for (int p = 0; p < nkeys + nords; p++) {
		bool is_ord = p >= nkeys;
		struct sqlt_clause c = is_ord ? ords[p - nkeys] : keys[p];
		size_t es = sqlt_sig(tr, c.a, c.e), ee = c.e, dir = SQLT_NONE;
		int match = -1;
		char nm[128];

		if (is_ord) {
			/* split off ASC/DESC/NULLS FIRST|LAST */
			static const char *const dstop[] = {"asc", "desc", "nulls", "using", NULL};
			dir = sqlt_skip_to(tr, es, c.e, dstop);
			ee = dir;
			if (dir >= c.e)
				dir = SQLT_NONE;
		}
		size_t last = sqlt_prev_sig(tr, es, ee);
		if (last == es && sqlt_is_name(tr, es, b)) {
			sqlt_ident(tr, es, nm, sizeof(nm));
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
		char *e = match >= 0 ? sqlt_emit_sub(tr, items[match].a, items[match].e)
				     : sqlt_emit_sub(tr, es, ee);
		char *d = dir != SQLT_NONE ? sqlt_emit_sub(tr, dir, c.e) : NULL;
		if (e == NULL || (dir != SQLT_NONE && d == NULL)) {
			free(e);
			free(d);
			goto out;
		}
		if (p == nkeys)
			sqlt_sb_puts(&win, " ORDER BY ");
		else if (p > 0)
			sqlt_sb_puts(&win, ", ");
		sqlt_sb_puts(&win, e);
		if (d != NULL) {
			sqlt_sb_puts(&win, " ");
			sqlt_sb_puts(&win, d);
		}
		if (is_ord) {
			sqlt_sb_puts(&outer_order, p > nkeys ? ", " : " ORDER BY ");
			if (match >= 0) {
				sqlt_sb_puts(&outer_order, items[match].out);
			} else {
				char h[32];
				snprintf(h, sizeof(h), "pgpin_o%d", ++hidden);
				sqlt_sb_puts(&inner, ", ");
				sqlt_sb_puts(&inner, e);
				sqlt_sb_puts(&inner, " AS ");
				sqlt_sb_puts(&inner, h);
				sqlt_sb_puts(&outer_order, h);
			}
			if (d != NULL) {
				sqlt_sb_puts(&outer_order, " ");
				sqlt_sb_puts(&outer_order, d);
			}
		}
		free(e);
		free(d);
	}
	sqlt_sb_puts(&win, ") AS pgpin_rn ");
	if (win.s != NULL)
		sqlt_sb_puts(&inner, win.s);
	free(win.s);
	s = sqlt_emit_sub(tr, from, order);
	if (s == NULL)
		goto out;
	sqlt_sb_puts(&inner, s);
	free(s);

	/* outer */
	sqlt_sb_puts(&tr->out, "SELECT ");
	for (int k = 0; k < nitems; k++) {
		sqlt_sb_puts(&tr->out, k ? ", " : "");
		sqlt_sb_puts(&tr->out, items[k].out);
		if (strncmp(items[k].out, "pgpin_c", 7) == 0)
			sqlt_sb_puts(&tr->out, " AS \"?column?\"");
	}
	sqlt_sb_puts(&tr->out, " FROM (");
	if (inner.s != NULL)
		sqlt_sb_puts(&tr->out, inner.s);
	sqlt_sb_puts(&tr->out, ") WHERE pgpin_rn = 1");
	if (outer_order.s != NULL)
		sqlt_sb_puts(&tr->out, outer_order.s);
	if (inner.oom || outer_order.oom)
		tr->oom = true;
out:
	free(inner.s);
	free(outer_order.s);
	free(items);
}

/* Order a few clauses by their position in the statement. */
static void sort_clauses(struct sqlt_clause *v, int n)
{
	for (int x = 0; x < n; x++)
		for (int y = x + 1; y < n; y++)
			if (v[y].a < v[x].a) {
				struct sqlt_clause c = v[x];
				v[x] = v[y];
				v[y] = c;
			}
}

/*
 * One query level starting at SELECT/VALUES/TABLE/( : drop row-locking
 * clauses, normalise LIMIT/OFFSET/FETCH into SQLite's LIMIT x OFFSET y,
 * rewrite DISTINCT ON and TABLE t.
 */
static void emit_select(struct sqlt_tr *tr, size_t a, size_t b)
{
	struct sqlt_clause locks[8], tail[3];
	int nlocks = 0, ntail = 0;
	size_t lim = SQLT_NONE, lim_e = SQLT_NONE, off = SQLT_NONE, off_e = SQLT_NONE,
	       fetch = SQLT_NONE, fetch_e = SQLT_NONE;
	bool rebuild = false, setop = false;
	size_t i;

	/* scan this level's clauses */
	for (i = a; i < b; i++) {
		if (sqlt_is(tr, i, b, "(")) {
			i = sqlt_mpar(tr, i, b);
			continue;
		}
		if (sqlt_kw(tr, i, b, "union") || sqlt_kw(tr, i, b, "intersect") ||
		    sqlt_kw(tr, i, b, "except"))
			setop = true;
		if (is_lock_clause(tr, i, b) && nlocks < 8) {
			static const char *const stop[] = {"limit", "offset", "fetch", ";", NULL};
			size_t e = i + 1;
			/* FOR UPDATE [OF t, ...] [NOWAIT | SKIP LOCKED], possibly repeated */
			while (e < b && !sqlt_kw(tr, e, b, "for")) {
				size_t s2 = sqlt_skip_to(tr, e, b, stop);
				size_t f2 = e;
				while (f2 < s2 && !sqlt_kw(tr, f2, b, "for"))
					f2++;
				e = f2 < s2 ? f2 : s2;
				break;
			}
			locks[nlocks++] = (struct sqlt_clause){i, e};
			i = e - 1;
			continue;
		}
		if (sqlt_kw(tr, i, b, "limit")) {
			lim = i;
			lim_e = sqlt_skip_to(tr, i + 1, b, tail_stop);
			if (sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "all"))
				rebuild = true;
			if (off != SQLT_NONE)
				rebuild = true;
			i = lim_e - 1;
			continue;
		}
		if (sqlt_kw(tr, i, b, "offset")) {
			off = i;
			off_e = sqlt_skip_to(tr, i + 1, b, tail_stop);
			size_t last = sqlt_prev_sig(tr, i + 1, off_e);
			if (last != SQLT_NONE &&
			    (sqlt_kw(tr, last, b, "row") || sqlt_kw(tr, last, b, "rows")))
				rebuild = true;
			i = off_e - 1;
			continue;
		}
		if (sqlt_kw(tr, i, b, "fetch") && (sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "first") ||
						   sqlt_kw(tr, sqlt_nxt(tr, i, b), b, "next"))) {
			static const char *const only[] = {"only", "ties", NULL};
			fetch = i;
			fetch_e = sqlt_skip_to(tr, i + 1, b, only);
			if (sqlt_kw(tr, fetch_e, b, "ties")) {
				sqlt_unsupported(tr, "FETCH ... WITH TIES");
				return;
			}
			fetch_e = fetch_e < b ? fetch_e + 1 : b;
			rebuild = true;
			i = fetch_e - 1;
			continue;
		}
	}
	bool distinct_on = sqlt_kw(tr, a, b, "select") &&
			   sqlt_kw(tr, sqlt_nxt(tr, a, b), b, "distinct") &&
			   sqlt_kw(tr, sqlt_nxt(tr, sqlt_nxt(tr, a, b), b), b, "on");
	/* DISTINCT ON moves the tail to an outer query: cut it out */
	if (distinct_on && (lim != SQLT_NONE || off != SQLT_NONE || fetch != SQLT_NONE))
		rebuild = true;
	if (off != SQLT_NONE && lim == SQLT_NONE)
		rebuild = true;
	if (off != SQLT_NONE && lim != SQLT_NONE && off < lim)
		rebuild = true;
	if (rebuild) {
		if (lim != SQLT_NONE)
			tail[ntail++] = (struct sqlt_clause){lim, lim_e};
		if (off != SQLT_NONE)
			tail[ntail++] = (struct sqlt_clause){off, off_e};
		if (fetch != SQLT_NONE)
			tail[ntail++] = (struct sqlt_clause){fetch, fetch_e};
		sort_clauses(tail, ntail);
	}

	/* the body: everything before the first removed clause, in pieces */
	struct sqlt_clause cut[12];
	int ncut = 0;
	for (int x = 0; x < nlocks; x++)
		cut[ncut++] = locks[x];
	for (int x = 0; x < ntail; x++)
		cut[ncut++] = tail[x];
	sort_clauses(cut, ncut);

	size_t body_end = ncut > 0 ? cut[0].a : b;
	if (distinct_on) {
		if (setop) {
			sqlt_unsupported(tr,
					 "SELECT DISTINCT ON combined with UNION/INTERSECT/EXCEPT");
			return;
		}
		emit_distinct_on(tr, a, body_end, NULL, 0);
	} else if (sqlt_kw(tr, a, b, "table")) {
		size_t t = sqlt_nxt(tr, a, b);
		if (sqlt_kw(tr, t, b, "only"))
			t = sqlt_nxt(tr, t, b);
		sqlt_sb_puts(&tr->out, "SELECT * FROM ");
		sqlt_emit_range(tr, t, body_end);
	} else {
		sqlt_emit_range(tr, a, body_end);
	}
	/* the pieces between removed clauses (normally only trivia) */
	for (int x = 0; x < ncut; x++) {
		size_t from = cut[x].e, to = x + 1 < ncut ? cut[x + 1].a : b;
		sqlt_sb_trim(&tr->out);
		if (sqlt_sig(tr, from, to) < to) {
			sqlt_sb_puts(&tr->out, " ");
			sqlt_emit_range(tr, sqlt_sig(tr, from, to), to);
		}
	}
	if (rebuild) {
		char *l = NULL, *o = NULL;
		if (lim != SQLT_NONE && !sqlt_kw(tr, sqlt_nxt(tr, lim, b), b, "all"))
			l = sqlt_emit_sub(tr, lim + 1, lim_e);
		if (fetch != SQLT_NONE) {
			/* FETCH FIRST [n] ROW[S] ONLY */
			size_t n1 = sqlt_nxt(tr, fetch, b), rows = sqlt_nxt(tr, n1, b);
			static const char *const rw[] = {"row", "rows", NULL};
			rows = sqlt_skip_to(tr, rows, fetch_e, rw);
			free(l);
			l = rows > sqlt_nxt(tr, n1, b)
				? sqlt_emit_sub(tr, sqlt_nxt(tr, n1, b), rows)
				: strdup("1");
		}
		if (off != SQLT_NONE) {
			size_t last = sqlt_prev_sig(tr, off + 1, off_e);
			if (last != SQLT_NONE &&
			    (sqlt_kw(tr, last, b, "row") || sqlt_kw(tr, last, b, "rows")))
				o = sqlt_emit_sub(tr, off + 1, last);
			else
				o = sqlt_emit_sub(tr, off + 1, off_e);
		}
		sqlt_sb_trim(&tr->out);
		sqlt_sb_puts(&tr->out, " LIMIT ");
		sqlt_sb_puts(&tr->out, l != NULL ? l : "-1");
		if (o != NULL) {
			sqlt_sb_puts(&tr->out, " OFFSET ");
			sqlt_sb_puts(&tr->out, o);
		}
		free(l);
		free(o);
	}
}

/* INSERT ... [SELECT|VALUES ...] [ON CONFLICT ...] [RETURNING ...] */
static void emit_insert(struct sqlt_tr *tr, size_t a, size_t b)
{
	static const char *const conflict_stop[] = {"on", "returning", NULL};
	size_t i = a, q = SQLT_NONE, c;

	/* the source query: the first top-level SELECT/VALUES/WITH after the target */
	for (i = sqlt_nxt(tr, a, b); i < b; i = sqlt_nxt(tr, i, b)) {
		if (sqlt_is(tr, i, b, "(")) {
			/* (cols) or a parenthesised query */
			if (sqlt_is_query_start(tr, sqlt_sig(tr, i + 1, b), b)) {
				q = i;
				break;
			}
			i = sqlt_mpar(tr, i, b);
			continue;
		}
		if (sqlt_kw(tr, i, b, "select") || sqlt_kw(tr, i, b, "values") ||
		    sqlt_kw(tr, i, b, "with")) {
			q = i;
			break;
		}
		if (sqlt_kw(tr, i, b, "default") || sqlt_kw(tr, i, b, "on") ||
		    sqlt_kw(tr, i, b, "returning"))
			break;
	}
	for (size_t k = a; k < b; k++)
		if (sqlt_kw(tr, k, b, "on") && sqlt_kw(tr, sqlt_nxt(tr, k, b), b, "conflict") &&
		    sqlt_kw(tr, sqlt_nxt(tr, sqlt_nxt(tr, k, b), b), b, "on") &&
		    sqlt_kw(tr, sqlt_nxt(tr, sqlt_nxt(tr, sqlt_nxt(tr, k, b), b), b), b,
			    "constraint")) {
			sqlt_unsupported(tr,
					 "ON CONFLICT ON CONSTRAINT (name the columns instead)");
			return;
		}
	if (q == SQLT_NONE) {
		sqlt_emit_range(tr, a, b);
		return;
	}
	c = q;
	for (;;) {
		c = sqlt_skip_to(tr, c, b, conflict_stop);
		if (c >= b || sqlt_kw(tr, c, b, "returning") ||
		    sqlt_kw(tr, sqlt_nxt(tr, c, b), b, "conflict"))
			break;
		c++;
	}
	sqlt_emit_range(tr, a, q);
	size_t qe = sqlt_prev_sig(tr, q, c);
	sqlt_emit_query(tr, q, qe == SQLT_NONE ? c : qe + 1);
	sqlt_emit_range(tr, qe == SQLT_NONE ? c : qe + 1, b);
}

/* UPDATE [ONLY] t ... */
static void emit_update(struct sqlt_tr *tr, size_t a, size_t b)
{
	size_t t = sqlt_nxt(tr, a, b);

	if (sqlt_kw(tr, t, b, "only")) {
		sqlt_emit_raw(tr, a, t);
		sqlt_emit_range(tr, sqlt_nxt(tr, t, b), b);
		return;
	}
	sqlt_emit_range(tr, a, b);
}

/* DELETE FROM [ONLY] t [[AS] a] [USING items] [WHERE cond] [RETURNING ..] */
static void emit_delete(struct sqlt_tr *tr, size_t a, size_t b)
{
	static const char *const using_stop[] = {"where", "returning", NULL};
	static const char *const ret_stop[] = {"returning", NULL};
	size_t from = sqlt_nxt(tr, a, b), t = sqlt_nxt(tr, from, b), te, alias = SQLT_NONE, u, w, r;

	if (!sqlt_kw(tr, from, b, "from")) {
		sqlt_emit_range(tr, a, b);
		return;
	}
	if (sqlt_kw(tr, t, b, "only")) {
		size_t only = t;
		t = sqlt_nxt(tr, t, b);
		sqlt_emit_raw(tr, a, only);
		a = t;
	}
	te = sqlt_name_end(tr, t, b);
	u = sqlt_sig(tr, te, b);
	if (sqlt_kw(tr, u, b, "as"))
		u = sqlt_nxt(tr, u, b);
	if (sqlt_is_name(tr, u, b) && !sqlt_kw(tr, u, b, "using") && !sqlt_kw(tr, u, b, "where") &&
	    !sqlt_kw(tr, u, b, "returning")) {
		alias = u;
		u = sqlt_nxt(tr, u, b);
	}
	if (!sqlt_kw(tr, u, b, "using")) {
		sqlt_emit_range(tr, a, b);
		return;
	}
	w = sqlt_skip_to(tr, u, b, using_stop);
	r = sqlt_skip_to(tr, u, b, ret_stop);
	char *items = sqlt_emit_sub(tr, sqlt_nxt(tr, u, b), w);
	char *cond = sqlt_kw(tr, w, b, "where") ? sqlt_emit_sub(tr, sqlt_nxt(tr, w, b), r) : NULL;
	if (items == NULL || (sqlt_kw(tr, w, b, "where") && cond == NULL)) {
		free(items);
		free(cond);
		return;
	}
	sqlt_emit_raw(tr, a, te);
	sqlt_sb_puts(&tr->out, " WHERE rowid IN (SELECT ");
	if (alias != SQLT_NONE)
		sqlt_emit_tok(tr, alias);
	else
		sqlt_emit_raw(tr, t, te);
	sqlt_sb_puts(&tr->out, ".rowid FROM ");
	sqlt_emit_raw(tr, t, te);
	if (alias != SQLT_NONE) {
		sqlt_sb_puts(&tr->out, " AS ");
		sqlt_emit_tok(tr, alias);
	}
	sqlt_sb_puts(&tr->out, ", ");
	sqlt_sb_puts(&tr->out, items);
	if (cond != NULL) {
		sqlt_sb_puts(&tr->out, " WHERE ");
		sqlt_sb_puts(&tr->out, cond);
	}
	sqlt_sb_puts(&tr->out, ")");
	if (r < b) {
		sqlt_sb_puts(&tr->out, " ");
		sqlt_emit_range(tr, r, b);
	}
	free(items);
	free(cond);
}
