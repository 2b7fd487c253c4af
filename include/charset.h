/*
 * charset.h - bytes in a named charset to valid UTF-8.
 *
 * NAME
 *	charset - charset conversion for the message stage
 *
 * Owns: the mapping from MIME charset labels (quoted, odd case,
 * aliases) to iconv names, and the rule that what leaves is valid UTF-8
 * without NUL: each undecodable byte becomes U+FFFD.  An unknown or
 * unusable label is read as Windows-1252, which is what mislabelled
 * school mail nearly always is.
 *
 * Return conventions: a malloc'd NUL-terminated string the caller
 * frees, or NULL only when out of memory.
 *
 * Concurrency: safe from any thread; each call opens and closes its own
 * iconv handle and keeps no state.
 */
#ifndef CME_CHARSET_H
#define CME_CHARSET_H

#include <stddef.h>

/* Bytes in `charset` (NULL: UTF-8 expected) to UTF-8; *outlen (if not
 * NULL) is the length. */
char *charset_to_utf8(const char *charset, const char *in, size_t len,
                      size_t *outlen);

/* The same, and says how: *known is 0 when the label was unknown and
 * Windows-1252 was used, *bad counts replacement characters. */
char *charset_convert(const char *charset, const char *in, size_t len,
                      size_t *outlen, int *known, size_t *bad);

/* A byte order mark (UTF-8, UTF-16LE/BE) at the start of `in`, or
 * UTF-16 recognised by its zero bytes: the charset name to read it in,
 * with *skip the BOM's length; NULL (and *skip 0) when neither.  Used
 * for spreadsheet attachments, whose labels are often wrong. */
const char *charset_sniff(const char *in, size_t len, size_t *skip);

/* A charset name longer than this is not a charset name. */
#define CHARSET_MAX_NAME 64

#endif
