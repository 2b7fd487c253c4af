/*
 * cmectl.h - private to milter/programs/cmectl*.c: what the command files
 * share.
 *
 * NAME
 *	cmectl - the command-line tool's shared state and helpers
 *
 * Owns: struct ctl (the configuration one cmectl run loads once).  The
 * files: cmectl.c (main, usage, the command table), cmectl_common.c (the
 * helpers below), cmectl_ingest.c (parse, ingest), cmectl_cases.c (cases,
 * show, deadlines, calendar, visit, close), cmectl_officer.c (edit, note,
 * assign, merge, reopen, transfer, done), cmectl_report.c (report,
 * purge, archive-form), cmectl_admin.c (accept-restore, backup, verify,
 * status), cmectl_digest.c (digest), cmectl_census.c (census: the
 * termly DfE return), cmectl_progress.c (the progress line of a long
 * ingest).
 *
 * Return conventions: a cmd_* function returns the process exit status:
 * 0 success, EXIT_USER (1) a user error with one line on stderr,
 * EXIT_INTERNAL (2) an internal error.  fail() prints "cmectl: MESSAGE"
 * and returns its code.
 *
 * Concurrency: cmectl is single-threaded.
 */
#ifndef CME_CMECTL_H
#define CME_CMECTL_H

#include <stdio.h>
#include <time.h>

#include "conf.h"

#define EXIT_USER 1
#define EXIT_INTERNAL 2

struct ctl {
	struct cme_conf conf;
	const char *conf_path;
	int conf_loaded;
};

struct pipeline;
struct case_store;
struct policy;

extern const char *const progname;

int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ISO 8601 date or date-time; a time without a zone is UTC.  0 or -1. */
int parse_iso_time(const char *s, time_t *out);
/* Load ctl->conf_path (or the default); required: a missing file is an
 * error.  0 or an exit code (messages printed). */
int load_conf(struct ctl *ctl, int required);
/* As root, become the milter's UserID.  0 or an exit code. */
int become_milter_user(const struct cme_conf *c);
struct pipeline *open_pipeline(struct ctl *ctl);       /* NULL: printed */
struct case_store *open_store(struct ctl *ctl);        /* NULL: printed */
/* The store as of `now` for a read: long-term sweep applied inside a
 * transaction close_read_store() rolls back.  NULL: printed. */
struct case_store *open_read_store(struct ctl *ctl, time_t now);
void close_read_store(struct case_store *cs);
/* argv[*i] is "--now T": 1 (consumed, *now set), -1 bad time, 0 not it. */
int take_now(int argc, char **argv, int *i, time_t *now);
/* When to send what a command queued as of `now`: now, or the present if
 * that is later.  Mail queued as of a --now in the future (a test, or a
 * clock behind the referral's) is due at once, never left unsent until
 * the clock catches up; a --now in the past (backfill) changes nothing. */
time_t flush_time(time_t now);
/* A command's options as a table: a flag sets *flag to 1, a valued
 * option sets *value to the next argument; "--now T" sets *now (when
 * now is not NULL).  Anything else is an unknown argument.  0, or a
 * fail() code (printed). */
struct cmd_opt {
	const char *name;        /* "--csv" */
	int *flag;               /* a flag's, or NULL */
	const char **value;      /* a valued option's, or NULL */
};
int cmd_options(int argc, char **argv, int first, const struct cmd_opt *opts, size_t n,
                time_t *now);
/* Options of a read taking only --json and --now, from argv[first]. */
int json_now_options(int argc, char **argv, int first, int *json, time_t *now);
/* The store of a command about case argv[1], or NULL with *rc set. */
struct case_store *case_command_store(struct ctl *ctl, int argc, const char *cmd, int *rc);
/* An officer's date: ISO or a UK form (27/11/2026), the whole string.
 * 0 or -1. */
struct ymd;
int parse_user_date(const char *s, struct ymd *out);
/* 1 if d is after today's date in England at now. */
int date_in_future(const struct ymd *d, time_t now);
/* The policy `name` (the configured one when NULL), or NULL (printed). */
struct policy *load_policy(struct ctl *ctl, const char *name);

/* One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or
 * LF; a cell starting with = + - @ (or TAB/CR) gets a leading apostrophe
 * so that a spreadsheet shows untrusted text rather than running it.
 * `first`: no comma before it. */
void csv_cell(FILE *f, const char *text, int first);

/* cmectl_sheet.c: the human forms of `cases --json` and `show --json`,
 * times in the policy's zone, days overdue at now. */
void print_cases_table(const char *json, const struct policy *pol, time_t now);
void print_case_sheet(const char *json, const struct policy *pol, time_t now);

/* cmectl_progress.c: a progress line on stderr when stderr is a terminal
 * ("ingest: 1,234 of 50,000 messages (2.5%), 410/s, about 2 min left"),
 * redrawn at most a few times a second, ending with a summary line; when
 * stderr is not a terminal every call does nothing.  Call
 * progress_clear() before writing to stderr and progress_before_stdout()
 * before writing to stdout: the line is taken away first (if stdout is
 * the same terminal) and drawn again, up to date, at the next step. */
struct progress {
	size_t total, done;
	const char *what;               /* "ingest" */
	int tty, stdout_tty, shown;
	double started, last_draw;      /* CLOCK_MONOTONIC seconds */
	char line[160];
};
void progress_start(struct progress *p, size_t total, const char *what);
void progress_step(struct progress *p, size_t done);
void progress_clear(struct progress *p);
void progress_before_stdout(struct progress *p);
void progress_end(struct progress *p, size_t failed);

int cmd_parse(struct ctl *ctl, int argc, char **argv);
int cmd_ingest(struct ctl *ctl, int argc, char **argv);
int cmd_cases(struct ctl *ctl, int argc, char **argv);
int cmd_search(struct ctl *ctl, int argc, char **argv);
int cmd_show(struct ctl *ctl, int argc, char **argv);
int cmd_deadlines(struct ctl *ctl, int argc, char **argv);
int cmd_calendar(struct ctl *ctl, int argc, char **argv);
int cmd_visit(struct ctl *ctl, int argc, char **argv);
int cmd_close(struct ctl *ctl, int argc, char **argv);
int cmd_report(struct ctl *ctl, int argc, char **argv);
int cmd_purge(struct ctl *ctl, int argc, char **argv);
int cmd_archive_form(struct ctl *ctl, int argc, char **argv);
int cmd_accept_restore(struct ctl *ctl, int argc, char **argv);
int cmd_backup(struct ctl *ctl, int argc, char **argv);
int cmd_verify(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
int cmd_digest(struct ctl *ctl, int argc, char **argv);      /* cmectl_digest.c */
int cmd_census(struct ctl *ctl, int argc, char **argv);      /* cmectl_census.c */
/* cmectl_officer.c: edit, note, assign, merge, reopen, transfer, done
 * (argv[0] names which). */
int cmd_officer(struct ctl *ctl, int argc, char **argv);
int cmd_vocabulary(struct ctl *ctl, int argc, char **argv);  /* cmectl_vocab.c */

#endif
