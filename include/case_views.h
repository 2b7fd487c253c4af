/*
 * NAME
 *	case_views.h - stage 3, read side: what the officer tools show of
 *	the store (case lists and case records as JSON, one case as a
 *	struct; the monthly indicators are case_report.h's).
 *
 * PURPOSE
 *	cmectl's `cases`, `show`, `search` and `archive-form` read here;
 *	nothing here writes.  The writes, the schema and the statement
 *	cache are case_store.c's; this module prepares its statements
 *	through the same cache (case_store_sql.h).
 *
 * OWNS
 *	The SELECTs of the views and the JSON layout of `cmectl cases
 *	--json` and `cmectl show` (a contract with scripts: keys are added,
 *	never renamed).  Status, kind and action values in the JSON are the
 *	stored names of case_types.h.
 *
 * RETURN CONVENTIONS
 *	As the store's (case_store.h): 0 done / -1 error for actions and
 *	computations; 1 found / 0 not found / -1 error for lookups of one
 *	thing; text-returning functions return malloc'd text or NULL (no
 *	such case, or an error: case_store_errmsg tells which when it
 *	matters).  On -1 the store's error message says what failed.
 *
 * CONCURRENCY
 *	Like the store: a struct case_store is one connection and one
 *	thread.  Readers run beside the milter's writer (WAL): a view sees
 *	the database as of its first statement's transaction.
 */
#ifndef CME_CASE_VIEWS_H
#define CME_CASE_VIEWS_H

#include <stddef.h>
#include <time.h>
#include "case_store.h"
#include "case_types.h"

/* Which cases `cmectl cases` lists. */
struct case_filter {
	int all;                  /* every case, whatever its status */
	enum case_status status;  /* unless all: CASE_OPEN is every case not
	                             closed (open, visited, triage, long-term);
	                             any other status is that status only */
	const char *officer;      /* NULL: any */
	const char *school;       /* substring, case-insensitive; NULL: any */
	int overdue;              /* only cases with a pending deadline past `now` */
	time_t now;
};

/* The case list as a JSON array (pretty text, malloc'd), or NULL on
 * error. */
char *case_views_cases_json(struct case_store *cs, const struct case_filter *f);
/* One case with its timeline as a JSON object (malloc'd), or NULL when
 * there is no such case or on error. */
char *case_views_show_json(struct case_store *cs, const char *ref);

/* cmectl search: the refs of cases whose child matches - with dob
 * (YYYY-MM-DD) given, that date of birth; else a UPN equal to query
 * (any case), or a name holding every word of query, folded as matching
 * folds names (accents, case, hyphens and spaces: "ellie mae" finds
 * "Ellie-Mae").  Appended to *refs in case order.  0 or -1. */
struct strlist;
int case_views_search(struct case_store *cs, const char *query, const char *dob,
                      struct strlist *refs);

/* One case as a struct (for forms): every string malloc'd and never
 * NULL ("" when the store has none or an empty one). */
struct case_event_view {
	time_t at;
	char *type;               /* visit, deadline, state, problem, ... */
	char *detail;
};
struct case_view {
	char ref[CASE_REF_MAX];
	char *forename, *surname, *dob, *address, *postcode, *school, *officer;
	char *referrer_name, *referrer_org;
	int year_group;           /* -1: not known */
	time_t opened_at;
	struct case_event_view *events;   /* the timeline, oldest first */
	size_t n_events;
};
/* 1 found (fill *out; free with case_views_free), 0 no such case, -1
 * error (nothing to free). */
int  case_views_read_case(struct case_store *cs, const char *ref, struct case_view *out);
void case_views_free(struct case_view *v);

#endif
