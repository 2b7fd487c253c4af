/*
 * duty.h - stage 5: the sender's daily work (SPEC section 7).
 *
 * NAME
 *     duty - missed deadlines escalate, an immediate escalation not yet
 *     done is repeated, and the daily digest goes out.
 *
 * Owns, for one pass at time `now` (the sender thread runs it every
 * minute; `cmectl digest --send` runs it once):
 *   - missed: a home visit or escalation still pending after its due
 *     time becomes `missed`, is recorded on the case's timeline
 *     ("missed: home visit due ..."), and is reported ONCE to the
 *     EscalationContact (the case's officer when none is configured);
 *     the status change is what makes it once;
 *   - repeat: an immediate escalation still pending is mailed again to
 *     the officer and the EscalationContact from the working-day start
 *     (09:00) of each working day after the referral's, once per case and
 *     day (duty_sent key "immediate:REF:DATE");
 *   - digest: from the policy's digest_time on working days, once per
 *     officer and day ("digest:OFFICER:DATE"), and the EscalationContact's
 *     overdue digest ("overdue:CONTACT:DATE").  An officer with nothing
 *     to act on gets no mail (the day is still recorded).
 * Every mail goes into the outbox in the caller's transaction, with its
 * once-only record, and is delivered exactly once by the sender.  No
 * subject carries a child's name (references and initials only).
 *
 * Return conventions: the number of mails queued, or -1 (the store's
 * error; the caller rolls back and the next pass tries again).
 *
 * Concurrency: none of its own; inside the writer's transaction.
 */
#ifndef CME_DUTY_H
#define CME_DUTY_H

#include <time.h>

#include "case_deadlines.h"
#include "outbox.h"

/* force: send the digest now whatever the time of day or day of the week
 * (cmectl digest --send); still once per officer and day.  Deadlines
 * that became missed are noted in `ch` (their feeds change). */
int duty_run(const struct emit_env *env, struct case_store *cs, time_t now, int force,
             struct dl_changes *ch);

#endif
