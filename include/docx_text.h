/*
 * docx_text.h - reduce a DOCX (Office Open XML) referral form to text.
 */
#ifndef CME_DOCX_TEXT_H
#define CME_DOCX_TEXT_H

#include <stddef.h>

/* `data` is the decoded .docx attachment.  Returns malloc'd UTF-8 text in
 * the same shape as html_to_text (table rows as TAB-separated cells,
 * paragraphs as lines), bounded by `limit`, or NULL if it is not a
 * readable DOCX. */
char *docx_to_text(const void *data, size_t len, size_t limit, size_t *outlen);

#endif
