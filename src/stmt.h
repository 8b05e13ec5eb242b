/*
 * stmt.h - prepared statements that survive pooling.
 *
 * Three structures, after PgBouncer's proven shape but keyed on full bytes:
 *
 *   registry (one per pool)   query text + parameter type OIDs -> struct stmt,
 *                             refcounted; each gets a server-side name
 *                             "pgpin_<id>" from a counter
 *   client names (per client) the client's own statement name -> struct stmt
 *   server cache (per server) which statements this server has prepared,
 *                             in LRU order, bounded by max_prepared_statements
 *
 * A client's statement therefore survives any server swap: on a server that
 * lacks it, pgpin prepares it again under the same server-side name.  This
 * file holds the data structures only; the protocol work is in client.c and
 * server.c.
 */
#ifndef PGPIN_STMT_H
#define PGPIN_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

struct stmt_registry;

struct stmt {
	struct stmt_registry *reg;
	struct stmt *hnext; /* registry hash chain */
	uint64_t id;
	uint32_t hash;
	uint32_t refs;
	uint32_t key_len;
	uint8_t *key;	    /* Parse body after the name: query\0 int16 n, n x int32 */
	char name[32];	    /* server-side name */
	int pin_class;	    /* cached classification of the query (pin.c), -1 unknown */
	bool validated;	    /* some server of the pool has accepted this Parse */
};

struct stmt_registry {
	struct stmt **buckets;
	size_t nbuckets;
	size_t count;
	uint64_t next_id;
};

void stmt_registry_init(struct stmt_registry *r);
/* Frees the table; entries still referenced are detached and freed by
 * their last stmt_unref(). */
void stmt_registry_free(struct stmt_registry *r);
/* The statement for a Parse body's key, or NULL; no reference taken. */
struct stmt *stmt_find(struct stmt_registry *r, const uint8_t *key, uint32_t len);
/* Find or create the statement for a Parse body's key; takes a reference. */
struct stmt *stmt_intern(struct stmt_registry *r, const uint8_t *key, uint32_t len);
void stmt_ref(struct stmt *s);
void stmt_unref(struct stmt *s);
/* The query text inside the key. */
const char *stmt_query(const struct stmt *s);

/* ---- a client's names ---- */

struct stmt_name {
	struct stmt_name *hnext;
	struct stmt *stmt;
	bool confirmed; /* its Parse has been answered (not merely sent) */
	bool closing;	/* a Close of it is queued, not yet answered */
	uint64_t batch; /* the client's batch (Syncs sent) the Parse was in */
	char name[];	/* NUL-terminated */
};

struct stmt_names {
	struct stmt_name **buckets;
	size_t nbuckets;
	size_t count;
};

void stmt_names_init(struct stmt_names *n);
void stmt_names_clear(struct stmt_names *n);
/* Adds a reference to stmt.  -1: name already in use (or out of memory,
 * distinguished by errno == ENOMEM). */
int stmt_names_add(struct stmt_names *n, const char *name, struct stmt *stmt);
struct stmt *stmt_names_get(const struct stmt_names *n, const char *name);
struct stmt_name *stmt_names_entry(const struct stmt_names *n, const char *name);
/* Drops the name and its reference; false if there was no such name. */
bool stmt_names_remove(struct stmt_names *n, const char *name);

/* ---- a server's prepared statements, least recently used first ---- */

struct stmt_cached {
	TAILQ_ENTRY(stmt_cached) lru;
	struct stmt_cached *hnext;
	struct stmt *stmt;
	uint64_t used_gen; /* the server's batch in which it was last used */
	char alias[40];	   /* its name on this server: stmt->name, or per batch
			    * when the backend is itself a pooler */
};

TAILQ_HEAD(stmt_lru, stmt_cached);

struct stmt_cache {
	struct stmt_cached **buckets;
	size_t nbuckets;
	size_t count;
	struct stmt_lru lru;
};

void stmt_cache_init(struct stmt_cache *c);
void stmt_cache_clear(struct stmt_cache *c);
/* The entry if this server has the statement (moved to most recent). */
struct stmt_cached *stmt_cache_get(struct stmt_cache *c, const struct stmt *s);
/* Record a statement as prepared on the server; takes a reference. */
struct stmt_cached *stmt_cache_add(struct stmt_cache *c, struct stmt *s);
void stmt_cache_remove(struct stmt_cache *c, struct stmt *s);
/* The least recently used entry not used in batch cur_gen, or NULL: a
 * statement a client has bound in the current batch is never evicted
 * before the batch's Sync. */
struct stmt_cached *stmt_cache_victim(struct stmt_cache *c, uint64_t cur_gen);

#endif
