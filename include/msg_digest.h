/*
 * msg_digest.h - the content digest of a message (SPEC 5.2).
 *
 * "The same message" is the same Message-ID *and* the same content
 * digest.  The digest must survive what the mail system does to a
 * message between two copies of it, and nothing else:
 *
 *   covered   the body (bytes after the header/body separator, CRLF
 *             read as LF, trailing white space and blank lines dropped),
 *             the From address, the Date (as a time) and the Subject
 *             (decoded) without the tags this product puts in front of
 *             it ("[URGENT] ", "[CME-YYYY-NNNNN] ");
 *   ignored   every other header: Received, Return-Path, Delivered-To,
 *             X-CME-*, Authentication-Results, DKIM-Signature ... which
 *             the MTA, the milter or local delivery add or change.
 *
 * So a message re-sent by the MTA after a tempfail, or re-ingested with
 * `cmectl ingest` from the Maildir it was delivered to, has the digest
 * it had; a different message under a reused Message-ID (a careless
 * portal, or a squatter who sends first) has another.
 */
#ifndef CME_MSG_DIGEST_H
#define CME_MSG_DIGEST_H

#include <stddef.h>
#include <time.h>

#define MSG_DIGEST_SIZE (7 + 64 + 1)      /* "sha256:" + hex + NUL */

/* The digest of raw[0..len) given the parsed From address, Date
 * ((time_t)-1 if none) and decoded Subject (NULL if none), as
 * "sha256:<hex>". */
void msg_digest(const char *raw, size_t len, const char *from_addr, time_t date,
                const char *subject, char out[MSG_DIGEST_SIZE]);

/* The subject after the tags this product adds (pipeline_tag_subject):
 * a pointer into `subject`. */
const char *msg_digest_untagged(const char *subject);

#endif
