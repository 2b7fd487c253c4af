/*
 * deadline.c - stage 4: when each deadline is due (SPEC section 6).
 *
 * Owns: the date arithmetic in the policy's time zone.  Wall-clock
 * conversions go through libical's builtin zones
 * (icaltime_from_timet_with_zone / icaltime_as_timet_with_zone) so that
 * "17:00 on the third working day" is 17:00 local whether the clocks
 * changed in between or not.  See deadline.h.
 */
#include <stdio.h>

#include <libical/ical.h>

#include "deadline.h"

static const char FALLBACK_ZONE[] = "Europe/London";

/* No deadline search looks further than this many days ahead: a policy
 * whose calendars close every day would otherwise never finish. */
#define MAX_SCAN_DAYS 40000

/* A conversion in 2100 makes libical expand the zone's transitions that
 * far now, so later conversions from other threads only read them. */
static void warm_zone(icaltimezone *zone)
{
	if (zone != NULL)
		(void)icaltime_from_timet_with_zone((time_t)4102444800, 0, zone);
}

void deadline_global_init(void)
{
	static int done;

	/* Called before threads start (see deadline.h), so a plain flag is
	 * enough to make a second call harmless. */
	if (done)
		return;
	done = 1;
	warm_zone(icaltimezone_get_builtin_timezone(FALLBACK_ZONE));
	warm_zone(icaltimezone_get_utc_timezone());
}

static icaltimezone *policy_zone(const struct policy *p)
{
	icaltimezone *zone = NULL;

	if (p != NULL && p->zone != NULL)
		return p->zone;
	if (p != NULL && p->timezone != NULL)
		zone = icaltimezone_get_builtin_timezone(p->timezone);
	if (zone == NULL)
		zone = icaltimezone_get_builtin_timezone(FALLBACK_ZONE);
	if (zone == NULL)
		zone = icaltimezone_get_utc_timezone();
	return zone;
}

static struct icaltimetype local_time(const struct policy *p, time_t t)
{
	return icaltime_from_timet_with_zone(t, 0, policy_zone(p));
}

/* Wall-clock fields read as if they were UTC: seconds since the epoch. */
static long long naive_seconds(int y, int m, int d, int hour, int minute, int second)
{
	struct ymd day = { y, m, d };

	return (long long)ymd_to_days(&day) * 86400 + hour * 3600 + minute * 60 + second;
}

/* The zone's UTC offset (seconds east) at instant t. */
static long long utc_offset_at(const struct policy *p, time_t t)
{
	struct icaltimetype lt = local_time(p, t);

	return naive_seconds(lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second) -
	       (long long)t;
}

static int shows_local(const struct policy *p, time_t t, const struct ymd *day,
                       int hour, int minute, int second)
{
	struct icaltimetype lt = local_time(p, t);

	return lt.year == day->y && lt.month == day->m && lt.day == day->d &&
	       lt.hour == hour && lt.minute == minute && lt.second == second;
}

/* Local wall-clock date and time in the policy's zone -> UTC seconds.
 * Around the clock changes RFC 5545 3.3.5 is followed, where libical 3.0
 * is not: a time that occurs twice (01:30 on the last Sunday of October
 * in London) is the first occurrence (BST), and a time in the
 * spring-forward gap is read with the offset from before the gap (01:30
 * on the last Sunday of March is 01:30 GMT, i.e. 02:30 BST).  The offset
 * "before" is the one a day earlier: real zones never change twice in a
 * day. */
static time_t from_local(const struct policy *p, const struct ymd *day,
                         int hour, int minute, int second)
{
	icaltimezone *zone = policy_zone(p);
	struct icaltimetype tt = icaltime_null_time();
	long long naive = naive_seconds(day->y, day->m, day->d, hour, minute, second);
	time_t t, before;

	tt.year = day->y;
	tt.month = day->m;
	tt.day = day->d;
	tt.hour = hour;
	tt.minute = minute;
	tt.second = second;
	tt.is_date = 0;
	tt.zone = zone;
	t = icaltime_as_timet_with_zone(tt, zone);
	before = (time_t)(naive - utc_offset_at(p, (time_t)(naive - 86400)));
	if (!shows_local(p, t, day, hour, minute, second))
		return before;                 /* in the gap */
	if (before < t && shows_local(p, before, day, hour, minute, second))
		return before;                 /* twice: the first */
	return t;
}

void deadline_local_date(const struct policy *p, time_t t, struct ymd *out)
{
	struct icaltimetype tt = local_time(p, t);

	out->y = tt.year;
	out->m = tt.month;
	out->d = tt.day;
}

int deadline_is_working_day(const struct policy *p, const struct ymd *day)
{
	int wd = ymd_weekday(day);

	if (wd == 0 || wd == 6)
		return 0;
	return p == NULL || !closures_contains(&p->working_closures, day);
}

int deadline_is_school_day(const struct policy *p, const struct ymd *day)
{
	/* school_closures already includes working_closures (policy.c), but
	 * a hand-built policy may not, so ask both. */
	return deadline_is_working_day(p, day) &&
	       (p == NULL || !closures_contains(&p->school_closures, day));
}

static int day_start_min(const struct policy *p)
{
	return p->day_start_min >= 0 && p->day_start_min < 24 * 60 ? p->day_start_min : 9 * 60;
}

static int day_end_min(const struct policy *p)
{
	return p->day_end_min > 0 && p->day_end_min < 24 * 60 ? p->day_end_min : 17 * 60;
}

static int minute_of_day(const struct policy *p, time_t t)
{
	struct icaltimetype lt = local_time(p, t);

	return lt.hour * 60 + lt.minute;
}

static int day_counts(const struct policy *p, const struct ymd *day, int school)
{
	return school ? deadline_is_school_day(p, day) : deadline_is_working_day(p, day);
}

/* The end of the working day on the nth working (or school) day after
 * the local date of `from` - counting that date itself as the first when
 * `from` is before its working-day start on a day of that kind (SPEC 6:
 * a referral waiting at 08:59 on Monday has all of Monday). */
static time_t nth_day_end(const struct policy *p, int n, int school, time_t from)
{
	struct ymd day;
	int counted = 0;
	int end_min = day_end_min(p);

	deadline_local_date(p, from, &day);
	if (minute_of_day(p, from) < day_start_min(p) && day_counts(p, &day, school))
		ymd_add_days(&day, -1);      /* the loop starts the day after */
	for (long scanned = 0; scanned < MAX_SCAN_DAYS; scanned++) {
		ymd_add_days(&day, 1);
		if (day_counts(p, &day, school))
			counted++;
		if (counted >= n)
			return from_local(p, &day, end_min / 60, end_min % 60, 0);
	}
	return (time_t)-1;
}

/* Calendar months in local time.  A day that the target month lacks is
 * clamped to its last day: 31 August + 6 months is 28/29 February, not
 * 2/3 March, which is what an officer counting months on a calendar
 * expects. */
static void add_months(struct ymd *d, int months)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long idx = (long)d->y * 12 + (d->m - 1) + months;
	int last;

	d->y = (int)(idx / 12);
	d->m = (int)(idx % 12) + 1;
	last = dim[d->m - 1];
	if (d->m == 2 && ((d->y % 4 == 0 && d->y % 100 != 0) || d->y % 400 == 0))
		last = 29;
	if (d->d > last)
		d->d = last;
}

time_t deadline_time_at(const struct policy *p, const struct ymd *day, int minute)
{
	return from_local(p, day, minute / 60, minute % 60, 0);
}

time_t deadline_in_working_hours(const struct policy *p, time_t t)
{
	struct ymd day;
	int m = minute_of_day(p, t);

	deadline_local_date(p, t, &day);
	if (deadline_is_working_day(p, &day) && m >= day_start_min(p) && m <= day_end_min(p))
		return t;
	/* Before the start of a working day: that day's start; otherwise
	 * the start of the next working day. */
	if (!(deadline_is_working_day(p, &day) && m < day_start_min(p))) {
		long scanned = 0;

		do
			ymd_add_days(&day, 1);
		while (!deadline_is_working_day(p, &day) && ++scanned < MAX_SCAN_DAYS);
		if (scanned >= MAX_SCAN_DAYS)
			return (time_t)-1;
	}
	return deadline_time_at(p, &day, day_start_min(p));
}

time_t deadline_day_before(const struct policy *p, time_t due, int n, int school, int minute)
{
	struct ymd day;
	int counted = 0;

	deadline_local_date(p, due, &day);
	for (long scanned = 0; scanned < MAX_SCAN_DAYS && counted < n; scanned++) {
		ymd_add_days(&day, -1);
		if (day_counts(p, &day, school))
			counted++;
	}
	return counted == n ? deadline_time_at(p, &day, minute) : (time_t)-1;
}

/* One expression of a duration, unadjusted. */
static time_t due_single(const struct policy *p, int n, enum duration_unit unit, time_t from)
{
	struct icaltimetype lt;
	struct ymd day;

	if (unit != UNIT_IMMEDIATE && (n < 0 || n > 100000))
		return (time_t)-1;
	switch (unit) {
	case UNIT_IMMEDIATE:
		return from;
	case UNIT_HOURS:
		/* Elapsed time: 72 hours is 72 hours even across a clock change. */
		return deadline_in_working_hours(p, from + (time_t)n * 3600);
	case UNIT_DAYS:
	case UNIT_WEEKS:
	case UNIT_MONTHS:
		lt = local_time(p, from);
		day.y = lt.year;
		day.m = lt.month;
		day.d = lt.day;
		if (unit == UNIT_MONTHS)
			add_months(&day, n);
		else
			ymd_add_days(&day, unit == UNIT_WEEKS ? n * 7 : n);
		/* A calendar-time deadline never falls due at night or on a
		 * closed day (SPEC 6): the next working-day start. */
		return deadline_in_working_hours(p, from_local(p, &day, lt.hour, lt.minute,
		                                                lt.second));
	case UNIT_WORKING_DAYS:
		return nth_day_end(p, n, 0, from);
	case UNIT_SCHOOL_DAYS:
		return nth_day_end(p, n, 1, from);
	}
	return (time_t)-1;
}

/* Whether the local date of `due` lies past the calendars the unit
 * depends on: working closures for working days and calendar time, and
 * school closures (which hold the working ones) for school days. */
static int past_calendars(const struct policy *p, enum duration_unit unit, time_t due)
{
	const struct closures *c = unit == UNIT_SCHOOL_DAYS ? &p->school_closures
	                                                    : &p->working_closures;
	struct ymd day;

	if (unit == UNIT_IMMEDIATE || c->covers_until == CLOSURES_NO_END)
		return 0;
	deadline_local_date(p, due, &day);
	return ymd_to_days(&day) > c->covers_until;
}

time_t deadline_due_flags(const struct policy *p, const struct duration *d, time_t from,
                          unsigned *flags)
{
	time_t a, b;
	enum duration_unit used;

	if (flags != NULL)
		*flags = 0;
	if (p == NULL || d == NULL || !d->set)
		return (time_t)-1;
	a = due_single(p, d->n, d->unit, from);
	used = d->unit;
	if (d->or_set) {
		b = due_single(p, d->or_n, d->or_unit, from);
		if (b != (time_t)-1 && (a == (time_t)-1 || b < a)) {
			a = b;
			used = d->or_unit;
		}
	}
	if (a != (time_t)-1 && flags != NULL && past_calendars(p, used, a))
		*flags |= DEADLINE_CALENDAR_INCOMPLETE;
	return a;
}

time_t deadline_due(const struct policy *p, const struct duration *d, time_t from)
{
	return deadline_due_flags(p, d, from, NULL);
}

void deadline_format_local(const struct policy *p, time_t t, char *out, size_t outlen)
{
	struct icaltimetype lt;
	long long offset;
	char sign = '+';

	if (out == NULL || outlen == 0)
		return;
	lt = local_time(p, t);
	/* The UTC offset is what the wall clock reads minus what UTC reads. */
	offset = naive_seconds(lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second) -
	         (long long)t;
	if (offset < 0) {
		sign = '-';
		offset = -offset;
	}
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d%c%02lld:%02lld",
	         lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second, sign,
	         offset / 3600 % 100, offset / 60 % 60);
}
