/*
 * NAME
 *	case_census.h - stage 3, read side: the children known to be missing
 *	education at a census instant, for the DfE's termly return
 *	(cmectl census, issue 13 item 6).
 *
 * PURPOSE
 *	Nothing here writes.  A case is counted when, by the timeline
 *	(case_history, as the monthly report reads it), at the instant
 *	`at` (the end of the census day):
 *	  - it had been opened (opened_at < at);
 *	  - its status was open, visited or long-term: not closed (the
 *	    child was found, or left, before the census date) and not
 *	    triage (nothing usable had been read: the LA had not yet
 *	    identified a child);
 *	  - it is not merged away (closed as `duplicate`, judged as of the
 *	    run, as the monthly report does: the child was never two cases).
 *	One case is one child (children.case_id is the case's key).
 *	The row carries the stored facts; the presentation (sex, year group
 *	at the census date, time band, DfE reason) is cmectl's.
 *
 * RETURN CONVENTIONS
 *	0 done / -1 error (case_store_errmsg says what failed).
 *
 * CONCURRENCY
 *	As the store: one connection, one thread.
 */
#ifndef CME_CASE_CENSUS_H
#define CME_CASE_CENSUS_H

#include <time.h>
#include "case_store.h"

struct case_census_row {
	const char *ref;
	const char *gender;        /* "M", "F", "X" or "" (not known) */
	const char *dob;           /* "YYYY-MM-DD" or "" */
	int year_group;            /* as stored (stated, or from the DOB on the
	                              message date); -1 not known */
	const char *reason;        /* our reason name (SPEC 4), "" when none */
	time_t opened_at;
	/* the start of the open spell the census instant falls in: the last
	 * reopening before it, else opened_at */
	time_t missing_since;
};

/* Calls fn for each counted case, in case order; fn returns 0 to go on.
 * The strings live until fn returns. */
int case_census_each(struct case_store *cs, time_t at,
                     int (*fn)(const struct case_census_row *, void *), void *arg);

#endif
