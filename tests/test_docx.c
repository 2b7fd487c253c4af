/*
 * test_docx.c - unit tests for docx_text.c (Word tables and paragraphs
 * to TAB lines; hostile archives and XML refused) and for the DOCX seam
 * in message.c (a .docx attachment becomes a TEXT_DOCX part).
 *
 * The .docx fixtures are built here with libzip at test time, so every
 * fixture is readable in the code that checks it and no binary file sits
 * in the repository.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zip.h>

#include "docx_text.h"
#include "extract.h"
#include "message.h"
#include "referral.h"
#include "strbuf.h"
#include "tap.h"
#include "tap_vocab.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

static const char content_types[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/word/document.xml\" ContentType=\"application/"
	"vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
	"</Types>";

static const char rels_fmt[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
	"officeDocument/2006/relationships/officeDocument\" Target=\"%s\"/>"
	"</Relationships>";

/* One file of a fixture archive. */
struct entry {
	const char *name;
	const char *data;
	size_t len;             /* 0: strlen(data) */
	int store;              /* 1: no compression (so bytes can be patched) */
};

/* Build a ZIP in memory.  Returns malloc'd bytes, or NULL. */
static char *make_zip(const struct entry *e, size_t n, size_t *outlen)
{
	zip_error_t err;
	zip_source_t *src, *fs;
	zip_t *za;
	zip_stat_t st;
	char *buf = NULL;
	size_t i;

	*outlen = 0;
	zip_error_init(&err);
	src = zip_source_buffer_create(NULL, 0, 0, &err);
	if (src == NULL)
		return NULL;
	za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
	if (za == NULL) {
		zip_source_free(src);
		return NULL;
	}
	/* keep the buffer source alive after zip_close to read it back */
	zip_source_keep(src);
	for (i = 0; i < n; i++) {
		size_t len = e[i].len ? e[i].len : strlen(e[i].data);
		zip_int64_t idx;

		fs = zip_source_buffer(za, e[i].data, len, 0);
		if (fs == NULL)
			goto fail;
		idx = zip_file_add(za, e[i].name, fs, ZIP_FL_OVERWRITE);
		if (idx < 0) {
			zip_source_free(fs);
			goto fail;
		}
		if (e[i].store)
			zip_set_file_compression(za, (zip_uint64_t)idx,
			                         ZIP_CM_STORE, 0);
	}
	if (zip_close(za) != 0) {
		zip_discard(za);
		zip_source_free(src);
		return NULL;
	}
	zip_stat_init(&st);
	if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
	    zip_source_open(src) == 0) {
		buf = malloc(st.size ? st.size : 1);
		if (buf != NULL &&
		    zip_source_read(src, buf, st.size) == (zip_int64_t)st.size) {
			*outlen = st.size;
		} else {
			free(buf);
			buf = NULL;
		}
		zip_source_close(src);
	}
	zip_source_free(src);
	zip_error_fini(&err);
	return buf;
fail:
	zip_discard(za);
	zip_source_free(src);
	return NULL;
}

static char *wrap_body(const char *body)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	strbuf_printf(&sb,
	              "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	              "<w:document xmlns:w=\"%s\" "
	              "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" "
	              "xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/wordml\">"
	              "<w:body>%s<w:sectPr/></w:body></w:document>", W_NS, body);
	return strbuf_detach(&sb);
}

/* A complete DOCX around the given document.xml text. */
static char *make_docx_xml(const char *docxml, size_t *len)
{
	char rels[1024];
	struct entry e[3];

	snprintf(rels, sizeof(rels), rels_fmt, "word/document.xml");
	e[0] = (struct entry){ "[Content_Types].xml", content_types, 0, 0 };
	e[1] = (struct entry){ "_rels/.rels", rels, 0, 0 };
	e[2] = (struct entry){ "word/document.xml", docxml, 0, 0 };
	return make_zip(e, 3, len);
}

static char *make_docx(const char *body, size_t *len)
{
	char *xml = wrap_body(body);
	char *z = xml ? make_docx_xml(xml, len) : NULL;

	free(xml);
	return z;
}

/* docx_to_text on a DOCX made from `body`; NULL if either step fails. */
static char *docx_body_text(const char *body, size_t limit)
{
	size_t zl = 0, tl = 0;
	char *z = make_docx(body, &zl);
	char *t = z ? docx_to_text(z, zl, limit, &tl) : NULL;

	if (t != NULL && strlen(t) != tl) {
		free(t);
		t = NULL;
	}
	free(z);
	return t;
}

#define P(x)   "<w:p><w:r><w:t>" x "</w:t></w:r></w:p>"
#define TC(x)  "<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>" P(x) "</w:tc>"
#define TR2(a, b) "<w:tr><w:trPr/>" TC(a) TC(b) "</w:tr>"

static void test_tables_and_paragraphs(void)
{
	char *t;

	t = docx_body_text(
		P("Children Missing Education referral form")
		"<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
		TR2("Surname", "Kowalski")
		TR2("Forename", "Anna")
		TR2("Date of birth", "03/04/2014")
		"</w:tbl>"
		P("Please contact the school office."), 0);
	CHECK_STR(t,
	          "Children Missing Education referral form\n"
	          "Surname\tKowalski\n"
	          "Forename\tAnna\n"
	          "Date of birth\t03/04/2014\n"
	          "Please contact the school office.\n",
	          "label/value table rows become TAB lines, paragraphs lines");
	free(t);

	/* Word splits text into runs wherever formatting or the spell
	 * checker changes; runs join without a space, w:tab is a space */
	t = docx_body_text(
		"<w:p><w:r><w:t>Kowal</w:t></w:r><w:proofErr w:type=\"spellStart\"/>"
		"<w:r><w:rPr><w:b/></w:rPr><w:t>ski</w:t></w:r>"
		"<w:r><w:tab/><w:t>UPN</w:t></w:r>"
		"<w:r><w:t xml:space=\"preserve\"> E935204414117</w:t></w:r></w:p>", 0);
	CHECK_STR(t, "Kowalski UPN E935204414117\n",
	          "runs concatenate; w:tab and preserved spaces become one space");
	free(t);

	/* an address over several lines stays in its cell */
	t = docx_body_text(
		"<w:tbl><w:tr>" TC("Address")
		"<w:tc><w:p><w:r><w:t>12 Rose Lane</w:t><w:br/><w:t>Ipswich</w:t></w:r></w:p>"
		"<w:p><w:r><w:t>IP1 2BX</w:t></w:r></w:p></w:tc>"
		"</w:tr></w:tbl>", 0);
	CHECK_STR(t, "Address\t12 Rose Lane, Ipswich, IP1 2BX\n",
	          "w:br and a second paragraph inside a cell become \", \"");
	free(t);

	/* a header row and two child rows: one line each */
	t = docx_body_text(
		"<w:tbl>"
		"<w:tr>" TC("Forename") TC("Surname") TC("DOB") "</w:tr>"
		"<w:tr>" TC("Kai") TC("Jones") TC("12/05/2012") "</w:tr>"
		"<w:tr>" TC("Mia") TC("Jones") "<w:tc><w:p/></w:tc></w:tr>"
		"</w:tbl>", 0);
	CHECK_STR(t, "Forename\tSurname\tDOB\nKai\tJones\t12/05/2012\nMia\tJones\t\n",
	          "a header table keeps its columns, an empty cell stays a cell");
	free(t);

	/* outside a table a line break ends the line; empty paragraphs are
	 * at most one blank line */
	t = docx_body_text(
		"<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t></w:r></w:p>"
		"<w:p/><w:p/><w:p/>" P("After the gap"), 0);
	CHECK_STR(t, "Line one\nLine two\n\nAfter the gap\n",
	          "w:br outside a table ends a line; blank paragraphs collapse");
	free(t);
}

static void test_word_features(void)
{
	char *t;

	/* a content control still showing its prompt has no answer in it */
	t = docx_body_text(
		"<w:tbl><w:tr>" TC("Surname")
		"<w:tc><w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
		"<w:p><w:r><w:t>Click or tap here to enter text.</w:t></w:r></w:p>"
		"</w:sdtContent></w:sdt></w:tc></w:tr>"
		"<w:tr>" TC("Forename")
		"<w:tc><w:sdt><w:sdtPr><w:alias w:val=\"x\"/></w:sdtPr><w:sdtContent>"
		"<w:p><w:r><w:t>Anna</w:t></w:r></w:p>"
		"</w:sdtContent></w:sdt></w:tc></w:tr></w:tbl>", 0);
	CHECK_STR(t, "Surname\t\nForename\tAnna\n",
	          "placeholder text of an unfilled content control is dropped");
	free(t);

	/* form answers: a checkbox content control is its tick box, its
	 * drawn glyph not repeated; a legacy FORMCHECKBOX is one too; a
	 * struck run is marked ~~ ~~ */
	t = docx_body_text(
		"<w:p><w:r><w:t>LAC Yes</w:t></w:r>"
		"<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val=\"0\"/></w14:checkbox>"
		"</w:sdtPr><w:sdtContent><w:r><w:t>\xE2\x98\x90</w:t></w:r></w:sdtContent></w:sdt>"
		"<w:r><w:t xml:space=\"preserve\"> No</w:t></w:r>"
		"<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val=\"1\"/></w14:checkbox>"
		"</w:sdtPr><w:sdtContent><w:r><w:t>\xE2\x98\x90</w:t></w:r></w:sdtContent></w:sdt>"
		"</w:p>", 0);
	CHECK_STR(t, "LAC Yes \xE2\x98\x90 No \xE2\x98\x92\n",
	          "w14:checkbox controls read as tick boxes from w14:checked");
	free(t);
	t = docx_body_text(
		"<w:p><w:r><w:t>CPP</w:t></w:r>"
		"<w:r><w:fldChar w:fldCharType=\"begin\"><w:ffData><w:checkBox>"
		"<w:default w:val=\"0\"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r>"
		"<w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r>"
		"<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
		"<w:r><w:fldChar w:fldCharType=\"begin\"><w:ffData><w:checkBox>"
		"<w:default w:val=\"1\"/><w:checked w:val=\"false\"/></w:checkBox></w:ffData></w:fldChar></w:r>"
		"<w:r><w:rPr><w:strike/></w:rPr><w:t>Yes</w:t></w:r>"
		"<w:r><w:rPr><w:strike w:val=\"0\"/></w:rPr><w:t>/No</w:t></w:r></w:p>", 0);
	CHECK_STR(t, "CPP \xE2\x98\x92 \xE2\x98\x90 ~~Yes~~/No\n",
	          "FORMCHECKBOX fields read from w:checked over w:default; w:strike marks ~~");
	free(t);

	/* tracked deletions and field codes are not text; a text box's
	 * Fallback copy is not read twice */
	t = docx_body_text(
		"<w:p><w:del><w:r><w:delText>Smith</w:delText></w:r></w:del>"
		"<w:ins><w:r><w:t>Smyth</w:t></w:r></w:ins>"
		"<w:r><w:instrText> FORMTEXT </w:instrText></w:r></w:p>"
		"<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\">"
		"<w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent>"
		"</mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>"
		"<w:t>Boxed</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>"
		"</mc:AlternateContent></w:r></w:p>", 0);
	CHECK_STR(t, "Smyth\nBoxed\n",
	          "deleted text, field codes and Fallback copies are skipped");
	free(t);

	/* no-break and fixed-width spaces (an empty legacy form field is
	 * five U+2002) are spaces; zero-width characters vanish */
	t = docx_body_text(
		P("Name:\xC2\xA0\xE2\x80\x82\xE2\x80\x82Zo\xC3\xAB\xE2\x80\x8B Smith"), 0);
	CHECK_STR(t, "Name: Zo\xC3\xAB Smith\n",
	          "Unicode spaces fold to one space, UTF-8 kept");
	free(t);

	/* a table nested in a cell starts its own lines */
	t = docx_body_text(
		"<w:tbl><w:tr>" TC("Child 1")
		"<w:tc><w:tbl>" TR2("Surname", "Jones") "</w:tbl></w:tc>"
		"</w:tr></w:tbl>", 0);
	CHECK(t != NULL && strstr(t, "Surname\tJones\n") != NULL,
	      "a nested table's rows are lines of their own");
	free(t);

	/* ISO/IEC 29500 Strict namespace */
	{
		size_t zl = 0, tl = 0;
		char *z = make_docx_xml(
			"<w:document xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\">"
			"<w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Surname</w:t></w:r></w:p></w:tc>"
			"<w:tc><w:p><w:r><w:t>Nowak</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
			"</w:body></w:document>", &zl);

		t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
		CHECK_STR(t, "Surname\tNowak\n", "Strict OOXML namespace is read");
		free(t);
		free(z);
	}
}

static void test_main_part(void)
{
	char rels[1024];
	char *xml = wrap_body(P("From document2"));
	struct entry e[3];
	size_t zl = 0, tl = 0;
	char *z, *t;

	/* Word Online names the main part word/document2.xml; _rels/.rels
	 * says so */
	snprintf(rels, sizeof(rels), rels_fmt, "/word/document2.xml");
	e[0] = (struct entry){ "[Content_Types].xml", content_types, 0, 0 };
	e[1] = (struct entry){ "_rels/.rels", rels, 0, 0 };
	e[2] = (struct entry){ "word/document2.xml", xml, 0, 0 };
	z = make_zip(e, 3, &zl);
	t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
	CHECK_STR(t, "From document2\n", "the main part named by _rels/.rels is read");
	free(t);
	free(z);

	/* a ZIP with no main document (an .xlsx, a zip of photos) */
	e[2] = (struct entry){ "xl/workbook.xml", xml, 0, 0 };
	snprintf(rels, sizeof(rels), rels_fmt, "xl/workbook.xml");
	e[1] = (struct entry){ "_rels/.rels", "<Relationships/>", 0, 0 };
	z = make_zip(e, 3, &zl);
	CHECK(z != NULL && docx_to_text(z, zl, 0, &tl) == NULL,
	      "a ZIP without word/document.xml is not a DOCX (NULL)");
	free(z);

	/* a relationship pointing out of the package is ignored */
	snprintf(rels, sizeof(rels), rels_fmt, "../../etc/passwd");
	e[1] = (struct entry){ "_rels/.rels", rels, 0, 0 };
	e[2] = (struct entry){ "word/document.xml", xml, 0, 0 };
	z = make_zip(e, 3, &zl);
	t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
	CHECK_STR(t, "From document2\n",
	          "a Target with .. falls back to word/document.xml");
	free(t);
	free(z);

	/* an XML main part that is not a WordprocessingML document */
	z = make_docx_xml("<html><body><p>hi</p></body></html>", &zl);
	CHECK(z != NULL && docx_to_text(z, zl, 0, &tl) == NULL,
	      "a main part whose root is not w:document gives NULL");
	free(z);
	z = make_docx_xml("<w:document xmlns:w=\"" W_NS "\"><w:body><w:p>", &zl);
	CHECK(z != NULL && docx_to_text(z, zl, 0, &tl) == NULL,
	      "malformed XML gives NULL");
	free(z);

	/* an empty document is readable and has no text */
	z = make_docx("", &zl);
	t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
	CHECK(t != NULL && tl == 0 && t[0] == '\0',
	      "an empty document gives \"\", not NULL");
	free(t);
	free(z);
	free(xml);
}

/* Offsets of the first local and central headers of a one-entry patch. */
static void patch_sizes(char *z, size_t zl, const char *name,
                        uint32_t usize)
{
	size_t i, nl = strlen(name);

	for (i = 0; i + 46 + nl <= zl; i++) {
		unsigned char *p = (unsigned char *)z + i;

		if (memcmp(p, "PK\3\4", 4) == 0 && i + 30 + nl <= zl &&
		    memcmp(p + 30, name, nl) == 0) {
			p[22] = usize & 0xFF; p[23] = (usize >> 8) & 0xFF;
			p[24] = (usize >> 16) & 0xFF; p[25] = usize >> 24;
		}
		if (memcmp(p, "PK\1\2", 4) == 0 &&
		    memcmp(p + 46, name, nl) == 0) {
			p[24] = usize & 0xFF; p[25] = (usize >> 8) & 0xFF;
			p[26] = (usize >> 16) & 0xFF; p[27] = usize >> 24;
		}
	}
}

static void test_hostile(void)
{
	static const char junk[] = "This is not a zip file at all, just text "
	                           "pretending to be a Word document.";
	size_t zl = 0, tl = 99;
	char *z, *t, *xml;
	struct strbuf sb;
	size_t i;

	CHECK(docx_to_text(junk, sizeof(junk) - 1, 0, &tl) == NULL && tl == 0,
	      "bytes that are not a ZIP give NULL");
	CHECK(docx_to_text(NULL, 0, 0, &tl) == NULL, "NULL input gives NULL");
	CHECK(docx_to_text("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" "0123456789abcdefghijklmnop",
	                   34, 0, &tl) == NULL,
	      "an OLE file (encrypted DOCX, old .doc) gives NULL");

	/* corrupted: flip bytes in the middle of the compressed data, and
	 * cut the archive short */
	z = make_docx(TR2("Surname", "Kowalski") P("Some more text to compress"), &zl);
	if (z != NULL) {
		char *copy = malloc(zl);

		if (copy != NULL) {
			memcpy(copy, z, zl);
			/* chop off the central directory */
			CHECK(docx_to_text(copy, zl / 2, 0, &tl) == NULL,
			      "a truncated ZIP gives NULL");
			for (i = 0; i + 4 <= zl; i++)
				if (memcmp(copy + i, "PK\1\2", 4) == 0)
					break;
			/* the compressed data is in the first half; damage
			 * the bytes just before the central directory */
			for (size_t k = i > 40 ? i - 40 : 0; k < i; k++)
				copy[k] ^= 0x5A;
			t = docx_to_text(copy, zl, 0, &tl);
			CHECK(t == NULL, "a ZIP with damaged data gives NULL");
			free(t);
			free(copy);
		}
	}
	free(z);

	/* the uncompressed size claimed over the 8 MiB bound */
	{
		char rels[1024];
		char *body = wrap_body(P("Surname Kowalski"));
		struct entry e[2];

		snprintf(rels, sizeof(rels), rels_fmt, "word/document.xml");
		e[0] = (struct entry){ "_rels/.rels", rels, 0, 0 };
		e[1] = (struct entry){ "word/document.xml", body, 0, 1 };
		z = make_zip(e, 2, &zl);
		t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
		CHECK_STR(t, "Surname Kowalski\n", "the unpatched stored DOCX reads");
		free(t);
		if (z != NULL) {
			patch_sizes(z, zl, "word/document.xml", 9u * 1024u * 1024u);
			CHECK(docx_to_text(z, zl, 0, &tl) == NULL,
			      "a claimed size over 8 MiB is refused");
			/* and a claim smaller than what is really there */
			patch_sizes(z, zl, "word/document.xml", 20);
			t = docx_to_text(z, zl, 0, &tl);
			CHECK(t == NULL,
			      "a part that inflates past its claimed size is refused");
			free(t);
		}
		free(z);
		free(body);
	}

	/* a real zip bomb: 17 MiB of XML compresses to a few kB.  Only
	 * DOCX_MAX_XML of it is inflated, streamed: the text of that start
	 * is read and the cut is reported. */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<w:document xmlns:w=\"" W_NS "\"><w:body>");
	while (sb.len < DOCX_MAX_XML + 1024u * 1024u)
		strbuf_puts(&sb, "<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>");
	strbuf_puts(&sb, "</w:body></w:document>");
	z = make_docx_xml(strbuf_str(&sb), &zl);
	CHECK(z != NULL && zl < sb.len / 50, "the bomb fixture is small compressed");
	{
		struct docx_read dr;

		memset(&dr, 0, sizeof dr);
		dr.text_limit = 64u * 1024u * 1024u;
		t = z ? docx_read_text(z, zl, &dr, &tl) : NULL;
		CHECK(t != NULL && dr.xml_cut && dr.xml_read == DOCX_MAX_XML,
		      "a document.xml inflating past DOCX_MAX_XML is read up to "
		      "it and reported cut");
		CHECK(t != NULL && strncmp(t, "aaaaaaaaaaaaaaaaaaaa\n", 21) == 0 &&
		      tl > DOCX_MAX_XML / 60,
		      "the start of a cut document is read");
		free(t);

		/* the caller's XML bound */
		memset(&dr, 0, sizeof dr);
		dr.xml_limit = 100000;
		t = z ? docx_read_text(z, zl, &dr, &tl) : NULL;
		CHECK(t != NULL && dr.xml_cut && dr.xml_read == 100000,
		      "xml_limit bounds the XML inflated");
		free(t);

		/* the output cap stops the inflating too: no cut reported,
		 * only a little XML read */
		memset(&dr, 0, sizeof dr);
		dr.text_limit = 1000;
		t = z ? docx_read_text(z, zl, &dr, &tl) : NULL;
		CHECK(t != NULL && !dr.xml_cut && tl <= 1000 &&
		      dr.xml_read < 1024u * 1024u,
		      "a full output stops the reading");
		free(t);
	}
	free(z);
	strbuf_free(&sb);

	/* a large but allowed document: output bounded by the limit */
	strbuf_init(&sb, 0);
	for (i = 0; i < 5000; i++)
		strbuf_puts(&sb, P("Zo\xC3\xAB Kowalska lives at 12 Rose Lane"));
	t = docx_body_text(strbuf_str(&sb), 1001);
	CHECK(t != NULL && strlen(t) <= 1001 && strlen(t) >= 990,
	      "output is cut at the limit");
	if (t != NULL) {
		/* the cut never splits the two-byte ë */
		size_t n = strlen(t);
		int ok = 1;

		for (i = 0; i < n; i++)
			if ((unsigned char)t[i] == 0xC3 &&
			    (i + 1 >= n || (unsigned char)t[i + 1] != 0xAB))
				ok = 0;
		CHECK(ok, "the cut output is still valid UTF-8");
	}
	free(t);
	strbuf_free(&sb);

	/* billion laughs: a DTD with nested entities */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<?xml version=\"1.0\"?>\n<!DOCTYPE w:document [\n"
	                 "<!ENTITY a0 \"LOL\">\n");
	for (i = 1; i < 12; i++)
		strbuf_printf(&sb, "<!ENTITY a%zu \"&a%zu;&a%zu;&a%zu;&a%zu;"
		              "&a%zu;&a%zu;&a%zu;&a%zu;&a%zu;&a%zu;\">\n",
		              i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
		              i - 1, i - 1, i - 1, i - 1);
	strbuf_puts(&sb, "]>\n<w:document xmlns:w=\"" W_NS "\"><w:body>"
	                 "<w:p w:rsidR=\"&a11;\"><w:r><w:t>&a11;</w:t></w:r></w:p>"
	                 "</w:body></w:document>");
	xml = strbuf_detach(&sb);
	z = make_docx_xml(xml, &zl);
	t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
	CHECK(z != NULL && t == NULL,
	      "a document with a DTD (entity bomb) is refused, nothing expanded");
	free(t);
	free(z);
	free(xml);

	/* external entity (XXE) */
	xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "
	      "\"file:///etc/passwd\">]>\n<w:document xmlns:w=\"" W_NS "\">"
	      "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>";
	z = make_docx_xml(xml, &zl);
	t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
	CHECK(z != NULL && t == NULL, "an external entity (XXE) is refused");
	free(t);
	free(z);

	/* an undeclared entity reference outside any DTD */
	xml = wrap_body("<w:p><w:r><w:t>A&amp;B &#x263A;</w:t></w:r></w:p>");
	z = xml ? make_docx_xml(xml, &zl) : NULL;
	t = z ? docx_to_text(z, zl, 0, &tl) : NULL;
	CHECK_STR(t, "A&B \xE2\x98\xBA\n", "predefined and character references decode");
	free(t);
	free(z);
	free(xml);

	/* thousands of entries: refused before anything is read */
	{
		struct entry *e = calloc(6001, sizeof(*e));
		char (*names)[32] = calloc(6001, sizeof(*names));
		char *docxml = wrap_body(P("x"));

		if (e != NULL && names != NULL && docxml != NULL) {
			e[0] = (struct entry){ "word/document.xml", docxml, 0, 0 };
			for (i = 1; i < 6001; i++) {
				snprintf(names[i], sizeof(names[i]), "f%zu", i);
				e[i] = (struct entry){ names[i], "", 1, 1 };
			}
			z = make_zip(e, 6001, &zl);
			CHECK(z != NULL && docx_to_text(z, zl, 0, &tl) == NULL,
			      "an archive of 6001 entries is refused");
			free(z);
		}
		free(docxml);
		free(names);
		free(e);
	}
}

/* base64 with 76-character lines, as mailers send attachments */
static void base64(struct strbuf *sb, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		strbuf_append(sb, q, 4);
		col += 4;
		if (col >= 76) {
			strbuf_puts(sb, "\r\n");
			col = 0;
		}
	}
	strbuf_puts(sb, "\r\n");
}

/* A school's email with the form attached. */
static char *mail_with(const char *ctype, const char *fname,
                       const char *att, size_t attlen)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	strbuf_printf(&sb,
		"From: Priya Patel <attendance@northgate.sch.test>\r\n"
		"To: cme@la.test\r\n"
		"Subject: CME referral\r\n"
		"Date: Mon, 5 Oct 2026 10:00:00 +0100\r\n"
		"Message-ID: <docx-1@northgate.sch.test>\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
		"Please find attached our CME referral form.\r\n\r\n"
		"--b1\r\nContent-Type: %s; name=\"%s\"\r\n"
		"Content-Disposition: attachment; filename=\"%s\"\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n",
		ctype, fname, fname);
	base64(&sb, (const unsigned char *)att, attlen);
	strbuf_puts(&sb, "--b1--\r\n");
	return strbuf_detach(&sb);
}

static const struct message_text *find_source(const struct cme_message *m,
                                              enum text_source src)
{
	size_t i;

	for (i = 0; i < message_text_count(m); i++)
		if (message_text_at(m, i)->source == src)
			return message_text_at(m, i);
	return NULL;
}

static int has_problem(const struct cme_message *m, const char *needle)
{
	size_t i;

	for (i = 0; i < message_problem_count(m); i++)
		if (strstr(message_problem_at(m, i), needle) != NULL)
			return 1;
	return 0;
}

static void test_message_seam(void)
{
	static const char docx_type[] =
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document";
	static const char ole[] =
		"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 encrypted package";
	size_t zl = 0;
	char *z = make_docx(
		P("CME referral form")
		"<w:tbl>"
		TR2("Child's surname", "Kowalski")
		TR2("Child's forename", "Anna")
		TR2("Date of birth", "03/04/2014")
		TR2("Gender", "Female")
		TR2("Reason", "Moved away, whereabouts unknown")
		"</w:tbl>", &zl);
	struct message_limits lim;
	const struct message_text *t;
	struct cme_message *m;
	char *mail;

	if (!CHECK(z != NULL, "built the DOCX for the end-to-end checks"))
		return;
	message_limits_default(&lim);

	mail = mail_with(docx_type, "CME referral.docx", z, zl);
	m = message_parse(mail, strlen(mail), &lim);
	t = m ? find_source(m, TEXT_DOCX) : NULL;
	CHECK(t != NULL, "a base64 DOCX attachment yields a TEXT_DOCX part");
	CHECK(t != NULL && strstr(t->text, "Child's surname\tKowalski\n") != NULL,
	      "its table rows are TAB lines");
	CHECK(t != NULL && t->filename != NULL &&
	      strcmp(t->filename, "CME referral.docx") == 0,
	      "the part carries the attachment's filename");
	CHECK(t != NULL && t->len == strlen(t->text), "len matches the text");
	CHECK(m != NULL && find_source(m, TEXT_PLAIN) != NULL,
	      "the covering note is still read");
	CHECK(m != NULL && message_problem_count(m) == 0,
	      "a good DOCX leaves no problem");
	if (m != NULL) {
		struct extract_options eo;
		struct cme_referral r;

		extract_options_default(&eo);
		referral_init(&r);
		CHECK(extract_referral(m, &eo, &r) == 0 && r.n_children == 1 &&
		      r.children[0].surname != NULL &&
		      strcmp(r.children[0].surname, "Kowalski") == 0 &&
		      r.children[0].dob != NULL &&
		      strcmp(r.children[0].dob, "2014-04-03") == 0,
		      "the extractor reads the child from the DOCX table");
		referral_free(&r);
	}
	message_free(m);
	free(mail);

	/* mailers that do not know the type send application/octet-stream */
	mail = mail_with("application/octet-stream", "form.DOCX", z, zl);
	m = message_parse(mail, strlen(mail), &lim);
	t = m ? find_source(m, TEXT_DOCX) : NULL;
	CHECK(t != NULL && strstr(t->text, "Kowalski") != NULL,
	      "application/octet-stream named .docx is read as DOCX");
	message_free(m);
	free(mail);

	/* the DOCX counts against max_text_bytes */
	lim.max_text_bytes = 80;
	mail = mail_with(docx_type, "form.docx", z, zl);
	m = message_parse(mail, strlen(mail), &lim);
	{
		size_t i, total = 0;

		for (i = 0; m != NULL && i < message_text_count(m); i++)
			total += message_text_at(m, i)->len;
		CHECK(m != NULL && total <= 80, "DOCX text counts against max_text_bytes");
		CHECK(m != NULL && has_problem(m, "more than 80 bytes of text"),
		      "cutting the DOCX text is reported");
	}
	message_free(m);
	free(mail);
	message_limits_default(&lim);

	/* XML past the message's max_inflated_bytes: the start is read,
	 * the cut is a problem naming the file; a second document finds no
	 * room left and is a problem too */
	{
		struct strbuf big;
		char *bz, *two;
		size_t bzl = 0;

		strbuf_init(&big, 0);
		strbuf_puts(&big, TR2("Child's surname", "Nowak"));
		while (big.len < 200000)
			strbuf_puts(&big, P("more of the form"));
		bz = make_docx(strbuf_str(&big), &bzl);
		strbuf_free(&big);
		lim.max_inflated_bytes = 100 * 1024;
		mail = bz ? mail_with(docx_type, "long.docx", bz, bzl) : NULL;
		m = mail ? message_parse(mail, strlen(mail), &lim) : NULL;
		t = m ? find_source(m, TEXT_DOCX) : NULL;
		CHECK(t != NULL && strstr(t->text, "Child's surname\tNowak\n") != NULL,
		      "a DOCX over max_inflated_bytes: the start is read");
		CHECK(m != NULL && has_problem(m, "Word document (long.docx) held "
		                               "more than 100 kB of XML"),
		      "a DOCX over max_inflated_bytes is a problem naming the file");
		message_free(m);
		free(mail);
		/* the same document twice: nothing left for the second */
		mail = bz ? mail_with(docx_type, "long.docx", bz, bzl) : NULL;
		two = NULL;
		if (mail != NULL) {
			char *end = strstr(mail, "--b1--");
			struct strbuf tw;

			strbuf_init(&tw, 0);
			strbuf_append(&tw, mail, (size_t)(end - mail));
			strbuf_append(&tw, strstr(mail, "--b1\r\nContent-Type: application"),
			              (size_t)(end - strstr(mail, "--b1\r\nContent-Type: application")));
			strbuf_puts(&tw, "--b1--\r\n");
			two = strbuf_detach(&tw);
		}
		m = two ? message_parse(two, strlen(two), &lim) : NULL;
		CHECK(m != NULL && has_problem(m, "Word documents held more than "
		                               "100 kB of XML; an attached Word "
		                               "document (long.docx) was not read"),
		      "a DOCX after max_inflated_bytes is spent is a problem");
		message_free(m);
		free(two);
		free(mail);
		free(bz);
		message_limits_default(&lim);
	}

	/* a damaged DOCX is reported, the message is still read */
	z[zl / 2] ^= 0x33;
	z[zl / 2 + 1] ^= 0x33;
	memset(z + zl - 22, 0, 22);   /* and no end of central directory */
	mail = mail_with(docx_type, "broken.docx", z, zl);
	m = message_parse(mail, strlen(mail), &lim);
	CHECK(m != NULL && find_source(m, TEXT_DOCX) == NULL,
	      "a damaged DOCX yields no part");
	CHECK(m != NULL && has_problem(m, "Word document (broken.docx) could not be read"),
	      "a damaged DOCX is a problem naming the file");
	CHECK(m != NULL && find_source(m, TEXT_PLAIN) != NULL,
	      "the rest of the message is still read");
	message_free(m);
	free(mail);

	mail = mail_with(docx_type, "secret.docx", ole, sizeof(ole) - 1);
	m = message_parse(mail, strlen(mail), &lim);
	CHECK(m != NULL && has_problem(m, "password-protected"),
	      "an encrypted DOCX is reported as password-protected");
	message_free(m);
	free(mail);
	free(z);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds docx_to_text takes on `z`, best of three (unused in a
 * sanitizer build, which does not time). */
static __attribute__((unused)) double time_docx(const char *z, size_t zl, size_t *tl)
{
	double best = 1e9;

	for (int k = 0; k < 3; k++) {
		double t0 = cpu_seconds();
		char *t = docx_to_text(z, zl, 0, tl);

		if (cpu_seconds() - t0 < best)
			best = cpu_seconds() - t0;
		free(t);
	}
	return best;
}

/* A form with thousands of cells reads in time linear in its XML, and
 * fast: under 0.2 s per MB of XML.  Timed in the plain build only
 * (sanitizers and valgrind make time meaningless). */
static void test_linear_time(void)
{
#if defined(__SANITIZE_ADDRESS__)
#define CME_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CME_SANITIZED 1
#endif
#endif
#ifdef CME_SANITIZED
	CHECK(1, "parse time not measured # SKIP sanitizer build");
#else
	static const char *const words[] = { "Kowalski", "12/03/2014",
		"Northgate High School", "IP1 2BX", "moved away", "Year 8" };
	struct strbuf body;
	double secs[2];
	size_t xml[2], tl = 0, i, c = 0;

	strbuf_init(&body, 0);
	for (int k = 0; k < 2; k++) {
		size_t want = k ? 4u * 1024u * 1024u : 1024u * 1024u;
		char *x, *z;
		size_t zl = 0;

		while (body.len < want) {
			strbuf_puts(&body, "<w:tr>");
			for (i = 0; i < 8; i++, c++)
				strbuf_printf(&body, "<w:tc><w:p><w:r><w:t>%s %zu"
				              "</w:t></w:r></w:p></w:tc>",
				              words[c % 6], c);
			strbuf_puts(&body, "</w:tr>");
		}
		x = wrap_body(strbuf_str(&body));
		xml[k] = x ? strlen(x) : 0;
		z = x ? make_docx_xml(x, &zl) : NULL;
		secs[k] = z ? time_docx(z, zl, &tl) : 1e9;
		free(z);
		free(x);
	}
	strbuf_free(&body);
	printf("# many cells: %.3f s for %zu bytes of XML, %.3f s for %zu\n",
	       secs[0], xml[0], secs[1], xml[1]);
	CHECK(secs[1] < 0.2 * (double)xml[1] / 1e6,
	      "many cells: under 0.2 s per MB of XML");
	CHECK(secs[1] < 8 * secs[0] + 0.05,
	      "many cells: four times the XML takes about four times as long");
#endif
}

int main(void)
{
	tap_vocabulary();
	test_tables_and_paragraphs();
	test_word_features();
	test_main_part();
	test_hostile();
	test_message_seam();
	test_linear_time();
	return tap_done();
}
