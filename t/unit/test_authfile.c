/*
 * test_authfile.c - the userlist format: quoting, comments, kinds of
 * secret, duplicates, and the exact error for each malformed line.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authfile.h"

#define MD5_ALICE "md54a0a68b43b6cd5cf266fa02f196e2371"
/* PostgreSQL 15's verifier for password "secret" */
#define SCRAM_ALICE                                                            \
	"SCRAM-SHA-256$4096:I0I/4JO9/uueHtpwFPdj8w==$"                         \
	"TuMQm7hCy4H7x/sLeQ9Tv+fhLXeXUraI7BPZtwv5V8w=:"                        \
	"YEc/1yGBfL1+zNNTontDKNpHuDj3EnHJKCiG/nOd0yg="

static struct authfile *parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return authfile_parse(text, strlen(text), err, errlen);
}

Test(authfile, kinds_of_secret)
{
	char err[256];
	struct authfile *af = parse("\"plain\" \"hunter2\"\n"
				    "\"md5user\" \"" MD5_ALICE "\"\n"
				    "\"scramuser\" \"" SCRAM_ALICE "\"\n",
				    err, sizeof(err));

	cr_assert_not_null(af, "%s", err);
	cr_assert_eq(authfile_count(af), 3);
	cr_assert_str_eq(authfile_lookup(af, "plain"), "hunter2");
	cr_assert_str_eq(authfile_lookup(af, "md5user"), MD5_ALICE);
	cr_assert_str_eq(authfile_lookup(af, "scramuser"), SCRAM_ALICE);
	cr_assert_eq(secret_kind_of(authfile_lookup(af, "plain")), SECRET_PLAIN);
	cr_assert_eq(secret_kind_of(authfile_lookup(af, "md5user")), SECRET_MD5);
	cr_assert_eq(secret_kind_of(authfile_lookup(af, "scramuser")), SECRET_SCRAM);
	cr_assert_null(authfile_lookup(af, "nobody"));
	cr_assert_null(authfile_lookup(af, "Plain"));
	cr_assert_null(authfile_lookup(af, ""));
	cr_assert_null(authfile_lookup(af, NULL));
	authfile_free(af);
}

Test(authfile, secret_kind_of)
{
	cr_assert_eq(secret_kind_of(MD5_ALICE), SECRET_MD5);
	cr_assert_eq(secret_kind_of(SCRAM_ALICE), SECRET_SCRAM);
	/* not quite an md5 hash: a password that happens to start with md5 */
	cr_assert_eq(secret_kind_of("md54a0a68b43b6cd5cf266fa02f196e237"), SECRET_PLAIN);
	cr_assert_eq(secret_kind_of("md54A0A68B43B6CD5CF266FA02F196E2371"), SECRET_PLAIN);
	cr_assert_eq(secret_kind_of("md5"), SECRET_PLAIN);
	cr_assert_eq(secret_kind_of(""), SECRET_PLAIN);
	cr_assert_eq(secret_kind_of("SCRAM-SHA-256"), SECRET_PLAIN);
}

Test(authfile, doubled_quotes)
{
	char err[256];
	struct authfile *af = parse("\"o\"\"brien\" \"pass\"\"word\"\"\"\n"
				    "\"\"\"\" \"\"\n",
				    err, sizeof(err));

	cr_assert_not_null(af, "%s", err);
	cr_assert_eq(authfile_count(af), 2);
	cr_assert_str_eq(authfile_lookup(af, "o\"brien"), "pass\"word\"");
	/* user '"' with an empty secret (trust setups list users that way) */
	cr_assert_str_eq(authfile_lookup(af, "\""), "");
	authfile_free(af);
}

Test(authfile, comments_blanks_and_layout)
{
	char err[256];
	struct authfile *af = parse("; PgBouncer style comment\n"
				    "# shell style comment\n"
				    "\n"
				    "   \t\n"
				    "  ; indented comment \"x\" \"y\"\n"
				    "\t\"alice\"\t \"a b;#c\"   \"extra\" field ignored\r\n"
				    "\"bob\" \"bob's\"\r\n"
				    "\"carol\"  \"no newline at end\"",
				    err, sizeof(err));

	cr_assert_not_null(af, "%s", err);
	cr_assert_eq(authfile_count(af), 3);
	cr_assert_str_eq(authfile_lookup(af, "alice"), "a b;#c");
	cr_assert_str_eq(authfile_lookup(af, "bob"), "bob's");
	cr_assert_str_eq(authfile_lookup(af, "carol"), "no newline at end");
	cr_assert_null(authfile_lookup(af, "x"));
	authfile_free(af);
}

Test(authfile, empty)
{
	char err[256];
	struct authfile *af = parse("", err, sizeof(err));

	cr_assert_not_null(af);
	cr_assert_eq(authfile_count(af), 0);
	cr_assert_null(authfile_lookup(af, "alice"));
	authfile_free(af);
	af = parse("; nothing but comments\n\n", err, sizeof(err));
	cr_assert_eq(authfile_count(af), 0);
	authfile_free(af);
	cr_assert_eq(authfile_count(NULL), 0);
	authfile_free(NULL);
}

Test(authfile, duplicate_last_wins)
{
	char err[256];
	struct authfile *af = parse("\"alice\" \"first\"\n"
				    "\"bob\" \"b\"\n"
				    "\"alice\" \"second\"\n",
				    err, sizeof(err));

	cr_assert_not_null(af, "%s", err);
	cr_assert_eq(authfile_count(af), 2);
	cr_assert_str_eq(authfile_lookup(af, "alice"), "second");
	cr_assert_str_eq(authfile_lookup(af, "bob"), "b");
	authfile_free(af);
}

Test(authfile, many_users)
{
	size_t cap = 5000 * 40, len = 0;
	char *text = malloc(cap), err[256], user[32], want[32];

	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(text + len, cap - len, "\"user%d\" \"pw%d\"\n", i, i);
	struct authfile *af = authfile_parse(text, len, err, sizeof(err));
	cr_assert_not_null(af, "%s", err);
	cr_assert_eq(authfile_count(af), 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		snprintf(want, sizeof(want), "pw%d", i);
		cr_assert_str_eq(authfile_lookup(af, user), want);
	}
	cr_assert_null(authfile_lookup(af, "user5000"));
	authfile_free(af);
	free(text);
}

Test(authfile, malformed_lines)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{"alice \"pw\"\n", "line 1: expected a double-quoted user name"},
		{"; ok\n'alice' 'pw'\n", "line 2: expected a double-quoted user name"},
		{"\"alice\" \"pw\"\n\"bob \"pw\"\n",
		 "line 2: expected white space after the user name"},
		{"\"alice\"\n", "line 1: missing secret after the user name"},
		{"\"alice\"   \n", "line 1: missing secret after the user name"},
		{"\"alice\" pw\n", "line 1: expected a double-quoted secret"},
		/* "" is a quote inside the name: user alice"pw, no secret */
		{"\"alice\"\"pw\"\n", "line 1: missing secret after the user name"},
		{"\"alice\" \"pw\n\"bob\" \"x\"\n", "line 1: unterminated quoted secret"},
		{"\"alice \"pw\"\n", "line 1: expected white space after the user name"},
		{"\"alice\n", "line 1: unterminated quoted user name"},
		{"\"alice\" \"pw\"x\n", "line 1: expected white space after the secret"},
		{"\"alice\" \"pw\"\"\n", "line 1: unterminated quoted secret"},
		{"\"\" \"pw\"\n", "line 1: empty user name"},
		{"\n\n\"alice\" \"SCRAM-SHA-256$4096:bad\"\n",
		 "line 3: malformed SCRAM-SHA-256 secret"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256];

		cr_assert_null(parse(cases[i].text, err, sizeof(err)), "accepted [%zu]", i);
		cr_assert_str_eq(err, cases[i].err, "[%zu]", i);
	}
}

Test(authfile, nul_byte)
{
	static const char text[] = "\"alice\" \"pw\"\n\"bob\" \"p\0w\"\n";
	char err[256];

	cr_assert_null(authfile_parse(text, sizeof(text) - 1, err, sizeof(err)));
	cr_assert_str_eq(err, "line 2: NUL byte in line");
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test_authfile.XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(authfile, load)
{
	char err[256] = "";
	char *path = write_temp("; users\n\"alice\" \"" MD5_ALICE "\"\n");
	struct authfile *af = authfile_load(path, err, sizeof(err));

	cr_assert_not_null(af, "%s", err);
	cr_assert_eq(authfile_count(af), 1);
	cr_assert_str_eq(authfile_lookup(af, "alice"), MD5_ALICE);
	authfile_free(af);
	unlink(path);
	free(path);
}

Test(authfile, load_error_names_file_and_line)
{
	char err[512] = "", want[512];
	char *path = write_temp("\"alice\" \"pw\"\n\n\"bob\" pw\n");

	cr_assert_null(authfile_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:3: expected a double-quoted secret", path);
	cr_assert_str_eq(err, want);
	unlink(path);
	free(path);
}

Test(authfile, load_missing_file)
{
	char err[256] = "";

	cr_assert_null(authfile_load("/nonexistent/userlist.txt", err, sizeof(err)));
	cr_assert_str_eq(err, "/nonexistent/userlist.txt: No such file or directory");
}

Test(authfile, load_large_file)
{
	size_t cap = 3000 * 64, len = 0;
	char *text = malloc(cap), err[256], *path;

	/* more than one read buffer's worth */
	for (int i = 0; i < 3000; i++)
		len += (size_t)snprintf(text + len, cap - len, "\"user%04d\" \"%s\"\n", i,
					MD5_ALICE);
	path = write_temp(text);
	struct authfile *af = authfile_load(path, err, sizeof(err));
	cr_assert_not_null(af, "%s", err);
	cr_assert_eq(authfile_count(af), 3000);
	cr_assert_str_eq(authfile_lookup(af, "user2999"), MD5_ALICE);
	authfile_free(af);
	unlink(path);
	free(path);
	free(text);
}
