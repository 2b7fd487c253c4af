/*
 * stage_timing.c - a message's stage timings.  See stage_timing.h.
 */
#include <stdio.h>
#include <stddef.h>

#include "stage_timing.h"

/* The stages, in the order a message meets them: the log line's field
 * names (bench/stages.py reads any "name=number" field after ms=). */
static const struct {
	const char *name;
	size_t offset;
} stages[] = {
	{ "parse",   offsetof(struct stage_timing, parse) },
	{ "extract", offsetof(struct stage_timing, extract) },
	{ "queue",   offsetof(struct stage_timing, queue) },
	{ "lock",    offsetof(struct stage_timing, lock) },
	{ "txn",     offsetof(struct stage_timing, txn) },
	{ "commit",  offsetof(struct stage_timing, commit) },
	{ "after",   offsetof(struct stage_timing, after) },
	{ "sync",    offsetof(struct stage_timing, sync) },
	{ "wake",    offsetof(struct stage_timing, wake) },
	{ "reply",   offsetof(struct stage_timing, reply) },
};

void stage_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

double stage_ms(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) * 1e3 +
	       (double)(to->tv_nsec - from->tv_nsec) / 1e6;
}

double stage_lap(struct timespec *from)
{
	struct timespec now;
	double ms;

	stage_now(&now);
	ms = stage_ms(from, &now);
	*from = now;
	return ms;
}

void stage_timing_format(const struct stage_timing *st, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof stages / sizeof stages[0] && used < len; i++) {
		const double *v = (const double *)(const void *)((const char *)st + stages[i].offset);
		int n = snprintf(buf + used, len - used, " %s=%.2f", stages[i].name, *v);

		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (used < len)
		(void)snprintf(buf + used, len - used, " batch=%u", st->batch);
}
