/*
 * vocab_int.h - the loaded vocabulary, shared by vocab_load.c (which
 * reads and checks the files) and vocab.c (which matches against them).
 * Private to the extract stage; include/vocab.h is the contract.
 *
 * A vocabulary set is built once, from the shipped files and then the
 * LA's VocabularyDir, and never changes afterwards: every string and
 * array lives until the process exits, so the names the matchers hand out
 * stay valid.
 */
#ifndef CME_VOCAB_INT_H
#define CME_VOCAB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

/* The kinds of vocabulary file: KIND.vocab (and, in VocabularyDir, also
 * KIND-ANYTHING.vocab). */
enum vocab_kind {
	VK_LABELS, VK_SECTIONS, VK_FLAGS, VK_REASONS, VK_OUTCOMES,
	VK_RELATIONSHIPS, VK_GENDERS, VK_ANSWERS, VK_WORDS, VK__COUNT
};

/* Word lists private to vocab.c, numbered after the public ones. */
enum vocab_words_int {
	VWI_NEGATOR = VW__COUNT, VWI_ENDED, VWI_CURRENT, VWI_FLAG_EXCLUSION,
	VWI_COUNTRY, VWI_NEGATIVE_ANSWER, VWI_VALEDICTION, VWI_VISIT_FOUND,
	VWI_VISIT_NOT_FOUND, VWI_LABEL_FILLER, VWI_LABEL_SUFFIX, VWI_LABEL_QUESTION,
	VWI__COUNT
};

/* Keys of answers.vocab. */
enum { VA_YES, VA_NO, VA_TICKED, VA_EMPTY, VA__COUNT };

/* Reasons and outcomes: SPEC section 4's names, in SPEC order. */
#define VOCAB_REASONS 12
#define VOCAB_OUTCOMES 9
extern const char *const vocab_reason_names[VOCAB_REASONS];
extern const char *const vocab_outcome_names[VOCAB_OUTCOMES];

/* A phrase's trigrams as a scan tests them (phrase_scan.c): computed
 * once, when the phrase is loaded. */
struct phrase_key {
	uint16_t h[4];     /* hashes of the trigrams that hold no space */
	uint8_t n;
};

/* One line of a vocabulary file. */
struct vocab_entry {
	char *text;        /* as matched: lower-cased or normalised per kind */
	char *value;       /* relationships: the canonical word; else NULL */
	int key;           /* field, flag, reason, outcome, list, code... */
	int weight;        /* reasons and outcomes; else 0 */
	struct phrase_key pk; /* its trigrams, for scans */
	size_t len;        /* strlen(text) */
	const char *file;  /* where it was read (for duplicates) */
	unsigned line;
};

/* The entries of one key, in file order (shipped first), as an array of
 * texts (NULL-terminated) for vocab_words() and vocab_flag_phrase(). */
struct vocab_group {
	const struct vocab_entry **e;
	const char **text;
	size_t n;
};

struct vocab_set {
	struct vocab_entry *e[VK__COUNT];   /* every entry of a kind */
	size_t n[VK__COUNT], cap[VK__COUNT];
	struct vocab_group *groups[VK__COUNT];  /* indexed by key */
	size_t ngroups[VK__COUNT];
	/* labels: open-addressing hash of normalised label -> entry */
	const struct vocab_entry **label_hash;
	size_t label_hash_size;             /* a power of two */
	char **files;                       /* file names the entries point at */
	size_t nfiles;
};

/* The process's vocabulary; aborts with a message if none was loaded
 * (a program that extracts without vocab_load is a bug, never an empty
 * vocabulary). */
const struct vocab_set *vocab_current(void);

/* 1 if the thread's innermost scan (vocab_scan_begin) covers
 * text[0..len) and shows that `phrase` (pl bytes, without a trailing
 * '*') occurs nowhere in it; 0 when it may (phrase_scan.c). */
int phrase_scan_rules_out(const char *text, size_t len, const char *phrase, size_t pl);
/* The same for a loaded phrase, by the key phrase_scan_key made. */
int phrase_scan_absent(const char *text, size_t len, const struct phrase_key *k);
void phrase_scan_key(const char *phrase, struct phrase_key *k);

/* Hash of a NUL-terminated string (FNV-1a). */
size_t vocab_hash(const char *s);

/* The name of a public or private word list ("name_end", "negator"). */
const char *vocab_list_name(int list);

#endif
