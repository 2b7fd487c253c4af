/*
 * vocab.h - the product's vocabularies as data tables.
 *
 * NAME
 *	vocab - what the words in a referral mean
 *
 * Owns: the tables of field labels (and their synonyms), referral
 * reasons, safeguarding flags, update outcomes, relationships, the
 * phrases that mark negation, and the word lists the reader matches by
 * position (enum vocab_words: name cues, block headings, signature
 * roles, reply and auto-reply markers).  Extraction code asks these
 * tables; it never spells a word itself.
 *
 * The words are data: the shipped files (vocabulary/KIND.vocab in the
 * source tree, installed in $(datadir)/cme-milter/vocabulary, config key
 * ShippedVocabularyDir) and the LA's additions in VocabularyDir.  To
 * teach the product a new way schools write, add a line to a file; the
 * canonical names (fields, flags, reasons, outcomes) stay here, fixed by
 * SPEC section 4, and the files are checked against them.
 *
 * Return conventions: matchers return a canonical name (never freed) or
 * NULL; indexes are -1 when unknown; predicates 1 or 0.
 *
 * Concurrency: vocab_load runs once, before any thread starts; the set
 * it installs is immutable until the process exits (there is no reload:
 * a changed file takes effect on restart; vocab_load called again only
 * checks).  After that every function is safe from any thread.  A
 * matcher called before vocab_load aborts: a program never runs on an
 * empty vocabulary.
 */
#ifndef CME_VOCAB_H
#define CME_VOCAB_H

#include <stddef.h>
#include <stdint.h>

struct strlist;

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

/* Read shipped_dir/KIND.vocab for every kind (each must exist), then
 * the LA's la_dir/KIND.vocab and KIND-NAME.vocab files (a la_dir that
 * does not exist, or NULL, adds nothing).  Every problem (unknown field,
 * flag, reason or list name, malformed line, duplicate entry, unreadable
 * file) is added to problems as "FILE:LINE: message".  0: the set is
 * installed (or, when one already is, the files were only checked);
 * -1: nothing installed. */
int vocab_load(const char *shipped_dir, const char *la_dir, struct strlist *problems);

/* 1 once a vocabulary is installed. */
int vocab_loaded(void);

/* Normalise a label as vocab_label compares it (lower case, bracketed
 * hints, dots and possessives dropped, punctuation a space, spelt-out
 * letters "d o b" joined, question numbers "3." "Q3)" "a)" dropped);
 * the length written to out (NUL-terminated, at most outlen - 1). */
size_t vocab_label_normalise(const char *in, size_t len, char *out, size_t outlen);

/* The field's short name ("dob", "parent_phone"); "none" for F_NONE or
 * out of range. */
const char *vocab_field_name(enum field f);

/* Map a label as written ("Child's surname", "D.O.B.", "Pupil forename(s)")
 * to a field.  Case, punctuation, possessives and bracketed hints such as
 * "(dd/mm/yyyy)" are ignored.  F_NONE if not a known label. */
enum field vocab_label(const char *label, size_t len);

/* Reasons, flags and outcomes: the canonical names of SPEC section 4 and
 * the phrases that imply them. */
size_t      vocab_flag_count(void);
const char *vocab_flag_name(size_t i);
int         vocab_flag_index(const char *name);        /* -1 if unknown */

/* Flag phrases: the k-th phrase of flag f, NULL past the last. */
const char *vocab_flag_phrase(size_t f, size_t k);

/* Next whole-word occurrence of flag phrase ph in text at or after
 * `from` (acronyms only in capitals; excluded senses such as "looked
 * after by her aunt" skipped), or -1. */
long vocab_flag_phrase_find(const char *text, size_t len, const char *ph,
                            size_t from);

/* 1 if a negator ("no", "not known to") precedes text[pos] in its clause. */
int vocab_negated_at(const char *text, size_t pos);

/* Answers (answers.c reads them).  vocab_answer_word: an answer word
 * ("Yes", "No", "N/A", "Unknown", "None known") at the start of s, as a
 * whole word: VOCAB_ANSWER_YES/NO with *used its length, or 0.
 * vocab_answer_glyph: a tick box at the start of s: VOCAB_GLYPH_TICKED
 * or VOCAB_GLYPH_EMPTY with *used, or 0.  vocab_ended: 1 if the clause
 * puts its topic in the past ("has ended", "previously", "until 2024")
 * and does not also call it current. */
#define VOCAB_ANSWER_YES   1
#define VOCAB_ANSWER_NO    2
#define VOCAB_GLYPH_TICKED 1
#define VOCAB_GLYPH_EMPTY  2
int vocab_answer_word(const char *s, size_t len, size_t *used);
int vocab_answer_glyph(const char *s, size_t len, size_t *used);
int vocab_ended(const char *text, size_t len);

/* 1 if s begins with a country's name (whole words); *used its length. */
int vocab_country_at(const char *s, size_t len, size_t *used);

/* Next whole-word, case-insensitive occurrence of a lower-case phrase
 * in text at or after `from`, or -1 (a trailing '*' matches any word
 * continuation). */
long vocab_phrase_find(const char *text, size_t len, const char *phrase,
                       size_t from);

/* A scan: while it is in force on this thread, phrase searches inside
 * `text` first ask its trigram set whether the phrase can be there at
 * all (milter/extract/phrase_scan.c; what is found does not change, only
 * how fast nothing is).  Begin one around a loop of many searches over
 * one text; the text must stay unchanged, and the scan must end before
 * it does.  Scans nest (end them in reverse order); a scan is the
 * calling thread's alone. */
#define VOCAB_SCAN_LOG2 12
struct vocab_scan {
	const char *text;
	size_t len;
	const struct vocab_scan *outer;
	uint64_t bits[(1u << VOCAB_SCAN_LOG2) / 64];
};
void vocab_scan_begin(struct vocab_scan *s, const char *text, size_t len);
void vocab_scan_end(struct vocab_scan *s);
/* 1 when the scan in force shows that flag f's phrase k (or, below,
 * a word list's entry i) occurs nowhere in text[0..len): a loop over
 * the phrases skips it without searching.  0 when it may occur (or no
 * scan covers the text). */
int vocab_flag_phrase_absent(size_t f, size_t k, const char *text, size_t len);

/* Best reason for a free-text description, or NULL. */
const char *vocab_match_reason(const char *text, size_t len);
/* The same, and the strength of its evidence in *score: 1 a bare word
 * ("moved"), 5 an unambiguous phrase ("never been registered"). */
const char *vocab_match_reason_scored(const char *text, size_t len, int *score);

/* Index of a canonical outcome name, -1 if not in the vocabulary. */
int vocab_outcome_index(const char *name);

/* Best outcome for free text ("located - on roll at another school"),
 * or NULL. */
const char *vocab_match_outcome(const char *text, size_t len);

/* "mother", "Mum", "father"... -> canonical relationship or NULL. */
const char *vocab_match_relationship(const char *text, size_t len);

/* A home-visit outcome in words: 1 the child was seen/found, 0 not
 * ("no answer", "property empty"), -1 cannot tell.  A found phrase
 * used as a label and answered ("Child seen: No") decides first. */
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

/*
 * Word lists the reader matches by position rather than by meaning: the
 * words that start or end a name, open a child block, introduce a date,
 * mark a signature line, a reply or an automatic mail.  Each list says
 * how its words are compared; the reader only loops over them.
 */
enum vocab_words {
	VW_NAME_END,            /* " born", " dob": the name in a value ends here
	                           (substring, case-insensitive, in order) */
	VW_NAME_TAIL,           /* " tel", " mob": dropped from a name's end
	                           (suffix; the first that matches) */
	VW_DOB_CUE,             /* "born", "dob": a date of birth follows, in a
	                           name value (substring) */
	VW_BLOCK_WORD,          /* "child", "pupil": "Child 1" opens a block (prefix) */
	VW_NUMBER_WORD,         /* "one" .. "ten": "Child one" (whole word) */
	VW_NAME_CUE,            /* "name is", "called": a name follows in prose */
	VW_PROSE_DOB_CUE,       /* "(dob", "born": a name precedes in prose */
	VW_LAST_ATTENDED_CUE,   /* "absent since": a last-attended date follows */
	VW_YEAR_WORD,           /* "year ": a year-group number follows in prose */
	VW_RECEPTION_PREFIX,    /* "rec": a year group value meaning Reception */
	VW_RECEPTION_ABBREV,    /* "r": the same, as the whole value */
	VW_NOT_KNOWN,           /* "not known": a social worker value naming nobody,
	                         * a new address that is none (prefix) */
	VW_VISIT_WORD,          /* "visit": an outcome that reports a home visit */
	VW_ORG_WORD,            /* "school", "council": a signature line names an
	                           organisation (substring) */
	VW_ROLE_WORD,           /* "officer", "senco": ... names a role (substring) */
	VW_SCHOOL_WORD,         /* "academy": an organisation that is a school */
	VW_REPLY_MARKER,        /* "original message": quoted text follows (substring) */
	VW_ATTRIBUTION_OPEN,    /* "On " ... */
	VW_ATTRIBUTION_CLOSE,   /* ... "wrote:": a reply's attribution line */
	VW_QUOTED_HEADER,       /* "From: ": a quoted header block (prefix) */
	VW_REPLY_PREFIX,        /* "re:", "aw:": a reply's Subject (prefix) */
	VW_FORWARD_PREFIX,      /* "fw:", "fwd:": a forward's Subject (prefix) */
	VW_AUTO_SUBJECT_PREFIX, /* "Automatic reply", "Auto:" (prefix) */
	VW_AUTO_SUBJECT_PHRASE, /* "out of office" (substring) */
	VW_BULK_PRECEDENCE,     /* "bulk", "junk", "list" in Precedence: (substring) */
	VW_BOUNCE_SENDER,       /* "mailer-daemon@": a bounce's From (prefix) */
	VW_SPLITTER,            /* "-----Original Message-----": a reply quotes
	                           below (substring, thread.c) */
	VW_FORWARD_MARKER,      /* "Forwarded message", "Begin forwarded message"
	                           (substring, thread.c) */
	VW_QUOTE_HEADER_FIELD,  /* "Sent:", "Date:", "To:", "Subject:", "Cc:": a
	                           quoted header line after "From:" (prefix) */
	VW_DISCLAIMER,          /* "This email and any attachments": a legal
	                           footer or banner (prefix) */
	VW_DISCLAIMER_CUE,      /* "intended recipient", "views expressed": two
	                           in one paragraph make it a footer wherever
	                           they stand (substring, thread.c) */
	VW_LIST_STOP,           /* "is", "but": a list item ("no concerns about
	                           CSE, radicalisation or FGM") holds none of
	                           these; they start a clause (whole word) */
	VW_MISSING_CUE,         /* "missing from", "ran away from" (whole words) */
	VW_PLACEMENT_WORD,      /* "placement", "children's home": where a
	                           looked-after child lives (whole words) */
	VW_PROSE_YEAR_WORD,     /* "year", "y": a year group number follows */
	VW_PROSE_RECEPTION,     /* "in reception": year group 0 in a sentence */
	VW_PREVIOUS_WORD,       /* "previously": an address that is not current */
	VW_CURRENT_WORD,        /* "now": ... unless its sentence says current */
	VW_ADDRESS_CUE,         /* "living at": an address follows in prose */
	VW_VISIT_CUE,           /* "visited", "home visit": a visit's date follows
	                           (prose_update.c; whole words) */
	VW_TODAY_WORD,          /* "today": the visit was on the message date */
	VW_YESTERDAY_WORD,      /* "yesterday": the day before */
	VW_VISIT_PLANNED,       /* "booked for", "will visit": a visit still to
	                           come, no visit yet (whole words) */
	VW_UPDATE_CUE,          /* "returned to school this morning", "living in
	                           their area": news of a known child, never a
	                           new referral */
	VW_NEW_SCHOOL_CUE,      /* "now on roll at", "started with us": the new
	                           school (or its start date) follows */
	VW_WITH_US_CUE,         /* "with us": the new school is the writer's */
	VW_SCHOOL_NAMED_CUE,    /* "is going to", "downloaded by": a school's
	                           name after it is the school the child is on
	                           roll at now (prose_update.c; whole words) */
	VW_NAME_CONNECTOR,      /* "of", "and": lower-case words inside a school's
	                           name (exact, lower case) */
	VW_START_CUE,           /* "start date", "starting on": the new school's
	                           start date follows (whole words) */
	VW_ABSENCE_CUE,         /* "has not attended", "never attended": the child
	                           is missing, whatever else the text says */
	VW_ALL_CHILDREN,        /* "both", "all": a table cell that applies to
	                           every child's column (whole word, prefix) */
	VW_SIBLING_WORD,        /* "sibling", "brother": a label so prefixed is
	                           about another child than the first (prefix) */
	VW_NAME_TITLE,          /* "mr", "sgt", "pc": a title or rank before a
	                           name, dropped (whole word) */
	VW_SURNAME_PARTICLE,    /* "van", "der", "ni", "mac": a lower-case or
	                           capitalised word that begins a surname
	                           (whole word, any case) */
	VW_ORG_UNIT,            /* "team", "department": a signature part naming a
	                           unit of a larger body named after it
	                           ("Neighbourhood Policing Team, Lowshire
	                           Police": the police; whole words) */
	VW_SIBLING_HEADING,     /* "siblings", "other children in the family": a
	                           heading that opens another child (whole
	                           heading, records.c) */
	VW_PARENT_LINK,         /* "is", "called": words between a relationship
	                           word and the parent's name ("their mum is
	                           Sadia Khan"; whole words) */
	VW_CHILD_GROUP,         /* "girls", "children": a group noun after a count
	                           ("the two Begum girls, ..."; whole words) */
	VW_VISIT_SEEN,          /* "seen", "saw": before a capitalised name, a
	                           visit found the child ("seen Harvey and mum";
	                           whole words, not negated) */
	VW_VISIT_SEEN_PASSIVE,  /* "were seen", "was seen": after a capitalised
	                           name or a group word ("Both Maja and Jakub
	                           were seen", "the children were seen"), a
	                           visit found the child (whole words, not
	                           negated) */
	VW_SCHOOL_CUE,          /* "removed from roll at", "were at": the child's
	                           school's name follows in prose (whole words) */
	VW_MOVE_CUE,            /* "moved to": a destination follows (whole words) */
	VW_WEAK_MOVE_CUE,       /* "gone to": a listed destination follows */
	VW_STAY_CUE,            /* "moving in with": "in" and a place follow */
	VW_ARRIVAL_CUE,         /* "arrived from": a move into the area */
	VW_POSTING_CUE,         /* "deployed": a parent's posting */
	VW_UK_PLACE,            /* "leeds": a UK town or county (prefix of the destination) */
	VW_NOT_PLACE_WORD,      /* "road", "academy": an address or school, not a place */
	VW_AGENT_MOVE_CUE,      /* "moved by": "to" and a destination follow in
	                           the clause ("moved by the Home Office to Cardiff") */
	VW_CONDITIONAL_CUE,     /* "if", "please state", "any child": a clause
	                           they open states no fact about the child
	                           (form guidance; whole words, at the clause's
	                           start, answers.c) */
	VW_WIDE_NEGATOR,        /* "not known to be", "nothing to suggest": negates
	                           a topic anywhere later in its clause
	                           (whole words, answers.c) */
	VW_PR_HEADING,          /* "parental responsibility", "pr": a table column
	                           asking whether the row's adult has it
	                           (whole words of the normalised heading,
	                           tables.c) */
	VW_ELSEWHERE_CUE,       /* "working in", "lives abroad", "deceased": a
	                           household row's adult who does not live
	                           with the child (whole words, tables.c) */
	VW_SURNAME_CUE,         /* "surname is", "last name is": a child's
	                           surname follows a forename read in prose
	                           (whole words, prose_child.c) */
	VW_SCHOOL_TEAM,         /* "office", "admissions": a team of the school
	                           named before it ("Greenbank School Office"):
	                           not part of the school's name (whole last
	                           words, prose.c) */
	VW_OWN_CHILD_CUE,       /* "my son", "my daughter": a letter written by
	                           the child's parent (forward.c) */
	VW_NEW_ADDRESS_WORD,    /* "new", "future": an address label for the home
	                           the family moves to (fields.c) */
	VW_AGE_HEADING,         /* "age": a household table's column of ages
	                           (the whole heading, tables.c) */
	VW_TEAM_NAME,           /* "office", "safeguarding", "attendance team":
	                           a From display name that is a team, not a
	                           person (whole name, extract.c) */
	VW_HOUSEHOLDER_WORD,    /* "applicant", "head of household": a household
	                           table's adult who is the parent or carer
	                           (the relationship cell, tables.c) */
	VW_FORM_GUIDANCE,       /* "if", "please", "give": a bracket opening with
	                           one is the form's guidance to whoever fills
	                           it in ("(if ended, give date)"), not the
	                           state of things (answers.c; prefix) */
	VW_SUBJECT_REFERRAL_WORD, /* "referral", "cme": a Subject naming a child
	                           after it and a separator ("CME referral -
	                           Oliver Nowak Y6"; whole words,
	                           subject_child.c) */
	VW_SEN_SUPPORT_CODE,    /* "K": a SEN status or provision label's DfE
	                           code for SEN support (whole capital letter,
	                           answers.c) */
	VW_EHCP_CODE,           /* "E", "S": its code for an EHC plan (or the
	                           statement before it) (answers.c) */
	VW_LEAVE_WORD,          /* "leave", "holiday", "wedding": a text that
	                           tells of leave or a trip; without one a bare
	                           "did not return" is no leave (whole words,
	                           vocab.c) */
	VW_AGE_LEAD,            /* "who is", "is", "aged": between a child's name
	                           and an approximate age ("Reggie is maybe 6";
	                           whole words, prose_age.c) */
	VW_AGE_PRONOUN_LEAD,    /* "he's", "she is": an age of the child named
	                           last before it in the sentence ("Kieran Doyle
	                           ..., he's about 10"; whole words, prose_age.c) */
	VW_AGE_HEDGE,           /* "about", "maybe": a word before an approximate
	                           age (whole words, prose_age.c) */
	VW_AGE_SUFFIX,          /* "years old", "yrs": a word after an age
	                           (whole words, prose_age.c) */
	VW_AGE_UNIT,            /* "weeks", "pm": a number before it is no age
	                           ("is 6 weeks", "is 10 am"; whole words,
	                           prose_age.c) */
	VW_AGE_NOT_CHILD_BEFORE, /* "my", "in": before a capitalised name, a word
	                           that makes it no child's (the writer's family
	                           "my Reggie", a place "in Leeds"; whole words,
	                           prose_age.c) */
	VW_PAST_WORD,           /* "was", "were": before a school-named cue, the
	                           school was the child's, not now (whole word,
	                           prose_update.c) */
	VW_HEARSAY_CUE,         /* "neighbour says", "apparently": a sentence
	                           holding one reports another's word, which
	                           settles no outcome (substring, prose_update.c) */
	VW_HEARSAY_SOURCE,      /* "neighbour", "landlord" ... */
	VW_HEARSAY_VERB,        /* ... with "said", "thinks" in one sentence:
	                           hearsay as well (substring, prose_update.c) */
	VW_THIRD_PARTY,         /* "the neighbour", "the landlord": after a visit's
	                           "spoke to", someone other than the family, so
	                           no sign the child was found (prefix, vocab.c) */
	VW_LOWER_NAME_STOP,     /* "i", "and", "she": in a text written all in
	                           lower case, a word after a name cue that is
	                           no name (exact, prose_child.c) */
	VW_ASKED_CUE,           /* "asked if", "asked whether": a question
	                           reported before a flag phrase in its clause;
	                           it states nothing (whole words, answers.c) */
	VW_FORM_PLACEHOLDER,    /* "Select... -> ", "Choose an item.": a form
	                           tool's placeholder, no answer; dropped
	                           (prefix at a word start, answers_grid.c) */
	VW_NOT_SCHOOL_ORG,      /* "council", "police": an organisation naming
	                           one is no school, whatever else it says
	                           ("Eastshire Council School Admissions";
	                           substring, prose.c) */
	VW_NO_SCHOOL,           /* "none", "not on roll": a school value opening
	                           so names none ("None - family moved here from
	                           Croydon"); the rest is why (prefix, fields.c) */
	VW_LEGAL_WORD,          /* "legal": a table column headed with it ("Legal
	                           Surname") is read over a column of the same
	                           field without it ("Surname", the preferred
	                           one in ScholarPack) (first word, tables.c) */
	VW_PLACE_PREPOSITION,   /* "in", "from": a capitalised word after one is a
	                           place, never the first word of the name that
	                           follows it ("at Heathfield Park Primary School
	                           in Birmingham\nAya Al-Hassan, born ...";
	                           whole word, prose_child.c) */
	VW_ANSWERED_ONLY,       /* "CP": a flag phrase that counts only when a
	                           form answers it Yes on its line ("CP - yes"),
	                           never in a sentence (it also means cerebral
	                           palsy) (whole phrase, answers.c) */
	VW__COUNT
};

/* 1 if text[s - 1] ends a cell or a row of a TAB grid pasted as text:
 * a TAB, or a newline ending a line that holds a TAB.  Reading back
 * from a phrase for its negation stops there (the row above's answer
 * is not this row's). */
int vocab_row_break(const char *text, size_t s);

/* The words of one list and their number in *n; never NULL (an unknown
 * list is empty). */
const char *const *vocab_words(enum vocab_words list, size_t *n);
/* 1 when the scan in force shows that entry i of `list` occurs nowhere
 * in text[0..len) (vocab_flag_phrase_absent's rule). */
int vocab_word_absent(enum vocab_words list, size_t i, const char *text, size_t len);


/* 1 if text[0..len) begins with one of the list's words (ASCII
 * case-insensitive); *wlen, if not NULL, is that word's length. */
int vocab_words_prefix(enum vocab_words list, const char *text, size_t len,
                       size_t *wlen);

#endif
