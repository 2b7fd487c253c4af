/*
 * headers.c - the top-level header block: unfolded, RFC 2047 encoded
 * words decoded, control characters replaced; the From mailbox and the
 * Date.  See message.h for what callers see, message_int.h for the
 * shared state.
 *
 * Headers are read here straight from the raw header block rather than
 * from libetpan's field list, because libetpan turns well-known fields
 * into structures and drops what it cannot parse, while the trust checks
 * need every Authentication-Results line exactly as sent.  The Date's
 * syntax is libetpan's; its calendar arithmetic is ukdate's.
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

#include "message_int.h"
#include "strbuf.h"
#include "ukdate.h"


/* ------------------------------------------------------------------ */
/* Header values                                                        */

/* Replace control characters (CR, LF, TAB, NUL, DEL...) by spaces and
 * trim, in place.  Keeps header values single-line: downstream they end
 * up in replies, logs and calendar entries. */
void headers_sanitise_line(char *s)
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
	u = charset_convert(charset, bytes->data, bytes->len, &ulen, &k, &b);
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
char *headers_decode_value(const char *v, size_t n)
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
	           headers_decode_value(strbuf_str(val), val->len);

	if (dv == NULL)
		return -1;
	headers_sanitise_line(dv);
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
const char *headers_read(struct walk *w, const char *raw, size_t len)
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
		message_problem(w, "the message had more than %d header lines; only "
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

void headers_read_from(struct walk *w)
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
				headers_sanitise_line(m->from_name);
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
				headers_sanitise_line(m->from_name);
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
			headers_sanitise_line(m->from_name);
		}
		if (m->from_name[0] == '\0') {
			free(m->from_name);
			m->from_name = NULL;
		}
	}
	if (m->from_addr != NULL) {
		headers_sanitise_line(m->from_addr);
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

/* The Date header: libetpan reads the RFC 5322 syntax, ukdate owns the
 * calendar (ukdate_utc_seconds).  (time_t)-1 when absent or impossible. */
void headers_read_date(struct cme_message *m)
{
	const char *v = message_header(m, "Date");
	struct mailimf_date_time *dt = NULL;
	size_t idx = 0;
	long long t;

	m->date = (time_t)-1;
	if (v == NULL)
		return;
	if (mailimf_date_time_parse(v, strlen(v), &idx, &dt) !=
	    MAILIMF_NO_ERROR || dt == NULL)
		return;
	{
		struct ymd d = { dt->dt_year, dt->dt_month, dt->dt_day };

		/* RFC 5322 obsolete two- and three-digit years */
		if (d.y >= 0 && d.y < 50)
			d.y += 2000;
		else if (d.y >= 50 && d.y < 1000)
			d.y += 1900;
		if (d.y >= 1970 && ukdate_utc_seconds(&d, dt->dt_hour, dt->dt_min,
		                                      dt->dt_sec, dt->dt_zone, &t) == 0 &&
		    t >= 0)
			m->date = (time_t)t;
	}
	mailimf_date_time_free(dt);
}
