/*
 * store_guard.c - the reference record and the corruption check.  See
 * store_guard.h for the contract; the decisions are in README
 * ("Decisions where the spec is silent") and cme-milter(8).
 *
 * Owns: DATABASE.refs (format below), the process's block of reserved
 * reference numbers, and the few SQL statements on the `meta` and
 * `ref_counter` tables that the guard needs (case_store.c owns the
 * schema itself).  Every statement is prepared with bound parameters.
 *
 * Locking: the record is read and replaced only inside a write
 * transaction (BEGIN IMMEDIATE) of the database, so every process that
 * allocates references (the milter, cmectl) is serialised by SQLite's
 * own lock; the block is shared by a process's threads under `blk.mu`,
 * always taken after the database lock, never before.
 *
 * File format, one item a line, '#' comments:
 *     database-id HEX
 *     year YYYY reserved N confirmed N
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fileio.h"
#include "store_guard.h"

#define REFS_FILE_MAX 65536      /* the record is a few lines */
#define REFS_YEARS_MAX 256
#define PATH_MAX_LEN 4096

struct refs_year {
	int year;
	long long reserved, confirmed;
};

struct refs_file {
	int exists;
	char id[40];
	size_t n;
	struct refs_year y[REFS_YEARS_MAX];
};

/* The database's committed counters, or a transaction's view of them. */
struct counters {
	size_t n;
	struct { int year; long long last; } c[REFS_YEARS_MAX];
};

/* This process's reserved numbers: next..hi of `year`, for the database
 * `id` at `path`.  `size` doubles with each reservation. */
static struct {
	pthread_mutex_t mu;
	int valid;
	char path[PATH_MAX_LEN];
	char id[40];
	int year;
	long long next, hi;
	long long size;
} blk = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void refs_path(const char *dbpath, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s.refs", dbpath);
}

static int in_memory(const char *dbpath)
{
	return dbpath == NULL || strcmp(dbpath, ":memory:") == 0 || dbpath[0] == '\0';
}

/* ------------------------------------------------------------------ */
/* The record.                                                          */

static struct refs_year *refs_year(struct refs_file *rf, int year, int add)
{
	for (size_t i = 0; i < rf->n; i++)
		if (rf->y[i].year == year)
			return &rf->y[i];
	if (!add || rf->n >= REFS_YEARS_MAX)
		return NULL;
	memset(&rf->y[rf->n], 0, sizeof rf->y[0]);
	rf->y[rf->n].year = year;
	return &rf->y[rf->n++];
}

/* 0 read (or absent: rf->exists 0), -1 unreadable or malformed. */
static int refs_read(const char *dbpath, struct refs_file *rf, char *err, size_t errlen)
{
	char path[PATH_MAX_LEN + 8], *text, *line, *save = NULL;
	size_t len;
	int trunc = 0;

	memset(rf, 0, sizeof *rf);
	refs_path(dbpath, path, sizeof path);
	text = file_read_all(path, REFS_FILE_MAX, &len, &trunc);
	if (text == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	rf->exists = 1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct refs_year y;
		char id[40];

		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (sscanf(line, "database-id %39[0-9a-f]", id) == 1) {
			snprintf(rf->id, sizeof rf->id, "%s", id);
		} else if (sscanf(line, "year %d reserved %lld confirmed %lld", &y.year, &y.reserved,
		                  &y.confirmed) == 3 && y.year >= 1970 && y.year <= 9999 &&
		           y.reserved >= 0 && y.confirmed >= 0 && refs_year(rf, y.year, 1)) {
			*refs_year(rf, y.year, 0) = y;
		} else {
			snprintf(err, errlen, "%s: not a reference record (line \"%.40s\"); "
			         "restore it from where it was copied, never delete it", path, line);
			free(text);
			return -1;
		}
	}
	free(text);
	if (trunc) {
		snprintf(err, errlen, "%s: larger than a reference record can be", path);
		return -1;
	}
	return 0;
}

static int refs_write(const char *dbpath, const struct refs_file *rf, char *err, size_t errlen)
{
	char path[PATH_MAX_LEN + 8];
	char buf[512 + REFS_YEARS_MAX * 80];
	int len;

	refs_path(dbpath, path, sizeof path);
	len = snprintf(buf, sizeof buf,
	               "# cme-milter reference record for %.3000s (see cme-milter(8)).\n"
	               "# Never delete it, never restore it from a backup: it is what keeps\n"
	               "# a case reference from being issued twice.\n"
	               "database-id %s\n", dbpath, rf->id);
	for (size_t i = 0; i < rf->n && len > 0 && (size_t)len < sizeof buf; i++)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "year %d reserved %lld confirmed %lld\n",
		                rf->y[i].year, rf->y[i].reserved, rf->y[i].confirmed);
	if (len <= 0 || (size_t)len >= sizeof buf ||
	    file_replace_atomic(path, buf, (size_t)len, 0600) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The database side.                                                   */

static int db_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static int read_id(sqlite3 *db, char id[40], char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'database-id'", -1, &st,
	                       NULL) != SQLITE_OK)
		return db_fail(db, "reading the database id", err, errlen);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(id, 40, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW || id[0] == '\0')
		return db_fail(db, "reading the database id", err, errlen);
	return 0;
}

static int read_counters(sqlite3 *db, struct counters *c, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	c->n = 0;
	if (sqlite3_prepare_v2(db, "SELECT year, last FROM ref_counter ORDER BY year", -1, &st,
	                       NULL) != SQLITE_OK)
		return db_fail(db, "reading the reference counters", err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->n < REFS_YEARS_MAX) {
		c->c[c->n].year = sqlite3_column_int(st, 0);
		c->c[c->n].last = sqlite3_column_int64(st, 1);
		c->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, "reading the reference counters", err, errlen);
	return 0;
}

static long long counter_of(const struct counters *c, int year)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->c[i].year == year)
			return c->c[i].last;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The rule.                                                            */

static const struct refs_year *latest_year(const struct refs_file *rf)
{
	const struct refs_year *best = NULL;

	for (size_t i = 0; i < rf->n; i++)
		if (rf->y[i].reserved > 0 && (best == NULL || rf->y[i].year > best->year))
			best = &rf->y[i];
	return best;
}

/* 0 the database may be used, 1 refused with the one-line reason. */
static int judge(const char *dbpath, const struct refs_file *rf, const char *id,
                 const struct counters *db, char *err, size_t errlen)
{
	const struct refs_year *top = latest_year(rf);

	if (!rf->exists || top == NULL)
		return 0;
	if (strcmp(rf->id, id) != 0) {
		snprintf(err, errlen, "%.1000s: not the database whose references %.1000s.refs records "
		         "(it is empty, recreated or another one; CME-%04d-%05lld may have been issued): "
		         "restore the newest backup, or run 'cmectl accept-restore' to keep it "
		         "(new references continue above CME-%04d-%05lld)",
		         dbpath, dbpath, top->year, top->reserved, top->year, top->reserved);
		return 1;
	}
	for (size_t i = 0; i < rf->n; i++) {
		long long last = counter_of(db, rf->y[i].year);

		if (last < rf->y[i].confirmed) {
			snprintf(err, errlen, "%.1000s: older than its references (CME-%04d-%05lld was "
			         "issued, the database ends at CME-%04d-%05lld): restore the newest backup, "
			         "or run 'cmectl accept-restore' to keep it (new references continue "
			         "above CME-%04d-%05lld)", dbpath, rf->y[i].year, rf->y[i].confirmed,
			         rf->y[i].year, last, top->year, top->reserved);
			return 1;
		}
	}
	return 0;
}

/* Raise the record to what the database has committed.  1 if it changed. */
static int record_committed(struct refs_file *rf, const struct counters *db)
{
	int changed = 0;

	for (size_t i = 0; i < db->n; i++) {
		struct refs_year *y = refs_year(rf, db->c[i].year, 1);

		if (y == NULL)
			continue;
		if (y->confirmed < db->c[i].last)
			y->confirmed = db->c[i].last, changed = 1;
		if (y->reserved < db->c[i].last)
			y->reserved = db->c[i].last, changed = 1;
	}
	return changed;
}

/* ------------------------------------------------------------------ */
/* Allocation.                                                          */

void store_guard_txn_begin(struct ref_conn *rc)
{
	rc->snap_valid = 0;
}

static int take_snapshot(sqlite3 *db, struct ref_conn *rc, struct counters *c,
                         char *err, size_t errlen)
{
	if (read_counters(db, c, err, errlen) != 0)
		return -1;
	rc->nsnap = 0;
	for (size_t i = 0; i < c->n && rc->nsnap < sizeof rc->snap / sizeof rc->snap[0]; i++) {
		rc->snap[rc->nsnap].year = c->c[i].year;
		rc->snap[rc->nsnap].last = c->c[i].last;
		rc->nsnap++;
	}
	rc->snap_valid = 1;
	return 0;
}

/* A new block for `year` above everything recorded; blk.mu held. */
static int reserve(sqlite3 *db, const char *dbpath, struct ref_conn *rc, int year,
                   char *err, size_t errlen)
{
	static struct refs_file rf;          /* under blk.mu: too big for a thread stack */
	static struct counters now, snap;
	struct refs_year *y;
	long long base;
	int r;

	if (read_counters(db, &now, err, errlen) != 0 || refs_read(dbpath, &rf, err, errlen) != 0)
		return -1;
	snap.n = 0;
	for (size_t i = 0; i < rc->nsnap; i++, snap.n++) {
		snap.c[i].year = rc->snap[i].year;
		snap.c[i].last = rc->snap[i].last;
	}
	if ((r = judge(dbpath, &rf, rc->db_id, &snap, err, errlen)) != 0)
		return r;
	if (strcmp(rf.id, rc->db_id) != 0) {        /* a record with nothing reserved */
		rf.n = 0;
		snprintf(rf.id, sizeof rf.id, "%s", rc->db_id);
	}
	(void)record_committed(&rf, &snap);
	if ((y = refs_year(&rf, year, 1)) == NULL) {
		snprintf(err, errlen, "%s.refs: too many years", dbpath);
		return -1;
	}
	base = y->reserved > counter_of(&now, year) ? y->reserved : counter_of(&now, year);
	blk.size = blk.size <= 0 ? 1 : blk.size * 2 > REF_BLOCK_MAX ? REF_BLOCK_MAX : blk.size * 2;
	y->reserved = base + blk.size;
	if (refs_write(dbpath, &rf, err, errlen) != 0)
		return -1;
	blk.valid = 1;
	snprintf(blk.path, sizeof blk.path, "%s", dbpath);
	snprintf(blk.id, sizeof blk.id, "%s", rc->db_id);
	blk.year = year;
	blk.next = base + 1;
	blk.hi = y->reserved;
	return 0;
}

/* Record reference n as issued; the statement is prepared once per
 * connection (a case is opened per referral, under the writer's lock). */
static int bump_counter(sqlite3 *db, struct ref_conn *rc, int year, long long n, char *err,
                        size_t errlen)
{
	int r;

	if (rc->bump == NULL &&
	    sqlite3_prepare_v3(db, "INSERT INTO ref_counter (year, last) VALUES (?1, ?2) "
	                       "ON CONFLICT(year) DO UPDATE SET last = max(last, excluded.last)",
	                       -1, SQLITE_PREPARE_PERSISTENT, &rc->bump, NULL) != SQLITE_OK)
		return db_fail(db, "recording a case reference", err, errlen);
	sqlite3_bind_int(rc->bump, 1, year);
	sqlite3_bind_int64(rc->bump, 2, n);
	r = sqlite3_step(rc->bump);
	sqlite3_reset(rc->bump);
	return r == SQLITE_DONE ? 0 : db_fail(db, "recording a case reference", err, errlen);
}

void store_guard_conn_close(struct ref_conn *rc)
{
	sqlite3_finalize(rc->bump);
	rc->bump = NULL;
}

int store_guard_next_ref(sqlite3 *db, const char *dbpath, struct ref_conn *rc,
                         int year, long long *n, char *err, size_t errlen)
{
	struct counters c;
	int r = 0;

	if (in_memory(dbpath)) {             /* tests: a plain counter */
		if (read_counters(db, &c, err, errlen) != 0)
			return -1;
		*n = counter_of(&c, year) + 1;
		return bump_counter(db, rc, year, *n, err, errlen);
	}
	if (rc->db_id[0] == '\0' && read_id(db, rc->db_id, err, errlen) != 0)
		return -1;
	if (!rc->snap_valid && take_snapshot(db, rc, &c, err, errlen) != 0)
		return -1;
	pthread_mutex_lock(&blk.mu);
	if (!blk.valid || blk.year != year || blk.next > blk.hi || strcmp(blk.path, dbpath) != 0 ||
	    strcmp(blk.id, rc->db_id) != 0)
		r = reserve(db, dbpath, rc, year, err, errlen);
	if (r == 0)
		*n = blk.next++;
	pthread_mutex_unlock(&blk.mu);
	return r != 0 ? r : bump_counter(db, rc, year, *n, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Start-up, the admin's override, the end of a process.                */

static int begin(sqlite3 *db, char *err, size_t errlen)
{
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "locking the database", err, errlen);
	return 0;
}

static int finish(sqlite3 *db, int rc, char *err, size_t errlen)
{
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(db, "committing", err, errlen);
	if (rc != 0)
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The database's id and counters and its record; under the write lock. */
static int read_state(sqlite3 *db, const char *dbpath, char id[40], struct counters *c,
                      struct refs_file *rf, char *err, size_t errlen)
{
	if (read_id(db, id, err, errlen) != 0 || read_counters(db, c, err, errlen) != 0)
		return -1;
	return refs_read(dbpath, rf, err, errlen);
}

/* The record ahead of or level with what the database committed: 0, or
 * 1 with the first year it lags (a record restored from a backup, or
 * replaced by hand). */
static int record_behind(const char *dbpath, struct refs_file *rf,
                         const struct counters *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct refs_year *y = refs_year(rf, c->c[i].year, 0);

		if (c->c[i].last > 0 && (y == NULL || y->reserved < c->c[i].last)) {
			snprintf(err, errlen, "%.1000s.refs: behind the database (it holds "
			         "CME-%04d-%05lld, the record reserves up to CME-%04d-%05lld): was the "
			         "record restored from a backup?  Put the newest record back; starting "
			         "the milter raises it to the database", dbpath, c->c[i].year,
			         c->c[i].last, c->c[i].year, y ? y->reserved : 0LL);
			return 1;
		}
	}
	return 0;
}

/* The start-up check (`repair`: an adopted or lagging record is brought
 * up to the database, and committed) or cmectl verify (nothing changes;
 * a lagging or missing record is a finding). */
static int guard_state(sqlite3 *db, const char *dbpath, int repair, char *err, size_t errlen)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;   /* for the statics */
	static struct refs_file rf;
	static struct counters c;
	char id[40] = "";
	int rc;

	if (in_memory(dbpath))
		return 0;
	/* The write lock: the record and the counters move together under it. */
	if (begin(db, err, errlen) != 0)
		return -1;
	pthread_mutex_lock(&mu);
	rc = read_state(db, dbpath, id, &c, &rf, err, errlen);
	if (rc == 0)
		rc = judge(dbpath, &rf, id, &c, err, errlen);
	if (rc == 0 && repair) {
		int changed = !rf.exists || strcmp(rf.id, id) != 0;

		if (strcmp(rf.id, id) != 0) {    /* nothing was reserved: adopt */
			rf.n = 0;
			snprintf(rf.id, sizeof rf.id, "%s", id);
		}
		if ((record_committed(&rf, &c) || changed) && refs_write(dbpath, &rf, err, errlen) != 0)
			rc = -1;
	} else if (rc == 0 && rf.exists && strcmp(rf.id, id) == 0) {
		rc = record_behind(dbpath, &rf, &c, err, errlen);
	} else if (rc == 0 && !rf.exists && c.n > 0 && c.c[c.n - 1].last > 0) {
		snprintf(err, errlen, "%.1000s.refs: missing, though the database has issued "
		         "references: put the record back from where it was (never from a backup "
		         "older than the database); starting the milter writes a new one", dbpath);
		rc = 1;
	}
	pthread_mutex_unlock(&mu);
	if (repair)
		return finish(db, rc, err, errlen);
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_guard_check(sqlite3 *db, const char *dbpath, char *err, size_t errlen)
{
	return guard_state(db, dbpath, 1, err, errlen);
}

int store_guard_verify(sqlite3 *db, const char *dbpath, char *err, size_t errlen)
{
	return guard_state(db, dbpath, 0, err, errlen);
}

int store_guard_accept(sqlite3 *db, const char *dbpath, char *msg, size_t msglen)
{
	static struct refs_file rf;
	static struct counters c;
	const struct refs_year *top;
	char id[40] = "";
	int rc;

	if (in_memory(dbpath) || begin(db, msg, msglen) != 0)
		return -1;
	rc = read_state(db, dbpath, id, &c, &rf, msg, msglen);
	if (rc == 0) {
		/* Confirmed falls to what this database holds; reserved stays,
		 * so the next number is above every one ever issued. */
		snprintf(rf.id, sizeof rf.id, "%s", id);
		for (size_t i = 0; i < rf.n; i++)
			rf.y[i].confirmed = counter_of(&c, rf.y[i].year);
		(void)record_committed(&rf, &c);
		rc = refs_write(dbpath, &rf, msg, msglen);
	}
	if (rc == 0) {
		top = latest_year(&rf);
		if (top)
			snprintf(msg, msglen, "%s: accepted; new references continue above CME-%04d-%05lld",
			         dbpath, top->year, top->reserved);
		else
			snprintf(msg, msglen, "%s: accepted; no reference was issued before", dbpath);
	}
	return finish(db, rc, msg, msglen);
}

void store_guard_release(const char *dbpath)
{
	static struct refs_file rf;          /* under blk.mu */
	char err[256];
	sqlite3 *db = NULL;
	int held;

	if (in_memory(dbpath))
		return;
	pthread_mutex_lock(&blk.mu);
	held = blk.valid && strcmp(blk.path, dbpath) == 0;
	pthread_mutex_unlock(&blk.mu);
	if (!held)
		return;
	/* The database lock first, then the block: the order allocation uses. */
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return;
	}
	sqlite3_busy_timeout(db, 5000);
	if (begin(db, err, sizeof err) != 0) {
		sqlite3_close(db);
		return;
	}
	pthread_mutex_lock(&blk.mu);
	if (blk.valid && strcmp(blk.path, dbpath) == 0 && blk.next <= blk.hi &&
	    refs_read(dbpath, &rf, err, sizeof err) == 0 && strcmp(rf.id, blk.id) == 0) {
		struct refs_year *y = refs_year(&rf, blk.year, 0);

		/* Only the top block can be given back: numbers above it may
		 * belong to another process by now. */
		if (y && y->reserved == blk.hi) {
			y->reserved = blk.next - 1;
			(void)refs_write(dbpath, &rf, err, sizeof err);
		}
	}
	blk.valid = 0;
	blk.size = 0;
	pthread_mutex_unlock(&blk.mu);
	(void)finish(db, 0, err, sizeof err);
	sqlite3_close(db);
}

/* SQLite's report on one line, without its "*** in database main ***". */
static const char *one_line(const char *s, char *buf, size_t buflen)
{
	static const char prefix[] = "*** in database main ***";
	size_t k = 0;

	if (s == NULL)
		return "?";
	if (strncmp(s, prefix, sizeof prefix - 1) == 0)
		s += sizeof prefix - 1;
	while (*s == '\n' || *s == ' ')
		s++;
	for (; *s && k + 1 < buflen; s++)
		buf[k++] = *s == '\n' || *s == '\r' ? ' ' : *s;
	buf[k] = '\0';
	return buf;
}

int store_guard_quick_check(const char *dbpath, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *first = NULL;
	char what[256];
	int rc;

	if (in_memory(dbpath))
		return 0;
	/* No CREATE: a missing database is made (empty) by the store. */
	rc = sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_CANTOPEN) {
		sqlite3_close(db);
		return 0;
	}
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
	}
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		first = (const char *)sqlite3_column_text(st, 0);
		rc = first && strcmp(first, "ok") == 0 ? 0 : 1;
	} else {
		int code = rc & 0xff;

		first = db ? sqlite3_errmsg(db) : "cannot open";
		rc = code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? 1 : -1;
	}
	if (rc == 1)
		first = one_line(first, what, sizeof what);
	if (rc == 1)
		snprintf(err, errlen, "%.1000s: the database is corrupt (quick_check: %.200s): "
		         "restore the newest backup, or recover what is left with "
		         "'sqlite3 %.1000s .recover | sqlite3 NEW.db' and put NEW.db in its place",
		         dbpath, first ? first : "?", dbpath);
	else if (rc == -1)
		snprintf(err, errlen, "%.1000s: cannot check the database: %.200s", dbpath,
		         first ? first : "?");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
