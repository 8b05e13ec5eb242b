/*
 * params.c - small name/value lists for session parameters, and the SQL
 * that moves a server session's settings to what a client expects.
 */
#include "params.h"
#include "hot.h"

#include <ctype.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void params_init(struct params *ps)
{
	ps->items = NULL;
	ps->n = 0;
	ps->cap = 0;
	ps->gen = 1;
	ps->fp_gen = 0;
	ps->fp = 0;
}

void params_free(struct params *ps)
{
	for (int i = 0; i < ps->n; i++) {
		free(ps->items[i].name);
		free(ps->items[i].value);
	}
	free(ps->items);
	params_init(ps);
}

static int params_find(const struct params *ps, const char *name)
{
	for (int i = 0; i < ps->n; i++)
		if (strcasecmp(ps->items[i].name, name) == 0)
			return i;
	return -1;
}

int params_index(const struct params *ps, const char *name)
{
	return params_find(ps, name);
}

const char *params_get(const struct params *ps, const char *name)
{
	int i = params_find(ps, name);
	return i < 0 ? NULL : ps->items[i].value;
}

int params_add(struct params *ps, const char *name, const char *value)
{
	if (ps->n == ps->cap) {
		int cap = ps->cap ? ps->cap * 2 : 16;
		struct param *items = realloc(ps->items, (size_t)cap * sizeof(*items));
		if (!items)
			return -1;
		ps->items = items;
		ps->cap = cap;
	}
	char *n = strdup(name);
	char *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return -1;
	}
	ps->gen++;
	ps->items[ps->n].name = n;
	ps->items[ps->n].value = v;
	ps->n++;
	return 0;
}

int params_set(struct params *ps, const char *name, const char *value)
{
	int i = params_find(ps, name);
	if (i < 0)
		return params_add(ps, name, value);
	if (strcmp(ps->items[i].value, value) == 0)
		return 0;
	char *v = strdup(value);
	if (!v)
		return -1;
	ps->gen++;
	free(ps->items[i].value);
	ps->items[i].value = v;
	return 0;
}

void params_remove(struct params *ps, const char *name)
{
	int i = params_find(ps, name);
	if (i < 0)
		return;
	ps->gen++;
	free(ps->items[i].name);
	free(ps->items[i].value);
	ps->items[i] = ps->items[ps->n - 1];
	ps->n--;
}

int params_copy(struct params *dst, const struct params *src)
{
	for (int i = 0; i < src->n; i++)
		if (params_set(dst, src->items[i].name, src->items[i].value) < 0)
			return -1;
	return 0;
}

PGPIN_HOT uint64_t params_fingerprint(struct params *ps)
{
	if (ps->fp_gen == ps->gen)
		return ps->fp;
	uint64_t sum = 0;
	for (int i = 0; i < ps->n; i++) {
		uint64_t h = 1469598103934665603ull; /* FNV-1a */
		for (const char *p = ps->items[i].name; *p; p++) {
			h ^= (uint8_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			h *= 1099511628211ull;
		}
		h ^= '=';
		h *= 1099511628211ull;
		for (const char *p = ps->items[i].value; *p; p++) {
			h ^= (uint8_t)*p;
			h *= 1099511628211ull;
		}
		sum += h;
	}
	ps->fp = sum;
	ps->fp_gen = ps->gen;
	return sum;
}

bool params_is_tracked(const char *name)
{
	/* The first letter picks the one name to compare: this runs for
	 * every parameter of every login. */
	static const char *const by_letter[26] = {
		['a' - 'a'] = "application_name",
		['c' - 'a'] = "client_encoding",
		['d' - 'a'] = "DateStyle",
		['i' - 'a'] = "IntervalStyle",
		['s' - 'a'] = "standard_conforming_strings",
		['t' - 'a'] = "TimeZone",
	};
	unsigned letter = (unsigned)((unsigned char)name[0] | 0x20) - 'a';
	return letter < 26 && by_letter[letter] && strcasecmp(name, by_letter[letter]) == 0;
}

/* Append s to a growing string; returns -1 on allocation failure. */
static int sql_append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 128;
		while (c < *len + n + 1)
			c *= 2;
		char *b = realloc(*buf, c);
		if (!b)
			return -1;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/* An E'' literal: safe whatever standard_conforming_strings is. */
static int sql_append_literal(char **buf, size_t *len, size_t *cap, const char *s)
{
	char ch[2] = {0, 0};
	if (sql_append(buf, len, cap, "E'") < 0)
		return -1;
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			if (sql_append(buf, len, cap, *s == '\'' ? "'" : "\\") < 0)
				return -1;
		ch[0] = *s;
		if (sql_append(buf, len, cap, ch) < 0)
			return -1;
	}
	return sql_append(buf, len, cap, "'");
}

/* A quoted identifier, for RESET. */
static int sql_append_ident(char **buf, size_t *len, size_t *cap, const char *s)
{
	char ch[2] = {0, 0};
	if (sql_append(buf, len, cap, "\"") < 0)
		return -1;
	for (; *s; s++) {
		if (*s == '"' && sql_append(buf, len, cap, "\"") < 0)
			return -1;
		ch[0] = *s;
		if (sql_append(buf, len, cap, ch) < 0)
			return -1;
	}
	return sql_append(buf, len, cap, "\"");
}

/* ", "-separated pg_catalog.set_config(name, value, is_local) calls. */
static int sql_append_set_call(char **buf, size_t *len, size_t *cap, const char *name,
			       const char *value, bool is_local)
{
	if (sql_append(buf, len, cap, "pg_catalog.set_config(") < 0 ||
	    sql_append_literal(buf, len, cap, name) < 0 || sql_append(buf, len, cap, ", ") < 0 ||
	    sql_append_literal(buf, len, cap, value) < 0 ||
	    sql_append(buf, len, cap, is_local ? ", true)" : ", false)") < 0)
		return -1;
	return 0;
}

static int sql_append_set(char **buf, size_t *len, size_t *cap, bool first, const char *name,
			  const char *value, bool is_local)
{
	if (sql_append(buf, len, cap, first ? "SELECT " : ", ") < 0)
		return -1;
	return sql_append_set_call(buf, len, cap, name, value, is_local);
}

/*
 * One setting of a check: a setting that can only be given when a server
 * process starts (context backend or superuser-backend: log_connections)
 * reads NULL, as set_config() would refuse it; any other is set as
 * sql_append_set() does.
 */
static int sql_append_check(char **buf, size_t *len, size_t *cap, bool first, const char *name,
			    const char *value)
{
	if (sql_append(buf, len, cap,
		       first ? "WITH at_start AS (SELECT pg_catalog.lower(name) AS name "
			       "FROM pg_catalog.pg_settings "
			       "WHERE context IN ('backend', 'superuser-backend')) SELECT "
			     : ", ") < 0 ||
	    sql_append(buf, len, cap, "CASE WHEN pg_catalog.lower(") < 0 ||
	    sql_append_literal(buf, len, cap, name) < 0 ||
	    sql_append(buf, len, cap, ") IN (SELECT name FROM at_start) THEN NULL ELSE ") < 0 ||
	    sql_append_set_call(buf, len, cap, name, value, true) < 0 ||
	    sql_append(buf, len, cap, " END") < 0)
		return -1;
	return 0;
}

/*
 * set_config() rather than SET: it parses the value as postgresql.conf
 * would, so list settings (search_path = 'a, b') keep their meaning.
 */
int params_diff_sql(const struct params *want, const struct params *have,
		    const struct params *base, char **sql)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int changes = 0, sets = 0;

	*sql = NULL;
	for (int i = 0; i < want->n; i++) {
		const char *cur = params_get(have, want->items[i].name);
		if (cur && strcmp(cur, want->items[i].value) == 0)
			continue;
		if (sql_append_set(&buf, &len, &cap, sets == 0, want->items[i].name,
				   want->items[i].value, false) < 0)
			goto fail;
		sets++;
		changes++;
	}
	if (sets && sql_append(&buf, &len, &cap, ";") < 0)
		goto fail;
	for (int i = 0; i < have->n; i++) {
		const char *name = have->items[i].name;
		if (params_get(base, name) || params_get(want, name))
			continue;
		if (sql_append(&buf, &len, &cap, changes ? " RESET " : "RESET ") < 0 ||
		    sql_append_ident(&buf, &len, &cap, name) < 0 ||
		    sql_append(&buf, &len, &cap, ";") < 0)
			goto fail;
		changes++;
	}
	*sql = buf;
	return changes;
fail:
	free(buf);
	return -1;
}

int params_check_sql(const struct params *want, const struct params *have,
		     const struct params *base, const struct params *before, char **sql)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int back = 0;

	*sql = NULL;
	for (int i = 0; i < want->n; i++) {
		const char *name = want->items[i].name;
		const char *b = params_get(base, name), *cur = params_get(have, name);
		if (!b || !cur || strcmp(b, cur) == 0)
			continue;
		if (sql_append_set(&buf, &len, &cap, back++ == 0, name, b, true) < 0)
			goto fail;
	}
	if (back && sql_append(&buf, &len, &cap, "; ") < 0)
		goto fail;
	/* Values given first and then given again, in their order. */
	for (int i = 0; before && i < before->n; i++) {
		if (sql_append_set(&buf, &len, &cap, i == 0, before->items[i].name,
				   before->items[i].value, true) < 0 ||
		    (i == before->n - 1 && sql_append(&buf, &len, &cap, "; ") < 0))
			goto fail;
	}
	for (int i = 0; i < want->n; i++)
		if (sql_append_check(&buf, &len, &cap, i == 0, want->items[i].name,
				     want->items[i].value) < 0)
			goto fail;
	if (!buf && sql_append(&buf, &len, &cap, "SELECT") < 0)
		goto fail;
	*sql = buf;
	return 0;
fail:
	free(buf);
	return -1;
}

/* ------------------------------------------------------- startup options */

/* The hint PostgreSQL gives with a bad command-line argument. */
#define POSTGRES_HELP_HINT "Try \"postgres --help\" for more information."

/*
 * The switches of postgres(1) besides -c and --, as a backend takes them
 * from options: the setting each stands for (value NULL: the switch's
 * argument), or none, for those a backend ignores or that take_switch()
 * reads itself.
 */
static const struct postgres_switch {
	char letter;
	bool has_arg;
	const char *name, *value;
} postgres_switches[] = {
	{'B', true, "shared_buffers", NULL},
	{'b', false, NULL, NULL},
	{'C', true, NULL, NULL},
	{'D', true, NULL, NULL},
	{'d', true, NULL, NULL},
	{'E', false, NULL, NULL},
	{'e', false, "datestyle", "euro"},
	{'F', false, "fsync", "false"},
	{'f', true, NULL, NULL},
	{'h', true, "listen_addresses", NULL},
	{'i', false, "listen_addresses", "*"},
	{'j', false, NULL, NULL},
	{'k', true, "unix_socket_directories", NULL},
	{'l', false, "ssl", "true"},
	{'N', true, "max_connections", NULL},
	{'n', false, NULL, NULL},
	{'O', false, "allow_system_table_mods", "true"},
	{'P', false, "ignore_system_indexes", "true"},
	{'p', true, "port", NULL},
	{'r', true, NULL, NULL},
	{'S', true, "work_mem", NULL},
	{'s', false, "log_statement_stats", "true"},
	{'T', false, NULL, NULL},
	{'t', true, NULL, NULL},
	{'v', true, NULL, NULL},
	{'W', true, "post_auth_delay", NULL},
};

static const struct postgres_switch *find_switch(char letter)
{
	for (size_t k = 0; k < sizeof(postgres_switches) / sizeof(postgres_switches[0]); k++)
		if (postgres_switches[k].letter == letter)
			return &postgres_switches[k];
	return NULL;
}

/* Switch sw (argument arg) as the settings it stands for.  Returns 1 for
 * an argument postgres refuses, -1 if add() fails. */
static int take_switch(const struct postgres_switch *sw, const char *arg, params_add_fn *add,
		       void *add_arg)
{
	static const char *const plans[][2] = {
		{"s", "enable_seqscan"},    {"i", "enable_indexscan"}, {"o", "enable_indexonlyscan"},
		{"b", "enable_bitmapscan"}, {"t", "enable_tidscan"},   {"n", "enable_nestloop"},
		{"m", "enable_mergejoin"},  {"h", "enable_hashjoin"},
	};
	static const char *const stats[][2] = {
		{"pa", "log_parser_stats"}, {"pl", "log_planner_stats"}, {"e", "log_executor_stats"},
	};

	switch (sw->letter) {
	case 'd': {
		/* The debug level: log_min_messages, then more with each level. */
		long level = strtol(arg, NULL, 10);
		char v[32] = "notice";
		if (level > 0)
			snprintf(v, sizeof(v), "debug%ld", level);
		if (add(add_arg, "log_min_messages", v) < 0 ||
		    (level >= 2 && add(add_arg, "log_statement", "all") < 0) ||
		    (level >= 3 && add(add_arg, "debug_print_parse", "true") < 0) ||
		    (level >= 4 && add(add_arg, "debug_print_plan", "true") < 0) ||
		    (level >= 5 && add(add_arg, "debug_print_rewritten", "true") < 0))
			return -1;
		return 0;
	}
	case 'f':
		for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++)
			if (arg[0] == plans[i][0][0])
				return add(add_arg, plans[i][1], "false") < 0 ? -1 : 0;
		return 1;
	case 't':
		for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
			if (strncmp(arg, stats[i][0], strlen(stats[i][0])) == 0)
				return add(add_arg, stats[i][1], "true") < 0 ? -1 : 0;
		return 1;
	}
	if (!sw->name)
		return 0;
	return add(add_arg, sw->name, sw->value ? sw->value : arg) < 0 ? -1 : 0;
}

static void options_refuse(struct options_error *err, const char *sqlstate, const char *hint,
			   const char *fmt, const char *what)
{
	err->sqlstate = sqlstate;
	err->hint = hint;
	snprintf(err->message, sizeof(err->message), fmt, what);
}

/* Split at white space no backslash escapes, as pg_split_opts() does:
 * the words go into words (as long as the string), argv points at each. */
static int split_options(const char *options, char *words, char **argv)
{
	int argc = 0;
	char *w = words;

	for (const char *p = options;;) {
		bool escaped = false;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		argv[argc++] = w;
		for (; *p && (escaped || !isspace((unsigned char)*p)); p++) {
			if (!escaped && *p == '\\') {
				escaped = true;
			} else {
				escaped = false;
				*w++ = *p;
			}
		}
		*w++ = '\0';
	}
	return argc;
}

int params_parse_options(const char *options, params_add_fn *add, void *add_arg,
			 struct options_error *err)
{
	size_t olen = strlen(options);
	char *words = malloc(olen + 1);
	char **argv = calloc(olen / 2 + 1, sizeof(*argv));
	const char *stray = NULL;
	int rc = 0;

	err->sqlstate = NULL;
	err->hint = NULL;
	err->message[0] = '\0';
	if (!words || !argv) {
		free(words);
		free(argv);
		return -1;
	}
	int argc = split_options(options, words, argv);

	for (int i = 0; i < argc && rc == 0 && !err->sqlstate; i++) {
		char *word = argv[i], *opt = NULL;
		const char *prefix = "--";

		if (strcmp(word, "--") == 0) {
			/* The end of the switches: what follows is not one. */
			if (!stray && i + 1 < argc)
				stray = argv[i + 1];
			break;
		}
		if (word[0] != '-' || word[1] == '\0') {
			/* getopt() moves it to the end, after every switch. */
			if (!stray)
				stray = word;
			continue;
		}
		if (word[1] == '-') {
			opt = word + 2;
		} else {
			/* Letters as getopt() reads them: several in a word,
			 * the one taking an argument last, its argument the
			 * rest of the word or the next word. */
			const struct postgres_switch *sw = NULL;
			const char *arg = NULL;
			int r = 0;
			for (char *at = word + 1; *at && r == 0; at++) {
				sw = find_switch(*at);
				if (*at != 'c' && !sw) {
					r = 1;
				} else if (*at == 'c' || sw->has_arg) {
					if (at[1])
						arg = at + 1;
					else if (i + 1 < argc)
						arg = argv[++i];
					else
						r = 1;
					if (r == 0 && *at == 'c') {
						prefix = "-c ";
						opt = (char *)arg;
					} else if (r == 0) {
						r = take_switch(sw, arg, add, add_arg);
					}
					break;
				} else {
					r = take_switch(sw, NULL, add, add_arg);
				}
			}
			if (r < 0)
				rc = -1;
			else if (r > 0)
				/* An unknown switch, one without its argument, or a
				 * bad argument: named as postgres names it. */
				options_refuse(err, "42601", POSTGRES_HELP_HINT,
					       "invalid command-line argument for server process: %.200s",
					       argv[i]);
			if (!opt)
				continue;
		}
		char *eq = strchr(opt, '=');
		if (!eq) {
			char what[260];
			snprintf(what, sizeof(what), "%s%.200s", prefix, opt);
			options_refuse(err, "42601", NULL, "%s requires a value", what);
			break;
		}
		if (eq == opt) {
			options_refuse(err, "42704", NULL, "unrecognized configuration parameter \"%s\"",
				       "");
			break;
		}
		*eq = '\0';
		/* "--search-path" means search_path, as in postgres(1). */
		for (char *q = opt; *q; q++)
			if (*q == '-')
				*q = '_';
		if (add(add_arg, opt, eq + 1) < 0)
			rc = -1;
	}
	if (rc == 0 && !err->sqlstate && stray)
		options_refuse(err, "42601", POSTGRES_HELP_HINT,
			       "invalid command-line argument for server process: %.200s", stray);
	free(words);
	free(argv);
	return rc;
}
