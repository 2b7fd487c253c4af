/*
 * membudget.h - the process-wide bound on memory held for messages in
 * flight (SPEC 8: "memory is bounded per message and in total").
 *
 * Owns: one counter of bytes reserved, its total (MaxMemory), a mutex
 * and a condition variable.  Each milter connection is a holder: a
 * size_t of its own saying how much it has reserved.  A message
 * reserves what its body takes as the body arrives, and at end of
 * message what decoding it may cost (membudget_message_cost) before the
 * pipeline runs; it gives everything back when it is done.
 *
 * Concurrency: every function may be called from any thread at any
 * time; the counter is only touched under the module's mutex.  A holder
 * (the size_t) belongs to one connection, and libmilter calls one
 * connection's callbacks one at a time, so holders need no lock.
 *
 * A reservation that does not fit waits, up to a bounded time, for
 * others to give memory back; past that it fails and the milter answers
 * 451 4.3.0, so the sender retries later: never a loss.  A holder alone
 * in the process always gets what it asks, so a message bigger than the
 * whole budget is still read (the per-message bounds in message.c and
 * docx_text.c bound it).  Nothing here allocates.
 */
#ifndef CME_MEMBUDGET_H
#define CME_MEMBUDGET_H

#include <stddef.h>

/* How long a message waits for room before the milter answers 451. */
#define MEMBUDGET_WAIT_MS 10000u

/* The budget: at most `total` bytes reserved at once (0: no bound).
 * Safe to call again (a reload); reservations already held stay. */
void membudget_configure(size_t total);

/* Raise what *held reserves to `want` bytes (nothing when it already
 * holds that much).  Waits up to `wait_ms` for room.  0 on success, -1
 * when there was no room in time (*held unchanged). */
int membudget_reserve(size_t *held, size_t want, unsigned wait_ms);

/* Give back everything *held reserves, wake the waiters, set it to 0. */
void membudget_release(size_t *held);

/* Bytes reserved now, by all holders. */
size_t membudget_in_use(void);

/* What decoding a message of `len` raw bytes may cost at most: its
 * decoded copies, the text kept (max_text_bytes, with the extractor's
 * working copies) and the XML parser's state. */
size_t membudget_message_cost(size_t len);

/* After a message: when nothing is reserved any more (a burst is over),
 * hand freed heap back to the system (glibc's malloc_trim, at most once
 * a second), so a burst does not leave RSS behind.  Blocks of 256 KiB
 * and more (text buffers, decoded parts) go back as soon as they are
 * freed: membudget_configure sets glibc's mmap threshold so. */
void membudget_return_memory(void);

#endif
