/*
 * deadline.h - stage 4: when is each deadline due?
 *
 * Owns: the date arithmetic of SPEC section 6 in the policy's time zone
 * (libical's builtin zones; correct across clock changes).
 *   N working-days / N school-days from T: the end of the working day
 *     (policy working_day end, local time) on the Nth working/school day
 *     after T's local date.
 *   N hours / days / weeks / months: calendar time from T (hours are
 *     elapsed time; days, weeks and months keep T's local wall-clock
 *     time; a month end the target month lacks is clamped: 31 Aug + 6
 *     months = 28/29 Feb).  Local times that the clock change skips or
 *     repeats follow RFC 5545 3.3.5 (offset before the gap; first of two).
 *   immediate: due at T.
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

int deadline_is_working_day(const struct policy *p, const struct ymd *day);
int deadline_is_school_day(const struct policy *p, const struct ymd *day);

/* Local calendar date of t in the policy's zone. */
void deadline_local_date(const struct policy *p, time_t t, struct ymd *out);

/* Format t as local ISO 8601 with offset, e.g. 2026-12-31T17:00:00+00:00 */
void deadline_format_local(const struct policy *p, time_t t, char *out, size_t outlen);

#endif
