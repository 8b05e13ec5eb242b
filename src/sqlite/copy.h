/*
 * copy.h - the data of COPY FROM STDIN / COPY TO STDOUT, text and CSV.
 *
 * Pure: rows are cut out of a byte stream and split into fields with
 * PostgreSQL's rules (text format: backslash escapes, \N for NULL, "\."
 * as an end marker; CSV: quotes, doubled quotes or an escape character,
 * newlines inside quoted fields, an unquoted empty field as NULL), and
 * values are escaped the same way on the way out.
 */
#ifndef PGPIN_SQLITE_COPY_H
#define PGPIN_SQLITE_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

#define COPY_MAX_FIELDS 1600 /* PostgreSQL's MaxTupleAttributeNumber */

enum { COPY_NEED_MORE = -1, COPY_ERROR = -2, COPY_END_MARKER = -3 };

struct copy_field {
	const char *data; /* unescaped value (points into the parser's scratch) */
	size_t len;
	bool null;
};

struct copy_parser {
	bool csv;
	char delimiter;
	char quote;
	char escape;
	const char *null_string;
	char error[160];
	char *scratch;
	size_t scap;
};

/* Zero/NULL options take PostgreSQL's defaults for the format. */
void copy_parser_init(struct copy_parser *cp, bool csv, char delimiter, char quote, char escape,
		      const char *null_string);
void copy_parser_free(struct copy_parser *cp);

/*
 * Cut the next row from buf[0..len).  Returns the number of fields (and
 * *used, the bytes the row took), COPY_NEED_MORE when no complete row is
 * there yet (final: the data ended, so what is left is the last row),
 * COPY_END_MARKER for a "\." line, or COPY_ERROR with cp->error set.
 * Fields stay valid until the next call.
 */
int copy_next_row(struct copy_parser *cp, const char *buf, size_t len, bool final,
		  struct copy_field *fields, int max, size_t *used);

/* Append value escaped for the format (not NULL: the caller writes the NULL
 * string); alone: it is the row's only field (CSV then quotes a lone \. so
 * that it does not read back as the end-of-data marker, as PostgreSQL does). */
void copy_escape_field(const struct copy_parser *cp, struct pkt *out, const char *data,
		       size_t len, bool alone);

#endif
