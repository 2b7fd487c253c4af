/*
 * vocab.c - what the words in a referral mean.  See vocab.h.
 *
 * Owns: the matching logic over the loaded vocabulary (vocab_load.c
 * reads the files) and the canonical names SPEC section 4 fixes: fields,
 * flags, reasons and outcomes.  Teaching the product a new way of
 * writing is a new line in a vocabulary file, never a new `if` here.
 *
 * Phrase matching is case-insensitive on whole words ("sen" does not
 * match "sent"), over UTF-8 text; a flag phrase's CAPITALS must be
 * capitals in the text.  Labels are found through a hash of their
 * normalised form (one lookup per candidate label, whatever the number
 * of labels).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "learned.h"
#include <strings.h>

#include "vocab.h"
#include "vocab_int.h"

static const char *const field_names[F__COUNT] = {
	[F_NONE] = "none", [F_FORENAME] = "forename", [F_SURNAME] = "surname",
	[F_FULLNAME] = "name", [F_DOB] = "dob", [F_GENDER] = "gender",
	[F_UPN] = "upn", [F_YEAR] = "year_group", [F_ADDRESS] = "address",
	[F_POSTCODE] = "postcode", [F_SCHOOL] = "school",
	[F_LAST_ATTENDED] = "last_attended", [F_REASON] = "reason",
	[F_PARENT_NAME] = "parent_name", [F_PARENT_REL] = "parent_relationship",
	[F_PARENT_PHONE] = "parent_phone", [F_PARENT] = "parent",
	[F_REFERRER_NAME] = "referrer_name", [F_REFERRER_ROLE] = "referrer_role",
	[F_REFERRER_ORG] = "referrer_organisation",
	[F_REFERRER_EMAIL] = "referrer_email", [F_REFERRER_PHONE] = "referrer_phone",
	[F_REFERRER] = "referrer", [F_SAFEGUARDING] = "safeguarding",
	[F_SOCIAL_WORKER] = "social_worker", [F_NOTES] = "notes",
	[F_CASE_REF] = "case_ref", [F_OUTCOME] = "outcome",
	[F_NEW_SCHOOL] = "new_school", [F_VISIT_DATE] = "visit_date",
	[F_VISIT_BY] = "visit_by", [F_VISIT_ADDRESS] = "visit_address",
	[F_DATE_REMOVED] = "date_removed", [F_REFERRAL_TYPE] = "referral_type",
	[F_NEXT_STEPS] = "next_steps",
};

const char *vocab_field_name(enum field f)
{
	return (f > F_NONE && f < F__COUNT) ? field_names[f] : "none";
}

/* Safeguarding flags, reasons and outcomes (SPEC section 4), in SPEC
 * order: the bit numbers of a referral's flags and the tie order of
 * reasons follow these tables.  Their phrases are in the files. */
static const char *const flag_names[] = {
	"child-protection-plan", "section-47", "looked-after", "social-worker",
	"risk-of-harm", "missing-from-home", "exploitation", "radicalisation",
	"forced-marriage", "fgm", "trafficking", "privately-fostered", "ehcp",
	"sen", "gypsy-roma-traveller", "armed-forces", "young-carer",
	"asylum-refugee",
};

#define FLAG_COUNT (sizeof flag_names / sizeof flag_names[0])

const char *const vocab_reason_names[VOCAB_REASONS] = {
	"not-returned-from-leave", "moved-abroad", "moved-out-of-area",
	"moved-into-area-no-school", "school-place-refused", "continuous-absence",
	"excluded-no-provision", "ehe-unsuitable", "never-registered",
	"left-no-destination", "moved-away-unknown", "other",
};

const char *const vocab_outcome_names[VOCAB_OUTCOMES] = {
	"located-on-roll", "located-ehe", "located-other-provision",
	"moved-out-of-area", "moved-abroad", "left-compulsory-age", "died",
	"not-located", "duplicate",
};

/* The names of the word lists in words.vocab: the public ones (vocab.h)
 * then vocab.c's own. */
static const char *const list_names[VWI__COUNT] = {
	[VW_NAME_END] = "name_end", [VW_NAME_TAIL] = "name_tail",
	[VW_DOB_CUE] = "dob_cue", [VW_BLOCK_WORD] = "block_word",
	[VW_NUMBER_WORD] = "number_word", [VW_NAME_CUE] = "name_cue",
	[VW_PROSE_DOB_CUE] = "prose_dob_cue",
	[VW_LAST_ATTENDED_CUE] = "last_attended_cue", [VW_YEAR_WORD] = "year_word",
	[VW_RECEPTION_PREFIX] = "reception_prefix",
	[VW_RECEPTION_ABBREV] = "reception_abbrev", [VW_NOT_KNOWN] = "not_known",
	[VW_VISIT_WORD] = "visit_word", [VW_ORG_WORD] = "org_word",
	[VW_ROLE_WORD] = "role_word", [VW_SCHOOL_WORD] = "school_word",
	[VW_REPLY_MARKER] = "reply_marker",
	[VW_ATTRIBUTION_OPEN] = "attribution_open",
	[VW_ATTRIBUTION_CLOSE] = "attribution_close",
	[VW_QUOTED_HEADER] = "quoted_header", [VW_REPLY_PREFIX] = "reply_prefix",
	[VW_FORWARD_PREFIX] = "forward_prefix",
	[VW_AUTO_SUBJECT_PREFIX] = "auto_subject_prefix",
	[VW_AUTO_SUBJECT_PHRASE] = "auto_subject_phrase",
	[VW_BULK_PRECEDENCE] = "bulk_precedence", [VW_BOUNCE_SENDER] = "bounce_sender",
	[VW_SPLITTER] = "splitter", [VW_FORWARD_MARKER] = "forward_marker",
	[VW_QUOTE_HEADER_FIELD] = "quote_header_field", [VW_DISCLAIMER] = "disclaimer",
	[VW_DISCLAIMER_CUE] = "disclaimer_cue",
	[VW_LIST_STOP] = "list_stop", [VW_MISSING_CUE] = "missing_cue",
	[VW_PLACEMENT_WORD] = "placement_word", [VW_PROSE_YEAR_WORD] = "prose_year_word",
	[VW_PROSE_RECEPTION] = "prose_reception", [VW_PREVIOUS_WORD] = "previous_word",
	[VW_CURRENT_WORD] = "current_word", [VW_ADDRESS_CUE] = "address_cue",
	[VW_VISIT_CUE] = "visit_cue", [VW_TODAY_WORD] = "today_word",
	[VW_YESTERDAY_WORD] = "yesterday_word", [VW_VISIT_PLANNED] = "visit_planned",
	[VW_UPDATE_CUE] = "update_cue", [VW_FORM_GUIDANCE] = "form_guidance",
	[VW_ANSWERED_ONLY] = "answered_only",
	[VW_PLACE_PREPOSITION] = "place_preposition",
	[VW_LEGAL_WORD] = "legal_word",
	[VW_NEW_SCHOOL_CUE] = "new_school_cue", [VW_WITH_US_CUE] = "with_us_cue",
	[VW_SCHOOL_NAMED_CUE] = "school_named_cue", [VW_PAST_WORD] = "past_word",
	[VW_NAME_CONNECTOR] = "name_connector", [VW_START_CUE] = "start_cue",
	[VW_ABSENCE_CUE] = "absence_cue", [VW_ALL_CHILDREN] = "all_children",
	[VW_SIBLING_WORD] = "sibling_word", [VW_NAME_TITLE] = "name_title",
	[VW_SURNAME_PARTICLE] = "surname_particle", [VW_ORG_UNIT] = "org_unit",
	[VW_SIBLING_HEADING] = "sibling_heading",
	[VW_PARENT_LINK] = "parent_link",
	[VW_CHILD_GROUP] = "child_group", [VW_VISIT_SEEN] = "visit_seen",
	[VW_VISIT_SEEN_PASSIVE] = "visit_seen_passive",
	[VW_SCHOOL_CUE] = "school_cue",
	[VW_MOVE_CUE] = "move_cue", [VW_WEAK_MOVE_CUE] = "weak_move_cue",
	[VW_STAY_CUE] = "stay_cue", [VW_ARRIVAL_CUE] = "arrival_cue",
	[VW_POSTING_CUE] = "posting_cue", [VW_UK_PLACE] = "uk_place",
	[VW_NOT_PLACE_WORD] = "not_place_word", [VW_AGENT_MOVE_CUE] = "agent_move_cue",
	[VW_CONDITIONAL_CUE] = "conditional_cue",
	[VW_WIDE_NEGATOR] = "wide_negator",
	[VW_PR_HEADING] = "pr_heading", [VW_ELSEWHERE_CUE] = "elsewhere_cue",
	[VW_SURNAME_CUE] = "surname_cue", [VW_SCHOOL_TEAM] = "school_team",
	[VW_OWN_CHILD_CUE] = "own_child_cue", [VW_TEAM_NAME] = "team_name",
	[VW_SEN_SUPPORT_CODE] = "sen_support_code", [VW_EHCP_CODE] = "ehcp_code",
	[VW_LEAVE_WORD] = "leave_word",
	[VW_NEW_ADDRESS_WORD] = "new_address_word",
	[VW_AGE_HEADING] = "age_heading", [VW_HOUSEHOLDER_WORD] = "householder_word",
	[VW_SUBJECT_REFERRAL_WORD] = "subject_referral_word",
	[VW_AGE_LEAD] = "age_lead", [VW_AGE_PRONOUN_LEAD] = "age_pronoun_lead",
	[VW_AGE_HEDGE] = "age_hedge", [VW_AGE_SUFFIX] = "age_suffix",
	[VW_AGE_UNIT] = "age_unit", [VW_AGE_NOT_CHILD_BEFORE] = "age_not_child_before",
	[VW_NO_SCHOOL] = "no_school", [VW_NOT_SCHOOL_ORG] = "not_school_org",
	[VW_HEARSAY_CUE] = "hearsay_cue", [VW_THIRD_PARTY] = "third_party",
	[VW_HEARSAY_SOURCE] = "hearsay_source", [VW_HEARSAY_VERB] = "hearsay_verb",
	[VW_LOWER_NAME_STOP] = "lower_name_stop", [VW_FORM_PLACEHOLDER] = "form_placeholder",
	[VW_ASKED_CUE] = "asked_cue",
	[VWI_NEGATOR] = "negator", [VWI_ENDED] = "ended", [VWI_CURRENT] = "current",
	[VWI_FLAG_EXCLUSION] = "flag_exclusion", [VWI_COUNTRY] = "country",
	[VWI_NEGATIVE_ANSWER] = "negative_answer", [VWI_VALEDICTION] = "valediction",
	[VWI_VISIT_FOUND] = "visit_found", [VWI_VISIT_NOT_FOUND] = "visit_not_found",
	[VWI_LABEL_FILLER] = "label_filler", [VWI_LABEL_SUFFIX] = "label_suffix",
	[VWI_LABEL_QUESTION] = "label_question",
};

const char *vocab_list_name(int list)
{
	return list >= 0 && list < VWI__COUNT && list_names[list] ? list_names[list] : "";
}

/* The loaded entries of one key of one kind. */
static const struct vocab_group *group(enum vocab_kind k, int key)
{
	const struct vocab_set *s = vocab_current();

	return &s->groups[k][key];
}

size_t vocab_hash(const char *s)
{
	size_t h = (size_t)1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

/* ------------------------------------------------------------------ */
/* Field labels.  The label as written is normalised and looked up, so
 * "Child's surname", "CHILD SURNAME:" and "Child surname (legal)" all
 * find F_SURNAME.                                                      */

/* Length of a question number at the start of a label: "3. ", "3) ",
 * "Q3) ", "q.3 ", "12a. ", "1.2 ", "a) ", "iv) " (0 if none, or if
 * nothing would follow it). */
static size_t question_number(const char *in, size_t len)
{
	size_t i = 0, d;

	while (i < len && (in[i] == ' ' || in[i] == '\t'))
		i++;
	if (i + 1 < len && (in[i] == 'q' || in[i] == 'Q') &&
	    (isdigit((unsigned char)in[i + 1]) || in[i + 1] == '.'))
		i += in[i + 1] == '.' ? 2 : 1;
	d = i;
	while (i < len && (isdigit((unsigned char)in[i]) ||
	                   (i > d && in[i] == '.' && i + 1 < len && isdigit((unsigned char)in[i + 1]))))
		i++;
	if (i > d) {
		if (i < len && isalpha((unsigned char)in[i]) && i + 1 < len &&
		    (in[i + 1] == '.' || in[i + 1] == ')'))
			i++;            /* "12a." */
	} else {
		/* a letter or a small roman numeral, only before ')' */
		while (i < len && i - d < 4 && isalpha((unsigned char)in[i]) &&
		       (i == d || strchr("ivxIVX", in[i]) != NULL))
			i++;
		if (i == d || i >= len || in[i] != ')')
			return 0;
	}
	if (i < len && (in[i] == '.' || in[i] == ')' || in[i] == ':'))
		i++;
	if (i >= len || (in[i] != ' ' && in[i] != '\t'))
		return 0;
	while (i < len && (in[i] == ' ' || in[i] == '\t'))
		i++;
	return i < len ? i : 0;
}

/* "d o b" -> "dob", "n c year" -> "nc year": letters spelt out one by
 * one ("D. O. B.", "N C Year") are one word.  s holds n bytes of
 * space-separated words; the new length is returned. */
static size_t join_letters(char *s, size_t n)
{
	char tmp[128];
	size_t o = 0, i = 0, prev = 0;

	if (n >= sizeof tmp)
		return n;
	while (i < n) {
		size_t st = i, wl;

		while (i < n && s[i] != ' ')
			i++;
		wl = i - st;
		if (o > 0 && !(prev == 1 && wl == 1 && isalpha((unsigned char)s[st]) &&
		               isalpha((unsigned char)tmp[o - 1])))
			tmp[o++] = ' ';
		memcpy(tmp + o, s + st, wl);
		o += wl;
		prev = wl;
		while (i < n && s[i] == ' ')
			i++;
	}
	memcpy(s, tmp, o);
	s[o] = '\0';
	return o;
}

/*
 * Normalise a label: a question number ("3.", "Q3)", "a)") dropped;
 * lower-case ASCII; bracketed hints "(s)", "(dd/mm/yyyy)", "(if known)"
 * dropped; possessive "'s" dropped, and the apostrophe of "pupils'";
 * dots and apostrophes removed ("D.O.B." -> "dob"); other punctuation a
 * space; runs of spaces folded; letters spelt out one by one joined
 * ("D. O. B." -> "dob").  Non-ASCII bytes are kept (no shipped label
 * has them, an LA's may).
 */
size_t vocab_label_normalise(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0, q = question_number(in, len);
	int depth = 0, space = 1;

	if (outlen == 0)
		return 0;
	for (size_t i = q; i < len && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '(' || c == '[') {
			depth++;
			continue;
		}
		if (c == ')' || c == ']') {
			if (depth > 0)
				depth--;
			continue;
		}
		if (depth > 0)
			continue;
		if (c == '\'' && i + 1 < len && tolower((unsigned char)in[i + 1]) == 's' &&
		    (i + 2 >= len || !isalnum((unsigned char)in[i + 2]))) {
			i++;            /* "child's" -> "child" */
			continue;
		}
		/* U+2019 RIGHT SINGLE QUOTATION MARK, as Outlook types it */
		if (c == 0xE2 && i + 2 < len && (unsigned char)in[i + 1] == 0x80 &&
		    (unsigned char)in[i + 2] == 0x99) {
			i += 2;
			if (i + 1 < len && tolower((unsigned char)in[i + 1]) == 's' &&
			    (i + 2 >= len || !isalnum((unsigned char)in[i + 2])))
				i++;
			continue;
		}
		if (c == '.' || c == '\'' || c == '*') {
			/* "D.O.B" keeps its letters together; "D. O. B." is
			 * joined below */
			continue;
		}
		if (isalnum(c) || c >= 0x80) {
			out[o++] = (char)tolower(c);
			space = 0;
		} else if (!space) {
			out[o++] = ' ';
			space = 1;
		}
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return join_letters(out, o);
}

static enum field label_lookup(const char *norm)
{
	const struct vocab_set *s = vocab_current();
	size_t mask = s->label_hash_size - 1, h = vocab_hash(norm) & mask;

	while (s->label_hash[h] != NULL) {
		if (strcmp(s->label_hash[h]->text, norm) == 0)
			return (enum field)s->label_hash[h]->key;
		h = (h + 1) & mask;
	}
	return F_NONE;
}

/* Where drop_words may remove a list's words from a label. */
enum drop_at { DROP_ANYWHERE, DROP_AT_END, DROP_AT_START };

/* Remove from norm every whole word of list (normalised, one word or
 * several) found where `where` allows; 1 if something was removed. */
static int drop_words(char *norm, int list, enum drop_at where)
{
	const struct vocab_group *g = group(VK_WORDS, list);
	int changed = 0;

	for (size_t k = 0; k < g->n; k++) {
		size_t wl = g->e[k]->len, n = strlen(norm);
		char *p = norm;

		while ((p = strstr(p, g->text[k])) != NULL) {
			size_t at = (size_t)(p - norm);

			if ((at > 0 && norm[at - 1] != ' ') ||
			    (p[wl] != '\0' && p[wl] != ' ') ||
			    (where == DROP_AT_END && p[wl] != '\0') ||
			    (where == DROP_AT_START && at > 0) || n == wl) {
				p += wl;
				continue;
			}
			/* the word and one space beside it */
			if (p[wl] == ' ')
				memmove(p, p + wl + 1, n - at - wl);
			else
				*(at > 0 ? p - 1 : p) = '\0';
			n = strlen(norm);
			changed = 1;
		}
	}
	return changed;
}

/* "pupils names" -> "pupil name": a plural word's s, as a last try
 * ("address", "status" and "this" keep theirs). */
static int singular(char *norm)
{
	size_t n = strlen(norm), o = 0, word = 0;
	int changed = 0;

	for (size_t i = 0; i <= n; i++) {
		/* norm[0..o) is the output; the word being copied began at
		 * norm[word] */
		if ((norm[i] == ' ' || norm[i] == '\0') && o >= word + 4 &&
		    norm[o - 1] == 's' && strchr("siu", norm[o - 2]) == NULL) {
			o--;
			changed = 1;
		}
		norm[o++] = norm[i];
		if (norm[i] == ' ')
			word = o;
	}
	return changed;
}

/* Look a normalised label up as written, then with the words a label
 * may carry without changing its meaning dropped, one step after the
 * other: an online form's question words in front ("What is the
 * pupil's surname?", "Please give the child's date of birth"),
 * trailing words ("if known", "with parental responsibility"), filler
 * words ("legal", "full", "official"), plurals. */
static enum field label_lookup_folded(char *norm)
{
	enum field f = label_lookup(norm);

	if (f == F_NONE && drop_words(norm, VWI_LABEL_QUESTION, DROP_AT_START))
		f = label_lookup(norm);
	if (f == F_NONE && drop_words(norm, VWI_LABEL_SUFFIX, DROP_AT_END))
		f = label_lookup(norm);
	if (f == F_NONE && drop_words(norm, VWI_LABEL_FILLER, DROP_ANYWHERE))
		f = label_lookup(norm);
	if (f == F_NONE && singular(norm))
		f = label_lookup(norm);
	return f;
}

/* A label written twice, " / " between ("Enw'r plentyn / Child's name",
 * "Dyddiad geni / Date of birth": a bilingual form, its Welsh labels in
 * labels.vocab): the field both sides name.  One side unknown ("Town /
 * LA moving to") or sides naming different fields ("Name / DOB") is no
 * field: alternatives or two questions in one label. */
static enum field bilingual_label(const char *label, size_t len)
{
	const char *sl = NULL;
	enum field a, b;

	for (size_t i = 1; i + 2 < len; i++)
		if (label[i] == '/' && label[i - 1] == ' ' && label[i + 1] == ' ') {
			if (sl)
				return F_NONE;          /* three parts: not a pair */
			sl = label + i;
		}
	if (sl == NULL)
		return F_NONE;
	a = vocab_label(label, (size_t)(sl - label));
	b = vocab_label(sl + 1, len - (size_t)(sl + 1 - label));
	return a == b ? a : F_NONE;
}

enum field vocab_label(const char *label, size_t len)
{
	char norm[96], asis[96];
	enum field f;

	if (len == 0 || len > 80)
		return F_NONE;
	if (vocab_label_normalise(label, len, norm, sizeof norm) == 0)
		return F_NONE;
	if ((f = label_lookup(norm)) != F_NONE)
		return f;
	/* "Child 1 surname", "Child's name (legal)": drop a leading
	 * "child N" / "sibling N" and try again. */
	if (strncmp(norm, "child ", 6) == 0 || strncmp(norm, "sibling ", 8) == 0 ||
	    strncmp(norm, "pupil ", 6) == 0) {
		const char *p = strchr(norm, ' ') + 1;

		while (isdigit((unsigned char)*p))
			p++;
		while (*p == ' ')
			p++;
		if (p != norm && *p && p - norm > 6)
			return vocab_label(p, strlen(p));
	}
	memcpy(asis, norm, sizeof asis);        /* folding rewrites norm */
	if ((f = label_lookup_folded(norm)) != F_NONE)
		return f;
	if ((f = bilingual_label(label, len)) != F_NONE)
		return f;
	return learned_consult(asis);   /* the sender's learned labels (learned.h) */
}

/* ------------------------------------------------------------------ */
/* Whole-word, case-insensitive phrase search.                          */

static int word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* 1 if text[i..] begins a curly quote or a dash (U+2013..U+201D: the
 * punctuation Outlook and Word type), which ends a word like ASCII
 * punctuation does. */
static int utf8_punct_at(const char *text, size_t len, size_t i)
{
	return i + 2 < len && (unsigned char)text[i] == 0xE2 &&
	       (unsigned char)text[i + 1] == 0x80 &&
	       (unsigned char)text[i + 2] >= 0x93 && (unsigned char)text[i + 2] <= 0x9D;
}

/* 1 if a word character runs into position i from before it. */
static int word_before(const char *text, size_t i)
{
	if (i == 0 || !word_char((unsigned char)text[i - 1]))
		return 0;
	return !(i >= 3 && utf8_punct_at(text, i, i - 3));
}

/* 1 if a word character continues at position i. */
static int word_at(const char *text, size_t len, size_t i)
{
	return i < len && word_char((unsigned char)text[i]) && !utf8_punct_at(text, len, i);
}

/* Position of `phrase` in text as whole words, or -1.  A phrase ending
 * in '*' matches any word continuation ("extremis*").  A space of the
 * phrase matches a hard wrap too ("social\nworker"): one line break,
 * not a paragraph's blank line. */
static long phrase_search(const char *text, size_t len, const char *phrase, size_t pl,
                          int prefix, size_t from)
{
	int lo, up;
	const char *nl, *nu;

	/* Candidates are found with memchr on the first letter in both
	 * cases (SIMD in glibc): a message is scanned for hundreds of
	 * phrases, and testing every byte of it for each was most of the
	 * extractor's time. */
	lo = tolower((unsigned char)phrase[0]);
	up = toupper((unsigned char)phrase[0]);
	nl = memchr(text + from, lo, len - from);
	nu = up != lo ? memchr(text + from, up, len - from) : NULL;
	while (nl || nu) {
		const char *p = nl && (!nu || nl < nu) ? nl : nu;
		size_t i = (size_t)(p - text), k, t = i + 1;

		if (p == nl)
			nl = i + 1 < len ? memchr(text + i + 1, lo, len - i - 1) : NULL;
		else
			nu = i + 1 < len ? memchr(text + i + 1, up, len - i - 1) : NULL;
		if (i + pl > len)
			break;
		if (word_before(text, i))
			continue;
		for (k = 1; k < pl && t < len; k++, t++) {
			if (phrase[k] == ' ' && text[t] == '\n' && t > i) {
				/* a hard wrap: one line break, spaces around it */
				while (t + 1 < len && text[t + 1] == ' ')
					t++;
				if (t + 1 < len && text[t + 1] == '\n')
					break;
				continue;
			}
			if (tolower((unsigned char)text[t]) != tolower((unsigned char)phrase[k]))
				break;
		}
		if (k != pl)
			continue;
		if (!prefix && word_at(text, len, t))
			continue;
		return (long)i;
	}
	return -1;
}

/* phrase_search for a phrase given as text: its length, and whether a
 * scan in force rules it out (phrase_scan.c), worked out here. */
static long phrase_find(const char *text, size_t len, const char *phrase, size_t from)
{
	size_t pl = strlen(phrase);
	int prefix = pl > 0 && phrase[pl - 1] == '*';

	if (prefix)
		pl--;
	if (pl == 0 || from >= len || phrase_scan_rules_out(text, len, phrase, pl))
		return -1;
	return phrase_search(text, len, phrase, pl, prefix, from);
}

/* The same for a loaded entry, by the length and trigram key stored
 * with it when it was loaded. */
static long entry_find(const char *text, size_t len, const struct vocab_entry *e, size_t from)
{
	size_t pl = e->len;
	int prefix = pl > 0 && e->text[pl - 1] == '*';

	if (prefix)
		pl--;
	if (pl == 0 || from >= len || phrase_scan_absent(text, len, &e->pk))
		return -1;
	return phrase_search(text, len, e->text, pl, prefix, from);
}

/* The first phrase of a group found in text, as an index, or -1. */
static long group_find(const struct vocab_group *g, const char *text, size_t len)
{
	for (size_t i = 0; i < g->n; i++)
		if (entry_find(text, len, g->e[i], 0) >= 0)
			return (long)i;
	return -1;
}

/* 1 if the phrase at text[pos] is negated: a negator (words.vocab,
 * "negator") appears in the same clause (no . ; : ! ? , or blank line
 * between) within 6 words before it: "no safeguarding concerns", "not
 * known to social care", "no CP plan". */
int vocab_row_break(const char *text, size_t s)
{
	size_t i;

	if (s == 0)
		return 0;
	if (text[s - 1] == '\t')
		return 1;
	if (text[s - 1] != '\n')
		return 0;
	for (i = s - 1; i > 0 && text[i - 1] != '\n'; i--)
		if (text[i - 1] == '\t')
			return 1;
	return 0;
}

static int negated_at(const char *text, size_t pos)
{
	size_t start = pos, words = 0;

	while (start > 0) {
		char c = text[start - 1];

		/* A single newline is a hard wrap inside a sentence ("does not
		 * have a\nchild protection plan"); a blank line ends it, and
		 * so do a cell's TAB and the end of a TAB row ("LAC Status<TAB>
		 * No\nSEN Status<TAB>SEN Support": the No is the row above's). */
		if (c == '\n' && start >= 2 && text[start - 2] == '\n')
			break;
		if (vocab_row_break(text, start))
			break;
		if (c == '.' || c == ';' || c == '!' || c == '?' || c == ':' || c == ',')
			break;
		if (c == ' ' && ++words > 6)
			break;
		start--;
	}
	return group_find(group(VK_WORDS, VWI_NEGATOR), text + start, pos - start) >= 0;
}

/* ------------------------------------------------------------------ */
/* Safeguarding flags.  A phrase names a flag's topic; whether the
 * message *answers* it is answers.c's reading (a form asks "Child
 * protection plan? Yes / No" of every child).                          */

size_t vocab_flag_count(void)
{
	return FLAG_COUNT;
}

const char *vocab_flag_name(size_t i)
{
	return i < FLAG_COUNT ? flag_names[i] : NULL;
}

int vocab_flag_index(const char *name)
{
	for (size_t i = 0; i < FLAG_COUNT; i++)
		if (strcmp(flag_names[i], name) == 0)
			return (int)i;
	return -1;
}

int vocab_flag_phrase_absent(size_t f, size_t k, const char *text, size_t len)
{
	const struct vocab_group *g = f < FLAG_COUNT ? group(VK_FLAGS, (int)f) : NULL;

	return g && k < g->n && phrase_scan_absent(text, len, &g->e[k]->pk);
}

int vocab_word_absent(enum vocab_words list, size_t i, const char *text, size_t len)
{
	const struct vocab_group *g = (unsigned)list < VW__COUNT ? group(VK_WORDS, (int)list) : NULL;

	return g && i < g->n && phrase_scan_absent(text, len, &g->e[i]->pk);
}

const char *vocab_flag_phrase(size_t f, size_t k)
{
	const struct vocab_group *g;

	if (f >= FLAG_COUNT)
		return NULL;
	g = group(VK_FLAGS, (int)f);
	return k < g->n ? g->text[k] : NULL;
}

/* Phrases that contain a flag phrase but do not mean the flag (a child
 * "looked after by her grandmother" is not in care; the Salvation Army
 * is not the armed forces): 1 if one covers text[pos .. pos+pl). */
#define EXCLUSION_REACH 48   /* bytes an exclusion may reach past the flag
                                phrase ("... report is being considered") */
static int excluded_at(const char *text, size_t len, size_t pos, size_t pl)
{
	const struct vocab_group *g = group(VK_WORDS, VWI_FLAG_EXCLUSION);
	size_t from = pos > EXCLUSION_REACH ? pos - EXCLUSION_REACH : 0;
	size_t to = pos + pl + EXCLUSION_REACH < len ? pos + pl + EXCLUSION_REACH : len;

	for (size_t i = 0; i < g->n; i++) {
		long at = -1;

		while ((at = entry_find(text + from, to - from, g->e[i], (size_t)(at + 1))) >= 0) {
			size_t s = from + (size_t)at, e = s + g->e[i]->len;

			if (s <= pos && e >= pos + pl)
				return 1;
		}
	}
	return 0;
}

long vocab_flag_phrase_find(const char *text, size_t len, const char *ph,
                            size_t from)
{
	size_t pl = strlen(ph);
	long pos = (long)from - 1;

	while ((pos = phrase_find(text, len, ph, (size_t)(pos + 1))) >= 0) {
		size_t j;

		/* "send" would fire on every "please send": a capital in the
		 * phrase ("SEN", "CIN PLAN") must be a capital in the text. */
		for (j = 0; j < pl; j++)
			if (isupper((unsigned char)ph[j]) &&
			    !isupper((unsigned char)text[pos + j]))
				break;
		if (j != pl)
			continue;
		if (excluded_at(text, len, (size_t)pos, pl))
			continue;
		return pos;
	}
	return -1;
}

int vocab_negated_at(const char *text, size_t pos)
{
	return negated_at(text, pos);
}

/* ------------------------------------------------------------------ */
/* Answers: what a form or a sentence says about a flag's topic.  Answer
 * words and glyphs are tried longest first ("none known" before "no",
 * "n/a" before "n"), whatever file they came from.                      */

/* The longest answers.vocab entry of the given kinds at s[0..len) (a
 * whole word for answer words, bytes for glyphs, case-insensitive):
 * its kind, or -1. */
static int answer_at(const char *s, size_t len, int kind1, int kind2, int words,
                     size_t *used)
{
	int best = -1;
	size_t best_len = 0;

	for (int kind = kind1; kind <= kind2; kind++) {
		const struct vocab_group *g = group(VK_ANSWERS, kind);

		for (size_t i = 0; i < g->n; i++) {
			const char *w = g->text[i];
			size_t wl = g->e[i]->len;

			if (wl > len || wl <= best_len ||
			    tolower((unsigned char)s[0]) != tolower((unsigned char)w[0]))
				continue;   /* (the first byte decides most: cheap) */
			if (words ? phrase_find(s, wl < len ? wl + 1 : len, w, 0) == 0
			          : strncasecmp(s, w, wl) == 0) {
				best = kind;
				best_len = wl;
			}
		}
	}
	if (best >= 0)
		*used = best_len;
	return best;
}

int vocab_answer_word(const char *s, size_t len, size_t *used)
{
	int a = answer_at(s, len, VA_YES, VA_NO, 1, used);

	return a == VA_YES ? VOCAB_ANSWER_YES : a == VA_NO ? VOCAB_ANSWER_NO : 0;
}

int vocab_answer_glyph(const char *s, size_t len, size_t *used)
{
	int a = answer_at(s, len, VA_TICKED, VA_EMPTY, 0, used);

	if (a >= 0)
		return a == VA_TICKED ? VOCAB_GLYPH_TICKED : VOCAB_GLYPH_EMPTY;
	/* "X" standing alone */
	if (len > 0 && (s[0] == 'x' || s[0] == 'X') &&
	    (len == 1 || !word_char((unsigned char)s[1]))) {
		*used = 1;
		return VOCAB_GLYPH_TICKED;
	}
	return 0;
}

/* Words that put a topic in the past ("a plan that has ended", "until
 * 2024") unless the clause also says it is current ("Formerly/Currently
 * known to Social Services"). */
int vocab_ended(const char *text, size_t len)
{
	if (group_find(group(VK_WORDS, VWI_CURRENT), text, len) >= 0)
		return 0;
	return group_find(group(VK_WORDS, VWI_ENDED), text, len) >= 0;
}

/* ------------------------------------------------------------------ */
/* Reasons and outcomes: scored phrases.  The strongest un-negated
 * evidence wins, so "continuous absence ... failed to establish
 * whereabouts" is continuous-absence, while "not attended since Monday
 * ... believed moved abroad" is moved-abroad; ties go to the earlier
 * name in SPEC order.                                                  */

/* 1 if the phrase starts with a negator word ("not returned"). */
static int opens_with_negator(const char *phrase)
{
	const struct vocab_group *g = group(VK_WORDS, VWI_NEGATOR);
	size_t len = strlen(phrase);

	for (size_t i = 0; i < g->n; i++)
		if (entry_find(phrase, len, g->e[i], 0) == 0)
			return 1;
	return 0;
}

static int group_score(const struct vocab_group *g, const char *text, size_t len)
{
	int score = 0;

	for (size_t k = 0; k < g->n; k++) {
		long pos;

		if (g->e[k]->weight <= score)
			continue;
		pos = entry_find(text, len, g->e[k], 0);
		/* a phrase that carries its own negator ("not returned",
		 * "no longer lives") is not undone by an earlier one in
		 * another verb's clause: "had not authorised the leave and
		 * have not returned" */
		if (pos >= 0 && (opens_with_negator(g->text[k]) ||
		                 !negated_at(text, (size_t)pos)))
			score = g->e[k]->weight;
	}
	return score;
}

int vocab_country_at(const char *s, size_t len, size_t *used)
{
	const struct vocab_group *g = group(VK_WORDS, VWI_COUNTRY);

	for (size_t i = 0; i < g->n; i++)
		if (entry_find(s, len, g->e[i], 0) == 0) {
			*used = g->e[i]->len;
			return 1;
		}
	return 0;
}

long vocab_phrase_find(const char *text, size_t len, const char *phrase, size_t from)
{
	return phrase_find(text, len, phrase, from);
}

/* "did not return after half term ... house empty, the family left": a
 * bare non-return in a text that tells of no leave or trip (no
 * leave_word, no country) only says the child stopped coming; the
 * family gone (moved-away-unknown evidence of 3 or more) is the reason
 * then.  best is the scored reason, *score its weight. */
static int reason_index(const char *name)
{
	for (int r = 0; r < VOCAB_REASONS; r++)
		if (strcmp(vocab_reason_names[r], name) == 0)
			return r;
	return -1;
}

static const char *no_leave_told(const char *text, size_t len, const char *best, int *score)
{
	int leave = reason_index("not-returned-from-leave");
	int away = reason_index("moved-away-unknown");
	int gone;

	if (best == NULL || leave < 0 || away < 0 || strcmp(best, vocab_reason_names[leave]) != 0 ||
	    group_find(group(VK_WORDS, VW_LEAVE_WORD), text, len) >= 0 ||
	    group_find(group(VK_WORDS, VWI_COUNTRY), text, len) >= 0)
		return best;
	if ((gone = group_score(group(VK_REASONS, away), text, len)) >= 3) {
		*score = gone;
		return vocab_reason_names[away];
	}
	return best;
}

const char *vocab_match_reason(const char *text, size_t len)
{
	int score;

	return vocab_match_reason_scored(text, len, &score);
}

const char *vocab_match_reason_scored(const char *text, size_t len, int *score_out)
{
	const char *best = NULL;
	int best_score = 0, abroad = reason_index("moved-abroad");
	struct vocab_scan scan;

	vocab_scan_begin(&scan, text, len);
	for (int r = 0; r < VOCAB_REASONS; r++) {
		int score = group_score(group(VK_REASONS, r), text, len);

		/* a named country: evidence schools write more often than
		 * the word "abroad" */
		if (r == abroad && score < 3 &&
		    group_find(group(VK_WORDS, VWI_COUNTRY), text, len) >= 0)
			score = 3;
		if (score > best_score) {
			best_score = score;
			best = vocab_reason_names[r];
		}
	}
	*score_out = best_score;
	best = no_leave_told(text, len, best, score_out);
	vocab_scan_end(&scan);
	return best;
}

int vocab_outcome_index(const char *name)
{
	for (int r = 0; r < VOCAB_OUTCOMES; r++)
		if (name && strcmp(vocab_outcome_names[r], name) == 0)
			return r;
	return -1;
}

const char *vocab_match_outcome(const char *text, size_t len)
{
	const char *best = NULL;
	int best_score = 0;
	struct vocab_scan scan;

	vocab_scan_begin(&scan, text, len);
	for (int r = 0; r < VOCAB_OUTCOMES; r++) {
		int score = group_score(group(VK_OUTCOMES, r), text, len);

		if (score > best_score) {
			best_score = score;
			best = vocab_outcome_names[r];
		}
	}
	vocab_scan_end(&scan);
	return best;
}

/* The longest relationship word found wins ("step mother" over
 * "mother"); the first of equal length. */
const char *vocab_match_relationship(const char *text, size_t len)
{
	const struct vocab_group *g = group(VK_RELATIONSHIPS, 0);
	const char *found = NULL;
	size_t found_len = 0;

	for (size_t i = 0; i < g->n; i++) {
		size_t wl = g->e[i]->len;

		if (wl > found_len && entry_find(text, len, g->e[i], 0) >= 0) {
			found = g->e[i]->value;
			found_len = wl;
		}
	}
	return found;
}

/* The gender code of the value's first word, or -1. */
static int gender_word(const char *text, size_t len, size_t *end)
{
	const struct vocab_set *s = vocab_current();
	char word[24];
	size_t o = 0, i = 0;

	while (i < len && isspace((unsigned char)text[i]))
		i++;
	while (i < len && o + 1 < sizeof word && (isalpha((unsigned char)text[i]) || text[i] == '-'))
		word[o++] = (char)tolower((unsigned char)text[i++]);
	word[o] = '\0';
	*end = i;
	for (size_t k = 0; k < s->n[VK_GENDERS]; k++)
		if (strcmp(word, s->e[VK_GENDERS][k].text) == 0)
			return (int)s->e[VK_GENDERS][k].key;
	return -1;
}

/* The options printed and left unanswered ("Male / Female", "M/F")
 * are no answer: a first word followed by '/' and another gender's
 * word gives NULL. */
const char *vocab_match_gender(const char *text, size_t len)
{
	static const char *const codes[] = { "M", "F", "X", NULL };
	size_t e, e2;
	int k = gender_word(text, len, &e), k2;

	if (k < 0)
		return NULL;
	while (e < len && text[e] == ' ')
		e++;
	if (e < len && text[e] == '/' &&
	    (k2 = gender_word(text + e + 1, len - e - 1, &e2)) >= 0 && k2 != k)
		return NULL;
	return codes[k];
}

/* ------------------------------------------------------------------ */
/* Home-visit outcomes, answers, letter endings and form sections.      */

/* A visit-found phrase used as a label or question and answered ("Child
 * seen: No", "Child present? Y"): VOCAB_ANSWER_YES/NO, or 0 when no
 * ':' or '?' and answer word follow the phrase that ends at text[e). */
static int label_answer(const char *text, size_t len, size_t e)
{
	size_t used;
	int marked = 0;

	while (e < len && (text[e] == ' ' || text[e] == '\t' || text[e] == ':' || text[e] == '?')) {
		marked |= text[e] == ':' || text[e] == '?';
		e++;
	}
	return marked ? vocab_answer_word(text + e, len - e, &used) : 0;
}

/* 1 if the words from text[at] name someone other than the family
 * ("spoke to the neighbour at no. 11"): the visit saw them, not the
 * child. */
static int third_party_at(const char *text, size_t len, size_t at)
{
	while (at < len && isspace((unsigned char)text[at]))
		at++;
	return at < len && vocab_words_prefix(VW_THIRD_PARTY, text + at, len - at, NULL);
}

int vocab_match_visit_found(const char *text, size_t len)
{
	const struct vocab_group *found = group(VK_WORDS, VWI_VISIT_FOUND);

	/* a label answered decides, wherever it is in the text */
	for (size_t i = 0; i < found->n; i++) {
		size_t pl = found->e[i]->len;
		long pos = -1;

		while ((pos = entry_find(text, len, found->e[i], (size_t)(pos + 1))) >= 0) {
			int a = label_answer(text, len, (size_t)pos + pl);

			if (a != 0)
				return a == VOCAB_ANSWER_YES;
		}
	}
	for (size_t i = 0; i < found->n; i++) {
		long pos = -1;

		while ((pos = entry_find(text, len, found->e[i], (size_t)(pos + 1))) >= 0)
			if (!negated_at(text, (size_t)pos) &&
			    !third_party_at(text, len, (size_t)pos + found->e[i]->len))
				return 1;
	}
	if (group_find(group(VK_WORDS, VWI_VISIT_NOT_FOUND), text, len) >= 0)
		return 0;
	return -1;
}

/* 1 if the whole (lower-cased) value is one of a list's entries. */
static int group_equals(int list, const char *s)
{
	const struct vocab_group *g = group(VK_WORDS, list);

	for (size_t i = 0; i < g->n; i++)
		if (strcmp(s, g->text[i]) == 0)
			return 1;
	return 0;
}

int vocab_is_negative_answer(const char *text, size_t len)
{
	char buf[64];
	size_t o = 0;

	while (len > 0 && (isspace((unsigned char)*text)))
		text++, len--;
	while (len > 0 && (isspace((unsigned char)text[len - 1]) || text[len - 1] == '.'))
		len--;
	if (len == 0)
		return 1;
	if (len >= sizeof buf)
		return 0;
	for (size_t i = 0; i < len; i++)
		buf[o++] = (char)tolower((unsigned char)text[i]);
	buf[o] = '\0';
	return group_equals(VWI_NEGATIVE_ANSWER, buf);
}

int vocab_is_valediction(const char *text, size_t len)
{
	char norm[64];

	if (len == 0 || len > 40)
		return 0;
	if (vocab_label_normalise(text, len, norm, sizeof norm) == 0)
		return 0;
	return group_equals(VWI_VALEDICTION, norm);
}

enum field vocab_section_heading(const char *text, size_t len)
{
	const struct vocab_set *s = vocab_current();
	char norm[64];

	if (len == 0 || len > 60)
		return F_NONE;
	if (vocab_label_normalise(text, len, norm, sizeof norm) == 0)
		return F_NONE;
	for (int pass = 0; pass < 2; pass++) {
		const char *h = norm, *sp;
		size_t nl;

		/* "Section 6 Referrer", "Part B Your details": a word and a
		 * number or letter numbering the heading */
		if (pass == 1) {
			if ((sp = strchr(norm, ' ')) == NULL || (h = strchr(sp + 1, ' ')) == NULL)
				break;
			nl = (size_t)(h - sp - 1);
			if (nl > 3 || (nl > 1 && strspn(sp + 1, "0123456789") != nl))
				break;
			h++;
		}
		for (size_t i = 0; i < s->n[VK_SECTIONS]; i++)
			if (strcmp(h, s->e[VK_SECTIONS][i].text) == 0)
				return (enum field)s->e[VK_SECTIONS][i].key;
	}
	return F_NONE;
}

/* ------------------------------------------------------------------ */
/* Word lists matched by position (vocab.h, enum vocab_words).  Order
 * matters where vocab.h says "in order" or "the first that matches". */

const char *const *vocab_words(enum vocab_words list, size_t *n)
{
	const struct vocab_group *g;

	if ((unsigned)list >= VW__COUNT) {
		static const char *const none[1] = { NULL };

		*n = 0;
		return none;
	}
	g = group(VK_WORDS, (int)list);
	*n = g->n;
	return g->text;
}

int vocab_words_prefix(enum vocab_words list, const char *text, size_t len,
                       size_t *wlen)
{
	size_t n;
	const char *const *w = vocab_words(list, &n);

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(w[i]);

		if (len >= l && strncasecmp(text, w[i], l) == 0) {
			if (wlen)
				*wlen = l;
			return 1;
		}
	}
	return 0;
}
