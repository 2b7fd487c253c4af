/*
 * case_deadlines.c - the schedule rules.  See case_deadlines.h.
 */
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "case_deadlines.h"
#include "case_types.h"
#include "deadline.h"
#include "logging.h"
#include "reminder_words.h"

/* The deadlines a new case gets (each with its policy duration), and
 * every kind's reminder title; names from case_types.h. */
static const enum deadline_kind scheduled_kinds[] = {
	DL_KIND_HOME_VISIT, DL_KIND_ESCALATION, DL_KIND_LONG_TERM_REVIEW,
};
static const char *const kind_title[DL_KIND_COUNT] = {
	[DL_KIND_HOME_VISIT] = "Home visit due",
	[DL_KIND_ESCALATION] = "Escalation due",
	[DL_KIND_LONG_TERM_REVIEW] = "Long-term review due",
	/* the one "URGENT" of an immediate reminder's subject */
	[DL_KIND_IMMEDIATE] = "URGENT - immediate escalation",
};

static const struct duration *policy_duration(const struct policy *p, enum deadline_kind k)
{
	switch (k) {
	case DL_KIND_HOME_VISIT: return &p->home_visit;
	case DL_KIND_ESCALATION: return &p->escalation;
	default: return &p->long_term;
	}
}

/*
 * What each event does to a case's pending deadlines: one table, used by
 * the email path and by cmectl alike.  A kind the case never had is not
 * created (the store moves only an existing pending row).
 */
#define MAX_EVENT_KINDS DL_KIND_COUNT
static const struct {
	enum case_event event;
	enum deadline_status to;                /* the pending rows' new status */
	int nkinds;
	enum deadline_kind kinds[MAX_EVENT_KINDS];
} event_table[] = {
	{ CASE_EVENT_VISIT, DL_MET, 1, { DL_KIND_HOME_VISIT } },
	{ CASE_EVENT_CLOSED, DL_CANCELLED, 4,
	  { DL_KIND_HOME_VISIT, DL_KIND_ESCALATION, DL_KIND_LONG_TERM_REVIEW, DL_KIND_IMMEDIATE } },
	/* moved by case_store_sweep_long_term; noted here for the feeds */
	{ CASE_EVENT_LONG_TERM, DL_FIRED, 1, { DL_KIND_LONG_TERM_REVIEW } },
	/* a reopened case is scheduled afresh (case_deadlines_schedule) */
	{ CASE_EVENT_REOPEN, DL_PENDING, 0, { DL_KIND_HOME_VISIT } },
};

static int event_row(enum case_event event)
{
	for (size_t i = 0; i < sizeof event_table / sizeof event_table[0]; i++)
		if (event_table[i].event == event)
			return (int)i;
	return -1;
}

int case_deadlines_note(struct dl_changes *ch, long long case_id, const char *kind)
{
	for (size_t i = 0; i < ch->n; i++)
		if (ch->case_id[i] == case_id && strcmp(ch->kind[i], kind) == 0)
			return 0;
	if (ch->n >= MAX_CHANGES) {
		log_msg(LOG_ERR, "more deadline changes in one message than %d", MAX_CHANGES);
		return -1;
	}
	ch->case_id[ch->n] = case_id;
	snprintf(ch->kind[ch->n], sizeof ch->kind[0], "%s", kind);
	ch->n++;
	return 0;
}

void case_deadlines_take(struct dl_changes *ch, long long case_id, struct dl_changes *out)
{
	size_t keep = 0;

	out->n = 0;
	for (size_t i = 0; i < ch->n; i++) {
		if (ch->case_id[i] == case_id) {
			out->case_id[out->n] = case_id;
			memcpy(out->kind[out->n++], ch->kind[i], sizeof ch->kind[i]);
			continue;
		}
		ch->case_id[keep] = ch->case_id[i];
		memmove(ch->kind[keep++], ch->kind[i], sizeof ch->kind[i]);
	}
	ch->n = keep;
}

/* Set a deadline pending at `due`, and remember the change. */
static int deadline_set(struct case_store *cs, struct dl_changes *ch, long long case_id,
                        enum deadline_kind kind, time_t due, const char *flags, time_t now)
{
	const char *name = deadline_kind_name(kind);

	if (case_store_set_deadline(cs, case_id, name, due, deadline_status_name(DL_PENDING),
	                            flags, now) != 0)
		return -1;
	return case_deadlines_note(ch, case_id, name);
}

/* Move a pending deadline to `to` (keeping `due`, raising SEQUENCE), and
 * remember the change if there was one. */
static int deadline_move(struct case_store *cs, struct dl_changes *ch, long long case_id,
                         enum deadline_kind kind, enum deadline_status to, time_t now)
{
	const char *name = deadline_kind_name(kind);
	int n = case_store_change_deadline_status(cs, case_id, name,
	                                          deadline_status_name(DL_PENDING),
	                                          deadline_status_name(to), now);

	if (n > 0)
		return case_deadlines_note(ch, case_id, name);
	return n < 0 ? -1 : 0;
}

int case_deadlines_schedule(struct case_store *cs, struct dl_changes *ch,
                            const struct policy *pol, long long case_id,
                            int immediate, time_t now)
{
	/* One timeline line for the deadlines set together ("home-visit due
	 * ...; escalation due ...; long-term-review due ..."), not one each:
	 * every event row is written under the writer's lock, with its
	 * history trigger, while the sender waits for its 250. */
	char detail[640];
	size_t used = 0;

	for (size_t i = 0; i < sizeof scheduled_kinds / sizeof scheduled_kinds[0]; i++) {
		enum deadline_kind k = scheduled_kinds[i];
		unsigned flags;
		time_t due = deadline_due_flags(pol, policy_duration(pol, k), now, &flags);
		const char *fl = flags & DEADLINE_CALENDAR_INCOMPLETE ? DEADLINE_FLAG_INCOMPLETE_NAME
		                                                      : "";
		char when[64];
		int n;

		if (due == (time_t)-1)
			continue;
		if (deadline_set(cs, ch, case_id, k, due, fl, now) != 0)
			return -1;
		deadline_format_local(pol, due, when, sizeof when);
		/* calendar-incomplete: a holiday after the calendar's last
		 * entry is not known, so the officer should check the date. */
		n = snprintf(detail + used, sizeof detail - used, "%s%s due %s%s%s",
		             used ? "; " : "", deadline_kind_name(k), when, *fl ? " " : "", fl);
		if (n > 0 && (size_t)n < sizeof detail - used)
			used += (size_t)n;
	}
	if (used > 0 && case_store_add_event(cs, case_id, now, "deadline", "policy", detail) != 0)
		return -1;
	if (immediate) {
		if (deadline_set(cs, ch, case_id, DL_KIND_IMMEDIATE, now, NULL, now) != 0 ||
		    case_store_add_event(cs, case_id, now, "deadline", "policy",
		                         "immediate escalation: safeguarding flag") != 0)
			return -1;
	}
	return 0;
}

int case_deadlines_apply(struct case_store *cs, struct dl_changes *ch,
                         const struct policy *pol, long long case_id,
                         enum case_event event, int immediate, time_t now)
{
	int row = event_row(event);

	if (row < 0)
		return -1;
	if (event == CASE_EVENT_REOPEN)
		return case_deadlines_schedule(cs, ch, pol, case_id, immediate, now);
	if (event == CASE_EVENT_LONG_TERM)
		return case_deadlines_noted(ch, case_id, event);
	for (int k = 0; k < event_table[row].nkinds; k++)
		if (deadline_move(cs, ch, case_id, event_table[row].kinds[k], event_table[row].to,
		                  now) != 0)
			return -1;
	return 0;
}

int case_deadlines_noted(struct dl_changes *ch, long long case_id, enum case_event event)
{
	int row = event_row(event);

	if (row < 0)
		return -1;
	for (int k = 0; k < event_table[row].nkinds; k++)
		if (case_deadlines_note(ch, case_id, deadline_kind_name(event_table[row].kinds[k])) != 0)
			return -1;
	return 0;
}

/* The event UID: the one an event sent before schema 12 already has,
 * else REF-KIND-GENERATION[-alert-N]@domain. */
static void event_uid(const struct deadline_row *row, const char *domain, size_t alert,
                      char *out, size_t outlen)
{
	if (row->legacy_uid[0] != '\0' && alert == 0)
		snprintf(out, outlen, "%s", row->legacy_uid);
	else if (alert == 0)
		snprintf(out, outlen, "%s-%s-%d@%s", row->ref, row->kind,
		         row->generation > 0 ? row->generation : 1, domain);
	else
		snprintf(out, outlen, "%s-%s-%d-alert-%zu@%s", row->ref, row->kind,
		         row->generation > 0 ? row->generation : 1, alert, domain);
}

void case_deadlines_describe(const struct policy *pol, int full_name, const char *domain,
                             const struct deadline_row *row, struct reminder_text *out)
{
	struct reminder_text all[DL_EVENTS_MAX];

	(void)case_deadlines_describe_all(pol, full_name, domain, row, all);
	*out = all[0];
}

/* The words of the deadline's own event. */
static void describe_main(const struct policy *pol, int full_name,
                          const struct deadline_row *row, struct reminder_text *out)
{
	enum deadline_kind kind = deadline_kind_from_name(row->kind);
	const char *title = kind >= 0 && kind < DL_KIND_COUNT ? kind_title[kind]
	                                                      : kind_title[DL_KIND_IMMEDIATE];
	char when[96];

	/* ReminderDetail full: the child's name (the LA has decided its
	 * calendars may hold it); minimal: initials only.  A child not yet
	 * identified (triage) is said so, never "()" or "child .". */
	const char *who = full_name && row->name[0] != ' ' && row->name[0] ? row->name
	                                                                   : row->initials;
	const char *initials = row->initials[0] ? row->initials : "child not yet identified";
	size_t wl;

	if (who[0] == '\0')
		who = "child not yet identified";
	wl = strlen(who);
	reminder_words_when(pol, row->due, row->updated_at ? row->updated_at : row->due,
	                    when, sizeof when);
	snprintf(out->summary, sizeof out->summary, "%s: %s (%s)", title, row->ref, who);
	snprintf(out->subject, sizeof out->subject, "%s: %s (%s)", title, row->ref, initials);
	/* "child J.S." ends its sentence already: no second full stop.  The
	 * time in words, local; then what to do (reminder_words). */
	snprintf(out->description, sizeof out->description,
	         "CME case %s, %s%s%s\n%s %s %s.%s\nWhat to do: %s\n",
	         row->ref, strncmp(who, "child ", 6) == 0 ? "" : "child ", who,
	         wl && who[wl - 1] == '.' ? "" : ".", title,
	         kind == DL_KIND_IMMEDIATE ? "since the referral," : "by", when,
	         strcmp(row->flags, DEADLINE_FLAG_INCOMPLETE_NAME) == 0
	         ? "\nCheck this date: it lies past the end of a holiday calendar." : "",
	         reminder_words_action(pol, kind));
	out->start = row->due;
	out->alarm = 0;
}

/* Minutes after arrival that an immediate escalation's alarm fires. */
#define IMMEDIATE_ALARM_DELAY (10 * 60)

size_t case_deadlines_describe_all(const struct policy *pol, int full_name,
                                   const char *domain, const struct deadline_row *row,
                                   struct reminder_text out[DL_EVENTS_MAX])
{
	time_t at[ALERTS_MAX];
	size_t n = 0, nev = 1;
	int legacy = row->legacy_uid[0] != '\0' || row->set_at == (time_t)-1;

	describe_main(pol, full_name, row, &out[0]);
	event_uid(row, domain, 0, out[0].uid, sizeof out[0].uid);
	if (row->dkind == DL_KIND_IMMEDIATE) {
		/* Due on arrival, and it must interrupt (SPEC 7): the event
		 * starts at arrival and its alarm fires IMMEDIATE_ALARM_DELAY
		 * later, after the invitation has reached the officer's client
		 * (an alarm at or before arrival is already past when the mail
		 * lands, and clients never fire it).  At any hour: an immediate
		 * escalation is not held for working hours; the 09:00 repeat
		 * (duty.c) follows on each working day until it is done. */
		out[0].start = row->due;
		out[0].alarm = row->due + IMMEDIATE_ALARM_DELAY;
		return 1;
	}
	n = deadline_alerts(pol, policy_alerts_for(pol, row->dkind),
	                    legacy ? row->updated_at : row->set_at, row->due, at);
	if (n == 0)
		return 1;
	if (!pol->alert_events) {
		/* alert_events digest (the default): one event a deadline, so
		 * an officer gets one invitation for it.  Its alarm is the
		 * first alert after arrival (on arrival, the invitation itself
		 * is the alert); the later alerts (the due day) are the daily
		 * digest's "due today" and "due in the next 5 working days"
		 * lines (digest.c). */
		time_t set = legacy ? row->updated_at : row->set_at;

		out[0].alarm = at[n - 1];
		for (size_t i = 0; i < n; i++)
			if (at[i] > set) {
				out[0].alarm = at[i];
				break;
			}
		return 1;
	}
	/* alert_events events: the deadline's own event alarms at the last
	 * alert; the earlier ones are events of their own (one VALARM per
	 * event: Outlook keeps no more). */
	out[0].alarm = at[n - 1];
	for (size_t i = 0; !legacy && i + 1 < n && nev < DL_EVENTS_MAX; i++, nev++) {
		struct reminder_text *a = &out[nev];

		*a = out[0];
		event_uid(row, domain, nev, a->uid, sizeof a->uid);
		snprintf(a->summary, sizeof a->summary, "Reminder - %.240s", out[0].summary);
		a->start = at[i];
		a->alarm = at[i];
	}
	return nev;
}
