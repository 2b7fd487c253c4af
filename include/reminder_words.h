/*
 * reminder_words.h - what a reminder tells an officer, in words (SPEC
 * section 7, "Every reminder says what to do and how to record it").
 *
 * NAME
 *     reminder_words - local times in words, what to do per deadline
 *     kind, and the reply line (SPEC 5.6) with a mailto: link.
 *
 * Owns: ONE table, per deadline kind, of the action to take and the
 * line an officer sends back to the CME mailbox to record it; the
 * wording of a local time ("Friday 4 December, 17:00", in the policy's
 * zone); the mailto: URL (RFC 6068, every value percent-encoded).
 * Text is built only from our own strings, the case reference, and the
 * policy's action lines: never from message text.
 *
 * Return conventions: the functions write NUL-terminated text, cut to
 * the buffer (never overflowing); a buffer of 0 bytes is left alone.
 *
 * Concurrency: none; constant tables, any thread.
 */
#ifndef CME_REMINDER_WORDS_H
#define CME_REMINDER_WORDS_H

#include <stddef.h>
#include <time.h>

#include "case_types.h"
#include "policy.h"

/* "Friday 4 December, 17:00" (local time in the policy's zone; the year
 * is added when it is not the year of `now`: "Monday 4 January 2027,
 * 17:00"). */
void reminder_words_when(const struct policy *pol, time_t t, time_t now,
                         char *out, size_t outlen);

/* What the officer must do for a deadline of `kind` (the policy's
 * immediate_action / escalation_action for those kinds). */
const char *reminder_words_action(const struct policy *pol, enum deadline_kind kind);

/* The kind in words: "home visit", "escalation", ... */
const char *reminder_words_kind(enum deadline_kind kind);

/* The line the officer sends to record it, e.g.
 * "Visit: DD/MM/YYYY HH:MM seen" or "Immediate: done". */
const char *reminder_words_reply(enum deadline_kind kind);

/* The reply section of a reminder: the reply line, and a mailto: link
 * to `mailbox` whose subject is "[REF] ..." and body the reply line,
 * percent-encoded.  Nothing is written when mailbox is NULL or empty. */
void reminder_words_reply_section(const char *mailbox, const char *ref,
                                  enum deadline_kind kind, char *out, size_t outlen);

/* Percent-encode `in` (RFC 3986 unreserved characters kept) into out;
 * a character that would not fit whole is left out with the rest. */
void reminder_words_urlencode(const char *in, char *out, size_t outlen);

#endif
