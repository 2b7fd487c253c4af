/*
 * test_store - the case store and the pipeline's decisions, on a
 * database in a temporary directory (real SQLite, no mocks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "case_store.h"
#include "conf.h"
#include "pipeline.h"
#include "referral.h"
#include "tap.h"

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

#define AR_PASS(d) "Authentication-Results: mx.la.test; dkim=pass header.d=" d "; dmarc=pass header.from=" d "\n"

static const char referral[] =
	"From: Ann Lee <a.lee@oak.sch.test>\nTo: cme@la.test\nSubject: CME referral\n"
	"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <ref-1@oak.sch.test>\n"
	AR_PASS("oak.sch.test") "\n"
	"Child's forename: Zoë\nChild's surname: O'Brien\nDate of birth: 21/09/2016\n"
	"UPN: B801200005001\nAddress: 1 Elm Row, Hull HU1 1AA\nReason: moved away\n";

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
		CHECK_INT(count(db, "PRAGMA user_version"), 6, "schema migrated to the current version (user_version 6)");
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
		CHECK(strstr(buf, "CME-2026-00001-home-visit@") != NULL, "the feed holds the home-visit event");
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
