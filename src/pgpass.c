/*
 * pgpass.c - find a password in a libpq password file (~/.pgpass).
 *
 * The matching is libpq's: each line is host:port:database:user:password;
 * each of the first four fields is "*" or a literal in which '\' escapes the
 * next character; the first line whose four fields match wins; lines that
 * start with '#' are comments.  Like libpq, a file that is not a regular
 * file, or that group or others may access, is ignored with a warning.
 * Connection parameters are not read here: callers pass what they connect
 * with.
 */
#include "pgpass.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"

#define DEFAULT_PORT 5432

char *pgpass_default_path(void)
{
	const char *env = getenv("PGPASSFILE");
	const char *home = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];
	char *path;
	size_t n;

	if (env != NULL && env[0] != '\0')
		return strdup(env);
	if (home == NULL || home[0] == '\0') {
		if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
		    res->pw_dir == NULL || res->pw_dir[0] == '\0')
			return NULL;
		home = res->pw_dir;
	}
	n = strlen(home) + sizeof("/.pgpass");
	if ((path = malloc(n)) == NULL)
		return NULL;
	snprintf(path, n, "%s/.pgpass", home);
	return path;
}

/*
 * Match one field of the line [p, end) against value.  Returns where the next
 * field starts, or NULL if the field does not match (or is the last one).
 */
static const char *match_field(const char *p, const char *end, const char *value)
{
	if (end - p >= 2 && p[0] == '*' && p[1] == ':')
		return p + 2;
	while (p < end) {
		char c = *p;

		if (c == ':')
			return *value == '\0' ? p + 1 : NULL;
		if (c == '\\' && p + 1 < end)
			c = *++p;
		if (*value != c)
			return NULL;
		p++;
		value++;
	}
	return NULL;
}

/* The password field: up to an unescaped ':' or the end, de-escaped. */
static char *read_password(const char *p, const char *end)
{
	char *out = malloc((size_t)(end - p) + 1), *o = out;

	if (out == NULL)
		return NULL;
	while (p < end && *p != ':') {
		if (*p == '\\' && p + 1 < end)
			p++;
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

char *pgpass_lookup_text(const char *text, const char *host, int port, const char *db,
			 const char *user)
{
	char portstr[16];
	const char *hostname;
	bool unix_socket;

	if (text == NULL || db == NULL || db[0] == '\0' || user == NULL || user[0] == '\0')
		return NULL;
	/*
	 * libpq looks up "localhost" for a Unix socket in its default directory
	 * and the literal directory otherwise.  We do not know which directory
	 * libpq was built with (/tmp, /var/run/postgresql...), so for any socket
	 * directory either matches.
	 */
	unix_socket = host == NULL || host[0] == '\0' || host[0] == '/';
	hostname = (host == NULL || host[0] == '\0') ? "localhost" : host;
	snprintf(portstr, sizeof(portstr), "%d", port > 0 ? port : DEFAULT_PORT);

	for (const char *p = text; *p != '\0';) {
		const char *eol = strchr(p, '\n');
		const char *end = eol != NULL ? eol : p + strlen(p);
		const char *next = eol != NULL ? eol + 1 : end;
		const char *t;

		/* as libpq: strip every trailing CR and LF */
		while (end > p && end[-1] == '\r')
			end--;
		if (end == p || *p == '#') {
			p = next;
			continue;
		}
		t = match_field(p, end, hostname);
		if (t == NULL && unix_socket)
			t = match_field(p, end, "localhost");
		if (t != NULL && (t = match_field(t, end, portstr)) != NULL &&
		    (t = match_field(t, end, db)) != NULL &&
		    (t = match_field(t, end, user)) != NULL) {
			char *pw = read_password(t, end);

			/* libpq would use an empty one and then find it missing */
			if (pw != NULL && pw[0] == '\0') {
				free(pw);
				pw = NULL;
			}
			return pw;
		}
		p = next;
	}
	return NULL;
}

/* The whole file as a string, or NULL. */
static char *read_all(int fd, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *nb = malloc(cap * 2);

			if (nb == NULL)
				goto fail;
			memcpy(nb, buf, len);
			OPENSSL_cleanse(buf, len);
			free(buf);
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	OPENSSL_cleanse(buf, len);
	free(buf);
	return NULL;
}

char *pgpass_lookup(const char *path, const char *host, int port, const char *db,
		    const char *user)
{
	struct stat st;
	char *text, *pw = NULL;
	size_t len = 0;
	int fd;

	if (path == NULL)
		return NULL;
	/* O_NONBLOCK: a FIFO must not hang us before fstat can refuse it.
	 * A missing file is the normal case, not worth a word. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0)
		goto done;
	if (!S_ISREG(st.st_mode)) {
		log_warning("password file \"%s\" is not a plain file", path);
		goto done;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		log_warning("password file \"%s\" has group or world access; "
			    "permissions should be u=rw (0600) or less",
			    path);
		goto done;
	}
	if ((text = read_all(fd, &len)) != NULL) {
		pw = pgpass_lookup_text(text, host, port, db, user);
		OPENSSL_cleanse(text, len);
		free(text);
	}
done:
	close(fd);
	return pw;
}
