/*
 * commit.c - the writer connection and group commit.  See commit.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commit.h"
#include "logging.h"

#define CHECKPOINT_INTERVAL_MS 500
#define WAL_LIMIT_PAGES        20000    /* ~80 MB of WAL: checkpoint inline */

int writer_init(struct writer *w, const char *database, char *err, size_t errlen)
{
	memset(w, 0, sizeof *w);
	w->database = database;
	w->cs = case_store_open(database, err, errlen);
	if (w->cs == NULL)
		return -1;
	if (case_store_defer_wal_sync(w->cs) != 0) {     /* wal_sync's */
		snprintf(err, errlen, "%s", case_store_errmsg(w->cs));
		case_store_close(w->cs);
		w->cs = NULL;
		return -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->q_lock, NULL);
	pthread_mutex_init(&w->ck_lock, NULL);
	pthread_cond_init(&w->ck_wake, NULL);
	return 0;
}

static void *checkpoint_main(void *arg)
{
	struct writer *w = arg;
	struct case_store *cs = NULL;
	char err[512];
	int failing = 0;

	pthread_mutex_lock(&w->ck_lock);
	while (!w->ck_stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += CHECKPOINT_INTERVAL_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&w->ck_wake, &w->ck_lock, &ts);
		if (w->ck_stop)
			break;
		pthread_mutex_unlock(&w->ck_lock);
		/* a failure is logged once until a checkpoint succeeds again:
		 * the commits themselves report a database in trouble */
		if (cs == NULL && (cs = case_store_open(w->database, err, sizeof err)) == NULL &&
		    !failing++)
			log_msg(LOG_WARNING, "background checkpoint: %s", err);
		if (cs && case_store_checkpoint(cs) != 0) {
			if (!failing++)
				log_msg(LOG_WARNING, "background checkpoint: %s",
				        case_store_errmsg(cs));
			case_store_close(cs);     /* a fresh connection next time */
			cs = NULL;
		} else if (cs) {
			failing = 0;
		}
		pthread_mutex_lock(&w->ck_lock);
	}
	pthread_mutex_unlock(&w->ck_lock);
	case_store_close(cs);
	return NULL;
}

int writer_start_checkpoints(struct writer *w)
{
	w->bg_checkpoint = 1;
	if (pthread_create(&w->ck_thread, NULL, checkpoint_main, w) != 0) {
		w->bg_checkpoint = 0;
		return -1;
	}
	pthread_mutex_lock(&w->lock);
	if (w->cs)
		(void)case_store_autocheckpoint(w->cs, 0);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

struct case_store *writer_store(struct writer *w)
{
	return w->cs;
}

void writer_destroy(struct writer *w)
{
	if (w->bg_checkpoint) {
		pthread_mutex_lock(&w->ck_lock);
		w->ck_stop = 1;
		pthread_cond_signal(&w->ck_wake);
		pthread_mutex_unlock(&w->ck_lock);
		pthread_join(w->ck_thread, NULL);
		w->bg_checkpoint = 0;
	}
	pthread_mutex_destroy(&w->ck_lock);
	pthread_cond_destroy(&w->ck_wake);
	case_store_close(w->cs);
	w->cs = NULL;
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->q_lock);
}

/* After a failed transaction: start from a fresh connection next time. */
static void writer_drop(struct writer *w)
{
	case_store_close(w->cs);
	w->cs = NULL;
}

/*
 * The WAL this connection committed to, opened under w->lock right after
 * a COMMIT (the file is the one SQLite wrote: it is deleted only when the
 * last connection closes, and ours is open).  -1 with err.
 */
static int wal_open(const struct writer *w, char *err, size_t errlen)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s-wal", w->database);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "%.400s: cannot open to sync it: %s", path, strerror(errno));
	return fd;
}

/*
 * Make what was committed durable: fdatasync the WAL, outside w->lock,
 * so that the next batch's statements run while this one's frames go to
 * disk (and a sync that starts later covers every frame written before
 * it).  The writer connection's COMMIT wrote the frames without syncing
 * them (case_store_defer_wal_sync); nothing is reported done before this
 * returns, so a message is accepted only once its case is on disk, as
 * with synchronous=FULL.  A checkpoint never copies unsynced frames: it
 * syncs the WAL first.  0, or -1 logged (the jobs then tempfail: their
 * case is committed and may survive; the retry is a duplicate).
 */
static int wal_sync(int fd, const char *what)
{
	int rc = fdatasync(fd);

	if (rc != 0)
		log_msg(LOG_ERR, "%s: cannot sync the WAL: %s", what, strerror(errno));
	close(fd);
	return rc == 0 ? 0 : -1;
}

/*
 * The writing connection for one transaction; call with w->lock held.
 * Every time, the database file must still be writable by us: a
 * connection already open would go on writing through its descriptor
 * after the file was made read-only, and the point of a read-only
 * database is that nothing is accepted until it is fixed.
 */
static struct case_store *writer_get(struct writer *w, char *err, size_t errlen)
{
	if (access(w->database, W_OK) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: not writable: %s", w->database, strerror(errno));
		return NULL;
	}
	if (w->cs == NULL && (w->cs = case_store_open(w->database, err, errlen)) != NULL) {
		if (case_store_defer_wal_sync(w->cs) != 0) {
			snprintf(err, errlen, "%s", case_store_errmsg(w->cs));
			writer_drop(w);
			return NULL;
		}
		if (w->bg_checkpoint)
			(void)case_store_autocheckpoint(w->cs, 0);
	}
	/* the checkpoint thread is far behind: do it here, as SQLite would */
	if (w->cs && w->bg_checkpoint && case_store_wal_pages(w->cs) > WAL_LIMIT_PAGES)
		(void)case_store_checkpoint(w->cs);
	return w->cs;
}


long long writer_transaction(struct writer *w, writer_fn fn, void *arg, writer_after_fn after)
{
	char err[512];
	struct case_store *cs;
	long long rc = -1;

	int fd = -1;

	pthread_mutex_lock(&w->lock);
	cs = writer_get(w, err, sizeof err);
	if (cs == NULL) {
		log_msg(LOG_ERR, "%s", err);
	} else if (case_store_begin(cs) == 0) {
		rc = fn(cs, arg);
		if (rc < 0 || case_store_commit(cs) != 0) {
			log_msg(LOG_ERR, "%s", case_store_errmsg(cs));
			case_store_rollback(cs);
			writer_drop(w);
			rc = -1;
		} else {
			if (after)
				after(cs, arg, rc);
			if ((fd = wal_open(w, err, sizeof err)) < 0) {
				log_msg(LOG_ERR, "%s", err);
				rc = -1;
			}
		}
	} else {
		log_msg(LOG_ERR, "%s", case_store_errmsg(cs));
		writer_drop(w);
	}
	pthread_mutex_unlock(&w->lock);
	if (fd >= 0 && wal_sync(fd, "transaction") != 0)
		rc = -1;
	return rc;
}

/* The writer's stages of one batch (stage_timing.h), copied into each
 * job that asked for them. */
struct batch_times {
	struct timespec taken;       /* the leader took the batch */
	double lock, txn, commit, after, sync;
	unsigned n;
};

static void note_batch_times(struct commit_job *batch, const struct batch_times *bt)
{
	for (struct commit_job *j = batch; j; j = j->next) {
		if (j->timing == NULL)
			continue;
		j->timing->queue = stage_ms(&j->queued, &bt->taken);
		j->timing->lock = bt->lock;
		j->timing->txn = bt->txn;
		j->timing->commit = bt->commit;
		j->timing->after = bt->after;
		j->timing->sync = bt->sync;
		j->timing->batch = bt->n;
	}
}

/* Run one batch as one transaction; every job's rc is set, and the
 * writer's stages in bt.  Committed: returns the WAL's descriptor, which
 * the caller must wal_sync before any job is reported done; else -1. */
static int run_batch(struct writer *w, struct commit_job *batch, struct batch_times *bt)
{
	const char *qid = batch->queue_id ? batch->queue_id : "-";
	char err[512];
	struct case_store *cs;
	struct timespec lap = bt->taken;
	int ok = 1, fd = -1;

	pthread_mutex_lock(&w->lock);
	cs = writer_get(w, err, sizeof err);
	bt->lock = stage_lap(&lap);
	if (cs == NULL) {
		log_msg(LOG_ERR, "%s: cannot open the database: %s", qid, err);
		ok = 0;
	} else if (case_store_begin(cs) != 0) {
		ok = 0;
	} else if (batch->prepare && batch->prepare(cs, batch->arg, batch->now) < 0) {
		ok = 0;
	}
	for (struct commit_job *j = batch; ok && j; j = j->next) {
		j->rc = j->run(cs, j->arg);
		if (j->rc != 0)
			log_msg(LOG_ERR, "%s: cannot store the case: %s",
			        j->queue_id ? j->queue_id : "-", case_store_errmsg(cs));
	}
	bt->txn = stage_lap(&lap);
	if (ok && case_store_commit(cs) != 0) {
		log_msg(LOG_ERR, "%s: cannot commit: %s", qid, case_store_errmsg(cs));
		ok = 0;
	} else if (ok && (fd = wal_open(w, err, sizeof err)) < 0) {
		/* committed, but it cannot be made durable here: tempfail
		 * (the case stays; the MTA's retry is a duplicate) */
		log_msg(LOG_ERR, "%s: %s", qid, err);
		for (struct commit_job *j = batch; j; j = j->next)
			j->rc = -1;
	}
	bt->commit = stage_lap(&lap);
	if (!ok) {
		snprintf(w->last_error, sizeof w->last_error, "%.255s",
		         cs ? case_store_errmsg(cs) : err);
		w->last_error_at = time(NULL);
		if (cs != NULL) {
			case_store_rollback(cs);
			writer_drop(w);
		}
		for (struct commit_job *j = batch; j; j = j->next)
			j->rc = -1;
	} else {
		for (struct commit_job *j = batch; j; j = j->next)
			if (j->rc == 0 && j->after)
				j->after(cs, j->arg);
	}
	pthread_mutex_unlock(&w->lock);
	bt->after = stage_lap(&lap);
	return fd;
}

/* Lead one batch: everything queued when the lead was taken (the
 * caller's job first), run as one transaction.  Called and returns with
 * q_lock held; w->q_leader is set by the caller.  The lead passes
 * straight to the thread of the first job queued meanwhile (woken alone:
 * no other waiter is disturbed), before the WAL is synced, so the next
 * batch's statements run during this one's fdatasync; each job of the
 * batch is then woken alone, once the sync returned. */
static void lead_batch(struct writer *w)
{
	struct commit_job *batch = w->q_head;
	struct batch_times bt;
	struct timespec done_at, synced;
	int fd;

	w->q_head = w->q_tail = NULL;
	memset(&bt, 0, sizeof bt);
	for (struct commit_job *j = batch; j; j = j->next)
		bt.n++;
	pthread_mutex_unlock(&w->q_lock);
	stage_now(&bt.taken);
	fd = run_batch(w, batch, &bt);
	pthread_mutex_lock(&w->q_lock);
	if (w->q_head) {
		w->q_head->lead = 1;          /* q_leader stays set: handed over */
		pthread_cond_signal(&w->q_head->wake);
	} else {
		w->q_leader = 0;
	}
	pthread_mutex_unlock(&w->q_lock);
	if (fd >= 0) {
		stage_now(&synced);
		if (wal_sync(fd, batch->queue_id ? batch->queue_id : "-") != 0)
			for (struct commit_job *j = batch; j; j = j->next)
				j->rc = -1;
		bt.sync = stage_lap(&synced);
	}
	note_batch_times(batch, &bt);
	stage_now(&done_at);
	pthread_mutex_lock(&w->q_lock);
	for (struct commit_job *j = batch; j; j = j->next) {
		/* q_lock is held: j's thread cannot return (and its job
		 * go) before this loop is over */
		j->done_at = done_at;
		j->done = 1;
		pthread_cond_signal(&j->wake);
	}
}

int writer_commit(struct writer *w, struct commit_job *job)
{
	stage_now(&job->queued);
	pthread_cond_init(&job->wake, NULL);
	job->next = NULL;
	job->done = job->lead = 0;
	pthread_mutex_lock(&w->q_lock);
	if (w->q_tail)
		w->q_tail->next = job;
	else
		w->q_head = job;
	w->q_tail = job;
	if (!w->q_leader) {
		w->q_leader = 1;
		job->lead = 1;
	}
	while (!job->done) {
		if (job->lead) {
			job->lead = 0;
			lead_batch(w);    /* our job is the batch's first */
		} else {
			pthread_cond_wait(&job->wake, &w->q_lock);
		}
	}
	pthread_mutex_unlock(&w->q_lock);
	pthread_cond_destroy(&job->wake);
	if (job->timing) {
		struct timespec now;

		stage_now(&now);
		job->timing->wake = stage_ms(&job->done_at, &now);
	}
	return job->rc;
}
