/*
 * vocab.h - the product's vocabularies as data tables.
 *
 * Owns: the tables of field labels (and their synonyms), referral
 * reasons, safeguarding flags, update outcomes, relationships and the
 * phrases that mark negation.  Extraction code asks these tables; it
 * never spells a synonym itself.  To teach the product a new way schools
 * write, add a row here.
 */
#ifndef CME_VOCAB_H
#define CME_VOCAB_H

#include <stddef.h>

/* Fields a label can name. */
enum field {
	F_NONE = 0,
	F_FORENAME, F_SURNAME, F_FULLNAME, F_DOB, F_GENDER, F_UPN, F_YEAR,
	F_ADDRESS, F_POSTCODE, F_SCHOOL, F_LAST_ATTENDED, F_REASON,
	F_PARENT_NAME, F_PARENT_REL, F_PARENT_PHONE, F_PARENT,
	F_REFERRER_NAME, F_REFERRER_ROLE, F_REFERRER_ORG, F_REFERRER_EMAIL,
	F_REFERRER_PHONE, F_REFERRER,
	F_SAFEGUARDING, F_SOCIAL_WORKER, F_NOTES,
	F_CASE_REF, F_OUTCOME, F_NEW_SCHOOL, F_VISIT_DATE, F_VISIT_BY,
	F_VISIT_ADDRESS, F_DATE_REMOVED, F_REFERRAL_TYPE, F_NEXT_STEPS,
	F__COUNT
};

const char *field_name(enum field f);

/* Map a label as written ("Child's surname", "D.O.B.", "Pupil forename(s)")
 * to a field.  Case, punctuation, possessives and bracketed hints such as
 * "(dd/mm/yyyy)" are ignored.  F_NONE if not a known label. */
enum field vocab_label(const char *label, size_t len);

/* Reasons, flags and outcomes: the canonical names of SPEC section 4 and
 * the phrases that imply them. */
size_t      vocab_flag_count(void);
const char *vocab_flag_name(size_t i);
int         vocab_flag_index(const char *name);        /* -1 if unknown */

/* Scan UTF-8 text for flag phrases, honouring negation ("no
 * safeguarding concerns", "not known to social care"); returns bitmask. */
unsigned long vocab_scan_flags(const char *text, size_t len);

/* Best reason for a free-text description, or NULL. */
const char *vocab_match_reason(const char *text, size_t len);

/* Index of a canonical outcome name, -1 if not in the vocabulary. */
int vocab_outcome_index(const char *name);

/* Best outcome for free text ("located - on roll at another school"),
 * or NULL. */
const char *vocab_match_outcome(const char *text, size_t len);

/* "mother", "Mum", "father"... -> canonical relationship or NULL. */
const char *vocab_match_relationship(const char *text, size_t len);

/* A home-visit outcome in words: 1 the child was seen/found, 0 not
 * ("no answer", "property empty"), -1 cannot tell. */
int vocab_match_visit_found(const char *text, size_t len);

/* 1 if a field value says "nothing" ("None", "N/A", "not known", "no"). */
int vocab_is_negative_answer(const char *text, size_t len);

/* 1 if text is a line that closes a letter ("Kind regards,", "Thanks"). */
int vocab_is_valediction(const char *text, size_t len);

/* Which part of a form a heading line opens: 0 none, else a field
 * group (F_FULLNAME for the child, F_PARENT, F_REFERRER). */
enum field vocab_section_heading(const char *text, size_t len);

/* Gender words -> "M", "F", "X" or NULL. */
const char *vocab_match_gender(const char *text, size_t len);

#endif
