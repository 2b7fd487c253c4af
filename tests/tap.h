/*
 * tap.h - a minimal TAP producer for the unit tests.
 *
 * Each CHECK is one TAP test point, so `make check` counts assertions.
 * Usage: CHECK(expr, "what it shows"); ... return tap_done();
 */
#ifndef CME_TAP_H
#define CME_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *what)
{
	tap_n++;
	if (cond) {
		printf("ok %d - %s\n", tap_n, what);
	} else {
		tap_failed++;
		printf("not ok %d - %s\n# at %s:%d\n", tap_n, what, file, line);
	}
	fflush(stdout);
	return cond;
}

#define CHECK(cond, what) tap_ok(!!(cond), __FILE__, __LINE__, (what))

/* String equality with the two values shown on failure. */
#define CHECK_STR(got, want, what) do {                                     \
	const char *g_ = (got), *w_ = (want);                               \
	int eq_ = (g_ == NULL && w_ == NULL) ||                              \
	          (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);         \
	if (!tap_ok(eq_, __FILE__, __LINE__, (what)))                        \
		printf("#   got: '%s'\n#  want: '%s'\n", g_ ? g_ : "(null)",  \
		       w_ ? w_ : "(null)");                                  \
} while (0)

#define CHECK_INT(got, want, what) do {                                     \
	long long g_ = (long long)(got), w_ = (long long)(want);            \
	if (!tap_ok(g_ == w_, __FILE__, __LINE__, (what)))                   \
		printf("#   got: %lld\n#  want: %lld\n", g_, w_);             \
} while (0)

/* The source tree into out: $top_srcdir under `make check`, else found
 * from the test's own file name (absolute in an out-of-tree build):
 * `file` is __FILE__, `tail` its path in the tree ("/tests/test_x.c"). */
static inline void tap_find_srcdir(char *out, size_t sz, const char *file,
                                   const char *tail)
{
	const char *env = getenv("top_srcdir");

	if (env && *env) {
		snprintf(out, sz, "%s", env);
	} else {
		const char *slash;

		snprintf(out, sz, "%s", file);
		slash = strstr(out, tail);
		if (slash)
			out[slash - out] = '\0';
		else
			snprintf(out, sz, "..");
	}
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
