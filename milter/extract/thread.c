/*
 * thread.c - line classifier and thread structure matcher.  See thread.h.
 *
 * Owns: nothing; offsets into the caller's text.  Every scan is bounded
 * by the text's length and a fixed look-ahead.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "thread.h"
#include "vocab.h"

#define MAX_MARKER_LINE 80   /* a splitter is a short line */
#define HEADER_LOOKAHEAD 6   /* lines after "From:" searched for the rest */

static int contains(const char *s, size_t len, const char *w)
{
	size_t l = strlen(w);
	int c0;

	if (l == 0)
		return 1;
	/* the first byte decides most offsets: compare the rest only
	 * where it matches (every line is tried against every marker) */
	c0 = tolower((unsigned char)w[0]);
	for (size_t j = 0; l <= len && j + l <= len; j++)
		if (tolower((unsigned char)s[j]) == c0 && strncasecmp(s + j, w, l) == 0)
			return 1;
	return 0;
}

static int has_word(const char *s, size_t len, enum vocab_words list, size_t *wl)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);

	for (size_t i = 0; i < n; i++)
		if (contains(s, len, w[i])) {
			if (wl)
				*wl = strlen(w[i]);
			return 1;
		}
	return 0;
}

/* "-----Original Message-----", "________": a marker line, not a sentence. */
static int marker_line(const char *s, size_t len, enum vocab_words list)
{
	size_t wl;

	if (len > MAX_MARKER_LINE || !has_word(s, len, list, &wl))
		return 0;
	return !isalnum((unsigned char)s[0]) || len <= wl + 2 ||
	       vocab_words_prefix(list, s, len, NULL);
}

enum thread_line thread_classify(const char *s, size_t len)
{
	size_t i, wl;

	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return TL_EMPTY;
	if (s[0] == '>')
		return TL_QUOTE;
	/* Outlook's rule is underscores; a line of dashes underlines a
	 * heading ("PUPIL DELETION NOTIFICATION") and is text. */
	for (i = 0; i < len && s[i] == '_'; i++)
		;
	if (i == len && len >= 10)
		return TL_SPLITTER;
	if (marker_line(s, len, VW_FORWARD_MARKER))
		return TL_FORWARD;
	if (marker_line(s, len, VW_SPLITTER))
		return TL_SPLITTER;
	/* "On Mon, 2 Nov 2026, Jo Bloggs <jo@x> wrote:" */
	if (len > 8 && vocab_words_prefix(VW_ATTRIBUTION_OPEN, s, len, NULL) &&
	    has_word(s + len - (len < 8 ? len : 8), len < 8 ? len : 8, VW_ATTRIBUTION_CLOSE, NULL))
		return TL_SPLITTER;
	if (vocab_words_prefix(VW_QUOTED_HEADER, s, len, &wl) && len > wl)
		return TL_FROM;
	if (vocab_words_prefix(VW_QUOTE_HEADER_FIELD, s, len, &wl))
		return TL_HEADER;
	if (vocab_words_prefix(VW_DISCLAIMER, s, len, NULL))
		return TL_DISCLAIMER;
	return TL_TEXT;
}

struct line { size_t start, end, next; };

static int line_at(const char *s, size_t len, size_t at, struct line *l)
{
	const char *nl;

	if (at >= len)
		return 0;
	nl = memchr(s + at, '\n', len - at);
	l->start = at;
	l->end = nl ? (size_t)(nl - s) : len;
	l->next = nl ? l->end + 1 : len;
	return 1;
}

/* The line's kind, a '>' quote prefix taken off when unquote is set. */
static enum thread_line kind_at(const char *s, const struct line *l, int unquote)
{
	const char *p = s + l->start;
	size_t n = l->end - l->start;

	if (unquote) {
		while (n > 0 && (*p == '>' || *p == ' '))
			p++, n--;
	}
	return thread_classify(p, n);
}

#define MAX_HEADER_LINES 12  /* a quoted header block is short */

/* The text of line l without its '>' prefix and surrounding space. */
static const char *bare(const char *s, const struct line *l, size_t *n)
{
	const char *p = s + l->start;

	*n = l->end - l->start;
	while (*n > 0 && (*p == '>' || isspace((unsigned char)*p)))
		p++, (*n)--;
	while (*n > 0 && isspace((unsigned char)p[*n - 1]))
		(*n)--;
	return p;
}

/* One header line of a block: note its From value and whether its
 * Subject says forward.  Returns 1 for a Subject line. */
static int header_line(const char *s, const struct line *l, struct thread_cut *out)
{
	size_t n, wl = 0;
	const char *p = bare(s, l, &n);

	if (vocab_words_prefix(VW_QUOTED_HEADER, p, n, &wl)) {
		while (wl < n && isspace((unsigned char)p[wl]))
			wl++;
		out->from = p + wl;
		out->from_len = n - wl;
	} else if (n >= 8 && strncasecmp(p, "Subject:", 8) == 0) {
		p += 8, n -= 8;
		while (n > 0 && isspace((unsigned char)*p))
			p++, n--;
		if (vocab_words_prefix(VW_FORWARD_PREFIX, p, n, &wl))
			out->subject_forward = 1;
		return 1;
	}
	return 0;
}

/* A quoted message's header block starts at line l: "From:", "Sent:",
 * "Date:", "To:", "Subject:" lines in any order (Outlook and Gmail
 * start with From, Thunderbird with Subject), blank lines allowed only
 * before the second.  Returns how many header lines it has and, when
 * set, fills the From value, subject_forward and fwd_start (the line
 * after the block).  A block needs a From line to count, and when it
 * does not start with From (Hotmail: Date, Subject, From, To) a Subject
 * line and four lines: a memo's "To:/From:/Date:" heading is text. */
static int header_block(const char *s, size_t len, struct line l, int unquote,
                        struct thread_cut *out, int set)
{
	struct thread_cut tmp;
	struct line m = l;
	int fields = 0, blanks = 0, subject = 0;
	size_t end = l.start;

	memset(&tmp, 0, sizeof tmp);
	for (int k = 0; k < MAX_HEADER_LINES + HEADER_LOOKAHEAD; k++) {
		enum thread_line t = kind_at(s, &m, unquote);

		if (t == TL_HEADER || t == TL_FROM) {
			subject += header_line(s, &m, &tmp);
			fields++;
			end = m.next;
		} else if (t != TL_EMPTY || fields > 1 || ++blanks > HEADER_LOOKAHEAD) {
			break;
		}
		if (fields >= MAX_HEADER_LINES || !line_at(s, len, m.next, &m))
			break;
	}
	if (fields < 2 || tmp.from == NULL ||
	    (kind_at(s, &l, unquote) != TL_FROM && (subject == 0 || fields < 4)))
		return 0;
	if (set) {
		out->from = tmp.from;
		out->from_len = tmp.from_len;
		out->subject_forward = tmp.subject_forward;
		out->fwd_start = end;
	}
	return fields;
}

/* A forward starts at line l (a marker, possibly '>'-quoted): its
 * header block follows, '>'-quoted when Apple Mail or an HTML quote
 * container quoted the forward. */
static void take_forward(const char *s, size_t len, struct line l, struct thread_cut *out)
{
	struct line m = l;

	out->forwarded = 1;
	out->fwd_start = l.next;
	out->quoted_fwd = s[l.start] == '>';
	while (line_at(s, len, m.next, &m)) {
		enum thread_line t = kind_at(s, &m, 1);

		if (t == TL_EMPTY)
			continue;
		out->quoted_fwd = out->quoted_fwd || s[m.start] == '>' ||
		                  (s[m.start] == ' ' && memchr(s + m.start, '>', m.end - m.start) != NULL);
		if (t == TL_FROM || t == TL_HEADER)
			(void)header_block(s, len, m, out->quoted_fwd, out, 1);
		break;
	}
}

#define FOOTER_SCAN 4096     /* bytes of a paragraph searched for cues */

/* The paragraph starting at line l is a legal footer: two different
 * disclaimer cues in it ("Any views or opinions expressed ... intended
 * recipient"), wherever they stand in its sentences. */
static int footer_paragraph(const char *s, size_t len, struct line l)
{
	size_t n, end = l.start, found = 0;
	const char *const *w = vocab_words(VW_DISCLAIMER_CUE, &n);
	struct line m = l;

	while (kind_at(s, &m, 0) != TL_EMPTY && end - l.start < FOOTER_SCAN) {
		end = m.end;
		if (!line_at(s, len, m.next, &m))
			break;
	}
	for (size_t i = 0; i < n && found < 2; i++)
		found += contains(s + l.start, end - l.start, w[i]);
	return found >= 2;
}

/* Where an attribution wrapped over two lines ends right above `at` (a
 * quote's first line): "On Mon, 23 Nov 2026 at 09:14, Priya Patel <" /
 * "priya@la.test> wrote:", a blank line allowed below it.  Returns the
 * offset of its first line, or `at` when there is none. */
static size_t wrapped_attribution(const char *s, size_t at)
{
	size_t starts[3], n = 0, e = at;

	/* the starts of up to three lines above `at`, nearest first */
	while (n < 3 && e > 0) {
		size_t b = e - 1;

		while (b > 0 && s[b - 1] != '\n')
			b--;
		starts[n++] = b;
		e = b;
	}
	for (size_t k = 0; k + 1 < n; k++) {
		size_t ce = k == 0 ? at : starts[k - 1], cl = ce - starts[k];
		const char *c = s + starts[k];

		while (cl > 0 && isspace((unsigned char)c[cl - 1]))
			cl--;
		if (cl == 0 && k == 0)
			continue;           /* the blank line below it */
		if (cl < 8 || cl > MAX_MARKER_LINE ||
		    !has_word(c + cl - 8, 8, VW_ATTRIBUTION_CLOSE, NULL))
			return at;
		return vocab_words_prefix(VW_ATTRIBUTION_OPEN, s + starts[k + 1],
		                          starts[k] - starts[k + 1], NULL) ? starts[k + 1] : at;
	}
	return at;
}

#define FORM_LOOKAHEAD 40    /* lines of a footer and the paragraph after it */

/* The paragraph after the disclaimer paragraph starting at line l holds
 * a child's details: a labelled line whose label vocab knows as the
 * child's name or date of birth ("Pupil name: ...", "Date of birth:
 * ...").  Then the disclaimer is the covering note's footer with a form
 * pasted below it (a leaving form under the office's sign-off): it is
 * skipped as a banner and the form read.  A footer's own labelled lines
 * ("Registered office:", "Tel:") name no child. */
static int form_after_footer(const char *s, size_t len, struct line l)
{
	struct line m = l;
	int blank = 0;

	for (int k = 0; k < FORM_LOOKAHEAD && line_at(s, len, m.next, &m); k++) {
		size_t n;
		const char *p = bare(s, &m, &n), *c;
		enum field f;

		if (n == 0) {
			blank = 1;
			continue;
		}
		if (!blank || (c = memchr(p, ':', n)) == NULL || c == p || c - p > 40)
			continue;
		f = vocab_label(p, (size_t)(c - p));
		if (f == F_FULLNAME || f == F_FORENAME || f == F_SURNAME || f == F_DOB)
			return 1;
	}
	return 0;
}

int thread_split(const char *s, size_t len, int forward_subject, struct thread_cut *out)
{
	struct line l = { 0, 0, 0 };
	int texts = 0, in_banner = 0, cut = 0, para_start = 1;

	memset(out, 0, sizeof *out);
	out->new_end = len;
	while (line_at(s, len, l.next, &l)) {
		enum thread_line t = kind_at(s, &l, 0);

		if (in_banner) {
			/* a banner is one paragraph: a blank line ends it, and
			 * so does the structure of a thread (an HTML part whose
			 * footer stands right above a forward's header block
			 * has no blank line between them) */
			if (t == TL_EMPTY)
				in_banner = 0;
			if (t != TL_FROM && t != TL_FORWARD && t != TL_SPLITTER && t != TL_QUOTE)
				continue;
			in_banner = 0;
		}
		if (t == TL_TEXT && para_start && texts >= 3 && !cut && footer_paragraph(s, len, l)) {
			out->new_end = l.start;
			cut = 1;                    /* a footer: the rest of the segment */
		}
		para_start = t == TL_EMPTY;
		switch (t) {
		case TL_EMPTY:
			break;
		case TL_HEADER:
			/* a header block led by Date: or Subject: (Hotmail),
			 * after the sender's own text */
			if (texts > 0 && header_block(s, len, l, 0, out, 0)) {
				t = TL_FROM;
				break;
			}
			texts++;
			break;
		case TL_TEXT:
			texts++;
			break;
		case TL_DISCLAIMER:
			if (texts < 3 || form_after_footer(s, len, l)) {
				in_banner = 1;      /* a banner: the reader skips it */
				break;
			}
			if (!cut)
				out->new_end = l.start;
			cut = 1;                    /* a footer: the rest of the segment */
			break;
		case TL_QUOTE: {
			/* a quoted forward marker (an HTML quote container
			 * holding a forward), or a lone '>' before one */
			struct line m = l;

			if (kind_at(s, &l, 1) == TL_EMPTY)
				while (line_at(s, len, m.next, &m) && kind_at(s, &m, 1) == TL_EMPTY)
					;
			if (kind_at(s, &m, 1) == TL_FORWARD) {
				if (!cut)
					out->new_end = l.start;
				take_forward(s, len, m, out);
				return 1;
			}
			if (!cut)
				out->new_end = wrapped_attribution(s, l.start);
			return 1;
		}
		case TL_FORWARD: case TL_SPLITTER: case TL_FROM:
			break;
		}
		if (t == TL_FORWARD || t == TL_SPLITTER || t == TL_FROM) {
			struct line m = l;
			int fwd = t == TL_FORWARD || forward_subject;

			if (t == TL_FROM && !header_block(s, len, l, 0, out, 0)) {
				texts++;
				continue;
			}
			if (!cut)
				out->new_end = l.start;
			if (!fwd)
				return 1;
			if (t == TL_SPLITTER) {
				/* "-----Original Message-----" then the header block */
				while (line_at(s, len, m.next, &m) && kind_at(s, &m, 0) == TL_EMPTY)
					;
				if (m.start == l.start || (kind_at(s, &m, 0) != TL_FROM &&
				                           kind_at(s, &m, 0) != TL_HEADER))
					return 1;
				l = m;
			}
			if (t == TL_FROM || t == TL_SPLITTER) {
				out->forwarded = 1;
				(void)header_block(s, len, l, 0, out, 1);
			} else {
				take_forward(s, len, l, out);
			}
			return 1;
		}
	}
	return cut;
}
