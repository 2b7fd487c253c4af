/*
 * learned.c - labels learned from officers' corrections.  See learned.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "learned.h"

#define UNKNOWN_MAX_WORDS 8   /* a label is a few words, not a sentence */

static __thread const struct learned_labels *installed;

void learned_labels_init(struct learned_labels *l)
{
	memset(l, 0, sizeof *l);
}

void learned_labels_free(struct learned_labels *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

int learned_labels_add(struct learned_labels *l, const char *label, enum field f)
{
	char norm[LEARNED_LABEL_MAX];

	if (f <= F_NONE || f >= F__COUNT ||
	    vocab_label_normalise(label, strlen(label), norm, sizeof norm) == 0)
		return 0;       /* nothing to learn */
	if (learned_labels_find(l, norm) != F_NONE)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct learned_label *v;

		if (l->n >= LEARNED_MAX_LABELS)
			return -1;
		if (cap > LEARNED_MAX_LABELS)
			cap = LEARNED_MAX_LABELS;
		if ((v = realloc(l->v, cap * sizeof *v)) == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	memcpy(l->v[l->n].label, norm, sizeof norm);
	l->v[l->n++].field = f;
	return 0;
}

enum field learned_labels_find(const struct learned_labels *l, const char *norm)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->v[i].label, norm) == 0)
			return l->v[i].field;
	return F_NONE;
}

void learned_use(const struct learned_labels *l)
{
	installed = l;
}

enum field learned_consult(const char *norm)
{
	return installed ? learned_labels_find(installed, norm) : F_NONE;
}

/* A label: starts with a letter, at most UNKNOWN_MAX_WORDS words, no
 * sentence punctuation inside. */
static int label_like(const char *s, size_t len)
{
	size_t words = 1;

	if (len == 0 || len > UNKNOWN_MAX_LABEL || !isalpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ' ' && i + 1 < len && s[i + 1] != ' ')
			words++;
		if (s[i] == ',' || s[i] == ';' || s[i] == '!' || s[i] == '"' ||
		    (s[i] == '.' && i + 1 < len && s[i + 1] == ' '))
			return 0;
	}
	return words <= UNKNOWN_MAX_WORDS;
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

int unknown_record_split(const char *s, size_t len, const char **label, size_t *ll,
                         const char **value, size_t *vl)
{
	size_t limit = len < UNKNOWN_MAX_LABEL + 1 ? len : UNKNOWN_MAX_LABEL + 1;
	const char *sep = NULL;

	for (size_t i = 0; i < limit && sep == NULL; i++)
		if (s[i] == ':' || s[i] == '\t')
			sep = s + i;
	if (sep == NULL)
		return 0;
	*label = s;
	*ll = (size_t)(sep - s);
	*value = sep + 1;
	*vl = len - *ll - 1;
	trim(label, ll);
	trim(value, vl);
	while (*ll > 0 && ((*label)[*ll - 1] == '?' || (*label)[*ll - 1] == '-'))
		(*ll)--;
	trim(label, ll);
	if (*vl == 0 || !label_like(*label, *ll))
		return 0;
	if (*vl >= 2 && (*value)[0] == '/' && (*value)[1] == '/')
		return 0;       /* "https://..." */
	if (*vl > UNKNOWN_MAX_VALUE) {
		*vl = UNKNOWN_MAX_VALUE;
		while (*vl > 0 && ((unsigned char)(*value)[*vl] & 0xC0) == 0x80)
			(*vl)--;        /* not inside a UTF-8 character */
	}
	return 1;
}

/* Bytes of s into out with controls (TAB, newline) as spaces. */
static size_t copy_clean(char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	return n;
}

int learned_note_unknown(struct cme_referral *r, const char *s, size_t len)
{
	char line[UNKNOWN_MAX_LABEL + 1 + UNKNOWN_MAX_VALUE + 1];
	const char *label, *value;
	size_t ll, vl, n;

	if (r->unknown_records.n >= UNKNOWN_MAX_RECORDS ||
	    !unknown_record_split(s, len, &label, &ll, &value, &vl))
		return 0;
	n = copy_clean(line, label, ll);
	line[n++] = '\t';
	n += copy_clean(line + n, value, vl);
	return strlist_addn(&r->unknown_records, line, n);
}
