/*
 * docx_text.c - reduce a DOCX (Office Open XML) referral form to the text
 * the extractor reads.  See docx_text.h.
 *
 * Owns: the libzip archive, the decompressed main document part and the
 * libxml2 tree for the duration of one call, and the returned string.
 * libzip reads the ZIP container, libxml2 parses the XML; this file only
 * finds the main part and walks the tree.
 *
 * Output has the shape html_to_text gives: each table row (w:tr) is one
 * line with its cells (w:tc) separated by TAB, each paragraph (w:p)
 * outside a table is one line; inside a cell, a line break or a second
 * paragraph becomes ", " so a multi-line address stays in its cell.
 *
 * Every byte is hostile: the archive may be damaged, a zip bomb, or carry
 * XML with a DTD full of entities.  The number of entries, the size of
 * the parts read (as claimed AND as actually inflated) and the output are
 * bounded; a document with a DOCTYPE is refused outright (OPC forbids DTDs
 * in package parts, so no genuine DOCX has one) and entities are never
 * substituted.  The walk is iterative so nesting costs no C stack.
 *
 * The output rules themselves (TABs, ", ", white space, blank lines, the
 * output cap) belong to table_text.c, shared with html_text.c; this file
 * decides what each WordprocessingML element means to them.
 */
#include "build-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include "docx_text.h"
#include "table_text.h"

/* A Word form has a few dozen entries; thousands is not a Word form.
 * (libzip has already read the central directory by the time this is
 * checked; that costs memory in proportion to the attachment, which
 * message.c bounds.) */
#define DOCX_MAX_ENTRIES   5000
/* The main document of a long referral form is well under 1 MiB of XML;
 * 8 MiB leaves room for embedded formatting noise, and is the most a
 * zip bomb can make us inflate. */
#define DOCX_MAX_XML       ((size_t)8 * 1024 * 1024)
/* _rels/.rels names the main part; it is a few hundred bytes. */
#define DOCX_MAX_RELS      ((size_t)64 * 1024)
/* Default output cap when the caller passes 0. */
#define DOCX_DEFAULT_OUT   ((size_t)4 * 1024 * 1024)
/* A part name longer than this is not one Word wrote. */
#define DOCX_MAX_NAME      256

#define NS_W        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_MC       "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_RELS     "http://schemas.openxmlformats.org/package/2006/relationships"

struct walker {
	struct table_text *tt;
	int para_text;          /* text emitted in the current paragraph */
	int suppress;           /* inside a content control's placeholder */
};

/* ------------------------------------------------------------------ */
/* ZIP                                                                  */

/* Read one entry, refusing it when its claimed or real size is beyond
 * `max`.  Returns malloc'd bytes (NUL-terminated for convenience) or
 * NULL. */
static char *read_entry(zip_t *za, zip_int64_t idx, size_t max,
                        size_t *outlen)
{
	zip_stat_t st;
	zip_file_t *zf;
	char *buf;
	size_t want, got = 0;
	char extra;

	zip_stat_init(&st);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 ||
	    !(st.valid & ZIP_STAT_SIZE) || st.size > max)
		return NULL;
	/* A password-protected entry is unreadable; say so by failing
	 * rather than handing libzip a guess. */
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return NULL;
	want = (size_t)st.size;
	buf = malloc(want + 1);
	if (buf == NULL)
		return NULL;
	zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (zf == NULL) {
		free(buf);
		return NULL;
	}
	while (got < want) {
		zip_int64_t n = zip_fread(zf, buf + got, want - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	/* The claimed size is only a claim: if the stream inflates to more
	 * than that, it is damaged or a bomb, and either way not read.
	 * libzip also checks the CRC at the end of the stream; reading one
	 * byte past the claim makes it do so. */
	if (got != want || zip_fread(zf, &extra, 1) != 0) {
		zip_fclose(zf);
		free(buf);
		return NULL;
	}
	if (zip_fclose(zf) != 0) {
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*outlen = got;
	return buf;
}

static int is_ns(const xmlNode *n, const char *ns)
{
	return n->ns != NULL && n->ns->href != NULL &&
	       strcmp((const char *)n->ns->href, ns) == 0;
}

/* Is this element w:NAME (transitional or strict namespace)? */
static int is_w(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0 &&
	       (is_ns(n, NS_W) || is_ns(n, NS_W_STRICT));
}

static xmlDoc *parse_xml(const char *buf, size_t len);

/* The main document part named by _rels/.rels (Word Online, for one,
 * writes word/document2.xml), else word/document.xml.  Writes the
 * entry name to `name`. */
static void main_part_name(zip_t *za, char *name, size_t namesz)
{
	static const char fallback[] = "word/document.xml";
	zip_int64_t idx;
	size_t len;
	char *rels;
	xmlDoc *doc;
	xmlNode *root, *n;

	snprintf(name, namesz, "%s", fallback);
	idx = zip_name_locate(za, "_rels/.rels", ZIP_FL_NOCASE);
	if (idx < 0)
		return;
	rels = read_entry(za, idx, DOCX_MAX_RELS, &len);
	if (rels == NULL)
		return;
	doc = parse_xml(rels, len);
	free(rels);
	if (doc == NULL)
		return;
	root = xmlDocGetRootElement(doc);
	for (n = root ? root->children : NULL; n != NULL; n = n->next) {
		xmlChar *type, *target;
		size_t tl;

		if (n->type != XML_ELEMENT_NODE || !is_ns(n, NS_RELS) ||
		    strcmp((const char *)n->name, "Relationship") != 0)
			continue;
		type = xmlGetNoNsProp(n, (const xmlChar *)"Type");
		target = xmlGetNoNsProp(n, (const xmlChar *)"Target");
		tl = type ? strlen((const char *)type) : 0;
		/* transitional and strict types both end so */
		if (type != NULL && target != NULL &&
		    tl >= 15 && strcmp((const char *)type + tl - 15,
		                       "/officeDocument") == 0) {
			const char *t = (const char *)target;
			size_t k = strlen(t);

			/* targets are relative to the package root */
			while (*t == '/')
				t++, k--;
			if (k > 0 && k < namesz && k < DOCX_MAX_NAME &&
			    strstr(t, "..") == NULL && strchr(t, ':') == NULL)
				memcpy(name, t, k + 1);
		}
		xmlFree(type);
		xmlFree(target);
	}
	xmlFreeDoc(doc);
}

/* ------------------------------------------------------------------ */
/* XML                                                                  */

/* Called as soon as "<!DOCTYPE" is read, before any internal subset:
 * stop the parse, so no entity declaration is ever read, let alone
 * expanded. */
static void refuse_dtd(void *ctx, const xmlChar *name,
                       const xmlChar *external_id, const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)external_id;
	(void)system_id;
	ctxt->_private = (void *)ctxt;      /* "a DTD was seen" */
	xmlStopParser(ctxt);
}

static xmlDoc *parse_xml(const char *buf, size_t len)
{
	xmlParserCtxtPtr ctxt;
	xmlDoc *doc;
	int dtd;

	if (len > (size_t)INT32_MAX)
		return NULL;
	libxml_init_once();
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return NULL;
	ctxt->_private = NULL;
	if (ctxt->sax != NULL)
		ctxt->sax->internalSubset = refuse_dtd;
	/* No XML_PARSE_NOENT (entities stay references), no DTD loading,
	 * no network, no XML_PARSE_HUGE (libxml2 keeps its depth and text
	 * node limits). */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "docx.xml", NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	dtd = ctxt->_private != NULL;
	xmlFreeParserCtxt(ctxt);
	if (doc != NULL && (dtd || doc->intSubset != NULL ||
	                    doc->extSubset != NULL)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

/* One visible character; it makes the current paragraph non-empty. */
static void emit_char(struct walker *w, const char *s, size_t n)
{
	w->para_text = 1;
	table_text_char(w->tt, s, n);
}

/* Characters an officer sees as a space: Unicode white space, the
 * no-break and fixed-width spaces Word forms are full of (an empty
 * legacy text field is five U+2002), and control characters. */
static int is_space_cp(int c)
{
	return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Invisible: zero-width space/joiners, BOM, soft hyphen. */
static int is_dropped_cp(int c)
{
	return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 ||
	       c == 0xFEFF || c == 0xAD;
}

static void emit_text(struct walker *w, const xmlChar *t)
{
	if (w->suppress)
		return;
	while (*t != '\0' && !table_text_full(w->tt)) {
		int n = 4;
		int c = xmlGetUTF8Char(t, &n);

		if (c < 0 || n <= 0) {
			/* libxml2 hands over valid UTF-8; if it ever did not,
			 * the output must still be */
			emit_char(w, "\xEF\xBF\xBD", 3);
			t++;
			continue;
		}
		if (is_space_cp(c))
			table_text_space(w->tt);
		else if (!is_dropped_cp(c))
			emit_char(w, (const char *)t, (size_t)n);
		t += n;
	}
}

/* Subtrees with nothing to read: properties, deleted text, and the
 * Fallback copy of a drawing whose Choice (a text box) is already read
 * (reading both would repeat the text). */
static int is_skipped(const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return 1;
	if (is_ns(n, NS_MC))
		return strcmp((const char *)n->name, "Fallback") == 0;
	return is_w(n, "pPr") || is_w(n, "rPr") || is_w(n, "tblPr") ||
	       is_w(n, "tblGrid") || is_w(n, "trPr") || is_w(n, "tcPr") ||
	       is_w(n, "sectPr") || is_w(n, "sdtPr") ||
	       is_w(n, "sdtEndPr") || is_w(n, "del") ||
	       is_w(n, "instrText") || is_w(n, "delText") ||
	       is_w(n, "moveFrom");
}

/* A content control still showing its prompt ("Click or tap here to
 * enter text.") holds no answer: its text must not become a surname. */
static int sdt_placeholder(const xmlNode *sdt)
{
	const xmlNode *c, *p;

	for (c = sdt->children; c != NULL; c = c->next) {
		if (!is_w(c, "sdtPr"))
			continue;
		for (p = c->children; p != NULL; p = p->next)
			if (is_w(p, "showingPlcHdr"))
				return 1;
	}
	return 0;
}

static void enter(struct walker *w, const xmlNode *n)
{
	if (is_w(n, "tbl")) {
		table_text_push(w->tt, TABLE_TEXT_TABLE);
	} else if (is_w(n, "tr")) {
		table_text_push(w->tt, TABLE_TEXT_ROW);
	} else if (is_w(n, "tc")) {
		table_text_push(w->tt, TABLE_TEXT_CELL);
	} else if (is_w(n, "p")) {
		w->para_text = 0;
	} else if (is_w(n, "t")) {
		for (const xmlNode *c = n->children; c != NULL; c = c->next)
			if ((c->type == XML_TEXT_NODE ||
			     c->type == XML_CDATA_SECTION_NODE) &&
			    c->content != NULL)
				emit_text(w, c->content);
	} else if (is_w(n, "tab") || is_w(n, "ptab")) {
		if (!w->suppress)
			table_text_space(w->tt);
	} else if (is_w(n, "br") || is_w(n, "cr")) {
		if (!w->suppress)
			table_text_line_break(w->tt, 1);
	} else if (is_w(n, "noBreakHyphen")) {
		if (!w->suppress)
			emit_char(w, "-", 1);
	} else if (is_w(n, "sdt") && sdt_placeholder(n)) {
		w->suppress++;
	}
}

static void leave(struct walker *w, const xmlNode *n)
{
	if (is_w(n, "tbl")) {
		table_text_pop(w->tt, TABLE_TEXT_TABLE);
	} else if (is_w(n, "tr")) {
		table_text_pop(w->tt, TABLE_TEXT_ROW);
	} else if (is_w(n, "tc")) {
		table_text_pop(w->tt, TABLE_TEXT_CELL);
	} else if (is_w(n, "p")) {
		/* an empty paragraph outside a table is Word's blank line */
		table_text_line_break(w->tt, w->para_text ? 1 : 2);
		w->para_text = 0;
	} else if (is_w(n, "sdt") && sdt_placeholder(n) && w->suppress > 0) {
		w->suppress--;
	}
}

/* Elements whose children the walk reads itself (w:t) or that have
 * none worth reading. */
static int is_leaf(const xmlNode *n)
{
	return is_w(n, "t");
}

static void walk(struct walker *w, xmlNode *root)
{
	xmlNode *n = root;

	while (n != NULL && !table_text_full(w->tt)) {
		int descend = 0;

		if (!is_skipped(n)) {
			enter(w, n);
			descend = n->children != NULL && !is_leaf(n);
			if (!descend)
				leave(w, n);
		}
		if (descend) {
			n = n->children;
			continue;
		}
		/* Climb until a node has a next sibling, closing elements on
		 * the way up; stop at the root. */
		while (n != NULL && n != root && n->next == NULL) {
			n = n->parent;
			if (n != NULL && n->type == XML_ELEMENT_NODE)
				leave(w, n);
		}
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
}

/* The w:body of a w:document, or NULL when this is not one. */
static xmlNode *find_body(xmlDoc *doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *n;

	if (root == NULL || !is_w(root, "document"))
		return NULL;
	for (n = root->children; n != NULL; n = n->next)
		if (is_w(n, "body"))
			return n;
	return NULL;
}

static char *render(xmlNode *body, size_t limit, size_t *outlen)
{
	struct walker w = { NULL, 0, 0 };

	w.tt = table_text_new(limit);
	if (w.tt == NULL)
		return NULL;
	walk(&w, body);
	return table_text_finish(w.tt, outlen);
}

/* ------------------------------------------------------------------ */
/* API                                                                  */

char *docx_to_text(const void *data, size_t len, size_t limit, size_t *outlen)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *za;
	zip_int64_t nent, idx;
	char name[DOCX_MAX_NAME + 1];
	char *xml, *res = NULL;
	size_t xlen = 0, rlen = 0;
	xmlDoc *doc;
	xmlNode *body;

	if (outlen != NULL)
		*outlen = 0;
	if (limit == 0)
		limit = DOCX_DEFAULT_OUT;
	/* The smallest ZIP (an empty central directory) is 22 bytes. */
	if (data == NULL || len < 22)
		return NULL;

	zip_error_init(&zerr);
	src = zip_source_buffer_create(data, len, 0, &zerr);
	if (src == NULL) {
		zip_error_fini(&zerr);
		return NULL;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	zip_error_fini(&zerr);
	if (za == NULL) {
		/* on failure the source is still ours */
		zip_source_free(src);
		return NULL;
	}
	nent = zip_get_num_entries(za, 0);
	if (nent <= 0 || nent > DOCX_MAX_ENTRIES) {
		zip_discard(za);
		return NULL;
	}
	main_part_name(za, name, sizeof(name));
	idx = zip_name_locate(za, name, ZIP_FL_NOCASE);
	xml = idx >= 0 ? read_entry(za, idx, DOCX_MAX_XML, &xlen) : NULL;
	/* read-only: discard, as closing would try to write */
	zip_discard(za);
	if (xml == NULL)
		return NULL;

	doc = parse_xml(xml, xlen);
	free(xml);
	if (doc == NULL)
		return NULL;
	body = find_body(doc);
	if (body != NULL)
		res = render(body, limit, &rlen);
	xmlFreeDoc(doc);
	if (res != NULL && outlen != NULL)
		*outlen = rlen;
	return res;
}
