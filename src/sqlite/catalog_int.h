/*
 * catalog_int.h - what the catalog's own files share and no other module
 * needs: catalog.c's cat_setup() installs the functions of catalog_func.c
 * and the pg_type rows of catalog_type.c; catalog_func.c names types with
 * catalog_type.c.  The public surface is catalog.h.
 */
#ifndef PGPIN_SQLITE_CATALOG_INT_H
#define PGPIN_SQLITE_CATALOG_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cat_env;

/* Register the SQL functions on db, each with env as its user data.
 * Returns 0, or -1 (sqlite3_errmsg(db) says why). */
int cat_func_register(sqlite3 *db, const struct cat_env *env);

/* format_type(oid, typmod) into buf ("character varying(20)",
 * "integer[]"); false for a type the catalog does not know. */
bool cat_type_format(uint32_t oid, int typmod, char *buf, size_t n);
/* The OID a regtype input names (without "pg_catalog."), 0 if none. */
uint32_t cat_type_input(const char *name);
/* Insert the built-in types and their array types into temp.pg_type.
 * Returns 0, or -1 (sqlite3_errmsg(db) says why). */
int cat_type_fill(sqlite3 *db);

#endif
