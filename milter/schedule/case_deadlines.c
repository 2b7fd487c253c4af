/*
 * case_deadlines.c - the schedule rules.  See case_deadlines.h.
 */
#include <stdio.h>
#include <string.h>

#include "case_deadlines.h"
#include "deadline.h"
#include "logging.h"

/* The deadlines a new case gets, with the policy duration for each. */
enum { DL_HOME_VISIT, DL_ESCALATION, DL_LONG_TERM, DL_COUNT };
static const struct {
	const char *kind;
	const char *title;          /* a reminder's summary */
} deadline_kinds[DL_COUNT] = {
	{ "home-visit", "Home visit due" },
	{ "escalation", "Escalation due" },
	{ "long-term-review", "Long-term review due" },
};
#define IMMEDIATE_KIND  "immediate"
#define IMMEDIATE_TITLE "Immediate escalation"

static const struct duration *policy_duration(const struct policy *p, int which)
{
	switch (which) {
	case DL_HOME_VISIT: return &p->home_visit;
	case DL_ESCALATION: return &p->escalation;
	default: return &p->long_term;
	}
}

/*
 * What each event does to a case's pending deadlines: one table, used by
 * the email path and by cmectl alike.  A kind the case never had is not
 * created (the store moves only an existing pending row).
 */
#define MAX_EVENT_KINDS 4
static const struct {
	enum case_event event;
	const char *to;                         /* the pending rows' new status */
	const char *kinds[MAX_EVENT_KINDS + 1]; /* NULL-terminated */
} event_table[] = {
	{ CASE_EVENT_VISIT, "met", { "home-visit", NULL } },
	{ CASE_EVENT_CLOSED, "cancelled",
	  { "home-visit", "escalation", "long-term-review", IMMEDIATE_KIND, NULL } },
	/* moved by case_store_sweep_long_term; noted here for the feeds */
	{ CASE_EVENT_LONG_TERM, "fired", { "long-term-review", NULL } },
	/* a reopened case is scheduled afresh (case_deadlines_schedule) */
	{ CASE_EVENT_REOPEN, "pending", { NULL } },
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

/* Set a deadline pending at `due`, and remember the change. */
static int deadline_set(struct case_store *cs, struct dl_changes *ch, long long case_id,
                        const char *kind, time_t due, time_t now)
{
	if (case_store_set_deadline(cs, case_id, kind, due, "pending", now) != 0)
		return -1;
	return case_deadlines_note(ch, case_id, kind);
}

/* Move a pending deadline to `to` (keeping `due`, raising SEQUENCE), and
 * remember the change if there was one. */
static int deadline_move(struct case_store *cs, struct dl_changes *ch, long long case_id,
                         const char *kind, const char *to, time_t now)
{
	int n = case_store_change_deadline_status(cs, case_id, kind, "pending", to, now);

	if (n > 0)
		return case_deadlines_note(ch, case_id, kind);
	return n < 0 ? -1 : 0;
}

int case_deadlines_schedule(struct case_store *cs, struct dl_changes *ch,
                            const struct policy *pol, long long case_id,
                            int immediate, time_t now)
{
	for (int k = 0; k < DL_COUNT; k++) {
		time_t due = deadline_due(pol, policy_duration(pol, k), now);
		char detail[160], when[64];

		if (due == (time_t)-1)
			continue;
		if (deadline_set(cs, ch, case_id, deadline_kinds[k].kind, due, now) != 0)
			return -1;
		deadline_format_local(pol, due, when, sizeof when);
		snprintf(detail, sizeof detail, "%s due %s", deadline_kinds[k].kind, when);
		if (case_store_add_event(cs, case_id, now, "deadline", "policy", detail) != 0)
			return -1;
	}
	if (immediate) {
		if (deadline_set(cs, ch, case_id, IMMEDIATE_KIND, now, now) != 0 ||
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
	for (const char *const *k = event_table[row].kinds; *k; k++)
		if (deadline_move(cs, ch, case_id, *k, event_table[row].to, now) != 0)
			return -1;
	return 0;
}

int case_deadlines_noted(struct dl_changes *ch, long long case_id, enum case_event event)
{
	int row = event_row(event);

	if (row < 0)
		return -1;
	for (const char *const *k = event_table[row].kinds; *k; k++)
		if (case_deadlines_note(ch, case_id, *k) != 0)
			return -1;
	return 0;
}

void case_deadlines_describe(const struct policy *pol, int full_name, const char *host,
                             const struct deadline_row *row, struct reminder_text *out)
{
	const char *title = IMMEDIATE_TITLE;
	char when[64];

	for (int k = 0; k < DL_COUNT; k++)
		if (strcmp(row->kind, deadline_kinds[k].kind) == 0)
			title = deadline_kinds[k].title;
	/* ReminderDetail full: the child's name (the LA has decided its
	 * calendars may hold it); minimal: initials only. */
	const char *who = full_name && row->name[0] != ' ' ? row->name : row->initials;

	deadline_format_local(pol, row->due, when, sizeof when);
	snprintf(out->uid, sizeof out->uid, "%s-%s@%s", row->ref, row->kind, host);
	snprintf(out->summary, sizeof out->summary, "%s: %s (%s)", title, row->ref, who);
	snprintf(out->description, sizeof out->description,
	         "CME case %s, child %s.\n%s by %s.\nDetails: cmectl show %s",
	         row->ref, who, title, when, row->ref);
}
