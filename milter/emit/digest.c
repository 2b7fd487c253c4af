/*
 * digest.c - the daily digest's text.  See digest.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_duty.h"
#include "deadline.h"
#include "digest.h"
#include "ukdate.h"
#include "reminder_words.h"
#include "strbuf.h"

#define DIGEST_MAX     (1 << 20)   /* bytes of one digest */
#define SOON_DAYS      5           /* "due in the next 5 working days" */
#define CALENDAR_WARN  183         /* days: warn six months ahead */

enum section { SEC_OVERDUE, SEC_TODAY, SEC_SOON, SEC_COUNT };

static const char *const section_title[SEC_COUNT] = {
	[SEC_OVERDUE] = "Overdue", [SEC_TODAY] = "Due today",
	[SEC_SOON] = "Due in the next 5 working days",
};

struct digest_ctx {
	const struct policy *pol;
	int full, by_officer;
	time_t now;
	long today, soon_until;       /* local day numbers */
	struct strbuf sec[SEC_COUNT];
	char last_officer[256];
	int n;
};

long digest_local_day(const struct policy *pol, time_t t)
{
	struct ymd d;

	deadline_local_date(pol, t, &d);
	return ymd_to_days(&d);
}

/* The local day of the SOON_DAYS-th working day after `today`. */
static long soon_limit(const struct policy *pol, long today)
{
	long day = today;

	for (int found = 0, guard = 0; found < SOON_DAYS && guard < 366; guard++) {
		struct ymd d;

		ymd_from_days(++day, &d);
		found += deadline_is_working_day(pol, &d) == 1;
	}
	return day;
}

static int deadline_line(const struct deadline_row *row, void *arg)
{
	struct digest_ctx *c = arg;
	long due_day = digest_local_day(c->pol, row->due);
	const char *who = row->initials[0] ? row->initials : "child not yet identified";
	char when[96], late[64] = "";
	enum section s;
	struct strbuf *sb;

	if (row->due < c->now)
		s = SEC_OVERDUE;
	else if (due_day == c->today)
		s = SEC_TODAY;
	else if (due_day <= c->soon_until)
		s = SEC_SOON;
	else
		return 0;
	if (c->by_officer && s != SEC_OVERDUE)
		return 0;                   /* the EscalationContact's: overdue only */
	sb = &c->sec[s];
	if (c->by_officer && strcmp(c->last_officer, row->officer) != 0) {
		snprintf(c->last_officer, sizeof c->last_officer, "%s", row->officer);
		if (strbuf_printf(sb, " %s:\n", row->officer) != 0)
			return -1;
	}
	if (s == SEC_OVERDUE) {
		long days = c->today - due_day;

		if (days <= 0)
			snprintf(late, sizeof late, " - late since today");
		else
			snprintf(late, sizeof late, " - %ld day%s late", days, days == 1 ? "" : "s");
	}
	reminder_words_when(c->pol, row->due, c->now, when, sizeof when);
	/* ReminderDetail full: the name beside the initials; minimal: not */
	c->n++;
	return strbuf_printf(sb, "  %s (%s%s%s): %s, due %s%s%s\n", row->ref, who,
	                     c->full && row->name[0] && row->name[0] != ' ' ? ", " : "",
	                     c->full && row->name[0] != ' ' ? row->name : "",
	                     reminder_words_kind(row->dkind), when, late,
	                     row->dstatus == DL_MISSED ? " (missed, reported)" : "");
}

struct triage_ctx {
	const struct policy *pol;
	time_t now;
	struct strbuf sb;
};

static int triage_line(const char *ref, time_t opened_at, void *arg)
{
	struct triage_ctx *t = arg;
	char when[96];

	reminder_words_when(t->pol, opened_at, t->now, when, sizeof when);
	return strbuf_printf(&t->sb, "  %s (child not yet identified), opened %s\n", ref, when);
}

static int put_sections(struct digest_ctx *c, struct strbuf *out)
{
	int rc = 0;

	for (int s = 0; s < SEC_COUNT; s++) {
		if (strbuf_str(&c->sec[s])[0] == '\0')
			continue;
		rc |= strbuf_printf(out, "\n%s:\n", section_title[s]);
		rc |= strbuf_puts(out, strbuf_str(&c->sec[s]));
	}
	return rc;
}

/* Closure calendars the policy names that end within six months: the
 * digest warns (SPEC 6).  Hook: another engineer's per-calendar check
 * (calendar-incomplete, issue 14 item 0) replaces this when merged; the
 * policy keeps its calendars merged, so here the last closed day of the
 * working and school closure sets stands for "the calendar ends". */
static int put_calendar_warning(const struct policy *pol, long today, struct strbuf *out)
{
	const struct closures *set[2] = { &pol->working_closures, &pol->school_closures };
	static const char *const what[2] = { "working-day (bank holiday)", "school-holiday" };
	int rc = 0;

	for (int i = 0; i < 2; i++) {
		struct ymd end;

		if (set[i]->n == 0 || set[i]->days[set[i]->n - 1] > today + CALENDAR_WARN)
			continue;
		ymd_from_days(set[i]->days[set[i]->n - 1], &end);
		rc |= strbuf_printf(out, "\nWarning: the policy's %s calendars list nothing after "
		                    "%02d/%02d/%04d: deadlines after that date count holidays as "
		                    "working days.  Ask the CME administrator to add next year's "
		                    "calendar.\n", what[i], end.d, end.m, end.y);
	}
	return rc;
}

static void ctx_init(struct digest_ctx *c, const struct policy *pol, int full, time_t now)
{
	memset(c, 0, sizeof *c);
	c->pol = pol;
	c->full = full;
	c->now = now;
	c->today = digest_local_day(pol, now);
	c->soon_until = soon_limit(pol, c->today);
	for (int s = 0; s < SEC_COUNT; s++)
		strbuf_init(&c->sec[s], DIGEST_MAX);
}

static char *ctx_finish(struct digest_ctx *c, struct strbuf *out, int rc, int *nitems)
{
	for (int s = 0; s < SEC_COUNT; s++)
		strbuf_free(&c->sec[s]);
	if (rc != 0) {
		strbuf_free(out);
		return NULL;
	}
	*nitems = c->n;
	return strbuf_detach(out);
}

char *digest_officer_text(struct case_store *cs, const struct policy *pol, int full,
                          const char *officer, time_t now, int *nitems)
{
	struct digest_ctx c;
	struct strbuf out;
	struct triage_ctx triage = { pol, now, { 0 } };
	char when[96];
	int rc;

	ctx_init(&c, pol, full, now);
	strbuf_init(&out, DIGEST_MAX);
	strbuf_init(&triage.sb, DIGEST_MAX);
	reminder_words_when(pol, now, now, when, sizeof when);
	rc = strbuf_printf(&out, "CME daily digest for %s, %s.\n", officer, when);
	rc |= case_store_each_live_deadline(cs, officer, deadline_line, &c) != 0;
	rc |= case_store_each_triage(cs, officer, triage_line, &triage) != 0;
	if (rc == 0) {
		int ntriage = 0;

		for (const char *p = strbuf_str(&triage.sb); (p = strchr(p, '\n')) != NULL; p++)
			ntriage++;
		c.n += ntriage;
		rc |= put_sections(&c, &out);
		if (ntriage)
			rc |= strbuf_printf(&out, "\nTriage (identify the child, then correct the "
			                    "case by email, e.g. \"Surname: ...\"):\n%s",
			                    strbuf_str(&triage.sb));
		/* Hook: possible duplicates to review (case_store_possible_
		 * duplicates_json, the integrator's case_dupes.c) are listed here
		 * once that function is in this tree. */
		rc |= put_calendar_warning(pol, c.today, &out);
		if (c.n == 0)
			rc |= strbuf_puts(&out, "\nNothing is overdue or due in the next 5 working "
			                  "days.\n");
	}
	strbuf_free(&triage.sb);
	return ctx_finish(&c, &out, rc, nitems);
}

char *digest_escalation_text(struct case_store *cs, const struct policy *pol, int full,
                             time_t now, int *nitems)
{
	struct digest_ctx c;
	struct strbuf out;
	char when[96];
	int rc;

	ctx_init(&c, pol, full, now);
	c.by_officer = 1;
	strbuf_init(&out, DIGEST_MAX);
	reminder_words_when(pol, now, now, when, sizeof when);
	rc = strbuf_printf(&out, "CME overdue deadlines, by officer, %s.\n", when);
	rc |= case_store_each_live_deadline(cs, NULL, deadline_line, &c) != 0;
	if (rc == 0) {
		rc |= put_sections(&c, &out);
		rc |= put_calendar_warning(pol, c.today, &out);
	}
	return ctx_finish(&c, &out, rc, nitems);
}
