/*
 * case_links.h - the case store's record of which message is which
 * (SPEC 5.2) and of cases that follow a closed one (SPEC 5.3).  Part of
 * the store (same connection, same transaction); the pipeline decides
 * when to call it.
 */
#ifndef CME_CASE_LINKS_H
#define CME_CASE_LINKS_H

#include <time.h>
#include <json-c/json.h>
#include "case_store.h"
#include "strlist.h"

enum message_seen {
	MESSAGE_NEW,            /* never seen */
	MESSAGE_DUPLICATE,      /* the same Message-ID and content digest */
	MESSAGE_ID_REUSED       /* the Message-ID, on a different message */
};

/*
 * Has this message been processed?  With a Message-ID: any recorded
 * message with that Message-ID and `digest` is this one; a row recorded
 * before digests were kept (digest NULL) counts as the same, as it did
 * then.  Without one, `key` (the digest) alone.  Returns an enum
 * message_seen, or -1.  *refs gets the cases the matching message
 * touched (DUPLICATE), or those the earlier messages under the same
 * Message-ID touched (ID_REUSED).
 */
int case_store_message_lookup(struct case_store *cs, const char *key,
                              const char *message_id, const char *digest,
                              struct strlist *refs);

/* Both timelines of a reused Message-ID: on each case in `earlier_refs`
 * and on each of `touched` (the new message's cases), an event saying a
 * different message used the same Message-ID. */
int case_store_note_reuse(struct case_store *cs, const struct strlist *earlier_refs,
                          const long long *touched, size_t ntouched,
                          const char *message_id, const char *from_addr,
                          const char *source, time_t now);

/* `case_id` was opened for a child whose case `previous_id` is closed. */
int case_store_set_previous_case(struct case_store *cs, long long case_id,
                                 long long previous_id);

/* A closed case opens again: status open, no outcome, no closed_at,
 * and a new generation (case_store_next_generation: new event UIDs).
 * The old outcome goes to *old_outcome (may be "" if none). */
int case_store_reopen(struct case_store *cs, long long case_id,
                      char *old_outcome, size_t outlen);

/* "previous_case" and "later_cases" of case `id`, added to o. */
void case_links_json(struct case_store *cs, long long id, json_object *o);

#endif
