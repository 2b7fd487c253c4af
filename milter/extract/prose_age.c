/*
 * prose_age.c - children the public name in prose with an approximate
 * age and no date of birth: "Maryam Begum who is 11", "Bella (about
 * 9)", "her brother Reggie is maybe 6", "the lad next door Kieran (Kez)
 * Doyle has not been at school for weeks, he's about 10".  See
 * extract_int.h.
 *
 * Owns: nothing at run time.  The reading:
 *   - an age is a number of school age (4 to 16) not part of a date, a
 *     time or a quantity (no unit word after it: "6 weeks", "10 am"),
 *     optionally with a suffix ("years old", "yrs");
 *   - before it, over up to two hedge words ("about", "maybe"), an
 *     opening bracket or a lead ("who is", "is", "aged"): the name is
 *     the one to three capitalised words right before; or a pronoun lead
 *     ("he's", "she is"): the name is the last capitalised one before it
 *     in the same sentence;
 *   - a name after "my", a relationship word other than a sibling's, a
 *     title or a place word ("in", "at") is no child's, nor a single
 *     word opening a sentence or a line ("He is 10"), nor a road's or a
 *     school's.
 * Which words are leads, hedges and units is vocab's business.  Bounded:
 * at most AGE_CHILDREN children; every look back is a fixed window.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define AGE_CHILDREN  8
#define AGE_MIN       4
#define AGE_MAX       16
#define LEAD_SLACK    8       /* extra white space a lead may span */
#define SENTENCE_BACK 200     /* bytes a pronoun's name is looked for in */
#define KNOWN_AS_MAX  24      /* bytes of a bracketed known-as name */
#define HEDGES_MAX    2

static int space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static int word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || c == '\'';
}

/* The phrase ph at s[i] (before lim): whole words, a space matching a
 * run of white space, a typographic apostrophe matching "'", ASCII case
 * folded.  Its length, or 0. */
static size_t phrase_at(const char *s, size_t lim, size_t i, const char *ph)
{
	size_t k = i;

	if (i > 0 && word_byte((unsigned char)s[i - 1]))
		return 0;
	for (const char *p = ph; *p; p++) {
		if (*p == ' ') {
			if (k >= lim || !space((unsigned char)s[k]))
				return 0;
			while (k < lim && space((unsigned char)s[k]))
				k++;
		} else if (*p == '\'' && k + 2 < lim && memcmp(s + k, "\xe2\x80\x99", 3) == 0) {
			k += 3;
		} else if (k < lim && tolower((unsigned char)s[k]) == tolower((unsigned char)*p)) {
			k++;
		} else {
			return 0;
		}
	}
	if (k < lim && isalnum((unsigned char)s[k]))
		return 0;
	return k - i;
}

/* A phrase of the list starting at s[i]: its length, or 0. */
static size_t list_after(const char *s, size_t len, size_t i, enum vocab_words list)
{
	size_t n, best = 0, ml;
	const char *const *w = vocab_words(list, &n);

	for (size_t k = 0; k < n; k++)
		if ((ml = phrase_at(s, len, i, w[k])) > best)
			best = ml;
	return best;
}

/* A phrase of the list ending exactly at s[e]: its start (the longest),
 * or -1. */
static long list_before(const char *s, size_t e, enum vocab_words list)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);
	long best = -1;

	for (size_t k = 0; k < n; k++) {
		size_t wl = strlen(w[k]);
		size_t from = e > wl + LEAD_SLACK ? e - wl - LEAD_SLACK : 0;

		for (size_t st = from; st < e; st++)
			if (phrase_at(s, e, st, w[k]) == e - st) {
				if (best < 0 || (long)st < best)
					best = (long)st;
				break;
			}
	}
	return best;
}

static size_t back_spaces(const char *s, size_t e)
{
	while (e > 0 && space((unsigned char)s[e - 1]))
		e--;
	return e;
}

/* 1 if a number at s[i] is a school-age age: not part of a date, a time,
 * an amount or a house number, and no unit word after it. */
static int age_at(const char *s, size_t len, size_t i)
{
	size_t j = i, n = 0, k;

	if (i > 0 && (word_byte((unsigned char)s[i - 1]) || strchr("/:.-#\xa3$", s[i - 1])))
		return 0;
	while (j < len && isdigit((unsigned char)s[j]) && j - i < 3)
		n = n * 10 + (size_t)(s[j++] - '0');
	if (j - i > 2 || n < AGE_MIN || n > AGE_MAX)
		return 0;
	if (j < len && (isalnum((unsigned char)s[j]) || strchr("/:%-", s[j]) ||
	                (s[j] == '.' && j + 1 < len && isdigit((unsigned char)s[j + 1]))))
		return 0;
	k = j;
	while (k < len && space((unsigned char)s[k]))
		k++;
	k += list_after(s, len, k, VW_AGE_SUFFIX);
	while (k < len && space((unsigned char)s[k]))
		k++;
	return !(k < len && isalpha((unsigned char)s[k]) && list_after(s, len, k, VW_AGE_UNIT) > 0);
}

/* 1 if s[i] opens a sentence or a line: the text's start, after ".",
 * "!" or "?", or after a newline (the prose keeps a paragraph break as
 * one). */
static int sentence_start(const char *s, size_t i)
{
	size_t p = i;

	while (p > 0 && (s[p - 1] == ' ' || s[p - 1] == '\t' || s[p - 1] == '\r'))
		p--;
	return p == 0 || strchr(".!?\n", s[p - 1]) != NULL;
}

/* The capitalised word ending at s[e]: its start, or -1 (two bytes at
 * least). */
static long cap_word_before(const char *s, size_t e)
{
	size_t w = e;

	while (w > 0 && (isalpha((unsigned char)s[w - 1]) || (unsigned char)s[w - 1] >= 0x80 ||
	                 s[w - 1] == '-' || s[w - 1] == '\''))
		w--;
	if (e - w < 2 || e - w > MAX_NAME / 2 ||
	    !(isupper((unsigned char)s[w]) || (unsigned char)s[w] >= 0xC0))
		return -1;
	return (long)w;
}

/* One to three capitalised words ending at s[e], over one bracketed
 * known-as name between ("Kieran (Kez) Doyle"): their start, or -1. */
static long name_back(const char *s, size_t e)
{
	long b = -1, w;
	int words = 0;

	while (words < 3 && (w = cap_word_before(s, e)) >= 0) {
		size_t p = (size_t)w;

		b = w;
		words++;
		if (p < 2 || !(s[p - 1] == ' ' || (s[p - 1] == '\n' && s[p - 2] != '\n')))
			break;
		e = p - 1;
		if (s[e - 1] == ')') {          /* a known-as name */
			size_t o = e - 1;

			while (o > 0 && e - o < KNOWN_AS_MAX && s[o - 1] != '(' && s[o - 1] != '\n')
				o--;
			if (o == 0 || s[o - 1] != '(' || o < 2 || s[o - 2] != ' ')
				break;
			e = o - 2;
		}
	}
	return b;
}

/* 1 if the name s[b..e) is a referred child's by the words around it. */
static int child_name(const char *s, size_t b, size_t e)
{
	size_t p = back_spaces(s, b), w = p, last = e;
	const char *rel;

	while (last > b && !space((unsigned char)s[last - 1]))
		last--;
	if (fields_word_in(VW_NOT_PLACE_WORD, s + last, e - last) ||
	    fields_memstr_any(s + b, e - b, VW_SCHOOL_WORD))
		return 0;
	if (memchr(s + b, ' ', e - b) == NULL && memchr(s + b, '\n', e - b) == NULL &&
	    sentence_start(s, b))
		return 0;       /* "He is 10" */
	while (w > 0 && isalpha((unsigned char)s[w - 1]))
		w--;
	if (w == p)
		return 1;
	if (fields_word_in(VW_AGE_NOT_CHILD_BEFORE, s + w, p - w) ||
	    fields_word_in(VW_NAME_TITLE, s + w, p - w))
		return 0;
	rel = vocab_match_relationship(s + w, p - w);
	return rel == NULL || fields_word_in(VW_SIBLING_WORD, rel, strlen(rel));
}

/* The name an age at s[i] is attached to: its start in *b and end in
 * *e, 1 if there is one. */
static int name_of_age(const char *s, size_t i, size_t *b, size_t *e)
{
	size_t at = back_spaces(s, i);
	long st, nb;
	int pronoun = 0;

	for (int hedges = 0;; hedges++) {
		if (at > 0 && s[at - 1] == '(') {
			st = (long)at - 1;
			break;
		}
		if ((st = list_before(s, at, VW_AGE_LEAD)) >= 0)
			break;
		if ((st = list_before(s, at, VW_AGE_PRONOUN_LEAD)) >= 0) {
			pronoun = 1;
			break;
		}
		if (hedges >= HEDGES_MAX || (st = list_before(s, at, VW_AGE_HEDGE)) < 0)
			return 0;
		at = back_spaces(s, (size_t)st);
	}
	at = (size_t)st;
	while (at > 0 && (space((unsigned char)s[at - 1]) || s[at - 1] == ','))
		at--;
	if (pronoun) {          /* the last capitalised word in the sentence */
		size_t lim = at > SENTENCE_BACK ? at - SENTENCE_BACK : 0;

		while (at > lim && !strchr(".!?", s[at - 1]) && cap_word_before(s, at) < 0)
			at--;
		if (at <= lim || strchr(".!?", s[at - 1]))
			return 0;
	}
	if ((nb = name_back(s, at)) < 0 || !child_name(s, (size_t)nb, at))
		return 0;
	*b = (size_t)nb;
	*e = at;
	return 1;
}

static int known_child(const struct cme_referral *r, const char *fore, const char *sur)
{
	for (size_t i = 0; i < r->n_children; i++) {
		const struct cme_child *c = &r->children[i];

		if (c->forename && fore && strcasecmp(c->forename, fore) == 0 &&
		    ((c->surname == NULL && sur == NULL) ||
		     (c->surname && sur && strcasecmp(c->surname, sur) == 0)))
			return 1;
	}
	return 0;
}

size_t prose_children_by_age(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len, made = 0, b, e;

	for (size_t i = 0; i < len && made < AGE_CHILDREN; i++) {
		struct cme_child *c;
		char *fore = NULL, *sur = NULL;

		if (!isdigit((unsigned char)s[i]) || !age_at(s, len, i) ||
		    !name_of_age(s, i, &b, &e))
			continue;
		if (memchr(s + b, ' ', e - b) || memchr(s + b, '\n', e - b))
			fields_split_name(s + b, e - b, &fore, &sur);
		else            /* one word: a forename ("Bella (about 9)") */
			fields_set_str(&fore, s + b, e - b, MAX_NAME);
		if (fore == NULL || known_child(rd->r, fore, sur) ||
		    (c = fields_new_child_block(rd)) == NULL) {
			free(fore);
			free(sur);
			continue;
		}
		c->forename = fore;
		c->surname = sur;
		rd->cur = NULL;
		if (c == &rd->spill) {          /* past the cap: listed, not kept */
			fields_spill_flush(rd);
			continue;
		}
		made++;
	}
	return made;
}
