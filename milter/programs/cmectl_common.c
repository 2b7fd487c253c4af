/*
 * cmectl_common.c - the helpers every cmectl command shares (cmectl.h).
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

int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* ISO 8601 "2026-11-22", "2026-11-22T14:00", "2026-11-22T14:00:00Z",
 * "...+01:00".  A time without zone is UTC. */
int parse_iso_time(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0;
	const char *p;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		int k = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2)
			return -1;
		p += 1 + k;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &k) != 1)
				return -1;
			p += 1 + k;
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) - off;
	return 0;
}

int load_conf(struct ctl *ctl, int required)
{
	struct strlist errors = STRLIST_INIT;
	struct stat st;

	conf_defaults(&ctl->conf);
	if (ctl->conf_path == NULL) {
		if (stat(conf_default_path(), &st) != 0) {
			if (required)
				return fail(EXIT_USER, "no configuration file (%s); use -c FILE",
				            conf_default_path());
			return 0;
		}
		ctl->conf_path = conf_default_path();
	}
	if (conf_load(&ctl->conf, ctl->conf_path, &errors) != 0) {
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		strlist_free(&errors);
		return EXIT_USER;
	}
	ctl->conf_loaded = 1;
	return 0;
}

/*
 * When run as root, become the milter's UserID before touching the
 * database or reminder files, so that files SQLite creates (-wal, -shm)
 * or feeds rewritten here stay writable by the milter.
 */
int become_milter_user(const struct cme_conf *c)
{
	char user[256];
	char *colon;
	struct passwd *pw;
	gid_t gid;

	if (geteuid() != 0 || c->user_id == NULL)
		return 0;
	snprintf(user, sizeof user, "%s", c->user_id);
	colon = strchr(user, ':');
	if (colon)
		*colon++ = '\0';
	pw = getpwnam(user);
	if (pw == NULL)
		return 0;   /* no such user here: stay root (tests, demos) */
	gid = pw->pw_gid;
	if (colon) {
		struct group *gr = getgrnam(colon);

		if (gr)
			gid = gr->gr_gid;
	}
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(pw->pw_uid) != 0)
		return fail(EXIT_INTERNAL, "cannot become %s", c->user_id);
	return 0;
}

/* ------------------------------------------------------------------ */

struct pipeline *open_pipeline(struct ctl *ctl)
{
	struct strlist errors = STRLIST_INIT;
	struct pipeline *p = pipeline_new(&ctl->conf, &errors);

	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "%s: %s\n", progname, errors.v[i]);
	strlist_free(&errors);
	return p;
}

struct case_store *open_store(struct ctl *ctl)
{
	char err[512];
	struct case_store *cs = case_store_open(ctl->conf.database, err, sizeof err);

	if (cs == NULL)
		fprintf(stderr, "%s: %s\n", progname, err);
	return cs;
}

/* Options every time-reading command takes: --now T. */
int take_now(int argc, char **argv, int *i, time_t *now)
{
	if (strcmp(argv[*i], "--now") != 0 || *i + 1 >= argc)
		return 0;
	if (parse_iso_time(argv[++*i], now) != 0)
		return -1;
	return 1;
}

/* The store of a command about case argv[1] (show, archive-form), or
 * NULL with an exit code in *rc and the message printed. */
struct case_store *case_command_store(struct ctl *ctl, int argc, const char *cmd,
                                             int *rc)
{
	struct case_store *cs;

	if (argc < 2) {
		*rc = fail(EXIT_USER, "%s needs a case reference", cmd);
		return NULL;
	}
	if ((*rc = load_conf(ctl, 1)) != 0 || (*rc = become_milter_user(&ctl->conf)) != 0)
		return NULL;
	if ((cs = open_store(ctl)) == NULL)
		*rc = EXIT_INTERNAL;
	return cs;
}

/* The policy `name` (the configured one when NULL), or NULL with its
 * problems printed. */
struct policy *load_policy(struct ctl *ctl, const char *name)
{
	struct strlist errors = STRLIST_INIT;
	struct policy *pol;

	deadline_global_init();
	pol = policy_load(name ? name : ctl->conf.policy, ctl->conf.policy_dir,
	                  ctl->conf.calendar_dir, &errors);
	if (pol == NULL)
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
	strlist_free(&errors);
	return pol;
}

