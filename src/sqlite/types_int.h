/*
 * types_int.h - what the types_*.c files share, and nothing other modules
 * need (they use types.h): the one struct a value travels in, the error
 * and parsing helpers of types.c, and the encode/bind entry of each type
 * family (numeric, date/time, arrays, json) that types.c dispatches to.
 */
#ifndef PGPIN_SQLITE_TYPES_INT_H
#define PGPIN_SQLITE_TYPES_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "sqlite/types.h"

/* One SQLite value: cls is SQLITE_INTEGER/FLOAT/TEXT/BLOB/NULL. */
struct tval {
	int cls;
	int64_t i;
	double d;
	const uint8_t *s; /* TEXT and BLOB; not NUL-terminated */
	size_t n;
};

/* Input shown in an error message, as PostgreSQL quotes it: the whole
 * string.  Long inputs are cut so the message keeps its closing quote. */
#define SHOWN(n) ((int)((n) > 160 ? 160 : (n)))

enum { PARSE_OK = 0, PARSE_SYNTAX = 1, PARSE_RANGE = 2 };

static inline bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline void pgt_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pgt_put_be64(uint8_t *p, uint64_t v)
{
	proto_put_u32(p, (uint32_t)(v >> 32));
	proto_put_u32(p + 4, (uint32_t)v);
}

static inline uint64_t pgt_get_be64(const uint8_t *p)
{
	return ((uint64_t)proto_get_u32(p) << 32) | proto_get_u32(p + 4);
}

/* types.c: errors, input helpers, output of any value, binding */
int pgt_fail(struct pgt_error *err, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int pgt_bad_input(struct pgt_error *err, const char *type, const uint8_t *s, size_t n);
void pgt_trim(const uint8_t **s, size_t *n);
bool pgt_word_eq(const uint8_t *s, size_t n, const char *word);
const char *pgt_type_label(uint32_t oid);
int pgt_put_field(struct pkt *p, const void *data, size_t n, struct pgt_error *err);
int pgt_check_utf8(const uint8_t *s, size_t n, struct pgt_error *err);
int pgt_parse_int64(const uint8_t *s, size_t n, int64_t *out);
void pgt_shortest_e(double d, bool f4, char *tmp);
size_t pgt_fmt_float(double d, bool f4, char *buf);
void pgt_val_as_text(const struct tval *v, char *buf, const uint8_t **s, size_t *n);
int pgt_val_as_string(const struct tval *v, char *buf, const uint8_t **s, size_t *n,
		      struct pgt_error *err);
/* Exact length of the fixed-size binary formats (0: variable). */
size_t pgt_binary_len(uint32_t oid);
int pgt_encode_value(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		     struct pgt_error *err);
int pgt_bind_rc(int rc, struct pgt_error *err);
int pgt_bind_str(sqlite3_stmt *st, int idx, const void *s, size_t n, struct pgt_error *err);
int pgt_bind_utf8(sqlite3_stmt *st, int idx, const uint8_t *s, size_t n, struct pgt_error *err);

/*
 * The type families.  *_encode writes v as a DataRow field of type oid in
 * format fmt; *_bind binds the Bind parameter s[0..n) (format fmt) as
 * parameter idx.  Both return 0, or -1 with err filled.
 */
int pgt_numeric_encode(struct pkt *p, const struct tval *v, int16_t fmt, struct pgt_error *err);
int pgt_numeric_bind(sqlite3_stmt *st, int idx, int16_t fmt, const uint8_t *s, size_t n,
		     struct pgt_error *err);
int pgt_dt_encode(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		  struct pgt_error *err);
int pgt_dt_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t fmt, const uint8_t *s, size_t n,
		struct pgt_error *err);
/* The element type of the array types we carry, 0 for any other OID. */
uint32_t pgt_array_elem(uint32_t oid);
int pgt_array_encode(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		     struct pgt_error *err);
int pgt_array_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t fmt, const uint8_t *s, size_t n,
		   struct pgt_error *err);
int pgt_json_encode(struct pkt *p, const struct tval *v, uint32_t oid, int16_t fmt,
		    struct pgt_error *err);
int pgt_json_bind(sqlite3_stmt *st, int idx, uint32_t oid, int16_t fmt, const uint8_t *s, size_t n,
		  struct pgt_error *err);

#endif
