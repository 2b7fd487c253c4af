/*
 * pipeline.h - the one path every message takes:
 *     message -> extract -> store -> schedule -> emit
 * used by cme-milter (at end of message) and cmectl (ingest), so a
 * message gives the same result whichever way it enters.
 *
 * Owns: the decisions (which case a message opens or changes, whether
 * its sender may change it, what a visit or an outcome does) and the
 * order of the stages.  It holds no MTA or command-line knowledge.
 * Which deadlines follow is schedule's (case_deadlines.h), the mails and
 * feeds emit's (outbox.h, feeds.h).
 *
 * Concurrency: pipeline_process, pipeline_reminder_passed and the
 * officer actions may be called from any thread; pipeline_new,
 * pipeline_free and pipeline_start_sender/stop_sender from one.
 */
#ifndef CME_PIPELINE_H
#define CME_PIPELINE_H

#include <stddef.h>
#include <time.h>
#include "conf.h"
#include "stage_timing.h"
#include "strlist.h"

struct pipeline;

/* Load the policy and calendars named by conf and check the database
 * opens.  NULL on failure, with every problem in *errors. */
struct pipeline *pipeline_new(const struct cme_conf *conf,
                              struct strlist *errors);
void pipeline_free(struct pipeline *p);

struct pipeline_input {
	const char *raw;          /* the whole message, headers and body */
	size_t      len;
	const char *client_addr; /* SMTP client IP, or NULL */
	const char *auth_authen;  /* SMTP AUTH user, or NULL */
	const char *queue_id;     /* for logs, or NULL */
	int         null_sender;  /* MAIL FROM:<> - a bounce */
	int         truncated;    /* the message was longer than MaxMessageSize:
	                             `raw` holds its first part only */
	size_t      forged_headers; /* X-CME-* headers that came from outside
	                             (the milter removes them; recorded) */
	int         forged_left;  /* ...but more than it can remove: left */
	time_t      now;
};

struct pipeline_result {
	char *message_key;        /* Message-ID, or "sha256:..." of the message */
	char action[16];          /* opened|updated|closed|unverified|duplicate|ignored|triage */
	struct strlist refs;      /* cases touched */
	struct strlist flags;     /* flag names */
	int immediate;
	struct stage_timing timing; /* where pipeline_process's time went
	                               (all but reply): stage_timing.h */
};

void pipeline_result_init(struct pipeline_result *res);
void pipeline_result_free(struct pipeline_result *res);

/* Run the whole pipeline and commit.  Returns 0 when the outcome is
 * committed, -1 when it could not be (the caller must tempfail so the
 * sender retries).  Nothing is half-done: on -1 nothing was stored. */
int pipeline_process(struct pipeline *p, const struct pipeline_input *in,
                     struct pipeline_result *res);

/* The subject a processed message should carry: "[CME-2026-00001]"
 * prefixed once (never doubled on replies), "[URGENT]" when immediate.
 * Returns malloc'd text, or NULL when the subject needs no change (or
 * the tagged subject cannot be made: out of memory, over 4 KB). */
char *pipeline_tag_subject(const char *subject,
                           const struct pipeline_result *res);

/* Officer actions from cmectl: the same decisions as a message's (a
 * visit moves an open or triage case to visited and meets its home
 * visit; a close cancels every pending deadline).  0 done, 1 no such
 * (open) case, -1 error. */
int pipeline_record_visit(struct pipeline *p, const char *ref, const char *date,
                          int found, const char *note, time_t now);
int pipeline_close_case(struct pipeline *p, const char *ref, const char *outcome,
                        const char *note, time_t now);
int pipeline_outcome_known(const char *outcome);

/* Any officer action (officer.h) from cmectl, in a transaction of its
 * own, "cmectl" as who and source; reminders queued and feeds rewritten
 * as for a message.  0 done, 1 no such case, 2 refused (err gets the
 * one-line reason; nothing stored), -1 error. */
struct officer_request;
int pipeline_officer(struct pipeline *p, const struct officer_request *rq, time_t now,
                     char *err, size_t errlen);

/* Retention: remove cases of children born more than `years` before
 * `now`; logged.  Returns the number removed, or -1. */
long long pipeline_purge(struct pipeline *p, int years, time_t now);

/* Move cases past their long-term review to long-term.  Count or -1. */
int pipeline_sweep(struct pipeline *p, time_t now);

/* The daily work at `now` (duty.h): missed deadlines marked and
 * reported once, immediate escalations repeated, the digest queued;
 * force: the digest whatever the time (cmectl digest --send).  The
 * number of mails queued, or -1. */
int pipeline_duty(struct pipeline *p, time_t now, int force);

/* Submit the reminder mails waiting in the outbox (due by `now`) through
 * SendmailPath.  Returns how many were sent, or -1. */
int pipeline_flush_outbox(struct pipeline *p, time_t now);

/* The newest failed commit of a message (its error in buf, "" if none
 * since start) and when, or 0.  For the periodic status line. */
time_t pipeline_last_commit_error(struct pipeline *p, char *buf, size_t len);

/* cme-milter: send the outbox from a background thread, woken after each
 * commit that queued mail and every 30 s for retries; the first call
 * also moves WAL checkpoints to a thread of their own (commit.h).
 * Stopped by pipeline_free. */
int pipeline_start_sender(struct pipeline *p);

/* Stop the sender thread and wait for it (what it was doing is finished,
 * dirty feeds are written); pipeline_start_sender may start it again.
 * A reload stops the running pipeline's sender before it builds the new
 * pipeline, so that no other thread uses libical meanwhile. */
void pipeline_stop_sender(struct pipeline *p);

/* A mail from a Mailbox is passing through the MTA: one of our reminder
 * mails if `seal` (the IMIP_SEAL_HEADER value, or NULL) seals
 * `message_id` under the database's key.  Returns 1 to let it through
 * (the first copy, now recorded as sent, or the MTA retrying that same
 * copy after the milter failed to answer it), 2 for another copy (a
 * resend after a crash, whose first copy already passed: discard it), 0
 * if it is not ours (unsealed or forged: treat it as any other mail), -1
 * on error (let it through). */
int pipeline_reminder_passed(struct pipeline *p, const char *message_id, const char *seal,
                             time_t now);

/* Batch use (cmectl ingest of a mailbox): collect the officers whose
 * feeds changed and write each once, at pipeline_write_dirty_feeds. */
void pipeline_defer_feeds(struct pipeline *p, int on);
int  pipeline_write_dirty_feeds(struct pipeline *p);

/* Write every officer's feed file from the database. */
int pipeline_write_feeds(struct pipeline *p);

#endif
