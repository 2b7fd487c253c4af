/*
 * message.h - stage 1 of the pipeline: a raw RFC 5322 message in,
 * decoded headers and UTF-8 text parts out.
 *
 * NAME
 *	message - parse one message into headers and text parts
 *
 * Owns: struct cme_message (opaque) and every string it hands out; they
 * live until message_free().  Uses libetpan for the MIME walk, charset.h
 * (iconv) for charsets, html_text for text/html, docx_text for Word
 * attachments.  Everything downstream sees only UTF-8 text; nothing
 * downstream touches libetpan.  The files: message.c (limits, the parse
 * and the accessors), headers.c (top-level headers, encoded words, From,
 * Date), parts.c (the MIME walk, DOCX and attachments), charset.c.
 *
 * Every byte is attacker-controlled: sizes, part counts and nesting
 * depth are bounded by struct message_limits; a message that breaks a
 * limit is still returned (with what was read) and the breach is listed
 * in its problems, so that the referral becomes a triage case rather than
 * being lost.
 *
 * Return conventions: message_parse returns NULL only when out of
 * memory; lookups return NULL (or 0, or (time_t)-1 for the date) for
 * what is absent.
 *
 * Concurrency: a parsed message is read-only and may be read from any
 * thread; parses run in parallel (iconv handles are per call; libxml2
 * is initialised once, see table_text.h).
 */
#ifndef CME_MESSAGE_H
#define CME_MESSAGE_H

#include <stddef.h>
#include <time.h>

#include "charset.h"        /* charset_to_utf8(), for callers of old */

struct message_limits {
	size_t max_bytes;        /* bytes of the raw message parsed */
	size_t max_parts;        /* MIME parts visited */
	size_t max_depth;        /* multipart / message/rfc822 nesting */
	size_t max_text_bytes;   /* total decoded text kept */
	size_t max_inflated_bytes; /* total XML inflated from the message's
	                            DOCX attachments (each also at most
	                            DOCX_MAX_XML); the rest is not read */
};

void message_limits_default(struct message_limits *lim);

enum text_source {
	TEXT_PLAIN,          /* text/plain (or untyped body) */
	TEXT_HTML,           /* text/html reduced to text: table rows become
	                        lines of cells separated by TAB, <br> a newline */
	TEXT_CSV,            /* text/csv attachment, raw CSV in UTF-8 */
	TEXT_DOCX,           /* DOCX tables reduced like HTML */
	TEXT_REPORT          /* message/delivery-status and similar */
};

struct message_text {
	enum text_source source;
	int   depth;             /* 0 = top-level message, 1 = inside a
	                            forwarded message/rfc822, ... */
	int   alternative;       /* index of the multipart/alternative group
	                            it belongs to, or -1 */
	const char *filename;    /* attachment filename (UTF-8) or NULL */
	const char *text;        /* valid UTF-8, NUL-terminated, no NUL
	                            inside; lines end in "\n" (CRLF and
	                            lone CR converted); never empty */
	size_t len;
};

struct cme_message;

/* Parse raw bytes.  Returns NULL only on allocation failure. */
struct cme_message *message_parse(const char *raw, size_t len,
                                  const struct message_limits *lim);
void message_free(struct cme_message *m);

/* Top-level header lookup, case-insensitive name.  Values are unfolded,
 * RFC 2047 encoded-words decoded to UTF-8 (except in Authentication-
 * Results, kept as sent: RFC 8601 syntax), control characters (CR, LF,
 * NUL...) replaced by spaces.  NULL if absent. */
const char *message_header(const struct cme_message *m, const char *name);
size_t      message_header_count(const struct cme_message *m, const char *name);
const char *message_header_nth(const struct cme_message *m, const char *name,
                               size_t i);
/* Every top-level header in message order, topmost (the last added by an
 * MTA) first: the value of header i, its name in *name. */
size_t      message_header_total(const struct cme_message *m);
const char *message_header_at(const struct cme_message *m, size_t i,
                              const char **name);

/* Convenience views of top-level headers. */
const char *message_from_address(const struct cme_message *m); /* addr-spec, all lower-cased */
const char *message_from_name(const struct cme_message *m);    /* display name or NULL */
time_t      message_date(const struct cme_message *m);         /* (time_t)-1 if none/bad */
int         message_is_report(const struct cme_message *m);    /* top type multipart/report */

/* Text parts in document order. */
size_t message_text_count(const struct cme_message *m);
const struct message_text *message_text_at(const struct cme_message *m, size_t i);

/* What went wrong while reading (limits hit, bad encodings...), in words
 * an officer understands. */
size_t      message_problem_count(const struct cme_message *m);
const char *message_problem_at(const struct cme_message *m, size_t i);


#endif
