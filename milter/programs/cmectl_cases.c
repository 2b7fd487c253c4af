/*
 * cmectl_cases.c - cmectl cases, show, deadlines, calendar, visit, close.
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
#include "alerts.h"
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

/* cases --possible-duplicates [--json]: the open pairs flagged for an
 * officer to merge (case_dupes.c). */
static int list_possible_duplicates(struct ctl *ctl, int argc, char **argv)
{
	struct case_store *cs;
	json_object *a;
	char *text;
	int rc, json = 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	text = case_store_possible_duplicates_json(cs);
	case_store_close(cs);
	if (text == NULL)
		return fail(EXIT_INTERNAL, "%s", "cannot read the possible duplicates");
	if (json) {
		printf("%s\n", text);
	} else if ((a = json_tokener_parse(text)) != NULL) {
		size_t n = json_object_array_length(a);

		for (size_t i = 0; i < n; i++) {
			json_object *o = json_object_array_get_idx(a, i), *r, *d, *w;

			if (json_object_object_get_ex(o, "ref", &r) &&
			    json_object_object_get_ex(o, "possible_duplicate_of", &d) &&
			    json_object_object_get_ex(o, "why", &w))
				printf("%s  may be  %s  (%s)\n", json_object_get_string(r),
				       json_object_get_string(d), json_object_get_string(w));
		}
		printf("%zu possible duplicate%s to review\n", n, n == 1 ? "" : "s");
		json_object_put(a);
	}
	free(text);
	return 0;
}

int cmd_cases(struct ctl *ctl, int argc, char **argv)
{
	struct case_filter f;
	int json = 0, rc;
	struct case_store *cs;
	char *text;
	const char *status = case_status_name(CASE_OPEN);

	int dupes = 0;
	const struct cmd_opt opts[] = {
		{ "--json", &json, NULL }, { "--overdue", &f.overdue, NULL },
		{ "--possible-duplicates", &dupes, NULL }, { "--status", NULL, &status },
		{ "--officer", NULL, &f.officer }, { "--school", NULL, &f.school },
	};

	memset(&f, 0, sizeof f);
	f.now = time(NULL);
	if ((rc = cmd_options(argc, argv, 1, opts, sizeof opts / sizeof opts[0], &f.now)) != 0)
		return rc;
	if (dupes)
		return list_possible_duplicates(ctl, argc, argv);
	f.all = strcmp(status, "all") == 0;
	f.status = case_status_from_name(status);
	if (!f.all && f.status == CASE_STATUS_NONE)
		return fail(EXIT_USER, "unknown status %s (open, closed, triage, long-term, visited, all)",
		            status);
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	/* Long-term is a matter of time passing: shown as of --now, never
	 * written by this read. */
	if ((cs = open_read_store(ctl, f.now)) == NULL)
		return EXIT_INTERNAL;
	text = case_views_cases_json(cs, &f);
	close_read_store(cs);
	if (text == NULL)
		return fail(EXIT_INTERNAL, "%s", "cannot read the case list");
	if (json) {
		printf("%s\n", text);
	} else {
		struct policy *pol = load_policy(ctl, NULL);

		if (pol == NULL) {
			free(text);
			return EXIT_USER;
		}
		print_cases_table(text, pol, f.now);
		policy_free(pol);
	}
	free(text);
	return 0;
}

int cmd_show(struct ctl *ctl, int argc, char **argv)
{
	int rc, json = 0;
	time_t now = time(NULL);
	struct case_store *cs;
	struct policy *pol = NULL;
	char *text;

	if ((rc = json_now_options(argc, argv, 2, &json, &now)) != 0)
		return rc;
	if (argc >= 2 && argv[1][0] == '-')
		return fail(EXIT_USER, "%s", "usage: show REF [--json] [--now T]");
	if ((cs = case_command_store(ctl, argc, "show", &rc)) == NULL)
		return rc;
	text = case_views_show_json(cs, argv[1]);
	case_store_close(cs);
	if (text == NULL)
		return fail(EXIT_USER, "no case %s", argv[1]);
	if (!json && (pol = load_policy(ctl, NULL)) == NULL) {
		free(text);
		return EXIT_USER;
	}
	if (json)
		printf("%s\n", text);
	else
		print_case_sheet(text, pol, now);
	policy_free(pol);
	free(text);
	return 0;
}

/* search TEXT: a name, a UPN or a date of birth (UK or ISO). */
int cmd_search(struct ctl *ctl, int argc, char **argv)
{
	struct strlist refs = STRLIST_INIT;
	struct case_store *cs;
	struct policy *pol;
	json_object *arr;
	struct ymd d;
	char iso[11], *q;
	int rc, json = argc > 2 && strcmp(argv[argc - 1], "--json") == 0;

	if (argc < 2 || argv[1][0] == '-' || strlen(argv[1]) > 200)
		return fail(EXIT_USER, "%s", "usage: search TEXT [--json]  (a name, UPN or date of birth)");
	q = argv[1];
	if (parse_user_date(q, &d) == 0)
		ymd_format(&d, iso);
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((cs = open_store(ctl)) == NULL)
		return EXIT_INTERNAL;
	if (case_views_search(cs, q, parse_user_date(q, &d) == 0 ? iso : NULL, &refs) != 0 ||
	    (arr = json_object_new_array()) == NULL) {
		fprintf(stderr, "%s: %s\n", progname, case_store_errmsg(cs));
		case_store_close(cs);
		strlist_free(&refs);
		return EXIT_INTERNAL;
	}
	for (size_t i = 0; i < refs.n; i++) {
		char *one = case_views_show_json(cs, refs.v[i]);
		json_object *o = one ? json_tokener_parse(one) : NULL;

		if (o)
			json_object_array_add(arr, o);
		free(one);
	}
	case_store_close(cs);
	strlist_free(&refs);
	{
		const char *text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
		                                                  JSON_C_TO_STRING_NOSLASHESCAPE);

		if (json)
			printf("%s\n", text);
		else if ((pol = load_policy(ctl, NULL)) != NULL) {
			print_cases_table(text, pol, time(NULL));
			policy_free(pol);
		}
	}
	json_object_put(arr);
	return 0;
}

int cmd_deadlines(struct ctl *ctl, int argc, char **argv)
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
			unsigned flags;
			time_t due = deadline_due_flags(pol, ds[i], from, &flags), at[ALERTS_MAX];
			size_t n = deadline_alerts(pol, policy_alerts_for(pol, kinds[i]), from, due,
			                           at);

			if (due == (time_t)-1)
				continue;
			deadline_format_local(pol, due, buf, sizeof buf);
			duration_format(ds[i], dur, sizeof dur);
			printf("%-17s %s  (%s)%s%s\n", deadline_kind_name(kinds[i]), buf, dur,
			       flags & DEADLINE_CALENDAR_INCOMPLETE ? "  " : "",
			       flags & DEADLINE_CALENDAR_INCOMPLETE ? DEADLINE_FLAG_INCOMPLETE_NAME
			                                            : "");
			for (size_t k = 0; k < n; k++) {
				deadline_format_local(pol, at[k], buf, sizeof buf);
				printf("  alert           %s\n", buf);
			}
		}
	}
	policy_free(pol);
	return 0;
}

int cmd_calendar(struct ctl *ctl, int argc, char **argv)
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
	const struct cmd_opt opts[] = {
		{ "--date", NULL, &o->date }, { "--found", NULL, &o->found },
		{ "--note", NULL, &o->note }, { "--outcome", NULL, &o->outcome },
	};

	o->now = time(NULL);
	return cmd_options(argc, argv, first, opts, sizeof opts / sizeof opts[0], &o->now);
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
		(void)pipeline_flush_outbox(p, flush_time(o->now));
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

int cmd_visit(struct ctl *ctl, int argc, char **argv)
{
	struct action_opts o;
	struct ymd d;
	char iso[11];
	int rc;

	memset(&o, 0, sizeof o);
	if (argc < 2 || argv[1][0] == '-')
		return fail(EXIT_USER, "%s", "usage: visit REF --date D --found yes|no [--note T]");
	if ((rc = action_options(argc, argv, 2, &o)) != 0)
		return rc;
	if (o.date == NULL || parse_user_date(o.date, &d) != 0)
		return fail(EXIT_USER, "%s", "visit needs --date, e.g. 27/11/2026 or 2026-11-27");
	if (date_in_future(&d, o.now))
		return fail(EXIT_USER, "visit date %s is in the future", o.date);
	ymd_format(&d, iso);
	o.date = iso;
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

int cmd_close(struct ctl *ctl, int argc, char **argv)
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
