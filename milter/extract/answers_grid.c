/*
 * answers_grid.c - answer layouts that only line up before the reader
 * trims its lines, rewritten as "question: answer" first.  Three:
 *
 *   a fixed-width answer grid typed or pasted as plain text: a header
 *   line of answer words in columns, under it one row per question with
 *   a mark in the column of its answer:
 *
 *                                           YES     NO     NOT KNOWN
 *     Child protection plan                          X
 *     Allocated social worker                                  X
 *
 *   (the mark alone on its row says nothing to answers.c: "Child
 *   protection plan  X" reads as the question asked with a tick);
 *
 *   a form tool's placeholders, which are no answer: "Select... -> No"
 *   is "No", a Word content control left at "Choose an item." is
 *   unanswered (form_placeholder in words.vocab);
 *
 *   answers given by question number in a section of their own:
 *
 *     Q2 Is the child subject to a child protection plan?
 *     ...
 *     SECTION 6 - RESPONSES
 *     Q2   Y   (emotional abuse; plan since 14/07/2026)
 *
 *   each answer line moved up to the end of its question's line (the
 *   answer line left empty, so that lines keep their numbers).
 *
 * See extract_int.h.  Owns: nothing at run time.  Which words are
 * answers and which glyphs marks is vocab's (answers.vocab); this file
 * is the geometry.  Bounded: at most GRID_COLUMNS options a header,
 * rows of at most GRID_LINE bytes, MAX_NUMBERED numbered questions.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

#define GRID_COLUMNS 6
#define GRID_LINE    400
#define MAX_NUMBERED 64     /* numbered questions answered elsewhere */

struct grid {
	size_t n;
	size_t from[GRID_COLUMNS], to[GRID_COLUMNS];   /* columns of each option */
	const char *word[GRID_COLUMNS];                 /* its text in the header */
};

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

static char *grid_pass(const char *text, size_t len, size_t *outlen)
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
		const char *l = layout_next_line(text, len, &i, &ll);
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

/* ---- A form tool's placeholders ----------------------------------- */

/* text without its placeholders ("Select... -> ", "Choose an item."),
 * at word starts, case-insensitive; NULL when it holds none. */
static char *placeholder_pass(const char *text, size_t len, size_t *outlen)
{
	size_t n, o = 0, wl;
	const char *const *w = vocab_words(VW_FORM_PLACEHOLDER, &n);
	unsigned char first[256] = { 0 };
	char *out = NULL;

	for (size_t k = 0; k < n; k++)
		first[tolower((unsigned char)w[k][0])] = first[toupper((unsigned char)w[k][0])] = 1;
	for (size_t i = 0; i < len; ) {
		if (first[(unsigned char)text[i]] && (i == 0 || !isalnum((unsigned char)text[i - 1])) &&
		    vocab_words_prefix(VW_FORM_PLACEHOLDER, text + i, len - i, &wl)) {
			if (out == NULL) {
				if ((out = malloc(len + 1)) == NULL)
					return NULL;
				memcpy(out, text, i);
				o = i;
			}
			i += wl;
			continue;
		}
		if (out)
			out[o++] = text[i];
		i++;
	}
	if (out) {
		out[o] = '\0';
		*outlen = o;
	}
	return out;
}

/* ---- Answers by question number -------------------------------- */

/* The number a line opens with ("Q2 ", "Q2. ", "2. ", "2) "): its
 * value, the offset of what follows in *rest; -1 if none. */
static int line_number(const char *l, size_t ll, size_t *rest)
{
	size_t i = 0;
	int q = 0, v = 0;

	while (i < ll && l[i] == ' ')
		i++;
	if (i < ll && (l[i] == 'Q' || l[i] == 'q'))
		i++, q = 1;
	if (i >= ll || !isdigit((unsigned char)l[i]))
		return -1;
	while (i < ll && isdigit((unsigned char)l[i]) && v < 1000)
		v = v * 10 + (l[i++] - '0');
	if (i < ll && (l[i] == '.' || l[i] == ')'))
		i++;
	else if (!q)
		return -1;
	if (i >= ll || (l[i] != ' ' && l[i] != '\t'))
		return -1;
	while (i < ll && (l[i] == ' ' || l[i] == '\t'))
		i++;
	*rest = i;
	return v;
}

struct numbered {
	int num;
	size_t q_at, q_len;     /* the question's line */
	size_t a_at, a_len;     /* its answer's line, a_len 0: none */
	size_t a_rest;          /* the answer's offset in its line */
};

/* Questions ending in '?' with nothing after, and a later line of the
 * same number that opens with an answer word. */
static size_t find_numbered(const char *text, size_t len, struct numbered *nq)
{
	size_t n = 0, i = 0;

	while (i < len) {
		size_t at = i, ll, rest, e, used;
		const char *l = layout_next_line(text, len, &i, &ll);
		int num = line_number(l, ll, &rest);

		if (num < 0)
			continue;
		for (e = ll; e > rest && (l[e - 1] == ' ' || l[e - 1] == '\r'); e--)
			;
		if (e > rest && l[e - 1] == '?' && n < MAX_NUMBERED) {
			nq[n].num = num;
			nq[n].q_at = at;
			nq[n].q_len = e;
			nq[n].a_len = 0;
			n++;
			continue;
		}
		if (vocab_answer_word(l + rest, ll - rest, &used) == 0)
			continue;
		for (size_t k = 0; k < n; k++)
			if (nq[k].num == num && nq[k].a_len == 0) {
				nq[k].a_at = at;
				nq[k].a_len = ll;
				nq[k].a_rest = rest;
				break;
			}
	}
	return n;
}

static char *numbered_pass(const char *text, size_t len, size_t *outlen)
{
	struct numbered nq[MAX_NUMBERED];
	size_t n = find_numbered(text, len, nq), o = 0, i = 0, answered = 0;
	char *out;

	for (size_t k = 0; k < n; k++)
		answered += nq[k].a_len > 0;
	if (answered == 0 || (out = malloc(len + 2 * MAX_NUMBERED + 1)) == NULL)
		return NULL;
	while (i < len) {
		size_t at = i, ll;
		const char *l = layout_next_line(text, len, &i, &ll);
		const struct numbered *q = NULL, *a = NULL;

		for (size_t k = 0; k < n; k++) {
			if (nq[k].a_len && nq[k].q_at == at)
				q = &nq[k];
			if (nq[k].a_len && nq[k].a_at == at)
				a = &nq[k];
		}
		if (q) {                /* "Q2 Is the child ...? Y (since July)" */
			memcpy(out + o, l, q->q_len);
			o += q->q_len;
			out[o++] = ' ';
			memcpy(out + o, text + q->a_at + q->a_rest, q->a_len - q->a_rest);
			o += q->a_len - q->a_rest;
		} else if (!a) {
			memcpy(out + o, l, ll);
			o += ll;
		}
		out[o++] = '\n';
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* ---- The passes in turn ------------------------------------------- */

char *answers_grid_rewrite(const char *text, size_t len, size_t *outlen)
{
	char *(*const pass[])(const char *, size_t, size_t *) = {
		placeholder_pass, numbered_pass, grid_pass,
	};
	char *cur = NULL;
	size_t cl = len;

	for (size_t p = 0; p < sizeof pass / sizeof pass[0]; p++) {
		size_t nl;
		char *next = pass[p](cur ? cur : text, cl, &nl);

		if (next != NULL) {
			free(cur);
			cur = next;
			cl = nl;
		}
	}
	if (cur)
		*outlen = cl;
	return cur;
}
