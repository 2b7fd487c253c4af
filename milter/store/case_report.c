/*
 * NAME
 *	case_report.c - the monthly performance indicators from the case
 *	and deadline histories.  See case_report.h.
 *
 * OWNS
 *	The report's SELECTs.  ?1 is the month's start, ?2 its end, ?3 the
 *	earlier of its end and now (deadlines due after ?3 are not yet due).
 *	Every value is bound; statements go through the store's cache.
 */
#include <stdio.h>
#include <string.h>

#include "case_report.h"
#include "case_store_sql.h"

static const char *const fate_names[FATE_COUNT] = {
	[FATE_PENDING] = "pending", [FATE_MET] = "met", [FATE_MISSED] = "missed",
	[FATE_CANCELLED] = "cancelled", [FATE_REACHED] = "reached",
};

const char *case_report_fate_name(enum case_report_fate f)
{
	return f >= 0 && f < FATE_COUNT ? fate_names[f] : "";
}

/* Outcomes that mean the child left the authority's area (the rest are
 * "in borough"); a duplicate is never counted at all (case_store_sql.h). */
#define LEFT_AREA "('moved-out-of-area', 'moved-abroad')"
#define NOT_DUPLICATE(c) CASE_SQL_NOT_DUPLICATE(c)

/* The cases known by the month's end, with their status and outcome at
 * the end, the time of their last closing before it, and their status
 * at the start (NULL: opened in the month). */
#define MONTH_CASES \
	"WITH mc AS (SELECT c.id, c.ref, c.opened_at, c.officer," \
	" (SELECT h.status FROM case_history h WHERE h.case_id = c.id AND h.at < ?2" \
	"   ORDER BY h.id DESC LIMIT 1) AS end_status," \
	" (SELECT h.outcome FROM case_history h WHERE h.case_id = c.id AND h.at < ?2" \
	"   ORDER BY h.id DESC LIMIT 1) AS end_outcome," \
	" (SELECT h.status FROM case_history h WHERE h.case_id = c.id AND h.at < ?1" \
	"   ORDER BY h.id DESC LIMIT 1) AS start_status," \
	" (SELECT max(h.at) FROM case_history h WHERE h.case_id = c.id AND h.at < ?2" \
	"   AND h.status = 'closed' AND coalesce((SELECT p.status FROM case_history p" \
	"   WHERE p.case_id = c.id AND p.id < h.id ORDER BY p.id DESC LIMIT 1), '') <> 'closed')" \
	"   AS closed_at," \
	" (SELECT count(*) FROM case_history h WHERE h.case_id = c.id AND h.at >= ?1" \
	"   AND h.at < ?2) AS changes," \
	" (SELECT d.due FROM deadline_history d WHERE d.case_id = c.id" \
	"   AND d.kind = 'long-term-review' AND d.at < ?2 ORDER BY d.id DESC LIMIT 1) AS lt_due" \
	" FROM cases c WHERE c.opened_at < ?2 AND ?3 >= 0 AND " NOT_DUPLICATE("c") ")"

/* An instance i (case_id, kind, due, first_id) was met on time / was not
 * needed: cancelled or given another due time before it fell due (and
 * before ?2: what happens after the month does not reach back).  An
 * immediate step is due the moment the referral arrives, so nothing
 * could be on time by that measure: it is met when done within
 * IMMEDIATE_GRACE_S of arrival (the shipped policies' immediate_action
 * says "today"; README, "Decisions where the spec is silent"). */
#define IMMEDIATE_GRACE_S "86400"
#define MET_ON_TIME(i) \
	"EXISTS (SELECT 1 FROM deadline_history m WHERE m.case_id = " i ".case_id" \
	" AND m.kind = " i ".kind AND m.due = " i ".due AND m.status = 'met'" \
	" AND coalesce(m.done_at, m.at) <= m.due +" \
	" CASE m.kind WHEN 'immediate' THEN " IMMEDIATE_GRACE_S " ELSE 0 END)"
#define NOT_NEEDED(i) \
	"EXISTS (SELECT 1 FROM deadline_history r WHERE r.case_id = " i ".case_id" \
	" AND r.kind = " i ".kind AND r.id > " i ".first_id AND r.at < " i ".due AND r.at < ?2" \
	" AND (r.due <> " i ".due OR r.status = 'cancelled'))"

static sqlite3_stmt *prepare3(struct case_store *cs, const char *sql, time_t from, time_t to,
                              time_t until)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, sql);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)until);
	return st;
}

/* The case figures (opened .. long-term).  0 or -1. */
static int case_figures(struct case_store *cs, time_t from, time_t to, time_t until,
                        struct case_report *out)
{
	sqlite3_stmt *st = prepare3(cs, MONTH_CASES
		" SELECT coalesce(sum(opened_at >= ?1), 0),"
		" coalesce(sum(end_status = 'closed' AND closed_at >= ?1), 0),"
		" coalesce(sum(end_status = 'closed' AND closed_at >= ?1 AND end_outcome IN " LEFT_AREA
		"), 0),"
		" coalesce(sum(coalesce(end_status, 'open') <> 'closed'), 0),"
		" coalesce(sum(coalesce(end_status, 'open') <> 'closed' AND lt_due < ?2), 0)"
		" FROM mc", from, to, until);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->opened = sqlite3_column_int64(st, 0);
		out->closed = sqlite3_column_int64(st, 1);
		out->closed_left_area = sqlite3_column_int64(st, 2);
		out->open_at_end = sqlite3_column_int64(st, 3);
		out->long_term = sqlite3_column_int64(st, 4);
	}
	case_store_sql_release(cs, st);
	if (rc != SQLITE_ROW)
		return case_store_sql_fail(cs, "computing the report");
	out->closed_in_borough = out->closed - out->closed_left_area;
	st = prepare3(cs, MONTH_CASES " SELECT end_outcome, count(*) FROM mc"
	              " WHERE end_status = 'closed' AND closed_at >= ?1"
	              " GROUP BY end_outcome ORDER BY end_outcome", from, to, until);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       out->n_outcomes < sizeof out->outcomes / sizeof out->outcomes[0]) {
		case_store_sql_copy_col(out->outcomes[out->n_outcomes].outcome,
		                        sizeof out->outcomes[0].outcome, st, 0);
		out->outcomes[out->n_outcomes].count = sqlite3_column_int64(st, 1);
		out->n_outcomes++;
	}
	case_store_sql_release(cs, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	       case_store_sql_fail(cs, "computing the report");
}

/* The deadline figures: the instances falling due in [?1, ?3), by kind.
 * 0 or -1. */
static int deadline_figures(struct case_store *cs, time_t from, time_t to, time_t until,
                            struct case_report *out)
{
	sqlite3_stmt *st = prepare3(cs,
		"WITH i AS (SELECT d.case_id, d.kind, d.due, min(d.id) AS first_id"
		" FROM deadline_history d JOIN cases c ON c.id = d.case_id"
		" WHERE d.kind <> 'long-term-review' AND d.due >= ?1 AND d.due < ?3"
		" AND " NOT_DUPLICATE("c") " GROUP BY d.case_id, d.kind, d.due),"
		" f AS (SELECT kind, " MET_ON_TIME("i") " AS met, " NOT_NEEDED("i") " AS not_needed"
		" FROM i)"
		" SELECT kind, coalesce(sum(met OR NOT not_needed), 0), coalesce(sum(met), 0) FROM f"
		" GROUP BY kind", from, to, until);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(st, 0);
		long long due = sqlite3_column_int64(st, 1), met = sqlite3_column_int64(st, 2);

		/* a kind this build does not name still counts in the totals */
		for (int k = 0; name != NULL && k < DL_KIND_COUNT; k++)
			if (strcmp((const char *)name, deadline_kind_name((enum deadline_kind)k)) == 0) {
				out->by_kind[k].due = due;
				out->by_kind[k].met = met;
				out->by_kind[k].missed = due - met;
			}
		out->deadlines_due += due;
		out->deadlines_met += met;
	}
	out->deadlines_missed = out->deadlines_due - out->deadlines_met;
	case_store_sql_release(cs, st);
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "computing the report");
}

int case_report_month(struct case_store *cs, time_t from, time_t to, time_t now,
                      struct case_report *out)
{
	time_t until = now < to ? now : to;

	memset(out, 0, sizeof *out);
	if (case_figures(cs, from, to, until, out) != 0 ||
	    deadline_figures(cs, from, to, until, out) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* One row per case.                                                    */

/* The fate of the case's deadline of `kind` in force at the month's
 * end (the last one set before it).  0 or -1. */
static int deadline_fate(struct case_store *cs, long long case_id, enum deadline_kind kind,
                         time_t from, time_t to, time_t until, time_t *due,
                         enum case_report_fate *fate)
{
	sqlite3_stmt *st = prepare3(cs,
		"WITH i AS (SELECT d.case_id, d.kind, d.due, (SELECT min(f.id) FROM deadline_history f"
		"  WHERE f.case_id = d.case_id AND f.kind = d.kind AND f.due = d.due) AS first_id"
		" FROM deadline_history d WHERE d.case_id = ?4 AND d.kind = ?5 AND d.at < ?2"
		" ORDER BY d.id DESC LIMIT 1)"
		" SELECT due, " MET_ON_TIME("i") ", " NOT_NEEDED("i") " FROM i", from, to, until);
	int rc;

	*fate = FATE_NONE;
	*due = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 4, case_id);
	case_store_sql_bind_text(st, 5, deadline_kind_name(kind));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*due = (time_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_int(st, 1))
			*fate = FATE_MET;
		else if (sqlite3_column_int(st, 2))
			*fate = FATE_CANCELLED;
		else if (*due >= until)
			*fate = FATE_PENDING;
		else
			*fate = kind == DL_KIND_LONG_TERM_REVIEW ? FATE_REACHED : FATE_MISSED;
	}
	case_store_sql_release(cs, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	       case_store_sql_fail(cs, "reading a case's deadlines");
}

static const char *col_or_empty(sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	return v ? (const char *)v : "";
}

int case_report_each_case(struct case_store *cs, time_t from, time_t to, time_t now,
                          int (*fn)(const struct case_report_row *, void *), void *arg)
{
	time_t until = now < to ? now : to;
	/* every case open at some time in the month: not closed all of it */
	sqlite3_stmt *st = prepare3(cs, MONTH_CASES
		" SELECT mc.id, mc.ref, mc.opened_at, mc.officer, ch.school, ch.reason,"
		" coalesce(mc.end_status, 'open'), CASE WHEN mc.end_status = 'closed'"
		" THEN mc.end_outcome END, CASE WHEN mc.end_status = 'closed' THEN mc.closed_at END,"
		" mc.lt_due < ?2 FROM mc LEFT JOIN children ch ON ch.case_id = mc.id"
		" WHERE NOT (coalesce(mc.start_status, '') = 'closed' AND mc.end_status = 'closed'"
		"   AND mc.changes = 0) ORDER BY mc.id", from, to, until);
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct case_report_row row;

		memset(&row, 0, sizeof row);
		row.ref = col_or_empty(st, 1);
		row.opened_at = (time_t)sqlite3_column_int64(st, 2);
		row.officer = col_or_empty(st, 3);
		row.school = col_or_empty(st, 4);
		row.reason = col_or_empty(st, 5);
		row.status = col_or_empty(st, 6);
		/* long-term by the month's end, whenever the sweep wrote it */
		if (strcmp(row.status, "closed") != 0 && sqlite3_column_int(st, 9))
			row.status = case_status_name(CASE_LONG_TERM);
		row.outcome = col_or_empty(st, 7);
		row.closed_at = (time_t)sqlite3_column_int64(st, 8);
		for (int k = 0; k < DL_KIND_COUNT && !stop; k++)
			if (deadline_fate(cs, sqlite3_column_int64(st, 0), (enum deadline_kind)k, from, to,
			                  until, &row.deadline[k].due, &row.deadline[k].fate) != 0)
				stop = -1;
		if (!stop && fn(&row, arg) != 0)
			stop = 1;
	}
	case_store_sql_release(cs, st);
	if (stop < 0)
		return -1;
	return stop || rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "listing the month's cases");
}
