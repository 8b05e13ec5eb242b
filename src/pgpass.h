/*
 * pgpass.h - look up a password in a libpq password file (.pgpass format):
 * hostname:port:database:username:password, '*' matching anything, '\'
 * escaping ':' and '\'.  Like libpq, a file readable by group or others
 * is ignored with a warning.
 */
#ifndef PGPIN_PGPASS_H
#define PGPIN_PGPASS_H

#include <stddef.h>

/* The default file: $PGPASSFILE, else ~/.pgpass.  Malloc'd, or NULL. */
char *pgpass_default_path(void);

/* First matching entry's password (malloc'd), or NULL.  host "" or NULL
 * matches "localhost" as libpq does for Unix sockets; a socket directory
 * ("/...") matches "localhost" or itself.  port <= 0 means 5432.  NULL if db
 * or user is NULL or empty, or if the first match has an empty password. */
char *pgpass_lookup(const char *path, const char *host, int port, const char *db,
		    const char *user);
/* Same, over text in memory (for tests). */
char *pgpass_lookup_text(const char *text, const char *host, int port,
			 const char *db, const char *user);

#endif
