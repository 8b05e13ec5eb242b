/*
 * hex.h - the value of a hexadecimal digit, which the lexer (U&'\XXXX',
 * E'\xHH'), COPY's text format (\xHH) and bytea's hex form all read.
 */
#ifndef PGPIN_SQLITE_HEX_H
#define PGPIN_SQLITE_HEX_H

/* 0-15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else. */
static inline int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
