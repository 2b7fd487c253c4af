/*
 * html_text.h - reduce HTML to the plain text the extractor reads.
 *
 * Owns: nothing but the returned string.  Uses libxml2's HTML parser
 * (never regexes): entities and &nbsp; are decoded; each table row
 * becomes one line with its cells separated by TAB; <br>, <p>, <div>,
 * <li> and headings end lines; inside a table cell <br> becomes ", " so a
 * multi-line address stays in its cell; script/style are dropped; text
 * struck through (<s>, <del>, <strike>) is marked "~~text~~", so a form's
 * struck "Yes" is not read as the answer (milter/extract/answers.c).
 */
#ifndef CME_HTML_TEXT_H
#define CME_HTML_TEXT_H

#include <stddef.h>

/* `html` is UTF-8.  Returns malloc'd UTF-8 text, NULL on allocation
 * failure.  Output is bounded by `limit` bytes.  *cut (may be NULL) is set
 * when the parser had to stop early (e.g. nesting deeper than libxml2's
 * limit): the text is then incomplete. */
char *html_to_text(const char *html, size_t len, size_t limit, size_t *outlen, int *cut);

#endif
