/*
 * authfile.c - load PgBouncer's userlist format into a hash table.
 *
 *   ; comment            # comment too
 *   "alice" "md5 or SCRAM verifier or plain password"  [ignored fields...]
 *   "o""brien" "pass""word"          user o"brien, password pass"word
 *
 * Parsing is line by line and strict: a malformed line rejects the whole
 * file, naming the line, so that a typo cannot silently lock users out (or
 * let the previous file stay in force without anyone noticing).  A user
 * listed twice gets the last secret.  Lookups hash the user name into an
 * open-addressing table with linear probing, sized to stay under half full.
 */
#include "authfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "scram.h"

struct authfile_entry {
	char *user; /* NULL: empty slot */
	char *secret;
	int line;
};

struct authfile {
	struct authfile_entry *slots;
	size_t nslots; /* a power of two */
	int count;
};

/* FNV-1a: short keys, no adversary who could not also edit the file. */
static uint64_t hash_name(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct authfile_entry *find_slot(const struct authfile *af, const char *user)
{
	size_t mask = af->nslots - 1;
	size_t i = (size_t)hash_name(user) & mask;

	/* Terminates: the table is never more than half full. */
	while (af->slots[i].user != NULL && strcmp(af->slots[i].user, user) != 0)
		i = (i + 1) & mask;
	return &af->slots[i];
}

static void free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void authfile_free(struct authfile *af)
{
	if (af == NULL)
		return;
	for (size_t i = 0; i < af->nslots; i++) {
		free(af->slots[i].user);
		free_secret(af->slots[i].secret);
	}
	free(af->slots);
	free(af);
}

const char *authfile_lookup(const struct authfile *af, const char *user)
{
	if (af == NULL || user == NULL)
		return NULL;
	return find_slot(af, user)->secret;
}

int authfile_count(const struct authfile *af)
{
	return af != NULL ? af->count : 0;
}

enum secret_kind secret_kind_of(const char *secret)
{
	if (pg_md5_is_hash(secret))
		return SECRET_MD5;
	if (scram_is_secret(secret))
		return SECRET_SCRAM;
	return SECRET_PLAIN;
}

/* ------------------------------------------------------------ parsing */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Read a double-quoted field starting at *p ('"'), "" standing for one quote.
 * Returns 0 with the malloc'd contents in *out and *p after the closing
 * quote; -1 if the line ends first; -2 if out of memory.
 */
static int read_quoted(const char **p, const char *end, char **out)
{
	const char *s = *p + 1;
	char *o;

	/* The unquoted text is never longer than the quoted one. */
	if ((*out = malloc((size_t)(end - s) + 1)) == NULL)
		return -2;
	o = *out;
	while (s < end) {
		if (*s == '"') {
			if (s + 1 < end && s[1] == '"') {
				*o++ = '"';
				s += 2;
				continue;
			}
			*o = '\0';
			*p = s + 1;
			return 0;
		}
		*o++ = *s++;
	}
	OPENSSL_cleanse(*out, (size_t)(o - *out));
	free(*out);
	*out = NULL;
	return -1;
}

/*
 * Parse one line [p, end).  Returns 1 with *user and *secret set (malloc'd),
 * 0 for a blank or comment line, -1 with *msg set for a malformed line (NULL
 * if out of memory).
 */
static int parse_line(const char *p, const char *end, char **user, char **secret,
		      const char **msg)
{
	int rc;

	*user = *secret = NULL;
	*msg = NULL;
	while (p < end && is_blank(*p))
		p++;
	if (p == end || *p == ';' || *p == '#')
		return 0;

	if (*p != '"') {
		*msg = "expected a double-quoted user name";
		return -1;
	}
	if ((rc = read_quoted(&p, end, user)) != 0) {
		if (rc == -1)
			*msg = "unterminated quoted user name";
		return -1;
	}
	if ((*user)[0] == '\0') {
		*msg = "empty user name";
		goto fail;
	}
	if (p < end && !is_blank(*p)) {
		*msg = "expected white space after the user name";
		goto fail;
	}
	while (p < end && is_blank(*p))
		p++;
	if (p == end) {
		*msg = "missing secret after the user name";
		goto fail;
	}
	if (*p != '"') {
		*msg = "expected a double-quoted secret";
		goto fail;
	}
	if ((rc = read_quoted(&p, end, secret)) != 0) {
		if (rc == -1)
			*msg = "unterminated quoted secret";
		goto fail;
	}
	/* Further fields are PgBouncer's business, not ours. */
	if (p < end && !is_blank(*p)) {
		*msg = "expected white space after the secret";
		goto fail;
	}
	/* Otherwise it would work as a plain password, which nobody meant. */
	if (strncmp(*secret, "SCRAM-SHA-256$", 14) == 0 && !scram_is_secret(*secret)) {
		*msg = "malformed SCRAM-SHA-256 secret";
		goto fail;
	}
	return 1;

fail:
	free(*user);
	free_secret(*secret);
	*user = *secret = NULL;
	return -1;
}

/* The number of lines that hold an entry at most; sizes the table. */
static size_t count_lines(const char *text, size_t len)
{
	size_t n = 1;

	for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text))) != NULL; p++)
		n++;
	return n;
}

/* Errors read "NAME:LINE: message", or "line LINE: message" without a name. */
static void line_error(char *err, size_t errlen, const char *name, int lineno,
		       const char *msg)
{
	if (name != NULL)
		snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
	else
		snprintf(err, errlen, "line %d: %s", lineno, msg);
}

/* Parse text, naming it name (a path, or NULL) in errors and warnings. */
static struct authfile *parse_named(const char *text, size_t len, const char *name,
				    char *err, size_t errlen)
{
	struct authfile *af;
	const char *p, *end;
	int lineno = 0;
	size_t want;

	if (text == NULL)
		text = "", len = 0;
	p = text;
	end = text + len;

	if ((af = calloc(1, sizeof(*af))) == NULL)
		goto oom;
	/* At most half full; a power of two for masking. */
	want = 2 * count_lines(text, len);
	af->nslots = 8;
	while (af->nslots < want)
		af->nslots *= 2;
	if ((af->slots = calloc(af->nslots, sizeof(*af->slots))) == NULL)
		goto oom;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t linelen = (size_t)((eol != NULL ? eol : end) - p);
		const char *msg = NULL;
		char *user, *secret;
		int rc;

		lineno++;
		if (linelen > 0 && p[linelen - 1] == '\r')
			linelen--;
		if (memchr(p, '\0', linelen) != NULL) {
			line_error(err, errlen, name, lineno, "NUL byte in line");
			goto fail;
		}
		rc = parse_line(p, p + linelen, &user, &secret, &msg);
		if (rc < 0) {
			if (msg == NULL)
				goto oom;
			line_error(err, errlen, name, lineno, msg);
			goto fail;
		}
		if (rc > 0) {
			struct authfile_entry *e = find_slot(af, user);

			if (e->user != NULL) {
				/* "PATH:LINE: ..." or "line LINE: ...", as errors */
				log_warning("%s%s%d: user \"%s\" is listed again (first on line "
					    "%d); the last entry wins",
					    name != NULL ? name : "line ", name != NULL ? ":" : "",
					    lineno, user, e->line);
				free(user);
				free_secret(e->secret);
			} else {
				e->user = user;
				af->count++;
			}
			e->secret = secret;
			e->line = lineno;
		}
		p = eol != NULL ? eol + 1 : end;
	}
	return af;

oom:
	snprintf(err, errlen, "out of memory");
fail:
	authfile_free(af);
	return NULL;
}

struct authfile *authfile_parse(const char *text, size_t len, char *err, size_t errlen)
{
	return parse_named(text, len, NULL, err, errlen);
}

struct authfile *authfile_load(const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct authfile *af = NULL;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if ((nb = malloc(cap)) == NULL) {
				snprintf(err, errlen, "out of memory");
				goto done;
			}
			if (buf != NULL) {
				memcpy(nb, buf, len);
				OPENSSL_cleanse(buf, len);
				free(buf);
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto done;
	}
	af = parse_named(buf, len, path, err, errlen);
done:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	fclose(f);
	return af;
}
