/*
 * policy.h - an LA's CME policy (SPEC section 6): `key = value` lines.
 *
 *   name             = Suffolk County Council
 *   timezone         = Europe/London
 *   working_day      = 09:00-17:00
 *   working_closures = england-and-wales-bank-holidays.ics
 *   school_closures  = england-and-wales-bank-holidays.ics x-school-holidays.ics
 *   home_visit       = 3 working-days
 *   escalation       = 20 school-days
 *   long_term        = 6 months
 *   immediate        = child-protection-plan section-47 ...
 *   archive_check    = Synergy (Admissions)       (repeatable, in order)
 *   digest_time      = 08:30    (the daily digest, working days)
 *   immediate_action = Contact the MASH ... today and record it on the case.
 *   escalation_action= Refer the case to the CME manager ...
 *
 * Owns: struct policy and the closure sets it loaded.  Calendar names
 * without a '/' are looked up in the CalendarDir; policy names without a
 * '/' are PolicyDir/NAME.policy.
 */
#ifndef CME_POLICY_H
#define CME_POLICY_H

#include <stddef.h>
#include "closures.h"
#include "strlist.h"

enum duration_unit {
	UNIT_IMMEDIATE,
	UNIT_HOURS, UNIT_DAYS, UNIT_WEEKS, UNIT_MONTHS,
	UNIT_WORKING_DAYS, UNIT_SCHOOL_DAYS
};

struct duration {
	int n;
	enum duration_unit unit;
	int set;                 /* 0: the policy does not use this deadline */
};

struct policy {
	char *name;
	char *path;              /* file it was read from */
	char *timezone;          /* Olson name, default Europe/London */
	void *zone;              /* its icaltimezone, looked up once at load
	                            (a lookup walks libical's zone list) */
	int   day_start_min;     /* minutes after local midnight, default 540 */
	int   day_end_min;       /* default 1020 (17:00) */
	struct closures working_closures;
	struct closures school_closures;   /* includes working_closures */
	struct duration home_visit;
	struct duration escalation;
	struct duration long_term;
	unsigned long immediate_flags;     /* vocab flag bitmask */
	struct strlist archive_checks;     /* archive_check lines, in order */
	int   digest_min;        /* digest_time, minutes after local midnight
	                            (default 08:30) */
	char  immediate_action[256];   /* immediate_action ("" = the default) */
	char  escalation_action[256];  /* escalation_action ("" = the default) */
};

/* Load by name or path.  On failure returns NULL and appends
 * "file:line: problem" lines to *errors (every problem, not the first).
 * A name without '/' is policy_dir/NAME.policy (".policy" is not added
 * twice); with policy_dir NULL the name is used as a path.  Calendar
 * names without '/' are looked up in calendar_dir, or beside the policy
 * file when calendar_dir is NULL.  Also loads the policy's builtin time
 * zone (call before threads start, like deadline_global_init). */
struct policy *policy_load(const char *name_or_path, const char *policy_dir,
                           const char *calendar_dir, struct strlist *errors);
void policy_free(struct policy *p);

/* The databases the long-term case's archive form lists for the officer
 * to check (`archive_check` lines; empty when the policy has none). */
const struct strlist *policy_archive_checks(const struct policy *p);

/* What a reminder tells the officer to do for an immediate escalation /
 * an escalation: the policy's immediate_action / escalation_action line,
 * or a default sentence.  Never NULL. */
const char *policy_immediate_action(const struct policy *p);
const char *policy_escalation_action(const struct policy *p);

/* "3 working-days" -> duration.  Units: hour(s), day(s), week(s),
 * month(s), working-day(s), school-day(s) (case-insensitive; a space may
 * stand for the hyphen); N from 1 to 3650 (87600 for hours).  Also
 * "immediate" (set, UNIT_IMMEDIATE) and "none" (set = 0: the deadline is
 * not used).  Returns 0 or -1. */
int  duration_parse(const char *text, struct duration *out);
/* The canonical spelling: "3 working-days", "1 month", "immediate",
 * "none". */
void duration_format(const struct duration *d, char *out, size_t outlen);

#endif
