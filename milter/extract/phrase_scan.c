/*
 * phrase_scan.c - a prefilter for the whole-word phrase search.
 *
 * Owns: the trigram sets of the texts being scanned (struct vocab_scan,
 * vocab.h) and the answer to "can this phrase occur anywhere in this
 * text at all?" (phrase_scan_rules_out, vocab_int.h), which vocab.c's
 * phrase_find asks before it looks.
 *
 * Why: a referral is searched for about 1,500 phrases (every flag's,
 * reason's, outcome's and cue's), most of which are not in it.  Each
 * search walks the text from candidate to candidate; with the text's
 * trigrams in a bit set, a phrase with a trigram (among its first few)
 * that occurs nowhere in the text is ruled out by a few bit tests.
 *
 * What the set holds: for EVERY position of the text (not only word
 * starts), the case-folded trigram there, hashed into SCAN_BITS bits.
 * So the set of a text covers every sub-range of it, whatever a caller
 * counts as a word start in its window; a hash collision only lets a
 * search through (it then runs as before), it never rules one out.  A
 * trigram of the phrase that contains a space is not tested: a phrase's
 * space also matches a hard wrap ("social\n   worker"), which the
 * text's own trigrams do not show.  Folding is ASCII's: phrase_find
 * compares with tolower() and the programs never call setlocale(), so
 * bytes >= 0x80 compare as themselves.
 *
 * Concurrency: a scan belongs to the thread that began it (a
 * thread-local pointer to the innermost one); scans nest, and each must
 * end, in reverse order (out of order aborts), before its text changes
 * or goes away.  A text
 * that is modified while its scan is in force could be wrongly ruled
 * out: begin a scan only over a const text that stays as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vocab.h"
#include "vocab_int.h"

#define SCAN_WINDOWS 4     /* trigrams of a phrase tested (bytes 0-11) */

static __thread const struct vocab_scan *current;

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static unsigned trigram(unsigned char a, unsigned char b, unsigned char c)
{
	/* multiplicative mixing of the three folded bytes */
	uint32_t h = ((uint32_t)fold(a) << 16) | ((uint32_t)fold(b) << 8) | fold(c);

	return (unsigned)((h * 2654435761u) >> (32 - VOCAB_SCAN_LOG2));
}

void vocab_scan_begin(struct vocab_scan *s, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;

	memset(s->bits, 0, sizeof s->bits);
	s->text = text;
	s->len = len;
	for (size_t i = 0; i + 2 < len; i++) {
		unsigned h = trigram(t[i], t[i + 1], t[i + 2]);

		s->bits[h / 64] |= (uint64_t)1 << (h % 64);
	}
	s->outer = current;
	current = s;
}

void vocab_scan_end(struct vocab_scan *s)
{
	/* ended out of order, the innermost would be left pointing into a
	 * dead frame, and phrases wrongly ruled out: a bug, never run on */
	if (current != s) {
		fprintf(stderr, "vocab_scan_end: scans ended out of order\n");
		abort();
	}
	current = s->outer;
}

/* 1 if the innermost scan covers text[0..len). */
static int covers(const struct vocab_scan *s, const char *text, size_t len)
{
	/* compared as integers: they may be different objects */
	uintptr_t a = (uintptr_t)text, b = (uintptr_t)s->text;

	return a >= b && a + len <= b + s->len;
}

void phrase_scan_key(const char *phrase, struct phrase_key *k)
{
	const unsigned char *p = (const unsigned char *)phrase;
	size_t pl = strlen(phrase);

	if (pl > 0 && p[pl - 1] == '*')
		pl--;
	k->n = 0;
	/* each of the phrase's first SCAN_WINDOWS trigrams that holds no
	 * space */
	for (size_t i = 0, w = 0; i + 3 <= pl && w < SCAN_WINDOWS; i += 3, w++)
		if (p[i] != ' ' && p[i + 1] != ' ' && p[i + 2] != ' ')
			k->h[k->n++] = (uint16_t)trigram(p[i], p[i + 1], p[i + 2]);
}

/* 1 if a trigram of k is missing from s's set. */
static int key_missing(const struct vocab_scan *s, const struct phrase_key *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (!(s->bits[k->h[i] / 64] & ((uint64_t)1 << (k->h[i] % 64))))
			return 1;
	return 0;
}

int phrase_scan_absent(const char *text, size_t len, const struct phrase_key *k)
{
	return current != NULL && covers(current, text, len) && key_missing(current, k);
}

int phrase_scan_rules_out(const char *text, size_t len, const char *phrase, size_t pl)
{
	struct phrase_key k;

	/* the key is made only for a text the scan covers: most searches
	 * made while a scan is in force are in other buffers */
	if (current == NULL || pl < 3 || !covers(current, text, len))
		return 0;
	phrase_scan_key(phrase, &k);
	return key_missing(current, &k);
}
