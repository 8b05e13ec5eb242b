/*
 * hot.h - the functions every transaction runs through.
 *
 * A proxy sleeps between a client's query and the server's answer, and
 * the client, the server and the kernel run in between: each time pgpin
 * wakes, most of its code is cold in the caches and the TLB again.  What
 * a transaction costs in user space is then mostly the cache lines and
 * pages its code touches, not its instruction count.  PGPIN_HOT marks
 * the per-transaction path (the read fast paths, batch planning and
 * relaying, the request queue, pin classification, the event-loop
 * callbacks) so that the compiler places it together, in .text.hot,
 * instead of spread over the binary in source order; it also optimizes
 * those functions for speed.  contrib/bench/README.md says how the
 * footprint is measured.
 */
#ifndef PGPIN_HOT_H
#define PGPIN_HOT_H

#if defined(__GNUC__)
#define PGPIN_HOT __attribute__((hot))
#else
#define PGPIN_HOT
#endif

#endif
