/*
 * translate.h - PostgreSQL dialect to SQLite, one statement text at a time.
 *
 * sqlt_translate() splits a query string into statements (string-,
 * identifier-, dollar-quote- and comment-aware, on the tokens of lex.h),
 * classifies each one, and rewrites the ones SQLite runs into SQLite's
 * dialect with pcre2-matched rules applied to token sequences, never to
 * the inside of a literal.  The session (session*.c) runs the result: it
 * handles transaction control, SET/SHOW, CREATE/DROP DATABASE and COPY
 * itself, and gives SQLT_SQL statements to sqlite3_prepare_v2().
 *
 * Pure: no SQLite connection, no global mutable state except a cache of
 * compiled patterns.  Thread-safe.
 */
#ifndef PGPIN_SQLITE_TRANSLATE_H
#define PGPIN_SQLITE_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>

enum sqlt_kind {
	SQLT_EMPTY = 0,	     /* nothing but space/comments: EmptyQueryResponse */
	SQLT_SQL,	     /* run .sql on SQLite; .tag names the command */
	SQLT_BEGIN,	     /* BEGIN / START TRANSACTION [isolation level ...] */
	SQLT_COMMIT,	     /* COMMIT / END [TRANSACTION|WORK] */
	SQLT_ROLLBACK,	     /* ROLLBACK / ABORT (not ROLLBACK TO SAVEPOINT: that is SQLT_SQL) */
	SQLT_SET,	     /* SET [SESSION|LOCAL] name TO|= value; SET TIME ZONE ...; .name/.value, .local */
	SQLT_RESET,	     /* RESET name | RESET ALL (.name = "all") */
	SQLT_SHOW,	     /* SHOW name | SHOW ALL (.name lower-cased) */
	SQLT_CREATE_DATABASE, /* .name (unquoted, case folded as PostgreSQL folds) */
	SQLT_DROP_DATABASE,  /* .name, .if_exists */
	SQLT_COPY_FROM,	     /* COPY table [(cols)] FROM STDIN [options]: .copy */
	SQLT_COPY_TO,	     /* COPY table [(cols)] | (query) TO STDOUT [options]:
			      * .sql is the SQLite SELECT to stream, .copy the format */
	SQLT_DEALLOCATE,     /* DEALLOCATE [PREPARE] name | ALL (.name, "all" for ALL) */
	SQLT_DISCARD,	     /* DISCARD ALL | PLANS | SEQUENCES | TEMP (.name lower-cased) */
	SQLT_NOOP,	     /* accepted and ignored (VACUUM, ANALYZE, CHECKPOINT,
			      * ALTER SEQUENCE, kine's type migrations...): reply .tag */
	SQLT_ERROR,	     /* refused: .sqlstate and .message (0A000 for an
			      * unsupported feature, naming it; 42601 syntax) */
};

enum sqlt_copy_format { SQLT_COPY_TEXT = 0, SQLT_COPY_CSV, SQLT_COPY_BINARY };

struct sqlt_copy {
	char *table;	/* unquoted, folded, schema removed */
	char **columns; /* NULL = all columns in table order */
	int ncolumns;
	enum sqlt_copy_format format;
	char delimiter;	 /* default '\t' (text) or ',' (csv) */
	char quote;	 /* csv, default '"' */
	char escape;	 /* csv, default = quote */
	char *null_string; /* default "\\N" (text) or "" (csv) */
	bool header;	 /* csv HEADER */
};

struct sqlt_stmt {
	enum sqlt_kind kind;
	size_t pg_pos, pg_len; /* the statement's span in the original text (no trailing ';') */
	char *sql;	       /* SQLT_SQL: SQLite text; several statements
				* separated by ';' when one PostgreSQL statement
				* needs several (DROP TABLE a, b; TRUNCATE a, b);
				* only the last may return rows */
	char tag[32];	       /* command tag verb: SELECT, INSERT, UPDATE, DELETE,
				* CREATE TABLE, DROP TABLE, TRUNCATE TABLE, ... ;
				* the session appends the row count where PostgreSQL does */
	char *name;	       /* SET/RESET/SHOW parameter (lower-cased), database name */
	char *value;	       /* SET: the value as PostgreSQL would store it
				* (quotes removed; lists joined with ", "); NULL for DEFAULT */
	bool local;	       /* SET LOCAL */
	bool if_exists;	       /* DROP DATABASE IF EXISTS */
	bool read_only;	       /* BEGIN ... READ ONLY */
	struct sqlt_copy copy; /* SQLT_COPY_FROM */
	char sqlstate[6];      /* SQLT_ERROR */
	char *message;	       /* SQLT_ERROR */
	int max_param;	       /* highest $n used (0 = none) */
};

struct sqlt_result {
	struct sqlt_stmt *v;
	size_t n;
};

/*
 * Translate text[0..len).  With multi false (a Parse message) more than
 * one non-empty statement is an error result (42601 "cannot insert
 * multiple commands into a prepared statement").  Returns 0, or -1 only on
 * allocation failure; every refusal is a SQLT_ERROR statement instead.
 * An empty text gives one SQLT_EMPTY statement.
 */
int sqlt_translate(const char *text, size_t len, bool multi, struct sqlt_result *out);
void sqlt_result_free(struct sqlt_result *r);

/*
 * Map a PostgreSQL type name as written in a cast or a column definition
 * ("int", "integer", "int4", "bigint", "character varying", "timestamp
 * with time zone", "double precision", "text", "bytea", ...) to its type
 * OID, 0 if unknown.  Shared with describe.c.
 */
unsigned sqlt_type_oid(const char *name);

#endif
