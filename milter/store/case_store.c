/*
 * case_store.c - cases, children, messages, deadlines and the timeline
 * in SQLite.  See case_store.h.
 *
 * Owns: the database file, its schema and every SQL statement.  All
 * values are bound parameters; no text from a message is ever spliced
 * into SQL.  The schema version lives in PRAGMA user_version; each entry
 * of `migrations` moves the schema one version up, inside the same
 * transaction that records the new version, so a crash mid-migration
 * leaves the old schema intact.
 *
 * Journal: WAL, synchronous=FULL.  A case must survive a power cut the
 * moment the milter has said "accepted" to Postfix, so every commit is
 * synced; WAL keeps that cheap (one fsync per commit, readers never
 * block the writer).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "case_links.h"
#include "case_store.h"
#include "store_guard.h"
#include "case_store_sql.h"
#include "strbuf.h"
#include "vocab.h"

#define BUSY_TIMEOUT_MS 5000   /* another writer (cmectl) may hold the lock */

/*
 * Prepared statements are cached per connection, keyed by the SQL text's
 * address (every statement is a string literal here), so a connection
 * that lives across messages parses each statement once.  A statement
 * is marked busy from prepare() to release(); asking for one that is
 * busy (a nested use of the same SQL) prepares a private copy.
 */
#define STMT_CACHE 64

struct cached_stmt {
	const char *sql;
	sqlite3_stmt *st;
	int busy;
};

struct case_store {
	sqlite3 *db;
	char *path;
	struct ref_conn refs;         /* the reference guard's view (store_guard.h) */
	char errmsg[256];
	struct cached_stmt cache[STMT_CACHE];
	size_t ncache;
};

/* ------------------------------------------------------------------ */
/* Schema.                                                              */

static const char *const migrations[] = {
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
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static int store_fail(struct case_store *cs, const char *what)
{
	snprintf(cs->errmsg, sizeof cs->errmsg, "%s: %s", what,
	         cs->db ? sqlite3_errmsg(cs->db) : "no database");
	return -1;
}

static int exec(struct case_store *cs, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(cs->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		snprintf(cs->errmsg, sizeof cs->errmsg, "%s", err ? err : "sqlite error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int migrate(struct case_store *cs)
{
	sqlite3_stmt *st;
	int version;

	if (sqlite3_prepare_v2(cs->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_fail(cs, "reading schema version");
	version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (version > SCHEMA_VERSION) {
		snprintf(cs->errmsg, sizeof cs->errmsg,
		         "database schema %d is newer than this program (%d)", version, SCHEMA_VERSION);
		return -1;
	}
	while (version < SCHEMA_VERSION) {
		char pragma[64];

		if (exec(cs, "BEGIN IMMEDIATE") != 0)
			return -1;
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version + 1);
		if (exec(cs, migrations[version]) != 0 || exec(cs, pragma) != 0) {
			(void)sqlite3_exec(cs->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (exec(cs, "COMMIT") != 0)
			return -1;
		version++;
	}
	return 0;
}

struct case_store *case_store_open(const char *path, char *err, size_t errlen)
{
	struct case_store *cs = calloc(1, sizeof *cs);
	mode_t old;
	int rc;

	if (cs == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* A database we cannot write is an error now, before SQLite opens it
	 * read-only and creates its -wal/-shm files read-only too (which
	 * would outlive the fault).  Files of ours left read-only by such an
	 * earlier fault are given back their owner's write bit. */
	if (strcmp(path, ":memory:") != 0 && access(path, F_OK) == 0) {
		struct stat st;
		static const char *const suffix[] = { "-wal", "-shm" };

		if (access(path, R_OK | W_OK) != 0) {
			snprintf(err, errlen, "%s: not writable: %s", path, strerror(errno));
			free(cs);
			return NULL;
		}
		for (size_t i = 0; i < 2; i++) {
			char side[4096];

			snprintf(side, sizeof side, "%s%s", path, suffix[i]);
			if (stat(side, &st) == 0 && st.st_uid == geteuid() && !(st.st_mode & S_IWUSR))
				(void)chmod(side, (st.st_mode & 07777) | S_IWUSR);
		}
	}
	/* Safeguarding data: the file is created 0600 whatever the umask. */
	old = umask(077);
	rc = sqlite3_open_v2(path, &cs->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                     SQLITE_OPEN_NOMUTEX, NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, cs->db ? sqlite3_errmsg(cs->db) : "cannot open");
		case_store_close(cs);
		return NULL;
	}
	if ((cs->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		case_store_close(cs);
		return NULL;
	}
	sqlite3_busy_timeout(cs->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(cs->db, 1);
	/* A page cache of 32 MB and reads through mmap: an LA's database of
	 * a million cases (about 1 GB) keeps its indexes' hot pages in
	 * memory, so a message costs the same at any size. */
	if (exec(cs, "PRAGMA journal_mode=WAL") != 0 ||
	    exec(cs, "PRAGMA synchronous=FULL") != 0 ||
	    exec(cs, "PRAGMA cache_size=-32768") != 0 ||
	    exec(cs, "PRAGMA mmap_size=268435456") != 0 ||
	    exec(cs, "PRAGMA foreign_keys=ON") != 0 ||
	    migrate(cs) != 0) {
		snprintf(err, errlen, "%s: %s", path, cs->errmsg);
		case_store_close(cs);
		return NULL;
	}
	return cs;
}

void case_store_close(struct case_store *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->ncache; i++)
		sqlite3_finalize(cs->cache[i].st);
	sqlite3_close_v2(cs->db);
	free(cs->path);
	free(cs);
}

const char *case_store_errmsg(struct case_store *cs)
{
	return cs->errmsg;
}

int case_store_begin(struct case_store *cs)
{
	store_guard_txn_begin(&cs->refs);
	return exec(cs, "BEGIN IMMEDIATE");
}

int case_store_check_refs(struct case_store *cs, char *err, size_t errlen)
{
	return store_guard_check(cs->db, cs->path, err, errlen);
}

int case_store_accept_restore(struct case_store *cs, char *msg, size_t msglen)
{
	return store_guard_accept(cs->db, cs->path, msg, msglen);
}

void case_store_release_refs(const char *path)
{
	store_guard_release(path);
}

int case_store_quick_check(const char *path, char *err, size_t errlen)
{
	return store_guard_quick_check(path, err, errlen);
}

int case_store_commit(struct case_store *cs)
{
	return exec(cs, "COMMIT");
}

void case_store_rollback(struct case_store *cs)
{
	(void)sqlite3_exec(cs->db, "ROLLBACK", NULL, NULL, NULL);
}

/* One message inside a batch transaction. */
int case_store_savepoint(struct case_store *cs)
{
	return exec(cs, "SAVEPOINT message");
}

int case_store_release(struct case_store *cs)
{
	return exec(cs, "RELEASE message");
}

void case_store_rollback_to(struct case_store *cs)
{
	/* ROLLBACK TO keeps the savepoint open: release it as well. */
	(void)sqlite3_exec(cs->db, "ROLLBACK TO message; RELEASE message", NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Statement helpers.  Statements are prepared per call: a connection
 * lives for one message, so a cache would not pay for itself.          */

static sqlite3_stmt *prepare(struct case_store *cs, const char *sql)
{
	sqlite3_stmt *st = NULL;
	size_t i;

	for (i = 0; i < cs->ncache; i++)
		if (cs->cache[i].sql == sql)
			break;
	if (i < cs->ncache && !cs->cache[i].busy) {
		cs->cache[i].busy = 1;
		return cs->cache[i].st;
	}
	if (sqlite3_prepare_v2(cs->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(cs, "preparing a statement");
		return NULL;
	}
	if (i == cs->ncache && cs->ncache < STMT_CACHE) {
		cs->cache[cs->ncache].sql = sql;
		cs->cache[cs->ncache].st = st;
		cs->cache[cs->ncache].busy = 1;
		cs->ncache++;
	}
	return st;
}

/* Done with a statement from prepare(): reset a cached one for its next
 * use, finalize a private one. */
static void release(struct case_store *cs, sqlite3_stmt *st)
{
	for (size_t i = 0; i < cs->ncache; i++)
		if (cs->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			cs->cache[i].busy = 0;
			return;
		}
	sqlite3_finalize(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Step a statement that returns no rows. */
static int run(struct case_store *cs, sqlite3_stmt *st, const char *what)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	release(cs, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(cs, what);
	return 0;
}

/* The same helpers for the store's other modules (case_store_sql.h). */
sqlite3_stmt *case_store_sql_prepare(struct case_store *cs, const char *sql)
{
	return prepare(cs, sql);
}

void case_store_sql_release(struct case_store *cs, sqlite3_stmt *st)
{
	release(cs, st);
}

void case_store_sql_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	bind_text(st, i, v);
}

int case_store_sql_run(struct case_store *cs, sqlite3_stmt *st, const char *what)
{
	return run(cs, st, what);
}

int case_store_sql_fail(struct case_store *cs, const char *what)
{
	return store_fail(cs, what);
}

static void copy_col(char *dst, size_t dstlen, sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	snprintf(dst, dstlen, "%s", v ? (const char *)v : "");
}

#define CASE_COLUMNS "c.id, c.ref, c.status, c.officer, c.referrer_email, c.opened_at"

static void read_case_info(sqlite3_stmt *st, struct case_info *out)
{
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	copy_col(out->ref, sizeof out->ref, st, 1);
	copy_col(out->status, sizeof out->status, st, 2);
	copy_col(out->officer, sizeof out->officer, st, 3);
	copy_col(out->referrer_email, sizeof out->referrer_email, st, 4);
	out->opened_at = (time_t)sqlite3_column_int64(st, 5);
}

/* Run a query returning case rows; take the first.  1 found, 0 not. */
static int first_case(struct case_store *cs, sqlite3_stmt *st, struct case_info *out)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_case_info(st, out);
	release(cs, st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(cs, "finding a case");
}

/* ------------------------------------------------------------------ */
/* Messages.                                                            */

int case_store_record_message(struct case_store *cs, const char *key, const char *digest,
                              const struct cme_referral *r, const char *action,
                              time_t now, long long *message_row)
{
	sqlite3_stmt *st = prepare(cs,
		"INSERT INTO messages (msg_key, message_id, received_at, kind, action, from_addr,"
		" digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

	if (st == NULL)
		return -1;
	bind_text(st, 1, key);
	bind_text(st, 2, r->message_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	bind_text(st, 4, referral_kind_name(r->kind));
	bind_text(st, 5, action);
	bind_text(st, 6, r->from_addr);
	bind_text(st, 7, digest);
	if (run(cs, st, "recording a message") != 0)
		return -1;
	*message_row = sqlite3_last_insert_rowid(cs->db);
	return 0;
}

int case_store_link_message(struct case_store *cs, long long message_row, long long case_id)
{
	sqlite3_stmt *st = prepare(cs,
		"INSERT OR IGNORE INTO message_cases (message_row, case_id) VALUES (?1, ?2)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, message_row);
	sqlite3_bind_int64(st, 2, case_id);
	return run(cs, st, "linking a message to a case");
}

/* ------------------------------------------------------------------ */
/* Matching.                                                            */

/* Fold a UTF-8 name for matching: Latin letters with accents to their
 * base letter, ASCII lower case, and everything that is not a letter or
 * digit dropped, so "O'Brien", "OBrien", "o brien" and "Ó'Brien" agree,
 * as do "Smith-Jones" and "Smith Jones". */
static void fold_name(const char *s, struct strbuf *out)
{
	/* U+00C0..U+00FF base letters; '\0' drops the character. */
	static const char latin1[] =
		"AAAAAAACEEEEIIII" "DNOOOOO\0OUUUUYTs" "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyty";

	for (const unsigned char *p = (const unsigned char *)s; p && *p; ) {
		unsigned cp;
		int n;

		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			cp = ((unsigned)(*p & 0x1F) << 6) | (p[1] & 0x3F);
			n = 2;
		} else {
			/* 3- and 4-byte sequences: keep bytes as they are */
			(void)strbuf_putc(out, *p);
			p++;
			continue;
		}
		p += n;
		if (cp < 0x80) {
			if (isalnum((int)cp))
				(void)strbuf_putc(out, tolower((int)cp));
		} else if (cp >= 0xC0 && cp <= 0xFF) {
			char base = latin1[cp - 0xC0];

			if (base)
				(void)strbuf_putc(out, tolower((unsigned char)base));
		} else if (cp >= 0x100 && cp <= 0x17F) {
			/* Latin Extended-A pairs upper/lower; the base letter is
			 * close enough from a small table of their roots. */
			static const char ext_a[] =
				"aaaaaaccccccccdddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
				"jjjj" "kkk" "llllllllll" "nnnnnnnnn" "oooooooo" "rrrrrr"
				"ssssssss" "tttttt" "uuuuuuuuuuuu" "wwyyyzzzzzzs";
			size_t idx = cp - 0x100;

			if (idx < sizeof ext_a - 1)
				(void)strbuf_putc(out, ext_a[idx]);
		}
	}
}

/* "surname|forename|dob" folded; NULL unless all three are known. */
static char *match_key(const struct cme_child *c)
{
	struct strbuf sb;

	if (c->surname == NULL || c->forename == NULL || c->dob == NULL)
		return NULL;
	strbuf_init(&sb, 1024);
	fold_name(c->surname, &sb);
	(void)strbuf_putc(&sb, '|');
	/* first forename only: "Amelia Rose" and "Amelia" are one child */
	{
		char first[128];
		size_t n = strcspn(c->forename, " ");

		snprintf(first, sizeof first, "%.*s", (int)(n < 127 ? n : 127), c->forename);
		fold_name(first, &sb);
	}
	(void)strbuf_putc(&sb, '|');
	(void)strbuf_puts(&sb, c->dob);
	return strbuf_detach(&sb);
}

int case_store_match_child(struct case_store *cs, const struct cme_child *c,
                           struct case_info *out)
{
	int rc;

	if (c->upn && c->upn_valid == 1) {
		sqlite3_stmt *st = prepare(cs,
			"SELECT " CASE_COLUMNS " FROM cases c JOIN children ch ON ch.case_id = c.id "
			"WHERE ch.upn = ?1 AND ch.upn_valid = 1 "
			"ORDER BY c.status = 'closed', c.id DESC LIMIT 1");

		if (st == NULL)
			return -1;
		bind_text(st, 1, c->upn);
		if ((rc = first_case(cs, st, out)) != 0)
			return rc;
	}
	{
		char *key = match_key(c);
		sqlite3_stmt *st;

		if (key == NULL)
			return 0;
		st = prepare(cs,
			"SELECT " CASE_COLUMNS " FROM cases c JOIN children ch ON ch.case_id = c.id "
			"WHERE ch.match_key = ?1 ORDER BY c.status = 'closed', c.id DESC LIMIT 1");
		if (st == NULL) {
			free(key);
			return -1;
		}
		bind_text(st, 1, key);
		rc = first_case(cs, st, out);
		free(key);
		return rc;
	}
}

int case_store_find_ref(struct case_store *cs, const char *ref, struct case_info *out)
{
	sqlite3_stmt *st = prepare(cs, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.ref = ?1");

	if (st == NULL)
		return -1;
	bind_text(st, 1, ref);
	return first_case(cs, st, out);
}

int case_store_find_id(struct case_store *cs, long long id, struct case_info *out)
{
	sqlite3_stmt *st = prepare(cs, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.id = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return first_case(cs, st, out);
}

int case_store_find_by_message_id(struct case_store *cs, const char *msgid,
                                  struct case_info *out)
{
	sqlite3_stmt *st = prepare(cs,
		"SELECT " CASE_COLUMNS " FROM cases c "
		"JOIN message_cases mc ON mc.case_id = c.id "
		"JOIN messages m ON m.id = mc.message_row "
		"WHERE m.message_id = ?1 ORDER BY c.id LIMIT 1");

	if (st == NULL)
		return -1;
	bind_text(st, 1, msgid);
	return first_case(cs, st, out);
}

/* ------------------------------------------------------------------ */
/* Cases and children.                                                  */

static char *flags_text(unsigned long flags)
{
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	for (size_t i = 0; i < vocab_flag_count(); i++)
		if (flags & (1UL << i)) {
			if (sb.len)
				(void)strbuf_putc(&sb, ' ');
			(void)strbuf_puts(&sb, vocab_flag_name(i));
		}
	return strbuf_detach(&sb);
}

/* The number comes from the reference guard, which never issues one
 * twice, whatever happened to the database (store_guard.h). */
static int allocate_ref(struct case_store *cs, time_t now, char ref[CASE_REF_MAX])
{
	struct tm tm;
	long long n = 0;

	gmtime_r(&now, &tm);
	if (store_guard_next_ref(cs->db, cs->path, &cs->refs, tm.tm_year + 1900, &n,
	                         cs->errmsg, sizeof cs->errmsg) != 0)
		return -1;
	snprintf(ref, CASE_REF_MAX, "CME-%04d-%05lld", tm.tm_year + 1900, n);
	return 0;
}

/* Run an INSERT or UPDATE of the children table whose parameters are
 * ?1 case id, ?2..?13 the child's fields, ?14 the match key. */
static int run_child_statement(struct case_store *cs, const char *sql, long long case_id,
                               const struct cme_child *c, const char *what)
{
	char *key = match_key(c);
	sqlite3_stmt *st = prepare(cs, sql);
	int rc;

	if (st == NULL) {
		free(key);
		return -1;
	}
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, c->forename);
	bind_text(st, 3, c->surname);
	bind_text(st, 4, c->dob);
	bind_text(st, 5, c->gender);
	bind_text(st, 6, c->upn);
	if (c->upn_valid >= 0)
		sqlite3_bind_int(st, 7, c->upn_valid);
	if (c->year_group >= 0)
		sqlite3_bind_int(st, 8, c->year_group);
	bind_text(st, 9, c->address);
	bind_text(st, 10, c->postcode);
	bind_text(st, 11, c->school);
	bind_text(st, 12, c->last_attended);
	bind_text(st, 13, c->reason);
	bind_text(st, 14, key);
	rc = run(cs, st, what);
	free(key);
	return rc;
}

static int write_child(struct case_store *cs, long long case_id, const struct cme_child *c)
{
	return run_child_statement(cs,
		"INSERT INTO children (case_id, forename, surname, dob, gender, upn, upn_valid,"
		" year_group, address, postcode, school, last_attended, reason, match_key) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
		case_id, c, "storing a child");
}

int case_store_open_case(struct case_store *cs, const struct cme_referral *r,
                         const struct cme_child *child, int triage,
                         const char *officer, time_t now, struct case_info *out)
{
	sqlite3_stmt *st;
	char *flags, *problems;
	struct strbuf pb;

	memset(out, 0, sizeof *out);
	if (allocate_ref(cs, now, out->ref) != 0)
		return -1;
	flags = flags_text(r->flags);
	strbuf_init(&pb, 65536);
	for (size_t i = 0; i < r->problems.n; i++) {
		if (!referral_problem_concerns(r, i, child))
			continue;
		if (pb.len)
			(void)strbuf_puts(&pb, "\n");
		(void)strbuf_puts(&pb, r->problems.v[i]);
	}
	problems = strbuf_detach(&pb);
	st = prepare(cs,
		"INSERT INTO cases (ref, status, opened_at, officer, referrer_name, referrer_email,"
		" referrer_org, flags, immediate, verified, problems) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	if (st == NULL) {
		free(flags);
		free(problems);
		return -1;
	}
	bind_text(st, 1, out->ref);
	bind_text(st, 2, triage ? "triage" : "open");
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	bind_text(st, 4, officer);
	bind_text(st, 5, r->referrer.name);
	bind_text(st, 6, r->referrer.email ? r->referrer.email : r->from_addr);
	bind_text(st, 7, r->referrer.organisation);
	bind_text(st, 8, flags);
	sqlite3_bind_int(st, 9, r->immediate == 1);
	sqlite3_bind_int(st, 10, r->authenticated == 1);
	bind_text(st, 11, *problems ? problems : NULL);
	free(flags);
	free(problems);
	if (run(cs, st, "opening a case") != 0)
		return -1;
	out->id = sqlite3_last_insert_rowid(cs->db);
	snprintf(out->status, sizeof out->status, "%s", triage ? "triage" : "open");
	snprintf(out->officer, sizeof out->officer, "%s", officer);
	out->opened_at = now;
	if (child && write_child(cs, out->id, child) != 0)
		return -1;
	if (child == NULL) {
		struct cme_child empty;

		memset(&empty, 0, sizeof empty);
		empty.upn_valid = -1;
		empty.year_group = -1;
		if (write_child(cs, out->id, &empty) != 0)
			return -1;
	}
	return 0;
}

int case_store_update_child(struct case_store *cs, long long case_id,
                            const struct cme_child *c)
{
	/* Only fill what the case does not know yet: a later message does
	 * not silently overwrite what an officer or the referral said. */
	return run_child_statement(cs,
		"UPDATE children SET forename = coalesce(forename, ?2), surname = coalesce(surname, ?3),"
		" dob = coalesce(dob, ?4), gender = coalesce(gender, ?5),"
		" upn = CASE WHEN upn IS NULL OR upn_valid = 0 THEN coalesce(?6, upn) ELSE upn END,"
		" upn_valid = CASE WHEN upn IS NULL OR upn_valid = 0 THEN coalesce(?7, upn_valid) ELSE upn_valid END,"
		" year_group = coalesce(year_group, ?8), address = coalesce(address, ?9),"
		" postcode = coalesce(postcode, ?10), school = coalesce(school, ?11),"
		" last_attended = coalesce(last_attended, ?12), reason = coalesce(reason, ?13),"
		" match_key = coalesce(match_key, ?14) WHERE case_id = ?1",
		case_id, c, "updating a child");
}

int case_store_set_status(struct case_store *cs, long long case_id, const char *status,
                          const char *outcome, time_t now)
{
	sqlite3_stmt *st = prepare(cs,
		"UPDATE cases SET status = ?2, outcome = coalesce(?3, outcome),"
		" closed_at = CASE WHEN ?2 = 'closed' THEN ?4 ELSE NULL END WHERE id = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, status);
	bind_text(st, 3, outcome);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	return run(cs, st, "changing a case's status");
}

int case_store_link_siblings(struct case_store *cs, long long a, long long b)
{
	/* The group is named by its lowest case id. */
	sqlite3_stmt *st = prepare(cs,
		"UPDATE cases SET sibling_group = (SELECT min(coalesce(sibling_group, id))"
		" FROM cases WHERE id IN (?1, ?2)) WHERE id IN (?1, ?2)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	return run(cs, st, "linking siblings");
}

int case_store_add_event(struct case_store *cs, long long case_id, time_t at,
                         const char *type, const char *source, const char *detail)
{
	sqlite3_stmt *st = prepare(cs,
		"INSERT INTO events (case_id, at, type, source, detail) VALUES (?1, ?2, ?3, ?4, ?5)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	bind_text(st, 3, type);
	bind_text(st, 4, source ? source : "cme-milter");
	bind_text(st, 5, detail);
	return run(cs, st, "adding to the timeline");
}

/* ------------------------------------------------------------------ */
/* Deadlines.                                                           */

int case_store_set_deadline(struct case_store *cs, long long case_id, const char *kind,
                            time_t due, const char *status, time_t now)
{
	/* SEQUENCE rises only when the event the officer sees changes. */
	sqlite3_stmt *st = prepare(cs,
		"INSERT INTO deadlines (case_id, kind, due, status, sequence, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, 0, ?5) "
		"ON CONFLICT(case_id, kind) DO UPDATE SET"
		" sequence = sequence + (due <> excluded.due OR status <> excluded.status),"
		" updated_at = CASE WHEN due <> excluded.due OR status <> excluded.status"
		"   THEN excluded.updated_at ELSE updated_at END,"
		" due = excluded.due, status = excluded.status");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)due);
	bind_text(st, 4, status);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	return run(cs, st, "setting a deadline");
}

int case_store_change_deadline_status(struct case_store *cs, long long case_id,
                                      const char *kind, const char *from,
                                      const char *to, time_t now)
{
	sqlite3_stmt *st = prepare(cs,
		"UPDATE deadlines SET status = ?4, sequence = sequence + 1, updated_at = ?5"
		" WHERE case_id = ?1 AND kind = ?2 AND status = ?3");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, kind);
	bind_text(st, 3, from);
	bind_text(st, 4, to);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	if (run(cs, st, "changing a deadline") != 0)
		return -1;
	return sqlite3_changes(cs->db);
}

/* Initials only ("J.S."): what ReminderDetail minimal lets out.  Only a
 * letter makes an initial: an ASCII letter, or a UTF-8 character from a
 * lead byte that starts letters (U+00C0 onwards, but not the
 * punctuation and symbol blocks at U+2000) - never a control character,
 * whatever the name began with. */
static void initials(const unsigned char *fore, const unsigned char *sur, char out[16])
{
	size_t o = 0;
	const unsigned char *parts[2] = { fore, sur };

	for (int i = 0; i < 2; i++) {
		const unsigned char *p = parts[i];
		size_t n;

		if (p == NULL)
			continue;
		while (*p && !(isalpha(*p) || (*p >= 0xC3 && *p != 0xE2 && *p < 0xF5)))
			p++;    /* skip to the first letter */
		if (*p == '\0')
			continue;
		n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
		for (size_t k = 1; k < n; k++)
			if ((p[k] & 0xC0) != 0x80)
				n = 0;  /* broken sequence: no initial */
		if (n == 0 || o + n + 2 > 16)
			continue;
		for (size_t k = 0; k < n; k++)
			out[o++] = (char)(n == 1 ? toupper(p[k]) : p[k]);
		out[o++] = '.';
	}
	out[o] = '\0';
}

#define DEADLINE_ROW_SQL \
	"SELECT d.case_id, c.ref, d.kind, d.due, d.sequence, d.status, c.officer," \
	" ch.forename, ch.surname, d.updated_at FROM deadlines d" \
	" JOIN cases c ON c.id = d.case_id LEFT JOIN children ch ON ch.case_id = c.id"

/* Step a DEADLINE_ROW_SQL statement, calling fn per row; finalizes it. */
static int each_deadline_row(struct case_store *cs, sqlite3_stmt *st,
                             int (*fn)(const struct deadline_row *, void *), void *arg)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct deadline_row row;

		memset(&row, 0, sizeof row);
		row.case_id = sqlite3_column_int64(st, 0);
		copy_col(row.ref, sizeof row.ref, st, 1);
		copy_col(row.kind, sizeof row.kind, st, 2);
		row.due = (time_t)sqlite3_column_int64(st, 3);
		row.sequence = sqlite3_column_int(st, 4);
		copy_col(row.status, sizeof row.status, st, 5);
		copy_col(row.officer, sizeof row.officer, st, 6);
		initials(sqlite3_column_text(st, 7), sqlite3_column_text(st, 8), row.initials);
		snprintf(row.name, sizeof row.name, "%s %s",
		         sqlite3_column_text(st, 7) ? (const char *)sqlite3_column_text(st, 7) : "",
		         sqlite3_column_text(st, 8) ? (const char *)sqlite3_column_text(st, 8) : "");
		row.updated_at = (time_t)sqlite3_column_int64(st, 9);
		if (fn(&row, arg) != 0) {
			release(cs, st);
			return -1;
		}
	}
	release(cs, st);
	return rc == SQLITE_DONE ? 0 : store_fail(cs, "reading deadlines");
}

int case_store_each_deadline(struct case_store *cs, const char *officer,
                             int (*fn)(const struct deadline_row *, void *), void *arg)
{
	/* Only pending rows: the feed holds live events. */
	sqlite3_stmt *st = prepare(cs, DEADLINE_ROW_SQL
		" WHERE (?1 IS NULL OR c.officer = ?1) AND d.status = 'pending'"
		" ORDER BY d.due, c.ref, d.kind");

	if (st == NULL)
		return -1;
	bind_text(st, 1, officer);
	return each_deadline_row(cs, st, fn, arg);
}

int case_store_each_officer(struct case_store *cs,
                            int (*fn)(const char *officer, void *), void *arg)
{
	sqlite3_stmt *st = prepare(cs, "SELECT DISTINCT officer FROM cases ORDER BY officer");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(st, 0), arg) != 0)
			break;
	release(cs, st);
	return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store_fail(cs, "listing officers");
}

/* ------------------------------------------------------------------ */
/* JSON views for cmectl.                                               */

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

static json_object *deadlines_json(struct case_store *cs, long long case_id)
{
	json_object *a = json_object_new_array();
	sqlite3_stmt *st = prepare(cs,
		"SELECT kind, due, status, sequence FROM deadlines WHERE case_id = ?1 ORDER BY due, kind");

	if (st == NULL)
		return a;
	sqlite3_bind_int64(st, 1, case_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *d = json_object_new_object();

		put_col_str(d, "kind", st, 0);
		put_col_time(d, "due", st, 1);
		put_col_str(d, "status", st, 2);
		put_col_int(d, "sequence", st, 3);
		json_object_array_add(a, d);
	}
	release(cs, st);
	return a;
}

#define CASE_JSON_COLUMNS \
	"c.id, c.ref, c.status, c.outcome, c.opened_at, c.closed_at, c.officer," \
	" c.referrer_name, c.referrer_email, c.referrer_org, c.flags, c.immediate, c.verified," \
	" c.sibling_group, c.problems, ch.forename, ch.surname, ch.dob, ch.gender, ch.upn," \
	" ch.upn_valid, ch.year_group, ch.address, ch.postcode, ch.school, ch.last_attended," \
	" ch.reason, ch.new_school"

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
		sqlite3_stmt *s2 = prepare(cs,
			"SELECT ref FROM cases WHERE sibling_group = ?1 AND id <> ?2 ORDER BY id");

		if (s2) {
			sqlite3_bind_int64(s2, 1, sqlite3_column_int64(st, 13));
			sqlite3_bind_int64(s2, 2, id);
			while (sqlite3_step(s2) == SQLITE_ROW)
				json_object_array_add(sibs, json_object_new_string(
					(const char *)sqlite3_column_text(s2, 0)));
			release(cs, s2);
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

char *case_store_cases_json(struct case_store *cs, const struct case_filter *f)
{
	/* "open" means every case still being worked: open, visited,
	 * triage and long-term. */
	sqlite3_stmt *st = prepare(cs,
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
	bind_text(st, 1, f->status ? f->status : "open");
	bind_text(st, 2, f->officer);
	bind_text(st, 3, f->school);
	sqlite3_bind_int(st, 4, f->overdue);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)f->now);
	a = json_object_new_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_array_add(a, case_row_json(cs, st));
	release(cs, st);
	if (rc != SQLITE_DONE) {
		json_object_put(a);
		store_fail(cs, "listing cases");
		return NULL;
	}
	return to_text(a);
}

char *case_store_show_json(struct case_store *cs, const char *ref)
{
	sqlite3_stmt *st = prepare(cs,
		"SELECT " CASE_JSON_COLUMNS " FROM cases c LEFT JOIN children ch ON ch.case_id = c.id"
		" WHERE c.ref = ?1");
	json_object *o = NULL, *tl;
	long long id;

	if (st == NULL)
		return NULL;
	bind_text(st, 1, ref);
	if (sqlite3_step(st) != SQLITE_ROW) {
		release(cs, st);
		return NULL;
	}
	id = sqlite3_column_int64(st, 0);
	o = case_row_json(cs, st);
	release(cs, st);

	tl = json_object_new_array();
	st = prepare(cs, "SELECT at, type, source, detail FROM events WHERE case_id = ?1"
	                 " ORDER BY at, id");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_object *e = json_object_new_object();

			put_col_time(e, "at", st, 0);
			put_col_str(e, "type", st, 1);
			put_col_str(e, "source", st, 2);
			put_col_str(e, "detail", st, 3);
			json_object_array_add(tl, e);
		}
		release(cs, st);
	}
	json_object_object_add(o, "timeline", tl);
	return to_text(o);
}

/* ------------------------------------------------------------------ */
/* Lifecycle, reports and retention.                                    */

int case_store_sweep_long_term(struct case_store *cs, time_t now, struct strlist *refs)
{
	/* Cases whose long-term review has come due while still open become
	 * long-term: dormant, still matched and listed (seed 001, 6.2). */
	sqlite3_stmt *st = prepare(cs,
		"SELECT c.id, c.ref FROM deadlines d JOIN cases c ON c.id = d.case_id"
		" WHERE d.kind = 'long-term-review' AND d.status = 'pending' AND d.due <= ?1"
		" AND c.status IN ('open', 'visited', 'triage')");
	long long ids[256];
	size_t n = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 256) {
		ids[n++] = sqlite3_column_int64(st, 0);
		if (refs)
			(void)strlist_add(refs, (const char *)sqlite3_column_text(st, 1));
	}
	release(cs, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(cs, "finding long-term cases");
	/* The review reminder has done its job once the case is long-term:
	 * it leaves the live feed ("fired"), and this sweep, which only
	 * looks at pending reviews, never meets the case again - so its cost
	 * stays with the cases just come due, not the whole long-term list. */
	for (size_t i = 0; i < n; i++)
		if (case_store_set_status(cs, ids[i], "long-term", NULL, now) != 0 ||
		    case_store_change_deadline_status(cs, ids[i], "long-term-review", "pending",
		                                      "fired", now) < 0 ||
		    case_store_add_event(cs, ids[i], now, "state", "policy",
		                         "long-term: open for the policy's long-term period") != 0)
			return -1;
	return (int)n;
}

static long long scalar(struct case_store *cs, const char *sql, time_t a, time_t b)
{
	sqlite3_stmt *st = prepare(cs, sql);
	long long v = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)a);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)b);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	release(cs, st);
	return v;
}

/* Outcomes that mean the child left the authority's area. */
#define LEFT_AREA "('moved-out-of-area', 'moved-abroad')"

int case_store_report(struct case_store *cs, time_t from, time_t to, time_t now,
                      struct case_report *out)
{
	/* A deadline not yet due cannot be missed: count those due before
	 * the earlier of the month's end and now. */
	time_t until = now < to ? now : to;

	sqlite3_stmt *st;

	memset(out, 0, sizeof *out);
	out->opened = scalar(cs, "SELECT count(*) FROM cases WHERE opened_at >= ?1 AND opened_at < ?2",
	                     from, to);
	out->closed = scalar(cs, "SELECT count(*) FROM cases WHERE status = 'closed'"
	                     " AND closed_at >= ?1 AND closed_at < ?2", from, to);
	out->closed_left_area = scalar(cs, "SELECT count(*) FROM cases WHERE status = 'closed'"
	                     " AND closed_at >= ?1 AND closed_at < ?2 AND outcome IN " LEFT_AREA,
	                     from, to);
	/* Open at month end: opened before the end, not closed by then. */
	out->open_at_end = scalar(cs, "SELECT count(*) FROM cases WHERE opened_at < ?2"
	                     " AND (closed_at IS NULL OR closed_at >= ?2) AND ?1 <= ?2", from, to);
	out->long_term = scalar(cs, "SELECT count(*) FROM cases c JOIN deadlines d"
	                     " ON d.case_id = c.id AND d.kind = 'long-term-review'"
	                     " WHERE c.opened_at < ?2 AND (c.closed_at IS NULL OR c.closed_at >= ?2)"
	                     " AND d.due < ?2 AND ?1 <= ?2", from, to);
	/* Deadlines falling due in the month: met on time, or missed (met
	 * late, or still pending after the due time). */
	out->deadlines_due = scalar(cs, "SELECT count(*) FROM deadlines WHERE kind <> 'long-term-review'"
	                     " AND status <> 'cancelled' AND due >= ?1 AND due < ?2", from, until);
	out->deadlines_met = scalar(cs, "SELECT count(*) FROM deadlines WHERE kind <> 'long-term-review'"
	                     " AND status = 'met' AND updated_at <= due AND due >= ?1 AND due < ?2",
	                     from, until);
	out->deadlines_missed = out->deadlines_due - out->deadlines_met;
	if (out->opened < 0 || out->closed < 0 || out->open_at_end < 0 || out->long_term < 0 ||
	    out->deadlines_due < 0 || out->deadlines_met < 0 || out->closed_left_area < 0)
		return store_fail(cs, "computing the report");
	out->closed_in_borough = out->closed - out->closed_left_area;
	st = prepare(cs, "SELECT outcome, count(*) FROM cases WHERE status = 'closed'"
	                 " AND closed_at >= ?1 AND closed_at < ?2 GROUP BY outcome ORDER BY outcome");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	while (sqlite3_step(st) == SQLITE_ROW && out->n_outcomes < 16) {
		copy_col(out->outcomes[out->n_outcomes].outcome,
		         sizeof out->outcomes[0].outcome, st, 0);
		out->outcomes[out->n_outcomes].count = sqlite3_column_int64(st, 1);
		out->n_outcomes++;
	}
	release(cs, st);
	return 0;
}

long long case_store_purge(struct case_store *cs, const char *cutoff_dob, time_t now,
                           const char *source)
{
	/* Retention: a case goes when its child's DOB is before the cutoff
	 * (DOB + retention years has passed).  The purge itself is recorded
	 * (when, cutoff, how many) with no personal data. */
	sqlite3_stmt *st = prepare(cs,
		"DELETE FROM cases WHERE id IN (SELECT case_id FROM children"
		" WHERE dob IS NOT NULL AND dob < ?1)");
	long long n;

	if (st == NULL)
		return -1;
	bind_text(st, 1, cutoff_dob);
	if (run(cs, st, "purging cases") != 0)
		return -1;
	n = sqlite3_changes(cs->db);
	/* message_cases rows of the purged cases went with ON DELETE CASCADE;
	 * messages that now name no case keep only their key (no content). */
	st = prepare(cs, "INSERT INTO purges (at, cutoff_dob, cases, source) VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	bind_text(st, 2, cutoff_dob);
	sqlite3_bind_int64(st, 3, n);
	bind_text(st, 4, source);
	if (run(cs, st, "recording the purge") != 0)
		return -1;
	return n;
}

/* ------------------------------------------------------------------ */
/* Outbox.                                                              */

int case_store_outbox_add(struct case_store *cs, long long case_id, const char *uid,
                          const char *method, const char *recipient, const char *message,
                          const char *message_id, time_t now)
{
	sqlite3_stmt *st = prepare(cs,
		"INSERT INTO outbox (case_id, uid, method, recipient, message, created_at,"
		" next_attempt_at, message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");

	if (st == NULL)
		return -1;
	bind_text(st, 7, message_id);
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, uid);
	bind_text(st, 3, method);
	bind_text(st, 4, recipient);
	bind_text(st, 5, message);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	return run(cs, st, "queueing a reminder mail");
}

int case_store_outbox_next(struct case_store *cs, time_t now, struct outbox_row *out)
{
	sqlite3_stmt *st = prepare(cs,
		"SELECT id, recipient, message, attempts, message_id FROM outbox"
		" WHERE sent_at IS NULL AND next_attempt_at <= ?1 ORDER BY id LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_column_int64(st, 0);
		copy_col(out->recipient, sizeof out->recipient, st, 1);
		out->message = strdup((const char *)sqlite3_column_text(st, 2));
		out->attempts = sqlite3_column_int(st, 3);
		copy_col(out->message_id, sizeof out->message_id, st, 4);
	}
	release(cs, st);
	if (rc == SQLITE_ROW)
		return out->message ? 1 : -1;
	return rc == SQLITE_DONE ? 0 : store_fail(cs, "reading the outbox");
}

/* The timeline's "reminder sent" event, the first time a mail is known
 * to be with the MTA (whichever of the sender and the milter learns it
 * first). */
static int reminder_sent_event(struct case_store *cs, long long id, time_t now)
{
	sqlite3_stmt *st = prepare(cs,
		"INSERT INTO events (case_id, at, type, source, detail)"
		" SELECT case_id, ?2, 'reminder', 'outbox',"
		"  method || ' ' || uid || ' sent to ' || recipient"
		" FROM outbox WHERE id = ?1 AND sent_at IS NULL AND case_id IS NOT NULL");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return run(cs, st, "adding a reminder to the timeline");
}

int case_store_outbox_done(struct case_store *cs, long long id, int sent, time_t now,
                           time_t next_attempt, const char *error)
{
	if (sent && reminder_sent_event(cs, id, now) != 0)
		return -1;
	sqlite3_stmt *st = prepare(cs, sent
		? "UPDATE outbox SET sent_at = coalesce(sent_at, ?2), attempts = attempts + 1,"
		  " last_error = NULL WHERE id = ?1"
		: "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?3, last_error = ?4"
		  " WHERE id = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sent) {
		sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	} else {
		sqlite3_bind_int64(st, 3, (sqlite3_int64)next_attempt);
		bind_text(st, 4, error);
	}
	return run(cs, st, "updating the outbox");
}

int case_store_outbox_lease(struct case_store *cs, long long id, time_t until,
                            const char *claimant)
{
	sqlite3_stmt *st = prepare(cs,
		"UPDATE outbox SET next_attempt_at = ?2, claimed_by = ?3 WHERE id = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)until);
	bind_text(st, 3, claimant);
	return run(cs, st, "leasing an outbox mail");
}

int case_store_outbox_claimants(struct case_store *cs,
                                int (*fn)(const char *claimant, void *), void *arg)
{
	sqlite3_stmt *st = prepare(cs,
		"SELECT DISTINCT claimed_by FROM outbox"
		" WHERE sent_at IS NULL AND claimed_by IS NOT NULL");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(st, 0);

		if (who && fn(who, arg) != 0) {
			release(cs, st);
			return -1;
		}
	}
	release(cs, st);
	return rc == SQLITE_DONE ? 0 : store_fail(cs, "listing outbox claims");
}

int case_store_outbox_release(struct case_store *cs, const char *claimant, time_t due)
{
	sqlite3_stmt *st = prepare(cs,
		"UPDATE outbox SET next_attempt_at = ?2, claimed_by = NULL"
		" WHERE sent_at IS NULL AND claimed_by = ?1");

	if (st == NULL)
		return -1;
	bind_text(st, 1, claimant);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)due);
	if (run(cs, st, "releasing outbox claims") != 0)
		return -1;
	return sqlite3_changes(cs->db);
}

int case_store_outbox_echoes_seen(struct case_store *cs)
{
	sqlite3_stmt *st = prepare(cs,
		"SELECT EXISTS (SELECT 1 FROM outbox WHERE echoed_at IS NOT NULL)");
	int rc, seen = 0;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		seen = sqlite3_column_int(st, 0) != 0;
	release(cs, st);
	return rc == SQLITE_ROW ? seen : store_fail(cs, "reading the outbox");
}

int case_store_seal_key(struct case_store *cs, char *out, size_t outlen)
{
	sqlite3_stmt *st = prepare(cs, "SELECT value FROM meta WHERE key = 'reminder-seal-key'");
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_col(out, outlen, st, 0);
	release(cs, st);
	if (rc != SQLITE_ROW)
		return store_fail(cs, "reading the reminder seal key");
	return strlen(out) >= 32 ? 0 : store_fail(cs, "reminder seal key too short");
}

int case_store_outbox_seen_by_mta(struct case_store *cs, const char *message_id,
                                  const char *copy, time_t now)
{
	sqlite3_stmt *st = prepare(cs, "SELECT id, echoed_copy FROM outbox WHERE message_id = ?1");
	long long id = 0;
	int rc, same = 0, echoed = 0;

	if (st == NULL)
		return -1;
	bind_text(st, 1, message_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		echoed = sqlite3_column_type(st, 1) != SQLITE_NULL;
		same = echoed && strcmp((const char *)sqlite3_column_text(st, 1), copy) == 0;
	}
	release(cs, st);
	if (rc == SQLITE_DONE)
		return 0;               /* not one of ours */
	if (rc != SQLITE_ROW)
		return store_fail(cs, "looking up a reminder mail");
	if (same)
		return 1;               /* the MTA retrying the copy we let through */
	if (echoed)
		return 2;               /* another copy passed first: a duplicate */
	/* The first copy: it is with the MTA, whether or not the sender has
	 * recorded its submission yet (it may never, if it died). */
	if (reminder_sent_event(cs, id, now) != 0)
		return -1;
	st = prepare(cs, "UPDATE outbox SET sent_at = coalesce(sent_at, ?2), echoed_at = ?2,"
	                 " echoed_copy = ?3, last_error = NULL WHERE id = ?1");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	bind_text(st, 3, copy);
	return run(cs, st, "marking a reminder mail sent") == 0 ? 1 : -1;
}

int case_store_each_changed_deadline(struct case_store *cs, long long case_id, time_t since,
                                     int (*fn)(const struct deadline_row *, void *), void *arg)
{
	sqlite3_stmt *st = prepare(cs, DEADLINE_ROW_SQL
		" WHERE d.case_id = ?1 AND d.updated_at >= ?2 ORDER BY d.kind");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	return each_deadline_row(cs, st, fn, arg);
}
