/*
 * test_stmt.c - the statement registry, client name maps and server LRU.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stmt.h"

static const uint8_t key_a[] = "SELECT 1\0\0";
static const uint8_t key_b[] = "SELECT 2\0\0";
/* Same text, one parameter typed int4 (OID 23): a different statement. */
static const uint8_t key_a_typed[] = "SELECT 1\0\0\1\0\0\0\x17";

Test(stmt, same_bytes_same_statement_types_matter)
{
	struct stmt_registry r;
	stmt_registry_init(&r);
	struct stmt *a1 = stmt_intern(&r, key_a, sizeof(key_a) - 1);
	struct stmt *a2 = stmt_intern(&r, key_a, sizeof(key_a) - 1);
	struct stmt *at = stmt_intern(&r, key_a_typed, sizeof(key_a_typed) - 1);
	struct stmt *b = stmt_intern(&r, key_b, sizeof(key_b) - 1);
	cr_assert_eq(a1, a2);
	cr_assert_neq(a1, at);
	cr_assert_neq(a1, b);
	cr_assert_str_eq(stmt_query(at), "SELECT 1");
	cr_assert_neq(strcmp(a1->name, at->name), 0);
	cr_assert_eq(r.count, 3);
	cr_assert_eq(stmt_find(&r, key_b, sizeof(key_b) - 1), b);
	stmt_unref(a1);
	stmt_unref(a2);
	stmt_unref(at);
	stmt_unref(b);
	cr_assert_eq(r.count, 0);
	cr_assert_null(stmt_find(&r, key_b, sizeof(key_b) - 1));
	stmt_registry_free(&r);
}

Test(stmt, registry_grows_and_names_never_repeat)
{
	struct stmt_registry r;
	struct stmt *all[1000];
	char key[32];
	stmt_registry_init(&r);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(key, sizeof(key), "SELECT %d", i);
		all[i] = stmt_intern(&r, (uint8_t *)key, (uint32_t)n + 1);
		cr_assert_not_null(all[i]);
	}
	for (int i = 1; i < 1000; i++)
		cr_assert_gt(all[i]->id, all[i - 1]->id);
	for (int i = 0; i < 1000; i++)
		stmt_unref(all[i]);
	stmt_registry_free(&r);
}

Test(stmt, client_names)
{
	struct stmt_registry r;
	struct stmt_names n;
	stmt_registry_init(&r);
	stmt_names_init(&n);
	struct stmt *a = stmt_intern(&r, key_a, sizeof(key_a) - 1);
	cr_assert_eq(stmt_names_add(&n, "P_0", a), 0);
	cr_assert_eq(stmt_names_add(&n, "P_0", a), -1);
	cr_assert_eq(errno, EEXIST);
	cr_assert_eq(stmt_names_get(&n, "P_0"), a);
	cr_assert_null(stmt_names_get(&n, "p_0"));
	cr_assert_eq(a->refs, 2);
	cr_assert(stmt_names_remove(&n, "P_0"));
	cr_assert_not(stmt_names_remove(&n, "P_0"));
	cr_assert_eq(a->refs, 1);
	for (int i = 0; i < 500; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		cr_assert_eq(stmt_names_add(&n, name, a), 0);
	}
	cr_assert_eq(stmt_names_get(&n, "s499"), a);
	stmt_names_clear(&n);
	cr_assert_eq(a->refs, 1);
	stmt_unref(a);
	stmt_registry_free(&r);
}

Test(stmt, server_cache_lru_and_batch_protection)
{
	struct stmt_registry r;
	struct stmt_cache c;
	stmt_registry_init(&r);
	stmt_cache_init(&c);
	struct stmt *a = stmt_intern(&r, key_a, sizeof(key_a) - 1);
	struct stmt *b = stmt_intern(&r, key_b, sizeof(key_b) - 1);
	struct stmt_cached *ea = stmt_cache_add(&c, a);
	struct stmt_cached *eb = stmt_cache_add(&c, b);
	cr_assert_str_eq(ea->alias, a->name);
	ea->used_gen = 1;
	eb->used_gen = 1;
	/* Both used in batch 1: neither may be evicted during it. */
	cr_assert_null(stmt_cache_victim(&c, 1));
	/* In batch 2, the least recently used goes first... */
	cr_assert_eq(stmt_cache_victim(&c, 2), ea);
	/* ...and a hit makes it the most recent. */
	cr_assert_eq(stmt_cache_get(&c, a), ea);
	cr_assert_eq(stmt_cache_victim(&c, 2), eb);
	stmt_cache_remove(&c, b);
	cr_assert_null(stmt_cache_get(&c, b));
	cr_assert_eq(c.count, 1);
	/* The cache holds a reference: the statement outlives the registry's. */
	stmt_unref(a);
	stmt_unref(b);
	cr_assert_eq(r.count, 1);
	stmt_cache_clear(&c);
	cr_assert_eq(r.count, 0);
	stmt_registry_free(&r);
}
