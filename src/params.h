/*
 * params.h - a small list of session parameters (name = value).
 *
 * Used three ways: the ParameterStatus values a server has reported, the
 * values a client expects its session to have, and a pool's welcome set.
 * Lists hold a handful of entries, so they are plain arrays searched
 * linearly; names compare case-insensitively, as GUC names do.
 */
#ifndef PGPIN_PARAMS_H
#define PGPIN_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

struct param {
	char *name;
	char *value;
};

struct params {
	struct param *items;
	int n;
	int cap;
	uint32_t gen;	 /* bumped by every change */
	uint32_t fp_gen; /* gen the cached fingerprint belongs to */
	uint64_t fp;
};

void params_init(struct params *ps);
void params_free(struct params *ps);
const char *params_get(const struct params *ps, const char *name);
/* Where name is in the list (items[i]), or -1. */
int params_index(const struct params *ps, const char *name);
/* Set (insert or replace).  Returns -1 on allocation failure. */
int params_set(struct params *ps, const char *name, const char *value);
/* Add a name known to be absent (no search).  -1 on allocation failure. */
int params_add(struct params *ps, const char *name, const char *value);
void params_remove(struct params *ps, const char *name);
int params_copy(struct params *dst, const struct params *src);

/* An order-independent hash of the whole list (cached until it changes):
 * equal lists have equal fingerprints, so a pooler can skip comparing
 * settings item by item when a server was last set up for the same values. */
uint64_t params_fingerprint(struct params *ps);

/* Session parameters a pooler keeps in step between clients and servers:
 * the reported settings a client can change. */
bool params_is_tracked(const char *name);

/*
 * Append to sql the statements that bring a server whose session has
 * `have` to the client's `want`: set_config() for differing values,
 * RESET for names the server has that the client does not.  `base` holds
 * the names the server had from its own startup, which are never reset.
 * Returns the number of changes.
 */
int params_diff_sql(const struct params *want, const struct params *have,
		    const struct params *base, char **sql);

/*
 * The query that checks a client's startup settings (`want`) on a server
 * whose session has `have`, as PostgreSQL checks them at login, without
 * changing the session: set_config(..., true) lasts until the end of the
 * query's implicit transaction.  Its last row holds every setting of want,
 * in order, in the form the server reports (DateStyle "iso" reads "ISO,
 * MDY"); a value the server refuses fails the query with PostgreSQL's
 * error.  Some values are read relative to the current one (DateStyle
 * "ISO" keeps the date order), so a statement before it first sets back
 * to `base` (the server's own startup values) the names whose value
 * differs from it.  `before` (may be NULL) holds values the client gave
 * and then replaced, checked first, in order, as PostgreSQL applies them.
 * A setting that only applies when a server process starts
 * (log_connections) is not set: its column is NULL.  Returns -1 on
 * allocation failure.
 */
int params_check_sql(const struct params *want, const struct params *have,
		     const struct params *base, const struct params *before, char **sql);

/*
 * The startup packet's "options" string, read as postgres(1) reads its
 * command line when a backend starts: split into words at white space that
 * no backslash escapes, then taken as switches in order: "-c name=value",
 * "--name=value" and postgres's other switches (-e is datestyle=euro, -B is
 * shared_buffers...).  Each setting goes to add(add_arg, name, value), in
 * order (names with '-' read as '_').  A word that is not a switch is
 * refused once every switch has been taken (getopt() moves such words to
 * the end); a bad switch is refused at its place, and the switches after
 * it are not taken.  The refusal is PostgreSQL's: err->sqlstate (NULL if
 * none), message and hint (may be NULL).  Returns -1 if the list cannot
 * be allocated or add() returns < 0.
 */
typedef int params_add_fn(void *add_arg, const char *name, const char *value);
struct options_error {
	const char *sqlstate;
	char message[300];
	const char *hint;
};
int params_parse_options(const char *options, params_add_fn *add, void *add_arg,
			 struct options_error *err);

#endif
