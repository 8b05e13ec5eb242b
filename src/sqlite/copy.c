/*
 * copy.c - COPY's text and CSV formats, both directions (see copy.h).
 */
#include "sqlite/copy.h"
#include "sqlite/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void copy_parser_init(struct copy_parser *cp, bool csv, char delimiter, char quote, char escape,
		      const char *null_string)
{
	memset(cp, 0, sizeof(*cp));
	cp->csv = csv;
	cp->delimiter = delimiter ? delimiter : (csv ? ',' : '\t');
	cp->quote = quote ? quote : '"';
	cp->escape = escape ? escape : cp->quote;
	cp->null_string = null_string ? null_string : (csv ? "" : "\\N");
}

void copy_parser_free(struct copy_parser *cp)
{
	free(cp->scratch);
	cp->scratch = NULL;
	cp->scap = 0;
}

static int scratch_fit(struct copy_parser *cp, size_t n)
{
	if (n + 1 <= cp->scap)
		return 0;
	char *p = realloc(cp->scratch, n + 1);
	if (!p) {
		snprintf(cp->error, sizeof(cp->error), "out of memory");
		return -1;
	}
	cp->scratch = p;
	cp->scap = n + 1;
	return 0;
}

/* Text format: one line (without its newline) into fields. */
static int split_text(struct copy_parser *cp, const char *line, size_t n,
		      struct copy_field *fields, int max)
{
	size_t nl = strlen(cp->null_string);
	char *out = cp->scratch;
	int nf = 0;
	size_t i = 0;

	for (;;) {
		size_t start = i;
		char *fstart = out;
		while (i < n && line[i] != cp->delimiter) {
			char c = line[i++];
			if (c != '\\' || i >= n) {
				*out++ = c;
				continue;
			}
			c = line[i++];
			switch (c) {
			case 'b': *out++ = '\b'; break;
			case 'f': *out++ = '\f'; break;
			case 'n': *out++ = '\n'; break;
			case 'r': *out++ = '\r'; break;
			case 't': *out++ = '\t'; break;
			case 'v': *out++ = '\v'; break;
			case 'x':
				if (i < n && hex_value(line[i]) >= 0) {
					int v = hex_value(line[i++]);
					if (i < n && hex_value(line[i]) >= 0)
						v = v * 16 + hex_value(line[i++]);
					*out++ = (char)v;
				} else {
					*out++ = 'x';
				}
				break;
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0';
					for (int k = 0; k < 2 && i < n && line[i] >= '0' && line[i] <= '7'; k++)
						v = v * 8 + (line[i++] - '0');
					*out++ = (char)v;
				} else {
					*out++ = c;
				}
			}
		}
		if (nf >= max) {
			snprintf(cp->error, sizeof(cp->error), "extra data after last expected column");
			return COPY_ERROR;
		}
		fields[nf].data = fstart;
		fields[nf].len = (size_t)(out - fstart);
		fields[nf].null = i - start == nl && memcmp(line + start, cp->null_string, nl) == 0;
		nf++;
		if (i >= n)
			break;
		i++; /* the delimiter */
	}
	return nf;
}

/* CSV: the row starting at buf; finds its end (quotes may hold newlines). */
static int split_csv(struct copy_parser *cp, const char *buf, size_t len, bool final,
		     struct copy_field *fields, int max, size_t *used)
{
	size_t nl = strlen(cp->null_string);
	char *out = cp->scratch;
	int nf = 0;
	size_t i = 0;

	for (;;) {
		char *fstart = out;
		size_t start = i;
		bool quoted = false, in_quote = false;
		for (;;) {
			if (i >= len) {
				if (!final || in_quote) {
					if (final && in_quote) {
						snprintf(cp->error, sizeof(cp->error),
							 "unterminated CSV quoted field");
						return COPY_ERROR;
					}
					return COPY_NEED_MORE;
				}
				break;
			}
			char c = buf[i];
			if (in_quote) {
				/* Inside quotes ESCAPE takes the next character when
				 * it is QUOTE or ESCAPE (PostgreSQL's CopyReadAttributesCSV). */
				if (c == cp->escape && i + 1 < len &&
				    (buf[i + 1] == cp->quote || buf[i + 1] == cp->escape)) {
					*out++ = buf[i + 1];
					i += 2;
					continue;
				}
				if (c == cp->escape && cp->escape == cp->quote && i + 1 >= len && !final)
					return COPY_NEED_MORE; /* maybe a doubled quote */
				if (c == cp->quote) {
					in_quote = false;
					i++;
					continue;
				}
				*out++ = c;
				i++;
				continue;
			}
			if (c == cp->quote) {
				in_quote = quoted = true;
				i++;
				continue;
			}
			if (c == cp->delimiter || c == '\n' || c == '\r')
				break;
			*out++ = c;
			i++;
		}
		if (nf >= max) {
			snprintf(cp->error, sizeof(cp->error), "extra data after last expected column");
			return COPY_ERROR;
		}
		fields[nf].data = fstart;
		fields[nf].len = (size_t)(out - fstart);
		fields[nf].null = !quoted && i - start == nl && memcmp(buf + start, cp->null_string, nl) == 0;
		nf++;
		if (i < len && buf[i] == cp->delimiter) {
			i++;
			continue;
		}
		/* end of row; a CR at the very end of what came so far may be
		 * the first half of a CRLF split across two CopyData messages */
		if (i + 1 == len && buf[i] == '\r' && !final)
			return COPY_NEED_MORE;
		if (i < len && buf[i] == '\r')
			i++;
		if (i < len && buf[i] == '\n')
			i++;
		*used = i;
		return nf;
	}
}

int copy_next_row(struct copy_parser *cp, const char *buf, size_t len, bool final,
		  struct copy_field *fields, int max, size_t *used)
{
	if (len == 0)
		return COPY_NEED_MORE;
	const char *eol = memchr(buf, '\n', len);
	size_t linelen = eol ? (size_t)(eol - buf) : len;
	if (!eol && !final && !cp->csv)
		return COPY_NEED_MORE;
	size_t content = linelen;
	if (content > 0 && buf[content - 1] == '\r')
		content--;
	if (content == 2 && buf[0] == '\\' && buf[1] == '.' && (eol || final)) {
		*used = eol ? linelen + 1 : linelen;
		return COPY_END_MARKER;
	}
	if (scratch_fit(cp, len) < 0)
		return COPY_ERROR;
	if (cp->csv)
		return split_csv(cp, buf, len, final, fields, max, used);
	*used = eol ? linelen + 1 : linelen;
	return split_text(cp, buf, content, fields, max);
}

void copy_escape_field(const struct copy_parser *cp, struct pkt *out, const char *data,
		       size_t len, bool alone)
{
	if (cp->csv) {
		size_t nl = strlen(cp->null_string);
		bool need = (len == nl && memcmp(data, cp->null_string, nl) == 0) ||
			    (alone && len == 2 && data[0] == '\\' && data[1] == '.');
		for (size_t i = 0; i < len && !need; i++)
			need = data[i] == cp->delimiter || data[i] == cp->quote || data[i] == '\n' ||
			       data[i] == '\r';
		if (!need) {
			pkt_bytes(out, data, len);
			return;
		}
		pkt_byte(out, (uint8_t)cp->quote);
		for (size_t i = 0; i < len; i++) {
			if (data[i] == cp->quote || data[i] == cp->escape)
				pkt_byte(out, (uint8_t)cp->escape);
			pkt_byte(out, (uint8_t)data[i]);
		}
		pkt_byte(out, (uint8_t)cp->quote);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		const char *esc = NULL;
		switch (c) {
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\v': esc = "\\v"; break;
		default: break;
		}
		if (esc) {
			pkt_bytes(out, esc, 2);
		} else if (c == cp->delimiter) {
			pkt_byte(out, '\\');
			pkt_byte(out, (uint8_t)c);
		} else {
			pkt_byte(out, (uint8_t)c);
		}
	}
}
