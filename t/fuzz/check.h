/*
 * check.h - what every fuzz target uses to state an invariant and to copy an
 * input exactly (so that AddressSanitizer sees any read past its end).
 * Included by the targets, not built on its own.
 */
#ifndef PGPIN_FUZZ_CHECK_H
#define PGPIN_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant is a finding: abort, so that the fuzzer keeps it. */
#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* An exactly-sized heap copy (at least 1 byte allocated, never NULL). */
static inline uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	CHECK(d != NULL);
	if (n)
		memcpy(d, p, n);
	return d;
}

#endif
