/*
 * case_backup.h - the mail admin's operations on the case database: an
 * online copy, a check of a database (the live one or a copy), and the
 * state at a glance (cmectl backup, verify, status; INSTALL.md "Backups
 * and restore").
 *
 * case_backup copies with SQLite's online backup API while the milter
 * writes.  The copy is one consistent snapshot: the source is read inside
 * one read transaction, which in WAL mode (the store's mode) never blocks
 * the milter's writer; pages go over in steps of CASE_BACKUP_STEP_PAGES.
 * The copy is written beside DEST, checked (quick_check), made durable
 * and renamed onto DEST, so DEST is always a whole backup or the old one.
 * The reference record (DATABASE.refs, store_guard.h) is NOT copied: a
 * restore keeps the live record, which is what keeps a restored older
 * database from issuing a reference twice.
 *
 * case_verify reads only.  It lists one problem a line: integrity_check
 * findings, case references that repeat or exceed their year's counter,
 * a reference record the database is older than or ahead of
 * (store_guard_verify), and rows whose case (or message) is missing
 * (PRAGMA foreign_key_check).
 */
#ifndef CME_CASE_BACKUP_H
#define CME_CASE_BACKUP_H

#include <stddef.h>
#include <time.h>

#include "strlist.h"

#define CASE_BACKUP_STEP_PAGES 256    /* 1 MiB at the default page size */
#define CASE_VERIFY_MAX_PROBLEMS 100  /* lines listed; the rest counted */

struct case_backup_stats {
	long long pages;          /* pages in the copy */
	long long bytes;          /* size of the copy */
	int steps;                /* backup_step calls */
	double seconds;           /* wall time of the copy */
	char top_ref[32];         /* the copy's highest reference, or "" */
};

/* Copy dbpath to dest, step_pages a step (0: CASE_BACKUP_STEP_PAGES).
 * 0 done (stats filled), -1 error (err, one line;
 * dest untouched). */
int case_backup(const char *dbpath, const char *dest, int step_pages,
                struct case_backup_stats *stats,
                char *err, size_t errlen);

/* Check dbpath.  with_record: also judge it against dbpath.refs (the live
 * database; a copy has no record of its own).  0 clean, 1 problems (each
 * appended to `problems`), -1 could not check (err). */
int case_verify(const char *dbpath, int with_record, struct strlist *problems,
                char *err, size_t errlen);

/* cmectl status: what a mail admin looks at to see that mail flows and
 * reminders go out.  Read in one snapshot, nothing changed. */
#define DB_STATUS_MAX_STATUSES 16
#define DB_STATUS_STUCK_SECS 3600   /* an unsent reminder older than this */

struct db_status {
	time_t now;
	long long messages_today;     /* received since local midnight */
	long long messages_total;
	size_t nstatus;               /* cases by status, in the database's words */
	struct { char name[24]; long long n; } cases[DB_STATUS_MAX_STATUSES];
	long long outbox_unsent;      /* reminder mails not yet taken by the MTA */
	long long outbox_failing;     /* of which a submission failed */
	time_t oldest_unsent;         /* created_at of the oldest unsent, or 0 */
	char last_error[256];         /* the newest failure of an unsent mail, or "" */
};

/* 0 filled, -1 error (err). */
int db_status_read(const char *dbpath, time_t now, struct db_status *st,
                     char *err, size_t errlen);

/* The status as text lines or one JSON object (malloc'd, NUL-terminated;
 * NULL if out of memory).  stuck: 1 if the oldest unsent reminder is older
 * than DB_STATUS_STUCK_SECS. */
char *db_status_format(const struct db_status *st, int json, int *stuck);

#endif
