/*
 * NAME
 *	case_edit.c - the store's side of the officer's actions: the table
 *	of correctable fields, their value checks, and the writes of schema
 *	schema 15 (merge, transfer, case_parties).  See case_edit.h.
 *
 * OWNS
 *	edit_fields[] (one row per field: name, label, kind, SQL).  Column
 *	names never come from input: each row's SQL is a literal, so the
 *	statement cache keys it like any other.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "case_edit.h"
#include "case_store.h"
#include "case_store_sql.h"
#include "officer_lines.h"
#include "referral.h"
#include "textclean.h"
#include "ukdate.h"
#include "upn.h"
#include "vocab.h"

enum edit_kind {
	EK_NAME,        /* a name: cleaned text, at most 100 bytes, not empty */
	EK_TEXT,        /* cleaned text, at most 300 bytes; "" clears */
	EK_DATE,        /* a date, UK or ISO, stored YYYY-MM-DD */
	EK_DOB,         /* a date of birth: a date, not in the future */
	EK_UPN,         /* 13 characters with a good check letter */
	EK_YEAR,        /* Reception .. Year 14 */
	EK_GENDER,      /* M, F, X by the vocabulary's words */
	EK_POSTCODE,    /* a UK postcode */
	EK_REASON,      /* a reason of the vocabulary */
	EK_FLAGS,       /* flag names of the vocabulary, space-separated */
	EK_EMAIL,       /* an address (case_edit_email_ok) */
};

#define CHILD_FIELD(n, label, kind, col, key) \
	{ n, label, kind, "SELECT " col " FROM children WHERE case_id = ?1", \
	  "UPDATE children SET " col " = ?2 WHERE case_id = ?1", key }
#define CASE_FIELD(n, label, kind, col) \
	{ n, label, kind, "SELECT " col " FROM cases WHERE id = ?1", \
	  "UPDATE cases SET " col " = ?2 WHERE id = ?1", 0 }

static const struct edit_field {
	const char *name;
	enum field label;         /* the referral label that names it */
	enum edit_kind kind;
	const char *get_sql, *set_sql;
	int match_key;            /* part of the child's match key */
} edit_fields[] = {
	CHILD_FIELD("forename", F_FORENAME, EK_NAME, "forename", 1),
	CHILD_FIELD("surname", F_SURNAME, EK_NAME, "surname", 1),
	CHILD_FIELD("dob", F_DOB, EK_DOB, "dob", 1),
	CHILD_FIELD("gender", F_GENDER, EK_GENDER, "gender", 0),
	{ "upn", F_UPN, EK_UPN, "SELECT upn FROM children WHERE case_id = ?1",
	  "UPDATE children SET upn = ?2, upn_valid = (?2 IS NOT NULL) WHERE case_id = ?1", 0 },
	CHILD_FIELD("year_group", F_YEAR, EK_YEAR, "year_group", 0),
	CHILD_FIELD("address", F_ADDRESS, EK_TEXT, "address", 0),
	CHILD_FIELD("postcode", F_POSTCODE, EK_POSTCODE, "postcode", 0),
	CHILD_FIELD("school", F_SCHOOL, EK_TEXT, "school", 0),
	CHILD_FIELD("last_attended", F_LAST_ATTENDED, EK_DATE, "last_attended", 0),
	CHILD_FIELD("reason", F_REASON, EK_REASON, "reason", 0),
	CHILD_FIELD("new_school", F_NEW_SCHOOL, EK_TEXT, "new_school", 0),
	CASE_FIELD("referrer_name", F_REFERRER_NAME, EK_TEXT, "referrer_name"),
	CASE_FIELD("referrer_email", F_REFERRER_EMAIL, EK_EMAIL, "referrer_email"),
	CASE_FIELD("referrer_org", F_REFERRER_ORG, EK_TEXT, "referrer_org"),
	CASE_FIELD("flags", F_NONE, EK_FLAGS, "flags"),
};
#define N_FIELDS ((int)(sizeof edit_fields / sizeof edit_fields[0]))

/* Fields whose value may not be cleared: the child is known by them. */
static int may_clear(const struct edit_field *f)
{
	return f->kind != EK_NAME && f->kind != EK_DOB;
}

/* Names compare with case, '-' and '_' ignored ("Year-Group"). */
static int name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		if (*a == '\0')
			return 1;
	}
}

int case_edit_field(const char *name)
{
	for (int i = 0; name && i < N_FIELDS; i++)
		if (name_eq(name, edit_fields[i].name))
			return i;
	return -1;
}

int case_edit_field_of_label(enum field f)
{
	for (int i = 0; f != F_NONE && i < N_FIELDS; i++)
		if (edit_fields[i].label == f)
			return i;
	return -1;
}

enum field case_edit_label(int field)
{
	return field >= 0 && field < N_FIELDS ? edit_fields[field].label : F_NONE;
}

const char *case_edit_field_name(int field)
{
	return field >= 0 && field < N_FIELDS ? edit_fields[field].name : NULL;
}

const char *case_edit_field_names(void)
{
	static char names[400];

	if (names[0] == '\0') {
		size_t off = 0;

		for (int i = 0; i < N_FIELDS && off < sizeof names; i++)
			off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? " " : "",
			                        edit_fields[i].name);
	}
	return names;
}

/* ------------------------------------------------------------------ */
/* Value checks.                                                        */

int case_edit_email_ok(const char *addr)
{
	static const char local_ok[] = "!#$%&'*+/=?^_`{|}~.-";
	const char *at, *p;
	int dots = 0;

	if (addr == NULL || strlen(addr) > 254 || (at = strchr(addr, '@')) == NULL ||
	    at == addr || strchr(at + 1, '@') != NULL || at - addr > 64)
		return 0;
	for (p = addr; p < at; p++)
		if (!isalnum((unsigned char)*p) && strchr(local_ok, *p) == NULL)
			return 0;
	if (at[1] == '.' || at[1] == '-' || at[1] == '\0')
		return 0;
	for (p = at + 1; *p; p++) {
		if (*p == '.') {
			if (p[1] == '.' || p[1] == '\0')
				return 0;
			dots++;
		} else if (!isalnum((unsigned char)*p) && *p != '-') {
			return 0;
		}
	}
	return dots > 0;
}

/* A date in a UK or ISO form, the whole value: 0 (out = YYYY-MM-DD). */
static int check_date(const char *v, char *out, size_t outlen)
{
	struct ymd d;
	size_t used = 0, len = strlen(v);
	char iso[11];

	if (ymd_parse_iso(v, &d) != 0 &&
	    (!ukdate_find(v, len, &d, &used) || used != len))
		return -1;
	if (!ymd_valid(&d))
		return -1;
	ymd_format(&d, iso);
	snprintf(out, outlen, "%s", iso);
	return 0;
}

/* Flag names, separated by commas or spaces: out is the canonical list. */
static int check_flags(const char *v, char *out, size_t outlen, char *why, size_t whylen)
{
	char buf[CASE_EDIT_VALUE_MAX], *save = NULL;
	size_t off = 0;

	snprintf(buf, sizeof buf, "%s", v);
	out[0] = '\0';
	for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		int i = vocab_flag_index(w);

		if (strcasecmp(w, "none") == 0)
			continue;
		if (i < 0) {
			snprintf(why, whylen, "unknown flag %.40s", w);
			return -1;
		}
		off += (size_t)snprintf(out + off, outlen - off, "%s%s", off ? " " : "",
		                        vocab_flag_name((size_t)i));
		if (off >= outlen)
			return -1;
	}
	return 0;
}

/* The value checks that need no table of their own. */
static int check_kind(const struct edit_field *f, const char *v, time_t now, char *out,
                      size_t outlen, char *why, size_t whylen)
{
	const char *s;
	char tok[14];           /* a UPN or a postcode */
	int y;

	switch (f->kind) {
	case EK_DOB:
	case EK_DATE:
		if (check_date(v, out, outlen) != 0) {
			snprintf(why, whylen, "%s must be a date (27/11/2015 or 2015-11-27)", f->name);
			return -1;
		}
		if (f->kind == EK_DOB) {
			char today[32];
			struct tm tm;

			gmtime_r(&now, &tm);
			snprintf(today, sizeof today, "%04d-%02d-%02d", tm.tm_year + 1900,
			         tm.tm_mon + 1, tm.tm_mday);
			if (strcmp(out, today) > 0) {
				snprintf(why, whylen, "a date of birth cannot be in the future");
				return -1;
			}
		}
		return 0;
	case EK_UPN:
		if (strlen(v) > 20 || !upn_find(v, strlen(v), tok) || !upn_valid(tok)) {
			snprintf(why, whylen, "not a valid UPN (13 characters; check letter first)");
			return -1;
		}
		snprintf(out, outlen, "%s", tok);
		return 0;
	case EK_YEAR:
		if ((y = extract_year_group(v, strlen(v))) < 0) {
			snprintf(why, whylen, "year_group must be Reception or a year 1 to 14");
			return -1;
		}
		snprintf(out, outlen, "%d", y);
		return 0;
	case EK_GENDER:
		if ((s = vocab_match_gender(v, strlen(v))) == NULL) {
			snprintf(why, whylen, "gender must be male, female or another word for them");
			return -1;
		}
		snprintf(out, outlen, "%s", s);
		return 0;
	case EK_POSTCODE:
		if (!extract_postcode(v, strlen(v), tok)) {
			snprintf(why, whylen, "not a UK postcode");
			return -1;
		}
		snprintf(out, outlen, "%s", tok);
		return 0;
	case EK_REASON:
		s = strcasecmp(v, "other") == 0 ? "other" : vocab_match_reason(v, strlen(v));
		if (s == NULL) {
			snprintf(why, whylen, "not a reason the vocabulary knows");
			return -1;
		}
		snprintf(out, outlen, "%s", s);
		return 0;
	case EK_FLAGS:
		return check_flags(v, out, outlen, why, whylen);
	case EK_EMAIL:
		if (!case_edit_email_ok(v)) {
			snprintf(why, whylen, "not an email address");
			return -1;
		}
		snprintf(out, outlen, "%s", v);
		return 0;
	case EK_NAME:
	case EK_TEXT:
		break;
	}
	snprintf(out, outlen, "%s", v);
	return 0;
}

int case_edit_normalise(int field, const char *value, time_t now, char *out, size_t outlen,
                        char *why, size_t whylen)
{
	const struct edit_field *f;
	size_t max;
	char *clean;
	int rc;

	if (field < 0 || field >= N_FIELDS || outlen < 2) {
		snprintf(why, whylen, "no such field");
		return -1;
	}
	f = &edit_fields[field];
	max = f->kind == EK_NAME ? 100 : 300;
	if (strlen(value) > max) {
		snprintf(why, whylen, "%s is longer than %zu characters", f->name, max);
		return -1;
	}
	/* Stored like any value from a message: no controls, no invisible
	 * or direction-changing characters (textclean.h). */
	if ((clean = text_clean(value, strlen(value), max)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (clean[0] == '\0' || strcasecmp(clean, "none") == 0) {
		free(clean);
		if (!may_clear(f)) {
			snprintf(why, whylen, "%s cannot be empty", f->name);
			return -1;
		}
		out[0] = '\0';
		return 0;
	}
	rc = check_kind(f, clean, now, out, outlen, why, whylen);
	free(clean);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reads and writes.                                                    */

int case_store_edit_get(struct case_store *cs, long long case_id, int field,
                        char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (field < 0 || field >= N_FIELDS)
		return 0;
	if ((st = case_store_sql_prepare(cs, edit_fields[field].get_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		case_store_sql_copy_col(out, outlen, st, 0);
	case_store_sql_release(cs, st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "reading a field");
}

/* The child's match key from its stored name and DOB. */
static int rekey(struct case_store *cs, long long case_id)
{
	char fore[128], sur[128], dob[16];
	struct cme_child c;
	char *key;
	int rc;

	if (case_store_edit_get(cs, case_id, case_edit_field("forename"), fore, sizeof fore) < 0 ||
	    case_store_edit_get(cs, case_id, case_edit_field("surname"), sur, sizeof sur) < 0 ||
	    case_store_edit_get(cs, case_id, case_edit_field("dob"), dob, sizeof dob) < 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.forename = fore[0] ? fore : NULL;
	c.surname = sur[0] ? sur : NULL;
	c.dob = dob[0] ? dob : NULL;
	if (case_store_match_key(&c, &key) != 0)
		return case_store_sql_oom(cs, "a child's match key");
	rc = CASE_SQL_EXEC(cs, "changing a child's match key",
		"UPDATE children SET match_key = ?2 WHERE case_id = ?1",
		CASE_SQL_INT(case_id), CASE_SQL_TEXT(key));
	free(key);
	return rc;
}

int case_store_edit_set(struct case_store *cs, long long case_id, int field,
                        const char *value)
{
	if (field < 0 || field >= N_FIELDS)
		return -1;
	if (CASE_SQL_EXEC(cs, "correcting a field", edit_fields[field].set_sql,
	                  CASE_SQL_INT(case_id),
	                  CASE_SQL_TEXT(value && value[0] ? value : NULL)) != 0)
		return -1;
	return edit_fields[field].match_key ? rekey(cs, case_id) : 0;
}

/* One statement about case ?1, with texts ?2 and ?3, time ?4 and
 * another case ?5 (binding a parameter a statement does not have is a
 * no-op). */
static int run_bound(struct case_store *cs, const char *sql, long long case_id,
                     const char *text, const char *text2, time_t now, long long other,
                     const char *what)
{
	return CASE_SQL_EXEC(cs, what, sql, CASE_SQL_INT(case_id), CASE_SQL_TEXT(text),
	                     CASE_SQL_TEXT(text2), CASE_SQL_INT(now), CASE_SQL_INT(other));
}

static int case_update(struct case_store *cs, const char *sql, long long case_id,
                       const char *text, const char *text2, time_t now, const char *what)
{
	return run_bound(cs, sql, case_id, text, text2, now, 0, what);
}

int case_store_set_officer(struct case_store *cs, long long case_id, const char *officer)
{
	return case_update(cs, "UPDATE cases SET officer = ?2 WHERE id = ?1", case_id, officer,
	                   NULL, 0, "assigning a case");
}

int case_store_bump_pending(struct case_store *cs, long long case_id, time_t now)
{
	return case_update(cs, "UPDATE deadlines SET sequence = sequence + 1, updated_at = ?4 "
	                   "WHERE case_id = ?1 AND status = 'pending'", case_id, NULL, NULL, now,
	                   "moving a case's reminders");
}

int case_store_set_transfer(struct case_store *cs, long long case_id, const char *la,
                            const char *email)
{
	return case_update(cs, "UPDATE cases SET transferred_la = ?2, transferred_email = ?3 "
	                   "WHERE id = ?1", case_id, la, email, 0, "recording a transfer");
}

/* The statements of a merge, in order: ?1 the duplicate, ?2 its
 * reference, ?4 now, ?5 the survivor. */
static const char *const merge_sql[] = {
	"INSERT INTO events (case_id, at, type, source, detail) "
	"SELECT ?5, at, type, source, '[from ' || ?2 || '] ' || coalesce(detail, '') "
	"FROM events WHERE case_id = ?1 ORDER BY id",
	"INSERT OR IGNORE INTO message_cases (message_row, case_id) "
	"SELECT message_row, ?5 FROM message_cases WHERE case_id = ?1",
	"INSERT INTO case_parties (case_id, role, name, email, org, from_case, added_at) "
	"SELECT ?5, 'school', school, NULL, NULL, ?1, ?4 FROM children "
	"WHERE case_id = ?1 AND school IS NOT NULL",
	"INSERT INTO case_parties (case_id, role, name, email, org, from_case, added_at) "
	"SELECT ?5, 'referrer', referrer_name, referrer_email, referrer_org, ?1, ?4 FROM cases "
	"WHERE id = ?1 AND coalesce(referrer_name, referrer_email, referrer_org) IS NOT NULL",
	"INSERT INTO case_parties (case_id, role, name, email, org, from_case, added_at) "
	"SELECT ?5, role, name, email, org, from_case, ?4 FROM case_parties WHERE case_id = ?1",
	"UPDATE children SET "
	" gender = coalesce(gender, (SELECT gender FROM children WHERE case_id = ?1)),"
	" upn_valid = CASE WHEN upn IS NULL THEN (SELECT upn_valid FROM children WHERE case_id = ?1) ELSE upn_valid END,"
	" upn = coalesce(upn, (SELECT upn FROM children WHERE case_id = ?1)),"
	" year_group = coalesce(year_group, (SELECT year_group FROM children WHERE case_id = ?1)),"
	" address = coalesce(address, (SELECT address FROM children WHERE case_id = ?1)),"
	" postcode = coalesce(postcode, (SELECT postcode FROM children WHERE case_id = ?1)),"
	" school = coalesce(school, (SELECT school FROM children WHERE case_id = ?1)),"
	" reason = coalesce(reason, (SELECT reason FROM children WHERE case_id = ?1))"
	" WHERE case_id = ?5",
	/* the duplicate's siblings are the survivor's (one group, named by
	 * its lowest id, as case_store_link_siblings names it); the
	 * duplicate leaves the group */
	"UPDATE cases SET sibling_group = (SELECT min(coalesce(sibling_group, id)) FROM cases "
	"  WHERE id IN (?1, ?5) OR sibling_group IN (SELECT sibling_group FROM cases "
	"  WHERE id IN (?1, ?5))) "
	"WHERE (SELECT sibling_group FROM cases WHERE id = ?1) IS NOT NULL AND id <> ?1 "
	"AND (id = ?5 OR sibling_group IN (SELECT sibling_group FROM cases WHERE id IN (?1, ?5)))",
	"UPDATE cases SET sibling_group = NULL, merged_into = ?5 WHERE id = ?1",
};

int case_store_merge(struct case_store *cs, long long dup, long long survivor,
                     const char *dup_ref, time_t now)
{
	for (size_t i = 0; i < sizeof merge_sql / sizeof merge_sql[0]; i++)
		if (run_bound(cs, merge_sql[i], dup, dup_ref, NULL, now, survivor,
		              "merging cases") != 0)
			return -1;
	return 0;
}

int case_store_merged_into(struct case_store *cs, long long case_id, struct case_info *out)
{
	long long id = case_id, next = 0;

	for (int hops = 0; hops < 8; hops++) {
		sqlite3_stmt *st = case_store_sql_prepare(cs,
			"SELECT merged_into FROM cases WHERE id = ?1 AND merged_into IS NOT NULL");
		int rc;

		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		next = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		case_store_sql_release(cs, st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return case_store_sql_fail(cs, "following a merge");
		if (next == 0)
			break;
		id = next;
	}
	if (id == case_id)
		return 0;
	return case_store_find_id(cs, id, out);
}

int case_store_siblings(struct case_store *cs, long long case_id, struct strlist *refs)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT s.ref FROM cases c JOIN cases s ON s.sibling_group = c.sibling_group "
		"WHERE c.id = ?1 AND s.id <> c.id ORDER BY s.id LIMIT 32");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (strlist_add(refs, (const char *)sqlite3_column_text(st, 0)) != 0) {
			case_store_sql_release(cs, st);
			return case_store_sql_oom(cs, "listing siblings");
		}
	case_store_sql_release(cs, st);
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "listing siblings");
}

/* Text column i, or NULL. */
static json_object *col_json(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? json_object_new_string((const char *)t) : NULL;
}

/* The rows of one statement about case ?1: fn adds each to `o`. */
static void each_row(struct case_store *cs, const char *sql, long long id, json_object *o,
                     void (*fn)(sqlite3_stmt *, json_object *))
{
	sqlite3_stmt *st = case_store_sql_prepare(cs, sql);

	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(st, o);
	case_store_sql_release(cs, st);
}

static void merged_row(sqlite3_stmt *st, json_object *o)
{
	json_object_object_add(o, "merged_into", col_json(st, 0));
}

static void transfer_row(sqlite3_stmt *st, json_object *o)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "la", col_json(st, 0));
	json_object_object_add(t, "email", col_json(st, 1));
	json_object_object_add(o, "transferred_to", t);
}

/* Rows go into an array under a key made on first use. */
static json_object *array_of(json_object *o, const char *key)
{
	json_object *a;

	if (!json_object_object_get_ex(o, key, &a)) {
		a = json_object_new_array();
		json_object_object_add(o, key, a);
	}
	return a;
}

static void merged_case_row(sqlite3_stmt *st, json_object *o)
{
	json_object_array_add(array_of(o, "merged_cases"), col_json(st, 0));
}

static void party_row(sqlite3_stmt *st, json_object *o)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "role", col_json(st, 0));
	json_object_object_add(p, "name", col_json(st, 1));
	json_object_object_add(p, "email", col_json(st, 2));
	json_object_object_add(p, "organisation", col_json(st, 3));
	json_object_object_add(p, "from", col_json(st, 4));
	json_object_array_add(array_of(o, "gained"), p);
}

void case_edit_json(struct case_store *cs, long long id, json_object *o)
{
	each_row(cs, "SELECT m.ref FROM cases c JOIN cases m ON m.id = c.merged_into "
	         "WHERE c.id = ?1", id, o, merged_row);
	each_row(cs, "SELECT ref FROM cases WHERE merged_into = ?1 ORDER BY id", id, o,
	         merged_case_row);
	each_row(cs, "SELECT transferred_la, transferred_email FROM cases "
	         "WHERE id = ?1 AND transferred_la IS NOT NULL", id, o, transfer_row);
	each_row(cs, "SELECT p.role, p.name, p.email, p.org, f.ref FROM case_parties p "
	         "LEFT JOIN cases f ON f.id = p.from_case WHERE p.case_id = ?1 ORDER BY p.id",
	         id, o, party_row);
}

int case_store_find_by_sent_mail(struct case_store *cs, const char *message_id,
                                 struct case_info *out)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT case_id FROM outbox WHERE message_id = ?1 AND case_id IS NOT NULL LIMIT 1");
	long long id = 0;
	int rc;

	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, message_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	case_store_sql_release(cs, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return case_store_sql_fail(cs, "finding a reminder's case");
	return id ? case_store_find_id(cs, id, out) : 0;
}
