/*
 * cmectl_sheet.c - the human forms of `cmectl cases` and `cmectl show`:
 * a table a person scans and a case sheet a person reads.  Both are
 * printed from the same JSON the --json forms print (case_views.h), so
 * the two forms cannot disagree.
 *
 * Times are shown in England's local time, in words ("Thursday 5
 * November 2026, 17:00"), through the policy's time zone
 * (deadline_format_local); days overdue count from `now`.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "case_types.h"
#include "deadline.h"
#include "policy.h"
#include "ukdate.h"

#include "cmectl.h"

static const char *const month_names[] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };
static const char *const day_names[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
	"Thursday", "Friday", "Saturday" };

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return "";
	return json_object_get_string(v);
}

static long long jint(json_object *o, const char *key, long long dflt)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return dflt;
	return json_object_get_int64(v);
}

/* "2026-11-05T17:00:00Z" (the JSON's UTC form) to a time_t, or -1. */
static time_t utc_of(const char *s)
{
	time_t t;

	return parse_iso_time(s, &t) == 0 ? t : (time_t)-1;
}

/* "Thursday 5 November 2026, 17:00" in the policy's zone; with
 * with_time 0 only the date, with 2 the short "Thu 5 Nov 2026 17:00". */
static void words_local(const struct policy *pol, time_t t, int with_time, char *out,
                        size_t outlen)
{
	char iso[64];
	struct ymd d;
	int h = 0, mi = 0;

	if (t == (time_t)-1) {
		snprintf(out, outlen, "-");
		return;
	}
	deadline_format_local(pol, t, iso, sizeof iso);  /* 2026-11-05T17:00:00+00:00 */
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &d.y, &d.m, &d.d, &h, &mi) != 5 || !ymd_valid(&d)) {
		snprintf(out, outlen, "%s", iso);
		return;
	}
	if (with_time == 2)
		snprintf(out, outlen, "%.3s %d %.3s %d %02d:%02d", day_names[ymd_weekday(&d)], d.d,
		         month_names[d.m - 1], d.y, h, mi);
	else if (with_time)
		snprintf(out, outlen, "%s %d %s %d, %02d:%02d", day_names[ymd_weekday(&d)], d.d,
		         month_names[d.m - 1], d.y, h, mi);
	else
		snprintf(out, outlen, "%s %d %s %d", day_names[ymd_weekday(&d)], d.d,
		         month_names[d.m - 1], d.y);
}

/* A date of birth "2014-04-03" as "3 April 2014". */
static void words_date(const char *iso, char *out, size_t outlen)
{
	struct ymd d;

	if (ymd_parse_iso(iso, &d) != 0) {
		snprintf(out, outlen, "%s", *iso ? iso : "not known");
		return;
	}
	snprintf(out, outlen, "%d %s %d", d.d, month_names[d.m - 1], d.y);
}

/* Whole days a pending deadline is late at now (0 if not late). */
static long days_late(time_t due, time_t now)
{
	return due != (time_t)-1 && now > due ? (long)((now - due + 86399) / 86400) : 0;
}

/* The first pending deadline of a case (its "next"), or NULL. */
static json_object *next_deadline(json_object *c)
{
	json_object *dl, *best = NULL;
	time_t best_due = 0;

	if (!json_object_object_get_ex(c, "deadlines", &dl))
		return NULL;
	for (size_t k = 0; k < json_object_array_length(dl); k++) {
		json_object *d = json_object_array_get_idx(dl, k);
		time_t due = utc_of(jstr(d, "due"));

		if (deadline_status_from_name(jstr(d, "status")) != DL_PENDING || due == (time_t)-1)
			continue;
		if (best == NULL || due < best_due)
			best = d, best_due = due;
	}
	return best;
}

static void child_name(json_object *c, char *out, size_t outlen)
{
	const char *fn = jstr(c, "forename"), *sn = jstr(c, "surname");

	if (*fn == '\0' && *sn == '\0')
		snprintf(out, outlen, "(child not yet identified)");
	else
		snprintf(out, outlen, "%s%s%s", fn, *fn && *sn ? " " : "", sn);
}

void print_cases_table(const char *text, const struct policy *pol, time_t now)
{
	json_object *a = json_tokener_parse(text);
	size_t n = a ? json_object_array_length(a) : 0;

	printf("%-15s %-9s %-24s %-10s %-24s %-22s %-38s %s\n", "REF", "STATUS", "CHILD", "DOB",
	       "SCHOOL", "OFFICER", "NEXT DEADLINE", "OVERDUE");
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(a, i), *d = next_deadline(c);
		char name[160], next[96] = "-", when[64], late[32] = "";

		child_name(c, name, sizeof name);
		if (d) {
			time_t due = utc_of(jstr(d, "due"));
			long l = days_late(due, now);

			words_local(pol, due, 2, when, sizeof when);
			snprintf(next, sizeof next, "%s %s", jstr(d, "kind"), when);
			if (l > 0)
				snprintf(late, sizeof late, "%ld day%s", l, l == 1 ? "" : "s");
		}
		printf("%-15s %-9s %-24.24s %-10s %-24.24s %-22.22s %-38s %s\n", jstr(c, "ref"),
		       jstr(c, "status"), name, jstr(c, "dob"), jstr(c, "school"), jstr(c, "officer"),
		       next, late);
	}
	printf("%zu case%s\n", n, n == 1 ? "" : "s");
	json_object_put(a);
}

static void sheet_line(const char *label, const char *value)
{
	if (value && *value)
		printf("  %-16s %s\n", label, value);
}

static void print_sheet_child(json_object *c)
{
	char buf[256], dob[64];
	long long yg = jint(c, "year_group", -99);
	json_object *fl;

	child_name(c, buf, sizeof buf);
	printf("\nChild\n");
	sheet_line("Name", buf);
	words_date(jstr(c, "dob"), dob, sizeof dob);
	if (yg > -99)
		snprintf(buf, sizeof buf, "%s (%s %lld)", dob, yg == 0 ? "Reception, year" : "Year",
		         yg);
	else
		snprintf(buf, sizeof buf, "%s", dob);
	sheet_line("Date of birth", buf);
	sheet_line("Gender", jstr(c, "gender"));
	if (*jstr(c, "upn")) {
		snprintf(buf, sizeof buf, "%s%s", jstr(c, "upn"),
		         jint(c, "upn_valid", 0) ? "" : " (check letter wrong)");
		sheet_line("UPN", buf);
	}
	if (*jstr(c, "postcode") && strstr(jstr(c, "address"), jstr(c, "postcode")) == NULL)
		snprintf(buf, sizeof buf, "%s%s%s", jstr(c, "address"), *jstr(c, "address") ? ", " : "",
		         jstr(c, "postcode"));
	else
		snprintf(buf, sizeof buf, "%s", jstr(c, "address"));
	sheet_line("Address", buf);
	sheet_line("School", jstr(c, "school"));
	if (*jstr(c, "last_attended")) {
		words_date(jstr(c, "last_attended"), buf, sizeof buf);
		sheet_line("Last attended", buf);
	}
	sheet_line("Reason", jstr(c, "reason"));
	sheet_line("New school", jstr(c, "new_school"));
	buf[0] = '\0';
	if (json_object_object_get_ex(c, "flags", &fl))
		for (size_t k = 0; k < json_object_array_length(fl); k++) {
			size_t l = strlen(buf);

			snprintf(buf + l, sizeof buf - l, "%s%s", l ? ", " : "",
			         json_object_get_string(json_object_array_get_idx(fl, k)));
		}
	sheet_line("Flags", *buf ? buf : "none");
	if (jint(c, "immediate", 0))
		sheet_line("", "IMMEDIATE: a flag on the policy's immediate list");
}

static void print_sheet_lists(json_object *c, const struct policy *pol, time_t now)
{
	json_object *arr, *r;
	char when[64], buf[320];

	if (json_object_object_get_ex(c, "referrer", &r)) {
		snprintf(buf, sizeof buf, "%s%s%s <%s>%s", jstr(r, "name"),
		         *jstr(r, "organisation") ? ", " : "", jstr(r, "organisation"), jstr(r, "email"),
		         jint(c, "verified", 0) ? "" : " (unverified sender)");
		printf("\nReferred by\n  %s\n", buf);
	}
	if (json_object_object_get_ex(c, "siblings", &arr) && json_object_array_length(arr) > 0) {
		printf("\nSiblings\n ");
		for (size_t k = 0; k < json_object_array_length(arr); k++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(arr, k)));
		printf("\n");
	}
	if (json_object_object_get_ex(c, "problems", &arr) && json_object_array_length(arr) > 0) {
		printf("\nTo check\n");
		for (size_t k = 0; k < json_object_array_length(arr); k++)
			printf("  - %s\n", json_object_get_string(json_object_array_get_idx(arr, k)));
	}
	if (json_object_object_get_ex(c, "provenance", &arr) &&
	    json_object_get_type(arr) == json_type_object) {
		printf("\nWhere the child's details were read\n");
		json_object_object_foreach(arr, key, val)
			printf("  %-16s %s\n", key, json_object_get_string(val));
	}
	printf("\nDeadlines\n");
	if (json_object_object_get_ex(c, "deadlines", &arr))
		for (size_t k = 0; k < json_object_array_length(arr); k++) {
			json_object *d = json_object_array_get_idx(arr, k);
			time_t due = utc_of(jstr(d, "due"));
			long l = deadline_status_from_name(jstr(d, "status")) == DL_PENDING ?
			         days_late(due, now) : 0;

			words_local(pol, due, 1, when, sizeof when);
			printf("  %-17s %-36s %s", jstr(d, "kind"), when, jstr(d, "status"));
			if (l > 0)
				printf(", %ld day%s overdue", l, l == 1 ? "" : "s");
			printf("\n");
		}
	printf("\nTimeline\n");
	if (json_object_object_get_ex(c, "timeline", &arr))
		for (size_t k = 0; k < json_object_array_length(arr); k++) {
			json_object *e = json_object_array_get_idx(arr, k);

			words_local(pol, utc_of(jstr(e, "at")), 1, when, sizeof when);
			printf("  %-36s %-9s %s  [%s]\n", when, jstr(e, "type"), jstr(e, "detail"),
			       jstr(e, "source"));
		}
}

void print_case_sheet(const char *text, const struct policy *pol, time_t now)
{
	json_object *c = json_tokener_parse(text);
	char opened[64], closed[96] = "";

	if (c == NULL)
		return;
	words_local(pol, utc_of(jstr(c, "opened_at")), 0, opened, sizeof opened);
	if (*jstr(c, "outcome"))
		snprintf(closed, sizeof closed, ", outcome %s", jstr(c, "outcome"));
	printf("%s  %s%s\n", jstr(c, "ref"), jstr(c, "status"), closed);
	printf("  %-16s %s\n  %-16s %s\n", "Officer", jstr(c, "officer"), "Opened", opened);
	if (*jstr(c, "previous_case"))
		printf("  %-16s %s\n", "Earlier case", jstr(c, "previous_case"));
	print_sheet_child(c);
	print_sheet_lists(c, pol, now);
	json_object_put(c);
}
