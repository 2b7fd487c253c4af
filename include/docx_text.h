/*
 * docx_text.h - reduce a DOCX (Office Open XML) referral form to text.
 *
 * The main document part is inflated and parsed as a stream (libxml2's
 * SAX push parser fed from libzip), never held whole and never built
 * into a tree: memory is the output text plus O(nesting depth), whatever
 * the size of the XML, and time is linear in it.
 */
#ifndef CME_DOCX_TEXT_H
#define CME_DOCX_TEXT_H

#include <stddef.h>

/* Most XML of one main document part inflated and read (the rest is
 * left unread, and said so in xml_cut). */
#define DOCX_MAX_XML ((size_t)16 * 1024 * 1024)

struct docx_read {
	size_t text_limit;   /* in: most bytes of text kept (0: 4 MiB) */
	size_t xml_limit;    /* in: most bytes of XML inflated (0, or more
	                        than DOCX_MAX_XML: DOCX_MAX_XML) */
	size_t xml_read;     /* out: bytes of XML inflated */
	int xml_cut;         /* out: the part was longer than xml_limit, so
	                        only the text of its start was returned */
	int text_cut;        /* out: text_limit was reached: text past it
	                        (a whole paragraph, maybe) was not kept */
};

/* `data` is the decoded .docx attachment.  Returns malloc'd UTF-8 text in
 * the same shape as html_to_text (table rows as TAB-separated cells,
 * paragraphs as lines), bounded by rd->text_limit, or NULL if it is not
 * a readable DOCX (not a ZIP, no main part, damaged, malformed XML, a
 * DTD).  A part cut at xml_limit is not malformed: its start is read. */
char *docx_read_text(const void *data, size_t len, struct docx_read *rd,
                     size_t *outlen);

/* docx_read_text with text_limit `limit` and the default XML bound. */
char *docx_to_text(const void *data, size_t len, size_t limit, size_t *outlen);

#endif
