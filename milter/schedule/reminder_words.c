/*
 * reminder_words.c - what a reminder tells an officer.  See
 * reminder_words.h.
 */
#include <stdio.h>
#include <string.h>

#include "deadline.h"
#include "reminder_words.h"

/* Per deadline kind: what to do, and the SPEC 5.6 line that records it
 * (the officer-actions reader understands these lines). */
static const struct {
	const char *action;           /* NULL: the policy's line */
	const char *reply;
	const char *reply_word;       /* the mailto: subject after the reference */
} kind_words[DL_KIND_COUNT] = {
	[DL_KIND_HOME_VISIT] = {
		"Visit the child's home address, try to see the child, and record the visit "
		"(seen or not seen).",
		"Visit: DD/MM/YYYY HH:MM seen   (or: not seen)", "Visit" },
	[DL_KIND_ESCALATION] = { NULL, "Note: escalated to ... on DD/MM/YYYY", "Escalation" },
	[DL_KIND_LONG_TERM_REVIEW] = {
		"Review the case: check the databases on the archive form, then close it with "
		"an outcome or note why it stays open.",
		"Outcome: OUTCOME, SCHOOL   (or: Note: reviewed, stays open because ...)",
		"Review" },
	[DL_KIND_IMMEDIATE] = { NULL, "Immediate: done", "Immediate" },
};

static const char *const weekday[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};
static const char *const month[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};

/* Day of the week of a Gregorian date, 0 = Sunday (Sakamoto). */
static int day_of_week(int y, int m, int d)
{
	static const int t[12] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

void reminder_words_when(const struct policy *pol, time_t t, time_t now,
                         char *out, size_t outlen)
{
	char iso[64], iso_now[64];
	int y, m, d, hh, mm, ny = 0;

	if (outlen == 0)
		return;
	deadline_format_local(pol, t, iso, sizeof iso);
	deadline_format_local(pol, now, iso_now, sizeof iso_now);
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &m, &d, &hh, &mm) != 5 ||
	    m < 1 || m > 12 || d < 1 || d > 31) {
		snprintf(out, outlen, "%s", iso);
		return;
	}
	(void)sscanf(iso_now, "%4d", &ny);
	if (ny == y)
		snprintf(out, outlen, "%s %d %s, %02d:%02d", weekday[day_of_week(y, m, d)], d,
		         month[m - 1], hh, mm);
	else
		snprintf(out, outlen, "%s %d %s %d, %02d:%02d", weekday[day_of_week(y, m, d)], d,
		         month[m - 1], y, hh, mm);
}

static int kind_ok(enum deadline_kind kind)
{
	return kind >= 0 && kind < DL_KIND_COUNT;
}

const char *reminder_words_action(const struct policy *pol, enum deadline_kind kind)
{
	if (!kind_ok(kind))
		kind = DL_KIND_IMMEDIATE;
	if (kind_words[kind].action)
		return kind_words[kind].action;
	return kind == DL_KIND_ESCALATION ? policy_escalation_action(pol)
	                                  : policy_immediate_action(pol);
}

const char *reminder_words_kind(enum deadline_kind kind)
{
	static const char *const label[DL_KIND_COUNT] = {
		[DL_KIND_HOME_VISIT] = "home visit", [DL_KIND_ESCALATION] = "escalation",
		[DL_KIND_LONG_TERM_REVIEW] = "long-term review",
		[DL_KIND_IMMEDIATE] = "immediate escalation",
	};

	return label[kind_ok(kind) ? kind : DL_KIND_IMMEDIATE];
}

const char *reminder_words_reply(enum deadline_kind kind)
{
	return kind_words[kind_ok(kind) ? kind : DL_KIND_IMMEDIATE].reply;
}

void reminder_words_urlencode(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (outlen == 0)
		return;
	for (const unsigned char *c = (const unsigned char *)in; *c; c++) {
		int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		            (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL;

		if (o + (plain ? 1 : 3) >= outlen)
			break;
		if (plain) {
			out[o++] = (char)*c;
		} else {
			out[o++] = '%';
			out[o++] = hex[*c >> 4];
			out[o++] = hex[*c & 15];
		}
	}
	out[o] = '\0';
}

void reminder_words_reply_section(const char *mailbox, const char *ref,
                                  enum deadline_kind kind, char *out, size_t outlen)
{
	char subject[96], esubject[300], ebody[300], eaddr[300];
	const char *reply = reminder_words_reply(kind);

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (mailbox == NULL || mailbox[0] == '\0')
		return;
	if (!kind_ok(kind))
		kind = DL_KIND_IMMEDIATE;
	snprintf(subject, sizeof subject, "[%s] %s", ref, kind_words[kind].reply_word);
	reminder_words_urlencode(subject, esubject, sizeof esubject);
	/* the body is the line itself, without the "(or: ...)" hint */
	{
		char line[128];
		size_t n = strcspn(reply, "(");

		while (n > 0 && reply[n - 1] == ' ')
			n--;
		snprintf(line, sizeof line, "%.*s", (int)n, reply);
		reminder_words_urlencode(line, ebody, sizeof ebody);
	}
	/* "@" must stay in the address part; only odd characters are encoded */
	{
		size_t o = 0;

		for (const char *c = mailbox; *c && o + 4 < sizeof eaddr; c++) {
			char one[2] = { *c, '\0' }, enc[4];

			if (*c == '@') {
				eaddr[o++] = '@';
				continue;
			}
			reminder_words_urlencode(one, enc, sizeof enc);
			memcpy(eaddr + o, enc, strlen(enc));
			o += strlen(enc);
		}
		eaddr[o] = '\0';
	}
	snprintf(out, outlen,
	         "To record it, reply to this mail (or write to %s, with %s in the subject) "
	         "with the line:\n  %s\n"
	         "mailto:%s?subject=%s&body=%s\n%s%s%s",
	         mailbox, ref, reply, eaddr, esubject, ebody,
	         kind == DL_KIND_IMMEDIATE ? "Or, on the CME server: cmectl done " : "",
	         kind == DL_KIND_IMMEDIATE ? ref : "",
	         kind == DL_KIND_IMMEDIATE ? " immediate\n" : "");
}
