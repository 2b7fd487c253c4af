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
 * status).
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
/* argv[*i] is "--now T": 1 (consumed, *now set), -1 bad time, 0 not it. */
int take_now(int argc, char **argv, int *i, time_t *now);
/* The store of a command about case argv[1], or NULL with *rc set. */
struct case_store *case_command_store(struct ctl *ctl, int argc, const char *cmd, int *rc);
/* The policy `name` (the configured one when NULL), or NULL (printed). */
struct policy *load_policy(struct ctl *ctl, const char *name);

int cmd_parse(struct ctl *ctl, int argc, char **argv);
int cmd_ingest(struct ctl *ctl, int argc, char **argv);
int cmd_cases(struct ctl *ctl, int argc, char **argv);
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
/* cmectl_officer.c: edit, note, assign, merge, reopen, transfer, done
 * (argv[0] names which). */
int cmd_officer(struct ctl *ctl, int argc, char **argv);

#endif
