/*
 * case_backup.h - an online copy of the case database, and a check of a
 * database (the live one or a copy) for the mail admin (cmectl backup,
 * cmectl verify; INSTALL.md "Backups and restore").
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

#endif
