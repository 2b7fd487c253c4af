/*
 * NAME
 *	report_html.h - stage 5, emit: the monthly management report as one
 *	self-contained HTML page (cmectl report --html).
 *
 * PURPOSE
 *	Writes figures someone else computed (case_report.h) as a page a
 *	CME manager opens in a browser or attaches to an email: the month's
 *	indicators as a table, its deadlines by kind, and inline SVG charts
 *	of the last months (cases opened and closed with those open at each
 *	month's end; deadlines met and missed; the cases open at the month's
 *	end by reason), each chart's figures in a table beside it.
 *
 *	The page is HTML5 with its style in a <style> element: no script, no
 *	external stylesheet, font or image, no http(s) reference at all (the
 *	inline <svg> elements carry no xmlns: HTML5 does not need it).  Each
 *	<svg> element is well-formed XML on its own.
 *
 *	Only counts, months, deadline kinds, reason and outcome names reach
 *	the page - never a child's details - and every text, attribute
 *	included, is escaped all the same.
 *
 *	The indicator table's rows carry data-key attributes named as the
 *	columns of `cmectl report --csv` (and "closed:OUTCOME"), the months
 *	table's cells data-key attributes too, so that a program reading
 *	the page finds the same figures as the CSV.
 *
 * RETURN CONVENTIONS
 *	report_html_write: 0, or -1 when the stream reports a write error.
 *
 * CONCURRENCY
 *	None: writes to the caller's stream.
 */
#ifndef CME_REPORT_HTML_H
#define CME_REPORT_HTML_H

#include <stdio.h>
#include <time.h>

#include "case_report.h"

/* The most months a page shows (cmectl report --months N). */
#define REPORT_HTML_MAX_MONTHS 60
/* The most reasons charted by name; the rest are summed as "other". */
#define REPORT_HTML_MAX_REASONS 12

struct report_html_month {
	char month[8];                  /* "YYYY-MM" */
	struct case_report r;
};

struct report_html_count {
	char name[48];                  /* a reason name; "" for none given */
	long long count;
};

struct report_html {
	const struct report_html_month *months;  /* oldest first; the last is the report's month */
	size_t n_months;                          /* 1 .. REPORT_HTML_MAX_MONTHS */
	const struct report_html_count *reasons;  /* open at the month's end, by reason */
	size_t n_reasons;                         /* 0 .. REPORT_HTML_MAX_REASONS + 1 */
	time_t generated;                         /* when the figures were computed */
};

int report_html_write(FILE *f, const struct report_html *h);

#endif
