/*
 * caseref.c - case references ("CME-2026-00017") in a subject or a text,
 * as people type them.
 *
 * Contract: caseref_scan() appends every reference found in s[0..len) to
 * out in the canonical form CME-YYYY-NNNNN (upper case, hyphens), each
 * once, until out holds max.  A reference is "CME", an optional
 * separator, four digits, one separator, five digits, standing alone (no
 * letter or digit either side).  The separators are the ones a copy or a
 * retype makes of the hyphen: the hyphen itself, a space, a slash, a
 * full stop, an underscore, and the UTF-8 dashes Word's autocorrect and
 * web pages put in its place (U+2010..U+2014, U+2212) - a data table,
 * not a chain of ifs.  Nothing else is accepted: "CME 2026" alone, or a
 * four-digit number, is not a reference.
 *
 * Returns 0, or -1 when out of memory.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

static const char *const ref_separators[] = {
	"-", " ", "/", ".", "_",
	"\xe2\x80\x90", "\xe2\x80\x91", "\xe2\x80\x92",   /* hyphen, nb hyphen, figure dash */
	"\xe2\x80\x93", "\xe2\x80\x94",                   /* en dash, em dash */
	"\xe2\x88\x92",                                   /* minus sign */
};

/* The length of the separator at s[i..len), 0 if none. */
static size_t separator_at(const char *s, size_t len, size_t i)
{
	for (size_t k = 0; k < sizeof ref_separators / sizeof ref_separators[0]; k++) {
		size_t n = strlen(ref_separators[k]);

		if (i + n <= len && memcmp(s + i, ref_separators[k], n) == 0)
			return n;
	}
	return 0;
}

/* n digits at s[i..len): 1 and copies them to out, else 0. */
static int digits_at(const char *s, size_t len, size_t i, size_t n, char *out)
{
	if (i + n > len)
		return 0;
	for (size_t k = 0; k < n; k++) {
		if (!isdigit((unsigned char)s[i + k]))
			return 0;
		out[k] = s[i + k];
	}
	return 1;
}

/* A reference starting at s[i] ("CME" already matched): its end, else 0. */
static size_t ref_at(const char *s, size_t len, size_t i, char ref[15])
{
	size_t j = i + 3;

	j += separator_at(s, len, j);
	if (!digits_at(s, len, j, 4, ref + 4))
		return 0;
	j += 4;
	{
		size_t n = separator_at(s, len, j);

		if (n == 0)
			return 0;
		j += n;
	}
	if (!digits_at(s, len, j, 5, ref + 9))
		return 0;
	j += 5;
	if (j < len && isalnum((unsigned char)s[j]))
		return 0;
	memcpy(ref, "CME-", 4);
	ref[8] = '-';
	ref[14] = '\0';
	return j;
}

int caseref_scan(const char *s, size_t len, struct strlist *out, size_t max)
{
	for (size_t i = 0; i + 3 <= len; i++) {
		char ref[15];
		size_t end;

		if ((s[i] != 'C' && s[i] != 'c') || strncasecmp(s + i, "CME", 3) != 0 ||
		    (i > 0 && isalnum((unsigned char)s[i - 1])))
			continue;
		if ((end = ref_at(s, len, i, ref)) == 0)
			continue;
		if (out->n < max && strlist_add_unique(out, ref) != 0)
			return -1;
		i = end - 1;
	}
	return 0;
}
