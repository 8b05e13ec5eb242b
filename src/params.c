/*
 * params.c - small name/value lists for session parameters, and the SQL
 * that moves a server session's settings to what a client expects.
 */
#include "params.h"
#include "hot.h"

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
static int sql_append_set(char **buf, size_t *len, size_t *cap, bool first, const char *name,
			  const char *value, bool is_local)
{
	if (sql_append(buf, len, cap, first ? "SELECT " : ", ") < 0 ||
	    sql_append(buf, len, cap, "pg_catalog.set_config(") < 0 ||
	    sql_append_literal(buf, len, cap, name) < 0 || sql_append(buf, len, cap, ", ") < 0 ||
	    sql_append_literal(buf, len, cap, value) < 0 ||
	    sql_append(buf, len, cap, is_local ? ", true)" : ", false)") < 0)
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
		     const struct params *base, char **sql)
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
	for (int i = 0; i < want->n; i++)
		if (sql_append_set(&buf, &len, &cap, i == 0, want->items[i].name,
				   want->items[i].value, true) < 0)
			goto fail;
	if (!buf && sql_append(&buf, &len, &cap, "SELECT") < 0)
		goto fail;
	*sql = buf;
	return 0;
fail:
	free(buf);
	return -1;
}
