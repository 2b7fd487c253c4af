/*
 * table_text.h - the "table-shaped text" sink that html_text.c and
 * docx_text.c write into.
 *
 * Owns: the output buffer and the stack of open table contexts
 * (table / row / cell) while a document is reduced to text, and the
 * rules that give the extractor its input shape:
 *
 *   - each table row is one line, its cells separated by one TAB;
 *   - outside a table, blocks end lines and at most one blank line is
 *     ever left (runs of blank lines collapse);
 *   - inside a cell, a line break becomes ", " so a multi-line address
 *     stays in its cell;
 *   - runs of white space become one space, never at a line start or
 *     after a TAB, and never left at a line end;
 *   - the output is bounded and always cut at a UTF-8 boundary;
 *   - the result has no leading blank lines and ends in at most one
 *     newline;
 *   - a line inside a quote container (an e-mail client's quoted
 *     history) starts with "> " per open container, as plain text
 *     quotes it, so one thread reader (milter/extract/thread.c) serves
 *     both.
 *
 * The callers only walk their own documents and say what they met (a
 * character, white space, a line break, a cell...).  Tables nested
 * deeper than TABLE_TEXT_MAX_TABLES are read as flow text: their
 * elements are counted but not stacked.
 *
 * Also here: table_text_libxml_init(), because both callers parse with
 * libxml2 and its initialisation must happen once per process.
 *
 * Return conventions: the builder's calls return nothing; past the
 * limit text is not kept (table_text_full() says so), and out of memory
 * shows when the text is taken: table_text_finish() returns NULL.
 *
 * Concurrency: a struct table_text belongs to one thread.
 * table_text_libxml_init() may be called from any thread, any number of
 * times: it runs xmlInitParser() once per process (pthread_once), before
 * any thread parses, as libxml2 requires.
 */
#ifndef CME_TABLE_TEXT_H
#define CME_TABLE_TEXT_H

#include <stddef.h>

/* Tables nested deeper than this are read as plain flow text. */
#define TABLE_TEXT_MAX_TABLES 64
/* At most this many "> " in front of a quoted line. */
#define TABLE_TEXT_MAX_QUOTE 8

enum table_text_kind {
	TABLE_TEXT_TABLE,
	TABLE_TEXT_ROW,
	TABLE_TEXT_CELL
};

/* Opaque: created by table_text_new, consumed by table_text_finish. */
struct table_text;

/* A sink that keeps at most `limit` bytes of text (limit > 0).  NULL
 * when out of memory. */
struct table_text *table_text_new(size_t limit);

/* Trim the output (no leading blank lines, one final newline at most),
 * free the sink and return the text, malloc'd and NUL-terminated, its
 * length in *outlen (when not NULL).  NULL when out of memory; the sink
 * is freed either way. */
char *table_text_finish(struct table_text *tt, size_t *outlen);

/* The output limit was reached: nothing more will be kept, so the
 * caller may stop walking. */
int table_text_full(const struct table_text *tt);

/* The innermost open table context is a cell. */
int table_text_in_cell(const struct table_text *tt);

/* One visible character, `n` bytes of UTF-8, preceded by the pending
 * ", " (in a cell with text already) or the pending space. */
void table_text_char(struct table_text *tt, const char *s, size_t n);

/* White space: one space before the next character, unless that starts
 * a line or a cell. */
void table_text_space(struct table_text *tt);

/* A line break inside a cell: ", " before the cell's next character
 * (nothing if the cell has no text yet). */
void table_text_cell_break(struct table_text *tt);

/* End the current line so that it is followed by `max_nl` newlines
 * (1: a line break, 2: a blank line), never more.  Nothing at the
 * start of the output. */
void table_text_newline(struct table_text *tt, size_t max_nl);

/* A line or paragraph end: table_text_cell_break inside a cell,
 * table_text_newline(max_nl) outside. */
void table_text_line_break(struct table_text *tt, size_t max_nl);

/* An explicit line break outside a table (HTML <br>, a newline in
 * <pre>): one more newline each time, up to a blank line, so two
 * breaks in a row leave an empty line.  Nothing at the start. */
void table_text_hard_break(struct table_text *tt);

/* A table, row or cell starts / ends.  A table or row starts and ends
 * on a fresh line; a cell after the first in its row starts with a TAB;
 * entering or leaving a cell drops any pending space or ", ". */
void table_text_push(struct table_text *tt, enum table_text_kind kind);
void table_text_pop(struct table_text *tt, enum table_text_kind kind);

/* A quote container opens (delta > 0) or closes (delta < 0): lines
 * started while one is open begin with "> " (see above).  Unbalanced
 * closes are ignored. */
void table_text_quote(struct table_text *tt, int delta);

/* xmlInitParser, exactly once per process (thread-safe). */
void table_text_libxml_init(void);

#endif
