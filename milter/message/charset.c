/*
 * charset.c - bytes in a named charset to valid UTF-8.  See charset.h.
 *
 * iconv does the conversion; a fresh handle per call (iconv_t keeps
 * shift state and may not be shared between threads).  What leaves is
 * checked again here, because glibc's iconv passes some invalid forms
 * through.
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

#include "charset.h"
#include "strbuf.h"
#include "textclean.h"

#define MAX_CHARSET_NAME CHARSET_MAX_NAME

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
 * each NUL becomes U+FFFD.  Used on everything that leaves charset_convert(),
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
char *charset_convert(const char *charset, const char *in, size_t len,
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

/* A byte order mark, which outranks the label (a spreadsheet saved as
 * "Unicode text" or "CSV UTF-8" is labelled however the mailer
 * guessed); else UTF-16 told by its zero bytes (ASCII text in UTF-16
 * has one in every pair). */
const char *charset_sniff(const char *in, size_t len, size_t *skip)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t n = len < 256 ? len : 256, even = 0, odd = 0;

	*skip = 0;
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		*skip = 3;
		return "UTF-8";
	}
	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		*skip = 2;
		return "UTF-16LE";
	}
	if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		*skip = 2;
		return "UTF-16BE";
	}
	for (size_t i = 0; i + 1 < n; i += 2) {
		even += u[i] == 0;
		odd += u[i + 1] == 0;
	}
	if (n >= 8 && odd * 4 >= n && even == 0)
		return "UTF-16LE";
	if (n >= 8 && even * 4 >= n && odd == 0)
		return "UTF-16BE";
	return NULL;
}

char *charset_to_utf8(const char *charset, const char *in, size_t len,
                      size_t *outlen)
{
	int known;
	size_t bad, n = 0;
	char *r = charset_convert(charset, in, len, &n, &known, &bad);

	if (outlen != NULL)
		*outlen = n;
	return r;
}
