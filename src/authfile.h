/*
 * authfile.h - the client authentication file, PgBouncer's userlist format:
 * one `"user" "secret"` pair per line, where the secret is a plain
 * password, an "md5<32 hex>" hash or a SCRAM-SHA-256 verifier.  Double
 * quotes inside a field are doubled ("").  Lines starting with ';' or '#'
 * and blank lines are ignored.
 */
#ifndef PGPIN_AUTHFILE_H
#define PGPIN_AUTHFILE_H

#include <stddef.h>

struct authfile;

enum secret_kind { SECRET_PLAIN, SECRET_MD5, SECRET_SCRAM };

struct authfile *authfile_load(const char *path, char *err, size_t errlen);
/* Parse from memory (used by load and by tests). */
struct authfile *authfile_parse(const char *text, size_t len, char *err, size_t errlen);
/* The stored secret for user, or NULL. */
const char *authfile_lookup(const struct authfile *af, const char *user);
int authfile_count(const struct authfile *af);
void authfile_free(struct authfile *af);

enum secret_kind secret_kind_of(const char *secret);

#endif
