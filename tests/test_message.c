/*
 * test_message.c - unit tests for message.c (MIME walk, charsets,
 * headers, limits) and html_text.c (HTML tables to TAB lines).
 *
 * Fixtures live in tests/fixtures/message/; messages that exercise the
 * limits are built here so their size is obvious from the code.  When
 * /work/shared/samples exists its canonical samples are checked too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html_text.h"
#include "message.h"
#include "strbuf.h"
#include "tap.h"

static char srcdir[1024];

static void find_srcdir(void)
{
	const char *env = getenv("top_srcdir");
	const char *f = __FILE__;
	const char *slash;

	if (env != NULL && *env != '\0') {
		snprintf(srcdir, sizeof(srcdir), "%s", env);
		return;
	}
	/* built out of tree: __FILE__ is .../tests/test_message.c */
	slash = strstr(f, "tests/test_message.c");
	if (slash != NULL && slash > f)
		snprintf(srcdir, sizeof(srcdir), "%.*s", (int)(slash - f - 1), f);
	else
		snprintf(srcdir, sizeof(srcdir), ".");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char buf[8192];
	size_t n;

	*len = 0;
	if (f == NULL)
		return NULL;
	strbuf_init(&sb, 64u * 1024u * 1024u);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_append(&sb, buf, n) != 0)
			break;
	fclose(f);
	*len = sb.len;
	return strbuf_detach(&sb);
}

static struct cme_message *parse_fixture(const char *name)
{
	char path[1200];
	size_t len;
	char *raw;
	struct cme_message *m;

	snprintf(path, sizeof(path), "%s/tests/fixtures/message/%s", srcdir,
	         name);
	raw = slurp(path, &len);
	if (raw == NULL) {
		printf("# cannot read %s\n", path);
		return NULL;
	}
	m = message_parse(raw, len, NULL);
	free(raw);
	return m;
}

static int has_problem(const struct cme_message *m, const char *needle)
{
	size_t i;

	for (i = 0; i < message_problem_count(m); i++)
		if (strstr(message_problem_at(m, i), needle) != NULL)
			return 1;
	return 0;
}

/* Valid UTF-8 (no overlongs, surrogates, >U+10FFFF) and no NUL in the
 * first len bytes, and NUL-terminated at len. */
static int valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (s[len] != '\0')
		return 0;
	while (i < len) {
		unsigned c = p[i], n, k, cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
		else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
		else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
		else return 0;
		if (len - i < n)
			return 0;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return 0;
		i += n;
	}
	return 1;
}

/* html_to_text(in) is exactly want. */
static void html_is(const char *in, const char *want, const char *what)
{
	size_t n;
	char *s = html_to_text(in, strlen(in), 1000, &n, NULL);

	CHECK(s && strcmp(s, want) == 0, what);
	free(s);
}

static int all_texts_valid(const struct cme_message *m)
{
	size_t i;

	for (i = 0; i < message_text_count(m); i++) {
		const struct message_text *t = message_text_at(m, i);

		if (!valid_utf8(t->text, t->len) || strlen(t->text) != t->len)
			return 0;
	}
	return 1;
}

static void test_base64_and_headers(void)
{
	struct cme_message *m = parse_fixture("base64-plain.eml");
	const struct message_text *t;

	CHECK(m != NULL, "base64-plain parses");
	if (m == NULL)
		return;
	CHECK_INT(message_text_count(m), 1, "one text part");
	t = message_text_at(m, 0);
	CHECK(t != NULL && t->source == TEXT_PLAIN, "base64 part is TEXT_PLAIN");
	CHECK(t != NULL && strstr(t->text, "Child's name: Lily-Mae Turner\n"
	                          "Date of birth: 03/04/2015\n") != NULL,
	      "base64 text/plain decoded");
	CHECK_STR(message_header(m, "subject"),
	          "Referral: Zo\xc3\xab O'Brien - Siobh\xc3\xa1n",
	          "utf-8 B and iso-8859-1 Q encoded words decoded, "
	          "space between words dropped");
	CHECK_STR(message_from_address(m), "zoe.obrien@example.sch.test",
	          "From addr-spec lower-cased");
	CHECK_STR(message_from_name(m), "Zo\xc3\xab O'Brien",
	          "From display name decoded");
	CHECK_INT(message_header_count(m, "AUTHENTICATION-RESULTS"), 2,
	          "both Authentication-Results kept, lookup case-insensitive");
	CHECK_STR(message_header_nth(m, "Authentication-Results", 0),
	          "mx.la.test; dkim=pass header.d=example.sch.test "
	          "header.s=sel1; spf=pass smtp.mailfrom=example.sch.test",
	          "first Authentication-Results unfolded, tab made a space");
	CHECK_STR(message_header_nth(m, "Authentication-Results", 1),
	          "other.test; dkim=fail", "second Authentication-Results");
	CHECK(message_header_nth(m, "Authentication-Results", 2) == NULL,
	      "no third Authentication-Results");
	CHECK_STR(message_header(m, "X-Folded"), "first part  second part",
	          "folded header unfolded");
	CHECK_INT(message_date(m), 1793700900,
	          "Date 11:15 +0100 is 10:15 UTC on 3 Nov 2026");
	CHECK(!message_is_report(m), "plain message is not a report");
	CHECK(message_header(m, "X-Absent") == NULL, "absent header is NULL");
	CHECK_INT(message_problem_count(m), 0, "clean message has no problems");
	message_free(m);
}

static void test_charsets(void)
{
	struct cme_message *m = parse_fixture("qp-charsets.eml");
	const struct message_text *t;

	CHECK(m != NULL, "qp-charsets parses");
	if (m == NULL)
		return;
	CHECK_INT(message_text_count(m), 3, "three text parts");
	t = message_text_at(m, 0);
	CHECK(t && strstr(t->text, "Pupil: Zo\xc3\xab O'Brien \xe2\x80\x93 Year 5")
	      != NULL, "QP Windows-1252 Zo=EB -> UTF-8, 0x96 -> en dash");
	CHECK(t && strstr(t->text, "the school and the local authority") != NULL,
	      "QP soft line break joined");
	CHECK(t && strchr(t->text, '\r') == NULL, "CRLF became LF");
	t = message_text_at(m, 1);
	CHECK(t && strcmp(t->text, "Parent: Siobh\xc3\xa1n O'Brien") == 0,
	      "8bit ISO-8859-1 converted");
	t = message_text_at(m, 2);
	CHECK(t && strstr(t->text, "Caf\xc3\xa9 at \xe2\x82\xac 5") != NULL,
	      "unknown charset read as Windows-1252");
	CHECK(has_problem(m, "unknown character set x-no-such-charset; read "
	                     "as Windows-1252"), "unknown charset listed");
	CHECK(all_texts_valid(m), "all text valid UTF-8");
	message_free(m);
}

static void test_charset_helper(void)
{
	size_t n;
	char *s;

	s = charset_to_utf8("iso-8859-1", "Zo\xeb", 3, &n);
	CHECK(s && strcmp(s, "Zo\xc3\xab") == 0 && n == 4, "latin-1 helper");
	free(s);
	s = charset_to_utf8("\"UTF-8\"", "a\xc3(b\0c", 6, &n);
	CHECK(s && strcmp(s, "a\xef\xbf\xbd(b\xef\xbf\xbd" "c") == 0 &&
	      n == strlen(s), "bad UTF-8 and NUL become U+FFFD");
	free(s);
	s = charset_to_utf8("x-unknown-charset", "\x93hi\x94", 4, &n);
	CHECK(s && strcmp(s, "\xe2\x80\x9chi\xe2\x80\x9d") == 0,
	      "unknown charset treated as Windows-1252");
	free(s);
	s = charset_to_utf8("us-ascii", "na\xc3\xafve", 6, &n);
	CHECK(s && strcmp(s, "na\xc3\xafve") == 0,
	      "us-ascii label over valid UTF-8 bytes reads UTF-8");
	free(s);
	s = charset_to_utf8("utf-8", "\xf8\x88\x80\x80\x80", 5, &n);
	CHECK(s && valid_utf8(s, n), "5-byte form replaced");
	free(s);
	s = charset_to_utf8("utf-8", "", 0, &n);
	CHECK(s && n == 0 && s[0] == '\0', "empty input gives empty string");
	free(s);
}

static void test_html(void)
{
	struct cme_message *m = parse_fixture("html-table.eml");
	const struct message_text *t;
	char *s;
	size_t n;

	CHECK(m != NULL, "html-table parses");
	if (m == NULL)
		return;
	CHECK_INT(message_text_count(m), 1, "one html part");
	t = message_text_at(m, 0);
	CHECK(t && t->source == TEXT_HTML, "text/html is TEXT_HTML");
	CHECK(t && strstr(t->text, "\nPupil surname\tKowalski\n") != NULL,
	      "table row -> label TAB value line");
	CHECK(t && strstr(t->text, "\nPupil forename(s)\tAmelia Rose\n") != NULL,
	      "&nbsp; decoded to a space; <p> inside cells stays in the cell");
	CHECK(t && strstr(t->text, "\nAddress\t3 Mill Court, Preston, PR1 4AB\n")
	      != NULL, "<br> inside a cell becomes \", \"; <th> is a cell");
	CHECK(t && strstr(t->text, "\nNotes\tlots of space & an entity "
	                  "\xc3\xa9\n") != NULL,
	      "cell whitespace collapsed, entities decoded");
	CHECK(t && strstr(t->text, "Evil") == NULL &&
	      strstr(t->text, "color") == NULL &&
	      strstr(t->text, "Referral") == NULL,
	      "script, style and head dropped");
	CHECK(t && strstr(t->text, "Janet Hughes\n\nPupil Access Team") != NULL,
	      "run of <br> collapses to one blank line");
	CHECK(t && strncmp(t->text, "Good afternoon,\n", 16) == 0,
	      "no leading blank lines");
	message_free(m);

	s = html_to_text("<div>a</div><div>b<br>c</div><ul><li>x</li>"
	                 "<li>y</li></ul>", 52, 1000, &n, NULL);
	CHECK(s && strcmp(s, "a\nb\nc\nx\ny\n") == 0,
	      "div, br and li end lines");
	free(s);
	s = html_to_text("<table><tr><td>A</td><td></td><td>C</td></tr>"
	                 "</table>", 54, 1000, &n, NULL);
	CHECK(s && strcmp(s, "A\t\tC\n") == 0, "empty cell keeps its TAB");
	free(s);
	html_is("<p>LAC: <s>Yes</s> / No; CPP: Yes / <del>No</del>; "
	        "S47: <strike>Yes</strike> No</p>",
	        "LAC: ~~Yes~~ / No; CPP: Yes / ~~No~~; S47: ~~Yes~~ No\n",
	        "<s>, <del> and <strike> text is marked ~~struck~~");
	/* quote containers: lines start with "> " per level; a plain
	 * blockquote or another class is not a quote */
	html_is("<div>New text</div><div class=\"x gmail_quote\">"
	        "<div>On Mon wrote:</div><blockquote type=\"cite\">"
	        "Name: Ada<table><tr><td></td><td>B</td></tr></table>"
	        "</blockquote></div><blockquote style=\"margin:0\">"
	        "Indented</blockquote><div class=\"gmail_quoted\">c</div>",
	        "New text\n> On Mon wrote:\n> > Name: Ada\n> >\tB\n\nIndented\n\nc\n",
	        "gmail_quote and blockquote type=cite quote their lines");
	s = html_to_text("<p>0123456789 0123456789 \xc3\xa9\xc3\xa9</p>", 32,
	                 22, &n, NULL);
	CHECK(s && n <= 22 && valid_utf8(s, n), "output bounded by limit, UTF-8");
	free(s);
	s = html_to_text("", 0, 100, &n, NULL);
	CHECK(s && n == 0, "empty HTML gives empty text");
	free(s);
	{
		/* Deep nesting: 100 levels are read; 20000 levels pass
		 * libxml2's depth limit (256), which drops what is below it
		 * but keeps what came before, and the walk must not recurse */
		struct strbuf sb;
		int i;

		strbuf_init(&sb, 0);
		strbuf_puts(&sb, "<p>before</p>");
		for (i = 0; i < 50; i++)
			strbuf_puts(&sb, "<div><span>");
		strbuf_puts(&sb, "deep");
		int cut = -1;

		s = html_to_text(sb.data, sb.len, 1000, &n, &cut);
		CHECK(s && strcmp(s, "before\n\ndeep\n") == 0,
		      "100 nested elements read");
		CHECK_INT(cut, 0, "100 nested elements: read in full");
		free(s);
		for (i = 0; i < 20000; i++)
			strbuf_puts(&sb, "<div><span>");
		s = html_to_text(sb.data, sb.len, 1000, &n, &cut);
		CHECK(s && strncmp(s, "before\n", 7) == 0,
		      "40000 nested elements: no crash, earlier text kept");
		CHECK_INT(cut, 1, "40000 nested elements: reported as cut");
		free(s);
		strbuf_free(&sb);
	}
}

static void test_alternative_csv(void)
{
	struct cme_message *m = parse_fixture("alternative-csv.eml");
	const struct message_text *t;

	CHECK(m != NULL, "alternative-csv parses");
	if (m == NULL)
		return;
	CHECK_INT(message_text_count(m), 6, "six text parts");
	if (message_text_count(m) == 6) {
		CHECK(message_text_at(m, 0)->source == TEXT_PLAIN &&
		      message_text_at(m, 1)->source == TEXT_HTML,
		      "alternative plain then html, in document order");
		CHECK(message_text_at(m, 0)->alternative == 0 &&
		      message_text_at(m, 1)->alternative == 0,
		      "both carry group 0 (html through multipart/related)");
		CHECK_STR(message_text_at(m, 1)->text,
		          "Please find the list attached.\n",
		          "html alternative reduced to text");
		t = message_text_at(m, 2);
		CHECK(t->source == TEXT_CSV && t->alternative == -1,
		      "octet-stream named *.csv is TEXT_CSV, not in a group");
		CHECK_STR(t->filename, "cme-removals.csv",
		          "disposition filename wins over content-type name");
		CHECK_STR(t->text, "Surname,Forename,DOB\nNowak,Jakub,12/07/2011\n",
		          "base64 CSV decoded, CRLF rows");
		t = message_text_at(m, 3);
		CHECK(t->source == TEXT_CSV, "text/csv is TEXT_CSV");
		CHECK_STR(t->filename, "Zo\xc3\xab list.csv",
		          "RFC 2231 filename* decoded");
		CHECK(message_text_at(m, 4)->alternative == 1 &&
		      message_text_at(m, 5)->alternative == 1,
		      "second alternative group is 1");
	}
	CHECK_STR(message_from_name(m), "Data Manager",
	          "quoted display name unquoted");
	message_free(m);
}

static void test_forwarded(void)
{
	struct cme_message *m = parse_fixture("forwarded.eml");

	CHECK(m != NULL, "forwarded parses");
	if (m == NULL)
		return;
	CHECK_INT(message_text_count(m), 2, "outer and forwarded text");
	if (message_text_count(m) == 2) {
		CHECK(message_text_at(m, 0)->depth == 0, "outer text depth 0");
		CHECK(message_text_at(m, 1)->depth == 1 &&
		      strcmp(message_text_at(m, 1)->text,
		             "Pupil name: Ravi Sharma") == 0,
		      "message/rfc822 text at depth 1");
	}
	CHECK_STR(message_header(m, "Subject"),
	          "FW: Pupil not returned after holiday",
	          "top-level Subject, not the forwarded one");
	CHECK(message_header(m, "X-Inner-Only") == NULL,
	      "forwarded headers are not top-level headers");
	CHECK_STR(message_from_address(m), "head@hillside.sch.test",
	          "From is the outer sender");
	message_free(m);
}

static void test_report(void)
{
	struct cme_message *m = parse_fixture("report.eml");

	CHECK(m != NULL, "report parses");
	if (m == NULL)
		return;
	CHECK(message_is_report(m), "multipart/report detected");
	CHECK(message_text_count(m) == 2 &&
	      message_text_at(m, 1)->source == TEXT_REPORT &&
	      strstr(message_text_at(m, 1)->text, "Action: failed") != NULL,
	      "message/delivery-status is TEXT_REPORT");
	CHECK_STR(message_from_address(m), "mailer-daemon@mx.la.test",
	          "From with a comment");
	CHECK(message_from_name(m) == NULL, "no display name");
	message_free(m);
}

static void test_unclosed_and_junk(void)
{
	struct cme_message *m = parse_fixture("unclosed.eml");

	CHECK(m != NULL, "unclosed parses");
	if (m != NULL) {
		CHECK(message_text_count(m) == 2 &&
		      strcmp(message_text_at(m, 0)->text,
		             "Child's name: Max Bell") == 0 &&
		      strstr(message_text_at(m, 1)->text, "still no end") != NULL,
		      "unclosed boundary still yields both texts");
		CHECK(has_problem(m, "never closed"), "unclosed boundary listed");
		CHECK(message_date(m) == (time_t)-1, "bad Date gives -1");
		message_free(m);
	}
	m = parse_fixture("nul-junk.eml");
	CHECK(m != NULL, "nul-junk parses");
	if (m != NULL) {
		const struct message_text *t = message_text_at(m, 0);

		CHECK(message_text_count(m) == 1 && all_texts_valid(m),
		      "NUL bytes and invalid UTF-8 give valid UTF-8, no NUL");
		CHECK(t && strstr(t->text, "Name: Ann\xef\xbf\xbd" "e Smith") &&
		      strstr(t->text, "\nEnd\n"), "text around junk kept");
		CHECK_STR(message_header(m, "Subject"), "bad bytes  here",
		          "control characters in a header become spaces");
		CHECK(message_date(m) == (time_t)-1, "missing Date gives -1");
		message_free(m);
	}
}

static void test_limits(void)
{
	struct message_limits lim;
	struct strbuf sb;
	struct cme_message *m;
	int i;

	message_limits_default(&lim);
	CHECK(lim.max_bytes == 25u * 1024 * 1024 && lim.max_parts == 200 &&
	      lim.max_depth == 10 && lim.max_text_bytes == 4u * 1024 * 1024,
	      "default limits");

	/* 300 sibling parts */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "From: a@b.test\r\nContent-Type: multipart/mixed; "
	            "boundary=\"x\"\r\n\r\n");
	for (i = 0; i < 300; i++)
		strbuf_printf(&sb, "--x\r\nContent-Type: text/plain\r\n\r\n"
		              "part %d\r\n", i);
	strbuf_puts(&sb, "--x--\r\n");
	m = message_parse(sb.data, sb.len, NULL);
	CHECK(m != NULL, "300-part message parses");
	if (m != NULL) {
		/* the multipart itself is a part: 199 text parts fit */
		CHECK(message_text_count(m) == 199 &&
		      strcmp(message_text_at(m, 0)->text, "part 0") == 0,
		      "parts beyond max_parts cut off");
		CHECK(has_problem(m, "more than 200 parts"), "part limit listed");
		message_free(m);
	}
	strbuf_free(&sb);

	/* 40 levels of nesting, alternating multipart and message/rfc822 */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "From: a@b.test\n");
	for (i = 0; i < 40; i++) {
		if (i % 2 == 0)
			strbuf_printf(&sb, "Content-Type: multipart/mixed; "
			              "boundary=\"b%d\"\n\n--b%d\n", i, i);
		else
			strbuf_puts(&sb, "Content-Type: message/rfc822\n\n");
	}
	strbuf_puts(&sb, "Content-Type: text/plain\n\ntoo deep\n");
	for (i = 38; i >= 0; i -= 2)
		strbuf_printf(&sb, "--b%d--\n", i);
	m = message_parse(sb.data, sb.len, NULL);
	CHECK(m != NULL, "40-level message parses");
	if (m != NULL) {
		CHECK_INT(message_text_count(m), 0, "text below max_depth not read");
		CHECK(has_problem(m, "nested more than 10 levels"),
		      "depth limit listed");
		message_free(m);
	}
	/* the same nesting within a raised limit is read, at depth 20 */
	lim.max_depth = 100;
	m = message_parse(sb.data, sb.len, &lim);
	CHECK(m && message_text_count(m) == 1 &&
	      message_text_at(m, 0)->depth == 20,
	      "nesting within the limit read; rfc822 levels counted in depth");
	message_free(m);
	strbuf_free(&sb);

	/* a very deep attack is cut before libetpan recurses into it */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "From: a@b.test\n");
	for (i = 0; i < 100000; i++)
		strbuf_puts(&sb, "Content-Type: message/rfc822\n\n");
	m = message_parse(sb.data, sb.len, NULL);
	CHECK(m != NULL && has_problem(m, "nested more than 10"),
	      "100000 nested messages: no crash, limit listed");
	message_free(m);
	strbuf_free(&sb);

	/* max_bytes and max_text_bytes */
	message_limits_default(&lim);
	lim.max_bytes = 1000;
	lim.max_text_bytes = 100;
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "From: a@b.test\nSubject: big\n\n");
	for (i = 0; i < 200; i++)
		strbuf_puts(&sb, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 line\n");
	m = message_parse(sb.data, sb.len, &lim);
	CHECK(m != NULL, "oversized message parses");
	if (m != NULL) {
		CHECK(has_problem(m, "larger than 1000 bytes; only the first "
		                     "1000 bytes were read"), "max_bytes listed");
		CHECK(has_problem(m, "more than 100 bytes of text"),
		      "max_text_bytes listed");
		CHECK(message_text_count(m) == 1 &&
		      message_text_at(m, 0)->len <= 100 && all_texts_valid(m),
		      "text cut at a character boundary within the limit");
		CHECK_STR(message_header(m, "Subject"), "big",
		          "headers read from a cut message");
		message_free(m);
	}
	strbuf_free(&sb);

	m = message_parse("", 0, NULL);
	CHECK(m != NULL && message_text_count(m) == 0 &&
	      message_header(m, "From") == NULL, "empty input");
	message_free(m);
	m = message_parse("Subject: x\n", 11, NULL);
	CHECK(m != NULL && message_text_count(m) == 0 &&
	      message_from_address(m) == NULL, "headers only, no body");
	message_free(m);
}

static void test_samples(void)
{
	static const char dir[] = "/work/shared/samples";
	struct stat st;
	char path[256];
	char *raw;
	size_t len;
	struct cme_message *m;

	if (stat(dir, &st) != 0) {
		printf("# %s absent: sample checks skipped\n", dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/13-malformed.eml", dir);
	raw = slurp(path, &len);
	if (raw != NULL) {
		m = message_parse(raw, len, NULL);
		CHECK(m != NULL && message_text_count(m) >= 1 &&
		      strncmp(message_text_at(m, 0)->text,
		              "Child's name: Max Bell\n", 23) == 0,
		      "sample 13: damaged base64 recovered");
		CHECK(m && has_problem(m, "unknown character set "
		                          "x-unknown-charset; read as Windows-1252"),
		      "sample 13: unknown charset listed");
		CHECK(m && all_texts_valid(m), "sample 13: text valid UTF-8");
		CHECK_STR(m ? message_header(m, "Message-ID") : NULL,
		          "<broken-1@school.test>", "sample 13: Message-ID");
		message_free(m);
		free(raw);
	}
	snprintf(path, sizeof(path), "%s/03-html-table.eml", dir);
	raw = slurp(path, &len);
	if (raw != NULL) {
		const char *t;

		m = message_parse(raw, len, NULL);
		t = (m && message_text_count(m) == 1) ?
		    message_text_at(m, 0)->text : "";
		CHECK(strstr(t, "Pupil surname\tKowalski\n") &&
		      strstr(t, "Address\t3 Mill Court, Preston, PR1 4AB\n") &&
		      strstr(t, "Pupil forename(s)\tAmelia Rose\n"),
		      "sample 03: Outlook table as TAB lines");
		message_free(m);
		free(raw);
	}
	snprintf(path, sizeof(path), "%s/02-deletion-notice.eml", dir);
	raw = slurp(path, &len);
	if (raw != NULL) {
		m = message_parse(raw, len, NULL);
		CHECK(m && message_text_count(m) == 1 &&
		      strstr(message_text_at(m, 0)->text, "Pupil: Zo\xc3\xab O'Brien"),
		      "sample 02: QP Windows-1252");
		message_free(m);
		free(raw);
	}
}

/* A quoted-printable part ending in control bytes made libetpan's
 * decoder copy past the end of the message (fuzz_message found it).  The
 * message sits in a buffer of exactly its size, as the fuzzer's input
 * did, so the ASan pass of the suite sees any read beyond it. */
static void test_decoder_overread(void)
{
	char path[1200];
	size_t len;
	char *raw, *exact;
	struct cme_message *m = NULL;

	snprintf(path, sizeof(path), "%s/tests/fixtures/message/qp-overread.eml", srcdir);
	raw = slurp(path, &len);
	exact = raw ? malloc(len) : NULL;
	if (exact) {
		memcpy(exact, raw, len);
		m = message_parse(exact, len, NULL);
	}
	CHECK(m != NULL, "a QP part ending in control bytes is parsed within the message's bytes");
	message_free(m);
	free(exact);
	free(raw);
}

int main(void)
{
	find_srcdir();
	test_base64_and_headers();
	test_charsets();
	test_charset_helper();
	test_html();
	test_alternative_csv();
	test_forwarded();
	test_report();
	test_unclosed_and_junk();
	test_limits();
	test_samples();
	test_decoder_overread();
	return tap_done();
}
