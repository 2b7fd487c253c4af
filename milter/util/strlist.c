/*
 * strlist.c - a growable list of owned C strings.  See strlist.h.
 */
#include <stdlib.h>
#include <string.h>

#include "strlist.h"

int strlist_addn(struct strlist *l, const char *s, size_t n)
{
	char *copy;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		char **v = realloc(l->v, ncap * sizeof *v);

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = ncap;
	}
	copy = malloc(n + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, s, n);
	copy[n] = '\0';
	l->v[l->n++] = copy;
	return 0;
}

int strlist_add(struct strlist *l, const char *s)
{
	return strlist_addn(l, s, strlen(s));
}

int strlist_contains(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

int strlist_add_unique(struct strlist *l, const char *s)
{
	return strlist_contains(l, s) ? 0 : strlist_add(l, s);
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
