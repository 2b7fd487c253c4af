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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "case_store.h"
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
#include "trust.h"

#define EXIT_USER 1
#define EXIT_INTERNAL 2

static const char *progname = "cmectl";

static void usage(void)
{
	fprintf(stderr,
	    "usage: %s [-c FILE] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  parse [FILE|-]                    print the referral JSON of one message\n"
	    "  ingest [--now T] FILE...|MAILDIR|-  run the full pipeline on stored messages\n"
	    "  cases [--status open|closed|all] [--json]\n"
	    "  show REF [--json]\n"
	    "  deadlines [--policy P] --from T\n"
	    "  calendar [--officer EMAIL]\n", progname);
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
	const char *path = argc > 1 ? argv[1] : "-";
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
	if (truncated)
		(void)strlist_add(&r.problems, "the message was larger than MaxMessageSize; "
		                  "only the first part was read");
	json = referral_to_json(&r);
	if (json)
		printf("%s\n", json);
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
			(void)strlist_add(&files, full);
		}
		closedir(d);
	}
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
	for (; i < argc; i++) {
		struct stat st;

		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			ingest_maildir(p, argv[i], now, &failed);
		else
			ingest_one(p, argv[i], now, &failed);
	}
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

static int cmd_cases(struct ctl *ctl, int argc, char **argv)
{
	const char *status = "open";
	int json = 0, rc;
	struct case_store *cs;
	char *text;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else
			return fail(EXIT_USER, "unknown argument %s", argv[i]);
	}
	if (strcmp(status, "open") && strcmp(status, "closed") && strcmp(status, "all") &&
	    strcmp(status, "triage") && strcmp(status, "long-term"))
		return fail(EXIT_USER, "unknown status %s (open, closed, all)", status);
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	text = case_store_cases_json(cs, status);
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

static int cmd_show(struct ctl *ctl, int argc, char **argv)
{
	struct case_store *cs;
	char *text;
	int rc;

	if (argc < 2)
		return fail(EXIT_USER, "%s", "show needs a case reference");
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	text = case_store_show_json(cs, argv[1]);
	case_store_close(cs);
	if (text == NULL)
		return fail(EXIT_USER, "no case %s", argv[1]);
	printf("%s\n", text);   /* JSON is the only form for now */
	free(text);
	return 0;
}

static int cmd_deadlines(struct ctl *ctl, int argc, char **argv)
{
	const char *policy_name = NULL;
	time_t from = (time_t)-1;
	struct strlist errors = STRLIST_INIT;
	struct policy *pol;
	int rc;
	static const char *const kinds[] = { "home-visit", "escalation", "long-term-review" };

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
	deadline_global_init();
	pol = policy_load(policy_name ? policy_name : ctl->conf.policy, ctl->conf.policy_dir,
	                  ctl->conf.calendar_dir, &errors);
	if (pol == NULL) {
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "%s\n", errors.v[i]);
		strlist_free(&errors);
		return EXIT_USER;
	}
	{
		const struct duration *ds[] = { &pol->home_visit, &pol->escalation, &pol->long_term };
		char buf[64], dur[64];

		deadline_format_local(pol, from, buf, sizeof buf);
		printf("policy: %s\nfrom: %s\n", pol->name ? pol->name : "(unnamed)", buf);
		for (size_t i = 0; i < 3; i++) {
			time_t due = deadline_due(pol, ds[i], from);

			if (due == (time_t)-1)
				continue;
			deadline_format_local(pol, due, buf, sizeof buf);
			duration_format(ds[i], dur, sizeof dur);
			printf("%-17s %s  (%s)\n", kinds[i], buf, dur);
		}
	}
	policy_free(pol);
	strlist_free(&errors);
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

#include <json-c/json.h>

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
				    strcmp(json_object_get_string(st), "pending") == 0 &&
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
};

int main(int argc, char **argv)
{
	struct ctl ctl;
	int opt, rc;

	memset(&ctl, 0, sizeof ctl);
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
