/*
 * records.c - text read line by line: labelled lines ("Surname: Smith"),
 * child blocks ("Child 1"), section headings ("Referrer details"),
 * values wrapped onto the next line, and where a reply's quoted text
 * begins.  See extract_int.h.
 *
 * Owns: the per-text state machine (section, open child block,
 * signature); a table block within a text goes to tables.c, a CSV text
 * too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

/* "Child 1", "Pupil 2:", "Sibling 3 -", "CHILD ONE": opens a block.
 * Returns the length of the heading (so "Child 1: Tyler Evans" can
 * hand its rest on as a name), or 0. */
static size_t child_heading(const char *s, size_t len)
{
	size_t nwords, nnumbers;
	const char *const *words = vocab_words(VW_BLOCK_WORD, &nwords);
	const char *const *numbers = vocab_words(VW_NUMBER_WORD, &nnumbers);

	for (size_t w = 0; w < nwords; w++) {
		size_t wl = strlen(words[w]), i;

		if (len <= wl || strncasecmp(s, words[w], wl) != 0)
			continue;
		i = wl;
		while (i < len && (s[i] == ' ' || s[i] == '#' || s[i] == '.'))
			i++;
		if (i < len && isdigit((unsigned char)s[i])) {
			while (i < len && isdigit((unsigned char)s[i]))
				i++;
		} else {
			size_t k;

			for (k = 0; k < nnumbers; k++) {
				size_t nl = strlen(numbers[k]);

				if (len - i >= nl && strncasecmp(s + i, numbers[k], nl) == 0 &&
				    (i + nl == len || !isalpha((unsigned char)s[i + nl]))) {
					i += nl;
					break;
				}
			}
			if (k == nnumbers)
				continue;
		}
		while (i < len && (s[i] == ' ' || s[i] == ':' || s[i] == ')' || s[i] == '-' ||
		                   s[i] == '.'))
			i++;
		/* "Child 1 surname: X" is a label, not a heading. */
		if (i < len && memchr(s + i, ':', len - i) && !memchr(s, ':', i))
			continue;
		return i;
	}
	return 0;
}

/* Split "Label: value" / "Label<TAB>value".  The label must be short
 * and known to vocab. */
enum field records_split_label(const char *s, size_t len, const char **value, size_t *vlen)
{
	size_t limit = len < 64 ? len : 64;

	for (size_t i = 0; i < limit; i++) {
		if (s[i] == ':' || s[i] == '\t') {
			enum field f;
			const char *lab = s;
			size_t ll = i;

			fields_trim(&lab, &ll);
			f = vocab_label(lab, ll);
			if (f == F_NONE)
				return F_NONE;
			*value = s + i + 1;
			*vlen = len - i - 1;
			return f;
		}
	}
	return F_NONE;
}


/* 1 if the line ends with an attribution's closing word ("wrote:"). */
static int attribution_close(const char *s, size_t len)
{
	size_t n;
	const char *const *w = vocab_words(VW_ATTRIBUTION_CLOSE, &n);

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(w[i]);

		if (len >= l && strncasecmp(s + len - l, w[i], l) == 0)
			return 1;
	}
	return 0;
}

/* Lines that end what a reply says and start what it quotes. */
static int reply_marker(const char *s, size_t len)
{
	size_t wl;

	if (len >= 5 && fields_memstr_any(s, len, VW_REPLY_MARKER))
		return 1;
	if (len > 8 && vocab_words_prefix(VW_ATTRIBUTION_OPEN, s, len, NULL) &&
	    attribution_close(s, len))
		return 1;
	if (len >= 10 && s[0] == '_' && s[1] == '_' && s[len - 1] == '_')
		return 1;
	if (vocab_words_prefix(VW_QUOTED_HEADER, s, len, &wl) && len > wl)
		return 2;           /* an Outlook header block: reply or forward */
	return 0;
}

void records_read_line(struct reader *rd, const char *s, size_t len)
{
	const char *v;
	size_t vl, h;
	enum field f, sect;

	fields_trim(&s, &len);
	if (len == 0) {
		rd->last_field = F_NONE;
		/* A blank line closes a child block that has content. */
		if (rd->cur && rd->cur_fields > 0)
			rd->cur = NULL;
		return;
	}
	if (rd->in_signature) {
		/* The first signature read (the sender's, before any forwarded
		 * text) is the one kept. */
		if (rd->in_signature <= 4 && len < 100 && rd->signature[rd->in_signature - 1] == NULL)
			rd->signature[rd->in_signature - 1] = fields_dup_trimmed(s, len, 100);
		rd->in_signature++;
		return;
	}
	if (vocab_is_valediction(s, len)) {
		rd->in_signature = 1;
		rd->cur = NULL;
		return;
	}
	if ((h = child_heading(s, len)) > 0) {
		if (fields_new_child_block(rd) && h < len)
			fields_assign(rd, F_FULLNAME, s + h, len - h);
		return;
	}
	f = records_split_label(s, len, &v, &vl);
	if (f == F_NONE && (sect = vocab_section_heading(s, len)) != F_NONE) {
		rd->section = sect;
		if (sect != F_FULLNAME)
			rd->cur = NULL;
		return;
	}
	if (f != F_NONE) {
		if (f == F_SAFEGUARDING || f == F_SOCIAL_WORKER) {
			/* "Child protection plan: No": the label is the question,
			 * the flag reader needs both (answers.c) */
			fields_keep(rd, &rd->flag_text, s, len < MAX_PROSE_LINE ? len : MAX_PROSE_LINE);
			fields_keep_str(rd, &rd->flag_text, "\n");
		}
		fields_assign(rd, f, v, vl);
		rd->last_field = f;
		if (f == F_PARENT && rd->r->n_parents > 0 &&
		    rd->r->parents[rd->r->n_parents - 1].relationship == NULL) {
			/* "Mother: Agnieszka Kaczmarek": the label is the relationship */
			const char *rel = vocab_match_relationship(s, (size_t)(v - s));

			if (rel)
				rd->r->parents[rd->r->n_parents - 1].relationship = strdup(rel);
		}
		return;
	}
	/* A long value wrapped onto the next line ("Reason: Not attended,\n
	 * and the house was found empty") continues its field. */
	if (rd->last_field == F_REASON || rd->last_field == F_NOTES ||
	    rd->last_field == F_SAFEGUARDING || rd->last_field == F_OUTCOME) {
		fields_assign(rd, rd->last_field, s, len);
	}
	/* Prose: kept for reasons, flags and names in sentences.  A line
	 * "Child protection plan: No" names a flag and answers it: it goes
	 * to the flag reader only, which reads the answer (answers.c). */
	{
		const char *colon = memchr(s, ':', len < 64 ? len : 64);

		if (colon && vocab_is_negative_answer(colon + 1, len - (size_t)(colon + 1 - s))) {
			fields_keep(rd, &rd->flag_text, s, len < MAX_PROSE_LINE ? len : MAX_PROSE_LINE);
			fields_keep_str(rd, &rd->flag_text, "\n");
			return;
		}
	}
	if (rd->prose.len < MAX_SCAN_TEXT) {
		/* A sentence is not 1,000 bytes long; a longer "line" is junk
		 * or an encoded blob, and scanning it for phrases costs time
		 * without finding anything an officer wrote. */
		if (len > MAX_PROSE_LINE)
			len = MAX_PROSE_LINE;
		fields_keep(rd, &rd->prose, s, len);
		fields_keep_str(rd, &rd->prose, "\n");
	}
}

/* One text part: lines, table blocks, or a CSV attachment.  Reading
 * stops where a reply starts quoting; a plain top-level text without a
 * valediction may end in a signature paragraph (prose.c). */
void records_read_text(struct reader *rd, const struct message_text *t)
{
	const char *s = t->text;
	size_t len = t->len, i = 0;

	rd->cur = NULL;
	rd->section = F_NONE;
	rd->in_signature = 0;
	if (t->source == TEXT_CSV) {
		tables_read_csv(rd, s, len);
		return;
	}
	if (t->source == TEXT_REPORT)
		return;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (s + i)) : len - i;
		const char *line = s + i;
		size_t next = i + ll + (nl ? 1 : 0);
		int marker;

		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll > 0 && line[0] == '>') {
			i = next;
			continue;       /* quoted: what someone else said before */
		}
		marker = reply_marker(line, ll);
		if (marker == 1 || (marker == 2 && rd->is_reply && !rd->is_forward))
			break;
		if (memchr(line, '\t', ll) && t->source != TEXT_PLAIN) {
			/* gather the whole table block */
			size_t j = i;

			while (j < len) {
				const char *n2 = memchr(s + j, '\n', len - j);
				size_t l2 = n2 ? (size_t)(n2 - (s + j)) : len - j;

				if (!memchr(s + j, '\t', l2))
					break;
				j += l2 + (n2 ? 1 : 0);
			}
			tables_read_table(rd, s + i, j - i);
			i = j;
			continue;
		}
		records_read_line(rd, line, ll);
		i = next;
	}
	if (rd->signature[0] == NULL && t->depth == 0 && t->source == TEXT_PLAIN)
		prose_trailing_signature(rd, s, i < len ? i : len);
}

/* ------------------------------------------------------------------ */
/* After reading: prose, shared fields, derived values, kind.          */
