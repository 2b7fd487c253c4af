/*
 * xlsx_text.h - an XLSX (Office Open XML spreadsheet) export as CSV text.
 *
 * NAME
 *	xlsx_text - read the first worksheet of an .xlsx attachment
 *
 * Owns: the libzip archive and libxml2 readers for one call, and the
 * returned text.  MIS systems (SIMS, Arbor, Bromcom) export leaver and
 * CME lists as .xlsx; the extractor reads them like a CSV attachment,
 * one child a row, so this reader's output is RFC 4180 CSV: cells
 * separated by ',', quoted with '"' when they hold a separator, quote or
 * line break, rows ended by "\n", empty cells kept where the sheet skips
 * a column (cell references "C7"), empty rows left out.
 *
 * Cell values: shared strings (xl/sharedStrings.xml, rich-text runs
 * joined), inline strings, formula strings, booleans ("TRUE"/"FALSE"),
 * numbers as written ("12", "3.5"), and numbers whose cell style
 * (xl/styles.xml cellXfs -> numFmtId, built-in date formats 14-22,
 * 27-36, 45-47, 50-58 or a custom format code with d/m/y outside quotes)
 * is a date, as ISO "YYYY-MM-DD": the 1900 date system with its
 * fictitious 29 February 1900 (serial 60; serials from 61 are one day
 * less), or the 1904 system when xl/workbook.xml says date1904.
 *
 * Only the first worksheet (xl/worksheets/sheet1.xml, else the first
 * entry under xl/worksheets/) is read: an export puts its list first.
 *
 * Every byte is hostile: entries in the archive, XML inflated per part
 * and in total (xml_limit), shared strings, bytes of one cell, cells per
 * row, rows, the column a reference may name and the output are all
 * bounded; a part with a DTD is refused; entities are never
 * substituted; libzip refuses size-lying (bomb) and damaged entries.
 *
 * Return conventions: malloc'd NUL-terminated UTF-8 (length in
 * *outlen), or NULL when the attachment is not a readable XLSX or out
 * of memory.
 *
 * Concurrency: one call belongs to one thread; libxml2 is initialised
 * once per process (table_text_libxml_init).
 */
#ifndef CME_XLSX_TEXT_H
#define CME_XLSX_TEXT_H

#include <stddef.h>

#define XLSX_MAX_XML        ((size_t)16 * 1024 * 1024) /* per part */
#define XLSX_MAX_ENTRIES    2000
#define XLSX_MAX_STRINGS    100000   /* shared strings kept */
#define XLSX_MAX_CELL       4096     /* bytes of one cell's text */
#define XLSX_MAX_COLUMNS    64       /* columns read per row */
#define XLSX_MAX_ROWS       20000
#define XLSX_MAX_STYLES     4096     /* cellXfs entries read */

struct xlsx_read {
	size_t text_limit;   /* in: most bytes of output (0: 4 MiB) */
	size_t xml_limit;    /* in: most XML inflated in all (0: 3 x
	                        XLSX_MAX_XML) */
	size_t xml_read;     /* out: XML inflated */
	int cut;             /* out: rows, cells or XML were left unread */
};

char *xlsx_read_text(const void *data, size_t len, struct xlsx_read *xr,
                     size_t *outlen);

/* A serial date as ISO "YYYY-MM-DD" into out (11 bytes); 0 when out of
 * range.  date1904: the workbook's 1904 date system. */
int xlsx_serial_date(double serial, int date1904, char out[11]);

#endif
