/*
 * message.c - stage 1 of the pipeline: raw RFC 5322 bytes in, decoded
 * top-level headers and UTF-8 text parts out.  See message.h.
 *
 * Owns: struct cme_message and every string it hands out; the limits
 * and the parse itself.  headers.c reads the top-level headers, parts.c
 * walks the MIME tree libetpan builds (html_text and docx_text do HTML
 * and Word attachments), charset.c converts to UTF-8.
 *
 * Every byte is hostile.  Before libetpan sees the message it is cut to
 * max_bytes, and also just before the Nth "Content-Type:" line: libetpan
 * recurses once per nesting level with no limit of its own, and its
 * multipart scan re-reads each level's body, so the number of MIME
 * headers it may meet has to be bounded up front (see cap_mime_headers).
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

#include <libetpan/libetpan.h>

#include "docx_text.h"
#include "message_int.h"
#include "strbuf.h"
#include "strlist.h"

void message_limits_default(struct message_limits *lim)
{
	lim->max_bytes = 25 * MIB;
	lim->max_parts = 200;
	lim->max_depth = 10;
	lim->max_text_bytes = 4 * MIB;
	/* two documents at the per-part bound: a genuine form is well under
	 * 1 MB of XML, and reading is linear, so this bounds the time a
	 * message can cost, not only its memory */
	lim->max_inflated_bytes = 2 * DOCX_MAX_XML;
}

/* ------------------------------------------------------------------ */
/* Problems                                                             */

void message_problem(struct walk *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* The same complaint about every part helps nobody: list it once. */
	if (strlist_add_unique(&w->m->problems, buf) != 0)
		w->oom = 1;
}

void message_text_cut(struct walk *w)
{
	char sz[32];

	message_human_size(w->lim->max_text_bytes, sz, sizeof(sz));
	message_problem(w, "the message contained more than %s of text; only "
	        "the first %s were read", sz, sz);
	w->text_cut = 1;
}

/* "25 MB", "4 MB", "512 kB", "300 bytes": sizes as an officer reads them. */
void message_human_size(size_t n, char *buf, size_t bufsz)
{
	if (n >= MIB && n % MIB == 0)
		snprintf(buf, bufsz, "%zu MB", n / MIB);
	else if (n >= MIB)
		snprintf(buf, bufsz, "%.1f MB", (double)n / (double)MIB);
	else if (n >= 1024)
		snprintf(buf, bufsz, "%zu kB", n / 1024);
	else
		snprintf(buf, bufsz, "%zu bytes", n);
}


/* Line ends become "\n": extract splits lines and a stray CR would
 * otherwise end up inside a field. */
void message_normalise_newlines(char *s, size_t *len)
{
	size_t i, j = 0;

	for (i = 0; i < *len; i++) {
		if (s[i] == '\r') {
			if (i + 1 < *len && s[i + 1] == '\n')
				continue;
			s[j++] = '\n';
		} else {
			s[j++] = s[i];
		}
	}
	s[j] = '\0';
	*len = j;
}

void message_add_text(struct walk *w, enum text_source src, int depth,
                     int alt, char *filename, char *text, size_t len)
{
	struct cme_message *m = w->m;
	size_t room = w->lim->max_text_bytes - w->text_bytes;

	if (len > room) {
		/* cut on a character boundary: the text stays UTF-8 */
		len = room;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
		text[len] = '\0';
		message_text_cut(w);
	}
	if (m->ntexts == m->captexts) {
		size_t nc = m->captexts ? m->captexts * 2 : 8;
		struct message_text *nt = realloc(m->texts, nc * sizeof(*nt));

		if (nt == NULL) {
			free(filename);
			free(text);
			w->oom = 1;
			return;
		}
		m->texts = nt;
		m->captexts = nc;
	}
	m->texts[m->ntexts].source = src;
	m->texts[m->ntexts].depth = depth;
	m->texts[m->ntexts].alternative = alt;
	m->texts[m->ntexts].filename = filename;
	m->texts[m->ntexts].text = text;
	m->texts[m->ntexts].len = len;
	m->ntexts++;
	w->text_bytes += len;
}


/* Where to cut so libetpan meets at most `max` MIME header lines (see
 * the comment at the top of the file).  Returns the new length. */
static size_t cap_mime_headers(const char *raw, size_t len, size_t max)
{
	static const char ct[] = "content-type:";
	size_t i = 0, seen = 0;

	while (i < len) {
		const char *nl;

		if (len - i >= sizeof(ct) - 1 &&
		    strncasecmp(raw + i, ct, sizeof(ct) - 1) == 0 &&
		    ++seen > max)
			return i;
		nl = memchr(raw + i, '\n', len - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - raw) + 1;
	}
	return len;
}

/* Does the line at p (n bytes) delimit boundary b: "--b" or "--b--",
 * optionally followed by whitespace?  Returns 1, 2 (close) or 0. */
static int delimiter_kind(const char *p, size_t n, const char *b)
{
	size_t bl = strlen(b), i;
	int kind = 1;

	if (n < bl + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, b, bl) != 0)
		return 0;
	i = bl + 2;
	if (n - i >= 2 && p[i] == '-' && p[i + 1] == '-') {
		kind = 2;
		i += 2;
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return kind;
}

/* Where to cut so libetpan never meets multipart nesting deeper than
 * `max`.  libetpan scans each multipart's whole body for its boundary
 * and then re-parses each part, so nesting D over a body of S bytes
 * costs D * S: 200 levels over 23 MB took 25 s.  Parts below the depth
 * limit are never read anyway, so the message is cut at the Content-Type
 * line that would open the first level too deep.  The nesting is
 * tracked with a stack of boundaries, each found by libetpan's own
 * Content-Type parser.  Returns the new length. */
static size_t cap_multipart_nesting(const char *raw, size_t len,
                                    size_t max)
{
	static const char ct[] = "content-type:";
	char *stack[64];
	size_t depth = 0, i = 0, k;

	if (max > sizeof(stack) / sizeof(stack[0]) - 1)
		max = sizeof(stack) / sizeof(stack[0]) - 1;
	while (i < len) {
		const char *line = raw + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		size_t next = nl ? i + ll + 1 : len;

		if (ll > 2 && line[0] == '-' && line[1] == '-') {
			for (k = depth; k > 0; k--) {
				int kind = delimiter_kind(line, ll,
				                          stack[k - 1]);

				if (kind == 0)
					continue;
				/* a delimiter of an outer level ends every
				 * level inside it; a close ends its own */
				while (depth > (kind == 2 ? k - 1 : k))
					free(stack[--depth]);
				break;
			}
		} else if (ll >= sizeof(ct) - 1 &&
		           strncasecmp(line, ct, sizeof(ct) - 1) == 0) {
			/* the field with its folded continuation lines */
			size_t end = next, vidx = 0;
			struct mailmime_content *content = NULL;
			char *b;

			while (end < len && end - i < 4096 &&
			       (raw[end] == ' ' || raw[end] == '\t')) {
				const char *e = memchr(raw + end, '\n',
				                       len - end);
				end = e ? (size_t)(e - raw) + 1 : len;
			}
			if (mailmime_content_parse(line + sizeof(ct) - 1,
			                           end - i - (sizeof(ct) - 1),
			                           &vidx, &content) ==
			    MAILIMF_NO_ERROR && content != NULL) {
				b = parts_is_type(content, "multipart", NULL) ?
				    mailmime_extract_boundary(content) : NULL;
				mailmime_content_free(content);
				if (b != NULL && depth >= max) {
					free(b);
					while (depth > 0)
						free(stack[--depth]);
					return i;
				}
				if (b != NULL)
					stack[depth++] = b;
			}
		}
		i = next;
	}
	while (depth > 0)
		free(stack[--depth]);
	return len;
}

/* ------------------------------------------------------------------ */
/* API                                                                  */

struct cme_message *message_parse(const char *raw, size_t len,
                                  const struct message_limits *lim_in)
{
	struct message_limits lim;
	struct cme_message *m;
	struct walk w;
	struct mailmime *mime = NULL;
	const char *body;
	size_t idx = 0, cut;
	char sz[32];
	int r;

	if (lim_in != NULL)
		lim = *lim_in;
	else
		message_limits_default(&lim);
	if (lim.max_bytes == 0)
		lim.max_bytes = 25 * MIB;
	if (lim.max_text_bytes == 0)
		lim.max_text_bytes = 4 * MIB;
	if (raw == NULL)
		len = 0;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->date = (time_t)-1;
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.lim = &lim;

	if (len > lim.max_bytes) {
		message_human_size(lim.max_bytes, sz, sizeof(sz));
		message_problem(&w, "the message was larger than %s; only the first %s "
		        "were read", sz, sz);
		len = lim.max_bytes;
	}
	body = headers_read(&w, raw ? raw : "", len);
	if (!w.oom) {
		headers_read_from(&w);
		headers_read_date(m);
	}

	/* Every part and nesting level needs at least one Content-Type line
	 * to exist; a few times the part limit leaves room for quoted
	 * headers in text while keeping libetpan's recursion small. */
	cut = cap_mime_headers(raw ? raw : "", len,
	                       2 * lim.max_parts + lim.max_depth + 8);
	if (cut < len) {
		message_problem(&w, "the message had more than %zu parts; only the "
		        "first %zu were read", lim.max_parts, lim.max_parts);
		w.parts_cut = 1;
		len = cut;
	}

	/* Multipart levels the walk will never read cost libetpan a scan
	 * of the whole body each: stop before them (the walk counts from
	 * 0, so max_depth + 2 levels covers every level it reads). */
	cut = cap_multipart_nesting(raw ? raw : "", len, lim.max_depth + 2);
	if (cut < len) {
		message_problem(&w, "the message was nested more than %zu levels "
		        "deep; the deeper parts were not read", lim.max_depth);
		w.depth_cut = 1;
		len = cut;
	}

	if (!w.oom && len > 0) {
		r = mailmime_parse(raw, len, &idx, &mime);
		if (r == MAILIMF_ERROR_MEMORY) {
			w.oom = 1;
		} else if (r != MAILIMF_NO_ERROR || mime == NULL) {
			/* Fall back to reading the body as plain text so the
			 * referral is not lost. */
			size_t blen = (size_t)(raw + len - body), tlen;
			char *text;

			if (body > raw + len)
				blen = 0;
			message_problem(&w, "the message structure could not be read; "
			        "its body was read as plain text");
			text = charset_to_utf8(NULL, body, blen, &tlen);
			if (text == NULL)
				w.oom = 1;
			else {
				message_normalise_newlines(text, &tlen);
				message_add_text(&w, TEXT_PLAIN, 0, -1, NULL, text,
				         tlen);
			}
		} else {
			struct mailmime *top = mime;

			if (mime->mm_type == MAILMIME_MESSAGE)
				top = mime->mm_data.mm_message.mm_msg_mime;
			if (top != NULL)
				m->is_report = parts_is_type(top->mm_content_type,
				                       "multipart", "report");
			parts_walk_mime(&w, top, 0, 0, -1);
		}
	}
	if (mime != NULL)
		mailmime_free(mime);
	if (w.oom) {
		message_free(m);
		return NULL;
	}
	return m;
}

void message_free(struct cme_message *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nhdrs; i++) {
		free(m->hdrs[i].name);
		free(m->hdrs[i].value);
	}
	free(m->hdrs);
	for (i = 0; i < m->ntexts; i++) {
		/* the strings were malloc'd here; const is for callers */
		free((char *)(uintptr_t)m->texts[i].filename);
		free((char *)(uintptr_t)m->texts[i].text);
	}
	free(m->texts);
	strlist_free(&m->problems);
	free(m->from_addr);
	free(m->from_name);
	free(m);
}

const char *message_header_nth(const struct cme_message *m, const char *name,
                               size_t i)
{
	size_t k;

	if (m == NULL || name == NULL)
		return NULL;
	for (k = 0; k < m->nhdrs; k++)
		if (strcasecmp(m->hdrs[k].name, name) == 0 && i-- == 0)
			return m->hdrs[k].value;
	return NULL;
}

size_t message_header_total(const struct cme_message *m)
{
	return m ? m->nhdrs : 0;
}

const char *message_header_at(const struct cme_message *m, size_t i,
                              const char **name)
{
	if (m == NULL || i >= m->nhdrs)
		return NULL;
	if (name)
		*name = m->hdrs[i].name;
	return m->hdrs[i].value;
}

const char *message_header(const struct cme_message *m, const char *name)
{
	return message_header_nth(m, name, 0);
}

size_t message_header_count(const struct cme_message *m, const char *name)
{
	size_t k, n = 0;

	if (m == NULL || name == NULL)
		return 0;
	for (k = 0; k < m->nhdrs; k++)
		if (strcasecmp(m->hdrs[k].name, name) == 0)
			n++;
	return n;
}

const char *message_from_address(const struct cme_message *m)
{
	return m ? m->from_addr : NULL;
}

const char *message_from_name(const struct cme_message *m)
{
	return m ? m->from_name : NULL;
}

time_t message_date(const struct cme_message *m)
{
	return m ? m->date : (time_t)-1;
}

int message_is_report(const struct cme_message *m)
{
	return m ? m->is_report : 0;
}

size_t message_text_count(const struct cme_message *m)
{
	return m ? m->ntexts : 0;
}

const struct message_text *message_text_at(const struct cme_message *m,
                                           size_t i)
{
	return (m && i < m->ntexts) ? &m->texts[i] : NULL;
}

size_t message_problem_count(const struct cme_message *m)
{
	return m ? m->problems.n : 0;
}

const char *message_problem_at(const struct cme_message *m, size_t i)
{
	return (m && i < m->problems.n) ? m->problems.v[i] : NULL;
}

