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

#define EXIT_USER 1
#define EXIT_INTERNAL 2

static const char *progname = "cmectl";

static void usage(void)
{
	fprintf(stderr,
	    "usage: %s [-c FILE] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  parse [--explain] [FILE|-]        print the referral JSON of one message\n"
	    "                                    (--explain: and where each field came from)\n"
	    "  ingest [--now T] FILE...|MAILDIR|-  run the full pipeline on stored messages\n"
	    "  cases [--status S] [--officer E] [--school S] [--overdue] [--json]\n"
	    "  show REF [--json]\n"
	    "  deadlines [--policy P] --from T\n"
	    "  calendar\n"
	    "  visit REF --date D --found yes|no [--note T]\n"
	    "  close REF --outcome O [--note T]\n"
	    "  report --month YYYY-MM [--csv]\n"
	    "  purge [--years N] [--now T]\n"
	    "  archive-form REF\n"
	    "  accept-restore                    keep a restored database (see cme-milter(8))\n"
	    "  backup [--step-pages N] FILE      copy the database while the milter runs\n"
	    "  verify [FILE]                     check the database (or a backup copy)\n"
	    "  status [--json] [--now T]         messages, cases, reminder outbox\n",
	    progname);
}

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
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
static int parse_iso_time(const char *s, time_t *out)
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

struct ctl {
	struct cme_conf conf;
	const char *conf_path;
	int conf_loaded;
};

static int load_conf(struct ctl *ctl, int required)
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
static int become_milter_user(const struct cme_conf *c)
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

static int cmd_parse(struct ctl *ctl, int argc, char **argv)
{
	int explain = argc > 1 && strcmp(argv[1], "--explain") == 0;
	const char *path = argc > 1 + explain ? argv[1 + explain] : "-";
	struct message_limits lim;
	struct extract_options eo;
	struct trust_context tc;
	struct cme_message *m;
	struct cme_referral r;
	struct policy *pol = NULL;
	struct strlist errors = STRLIST_INIT;
	size_t len;
	int truncated, rc;
	char *raw, *json;

	if ((rc = load_conf(ctl, 0)) != 0)
		return rc;
	message_limits_default(&lim);
	lim.max_bytes = ctl->conf.max_message_size;
	raw = file_read_all(path, lim.max_bytes, &len, &truncated);
	if (raw == NULL)
		return fail(EXIT_USER, "cannot read %s", path);
	extract_options_default(&eo);
	if (ctl->conf_loaded) {
		pol = policy_load(ctl->conf.policy, ctl->conf.policy_dir,
		                  ctl->conf.calendar_dir, &errors);
		if (pol)
			eo.immediate_flags = pol->immediate_flags;
		memset(&tc, 0, sizeof tc);
		tc.trusted_authserv_ids = &ctl->conf.trusted_authserv_ids;
		tc.internal_hosts = &ctl->conf.internal_hosts;
		tc.trusted_sender_domains = &ctl->conf.trusted_sender_domains;
		tc.public_suffixes = &ctl->conf.public_suffixes;
		eo.trust = &tc;
	}
	m = message_parse(raw, len, &lim);
	if (m == NULL) {
		free(raw);
		return fail(EXIT_INTERNAL, "out of memory reading %s", path);
	}
	referral_init(&r);
	if (extract_referral(m, &eo, &r) != 0) {
		message_free(m);
		free(raw);
		return fail(EXIT_INTERNAL, "out of memory reading %s", path);
	}
	if (truncated && strlist_add(&r.problems, "the message was larger than MaxMessageSize; "
	                             "only the first part was read") != 0) {
		referral_free(&r);
		message_free(m);
		free(raw);
		return fail(EXIT_INTERNAL, "out of memory reading %s", path);
	}
	json = referral_to_json(&r);
	if (json)
		printf("%s\n", json);
	if (json && explain) {
		/* after the JSON, so the JSON stays what plain parse prints */
		char *why = referral_explain(&r);

		if (why)
			printf("\nwhere each field came from:\n%s", why);
		free(why);
	}
	free(json);
	referral_free(&r);
	message_free(m);
	free(raw);
	policy_free(pol);
	strlist_free(&errors);
	return json ? 0 : EXIT_INTERNAL;
}

static struct pipeline *open_pipeline(struct ctl *ctl)
{
	struct strlist errors = STRLIST_INIT;
	struct pipeline *p = pipeline_new(&ctl->conf, &errors);

	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "%s: %s\n", progname, errors.v[i]);
	strlist_free(&errors);
	return p;
}

static int ingest_one(struct pipeline *p, const char *path, time_t now, int *failed)
{
	struct pipeline_input in;
	struct pipeline_result res;
	size_t len;
	int truncated;
	char *raw = file_read_all(path, 64u * 1024 * 1024, &len, &truncated);

	if (raw == NULL) {
		fprintf(stderr, "%s: cannot read %s: %s\n", progname, path, strerror(errno));
		(*failed)++;
		return 0;
	}
	memset(&in, 0, sizeof in);
	in.raw = raw;
	in.len = len;
	in.now = now ? now : time(NULL);
	pipeline_result_init(&res);
	if (pipeline_process(p, &in, &res) != 0) {
		fprintf(stderr, "%s: %s: could not be stored; nothing was changed\n",
		        progname, path);
		(*failed)++;
	} else {
		printf("%s %s", res.message_key ? res.message_key : "-", res.action);
		for (size_t i = 0; i < res.refs.n; i++)
			printf(" %s", res.refs.v[i]);
		printf("\n");
	}
	pipeline_result_free(&res);
	free(raw);
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A Maildir's cur/ and new/ files in name order (names start with the
 * delivery time, so this is arrival order). */
static int ingest_maildir(struct pipeline *p, const char *dir, time_t now, int *failed)
{
	static const char *const subs[] = { "cur", "new" };
	struct strlist files = STRLIST_INIT;

	for (size_t s = 0; s < 2; s++) {
		char sub[4096];
		DIR *d;
		struct dirent *de;

		snprintf(sub, sizeof sub, "%s/%s", dir, subs[s]);
		if ((d = opendir(sub)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			char full[8192];

			if (de->d_name[0] == '.')
				continue;
			snprintf(full, sizeof full, "%s/%s", sub, de->d_name);
			if (strlist_add(&files, full) != 0) {
				/* a file left out would be a message never ingested */
				closedir(d);
				strlist_free(&files);
				*failed = 1;
				return fail(EXIT_INTERNAL, "out of memory listing %s", dir);
			}
		}
		closedir(d);
	}
	if (files.n > 0)
		qsort(files.v, files.n, sizeof files.v[0], path_cmp);
	for (size_t i = 0; i < files.n; i++)
		ingest_one(p, files.v[i], now, failed);
	strlist_free(&files);
	return 0;
}

static int cmd_ingest(struct ctl *ctl, int argc, char **argv)
{
	time_t now = 0;
	int rc, failed = 0, i = 1;
	struct pipeline *p;

	if ((rc = load_conf(ctl, 1)) != 0)
		return rc;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			if (parse_iso_time(argv[++i], &now) != 0)
				return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		} else {
			return fail(EXIT_USER, "unknown option %s", argv[i]);
		}
	}
	if (i >= argc)
		return fail(EXIT_USER, "%s", "ingest needs FILE..., a Maildir or -");
	if ((rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((p = open_pipeline(ctl)) == NULL)
		return EXIT_INTERNAL;
	pipeline_defer_feeds(p, 1);     /* one feed rewrite per officer, at the end */
	for (; i < argc; i++) {
		struct stat st;

		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			ingest_maildir(p, argv[i], now, &failed);
		else
			ingest_one(p, argv[i], now, &failed);
	}
	/* Reminder mails queued by these messages go now (real time, not
	 * --now: the MTA lives in the present). */
	if (pipeline_write_dirty_feeds(p) != 0)
		fprintf(stderr, "%s: the reminder feeds could not all be written; "
		        "run cmectl calendar\n", progname);
	(void)pipeline_flush_outbox(p, time(NULL));
	pipeline_free(p);
	return failed ? EXIT_INTERNAL : 0;
}

static struct case_store *open_store(struct ctl *ctl)
{
	char err[512];
	struct case_store *cs = case_store_open(ctl->conf.database, err, sizeof err);

	if (cs == NULL)
		fprintf(stderr, "%s: %s\n", progname, err);
	return cs;
}

/* Human form of `cases --json`: one line per case. */
static void print_cases_table(const char *json);

/* Options every time-reading command takes: --now T. */
static int take_now(int argc, char **argv, int *i, time_t *now)
{
	if (strcmp(argv[*i], "--now") != 0 || *i + 1 >= argc)
		return 0;
	if (parse_iso_time(argv[++*i], now) != 0)
		return -1;
	return 1;
}

static int cmd_cases(struct ctl *ctl, int argc, char **argv)
{
	struct case_filter f;
	int json = 0, rc;
	struct case_store *cs;
	struct pipeline *p;
	char *text;
	const char *status = case_status_name(CASE_OPEN);

	memset(&f, 0, sizeof f);
	f.now = time(NULL);
	for (int i = 1; i < argc; i++) {
		int t = take_now(argc, argv, &i, &f.now);

		if (t < 0)
			return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		if (t > 0)
			continue;
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--overdue") == 0)
			f.overdue = 1;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else if (strcmp(argv[i], "--officer") == 0 && i + 1 < argc)
			f.officer = argv[++i];
		else if (strcmp(argv[i], "--school") == 0 && i + 1 < argc)
			f.school = argv[++i];
		else
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
	}
	f.all = strcmp(status, "all") == 0;
	f.status = case_status_from_name(status);
	if (!f.all && f.status == CASE_STATUS_NONE)
		return fail(EXIT_USER, "unknown status %s (open, closed, triage, long-term, visited, all)",
		            status);
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	/* Long-term is a matter of time passing: bring it up to date first. */
	if ((p = open_pipeline(ctl)) == NULL)
		return EXIT_INTERNAL;
	(void)pipeline_sweep(p, f.now);
	pipeline_free(p);
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	text = case_views_cases_json(cs, &f);
	case_store_close(cs);
	if (text == NULL)
		return fail(EXIT_INTERNAL, "%s", "cannot read the case list");
	if (json)
		printf("%s\n", text);
	else
		print_cases_table(text);
	free(text);
	return 0;
}

/* The store of a command about case argv[1] (show, archive-form), or
 * NULL with an exit code in *rc and the message printed. */
static struct case_store *case_command_store(struct ctl *ctl, int argc, const char *cmd,
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

static int cmd_show(struct ctl *ctl, int argc, char **argv)
{
	int rc;
	struct case_store *cs = case_command_store(ctl, argc, "show", &rc);
	char *text;

	if (cs == NULL)
		return rc;
	text = case_views_show_json(cs, argv[1]);
	case_store_close(cs);
	if (text == NULL)
		return fail(EXIT_USER, "no case %s", argv[1]);
	printf("%s\n", text);   /* JSON is the only form for now */
	free(text);
	return 0;
}

/* The policy `name` (the configured one when NULL), or NULL with its
 * problems printed. */
static struct policy *load_policy(struct ctl *ctl, const char *name)
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

static int cmd_deadlines(struct ctl *ctl, int argc, char **argv)
{
	const char *policy_name = NULL;
	time_t from = (time_t)-1;
	struct policy *pol;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc)
			policy_name = argv[++i];
		else if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--now") == 0) &&
		         i + 1 < argc) {
			if (parse_iso_time(argv[++i], &from) != 0)
				return fail(EXIT_USER, "bad time: %s", argv[i]);
		} else
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
	}
	if (from == (time_t)-1)
		from = time(NULL);
	if ((rc = load_conf(ctl, 0)) != 0)
		return rc;
	if ((pol = load_policy(ctl, policy_name)) == NULL)
		return EXIT_USER;
	{
		const struct duration *ds[] = { &pol->home_visit, &pol->escalation, &pol->long_term };
		static const enum deadline_kind kinds[] = { DL_KIND_HOME_VISIT, DL_KIND_ESCALATION,
		                                            DL_KIND_LONG_TERM_REVIEW };
		char buf[64], dur[64];

		deadline_format_local(pol, from, buf, sizeof buf);
		printf("policy: %s\nfrom: %s\n", pol->name ? pol->name : "(unnamed)", buf);
		for (size_t i = 0; i < 3; i++) {
			time_t due = deadline_due(pol, ds[i], from);

			if (due == (time_t)-1)
				continue;
			deadline_format_local(pol, due, buf, sizeof buf);
			duration_format(ds[i], dur, sizeof dur);
			printf("%-17s %s  (%s)\n", deadline_kind_name(kinds[i]), buf, dur);
		}
	}
	policy_free(pol);
	return 0;
}

static int cmd_calendar(struct ctl *ctl, int argc, char **argv)
{
	struct pipeline *p;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((p = open_pipeline(ctl)) == NULL)
		return EXIT_INTERNAL;
	rc = pipeline_write_feeds(p);
	pipeline_free(p);
	if (rc != 0)
		return fail(EXIT_INTERNAL, "%s", "could not write the reminder feeds");
	printf("feeds written to %s\n", ctl->conf.reminder_dir);
	return 0;
}


/* Read "--date D --found yes|no --note T --outcome O --now T" style
 * options shared by visit and close.  Returns 0 or a fail() code. */
struct action_opts {
	const char *date, *found, *note, *outcome;
	time_t now;
};

static int action_options(int argc, char **argv, int first, struct action_opts *o)
{
	o->now = time(NULL);
	for (int i = first; i < argc; i++) {
		int t = take_now(argc, argv, &i, &o->now);

		if (t < 0)
			return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		if (t > 0)
			continue;
		if (i + 1 >= argc)
			return fail(EXIT_USER, "%s needs a value", argv[i]);
		if (strcmp(argv[i], "--date") == 0)
			o->date = argv[++i];
		else if (strcmp(argv[i], "--found") == 0)
			o->found = argv[++i];
		else if (strcmp(argv[i], "--note") == 0)
			o->note = argv[++i];
		else if (strcmp(argv[i], "--outcome") == 0)
			o->outcome = argv[++i];
		else
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
	}
	return 0;
}

/* Officer notes go to the timeline; keep them one bounded line. */
static int note_ok(const char *note)
{
	if (note == NULL)
		return 1;
	if (strlen(note) > 1000)
		return 0;
	for (const unsigned char *p = (const unsigned char *)note; *p; p++)
		if (*p < 0x20 && *p != '\t')
			return 0;
	return 1;
}

static int run_officer_action(struct ctl *ctl, const char *ref, int (*act)(struct pipeline *,
                              const char *, const struct action_opts *),
                              const struct action_opts *o)
{
	struct pipeline *p;
	struct action_opts co = *o;
	char *note = NULL;
	int rc;

	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	/* A note is stored like any value from a message: no bidi controls,
	 * zero-width or other invisible characters (textclean.h). */
	if (o->note && (note = text_clean(o->note, strlen(o->note), 1000)) == NULL)
		return fail(EXIT_INTERNAL, "%s", "out of memory");
	co.note = note;
	if ((p = open_pipeline(ctl)) == NULL) {
		free(note);
		return EXIT_INTERNAL;
	}
	rc = act(p, ref, &co);
	free(note);
	if (rc == 0)
		(void)pipeline_flush_outbox(p, time(NULL));
	pipeline_free(p);
	if (rc == 1)
		return fail(EXIT_USER, "no open case %s", ref);
	if (rc != 0)
		return fail(EXIT_INTERNAL, "%s could not be changed; nothing was stored", ref);
	return 0;
}

static int act_visit(struct pipeline *p, const char *ref, const struct action_opts *o)
{
	return pipeline_record_visit(p, ref, o->date, strcmp(o->found, "yes") == 0, o->note, o->now);
}

static int act_close(struct pipeline *p, const char *ref, const struct action_opts *o)
{
	return pipeline_close_case(p, ref, o->outcome, o->note, o->now);
}

static int cmd_visit(struct ctl *ctl, int argc, char **argv)
{
	struct action_opts o;
	struct ymd d;
	int rc;

	memset(&o, 0, sizeof o);
	if (argc < 2 || argv[1][0] == '-')
		return fail(EXIT_USER, "%s", "usage: visit REF --date D --found yes|no [--note T]");
	if ((rc = action_options(argc, argv, 2, &o)) != 0)
		return rc;
	if (o.date == NULL || ymd_parse_iso(o.date, &d) != 0)
		return fail(EXIT_USER, "%s", "visit needs --date YYYY-MM-DD");
	if (o.found == NULL || (strcmp(o.found, "yes") && strcmp(o.found, "no")))
		return fail(EXIT_USER, "%s", "visit needs --found yes or --found no");
	if (!note_ok(o.note))
		return fail(EXIT_USER, "%s", "--note must be one line of at most 1000 characters");
	rc = run_officer_action(ctl, argv[1], act_visit, &o);
	if (rc == 0)
		printf("%s: home visit on %s recorded (%s)\n", argv[1], o.date,
		       strcmp(o.found, "yes") == 0 ? "child seen" : "child not found");
	return rc;
}

static int cmd_close(struct ctl *ctl, int argc, char **argv)
{
	struct action_opts o;
	int rc;

	memset(&o, 0, sizeof o);
	if (argc < 2 || argv[1][0] == '-')
		return fail(EXIT_USER, "%s", "usage: close REF --outcome O [--note T]");
	if ((rc = action_options(argc, argv, 2, &o)) != 0)
		return rc;
	if (o.outcome == NULL || !pipeline_outcome_known(o.outcome))
		return fail(EXIT_USER, "%s", "close needs --outcome, one of: located-on-roll located-ehe "
		            "located-other-provision moved-out-of-area moved-abroad left-compulsory-age "
		            "died not-located duplicate");
	if (!note_ok(o.note))
		return fail(EXIT_USER, "%s", "--note must be one line of at most 1000 characters");
	rc = run_officer_action(ctl, argv[1], act_close, &o);
	if (rc == 0)
		printf("%s: closed (%s)\n", argv[1], o.outcome);
	return rc;
}

static int cmd_report(struct ctl *ctl, int argc, char **argv)
{
	const char *month = NULL;
	int csv = 0, rc, y, m;
	time_t now = time(NULL);
	struct case_store *cs;
	struct case_report r;
	struct tm tm;
	time_t from, to;

	for (int i = 1; i < argc; i++) {
		int t = take_now(argc, argv, &i, &now);

		if (t < 0)
			return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		if (t > 0)
			continue;
		if (strcmp(argv[i], "--month") == 0 && i + 1 < argc)
			month = argv[++i];
		else if (strcmp(argv[i], "--csv") == 0)
			csv = 1;
		else
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
	}
	if (month == NULL || sscanf(month, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12 ||
	    strlen(month) != 7)
		return fail(EXIT_USER, "%s", "report needs --month YYYY-MM");
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	/* The month in UTC: a case opened at 00:30 BST on the 1st counts in
	 * the previous month.  Good enough for monthly counts; said in
	 * cmectl(8). */
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = 1;
	from = timegm(&tm);
	tm.tm_mon += 1;
	to = timegm(&tm);
	{
		struct pipeline *p = open_pipeline(ctl);

		if (p == NULL)
			return EXIT_INTERNAL;
		(void)pipeline_sweep(p, to - 1 < now ? to - 1 : now);
		pipeline_free(p);
	}
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	rc = case_views_report(cs, from, to, now, &r);
	case_store_close(cs);
	if (rc != 0)
		return fail(EXIT_INTERNAL, "%s", "the report could not be computed");
	if (csv) {
		printf("month,opened,closed,closed_in_borough,closed_left_area,open_at_month_end,"
		       "long_term,deadlines_due,deadlines_met,deadlines_missed\n");
		printf("%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld\n", month, r.opened, r.closed,
		       r.closed_in_borough, r.closed_left_area, r.open_at_end, r.long_term,
		       r.deadlines_due, r.deadlines_met, r.deadlines_missed);
		for (size_t i = 0; i < r.n_outcomes; i++)
			printf("%s,closed:%s,%lld\n", month, r.outcomes[i].outcome, r.outcomes[i].count);
		return 0;
	}
	printf("CME performance indicators, %s\n\n", month);
	printf("  cases opened                  %6lld\n", r.opened);
	printf("  cases closed                  %6lld\n", r.closed);
	for (size_t i = 0; i < r.n_outcomes; i++)
		printf("    %-27s %6lld\n", r.outcomes[i].outcome, r.outcomes[i].count);
	printf("    of which in borough         %6lld\n", r.closed_in_borough);
	printf("    of which left the area      %6lld\n", r.closed_left_area);
	printf("  open at month end             %6lld\n", r.open_at_end);
	printf("  long-term (open 6+ months)    %6lld\n", r.long_term);
	printf("  deadlines due in the month    %6lld\n", r.deadlines_due);
	printf("    met on time                 %6lld\n", r.deadlines_met);
	printf("    missed                      %6lld\n", r.deadlines_missed);
	return 0;
}

static int cmd_purge(struct ctl *ctl, int argc, char **argv)
{
	int years = 25, rc;
	time_t now = time(NULL);
	struct pipeline *p;
	long long n;

	for (int i = 1; i < argc; i++) {
		int t = take_now(argc, argv, &i, &now);

		if (t < 0)
			return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		if (t > 0)
			continue;
		if (strcmp(argv[i], "--years") == 0 && i + 1 < argc) {
			years = atoi(argv[++i]);
			if (years < 18 || years > 120)
				return fail(EXIT_USER, "%s", "--years must be between 18 and 120");
		} else {
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
		}
	}
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	log_open("cmectl", ctl->conf.syslog, LOG_MAIL);
	if ((p = open_pipeline(ctl)) == NULL)
		return EXIT_INTERNAL;
	n = pipeline_purge(p, years, now);
	pipeline_free(p);
	if (n < 0)
		return fail(EXIT_INTERNAL, "%s", "the purge failed; nothing was removed");
	printf("purged %lld case(s): children born more than %d years ago\n", n, years);
	return 0;
}

/* After cme-milter refused a database that lost cases (truncated, or
 * restored from an older backup): the admin keeps it.  References issued
 * before stay reserved; new ones continue above them (store_guard.h). */
static int cmd_accept_restore(struct ctl *ctl, int argc, char **argv)
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
static int cmd_backup(struct ctl *ctl, int argc, char **argv)
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
static int cmd_verify(struct ctl *ctl, int argc, char **argv)
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
	if (rc == 0)
		printf("%s: ok\n", path);
	return rc == 0 ? 0 : EXIT_USER;
}

/* The state at a glance for the mail admin (case_backup.h); exit 1 when
 * the reminder outbox looks stuck, so a monitoring check can run it. */
static int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct db_status st;
	time_t now = time(NULL);
	char err[1200], *text;
	int json = 0, stuck = 0, rc;

	for (int i = 1; i < argc; i++) {
		int t = take_now(argc, argv, &i, &now);

		if (t < 0)
			return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		if (t == 0 && strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (t == 0)
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
	}
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

/* The long-term case "archiving" form of seed 001, Appendix 4, filled
 * from the case (case_views_read_case).  The databases to check are the
 * policy's archive_check lines; their dates and outcomes are the
 * officer's to fill in. */
static void print_archive_case(const struct case_view *v)
{
	char opened[32];
	const char *who = *v->referrer_org ? v->referrer_org : v->referrer_name;
	int has_postcode = strstr(v->address, v->postcode) != NULL;
	struct tm tm;

	gmtime_r(&v->opened_at, &tm);
	strftime(opened, sizeof opened, "%Y-%m-%d", &tm);
	printf("Long-term CME case - 'archiving' form\n");
	printf("Case reference:            %s\n", v->ref);
	printf("Name of child:             %s %s\n", v->forename, v->surname);
	if (v->year_group >= 0)
		printf("DOB:                       %s    Year group: %d\n", v->dob, v->year_group);
	else
		printf("DOB:                       %s    Year group: \n", v->dob);
	printf("Last known address:        %s%s%s\n", v->address, has_postcode ? "" : " ",
	       has_postcode ? "" : v->postcode);
	printf("Residency status:          \n");
	printf("School last attended:      %s\n", v->school);
	printf("Date case opened to CME:   %s\n", opened);
	printf("Referred from:             %s\n", who);
}

static void print_archive_timeline(const struct case_view *v)
{
	char at[32];
	const struct case_event_view *last_visit = NULL;
	struct tm tm;

	for (size_t i = 0; i < v->n_events; i++)
		if (strcmp(v->events[i].type, "visit") == 0)
			last_visit = &v->events[i];
	if (last_visit) {
		gmtime_r(&last_visit->at, &tm);
		strftime(at, sizeof at, "%Y-%m-%d", &tm);
	}
	printf("\nDate of CME Officer's last visit (if in-borough address): %s\n",
	       last_visit ? at : "none recorded");
	printf("\nSummary of CME Officer intervention:\n");
	for (size_t i = 0; i < v->n_events; i++) {
		const struct case_event_view *e = &v->events[i];

		/* as `show` lists them: an event without a type or detail has
		 * nothing to summarise */
		if (*e->type == '\0' || *e->detail == '\0' || strcmp(e->type, "deadline") == 0)
			continue;
		gmtime_r(&e->at, &tm);
		strftime(at, sizeof at, "%Y-%m-%d", &tm);
		printf("  %s  %s\n", at, e->detail);
	}
}

static int cmd_archive_form(struct ctl *ctl, int argc, char **argv)
{
	struct case_store *cs;
	struct case_view v;
	struct policy *pol;
	const struct strlist *checks;
	int rc;

	if ((cs = case_command_store(ctl, argc, "archive-form", &rc)) == NULL)
		return rc;
	rc = case_views_read_case(cs, argv[1], &v);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", progname, case_store_errmsg(cs));
	case_store_close(cs);
	if (rc <= 0)
		return rc < 0 ? EXIT_INTERNAL : fail(EXIT_USER, "no case %s", argv[1]);
	if ((pol = load_policy(ctl, NULL)) == NULL) {
		case_views_free(&v);
		return EXIT_USER;
	}
	checks = policy_archive_checks(pol);
	print_archive_case(&v);
	printf("\n%-66s %-18s %s\n", "Databases", "Date last checked", "Outcome");
	for (size_t i = 0; i < checks->n; i++)
		printf("%-66s %-18s %s\n", checks->v[i], "", "");
	print_archive_timeline(&v);
	printf("\nCME officer: %-30s Signature ............ Date ..........\n", v.officer);
	printf("Line manager: ................................ Signature ............ Date ..........\n");
	printf("Commissioning Director, Education: ........... Signature ............ Date ..........\n");
	policy_free(pol);
	case_views_free(&v);
	return 0;
}

static void print_cases_table(const char *text)
{
	json_object *a = json_tokener_parse(text);
	size_t n = a ? json_object_array_length(a) : 0;

	printf("%-15s %-9s %-10s %-28s %s\n", "REF", "STATUS", "OPENED", "OFFICER", "NEXT DEADLINE");
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(a, i), *v, *dl;
		const char *ref = "", *status = "", *opened = "", *officer = "";
		char next[80] = "-";

		if (json_object_object_get_ex(c, "ref", &v)) ref = json_object_get_string(v);
		if (json_object_object_get_ex(c, "status", &v)) status = json_object_get_string(v);
		if (json_object_object_get_ex(c, "opened_at", &v)) opened = json_object_get_string(v);
		if (json_object_object_get_ex(c, "officer", &v)) officer = json_object_get_string(v);
		if (json_object_object_get_ex(c, "deadlines", &dl)) {
			for (size_t k = 0; k < json_object_array_length(dl); k++) {
				json_object *d = json_object_array_get_idx(dl, k), *st, *kind, *due;

				if (json_object_object_get_ex(d, "status", &st) &&
				    deadline_status_from_name(json_object_get_string(st)) == DL_PENDING &&
				    json_object_object_get_ex(d, "kind", &kind) &&
				    json_object_object_get_ex(d, "due", &due)) {
					snprintf(next, sizeof next, "%s %s", json_object_get_string(kind),
					         json_object_get_string(due));
					break;
				}
			}
		}
		printf("%-15s %-9s %-10.10s %-28s %s\n", ref, status, opened, officer, next);
	}
	json_object_put(a);
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
