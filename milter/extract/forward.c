/*
 * forward.c - who referred when a message forwards another inline.  See
 * extract_int.h.
 *
 * Owns: nothing; reads the caller's text and the reader.
 *
 * A forward is either passed on or reported on:
 *   - "FYI - see below", "Forwarding as discussed": the forwarder only
 *     routes the mail; the forwarded message is the referral and its
 *     writer the referrer (records.c reads only the forwarded text);
 *   - "Forwarding Mrs Reid's email below - Oscar is off roll from today.
 *     He has an EHCP.": the forwarder tells the case in their own note
 *     (forward_note_reports: two sentences or more above the forward);
 *     the forwarder is then the referrer, the note is read with the
 *     forwarded text (its flags and facts count), the note's signature
 *     is the referrer's, and the forwarded writer is another party: a
 *     parent when their letter speaks of "my son", "my daughter"
 *     (VW_OWN_CHILD_CUE), whose relationship is the one the message
 *     gives them ("Amelia's mum", "Mrs Reid").
 *
 * Bounded: a note is read up to FWD_NOTE_SCAN bytes; nothing is
 * allocated but the parent's strings.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

#define FWD_NOTE_SCAN 4096   /* a forwarder's note is short */
#define SENTENCE_WORDS 3     /* "No safeguarding concerns." is a sentence */

/* Sentences in s[0..len): runs of SENTENCE_WORDS words or more ending in
 * '.', '!' or '?' before a space or the end.  A signature's lines and a
 * greeting ("Hi team,") end in none. */
static int sentences(const char *s, size_t len)
{
	int n = 0, words = 0, inword = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c)) {
			if (!inword)
				words++;
			inword = 1;
			continue;
		}
		inword = 0;
		if ((c == '.' || c == '!' || c == '?') && (i + 1 == len || isspace((unsigned char)s[i + 1]))) {
			if (words >= SENTENCE_WORDS)
				n++;
			words = 0;
		} else if (c == '\n' && i + 1 < len && s[i + 1] == '\n') {
			words = 0;          /* a paragraph without a full stop */
		}
	}
	return n;
}

/* Sentences in the note's paragraphs, a legal footer's left out ("X
 * Council is committed to safeguarding ... This email is confidential":
 * thread.c cuts a footer only after three lines of text). */
int forward_note_reports(const char *note, size_t len)
{
	size_t i = 0, n = 0;

	if (len > FWD_NOTE_SCAN)
		len = FWD_NOTE_SCAN;
	while (i < len) {
		const char *p = note + i, *e = fields_memstr_ci(p, len - i, "\n\n");
		size_t pl = e ? (size_t)(e - p) : len - i;

		if (!fields_memstr_any(p, pl, VW_DISCLAIMER_CUE) &&
		    !vocab_words_prefix(VW_DISCLAIMER, p, pl, NULL))
			n += (size_t)sentences(p, pl);
		i += pl + 2;
	}
	return n >= 2;
}

int forward_from_parent(const char *s, size_t len)
{
	return fields_memstr_any(s, len, VW_OWN_CHILD_CUE);
}

/* The relationship the text gives the person with this surname: a
 * courtesy title before it ("Mrs Reid") or a relationship word after a
 * possessive ("Amelia's mum"), else NULL. */
static const char *relationship_of(const char *s, size_t len, const char *surname, size_t sl)
{
	for (size_t i = 0; sl > 0 && i + sl <= len; i++) {
		size_t b = i, tl;
		const char *g;

		if (strncasecmp(s + i, surname, sl) != 0 || (i > 0 && isalpha((unsigned char)s[i - 1])) ||
		    (i + sl < len && isalpha((unsigned char)s[i + sl])) || i < 3 || s[i - 1] != ' ')
			continue;
		b = i - 1;
		while (b > 0 && isalpha((unsigned char)s[b - 1]))
			b--;
		tl = fields_title_len(s + b, i - b);
		if (tl > 0 && (g = vocab_match_gender(s + b, i - 1 - b)) != NULL)
			return strcmp(g, "F") == 0 ? "mother" : strcmp(g, "M") == 0 ? "father" : NULL;
	}
	for (size_t i = 0; i + 3 < len; i++) {
		size_t e;
		const char *rel;

		if (s[i] != '\'' || s[i + 1] != 's' || s[i + 2] != ' ')
			continue;
		for (e = i + 3; e < len && isalpha((unsigned char)s[e]); e++)
			;
		rel = vocab_match_relationship(s + i + 3, e - i - 3);
		if (rel && (strcmp(rel, "mother") == 0 || strcmp(rel, "father") == 0))
			return rel;
	}
	return NULL;
}

void forward_writer_parent(struct reader *rd)
{
	struct cme_referral *r = rd->r;
	const char *f = rd->fwd_from, *prose = strbuf_str(&rd->prose);
	size_t nl, es, el, sb;
	struct cme_parent *p;

	if (!rd->fwd_reporter || !rd->fwd_parent || f == NULL || r->n_children == 0)
		return;
	nl = fields_name_part(f, strlen(f));
	if (fields_email_find(f, strlen(f), &es, &el) && es < nl)
		nl = es;
	while (nl > 0 && (isspace((unsigned char)f[nl - 1]) || f[nl - 1] == '<' || f[nl - 1] == '"'))
		nl--;
	if (nl == 0 || memchr(f, ' ', nl) == NULL)
		return;                     /* a parent is named in full */
	if (fields_parent_named(r, f, nl))
		return;
	if ((p = referral_add_parent(r, MAX_PARENTS)) == NULL)
		return;
	fields_set_str(&p->name, f, nl, MAX_NAME);
	for (sb = nl; sb > 0 && f[sb - 1] != ' '; sb--)
		;
	{
		const char *rel = relationship_of(prose, rd->prose.len, f + sb, nl - sb);

		if (rel)
			p->relationship = strdup(rel);
	}
}
