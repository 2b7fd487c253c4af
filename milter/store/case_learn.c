/*
 * case_learn.c - learning labels from officers' corrections.  See
 * case_learn.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sqlite3.h>

#include "case_edit.h"
#include "case_learn.h"
#include "case_store_sql.h"
#include "vocab.h"

#define LEARN_MAX_CANDIDATES 8      /* labels one correction may match */
#define LEARN_MAX_RECORDS   2000    /* unknown records read per correction */
#define DOMAIN_MAX          256

/* The edit fields whose value identifies the label it stood under. */
static const char *const learnable[] = {
	"forename", "surname", "dob", "upn", "address", "postcode", "school",
	"last_attended", "new_school", "referrer_name", "referrer_email", "referrer_org",
};

static int is_learnable(int field)
{
	const char *name = case_edit_field_name(field);

	for (size_t i = 0; name && i < sizeof learnable / sizeof learnable[0]; i++)
		if (strcmp(name, learnable[i]) == 0)
			return 1;
	return 0;
}

static enum field field_by_name(const char *name)
{
	for (int f = F_NONE + 1; f < F__COUNT; f++)
		if (strcmp(vocab_field_name((enum field)f), name) == 0)
			return (enum field)f;
	return F_NONE;
}

void case_learn_domain(const char *addr, char *out, size_t outlen)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t n = 0;

	if (outlen == 0)
		return;
	for (const char *p = at ? at + 1 : ""; *p && *p != '>' && n + 1 < outlen; p++)
		out[n++] = (char)tolower((unsigned char)*p);
	out[n] = '\0';
}

int case_store_unknown_records(struct case_store *cs, long long message_row,
                               const struct cme_referral *r)
{
	char domain[DOMAIN_MAX];

	case_learn_domain(r->from_addr, domain, sizeof domain);
	if (domain[0] == '\0')
		return 0;       /* no sender to learn for */
	for (size_t i = 0; i < r->unknown_records.n; i++) {
		const char *rec = r->unknown_records.v[i], *tab = strchr(rec, '\t');

		if (tab == NULL)
			continue;
		if (CASE_SQL_EXEC(cs, "keeping a message's unknown labels",
			"INSERT INTO unknown_records (message_row, domain, authenticated, label, value)"
			" VALUES (?1, ?2, ?3, substr(?4, 1, ?5), ?6)",
			CASE_SQL_INT(message_row), CASE_SQL_TEXT(domain),
			CASE_SQL_INT(r->authenticated == 1), CASE_SQL_TEXT(rec),
			CASE_SQL_INT(tab - rec), CASE_SQL_TEXT(tab + 1)) != 0)
			return -1;
	}
	return 0;
}

unsigned long case_store_learned_generation;

int case_store_learned_for(struct case_store *cs, const char *domain,
                           struct learned_labels *out)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT label, field FROM learned_labels WHERE domain = ?1 ORDER BY learned_at, label"
		" LIMIT ?2");
	int rc;

	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, domain);
	sqlite3_bind_int(st, 2, LEARNED_MAX_LABELS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *label = (const char *)sqlite3_column_text(st, 0);
		const char *field = (const char *)sqlite3_column_text(st, 1);

		if (label && field && learned_labels_add(out, label, field_by_name(field)) != 0) {
			case_store_sql_release(cs, st);
			return case_store_sql_oom(cs, "reading learned labels");
		}
	}
	case_store_sql_release(cs, st);
	return rc == SQLITE_DONE ? 0 : case_store_sql_fail(cs, "reading learned labels");
}

/* A label one correction matched. */
struct candidate {
	char domain[DOMAIN_MAX];
	char label[UNKNOWN_MAX_LABEL + 1];     /* as written */
	char norm[LEARNED_LABEL_MAX];
};

/* The unknown records of the case's authenticated messages whose value
 * reads as `value` for `field`: into c (at most LEARN_MAX_CANDIDATES,
 * one per domain and label).  The count, or -1. */
static int find_candidates(struct case_store *cs, long long case_id, int field,
                           const char *value, time_t now, struct candidate *c)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT u.domain, u.label, u.value FROM unknown_records u"
		" JOIN message_cases mc ON mc.message_row = u.message_row"
		" WHERE mc.case_id = ?1 AND u.authenticated = 1 ORDER BY u.id"
		" LIMIT ?2");
	int n = 0, rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int(st, 2, LEARN_MAX_RECORDS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < LEARN_MAX_CANDIDATES) {
		char norm[CASE_EDIT_VALUE_MAX], why[200];
		struct candidate *k = &c[n];
		const char *v = (const char *)sqlite3_column_text(st, 2);
		int dup = 0;

		if (v == NULL || case_edit_normalise(field, v, now, norm, sizeof norm, why,
		                                     sizeof why) != 0 ||
		    norm[0] == '\0' || strcasecmp(norm, value) != 0)
			continue;
		case_store_sql_copy_col(k->domain, sizeof k->domain, st, 0);
		case_store_sql_copy_col(k->label, sizeof k->label, st, 1);
		if (vocab_label(k->label, strlen(k->label)) != F_NONE ||
		    vocab_label_normalise(k->label, strlen(k->label), k->norm, sizeof k->norm) == 0)
			continue;       /* the vocabulary knows it by now */
		for (int j = 0; j < n; j++)
			dup |= strcmp(c[j].domain, k->domain) == 0 && strcmp(c[j].norm, k->norm) == 0;
		n += !dup;
	}
	case_store_sql_release(cs, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return case_store_sql_fail(cs, "reading a case's unknown labels");
	return n;
}

/* More than one label of one domain held the value: which one meant it
 * cannot be told, so none is learned. */
static int ambiguous(const struct candidate *c, int n, int i)
{
	for (int j = 0; j < n; j++)
		if (j != i && strcmp(c[j].domain, c[i].domain) == 0)
			return 1;
	return 0;
}

int case_learn_from_edit(struct case_store *cs, long long case_id, const char *ref,
                         int field, const char *value, const char *officer,
                         const char *source, time_t now)
{
	struct candidate c[LEARN_MAX_CANDIDATES];
	enum field vf = case_edit_label(field);
	int n, learned = 0;

	(void)ref;
	if (!is_learnable(field) || vf == F_NONE || value == NULL || value[0] == '\0')
		return 0;
	if ((n = find_candidates(cs, case_id, field, value, now, c)) <= 0)
		return n;
	for (int i = 0; i < n; i++) {
		char detail[600];

		if (ambiguous(c, n, i))
			continue;
		if (CASE_SQL_EXEC(cs, "learning a label",
			"INSERT OR IGNORE INTO learned_labels (domain, label, label_as_written, field,"
			" learned_at, taught_by, case_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			CASE_SQL_TEXT(c[i].domain), CASE_SQL_TEXT(c[i].norm),
			CASE_SQL_TEXT(c[i].label), CASE_SQL_TEXT(vocab_field_name(vf)),
			CASE_SQL_INT(now), CASE_SQL_TEXT(officer ? officer : "unknown"),
			CASE_SQL_INT(case_id)) != 0)
			return -1;
		if (case_store_sql_changes(cs) == 0)
			continue;       /* known already (perhaps as another field) */
		/* in-process readers' caches are stale from now (a rolled-back
		 * transaction only costs them one needless re-read) */
		__atomic_add_fetch(&case_store_learned_generation, 1, __ATOMIC_RELAXED);
		snprintf(detail, sizeof detail, "learned: label '%.80s' means %.40s for %.255s",
		         c[i].label, vocab_field_name(vf), c[i].domain);
		if (case_store_add_event(cs, case_id, now, "learned", source, detail) != 0)
			return -1;
		learned++;
	}
	return learned;
}

int case_store_learned_each(struct case_store *cs, const char *domain,
                            learned_row_fn fn, void *arg)
{
	sqlite3_stmt *st = case_store_sql_prepare(cs,
		"SELECT l.domain, l.label_as_written, l.field, l.learned_at, l.taught_by,"
		" coalesce(c.ref, '') FROM learned_labels l LEFT JOIN cases c ON c.id = l.case_id"
		" WHERE ?1 IS NULL OR l.domain = lower(?1) ORDER BY l.domain, l.label");
	int rc, stop = 0;

	if (st == NULL)
		return -1;
	case_store_sql_bind_text(st, 1, domain);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *col[6];

		for (int i = 0; i < 6; i++)
			col[i] = (const char *)sqlite3_column_text(st, i);
		stop = fn(col[0] ? col[0] : "", col[1] ? col[1] : "", col[2] ? col[2] : "",
		          (time_t)sqlite3_column_int64(st, 3), col[4] ? col[4] : "",
		          col[5] ? col[5] : "", arg);
	}
	case_store_sql_release(cs, st);
	if (!stop && rc != SQLITE_DONE)
		return case_store_sql_fail(cs, "listing learned labels");
	return 0;
}
