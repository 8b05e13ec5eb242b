/*
 * describe_dml.c - INSERT, UPDATE and DELETE: the target table and its
 * alias, the types INSERT's column list and UPDATE's SET give their
 * parameters, ON CONFLICT, FROM/USING, WHERE and RETURNING, read in
 * PostgreSQL's order.  The queries inside them (INSERT ... SELECT,
 * VALUES, FROM items) are read by describe_query.c.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite/describe_int.h"

static bool is_returning(const struct cx *c, size_t p, size_t end)
{
	return kw(c, p, end, "returning");
}

static bool is_conflict_or_returning(const struct cx *c, size_t p, size_t end)
{
	return (kw(c, p, end, "on") && kw(c, p + 1, end, "conflict")) || is_returning(c, p, end);
}

static bool is_where_or_returning(const struct cx *c, size_t p, size_t end)
{
	return kw(c, p, end, "where") || is_returning(c, p, end);
}

/* SET col = expr, (a, b) = (x, y), ... of UPDATE and ON CONFLICT DO UPDATE. */
static void assignments(struct cx *c, size_t p, size_t end, const struct scope *sc,
			const char *table)
{
	char col[DESC_NAME_MAX];
	struct ev e;

	for (struct items it = desc_items(p, end, false); desc_next_item(c, &it);) {
		size_t q = it.at, ie = it.stop;

		if (op(c, q, ie, "(")) { /* (a, b) = (x, y) | (subquery) */
			size_t cq = closer(c, q, ie);
			uint32_t t[MAX_ARGS] = {0};
			int nt = 0;
			for (size_t a = q + 1; a < cq; a++)
				if (is_name(c, a, cq) && nt < MAX_ARGS) {
					desc_ident(c, a, col);
					t[nt++] = desc_column_type(c, table, col);
				}
			q = past(c, q, ie);
			if (op(c, q, ie, "="))
				q++;
			if (kw(c, q, ie, "row"))
				q++;
			if (op(c, q, ie, "(") && !desc_starts_query(c, q + 1, closer(c, q, ie))) {
				struct items row = desc_items(q + 1, closer(c, q, ie), false);
				for (int i = 0; desc_next_item(c, &row); i++)
					desc_whole_expr(c, row.at, row.stop, sc, &e,
							i < nt ? t[i] : 0);
			} else {
				desc_walk(c, q, ie, sc);
			}
		} else if (is_name(c, q, ie)) {
			uint32_t t = 0;
			desc_ident(c, q, col);
			q++;
			if (op(c, q, ie, "="))
				t = desc_column_type(c, table, col);
			while (q < ie && !op(c, q, ie, "=")) /* col.field, col[i] */
				q = op(c, q, ie, "[") ? past(c, q, ie) : q + 1;
			q++;
			if (!(kw(c, q, ie, "default") && q + 1 == ie))
				desc_whole_expr(c, q, ie, sc, &e, t);
		} else {
			desc_walk(c, q, ie, sc);
		}
	}
}

/* RETURNING list: like a select list over the target (and FROM) scope. */
static void returning(struct cx *c, size_t p, size_t end, struct scope *sc, struct colvec *out)
{
	desc_select_list(c, p, end, sc, out);
	desc_finish_cols(c, out, NULL, 0);
}

/* The target table of INSERT/UPDATE/DELETE with its alias, as the first
 * relation of ts. */
static struct rel *target(struct cx *c, size_t *pp, size_t end, struct scope *ts)
{
	char table[2 * DESC_NAME_MAX], alias[DESC_NAME_MAX];
	struct rel *r;
	size_t p = *pp;

	if (kw(c, p, end, "only"))
		p++;
	if (!desc_read_relname(c, &p, end, table, alias))
		return NULL;
	if (op(c, p, end, "*"))
		p++;
	r = desc_scope_add(c, ts, false);
	if (r == NULL)
		return NULL;
	desc_set_str(r->table, sizeof(r->table), table);
	desc_set_str(r->alias, sizeof(r->alias), alias);
	/* INSERT INTO t DEFAULT VALUES, INSERT INTO t OVERRIDING ...: not aliases */
	if (!kw(c, p, end, "default") && !kw(c, p, end, "overriding"))
		p = desc_read_as(c, p, end, r->alias);
	*pp = p;
	return r;
}

static bool dml_insert(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       struct colvec *out)
{
	struct scope ts = {0}, cs = {0};
	uint32_t *targets = NULL;
	int ntargets = 0;
	struct rel *r;
	size_t body_end;
	bool rows = false;
	char table[2 * DESC_NAME_MAX];

	ts.parent = parent;
	p++;
	if (kw(c, p, end, "into"))
		p++;
	r = target(c, &p, end, &ts);
	if (r == NULL) {
		desc_walk(c, p, end, parent);
		goto done;
	}
	memcpy(table, r->table, sizeof(table));
	if (op(c, p, end, "(") && !desc_starts_query(c, p + 1, closer(c, p, end))) {
		size_t q = closer(c, p, end);
		/* at most one column a token */
		targets = calloc(q > p ? q - p : 1, sizeof(*targets));
		if (targets == NULL) {
			c->oom = true;
			goto done;
		}
		for (size_t a = p + 1; a < q; a++)
			if (is_name(c, a, q) && (a == p + 1 || op(c, a - 1, q, ","))) {
				char col[DESC_NAME_MAX];
				desc_ident(c, a, col);
				/* col.field or col[i] is not the column's type */
				if (!op(c, a + 1, q, ".") && !op(c, a + 1, q, "["))
					targets[ntargets] = desc_column_type(c, table, col);
				ntargets++;
			}
		p = past(c, p, end);
	} else {
		struct desc_column *cols = NULL;
		int n = desc_fetch_table(c, table, &cols);
		if (n > 0) {
			targets = calloc((size_t)n, sizeof(*targets));
			if (targets == NULL) {
				free(cols);
				c->oom = true;
				goto done;
			}
			for (int i = 0; i < n; i++)
				targets[i] = cols[i].oid;
			ntargets = n;
		}
		free(cols);
	}
	if (kw(c, p, end, "overriding"))
		p += 3;
	body_end = desc_find_top(c, p, end, is_conflict_or_returning);
	if (kw(c, p, body_end, "default") && kw(c, p + 1, body_end, "values")) {
		p += 2;
	} else if (kw(c, p, body_end, "values")) {
		struct colvec cv = {0};
		desc_values_rows(c, p + 1, body_end, parent, targets, ntargets, &cv);
		desc_cv_free(&cv);
	} else if (p < body_end) {
		struct colvec cv = {0};
		desc_query(c, p, body_end, parent, targets, ntargets, &cv);
		desc_cv_free(&cv);
	}
	p = body_end;
	if (kw(c, p, end, "on") && kw(c, p + 1, end, "conflict")) {
		size_t ret = desc_find_top(c, p, end, is_returning), set;
		struct rel *ex;
		p += 2;
		cs.parent = &ts;
		ex = desc_scope_add(c, &cs, false);
		if (ex != NULL) {
			desc_set_str(ex->alias, sizeof(ex->alias), "excluded");
			desc_set_str(ex->table, sizeof(ex->table), table);
		}
		if (op(c, p, ret, "("))
			p = desc_walk_group(c, p, ret, &ts);
		if (kw(c, p, ret, "where")) {
			size_t s = p + 1;
			while (p < ret && !kw(c, p, ret, "do"))
				p++;
			desc_condition(c, s, p, &ts);
		}
		if (kw(c, p, ret, "on") && kw(c, p + 1, ret, "constraint"))
			p += 3;
		for (set = p; set < ret && !kw(c, set, ret, "set"); set++)
			;
		if (set < ret) {
			size_t w = desc_find_top(c, set + 1, ret, is_where_or_returning);
			if (w < ret)
				desc_condition(c, w + 1, ret, &cs);
			assignments(c, set + 1, w, &cs, table);
		}
		p = ret;
	}
	if (kw(c, p, end, "returning")) {
		returning(c, p + 1, end, &ts, out);
		rows = true;
	}
done:
	free(targets);
	desc_scope_free(&cs);
	desc_scope_free(&ts);
	return rows;
}

/*
 * What follows the SET list of UPDATE or the target of DELETE: [FROM (or
 * USING) list] [WHERE condition | WHERE CURRENT OF cursor] [RETURNING
 * list], read in PostgreSQL's order.  *first is where the first of them
 * starts.  Returns whether the statement returns rows.
 */
static bool dml_clauses(struct cx *c, size_t p, size_t end, const char *from_word, struct scope *ts,
			struct colvec *out, size_t *first)
{
	const char *const words[] = {from_word, "where", "returning"};
	enum { FROM, WHERE, RETURNING, NCLAUSES };
	size_t at[NCLAUSES];

	desc_find_clauses(c, p, end, words, at, NCLAUSES);
	if (at[FROM] > at[WHERE]) /* a FROM after WHERE is in an expression */
		at[FROM] = end;
	*first = at[FROM];
	for (int i = 1; i < NCLAUSES; i++)
		if (at[i] < *first)
			*first = at[i];
	if (at[FROM] < end)
		desc_from_list(c, at[FROM] + 1,
			       at[WHERE] < at[RETURNING] ? at[WHERE] : at[RETURNING], ts);
	if (at[WHERE] < end && !kw(c, at[WHERE] + 1, end, "current"))
		desc_condition(c, at[WHERE] + 1, at[RETURNING], ts);
	if (at[RETURNING] == end)
		return false;
	returning(c, at[RETURNING] + 1, end, ts, out);
	return true;
}

/* UPDATE t [AS a] SET ... [FROM ...] [WHERE ...] [RETURNING ...], read in
 * PostgreSQL's order: FROM, WHERE, RETURNING, then SET. */
static bool dml_update(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       struct colvec *out)
{
	struct scope ts = {0};
	size_t set_end;
	struct rel *r;
	char table[2 * DESC_NAME_MAX];
	bool rows = false;

	ts.parent = parent;
	p++;
	r = target(c, &p, end, &ts);
	if (r == NULL || !kw(c, p, end, "set")) {
		desc_walk(c, p, end, &ts);
		goto done;
	}
	memcpy(table, r->table, sizeof(table));
	rows = dml_clauses(c, p + 1, end, "from", &ts, out, &set_end);
	assignments(c, p + 1, set_end, &ts, table);
done:
	desc_scope_free(&ts);
	return rows;
}

/* DELETE FROM t [AS a] [USING ...] [WHERE ...] [RETURNING ...] */
static bool dml_delete(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       struct colvec *out)
{
	struct scope ts = {0};
	size_t first;
	bool rows = false;

	ts.parent = parent;
	p++;
	if (kw(c, p, end, "from"))
		p++;
	if (target(c, &p, end, &ts) == NULL)
		desc_walk(c, p, end, &ts);
	else
		rows = dml_clauses(c, p, end, "using", &ts, out, &first);
	desc_scope_free(&ts);
	return rows;
}

bool desc_dml(struct cx *c, size_t p, size_t end, const struct scope *parent, struct colvec *out)
{
	if (kw(c, p, end, "insert"))
		return dml_insert(c, p, end, parent, out);
	if (kw(c, p, end, "update"))
		return dml_update(c, p, end, parent, out);
	return dml_delete(c, p, end, parent, out);
}
