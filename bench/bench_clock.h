/*
 * bench_clock.h - what the bench programs share: a monotonic clock in
 * milliseconds and the comparison that sorts latencies for percentiles.
 * Header-only; not installed.
 */
#ifndef CME_BENCH_CLOCK_H
#define CME_BENCH_CLOCK_H

#include <time.h>

static inline double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* qsort comparison of doubles, ascending. */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif
