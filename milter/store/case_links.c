/*
 * case_links.c - which message is which, and cases that follow a closed
 * one.  See case_links.h.
 *
 * Owns: the SQL on messages.digest and cases.previous_case (schema
 * version 8, in case_store.c's migrations).  Uses the store's statement
 * helpers (case_store_sql.h): every value is a bound parameter.
 */
#include <stdio.h>
#include <string.h>

#include "case_edit.h"
#include "case_links.h"
#include "case_store_sql.h"

int case_store_message_lookup(struct case_store *cs, const char *key,
                              const char *message_id, const char *digest,
                              struct strlist *refs)
{
	/* One row per (message, case); messages under this Message-ID (or
	 * key) in the order they came. */
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT m.id, m.digest IS NULL OR m.digest = ?3, c.ref FROM messages m "
		"LEFT JOIN message_cases mc ON mc.message_row = m.id "
		"LEFT JOIN cases c ON c.id = mc.case_id "
		"WHERE (?2 IS NOT NULL AND m.message_id = ?2) OR (?2 IS NULL AND m.msg_key = ?1) "
		"ORDER BY m.id, c.id");
	struct strlist same = STRLIST_INIT, other = STRLIST_INIT;
	int rc, seen_same = 0, seen_other = 0, oom = 0;

	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, key);
	case_store_sql_bind_text(st, 2, message_id);
	case_store_sql_bind_text(st, 3, digest);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int is_same = sqlite3_column_int(st, 1);
		const unsigned char *ref = sqlite3_column_text(st, 2);

		*(is_same ? &seen_same : &seen_other) = 1;
		if (ref && strlist_add_unique(is_same ? &same : &other, (const char *)ref) != 0)
			oom = 1;
	}
	case_store_sql_release(cs, st);
	if (rc != SQLITE_DONE) {
		strlist_free(&same);
		strlist_free(&other);
		return case_store_sql_fail(cs, "looking up a message");
	}
	for (size_t i = 0; refs && i < (seen_same ? same : other).n; i++)
		if (strlist_add_unique(refs, (seen_same ? same : other).v[i]) != 0)
			oom = 1;
	strlist_free(&same);
	strlist_free(&other);
	/* a case left out of the list would be a case the message's
	 * duplicate is not reported on */
	if (oom)
		return case_store_sql_oom(cs, "looking up a message");
	return seen_same ? MESSAGE_DUPLICATE : seen_other ? MESSAGE_ID_REUSED : MESSAGE_NEW;
}

static int add_event_ref(struct case_store *cs, const char *ref, time_t now,
                         const char *source, const char *detail)
{
	struct case_info ci;
	int rc = case_store_find_ref(cs, ref, &ci);

	if (rc <= 0)
		return rc;
	return case_store_add_event(cs, ci.id, now, "message", source, detail);
}

int case_store_note_reuse(struct case_store *cs, const struct strlist *earlier_refs,
                          const long long *touched, size_t ntouched,
                          const char *message_id, const char *from_addr,
                          const char *source, time_t now)
{
	char detail[1400];

	snprintf(detail, sizeof detail,
	         "Message-ID %.998s was used again by a different message from %.120s: "
	         "processed as a new message, not as a duplicate", message_id,
	         from_addr ? from_addr : "an unknown sender");
	for (size_t i = 0; i < earlier_refs->n; i++)
		if (add_event_ref(cs, earlier_refs->v[i], now, source, detail) != 0)
			return -1;
	snprintf(detail, sizeof detail,
	         "this message's Message-ID %.998s was already used by a different message "
	         "(cases: %s%s): processed as a new message", message_id,
	         earlier_refs->n ? earlier_refs->v[0] : "none",
	         earlier_refs->n > 1 ? " and others" : "");
	for (size_t i = 0; i < ntouched; i++)
		if (case_store_add_event(cs, touched[i], now, "message", source, detail) != 0)
			return -1;
	return 0;
}

int case_store_set_previous_case(struct case_store *cs, long long case_id,
                                 long long previous_id)
{
	return CASE_SQL_EXEC(cs, "linking a case to the closed one",
		"UPDATE cases SET previous_case = ?2 WHERE id = ?1",
		CASE_SQL_INT(case_id), CASE_SQL_INT(previous_id));
}

int case_store_reopen(struct case_store *cs, long long case_id, char *old_outcome,
                      size_t outlen)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, "SELECT outcome FROM cases WHERE id = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	rc = sqlite3_step(st);
	snprintf(old_outcome, outlen, "%s", rc == SQLITE_ROW && sqlite3_column_text(st, 0)
	         ? (const char *)sqlite3_column_text(st, 0) : "");
	case_store_sql_release(cs, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return case_store_sql_fail(cs, "reading a case's outcome");
	/* New event UIDs for the reopened case's deadlines (SPEC 7). */
	if (case_store_next_generation(cs, case_id) < 0)
		return -1;
	return CASE_SQL_EXEC(cs, "reopening a case",
		"UPDATE cases SET status = 'open', outcome = NULL, closed_at = NULL WHERE id = ?1",
		CASE_SQL_INT(case_id));
}

void case_links_json(struct case_store *cs, long long id, json_object *o)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT p.ref FROM cases c JOIN cases p ON p.id = c.previous_case WHERE c.id = ?1");
	json_object *later;

	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		json_object_object_add(o, "previous_case", json_object_new_string(
			(const char *)sqlite3_column_text(st, 0)));
	case_store_sql_release(cs, st);
	st = case_store_sql_prepare(cs, "SELECT ref FROM cases WHERE previous_case = ?1 ORDER BY id");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, id);
	later = json_object_new_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_array_add(later, json_object_new_string(
			(const char *)sqlite3_column_text(st, 0)));
	case_store_sql_release(cs, st);
	if (json_object_array_length(later) > 0)
		json_object_object_add(o, "later_cases", later);
	else
		json_object_put(later);
	case_edit_json(cs, id, o);
}
