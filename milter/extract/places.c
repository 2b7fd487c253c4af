/*
 * places.c - where a sentence says the child went: the reason a move
 * written in prose gives.  See extract_int.h.
 *
 * Owns: nothing at run time.  The cues and places are vocabulary
 * (words.vocab: move_cue, agent_move_cue, weak_move_cue, stay_cue, arrival_cue,
 * posting_cue, uk_place, not_place_word), so an LA adds its
 * neighbours' towns in VocabularyDir.  The reading:
 *
 *   - "moved to X", "moving to X", "relocated to X" (a move cue): X a
 *     country is moved-abroad; X any other capitalised place is
 *     moved-out-of-area (a UK town, a county: the default, since the
 *     list of UK places is open-ended) unless its sentence names a
 *     country ("Returning to Poland - moving back to Gdansk"), other
 *     than where they came "from": then the town is there, moved-abroad.  X a school, an address ("moved
 *     to 22 Station Road", "moved to Flat 3") or lower-case ("moved to
 *     another school") says nothing about the area;
 *   - "gone to X", "now living in X", "somewhere near X" (a weak cue):
 *     only when X is a country or a town or county in the tables; so
 *     also "moving in with her sister in X" (a stay cue: X after "in"
 *     in the same clause);
 *   - "moved by the Home Office to Cardiff", "rehoused by the council
 *     in ...", "relocated last week to ..." (an agent cue): the place
 *     after "to" in the same clause, as after a move cue;
 *   - the place may follow where the family stays: "moved to a hotel in
 *     Manchester" (a few lower-case words, then "in" or "near");
 *   - the place may follow a label's colon or cell ("Town / LA moving
 *     to: Doncaster");
 *   - "arrived from X", "came over from X" (an arrival cue) is a family
 *     moving INTO the area: moved-into-area-no-school; so is a move to
 *     a house or a town "from X" in the same sentence ("moved to 2 Mill
 *     Row, Oldbury OF7 5LN from Swansea", "moved to Westmere from
 *     Peterborough in August"): who writes "to X from Y" writes from X
 *     (a decision: "moved to Leeds from here" says "here", no place);
 *   - a parent "deployed overseas", "posted to Germany", "stationed in
 *     Cyprus" is not the child moving abroad: places_mask() blanks those
 *     spans, and the arrivals, before the word scorer reads the text for
 *     "overseas" or a country's name.
 * The first cue in the text decides: a referral tells the move first.
 *
 * Bounded: at most PLACE_WORDS words are read after a cue; nothing is
 * allocated.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define PLACE_WORDS 4








/* The first occurrence of any phrase of the list at or after from: its
 * position and the phrase's length, or -1. */
static long first_cue(const char *s, size_t len, enum vocab_words list, size_t from,
                      size_t *cl)
{
	size_t n;
	const char *const *cues = vocab_words(list, &n);
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		long at;

		if (vocab_word_absent(list, i, s, len))
			continue;
		at = vocab_phrase_find(s, len, cues[i], from);

		if (at >= 0 && (best < 0 || at < best ||
		                (at == best && strlen(cues[i]) > *cl))) {
			best = at;
			*cl = strlen(cues[i]);
		}
	}
	return best;
}

static size_t skip_blank(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t'))
		i++;
	return i;
}

static int in_list(const char *s, size_t len, enum vocab_words list, size_t *used)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);

	for (size_t i = 0; i < n; i++)
		if (vocab_phrase_find(s, len, w[i], 0) == 0) {
			if (used)
				*used = strlen(w[i]);
			return 1;
		}
	return 0;
}

static int destination(const char *s, size_t len, size_t i, int any);

/* 1 if the sentence around s[i] names a country, not as where the family
 * came "from": a town the tables do not know is then in that country
 * ("Returning to Poland - family moving back to Gdansk", "moved to
 * Kielce, Poland").  At most SENTENCE_REACH bytes either side. */
#define SENTENCE_REACH 160
static int sentence_end(const char *s, size_t len, size_t k)
{
	return strchr("!?", s[k]) || (s[k] == '.' && (k + 1 >= len || s[k + 1] == ' ' ||
	                                               s[k + 1] == '\n')) ||
	       (s[k] == '\n' && k + 1 < len && s[k + 1] == '\n');
}

static int country_in_sentence(const char *s, size_t len, size_t i)
{
	size_t b = i, e = i, used, prev = 0;

	while (b > 0 && i - b < SENTENCE_REACH && !sentence_end(s, len, b - 1))
		b--;
	while (e < len && e - i < SENTENCE_REACH && !sentence_end(s, len, e))
		e++;
	for (size_t k = b; k < e; k++) {
		if (k > b && isalpha((unsigned char)s[k - 1]))
			continue;
		if (!isalpha((unsigned char)s[k]))
			continue;
		if (vocab_country_at(s + k, e - k, &used) &&
		    !(k - prev == 5 && strncasecmp(s + prev, "from ", 5) == 0))
			return 1;
		prev = k;
	}
	return 0;
}

/* "moved to a hotel in Manchester", "relocated to temporary
 * accommodation in Luton", "moved to a new house near Leeds": a few
 * lower-case words (where they stay, not where) and then "in" or "near"
 * with the place after it (a month after "in" is a time).  Not "moved
 * to another school": no preposition.  The place after it must be capitalised, so this runs
 * once per cue, never twice. */
#define LODGING_WORDS 4
static int lodging_destination(const char *s, size_t len, size_t i)
{
	size_t end = len - i < 80 ? len : i + 80;

	for (int w = 0; w < LODGING_WORDS && i < end && islower((unsigned char)s[i]); w++) {
		size_t e = i;

		while (e < end && isalpha((unsigned char)s[e]))
			e++;
		if (e >= end || (s[e] != ' ' && s[e] != '\n'))
			return 0;
		if (w > 0 && ((e - i == 2 && strncmp(s + i, "in", 2) == 0) ||
		              (e - i == 4 && strncmp(s + i, "near", 4) == 0))) {
			size_t j = skip_blank(s, len, e);

			/* "in September" is when, not where */
			return j < len && isupper((unsigned char)s[j]) &&
			       !ukdate_month_word(s + j, len - j) ? destination(s, len, j, 1) : 0;
		}
		i = skip_blank(s, end, e);
	}
	return 0;
}

/* The destination after a cue at s[i]: 2 a country, 1 a UK place
 * (listed, or any capitalised place when `any`), 0 none. */
static int destination(const char *s, size_t len, size_t i, int any)
{
	size_t used, end, words = 0;

	i = skip_blank(s, len, i);
	if (i < len && (s[i] == ':' || s[i] == '|'))  /* "Town moving to: Leeds" */
		i = skip_blank(s, len, i + 1);
	if (i < len && (s[i] == '"' || s[i] == '\''))
		i++;
	else if (len - i > 3 && memcmp(s + i, "\xe2\x80", 2) == 0 &&
	         ((unsigned char)s[i + 2] == 0x9c || (unsigned char)s[i + 2] == 0x98))
		i += 3;         /* an opening curly quote */
	if (len - i > 4 && strncasecmp(s + i, "the ", 4) == 0)
		i += 4;
	if (i >= len)
		return 0;
	end = len - i < 80 ? len : i + 80;
	if (vocab_country_at(s + i, end - i, &used))
		return 2;
	if (in_list(s + i, end - i, VW_UK_PLACE, &used))
		return 1;
	if (any && islower((unsigned char)s[i]))
		return lodging_destination(s, len, i);
	if (!any || !isupper((unsigned char)s[i]))
		return 0;
	/* any capitalised place, unless it is an address or a school */
	for (size_t k = i; k < end && words < PLACE_WORDS; words++) {
		if (in_list(s + k, end - k, VW_NOT_PLACE_WORD, NULL))
			return 0;
		while (k < end && !strchr(" \n\t,.;", s[k]))
			k++;
		if (k < end && s[k] != ' ')
			break;
		k = skip_blank(s, end, k);
	}
	return country_in_sentence(s, len, i) ? 2 : 1;
}

/* After a stay or agent cue at s[i]: the place after the preposition
 * ("in", "to") in the same clause, over hard wraps (at most
 * CLAUSE_WINDOW bytes on), as destination() says. */
#define CLAUSE_WINDOW 120
static int clause_destination(const char *s, size_t len, size_t i, const char *prep, int any)
{
	size_t end = len - i < CLAUSE_WINDOW ? len : i + CLAUSE_WINDOW, pl = strlen(prep);

	for (size_t k = i; k + pl + 2 < end && !strchr(".;,", s[k]); k++) {
		if (s[k] == '\n' && s[k + 1] == '\n')
			break;
		if ((s[k] == ' ' || s[k] == '\n') && strncasecmp(s + k + 1, prep, pl) == 0 &&
		    (s[k + 1 + pl] == ' ' || s[k + 1 + pl] == '\n'))
			return destination(s, len, k + 1 + pl, any);
	}
	return 0;
}

/* The first cue of the list whose clause names a destination after
 * prep: the destination's kind (destination()), or 0. */
static int clause_move(const char *s, size_t len, enum vocab_words list, const char *prep,
                       int any)
{
	size_t wl = 0;
	long w = -1;
	int d;

	while ((w = first_cue(s, len, list, (size_t)(w + 1), &wl)) >= 0)
		if (!vocab_negated_at(s, (size_t)w) &&
		    (d = clause_destination(s, len, (size_t)w + wl, prep, any)) != 0)
			return d;
	return 0;
}

/* After a move cue at s[i]: 1 if the same sentence then says where the
 * family came "from" (a place): the move is an arrival, here.  Either
 * to a house ("moved to 2 Mill Row, Oldbury Fen OF7 5LN from Swansea":
 * the house is the child's address) or to a town ("moved to Westmere
 * from Peterborough in August", "we moved to Brayford on 19th October
 * from Birmingham": who writes "to X from Y" writes from X; who writes
 * of a family leaving names where they went, not where they left). */
#define ARRIVAL_SPAN_MAX 120
static int arrival_from(const char *s, size_t len, size_t i)
{
	size_t end;

	i = skip_blank(s, len, i);
	end = len - i < ARRIVAL_SPAN_MAX ? len : i + ARRIVAL_SPAN_MAX;
	for (size_t k = i; k + 6 < end; k++) {
		if (strchr(";!?", s[k]) || (s[k] == '.' && (s[k + 1] == ' ' || s[k + 1] == '\n')) ||
		    (s[k] == '\n' && s[k + 1] == '\n'))
			return 0;
		if ((s[k] == ' ' || s[k] == '\n') && strncasecmp(s + k + 1, "from", 4) == 0 &&
		    (s[k + 5] == ' ' || s[k + 5] == '\n')) {
			size_t j = skip_blank(s, len, k + 5);

			/* "renting there from December": when, not where */
			return !ukdate_month_word(s + j, len - j) && destination(s, len, k + 5, 1) != 0;
		}
	}
	return 0;
}

/* The first move (a move cue with a destination, at *m) and the first
 * arrival (an arrival cue, or a move "to <house> from X", at *a, -1
 * none); returns the move's destination kind (destination()). */
static int first_move(const char *s, size_t len, long *m, long *a)
{
	size_t ml = 0, al = 0;
	int d = 0;

	*m = first_cue(s, len, VW_MOVE_CUE, 0, &ml);
	*a = first_cue(s, len, VW_ARRIVAL_CUE, 0, &al);
	if (*a >= 0 && !destination(s, len, (size_t)*a + al, 1))
		*a = -1;
	while (*m >= 0) {
		int negated = vocab_negated_at(s, (size_t)*m);

		d = negated ? 0 : destination(s, len, (size_t)*m + ml, 1);
		if (d == 2)
			break;          /* abroad, wherever from */
		if (!negated && arrival_from(s, len, (size_t)*m + ml)) {
			if (*a < 0 || *m < *a)
				*a = *m;        /* "moved to <house or town> from X" */
			d = 0;
		} else if (d != 0) {
			break;
		}
		*m = first_cue(s, len, VW_MOVE_CUE, (size_t)*m + 1, &ml);
	}
	return d;
}

#define SINCE_WORDS 3         /* "since [the family] moved" */

static int arrival_since(const char *s, size_t len)
{
	long m, a;
	size_t i, words = 0;

	(void)first_move(s, len, &m, &a);
	if (a < 0 || (m >= 0 && m < a))
		return 0;
	for (i = (size_t)a; i > 0 && words <= SINCE_WORDS; words++) {
		size_t we;

		while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\n'))
			i--;
		we = i;
		while (i > 0 && isalpha((unsigned char)s[i - 1]))
			i--;
		if (we - i == 5 && strncasecmp(s + i, "since", 5) == 0)
			return 1;
		if (we == i)
			return 0;
	}
	return 0;
}

static const char *move_in(const char *s, size_t len, int *weak)
{
	size_t wl = 0;
	long m, a, w = -1;
	int d = first_move(s, len, &m, &a);

	*weak = 0;
	/* "arrived from Syria ... moved to Ipswich": the first one tells */
	if (a >= 0 && (m < 0 || a < m))
		return "moved-into-area-no-school";
	if (m >= 0 || (d = clause_move(s, len, VW_AGENT_MOVE_CUE, "to", 1)) != 0)
		return d == 2 ? "moved-abroad" : "moved-out-of-area";
	while ((w = first_cue(s, len, VW_WEAK_MOVE_CUE, (size_t)(w + 1), &wl)) >= 0) {
		if (!vocab_negated_at(s, (size_t)w) &&
		    (d = destination(s, len, (size_t)w + wl, 0)) != 0) {
			*weak = 1;
			return d == 2 ? "moved-abroad" : "moved-out-of-area";
		}
	}
	if ((d = clause_move(s, len, VW_STAY_CUE, "in", 0)) != 0)
		return d == 2 ? "moved-abroad" : "moved-out-of-area";
	return NULL;
}

/* The two readers above search s for every cue list: under one scan
 * (vocab.h), so that the lists' phrases absent from s cost a bit test. */
int places_arrival_since(const char *s, size_t len)
{
	struct vocab_scan scan;
	int r;

	vocab_scan_begin(&scan, s, len);
	r = arrival_since(s, len);
	vocab_scan_end(&scan);
	return r;
}

const char *places_move(const char *s, size_t len, int *weak)
{
	struct vocab_scan scan;
	const char *r;

	vocab_scan_begin(&scan, s, len);
	r = move_in(s, len, weak);
	vocab_scan_end(&scan);
	return r;
}

const char *places_reason(const char *s, size_t len)
{
	int weak;

	return places_move(s, len, &weak);
}

/* Blank from the cue to the end of its clause, at most 60 bytes. */
static void blank_spans(char *s, size_t len, enum vocab_words list)
{
	size_t cl = 0;
	long at = -1;

	while ((at = first_cue(s, len, list, (size_t)(at + 1), &cl)) >= 0) {
		size_t e = (size_t)at;

		while (e < len && e - (size_t)at < 60 && !strchr(".;,\n", s[e]))
			s[e++] = ' ';
	}
}

void places_mask(char *s, size_t len)
{
	blank_spans(s, len, VW_POSTING_CUE);
	blank_spans(s, len, VW_ARRIVAL_CUE);
}
