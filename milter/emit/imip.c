/*
 * imip.c - iMIP reminder mails: build and submit.  See imip.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "imip.h"
#include "strbuf.h"

/* A header value of ours must still never carry a line break. */
static int header_safe(const char *s)
{
	for (; s && *s; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return s != NULL;
}

/* Base64 in 76-character lines (RFC 2045). */
static int put_base64(struct strbuf *sb, const char *data, size_t len)
{
	for (size_t off = 0; off < len; off += 57) {
		size_t n = len - off < 57 ? len - off : 57;
		char line[80];

		base64_encode_raw(line, n, (const uint8_t *)data + off);
		if (strbuf_append(sb, line, BASE64_ENCODE_RAW_LENGTH(n)) != 0 ||
		    strbuf_puts(sb, "\r\n") != 0)
			return -1;
	}
	return 0;
}

/* Subject: as it is when plain ASCII; else RFC 2047 encoded words of
 * at most 45 bytes of UTF-8 each (whole characters), folded. */
static int put_subject(struct strbuf *sb, const char *subject)
{
	size_t len = strlen(subject), off = 0;
	int ascii = 1, rc = 0;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)subject[i] >= 0x7F || (unsigned char)subject[i] < 0x20)
			ascii = 0;
	if (ascii)
		return strbuf_printf(sb, "Subject: %s\r\n", subject);
	rc |= strbuf_puts(sb, "Subject:");
	while (off < len) {
		size_t n = len - off < 45 ? len - off : 45;
		char enc[64];

		while (n > 0 && off + n < len && ((unsigned char)subject[off + n] & 0xC0) == 0x80)
			n--;    /* do not split a character between two words */
		if (n == 0)
			n = len - off < 45 ? len - off : 45;
		base64_encode_raw(enc, n, (const uint8_t *)subject + off);
		enc[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
		rc |= strbuf_printf(sb, "%s=?UTF-8?B?%s?=", off ? "\r\n " : " ", enc);
		off += n;
	}
	rc |= strbuf_puts(sb, "\r\n");
	return rc;
}

char *imip_message(const char *from, const char *to, const char *subject,
                   const char *text, const char *calendar, const char *method,
                   const char *message_id, time_t date)
{
	/* calendar NULL: a plain-text notice (imip_compose) */
	struct imip_mail m = { from, to, subject, text, calendar, method, message_id, date, 0 };

	return imip_compose(&m);
}

char *imip_compose(const struct imip_mail *m)
{
	struct strbuf sb;
	char datebuf[64], boundary[64];
	struct tm tm;
	int rc = 0;
	const char *text = m->text;

	if (!header_safe(m->from) || !header_safe(m->to) || !header_safe(m->subject) ||
	    !header_safe(m->message_id) || (m->calendar != NULL && !header_safe(m->method)))
		return NULL;
	gmtime_r(&m->date, &tm);
	strftime(datebuf, sizeof datebuf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(boundary, sizeof boundary, "=_cme_%lx_%x", (long)m->date, (unsigned)getpid());
	strbuf_init(&sb, 1 << 20);
	rc |= strbuf_printf(&sb, "From: Children Missing Education <%s>\r\n", m->from);
	rc |= strbuf_printf(&sb, "To: <%s>\r\n", m->to);
	rc |= put_subject(&sb, m->subject);
	rc |= strbuf_printf(&sb, "Date: %s\r\n", datebuf);
	rc |= strbuf_printf(&sb, "Message-ID: %s\r\n", m->message_id);
	/* RFC 3834: a machine wrote this; nobody should auto-reply, and the
	 * milter itself treats it as not-a-referral. */
	rc |= strbuf_puts(&sb, "Auto-Submitted: auto-generated\r\n");
	rc |= strbuf_puts(&sb, "X-Auto-Response-Suppress: All\r\n");
	/* Outlook shows Importance, older clients X-Priority (1 = highest) */
	if (m->urgent)
		rc |= strbuf_puts(&sb, "Importance: high\r\nX-Priority: 1\r\n");
	rc |= strbuf_puts(&sb, "MIME-Version: 1.0\r\n");
	if (m->calendar == NULL) {
		/* A notice (officer confirmation, transfer): plain text only. */
		rc |= strbuf_puts(&sb, "Content-Type: text/plain; charset=UTF-8\r\n"
		                       "Content-Transfer-Encoding: base64\r\n\r\n");
		rc |= put_base64(&sb, text ? text : "", text ? strlen(text) : 0);
		goto done;
	}
	rc |= strbuf_printf(&sb, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
	                    boundary);
	rc |= strbuf_printf(&sb, "--%s\r\n", boundary);
	rc |= strbuf_puts(&sb, "Content-Type: text/plain; charset=UTF-8\r\n"
	                       "Content-Transfer-Encoding: base64\r\n\r\n");
	rc |= put_base64(&sb, text ? text : "", text ? strlen(text) : 0);
	rc |= strbuf_printf(&sb, "--%s\r\n", boundary);
	rc |= strbuf_printf(&sb, "Content-Type: text/calendar; method=%s; charset=UTF-8\r\n"
	                         "Content-Transfer-Encoding: base64\r\n\r\n", m->method);
	rc |= put_base64(&sb, m->calendar, strlen(m->calendar));
	rc |= strbuf_printf(&sb, "--%s--\r\n", boundary);
done:
	if (rc != 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

int imip_submit(const char *sendmail_path, const char *from, const char *to,
                const char *msg, size_t len, int timeout_s, char *err, size_t errlen)
{
	int in[2], status;
	pid_t pid;
	size_t off = 0;
	time_t deadline = time(NULL) + timeout_s;

	if (pipe2(in, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if (pid == 0) {
		/* child: the MTA's submission program, message on stdin, with
		 * the signals the milter blocks or ignores given back (both
		 * would otherwise survive the exec) */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0)
			_exit(75);
		execl(sendmail_path, "sendmail", "-oi", "-f", from, "--", to, (char *)NULL);
		_exit(75);
	}
	close(in[0]);
	/* SIGPIPE is ignored by the program (see imip.h), so an MTA that
	 * stops reading gives EPIPE here. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	while (off < len) {
		struct pollfd pfd = { .fd = in[1], .events = POLLOUT };
		ssize_t n;

		if (time(NULL) > deadline || poll(&pfd, 1, 1000) < 0)
			break;
		n = write(in[1], msg + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
	close(in[1]);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (time(NULL) > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(err, errlen, "%s timed out after %d s", sendmail_path, timeout_s);
			return -1;
		}
		usleep(20000);
	}
	if (off < len) {
		snprintf(err, errlen, "%s stopped reading the message", sendmail_path);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s exited with status %d", sendmail_path,
		         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return 0;
}

/* HMAC-SHA256(key, message_id SP copy), as 64 hex digits.  The key is
 * the hex text from the database, used as bytes: its secrecy is what
 * matters. */
static void seal_of(const char *key, const char *message_id, const char *copy,
                    size_t copylen, char out[65])
{
	struct hmac_sha256_ctx h;
	uint8_t mac[SHA256_DIGEST_SIZE];
	static const char hex[] = "0123456789abcdef";

	hmac_sha256_set_key(&h, strlen(key), (const uint8_t *)key);
	hmac_sha256_update(&h, strlen(message_id), (const uint8_t *)message_id);
	hmac_sha256_update(&h, 1, (const uint8_t *)" ");
	hmac_sha256_update(&h, copylen, (const uint8_t *)copy);
	hmac_sha256_digest(&h, sizeof mac, mac);
	for (size_t i = 0; i < sizeof mac; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
}

char *imip_sealed(const char *key, const char *message_id, const char *copy, const char *msg)
{
	struct strbuf sb;
	char seal[65];

	if (strlen(copy) > IMIP_COPY_MAX || strcspn(copy, " \t\r\n") != strlen(copy))
		return NULL;
	seal_of(key, message_id, copy, strlen(copy), seal);
	strbuf_init(&sb, strlen(msg) + 160);
	if (strbuf_printf(&sb, "%s: v1 %s %s\r\n", IMIP_SEAL_HEADER, copy, seal) != 0 ||
	    strbuf_puts(&sb, msg) != 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

int imip_seal_valid(const char *key, const char *message_id, const char *value,
                    char *copy, size_t copylen)
{
	char want[65];
	const char *c;
	size_t cn, n;

	if (key == NULL || message_id == NULL || value == NULL || copylen == 0)
		return 0;
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncmp(value, "v1 ", 3) != 0)
		return 0;
	c = value + 3;
	cn = strcspn(c, " \t\r\n");
	if (cn == 0 || cn > IMIP_COPY_MAX || cn >= copylen || c[cn] != ' ')
		return 0;
	value = c + cn + 1;
	n = strcspn(value, " \t\r\n");
	if (n != 64)
		return 0;
	seal_of(key, message_id, c, cn, want);
	/* constant time: no early exit that would time the first bad digit */
	if (!memeql_sec(want, value, 64))
		return 0;
	memcpy(copy, c, cn);
	copy[cn] = '\0';
	return 1;
}
