/*
 * NAME
 *	case_report.h - stage 3, read side: the monthly performance
 *	indicators (SPEC 5.5), totals and one row per case, computed from
 *	the case and deadline histories so that they hold.
 *
 * PURPOSE
 *	cmectl report reads here; nothing here writes.  A month's figures
 *	are what the timeline says happened in it:
 *	  - a case's status, outcome and closing time at the month's end
 *	    come from case_history (schema 11), not from the case row, so a
 *	    later reopen or close does not move them;
 *	  - a deadline is an instance (case, kind, due) of deadline_history.
 *	    It is met when something met it on or before its due time by the
 *	    date that thing happened (deadlines.done_at: a visit's own date,
 *	    however late it was recorded); it is not counted when, before it
 *	    fell due, it was cancelled (the case closed) or replaced by
 *	    another due time (a reopen); otherwise, once due, it is missed -
 *	    whatever status it has now (pending, cancelled by a later
 *	    closure, or a "missed" status written by anyone);
 *	  - a case closed with outcome `duplicate` (merged away) is never
 *	    counted: not opened, not closed, not open, its deadlines not
 *	    due.  Duplicates are judged as of the report's run: the child
 *	    was never two cases.
 *	Long-term-review deadlines are not performance deadlines: they
 *	count only towards "long-term".
 *
 * RETURN CONVENTIONS
 *	0 done / -1 error (case_store_errmsg says what failed).
 *
 * CONCURRENCY
 *	As the store: one connection, one thread.
 */
#ifndef CME_CASE_REPORT_H
#define CME_CASE_REPORT_H

#include <time.h>
#include "case_store.h"
#include "case_types.h"

/* The month's totals for [from, to); deadlines count only when due
 * before the earlier of `to` and `now`. */
struct case_report {
	long long opened, closed, closed_in_borough, closed_left_area;
	long long open_at_end, long_term;
	long long deadlines_due, deadlines_met, deadlines_missed;
	/* the same deadlines by kind (long-term review: always 0); the
	 * totals above are their sums */
	struct { long long due, met, missed; } by_kind[DL_KIND_COUNT];
	struct { char outcome[32]; long long count; } outcomes[16];
	size_t n_outcomes;
};
int case_report_month(struct case_store *cs, time_t from, time_t to, time_t now,
                      struct case_report *out);

/* What became of a case's deadline of one kind by the month's end. */
enum case_report_fate {
	FATE_NONE = -1,          /* the case had no deadline of that kind */
	FATE_PENDING, FATE_MET, FATE_MISSED, FATE_CANCELLED, FATE_REACHED,
	FATE_COUNT
};
const char *case_report_fate_name(enum case_report_fate f);

/* One case in a month: the cases open at some time in [from, to). */
struct case_report_row {
	const char *ref, *officer, *school, *reason, *status, *outcome;   /* "" when none */
	time_t opened_at;
	time_t closed_at;                       /* 0: not closed at the month's end */
	struct { time_t due; enum case_report_fate fate; } deadline[DL_KIND_COUNT];
};
/* Calls fn for each case, in case order; fn returns 0 to go on.  The
 * strings live until fn returns. */
int case_report_each_case(struct case_store *cs, time_t from, time_t to, time_t now,
                          int (*fn)(const struct case_report_row *, void *), void *arg);

#endif
