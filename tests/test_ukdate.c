/*
 * test_ukdate.c - unit tests for ukdate.c: UK date parsing in free text,
 * the ymd helpers and UK school year groups.
 */
#include <stdlib.h>
#include <string.h>

#include "ukdate.h"
#include "../tests/tap.h"

/* Parse `text` (without its NUL, as the pipeline passes text) and return
 * the ISO form of the first date, or "none". */
static const char *find_iso(const char *text)
{
	static char out[11];
	struct ymd d;
	size_t used = 0;

	if (!ukdate_find(text, strlen(text), &d, &used))
		return "none";
	ymd_format(&d, out);
	return out;
}

static const char *find_iso_ref(const char *text, const char *ref_iso)
{
	static char out[11];
	struct ymd d, ref;
	size_t used = 0;

	if (ymd_parse_iso(ref_iso, &ref) != 0)
		return "bad ref";
	if (!ukdate_find_ref(text, strlen(text), &ref, &d, &used))
		return "none";
	ymd_format(&d, out);
	return out;
}

static size_t consumed_by(const char *text)
{
	struct ymd d;
	size_t used = 0;

	if (!ukdate_find(text, strlen(text), &d, &used))
		return 0;
	return used;
}

static int year_group(const char *dob_iso, const char *on_iso)
{
	struct ymd dob, on;

	if (ymd_parse_iso(dob_iso, &dob) != 0 || ymd_parse_iso(on_iso, &on) != 0)
		return -99;
	return uk_year_group(&dob, &on);
}

/* Hostile input: scan every prefix of a buffer held in exactly-sized
 * heap memory, so that ASan catches any read past [text, text+len). */
static int scan_all_prefixes(const char *text)
{
	size_t n = strlen(text);

	for (size_t len = 0; len <= n; len++) {
		char *copy = malloc(len ? len : 1);
		struct ymd d;
		size_t used = 0;
		struct ymd ref = { 2026, 11, 22 };

		if (copy == NULL)
			return 0;
		memcpy(copy, text, len);
		if (ukdate_find(copy, len, &d, &used) && (used > len || !ymd_valid(&d))) {
			free(copy);
			return 0;
		}
		if (ukdate_find_ref(copy, len, &ref, &d, &used) && (used > len || !ymd_valid(&d))) {
			free(copy);
			return 0;
		}
		free(copy);
	}
	return 1;
}

int main(void)
{
	struct ymd d, e;
	char iso[11];

	/* UK numeric order: day first. */
	CHECK_STR(find_iso("03/04/2014"), "2014-04-03", "03/04/2014 is 3 April");
	CHECK_STR(find_iso("DOB: 3/4/2014."), "2014-04-03", "3/4/2014 single digits");
	CHECK_STR(find_iso("03.04.2014"), "2014-04-03", "dotted 03.04.2014");
	CHECK_STR(find_iso("14.02.2013"), "2013-02-14", "dotted 14.02.2013");
	CHECK_STR(find_iso("03-04-2014"), "2014-04-03", "dashed 03-04-2014 is UK order");
	CHECK_STR(find_iso("2014-04-03"), "2014-04-03", "ISO 2014-04-03");
	CHECK_STR(find_iso("2014/04/03"), "2014-04-03", "year-first with slashes");
	CHECK_STR(find_iso("seen 05/11/2026 10:30 by EWO"), "2026-11-05",
	          "date followed by a time");
	CHECK_INT(consumed_by("05/11/2026 10:30"), 10, "consumed stops after the year");

	/* Written forms. */
	CHECK_STR(find_iso("3rd April 2014"), "2014-04-03", "3rd April 2014");
	CHECK_STR(find_iso("3 Apr 2014"), "2014-04-03", "3 Apr 2014");
	CHECK_STR(find_iso("3 Apr. 2014"), "2014-04-03", "3 Apr. 2014");
	CHECK_STR(find_iso("21st September 2016"), "2016-09-21", "21st September 2016");
	CHECK_STR(find_iso("2 Sept 2016"), "2016-09-02", "Sept abbreviation");
	CHECK_STR(find_iso("Tuesday 3 April 2014"), "2014-04-03", "weekday prefix");
	CHECK_INT(consumed_by("Tuesday 3 April 2014 at school"), 20,
	          "consumed counts from the text start to the end of the year");
	CHECK_STR(find_iso("the 3rd of April, 2014"), "2014-04-03", "3rd of April, 2014");
	CHECK_STR(find_iso("03-Apr-14"), "2014-04-03", "03-Apr-14");
	CHECK_STR(find_iso("April 3rd, 2014"), "2014-04-03", "month first, April 3rd, 2014");
	CHECK_STR(find_iso("DECEMBER 25 2026"), "2026-12-25", "upper case month");
	CHECK_STR(find_iso("Born\xC2\xA0" "3\xC2\xA0" "April\xC2\xA0" "2014"), "2014-04-03",
	          "no-break spaces between the parts");
	CHECK_STR(find_iso("29th February 2016"), "2016-02-29", "29 Feb in a leap year");

	/* Two-digit years. */
	CHECK_STR(find_iso("03/04/14"), "2014-04-03", "03/04/14 is 2014");
	CHECK_STR(find_iso("12/05/98"), "1998-05-12", "12/05/98 is 1998 (a parent)");
	CHECK_STR(find_iso_ref("01/09/47", "2026-11-22"), "1947-09-01",
	          "with a reference year, 47 is more than 10 years ahead so 1947");
	CHECK_STR(find_iso_ref("01/09/30", "2026-11-22"), "2030-09-01",
	          "with a reference year, 30 is within 10 years so 2030");
	CHECK_STR(find_iso_ref("01/09/37", "2026-11-22"), "1937-09-01",
	          "with a reference year, 37 is 11 years ahead so 1937");
	CHECK_STR(find_iso("01/09/68"), "2068-09-01", "without a reference, 68 is 2068 (POSIX pivot)");
	CHECK_STR(find_iso("01/09/69"), "1969-09-01", "without a reference, 69 is 1969");

	/* Not dates. */
	CHECK_STR(find_iso("31/02/2014"), "none", "31 February is not a date");
	CHECK_STR(find_iso("29/02/2015"), "none", "29 Feb 2015 is not a date");
	CHECK_STR(find_iso("UPN E935204414117"), "none", "a UPN holds no date");
	CHECK_STR(find_iso("call 07700 900123"), "none", "a phone number is not a date");
	CHECK_STR(find_iso("version 1.2.3.4"), "none", "dotted version is not a date");
	CHECK_STR(find_iso("Marchant Street 2014"), "none", "Marchant is not March");
	CHECK_STR(find_iso("3 Mayfield Road 2014"), "none", "Mayfield is not May");
	CHECK_STR(find_iso("20 October"), "none", "no year and no reference: no date");
	CHECK_STR(find_iso("13/13/2014"), "none", "month 13");
	CHECK_STR(find_iso("ab12/04/2014"), "none", "a date does not start inside a word");
	CHECK_STR(find_iso("12/04/20145"), "none", "a five-digit year is not a year");
	CHECK_STR(find_iso("1/2/1850"), "none", "a year before 1900 is not a referral date");

	/* The first date wins. */
	CHECK_STR(find_iso("Born 03/04/2014, left 02/10/2026"), "2014-04-03",
	          "first of two dates");

	/* Dates without a year resolve against a reference date. */
	CHECK_STR(find_iso_ref("last attended 20 October", "2026-11-22"), "2026-10-20",
	          "20 October before the reference is this year");
	CHECK_STR(find_iso_ref("last attended 20 December", "2026-11-22"), "2025-12-20",
	          "20 December after the reference is last year");
	CHECK_STR(find_iso_ref("visited 22nd November", "2026-11-22"), "2026-11-22",
	          "the reference day itself is not after it");
	CHECK_STR(find_iso_ref("seen 02/10", "2026-11-22"), "2026-10-02",
	          "day/month without a year");
	CHECK_STR(find_iso_ref("29 February", "2026-11-22"), "2024-02-29",
	          "29 February goes back to the last leap year");
	CHECK_STR(find_iso_ref("3 April 10:30", "2026-11-22"), "2026-04-03",
	          "the hour after a yearless date is not a year");
	CHECK_STR(find_iso_ref("3 Apr 2014", "2026-11-22"), "2014-04-03",
	          "an explicit year still wins with a reference");

	/* Bounds: the range is not NUL-terminated. */
	CHECK(ukdate_find("03/04/2014", 8, &d, NULL) == 1 && d.y == 2020,
	      "cut at 8 bytes only '03/04/20' is read: 3 April 2020");
	CHECK(ukdate_find("03/04/2014", 7, &d, NULL) == 0,
	      "cut at 7 bytes '03/04/2' has no year");
	CHECK(ukdate_find("03/04/2014", 10, &d, NULL) == 1 && d.y == 2014,
	      "the full 10 bytes parse");
	CHECK(ukdate_find("3 April 2014", 7, &d, NULL) == 0,
	      "'3 April' cut before the year is not a full date");
	CHECK(ukdate_find("", 0, &d, NULL) == 0, "empty text");
	CHECK(scan_all_prefixes("Tuesday 3rd of April, 2014 03/04/14 2014-04-03 "
	                        "\xE2\x80\x93 21st Sept \xC2\xA0 12.05.98 29/02"),
	      "every prefix of mixed dates scans inside its bounds");
	CHECK(scan_all_prefixes("\xC2\xE2\x80\xFF 3\xE2\x80 Apr\xC2 1/ 1/1 12-"),
	      "truncated UTF-8 and dangling separators stay in bounds");

	/* ymd helpers. */
	CHECK(ymd_parse_iso("2026-12-31", &d) == 0 && d.y == 2026 && d.m == 12 && d.d == 31,
	      "ymd_parse_iso reads YYYY-MM-DD");
	CHECK(ymd_parse_iso("2026-12-31x", &d) != 0, "ymd_parse_iso is strict about trailing text");
	CHECK(ymd_parse_iso("2026-02-30", &d) != 0, "ymd_parse_iso rejects 30 February");
	CHECK(ymd_parse_iso("26-12-31", &d) != 0, "ymd_parse_iso needs four-digit years");
	d = (struct ymd){ 1970, 1, 1 };
	CHECK_INT(ymd_to_days(&d), 0, "1970-01-01 is day 0");
	d = (struct ymd){ 2026, 12, 31 };
	CHECK_INT(ymd_to_days(&d), 20818, "2026-12-31 is day 20818");
	ymd_from_days(20818, &e);
	CHECK(ymd_cmp(&d, &e) == 0, "ymd_from_days inverts ymd_to_days");
	d = (struct ymd){ 1969, 12, 31 };
	CHECK_INT(ymd_to_days(&d), -1, "days before the epoch are negative");
	d = (struct ymd){ 2026, 12, 24 };
	CHECK_INT(ymd_weekday(&d), 4, "24 December 2026 is a Thursday");
	d = (struct ymd){ 2027, 3, 28 };
	CHECK_INT(ymd_weekday(&d), 0, "28 March 2027 is a Sunday");
	d = (struct ymd){ 2024, 2, 28 };
	ymd_add_days(&d, 1);
	ymd_format(&d, iso);
	CHECK_STR(iso, "2024-02-29", "add a day into a leap day");
	d = (struct ymd){ 2026, 12, 31 };
	ymd_add_days(&d, 1);
	ymd_format(&d, iso);
	CHECK_STR(iso, "2027-01-01", "add a day across a year");
	ymd_add_days(&d, -366);
	ymd_format(&d, iso);
	CHECK_STR(iso, "2025-12-31", "subtract 366 days");
	d = (struct ymd){ 2014, 4, 3 };
	e = (struct ymd){ 2014, 4, 4 };
	CHECK(ymd_cmp(&d, &e) < 0 && ymd_cmp(&e, &d) > 0 && ymd_cmp(&d, &d) == 0, "ymd_cmp orders");
	CHECK(ymd_valid(&d) && !ymd_valid(&(struct ymd){ 2014, 4, 31 }), "ymd_valid");

	/* The calendar of an RFC 5322 date-time (the message stage's Date). */
	{
		long long t = 0;

		CHECK(ukdate_utc_seconds(&(struct ymd){ 2026, 3, 2 }, 9, 30, 0, 100, &t) == 0 &&
		      t == 1772440200LL, "Mon, 2 Mar 2026 09:30:00 +0100 is 08:30Z");
		CHECK(ukdate_utc_seconds(&(struct ymd){ 1970, 1, 1 }, 0, 0, 0, -130, &t) == 0 &&
		      t == 5400, "a negative zone is added back");
		CHECK(ukdate_utc_seconds(&(struct ymd){ 2016, 12, 31 }, 23, 59, 60, 0, &t) == 0 &&
		      t == 1483228800LL, "a leap second is accepted");
		CHECK(ukdate_utc_seconds(&(struct ymd){ 2025, 2, 29 }, 0, 0, 0, 0, &t) == -1,
		      "29 February in a common year is refused");
		CHECK(ukdate_utc_seconds(&(struct ymd){ 2025, 1, 1 }, 24, 0, 0, 0, &t) == -1 &&
		      ukdate_utc_seconds(&(struct ymd){ 2025, 1, 1 }, 0, 0, 0, 9960, &t) == -1,
		      "hour 24 and zone +9960 are refused");
	}

	/* UK school year groups (1 September - 31 August). */
	CHECK_INT(year_group("2014-04-03", "2026-11-22"), 8, "born 3 Apr 2014: Year 8 in 2026-27");
	CHECK_INT(year_group("2016-09-21", "2026-11-22"), 5, "born 21 Sep 2016: Year 5");
	CHECK_INT(year_group("2019-01-30", "2026-11-22"), 3, "born 30 Jan 2019: Year 3");
	CHECK_INT(year_group("2011-07-12", "2026-11-22"), 11, "born 12 Jul 2011: Year 11");
	CHECK_INT(year_group("2016-02-29", "2026-11-12"), 6, "born 29 Feb 2016: Year 6");
	CHECK_INT(year_group("2022-08-31", "2026-11-22"), 0, "born 31 Aug 2022: Reception (youngest)");
	CHECK_INT(year_group("2021-09-01", "2026-11-22"), 0, "born 1 Sep 2021: Reception (oldest)");
	CHECK_INT(year_group("2021-08-31", "2026-11-22"), 1, "born 31 Aug 2021: Year 1, a day older than Reception");
	CHECK_INT(year_group("2014-04-03", "2026-08-31"), 7, "31 August is still the old school year");
	CHECK_INT(year_group("2014-04-03", "2026-09-01"), 8, "1 September starts the new school year");

	/* Easter Sunday (the spring census term ends at Easter). */
	{
		static const struct { int y, m, d; } easter[] = {
			{ 2024, 3, 31 }, { 2025, 4, 20 }, { 2026, 4, 5 }, { 2027, 3, 28 },
			{ 2038, 4, 25 }, { 2285, 3, 22 }, { 2000, 4, 23 },
		};

		for (size_t i = 0; i < sizeof easter / sizeof easter[0]; i++) {
			struct ymd es;

			ymd_easter(easter[i].y, &es);
			CHECK_INT(es.y * 10000 + es.m * 100 + es.d,
			          easter[i].y * 10000 + easter[i].m * 100 + easter[i].d,
			          "Easter Sunday of a known year (YYYYMMDD)");
		}
	}
	CHECK_INT(uk_school_year(&(struct ymd){ 2026, 8, 31 }), 2025, "31 August 2026: school year 2025");
	CHECK_INT(uk_school_year(&(struct ymd){ 2026, 9, 1 }), 2026, "1 September 2026: school year 2026");

	return tap_done();
}
