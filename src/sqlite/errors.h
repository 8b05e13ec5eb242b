/*
 * errors.h - SQLite failures as PostgreSQL ErrorResponses.
 *
 * Maps extended result codes (never message text where a code exists) to
 * the SQLSTATE PostgreSQL would use, and fills the fields PostgreSQL
 * fills: above all the constraint name ('n') and table ('t') of a unique
 * violation, named exactly as PostgreSQL names them: "<table>_pkey" for a
 * primary key, the index name for a CREATE UNIQUE INDEX, "<table>_<cols>_key"
 * for an inline UNIQUE constraint (sqlite_autoindex_*), found with
 * PRAGMA index_list / index_info on the failing connection.
 */
#ifndef PGPIN_SQLITE_ERRORS_H
#define PGPIN_SQLITE_ERRORS_H

#include <sqlite3.h>

#include "proto.h"

/*
 * SQL functions registered by pgpin (catalog.c, engine.c) that want a
 * particular SQLSTATE report sqlite3_result_error(ctx, "pgpin:22012:division
 * by zero", -1): lite_error_from_sqlite() turns such a SQLITE_ERROR message
 * into that SQLSTATE and the text after the second colon.
 */
#define LITE_ERROR_PREFIX "pgpin:"

struct lite_error {
	char sqlstate[6];
	char severity[8];     /* "ERROR" (or "FATAL") */
	char message[512];
	char detail[512];     /* "" = none */
	char hint[256];
	char constraint[128]; /* 'n' */
	char table[128];      /* 't' */
	char column[128];     /* 'c' */
	char schema[16];      /* 's': "public" when table is set */
	int position;	      /* 'P', 0 = none */
};

/* Set sqlstate and message (printf-style), clear the rest. */
void lite_error_set(struct lite_error *e, const char *sqlstate, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Fill e from the last error on db (rc is the extended result code the
 * failing call returned).  May run PRAGMA queries on db to name the
 * constraint; call it on the thread that owns db, before anything else
 * runs on it.
 */
void lite_error_from_sqlite(sqlite3 *db, int rc, struct lite_error *e);

/* Append an ErrorResponse (S, V, C, M, D, H, P, s, t, c, n) to p. */
void lite_error_build(struct pkt *p, const struct lite_error *e);

#endif
