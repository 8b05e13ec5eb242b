/*
 * translate_copy.c - COPY: the table and columns, FROM STDIN or TO
 * STDOUT, and the options in both the current (WITH (FORMAT csv, ...))
 * and the old (CSV HEADER DELIMITER ',') syntax, into sqlt_copy; for COPY
 * TO, the SELECT whose rows the engine streams.  Reading and writing the
 * data itself is copy.c's; files and programs are refused.
 */
#include "sqlite/translate_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A single-character COPY option value. */
static bool copy_char(struct sqlt_ctx *c, size_t i, char *out, const char *what)
{
	struct sqlt_tr *tr = c->tr;
	char *v;
	size_t n;

	if (i >= c->b || tr->t[i].kind != LX_STRING) {
		sqlt_syntax_error(c, i);
		return false;
	}
	v = sqlt_string_value(tr, i, &n);
	if (v == NULL || n != 1) {
		sqlt_fail(tr, "0A000", "COPY %s must be a single one-byte character", what);
		free(v);
		return false;
	}
	*out = v[0];
	free(v);
	return true;
}

/* An optional boolean option value at i (true if absent); *next after it. */
static bool copy_bool(const struct sqlt_tr *tr, size_t i, size_t b, bool *out, size_t *next)
{
	*next = i;
	*out = true;
	if (sqlt_kw(tr, i, b, "true") || sqlt_kw(tr, i, b, "on") ||
	    (i < b && tr->t[i].kind == LX_NUMBER && tr->t[i].s[0] == '1')) {
		*next = sqlt_nxt(tr, i, b);
	} else if (sqlt_kw(tr, i, b, "false") || sqlt_kw(tr, i, b, "off") ||
		   (i < b && tr->t[i].kind == LX_NUMBER && tr->t[i].s[0] == '0')) {
		*out = false;
		*next = sqlt_nxt(tr, i, b);
	}
	return true;
}

/* One COPY option (new or old syntax) at i; returns the next index. */
static size_t copy_option(struct sqlt_ctx *c, size_t i, bool old_syntax, bool *delim_set,
			  bool *null_set, bool *quote_set, bool *escape_set)
{
	struct sqlt_tr *tr = c->tr;
	struct sqlt_copy *cp = &c->st->copy;
	size_t b = c->b, j = sqlt_nxt(tr, i, b);
	char w[32];
	bool flag;

	sqlt_ident(tr, i, w, sizeof(w));
	if (old_syntax && sqlt_kw(tr, j, b, "as") &&
	    (strcmp(w, "delimiter") == 0 || strcmp(w, "null") == 0 || strcmp(w, "quote") == 0 ||
	     strcmp(w, "escape") == 0))
		j = sqlt_nxt(tr, j, b);
	if (strcmp(w, "format") == 0) {
		char f[16];
		if (!sqlt_is_name(tr, j, b)) {
			sqlt_syntax_error(c, j);
			return b;
		}
		sqlt_ident(tr, j, f, sizeof(f));
		if (strcmp(f, "text") == 0)
			cp->format = SQLT_COPY_TEXT;
		else if (strcmp(f, "csv") == 0)
			cp->format = SQLT_COPY_CSV;
		else if (strcmp(f, "binary") == 0)
			cp->format = SQLT_COPY_BINARY;
		else {
			sqlt_fail(tr, "22023", "COPY format \"%s\" not recognized", f);
			return b;
		}
		return sqlt_nxt(tr, j, b);
	}
	if (strcmp(w, "csv") == 0 && old_syntax) {
		cp->format = SQLT_COPY_CSV;
		return j;
	}
	if (strcmp(w, "binary") == 0 && old_syntax) {
		cp->format = SQLT_COPY_BINARY;
		return j;
	}
	if (strcmp(w, "delimiter") == 0) {
		*delim_set = copy_char(c, j, &cp->delimiter, "delimiter");
		return sqlt_nxt(tr, j, b);
	}
	if (strcmp(w, "quote") == 0) {
		*quote_set = copy_char(c, j, &cp->quote, "quote");
		return sqlt_nxt(tr, j, b);
	}
	if (strcmp(w, "escape") == 0) {
		*escape_set = copy_char(c, j, &cp->escape, "escape");
		return sqlt_nxt(tr, j, b);
	}
	if (strcmp(w, "null") == 0) {
		if (j >= b || tr->t[j].kind != LX_STRING) {
			sqlt_syntax_error(c, j);
			return b;
		}
		free(cp->null_string);
		cp->null_string = sqlt_string_value(tr, j, NULL);
		if (cp->null_string == NULL) {
			sqlt_fail(tr, "22025", "invalid COPY NULL string");
			return b;
		}
		*null_set = true;
		return sqlt_nxt(tr, j, b);
	}
	if (strcmp(w, "header") == 0) {
		size_t nx;
		if (sqlt_kw(tr, j, b, "match")) {
			sqlt_unsupported(tr, "COPY HEADER MATCH");
			return b;
		}
		copy_bool(tr, j, b, &flag, &nx);
		cp->header = flag;
		return nx;
	}
	if (strcmp(w, "freeze") == 0 || strcmp(w, "oids") == 0) {
		size_t nx;
		copy_bool(tr, j, b, &flag, &nx);
		if (strcmp(w, "oids") == 0 && flag) {
			sqlt_unsupported(tr, "COPY WITH OIDS");
			return b;
		}
		return nx;
	}
	if (strcmp(w, "encoding") == 0) {
		char e[32] = "";
		if (j < b && tr->t[j].kind == LX_STRING) {
			snprintf(e, sizeof(e), "%.*s", (int)(tr->t[j].len - 2), tr->t[j].s + 1);
			for (char *p = e; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		}
		if (strcmp(e, "utf8") != 0 && strcmp(e, "utf-8") != 0 &&
		    strcmp(e, "sql_ascii") != 0) {
			sqlt_unsupported(tr, "COPY ENCODING other than UTF8");
			return b;
		}
		return sqlt_nxt(tr, j, b);
	}
	if (strcmp(w, "force_quote") == 0 || strcmp(w, "force_not_null") == 0 ||
	    strcmp(w, "force_null") == 0 || strcmp(w, "force") == 0) {
		/* their column lists: accepted; quoting detail is the engine's */
		if (strcmp(w, "force") == 0) {
			while (sqlt_kw(tr, j, b, "not") || sqlt_kw(tr, j, b, "null") ||
			       sqlt_kw(tr, j, b, "quote"))
				j = sqlt_nxt(tr, j, b);
		}
		if (sqlt_is(tr, j, b, "("))
			return sqlt_nxt(tr, sqlt_mpar(tr, j, b), b);
		if (sqlt_is(tr, j, b, "*"))
			return sqlt_nxt(tr, j, b);
		while (sqlt_is_name(tr, j, b)) {
			j = sqlt_nxt(tr, j, b);
			if (!sqlt_is(tr, j, b, ","))
				break;
			j = sqlt_nxt(tr, j, b);
		}
		return j;
	}
	sqlt_fail(tr, "42601", "option \"%s\" not recognized", w);
	return b;
}

/* A table name (maybe qualified) at i: folded, schema dropped. */
static size_t table_name(struct sqlt_ctx *c, size_t i, char **out)
{
	struct sqlt_tr *tr = c->tr;
	size_t b = c->b;

	if (!sqlt_is_name(tr, i, b)) {
		sqlt_syntax_error(c, i);
		return b;
	}
	i = sqlt_name_end(tr, i, b) - 1; /* the last part */
	*out = sqlt_ident_dup(tr, i);
	if (*out == NULL)
		tr->oom = true;
	return sqlt_nxt(tr, i, b);
}

/* COPY t [(cols)] FROM STDIN [opts] | COPY t [(cols)] | (query) TO STDOUT [opts] */
void sqlt_h_copy(struct sqlt_ctx *c, const char *m)
{
	struct sqlt_tr *tr = c->tr;
	struct sqlt_stmt *st = c->st;
	struct sqlt_copy *cp = &st->copy;
	size_t b = c->b, i = sqlt_nxt(tr, sqlt_sig(tr, 0, b), b), qa = SQLT_NONE, qe = SQLT_NONE,
	       ca = SQLT_NONE, ce = SQLT_NONE;
	bool from, delim_set = false, null_set = false, quote_set = false, escape_set = false;

	(void)m;
	sqlt_set_tag(st, "COPY");
	if (sqlt_kw(tr, i, b, "binary")) {
		cp->format = SQLT_COPY_BINARY;
		i = sqlt_nxt(tr, i, b);
	}
	if (sqlt_is(tr, i, b, "(")) {
		qa = i + 1;
		qe = sqlt_mpar(tr, i, b);
		i = sqlt_nxt(tr, qe, b);
	} else {
		i = table_name(c, i, &cp->table);
		if (sqlt_is(tr, i, b, "(")) {
			size_t close = sqlt_mpar(tr, i, b);
			struct sqlt_clause cols[256];
			int n = sqlt_split_commas(tr, i + 1, close, cols, 256);
			ca = i + 1;
			ce = close;
			cp->columns = calloc((size_t)n + 1, sizeof(char *));
			if (cp->columns == NULL) {
				tr->oom = true;
				return;
			}
			for (int k = 0; k < n; k++) {
				size_t f = sqlt_sig(tr, cols[k].a, cols[k].e);
				if (!sqlt_is_name(tr, f, b)) {
					sqlt_syntax_error(c, f);
					return;
				}
				cp->columns[k] = sqlt_ident_dup(tr, f);
				if (cp->columns[k] == NULL) {
					tr->oom = true;
					return;
				}
				cp->ncolumns++;
			}
			i = sqlt_nxt(tr, close, b);
		}
	}
	if (tr->state[0] != '\0')
		return;
	if (sqlt_kw(tr, i, b, "from"))
		from = true;
	else if (sqlt_kw(tr, i, b, "to"))
		from = false;
	else {
		sqlt_syntax_error(c, i);
		return;
	}
	if (from && qa != SQLT_NONE) {
		sqlt_syntax_error(c, i);
		return;
	}
	i = sqlt_nxt(tr, i, b);
	if (sqlt_kw(tr, i, b, "program") || (i < b && tr->t[i].kind == LX_STRING)) {
		sqlt_unsupported(tr,
				 from ? "COPY FROM a file or program (use STDIN, or psql's \\copy)"
				      : "COPY TO a file or program (use STDOUT, or psql's \\copy)");
		return;
	}
	if (!(from ? sqlt_kw(tr, i, b, "stdin") : sqlt_kw(tr, i, b, "stdout"))) {
		sqlt_syntax_error(c, i);
		return;
	}
	i = sqlt_nxt(tr, i, b);
	if (sqlt_kw(tr, i, b, "with"))
		i = sqlt_nxt(tr, i, b);
	if (sqlt_is(tr, i, b, "(")) {
		size_t close = sqlt_mpar(tr, i, b);
		struct sqlt_clause opts[32];
		int n = sqlt_split_commas(tr, i + 1, close, opts, 32);
		for (int k = 0; k < n && tr->state[0] == '\0'; k++) {
			size_t o = sqlt_sig(tr, opts[k].a, opts[k].e);
			if (copy_option(c, o, false, &delim_set, &null_set, &quote_set,
					&escape_set) < opts[k].e &&
			    tr->state[0] == '\0')
				sqlt_syntax_error(c, o);
		}
		i = sqlt_nxt(tr, close, b);
	} else {
		while (i < b && tr->state[0] == '\0' && sqlt_is_name(tr, i, b) &&
		       !sqlt_kw(tr, i, b, "where"))
			i = copy_option(c, i, true, &delim_set, &null_set, &quote_set, &escape_set);
	}
	if (tr->state[0] != '\0')
		return;
	if (sqlt_kw(tr, i, b, "where")) {
		sqlt_unsupported(tr, "COPY FROM ... WHERE");
		return;
	}
	if (i < b) {
		sqlt_syntax_error(c, i);
		return;
	}
	if (!delim_set)
		cp->delimiter = cp->format == SQLT_COPY_CSV ? ',' : '\t';
	if (!quote_set)
		cp->quote = '"';
	if (!escape_set)
		cp->escape = cp->quote;
	if (!null_set) {
		cp->null_string = strdup(cp->format == SQLT_COPY_CSV ? "" : "\\N");
		if (cp->null_string == NULL)
			tr->oom = true;
	}
	if (from) {
		st->kind = SQLT_COPY_FROM;
		return;
	}
	st->kind = SQLT_COPY_TO;
	if (qa != SQLT_NONE) {
		size_t f = sqlt_sig(tr, qa, qe);
		if (sqlt_kw(tr, f, qe, "insert") || sqlt_kw(tr, f, qe, "update") ||
		    sqlt_kw(tr, f, qe, "delete"))
			sqlt_unsupported(tr, "COPY (INSERT/UPDATE/DELETE ... RETURNING) TO");
		else
			sqlt_emit_query(tr, f, sqlt_prev_sig(tr, qa, qe) + 1);
		return;
	}
	sqlt_sb_puts(&tr->out, "SELECT ");
	if (ca != SQLT_NONE)
		sqlt_emit_range(tr, sqlt_sig(tr, ca, ce), sqlt_prev_sig(tr, ca, ce) + 1);
	else
		sqlt_sb_puts(&tr->out, "*");
	sqlt_sb_puts(&tr->out, " FROM ");
	sqlt_sb_ident(&tr->out, cp->table, strlen(cp->table));
}
