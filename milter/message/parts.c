/*
 * parts.c - the MIME walk: which parts are text (plain, HTML, CSV,
 * delivery reports), DOCX attachments, forwarded messages, multipart
 * groups; attachment file names (RFC 2231); transfer decoding.  Every
 * part, nesting level and byte of text or inflated XML is counted
 * against struct message_limits.  See message_int.h.
 */
#include "build-config.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docx_text.h"
#include "xlsx_text.h"
#include "html_text.h"
#include "message_int.h"
#include "strbuf.h"

/* A part's text, newlines normalised, joins the message; an empty part
 * or document tells the extractor nothing and is dropped. */
static void keep_part_text(struct walk *w, enum text_source src, int depth,
                           int alt, char *filename, char *text, size_t tlen)
{
	message_normalise_newlines(text, &tlen);
	if (tlen == 0) {
		free(filename);
		free(text);
		return;
	}
	message_add_text(w, src, depth, alt, filename, text, tlen);
}

static const char *type_name(const struct mailmime_content *ct)
{
	const struct mailmime_type *t;

	if (ct == NULL || ct->ct_type == NULL)
		return "text";
	t = ct->ct_type;
	if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	    t->tp_data.tp_discrete_type != NULL) {
		switch (t->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:        return "text";
		case MAILMIME_DISCRETE_TYPE_IMAGE:       return "image";
		case MAILMIME_DISCRETE_TYPE_AUDIO:       return "audio";
		case MAILMIME_DISCRETE_TYPE_VIDEO:       return "video";
		case MAILMIME_DISCRETE_TYPE_APPLICATION: return "application";
		case MAILMIME_DISCRETE_TYPE_EXTENSION:
			return t->tp_data.tp_discrete_type->dt_extension ?
			       t->tp_data.tp_discrete_type->dt_extension : "";
		default:                                 return "";
		}
	}
	if (t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	    t->tp_data.tp_composite_type != NULL) {
		switch (t->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:    return "message";
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:  return "multipart";
		case MAILMIME_COMPOSITE_TYPE_EXTENSION:
			return t->tp_data.tp_composite_type->ct_token ?
			       t->tp_data.tp_composite_type->ct_token : "";
		default:                                 return "";
		}
	}
	return "";
}

int parts_is_type(const struct mailmime_content *ct, const char *type,
                   const char *sub)
{
	const char *s = (ct && ct->ct_subtype) ? ct->ct_subtype :
	                (ct == NULL ? "plain" : "");

	return strcasecmp(type_name(ct), type) == 0 &&
	       (sub == NULL || strcasecmp(s, sub) == 0);
}

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* RFC 2231 parameter value ("utf-8'en'Zo%C3%AB.csv" or a continuation
 * piece); `extended` says whether it is percent-encoded. */
static int rfc2231_piece(struct strbuf *bytes, char *charset, size_t cslen,
                         const char *v, int extended, int first)
{
	if (!extended)
		return strbuf_puts(bytes, v);
	if (first) {
		const char *q1 = strchr(v, '\'');
		const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;

		if (q1 != NULL && q2 != NULL) {
			size_t n = (size_t)(q1 - v);

			if (n < cslen) {
				memcpy(charset, v, n);
				charset[n] = '\0';
			}
			v = q2 + 1;
		}
	}
	for (; *v != '\0'; v++) {
		if (v[0] == '%' && isxdigit((unsigned char)v[1]) &&
		    isxdigit((unsigned char)v[2])) {
			char hex[3] = { v[1], v[2], '\0' };

			if (strbuf_putc(bytes, (int)strtol(hex, NULL, 16)) != 0)
				return -1;
			v += 2;
		} else if (strbuf_putc(bytes, *v) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Assemble RFC 2231 "base*", "base*0", "base*0*", "base*1*"... from a
 * list of mailmime_parameter.  libetpan hands these over as opaque
 * parameters.  Returns malloc'd bytes in *charset, or NULL. */
static char *rfc2231_param(clist *params, int is_disposition,
                           const char *base, char *charset, size_t cslen,
                           int *oom)
{
	struct strbuf bytes;
	size_t blen = strlen(base);
	int seq, found = 0;

	strbuf_init(&bytes, MAX_HEADER_VALUE);
	/* Pieces may come in any order; numbered ones are looked up in
	 * sequence, so a bounded number of passes reassembles them. */
	for (seq = -1; seq < 64; seq++) {
		clistiter *it;
		int got = 0;

		for (it = clist_begin(params); it != NULL; it = clist_next(it)) {
			struct mailmime_parameter *pa;
			const char *rest;
			int ext;

			if (is_disposition) {
				struct mailmime_disposition_parm *dp =
					clist_content(it);

				if (dp->pa_type !=
				    MAILMIME_DISPOSITION_PARM_PARAMETER)
					continue;
				pa = dp->pa_data.pa_parameter;
			} else {
				pa = clist_content(it);
			}
			if (pa == NULL || pa->pa_name == NULL ||
			    pa->pa_value == NULL ||
			    strncasecmp(pa->pa_name, base, blen) != 0 ||
			    pa->pa_name[blen] != '*')
				continue;
			rest = pa->pa_name + blen + 1;
			if (seq == -1) {
				if (*rest != '\0')
					continue;
				ext = 1;
			} else {
				char *endp;
				long n = strtol(rest, &endp, 10);

				if (endp == rest || n != seq ||
				    (*endp != '\0' && strcmp(endp, "*") != 0))
					continue;
				ext = *endp == '*';
			}
			if (rfc2231_piece(&bytes, charset, cslen, pa->pa_value,
			                  ext, seq <= 0) != 0) {
				*oom = 1;
				strbuf_free(&bytes);
				return NULL;
			}
			got = found = 1;
			break;
		}
		if (seq == -1 && got)
			break;
		if (seq >= 0 && !got)
			break;
	}
	if (!found) {
		strbuf_free(&bytes);
		return NULL;
	}
	return strbuf_detach(&bytes);
}

/* Attachment file name as UTF-8: Content-Disposition filename, else
 * Content-Type name; RFC 2231 or RFC 2047 encoded.  NULL if none. */
static char *part_filename(struct mailmime *mime, int *oom)
{
	struct mailmime_single_fields sf;
	char charset[MAX_CHARSET_NAME + 1] = "";
	char *bytes = NULL, *name;
	size_t n;

	mailmime_single_fields_init(&sf, mime->mm_mime_fields,
	                            mime->mm_content_type);
	if (sf.fld_disposition != NULL &&
	    sf.fld_disposition->dsp_parms != NULL)
		bytes = rfc2231_param(sf.fld_disposition->dsp_parms, 1,
		                      "filename", charset, sizeof(charset),
		                      oom);
	if (bytes == NULL && !*oom && mime->mm_content_type != NULL &&
	    mime->mm_content_type->ct_parameters != NULL)
		bytes = rfc2231_param(mime->mm_content_type->ct_parameters, 0,
		                      "name", charset, sizeof(charset), oom);
	if (*oom)
		return NULL;
	if (bytes != NULL) {
		name = charset_to_utf8(charset[0] ? charset : NULL, bytes,
		                       strlen(bytes), &n);
		free(bytes);
	} else {
		const char *raw = sf.fld_disposition_filename ?
		                  sf.fld_disposition_filename :
		                  sf.fld_content_name;

		if (raw == NULL)
			return NULL;
		n = strlen(raw);
		name = headers_decode_value(raw, n < MAX_HEADER_VALUE ?
		                           n : MAX_HEADER_VALUE);
	}
	if (name == NULL) {
		*oom = 1;
		return NULL;
	}
	headers_sanitise_line(name);
	return name;
}

/* Decode the transfer encoding of a single part.  Returns a libetpan
 * buffer (free with mailmime_decoded_part_free) or NULL. */
/* Zeroed bytes after a part's copy for libetpan's decoders to overrun. */
#define DECODE_SLACK 64

static char *decode_part(struct walk *w, struct mailmime *mime,
                         size_t *outlen)
{
	struct mailmime_data *d = mime->mm_data.mm_single;
	char *res = NULL, *copy;
	size_t idx = 0, len;
	int r;

	*outlen = 0;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return NULL;
	if (d->dt_encoding == MAILMIME_MECHANISM_BASE64 && d->dt_encoded) {
		/* libetpan's decoder skips what is not base64 and carries
		 * on, which recovers most of a damaged part; say so. */
		const unsigned char *s =
			(const unsigned char *)d->dt_data.dt_text.dt_data;
		size_t i, junk = 0;

		for (i = 0; i < d->dt_data.dt_text.dt_length; i++)
			if (!isalnum(s[i]) && s[i] != '+' && s[i] != '/' &&
			    s[i] != '=' && !isspace(s[i]))
				junk++;
		if (junk > 0)
			message_problem(w, "a base64-encoded part was damaged; its "
			        "text may be incomplete or garbled");
	}
	/* libetpan's decoders read past the end of the text they are given
	 * (a quoted-printable part ending in control bytes made it copy
	 * beyond the message: found by fuzz_message).  Give them a copy
	 * with zeroed slack after it rather than the message itself. */
	len = d->dt_data.dt_text.dt_length;
	if (len > SIZE_MAX - DECODE_SLACK || (copy = calloc(1, len + DECODE_SLACK)) == NULL) {
		w->oom = 1;
		return NULL;
	}
	memcpy(copy, d->dt_data.dt_text.dt_data, len);
	r = mailmime_part_parse(copy, len, &idx,
	                        d->dt_encoded ? d->dt_encoding :
	                        MAILMIME_MECHANISM_8BIT, &res, outlen);
	free(copy);
	if (r == MAILIMF_ERROR_MEMORY)
		w->oom = 1;
	if (r != MAILIMF_NO_ERROR) {
		message_problem(w, "an attachment could not be decoded");
		return NULL;
	}
	return res;
}
void parts_walk_mime(struct walk *w, struct mailmime *mime, int depth,
                      size_t nest, int alt);

/* message/rfc822 sent base64 or quoted-printable: libetpan leaves it as
 * one opaque part, so decode it and parse the result as a message. */
static void walk_encoded_message(struct walk *w, struct mailmime *mime,
                                 int depth, size_t nest)
{
	size_t len, idx = 0;
	char *dec = decode_part(w, mime, &len);
	struct mailmime *sub = NULL;

	if (dec == NULL)
		return;
	if (mailmime_parse(dec, len, &idx, &sub) == MAILIMF_NO_ERROR &&
	    sub != NULL) {
		if (sub->mm_type == MAILMIME_MESSAGE &&
		    sub->mm_data.mm_message.mm_msg_mime != NULL)
			parts_walk_mime(w, sub->mm_data.mm_message.mm_msg_mime,
			          depth + 1, nest + 1, -1);
		mailmime_free(sub);
	} else {
		message_problem(w, "a forwarded message could not be read");
	}
	mailmime_decoded_part_free(dec);
}

static int is_docx(const struct mailmime_content *ct, const char *filename)
{
	return parts_is_type(ct, "application",
	               "vnd.openxmlformats-officedocument.wordprocessingml.document") ||
	       (filename != NULL && ends_with_ci(filename, ".docx"));
}

/* A Word (.docx) attachment: referral forms often come as one.  Its
 * tables become TAB lines like HTML tables (docx_text), kept as a
 * TEXT_DOCX part.  One that cannot be read is a problem the officer has
 * to know about, since the referral may be in it.  Takes `filename`. */
/* "" or " (NAME)", NAME cut to 80 bytes on a character boundary. */
static void shown_name(const char *filename, char *shown, size_t sz)
{
	size_t n = filename ? strlen(filename) : 0;

	if (n > 80) {
		n = 80;
		while (n > 0 && ((unsigned char)filename[n] & 0xC0) == 0x80)
			n--;
	}
	snprintf(shown, sz, "%s%.*s%s", n ? " (" : "", (int)n,
	         n ? filename : "", n ? ")" : "");
}

/* The XML a DOCX may still inflate: DOCX_MAX_XML, or what is left of
 * the message's max_inflated_bytes.  0 when nothing is left. */
static size_t xml_room(const struct walk *w)
{
	size_t left = w->lim->max_inflated_bytes > w->inflated ?
	              w->lim->max_inflated_bytes - w->inflated : 0;

	return left < DOCX_MAX_XML ? left : DOCX_MAX_XML;
}

static void docx_unreadable(struct walk *w, const char *dec, size_t declen,
                            const char *shown)
{
	/* "\xD0\xCF\x11\xE0" opens an OLE compound file: what Word
	 * writes for a password-protected document (and for the old .doc
	 * format) */
	if (declen >= 4 && memcmp(dec, "\xD0\xCF\x11\xE0", 4) == 0)
		message_problem(w, "an attached Word document%s is "
		        "password-protected or in an old format and "
		        "could not be read; open it by hand", shown);
	else
		message_problem(w, "an attached Word document%s could not be "
		        "read (it is damaged or not really a Word "
		        "document); open it by hand", shown);
}

/* A Word (.docx) attachment: referral forms often come as one.  Its
 * tables become TAB lines like HTML tables (docx_text), kept as a
 * TEXT_DOCX part.  One that cannot be read, or not in full, is a
 * problem the officer has to know about, since the referral may be in
 * it.  Takes `filename`. */
static void walk_docx(struct walk *w, struct mailmime *mime, int depth,
                      int alt, char *filename)
{
	char shown[96], sz[32];
	char *dec, *text;
	size_t declen, tlen = 0;
	struct docx_read dr;

	shown_name(filename, shown, sizeof(shown));
	memset(&dr, 0, sizeof dr);
	dr.xml_limit = xml_room(w);
	if (dr.xml_limit == 0) {
		message_human_size(w->lim->max_inflated_bytes, sz, sizeof(sz));
		message_problem(w, "the message's Word documents held more than %s of "
		        "XML; an attached Word document%s was not read; open "
		        "it by hand", sz, shown);
		free(filename);
		return;
	}
	dec = decode_part(w, mime, &declen);
	if (dec == NULL) {
		free(filename);
		return;
	}
	/* One byte over the room left, so that a document with more text
	 * than may be kept reaches message_add_text() over the cap and is reported
	 * as cut rather than silently shortened. */
	dr.text_limit = w->lim->max_text_bytes - w->text_bytes + 1;
	text = docx_read_text(dec, declen, &dr, &tlen);
	w->inflated += dr.xml_read;
	if (text == NULL)
		docx_unreadable(w, dec, declen, shown);
	mailmime_decoded_part_free(dec);
	if (text == NULL) {
		free(filename);
		return;
	}
	/* The text limit is reached a paragraph at a time: a document cut
	 * there may come back no longer than the room left, and is cut all
	 * the same (message_add_text words it the same way, listed once). */
	if (dr.text_cut)
		message_text_cut(w);
	if (dr.xml_cut) {
		message_human_size(dr.xml_limit, sz, sizeof(sz));
		message_problem(w, "an attached Word document%s held more than %s of "
		        "XML; only the text of its first %s was read; open it "
		        "by hand", shown, sz, sz);
	}
	keep_part_text(w, TEXT_DOCX, depth, alt, filename, text, tlen);
}

static int is_xlsx(const struct mailmime_content *ct, const char *filename)
{
	return parts_is_type(ct, "application",
	               "vnd.openxmlformats-officedocument.spreadsheetml.sheet") ||
	       (filename != NULL && ends_with_ci(filename, ".xlsx"));
}

/* An Excel (.xlsx) export: its first sheet becomes CSV text
 * (xlsx_text.h), read like a CSV attachment.  Takes `filename`. */
static void walk_xlsx(struct walk *w, struct mailmime *mime, int depth,
                      int alt, char *filename)
{
	char shown[96];
	char *dec, *text;
	size_t declen, tlen = 0;
	struct xlsx_read xr;

	shown_name(filename, shown, sizeof(shown));
	memset(&xr, 0, sizeof xr);
	xr.xml_limit = xml_room(w);
	if (xr.xml_limit == 0 || (dec = decode_part(w, mime, &declen)) == NULL) {
		if (xr.xml_limit == 0)
			message_problem(w, "an attached spreadsheet%s was not read (the "
			        "message's attachments held too much); open it by hand",
			        shown);
		free(filename);
		return;
	}
	xr.text_limit = w->lim->max_text_bytes - w->text_bytes + 1;
	text = xlsx_read_text(dec, declen, &xr, &tlen);
	w->inflated += xr.xml_read;
	mailmime_decoded_part_free(dec);
	if (text == NULL) {
		message_problem(w, "an attached spreadsheet%s could not be read (it "
		        "is damaged, protected or not really an .xlsx file); open "
		        "it by hand", shown);
		free(filename);
		return;
	}
	if (xr.cut)
		message_problem(w, "an attached spreadsheet%s was too large to read "
		        "in full; open it by hand", shown);
	keep_part_text(w, TEXT_CSV, depth, alt, filename, text, tlen);
}

static void walk_single(struct walk *w, struct mailmime *mime, int depth,
                        size_t nest, int alt)
{
	const struct mailmime_content *ct = mime->mm_content_type;
	enum text_source src;
	char *filename, *dec, *text;
	size_t declen, tlen, bad = 0;
	int known = 1;
	const char *charset;

	if (parts_is_type(ct, "message", "rfc822") ||
	    parts_is_type(ct, "message", "global")) {
		walk_encoded_message(w, mime, depth, nest);
		return;
	}
	filename = part_filename(mime, &w->oom);
	if (w->oom)
		return;
	if (parts_is_type(ct, "text", "html")) {
		src = TEXT_HTML;
	} else if (parts_is_type(ct, "text", "csv") ||
	           parts_is_type(ct, "text", "x-csv") ||
	           parts_is_type(ct, "text", "comma-separated-values") ||
	           parts_is_type(ct, "text", "tab-separated-values") ||
	           (filename != NULL && (ends_with_ci(filename, ".csv") ||
	                                 ends_with_ci(filename, ".tsv")))) {
		src = TEXT_CSV;
	} else if (parts_is_type(ct, "message", "delivery-status") ||
	           parts_is_type(ct, "message", "global-delivery-status") ||
	           parts_is_type(ct, "message", "disposition-notification") ||
	           parts_is_type(ct, "text", "rfc822-headers")) {
		src = TEXT_REPORT;
	} else if (parts_is_type(ct, "text", "plain") || ct == NULL ||
	           parts_is_type(ct, "multipart", NULL)) {
		/* a multipart with no boundary is read as text rather than
		 * lost */
		src = TEXT_PLAIN;
	} else if (is_docx(ct, filename)) {
		walk_docx(w, mime, depth, alt, filename);
		return;
	} else if (is_xlsx(ct, filename)) {
		walk_xlsx(w, mime, depth, alt, filename);
		return;
	} else {
		/* images, PDFs, calendars...: nothing to read */
		free(filename);
		return;
	}

	dec = decode_part(w, mime, &declen);
	if (dec == NULL) {
		free(filename);
		return;
	}
	/* Never convert more than could be kept: the cap is on output, and
	 * any charset gives at least one output byte per 4 input bytes. */
	if (declen > 4 * (w->lim->max_text_bytes - w->text_bytes) + 4)
		declen = 4 * (w->lim->max_text_bytes - w->text_bytes) + 4;
	charset = mailmime_content_param_get(
		(struct mailmime_content *)(uintptr_t)ct, "charset");
	if (src == TEXT_CSV) {
		/* a spreadsheet export: its BOM says what it is */
		size_t skip;
		const char *sniffed = charset_sniff(dec, declen, &skip);

		if (sniffed) {
			charset = sniffed;
			memmove(dec, dec + skip, declen - skip);
			declen -= skip;
		}
	}
	text = charset_convert(charset, dec, declen, &tlen, &known, &bad);
	mailmime_decoded_part_free(dec);
	if (text == NULL) {
		free(filename);
		w->oom = 1;
		return;
	}
	if (!known) {
		char shown[MAX_CHARSET_NAME + 1];
		size_t i;

		/* quote the label, but only printable bytes of it */
		snprintf(shown, sizeof(shown), "%s", charset ? charset : "");
		for (i = 0; shown[i] != '\0'; i++)
			if ((unsigned char)shown[i] < 0x21 ||
			    (unsigned char)shown[i] > 0x7E)
				shown[i] = '?';
		message_problem(w, "unknown character set %s; read as Windows-1252",
		        shown);
	}
	if (bad > 0)
		message_problem(w, "some text could not be read in its character set; "
		        "the unreadable characters were replaced");
	if (src == TEXT_HTML) {
		size_t room = w->lim->max_text_bytes - w->text_bytes;
		int cut = 0;
		char *plain = html_to_text(text, tlen, room ? room : 1, &tlen, &cut);

		if (cut)
			message_problem(w, "an HTML part was nested too deeply to be read in full; "
			        "part of it could not be read");
		free(text);
		if (plain == NULL) {
			free(filename);
			w->oom = 1;
			return;
		}
		text = plain;
	}
	keep_part_text(w, src, depth, alt, filename, text, tlen);
}

/* Is the multipart's closing delimiter ("--boundary--") present? */
static int multipart_closed(struct mailmime *mime)
{
	struct mailmime_data *b = mime->mm_body;
	char *boundary;
	char delim[80];
	int n, found = 0;

	if (b == NULL || b->dt_type != MAILMIME_DATA_TEXT ||
	    mime->mm_content_type == NULL)
		return 1;
	boundary = mailmime_extract_boundary(mime->mm_content_type);
	if (boundary == NULL)
		return 1;
	n = snprintf(delim, sizeof(delim), "--%s--", boundary);
	free(boundary);
	if (n <= 0 || (size_t)n >= sizeof(delim))
		return 1;       /* RFC 2046 boundaries are <= 70 chars */
	found = memmem(b->dt_data.dt_text.dt_data, b->dt_data.dt_text.dt_length,
	               delim, (size_t)n) != NULL;
	return found;
}

void parts_walk_mime(struct walk *w, struct mailmime *mime, int depth,
                      size_t nest, int alt)
{
	if (mime == NULL || w->oom)
		return;
	if (w->parts >= w->lim->max_parts) {
		if (!w->parts_cut)
			message_problem(w, "the message had more than %zu parts; only "
			        "the first %zu were read", w->lim->max_parts,
			        w->lim->max_parts);
		w->parts_cut = 1;
		return;
	}
	if (nest > w->lim->max_depth) {
		if (!w->depth_cut)
			message_problem(w, "the message was nested more than %zu levels "
			        "deep; the deeper parts were not read",
			        w->lim->max_depth);
		w->depth_cut = 1;
		return;
	}
	if (w->text_bytes >= w->lim->max_text_bytes) {
		message_text_cut(w);
		return;
	}
	w->parts++;

	switch (mime->mm_type) {
	case MAILMIME_MULTIPLE: {
		clistiter *it;
		int group = alt;

		if (parts_is_type(mime->mm_content_type, "multipart", "alternative"))
			group = w->next_alt++;
		if (!multipart_closed(mime))
			message_problem(w, "part of the message was never closed (its "
			        "MIME boundary is missing); what could be "
			        "read was kept");
		if (mime->mm_data.mm_multipart.mm_mp_list == NULL)
			break;
		for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list);
		     it != NULL && !w->oom; it = clist_next(it))
			parts_walk_mime(w, clist_content(it), depth, nest + 1, group);
		break;
	}
	case MAILMIME_MESSAGE:
		/* a forwarded message: its text counts, its headers are not
		 * the message's headers */
		parts_walk_mime(w, mime->mm_data.mm_message.mm_msg_mime, depth + 1,
		          nest + 1, -1);
		break;
	case MAILMIME_SINGLE:
		walk_single(w, mime, depth, nest, alt);
		break;
	default:
		break;
	}
}
