/*
 * stage_timing.h - where one message's time at end of message went, for
 * the milter's log line (bench/stages.py reads it).
 *
 * Owns: the list of stages (one name table, in stage_timing.c, in the
 * order a message meets them), the monotonic clock readings and their
 * formatting as " name=ms ..." fields.  Nothing here allocates or takes
 * a lock: a few clock_gettime(CLOCK_MONOTONIC) calls per message.
 *
 * The stages of a CME message (milliseconds, wall time on a monotonic
 * clock, so waiting counts as much as work):
 *   parse    message_parse (MIME walk, decoding)
 *   extract  extraction, notes, content digest and message key: all the
 *            work done before the message is queued for a commit
 *   queue    queued for the group commit -> a leader took its batch
 *            (waiting for the batch before it to commit)
 *   lock     batch taken -> writer lock held and connection checked
 *            (the sender thread or an officer action holding the writer)
 *   txn      BEGIN and every statement of the whole batch
 *   commit   COMMIT (the WAL write, under the lock)
 *   after    after-commit work of the batch (feeds marked stale)
 *   sync     the WAL's fdatasync (after the lock, commit.h)
 *   wake     batch done -> this message's thread running again
 *   reply    the milter's header changes (smfi_addheader, chgheader)
 * and batch, the number of messages committed by the same COMMIT.
 *
 * Concurrency: a struct stage_timing belongs to one message; the group
 * commit's leader fills the writer's stages of the jobs of its batch
 * before it marks them done (under the queue's lock).
 */
#ifndef CME_STAGE_TIMING_H
#define CME_STAGE_TIMING_H

#include <stddef.h>
#include <time.h>

struct stage_timing {
	double parse, extract, queue, lock, txn, commit, after, sync, wake, reply;
	unsigned batch;
};

/* The monotonic clock now. */
void stage_now(struct timespec *ts);

/* Milliseconds from `from` to `to`. */
double stage_ms(const struct timespec *from, const struct timespec *to);

/* Milliseconds from `from` to now; *from is set to now (the next
 * stage's start). */
double stage_lap(struct timespec *from);

/* " parse=0.12 extract=0.40 ... batch=3" into buf (always terminated,
 * cut if too small; 200 bytes hold every field). */
void stage_timing_format(const struct stage_timing *st, char *buf, size_t len);

#endif
