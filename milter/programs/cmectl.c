/*
 * cmectl - the CME officer's and mail admin's command-line tool.
 *
 * Owns: argument parsing and output formatting only.  Every command goes
 * through the same library as the milter: `parse` runs message+extract,
 * `ingest` runs the whole pipeline (pipeline_process), the rest read or
 * change the case store.  Exit status: 0 success, 1 user error (one line
 * on stderr), 2 internal error.
 */
#include "build-config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "case_backup.h"
#include "case_store.h"
#include "case_types.h"
#include "case_views.h"
#include "conf.h"
#include "deadline.h"
#include "extract.h"
#include "fileio.h"
#include "message.h"
#include "pipeline.h"
#include "policy.h"
#include "referral.h"
#include "reminder.h"
#include "strlist.h"
#include "textclean.h"
#include "trust.h"
#include "ukdate.h"
#include "logging.h"

#include <json-c/json.h>

#include "cmectl.h"

const char *const progname = "cmectl";

/*
 * The command table: name, function, arguments and one line on what it
 * does.  `cmectl --help` prints all of it; `cmectl COMMAND --help` (or
 * -h anywhere among a command's arguments) prints that command's line
 * and exits 0 without running it.
 */
static const struct command {
	const char *name;
	int (*run)(struct ctl *, int, char **);
	const char *args;
	const char *what;
} commands[] = {
	{ "parse", cmd_parse, "[--explain] [FILE|-]",
	  "print the referral JSON of one message (--explain: and where each field came from); "
	  "changes nothing" },
	{ "ingest", cmd_ingest, "[--now T] FILE...|MAILDIR|-",
	  "run the full pipeline on stored messages (backfill)" },
	{ "cases", cmd_cases,
	  "[--status S] [--officer E] [--school S] [--overdue] [--possible-duplicates] [--now T] "
	  "[--json]", "list cases (S: open, visited, triage, long-term, closed, all)" },
	{ "search", cmd_search, "TEXT [--json]",
	  "cases whose child matches a name, UPN or date of birth (any case, accents, hyphens)" },
	{ "show", cmd_show, "REF [--json] [--now T]", "one case: child, family, deadlines, timeline" },
	{ "deadlines", cmd_deadlines, "[--policy P] --from T",
	  "the deadlines a referral arriving at T would get" },
	{ "calendar", cmd_calendar, "", "rewrite every officer's reminder feed" },
	{ "visit", cmd_visit, "REF --date D --found yes|no [--note T]",
	  "record a home visit (D: 27/11/2026 or 2026-11-27)" },
	{ "close", cmd_close, "REF --outcome O [--note T]", "close a case with an outcome" },
	{ "report", cmd_report, "--month YYYY-MM [--csv [--cases] | --html [--months N]] [--now T]",
	  "the monthly performance indicators (--cases: one CSV row per case; --html: a page "
	  "with charts of the last N (12) months)" },
	{ "census", cmd_census,
	  "--term autumn-YYYY|spring-YYYY|summer-YYYY [--census-date D] [--csv] [--now T]",
	  "the termly DfE children-missing-education return: the children missing education at "
	  "the term's census date (D: when the DfE sets another day)" },
	{ "purge", cmd_purge, "[--years N] [--now T]",
	  "remove cases of children born more than N (25) years ago" },
	{ "archive-form", cmd_archive_form, "REF", "the long-term case 'archiving' form" },
	{ "accept-restore", cmd_accept_restore, "",
	  "keep a restored database (see cme-milter(8))" },
	{ "backup", cmd_backup, "[--step-pages N] FILE",
	  "copy the database while the milter runs" },
	{ "verify", cmd_verify, "[FILE]", "check the database (or a backup copy)" },
	{ "status", cmd_status, "[--json] [--now T]", "messages, cases, reminder outbox" },
	{ "digest", cmd_digest, "[--officer E] [--now T] [--send]",
	  "print (or with --send, mail) the daily digest, and do the day's escalations" },
	{ "edit", cmd_officer, "REF FIELD=VALUE... [--now T]",
	  "correct the child's or the referral's details (old and new value on the timeline)" },
	{ "note", cmd_officer, "REF TEXT [--now T]", "add a note to the timeline" },
	{ "assign", cmd_officer, "REF EMAIL [--now T]",
	  "give the case and its live reminders to another officer" },
	{ "merge", cmd_officer, "REF INTO-REF [--now T]",
	  "fold a duplicate case into another: nothing lost, both timelines kept" },
	{ "reopen", cmd_officer, "REF [--now T]", "reopen a closed case, with new deadlines" },
	{ "transfer", cmd_officer, "REF --to-la NAME [--email ADDR] [--now T]",
	  "the child moved to another LA: close, record it and notify that LA" },
	{ "vocabulary", cmd_vocabulary, "--learned [--json] | --export DOMAIN",
	  "labels learned from officers' corrections; export as a labels.vocab file" },
	{ "done", cmd_officer, "REF immediate [--now T]", "the immediate step was done" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-c FILE] COMMAND [ARGS]   (%s COMMAND --help for one)\n"
	        "commands:\n", progname, progname);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-14s %s\n  %-14s   %s\n", commands[i].name, commands[i].args, "",
		        commands[i].what);
	fprintf(f, "Dates: 27/11/2026 or 2026-11-27; --now takes ISO 8601 "
	        "(2026-11-27T10:00Z).  Case references in any case.\n");
}

/* "--help" or "-h" among a command's own arguments (before a "--"). */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl;
	int opt, rc;

	memset(&ctl, 0, sizeof ctl);
	(void)case_store_init_library();   /* before any SQLite call */
	/* imip_submit (outbox flushes) needs EPIPE rather than the signal. */
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			ctl.conf_path = optarg;
			break;
		case 'V':
			printf("cmectl %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USER;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USER;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (wants_help(argc - optind, argv + optind)) {
			printf("usage: %s [-c FILE] %s %s\n  %s\n", progname, commands[i].name,
			       commands[i].args, commands[i].what);
			return 0;
		}
		rc = commands[i].run(&ctl, argc - optind, argv + optind);
		if (ctl.conf_loaded || ctl.conf.database)
			conf_free(&ctl.conf);
		return rc;
	}
	fprintf(stderr, "%s: unknown command %s (%s --help lists them)\n", progname, argv[optind],
	        progname);
	return EXIT_USER;
}
