/*
 * layout.c - the layer under records.c and tables.c: how a line of a
 * form is laid out, before anything it says is interpreted.  See
 * extract_int.h (layout_*).
 *
 * Owns: the rules that find where a label ends and its value begins,
 * whatever the form's layout:
 *	"Surname: SMITH"          a colon (or a TAB) after a known label;
 *	"Surname ....... SMITH"   a dotted (or underscored) leader;
 *	"Surname         SMITH"   two or more spaces after a known label;
 *	"Surname | SMITH"         a pipe after a known label;
 *	"Surname / SMITH"         a slash between spaces after a known
 *	                          label, on a line with no colon (forms
 *	                          pasted from PDFs), unless the slash is
 *	                          inside a longer known label ("Parent /
 *	                          Carer name", "Dyddiad geni / Date of
 *	                          birth") or the value is an option list
 *	                          ("Y / N");
 *	"Completed by Jo Hill"    a referrer label ending in "by", one
 *	                          space, a capital;
 *	"4. Date of birth"        a numbered question ("4.", "4)", "Q4",
 *	                          "(d)") before the label;
 *	"Date of birth"           a known label alone on its line: its value
 *	                          is on the next line (records.c joins them);
 * and ASCII-art tables ("| Surname | Forename |" rows between
 * "+-----+" rules) turned into the TAB rows html_text/docx_text write,
 * so tables.c reads every table the same way.
 *
 * A label is only ever a label vocab knows (vocab_label): a layout rule
 * never makes a label of unknown words, so prose with two spaces after
 * a full stop stays prose.
 *
 * Return conventions: see each function; nothing here allocates except
 * layout_pipe_rows (malloc'd, the caller frees; NULL out of memory).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

#define MAX_LABEL 80     /* bytes before a separator that may be a label
                            (vocab_label's bound; the DfE deletion return asks
                            "Full name and address of parent with whom the
                            pupil normally resides:") */

/* "4. ", "4) ", "12.", "Q4 ", "Q4. ", "(d) ", "d) ": a question number
 * before a label.  Returns the bytes to skip, or 0. */
size_t layout_question_prefix(const char *s, size_t len)
{
	size_t i = 0;

	if (i < len && s[i] == '(')
		i++;
	if (i < len && (s[i] == 'Q' || s[i] == 'q') && i + 1 < len &&
	    isdigit((unsigned char)s[i + 1]))
		i++;
	if (i < len && isdigit((unsigned char)s[i])) {
		size_t d = i;

		while (i < len && isdigit((unsigned char)s[i]) && i - d < 3)
			i++;
		if (i < len && s[i] == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1]))
			return 0;       /* "03.04.2014", "1.5": not a number */
	} else if (i < len && isalpha((unsigned char)s[i]) && i + 1 < len &&
	           s[i + 1] == ')') {
		i++;                    /* "(d)", "d)" */
	} else {
		return 0;
	}
	if (i < len && (s[i] == '.' || s[i] == ')'))
		i++;
	else if (!(i < len && s[i] == ' ') && !(s[0] == 'Q' || s[0] == 'q'))
		return 0;
	if (i >= len || s[i] != ' ')
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/* A label as written, with the punctuation a form puts after it
 * ("Surname:", "Date of birth?", "Name -") and a question number
 * before it: its field, or F_NONE. */
static enum field label_at(const char *s, size_t len)
{
	size_t q;

	fields_trim(&s, &len);
	while (len > 0 && (s[len - 1] == '?' || s[len - 1] == ':' || s[len - 1] == '.' ||
	                   s[len - 1] == '-' || s[len - 1] == ' '))
		len--;
	q = layout_question_prefix(s, len);
	s += q;
	len -= q;
	if (len == 0 || len > MAX_LABEL)
		return F_NONE;
	return vocab_label(s, len);
}

/* A leader between a label and its value: two or more '.', '_' or '…'
 * (U+2026).  Returns its length with the spaces and colon around it,
 * or 0. */
static size_t leader_at(const char *s, size_t len)
{
	size_t i = 0, marks = 0;

	for (;;) {
		if (i < len && (s[i] == '.' || s[i] == '_')) {
			i++;
			marks++;
		} else if (i + 2 < len && (unsigned char)s[i] == 0xE2 &&
		           (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0xA6) {
			i += 3;
			marks += 2;
		} else if (i < len && (s[i] == ' ' || s[i] == ':') && marks > 0) {
			i++;
		} else {
			break;
		}
	}
	return marks >= 2 ? i : 0;
}

/* Byte i ends a label whose last word is "by" ("Completed by",
 * "Referred by", "Notified by") and the value after one space starts
 * with a capital: a form's sign-off line written without a colon.
 * Only a referrer label is taken so (layout_split_label): a sentence
 * "Reported by neighbours" has no capital, and a word a form never
 * uses as a label is never one. */
static int agent_label_end(const char *s, size_t len, size_t i)
{
	return i >= 3 && s[i] == ' ' && s[i - 3] == ' ' &&
	       (s[i - 2] == 'b' || s[i - 2] == 'B') && (s[i - 1] == 'y' || s[i - 1] == 'Y') &&
	       i + 1 < len && isupper((unsigned char)s[i + 1]);
}

/* The separator at byte i between a known label and its value, when it
 * is a character surrounded by spaces: " / " (a form pasted from a PDF,
 * its table's column rule become a slash), " - " or " \u2013 " ("Name -
 * Levi Lee", "Current provision - Meadowbank Primary"), " = " (a web
 * form mailed as "Your name = Sarah Whitlock").  Returns its length
 * (1, or 3 for the en dash), or 0. */
static size_t spaced_separator(const char *s, size_t len, size_t i)
{
	size_t n;

	if (s[i] == '/' || s[i] == '-' || s[i] == '=')
		n = 1;
	else if (i + 2 < len && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
	         (unsigned char)s[i + 2] == 0x93)
		n = 3;
	else
		return 0;
	return i > 0 && s[i - 1] == ' ' && i + n < len && s[i + n] == ' ' ? n : 0;
}

/* Byte i is such a separator after a known label, read as the colon of
 * "label: value".  Not so when the line has a colon or a TAB (they
 * decide: "DOB / Age: 10/03/2015 / 10", "Tel: Daytime / 0770...",
 * "Child 1 - Name: X"), when the label runs on past the separator to a
 * longer known label ending at a word end ("Parent / Carer name  Nadia
 * Lund", "Name of Parents / Carers" alone on its line), when the whole
 * line is a section heading ("School / Staff completing form"), or when
 * the value is a list of one-letter options ("Gender / M / F",
 * unanswered).  A word that is no label before " - " ("Update - seen
 * today") is never one.  Returns the value's offset, or 0. */
static size_t spaced_label_end(const char *s, size_t len, size_t i)
{
	size_t n = spaced_separator(s, len, i), v, limit = len < MAX_LABEL ? len : MAX_LABEL;

	if (n == 0)
		return 0;
	if (memchr(s, ':', len) != NULL || memchr(s, '\t', len) != NULL)
		return 0;
	v = i + n;
	while (v < len && s[v] == ' ')
		v++;
	if (v >= len || !(isalnum((unsigned char)s[v]) || (unsigned char)s[v] >= 0x80))
		return 0;
	if (v + 3 < len && s[v + 1] == ' ' && s[v + 2] == s[i])
		return 0;                       /* "M / F": options, no answer */
	if (label_at(s, i) == F_NONE || vocab_section_heading(s, len) != F_NONE)
		return 0;
	for (size_t k = v + 1; k <= limit; k++)
		if ((k == len || s[k] == ' ' || s[k] == '?') && isalnum((unsigned char)s[k - 1]) &&
		    label_at(s, k) != F_NONE)
			return 0;               /* a label with the separator in it */
	return v;
}

enum field layout_split_label(const char *s, size_t len, const char **value, size_t *vlen)
{
	size_t limit = len < MAX_LABEL ? len : MAX_LABEL;
	enum field f;

	for (size_t i = 0; i < limit; i++) {
		size_t skip = 0;

		if (s[i] == ':' || s[i] == '\t') {
			/* the first colon decides, as it always has: "Note: the
			 * surname is..." is not a label line */
			f = label_at(s, i);
			if (f == F_NONE)
				return F_NONE;
			*value = s + i + 1;
			*vlen = len - i - 1;
			return f;
		}
		if (i > 0 && (skip = leader_at(s + i, len - i)) > 0) {
			/* "Surname ...... SMITH"; "D.O.B." is no leader (one dot) */
		} else if (agent_label_end(s, len, i)) {
			/* "Completed by Sarah Dunn, Attendance Officer": "by"
			 * ends the label, one space before a capital */
			if (label_at(s, i) == F_REFERRER) {
				*value = s + i + 1;
				*vlen = len - i - 1;
				return F_REFERRER;
			}
			continue;
		} else if (i > 0 && s[i] == ' ' && i + 1 < len && s[i + 1] == ' ') {
			skip = 2;
		} else if (i > 0 && s[i] == '|') {
			skip = 1;
		} else if (i > 0 && s[i - 1] == ' ' && (skip = spaced_label_end(s, len, i)) > 0) {
			skip -= i;
		} else {
			continue;
		}
		f = label_at(s, i);
		if (f == F_NONE)
			continue;
		while (i + skip < len && (s[i + skip] == ' ' || s[i + skip] == '|'))
			skip++;
		*value = s + i + skip;
		*vlen = len - i - skip;
		return f;
	}
	/* A label alone: its value is on the next line. */
	if ((f = label_at(s, len)) != F_NONE) {
		*value = s + len;
		*vlen = 0;
		return f;
	}
	return F_NONE;
}

/* A rule line of an ASCII-art table: "+----+----+", "|----|", "-----",
 * "=====": only rule characters, at least three dashes or equals. */
int layout_is_rule(const char *s, size_t len)
{
	size_t dashes = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-' || s[i] == '=')
			dashes++;
		else if (s[i] != '+' && s[i] != '|' && s[i] != ' ' && s[i] != ':')
			return 0;
	}
	return dashes >= 3;
}

/* A row of an ASCII-art table: begins with '|' and has another. */
int layout_is_pipe_row(const char *s, size_t len)
{
	fields_trim(&s, &len);
	return len >= 3 && s[0] == '|' && memchr(s + 1, '|', len - 1) != NULL;
}

const char *layout_next_line(const char *s, size_t len, size_t *i, size_t *ll)
{
	const char *line = s + *i, *nl = memchr(line, '\n', len - *i);

	*ll = nl ? (size_t)(nl - line) : len - *i;
	*i += *ll + (nl ? 1 : 0);
	return line;
}

/* Rows "| a | b |" as TAB rows "a\tb\n"; rule lines dropped.  `s` is
 * the block of pipe rows and rules.  Returns malloc'd text (length in
 * *outlen), or NULL when out of memory. */
char *layout_pipe_rows(const char *s, size_t len, size_t *outlen)
{
	/* each row's cells and a newline: at most len, plus the newline
	 * added to a last row that had none, plus the NUL */
	char *o = malloc(len + 2);
	size_t n = 0, i = 0;

	if (o == NULL)
		return NULL;
	while (i < len) {
		size_t ll;
		const char *line = layout_next_line(s, len, &i, &ll);

		fields_trim(&line, &ll);
		if (layout_is_rule(line, ll) || ll == 0)
			continue;
		/* drop the outer pipes, inner ones become TABs */
		if (line[0] == '|')
			line++, ll--;
		if (ll > 0 && line[ll - 1] == '|')
			ll--;
		for (size_t k = 0; k < ll; k++)
			o[n++] = line[k] == '|' ? '\t' : (line[k] == '\t' ? ' ' : line[k]);
		o[n++] = '\n';
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

/* The cells of a line laid out with runs of two or more spaces (or
 * TABs) between them: their start offsets in starts[] (at most max).
 * Returns how many. */
static size_t aligned_starts(const char *s, size_t len, size_t *starts, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		starts[n++] = i;
		/* a cell ends at two spaces or a TAB */
		while (i < len && s[i] != '\t' && !(s[i] == ' ' && i + 1 < len && s[i + 1] == ' '))
			i++;
	}
	return n;
}

/* A heading cell of a parents table: a parent's relationship, name or
 * phone.  (A relationship word itself, "Mother", is a value here, not
 * a heading: F_PARENT is not counted.) */
static int parent_heading(enum field f)
{
	return f == F_PARENT_REL || f == F_PARENT_NAME || f == F_PARENT_PHONE;
}

/* The header row whose cells aligned_starts() finds: its cell count,
 * or 0 (layout_aligned_header). */
static size_t header_cells(const char *s, size_t len)
{
	size_t starts[MAX_CELLS], n, known = 0, person = 0;
	int rel = 0;

	n = aligned_starts(s, len, starts, MAX_CELLS);
	if (n < 3)
		return 0;
	for (size_t k = 0; k < n; k++) {
		size_t end = k + 1 < n ? starts[k + 1] : len;
		const char *c = s + starts[k];
		size_t cl = end - starts[k];
		enum field f;

		fields_trim(&c, &cl);
		f = vocab_label(c, cl);
		if (f >= F_FORENAME && f <= F_REASON)
			known++;
		if (f == F_FULLNAME || f == F_FORENAME || f == F_SURNAME || parent_heading(f))
			person++;
		rel |= f == F_PARENT_REL;
	}
	if (known >= 2)
		return n;
	/* a parents table ("Relationship   Tick if P.R   Name   Tel No"):
	 * a relationship column, and at least three in four cells headings
	 * of a person's fields, so that "Name  Jo Bloggs  Relationship
	 * Mother" (labels and their values on one line) is no header */
	return rel && person >= 2 && person * 4 >= n * 3 ? n : 0;
}

size_t layout_aligned_header(const char *s, size_t len)
{
	if (len > MAX_PROSE_LINE || memchr(s, '\t', len))
		return 0;       /* TAB rows: layout_tab_header */
	return header_cells(s, len);
}

size_t layout_tab_header(const char *s, size_t len)
{
	if (len > MAX_PROSE_LINE || memchr(s, '\t', len) == NULL)
		return 0;
	return header_cells(s, len);
}

/* A space-aligned table (a header row, then rows until a blank line)
 * as TAB rows: each row is cut where the header's columns start (a cut
 * inside a word moves back to the word's start, as a value may be a
 * little wider than its heading). */
char *layout_aligned_rows(const char *s, size_t len, size_t *outlen)
{
	size_t starts[MAX_CELLS], ncol = 0, n = 0, i = 0, lines = 1;
	char *o;
	int first = 1;

	for (size_t k = 0; k < len; k++)
		lines += s[k] == '\n';
	/* each line keeps at most its bytes, and gains a TAB per column */
	o = malloc(len + lines * (MAX_CELLS + 1) + 1);
	if (o == NULL)
		return NULL;
	while (i < len) {
		size_t ll, prev = 0;
		const char *line = layout_next_line(s, len, &i, &ll);

		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (first) {
			ncol = aligned_starts(line, ll, starts, MAX_CELLS);
			first = 0;
		}
		for (size_t k = 1; k <= ncol; k++) {
			size_t cut = k < ncol ? starts[k] : ll;

			if (cut > ll)
				cut = ll;
			while (k < ncol && cut > prev && cut < ll && line[cut - 1] != ' ' &&
			       line[cut - 1] != '\t')
				cut--;
			if (cut < prev)
				cut = prev;
			for (size_t b = prev; b < cut; b++)
				o[n++] = line[b] == '\t' ? ' ' : line[b];
			if (k < ncol)
				o[n++] = '\t';
			prev = cut;
		}
		o[n++] = '\n';
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

size_t layout_next_pair(const char *v, size_t vl)
{
	for (size_t i = 2; i < vl; i++) {
		const char *rest, *colon;
		size_t rl;

		if (!(v[i - 1] == ' ' && (v[i - 2] == ' ' || v[i - 2] == '\t')) &&
		    v[i - 1] != '\t')
			continue;
		if (v[i] == ' ' || v[i] == '\t')
			continue;
		rest = v + i;
		rl = vl - i;
		colon = memchr(rest, ':', rl < MAX_LABEL ? rl : MAX_LABEL);
		if (colon && colon > rest && label_at(rest, (size_t)(colon - rest)) != F_NONE)
			return i;
	}
	return vl;
}
