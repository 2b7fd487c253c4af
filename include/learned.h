/*
 * learned.h - labels learned from officers' corrections (SPEC 5.7).
 *
 * NAME
 *	learned - the per-domain map of labels the vocabulary did not know,
 *	and the unknown "Label: value" records a message held
 *
 * Owns: struct learned_labels (normalised label -> field, for one sender
 * domain; bounded by LEARNED_MAX_LABELS), the extraction hook that
 * consults it when vocab_label() does not know a label, and the hook
 * that keeps a message's unknown label/value records in
 * cme_referral.unknown_records (bounded: UNKNOWN_MAX_RECORDS per
 * message, a label of at most UNKNOWN_MAX_LABEL bytes, a value cut to
 * UNKNOWN_MAX_VALUE bytes).
 *
 * The store (case_learn.h) fills a map from the learned_labels table for
 * the From domain of a message; extract_referral() installs it for the
 * duration of one call (extract_options.learned), so every reader that
 * asks vocab_label() -- "Label: value" lines, two-cell and label-column
 * table rows, column headers -- reads a learned label as the field it
 * was taught.  Learned labels never override the vocabulary: they are
 * consulted only on a miss.
 *
 * Return conventions: learned_labels_add 0, or -1 out of memory / full;
 * lookups F_NONE when not found.
 *
 * Concurrency: a map is read-only while installed; the installed map is
 * per thread (learned_use), so concurrent extractions each see their
 * own sender's map.
 */
#ifndef CME_LEARNED_H
#define CME_LEARNED_H

#include <stddef.h>

#include "referral.h"
#include "vocab.h"

#define LEARNED_MAX_LABELS 256   /* per domain */
#define LEARNED_LABEL_MAX  96    /* a normalised label, with its NUL */
#define UNKNOWN_MAX_RECORDS 64   /* unknown records kept per message */
#define UNKNOWN_MAX_LABEL  80    /* bytes of a label (a longer one is prose) */
#define UNKNOWN_MAX_VALUE  200   /* bytes of a value kept */

struct learned_label {
	char label[LEARNED_LABEL_MAX];   /* vocab_label_normalise()d */
	enum field field;
};

struct learned_labels {
	struct learned_label *v;
	size_t n, cap;
};

void learned_labels_init(struct learned_labels *l);
void learned_labels_free(struct learned_labels *l);
/* Add `label` (as written or normalised: it is normalised here) for
 * field f.  A label already in the map keeps its first field. */
int learned_labels_add(struct learned_labels *l, const char *label, enum field f);
/* The field a normalised label was taught, or F_NONE. */
enum field learned_labels_find(const struct learned_labels *l, const char *norm);

/* Install l (or NULL) as this thread's map; vocab_label() consults it
 * on a miss.  extract_referral() sets it and clears it on return. */
void learned_use(const struct learned_labels *l);
/* The installed map's field for a normalised label, or F_NONE. */
enum field learned_consult(const char *norm);

/* Split "Label: value" (or "Label<TAB>value") whose label the
 * vocabulary (and the learned map) does not know: 1 with the label and
 * the value trimmed, 0 when the line is no such record (no separator in
 * the first UNKNOWN_MAX_LABEL bytes, an empty value, a label that is
 * not a few words starting with a letter, a time "10:30"). */
int unknown_record_split(const char *s, size_t len, const char **label, size_t *ll,
                         const char **value, size_t *vl);

/* The extraction hook (records.c): a line whose label nobody knows is
 * kept on r->unknown_records as "label<TAB>value" (controls in either
 * become spaces), up to UNKNOWN_MAX_RECORDS.  0, or -1 out of memory. */
int learned_note_unknown(struct cme_referral *r, const char *s, size_t len);

#endif
