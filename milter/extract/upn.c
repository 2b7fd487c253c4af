/*
 * upn.c - Unique Pupil Number check letters (DfE "UPN" guidance).
 *
 * Owns: nothing but the arithmetic.  A permanent UPN is a check letter
 * followed by 12 digits; a temporary one has a letter from the same
 * 23-letter alphabet in its last position.  The check letter is
 * (sum over positions 2..13 of value x weight) mod 23, weights 2..13,
 * where a digit's value is the digit and a letter's value is its index
 * in the alphabet (only position 13 may be a letter).
 */
#include <ctype.h>
#include <string.h>

#include "upn.h"

static const char upn_alphabet[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

static int upn_letter_value(int c)
{
	const char *p = strchr(upn_alphabet, toupper(c));

	return (c != 0 && p != NULL) ? (int)(p - upn_alphabet) : -1;
}

int upn_valid(const char *upn)
{
	int sum = 0;

	if (upn == NULL || strlen(upn) != 13 || upn_letter_value(upn[0]) < 0)
		return 0;
	for (int i = 1; i < 13; i++) {
		int c = (unsigned char)upn[i], v;

		if (isdigit(c))
			v = c - '0';
		else if (i == 12 && (v = upn_letter_value(c)) >= 0)
			;       /* temporary UPN: letter in the last place */
		else
			return 0;
		sum += v * (i + 1);
	}
	return upn_alphabet[sum % 23] == toupper((unsigned char)upn[0]);
}

/* A token of 13 characters: letter, 11 digits, digit or letter, not
 * part of a longer word. */
int upn_find(const char *text, size_t len, char out[14])
{
	for (size_t i = 0; i + 13 <= len; i++) {
		const unsigned char *p = (const unsigned char *)text + i;
		size_t k;

		if (!isalpha(p[0]) || (i > 0 && isalnum(p[-1])))
			continue;
		for (k = 1; k < 12 && isdigit(p[k]); k++)
			;
		if (k != 12 || !isalnum(p[12]))
			continue;
		if (i + 13 < len && isalnum(p[13]))
			continue;
		for (k = 0; k < 13; k++)
			out[k] = (char)toupper(p[k]);
		out[13] = '\0';
		return 1;
	}
	return 0;
}
