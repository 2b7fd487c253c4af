/*
 * extract.h - stage 2: a parsed message in, a struct cme_referral out.
 *
 * Owns: the reading of text (labelled lines, tables, CSV, child blocks,
 * prose) into fields.  Every label, reason, flag and outcome comes from
 * vocab; this module holds the reading logic only.
 */
#ifndef CME_EXTRACT_H
#define CME_EXTRACT_H

#include "message.h"
#include "referral.h"
#include "trust.h"

struct learned_labels;

/* Children read from one message at most (a school's MIS export of a
 * year group is a few hundred rows); the rest are listed in
 * referral.overflow for a triage case.  A child costs about 1 KB at most
 * (struct cme_child and its capped strings), so 1 MB per message. */
#define EXTRACT_MAX_CHILDREN 1000

struct extract_options {
	size_t max_children;           /* per message */
	unsigned long immediate_flags; /* from the policy; 0 if none */
	const struct trust_context *trust; /* NULL: authenticated = -1 */
	int null_sender;               /* MAIL FROM:<>: the kind is "bounce",
	                                  whatever the message says (the rest
	                                  is read as usual) */
	const struct learned_labels *learned; /* the sender domain's learned
	                                  labels (learned.h), consulted when
	                                  the vocabulary does not know a
	                                  label; NULL none */
};

void extract_options_default(struct extract_options *o);

/* Fill *r (initialised by the caller) from m.  Returns 0, or -1 only on
 * allocation failure.  Never fails on odd input: what cannot be read is
 * listed in r->problems. */
int extract_referral(const struct cme_message *m,
                     const struct extract_options *o,
                     struct cme_referral *r);

/* Where each field of r came from, for an officer (cmectl parse
 * --explain): one line per field, "children[0].dob = 2015-09-19  <-
 * part 1 text/plain, line 12, label "DOB"".  Sources: a labelled line,
 * a table cell, a signature line, the From header, "prose" (a
 * sentence), or how it was derived.  malloc'd; NULL when out of memory.
 * (milter/extract/provenance.c) */
char *referral_explain(const struct cme_referral *r);

#endif
