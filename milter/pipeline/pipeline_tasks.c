/*
 * pipeline_tasks.c - the pipeline's work that is not a message: an
 * officer's action from cmectl (the same officer.h functions an
 * officer's email uses), the retention purge, the long-term sweep, the
 * duty run, and the outbox and feeds passed on to the sender.  See
 * pipeline.h.
 *
 * Owns: nothing but each task's transaction: each runs in one writer
 * transaction (commit.h) and rewrites the feeds it changed after the
 * commit.
 *
 * Return conventions and concurrency: as pipeline.h says; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case_deadlines.h"
#include "case_store.h"
#include "duty.h"
#include "feeds.h"
#include "logging.h"
#include "officer.h"
#include "pipeline.h"
#include "pipeline_int.h"
#include "vocab.h"

/* ------------------------------------------------------------------ */
/* Officer actions (cmectl): officer.h's functions, the same as an
 * officer's email uses, with "cmectl" as who and source.  Each runs in
 * one transaction and rewrites the officers' feeds after the commit.   */

struct officer_txn {
	struct pipeline *p;
	const struct officer_request *rq;
	struct officer_ctx ctx;
	struct dl_changes *changes;  /* on the heap: too large for a stack */
};

/* 0 done, 1 no such case, 2 refused (ctx.err), -1 error.  A refusal
 * wrote nothing (officer.h), so its empty transaction commits. */
static long long officer_fn(struct case_store *cs, void *arg)
{
	struct officer_txn *a = arg;
	struct case_info ci;
	int found = case_store_find_ref(cs, a->rq->ref, &ci), rc;

	if (found < 0)
		return -1;
	if (found == 0)
		return 1;
	a->ctx.cs = cs;
	rc = officer_apply(&a->ctx, &ci, a->rq);
	if (rc != 0)
		return rc == 1 ? 2 : -1;
	return outbox_enqueue_reminders(&a->p->env, cs, a->changes, a->ctx.now) != 0 ? -1 : 0;
}

static void officer_after(struct case_store *cs, void *arg, long long rc)
{
	struct officer_txn *a = arg;

	if (rc == 0)
		(void)sender_feeds_changed(&a->p->sender, cs, a->changes,      /* logged */
		                           a->ctx.old_officer[0] ? a->ctx.old_officer : NULL);
}

int pipeline_officer(struct pipeline *p, const struct officer_request *rq, time_t now,
                     char *err, size_t errlen)
{
	struct officer_txn a;
	int rc;

	memset(&a, 0, sizeof a);
	a.p = p;
	a.rq = rq;
	a.changes = calloc(1, sizeof *a.changes);
	if (a.changes == NULL)
		return -1;
	a.ctx.env = &p->env;
	a.ctx.ch = a.changes;
	a.ctx.who = "cmectl";
	a.ctx.teaches = 1;
	a.ctx.source = "cmectl";
	a.ctx.now = now;
	rc = (int)writer_transaction(&p->writer, officer_fn, &a, officer_after);
	if (rc == 2 && err)
		snprintf(err, errlen, "%s", a.ctx.err);
	free(a.changes);
	return rc;
}

/* visit and close as before: a refusal (a case closed already) is "no
 * (open) case", 1. */
static int officer_simple(struct pipeline *p, const struct officer_request *rq, time_t now)
{
	int rc = pipeline_officer(p, rq, now, NULL, 0);

	return rc == 2 ? 1 : rc;
}

int pipeline_record_visit(struct pipeline *p, const char *ref, const char *date, int found,
                          const char *note, time_t now)
{
	struct officer_request rq = { .verb = OFFICER_VISIT, .ref = ref, .arg = date,
	                              .arg2 = note, .found = found };

	return officer_simple(p, &rq, now);
}

int pipeline_close_case(struct pipeline *p, const char *ref, const char *outcome,
                        const char *note, time_t now)
{
	struct officer_request rq = { .verb = OFFICER_CLOSE, .ref = ref, .arg = outcome,
	                              .arg2 = note };

	return officer_simple(p, &rq, now);
}

int pipeline_outcome_known(const char *outcome)
{
	return vocab_outcome_index(outcome) >= 0;
}

/* ------------------------------------------------------------------ */
/* Retention and the long-term sweep.                                   */

struct purge_args {
	struct pipeline *p;
	char cutoff[32];
	time_t now;
};

static long long purge_fn(struct case_store *cs, void *arg)
{
	struct purge_args *a = arg;

	return case_store_purge(cs, a->cutoff, a->now, "cmectl purge");
}

static void purge_after(struct case_store *cs, void *arg, long long n)
{
	struct purge_args *a = arg;

	/* The log line a retention audit looks for: counts only. */
	log_msg(LOG_NOTICE, "retention purge: %lld case(s) of children born before %s removed",
	        n, a->cutoff);
	(void)feeds_write_officer(&a->p->env, cs, a->p->conf->duty_officer);   /* logged */
}

long long pipeline_purge(struct pipeline *p, int years, time_t now)
{
	struct purge_args a;
	struct tm tm;

	gmtime_r(&now, &tm);
	a.p = p;
	/* born before this date => DOB + years is in the past */
	snprintf(a.cutoff, sizeof a.cutoff, "%04d-%02d-%02d", tm.tm_year + 1900 - years,
	         tm.tm_mon + 1, tm.tm_mday);
	a.now = now;
	return writer_transaction(&p->writer, purge_fn, &a, purge_after);
}

struct sweep_args {
	struct pipeline *p;
	time_t now;
	struct strlist refs;        /* cases gone long-term */
};

static long long sweep_fn(struct case_store *cs, void *arg)
{
	struct sweep_args *a = arg;

	return case_store_sweep_long_term(cs, a->now, &a->refs);
}

/* The swept cases' review events left the feed ("fired", by the store's
 * sweep: case_deadlines' CASE_EVENT_LONG_TERM): their officers' feeds
 * must be rewritten like after any other change. */
static void sweep_after(struct case_store *cs, void *arg, long long n)
{
	struct sweep_args *a = arg;
	struct dl_changes *ch;

	if (n <= 0 || (ch = calloc(1, sizeof *ch)) == NULL)
		return;
	for (size_t i = 0; i < a->refs.n; i++) {
		struct case_info ci;

		/* (a sweep takes at most 256 cases, far fewer than a
		 * dl_changes holds) */
		if (case_store_find_ref(cs, a->refs.v[i], &ci) == 1)
			(void)case_deadlines_noted(ch, ci.id, CASE_EVENT_LONG_TERM);
	}
	(void)sender_deadlines_changed(&a->p->sender, cs, ch);   /* logged */
	free(ch);
}

int pipeline_sweep(struct pipeline *p, time_t now)
{
	struct sweep_args a = { p, now, STRLIST_INIT };
	long long n = writer_transaction(&p->writer, sweep_fn, &a, sweep_after);

	strlist_free(&a.refs);
	return (int)n;
}

struct duty_args {
	struct pipeline *p;
	time_t now;
	int force;
	struct dl_changes ch;       /* deadlines that became missed */
};

static long long duty_fn(struct case_store *cs, void *arg)
{
	struct duty_args *a = arg;

	return duty_run(&a->p->env, cs, a->now, a->force, &a->ch);
}

/* Missed deadlines leave the live feed: their officers' feeds change. */
static void duty_after(struct case_store *cs, void *arg, long long n)
{
	struct duty_args *a = arg;

	(void)n;
	if (a->ch.n > 0)
		(void)sender_deadlines_changed(&a->p->sender, cs, &a->ch);   /* logged */
}

int pipeline_duty(struct pipeline *p, time_t now, int force)
{
	struct duty_args *a = calloc(1, sizeof *a);
	long long n;

	if (a == NULL)
		return -1;
	a->p = p;
	a->now = now;
	a->force = force;
	n = writer_transaction(&p->writer, duty_fn, a, duty_after);
	free(a);
	return (int)n;
}

/* ------------------------------------------------------------------ */
/* The outbox and the feeds: sender.h and feeds.h.                      */

int pipeline_flush_outbox(struct pipeline *p, time_t now)
{
	return sender_flush(&p->sender, now);
}

int pipeline_reminder_passed(struct pipeline *p, const char *message_id, const char *seal,
                             time_t now)
{
	return sender_passed(&p->sender, message_id, seal, now);
}

void pipeline_defer_feeds(struct pipeline *p, int on)
{
	sender_defer_feeds(&p->sender, on);
}

int pipeline_write_dirty_feeds(struct pipeline *p)
{
	return sender_write_dirty(&p->sender);
}

int pipeline_write_feeds(struct pipeline *p)
{
	return feeds_write_all(&p->env);
}
