/*
 * case_deadlines.h - which deadlines a case has, and what each event in
 * its life does to them.
 *
 * NAME
 *     case_deadlines - the schedule rules, shared by the email path
 *     (pipeline.c) and cmectl's officer actions.
 *
 * Owns:
 *   - the deadlines a new (or reopened) case gets: home-visit, escalation
 *     and long-term-review from the policy's durations, plus "immediate"
 *     when the referral carries a safeguarding flag;
 *   - ONE table of what each event (a visit, the case closed, the case
 *     gone long-term, the case reopened) meets, cancels or sets;
 *   - the record of the deadlines one transaction changed (struct
 *     dl_changes), from which emit queues one iMIP mail per change;
 *   - the words of a reminder (case_deadlines_describe).
 * It does not decide whether an event happens (pipeline.c does), nor
 * store anything itself (case_store.c does, through the calls below).
 *
 * Return conventions: 0 done, -1 error (the store's error message says
 * why; a change that cannot be remembered is an error too, so that the
 * transaction fails rather than lose its reminder).
 *
 * Concurrency: none of its own.  Every call takes the caller's store
 * connection and runs inside the caller's transaction.
 */
#ifndef CME_CASE_DEADLINES_H
#define CME_CASE_DEADLINES_H

#include <stddef.h>
#include <time.h>

#include "case_store.h"
#include "extract.h"
#include "policy.h"

/* Cases one message can touch: every child it names, and the case
 * references it quotes.  Deadlines per case: four kinds. */
#define MAX_CASES_PER_MESSAGE (EXTRACT_MAX_CHILDREN + 16)
#define MAX_CHANGES (MAX_CASES_PER_MESSAGE * 4)

/* Deadlines changed in one transaction: each needs an iMIP REQUEST (now
 * pending) or CANCEL (met, cancelled) once the change commits. */
struct dl_changes {
	long long case_id[MAX_CHANGES];
	char kind[MAX_CHANGES][24];
	size_t n;
};

/* What happens to a case, as far as its deadlines are concerned. */
enum case_event {
	CASE_EVENT_VISIT,       /* a home visit was made (email or cmectl) */
	CASE_EVENT_CLOSED,      /* an outcome was recorded */
	CASE_EVENT_LONG_TERM,   /* the long-term review fell due (the sweep) */
	CASE_EVENT_REOPEN,      /* a closed case was referred again */
};

/* Remember that (case_id, kind) changed.  0, or -1 when the record is
 * full (logged). */
int case_deadlines_note(struct dl_changes *ch, long long case_id, const char *kind);

/* Move the changes of `case_id` from ch to out (out->n set): a case
 * given to another officer sends the mails of what changed so far to
 * the officer who had it (officer.h's assign). */
void case_deadlines_take(struct dl_changes *ch, long long case_id, struct dl_changes *out);

/* A new or reopened case: set its deadlines from the policy (and
 * "immediate" when `immediate`), each with a timeline event whose
 * source is "policy". */
int case_deadlines_schedule(struct case_store *cs, struct dl_changes *ch,
                            const struct policy *pol, long long case_id,
                            int immediate, time_t now);

/* Apply `event`'s row of the table: each pending deadline it names moves
 * to the table's status (met, cancelled).  CASE_EVENT_REOPEN schedules
 * instead (as case_deadlines_schedule).  CASE_EVENT_LONG_TERM's move is
 * made by the store's sweep (case_store_sweep_long_term), so that the
 * sweep can run alone; here it is only noted (case_deadlines_noted). */
int case_deadlines_apply(struct case_store *cs, struct dl_changes *ch,
                         const struct policy *pol, long long case_id,
                         enum case_event event, int immediate, time_t now);

/* Note the deadlines `event` changes without moving them (for a change
 * the store already made: the long-term sweep).  0 or -1. */
int case_deadlines_noted(struct dl_changes *ch, long long case_id, enum case_event event);

/* The words of a reminder (the time in words, what to do:
 * reminder_words.h).  ReminderDetail minimal (the default): case
 * reference and initials only; the name, DOB and address stay in the
 * database.  `full_name`: ReminderDetail full.  `domain` is the
 * right-hand side of the event UID (CalendarDomain, never the host).
 * subject: for the iMIP mail's Subject, which never carries the name
 * (mail subjects travel in notifications and logs): initials only.
 * start: the event's DTSTART (an instant, no duration); alarm: when its
 * one VALARM fires, or 0 for none. */
struct reminder_text {
	char uid[256], summary[256], description[2048], subject[256];
	time_t start, alarm;
};
/* The deadline's own event: UID REF-KIND-GENERATION@domain (or the
 * UID it was first sent with, before schema 12), at the due time, with
 * the alarm of its last alert. */
void case_deadlines_describe(const struct policy *pol, int full_name, const char *domain,
                             const struct deadline_row *row, struct reminder_text *out);

/* Every event of a deadline: its own (out[0], as above) and one event
 * per earlier alert, UID REF-KIND-GENERATION-alert-N@domain, at the
 * alert's time with an alarm at its start.  Outlook keeps one VALARM per
 * event, so each alert is an event of its own (SPEC 7).  An event sent
 * before schema 12 keeps its one event.  Returns how many (>= 1). */
#define DL_EVENTS_MAX 8
size_t case_deadlines_describe_all(const struct policy *pol, int full_name,
                                   const char *domain, const struct deadline_row *row,
                                   struct reminder_text out[DL_EVENTS_MAX]);

#endif
