/*
 * evmem.c - libevent's memory.
 *
 * A small message read from a socket lands in a buffer chain of 1 KiB,
 * libevent's smallest, which is freed as soon as the message is relayed:
 * a malloc() and a free() of the same size per message and direction, a
 * large share of the relay's own work.  So pgpin hands libevent allocation
 * functions that keep the last freed chains of that size, per thread, and
 * give them out again; everything else goes to malloc() as before.  Each
 * block carries its size in a header, since libevent frees without one.
 * Sanitizer builds leave libevent on malloc(), so that a use after free
 * stays visible to them.
 */
#include "evmem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#if defined(__SANITIZE_ADDRESS__)
#define EVMEM_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EVMEM_CACHE 0
#endif
#endif
#ifndef EVMEM_CACHE
#define EVMEM_CACHE 1
#endif

#if EVMEM_CACHE

/* libevent's MIN_BUFFER_SIZE on 64-bit systems: what a chain for a small
 * message takes. */
#define EVMEM_CHAIN 1024
/* Freed chains kept per thread: a few per connection in flight at once. */
#define EVMEM_KEEP 256

/* The header keeps the block max_align_t-aligned, as malloc() would. */
union evmem_head {
	size_t size;
	max_align_t align;
};

static _Thread_local struct {
	void *blocks[EVMEM_KEEP];
	unsigned n;
} kept;

static void *evmem_malloc(size_t size)
{
	if (size == EVMEM_CHAIN && kept.n)
		return kept.blocks[--kept.n];
	union evmem_head *h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

static void evmem_free(void *p)
{
	if (!p)
		return;
	union evmem_head *h = (union evmem_head *)p - 1;
	if (h->size == EVMEM_CHAIN && kept.n < EVMEM_KEEP) {
		kept.blocks[kept.n++] = p;
		return;
	}
	free(h);
}

static void *evmem_realloc(void *p, size_t size)
{
	if (!p)
		return evmem_malloc(size);
	union evmem_head *h = (union evmem_head *)p - 1;
	if (size == h->size)
		return p;
	if (h->size == EVMEM_CHAIN || size == EVMEM_CHAIN) {
		/* Into or out of the kept size: through the cache. */
		void *q = evmem_malloc(size);
		if (!q)
			return NULL;
		memcpy(q, p, h->size < size ? h->size : size);
		evmem_free(p);
		return q;
	}
	h = realloc(h, sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

void evmem_setup(void)
{
	event_set_mem_functions(evmem_malloc, evmem_realloc, evmem_free);
}

#else

void evmem_setup(void)
{
}

#endif
