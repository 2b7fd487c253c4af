/*
 * case_store.h - stage 3: cases, children, messages, deadlines and the
 * append-only timeline, in SQLite.
 *
 * Owns: the database file and its schema (PRAGMA user_version
 * migrations), every SQL statement (all prepared, all parameters bound)
 * except the reference guard's few on `meta` and `ref_counter`
 * (store_guard.c), through which every case reference is issued.
 * The store knows how to find, open and change cases; *when* to do so
 * is decided by the pipeline.
 *
 * One struct case_store is one connection; it is not shared between
 * threads.  Writes happen inside case_store_begin/commit so that a
 * message's case, events and deadlines land together or not at all.
 */
#ifndef CME_CASE_STORE_H
#define CME_CASE_STORE_H

#include <stddef.h>
#include <time.h>
#include "referral.h"
#include "strlist.h"

struct case_store;

#define CASE_REF_MAX 24          /* "CME-2026-00001" + slack */

struct case_info {
	long long id;
	char ref[CASE_REF_MAX];
	char status[16];              /* open, visited, closed, long-term, triage */
	char officer[256];
	char referrer_email[256];
	time_t opened_at;
};

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

/* Find a case by its reference / by a Message-ID already on a case. */
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

/* Timeline: append-only. */
int case_store_add_event(struct case_store *cs, long long case_id, time_t at,
                         const char *type, const char *source,
                         const char *detail);

/* Deadlines (one row per case and kind). */
struct deadline_row {
	long long case_id;
	char ref[CASE_REF_MAX];
	char kind[24];            /* home-visit, escalation, long-term-review, immediate */
	time_t due;
	int sequence;
	char status[16];          /* pending, met, cancelled, fired (a long-term
	                             review whose case went long-term) */
	char officer[256];
	char initials[16];
	char name[168];           /* "Forename Surname": ReminderDetail full only */
	time_t updated_at;
};
/* Insert or change; SEQUENCE rises when anything changes. */
int case_store_set_deadline(struct case_store *cs, long long case_id,
                            const char *kind, time_t due, const char *status,
                            time_t now);
/* Move a deadline from one status to another (pending -> met /
 * cancelled); SEQUENCE rises.  No row, or another status: no change.
 * Returns the number of rows changed (0 or 1), or -1. */
int case_store_change_deadline_status(struct case_store *cs, long long case_id,
                                      const char *kind, const char *from,
                                      const char *to, time_t now);
/* Pending deadlines that belong in `officer`'s feed (the live events;
 * a met or cancelled deadline leaves the feed).  Calls fn for each row. */
int case_store_each_deadline(struct case_store *cs, const char *officer,
                             int (*fn)(const struct deadline_row *, void *),
                             void *arg);

/* Every officer who has cases, for writing feeds. */
int case_store_each_officer(struct case_store *cs,
                            int (*fn)(const char *officer, void *), void *arg);

/* Cases whose long-term review is due become "long-term" (dormant, still
 * matched).  Returns how many changed (refs appended), or -1. */
int case_store_sweep_long_term(struct case_store *cs, time_t now, struct strlist *refs);

/* Monthly performance indicators (SPEC 5.5) for [from, to). */
struct case_report {
	long long opened, closed, closed_in_borough, closed_left_area;
	long long open_at_end, long_term;
	long long deadlines_due, deadlines_met, deadlines_missed;
	struct { char outcome[32]; long long count; } outcomes[16];
	size_t n_outcomes;
};
int case_store_report(struct case_store *cs, time_t from, time_t to, time_t now,
                      struct case_report *out);

/* Delete cases whose child was born before `cutoff_dob` (YYYY-MM-DD) and
 * record the purge.  Returns the number of cases removed, or -1. */
long long case_store_purge(struct case_store *cs, const char *cutoff_dob, time_t now,
                           const char *source);

/* Deadlines of a case changed at or after `since` (this transaction's
 * changes when since = now): the reminders that must go out. */
int case_store_each_changed_deadline(struct case_store *cs, long long case_id, time_t since,
                                     int (*fn)(const struct deadline_row *, void *),
                                     void *arg);

/* Outbox of iMIP mails: added in the case's transaction, sent after. */
struct outbox_row {
	long long id;
	char recipient[256];
	char message_id[400];     /* as queued: what its seal covers */
	char *message;            /* malloc'd; the caller frees */
	int attempts;
};
int case_store_outbox_add(struct case_store *cs, long long case_id, const char *uid,
                          const char *method, const char *recipient, const char *message,
                          const char *message_id, time_t now);
/* A copy of a reminder mail passed through the MTA (seen by the milter,
 * its seal already checked; `copy` names the submission it came from):
 * 1 let it through (the first copy, now recorded as sent and echoed; or
 * that same copy again, the MTA retrying it), 2 another copy passed
 * first (a resend after a crash: a duplicate), 0 not ours, -1 error. */
int case_store_outbox_seen_by_mta(struct case_store *cs, const char *message_id,
                                  const char *copy, time_t now);
/* Call fn for each sender name holding claims on unsent mail; fn
 * returns non-zero to stop (then -1).  0 or -1. */
int case_store_outbox_claimants(struct case_store *cs,
                                int (*fn)(const char *claimant, void *), void *arg);
/* Free the claims of `claimant` (a sender known to be dead): its mails
 * become due at `due`.  Count or -1. */
int case_store_outbox_release(struct case_store *cs, const char *claimant, time_t due);
/* 1 if the milter has ever seen one of our mails pass (the MTA runs it
 * on locally submitted mail), 0 if not, -1 error. */
int case_store_outbox_echoes_seen(struct case_store *cs);
/* The key that seals reminder mails (hex, from the meta table). */
int case_store_seal_key(struct case_store *cs, char *out, size_t outlen);
/* The oldest unsent mail due by `now`: 1 (filled), 0 none, -1 error. */
int case_store_outbox_next(struct case_store *cs, time_t now, struct outbox_row *out);
/* Hold a mail back until `until` while one sender submits it. */
int case_store_outbox_lease(struct case_store *cs, long long id, time_t until,
                            const char *claimant);
/* Record a submission: sent, or failed with the next attempt's time. */
int case_store_outbox_done(struct case_store *cs, long long id, int sent, time_t now,
                           time_t next_attempt, const char *error);

/* JSON (json-c object, as text) for `cmectl cases` / `cmectl show`. */
struct case_filter {
	const char *status;       /* open (every not-closed case), closed, triage,
	                             long-term, visited, all */
	const char *officer;      /* NULL: any */
	const char *school;       /* substring, case-insensitive; NULL: any */
	int overdue;              /* only cases with a pending deadline past `now` */
	time_t now;
};
char *case_store_cases_json(struct case_store *cs, const struct case_filter *f);
char *case_store_show_json(struct case_store *cs, const char *ref);

#endif
