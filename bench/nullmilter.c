/*
 * nullmilter - a milter that does nothing, on cme-milter's protocol path.
 *
 * Usage: nullmilter -p inet:PORT@127.0.0.1 -m MAILBOX [-m MAILBOX]... [-d FILE [-w MS]]
 *
 * The floor bench/throughput.sh measures cme-milter against: it asks the
 * MTA for exactly what cme-milter asks (milter/programs/cme-milter.c,
 * cb_negotiate): actions ADDHDRS|CHGHDRS; no reply at CONNECT, HELO,
 * MAIL, RCPT, each header, end of headers, body chunks or unknown
 * commands; no HELO and no unknown commands at all; only the macros
 * "i {auth_authen}" at MAIL and "i" at end of message.  Like cme-milter it
 * accepts mail for no MAILBOX at DATA, and for a MAILBOX reads every
 * header and body chunk (counting the bytes, holding none of them) and
 * accepts at end of message, with no change to the message.  Whatever
 * cme-milter costs beyond this program is its own work: parsing,
 * extraction, the committed transaction, the headers it adds.
 *
 * With -d FILE it is the floor for a milter that keeps the promise "no
 * reply before the message is on disk": at end of message each CME
 * message appends one 4 KB record to FILE (at an offset of its own,
 * sessions in parallel) and fdatasyncs it before accepting, and writes
 * its time at end of message to stderr as "ms=N.NN", one line per
 * message (cme-milter's ms= on its log line covers the same span).  No
 * group commit, no batching: the least any durable milter does, which
 * is what bench/throughput.sh's "durable" mode reports cme-milter's
 * end-of-message p50 and p99 against.  -w MS adds MS milliseconds of
 * computing (the thread's CPU time) before the record: a milter that
 * spends cme-milter's CPU per message, with none of its waits.
 *
 * Not installed; built on demand (make bench/nullmilter).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <fcntl.h>
#include <time.h>

#include <libmilter/mfapi.h>

#define MAX_MAILBOXES 16

static const char *mailboxes[MAX_MAILBOXES];
static size_t nmailboxes;
static int durable_fd = -1;          /* -d FILE */
static double work_ms;               /* -w MS */
static unsigned long long durable_off;

struct conn {
	unsigned long nr_flags;
	int is_cme;
	size_t bytes;
};

static struct conn *conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL && (c = calloc(1, sizeof *c)) != NULL)
		smfi_setpriv(ctx, c);
	return c;
}

/* "<Cme@La.Test>" against each MAILBOX, case-insensitively (as cme-milter). */
static int is_mailbox(const char *rcpt)
{
	size_t n;

	if (*rcpt == '<')
		rcpt++;
	n = strcspn(rcpt, ">");
	for (size_t i = 0; i < nmailboxes; i++)
		if (strlen(mailboxes[i]) == n && strncasecmp(mailboxes[i], rcpt, n) == 0)
			return 1;
	return 0;
}

static sfsistat noreply(SMFICTX *ctx, unsigned long step)
{
	struct conn *c = conn_get(ctx);

	return (c && (c->nr_flags & step)) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                             unsigned long f2, unsigned long f3, unsigned long *pf0,
                             unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct conn *c = conn_get(ctx);
	unsigned long want_nr = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL |
	                        SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH |
	                        SMFIP_NR_BODY | SMFIP_NR_UNKN;

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_REJECT;
	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) != (SMFIF_ADDHDRS | SMFIF_CHGHDRS))
		return SMFIS_REJECT;
	*pf0 = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	c->nr_flags = f1 & want_nr;
	*pf1 = c->nr_flags | (f1 & (SMFIP_NOHELO | SMFIP_NOUNKNOWN));
	*pf2 = 0;
	*pf3 = 0;
	(void)smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_authen}");
	(void)smfi_setsymlist(ctx, SMFIM_EOM, "i");
	return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)host;
	(void)sa;
	return noreply(ctx, SMFIP_NR_CONN);
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);

	(void)argv;
	if (c) {
		c->is_cme = 0;
		c->bytes = 0;
		(void)smfi_getsymval(ctx, "{auth_authen}");
	}
	return noreply(ctx, SMFIP_NR_MAIL);
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);

	if (c && argv[0] && is_mailbox(argv[0]))
		c->is_cme = 1;
	return noreply(ctx, SMFIP_NR_RCPT);
}

static sfsistat cb_data(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);

	return (c && c->is_cme) ? SMFIS_CONTINUE : SMFIS_ACCEPT;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_get(ctx);

	if (c)
		c->bytes += strlen(name) + strlen(value) + 4;
	return noreply(ctx, SMFIP_NR_HDR);
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	return noreply(ctx, SMFIP_NR_EOH);
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct conn *c = conn_get(ctx);

	(void)chunk;
	if (c)
		c->bytes += len;
	return noreply(ctx, SMFIP_NR_BODY);
}

/* -w: MS milliseconds of this thread's CPU time, spent computing. */
static void spin(double ms)
{
	struct timespec s, n;
	volatile unsigned long x = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &s);
	do {
		for (int i = 0; i < 1000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &n);
	} while ((double)(n.tv_sec - s.tv_sec) * 1e3 + (double)(n.tv_nsec - s.tv_nsec) / 1e6 < ms);
}

/* -d: one 4 KB record, on disk before the reply; its time to stderr. */
static int durable_record(void)
{
	static const char record[4096];
	struct timespec t0, t1;
	off_t at = (off_t)__atomic_fetch_add(&durable_off, sizeof record, __ATOMIC_RELAXED);
	int ok;
	char line[32];
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (work_ms > 0)
		spin(work_ms);
	ok = pwrite(durable_fd, record, sizeof record, at) == (ssize_t)sizeof record &&
	     fdatasync(durable_fd) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	n = snprintf(line, sizeof line, "ms=%.2f\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	             (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (write(2, line, (size_t)n) != n)
		ok = 0;
	return ok ? 0 : -1;
}

static sfsistat cb_eom(SMFICTX *ctx)
{
	(void)smfi_getsymval(ctx, "i");
	if (durable_fd >= 0 && durable_record() != 0)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	free(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = "nullmilter",
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

int main(int argc, char **argv)
{
	const char *sock = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "p:m:d:w:")) != -1) {
		switch (opt) {
		case 'p': sock = optarg; break;
		case 'w': work_ms = atof(optarg); break;
		case 'd':
			durable_fd = open(optarg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (durable_fd < 0) {
				perror(optarg);
				return 1;
			}
			break;
		case 'm':
			if (nmailboxes == MAX_MAILBOXES) {
				fprintf(stderr, "nullmilter: at most %d mailboxes\n", MAX_MAILBOXES);
				return 2;
			}
			mailboxes[nmailboxes++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: nullmilter -p SOCKET -m MAILBOX... [-d FILE [-w MS]]\n");
			return 2;
		}
	}
	if (sock == NULL || nmailboxes == 0) {
		fprintf(stderr, "usage: nullmilter -p SOCKET -m MAILBOX... [-d FILE [-w MS]]\n");
		return 2;
	}
	if (smfi_setconn((char *)sock) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot set up %s\n", sock);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
