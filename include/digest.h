/*
 * digest.h - stage 5: the daily digest's text (SPEC section 7).
 *
 * NAME
 *     digest - what an officer (or the EscalationContact) has to act on,
 *     as plain text: a pure function of the store and the time.
 *
 * Owns: the digest's sections and wording.  Per officer: overdue (days
 * late), due today, due in the next 5 working days, triage cases,
 * possible duplicates to review, and a warning when a closure calendar
 * the policy names runs out within six months.  For the
 * EscalationContact: everything overdue, by officer.  ReminderDetail
 * minimal (full = 0): case references and initials only; full: the
 * child's name too (never in a subject: the caller's subject carries no
 * case at all).  Sending is emit/duty.c's.
 *
 * Return conventions: malloc'd text (free it) with *nitems the number
 * of cases/deadlines listed (0: nothing to act on), or NULL on error
 * (the store's error, or out of memory).
 *
 * Concurrency: the caller's store connection; reads only.
 */
#ifndef CME_DIGEST_H
#define CME_DIGEST_H

#include <time.h>

#include "case_store.h"
#include "policy.h"

char *digest_officer_text(struct case_store *cs, const struct policy *pol, int full,
                          const char *officer, time_t now, int *nitems);
char *digest_escalation_text(struct case_store *cs, const struct policy *pol, int full,
                             time_t now, int *nitems);

/* Days since 1970-01-01 of t's local date in the policy's zone. */
long digest_local_day(const struct policy *pol, time_t t);

#endif
