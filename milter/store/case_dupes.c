/*
 * NAME
 *	case_dupes.c - possible duplicates: a new case that resembles a
 *	case already open (SPEC 5.1), flagged on both for an officer to
 *	merge.  See case_store.h.
 *
 * OWNS
 *	What "resembles" means, the possible_duplicates table and the
 *	timeline lines that say so.  Matching proper (one child, one
 *	case) is case_store_match_child's; a child that matched never
 *	reaches here.
 *
 *	Resembles: the same date of birth and a similar name - the same
 *	folded surname and forenames that agree in their first three
 *	letters or differ by one or two letters or one starts the other
 *	("Elliemae"/"Ellie", "Jayden"/"Jaden"); the same forename and
 *	surnames that differ by one or two letters or one holds the other
 *	(a double-barrelled name); or forename and surname swapped
 *	("SMITH John" read as forename Smith).  Twins share a date of
 *	birth and a surname but not a forename's first letters: "Tyler"
 *	and "Grace" Evans are two children, not a duplicate.  Also the
 *	same UPN under another name, whether or not its check letter is
 *	valid (a valid one joins the case in matching, an invalid one
 *	does not).
 *
 *	Never a duplicate: a case the same message named.  A referrer who
 *	lists two children means two children ("Jaden" and "Jayden",
 *	twins); pipeline.c links them as siblings instead.  This also
 *	bounds a message of a thousand look-alike children (tests/
 *	hostile.sh): flagging each against the 64 before it wrote 128,000
 *	timeline lines and took 11 s under ASan.
 *
 * RETURN CONVENTIONS
 *	0 / -1 (error in case_store_errmsg); case_dupes_json: malloc'd
 *	text or NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "case_store_sql.h"
#include "strbuf.h"

#define MAX_CANDIDATES 64   /* open cases with one date of birth considered */
/* Each arm of candidates()' UNION is an index lookup (children_dob,
 * partial on the children of cases not closed, and children_upn): the
 * cost of a new case does not grow with the LA's history (an OR of the
 * two had SQLite scan every case). */
#define FOLD_MAX       128

/* Levenshtein distance of two short folded names, capped at 3. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int prev[FOLD_MAX + 1], cur[FOLD_MAX + 1];

	if (la > FOLD_MAX || lb > FOLD_MAX)
		return 3;
	if ((la > lb ? la - lb : lb - la) >= 3)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof prev[0] * (lb + 1));
	}
	return prev[lb] > 3 ? 3 : prev[lb];
}

static int starts(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la && lb && strncmp(a, b, la < lb ? la : lb) == 0;
}

static int close_names(const char *a, const char *b)
{
	return *a && *b && (distance(a, b) <= 2 || starts(a, b));
}

/* Fold s into out[FOLD_MAX + 1] ("" if NULL).  0 or -1 (out of memory). */
static int fold(const char *s, char *out)
{
	struct strbuf sb;

	out[0] = '\0';
	if (s == NULL)
		return 0;
	strbuf_init(&sb, FOLD_MAX);
	if (case_store_fold_name(s, &sb) != 0) {
		strbuf_free(&sb);
		return -1;
	}
	snprintf(out, FOLD_MAX + 1, "%.*s", (int)sb.len, sb.len ? sb.data : "");
	strbuf_free(&sb);
	return 0;
}

/* Why two children of one date of birth may be one child, or NULL. */
static const char *resemblance(const char *fa, const char *sa, const char *fb, const char *sb)
{
	if (*sa && strcmp(sa, sb) == 0 && close_names(fa, fb) &&
	    strncmp(fa, fb, 3) == 0)
		return "same date of birth, same surname, similar forename";
	if (*sa && strcmp(sa, sb) == 0 && *fa && *fb && distance(fa, fb) <= 1)
		return "same date of birth, same surname, similar forename";
	if (*fa && strcmp(fa, fb) == 0 &&
	    (close_names(sa, sb) || (*sa && *sb && (strstr(sa, sb) || strstr(sb, sa)))))
		return "same date of birth, same forename, similar surname";
	if (*fa && *sa && strcmp(fa, sb) == 0 && strcmp(sa, fb) == 0)
		return "same date of birth, forename and surname swapped";
	return NULL;
}

static int flag_pair(struct case_store *cs, long long a, const char *ref_a, long long b,
                     const char *ref_b, const char *why, time_t now)
{
	char detail[256];

	if (CASE_SQL_EXEC(cs, "recording a possible duplicate",
		"INSERT OR IGNORE INTO possible_duplicates (case_id, other_id, why, at) "
		"VALUES (?1, ?2, ?3, ?4)",
		CASE_SQL_INT(a), CASE_SQL_INT(b), CASE_SQL_TEXT(why), CASE_SQL_INT(now)) != 0)
		return -1;
	snprintf(detail, sizeof detail, "possible duplicate of %s (%s): merge with cmectl merge, "
	         "or a 'Merge: %s' line", ref_b, why, ref_b);
	if (case_store_add_event(cs, a, now, "duplicate", "cme-milter", detail) != 0)
		return -1;
	snprintf(detail, sizeof detail, "possible duplicate of %s (%s): merge with cmectl merge, "
	         "or a 'Merge: %s' line", ref_a, why, ref_a);
	return case_store_add_event(cs, b, now, "duplicate", "cme-milter", detail);
}

struct candidate {
	long long id;
	char ref[32], forename[FOLD_MAX + 1], surname[FOLD_MAX + 1], upn[16];
};

/* Open cases of children with this date of birth or this UPN, opened
 * before `below` (the case itself, or the first case its message
 * opened: case ids rise, and one writer opens them).  Returns how many
 * (at most MAX_CANDIDATES), -1. */
static int candidates(struct case_store *cs, long long below, const struct cme_child *c,
                      struct candidate *out)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT c.id, c.ref, ch.forename, ch.surname, ch.upn FROM children ch "
		"JOIN cases c ON c.id = ch.case_id WHERE ch.dob = ?2 AND ch.case_open = 1 "
		"AND c.id < ?1 AND c.status <> 'closed' "
		"UNION "
		"SELECT c.id, c.ref, ch.forename, ch.surname, ch.upn FROM children ch "
		"JOIN cases c ON c.id = ch.case_id WHERE ch.upn = ?3 "
		"AND c.id < ?1 AND c.status <> 'closed' "
		"ORDER BY 1 DESC LIMIT ?4");
	int n = 0, rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, below);
	case_store_sql_bind_text(st, 2, c->dob);
	case_store_sql_bind_text(st, 3, c->upn);
	sqlite3_bind_int(st, 4, MAX_CANDIDATES);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < MAX_CANDIDATES) {
		struct candidate *k = &out[n];

		k->id = sqlite3_column_int64(st, 0);
		case_store_sql_copy_col(k->ref, sizeof k->ref, st, 1);
		case_store_sql_copy_col(k->upn, sizeof k->upn, st, 4);
		if (fold((const char *)sqlite3_column_text(st, 2), k->forename) != 0 ||
		    fold((const char *)sqlite3_column_text(st, 3), k->surname) != 0) {
			case_store_sql_release(cs, st);
			return case_store_sql_oom(cs, "finding possible duplicates");
		}
		n++;
	}
	case_store_sql_release(cs, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return case_store_sql_fail(cs, "finding possible duplicates");
	return n;
}

static int named(long long id, const long long *same, size_t n_same)
{
	for (size_t i = 0; i < n_same; i++)
		if (same[i] == id)
			return 1;
	return 0;
}

int case_store_flag_possible_duplicates(struct case_store *cs, long long case_id,
                                        const char *ref, const struct cme_child *c,
                                        time_t now, long long opened_from,
                                        const long long *same, size_t n_same)
{
	/* on the stack (~20 KB): a heap block this size made malloc
	 * consolidate its free lists on every new case */
	struct candidate k[MAX_CANDIDATES];
	char fa[FOLD_MAX + 1], sa[FOLD_MAX + 1];
	int n, rc = 0;

	if (c == NULL || (c->dob == NULL && c->upn == NULL))
		return 0;
	if (fold(c->forename, fa) != 0 || fold(c->surname, sa) != 0)
		return case_store_sql_oom(cs, "finding possible duplicates");
	/* first forename, as matching takes it */
	fa[strcspn(fa, " ")] = '\0';
	if ((n = candidates(cs, opened_from > 0 && opened_from < case_id ? opened_from : case_id,
	                   c, k)) < 0)
		return -1;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *why = NULL;

		if (named(k[i].id, same, n_same))
			continue;
		if (c->upn && *k[i].upn && strcmp(c->upn, k[i].upn) == 0)
			why = "same UPN, another name";
		else if (c->dob)
			why = resemblance(fa, sa, k[i].forename, k[i].surname);
		if (why)
			rc = flag_pair(cs, case_id, ref, k[i].id, k[i].ref, why, now);
	}
	return rc;
}

char *case_store_possible_duplicates_json(struct case_store *cs)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT a.ref, b.ref, p.why, p.at FROM possible_duplicates p "
		"JOIN cases a ON a.id = p.case_id JOIN cases b ON b.id = p.other_id "
		"WHERE a.status <> 'closed' AND b.status <> 'closed' ORDER BY p.at, a.id");
	json_object *arr;
	char *text = NULL;
	int rc;

	if (st == NULL || (arr = json_object_new_array()) == NULL) {
		if (st)
			case_store_sql_release(cs, st);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "ref",
		                       json_object_new_string((const char *)sqlite3_column_text(st, 0)));
		json_object_object_add(o, "possible_duplicate_of",
		                       json_object_new_string((const char *)sqlite3_column_text(st, 1)));
		json_object_object_add(o, "why",
		                       json_object_new_string((const char *)sqlite3_column_text(st, 2)));
		json_object_array_add(arr, o);
	}
	case_store_sql_release(cs, st);
	if (rc == SQLITE_DONE) {
		const char *t = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
		                                               JSON_C_TO_STRING_NOSLASHESCAPE);

		text = t ? strdup(t) : NULL;
	} else {
		(void)case_store_sql_fail(cs, "listing possible duplicates");
	}
	json_object_put(arr);
	return text;
}
