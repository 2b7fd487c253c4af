/*
 * test_reminder.c - unit tests for reminder.c and fileio.c.
 *
 * Owns: checking that the calendars we write read back with libical
 * exactly as meant (no parse errors, iTIP restrictions met, right UIDs,
 * sequences and UTC times, one alarm per live event, cancellations),
 * that hostile text cannot add a property or component, that feed file
 * names stay inside ReminderDir, and that the file helpers read with a
 * cap and replace atomically.
 */
#include "build-config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "fileio.h"
#include "reminder.h"
#include "tap.h"

/* 2026-10-27 11:00:00 UTC, a Tuesday: a plausible home-visit deadline. */
#define DUE1   ((time_t)1793098800)
#define DUE2   ((time_t)1794672000)
#define STAMP  ((time_t)1792000000)

static const struct reminder_event two_events[] = {
	{ .uid = "CME-2026-00001-home-visit@la.test",
	  .summary = "Home visit CME-2026-00001 J.S.",
	  .description = "Case CME-2026-00001\nHome visit due", .due = DUE1,
	  .alarm = DUE1 - 2 * 3600, .sequence = 2, .cancelled = 0, .stamp = STAMP },
	{ .uid = "CME-2026-00001-escalation@la.test", .summary = "Escalation CME-2026-00001",
	  .description = NULL, .due = DUE2, .alarm = DUE2, .sequence = 3, .cancelled = 1,
	  .stamp = STAMP },
};

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* libical's recursive count of X-LIC-ERROR properties. */
static int errors_in(icalcomponent *c)
{
	return icalcomponent_count_errors(c);
}

static icalcomponent *nth_event(icalcomponent *cal, int n)
{
	icalcomponent *c;

	for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     c != NULL && n > 0;
	     c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		n--;
	return c;
}

static time_t prop_time(icalcomponent *c, icalproperty_kind k, int *utc)
{
	icalproperty *p = icalcomponent_get_first_property(c, k);
	struct icaltimetype t;

	*utc = 0;
	if (p == NULL)
		return (time_t)-1;
	t = icalvalue_get_datetime(icalproperty_get_value(p));
	*utc = icaltime_is_utc(t);
	return icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
}

/* Strict UTF-8 check with no control characters except LF. */
static int clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p, cp;
		int n, i;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7F)
				return 0;
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
		else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
		else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
		else return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF ||
		    (cp >= 0x80 && cp <= 0x9F))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* No byte below 0x20 except CR and LF, no DEL. */
static int no_controls(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\r' && *s != '\n') ||
		    *s == 0x7f)
			return 0;
	return 1;
}

/* Every line ends in CRLF, no bare CR or LF, none over 75 octets. */
static int lines_ok(const char *s)
{
	size_t col = 0;

	for (; *s; s++) {
		if (*s == '\r') {
			if (s[1] != '\n')
				return 0;
			s++;
			col = 0;
			continue;
		}
		if (*s == '\n')
			return 0;
		if (++col > 75)
			return 0;
	}
	return col == 0;
}

static int count_substr(const char *hay, const char *needle)
{
	int n = 0;
	size_t l = strlen(needle);

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += l;
	}
	return n;
}

static int count_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* ------------------------------------------------------------------ */

static void test_feed(void)
{
	char *ics = reminder_calendar_text(two_events, 2, NULL, "cme@la.test",
	                                   NULL);
	icalcomponent *cal, *ev, *al;
	icalproperty *p;
	struct icaltriggertype trig;
	time_t s, e;
	int us = 0, ue = 0;

	CHECK(ics != NULL, "feed: calendar text built");
	if (ics == NULL)
		return;
	CHECK(lines_ok(ics), "feed: CRLF lines, none over 75 octets");
	CHECK(strncmp(ics, "BEGIN:VCALENDAR\r\n", 17) == 0,
	      "feed: starts with BEGIN:VCALENDAR");
	cal = icalparser_parse_string(ics);
	CHECK(cal != NULL && icalcomponent_isa(cal) == ICAL_VCALENDAR_COMPONENT,
	      "feed: libical parses it back as one VCALENDAR");
	if (cal == NULL) {
		free(ics);
		return;
	}
	CHECK_INT(errors_in(cal), 0, "feed: no X-LIC-ERROR after parsing");
	p = icalcomponent_get_first_property(cal, ICAL_VERSION_PROPERTY);
	CHECK_STR(p ? icalproperty_get_version(p) : NULL, "2.0",
	          "feed: VERSION:2.0");
	p = icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY);
	CHECK_STR(p ? icalproperty_get_prodid(p) : NULL,
	          "-//cme-milter//cme-milter//EN", "feed: PRODID");
	CHECK(icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) == NULL,
	      "feed: no METHOD");
	CHECK_INT(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 2,
	          "feed: one VEVENT per event");
	CHECK_INT(icalcomponent_count_components(cal, ICAL_VTODO_COMPONENT), 0,
	          "feed: events, not VTODOs");

	ev = nth_event(cal, 0);
	CHECK_STR(ev ? icalcomponent_get_uid(ev) : NULL,
	          "CME-2026-00001-home-visit@la.test", "feed: first UID");
	p = ev ? icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY) : NULL;
	CHECK_INT(p ? icalproperty_get_sequence(p) : -1, 2, "feed: SEQUENCE 2");
	s = ev ? prop_time(ev, ICAL_DTSTART_PROPERTY, &us) : -1;
	e = ev ? prop_time(ev, ICAL_DTEND_PROPERTY, &ue) : -1;
	CHECK_INT(s, DUE1, "feed: DTSTART is the due time (not half an hour before it)");
	CHECK_INT(e, -1, "feed: no DTEND: the event is the due instant (RFC 5545 3.6.1)");
	CHECK(us, "feed: DTSTART is UTC");
	CHECK(strstr(ics, "DTSTART:20261027T110000Z\r\n") != NULL,
	      "feed: UTC times written with Z");
	CHECK(strstr(ics, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT4H\r\n") != NULL &&
	      strstr(ics, "\r\nX-PUBLISHED-TTL:PT4H\r\n") != NULL,
	      "feed: REFRESH-INTERVAL;VALUE=DURATION:PT4H and X-PUBLISHED-TTL:PT4H");
	CHECK_INT(ev ? prop_time(ev, ICAL_DTSTAMP_PROPERTY, &us) : -1, STAMP,
	          "feed: DTSTAMP is the event stamp");
	CHECK(ev && icalcomponent_get_status(ev) == ICAL_STATUS_CONFIRMED,
	      "feed: live event is STATUS:CONFIRMED");
	p = ev ? icalcomponent_get_first_property(ev, ICAL_TRANSP_PROPERTY) : NULL;
	CHECK(p && icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT,
	      "feed: TRANSP:TRANSPARENT (a deadline does not block free/busy time)");
	CHECK_STR(ev ? icalcomponent_get_description(ev) : NULL,
	          "Case CME-2026-00001\nHome visit due",
	          "feed: DESCRIPTION keeps its line break (escaped)");
	CHECK(strstr(ics, "DESCRIPTION:Case CME-2026-00001\\nHome visit due\r\n")
	      != NULL, "feed: line break written as the \\n escape");
	CHECK_INT(ev ? icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT)
	          : -1, 1, "feed: exactly one VALARM on the live event");
	al = ev ? icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT)
	        : NULL;
	p = al ? icalcomponent_get_first_property(al, ICAL_ACTION_PROPERTY) : NULL;
	CHECK(p && icalproperty_get_action(p) == ICAL_ACTION_DISPLAY,
	      "feed: VALARM ACTION:DISPLAY");
	CHECK(al && icalcomponent_get_first_property(al,
	                                  ICAL_DESCRIPTION_PROPERTY) != NULL,
	      "feed: VALARM has a DESCRIPTION");
	p = al ? icalcomponent_get_first_property(al, ICAL_TRIGGER_PROPERTY) : NULL;
	if (p != NULL) {
		trig = icalproperty_get_trigger(p);
		CHECK(icaltime_is_null_time(trig.time) &&
		      icaldurationtype_as_int(trig.duration) == -2 * 3600,
		      "feed: TRIGGER -PT2H relative to start: the alarm time given");
	} else {
		CHECK(0, "feed: TRIGGER -PT2H relative to start: the alarm time given");
	}

	ev = nth_event(cal, 1);
	CHECK_STR(ev ? icalcomponent_get_uid(ev) : NULL,
	          "CME-2026-00001-escalation@la.test", "feed: second UID");
	CHECK(ev && icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED,
	      "feed: cancelled event is STATUS:CANCELLED");
	CHECK_INT(ev ? icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT)
	          : -1, 0, "feed: no VALARM on the cancelled event");
	CHECK_STR(ev ? icalcomponent_get_summary(ev) : NULL,
	          "Escalation CME-2026-00001", "feed: SUMMARY");

	CHECK(icalrestriction_check(cal), "feed: libical restriction check passes");
	CHECK_INT(errors_in(cal), 0, "feed: restriction check added no errors");
	icalcomponent_free(cal);
	free(ics);
}

static void test_request(void)
{
	char *ics = reminder_calendar_text(two_events, 1, "REQUEST",
	                                   "cme@la.test", "officer@la.test");
	icalcomponent *cal, *ev;
	icalproperty *p;
	icalparameter *par;

	CHECK(ics != NULL, "REQUEST: built");
	if (ics == NULL)
		return;
	cal = icalparser_parse_string(ics);
	CHECK(cal != NULL, "REQUEST: parses");
	if (cal == NULL) {
		free(ics);
		return;
	}
	CHECK_INT(errors_in(cal), 0, "REQUEST: no X-LIC-ERROR");
	CHECK(icalcomponent_get_method(cal) == ICAL_METHOD_REQUEST,
	      "REQUEST: METHOD:REQUEST");
	ev = nth_event(cal, 0);
	p = ev ? icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY)
	       : NULL;
	CHECK_STR(p ? icalproperty_get_organizer(p) : NULL,
	          "mailto:cme@la.test", "REQUEST: ORGANIZER is the mailbox");
	CHECK_INT(ev ? icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY)
	          : -1, 1, "REQUEST: one ATTENDEE");
	p = ev ? icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY)
	       : NULL;
	CHECK_STR(p ? icalproperty_get_attendee(p) : NULL,
	          "mailto:officer@la.test", "REQUEST: ATTENDEE is the officer");
	par = p ? icalproperty_get_first_parameter(p, ICAL_RSVP_PARAMETER) : NULL;
	CHECK(par && icalparameter_get_rsvp(par) == ICAL_RSVP_FALSE,
	      "REQUEST: ATTENDEE RSVP=FALSE");
	par = p ? icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER)
	        : NULL;
	CHECK(par && icalparameter_get_partstat(par) == ICAL_PARTSTAT_NEEDSACTION,
	      "REQUEST: ATTENDEE PARTSTAT=NEEDS-ACTION");
	par = p ? icalproperty_get_first_parameter(p, ICAL_ROLE_PARAMETER) : NULL;
	CHECK(par && icalparameter_get_role(par) == ICAL_ROLE_REQPARTICIPANT,
	      "REQUEST: ATTENDEE ROLE=REQ-PARTICIPANT");
	CHECK_INT(ev ? icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT)
	          : -1, 1, "REQUEST: one VALARM");
	CHECK(icalrestriction_check(cal),
	      "REQUEST: libical iTIP restriction check passes");
	CHECK_INT(errors_in(cal), 0, "REQUEST: restriction check added no errors");
	icalcomponent_free(cal);
	free(ics);
}

static void test_cancel(void)
{
	/* The first event is still marked live: CANCEL must cancel it. */
	char *ics = reminder_calendar_text(two_events, 2, "CANCEL",
	                                   "cme@la.test", "officer@la.test");
	icalcomponent *cal, *ev;
	int i, all = 1, alarms = 0;
	icalproperty *p;

	CHECK(ics != NULL, "CANCEL: built");
	if (ics == NULL)
		return;
	cal = icalparser_parse_string(ics);
	CHECK(cal != NULL, "CANCEL: parses");
	if (cal == NULL) {
		free(ics);
		return;
	}
	CHECK_INT(errors_in(cal), 0, "CANCEL: no X-LIC-ERROR");
	CHECK(icalcomponent_get_method(cal) == ICAL_METHOD_CANCEL,
	      "CANCEL: METHOD:CANCEL");
	for (i = 0; (ev = nth_event(cal, i)) != NULL; i++) {
		if (icalcomponent_get_status(ev) != ICAL_STATUS_CANCELLED)
			all = 0;
		alarms += icalcomponent_count_components(ev,
		                                       ICAL_VALARM_COMPONENT);
	}
	CHECK_INT(i, 2, "CANCEL: both events present");
	CHECK(all, "CANCEL: every event STATUS:CANCELLED");
	CHECK_INT(alarms, 0, "CANCEL: no VALARM");
	ev = nth_event(cal, 1);
	p = ev ? icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY) : NULL;
	CHECK_INT(p ? icalproperty_get_sequence(p) : -1, 3,
	          "CANCEL: SEQUENCE carried");
	CHECK(icalrestriction_check(cal),
	      "CANCEL: libical iTIP restriction check passes");
	CHECK_INT(errors_in(cal), 0, "CANCEL: restriction check added no errors");
	icalcomponent_free(cal);
	free(ics);
}

static void test_injection(void)
{
	static const char evil_summary[] =
		"Visit\r\nATTENDEE:mailto:evil@x\r\nBEGIN:VEVENT ;,\\";
	static const char evil_desc[] =
		"a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\nDTSTART:20000101T000000Z"
		"\rORGANIZER:mailto:evil@x\r\n X-CONT:folded";
	struct reminder_event clean = two_events[0], evil = two_events[0];
	icalcomponent *cal_c, *cal_e, *ev_c, *ev_e;
	char *ics_c, *ics_e;

	evil.summary = evil_summary;
	evil.description = evil_desc;
	evil.uid = "CME-2026-00001-home-visit@la.test\r\nATTENDEE:mailto:evil@x";
	ics_c = reminder_calendar_text(&clean, 1, NULL, NULL, NULL);
	ics_e = reminder_calendar_text(&evil, 1, NULL, NULL, NULL);
	CHECK(ics_c != NULL && ics_e != NULL, "injection: both built");
	if (ics_c == NULL || ics_e == NULL) {
		free(ics_c);
		free(ics_e);
		return;
	}
	CHECK(lines_ok(ics_e), "injection: still CRLF lines only");
	CHECK_INT(count_substr(ics_e, "\r\nBEGIN:VEVENT"), 1,
	          "injection: one BEGIN:VEVENT line in the text");
	CHECK_INT(count_substr(ics_e, "\r\nATTENDEE"), 0,
	          "injection: no ATTENDEE line in the text");
	CHECK_INT(count_substr(ics_e, "\r\nORGANIZER"), 0,
	          "injection: no ORGANIZER line in the text");
	cal_c = icalparser_parse_string(ics_c);
	cal_e = icalparser_parse_string(ics_e);
	CHECK(cal_c != NULL && cal_e != NULL, "injection: both parse");
	if (cal_c != NULL && cal_e != NULL) {
		CHECK_INT(errors_in(cal_e), 0, "injection: no X-LIC-ERROR");
		CHECK_INT(icalcomponent_count_components(cal_e, ICAL_ANY_COMPONENT),
		          1, "injection: still one component in the calendar");
		CHECK_INT(icalcomponent_count_properties(cal_e, ICAL_ANY_PROPERTY),
		          icalcomponent_count_properties(cal_c, ICAL_ANY_PROPERTY),
		          "injection: calendar property count unchanged");
		ev_c = nth_event(cal_c, 0);
		ev_e = nth_event(cal_e, 0);
		CHECK(ev_c != NULL && ev_e != NULL, "injection: the VEVENT is there");
		if (ev_c != NULL && ev_e != NULL) {
			CHECK_INT(icalcomponent_count_properties(ev_e,
			                                 ICAL_ANY_PROPERTY),
			          icalcomponent_count_properties(ev_c,
			                                 ICAL_ANY_PROPERTY),
			          "injection: VEVENT property count unchanged");
			CHECK_INT(icalcomponent_count_properties(ev_e,
			                               ICAL_ATTENDEE_PROPERTY),
			          0, "injection: no ATTENDEE property");
			CHECK_INT(icalcomponent_count_properties(ev_e,
			                               ICAL_ORGANIZER_PROPERTY),
			          0, "injection: no ORGANIZER property");
			CHECK_INT(icalcomponent_count_components(ev_e,
			                               ICAL_ANY_COMPONENT),
			          1, "injection: only the VALARM inside the VEVENT");
			CHECK_STR(icalcomponent_get_summary(ev_e),
			          "Visit ATTENDEE:mailto:evil@x BEGIN:VEVENT ;,\\",
			          "injection: SUMMARY round-trips as plain text");
			CHECK(strstr(ics_e, "BEGIN:VEVENT \\;\\,\\\\") != NULL,
			      "injection: ; , \\ escaped by libical");
			CHECK_STR(icalcomponent_get_uid(ev_e),
			          "CME-2026-00001-home-visit@la.test "
			          "ATTENDEE:mailto:evil@x",
			          "injection: UID cannot carry a line break");
			CHECK_STR(icalcomponent_get_description(ev_e),
			          "a\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\n"
			          "DTSTART:20000101T000000Z\n"
			          "ORGANIZER:mailto:evil@x\nX-CONT:folded",
			          "injection: DESCRIPTION is one escaped value");
		}
	}
	if (cal_c)
		icalcomponent_free(cal_c);
	if (cal_e)
		icalcomponent_free(cal_e);
	free(ics_c);
	free(ics_e);
}

static void test_cleaning(void)
{
	struct reminder_event ev = two_events[0];
	char big[12000], *ics;
	icalcomponent *cal, *e;
	const char *v;
	size_t i;

	/* DEL, C0, invalid UTF-8, a lone continuation byte, an overlong,
	 * a surrogate, a C1 control (U+0085 NEL), NUL can't be embedded in a
	 * C string so the C0 range stands for it. */
	ev.summary = "A\x7f" "B\x01" "C\tD \xc3\x28 \x80 \xc0\xaf \xed\xa0\x80 "
	             "\xc2\x85" "E caf\xc3\xa9";
	ev.description = "x\x1b[31my\x0c" "z";
	ics = reminder_calendar_text(&ev, 1, NULL, NULL, NULL);
	CHECK(ics != NULL, "cleaning: built");
	cal = ics ? icalparser_parse_string(ics) : NULL;
	e = cal ? nth_event(cal, 0) : NULL;
	v = e ? icalcomponent_get_summary(e) : NULL;
	CHECK(v != NULL && clean_utf8(v), "cleaning: SUMMARY valid UTF-8, no controls");
	CHECK_STR(v, "A B C D \xef\xbf\xbd( \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
	          "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd E caf\xc3\xa9",
	          "cleaning: controls become spaces, bad bytes U+FFFD");
	CHECK_STR(e ? icalcomponent_get_description(e) : NULL, "x [31my z",
	          "cleaning: ESC and FF removed from DESCRIPTION");
	CHECK(ics && no_controls(ics),
	      "cleaning: no control byte but CRLF anywhere in the output");
	if (cal)
		icalcomponent_free(cal);
	free(ics);

	/* Length bounds, cut on a character boundary: 'é' is 2 bytes. */
	for (i = 0; i + 2 < sizeof big; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[i] = '\0';
	big[1001] = 'x';        /* one ASCII byte so halves don't align */
	ev.summary = big + 1;   /* starts on a continuation byte: U+FFFD */
	ev.description = big;
	ics = reminder_calendar_text(&ev, 1, NULL, NULL, NULL);
	CHECK(ics != NULL, "bounds: built from 12 kB text");
	cal = ics ? icalparser_parse_string(ics) : NULL;
	e = cal ? nth_event(cal, 0) : NULL;
	v = e ? icalcomponent_get_summary(e) : NULL;
	CHECK(v != NULL && strlen(v) <= 255 && strlen(v) >= 250,
	      "bounds: SUMMARY cut to 255 bytes");
	CHECK(v != NULL && clean_utf8(v), "bounds: SUMMARY cut on a character");
	v = e ? icalcomponent_get_description(e) : NULL;
	CHECK(v != NULL && strlen(v) <= 4000 && strlen(v) >= 3990,
	      "bounds: DESCRIPTION cut to 4000 bytes");
	CHECK(v != NULL && clean_utf8(v), "bounds: DESCRIPTION cut on a character");
	CHECK(ics && lines_ok(ics), "bounds: folded lines within 75 octets");
	CHECK_INT(cal ? errors_in(cal) : -1, 0, "bounds: no X-LIC-ERROR");
	if (cal)
		icalcomponent_free(cal);
	free(ics);

	/* Empty summary: a calendar entry still needs a title. */
	ev.summary = "\r\n\t";
	ev.description = NULL;
	ics = reminder_calendar_text(&ev, 1, NULL, NULL, NULL);
	cal = ics ? icalparser_parse_string(ics) : NULL;
	e = cal ? nth_event(cal, 0) : NULL;
	CHECK_STR(e ? icalcomponent_get_summary(e) : NULL, "CME reminder",
	          "cleaning: empty SUMMARY gets a default");
	CHECK(e && icalcomponent_get_first_property(e, ICAL_DESCRIPTION_PROPERTY)
	      == NULL, "cleaning: no DESCRIPTION when none given");
	if (cal)
		icalcomponent_free(cal);
	free(ics);
}

static void test_refusals(void)
{
	struct reminder_event ev = two_events[0];
	char *ics;

	ics = reminder_calendar_text(&ev, 1, "REQUEST", "cme@la.test", NULL);
	CHECK(ics == NULL && errno == EINVAL, "refuse: REQUEST without ATTENDEE");
	free(ics);
	ics = reminder_calendar_text(&ev, 1, "CANCEL", NULL, "o@la.test");
	CHECK(ics == NULL && errno == EINVAL, "refuse: CANCEL without ORGANIZER");
	free(ics);
	ics = reminder_calendar_text(&two_events[1], 1, "REQUEST", "cme@la.test",
	                             "o@la.test");
	CHECK(ics == NULL, "refuse: REQUEST for a cancelled event");
	free(ics);
	ics = reminder_calendar_text(&ev, 1, "REQUEST",
	                             "cme@la.test\r\nX-EVIL:1", "o@la.test");
	CHECK(ics == NULL, "refuse: organizer with CRLF");
	free(ics);
	ics = reminder_calendar_text(&ev, 1, "REQUEST", "cme@la.test",
	                             "o@la.test;RSVP=TRUE:mailto:x@y");
	CHECK(ics == NULL, "refuse: attendee with ; and :");
	free(ics);
	ics = reminder_calendar_text(&ev, 1, "REQUEST", "cme@la.test", "nobody");
	CHECK(ics == NULL, "refuse: attendee without @");
	free(ics);
	ics = reminder_calendar_text(&ev, 1, "REPLY\r\nX:1", "cme@la.test",
	                             "o@la.test");
	CHECK(ics == NULL, "refuse: unknown METHOD");
	free(ics);
	ev.uid = "\r\n";
	ics = reminder_calendar_text(&ev, 1, NULL, NULL, NULL);
	CHECK(ics == NULL && errno == EINVAL, "refuse: empty UID");
	free(ics);
	ics = reminder_calendar_text(&two_events[0], 1, "REQUEST",
	                             "mailto:cme@la.test", "MAILTO:o@la.test");
	CHECK(ics != NULL && strstr(ics, "mailto:mailto:") == NULL,
	      "accept: mailto: prefix given once, written once");
	free(ics);
}

static void test_feed_path(void)
{
	char out[512], small[12];
	const char *base;

	CHECK_INT(reminder_feed_path("/var/rem", "Officer.One@LA.test", out,
	                             sizeof out), 0, "path: plain address");
	CHECK_STR(out, "/var/rem/officer.one@la.test.ics",
	          "path: lower-cased, .ics added");
	CHECK_INT(reminder_feed_path("/var/rem/", "../../etc/passwd", out,
	                             sizeof out), 0, "path: traversal mapped");
	base = strrchr(out, '/');
	CHECK(strncmp(out, "/var/rem/", 9) == 0 && base == out + 8,
	      "path: ../../etc/passwd stays directly inside DIR");
	CHECK(base && base[1] != '.', "path: no leading dot");
	CHECK_STR(out, "/var/rem/_._.._etc_passwd.ics",
	          "path: / and leading . replaced");
	CHECK_INT(reminder_feed_path("rem", "a+b c\xc3\xa9\"<x>@la.test", out,
	                             sizeof out), 0, "path: odd characters");
	CHECK_STR(out, "rem/a_b_c____x_@la.test.ics",
	          "path: each odd byte becomes _");
	CHECK_INT(reminder_feed_path("rem", "mailto:o@la.test", out, sizeof out),
	          0, "path: mailto: prefix");
	CHECK_STR(out, "rem/o@la.test.ics", "path: mailto: prefix dropped");
	CHECK_INT(reminder_feed_path("rem", "", out, sizeof out), -1,
	          "path: empty officer refused");
	CHECK_INT(reminder_feed_path("", "o@la.test", out, sizeof out), -1,
	          "path: empty DIR refused");
	CHECK_INT(reminder_feed_path("rem", "o@la.test", small, sizeof small),
	          -1, "path: too small a buffer refused");
	{
		char lng[400];

		memset(lng, 'a', sizeof lng - 1);
		lng[sizeof lng - 1] = '\0';
		CHECK_INT(reminder_feed_path("rem", lng, out, sizeof out), -1,
		          "path: over-long officer refused, not truncated");
	}
}

static void test_write_feed(void)
{
	char dir[] = "/tmp/test_reminder.XXXXXX";
	char path[512], err[256] = "", *text;
	struct stat st1, st2;
	icalcomponent *cal;
	size_t len;
	int tr;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "feed file: temporary directory");
		return;
	}
	CHECK_INT(reminder_write_feed(dir, "Officer@LA.test", two_events, 2,
	                              "cme@la.test", err, sizeof err), 0,
	          "feed file: written");
	snprintf(path, sizeof path, "%s/officer@la.test.ics", dir);
	CHECK(stat(path, &st1) == 0, "feed file: at DIR/officer@la.test.ics");
	CHECK_INT(st1.st_mode & 07777, 0640, "feed file: mode 0640");
	CHECK_INT(count_dir_entries(dir), 1, "feed file: no temporary left");
	text = file_read_all(path, 1 << 20, &len, &tr);
	cal = text ? icalparser_parse_string(text) : NULL;
	CHECK(cal && errors_in(cal) == 0 &&
	      icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT) == 2,
	      "feed file: parses, two events, no errors");
	CHECK(text && count_substr(text, "ATTENDEE") == 2 &&
	      strstr(text, ":mailto:Officer@LA.test\r\n") != NULL,
	      "feed file: each event names the officer as ATTENDEE");
	if (cal)
		icalcomponent_free(cal);
	free(text);

	/* Rewrite with one event: a new inode renamed into place, so a
	 * reader holding the old file never sees a mix. */
	CHECK_INT(reminder_write_feed(dir, "officer@la.test", two_events, 1,
	                              NULL, err, sizeof err), 0,
	          "feed file: rewritten");
	CHECK(stat(path, &st2) == 0 && st2.st_ino != st1.st_ino,
	      "feed file: replaced by rename (new inode)");
	text = file_read_all(path, 1 << 20, &len, &tr);
	CHECK(text && count_substr(text, "BEGIN:VEVENT") == 1 &&
	      strstr(text, "ORGANIZER") == NULL,
	      "feed file: holds exactly the new events");
	free(text);
	CHECK_INT(count_dir_entries(dir), 1, "feed file: still one file");

	/* An empty feed is still a calendar: closing the last case must
	 * empty the officer's calendar, not leave stale events. */
	CHECK_INT(reminder_write_feed(dir, "officer@la.test", NULL, 0, NULL,
	                              err, sizeof err), 0,
	          "feed file: empty feed written");
	text = file_read_all(path, 1 << 20, &len, &tr);
	CHECK(text && strstr(text, "BEGIN:VCALENDAR") &&
	      strstr(text, "VEVENT") == NULL, "feed file: empty VCALENDAR");
	free(text);

	CHECK_INT(reminder_write_feed(dir, "../../etc/passwd", two_events, 1,
	                              NULL, err, sizeof err), 0,
	          "feed file: hostile officer name written");
	snprintf(path, sizeof path, "%s/_._.._etc_passwd.ics", dir);
	CHECK(access(path, F_OK) == 0, "feed file: hostile name kept inside DIR");
	unlink(path);

	err[0] = '\0';
	snprintf(path, sizeof path, "%s/missing", dir);
	CHECK_INT(reminder_write_feed(path, "o@la.test", two_events, 1, NULL,
	                              err, sizeof err), -1,
	          "feed file: missing DIR fails");
	CHECK(strstr(err, "missing/o@la.test.ics") != NULL,
	      "feed file: error names the path");
	CHECK_INT(reminder_write_feed(dir, "o@la.test", two_events, 1,
	                              "bad\naddr", err, sizeof err), -1,
	          "feed file: bad organizer fails");
	snprintf(path, sizeof path, "%s/o@la.test.ics", dir);
	CHECK(access(path, F_OK) != 0, "feed file: nothing written on failure");

	snprintf(path, sizeof path, "%s/officer@la.test.ics", dir);
	unlink(path);
	CHECK(rmdir(dir) == 0, "feed file: directory left clean");
}

static void test_fileio(void)
{
	char dir[] = "/tmp/test_fileio.XXXXXX";
	char path[512], sub[512];
	char *buf;
	size_t len = 99;
	int tr = 99, pfd[2], saved_stdin;
	struct stat st;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "fileio: temporary directory");
		return;
	}
	snprintf(path, sizeof path, "%s/data", dir);
	CHECK_INT(file_replace_atomic(path, "hello world", 11, 0600), 0,
	          "fileio: replace creates a new file");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 &&
	      st.st_size == 11, "fileio: mode and size right");

	buf = file_read_all(path, 11, &len, &tr);
	CHECK(buf && len == 11 && tr == 0 && strcmp(buf, "hello world") == 0,
	      "fileio: exactly limit bytes is not truncation");
	free(buf);
	buf = file_read_all(path, 5, &len, &tr);
	CHECK(buf && len == 5 && tr == 1 && strcmp(buf, "hello") == 0,
	      "fileio: longer file cut at limit and reported truncated");
	free(buf);
	buf = file_read_all(path, 1000, &len, &tr);
	CHECK(buf && len == 11 && tr == 0 && buf[11] == '\0',
	      "fileio: short file read whole, NUL-terminated");
	free(buf);

	CHECK_INT(file_replace_atomic(path, "", 0, 0644), 0,
	          "fileio: replace with empty data");
	buf = file_read_all(path, 100, &len, &tr);
	CHECK(buf && len == 0 && buf[0] == '\0', "fileio: empty file reads as \"\"");
	free(buf);

	errno = 0;
	snprintf(sub, sizeof sub, "%s/nope", dir);
	CHECK(file_read_all(sub, 100, &len, &tr) == NULL && errno == ENOENT,
	      "fileio: missing file is NULL with ENOENT");
	CHECK(file_read_all(dir, 100, &len, &tr) == NULL && errno == EISDIR,
	      "fileio: a directory is refused");

	/* Failure paths must not leave a temporary behind: a target that is
	 * a non-empty directory makes rename() fail after the write. */
	snprintf(sub, sizeof sub, "%s/d", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof path, "%s/d/x", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	CHECK_INT(file_replace_atomic(sub, "data", 4, 0600), -1,
	          "fileio: rename over a non-empty directory fails");
	CHECK_INT(count_dir_entries(dir), 2,
	          "fileio: failed replace leaves no temporary");
	unlink(path);
	rmdir(sub);
	snprintf(path, sizeof path, "%s/no/such/dir/f", dir);
	CHECK_INT(file_replace_atomic(path, "x", 1, 0600), -1,
	          "fileio: missing directory fails");
	snprintf(path, sizeof path, "%s/", dir);
	CHECK_INT(file_replace_atomic(path, "x", 1, 0600), -1,
	          "fileio: a path ending in / fails");

	/* "-" reads stdin, with the same cap. */
	saved_stdin = dup(STDIN_FILENO);
	if (saved_stdin >= 0 && pipe(pfd) == 0) {
		ssize_t w = write(pfd[1], "from stdin", 10);

		close(pfd[1]);
		dup2(pfd[0], STDIN_FILENO);
		close(pfd[0]);
		buf = file_read_all("-", 4, &len, &tr);
		CHECK(w == 10 && buf && len == 4 && tr == 1 &&
		      strcmp(buf, "from") == 0,
		      "fileio: \"-\" reads stdin with the cap");
		free(buf);
		dup2(saved_stdin, STDIN_FILENO);
		close(saved_stdin);
	} else {
		CHECK(0, "fileio: \"-\" reads stdin with the cap");
	}

	snprintf(path, sizeof path, "%s/data", dir);
	unlink(path);
	CHECK(rmdir(dir) == 0, "fileio: directory left clean");
}

int main(void)
{
	reminder_init();
	test_feed();
	test_request();
	test_cancel();
	test_injection();
	test_cleaning();
	test_refusals();
	test_feed_path();
	test_write_feed();
	test_fileio();
	icaltimezone_free_builtin_timezones();
	return tap_done();
}
