/*
 * officer_lines.c - what an officer's email asks for, line by line.
 * See officer_lines.h.
 *
 * A line is one of: a labelled line ("Visit: ...", "Surname: ..."), a
 * bare verb ("Reopen"), a sentence reporting a visit ("visited today, no
 * answer"), a greeting (passed over), the letter's close (the rest is a
 * signature), or a line not understood.  The words are the tables below
 * and vocab's; the reading is the same for every word.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"
#include "officer_lines.h"
#include "textclean.h"
#include "thread.h"
#include "ukdate.h"
#include "vocab.h"

#define LABEL_MAX 40          /* a label is short: "Immediate step" */
#define VALUE_MAX 1000
#define LINE_MAX_READ 4000    /* of a line, read: an action is a short line */

/* Labels that name an officer's action rather than a referral field
 * (compared whole, case-insensitive, after trimming). */
static const struct {
	const char *label;
	enum officer_line_kind kind;
} verb_labels[] = {
	{ "visit", OL_VISIT }, { "visited", OL_VISIT }, { "home visit", OL_VISIT },
	{ "visit made", OL_VISIT }, { "outcome", OL_OUTCOME }, { "close", OL_OUTCOME },
	{ "closed", OL_OUTCOME }, { "note", OL_NOTE }, { "notes", OL_NOTE },
	{ "comment", OL_NOTE }, { "assign", OL_ASSIGN }, { "assign to", OL_ASSIGN },
	{ "reassign", OL_ASSIGN }, { "reassign to", OL_ASSIGN }, { "officer", OL_ASSIGN },
	{ "merge", OL_MERGE }, { "merge into", OL_MERGE }, { "merge with", OL_MERGE },
	{ "duplicate of", OL_MERGE }, { "immediate", OL_IMMEDIATE_DONE },
	{ "immediate step", OL_IMMEDIATE_DONE }, { "immediate action", OL_IMMEDIATE_DONE },
	{ "transfer", OL_TRANSFER }, { "transfer to", OL_TRANSFER },
	{ "transferred to", OL_TRANSFER }, { "moved to la", OL_TRANSFER },
};

/* Whole lines that reopen ("Reopen", "Please reopen this case."). */
static const char *const reopen_lines[] = {
	"reopen", "re-open", "reopen case", "re-open case", "reopen this case",
	"re-open this case", "please reopen", "please re-open", "please reopen this case",
	"please re-open this case", "reopen the case", "please reopen the case",
};

/* Values that say an immediate step was done. */
static const char *const done_words[] = {
	"done", "completed", "complete", "met", "made", "yes", "actioned",
};

/* Words that make a sentence the report of a home visit (substring,
 * case-insensitive). */
static const char *const visit_words[] = {
	"visited", "home visit", "visit made", "visit today", "called at",
	"called round", "knocked at", "went to the address", "attended the address",
};

/* Days named relative to the message's date. */
static const struct { const char *word; int offset; } day_words[] = {
	{ "today", 0 }, { "this morning", 0 }, { "this afternoon", 0 },
	{ "this evening", 0 }, { "earlier", 0 }, { "yesterday", -1 },
};

/* An officer's shorthand for the visit's answer, after vocab's phrases
 * ("no answer", "child seen"): whole words, not negated. */
static const struct { const char *word; int found; } seen_words[] = {
	{ "seen", 1 }, { "found", 1 }, { "located", 1 }, { "present", 1 },
	{ "spoke", 1 }, { "nobody", 0 }, { "noone", 0 },
};

/* Opening lines of a letter: passed over when the line is short. */
static const char *const greetings[] = {
	"hi", "hello", "dear", "good morning", "good afternoon", "morning", "afternoon",
};

/* ------------------------------------------------------------------ */

int extract_year_group(const char *s, size_t len)
{
	return fields_parse_year_group(s, len);
}

int extract_postcode(const char *s, size_t len, char out[9])
{
	size_t in = 0, got = 0;

	if (!fields_postcode_find(s, len, out))
		return 0;
	for (size_t i = 0; i < len; i++)
		in += isalnum((unsigned char)s[i]) != 0;
	for (const char *p = out; *p; p++)
		got += isalnum((unsigned char)*p) != 0;
	return in == got;
}

/* text[0..len) contains word at a word boundary (case-insensitive):
 * its offset, or -1. */
static long word_at(const char *text, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i + wl <= len; i++)
		if (strncasecmp(text + i, word, wl) == 0 &&
		    (i == 0 || !isalnum((unsigned char)text[i - 1])) &&
		    (i + wl == len || !isalnum((unsigned char)text[i + wl])))
			return (long)i;
	return -1;
}

static int eq_ci(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* Trim blanks and trailing full stops/commas. */
static void trim(const char **s, size_t *len)
{
	fields_trim(s, len);
	while (*len && strchr(".,;!", (*s)[*len - 1]))
		(*len)--;
	fields_trim(s, len);
}

/* The visit's answer in a value or sentence: 1, 0 or -1. */
static int visit_found(const char *s, size_t len)
{
	int f = vocab_match_visit_found(s, len);

	if (f >= 0)
		return f;
	for (size_t i = 0; i < sizeof seen_words / sizeof seen_words[0]; i++) {
		long pos = word_at(s, len, seen_words[i].word);

		if (pos >= 0) {
			/* vocab_negated_at reads a NUL-terminated text (the
			 * words before pos: a line is at most LINE_MAX_READ) */
			char buf[LINE_MAX_READ + 1];

			snprintf(buf, sizeof buf, "%.*s", (int)(len < LINE_MAX_READ ? len : LINE_MAX_READ), s);
			if ((size_t)pos >= strlen(buf))
				return seen_words[i].found;
			if (!vocab_negated_at(buf, (size_t)pos))
				return seen_words[i].found;
			return !seen_words[i].found;
		}
	}
	return -1;
}

/* The visit's date in s: a date (a year optional), or a day word.  1 and
 * *d set, 0 none. */
static int visit_date(const char *s, size_t len, const struct ymd *today, struct ymd *d)
{
	size_t used;

	if (ukdate_find_ref(s, len, today, d, &used))
		return 1;
	for (size_t i = 0; i < sizeof day_words / sizeof day_words[0]; i++)
		if (word_at(s, len, day_words[i].word) >= 0) {
			*d = *today;
			ymd_add_days(d, day_words[i].offset);
			return 1;
		}
	return 0;
}

/* "14:10", "14.10" after the date: copied to out[6], else "". */
static void visit_time(const char *s, size_t len, char out[6])
{
	out[0] = '\0';
	for (size_t i = 0; i + 4 <= len; i++) {
		size_t k = i;
		int h = 0, m;

		if (i > 0 && (isdigit((unsigned char)s[i - 1]) || s[i - 1] == '/'))
			continue;
		while (k < len && k < i + 2 && isdigit((unsigned char)s[k]))
			h = h * 10 + (s[k++] - '0');
		if (k == i || k + 3 > len || (s[k] != ':' && s[k] != '.') ||
		    !isdigit((unsigned char)s[k + 1]) || !isdigit((unsigned char)s[k + 2]) ||
		    (k + 3 < len && isdigit((unsigned char)s[k + 3])))
			continue;
		m = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
		if (h < 24 && m < 60) {
			ukdate_format_hhmm(h, m, out);
			return;
		}
	}
}

/* ------------------------------------------------------------------ */

static int add(struct officer_lines *ol, enum officer_line_kind kind, enum field f,
               const char *v, size_t vl, const char *v2, size_t v2l, int found,
               const char *line, size_t ll)
{
	struct officer_line *o;

	static const char full[] = "(more actions than one message may ask: the rest were "
	                           "not read; send them in another message)";

	if (ol->n >= OFFICER_LINES_MAX)     /* said once, past any other complaint */
		return strlist_contains(&ol->not_understood, full) ? 0
		       : strlist_add(&ol->not_understood, full);
	o = &ol->v[ol->n];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->field = f;
	o->found = found;
	if ((v && (o->value = text_clean(v, vl, VALUE_MAX)) == NULL) ||
	    (v2 && (o->value2 = text_clean(v2, v2l, VALUE_MAX)) == NULL) ||
	    (o->line = text_clean(line, ll, VALUE_MAX)) == NULL) {
		free(o->value);
		free(o->value2);
		return -1;
	}
	ol->n++;
	return 0;
}

static int not_understood(struct officer_lines *ol, const char *line, size_t ll,
                          const char *why)
{
	char buf[VALUE_MAX + 100];

	if (ol->not_understood.n >= OFFICER_LINES_MAX)
		return 0;
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(ll > VALUE_MAX ? VALUE_MAX : ll), line,
	         why ? " -- " : "", why ? why : "");
	return strlist_add(&ol->not_understood, buf);
}

/* A visit line: labelled (value) or a sentence (the whole line). */
static int read_visit(struct officer_lines *ol, const char *v, size_t vl, const struct ymd *today,
                      const char *line, size_t ll)
{
	struct ymd d;
	char iso[11], tm[6];

	if (!visit_date(v, vl, today, &d))
		return not_understood(ol, line, ll, "a visit needs its date (27/11/2026, or today)");
	if (ymd_cmp(&d, today) > 0)
		return not_understood(ol, line, ll, "a visit date in the future");
	ymd_format(&d, iso);
	visit_time(v, vl, tm);
	return add(ol, OL_VISIT, F_NONE, iso, strlen(iso), tm[0] ? tm : NULL, strlen(tm),
	           visit_found(v, vl), line, ll);
}

/* "Outcome:" of a case, or of a visit ("Outcome: No answer. Neighbour
 * says ..." on a visit form): a value that does not begin with an
 * outcome's name but answers whether the child was seen is the visit's
 * (visit_answer), never a closure. */
static int read_outcome(struct officer_lines *ol, const char *v, size_t vl, const char *line,
                        size_t ll)
{
	const char *comma = memchr(v, ',', vl), *name;
	size_t nl = comma ? (size_t)(comma - v) : vl;
	char first[64];
	const char *rest = comma ? comma + 1 : NULL;
	size_t rl = comma ? vl - nl - 1 : 0;

	snprintf(first, sizeof first, "%.*s", (int)(nl < 63 ? nl : 63), v);
	name = vocab_outcome_index(first) >= 0 ? first : vocab_match_outcome(v, vl);
	if (name != first && visit_found(v, vl) >= 0) {
		/* "No answer ..." never closes a case (not-located needs its
		 * name); "child seen, on roll at ..." is the visit's and the
		 * outcome's */
		ol->visit_answer = visit_found(v, vl);
		if (ol->visit_answer == 0 || name == NULL)
			return 0;
	}
	if (name == NULL)
		return not_understood(ol, line, ll, "not an outcome the vocabulary knows");
	if (rest)
		trim(&rest, &rl);
	return add(ol, OL_OUTCOME, F_NONE, name, strlen(name), rest && rl ? rest : NULL, rl, -1,
	           line, ll);
}

/* "CME-2026-00017" as the value (case-insensitive): upper-cased in out. */
static int case_ref_value(const char *v, size_t vl, char out[15])
{
	static const char shape[] = "AAA-9999-99999";

	if (vl != 14)
		return 0;
	for (size_t i = 0; i < 14; i++) {
		if (shape[i] == '9' ? !isdigit((unsigned char)v[i])
		                    : shape[i] == '-' ? v[i] != '-' : !isalpha((unsigned char)v[i]))
			return 0;
		out[i] = (char)toupper((unsigned char)v[i]);
	}
	out[14] = '\0';
	return strncmp(out, "CME-", 4) == 0;
}

/* "Leeds City Council <cme@leeds.test>", "Leeds, cme@leeds.test". */
static int read_transfer(struct officer_lines *ol, const char *v, size_t vl, const char *line,
                         size_t ll)
{
	size_t es = 0, el = 0, nl;
	const char *name = v;

	if (fields_email_find(v, vl, &es, &el)) {
		nl = es;
		while (nl && strchr(" <,(", v[nl - 1]))
			nl--;
	} else {
		el = 0;
		nl = vl;
	}
	trim(&name, &nl);
	if (nl == 0)
		return not_understood(ol, line, ll, "transfer needs the receiving LA's name");
	return add(ol, OL_TRANSFER, F_NONE, name, nl, el ? v + es : NULL, el, -1, line, ll);
}

/* A labelled line whose label is an officer's verb. */
static int read_verb(struct officer_lines *ol, enum officer_line_kind kind, const char *v,
                     size_t vl, const struct ymd *today, const char *line, size_t ll)
{
	size_t es, el;
	char ref[15];

	switch (kind) {
	case OL_VISIT:
		return read_visit(ol, v, vl, today, line, ll);
	case OL_OUTCOME:
		return read_outcome(ol, v, vl, line, ll);
	case OL_NOTE:
		return vl ? add(ol, OL_NOTE, F_NONE, v, vl, NULL, 0, -1, line, ll)
		          : not_understood(ol, line, ll, "an empty note");
	case OL_ASSIGN:
		if (!fields_email_find(v, vl, &es, &el))
			return not_understood(ol, line, ll, "assign needs the officer's email address");
		return add(ol, OL_ASSIGN, F_NONE, v + es, el, NULL, 0, -1, line, ll);
	case OL_MERGE:
		if (!case_ref_value(v, vl, ref))
			return not_understood(ol, line, ll, "merge needs a case reference");
		return add(ol, OL_MERGE, F_NONE, ref, 14, NULL, 0, -1, line, ll);
	case OL_IMMEDIATE_DONE:
		for (size_t i = 0; i < sizeof done_words / sizeof done_words[0]; i++)
			if (eq_ci(v, vl, done_words[i]))
				return add(ol, OL_IMMEDIATE_DONE, F_NONE, NULL, 0, NULL, 0, -1, line, ll);
		return not_understood(ol, line, ll, "write \"Immediate: done\"");
	case OL_TRANSFER:
		return read_transfer(ol, v, vl, line, ll);
	case OL_FIELD:
	case OL_REOPEN:
		break;
	}
	return not_understood(ol, line, ll, NULL);
}

/* "Label: value" with a short label of words: 1 and the parts, else 0. */
static int split_label(const char *s, size_t len, const char **label, size_t *ll,
                       const char **v, size_t *vl)
{
	const char *colon = memchr(s, ':', len < LABEL_MAX ? len : LABEL_MAX);

	if (colon == NULL || colon == s)
		return 0;
	for (const char *p = s; p < colon; p++)
		if (!isalpha((unsigned char)*p) && !strchr(" '-/().", *p) &&
		    !((unsigned char)*p >= 0x80))
			return 0;
	*label = s;
	*ll = (size_t)(colon - s);
	*v = colon + 1;
	*vl = len - *ll - 1;
	trim(label, ll);
	trim(v, vl);
	return 1;
}

static int read_labelled(struct officer_lines *ol, const char *label, size_t lbl,
                         const char *v, size_t vl, const struct ymd *today,
                         const char *line, size_t ll)
{
	enum field f;

	for (size_t i = 0; i < sizeof verb_labels / sizeof verb_labels[0]; i++)
		if (eq_ci(label, lbl, verb_labels[i].label))
			return read_verb(ol, verb_labels[i].kind, v, vl, today, line, ll);
	f = vocab_label(label, lbl);
	switch (f) {
	case F_NONE:
		return not_understood(ol, line, ll, "not a label the vocabulary knows");
	case F_CASE_REF:
	case F_REFERRAL_TYPE:
		return 0;                 /* the case named: the pipeline's */
	case F_OUTCOME:
		return read_verb(ol, OL_OUTCOME, v, vl, today, line, ll);
	case F_VISIT_DATE:
		return read_verb(ol, OL_VISIT, v, vl, today, line, ll);
	case F_NOTES:
	case F_NEXT_STEPS:
		return read_verb(ol, OL_NOTE, line, ll, today, line, ll);
	case F_VISIT_BY:
	case F_VISIT_ADDRESS:
		return 0;                 /* the visit's particulars: kept with the message */
	default:
		if (vl == 0)
			return not_understood(ol, line, ll, "no value after the label");
		return add(ol, OL_FIELD, f, v, vl, NULL, 0, -1, line, ll);
	}
}

static int is_greeting(const char *s, size_t len)
{
	if (len > 40)
		return 0;
	for (size_t i = 0; i < sizeof greetings / sizeof greetings[0]; i++)
		if (word_at(s, len < strlen(greetings[i]) + 1 ? len : strlen(greetings[i]) + 1,
		            greetings[i]) == 0)
			return 1;
	return 0;
}

static int is_visit_sentence(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof visit_words / sizeof visit_words[0]; i++)
		if (fields_memstr_ci(s, len, visit_words[i]) != NULL)
			return 1;
	return 0;
}

/* One line of the officer's own text: 0, 1 the letter closed (stop), -1. */
static int read_line(struct officer_lines *ol, const char *s, size_t len,
                     const struct ymd *today)
{
	const char *label, *v;
	size_t lbl, vl;
	struct ymd d;

	if (len > LINE_MAX_READ)
		len = LINE_MAX_READ;
	trim(&s, &len);
	if (len == 0)
		return 0;
	if (vocab_is_valediction(s, len))
		return 1;
	for (size_t i = 0; i < sizeof reopen_lines / sizeof reopen_lines[0]; i++)
		if (eq_ci(s, len, reopen_lines[i]))
			return add(ol, OL_REOPEN, F_NONE, NULL, 0, NULL, 0, -1, s, len);
	if (split_label(s, len, &label, &lbl, &v, &vl))
		return read_labelled(ol, label, lbl, v, vl, today, s, len);
	/* a visit sentence that says neither when nor whether the child was
	 * seen is a heading ("Home visit outcome") */
	if (is_visit_sentence(s, len))
		return visit_found(s, len) >= 0 || visit_date(s, len, today, &d)
		       ? read_visit(ol, s, len, today, s, len) : 0;
	if (is_greeting(s, len))
		return 0;
	return not_understood(ol, s, len, NULL);
}

int officer_lines_read(const char *text, size_t len, const struct ymd *today,
                       struct officer_lines *out)
{
	struct thread_cut cut;
	size_t end = len, i = 0;

	memset(out, 0, sizeof *out);
	out->visit_answer = -1;
	if (thread_split(text, len, 0, &cut))
		end = cut.new_end;
	while (i < end) {
		const char *nl = memchr(text + i, '\n', end - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : end - i;
		int rc = read_line(out, text + i, ll, today);

		if (rc < 0)
			return -1;
		if (rc == 1)
			break;
		i += ll + 1;
	}
	/* a visit form's "Outcome: No answer" answers its visit line */
	for (size_t k = 0; out->visit_answer >= 0 && k < out->n; k++)
		if (out->v[k].kind == OL_VISIT && out->v[k].found < 0)
			out->v[k].found = out->visit_answer;
	return 0;
}

void officer_lines_free(struct officer_lines *ol)
{
	for (size_t i = 0; i < ol->n; i++) {
		free(ol->v[i].value);
		free(ol->v[i].value2);
		free(ol->v[i].line);
	}
	strlist_free(&ol->not_understood);
	memset(ol, 0, sizeof *ol);
}
