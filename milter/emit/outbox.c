/*
 * outbox.c - iMIP reminder mails for the deadlines a transaction
 * changed.  See outbox.h.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "case_outbox.h"
#include "imip.h"
#include "outbox.h"
#include "reminder.h"
#include "reminder_words.h"

struct enqueue_ctx {
	const struct emit_env *env;
	struct case_store *cs;
	const struct dl_changes *ch;
	time_t now;
	long serial;
};

size_t outbox_describe(const struct emit_env *env, const struct deadline_row *row,
                       struct reminder_text out[DL_EVENTS_MAX])
{
	const struct cme_conf *conf = env->conf;
	char reply[1024];
	size_t n = case_deadlines_describe_all(env->policy, conf->reminder_detail == DETAIL_FULL,
	                                       conf_calendar_domain(conf), row, out);

	/* How to record it: the SPEC 5.6 line and a mailto: to the first
	 * Mailbox, with the case reference in its subject, on every event
	 * (the deadline's and its alerts'). */
	reminder_words_reply_section(conf->mailboxes.n ? conf->mailboxes.v[0] : NULL, row->ref,
	                             row->dkind, reply, sizeof reply);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(out[i].description);

		snprintf(out[i].description + len, sizeof out[i].description - len, "%s", reply);
	}
	return n;
}

/* One mail for one event: Outlook reads one event per invitation.
 * REQUEST for a pending deadline, CANCEL otherwise, or CANCEL whatever
 * its status when `cancel` (its attendee changed). */
static int queue_event(struct enqueue_ctx *e, const struct deadline_row *row,
                       const struct reminder_text *rt, const char *attendee, int cancel)
{
	const struct cme_conf *conf = e->env->conf;
	const char *mailbox = conf->mailboxes.n ? conf->mailboxes.v[0] : NULL;
	const char *method = row->dstatus == DL_PENDING && !cancel ? "REQUEST" : "CANCEL";
	struct reminder_event ev;
	char subject[320], msgid[400], *cal, *msg;
	int rc;

	memset(&ev, 0, sizeof ev);
	ev.uid = rt->uid;
	ev.summary = rt->summary;
	ev.description = rt->description;
	ev.due = row->due;
	ev.start = rt->start;
	ev.alarm = rt->alarm;
	ev.sequence = row->sequence;
	ev.cancelled = strcmp(method, "CANCEL") == 0;
	ev.stamp = e->now;
	cal = reminder_calendar_text(&ev, 1, method, mailbox, attendee);
	if (cal == NULL)
		return -1;
	snprintf(subject, sizeof subject, "%s%s%s", ev.cancelled ? "Cancelled: " : "",
	         rt->start != row->due ? "Reminder - " : "", rt->subject);
	snprintf(msgid, sizeof msgid, "<%s.%d.%s.%ld.%ld@%s>", row->ref, row->sequence, row->kind,
	         (long)e->now, e->serial++, e->env->host);
	{
		struct imip_mail m = {
			mailbox, attendee, subject,
			ev.cancelled ? "This CME reminder is cancelled.\n" : rt->description,
			cal, method, msgid, e->now,
			/* an immediate escalation interrupts (SPEC 7) */
			!ev.cancelled && row->dkind == DL_KIND_IMMEDIATE,
		};

		msg = imip_compose(&m);
	}
	free(cal);
	if (msg == NULL)
		return -1;
	rc = case_store_outbox_add(e->cs, row->case_id, rt->uid, method, attendee, msg, msgid,
	                           e->now);
	free(msg);
	return rc;
}

static int queue_one(struct enqueue_ctx *e, const struct deadline_row *row,
                     const char *attendee, int cancel)
{
	const struct cme_conf *conf = e->env->conf;
	struct reminder_text rt[DL_EVENTS_MAX];
	size_t n;

	if (conf->mailboxes.n == 0)
		return 0;       /* nobody to send as; conf_check requires Mailbox */
	n = outbox_describe(e->env, row, rt);
	for (size_t i = 0; i < n; i++)
		if (queue_event(e, row, &rt[i], attendee, cancel) != 0)
			return -1;
	return 0;
}

static int enqueue_cb(const struct deadline_row *row, void *arg)
{
	struct enqueue_ctx *e = arg;
	const struct cme_conf *conf = e->env->conf;
	int changed = 0;

	for (size_t i = 0; i < e->ch->n; i++)
		if (e->ch->case_id[i] == row->case_id && strcmp(e->ch->kind[i], row->kind) == 0)
			changed = 1;
	if (!changed)
		return 0;
	if (queue_one(e, row, row->officer, 0) != 0)
		return -1;
	/* The manager (EscalationContact) is invited to an immediate
	 * escalation - it interrupts them too (SPEC 7).  Not to every
	 * case's 20-day escalation on the day the case opens (issue 14: a
	 * manager's calendar full of escalations that will never be
	 * needed): a manager hears of an escalation when it is missed
	 * (duty.c) and in the daily overdue digest.  Escalation events a
	 * manager was invited to before this rule still get their updates
	 * and cancellations. */
	if (conf->escalation_contact == NULL)
		return 0;
	if (row->dkind == DL_KIND_IMMEDIATE)
		return queue_one(e, row, conf->escalation_contact, 0);
	if (row->dkind == DL_KIND_ESCALATION) {
		char prefix[128];
		int invited;

		snprintf(prefix, sizeof prefix, "%s-%s", row->ref, row->kind);
		invited = case_store_outbox_invited(e->cs, row->case_id, prefix,
		                                    conf->escalation_contact);
		if (invited < 0)
			return -1;
		if (invited)
			return queue_one(e, row, conf->escalation_contact, 0);
	}
	return 0;
}

int outbox_enqueue_reminders(const struct emit_env *env, struct case_store *cs,
                             const struct dl_changes *ch, time_t now)
{
	struct enqueue_ctx e = { env, cs, ch, now, 0 };
	long long done[MAX_CHANGES];
	size_t ndone = 0;

	if (!env->conf->notify_officers)
		return 0;
	for (size_t i = 0; i < ch->n; i++) {
		int seen = 0;

		for (size_t k = 0; k < ndone; k++)
			seen |= done[k] == ch->case_id[i];
		if (seen)
			continue;
		done[ndone++] = ch->case_id[i];
		if (case_store_each_changed_deadline(cs, ch->case_id[i], 0, enqueue_cb, &e) != 0)
			return -1;
	}
	return 0;
}

/* The officer a case's live reminders leave. */
struct cancel_ctx {
	struct enqueue_ctx e;
	const char *attendee;
};

static int cancel_cb(const struct deadline_row *row, void *arg)
{
	struct cancel_ctx *c = arg;

	return row->dstatus == DL_PENDING ? queue_one(&c->e, row, c->attendee, 1) : 0;
}

int outbox_enqueue_cancel_to(const struct emit_env *env, struct case_store *cs,
                             long long case_id, const char *attendee, time_t now)
{
	/* serials from 1000: the REQUESTs to the new officer, queued in the
	 * same second for the same SEQUENCE, count from 0 */
	struct cancel_ctx c = { { env, cs, NULL, now, 1000 }, attendee };

	if (!env->conf->notify_officers)
		return 0;
	return case_store_each_changed_deadline(cs, case_id, 0, cancel_cb, &c);
}

int outbox_enqueue_notice(const struct emit_env *env, struct case_store *cs,
                          long long case_id, const char *ref, const char *kind,
                          const char *to, const char *subject, const char *text, time_t now)
{
	static unsigned long serial;
	const struct cme_conf *conf = env->conf;
	const char *mailbox = conf->mailboxes.n ? conf->mailboxes.v[0] : NULL;
	unsigned long n = __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED);
	char msgid[400], uid[256], *msg;
	int rc;

	if (mailbox == NULL)
		return 0;
	snprintf(msgid, sizeof msgid, "<%s.%s.%ld.%ld.%lu@%s>", ref, kind, (long)now,
	         (long)getpid(), n, env->host);
	snprintf(uid, sizeof uid, "%s-%s@%s", ref, kind, conf_calendar_domain(conf));
	msg = imip_message(mailbox, to, subject, text, NULL, NULL, msgid, now);
	if (msg == NULL)
		return -1;
	rc = case_store_outbox_add(cs, case_id, uid, "NOTICE", to, msg, msgid, now);
	free(msg);
	return rc;
}
