/*
 * test_store - the case store and the pipeline's decisions, on a
 * database in a temporary directory (real SQLite, no mocks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "case_store.h"
#include "case_deadlines.h"
#include "case_links.h"
#include "policy.h"
#include "case_types.h"
#include "case_views.h"
#include "claimant.h"
#include "imip.h"
#include "msg_digest.h"
#include "conf.h"
#include "pipeline.h"
#include "referral.h"
#include "reminder_words.h"
#include "tap.h"
#include "tap_vocab.h"

static char dir[] = "/tmp/cme-test-store-XXXXXX";

static int process(struct pipeline *p, const char *msg, const char *ip,
                   struct pipeline_result *res, time_t now)
{
	struct pipeline_input in;

	memset(&in, 0, sizeof in);
	in.raw = msg;
	in.len = strlen(msg);
	in.client_addr = ip;
	in.now = now;
	pipeline_result_free(res);
	pipeline_result_init(res);
	return pipeline_process(p, &in, res);
}

/* Count rows: SELECT count(*) ... on the test database. */
static long long count(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return n;
}

/* One text value: SELECT ... on the test database, into out. */
static void text(const char *db, const char *sql, char *out, size_t outlen)
{
	sqlite3 *h;
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_open(db, &h) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
}

/* Does the file at path contain needle? */
static int file_has(const char *path, const char *needle)
{
	static char fb[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(fb, 1, sizeof fb - 1, f) : 0;

	if (f)
		fclose(f);
	fb[n] = '\0';
	return strstr(fb, needle) != NULL;
}

/* Reminder seals: only a mail sealed under the database's key is ours;
 * the first copy passes, the MTA retrying it passes, another copy is a
 * duplicate (issue 10, items 1 and 2). */
static void test_seals(struct pipeline *p, const char *db, time_t now)
{
	char mid[400], key[80], *m;
	char copy[IMIP_COPY_MAX + 1];

	text(db, "SELECT message_id FROM outbox WHERE echoed_at IS NULL ORDER BY id LIMIT 1",
	     mid, sizeof mid);
	text(db, "SELECT value FROM meta WHERE key = 'reminder-seal-key'", key, sizeof key);
	CHECK(mid[0] && strlen(key) == 64, "an outbox mail and the database's seal key");
	CHECK_INT(pipeline_reminder_passed(p, mid, NULL, now), 0,
	          "an unsealed mail with a reminder's Message-ID is not ours");
	CHECK_INT(pipeline_reminder_passed(p, mid,
	          "v1 1.0.0 0000000000000000000000000000000000000000000000000000000000000000", now), 0,
	          "nor is one with a forged seal");
	m = imip_sealed("not the key", mid, "1.0.0", "x");
	CHECK(m != NULL && strncmp(m, IMIP_SEAL_HEADER ": ", strlen(IMIP_SEAL_HEADER) + 2) == 0,
	      "a mail sealed under another key");
	if (m)
		CHECK_INT(pipeline_reminder_passed(p, mid, m + strlen(IMIP_SEAL_HEADER) + 2, now), 0,
		          "is not ours either");
	free(m);
	CHECK_INT(count(db, "SELECT count(*) FROM outbox WHERE echoed_at IS NOT NULL"), 0,
	          "and none of them marked a reminder sent");
	m = imip_sealed(key, mid, "7.0.1", "x");
	if (m) {
		char *v = m + strlen(IMIP_SEAL_HEADER) + 2;

		v[strcspn(v, "\r")] = '\0';
		CHECK(imip_seal_valid(key, mid, v, copy, sizeof copy) && strcmp(copy, "7.0.1") == 0,
		      "a genuine seal names its copy");
		CHECK_INT(pipeline_reminder_passed(p, mid, v, now), 1, "the first copy passes");
		CHECK_INT(pipeline_reminder_passed(p, mid, v, now), 1,
		          "the same copy again (the MTA retrying it) passes");
	}
	free(m);
	m = imip_sealed(key, mid, "9.1.2", "x");
	if (m) {
		char *v = m + strlen(IMIP_SEAL_HEADER) + 2;

		v[strcspn(v, "\r")] = '\0';
		CHECK_INT(pipeline_reminder_passed(p, mid, v, now), 2,
		          "another copy (a resend) is the duplicate");
	}
	free(m);
	CHECK_INT(count(db, "SELECT count(*) FROM outbox WHERE echoed_at IS NOT NULL"), 1,
	          "one reminder recorded as passed");
}

/* UIDs (issue 14 item 6): REF-KIND-GENERATION@CalendarDomain; a reopen
 * raises the generation; an event sent under the old REF-KIND@host form
 * keeps its UID through the schema 9 migration. */
static void test_uids(const struct cme_conf *conf)
{
	struct strlist errs = STRLIST_INIT;
	struct policy *pol = policy_load("default", conf->policy_dir, conf->calendar_dir, &errs);
	char db[1200], err[256], buf[256];
	struct reminder_text all[DL_EVENTS_MAX];
	struct deadline_row row;
	struct case_store *cs;
	sqlite3 *h;
	size_t n;

	CHECK(pol != NULL, "the default policy for UIDs");
	memset(&row, 0, sizeof row);
	snprintf(row.ref, sizeof row.ref, "CME-2026-00007");
	snprintf(row.kind, sizeof row.kind, "home-visit");
	row.dkind = DL_KIND_HOME_VISIT;
	row.generation = 2;
	row.set_at = 1796119200;                   /* Tue 1 Dec 2026 10:00 GMT */
	row.due = 1796403600;                      /* Fri 4 Dec 17:00 */
	n = pol ? case_deadlines_describe_all(pol, 0, "cme.la.test", &row, all) : 0;
	CHECK(n == 1 && all[0].start == row.due && all[0].alarm == 1796288400,
	      "alert_events digest (the default): a home visit is one event, due Friday 17:00, "
	      "its alarm at 09:00 on Thursday, the working day before (the due day's alert is a "
	      "digest line)");
	CHECK_STR(n ? all[0].uid : "", "CME-2026-00007-home-visit-2@cme.la.test",
	          "its UID: REF-KIND-GENERATION@CalendarDomain");
	row.dkind = DL_KIND_IMMEDIATE;
	snprintf(row.kind, sizeof row.kind, "immediate");
	row.due = row.set_at;
	n = pol ? case_deadlines_describe_all(pol, 0, "cme.la.test", &row, all) : 0;
	CHECK(n == 1 && all[0].start == row.set_at && all[0].alarm == row.set_at + 600,
	      "an immediate escalation starts on arrival and its alarm fires 10 minutes after");
	row.dkind = DL_KIND_HOME_VISIT;
	snprintf(row.kind, sizeof row.kind, "home-visit");
	row.due = 1796403600;
	if (pol)
		pol->alert_events = 1;
	n = pol ? case_deadlines_describe_all(pol, 0, "cme.la.test", &row, all) : 0;
	CHECK(n == 3, "alert_events events: a home visit is three events: the deadline and two "
	      "earlier alerts");
	CHECK_STR(n ? all[0].uid : "", "CME-2026-00007-home-visit-2@cme.la.test",
	          "the deadline's UID: REF-KIND-GENERATION@CalendarDomain");
	CHECK_STR(n > 1 ? all[1].uid : "", "CME-2026-00007-home-visit-2-alert-1@cme.la.test",
	          "an alert's UID: REF-KIND-GENERATION-alert-N@CalendarDomain");
	CHECK(n == 3 && all[0].start == row.due && all[0].alarm == 1796374800 &&
	      all[1].start == row.set_at && all[2].start == 1796288400 &&
	      all[2].alarm == all[2].start,
	      "the deadline's event alarms at 09:00 on the due day; the alerts on arrival and "
	      "at 09:00 on the working day before, each at its own start");
	snprintf(row.legacy_uid, sizeof row.legacy_uid, "CME-2026-00007-home-visit@vm");
	n = pol ? case_deadlines_describe_all(pol, 0, "cme.la.test", &row, all) : 0;
	CHECK(n == 1 && strcmp(all[0].uid, "CME-2026-00007-home-visit@vm") == 0,
	      "an event sent before schema 12 keeps its UID (and gets no new alert events)");
	policy_free(pol);
	strlist_free(&errs);

	/* A database from before migration 12 (UIDs with generations) with a
	 * reminder already sent. */
	snprintf(db, sizeof db, "%s/legacy.db", dir);
	cs = case_store_open(db, err, sizeof err);
	case_store_close(cs);
	CHECK(sqlite3_open(db, &h) == SQLITE_OK &&
	      sqlite3_exec(h,
	          "INSERT INTO cases (id, ref, status, opened_at, officer) VALUES "
	          " (1, 'CME-2026-00001', 'closed', 1, 'o@la.test');"
	          "INSERT INTO children (case_id, forename, surname, dob) VALUES "
	          " (1, 'Ann', 'Lee', '2015-01-01');"
	          "INSERT INTO deadlines (case_id, kind, due, status, updated_at) VALUES "
	          " (1, 'home-visit', 1796403600, 'pending', 1);"
	          "INSERT INTO outbox (case_id, uid, method, recipient, message, created_at,"
	          " next_attempt_at) VALUES (1, 'CME-2026-00001-home-visit@vm', 'REQUEST',"
	          " 'o@la.test', 'x', 1, 1);"
	          "ALTER TABLE cases DROP COLUMN generation;"
	          "ALTER TABLE deadlines DROP COLUMN set_at;"
	          "ALTER TABLE deadlines DROP COLUMN flags;"
	          "ALTER TABLE deadlines DROP COLUMN legacy_uid;"
	          "DROP TABLE duty_sent;"
	          "ALTER TABLE children DROP COLUMN provenance;"
	          "DROP INDEX cases_merged;"
	          "ALTER TABLE cases DROP COLUMN merged_into;"
	          "ALTER TABLE cases DROP COLUMN transferred_la;"
	          "ALTER TABLE cases DROP COLUMN transferred_email;"
	          "DROP TABLE case_parties;"
	          "DROP INDEX outbox_case;"
	          "DROP TABLE unknown_records;"
	          "DROP TABLE learned_labels;"
	          "DROP TRIGGER children_case_open;"
	          "DROP INDEX children_dob;"
	          "ALTER TABLE children DROP COLUMN case_open;"
	          "CREATE INDEX children_dob ON children(dob);"
	          "PRAGMA user_version = 11;", NULL, NULL, NULL) == SQLITE_OK,
	      "a schema 11 database with a reminder sent as CME-2026-00001-home-visit@vm");
	sqlite3_close(h);
	cs = case_store_open(db, err, sizeof err);
	CHECK(cs != NULL, "it migrates");
	text(db, "SELECT legacy_uid FROM deadlines WHERE case_id = 1", buf, sizeof buf);
	CHECK_STR(buf, "CME-2026-00001-home-visit@vm", "the sent event's UID is kept");
	CHECK_INT(count(db, "SELECT generation FROM cases WHERE id = 1"), 1, "generation 1");
	CHECK_INT(count(db, "SELECT count(*) FROM children WHERE case_id = 1 AND case_open = 0 "
	                "AND (SELECT status FROM cases WHERE id = 1) = 'closed'"), 1,
	          "schema 19: the closed case's child is out of the open-children DOB index");
	CHECK(cs && case_store_reopen(cs, 1, buf, sizeof buf) == 0, "the case is reopened");
	CHECK_INT(count(db, "SELECT case_open FROM children WHERE case_id = 1"), 1,
	          "and its child is back in it (the status trigger)");
	CHECK_INT(count(db, "SELECT generation FROM cases WHERE id = 1"), 2,
	          "a reopen raises the generation: its events get new UIDs");
	CHECK_INT(count(db, "SELECT count(*) FROM deadlines WHERE legacy_uid IS NOT NULL"), 0,
	          "and the old-form UID is not used again");
	CHECK(cs && case_store_next_generation(cs, 1) == 3, "case_store_next_generation returns it");
	case_store_close(cs);
}

/* Reminder text (issue 14, item 5's defects): no doubled full stop after
 * initials, a triage child said in words, no name in a mail subject. */
static void test_reminder_text(const struct cme_conf *conf)
{
	struct strlist errs = STRLIST_INIT;
	struct policy *pol = policy_load("default", conf->policy_dir, conf->calendar_dir, &errs);
	struct deadline_row row;
	struct reminder_text rt;

	CHECK(pol != NULL, "the default policy for reminder text");
	if (pol == NULL)
		return;
	memset(&row, 0, sizeof row);
	snprintf(row.ref, sizeof row.ref, "CME-2026-00001");
	snprintf(row.kind, sizeof row.kind, "home-visit");
	snprintf(row.initials, sizeof row.initials, "J.S.");
	snprintf(row.name, sizeof row.name, "Jo Smith");
	row.due = 1795539600;
	case_deadlines_describe(pol, 0, "la.test", &row, &rt);
	CHECK(strstr(rt.description, "child J.S.\n") != NULL && strstr(rt.description, "..") == NULL,
	      "minimal: 'child J.S.' with one full stop");
	case_deadlines_describe(pol, 1, "la.test", &row, &rt);
	CHECK(strstr(rt.summary, "Jo Smith") != NULL && strstr(rt.subject, "Jo Smith") == NULL &&
	      strstr(rt.subject, "J.S.") != NULL, "full: the name in the event, initials in the subject");
	row.initials[0] = row.name[0] = '\0';
	snprintf(row.kind, sizeof row.kind, "escalation");
	case_deadlines_describe(pol, 0, "la.test", &row, &rt);
	CHECK(strstr(rt.summary, "()") == NULL && strstr(rt.summary, "child not yet identified") &&
	      strstr(rt.description, "child .") == NULL, "triage: 'child not yet identified', no '()'");
	/* Actionable text (issue 14 item 5): the time in words, what to do,
	 * the reply line with a mailto: carrying the reference. */
	snprintf(row.kind, sizeof row.kind, "home-visit");
	row.dkind = DL_KIND_HOME_VISIT;
	row.due = 1796403600;          /* 2026-12-04T17:00:00Z, a Friday */
	row.updated_at = 1796119200;   /* 2026-12-01T10:00:00Z */
	case_deadlines_describe(pol, 0, "la.test", &row, &rt);
	CHECK(strstr(rt.description, "by Friday 4 December, 17:00.") != NULL &&
	      strstr(rt.description, "What to do: Visit") != NULL,
	      "home visit: local time in words and what to do");
	{
		char sec[1024], enc[64];

		reminder_words_reply_section("cme@la.test", "CME-2026-00042", DL_KIND_HOME_VISIT,
		                             sec, sizeof sec);
		CHECK(strstr(sec, "\n  Visit: ") != NULL &&
		      strstr(sec, "mailto:cme@la.test?subject=%5BCME-2026-00042%5D%20Visit&body=Visit%3A")
		      != NULL, "the reply line and a mailto: with [REF] in its subject, encoded");
		reminder_words_reply_section("cme@la.test", "CME-2026-00042", DL_KIND_IMMEDIATE,
		                             sec, sizeof sec);
		CHECK(strstr(sec, "Immediate: done") && strstr(sec, "cmectl done CME-2026-00042 immediate"),
		      "immediate: 'Immediate: done' by reply, or cmectl done");
		reminder_words_urlencode("a b&c=d?\xc3\xa9", enc, sizeof enc);
		CHECK(strcmp(enc, "a%20b%26c%3Dd%3F%C3%A9") == 0, "mailto values are percent-encoded");
	}
	snprintf(row.kind, sizeof row.kind, "immediate");
	row.dkind = DL_KIND_IMMEDIATE;
	case_deadlines_describe(pol, 0, "la.test", &row, &rt);
	CHECK(strstr(rt.subject, "URGENT") && strstr(strstr(rt.subject, "URGENT") + 1, "URGENT") == NULL &&
	      strstr(rt.description, "MASH") != NULL,
	      "immediate: one URGENT in the subject, the policy's action in the text");
	policy_free(pol);
	strlist_free(&errs);
}

/* Outbox claimants: a process's own name is alive, an ended process of
 * this host is not, another host's cannot be told (issue 10, item 14). */
static void test_claimants(void)
{
	char me[200], dead[200];
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	claimant_self(me, sizeof me, "host.test");
	CHECK(claimant_alive(me, "host.test") == 1, "this process's claims are alive (a reload keeps them)");
	waitpid(pid, NULL, 0);
	snprintf(dead, sizeof dead, "%ld.12345@host.test", (long)pid);
	CHECK(claimant_alive(dead, "host.test") == 0, "an ended process's claims are dead");
	snprintf(dead, sizeof dead, "%ld.1@host.test", (long)getpid());
	CHECK(claimant_alive(dead, "host.test") == 0,
	      "a live PID with another start time is another process: dead");
	CHECK(claimant_alive(me, "other.test") == 1, "another host's claims are left to their lease");
}

#define AR_PASS(d) "Authentication-Results: mx.la.test; dkim=pass header.d=" d "; dmarc=pass header.from=" d "\n"

static const char referral[] =
	"From: Ann Lee <a.lee@oak.sch.test>\nTo: cme@la.test\nSubject: CME referral\n"
	"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <ref-1@oak.sch.test>\n"
	AR_PASS("oak.sch.test") "\n"
	"Child's forename: Zoë\nChild's surname: O'Brien\nDate of birth: 21/09/2016\n"
	"UPN: B801200005001\nAddress: 1 Elm Row, Hull HU1 1AA\nReason: moved away\n";

/* A genuine referral from the portal, and a junk message that took its
 * (sequential, guessable) Message-ID first. */
#define SQUAT_ID "<portal-20261119-0007@portal.la.test>"
static const char squat_junk[] =
	"From: someone@junk.test\nTo: cme@la.test\nSubject: hello\n"
	"Date: Thu, 19 Nov 2026 09:00:00 +0000\nMessage-ID: " SQUAT_ID "\n\nnothing here\n";
static const char squat_genuine[] =
	"From: CME Portal <noreply@portal.la.test>\nTo: cme@la.test\nSubject: CME referral\n"
	"Date: Thu, 19 Nov 2026 09:05:00 +0000\nMessage-ID: " SQUAT_ID "\n"
	AR_PASS("portal.la.test") "\n"
	"Child's forename: Kai\nChild's surname: Moss\nDate of birth: 03/03/2015\n"
	"Address: 2 Oak Row, Hull HU2 2BB\nReason: moved away\n";

/* `msg` as delivered to a Maildir after the milter: trace headers and
 * X-CME-* in front, the subject tagged with `ref`, CRLF line ends. */
static void as_delivered(const char *msg, const char *ref, char *out, size_t outlen)
{
	size_t o = 0;

	o += (size_t)snprintf(out, outlen, "Return-Path: <noreply@portal.la.test>\r\n"
	                      "Delivered-To: cme@la.test\r\nReceived: from mx.la.test by "
	                      "mail.la.test with ESMTP id 4AbC; Thu, 19 Nov 2026 09:05:02 +0000\r\n"
	                      "X-CME-Action: opened\r\nX-CME-Case: %s\r\n", ref);
	for (const char *s = msg; *s && o + 64 < outlen; s++) {
		if (strncmp(s, "Subject: ", 9) == 0 && (s == msg || s[-1] == '\n')) {
			o += (size_t)snprintf(out + o, outlen - o, "Subject: [%s] ", ref);
			s += 8;
			continue;
		}
		if (*s == '\n')
			out[o++] = '\r';
		out[o++] = *s;
	}
	out[o] = '\0';
}

int main(void)
{
	struct cme_conf conf;
	struct strlist errors = STRLIST_INIT;
	struct pipeline *p;
	struct pipeline_result res;
	const char *srcdir = getenv("top_srcdir");
	char db[256], buf[4096], path[512];
	time_t now = 1795082400;   /* 2026-11-19T10:00:00Z, a Thursday */
	struct stat st;

	tap_vocabulary();
	if (mkdtemp(dir) == NULL)
		return 99;
	if (srcdir == NULL)
		srcdir = ".";
	snprintf(db, sizeof db, "%s/cases.db", dir);

	/* Store on its own: schema, references, matching, append-only. */
	{
		char err[256];
		struct case_store *cs = case_store_open(db, err, sizeof err);
		struct cme_referral r;
		struct cme_child c;
		struct case_info a, b, m;

		CHECK(cs != NULL, "the store opens and creates its schema");
		CHECK_INT(count(db, "PRAGMA user_version"), 19, "schema migrated to the current version (user_version 19)");
		CHECK(stat(db, &st) == 0 && (st.st_mode & 077) == 0, "the database file is 0600");
		referral_init(&r);
		memset(&c, 0, sizeof c);
		c.forename = "Siobhán";
		c.surname = "O'Brien-Kelly";
		c.dob = "2015-01-02";
		c.upn = "B801200005001";
		c.upn_valid = 1;
		c.year_group = -1;
		CHECK(case_store_begin(cs) == 0, "begin");
		CHECK(case_store_open_case(cs, &r, &c, 0, "duty@la.test", now, &a) == 0,
		      "a case opens");
		CHECK_STR(a.ref, "CME-2026-00001", "first reference of the year");
		CHECK(case_store_open_case(cs, &r, NULL, 1, "duty@la.test", now, &b) == 0,
		      "a triage case opens");
		CHECK_STR(b.ref, "CME-2026-00002", "references count up");
		CHECK(case_store_commit(cs) == 0, "commit");
		{
			struct cme_child same = c;

			same.upn = NULL;
			same.upn_valid = -1;
			same.forename = "siobhan";
			same.surname = "OBrien Kelly";
			CHECK_INT(case_store_match_child(cs, &same, &m), 1,
			          "name+DOB match folds accents, case, hyphens and apostrophes");
			CHECK_STR(m.ref, "CME-2026-00001", "and finds the right case");
			same.dob = "2015-01-03";
			CHECK_INT(case_store_match_child(cs, &same, &m), 0, "a different DOB is another child");
			same.upn = "B801200005001";
			same.upn_valid = 1;
			CHECK_INT(case_store_match_child(cs, &same, &m), 1, "the same valid UPN matches");
		}
		CHECK(case_store_add_event(cs, a.id, now, "note", "test", "x") == 0, "an event is added");
		/* The vocabularies: one name table each, the stored text. */
		CHECK(case_status_from_name(case_status_name(CASE_LONG_TERM)) == CASE_LONG_TERM &&
		      strcmp(case_status_name(CASE_LONG_TERM), "long-term") == 0 &&
		      deadline_status_from_name("pending") == DL_PENDING &&
		      strcmp(deadline_kind_name(DL_KIND_LONG_TERM_REVIEW), "long-term-review") == 0 &&
		      case_action_from_name("duplicate") == ACTION_DUPLICATE &&
		      case_status_from_name("Open") == CASE_STATUS_NONE &&
		      deadline_kind_from_name(NULL) == DL_KIND_NONE &&
		      case_status_name(CASE_STATUS_COUNT) == NULL,
		      "case_types: names round-trip, unknown names are NONE");
		CHECK_STR(a.status, "open", "a new case's status is the stored name");
		CHECK(a.cstatus == CASE_OPEN && b.cstatus == CASE_TRIAGE, "and its enum");
		CHECK(case_store_set_status(cs, a.id, "reopened", NULL, now) == -1 &&
		      strstr(case_store_errmsg(cs), "not a case status") != NULL,
		      "a status outside the table is refused");
		CHECK(case_store_set_deadline(cs, a.id, "home visit", now, "pending", NULL, now) == -1 &&
		      case_store_set_deadline(cs, a.id, "home-visit", now, "done", NULL, now) == -1,
		      "a deadline kind or status outside the table is refused");
		CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE status NOT IN "
		                "('open', 'visited', 'closed', 'long-term', 'triage')"), 0,
		          "and nothing of it was stored");
		CHECK(case_store_set_deadline(cs, a.id, "escalation", now + 60, "pending",
		                              "calendar-incomplete", now) == 0 &&
		      case_store_set_deadline(cs, a.id, "escalation", now + 120, "pending", NULL,
		                              now) == 0 &&
		      count(db, "SELECT count(*) FROM deadlines WHERE kind = 'escalation' AND "
		                "flags = 'calendar-incomplete'") == 1 &&
		      case_store_set_deadline(cs, a.id, "escalation", now + 120, "pending", "",
		                              now) == 0 &&
		      count(db, "SELECT count(*) FROM deadlines WHERE kind = 'escalation' AND "
		                "flags = ''") == 1,
		      "a deadline's flags are set with it; NULL keeps them, \"\" clears them");
		{
			struct case_view v;

			CHECK_INT(case_views_read_case(cs, a.ref, &v), 1, "case_views_read_case finds a case");
			CHECK(strcmp(v.ref, a.ref) == 0 && strcmp(v.forename, "Siobhán") == 0 &&
			      strcmp(v.address, "") == 0 && v.year_group == -1 && v.n_events == 1 &&
			      strcmp(v.events[0].type, "note") == 0 &&
			      strcmp(v.events[0].detail, "x") == 0 && v.opened_at == now,
			      "with its child, empty strings for unknowns and its timeline");
			case_views_free(&v);
			CHECK_INT(case_views_read_case(cs, "CME-2026-99999", &v), 0, "and 0 for no such case");
		}
		case_store_close(cs);
		CHECK_INT(count(db, "SELECT count(*) FROM events"), 1, "the event is stored");
		{
			sqlite3 *h;
			int rc;

			sqlite3_open(db, &h);
			rc = sqlite3_exec(h, "UPDATE events SET detail = 'changed'", NULL, NULL, NULL);
			sqlite3_close(h);
			CHECK(rc != SQLITE_OK, "the timeline refuses updates (append-only)");
		}
		/* A new database from here: its reference record goes too. */
		unlink(db);
		snprintf(path, sizeof path, "%s.refs", db);
		unlink(path);
	}

	/* The pipeline's decisions. */
	conf_defaults(&conf);
	free(conf.database);
	conf.database = strdup(db);
	free(conf.policy_dir);
	snprintf(path, sizeof path, "%s/policies", srcdir);
	conf.policy_dir = strdup(path);
	free(conf.calendar_dir);
	snprintf(path, sizeof path, "%s/calendars", srcdir);
	conf.calendar_dir = strdup(path);
	free(conf.reminder_dir);
	snprintf(path, sizeof path, "%s/reminders", dir);
	conf.reminder_dir = strdup(path);
	conf.duty_officer = strdup("duty@la.test");
	strlist_add(&conf.mailboxes, "cme@la.test");
	strlist_add(&conf.trusted_authserv_ids, "mx.la.test");
	strlist_add(&conf.trusted_sender_domains, "la.test");
	strlist_add(&conf.trusted_sender_domains, "*.sch.test");
	strlist_add(&conf.public_suffixes, "sch.test");
	strlist_free(&conf.internal_hosts);
	p = pipeline_new(&conf, &errors);
	CHECK(p != NULL, "the pipeline starts with the default policy");
	if (p == NULL) {
		for (size_t i = 0; i < errors.n; i++)
			printf("# %s\n", errors.v[i]);
		return tap_done();
	}
	pipeline_result_init(&res);

	CHECK(process(p, referral, NULL, &res, now) == 0, "a referral is committed");
	CHECK_STR(res.action, "opened", "and opens a case");
	CHECK(res.refs.n == 1 && strcmp(res.refs.v[0], "CME-2026-00001") == 0, "CME-2026-00001");
	CHECK_INT(count(db, "SELECT count(*) FROM deadlines WHERE status='pending'"), 3,
	          "three deadlines: home visit, escalation, long-term review");
	CHECK_INT(count(db, "SELECT due FROM deadlines WHERE kind='home-visit'"), 1795539600,
	          "home visit due at 17:00 on the 3rd working day (Tue 24 Nov 2026)");
	snprintf(path, sizeof path, "%s/reminders/duty@la.test.ics", dir);
	CHECK(stat(path, &st) == 0 && st.st_size > 0, "the duty officer's feed is written");
	{
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

		buf[n] = '\0';
		if (f)
			fclose(f);
		CHECK(strstr(buf, "UID:CME-2026-00001-home-visit-1@la.test\r\n") != NULL,
		      "the feed holds the home-visit event, UID REF-KIND-1@CalendarDomain (the "
		      "Mailbox's domain), never the host name");
		CHECK(strstr(buf, "O'Brien") == NULL && strstr(buf, "OBrien") == NULL &&
		      strstr(buf, "2016-09-21") == NULL && strstr(buf, "Elm Row") == NULL,
		      "ReminderDetail minimal: no name, DOB or address in the feed");
	}

	CHECK(process(p, referral, NULL, &res, now + 60) == 0, "the same message again");
	CHECK_STR(res.action, "duplicate", "is a duplicate");
	CHECK_INT(count(db, "SELECT count(*) FROM cases"), 1, "and opens nothing");

	/* A second referral for the same child (new Message-ID) updates. */
	{
		char again[2048];

		snprintf(again, sizeof again, "%s", referral);
		memcpy(strstr(again, "ref-1"), "ref-2", 5);
		CHECK(process(p, again, NULL, &res, now + 120) == 0, "a second referral for the child");
		CHECK_STR(res.action, "updated", "updates the open case");
		CHECK_INT(count(db, "SELECT count(*) FROM cases"), 1, "never duplicates it");
	}

	/* An unauthenticated "located" changes nothing. */
	CHECK(process(p, "From: Ann Lee <a.lee@oak.sch.test>\nTo: cme@la.test\n"
	              "Subject: RE: [CME-2026-00001] CME referral\nMessage-ID: <spoof@x.test>\n"
	              "Authentication-Results: evil.test; dkim=pass header.d=oak.sch.test\n\n"
	              "Outcome: located - on roll at another school\n", "192.0.2.7", &res, now + 180) == 0,
	      "a spoofed close is processed");
	CHECK_STR(res.action, "unverified", "is unverified (forged Authentication-Results ignored)");
	CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE status='closed'"), 0, "the case stays open");

	/* An authenticated home visit meets the home-visit deadline. */
	CHECK(process(p, "From: Tom Reilly <t.reilly@la.test>\nTo: cme@la.test\n"
	              "Subject: Home visit - CME-2026-00001\nMessage-ID: <v1@la.test>\n"
	              AR_PASS("la.test") "\n"
	              "Visit date: 19/11/2026\nOutcome: no answer at the property\n", NULL, &res,
	              now + 240) == 0, "a home-visit outcome is processed");
	CHECK_STR(res.action, "updated", "and updates the case");
	CHECK_INT(count(db, "SELECT count(*) FROM deadlines WHERE kind='home-visit' AND status='met'"), 1,
	          "the home-visit deadline is met");
	CHECK_INT(count(db, "SELECT sequence FROM deadlines WHERE kind='home-visit'"), 1,
	          "its SEQUENCE rose");

	/* An authenticated located closes the case and cancels the rest. */
	CHECK(process(p, "From: Ann Lee <a.lee@oak.sch.test>\nTo: cme@la.test\n"
	              "Subject: RE: CME referral\nMessage-ID: <close@oak.sch.test>\n"
	              "In-Reply-To: <ref-1@oak.sch.test>\n" AR_PASS("oak.sch.test") "\n"
	              "Outcome: located - on roll at Westbourne Academy\n", NULL, &res, now + 300) == 0,
	      "a located reply threaded by In-Reply-To is processed");
	CHECK_STR(res.action, "closed", "and closes the case");
	CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE status='closed' AND outcome='located-on-roll'"), 1,
	          "closed as located-on-roll");
	CHECK_INT(count(db, "SELECT count(*) FROM deadlines WHERE status='pending'"), 0,
	          "no deadline is left pending");

	/* Unparseable mail becomes a triage case, never nothing. */
	CHECK(process(p, "From: x@y.test\nTo: cme@la.test\nSubject: ???\nMessage-ID: <junk@y.test>\n\n"
	              "\x01\x02 binary junk\n", NULL, &res, now + 360) == 0, "junk is processed");
	CHECK_STR(res.action, "triage", "and opens a triage case");

	/* SPEC 5.3: an unauthenticated referral of a child whose case is
	 * closed opens a new case linked to the closed one, which stays as
	 * it was (status, outcome, verified, no deadline back). */
	{
		char again[2048], *json;
		char err[256];
		struct case_store *cs;

		snprintf(again, sizeof again, "%s", referral);
		memcpy(strstr(again, "ref-1"), "ref-3", 5);
		memmove(strstr(again, "Authentication-Results:"), "X-Nothing:", 10);
		CHECK(process(p, again, "192.0.2.9", &res, now + 400) == 0,
		      "an unauthenticated referral for the closed child is processed");
		CHECK_STR(res.action, "opened", "and opens a case");
		CHECK(res.refs.n == 1 && strcmp(res.refs.v[0], "CME-2026-00001") != 0,
		      "a new case, not the closed CME-2026-00001");
		CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE ref = 'CME-2026-00001' AND "
		                "status = 'closed' AND outcome = 'located-on-roll' AND verified = 1 "
		                "AND closed_at IS NOT NULL"), 1,
		          "the closed case keeps its status, outcome and verified");
		CHECK_INT(count(db, "SELECT count(*) FROM deadlines d JOIN cases c ON c.id = d.case_id "
		                "WHERE c.ref = 'CME-2026-00001' AND d.status = 'pending'"), 0,
		          "and gets no deadline back");
		CHECK_INT(count(db, "SELECT count(*) FROM cases n JOIN cases o ON o.id = n.previous_case "
		                "WHERE o.ref = 'CME-2026-00001' AND n.status = 'open' AND n.verified = 0"), 1,
		          "the new case (unverified) names the closed one as its previous case");
		cs = case_store_open(db, err, sizeof err);
		json = cs && res.refs.n ? case_views_show_json(cs, res.refs.v[0]) : NULL;
		CHECK(json && strstr(json, "\"previous_case\": \"CME-2026-00001\"") != NULL,
		      "cmectl show of the new case has previous_case: CME-2026-00001");
		free(json);
		json = cs ? case_views_show_json(cs, "CME-2026-00001") : NULL;
		CHECK(json && res.refs.n && strstr(json, "\"later_cases\"") &&
		      strstr(json, res.refs.v[0]) != NULL,
		      "and the closed case lists it in later_cases");
		free(json);
		case_store_close(cs);
	}

	/* SPEC 5.2: Message-ID squatting.  A junk message sent first with
	 * the portal's next Message-ID must not swallow the genuine referral
	 * that follows; a true resend is still a duplicate. */
	{
		static char copy[8192];
		char junk_ref[CASE_REF_MAX] = "", real_ref[CASE_REF_MAX] = "";
		long long before;

		CHECK(process(p, squat_junk, "192.0.2.66", &res, now + 500) == 0 &&
		      strcmp(res.action, "triage") == 0 && res.refs.n == 1,
		      "squat: the junk message opens a triage case");
		if (res.refs.n)
			snprintf(junk_ref, sizeof junk_ref, "%s", res.refs.v[0]);
		CHECK(process(p, squat_genuine, NULL, &res, now + 560) == 0, "squat: the genuine referral");
		CHECK_STR(res.action, "opened", "squat: the genuine referral is not a duplicate: it opens");
		if (res.refs.n)
			snprintf(real_ref, sizeof real_ref, "%s", res.refs.v[0]);
		CHECK(real_ref[0] && strcmp(real_ref, junk_ref) != 0, "squat: a case of its own");
		CHECK_INT(count(db, "SELECT count(*) FROM children ch JOIN cases c ON c.id = ch.case_id "
		                "WHERE ch.surname = 'Moss' AND c.status = 'open'"), 1,
		          "squat: the child of the genuine referral has a case");
		CHECK_INT(count(db, "SELECT count(DISTINCT c.status) FROM events e JOIN cases c ON "
		                "c.id = e.case_id WHERE e.detail LIKE '%" SQUAT_ID "%used%different%'"), 2,
		          "squat: the reuse is noted on both timelines (triage and open case)");
		before = count(db, "SELECT count(*) FROM cases");
		as_delivered(squat_genuine, real_ref, copy, sizeof copy);
		CHECK(process(p, copy, NULL, &res, now + 620) == 0, "squat: the genuine one again, as delivered");
		CHECK_STR(res.action, "duplicate",
		          "a resend with trace and X-CME headers, tagged subject and CRLF is a duplicate");
		CHECK(res.refs.n == 1 && strcmp(res.refs.v[0], real_ref) == 0,
		      "which names the genuine referral's case");
		as_delivered(squat_junk, junk_ref, copy, sizeof copy);
		CHECK(process(p, copy, "192.0.2.66", &res, now + 680) == 0 &&
		      strcmp(res.action, "duplicate") == 0, "and the junk again is a duplicate too");
		CHECK_INT(count(db, "SELECT count(*) FROM cases"), before, "squat: resends open nothing");
	}

	/* Without a Message-ID the content digest alone is the key. */
	{
		static char copy[4096];
		static const char noid[] = "From: x@y.test\nTo: cme@la.test\nSubject: pupil\n"
			"Date: Thu, 19 Nov 2026 09:10:00 +0000\n\nName: Lee Noid\nDOB: 01/02/2015\n";

		CHECK(process(p, noid, NULL, &res, now + 700) == 0 && strcmp(res.action, "opened") == 0,
		      "a referral without a Message-ID opens a case");
		as_delivered(noid, res.refs.n ? res.refs.v[0] : "", copy, sizeof copy);
		CHECK(process(p, copy, NULL, &res, now + 760) == 0 && strcmp(res.action, "duplicate") == 0,
		      "and, delivered and ingested again, is a duplicate");
		CHECK_STR(msg_digest_untagged("[URGENT] [CME-2026-00001] [CME-2026-00002] CP plan"),
		          "CP plan", "the digest reads the subject without our tags");
	}

	/* Database unwritable: nothing is reported as done. */
	if (geteuid() != 0) {
		chmod(db, 0400);
		CHECK(process(p, "From: a@b.test\nTo: cme@la.test\nMessage-ID: <ro@b.test>\n\n"
		              "Name: Al Ro\nDOB: 01/01/2015\n", NULL, &res, now + 420) != 0,
		      "a read-only database makes the pipeline fail (so the milter tempfails)");
		chmod(db, 0600);
	} else {
		/* root ignores file modes: hold the write lock instead */
		sqlite3 *h;

		sqlite3_open(db, &h);
		sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		CHECK(process(p, "From: a@b.test\nTo: cme@la.test\nMessage-ID: <ro@b.test>\n\n"
		              "Name: Al Ro\nDOB: 01/01/2015\n", NULL, &res, now + 420) != 0,
		      "a database locked by another process makes the pipeline fail (milter tempfails)");
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(h);
	}
	CHECK_INT(count(db, "SELECT count(*) FROM messages WHERE msg_key='<ro@b.test>'"), 0,
	          "and nothing of that message was stored");

	/* The long-term sweep (issue 10, item 15): a case past its review
	 * becomes long-term and its review event leaves the feed now. */
	{
		char ref[64], uid[128];

		CHECK(process(p, "From: Ann Lee <a.lee@oak.sch.test>\nTo: cme@la.test\n"
		              "Subject: CME referral\nMessage-ID: <lt-1@oak.sch.test>\n"
		              AR_PASS("oak.sch.test") "\n"
		              "Child name: Lara Longterm\nDate of birth: 03/04/2014\n"
		              "Reason: whereabouts unknown\n", NULL, &res, now) == 0 && res.refs.n == 1,
		      "a referral to sweep");
		snprintf(ref, sizeof ref, "%s", res.refs.n ? res.refs.v[0] : "");
		snprintf(uid, sizeof uid, "%s-long-term-review-1@la.test", ref);
		snprintf(path, sizeof path, "%s/reminders/duty@la.test.ics", dir);
		CHECK(file_has(path, uid), "its review is in the feed");
		CHECK(pipeline_sweep(p, now + 200 * 86400) >= 1, "the sweep six months on moves it");
		snprintf(buf, sizeof buf, "SELECT count(*) FROM cases WHERE ref = '%s' AND status = 'long-term'", ref);
		CHECK_INT(count(db, buf), 1, "the case is long-term");
		CHECK(!file_has(path, uid), "and its review event has left the feed");
	}
	test_seals(p, db, now);
	test_claimants();
	test_reminder_text(&conf);
	test_uids(&conf);

	/* Subject tags: once, never doubled on replies. */
	{
		struct pipeline_result t;
		char *s;

		pipeline_result_init(&t);
		strlist_add(&t.refs, "CME-2026-00001");
		s = pipeline_tag_subject("CME referral", &t);
		CHECK_STR(s, "[CME-2026-00001] CME referral", "the subject is tagged");
		free(s);
		CHECK(pipeline_tag_subject("RE: [CME-2026-00001] CME referral", &t) == NULL,
		      "a reply already tagged is not tagged again");
		t.immediate = 1;
		s = pipeline_tag_subject("CP plan", &t);
		CHECK_STR(s, "[URGENT] [CME-2026-00001] CP plan", "[URGENT] for immediate flags");
		free(s);
		s = pipeline_tag_subject("URGENT referral", &t);
		CHECK_STR(s, "[CME-2026-00001] URGENT referral", "one URGENT when the sender wrote it");
		free(s);
		pipeline_result_free(&t);
	}

	pipeline_result_free(&res);
	pipeline_free(p);
	conf_free(&conf);
	strlist_free(&errors);
	snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
	if (system(buf) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
