/*
 * vocab.c - the product's vocabularies as data tables.  See vocab.h.
 *
 * Owns: every word list the extractor uses.  The reading logic lives in
 * extract.c; teaching the product a new way of writing is a new row
 * here, never a new `if` there.
 *
 * Phrase matching is case-insensitive on whole words ("sen" does not
 * match "sent"), over UTF-8 text; phrases are plain lower-case ASCII.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vocab.h"

/* ------------------------------------------------------------------ */
/* Field labels.  The label as written is normalised (see
 * label_normalise) and compared with these, so "Child's surname",
 * "CHILD SURNAME:" and "Child surname (legal)" all find F_SURNAME.     */

static const struct label_row {
	enum field field;
	const char *label;
} label_table[] = {
	{ F_FORENAME, "forename" }, { F_FORENAME, "forenames" },
	{ F_FORENAME, "first name" }, { F_FORENAME, "first names" },
	{ F_FORENAME, "given name" }, { F_FORENAME, "given names" },
	{ F_FORENAME, "christian name" }, { F_FORENAME, "legal forename" },
	{ F_FORENAME, "child forename" }, { F_FORENAME, "child first name" },
	{ F_FORENAME, "pupil forename" }, { F_FORENAME, "pupil first name" },
	{ F_FORENAME, "student forename" }, { F_FORENAME, "learner forename" },
	{ F_FORENAME, "child given name" }, { F_FORENAME, "legal first name" },

	{ F_SURNAME, "surname" }, { F_SURNAME, "last name" },
	{ F_SURNAME, "family name" }, { F_SURNAME, "legal surname" },
	{ F_SURNAME, "child surname" }, { F_SURNAME, "child last name" },
	{ F_SURNAME, "pupil surname" }, { F_SURNAME, "pupil last name" },
	{ F_SURNAME, "student surname" }, { F_SURNAME, "learner surname" },
	{ F_SURNAME, "child family name" }, { F_SURNAME, "legal last name" },

	{ F_FULLNAME, "name" }, { F_FULLNAME, "full name" },
	{ F_FULLNAME, "child" }, { F_FULLNAME, "child name" },
	{ F_FULLNAME, "child full name" }, { F_FULLNAME, "name of child" },
	{ F_FULLNAME, "pupil" }, { F_FULLNAME, "pupil name" },
	{ F_FULLNAME, "pupil full name" }, { F_FULLNAME, "name of pupil" },
	{ F_FULLNAME, "student" }, { F_FULLNAME, "student name" },
	{ F_FULLNAME, "learner" }, { F_FULLNAME, "learner name" },
	{ F_FULLNAME, "young person" }, { F_FULLNAME, "young person name" },
	{ F_FULLNAME, "child young person" }, { F_FULLNAME, "legal name" },

	{ F_DOB, "dob" }, { F_DOB, "date of birth" }, { F_DOB, "birth date" },
	{ F_DOB, "birthdate" }, { F_DOB, "child dob" }, { F_DOB, "pupil dob" },
	{ F_DOB, "child date of birth" }, { F_DOB, "pupil date of birth" },
	{ F_DOB, "born" },

	{ F_GENDER, "gender" }, { F_GENDER, "sex" }, { F_GENDER, "legal sex" },

	{ F_UPN, "upn" }, { F_UPN, "unique pupil number" },
	{ F_UPN, "pupil number" }, { F_UPN, "upn number" },
	{ F_UPN, "child upn" }, { F_UPN, "pupil upn" },

	{ F_YEAR, "year" }, { F_YEAR, "year group" }, { F_YEAR, "yr" },
	{ F_YEAR, "ncy" }, { F_YEAR, "nc year" },
	{ F_YEAR, "national curriculum year" }, { F_YEAR, "school year" },
	{ F_YEAR, "current year group" }, { F_YEAR, "year grp" },

	{ F_ADDRESS, "address" }, { F_ADDRESS, "last known address" },
	{ F_ADDRESS, "home address" }, { F_ADDRESS, "current address" },
	{ F_ADDRESS, "child address" }, { F_ADDRESS, "address of child" },
	{ F_ADDRESS, "previous address" }, { F_ADDRESS, "last address" },
	{ F_ADDRESS, "family address" }, { F_ADDRESS, "known address" },

	{ F_POSTCODE, "postcode" }, { F_POSTCODE, "post code" },

	{ F_SCHOOL, "school" }, { F_SCHOOL, "current school" },
	{ F_SCHOOL, "school name" }, { F_SCHOOL, "school attended" },
	{ F_SCHOOL, "last school" }, { F_SCHOOL, "previous school" },
	{ F_SCHOOL, "name of school" }, { F_SCHOOL, "referring school" },
	{ F_SCHOOL, "school on roll" }, { F_SCHOOL, "school offered" },
	{ F_SCHOOL, "establishment" }, { F_SCHOOL, "setting" },
	{ F_SCHOOL, "last known school" },

	{ F_LAST_ATTENDED, "last attended" },
	{ F_LAST_ATTENDED, "date last attended" },
	{ F_LAST_ATTENDED, "last date attended" },
	{ F_LAST_ATTENDED, "last day attended" },
	{ F_LAST_ATTENDED, "last date of attendance" },
	{ F_LAST_ATTENDED, "date of last attendance" },
	{ F_LAST_ATTENDED, "last attendance" },
	{ F_LAST_ATTENDED, "last seen" }, { F_LAST_ATTENDED, "last in school" },

	{ F_REASON, "reason" }, { F_REASON, "reason for referral" },
	{ F_REASON, "reasons for referral" }, { F_REASON, "referral reason" },
	{ F_REASON, "ground for deletion" }, { F_REASON, "grounds for deletion" },
	{ F_REASON, "reason for deletion" }, { F_REASON, "reason for removal" },
	{ F_REASON, "reason for leaving" }, { F_REASON, "reason missing" },
	{ F_REASON, "concern" }, { F_REASON, "concerns" },
	{ F_REASON, "deletion reason" }, { F_REASON, "removal reason" },

	{ F_PARENT, "parent" }, { F_PARENT, "parents" },
	{ F_PARENT, "parent carer" }, { F_PARENT, "parents carers" },
	{ F_PARENT, "parent guardian" }, { F_PARENT, "carer" },
	{ F_PARENT, "guardian" }, { F_PARENT, "mother" }, { F_PARENT, "father" },
	{ F_PARENT, "mum" }, { F_PARENT, "dad" }, { F_PARENT, "parent details" },
	{ F_PARENT, "parent carer details" }, { F_PARENT, "main carer" },

	{ F_PARENT_NAME, "parent name" }, { F_PARENT_NAME, "parent carer name" },
	{ F_PARENT_NAME, "parent guardian name" }, { F_PARENT_NAME, "carer name" },
	{ F_PARENT_NAME, "name of parent" }, { F_PARENT_NAME, "name of parent carer" },
	{ F_PARENT_NAME, "mother name" }, { F_PARENT_NAME, "father name" },

	{ F_PARENT_REL, "relationship" }, { F_PARENT_REL, "relationship to child" },
	{ F_PARENT_REL, "relationship to pupil" },

	{ F_PARENT_PHONE, "parent phone" }, { F_PARENT_PHONE, "parent carer phone" },
	{ F_PARENT_PHONE, "parent telephone" }, { F_PARENT_PHONE, "parent carer telephone" },
	{ F_PARENT_PHONE, "parent contact number" }, { F_PARENT_PHONE, "parent mobile" },
	{ F_PARENT_PHONE, "contact number" }, { F_PARENT_PHONE, "telephone" },
	{ F_PARENT_PHONE, "phone" }, { F_PARENT_PHONE, "mobile" },
	{ F_PARENT_PHONE, "home phone" }, { F_PARENT_PHONE, "tel" },

	{ F_REFERRER, "referred by" }, { F_REFERRER, "referrer" },
	{ F_REFERRER, "reported by" }, { F_REFERRER, "completed by" },
	{ F_REFERRER, "referrer details" }, { F_REFERRER, "submitted by" },
	{ F_REFERRER_NAME, "referrer name" }, { F_REFERRER_NAME, "name of referrer" },
	{ F_REFERRER_NAME, "your name" }, { F_REFERRER_NAME, "person referring" },
	{ F_REFERRER_ROLE, "referrer role" }, { F_REFERRER_ROLE, "role" },
	{ F_REFERRER_ROLE, "job title" }, { F_REFERRER_ROLE, "your role" },
	{ F_REFERRER_ROLE, "referrer job title" }, { F_REFERRER_ROLE, "position" },
	{ F_REFERRER_ORG, "referrer organisation" }, { F_REFERRER_ORG, "organisation" },
	{ F_REFERRER_ORG, "referrer organization" }, { F_REFERRER_ORG, "organization" },
	{ F_REFERRER_ORG, "agency" }, { F_REFERRER_ORG, "referring agency" },
	{ F_REFERRER_ORG, "your organisation" },
	{ F_REFERRER_EMAIL, "referrer email" }, { F_REFERRER_EMAIL, "referrer email address" },
	{ F_REFERRER_EMAIL, "email" }, { F_REFERRER_EMAIL, "email address" },
	{ F_REFERRER_EMAIL, "your email" }, { F_REFERRER_EMAIL, "e mail" },
	{ F_REFERRER_PHONE, "referrer phone" }, { F_REFERRER_PHONE, "referrer telephone" },
	{ F_REFERRER_PHONE, "referrer contact number" }, { F_REFERRER_PHONE, "your phone" },

	{ F_SAFEGUARDING, "safeguarding" }, { F_SAFEGUARDING, "safeguarding concerns" },
	{ F_SAFEGUARDING, "safeguarding concern" }, { F_SAFEGUARDING, "safeguarding information" },
	{ F_SAFEGUARDING, "vulnerabilities" }, { F_SAFEGUARDING, "vulnerability" },
	{ F_SAFEGUARDING, "risks" }, { F_SAFEGUARDING, "known risks" },
	{ F_SAFEGUARDING, "child protection" }, { F_SAFEGUARDING, "additional needs" },
	{ F_SOCIAL_WORKER, "social worker" }, { F_SOCIAL_WORKER, "allocated social worker" },
	{ F_SOCIAL_WORKER, "social care involvement" },

	{ F_NOTES, "notes" }, { F_NOTES, "note" }, { F_NOTES, "comments" },
	{ F_NOTES, "additional information" }, { F_NOTES, "further information" },
	{ F_NOTES, "other information" }, { F_NOTES, "background" },
	{ F_NOTES, "details" }, { F_NOTES, "circumstances" },
	{ F_NOTES, "any other information" },

	{ F_CASE_REF, "case" }, { F_CASE_REF, "case ref" },
	{ F_CASE_REF, "case reference" }, { F_CASE_REF, "cme ref" },
	{ F_CASE_REF, "cme reference" }, { F_CASE_REF, "cme case" },
	{ F_CASE_REF, "our ref" }, { F_CASE_REF, "your ref" },
	{ F_CASE_REF, "reference" },

	{ F_OUTCOME, "outcome" }, { F_OUTCOME, "visit outcome" },
	{ F_OUTCOME, "result" }, { F_OUTCOME, "outcome of visit" },
	{ F_OUTCOME, "outcome of enquiries" }, { F_OUTCOME, "case outcome" },
	{ F_NEW_SCHOOL, "new school" }, { F_NEW_SCHOOL, "new school if known" },
	{ F_NEW_SCHOOL, "destination school" }, { F_NEW_SCHOOL, "new setting" },
	{ F_NEW_SCHOOL, "destination" }, { F_NEW_SCHOOL, "now on roll at" },
	{ F_NEW_SCHOOL, "receiving school" },
	{ F_VISIT_DATE, "visit date" }, { F_VISIT_DATE, "date of visit" },
	{ F_VISIT_DATE, "home visit date" }, { F_VISIT_DATE, "date visited" },
	{ F_VISIT_DATE, "date of home visit" },
	{ F_VISIT_BY, "visited by" }, { F_VISIT_BY, "visiting officer" },
	{ F_VISIT_ADDRESS, "address visited" },
	{ F_DATE_REMOVED, "date of removal" }, { F_DATE_REMOVED, "date removed" },
	{ F_DATE_REMOVED, "date removed from roll" }, { F_DATE_REMOVED, "date of deletion" },
	{ F_DATE_REMOVED, "removal date" }, { F_DATE_REMOVED, "deletion date" },
	{ F_DATE_REMOVED, "date off roll" }, { F_DATE_REMOVED, "off roll date" },
	{ F_REFERRAL_TYPE, "referral type" }, { F_REFERRAL_TYPE, "type of referral" },
	{ F_NEXT_STEPS, "next steps" }, { F_NEXT_STEPS, "actions" },
	{ F_NEXT_STEPS, "action" }, { F_NEXT_STEPS, "action taken" },
};

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

/*
 * Normalise a label: lower-case ASCII; bracketed hints "(s)",
 * "(dd/mm/yyyy)", "(if known)" dropped; possessive "'s" dropped; dots and
 * apostrophes removed ("D.O.B." -> "dob"); other punctuation a space;
 * runs of spaces folded.  Non-ASCII bytes end the label's usefulness
 * (no shipped label has them) and are kept so they fail to match.
 */
static size_t label_normalise(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	int depth = 0, space = 1;

	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
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
		if (c == '.' || c == '\'' || c == '*')
			continue;
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
	return o;
}

enum field vocab_label(const char *label, size_t len)
{
	char norm[96];

	if (len == 0 || len > 80)
		return F_NONE;
	if (label_normalise(label, len, norm, sizeof norm) == 0)
		return F_NONE;
	for (size_t i = 0; i < sizeof label_table / sizeof label_table[0]; i++)
		if (strcmp(norm, label_table[i].label) == 0)
			return label_table[i].field;
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
	return F_NONE;
}

/* ------------------------------------------------------------------ */
/* Whole-word, case-insensitive phrase search.                          */

static int word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Position of `phrase` in text as whole words, or -1.  A phrase ending
 * in '*' matches any word continuation ("extremis*"). */
static long phrase_find(const char *text, size_t len, const char *phrase, size_t from)
{
	size_t pl = strlen(phrase);
	int prefix = pl > 0 && phrase[pl - 1] == '*';

	if (prefix)
		pl--;
	if (pl == 0)
		return -1;
	for (size_t i = from; i + pl <= len; i++) {
		size_t k;

		if (tolower((unsigned char)text[i]) != phrase[0] ||
		    (i > 0 && word_char((unsigned char)text[i - 1])))
			continue;
		for (k = 1; k < pl; k++)
			if (tolower((unsigned char)text[i + k]) != phrase[k])
				break;
		if (k != pl)
			continue;
		if (!prefix && i + pl < len && word_char((unsigned char)text[i + pl]))
			continue;
		return (long)i;
	}
	return -1;
}

/* Words that, shortly before a phrase in the same clause, negate it:
 * "no safeguarding concerns", "not known to social care", "no CP plan". */
static const char *const negators[] = {
	"no", "not", "none", "nil", "never", "without", "n/a", "nor",
	"neither", "isn't", "isnt", "wasn't", "is not", "no longer",
	"not known", "none known",
};

/* 1 if the phrase at text[pos] is negated: a negator appears in the same
 * clause (no . ; : ! ? or newline between) within 6 words before it. */
static int negated_at(const char *text, size_t pos)
{
	size_t start = pos, words = 0;

	while (start > 0) {
		char c = text[start - 1];

		/* A single newline is a hard wrap inside a sentence ("does not
		 * have a\nchild protection plan"); a blank line ends it. */
		if (c == '\n' && start >= 2 && text[start - 2] == '\n')
			break;
		if (c == '.' || c == ';' || c == '!' || c == '?' || c == ':' || c == ',')
			break;
		if (c == ' ' && ++words > 6)
			break;
		start--;
	}
	for (size_t i = 0; i < sizeof negators / sizeof negators[0]; i++)
		if (phrase_find(text + start, pos - start, negators[i], 0) >= 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Safeguarding flags (SPEC section 4), in SPEC order.  A phrase names a
 * flag's topic; whether the message *answers* it is answers.c's reading
 * (a form asks "Child protection plan? Yes / No" of every child).      */

#define MAX_FLAG_PHRASES 40

static const struct flag_row {
	const char *name;
	const char *phrases[MAX_FLAG_PHRASES];
} flag_table[] = {
	{ "child-protection-plan", { "child protection plan", "cp plan",
	  "child protection register", "subject to child protection",
	  "on a cp", "cpp", "child protection conference" } },
	{ "section-47", { "section 47", "s47", "s 47", "sec 47",
	  "section forty seven" } },
	{ "looked-after", { "looked after child", "looked-after", "looked after",
	  "child looked after", "cla", "lac", "in local authority care",
	  "in care of the local authority" } },
	{ "social-worker", { "social worker", "allocated sw", "known to social care",
	  "open to social care", "known to social services",
	  "open to social services", "known to children's social care",
	  "open to children's social care", "child in need", "cin plan" } },
	{ "risk-of-harm", { "risk of harm", "risk of significant harm",
	  "significant harm", "at risk of abuse", "immediate risk",
	  "in danger" } },
	/* a looked-after child missing from a care placement is missing
	 * from care */
	{ "missing-from-home", { "missing from home", "missing from care",
	  "reported missing", "missing person", "missing episode",
	  "missing from placement", "missing from the placement",
	  "missing from her placement", "missing from his placement",
	  "missing from their placement", "missing from care placement",
	  "missing from her care placement", "missing from his care placement",
	  "missing from her foster placement", "missing from his foster placement",
	  "missing from foster care", "missing from the children's home",
	  "absconded from" } },
	{ "exploitation", { "exploitation", "exploited", "cse", "cce",
	  "county lines", "grooming", "groomed" } },
	{ "radicalisation", { "radicalisation", "radicalization", "radicalised",
	  "extremis*", "prevent referral", "channel referral" } },
	{ "forced-marriage", { "forced marriage", "forced into marriage",
	  "forced to marry" } },
	{ "fgm", { "fgm", "female genital mutilation" } },
	{ "trafficking", { "trafficking", "trafficked", "modern slavery" } },
	{ "privately-fostered", { "privately fostered", "private fostering",
	  "private foster" } },
	{ "ehcp", { "ehcp", "ehc plan", "education health and care plan",
	  "education, health and care plan", "statement of sen" } },
	{ "sen", { "sen", "send", "special educational needs", "sen support",
	  "special needs" } },
	{ "gypsy-roma-traveller", { "gypsy", "roma", "traveller", "grt",
	  "romany", "irish traveller", "showman", "showmen" } },
	/* a parent named by service or rank is a service family */
	{ "armed-forces", { "armed forces", "service family", "forces family",
	  "service personnel", "military family", "service child", "army", "raf",
	  "royal air force", "royal navy", "royal marines", "in the forces",
	  "soldier", "corporal", "sergeant", "lieutenant", "squadron leader",
	  "petty officer", "warrant officer", "regiment", "bfpo",
	  "able seaman", "naval base", "garrison",
	  "navy",
	  "marines",
	  "wing commander",
	  "group captain",
	  "bombardier",
	  "ministry of defence",
	  "married quarters",
	  "on deployment",
	  "serving in the forces" } },
	{ "young-carer", { "young carer" } },
	{ "asylum-refugee", { "asylum", "asylum seeker", "refugee", "uasc" } },
};

#define FLAG_COUNT (sizeof flag_table / sizeof flag_table[0])

/* Phrases that contain a flag phrase but do not mean the flag: a child
 * "looked after by her grandmother" is not in care; the Salvation Army
 * is not the armed forces. */
static const char *const flag_exclusions[] = {
	"looked after by her", "looked after by his", "looked after by their",
	"looked after by grand*", "looked after by mum", "looked after by dad",
	"looked after by family", "looked after by relatives",
	"looked after by a neighbour", "looked after by friends",
	"looked after at home", "looked after well",
	"salvation army", "army cadets", "sergeant at arms",
	"navy blue",
};

size_t vocab_flag_count(void)
{
	return FLAG_COUNT;
}

const char *vocab_flag_name(size_t i)
{
	return i < FLAG_COUNT ? flag_table[i].name : NULL;
}

int vocab_flag_index(const char *name)
{
	for (size_t i = 0; i < FLAG_COUNT; i++)
		if (strcmp(flag_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *vocab_flag_phrase(size_t f, size_t k)
{
	if (f >= FLAG_COUNT || k >= MAX_FLAG_PHRASES)
		return NULL;
	return flag_table[f].phrases[k];
}

/* "send" as a flag phrase would fire on every "please send": the short
 * acronyms count only when written in capitals. */
static int acronym_only(const char *phrase)
{
	static const char *const acronyms[] = { "sen", "send", "cse", "cce",
		"cla", "lac", "grt", "cpp", "fgm", "uasc", "cin plan", "raf",
		"bfpo" };

	for (size_t i = 0; i < sizeof acronyms / sizeof acronyms[0]; i++)
		if (strcmp(acronyms[i], phrase) == 0)
			return 1;
	return 0;
}

/* 1 if an exclusion phrase covers text[pos .. pos+pl). */
static int excluded_at(const char *text, size_t len, size_t pos, size_t pl)
{
	size_t from = pos > 24 ? pos - 24 : 0;
	size_t to = pos + pl + 24 < len ? pos + pl + 24 : len;

	for (size_t i = 0; i < sizeof flag_exclusions / sizeof flag_exclusions[0]; i++) {
		long at = -1;

		while ((at = phrase_find(text + from, to - from, flag_exclusions[i],
		                         (size_t)(at + 1))) >= 0) {
			size_t s = from + (size_t)at, e = s + strlen(flag_exclusions[i]);

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
		if (acronym_only(ph)) {
			size_t j;

			for (j = 0; j < pl; j++)
				if (isalpha((unsigned char)ph[j]) &&
				    !isupper((unsigned char)text[pos + j]))
					break;
			if (j != pl)
				continue;
		}
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
/* Answers: what a form or a sentence says about a flag's topic.        */

/* Answer words, the longest spelling first.  "N/A", "Unknown" and "None
 * known" answer the question: the officer is told nothing is known. */
static const struct {
	const char *word;
	int answer;
} answer_words[] = {
	{ "not applicable", VOCAB_ANSWER_NO }, { "none known", VOCAB_ANSWER_NO },
	{ "not known", VOCAB_ANSWER_NO }, { "don't know", VOCAB_ANSWER_NO },
	{ "dont know", VOCAB_ANSWER_NO }, { "unknown", VOCAB_ANSWER_NO },
	{ "n/a", VOCAB_ANSWER_NO }, { "none", VOCAB_ANSWER_NO },
	{ "nil", VOCAB_ANSWER_NO }, { "no", VOCAB_ANSWER_NO },
	{ "na", VOCAB_ANSWER_NO }, { "n", VOCAB_ANSWER_NO },
	{ "yes", VOCAB_ANSWER_YES }, { "y", VOCAB_ANSWER_YES },
};

/* Tick boxes as typed or rendered; "X" alone is a tick. */
static const struct {
	const char *glyph;
	int ticked;
} glyphs[] = {
	{ "\xE2\x98\x92", 1 },  /* U+2612 ballot box with X */
	{ "\xE2\x98\x91", 1 },  /* U+2611 ballot box with check */
	{ "\xE2\x9C\x93", 1 },  /* U+2713 check mark */
	{ "\xE2\x9C\x94", 1 },  /* U+2714 heavy check mark */
	{ "\xE2\x9C\x97", 1 },  /* U+2717 ballot X */
	{ "\xE2\x9C\x98", 1 },  /* U+2718 heavy ballot X */
	{ "\xE2\x96\xA0", 1 },  /* U+25A0 black square */
	{ "[x]", 1 }, { "(x)", 1 }, { "[\xE2\x9C\x93]", 1 }, { "[\xE2\x9C\x94]", 1 },
	{ "[*]", 1 },
	{ "\xE2\x98\x90", 0 },  /* U+2610 ballot box */
	{ "\xE2\x96\xA1", 0 },  /* U+25A1 white square */
	{ "\xE2\x9D\x91", 0 },  /* U+2751 */
	{ "\xE2\x9D\x92", 0 },  /* U+2752 */
	{ "[ ]", 0 }, { "[]", 0 }, { "( )", 0 }, { "()", 0 },
};

/* Words that put a topic in the past: "a plan that has ended", "was on a
 * CP plan until 2024", "previously looked after". */
static const char *const ended_words[] = {
	"ended", "ceased", "previously", "formerly", "former", "no longer",
	"stepped down", "discharged", "historic", "historical", "in the past",
	"came off", "was removed", "until 19*", "until 20*", "until last",
	"until recently", "was closed", "were closed", "has closed",
	"been closed", "case closed", "closed in", "closed to",
};

/* ... unless the same clause says it is current ("Formerly/Currently
 * known to Social Services"). */
static const char *const current_words[] = {
	"currently", "current", "still", "ongoing",
};

int vocab_answer_word(const char *s, size_t len, size_t *used)
{
	for (size_t i = 0; i < sizeof answer_words / sizeof answer_words[0]; i++) {
		size_t wl = strlen(answer_words[i].word);

		if (wl <= len && phrase_find(s, wl < len ? wl + 1 : len,
		                             answer_words[i].word, 0) == 0) {
			*used = wl;
			return answer_words[i].answer;
		}
	}
	return 0;
}

int vocab_answer_glyph(const char *s, size_t len, size_t *used)
{
	for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++) {
		size_t gl = strlen(glyphs[i].glyph);
		size_t k;

		if (gl > len)
			continue;
		for (k = 0; k < gl; k++)
			if (tolower((unsigned char)s[k]) != (unsigned char)glyphs[i].glyph[k])
				break;
		if (k == gl) {
			*used = gl;
			return glyphs[i].ticked ? VOCAB_GLYPH_TICKED : VOCAB_GLYPH_EMPTY;
		}
	}
	/* "X" standing alone */
	if ((s[0] == 'x' || s[0] == 'X') && (len == 1 || !word_char((unsigned char)s[1]))) {
		*used = 1;
		return VOCAB_GLYPH_TICKED;
	}
	return 0;
}

int vocab_ended(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof current_words / sizeof current_words[0]; i++)
		if (phrase_find(text, len, current_words[i], 0) >= 0)
			return 0;
	for (i = 0; i < sizeof ended_words / sizeof ended_words[0]; i++)
		if (phrase_find(text, len, ended_words[i], 0) >= 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reasons and outcomes: scored phrases.  The strongest evidence wins, so
 * "continuous absence ... failed to establish whereabouts" is
 * continuous-absence, while "not attended since Monday ... believed
 * moved abroad" is moved-abroad.                                       */

struct scored_phrase {
	const char *phrase;
	int weight;
};

static const struct reason_row {
	const char *name;
	struct scored_phrase phrases[16];
} reason_table[] = {
	{ "not-returned-from-leave", {
	  { "not returned", 4 }, { "have not returned", 4 }, { "has not returned", 4 },
	  { "failed to return", 4 }, { "not come back", 4 }, { "did not return", 4 },
	  { "extended leave", 4 }, { "extended holiday", 4 }, { "not back from", 4 },
	  { "return date", 2 }, { "holiday", 1 }, { "leave of absence", 3 } } },
	{ "moved-abroad", {
	  { "abroad", 4 }, { "overseas", 4 }, { "out of the country", 4 },
	  { "left the country", 4 }, { "left the uk", 4 }, { "emigrated", 4 },
	  { "moving to another country", 4 }, { "moved to another country", 4 },
	  { "for good", 1 } } },
	{ "moved-out-of-area", {
	  { "out of area", 4 }, { "out of borough", 4 }, { "out of county", 4 },
	  { "another local authority", 4 }, { "another la", 3 },
	  { "moved to another borough", 4 }, { "new local authority", 3 } } },
	{ "moved-into-area-no-school", {
	  { "moved into the area", 4 }, { "new to the area", 4 },
	  { "moved into the borough", 4 }, { "arrived in the area", 4 },
	  { "new arrival", 3 }, { "no school place", 3 } } },
	{ "school-place-refused", {
	  { "refused the school place", 5 }, { "refused a school place", 5 },
	  { "place refused", 5 }, { "refused the place", 5 },
	  { "refused school place", 5 }, { "not taken up", 4 },
	  { "declined the place", 5 }, { "declined school place", 5 },
	  { "refused", 2 } } },
	{ "continuous-absence", {
	  { "continuous absence", 5 }, { "continuously absent", 5 },
	  { "20 school days", 3 }, { "20 days", 2 }, { "twenty school days", 3 },
	  { "not attended", 1 }, { "persistent absence", 3 },
	  { "ten days", 1 }, { "10 days", 1 } } },
	{ "excluded-no-provision", {
	  { "permanently excluded", 5 }, { "permanent exclusion", 5 },
	  { "excluded", 3 }, { "no alternative provision", 3 } } },
	{ "ehe-unsuitable", {
	  { "elective home education", 3 }, { "home education", 3 },
	  { "home educated", 3 }, { "ehe", 3 }, { "unsuitable", 1 } } },
	{ "never-registered", {
	  { "never registered", 5 }, { "never been registered", 5 },
	  { "never been on a school roll", 5 }, { "not registered with any school", 5 }, { "never been on roll", 5 },
	  { "never attended school", 5 }, { "not registered at any school", 5 },
	  { "no record of", 2 } } },
	{ "left-no-destination", {
	  { "no known destination", 4 }, { "no destination", 4 },
	  { "destination unknown", 4 }, { "left without", 2 },
	  { "unknown destination", 4 } } },
	{ "moved-away-unknown", {
	  { "moved away", 4 }, { "moving away", 4 }, { "no forwarding address", 4 },
	  { "address unknown", 4 }, { "whereabouts unknown", 3 },
	  { "whereabouts", 1 }, { "property empty", 3 }, { "moved out", 3 },
	  { "moving", 1 }, { "moved", 1 }, { "vacated", 3 },
	  { "house empty", 3 }, { "up north", 2 }, { "do not know where", 3 } } },
	{ "other", { { NULL, 0 } } },
};

/* Countries named after "to", "moved to", "moving to", "in": evidence of
 * moved-abroad that schools write more often than the word "abroad". */
static const char *const countries[] = {
	"afghanistan", "albania", "algeria", "bangladesh", "brazil", "bulgaria",
	"canada", "china", "czech republic", "egypt", "eritrea", "ethiopia",
	"france", "germany", "ghana", "greece", "hungary", "india", "iran",
	"iraq", "ireland", "italy", "jamaica", "kenya", "latvia", "lithuania",
	"morocco", "nigeria", "pakistan", "philippines", "poland", "portugal",
	"romania", "russia", "slovakia", "somalia", "south africa", "spain",
	"sri lanka", "sudan", "syria", "turkey", "uganda", "ukraine", "usa",
	"america", "australia", "new zealand", "zimbabwe", "dubai", "vietnam",
	"netherlands",
	"belgium",
	"cyprus",
	"nepal",
	"qatar",
	"saudi arabia",
	"united states",
	"malaysia",
};

static int country_score(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
		if (phrase_find(text, len, countries[i], 0) >= 0)
			return 3;
	return 0;
}

int vocab_country_at(const char *s, size_t len, size_t *used)
{
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
		if (phrase_find(s, len, countries[i], 0) == 0) {
			*used = strlen(countries[i]);
			return 1;
		}
	return 0;
}

long vocab_phrase_find(const char *text, size_t len, const char *phrase, size_t from)
{
	return phrase_find(text, len, phrase, from);
}

const char *vocab_match_reason(const char *text, size_t len)
{
	int score;

	return vocab_match_reason_scored(text, len, &score);
}

const char *vocab_match_reason_scored(const char *text, size_t len, int *score_out)
{
	const char *best = NULL;
	int best_score = 0;

	for (size_t r = 0; r < sizeof reason_table / sizeof reason_table[0]; r++) {
		int score = 0;

		for (size_t k = 0; k < 16 && reason_table[r].phrases[k].phrase; k++) {
			const struct scored_phrase *sp = &reason_table[r].phrases[k];
			long pos = phrase_find(text, len, sp->phrase, 0);

			if (pos >= 0 && !negated_at(text, (size_t)pos) && sp->weight > score)
				score = sp->weight;
		}
		if (strcmp(reason_table[r].name, "moved-abroad") == 0) {
			int c = country_score(text, len);

			if (c > score)
				score = c;
		}
		if (score > best_score) {
			best_score = score;
			best = reason_table[r].name;
		}
	}
	*score_out = best_score;
	return best;
}

#define MAX_OUTCOME_PHRASES 16

static const struct outcome_row {
	const char *name;
	struct scored_phrase phrases[MAX_OUTCOME_PHRASES];
} outcome_table[] = {
	{ "located-on-roll", {
	  { "on roll at", 5 }, { "on roll", 4 }, { "now attending", 4 },
	  { "enrolled at", 4 }, { "registered at", 3 }, { "started at", 3 },
	  { "admitted to", 3 }, { "attending another school", 4 },
	  { "on roll elsewhere", 5 }, { "another school", 2 },
	  { "started with us", 5 },
	  { "joined us", 4 },
	  { "returned to school", 4 },
	  { "back in school", 4 } } },
	{ "located-ehe", {
	  { "elective home education", 5 }, { "home educated", 5 },
	  { "home education", 4 }, { "ehe", 4 } } },
	{ "located-other-provision", {
	  { "alternative provision", 4 }, { "other provision", 4 },
	  { "tuition", 3 }, { "hospital school", 4 } } },
	{ "moved-out-of-area", {
	  { "out of area", 4 }, { "out of borough", 4 },
	  { "another local authority", 4 }, { "moved to another la", 4 },
	  { "living in their area", 4 },
	  { "live in their area", 4 },
	  { "taking over the cme", 4 } } },
	{ "moved-abroad", {
	  { "moved abroad", 5 }, { "left the country", 5 }, { "emigrated", 5 },
	  { "living abroad", 5 }, { "abroad", 3 } } },
	{ "left-compulsory-age", {
	  { "compulsory school age", 4 }, { "over compulsory", 4 },
	  { "beyond compulsory", 4 }, { "left statutory school age", 4 } } },
	{ "died", { { "died", 5 }, { "deceased", 5 }, { "passed away", 5 } } },
	{ "not-located", {
	  { "not located", 4 }, { "unable to locate", 4 }, { "no trace", 4 },
	  { "could not be located", 4 }, { "cannot be located", 4 } } },
	{ "duplicate", { { "duplicate referral", 5 }, { "duplicate", 3 } } },
};

int vocab_outcome_index(const char *name)
{
	for (size_t r = 0; r < sizeof outcome_table / sizeof outcome_table[0]; r++)
		if (name && strcmp(outcome_table[r].name, name) == 0)
			return (int)r;
	return -1;
}

const char *vocab_match_outcome(const char *text, size_t len)
{
	const char *best = NULL;
	int best_score = 0;

	for (size_t r = 0; r < sizeof outcome_table / sizeof outcome_table[0]; r++) {
		int score = 0;

		for (size_t k = 0; k < MAX_OUTCOME_PHRASES && outcome_table[r].phrases[k].phrase; k++) {
			const struct scored_phrase *sp = &outcome_table[r].phrases[k];
			long pos = phrase_find(text, len, sp->phrase, 0);

			if (pos >= 0 && !negated_at(text, (size_t)pos) && sp->weight > score)
				score = sp->weight;
		}
		if (score > best_score) {
			best_score = score;
			best = outcome_table[r].name;
		}
	}
	return best;
}

static const struct word_map {
	const char *word;
	const char *canonical;
} relationship_table[] = {
	{ "mother", "mother" }, { "mum", "mother" }, { "mom", "mother" },
	{ "father", "father" }, { "dad", "father" },
	{ "stepmother", "step-mother" }, { "step mother", "step-mother" },
	{ "stepfather", "step-father" }, { "step father", "step-father" },
	{ "grandmother", "grandmother" }, { "nan", "grandmother" },
	{ "grandfather", "grandfather" }, { "aunt", "aunt" }, { "uncle", "uncle" },
	{ "carer", "carer" }, { "foster carer", "foster carer" },
	{ "guardian", "guardian" }, { "special guardian", "special guardian" },
	{ "sister", "sister" }, { "brother", "brother" },
};

const char *vocab_match_relationship(const char *text, size_t len)
{
	/* Longest phrase first is not needed: table order puts the specific
	 * ones ("step mother") after the general only where both agree. */
	const char *found = NULL;
	size_t found_len = 0;

	for (size_t i = 0; i < sizeof relationship_table / sizeof relationship_table[0]; i++) {
		size_t wl = strlen(relationship_table[i].word);

		if (wl > found_len && phrase_find(text, len, relationship_table[i].word, 0) >= 0) {
			found = relationship_table[i].canonical;
			found_len = wl;
		}
	}
	return found;
}

static const struct word_map gender_table[] = {
	{ "m", "M" }, { "male", "M" }, { "boy", "M" }, { "man", "M" },
	{ "f", "F" }, { "female", "F" }, { "girl", "F" }, { "woman", "F" },
	{ "x", "X" }, { "non-binary", "X" }, { "nonbinary", "X" },
	{ "other", "X" }, { "indeterminate", "X" }, { "unknown", NULL },
};

const char *vocab_match_gender(const char *text, size_t len)
{
	char word[24];
	size_t o = 0, i = 0;

	while (i < len && isspace((unsigned char)text[i]))
		i++;
	while (i < len && o + 1 < sizeof word && (isalpha((unsigned char)text[i]) || text[i] == '-'))
		word[o++] = (char)tolower((unsigned char)text[i++]);
	word[o] = '\0';
	for (size_t k = 0; k < sizeof gender_table / sizeof gender_table[0]; k++)
		if (strcmp(word, gender_table[k].word) == 0)
			return gender_table[k].canonical;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Home-visit outcomes, answers, letter endings and form sections.      */

static const struct scored_phrase visit_not_found[] = {
	{ "no answer", 1 }, { "no reply", 1 }, { "not at home", 1 },
	{ "nobody home", 1 }, { "no one home", 1 }, { "no-one home", 1 },
	{ "nobody in", 1 }, { "property empty", 1 }, { "property vacant", 1 },
	{ "vacant", 1 }, { "not found", 1 }, { "not seen", 1 },
	{ "no contact", 1 }, { "unable to locate", 1 }, { "moved out", 1 },
	{ "no trace", 1 }, { "not located", 1 }, { "empty", 1 },
};

static const struct scored_phrase visit_found[] = {
	{ "child seen", 1 }, { "seen the child", 1 }, { "saw the child", 1 },
	{ "child found", 1 }, { "child located", 1 }, { "child was seen", 1 },
	{ "spoke to", 1 }, { "spoke with", 1 }, { "family at home", 1 },
	{ "child present", 1 }, { "found at home", 1 }, { "seen at home", 1 },
	{ "children seen", 1 },
	{ "seen both children", 1 },
	{ "seen and spoken to", 1 },
};

int vocab_match_visit_found(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof visit_found / sizeof visit_found[0]; i++) {
		long pos = phrase_find(text, len, visit_found[i].phrase, 0);

		if (pos >= 0 && !negated_at(text, (size_t)pos))
			return 1;
	}
	for (size_t i = 0; i < sizeof visit_not_found / sizeof visit_not_found[0]; i++)
		if (phrase_find(text, len, visit_not_found[i].phrase, 0) >= 0)
			return 0;
	return -1;
}

static const char *const negative_answers[] = {
	"none", "none known", "no", "n/a", "na", "nil", "not known",
	"unknown", "not applicable", "no concerns", "none reported",
	"not known to social care", "none identified", "-",
};

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
	for (size_t i = 0; i < sizeof negative_answers / sizeof negative_answers[0]; i++)
		if (strcmp(buf, negative_answers[i]) == 0)
			return 1;
	return 0;
}

static const char *const valedictions[] = {
	"regards", "kind regards", "best regards", "warm regards", "many thanks",
	"thanks", "thank you", "best wishes", "yours sincerely",
	"yours faithfully", "with thanks", "cheers", "best", "sincerely",
	"thanks again", "many thanks for your help",
};

int vocab_is_valediction(const char *text, size_t len)
{
	char norm[64];

	if (len == 0 || len > 40)
		return 0;
	if (label_normalise(text, len, norm, sizeof norm) == 0)
		return 0;
	for (size_t i = 0; i < sizeof valedictions / sizeof valedictions[0]; i++)
		if (strcmp(norm, valedictions[i]) == 0)
			return 1;
	return 0;
}

static const struct section_row {
	const char *heading;
	enum field group;
} section_table[] = {
	{ "child details", F_FULLNAME }, { "child information", F_FULLNAME },
	{ "pupil details", F_FULLNAME }, { "pupil information", F_FULLNAME },
	{ "child young person details", F_FULLNAME }, { "about the child", F_FULLNAME },
	{ "details of child", F_FULLNAME }, { "student details", F_FULLNAME },
	{ "parent carer details", F_PARENT }, { "parent details", F_PARENT },
	{ "parent carer", F_PARENT }, { "parents carers", F_PARENT },
	{ "family details", F_PARENT }, { "parent guardian details", F_PARENT },
	{ "parent carer information", F_PARENT }, { "carer details", F_PARENT },
	{ "referrer details", F_REFERRER }, { "referrer", F_REFERRER },
	{ "your details", F_REFERRER }, { "referrer information", F_REFERRER },
	{ "person making the referral", F_REFERRER }, { "referred by", F_REFERRER },
	{ "about you", F_REFERRER },
};

enum field vocab_section_heading(const char *text, size_t len)
{
	char norm[64];

	if (len == 0 || len > 60)
		return F_NONE;
	if (label_normalise(text, len, norm, sizeof norm) == 0)
		return F_NONE;
	for (size_t i = 0; i < sizeof section_table / sizeof section_table[0]; i++)
		if (strcmp(norm, section_table[i].heading) == 0)
			return section_table[i].group;
	return F_NONE;
}

/* ------------------------------------------------------------------ */
/* Word lists matched by position (vocab.h, enum vocab_words).  Order
 * matters where vocab.h says "in order" or "the first that matches". */

static const char *const w_name_end[] = { " born", " dob", " d.o.b", " aged",
	" age ", " date of birth", " year " };
static const char *const w_name_tail[] = { " tel", " tel.", " tel:", " mob",
	" mobile", " phone", " on", " t:", " m:" };
static const char *const w_dob_cue[] = { "born", "dob", "d.o.b", "date of birth" };
static const char *const w_block_word[] = { "child", "pupil", "sibling", "student",
	"young person" };
static const char *const w_number_word[] = { "one", "two", "three", "four", "five",
	"six", "seven", "eight", "nine", "ten" };
static const char *const w_name_cue[] = { "name is", "named", "called", "name's" };
static const char *const w_prose_dob_cue[] = { "(dob", "dob", "(d.o.b", "born",
	"date of birth", "aged" };
static const char *const w_last_attended_cue[] = { "not been in school since",
	"not attended since", "absent since", "last attended on",
	"last attended", "not seen since", "not in school since",
	"last day in school was", "last day at school was",
	"last day in school", "last day at school", "last in school on",
	"last came to school on", "last came in on",
	"not been seen since", "not been seen at school since",
	"not been seen in school since", "last day with us was",
	"last attended school on", "not attended school since" };
static const char *const w_year_word[] = { "year " };
static const char *const w_reception_prefix[] = { "rec" };
static const char *const w_reception_abbrev[] = { "r" };
static const char *const w_not_known[] = { "not known" };
static const char *const w_visit_word[] = { "visit" };
static const char *const w_org_word[] = { "school", "academy", "college",
	"council", "trust", "primary", "secondary", "service", "team", "federation" };
static const char *const w_role_word[] = { "officer", "lead", "manager", "head ",
	"headteacher", "teacher", "coordinator", "co-ordinator", "administrator",
	"caseworker", "worker", "assistant", "clerk", "director", "senco", "dsl",
	"deputy", "advisor", "adviser", "practitioner", "secretary" };
static const char *const w_school_word[] = { "school", "academy", "college", "primary" };
static const char *const w_reply_marker[] = { "original message" };
static const char *const w_attribution_open[] = { "On " };
static const char *const w_attribution_close[] = { "wrote:" };
static const char *const w_quoted_header[] = { "From: " };
static const char *const w_reply_prefix[] = { "re:", "aw:" };
static const char *const w_forward_prefix[] = { "fw:", "fwd:" };
static const char *const w_auto_subject_prefix[] = { "Automatic reply", "Auto:" };
static const char *const w_auto_subject_phrase[] = { "out of office" };
static const char *const w_bulk_precedence[] = { "bulk", "junk", "list" };
static const char *const w_bounce_sender[] = { "mailer-daemon@", "postmaster@" };
/* thread.c: the lines that separate a message from what it quotes. */
static const char *const w_splitter[] = { "original message", "original message-----",
	"reply message", "ursprüngliche nachricht", "message d'origine" };
static const char *const w_forward_marker[] = { "forwarded message",
	"begin forwarded message", "forwarded by", "mensaje reenviado",
	"message transféré", "weitergeleitete nachricht" };
static const char *const w_quote_header_field[] = { "Sent:", "Date:", "To:",
	"Subject:", "Cc:", "Envoyé :", "Gesendet:", "Betreff:", "An:", "À :", "Objet :" };
static const char *const w_disclaimer[] = { "This email and any attachments",
	"This e-mail and any attachments", "This email and any files",
	"This e-mail and any files", "This email is confidential",
	"This e-mail is confidential", "This message is confidential",
	"This message and any attachments", "The information contained in this",
	"The information in this email", "This email is intended", "This e-mail is intended",
	"This message is intended", "If you have received this email in error",
	"If you are not the intended recipient", "CONFIDENTIALITY NOTICE",
	"DISCLAIMER", "CAUTION: This email originated", "CAUTION: External",
	"[EXTERNAL]", "EXTERNAL EMAIL", "This email originated from outside" };

#define WORDS(a) { a, sizeof a / sizeof a[0] }

static const struct word_list {
	const char *const *words;
	size_t n;
} word_lists[VW__COUNT] = {
	[VW_NAME_END] = WORDS(w_name_end),
	[VW_NAME_TAIL] = WORDS(w_name_tail),
	[VW_DOB_CUE] = WORDS(w_dob_cue),
	[VW_BLOCK_WORD] = WORDS(w_block_word),
	[VW_NUMBER_WORD] = WORDS(w_number_word),
	[VW_NAME_CUE] = WORDS(w_name_cue),
	[VW_PROSE_DOB_CUE] = WORDS(w_prose_dob_cue),
	[VW_LAST_ATTENDED_CUE] = WORDS(w_last_attended_cue),
	[VW_YEAR_WORD] = WORDS(w_year_word),
	[VW_RECEPTION_PREFIX] = WORDS(w_reception_prefix),
	[VW_RECEPTION_ABBREV] = WORDS(w_reception_abbrev),
	[VW_NOT_KNOWN] = WORDS(w_not_known),
	[VW_VISIT_WORD] = WORDS(w_visit_word),
	[VW_ORG_WORD] = WORDS(w_org_word),
	[VW_ROLE_WORD] = WORDS(w_role_word),
	[VW_SCHOOL_WORD] = WORDS(w_school_word),
	[VW_REPLY_MARKER] = WORDS(w_reply_marker),
	[VW_ATTRIBUTION_OPEN] = WORDS(w_attribution_open),
	[VW_ATTRIBUTION_CLOSE] = WORDS(w_attribution_close),
	[VW_QUOTED_HEADER] = WORDS(w_quoted_header),
	[VW_REPLY_PREFIX] = WORDS(w_reply_prefix),
	[VW_FORWARD_PREFIX] = WORDS(w_forward_prefix),
	[VW_AUTO_SUBJECT_PREFIX] = WORDS(w_auto_subject_prefix),
	[VW_AUTO_SUBJECT_PHRASE] = WORDS(w_auto_subject_phrase),
	[VW_BULK_PRECEDENCE] = WORDS(w_bulk_precedence),
	[VW_BOUNCE_SENDER] = WORDS(w_bounce_sender),
	[VW_SPLITTER] = WORDS(w_splitter),
	[VW_FORWARD_MARKER] = WORDS(w_forward_marker),
	[VW_QUOTE_HEADER_FIELD] = WORDS(w_quote_header_field),
	[VW_DISCLAIMER] = WORDS(w_disclaimer),
};

#undef WORDS

const char *const *vocab_words(enum vocab_words list, size_t *n)
{
	static const char *const none[1] = { NULL };
	const char *const *prose = vocab_prose_words(list, n);

	if (prose)
		return prose;       /* the prose readers' lists: vocab_prose.c */

	if ((unsigned)list >= VW__COUNT || word_lists[list].words == NULL) {
		*n = 0;
		return none;
	}
	*n = word_lists[list].n;
	return word_lists[list].words;
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
