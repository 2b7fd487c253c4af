/*
 * NAME
 *	officer_lines.h - stage 2: what an officer's email asks for, line by
 *	line (SPEC 5.6).
 *
 * PURPOSE
 *	Officers write in Outlook the lines they would write anyway:
 *	    Visit: 27/11/2026 14:10 seen
 *	    Visited 14 Elm Road on 11/11/2026 at 4pm, mum and both children seen
 *	    visited today, no answer
 *	    Outcome: located-on-roll, Park Lane Primary
 *	    Surname: Brennan            (any referral label, vocab_label)
 *	    Note: ...   Assign: x@la.test   Merge: CME-2026-00017
 *	    Reopen      Immediate: done     Transfer: Leeds City Council <cme@leeds.test>
 *	officer_lines_read turns the message's own text (quoted replies,
 *	signatures and greetings left out) into a list of actions and the
 *	lines it did not understand.  Pure: nothing is looked up or stored;
 *	whether the sender may act, and on which case, is the pipeline's.
 *
 * OWNS
 *	The officer's verb words, visit words, day words and the lines to
 *	pass over (greetings) as data tables; everything else is vocab's
 *	(labels, outcomes, visit answers, valedictions) and ukdate's.
 *	Also two small readers the store's field checks share with the
 *	extractor: extract_year_group and extract_postcode.
 *
 * RETURN CONVENTIONS
 *	officer_lines_read: 0, or -1 out of memory (free what it filled).
 *	Bounded: at most OFFICER_LINES_MAX actions and as many lines not
 *	understood; each value at most 1000 bytes.
 *
 * CONCURRENCY
 *	Pure functions and constant tables: any thread.
 */
#ifndef CME_OFFICER_LINES_H
#define CME_OFFICER_LINES_H

#include <stddef.h>
#include "strlist.h"
#include "ukdate.h"
#include "vocab.h"

#define OFFICER_LINES_MAX 32

enum officer_line_kind {
	OL_VISIT,           /* value: date YYYY-MM-DD; value2: "HH:MM" or NULL; found */
	OL_OUTCOME,         /* value: outcome name; value2: what followed it, or NULL */
	OL_FIELD,           /* field: the label's field; value: the corrected value */
	OL_NOTE,            /* value: the note */
	OL_ASSIGN,          /* value: the address */
	OL_MERGE,           /* value: the survivor's reference, upper-cased */
	OL_REOPEN,
	OL_IMMEDIATE_DONE,
	OL_TRANSFER,        /* value: the LA's name; value2: its address or NULL */
};

struct officer_line {
	enum officer_line_kind kind;
	enum field field;
	char *value, *value2;
	int found;          /* OL_VISIT: 1 seen, 0 not, -1 not said */
	char *line;         /* the line as written (cleaned, at most 1000 bytes) */
};

struct officer_lines {
	struct officer_line v[OFFICER_LINES_MAX];
	size_t n;
	struct strlist not_understood;
	int visit_answer;   /* a visit form's "Outcome: No answer": -1 none, 0, 1 */
};

/* Read text[0..len) (UTF-8, the message's own words).  `today` is the
 * date the message was written ("today", dates without a year). */
int  officer_lines_read(const char *text, size_t len, const struct ymd *today,
                        struct officer_lines *out);
void officer_lines_free(struct officer_lines *ol);

/* A year group as schools write it ("Year 7", "Y7", "Reception", "R"):
 * 0 (Reception) .. 14, or -1. */
int extract_year_group(const char *s, size_t len);
/* A UK postcode that is the whole of s[0..len) (blanks around it
 * allowed), as "AB1 2CD" in out: 1, else 0. */
int extract_postcode(const char *s, size_t len, char out[9]);

#endif
