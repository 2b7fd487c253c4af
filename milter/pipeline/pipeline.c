/*
 * pipeline.c - message -> extract -> store -> schedule -> emit.
 * See pipeline.h.
 *
 * Owns: the decisions.  Given what extract read from a message, which
 * case does it open or change, may its sender change it, which deadlines
 * follow; and the order of the stages, so that the database commit comes
 * before anything is reported as done.
 *
 * Concurrency: cme-milter calls pipeline_process from many threads.  One
 * process-wide mutex serialises the store transaction and the feed
 * rewrite that follows it: SQLite allows one writer at a time anyway,
 * and serialising here keeps an older feed from overwriting a newer one.
 * Each call opens its own database connection, so a database made
 * unwritable, moved or restored is noticed on the very next message
 * (and answered with a tempfail) rather than hidden behind an open file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_links.h"
#include "case_store.h"
#include "claimant.h"
#include "deadline.h"
#include "extract.h"
#include "logging.h"
#include "message.h"
#include "msg_digest.h"
#include "pipeline.h"
#include "policy.h"
#include "referral.h"
#include "reminder.h"
#include "imip.h"
#include "officer_map.h"
#include "strbuf.h"
#include "trust.h"
#include "vocab.h"

struct pipeline {
	const struct cme_conf *conf;
	struct policy *policy;
	struct officer_map *officers;    /* OfficerMap, or NULL */
	/* The writing connection, used under `lock` and kept across
	 * messages (its statements stay prepared; closing the database's
	 * last connection would checkpoint and delete the WAL).  Dropped
	 * after any failure and opened again for the next transaction, so a
	 * database that was restored or moved is picked up. */
	struct case_store *writer;

	/* Group commit (see group_commit): messages waiting for a commit. */
	pthread_mutex_t q_lock;
	pthread_cond_t q_done;
	struct job *q_head, *q_tail;
	int q_leader;
	pthread_mutex_t lock;
	char host[128];              /* right-hand side of event UIDs */

	/* The reminder-mail sender (cme-milter only): a thread woken after
	 * every commit that queued mail, and every 30 s for retries. */
	pthread_t sender;
	int sender_running, sender_stop;
	pthread_mutex_t sender_lock;
	pthread_cond_t sender_wake;
	struct strlist dirty_feeds;  /* officers whose feed must be rewritten */
	char claimant[160];          /* this process's name on outbox leases */
	char seal_key[80];           /* seals our reminder mails (imip_sealed) */
	int all_feeds_dirty;         /* rewrite every officer's feed (start-up) */
	int defer_feeds;             /* batch (cmectl ingest): feeds at the end */
};

/* Cases one message can touch: every child it names, and the case
 * references it quotes.  Deadlines per case: four kinds. */
#define MAX_CASES_PER_MESSAGE (EXTRACT_MAX_CHILDREN + 16)
#define MAX_CHANGES (MAX_CASES_PER_MESSAGE * 4)

/* Deadlines changed in one transaction: each needs an iMIP REQUEST (now
 * pending) or CANCEL (met or cancelled) once the change commits. */
struct dl_changes {
	long long case_id[MAX_CHANGES];
	char kind[MAX_CHANGES][24];
	size_t n;
};

/* Remember a change.  A change that cannot be remembered fails the whole
 * transaction (the sender retries) rather than lose its reminder. */
static int note_change(struct dl_changes *ch, long long case_id, const char *kind)
{
	for (size_t i = 0; i < ch->n; i++)
		if (ch->case_id[i] == case_id && strcmp(ch->kind[i], kind) == 0)
			return 0;
	if (ch->n >= MAX_CHANGES) {
		log_msg(LOG_ERR, "more deadline changes in one message than %d", MAX_CHANGES);
		return -1;
	}
	ch->case_id[ch->n] = case_id;
	snprintf(ch->kind[ch->n], sizeof ch->kind[0], "%s", kind);
	ch->n++;
	return 0;
}

/* Set a deadline / move its status, and remember the change. */
static int deadline_set(struct case_store *cs, struct dl_changes *ch, long long case_id,
                        const char *kind, time_t due, time_t now)
{
	if (case_store_set_deadline(cs, case_id, kind, due, "pending", now) != 0)
		return -1;
	return note_change(ch, case_id, kind);
}

static int deadline_move(struct case_store *cs, struct dl_changes *ch, long long case_id,
                         const char *kind, const char *to, time_t now)
{
	int n = case_store_change_deadline_status(cs, case_id, kind, "pending", to, now);

	if (n > 0)
		return note_change(ch, case_id, kind);
	return n < 0 ? -1 : 0;
}

/* The deadlines a new case gets, with the policy duration for each. */
enum { DL_HOME_VISIT, DL_ESCALATION, DL_LONG_TERM, DL_COUNT };
static const char *const deadline_kind[DL_COUNT] = {
	"home-visit", "escalation", "long-term-review",
};
static const char *const deadline_title[] = {
	"Home visit due", "Escalation due", "Long-term review due",
};

static const struct duration *policy_duration(const struct policy *p, int which)
{
	switch (which) {
	case DL_HOME_VISIT: return &p->home_visit;
	case DL_ESCALATION: return &p->escalation;
	default: return &p->long_term;
	}
}

/* The words of a reminder.  ReminderDetail minimal (the default): case
 * reference and initials only; the name, DOB and address stay in the
 * database. */
struct reminder_text {
	char uid[256], summary[256], description[512];
};

static void describe_deadline(const struct pipeline *p, const struct deadline_row *row,
                              struct reminder_text *out)
{
	const char *title = "Immediate escalation";
	char when[64];

	for (int k = 0; k < DL_COUNT; k++)
		if (strcmp(row->kind, deadline_kind[k]) == 0)
			title = deadline_title[k];
	/* ReminderDetail full: the child's name (the LA has decided its
	 * calendars may hold it); minimal: initials only. */
	const char *who = p->conf->reminder_detail == DETAIL_FULL && row->name[0] != ' '
	                  ? row->name : row->initials;

	deadline_format_local(p->policy, row->due, when, sizeof when);
	snprintf(out->uid, sizeof out->uid, "%s-%s@%s", row->ref, row->kind, p->host);
	snprintf(out->summary, sizeof out->summary, "%s: %s (%s)", title, row->ref, who);
	snprintf(out->description, sizeof out->description,
	         "CME case %s, child %s.\n%s by %s.\nDetails: cmectl show %s",
	         row->ref, who, title, when, row->ref);
}

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
	(void)strlist_add(errors, buf);
	return -1;
}

/*
 * The writing connection for one transaction; call with p->lock held.
 * Every time, the database file must still be writable by us: a
 * connection already open would go on writing through its descriptor
 * after the file was made read-only, and the point of a read-only
 * database is that nothing is accepted until it is fixed.
 */
static struct case_store *writer_get(struct pipeline *p, char *err, size_t errlen)
{
	if (access(p->conf->database, W_OK) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: not writable: %s", p->conf->database, strerror(errno));
		return NULL;
	}
	if (p->writer == NULL)
		p->writer = case_store_open(p->conf->database, err, errlen);
	return p->writer;
}

/* After a failed transaction: start from a fresh connection next time. */
static void writer_drop(struct pipeline *p)
{
	case_store_close(p->writer);
	p->writer = NULL;
}

struct pipeline *pipeline_new(const struct cme_conf *conf, struct strlist *errors)
{
	struct pipeline *p = calloc(1, sizeof *p);
	struct case_store *cs;
	char err[512];

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
	cs = case_store_open(conf->database, err, sizeof err);
	if (cs == NULL) {
		(void)strlist_add(errors, err);
		goto fail;
	}
	p->writer = cs;
	/* A database that lost cases must not hand out their references
	 * again: refuse it (store_guard.h). */
	if (case_store_check_refs(cs, err, sizeof err) != 0) {
		(void)strlist_add(errors, err);
		goto fail;
	}
	if (case_store_seal_key(cs, p->seal_key, sizeof p->seal_key) != 0) {
		(void)strlist_add(errors, case_store_errmsg(cs));
		goto fail;
	}
	if (ensure_dir(conf->reminder_dir, errors) != 0)
		goto fail;
	if (gethostname(p->host, sizeof p->host) != 0 || p->host[0] == '\0')
		snprintf(p->host, sizeof p->host, "cme-milter");
	p->host[sizeof p->host - 1] = '\0';
	claimant_self(p->claimant, sizeof p->claimant, p->host);
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->q_lock, NULL);
	pthread_cond_init(&p->q_done, NULL);
	pthread_mutex_init(&p->sender_lock, NULL);
	pthread_cond_init(&p->sender_wake, NULL);
	return p;
fail:
	policy_free(p->policy);
	officer_map_free(p->officers);
	case_store_close(p->writer);
	free(p);
	return NULL;
}

void pipeline_stop_sender(struct pipeline *p)
{
	if (p == NULL || !p->sender_running)
		return;
	pthread_mutex_lock(&p->sender_lock);
	p->sender_stop = 1;
	pthread_cond_signal(&p->sender_wake);
	pthread_mutex_unlock(&p->sender_lock);
	pthread_join(p->sender, NULL);
	p->sender_running = 0;
	p->sender_stop = 0;
}

void pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	pipeline_stop_sender(p);
	pthread_mutex_destroy(&p->sender_lock);
	pthread_cond_destroy(&p->sender_wake);
	pthread_mutex_destroy(&p->q_lock);
	pthread_cond_destroy(&p->q_done);
	strlist_free(&p->dirty_feeds);
	officer_map_free(p->officers);
	case_store_close(p->writer);
	case_store_release_refs(p->conf->database);   /* unused reserved numbers */
	policy_free(p->policy);
	pthread_mutex_destroy(&p->lock);
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
/* The decisions, one transaction.                                      */

struct txn {
	struct pipeline *p;
	struct case_store *cs;
	const struct cme_referral *r;
	const char *source;          /* Message-ID or key: the timeline's source */
	const char *digest;          /* content digest (msg_digest.h) */
	time_t now;
	struct pipeline_result *res;
	long long touched[MAX_CASES_PER_MESSAGE];  /* case ids, for message links */
	size_t ntouched;
	struct dl_changes changes;   /* deadlines changed: reminders to send */
	int opened, updated, triaged, closed, unverified;
	int truncated;               /* only the first MaxMessageSize bytes were read */
};

static void touch(struct txn *t, const struct case_info *ci)
{
	for (size_t i = 0; i < t->ntouched; i++)
		if (t->touched[i] == ci->id)
			return;
	/* cannot overflow: a message names at most EXTRACT_MAX_CHILDREN
	 * children and 16 case references */
	if (t->ntouched < sizeof t->touched / sizeof t->touched[0])
		t->touched[t->ntouched++] = ci->id;
	(void)strlist_add_unique(&t->res->refs, ci->ref);
}

static int schedule_new_case(struct txn *t, const struct case_info *ci)
{
	const struct policy *pol = t->p->policy;

	for (int k = 0; k < DL_COUNT; k++) {
		time_t due = deadline_due(pol, policy_duration(pol, k), t->now);
		char detail[160], when[64];

		if (due == (time_t)-1)
			continue;
		if (deadline_set(t->cs, &t->changes, ci->id, deadline_kind[k], due, t->now) != 0)
			return -1;
		deadline_format_local(pol, due, when, sizeof when);
		snprintf(detail, sizeof detail, "%s due %s", deadline_kind[k], when);
		if (case_store_add_event(t->cs, ci->id, t->now, "deadline", "policy", detail) != 0)
			return -1;
	}
	if (t->r->immediate == 1) {
		if (deadline_set(t->cs, &t->changes, ci->id, "immediate", t->now, t->now) != 0 ||
		    case_store_add_event(t->cs, ci->id, t->now, "deadline", "policy",
		                         "immediate escalation: safeguarding flag") != 0)
			return -1;
	}
	return 0;
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
	    schedule_new_case(t, ci) != 0)
		return -1;
	touch(t, ci);
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

static int sender_may_change(const struct txn *t, const struct case_info *ci);

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
		snprintf(ci->status, sizeof ci->status, "open");
		if (schedule_new_case(t, ci) != 0)
			return -1;
		touch(t, ci);
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
	(void)strbuf_printf(&sb, "%zu more children named in this message than one message "
	                    "opens cases for (%zu); open a case for each:\n", r->n_overflow,
	                    (size_t)EXTRACT_MAX_CHILDREN);
	(void)strbuf_append(&sb, strbuf_str(&r->overflow), r->overflow.len);
	if (r->n_overflow_listed < r->n_overflow)
		(void)strbuf_printf(&sb, "... and %zu more not listed here (the listing is "
		                    "capped): read the message itself\n",
		                    r->n_overflow - r->n_overflow_listed);
	rc = case_store_add_event(t->cs, ci.id, t->now, "children", t->source, strbuf_str(&sb));
	strbuf_free(&sb);
	return rc;
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
		if (found && strcmp(ci.status, "closed") == 0) {
			if (refer_closed_child(t, c, &ci) != 0)
				return -1;
		} else if (found) {
			/* A second referral for a child with an open case adds to
			 * that case; it never opens a duplicate. */
			if (case_store_update_child(t->cs, ci.id, c) != 0 ||
			    case_store_add_event(t->cs, ci.id, t->now, "message", t->source,
			                         "further referral for this child") != 0)
				return -1;
			touch(t, &ci);
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

/* May this message change the case?  SPEC 5.3: an authenticated sender
 * from TrustedSenderDomains, or the case's own referrer. */
static int sender_may_change(const struct txn *t, const struct case_info *ci)
{
	const struct cme_referral *r = t->r;
	const char *dom = trust_domain_of(r->from_addr);

	if (r->authenticated != 1 || r->from_addr == NULL)
		return 0;
	if (trust_domain_allowed(dom, &t->p->conf->trusted_sender_domains))
		return 1;
	return ci->referrer_email[0] && strcasecmp(ci->referrer_email, r->from_addr) == 0;
}

static int cancel_pending(struct txn *t, long long case_id, const char *except_kind,
                          const char *status)
{
	for (int k = 0; k <= DL_COUNT; k++) {
		const char *kind = k < DL_COUNT ? deadline_kind[k] : "immediate";

		if (except_kind && strcmp(kind, except_kind) == 0)
			continue;
		/* set_deadline keeps `due` and raises SEQUENCE on the status
		 * change; a deadline the case never had is not created. */
		if (deadline_move(t->cs, &t->changes, case_id, kind, status, t->now) != 0)
			return -1;
	}
	return 0;
}

static int apply_update_to(struct txn *t, const struct case_info *ci)
{
	const struct cme_referral *r = t->r;
	char detail[256];

	touch(t, ci);
	if (!sender_may_change(t, ci)) {
		snprintf(detail, sizeof detail,
		         "unverified update from %s: not applied (%s)",
		         r->from_addr ? r->from_addr : "unknown sender",
		         r->authenticated == 1 ? "sender not trusted for this case"
		                               : "sender not authenticated");
		t->unverified++;
		return case_store_add_event(t->cs, ci->id, t->now, "unverified", t->source, detail);
	}
	if (r->visit_date || r->visit_found >= 0) {
		snprintf(detail, sizeof detail, "home visit %s: %s", r->visit_date ? r->visit_date : "",
		         r->visit_found == 1 ? "child seen" :
		         r->visit_found == 0 ? "child not found" : "outcome not stated");
		if (case_store_add_event(t->cs, ci->id, t->now, "visit", t->source, detail) != 0 ||
		    deadline_move(t->cs, &t->changes, ci->id, "home-visit", "met", t->now) != 0)
			return -1;
		if (strcmp(ci->status, "open") == 0 &&
		    case_store_set_status(t->cs, ci->id, "visited", NULL, t->now) != 0)
			return -1;
		t->updated++;
	}
	if (r->outcome && strcmp(ci->status, "closed") != 0) {
		snprintf(detail, sizeof detail, "closed: %s", r->outcome);
		if (case_store_set_status(t->cs, ci->id, "closed", r->outcome, t->now) != 0 ||
		    case_store_add_event(t->cs, ci->id, t->now, "state", t->source, detail) != 0 ||
		    cancel_pending(t, ci->id, NULL, "cancelled") != 0)
			return -1;
		t->closed++;
		return 0;
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

/* ------------------------------------------------------------------ */
/* iMIP: queue the reminder mails for the deadlines this transaction
 * changed, inside the transaction, so they exist exactly when the change
 * does.                                                                */

struct enqueue_ctx {
	struct pipeline *p;
	struct case_store *cs;
	const struct dl_changes *ch;
	time_t now;
	long serial;
};

static int queue_one(struct enqueue_ctx *e, const struct deadline_row *row,
                     const char *attendee)
{
	const struct cme_conf *conf = e->p->conf;
	const char *mailbox = conf->mailboxes.n ? conf->mailboxes.v[0] : NULL;
	const char *method = strcmp(row->status, "pending") == 0 ? "REQUEST" : "CANCEL";
	struct reminder_text rt;
	struct reminder_event ev;
	char subject[320], msgid[400], *cal, *msg;
	int rc;

	if (mailbox == NULL)
		return 0;       /* nobody to send as; conf_check requires Mailbox */
	describe_deadline(e->p, row, &rt);
	memset(&ev, 0, sizeof ev);
	ev.uid = rt.uid;
	ev.summary = rt.summary;
	ev.description = rt.description;
	ev.due = row->due;
	ev.sequence = row->sequence;
	ev.cancelled = strcmp(method, "CANCEL") == 0;
	ev.stamp = e->now;
	cal = reminder_calendar_text(&ev, 1, method, mailbox, attendee);
	if (cal == NULL)
		return -1;
	snprintf(subject, sizeof subject, "%s%s", ev.cancelled ? "Cancelled: " : "", rt.summary);
	snprintf(msgid, sizeof msgid, "<%s.%d.%s.%ld.%ld@%s>", row->ref, row->sequence, row->kind,
	         (long)e->now, e->serial++, e->p->host);
	msg = imip_message(mailbox, attendee, subject,
	                   ev.cancelled ? "This CME reminder is cancelled.\n" : rt.description,
	                   cal, method, msgid, e->now);
	free(cal);
	if (msg == NULL)
		return -1;
	rc = case_store_outbox_add(e->cs, row->case_id, rt.uid, method, attendee, msg, msgid,
	                           e->now);
	free(msg);
	return rc;
}

static int enqueue_cb(const struct deadline_row *row, void *arg)
{
	struct enqueue_ctx *e = arg;
	const struct cme_conf *conf = e->p->conf;
	int changed = 0;

	for (size_t i = 0; i < e->ch->n; i++)
		if (e->ch->case_id[i] == row->case_id && strcmp(e->ch->kind[i], row->kind) == 0)
			changed = 1;
	if (!changed)
		return 0;
	if (queue_one(e, row, row->officer) != 0)
		return -1;
	/* Escalations also go to the manager (EscalationContact). */
	if (conf->escalation_contact && (strcmp(row->kind, "escalation") == 0 ||
	                                 strcmp(row->kind, "immediate") == 0))
		return queue_one(e, row, conf->escalation_contact);
	return 0;
}

static int enqueue_reminders(struct pipeline *p, struct case_store *cs,
                             const struct dl_changes *ch, time_t now)
{
	struct enqueue_ctx e = { p, cs, ch, now, 0 };
	long long done[MAX_CHANGES];
	size_t ndone = 0;

	if (!p->conf->notify_officers)
		return 0;
	for (size_t i = 0; i < ch->n; i++) {
		int seen = 0;

		for (size_t k = 0; k < ndone; k++)
			seen |= done[k] == ch->case_id[i];
		if (seen)
			continue;
		done[ndone++] = ch->case_id[i];
		if (case_store_each_changed_deadline(cs, ch->case_id[i], 0, enqueue_cb, &e) != 0)
			return -1;
	}
	return 0;
}

static const char *decide_action(const struct txn *t)
{
	if (t->opened)
		return "opened";
	if (t->closed)
		return "closed";
	if (t->updated)
		return "updated";
	if (t->unverified)
		return "unverified";
	if (t->triaged)
		return "triage";
	return "ignored";
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

/* One message's decisions, inside the batch's transaction and under a
 * savepoint of its own: 0 done (or a duplicate), -1 failed (everything
 * it wrote is rolled back; the other messages of the batch stand). */
static int run_job(struct txn *t, const char *key)
{
	const struct cme_referral *r = t->r;
	struct strlist earlier = STRLIST_INIT;
	char *reused_key = NULL;
	long long row;
	int seen, rc = 0;

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
			(void)strlist_add_unique(&t->res->refs, earlier.v[i]);
		strlist_free(&earlier);
		snprintf(t->res->action, sizeof t->res->action, "duplicate");
		return case_store_release(t->cs);
	}
	if (seen == MESSAGE_ID_REUSED) {
		if (asprintf(&reused_key, "%s %s", key, t->digest) < 0) {
			reused_key = NULL;
			goto fail;
		}
		key = reused_key;
	}
	switch (r->kind) {
	case KIND_REFERRAL:
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
		break;      /* recorded, opens nothing */
	}
	if (rc != 0 || note_truncation(t) != 0)
		goto fail;
	snprintf(t->res->action, sizeof t->res->action, "%s", decide_action(t));
	if (enqueue_reminders(t->p, t->cs, &t->changes, t->now) != 0)
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
	strlist_free(&earlier);
	free(reused_key);
	return case_store_release(t->cs);
fail:
	strlist_free(&earlier);
	free(reused_key);
	case_store_rollback_to(t->cs);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Emit: the officers' feeds.                                           */

struct feed {
	const struct pipeline *p;
	struct reminder_event *ev;
	size_t n, cap;
	struct strbuf text;          /* backing store for UIDs and summaries */
	struct strlist strings;
};

static int collect_event(const struct deadline_row *row, void *arg)
{
	struct feed *f = arg;
	const struct pipeline *p = f->p;
	struct reminder_text rt;

	if (strcmp(row->status, "pending") != 0)
		return 0;       /* the feed holds live events only */
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 32;
		struct reminder_event *nev = realloc(f->ev, ncap * sizeof *nev);

		if (nev == NULL)
			return -1;
		f->ev = nev;
		f->cap = ncap;
	}
	describe_deadline(p, row, &rt);
	if (strlist_add(&f->strings, rt.uid) != 0 || strlist_add(&f->strings, rt.summary) != 0 ||
	    strlist_add(&f->strings, rt.description) != 0)
		return -1;
	memset(&f->ev[f->n], 0, sizeof f->ev[f->n]);
	f->ev[f->n].due = row->due;
	f->ev[f->n].sequence = row->sequence;
	f->ev[f->n].stamp = row->updated_at;
	f->n++;
	return 0;
}

static int write_officer_feed(struct pipeline *p, struct case_store *cs, const char *officer)
{
	struct feed f;
	char err[512];
	int rc;

	memset(&f, 0, sizeof f);
	f.p = p;
	rc = case_store_each_deadline(cs, officer, collect_event, &f);
	if (rc == 0) {
		/* strings were appended three per event, in order */
		for (size_t i = 0; i < f.n; i++) {
			f.ev[i].uid = f.strings.v[3 * i];
			f.ev[i].summary = f.strings.v[3 * i + 1];
			f.ev[i].description = f.strings.v[3 * i + 2];
		}
		rc = reminder_write_feed(p->conf->reminder_dir, officer, f.ev, f.n,
		                         p->conf->mailboxes.n ? p->conf->mailboxes.v[0] : NULL,
		                         err, sizeof err);
		if (rc != 0)
			log_msg(LOG_ERR, "reminder feed: %s", err);
	}
	free(f.ev);
	strlist_free(&f.strings);
	return rc;
}

static int write_feed_cb(const char *officer, void *arg)
{
	void **a = arg;

	(void)write_officer_feed(a[0], a[1], officer);
	return 0;
}

int pipeline_write_feeds(struct pipeline *p)
{
	char err[512];
	struct case_store *cs;
	void *args[2];
	int rc;

	/* A reader of its own: no need to hold up the messages being
	 * committed meanwhile (WAL readers see a consistent snapshot). */
	cs = case_store_open(p->conf->database, err, sizeof err);
	if (cs == NULL) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	args[0] = p;
	args[1] = cs;
	rc = case_store_each_officer(cs, write_feed_cb, args);
	if (p->conf->duty_officer)
		rc |= write_officer_feed(p, cs, p->conf->duty_officer);
	case_store_close(cs);
	return rc;
}

/*
 * After a commit that changed deadlines: the owners' feeds must be
 * rewritten and reminder mails may be waiting.  In cme-milter the sender
 * thread does both, coalescing many messages into one rewrite per
 * officer, so that a feed (whose size grows with the caseload) is never
 * rewritten inside Postfix's transaction.  Without a sender thread
 * (cmectl) the feeds are written here and now.  Called with p->lock held.
 */
static void feeds_changed(struct pipeline *p, struct case_store *cs,
                          const struct dl_changes *ch)
{
	struct strlist officers = STRLIST_INIT;

	for (size_t i = 0; i < ch->n; i++) {
		struct case_info ci;

		if (case_store_find_id(cs, ch->case_id[i], &ci) == 1)
			(void)strlist_add_unique(&officers, ci.officer);
	}
	if (officers.n == 0)
		return;
	if (p->sender_running || p->defer_feeds) {
		pthread_mutex_lock(&p->sender_lock);
		for (size_t i = 0; i < officers.n; i++)
			(void)strlist_add_unique(&p->dirty_feeds, officers.v[i]);
		pthread_cond_signal(&p->sender_wake);
		pthread_mutex_unlock(&p->sender_lock);
	} else {
		for (size_t i = 0; i < officers.n; i++)
			(void)write_officer_feed(p, cs, officers.v[i]);
	}
	strlist_free(&officers);
}

/* ------------------------------------------------------------------ */
/* Group commit.
 *
 * A commit costs an fsync, and an fsync costs milliseconds whatever it
 * carries.  Messages that reach end of data while a commit is under way
 * queue up; the next thread through becomes the leader and runs the
 * whole queue as one transaction (each message under its own savepoint)
 * with one fsync, then wakes the others with their results.  Under load
 * the batches grow by themselves; alone, a message is a batch of one.
 * Nothing is reported done before the COMMIT that holds it returned.  */

struct job {
	struct txn *t;
	const char *key;
	const char *queue_id;
	int rc;
	int done;
	struct job *next;
};

static void run_batch(struct pipeline *p, struct job *batch)
{
	char err[512];
	struct case_store *cs;
	time_t now = batch->t->now;
	int ok = 1;

	pthread_mutex_lock(&p->lock);
	cs = writer_get(p, err, sizeof err);
	if (cs == NULL) {
		log_msg(LOG_ERR, "%s: cannot open the database: %s",
		        batch->queue_id ? batch->queue_id : "-", err);
		ok = 0;
	} else if (case_store_begin(cs) != 0) {
		ok = 0;
	} else if (case_store_sweep_long_term(cs, now, NULL) < 0) {
		/* Cases past their long-term review become long-term before
		 * the batch is matched: still matchable, only dormant. */
		ok = 0;
	}
	for (struct job *j = batch; ok && j; j = j->next) {
		j->t->cs = cs;
		j->rc = run_job(j->t, j->key);
		if (j->rc != 0)
			log_msg(LOG_ERR, "%s: cannot store the case: %s",
			        j->queue_id ? j->queue_id : "-", case_store_errmsg(cs));
	}
	if (ok && case_store_commit(cs) != 0) {
		log_msg(LOG_ERR, "%s: cannot commit: %s",
		        batch->queue_id ? batch->queue_id : "-", case_store_errmsg(cs));
		ok = 0;
	}
	if (!ok) {
		if (cs != NULL) {
			case_store_rollback(cs);
			writer_drop(p);
		}
		for (struct job *j = batch; j; j = j->next)
			j->rc = -1;
	} else {
		/* Committed; the feeds follow from it and can always be
		 * rebuilt (cmectl calendar), so a feed error does not turn
		 * an accepted message into a retry. */
		for (struct job *j = batch; j; j = j->next)
			if (j->rc == 0)
				feeds_changed(p, cs, &j->t->changes);
	}
	pthread_mutex_unlock(&p->lock);
}

static int group_commit(struct pipeline *p, struct job *job)
{
	pthread_mutex_lock(&p->q_lock);
	if (p->q_tail)
		p->q_tail->next = job;
	else
		p->q_head = job;
	p->q_tail = job;
	while (!job->done) {
		if (!p->q_leader) {
			struct job *batch = p->q_head;

			p->q_leader = 1;
			p->q_head = p->q_tail = NULL;
			pthread_mutex_unlock(&p->q_lock);
			run_batch(p, batch);
			pthread_mutex_lock(&p->q_lock);
			for (struct job *j = batch; j; j = j->next)
				j->done = 1;
			p->q_leader = 0;
			pthread_cond_broadcast(&p->q_done);
		} else {
			pthread_cond_wait(&p->q_done, &p->q_lock);
		}
	}
	pthread_mutex_unlock(&p->q_lock);
	return job->rc;
}

/* ------------------------------------------------------------------ */

int pipeline_process(struct pipeline *p, const struct pipeline_input *in,
                     struct pipeline_result *res)
{
	struct message_limits lim;
	struct extract_options eo;
	struct trust_context tc;
	struct cme_message *m;
	struct cme_referral r;
	struct txn *t = NULL;
	char digest[MSG_DIGEST_SIZE];
	int rc = -1;

	message_limits_default(&lim);
	lim.max_bytes = p->conf->max_message_size;
	m = message_parse(in->raw, in->len, &lim);
	if (m == NULL)
		return -1;
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
	referral_init(&r);
	if (extract_referral(m, &eo, &r) != 0)
		goto out;
	if (in->null_sender)
		r.kind = KIND_BOUNCE;   /* MAIL FROM:<> is a bounce whatever it says */
	if (in->len > lim.max_bytes || in->truncated)
		(void)strlist_add(&r.problems, "the message was larger than MaxMessageSize; "
		                  "only the first part was read");
	if (in->forged_headers > 0) {
		char note[200];

		snprintf(note, sizeof note, "the message carried %zu X-CME-* header(s), which "
		         "only cme-milter writes: %s", in->forged_headers,
		         in->forged_left ? "too many to remove, left in place (see README)"
		                         : "removed");
		(void)strlist_add(&r.problems, note);
	}
	msg_digest(in->raw, in->len, r.from_addr, r.date, r.subject, digest);
	res->message_key = message_key(&r, digest);
	if (res->message_key == NULL)
		goto out;
	for (size_t i = 0; i < vocab_flag_count(); i++)
		if (r.flags & (1UL << i))
			(void)strlist_add(&res->flags, vocab_flag_name(i));
	res->immediate = r.immediate == 1;

	/* On the heap: a message may touch EXTRACT_MAX_CHILDREN cases, and
	 * the deadline changes they make are too many for a thread's stack. */
	t = calloc(1, sizeof *t);
	if (t == NULL)
		goto out;
	t->p = p;
	t->r = &r;
	t->now = in->now;
	t->truncated = in->len > lim.max_bytes || in->truncated;
	t->res = res;
	t->source = res->message_key;
	t->digest = digest;

	{
		struct job job;

		memset(&job, 0, sizeof job);
		job.t = t;
		job.key = res->message_key;
		job.queue_id = in->queue_id;
		rc = group_commit(p, &job);
	}
out:
	free(t);
	referral_free(&r);
	message_free(m);
	return rc;
}

/* ------------------------------------------------------------------ */

/* "[CME-2026-00001] " once per ref not already present; "[URGENT] "
 * when immediate and not already there. */
char *pipeline_tag_subject(const char *subject, const struct pipeline_result *res)
{
	struct strbuf sb;
	const char *s = subject ? subject : "";
	int changed = 0;

	strbuf_init(&sb, 4096);
	if (res->immediate && strstr(s, "[URGENT]") == NULL) {
		(void)strbuf_puts(&sb, "[URGENT] ");
		changed = 1;
	}
	for (size_t i = 0; i < res->refs.n && i < 8; i++) {
		char tag[40];

		snprintf(tag, sizeof tag, "[%s]", res->refs.v[i]);
		if (strstr(s, tag) == NULL && strstr(s, res->refs.v[i]) == NULL) {
			(void)strbuf_puts(&sb, tag);
			(void)strbuf_putc(&sb, ' ');
			changed = 1;
		}
	}
	if (!changed) {
		strbuf_free(&sb);
		return NULL;
	}
	(void)strbuf_puts(&sb, s);
	return strbuf_detach(&sb);
}

/* ------------------------------------------------------------------ */
/* Short transactions of the officer tools, the sweep and the outbox.   */

/* Run fn in one transaction on a connection of its own, under the
 * pipeline's lock.  fn's result (>= 0) is committed and returned; a
 * negative result, or a failed open, begin or commit, rolls back and
 * returns -1.  `after` (may be NULL) runs once committed, still under
 * the lock with the connection open (for feeds). */
typedef long long (*txn_fn)(struct case_store *cs, void *arg);

static long long in_transaction(struct pipeline *p, txn_fn fn, void *arg,
                                void (*after)(struct pipeline *, struct case_store *, void *,
                                              long long))
{
	char err[512];
	struct case_store *cs;
	long long rc = -1;

	pthread_mutex_lock(&p->lock);
	cs = writer_get(p, err, sizeof err);
	if (cs == NULL) {
		log_msg(LOG_ERR, "%s", err);
	} else if (case_store_begin(cs) == 0) {
		rc = fn(cs, arg);
		if (rc < 0 || case_store_commit(cs) != 0) {
			log_msg(LOG_ERR, "%s", case_store_errmsg(cs));
			case_store_rollback(cs);
			writer_drop(p);
			rc = -1;
		} else if (after) {
			after(p, cs, arg, rc);
		}
	} else {
		log_msg(LOG_ERR, "%s", case_store_errmsg(cs));
		writer_drop(p);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Officer actions (cmectl): the same decisions, with "cmectl" as the
 * timeline's source.  Each runs in one transaction and rewrites the
 * officer's feed after the commit.                                     */

struct officer_action {
	const char *ref;
	const char *date;          /* visit */
	int found;                 /* visit */
	const char *outcome;       /* close */
	const char *note;
	time_t now;
	char officer[256];
	struct dl_changes changes;
};

static int do_visit(struct case_store *cs, const struct case_info *ci, struct officer_action *a)
{
	char detail[512];

	snprintf(detail, sizeof detail, "home visit %s: %s%s%s", a->date,
	         a->found ? "child seen" : "child not found", a->note ? ". Note: " : "",
	         a->note ? a->note : "");
	if (case_store_add_event(cs, ci->id, a->now, "visit", "cmectl", detail) != 0 ||
	    deadline_move(cs, &a->changes, ci->id, "home-visit", "met", a->now) != 0)
		return -1;
	if (strcmp(ci->status, "open") == 0 || strcmp(ci->status, "triage") == 0)
		return case_store_set_status(cs, ci->id, "visited", NULL, a->now);
	return 0;
}

static int do_close(struct case_store *cs, const struct case_info *ci, struct officer_action *a)
{
	char detail[512];
	static const char *const kinds[] = { "home-visit", "escalation", "long-term-review",
		"immediate" };

	snprintf(detail, sizeof detail, "closed: %s%s%s", a->outcome, a->note ? ". Note: " : "",
	         a->note ? a->note : "");
	if (case_store_set_status(cs, ci->id, "closed", a->outcome, a->now) != 0 ||
	    case_store_add_event(cs, ci->id, a->now, "state", "cmectl", detail) != 0)
		return -1;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (deadline_move(cs, &a->changes, ci->id, kinds[k], "cancelled", a->now) != 0)
			return -1;
	return 0;
}

struct officer_call {
	struct officer_action *a;
	int (*fn)(struct case_store *, const struct case_info *, struct officer_action *);
	struct pipeline *p;
};

static long long officer_fn(struct case_store *cs, void *arg)
{
	struct officer_call *c = arg;
	struct case_info ci;
	int found = case_store_find_ref(cs, c->a->ref, &ci);

	if (found < 0)
		return -1;
	if (found == 0 || (c->fn == do_close && strcmp(ci.status, "closed") == 0))
		return 1;       /* nothing to change: commits an empty transaction */
	if (c->fn(cs, &ci, c->a) != 0 ||
	    enqueue_reminders(c->p, cs, &c->a->changes, c->a->now) != 0)
		return -1;
	return 0;
}

static void officer_after(struct pipeline *p, struct case_store *cs, void *arg, long long rc)
{
	struct officer_call *c = arg;

	if (rc == 0)
		feeds_changed(p, cs, &c->a->changes);
}

/* 0 done, 1 no such case (or already closed for close), -1 error. */
static int officer_transaction(struct pipeline *p, struct officer_action *a,
                               int (*fn)(struct case_store *, const struct case_info *,
                                         struct officer_action *))
{
	struct officer_call c = { a, fn, p };

	return (int)in_transaction(p, officer_fn, &c, officer_after);
}

int pipeline_record_visit(struct pipeline *p, const char *ref, const char *date, int found,
                          const char *note, time_t now)
{
	struct officer_action a;

	memset(&a, 0, sizeof a);
	a.ref = ref;
	a.date = date;
	a.found = found;
	a.note = note;
	a.now = now;
	return officer_transaction(p, &a, do_visit);
}

int pipeline_close_case(struct pipeline *p, const char *ref, const char *outcome,
                        const char *note, time_t now)
{
	struct officer_action a;

	memset(&a, 0, sizeof a);
	a.ref = ref;
	a.outcome = outcome;
	a.note = note;
	a.now = now;
	return officer_transaction(p, &a, do_close);
}

struct purge_args {
	char cutoff[32];
	time_t now;
};

static long long purge_fn(struct case_store *cs, void *arg)
{
	struct purge_args *a = arg;

	return case_store_purge(cs, a->cutoff, a->now, "cmectl purge");
}

static void purge_after(struct pipeline *p, struct case_store *cs, void *arg, long long n)
{
	struct purge_args *a = arg;

	/* The log line a retention audit looks for: counts only. */
	log_msg(LOG_NOTICE, "retention purge: %lld case(s) of children born before %s removed",
	        n, a->cutoff);
	(void)write_officer_feed(p, cs, p->conf->duty_officer);
}

long long pipeline_purge(struct pipeline *p, int years, time_t now)
{
	struct purge_args a;
	struct tm tm;

	gmtime_r(&now, &tm);
	/* born before this date => DOB + years is in the past */
	snprintf(a.cutoff, sizeof a.cutoff, "%04d-%02d-%02d", tm.tm_year + 1900 - years,
	         tm.tm_mon + 1, tm.tm_mday);
	a.now = now;
	return in_transaction(p, purge_fn, &a, purge_after);
}

struct sweep_args {
	time_t now;
	struct strlist refs;        /* cases gone long-term */
};

static long long sweep_fn(struct case_store *cs, void *arg)
{
	struct sweep_args *a = arg;

	return case_store_sweep_long_term(cs, a->now, &a->refs);
}

/* The swept cases' review events left the feed ("fired"): their
 * officers' feeds must be rewritten like after any other change. */
static void sweep_after(struct pipeline *p, struct case_store *cs, void *arg, long long n)
{
	struct sweep_args *a = arg;
	struct dl_changes *ch;

	if (n <= 0 || (ch = calloc(1, sizeof *ch)) == NULL)
		return;
	for (size_t i = 0; i < a->refs.n; i++) {
		struct case_info ci;

		/* (a sweep takes at most 256 cases, far fewer than a
		 * dl_changes holds) */
		if (case_store_find_ref(cs, a->refs.v[i], &ci) == 1)
			(void)note_change(ch, ci.id, "long-term-review");
	}
	feeds_changed(p, cs, ch);
	free(ch);
}

int pipeline_sweep(struct pipeline *p, time_t now)
{
	struct sweep_args a = { now, STRLIST_INIT };
	long long n = in_transaction(p, sweep_fn, &a, sweep_after);

	strlist_free(&a.refs);
	return (int)n;
}

int pipeline_outcome_known(const char *outcome)
{
	return vocab_outcome_index(outcome) >= 0;
}

/* ------------------------------------------------------------------ */
/* Sending the outbox.                                                  */

#define SEND_LEASE_S     300   /* a claimed mail is not retried sooner */
#define SEND_TIMEOUT_S   60
#define BACKOFF_MAX_S    3600

struct claim_args {
	struct pipeline *p;
	time_t now;
	struct outbox_row *row;
};

/* Claim the next due mail: push its next attempt past the lease inside a
 * transaction, so another sender (cmectl, a second milter) skips it while
 * this one submits.  1 claimed, 0 none, -1 error. */
static long long claim_fn(struct case_store *cs, void *arg)
{
	struct claim_args *a = arg;
	int rc = case_store_outbox_next(cs, a->now, a->row);

	if (rc == 1 && case_store_outbox_lease(cs, a->row->id, a->now + SEND_LEASE_S,
	                                       a->p->claimant) != 0)
		rc = -1;
	return rc;
}

static int claim_next(struct pipeline *p, time_t now, struct outbox_row *row)
{
	struct claim_args a = { p, now, row };
	long long rc;

	row->message = NULL;
	rc = in_transaction(p, claim_fn, &a, NULL);
	if (rc < 0) {
		free(row->message);
		row->message = NULL;
	}
	return (int)rc;
}

struct attempt_args {
	const struct outbox_row *row;
	int sent;
	time_t now, next;
	const char *error;
};

static long long attempt_fn(struct case_store *cs, void *arg)
{
	struct attempt_args *a = arg;

	return case_store_outbox_done(cs, a->row->id, a->sent, a->now, a->next, a->error);
}

static void record_attempt(struct pipeline *p, const struct outbox_row *row, int sent,
                           time_t now, const char *error)
{
	struct attempt_args a = { row, sent, now, now + 60, error };
	time_t backoff = 60;

	/* 1, 2, 4 ... minutes, at most an hour: an MTA that is down for a
	 * while gets the reminder soon after it returns. */
	for (int i = 0; i < row->attempts && backoff < BACKOFF_MAX_S; i++)
		backoff *= 2;
	if (backoff > BACKOFF_MAX_S)
		backoff = BACKOFF_MAX_S;
	a.next = now + backoff;
	/* Not recorded: the lease expires and the mail goes again.  If the
	 * MTA took it, the milter saw it pass and marked it sent, so the
	 * retry finds nothing to do; if not, it is sent then.  Logged by
	 * in_transaction. */
	(void)in_transaction(p, attempt_fn, &a, NULL);
}

/* The sender thread is asked to stop (pipeline_stop_sender): a flush of
 * a long outbox ends after the mail in hand, not after the last one. */
static int stop_requested(struct pipeline *p)
{
	int stop;

	pthread_mutex_lock(&p->sender_lock);
	stop = p->sender_stop;
	pthread_mutex_unlock(&p->sender_lock);
	return stop;
}

int pipeline_flush_outbox(struct pipeline *p, time_t now)
{
	const struct cme_conf *conf = p->conf;
	const char *from = conf->mailboxes.n ? conf->mailboxes.v[0] : "";
	struct outbox_row row;
	int sent = 0, rc;

	while (!stop_requested(p) && (rc = claim_next(p, now, &row)) == 1) {
		char err[256] = "";
		char copy[IMIP_COPY_MAX + 1], *sealed;

		/* This submission's copy id: another process, attempt or
		 * second makes another copy. */
		snprintf(copy, sizeof copy, "%ld.%d.%ld", (long)getpid(), row.attempts, (long)now);
		sealed = imip_sealed(p->seal_key, row.message_id, copy, row.message);

		if (sealed == NULL)
			snprintf(err, sizeof err, "out of memory sealing the mail");
		if (sealed && imip_submit(conf->sendmail_path, from, row.recipient, sealed,
		                          strlen(sealed), SEND_TIMEOUT_S, err, sizeof err) == 0) {
			record_attempt(p, &row, 1, now, NULL);
			sent++;
		} else {
			log_msg(LOG_WARNING, "outbox: reminder mail %lld not sent (%s); will retry",
			        row.id, err);
			record_attempt(p, &row, 0, now, err);
		}
		free(sealed);
		free(row.message);
	}
	return rc < 0 ? -1 : sent;
}

/* A feed is rewritten at most this often: calendar clients poll feeds
 * every quarter of an hour or so, and a feed's size grows with the
 * caseload, so rewriting it for every message would cost the MTA far
 * more than it could ever give an officer. */
#define FEED_MIN_INTERVAL_S 2

/* How often the sender thread moves cases past their review to
 * long-term (an indexed query over the reviews just come due). */
#define SWEEP_INTERVAL_S 600

/* Rewrite the feeds of `dirty` from a connection of its own, outside the
 * pipeline's lock: in WAL mode a reader sees a consistent snapshot and
 * never blocks the messages being committed meanwhile. */
static int write_feeds_unlocked(struct pipeline *p, const struct strlist *dirty)
{
	char err[512];
	struct case_store *cs = case_store_open(p->conf->database, err, sizeof err);
	int rc = 0;

	if (cs == NULL) {
		log_msg(LOG_ERR, "feeds not written: %s", err);
		return -1;
	}
	for (size_t i = 0; i < dirty->n; i++)
		rc |= write_officer_feed(p, cs, dirty->v[i]);
	case_store_close(cs);
	return rc;
}

/* Take the set of officers whose feeds are due; call with sender_lock. */
static struct strlist take_dirty(struct pipeline *p)
{
	struct strlist dirty = p->dirty_feeds;

	memset(&p->dirty_feeds, 0, sizeof p->dirty_feeds);
	return dirty;
}

static void *sender_main(void *arg)
{
	struct pipeline *p = arg;
	time_t last_feeds = 0, last_sweep = 0;
	time_t interval = FEED_MIN_INTERVAL_S;

	pthread_mutex_lock(&p->sender_lock);
	while (!p->sender_stop) {
		struct timespec ts;
		struct strlist dirty = STRLIST_INIT;
		time_t now = time(NULL);

		if (p->all_feeds_dirty) {
			/* At start-up every feed is brought up to date, here and
			 * not before the milter answers its first connection. */
			p->all_feeds_dirty = 0;
			pthread_mutex_unlock(&p->sender_lock);
			(void)pipeline_write_feeds(p);
			pthread_mutex_lock(&p->sender_lock);
		}
		if (p->dirty_feeds.n > 0 && now - last_feeds >= interval)
			dirty = take_dirty(p);
		pthread_mutex_unlock(&p->sender_lock);
		if (dirty.n > 0) {
			struct timespec a, b;
			double took;

			clock_gettime(CLOCK_MONOTONIC, &a);
			(void)write_feeds_unlocked(p, &dirty);
			clock_gettime(CLOCK_MONOTONIC, &b);
			last_feeds = now;
			/* Feeds grow with the caseload: keep their rewriting under
			 * a twentieth of this thread's time, whatever their size. */
			took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
			interval = (time_t)(took * 20) > FEED_MIN_INTERVAL_S ? (time_t)(took * 20)
			                                                     : FEED_MIN_INTERVAL_S;
		}
		strlist_free(&dirty);
		/* Cases whose long-term review fell due become long-term here,
		 * without waiting for an officer's cmectl. */
		if (now - last_sweep >= SWEEP_INTERVAL_S) {
			last_sweep = now;
			(void)pipeline_sweep(p, now);
		}
		(void)pipeline_flush_outbox(p, time(NULL));
		pthread_mutex_lock(&p->sender_lock);
		if (p->sender_stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		/* feeds waiting: come back when the interval is up; else sleep
		 * until woken (mail queued) or 30 s (retries) */
		if (p->dirty_feeds.n > 0)
			ts.tv_sec = ts.tv_sec + interval - (time(NULL) - last_feeds);
		else
			ts.tv_sec += 30;
		if (p->dirty_feeds.n == 0 || time(NULL) - last_feeds < interval)
			pthread_cond_timedwait(&p->sender_wake, &p->sender_lock, &ts);
	}
	/* Stopping: what is still dirty is written now, not lost. */
	{
		struct strlist dirty = take_dirty(p);

		pthread_mutex_unlock(&p->sender_lock);
		if (dirty.n > 0)
			(void)write_feeds_unlocked(p, &dirty);
		strlist_free(&dirty);
	}
	return NULL;
}

/* After a crash the MTA may already hold a mail its dead sender was
 * submitting (the submission program outlives the milter), and, where
 * the milter sees our mails pass, will show it to us once the milter is
 * back (Postfix's pickup retries within a minute).  So where echoes are
 * known to happen, a dead sender's mails wait ReminderEchoWait seconds
 * for their echo before they go again: a resend is then rare, and when
 * it happens its echo is the second and is discarded.  Where no echo was
 * ever seen they go at once (at least once, never zero times). */
struct release_args {
	struct pipeline *p;
	struct case_store *cs;
	time_t due;
	int released;
};

static int release_if_dead(const char *claimant, void *arg)
{
	struct release_args *a = arg;
	int n;

	if (strcmp(claimant, a->p->claimant) == 0 || claimant_alive(claimant, a->p->host))
		return 0;
	if ((n = case_store_outbox_release(a->cs, claimant, a->due)) < 0)
		return -1;
	a->released += n;
	return 0;
}

/* Free the claims of senders that have died: not this process's (a
 * reload's new pipeline shares the old one's name), nor a live process's
 * on this host, nor another host's (their leases run out by themselves). */
static long long release_fn(struct case_store *cs, void *arg)
{
	struct pipeline *p = arg;
	struct release_args a = { p, cs, time(NULL), 0 };
	int echoes = case_store_outbox_echoes_seen(cs);

	if (echoes < 0)
		return -1;
	if (echoes)
		a.due += p->conf->reminder_echo_wait;
	if (case_store_outbox_claimants(cs, release_if_dead, &a) != 0)
		return -1;
	if (a.released > 0)
		log_msg(LOG_NOTICE, "outbox: %d reminder mail(s) of a sender that died are due %s",
		        a.released, echoes ? "unless the MTA shows them passing first" : "now");
	return a.released;
}

int pipeline_start_sender(struct pipeline *p)
{
	p->all_feeds_dirty = 1;
	/* Started even with NotifyOfficers no: it also writes the feeds. */
	if (p->sender_running)
		return 0;
	/* A sender that died mid-submission (kill -9, power cut) left its
	 * mails claimed: see release_fn. */
	(void)in_transaction(p, release_fn, p, NULL);
	if (pthread_create(&p->sender, NULL, sender_main, p) != 0)
		return -1;
	p->sender_running = 1;
	return 0;
}


struct passed_args {
	const char *message_id;
	const char *copy;
	time_t now;
};

static long long passed_fn(struct case_store *cs, void *arg)
{
	struct passed_args *a = arg;

	return case_store_outbox_seen_by_mta(cs, a->message_id, a->copy, a->now);
}

int pipeline_reminder_passed(struct pipeline *p, const char *message_id, const char *seal,
                             time_t now)
{
	char copy[IMIP_COPY_MAX + 1];
	struct passed_args a = { message_id, copy, now };

	/* Unsealed, or sealed for another Message-ID: not ours, whatever its
	 * envelope sender says, and handled as any other mail. */
	if (!imip_seal_valid(p->seal_key, message_id, seal, copy, sizeof copy))
		return 0;

	return (int)in_transaction(p, passed_fn, &a, NULL);
}

void pipeline_defer_feeds(struct pipeline *p, int on)
{
	p->defer_feeds = on;
}

int pipeline_write_dirty_feeds(struct pipeline *p)
{
	struct strlist dirty;
	int rc = 0;

	pthread_mutex_lock(&p->sender_lock);
	dirty = take_dirty(p);
	pthread_mutex_unlock(&p->sender_lock);
	if (dirty.n > 0)
		rc = write_feeds_unlocked(p, &dirty);
	strlist_free(&dirty);
	return rc;
}
