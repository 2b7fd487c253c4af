/*
 * NAME
 *	case_store_sql.h - private to the case store's modules
 *	(case_store.c, case_match.c, case_views.c, case_links.c,
 *	case_outbox.c, case_dupes.c, case_report.c, case_census.c,
 *	case_edit.c): the statement helpers.
 *
 * PURPOSE
 *	SQL in a module of its own still goes through the connection's one
 *	statement cache and its one error path.  Not for the pipeline or
 *	the front ends.
 *
 * RETURN CONVENTIONS
 *	As case_store.h: 0 / -1, the error in case_store_errmsg.
 */
#ifndef CME_CASE_STORE_SQL_H
#define CME_CASE_STORE_SQL_H

#include <stddef.h>
#include <sqlite3.h>
#include "case_store.h"

/* SQL: case alias c was not merged away (closed as a duplicate, judged
 * as of now: the child was never two cases).  The monthly report and the
 * census return count only such cases. */
#define CASE_SQL_NOT_DUPLICATE(c) \
	"NOT (" c ".status = 'closed' AND coalesce(" c ".outcome, '') = 'duplicate')"

/* A prepared statement (cached by the SQL text's address: pass string
 * literals), or NULL with the store's error set. */
sqlite3_stmt *case_store_sql_prepare(struct case_store *cs, const char *sql);
/* Done with a statement from case_store_sql_prepare. */
void case_store_sql_release(struct case_store *cs, sqlite3_stmt *st);
/* Bind text, or NULL when v is NULL. */
void case_store_sql_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Step a statement returning no rows, then release it.  0 or -1. */
int case_store_sql_run(struct case_store *cs, sqlite3_stmt *st, const char *what);

/* One value for case_store_sql_exec: a whole number, a text (NULL binds
 * SQL NULL) or NULL.  Made with CASE_SQL_INT, CASE_SQL_TEXT, CASE_SQL_NULL,
 * whose initialisers let the compiler check each value's type. */
enum case_sql_type { CASE_SQL_TYPE_NULL, CASE_SQL_TYPE_INT, CASE_SQL_TYPE_TEXT };
struct case_sql_arg {
	enum case_sql_type type;
	sqlite3_int64 i;
	const char *t;
};
#define CASE_SQL_INT(v)  ((struct case_sql_arg){ CASE_SQL_TYPE_INT, (sqlite3_int64)(v), NULL })
#define CASE_SQL_TEXT(v) ((struct case_sql_arg){ CASE_SQL_TYPE_TEXT, 0, (v) })
#define CASE_SQL_NULL    ((struct case_sql_arg){ CASE_SQL_TYPE_NULL, 0, NULL })
/* Prepare sql (a string literal, as case_store_sql_prepare), bind ?1..?n
 * to args[0..n), step it as case_store_sql_run (its error names what)
 * and release it.  0 or -1.  CASE_SQL_EXEC(cs, what, sql, args...) counts
 * the arguments itself. */
int case_store_sql_exec(struct case_store *cs, const char *what, const char *sql,
                        const struct case_sql_arg *args, int n);
#define CASE_SQL_EXEC(cs, what, sql, ...) \
	case_store_sql_exec((cs), (what), (sql), \
	    (const struct case_sql_arg[]){ __VA_ARGS__ }, \
	    (int)(sizeof((const struct case_sql_arg[]){ __VA_ARGS__ }) / \
	          sizeof(struct case_sql_arg)))
/* Set the store's error from SQLite's; returns -1. */
int case_store_sql_fail(struct case_store *cs, const char *what);
/* sqlite3_changes of the store's connection. */
int case_store_sql_changes(struct case_store *cs);
/* Set the store's error to "WHAT: out of memory"; returns -1. */
int case_store_sql_oom(struct case_store *cs, const char *what);
/* Copy a text column into dst ("" for NULL), truncating to dstlen. */
void case_store_sql_copy_col(char *dst, size_t dstlen, sqlite3_stmt *st, int col);

/* The deadline_row query (WHERE/ORDER BY to be appended), and the step
 * over its rows calling fn per row; releases st.  0 or -1. */
#define DEADLINE_ROW_SQL \
	"SELECT d.case_id, c.ref, d.kind, d.due, d.sequence, d.status, c.officer," \
	" ch.forename, ch.surname, d.updated_at, c.generation, d.set_at, d.flags," \
	" d.legacy_uid FROM deadlines d" \
	" JOIN cases c ON c.id = d.case_id LEFT JOIN children ch ON ch.case_id = c.id"
int case_store_sql_each_deadline(struct case_store *cs, sqlite3_stmt *st,
                                 int (*fn)(const struct deadline_row *, void *), void *arg);

/* case_schema.c: the migrations (entry N: user_version N to N + 1) and
 * their number, the current schema version. */
extern const char *const case_store_migrations[];
extern const int case_store_schema_version;

/* case_match.c: the child's match key, "surname|forename|dob" folded,
 * at most 1024 bytes, in *key (malloc'd; NULL unless all three are
 * known).  0, or -1 out of memory. */
int case_store_match_key(const struct cme_child *c, char **key);
/* Fold a UTF-8 name for matching (accents to base letters, lower case,
 * only letters and digits kept) onto out.  0, or -1 out of memory. */
struct strbuf;
int case_store_fold_name(const char *s, struct strbuf *out);
/* The SQL functions migrations use (cme_match_key).  0 or -1. */
int case_store_register_functions(sqlite3 *db);
/* Append to a bounded buffer: 0 appended, or the buffer is at its limit
 * (the text is cut there, the same way every time); -1 out of memory. */
struct strbuf;
int case_store_put_bounded(struct strbuf *sb, const char *p, size_t n);

#endif
