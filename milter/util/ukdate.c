/*
 * ukdate.c - dates as English schools write them, and the small
 * calendar helpers (days since the epoch, weekdays, school year groups)
 * the rest of the pipeline builds on.  See ukdate.h.
 *
 * Input is untrusted UTF-8 that is NOT NUL-terminated: every read is
 * checked against the [text, text+len) bound.  Numeric dates are UK order
 * (day first) unless the first field has four digits (ISO order).
 */
#include <stdio.h>
#include <string.h>

#include "ukdate.h"

/* Years outside this window are not dates a CME referral talks about;
 * rejecting them keeps "1234/56/78"-style numbers from becoming dates. */
#define UKDATE_MIN_YEAR 1900
#define UKDATE_MAX_YEAR 2199

/* ------------------------------------------------------------------ */
/* Calendar helpers                                                    */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int ymd_valid(const struct ymd *d)
{
	return d != NULL && d->y >= 1 && d->y <= 9999 && d->m >= 1 && d->m <= 12 &&
	       d->d >= 1 && d->d <= days_in_month(d->y, d->m);
}

int ymd_cmp(const struct ymd *a, const struct ymd *b)
{
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->m != b->m)
		return a->m < b->m ? -1 : 1;
	if (a->d != b->d)
		return a->d < b->d ? -1 : 1;
	return 0;
}

/* Written by hand rather than with snprintf so that out-of-range fields
 * can never overflow the fixed 11-byte buffer the API promises. */
void ymd_format(const struct ymd *d, char out[11])
{
	int y = d->y, m = d->m, day = d->d;

	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	if (m < 0 || m > 99)
		m = 0;
	if (day < 0 || day > 99)
		day = 0;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + day / 10);
	out[9] = (char)('0' + day % 10);
	out[10] = '\0';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int ymd_parse_iso(const char *s, struct ymd *out)
{
	struct ymd d;

	if (s == NULL)
		return -1;
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (!is_digit(s[i])) {
			return -1;
		}
	}
	if (s[10] != '\0')
		return -1;
	d.y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d.m = (s[5] - '0') * 10 + (s[6] - '0');
	d.d = (s[8] - '0') * 10 + (s[9] - '0');
	if (!ymd_valid(&d))
		return -1;
	*out = d;
	return 0;
}

/* Days from civil date (proleptic Gregorian), after H. Hinnant's
 * public-domain algorithm: exact for every year, no tables, no mktime()
 * (which would drag the process time zone into pure date arithmetic). */
long ymd_to_days(const struct ymd *d)
{
	long y = d->y - (d->m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long mp = (d->m + 9) % 12;
	long doy = (153 * mp + 2) / 5 + d->d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int ukdate_utc_seconds(const struct ymd *d, int hour, int min, int sec,
                       int zone, long long *out)
{
	long long t;
	int sign, az;

	if (!ymd_valid(d) || hour < 0 || hour > 23 || min < 0 || min > 59 ||
	    sec < 0 || sec > 60 || zone < -9959 || zone > 9959)
		return -1;
	t = (long long)ymd_to_days(d) * 86400LL + hour * 3600LL + min * 60LL + sec;
	sign = zone < 0 ? -1 : 1;
	az = zone * sign;
	/* +0100 is an hour ahead of UTC: subtract it */
	t -= sign * ((az / 100) * 3600LL + (az % 100) * 60LL);
	*out = t;
	return 0;
}

void ymd_from_days(long days, struct ymd *out)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;

	out->y = (int)(yoe + era * 400 + (m <= 2));
	out->m = (int)m;
	out->d = (int)d;
}

int ymd_weekday(const struct ymd *d)
{
	long days = ymd_to_days(d);
	/* 1970-01-01 was a Thursday (4). */
	long w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

void ymd_add_days(struct ymd *d, int n)
{
	ymd_from_days(ymd_to_days(d) + n, d);
}

/* The school year runs 1 September - 31 August.  A child starts
 * Reception in the school year in which they turn 5, i.e. the school year
 * beginning five years after the start of their "birth school year". */
int uk_school_year(const struct ymd *d)
{
	return d->m >= 9 ? d->y : d->y - 1;
}

int uk_year_group(const struct ymd *dob, const struct ymd *on)
{
	return uk_school_year(on) - uk_school_year(dob) - 5;
}

/* Easter Sunday, Gregorian (the anonymous algorithm of Nature, 1876). */
void ymd_easter(int y, struct ymd *out)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;

	out->y = y;
	out->m = (h + l - 7 * m + 114) / 31;
	out->d = (h + l - 7 * m + 114) % 31 + 1;
}

/* ------------------------------------------------------------------ */
/* Scanning free text                                                  */

static int lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (unsigned char)c;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of a Unicode space (U+00A0, U+2000-U+200A, U+202F) encoded at
 * t[p], or 0.  HTML-converted mail is full of no-break spaces, and they
 * separate words just like ' ' does. */
static size_t unicode_space_at(const char *t, size_t len, size_t p)
{
	const unsigned char *u = (const unsigned char *)t;

	if (p + 1 < len && u[p] == 0xC2 && u[p + 1] == 0xA0)
		return 2;
	if (p + 2 < len && u[p] == 0xE2 && u[p + 1] == 0x80 &&
	    ((u[p + 2] >= 0x80 && u[p + 2] <= 0x8A) || u[p + 2] == 0xAF))
		return 3;
	return 0;
}

/* Length of an en or em dash (U+2013, U+2014) at t[p], or 0. */
static size_t unicode_dash_at(const char *t, size_t len, size_t p)
{
	const unsigned char *u = (const unsigned char *)t;

	if (p + 2 < len && u[p] == 0xE2 && u[p + 1] == 0x80 &&
	    (u[p + 2] == 0x93 || u[p + 2] == 0x94))
		return 3;
	return 0;
}

/* Is the character starting at t[p] part of a word?  ASCII letters and
 * digits are, and so is any other non-ASCII character ("3éApril" is not
 * a date), except the Unicode spaces and dashes above. */
static int word_char_at(const char *t, size_t len, size_t p)
{
	if (p >= len)
		return 0;
	if ((unsigned char)t[p] < 0x80)
		return is_alpha(t[p]) || is_digit(t[p]);
	return !unicode_space_at(t, len, p) && !unicode_dash_at(t, len, p);
}

/* Is the character ending just before t[p] part of a word?  Continuation
 * bytes are walked back (at most 3) to find the lead byte. */
static int word_char_before(const char *t, size_t len, size_t p)
{
	size_t start;

	if (p == 0)
		return 0;
	start = p - 1;
	while (start > 0 && p - start < 4 && ((unsigned char)t[start] & 0xC0) == 0x80)
		start--;
	return word_char_at(t, len, start);
}

/* Read 1..maxdigits digits at text[*pos]; a longer run is not a field of
 * a date (a phone number or a UPN), so it fails. */
static int read_number(const char *t, size_t len, size_t *pos, int maxdigits,
                       int *value, int *ndigits)
{
	size_t p = *pos;
	int v = 0, n = 0;

	while (p < len && is_digit(t[p])) {
		if (n == maxdigits)
			return 0;
		v = v * 10 + (t[p] - '0');
		n++;
		p++;
	}
	if (n == 0)
		return 0;
	*value = v;
	*ndigits = n;
	*pos = p;
	return 1;
}

/* Does a case-insensitive ASCII word `w` start at t[p] and end at a word
 * boundary?  Returns its length or 0. */
static size_t match_word(const char *t, size_t len, size_t p, const char *w)
{
	size_t n = strlen(w);

	if (n > len - p)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(t[p + i]) != w[i])
			return 0;
	if (word_char_at(t, len, p + n))
		return 0;
	return n;
}

static const struct {
	const char *name;
	int month;
} month_names[] = {
	{ "january", 1 }, { "february", 2 }, { "march", 3 }, { "april", 4 },
	{ "may", 5 }, { "june", 6 }, { "july", 7 }, { "august", 8 },
	{ "september", 9 }, { "october", 10 }, { "november", 11 }, { "december", 12 },
	{ "sept", 9 },
	{ "jan", 1 }, { "feb", 2 }, { "mar", 3 }, { "apr", 4 }, { "jun", 6 },
	{ "jul", 7 }, { "aug", 8 }, { "sep", 9 }, { "oct", 10 }, { "nov", 11 },
	{ "dec", 12 },
};

/* A month name or abbreviation (optionally followed by '.') at t[*pos]. */
static int read_month_name(const char *t, size_t len, size_t *pos, int *month)
{
	size_t p = *pos;

	if (p >= len || !is_alpha(t[p]))
		return 0;
	for (size_t i = 0; i < sizeof month_names / sizeof month_names[0]; i++) {
		size_t n = match_word(t, len, p, month_names[i].name);

		if (n) {
			p += n;
			if (p < len && t[p] == '.')
				p++;
			*month = month_names[i].month;
			*pos = p;
			return 1;
		}
	}
	return 0;
}

int ukdate_month_word(const char *text, size_t len)
{
	size_t pos = 0;
	int month;

	return read_month_name(text, len, &pos, &month);
}

/* Spaces, tabs, Unicode spaces and the punctuation people put
 * between the parts of a written date ("3-Apr-2014", "April 3, 2014"). */
static size_t skip_separators(const char *t, size_t len, size_t p, int allow_punct)
{
	for (;;) {
		size_t n;

		if (p < len && (t[p] == ' ' || t[p] == '\t')) {
			p++;
		} else if ((n = unicode_space_at(t, len, p)) != 0) {
			p += n;
		} else if (allow_punct && p < len &&
		           (t[p] == ',' || t[p] == '-' || t[p] == '/' || t[p] == '.')) {
			p++;
		} else if (allow_punct && (n = unicode_dash_at(t, len, p)) != 0) {
			p += n;
		} else {
			return p;
		}
	}
}

/* "st", "nd", "rd", "th" after a day number. */
static size_t skip_ordinal(const char *t, size_t len, size_t p)
{
	static const char *const suffixes[] = { "st", "nd", "rd", "th" };

	for (size_t i = 0; i < 4; i++) {
		size_t n = match_word(t, len, p, suffixes[i]);

		if (n)
			return p + n;
	}
	return p;
}

/* A two-digit year is put in the century that lands it nearest to "now":
 * not more than 10 years after the reference year (a CME mailbox talks
 * about children's births, past attendance and the next visit, never of a
 * date decades ahead), or POSIX's 2068 pivot without one.  So "14" is
 * 2014 and "98" (a parent's birth year) is 1998. */
static int expand_year(int y, int ndigits, const struct ymd *ref)
{
	int limit;

	if (ndigits == 4)
		return y;
	if (ndigits != 2)
		return -1;
	limit = ref ? ref->y + 10 : 2068;
	return 2000 + y <= limit ? 2000 + y : 1900 + y;
}

static int year_ok(int y)
{
	return y >= UKDATE_MIN_YEAR && y <= UKDATE_MAX_YEAR;
}

/* The latest `month`/`day` not after ref; a 29 February falls back to the
 * last leap year. */
static int resolve_yearless(int month, int day, const struct ymd *ref, struct ymd *out)
{
	struct ymd d;

	if (ref == NULL || month < 1 || month > 12 || day < 1 || day > 31)
		return 0;
	for (int y = ref->y; y >= ref->y - 8; y--) {
		d.y = y;
		d.m = month;
		d.d = day;
		if (ymd_valid(&d) && ymd_cmp(&d, ref) <= 0) {
			*out = d;
			return 1;
		}
	}
	return 0;
}

/* Numeric dates starting at t[p]: D/M/Y, D.M.Y, D-M-Y (UK order),
 * Y-M-D and Y/M/D (four-digit year first), and D/M when a reference date
 * supplies the year.  Returns the end offset or 0. */
static size_t parse_numeric(const char *t, size_t len, size_t p,
                            const struct ymd *ref, struct ymd *out)
{
	int a, b, c, na, nb, nc;
	char sep;
	size_t q = p;
	struct ymd d;

	if (!read_number(t, len, &q, 4, &a, &na))
		return 0;
	if (q >= len || (t[q] != '/' && t[q] != '.' && t[q] != '-'))
		return 0;
	sep = t[q++];
	if (!read_number(t, len, &q, 2, &b, &nb))
		return 0;
	if (q + 1 < len && t[q] == sep && is_digit(t[q + 1])) {
		q++;
		if (!read_number(t, len, &q, 4, &c, &nc))
			return 0;
		/* "1.2.3.4" or "01/02/2014/5" is something else. */
		if (q + 1 < len && (t[q] == sep) && is_digit(t[q + 1]))
			return 0;
		if (na == 4) {
			if (nc > 2)
				return 0;
			d.y = a;
			d.m = b;
			d.d = c;
		} else {
			if (na > 2)
				return 0;
			d.y = expand_year(c, nc, ref);
			d.m = b;
			d.d = a;
		}
		if (!year_ok(d.y) || !ymd_valid(&d))
			return 0;
		*out = d;
		return q;
	}
	/* Day and month only: "20/10".  Only with '/', which is how people
	 * write a short date; "3.5" and "3-5" are far more often numbers or
	 * ranges. */
	if (ref == NULL || sep != '/' || na > 2)
		return 0;
	if (q < len && (t[q] == '/' || is_digit(t[q])))
		return 0;
	if (!resolve_yearless(b, a, ref, out))
		return 0;
	return q;
}

/* Optional year after a written date: ", 2014", " 2014", "-14". */
static size_t read_optional_year(const char *t, size_t len, size_t p,
                                 const struct ymd *ref, int *year)
{
	size_t q = skip_separators(t, len, p, 1);
	int y, ny;

	if (q == p && q < len && is_digit(t[q]))
		return p;     /* "April3" - no separator, not a year */
	if (!read_number(t, len, &q, 4, &y, &ny))
		return p;
	if (ny != 4 && ny != 2)
		return p;
	/* "3 April 10:30" - the number is an hour, not a year. */
	if (q < len && t[q] == ':')
		return p;
	y = expand_year(y, ny, ref);
	if (!year_ok(y))
		return p;
	*year = y;
	return q;
}

/* Written day-first dates: "3rd April 2014", "3 Apr 2014", "3rd of April
 * 2014", "03-Apr-14"; or month-first "April 3rd, 2014". */
static size_t parse_written(const char *t, size_t len, size_t p,
                            const struct ymd *ref, struct ymd *out)
{
	size_t q = p, end;
	int day = 0, nd, month = 0, year = 0;
	struct ymd d;

	if (is_digit(t[p])) {
		if (!read_number(t, len, &q, 2, &day, &nd))
			return 0;
		q = skip_ordinal(t, len, q);
		q = skip_separators(t, len, q, 1);
		{
			size_t of = match_word(t, len, q, "of");

			if (of)
				q = skip_separators(t, len, q + of, 0);
		}
		if (!read_month_name(t, len, &q, &month))
			return 0;
	} else {
		if (!read_month_name(t, len, &q, &month))
			return 0;
		q = skip_separators(t, len, q, 0);
		if (!read_number(t, len, &q, 2, &day, &nd))
			return 0;
		q = skip_ordinal(t, len, q);
		if (word_char_at(t, len, q))
			return 0;
	}
	end = read_optional_year(t, len, q, ref, &year);
	if (end == q) {
		if (!resolve_yearless(month, day, ref, &d))
			return 0;
		*out = d;
		return q;
	}
	d.y = year;
	d.m = month;
	d.d = day;
	if (!ymd_valid(&d))
		return 0;
	*out = d;
	return end;
}

static int scan(const char *text, size_t len, const struct ymd *ref,
                struct ymd *out, size_t *consumed)
{
	if (text == NULL)
		return 0;
	for (size_t p = 0; p < len; p++) {
		size_t end;
		struct ymd d;

		/* A date starts a word: not inside "E935204414117" or "ab12". */
		if (word_char_before(text, len, p))
			continue;
		/* Nor continues a numeric run like "1.2.3" or "2014-04-03-". */
		if (p > 1 && is_digit(text[p - 2]) &&
		    (text[p - 1] == '/' || text[p - 1] == '.' || text[p - 1] == '-') &&
		    is_digit(text[p]))
			continue;
		if (is_digit(text[p])) {
			end = parse_numeric(text, len, p, ref, &d);
			if (!end)
				end = parse_written(text, len, p, ref, &d);
		} else if (is_alpha(text[p])) {
			end = parse_written(text, len, p, ref, &d);
		} else {
			continue;
		}
		if (end) {
			*out = d;
			if (consumed)
				*consumed = end;
			return 1;
		}
	}
	return 0;
}

int ukdate_find(const char *text, size_t len, struct ymd *out, size_t *consumed)
{
	return scan(text, len, NULL, out, consumed);
}

int ukdate_find_ref(const char *text, size_t len, const struct ymd *ref,
                    struct ymd *out, size_t *consumed)
{
	if (ref != NULL && !ymd_valid(ref))
		ref = NULL;
	return scan(text, len, ref, out, consumed);
}

void ukdate_format_hhmm(int h, int m, char out[6])
{
	snprintf(out, 6, "%02d:%02d", h, m);
}
