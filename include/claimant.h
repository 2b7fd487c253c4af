/*
 * claimant.h - names for the senders that claim outbox mails, and
 * whether the sender behind a name is still alive.
 *
 * Owns: the form of a claimant name, "PID.START@HOST", where START is
 * the process's start time in clock ticks since boot (/proc/PID/stat),
 * so that a PID reused by another process is not taken for the sender
 * that once had it.  The name is the process's, not a pipeline's: a
 * reload builds a new pipeline in the same process, whose claims must
 * not be taken for a dead sender's.
 *
 * Concurrency: no shared state; safe from any thread.
 */
#ifndef CME_CLAIMANT_H
#define CME_CLAIMANT_H

#include <stddef.h>

/* This process's claimant name on `host`. */
void claimant_self(char *out, size_t outlen, const char *host);

/* 1 if the sender named `name` is alive or may be (another host's, or
 * a name we cannot read), 0 if it is a process of this host that has
 * ended.  Only a 0 may release its claims at once; the others wait for
 * their leases to run out. */
int claimant_alive(const char *name, const char *host);

#endif
