/*
 * case_duty.c - the daily work's reads and its once-only record.  See
 * case_duty.h.
 */
#include <sqlite3.h>

#include "case_duty.h"
#include "case_store_sql.h"

int case_store_once(struct case_store *cs, const char *key, time_t now)
{
	if (CASE_SQL_EXEC(cs, "recording the daily work",
		"INSERT OR IGNORE INTO duty_sent (key, at) VALUES (?1, ?2)",
		CASE_SQL_TEXT(key), CASE_SQL_INT(now)) != 0)
		return -1;
	return case_store_sql_changes(cs) > 0 ? 1 : 0;
}

int case_store_each_overdue_pending(struct case_store *cs, time_t now,
                                    int (*fn)(const struct deadline_row *, void *),
                                    void *arg)
{
	/* deadlines_due (kind, status, due) serves each kind's range */
	sqlite3_stmt *st = case_store_sql_prepare(cs, DEADLINE_ROW_SQL
		" WHERE d.kind IN ('home-visit', 'escalation') AND d.status = 'pending'"
		" AND d.due < ?1 AND c.status IN ('open', 'visited', 'triage')"
		" ORDER BY d.due, c.ref, d.kind LIMIT 256");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	return case_store_sql_each_deadline(cs, st, fn, arg);
}

int case_store_each_live_deadline(struct case_store *cs, const char *officer,
                                  int (*fn)(const struct deadline_row *, void *),
                                  void *arg)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, DEADLINE_ROW_SQL
		" WHERE (?1 IS NULL OR c.officer = ?1) AND d.status IN ('pending', 'missed')"
		" AND c.status IN ('open', 'visited', 'triage')"
		" AND NOT (d.kind = 'home-visit' AND c.status = 'visited')"
		" ORDER BY c.officer, d.due, c.ref, d.kind");

	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, officer);
	return case_store_sql_each_deadline(cs, st, fn, arg);
}

int case_store_each_triage(struct case_store *cs, const char *officer,
                           int (*fn)(const char *ref, time_t opened_at, void *), void *arg)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT ref, opened_at FROM cases WHERE status = 'triage'"
		" AND (?1 IS NULL OR officer = ?1) ORDER BY opened_at, ref");
	int rc;

	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, officer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(st, 0),
		       (time_t)sqlite3_column_int64(st, 1), arg) != 0)
			break;
	case_store_sql_release(cs, st);
	if (rc == SQLITE_ROW)
		return -1;
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "listing triage cases");
}
