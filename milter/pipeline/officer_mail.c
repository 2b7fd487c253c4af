/*
 * officer_mail.c - an officer's email as officer actions, a school's
 * correction of its own referral, calendar replies.  See officer_mail.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case_edit.h"
#include "case_store.h"
#include "case_types.h"
#include "officer.h"
#include "officer_lines.h"
#include "officer_mail.h"
#include "outbox.h"
#include "strbuf.h"
#include "trust.h"

/* How a calendar REPLY says its answer: PARTSTAT in the calendar, or the
 * Subject prefix Outlook and others write. */
static const struct {
	const char *partstat, *subject, *answer;
} reply_answers[] = {
	{ "PARTSTAT=ACCEPTED", "accepted:", "accepted" },
	{ "PARTSTAT=DECLINED", "declined:", "declined" },
	{ "PARTSTAT=TENTATIVE", "tentative:", "tentative" },
};

/* Case-insensitive search in raw bytes (no NUL needed). */
static const char *find_ci(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = 0; nl && i + nl <= len; i++)
		if (strncasecmp(s + i, needle, nl) == 0)
			return s + i;
	return NULL;
}

/* A calendar reply is a small mail: only its first part is searched. */
#define CALENDAR_SCAN_MAX (256 * 1024)

/* A text/calendar part with METHOD:REPLY (its Content-Type parameter,
 * or the calendar itself when not encoded): the answer, or NULL. */
static const char *calendar_reply(const char *raw, size_t len, const char *subject)
{
	if (len > CALENDAR_SCAN_MAX)
		len = CALENDAR_SCAN_MAX;
	if (find_ci(raw, len, "text/calendar") == NULL ||
	    (find_ci(raw, len, "method=reply") == NULL &&
	     find_ci(raw, len, "method=\"reply\"") == NULL &&
	     find_ci(raw, len, "METHOD:REPLY") == NULL))
		return NULL;
	for (size_t i = 0; i < sizeof reply_answers / sizeof reply_answers[0]; i++)
		if (find_ci(raw, len, reply_answers[i].partstat) ||
		    (subject && strncasecmp(subject, reply_answers[i].subject,
		                            strlen(reply_answers[i].subject)) == 0))
			return reply_answers[i].answer;
	return "replied";
}

/* Is `addr` an officer's?  Officers entries: an address, "@domain" or
 * "domain"; none: the domain of the first Mailbox. */
static int is_officer(const struct cme_conf *conf, const char *addr)
{
	const char *dom = addr ? trust_domain_of(addr) : NULL;

	if (dom == NULL)
		return 0;
	if (conf->officers.n == 0) {
		const char *mb = conf->mailboxes.n ? trust_domain_of(conf->mailboxes.v[0]) : NULL;

		return mb && strcasecmp(mb, dom) == 0;
	}
	for (size_t i = 0; i < conf->officers.n; i++) {
		const char *o = conf->officers.v[i];

		if (strchr(o, '@') && o[0] != '@' ? strcasecmp(o, addr) == 0
		                                  : strcasecmp(o + (o[0] == '@'), dom) == 0)
			return 1;
	}
	return 0;
}

/* The officer's own text: the first top-level plain text, else HTML. */
static const struct message_text *own_text(const struct cme_message *m)
{
	const struct message_text *html = NULL;

	for (size_t i = 0; i < message_text_count(m); i++) {
		const struct message_text *t = message_text_at(m, i);

		if (t->depth != 0 || t->filename)
			continue;
		if (t->source == TEXT_PLAIN)
			return t;
		if (t->source == TEXT_HTML && html == NULL)
			html = t;
	}
	return html;
}

/* A copy of the text for the timeline: at most OFFICER_MAIL_TEXT_MAX
 * bytes, line breaks and tabs kept, other controls dropped. */
static char *timeline_copy(const char *s, size_t len)
{
	size_t n = len < OFFICER_MAIL_TEXT_MAX ? len : OFFICER_MAIL_TEXT_MAX, o = 0;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;            /* never a cut UTF-8 sequence */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x20 || s[i] == '\n' || s[i] == '\t')
			out[o++] = s[i];
	out[o] = '\0';
	return out;
}

int officer_mail_read(const struct cme_conf *conf, const struct cme_message *m,
                      const struct cme_referral *r, const char *raw, size_t len,
                      time_t now, struct officer_mail *om)
{
	const struct message_text *t;
	struct ymd today;
	struct tm tm;
	time_t when = r->date != (time_t)-1 && r->date <= now ? r->date : now;

	memset(om, 0, sizeof om[0]);
	om->calendar_reply = calendar_reply(raw, len, r->subject);
	om->officer = r->authenticated == 1 && om->calendar_reply == NULL &&
	              is_officer(conf, r->from_addr);
	if (!om->officer || (t = own_text(m)) == NULL)
		return 0;
	/* "today" is the day the officer wrote (UTC date: an English LA's
	 * working day differs only after 23:00 in summer). */
	gmtime_r(&when, &tm);
	today.y = tm.tm_year + 1900;
	today.m = tm.tm_mon + 1;
	today.d = tm.tm_mday;
	if (officer_lines_read(t->text, t->len, &today, &om->lines) != 0 ||
	    (om->text = timeline_copy(t->text, t->len)) == NULL) {
		officer_mail_free(om);
		return -1;
	}
	return 0;
}

void officer_mail_free(struct officer_mail *om)
{
	officer_lines_free(&om->lines);
	free(om->text);
	memset(om, 0, sizeof *om);
}

int officer_mail_merge_target(const struct officer_mail *om, const char *ref)
{
	for (size_t i = 0; om->officer && i < om->lines.n; i++)
		if (om->lines.v[i].kind == OL_MERGE && strcasecmp(om->lines.v[i].value, ref) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */

/* Outcomes whose words after the comma name where the child now is
 * ("Outcome: located-on-roll, Park Lane Primary"): the case's new
 * school. */
static const char *const placed_outcomes[] = {
	"located-on-roll", "located-other-provision",
};

/* After a line closed the case with such an outcome: its new school,
 * when the words pass the field's check.  0 or -1. */
static int placed_school(struct officer_ctx *ctx, const struct case_info *ci,
                         const struct officer_line *l)
{
	struct officer_request rq;
	char norm[CASE_EDIT_VALUE_MAX], why[200];
	int placed = 0;

	if (l->kind != OL_OUTCOME || l->value2 == NULL)
		return 0;
	for (size_t i = 0; i < sizeof placed_outcomes / sizeof placed_outcomes[0]; i++)
		placed |= strcmp(l->value, placed_outcomes[i]) == 0;
	memset(&rq, 0, sizeof rq);
	rq.verb = OFFICER_EDIT;
	rq.n_edits = 1;
	rq.fields[0] = case_edit_field("new_school");
	rq.values[0] = l->value2;
	if (!placed || case_edit_normalise(rq.fields[0], l->value2, ctx->now, norm, sizeof norm,
	                                   why, sizeof why) != 0)
		return 0;
	return officer_apply(ctx, ci, &rq) < 0 ? -1 : 0;
}

/* The officer_request of one line: 0, or 1 with *why (not an action). */
static int request_of(const struct officer_line *l, char *when, size_t whenlen,
                      struct officer_request *rq, const char **why)
{
	static const enum officer_verb verbs[] = {
		[OL_VISIT] = OFFICER_VISIT, [OL_OUTCOME] = OFFICER_CLOSE, [OL_FIELD] = OFFICER_EDIT,
		[OL_NOTE] = OFFICER_NOTE, [OL_ASSIGN] = OFFICER_ASSIGN, [OL_MERGE] = OFFICER_MERGE,
		[OL_REOPEN] = OFFICER_REOPEN, [OL_IMMEDIATE_DONE] = OFFICER_DONE_IMMEDIATE,
		[OL_TRANSFER] = OFFICER_TRANSFER,
	};

	memset(rq, 0, sizeof *rq);
	rq->verb = verbs[l->kind];
	rq->arg = l->value;
	rq->arg2 = l->value2;
	rq->found = l->found;
	if (l->kind == OL_VISIT && l->value2) {
		snprintf(when, whenlen, "%s %s", l->value, l->value2);
		rq->arg = when;
		rq->arg2 = NULL;
	}
	if (l->kind == OL_FIELD) {
		rq->n_edits = 1;
		rq->fields[0] = case_edit_field_of_label(l->field);
		rq->values[0] = l->value;
		if (rq->fields[0] < 0) {
			*why = "not a field an officer corrects by email";
			return 1;
		}
	}
	return 0;
}

/* The confirmation: what changed, what was not understood.  Its subject
 * names the case reference only, never the child. */
static int confirm(struct officer_ctx *ctx, const struct case_info *ci, const char *to,
                   const struct strlist *not_understood)
{
	struct strbuf sb;
	char subject[160];
	int rc = 0;

	/* NotifyOfficers no: the milter sends officers no mail at all */
	if (!ctx->env->conf->notify_officers || !case_edit_email_ok(to))
		return 0;
	strbuf_init(&sb, 64 * 1024);
	rc |= strbuf_printf(&sb, "Your message about CME case %s was read.\n\n", ci->ref);
	if (ctx->done->len)
		rc |= strbuf_printf(&sb, "Changed:\n%s\n", strbuf_str(ctx->done));
	else
		rc |= strbuf_puts(&sb, "Nothing was changed.\n\n");
	if (not_understood->n) {
		rc |= strbuf_puts(&sb, "Not understood (nothing done for these lines):\n");
		for (size_t i = 0; i < not_understood->n; i++)
			rc |= strbuf_printf(&sb, "  %s\n", not_understood->v[i]);
		rc |= strbuf_puts(&sb, "\n");
	}
	rc |= strbuf_printf(&sb, "Details: cmectl show %s\n", ci->ref);
	snprintf(subject, sizeof subject, "CME case %s: your update was recorded", ci->ref);
	if (rc == 0)
		rc = outbox_enqueue_notice(ctx->env, ctx->cs, ci->id, ci->ref, "confirm", to, subject,
		                           strbuf_str(&sb), ctx->now);
	strbuf_free(&sb);
	return rc ? -1 : 0;
}

int officer_mail_apply(struct officer_ctx *ctx, const struct case_info *ci0,
                       const struct officer_mail *om, const char *officer,
                       struct officer_mail_result *res)
{
	struct strlist nu = STRLIST_INIT;
	struct strbuf done;
	struct case_info ci = *ci0;
	char detail[OFFICER_MAIL_TEXT_MAX + 64];
	int rc = 0;

	snprintf(detail, sizeof detail, "officer's message from %s:\n%s", officer,
	         om->text ? om->text : "");
	if (case_store_add_event(ctx->cs, ci.id, ctx->now, "message", ctx->source, detail) != 0)
		return -1;
	strbuf_init(&done, 64 * 1024);
	ctx->done = &done;
	for (size_t i = 0; rc == 0 && i < om->lines.not_understood.n; i++)
		rc = strlist_add(&nu, om->lines.not_understood.v[i]);
	for (size_t i = 0; rc == 0 && i < om->lines.n; i++) {
		const struct officer_line *l = &om->lines.v[i];
		struct officer_request rq;
		const char *why = NULL;
		char when[32], line[1300];
		size_t before = done.len;
		int a;

		if (request_of(l, when, sizeof when, &rq, &why) == 0) {
			enum case_status was = ci.cstatus;

			a = officer_apply(ctx, &ci, &rq);
			if (a < 0 || (a == 0 && case_store_find_id(ctx->cs, ci.id, &ci) != 1)) {
				rc = -1;
				break;
			}
			why = a ? ctx->err : NULL;
			if (a == 0 && placed_school(ctx, &ci, l) != 0) {
				rc = -1;
				break;
			}
			if (a == 0 && done.len > before) {
				res->changed++;
				res->closed |= was != CASE_CLOSED && ci.cstatus == CASE_CLOSED;
			}
		}
		if (why) {
			snprintf(line, sizeof line, "%s -- %s", l->line, why);
			rc = strlist_add(&nu, line);
		}
	}
	if (rc == 0)
		rc = confirm(ctx, &ci, officer, &nu);
	ctx->done = NULL;
	strbuf_free(&done);
	strlist_free(&nu);
	return rc;
}

/* ------------------------------------------------------------------ */

int officer_mail_correct(struct officer_ctx *ctx, const struct case_info *ci,
                         const struct cme_child *c, int *changed)
{
	char year[8];
	const char *given[][2] = {
		{ "forename", c->forename }, { "surname", c->surname }, { "dob", c->dob },
		{ "gender", c->gender }, { "upn", c->upn_valid == 1 ? c->upn : NULL },
		{ "year_group", c->year_group >= 0 ? year : NULL }, { "address", c->address },
		{ "postcode", c->postcode }, { "school", c->school },
	};
	struct officer_request rq;

	snprintf(year, sizeof year, "%d", c->year_group);
	memset(&rq, 0, sizeof rq);
	rq.verb = OFFICER_EDIT;
	for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
		char norm[CASE_EDIT_VALUE_MAX], old[CASE_EDIT_VALUE_MAX], why[200];
		int f = case_edit_field(given[i][0]), got;

		if (given[i][1] == NULL || given[i][1][0] == '\0' ||
		    case_edit_normalise(f, given[i][1], ctx->now, norm, sizeof norm, why,
		                        sizeof why) != 0)
			continue;       /* a value that fails its check is not a correction */
		if ((got = case_store_edit_get(ctx->cs, ci->id, f, old, sizeof old)) < 0)
			return -1;
		if (strcmp(old, norm) == 0)
			continue;
		rq.fields[rq.n_edits] = f;
		rq.values[rq.n_edits++] = given[i][1];
	}
	*changed = (int)rq.n_edits;
	if (rq.n_edits == 0)
		return 0;
	return officer_apply(ctx, ci, &rq) < 0 ? -1 : 0;
}

int officer_mail_ack(struct officer_ctx *ctx, const struct case_info *ci,
                     const struct officer_mail *om, const char *from)
{
	char detail[400];

	snprintf(detail, sizeof detail, "calendar reply from %s: %s (an acknowledgement; "
	         "nothing changed)", from ? from : "unknown sender", om->calendar_reply);
	return case_store_add_event(ctx->cs, ci->id, ctx->now, "ack", ctx->source, detail);
}
