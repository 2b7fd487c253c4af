/*
 * ooxml_zip.h - the ZIP container of DOCX and XLSX attachments.
 *
 * Every byte is hostile: an entry is read only up to a caller's bound,
 * an encrypted, damaged or size-lying entry (a zip bomb claims one size
 * and inflates to another) is refused, and its CRC is checked when it
 * is read to the end.
 *
 * Return conventions: ooxml_zip_open returns NULL when the bytes are
 * not a readable ZIP (or out of memory); the caller zip_discard()s it.
 * ooxml_zip_stream: see below.
 *
 * Concurrency: an archive belongs to one thread.
 */
#ifndef CME_OOXML_ZIP_H
#define CME_OOXML_ZIP_H

#include <stddef.h>
#include <zip.h>

/* Where inflated bytes go; nonzero stops the reading (not an error). */
typedef int (*ooxml_sink)(void *arg, const char *p, size_t n);

/* An archive over `len` bytes at `data` (not copied: they must outlive
 * it). */
zip_t *ooxml_zip_open(const void *data, size_t len);

/* Inflate entry `idx` into `sink`, at most `max` bytes.  Returns 0 when
 * the whole entry was read and is sound (its size as claimed, its CRC
 * right), 1 when it was cut at `max` or the sink stopped, -1 when it is
 * damaged, encrypted or unreadable.  *total counts the bytes read. */
int ooxml_zip_stream(zip_t *za, zip_int64_t idx, size_t max,
                     ooxml_sink sink, void *arg, size_t *total);

/* A sink appending to a struct strbuf (arg); stops at its limit. */
int ooxml_to_strbuf(void *arg, const char *p, size_t n);

#endif
