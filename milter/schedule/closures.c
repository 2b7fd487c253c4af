/*
 * closures.c - closure calendars: iCalendar files of all-day events read
 * with libical into a sorted set of closed days.  See closures.h.
 *
 * Owns: struct closures (sorted unique days since 1970-01-01) and the
 * expansion of DTSTART/DTEND ranges, DURATION, RRULE, RDATE, EXDATE and
 * RECURRENCE-ID overrides into days.
 *
 * Why occurrences are expanded here with icalrecur_iterator rather than
 * icalcomponent_foreach_recurrence(): libical 3.0.16 reports all-day
 * spans one day too long when it expands recurrences, which would close
 * the day after every recurring holiday.  Each occurrence's length is
 * therefore taken from the event's own DTSTART/DTEND (or DURATION), and
 * the closed days run from the occurrence's start up to the day before
 * start + length.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "closures.h"

/* Bounds, so that a hostile or mistaken calendar cannot run away:
 * recurrences stop at the end of 2100, a single event spans at most a
 * year, a calendar yields at most MAX_DAYS closed days, and the
 * recurrence iterator is asked for at most MAX_ITERATIONS instances. */
#define EXPAND_LAST_YEAR   2100
#define MAX_SPAN_DAYS      366
#define MAX_DAYS           100000
#define MAX_ITERATIONS     200000
#define MAX_FILE_BYTES     (8u * 1024 * 1024)

void closures_init(struct closures *c)
{
	c->days = NULL;
	c->n = c->cap = 0;
	c->covers_until = CLOSURES_NO_END;
	c->nsrc = 0;
}

void closures_add_source(struct closures *c, const char *name, long last_day)
{
	const char *base = name ? strrchr(name, '/') : NULL;

	base = base ? base + 1 : (name ? name : "(calendar)");
	for (size_t i = 0; i < c->nsrc; i++)
		if (strcmp(c->src[i].name, base) == 0 && c->src[i].last_day == last_day)
			return;         /* the same file named twice */
	if (last_day < c->covers_until)
		c->covers_until = last_day;
	if (c->nsrc < CLOSURES_MAX_SOURCES) {
		snprintf(c->src[c->nsrc].name, sizeof c->src[c->nsrc].name, "%s", base);
		c->src[c->nsrc].last_day = last_day;
		c->nsrc++;
	}
}

void closures_free(struct closures *c)
{
	free(c->days);
	closures_init(c);
}

static int reserve(struct closures *c, size_t want)
{
	size_t ncap;
	long *days;

	if (want <= c->cap)
		return 0;
	if (want > MAX_DAYS * 2)
		return -1;
	ncap = c->cap ? c->cap : 64;
	while (ncap < want)
		ncap *= 2;
	days = realloc(c->days, ncap * sizeof *days);
	if (days == NULL)
		return -1;
	c->days = days;
	c->cap = ncap;
	return 0;
}

/* Index of the first element >= day. */
static size_t lower_bound(const struct closures *c, long day)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int closures_add_day(struct closures *c, long day)
{
	size_t i = lower_bound(c, day);

	if (i < c->n && c->days[i] == day)
		return 0;
	if (c->n >= MAX_DAYS || reserve(c, c->n + 1) != 0)
		return -1;
	memmove(c->days + i + 1, c->days + i, (c->n - i) * sizeof *c->days);
	c->days[i] = day;
	c->n++;
	return 0;
}

int closures_contains(const struct closures *c, const struct ymd *d)
{
	long day;
	size_t i;

	if (c == NULL || c->n == 0 || !ymd_valid(d))
		return 0;
	day = ymd_to_days(d);
	i = lower_bound(c, day);
	return i < c->n && c->days[i] == day;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Merge a scratch list (any order, duplicates allowed) into c, keeping c
 * sorted and unique.  One sort instead of an insertion per day: a daily
 * RRULE to 2100 is tens of thousands of days. */
static int merge_days(struct closures *c, long *days, size_t n)
{
	size_t total, i, j, k;
	long *merged;

	if (n == 0)
		return 0;
	qsort(days, n, sizeof *days, cmp_long);
	total = c->n + n;
	merged = malloc(total * sizeof *merged);
	if (merged == NULL)
		return -1;
	i = j = k = 0;
	while (i < c->n || j < n) {
		long next;

		if (j == n || (i < c->n && c->days[i] <= days[j]))
			next = c->days[i++];
		else
			next = days[j++];
		if (k == 0 || merged[k - 1] != next)
			merged[k++] = next;
	}
	if (k > MAX_DAYS) {
		free(merged);
		return -1;
	}
	free(c->days);
	c->days = merged;
	c->n = k;
	c->cap = total;
	return 0;
}

int closures_add_all(struct closures *into, const struct closures *from)
{
	long *copy;
	int rc;

	for (size_t i = 0; i < from->nsrc; i++)
		closures_add_source(into, from->src[i].name, from->src[i].last_day);
	if (from->covers_until < into->covers_until)
		into->covers_until = from->covers_until;
	if (from->n == 0)
		return 0;
	copy = malloc(from->n * sizeof *copy);
	if (copy == NULL)
		return -1;
	memcpy(copy, from->days, from->n * sizeof *copy);
	rc = merge_days(into, copy, from->n);
	free(copy);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading a calendar                                                  */

struct dayvec {
	long   *v;
	size_t  n, cap;
};

static int dayvec_push(struct dayvec *dv, long day)
{
	if (dv->n == dv->cap) {
		size_t ncap = dv->cap ? dv->cap * 2 : 256;
		long *v;

		if (ncap > MAX_DAYS * 2)
			return -1;
		v = realloc(dv->v, ncap * sizeof *v);
		if (v == NULL)
			return -1;
		dv->v = v;
		dv->cap = ncap;
	}
	dv->v[dv->n++] = day;
	return 0;
}

/* A RECURRENCE-ID override: the master event with this UID does not
 * occur on `day` (the override carries its own DTSTART instead). */
struct override {
	const char *uid;
	long day;
};

struct loader {
	const char    *name;
	char          *err;
	size_t         errlen;
	struct dayvec  days;
	struct override *overrides;
	size_t         noverrides;
};

static int fail(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct loader *ld, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ld->err && ld->errlen)
		snprintf(ld->err, ld->errlen, "%s: %s", ld->name, msg);
	return -1;
}

static long icaltime_to_day(struct icaltimetype t)
{
	struct ymd d = { t.year, t.month, t.day };

	return ymd_to_days(&d);
}

static int icaltime_usable(struct icaltimetype t)
{
	struct ymd d = { t.year, t.month, t.day };

	return !icaltime_is_null_time(t) && ymd_valid(&d) && t.year >= 1900 &&
	       t.year <= EXPAND_LAST_YEAR;
}

static const char *event_label(icalcomponent *ev)
{
	const char *uid = icalcomponent_get_uid(ev);
	const char *summary = icalcomponent_get_summary(ev);

	if (summary && *summary)
		return summary;
	return uid && *uid ? uid : "(no UID)";
}

/* Days an occurrence closes, from the event's own DTSTART and DTEND or
 * DURATION (never libical's expanded span, see the file comment).
 * All-day DTEND is exclusive; a timed event closes every date it touches
 * (an end at exactly midnight does not touch the next date).  No DTEND
 * and no DURATION: one day. */
static int event_span_days(struct loader *ld, icalcomponent *ev,
                           struct icaltimetype start, long *span)
{
	icalproperty *pend = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	icalproperty *pdur = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	long days = 1;

	if (pend != NULL) {
		struct icaltimetype end = icalproperty_get_dtend(pend);

		if (!icaltime_usable(end))
			return fail(ld, "event '%s': unreadable DTEND", event_label(ev));
		days = icaltime_to_day(end) - icaltime_to_day(start);
		if (!end.is_date && (end.hour || end.minute || end.second))
			days++;
	} else if (pdur != NULL) {
		struct icaldurationtype dur = icalproperty_get_duration(pdur);
		long secs;

		if (icaldurationtype_is_bad_duration(dur) || dur.is_neg)
			return fail(ld, "event '%s': unreadable DURATION", event_label(ev));
		if (dur.weeks > MAX_SPAN_DAYS || dur.days > MAX_SPAN_DAYS)
			return fail(ld, "event '%s': DURATION longer than %d days",
			            event_label(ev), MAX_SPAN_DAYS);
		days = (long)dur.weeks * 7 + dur.days;
		secs = (long)dur.hours * 3600 + (long)dur.minutes * 60 + dur.seconds;
		if (start.is_date) {
			/* An all-day event's duration is whole days. */
			days += secs / 86400;
		} else {
			long start_secs = start.hour * 3600L + start.minute * 60 + start.second;
			long end_secs = start_secs + secs;

			days += end_secs / 86400;
			if (end_secs % 86400)
				days++;
		}
	}
	/* DTEND == DTSTART on an all-day event is a common mistake for "one
	 * day"; the intent is clear, so honour it. */
	if (days < 1)
		days = 1;
	if (days > MAX_SPAN_DAYS)
		return fail(ld, "event '%s': spans more than %d days",
		            event_label(ev), MAX_SPAN_DAYS);
	*span = days;
	return 0;
}

static int add_span(struct loader *ld, long first, long span)
{
	for (long i = 0; i < span; i++) {
		if (ld->days.n >= MAX_DAYS)
			return fail(ld, "more than %d closed days", MAX_DAYS);
		if (dayvec_push(&ld->days, first + i) != 0)
			return fail(ld, "out of memory");
	}
	return 0;
}

struct exdates {
	long   *v;
	size_t  n, cap;
};

static int exdates_has(const struct exdates *ex, long day)
{
	for (size_t i = 0; i < ex->n; i++)
		if (ex->v[i] == day)
			return 1;
	return 0;
}

static int is_overridden(const struct loader *ld, const char *uid, long day)
{
	if (uid == NULL)
		return 0;
	for (size_t i = 0; i < ld->noverrides; i++)
		if (ld->overrides[i].day == day && strcmp(ld->overrides[i].uid, uid) == 0)
			return 1;
	return 0;
}

static int collect_exdates(struct loader *ld, icalcomponent *ev, struct exdates *ex)
{
	for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY);
	     p != NULL; p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
		struct icaltimetype t = icalproperty_get_exdate(p);

		if (!icaltime_usable(t))
			return fail(ld, "event '%s': unreadable EXDATE", event_label(ev));
		if (ex->n == ex->cap) {
			size_t ncap = ex->cap ? ex->cap * 2 : 16;
			long *v;

			if (ncap > MAX_DAYS)
				return fail(ld, "event '%s': too many EXDATEs", event_label(ev));
			v = realloc(ex->v, ncap * sizeof *v);
			if (v == NULL)
				return fail(ld, "out of memory");
			ex->v = v;
			ex->cap = ncap;
		}
		ex->v[ex->n++] = icaltime_to_day(t);
	}
	return 0;
}

/* `uid` is passed in, not looked up here: icalcomponent_get_uid() moves
 * the component's one shared property iterator, which would restart the
 * RRULE/RDATE loops in load_event() for ever. */
static int add_occurrence(struct loader *ld, const char *uid,
                          const struct exdates *ex, long start_day, long span)
{
	if (exdates_has(ex, start_day) || is_overridden(ld, uid, start_day))
		return 0;
	return add_span(ld, start_day, span);
}

static int expand_rrule(struct loader *ld, icalcomponent *ev, const char *uid,
                        icalproperty *prule, struct icaltimetype dtstart,
                        const struct exdates *ex, long span)
{
	struct icalrecurrencetype rule = icalproperty_get_rrule(prule);
	icalrecur_iterator *it;
	struct icaltimetype occ;
	long iterations = 0, last_day = 0;
	int rc = 0, have_last = 0;

	if (rule.freq == ICAL_NO_RECURRENCE)
		return fail(ld, "event '%s': unreadable RRULE", event_label(ev));
	it = icalrecur_iterator_new(rule, dtstart);
	if (it == NULL)
		return fail(ld, "event '%s': RRULE cannot be expanded", event_label(ev));
	while (rc == 0) {
		occ = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(occ) || occ.year > EXPAND_LAST_YEAR)
			break;
		if (++iterations > MAX_ITERATIONS) {
			rc = fail(ld, "event '%s': RRULE has too many occurrences",
			          event_label(ev));
			break;
		}
		if (!icaltime_usable(occ))
			continue;
		/* An HOURLY (or finer) rule on an all-day event yields the
		 * same day many times; one is enough. */
		if (have_last && icaltime_to_day(occ) == last_day)
			continue;
		last_day = icaltime_to_day(occ);
		have_last = 1;
		rc = add_occurrence(ld, uid, ex, last_day, span);
	}
	icalrecur_iterator_free(it);
	return rc;
}

static int load_event(struct loader *ld, icalcomponent *ev)
{
	struct icaltimetype dtstart;
	struct exdates ex = { NULL, 0, 0 };
	icalproperty *p;
	const char *uid;
	long span = 1;
	int rc, is_override;

	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return 0;
	p = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	if (p == NULL)
		return fail(ld, "event '%s': no DTSTART", event_label(ev));
	dtstart = icalproperty_get_dtstart(p);
	if (!icaltime_usable(dtstart))
		return fail(ld, "event '%s': unreadable DTSTART", event_label(ev));
	if (event_span_days(ld, ev, dtstart, &span) != 0)
		return -1;
	rc = collect_exdates(ld, ev, &ex);
	uid = icalcomponent_get_uid(ev);
	is_override = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY) != NULL;

	/* An override (RECURRENCE-ID) is a single occurrence in its own
	 * right; only a master event recurs.  DTSTART is always an
	 * occurrence (RFC 5545 3.8.5.3), whether or not the rule matches. */
	if (rc == 0)
		rc = is_override ? add_span(ld, icaltime_to_day(dtstart), span)
		                 : add_occurrence(ld, uid, &ex, icaltime_to_day(dtstart), span);
	if (!is_override) {
		/* Nothing in these loops may look up another property of ev
		 * (see add_occurrence) except on the way out after an error. */
		for (p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
		     rc == 0 && p != NULL;
		     p = icalcomponent_get_next_property(ev, ICAL_RRULE_PROPERTY))
			rc = expand_rrule(ld, ev, uid, p, dtstart, &ex, span);
		for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY);
		     rc == 0 && p != NULL;
		     p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
			struct icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
			struct icaltimetype t = icaltime_is_null_time(rd.time)
			                        ? rd.period.start : rd.time;

			if (!icaltime_usable(t))
				rc = fail(ld, "event '%s': unreadable RDATE", event_label(ev));
			else
				rc = add_occurrence(ld, uid, &ex, icaltime_to_day(t), span);
		}
	}
	free(ex.v);
	return rc;
}

/* libical marks what it could not parse with X-LIC-ERROR properties and
 * carries on.  A closure calendar that silently lost a holiday would give
 * wrong deadlines, so any such error makes the calendar unreadable. */
static int find_parse_error(struct loader *ld, icalcomponent *comp)
{
	icalproperty *p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);

	if (p != NULL) {
		const char *text = icalproperty_get_xlicerror(p);

		return fail(ld, "iCalendar error: %s", text ? text : "(unknown)");
	}
	for (icalcomponent *sub = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	     sub != NULL; sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
		if (find_parse_error(ld, sub) != 0)
			return -1;
	return 0;
}

static int collect_overrides(struct loader *ld, icalcomponent *cal)
{
	size_t cap = 0;

	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
		const char *uid = icalcomponent_get_uid(ev);
		struct icaltimetype rid;

		if (p == NULL || uid == NULL)
			continue;
		rid = icalproperty_get_recurrenceid(p);
		if (!icaltime_usable(rid))
			return fail(ld, "event '%s': unreadable RECURRENCE-ID", event_label(ev));
		if (ld->noverrides == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct override *v;

			if (ncap > MAX_DAYS)
				return fail(ld, "too many RECURRENCE-ID overrides");
			v = realloc(ld->overrides, ncap * sizeof *v);
			if (v == NULL)
				return fail(ld, "out of memory");
			ld->overrides = v;
			cap = ncap;
		}
		ld->overrides[ld->noverrides].uid = uid;
		ld->overrides[ld->noverrides].day = icaltime_to_day(rid);
		ld->noverrides++;
	}
	return 0;
}

int closures_load_text(struct closures *c, const char *ics, const char *name,
                       char *err, size_t errlen)
{
	struct loader ld;
	icalcomponent *root, *cal;
	int rc = 0;

	memset(&ld, 0, sizeof ld);
	ld.name = name ? name : "(calendar)";
	ld.err = err;
	ld.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	if (ics == NULL)
		return fail(&ld, "no calendar text");

	root = icalparser_parse_string(ics);
	if (root == NULL)
		return fail(&ld, "not an iCalendar file");
	cal = root;
	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		/* icalparser wraps several top-level components in an XROOT. */
		cal = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
		if (cal == NULL) {
			icalcomponent_free(root);
			return fail(&ld, "no VCALENDAR");
		}
	}
	rc = find_parse_error(&ld, root);
	if (rc == 0)
		rc = collect_overrides(&ld, cal);
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     rc == 0 && ev != NULL;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		rc = load_event(&ld, ev);

	/* Only a calendar read in full changes the set: half a calendar is
	 * worse than an error.  Its last closed day is how far it reaches
	 * (an empty calendar reaches nowhere: every date is past it). */
	if (rc == 0) {
		long last = 0;

		for (size_t i = 0; i < ld.days.n; i++)
			if (ld.days.v[i] > last)
				last = ld.days.v[i];
		if (merge_days(c, ld.days.v, ld.days.n) != 0)
			rc = fail(&ld, "more than %d closed days, or out of memory", MAX_DAYS);
		else
			closures_add_source(c, ld.name, last);
	}
	free(ld.days.v);
	free(ld.overrides);
	icalcomponent_free(root);
	return rc;
}

/* Read at most MAX_FILE_BYTES; a bigger "calendar" is not a closure list. */
static char *read_file_bounded(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_FILE_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	if (n > MAX_FILE_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, MAX_FILE_BYTES);
		free(buf);
		return NULL;
	}
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: binary data, not an iCalendar file", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

int closures_load_file(struct closures *c, const char *path, char *err, size_t errlen)
{
	char scratch[1];
	char *text;
	int rc;

	if (err == NULL || errlen == 0) {
		err = scratch;
		errlen = sizeof scratch;
	}
	text = read_file_bounded(path, err, errlen);
	if (text == NULL)
		return -1;
	rc = closures_load_text(c, text, path, err, errlen);
	free(text);
	return rc;
}
