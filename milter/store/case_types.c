/*
 * case_types.c - the name tables of case_types.h.
 *
 * One table per vocabulary, indexed by the enum; the strings are the
 * text the database stores, so changing one is a schema migration.
 */
#include <stddef.h>
#include <string.h>

#include "case_types.h"

static const char *const case_status_names[CASE_STATUS_COUNT] = {
	[CASE_OPEN] = "open", [CASE_VISITED] = "visited", [CASE_CLOSED] = "closed",
	[CASE_LONG_TERM] = "long-term", [CASE_TRIAGE] = "triage",
};

static const char *const deadline_kind_names[DL_KIND_COUNT] = {
	[DL_KIND_HOME_VISIT] = "home-visit", [DL_KIND_ESCALATION] = "escalation",
	[DL_KIND_LONG_TERM_REVIEW] = "long-term-review", [DL_KIND_IMMEDIATE] = "immediate",
};

static const char *const deadline_status_names[DL_STATUS_COUNT] = {
	[DL_PENDING] = "pending", [DL_MET] = "met", [DL_CANCELLED] = "cancelled",
	[DL_FIRED] = "fired", [DL_MISSED] = "missed",
};

static const char *const case_action_names[ACTION_COUNT] = {
	[ACTION_OPENED] = "opened", [ACTION_UPDATED] = "updated", [ACTION_CLOSED] = "closed",
	[ACTION_UNVERIFIED] = "unverified", [ACTION_DUPLICATE] = "duplicate",
	[ACTION_IGNORED] = "ignored", [ACTION_TRIAGE] = "triage",
};

/* The table's name for v, or NULL outside [0, n). */
static const char *name_of(const char *const *names, int n, int v)
{
	return v >= 0 && v < n ? names[v] : NULL;
}

/* The index of s in the table, or -1. */
static int index_of(const char *const *names, int n, const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

#define TABLE(type, prefix, names, count) \
	const char *prefix##_name(enum type v) \
	{ \
		return name_of(names, count, (int)v); \
	} \
	enum type prefix##_from_name(const char *s) \
	{ \
		return (enum type)index_of(names, count, s); \
	}

TABLE(case_status, case_status, case_status_names, CASE_STATUS_COUNT)
TABLE(deadline_kind, deadline_kind, deadline_kind_names, DL_KIND_COUNT)
TABLE(deadline_status, deadline_status, deadline_status_names, DL_STATUS_COUNT)
TABLE(case_action, case_action, case_action_names, ACTION_COUNT)
