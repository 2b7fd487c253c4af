/*
 * NAME
 *	case_store.c - stage 3, write side: the database, its schema, the
 *	statement cache, every write of cases, children, messages,
 *	deadlines and the timeline, and the lookups the pipeline decides
 *	with (find, match, the deadline rows of feeds).  See case_store.h.
 *
 * OWNS
 *	The database file, its schema and the statements below.  All
 *	values are bound parameters; no text from a message is ever spliced
 *	into SQL.  Status and kind values that C code passes in are checked
 *	against, or taken from, the name tables of case_types.h; the few
 *	spelled inside SQL text ('pending' in a WHERE clause, say) stay
 *	literals so that the partial indexes (deadlines_pending) keep
 *	matching, and are the same stored text.  The schema version lives in
 *	PRAGMA user_version; each entry of case_schema.c's migrations moves
 *	the schema one
 *	version up, inside the same transaction that records the new
 *	version, so a crash mid-migration leaves the old schema intact.
 *	The read-side views (JSON, reports) are case_views.c's, the outbox
 *	case_outbox.c's, the child's match key case_match.c's.
 *
 *	Journal: WAL, synchronous=FULL.  A case must survive a power cut the
 *	moment the milter has said "accepted" to Postfix, so every commit is
 *	synced; WAL keeps that cheap (one fsync per commit, readers never
 *	block the writer).  The milter's writer syncs the WAL itself, after
 *	its writer lock is released and before it answers
 *	(case_store_defer_wal_sync, commit.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>

#include <sqlite3.h>

#include "case_links.h"
#include "case_store.h"
#include "store_guard.h"
#include "case_store_sql.h"
#include "case_types.h"
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
#define STMT_CACHE 80

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
	int wal_pages;                /* WAL size after the last commit, when
	                                 case_store_autocheckpoint(cs, 0) */
};

/* ------------------------------------------------------------------ */
/* Schema.                                                              */

/* The migrations are case_schema.c's (case_store_sql.h). */
#define SCHEMA_VERSION case_store_schema_version

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
		if (exec(cs, case_store_migrations[version]) != 0 || exec(cs, pragma) != 0) {
			(void)sqlite3_exec(cs->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (exec(cs, "COMMIT") != 0)
			return -1;
		version++;
	}
	return 0;
}

int case_store_init_library(void)
{
	return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK ? 0 : -1;
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
	    /* statement journals and sorts in memory: a file in /var/tmp
	     * opened and unlinked for each batch's savepoints otherwise */
	    exec(cs, "PRAGMA temp_store=MEMORY") != 0 ||
	    case_store_register_functions(cs->db) != 0 ||
	    migrate(cs) != 0) {
		snprintf(err, errlen, "%s: %s", path, cs->errmsg);
		case_store_close(cs);
		return NULL;
	}
	return cs;
}

/* A commit's WAL hook when checkpoints are made elsewhere: remember
 * the WAL's size, checkpoint nothing. */
static int wal_size_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	((struct case_store *)arg)->wal_pages = pages;
	return SQLITE_OK;
}

int case_store_autocheckpoint(struct case_store *cs, int pages)
{
	if (pages > 0)
		return sqlite3_wal_autocheckpoint(cs->db, pages) == SQLITE_OK ? 0 : -1;
	sqlite3_wal_hook(cs->db, wal_size_hook, cs);
	return 0;
}

int case_store_defer_wal_sync(struct case_store *cs)
{
	return exec(cs, "PRAGMA synchronous=NORMAL");
}

int case_store_wal_pages(struct case_store *cs)
{
	return cs->wal_pages;
}

int case_store_checkpoint(struct case_store *cs)
{
	int rc = sqlite3_wal_checkpoint_v2(cs->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return store_fail(cs, "checkpointing the WAL");
	cs->wal_pages = 0;
	return 0;
}

void case_store_close(struct case_store *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->ncache; i++)
		sqlite3_finalize(cs->cache[i].st);
	store_guard_conn_close(&cs->refs);
	sqlite3_close_v2(cs->db);
	free(cs->path);
	free(cs);
}

const char *case_store_errmsg(struct case_store *cs)
{
	return cs->errmsg;
}

/* BEGIN, COMMIT, SAVEPOINT and RELEASE run once a batch or once a
 * message on the milter's writer, under its lock: from the statement
 * cache (defined below), not parsed again each time as sqlite3_exec
 * would. */
static int exec_cached(struct case_store *cs, const char *sql, const char *what);

int case_store_begin(struct case_store *cs)
{
	store_guard_txn_begin(&cs->refs);
	return exec_cached(cs, "BEGIN IMMEDIATE", "beginning a transaction");
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
	return exec_cached(cs, "COMMIT", "committing");
}

void case_store_rollback(struct case_store *cs)
{
	(void)sqlite3_exec(cs->db, "ROLLBACK", NULL, NULL, NULL);
}

/* One message inside a batch transaction. */
int case_store_savepoint(struct case_store *cs)
{
	return exec_cached(cs, "SAVEPOINT message", "starting a message's savepoint");
}

int case_store_release(struct case_store *cs)
{
	return exec_cached(cs, "RELEASE message", "releasing a message's savepoint");
}

void case_store_rollback_to(struct case_store *cs)
{
	/* ROLLBACK TO keeps the savepoint open: release it as well. */
	(void)sqlite3_exec(cs->db, "ROLLBACK TO message; RELEASE message", NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Statement helpers: the per-connection cache described at the top
 * (struct cached_stmt).  The milter's writer connection lives across
 * messages and batches, so each statement is parsed once.              */

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

static int exec_cached(struct case_store *cs, const char *sql, const char *what)
{
	sqlite3_stmt *st = prepare(cs, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_fail(cs, what);
	release(cs, st);
	return rc;
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

int case_store_sql_exec(struct case_store *cs, const char *what, const char *sql,
                        const struct case_sql_arg *args, int n)
{
	sqlite3_stmt *st = prepare(cs, sql);

	if (st == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		switch (args[i].type) {
		case CASE_SQL_TYPE_INT:
			sqlite3_bind_int64(st, i + 1, args[i].i);
			break;
		case CASE_SQL_TYPE_TEXT:
			bind_text(st, i + 1, args[i].t);
			break;
		case CASE_SQL_TYPE_NULL:
			sqlite3_bind_null(st, i + 1);
			break;
		}
	}
	return run(cs, st, what);
}

int case_store_sql_fail(struct case_store *cs, const char *what)
{
	return store_fail(cs, what);
}

int case_store_sql_changes(struct case_store *cs)
{
	return sqlite3_changes(cs->db);
}

/* A status or kind that is not in case_types.h's tables: refused before
 * it reaches the database.  Returns -1. */
static int bad_name(struct case_store *cs, const char *what, const char *name)
{
	snprintf(cs->errmsg, sizeof cs->errmsg, "not a %s: %.64s", what, name ? name : "(null)");
	return -1;
}

int case_store_sql_oom(struct case_store *cs, const char *what)
{
	snprintf(cs->errmsg, sizeof cs->errmsg, "%s: out of memory", what);
	return -1;
}

static void copy_col(char *dst, size_t dstlen, sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	snprintf(dst, dstlen, "%s", v ? (const char *)v : "");
}

void case_store_sql_copy_col(char *dst, size_t dstlen, sqlite3_stmt *st, int col)
{
	copy_col(dst, dstlen, st, col);
}

#define CASE_COLUMNS "c.id, c.ref, c.status, c.officer, c.referrer_email, c.opened_at"

static void read_case_info(sqlite3_stmt *st, struct case_info *out)
{
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	copy_col(out->ref, sizeof out->ref, st, 1);
	copy_col(out->status, sizeof out->status, st, 2);
	out->cstatus = case_status_from_name(out->status);
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
	if (CASE_SQL_EXEC(cs, "recording a message",
		"INSERT INTO messages (msg_key, message_id, received_at, kind, action, from_addr,"
		" digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		CASE_SQL_TEXT(key), CASE_SQL_TEXT(r->message_id), CASE_SQL_INT(now),
		CASE_SQL_TEXT(referral_kind_name(r->kind)), CASE_SQL_TEXT(action),
		CASE_SQL_TEXT(r->from_addr), CASE_SQL_TEXT(digest)) != 0)
		return -1;
	*message_row = sqlite3_last_insert_rowid(cs->db);
	return 0;
}

int case_store_link_message(struct case_store *cs, long long message_row, long long case_id)
{
	return CASE_SQL_EXEC(cs, "linking a message to a case",
		"INSERT OR IGNORE INTO message_cases (message_row, case_id) VALUES (?1, ?2)",
		CASE_SQL_INT(message_row), CASE_SQL_INT(case_id));
}

/* ------------------------------------------------------------------ */
/* Matching.                                                            */

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
		char *key;
		sqlite3_stmt *st;

		if (case_store_match_key(c, &key) != 0)
			return case_store_sql_oom(cs, "matching a child");
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
	sqlite3_stmt *st = prepare(cs, "SELECT " CASE_COLUMNS " FROM cases c WHERE c.ref = upper(?1)");

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
		"WHERE m.message_id = ?1 ORDER BY c.merged_into IS NOT NULL, c.id LIMIT 1");

	if (st == NULL)
		return -1;
	bind_text(st, 1, msgid);
	return first_case(cs, st, out);
}

/* ------------------------------------------------------------------ */
/* Cases and children.                                                  */

/* The flags as stored: their names, space-separated (malloc'd), or NULL
 * out of memory.  No limit: the names are the vocabulary's own few. */
static char *flags_text(unsigned long flags)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	for (size_t i = 0; i < vocab_flag_count(); i++)
		if (flags & (1UL << i) &&
		    ((sb.len && strbuf_putc(&sb, ' ') != 0) ||
		     strbuf_puts(&sb, vocab_flag_name(i)) != 0)) {
			strbuf_free(&sb);
			return NULL;
		}
	return strbuf_detach(&sb);
}

/* The referral's problems that concern this child, one a line, at most
 * 64 KiB (malloc'd), or NULL out of memory. */
static char *problems_text(const struct cme_referral *r, const struct cme_child *child)
{
	struct strbuf pb;
	int rc = 0;

	strbuf_init(&pb, 65536);
	for (size_t i = 0; i < r->problems.n && rc == 0; i++) {
		if (!referral_problem_concerns(r, i, child))
			continue;
		if (pb.len)
			rc = case_store_put_bounded(&pb, "\n", 1);
		rc |= case_store_put_bounded(&pb, r->problems.v[i], strlen(r->problems.v[i]));
	}
	if (rc != 0) {
		strbuf_free(&pb);
		return NULL;
	}
	return strbuf_detach(&pb);
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
 * ?1 case id, ?2..?13 the child's fields, ?14 the match key, ?15 (when
 * the statement has it) the provenance text. */
static int run_child_statement(struct case_store *cs, const char *sql, long long case_id,
                               const struct cme_child *c, const char *what)
{
	char *key;
	sqlite3_stmt *st;
	int rc;

	if (case_store_match_key(c, &key) != 0)
		return case_store_sql_oom(cs, what);
	if ((st = prepare(cs, sql)) == NULL) {
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
	if (sqlite3_bind_parameter_count(st) >= 15)
		bind_text(st, 15, c->provenance);
	rc = run(cs, st, what);
	free(key);
	return rc;
}

static int write_child(struct case_store *cs, long long case_id, const struct cme_child *c)
{
	return run_child_statement(cs,
		"INSERT INTO children (case_id, forename, surname, dob, gender, upn, upn_valid,"
		" year_group, address, postcode, school, last_attended, reason, match_key,"
		" provenance) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
		case_id, c, "storing a child");
}

int case_store_open_case(struct case_store *cs, const struct cme_referral *r,
                         const struct cme_child *child, int triage,
                         const char *officer, time_t now, struct case_info *out)
{
	char *flags, *problems;
	int rc;

	memset(out, 0, sizeof *out);
	if (allocate_ref(cs, now, out->ref) != 0)
		return -1;
	flags = flags_text(r->flags);
	problems = problems_text(r, child);
	if (flags == NULL || problems == NULL) {
		free(flags);
		free(problems);
		return case_store_sql_oom(cs, "opening a case");
	}
	rc = CASE_SQL_EXEC(cs, "opening a case",
		"INSERT INTO cases (ref, status, opened_at, officer, referrer_name, referrer_email,"
		" referrer_org, flags, immediate, verified, problems) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
		CASE_SQL_TEXT(out->ref),
		CASE_SQL_TEXT(case_status_name(triage ? CASE_TRIAGE : CASE_OPEN)),
		CASE_SQL_INT(now), CASE_SQL_TEXT(officer), CASE_SQL_TEXT(r->referrer.name),
		CASE_SQL_TEXT(r->referrer.email ? r->referrer.email : r->from_addr),
		CASE_SQL_TEXT(r->referrer.organisation), CASE_SQL_TEXT(flags),
		CASE_SQL_INT(r->immediate == 1), CASE_SQL_INT(r->authenticated == 1),
		CASE_SQL_TEXT(*problems ? problems : NULL));
	free(flags);
	free(problems);
	if (rc != 0)
		return -1;
	out->id = sqlite3_last_insert_rowid(cs->db);
	out->cstatus = triage ? CASE_TRIAGE : CASE_OPEN;
	snprintf(out->status, sizeof out->status, "%s", case_status_name(out->cstatus));
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
	if (case_status_from_name(status) == CASE_STATUS_NONE)
		return bad_name(cs, "case status", status);
	return CASE_SQL_EXEC(cs, "changing a case's status",
		"UPDATE cases SET status = ?2, outcome = coalesce(?3, outcome),"
		" closed_at = CASE WHEN ?2 = 'closed' THEN ?4 ELSE NULL END WHERE id = ?1",
		CASE_SQL_INT(case_id), CASE_SQL_TEXT(status), CASE_SQL_TEXT(outcome),
		CASE_SQL_INT(now));
}

int case_store_link_siblings(struct case_store *cs, long long a, long long b)
{
	/* The group is named by its lowest case id. */
	return CASE_SQL_EXEC(cs, "linking siblings",
		"UPDATE cases SET sibling_group = (SELECT min(coalesce(sibling_group, id))"
		" FROM cases WHERE id IN (?1, ?2)) WHERE id IN (?1, ?2)",
		CASE_SQL_INT(a), CASE_SQL_INT(b));
}

int case_store_add_event(struct case_store *cs, long long case_id, time_t at,
                         const char *type, const char *source, const char *detail)
{
	return CASE_SQL_EXEC(cs, "adding to the timeline",
		"INSERT INTO events (case_id, at, type, source, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
		CASE_SQL_INT(case_id), CASE_SQL_INT(at), CASE_SQL_TEXT(type),
		CASE_SQL_TEXT(source ? source : "cme-milter"), CASE_SQL_TEXT(detail));
}

/* ------------------------------------------------------------------ */
/* Deadlines.                                                           */

int case_store_set_deadline(struct case_store *cs, long long case_id, const char *kind,
                            time_t due, const char *status, const char *flags, time_t now)
{
	/* SEQUENCE rises only when the event the officer sees changes;
	 * flags NULL keeps the row's. */
	if (deadline_kind_from_name(kind) == DL_KIND_NONE)
		return bad_name(cs, "deadline kind", kind);
	if (deadline_status_from_name(status) == DL_STATUS_NONE)
		return bad_name(cs, "deadline status", status);
	return CASE_SQL_EXEC(cs, "setting a deadline",
		"INSERT INTO deadlines (case_id, kind, due, status, sequence, updated_at, set_at,"
		" flags) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5, coalesce(?6, '')) "
		"ON CONFLICT(case_id, kind) DO UPDATE SET"
		" sequence = sequence + (due <> excluded.due OR status <> excluded.status),"
		" updated_at = CASE WHEN due <> excluded.due OR status <> excluded.status"
		"   THEN excluded.updated_at ELSE updated_at END,"
		" set_at = CASE WHEN due <> excluded.due OR status <> excluded.status"
		"   THEN excluded.set_at ELSE set_at END,"
		" due = excluded.due, status = excluded.status, flags = coalesce(?6, flags)",
		CASE_SQL_INT(case_id), CASE_SQL_TEXT(kind), CASE_SQL_INT(due),
		CASE_SQL_TEXT(status), CASE_SQL_INT(now), CASE_SQL_TEXT(flags));
}

int case_store_next_generation(struct case_store *cs, long long case_id)
{
	sqlite3_stmt *st = prepare(cs,
		"UPDATE cases SET generation = generation + 1 WHERE id = ?1 RETURNING generation");
	int rc, gen = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, case_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		gen = sqlite3_column_int(st, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	release(cs, st);
	if (rc != SQLITE_DONE)
		return store_fail(cs, "raising a case's generation");
	if (gen < 0) {
		snprintf(cs->errmsg, sizeof cs->errmsg, "no case %lld", case_id);
		return -1;
	}
	/* The old-form UIDs belonged to the old generation's events. */
	return CASE_SQL_EXEC(cs, "raising a case's generation",
		"UPDATE deadlines SET legacy_uid = NULL WHERE case_id = ?1",
		CASE_SQL_INT(case_id)) == 0 ? gen : -1;
}

int case_store_change_deadline_status(struct case_store *cs, long long case_id,
                                      const char *kind, const char *from,
                                      const char *to, time_t now)
{
	if (deadline_status_from_name(to) == DL_STATUS_NONE)
		return bad_name(cs, "deadline status", to);
	if (CASE_SQL_EXEC(cs, "changing a deadline",
		"UPDATE deadlines SET status = ?4, sequence = sequence + 1, updated_at = ?5"
		" WHERE case_id = ?1 AND kind = ?2 AND status = ?3",
		CASE_SQL_INT(case_id), CASE_SQL_TEXT(kind), CASE_SQL_TEXT(from),
		CASE_SQL_TEXT(to), CASE_SQL_INT(now)) != 0)
		return -1;
	return sqlite3_changes(cs->db);
}

int case_store_deadline_done(struct case_store *cs, long long case_id,
                             const char *kind, time_t done_at)
{
	/* Rows met before schema 11 have no done_at: their recording time
	 * stands for it, as the report reads them. */
	return CASE_SQL_EXEC(cs, "recording when a deadline was met",
		"UPDATE deadlines SET done_at = min(coalesce(done_at, updated_at), ?3)"
		" WHERE case_id = ?1 AND kind = ?2 AND status = 'met'",
		CASE_SQL_INT(case_id), CASE_SQL_TEXT(kind), CASE_SQL_INT(done_at));
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

/* Step a DEADLINE_ROW_SQL statement (case_store_sql.h), calling fn per
 * row; releases it. */
int case_store_sql_each_deadline(struct case_store *cs, sqlite3_stmt *st,
                                 int (*fn)(const struct deadline_row *, void *), void *arg)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct deadline_row row;

		memset(&row, 0, sizeof row);
		row.case_id = sqlite3_column_int64(st, 0);
		copy_col(row.ref, sizeof row.ref, st, 1);
		copy_col(row.kind, sizeof row.kind, st, 2);
		row.dkind = deadline_kind_from_name(row.kind);
		row.due = (time_t)sqlite3_column_int64(st, 3);
		row.sequence = sqlite3_column_int(st, 4);
		copy_col(row.status, sizeof row.status, st, 5);
		row.dstatus = deadline_status_from_name(row.status);
		copy_col(row.officer, sizeof row.officer, st, 6);
		initials(sqlite3_column_text(st, 7), sqlite3_column_text(st, 8), row.initials);
		snprintf(row.name, sizeof row.name, "%s %s",
		         sqlite3_column_text(st, 7) ? (const char *)sqlite3_column_text(st, 7) : "",
		         sqlite3_column_text(st, 8) ? (const char *)sqlite3_column_text(st, 8) : "");
		row.updated_at = (time_t)sqlite3_column_int64(st, 9);
		row.generation = sqlite3_column_int(st, 10);
		row.set_at = sqlite3_column_type(st, 11) == SQLITE_NULL
		             ? (time_t)-1 : (time_t)sqlite3_column_int64(st, 11);
		copy_col(row.flags, sizeof row.flags, st, 12);
		copy_col(row.legacy_uid, sizeof row.legacy_uid, st, 13);
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
	return case_store_sql_each_deadline(cs, st, fn, arg);
}

int case_store_each_officer(struct case_store *cs,
                            int (*fn)(const char *officer, void *), void *arg)
{
	sqlite3_stmt *st = prepare(cs, "SELECT DISTINCT officer FROM cases "
	                               "WHERE status IN ('open', 'visited', 'triage', 'long-term') "
	                               "ORDER BY officer");
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
/* Lifecycle and retention.                                             */

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
	int rc, oom = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 256) {
		ids[n++] = sqlite3_column_int64(st, 0);
		/* a ref left out is a case whose feed is not rewritten */
		if (refs && strlist_add(refs, (const char *)sqlite3_column_text(st, 1)) != 0)
			oom = 1;
	}
	release(cs, st);
	if (oom)
		return case_store_sql_oom(cs, "finding long-term cases");
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(cs, "finding long-term cases");
	/* The review reminder has done its job once the case is long-term:
	 * it leaves the live feed ("fired"), and this sweep, which only
	 * looks at pending reviews, never meets the case again - so its cost
	 * stays with the cases just come due, not the whole long-term list. */
	for (size_t i = 0; i < n; i++)
		if (case_store_set_status(cs, ids[i], case_status_name(CASE_LONG_TERM), NULL,
		                          now) != 0 ||
		    case_store_change_deadline_status(cs, ids[i],
		                                      deadline_kind_name(DL_KIND_LONG_TERM_REVIEW),
		                                      deadline_status_name(DL_PENDING),
		                                      deadline_status_name(DL_FIRED), now) < 0 ||
		    case_store_add_event(cs, ids[i], now, "state", "policy",
		                         "long-term: open for the policy's long-term period") != 0)
			return -1;
	return (int)n;
}

long long case_store_purge(struct case_store *cs, const char *cutoff_dob, time_t now,
                           const char *source)
{
	/* Retention: a case goes when its child's DOB is before the cutoff
	 * (DOB + retention years has passed).  The purge itself is recorded
	 * (when, cutoff, how many) with no personal data. */
	long long n;

	if (CASE_SQL_EXEC(cs, "purging cases",
		"DELETE FROM cases WHERE id IN (SELECT case_id FROM children"
		" WHERE dob IS NOT NULL AND dob < ?1)",
		CASE_SQL_TEXT(cutoff_dob)) != 0)
		return -1;
	n = sqlite3_changes(cs->db);
	/* message_cases rows of the purged cases went with ON DELETE CASCADE;
	 * messages that now name no case keep only their key (no content). */
	if (CASE_SQL_EXEC(cs, "recording the purge",
		"INSERT INTO purges (at, cutoff_dob, cases, source) VALUES (?1, ?2, ?3, ?4)",
		CASE_SQL_INT(now), CASE_SQL_TEXT(cutoff_dob), CASE_SQL_INT(n),
		CASE_SQL_TEXT(source)) != 0)
		return -1;
	return n;
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
	return case_store_sql_each_deadline(cs, st, fn, arg);
}
