/*
 * feeds.c - the officers' calendar feeds.  See feeds.h.
 */
#include <stdlib.h>
#include <string.h>

#include "feeds.h"
#include "logging.h"
#include "reminder.h"

struct feed {
	const struct emit_env *env;
	struct reminder_event *ev;
	size_t n, cap;
	struct strlist strings;      /* UIDs, summaries, descriptions */
};

static int collect_event(const struct deadline_row *row, void *arg)
{
	struct feed *f = arg;
	struct reminder_text rt[DL_EVENTS_MAX];
	size_t n;

	if (row->dstatus != DL_PENDING)
		return 0;       /* the feed holds live events only */
	n = outbox_describe(f->env, row, rt);
	for (size_t i = 0; i < n; i++) {
		if (f->n == f->cap) {
			size_t ncap = f->cap ? f->cap * 2 : 32;
			struct reminder_event *nev = realloc(f->ev, ncap * sizeof *nev);

			if (nev == NULL)
				return -1;
			f->ev = nev;
			f->cap = ncap;
		}
		if (strlist_add(&f->strings, rt[i].uid) != 0 ||
		    strlist_add(&f->strings, rt[i].summary) != 0 ||
		    strlist_add(&f->strings, rt[i].description) != 0)
			return -1;
		memset(&f->ev[f->n], 0, sizeof f->ev[f->n]);
		f->ev[f->n].due = row->due;
		f->ev[f->n].start = rt[i].start;
		f->ev[f->n].alarm = rt[i].alarm;
		f->ev[f->n].sequence = row->sequence;
		f->ev[f->n].stamp = row->updated_at;
		f->n++;
	}
	return 0;
}

int feeds_write_officer(const struct emit_env *env, struct case_store *cs, const char *officer)
{
	const struct cme_conf *conf = env->conf;
	struct feed f;
	char err[512];
	int rc;

	memset(&f, 0, sizeof f);
	f.env = env;
	rc = case_store_each_deadline(cs, officer, collect_event, &f);
	if (rc == 0) {
		/* strings were appended three per event, in order */
		for (size_t i = 0; i < f.n; i++) {
			f.ev[i].uid = f.strings.v[3 * i];
			f.ev[i].summary = f.strings.v[3 * i + 1];
			f.ev[i].description = f.strings.v[3 * i + 2];
		}
		rc = reminder_write_feed(conf->reminder_dir, officer, f.ev, f.n,
		                         conf->mailboxes.n ? conf->mailboxes.v[0] : NULL,
		                         err, sizeof err);
		if (rc != 0)
			log_msg(LOG_ERR, "reminder feed: %s", err);
	}
	free(f.ev);
	strlist_free(&f.strings);
	return rc;
}

struct each_args {
	const struct emit_env *env;
	struct case_store *cs;
};

static int write_feed_cb(const char *officer, void *arg)
{
	struct each_args *a = arg;

	(void)feeds_write_officer(a->env, a->cs, officer);   /* logged; go on */
	return 0;
}

int feeds_write_all(const struct emit_env *env)
{
	char err[512];
	struct each_args a;
	int rc;

	/* A reader of its own: no need to hold up the messages being
	 * committed meanwhile (WAL readers see a consistent snapshot). */
	a.env = env;
	a.cs = case_store_open(env->conf->database, err, sizeof err);
	if (a.cs == NULL) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	rc = case_store_each_officer(a.cs, write_feed_cb, &a);
	if (env->conf->duty_officer)
		rc |= feeds_write_officer(env, a.cs, env->conf->duty_officer);
	case_store_close(a.cs);
	return rc;
}

int feeds_write_list(const struct emit_env *env, const struct strlist *officers)
{
	char err[512];
	struct case_store *cs = case_store_open(env->conf->database, err, sizeof err);
	int rc = 0;

	if (cs == NULL) {
		log_msg(LOG_ERR, "feeds not written: %s", err);
		return -1;
	}
	for (size_t i = 0; i < officers->n; i++)
		rc |= feeds_write_officer(env, cs, officers->v[i]);
	case_store_close(cs);
	return rc;
}

void feeds_pace_init(struct feeds_pace *fp)
{
	fp->last = 0;
	fp->interval = FEED_MIN_INTERVAL_S;
}

int feeds_pace_due(const struct feeds_pace *fp, time_t now)
{
	return now - fp->last >= fp->interval;
}

time_t feeds_pace_wait(const struct feeds_pace *fp, time_t now)
{
	return fp->interval - (now - fp->last);
}

int feeds_write_paced(const struct emit_env *env, struct feeds_pace *fp,
                      const struct strlist *officers, time_t now)
{
	struct timespec a, b;
	double took;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = feeds_write_list(env, officers);
	clock_gettime(CLOCK_MONOTONIC, &b);
	fp->last = now;
	/* Feeds grow with the caseload: keep their rewriting under a
	 * fiftieth of this thread's time, whatever their size (a twentieth
	 * was a sixth of the milter's CPU under a burst of referrals: the
	 * rewrite's own time grows when the CPU is busy).  A calendar
	 * subscribed to a feed polls it every 15 minutes at best; the
	 * reminders that must arrive on time are iMIP mails. */
	took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	fp->interval = (time_t)(took * FEED_TIME_SHARE) > FEED_MIN_INTERVAL_S
	               ? (time_t)(took * FEED_TIME_SHARE) : FEED_MIN_INTERVAL_S;
	return rc;
}
