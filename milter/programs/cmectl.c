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

static void usage(void)
{
	fprintf(stderr,
	    "usage: %s [-c FILE] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  parse [FILE|-]                    print the referral JSON of one message\n"
	    "  ingest [--now T] FILE...|MAILDIR|-  run the full pipeline on stored messages\n"
	    "  cases [--status S] [--officer E] [--school S] [--overdue] [--json]\n"
	    "  show REF [--json]\n"
	    "  deadlines [--policy P] --from T\n"
	    "  calendar\n"
	    "  visit REF --date D --found yes|no [--note T]\n"
	    "  close REF --outcome O [--note T]\n"
	    "  edit REF FIELD=VALUE...           correct the child's or the referral's details\n"
	    "  note REF TEXT                     add a note to the timeline\n"
	    "  assign REF EMAIL                  give the case and its reminders to an officer\n"
	    "  merge REF INTO-REF                fold a duplicate case into another\n"
	    "  reopen REF                        reopen a closed case, with new deadlines\n"
	    "  transfer REF --to-la NAME [--email ADDR]  the child moved to another LA\n"
	    "  done REF immediate                the immediate step was done\n"
	    "  report --month YYYY-MM [--csv]\n"
	    "  purge [--years N] [--now T]\n"
	    "  archive-form REF\n"
	    "  accept-restore                    keep a restored database (see cme-milter(8))\n"
	    "  backup [--step-pages N] FILE      copy the database while the milter runs\n"
	    "  verify [FILE]                     check the database (or a backup copy)\n"
	    "  status [--json] [--now T]         messages, cases, reminder outbox\n",
	    progname);
}

static const struct command {
	const char *name;
	int (*run)(struct ctl *, int, char **);
} commands[] = {
	{ "parse", cmd_parse }, { "ingest", cmd_ingest }, { "cases", cmd_cases },
	{ "show", cmd_show }, { "deadlines", cmd_deadlines }, { "calendar", cmd_calendar },
	{ "visit", cmd_visit }, { "close", cmd_close }, { "report", cmd_report },
	{ "purge", cmd_purge }, { "archive-form", cmd_archive_form },
	{ "accept-restore", cmd_accept_restore }, { "backup", cmd_backup },
	{ "verify", cmd_verify }, { "status", cmd_status },
	{ "edit", cmd_officer }, { "note", cmd_officer }, { "assign", cmd_officer },
	{ "merge", cmd_officer }, { "reopen", cmd_officer }, { "transfer", cmd_officer },
	{ "done", cmd_officer },
};

int main(int argc, char **argv)
{
	struct ctl ctl;
	int opt, rc;

	memset(&ctl, 0, sizeof ctl);
	/* imip_submit (outbox flushes) needs EPIPE rather than the signal. */
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "+c:hV")) != -1) {
		switch (opt) {
		case 'c':
			ctl.conf_path = optarg;
			break;
		case 'V':
			printf("cmectl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
			return opt == 'h' ? 0 : EXIT_USER;
		}
	}
	if (optind >= argc) {
		usage();
		return EXIT_USER;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			rc = commands[i].run(&ctl, argc - optind, argv + optind);
			if (ctl.conf_loaded || ctl.conf.database)
				conf_free(&ctl.conf);
			return rc;
		}
	}
	fprintf(stderr, "%s: unknown command %s\n", progname, argv[optind]);
	usage();
	return EXIT_USER;
}
