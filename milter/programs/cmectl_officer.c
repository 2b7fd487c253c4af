/*
 * cmectl_officer.c - cmectl edit, note, assign, merge, reopen, transfer,
 * done: the officer's actions (officer.h), the same functions an
 * officer's email uses.
 *
 * Each command is a row of officer_cmds: its verb, how many words follow
 * the reference, which options it takes, its usage line.  The options
 * are read here; everything else (checks, timeline, reminders) is
 * pipeline_officer's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case_edit.h"
#include "case_store.h"
#include "officer.h"
#include "pipeline.h"

#include "cmectl.h"

enum { OPT_TO_LA = 1, OPT_EMAIL = 2 };

static const struct officer_cmd {
	const char *name;
	enum officer_verb verb;
	int min_words, max_words;   /* after REF */
	unsigned options;           /* OPT_*, besides --now */
	const char *usage;
	const char *done;           /* printed after REF on success */
} officer_cmds[] = {
	{ "edit", OFFICER_EDIT, 1, OFFICER_MAX_EDITS, 0,
	  "edit REF FIELD=VALUE... [--now T]", "corrected" },
	{ "note", OFFICER_NOTE, 1, 1, 0, "note REF TEXT [--now T]", "note added" },
	{ "assign", OFFICER_ASSIGN, 1, 1, 0, "assign REF EMAIL [--now T]",
	  "assigned; its live reminders moved" },
	{ "merge", OFFICER_MERGE, 1, 1, 0, "merge REF INTO-REF [--now T]",
	  "merged and closed as duplicate" },
	{ "reopen", OFFICER_REOPEN, 0, 0, 0, "reopen REF [--now T]", "reopened" },
	{ "transfer", OFFICER_TRANSFER, 0, 0, OPT_TO_LA | OPT_EMAIL,
	  "transfer REF --to-la NAME [--email ADDR] [--now T]", "closed as transferred" },
	{ "done", OFFICER_DONE_IMMEDIATE, 1, 1, 0, "done REF immediate [--now T]",
	  "immediate step marked done" },
};

struct officer_args {
	const char *words[OFFICER_MAX_EDITS];
	int nwords;
	const char *to_la, *email;
	char into[CASE_REF_MAX];    /* merge: the survivor's reference */
	time_t now;
};

/* References are case-insensitive: stored upper-case. */
static void ref_upper(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
	for (char *s = dst; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

static const struct officer_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof officer_cmds / sizeof officer_cmds[0]; i++)
		if (strcmp(officer_cmds[i].name, name) == 0)
			return &officer_cmds[i];
	return NULL;
}

/* argv[2..]: words and options.  0, or a fail() code. */
static int read_args(const struct officer_cmd *c, int argc, char **argv, struct officer_args *a)
{
	a->now = time(NULL);
	for (int i = 2; i < argc; i++) {
		int t = take_now(argc, argv, &i, &a->now);

		if (t < 0)
			return fail(EXIT_USER, "bad --now time: %s", argv[i]);
		if (t > 0)
			continue;
		if (strncmp(argv[i], "--", 2) != 0) {
			if (a->nwords >= c->max_words)
				return fail(EXIT_USER, "usage: %s", c->usage);
			a->words[a->nwords++] = argv[i];
			continue;
		}
		if (i + 1 >= argc)
			return fail(EXIT_USER, "%s needs a value", argv[i]);
		if ((c->options & OPT_TO_LA) && strcmp(argv[i], "--to-la") == 0)
			a->to_la = argv[++i];
		else if ((c->options & OPT_EMAIL) && strcmp(argv[i], "--email") == 0)
			a->email = argv[++i];
		else
			return fail(EXIT_USER, "unknown argument %s (usage: %s)", argv[i], c->usage);
	}
	if (a->nwords < c->min_words)
		return fail(EXIT_USER, "usage: %s", c->usage);
	return 0;
}

/* The request from the arguments.  0, or a fail() code. */
static int make_request(const struct officer_cmd *c, const char *ref,
                        struct officer_args *a, struct officer_request *rq)
{
	memset(rq, 0, sizeof *rq);
	rq->verb = c->verb;
	rq->ref = ref;
	rq->arg = a->nwords ? a->words[0] : NULL;
	switch (c->verb) {
	case OFFICER_EDIT:
		for (int i = 0; i < a->nwords; i++) {
			const char *eq = strchr(a->words[i], '=');
			char name[40];

			if (eq == NULL || eq == a->words[i] || (size_t)(eq - a->words[i]) >= sizeof name)
				return fail(EXIT_USER, "%s: write FIELD=VALUE", a->words[i]);
			snprintf(name, sizeof name, "%.*s", (int)(eq - a->words[i]), a->words[i]);
			if ((rq->fields[i] = case_edit_field(name)) < 0)
				return fail(EXIT_USER, "unknown field %s (fields: %s)", name,
				            case_edit_field_names());
			rq->values[i] = eq + 1;
		}
		rq->n_edits = (size_t)a->nwords;
		break;
	case OFFICER_MERGE:
		ref_upper(a->into, sizeof a->into, a->words[0]);
		rq->arg = a->into;
		break;
	case OFFICER_TRANSFER:
		if (a->to_la == NULL)
			return fail(EXIT_USER, "usage: %s", c->usage);
		rq->arg = a->to_la;
		rq->arg2 = a->email;
		break;
	case OFFICER_DONE_IMMEDIATE:
		if (strcmp(a->words[0], "immediate") != 0)
			return fail(EXIT_USER, "only the immediate step is marked done (usage: %s)",
			            c->usage);
		break;
	default:
		break;
	}
	return 0;
}

/* argv[0] is the command's name (the table's row). */
int cmd_officer(struct ctl *ctl, int argc, char **argv)
{
	const struct officer_cmd *c = find_cmd(argv[0]);
	struct officer_request rq;
	struct officer_args a;
	struct pipeline *p;
	char ref[CASE_REF_MAX], err[256] = "";
	int rc;

	if (c == NULL)
		return fail(EXIT_INTERNAL, "no such officer command %s", argv[0]);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: cmectl %s\n", c->usage);
		if (c->verb == OFFICER_EDIT)
			printf("fields: %s\n", case_edit_field_names());
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-')
		return fail(EXIT_USER, "usage: %s", c->usage);
	memset(&a, 0, sizeof a);
	if ((rc = read_args(c, argc, argv, &a)) != 0)
		return rc;
	ref_upper(ref, sizeof ref, argv[1]);
	if ((rc = make_request(c, ref, &a, &rq)) != 0)
		return rc;
	if ((rc = load_conf(ctl, 1)) != 0 || (rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	if ((p = open_pipeline(ctl)) == NULL)
		return EXIT_INTERNAL;
	rc = pipeline_officer(p, &rq, a.now, err, sizeof err);
	if (rc == 0)
		(void)pipeline_flush_outbox(p, flush_time(a.now));
	pipeline_free(p);
	if (rc == 1)
		return fail(EXIT_USER, "no case %s", ref);
	if (rc == 2)
		return fail(EXIT_USER, "%s", err);
	if (rc != 0)
		return fail(EXIT_INTERNAL, "%s could not be changed; nothing was stored", ref);
	printf("%s: %s\n", ref, c->done);
	return 0;
}
