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

/* A whole RFC 5322 message (CRLF line ends), malloc'd, or NULL.  `method`
 * is "REQUEST" or "CANCEL"; `calendar` the VCALENDAR text. */
char *imip_message(const char *from, const char *to, const char *subject,
                   const char *text, const char *calendar, const char *method,
                   const char *message_id, time_t date);

/* Run `sendmail_path -oi -f from -- to` with `msg` on its standard input.
 * 0 when the MTA took it (exit status 0), else -1 with err set.  Bounded
 * in time: a submission that hangs is killed after `timeout_s`. */
int imip_submit(const char *sendmail_path, const char *from, const char *to,
                const char *msg, size_t len, int timeout_s, char *err, size_t errlen);

#endif
