/*
 * ukdate.h - dates as English schools write them, and the calendar.
 *
 * NAME
 *	ukdate - find dates in text; civil-date arithmetic
 *
 * "03/04/2014" is 3 April (UK order), also "3rd April 2014", "3 Apr 2014",
 * "03.04.2014", "2014-04-03", "Tuesday 3 April 2014", two-digit years.
 *
 * Owns: the month names and every piece of calendar arithmetic in the
 * product (leap years, days since the epoch, weekdays, school years,
 * the time of an RFC 5322 date-time).  A utility: it depends on nothing
 * else here; the message and extract stages and cmectl use it.
 * Functions on struct ymd are named ymd_* after the type, not ukdate_*.
 *
 * Return conventions: finders return 1 (found) or 0; parsers and
 * converters return 0 or -1 (invalid input); predicates 1 or 0.
 *
 * Concurrency: pure functions, no state; safe from any thread, no time
 * zone (no mktime/localtime).
 */
#ifndef CME_UKDATE_H
#define CME_UKDATE_H

#include <stddef.h>

struct ymd { int y, m, d; };

/* 1 when text[0..len) begins with a month's name or abbreviation
 * ("September", "Nov."), a whole word; 0 otherwise. */
int ukdate_month_word(const char *text, size_t len);

/* Find the first date in text[0..len) (UTF-8, need not be NUL-terminated;
 * nothing outside the range is read).  Returns 1 and fills *out (and
 * *consumed, if not NULL: bytes from text to the end of the date) if
 * found.  Years 1900-2199; a two-digit year is 20YY up to 2068, else
 * 19YY (with ukdate_find_ref: 20YY up to ref's year + 10). */
int ukdate_find(const char *text, size_t len, struct ymd *out, size_t *consumed);

/* A date without a year ("20 October", "20/10") resolves to the latest
 * such date not after `ref`.  ukdate_find_ref does that; ukdate_find
 * needs a year. */
int ukdate_find_ref(const char *text, size_t len, const struct ymd *ref,
                    struct ymd *out, size_t *consumed);

int  ymd_valid(const struct ymd *d);
int  ymd_cmp(const struct ymd *a, const struct ymd *b);
void ymd_format(const struct ymd *d, char out[11]);     /* YYYY-MM-DD */
void ukdate_format_hhmm(int h, int m, char out[6]);     /* HH:MM, 0 <= h < 24, 0 <= m < 60 */
int  ymd_parse_iso(const char *s, struct ymd *out);    /* strict YYYY-MM-DD */
int  ymd_weekday(const struct ymd *d);                  /* 0 = Sunday */
void ymd_add_days(struct ymd *d, int n);
long ymd_to_days(const struct ymd *d);                  /* days since 1970-01-01 */
void ymd_from_days(long days, struct ymd *out);

/* Seconds since 1970-01-01T00:00Z of the date-time d hour:min:sec at
 * zone (RFC 5322 +HHMM as an integer, -9959..9959; sec may be 60).
 * Returns 0, or -1 if any field is out of range.  Syntax is the
 * caller's (the message stage reads it with libetpan). */
int  ukdate_utc_seconds(const struct ymd *d, int hour, int min, int sec,
                        int zone, long long *out);

/* UK school year group of a child born `dob`, in the school year that
 * contains `on` (1 Sep - 31 Aug).  0 = Reception; may be <0 or >13. */
int  uk_year_group(const struct ymd *dob, const struct ymd *on);
/* The school year containing d, by the year it starts in (1 Sep). */
int  uk_school_year(const struct ymd *d);
/* Easter Sunday of year y (Gregorian). */
void ymd_easter(int y, struct ymd *out);

#endif
