/*
 * session_stmt.c - a session's prepared statements and portals: Parse's
 * work (translate, let the catalog answer, prepare on SQLite, type the
 * parameters and result columns) and the lifetimes of both, a statement
 * living on while a portal still uses it.
 *
 * Running them is session.c's; the messages that create and use them are
 * session_ext.c's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/session_int.h"
#include "sqlite/types.h"

void ses_stmt_free(struct lite_stmt *ps)
{
	if (!ps)
		return;
	sqlite3_finalize(ps->st);
	sqlt_result_free(&ps->tr);
	cat_query_free(&ps->cat);
	free(ps->name);
	free(ps->text);
	free(ps->param_oids);
	free(ps->given);
	free(ps->cols);
	free(ps->col_table);
	free(ps->col_attnum);
	free(ps);
}

static void stmt_unref(struct lite_stmt *ps)
{
	if (--ps->refs == 0 && ps->closed)
		ses_stmt_free(ps);
}

struct lite_stmt *ses_stmt_find(struct lite_session *s, const char *name)
{
	for (struct lite_stmt *ps = s->stmts; ps; ps = ps->next)
		if (strcmp(ps->name, name) == 0)
			return ps;
	return NULL;
}

void ses_stmt_remove(struct lite_session *s, struct lite_stmt *ps)
{
	for (struct lite_stmt **pp = &s->stmts; *pp; pp = &(*pp)->next) {
		if (*pp == ps) {
			*pp = ps->next;
			break;
		}
	}
	ps->closed = true;
	if (ps->refs == 0)
		ses_stmt_free(ps);
}

/* Is the rest of a SQLite text only space and semicolons? */
static bool tail_empty(const char *tail)
{
	while (tail && *tail) {
		if (!isspace((unsigned char)*tail) && *tail != ';')
			return false;
		tail++;
	}
	return true;
}

/* RowDescription's table OID and column number for a plain column. */
static void column_origin(struct lite_session *s, struct lite_stmt *ps, int i, int ncols,
			  const char *table, const char *column)
{
	const struct lite_table *t = ses_schema_table(s, table);
	if (!t || !t->oid)
		return;
	if (!ps->col_table) {
		ps->col_table = calloc(ncols, sizeof(uint32_t));
		ps->col_attnum = calloc(ncols, sizeof(int16_t));
		if (!ps->col_table || !ps->col_attnum) {
			free(ps->col_table);
			free(ps->col_attnum);
			ps->col_table = NULL;
			ps->col_attnum = NULL;
			return;
		}
	}
	for (int k = 0; k < t->n; k++) {
		if (strcasecmp(t->names[k], column) == 0) {
			ps->col_table[i] = t->oid;
			ps->col_attnum[i] = (int16_t)(k + 1);
			return;
		}
	}
}

/* Type the parameters and result columns of a prepared statement. */
static int stmt_describe(struct lite_session *s, struct lite_stmt *ps, const uint32_t *given,
			 int ngiven, struct lite_error *e)
{
	struct desc_result d = {0};
	struct desc_schema schema = {.arg = s,
				     .column_type = ses_column_type,
				     .table_columns = ses_table_columns};
	int n = 0, ncols = -1;

	if (ps->cat.sql) {
		n = ps->cat.nparams;
	} else if (ps->t->kind == SQLT_SQL || ps->t->kind == SQLT_COPY_TO) {
		if (desc_describe_typed(ps->text + ps->t->pg_pos, ps->t->pg_len, &schema, given,
					ngiven, &d) < 0)
			goto oom;
		n = ps->t->max_param;
		if (d.nparams > n)
			n = d.nparams;
		if (ps->st && sqlite3_bind_parameter_count(ps->st) > n)
			n = sqlite3_bind_parameter_count(ps->st);
	}
	if (ngiven > n)
		n = ngiven;
	ps->nparams = n;
	ps->param_oids = calloc(n ? n : 1, sizeof(uint32_t));
	if (!ps->param_oids)
		goto oom;
	for (int i = 0; i < n; i++) {
		uint32_t oid = i < ngiven ? given[i] : 0;
		if (!oid && ps->cat.sql && i < ps->cat.nparams)
			oid = ps->cat.param_oids[i];
		if (!oid && i < d.nparams)
			oid = d.param_oids[i];
		ps->param_oids[i] = oid ? oid : OID_TEXT;
	}

	if (ps->cat.sql) {
		ncols = ps->cat.ncols;
		ps->cols = calloc(ncols > 0 ? ncols : 1, sizeof(*ps->cols));
		if (!ps->cols)
			goto oom;
		if (ncols > 0)
			memcpy(ps->cols, ps->cat.cols, ncols * sizeof(*ps->cols));
	} else if (ps->t->kind == SQLT_SHOW) {
		ps->cols = calloc(3, sizeof(*ps->cols));
		if (!ps->cols)
			goto oom;
		ncols = ses_show_columns(ps->t, ps->cols);
	} else if (ps->st && ps->t->kind == SQLT_SQL) {
		int nc = sqlite3_column_count(ps->st);
		if (nc > 0) {
			ncols = nc;
			ps->cols = calloc(nc, sizeof(*ps->cols));
			if (!ps->cols)
				goto oom;
			bool use_desc = d.ncols == nc;
			for (int i = 0; i < nc; i++) {
				struct desc_column *c = &ps->cols[i];
				uint32_t oid = use_desc ? d.cols[i].oid : 0;
				if (use_desc && d.cols[i].name[0])
					memcpy(c->name, d.cols[i].name, DESC_NAME_MAX);
				else
					snprintf(c->name, DESC_NAME_MAX, "%s",
						 sqlite3_column_name(ps->st, i));
				const char *tbl = sqlite3_column_table_name(ps->st, i);
				const char *col = sqlite3_column_origin_name(ps->st, i);
				if (!oid && tbl && col)
					oid = ses_column_type(s, tbl, col);
				if (tbl && col)
					column_origin(s, ps, i, nc, tbl, col);
				if (!oid)
					oid = pgt_oid_from_decltype(sqlite3_column_decltype(ps->st, i));
				c->oid = oid ? oid : OID_TEXT;
			}
		}
	}
	ps->ncols = ncols;
	desc_result_free(&d);
	return 0;
oom:
	desc_result_free(&d);
	lite_error_set(e, "53200", "out of memory");
	return -1;
}

/* The catalog answers some queries itself (cat_intercept). */
static struct lite_stmt *stmt_prepare(struct lite_session *s, const char *name,
				      const char *text, size_t len, struct sqlt_stmt *tr,
				      const uint32_t *given, int ngiven, struct lite_error *e)
{
	struct lite_stmt *ps = calloc(1, sizeof(*ps));
	if (ps)
		ps->schema_version = -1;
	if (!ps || !(ps->name = strdup(name)) || !(ps->text = strndup(text, len)) ||
	    (ngiven > 0 && !(ps->given = malloc(ngiven * sizeof(*given))))) {
		lite_error_set(e, "53200", "out of memory");
		goto fail;
	}
	if (ngiven > 0)
		memcpy(ps->given, given, ngiven * sizeof(*given));
	ps->ngiven = ngiven;
	int m = cat_intercept(ps->text, len, &ps->cat);
	if (m >= 0 && tr) {
		/* Translated already: the statement starts text. */
		if ((ps->tr.v = malloc(sizeof(*ps->tr.v))) != NULL) {
			*ps->tr.v = *tr;
			memset(tr, 0, sizeof(*tr));
			ps->tr.v->pg_pos = 0;
			ps->tr.n = 1;
		}
	} else if (m >= 0 && sqlt_translate(ps->text, len, false, &ps->tr) < 0) {
		ps->tr.n = 0;
	}
	if (m < 0 || ps->tr.n < 1) {
		lite_error_set(e, "53200", "out of memory");
		goto fail;
	}
	ps->t = &ps->tr.v[0];
	if (m == 0 && ps->t->kind == SQLT_ERROR) {
		lite_error_set(e, ps->t->sqlstate, "%s", ps->t->message ? ps->t->message : "error");
		goto fail;
	}
	const char *sql = m ? ps->cat.sql : (ps->t->kind == SQLT_SQL || ps->t->kind == SQLT_COPY_TO)
						? ps->t->sql
						: NULL;
	if (sql) {
		const char *tail = NULL;
		char *copy_sql = NULL;
		ses_schema_check(s);
		ps->schema_version = s->schema_version;
		if (!m && ses_copy_to_select(s, ps->t, &copy_sql, e) < 0)
			goto fail;
		int rc = sqlite3_prepare_v2(s->db, copy_sql ? copy_sql : sql, -1, &ps->st, &tail);
		bool more = rc == SQLITE_OK && !tail_empty(tail);
		sqlite3_free(copy_sql);
		if (rc != SQLITE_OK) {
			lite_error_from_sqlite(s->db, rc, e);
			goto fail;
		}
		if (more) {
			/* Several SQLite statements (DROP TABLE a, b): run them in
			 * turn at Execute. */
			sqlite3_finalize(ps->st);
			ps->st = NULL;
			ps->multi = true;
		}
		if (ps->st)
			ps->shape = ses_stmt_shape(ps->st);
	}
	if (stmt_describe(s, ps, given, ngiven, e) < 0)
		goto fail;
	return ps;
fail:
	ses_stmt_free(ps);
	return NULL;
}

bool ses_stmt_same(struct lite_session *s, const struct lite_stmt *ps, const char *text,
		   const uint32_t *given, int ngiven)
{
	/* Plain SQL only: what the catalog answers, and utility statements,
	 * may depend on more than the text and the schema. */
	if (!ps->st || ps->multi || ps->cat.sql || ps->t->kind != SQLT_SQL)
		return false;
	if (ps->ngiven != ngiven || strcmp(ps->text, text) != 0 ||
	    (ngiven > 0 && memcmp(ps->given, given, ngiven * sizeof(*given)) != 0))
		return false;
	ses_schema_check(s);
	return ps->schema_version >= 0 && ps->schema_version == s->schema_version;
}

void ses_stmt_changed_error(struct lite_error *e)
{
	lite_error_set(e, "0A000", "cached plan must not change result type");
}

int ses_stmt_revalidate(struct lite_session *s, struct lite_stmt *ps, struct lite_error *e)
{
	if (!ps->changed && ps->st && ps->schema_version >= 0) {
		ses_schema_check(s);
		if (s->schema_version != ps->schema_version) {
			/* SQLite's schema is the new one now: compile the
			 * statement against it and compare its columns. */
			sqlite3_stmt *st = NULL;
			const char *sql = ps->cat.sql ? ps->cat.sql : ps->t->sql;
			int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
			if (rc != SQLITE_OK) {
				lite_error_from_sqlite(s->db, rc, e);
				sqlite3_finalize(st);
				return -1;
			}
			if (ses_stmt_shape(st) != ps->shape)
				ps->changed = true;
			sqlite3_finalize(st);
		}
	}
	if (ps->changed) {
		ses_stmt_changed_error(e);
		return -1;
	}
	return 0;
}

struct lite_stmt *ses_stmt_prepare(struct lite_session *s, const char *name, const char *text,
				   size_t len, const uint32_t *given, int ngiven,
				   struct lite_error *e)
{
	return stmt_prepare(s, name, text, len, NULL, given, ngiven, e);
}

struct lite_stmt *ses_stmt_prepare_translated(struct lite_session *s, const char *text,
					      size_t len, struct sqlt_stmt *tr,
					      struct lite_error *e)
{
	return stmt_prepare(s, "", text, len, tr, NULL, 0, e);
}

/* ------------------------------------------------------------ portals */

void ses_portal_free(struct lite_portal *p)
{
	if (!p)
		return;
	if (p->st) {
		if (p->own_st)
			sqlite3_finalize(p->st);
		else {
			sqlite3_reset(p->st);
			sqlite3_clear_bindings(p->st);
			p->ps->st_busy = false;
		}
	}
	stmt_unref(p->ps);
	free(p->formats);
	free(p->name);
	free(p);
}

struct lite_portal *ses_portal_find(struct lite_session *s, const char *name)
{
	for (struct lite_portal *p = s->portals; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

void ses_portal_drop(struct lite_session *s, struct lite_portal *p)
{
	for (struct lite_portal **pp = &s->portals; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->autocommit_writer)
		lite_writer_release(s);
	ses_portal_free(p);
}

void ses_portals_drop_all(struct lite_session *s)
{
	while (s->portals)
		ses_portal_drop(s, s->portals);
}
