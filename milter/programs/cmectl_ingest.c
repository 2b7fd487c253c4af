/*
 * cmectl_ingest.c - cmectl parse (message + extract, touches nothing) and cmectl ingest (the whole pipeline on stored messages).
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

int cmd_parse(struct ctl *ctl, int argc, char **argv)
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

/* One stored message through the pipeline; its line on stdout ("KEY
 * ACTION REF...", what scripts parse) or an error on stderr. */
static void ingest_one(struct pipeline *p, const char *path, time_t now, int *failed,
                       struct progress *pr)
{
	struct pipeline_input in;
	struct pipeline_result res;
	size_t len;
	int truncated;
	char *raw = file_read_all(path, 64u * 1024 * 1024, &len, &truncated);

	if (raw == NULL) {
		progress_clear(pr);
		fprintf(stderr, "%s: cannot read %s: %s\n", progname, path, strerror(errno));
		(*failed)++;
		return;
	}
	memset(&in, 0, sizeof in);
	in.raw = raw;
	in.len = len;
	in.now = now ? now : time(NULL);
	pipeline_result_init(&res);
	if (pipeline_process(p, &in, &res) != 0) {
		progress_clear(pr);
		fprintf(stderr, "%s: %s: could not be stored; nothing was changed\n",
		        progname, path);
		(*failed)++;
	} else {
		progress_before_stdout(pr);
		printf("%s %s", res.message_key ? res.message_key : "-", res.action);
		for (size_t i = 0; i < res.refs.n; i++)
			printf(" %s", res.refs.v[i]);
		printf("\n");
		if (pr->stdout_tty)
			fflush(stdout);
	}
	pipeline_result_free(&res);
	free(raw);
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a Maildir's cur/ and new/ files to *files in name order (names
 * start with the delivery time, so this is arrival order).  0, or -1
 * out of memory (printed): a file left out would be a message never
 * ingested, so then nothing is. */
static int list_maildir(const char *dir, struct strlist *files)
{
	static const char *const subs[] = { "cur", "new" };
	size_t first = files->n;

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
			if (strlist_add(files, full) != 0) {
				closedir(d);
				fail(EXIT_INTERNAL, "out of memory listing %s", dir);
				return -1;
			}
		}
		closedir(d);
	}
	if (files->n > first)
		qsort(files->v + first, files->n - first, sizeof files->v[0], path_cmp);
	return 0;
}

/* The messages to ingest, in argument order, each Maildir's expanded:
 * counted before the first is read, for the progress line.  0 or -1. */
static int list_inputs(int argc, char **argv, struct strlist *files)
{
	for (int i = 0; i < argc; i++) {
		struct stat st;

		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (list_maildir(argv[i], files) != 0)
				return -1;
		} else if (strlist_add(files, argv[i]) != 0) {
			fail(EXIT_INTERNAL, "%s", "out of memory");
			return -1;
		}
	}
	return 0;
}

int cmd_ingest(struct ctl *ctl, int argc, char **argv)
{
	time_t now = 0;
	int rc, failed = 0, i = 1;
	struct pipeline *p;
	struct strlist files = STRLIST_INIT;
	struct progress pr;

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
	memset(&pr, 0, sizeof pr);      /* no terminal: every progress call does nothing */
	if (list_inputs(argc - i, argv + i, &files) != 0) {
		pipeline_free(p);
		strlist_free(&files);
		return EXIT_INTERNAL;
	}
	pipeline_defer_feeds(p, 1);     /* one feed rewrite per officer, at the end */
	/* a progress line for a batch, not for one message */
	if (files.n > 1)
		progress_start(&pr, files.n, "ingest");
	for (size_t k = 0; k < files.n; k++) {
		ingest_one(p, files.v[k], now, &failed, &pr);
		progress_step(&pr, k + 1);
	}
	if (files.n > 1)
		progress_end(&pr, (size_t)failed);
	strlist_free(&files);
	/* Reminder mails queued by these messages go now (the MTA lives in
	 * the present; flush_time: a future --now does not hold them). */
	if (pipeline_write_dirty_feeds(p) != 0)
		fprintf(stderr, "%s: the reminder feeds could not all be written; "
		        "run cmectl calendar\n", progname);
	(void)pipeline_flush_outbox(p, flush_time(now));
	pipeline_free(p);
	return failed ? EXIT_INTERNAL : 0;
}

