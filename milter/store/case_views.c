/*
 * NAME
 *	case_views.c - the read side of the case store.  See case_views.h.
 *
 * OWNS
 *	The views' SELECTs and the JSON they make.  Statements go through
 *	the store's cache (case_store_sql.h); every value is bound.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "case_links.h"
#include "case_store_sql.h"
#include "case_views.h"
#include "strbuf.h"
#include "strlist.h"

/* ------------------------------------------------------------------ */
/* JSON views for cmectl cases / show.                                  */

static void iso_utc(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void put_col_str(json_object *o, const char *key, sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	if (v && *v)
		json_object_object_add(o, key, json_object_new_string((const char *)v));
}

static void put_col_int(json_object *o, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		json_object_object_add(o, key, json_object_new_int(sqlite3_column_int(st, col)));
}

static void put_col_time(json_object *o, const char *key, sqlite3_stmt *st, int col)
{
	char buf[32];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	iso_utc((time_t)sqlite3_column_int64(st, col), buf);
	json_object_object_add(o, key, json_object_new_string(buf));
}

/* A JSON array of one object per row of `sql` (?1 the case id), with
 * the keys of `keys` for its columns, in order. */
struct json_col {
	const char *key;
	void (*put)(json_object *, const char *, sqlite3_stmt *, int);
};

static json_object *rows_json(struct case_store *cs, const char *sql, long long case_id,
                              const struct json_col *keys, int nkeys)
{
	json_object *a = json_object_new_array();
	sqlite3_stmt *st = case_store_sql_prepare(cs, sql);

	if (st == NULL)
		return a;
	sqlite3_bind_int64(st, 1, case_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *o = json_object_new_object();

		for (int i = 0; i < nkeys; i++)
			keys[i].put(o, keys[i].key, st, i);
		json_object_array_add(a, o);
	}
	case_store_sql_release(cs, st);
	return a;
}

static json_object *deadlines_json(struct case_store *cs, long long case_id)
{
	static const struct json_col keys[] = {
		{ "kind", put_col_str }, { "due", put_col_time }, { "status", put_col_str },
		{ "sequence", put_col_int },
	};

	return rows_json(cs, "SELECT kind, due, status, sequence FROM deadlines WHERE case_id = ?1"
	                 " ORDER BY due, kind", case_id, keys, 4);
}

#define CASE_JSON_COLUMNS \
	"c.id, c.ref, c.status, c.outcome, c.opened_at, c.closed_at, c.officer," \
	" c.referrer_name, c.referrer_email, c.referrer_org, c.flags, c.immediate, c.verified," \
	" c.sibling_group, c.problems, ch.forename, ch.surname, ch.dob, ch.gender, ch.upn," \
	" ch.upn_valid, ch.year_group, ch.address, ch.postcode, ch.school, ch.last_attended," \
	" ch.reason, ch.new_school"

#define CASE_BY_REF_SQL \
	"SELECT " CASE_JSON_COLUMNS " FROM cases c LEFT JOIN children ch ON ch.case_id = c.id" \
	" WHERE c.ref = upper(?1)"
#define EVENTS_SQL \
	"SELECT at, type, source, detail FROM events WHERE case_id = ?1 ORDER BY at, id"

static json_object *case_row_json(struct case_store *cs, sqlite3_stmt *st)
{
	json_object *o = json_object_new_object(), *flags = json_object_new_array();
	const unsigned char *fl = sqlite3_column_text(st, 10);
	long long id = sqlite3_column_int64(st, 0);

	put_col_str(o, "ref", st, 1);
	put_col_str(o, "status", st, 2);
	put_col_str(o, "outcome", st, 3);
	put_col_time(o, "opened_at", st, 4);
	put_col_time(o, "closed_at", st, 5);
	put_col_str(o, "officer", st, 6);
	put_col_str(o, "forename", st, 15);
	put_col_str(o, "surname", st, 16);
	put_col_str(o, "dob", st, 17);
	put_col_str(o, "gender", st, 18);
	put_col_str(o, "upn", st, 19);
	if (sqlite3_column_type(st, 20) != SQLITE_NULL)
		json_object_object_add(o, "upn_valid",
		                       json_object_new_boolean(sqlite3_column_int(st, 20)));
	put_col_int(o, "year_group", st, 21);
	put_col_str(o, "address", st, 22);
	put_col_str(o, "postcode", st, 23);
	put_col_str(o, "school", st, 24);
	put_col_str(o, "last_attended", st, 25);
	put_col_str(o, "reason", st, 26);
	put_col_str(o, "new_school", st, 27);
	{
		json_object *ref = json_object_new_object();

		put_col_str(ref, "name", st, 7);
		put_col_str(ref, "email", st, 8);
		put_col_str(ref, "organisation", st, 9);
		json_object_object_add(o, "referrer", ref);
	}
	if (fl && *fl) {
		char *copy = strdup((const char *)fl), *save = NULL;

		for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t;
		     t = strtok_r(NULL, " ", &save))
			json_object_array_add(flags, json_object_new_string(t));
		free(copy);
	}
	json_object_object_add(o, "flags", flags);
	json_object_object_add(o, "immediate", json_object_new_boolean(sqlite3_column_int(st, 11)));
	json_object_object_add(o, "verified", json_object_new_boolean(sqlite3_column_int(st, 12)));
	if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
		json_object *sibs = json_object_new_array();
		sqlite3_stmt *s2 = case_store_sql_prepare(cs,
			"SELECT ref FROM cases WHERE sibling_group = ?1 AND id <> ?2 ORDER BY id");

		if (s2) {
			sqlite3_bind_int64(s2, 1, sqlite3_column_int64(st, 13));
			sqlite3_bind_int64(s2, 2, id);
			while (sqlite3_step(s2) == SQLITE_ROW)
				json_object_array_add(sibs, json_object_new_string(
					(const char *)sqlite3_column_text(s2, 0)));
			case_store_sql_release(cs, s2);
		}
		json_object_object_add(o, "siblings", sibs);
	}
	if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
		json_object *pa = json_object_new_array();
		char *copy = strdup((const char *)sqlite3_column_text(st, 14)), *save = NULL;

		for (char *t = copy ? strtok_r(copy, "\n", &save) : NULL; t;
		     t = strtok_r(NULL, "\n", &save))
			json_object_array_add(pa, json_object_new_string(t));
		free(copy);
		json_object_object_add(o, "problems", pa);
	}
	case_links_json(cs, id, o);
	json_object_object_add(o, "deadlines", deadlines_json(cs, id));
	return o;
}

static char *to_text(json_object *o)
{
	char *text = strdup(json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return text;
}

char *case_views_cases_json(struct case_store *cs, const struct case_filter *f)
{
	/* "open" means every case still being worked: open, visited,
	 * triage and long-term.  ?1 is a stored status name (case_types.h)
	 * or "all". */
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT " CASE_JSON_COLUMNS " FROM cases c LEFT JOIN children ch ON ch.case_id = c.id"
		" WHERE (?1 = 'all' OR (?1 = 'open' AND c.status <> 'closed') OR c.status = ?1)"
		" AND (?2 IS NULL OR c.officer = ?2)"
		" AND (?3 IS NULL OR instr(lower(ch.school), lower(?3)) > 0)"
		" AND (?4 = 0 OR EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = c.id"
		"      AND d.status = 'pending' AND d.due < ?5))"
		" ORDER BY c.id");
	json_object *a;
	int rc;

	if (st == NULL)
		return NULL;
	case_store_sql_bind_text(st, 1, f->all ? "all" : case_status_name(f->status));
	case_store_sql_bind_text(st, 2, f->officer);
	case_store_sql_bind_text(st, 3, f->school);
	sqlite3_bind_int(st, 4, f->overdue);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)f->now);
	a = json_object_new_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_array_add(a, case_row_json(cs, st));
	case_store_sql_release(cs, st);
	if (rc != SQLITE_DONE) {
		json_object_put(a);
		case_store_sql_fail(cs, "listing cases");
		return NULL;
	}
	return to_text(a);
}

/* "provenance": {"dob": "part 1 text/plain, line 12, label \"DOB\"", ...}:
 * where the referral's reader found each of the child's fields (the
 * children.provenance lines, "field<TAB>value<TAB>where"). */
static void add_provenance(struct case_store *cs, json_object *o, long long id)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT provenance FROM children WHERE case_id = ?1 AND provenance IS NOT NULL");
	const char *p;
	json_object *prov;

	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    (p = (const char *)sqlite3_column_text(st, 0)) == NULL ||
	    (prov = json_object_new_object()) == NULL) {
		case_store_sql_release(cs, st);
		return;
	}
	while (*p) {
		const char *nl = strchr(p, '\n'), *t1, *t2;
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		char key[32];

		t1 = memchr(p, '\t', ll);
		t2 = t1 ? memchr(t1 + 1, '\t', ll - (size_t)(t1 + 1 - p)) : NULL;
		if (t2 && (size_t)(t1 - p) < sizeof key) {
			memcpy(key, p, (size_t)(t1 - p));
			key[t1 - p] = '\0';
			json_object_object_add(prov, key, json_object_new_string_len(
				t2 + 1, (int)(ll - (size_t)(t2 + 1 - p))));
		}
		p += ll + (nl ? 1 : 0);
	}
	case_store_sql_release(cs, st);
	json_object_object_add(o, "provenance", prov);
}

char *case_views_show_json(struct case_store *cs, const char *ref)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, CASE_BY_REF_SQL);
	static const struct json_col event_keys[] = {
		{ "at", put_col_time }, { "type", put_col_str }, { "source", put_col_str },
		{ "detail", put_col_str },
	};
	json_object *o = NULL;
	long long id;

	if (st == NULL)
		return NULL;
	case_store_sql_bind_text(st, 1, ref);
	if (sqlite3_step(st) != SQLITE_ROW) {
		case_store_sql_release(cs, st);
		return NULL;
	}
	id = sqlite3_column_int64(st, 0);
	o = case_row_json(cs, st);
	case_store_sql_release(cs, st);

	json_object_object_add(o, "timeline", rows_json(cs, EVENTS_SQL, id, event_keys, 4));
	add_provenance(cs, o, id);
	return to_text(o);
}


/* ------------------------------------------------------------------ */
/* One case as a struct (cmectl archive-form).                          */

/* A column as a malloc'd string, "" for NULL; NULL only when out of
 * memory. */
static char *col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	return strdup(v ? (const char *)v : "");
}

void case_views_free(struct case_view *v)
{
	char **strs[] = { &v->forename, &v->surname, &v->dob, &v->address, &v->postcode,
	                  &v->school, &v->officer, &v->referrer_name, &v->referrer_org };

	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (size_t i = 0; i < v->n_events; i++) {
		free(v->events[i].type);
		free(v->events[i].detail);
	}
	free(v->events);
	v->events = NULL;
	v->n_events = 0;
}

/* The case's columns (CASE_BY_REF_SQL's row) into *v.  0 or -1. */
static int read_case_row(sqlite3_stmt *st, struct case_view *v)
{
	static const struct { size_t off; int col; } cols[] = {
		{ offsetof(struct case_view, forename), 15 },
		{ offsetof(struct case_view, surname), 16 },
		{ offsetof(struct case_view, dob), 17 },
		{ offsetof(struct case_view, address), 22 },
		{ offsetof(struct case_view, postcode), 23 },
		{ offsetof(struct case_view, school), 24 },
		{ offsetof(struct case_view, officer), 6 },
		{ offsetof(struct case_view, referrer_name), 7 },
		{ offsetof(struct case_view, referrer_org), 9 },
	};
	int rc = 0;

	case_store_sql_copy_col(v->ref, sizeof v->ref, st, 1);
	v->opened_at = (time_t)sqlite3_column_int64(st, 4);
	v->year_group = sqlite3_column_type(st, 21) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 21);
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		char **dst = (char **)((char *)v + cols[i].off);

		if ((*dst = col_dup(st, cols[i].col)) == NULL)
			rc = -1;
	}
	return rc;
}

/* The case's timeline (EVENTS_SQL) into v->events.  0 or -1. */
static int read_events(struct case_store *cs, long long id, struct case_view *v)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, EVENTS_SQL);
	size_t cap = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct case_event_view *e;

		if (v->n_events == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *nv = ncap > ((size_t)-1) / sizeof *v->events ? NULL :
			           realloc(v->events, ncap * sizeof *v->events);

			if (nv == NULL)
				break;
			v->events = nv;
			cap = ncap;
		}
		e = &v->events[v->n_events];
		e->at = (time_t)sqlite3_column_int64(st, 0);
		e->type = col_dup(st, 1);
		e->detail = col_dup(st, 3);
		v->n_events++;
		if (e->type == NULL || e->detail == NULL)
			break;
	}
	case_store_sql_release(cs, st);
	if (rc == SQLITE_ROW) {
		return case_store_sql_oom(cs, "reading a timeline");
	}
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "reading a timeline");
}

int case_views_read_case(struct case_store *cs, const char *ref, struct case_view *out)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, CASE_BY_REF_SQL);
	long long id;
	int rc;

	memset(out, 0, sizeof *out);
	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		case_store_sql_release(cs, st);
		return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "finding a case");
	}
	id = sqlite3_column_int64(st, 0);
	rc = read_case_row(st, out);
	case_store_sql_release(cs, st);
	if (rc != 0 || read_events(cs, id, out) != 0) {
		if (rc != 0)
			(void)case_store_sql_oom(cs, "reading a case");
		case_views_free(out);
		return -1;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Search (cmectl search).                                              */

/* Does the folded name (forename + surname, both orders) hold every
 * folded word of the query? */
static int name_has_words(const char *hay, char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(hay, words[i]) == NULL)
			return 0;
	return n > 0;
}

int case_views_search(struct case_store *cs, const char *query, const char *dob,
                      struct strlist *refs)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT c.ref, ch.forename, ch.surname, ch.upn, ch.dob FROM children ch "
		"JOIN cases c ON c.id = ch.case_id ORDER BY c.id");
	struct strlist words = STRLIST_INIT;
	char qcopy[256];
	int rc, err = 0;

	if (st == NULL)
		return -1;
	/* the query's words, folded as names are (case_match.c) */
	snprintf(qcopy, sizeof qcopy, "%s", query);
	for (char *save = NULL, *w = strtok_r(qcopy, " \t,", &save); w && !err;
	     w = strtok_r(NULL, " \t,", &save)) {
		struct strbuf sb;

		strbuf_init(&sb, 128);
		if (case_store_fold_name(w, &sb) != 0 ||
		    (sb.len > 0 && strlist_add(&words, sb.data) != 0))
			err = 1;
		strbuf_free(&sb);
	}
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 0);
		const char *upn = (const char *)sqlite3_column_text(st, 3);
		const char *cdob = (const char *)sqlite3_column_text(st, 4);
		struct strbuf name;
		int hit = 0;

		strbuf_init(&name, 512);
		if (case_store_fold_name((const char *)sqlite3_column_text(st, 1), &name) != 0 ||
		    strbuf_append(&name, " ", 1) != 0 ||
		    case_store_fold_name((const char *)sqlite3_column_text(st, 2), &name) != 0) {
			strbuf_free(&name);
			err = 1;
			break;
		}
		if (dob)
			hit = cdob && strcmp(cdob, dob) == 0;
		else if (upn && strcasecmp(upn, query) == 0)
			hit = 1;
		else
			hit = name.data && name_has_words(name.data, words.v, words.n);
		strbuf_free(&name);
		if (hit && strlist_add_unique(refs, ref) != 0)
			err = 1;
	}
	case_store_sql_release(cs, st);
	strlist_free(&words);
	if (err)
		return case_store_sql_oom(cs, "searching");
	return 0;
}
