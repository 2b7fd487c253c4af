/*
 * officer.c - the officer's actions on a case, for cmectl and for an
 * officer's email alike.  See officer.h.
 *
 * Every action checks first and writes after: a refusal (1) leaves the
 * transaction as it found it, so the caller may go on with the next
 * action of the same message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case_deadlines.h"
#include "case_edit.h"
#include "case_learn.h"
#include "case_links.h"
#include "case_store.h"
#include "case_types.h"
#include "deadline.h"
#include "officer.h"
#include "ukdate.h"
#include "outbox.h"
#include "strbuf.h"
#include "textclean.h"

static const char *const verb_names[OFFICER_VERB_COUNT] = {
	[OFFICER_VISIT] = "visit", [OFFICER_CLOSE] = "close", [OFFICER_EDIT] = "edit",
	[OFFICER_NOTE] = "note", [OFFICER_ASSIGN] = "assign", [OFFICER_MERGE] = "merge",
	[OFFICER_REOPEN] = "reopen", [OFFICER_TRANSFER] = "transfer",
	[OFFICER_DONE_IMMEDIATE] = "done",
};

const char *officer_verb_name(enum officer_verb v)
{
	return (int)v >= 0 && v < OFFICER_VERB_COUNT ? verb_names[v] : NULL;
}

static int refuse(struct officer_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct officer_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
	va_end(ap);
	return 1;
}

/* The timeline event of an action, "... (by WHO)" when the source does
 * not already say who (a Message-ID does not), and its line in the
 * confirmation. */
static int event(struct officer_ctx *ctx, long long case_id, const char *type,
                 const char *ref, const char *detail)
{
	char text[1400];

	if (strcmp(ctx->who, ctx->source) != 0)
		snprintf(text, sizeof text, "%s (by %s)", detail, ctx->who);
	else
		snprintf(text, sizeof text, "%s", detail);
	if (case_store_add_event(ctx->cs, case_id, ctx->now, type, ctx->source, text) != 0)
		return -1;
	if (ctx->done && strbuf_printf(ctx->done, "%s: %s\n", ref, detail) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Visit and close: what a message does too.                            */

/* The statuses a visit moves to "visited".  A case in triage too: an
 * officer who visited has seen the child's address, which is what
 * triage waited for (README, "Decisions where the spec is silent"). */
static const enum case_status visit_moves[] = { CASE_OPEN, CASE_TRIAGE };

/* When a visit dated `date` (YYYY-MM-DD, or NULL: undated) happened:
 * the start of that day in the policy's zone - a deadline due on the
 * day of the visit is met by it - and never after `now`. */
static time_t visit_happened(const struct policy *pol, const char *date, time_t now)
{
	struct ymd d, local;
	long long midnight_utc;

	if (date == NULL || ymd_parse_iso(date, &d) != 0 ||
	    ukdate_utc_seconds(&d, 0, 0, 0, 0, &midnight_utc) != 0)
		return now;
	/* the first quarter hour within 14 hours of UTC midnight that is
	 * already that date locally */
	for (time_t t = (time_t)midnight_utc - 14 * 3600; t <= (time_t)midnight_utc + 14 * 3600;
	     t += 900) {
		deadline_local_date(pol, t, &local);
		if (ymd_cmp(&local, &d) == 0)
			return t < now ? t : now;
	}
	return now;
}

/* The status moves before the event is written: the event's time is
 * when the case's history (case_history, schema 11) sees the new
 * status.  The home-visit deadline is met as of the visit's own date
 * (SPEC 5.5), not the time it was recorded. */
int officer_visit(struct officer_ctx *ctx, const struct case_info *ci, const char *date,
                  const char *detail)
{
	for (size_t i = 0; i < sizeof visit_moves / sizeof visit_moves[0]; i++)
		if (ci->cstatus == visit_moves[i] &&
		    case_store_set_status(ctx->cs, ci->id, case_status_name(CASE_VISITED), NULL,
		                          ctx->now) != 0)
			return -1;
	if (event(ctx, ci->id, "visit", ci->ref, detail) != 0 ||
	    case_deadlines_apply(ctx->cs, ctx->ch, ctx->env->policy, ci->id, CASE_EVENT_VISIT, 0,
	                         ctx->now) != 0 ||
	    case_store_deadline_done(ctx->cs, ci->id, deadline_kind_name(DL_KIND_HOME_VISIT),
	                             visit_happened(ctx->env->policy, date, ctx->now)) != 0)
		return -1;
	return 0;
}

int officer_close(struct officer_ctx *ctx, const struct case_info *ci, const char *outcome,
                  const char *detail)
{
	if (ci->cstatus == CASE_CLOSED)
		return refuse(ctx, "%s is closed already", ci->ref);
	if (case_store_set_status(ctx->cs, ci->id, case_status_name(CASE_CLOSED), outcome,
	                          ctx->now) != 0 ||
	    event(ctx, ci->id, "state", ci->ref, detail) != 0 ||
	    case_deadlines_apply(ctx->cs, ctx->ch, ctx->env->policy, ci->id, CASE_EVENT_CLOSED, 0,
	                         ctx->now) != 0)
		return -1;
	return 0;
}

static int do_visit(struct officer_ctx *ctx, const struct case_info *ci,
                    const struct officer_request *rq)
{
	char detail[1200];

	snprintf(detail, sizeof detail, "home visit %s: %s%s%s", rq->arg ? rq->arg : "",
	         rq->found == 1 ? "child seen" : rq->found == 0 ? "child not found"
	                                                        : "outcome not stated",
	         rq->arg2 ? ". Note: " : "", rq->arg2 ? rq->arg2 : "");
	return officer_visit(ctx, ci, rq->arg, detail);
}

static int do_close(struct officer_ctx *ctx, const struct case_info *ci,
                    const struct officer_request *rq)
{
	char detail[1200];

	snprintf(detail, sizeof detail, "closed: %s%s%s", rq->arg, rq->arg2 ? ". Note: " : "",
	         rq->arg2 ? rq->arg2 : "");
	return officer_close(ctx, ci, rq->arg, detail);
}

/* ------------------------------------------------------------------ */
/* Edit and note.                                                       */

static int do_edit(struct officer_ctx *ctx, const struct case_info *ci,
                   const struct officer_request *rq)
{
	char norm[OFFICER_MAX_EDITS][CASE_EDIT_VALUE_MAX], why[200];

	if (rq->n_edits == 0 || rq->n_edits > OFFICER_MAX_EDITS)
		return refuse(ctx, "nothing to edit");
	/* Every value is checked before the first is stored. */
	for (size_t i = 0; i < rq->n_edits; i++)
		if (case_edit_normalise(rq->fields[i], rq->values[i], ctx->now, norm[i],
		                        sizeof norm[i], why, sizeof why) != 0)
			return refuse(ctx, "%s: %s", case_edit_field_name(rq->fields[i]), why);
	for (size_t i = 0; i < rq->n_edits; i++) {
		char old[CASE_EDIT_VALUE_MAX], detail[1200];
		int rc = case_store_edit_get(ctx->cs, ci->id, rq->fields[i], old, sizeof old);

		if (rc < 0)
			return -1;
		if (strcmp(old, norm[i]) == 0)
			continue;           /* the same value: nothing changed */
		if (case_store_edit_set(ctx->cs, ci->id, rq->fields[i], norm[i]) != 0)
			return -1;
		snprintf(detail, sizeof detail, "%s corrected: \"%.500s\" -> \"%.500s\"",
		         case_edit_field_name(rq->fields[i]), old[0] ? old : "(none)",
		         norm[i][0] ? norm[i] : "(none)");
		if (event(ctx, ci->id, "edit", ci->ref, detail) != 0)
			return -1;
		if (ctx->teaches &&
		    case_learn_from_edit(ctx->cs, ci->id, ci->ref, rq->fields[i], norm[i],
		                         ctx->who, ctx->source, ctx->now) < 0)
			return -1;
	}
	return 0;
}

static int do_note(struct officer_ctx *ctx, const struct case_info *ci,
                   const struct officer_request *rq)
{
	char detail[1100], *text;
	int rc;

	/* stored like any value from a message (textclean.h) */
	if (rq->arg == NULL || (text = text_clean(rq->arg, strlen(rq->arg), 1000)) == NULL)
		return rq->arg ? -1 : refuse(ctx, "an empty note");
	if (text[0] == '\0') {
		free(text);
		return refuse(ctx, "an empty note");
	}
	snprintf(detail, sizeof detail, "note: %s", text);
	free(text);
	rc = event(ctx, ci->id, "note", ci->ref, detail);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Assign: the case and its live reminders move.                        */

/* A live deadline of a case given to another officer: a REQUEST to him. */
static int note_pending(const struct deadline_row *row, void *arg)
{
	return row->dstatus == DL_PENDING ? case_deadlines_note(arg, row->case_id, row->kind) : 0;
}

static int do_assign(struct officer_ctx *ctx, const struct case_info *ci,
                     const struct officer_request *rq)
{
	struct dl_changes *sofar;
	char detail[700];
	int rc;

	if (!case_edit_email_ok(rq->arg))
		return refuse(ctx, "%s is not an email address", rq->arg);
	if (strcasecmp(rq->arg, ci->officer) == 0)
		return refuse(ctx, "%s is assigned to %s already", ci->ref, rq->arg);
	/* What this transaction changed so far (a visit in the same
	 * message) goes to the officer who had the case; then the old
	 * officer's live events are cancelled (a higher SEQUENCE) and the
	 * same deadlines requested of the new one. */
	if ((sofar = calloc(1, sizeof *sofar)) == NULL)
		return -1;
	case_deadlines_take(ctx->ch, ci->id, sofar);
	rc = outbox_enqueue_reminders(ctx->env, ctx->cs, sofar, ctx->now);
	free(sofar);
	if (rc != 0 || case_store_bump_pending(ctx->cs, ci->id, ctx->now) != 0 ||
	    outbox_enqueue_cancel_to(ctx->env, ctx->cs, ci->id, ci->officer, ctx->now) != 0 ||
	    case_store_set_officer(ctx->cs, ci->id, rq->arg) != 0)
		return -1;
	if (case_store_each_changed_deadline(ctx->cs, ci->id, 0, note_pending, ctx->ch) != 0)
		return -1;
	snprintf(ctx->old_officer, sizeof ctx->old_officer, "%s", ci->officer);
	snprintf(detail, sizeof detail, "assigned: \"%s\" -> \"%s\"", ci->officer, rq->arg);
	return event(ctx, ci->id, "assign", ci->ref, detail);
}

/* ------------------------------------------------------------------ */
/* Merge, reopen, immediate done.                                       */

static int do_merge(struct officer_ctx *ctx, const struct case_info *dup,
                    const struct officer_request *rq)
{
	struct case_info surv, via;
	char detail[400];
	int rc;

	if (rq->arg == NULL || (rc = case_store_find_ref(ctx->cs, rq->arg, &surv)) == 0)
		return refuse(ctx, "no case %s", rq->arg ? rq->arg : "(none named)");
	if (rc < 0 || (rc = case_store_merged_into(ctx->cs, dup->id, &via)) < 0)
		return -1;
	if (surv.id == dup->id)
		return refuse(ctx, "a case cannot be merged into itself");
	if (rc == 1)
		return refuse(ctx, "%s was merged into %s already", dup->ref, via.ref);
	if ((rc = case_store_merged_into(ctx->cs, surv.id, &via)) != 0)
		return rc < 0 ? -1 : refuse(ctx, "%s was itself merged into %s: merge into that",
		                            surv.ref, via.ref);
	if (case_store_merge(ctx->cs, dup->id, surv.id, dup->ref, ctx->now) != 0)
		return -1;
	snprintf(detail, sizeof detail, "merged: %s (a duplicate) folded into this case; its "
	         "timeline, messages, school and referrer are kept here", dup->ref);
	if (event(ctx, surv.id, "merge", surv.ref, detail) != 0)
		return -1;
	snprintf(detail, sizeof detail, "merged into %s", surv.ref);
	if (event(ctx, dup->id, "merge", dup->ref, detail) != 0)
		return -1;
	snprintf(detail, sizeof detail, "closed: duplicate of %s", surv.ref);
	rc = officer_close(ctx, dup, "duplicate", detail);
	return rc == 1 ? 0 : rc;   /* a duplicate closed before stays closed */
}

static int do_reopen(struct officer_ctx *ctx, const struct case_info *ci,
                     const struct officer_request *rq)
{
	struct case_info via;
	char old[64], detail[300];
	int rc;

	(void)rq;
	if (ci->cstatus != CASE_CLOSED && ci->cstatus != CASE_LONG_TERM)
		return refuse(ctx, "%s is not closed (it is %s)", ci->ref, ci->status);
	if ((rc = case_store_merged_into(ctx->cs, ci->id, &via)) != 0)
		return rc < 0 ? -1 : refuse(ctx, "%s was merged into %s: that case is the child's",
		                            ci->ref, via.ref);
	/* case_store_reopen raises the generation: new event UIDs */
	if (case_store_reopen(ctx->cs, ci->id, old, sizeof old) != 0 ||
	    case_store_set_transfer(ctx->cs, ci->id, NULL, NULL) != 0)
		return -1;
	snprintf(detail, sizeof detail, "reopened (was %s%s%s); new deadlines from now",
	         ci->status, old[0] ? ", outcome " : "", old);
	if (event(ctx, ci->id, "state", ci->ref, detail) != 0)
		return -1;
	return case_deadlines_apply(ctx->cs, ctx->ch, ctx->env->policy, ci->id, CASE_EVENT_REOPEN,
	                            0, ctx->now);
}

static int do_done_immediate(struct officer_ctx *ctx, const struct case_info *ci,
                             const struct officer_request *rq)
{
	const char *kind = deadline_kind_name(DL_KIND_IMMEDIATE);
	int n;

	(void)rq;
	n = case_store_change_deadline_status(ctx->cs, ci->id, kind,
	                                      deadline_status_name(DL_PENDING),
	                                      deadline_status_name(DL_MET), ctx->now);
	if (n < 0)
		return -1;
	if (n == 0)
		return refuse(ctx, "%s has no pending immediate step", ci->ref);
	if (case_deadlines_note(ctx->ch, ci->id, kind) != 0)
		return -1;
	return event(ctx, ci->id, "deadline", ci->ref, "immediate step done: \"pending\" -> \"met\"");
}

/* ------------------------------------------------------------------ */
/* Transfer to another LA.                                              */

/* The notification's text: what the receiving LA needs to trace the
 * child (the seeds' "tracked across boundaries" duty). */
static int transfer_text(struct officer_ctx *ctx, const struct case_info *ci, const char *la,
                         struct strbuf *sb)
{
	static const char *const shown[][2] = {
		{ "forename", "Forename" }, { "surname", "Surname" }, { "dob", "Date of birth" },
		{ "gender", "Gender" }, { "upn", "UPN" }, { "address", "Last known address" },
		{ "postcode", "Postcode" }, { "school", "Last school" },
		{ "last_attended", "Last attended" }, { "reason", "Reason referred" },
		{ "referrer_name", "Referred by" }, { "referrer_org", "Referrer's organisation" },
	};
	const char *mailbox = ctx->env->conf->mailboxes.n ? ctx->env->conf->mailboxes.v[0] : "";
	struct strlist sibs = STRLIST_INIT;
	int rc = 0;

	rc |= strbuf_printf(sb, "To the Children Missing Education team, %s.\n\n"
	                    "A child on our Children Missing Education register is believed to "
	                    "have moved to your area.  Please make your own enquiries and tell "
	                    "us (reply to this message) if the child is not known to you.\n\n",
	                    la);
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
		char v[CASE_EDIT_VALUE_MAX];

		if (case_store_edit_get(ctx->cs, ci->id, case_edit_field(shown[i][0]), v,
		                        sizeof v) < 0)
			return -1;
		rc |= strbuf_printf(sb, "%s: %s\n", shown[i][1], v[0] ? v : "not known");
	}
	if (case_store_siblings(ctx->cs, ci->id, &sibs) != 0)
		return -1;
	rc |= strbuf_puts(sb, "Family: siblings on our register: ");
	for (size_t i = 0; i < sibs.n; i++)
		rc |= strbuf_printf(sb, "%s%s", i ? ", " : "", sibs.v[i]);
	rc |= strbuf_printf(sb, "%s\n\nOur reference: %s\nOur contact: %s\n",
	                    sibs.n ? "" : "none", ci->ref, mailbox);
	strlist_free(&sibs);
	return rc ? -1 : 0;     /* over 16 KB cannot be: out of memory */
}

static int do_transfer(struct officer_ctx *ctx, const struct case_info *ci,
                       const struct officer_request *rq)
{
	const char *email = rq->arg2;
	char detail[700], subject[160], la[208];
	struct strbuf sb;
	char *clean;
	int rc;

	if (rq->arg == NULL || strlen(rq->arg) > 200)
		return refuse(ctx, "transfer needs the receiving LA's name (at most 200 characters)");
	if ((clean = text_clean(rq->arg, strlen(rq->arg), 200)) == NULL)
		return -1;
	snprintf(la, sizeof la, "%s", clean);
	free(clean);
	if (la[0] == '\0')
		return refuse(ctx, "transfer needs the receiving LA's name");
	if (email && !case_edit_email_ok(email))
		return refuse(ctx, "%s is not an email address", email);
	if (ci->cstatus == CASE_CLOSED)
		return refuse(ctx, "%s is closed already: reopen it first", ci->ref);
	snprintf(detail, sizeof detail, "closed: moved-out-of-area, transferred to %s%s%s%s",
	         la, email ? " <" : "", email ? email : "", email ? "> (notified)" : "");
	if (case_store_set_transfer(ctx->cs, ci->id, la, email) != 0 ||
	    (rc = officer_close(ctx, ci, "moved-out-of-area", detail)) < 0)
		return -1;
	if (email == NULL)
		return 0;
	strbuf_init(&sb, 16384);
	rc = transfer_text(ctx, ci, la, &sb);
	/* The subject names our reference only, never the child. */
	snprintf(subject, sizeof subject, "Children Missing Education: child moved to your area "
	         "(our ref %s)", ci->ref);
	if (rc == 0)
		rc = outbox_enqueue_notice(ctx->env, ctx->cs, ci->id, ci->ref, "transfer", email,
		                           subject, strbuf_str(&sb), ctx->now);
	strbuf_free(&sb);
	return rc;
}

/* ------------------------------------------------------------------ */

int officer_apply(struct officer_ctx *ctx, const struct case_info *ci,
                  const struct officer_request *rq)
{
	static int (*const fns[OFFICER_VERB_COUNT])(struct officer_ctx *, const struct case_info *,
	                                            const struct officer_request *) = {
		[OFFICER_VISIT] = do_visit, [OFFICER_CLOSE] = do_close, [OFFICER_EDIT] = do_edit,
		[OFFICER_NOTE] = do_note, [OFFICER_ASSIGN] = do_assign, [OFFICER_MERGE] = do_merge,
		[OFFICER_REOPEN] = do_reopen, [OFFICER_TRANSFER] = do_transfer,
		[OFFICER_DONE_IMMEDIATE] = do_done_immediate,
	};

	ctx->err[0] = '\0';
	if ((int)rq->verb < 0 || rq->verb >= OFFICER_VERB_COUNT)
		return refuse(ctx, "unknown action");
	return fns[rq->verb](ctx, ci, rq);
}
