/*
 * session_ext.c - the extended query protocol on a SQLite session: Parse,
 * Bind (parameters in text or binary, result formats), Describe of a
 * statement or a portal, Execute with a row limit and PortalSuspended,
 * Close and Sync; after an error every message up to Sync is skipped, as
 * PostgreSQL does.  Statements and portals are session_stmt.c's; running
 * them is session.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/session_int.h"
#include "sqlite/types.h"

void ses_ext_error(struct lite_session *s, const struct lite_error *e)
{
	ses_send_error(s, e);
	ses_txn_after_error(s);
	s->skip_to_sync = true;
}

void ses_handle_parse(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	const char *name = pr_string(r);
	const char *query = pr_string(r);
	int16_t n = pr_int16(r);
	uint32_t *given = NULL;

	if (r->err || n < 0) {
		lite_error_set(&e, "08P01", "invalid Parse message");
		ses_ext_error(s, &e);
		return;
	}
	if (n > 0 && !(given = calloc(n, sizeof(uint32_t)))) {
		lite_error_set(&e, "53200", "out of memory");
		ses_ext_error(s, &e);
		return;
	}
	for (int i = 0; i < n; i++)
		given[i] = (uint32_t)pr_int32(r);
	if (r->err) {
		free(given);
		lite_error_set(&e, "08P01", "invalid Parse message");
		ses_ext_error(s, &e);
		return;
	}
	if (name[0] && ses_stmt_find(s, name)) {
		free(given);
		lite_error_set(&e, "42P05", "prepared statement \"%s\" already exists", name);
		ses_ext_error(s, &e);
		return;
	}
	if (s->failed) {
		/* PostgreSQL refuses everything but transaction control. */
		struct sqlt_result tr = {0};
		bool control = sqlt_translate(query, strlen(query), false, &tr) == 0 && tr.n == 1 &&
			       (ses_is_txn_control(&tr.v[0]) || tr.v[0].kind == SQLT_EMPTY);
		sqlt_result_free(&tr);
		if (!control) {
			free(given);
			lite_error_set(&e, "25P02",
				       "current transaction is aborted, commands ignored until end "
				       "of transaction block");
			ses_ext_error(s, &e);
			return;
		}
	}
	if (!name[0]) {
		struct lite_stmt *old = ses_stmt_find(s, "");
		if (old && ses_stmt_same(s, old, query, given, n)) {
			free(given);
			ses_send_empty(s, '1');
			return;
		}
	}
	struct lite_stmt *ps = ses_stmt_prepare(s, name, query, strlen(query), given, n, &e);
	free(given);
	if (!ps) {
		ses_ext_error(s, &e);
		return;
	}
	if (!name[0]) {
		struct lite_stmt *old = ses_stmt_find(s, "");
		if (old)
			ses_stmt_remove(s, old);
	}
	ps->next = s->stmts;
	s->stmts = ps;
	ses_send_empty(s, '1');
}

void ses_handle_bind(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	struct pgt_error pe;
	const char *pname = pr_string(r);
	const char *sname = pr_string(r);
	int16_t nfmt = pr_int16(r);
	int16_t *fmts = NULL, *rfmts = NULL;
	struct lite_portal *p = NULL;

	if (r->err || nfmt < 0)
		goto bad;
	fmts = calloc(nfmt ? nfmt : 1, sizeof(int16_t));
	if (!fmts)
		goto oom;
	for (int i = 0; i < nfmt; i++)
		fmts[i] = pr_int16(r);
	int16_t nparams = pr_int16(r);
	if (r->err || nparams < 0)
		goto bad;
	struct lite_stmt *ps = ses_stmt_find(s, sname);
	if (!ps) {
		if (sname[0])
			lite_error_set(&e, "26000", "prepared statement \"%s\" does not exist", sname);
		else
			lite_error_set(&e, "26000", "unnamed prepared statement does not exist");
		goto fail;
	}
	if (s->failed && !ses_is_txn_control(ps->t)) {
		lite_error_set(&e, "25P02",
			       "current transaction is aborted, commands ignored until end of "
			       "transaction block");
		goto fail;
	}
	if (nparams != ps->nparams) {
		lite_error_set(&e, "08P01",
			       "bind message supplies %d parameters, but prepared statement \"%s\" "
			       "requires %d",
			       nparams, sname, ps->nparams);
		goto fail;
	}
	if (nfmt > 1 && nfmt != nparams) {
		lite_error_set(&e, "08P01", "bind message has %d parameter formats but %d parameters",
			       nfmt, nparams);
		goto fail;
	}
	if (pname[0] && ses_portal_find(s, pname)) {
		lite_error_set(&e, "42P03", "cursor \"%s\" already exists", pname);
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup(pname)))
		goto oom;
	p->ps = ps;
	ps->refs++;
	if (ps->st) {
		if (ps->st_busy) {
			const char *sql = ps->cat.sql ? ps->cat.sql : ps->t->sql;
			int rc = sqlite3_prepare_v2(s->db, sql, -1, &p->st, NULL);
			if (rc != SQLITE_OK) {
				lite_error_from_sqlite(s->db, rc, &e);
				goto fail;
			}
			p->own_st = true;
			if (ses_stmt_shape(p->st) != ps->shape) {
				/* Prepared on a schema changed since (ses_run_rows()) */
				ps->changed = true;
				ses_stmt_changed_error(&e);
				goto fail;
			}
		} else {
			p->st = ps->st;
			ps->st_busy = true;
			sqlite3_reset(p->st);
			sqlite3_clear_bindings(p->st);
		}
	}
	for (int i = 0; i < nparams; i++) {
		int32_t len = pr_int32(r);
		const uint8_t *val = NULL;
		if (len >= 0)
			val = pr_bytes(r, (size_t)len);
		if (r->err)
			goto bad;
		int16_t f = nfmt == 0 ? 0 : nfmt == 1 ? fmts[0] : fmts[i];
		if (f != 0 && f != 1) {
			lite_error_set(&e, "08P01", "unsupported format code: %d", f);
			goto fail;
		}
		if (p->st && i < sqlite3_bind_parameter_count(p->st) &&
		    pgt_bind(p->st, i + 1, ps->param_oids[i], f, val, len, &pe) < 0) {
			lite_error_set(&e, pe.sqlstate, "%s", pe.message);
			goto fail;
		}
	}
	int16_t nr = pr_int16(r);
	if (r->err || nr < 0)
		goto bad;
	int ncols = ps->ncols > 0 ? ps->ncols : 0;
	if (nr > 1 && nr != ncols) {
		lite_error_set(&e, "08P01", "bind message has %d result formats but query has %d "
					    "columns",
			       nr, ncols);
		goto fail;
	}
	rfmts = calloc(ncols ? ncols : 1, sizeof(int16_t));
	if (!rfmts)
		goto oom;
	for (int i = 0; i < nr; i++) {
		int16_t f = pr_int16(r);
		if (f != 0 && f != 1) {
			lite_error_set(&e, "22023", "unsupported format code: %d", f);
			goto fail;
		}
		if (nr == 1) {
			for (int j = 0; j < ncols; j++)
				rfmts[j] = f;
		} else {
			rfmts[i] = f;
		}
	}
	if (r->err)
		goto bad;
	p->formats = rfmts;
	rfmts = NULL;
	if (!pname[0]) {
		struct lite_portal *old = ses_portal_find(s, "");
		if (old)
			ses_portal_drop(s, old);
	}
	p->next = s->portals;
	s->portals = p;
	free(fmts);
	ses_send_empty(s, '2');
	return;
bad:
	lite_error_set(&e, "08P01", "invalid Bind message");
	goto fail;
oom:
	lite_error_set(&e, "53200", "out of memory");
fail:
	free(fmts);
	free(rfmts);
	ses_portal_free(p);
	ses_ext_error(s, &e);
}

static void send_param_description(struct lite_session *s, const struct lite_stmt *ps)
{
	pkt_begin(&s->out, 't');
	pkt_int16(&s->out, (int16_t)ps->nparams);
	for (int i = 0; i < ps->nparams; i++)
		pkt_int32(&s->out, (int32_t)ps->param_oids[i]);
	pkt_end(&s->out);
}

/*
 * Describe's and Close's body: 'S' or 'P', then a name.  The kind, or 0
 * after answering 08P01 as PostgreSQL does (what names the message).
 */
static uint8_t read_kind_name(struct lite_session *s, struct pkt_reader *r, const char *what,
			      const char **name)
{
	uint8_t kind = pr_byte(r);

	*name = pr_string(r);
	if (r->err || (kind != 'S' && kind != 'P')) {
		struct lite_error e = {0};
		lite_error_set(&e, "08P01", "invalid %s message subtype %d", what, kind);
		ses_ext_error(s, &e);
		return 0;
	}
	return kind;
}

void ses_handle_describe(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	const char *name;
	uint8_t kind = read_kind_name(s, r, "DESCRIBE", &name);

	if (!kind)
		return;
	if (kind == 'S') {
		struct lite_stmt *ps = ses_stmt_find(s, name);
		if (!ps) {
			if (name[0])
				lite_error_set(&e, "26000", "prepared statement \"%s\" does not exist",
					       name);
			else
				lite_error_set(&e, "26000", "unnamed prepared statement does not exist");
			ses_ext_error(s, &e);
			return;
		}
		if (ses_stmt_revalidate(s, ps, &e) < 0) {
			ses_ext_error(s, &e);
			return;
		}
		send_param_description(s, ps);
		if (ps->ncols > 0 && ps->t->kind != SQLT_COPY_TO)
			ses_send_row_description(s, ps, NULL);
		else
			ses_send_empty(s, 'n');
		return;
	}
	struct lite_portal *p = ses_portal_find(s, name);
	if (!p) {
		lite_error_set(&e, "34000", "portal \"%s\" does not exist", name);
		ses_ext_error(s, &e);
		return;
	}
	if (p->ps->ncols > 0 && p->ps->t->kind != SQLT_COPY_TO)
		ses_send_row_description(s, p->ps, p->formats);
	else
		ses_send_empty(s, 'n');
}

void ses_handle_execute(struct lite_session *s, struct pkt_reader *r)
{
	struct lite_error e = {0};
	const char *name = pr_string(r);
	int32_t max_rows = pr_int32(r);

	if (r->err) {
		lite_error_set(&e, "08P01", "invalid Execute message");
		ses_ext_error(s, &e);
		return;
	}
	struct lite_portal *p = ses_portal_find(s, name);
	if (!p) {
		lite_error_set(&e, "34000", "portal \"%s\" does not exist", name);
		ses_ext_error(s, &e);
		return;
	}
	struct lite_stmt *ps = p->ps;
	if (ses_ps_is_sql(ps) && !p->started && ses_sql_check(s, ps, &e) < 0) {
		ses_ext_error(s, &e);
		return;
	}
	if (p->done) {
		/* PostgreSQL answers an exhausted portal with an empty result. */
		char tag[64];
		if (strcmp(ses_ps_tag(ps), "SELECT") == 0)
			snprintf(tag, sizeof(tag), "SELECT 0");
		else
			ses_sql_tag(s, ses_ps_tag(ps), 0, tag, sizeof(tag));
		ses_send_complete(s, tag);
		return;
	}
	if (!ses_ps_is_sql(ps) || !p->st) {
		/* COMMIT and ROLLBACK close every portal, this one too: p is
		 * not touched after ses_run_utility().  rc 1 (COPY FROM) carries
		 * on with the CopyData messages. */
		p->done = true;
		if (ses_run_utility(s, ps, p->formats, &e) < 0)
			ses_ext_error(s, &e);
		return;
	}
	enum run_result res = ses_run_rows(s, p->st, ps->shape, ps->ncols, ps->cols, p->formats,
					   max_rows, &p->rows, &p->autocommit_writer, &e);
	p->started = true;
	if (res == RUN_SUSPENDED) {
		ses_send_empty(s, 's');
		return;
	}
	if (res == RUN_ERROR || res == RUN_CHANGED) {
		if (res == RUN_CHANGED)
			ps->changed = true;
		p->done = true;
		if (p->autocommit_writer) {
			lite_writer_release(s);
			p->autocommit_writer = false;
		}
		ses_ext_error(s, &e);
		return;
	}
	char tag[64];
	ses_sql_tag(s, ses_ps_tag(ps), p->rows, tag, sizeof(tag));
	p->done = true;
	sqlite3_reset(p->st); /* end the statement's read transaction now */
	if (p->autocommit_writer) {
		lite_writer_release(s);
		p->autocommit_writer = false;
	}
	ses_send_complete(s, tag);
	ses_sql_done(s, ps);
}

void ses_handle_close(struct lite_session *s, struct pkt_reader *r)
{
	const char *name;
	uint8_t kind = read_kind_name(s, r, "CLOSE", &name);

	if (!kind)
		return;
	if (kind == 'S') {
		struct lite_stmt *ps = ses_stmt_find(s, name);
		if (ps)
			ses_stmt_remove(s, ps);
	} else {
		struct lite_portal *p = ses_portal_find(s, name);
		if (p)
			ses_portal_drop(s, p);
	}
	ses_send_empty(s, '3');
}

void ses_handle_sync(struct lite_session *s)
{
	s->skip_to_sync = false;
	if (!s->block) {
		/* The implicit transaction of the batch ends here: portals go,
		 * and with them any read transaction they kept open. */
		ses_portals_drop_all(s);
	}
	ses_send_ready(s);
}
