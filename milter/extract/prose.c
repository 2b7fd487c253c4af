/*
 * prose.c - the signature (after a valediction, or a trailing name
 * paragraph) that names the referrer, role and organisation.  Children,
 * parents and addresses in sentences are prose_child.c's.  See
 * extract_int.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

/* Does this line look like a person's name: two or three capitalised
 * words, no digits or punctuation beyond hyphen and apostrophe? */
static int looks_like_name(const char *s, size_t len)
{
	int words = 0, in_word = 0;

	if (len < 3 || len > 40)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ') {
			in_word = 0;
			continue;
		}
		if (isdigit(c) || (c < 0x80 && !isalpha(c) && c != '-' && c != '\'' && c != '.'))
			return 0;
		if (!in_word) {
			if (!(isupper(c) || c >= 0xC0))
				return 0;
			words++;
			in_word = 1;
		}
	}
	return words >= 2 && words <= 3;
}

/* A signature with no "Regards" before it: the last paragraph of the
 * text, of two to four short lines, whose first line is the sender's
 * display name or looks like a name. */
void prose_trailing_signature(struct reader *rd, const char *s, size_t len)
{
	const char *lines[5];
	size_t lens[5], n = 0, end = len;

	while (end > 0 && isspace((unsigned char)s[end - 1]))
		end--;
	while (end > 0 && n < 5) {
		size_t b = end;

		while (b > 0 && s[b - 1] != '\n')
			b--;
		{
			const char *l = s + b;
			size_t ll = end - b;

			fields_trim(&l, &ll);
			if (ll == 0)
				break;  /* the blank line above the paragraph */
			lines[n] = l;
			lens[n] = ll;
			n++;
		}
		if (b == 0)
			break;
		end = b - 1;
	}
	if (n < 2 || n > 4)
		return;
	/* lines[] is bottom-up; the first line of the paragraph is last */
	{
		const char *first = lines[n - 1];
		size_t fl = lens[n - 1];
		int is_sender = rd->from_name && strlen(rd->from_name) == fl &&
		                strncasecmp(rd->from_name, first, fl) == 0;

		if (!is_sender && !looks_like_name(first, fl))
			return;
		for (size_t i = 0; i < n; i++) {
			if (lens[n - 1 - i] > 100)
				return;
		}
		for (size_t i = 0; i < n && i < 4; i++)
			rd->signature[i] = fields_dup_trimmed(lines[n - 1 - i], lens[n - 1 - i], 100);
	}
}


int prose_is_school_name(const char *s)
{
	size_t l = strlen(s);

	return fields_memstr_any(s, l, VW_SCHOOL_WORD);
}

void prose_signature_referrer(struct reader *rd)
{
	struct cme_person *ref = &rd->r->referrer;

	for (int i = 0; i < 4 && rd->signature[i]; i++) {
		const char *line = rd->signature[i];
		size_t ll = strlen(line);
		int is_org = fields_memstr_any(line, ll, VW_ORG_WORD);
		int is_role = fields_memstr_any(line, ll, VW_ROLE_WORD);

		/* "School Admissions Officer" is a role; "Head of Year 10,
		 * Lowestoft Academy" is a role and an organisation. */
		if (is_role && !memchr(line, ',', ll) && i > 0) {
			fields_set_str(&ref->role, line, ll, 120);
			continue;
		}
		if (i == 0 && !is_org && ll <= 60) {
			fields_set_referrer(rd, line, ll);
			continue;
		}
		if (is_org) {
			const char *comma = strrchr(line, ',');

			const char *org = comma ? comma + 1 : line;

			/* "Head of Year 10, Lowestoft Academy" */
			if (comma && ref->role == NULL && i > 0)
				fields_set_str(&ref->role, line, (size_t)(comma - line), 120);
			/* "Attendance Team" then "Randal Cremer Primary School":
			 * the school is the organisation, the team a role. */
			if (ref->organisation && !prose_is_school_name(ref->organisation) &&
			    prose_is_school_name(org)) {
				if (ref->role == NULL)
					ref->role = ref->organisation;
				else
					free(ref->organisation);
				ref->organisation = NULL;
			}
			fields_set_str(&ref->organisation, org, comma ? strlen(org) : ll, 120);
		} else if (i > 0 && ref->role == NULL) {
			fields_set_str(&ref->role, line, ll, 120);
		}
	}
}

