/*
 * store_guard.h - guards of the case database against loss and
 * corruption (SPEC 8): no case reference is ever issued twice, and a
 * corrupt database is reported before the milter starts.
 *
 * The reference record is a small text file beside the database,
 * DATABASE.refs, holding the database's random id and, per year, the
 * highest reference number *reserved* (handed to a process; every number
 * ever issued is at or below it) and the highest *confirmed* (known
 * committed in the database at the time of the last write).  It is
 * replaced atomically (fileio) while the writer holds the database's
 * write lock, and always before the transaction that uses a newly
 * reserved number commits, so a crash can leave it ahead of the database
 * (a gap in numbering, harmless) and never behind.
 *
 * Each process reserves numbers in blocks (1, 2, 4, ... up to
 * REF_BLOCK_MAX) always above the recorded mark, so the file is written
 * seldom and a database restored from any backup can never be given a
 * number already issued.  A process gives its unused numbers back when it
 * ends (store_guard_release), so numbering stays dense.
 *
 * Refused (one line, with the fix): a database whose id is not the
 * recorded one while references are recorded (truncated, recreated or
 * another database), or whose highest reference is below the confirmed
 * one (an older backup).  `cmectl accept-restore` accepts the database
 * as it is; new numbers still continue above every one reserved.
 */
#ifndef CME_STORE_GUARD_H
#define CME_STORE_GUARD_H

#include <stddef.h>

struct sqlite3;
struct sqlite3_stmt;

#define REF_BLOCK_MAX 100

/* Per connection: the database's id and the committed counters as they
 * were when the current transaction began (before it allocated). */
struct ref_conn {
	char db_id[40];
	int snap_valid;
	size_t nsnap;
	struct { int year; long long last; } snap[8];
	struct sqlite3_stmt *bump;   /* records an issued reference: prepared on
	                                first use, finalized by store_guard_conn_close */
};

/* Before the connection closes: finalize what it prepared. */
void store_guard_conn_close(struct ref_conn *rc);

/* Forget the snapshot: call at BEGIN. */
void store_guard_txn_begin(struct ref_conn *rc);

/* The next reference number for `year`; call inside a write transaction
 * (BEGIN IMMEDIATE).  0 with *n set, 1 refused (err says why and how to
 * fix it), -1 error (err). */
int store_guard_next_ref(struct sqlite3 *db, const char *dbpath, struct ref_conn *rc,
                         int year, long long *n, char *err, size_t errlen);

/* Start-up check (cme-milter, -n, cmectl commands that write): 0 fine
 * (the record created or brought up to the database if it lagged), 1
 * refused, -1 error; err is one line.  Takes the write lock briefly. */
int store_guard_check(struct sqlite3 *db, const char *dbpath, char *err, size_t errlen);

/* The admin's override after a refusal: record this database as the one
 * references are issued from, with its highest references confirmed.
 * Reserved marks are kept: new numbers continue above them.  0 or -1. */
int store_guard_accept(struct sqlite3 *db, const char *dbpath, char *msg, size_t msglen);

/* cmectl verify: the database judged against its record without changing
 * either (a record that lags is a problem here, where the start-up check
 * raises it).  0 fine, 1 a problem (err, one line), -1 error. */
int store_guard_verify(struct sqlite3 *db, const char *dbpath, char *err, size_t errlen);

/* Give back this process's unused reserved numbers (end of a process or
 * of a pipeline).  Best effort; nothing to do is success. */
void store_guard_release(const char *dbpath);

/* PRAGMA quick_check on a connection of its own: 0 ok, 1 corrupt, -1
 * could not check; err is one line naming the fix. */
int store_guard_quick_check(const char *dbpath, char *err, size_t errlen);

#endif
