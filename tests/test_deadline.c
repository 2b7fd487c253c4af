/*
 * test_deadline.c - unit tests for closures.c, policy.c and deadline.c:
 * closure calendars (ranges, RRULE, EXDATE, overrides, bad input), the
 * shipped calendars and default policy, policy errors with file:line,
 * and deadlines in Europe/London across bank holidays, weekends, the
 * end of the working day and the clock changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "closures.h"
#include "deadline.h"
#include "policy.h"
#include "strlist.h"
#include "vocab.h"
#include "../tests/tap.h"
#include "../tests/tap_vocab.h"

static char srcdir[1024];

/* The source tree: $top_srcdir under `make check`, else found from this
 * file's own (absolute, in an out-of-tree build) name. */
static void find_srcdir(void)
{
	tap_find_srcdir(srcdir, sizeof srcdir, __FILE__, "/tests/test_deadline.c");
}

static int closed(const struct closures *c, int y, int m, int d)
{
	struct ymd day = { y, m, d };

	return closures_contains(c, &day);
}

/* Seconds since the epoch of a UTC "YYYY-MM-DDTHH:MM:SSZ". */
static time_t utc(const char *s)
{
	struct ymd d;
	char date[11];
	int h, mi, se;

	memcpy(date, s, 10);
	date[10] = '\0';
	if (ymd_parse_iso(date, &d) != 0 || sscanf(s + 11, "%d:%d:%d", &h, &mi, &se) != 3)
		return (time_t)-2;
	return (time_t)ymd_to_days(&d) * 86400 + h * 3600 + mi * 60 + se;
}

static const char *fmt_utc(time_t t)
{
	static char out[32];
	struct tm tm;

	if (t == (time_t)-1)
		return "(none)";
	gmtime_r(&t, &tm);
	strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

static const char *due(const struct policy *p, const char *text, const char *from)
{
	struct duration d;

	if (duration_parse(text, &d) != 0)
		return "(bad duration)";
	return fmt_utc(deadline_due(p, &d, utc(from)));
}

static int has_error(const struct strlist *errors, const char *want)
{
	for (size_t i = 0; i < errors->n; i++)
		if (strcmp(errors->v[i], want) == 0)
			return 1;
	return 0;
}

static void print_errors(const struct strlist *errors)
{
	for (size_t i = 0; i < errors->n; i++)
		printf("#   %s\n", errors->v[i]);
}

/* ------------------------------------------------------------------ */

static const char ICS_MIXED[] =
	"BEGIN:VCALENDAR\r\n"
	"VERSION:2.0\r\n"
	"PRODID:-//cme-milter//test//EN\r\n"
	/* A range: DTEND is exclusive. */
	"BEGIN:VEVENT\r\n"
	"UID:half-term@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20261026\r\n"
	"DTEND;VALUE=DATE:20261031\r\n"
	"SUMMARY:Autumn half term\r\n"
	"END:VEVENT\r\n"
	/* No DTEND: one day. */
	"BEGIN:VEVENT\r\n"
	"UID:inset@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20261102\r\n"
	"SUMMARY:INSET day\r\n"
	"END:VEVENT\r\n"
	/* DURATION instead of DTEND. */
	"BEGIN:VEVENT\r\n"
	"UID:duration@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20261109\r\n"
	"DURATION:P2D\r\n"
	"SUMMARY:Two days\r\n"
	"END:VEVENT\r\n"
	/* Weekly two-day closure, three times, the second one excluded. */
	"BEGIN:VEVENT\r\n"
	"UID:weekly@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20270104\r\n"
	"DTEND;VALUE=DATE:20270106\r\n"
	"RRULE:FREQ=WEEKLY;COUNT=3\r\n"
	"EXDATE;VALUE=DATE:20270111\r\n"
	"SUMMARY:Monday and Tuesday closure\r\n"
	"END:VEVENT\r\n"
	/* Yearly, unbounded: expansion must stop at 2100. */
	"BEGIN:VEVENT\r\n"
	"UID:christmas-eve@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20261224\r\n"
	"DTEND;VALUE=DATE:20261225\r\n"
	"RRULE:FREQ=YEARLY\r\n"
	"SUMMARY:Christmas Eve\r\n"
	"END:VEVENT\r\n"
	/* Weekly Fridays with one occurrence moved to the Thursday. */
	"BEGIN:VEVENT\r\n"
	"UID:fridays@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20270305\r\n"
	"RRULE:FREQ=WEEKLY;UNTIL=20270319\r\n"
	"SUMMARY:Friday closure\r\n"
	"END:VEVENT\r\n"
	"BEGIN:VEVENT\r\n"
	"UID:fridays@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"RECURRENCE-ID;VALUE=DATE:20270312\r\n"
	"DTSTART;VALUE=DATE:20270311\r\n"
	"SUMMARY:Friday closure (moved to Thursday)\r\n"
	"END:VEVENT\r\n"
	/* Cancelled events close nothing. */
	"BEGIN:VEVENT\r\n"
	"UID:cancelled@test\r\n"
	"DTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20261201\r\n"
	"STATUS:CANCELLED\r\n"
	"SUMMARY:Called off\r\n"
	"END:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char ICS_BAD_DATE[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a@test\r\nDTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:20270101\r\nSUMMARY:Fine\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:b@test\r\nDTSTAMP:20260101T000000Z\r\n"
	"DTSTART;VALUE=DATE:2027XX02\r\nSUMMARY:Broken\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char ICS_NO_DTSTART[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:c@test\r\nDTSTAMP:20260101T000000Z\r\n"
	"SUMMARY:When?\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static void test_closures(void)
{
	struct closures c;
	char err[512];
	size_t before;

	closures_init(&c);
	CHECK_INT(closures_load_text(&c, ICS_MIXED, "mixed.ics", err, sizeof err), 0,
	          "inline calendar with ranges, RRULE, EXDATE, overrides loads");
	if (err[0])
		printf("#   %s\n", err);

	CHECK(!closed(&c, 2026, 10, 25), "range: the day before DTSTART is open");
	CHECK(closed(&c, 2026, 10, 26) && closed(&c, 2026, 10, 28) && closed(&c, 2026, 10, 30),
	      "range: DTSTART to the day before DTEND is closed");
	CHECK(!closed(&c, 2026, 10, 31), "range: DTEND itself is open (exclusive)");
	CHECK(closed(&c, 2026, 11, 2) && !closed(&c, 2026, 11, 3),
	      "no DTEND: exactly one day");
	CHECK(closed(&c, 2026, 11, 9) && closed(&c, 2026, 11, 10) && !closed(&c, 2026, 11, 11),
	      "DURATION:P2D: two days");
	CHECK(closed(&c, 2027, 1, 4) && closed(&c, 2027, 1, 5),
	      "RRULE first occurrence spans Mon-Tue");
	CHECK(!closed(&c, 2027, 1, 6),
	      "RRULE occurrence is not a day too long (libical 3.0.16 span bug)");
	CHECK(!closed(&c, 2027, 1, 11) && !closed(&c, 2027, 1, 12),
	      "EXDATE removes the whole second occurrence");
	CHECK(closed(&c, 2027, 1, 18) && closed(&c, 2027, 1, 19) && !closed(&c, 2027, 1, 20),
	      "third occurrence closed for its own two days only");
	CHECK(!closed(&c, 2027, 1, 25), "COUNT=3 stops the rule");
	CHECK(closed(&c, 2026, 12, 24) && closed(&c, 2030, 12, 24) && closed(&c, 2099, 12, 24),
	      "yearly rule expands over the years");
	CHECK(!closed(&c, 2030, 12, 25), "yearly one-day rule does not spill into the next day");
	CHECK(!closed(&c, 2101, 12, 24), "expansion stops after 2100");
	CHECK(closed(&c, 2027, 3, 5) && closed(&c, 2027, 3, 19), "UNTIL is inclusive");
	CHECK(closed(&c, 2027, 3, 11) && !closed(&c, 2027, 3, 12),
	      "RECURRENCE-ID override moves one occurrence");
	CHECK(!closed(&c, 2027, 3, 26), "UNTIL stops the rule");
	CHECK(!closed(&c, 2026, 12, 1), "STATUS:CANCELLED closes nothing");
	for (size_t i = 1; i < c.n; i++)
		if (c.days[i - 1] >= c.days[i]) {
			CHECK(0, "closure days are sorted and unique");
			break;
		}
	CHECK(c.n > 80, "closure set holds the expanded days");

	before = c.n;
	CHECK_INT(closures_load_text(&c, ICS_MIXED, "again.ics", err, sizeof err), 0,
	          "loading the same calendar twice is fine");
	CHECK_INT(c.n, before, "days stay unique after a second load");

	CHECK_INT(closures_load_text(&c, ICS_BAD_DATE, "bad.ics", err, sizeof err), -1,
	          "an unparseable DTSTART is an error");
	CHECK(strncmp(err, "bad.ics: ", 9) == 0, "the error names the calendar");
	CHECK(!closed(&c, 2027, 1, 1), "a failed calendar adds none of its days");
	CHECK_INT(closures_load_text(&c, ICS_NO_DTSTART, "nodt.ics", err, sizeof err), -1,
	          "an event without DTSTART is an error");
	CHECK(strstr(err, "nodt.ics: ") == err && strstr(err, "DTSTART") != NULL,
	      "the error says DTSTART is missing");
	CHECK_INT(closures_load_text(&c, "Dear CME team, not a calendar", "junk.ics", err,
	                             sizeof err), -1, "text that is not iCalendar is an error");
	CHECK_INT(closures_load_file(&c, "/nonexistent/closures.ics", err, sizeof err), -1,
	          "a missing file is an error");
	CHECK(strncmp(err, "/nonexistent/closures.ics: ", 27) == 0,
	      "the missing-file error names the path");
	CHECK_INT(c.n, before, "failed loads leave the set as it was");

	CHECK_INT(closures_add_day(&c, 0), 0, "closures_add_day adds 1970-01-01");
	CHECK(closed(&c, 1970, 1, 1), "and it is then closed");
	closures_free(&c);
	CHECK(c.n == 0 && c.days == NULL, "closures_free empties the set");
}

static void test_shipped_calendars(void)
{
	struct closures bank, school;
	char path[1200], err[1400];
	int n2026 = 0;

	closures_init(&bank);
	closures_init(&school);
	snprintf(path, sizeof path, "%s/calendars/england-and-wales-bank-holidays.ics", srcdir);
	CHECK_INT(closures_load_file(&bank, path, err, sizeof err), 0,
	          "shipped bank-holiday calendar loads");
	CHECK_INT(bank.n, 40, "40 bank holidays 2024-2028 (from the GOV.UK list)");
	CHECK(closed(&bank, 2024, 1, 1) && closed(&bank, 2028, 12, 26),
	      "first and last bank holidays present");
	CHECK(closed(&bank, 2026, 12, 25) && closed(&bank, 2026, 12, 28) &&
	      !closed(&bank, 2026, 12, 26), "2026: Christmas and Boxing Day substitute (28th)");
	CHECK(closed(&bank, 2027, 3, 26) && closed(&bank, 2027, 3, 29),
	      "2027: Good Friday 26 March and Easter Monday 29 March");
	for (size_t i = 0; i < bank.n; i++) {
		struct ymd d;

		ymd_from_days(bank.days[i], &d);
		n2026 += d.y == 2026;
	}
	CHECK_INT(n2026, 8, "8 bank holidays in 2026");

	snprintf(path, sizeof path, "%s/calendars/example-school-holidays-2026-27.ics", srcdir);
	CHECK_INT(closures_load_file(&school, path, err, sizeof err), 0,
	          "shipped example school-holiday calendar loads");
	CHECK(closed(&school, 2026, 9, 2) && closed(&school, 2027, 1, 4), "two INSET days");
	CHECK(closed(&school, 2026, 10, 26) && closed(&school, 2026, 10, 30) &&
	      !closed(&school, 2026, 11, 2), "autumn half term 26-30 October 2026");
	CHECK(closed(&school, 2026, 12, 21) && closed(&school, 2027, 1, 1) &&
	      !closed(&school, 2027, 1, 5), "Christmas 21 Dec - 1 Jan, back after INSET");
	CHECK(closed(&school, 2027, 2, 15) && closed(&school, 2027, 2, 19) &&
	      !closed(&school, 2027, 2, 22), "spring half term 15-19 February 2027");
	CHECK(closed(&school, 2027, 3, 29) && closed(&school, 2027, 4, 9) &&
	      !closed(&school, 2027, 4, 12), "Easter 29 March - 9 April 2027");
	CHECK(closed(&school, 2027, 5, 31) && closed(&school, 2027, 6, 4) &&
	      !closed(&school, 2027, 6, 7), "summer half term 31 May - 4 June 2027");
	CHECK(!closed(&school, 2027, 7, 21) && closed(&school, 2027, 7, 22) &&
	      closed(&school, 2027, 8, 31), "summer holidays from 22 July 2027");
	closures_free(&bank);
	closures_free(&school);
}

static void test_durations(void)
{
	struct duration d;
	char out[64];

	CHECK(duration_parse("3 working-days", &d) == 0 && d.n == 3 &&
	      d.unit == UNIT_WORKING_DAYS && d.set, "3 working-days");
	CHECK(duration_parse("  20 School Days ", &d) == 0 && d.n == 20 &&
	      d.unit == UNIT_SCHOOL_DAYS, "20 School Days (case, space for hyphen)");
	CHECK(duration_parse("72 hours", &d) == 0 && d.n == 72 && d.unit == UNIT_HOURS, "72 hours");
	CHECK(duration_parse("1 month", &d) == 0 && d.n == 1 && d.unit == UNIT_MONTHS, "1 month");
	CHECK(duration_parse("2 weeks", &d) == 0 && d.unit == UNIT_WEEKS, "2 weeks");
	CHECK(duration_parse("immediate", &d) == 0 && d.unit == UNIT_IMMEDIATE && d.set,
	      "immediate");
	CHECK(duration_parse("none", &d) == 0 && !d.set, "none: deadline not used");
	CHECK(duration_parse("3 fortnights", &d) != 0, "unknown unit rejected");
	CHECK(duration_parse("three days", &d) != 0, "number in words rejected");
	CHECK(duration_parse("0 days", &d) != 0, "zero rejected");
	CHECK(duration_parse("-3 days", &d) != 0, "negative rejected");
	CHECK(duration_parse("99999999999 days", &d) != 0, "huge number rejected");
	CHECK(duration_parse("3days", &d) != 0, "number and unit need a space");
	CHECK(duration_parse("", &d) != 0, "empty rejected");
	d = (struct duration){ .n = 3, .unit = UNIT_WORKING_DAYS, .set = 1 };
	duration_format(&d, out, sizeof out);
	CHECK_STR(out, "3 working-days", "format 3 working-days");
	d = (struct duration){ .n = 1, .unit = UNIT_MONTHS, .set = 1 };
	duration_format(&d, out, sizeof out);
	CHECK_STR(out, "1 month", "format singular");
	d = (struct duration){ .n = 0, .unit = UNIT_IMMEDIATE, .set = 1 };
	duration_format(&d, out, sizeof out);
	CHECK_STR(out, "immediate", "format immediate");
	CHECK(duration_parse("3 school-days|3 working days", &d) == 0 && d.or_set &&
	      d.or_n == 3 && d.or_unit == UNIT_WORKING_DAYS, "'A | B' parses");
	duration_format(&d, out, sizeof out);
	CHECK_STR(out, "3 school-days | 3 working-days", "format 'A | B'");
	CHECK(duration_parse("3 school-days | immediate", &d) != 0, "'A | immediate' rejected");
	CHECK(duration_parse("3 school-days | none", &d) != 0, "'A | none' rejected");
	CHECK(duration_parse("1 day | 2 days | 3 days", &d) != 0, "three expressions rejected");
	CHECK(duration_parse("3 school-days |", &d) != 0, "'A |' rejected");
}

static void test_policies(const char *calendar_dir)
{
	struct strlist errors = STRLIST_INIT;
	char policy_dir[1200], fixtures[1200], want[1600], buf[64];
	struct policy *p;
	int cpp = vocab_flag_index("child-protection-plan");
	int s47 = vocab_flag_index("section-47");
	int pf = vocab_flag_index("privately-fostered");
	int sw = vocab_flag_index("social-worker");

	snprintf(policy_dir, sizeof policy_dir, "%s/policies", srcdir);
	snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/policy", srcdir);

	p = policy_load("default", policy_dir, calendar_dir, &errors);
	CHECK(p != NULL, "shipped default policy loads by name");
	print_errors(&errors);
	if (p == NULL)
		return;
	CHECK_STR(p->name, "default", "default: name");
	CHECK_STR(p->timezone, "Europe/London", "default: timezone");
	CHECK(p->day_start_min == 540 && p->day_end_min == 1020, "default: 09:00-17:00");
	duration_format(&p->home_visit, buf, sizeof buf);
	CHECK_STR(buf, "3 working-days", "default: home visit");
	duration_format(&p->escalation, buf, sizeof buf);
	CHECK_STR(buf, "20 school-days", "default: escalation");
	duration_format(&p->long_term, buf, sizeof buf);
	CHECK_STR(buf, "6 months", "default: long term");
	CHECK(cpp >= 0 && s47 >= 0 && (p->immediate_flags & (1UL << cpp)) &&
	      (p->immediate_flags & (1UL << s47)), "default: child protection and s47 immediate");
	CHECK(pf >= 0 && (p->immediate_flags & (1UL << pf)),
	      "default: privately fostered immediate (seed 002 section 6.1)");
	CHECK(sw >= 0 && !(p->immediate_flags & (1UL << sw)),
	      "default: a social worker alone is not immediate");
	CHECK_INT(p->working_closures.n, 40, "default: bank holidays are working closures");
	CHECK_INT(p->school_closures.n, 40, "default: school closures are the bank holidays");
	policy_free(p);

	p = policy_load("school", fixtures, calendar_dir, &errors);
	CHECK(p != NULL && errors.n == 0, "fixture school.policy loads");
	print_errors(&errors);
	if (p != NULL) {
		CHECK_STR(p->name, "Example Borough Council", "trailing comment stripped from a value");
		CHECK(p->day_start_min == 510 && p->day_end_min == 990, "working_day 08:30-16:30");
		CHECK(!p->long_term.set, "long_term = none");
		CHECK(closed(&p->school_closures, 2026, 12, 25) &&
		      closed(&p->school_closures, 2026, 10, 27),
		      "school closures include the working closures (superset)");
		CHECK(!closed(&p->working_closures, 2026, 10, 27),
		      "school holidays are not working closures");
		policy_free(p);
	}

	p = policy_load("broken", fixtures, calendar_dir, &errors);
	CHECK(p == NULL, "broken.policy does not load");
	print_errors(&errors);
#define EXPECT(line, msg, what) do {                                                \
		snprintf(want, sizeof want, "%s/broken.policy:%d: %s", fixtures, line, msg); \
		CHECK(has_error(&errors, want), what);                                       \
		if (!has_error(&errors, want))                                               \
			printf("#   missing: %s\n", want);                                   \
	} while (0)
	EXPECT(4, "unknown key 'colour'", "unknown key reported with file:line");
	snprintf(buf, sizeof buf, "%s", "");
	for (size_t i = 0; i < errors.n; i++)
		if (strstr(errors.v[i], "broken.policy:5: home_visit '3 fortnights': bad duration"))
			snprintf(buf, sizeof buf, "found");
	CHECK_STR(buf, "found", "bad duration reported at line 5");
	buf[0] = '\0';
	for (size_t i = 0; i < errors.n; i++)
		if (strstr(errors.v[i], "broken.policy:6: escalation 'twenty school-days'"))
			snprintf(buf, sizeof buf, "found");
	CHECK_STR(buf, "found", "second bad duration also reported (line 6)");
	EXPECT(7, "working_day '9am-5pm': bad time, expected HH:MM-HH:MM",
	       "bad working_day time reported");
	EXPECT(8, "unknown flag 'unicorns'", "unknown immediate flag reported");
	buf[0] = '\0';
	for (size_t i = 0; i < errors.n; i++)
		if (strstr(errors.v[i], "broken.policy:9: calendar 'no-such-calendar.ics' unreadable"))
			snprintf(buf, sizeof buf, "found");
	CHECK_STR(buf, "found", "unreadable calendar reported at its line");
	EXPECT(10, "unknown timezone 'Europe/Atlantis'", "unknown timezone reported");
	EXPECT(11, "expected 'key = value'", "line without '=' reported");
	EXPECT(12, "'name' set again (first set on line 3)", "duplicate key reported");
	buf[0] = '\0';
	for (size_t i = 0; i < errors.n; i++)
		if (strstr(errors.v[i], "broken.policy:13: long_term '0 months': bad duration"))
			snprintf(buf, sizeof buf, "found");
	CHECK_STR(buf, "found", "zero duration reported at the last line");
	buf[0] = '\0';
	for (size_t i = 0; i < errors.n; i++)
		if (strstr(errors.v[i], "broken.policy:14: home_visit_alerts 'on-arrival, 2 "
		                        "fortnights before 09:00': unknown alert '2 fortnights"))
			snprintf(buf, sizeof buf, "found");
	CHECK_STR(buf, "found", "a bad alert reported at its line");
	EXPECT(15, "escalation_alerts: 18:30 is outside working_day (09:00-17:00): nobody "
	       "would see that alert", "an alert outside working hours reported at its line");
	CHECK_INT(errors.n, 12, "every problem reported, one line each");
#undef EXPECT
	strlist_free(&errors);

	p = policy_load("no-such-policy", fixtures, calendar_dir, &errors);
	CHECK(p == NULL && errors.n == 1 && strstr(errors.v[0], "no-such-policy.policy: cannot read"),
	      "a missing policy file is reported with its path");
	strlist_free(&errors);
}

static void test_deadlines(const char *calendar_dir)
{
	struct strlist errors = STRLIST_INIT;
	char policy_dir[1200], fixtures[1200], out[64];
	struct policy *p, *school;
	struct duration unset = { .n = 3, .unit = UNIT_DAYS, .set = 0 };
	struct ymd day;

	snprintf(policy_dir, sizeof policy_dir, "%s/policies", srcdir);
	snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/policy", srcdir);
	p = policy_load("default", policy_dir, calendar_dir, &errors);
	school = policy_load("school", fixtures, calendar_dir, &errors);
	print_errors(&errors);
	strlist_free(&errors);
	if (p == NULL || school == NULL) {
		CHECK(0, "policies for the deadline tests load");
		policy_free(p);
		policy_free(school);
		return;
	}

	/* Home visit, 3 working days, end of the working day. */
	CHECK_STR(due(p, "3 working-days", "2026-12-24T14:00:00Z"), "2026-12-31T17:00:00Z",
	          "Thu 24 Dec 2026 14:00: 25 and 28 Dec are bank holidays, due Thu 31 Dec 17:00");
	CHECK_STR(due(p, "3 working-days", "2026-11-07T11:00:00Z"), "2026-11-11T17:00:00Z",
	          "Saturday referral: Mon, Tue, Wed -> Wed 11 Nov 17:00");
	CHECK_STR(due(p, "3 working-days", "2026-11-09T18:30:00Z"), "2026-11-12T17:00:00Z",
	          "Monday after 17:00: counted from the next day, due Thu 12 Nov 17:00");
	CHECK_STR(due(p, "3 working-days", "2026-11-09T08:00:00Z"), "2026-11-11T17:00:00Z",
	          "Monday before 09:00: Monday counts (SPEC 6), due Wed 11 Nov 17:00");
	CHECK_STR(due(p, "3 working-days", "2027-03-25T14:00:00Z"), "2027-04-01T16:00:00Z",
	          "Thu 25 Mar 2027 (clocks change Sun 28th): Good Friday and Easter Monday "
	          "skipped, due Thu 1 Apr 17:00 BST = 16:00Z");
	CHECK_STR(due(p, "3 working-days", "2027-03-26T10:00:00Z"), "2027-04-01T16:00:00Z",
	          "referral on Good Friday 26 Mar 2027: due Thu 1 Apr 17:00 BST");
	CHECK_STR(due(p, "3 working-days", "2026-10-23T09:00:00Z"), "2026-10-28T17:00:00Z",
	          "Fri 23 Oct 2026 10:00 BST (clocks go back Sun 25th): due Wed 28 Oct 17:00 GMT");
	CHECK_STR(due(p, "3 working-days", "2026-06-30T23:30:00Z"), "2026-07-03T16:00:00Z",
	          "23:30Z on 30 June is 00:30 BST on Wed 1 July, before its start: "
	          "Wed, Thu, Fri, due Fri 3 July 17:00 BST");
	CHECK_STR(due(school, "3 working-days", "2026-11-09T12:00:00Z"), "2026-11-12T16:30:00Z",
	          "a policy's own working_day end (16:30)");

	/* Escalation, school days. */
	CHECK_STR(due(p, "20 school-days", "2026-11-02T10:00:00Z"), "2026-11-30T17:00:00Z",
	          "20 school days, default policy: Mon 2 Nov 2026 -> Mon 30 Nov 17:00");
	CHECK_STR(due(school, "20 school-days", "2026-10-12T08:00:00Z"), "2026-11-16T16:30:00Z",
	          "20 school days skip autumn half term: Mon 12 Oct -> Mon 16 Nov");
	CHECK_STR(due(school, "20 working-days", "2026-10-12T08:00:00Z"), "2026-11-09T16:30:00Z",
	          "20 working days from the same time do not skip half term");
	CHECK_STR(due(school, "20 school-days", "2026-12-11T10:00:00Z"), "2027-01-25T16:30:00Z",
	          "20 school days over Christmas and the 4 Jan INSET day: Fri 11 Dec -> Mon 25 Jan");

	/* Calendar time. */
	CHECK_STR(due(p, "6 months", "2026-11-24T10:00:00Z"), "2027-05-24T09:00:00Z",
	          "6 months: 10:00 GMT Tue 24 Nov 2026 -> 10:00 BST Mon 24 May 2027");
	CHECK_STR(due(p, "6 months", "2026-11-22T10:00:00Z"), "2027-05-24T08:00:00Z",
	          "6 months onto Saturday 22 May 2027: the next working-day start, "
	          "Mon 24 May 09:00 BST");
	CHECK_STR(due(p, "6 months", "2026-08-31T11:00:00Z"), "2027-03-01T09:00:00Z",
	          "6 months from 31 August ends on the last day of February (Sunday "
	          "28 Feb 2027): moved to Mon 1 Mar 09:00");
	CHECK_STR(due(p, "6 months", "2027-08-31T11:00:00Z"), "2028-02-29T12:00:00Z",
	          "6 months from 31 August 2027 is Tue 29 Feb 2028 (leap year), 12:00 GMT");
	CHECK_STR(due(p, "1 day", "2027-03-22T12:00:00Z"), "2027-03-23T12:00:00Z",
	          "1 day keeps the local time");
	CHECK_STR(due(p, "1 week", "2027-03-23T12:00:00Z"), "2027-03-30T11:00:00Z",
	          "1 week across the spring clock change is 12:00 local to 12:00 local "
	          "(Tue 30 Mar 12:00 BST)");
	CHECK_STR(due(p, "1 day", "2027-03-27T01:30:00Z"), "2027-03-30T08:00:00Z",
	          "1 day into the spring-forward gap on a Sunday, the day before Easter "
	          "Monday: Tue 30 Mar 09:00 BST");
	CHECK_STR(due(p, "1 day", "2026-10-26T01:30:00Z"), "2026-10-27T09:00:00Z",
	          "1 day onto 01:30 on a Tuesday (GMT): before the start, 09:00 that day");
	CHECK_STR(due(p, "72 hours", "2027-03-27T12:00:00Z"), "2027-03-30T12:00:00Z",
	          "72 hours is elapsed time");
	CHECK_STR(due(p, "2 weeks", "2026-10-20T09:00:00Z"), "2026-11-03T10:00:00Z",
	          "2 weeks across the autumn clock change keeps 10:00 local");
	CHECK_STR(due(p, "immediate", "2026-11-22T10:11:12Z"), "2026-11-22T10:11:12Z",
	          "immediate: due at the referral time");
	CHECK(deadline_due(p, &unset, utc("2026-11-22T10:00:00Z")) == (time_t)-1,
	      "an unset deadline has no due time");
	CHECK_STR(fmt_utc(deadline_due(p, &p->home_visit, utc("2026-12-24T14:00:00Z"))),
	          "2026-12-31T17:00:00Z", "the default policy's own home_visit duration");

	/* Days and formatting. */
	day = (struct ymd){ 2026, 12, 28 };
	CHECK(!deadline_is_working_day(p, &day), "28 Dec 2026 (Boxing Day substitute) is not a working day");
	day = (struct ymd){ 2026, 12, 29 };
	CHECK(deadline_is_working_day(p, &day), "29 Dec 2026 is a working day");
	CHECK(deadline_is_school_day(p, &day), "and a school day under the default policy");
	CHECK(!deadline_is_school_day(school, &day), "but not with a school-holiday calendar");
	day = (struct ymd){ 2026, 11, 7 };
	CHECK(!deadline_is_working_day(p, &day), "a Saturday is not a working day");
	deadline_local_date(p, utc("2026-06-30T23:30:00Z"), &day);
	CHECK(day.y == 2026 && day.m == 7 && day.d == 1, "local date of 23:30Z in summer is the next day");
	deadline_format_local(p, utc("2026-12-31T17:00:00Z"), out, sizeof out);
	CHECK_STR(out, "2026-12-31T17:00:00+00:00", "format local in GMT");
	deadline_format_local(p, utc("2027-04-01T16:00:00Z"), out, sizeof out);
	CHECK_STR(out, "2027-04-01T17:00:00+01:00", "format local in BST");

	policy_free(p);
	policy_free(school);
}


/*
 * An independent check of SPEC 6: deadlines worked out by hand from the
 * calendars, not from the code.  Each row says which calendar entry makes
 * it so.  Facts used:
 *   clocks (Europe/London): BST from 29 Mar 2026, GMT from 25 Oct 2026,
 *     BST from 28 Mar 2027, GMT from 31 Oct 2027 (01:00 UTC each);
 *   england-and-wales-bank-holidays.ics: 25 Dec 2026 (Fri), 28 Dec 2026
 *     (Mon, Boxing Day substitute), 1 Jan 2027, 26 Mar 2027 (Good Friday),
 *     29 Mar 2027 (Easter Monday), 3 May 2027, 31 May 2027, 30 Aug 2027,
 *     27 and 28 Dec 2027 (substitutes); last entry 26 Dec 2028;
 *   example-school-holidays-2026-27.ics: autumn half term 26-30 Oct 2026,
 *     Christmas 21 Dec 2026 - 1 Jan 2027, INSET 4 Jan 2027, Easter
 *     29 Mar - 9 Apr 2027, summer 22 Jul - 31 Aug 2027 (its last entry).
 * D = default.policy (09:00-17:00, school closures = bank holidays only),
 * L = london-borough.policy (school calendar), S = suffolk-ap.policy.
 */
/* Local date and minute of t under p. */
static void local_parts(const struct policy *p, time_t t, struct ymd *day, int *minute)
{
	char buf[64];
	int h, m;

	deadline_local_date(p, t, day);
	deadline_format_local(p, t, buf, sizeof buf);
	*minute = sscanf(buf + 11, "%d:%d", &h, &m) == 2 ? h * 60 + m : -1;
}

static void test_alerts(const char *calendar_dir)
{
	static const char *const arrivals[] = {
		"2026-12-01T10:00:00Z",   /* Tuesday 1 December 2026 10:00 */
		"2027-03-25T10:00:00Z",   /* the Thursday before Easter 2027 */
		"2027-10-30T19:00:00Z",   /* the evening before the clocks go back */
	};
	static const char *const policies[] = { "default", "london-borough", "suffolk-ap",
	                                        "primary-school" };
	static const enum deadline_kind kinds[] = { DL_KIND_HOME_VISIT, DL_KIND_ESCALATION,
	                                            DL_KIND_LONG_TERM_REVIEW };
	struct strlist errors = STRLIST_INIT;
	struct alert_list al;
	char policy_dir[1200], buf[256], err[200];
	time_t t[ALERTS_MAX];
	int bad_hours = 0, bad_lead = 0, bad_long = 0, checked = 0;
	struct policy *p;

	CHECK(alert_list_parse("On-Arrival,1 working day before 9:00 , due-day 09:00", &al,
	                       err, sizeof err) == 0 && al.n == 3, "alerts parse");
	alert_list_format(&al, buf, sizeof buf);
	CHECK_STR(buf, "on-arrival, 1 working-day before 09:00, due-day 09:00",
	          "alerts: canonical spelling");
	CHECK(alert_list_parse("none", &al, err, sizeof err) == 0 && al.n == 0, "alerts: none");
	CHECK(alert_list_parse("2 fortnights before 09:00", &al, err, sizeof err) != 0,
	      "alerts: an unknown form is refused");
	CHECK(alert_list_parse("due-day 25:00", &al, err, sizeof err) != 0,
	      "alerts: a bad time is refused");
	CHECK(alert_list_parse("on-arrival,", &al, err, sizeof err) != 0,
	      "alerts: an empty item is refused");

	snprintf(policy_dir, sizeof policy_dir, "%s/policies", srcdir);
	p = policy_load("default", policy_dir, calendar_dir, &errors);
	if (p != NULL) {
		time_t from = utc("2026-12-01T10:00:00Z");
		time_t due = deadline_due(p, &p->home_visit, from);
		size_t n = deadline_alerts(p, policy_alerts_for(p, DL_KIND_HOME_VISIT), from, due, t);

		CHECK(n == 3, "home visit from Tue 1 Dec 2026 10:00: three alerts");
		CHECK_STR(fmt_utc(t[0]), "2026-12-01T10:00:00Z", "on arrival");
		CHECK_STR(fmt_utc(n > 1 ? t[1] : -1), "2026-12-03T09:00:00Z",
		          "09:00 on Thu 3 Dec, the working day before the due day (Fri 4 Dec)");
		CHECK_STR(fmt_utc(n > 2 ? t[2] : -1), "2026-12-04T09:00:00Z", "09:00 on the due day");
		due = deadline_due(p, &p->escalation, from);
		n = deadline_alerts(p, policy_alerts_for(p, DL_KIND_ESCALATION), from, due, t);
		CHECK(n == 2 && t[0] == utc("2026-12-22T09:00:00Z") &&
		      t[1] == utc("2026-12-31T09:00:00Z"),
		      "escalation due Thu 31 Dec: 09:00 five school days before (Tue 22 Dec: "
		      "25 and 28 Dec are bank holidays) and on the day");
		from = utc("2026-11-07T22:00:00Z");
		due = deadline_due(p, &p->home_visit, from);
		n = deadline_alerts(p, policy_alerts_for(p, DL_KIND_HOME_VISIT), from, due, t);
		CHECK(n == 3 && t[0] == utc("2026-11-09T09:00:00Z"),
		      "a referral on Saturday night: the on-arrival alert waits for Monday 09:00");
	}
	policy_free(p);

	/* Every alert of every shipped policy, for issue 14's three
	 * arrivals: on a working day between 08:00 and 18:00 local; the
	 * home visit's first alert after arrival at least a working day
	 * before its due day; the long-term review's at 09:00. */
	for (size_t pi = 0; pi < sizeof policies / sizeof policies[0]; pi++) {
		p = policy_load(policies[pi], policy_dir, calendar_dir, &errors);
		for (size_t a = 0; p != NULL && a < sizeof arrivals / sizeof arrivals[0]; a++) {
			time_t from = utc(arrivals[a]);

			for (size_t k = 0; k < 3; k++) {
				const struct duration *d = k == 0 ? &p->home_visit
				                         : k == 1 ? &p->escalation : &p->long_term;
				time_t due = deadline_due(p, d, from);
				size_t n = deadline_alerts(p, policy_alerts_for(p, kinds[k]), from,
				                           due, t);
				struct ymd due_day, prev;
				int m;

				local_parts(p, due, &due_day, &m);
				prev = due_day;
				do
					ymd_add_days(&prev, -1);
				while (!deadline_is_working_day(p, &prev));
				for (size_t i = 0; i < n; i++) {
					struct ymd day;

					local_parts(p, t[i], &day, &m);
					checked++;
					bad_hours += !deadline_is_working_day(p, &day) || m < 8 * 60 ||
					             m > 18 * 60;
					if (kinds[k] == DL_KIND_LONG_TERM_REVIEW)
						bad_long += m != 9 * 60;
				}
				if (kinds[k] == DL_KIND_HOME_VISIT) {
					struct ymd day;

					/* t[0] is on arrival; the next is the first
					 * with lead time. */
					if (n < 2)
						bad_lead++;
					else {
						local_parts(p, t[1], &day, &m);
						bad_lead += ymd_to_days(&day) > ymd_to_days(&prev);
					}
				}
			}
		}
		CHECK(p != NULL, policies[pi]);
		policy_free(p);
	}
	print_errors(&errors);
	strlist_free(&errors);
	CHECK(checked > 30, "alerts were computed");
	CHECK(bad_hours == 0, "every alarm lies on a working day between 08:00 and 18:00 local");
	CHECK(bad_lead == 0, "the home visit's first alert after arrival is at least one "
	      "working day before the due day");
	CHECK(bad_long == 0, "the long-term review alerts at 09:00 on a working day");
}

static const struct worked {
	char policy;              /* D, L, S */
	const char *duration;     /* NULL: S's own home_visit line */
	const char *from, *due;   /* UTC */
	int incomplete;
	const char *why;
} worked_cases[] = {
	/* SPEC 6's own examples: T before its working-day start counts. */
	{ 'D', "3 working-days", "2026-11-09T08:59:00Z", "2026-11-11T17:00:00Z", 0,
	  "Mon 9 Nov 2026 08:59 GMT: Mon, Tue, Wed -> Wed 11 Nov 17:00" },
	{ 'D', "3 working-days", "2026-11-08T23:59:00Z", "2026-11-11T17:00:00Z", 0,
	  "Sun 8 Nov 23:59: Mon, Tue, Wed -> Wed 11 Nov 17:00" },
	{ 'D', "3 working-days", "2026-11-09T00:01:00Z", "2026-11-11T17:00:00Z", 0,
	  "Mon 9 Nov 00:01: Monday counts -> Wed 11 Nov 17:00" },
	{ 'D', "3 working-days", "2026-11-09T09:00:00Z", "2026-11-12T17:00:00Z", 0,
	  "Mon 9 Nov 09:00 (the start itself): Tue, Wed, Thu -> Thu 12 Nov" },
	/* Tuesday 1 December 2026 10:00 (issue 14's case). */
	{ 'D', "3 working-days", "2026-12-01T10:00:00Z", "2026-12-04T17:00:00Z", 0,
	  "Tue 1 Dec 2026 10:00: Wed, Thu, Fri -> Fri 4 Dec 17:00" },
	{ 'D', "20 school-days", "2026-12-01T10:00:00Z", "2026-12-31T17:00:00Z", 0,
	  "D: 2-4, 7-11, 14-18, 21-24 Dec (17), 25 and 28 Dec bank holidays, "
	  "29, 30, 31 Dec (20) -> Thu 31 Dec 17:00" },
	{ 'L', "20 school-days", "2026-12-01T10:00:00Z", "2027-01-13T17:00:00Z", 0,
	  "L: 2-4, 7-11, 14-18 Dec (13), Christmas holidays, INSET 4 Jan, "
	  "5-8 Jan (17), 11, 12, 13 Jan (20) -> Wed 13 Jan 2027 17:00" },
	/* Christmas. */
	{ 'D', "3 working-days", "2026-12-24T14:00:00Z", "2026-12-31T17:00:00Z", 0,
	  "Thu 24 Dec 2026 14:00: 25 and 28 Dec bank holidays; 29, 30, 31 Dec" },
	{ 'D', "3 working-days", "2027-12-24T08:00:00Z", "2027-12-30T17:00:00Z", 0,
	  "Fri 24 Dec 2027 08:00, before the start: 24 Dec counts, 27 and 28 Dec "
	  "bank holidays, 29, 30 Dec -> Thu 30 Dec 17:00" },
	{ 'L', "20 school-days", "2026-12-11T10:00:00Z", "2027-01-25T17:00:00Z", 0,
	  "Fri 11 Dec 2026: 14-18 Dec (5), Christmas holidays, INSET 4 Jan, "
	  "5-8, 11-15, 18-22 Jan (19), Mon 25 Jan (20)" },
	{ 'D', "72 hours", "2026-12-24T14:00:00Z", "2026-12-29T09:00:00Z", 0,
	  "72 hours from Thu 24 Dec 14:00 is Sun 27 Dec 14:00: closed, Mon 28 Dec "
	  "bank holiday -> Tue 29 Dec 09:00" },
	{ 'D', "6 months", "2027-06-24T17:30:00Z", "2027-12-29T09:00:00Z", 0,
	  "Thu 24 Jun 2027 18:30 BST + 6 months = Fri 24 Dec 18:30 GMT, after "
	  "hours; 27, 28 Dec bank holidays -> Wed 29 Dec 09:00" },
	/* Easter 2027 and the spring clock change (28 March). */
	{ 'D', "3 working-days", "2027-03-25T10:00:00Z", "2027-04-01T16:00:00Z", 0,
	  "Thu 25 Mar 2027 10:00 GMT: Good Friday, Easter Monday; Tue 30, Wed 31 "
	  "Mar, Thu 1 Apr 17:00 BST" },
	{ 'L', "20 school-days", "2027-03-25T10:00:00Z", "2027-05-10T16:00:00Z", 0,
	  "L: Good Friday, Easter holidays 29 Mar - 9 Apr; 12-16, 19-23, 26-30 Apr "
	  "(15), 3 May bank holiday, 4-7 May (19), Mon 10 May 17:00 BST" },
	{ 'D', "1 day", "2027-03-27T12:00:00Z", "2027-03-30T08:00:00Z", 0,
	  "Sat 27 Mar 12:00 + 1 day = Sun 28 Mar: closed, Easter Monday -> "
	  "Tue 30 Mar 09:00 BST" },
	{ 'D', "3 working-days", "2026-03-27T17:30:00Z", "2026-04-01T16:00:00Z", 0,
	  "Fri 27 Mar 2026 17:30 GMT, after the end: Mon 30, Tue 31 Mar, Wed 1 Apr "
	  "17:00 BST (clocks went forward Sun 29th)" },
	/* Half term and the autumn clock changes. */
	{ 'D', "3 working-days", "2026-10-23T17:00:00Z", "2026-10-28T17:00:00Z", 0,
	  "Fri 23 Oct 2026 18:00 BST: Mon 26, Tue 27, Wed 28 Oct 17:00 GMT" },
	{ 'S', NULL, "2026-10-23T09:00:00Z", "2026-10-28T17:00:00Z", 0,
	  "S home visit, Fri 23 Oct 10:00 BST: 3 school days end Wed 4 Nov (half "
	  "term 26-30 Oct), 3 working days Wed 28 Oct: the earlier" },
	{ 'L', "20 school-days", "2026-10-12T09:00:00Z", "2026-11-16T17:00:00Z", 0,
	  "Mon 12 Oct 10:00 BST: 13-16, 19-23 Oct (9), half term, 2-6, 9-13 Nov "
	  "(19), Mon 16 Nov (20)" },
	{ 'L', "20 school-days", "2026-10-12T07:00:00Z", "2026-11-13T17:00:00Z", 0,
	  "Mon 12 Oct 08:00 BST, before the start: 12 Oct counts -> Fri 13 Nov" },
	{ 'D', "72 hours", "2026-10-23T15:00:00Z", "2026-10-26T15:00:00Z", 0,
	  "Fri 23 Oct 16:00 BST + 72 h = Mon 26 Oct 15:00 GMT, in hours" },
	{ 'D', "3 working-days", "2027-10-30T19:00:00Z", "2027-11-03T17:00:00Z", 0,
	  "Sat 30 Oct 2027 20:00 BST, the evening before the clocks go back: "
	  "Mon 1, Tue 2, Wed 3 Nov 17:00 GMT" },
	{ 'D', "6 months", "2027-04-27T22:00:00Z", "2027-10-28T08:00:00Z", 0,
	  "Tue 27 Apr 2027 23:00 BST + 6 months = Wed 27 Oct 23:00: night -> "
	  "Thu 28 Oct 09:00 BST" },
	{ 'D', "6 months", "2026-11-22T10:00:00Z", "2027-05-24T08:00:00Z", 0,
	  "Sun 22 Nov 2026 + 6 months = Sat 22 May 2027 -> Mon 24 May 09:00 BST" },
	/* The summer holiday, and a calendar that runs out. */
	{ 'S', NULL, "2027-07-22T09:00:00Z", "2027-07-27T16:00:00Z", 0,
	  "S home visit, Thu 22 Jul 2027 10:00 BST: 3 school days would be 1-3 "
	  "Sep (summer holiday to 31 Aug); 3 working days end Tue 27 Jul 17:00" },
	{ 'S', "3 school-days", "2027-07-22T09:00:00Z", "2027-09-03T16:00:00Z", 1,
	  "3 school days alone: summer holiday, 30 Aug bank holiday, 1, 2, 3 Sep: "
	  "past the school calendar's last entry (31 Aug 2027)" },
	{ 'D', "3 working-days", "2028-12-28T10:00:00Z", "2029-01-02T17:00:00Z", 1,
	  "Thu 28 Dec 2028: Fri 29, Mon 1 Jan 2029 (no calendar lists it), Tue 2: "
	  "past the bank holidays' last entry (26 Dec 2028)" },
	{ 'D', "20 school-days", "2027-06-01T09:00:00Z", "2027-06-29T16:00:00Z", 0,
	  "D's school days are working days (no school calendar): 2-4 Jun, then "
	  "7 Jun ... Tue 29 Jun; never calendar-incomplete for a school calendar "
	  "it does not name" },
};

static void test_worked_cases(const char *calendar_dir)
{
	struct strlist errors = STRLIST_INIT;
	char policy_dir[1200];
	struct policy *pol[3];
	const char names[3] = { 'D', 'L', 'S' };

	snprintf(policy_dir, sizeof policy_dir, "%s/policies", srcdir);
	pol[0] = policy_load("default", policy_dir, calendar_dir, &errors);
	pol[1] = policy_load("london-borough", policy_dir, calendar_dir, &errors);
	pol[2] = policy_load("suffolk-ap", policy_dir, calendar_dir, &errors);
	print_errors(&errors);
	strlist_free(&errors);
	CHECK(pol[0] && pol[1] && pol[2], "the shipped policies load");
	for (size_t i = 0; pol[0] && pol[1] && pol[2] &&
	                   i < sizeof worked_cases / sizeof worked_cases[0]; i++) {
		const struct worked *w = &worked_cases[i];
		const struct policy *p = pol[strchr(names, w->policy) - names];
		struct duration d = p->home_visit;
		unsigned flags = 0;
		time_t t;

		if (w->duration != NULL && duration_parse(w->duration, &d) != 0) {
			CHECK(0, w->why);
			continue;
		}
		t = deadline_due_flags(p, &d, utc(w->from), &flags);
		CHECK_STR(fmt_utc(t), w->due, w->why);
		CHECK(!!(flags & DEADLINE_CALENDAR_INCOMPLETE) == w->incomplete,
		      w->incomplete ? "  ... and is marked calendar-incomplete"
		                    : "  ... and is not marked calendar-incomplete");
	}
	/* Warnings from six months before a named calendar runs out. */
	if (pol[1] != NULL) {
		struct strlist w = STRLIST_INIT;

		CHECK(policy_calendar_warnings(pol[1], utc("2026-12-01T10:00:00Z"), &w) == 0,
		      "no calendar warning nine months before the school calendar ends");
		CHECK(policy_calendar_warnings(pol[1], utc("2027-03-01T10:00:00Z"), &w) == 1 &&
		      strstr(w.v[0], "example-school-holidays-2026-27.ics runs out on 2027-08-31"),
		      "a warning six months before the school calendar's last entry");
		strlist_free(&w);
		CHECK(policy_calendar_warnings(pol[1], utc("2028-07-01T10:00:00Z"), &w) == 2 &&
		      strstr(w.v[0], "england-and-wales-bank-holidays.ics runs out on 2028-12-26") &&
		      strstr(w.v[1], "example-school-holidays-2026-27.ics ran out on 2027-08-31"),
		      "each calendar warned about once, the one run out said so");
		strlist_free(&w);
	}
	for (int k = 0; k < 3; k++)
		policy_free(pol[k]);
}

int main(void)
{
	char calendar_dir[1200];

	tap_vocabulary();
	deadline_global_init();
	find_srcdir();
	snprintf(calendar_dir, sizeof calendar_dir, "%s/calendars", srcdir);

	test_closures();
	test_shipped_calendars();
	test_durations();
	test_policies(calendar_dir);
	test_deadlines(calendar_dir);
	test_worked_cases(calendar_dir);
	test_alerts(calendar_dir);
	return tap_done();
}
