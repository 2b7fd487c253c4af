/*
 * sender.c - the reminder-mail sender and the feed rewriter.  See
 * sender.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claimant.h"
#include "feeds.h"
#include "imip.h"
#include "logging.h"
#include "sender.h"

#define SEND_LEASE_S     300   /* a claimed mail is not retried sooner */
#define SEND_TIMEOUT_S   60
#define BACKOFF_MAX_S    3600

/* How often the sender thread moves cases past their review to
 * long-term and does the daily work (duty.h: indexed queries over the
 * deadlines just come due, and a few once-only keys): every minute, so
 * the digest and the 09:00 repeats go out within a minute of their time. */
#define SWEEP_INTERVAL_S 60

/* The outbox is looked at no more often than this on the wakes that
 * follow commits (under load, hundreds a second, most of them queueing
 * no mail): a reminder queued by a commit leaves within this time. */
#define OUTBOX_CHECK_MS 200

/* A stale feed is rewritten once the commits have paused this long, or
 * after FEED_MAX_DEFER_MS however busy the milter is (sender.h). */
#define FEED_QUIET_MS     1000
#define FEED_MAX_DEFER_MS 30000

static long elapsed_ms(const struct timespec *since);

void sender_init(struct sender *s, struct writer *w, const struct emit_env *env,
                 const char *seal_key, int (*sweep)(void *, time_t), void *sweep_arg)
{
	memset(s, 0, sizeof *s);
	s->w = w;
	s->env = env;
	s->sweep = sweep;
	s->sweep_arg = sweep_arg;
	snprintf(s->seal_key, sizeof s->seal_key, "%s", seal_key);
	claimant_self(s->claimant, sizeof s->claimant, env->host);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
}

void sender_destroy(struct sender *s)
{
	sender_stop(s);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	strlist_free(&s->dirty);
}

int sender_deadlines_changed(struct sender *s, struct case_store *cs,
                             const struct dl_changes *ch)
{
	return sender_feeds_changed(s, cs, ch, NULL);
}

int sender_feeds_changed(struct sender *s, struct case_store *cs,
                         const struct dl_changes *ch, const char *officer)
{
	struct strlist officers = STRLIST_INIT;
	int rc = officer ? strlist_add_unique(&officers, officer) : 0;

	for (size_t i = 0; rc == 0 && i < ch->n; i++) {
		struct case_info ci;

		/* consecutive changes of one case (one per deadline): one lookup */
		if (i > 0 && ch->case_id[i] == ch->case_id[i - 1])
			continue;
		if (case_store_find_id(cs, ch->case_id[i], &ci) == 1)
			rc = strlist_add_unique(&officers, ci.officer);
	}
	if (rc == 0 && officers.n == 0)
		return 0;
	if (rc == 0 && (s->running || s->defer)) {
		pthread_mutex_lock(&s->lock);
		if (s->dirty.n == 0)
			clock_gettime(CLOCK_MONOTONIC, &s->dirty_since);
		clock_gettime(CLOCK_MONOTONIC, &s->last_change);
		for (size_t i = 0; rc == 0 && i < officers.n; i++)
			rc = strlist_add_unique(&s->dirty, officers.v[i]);
		if (rc != 0)
			s->all_feeds_dirty = 1;     /* the thread rewrites them all */
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
	} else if (rc == 0) {
		for (size_t i = 0; i < officers.n; i++)
			(void)feeds_write_officer(s->env, cs, officers.v[i]);   /* logged */
	}
	if (rc != 0)
		log_msg(LOG_ERR, "out of memory noting the feeds to rewrite: "
		        "cmectl calendar rewrites them");
	strlist_free(&officers);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The outbox: claim, submit, record.                                   */

struct claim_args {
	struct sender *s;
	time_t now;
	struct outbox_row *row;
};

/* Claim the next due mail: push its next attempt past the lease inside a
 * transaction, so another sender (cmectl, a second milter) skips it while
 * this one submits.  1 claimed, 0 none, -1 error. */
static long long claim_fn(struct case_store *cs, void *arg)
{
	struct claim_args *a = arg;
	int rc = case_store_outbox_next(cs, a->now, a->row);

	if (rc == 1 && case_store_outbox_lease(cs, a->row->id, a->now + SEND_LEASE_S,
	                                       a->s->claimant) != 0)
		rc = -1;
	return rc;
}

static int claim_next(struct sender *s, time_t now, struct outbox_row *row)
{
	struct claim_args a = { s, now, row };
	long long rc;

	row->message = NULL;
	rc = writer_transaction(s->w, claim_fn, &a, NULL);
	if (rc < 0) {
		free(row->message);
		row->message = NULL;
	}
	return (int)rc;
}

struct attempt_args {
	const struct outbox_row *row;
	int sent;
	time_t now, next;
	const char *error;
};

static long long attempt_fn(struct case_store *cs, void *arg)
{
	struct attempt_args *a = arg;

	return case_store_outbox_done(cs, a->row->id, a->sent, a->now, a->next, a->error);
}

static void record_attempt(struct sender *s, const struct outbox_row *row, int sent,
                           time_t now, const char *error)
{
	struct attempt_args a = { row, sent, now, now + 60, error };
	time_t backoff = 60;

	/* 1, 2, 4 ... minutes, at most an hour: an MTA that is down for a
	 * while gets the reminder soon after it returns. */
	for (int i = 0; i < row->attempts && backoff < BACKOFF_MAX_S; i++)
		backoff *= 2;
	if (backoff > BACKOFF_MAX_S)
		backoff = BACKOFF_MAX_S;
	a.next = now + backoff;
	/* Not recorded: the lease expires and the mail goes again.  If the
	 * MTA took it, the milter saw it pass and marked it sent, so the
	 * retry finds nothing to do; if not, it is sent then.  Logged by
	 * writer_transaction. */
	(void)writer_transaction(s->w, attempt_fn, &a, NULL);
}

/* The sender thread is asked to stop (sender_stop): a flush of a long
 * outbox ends after the mail in hand, not after the last one. */
static int stop_requested(struct sender *s)
{
	int stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

int sender_flush(struct sender *s, time_t now)
{
	const struct cme_conf *conf = s->env->conf;
	const char *from = conf->mailboxes.n ? conf->mailboxes.v[0] : "";
	struct outbox_row row;
	int sent = 0, rc;

	while (!stop_requested(s) && (rc = claim_next(s, now, &row)) == 1) {
		char err[256] = "";
		char copy[IMIP_COPY_MAX + 1], *sealed;

		/* This submission's copy id: another process, attempt or
		 * second makes another copy. */
		snprintf(copy, sizeof copy, "%ld.%d.%ld", (long)getpid(), row.attempts, (long)now);
		sealed = imip_sealed(s->seal_key, row.message_id, copy, row.message);

		if (sealed == NULL)
			snprintf(err, sizeof err, "out of memory sealing the mail");
		if (sealed && imip_submit(conf->sendmail_path, from, row.recipient, sealed,
		                          strlen(sealed), SEND_TIMEOUT_S, err, sizeof err) == 0) {
			record_attempt(s, &row, 1, now, NULL);
			sent++;
		} else {
			log_msg(LOG_WARNING, "outbox: reminder mail %lld not sent (%s); will retry",
			        row.id, err);
			record_attempt(s, &row, 0, now, err);
		}
		free(sealed);
		free(row.message);
	}
	return rc < 0 ? -1 : sent;
}

/* ------------------------------------------------------------------ */
/* The thread.                                                          */

/*
 * Is a mail due?  Asked on the thread's own reading connection (*rd,
 * opened on first use), outside the writer's lock.  The thread is woken
 * after every commit that changed deadlines, and most of those queued no
 * mail (an update, NotifyOfficers no): a claim transaction each time
 * took the writer's lock and a BEGIN IMMEDIATE from the messages being
 * committed.  A mail committed before the wake is in this read's
 * snapshot.  1 due or cannot tell (then the claim finds out), 0 none.
 */
static int outbox_maybe_due(struct sender *s, struct case_store **rd, time_t now,
                            time_t *next)
{
	char err[512];
	int rc;

	*next = 0;
	if (*rd == NULL && (*rd = case_store_open(s->env->conf->database, err, sizeof err)) == NULL)
		return 1;
	if ((rc = case_store_outbox_due(*rd, now, next)) < 0) {
		case_store_close(*rd);      /* a fresh connection next time */
		*rd = NULL;
		return 1;
	}
	return rc;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000L +
	       (long)(now.tv_nsec - since->tv_nsec) / 1000000L;
}

/* The commits have paused, or have gone on too long to wait for;
 * call with s->lock. */
static int feeds_quiet(const struct sender *s)
{
	return elapsed_ms(&s->last_change) >= FEED_QUIET_MS ||
	       elapsed_ms(&s->dirty_since) >= FEED_MAX_DEFER_MS;
}

/* Take the set of officers whose feeds are due; call with s->lock. */
static struct strlist take_dirty(struct sender *s)
{
	struct strlist dirty = s->dirty;

	memset(&s->dirty, 0, sizeof s->dirty);
	return dirty;
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	struct feeds_pace pace;
	struct case_store *rd = NULL;       /* outbox_maybe_due's */
	struct timespec last_check = { 0, 0 };
	int check_owed = 0;
	time_t last_sweep = 0, next_due = 0;   /* the earliest retry waiting */

	feeds_pace_init(&pace);
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec ts;
		struct strlist dirty = STRLIST_INIT;
		time_t now = time(NULL);

		if (s->all_feeds_dirty) {
			/* At start-up every feed is brought up to date, here and
			 * not before the milter answers its first connection. */
			s->all_feeds_dirty = 0;
			pthread_mutex_unlock(&s->lock);
			(void)feeds_write_all(s->env);
			pthread_mutex_lock(&s->lock);
		}
		if (s->dirty.n > 0 && feeds_pace_due(&pace, now) && feeds_quiet(s))
			dirty = take_dirty(s);
		pthread_mutex_unlock(&s->lock);
		if (dirty.n > 0)
			(void)feeds_write_paced(s->env, &pace, &dirty, now);   /* logged */
		strlist_free(&dirty);
		/* Cases whose long-term review fell due become long-term here,
		 * without waiting for an officer's cmectl. */
		if (now - last_sweep >= SWEEP_INTERVAL_S) {
			last_sweep = now;
			(void)s->sweep(s->sweep_arg, now);
		}
		check_owed = elapsed_ms(&last_check) < OUTBOX_CHECK_MS;
		if (!check_owed) {
			clock_gettime(CLOCK_MONOTONIC, &last_check);
			if (outbox_maybe_due(s, &rd, time(NULL), &next_due)) {
				int flushed = sender_flush(s, time(NULL));

				/* when the next one waits for.  One due now fell
				 * due while the flush was sending (it claims what
				 * was due when it began): look again at once.  A
				 * flush that sent nothing (a failed claim, or a
				 * reader that could not tell) waits for the timer:
				 * each quick look follows progress, so none spins */
				if (outbox_maybe_due(s, &rd, time(NULL), &next_due))
					next_due = flushed > 0 ? time(NULL) : 0;
			}
		}
		pthread_mutex_lock(&s->lock);
		if (s->stop)
			break;
		/* feeds waiting: come back when the interval is up, or in
		 * FEED_QUIET_MS to see whether the commits have paused; an
		 * outbox look owed: within OUTBOX_CHECK_MS; a mail waiting for
		 * its next attempt (a retry, a lease run out): at that second;
		 * else sleep until woken (a commit) or 30 s */
		{
			long wait_ms = s->dirty.n > 0 ? (long)feeds_pace_wait(&pace, time(NULL)) * 1000L
			                              : 30000L;
			time_t t = time(NULL);

			if (next_due != 0) {
				/* in seconds first: a date far ahead must not
				 * overflow a 32-bit long */
				time_t d = next_due > t ? next_due - t : 0;
				long due_ms = d == 0 ? OUTBOX_CHECK_MS
				                     : (long)(d < 30 ? d : 30) * 1000L;

				if (due_ms < wait_ms)
					wait_ms = due_ms;
			}

			if (s->dirty.n > 0 && !feeds_quiet(s) && wait_ms < FEED_QUIET_MS)
				wait_ms = FEED_QUIET_MS;
			if (check_owed && wait_ms > OUTBOX_CHECK_MS)
				wait_ms = OUTBOX_CHECK_MS;
			if (wait_ms < 0)
				wait_ms = 0;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += wait_ms / 1000;
			ts.tv_nsec += (wait_ms % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
		}
		if (s->dirty.n == 0 || !feeds_pace_due(&pace, time(NULL)) || !feeds_quiet(s))
			pthread_cond_timedwait(&s->wake, &s->lock, &ts);
	}
	case_store_close(rd);
	/* Stopping: what is still dirty is written now, not lost. */
	{
		struct strlist dirty = take_dirty(s);

		pthread_mutex_unlock(&s->lock);
		if (dirty.n > 0)
			(void)feeds_write_list(s->env, &dirty);
		strlist_free(&dirty);
	}
	return NULL;
}

/* After a crash the MTA may already hold a mail its dead sender was
 * submitting (the submission program outlives the milter), and, where
 * the milter sees our mails pass, will show it to us once the milter is
 * back (Postfix's pickup retries within a minute).  So where echoes are
 * known to happen, a dead sender's mails wait ReminderEchoWait seconds
 * for their echo before they go again: a resend is then rare, and when
 * it happens its echo is the second and is discarded.  Where no echo was
 * ever seen they go at once (at least once, never zero times). */
struct release_args {
	struct sender *s;
	struct case_store *cs;
	int echoes;                 /* echoes ever seen: -2 not asked yet */
	int released;
};

static int release_if_dead(const char *claimant, void *arg)
{
	struct release_args *a = arg;
	time_t due = time(NULL);
	int n;

	if (strcmp(claimant, a->s->claimant) == 0 || claimant_alive(claimant, a->s->env->host))
		return 0;
	/* Asked only once a dead sender is found: with no echo ever seen
	 * the question scans the whole outbox, which a clean start (no
	 * dead claims) need not pay for. */
	if (a->echoes == -2 && (a->echoes = case_store_outbox_echoes_seen(a->cs)) < 0)
		return -1;
	if (a->echoes)
		due += a->s->env->conf->reminder_echo_wait;
	if ((n = case_store_outbox_release(a->cs, claimant, due)) < 0)
		return -1;
	a->released += n;
	return 0;
}

/* Free the claims of senders that have died: not this process's (a
 * reload's new pipeline shares the old one's name), nor a live process's
 * on this host, nor another host's (their leases run out by themselves). */
static long long release_fn(struct case_store *cs, void *arg)
{
	struct sender *s = arg;
	struct release_args a = { s, cs, -2, 0 };

	if (case_store_outbox_claimants(cs, release_if_dead, &a) != 0)
		return -1;
	if (a.released > 0)
		log_msg(LOG_NOTICE, "outbox: %d reminder mail(s) of a sender that died are due %s",
		        a.released, a.echoes == 1 ? "unless the MTA shows them passing first" : "now");
	return a.released;
}

int sender_start(struct sender *s)
{
	s->all_feeds_dirty = 1;
	/* Started even with NotifyOfficers no: it also writes the feeds. */
	if (s->running)
		return 0;
	/* A sender that died mid-submission (kill -9, power cut) left its
	 * mails claimed: see release_fn. */
	(void)writer_transaction(s->w, release_fn, s, NULL);
	if (pthread_create(&s->thread, NULL, sender_main, s) != 0)
		return -1;
	s->running = 1;
	return 0;
}

void sender_stop(struct sender *s)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = 0;
	s->stop = 0;
}

/* ------------------------------------------------------------------ */
/* Our own mails passing through the MTA.                              */

struct passed_args {
	const char *message_id;
	const char *copy;
	time_t now;
};

static long long passed_fn(struct case_store *cs, void *arg)
{
	struct passed_args *a = arg;

	return case_store_outbox_seen_by_mta(cs, a->message_id, a->copy, a->now);
}

int sender_passed(struct sender *s, const char *message_id, const char *seal, time_t now)
{
	char copy[IMIP_COPY_MAX + 1];
	struct passed_args a = { message_id, copy, now };

	/* Unsealed, or sealed for another Message-ID: not ours, whatever its
	 * envelope sender says, and handled as any other mail. */
	if (!imip_seal_valid(s->seal_key, message_id, seal, copy, sizeof copy))
		return 0;
	return (int)writer_transaction(s->w, passed_fn, &a, NULL);
}

void sender_defer_feeds(struct sender *s, int on)
{
	s->defer = on;
}

int sender_write_dirty(struct sender *s)
{
	struct strlist dirty;
	int rc = 0;

	int all;

	pthread_mutex_lock(&s->lock);
	dirty = take_dirty(s);
	all = s->all_feeds_dirty;
	s->all_feeds_dirty = 0;
	pthread_mutex_unlock(&s->lock);
	if (all)
		rc = feeds_write_all(s->env);   /* the set was lost to out of memory */
	else if (dirty.n > 0)
		rc = feeds_write_list(s->env, &dirty);
	strlist_free(&dirty);
	return rc;
}
