/*
 * tap_vocab.h - the unit tests' vocabulary: the source tree's shipped
 * files (make check exports top_srcdir), loaded before the first test.
 * A test binary that extracts without it aborts (vocab.h).
 */
#ifndef CME_TAP_VOCAB_H
#define CME_TAP_VOCAB_H

#include <stdio.h>
#include <stdlib.h>

#include "strlist.h"
#include "vocab.h"

static inline void tap_vocabulary(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	struct strlist problems = STRLIST_INIT;

	snprintf(dir, sizeof dir, "%s/vocabulary", top && *top ? top : ".");
	if (vocab_load(dir, NULL, &problems) != 0) {
		for (size_t i = 0; i < problems.n; i++)
			printf("Bail out! %s\n", problems.v[i]);
		exit(99);
	}
	strlist_free(&problems);
}

#endif
