/*
 * stmt.c - the statement registry, client name maps and server LRU caches.
 *
 * All three are chained hash tables that double when their load passes 1.
 * Statements are refcounted: a client name and a server cache entry each
 * hold one reference, so a statement lives while any client still knows
 * it or any server still has it prepared, and its server-side name is never
 * reused for different text.
 */
#include "stmt.h"
#include "hot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_bytes(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t hash_ptr(const void *p)
{
	uintptr_t v = (uintptr_t)p;
	v ^= v >> 17;
	v *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(v >> 32);
}

/* Grow a chained table; next_of() gives the chain link of an element. */
#define REHASH(tbl, type, link, hashof)                                                  \
	do {                                                                             \
		size_t nb = (tbl)->nbuckets ? (tbl)->nbuckets * 2 : 64;                  \
		type **b = calloc(nb, sizeof(*b));                                       \
		if (!b)                                                                  \
			break;                                                           \
		for (size_t i_ = 0; i_ < (tbl)->nbuckets; i_++) {                        \
			type *e_ = (tbl)->buckets[i_], *n_;                              \
			for (; e_; e_ = n_) {                                            \
				n_ = e_->link;                                           \
				size_t k_ = (hashof(e_)) & (nb - 1);                     \
				e_->link = b[k_];                                        \
				b[k_] = e_;                                              \
			}                                                                \
		}                                                                        \
		free((tbl)->buckets);                                                    \
		(tbl)->buckets = b;                                                      \
		(tbl)->nbuckets = nb;                                                    \
	} while (0)

/* ------------------------------------------------------------ registry */

void stmt_registry_init(struct stmt_registry *r)
{
	memset(r, 0, sizeof(*r));
	r->next_id = 1;
}

void stmt_registry_free(struct stmt_registry *r)
{
	for (size_t i = 0; i < r->nbuckets; i++) {
		struct stmt *s = r->buckets[i], *next;
		for (; s; s = next) {
			next = s->hnext;
			s->reg = NULL; /* freed by its last unref */
			s->hnext = NULL;
		}
	}
	free(r->buckets);
	memset(r, 0, sizeof(*r));
}

#define STMT_HASH(s) ((s)->hash)

static struct stmt *stmt_lookup(struct stmt_registry *r, const uint8_t *key, uint32_t len,
				uint32_t h)
{
	if (!r->nbuckets)
		return NULL;
	for (struct stmt *s = r->buckets[h & (r->nbuckets - 1)]; s; s = s->hnext)
		if (s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0)
			return s;
	return NULL;
}

struct stmt *stmt_find(struct stmt_registry *r, const uint8_t *key, uint32_t len)
{
	return stmt_lookup(r, key, len, hash_bytes(key, len));
}

struct stmt *stmt_intern(struct stmt_registry *r, const uint8_t *key, uint32_t len)
{
	uint32_t h = hash_bytes(key, len);
	struct stmt *s = stmt_lookup(r, key, len, h);

	if (s) {
		s->refs++;
		return s;
	}
	if (r->count >= r->nbuckets) {
		REHASH(r, struct stmt, hnext, STMT_HASH);
		if (!r->nbuckets)
			return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->key = malloc(len ? len : 1);
	if (!s->key) {
		free(s);
		return NULL;
	}
	memcpy(s->key, key, len);
	s->key_len = len;
	s->hash = h;
	s->refs = 1;
	s->reg = r;
	s->id = r->next_id++;
	s->pin_class = -1;
	snprintf(s->name, sizeof(s->name), "pgpin_%" PRIu64, s->id);
	size_t b = h & (r->nbuckets - 1);
	s->hnext = r->buckets[b];
	r->buckets[b] = s;
	r->count++;
	return s;
}

void stmt_ref(struct stmt *s)
{
	s->refs++;
}

PGPIN_HOT void stmt_unref(struct stmt *s)
{
	if (!s || --s->refs > 0)
		return;
	struct stmt_registry *r = s->reg;
	if (r) {
		struct stmt **pp = &r->buckets[s->hash & (r->nbuckets - 1)];
		while (*pp && *pp != s)
			pp = &(*pp)->hnext;
		if (*pp)
			*pp = s->hnext;
		r->count--;
	}
	free(s->key);
	free(s);
}

const char *stmt_query(const struct stmt *s)
{
	return (const char *)s->key;
}

/* ------------------------------------------------------------ client names */

void stmt_names_init(struct stmt_names *n)
{
	memset(n, 0, sizeof(*n));
}

void stmt_names_clear(struct stmt_names *n)
{
	for (size_t i = 0; i < n->nbuckets; i++) {
		struct stmt_name *e = n->buckets[i], *next;
		for (; e; e = next) {
			next = e->hnext;
			stmt_unref(e->stmt);
			free(e);
		}
	}
	free(n->buckets);
	memset(n, 0, sizeof(*n));
}

#define NAME_HASH(e) hash_bytes((e)->name, strlen((e)->name))

struct stmt_name *stmt_names_entry(const struct stmt_names *n, const char *name)
{
	if (!n->nbuckets)
		return NULL;
	uint32_t h = hash_bytes(name, strlen(name));
	for (struct stmt_name *e = n->buckets[h & (n->nbuckets - 1)]; e; e = e->hnext)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

struct stmt *stmt_names_get(const struct stmt_names *n, const char *name)
{
	struct stmt_name *e = stmt_names_entry(n, name);
	return e ? e->stmt : NULL;
}

int stmt_names_add(struct stmt_names *n, const char *name, struct stmt *stmt)
{
	if (stmt_names_get(n, name)) {
		errno = EEXIST;
		return -1;
	}
	if (n->count >= n->nbuckets) {
		REHASH(n, struct stmt_name, hnext, NAME_HASH);
		if (!n->nbuckets) {
			errno = ENOMEM;
			return -1;
		}
	}
	size_t len = strlen(name);
	struct stmt_name *e = malloc(sizeof(*e) + len + 1);
	if (!e) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(e->name, name, len + 1);
	e->stmt = stmt;
	e->confirmed = false;
	e->closing = false;
	stmt_ref(stmt);
	size_t b = hash_bytes(name, len) & (n->nbuckets - 1);
	e->hnext = n->buckets[b];
	n->buckets[b] = e;
	n->count++;
	return 0;
}

bool stmt_names_remove(struct stmt_names *n, const char *name)
{
	if (!n->nbuckets)
		return false;
	uint32_t h = hash_bytes(name, strlen(name));
	struct stmt_name **pp = &n->buckets[h & (n->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (strcmp((*pp)->name, name) == 0) {
			struct stmt_name *e = *pp;
			*pp = e->hnext;
			stmt_unref(e->stmt);
			free(e);
			n->count--;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------ server cache */

void stmt_cache_init(struct stmt_cache *c)
{
	memset(c, 0, sizeof(*c));
	TAILQ_INIT(&c->lru);
}

void stmt_cache_clear(struct stmt_cache *c)
{
	struct stmt_cached *e;
	while ((e = TAILQ_FIRST(&c->lru))) {
		TAILQ_REMOVE(&c->lru, e, lru);
		stmt_unref(e->stmt);
		free(e);
	}
	free(c->buckets);
	memset(c, 0, sizeof(*c));
	TAILQ_INIT(&c->lru);
}

#define CACHED_HASH(e) hash_ptr((e)->stmt)

static struct stmt_cached **cache_slot(struct stmt_cache *c, const struct stmt *s)
{
	struct stmt_cached **pp = &c->buckets[hash_ptr(s) & (c->nbuckets - 1)];
	while (*pp && (*pp)->stmt != s)
		pp = &(*pp)->hnext;
	return pp;
}

struct stmt_cached *stmt_cache_get(struct stmt_cache *c, const struct stmt *s)
{
	if (!c->nbuckets)
		return NULL;
	struct stmt_cached *e = *cache_slot(c, s);
	if (e && e != TAILQ_LAST(&c->lru, stmt_lru)) {
		TAILQ_REMOVE(&c->lru, e, lru);
		TAILQ_INSERT_TAIL(&c->lru, e, lru);
	}
	return e;
}

struct stmt_cached *stmt_cache_add(struct stmt_cache *c, struct stmt *s)
{
	struct stmt_cached *e = stmt_cache_get(c, s);
	if (e)
		return e;
	if (c->count >= c->nbuckets) {
		REHASH(c, struct stmt_cached, hnext, CACHED_HASH);
		if (!c->nbuckets)
			return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->stmt = s;
	stmt_ref(s);
	snprintf(e->alias, sizeof(e->alias), "%s", s->name);
	struct stmt_cached **slot = &c->buckets[hash_ptr(s) & (c->nbuckets - 1)];
	e->hnext = *slot;
	*slot = e;
	TAILQ_INSERT_TAIL(&c->lru, e, lru);
	c->count++;
	return e;
}

void stmt_cache_remove(struct stmt_cache *c, struct stmt *s)
{
	if (!c->nbuckets)
		return;
	struct stmt_cached **pp = cache_slot(c, s);
	struct stmt_cached *e = *pp;
	if (!e)
		return;
	*pp = e->hnext;
	TAILQ_REMOVE(&c->lru, e, lru);
	c->count--;
	stmt_unref(e->stmt);
	free(e);
}

struct stmt_cached *stmt_cache_victim(struct stmt_cache *c, uint64_t cur_gen)
{
	struct stmt_cached *e;
	TAILQ_FOREACH(e, &c->lru, lru)
		if (e->used_gen != cur_gen)
			return e;
	return NULL;
}
