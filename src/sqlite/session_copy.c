/*
 * session_copy.c - COPY on a SQLite session.  COPY FROM STDIN (text and
 * CSV) turns each row of the CopyData stream into an INSERT, all rows in
 * one transaction, so that a bad row keeps none; COPY TO STDOUT (a table
 * or a query, as the translator made it a SELECT) sends each row as a
 * CopyData line.  Parsing and escaping the formats is copy.c's; binary
 * COPY is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/copy.h"
#include "sqlite/session_int.h"
#include "sqlite/types.h"

void ses_copy_reset(struct lite_session *s)
{
	sqlite3_finalize(s->copy_st);
	s->copy_st = NULL;
	free(s->copy_oids);
	s->copy_oids = NULL;
	s->copy_ncols = 0;
	s->copy_line.len = s->copy_line.off = 0;
	s->copy = COPY_NONE;
	s->copy_opts = NULL;
	ses_stmt_free(s->copy_stmt); /* a simple Query's COPY statement */
	s->copy_stmt = NULL;
}

/* PostgreSQL's refusal of a generated column in COPY's column list. */
static void copy_generated_error(struct lite_error *e, const char *column)
{
	lite_error_set(e, "42P10", "column \"%s\" is a generated column", column);
	snprintf(e->detail, sizeof(e->detail), "Generated columns cannot be used in COPY.");
}

/* The index of column name in tb, or -1. */
static int copy_column_index(const struct lite_table *tb, const char *name)
{
	for (int j = 0; j < tb->n; j++)
		if (strcasecmp(tb->names[j], name) == 0)
			return j;
	return -1;
}

int ses_copy_to_select(struct lite_session *s, const struct sqlt_stmt *t, char **sql,
		       struct lite_error *e)
{
	const struct lite_table *tb;
	bool any = false;

	*sql = NULL;
	if (t->kind != SQLT_COPY_TO || !t->copy.table)
		return 0; /* COPY (query) TO: the query's own columns */
	tb = ses_schema_table(s, t->copy.table);
	if (!tb) {
		lite_error_set(e, "53200", "out of memory");
		return -1;
	}
	if (t->copy.columns) {
		for (int i = 0; i < t->copy.ncolumns; i++) {
			int j = copy_column_index(tb, t->copy.columns[i]);
			if (j >= 0 && tb->generated[j]) {
				copy_generated_error(e, t->copy.columns[i]);
				return -1;
			}
		}
		return 0; /* SQLite reports a column that does not exist */
	}
	for (int j = 0; j < tb->n; j++)
		any |= tb->generated[j];
	if (!any)
		return 0;
	sqlite3_str *q = sqlite3_str_new(NULL);
	sqlite3_str_appendall(q, "SELECT ");
	for (int j = 0, k = 0; j < tb->n; j++)
		if (!tb->generated[j])
			sqlite3_str_appendf(q, "%s\"%w\"", k++ ? ", " : "", tb->names[j]);
	sqlite3_str_appendf(q, " FROM \"%w\"", t->copy.table);
	*sql = sqlite3_str_finish(q);
	if (!*sql) {
		lite_error_set(e, "53200", "out of memory");
		return -1;
	}
	return 0;
}

/* COPY FROM STDIN: the INSERT each row runs, then CopyInResponse. */
int ses_copy_in_start(struct lite_session *s, const struct sqlt_stmt *t, struct lite_error *e)
{
	const struct lite_table *tb;
	struct pkt sql;
	int ncols = 0;

	if (t->copy.format == SQLT_COPY_BINARY) {
		lite_error_set(e, "0A000", "COPY FROM in binary format is not supported by pgpin's "
					   "SQLite backend");
		return -1;
	}
	ses_schema_check(s);
	tb = ses_schema_table(s, t->copy.table);
	if (!tb)
		goto oom;
	if (tb->n == 0) {
		lite_error_set(e, "42P01", "relation \"%s\" does not exist", t->copy.table);
		goto fail;
	}
	/* The columns named, else all but the generated ones (as PostgreSQL). */
	if (t->copy.columns) {
		ncols = t->copy.ncolumns;
	} else {
		for (int i = 0; i < tb->n; i++)
			ncols += !tb->generated[i];
		if (ncols > COPY_MAX_FIELDS)
			ncols = COPY_MAX_FIELDS;
	}
	s->copy_oids = calloc(ncols ? ncols : 1, sizeof(uint32_t));
	if (!s->copy_oids)
		goto oom;
	pkt_init(&sql);
	char *q = sqlite3_mprintf("INSERT INTO \"%w\" (", t->copy.table);
	pkt_bytes(&sql, q, strlen(q));
	sqlite3_free(q);
	for (int i = 0, next = 0; i < ncols; i++) {
		const char *cn;
		int j;

		if (t->copy.columns) {
			cn = t->copy.columns[i];
			j = copy_column_index(tb, cn);
			if (j < 0) {
				lite_error_set(e, "42703",
					       "column \"%s\" of relation \"%s\" does not exist", cn,
					       t->copy.table);
				pkt_free(&sql);
				goto fail;
			}
			if (tb->generated[j]) {
				copy_generated_error(e, cn);
				pkt_free(&sql);
				goto fail;
			}
		} else {
			while (tb->generated[next])
				next++;
			j = next++;
			cn = tb->names[j];
		}
		s->copy_oids[i] = tb->oids[j];
		q = sqlite3_mprintf("%s\"%w\"", i ? ", " : "", cn);
		pkt_bytes(&sql, q, strlen(q));
		sqlite3_free(q);
	}
	pkt_bytes(&sql, ") VALUES (", 10);
	for (int i = 0; i < ncols; i++) {
		char p[16];
		snprintf(p, sizeof(p), "%s?%d", i ? ", " : "", i + 1);
		pkt_bytes(&sql, p, strlen(p));
	}
	pkt_bytes(&sql, ")", 2); /* with the NUL */
	int rc = sql.oom ? SQLITE_NOMEM
			 : sqlite3_prepare_v2(s->db, (const char *)sql.data, -1, &s->copy_st, NULL);
	pkt_free(&sql);
	if (rc != SQLITE_OK) {
		lite_error_from_sqlite(s->db, rc, e);
		goto fail;
	}
	/* COPY is atomic: all rows or none. */
	s->copy_implicit = sqlite3_get_autocommit(s->db);
	if (s->copy_implicit && ses_txn_begin_immediate(s, e) < 0)
		goto fail;
	s->copy_ncols = ncols;
	s->copy_opts = (struct sqlt_copy *)&t->copy;
	s->copy_rows = 0;
	s->copy = COPY_IN;
	s->copy_header = t->copy.header;
	/* CopyInResponse: overall format text, per-column text. */
	pkt_begin(&s->out, 'G');
	pkt_byte(&s->out, 0);
	pkt_int16(&s->out, (int16_t)ncols);
	for (int i = 0; i < ncols; i++)
		pkt_int16(&s->out, 0);
	pkt_end(&s->out);
	return 0;
oom:
	lite_error_set(e, "53200", "out of memory");
fail:
	ses_copy_reset(s);
	return -1;
}

/* Insert one parsed row. */
static int copy_insert(struct lite_session *s, struct copy_field *f, int n, struct lite_error *e)
{
	struct pgt_error pe;
	if (n != s->copy_ncols) {
		lite_error_set(e, "22P04", n < s->copy_ncols ? "missing data for column %d"
							      : "extra data after last expected column (%d)",
			       n < s->copy_ncols ? n + 1 : s->copy_ncols);
		return -1;
	}
	sqlite3_reset(s->copy_st);
	for (int i = 0; i < n; i++) {
		if (pgt_bind(s->copy_st, i + 1, s->copy_oids[i], 0, (const uint8_t *)f[i].data,
			     f[i].null ? -1 : (int32_t)f[i].len, &pe) < 0) {
			lite_error_set(e, pe.sqlstate, "%s", pe.message);
			return -1;
		}
	}
	int rc = sqlite3_step(s->copy_st);
	if (rc != SQLITE_DONE) {
		lite_error_from_sqlite(s->db, rc, e);
		return -1;
	}
	s->copy_rows++;
	return 0;
}

/* Feed CopyData bytes; complete rows are inserted. */
int ses_copy_data(struct lite_session *s, const uint8_t *data, size_t len, bool final,
		     struct lite_error *e)
{
	struct copy_field fields[COPY_MAX_FIELDS];
	struct copy_parser cp;
	int rc = 0;

	copy_parser_init(&cp, s->copy_opts->format == SQLT_COPY_CSV, s->copy_opts->delimiter,
			 s->copy_opts->quote, s->copy_opts->escape, s->copy_opts->null_string);
	if (len && lite_buf_append(&s->copy_line, data, len) < 0) {
		lite_error_set(e, "53200", "out of memory");
		return -1;
	}
	for (;;) {
		const char *line = (const char *)s->copy_line.data + s->copy_line.off;
		size_t avail = s->copy_line.len - s->copy_line.off;
		size_t used = 0;
		int n = copy_next_row(&cp, line, avail, final, fields, COPY_MAX_FIELDS, &used);
		if (n == COPY_NEED_MORE)
			break;
		if (n == COPY_ERROR) {
			lite_error_set(e, "22P04", "%s", cp.error);
			snprintf(e->detail, sizeof(e->detail), "COPY %s, line %llu", s->copy_opts->table,
				 (unsigned long long)s->copy_rows + 1);
			rc = -1;
			break;
		}
		s->copy_line.off += used;
		if (n == COPY_END_MARKER)
			continue;
		if (s->copy_header) {
			s->copy_header = false; /* HEADER: the first line is not data */
			continue;
		}
		if (copy_insert(s, fields, n, e) < 0) {
			snprintf(e->detail, sizeof(e->detail), "COPY %s, line %llu", s->copy_opts->table,
				 (unsigned long long)s->copy_rows + 1);
			rc = -1;
			break;
		}
	}
	copy_parser_free(&cp);
	if (s->copy_line.off == s->copy_line.len)
		s->copy_line.off = s->copy_line.len = 0;
	return rc;
}

void ses_copy_finish(struct lite_session *s, bool ok, const struct lite_error *err)
{
	struct lite_error e = {0};
	char tag[48];
	bool implicit = s->copy_implicit;
	uint64_t rows = s->copy_rows;

	ses_copy_reset(s);
	if (ok) {
		if (implicit) {
			int rc = ses_exec(s->db, "COMMIT");
			lite_writer_release(s);
			if (rc != SQLITE_OK) {
				lite_error_from_sqlite(s->db, rc, &e);
				ses_exec(s->db, "ROLLBACK");
				ses_send_error(s, &e);
				return;
			}
		}
		snprintf(tag, sizeof(tag), "COPY %llu", (unsigned long long)rows);
		ses_send_complete(s, tag);
		return;
	}
	if (implicit) {
		ses_exec(s->db, "ROLLBACK");
		lite_writer_release(s);
	} else {
		ses_txn_after_error(s);
	}
	ses_send_error(s, err);
}

int ses_copy_out(struct lite_session *s, struct lite_stmt *ps, struct lite_error *e)
{
	struct copy_parser cp;
	uint64_t rows = 0;
	char tag[48];
	struct pkt line;

	if (!ps->st) {
		lite_error_set(e, "0A000", "this COPY TO is not supported by pgpin's SQLite backend");
		return -1;
	}
	if (ps->t->copy.format == SQLT_COPY_BINARY) {
		lite_error_set(e, "0A000", "COPY TO in binary format is not supported by pgpin's "
					   "SQLite backend");
		return -1;
	}
	copy_parser_init(&cp, ps->t->copy.format == SQLT_COPY_CSV, ps->t->copy.delimiter,
			 ps->t->copy.quote, ps->t->copy.escape, ps->t->copy.null_string);
	int ncols = sqlite3_column_count(ps->st);
	pkt_begin(&s->out, 'H');
	pkt_byte(&s->out, 0);
	pkt_int16(&s->out, (int16_t)ncols);
	for (int i = 0; i < ncols; i++)
		pkt_int16(&s->out, 0);
	pkt_end(&s->out);
	pkt_init(&line);
	sqlite3_reset(ps->st);
	lite_running(s, true);
	int rc;
	while ((rc = sqlite3_step(ps->st)) == SQLITE_ROW) {
		struct pgt_error pe;
		struct pkt val;
		pkt_reset(&line);
		for (int i = 0; i < ncols; i++) {
			if (i)
				pkt_byte(&line, (uint8_t)cp.delimiter);
			pkt_init(&val);
			uint32_t oid = i < ps->ncols ? ps->cols[i].oid : OID_TEXT;
			if (pgt_encode(&val, ps->st, i, oid, 0, &pe) < 0) {
				pkt_free(&val);
				pkt_free(&line);
				copy_parser_free(&cp);
				lite_running(s, false);
				sqlite3_reset(ps->st);
				lite_error_set(e, pe.sqlstate, "%s", pe.message);
				return -1;
			}
			int32_t vlen = (int32_t)proto_get_u32(val.data);
			if (vlen < 0)
				pkt_bytes(&line, cp.null_string, strlen(cp.null_string));
			else
				copy_escape_field(&cp, &line, (const char *)val.data + 4, (size_t)vlen,
						  ncols == 1);
			pkt_free(&val);
		}
		pkt_byte(&line, '\n');
		pkt_begin(&s->out, 'd');
		pkt_bytes(&s->out, line.data, line.len);
		pkt_end(&s->out);
		rows++;
		if (s->out.len >= 65536)
			lite_flush(s);
	}
	lite_running(s, false);
	pkt_free(&line);
	copy_parser_free(&cp);
	if (rc != SQLITE_DONE) {
		lite_error_from_sqlite(s->db, rc, e);
		sqlite3_reset(ps->st);
		return -1;
	}
	sqlite3_reset(ps->st);
	ses_send_empty(s, 'c');
	snprintf(tag, sizeof(tag), "COPY %llu", (unsigned long long)rows);
	ses_send_complete(s, tag);
	return 0;
}
