/*
 * feeds.h - the officers' calendar feeds.
 *
 * NAME
 *     feeds - write each officer's feed (an .ics file in ReminderDir)
 *     from the database, and pace the rewriting.
 *
 * Owns: which events a feed holds (the officer's pending deadlines, in
 * the words of outbox_describe), and how often a feed may be rewritten
 * (FEED_MIN_INTERVAL_S, stretched so that rewriting takes at most
 * 1/FEED_TIME_SHARE of the writing thread's time).  Which officers' feeds are
 * due is the caller's to track (pipeline/sender.c keeps that set).
 *
 * Return conventions: 0 written, -1 error (logged).  A feed can always
 * be rebuilt from the database (cmectl calendar), so callers log and go
 * on rather than fail a committed change.
 *
 * Concurrency: feeds_write_all and feeds_write_list open a reading
 * connection of their own (WAL: a consistent snapshot that never blocks
 * the writer).  A struct feeds_pace belongs to one thread.  Two writers
 * of one officer's feed must be serialised by the caller (the sender
 * thread is the only one in cme-milter).
 */
#ifndef CME_FEEDS_H
#define CME_FEEDS_H

#include <time.h>

#include "case_store.h"
#include "outbox.h"
#include "strlist.h"

/* A feed is rewritten at most this often: calendar clients poll feeds
 * every quarter of an hour or so, and a feed's size grows with the
 * caseload, so rewriting it for every message would cost the MTA far
 * more than it could ever give an officer. */
#define FEED_MIN_INTERVAL_S 2
/* ... and stretched to FEED_TIME_SHARE times the last rewrite's time. */
#define FEED_TIME_SHARE 50

/* Write `officer`'s feed from `cs`. */
int feeds_write_officer(const struct emit_env *env, struct case_store *cs,
                        const char *officer);

/* Every officer's feed (and the DutyOfficer's), from a reader of its own. */
int feeds_write_all(const struct emit_env *env);

/* The feeds of the officers in `officers`, from a reader of its own. */
int feeds_write_list(const struct emit_env *env, const struct strlist *officers);

struct feeds_pace {
	time_t last;        /* when feeds were last written */
	time_t interval;    /* not again before last + interval */
};
void   feeds_pace_init(struct feeds_pace *fp);
/* 1 when feeds may be written at `now`. */
int    feeds_pace_due(const struct feeds_pace *fp, time_t now);
/* Seconds until they may (<= 0: now). */
time_t feeds_pace_wait(const struct feeds_pace *fp, time_t now);
/* feeds_write_list, timed: the interval follows the time it took. */
int    feeds_write_paced(const struct emit_env *env, struct feeds_pace *fp,
                         const struct strlist *officers, time_t now);

#endif
