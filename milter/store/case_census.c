/*
 * NAME
 *	case_census.c - the children missing education at a census instant,
 *	from the case history.  See case_census.h.
 *
 * OWNS
 *	The census SELECT.  ?1 is the census instant; it is bound, and the
 *	statement goes through the store's cache.
 */
#include <string.h>

#include "case_census.h"
#include "case_store_sql.h"

/* The status at ?1 is the last case_history row before it (none: the
 * case had no history then, as a legacy row: open).  A reopening is a
 * row not closed whose previous row is closed. */
static const char CENSUS_SQL[] =
	"SELECT ref, gender, dob, year_group, reason, opened_at, coalesce(reopened_at, opened_at)"
	" FROM (SELECT c.id, c.ref, ch.gender, ch.dob, ch.year_group, ch.reason, c.opened_at,"
	"  (SELECT h.status FROM case_history h WHERE h.case_id = c.id AND h.at < ?1"
	"   ORDER BY h.id DESC LIMIT 1) AS census_status,"
	"  (SELECT max(h.at) FROM case_history h WHERE h.case_id = c.id AND h.at < ?1"
	"   AND h.status <> 'closed' AND (SELECT p.status FROM case_history p"
	"   WHERE p.case_id = c.id AND p.id < h.id ORDER BY p.id DESC LIMIT 1) = 'closed')"
	"   AS reopened_at"
	"  FROM cases c LEFT JOIN children ch ON ch.case_id = c.id"
	"  WHERE c.opened_at < ?1 AND " CASE_SQL_NOT_DUPLICATE("c") ")"
	" WHERE coalesce(census_status, 'open') IN ('open', 'visited', 'long-term')"
	" ORDER BY id";

static const char *text_or_empty(sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	return v ? (const char *)v : "";
}

int case_census_each(struct case_store *cs, time_t at,
                     int (*fn)(const struct case_census_row *, void *), void *arg)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, CENSUS_SQL);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)at);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct case_census_row row;

		memset(&row, 0, sizeof row);
		row.ref = text_or_empty(st, 0);
		row.gender = text_or_empty(st, 1);
		row.dob = text_or_empty(st, 2);
		row.year_group = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		                 sqlite3_column_int(st, 3);
		row.reason = text_or_empty(st, 4);
		row.opened_at = (time_t)sqlite3_column_int64(st, 5);
		row.missing_since = (time_t)sqlite3_column_int64(st, 6);
		if (fn(&row, arg) != 0)
			stop = 1;
	}
	case_store_sql_release(cs, st);
	return stop || rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "listing the census's children");
}
