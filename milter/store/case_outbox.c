/*
 * NAME
 *	case_outbox.c - the outbox of iMIP reminder mails in the store.
 *	See case_outbox.h.
 *
 * OWNS
 *	The SQL on the outbox table and the meta table's seal key (schema
 *	versions 3, 4 and 7, in case_store.c's migrations).  Statements go
 *	through the store's cache (case_store_sql.h); every value is bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_outbox.h"
#include "case_store_sql.h"

int case_store_outbox_add(struct case_store *cs, long long case_id, const char *uid,
                          const char *method, const char *recipient, const char *message,
                          const char *message_id, time_t now)
{
	return CASE_SQL_EXEC(cs, "queueing a reminder mail",
		"INSERT INTO outbox (case_id, uid, method, recipient, message, created_at,"
		" next_attempt_at, message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
		case_id > 0 ? CASE_SQL_INT(case_id)
		            : CASE_SQL_NULL,      /* a digest: no one case */
		CASE_SQL_TEXT(uid), CASE_SQL_TEXT(method), CASE_SQL_TEXT(recipient),
		CASE_SQL_TEXT(message), CASE_SQL_INT(now), CASE_SQL_TEXT(message_id));
}

int case_store_outbox_due(struct case_store *cs, time_t now, time_t *next)
{
	/* the earliest attempt owed (outbox_due: the first entry of the
	 * index's unsent rows) */
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT min(next_attempt_at) FROM outbox WHERE sent_at IS NULL");
	int rc, waiting = 0;
	time_t at = 0;

	*next = 0;
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		waiting = 1;
		at = (time_t)sqlite3_column_int64(st, 0);
	}
	case_store_sql_release(cs, st);
	if (rc != SQLITE_ROW)
		return case_store_sql_fail(cs, "reading the outbox");
	if (!waiting)
		return 0;
	if (at <= now)
		return 1;
	*next = at;
	return 0;
}

int case_store_outbox_next(struct case_store *cs, time_t now, struct outbox_row *out)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT id, recipient, message, attempts, message_id FROM outbox"
		" WHERE sent_at IS NULL AND next_attempt_at <= ?1 ORDER BY id LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_column_int64(st, 0);
		case_store_sql_copy_col(out->recipient, sizeof out->recipient, st, 1);
		out->message = strdup((const char *)sqlite3_column_text(st, 2));
		out->attempts = sqlite3_column_int(st, 3);
		case_store_sql_copy_col(out->message_id, sizeof out->message_id, st, 4);
	}
	case_store_sql_release(cs, st);
	if (rc == SQLITE_ROW)
		return out->message ? 1 : -1;
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "reading the outbox");
}

/* The timeline's "reminder sent" event, the first time a mail is known
 * to be with the MTA (whichever of the sender and the milter learns it
 * first). */
static int reminder_sent_event(struct case_store *cs, long long id, time_t now)
{
	return CASE_SQL_EXEC(cs, "adding a reminder to the timeline",
		"INSERT INTO events (case_id, at, type, source, detail)"
		" SELECT case_id, ?2, 'reminder', 'outbox',"
		"  method || ' ' || uid || ' sent to ' || recipient"
		" FROM outbox WHERE id = ?1 AND sent_at IS NULL AND case_id IS NOT NULL",
		CASE_SQL_INT(id), CASE_SQL_INT(now));
}

int case_store_outbox_done(struct case_store *cs, long long id, int sent, time_t now,
                           time_t next_attempt, const char *error)
{
	if (sent) {
		if (reminder_sent_event(cs, id, now) != 0)
			return -1;
		return CASE_SQL_EXEC(cs, "updating the outbox",
			"UPDATE outbox SET sent_at = coalesce(sent_at, ?2), attempts = attempts + 1,"
			" last_error = NULL WHERE id = ?1",
			CASE_SQL_INT(id), CASE_SQL_INT(now));
	}
	return CASE_SQL_EXEC(cs, "updating the outbox",
		"UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3"
		" WHERE id = ?1",
		CASE_SQL_INT(id), CASE_SQL_INT(next_attempt), CASE_SQL_TEXT(error));
}

int case_store_outbox_lease(struct case_store *cs, long long id, time_t until,
                            const char *claimant)
{
	return CASE_SQL_EXEC(cs, "leasing an outbox mail",
		"UPDATE outbox SET next_attempt_at = ?2, claimed_by = ?3 WHERE id = ?1",
		CASE_SQL_INT(id), CASE_SQL_INT(until), CASE_SQL_TEXT(claimant));
}

int case_store_outbox_claimants(struct case_store *cs,
                                int (*fn)(const char *claimant, void *), void *arg)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT DISTINCT claimed_by FROM outbox"
		" WHERE sent_at IS NULL AND claimed_by IS NOT NULL");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(st, 0);

		if (who && fn(who, arg) != 0) {
			case_store_sql_release(cs, st);
			return -1;
		}
	}
	case_store_sql_release(cs, st);
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "listing outbox claims");
}

int case_store_outbox_release(struct case_store *cs, const char *claimant, time_t due)
{
	if (CASE_SQL_EXEC(cs, "releasing outbox claims",
		"UPDATE outbox SET next_attempt_at = ?2, claimed_by = NULL"
		" WHERE sent_at IS NULL AND claimed_by = ?1",
		CASE_SQL_TEXT(claimant), CASE_SQL_INT(due)) != 0)
		return -1;
	return case_store_sql_changes(cs);
}

int case_store_outbox_echoes_seen(struct case_store *cs)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT EXISTS (SELECT 1 FROM outbox WHERE echoed_at IS NOT NULL)");
	int rc, seen = 0;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		seen = sqlite3_column_int(st, 0) != 0;
	case_store_sql_release(cs, st);
	return rc == SQLITE_ROW ? seen : case_store_sql_fail(cs, "reading the outbox");
}

int case_store_seal_key(struct case_store *cs, char *out, size_t outlen)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, "SELECT value FROM meta WHERE key = 'reminder-seal-key'");
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		case_store_sql_copy_col(out, outlen, st, 0);
	case_store_sql_release(cs, st);
	if (rc != SQLITE_ROW)
		return case_store_sql_fail(cs, "reading the reminder seal key");
	return strlen(out) >= 32 ? 0 : case_store_sql_fail(cs, "reminder seal key too short");
}

int case_store_outbox_seen_by_mta(struct case_store *cs, const char *message_id,
                                  const char *copy, time_t now)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, "SELECT id, echoed_copy FROM outbox WHERE message_id = ?1");
	long long id = 0;
	int rc, same = 0, echoed = 0;

	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, message_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		echoed = sqlite3_column_type(st, 1) != SQLITE_NULL;
		same = echoed && strcmp((const char *)sqlite3_column_text(st, 1), copy) == 0;
	}
	case_store_sql_release(cs, st);
	if (rc == SQLITE_DONE)
		return 0;               /* not one of ours */
	if (rc != SQLITE_ROW)
		return case_store_sql_fail(cs, "looking up a reminder mail");
	if (same)
		return 1;               /* the MTA retrying the copy we let through */
	if (echoed)
		return 2;               /* another copy passed first: a duplicate */
	/* The first copy: it is with the MTA, whether or not the sender has
	 * recorded its submission yet (it may never, if it died). */
	if (reminder_sent_event(cs, id, now) != 0)
		return -1;
	return CASE_SQL_EXEC(cs, "marking a reminder mail sent",
		"UPDATE outbox SET sent_at = coalesce(sent_at, ?2), echoed_at = ?2,"
		" echoed_copy = ?3, last_error = NULL WHERE id = ?1",
		CASE_SQL_INT(id), CASE_SQL_INT(now), CASE_SQL_TEXT(copy)) == 0 ? 1 : -1;
}

int case_store_outbox_invited(struct case_store *cs, long long case_id, const char *uid_prefix,
                              const char *recipient)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT EXISTS (SELECT 1 FROM outbox WHERE case_id = ?1 AND recipient = ?2"
		" AND method = 'REQUEST' AND substr(uid, 1, length(?3)) = ?3)");
	int rc, seen = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	case_store_sql_bind_text(st, 2, recipient);
	case_store_sql_bind_text(st, 3, uid_prefix);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		seen = sqlite3_column_int(st, 0) != 0;
	case_store_sql_release(cs, st);
	return rc == SQLITE_ROW ? seen : case_store_sql_fail(cs, "reading the outbox");
}
