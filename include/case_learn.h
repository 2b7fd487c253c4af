/*
 * NAME
 *	case_learn.h - stage 3: learning labels from officers' corrections
 *	(SPEC 5.7)
 *
 * PURPOSE
 *	A message that opened or updated a case keeps its "Label: value"
 *	records whose label the vocabulary did not know (unknown_records,
 *	with the From domain and whether the sender was authenticated).
 *	When an officer corrects field F of a case to value V (cmectl edit,
 *	or an officer's email), an unknown record of one of that case's
 *	messages from an AUTHENTICATED sender whose value, read as F reads
 *	it (case_edit_normalise: dates, UPNs, postcodes parsed; names and
 *	text compared case-folded), equals V teaches "label -> F" for that
 *	message's From domain.  The learned labels are read back before a
 *	message from that domain is extracted (learned.h).
 *
 * OWNS
 *	The SQL of schema version 16 (unknown_records, learned_labels) and
 *	which fields may be learned: those whose value identifies its label
 *	(names, dates, UPN, address, postcode, school, referrer) -- not a
 *	year group, gender, reason or flag, whose short values ("7", "F",
 *	"moved") stand under many labels.
 *
 * RETURN CONVENTIONS
 *	As case_store.h: 0 / -1; case_learn_from_edit the number of labels
 *	learned (>= 0) or -1.
 *
 * CONCURRENCY
 *	As case_store.h: the caller's connection and transaction.
 */
#ifndef CME_CASE_LEARN_H
#define CME_CASE_LEARN_H

#include <time.h>

#include "case_store.h"
#include "learned.h"
#include "referral.h"

/* The domain of an address ("a@Oakfield.sch.test" -> "oakfield.sch.test"),
 * lower-cased into out; "" when there is none. */
void case_learn_domain(const char *addr, char *out, size_t outlen);

/* Keep r->unknown_records of the message stored as message_row. */
int case_store_unknown_records(struct case_store *cs, long long message_row,
                               const struct cme_referral *r);

/* The labels learned for `domain` into *out (bounded by
 * LEARNED_MAX_LABELS).  0 / -1. */
/* Rises (atomically) each time this process learns a label: a cache of
 * learned labels read before it is stale (pipeline/learned_cache.c). */
extern unsigned long case_store_learned_generation;

int case_store_learned_for(struct case_store *cs, const char *domain,
                           struct learned_labels *out);

/* An officer set edit field `field` (case_edit.h) of case `case_id`
 * (reference `ref`) to the normalised `value`: learn what it teaches,
 * each label learned a "learned" event on the case's timeline (source
 * `source`), taught_by `officer`. */
int case_learn_from_edit(struct case_store *cs, long long case_id, const char *ref,
                         int field, const char *value, const char *officer,
                         const char *source, time_t now);

/* Every learned label (of `domain`, or all when NULL), domain then
 * label order: fn(domain, label as written, field, learned_at,
 * taught_by, case ref or "", arg); a non-zero return stops.  0 / -1. */
typedef int (*learned_row_fn)(const char *domain, const char *label, const char *field,
                              time_t at, const char *by, const char *ref, void *arg);
int case_store_learned_each(struct case_store *cs, const char *domain,
                            learned_row_fn fn, void *arg);

#endif
