/*
 * subject_child.c - a child named only in the Subject ("CME referral -
 * Oliver Nowak Y6", "Children missing education: Amy LEE DOB
 * 02/03/2015") of a message whose body gives the child's details but
 * no name.  See extract_int.h.
 *
 * Owns: nothing at run time.  The reading:
 *   - only when the body names no child (no child, or one child with
 *     no name) and the message is no reply and names no case: a reply's
 *     or an update's subject repeats a case's child, it refers nobody;
 *   - the subject holds a referral word (words.vocab
 *     subject_referral_word) and, after it, a separator (" - ", an en
 *     or em dash between spaces, ": ", " | "); the name is what follows
 *     the first separator after the referral word;
 *   - the name is two or three capitalised words of letters (hyphens
 *     and apostrophes inside), none a title, an organisation, role or
 *     school word, nor a referral word; a year word, a DOB cue or a
 *     word with a digit ends it;
 *   - after the name (past spaces, commas, brackets and dashes) comes
 *     the subject's end, a year group ("Y6", "Year 6", "Reception"), a
 *     DOB cue or a date: anything else and the words are no name
 *     ("CME referral - Riverside Junior School", "... - Urgent Please
 *     Read Today");
 *   - the child's year group and date of birth are the subject's, else
 *     a date of birth is the first date right after a DOB cue in the
 *     prose that puts a child in school age ("DOB 21.03.2016.").
 * Decided where the spec is silent: README.  Bounded: the subject is at
 * most 998 bytes (read_headers); every window is a fixed size.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

#define NAME_WORDS_MAX 3
#define TAIL_WINDOW    40     /* bytes of the subject after the name read */
#define DOB_WINDOW     24     /* bytes after a body DOB cue the date is in */

/* The end of the earliest referral word in s, or 0 if none. */
static size_t referral_word_end(const char *s, size_t len)
{
	size_t n, best = 0;
	long first = -1;
	const char *const *w = vocab_words(VW_SUBJECT_REFERRAL_WORD, &n);

	for (size_t k = 0; k < n; k++) {
		long at = vocab_phrase_find(s, len, w[k], 0);

		if (at >= 0 && (first < 0 || at < first ||
		                (at == first && (size_t)at + strlen(w[k]) > best))) {
			first = at;
			best = (size_t)at + strlen(w[k]);
		}
	}
	return best;
}

/* Where the text after the first separator from s[i] begins, or 0. */
static size_t after_separator(const char *s, size_t len, size_t i)
{
	static const char *const sep[] = {
		" - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", ": ", " | "
	};

	for (; i < len; i++)
		for (size_t k = 0; k < sizeof sep / sizeof sep[0]; k++) {
			size_t sl = strlen(sep[k]);

			if (len - i >= sl && memcmp(s + i, sep[k], sl) == 0)
				return i + sl;
		}
	return 0;
}

/* The end of the name word at s[i]: letters (and UTF-8), hyphens and
 * apostrophes inside, a capital first; i if there is none. */
static size_t name_word_end(const char *s, size_t len, size_t i)
{
	size_t e = i;
	unsigned char c = (unsigned char)s[i];

	if (!(isupper(c) || (c >= 0xC0 && c != 0xE2)))
		return i;
	while (e < len && (isalpha((unsigned char)s[e]) || (unsigned char)s[e] >= 0x80 ||
	                   ((s[e] == '-' || s[e] == '\'') && e > i)))
		e++;
	if (e < len && s[e] != ' ' && s[e] != ',' && s[e] != '(')
		return i;       /* "Y6", "D.O.B.": no name word */
	return e - i >= 2 && e - i <= MAX_NAME / 2 ? e : i;
}

/* 1 if the word s[0..n) ends a name or cannot be in one. */
static int not_name_word(const char *s, size_t n, int words)
{
	static const enum vocab_words lists[] = {
		VW_NAME_TITLE, VW_ORG_WORD, VW_ROLE_WORD, VW_SCHOOL_WORD,
		VW_SUBJECT_REFERRAL_WORD, VW_PROSE_YEAR_WORD, VW_DOB_CUE
	};

	for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
		if (fields_word_in(lists[k], s, n))
			return 1;
	return words >= 2 && vocab_words_prefix(VW_RECEPTION_PREFIX, s, n, NULL);
}

/* 1 if the tail after a name says a child follows: nothing, a year
 * group, a DOB cue or a date. */
static int child_tail(struct reader *rd, const char *s, size_t len)
{
	char *d = NULL;
	size_t wl;

	if (len == 0)
		return 1;
	if (prose_year_in(s, len < 12 ? len : 12) >= 0 &&
	    (vocab_words_prefix(VW_PROSE_YEAR_WORD, s, len, &wl) ||
	     vocab_words_prefix(VW_RECEPTION_PREFIX, s, len, &wl)))
		return 1;
	if (vocab_words_prefix(VW_DOB_CUE, s, len, &wl))
		return 1;
	if (!isdigit((unsigned char)s[0]))
		return 0;
	fields_set_date(rd, &d, s, len);
	free(d);
	return d != NULL;
}

/* The name in the subject: its start and end in *b, *e; 1 if read. */
static int subject_name(struct reader *rd, const char *s, size_t len, size_t *b,
                        size_t *e)
{
	size_t i, t, words = 0, end = 0;

	if ((i = referral_word_end(s, len)) == 0 || (i = after_separator(s, len, i)) == 0)
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	*b = i;
	while (words < NAME_WORDS_MAX && i < len) {
		size_t we = name_word_end(s, len, i);

		if (we == i || not_name_word(s + i, we - i, (int)words))
			break;
		words++;
		end = we;
		i = we;
		if (i + 1 < len && s[i] == ' ')
			i++;
		else
			break;
	}
	if (words < 2)
		return 0;
	for (t = end; t < len && strchr(" ,()-/", s[t]); t++)
		;
	while (t + 3 <= len && memcmp(s + t, "\xe2\x80", 2) == 0 &&
	       ((unsigned char)s[t + 2] == 0x93 || (unsigned char)s[t + 2] == 0x94))
		for (t += 3; t < len && s[t] == ' '; t++)
			;
	if (!child_tail(rd, s + t, len - t < TAIL_WINDOW ? len - t : TAIL_WINDOW))
		return 0;
	*e = end;
	return 1;
}

/* The date in s[0..n) into *slot if it puts a child in school age (a
 * parent's birth date, or "last seen 02/10/2026", is not a child's);
 * *slot stays NULL otherwise. */
static void school_age_date(struct reader *rd, char **slot, const char *s, size_t n)
{
	fields_set_date(rd, slot, s, n);
	if (fields_outside_school_age(rd, *slot)) {
		free(*slot);
		*slot = NULL;
	}
}

/* The first date right after a DOB cue in the prose that puts a child in
 * school age, into *slot. */
static void dob_in_prose(struct reader *rd, char **slot)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len, n;
	const char *const *w = vocab_words(VW_DOB_CUE, &n);

	for (size_t k = 0; k < n && *slot == NULL; k++) {
		long at = -1;

		while (*slot == NULL && (at = vocab_phrase_find(s, len, w[k], (size_t)(at + 1))) >= 0) {
			size_t off = (size_t)at + strlen(w[k]);

			school_age_date(rd, slot, s + off,
			                len - off < DOB_WINDOW ? len - off : DOB_WINDOW);
		}
	}
}

void subject_read_child(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	struct cme_child *c;
	const char *s = r->subject;
	size_t len, b, e, t, idx;

	if (s == NULL || rd->is_reply || r->in_reply_to || r->case_refs.n ||
	    rd->common.forename || rd->common.surname || r->n_children > 1 ||
	    (r->n_children == 1 && (r->children[0].forename || r->children[0].surname)))
		return;
	len = strlen(s);
	if (!subject_name(rd, s, len, &b, &e))
		return;
	if (r->n_children == 0) {
		if ((c = fields_new_child_block(rd)) == NULL)
			return;
		rd->cur = NULL;
		if (c == &rd->spill)
			return;         /* max_children 0: nobody is kept */
	} else {
		c = &r->children[0];
	}
	fields_split_name(s + b, e - b, &c->forename, &c->surname);
	idx = (size_t)(c - r->children);
	provenance_note_child(rd, idx, "forename", "the Subject");
	provenance_note_child(rd, idx, "surname", "the Subject");
	t = len - e < TAIL_WINDOW ? len - e : TAIL_WINDOW;
	if (c->year_group < 0 && (c->year_group = prose_year_in(s + e, t)) >= 0)
		provenance_note_child(rd, idx, "year_group", "the Subject");
	if (c->dob == NULL && rd->common.dob == NULL) {
		/* a date in the subject is the child's birth date when it
		 * puts a child in school age ("- Y6 - last seen 02/10/2026"
		 * does not) */
		school_age_date(rd, &c->dob, s + e, t);
		if (c->dob)
			provenance_note_child(rd, idx, "dob", "the Subject");
		if (c->dob == NULL)
			dob_in_prose(rd, &c->dob);
	}
}
