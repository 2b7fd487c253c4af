/*
 * NAME
 *	case_store.h - stage 3, the store: cases, children, messages,
 *	deadlines and the append-only timeline, in SQLite.
 *
 * PURPOSE
 *	The store knows how to find, open and change cases; *when* to do
 *	so is decided by the pipeline.  Its modules:
 *	    case_store.c    the database, the schema and its migrations,
 *	                    the statement cache, the writes (this header)
 *	    case_links.c    which message is which; linked cases (case_links.h)
 *	    case_outbox.c   the iMIP outbox and seal key (case_outbox.h,
 *	                    included here)
 *	    case_views.c    the read side for cmectl: JSON, one case as a
 *	                    struct, reports (case_views.h)
 *	    case_edit.c     the officer's actions' reads and writes: the
 *	                    correctable fields, officer, merge, transfer
 *	                    (case_edit.h)
 *	    case_types.c    the status/kind/action name tables (case_types.h)
 *	    store_guard.c   the record of issued references (store_guard.h)
 *
 * OWNS
 *	The database file and its schema (PRAGMA user_version
 *	migrations), and every SQL statement, all prepared with every value
 *	bound, except the reference guard's few on `meta` and `ref_counter`
 *	(store_guard.c), through which every case reference is issued.
 *	Statements are cached per connection (case_store_sql.h): a
 *	connection that lives across messages parses each statement once.
 *	Status and kind values are the stored names of case_types.h; a
 *	name outside those tables is refused (-1) by the functions that
 *	write one.
 *
 * RETURN CONVENTIONS
 *	One convention for the whole store:
 *	    actions (open, write, change, begin/commit)  0 done, -1 error;
 *	    lookups of one thing (find, match, next)    1 found, 0 none,
 *	                                                -1 error;
 *	    counts (sweep, purge, change_deadline_status) N >= 0, -1 error;
 *	    constructors                                pointer, or NULL.
 *	On -1, case_store_errmsg says what failed.  Documented exceptions:
 *	case_store_check_refs and case_store_quick_check (0 fine, 1 refused
 *	or corrupt, -1 could not check), case_store_outbox_seen_by_mta
 *	(case_outbox.h).
 *
 * CONCURRENCY
 *	One struct case_store is one SQLite connection, opened
 *	SQLITE_OPEN_NOMUTEX: one thread at a time.  The milter's writing
 *	connection is shared by its threads and lives across messages; the
 *	pipeline's lock serialises every use of it.  Other processes
 *	(cmectl) open connections of their own; WAL lets readers run beside
 *	the writer, and writers wait up to 5 s for each other.  Writes happen
 *	inside case_store_begin/commit (a batch of messages in the milter,
 *	each under a savepoint of its own) so that a message's case, events,
 *	deadlines and outbox mails land together or not at all.
 */
#ifndef CME_CASE_STORE_H
#define CME_CASE_STORE_H

#include <stddef.h>
#include <time.h>
#include "case_types.h"
#include "referral.h"
#include "strlist.h"

struct case_store;

#define CASE_REF_MAX 24          /* "CME-2026-00001" + slack */

struct case_info {
	long long id;
	char ref[CASE_REF_MAX];
	char status[16];              /* stored name: open, visited, closed, ... */
	enum case_status cstatus;     /* the same as an enum (case_types.h) */
	char officer[256];
	char referrer_email[256];
	time_t opened_at;
};

/* Configure SQLite for this process before any other use of it: no
 * allocation statistics (SQLITE_CONFIG_MEMSTATUS off: kept on, every
 * allocation and free SQLite makes takes one process-wide mutex, ~3% of
 * the milter's CPU per referral).  Call first thing in main, before any
 * thread starts; a program that does not call it is only slower.
 * 0, or -1 when SQLite was already initialised (nothing changed). */
int case_store_init_library(void);

/* Open (creating and migrating as needed).  `path` may be ":memory:".
 * Returns NULL with err set on failure. */
struct case_store *case_store_open(const char *path, char *err, size_t errlen);
void case_store_close(struct case_store *cs);
const char *case_store_errmsg(struct case_store *cs);

int  case_store_begin(struct case_store *cs);     /* BEGIN IMMEDIATE */

/* The record of issued references (store_guard.h): check this database
 * against it at start-up (0 fine, 1 refused, -1 error; err one line with
 * the fix), or accept it as the database of record after a restore. */
int  case_store_check_refs(struct case_store *cs, char *err, size_t errlen);
int  case_store_accept_restore(struct case_store *cs, char *msg, size_t msglen);
/* A process (or pipeline) is done issuing references from `path`: its
 * unused reserved numbers go back, so numbering stays dense. */
void case_store_release_refs(const char *path);
/* PRAGMA quick_check: 0 ok, 1 corrupt, -1 could not check; err one line
 * with the fix. */
int  case_store_quick_check(const char *path, char *err, size_t errlen);
int  case_store_commit(struct case_store *cs);
/* WAL checkpoints (commit.h, writer_start_checkpoints): pages > 0 is
 * SQLite's automatic checkpoint at that WAL size; 0 turns it off on this
 * connection and only records the WAL's size after each commit
 * (case_store_wal_pages).  case_store_checkpoint runs a PASSIVE
 * checkpoint (a busy database is not an error).  0 or -1. */
int  case_store_autocheckpoint(struct case_store *cs, int pages);
int  case_store_wal_pages(struct case_store *cs);
int  case_store_checkpoint(struct case_store *cs);
/* The caller syncs the WAL itself (commit.h: the milter's writer): this
 * connection's COMMIT writes its WAL frames but does not fsync them
 * (synchronous=NORMAL), and nothing it commits may be reported durable
 * until the caller's fdatasync of the -wal file returned.  0 or -1. */
int  case_store_defer_wal_sync(struct case_store *cs);
void case_store_rollback(struct case_store *cs);

/* A savepoint for one message inside a larger transaction (the
 * pipeline's group commit): released when the message is done, rolled
 * back alone when it fails. */
int  case_store_savepoint(struct case_store *cs);
int  case_store_release(struct case_store *cs);
void case_store_rollback_to(struct case_store *cs);

/* Idempotency: case_store_message_lookup (case_links.h).  Remember a
 * processed message (`key` unique; `digest` its content digest,
 * msg_digest.h) and what was done. */
int case_store_record_message(struct case_store *cs, const char *key, const char *digest,
                              const struct cme_referral *r,
                              const char *action, time_t now,
                              long long *message_row);

/* Record that a message touched a case (for threading replies). */
int case_store_link_message(struct case_store *cs, long long message_row,
                            long long case_id);

/* Find the open (not closed) case a child belongs to: same valid UPN, or
 * same normalised surname + forename + DOB.  1 found, 0 not, -1 error. */
int case_store_match_child(struct case_store *cs, const struct cme_child *c,
                           struct case_info *out);

/* Find a case by its reference / by a Message-ID already on a case (a
 * case not merged into another first: a merged duplicate's messages are
 * on its survivor too, case_edit.h). */
int case_store_find_ref(struct case_store *cs, const char *ref,
                        struct case_info *out);
int case_store_find_id(struct case_store *cs, long long id, struct case_info *out);
int case_store_find_by_message_id(struct case_store *cs, const char *msgid,
                                  struct case_info *out);

/* Open a new case for `child` (status "open", or "triage" when
 * `triage`).  The reference is allocated from the year of `now`. */
int case_store_open_case(struct case_store *cs, const struct cme_referral *r,
                         const struct cme_child *child, int triage,
                         const char *officer, time_t now,
                         struct case_info *out);

/* Merge newly learned child details into an existing case's child. */
int case_store_update_child(struct case_store *cs, long long case_id,
                            const struct cme_child *child);

int case_store_set_status(struct case_store *cs, long long case_id,
                          const char *status, const char *outcome, time_t now);
int case_store_link_siblings(struct case_store *cs, long long a, long long b);

/* case_dupes.c: flag a new case (ref, child c) as a possible duplicate
 * of each open case it resembles (same date of birth and a similar name,
 * or the same UPN under another name), on both timelines.  The cases
 * its own message named are never its duplicates (the referrer listed
 * them as other children; they are linked as siblings): `same` lists
 * them (n_same ids), and `opened_from` is the lowest case id that
 * message opened (0: none yet), so that a message of many children
 * spends its candidates on other messages' cases.  0 or -1. */
int case_store_flag_possible_duplicates(struct case_store *cs, long long case_id,
                                        const char *ref, const struct cme_child *c,
                                        time_t now, long long opened_from,
                                        const long long *same, size_t n_same);
/* The open pairs flagged, as a JSON array of {ref, possible_duplicate_of,
 * why}; malloc'd, NULL on error. */
char *case_store_possible_duplicates_json(struct case_store *cs);

/* Timeline: append-only. */
int case_store_add_event(struct case_store *cs, long long case_id, time_t at,
                         const char *type, const char *source,
                         const char *detail);

/* Deadlines (one row per case and kind). */
struct deadline_row {
	long long case_id;
	char ref[CASE_REF_MAX];
	char kind[24];            /* home-visit, escalation, long-term-review, immediate */
	enum deadline_kind dkind; /* the same as an enum (case_types.h) */
	time_t due;
	int sequence;
	char status[16];          /* pending, met, cancelled, fired (a long-term
	                             review whose case went long-term) */
	enum deadline_status dstatus;   /* the same as an enum */
	char officer[256];
	char initials[16];
	char name[168];           /* "Forename Surname": ReminderDetail full only */
	time_t updated_at;
	int generation;           /* the case's: rises on every reopen */
	time_t set_at;            /* when set pending; -1 on rows from before
	                             schema 12 */
	char flags[32];           /* "calendar-incomplete" or "" */
	char legacy_uid[256];     /* UID of an event sent before schema 12, or "" */
};
/* Insert or change; SEQUENCE rises when the due time or status
 * changes.  flags: "calendar-incomplete", "" or NULL (keep the row's). */
int case_store_set_deadline(struct case_store *cs, long long case_id,
                            const char *kind, time_t due, const char *status,
                            const char *flags, time_t now);
/* A reopened case's next generation: raises cases.generation (and drops
 * its old-form UIDs), so that the deadlines scheduled next get new event
 * UIDs (REF-KIND-GENERATION@CalendarDomain) and never reuse a cancelled
 * one.  case_store_reopen calls it; any other reopen path must too,
 * before scheduling.  Returns the new generation (>= 2), or -1. */
int case_store_next_generation(struct case_store *cs, long long case_id);
/* Move a deadline from one status to another (pending -> met /
 * cancelled); SEQUENCE rises.  No row, or another status: no change.
 * Returns the number of rows changed (0 or 1), or -1. */
int case_store_change_deadline_status(struct case_store *cs, long long case_id,
                                      const char *kind, const char *from,
                                      const char *to, time_t now);
/* A met deadline was met by something that happened at `done_at` (a
 * visit's own date, SPEC 5.5): recorded as the earliest such time.  No
 * met row of that kind: no change.  0 or -1. */
int case_store_deadline_done(struct case_store *cs, long long case_id,
                             const char *kind, time_t done_at);
/* Pending deadlines that belong in `officer`'s feed (the live events;
 * a met or cancelled deadline leaves the feed).  Calls fn for each row. */
int case_store_each_deadline(struct case_store *cs, const char *officer,
                             int (*fn)(const struct deadline_row *, void *),
                             void *arg);

/* Every officer who has a case not closed (feeds at start-up, digests):
 * read from cases_status, so it costs the open caseload, not the LA's
 * history.  An officer whose last case closed had the feed rewritten
 * (empty) by the commit that closed it. */
int case_store_each_officer(struct case_store *cs,
                            int (*fn)(const char *officer, void *), void *arg);

/* Cases whose long-term review is due become "long-term" (dormant, still
 * matched).  Returns how many changed (refs appended), or -1. */
int case_store_sweep_long_term(struct case_store *cs, time_t now, struct strlist *refs);

/* Delete cases whose child was born before `cutoff_dob` (YYYY-MM-DD) and
 * record the purge.  Returns the number of cases removed, or -1. */
long long case_store_purge(struct case_store *cs, const char *cutoff_dob, time_t now,
                           const char *source);

/* Deadlines of a case changed at or after `since` (this transaction's
 * changes when since = now): the reminders that must go out. */
int case_store_each_changed_deadline(struct case_store *cs, long long case_id, time_t since,
                                     int (*fn)(const struct deadline_row *, void *),
                                     void *arg);

/* The outbox of reminder mails (case_outbox.c). */
#include "case_outbox.h"

#endif
