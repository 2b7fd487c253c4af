/*
 * pipeline.c - message -> extract -> store -> schedule -> emit.
 * See pipeline.h.
 *
 * NAME
 *     pipeline - the decisions, and the order of the stages.
 *
 * Owns: the decisions.  Given what extract read from a message, which
 * case does it open or change, may its sender change it, what does a
 * visit or an outcome do to the case (the same functions for a message
 * and for cmectl's officer actions: officer.h), and
 * what the message's action is; and the order of the stages, so that
 * the database commit comes before anything is reported as done.
 * An officer's email, a referrer's correction and a calendar reply are
 * read by officer_mail.h and decided here (apply_officer_mail,
 * apply_correction).
 * Which deadlines follow from each decision is schedule's
 * (case_deadlines.h); the reminder mails and feeds are emit's (outbox.h,
 * feeds.h); the writer connection and group commit are commit.h's; the
 * sender thread is sender.h's.  The pipeline's work that is not a
 * message (cmectl's officer actions, purge, sweep, duty run) is
 * pipeline_tasks.c's, over the same state (pipeline_int.h).
 *
 * Return conventions: the decision functions return 0 done, -1 error
 * (the message's savepoint, or the officer's transaction, is rolled
 * back); the public functions as pipeline.h says.
 *
 * Concurrency: cme-milter calls pipeline_process from many threads.
 * Parsing and extraction run in the caller's thread; the decisions run
 * in the group commit's leader, on the one writing connection shared by
 * the whole pipeline and kept open across messages (commit.h: a
 * database made unwritable is still noticed on the very next message,
 * which is answered with a tempfail).  The decision functions are only
 * ever called from a writer callback, under the writer's lock.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_deadlines.h"
#include "case_edit.h"
#include "case_learn.h"
#include "case_links.h"
#include "case_store.h"
#include "case_types.h"
#include "commit.h"
#include "learned_cache.h"
#include "deadline.h"
#include "extract.h"
#include "logging.h"
#include "message.h"
#include "msg_digest.h"
#include "officer.h"
#include "officer_mail.h"
#include "officer_map.h"
#include "outbox.h"
#include "pipeline.h"
#include "pipeline_int.h"
#include "policy.h"
#include "referral.h"
#include "reminder.h"
#include "sender.h"
#include "strbuf.h"
#include "trust.h"
#include "ukdate.h"
#include "vocab.h"


void pipeline_result_init(struct pipeline_result *res)
{
	memset(res, 0, sizeof *res);
}

void pipeline_result_free(struct pipeline_result *res)
{
	free(res->message_key);
	strlist_free(&res->refs);
	strlist_free(&res->flags);
	memset(res, 0, sizeof *res);
}

static int ensure_dir(const char *dir, struct strlist *errors)
{
	struct stat st;
	char buf[512];

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (mkdir(dir, 0750) == 0)
		return 0;
	snprintf(buf, sizeof buf, "%s: cannot create: %s", dir, strerror(errno));
	(void)strlist_add(errors, buf);     /* NULL is returned whatever it says */
	return -1;
}

/* The sender thread's periodic work: the long-term sweep, then the
 * daily work (missed deadlines, repeated immediate escalations, the
 * digest: duty.h). */
static int sweep_cb(void *arg, time_t now)
{
	int rc = pipeline_sweep(arg, now);

	return pipeline_duty(arg, now, 0) < 0 || rc < 0 ? -1 : 0;
}

/* The checks a database must pass before it is used: it must not hand
 * out the references of cases it lost (store_guard.h), and it gives the
 * key that seals our reminder mails. */
static int check_database(struct case_store *cs, char *seal_key, size_t keylen,
                          struct strlist *errors)
{
	char err[512];

	if (case_store_check_refs(cs, err, sizeof err) != 0) {
		(void)strlist_add(errors, err);
		return -1;
	}
	if (case_store_seal_key(cs, seal_key, keylen) != 0) {
		(void)strlist_add(errors, case_store_errmsg(cs));
		return -1;
	}
	return 0;
}

struct pipeline *pipeline_new(const struct cme_conf *conf, struct strlist *errors)
{
	struct pipeline *p = calloc(1, sizeof *p);
	char err[512], seal_key[80];

	if (p == NULL)
		return NULL;
	p->conf = conf;
	/* libical's builtin zones and UTC are set up here, before any
	 * milter thread exists (libical 3.0.x loads them unlocked). */
	deadline_global_init();
	reminder_init();
	p->policy = policy_load(conf->policy, conf->policy_dir, conf->calendar_dir, errors);
	if (p->policy == NULL)
		goto fail;
	if (conf->officer_map && (p->officers = officer_map_load(conf->officer_map, errors)) == NULL)
		goto fail;
	if (writer_init(&p->writer, conf->database, err, sizeof err) != 0) {
		(void)strlist_add(errors, err);
		goto fail;
	}
	p->writer_ready = 1;
	if (check_database(writer_store(&p->writer), seal_key, sizeof seal_key, errors) != 0 ||
	    ensure_dir(conf->reminder_dir, errors) != 0)
		goto fail;
	if (gethostname(p->host, sizeof p->host) != 0 || p->host[0] == '\0')
		snprintf(p->host, sizeof p->host, "cme-milter");
	p->host[sizeof p->host - 1] = '\0';
	p->env.conf = conf;
	p->env.policy = p->policy;
	p->env.host = p->host;
	sender_init(&p->sender, &p->writer, &p->env, seal_key, sweep_cb, p);
	p->sender_ready = 1;
	if (learned_cache_init(&p->learned) != 0) {
		(void)strlist_add(errors, "out of memory");
		pipeline_free(p);
		return NULL;
	}
	return p;
fail:
	policy_free(p->policy);
	officer_map_free(p->officers);
	if (p->writer_ready)
		writer_destroy(&p->writer);
	free(p);
	return NULL;
}

void pipeline_stop_sender(struct pipeline *p)
{
	if (p != NULL)
		sender_stop(&p->sender);
}

int pipeline_start_sender(struct pipeline *p)
{
	/* The milter: WAL checkpoints off the commit path too (commit.h). */
	if (!p->writer.bg_checkpoint && writer_start_checkpoints(&p->writer) != 0)
		log_msg(LOG_WARNING, "%s", "no background checkpoint thread: commits checkpoint");
	return sender_start(&p->sender);
}

time_t pipeline_last_commit_error(struct pipeline *p, char *buf, size_t len)
{
	time_t at;

	pthread_mutex_lock(&p->writer.lock);
	snprintf(buf, len, "%s", p->writer.last_error);
	at = p->writer.last_error_at;
	pthread_mutex_unlock(&p->writer.lock);
	return at;
}

void pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	sender_destroy(&p->sender);       /* stops the thread first */
	learned_cache_destroy(&p->learned);
	officer_map_free(p->officers);
	writer_destroy(&p->writer);
	case_store_release_refs(p->conf->database);   /* unused reserved numbers */
	policy_free(p->policy);
	free(p);
}

/* The Message-ID, or NULL when there is none worth the name. */
static const char *message_id_of(const struct cme_referral *r)
{
	return r->message_id && strlen(r->message_id) > 2 ? r->message_id : NULL;
}

/* The message's key: its Message-ID, else its content digest (a resend
 * of the same message is the same message).  NULL when out of memory. */
static char *message_key(const struct cme_referral *r, const char *digest)
{
	return strdup(message_id_of(r) ? r->message_id : digest);
}

/* ------------------------------------------------------------------ */
/* The decisions, one message.                                          */

struct txn {
	struct pipeline *p;
	struct case_store *cs;       /* the writer's, set by run_job */
	const struct cme_referral *r;
	const char *key;             /* the message's key (message_key) */
	const char *source;          /* Message-ID or key: the timeline's source */
	const char *digest;          /* content digest (msg_digest.h) */
	time_t now;
	struct pipeline_result *res;
	int opened, updated, triaged, closed, unverified;
	int truncated;               /* only the first MaxMessageSize bytes were read */
	const struct officer_mail *om;  /* an officer's lines, a calendar reply */
	char old_officer[256];       /* an officer's Assign: whose feed loses the case */
	long long opened_from;       /* the first case this message opened, 0 */
	size_t ntouched;
	/* Last, and not zeroed (txn_new): 140 KB sized for a message that
	 * names a thousand children, of which a referral uses a few. */
	long long touched[MAX_CASES_PER_MESSAGE];  /* case ids, for message links */
	struct dl_changes changes;   /* deadlines changed: reminders to send */
};

/* A zeroed txn but for its arrays, which ntouched and changes.n govern
 * (calloc zeroed all 140 KB for every message).  NULL: no memory. */
static struct txn *txn_new(void)
{
	struct txn *t = malloc(sizeof *t);

	if (t != NULL) {
		memset(t, 0, offsetof(struct txn, touched));
		t->changes.n = 0;
	}
	return t;
}

/* The message touched this case: 0, or -1 out of memory. */
static int touch(struct txn *t, const struct case_info *ci)
{
	for (size_t i = 0; i < t->ntouched; i++)
		if (t->touched[i] == ci->id)
			return 0;
	/* cannot overflow: a message names at most EXTRACT_MAX_CHILDREN
	 * children and 16 case references */
	if (t->ntouched < sizeof t->touched / sizeof t->touched[0])
		t->touched[t->ntouched++] = ci->id;
	return strlist_add_unique(&t->res->refs, ci->ref);
}

/* The officer actions' context for this message's changes (officer.h):
 * `who` acted, the Message-ID is the source. */
static void txn_officer_ctx(struct txn *t, struct officer_ctx *ctx, const char *who)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->cs = t->cs;
	ctx->env = &t->p->env;
	ctx->ch = &t->changes;
	ctx->who = who ? who : t->source;
	ctx->source = t->source;
	ctx->now = t->now;
}

static int open_case_for(struct txn *t, const struct cme_child *child, int triage,
                         struct case_info *ci)
{
	/* OfficerMap by the child's postcode district or school, else the
	 * duty officer. */
	const char *mapped = child ? officer_map_lookup(t->p->officers, child->postcode,
	                                                child->school) : NULL;
	const char *officer = mapped ? mapped : t->p->conf->duty_officer;
	char detail[256];

	if (case_store_open_case(t->cs, t->r, child, triage, officer, t->now, ci) != 0)
		return -1;
	snprintf(detail, sizeof detail, "%s from %s%s", triage ? "opened for triage" : "opened",
	         t->r->from_addr ? t->r->from_addr : "unknown sender",
	         t->r->authenticated == 1 ? "" : " (sender not authenticated)");
	if (case_store_add_event(t->cs, ci->id, t->now, "state", t->source, detail) != 0 ||
	    case_deadlines_schedule(t->cs, &t->changes, t->p->policy, ci->id,
	                            t->r->immediate == 1, t->now) != 0 ||
	    (!triage && case_store_flag_possible_duplicates(t->cs, ci->id, ci->ref, child,
	                                                    t->now, t->opened_from,
	                                                    t->touched, t->ntouched) != 0) ||
	    touch(t, ci) != 0)
		return -1;
	if (t->opened_from == 0)
		t->opened_from = ci->id;
	if (triage)
		t->triaged++;
	else
		t->opened++;
	return 0;
}

/* A child may be read well enough to open a case, or only for triage:
 * no name at all, or a message whose MIME was damaged (what we read may
 * be incomplete or garbled), means an officer must read the message.
 * A triage case still gets every deadline: nothing waits unseen. */
static int child_needs_triage(const struct cme_referral *r, const struct cme_child *c)
{
	return r->damaged || (c->surname == NULL && c->forename == NULL);
}

/* May this message change the case?  SPEC 5.3: an authenticated sender
 * from TrustedSenderDomains, or the case's own referrer. */
static int sender_may_change(const struct txn *t, const struct case_info *ci)
{
	return trust_may_change(t->r->authenticated, t->r->from_addr, ci->referrer_email,
	                        &t->p->conf->trusted_sender_domains);
}

/*
 * A child whose case is closed, referred again (SPEC 5.3).  A sender who
 * may change the case (authenticated, and from TrustedSenderDomains or
 * the case's referrer: the rule for any state change) reopens it: open,
 * the old outcome cleared (kept on the timeline), new deadlines.  Anyone
 * else opens a new case linked to the closed one, which is left as it
 * was apart from a timeline note.  On return *ci is the case referred.
 */
static int refer_closed_child(struct txn *t, const struct cme_child *c, struct case_info *ci)
{
	struct case_info closed = *ci;
	char detail[256], outcome[64];

	if (sender_may_change(t, ci)) {
		if (case_store_reopen(t->cs, ci->id, outcome, sizeof outcome) != 0 ||
		    case_store_update_child(t->cs, ci->id, c) != 0)
			return -1;
		snprintf(detail, sizeof detail, "reopened: the child was referred again by %s "
		         "(outcome was %s)", t->r->from_addr, outcome[0] ? outcome : "not recorded");
		if (case_store_add_event(t->cs, ci->id, t->now, "state", t->source, detail) != 0)
			return -1;
		ci->cstatus = CASE_OPEN;
		snprintf(ci->status, sizeof ci->status, "%s", case_status_name(CASE_OPEN));
		if (case_deadlines_apply(t->cs, &t->changes, t->p->policy, ci->id,
		                         CASE_EVENT_REOPEN, t->r->immediate == 1, t->now) != 0 ||
		    touch(t, ci) != 0)
			return -1;
		t->opened++;
		return 0;
	}
	if (open_case_for(t, c, child_needs_triage(t->r, c), ci) != 0 ||
	    case_store_set_previous_case(t->cs, ci->id, closed.id) != 0)
		return -1;
	snprintf(detail, sizeof detail, "the child's earlier case %s is closed: this case "
	         "follows it", closed.ref);
	if (case_store_add_event(t->cs, ci->id, t->now, "message", t->source, detail) != 0)
		return -1;
	snprintf(detail, sizeof detail, "the child was referred again by a sender who may not "
	         "reopen this case: new case %s opened", ci->ref);
	return case_store_add_event(t->cs, closed.id, t->now, "message", t->source, detail);
}

/* SPEC 8: children past the per-message cap become one triage case
 * whose timeline lists every one of them (as extract read them). */
static int open_overflow_case(struct txn *t)
{
	const struct cme_referral *r = t->r;
	struct case_info ci;
	struct strbuf sb;
	int rc;

	if (open_case_for(t, NULL, 1, &ci) != 0)
		return -1;
	strbuf_init(&sb, REFERRAL_MAX_OVERFLOW_TEXT + 512);
	/* the limit holds the whole listing: a failure is out of memory */
	rc = strbuf_printf(&sb, "%zu more children named in this message than one message "
	                   "opens cases for (%zu); open a case for each:\n", r->n_overflow,
	                   (size_t)EXTRACT_MAX_CHILDREN);
	if (rc == 0)
		rc = strbuf_append(&sb, strbuf_str(&r->overflow), r->overflow.len);
	if (rc == 0 && r->n_overflow_listed < r->n_overflow)
		rc = strbuf_printf(&sb, "... and %zu more not listed here (the listing is "
		                   "capped): read the message itself\n",
		                   r->n_overflow - r->n_overflow_listed);
	if (rc == 0)
		rc = case_store_add_event(t->cs, ci.id, t->now, "children", t->source,
		                          strbuf_str(&sb));
	strbuf_free(&sb);
	return rc;
}

static int apply_update_to(struct txn *t, const struct case_info *ci);

/*
 * The case a message names (SPEC 5.1, 5.6): a reference in its subject
 * (or body too, unless subject_only) other than a Merge: line's target,
 * else the case of a message or reminder it replies to.  A merged case
 * gives way to the case it was merged into.  1 found, 0 none, -1 error.
 */
static int find_named_case(struct txn *t, struct case_info *ci, int subject_only)
{
	const struct cme_referral *r = t->r;
	struct case_info s;
	int rc = 0, m;

	for (size_t i = 0; rc == 0 && i < r->case_refs.n; i++) {
		const char *ref = r->case_refs.v[i];

		if (officer_mail_merge_target(t->om, ref) ||
		    (subject_only && (r->subject == NULL || strcasestr(r->subject, ref) == NULL)))
			continue;
		rc = case_store_find_ref(t->cs, ref, ci);
	}
	for (size_t i = 0; rc == 0 && i <= r->references.n; i++) {
		const char *id = i == 0 ? r->in_reply_to : r->references.v[i - 1];

		if (id && (rc = case_store_find_by_message_id(t->cs, id, ci)) == 0)
			rc = case_store_find_by_sent_mail(t->cs, id, ci);
	}
	if (rc != 1)
		return rc;
	if ((m = case_store_merged_into(t->cs, ci->id, &s)) == 1)
		*ci = s;
	return m < 0 ? -1 : 1;
}

/* An officer's message naming a case (SPEC 5.6), or a calendar reply:
 * 0 done, 1 not one (the message goes on as any other), -1 error. */
static int apply_officer_mail(struct txn *t)
{
	struct officer_mail_result res = { 0, 0 };
	struct officer_ctx ctx;
	struct case_info ci;
	int found;

	/* an officer's out-of-office answering a reminder is no action (and
	 * gets no confirmation to answer again) */
	if (t->om->calendar_reply == NULL &&
	    (!t->om->officer || t->r->kind == KIND_AUTO_REPLY))
		return 1;
	if ((found = find_named_case(t, &ci, 0)) <= 0)   /* a reply naming nothing: ignored */
		return found < 0 ? -1 : t->om->calendar_reply ? 0 : 1;
	if (touch(t, &ci) != 0)
		return -1;
	txn_officer_ctx(t, &ctx, t->r->from_addr);
	ctx.teaches = t->om->officer;   /* an officer's correction teaches */
	if (t->om->calendar_reply)
		return officer_mail_ack(&ctx, &ci, t->om, t->r->from_addr);
	if (officer_mail_apply(&ctx, &ci, t->om, t->r->from_addr, &res) != 0)
		return -1;
	if (ctx.old_officer[0])
		snprintf(t->old_officer, sizeof t->old_officer, "%s", ctx.old_officer);
	if (res.closed)
		t->closed++;
	else
		t->updated++;
	return 0;
}

/* A referral of one child that names a case in its subject or replies
 * to a message on it: from a sender who may change that case, the
 * referrer correcting its own referral (SPEC 5.6), never a second case.
 * From anyone else, a child named only in part (a surname, a DOB) is
 * the same correction, unverified (stored, nothing changed); a child
 * named in full is a referral like any other (a sibling, say).
 * 0 done, 1 not one, -1 error. */
static int apply_correction(struct txn *t)
{
	const struct cme_child *c = &t->r->children[0];
	struct case_info ci;
	int found;

	if (t->r->n_children != 1)
		return 1;
	if ((found = find_named_case(t, &ci, 1)) <= 0)
		return found < 0 ? -1 : 1;
	if (!sender_may_change(t, &ci) && c->forename && c->surname)
		return 1;
	return apply_update_to(t, &ci);
}

static int apply_referral(struct txn *t)
{
	const struct cme_referral *r = t->r;
	long long first = 0;

	for (size_t i = 0; i < r->n_children; i++) {
		const struct cme_child *c = &r->children[i];
		struct case_info ci;
		int found = case_store_match_child(t->cs, c, &ci);

		if (found < 0)
			return -1;
		if (found && ci.cstatus == CASE_CLOSED) {
			if (refer_closed_child(t, c, &ci) != 0)
				return -1;
		} else if (found) {
			/* A second referral for a child with an open case adds to
			 * that case; it never opens a duplicate. */
			if (case_store_update_child(t->cs, ci.id, c) != 0 ||
			    case_store_add_event(t->cs, ci.id, t->now, "message", t->source,
			                         "further referral for this child") != 0 ||
			    touch(t, &ci) != 0)
				return -1;
			t->updated++;
		} else if (open_case_for(t, c, child_needs_triage(t->r, c), &ci) != 0) {
			return -1;
		}
		if (i == 0)
			first = ci.id;
		else if (case_store_link_siblings(t->cs, first, ci.id) != 0)
			return -1;
	}
	return r->n_overflow ? open_overflow_case(t) : 0;
}

static int apply_update_to(struct txn *t, const struct case_info *ci)
{
	const struct cme_referral *r = t->r;
	struct officer_ctx ctx;
	char detail[256];
	int rc;

	if (touch(t, ci) != 0)
		return -1;
	if (!sender_may_change(t, ci)) {
		snprintf(detail, sizeof detail,
		         "unverified update from %s: not applied (%s)",
		         r->from_addr ? r->from_addr : "unknown sender",
		         r->authenticated == 1 ? "sender not trusted for this case"
		                               : "sender not authenticated");
		t->unverified++;
		return case_store_add_event(t->cs, ci->id, t->now, "unverified", t->source, detail);
	}
	if (r->n_children == 1) {
		int changed;

		/* a sender who may change the case corrects what it stated */
		txn_officer_ctx(t, &ctx, r->from_addr);
		if (officer_mail_correct(&ctx, ci, &r->children[0], &changed) != 0)
			return -1;
		t->updated += changed > 0;
	}
	if (r->visit_date || r->visit_found >= 0) {
		snprintf(detail, sizeof detail, "home visit %s: %s", r->visit_date ? r->visit_date : "",
		         r->visit_found == 1 ? "child seen" :
		         r->visit_found == 0 ? "child not found" : "outcome not stated");
		txn_officer_ctx(t, &ctx, NULL);
		if (officer_visit(&ctx, ci, r->visit_date, detail) != 0)
			return -1;
		t->updated++;
	}
	if (r->outcome) {
		snprintf(detail, sizeof detail, "closed: %s", r->outcome);
		txn_officer_ctx(t, &ctx, NULL);
		rc = officer_close(&ctx, ci, r->outcome, detail);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			t->closed++;
			return 0;
		}
	}
	if (r->visit_date == NULL && r->visit_found < 0) {
		t->updated++;
		return case_store_add_event(t->cs, ci->id, t->now, "message", t->source,
		                            r->new_school ? "update: new school named" : "update received");
	}
	return 0;
}

static int apply_update(struct txn *t)
{
	const struct cme_referral *r = t->r;
	struct case_info ci;
	int found = 0;

	for (size_t i = 0; i < r->case_refs.n; i++) {
		int rc = case_store_find_ref(t->cs, r->case_refs.v[i], &ci);

		if (rc < 0)
			return -1;
		if (rc && apply_update_to(t, &ci) != 0)
			return -1;
		found += rc;
	}
	if (!found && r->in_reply_to) {
		int rc = case_store_find_by_message_id(t->cs, r->in_reply_to, &ci);

		if (rc < 0)
			return -1;
		if (rc && apply_update_to(t, &ci) != 0)
			return -1;
		found += rc;
	}
	for (size_t i = 0; !found && i < r->references.n; i++) {
		int rc = case_store_find_by_message_id(t->cs, r->references.v[i], &ci);

		if (rc < 0)
			return -1;
		if (rc && apply_update_to(t, &ci) != 0)
			return -1;
		found += rc;
	}
	if (found)
		return 0;
	/* An update nobody can place is never dropped: the children it
	 * names become cases, or it goes to triage. */
	if (r->n_children > 0)
		return apply_referral(t);
	return open_case_for(t, NULL, 1, &ci);
}

static enum case_action decide_action(const struct txn *t)
{
	if (t->opened)
		return ACTION_OPENED;
	if (t->closed)
		return ACTION_CLOSED;
	if (t->updated)
		return ACTION_UPDATED;
	if (t->unverified)
		return ACTION_UNVERIFIED;
	if (t->triaged)
		return ACTION_TRIAGE;
	return ACTION_IGNORED;
}

/* A message read only in part (longer than MaxMessageSize): every case it
 * touched says so on its timeline, and a message of which nothing usable
 * was read goes to triage rather than nowhere. */
static int note_truncation(struct txn *t)
{
	static const char note[] = "the message was larger than MaxMessageSize "
	                           "and was read only in part";
	struct case_info ci;

	if (!t->truncated)
		return 0;
	if (t->ntouched == 0 && (t->r->kind == KIND_REFERRAL || t->r->kind == KIND_UPDATE) &&
	    open_case_for(t, NULL, 1, &ci) != 0)
		return -1;
	for (size_t i = 0; i < t->ntouched; i++)
		if (case_store_add_event(t->cs, t->touched[i], t->now, "problem", t->source, note) != 0)
			return -1;
	return 0;
}

/* One message's decisions (the group commit's job callback), inside the
 * batch's transaction and under a savepoint of its own: 0 done (or a
 * duplicate), -1 failed (everything it wrote is rolled back; the other
 * messages of the batch stand). */
static int run_job(struct case_store *cs, void *arg)
{
	struct txn *t = arg;
	const struct cme_referral *r = t->r;
	const char *key = t->key;
	struct strlist earlier = STRLIST_INIT;
	char *reused_key = NULL;
	long long row;
	int seen, rc = 0;

	t->cs = cs;
	if (case_store_savepoint(t->cs) != 0)
		return -1;
	/* SPEC 5.2: a duplicate is the same Message-ID and the same content
	 * digest.  A different message under a Message-ID already seen is
	 * processed, under a key of its own, and the reuse noted. */
	seen = case_store_message_lookup(t->cs, key, message_id_of(r), t->digest, &earlier);
	if (seen < 0)
		goto fail;
	if (seen == MESSAGE_DUPLICATE) {
		for (size_t i = 0; i < earlier.n; i++)
			if (strlist_add_unique(&t->res->refs, earlier.v[i]) != 0)
				goto fail;
		strlist_free(&earlier);
		snprintf(t->res->action, sizeof t->res->action, "%s",
		         case_action_name(ACTION_DUPLICATE));
		return case_store_release(t->cs);
	}
	if (seen == MESSAGE_ID_REUSED) {
		if (asprintf(&reused_key, "%s %s", key, t->digest) < 0) {
			reused_key = NULL;
			goto fail;
		}
		key = reused_key;
	}
	rc = r->kind == KIND_BOUNCE ? 1 : apply_officer_mail(t);
	if (rc != 1)
		goto decided;
	switch (r->kind) {
	case KIND_REFERRAL:
		rc = apply_correction(t);
		if (rc == 1)
			rc = apply_referral(t);
		break;
	case KIND_UPDATE:
		rc = apply_update(t);
		break;
	case KIND_UNRECOGNISED: {
		struct case_info ci;

		rc = open_case_for(t, NULL, 1, &ci);
		break;
	}
	case KIND_AUTO_REPLY:
	case KIND_BOUNCE:
		rc = 0;
		break;      /* recorded, opens nothing */
	}
decided:
	if (rc != 0 || note_truncation(t) != 0)
		goto fail;
	snprintf(t->res->action, sizeof t->res->action, "%s", case_action_name(decide_action(t)));
	if (outbox_enqueue_reminders(&t->p->env, t->cs, &t->changes, t->now) != 0)
		goto fail;
	if (seen == MESSAGE_ID_REUSED &&
	    case_store_note_reuse(t->cs, &earlier, t->touched, t->ntouched, r->message_id,
	                          r->from_addr, t->source, t->now) != 0)
		goto fail;
	if (case_store_record_message(t->cs, key, t->digest, r, t->res->action, t->now, &row) != 0)
		goto fail;
	for (size_t i = 0; i < t->ntouched; i++)
		if (case_store_link_message(t->cs, row, t->touched[i]) != 0)
			goto fail;
	if (t->ntouched > 0 && !t->om->officer &&
	    case_store_unknown_records(t->cs, row, r) != 0)
		goto fail;
	strlist_free(&earlier);
	free(reused_key);
	return case_store_release(t->cs);
fail:
	strlist_free(&earlier);
	free(reused_key);
	case_store_rollback_to(t->cs);
	return -1;
}

/* Before a batch's messages are matched: cases past their long-term
 * review become long-term (still matchable, only dormant). */
static int prepare_batch(struct case_store *cs, void *arg, time_t now)
{
	(void)arg;
	return case_store_sweep_long_term(cs, now, NULL) < 0 ? -1 : 0;
}

/* Committed; the feeds follow from it and can always be rebuilt (cmectl
 * calendar), so a feed error does not turn an accepted message into a
 * retry. */
static void job_committed(struct case_store *cs, void *arg)
{
	struct txn *t = arg;

	(void)sender_feeds_changed(&t->p->sender, cs, &t->changes,        /* logged */
	                           t->old_officer[0] ? t->old_officer : NULL);
}

/* Notes on the referral that the input, not the message, knows. */
static int note_input_problems(const struct pipeline_input *in, size_t max_bytes,
                               struct cme_referral *r)
{
	char note[200];

	if ((in->len > max_bytes || in->truncated) &&
	    strlist_add(&r->problems, "the message was larger than MaxMessageSize; "
	                "only the first part was read") != 0)
		return -1;
	if (in->forged_headers > 0) {
		snprintf(note, sizeof note, "the message carried %zu X-CME-* header(s), which "
		         "only cme-milter writes: %s", in->forged_headers,
		         in->forged_left ? "too many to remove, left in place (see README)"
		                         : "removed");
		if (strlist_add(&r->problems, note) != 0)
			return -1;
	}
	return 0;
}

/* The labels officers taught for the sender's domain (SPEC 5.7), from
 * the pipeline's cache (learned_cache.h: read again after 10 s, or at
 * once when this process learned one). */
static void read_learned(struct pipeline *p, const struct cme_message *m,
                         struct learned_labels *out)
{
	char domain[256];

	case_learn_domain(message_from_address(m), domain, sizeof domain);
	/* a failure is logged by the writer; the message is then read
	 * with the vocabulary alone, as before anything was learned */
	(void)learned_cache_get(&p->learned, &p->writer, domain, time(NULL), out);
}

/* message -> extract: 0, or -1 out of memory. */
static int read_message(struct pipeline *p, const struct pipeline_input *in,
                        const struct cme_message *m, struct cme_referral *r)
{
	struct extract_options eo;
	struct trust_context tc;
	struct learned_labels learned;
	int rc;

	memset(&tc, 0, sizeof tc);
	tc.trusted_authserv_ids = &p->conf->trusted_authserv_ids;
	tc.internal_hosts = &p->conf->internal_hosts;
	tc.trusted_sender_domains = &p->conf->trusted_sender_domains;
	tc.public_suffixes = &p->conf->public_suffixes;
	tc.client_addr = in->client_addr;
	tc.auth_authen = in->auth_authen;
	extract_options_default(&eo);
	eo.immediate_flags = p->policy->immediate_flags;
	eo.trust = &tc;
	eo.null_sender = in->null_sender;   /* MAIL FROM:<>: extract says bounce */
	learned_labels_init(&learned);
	read_learned(p, m, &learned);
	eo.learned = &learned;
	rc = extract_referral(m, &eo, r);
	learned_labels_free(&learned);
	return rc;
}

int pipeline_process(struct pipeline *p, const struct pipeline_input *in,
                     struct pipeline_result *res)
{
	struct message_limits lim;
	struct cme_message *m;
	struct cme_referral r;
	struct commit_job job;
	struct txn *t = NULL;
	struct officer_mail om;
	char digest[MSG_DIGEST_SIZE];
	struct timespec lap;
	int rc = -1;

	stage_now(&lap);
	message_limits_default(&lim);
	lim.max_bytes = p->conf->max_message_size;
	m = message_parse(in->raw, in->len, &lim);
	if (m == NULL)
		return -1;
	res->timing.parse = stage_lap(&lap);
	referral_init(&r);
	memset(&om, 0, sizeof om);
	if (read_message(p, in, m, &r) != 0 || note_input_problems(in, lim.max_bytes, &r) != 0 ||
	    officer_mail_read(p->conf, m, &r, in->raw, in->len, in->now, &om) != 0)
		goto out;
	msg_digest(in->raw, in->len, r.from_addr, r.date, r.subject, digest);
	res->message_key = message_key(&r, digest);
	if (res->message_key == NULL)
		goto out;
	for (size_t i = 0; i < vocab_flag_count(); i++)
		if ((r.flags & (1UL << i)) && strlist_add(&res->flags, vocab_flag_name(i)) != 0)
			goto out;
	res->immediate = r.immediate == 1;

	/* On the heap: a message may touch EXTRACT_MAX_CHILDREN cases, and
	 * the deadline changes they make are too many for a thread's stack. */
	t = txn_new();
	if (t == NULL)
		goto out;
	t->p = p;
	t->r = &r;
	t->now = in->now;
	t->truncated = in->len > lim.max_bytes || in->truncated;
	t->res = res;
	t->key = res->message_key;
	t->source = res->message_key;
	t->digest = digest;
	t->om = &om;

	memset(&job, 0, sizeof job);
	job.prepare = prepare_batch;
	job.run = run_job;
	job.after = job_committed;
	job.arg = t;
	job.now = t->now;
	job.queue_id = in->queue_id;
	job.timing = &res->timing;
	res->timing.extract = stage_lap(&lap);
	rc = writer_commit(&p->writer, &job);
out:
	free(t);
	officer_mail_free(&om);
	referral_free(&r);
	message_free(m);
	return rc;
}

/* ------------------------------------------------------------------ */

/* "[CME-2026-00001] " once per ref not already present; "[URGENT] "
 * when immediate and not already there.  NULL (the subject is left as it
 * is) also when the tagged subject cannot be made: a subject without
 * its text would be worse than one without its tag. */
char *pipeline_tag_subject(const char *subject, const struct pipeline_result *res)
{
	struct strbuf sb;
	const char *s = subject ? subject : "";
	int changed = 0, rc = 0;

	strbuf_init(&sb, 4096);
	/* One URGENT in the subject: not added when the sender wrote it. */
	if (res->immediate && strstr(s, "URGENT") == NULL) {
		rc |= strbuf_puts(&sb, "[URGENT] ");
		changed = 1;
	}
	for (size_t i = 0; i < res->refs.n && i < 8; i++) {
		char tag[40];

		snprintf(tag, sizeof tag, "[%s]", res->refs.v[i]);
		if (strstr(s, tag) == NULL && strstr(s, res->refs.v[i]) == NULL) {
			rc |= strbuf_puts(&sb, tag);
			rc |= strbuf_putc(&sb, ' ');
			changed = 1;
		}
	}
	if (changed)
		rc |= strbuf_puts(&sb, s);
	if (!changed || rc != 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}
