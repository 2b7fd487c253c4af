/*
 * strlist.h - a growable list of owned C strings.
 *
 * Owns: struct strlist and the strings in it.
 */
#ifndef CME_STRLIST_H
#define CME_STRLIST_H

#include <stddef.h>

struct strlist {
	char  **v;
	size_t  n;
	size_t  cap;
};

#define STRLIST_INIT { NULL, 0, 0 }

int    strlist_add(struct strlist *l, const char *s);       /* copies s */
int    strlist_add_unique(struct strlist *l, const char *s); /* no-op if present */
int    strlist_addn(struct strlist *l, const char *s, size_t n);
int    strlist_contains(const struct strlist *l, const char *s);
void   strlist_free(struct strlist *l);

#endif
