/*
 * places.c - where a sentence says the child went: the reason a move
 * written in prose gives.  See extract_int.h.
 *
 * Owns: nothing at run time; the tables below are vocabulary (to be
 * carried into the vocabulary data files with vocab.c's).  The reading:
 *
 *   - "moved to X", "moving to X", "relocated to X" (a move cue): X a
 *     country is moved-abroad; X any other capitalised place is
 *     moved-out-of-area (a UK town, a county: the default, since the
 *     list of UK places is open-ended).  X a school, an address ("moved
 *     to 22 Station Road", "moved to Flat 3") or lower-case ("moved to
 *     another school") says nothing about the area;
 *   - "gone to X", "now living in X", "somewhere near X" (a weak cue):
 *     only when X is a country or a town or county in the tables; so
 *     also "moving in with her sister in X" (a stay cue: X after "in"
 *     in the same clause);
 *   - the place may follow a label's colon or cell ("Town / LA moving
 *     to: Doncaster");
 *   - "arrived from X", "came over from X" (an arrival cue) is a family
 *     moving INTO the area: moved-into-area-no-school;
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

static const char *const move_cues[] = {
	"moved to",
	"moving to",
	"moved back to",
	"moving back to",
	"moved up to",
	"moved down to",
	"relocated to",
	"relocating to",
	"emigrated to",
	"gone to live in",
	"moved away to",
	"have moved to live in",
};

static const char *const weak_cues[] = {
	"gone to",
	"left for",
	"now living in",
	"now live in",
	"to stay in",
	"now in",
	"somewhere near",
	"going to",
	"returned to",
	"gone back to",
	"went back to",
	"going back to",
	"returned home to",
	"somewhere in",
	"somewhere around",
};

/* Someone the family went to: the place is after "in" in the same
 * clause ("moving in with her sister in Birmingham"); weak. */
static const char *const stay_cues[] = {
	"moving in with",
	"moved in with",
	"gone to stay with",
	"going to stay with",
	"gone to live with",
	"going to live with",
	"moved to live with",
	"staying with",
};

static const char *const arrival_cues[] = {
	"arrived from",
	"arrived in the uk from",
	"arrived in england from",
	"came over from",
	"came to the uk from",
	"moved here from",
	"moved to the uk from",
	"moved to england from",
	"recently arrived from",
	"fled from",
	"to the area from",
	"into the area from",
	"to the borough from",
	"to this country from",
};

/* A parent's posting: the country or "overseas" after it is the
 * parent's, not the child's. */
static const char *const posting_cues[] = {
	"deployed",
	"posted to",
	"posted overseas",
	"posted abroad",
	"stationed in",
	"stationed overseas",
	"stationed abroad",
	"on tour in",
	"on operations in",
	"serving overseas",
	"serving abroad",
	"serving in",
	"working overseas",
	"working abroad",
};

/* UK towns and cities (the larger ones) and county words: evidence for
 * a weak cue.  A move cue needs no list.  The LA's own towns are not
 * listed ("now living in Ipswich" is no move out of a Suffolk LA). */
static const char *const uk_places[] = {
	"london", "birmingham", "manchester", "leeds", "liverpool", "sheffield",
	"bristol", "newcastle", "nottingham", "leicester", "coventry", "bradford",
	"hull", "stoke", "wolverhampton", "derby", "southampton", "portsmouth",
	"plymouth", "reading", "luton", "milton keynes", "northampton",
	"norwich", "peterborough", "cambridge", "oxford", "colchester",
	"chelmsford", "king's lynn", "great yarmouth", "brighton", "exeter", "swindon", "gloucester",
	"cardiff", "swansea", "glasgow", "edinburgh", "aberdeen", "belfast",
	"york", "middlesbrough", "sunderland", "blackpool", "preston",
	"bolton", "doncaster", "catterick", "aldershot", "tidworth", "scotland",
	"wales", "northern ireland", "cornwall", "devon", "kent", "essex",
	"norfolk", "yorkshire", "lancashire", "cumbria",
};

/* Words after a move cue that make X an address or a school, not a
 * place: "moved to Flat 3", "moved to Park Lane Primary". */
static const char *const not_place_words[] = {
	"flat", "road", "street", "lane", "close", "avenue", "drive", "way",
	"house", "court", "crescent", "place", "terrace", "gardens",
	"school", "academy", "primary", "college", "high", "unit",
};

#define N(a) (sizeof a / sizeof a[0])

/* The first occurrence of any phrase of the list at or after from: its
 * position and the phrase's length, or -1. */
static long first_cue(const char *s, size_t len, const char *const *cues,
                      size_t n, size_t from, size_t *cl)
{
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		long at = vocab_phrase_find(s, len, cues[i], from);

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

static int in_list(const char *s, size_t len, const char *const *w, size_t n,
                   size_t *used)
{
	for (size_t i = 0; i < n; i++)
		if (vocab_phrase_find(s, len, w[i], 0) == 0) {
			if (used)
				*used = strlen(w[i]);
			return 1;
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
	if (in_list(s + i, end - i, uk_places, N(uk_places), &used))
		return 1;
	if (!any || !isupper((unsigned char)s[i]))
		return 0;
	/* any capitalised place, unless it is an address or a school */
	for (size_t k = i; k < end && words < PLACE_WORDS; words++) {
		if (in_list(s + k, end - k, not_place_words, N(not_place_words), NULL))
			return 0;
		while (k < end && !strchr(" \n\t,.;", s[k]))
			k++;
		if (k < end && s[k] != ' ')
			break;
		k = skip_blank(s, end, k);
	}
	return 1;
}

/* After a stay cue at s[i]: the place after " in " in the same clause
 * (at most STAY_WINDOW bytes on), as destination() says. */
#define STAY_WINDOW 48
static int stay_destination(const char *s, size_t len, size_t i)
{
	size_t end = len - i < STAY_WINDOW ? len : i + STAY_WINDOW;

	for (size_t k = i; k + 4 < end && !strchr(".;,\n", s[k]); k++)
		if (s[k] == ' ' && strncasecmp(s + k + 1, "in ", 3) == 0)
			return destination(s, len, k + 4, 0);
	return 0;
}

const char *places_reason(const char *s, size_t len)
{
	size_t ml = 0, wl = 0, al = 0;
	long m = first_cue(s, len, move_cues, N(move_cues), 0, &ml);
	long a = first_cue(s, len, arrival_cues, N(arrival_cues), 0, &al);
	long w = -1;
	int d = 0;

	while (m >= 0 && (vocab_negated_at(s, (size_t)m) ||
	                  (d = destination(s, len, (size_t)m + ml, 1)) == 0))
		m = first_cue(s, len, move_cues, N(move_cues), (size_t)m + 1, &ml);
	/* "arrived from Syria ... moved to Ipswich": the first one tells */
	if (a >= 0 && (m < 0 || a < m) && destination(s, len, (size_t)a + al, 1))
		return "moved-into-area-no-school";
	if (m >= 0)
		return d == 2 ? "moved-abroad" : "moved-out-of-area";
	while ((w = first_cue(s, len, weak_cues, N(weak_cues), (size_t)(w + 1), &wl)) >= 0) {
		if (!vocab_negated_at(s, (size_t)w) &&
		    (d = destination(s, len, (size_t)w + wl, 0)) != 0)
			return d == 2 ? "moved-abroad" : "moved-out-of-area";
	}
	w = -1;
	while ((w = first_cue(s, len, stay_cues, N(stay_cues), (size_t)(w + 1), &wl)) >= 0) {
		if (!vocab_negated_at(s, (size_t)w) && (d = stay_destination(s, len, (size_t)w + wl)) != 0)
			return d == 2 ? "moved-abroad" : "moved-out-of-area";
	}
	return NULL;
}

/* Blank from the cue to the end of its clause, at most 60 bytes. */
static void blank_spans(char *s, size_t len, const char *const *cues, size_t n)
{
	size_t cl = 0;
	long at = -1;

	while ((at = first_cue(s, len, cues, n, (size_t)(at + 1), &cl)) >= 0) {
		size_t e = (size_t)at;

		while (e < len && e - (size_t)at < 60 && !strchr(".;,\n", s[e]))
			s[e++] = ' ';
	}
}

void places_mask(char *s, size_t len)
{
	blank_spans(s, len, posting_cues, N(posting_cues));
	blank_spans(s, len, arrival_cues, N(arrival_cues));
}
