/*
 * NAME
 *	case_outbox.h - stage 3: the outbox of iMIP reminder mails, kept in
 *	the store so that a mail exists exactly when the case change that
 *	caused it was committed.
 *
 * OWNS
 *	The outbox table (queued, leased, sent, echoed) and the seal key in
 *	the meta table.  Which mails to queue and when to send them is the
 *	emit stage's; this module only stores and hands them out.
 *
 * RETURN CONVENTIONS
 *	As case_store.h: 0 / -1 for actions, 1 / 0 / -1 for lookups, a
 *	count or -1 where a count is asked for; outbox_seen_by_mta has its
 *	own, documented below.
 *
 * CONCURRENCY
 *	Like the store: one connection, one thread.  Several senders (in
 *	several processes) share the table through leases (claimed_by).
 */
#ifndef CME_CASE_OUTBOX_H
#define CME_CASE_OUTBOX_H

#include <stddef.h>
#include <time.h>

struct case_store;

/* Outbox of iMIP mails: added in the case's transaction, sent after.
 * case_id 0: a mail about no one case (the daily digest). */
struct outbox_row {
	long long id;
	char recipient[256];
	char message_id[400];     /* as queued: what its seal covers */
	char *message;            /* malloc'd; the caller frees */
	int attempts;
};
int case_store_outbox_add(struct case_store *cs, long long case_id, const char *uid,
                          const char *method, const char *recipient, const char *message,
                          const char *message_id, time_t now);
/* A copy of a reminder mail passed through the MTA (seen by the milter,
 * its seal already checked; `copy` names the submission it came from):
 * 1 let it through (the first copy, now recorded as sent and echoed; or
 * that same copy again, the MTA retrying it), 2 another copy passed
 * first (a resend after a crash: a duplicate), 0 not ours, -1 error. */
int case_store_outbox_seen_by_mta(struct case_store *cs, const char *message_id,
                                  const char *copy, time_t now);
/* Call fn for each sender name holding claims on unsent mail; fn
 * returns non-zero to stop (then -1).  0 or -1. */
int case_store_outbox_claimants(struct case_store *cs,
                                int (*fn)(const char *claimant, void *), void *arg);
/* Free the claims of `claimant` (a sender known to be dead): its mails
 * become due at `due`.  Count or -1. */
int case_store_outbox_release(struct case_store *cs, const char *claimant, time_t due);
/* 1 if the milter has ever seen one of our mails pass (the MTA runs it
 * on locally submitted mail), 0 if not, -1 error. */
int case_store_outbox_echoes_seen(struct case_store *cs);

/* 1 if a REQUEST whose UID starts uid_prefix ("CME-2026-00042-
 * escalation") was ever queued to recipient for the case, 0 if not, -1
 * error: an event someone was invited to must be cancelled for them. */
int case_store_outbox_invited(struct case_store *cs, long long case_id, const char *uid_prefix,
                              const char *recipient);
/* The key that seals reminder mails (hex, from the meta table). */
int case_store_seal_key(struct case_store *cs, char *out, size_t outlen);
/* 1 when a mail is due at `now` (what case_store_outbox_next would
 * claim), 0 when none, -1 error; when none is due, *next is when the
 * earliest unsent one will be (0: none waiting).  Reads only: any
 * connection. */
int case_store_outbox_due(struct case_store *cs, time_t now, time_t *next);
/* The oldest unsent mail due by `now`: 1 (filled), 0 none, -1 error. */
int case_store_outbox_next(struct case_store *cs, time_t now, struct outbox_row *out);
/* Hold a mail back until `until` while one sender submits it. */
int case_store_outbox_lease(struct case_store *cs, long long id, time_t until,
                            const char *claimant);
/* Record a submission: sent, or failed with the next attempt's time. */
int case_store_outbox_done(struct case_store *cs, long long id, int sent, time_t now,
                           time_t next_attempt, const char *error);
#endif
