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

/* The end of the working day on the nth working (or school) day after
 * the local date of `from`. */
static time_t nth_day_end(const struct policy *p, int n, int school, time_t from)
{
	struct ymd day;
	int counted = 0;
	int end_min = p->day_end_min > 0 && p->day_end_min < 24 * 60 ? p->day_end_min
	                                                             : 17 * 60;

	deadline_local_date(p, from, &day);
	for (long scanned = 0; scanned < MAX_SCAN_DAYS; scanned++) {
		ymd_add_days(&day, 1);
		if (school ? deadline_is_school_day(p, &day) : deadline_is_working_day(p, &day))
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

time_t deadline_due(const struct policy *p, const struct duration *d, time_t from)
{
	struct icaltimetype lt;
	struct ymd day;

	if (p == NULL || d == NULL || !d->set)
		return (time_t)-1;
	if (d->unit != UNIT_IMMEDIATE && (d->n < 0 || d->n > 100000))
		return (time_t)-1;
	switch (d->unit) {
	case UNIT_IMMEDIATE:
		return from;
	case UNIT_HOURS:
		/* Elapsed time: 72 hours is 72 hours even across a clock change. */
		return from + (time_t)d->n * 3600;
	case UNIT_DAYS:
	case UNIT_WEEKS:
	case UNIT_MONTHS:
		lt = local_time(p, from);
		day.y = lt.year;
		day.m = lt.month;
		day.d = lt.day;
		if (d->unit == UNIT_MONTHS)
			add_months(&day, d->n);
		else
			ymd_add_days(&day, d->unit == UNIT_WEEKS ? d->n * 7 : d->n);
		return from_local(p, &day, lt.hour, lt.minute, lt.second);
	case UNIT_WORKING_DAYS:
		return nth_day_end(p, d->n, 0, from);
	case UNIT_SCHOOL_DAYS:
		return nth_day_end(p, d->n, 1, from);
	}
	return (time_t)-1;
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
