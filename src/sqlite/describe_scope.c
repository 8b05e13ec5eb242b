/*
 * describe_scope.c - what names a query can see: scopes (FROM items and
 * WITH queries, innermost first), the relations in them (base tables,
 * asked of the schema callbacks, or derived tables with their own
 * columns), the column lists queries produce, and the reading of
 * relation names and aliases.
 * It does not read FROM clauses or expressions (describe_query.c and
 * describe_expr.c do); it only holds and looks up what they found.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite/describe_int.h"

struct rel *desc_scope_add(struct cx *c, struct scope *s, bool cte)
{
	struct rel **v = cte ? &s->ctes : &s->rels;
	int *n = cte ? &s->nctes : &s->nrels, *cap = cte ? &s->capctes : &s->caprels;
	struct rel *r;

	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 4;
		struct rel *nv = realloc(*v, (size_t)nc * sizeof(**v));
		if (nv == NULL) {
			c->oom = true;
			return NULL;
		}
		*v = nv;
		*cap = nc;
	}
	r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	return r;
}

void desc_scope_free(struct scope *s)
{
	for (int i = 0; i < s->nrels; i++)
		free(s->rels[i].cols);
	for (int i = 0; i < s->nctes; i++)
		free(s->ctes[i].cols);
	free(s->rels);
	free(s->ctes);
	memset(s, 0, sizeof(*s));
}

void desc_cv_push(struct cx *c, struct colvec *cv, const char *name, uint32_t oid, int param)
{
	struct ocol *o;

	if (cv->n == cv->cap) {
		int nc = cv->cap ? cv->cap * 2 : 8;
		struct ocol *nv = realloc(cv->v, (size_t)nc * sizeof(*nv));
		if (nv == NULL) {
			c->oom = true;
			return;
		}
		cv->v = nv;
		cv->cap = nc;
	}
	o = &cv->v[cv->n++];
	desc_set_str(o->c.name, sizeof(o->c.name), name);
	o->c.oid = oid;
	o->param = param;
}

void desc_cv_free(struct colvec *cv)
{
	free(cv->v);
	memset(cv, 0, sizeof(*cv));
}

/* Give a derived relation the columns of a query. */
void desc_rel_set_cols(struct cx *c, struct rel *r, const struct colvec *cv)
{
	r->derived = true;
	r->ncols = cv->unknown ? -1 : cv->n;
	if (cv->unknown || cv->n == 0)
		return;
	r->cols = malloc((size_t)cv->n * sizeof(*r->cols));
	if (r->cols == NULL) {
		c->oom = true;
		r->ncols = -1;
		return;
	}
	for (int i = 0; i < cv->n; i++) {
		r->cols[i] = cv->v[i].c;
		r->cols[i].oid = out_oid(r->cols[i].oid);
	}
}

/* The columns of a base table in order; -1 when the schema does not know it. */
int desc_fetch_table(struct cx *c, const char *table, struct desc_column **out)
{
	char(*names)[DESC_NAME_MAX] = NULL;
	uint32_t *oids = NULL;
	int max = 32, n = -1;

	*out = NULL;
	if (c->schema == NULL || c->schema->table_columns == NULL)
		return -1;
	/* a second try with room for all the columns the first one counted */
	for (int tries = 0; tries < 2; tries++) {
		names = malloc((size_t)max * DESC_NAME_MAX);
		oids = malloc((size_t)max * sizeof(*oids));
		if (names == NULL || oids == NULL) {
			c->oom = true;
			n = -1;
			goto done;
		}
		n = c->schema->table_columns(c->schema->arg, table, names, oids, max);
		if (n <= max)
			break;
		free(names);
		free(oids);
		names = NULL;
		oids = NULL;
		max = n;
		n = -1;
	}
	if (n > 0) {
		*out = malloc((size_t)n * sizeof(**out));
		if (*out == NULL) {
			c->oom = true;
			n = -1;
			goto done;
		}
		for (int i = 0; i < n; i++) {
			names[i][DESC_NAME_MAX - 1] = '\0';
			desc_set_str((*out)[i].name, DESC_NAME_MAX, names[i]);
			(*out)[i].oid = oids[i];
		}
	}
done:
	free(names);
	free(oids);
	return n < 0 ? -1 : n;
}

/* Turn a base table into a derived one (for a column alias list). */
void desc_rel_materialize(struct cx *c, struct rel *r)
{
	if (r->derived)
		return;
	r->derived = true;
	r->ncols = desc_fetch_table(c, r->table, &r->cols);
}

/* The schema's type of table.column, 0 when it does not know it. */
uint32_t desc_column_type(const struct cx *c, const char *table, const char *col)
{
	if (c->schema == NULL || c->schema->column_type == NULL)
		return 0;
	return c->schema->column_type(c->schema->arg, table, col);
}

static bool rel_col(struct cx *c, const struct rel *r, const char *col, uint32_t *oid)
{
	if (!r->derived) {
		*oid = desc_column_type(c, r->table, col);
		return *oid != 0;
	}
	for (int i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i].name, col) == 0) {
			*oid = r->cols[i].oid;
			return true;
		}
	return false;
}

/* Type of a column reference: qualified ones through the nearest relation
 * with that name, unqualified ones through the first relation that has
 * the column, innermost scope first. */
uint32_t desc_lookup(struct cx *c, const struct scope *sc, const char *qual, const char *col)
{
	uint32_t oid = 0;

	for (const struct scope *s = sc; s != NULL; s = s->parent)
		for (int i = 0; i < s->nrels; i++) {
			const struct rel *r = &s->rels[i];
			if (qual != NULL) {
				if (strcmp(r->alias, qual) == 0) {
					rel_col(c, r, col, &oid);
					return oid;
				}
			} else if (rel_col(c, r, col, &oid)) {
				return oid;
			}
		}
	return 0;
}

const struct rel *desc_find_cte(const struct scope *sc, const char *name)
{
	for (const struct scope *s = sc; s != NULL; s = s->parent)
		for (int i = 0; i < s->nctes; i++)
			if (strcmp(s->ctes[i].alias, name) == 0)
				return &s->ctes[i];
	return NULL;
}

/* Append a relation's columns (for * and t.*). */
void desc_rel_expand(struct cx *c, const struct rel *r, struct colvec *out)
{
	struct desc_column *cols = NULL;
	int n;

	if (r->derived) {
		if (r->ncols < 0)
			out->unknown = true;
		for (int i = 0; i < r->ncols; i++)
			desc_cv_push(c, out, r->cols[i].name, r->cols[i].oid, 0);
		return;
	}
	n = desc_fetch_table(c, r->table, &cols);
	if (n < 0)
		out->unknown = true;
	for (int i = 0; i < n; i++)
		desc_cv_push(c, out, cols[i].name, cols[i].oid, 0);
	free(cols);
}

/*
 * A relation name at *pp ([schema.]name).  pg_catalog and public are
 * dropped; information_schema.x is the relation "information_schema.x".
 * The last part is the default alias.
 */
bool desc_read_relname(const struct cx *c, size_t *pp, size_t end, char *table, char *alias)
{
	char schema[DESC_NAME_MAX] = "", last[DESC_NAME_MAX];
	size_t p = *pp;

	if (!is_name(c, p, end))
		return false;
	desc_ident(c, p, last);
	p++;
	while (op(c, p, end, ".") && is_name(c, p + 1, end)) {
		memcpy(schema, last, sizeof(schema));
		desc_ident(c, p + 1, last);
		p += 2;
	}
	if (schema[0] == '\0' || strcmp(schema, "pg_catalog") == 0 ||
	    strcmp(schema, "public") == 0) {
		desc_set_str(table, 2 * DESC_NAME_MAX, last);
	} else {
		size_t sl = strlen(schema);
		memcpy(table, schema, sl);
		table[sl] = '.';
		desc_set_str(table + sl + 1, 2 * DESC_NAME_MAX - sl - 1, last);
	}
	desc_set_str(alias, DESC_NAME_MAX, last);
	*pp = p;
	return true;
}

/* [AS] alias at p into alias; a bare alias must not be a reserved word.
 * Returns the index after it, p when there is none. */
size_t desc_read_as(const struct cx *c, size_t p, size_t end, char *alias)
{
	if (kw(c, p, end, "as") && is_name(c, p + 1, end)) {
		desc_ident(c, p + 1, alias);
		return p + 2;
	}
	if (is_name(c, p, end) && !desc_reserved(c, p, end)) {
		desc_ident(c, p, alias);
		return p + 1;
	}
	return p;
}
