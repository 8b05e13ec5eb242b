/*
 * pin.c - recognising session state in SQL text with pcre2.
 *
 * First the text is copied with everything that is not code blanked out
 * (comments, '...' and E'...' literals, "..." identifiers, $tag$...$tag$
 * bodies), so that a keyword inside a string never counts.  A cheap
 * trigger pattern then rules out the common case (SELECT, INSERT, ...)
 * with one JIT-compiled match; only texts that mention a trigger word run
 * the individual rules.
 */
#include "pin.h"
#include "hot.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct rule {
	const char *pattern;
	uint32_t sets;
	uint32_t clears;
	pcre2_code *code;
};

/* Statement starts are "^" or after ";".  (?!...) excludes the forms whose
 * effect ends with the transaction. */
static struct rule rules[] = {
	{"(?:^|;)\\s*set\\s+(?:session\\s+)?(?!local\\b|transaction\\b|constraints\\b)"
	 "(?!(?:application_name|client_encoding|datestyle|"
	 "timezone|intervalstyle|standard_conforming_strings)\\b)\\w",
	 PIN_SET, 0, NULL},
	{"\\bset_config\\s*\\([^;]*?\\bfalse\\s*\\)", PIN_SET, 0, NULL},
	{"(?:^|;)\\s*reset\\s+all\\b", 0, PIN_SET, NULL},
	{"(?:^|;)\\s*listen\\s", PIN_LISTEN, 0, NULL},
	{"(?:^|;)\\s*unlisten\\s+\\*", 0, PIN_LISTEN, NULL},
	{"\\bpg_(?:try_)?advisory_lock(?:_shared)?\\s*\\(", PIN_ADVISORY, 0, NULL},
	{"\\bpg_advisory_unlock_all\\s*\\(", 0, PIN_ADVISORY, NULL},
	{"\\bcreate\\s+(?:or\\s+replace\\s+)?(?:global\\s+|local\\s+)?temp(?:orary)?\\s+"
	 "(?:table|view|sequence)\\b",
	 PIN_TEMP, 0, NULL},
	{"(?:^|;)\\s*declare\\s+[^;]*\\bwith\\s+hold\\b", PIN_HOLD, 0, NULL},
	{"(?:^|;)\\s*close\\s+all\\b", 0, PIN_HOLD, NULL},
	{"(?:^|;)\\s*prepare\\s+(?!transaction\\b)\\w", PIN_PREPARE, 0, NULL},
	{"(?:^|;)\\s*deallocate\\s+(?:prepare\\s+)?all\\b", 0, PIN_PREPARE, NULL},
	{"(?:^|;)\\s*discard\\s+all\\b", 0, PIN_ALL, NULL},
	{"(?:^|;)\\s*discard\\s+temp(?:orary)?\\b", 0, PIN_TEMP, NULL},
};

static const char trigger_pattern[] =
	"\\b(?:set|set_config|reset|listen|unlisten|pg_(?:try_)?advisory_\\w+|temp|temporary|"
	"hold|close|prepare|deallocate|discard)\\b";

static pcre2_code *trigger;
static pcre2_match_data *md;

static pcre2_code *compile(const char *pattern, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       PCRE2_CASELESS | PCRE2_UTF, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[200];
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "pin rule \"%s\" at %zu: %s", pattern, (size_t)off, msg);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	return re;
}

int pin_init(char *err, size_t errlen)
{
	if (trigger)
		return 0;
	if (!(trigger = compile(trigger_pattern, err, errlen)))
		return -1;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!(rules[i].code = compile(rules[i].pattern, err, errlen)))
			return -1;
	md = pcre2_match_data_create(4, NULL);
	if (!md) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void pin_free(void)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		pcre2_code_free(rules[i].code);
		rules[i].code = NULL;
	}
	pcre2_code_free(trigger);
	pcre2_match_data_free(md);
	trigger = NULL;
	md = NULL;
}

/*
 * Copy sql into out (len bytes) with non-code blanked: comments and the
 * insides of literals, identifiers and dollar quotes become spaces (a
 * literal keeps its quotes, so "set_config('a', 'b', false)" still reads
 * as a call with three arguments).
 */
static void blank_non_code(const char *sql, size_t len, char *out)
{
	size_t i = 0;

	while (i < len) {
		char ch = sql[i];
		if (ch == '-' && i + 1 < len && sql[i + 1] == '-') {
			while (i < len && sql[i] != '\n')
				out[i++] = ' ';
		} else if (ch == '/' && i + 1 < len && sql[i + 1] == '*') {
			int depth = 0; /* PostgreSQL's block comments nest */
			do {
				if (sql[i] == '/' && i + 1 < len && sql[i + 1] == '*') {
					depth++;
					out[i++] = ' ';
				} else if (sql[i] == '*' && i + 1 < len && sql[i + 1] == '/') {
					depth--;
					out[i++] = ' ';
				}
				out[i++] = ' ';
			} while (i < len && depth > 0);
		} else if (ch == '\'' || ch == '"') {
			bool escapes = ch == '\'' && i > 0 && (sql[i - 1] == 'e' || sql[i - 1] == 'E');
			out[i++] = ch;
			while (i < len) {
				if (escapes && sql[i] == '\\' && i + 1 < len) {
					out[i++] = ' ';
					out[i++] = ' ';
					continue;
				}
				if (sql[i] == ch) {
					if (i + 1 < len && sql[i + 1] == ch) { /* doubled quote */
						out[i++] = ' ';
						out[i++] = ' ';
						continue;
					}
					break;
				}
				out[i++] = ' ';
			}
			if (i < len)
				out[i++] = ch;
		} else if (ch == '$' && (i == 0 || !(isalnum((unsigned char)sql[i - 1]) ||
						     sql[i - 1] == '_'))) {
			/* $tag$ ... $tag$ ($1 parameters have no closing '$') */
			size_t j = i + 1;
			while (j < len && (isalnum((unsigned char)sql[j]) || sql[j] == '_') &&
			       !isdigit((unsigned char)sql[i + 1]))
				j++;
			if (j < len && sql[j] == '$') {
				size_t taglen = j - i + 1;
				const char *tag = sql + i;
				size_t k = j + 1;
				while (k + taglen <= len && memcmp(sql + k, tag, taglen) != 0)
					k++;
				size_t end = k + taglen <= len ? k + taglen : len;
				while (i < end)
					out[i++] = ' ';
			} else {
				out[i] = sql[i];
				i++;
			}
		} else {
			out[i] = ch;
			i++;
		}
	}
}

static bool word_is(const char *w, size_t n, const char *kw)
{
	size_t k = strlen(kw);
	return n == k && strncasecmp(w, kw, k) == 0;
}

/*
 * Character classes for the prefilter below, one table lookup per byte:
 * it runs on the text of every simple Query a pooled client sends.
 */
enum { CH_OTHER = 0, CH_WORD = 1, CH_DIGIT = 2, CH_SPACE = 4 };

static const uint8_t ch_class[256] = {
	['\t'] = CH_SPACE, ['\n'] = CH_SPACE, ['\r'] = CH_SPACE, ['\f'] = CH_SPACE,
	[' '] = CH_SPACE,
	['0' ... '9'] = CH_WORD | CH_DIGIT,
	['A' ... 'Z'] = CH_WORD, ['a' ... 'z'] = CH_WORD, ['_'] = CH_WORD,
	[0x80 ... 0xff] = CH_WORD,
};

/* A word that may start a statement which creates or releases state.
 * The length is checked first, so most words cost no comparison. */
static bool stateful_start(const char *w, size_t n)
{
	switch (w[0] | 0x20) {
	case 's':
		return n == 3 && word_is(w, n, "set");
	case 'r':
		return n == 5 && word_is(w, n, "reset");
	case 'l':
		return n == 6 && word_is(w, n, "listen");
	case 'u':
		return n == 8 && word_is(w, n, "unlisten");
	case 'p':
		return n == 7 && word_is(w, n, "prepare");
	case 'd':
		return (n == 10 && word_is(w, n, "deallocate")) ||
		       (n == 7 && (word_is(w, n, "discard") || word_is(w, n, "declare")));
	case 'c':
		return n == 5 && word_is(w, n, "close");
	default:
		return false;
	}
}

/* Bytes that can lead the prefilter below to a rule: every word that may
 * belong to one anywhere holds a '_' or a 'p' (set_config, temp,
 * temporary, pg_*advisory_*), and a ';' starts a new statement. */
enum { HIT_NONE = 0, HIT_WORD = 1, HIT_STMT = 2 };

static const uint8_t hit_class[256] = {
	['_'] = HIT_WORD, ['p'] = HIT_WORD, ['P'] = HIT_WORD, [';'] = HIT_STMT,
};

/* Whether the text at i starts with the n bytes of kw (lower case),
 * ignoring case. */
static bool prefix_is(const char *sql, size_t len, size_t i, const char *kw, size_t n)
{
	return len - i >= n && strncasecmp(sql + i, kw, n) == 0;
}

/* Whether the text at i is the whole word kw, ignoring case. */
static bool whole_word_is(const char *sql, size_t len, size_t i, const char *kw, size_t n)
{
	return prefix_is(sql, len, i, kw, n) &&
	       (i + n == len || !(ch_class[(unsigned char)sql[i + n]] & CH_WORD));
}

/* Whether the statement that starts at i (after blanks and comments)
 * opens with a word that may create or release state. */
PGPIN_HOT static bool stateful_start_at(const char *sql, size_t len, size_t i)
{
	const unsigned char *u = (const unsigned char *)sql;

	for (;;) {
		while (i < len && (ch_class[u[i]] & CH_SPACE))
			i++;
		if (i + 1 < len && u[i] == '-' && u[i + 1] == '-') {
			while (i < len && u[i] != '\n')
				i++;
			continue;
		}
		if (i + 1 < len && u[i] == '/' && u[i + 1] == '*') {
			int depth = 0;
			do {
				if (u[i] == '/' && i + 1 < len && u[i + 1] == '*') {
					depth++;
					i++;
				} else if (u[i] == '*' && i + 1 < len && u[i + 1] == '/') {
					depth--;
					i++;
				}
				i++;
			} while (i < len && depth > 0);
			continue;
		}
		break;
	}
	size_t start = i;
	while (i < len && (ch_class[u[i]] & CH_WORD))
		i++;
	return i > start && stateful_start(sql + start, i - start);
}

/*
 * Whether a hit ('_' or 'p') at k lies in a word that may belong to a rule
 * anywhere in a statement: set_config, temp, temporary, pg_*advisory_*.
 * Each of those words has a hit among its first four
 * bytes, and no digit there: so only a word that starts at most three
 * bytes before k, after a byte that is not a letter, is looked at, and a
 * long identifier costs a few bytes per hit, not a scan.  (A word cannot
 * start with a digit: "1temp" is 1 and then temp.)
 */
static bool stateful_word_at(const char *sql, size_t len, size_t k)
{
	const unsigned char *u = (const unsigned char *)sql;
	size_t start = k;

	while (start > 0 && k - start < 3 && ch_class[u[start - 1]] == CH_WORD)
		start--;
	if (start > 0 && ch_class[u[start - 1]] == CH_WORD)
		return false;
	switch (u[start] | 0x20) {
	case 's':
		return whole_word_is(sql, len, start, "set_config", 10);
	case 't':
		return whole_word_is(sql, len, start, "temp", 4) ||
		       whole_word_is(sql, len, start, "temporary", 9);
	case 'p':
		return len - start > 3 && (u[start + 1] | 0x20) == 'g' && u[start + 2] == '_' &&
		       (prefix_is(sql, len, start, "pg_advisory_", 12) ||
			prefix_is(sql, len, start, "pg_try_advisory_", 16));
	default:
		return false;
	}
}

/* Whether the byte at j, found by the search below, leads to a rule. */
PGPIN_HOT static bool stateful_hit(const char *sql, size_t len, size_t j)
{
	switch (hit_class[(unsigned char)sql[j]]) {
	case HIT_WORD:
		return stateful_word_at(sql, len, j);
	case HIT_STMT:
		return stateful_start_at(sql, len, j + 1);
	default:
		return false;
	}
}

/*
 * The fast path for the common case, run on the text of every simple
 * Query a pooled client sends: could any rule match?  Yes if the first
 * statement, or one after a ';', starts with SET, RESET, LISTEN, UNLISTEN,
 * PREPARE, DEALLOCATE, DISCARD, CLOSE or DECLARE (comments skipped), or if
 * set_config, TEMP/TEMPORARY or pg_*advisory* appears anywhere.  Words of
 * the second kind all hold a '_' or a 'p', so the text is searched for
 * those and ';' (sixteen bytes at a time with SSE2, then byte by byte), and
 * only the bytes around them are looked at.  A keyword inside a literal or a comment only
 * costs the slow path.  Most statements (SELECT, INSERT, UPDATE ... SET) have none.
 */
static bool maybe_stateful(const char *sql, size_t len)
{
	size_t i = 0;

	if (stateful_start_at(sql, len, 0))
		return true;
#ifdef __SSE2__
	/* Sixteen bytes at a time where SSE2 is there (every x86-64). */
	const __m128i lower = _mm_set1_epi8(0x20), p = _mm_set1_epi8('p');
	const __m128i under = _mm_set1_epi8('_'), semi = _mm_set1_epi8(';');
	for (; len - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(sql + i));
		__m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(x, lower), p),
					   _mm_or_si128(_mm_cmpeq_epi8(x, under), _mm_cmpeq_epi8(x, semi)));
		for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m; m &= m - 1)
			if (stateful_hit(sql, len, i + (size_t)__builtin_ctz(m)))
				return true;
	}
#endif
	for (; i < len; i++)
		if (hit_class[(unsigned char)sql[i]] && stateful_hit(sql, len, i))
			return true;
	return false;
}

PGPIN_HOT struct pin_class pin_classify(const char *sql, size_t len)
{
	struct pin_class pc = {0, 0};
	char small[512];

	if (!trigger || !maybe_stateful(sql, len))
		return pc;
	char *buf = len <= sizeof(small) ? small : malloc(len);
	if (!buf)
		return pc;
	blank_non_code(sql, len, buf);
	if (pcre2_match(trigger, (PCRE2_SPTR)buf, len, 0, 0, md, NULL) >= 0) {
		for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
			if (pcre2_match(rules[i].code, (PCRE2_SPTR)buf, len, 0, 0, md, NULL) >= 0) {
				pc.sets |= rules[i].sets;
				pc.clears |= rules[i].clears;
			}
		}
	}
	if (buf != small)
		free(buf);
	return pc;
}

const char *pin_name(uint32_t flags)
{
	static const char *const names[] = {
		"session SET", "LISTEN", "session advisory lock",
		"temporary table", "WITH HOLD cursor", "SQL PREPARE",
	};
	for (int i = 0; i < 6; i++)
		if (flags & (1u << i))
			return names[i];
	return "none";
}

int pin_parse_deallocate(const char *sql, size_t len, char *name, size_t namelen)
{
	size_t i = 0, n = 0;

	/* isspace() in the C locale pgpin runs in, without the call. */
#define SKIP_WS()                                                                  \
	while (i < len && (sql[i] == ' ' || (sql[i] >= '\t' && sql[i] <= '\r')))      \
		i++
#define KEYWORD(kw)                                                                \
	(len - i >= sizeof(kw) - 1 && strncasecmp(sql + i, kw, sizeof(kw) - 1) == 0 && \
	 (len - i == sizeof(kw) - 1 || !isalnum((unsigned char)sql[i + sizeof(kw) - 1])))

	SKIP_WS();
	/* Nearly every query is something else: one byte tells. */
	if (i == len || (sql[i] | 0x20) != 'd' || !KEYWORD("deallocate"))
		return 0;
	i += sizeof("deallocate") - 1;
	SKIP_WS();
	if (KEYWORD("prepare")) {
		i += sizeof("prepare") - 1;
		SKIP_WS();
	}
	if (i < len && sql[i] == '"') {
		for (i++; i < len; i++) {
			if (sql[i] == '"') {
				if (i + 1 < len && sql[i + 1] == '"')
					i++;
				else
					break;
			}
			if (n + 1 >= namelen)
				return 0;
			name[n++] = sql[i];
		}
		if (i >= len)
			return 0;
		i++;
	} else {
		if (KEYWORD("all"))
			return 0;
		while (i < len && (isalnum((unsigned char)sql[i]) || sql[i] == '_' || sql[i] == '$')) {
			if (n + 1 >= namelen)
				return 0;
			name[n++] = (char)tolower((unsigned char)sql[i]);
			i++;
		}
	}
	name[n] = 0;
	SKIP_WS();
	if (i < len && sql[i] == ';')
		i++;
	SKIP_WS();
	/* A Query message ends with its NUL terminator. */
	return n > 0 && (i == len || (i + 1 == len && sql[i] == 0));
#undef SKIP_WS
#undef KEYWORD
}
