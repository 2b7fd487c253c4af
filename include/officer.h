/*
 * NAME
 *	officer.h - the officer's actions on a case: one set of functions
 *	for cmectl (pipeline_officer) and for an officer's email (the
 *	pipeline's decisions, SPEC 5.6).
 *
 * PURPOSE
 *	visit, close, edit, note, assign, merge, reopen, transfer and
 *	"immediate step done".  Each records a timeline event saying who
 *	acted (the officer's address, or "cmectl") and, for a change, the
 *	old and the new value; each notes the deadlines it changed in the
 *	caller's dl_changes, so that the caller queues the REQUEST/CANCEL
 *	mails in the same transaction (outbox.h: delivery stays
 *	exactly-once).  Every check that can refuse an action is made
 *	before its first write: a refused action has written nothing.
 *
 * OWNS
 *	The rules of the actions (what each changes, what may not be
 *	done); the words of their timeline events, of the transfer
 *	notification and of the lines a confirmation mail reports.  The
 *	SQL is the store's (case_edit.h, case_store.h), the deadlines
 *	schedule's (case_deadlines.h), the mails emit's (outbox.h).
 *
 * RETURN CONVENTIONS
 *	0 done; 1 refused (a user error: ctx->err says why in one line,
 *	nothing was written); -1 error (the store's message says why; the
 *	caller rolls back).  officer_close returns 1 when the case was
 *	closed already.
 *
 * CONCURRENCY
 *	None of its own: call inside the writer's transaction, on its
 *	connection.
 */
#ifndef CME_OFFICER_H
#define CME_OFFICER_H

#include <stddef.h>
#include <time.h>

#include "case_deadlines.h"
#include "case_store.h"
#include "outbox.h"
#include "strbuf.h"

#define OFFICER_MAX_EDITS 32

enum officer_verb {
	OFFICER_VISIT, OFFICER_CLOSE, OFFICER_EDIT, OFFICER_NOTE, OFFICER_ASSIGN,
	OFFICER_MERGE, OFFICER_REOPEN, OFFICER_TRANSFER, OFFICER_DONE_IMMEDIATE,
	OFFICER_VERB_COUNT
};

/* One action on the case `ref` (cmectl) or on the case a message names
 * (email: ref NULL). */
struct officer_request {
	enum officer_verb verb;
	const char *ref;
	const char *arg;          /* visit: date YYYY-MM-DD; close: outcome;
	                             note: text; assign: address; merge: the
	                             survivor's reference; transfer: LA name */
	const char *arg2;         /* visit, close: a note; transfer: address */
	int found;                /* visit: 1 seen, 0 not, -1 not stated */
	size_t n_edits;           /* edit: fields (case_edit_field) and values */
	int fields[OFFICER_MAX_EDITS];
	const char *values[OFFICER_MAX_EDITS];
};

struct officer_ctx {
	struct case_store *cs;
	const struct emit_env *env;  /* conf, policy, host */
	struct dl_changes *ch;       /* deadlines changed: reminders to queue */
	const char *who;             /* "cmectl", or the officer's address */
	const char *source;          /* the timeline's source: "cmectl" or a Message-ID */
	time_t now;
	struct strbuf *done;         /* a line per change made (a confirmation), or NULL */
	int teaches;                 /* an officer acts (cmectl, an officer's
	                                mail): an edit may teach a label
	                                (case_learn.h); never a school's own
	                                correction */
	char old_officer[256];       /* assign: whose feed loses the case */
	char err[256];               /* on 1: why */
};

/* The verb's name as cmectl spells it ("done" for DONE_IMMEDIATE). */
const char *officer_verb_name(enum officer_verb v);

/* Apply one request to case *ci (for merge, ci is the duplicate). */
int officer_apply(struct officer_ctx *ctx, const struct case_info *ci,
                  const struct officer_request *rq);

/* The actions a message also takes without an officer (pipeline.c):
 * `detail` is the timeline's text. */
/* A visit on `date` (YYYY-MM-DD, or NULL: undated, taken as now): the
 * home-visit deadline is met as of that day (SPEC 5.5). */
int officer_visit(struct officer_ctx *ctx, const struct case_info *ci, const char *date,
                  const char *detail);
int officer_close(struct officer_ctx *ctx, const struct case_info *ci, const char *outcome,
                  const char *detail);

#endif
