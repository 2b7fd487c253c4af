/*
 * policy.h - an LA's CME policy (SPEC section 6): `key = value` lines.
 *
 *   name             = Suffolk County Council
 *   timezone         = Europe/London
 *   working_day      = 09:00-17:00
 *   working_closures = england-and-wales-bank-holidays.ics
 *   school_closures  = england-and-wales-bank-holidays.ics x-school-holidays.ics
 *   home_visit       = 3 school-days | 3 working-days   (the earlier)
 *   escalation       = 20 school-days
 *   long_term        = 6 months
 *   immediate        = child-protection-plan section-47 ...
 *   home_visit_alerts = on-arrival, 1 working-day before 09:00, due-day 09:00
 *   escalation_alerts = 5 school-days before 09:00, due-day 09:00
 *   long_term_alerts  = due-day 09:00
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
#include <time.h>
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
	/* "A | B": the earlier of two expressions (SPEC 6); or_set 0 when
	 * the duration is a single one.  B is never immediate or none. */
	int or_n;
	enum duration_unit or_unit;
	int or_set;
};

/* One alert of a deadline (SPEC 7, `*_alerts` lines):
 *   on-arrival              when the referral arrives
 *   N working-days before HH:MM / N school-days before HH:MM
 *                           at HH:MM local on the Nth working (school)
 *                           day before the due day
 *   due-day HH:MM           at HH:MM local on the due day
 * alerts.h computes the times and keeps every one within working hours. */
enum alert_anchor { ALERT_ON_ARRIVAL, ALERT_DAYS_BEFORE, ALERT_DUE_DAY };
struct alert_spec {
	enum alert_anchor anchor;
	int n;                   /* ALERT_DAYS_BEFORE: 1..60 */
	int school;              /* ALERT_DAYS_BEFORE: school days, not working */
	int at_min;              /* minutes after local midnight */
};
#define POLICY_MAX_ALERTS 6
struct alert_list {
	struct alert_spec a[POLICY_MAX_ALERTS];
	size_t n;                /* 0: no alert (the line said "none") */
	int line;                /* where the policy set it; 0: the default */
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
	struct alert_list home_visit_alerts; /* defaults as SPEC 7 */
	struct alert_list escalation_alerts;
	struct alert_list long_term_alerts;
	int   alert_events;      /* alert_events: 1 "events" (each earlier alert
	                            its own event), 0 "digest" (default: the
	                            deadline's one event alarms at its first
	                            alert after arrival; the later ones are the
	                            daily digest's lines) */
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

/* `home_visit_alerts` syntax: a comma-separated list of alert_spec
 * forms, or "none".  Returns 0, or -1 with a reason in err. */
int  alert_list_parse(const char *text, struct alert_list *out, char *err, size_t errlen);
/* Canonical spelling: "on-arrival, 1 working-day before 09:00, due-day 09:00". */
void alert_list_format(const struct alert_list *al, char *out, size_t outlen);

/* Warnings about the calendars the policy names (SPEC 6): one line each
 * for a calendar that runs out (its last listed closure) within six
 * months of `now`, or has run out, appended to *out.  Returns how many.
 * For `cme-milter -n`, `cmectl verify` and the daily digest. */
int  policy_calendar_warnings(const struct policy *p, time_t now, struct strlist *out);

/* What a reminder tells the officer to do for an immediate escalation /
 * an escalation: the policy's immediate_action / escalation_action line,
 * or a default sentence.  Never NULL. */
const char *policy_immediate_action(const struct policy *p);
const char *policy_escalation_action(const struct policy *p);

/* "3 working-days" -> duration.  Units: hour(s), day(s), week(s),
 * month(s), working-day(s), school-day(s) (case-insensitive; a space may
 * stand for the hyphen); N from 1 to 3650 (87600 for hours).  Also
 * "immediate" (set, UNIT_IMMEDIATE) and "none" (set = 0: the deadline is
 * not used), and "A | B", the earlier of two (neither immediate nor
 * none).  Returns 0 or -1. */
int  duration_parse(const char *text, struct duration *out);
/* The canonical spelling: "3 working-days", "1 month", "immediate",
 * "none", "3 school-days | 3 working-days". */
void duration_format(const struct duration *d, char *out, size_t outlen);

#endif
