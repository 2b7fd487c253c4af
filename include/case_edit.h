/*
 * NAME
 *	case_edit.h - stage 3, the store's side of the officer's actions:
 *	correct a field, give a case to another officer, fold a duplicate
 *	into its survivor, record a transfer to another LA, count reopenings.
 *
 * PURPOSE
 *	The officer actions (officer.h) decide; these functions only read
 *	and write, in the caller's transaction, on the caller's connection.
 *	The fields an officer may correct are ONE table (case_edit.c): the
 *	name an officer types (`cmectl edit REF surname=Brennan`), the
 *	referral label it answers to (vocab.h's enum field, so that an
 *	officer's `Surname: Brennan` line by email names the same field),
 *	how a value is checked, and the column.
 *
 * OWNS
 *	The edit field table and value checks; the SQL of schema version 9
 *	(cases.merged_into, transferred_la, transferred_email;
 *	the case_parties table of schools and referrers a case gained).
 *
 * RETURN CONVENTIONS
 *	As case_store.h: actions 0 / -1, lookups 1 / 0 / -1.  The value
 *	checks (case_edit_normalise, case_edit_email_ok) are pure: 0 good,
 *	-1 bad with a one-line reason an officer can act on.
 *
 * CONCURRENCY
 *	The table is constant; the store functions as case_store.h.
 */
#ifndef CME_CASE_EDIT_H
#define CME_CASE_EDIT_H

#include <stddef.h>
#include <time.h>
#include "case_store.h"
#include "strlist.h"
#include "vocab.h"

#define CASE_EDIT_VALUE_MAX 512   /* a normalised value, with its NUL */

/* The field an officer names ("surname", "dob", "year_group", ...; case
 * and '-' / '_' ignored), or -1. */
int case_edit_field(const char *name);
/* The field a referral label answers to (vocab_label's result), or -1
 * for a label that names no correctable field. */
int case_edit_field_of_label(enum field f);
/* The referral label (vocab field) an edit field answers to; F_NONE
 * for one no label names (flags) or out of range. */
enum field case_edit_label(int field);
/* The field's canonical name, or NULL out of range. */
const char *case_edit_field_name(int field);
/* The names, space-separated, for a usage message. */
const char *case_edit_field_names(void);

/* Check and normalise `value` for `field` (a date in a UK or ISO form to
 * YYYY-MM-DD, a UPN upper-cased with its check letter checked, a
 * postcode as "AB1 2CD", a reason or flag to its vocabulary name, a
 * year group to 0 (Reception) .. 14, text cleaned of controls and
 * invisible characters).  "" (or "none") clears a field that may be
 * empty.  A date of birth after `now` is refused.  0, or -1 with *why. */
int case_edit_normalise(int field, const char *value, time_t now, char *out, size_t outlen,
                        char *why, size_t whylen);
/* An address we will write into a header or an attendee: an addr-spec
 * of printable ASCII, one '@', a dotted domain, at most 254 bytes.  1
 * good, 0 not. */
int case_edit_email_ok(const char *addr);

/* The stored value of `field` as text ("" when none): 1, 0 no such
 * case, -1 error. */
int case_store_edit_get(struct case_store *cs, long long case_id, int field,
                        char *out, size_t outlen);
/* Store a normalised value ("" stores none); a name or DOB change
 * recomputes the child's match key.  0 or -1. */
int case_store_edit_set(struct case_store *cs, long long case_id, int field,
                        const char *value);

int case_store_set_officer(struct case_store *cs, long long case_id, const char *officer);
/* The pending deadlines' SEQUENCE rises (their attendee changes). */
int case_store_bump_pending(struct case_store *cs, long long case_id, time_t now);
/* The LA a child moved to (name, and the address notified or NULL). */
int case_store_set_transfer(struct case_store *cs, long long case_id, const char *la,
                            const char *email);

/* Fold case `dup` into `survivor`: every event of dup is copied onto
 * survivor's timeline (marked "[from DUP-REF]", dup keeps its own),
 * dup's messages are linked to survivor too (a reply to either finds
 * it), dup's school and referrer (and parties) become survivor's
 * parties, survivor's empty child fields are filled from dup's, dup's
 * siblings become survivor's (dup leaves the group), and dup names
 * survivor in merged_into.  Closing dup is the caller's.  0 / -1. */
int case_store_merge(struct case_store *cs, long long dup, long long survivor,
                     const char *dup_ref, time_t now);
/* The case a mail of ours (a reminder, a notice) was about, by the
 * Message-ID it was sent with: a reply to a reminder names its case.
 * 1 / 0 / -1. */
int case_store_find_by_sent_mail(struct case_store *cs, const char *message_id,
                                 struct case_info *out);

/* The references of the case's siblings (strlist_add each).  0 / -1. */
int case_store_siblings(struct case_store *cs, long long case_id, struct strlist *refs);

/* The case a merged case was folded into (following a chain of at most
 * 8 merges): 1 (*out is it), 0 not merged, -1 error. */
int case_store_merged_into(struct case_store *cs, long long case_id, struct case_info *out);

/* Schema 9's part of `cmectl show --json` (case_links_json calls it):
 * "merged_into", "merged_cases", "transferred_to" {la, email}, and
 * "gained" [{role, name, email, organisation, from}] (keys only when
 * there is something to say). */
#include <json-c/json.h>
void case_edit_json(struct case_store *cs, long long id, json_object *o);

#endif
