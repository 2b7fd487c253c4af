/*
 * cme-milter - the Children Missing Education milter.
 *
 * Owns: the conversation with the MTA (libmilter callbacks), process
 * life (socket, pid file, daemon) and the failure policy.  The start-up
 * check made before listening, and the change to UserID, are
 * milter_start.c's.
 * The callbacks only collect the message and hand it to the pipeline at
 * end of message; they hold no business logic.  The reply to the MTA is
 * given only after pipeline_process has committed the case, so a message
 * Postfix accepted always has its case.
 *
 * Per-connection state lives in struct conn (smfi_setpriv), per-message
 * state in struct conn's `msg` part, reset at MAIL FROM and on abort.
 */
#include "build-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "case_backup.h"
#include "conf.h"
#include "logging.h"
#include "case_store.h"
#include "case_types.h"
#include "imip.h"
#include "membudget.h"
#include "milter_start.h"
#include "pipeline.h"
#include "policy.h"
#include "stage_timing.h"
#include "strbuf.h"
#include "strlist.h"
#include "vocab.h"


/*
 * What a reload replaces: the configuration and the pipeline built from
 * it.  Callbacks hold the read lock while they use it.  SIGUSR1 stops the
 * running sender thread, takes the write lock (which waits for the
 * messages in flight and holds back new ones), builds the new pipeline
 * and swaps it in: so no other thread is inside libical while the new
 * policy resolves its time zones.  A configuration that fails to load or check
 * is refused and the old one, with its sender, goes on.
 */
struct runtime {
	struct cme_conf conf;
	struct pipeline *pipeline;
};

static struct runtime *rt;
/* Writer-preferring (set up in main): a reload must not wait for a gap
 * in a steady stream of messages, which under load never comes. */
static pthread_rwlock_t rt_lock;
static const char *conf_path;

static struct runtime *rt_acquire(void)
{
	pthread_rwlock_rdlock(&rt_lock);
	return rt;
}

static void rt_release(void)
{
	pthread_rwlock_unlock(&rt_lock);
}

struct conn {
	char client_addr[INET6_ADDRSTRLEN];
	unsigned long nr_flags;      /* no-reply steps the MTA agreed to */

	/* per message */
	int   is_cme;                /* a Mailbox recipient was seen */
	int   is_reminder;           /* MAIL FROM a Mailbox: maybe our iMIP mail */
	char *message_id;            /* kept for reminders only */
	char *seal;                  /* IMIP_SEAL_HEADER value, reminders only */
	int   null_sender;
	char *auth_authen;
	char *subject_raw;           /* Subject as the MTA sent it (undecoded) */
	int   subject_seen;
	struct strbuf msg;           /* reassembled message, capped */
	int   truncated;
	size_t held;                 /* bytes of MaxMemory reserved (membudget.h) */
	int   over_budget;           /* no room for the body: tempfail */
	/* X-CME-* headers that came from outside, every one of them, to be
	 * removed at end of message (smfi_chgheader needs each one's index
	 * among the headers of the same name, worked out there). */
	struct xcme_header {
		char *name;
		size_t order;        /* position among the X-CME headers */
		int index;           /* 1-based among headers of that name */
	} *xcme;
	size_t nxcme, capxcme;
	int xcme_overflow;           /* one could not be remembered: tempfail */
};

static void conn_reset_message(struct conn *c)
{
	struct runtime *r = rt_acquire();
	size_t limit = r->conf.max_message_size;

	rt_release();
	c->is_cme = 0;
	c->is_reminder = 0;
	free(c->message_id);
	c->message_id = NULL;
	free(c->seal);
	c->seal = NULL;
	c->null_sender = 0;
	free(c->auth_authen);
	c->auth_authen = NULL;
	free(c->subject_raw);
	c->subject_raw = NULL;
	c->subject_seen = 0;
	strbuf_free(&c->msg);
	strbuf_init(&c->msg, limit);
	c->truncated = 0;
	membudget_release(&c->held);
	c->over_budget = 0;
	for (size_t i = 0; i < c->nxcme; i++)
		free(c->xcme[i].name);
	free(c->xcme);
	c->xcme = NULL;
	c->nxcme = c->capxcme = 0;
	c->xcme_overflow = 0;
}

static struct conn *conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = calloc(1, sizeof *c);
		if (c == NULL)
			return NULL;
		strbuf_init(&c->msg, 0);
		smfi_setpriv(ctx, c);
	}
	return c;
}

/* Failure policy (On-InternalError), as OpenDKIM has it. */
static sfsistat internal_error_as(SMFICTX *ctx, const char *why, enum on_error policy)
{
	char *qid = smfi_getsymval(ctx, "i");

	log_msg(LOG_ERR, "%s: %s", qid ? qid : "-", why);
	if (policy == ON_ERROR_ACCEPT)
		return SMFIS_ACCEPT;
	smfi_setreply(ctx, "451", "4.3.0", "CME case could not be recorded; please try again later");
	return SMFIS_TEMPFAIL;
}

static sfsistat internal_error(SMFICTX *ctx, const char *why)
{
	struct runtime *r = rt_acquire();
	enum on_error policy = r->conf.on_internal_error;

	rt_release();
	return internal_error_as(ctx, why, policy);
}

/* ------------------------------------------------------------------ */
/* Callbacks.                                                           */

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                             unsigned long f2, unsigned long f3, unsigned long *pf0,
                             unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct conn *c = conn_get(ctx);
	/* Ask only for what we use, and for no replies where the protocol
	 * allows: every skipped round trip is Postfix time saved. */
	unsigned long want_nr = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL |
	                        SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH |
	                        SMFIP_NR_BODY | SMFIP_NR_UNKN;

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_REJECT;    /* no memory: let the MTA apply its default */
	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) != (SMFIF_ADDHDRS | SMFIF_CHGHDRS))
		return SMFIS_REJECT;
	*pf0 = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	c->nr_flags = f1 & want_nr;
	*pf1 = c->nr_flags | (f1 & (SMFIP_NOHELO | SMFIP_NOUNKNOWN));
	*pf2 = 0;
	*pf3 = 0;
	/* Only the macros we read: SMTP AUTH at MAIL, the queue ID at end of
	 * message (Sendmail knows it at MAIL, Postfix at end of message).
	 * Less for the MTA to send on every message. */
	(void)smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_authen}");
	(void)smfi_setsymlist(ctx, SMFIM_EOM, "i");
	return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	struct conn *c = conn_get(ctx);

	(void)host;
	if (c == NULL)
		return internal_error(ctx, "out of memory");
	c->client_addr[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr,
		          c->client_addr, sizeof c->client_addr);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr,
		          c->client_addr, sizeof c->client_addr);
	return (c->nr_flags & SMFIP_NR_CONN) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* "<Cme@La.Test>" -> compare with each Mailbox, case-insensitively. */
static int is_cme_mailbox(const char *rcpt)
{
	struct runtime *r = rt_acquire();
	const struct strlist *mb = &r->conf.mailboxes;
	size_t n;
	int found = 0;

	if (*rcpt == '<')
		rcpt++;
	n = strcspn(rcpt, ">");
	for (size_t i = 0; i < mb->n && !found; i++)
		if (strlen(mb->v[i]) == n && strncasecmp(mb->v[i], rcpt, n) == 0)
			found = 1;
	rt_release();
	return found;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);
	char *auth;

	if (c == NULL)  /* no memory: end of message will tempfail */
		return SMFIS_NOREPLY;
	conn_reset_message(c);
	c->null_sender = argv[0] && (strcmp(argv[0], "<>") == 0 || argv[0][0] == '\0');
	/* Our reminder mails are sent from the CME mailbox: watch them pass
	 * so each is delivered exactly once (see pipeline_reminder_passed). */
	c->is_reminder = argv[0] && !c->null_sender && is_cme_mailbox(argv[0]);
	auth = smfi_getsymval(ctx, "{auth_authen}");
	if (auth && *auth)
		c->auth_authen = strdup(auth);
	return (c->nr_flags & SMFIP_NR_MAIL) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)  /* no memory: end of message will tempfail */
		return SMFIS_NOREPLY;
	if (argv[0] && is_cme_mailbox(argv[0]))
		c->is_cme = 1;
	return (c->nr_flags & SMFIP_NR_RCPT) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_data(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)
		return internal_error(ctx, "out of memory");
	/* Not for a CME mailbox: accepted untouched, as early as the
	 * protocol allows (all recipients are known at DATA). */
	return (c->is_cme || c->is_reminder) ? SMFIS_CONTINUE : SMFIS_ACCEPT;
}

static void append(struct conn *c, const char *p, size_t n)
{
	if (!c->truncated && strbuf_append(&c->msg, p, n) != 0)
		c->truncated = 1;   /* the rest is delivered, just not parsed */
	if (c->msg.cap > c->held &&
	    membudget_reserve(&c->held, c->msg.cap, MEMBUDGET_WAIT_MS) != 0) {
		/* no room in MaxMemory: drop the body, tempfail at the end */
		strbuf_free(&c->msg);
		c->truncated = 1;
		c->over_budget = 1;
	}
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_get(ctx);
	sfsistat ok = (c && (c->nr_flags & SMFIP_NR_HDR)) ? SMFIS_NOREPLY : SMFIS_CONTINUE;

	if (c == NULL)
		return SMFIS_CONTINUE;
	if (strncasecmp(name, "X-CME-", 6) == 0) {
		if (c->nxcme == c->capxcme) {
			size_t ncap = c->capxcme ? c->capxcme * 2 : 8;
			struct xcme_header *nx = realloc(c->xcme, ncap * sizeof *nx);

			if (nx == NULL) {
				c->xcme_overflow = 1;
				return ok;
			}
			c->xcme = nx;
			c->capxcme = ncap;
		}
		c->xcme[c->nxcme].name = strdup(name);
		if (c->xcme[c->nxcme].name == NULL) {
			c->xcme_overflow = 1;
			return ok;
		}
		c->xcme[c->nxcme].order = c->nxcme;
		c->nxcme++;
		return ok;  /* a forged X-CME header is not part of what we read */
	}
	if (c->is_reminder && c->message_id == NULL && strcasecmp(name, "Message-ID") == 0)
		c->message_id = strdup(value);
	if (c->is_reminder && c->seal == NULL && strcasecmp(name, IMIP_SEAL_HEADER) == 0)
		c->seal = strdup(value);
	if (!c->is_cme)
		return ok;      /* a reminder: only its Message-ID matters */
	if (strcasecmp(name, "Subject") == 0 && !c->subject_seen) {
		c->subject_seen = 1;
		c->subject_raw = strdup(value);
	}
	append(c, name, strlen(name));
	append(c, ": ", 2);
	append(c, value, strlen(value));
	append(c, "\r\n", 2);
	return ok;
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	append(c, "\r\n", 2);
	return (c->nr_flags & SMFIP_NR_EOH) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	if (c->is_cme)
		append(c, (const char *)chunk, len);
	return (c->nr_flags & SMFIP_NR_BODY) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static int xcme_cmp(const void *a, const void *b)
{
	const struct xcme_header *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

/* How many forged headers the milter removes itself.  Each removal is a
 * header edit in the MTA's queue file, and Postfix pays for each edit
 * with a walk of the headers (a flood costs it O(n^2): 9,000 took 9 s)
 * and one "reverse jump" record, of which it follows at most 10,000 per
 * queue file before it gives up on the message ("too many reverse jump
 * records") - every retry then fails the same way.  No genuine message
 * carries more than a few X-CME-* headers (a tagged message forwarded
 * back to the mailbox), so past this many the message is an attack: the
 * milter leaves them, records it on the case and logs how to make the
 * MTA drop them on arrival (contrib/postfix-main.cf.snippet:
 * header_checks, linear, before any milter sees the message). */
#define MAX_FORGED_REMOVED 1000

/* A message may name 1,000 children (an MIS export): each added header
 * is an edit the MTA pays for, so only the first cases are listed one by
 * one and a count says how many more there are (every case is in the
 * database and in the log line). */
#define MAX_CASE_HEADERS 100

/* Remove every X-CME-* header that came from outside.  Each one's index
 * among the headers of its name is found by sorting (name, order), and
 * they are removed from the highest index down so that no removal shifts
 * the index of one still to come. */
static int remove_forged_headers(SMFICTX *ctx, struct conn *c)
{
	int failed = 0;

	if (c->nxcme == 0 || c->nxcme > MAX_FORGED_REMOVED)
		return 0;       /* (qsort of a NULL array is undefined, even empty) */
	qsort(c->xcme, c->nxcme, sizeof c->xcme[0], xcme_cmp);
	for (size_t i = 0; i < c->nxcme; i++)
		c->xcme[i].index = (i > 0 && strcasecmp(c->xcme[i].name, c->xcme[i - 1].name) == 0)
		                   ? c->xcme[i - 1].index + 1 : 1;
	for (size_t i = c->nxcme; i > 0; i--)
		if (smfi_chgheader(ctx, c->xcme[i - 1].name, c->xcme[i - 1].index, NULL) != MI_SUCCESS)
			failed = 1;
	return failed ? -1 : 0;
}

static int add_header(SMFICTX *ctx, const char *name, const char *value)
{
	return smfi_addheader(ctx, (char *)name, (char *)value) == MI_SUCCESS ? 0 : -1;
}

/* MaxMemory has no room for this message, even after waiting: 451,
 * and the sending MTA tries again later. */
static sfsistat busy(SMFICTX *ctx, const char *qid)
{
	log_msg(LOG_WARNING, "%s: no room in MaxMemory (%zu bytes in use); tempfail",
	        qid ? qid : "-", membudget_in_use());
	smfi_setreply(ctx, "451", "4.3.0", "busy; please try again later");
	return SMFIS_TEMPFAIL;
}

/* The message is answered: its body and its reservation go back. */
static void message_done(struct conn *c)
{
	strbuf_free(&c->msg);
	membudget_release(&c->held);
	membudget_return_memory();
}

/* End of message for a mail from a Mailbox that is not for one: maybe
 * one of our own reminder mails passing (pipeline_reminder_passed). */
static sfsistat eom_reminder(SMFICTX *ctx, struct conn *c, const char *qid)
{
	const char *mid = c->message_id;
	struct runtime *r;
	int seen;

	while (*mid == ' ' || *mid == '\t')
		mid++;
	r = rt_acquire();
	seen = pipeline_reminder_passed(r->pipeline, mid, c->seal, time(NULL));
	rt_release();
	if (seen == 2) {
		/* a resend after a crash, whose first copy already passed */
		log_msg(LOG_INFO, "%s: second copy of a reminder mail discarded", qid);
		return SMFIS_DISCARD;
	}
	/* Ours: the seal has done its job and is not the officer's to see
	 * (nor to replay).  Not ours: delivered as it came. */
	if (seen == 1 && smfi_chgheader(ctx, IMIP_SEAL_HEADER, 1, NULL) != MI_SUCCESS)
		log_msg(LOG_WARNING, "%s: could not remove the reminder seal", qid);
	return SMFIS_ACCEPT;
}

/* The case is committed: tag the message (forged X-CME-* removed, ours
 * added, the subject tagged).  Returns 0, or -1 if some change could not
 * be made (the message is delivered all the same). */
static int tag_message(SMFICTX *ctx, struct conn *c, const struct runtime *r,
                       const struct pipeline_result *res)
{
	int failed = 0;

	if (remove_forged_headers(ctx, c) != 0)
		failed = 1;
	if (add_header(ctx, "X-CME-Action", res->action) != 0)
		failed = 1;
	for (size_t i = 0; i < res->refs.n && i < MAX_CASE_HEADERS; i++)
		if (add_header(ctx, "X-CME-Case", res->refs.v[i]) != 0)
			failed = 1;
	if (res->refs.n > MAX_CASE_HEADERS) {
		char more[64];

		snprintf(more, sizeof more, "%zu", res->refs.n - MAX_CASE_HEADERS);
		if (add_header(ctx, "X-CME-Cases-Not-Listed", more) != 0)
			failed = 1;
	}
	if (res->flags.n) {
		struct strbuf fl;

		strbuf_init(&fl, 4096);
		for (size_t i = 0; i < res->flags.n; i++)
			if (strbuf_printf(&fl, "%s%s", i ? " " : "", res->flags.v[i]) != 0)
				failed = 1;
		if (add_header(ctx, "X-CME-Flags", strbuf_str(&fl)) != 0)
			failed = 1;
		strbuf_free(&fl);
	}
	if (r->conf.subject_tag && case_action_from_name(res->action) != ACTION_IGNORED) {
		char *subject = pipeline_tag_subject(c->subject_raw, res);

		if (subject) {
			int rc = c->subject_seen ? smfi_chgheader(ctx, "Subject", 1, subject)
			                         : smfi_addheader(ctx, "Subject", subject);

			if (rc != MI_SUCCESS)
				failed = 1;
			free(subject);
		}
	}
	return failed ? -1 : 0;
}

/* One line per message: queue ID, action, cases, the time the MTA
 * waited on us at end of message (ms=, from the pipeline's start to the
 * last header change; bench/throughput.sh reads it) and where that time
 * went, stage by stage (stage_timing.h; bench/stages.py).  No names. */
static void log_outcome(const char *qid, const struct pipeline_result *res,
                        const struct timespec *t0, const struct timespec *t1, int tag_failed)
{
	struct strbuf cases;
	char stages[256];

	strbuf_init(&cases, 65536);
	for (size_t i = 0; i < res->refs.n; i++)
		if (strbuf_printf(&cases, "%s%s", i ? "," : "", res->refs.v[i]) != 0)
			break;  /* the log line is cut, not the message */
	stage_timing_format(&res->timing, stages, sizeof stages);
	log_msg(LOG_INFO, "%s: action=%s cases=%s ms=%.2f%s%s", qid, res->action,
	        cases.len ? strbuf_str(&cases) : "-", stage_ms(t0, t1), stages,
	        tag_failed ? " (could not tag the message)" : "");
	strbuf_free(&cases);
}

/* End of message: hand the message to the pipeline, and only once its
 * case is committed change the message and let it go. */
static sfsistat cb_eom(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);
	struct pipeline_input in;
	struct pipeline_result res;
	const char *qid = smfi_getsymval(ctx, "i");
	struct runtime *r;
	sfsistat verdict = SMFIS_CONTINUE;
	struct timespec t0, t1;
	int tag_failed;

	if (qid == NULL)
		qid = "-";
	if (c != NULL && !c->is_cme && c->is_reminder && c->message_id)
		return eom_reminder(ctx, c, qid);
	if (c == NULL)
		return internal_error(ctx, "out of memory");
	if (!c->is_cme)
		return SMFIS_ACCEPT;
	if (c->xcme_overflow)
		return internal_error(ctx, "out of memory remembering forged X-CME headers");
	if (c->over_budget ||
	    membudget_reserve(&c->held, c->msg.cap + membudget_message_cost(c->msg.len),
	                      MEMBUDGET_WAIT_MS) != 0) {
		message_done(c);
		return busy(ctx, qid);
	}
	r = rt_acquire();
	memset(&in, 0, sizeof in);
	in.raw = strbuf_str(&c->msg);
	in.len = c->msg.len;
	in.client_addr = c->client_addr[0] ? c->client_addr : NULL;
	in.auth_authen = c->auth_authen;
	in.queue_id = qid;
	in.null_sender = c->null_sender;
	in.forged_headers = c->nxcme;
	in.forged_left = c->nxcme > MAX_FORGED_REMOVED;
	in.truncated = c->truncated;
	in.now = time(NULL);
	stage_now(&t0);
	pipeline_result_init(&res);
	if (pipeline_process(r->pipeline, &in, &res) != 0) {
		pipeline_result_free(&res);
		verdict = internal_error_as(ctx, "the case could not be committed to the database",
		                            r->conf.on_internal_error);
		rt_release();
		message_done(c);
		return verdict;
	}
	if (in.forged_left)
		log_msg(LOG_WARNING, "%s: %zu forged X-CME-* headers, more than the %d the milter "
		        "removes: left in place; have the MTA drop them on arrival "
		        "(header_checks, see contrib/postfix-main.cf.snippet)",
		        qid, c->nxcme, MAX_FORGED_REMOVED);
	stage_now(&t1);
	tag_failed = tag_message(ctx, c, r, &res) != 0;
	res.timing.reply = stage_lap(&t1);
	log_outcome(qid, &res, &t0, &t1, tag_failed);
	pipeline_result_free(&res);
	rt_release();
	message_done(c);
	return verdict;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c)
		conn_reset_message(c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c) {
		conn_reset_message(c);
		strbuf_free(&c->msg);
		free(c->message_id);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc milter_desc = {
	.xxfi_name = "cme-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_connect = cb_connect,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_data = cb_data,
	.xxfi_negotiate = cb_negotiate,
};

/* ------------------------------------------------------------------ */
/* Process life.                                                        */

/* The path of a local socket ("local:/run/x.sock", "unix:...", "/..."),
 * or NULL for an inet one. */
static const char *local_socket_path(const char *spec)
{
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	return spec[0] == '/' ? spec : NULL;
}

/* A stale socket (left by a crash) is removed at start-up; a live one -
 * a second cme-milter started by mistake - must not be: connect to it
 * first, and refuse to start if anything answers. */
static int socket_in_use(const char *spec)
{
	const char *path = local_socket_path(spec);
	struct sockaddr_un sa;
	int fd, rc;

	if (path == NULL || strlen(path) >= sizeof sa.sun_path)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	close(fd);
	return rc == 0;
}

/* For a local socket: give it to the milter's user and group so the MTA
 * (a member of that group) can connect, under the configured UMask. */
static void chown_socket(const struct cme_conf *conf)
{
	uid_t uid;
	gid_t gid;
	char name[256];
	const char *path = local_socket_path(conf->socket);

	if (path == NULL)
		return;
	if (geteuid() == 0 && milter_lookup_user(conf->user_id, &uid, &gid, name, sizeof name) == 0)
		if (chown(path, uid, gid) != 0)
			log_msg(LOG_WARNING, "%s: cannot chown: %s", path, strerror(errno));
}

static int write_pid_file(const struct cme_conf *conf)
{
	FILE *f;

	if (conf->pid_file == NULL)
		return 0;
	f = fopen(conf->pid_file, "w");
	if (f == NULL) {
		log_msg(LOG_ERR, "%s: %s", conf->pid_file, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

/* Closure calendars that run out within six months (SPEC 6): warned
 * about, not refused - the milter must go on opening cases, and the
 * deadlines past a calendar's end are marked calendar-incomplete. */
static void warn_calendars(const struct cme_conf *conf)
{
	struct strlist errors = STRLIST_INIT, warnings = STRLIST_INIT;
	struct policy *pol = policy_load(conf->policy, conf->policy_dir, conf->calendar_dir,
	                                 &errors);

	if (pol != NULL && policy_calendar_warnings(pol, time(NULL), &warnings) > 0)
		for (size_t i = 0; i < warnings.n; i++)
			fprintf(stderr, "%s\n", warnings.v[i]);
	policy_free(pol);
	strlist_free(&errors);
	strlist_free(&warnings);
}

/* -n: report every problem with the configuration, policy, calendars,
 * database and socket; exit non-zero if there is one. */
static int self_check(const struct cme_conf *conf, const char *path, struct strlist *problems)
{
	char err[512];

	conf_check(conf, problems);
	/* the vocabulary files, each problem as FILE:LINE */
	(void)vocab_load(conf->shipped_vocabulary_dir, conf->vocabulary_dir, problems);
	/* Run as root, check as the milter's user: the database (created if
	 * missing) and every file must be what that user can use, and a
	 * root-owned cases.db would lock the milter out. */
	if (problems->n == 0 && geteuid() == 0 &&
	    milter_drop_privileges(conf, err, sizeof err) != 0)
		(void)strlist_add(problems, err);
	if (problems->n == 0)
		milter_start_check(conf, problems);   /* what start-up refuses on */
	if (problems->n == 0)
		warn_calendars(conf);
	if (local_socket_path(conf->socket) != NULL) {
		char dir[4096];
		const char *s = local_socket_path(conf->socket);
		char *slash;
		struct stat st;

		snprintf(dir, sizeof dir, "%s", s);
		slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			char buf[4200];

			snprintf(buf, sizeof buf, "Socket: directory %s does not exist", dir);
			(void)strlist_add(problems, buf);
		}
	} else if (strncmp(conf->socket, "inet:", 5) != 0 && strncmp(conf->socket, "inet6:", 6) != 0) {
		(void)strlist_add(problems, "Socket: expected local:/path, unix:/path, inet:PORT@HOST or inet6:PORT@HOST");
	}
	for (size_t i = 0; i < problems->n; i++)
		fprintf(stderr, "%s\n", problems->v[i]);
	if (problems->n == 0)
		printf("%s: configuration OK\n", path);
	return problems->n ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: cme-milter [-c FILE] [-f] [-n] [-V]\n");
}

/*
 * The periodic status line (StatusInterval): what `cmectl status` says,
 * on one syslog line, so a mail admin's log watch sees a stuck outbox or
 * failing commits before an officer misses a reminder.  LOG_WARNING when
 * the outbox looks stuck or a commit failed since the last line, else
 * LOG_INFO.  Holds the runtime's read lock while it reads.
 */
static void log_status(time_t *last_error_seen)
{
	struct db_status st;
	char err[512], commit_err[256], *text;
	time_t at;
	int stuck = 0;

	pthread_rwlock_rdlock(&rt_lock);
	if (db_status_read(rt->conf.database, time(NULL), &st, err, sizeof err) != 0) {
		pthread_rwlock_unlock(&rt_lock);
		log_msg(LOG_WARNING, "status: cannot read the database: %s", err);
		return;
	}
	at = pipeline_last_commit_error(rt->pipeline, commit_err, sizeof commit_err);
	pthread_rwlock_unlock(&rt_lock);
	if ((text = db_status_format(&st, 0, &stuck)) == NULL)
		return;
	/* the text's lines joined by "; ", runs of blanks squeezed */
	{
		size_t n = 0, cap = 2 * strlen(text) + 1;
		char *line = malloc(cap);

		if (line == NULL) {
			free(text);
			return;
		}
		for (const char *r = text; *r; r++) {
			if (*r == '\n') {
				if (r[1] != '\0')
					line[n++] = ';', line[n++] = ' ';
			} else if (*r != ' ' || (n > 0 && line[n - 1] != ' ')) {
				line[n++] = *r;
			}
		}
		line[n] = '\0';
		free(text);
		text = line;
	}
	log_msg(stuck || at > *last_error_seen ? LOG_WARNING : LOG_INFO,
	        "status: %s%s%s", text, at > *last_error_seen ? " last commit error: " : "",
	        at > *last_error_seen ? commit_err : "");
	if (at > *last_error_seen)
		*last_error_seen = at;
	free(text);
}

/* SIGUSR1: read the configuration and policy again.  Runs in its own
 * thread (the signal is blocked everywhere else), never in a handler.
 * Between signals it writes the periodic status line (log_status). */
static void *reload_thread(void *arg)
{
	sigset_t set;
	int sig;
	time_t last_status = time(NULL), last_error_seen = 0;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		struct runtime *next, *old;
		struct strlist problems = STRLIST_INIT;
		int interval = rt->conf.status_interval;   /* only this thread swaps rt */
		struct timespec ts = { interval > 0 ? interval : 3600, 0 };

		if (interval > 0 && time(NULL) - last_status >= interval) {
			log_status(&last_error_seen);
			last_status = time(NULL);
		}
		if (interval > 0) {
			long left = interval - (long)(time(NULL) - last_status);

			ts.tv_sec = left > 0 ? left : 1;
		}
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig != SIGUSR1)
			continue;     /* the interval passed (EAGAIN), or EINTR */
		next = calloc(1, sizeof *next);
		if (next == NULL)
			continue;
		/* Build the new pipeline with no other thread inside libical
		 * (policy_load resolves time zones, unlocked in libical 3.0):
		 * the running sender thread is stopped, then the write lock
		 * waits for the messages in flight and holds back new ones.
		 * In that order: a reminder the sender is submitting over SMTP
		 * may pass through this very milter, which must not be locked
		 * out while the sender waits for it.  (Only this thread swaps
		 * rt, so reading it unlocked here is safe.) */
		old = rt;
		pipeline_stop_sender(old->pipeline);
		pthread_rwlock_wrlock(&rt_lock);
		conf_defaults(&next->conf);
		if (conf_load(&next->conf, conf_path, &problems) == 0 &&
		    conf_check(&next->conf, &problems) == 0)
			next->pipeline = pipeline_new(&next->conf, &problems);
		if (next->pipeline == NULL) {
			pthread_rwlock_unlock(&rt_lock);
			(void)pipeline_start_sender(old->pipeline);
			for (size_t i = 0; i < problems.n; i++)
				log_msg(LOG_ERR, "reload refused: %s", problems.v[i]);
			log_msg(LOG_ERR, "reload refused: keeping the running configuration");
			conf_free(&next->conf);
			free(next);
			strlist_free(&problems);
			continue;
		}
		rt = next;
		pipeline_free(old->pipeline);
		pthread_rwlock_unlock(&rt_lock);
		(void)pipeline_start_sender(next->pipeline);
		membudget_configure(next->conf.max_memory);
		if (strcmp(old->conf.socket, next->conf.socket) != 0)
			log_msg(LOG_WARNING, "reload: Socket changed; it takes effect on restart");
		conf_free(&old->conf);
		free(old);
		strlist_free(&problems);
		log_msg(LOG_INFO, "configuration and policy reloaded");
	}
	return NULL;
}

/* Signals and locks, before any thread exists.  SIGUSR1 is taken by the
 * reload thread only, SIGTERM, SIGINT and SIGHUP by libmilter's signal
 * thread (sigwait, then a clean stop): block them now so that every
 * thread inherits the mask (the reminder sender, the reloader,
 * libmilter's workers); a thread without it would take SIGTERM's default
 * action and kill the process.  A submission program or MTA that goes
 * away mid-write must give EPIPE, not end the milter (imip_submit relies
 * on it). */
static void process_setup(void)
{
	pthread_rwlockattr_t attr;
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&rt_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

/*
 * TCP_NODELAY on an inet listening socket (accepted connections inherit
 * it on Linux).  At end of message libmilter writes each header change
 * (X-CME-Case, X-CME-Flags, the tagged Subject) as a packet of its own,
 * and the MTA answers none of them: with Nagle's algorithm each packet
 * after the first waited for the MTA's delayed ACK, up to 40 ms, and a
 * tagged referral cost Postfix ~30 ms more than an untagged one
 * (bench/throughput.sh: 159 -> 231 messages/s with this alone).  libmilter
 * does not hand out its listening socket, so it is found among our
 * descriptors right after smfi_opensocket(): the one TCP socket that
 * accepts connections.  A local (unix) socket needs nothing.
 */
static void listener_nodelay(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		int on = 0, proto = 0, one = 1;
		socklen_t l1 = sizeof on, l2 = sizeof proto;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &l1) != 0 || !on ||
		    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l2) != 0 ||
		    proto != IPPROTO_TCP)
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
			log_msg(LOG_WARNING, "TCP_NODELAY on the milter socket: %s "
			        "(header changes may wait for the MTA's delayed ACK)",
			        strerror(errno));
	}
}

/* 1 (logged) if another milter listens on our socket. */
static int socket_taken(const struct cme_conf *conf)
{
	if (!socket_in_use(conf->socket))
		return 0;
	log_msg(LOG_ERR, "%s: another milter is listening there; not starting", conf->socket);
	return 1;
}

/* Bind as root (a socket under /run), become a daemon unless told not
 * to, write the PID file, then drop privileges (under the UMask main
 * set).  0, or -1 (logged). */
static int open_socket_and_drop(const struct cme_conf *conf, int foreground)
{
	char err[512];

	if (smfi_setconn(conf->socket) != MI_SUCCESS || smfi_register(milter_desc) != MI_SUCCESS) {
		log_msg(LOG_ERR, "cannot use socket %s", conf->socket);
		return -1;
	}
	if (socket_taken(conf))   /* again: one may have started since main asked */
		return -1;
	if (smfi_opensocket(1) != MI_SUCCESS) {  /* 1: remove a stale socket */
		log_msg(LOG_ERR, "cannot open socket %s", conf->socket);
		return -1;
	}
	listener_nodelay();
	chown_socket(conf);
	if (!foreground && daemon(0, 0) != 0) {
		log_msg(LOG_ERR, "cannot become a daemon: %s", strerror(errno));
		return -1;
	}
	if (write_pid_file(conf) != 0)
		return -1;
	if (milter_drop_privileges(conf, err, sizeof err) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = conf_default_path();
	int foreground = 0, check_only = 0, opt, rc;
	struct strlist problems = STRLIST_INIT;
	struct runtime *first;
	struct cme_conf *conf;
	pthread_t reloader;

	(void)case_store_init_library();   /* before any thread and any SQLite call */
	while ((opt = getopt(argc, argv, "c:fnVh")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': check_only = 1; break;
		case 'V':
			printf("cme-milter %s (libmilter %u.%u.%u)\n", PACKAGE_VERSION,
			       SM_LM_VRS_MAJOR(SMFI_VERSION), SM_LM_VRS_MINOR(SMFI_VERSION),
			       SM_LM_VRS_PLVL(SMFI_VERSION));
			return 0;
		default:
			usage();
			return opt == 'h' ? 0 : 1;
		}
	}
	conf_path = path;
	process_setup();
	first = calloc(1, sizeof *first);
	if (first == NULL)
		return 1;
	conf = &first->conf;
	conf_defaults(conf);
	if (conf_load(conf, path, &problems) != 0 && !check_only) {
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "%s\n", problems.v[i]);
		goto fail;
	}
	if (check_only) {
		rc = self_check(conf, path, &problems);
		goto done;
	}
	if (conf_check(conf, &problems) != 0) {
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "%s: %s\n", path, problems.v[i]);
		goto fail;
	}
	/* The vocabulary, once, before any thread: immutable from here on
	 * (SIGUSR1 does not re-read it; a changed file needs a restart). */
	if (vocab_load(conf->shipped_vocabulary_dir, conf->vocabulary_dir, &problems) != 0) {
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "%s\n", problems.v[i]);
		goto fail;
	}
	log_open("cme-milter", conf->syslog,
	         log_facility_from_name(conf->syslog_facility) >= 0
	             ? log_facility_from_name(conf->syslog_facility) : LOG_MAIL);

	/* Whatever makes the milter refuse to start is found before it
	 * listens (milter_start.c): the MTA never meets a milter that
	 * accepts its connection and then goes away.  The check runs as
	 * the milter's user (a child, when root), as the real open below. */
	/* the check may create ReminderDir and feeds: under UMask, as the
	 * milter's own start would */
	umask((mode_t)conf->umask_value);
	if (socket_taken(conf))   /* asked again when it opens */
		goto fail;
	if (milter_start_check_as_user(conf, &problems) != 0) {
		for (size_t i = 0; i < problems.n; i++)
			log_msg(LOG_ERR, "%s", problems.v[i]);
		log_msg(LOG_ERR, "cme-milter not starting");
		goto fail;
	}
	if (open_socket_and_drop(conf, foreground) != 0)
		goto fail;
	/* Only now, as the milter's user, open the database for good and
	 * load policy and calendars (before libmilter starts its threads:
	 * libical zone loading is not thread-safe).  pipeline_new repeats
	 * every refusal of the check above but PRAGMA quick_check, which
	 * reads the whole database: done once, before listening.  A database
	 * that changes between the two is still refused here (the milter
	 * listened for a moment, as before the check existed). */
	first->pipeline = pipeline_new(conf, &problems);
	if (first->pipeline == NULL) {
		for (size_t i = 0; i < problems.n; i++)
			log_msg(LOG_ERR, "%s", problems.v[i]);
		goto fail;
	}
	rt = first;
	membudget_configure(conf->max_memory);
	/* The sender thread also brings every feed up to date, in the
	 * background: the milter answers at once, whatever the caseload. */
	if (pipeline_start_sender(first->pipeline) != 0)
		log_msg(LOG_WARNING, "no reminder sender thread: reminder mails wait in the outbox");
	if (pthread_create(&reloader, NULL, reload_thread, NULL) != 0)
		log_msg(LOG_WARNING, "no reload thread: SIGUSR1 will be ignored");
	else
		pthread_detach(reloader);
	log_msg(LOG_INFO, "cme-milter %s starting on %s", PACKAGE_VERSION, conf->socket);
	rc = smfi_main();
	/* libmilter may still be closing sessions whose callbacks read rt:
	 * it stays (still reachable) until the process exits. */
	log_msg(LOG_INFO, "cme-milter stopping");
	case_store_release_refs(rt->conf.database);   /* unused reserved numbers */
	strlist_free(&problems);
	return rc == MI_SUCCESS ? 0 : 1;
fail:
	rc = 1;
done:
	/* Early exits free what they made, so a sanitizer build exits clean
	 * (the running milter keeps its runtime to the end on purpose). */
	if (rt != first) {
		pipeline_free(first->pipeline);
		conf_free(&first->conf);
		free(first);
	}
	strlist_free(&problems);
	return rc;
}
