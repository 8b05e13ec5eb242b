/*
 * describe_query.c - queries: WITH, set operations, each SELECT core
 * (FROM items with aliases and joins, the select list, WHERE, GROUP BY,
 * HAVING), VALUES, TABLE, and the ORDER BY / LIMIT / OFFSET / FETCH tail,
 * read in the order of PostgreSQL's parse analysis, producing the result
 * columns.  INSERT, UPDATE and DELETE (also inside WITH) are handed to
 * describe_dml.c; expressions to describe_expr.c.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite/describe_int.h"

static bool is_setop(const struct cx *c, size_t p, size_t end)
{
	return kw(c, p, end, "union") || kw(c, p, end, "intersect") || kw(c, p, end, "except");
}

/* The clauses that belong to a whole query, after its set operations. */
static bool is_tail(const struct cx *c, size_t p, size_t end)
{
	if (kw(c, p, end, "order"))
		return kw(c, p + 1, end, "by");
	if (kw(c, p, end, "for"))
		return kw(c, p + 1, end, "update") || kw(c, p + 1, end, "share") ||
		       kw(c, p + 1, end, "no") || kw(c, p + 1, end, "key");
	return kw(c, p, end, "limit") || kw(c, p, end, "offset") || kw(c, p, end, "fetch");
}

/* The first column of the subquery in [p, end), false when it has none. */
bool desc_subquery_col(struct cx *c, size_t p, size_t end, const struct scope *sc,
		       struct desc_column *col)
{
	struct colvec cv = {0};
	bool has;

	desc_query(c, p, end, sc, NULL, 0, &cv);
	has = cv.n > 0;
	if (has) {
		*col = cv.v[0].c;
		col->oid = out_oid(col->oid);
	}
	desc_cv_free(&cv);
	return has;
}

/* One item of a select or RETURNING list: *, t.*, or expr [[AS] alias]. */
static void select_item(struct cx *c, size_t p, size_t end, struct scope *sc, struct colvec *out)
{
	char alias[DESC_NAME_MAX];
	struct ev e;
	size_t q = p, a;

	if (op(c, p, end, "*") && p + 1 == end) {
		/* PostgreSQL puts merged join columns first, SQLite leaves them
		 * where the left table has them: let the engine describe it */
		if (sc->merged) {
			out->unknown = true;
			return;
		}
		for (int i = 0; i < sc->nrels; i++)
			desc_rel_expand(c, &sc->rels[i], out);
		return;
	}
	if (is_name(c, p, end) && op(c, p + 1, end, ".") && op(c, p + 2, end, "*") &&
	    p + 3 == end) {
		desc_ident(c, p, alias);
		for (const struct scope *s = sc; s != NULL; s = s->parent)
			for (int i = 0; i < s->nrels; i++)
				if (strcmp(s->rels[i].alias, alias) == 0) {
					desc_rel_expand(c, &s->rels[i], out);
					return;
				}
		out->unknown = true;
		return;
	}
	desc_expr(c, &q, end, 0, sc, &e);
	/* without AS, only a last word is an alias */
	a = kw(c, q, end, "as") || q + 1 == end ? desc_read_as(c, q, end, alias) : q;
	if (a < end)
		desc_walk(c, a, end, sc);
	desc_cv_push(c, out, a > q ? alias : e.name, e.oid, e.param);
}

void desc_select_list(struct cx *c, size_t p, size_t end, struct scope *sc, struct colvec *out)
{
	for (struct items it = desc_items(p, end, false); desc_next_item(c, &it);)
		select_item(c, it.at, it.stop, sc, out);
}

/* Column alias list "(a, b)" at p renaming a relation's columns. */
static size_t column_aliases(struct cx *c, size_t p, size_t end, struct rel *r)
{
	size_t q = closer(c, p, end);
	int i = 0;

	desc_rel_materialize(c, r);
	for (size_t a = p + 1; a < q; a++) {
		if (!is_name(c, a, q))
			continue;
		if (i < r->ncols)
			desc_ident(c, a, r->cols[i].name);
		i++;
	}
	return past(c, p, end);
}

/* [AS] alias [(column aliases)] after a FROM item. */
static size_t read_alias(struct cx *c, size_t p, size_t end, struct rel *r)
{
	size_t a = desc_read_as(c, p, end, r->alias);
	bool has = a > p;

	p = a;
	if (has && op(c, p, end, "("))
		return column_aliases(c, p, end, r);
	/* a function returning one value names its column after the alias */
	if (has && r->func && r->ncols == 1)
		memcpy(r->cols[0].name, r->alias, sizeof(r->alias));
	return p;
}

size_t desc_from_list(struct cx *c, size_t p, size_t end, struct scope *sc);

/* One FROM item: [LATERAL] (query) | (join) | function(...) | table, with
 * its alias. */
static size_t from_item(struct cx *c, size_t p, size_t end, struct scope *sc)
{
	char table[2 * DESC_NAME_MAX], alias[DESC_NAME_MAX];
	struct rel *r;

	while (kw(c, p, end, "lateral") || kw(c, p, end, "only"))
		p++;
	if (op(c, p, end, "(")) {
		size_t q = closer(c, p, end);
		struct colvec cv = {0};
		if (!desc_starts_query(c, p + 1, q)) { /* (a JOIN b) */
			desc_from_list(c, p + 1, q, sc);
			p = past(c, p, end);
			if (kw(c, p, end, "as"))
				p++;
			return is_name(c, p, end) && !desc_reserved(c, p, end) ? p + 1 : p;
		}
		/* the enclosing scope is visible for LATERAL subqueries */
		desc_query(c, p + 1, q, sc, NULL, 0, &cv);
		r = desc_scope_add(c, sc, false);
		if (r != NULL)
			desc_rel_set_cols(c, r, &cv);
		desc_cv_free(&cv);
		p = past(c, p, end);
		return r != NULL ? read_alias(c, p, end, r) : end;
	}
	if (!desc_read_relname(c, &p, end, table, alias))
		return p + 1;
	if (op(c, p, end, "(")) { /* a function in FROM */
		struct ev e;
		const struct fninfo *f = desc_fn_find(alias);
		desc_func_call(c, &p, end, sc, alias, &e);
		r = desc_scope_add(c, sc, false);
		if (r == NULL)
			return end;
		desc_set_str(r->alias, sizeof(r->alias), alias);
		r->derived = true;
		r->ncols = -1;
		if (f != NULL) { /* scalar or one-column set-returning */
			r->cols = malloc(sizeof(*r->cols));
			if (r->cols == NULL) {
				c->oom = true;
				return end;
			}
			desc_set_str(r->cols[0].name, DESC_NAME_MAX, alias);
			r->cols[0].oid = e.oid;
			r->ncols = 1;
			r->func = true;
		}
		return read_alias(c, p, end, r);
	}
	{
		const struct rel *cte =
		    strchr(table, '.') == NULL ? desc_find_cte(sc, table) : NULL;
		struct desc_column *cols = NULL;
		if (cte != NULL && cte->ncols > 0) {
			cols = malloc((size_t)cte->ncols * sizeof(*cols));
			if (cols == NULL) {
				c->oom = true;
				return end;
			}
			memcpy(cols, cte->cols, (size_t)cte->ncols * sizeof(*cols));
		}
		r = desc_scope_add(c, sc, false);
		if (r == NULL) {
			free(cols);
			return end;
		}
		desc_set_str(r->alias, sizeof(r->alias), alias);
		desc_set_str(r->table, sizeof(r->table), table);
		if (cte != NULL) {
			r->derived = true;
			r->ncols = cte->ncols;
			r->cols = cols;
		}
	}
	return read_alias(c, p, end, r);
}

/* FROM items separated by commas, each with its JOINs; ON conditions are
 * read once both sides are in scope. */
size_t desc_from_list(struct cx *c, size_t p, size_t end, struct scope *sc)
{
	while (p < end && !c->oom) {
		p = from_item(c, p, end, sc);
		for (;;) {
			size_t q = p;
			if (kw(c, q, end, "natural"))
				sc->merged = true;
			while (kw(c, q, end, "natural") || kw(c, q, end, "inner") ||
			       kw(c, q, end, "left") || kw(c, q, end, "right") ||
			       kw(c, q, end, "full") || kw(c, q, end, "outer") ||
			       kw(c, q, end, "cross"))
				q++;
			if (!kw(c, q, end, "join") || c->oom)
				break;
			p = from_item(c, q + 1, end, sc);
			if (kw(c, p, end, "on")) {
				struct ev e;
				p++;
				desc_expr(c, &p, end, 0, sc, &e);
				desc_bool_ctx(c, &e);
			} else if (kw(c, p, end, "using") && op(c, p + 1, end, "(")) {
				sc->merged = true;
				p = past(c, p + 1, end);
			}
		}
		if (op(c, p, end, ",")) {
			p++;
			continue;
		}
		if (p < end)
			desc_walk(c, p, end, sc);
		break;
	}
	return end;
}

/* VALUES (..), (..): columns named column1..N, typed by the rows; with
 * targets (INSERT), each row's bare parameters take the target types. */
void desc_values_rows(struct cx *c, size_t p, size_t end, const struct scope *sc,
		      const uint32_t *targets, int ntargets, struct colvec *out)
{
	bool first = true;

	while (op(c, p, end, "(") && !c->oom) {
		struct items it = desc_items(p + 1, closer(c, p, end), false);
		for (int i = 0; desc_next_item(c, &it); i++) {
			struct ev e;
			desc_ev_clear(&e);
			if (kw(c, it.at, it.stop, "default") && it.at + 1 == it.stop) {
				if (targets != NULL && i < ntargets)
					e.oid = targets[i];
			} else {
				desc_whole_expr(c, it.at, it.stop, sc, &e, 0);
			}
			if (targets != NULL && i < ntargets)
				desc_infer(c, &e, targets[i]);
			if (first) {
				char name[16] = "column";
				int k = 6, v = i + 1, digits = 1;
				for (int t = v; t >= 10; t /= 10)
					digits++;
				for (int d = digits - 1; d >= 0; d--, v /= 10)
					name[k + d] = (char)('0' + v % 10);
				name[k + digits] = '\0';
				desc_cv_push(c, out, name, e.oid, e.param);
			} else if (i < out->n) {
				out->v[i].c.oid = desc_common_type(out->v[i].c.oid, e.oid);
				if (out->v[i].c.oid != T_UNKNOWN)
					desc_infer(c, &e, out->v[i].c.oid);
			}
		}
		first = false;
		p = past(c, p, end);
		if (!op(c, p, end, ","))
			break;
		p++;
	}
	if (p < end)
		desc_walk(c, p, end, sc);
}

/* The end of the clause starting at x: the next of WHERE, GROUP BY,
 * HAVING, WINDOW (cl[0..3]) after it. */
static size_t clause_end(const size_t cl[4], size_t x, size_t end)
{
	size_t e = end;

	for (int i = 0; i < 4; i++)
		if (cl[i] > x && cl[i] < e)
			e = cl[i];
	return e;
}

/* One SELECT (or VALUES, TABLE, (query)) of a query. sc is this core's
 * scope, kept by the caller for the query's ORDER BY. */
static void parse_core(struct cx *c, size_t p, size_t end, const struct scope *parent,
		       const uint32_t *targets, int ntargets, struct colvec *out, struct scope *sc)
{
	static const char *const words[] = {"where", "group", "having", "window", "from", "into"};
	enum { WHERE, GROUP, HAVING, WINDOW, FROM, INTO, NCLAUSES };
	size_t at[NCLAUSES], don = end, donend = end, items_end = end;

	sc->parent = parent;
	if (op(c, p, end, "(") && closer(c, p, end) + 1 == end) {
		desc_query(c, p + 1, end - 1, parent, targets, ntargets, out);
		return;
	}
	if (kw(c, p, end, "values")) {
		desc_values_rows(c, p + 1, end, parent, targets, ntargets, out);
		return;
	}
	if (kw(c, p, end, "table")) {
		p++;
		from_item(c, p, end, sc);
		for (int i = 0; i < sc->nrels; i++)
			desc_rel_expand(c, &sc->rels[i], out);
		return;
	}
	if (!kw(c, p, end, "select")) {
		desc_walk(c, p, end, parent);
		out->unknown = true;
		return;
	}
	p++;
	if (kw(c, p, end, "distinct")) {
		p++;
		if (kw(c, p, end, "on") && op(c, p + 1, end, "(")) {
			don = p + 2;
			donend = closer(c, p + 1, end);
			p = past(c, p + 1, end);
		}
	} else if (kw(c, p, end, "all")) {
		p++;
	}
	desc_find_clauses(c, p, end, words, at, NCLAUSES);
	if (at[INTO] > at[FROM]) /* SELECT ... INTO comes before FROM */
		at[INTO] = end;
	for (int i = 0; i < NCLAUSES; i++)
		if (at[i] < items_end)
			items_end = at[i];
	/* PostgreSQL's order: FROM, the select list, WHERE, GROUP BY, HAVING */
	if (at[FROM] < end)
		desc_from_list(c, at[FROM] + 1, clause_end(at, at[FROM], end), sc);
	desc_select_list(c, p, items_end, sc, out);
	if (don < end)
		desc_walk(c, don, donend, sc);
	if (at[WHERE] < end)
		desc_condition(c, at[WHERE] + 1, clause_end(at, at[WHERE], end), sc);
	if (at[GROUP] < end)
		desc_walk(c, at[GROUP] + 2, clause_end(at, at[GROUP], end), sc);
	if (at[HAVING] < end)
		desc_condition(c, at[HAVING] + 1, clause_end(at, at[HAVING], end), sc);
	if (at[WINDOW] < end)
		desc_walk(c, at[WINDOW] + 1, end, sc);
}

/* A LIMIT / OFFSET / FETCH count: int8. */
static size_t row_count(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	struct ev e;

	if (kw(c, p, end, "all"))
		return p + 1;
	desc_expr(c, &p, end, 0, sc, &e);
	desc_infer(c, &e, T_INT8);
	return p;
}

/* The query-level clauses after the set operations. */
static void query_tail(struct cx *c, size_t p, size_t end, const struct scope *sc)
{
	while (p < end && !c->oom) {
		if (kw(c, p, end, "order") && kw(c, p + 1, end, "by")) {
			size_t e = desc_find_top(c, p + 2, end, is_tail);
			desc_walk(c, p + 2, e, sc);
			p = e;
		} else if (kw(c, p, end, "limit") || kw(c, p, end, "offset")) {
			p = row_count(c, p + 1, end, sc);
			if (kw(c, p, end, "row") || kw(c, p, end, "rows"))
				p++;
		} else if (kw(c, p, end, "fetch")) {
			p++;
			if (kw(c, p, end, "first") || kw(c, p, end, "next"))
				p++;
			if (!kw(c, p, end, "row") && !kw(c, p, end, "rows"))
				p = row_count(c, p, end, sc);
			while (p < end && !is_tail(c, p, end))
				p++;
		} else {
			p++; /* FOR UPDATE ... */
		}
	}
}

/* The output columns' final types.  Those that are exactly $n and still
 * untyped: PostgreSQL gives them the INSERT target's type, or else text;
 * unknown literals are text. */
void desc_finish_cols(struct cx *c, struct colvec *out, const uint32_t *targets, int ntargets)
{
	for (int i = 0; i < out->n; i++) {
		struct ocol *o = &out->v[i];
		uint32_t t;
		if (o->param == 0)
			continue;
		t = desc_param_type(c, o->param);
		if (t == 0) {
			t = (o->c.oid != 0 && o->c.oid != T_UNKNOWN)		   ? o->c.oid
			    : (targets != NULL && i < ntargets && targets[i] != 0) ? targets[i]
										   : T_TEXT;
			desc_set_param(c, o->param, t);
			t = desc_param_type(c, o->param);
		}
		o->c.oid = t;
	}
	for (int i = 0; i < out->n; i++)
		out->v[i].c.oid = out_oid(out->v[i].c.oid);
}

static size_t parse_with(struct cx *c, size_t p, size_t end, struct scope *sc);

/*
 * A query at [p, end): [WITH ...] core { UNION|INTERSECT|EXCEPT core }
 * [ORDER BY] [LIMIT] [OFFSET] [FETCH] [FOR ...], or a data-modifying
 * statement.  Names come from the first core, types from the first core
 * where known, else from the others.  Returns whether it returns rows.
 */
bool desc_query(struct cx *c, size_t p, size_t end, const struct scope *parent,
		const uint32_t *targets, int ntargets, struct colvec *out)
{
	struct scope cte = {0}, first = {0};
	size_t tail, q;
	int ncores = 0;
	bool rows = true;

	if (c->depth >= MAX_DEPTH || c->oom) {
		out->unknown = true;
		return true;
	}
	c->depth++;
	cte.parent = parent;
	if (kw(c, p, end, "with"))
		p = parse_with(c, p + 1, end, &cte);
	if (kw(c, p, end, "insert") || kw(c, p, end, "update") || kw(c, p, end, "delete")) {
		rows = desc_dml(c, p, end, &cte, out);
		goto done;
	}
	tail = desc_find_top(c, p, end, is_tail);
	for (q = p; q < tail && !c->oom; ncores++) {
		size_t ce = desc_find_top(c, q, tail, is_setop);
		if (ncores == 0) {
			parse_core(c, q, ce, &cte, targets, ntargets, out, &first);
		} else {
			struct scope s2 = {0};
			struct colvec cv = {0};
			parse_core(c, q, ce, &cte, targets, ntargets, &cv, &s2);
			if (cv.unknown)
				out->unknown = true;
			for (int i = 0; i < out->n && i < cv.n; i++) {
				out->v[i].c.oid = desc_common_type(out->v[i].c.oid, cv.v[i].c.oid);
				if (cv.v[i].param != 0)
					desc_set_param(c, cv.v[i].param, out->v[i].c.oid);
			}
			desc_scope_free(&s2);
			desc_cv_free(&cv);
		}
		if (ce >= tail)
			break;
		q = ce + 1;
		if (kw(c, q, tail, "all") || kw(c, q, tail, "distinct"))
			q++;
	}
	/* ORDER BY of a single SELECT also sees its FROM items */
	query_tail(c, tail, end, ncores <= 1 ? &first : &cte);
	desc_finish_cols(c, out, targets, ntargets);
done:
	desc_scope_free(&first);
	desc_scope_free(&cte);
	c->depth--;
	return rows;
}

/* WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (stmt), ... */
static size_t parse_with(struct cx *c, size_t p, size_t end, struct scope *sc)
{
	bool recursive = kw(c, p, end, "recursive");

	if (recursive)
		p++;
	while (is_name(c, p, end) && !c->oom) {
		char name[DESC_NAME_MAX];
		size_t cols = end, body;
		struct colvec cv = {0};
		struct rel *r;

		desc_ident(c, p, name);
		p++;
		if (op(c, p, end, "(")) {
			cols = p;
			p = past(c, p, end);
		}
		if (!kw(c, p, end, "as"))
			break;
		p++;
		if (kw(c, p, end, "not"))
			p++;
		if (kw(c, p, end, "materialized"))
			p++;
		if (!op(c, p, end, "("))
			break;
		body = p;
		desc_query(c, body + 1, closer(c, body, end), sc, NULL, 0, &cv);
		r = desc_scope_add(c, sc, true);
		if (r != NULL) {
			desc_set_str(r->alias, sizeof(r->alias), name);
			desc_rel_set_cols(c, r, &cv);
			if (cols < end)
				column_aliases(c, cols, end, r);
		}
		desc_cv_free(&cv);
		if (recursive && r != NULL) {
			/* the recursive term refers to the CTE itself: read it
			 * again now that its columns are known */
			desc_query(c, body + 1, closer(c, body, end), sc, NULL, 0, &cv);
			desc_cv_free(&cv);
		}
		p = past(c, body, end);
		if (!op(c, p, end, ","))
			break;
		p++;
	}
	return p;
}
