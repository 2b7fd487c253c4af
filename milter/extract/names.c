/*
 * names.c - a person's name in a value: where it ends, the title or
 * rank before it, and where the surname begins.  See extract_int.h.
 *
 * Owns: the rules for names (issue 12 item 4): a name ends where a date
 * of birth, a bracket or a phone number begins; a courtesy title or rank
 * and a collar number before it are dropped; "SURNAME, Forename" (one
 * word, capitals or particles before the comma); a surname begins at a
 * particle or at the capitalised words ending a mixed-case name; a
 * bracketed known-as name inside a name is dropped.  The words are
 * vocabulary (name_end, name_tail, name_title, surname_particle).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

size_t fields_spaced_dash(const char *s, size_t i, size_t len)
{
	size_t d;

	if (i >= len || s[i] != ' ')
		return 0;
	if (i + 1 < len && s[i + 1] == '-')
		d = 1;
	else if (i + 3 < len && (unsigned char)s[i + 1] == 0xE2 && (unsigned char)s[i + 2] == 0x80 &&
	         ((unsigned char)s[i + 3] == 0x93 || (unsigned char)s[i + 3] == 0x94))
		d = 3;
	else
		return 0;
	return i + 1 + d < len && s[i + 1 + d] == ' ' ? d : 0;
}

/* Text up to the first '(' or ',' or phone number or " - ": the name
 * part of "Siobhán O'Brien (mother), tel 07700 900456". */
size_t fields_name_part(const char *s, size_t len)
{
	size_t n = 0;

	/* up to a bracket, comma, digit or a spaced dash ("Elena Petrova -
	 * 07700 ...", also an en or em dash as Word types it) */
	while (n < len && s[n] != '(' && s[n] != ',' && s[n] != ';' && s[n] != '<' &&
	       !isdigit((unsigned char)s[n]) && fields_spaced_dash(s, n, len) == 0)
		n++;
	/* "Ali Khan born 3rd Apr 2014", "Ali Khan DOB 03/04/2014": the name
	 * ends where the date of birth is introduced. */
	{
		size_t ncues;
		const char *const *cues = vocab_words(VW_NAME_END, &ncues);

		for (size_t i = 0; i < ncues; i++) {
			const char *hit = fields_memstr_ci(s, n, cues[i]);
			size_t cl = strlen(cues[i]);

			if (hit && ((size_t)(hit - s) + cl >= n ||
			            !isalpha((unsigned char)hit[cl])))
				n = (size_t)(hit - s);
		}
	}
	/* drop a trailing "tel"/"tel:"/"mob" word left before the number */
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	{
		size_t ntails;
		const char *const *tails = vocab_words(VW_NAME_TAIL, &ntails);

		for (size_t i = 0; i < ntails; i++) {
			size_t tl = strlen(tails[i]);

			if (n >= tl && strncasecmp(s + n - tl, tails[i], tl) == 0) {
				n -= tl;
				break;
			}
		}
	}
	return n;
}

/* Split a full name into forename(s) and surname.  "SMITH, Jayden" and
 * "Smith, Jayden" (surname first, comma) are recognised; otherwise the
 * last word is the surname. */
/* "Alexander (Alex) JONES": a bracketed known-as name inside a full
 * name is dropped, so the legal forename and the surname remain.  A
 * bracket that ends the name ("Ali Khan (brother)") is left for
 * fields_name_part to cut.  Returns the length written to out. */
static size_t drop_known_as(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outsz; i++) {
		const char *close;
		size_t k;

		if (s[i] == '(' && (close = memchr(s + i, ')', len - i)) != NULL) {
			k = (size_t)(close - s) + 1;
			while (k < len && s[k] == ' ')
				k++;
			if (k < len && isalpha((unsigned char)s[k])) {
				i = k - 1;      /* the name goes on after it */
				continue;
			}
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	return o;
}

/* Case of a word: 1 if it has a letter and no lower-case one (ASCII, or
 * a Latin-1 letter in UTF-8: C3 80-9E upper, C3 9F-BF lower). */
int fields_all_caps(const char *w, size_t n)
{
	int letters = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (islower(c))
			return 0;
		if (c == 0xC3 && i + 1 < n) {
			unsigned char d = (unsigned char)w[++i];

			if (d >= 0x9F)
				return 0;
			letters++;
		} else if (isupper(c)) {
			letters++;
		}
	}
	return letters > 1 || (letters == 1 && n == 1);
}

/* 1 if w[0..n) is a word of the list, compared without ASCII case and
 * with a Latin-1 capital in UTF-8 folded ("NÍ" is "ní"). */
int fields_word_in(enum vocab_words list, const char *w, size_t n)
{
	size_t nw;
	const char *const *words = vocab_words(list, &nw);

	for (size_t k = 0; k < nw; k++) {
		size_t wl = strlen(words[k]), i;

		if (wl != n)
			continue;
		for (i = 0; i < n; i++) {
			unsigned char a = (unsigned char)w[i], b = (unsigned char)words[k][i];

			if (i > 0 && (unsigned char)w[i - 1] == 0xC3 && a >= 0x80 && a <= 0x9E)
				a = (unsigned char)(a + 0x20);
			if (tolower(a) != tolower(b))
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

#define MAX_NAME_WORDS 12

/* The words of s[0..len): starts and lengths; returns how many (at most
 * MAX_NAME_WORDS; more is not a name). */
static size_t name_words(const char *s, size_t len, size_t at[], size_t wl[])
{
	size_t n = 0, i = 0;

	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		if (i >= len)
			break;
		if (n == MAX_NAME_WORDS)
			return MAX_NAME_WORDS + 1;
		at[n] = i;
		while (i < len && s[i] != ' ')
			i++;
		wl[n] = i - at[n];
		n++;
	}
	return n;
}

/* Bytes of a title or rank, and a collar number after it, that open a
 * person's name: "Mr ", "Sgt ", "PC 4471 ". */
size_t fields_title_len(const char *s, size_t len)
{
	size_t i = 0, guard = 0;

	while (i < len && guard++ < 3) {
		size_t e = i, k;

		while (e < len && isalpha((unsigned char)s[e]))
			e++;
		k = e;
		if (k < len && s[k] == '.')
			k++;
		if (e == i || k >= len || s[k] != ' ' || !fields_word_in(VW_NAME_TITLE, s + i, e - i))
			break;
		while (k < len && s[k] == ' ')
			k++;
		/* a collar or staff number: "PC 4471", "PC4471" is one word */
		if (k < len && isdigit((unsigned char)s[k])) {
			while (k < len && (isdigit((unsigned char)s[k]) || s[k] == '/'))
				k++;
			while (k < len && s[k] == ' ')
				k++;
		}
		i = k;
	}
	return i;
}

/* Where the surname begins among a name's words (n >= 2): the last
 * word, or earlier at a particle ("Noor van der Berg", "Aoife Ní
 * Bhriain"), or at the first of the capitalised words that end a name
 * written "Mateo GARCÍA LÓPEZ". */
static size_t surname_word(const char *s, const size_t at[], const size_t wl[], size_t n)
{
	size_t first = n - 1;

	if (!fields_all_caps(s + at[0], wl[0]) && fields_all_caps(s + at[n - 1], wl[n - 1]))
		while (first > 1 && fields_all_caps(s + at[first - 1], wl[first - 1]))
			first--;
	for (size_t i = 1; i + 1 < n && i < first; i++)
		if (fields_word_in(VW_SURNAME_PARTICLE, s + at[i], wl[i])) {
			first = i;
			break;
		}
	return first;
}

/* "VAN DER BERG, Noor", "van der Berg, Noor": the part before a comma is
 * a surname when it is one word, written in capitals, or its words
 * before the last are particles. */
static int comma_surname(const char *a, size_t al)
{
	size_t at[MAX_NAME_WORDS + 1], wl[MAX_NAME_WORDS + 1];
	size_t n = name_words(a, al, at, wl);

	if (n == 1)
		return 1;
	if (n == 0 || n > 4)
		return 0;
	if (fields_all_caps(a, al))
		return 1;
	for (size_t i = 0; i + 1 < n; i++)
		if (!fields_word_in(VW_SURNAME_PARTICLE, a + at[i], wl[i]))
			return 0;
	return 1;
}

/* In place: a typographic apostrophe in a name (U+2019, U+2018, U+02BC,
 * as Word and phones type them) becomes the ASCII one officers type and
 * search for ("O\u2019Rourke" is O'Rourke). */
void fields_fold_apostrophes(char *s)
{
	size_t o = 0;

	if (s == NULL)
		return;
	for (size_t i = 0; s[i]; ) {
		unsigned char a = (unsigned char)s[i], b = a ? (unsigned char)s[i + 1] : 0;

		if ((a == 0xE2 && b == 0x80 && ((unsigned char)s[i + 2] == 0x99 ||
		                                (unsigned char)s[i + 2] == 0x98)) ||
		    (a == 0xCA && b == 0xBC)) {
			s[o++] = '\'';
			i += a == 0xE2 ? 3 : 2;
		} else {
			s[o++] = s[i++];
		}
	}
	s[o] = '\0';
}

/* A UK mobile number as officers dial and search for it, "07700
 * 900612", however it was typed ("+44 7700 900612", "(0044) 7700-900612",
 * "07700900612"): *slot is replaced by a new string (the tidy form may be
 * longer than what was typed); left as it is when it is any other number
 * (a landline, whose area code has 2 to 5 digits; a number abroad) or
 * when no memory is left. */
void fields_tidy_phone(char **slot)
{
	char d[16], tidy[13], *v;
	size_t n = 0;
	const char *p;

	if (slot == NULL || *slot == NULL)
		return;
	for (p = *slot; *p && n < sizeof d - 1; p++) {
		if (isdigit((unsigned char)*p))
			d[n++] = *p;
		else if (!strchr(" -()+", *p))
			return;
	}
	if (*p)
		return;
	d[n] = '\0';
	if (n == 12 && strncmp(d, "447", 3) == 0)
		p = d + 2;              /* +44 7...: the national 07... */
	else if (n == 14 && strncmp(d, "00447", 5) == 0)
		p = d + 4;
	else if (n == 11 && strncmp(d, "07", 2) == 0)
		p = d + 1;
	else
		return;
	/* p: the 10 digits after the leading 0 */
	snprintf(tidy, sizeof tidy, "0%.4s %.6s", p, p + 4);
	if ((v = strdup(tidy)) == NULL)
		return;
	free(*slot);
	*slot = v;
}

static int followed_by_digit(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	return len > 0 && isdigit((unsigned char)*s);
}

void fields_split_name(const char *s, size_t len, char **forename, char **surname)
{
	char plain[MAX_NAME * 2 + 1];
	const char *comma;
	size_t n, t;

	fields_trim(&s, &len);
	t = fields_title_len(s, len);
	s += t, len -= t;
	if (len < sizeof plain && memchr(s, '(', len)) {
		len = drop_known_as(s, len, plain, sizeof plain);
		s = plain;
	}
	comma = memchr(s, ',', len);
	if (comma) {
		const char *a = s, *b = comma + 1;
		size_t al = (size_t)(comma - s), bl = len - al - 1;

		fields_trim(&b, &bl);
		n = fields_name_part(b, bl);
		while (n > 0 && isspace((unsigned char)b[n - 1]))
			n--;
		/* "JAYDEN SMITH, Year 5": what follows is no forename */
		if (al > 0 && n > 0 && comma_surname(a, al) &&
		    (memchr(a, ' ', al) == NULL || !followed_by_digit(b + n, bl - n))) {
			fields_set_str(surname, a, al, MAX_NAME);
			fields_set_str(forename, b, n, MAX_NAME);
			return;
		}
	}
	n = fields_name_part(s, len);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n > MAX_NAME)
		return;
	{
		size_t at[MAX_NAME_WORDS + 1], wl[MAX_NAME_WORDS + 1];
		size_t nw = name_words(s, n, at, wl), sw;

		if (nw > MAX_NAME_WORDS)
			return;
		if (nw == 1) {
			fields_set_str(surname, s, n, MAX_NAME);   /* one word: a surname */
			return;
		}
		sw = surname_word(s, at, wl, nw);
		fields_set_str(forename, s, at[sw], MAX_NAME);
		fields_set_str(surname, s + at[sw], n - at[sw], MAX_NAME);
	}
}
