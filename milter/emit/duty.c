/*
 * duty.c - the sender's daily work.  See duty.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_duty.h"
#include "deadline.h"
#include "digest.h"
#include "duty.h"
#include "imip.h"
#include "logging.h"
#include "reminder_words.h"

#define MISSED_MAX 256      /* deadlines marked missed per pass */

struct duty {
	const struct emit_env *env;
	struct case_store *cs;
	time_t now;
	char date[16];          /* local YYYY-MM-DD */
	int queued;
};

static const char *mailbox_of(const struct emit_env *env)
{
	return env->conf->mailboxes.n ? env->conf->mailboxes.v[0] : NULL;
}

/* Queue one plain mail of ours (no calendar).  `key` names it (unique
 * per mail: it makes the Message-ID). */
static int queue_plain(struct duty *d, long long case_id, const char *key, const char *to,
                       const char *subject, const char *text, int urgent)
{
	char msgid[600], clean[400];
	size_t o = 0;
	char *msg;
	int rc;

	if (!d->env->conf->notify_officers || mailbox_of(d->env) == NULL || to == NULL ||
	    to[0] == '\0')
		return 0;           /* NotifyOfficers no: recorded, not mailed */
	/* the key holds addresses: only safe characters go into the id */
	for (const char *k = key; *k && o + 1 < sizeof clean; k++)
		clean[o++] = strchr("<>@ \t\r\n\"\\", *k) ? '.' : *k;
	clean[o] = '\0';
	snprintf(msgid, sizeof msgid, "<duty.%s.%ld@%s>", clean, (long)d->now, d->env->host);
	{
		struct imip_mail m = { mailbox_of(d->env), to, subject, text, NULL, NULL, msgid,
		                       d->now, urgent };

		msg = imip_compose(&m);
	}
	if (msg == NULL)
		return -1;
	rc = case_store_outbox_add(d->cs, case_id, key, "NOTICE", to, msg, msgid, d->now);
	free(msg);
	if (rc == 0)
		d->queued++;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Missed deadlines.                                                    */

struct missed_list {
	struct deadline_row rows[MISSED_MAX];
	size_t n;
};

static int collect_missed(const struct deadline_row *row, void *arg)
{
	struct missed_list *l = arg;

	if (l->n < MISSED_MAX)
		l->rows[l->n++] = *row;
	return 0;
}

static int report_missed(struct duty *d, const struct deadline_row *row, struct dl_changes *ch)
{
	const struct cme_conf *conf = d->env->conf;
	const char *who = row->initials[0] ? row->initials : "child not yet identified";
	const char *to = conf->escalation_contact ? conf->escalation_contact : row->officer;
	char when[96], detail[200], subject[200], key[200], text[1600], reply[1024];
	int n = case_store_change_deadline_status(d->cs, row->case_id, row->kind,
	                                          deadline_status_name(DL_PENDING),
	                                          deadline_status_name(DL_MISSED), d->now);

	if (n <= 0)
		return n;           /* moved meanwhile: nothing to report */
	reminder_words_when(d->env->policy, row->due, d->now, when, sizeof when);
	snprintf(detail, sizeof detail, "missed: %s due %s", row->kind, when);
	if (case_store_add_event(d->cs, row->case_id, d->now, "deadline", "policy", detail) != 0 ||
	    case_deadlines_note(ch, row->case_id, row->kind) != 0)
		return -1;
	snprintf(subject, sizeof subject, "Missed: %s %s (%s)", reminder_words_kind(row->dkind),
	         row->ref, who);
	snprintf(key, sizeof key, "missed:%s:%s", row->ref, row->kind);
	reminder_words_reply_section(mailbox_of(d->env), row->ref, row->dkind, reply, sizeof reply);
	snprintf(text, sizeof text,
	         "CME case %s (%s), officer %s: the %s due %s was not recorded as done.\n"
	         "What to do: check with the officer and act on the case today: %s\n%s",
	         row->ref, who, row->officer, reminder_words_kind(row->dkind), when,
	         reminder_words_action(d->env->policy, row->dkind), reply);
	return queue_plain(d, row->case_id, key, to, subject, text, 0);
}

static int run_missed(struct duty *d, struct dl_changes *ch)
{
	struct missed_list *l = calloc(1, sizeof *l);
	int rc = 0;

	if (l == NULL)
		return -1;
	if (case_store_each_overdue_pending(d->cs, d->now, collect_missed, l) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < l->n; i++)
		rc = report_missed(d, &l->rows[i], ch) < 0 ? -1 : 0;
	free(l);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Immediate escalations not yet done: repeated each working day.       */

static int repeat_immediate(const struct deadline_row *row, void *arg)
{
	struct duty *d = arg;
	const struct cme_conf *conf = d->env->conf;
	struct reminder_text rt[DL_EVENTS_MAX];   /* [0]: the deadline's own event */
	char key[200], subject[320];
	int first;

	if (row->dkind != DL_KIND_IMMEDIATE || row->dstatus != DL_PENDING ||
	    digest_local_day(d->env->policy, row->due) >= digest_local_day(d->env->policy, d->now))
		return 0;           /* the referral's own day had its mail */
	snprintf(key, sizeof key, "immediate:%s:%s", row->ref, d->date);
	if ((first = case_store_once(d->cs, key, d->now)) != 1)
		return first;
	outbox_describe(d->env, row, rt);
	/* rt[0].subject already says URGENT once */
	snprintf(subject, sizeof subject, "Not yet done: %s", rt[0].subject);
	if (queue_plain(d, row->case_id, key, row->officer, subject, rt[0].description, 1) != 0)
		return -1;
	if (conf->escalation_contact) {
		strcat(key, ":contact");
		return queue_plain(d, row->case_id, key, conf->escalation_contact, subject,
		                   rt[0].description, 1);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The digest.                                                          */

static int add_officer(const char *officer, void *arg)
{
	return strlist_add_unique(arg, officer);
}

static int send_digest(struct duty *d, const char *to, const char *keyword, int contact)
{
	const struct emit_env *env = d->env;
	int full = env->conf->reminder_detail == DETAIL_FULL, n = 0, first, rc;
	char key[400], subject[200];
	char *text;

	snprintf(key, sizeof key, "%s:%s:%s", keyword, to, d->date);
	if ((first = case_store_once(d->cs, key, d->now)) != 1)
		return first;
	text = contact ? digest_escalation_text(d->cs, env->policy, full, d->now, &n)
	               : digest_officer_text(d->cs, env->policy, full, to, d->now, &n);
	if (text == NULL)
		return -1;
	snprintf(subject, sizeof subject, "%s %s", contact ? "CME overdue deadlines" :
	         "CME daily digest", d->date);
	rc = n > 0 ? queue_plain(d, 0, key, to, subject, text, 0) : 0;
	free(text);
	return rc;
}

static int run_digest(struct duty *d)
{
	struct strlist officers = STRLIST_INIT;
	int rc = case_store_each_officer(d->cs, add_officer, &officers);

	for (size_t i = 0; rc == 0 && i < officers.n; i++)
		rc = send_digest(d, officers.v[i], "digest", 0) < 0 ? -1 : 0;
	if (rc == 0 && d->env->conf->escalation_contact)
		rc = send_digest(d, d->env->conf->escalation_contact, "overdue", 1) < 0 ? -1 : 0;
	strlist_free(&officers);
	return rc;
}

int duty_run(const struct emit_env *env, struct case_store *cs, time_t now, int force,
             struct dl_changes *ch)
{
	struct duty d = { env, cs, now, "", 0 };
	const struct policy *pol = env->policy;
	char iso[64];
	struct ymd today;
	int hh = 0, mm = 0, minute, working;

	deadline_format_local(pol, now, iso, sizeof iso);
	snprintf(d.date, sizeof d.date, "%.10s", iso);
	if (sscanf(iso + 11, "%2d:%2d", &hh, &mm) != 2)
		return -1;
	minute = hh * 60 + mm;
	deadline_local_date(pol, now, &today);
	working = deadline_is_working_day(pol, &today) == 1;

	if (run_missed(&d, ch) != 0)
		return -1;
	if (working && minute >= pol->day_start_min &&
	    case_store_each_live_deadline(cs, NULL, repeat_immediate, &d) != 0)
		return -1;
	if ((force || (working && minute >= pol->digest_min)) && run_digest(&d) != 0)
		return -1;
	return d.queued;
}
