/*
 * answers_grid.c - a fixed-width answer grid typed or pasted as plain
 * text: a header line of answer words in columns, and under it one row
 * per question with a mark in the column of its answer:
 *
 *                                           YES     NO     NOT KNOWN
 *     Child protection plan                          X
 *     Allocated social worker                                  X
 *
 * The mark alone on its row says nothing to answers.c (it would read
 * "Child protection plan  X" as the question asked with a tick), so the
 * grid's rows are rewritten as "Child protection plan: NO" before the
 * flags are read.  See extract_int.h.
 *
 * Owns: nothing at run time.  Which words are answers and which glyphs
 * marks is vocab's (answers.vocab); this file is the geometry.  Bounded:
 * at most GRID_COLUMNS options a header, rows of at most GRID_LINE bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

#define GRID_COLUMNS 6
#define GRID_LINE    400

struct grid {
	size_t n;
	size_t from[GRID_COLUMNS], to[GRID_COLUMNS];   /* columns of each option */
	const char *word[GRID_COLUMNS];                 /* its text in the header */
};

/* The line at s[*i] (up to len): its start and length; *i moves past it. */
static const char *line_at(const char *s, size_t len, size_t *i, size_t *ll)
{
	const char *l = s + *i, *nl = memchr(l, '\n', len - *i);

	*ll = nl ? (size_t)(nl - l) : len - *i;
	*i += *ll + (nl ? 1 : 0);
	return l;
}

/* A header: two or more answer words ("YES", "NO", "NOT KNOWN", "N/A"),
 * each cell separated by two spaces or more, and nothing else but an
 * optional first cell ("Question").  1 and *g filled, or 0 (*g then
 * holds nothing of use). */
static int grid_header(const char *l, size_t ll, struct grid *g)
{
	size_t i = 0, cells = 0;

	if (ll > GRID_LINE)
		return 0;
	g->n = 0;
	while (i < ll) {
		size_t b, used = 0;

		while (i < ll && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i >= ll)
			break;
		b = i;
		/* a cell runs to two spaces or a TAB */
		while (i < ll && l[i] != '\t' && !(l[i] == ' ' && i + 1 < ll && l[i + 1] == ' '))
			i++;
		cells++;
		if (vocab_answer_word(l + b, i - b, &used) != 0 && used == i - b) {
			if (g->n == GRID_COLUMNS)
				return 0;
			g->from[g->n] = b;
			g->to[g->n] = i;
			g->word[g->n] = l + b;
			g->n++;
		} else if (cells > 1 || i - b > 20 || l[i - 1] == '?') {
			/* a word that is no answer after the first cell, or a
			 * first cell that is a question ("Looked after?  Yes
			 * No": options printed beside it), not a column title */
			return 0;
		}
	}
	return g->n >= 2;
}

/* A row: a question, spaces, and one mark ("X", "✓") at the end, below
 * an option.  The option's index, or -1 (no mark: -2). */
static int grid_row(const char *l, size_t ll, const struct grid *g, size_t *qlen)
{
	size_t e = ll, b, used = 0, best = (size_t)-1, bestd = (size_t)-1;

	while (e > 0 && (l[e - 1] == ' ' || l[e - 1] == '\t' || l[e - 1] == '\r'))
		e--;
	b = e;
	while (b > 0 && l[b - 1] != ' ' && l[b - 1] != '\t')
		b--;
	if (b == 0 || vocab_answer_glyph(l + b, e - b, &used) != VOCAB_GLYPH_TICKED ||
	    used != e - b)
		return -1;
	*qlen = b;
	while (*qlen > 0 && (l[*qlen - 1] == ' ' || l[*qlen - 1] == '\t'))
		(*qlen)--;
	if (*qlen == 0 || b - *qlen < 2)
		return -1;      /* "Looked after: X": one space is a sentence */
	for (size_t k = 0; k < g->n; k++) {
		size_t mid = (g->from[k] + g->to[k]) / 2, d = b > mid ? b - mid : mid - b;

		if (d < bestd) {
			bestd = d;
			best = k;
		}
	}
	/* the mark must stand under its option, give or take a few columns */
	if (best == (size_t)-1 || bestd > (g->to[best] - g->from[best]) / 2 + 4)
		return -1;
	return (int)best;
}

char *answers_grid_rewrite(const char *text, size_t len, size_t *outlen)
{
	struct grid g = { 0 }, h;
	char *out;
	size_t o = 0, i = 0, cap = len + len / 2 + GRID_LINE;
	int in_grid = 0, rewrote = 0;

	/* a row rewritten grows by its option word at most; a text of
	 * many short rows under long options may need more: then it is
	 * read as it is (too_long) */
	if ((out = malloc(cap + 1)) == NULL)
		return NULL;
	while (i < len) {
		size_t ll, q;
		const char *l = line_at(text, len, &i, &ll);
		int k;

		if (ll == 0)
			in_grid = 0;
		else if (grid_header(l, ll, &h)) {
			g = h;
			in_grid = 1;
		}
		else if (in_grid && (k = grid_row(l, ll, &g, &q)) >= 0) {
			size_t wl = g.to[k] - g.from[k];

			if (o + q + wl + 3 > cap)
				goto too_long;
			memcpy(out + o, l, q);
			o += q;
			memcpy(out + o, ": ", 2);
			o += 2;
			memcpy(out + o, g.word[k], wl);
			o += wl;
			out[o++] = '\n';
			rewrote = 1;
			continue;
		}
		if (o + ll + 1 > cap)
			goto too_long;
		memcpy(out + o, l, ll);
		o += ll;
		out[o++] = '\n';
	}
	if (!rewrote)
		goto too_long;
	out[o] = '\0';
	*outlen = o;
	return out;
too_long:
	free(out);
	return NULL;
}
