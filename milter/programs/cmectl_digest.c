/*
 * cmectl_digest.c - cmectl digest: print an officer's daily digest, or
 * (--send) do the sender's daily work now and mail it (SPEC 3.3, 7).
 * See cmectl.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store.h"
#include "conf.h"
#include "digest.h"
#include "logging.h"
#include "pipeline.h"
#include "policy.h"
#include "cmectl.h"

static int print_one(struct case_store *cs, const struct policy *pol, int full,
                     const char *officer, int contact, time_t now)
{
	int n;
	char *text = contact ? digest_escalation_text(cs, pol, full, now, &n)
	                     : digest_officer_text(cs, pol, full, officer, now, &n);

	if (text == NULL)
		return fail(EXIT_INTERNAL, "digest: %s", case_store_errmsg(cs));
	fputs(text, stdout);
	free(text);
	return 0;
}


static int add_officer(const char *officer, void *arg)
{
	return strlist_add_unique(arg, officer);
}

/* Read only: every officer's digest (or one), then the EscalationContact's. */
static int print_digests(struct ctl *ctl, const char *officer, time_t now)
{
	struct policy *pol = load_policy(ctl, NULL);
	struct case_store *cs;
	struct strlist officers = STRLIST_INIT;
	int full = ctl->conf.reminder_detail == DETAIL_FULL, rc = 0;

	if (pol == NULL)
		return EXIT_INTERNAL;
	if ((cs = open_store(ctl)) == NULL) {
		policy_free(pol);
		return EXIT_INTERNAL;
	}
	if (officer)
		rc = strlist_add(&officers, officer) != 0;
	else if (case_store_each_officer(cs, add_officer, &officers) != 0)
		rc = fail(EXIT_INTERNAL, "digest: %s", case_store_errmsg(cs));
	for (size_t i = 0; rc == 0 && i < officers.n; i++) {
		if (i > 0)
			printf("\n");
		rc = print_one(cs, pol, full, officers.v[i], 0, now);
	}
	if (rc == 0 && officer == NULL && ctl->conf.escalation_contact) {
		printf("\nTo %s (EscalationContact):\n", ctl->conf.escalation_contact);
		rc = print_one(cs, pol, full, NULL, 1, now);
	}
	strlist_free(&officers);
	case_store_close(cs);
	policy_free(pol);
	return rc;
}

int cmd_digest(struct ctl *ctl, int argc, char **argv)
{
	time_t now = time(NULL), flush_at;
	const char *officer = NULL;
	int send = 0, rc, n;
	struct pipeline *p;

	const struct cmd_opt opts[] = { { "--officer", NULL, &officer }, { "--send", &send, NULL } };

	/* (--help is cmectl.c's, for every command) */
	if ((rc = cmd_options(argc, argv, 1, opts, 2, &now)) != 0)
		return rc;
	if ((rc = load_conf(ctl, 1)) != 0)
		return rc;
	if (!send)
		return print_digests(ctl, officer, now);
	if (officer)
		return fail(EXIT_USER, "%s", "--send mails every officer's digest; "
		            "--officer is for printing one");
	if ((rc = become_milter_user(&ctl->conf)) != 0)
		return rc;
	log_open("cmectl", ctl->conf.syslog, LOG_MAIL);
	if ((p = open_pipeline(ctl)) == NULL)
		return EXIT_INTERNAL;
	/* missed deadlines, repeats and today's digests (once per day: a
	 * second run, or the milter's own, sends nothing again) */
	n = pipeline_duty(p, now, 1);
	flush_at = flush_time(now);
	if (n >= 0)
		(void)pipeline_flush_outbox(p, flush_at);   /* failures retried by the milter */
	pipeline_free(p);
	if (n < 0)
		return fail(EXIT_INTERNAL, "%s", "the digest could not be queued");
	printf("queued %d mail(s)\n", n);
	return 0;
}
