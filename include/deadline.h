/*
 * deadline.h - stage 4: when is each deadline due?
 *
 * Owns: the date arithmetic of SPEC section 6 in the policy's time zone
 * (libical's builtin zones; correct across clock changes).
 *   N working-days / N school-days from T: the end of the working day
 *     (policy working_day end, local time) on the Nth working/school day
 *     after T's local date - T's own date counting as the first when T
 *     is before that day's working-day start on a day of that kind.
 *   N hours / days / weeks / months: calendar time from T (hours are
 *     elapsed time; days, weeks and months keep T's local wall-clock
 *     time; a month end the target month lacks is clamped: 31 Aug + 6
 *     months = 28/29 Feb).  Local times that the clock change skips or
 *     repeats follow RFC 5545 3.3.5 (offset before the gap; first of two).
 *     A result outside working hours (start to end inclusive) or on a
 *     closed day moves to the working-day start of the next working day.
 *   A | B: the earlier of the two.
 *   immediate: due at T.
 * A deadline whose local date lies past the last closure of a calendar
 * it depends on (working closures; school closures for school days) is
 * computed all the same and flagged DEADLINE_CALENDAR_INCOMPLETE.
 */
#ifndef CME_DEADLINE_H
#define CME_DEADLINE_H

#include <time.h>
#include "policy.h"

/* Must be called once, before any threads start (libical 3.0.x builtin
 * timezone loading is not thread-safe). */
void deadline_global_init(void);

/* Returns the due time (UTC seconds), or (time_t)-1 if d is not set (or
 * no working/school day falls within about a century). */
time_t deadline_due(const struct policy *p, const struct duration *d, time_t from);

/* The same, with flags (0 or DEADLINE_CALENDAR_INCOMPLETE) in *flags. */
#define DEADLINE_CALENDAR_INCOMPLETE 0x1u
#define DEADLINE_FLAG_INCOMPLETE_NAME "calendar-incomplete"
time_t deadline_due_flags(const struct policy *p, const struct duration *d, time_t from,
                          unsigned *flags);

/* Local `minute` (after midnight) on `day`, as UTC seconds. */
time_t deadline_time_at(const struct policy *p, const struct ymd *day, int minute);

/* t itself when it lies within working hours on a working day; else the
 * working-day start of the next working day (or of t's own day when t
 * is before its start).  (time_t)-1 if no working day comes. */
time_t deadline_in_working_hours(const struct policy *p, time_t t);

/* Local `minute` on the nth working (school) day before the local date
 * of `due`, or (time_t)-1. */
time_t deadline_day_before(const struct policy *p, time_t due, int n, int school, int minute);

int deadline_is_working_day(const struct policy *p, const struct ymd *day);
int deadline_is_school_day(const struct policy *p, const struct ymd *day);

/* Local calendar date of t in the policy's zone. */
void deadline_local_date(const struct policy *p, time_t t, struct ymd *out);

/* Format t as local ISO 8601 with offset, e.g. 2026-12-31T17:00:00+00:00 */
void deadline_format_local(const struct policy *p, time_t t, char *out, size_t outlen);

#endif
