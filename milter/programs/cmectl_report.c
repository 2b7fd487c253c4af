/*
 * cmectl_report.c - cmectl report (monthly indicators; --html the
 * management page), purge (retention), archive-form (the long-term case form).
 */
#include "build-config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "case_backup.h"
#include "case_report.h"
#include "case_store.h"
#include "case_types.h"
#include "case_views.h"
#include "conf.h"
#include "deadline.h"
#include "extract.h"
#include "fileio.h"
#include "message.h"
#include "pipeline.h"
#include "policy.h"
#include "referral.h"
#include "reminder.h"
#include "report_html.h"
#include "strlist.h"
#include "textclean.h"
#include "trust.h"
#include "ukdate.h"
#include "logging.h"

#include <json-c/json.h>

#include "cmectl.h"

/* The month of "YYYY-MM" as [*from, *to) in UTC.  0 or -1. */
static int month_bounds(const char *month, time_t *from, time_t *to)
{
	struct tm tm;
	int y, m;

	if (month == NULL || strlen(month) != 7 || sscanf(month, "%4d-%2d", &y, &m) != 2 ||
	    y < 1970 || m < 1 || m > 12)
		return -1;
	/* The month in UTC: a case opened at 00:30 BST on the 1st counts in
	 * the previous month.  Good enough for monthly counts; said in
	 * cmectl(8). */
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = 1;
	*from = timegm(&tm);
	tm.tm_mon += 1;
	*to = timegm(&tm);
	return 0;
}

static void print_totals(const char *month, const struct case_report *r, int csv)
{
	if (csv) {
		printf("month,opened,closed,closed_in_borough,closed_left_area,open_at_month_end,"
		       "long_term,deadlines_due,deadlines_met,deadlines_missed\n");
		printf("%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld\n", month, r->opened, r->closed,
		       r->closed_in_borough, r->closed_left_area, r->open_at_end, r->long_term,
		       r->deadlines_due, r->deadlines_met, r->deadlines_missed);
		for (size_t i = 0; i < r->n_outcomes; i++)
			printf("%s,closed:%s,%lld\n", month, r->outcomes[i].outcome, r->outcomes[i].count);
		return;
	}
	printf("CME performance indicators, %s\n\n", month);
	printf("  cases opened                  %6lld\n", r->opened);
	printf("  cases closed                  %6lld\n", r->closed);
	for (size_t i = 0; i < r->n_outcomes; i++)
		printf("    %-27s %6lld\n", r->outcomes[i].outcome, r->outcomes[i].count);
	printf("    of which in borough         %6lld\n", r->closed_in_borough);
	printf("    of which left the area      %6lld\n", r->closed_left_area);
	printf("  open at month end             %6lld\n", r->open_at_end);
	printf("  long-term (open 6+ months)    %6lld\n", r->long_term);
	printf("  deadlines due in the month    %6lld\n", r->deadlines_due);
	printf("    met on time                 %6lld\n", r->deadlines_met);
	printf("    missed                      %6lld\n", r->deadlines_missed);
}

/* A time as a UTC date (with_time: date and time) cell, "" for 0. */
static void time_cell(time_t t, int with_time)
{
	char buf[32] = "";
	struct tm tm;

	if (t != 0) {
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, with_time ? "%Y-%m-%dT%H:%MZ" : "%Y-%m-%d", &tm);
	}
	csv_cell(stdout, buf, 0);
}

static int print_case_row(const struct case_report_row *r, void *arg)
{
	(void)arg;
	csv_cell(stdout, r->ref, 1);
	time_cell(r->opened_at, 0);
	csv_cell(stdout, r->status, 0);
	csv_cell(stdout, r->officer, 0);
	csv_cell(stdout, r->school, 0);
	csv_cell(stdout, r->reason, 0);
	for (int k = 0; k < DL_KIND_COUNT; k++) {
		time_cell(r->deadline[k].due, 1);
		csv_cell(stdout, case_report_fate_name(r->deadline[k].fate), 0);
	}
	csv_cell(stdout, r->outcome, 0);
	time_cell(r->closed_at, 0);
	putchar('\n');
	return 0;
}

static void print_cases_header(void)
{
	printf("ref,opened,status_at_month_end,officer,school,reason");
	for (int k = 0; k < DL_KIND_COUNT; k++)
		printf(",%s_due,%s", deadline_kind_name((enum deadline_kind)k),
		       deadline_kind_name((enum deadline_kind)k));
	printf(",outcome,closed\n");
}

/* ------------------------------------------------------------------ */
/* report --html: the figures of the page (report_html.h).              */

/* The reasons of the cases open at the month's end, counted.  Reasons
 * are vocabulary names, a few dozen at most; past REASON_SLOTS distinct
 * ones the rest count as other reasons. */
#define REASON_SLOTS 64
struct reason_tally {
	struct report_html_count slot[REASON_SLOTS];
	size_t n;
	long long other;
};

static int tally_reason(const struct case_report_row *r, void *arg)
{
	struct reason_tally *t = arg;
	size_t i;

	if (strcmp(r->status, "closed") == 0)
		return 0;
	for (i = 0; i < t->n; i++)
		if (strncmp(t->slot[i].name, r->reason, sizeof t->slot[i].name - 1) == 0)
			break;
	if (i == t->n) {
		if (t->n == REASON_SLOTS) {
			t->other++;
			return 0;
		}
		snprintf(t->slot[t->n++].name, sizeof t->slot[0].name, "%s", r->reason);
	}
	t->slot[i].count++;
	return 0;
}

static int count_desc(const void *a, const void *b)
{
	const struct report_html_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The chart's rows: the REPORT_HTML_MAX_REASONS commonest reasons, the
 * rest summed as one row.  Returns the number of rows in out. */
static size_t top_reasons(struct reason_tally *t, struct report_html_count *out)
{
	size_t n = 0;
	long long other = t->other;

	qsort(t->slot, t->n, sizeof t->slot[0], count_desc);
	for (size_t i = 0; i < t->n; i++) {
		if (n < REPORT_HTML_MAX_REASONS)
			out[n++] = t->slot[i];
		else
			other += t->slot[i].count;
	}
	if (other > 0) {
		snprintf(out[n].name, sizeof out[n].name, "%s", "(other reasons)");
		out[n++].count = other;
	}
	return n;
}

/* The n_months months ending with [from, to), oldest first, into h; the
 * month's open cases by reason.  0 or -1 (store error). */
static int html_figures(struct case_store *cs, time_t from, time_t to, time_t now,
                        size_t n_months,
                        struct report_html_month *months, struct report_html_count *reasons,
                        struct report_html *h)
{
	struct reason_tally *t;
	struct tm tm;
	int rc;

	gmtime_r(&from, &tm);
	for (size_t i = 0; i < n_months; i++) {
		struct tm a = tm, b = tm;
		time_t mf, mt;

		a.tm_mon -= (int)(n_months - 1 - i);
		b.tm_mon = a.tm_mon + 1;
		mf = timegm(&a);        /* normalises a and b: month -3 is last year's */
		mt = timegm(&b);
		strftime(months[i].month, sizeof months[i].month, "%Y-%m", &a);
		if (case_report_month(cs, mf, mt, now, &months[i].r) != 0)
			return -1;
	}
	if ((t = calloc(1, sizeof *t)) == NULL)
		return -1;
	rc = case_report_each_case(cs, from, to, now, tally_reason, t);
	memset(h, 0, sizeof *h);
	h->months = months;
	h->n_months = n_months;
	h->reasons = reasons;
	h->n_reasons = rc == 0 ? top_reasons(t, reasons) : 0;
	h->generated = time(NULL);
	free(t);
	return rc;
}

/* report --html on stdout.  0 or an exit code (printed). */
static int write_html(struct case_store *cs, time_t from, time_t to, time_t now,
                      size_t n_months)
{
	struct report_html_month *months = calloc(n_months, sizeof *months);
	struct report_html_count reasons[REPORT_HTML_MAX_REASONS + 1];
	struct report_html h;
	int rc = 0;

	if (months == NULL)
		return fail(EXIT_INTERNAL, "%s", "out of memory");
	if (html_figures(cs, from, to, now, n_months, months, reasons, &h) != 0)
		rc = fail(EXIT_INTERNAL, "%s", "the report could not be computed");
	else if (report_html_write(stdout, &h) != 0)
		rc = fail(EXIT_INTERNAL, "%s", "the report could not be written");
	free(months);
	return rc;
}

int cmd_report(struct ctl *ctl, int argc, char **argv)
{
	const char *month = NULL;
	int csv = 0, cases = 0, html = 0, rc;
	size_t n_months = 12;
	time_t now = time(NULL);
	struct case_store *cs;
	struct case_report r;
	time_t from, to;

	const char *months = NULL;
	const struct cmd_opt opts[] = {
		{ "--month", NULL, &month }, { "--csv", &csv, NULL }, { "--cases", &cases, NULL },
		{ "--html", &html, NULL }, { "--months", NULL, &months },
	};

	if ((rc = cmd_options(argc, argv, 1, opts, sizeof opts / sizeof opts[0], &now)) != 0)
		return rc;
	if (months) {
		char *end;
		long v = strtol(months, &end, 10);

		if (*end != '\0' || v < 1 || v > REPORT_HTML_MAX_MONTHS)
			return fail(EXIT_USER, "--months must be between 1 and %d",
			            REPORT_HTML_MAX_MONTHS);
		n_months = (size_t)v;
	}
	if (month_bounds(month, &from, &to) != 0)
		return fail(EXIT_USER, "%s", "report needs --month YYYY-MM");
	if (cases && !csv)
		return fail(EXIT_USER, "%s", "--cases is a spreadsheet: use it with --csv");
	if (html && csv)
		return fail(EXIT_USER, "%s", "--html and --csv are two forms: choose one");
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	/* long-term as of the month's end (or now): a read, never written */
	if ((cs = open_read_store(ctl, to - 1 < now ? to - 1 : now)) == NULL)
		return EXIT_INTERNAL;
	if (html) {
		rc = write_html(cs, from, to, now, n_months);
		close_read_store(cs);
		return rc;
	}
	if (cases) {
		print_cases_header();
		rc = case_report_each_case(cs, from, to, now, print_case_row, NULL);
	} else {
		rc = case_report_month(cs, from, to, now, &r);
	}
	close_read_store(cs);
	if (rc != 0)
		return fail(EXIT_INTERNAL, "%s", "the report could not be computed");
	if (!cases)
		print_totals(month, &r, csv);
	return 0;
}

int cmd_purge(struct ctl *ctl, int argc, char **argv)
{
	int years = 25, rc;
	time_t now = time(NULL);
	struct pipeline *p;
	long long n;

	const char *years_arg = NULL;
	const struct cmd_opt opts[] = { { "--years", NULL, &years_arg } };

	if ((rc = cmd_options(argc, argv, 1, opts, 1, &now)) != 0)
		return rc;
	if (years_arg && ((years = atoi(years_arg)) < 18 || years > 120))
		return fail(EXIT_USER, "%s", "--years must be between 18 and 120");
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	log_open("cmectl", ctl->conf.syslog, LOG_MAIL);
	if ((p = open_pipeline(ctl)) == NULL)
		return EXIT_INTERNAL;
	n = pipeline_purge(p, years, now);
	pipeline_free(p);
	if (n < 0)
		return fail(EXIT_INTERNAL, "%s", "the purge failed; nothing was removed");
	printf("purged %lld case(s): children born more than %d years ago\n", n, years);
	return 0;
}

/* The long-term case "archiving" form of seed 001, Appendix 4, filled
 * from the case (case_views_read_case).  The databases to check are the
 * policy's archive_check lines; their dates and outcomes are the
 * officer's to fill in. */
static void print_archive_case(const struct case_view *v)
{
	char opened[32];
	const char *who = *v->referrer_org ? v->referrer_org : v->referrer_name;
	int has_postcode = strstr(v->address, v->postcode) != NULL;
	struct tm tm;

	gmtime_r(&v->opened_at, &tm);
	strftime(opened, sizeof opened, "%Y-%m-%d", &tm);
	printf("Long-term CME case - 'archiving' form\n");
	printf("Case reference:            %s\n", v->ref);
	printf("Name of child:             %s %s\n", v->forename, v->surname);
	if (v->year_group >= 0)
		printf("DOB:                       %s    Year group: %d\n", v->dob, v->year_group);
	else
		printf("DOB:                       %s    Year group: \n", v->dob);
	printf("Last known address:        %s%s%s\n", v->address, has_postcode ? "" : " ",
	       has_postcode ? "" : v->postcode);
	printf("Residency status:          \n");
	printf("School last attended:      %s\n", v->school);
	printf("Date case opened to CME:   %s\n", opened);
	printf("Referred from:             %s\n", who);
}

static void print_archive_timeline(const struct case_view *v)
{
	char at[32];
	const struct case_event_view *last_visit = NULL;
	struct tm tm;

	for (size_t i = 0; i < v->n_events; i++)
		if (strcmp(v->events[i].type, "visit") == 0)
			last_visit = &v->events[i];
	if (last_visit) {
		gmtime_r(&last_visit->at, &tm);
		strftime(at, sizeof at, "%Y-%m-%d", &tm);
	}
	printf("\nDate of CME Officer's last visit (if in-borough address): %s\n",
	       last_visit ? at : "none recorded");
	printf("\nSummary of CME Officer intervention:\n");
	for (size_t i = 0; i < v->n_events; i++) {
		const struct case_event_view *e = &v->events[i];

		/* as `show` lists them: an event without a type or detail has
		 * nothing to summarise */
		if (*e->type == '\0' || *e->detail == '\0' || strcmp(e->type, "deadline") == 0)
			continue;
		gmtime_r(&e->at, &tm);
		strftime(at, sizeof at, "%Y-%m-%d", &tm);
		printf("  %s  %s\n", at, e->detail);
	}
}

int cmd_archive_form(struct ctl *ctl, int argc, char **argv)
{
	struct case_store *cs;
	struct case_view v;
	struct policy *pol;
	const struct strlist *checks;
	int rc;

	if ((cs = case_command_store(ctl, argc, "archive-form", &rc)) == NULL)
		return rc;
	rc = case_views_read_case(cs, argv[1], &v);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", progname, case_store_errmsg(cs));
	case_store_close(cs);
	if (rc <= 0)
		return rc < 0 ? EXIT_INTERNAL : fail(EXIT_USER, "no case %s", argv[1]);
	if ((pol = load_policy(ctl, NULL)) == NULL) {
		case_views_free(&v);
		return EXIT_USER;
	}
	checks = policy_archive_checks(pol);
	print_archive_case(&v);
	printf("\n%-66s %-18s %s\n", "Databases", "Date last checked", "Outcome");
	for (size_t i = 0; i < checks->n; i++)
		printf("%-66s %-18s %s\n", checks->v[i], "", "");
	print_archive_timeline(&v);
	printf("\nCME officer: %-30s Signature ............ Date ..........\n", v.officer);
	printf("Line manager: ................................ Signature ............ Date ..........\n");
	printf("Commissioning Director, Education: ........... Signature ............ Date ..........\n");
	policy_free(pol);
	case_views_free(&v);
	return 0;
}

