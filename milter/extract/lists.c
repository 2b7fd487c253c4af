/*
 * lists.c - children written as a list, one a line, in the message's
 * unlabelled text:
 *
 *	1. ABDI, Hodan - DOB 11/11/2012 - Marsham High School
 *	2) CLARKE, Demi (DOB 3rd April 2013) - Year 9
 *	• Omar AL-HASSAN, DOB 02/12/2014
 *
 * or, without a marker, a household list one person a line, a name
 * then a comma, a bracket or a dash ("Tyler Harper, 09/01/2015, ...",
 * "Michelle Harper (mum, 31) 07700 900650"): its adults are the
 * parents (read once a child of the list was found).
 *
 * (records.c keeps a line without its leading '-' or '*', so such
 * bullets are not seen here.)
 * See extract_int.h.
 *
 * Owns: what a list item is (a number and '.' or ')', or a bullet, then
 * a name and a date of birth) and which items are children of the
 * referral: a household list also names parents (a parent or carer
 * relationship word) and children under or over compulsory school age,
 * who are not.  The item's parts are cut at " - ", brackets, commas and
 * semicolons; a part opening with a year word is the year group, a part
 * naming a school word is the school.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define LIST_CHILDREN 64        /* children read from lists in one message */
#define MAX_ITEM      300       /* bytes of one list item considered */

/* Bytes of a list marker at the start of a line ("1. ", "2) ", "(3) ",
 * "• "), or 0. */
static size_t list_marker(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 4 && memcmp(s, "\xe2\x80\xa2", 3) == 0)
		i = 3;
	else {
		if (i < len && s[i] == '(')
			i++;
		if (i >= len || !isdigit((unsigned char)s[i]))
			return 0;
		while (i < len && i < 4 && isdigit((unsigned char)s[i]))
			i++;
		if (i >= len || (s[i] != '.' && s[i] != ')'))
			return 0;
		i++;
	}
	if (i >= len || s[i] != ' ')
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/* 1 if a separating dash starts at s[i]: " - ", or a space and an en
 * or em dash. */
static int is_dash(const char *s, size_t i, size_t len)
{
	if (s[i] != ' ' || i + 2 >= len)
		return 0;
	if (s[i + 1] == '-' && s[i + 2] == ' ')
		return 1;
	return i + 3 < len && (unsigned char)s[i + 1] == 0xE2 && (unsigned char)s[i + 2] == 0x80 &&
	       ((unsigned char)s[i + 3] == 0x93 || (unsigned char)s[i + 3] == 0x94);
}

/* Where the name of an item ends: at " - " (or a dash), a bracket, a digit, a
 * semicolon, or a comma after which no surname-first forename follows
 * ("ABDI, Hodan - ..." keeps its comma; "Omar AL-HASSAN, DOB ..." does
 * not).  Then fields_name_part's cues ("born", "DOB") apply. */
static size_t item_name_end(const char *s, size_t len)
{
	size_t n = 0, commas = 0;

	while (n < len && s[n] != '(' && s[n] != ';' && !isdigit((unsigned char)s[n]) &&
	       !is_dash(s, n, len)) {
		if (s[n] == ',' && commas++ > 0)
			break;
		n++;
	}
	/* "Omar AL-HASSAN, DOB": the comma ends the name when a cue
	 * follows it; fields_name_part cuts there */
	{
		const char *comma = memchr(s, ',', n);

		if (comma) {
			size_t cl = (size_t)(comma - s), wl = n - cl - 1;
			const char *w = comma + 1;

			fields_trim(&w, &wl);
			if (wl == 0 || fields_name_part(w, wl) == 0)
				n = cl;
		}
	}
	while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ','))
		n--;
	return n;
}

/* 1 if every word of the name starts with a capital (or is a particle
 * such as "van"), none holds a colon, and there are at most five. */
static int looks_like_name(const char *s, size_t n, int *words)
{
	size_t i = 0;

	*words = 0;
	while (i < n) {
		size_t b;

		while (i < n && (s[i] == ' ' || s[i] == ','))
			i++;
		if (i >= n)
			break;
		b = i;
		while (i < n && s[i] != ' ' && s[i] != ',')
			i++;
		if (++*words > 5)
			return 0;
		if (!isupper((unsigned char)s[b]) && (unsigned char)s[b] < 0x80 &&
		    !fields_word_in(VW_SURNAME_PARTICLE, s + b, i - b))
			return 0;
		/* "Re: Sophie Anderson (D.O.B. ...)": a letter's heading,
		 * a word with a colon is a label, no name */
		if (memchr(s + b, ':', i - b) != NULL)
			return 0;
	}
	return *words > 0;
}

/* "Tayo Adeyemi    DOB 14/03/2018   Male": a gender written as a word
 * (male, female, boy, girl: four letters or more, so that a stray "M"
 * or "F" in a line is not read as one) anywhere on an item's line. */
#define GENDER_WORD_MIN 4
static void item_gender(struct cme_child *c, const char *s, size_t len)
{
	for (size_t i = 0; i < len && c->gender == NULL; ) {
		size_t b;

		while (i < len && !isalpha((unsigned char)s[i]))
			i++;
		for (b = i; i < len && isalpha((unsigned char)s[i]); i++)
			;
		if (i - b >= GENDER_WORD_MIN && (i == len || !(s[i] == '-' || s[i] == '\'' ||
		                                               (unsigned char)s[i] >= 0x80))) {
			const char *g = vocab_match_gender(s + b, i - b);

			if (g && (strcmp(g, "M") == 0 || strcmp(g, "F") == 0))
				c->gender = strdup(g);
		}
	}
}

/* The year group, school, UPN and gender among the item's parts after
 * the name (also a "Child 1: name, DOB, school" line's, records.c).  A
 * UPN's shape is its own label ("Yr 6   UPN X880412019011"), and an
 * item names one child. */
void lists_item_parts(struct cme_child *c, const char *s, size_t len)
{
	size_t i = 0;

	(void)fields_take_upn(c, s, len);
	item_gender(c, s, len);

	while (i < len) {
		size_t b = i, pl;
		const char *p;

		while (i < len && s[i] != '(' && s[i] != ')' && s[i] != ',' && s[i] != ';' &&
		       !is_dash(s, i, len))
			i++;
		p = s + b;
		pl = i - b;
		fields_trim(&p, &pl);
		i += is_dash(s, i, len) ? ((unsigned char)s[i + 1] == 0xE2 ? 4 : 2) : 1;
		if (pl == 0)
			continue;
		if (c->year_group < 0 && vocab_words_prefix(VW_PROSE_YEAR_WORD, p, pl, NULL)) {
			int y = fields_parse_year_group(p, pl);

			if (y >= 0) {
				c->year_group = y;
				continue;
			}
		}
		if (c->school == NULL && fields_memstr_any(p, pl, VW_SCHOOL_WORD) &&
		    isupper((unsigned char)p[0]))
			fields_set_str(&c->school, p, pl, 120);
	}
}

/* A household list's parent or carer ("Michelle Harper (mum, 31) 07700
 * 900650"): the item's name, the relationship word, a phone on the
 * line.  Only in a list without markers, where adults are listed with
 * the children. */
static void read_parent_item(struct reader *rd, const char *s, size_t len, size_t n,
                             const char *rel)
{
	struct cme_parent *p;
	size_t ps, pl;

	if (n == 0 || n > MAX_NAME || (p = referral_add_parent(rd->r, MAX_PARENTS)) == NULL)
		return;
	fields_set_str(&p->name, s, n, MAX_NAME);
	p->relationship = strdup(rel);
	if (fields_phone_find(s + n, len - n, &ps, &pl))
		fields_set_str(&p->phone, s + n + ps, pl, 32);
}

/* How much of an item may say whose it is: up to the end of its first
 * date (a parent's "(mum, 31)" comes before any; a child's line goes on
 * after its date of birth about anyone). */
static size_t relationship_span(const char *s, size_t len, size_t n)
{
	struct ymd d;
	size_t used;

	return ukdate_find(s + n, len - n, &d, &used) ? n + used : len;
}

/* One list item: a child made, or 0; in the LIST_PARENT pass a
 * household list's parent, and no child. */
enum list_pass { LIST_CHILD, LIST_PARENT };
static int read_item(struct reader *rd, const char *s, size_t len, enum list_pass pass)
{
	const char *rel;
	struct cme_child tmp, *c;
	size_t n, ncue;
	int words, cue = 0;
	const char *const *cues = vocab_words(VW_DOB_CUE, &ncue);

	if (len > MAX_ITEM)
		len = MAX_ITEM;
	n = item_name_end(s, len);
	/* "3. Date Of Birth 03/04/2014": a question, not a name (records.c
	 * reads most such lines as labels before they reach the prose) */
	if (n == 0 || n > MAX_NAME || !looks_like_name(s, n, &words) ||
	    vocab_label(s, n) != F_NONE)
		return 0;
	for (size_t k = 0; k < ncue && !cue; k++)
		cue = fields_memstr_ci(s + n, len - n, cues[k]) != NULL;
	/* "Monday 3 November": one word and a date is no name */
	if (!cue && words < 2)
		return 0;
	/* a parent or carer in a household list is not a child; a
	 * relationship word after the item's date is about someone else
	 * ("Mary-Kate Ward - 14/2/16 - mum says she was taken off roll") */
	if ((rel = vocab_match_relationship(s, relationship_span(s, len, n))) != NULL &&
	    !fields_memstr_any(s, len, VW_SIBLING_WORD)) {
		if (pass == LIST_PARENT)
			read_parent_item(rd, s, len, n, rel);
		return 0;
	}
	if (pass == LIST_PARENT)
		return 0;
	memset(&tmp, 0, sizeof tmp);
	tmp.year_group = -1;
	fields_set_date(rd, &tmp.dob, s + n, len - n);
	if (tmp.dob == NULL || fields_outside_school_age(rd, tmp.dob)) {
		free(tmp.dob);
		return 0;
	}
	fields_split_name(s, n, &tmp.forename, &tmp.surname);
	if (tmp.forename == NULL && tmp.surname == NULL) {
		free(tmp.dob);
		return 0;
	}
	lists_item_parts(&tmp, s + n, len - n);
	if ((c = fields_new_child_block(rd)) == NULL) {
		free(tmp.forename); free(tmp.surname); free(tmp.dob); free(tmp.school);
		free(tmp.upn);
		return 0;
	}
	c->forename = tmp.forename;
	c->surname = tmp.surname;
	c->dob = tmp.dob;
	c->school = tmp.school;
	if (tmp.upn) {
		c->upn = tmp.upn;
		c->upn_valid = tmp.upn_valid;
	}
	c->year_group = tmp.year_group;
	rd->cur = NULL;
	if (c == &rd->spill) {          /* past the cap: listed, not kept */
		fields_spill_flush(rd);
		return 0;
	}
	return 1;
}

/* An item without a marker: a line that opens with the name, then a
 * comma, a bracket or a dash ("Tyler Harper, 09/01/2015, was at ...",
 * "Michelle Harper (mum, 31) 07700 900650"): a household list, one
 * person a line, as housing and health write them. */
static int unmarked_item(const char *l, size_t ll)
{
	size_t n = item_name_end(l, ll > MAX_ITEM ? MAX_ITEM : ll);
	int words;

	/* "Mum, Claire Parker (07700 ...)" is a sentence about a parent */
	if (n == 0 || n >= ll || !looks_like_name(l, n, &words) || words < 2 ||
	    vocab_match_relationship(l, n) != NULL)
		return 0;
	while (n < ll && l[n] == ' ' && !is_dash(l, n, ll))
		n++;
	return n < ll && (l[n] == ',' || l[n] == '(' || is_dash(l, n, ll));
}

/* Items are lines with a list marker, or lines without one that open
 * with a name and a separator; a household list's parents are read from
 * the latter once a child was (a second pass). */
size_t lists_read_children(struct reader *rd)
{
	size_t made = 0;

	for (int pass = 0; pass < 2; pass++) {
		const char *s = strbuf_str(&rd->prose), *end = s + rd->prose.len;

		if (pass == 1 && (made == 0 || rd->r->n_parents > 0))
			break;
		while (s < end && made < LIST_CHILDREN) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t ll = nl ? (size_t)(nl - s) : (size_t)(end - s), m;
			const char *line = s;

			s = nl ? nl + 1 : end;
			while (ll > 0 && isspace((unsigned char)*line))
				line++, ll--;
			if ((m = list_marker(line, ll)) == 0 && !unmarked_item(line, ll))
				continue;
			if (pass == 0)
				made += (size_t)read_item(rd, line + m, ll - m, LIST_CHILD);
			else if (m == 0)
				(void)read_item(rd, line, ll, LIST_PARENT);
		}
	}
	return made;
}
