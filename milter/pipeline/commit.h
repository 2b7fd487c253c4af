/*
 * commit.h - the writer connection and group commit (private to the
 * pipeline stage).
 *
 * NAME
 *     commit - one persistent writing connection per pipeline, the
 *     short transactions run on it, and the group commit of messages.
 *
 * Owns: the writing connection (opened once and kept across messages:
 * its statements stay prepared, and closing the database's last
 * connection would checkpoint and delete the WAL; dropped after any
 * failure and opened again for the next transaction, so a database that
 * was restored or moved is picked up), the check that the database file
 * is still writable before each transaction, and the queue of messages
 * waiting for a commit.  It knows nothing of what a job decides: the
 * work of a job is a callback run inside the transaction, and another
 * runs once the transaction committed.
 *
 * Return conventions: writer_transaction returns fn's result (>= 0)
 * once committed, -1 when fn failed or the database could not be
 * opened, begun or committed (rolled back, logged).  writer_commit
 * returns the job's own result: 0 committed, -1 not (nothing of it
 * stored; the caller tempfails).
 *
 * Concurrency: any thread.  `lock` serialises every use of the writing
 * connection (SQLite allows one writer at a time anyway, and the
 * after-commit callbacks run under it, so an older feed is never queued
 * after a newer one).  Group commit: threads that reach writer_commit
 * while a commit is under way queue; the leader runs the whole queue as
 * one transaction (each job under a savepoint of its own, see the job
 * callback), hands the lead to the thread of the first job queued since,
 * then fdatasyncs the WAL and wakes its batch's threads: the next
 * batch's statements run while this one's frames go to disk.  Each
 * waiting thread sleeps on its job's own condition and is woken only
 * to lead or once its job is done (a broadcast woke all twenty sessions
 * twice per batch).  The writing connection
 * commits with synchronous=NORMAL (case_store_defer_wal_sync) and this
 * module syncs the WAL itself, outside `lock`; nothing is reported done,
 * by writer_commit or writer_transaction, before the fdatasync that
 * covers its COMMIT returned: the guarantee of synchronous=FULL.
 */
#ifndef CME_COMMIT_H
#define CME_COMMIT_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "case_store.h"
#include "stage_timing.h"

struct commit_job;

struct writer {
	const char *database;
	struct case_store *cs;       /* the writing connection, or NULL */
	pthread_mutex_t lock;        /* every use of cs */
	pthread_mutex_t q_lock;      /* the queue below */
	struct commit_job *q_head, *q_tail;
	int q_leader;                /* a thread leads a batch, or was handed the lead */

	char last_error[256];        /* the newest failed commit, under lock */
	time_t last_error_at;

	/* background checkpoints (writer_start_checkpoints) */
	int bg_checkpoint;           /* the writer never checkpoints itself */
	int ck_stop;
	pthread_t ck_thread;
	pthread_mutex_t ck_lock;
	pthread_cond_t ck_wake;
};

/* Open the writing connection (0, or -1 with err).  Call before any
 * thread uses the writer; writer_store gives the connection for checks
 * made at start-up. */
int  writer_init(struct writer *w, const char *database, char *err, size_t errlen);
struct case_store *writer_store(struct writer *w);
void writer_destroy(struct writer *w);

/*
 * Move the WAL checkpoints off the commit path (the milter; cmectl
 * keeps SQLite's own).  By default SQLite checkpoints inside the COMMIT
 * that takes the WAL past 1,000 pages: that message, and every message
 * of its group, waits for a thousand page writes and two more fsyncs.
 * Here the writer connection gets wal_autocheckpoint=0, and a thread of
 * its own, with its own connection, runs a PASSIVE checkpoint every
 * CHECKPOINT_INTERVAL_MS (it never blocks the writer; pages a reader
 * still needs wait for the next one).  Durability is unchanged: a
 * commit is durable once its WAL frames are fsync'd (by this module,
 * see above), whoever copies them into the database file later.  If the thread
 * cannot checkpoint for long, the WAL grows; past WAL_LIMIT_PAGES the
 * writer checkpoints itself again rather than grow without bound.
 * 0, or -1 (the writer keeps checkpointing itself).  writer_destroy
 * stops the thread.
 */
int writer_start_checkpoints(struct writer *w);

/* Run fn in one transaction on the writing connection, under `lock`.
 * fn's result (>= 0) is committed and returned; a negative result, or a
 * failed open, begin or commit, rolls back and returns -1.  `after` (may
 * be NULL) runs once committed, still under the lock with the connection
 * open. */
typedef long long (*writer_fn)(struct case_store *cs, void *arg);
typedef void (*writer_after_fn)(struct case_store *cs, void *arg, long long rc);
long long writer_transaction(struct writer *w, writer_fn fn, void *arg,
                             writer_after_fn after);

/* One message for the group commit.  `prepare` runs once per batch,
 * after BEGIN and before any job (with the first job's arg); `run` does
 * the job's work (0, or -1: the job must have rolled back its own part,
 * the batch goes on); `after` runs for each job whose run returned 0,
 * once the batch committed.  `now` of the first job is the batch's.
 * `timing` (may be NULL) gets the writer's stages (queue, lock, txn,
 * commit, after, wake) and the batch size: stage_timing.h. */
struct commit_job {
	int  (*prepare)(struct case_store *cs, void *arg, time_t now);
	int  (*run)(struct case_store *cs, void *arg);
	void (*after)(struct case_store *cs, void *arg);
	void *arg;
	time_t now;
	const char *queue_id;        /* for logs, or NULL */
	struct stage_timing *timing; /* or NULL */
	struct timespec queued, done_at;   /* writer_commit's, for timing */
	/* writer_commit's own, under q_lock: */
	int rc;
	int done;
	int lead;                    /* this job's thread is to lead the next batch */
	pthread_cond_t wake;         /* its thread waits here, and only it */
	struct commit_job *next;
};

/* Queue the job, commit it (maybe as another thread's batch) and return
 * its result. */
int writer_commit(struct writer *w, struct commit_job *job);

#endif
