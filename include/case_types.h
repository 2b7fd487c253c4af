/*
 * NAME
 *	case_types.h - the store's vocabularies: case status, deadline kind,
 *	deadline status and message action, each with one name table.
 *
 * PURPOSE
 *	The database stores these as text (the schema does not change);
 *	C code compares enums.  Every conversion goes through the tables in
 *	case_types.c, so the store's bound parameters, the JSON views and
 *	cmectl's options spell each value one way:
 *
 *	    if (deadline_status_from_name(row->status) == DL_PENDING) ...
 *	    bind_text(st, 2, case_status_name(CASE_TRIAGE));
 *
 * OWNS
 *	The names, as stored: open visited closed long-term triage;
 *	home-visit escalation long-term-review immediate; pending met
 *	cancelled fired missed; opened updated closed unverified duplicate ignored
 *	triage.
 *
 * RETURN CONVENTIONS
 *	*_name(v): the stored text, or NULL for a value outside the enum.
 *	*_from_name(s): the value, or the enum's *_NONE (-1) for NULL or a
 *	name not in the table (exact, case-sensitive: stored text).
 *
 * CONCURRENCY
 *	Constant tables; any thread.
 */
#ifndef CME_CASE_TYPES_H
#define CME_CASE_TYPES_H

enum case_status {
	CASE_STATUS_NONE = -1,
	CASE_OPEN, CASE_VISITED, CASE_CLOSED, CASE_LONG_TERM, CASE_TRIAGE,
	CASE_STATUS_COUNT
};

enum deadline_kind {
	DL_KIND_NONE = -1,
	DL_KIND_HOME_VISIT, DL_KIND_ESCALATION, DL_KIND_LONG_TERM_REVIEW, DL_KIND_IMMEDIATE,
	DL_KIND_COUNT
};

/* fired: a long-term review whose case went long-term (it leaves the
 * feed without being met); missed: a home visit or escalation whose due
 * time passed while pending (reported once to the EscalationContact and
 * counted missed by the report; it stays missed). */
enum deadline_status {
	DL_STATUS_NONE = -1,
	DL_PENDING, DL_MET, DL_CANCELLED, DL_FIRED, DL_MISSED,
	DL_STATUS_COUNT
};

/* What one message did (messages.action; pipeline_result.action). */
enum case_action {
	ACTION_NONE = -1,
	ACTION_OPENED, ACTION_UPDATED, ACTION_CLOSED, ACTION_UNVERIFIED,
	ACTION_DUPLICATE, ACTION_IGNORED, ACTION_TRIAGE,
	ACTION_COUNT
};

const char *case_status_name(enum case_status v);
enum case_status case_status_from_name(const char *s);

const char *deadline_kind_name(enum deadline_kind v);
enum deadline_kind deadline_kind_from_name(const char *s);

const char *deadline_status_name(enum deadline_status v);
enum deadline_status deadline_status_from_name(const char *s);

const char *case_action_name(enum case_action v);
enum case_action case_action_from_name(const char *s);

#endif
