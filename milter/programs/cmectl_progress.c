/*
 * cmectl_progress.c - the progress line of a long cmectl run (ingest of a
 * Maildir: a backfill).  See struct progress in cmectl.h.
 *
 * The line is for a person watching a terminal: it is drawn on stderr
 * only when stderr is a terminal, so that logs, pipes and scripts see
 * nothing new (stdout, the per-message lines scripts parse, never
 * carries it).  It is redrawn in place at most PROGRESS_HZ times a
 * second; after other output to the same terminal (an error on stderr,
 * or the per-message lines when stdout is the terminal too) it is drawn
 * again at once below that output - as often as that output comes, which
 * scrolls the terminal anyway.  It ends with one summary line.
 */
#include "build-config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmectl.h"

#define PROGRESS_HZ 4

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* n with thousands separators ("50,000") into buf. */
static const char *grouped(long long n, char *buf, size_t size)
{
	char digits[32];
	size_t len, o = 0;

	snprintf(digits, sizeof digits, "%lld", n < 0 ? 0 : n);
	len = strlen(digits);
	for (size_t i = 0; i < len && o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* A duration for people: "40 s", "2 min", "1 h 5 min". */
static const char *duration(double s, char *buf, size_t size)
{
	long long t = (long long)(s + 0.5);

	if (t < 60)
		snprintf(buf, size, "%lld s", t);
	else if (t < 3600)
		snprintf(buf, size, "%lld min", (t + 30) / 60);
	else
		snprintf(buf, size, "%lld h %lld min", t / 3600, (t % 3600) / 60);
	return buf;
}

void progress_start(struct progress *p, size_t total, const char *what)
{
	memset(p, 0, sizeof *p);
	p->total = total;
	p->what = what;
	p->tty = isatty(STDERR_FILENO);
	p->stdout_tty = isatty(STDOUT_FILENO);
	p->started = mono_now();
	if (p->tty)
		progress_step(p, 0);
}

/* Recompute the line's text from the figures. */
static void compose(struct progress *p, double now)
{
	char done[32], total[32], left[32];
	double elapsed = now - p->started;
	double pct = p->total ? 100.0 * (double)p->done / (double)p->total : 100.0;
	int o;

	o = snprintf(p->line, sizeof p->line, "%s: %s of %s messages (%.1f%%)", p->what,
	             grouped((long long)p->done, done, sizeof done),
	             grouped((long long)p->total, total, sizeof total), pct);
	/* a rate only once there is something to measure */
	if (o > 0 && (size_t)o < sizeof p->line && p->done > 0 && elapsed >= 0.5) {
		double rate = (double)p->done / elapsed;

		snprintf(p->line + o, sizeof p->line - (size_t)o, ", %.0f/s, about %s left", rate,
		         duration((double)(p->total - p->done) / rate, left, sizeof left));
	}
}

static void draw(struct progress *p)
{
	/* \r and erase-to-end-of-line: one line, rewritten in place */
	fprintf(stderr, "\r%s\033[K", p->line);
	fflush(stderr);
	p->shown = 1;
}

void progress_step(struct progress *p, size_t done)
{
	double now;

	if (!p->tty)
		return;
	p->done = done > p->total ? p->total : done;
	now = mono_now();
	if (p->line[0] == '\0' || now - p->last_draw >= 1.0 / PROGRESS_HZ) {
		compose(p, now);
		p->last_draw = now;
		draw(p);
	} else if (!p->shown) {
		compose(p, now);        /* other output took its place: drawn again below it */
		draw(p);
	}
}

void progress_clear(struct progress *p)
{
	if (p->tty && p->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		p->shown = 0;
	}
}

void progress_before_stdout(struct progress *p)
{
	if (p->stdout_tty)
		progress_clear(p);
}

void progress_end(struct progress *p, size_t failed)
{
	char done[32], took[32], nfailed[32];
	double elapsed;

	if (!p->tty)
		return;
	elapsed = mono_now() - p->started;
	progress_clear(p);
	fprintf(stderr, "%s: %s messages in %s", p->what,
	        grouped((long long)p->done, done, sizeof done),
	        duration(elapsed, took, sizeof took));
	if (elapsed >= 0.5)
		fprintf(stderr, " (%.0f/s)", (double)p->done / elapsed);
	if (failed > 0)
		fprintf(stderr, ", %s failed (see above)",
		        grouped((long long)failed, nfailed, sizeof nfailed));
	fprintf(stderr, "\n");
	fflush(stderr);
}
