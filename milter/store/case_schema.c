/*
 * NAME
 *	case_schema.c - the case store's schema, as the list of migrations
 *	that build it.  See case_store_sql.h.
 *
 * OWNS
 *	Every CREATE and ALTER of the database.  Entry N moves a database
 *	from PRAGMA user_version N to N + 1; case_store.c's migrate() runs
 *	each inside the transaction that records the new version, so a
 *	crash mid-migration leaves the old schema.  Entries are only ever
 *	appended: a database in the field is at some entry of this list.
 */
#include "case_store_sql.h"

const char *const case_store_migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  status TEXT NOT NULL,"             /* open visited closed long-term triage */
	"  outcome TEXT,"
	"  opened_at INTEGER NOT NULL,"
	"  closed_at INTEGER,"
	"  officer TEXT NOT NULL,"
	"  referrer_name TEXT, referrer_email TEXT, referrer_org TEXT,"
	"  flags TEXT NOT NULL DEFAULT '',"
	"  immediate INTEGER NOT NULL DEFAULT 0,"
	"  verified INTEGER NOT NULL DEFAULT 0,"
	"  sibling_group INTEGER,"
	"  problems TEXT);"
	"CREATE INDEX cases_status ON cases(status);"
	"CREATE TABLE children ("
	"  case_id INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,"
	"  forename TEXT, surname TEXT, dob TEXT, gender TEXT,"
	"  upn TEXT, upn_valid INTEGER, year_group INTEGER,"
	"  address TEXT, postcode TEXT, school TEXT, last_attended TEXT,"
	"  reason TEXT, new_school TEXT,"
	"  match_key TEXT);"
	"CREATE INDEX children_upn ON children(upn) WHERE upn_valid = 1;"
	"CREATE INDEX children_match ON children(match_key);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  msg_key TEXT NOT NULL UNIQUE,"
	"  message_id TEXT,"
	"  received_at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  from_addr TEXT);"
	"CREATE INDEX messages_mid ON messages(message_id);"
	"CREATE TABLE message_cases ("
	"  message_row INTEGER NOT NULL REFERENCES messages(id),"
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (message_row, case_id));"
	"CREATE INDEX message_cases_case ON message_cases(case_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX events_case ON events(case_id, at);"
	/* The timeline is append-only: only a retention purge deletes. */
	"CREATE TRIGGER events_append_only BEFORE UPDATE ON events "
	"  BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;"
	"CREATE TABLE deadlines ("
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  due INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"             /* pending met cancelled fired */
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (case_id, kind));"
	"CREATE TABLE ref_counter (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);",

	/* 2: find due deadlines without a scan (long-term sweep, overdue
	 * lists, reports); keep a record of retention purges. */
	"CREATE INDEX deadlines_due ON deadlines(kind, status, due);"
	"CREATE INDEX children_dob ON children(dob);"
	"CREATE TABLE purges ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  cutoff_dob TEXT NOT NULL,"
	"  cases INTEGER NOT NULL,"
	"  source TEXT NOT NULL);",

	/* 3: iMIP reminder mails wait here, committed with the case change
	 * that caused them, until the MTA has taken them. */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  message TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(sent_at, next_attempt_at);",

	/* 4: exactly-once reminders.  Each mail's Message-ID is recorded so
	 * the milter can see it pass through the MTA (and mark it sent, or
	 * discard a second copy); claimed_by names the sender holding it. */
	"ALTER TABLE outbox ADD COLUMN message_id TEXT;"
	"ALTER TABLE outbox ADD COLUMN claimed_by TEXT;"
	"CREATE UNIQUE INDEX outbox_message_id ON outbox(message_id);",

	/* 5: feeds read only the pending deadlines, and list officers, without
	 * walking every case the LA ever had. */
	"CREATE INDEX deadlines_pending ON deadlines(case_id) WHERE status = 'pending';"
	"CREATE INDEX cases_officer ON cases(officer);",

	/* 6 (reference guard): the database's random id, which the record
	 * of issued references (DATABASE.refs, store_guard.c) names, so that
	 * a truncated or recreated database is told from the one it was. */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('database-id', lower(hex(randomblob(16))));",

	/* 7 (sealed echoes): a reminder mail is sent with a seal, an HMAC of
	 * its Message-ID under this key (imip_seal), so that only our own
	 * mails are taken for our own when the milter sees them pass; and
	 * echoed_at and echoed_copy record that a copy did pass and which
	 * (each submission is a copy with an id of its own): the same copy
	 * seen again is the MTA retrying it and goes on, another copy is a
	 * resend and is a duplicate.  (Not sent_at: the sender may record
	 * its submission before or after the MTA shows us the mail.) */
	"ALTER TABLE outbox ADD COLUMN echoed_at INTEGER;"
	"ALTER TABLE outbox ADD COLUMN echoed_copy TEXT;"
	"INSERT INTO meta (key, value) VALUES ('reminder-seal-key', lower(hex(randomblob(32))));",

	/* 8: message digests and previous cases (case_links.c).  SPEC 5.2:
	 * a message is the one already seen only with the same Message-ID
	 * and content digest (NULL on rows from before: the same, as then).
	 * SPEC 5.3: a case opened for a child whose case is closed names
	 * that case. */
	"ALTER TABLE messages ADD COLUMN digest TEXT;"
	"ALTER TABLE cases ADD COLUMN previous_case INTEGER REFERENCES cases(id) ON DELETE SET NULL;"
	"CREATE INDEX cases_previous ON cases(previous_case) WHERE previous_case IS NOT NULL;",

	/* 9: a hyphen parts forenames like a space (case_match.c): keys of
	 * hyphenated forenames made before are remade. */
	"UPDATE children SET match_key = cme_match_key(surname, forename, dob)"
	" WHERE match_key IS NOT NULL AND forename LIKE '%-%';",

	/* 10: possible duplicates (case_dupes.c, SPEC 5.1): a new case that
	 * resembles another, for an officer to merge or dismiss. */
	"CREATE TABLE possible_duplicates ("
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  other_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  why TEXT NOT NULL, at INTEGER NOT NULL,"
	"  PRIMARY KEY (case_id, other_id));"
	"CREATE INDEX possible_duplicates_other ON possible_duplicates(other_id);",

	/* 11: reports that hold (case_report.c, SPEC 5.5).  A month's
	 * figures are computed from history, never from the rows as they
	 * are now: a reopen rewrites a case's status and its deadlines.
	 * case_history: the case's status and outcome after each timeline
	 * event that changed them (every state change writes an event,
	 * SPEC 5.4), at the event's time, never earlier than the last.
	 * deadline_history: every deadline row as it was set or changed (at
	 * its updated_at).  deadlines.done_at: when the thing that met the
	 * deadline happened (a visit's own date), not when it was recorded.
	 * Both histories are filled by triggers, so that every writer of
	 * cases and deadlines feeds them; rows from before are backfilled. */
	"ALTER TABLE deadlines ADD COLUMN done_at INTEGER;"
	"CREATE TABLE case_history ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL, status TEXT NOT NULL, outcome TEXT);"
	"CREATE INDEX case_history_case ON case_history(case_id, at);"
	"CREATE TABLE deadline_history ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL, due INTEGER NOT NULL, status TEXT NOT NULL,"
	"  at INTEGER NOT NULL, done_at INTEGER);"
	"CREATE INDEX deadline_history_case ON deadline_history(case_id, kind, due);"
	"CREATE INDEX deadline_history_due ON deadline_history(due);"
	"INSERT INTO case_history (case_id, at, status, outcome)"
	" SELECT id, opened_at, CASE WHEN status = 'closed' THEN 'open' ELSE status END, NULL"
	" FROM cases ORDER BY id;"
	"INSERT INTO case_history (case_id, at, status, outcome)"
	" SELECT id, closed_at, status, outcome FROM cases"
	" WHERE status = 'closed' AND closed_at IS NOT NULL ORDER BY id;"
	"INSERT INTO deadline_history (case_id, kind, due, status, at, done_at)"
	" SELECT case_id, kind, due, status, updated_at, NULL FROM deadlines;"
	"CREATE TRIGGER case_history_on_event AFTER INSERT ON events BEGIN"
	"  INSERT INTO case_history (case_id, at, status, outcome)"
	"  SELECT c.id, max(new.at, coalesce((SELECT max(at) FROM case_history"
	"    WHERE case_id = c.id), new.at)), c.status, c.outcome"
	"  FROM cases c WHERE c.id = new.case_id AND NOT EXISTS (SELECT 1 FROM"
	"    (SELECT status, outcome FROM case_history WHERE case_id = c.id"
	"     ORDER BY id DESC LIMIT 1) h WHERE h.status = c.status AND h.outcome IS c.outcome);"
	"END;"
	"CREATE TRIGGER deadline_history_on_insert AFTER INSERT ON deadlines BEGIN"
	"  INSERT INTO deadline_history (case_id, kind, due, status, at, done_at)"
	"  VALUES (new.case_id, new.kind, new.due, new.status, new.updated_at, new.done_at);"
	"END;"
	"CREATE TRIGGER deadline_history_on_update AFTER UPDATE ON deadlines"
	"  WHEN old.due IS NOT new.due OR old.status IS NOT new.status"
	"    OR old.done_at IS NOT new.done_at BEGIN"
	"  INSERT INTO deadline_history (case_id, kind, due, status, at, done_at)"
	"  VALUES (new.case_id, new.kind, new.due, new.status, new.updated_at, new.done_at);"
	"END;",

	/* 12 (reminders, issue 14): event UIDs are REF-KIND-GENERATION@
	 * CalendarDomain (SPEC 7).  generation rises when a case is
	 * reopened, so its new events never reuse a cancelled UID; set_at
	 * is when the deadline was set (its alerts are computed from it);
	 * flags holds "calendar-incomplete" (SPEC 6).  legacy_uid keeps the
	 * UID an event already had in the officer's calendar under the old
	 * REF-KIND@host form (found in the outbox), so that it can still be
	 * updated and cancelled; a reopen clears it. */
	"ALTER TABLE cases ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE deadlines ADD COLUMN set_at INTEGER;"
	"ALTER TABLE deadlines ADD COLUMN flags TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE deadlines ADD COLUMN legacy_uid TEXT;"
	"UPDATE deadlines SET legacy_uid = (SELECT o.uid FROM outbox o"
	"  WHERE o.case_id = deadlines.case_id AND o.uid LIKE"
	"  (SELECT c.ref FROM cases c WHERE c.id = deadlines.case_id) || '-' || deadlines.kind || '@%'"
	"  ORDER BY o.id DESC LIMIT 1);",

	/* 13 (issue 14, the sender's daily work): what was sent once per
	 * case and day or officer and day (the digest, a repeated immediate
	 * escalation), so that a restart never sends it twice (case_duty.c). */
	"CREATE TABLE duty_sent (key TEXT PRIMARY KEY, at INTEGER NOT NULL);",

	/* 14: where each of the child's fields was read (issue 12 item 9):
	 * "field<TAB>value<TAB>where" lines from the extractor, shown by
	 * cmectl show; NULL on rows from before. */
	"ALTER TABLE children ADD COLUMN provenance TEXT;",

	/* 15: officer actions (case_edit.c).  merged_into names the case a
	 * duplicate was folded into;
	 * transferred_la and transferred_email the LA a child moved to;
	 * case_parties the schools and referrers a case gained from a
	 * merged duplicate (the case's own stay in children and cases). */
	"ALTER TABLE cases ADD COLUMN merged_into INTEGER REFERENCES cases(id) ON DELETE SET NULL;"
	"ALTER TABLE cases ADD COLUMN transferred_la TEXT;"
	"ALTER TABLE cases ADD COLUMN transferred_email TEXT;"
	"CREATE INDEX cases_merged ON cases(merged_into) WHERE merged_into IS NOT NULL;"
	"CREATE TABLE case_parties ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL,"               /* school, referrer */
	"  name TEXT, email TEXT, org TEXT,"
	"  from_case INTEGER REFERENCES cases(id) ON DELETE SET NULL,"
	"  added_at INTEGER NOT NULL);"
	"CREATE INDEX case_parties_case ON case_parties(case_id);",

	/* 16: learning from corrections (SPEC 5.7, case_learn.c).
	 * unknown_records: a message's "Label: value" records whose label
	 * the vocabulary did not know (messages that opened or updated a
	 * case), with its From domain and whether the sender was
	 * authenticated; learned_labels: what officers' corrections taught,
	 * per sender domain (label normalised as vocab_label compares). */
	"CREATE TABLE unknown_records ("
	"  id INTEGER PRIMARY KEY,"
	"  message_row INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  domain TEXT NOT NULL,"
	"  authenticated INTEGER NOT NULL,"
	"  label TEXT NOT NULL,"
	"  value TEXT NOT NULL);"
	"CREATE INDEX unknown_records_message ON unknown_records(message_row);"
	"CREATE TABLE learned_labels ("
	"  domain TEXT NOT NULL,"
	"  label TEXT NOT NULL,"
	"  label_as_written TEXT NOT NULL,"
	"  field TEXT NOT NULL,"
	"  learned_at INTEGER NOT NULL,"
	"  taught_by TEXT NOT NULL,"
	"  case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,"
	"  PRIMARY KEY (domain, label));",

	/* 17: whom a case's reminders went to (case_store_outbox_invited):
	 * the EscalationContact is no longer invited to every case's
	 * escalation, only told of what needs a manager (outbox.c). */
	"CREATE INDEX outbox_case ON outbox(case_id, recipient);",

	/* 18: a possible duplicate is also the same UPN whether or not its
	 * check letter is valid (case_dupes.c): the UPN index covers every
	 * UPN, so that query, like matching's (upn_valid = 1, filtered on
	 * the index's rows), is a lookup and not a scan of every case. */
	"DROP INDEX children_upn;"
	"CREATE INDEX children_upn ON children(upn) WHERE upn IS NOT NULL;",

	/* 19: the date-of-birth arm of the possible-duplicate query reads
	 * only the children of cases not closed: children.case_open, kept
	 * by a trigger on the case's status, and the DOB index partial on
	 * it.  An LA's history is mostly closed cases; with the whole
	 * history indexed, each new case read every child ever referred
	 * with its date of birth (~170 at a million cases). */
	"ALTER TABLE children ADD COLUMN case_open INTEGER NOT NULL DEFAULT 1;"
	"UPDATE children SET case_open = (SELECT c.status <> 'closed' FROM cases c"
	"  WHERE c.id = children.case_id);"
	"DROP INDEX children_dob;"
	"CREATE INDEX children_dob ON children(dob) WHERE case_open = 1;"
	"CREATE TRIGGER children_case_open AFTER UPDATE OF status ON cases"
	"  WHEN (old.status = 'closed') <> (new.status = 'closed') BEGIN"
	"  UPDATE children SET case_open = (new.status <> 'closed') WHERE case_id = new.id;"
	"END;",
};

const int case_store_schema_version =
	(int)(sizeof case_store_migrations / sizeof case_store_migrations[0]);
