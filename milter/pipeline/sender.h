/*
 * sender.h - the reminder-mail sender and the feed rewriter (private to
 * the pipeline stage).
 *
 * NAME
 *     sender - send the outbox through SendmailPath, rewrite the feeds
 *     that commits made stale, sweep cases to long-term, and recognise
 *     our own reminder mails passing back through the MTA.
 *
 * Owns: the sender thread (cme-milter only: woken after each commit
 * that changed deadlines, at the second the earliest waiting mail falls
 * due (a retry, a lease run out), and at least every 30 s; it looks at the
 * outbox at most every OUTBOX_CHECK_MS, 200 ms, on its own reader
 * first, and claims through the writer only what is due), the set of
 * officers whose feeds are stale, the outbox lease and backoff
 * (SEND_LEASE_S, 1 minute doubling to BACKOFF_MAX_S), this process's
 * claimant name and the release of a dead claimant's mails (after
 * ReminderEchoWait where the MTA is known to echo them), and the
 * database's seal key.  Composition of the mails is emit/outbox.c's;
 * writing a feed is emit/feeds.c's.  It lives with the pipeline because
 * it is concurrency: it shares the writer (commit.h) with the messages.
 *
 * Return conventions: as the pipeline_* functions that call them
 * (pipeline.h): counts or 0 on success, -1 on error.
 *
 * Feeds are rewritten when the commits pause (FEED_QUIET_MS after the
 * last one) or after FEED_MAX_DEFER_MS of steady load, and never more
 * often than feeds.h's pacing allows: a burst of referrals does not pay
 * for rewriting feeds nobody reads before it ends.
 *
 * Concurrency: the thread and the callers of sender_deadlines_changed
 * (under the writer's lock) meet at `lock`, which guards `dirty`,
 * `stop`, `all_feeds_dirty`, `last_change` and `dirty_since`.  Every database change goes through the
 * writer (writer_transaction); feeds are written from a reader of their
 * own, outside the writer's lock, and the thread asks its own reader
 * whether any mail is due before it claims one through the writer.  sender_start and sender_stop are
 * called by one thread (start-up, reload, shutdown).
 */
#ifndef CME_SENDER_H
#define CME_SENDER_H

#include <pthread.h>
#include <time.h>

#include "case_deadlines.h"
#include "commit.h"
#include "outbox.h"
#include "strlist.h"

struct sender {
	struct writer *w;
	const struct emit_env *env;
	int (*sweep)(void *arg, time_t now);  /* the long-term sweep */
	void *sweep_arg;
	pthread_t thread;
	int running, stop;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct strlist dirty;        /* officers whose feed must be rewritten */
	char claimant[160];          /* this process's name on outbox leases */
	char seal_key[80];           /* seals our reminder mails (imip_sealed) */
	int all_feeds_dirty;         /* rewrite every officer's feed (start-up) */
	struct timespec last_change; /* the last commit that made a feed stale */
	struct timespec dirty_since; /* since when a feed has been stale */
	int defer;                   /* batch (cmectl ingest): feeds at the end */
};

void sender_init(struct sender *s, struct writer *w, const struct emit_env *env,
                 const char *seal_key, int (*sweep)(void *, time_t), void *sweep_arg);
void sender_destroy(struct sender *s);

int  sender_start(struct sender *s);
void sender_stop(struct sender *s);

/* After a commit that changed the deadlines in `ch` (call with the
 * writer's lock held, `cs` its connection): their officers' feeds are
 * stale.  With the thread running, or feeds deferred, they are queued;
 * else (cmectl) written here and now.  0, or -1 out of memory (logged:
 * the feeds are stale until the next rewrite). */
int  sender_deadlines_changed(struct sender *s, struct case_store *cs,
                              const struct dl_changes *ch);
/* The same, and `officer`'s feed too (NULL: none): the officer a case
 * was taken from, whose feed loses its events. */
int  sender_feeds_changed(struct sender *s, struct case_store *cs,
                          const struct dl_changes *ch, const char *officer);

int  sender_flush(struct sender *s, time_t now);
int  sender_passed(struct sender *s, const char *message_id, const char *seal, time_t now);
void sender_defer_feeds(struct sender *s, int on);
int  sender_write_dirty(struct sender *s);

#endif
