/*
 * case_store_sql.h - private to the case store's modules (case_store.c,
 * case_links.c): the statement helpers, so that SQL added in a module of
 * its own still goes through the one statement cache and error path.
 * Not for the pipeline or the front ends.
 */
#ifndef CME_CASE_STORE_SQL_H
#define CME_CASE_STORE_SQL_H

#include <sqlite3.h>
#include "case_store.h"

/* A prepared statement (cached by the SQL text's address: pass string
 * literals), or NULL with the store's error set. */
sqlite3_stmt *case_store_sql_prepare(struct case_store *cs, const char *sql);
/* Done with a statement from case_store_sql_prepare. */
void case_store_sql_release(struct case_store *cs, sqlite3_stmt *st);
/* Bind text, or NULL when v is NULL. */
void case_store_sql_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Step a statement returning no rows, then release it.  0 or -1. */
int case_store_sql_run(struct case_store *cs, sqlite3_stmt *st, const char *what);
/* Set the store's error from SQLite's; returns -1. */
int case_store_sql_fail(struct case_store *cs, const char *what);

#endif
