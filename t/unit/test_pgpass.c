/*
 * test_pgpass.c - libpq's password file rules: wildcards, escapes, first
 * match, Unix sockets as "localhost", and the permission check.
 */
#include <criterion/criterion.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgpass.h"

/* The password found, "(null)" if none; the result is freed. */
static const char *found(char *pw)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s", pw != NULL ? pw : "(null)");
	free(pw);
	return buf;
}

#define LOOKUP(text, host, port, db, user)                                     \
	found(pgpass_lookup_text((text), (host), (port), (db), (user)))

Test(pgpass, exact_match)
{
	const char *text = "db1.example.com:5432:app:alice:s3cret\n"
			   "db1.example.com:5433:app:alice:other-port\n";

	cr_assert_str_eq(LOOKUP(text, "db1.example.com", 5432, "app", "alice"), "s3cret");
	cr_assert_str_eq(LOOKUP(text, "db1.example.com", 5433, "app", "alice"), "other-port");
	cr_assert_str_eq(LOOKUP(text, "db2.example.com", 5432, "app", "alice"), "(null)");
	cr_assert_str_eq(LOOKUP(text, "db1.example.com", 5432, "App", "alice"), "(null)");
	cr_assert_str_eq(LOOKUP(text, "db1.example.com", 5432, "app", "alic"), "(null)");
	cr_assert_str_eq(LOOKUP(text, "db1.example.co", 5432, "app", "alice"), "(null)");
	cr_assert_str_eq(LOOKUP(text, "db1.example.com", 543, "app", "alice"), "(null)");
}

Test(pgpass, wildcards)
{
	const char *text = "*:5432:app:alice:any-host\n"
			   "h:*:app:bob:any-port\n"
			   "h:5432:*:carol:any-db\n"
			   "h:5432:app:*:any-user\n";

	cr_assert_str_eq(LOOKUP(text, "whatever", 5432, "app", "alice"), "any-host");
	cr_assert_str_eq(LOOKUP(text, "h", 6000, "app", "bob"), "any-port");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "other", "carol"), "any-db");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "dave"), "any-user");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "other", "dave"), "(null)");
}

Test(pgpass, star_is_only_a_wildcard_alone)
{
	const char *text = "*x:5432:app:alice:starx\n"
			   "\\*:5432:app:alice:escaped-star\n"
			   "*:5432:app:alice:wild\n";

	cr_assert_str_eq(LOOKUP(text, "*x", 5432, "app", "alice"), "starx");
	cr_assert_str_eq(LOOKUP(text, "*", 5432, "app", "alice"), "escaped-star");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "alice"), "wild");
}

Test(pgpass, first_match_wins)
{
	const char *text = "*:*:*:alice:general\n"
			   "h:5432:app:alice:specific\n";

	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "alice"), "general");
	cr_assert_str_eq(LOOKUP("h:5432:app:alice:one\nh:5432:app:alice:two\n", "h", 5432,
				"app", "alice"),
			 "one");
}

Test(pgpass, escapes)
{
	const char *text = "fe80\\:\\:1:5432:app:alice:ipv6\n"
			   "h:5432:a\\\\b:c\\:d:p\\:w\\\\x\n"
			   "h:5432:app:bob:pw:after-colon\n"
			   "h:5432:app:carol:trailing\\\n";

	cr_assert_str_eq(LOOKUP(text, "fe80::1", 5432, "app", "alice"), "ipv6");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "a\\b", "c:d"), "p:w\\x");
	/* an unescaped ':' ends the password */
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "bob"), "pw");
	/* a backslash at the end stays */
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "carol"), "trailing\\");
	/* the escape is not part of the value */
	cr_assert_str_eq(LOOKUP(text, "fe80\\::1", 5432, "app", "alice"), "(null)");
}

Test(pgpass, comments_blank_lines_crlf)
{
	const char *text = "# h:5432:app:alice:commented\n"
			   "\n"
			   "\r\n"
			   "h:5432:app:alice:crlf\r\n"
			   "h:5432:app:bob:last-line-no-newline";

	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "alice"), "crlf");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "bob"), "last-line-no-newline");
	/* only a '#' in the first column starts a comment */
	cr_assert_str_eq(LOOKUP("#h:5432:app:alice:x\n", "#h", 5432, "app", "alice"), "(null)");
	cr_assert_str_eq(LOOKUP(" #h:5432:app:alice:x\n", " #h", 5432, "app", "alice"), "x");
}

Test(pgpass, incomplete_lines_and_empty_password)
{
	cr_assert_str_eq(LOOKUP("h:5432:app:alice\n", "h", 5432, "app", "alice"), "(null)");
	cr_assert_str_eq(LOOKUP("h:5432:app\n", "h", 5432, "app", "alice"), "(null)");
	/* an empty password matches, stops the search, and is no password */
	cr_assert_str_eq(LOOKUP("h:5432:app:alice:\nh:5432:app:alice:later\n", "h", 5432, "app",
				"alice"),
			 "(null)");
}

Test(pgpass, default_port)
{
	const char *text = "h:5432:app:alice:default\n";

	cr_assert_str_eq(LOOKUP(text, "h", 0, "app", "alice"), "default");
	cr_assert_str_eq(LOOKUP(text, "h", -1, "app", "alice"), "default");
	/* fields compare as strings, as in libpq */
	cr_assert_str_eq(LOOKUP("h:05432:app:alice:x\n", "h", 5432, "app", "alice"), "(null)");
}

Test(pgpass, unix_socket_is_localhost)
{
	const char *text = "localhost:5432:app:alice:local\n"
			   "/srv/pg:5432:app:bob:by-dir\n"
			   "localhost:5432:app:bob:bob-local\n";

	cr_assert_str_eq(LOOKUP(text, NULL, 5432, "app", "alice"), "local");
	cr_assert_str_eq(LOOKUP(text, "", 5432, "app", "alice"), "local");
	cr_assert_str_eq(LOOKUP(text, "/tmp", 5432, "app", "alice"), "local");
	cr_assert_str_eq(LOOKUP(text, "/var/run/postgresql", 5432, "app", "alice"), "local");
	cr_assert_str_eq(LOOKUP(text, "localhost", 5432, "app", "alice"), "local");
	/* over TCP an address is not "localhost" */
	cr_assert_str_eq(LOOKUP(text, "127.0.0.1", 5432, "app", "alice"), "(null)");
	/* the socket directory itself matches too, in file order */
	cr_assert_str_eq(LOOKUP(text, "/srv/pg", 5432, "app", "bob"), "by-dir");
	cr_assert_str_eq(LOOKUP(text, "/tmp", 5432, "app", "bob"), "bob-local");
}

Test(pgpass, required_parameters)
{
	const char *text = "*:*:*:*:pw\n";

	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", "alice"), "pw");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, NULL, "alice"), "(null)");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "", "alice"), "(null)");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", NULL), "(null)");
	cr_assert_str_eq(LOOKUP(text, "h", 5432, "app", ""), "(null)");
	cr_assert_str_eq(LOOKUP(NULL, "h", 5432, "app", "alice"), "(null)");
	cr_assert_str_eq(LOOKUP("", "h", 5432, "app", "alice"), "(null)");
}

/* ------------------------------------------------------------ files */

static char *write_temp(const char *text, mode_t mode)
{
	char *path = strdup("/tmp/test_pgpass.XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

Test(pgpass_file, private_file_is_used)
{
	char *path = write_temp("h:5432:app:alice:from-file\n", 0600);

	cr_assert_str_eq(found(pgpass_lookup(path, "h", 5432, "app", "alice")), "from-file");
	cr_assert_str_eq(found(pgpass_lookup(path, "h", 5432, "app", "bob")), "(null)");
	cr_assert_eq(chmod(path, 0400), 0);
	cr_assert_str_eq(found(pgpass_lookup(path, "h", 5432, "app", "alice")), "from-file");
	unlink(path);
	free(path);
}

Test(pgpass_file, shared_file_is_ignored)
{
	static const mode_t modes[] = {0644, 0640, 0604, 0660, 0610, 0601};
	char *path = write_temp("h:5432:app:alice:from-file\n", 0600);

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		cr_assert_eq(chmod(path, modes[i]), 0);
		cr_assert_str_eq(found(pgpass_lookup(path, "h", 5432, "app", "alice")), "(null)",
				 "mode %o", (unsigned)modes[i]);
	}
	unlink(path);
	free(path);
}

Test(pgpass_file, not_a_file)
{
	char dir[] = "/tmp/test_pgpass_dir.XXXXXX", fifo[64];

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 0700), 0);
	cr_assert_str_eq(found(pgpass_lookup(dir, "h", 5432, "app", "alice")), "(null)");
	/* a FIFO with no writer must not block */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_str_eq(found(pgpass_lookup(fifo, "h", 5432, "app", "alice")), "(null)");
	unlink(fifo);
	rmdir(dir);
	cr_assert_str_eq(found(pgpass_lookup("/nonexistent/.pgpass", "h", 5432, "app", "alice")),
			 "(null)");
	cr_assert_str_eq(found(pgpass_lookup(NULL, "h", 5432, "app", "alice")), "(null)");
}

Test(pgpass_file, large_file)
{
	size_t cap = 2000 * 48, len = 0;
	char *text = malloc(cap), *path;

	/* the match is at the end, beyond the first read buffers */
	for (int i = 0; i < 2000; i++)
		len += (size_t)snprintf(text + len, cap - len, "host%d:5432:app:alice:pw%d\n", i,
					i);
	path = write_temp(text, 0600);
	cr_assert_str_eq(found(pgpass_lookup(path, "host1999", 5432, "app", "alice")), "pw1999");
	unlink(path);
	free(path);
	free(text);
}

/* ------------------------------------------------------------ default path */

/* Each criterion test runs in its own process: changing the environment
 * here does not leak into other tests. */
Test(pgpass_path, pgpassfile_wins)
{
	setenv("PGPASSFILE", "/etc/pgpin/pgpass", 1);
	setenv("HOME", "/home/pgpin", 1);
	cr_assert_str_eq(found(pgpass_default_path()), "/etc/pgpin/pgpass");
}

Test(pgpass_path, home)
{
	unsetenv("PGPASSFILE");
	setenv("HOME", "/home/pgpin", 1);
	cr_assert_str_eq(found(pgpass_default_path()), "/home/pgpin/.pgpass");
	/* an empty PGPASSFILE is no PGPASSFILE, as in libpq */
	setenv("PGPASSFILE", "", 1);
	cr_assert_str_eq(found(pgpass_default_path()), "/home/pgpin/.pgpass");
}

Test(pgpass_path, no_home_uses_passwd)
{
	struct passwd *pw = getpwuid(geteuid());
	char want[512];

	unsetenv("PGPASSFILE");
	unsetenv("HOME");
	cr_assert_not_null(pw);
	snprintf(want, sizeof(want), "%s/.pgpass", pw->pw_dir);
	cr_assert_str_eq(found(pgpass_default_path()), want);
}
