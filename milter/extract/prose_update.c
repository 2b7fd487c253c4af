/*
 * prose_update.c - an update written in sentences: "Visited 11/11/2026
 * at 10:30, no answer", "home visit completed today at 2.15pm, both
 * children seen", "now on roll at Park Lane Primary School from 9
 * November", "Luca started with us on Monday" (the school is the
 * replying school: its signature), "Jayden returned to school this
 * morning", "Leeds have confirmed the family are living in their area".
 * See extract_int.h.
 *
 * Owns: nothing at run time.  The reading:
 *   - a visit: a visit cue, then within VISIT_WINDOW bytes a date (or
 *     "today" / "yesterday", from the message date) and a time ("at
 *     10:30", "2.15pm"); whether the child was seen is vocab's
 *     visit-found reading of the rest of the text, else a seen word
 *     right before a name ("seen Harvey and mum") or a passive one
 *     right after a name or group word ("Both Maja and Jakub were
 *     seen", "the children were seen");
 *   - an update cue ("returned to school this morning", "now on roll
 *     at", "living in their area") makes a message that names a child
 *     but no case an update, never a new referral: the outcome is then
 *     read from the prose; unless the prose also says the child is
 *     absent ("but has not attended since"): then it is a referral;
 *   - the new school: capitalised words after a new-school cue ("on
 *     roll at", "started at") that name a school; else, when the writer
 *     says "with us", the replying school (the referrer's organisation);
 *   - its start date: the first date in the rest of that sentence, else
 *     the date after a start-date cue ("Start date: 09/11/2026");
 *   - both read first in an "Outcome:" value, then in the sentences;
 *   - a move the sentences tell (places.c: "returned to Lithuania
 *     permanently") is the outcome when the words give none, and a move
 *     abroad wins over "enrolled at a school in Kaunas": a school abroad
 *     is no school roll here.
 * Which words are cues is vocab's business.  Bounded: fixed windows,
 * at most SCHOOL_WORDS words of a school name.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define VISIT_WINDOW  80      /* bytes after a visit cue */
#define START_WINDOW  60      /* bytes after a school name */
#define PLANNED_BACK  30      /* bytes before a visit cue read for "will" */
#define SCHOOL_WORDS  8

/* The first whole-word phrase of the list in s (not negated): its
 * position and length in *ml, or -1. */
static long cue_at(const char *s, size_t len, enum vocab_words list, size_t *ml)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);
	long best = -1;

	for (size_t k = 0; k < n; k++) {
		long at = vocab_phrase_find(s, len, w[k], 0);

		if (at >= 0 && !vocab_negated_at(s, (size_t)at) && (best < 0 || at < best)) {
			best = at;
			*ml = strlen(w[k]);
		}
	}
	return best;
}

/* "10:30", "10.30am", "2.15pm", "2pm" at s: 1 with out "HH:MM". */
static int time_at(const char *s, size_t len, char out[6])
{
	size_t i = 0;
	int h = 0, m = 0, digits = 0;

	while (i < len && isdigit((unsigned char)s[i]) && digits < 2)
		h = h * 10 + (s[i++] - '0'), digits++;
	if (digits == 0 || (i < len && isdigit((unsigned char)s[i])))
		return 0;
	if (i + 2 < len && (s[i] == ':' || s[i] == '.') && isdigit((unsigned char)s[i + 1]) &&
	    isdigit((unsigned char)s[i + 2])) {
		m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
		i += 3;
		if (i < len && (isdigit((unsigned char)s[i]) || s[i] == '/' ||
		                (s[i] == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1]))))
			return 0;       /* a date, "11.11.2026" */
	} else if (!(i + 1 < len && (s[i] == 'a' || s[i] == 'p') && s[i + 1] == 'm')) {
		return 0;       /* a bare number is no time */
	}
	if (i + 1 < len && s[i] == 'p' && s[i + 1] == 'm' && h < 12)
		h += 12;
	if (h > 23 || m > 59)
		return 0;
	ukdate_format_hhmm(h, m, out);
	return 1;
}

/* "seen Harvey and mum", "Saw Natalia": a seen word (not negated)
 * right before a capitalised name in the visit's text. */
static int seen_by_name(const char *s, size_t len)
{
	size_t n;
	const char *const *w = vocab_words(VW_VISIT_SEEN, &n);

	for (size_t k = 0; k < n; k++) {
		size_t wl = strlen(w[k]);
		long at = -1;

		while ((at = vocab_phrase_find(s, len, w[k], (size_t)(at + 1))) >= 0) {
			size_t p = (size_t)at + wl;

			if (p + 2 < len && s[p] == ' ' && isupper((unsigned char)s[p + 1]) &&
			    islower((unsigned char)s[p + 2]) && !vocab_negated_at(s, (size_t)at))
				return 1;
		}
	}
	return 0;
}

/* 1 if the word that ends at s[e) is a group word ("children", "both")
 * or a capitalised name that is not a relative's word ("Mum"). */
static int seen_subject(const char *s, size_t e)
{
	static const enum vocab_words group_lists[] = { VW_CHILD_GROUP, VW_ALL_CHILDREN };
	size_t b = e;

	while (b > 0 && (isalpha((unsigned char)s[b - 1]) || s[b - 1] == '\'' || s[b - 1] == '-') &&
	       e - b < MAX_NAME)
		b--;
	if (b == e)
		return 0;
	for (size_t l = 0; l < sizeof group_lists / sizeof group_lists[0]; l++)
		if (fields_word_in(group_lists[l], s + b, e - b))
			return 1;
	return e - b >= 2 && isupper((unsigned char)s[b]) && islower((unsigned char)s[b + 1]) &&
	       vocab_match_relationship(s + b, e - b) == NULL;
}

/* "Both Maja and Jakub were seen", "the children were seen": a passive
 * seen phrase (not negated) after its subject (seen_subject). */
static int name_seen(const char *s, size_t len)
{
	size_t n;
	const char *const *w = vocab_words(VW_VISIT_SEEN_PASSIVE, &n);

	for (size_t k = 0; k < n; k++) {
		long at = -1;

		while ((at = vocab_phrase_find(s, len, w[k], (size_t)(at + 1))) >= 0) {
			size_t e = (size_t)at;

			while (e > 0 && s[e - 1] == ' ')
				e--;
			if (seen_subject(s, e) && !vocab_negated_at(s, (size_t)at))
				return 1;
		}
	}
	return 0;
}

/* The visit date a cue at s[0..w) opens: a date (or "today" /
 * "yesterday", from the message date) in the window, unless a
 * visit-planned word comes before it (a booking, not a visit).  A date
 * after the message's own is kept: a sender's clock may be wrong.  1 with
 * *d and the window's bytes up to the date's end in *lim; else 0. */
static int visit_date_at(const struct reader *rd, const char *win, size_t w,
                         struct ymd *d, size_t *lim)
{
	size_t used, rl;
	long t;

	if (ukdate_find_ref(win, w, &rd->ref_date, d, &used)) {
		*lim = used;
	} else if ((t = cue_at(win, w, VW_TODAY_WORD, &rl)) >= 0) {
		*d = rd->ref_date;
		*lim = (size_t)t + rl;
	} else if ((t = cue_at(win, w, VW_YESTERDAY_WORD, &rl)) >= 0) {
		*d = rd->ref_date;
		ymd_add_days(d, -1);
		*lim = (size_t)t + rl;
	} else {
		return 0;
	}
	return cue_at(win, *lim, VW_VISIT_PLANNED, &rl) < 0;
}

/* 1 if the clause before a visit cue at s[at] says the visit is still to
 * come ("I will visit on Monday", "a visit is planned"): a visit-planned
 * word in the PLANNED_BACK bytes before it, back to the sentence start. */
static int planned_before(const char *s, size_t at)
{
	size_t b = at, rl;

	while (b > 0 && at - b < PLANNED_BACK && s[b - 1] != '.' && s[b - 1] != '\n')
		b--;
	return cue_at(s + b, at - b, VW_VISIT_PLANNED, &rl) >= 0;
}

/* A visit in prose, when no "Visit date:" was labelled: the first visit
 * cue whose window holds a date that is no booking. */
static void read_visit(struct reader *rd, const char *s, size_t len)
{
	struct cme_referral *r = rd->r;
	size_t ml, w, lim, off = 0;
	struct ymd d;
	const char *win = NULL;
	long at = -1;
	char t[6], buf[11];

	if (r->visit_date)
		return;
	while (off < len) {
		long c = cue_at(s + off, len - off, VW_VISIT_CUE, &ml);

		if (c < 0)
			return;
		win = s + off + (size_t)c + ml;
		w = len - (size_t)(win - s) < VISIT_WINDOW ? len - (size_t)(win - s) : VISIT_WINDOW;
		if (!planned_before(s, off + (size_t)c) && visit_date_at(rd, win, w, &d, &lim)) {
			at = (long)(off + (size_t)c);
			break;
		}
		off += (size_t)c + ml;
	}
	if (at < 0)
		return;
	ymd_format(&d, buf);
	if ((r->visit_date = strdup(buf)) == NULL) {
		rd->oom = 1;
		return;
	}
	for (size_t i = 0; i < w && r->visit_time == NULL; i++)
		if (isdigit((unsigned char)win[i]) && (i == 0 || !isdigit((unsigned char)win[i - 1])) &&
		    time_at(win + i, w - i, t))
			r->visit_time = strdup(t);
	if (r->visit_found < 0)
		r->visit_found = vocab_match_visit_found(s + at, len - (size_t)at);
	if (r->visit_found < 0 && (seen_by_name(s + at, len - (size_t)at) ||
	                           name_seen(s + at, len - (size_t)at)))
		r->visit_found = 1;
}

/* 1 if the word at e is a joining word of a name ("of" in "St Mary's C
 * of E Primary School") and a capitalised word follows it. */
static int name_connector(const char *e, const char *end)
{
	size_t n, wl = 0;
	const char *const *w = vocab_words(VW_NAME_CONNECTOR, &n);

	while (e + wl < end && isalpha((unsigned char)e[wl]))
		wl++;
	if (wl == 0 || e + wl + 1 >= end || e[wl] != ' ' || !isupper((unsigned char)e[wl + 1]))
		return 0;
	for (size_t k = 0; k < n; k++)
		if (strlen(w[k]) == wl && strncmp(e, w[k], wl) == 0)
			return 1;
	return 0;
}

const char *prose_school_span(const char **start, const char *end)
{
	const char *p = *start, *e;
	int words = 0;

	while (p < end && (*p == ' ' || *p == '\n'))
		p++;
	*start = p;
	e = p;
	while (e < end && words < SCHOOL_WORDS &&
	       (isupper((unsigned char)*e) || *e == '&' ||
	        (!fields_memstr_any(p, (size_t)(e - p), VW_SCHOOL_WORD) && name_connector(e, end)))) {
		const char *we = e;

		while (we < end && !strchr(" \n\t,.;()", *we))
			we++;
		e = we;
		words++;
		if (e + 1 < end && (*e == ' ' || *e == '\n') && e[1] != '\n')
			e++;
		else
			break;
	}
	while (e > p && (e[-1] == ' ' || e[-1] == '\n'))
		e--;
	if (words == 0 || !fields_memstr_any(p, (size_t)(e - p), VW_SCHOOL_WORD))
		return NULL;
	return e;
}

/* The school named at p: into r->new_school; returns the end of the
 * name or NULL. */
static const char *school_after(struct reader *rd, const char *p, const char *end)
{
	const char *e = prose_school_span(&p, end);

	if (e == NULL)
		return NULL;
	{
		char *v = fields_dup_trimmed(p, (size_t)(e - p), MAX_VALUE);

		if (v == NULL)
			return NULL;
		for (char *q = v; *q; q++)
			if (*q == '\n')
				*q = ' ';
		rd->r->new_school = v;
	}
	return e;
}

/* 1 if the word right before s[at] puts what follows in the past
 * (words.vocab past_word: "was going to Oak Primary" is where the child
 * was, not where it is: no located-on-roll, no closed case). */
static int past_before(const char *s, size_t at)
{
	size_t we = at, ws;

	while (we > 0 && s[we - 1] == ' ')
		we--;
	for (ws = we; ws > 0 && isalpha((unsigned char)s[ws - 1]); ws--)
		;
	return we > ws && fields_word_in(VW_PAST_WORD, s + ws, we - ws);
}

/* The earliest school's name in s that follows a school-named cue
 * ("is going to Ysgol Gyfun Bryn Tawe now", "the CTF was downloaded by
 * Westmoor Primary School"): its start, *end its end; NULL if none.  A
 * cue with no name after it ("going to visit"), or in the past ("was
 * going to"), is passed over. */
static const char *named_school_at(const char *s, size_t len, const char **end)
{
	size_t n;
	const char *const *w = vocab_words(VW_SCHOOL_NAMED_CUE, &n);
	const char *best = NULL;

	for (size_t k = 0; k < n; k++) {
		size_t wl = strlen(w[k]);
		long at;

		for (size_t from = 0; from < len &&
		     (at = vocab_phrase_find(s, len, w[k], from)) >= 0; from = (size_t)at + 1) {
			const char *p = s + at + wl, *e;
			/* "was going to" is where the child was; a passive cue
			 * ("was collected by") is past by its grammar and names
			 * who holds the record now */
			int passive = wl > 3 && strcasecmp(w[k] + wl - 3, " by") == 0;

			if (best && p >= best)
				break;
			if (vocab_negated_at(s, (size_t)at) ||
			    (!passive && past_before(s, (size_t)at)) ||
			    (e = prose_school_span(&p, s + len)) == NULL)
				continue;
			best = p;
			*end = e;
			break;
		}
	}
	return best;
}

/* The first date in the rest of the sentence from p. */
static void start_date(struct reader *rd, const char *p, const char *end)
{
	const char *e = p;

	/* a full stop ends the sentence, not one inside a date
	 * ("Start date: 16.11.2026") */
	while (e < end && e - p < START_WINDOW && *e != ';' &&
	       (*e != '.' || (e > p && e + 1 < end && isdigit((unsigned char)e[-1]) &&
	                      isdigit((unsigned char)e[1]))))
		e++;
	fields_set_date(rd, &rd->r->new_school_start, p, (size_t)(e - p));
}

/* The new school and its start date, from a new-school cue; else the
 * date after a start-date cue ("Start date: 09/11/2026", "starting on
 * Monday 9 November"). */
static void read_new_school(struct reader *rd, const char *s, size_t len)
{
	size_t ml;
	long at = cue_at(s, len, VW_NEW_SCHOOL_CUE, &ml);
	const char *e;

	if (at >= 0) {
		if (rd->r->new_school == NULL && (e = school_after(rd, s + at + ml, s + len)) != NULL)
			start_date(rd, e, s + len);
		else if (rd->r->new_school_start == NULL)
			start_date(rd, s + at + ml, s + len);
	}
	/* else a school named after "is going to", "downloaded by"; the
	 * date after it is no start ("downloaded by Westmoor Primary
	 * School on 19/11/2026"): only a start cue gives one, below */
	if (rd->r->new_school == NULL) {
		const char *ne, *np = named_school_at(s, len, &ne);

		if (np)
			(void)school_after(rd, np, ne);
	}
	if (rd->r->new_school_start == NULL && (at = cue_at(s, len, VW_START_CUE, &ml)) >= 0)
		start_date(rd, s + at + ml, s + len);
}

/* An update cue, and no sign the child is missing: "now on roll at our
 * school but has not attended since 2 November" is a school's referral
 * of its own pupil, not news that a case is over. */
int prose_update_cue(const struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t ml, len = rd->prose.len;

	if (cue_at(s, len, VW_UPDATE_CUE, &ml) < 0)
		return 0;
	return cue_at(s, len, VW_ABSENCE_CUE, &ml) < 0 &&
	       cue_at(s, len, VW_LAST_ATTENDED_CUE, &ml) < 0;
}

void prose_read_update(struct reader *rd)
{
	const char *s = strbuf_str(&rd->prose);
	size_t len = rd->prose.len;

	read_visit(rd, s, len);
	if (rd->r->outcome && strcmp(rd->r->outcome, "located-on-roll") == 0) {
		/* an "Outcome:" value ("Now on roll at Westbourne Academy")
		 * first, then the sentences */
		read_new_school(rd, strbuf_str(&rd->outcome_text), rd->outcome_text.len);
		read_new_school(rd, s, len);
	}
}

/* The end of the sentence that starts at s[from]: after a '.', '!' or
 * '?' followed by white space and a capital or another line ("no. 11"
 * and "approx. three weeks" go on), or at a blank line. */
static size_t sentence_end(const char *s, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++) {
		if (s[i] == '\n' && i + 1 < len && s[i + 1] == '\n')
			return i + 1;
		if ((s[i] == '.' || s[i] == '!' || s[i] == '?') && i + 1 < len &&
		    isspace((unsigned char)s[i + 1])) {
			size_t k = i + 1;

			while (k < len && s[k] == ' ')
				k++;
			if (k >= len || s[k] == '\n' || isupper((unsigned char)s[k]))
				return i + 1;
		}
	}
	return len;
}

char *prose_without_hearsay(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, s, len);
	out[len] = '\0';
	for (size_t b = 0, e; b < len; b = e) {
		e = sentence_end(s, len, b);
		if (fields_memstr_any(s + b, e - b, VW_HEARSAY_CUE) ||
		    (fields_memstr_any(s + b, e - b, VW_HEARSAY_SOURCE) &&
		     fields_memstr_any(s + b, e - b, VW_HEARSAY_VERB)))
			for (size_t i = b; i < e; i++)
				if (out[i] != '\n')
					out[i] = ' ';
	}
	return out;
}

void prose_update_moved(struct reader *rd, const char *text, size_t len)
{
	struct cme_referral *r = rd->r;
	const char *mv = places_reason(text, len);

	/* a school the child goes to now outranks the family's move to a
	 * town ("We have moved to Swansea and Jack is going to Ysgol Gyfun
	 * Bryn Tawe now"); a move abroad still outranks it, below */
	if (r->outcome == NULL) {
		const char *ne;

		if (named_school_at(text, len, &ne) != NULL)
			r->outcome = strdup("located-on-roll");
	}
	if (mv == NULL || strcmp(mv, "moved-into-area-no-school") == 0)
		return;
	if (r->outcome == NULL ||
	    (strcmp(mv, "moved-abroad") == 0 && strcmp(r->outcome, "located-on-roll") == 0)) {
		free(r->outcome);
		r->outcome = strdup(mv);
	}
}

void prose_update_school_from_signature(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	const char *org = r->referrer.organisation;
	size_t ml;

	if (r->new_school || org == NULL || r->outcome == NULL ||
	    strcmp(r->outcome, "located-on-roll") != 0 || !prose_is_school_name(org))
		return;
	if (cue_at(strbuf_str(&rd->prose), rd->prose.len, VW_WITH_US_CUE, &ml) >= 0)
		r->new_school = strdup(org);
}
