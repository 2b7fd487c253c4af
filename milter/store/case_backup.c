/*
 * case_backup.c - cmectl backup, verify and status.  See case_backup.h for
 * the contract and INSTALL.md ("Backups and restore") for the procedure.
 *
 * Owns: its own connections to the database (never the milter's), the
 * temporary copy DEST.tmp.PID, and the read-only checks.  The schema is
 * case_store.c's; the reference rule is store_guard.c's (called, not
 * repeated).  Every statement is fixed text (no input is interpolated).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "case_backup.h"
#include "store_guard.h"

#define BUSY_TIMEOUT_MS 10000
#define PATH_LEN 4096

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_db(const char *path, int flags, sqlite3 **db, char *err, size_t errlen)
{
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%.1000s: cannot open: %s", path,
		         *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
	return 0;
}

/* The first value of a one-value query, as text into out ("" if none). */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* fsync a file by name (the copy, then its directory). */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Copy page by page inside one read transaction on src (a snapshot that
 * in WAL mode does not hold the writer back). */
static int copy_pages(sqlite3 *src, sqlite3 *dst, int step_pages, struct case_backup_stats *stats,
                      char *err, size_t errlen)
{
	sqlite3_backup *b;
	char mode[16];
	int rc, wal;

	if (query_text(src, "PRAGMA journal_mode", mode, sizeof mode) != 0) {
		snprintf(err, errlen, "reading the journal mode: %s", sqlite3_errmsg(src));
		return -1;
	}
	/* In WAL mode the snapshot is free for the writer; in a rollback
	 * journal a held read lock would stop its commits, so there SQLite
	 * restarts the copy when the source changes between steps instead. */
	wal = strcmp(mode, "wal") == 0;
	if (wal && (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	            query_text(src, "SELECT count(*) FROM sqlite_schema", mode, sizeof mode) != 0)) {
		snprintf(err, errlen, "starting the snapshot: %s", sqlite3_errmsg(src));
		return -1;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		snprintf(err, errlen, "starting the backup: %s", sqlite3_errmsg(dst));
		(void)sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	do {
		rc = sqlite3_backup_step(b, step_pages > 0 ? step_pages : CASE_BACKUP_STEP_PAGES);
		stats->steps++;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(5);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	stats->pages = sqlite3_backup_pagecount(b);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		snprintf(err, errlen, "copying: %s", sqlite3_errstr(rc != SQLITE_DONE ? rc :
		         sqlite3_errcode(dst)));
		rc = -1;
	} else {
		rc = 0;
	}
	if (rc == 0)
		(void)query_text(src, "SELECT max(ref) FROM cases", stats->top_ref,
		                 sizeof stats->top_ref);
	if (wal)
		(void)sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int case_backup(const char *dbpath, const char *dest, int step_pages,
                struct case_backup_stats *stats,
                char *err, size_t errlen)
{
	char tmp[PATH_LEN + 32], dir[PATH_LEN];
	sqlite3 *src = NULL, *dst = NULL;
	struct stat st;
	mode_t old;
	double t0 = now_seconds();
	int rc;

	memset(stats, 0, sizeof *stats);
	if (strlen(dest) >= PATH_LEN || (size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dest,
	                                                 (long)getpid()) >= sizeof tmp) {
		snprintf(err, errlen, "backup file name too long");
		return -1;
	}
	(void)unlink(tmp);
	if (open_db(dbpath, SQLITE_OPEN_READWRITE, &src, err, errlen) != 0)
		return -1;
	old = umask(077);                    /* the copy holds personal data */
	rc = open_db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst, err, errlen);
	umask(old);
	if (rc == 0)
		rc = copy_pages(src, dst, step_pages, stats, err, errlen);
	sqlite3_close(src);
	if (dst && sqlite3_close(dst) != SQLITE_OK && rc == 0) {
		snprintf(err, errlen, "%.1000s: cannot close the copy", tmp);
		rc = -1;
	}
	if (rc == 0 && store_guard_quick_check(tmp, err, errlen) != 0)
		rc = -1;
	snprintf(dir, sizeof dir, "%s", dest);
	if (rc == 0 && (sync_path(tmp) != 0 || rename(tmp, dest) != 0 ||
	                sync_path(dirname(dir)) != 0)) {
		snprintf(err, errlen, "%.1000s: cannot write: %s", dest, strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		(void)unlink(tmp);
		return -1;
	}
	stats->bytes = stat(dest, &st) == 0 ? (long long)st.st_size : 0;
	stats->seconds = now_seconds() - t0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* cmectl verify.                                                       */

/* Checks that list rows: each row's columns joined make one problem line,
 * after the check's label.  Data, not code: a new check is a new line. */
static const struct row_check {
	const char *label;
	const char *sql;
} row_checks[] = {
	{ "integrity", "PRAGMA integrity_check(100)" },
	/* The references: unique, well formed, and none above its year's
	 * counter (the counter is where the next number starts). */
	{ "reference repeated",
	  "SELECT ref || ' (' || count(*) || ' cases)' FROM cases GROUP BY ref HAVING count(*) > 1" },
	{ "reference malformed",
	  "SELECT ref FROM cases WHERE ref NOT GLOB 'CME-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]*'" },
	{ "reference above its year's counter",
	  "SELECT c.ref || ' (counter ' || coalesce(r.last, 'missing') || ')' FROM cases c "
	  "LEFT JOIN ref_counter r ON r.year = CAST(substr(c.ref, 5, 4) AS INTEGER) "
	  "WHERE c.ref GLOB 'CME-[0-9][0-9][0-9][0-9]-*' "
	  "AND (r.last IS NULL OR CAST(substr(c.ref, 10) AS INTEGER) > r.last)" },
	/* Orphans: every row whose case or message is missing (the schema's
	 * REFERENCES clauses: children, events, deadlines, outbox,
	 * message_cases, cases.previous_case). */
	{ "orphan row",
	  "SELECT \"table\" || ' row ' || coalesce(rowid, '?') || ' refers to a missing row of ' || parent "
	  "FROM pragma_foreign_key_check" },
};

static void add_problem(struct strlist *problems, long long *count, const char *label,
                        const char *text)
{
	char line[1400];

	if (++*count > CASE_VERIFY_MAX_PROBLEMS)
		return;
	snprintf(line, sizeof line, "%s: %.1200s", label, text);
	for (char *p = line; *p; p++)          /* one problem, one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	(void)strlist_add(problems, line);
}

static int run_row_check(sqlite3 *db, const struct row_check *c, struct strlist *problems,
                         long long *count, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, c->sql, -1, &st, NULL) != SQLITE_OK) {
		/* A damaged schema is a finding, not a failure to check. */
		add_problem(problems, count, c->label, sqlite3_errmsg(db));
		return 0;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);

		if (text && strcmp(c->label, "integrity") == 0 && strcmp(text, "ok") == 0)
			continue;
		add_problem(problems, count, c->label, text ? text : "?");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		int code = rc & 0xff;

		if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
			add_problem(problems, count, c->label, sqlite3_errstr(rc));
			return 0;
		}
		snprintf(err, errlen, "%s: %s", c->label, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int case_verify(const char *dbpath, int with_record, struct strlist *problems,
                char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	long long count = 0;
	char line[1200];
	struct stat st;
	int rc = 0;

	/* sqlite3_open would make an empty database of a wrong path. */
	if (stat(dbpath, &st) != 0) {
		snprintf(err, errlen, "%.1000s: %s", dbpath, strerror(errno));
		return -1;
	}
	if (open_db(dbpath, SQLITE_OPEN_READWRITE, &db, err, errlen) != 0)
		return -1;
	/* One snapshot for the row checks; the record check takes the lock. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = -1, snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	for (size_t i = 0; rc == 0 && i < sizeof row_checks / sizeof row_checks[0]; i++)
		rc = run_row_check(db, &row_checks[i], problems, &count, err, errlen);
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (rc == 0 && with_record) {
		int r = store_guard_verify(db, dbpath, line, sizeof line);

		if (r != 0)      /* refused, or could not be read: either is a finding */
			add_problem(problems, &count, "reference record", line);
	}
	sqlite3_close(db);
	if (rc != 0)
		return -1;
	if (count > CASE_VERIFY_MAX_PROBLEMS) {
		snprintf(line, sizeof line, "%lld more problem(s) not listed",
		         count - CASE_VERIFY_MAX_PROBLEMS);
		(void)strlist_add(problems, line);
	}
	return count > 0 ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* cmectl status.                                                       */

static int status_counts(sqlite3 *db, struct db_status *st, time_t day_start)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT count(*), coalesce(sum(received_at >= ?1), 0) FROM messages",
	                       -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)day_start);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		st->messages_total = sqlite3_column_int64(q, 0);
		st->messages_today = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW ||
	    sqlite3_prepare_v2(db, "SELECT status, count(*) FROM cases GROUP BY status ORDER BY status",
	                       -1, &q, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && st->nstatus < DB_STATUS_MAX_STATUSES) {
		const char *name = (const char *)sqlite3_column_text(q, 0);

		snprintf(st->cases[st->nstatus].name, sizeof st->cases[0].name, "%s", name ? name : "?");
		st->cases[st->nstatus++].n = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int status_outbox(sqlite3 *db, struct db_status *st)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT count(*), coalesce(sum(attempts > 0), 0), "
	                       "coalesce(min(created_at), 0) FROM outbox WHERE sent_at IS NULL",
	                       -1, &q, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		st->outbox_unsent = sqlite3_column_int64(q, 0);
		st->outbox_failing = sqlite3_column_int64(q, 1);
		st->oldest_unsent = (time_t)sqlite3_column_int64(q, 2);
	}
	sqlite3_finalize(q);
	/* The newest failure: the mail whose retry was scheduled last. */
	if (rc != SQLITE_ROW)
		return -1;
	return query_text(db, "SELECT last_error FROM outbox WHERE sent_at IS NULL AND "
	                  "last_error IS NOT NULL ORDER BY next_attempt_at DESC LIMIT 1",
	                  st->last_error, sizeof st->last_error);
}

int db_status_read(const char *dbpath, time_t now, struct db_status *st,
                     char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	struct stat sb;
	struct tm tm;
	int rc;

	memset(st, 0, sizeof *st);
	st->now = now;
	if (stat(dbpath, &sb) != 0) {
		snprintf(err, errlen, "%.1000s: %s", dbpath, strerror(errno));
		return -1;
	}
	if (open_db(dbpath, SQLITE_OPEN_READWRITE, &db, err, errlen) != 0)
		return -1;
	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
	     status_counts(db, st, mktime(&tm)) == 0 && status_outbox(db, st) == 0 ? 0 : -1;
	if (rc != 0)
		snprintf(err, errlen, "%.1000s: %s", dbpath, sqlite3_errmsg(db));
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static void format_age(long long secs, char *out, size_t outlen)
{
	if (secs < 120)
		snprintf(out, outlen, "%llds", secs);
	else if (secs < 2 * 3600)
		snprintf(out, outlen, "%lldm", secs / 60);
	else if (secs < 2 * 86400)
		snprintf(out, outlen, "%lldh %lldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(out, outlen, "%lldd %lldh", secs / 86400, secs % 86400 / 3600);
}

static char *status_json(const struct db_status *st, long long age, int stuck)
{
	json_object *o = json_object_new_object(), *m = json_object_new_object(),
	            *c = json_object_new_object(), *ob = json_object_new_object();
	char *text;

	json_object_object_add(m, "today", json_object_new_int64(st->messages_today));
	json_object_object_add(m, "total", json_object_new_int64(st->messages_total));
	for (size_t i = 0; i < st->nstatus; i++)
		json_object_object_add(c, st->cases[i].name, json_object_new_int64(st->cases[i].n));
	json_object_object_add(ob, "unsent", json_object_new_int64(st->outbox_unsent));
	json_object_object_add(ob, "failing", json_object_new_int64(st->outbox_failing));
	json_object_object_add(ob, "oldest_unsent_age_seconds",
	                       st->oldest_unsent ? json_object_new_int64(age) : NULL);
	json_object_object_add(ob, "stuck", json_object_new_boolean(stuck));
	json_object_object_add(ob, "last_error",
	                       *st->last_error ? json_object_new_string(st->last_error) : NULL);
	json_object_object_add(o, "messages", m);
	json_object_object_add(o, "cases", c);
	json_object_object_add(o, "outbox", ob);
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return text;
}

char *db_status_format(const struct db_status *st, int json, int *stuck)
{
	long long age = st->oldest_unsent ? (long long)(st->now - st->oldest_unsent) : 0;
	char buf[2048], agebuf[32];
	int len;

	*stuck = st->oldest_unsent && age > DB_STATUS_STUCK_SECS;
	if (json)
		return status_json(st, age, *stuck);
	len = snprintf(buf, sizeof buf, "messages processed  today %lld, total %lld\ncases              ",
	               st->messages_today, st->messages_total);
	for (size_t i = 0; i < st->nstatus && len > 0 && (size_t)len < sizeof buf; i++)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s %lld", i ? ", " : "",
		                st->cases[i].name, st->cases[i].n);
	format_age(age, agebuf, sizeof agebuf);
	if (len > 0 && (size_t)len < sizeof buf)
		len += snprintf(buf + len, sizeof buf - (size_t)len,
		                "%s\nreminder outbox     %lld unsent (%lld failing)%s%s%s\n",
		                st->nstatus ? "" : "none", st->outbox_unsent, st->outbox_failing,
		                st->oldest_unsent ? ", the oldest waiting " : "",
		                st->oldest_unsent ? agebuf : "",
		                *stuck ? " (STUCK? check the MTA and the mail log)" : "");
	if (len > 0 && (size_t)len < sizeof buf && *st->last_error)
		snprintf(buf + len, sizeof buf - (size_t)len, "last outbox error   %.300s\n",
		         st->last_error);
	return strdup(buf);
}
