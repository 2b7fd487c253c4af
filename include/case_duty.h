/*
 * NAME
 *	case_duty.h - stage 3: what the daily work (the digest, missed
 *	deadlines, repeated immediate escalations) reads and records.
 *
 * OWNS
 *	The duty_sent table (migration 9): one row per thing that must
 *	happen once (a digest per officer and day, a repeat per case and
 *	day), written in the same transaction as the outbox mail it stands
 *	for, so that a restart never sends it twice.  The queries over live
 *	deadlines the digest lists.  Which mails to write is emit/duty.c's.
 *
 * RETURN CONVENTIONS
 *	As case_store.h; case_store_once returns 1 (first time, recorded),
 *	0 (already done), -1 error.
 *
 * CONCURRENCY
 *	As the store: the caller's connection, inside its transaction.
 */
#ifndef CME_CASE_DUTY_H
#define CME_CASE_DUTY_H

#include <time.h>

#include "case_store.h"

/* Record `key` as done at `now`: 1 first time, 0 done before, -1. */
int case_store_once(struct case_store *cs, const char *key, time_t now);

/* Home-visit and escalation deadlines still pending whose due time is
 * before `now`, on cases not closed or long-term (the ones to mark
 * missed), oldest first. */
int case_store_each_overdue_pending(struct case_store *cs, time_t now,
                                    int (*fn)(const struct deadline_row *, void *),
                                    void *arg);

/* The deadlines an officer still has to act on: pending or missed, of a
 * case still open (open, visited, triage), except a home visit of a
 * visited case; `officer` NULL for every officer.  Ordered by officer,
 * due time. */
int case_store_each_live_deadline(struct case_store *cs, const char *officer,
                                  int (*fn)(const struct deadline_row *, void *),
                                  void *arg);

/* Triage cases of `officer` (NULL: all): fn(ref, opened_at, arg). */
int case_store_each_triage(struct case_store *cs, const char *officer,
                           int (*fn)(const char *ref, time_t opened_at, void *), void *arg);

#endif
