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
#include "learned.h"
#include "thread.h"

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

/* "SECTION 2  PARENT / CARER", "Part B: Referrer", "3. Child details":
 * the numbering before a heading's words.  Returns the bytes to skip
 * (a word of up to 10 letters and a number or letter, then a
 * separator), or 0.  What follows must still be a heading vocab knows,
 * so no prefix word list is needed. */
static size_t heading_number(const char *s, size_t len)
{
	size_t i = 0, d, sep;

	if ((i = layout_question_prefix(s, len)) > 0)
		return i;
	while (i < len && i <= 10 && isalpha((unsigned char)s[i]))
		i++;
	if (i == 0 || i > 10 || i >= len || s[i] != ' ')
		return 0;
	d = ++i;
	while (i < len && isalnum((unsigned char)s[i]) && i - d < 3)
		i++;
	if (i == d || i - d > 2 || (i - d == 2 && !isdigit((unsigned char)s[d])))
		return 0;
	sep = i;
	while (i < len && (s[i] == ' ' || s[i] == ':' || s[i] == '.' || s[i] == '-' ||
	                   s[i] == ')' || s[i] == '\t'))
		i++;
	return i > sep && i < len ? i : 0;
}

/* The section a heading line opens (vocab_section_heading), its
 * numbering ("SECTION 1", "Part A:", "2.") set aside. */
static enum field section_heading(const char *s, size_t len)
{
	enum field f = vocab_section_heading(s, len);
	size_t skip;

	if (f == F_NONE && (skip = heading_number(s, len)) > 0)
		f = vocab_section_heading(s + skip, len - skip);
	return f;
}

/* "Siblings", "SECTION 3  SIBLINGS (also missing education)",
 * "Sibling details": a heading naming further children.  Its first word
 * is a child-block word (vocab's block words: "sibling", "pupil", ...)
 * in the plural, alone or before a bracketed hint; or any block word
 * whose heading, said of a child ("sibling details" as "child
 * details"), is a child section vocab knows; or a heading of the
 * sibling_heading word list ("other children in the family").  "Child
 * protection plan" is none of these.  A numbered "Child 2" is child_heading's. */
static int sibling_heading(const char *s, size_t len)
{
	size_t nwords, skip = heading_number(s, len);
	const char *const *words = vocab_words(VW_BLOCK_WORD, &nwords);

	s += skip;
	len -= skip;
	while (len > 0 && (s[len - 1] == ':' || s[len - 1] == ' '))
		len--;
	if (len == 0 || len > 60 || memchr(s, ':', len))
		return 0;
	{
		size_t n;
		const char *const *hw = vocab_words(VW_SIBLING_HEADING, &n);

		for (size_t k = 0; k < n; k++)
			if (strlen(hw[k]) == len && strncasecmp(s, hw[k], len) == 0)
				return 1;
	}
	if (section_heading(s, len) != F_NONE)
		return 0;
	for (size_t w = 0; w < nwords; w++) {
		size_t wl = strlen(words[w]), i;
		int plural = 0;
		char as_child[72];

		if (len < wl || strncasecmp(s, words[w], wl) != 0)
			continue;
		i = wl;
		if (i + 3 <= len && strncasecmp(s + i, "ren", 3) == 0)
			i += 3, plural = 1;     /* "children" */
		else if (i < len && (s[i] == 's' || s[i] == 'S'))
			i++, plural = 1;
		if (i < len && isalnum((unsigned char)s[i]))
			continue;
		while (i < len && s[i] == ' ')
			i++;
		if (plural && (i == len || s[i] == '('))
			return 1;
		if (i < len && len - i < sizeof as_child - 8) {
			int n = snprintf(as_child, sizeof as_child, "child %.*s", (int)(len - i), s + i);

			if (n > 0 && section_heading(as_child, (size_t)n) == F_FULLNAME)
				return 1;
		}
	}
	return 0;
}

/* Under a sibling heading, a child's first identity field (name, date
 * of birth, UPN) opens a block; a blank line ends it (records_read_line).  A
 * child read before it as fields outside any block (the form's first
 * section) becomes a block of its own first, so that the sibling does
 * not inherit its name; what the children share (address, school,
 * reason) stays common. */
static void open_sibling_block(struct reader *rd)
{
	struct cme_child *k = &rd->common, *c;

	if (rd->r->n_children == 0 && (k->forename || k->surname || k->dob || k->upn) &&
	    (c = fields_new_child_block(rd)) != NULL) {
#define MOVE(f) do { c->f = k->f; k->f = NULL; } while (0)
		MOVE(forename); MOVE(surname); MOVE(dob); MOVE(gender); MOVE(upn);
#undef MOVE
		c->upn_valid = k->upn_valid;
		c->year_group = k->year_group;
		k->upn_valid = -1;
		k->year_group = -1;
	}
	(void)fields_new_child_block(rd);
}

/* "Siblings Name(s) and DOB: Tia Brennan 21.11.2019, Jay Brennan ...":
 * a label no field has, opening with a sibling word, whose value lists
 * each sibling as a name and a date of birth.  Returns the value's
 * offset (the line's length when the value is on the next line), or 0. */
static size_t sibling_list_label(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len < 61 ? len : 61);

	if (colon == NULL || colon == s ||
	    !vocab_words_prefix(VW_SIBLING_WORD, s, (size_t)(colon - s), NULL))
		return 0;
	return (size_t)(colon - s) + 1;
}

/* Length of a sibling pair's name at s ("Tia Brennan 21.11.2019",
 * "Jay BRENNAN (DOB 2.2.15)", "Jay Brennan - 2.2.15"): a name of
 * capitalised words then a date's first digit; 0 if none. */
static size_t sibling_pair_name(const char *s, size_t len)
{
	size_t n = fields_name_part(s, len), i, ncue, k;
	const char *const *cues = vocab_words(VW_DOB_CUE, &ncue);

	if (n == 0 || n > MAX_NAME || !isupper((unsigned char)s[0]))
		return 0;
	for (i = n; i < len && (s[i] == ' ' || s[i] == '(' || s[i] == '-' || s[i] == ':'); i++)
		;
	for (k = 0; k < ncue; k++) {
		size_t cl = strlen(cues[k]);

		if (i + cl <= len && strncasecmp(s + i, cues[k], cl) == 0) {
			for (i += cl; i < len && (s[i] == ' ' || s[i] == ':' || s[i] == '.'); i++)
				;
			break;
		}
	}
	return i < len && isdigit((unsigned char)s[i]) ? n : 0;
}

/* Each name-and-date pair of a sibling list's value is a sibling (with
 * its year group or school among the parts after it); what the children
 * share stays common.  Returns how many were read. */
static int read_sibling_pairs(struct reader *rd, const char *label, size_t label_len,
                              const char *v, size_t vl)
{
	size_t i = 0, made = 0;
	char *dob = NULL;

	while (i < vl && made < 16) {
		size_t n, e;

		while (i < vl && (v[i] == ' ' || v[i] == ',' || v[i] == ';'))
			i++;
		if (i + 4 <= vl && strncasecmp(v + i, "and ", 4) == 0)
			i += 4;
		if (i >= vl || (n = sibling_pair_name(v + i, vl - i)) == 0)
			break;
		/* the pair's parts run to the next separator opening a pair */
		for (e = i + n; e < vl; e++)
			if ((v[e] == ',' || v[e] == ';') && e + 1 < vl) {
				size_t b = e + 1;

				while (b < vl && v[b] == ' ')
					b++;
				if (b + 4 <= vl && strncasecmp(v + b, "and ", 4) == 0)
					b += 4;
				if (sibling_pair_name(v + b, vl - b) > 0)
					break;
			}
		/* a name and a phone number is no pair */
		fields_set_date(rd, &dob, v + i + n, e - i - n);
		if (dob == NULL)
			break;
		free(dob);
		dob = NULL;
		open_sibling_block(rd);
		if (rd->cur == NULL)
			break;
		rd->where.label = label;
		rd->where.label_len = label_len;
		fields_assign(rd, F_FULLNAME, v + i, n);
		fields_assign(rd, F_DOB, v + i + n, e - i - n);
		if (rd->cur && rd->cur != &rd->spill)
			lists_item_parts(rd->cur, v + i + n, e - i - n);
		rd->where.label = NULL;
		rd->cur = NULL;
		made++;
		i = e;
	}
	return made > 0;
}

/* Split a labelled line, whatever its layout (layout.c).  The label
 * must be short and known to vocab. */
enum field records_split_label(const char *s, size_t len, const char **value, size_t *vlen)
{
	return layout_split_label(s, len, value, vlen);
}

/* A label alone on its line ("Date of birth", "4. Surname:") waits for
 * the next line, its value.  Returns 1 if the line was taken as the
 * value of a waiting label (and read as "label: value"). */
static int pending_value(struct reader *rd, const char *s, size_t len, enum field f)
{
	char line[LAYOUT_MAX_PENDING + MAX_PROSE_LINE + 4];
	size_t pl = rd->pending_len;

	if (pl == 0)
		return 0;
	if (len >= 2 && s[0] == '(' && s[len - 1] == ')' && memchr(s + 1, ')', len - 1) == s + len - 1)
		return 1;       /* "(include post code)": the label's hint */
	rd->pending_len = 0;
	/* the next line is another label, a heading or a new block: the
	 * question was left unanswered */
	if (f != F_NONE || section_heading(s, len) != F_NONE)
		return 0;
	if (len > MAX_PROSE_LINE)
		len = MAX_PROSE_LINE;
	memcpy(line, rd->pending, pl);
	line[pl] = ':';
	line[pl + 1] = ' ';
	memcpy(line + pl + 2, s, len);
	records_read_line(rd, line, pl + 2 + len);
	return 1;
}

static void pending_label(struct reader *rd, const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ':' || s[len - 1] == ' '))
		len--;
	if (len == 0 || len >= LAYOUT_MAX_PENDING)
		return;
	memcpy(rd->pending, s, len);
	rd->pending_len = len;
	rd->pending_blanks = 0;
}

/* A labelled value's sentences after its first are narrative, not the
 * field ("Mother: Kerry Walsh 07700 900439. Social worker Imran Shah has
 * been informed."): they go to the flag reader, which reads them as it
 * reads any sentence, between blank lines, and to the prose readers
 * (parents and phones in sentences).  A sentence starts after
 * ". " and a capital letter; the values the flag reader keeps whole
 * already are skipped. */
static void keep_trailing_sentences(struct reader *rd, enum field f, const char *v,
                                    size_t vl)
{
	if (f == F_SAFEGUARDING || f == F_SOCIAL_WORKER || f == F_NOTES || f == F_REASON ||
	    f == F_NEXT_STEPS || f == F_REFERRAL_TYPE)
		return;
	if (vl > MAX_PROSE_LINE)
		vl = MAX_PROSE_LINE;
	for (size_t i = 1; i + 2 < vl; i++)
		if ((v[i] == '.' || v[i] == '!' || v[i] == '?') && v[i + 1] == ' ' &&
		    isupper((unsigned char)v[i + 2])) {
			/* a blank line first: the line above ("Looked after:
			 * No") is another record, its "No" no negator of this */
			fields_keep_str(rd, &rd->flag_text, "\n");
			fields_keep(rd, &rd->flag_text, v + i + 2, vl - (i + 2));
			fields_keep_str(rd, &rd->flag_text, "\n\n");
			/* and to the prose readers: "Address: ... PR1 5RU. Dad
			 * (Imran Hussain) ..." names a parent */
			fields_keep(rd, &rd->prose, v + i + 2, vl - (i + 2));
			fields_keep_str(rd, &rd->prose, "\n");
			return;
		}
}

/* The label of "Child's surname: Smith" as written, without its colon,
 * dash or spaces: n bytes of s come before the value. */
static size_t label_length(const char *s, size_t n)
{
	while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ':' ||
	                 s[n - 1] == '-' || s[n - 1] == '.' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* A line whose label the vocabulary knows: its value into the field.
 * v, vl: the value part of s. */
static void read_labelled(struct reader *rd, const char *s, size_t len, enum field f,
                          const char *v, size_t vl)
{
	/* under a siblings heading a child field opens the next
	 * sibling - unless its label names which sibling ("Sibling 1
	 * date of birth"): fields.c puts that with the child named */
	if (rd->sibling_section && rd->cur == NULL &&
	    (f == F_FORENAME || f == F_SURNAME || f == F_FULLNAME || f == F_DOB || f == F_UPN) &&
	    !fields_memstr_any(s, (size_t)(v - s), VW_SIBLING_WORD))
		open_sibling_block(rd);
	if (f == F_SAFEGUARDING || f == F_SOCIAL_WORKER) {
		/* "Child protection plan: No": the label is the question,
		 * the flag reader needs both (answers.c) */
		fields_keep(rd, &rd->flag_text, s, len < MAX_PROSE_LINE ? len : MAX_PROSE_LINE);
		fields_keep_str(rd, &rd->flag_text, "\n");
	}
	rd->where.label = s;    /* provenance: the label matched */
	rd->where.label_len = label_length(s, (size_t)(v - s));
	fields_assign(rd, f, v, vl);
	keep_trailing_sentences(rd, f, v, vl);
	if (f == F_PARENT || f == F_PARENT_NAME || f == F_PARENT_REL) {
		/* "Parent: Sgt Craig Brown (father), Royal Logistic
		 * Corps": what a parent's value says of the parent
		 * (serving in the forces) is the flag reader's too */
		fields_keep_str(rd, &rd->flag_text, "\n");
		fields_keep(rd, &rd->flag_text, v, vl < MAX_PROSE_LINE ? vl : MAX_PROSE_LINE);
		fields_keep_str(rd, &rd->flag_text, "\n\n");
	}
	rd->where.label = NULL;
	rd->last_field = f;
	if (f == F_PARENT && rd->r->n_parents > 0 &&
	    rd->r->parents[rd->r->n_parents - 1].relationship == NULL &&
	    memchr(s, '/', (size_t)(v - s)) == NULL) {
		/* "Mother: Agnieszka Kaczmarek": the label is the
		 * relationship; "Parent/carer: ..." offers a choice and
		 * names none (its "Relationship:" line does) */
		const char *rel = vocab_match_relationship(s, (size_t)(v - s));

		if (rel)
			rd->r->parents[rd->r->n_parents - 1].relationship = strdup(rel);
	}
}

/* A line with no label the vocabulary knows: kept for learning, a
 * wrapped value, a negative answer for the flag reader, or prose. */
#define SECTION_PARENT_LINE 80      /* bytes of a parent's one line */

/* Under a parents heading ("3. Parents/carers"), a short line naming a
 * person with a relationship or a phone and no full stop ("Manjit Kaur
 * (mother) 07700 900634") is the parent, read as a "Parent:" value;
 * a sentence ("Mum has told us ...") is not. */
static int section_parent_line(struct reader *rd, const char *s, size_t len)
{
	size_t ps, pl;
	const char *open, *close;

	if (rd->section != F_PARENT || len == 0 || len > SECTION_PARENT_LINE ||
	    !isupper((unsigned char)s[0]) || s[len - 1] == '.' || memchr(s, ':', len) ||
	    fields_memstr_ci(s, len, ". ") != NULL)
		return 0;
	/* the relationship in brackets ("(mother)"), not "Mum says ..." */
	open = memchr(s, '(', len);
	close = open ? memchr(open, ')', len - (size_t)(open - s)) : NULL;
	if (!fields_phone_find(s, len, &ps, &pl) &&
	    (close == NULL || vocab_match_relationship(open, (size_t)(close - open)) == NULL))
		return 0;
	fields_assign(rd, F_PARENT, s, len);
	return 1;
}

static void read_unlabelled(struct reader *rd, const char *s, size_t len)
{
	if (section_parent_line(rd, s, len))
		return;
	/* A label no vocabulary knows: kept for learning (learned.h) */
	if (learned_note_unknown(rd->r, s, len) != 0)
		rd->oom = 1;
	/* A long value wrapped onto the next line ("Reason: Not attended,\n
	 * and the house was found empty") continues its field. */
	if (rd->last_field == F_REASON || rd->last_field == F_NOTES ||
	    rd->last_field == F_SAFEGUARDING || rd->last_field == F_OUTCOME) {
		rd->value_wrap = 1;
		fields_assign(rd, rd->last_field, s, len);
		rd->value_wrap = 0;
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

/* A name value that carries the child's date of birth too: a one-line
 * entry of a list of children. */
static int one_line_entry(const char *v, size_t vl)
{
	struct ymd d;
	size_t used;

	return vl > 0 && ukdate_find(v, vl, &d, &used);
}

/* After a blank line below a sign-off, a form block starts: a heading
 * in capitals ("PUPIL EXIT FORM - LEAVING THE COUNTRY", "CHILD'S
 * DETAILS"), a section heading, or a labelled line naming the child
 * ("Child's full name: ...", "Date of birth: ...").  A signature's own
 * lines (a name, a role, a school, its address) are none of these. */
static int form_after_signature(const char *s, size_t len)
{
	const char *v = s;
	size_t vl = 0, words = 0, lower = 0;
	enum field f = records_split_label(s, len, &v, &vl);

	if (f != F_NONE)
		fields_trim(&v, &vl);
	if (f != F_NONE && vl > 0 &&
	    (f == F_FULLNAME || f == F_FORENAME || f == F_SURNAME || f == F_DOB || f == F_UPN))
		return 1;
	if (section_heading(s, len) != F_NONE)
		return 1;
	for (size_t i = 0; i < len; i++) {
		lower += islower((unsigned char)s[i]) != 0;
		words += isalpha((unsigned char)s[i]) && (i == 0 || s[i - 1] == ' ');
		if (s[i] == '@' || isdigit((unsigned char)s[i]))
			return 0;       /* an address or a phone line */
	}
	return lower == 0 && words >= 3 && len <= 80;
}

/* A section heading ("Parents/carers", "Siblings"): what follows is
 * that section's; a new child block waits for a name. */
static void enter_section(struct reader *rd, enum field sect)
{
	rd->sibling_section = 0;
	rd->section = sect;
	if (sect != F_FULLNAME)
		rd->cur = NULL;
}

/* A blank line, a line of the sign-off, or the valediction that starts
 * it: 1 when the line was taken so (records_read_line reads no more of
 * it), 0 when it is content. */
static int blank_or_signature(struct reader *rd, const char *s, size_t len)
{
	if (len == 0) {
		rd->last_field = F_NONE;
		/* a PDF paste may leave one blank line between a label and
		 * its value, never more */
		if (rd->pending_len && rd->pending_blanks++ > 0)
			rd->pending_len = 0;
		/* A blank line closes a child block that has content. */
		if (rd->cur && rd->cur_fields > 0)
			rd->cur = NULL;
		if (rd->in_signature)
			rd->sig_gap = 1;
		return 1;
	}
	if (rd->in_signature && rd->sig_gap && form_after_signature(s, len)) {
		rd->in_signature = 0;   /* a form below the sign-off: content */
		rd->sig_gap = 0;
	}
	if (rd->in_signature) {
		/* The first signature read (the sender's, before any forwarded
		 * text) is the one kept. */
		if (rd->in_signature <= MAX_SIGNATURE_LINES && len < 100 && !rd->fwd_reporter &&
		    rd->signature[rd->in_signature - 1] == NULL)
			rd->signature[rd->in_signature - 1] = fields_dup_trimmed(s, len, 100);
		rd->in_signature++;
		return 1;
	}
	if (vocab_is_valediction(s, len)) {
		rd->in_signature = 1;
		rd->sig_gap = 0;
		rd->cur = NULL;
		return 1;
	}
	return 0;
}

void records_read_line(struct reader *rd, const char *s, size_t len)
{
	const char *v;
	size_t vl, h;
	enum field f, sect;

	fields_trim(&s, &len);
	if (blank_or_signature(rd, s, len))
		return;
	if (rd->sibling_list) {
		rd->sibling_list = 0;
		if (read_sibling_pairs(rd, NULL, 0, s, len))
			return;
	}
	if ((h = child_heading(s, len)) > 0) {
		/* one-line entries ("Child 1 name/DOB: Lacey WARD 07/03/2015")
		 * in a run: what follows them is the family's */
		rd->inline_children = h < len ? rd->inline_children + 1 : 0;
		rd->pending_len = 0;
		rd->where.label = s;
		rd->where.label_len = label_length(s, h);
		if (fields_new_child_block(rd) && h < len) {
			fields_assign(rd, F_FULLNAME, s + h, len - h);
			/* "Child 1: Levi SMITH, DOB .., Lane End Primary" */
			if (rd->cur && rd->cur != &rd->spill)
				lists_item_parts(rd->cur, s + h, len - h);
		}
		rd->where.label = NULL;
		return;
	}
	f = records_split_label(s, len, &v, &vl);
	if (pending_value(rd, s, len, f))
		return;
	if (rd->inline_children >= 2 && (f == F_ADDRESS || f == F_POSTCODE))
		rd->cur = NULL;         /* stated once for the children above */
	else if (f == F_FULLNAME && one_line_entry(v, vl))
		rd->inline_children++;  /* "Child 2 name/DOB: Kian WARD 22/08/2018" */
	else if (f >= F_FORENAME && f <= F_REASON)
		rd->inline_children = 0;
	if (f != F_NONE) {
		const char *tv = v;
		size_t tl = vl;

		fields_trim(&tv, &tl);
		if (tl == 0) {
			/* a label alone (or a heading that is also a label) */
			if ((sect = section_heading(s, len)) != F_NONE)
				enter_section(rd, sect);
			else
				pending_label(rd, s, len);
			return;
		}
	}
	if (f == F_NONE && (sect = section_heading(s, len)) != F_NONE) {
		enter_section(rd, sect);
		return;
	}
	if (f == F_NONE && (h = sibling_list_label(s, len)) > 0) {
		if (h == len) {
			rd->sibling_list = 1;   /* the pairs on the next line */
			return;
		}
		if (read_sibling_pairs(rd, s, h - 1, s + h, len - h))
			return;
	}
	if (f == F_NONE && sibling_heading(s, len)) {
		rd->pending_len = 0;
		rd->sibling_section = 1;
		rd->section = F_FULLNAME;
		rd->cur = NULL;
		return;
	}
	if (f != F_NONE && len <= MAX_PROSE_LINE && (h = layout_next_pair(v, vl)) < vl) {
		/* "Surname: BROWN     Forename: Harper": two labelled lines
		 * (the bound on len bounds the recursion); a name and a
		 * date of birth on one line are one child's record */
		const char *nv;
		size_t nvl;

		if (f == F_FULLNAME &&
		    layout_split_label(v + h, vl - h, &nv, &nvl) == F_DOB)
			fields_record_line(rd);
		records_read_line(rd, s, (size_t)(v - s) + h);
		records_read_line(rd, v + h, vl - h);
		return;
	}
	if (f != F_NONE) {
		read_labelled(rd, s, len, f, v, vl);
		return;
	}
	read_unlabelled(rd, s, len);
}

#define MAX_FORWARD_DEPTH 8   /* forwards of forwards read */

/* A line of a table drawn with pipes: "| Surname | Forename |",
 * "Surname | SMITH | Forename | Jayden", or its "+----+" rules. */
static int pipe_line(const char *line, size_t ll)
{
	fields_trim(&line, &ll);
	return ll > 0 && line[0] != '>' &&
	       (layout_is_rule(line, ll) || memchr(line, '|', ll) != NULL);
}

/* An ASCII-art table starting at s[i]: two or more lines with pipes
 * (rules between them), read as a table (tables.c).  Returns 1 with
 * *next past the block, or 0 when s[i] does not start one. */
static int pipe_table(struct reader *rd, const char *s, size_t i, size_t end,
                      size_t *next)
{
	size_t j = i, rows = 0, lines = 0, tlen;
	char *tab;

	while (j < end) {
		const char *nl = memchr(s + j, '\n', end - j);
		size_t l2 = nl ? (size_t)(nl - (s + j)) : end - j;

		/* a run of rules with no row is no table (and is not
		 * rescanned line by line) */
		if (!pipe_line(s + j, l2) || (rows == 0 && ++lines > 3))
			break;
		if (memchr(s + j, '|', l2) && !layout_is_rule(s + j, l2))
			rows++;
		j += l2 + (nl ? 1 : 0);
	}
	if (rows < 2)
		return 0;
	if ((tab = layout_pipe_rows(s + i, j - i, &tlen)) == NULL) {
		rd->oom = 1;
		return 0;
	}
	tables_read_table(rd, tab, tlen);
	free(tab);
	*next = j;
	return 1;
}

#define MAX_ALIGNED_ROWS 200   /* rows of a space-aligned table read */

/* A table laid out with spaces starting at s[i]: a header row naming
 * child fields ("Surname    Forename   M/F   DOB") and the rows under it
 * up to a blank line, read as a table (tables.c).  Returns 1 with
 * *next past the block, or 0. */
static int aligned_table(struct reader *rd, const char *s, size_t i, size_t end,
                         size_t *next)
{
	const char *nl = memchr(s + i, '\n', end - i);
	size_t ll = nl ? (size_t)(nl - (s + i)) : end - i, j = i, rows = 0, tlen;
	char *tab;

	if (!layout_aligned_header(s + i, ll))
		return 0;
	while (j < end && rows <= MAX_ALIGNED_ROWS) {
		const char *n2 = memchr(s + j, '\n', end - j);
		size_t l2 = n2 ? (size_t)(n2 - (s + j)) : end - j;
		const char *t = s + j;
		size_t tl = l2;

		fields_trim(&t, &tl);
		if (tl == 0)
			break;
		rows++;
		j += l2 + (n2 ? 1 : 0);
	}
	if (rows < 2)
		return 0;
	if ((tab = layout_aligned_rows(s + i, j - i, &tlen)) == NULL) {
		rd->oom = 1;
		return 0;
	}
	tables_read_table(rd, tab, tlen);
	free(tab);
	*next = j;
	return 1;
}

#define JOIN_MAX_LINES 4        /* lines joined into one */
#define JOIN_SHORT     48       /* bytes of a short continuation */

/* The line at s[i] (up to end), CR dropped; *next past its newline. */
static const char *line_at(const char *s, size_t i, size_t end, size_t *ll, size_t *next)
{
	const char *nl = memchr(s + i, '\n', end - i);

	*ll = nl ? (size_t)(nl - (s + i)) : end - i;
	*next = i + *ll + (nl ? 1 : 0);
	if (*ll > 0 && s[i + *ll - 1] == '\r')
		(*ll)--;
	return s + i;
}

/* Can `t` (trimmed, not empty) go on the end of the line before it?
 * Only a line that is no label, heading, answer word, child block or
 * quoted/table line, and then only where the layout says the line
 * before was cut:
 *   - the line before ends in ',' or '-', or this one starts lower case
 *     ("...child sexual exploitation,\ndomestic abuse");
 *   - this one ends a question the line before began ("Is the child
 *     subject to a Child\nProtection Plan?");
 *   - the line before was a value of an address, postcode or school
 *     left unfinished (no postcode yet; an outward code alone; no word
 *     that names a school), and this one is short and no sentence:
 *     "Postcode: KB2\n7NT", "Normanton Grange\nCommunity School".
 * `f` is the field the joined text so far is the value of (F_NONE for
 * prose), `v` that value. */
static int continues(const char *prev, size_t pl, enum field f, const char *v, size_t vl,
                     const char *t, size_t tl)
{
	const char *lv;
	size_t lvl, used;
	char pc[9];
	unsigned char last = (unsigned char)prev[pl - 1], end = (unsigned char)t[tl - 1];

	if (layout_split_label(t, tl, &lv, &lvl) != F_NONE || section_heading(t, tl) != F_NONE ||
	    child_heading(t, tl) > 0 || vocab_answer_word(t, tl, &used) ||
	    memchr(t, ':', tl) || memchr(t, '|', tl) || memchr(t, '\t', tl) ||
	    t[0] == '>' || layout_question_prefix(t, tl) > 0)
		return 0;
	if (f == F_NONE && (last == ',' || last == '-' || islower((unsigned char)t[0])))
		return 1;
	if (f == F_NONE && end == '?' && last != '.' && last != '?' && last != '!' &&
	    last != ':' && tl <= JOIN_SHORT)
		return 1;
	if (tl > JOIN_SHORT || end == '.' || end == '!' || end == '?')
		return 0;
	if (f == F_ADDRESS || f == F_POSTCODE)
		return vl > 0 && !fields_postcode_find(v, vl, pc);
	if (f == F_SCHOOL)
		return vl > 0 && !fields_memstr_any(v, vl, VW_SCHOOL_WORD) &&
		       fields_memstr_any(t, tl, VW_SCHOOL_WORD);
	return 0;
}

/* The field the line `t` gives a value of: its label's, or the waiting
 * label's when `t` is a bare value (F_NONE for prose).  *v: the value. */
static enum field value_of(const struct reader *rd, const char *t, size_t tl,
                           const char **v, size_t *vl)
{
	const char *pv;
	size_t pvl;
	enum field f = layout_split_label(t, tl, v, vl);

	if (f != F_NONE) {
		fields_trim(v, vl);
		return *vl > 0 ? f : F__COUNT;  /* a label alone: no joins */
	}
	*v = t;
	*vl = tl;
	if (rd->pending_len > 0 &&
	    (f = layout_split_label(rd->pending, rd->pending_len, &pv, &pvl)) != F_NONE)
		return f;
	return F_NONE;
}

/* A line cut by a PDF paste or a narrow form, and the lines that
 * continue it, as one line in buf (at most MAX_PROSE_LINE bytes).
 * Returns the bytes in buf, or 0 when the line at s[i] is continued by
 * nothing (read it as it is); *next and *lines: past the lines used. */
static size_t join_lines(const struct reader *rd, const char *s, size_t i, size_t end,
                         char *buf, size_t *next, size_t *lines)
{
	size_t ll, n, at, used = 0;
	const char *line = line_at(s, i, end, &ll, &at), *v;
	size_t vl;
	enum field f;

	fields_trim(&line, &ll);
	if (ll == 0 || ll > MAX_PROSE_LINE || line[0] == '>' || memchr(line, '|', ll) ||
	    memchr(line, '\t', ll) || child_heading(line, ll) > 0 ||
	    vocab_is_valediction(line, ll) || rd->in_signature ||
	    (f = value_of(rd, line, ll, &v, &vl)) == F__COUNT)
		return 0;
	memcpy(buf, line, ll);
	n = ll;
	v = buf + (v - line);           /* the value, in buf */
	while (used + 1 < JOIN_MAX_LINES && at < end) {
		size_t tl, after;
		const char *t = line_at(s, at, end, &tl, &after);

		fields_trim(&t, &tl);
		if (tl == 0 || n + 1 + tl > MAX_PROSE_LINE ||
		    !continues(buf, n, f, v, vl, t, tl))
			break;
		if (buf[n - 1] != '-')
			buf[n++] = ' ';
		memcpy(buf + n, t, tl);
		n += tl;
		vl = (size_t)(buf + n - v);     /* the value runs to the end */
		at = after;
		used++;
	}
	if (used == 0)
		return 0;
	*next = at;
	*lines = used;
	return n;
}

/* Lines [i, end) of one segment: table blocks and lines.  A disclaimer
 * banner (thread.c) is skipped up to its blank line. */
static void read_lines(struct reader *rd, const struct message_text *t,
                       const char *s, size_t i, size_t end)
{
	int banner = 0;
	size_t lineno = 0;

	while (i < end) {
		const char *nl = memchr(s + i, '\n', end - i);
		size_t ll = nl ? (size_t)(nl - (s + i)) : end - i;
		const char *line = s + i;
		size_t next = i + ll + (nl ? 1 : 0);
		enum thread_line k;

		rd->where.line = ++lineno;      /* provenance */
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		k = thread_classify(line, ll);
		if (k == TL_DISCLAIMER)
			banner = 1;
		if (banner || k == TL_QUOTE) {
			if (banner && k == TL_EMPTY)
				records_read_line(rd, line, 0); /* the paragraph ends */
			banner = banner && k != TL_EMPTY;
			i = next;
			continue;
		}
		/* a signature's "Role | School | Address" lines are no
		 * table (prose.c reads their parts) */
		if (!rd->in_signature &&
		    (pipe_table(rd, s, i, end, &next) || aligned_table(rd, s, i, end, &next)))
			i = next;
		else if (memchr(line, '\t', ll) &&
		         (t->source != TEXT_PLAIN || layout_tab_header(line, ll))) {
			/* a TAB grid pasted into a plain text (an MIS list:
			 * "Legal Surname<TAB>Legal Forename<TAB>DOB") is a
			 * table from its header row on; a "LABEL<TAB>value"
			 * form line is not */
			/* gather the whole table block */
			size_t j = i;

			while (j < end) {
				const char *n2 = memchr(s + j, '\n', end - j);
				size_t l2 = n2 ? (size_t)(n2 - (s + j)) : end - j;

				if (!memchr(s + j, '\t', l2))
					break;
				j += l2 + (n2 ? 1 : 0);
				lineno++;
			}
			tables_read_table(rd, s + i, j - i);
			lineno--;       /* the loop counted the table's first line twice */
			i = j;
		} else {
			char joined[MAX_PROSE_LINE + 1];
			size_t jl, extra = 0;

			if ((jl = join_lines(rd, s, i, end, joined, &next, &extra)) > 0)
				records_read_line(rd, joined, jl);
			else
				records_read_line(rd, line, ll);
			lineno += extra;
			i = next;
		}
	}
}

/* '>'-quoted forwarded text (Apple Mail) without its quote prefix. */
static char *unquote(const char *s, size_t len, size_t *outlen)
{
	char *o = malloc(len + 1);
	size_t n = 0, i = 0;

	if (o == NULL)
		return NULL;
	while (i < len) {
		int bol = i == 0 || s[i - 1] == '\n';

		if (bol && s[i] == '>') {
			i++;
			if (i < len && s[i] == ' ')
				i++;
			continue;
		}
		o[n++] = s[i++];
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

/* The sender's own text s[0..end): a trailing signature is set apart
 * before the lines are read (prose.c). */
static void read_own_text(struct reader *rd, const struct message_text *t,
                          const char *s, size_t end, const char *sender)
{
	if (t->source != TEXT_CSV)
		end = prose_trailing_signature(rd, s, end, sender);
	read_lines(rd, t, s, 0, end);
}

/* A forward's note that only passes the mail on ("FYI - see below") is
 * not read: the forwarded message is the referral (issue 12 item 7),
 * and the note's signature is the forwarder's.  A note that tells the
 * case itself is read, its signature kept as the referrer's, and the
 * forwarded text read after it (forward.c). */
static void read_segment(struct reader *rd, const struct message_text *t,
                         const char *s, size_t len, int fwd_subject, int depth)
{
	struct thread_cut cut;
	char *plain = NULL;
	size_t plen;

	(void)thread_split(s, len, fwd_subject, &cut);
	if (!cut.forwarded || depth >= MAX_FORWARD_DEPTH) {
		if (t->source != TEXT_CSV && (t->depth == 0 || depth > 0 || rd->fwd_from))
			read_own_text(rd, t, s, cut.new_end, depth > 0 ? rd->fwd_from : rd->from_name);
		else
			read_lines(rd, t, s, 0, cut.new_end);
		if (depth > 0 && rd->fwd_reporter && forward_from_parent(s, cut.new_end))
			rd->fwd_parent = 1;
		return;
	}
	if (cut.from && cut.from_len > 0) {
		free(rd->fwd_from);
		rd->fwd_from = fields_dup_trimmed(cut.from, cut.from_len, 300);
	}
	if (depth == 0 && t->depth == 0 && t->source != TEXT_CSV &&
	    (rd->fwd_reporter || forward_note_reports(s, cut.new_end))) {
		/* the forwarder reports: once per message (the HTML part
		 * repeats the text part) */
		if (!rd->fwd_reporter)
			read_own_text(rd, t, s, cut.new_end, rd->from_name);
		rd->fwd_reporter = 1;
	} else if (!rd->fwd_reporter) {
		for (int i = 0; i < MAX_SIGNATURE_LINES; i++) {
			free(rd->signature[i]);
			rd->signature[i] = NULL;
		}
	}
	rd->in_signature = 0;
	rd->cur = NULL;
	rd->section = F_NONE;
	for (size_t k = 0; k < cut.fwd_start; k++)
		rd->where.line0 += s[k] == '\n';  /* provenance: unquote keeps lines */
	s += cut.fwd_start;
	len -= cut.fwd_start;
	if (cut.quoted_fwd) {
		if ((plain = unquote(s, len, &plen)) == NULL) {
			rd->oom = 1;
			return;
		}
		s = plain;
		len = plen;
	}
	read_segment(rd, t, s, len, cut.subject_forward, depth + 1);
	free(plain);
}

/* One text part: lines, table blocks, or a CSV attachment.  Reading
 * stops where a reply starts quoting and follows inline forwards
 * (thread.c); the sender's text may end in a signature paragraph
 * without a valediction (prose.c). */
void records_read_text(struct reader *rd, const struct message_text *t)
{
	char *grid;
	size_t glen;

	rd->where.line0 = 0;
	rd->where.line = 0;
	rd->cur = NULL;
	rd->section = F_NONE;
	rd->sibling_section = 0;
	rd->in_signature = 0;
	if (t->source == TEXT_CSV) {
		tables_read_csv(rd, t->text, t->len);
		return;
	}
	if (t->source == TEXT_REPORT)
		return;
	/* a fixed-width answer grid's marks become "question: NO" lines
	 * first, while its columns still line up (answers_grid.c); the
	 * lines keep their numbers */
	grid = answers_grid_rewrite(t->text, t->len, &glen);
	if (grid != NULL) {
		read_segment(rd, t, grid, glen, rd->is_forward, 0);
		free(grid);
		return;
	}
	read_segment(rd, t, t->text, t->len, rd->is_forward, 0);
}

/* ------------------------------------------------------------------ */
/* After reading: prose, shared fields, derived values, kind.          */
