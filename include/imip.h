/*
 * imip.h - iMIP reminder mails (RFC 6047): build and submit.
 *
 * Owns: the MIME form of a reminder (multipart/alternative, text/plain
 * and text/calendar; method=...) and handing it to the MTA through
 * SendmailPath.  Header values are built only from our own strings
 * (case references, deadline kinds, initials, configured addresses),
 * never from message text.
 */
#ifndef CME_IMIP_H
#define CME_IMIP_H

#include <stddef.h>
#include <time.h>

/* A mail of ours.  calendar NULL: a plain text/plain mail (the digest,
 * an escalation notice); else multipart/alternative with the
 * text/calendar part for `method`.  urgent: Importance: high and
 * X-Priority: 1 (an immediate escalation must interrupt, SPEC 7). */
struct imip_mail {
	const char *from, *to, *subject, *text;
	const char *calendar, *method;      /* NULL, NULL for a plain mail */
	const char *message_id;
	time_t date;
	int urgent;
};
/* The whole RFC 5322 message (CRLF line ends), malloc'd, or NULL (a
 * header value with a line break, or out of memory). */
char *imip_compose(const struct imip_mail *m);

/* A whole RFC 5322 message (CRLF line ends), malloc'd, or NULL.  `method`
 * is "REQUEST" or "CANCEL"; `calendar` the VCALENDAR text, or NULL for a
 * plain-text notice (officer confirmations, transfers; method unused). */
char *imip_message(const char *from, const char *to, const char *subject,
                   const char *text, const char *calendar, const char *method,
                   const char *message_id, time_t date);

/* Reminder mails are sealed so the milter can tell ours from a forgery
 * when it sees them pass: a header carrying an HMAC-SHA256 of the
 * Message-ID under a key only the database holds.  Not X-CME-*, which
 * the MTA is told to strip from incoming mail (contrib/). */
#define IMIP_SEAL_HEADER "X-Cmemilter-Seal"

/* Each submission of a mail is a copy with an id of its own (at most
 * IMIP_COPY_MAX characters, no white space), sealed with it: the MTA
 * retrying one copy is then told from a second copy. */
#define IMIP_COPY_MAX 64

/* `msg` with the seal header for `message_id` and `copy` prepended,
 * malloc'd, or NULL (out of memory, or a bad copy id).  `key` is the
 * database's seal key. */
char *imip_sealed(const char *key, const char *message_id, const char *copy, const char *msg);

/* 1 if `value` (a seal header's value) seals `message_id` under `key`,
 * with the copy id written to `copy` (copylen > IMIP_COPY_MAX); else 0.
 * Compared in constant time. */
int imip_seal_valid(const char *key, const char *message_id, const char *value,
                    char *copy, size_t copylen);

/* Run `sendmail_path -oi -f from -- to` with `msg` on its standard input.
 * The program must ignore SIGPIPE (library code does not change process-
 * wide signal dispositions): a submission program that exits early then
 * gives EPIPE, not the death of the process.
 * 0 when the MTA took it (exit status 0), else -1 with err set.  Bounded
 * in time: a submission that hangs is killed after `timeout_s`. */
int imip_submit(const char *sendmail_path, const char *from, const char *to,
                const char *msg, size_t len, int timeout_s, char *err, size_t errlen);

#endif
