/*
 * closures.h - days on which no work (or no school) happens, read from
 * iCalendar files of all-day events (the GOV.UK bank-holiday format).
 *
 * Owns: struct closures, a sorted set of closed dates.  Reading uses
 * libical: DTSTART/DTEND ranges (DTEND exclusive; no DTEND and no
 * DURATION = one day), DURATION, RRULE, RDATE, EXDATE and RECURRENCE-ID
 * overrides; STATUS:CANCELLED events close nothing.  A calendar with any
 * libical parse error (X-LIC-ERROR) is refused as a whole, and a failed
 * load leaves the set unchanged.
 * libical 3.0.16 reports all-day spans one day too long when expanding
 * recurrences, so each occurrence's span is counted from its start up to
 * the day before DTSTART+duration, computed here, not taken from libical's
 * expanded end.
 */
#ifndef CME_CLOSURES_H
#define CME_CLOSURES_H

#include <stddef.h>
#include "ukdate.h"

/* How far one calendar file reaches: its last closed day.  A closure
 * calendar covers only the dates it lists (SPEC 6): after its last
 * closure nothing is known, and a deadline computed past it is
 * "calendar-incomplete".  A rule without an end (expanded to 2100)
 * reaches 2100. */
#define CLOSURES_MAX_SOURCES 8
#define CLOSURES_NO_END      2147483647L   /* no calendar loaded: no end */
struct closure_source {
	char name[128];   /* the calendar as the policy names it (base name) */
	long last_day;    /* days since 1970-01-01 */
};

struct closures {
	long   *days;     /* days since 1970-01-01, sorted, unique */
	size_t  n, cap;
	long    covers_until;   /* the earliest last_day of the sources, or
	                           CLOSURES_NO_END */
	struct closure_source src[CLOSURES_MAX_SOURCES];
	size_t  nsrc;     /* sources beyond the array still count in
	                     covers_until */
};

void closures_init(struct closures *c);
void closures_free(struct closures *c);

/* Add every closed day of the iCalendar file at `path` (recurrences are
 * expanded up to the year 2100).  Returns 0, or -1 with a message
 * "path: problem" in err. */
int  closures_load_file(struct closures *c, const char *path,
                        char *err, size_t errlen);

/* Same from text already in memory (used by tests and the fuzzer). */
int  closures_load_text(struct closures *c, const char *ics, const char *name,
                        char *err, size_t errlen);

int  closures_add_day(struct closures *c, long day);

/* Record that the calendar `name` reaches `last_day` (closures_load_file
 * does this for every file it reads). */
void closures_add_source(struct closures *c, const char *name, long last_day);

/* Add every day of `from` to `into` (one merge, not one insert per day),
 * and its sources.
 * Returns 0, or -1 (out of memory, or the set would grow too large). */
int  closures_add_all(struct closures *into, const struct closures *from);
int  closures_contains(const struct closures *c, const struct ymd *d);

#endif
