/*
 * cmectl_admin.c - the mail admin's commands: accept-restore, backup, verify, status.
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

/* After cme-milter refused a database that lost cases (truncated, or
 * restored from an older backup): the admin keeps it.  References issued
 * before stay reserved; new ones continue above them (store_guard.h). */
int cmd_accept_restore(struct ctl *ctl, int argc, char **argv)
{
	struct case_store *cs;
	char msg[1024];
	int rc;

	if (argc > 1)
		return fail(EXIT_USER, "unknown argument %s", argv[1]);
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	rc = case_store_accept_restore(cs, msg, sizeof msg);
	case_store_close(cs);
	if (rc != 0)
		return fail(EXIT_INTERNAL, "%s", msg);
	printf("%s\n", msg);
	return 0;
}

/* An online copy of the database (case_backup.h).  DATABASE.refs is not
 * copied: a restore keeps the live record (INSTALL.md). */
int cmd_backup(struct ctl *ctl, int argc, char **argv)
{
	struct case_backup_stats st;
	char err[1200];
	int rc, pages = 0;

	if (argc == 4 && strcmp(argv[1], "--step-pages") == 0) {
		pages = atoi(argv[2]);
		argc -= 2, argv += 2;
		if (pages < 1 || pages > 1000000)
			return fail(EXIT_USER, "%s", "--step-pages must be between 1 and 1000000");
	}
	if (argc != 2 || argv[1][0] == '-')
		return fail(EXIT_USER, "%s", "usage: backup [--step-pages N] FILE");
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if (case_backup(ctl->conf.database, argv[1], pages, &st, err, sizeof err) != 0)
		return fail(EXIT_INTERNAL, "%s", err);
	printf("%s: %lld pages, %lld bytes in %.3f s (%d steps); highest reference %s\n",
	       argv[1], st.pages, st.bytes, st.seconds, st.steps, *st.top_ref ? st.top_ref : "none");
	return 0;
}

/* Integrity, the reference sequence, orphan rows: one problem a line on
 * stdout, exit 1 if any.  A FILE is a copy: no reference record of its own. */
int cmd_verify(struct ctl *ctl, int argc, char **argv)
{
	struct strlist problems = STRLIST_INIT;
	const char *path;
	char err[1200];
	int rc;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return fail(EXIT_USER, "%s", "usage: verify [FILE]");
	if ((rc = load_conf(ctl, argc < 2)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	path = argc == 2 ? argv[1] : ctl->conf.database;
	rc = case_verify(path, argc < 2, &problems, err, sizeof err);
	if (rc < 0)
		return fail(EXIT_INTERNAL, "%s", err);
	for (size_t i = 0; i < problems.n; i++)
		printf("%s\n", problems.v[i]);
	strlist_free(&problems);
	/* The live database's policy: calendars that run out within six
	 * months are warned about (SPEC 6); a warning is not a failure. */
	if (argc < 2) {
		struct policy *pol = load_policy(ctl, NULL);

		if (pol != NULL && policy_calendar_warnings(pol, time(NULL), &problems) > 0)
			for (size_t i = 0; i < problems.n; i++)
				printf("%s\n", problems.v[i]);
		policy_free(pol);
		strlist_free(&problems);
	}
	if (rc == 0)
		printf("%s: ok\n", path);
	return rc == 0 ? 0 : EXIT_USER;
}

/* The state at a glance for the mail admin (case_backup.h); exit 1 when
 * the reminder outbox looks stuck, so a monitoring check can run it. */
int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct db_status st;
	time_t now = time(NULL);
	char err[1200], *text;
	int json = 0, stuck = 0, rc;

	if ((rc = json_now_options(argc, argv, 1, &json, &now)) != 0)
		return rc;
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if (db_status_read(ctl->conf.database, now, &st, err, sizeof err) != 0)
		return fail(EXIT_INTERNAL, "%s", err);
	if ((text = db_status_format(&st, json, &stuck)) == NULL)
		return fail(EXIT_INTERNAL, "%s", "out of memory");
	fputs(text, stdout);
	if (json)
		putchar('\n');
	free(text);
	return stuck ? EXIT_USER : 0;
}

