/*
 * alerts.h - when a deadline alerts the officer (SPEC 7: lead time is
 * policy).
 *
 * Owns: the `*_alerts` policy syntax (alert_list_parse/format, declared
 * in policy.h) and the computation "alerts of a deadline" -> a list of
 * times, which the reminder events (case_deadlines_describe_alerts), the
 * feeds and the daily digest use alike.
 *
 * Every alert time lies within working hours on a working day, in the
 * policy's zone (deadline_in_working_hours moves one that would not to
 * the next working-day start), none is before the deadline was set nor
 * after it falls due, and no two are equal.  The times are sorted.
 *
 * Concurrency: pure functions of their arguments (the policy is read
 * only); any thread, once libical's zones are loaded (deadline.h).
 */
#ifndef CME_ALERTS_H
#define CME_ALERTS_H

#include <stddef.h>
#include <time.h>

#include "case_types.h"
#include "policy.h"

#define ALERTS_MAX POLICY_MAX_ALERTS

/* The policy's alert list for a deadline kind; NULL for a kind without
 * one (immediate: it alerts at once, see reminder events). */
const struct alert_list *policy_alerts_for(const struct policy *p, enum deadline_kind kind);

/* The alert times of a deadline set at `set_at` and due at `due`, into
 * out[ALERTS_MAX].  Returns how many (0 when `al` is NULL or empty). */
size_t deadline_alerts(const struct policy *p, const struct alert_list *al, time_t set_at,
                       time_t due, time_t out[ALERTS_MAX]);

#endif
