/*
 * message.c - stage 1 of the pipeline: raw RFC 5322 bytes in, decoded
 * top-level headers and UTF-8 text parts out.  See message.h.
 *
 * Owns: struct cme_message and every string it hands out.  libetpan
 * builds the MIME tree and decodes base64/quoted-printable; iconv does
 * charsets; html_text does text/html; docx_text does Word (.docx)
 * attachments.  Top-level headers are read here straight from the raw
 * header block rather than from libetpan's field list, because libetpan
 * turns well-known fields into structures and drops what it cannot
 * parse, while the trust checks need every Authentication-Results line
 * exactly as sent.
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
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "docx_text.h"
#include "html_text.h"
#include "message.h"
#include "strbuf.h"
#include "strlist.h"
#include "textclean.h"

#define MIB ((size_t)1024 * 1024)
/* Top-level header lines kept; a real message has a few dozen. */
#define MAX_HEADERS      1000
/* One header value (after unfolding); longer ones are cut. */
#define MAX_HEADER_VALUE (64u * 1024u)
/* A charset name longer than this is not a charset name. */
#define MAX_CHARSET_NAME 64

struct header {
	char *name;
	char *value;
};

struct cme_message {
	struct header *hdrs;
	size_t nhdrs, caphdrs;
	struct message_text *texts;
	size_t ntexts, captexts;
	struct strlist problems;
	char *from_addr;
	char *from_name;
	time_t date;
	int is_report;
};

/* State of one walk over the MIME tree. */
struct walk {
	struct cme_message *m;
	const struct message_limits *lim;
	size_t parts;           /* parts visited */
	size_t text_bytes;      /* decoded text kept so far */
	size_t inflated;        /* XML inflated from DOCX parts so far */
	int next_alt;           /* next multipart/alternative group index */
	int parts_cut, depth_cut, text_cut;
	int oom;
};

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

static void problem(struct walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct walk *w, const char *fmt, ...)
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

/* "25 MB", "4 MB", "512 kB", "300 bytes": sizes as an officer reads them. */
static void human_size(size_t n, char *buf, size_t bufsz)
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

/* ------------------------------------------------------------------ */
/* Charsets                                                             */

static size_t utf8_seq(const unsigned char *s, size_t len);

static int utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq(s + i, len - i);

		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* Map a label to the name iconv should use; NULL when it is not usable
 * as a charset name at all.  Follows the WHATWG encoding standard in
 * reading ISO-8859-1 and US-ASCII labels as Windows-1252: mail labelled
 * either almost always is Windows-1252 when it has 8-bit bytes. */
static const char *charset_canon(const char *cs, char *buf, size_t bufsz)
{
	size_t n = 0;

	if (cs == NULL)
		return NULL;
	while (*cs == ' ' || *cs == '\t' || *cs == '"' || *cs == '\'')
		cs++;
	for (; *cs != '\0' && *cs != '"' && *cs != '\'' && *cs != ' ' &&
	       *cs != '\t' && *cs != '*'; cs++) {
		unsigned char c = (unsigned char)*cs;

		if (!(isalnum(c) || c == '-' || c == '_' || c == '.' ||
		      c == ':' || c == '(' || c == ')'))
			return NULL;
		if (n + 1 >= bufsz)
			return NULL;
		buf[n++] = (char)tolower(c);
	}
	buf[n] = '\0';
	if (n == 0)
		return NULL;
	if (strcmp(buf, "iso-8859-1") == 0 || strcmp(buf, "iso8859-1") == 0 ||
	    strcmp(buf, "latin1") == 0 || strcmp(buf, "iso_8859-1") == 0 ||
	    strcmp(buf, "us-ascii") == 0 || strcmp(buf, "ascii") == 0 ||
	    strcmp(buf, "cp1252") == 0 || strcmp(buf, "windows-1252") == 0 ||
	    strcmp(buf, "x-cp1252") == 0 || strcmp(buf, "ansi_x3.4-1968") == 0)
		return "WINDOWS-1252";
	if (strcmp(buf, "utf8") == 0 || strcmp(buf, "utf-8") == 0)
		return "UTF-8";
	return buf;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned cp;

	return text_utf8_decode(s, len, &cp);
}

/* Copy `in` to `out` keeping only valid UTF-8: each invalid byte and
 * each NUL becomes U+FFFD.  Used on everything that leaves convert(),
 * because glibc's iconv passes some invalid forms (5-byte sequences)
 * straight through. */
static int utf8_sanitise(struct strbuf *out, const char *in, size_t len,
                         size_t *bad)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, run = 0;

	while (i < len) {
		size_t n = s[i] ? utf8_seq(s + i, len - i) : 0;

		if (n > 0) {
			i += n;
			run += n;
			continue;
		}
		if (strbuf_append(out, in + i - run, run) != 0 ||
		    strbuf_append(out, "\xEF\xBF\xBD", 3) != 0)
			return -1;
		(*bad)++;
		run = 0;
		i++;
	}
	return strbuf_append(out, in + i - run, run);
}

/* Convert with iconv, replacing each undecodable byte by U+FFFD.  The
 * result is always valid UTF-8 without NUL (it is handed around as a C
 * string).  `known` is set to 0 when the charset was unknown and
 * Windows-1252 was used.  `*bad` counts replacements.  Returns malloc'd
 * UTF-8 or NULL (memory). */
static char *convert(const char *charset, const char *in, size_t len,
                     size_t *outlen, int *known, size_t *bad)
{
	char namebuf[MAX_CHARSET_NAME + 1];
	const char *name;
	iconv_t cd = (iconv_t)-1;
	struct strbuf sb, res;
	char chunk[4096];
	char *ip = (char *)(uintptr_t)in;
	size_t ileft = len;

	*known = 1;
	*bad = 0;
	*outlen = 0;
	strbuf_init(&sb, 0);
	strbuf_init(&res, 0);
	if (strbuf_append(&res, "", 0) != 0)
		return NULL;
	name = charset_canon(charset, namebuf, sizeof(namebuf));
	if (charset == NULL || *charset == '\0' ||
	    (name != NULL && strcmp(name, "WINDOWS-1252") == 0)) {
		/* Unlabelled or ASCII-labelled 8-bit text that is valid UTF-8
		 * is UTF-8 (what current mailers send); otherwise the
		 * Windows-1252 reading is the kind one. */
		if (utf8_valid((const unsigned char *)in, len))
			name = "UTF-8";
		else
			name = "WINDOWS-1252";
	}
	if (name != NULL && strcmp(name, "UTF-8") == 0) {
		/* no conversion, only validation */
		if (utf8_sanitise(&res, in, len, bad) != 0)
			goto oom;
		*outlen = res.len;
		return strbuf_detach(&res);
	}
	if (name != NULL)
		cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1) {
		*known = 0;
		cd = iconv_open("UTF-8", "WINDOWS-1252");
		if (cd == (iconv_t)-1)
			goto oom;
	}
	while (ileft > 0) {
		char *op = chunk;
		size_t oleft = sizeof(chunk);
		size_t r = iconv(cd, &ip, &ileft, &op, &oleft);
		int err = errno;

		if (strbuf_append(&sb, chunk, (size_t)(op - chunk)) != 0)
			goto oom;
		if (r != (size_t)-1)
			break;
		if (err == E2BIG)
			continue;
		/* EILSEQ: one bad byte; EINVAL: truncated sequence at the
		 * end.  Either way one U+FFFD and move on a byte. */
		if (strbuf_append(&sb, "\xEF\xBF\xBD", 3) != 0)
			goto oom;
		(*bad)++;
		ip++;
		ileft--;
		/* reset shift state for stateful encodings */
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	{
		/* flush stateful encodings (ISO-2022-JP...) */
		char *op = chunk;
		size_t oleft = sizeof(chunk);

		iconv(cd, NULL, NULL, &op, &oleft);
		if (strbuf_append(&sb, chunk, (size_t)(op - chunk)) != 0)
			goto oom;
	}
	iconv_close(cd);
	cd = (iconv_t)-1;
	if (utf8_sanitise(&res, sb.data ? sb.data : "", sb.len, bad) != 0)
		goto oom;
	strbuf_free(&sb);
	*outlen = res.len;
	return strbuf_detach(&res);
oom:
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	strbuf_free(&sb);
	strbuf_free(&res);
	return NULL;
}

char *charset_to_utf8(const char *charset, const char *in, size_t len,
                      size_t *outlen)
{
	int known;
	size_t bad, n = 0;
	char *r = convert(charset, in, len, &n, &known, &bad);

	if (outlen != NULL)
		*outlen = n;
	return r;
}

/* ------------------------------------------------------------------ */
/* Header values                                                        */

/* Replace control characters (CR, LF, TAB, NUL, DEL...) by spaces and
 * trim, in place.  Keeps header values single-line: downstream they end
 * up in replies, logs and calendar entries. */
static void sanitise_line(char *s)
{
	size_t i, start = 0, len = strlen(s);

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F)
			s[i] = ' ';
	}
	while (start < len && s[start] == ' ')
		start++;
	while (len > start && s[len - 1] == ' ')
		len--;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
}

/* Append `n` raw header bytes that are not an encoded word: UTF-8 when
 * they are valid UTF-8 (RFC 6532), else Windows-1252. */
static int put_raw_header_bytes(struct strbuf *out, const char *p, size_t n)
{
	size_t ulen;
	char *u;
	int r;

	if (n == 0)
		return 0;
	u = charset_to_utf8(NULL, p, n, &ulen);
	if (u == NULL)
		return -1;
	r = strbuf_append(out, u, ulen);
	free(u);
	return r;
}

/* Recognise "=?charset?B|Q?text?=" at p; on success fill the pieces and
 * return the length of the encoded word. */
static size_t encoded_word(const char *p, size_t n, const char **cs,
                           size_t *cslen, char *enc, const char **txt,
                           size_t *txtlen)
{
	size_t i = 2, q1, q2;

	if (n < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	while (i < n && p[i] != '?' && i < 2 + MAX_CHARSET_NAME &&
	       !isspace((unsigned char)p[i]))
		i++;
	if (i >= n || p[i] != '?' || i == 2)
		return 0;
	q1 = i;
	if (q1 + 2 >= n || p[q1 + 2] != '?')
		return 0;
	*enc = (char)toupper((unsigned char)p[q1 + 1]);
	if (*enc != 'B' && *enc != 'Q')
		return 0;
	q2 = q1 + 2;
	for (i = q2 + 1; i + 1 < n; i++) {
		if (p[i] == '?' && p[i + 1] == '=')
			break;
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
		    p[i] == '\n')
			return 0;
	}
	if (i + 1 >= n)
		return 0;
	*cs = p + 2;
	*cslen = q1 - 2;
	*txt = p + q2 + 1;
	*txtlen = i - (q2 + 1);
	return i + 2;
}

/* Decode a run of encoded words that share a charset as one byte string,
 * so a UTF-8 character split across two words survives. */
static int flush_words(struct strbuf *bytes, const char *charset,
                       struct strbuf *out, size_t *bad, int *known)
{
	size_t ulen, b;
	int k;
	char *u;
	int r;

	if (bytes->len == 0)
		return 0;
	u = convert(charset, bytes->data, bytes->len, &ulen, &k, &b);
	if (u == NULL)
		return -1;
	*bad += b;
	if (!k)
		*known = 0;
	r = strbuf_append(out, u, ulen);
	free(u);
	strbuf_reset(bytes);
	return r;
}

/* RFC 2047 decoding of an unfolded header value to UTF-8.  Whitespace
 * between adjacent encoded words is dropped, as the RFC says.  Returns
 * malloc'd UTF-8 or NULL on allocation failure. */
static char *decode_header_value(const char *v, size_t n)
{
	struct strbuf out, bytes;
	char charset[MAX_CHARSET_NAME + 1] = "";
	size_t i = 0, lit = 0, bad = 0;
	int known = 1, prev_word = 0;

	strbuf_init(&out, 0);
	strbuf_init(&bytes, 0);
	if (strbuf_append(&out, "", 0) != 0)
		goto oom;
	while (i < n) {
		const char *cs, *txt;
		size_t cslen, txtlen, wl;
		char enc;

		wl = (v[i] == '=') ?
			encoded_word(v + i, n - i, &cs, &cslen, &enc, &txt,
			             &txtlen) : 0;
		if (wl == 0) {
			i++;
			continue;
		}
		/* literal text between the previous word and this one */
		{
			size_t k;
			int blank = 1;

			for (k = lit; k < i; k++)
				if (!isspace((unsigned char)v[k]))
					blank = 0;
			if (!(prev_word && blank)) {
				if (flush_words(&bytes, charset, &out, &bad,
				                &known) != 0 ||
				    put_raw_header_bytes(&out, v + lit,
				                         i - lit) != 0)
					goto oom;
			}
		}
		{
			char cbuf[MAX_CHARSET_NAME + 1];
			char *star;
			char *dec = NULL;
			size_t declen = 0, idx = 0;
			int r;

			memcpy(cbuf, cs, cslen);
			cbuf[cslen] = '\0';
			/* RFC 2231 language suffix: =?utf-8*en?Q?...?= */
			star = strchr(cbuf, '*');
			if (star != NULL)
				*star = '\0';
			if (strcasecmp(cbuf, charset) != 0) {
				if (flush_words(&bytes, charset, &out, &bad,
				                &known) != 0)
					goto oom;
				memcpy(charset, cbuf, strlen(cbuf) + 1);
			}
			if (enc == 'B')
				r = mailmime_base64_body_parse(txt, txtlen,
				        &idx, &dec, &declen);
			else
				r = mailmime_quoted_printable_body_parse(txt,
				        txtlen, &idx, &dec, &declen, 1);
			if (r == MAILIMF_ERROR_MEMORY)
				goto oom;
			if (r == MAILIMF_NO_ERROR) {
				r = strbuf_append(&bytes, dec, declen);
				mailmime_decoded_part_free(dec);
				if (r != 0)
					goto oom;
			}
		}
		i += wl;
		lit = i;
		prev_word = 1;
	}
	if (flush_words(&bytes, charset, &out, &bad, &known) != 0 ||
	    put_raw_header_bytes(&out, v + lit, n - lit) != 0)
		goto oom;
	strbuf_free(&bytes);
	return strbuf_detach(&out);
oom:
	strbuf_free(&bytes);
	strbuf_free(&out);
	return NULL;
}

/* Append at most what the cap leaves room for: an over-long header is
 * cut, not refused.  Fails only when memory runs out. */
static int append_capped(struct strbuf *sb, const char *p, size_t n)
{
	size_t room = MAX_HEADER_VALUE - sb->len;

	return strbuf_append(sb, p, n < room ? n : room);
}

/* Structured headers kept as sent (unfolded, controls blanked) rather
 * than RFC 2047-decoded: an encoded word has no meaning in them, and
 * decoding one could turn text the sender chose (a quoted local-part the
 * border copied into smtp.mailfrom) into a '"' or ';' that the RFC 8601
 * parser in trust.c would read as syntax. */
static const char *const raw_headers[] = {
	"Authentication-Results",
};

static int header_kept_raw(const char *name)
{
	for (size_t i = 0; i < sizeof raw_headers / sizeof raw_headers[0]; i++)
		if (strcasecmp(name, raw_headers[i]) == 0)
			return 1;
	return 0;
}

static int store_header(struct cme_message *m, char *name,
                        const struct strbuf *val)
{
	char *dv = header_kept_raw(name) ? strdup(strbuf_str(val)) :
	           decode_header_value(strbuf_str(val), val->len);

	if (dv == NULL)
		return -1;
	sanitise_line(dv);
	if (m->nhdrs == m->caphdrs) {
		size_t nc = m->caphdrs ? m->caphdrs * 2 : 32;
		struct header *nh = realloc(m->hdrs, nc * sizeof(*nh));

		if (nh == NULL) {
			free(dv);
			return -1;
		}
		m->hdrs = nh;
		m->caphdrs = nc;
	}
	m->hdrs[m->nhdrs].name = name;
	m->hdrs[m->nhdrs].value = dv;
	m->nhdrs++;
	return 0;
}

/* Read the raw header block: unfold, decode, keep every occurrence in
 * order.  Returns where the body starts. */
static const char *read_headers(struct walk *w, const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len;
	struct strbuf val;
	char *name = NULL;
	int dropped = 0;

	strbuf_init(&val, MAX_HEADER_VALUE);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol ? eol + 1 : end;
		size_t ll = (size_t)((eol ? eol : end) - p);
		const char *colon;

		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll > 0 && (p[0] == ' ' || p[0] == '\t')) {
			/* unfolding: the line break goes, the WSP stays */
			if (name != NULL && append_capped(&val, p, ll) != 0)
				goto oom;
			p = next;
			continue;
		}
		/* a new field or the blank line: store the one collected */
		if (name != NULL) {
			if (store_header(w->m, name, &val) != 0)
				goto oom;
			name = NULL;
		}
		strbuf_reset(&val);
		if (ll == 0) {
			p = next;
			break;          /* blank line: the body follows */
		}
		colon = memchr(p, ':', ll);
		if (colon != NULL && colon > p) {
			size_t nl = (size_t)(colon - p), k;
			int ok = 1;

			/* obsolete syntax allows WSP before the colon */
			while (nl > 0 && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
				nl--;
			for (k = 0; k < nl; k++)
				if ((unsigned char)p[k] <= 0x20 ||
				    (unsigned char)p[k] >= 0x7F)
					ok = 0;
			if (ok && nl > 0 && w->m->nhdrs >= MAX_HEADERS) {
				dropped = 1;
			} else if (ok && nl > 0) {
				name = strndup(p, nl);
				if (name == NULL ||
				    append_capped(&val, colon + 1,
				                  (size_t)(p + ll - colon - 1)) != 0)
					goto oom;
			}
		}
		/* a line with no colon (an mbox "From " line, junk) is
		 * skipped rather than ending the header block */
		p = next;
	}
	if (name != NULL && store_header(w->m, name, &val) != 0)
		goto oom;
	strbuf_free(&val);
	if (dropped)
		problem(w, "the message had more than %d header lines; only "
		        "the first %d were read", MAX_HEADERS, MAX_HEADERS);
	return p;
oom:
	free(name);
	strbuf_free(&val);
	w->oom = 1;
	return end;
}

/* ------------------------------------------------------------------ */
/* From and Date                                                        */

static void read_from(struct walk *w)
{
	struct cme_message *m = w->m;
	const char *raw = NULL;
	struct mailimf_mailbox_list *mbl = NULL;
	size_t idx = 0, i;

	/* Parse the decoded value: encoded words only ever occur in the
	 * display name, and decoding first lets the name come out whole. */
	raw = message_header(m, "From");
	if (raw == NULL)
		return;
	if (mailimf_mailbox_list_parse(raw, strlen(raw), &idx, &mbl) ==
	    MAILIMF_NO_ERROR && mbl != NULL && mbl->mb_list != NULL &&
	    clist_begin(mbl->mb_list) != NULL) {
		struct mailimf_mailbox *mb =
			clist_content(clist_begin(mbl->mb_list));

		if (mb->mb_addr_spec != NULL) {
			m->from_addr = strdup(mb->mb_addr_spec);
			if (m->from_addr == NULL)
				w->oom = 1;
		}
		if (mb->mb_display_name != NULL &&
		    mb->mb_display_name[0] != '\0') {
			m->from_name = strdup(mb->mb_display_name);
			if (m->from_name == NULL)
				w->oom = 1;
			else
				sanitise_line(m->from_name);
		}
	}
	if (mbl != NULL)
		mailimf_mailbox_list_free(mbl);
	if (m->from_addr == NULL && !w->oom) {
		/* Not RFC 5322 (a decoded name with a comma or an unbalanced
		 * quote): fall back to the last <...>, else the bare value. */
		const char *lt = strrchr(raw, '<');
		const char *gt = lt ? strchr(lt, '>') : NULL;

		if (lt != NULL && gt != NULL && gt > lt + 1)
			m->from_addr = strndup(lt + 1, (size_t)(gt - lt - 1));
		else if (strchr(raw, '@') != NULL && strchr(raw, ' ') == NULL)
			m->from_addr = strdup(raw);
		if ((lt != NULL && gt != NULL && gt > lt + 1) &&
		    m->from_addr != NULL && lt > raw) {
			m->from_name = strndup(raw, (size_t)(lt - raw));
			if (m->from_name == NULL)
				w->oom = 1;
			else
				sanitise_line(m->from_name);
		}
		if (m->from_addr == NULL &&
		    ((lt != NULL && gt != NULL && gt > lt + 1) ||
		     (strchr(raw, '@') != NULL && strchr(raw, ' ') == NULL)))
			w->oom = 1;
	}
	if (m->from_name != NULL) {
		/* a display name that is just quotes or empty is no name */
		size_t n = strlen(m->from_name);

		if (n >= 2 && m->from_name[0] == '"' &&
		    m->from_name[n - 1] == '"') {
			memmove(m->from_name, m->from_name + 1, n - 2);
			m->from_name[n - 2] = '\0';
			sanitise_line(m->from_name);
		}
		if (m->from_name[0] == '\0') {
			free(m->from_name);
			m->from_name = NULL;
		}
	}
	if (m->from_addr != NULL) {
		sanitise_line(m->from_addr);
		/* Local parts are case-insensitive at every mailbox we deal
		 * with; lower-casing all of it makes comparisons simple. */
		for (i = 0; m->from_addr[i] != '\0'; i++)
			m->from_addr[i] = (char)tolower(
				(unsigned char)m->from_addr[i]);
		if (m->from_addr[0] == '\0') {
			free(m->from_addr);
			m->from_addr = NULL;
		}
	}
}

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); timegm without
 * touching the process time zone. */
static long long days_from_civil(long y, int mo, int d)
{
	static const int cum[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
	                           273, 304, 334 };
	long long days = 0;
	long yy;

	for (yy = 1970; yy < y; yy++)
		days += is_leap(yy) ? 366 : 365;
	for (yy = y; yy < 1970; yy++)
		days -= is_leap(yy) ? 366 : 365;
	days += cum[mo - 1] + (mo > 2 && is_leap(y)) + (d - 1);
	return days;
}

static void read_date(struct cme_message *m)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	                             30, 31 };
	const char *v = message_header(m, "Date");
	struct mailimf_date_time *dt = NULL;
	size_t idx = 0;

	m->date = (time_t)-1;
	if (v == NULL)
		return;
	if (mailimf_date_time_parse(v, strlen(v), &idx, &dt) !=
	    MAILIMF_NO_ERROR || dt == NULL)
		return;
	{
		long y = dt->dt_year;
		int zone = dt->dt_zone;

		/* RFC 5322 obsolete two- and three-digit years */
		if (y >= 0 && y < 50)
			y += 2000;
		else if (y >= 50 && y < 1000)
			y += 1900;
		if (y >= 1970 && y <= 9999 && dt->dt_month >= 1 &&
		    dt->dt_month <= 12 && dt->dt_day >= 1 &&
		    dt->dt_day <= mdays[dt->dt_month - 1] &&
		    (dt->dt_month != 2 || dt->dt_day < 29 || is_leap(y)) &&
		    dt->dt_hour >= 0 && dt->dt_hour <= 23 &&
		    dt->dt_min >= 0 && dt->dt_min <= 59 &&
		    dt->dt_sec >= 0 && dt->dt_sec <= 60 &&
		    zone >= -9959 && zone <= 9959) {
			long long t = days_from_civil(y, dt->dt_month,
			                              dt->dt_day) * 86400LL +
			              dt->dt_hour * 3600LL + dt->dt_min * 60LL +
			              dt->dt_sec;
			int sign = zone < 0 ? -1 : 1;
			int az = zone * sign;

			/* +0100 is an hour ahead of UTC: subtract it */
			t -= sign * ((az / 100) * 3600LL + (az % 100) * 60LL);
			if (t >= 0)
				m->date = (time_t)t;
		}
	}
	mailimf_date_time_free(dt);
}

/* ------------------------------------------------------------------ */
/* MIME walk                                                            */

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

static int is_type(const struct mailmime_content *ct, const char *type,
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
		name = decode_header_value(raw, n < MAX_HEADER_VALUE ?
		                           n : MAX_HEADER_VALUE);
	}
	if (name == NULL) {
		*oom = 1;
		return NULL;
	}
	sanitise_line(name);
	return name;
}

/* Decode the transfer encoding of a single part.  Returns a libetpan
 * buffer (free with mailmime_decoded_part_free) or NULL. */
static char *decode_part(struct walk *w, struct mailmime *mime,
                         size_t *outlen)
{
	struct mailmime_data *d = mime->mm_data.mm_single;
	char *res = NULL;
	size_t idx = 0;
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
			problem(w, "a base64-encoded part was damaged; its "
			        "text may be incomplete or garbled");
	}
	r = mailmime_part_parse(d->dt_data.dt_text.dt_data,
	                        d->dt_data.dt_text.dt_length, &idx,
	                        d->dt_encoded ? d->dt_encoding :
	                        MAILMIME_MECHANISM_8BIT, &res, outlen);
	if (r == MAILIMF_ERROR_MEMORY)
		w->oom = 1;
	if (r != MAILIMF_NO_ERROR) {
		problem(w, "an attachment could not be decoded");
		return NULL;
	}
	return res;
}

/* Line ends become "\n": extract splits lines and a stray CR would
 * otherwise end up inside a field. */
static void normalise_newlines(char *s, size_t *len)
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

static void add_text(struct walk *w, enum text_source src, int depth,
                     int alt, char *filename, char *text, size_t len)
{
	struct cme_message *m = w->m;
	size_t room = w->lim->max_text_bytes - w->text_bytes;

	if (len > room) {
		char sz[32];

		/* cut on a character boundary: the text stays UTF-8 */
		len = room;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
		text[len] = '\0';
		human_size(w->lim->max_text_bytes, sz, sizeof(sz));
		problem(w, "the message contained more than %s of text; only "
		        "the first %s were read", sz, sz);
		w->text_cut = 1;
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

static void walk_mime(struct walk *w, struct mailmime *mime, int depth,
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
			walk_mime(w, sub->mm_data.mm_message.mm_msg_mime,
			          depth + 1, nest + 1, -1);
		mailmime_free(sub);
	} else {
		problem(w, "a forwarded message could not be read");
	}
	mailmime_decoded_part_free(dec);
}

static int is_docx(const struct mailmime_content *ct, const char *filename)
{
	return is_type(ct, "application",
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
		problem(w, "an attached Word document%s is "
		        "password-protected or in an old format and "
		        "could not be read; open it by hand", shown);
	else
		problem(w, "an attached Word document%s could not be "
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
		human_size(w->lim->max_inflated_bytes, sz, sizeof(sz));
		problem(w, "the message's Word documents held more than %s of "
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
	 * than may be kept reaches add_text() over the cap and is reported
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
	if (dr.xml_cut) {
		human_size(dr.xml_limit, sz, sizeof(sz));
		problem(w, "an attached Word document%s held more than %s of "
		        "XML; only the text of its first %s was read; open it "
		        "by hand", shown, sz, sz);
	}
	normalise_newlines(text, &tlen);
	if (tlen == 0) {
		/* an empty document tells the extractor nothing */
		free(filename);
		free(text);
		return;
	}
	add_text(w, TEXT_DOCX, depth, alt, filename, text, tlen);
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

	if (is_type(ct, "message", "rfc822") ||
	    is_type(ct, "message", "global")) {
		walk_encoded_message(w, mime, depth, nest);
		return;
	}
	filename = part_filename(mime, &w->oom);
	if (w->oom)
		return;
	if (is_type(ct, "text", "html")) {
		src = TEXT_HTML;
	} else if (is_type(ct, "text", "csv") ||
	           is_type(ct, "text", "x-csv") ||
	           is_type(ct, "text", "comma-separated-values") ||
	           (filename != NULL && ends_with_ci(filename, ".csv"))) {
		src = TEXT_CSV;
	} else if (is_type(ct, "message", "delivery-status") ||
	           is_type(ct, "message", "global-delivery-status") ||
	           is_type(ct, "message", "disposition-notification") ||
	           is_type(ct, "text", "rfc822-headers")) {
		src = TEXT_REPORT;
	} else if (is_type(ct, "text", "plain") || ct == NULL ||
	           is_type(ct, "multipart", NULL)) {
		/* a multipart with no boundary is read as text rather than
		 * lost */
		src = TEXT_PLAIN;
	} else if (is_docx(ct, filename)) {
		walk_docx(w, mime, depth, alt, filename);
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
	text = convert(charset, dec, declen, &tlen, &known, &bad);
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
		problem(w, "unknown character set %s; read as Windows-1252",
		        shown);
	}
	if (bad > 0)
		problem(w, "some text could not be read in its character set; "
		        "the unreadable characters were replaced");
	if (src == TEXT_HTML) {
		size_t room = w->lim->max_text_bytes - w->text_bytes;
		int cut = 0;
		char *plain = html_to_text(text, tlen, room ? room : 1, &tlen, &cut);

		if (cut)
			problem(w, "an HTML part was nested too deeply to be read in full; "
			        "part of it could not be read");
		free(text);
		if (plain == NULL) {
			free(filename);
			w->oom = 1;
			return;
		}
		text = plain;
	}
	normalise_newlines(text, &tlen);
	if (tlen == 0) {
		/* an empty part tells the extractor nothing */
		free(filename);
		free(text);
		return;
	}
	add_text(w, src, depth, alt, filename, text, tlen);
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

static void walk_mime(struct walk *w, struct mailmime *mime, int depth,
                      size_t nest, int alt)
{
	char sz[32];

	if (mime == NULL || w->oom)
		return;
	if (w->parts >= w->lim->max_parts) {
		if (!w->parts_cut)
			problem(w, "the message had more than %zu parts; only "
			        "the first %zu were read", w->lim->max_parts,
			        w->lim->max_parts);
		w->parts_cut = 1;
		return;
	}
	if (nest > w->lim->max_depth) {
		if (!w->depth_cut)
			problem(w, "the message was nested more than %zu levels "
			        "deep; the deeper parts were not read",
			        w->lim->max_depth);
		w->depth_cut = 1;
		return;
	}
	if (w->text_bytes >= w->lim->max_text_bytes) {
		human_size(w->lim->max_text_bytes, sz, sizeof(sz));
		problem(w, "the message contained more than %s of text; only "
		        "the first %s were read", sz, sz);
		return;
	}
	w->parts++;

	switch (mime->mm_type) {
	case MAILMIME_MULTIPLE: {
		clistiter *it;
		int group = alt;

		if (is_type(mime->mm_content_type, "multipart", "alternative"))
			group = w->next_alt++;
		if (!multipart_closed(mime))
			problem(w, "part of the message was never closed (its "
			        "MIME boundary is missing); what could be "
			        "read was kept");
		if (mime->mm_data.mm_multipart.mm_mp_list == NULL)
			break;
		for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list);
		     it != NULL && !w->oom; it = clist_next(it))
			walk_mime(w, clist_content(it), depth, nest + 1, group);
		break;
	}
	case MAILMIME_MESSAGE:
		/* a forwarded message: its text counts, its headers are not
		 * the message's headers */
		walk_mime(w, mime->mm_data.mm_message.mm_msg_mime, depth + 1,
		          nest + 1, -1);
		break;
	case MAILMIME_SINGLE:
		walk_single(w, mime, depth, nest, alt);
		break;
	default:
		break;
	}
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
				b = is_type(content, "multipart", NULL) ?
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
		human_size(lim.max_bytes, sz, sizeof(sz));
		problem(&w, "the message was larger than %s; only the first %s "
		        "were read", sz, sz);
		len = lim.max_bytes;
	}
	body = read_headers(&w, raw ? raw : "", len);
	if (!w.oom) {
		read_from(&w);
		read_date(m);
	}

	/* Every part and nesting level needs at least one Content-Type line
	 * to exist; a few times the part limit leaves room for quoted
	 * headers in text while keeping libetpan's recursion small. */
	cut = cap_mime_headers(raw ? raw : "", len,
	                       2 * lim.max_parts + lim.max_depth + 8);
	if (cut < len) {
		problem(&w, "the message had more than %zu parts; only the "
		        "first %zu were read", lim.max_parts, lim.max_parts);
		w.parts_cut = 1;
		len = cut;
	}

	/* Multipart levels the walk will never read cost libetpan a scan
	 * of the whole body each: stop before them (the walk counts from
	 * 0, so max_depth + 2 levels covers every level it reads). */
	cut = cap_multipart_nesting(raw ? raw : "", len, lim.max_depth + 2);
	if (cut < len) {
		problem(&w, "the message was nested more than %zu levels "
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
			problem(&w, "the message structure could not be read; "
			        "its body was read as plain text");
			text = charset_to_utf8(NULL, body, blen, &tlen);
			if (text == NULL)
				w.oom = 1;
			else {
				normalise_newlines(text, &tlen);
				add_text(&w, TEXT_PLAIN, 0, -1, NULL, text,
				         tlen);
			}
		} else {
			struct mailmime *top = mime;

			if (mime->mm_type == MAILMIME_MESSAGE)
				top = mime->mm_data.mm_message.mm_msg_mime;
			if (top != NULL)
				m->is_report = is_type(top->mm_content_type,
				                       "multipart", "report");
			walk_mime(&w, top, 0, 0, -1);
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
