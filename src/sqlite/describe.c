/*
 * describe.c - the entry points of Describe: the parameter types and
 * result columns PostgreSQL would announce for a statement, inferred from
 * its text by a small reader over lex.h's tokens, not a SQL parser.  This
 * file picks the statement kind (query, INSERT/UPDATE/DELETE, SHOW,
 * EXPLAIN) and hands over the result.  The reader itself: describe_tokens.c
 * (token view), describe_query.c and describe_dml.c (statements),
 * describe_expr.c (expressions), describe_scope.c (names), describe_types.c
 * (type rules).  What it cannot read it skips and types as 0 (unknown).
 */
#include "sqlite/describe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/describe_int.h"

/* SHOW name: one text column named as PostgreSQL spells the setting. */
static void show(struct cx *c, size_t p, size_t end, struct colvec *out)
{
	static const char *const mixed[] = {"DateStyle", "IntervalStyle", "TimeZone"};
	char name[DESC_NAME_MAX];

	if (kw(c, p, end, "all")) {
		desc_cv_push(c, out, "name", T_TEXT, 0);
		desc_cv_push(c, out, "setting", T_TEXT, 0);
		desc_cv_push(c, out, "description", T_TEXT, 0);
		return;
	}
	if (kw(c, p, end, "time") && kw(c, p + 1, end, "zone"))
		desc_set_str(name, sizeof(name), "TimeZone");
	else if (kw(c, p, end, "transaction") && kw(c, p + 1, end, "isolation"))
		desc_set_str(name, sizeof(name), "transaction_isolation");
	else if (kw(c, p, end, "session") && kw(c, p + 1, end, "authorization"))
		desc_set_str(name, sizeof(name), "session_authorization");
	else if (is_name(c, p, end)) {
		char w[DESC_NAME_MAX];
		size_t n;
		desc_ident(c, p, name);
		/* custom.setting */
		if (op(c, p + 1, end, ".") && is_name(c, p + 2, end)) {
			desc_ident(c, p + 2, w);
			n = strlen(name);
			if (n + 1 < sizeof(name)) {
				name[n] = '.';
				desc_set_str(name + n + 1, sizeof(name) - n - 1, w);
			}
		}
		for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
			if (strcasecmp(name, mixed[i]) == 0)
				desc_set_str(name, sizeof(name), mixed[i]);
	} else {
		out->unknown = true;
		return;
	}
	desc_cv_push(c, out, name, T_TEXT, 0);
}

int desc_describe(const char *pg_sql, size_t len, const struct desc_schema *schema,
		  struct desc_result *out)
{
	return desc_describe_typed(pg_sql, len, schema, NULL, 0, out);
}

int desc_describe_typed(const char *pg_sql, size_t len, const struct desc_schema *schema,
			const uint32_t *given, int ngiven, struct desc_result *out)
{
	struct cx c;
	struct colvec cv = {0};
	size_t end, p = 0;
	bool rows = false;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	out->ncols = -1;
	c.schema = schema;
	if (desc_build(&c, pg_sql, len) < 0)
		goto fail;
	/* Types the client declared in Parse come first, as in PostgreSQL:
	 * `SELECT $1` with int2 declared is an int2 column. */
	for (int i = 0; i < ngiven && i < c.nparams; i++)
		if (given[i] != 0)
			c.params[i] = given[i];
	/* one statement: up to the first ';' */
	for (end = 0; end < c.n && !op(&c, end, c.n, ";"); end++)
		;
	if (desc_starts_query(&c, p, end) || kw(&c, p, end, "insert") || kw(&c, p, end, "update") ||
	    kw(&c, p, end, "delete")) {
		rows = desc_query(&c, p, end, NULL, NULL, 0, &cv);
	} else if (kw(&c, p, end, "show")) {
		show(&c, p + 1, end, &cv);
		rows = true;
	} else if (kw(&c, p, end, "explain")) {
		struct colvec inner = {0};
		p++;
		if (op(&c, p, end, "("))
			p = past(&c, p, end);
		while (kw(&c, p, end, "analyze") || kw(&c, p, end, "analyse") ||
		       kw(&c, p, end, "verbose"))
			p++;
		desc_query(&c, p, end, NULL, NULL, 0, &inner);
		desc_cv_free(&inner);
		desc_cv_push(&c, &cv, "QUERY PLAN", T_TEXT, 0);
		rows = true;
	} else {
		desc_walk(&c, p, end, NULL);
	}
	if (c.oom)
		goto fail;
	if (rows && !cv.unknown) {
		out->ncols = cv.n;
		if (cv.n > 0) {
			out->cols = malloc((size_t)cv.n * sizeof(*out->cols));
			if (out->cols == NULL)
				goto fail;
			for (int i = 0; i < cv.n; i++) {
				out->cols[i] = cv.v[i].c;
				out->cols[i].oid = out_oid(out->cols[i].oid);
			}
		}
	}
	out->nparams = c.nparams;
	out->param_oids = c.params;
	c.params = NULL;
	rc = 0;
fail:
	desc_cv_free(&cv);
	free(c.params);
	free(c.sig);
	free(c.match);
	lex_free(&c.toks);
	if (rc < 0)
		desc_result_free(out);
	return rc;
}

void desc_result_free(struct desc_result *r)
{
	free(r->param_oids);
	free(r->cols);
	memset(r, 0, sizeof(*r));
	r->ncols = -1;
}
