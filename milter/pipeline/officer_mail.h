/*
 * officer_mail.h - private to milter/pipeline/: an officer's email as
 * officer actions (SPEC 5.6), a school's correction of its own referral,
 * and calendar replies.
 *
 * NAME
 *	officer_mail - read (in the caller's thread) and apply (in the
 *	message's transaction) what an officer's message asks.
 *
 * Owns: who is an officer (the Officers key, or the first Mailbox's
 * domain), which text of a message is the officer's own, how a line
 * becomes an officer_request (officer.h), the confirmation mail's words,
 * and how a calendar REPLY (Accepted, Declined) is told and recorded.
 * The line reading is extract's (officer_lines.h); the actions
 * officer.h's; which case a message names pipeline.c's.
 *
 * Return conventions: officer_mail_read 0 or -1 (out of memory);
 * the apply functions 0 done, -1 error (the caller rolls back).
 *
 * Concurrency: officer_mail_read in any thread; the rest under the
 * writer's lock, inside the message's savepoint.
 */
#ifndef CME_OFFICER_MAIL_H
#define CME_OFFICER_MAIL_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "message.h"
#include "officer.h"
#include "officer_lines.h"
#include "referral.h"

#define OFFICER_MAIL_TEXT_MAX 8000   /* of the officer's text kept on the timeline */

struct officer_mail {
	int officer;                 /* authenticated, from an Officers address */
	const char *calendar_reply;  /* a METHOD:REPLY's answer ("accepted",
	                                "declined", "tentative", "replied"), or NULL */
	struct officer_lines lines;  /* officer: what the lines ask */
	char *text;                  /* officer: the own text, bounded (malloc'd) */
};

/* Read the message once, before the transaction.  `raw` is the whole
 * message (the calendar part is not among message_text's texts). */
int  officer_mail_read(const struct cme_conf *conf, const struct cme_message *m,
                       const struct cme_referral *r, const char *raw, size_t len,
                       time_t now, struct officer_mail *om);
void officer_mail_free(struct officer_mail *om);

/* Is `ref` the value of one of the message's Merge: lines (the case to
 * merge into, not the case the message is about)?  1 or 0. */
int officer_mail_merge_target(const struct officer_mail *om, const char *ref);

/* What applying the lines did, for the message's action. */
struct officer_mail_result {
	int changed, closed;
};

/* Apply the officer's lines to case *ci: the whole text on the timeline,
 * each line an action (refusals reported, not fatal), a confirmation to
 * the officer through the outbox. */
int officer_mail_apply(struct officer_ctx *ctx, const struct case_info *ci,
                       const struct officer_mail *om, const char *officer,
                       struct officer_mail_result *res);

/* A trusted sender's correction of its own referral: the fields `c`
 * states that differ from the case's (and pass their checks) are edited,
 * old and new on the timeline.  *changed counts them. */
int officer_mail_correct(struct officer_ctx *ctx, const struct case_info *ci,
                         const struct cme_child *c, int *changed);

/* A calendar reply: an acknowledgement on the timeline, nothing else. */
int officer_mail_ack(struct officer_ctx *ctx, const struct case_info *ci,
                     const struct officer_mail *om, const char *from);

#endif
