/*
 * evmem.h - the memory functions pgpin gives libevent (see evmem.c).
 */
#ifndef PGPIN_EVMEM_H
#define PGPIN_EVMEM_H

/* Install them; before the first libevent call that allocates. */
void evmem_setup(void);

#endif
