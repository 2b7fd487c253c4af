/*
 * milter_start.c - whether cme-milter may start, decided before it
 * listens, and its change to the milter's user.
 *
 * Owns: the start-up check (the database and everything pipeline_new
 * refuses on), running it as UserID in a child process when started as
 * root, and dropping privileges (UserID lookup, setgid/setuid, the
 * check that root cannot be regained).  cme-milter.c owns the rest of
 * process life: the socket, daemon(), the PID file.
 *
 * Why before listening: once libmilter listens, the MTA may connect; a
 * milter that then refuses to start drops that connection and the
 * message is tempfailed.  A refusal (a database newer than this binary,
 * unreadable, corrupt, or refused by its reference record; a policy or
 * calendar that does not load...) must exit before the socket exists,
 * so the MTA sees only a milter that is not there (its Milter default
 * action), never one that accepts and drops.
 *
 * Why a child: the database must be opened by the milter's user, never
 * by root (SQLite creates cases.db-wal and -shm as whoever opens it, and
 * a root-owned one would lock the milter out), but the socket is opened
 * as root (it may live under /run) before privileges are dropped for
 * good.  So a child drops privileges exactly as the milter will, runs
 * the check, writes its problems to a pipe and exits; the parent, still
 * root, logs them and exits 1 without opening the socket.
 */
#include "build-config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_store.h"
#include "logging.h"
#include "milter_start.h"
#include "pipeline.h"
#include "strbuf.h"

int milter_lookup_user(const char *spec, uid_t *uid, gid_t *gid, char *name, size_t namelen)
{
	char buf[256], *colon;
	struct passwd *pw;

	snprintf(buf, sizeof buf, "%s", spec);
	colon = strchr(buf, ':');
	if (colon)
		*colon++ = '\0';
	if ((pw = getpwnam(buf)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	snprintf(name, namelen, "%s", buf);
	if (colon && *colon) {
		struct group *gr = getgrnam(colon);

		if (gr == NULL)
			return -1;
		*gid = gr->gr_gid;
	}
	return 0;
}

int milter_drop_privileges(const struct cme_conf *conf, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;
	char name[256];

	if (geteuid() != 0)
		return 0;       /* already unprivileged: run as we are */
	if (milter_lookup_user(conf->user_id, &uid, &gid, name, sizeof name) != 0) {
		snprintf(err, errlen, "UserID %.400s: no such user or group", conf->user_id);
		return -1;
	}
	if (initgroups(name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "UserID %.400s: cannot become that user: %s", conf->user_id,
		         strerror(errno));
		return -1;
	}
	if (uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "UserID %.400s: privileges could be regained; refusing to run",
		         conf->user_id);
		return -1;
	}
	return 0;
}

void milter_start_check(const struct cme_conf *conf, struct strlist *problems)
{
	char err[2048];
	struct pipeline *p;

	/* A corrupt database answers every message 451: say so first, and
	 * alone (whatever else reading it fails on would only bury that). */
	if (case_store_quick_check(conf->database, err, sizeof err) != 0) {
		(void)strlist_add(problems, err);
		return;
	}
	p = pipeline_new(conf, problems);
	pipeline_free(p);
}

/* The child: become the milter's user, check, write each problem to fd
 * followed by a NUL, and exit (1 when there was one).  Never returns. */
static void check_child(const struct cme_conf *conf, int fd)
{
	struct strlist problems = STRLIST_INIT;

	char err[512];

	if (milter_drop_privileges(conf, err, sizeof err) != 0) {
		(void)strlist_add(&problems, err);
	} else {
		milter_start_check(conf, &problems);
	}
	for (size_t i = 0; i < problems.n; i++) {
		const char *s = problems.v[i];
		size_t left = strlen(s) + 1, off = 0;

		while (left > 0) {
			ssize_t w = write(fd, s + off, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(2);
			off += (size_t)w;
			left -= (size_t)w;
		}
	}
	/* _exit: no atexit handlers, no second flush of the parent's stdio */
	_exit(problems.n ? 1 : 0);
}

/* The parent: read the child's NUL-separated problems until EOF. */
static void read_problems(int fd, struct strlist *problems)
{
	struct strbuf sb;
	char buf[4096];
	ssize_t r;

	strbuf_init(&sb, 1 << 20);
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || strbuf_append(&sb, buf, (size_t)r) != 0)
			break;
	}
	for (size_t off = 0; off < sb.len; off += strlen(sb.data + off) + 1)
		(void)strlist_add(problems, sb.data + off);
	strbuf_free(&sb);
}

static int start_failed(struct strlist *problems, const char *what)
{
	char buf[256];

	snprintf(buf, sizeof buf, "start-up check: cannot %s: %s", what, strerror(errno));
	(void)strlist_add(problems, buf);
	return -1;
}

int milter_start_check_as_user(const struct cme_conf *conf, struct strlist *problems)
{
	size_t before = problems->n;
	int fds[2], status;
	pid_t pid;

	if (geteuid() != 0) {
		milter_start_check(conf, problems);
		return problems->n > before ? -1 : 0;
	}
	if (pipe(fds) != 0)
		return start_failed(problems, "make a pipe");
	fflush(NULL);      /* nothing buffered is written twice */
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return start_failed(problems, "fork");
	}
	if (pid == 0) {
		close(fds[0]);
		check_child(conf, fds[1]);
	}
	close(fds[1]);
	read_problems(fds[0], problems);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return start_failed(problems, "wait for the check");
	}
	/* a child that failed without a word (killed, or its pipe broke) */
	if (status != 0 && problems->n == before) {
		char buf[256];

		if (WIFSIGNALED(status))
			snprintf(buf, sizeof buf, "start-up check as %.100s: killed by signal %d",
			         conf->user_id, WTERMSIG(status));
		else
			snprintf(buf, sizeof buf, "start-up check as %.100s: failed (exit %d)",
			         conf->user_id, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		(void)strlist_add(problems, buf);
	}
	return problems->n > before ? -1 : 0;
}
