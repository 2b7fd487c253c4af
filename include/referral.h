/*
 * referral.h - the structured reading of one message (SPEC section 4).
 *
 * This is the pipeline's exchange type: extract fills it, case_store and
 * pipeline read it, referral_to_json prints it for `cmectl parse`.  All
 * strings are owned (malloc'd) UTF-8 and freed by referral_free.  NULL /
 * -1 mean "not known" and are left out of the JSON.
 */
#ifndef CME_REFERRAL_H
#define CME_REFERRAL_H

#include <stddef.h>
#include <time.h>
#include "strbuf.h"
#include "strlist.h"

enum cme_kind {
	KIND_REFERRAL,
	KIND_UPDATE,
	KIND_AUTO_REPLY,
	KIND_BOUNCE,
	KIND_UNRECOGNISED
};

struct cme_child {
	char *forename, *surname;
	char *dob;              /* YYYY-MM-DD */
	char *gender;           /* "M", "F", "X" */
	char *upn;
	int   upn_valid;        /* -1 unknown (no UPN), 0, 1 */
	int   year_group;       /* -1 unknown; 0 = Reception */
	char *address, *postcode, *school;
	char *last_attended;    /* YYYY-MM-DD */
	char *reason;           /* vocab reason name */
	char *provenance;       /* "field<TAB>value<TAB>where" lines: where
	                           each field was read (cmectl parse
	                           --explain, cmectl show); not in the JSON */
};

struct cme_parent {
	char *name, *relationship, *phone;
};

struct cme_person {
	char *name, *role, *organisation, *email, *phone;
};

struct cme_referral {
	/* From the message headers (not all printed). */
	char *message_id;       /* "<...>" or NULL */
	char *subject;
	char *from_addr;
	time_t date;            /* (time_t)-1 if unknown */
	char *in_reply_to;
	struct strlist references;

	enum cme_kind kind;
	struct strlist case_refs;   /* CME-YYYY-NNNNN named in subject/body */
	int authenticated;          /* -1 not evaluated, 0, 1 */

	struct cme_child  *children;  size_t n_children;
	struct cme_parent *parents;   size_t n_parents;
	struct cme_person  referrer;

	unsigned long flags;        /* bit i = vocab flag i */
	int   immediate;            /* -1 not evaluated, 0, 1 */

	char *outcome;              /* vocab outcome name (updates) */
	char *new_school;
	char *new_school_start;     /* YYYY-MM-DD: starts (started) there */
	char *visit_date;           /* YYYY-MM-DD */
	char *visit_time;           /* HH:MM, 24-hour, or NULL */
	int   visit_found;          /* -1 unknown */

	struct strlist problems;    /* officer-readable sentences */
	/* Children past the per-message cap (extract_options.max_children):
	 * not read into `children` (memory stays bounded) but listed here,
	 * one line each, for a triage case of their own (SPEC 8).  The text
	 * is capped too (REFERRAL_MAX_OVERFLOW_TEXT); n_overflow counts them
	 * all, listed or not. */
	struct strbuf overflow;
	size_t n_overflow, n_overflow_listed;
	int damaged;                /* the MIME could not all be read */
	char *provenance;           /* as the child's, for "parents[i].x" and
	                               "referrer.x" */
	struct strlist unknown_records; /* "label<TAB>value": lines whose label
	                               neither the vocabulary nor the sender's
	                               learned labels know (learned.h; bounded
	                               there); not in the JSON */
};

/* Bytes of overflow listing kept: about 10,000 children's lines. */
#define REFERRAL_MAX_OVERFLOW_TEXT (1024 * 1024)

void referral_init(struct cme_referral *r);
void referral_free(struct cme_referral *r);

/* Append one empty child / parent; returns it or NULL on allocation
 * failure or when the per-message cap is reached. */
struct cme_child  *referral_add_child(struct cme_referral *r, size_t cap);
struct cme_parent *referral_add_parent(struct cme_referral *r, size_t cap);

/* Does problem line i concern the case of child c?  Lines about one
 * child end "... for child N" / name "child N " (extract's wording, N
 * counting from 1); they belong to that child's case only, so that a
 * message naming 1000 children does not copy 1000 lines onto each of
 * its 1000 cases.  Other lines concern every case; with c NULL (a triage
 * case) every line does. */
int referral_problem_concerns(const struct cme_referral *r, size_t i,
                              const struct cme_child *c);

/* Free a child's fields and make it empty (unknown UPN, year group). */
void referral_child_clear(struct cme_child *c);

/* Append c as one line of r->overflow ("Surname, Forename; born ...;
 * UPN ...; address; school"), control characters made spaces; counts it
 * in n_overflow even when the listing is full.  A child with nothing
 * read is not counted. */
void referral_add_overflow(struct cme_referral *r, const struct cme_child *c);

const char *referral_kind_name(enum cme_kind k);

/* SPEC section 4 JSON, pretty-printed, malloc'd (json-c). */
char *referral_to_json(const struct cme_referral *r);

#endif
