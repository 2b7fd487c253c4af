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
#include "vocab.h"
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

/* The vocabulary the configuration names (or the defaults): its files
 * are checked here, every problem as FILE:LINE on stderr. */
static int load_vocabulary(const struct cme_conf *c)
{
	struct strlist errors = STRLIST_INIT;
	int rc = 0;

	if (vocab_load(c->shipped_vocabulary_dir, c->vocabulary_dir, &errors) != 0) {
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		rc = EXIT_USER;
	}
	strlist_free(&errors);
	return rc;
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
			return load_vocabulary(&ctl->conf);
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
	return load_vocabulary(&ctl->conf);
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

time_t flush_time(time_t now)
{
	time_t real = time(NULL);

	return now > real ? now : real;
}

int cmd_options(int argc, char **argv, int first, const struct cmd_opt *opts, size_t n,
                time_t *now)
{
	for (int i = first; i < argc; i++) {
		const struct cmd_opt *o = NULL;
		int t = now ? take_now(argc, argv, &i, now) : 0;

		if (t < 0)
			return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		if (t > 0)
			continue;
		for (size_t k = 0; k < n && o == NULL; k++)
			if (strcmp(argv[i], opts[k].name) == 0)
				o = &opts[k];
		if (o == NULL)
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
		if (o->value == NULL) {
			*o->flag = 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			return fail(EXIT_USER, "%s needs a value", argv[i]);
		}
	}
	return 0;
}

/* The options of a read that takes only --json and --now, from
 * argv[first].  0 or a fail() code. */
int json_now_options(int argc, char **argv, int first, int *json, time_t *now)
{
	const struct cmd_opt opts[] = { { "--json", json, NULL } };

	return cmd_options(argc, argv, first, opts, 1, now);
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


/* A date as an officer types it: ISO "2026-11-27" or any UK form ukdate
 * reads ("27/11/2026", "27.11.26", "27 November 2026"), the whole
 * argument and nothing else. */
int parse_user_date(const char *s, struct ymd *out)
{
	size_t len = strlen(s), used = 0;

	if (ymd_parse_iso(s, out) == 0)
		return 0;
	if (len == 0 || len > 40 || s[0] < '0' || s[0] > '9')
		return -1;
	if (ukdate_find(s, len, out, &used) != 1 || used != len)
		return -1;
	return 0;
}

/* 1 if d is after today in England at `now`.  England is UTC or UTC+1,
 * so "today" is the UTC date of now + 1 hour at the latest: a date is
 * refused only when it is after that (an hour's slack in winter). */
int date_in_future(const struct ymd *d, time_t now)
{
	struct tm tm;
	time_t t = now + 3600;
	struct ymd today;

	gmtime_r(&t, &tm);
	today.y = tm.tm_year + 1900;
	today.m = tm.tm_mon + 1;
	today.d = tm.tm_mday;
	return ymd_cmp(d, &today) > 0;
}

/*
 * The store as it stands at `now`, for a read (cases, report): a case
 * whose long-term review has come due by then is shown long-term.  The
 * sweep that says so runs inside a transaction that close_read_store()
 * rolls back, so a read - with --now in the past or the future, or
 * without - never writes to the database (SPEC 3.3); the milter's own
 * sweep makes the change for real.
 */
struct case_store *open_read_store(struct ctl *ctl, time_t now)
{
	struct case_store *cs = open_store(ctl);
	int n;

	if (cs == NULL)
		return NULL;
	if (case_store_begin(cs) != 0) {
		fprintf(stderr, "%s: %s\n", progname, case_store_errmsg(cs));
		case_store_close(cs);
		return NULL;
	}
	/* a sweep takes at most 256 cases a call */
	while ((n = case_store_sweep_long_term(cs, now, NULL)) >= 256)
		;
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", progname, case_store_errmsg(cs));
		close_read_store(cs);
		return NULL;
	}
	return cs;
}

void close_read_store(struct case_store *cs)
{
	case_store_rollback(cs);
	case_store_close(cs);
}

void csv_cell(FILE *f, const char *text, int first)
{
	const char *t = text ? text : "";
	int quote = strpbrk(t, ",\"\r\n") != NULL;

	if (!first)
		fputc(',', f);
	if (quote)
		fputc('"', f);
	if (strchr("=+-@\t\r", *t) != NULL && *t != '\0')
		fputc('\'', f);
	for (; *t; t++) {
		if (*t == '"')
			fputc('"', f);
		fputc(*t, f);
	}
	if (quote)
		fputc('"', f);
}
