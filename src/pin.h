/*
 * pin.h - statements that create session state which cannot move between
 * server connections, recognised so that a client can be pinned to its
 * server until the state is gone.
 *
 * Classification is pure: SQL text in, a pair of bit sets out (the state a
 * statement creates and the state it releases).  Comments, string
 * literals, quoted identifiers and dollar-quoted bodies are blanked before
 * the pcre2 rules run, so text inside them never matches.  Session-level
 * SET of a setting PostgreSQL reports to clients (TimeZone, DateStyle,
 * application_name, ...) creates no pin: pgpin carries those settings from
 * server to server itself.
 */
#ifndef PGPIN_PIN_H
#define PGPIN_PIN_H

#include <stddef.h>
#include <stdint.h>

enum {
	PIN_SET = 1u << 0,	/* SET, SET ROLE, set_config(.., false) */
	PIN_LISTEN = 1u << 1,	/* LISTEN */
	PIN_ADVISORY = 1u << 2, /* session-level advisory lock */
	PIN_TEMP = 1u << 3,	/* CREATE TEMP TABLE / VIEW / SEQUENCE */
	PIN_HOLD = 1u << 4,	/* DECLARE ... WITH HOLD */
	PIN_PREPARE = 1u << 5,	/* SQL-level PREPARE */
	PIN_ALL = 0x3f,
};

struct pin_class {
	uint32_t sets;	  /* state the text creates */
	uint32_t clears;  /* state it releases */
};

/* Compile the rules once; -1 with a message if pcre2 refuses them. */
int pin_init(char *err, size_t errlen);
void pin_free(void);

/* Classify SQL text (one or several statements). */
struct pin_class pin_classify(const char *sql, size_t len);

/* A short name of the first state bit set in flags, for logs. */
const char *pin_name(uint32_t flags);

/*
 * If sql is exactly one `DEALLOCATE [PREPARE] name` statement (not ALL),
 * copy the statement name, unquoted and case-folded as PostgreSQL would,
 * into name and return 1; else 0.
 */
int pin_parse_deallocate(const char *sql, size_t len, char *name, size_t namelen);

#endif
