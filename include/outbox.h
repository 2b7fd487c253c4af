/*
 * outbox.h - the iMIP reminder mails a transaction queues.
 *
 * NAME
 *     outbox - compose one iMIP REQUEST or CANCEL per deadline change
 *     and put it in the store's outbox.
 *
 * Owns: the composition of reminder mails (calendar text, subject,
 * Message-ID, who gets a copy: the deadline's officer, and the
 * EscalationContact for escalations).  The mails are queued inside the
 * caller's transaction, so that they exist exactly when the change does;
 * sending them is the sender thread's (pipeline/sender.c).
 *
 * Return conventions: 0 queued (or nothing to queue), -1 error (out of
 * memory or the store failed: the caller rolls back).
 *
 * Concurrency: none of its own; call inside the writer's transaction.
 */
#ifndef CME_OUTBOX_H
#define CME_OUTBOX_H

#include <time.h>

#include "case_deadlines.h"
#include "case_store.h"
#include "conf.h"
#include "policy.h"

/* What the emit stage needs to know: the configuration (Mailbox,
 * NotifyOfficers, EscalationContact, ReminderDetail, ReminderDir,
 * CalendarDomain for event UIDs), the policy (its time zone and alerts),
 * and this host's name (Message-IDs and sender claims only, never UIDs). */
struct emit_env {
	const struct cme_conf *conf;
	const struct policy *policy;
	const char *host;
};

/* Queue the reminder mails for the deadlines in `ch` (nothing when
 * NotifyOfficers is off). */
int outbox_enqueue_reminders(const struct emit_env *env, struct case_store *cs,
                             const struct dl_changes *ch, time_t now);

/* The events of a reminder for `row` under env's ReminderDetail and
 * CalendarDomain (case_deadlines_describe_all).  Returns how many. */
size_t outbox_describe(const struct emit_env *env, const struct deadline_row *row,
                       struct reminder_text out[DL_EVENTS_MAX]);

/* A case's live (pending) reminders leave `attendee` (the officer the
 * case was taken from): a CANCEL each.  The REQUESTs to the new officer
 * follow from noting the same deadlines in a dl_changes. */
int outbox_enqueue_cancel_to(const struct emit_env *env, struct case_store *cs,
                             long long case_id, const char *attendee, time_t now);

/* A plain-text notice (method NOTICE in the outbox: no calendar), sent
 * as the first Mailbox like the reminders: an officer's confirmation, a
 * transfer to another LA.  `kind` names it in the Message-ID and UID;
 * `to` must be an address we checked, `subject` our own words (never
 * message text, never a child's name).  Queued whatever NotifyOfficers
 * says (a transfer an officer asked for); the caller decides (an
 * officer's confirmation follows NotifyOfficers). */
int outbox_enqueue_notice(const struct emit_env *env, struct case_store *cs,
                          long long case_id, const char *ref, const char *kind,
                          const char *to, const char *subject, const char *text, time_t now);


#endif
