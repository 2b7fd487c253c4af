/*
 * docx_text.c - reduce a DOCX (Office Open XML) referral form to the text
 * the extractor reads.  See docx_text.h.
 *
 * Owns: the libzip archive and the libxml2 push parser for the duration
 * of one call, and the returned string.  libzip reads the ZIP container
 * (ooxml_zip.h),
 * libxml2 parses the XML; this file only finds the main part, feeds it
 * to the parser in chunks as it inflates, and says what each element
 * means.  Nothing holds the whole part or builds a tree, so memory is
 * the text kept plus O(nesting depth) (a hostile 8 MB of paragraphs once
 * cost ~90 MB as a DOM), and each element costs one namespace check and
 * one short table lookup, so time is linear in the XML.
 *
 * Output has the shape html_to_text gives: each table row (w:tr) is one
 * line with its cells (w:tc) separated by TAB, each paragraph (w:p)
 * outside a table is one line; inside a cell, a line break or a second
 * paragraph becomes ", " so a multi-line address stays in its cell.
 *
 * Every byte is hostile: the archive may be damaged, a zip bomb, or carry
 * XML with a DTD full of entities.  The number of entries, the XML
 * inflated (DOCX_MAX_XML, or less as the caller asks: the rest is left
 * unread and the cut reported) and the output are bounded; a document
 * with a DOCTYPE is refused outright (OPC forbids DTDs in package parts,
 * so no genuine DOCX has one) and entities are never substituted.
 *
 * Form answers: a run with w:strike or w:dstrike in its w:rPr is emitted
 * as "~~text~~" (a struck "Yes" is not the answer); a checkbox content
 * control (w14:checkbox in w:sdtPr, ticked by w14:checked) becomes
 * U+2612 or U+2610 in place of its content, and a legacy FORMCHECKBOX
 * field (w:ffData/w:checkBox, ticked by w:checked or else w:default)
 * becomes the same glyph, so the extractor reads the answer, not the
 * question (milter/extract/answers.c).
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
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include "docx_text.h"
#include "ooxml_zip.h"
#include "strbuf.h"
#include "table_text.h"

/* A Word form has a few dozen entries; thousands is not a Word form.
 * (libzip has already read the central directory by the time this is
 * checked; that costs memory in proportion to the attachment, which
 * message.c bounds.) */
#define DOCX_MAX_ENTRIES   5000
/* _rels/.rels names the main part; it is a few hundred bytes. */
#define DOCX_MAX_RELS      ((size_t)64 * 1024)
/* Default output cap when the caller passes 0. */
#define DOCX_DEFAULT_OUT   ((size_t)4 * 1024 * 1024)
/* A part name longer than this is not one Word wrote. */
#define DOCX_MAX_NAME      256
/* Content controls (w:sdt) nested deeper than this are read as if they
 * showed no placeholder. */
#define DOCX_MAX_SDT       64
/* Slots of the element-name cache (a power of two). */
#define DOCX_KIND_CACHE    64

#define NS_W        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_MC       "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_W14      "http://schemas.microsoft.com/office/word/2010/wordml"
#define NS_RELS     "http://schemas.openxmlformats.org/package/2006/relationships"

static int is_w_uri(const xmlChar *uri)
{
	return uri != NULL && (strcmp((const char *)uri, NS_W) == 0 ||
	                       strcmp((const char *)uri, NS_W_STRICT) == 0);
}

/* ------------------------------------------------------------------ */
/* XML                                                                  */

/* What a WordprocessingML element means to the reader. */
enum w_kind {
	W_OTHER,        /* read through: its text children are what counts */
	W_SKIP,         /* nothing to read inside (properties, deletions) */
	W_DOCUMENT, W_BODY, W_TBL, W_TR, W_TC, W_P, W_T,
	W_SPACE,        /* w:tab, w:ptab */
	W_BREAK,        /* w:br, w:cr */
	W_HYPHEN,       /* w:noBreakHyphen */
	W_SDT, W_SDTPR, W_PLCHDR,
	W_RUN,          /* w:r: its w:rPr may strike it through */
	W_RPR,          /* w:rPr: skipped, but w:strike is looked for */
	W_FFCHECK,      /* w:checkBox of a legacy form field */
	W_FFDEFAULT, W_FFCHECKED
};

/* The commonest first: the lookup is a linear scan. */
static const struct {
	const char *name;
	enum w_kind kind;
} w_elements[] = {
	{ "r", W_RUN }, { "t", W_T }, { "p", W_P }, { "rPr", W_RPR },
	{ "pPr", W_SKIP }, { "tc", W_TC }, { "tcPr", W_SKIP }, { "tr", W_TR },
	{ "trPr", W_SKIP }, { "tbl", W_TBL }, { "tblPr", W_SKIP },
	{ "tblGrid", W_SKIP }, { "tab", W_SPACE }, { "ptab", W_SPACE },
	{ "br", W_BREAK }, { "cr", W_BREAK }, { "noBreakHyphen", W_HYPHEN },
	{ "sdt", W_SDT }, { "sdtPr", W_SDTPR }, { "showingPlcHdr", W_PLCHDR },
	{ "sdtEndPr", W_SKIP }, { "sectPr", W_SKIP }, { "del", W_SKIP },
	{ "instrText", W_SKIP }, { "delText", W_SKIP }, { "moveFrom", W_SKIP },
	{ "document", W_DOCUMENT }, { "body", W_BODY },
	{ "checkBox", W_FFCHECK }, { "default", W_FFDEFAULT },
	{ "checked", W_FFCHECKED },
};

/* Streaming state of one main part. */
struct reader {
	xmlParserCtxtPtr ctxt;
	struct table_text *tt;
	const xmlChar *w_uri;   /* the W namespace as libxml2 interned it */
	unsigned depth;         /* open elements (the root is 1) */
	unsigned skip;          /* inside a skipped subtree opened at this
	                           depth; 0 when not */
	unsigned body;          /* depth of the open w:body; 0 when none */
	unsigned t;             /* depth of the open w:t; 0 when none */
	int body_done;          /* only the first w:body is read */
	int para_text;          /* text emitted in the current paragraph */
	int suppress;           /* open content controls showing their
	                           placeholder: their text is no answer */
	unsigned nsdt;          /* open w:sdt, nested */
	unsigned sdt_depth[DOCX_MAX_SDT];
	unsigned char sdt_plc[DOCX_MAX_SDT];
	int sdtpr_own;          /* the skipped w:sdtPr is the innermost
	                           w:sdt's own */
	int rpr_own;            /* the skipped subtree is a w:rPr */
	int strike;             /* the open w:r is struck through */
	int sdt_box;            /* the w:sdtPr read holds a w14:checkbox: */
	int sdt_box_checked;    /* ... ticked */
	int ff_box;             /* inside a form field's w:checkBox */
	int ff_default, ff_checked;     /* its w:default, w:checked (-1) */
	/* element kinds by name pointer: libxml2 interns names in its
	 * dictionary, so a pointer seen once stands for its name for the
	 * whole parse, and most elements cost no string comparison */
	struct {
		const xmlChar *name;
		enum w_kind kind;
	} cache[DOCX_KIND_CACHE];
	int refused;            /* a DTD, or the root is not w:document */
	int full;               /* the output cap was reached */
};

static enum w_kind w_kind_lookup(const xmlChar *name)
{
	size_t i;

	for (i = 0; i < sizeof(w_elements) / sizeof(w_elements[0]); i++)
		if (strcmp((const char *)name, w_elements[i].name) == 0)
			return w_elements[i].kind;
	return W_OTHER;
}

static enum w_kind w_kind_of(struct reader *rd, const xmlChar *name,
                             const xmlChar *uri)
{
	size_t slot = ((uintptr_t)name >> 3) & (DOCX_KIND_CACHE - 1);

	if (uri == NULL)
		return W_OTHER;
	if (uri != rd->w_uri) {
		if (!is_w_uri(uri)) {
			/* mc:Fallback repeats a drawing whose Choice (a
			 * text box) is read: reading both would repeat it */
			if (strcmp((const char *)uri, NS_MC) == 0 &&
			    strcmp((const char *)name, "Fallback") == 0)
				return W_SKIP;
			return W_OTHER;
		}
		rd->w_uri = uri;
	}
	if (rd->cache[slot].name != name) {
		rd->cache[slot].name = name;
		rd->cache[slot].kind = w_kind_lookup(name);
	}
	return rd->cache[slot].kind;
}

/* Called as soon as "<!DOCTYPE" is read, before any internal subset:
 * stop the parse, so no entity declaration is ever read, let alone
 * expanded.  (Also set as the DTD hook of the _rels/.rels parse, whose
 * user data is the parser context itself.) */
static void refuse_dtd_ctxt(xmlParserCtxtPtr ctxt)
{
	ctxt->_private = (void *)ctxt;      /* "a DTD was seen" */
	xmlStopParser(ctxt);
}

static void sax_dtd(void *ctx, const xmlChar *name,
                    const xmlChar *external_id, const xmlChar *system_id)
{
	struct reader *rd = ctx;

	(void)name;
	(void)external_id;
	(void)system_id;
	rd->refused = 1;
	refuse_dtd_ctxt(rd->ctxt);
}

static void rels_dtd(void *ctx, const xmlChar *name,
                     const xmlChar *external_id, const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	refuse_dtd_ctxt(ctx);
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

/* Visible characters; they make the current paragraph non-empty. */
static void emit_char(struct reader *rd, const char *s, size_t n)
{
	rd->para_text = 1;
	table_text_char(rd->tt, s, n);
}

/* Either side of a struck run's text: "~~Yes~~". */
static void strike_mark(struct reader *rd)
{
	if (rd->strike && !rd->suppress)
		emit_char(rd, "~~", 2);
}

/* A tick box as the extractor reads it: U+2612 ticked, U+2610 not. */
static void emit_box(struct reader *rd, int checked)
{
	table_text_space(rd->tt);
	emit_char(rd, checked ? "\xE2\x98\x92" : "\xE2\x98\x90", 3);
	table_text_space(rd->tt);
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

/* Characters that are neither space nor dropped, from t up to `end`:
 * they go out in one piece. */
static const xmlChar *visible_run(const xmlChar *t, const xmlChar *end)
{
	while (t < end) {
		int n = end - t > 4 ? 4 : (int)(end - t);
		int c = *t < 0x80 ? *t : xmlGetUTF8Char(t, &n);

		if (c < 0 || n <= 0 || is_space_cp(c) || is_dropped_cp(c))
			break;
		t += *t < 0x80 ? 1 : n;
	}
	return t;
}

static void emit_text(struct reader *rd, const xmlChar *t, size_t len)
{
	const xmlChar *end = t + len;

	while (t < end && !table_text_full(rd->tt)) {
		const xmlChar *run = visible_run(t, end);
		int n = end - t > 4 ? 4 : (int)(end - t);
		int c;

		if (run > t) {
			emit_char(rd, (const char *)t, (size_t)(run - t));
			t = run;
			continue;
		}
		c = xmlGetUTF8Char(t, &n);
		if (c < 0 || n <= 0) {
			/* libxml2 hands over valid UTF-8; if it ever did not,
			 * the output must still be */
			emit_char(rd, "\xEF\xBF\xBD", 3);
			t++;
		} else {
			if (is_space_cp(c))
				table_text_space(rd->tt);
			t += n;         /* a dropped one is not written */
		}
	}
}

/* ------------------------------------------------------------------ */
/* SAX                                                                  */

static void enter(struct reader *rd, enum w_kind k)
{
	switch (k) {
	case W_TBL:
		table_text_push(rd->tt, TABLE_TEXT_TABLE);
		break;
	case W_TR:
		table_text_push(rd->tt, TABLE_TEXT_ROW);
		break;
	case W_TC:
		table_text_push(rd->tt, TABLE_TEXT_CELL);
		break;
	case W_P:
		rd->para_text = 0;
		break;
	case W_T:
		rd->t = rd->depth;
		strike_mark(rd);
		break;
	case W_FFCHECK:
		rd->ff_box = 1;
		rd->ff_default = 0;
		rd->ff_checked = -1;
		break;
	case W_SPACE:
		if (!rd->suppress)
			table_text_space(rd->tt);
		break;
	case W_BREAK:
		if (!rd->suppress)
			table_text_line_break(rd->tt, 1);
		break;
	case W_HYPHEN:
		if (!rd->suppress)
			emit_char(rd, "-", 1);
		break;
	case W_SDT:
		if (rd->nsdt < DOCX_MAX_SDT) {
			rd->sdt_depth[rd->nsdt] = rd->depth;
			rd->sdt_plc[rd->nsdt] = 0;
		}
		rd->nsdt++;
		break;
	default:
		break;
	}
}

static void leave(struct reader *rd, enum w_kind k)
{
	switch (k) {
	case W_TBL:
		table_text_pop(rd->tt, TABLE_TEXT_TABLE);
		break;
	case W_TR:
		table_text_pop(rd->tt, TABLE_TEXT_ROW);
		break;
	case W_TC:
		table_text_pop(rd->tt, TABLE_TEXT_CELL);
		break;
	case W_P:
		/* an empty paragraph outside a table is Word's blank line */
		table_text_line_break(rd->tt, rd->para_text ? 1 : 2);
		rd->para_text = 0;
		break;
	case W_T:
		rd->t = 0;
		strike_mark(rd);
		break;
	case W_RUN:             /* its w:rPr set strike; the next run's own */
		rd->strike = 0;
		break;
	case W_FFCHECK:
		if (rd->ff_box && !rd->suppress)
			emit_box(rd, rd->ff_checked >= 0 ? rd->ff_checked : rd->ff_default);
		rd->ff_box = 0;
		break;
	case W_SDT:
		rd->nsdt--;
		if (rd->nsdt < DOCX_MAX_SDT && rd->sdt_plc[rd->nsdt] &&
		    rd->suppress > 0)
			rd->suppress--;
		break;
	default:
		break;
	}
}

/* An on/off property's w:val (or w14:val): absent, "1", "true", "on"
 * mean on. */
static int attr_on(int nattr, const xmlChar **attrs)
{
	for (int a = 0; a < nattr && a < 32; a++) {
		const xmlChar *const *at = attrs + 5 * a;
		size_t vl;

		if (at[0] == NULL || strcmp((const char *)at[0], "val") != 0)
			continue;
		vl = (size_t)(at[4] - at[3]);
		return !((vl == 1 && at[3][0] == '0') ||
		         (vl == 5 && strncmp((const char *)at[3], "false", 5) == 0) ||
		         (vl == 3 && strncmp((const char *)at[3], "off", 3) == 0));
	}
	return 1;
}

/* Inside a skipped w:sdtPr two things matter: a content control still
 * showing its prompt ("Click or tap here to enter text.") holds no
 * answer, so its text must not become a surname; and a checkbox control
 * (w14:checkbox, w14:checked) is read as a tick box. */
static void skipped_element(struct reader *rd, enum w_kind k,
                            const xmlChar *name, const xmlChar *uri,
                            int nattr, const xmlChar **attrs)
{
	unsigned i = rd->nsdt - 1;      /* sdtpr_own: nsdt > 0 */
	int w14 = uri != NULL && strcmp((const char *)uri, NS_W14) == 0;

	if (k == W_PLCHDR && rd->depth == rd->skip + 1 && i < DOCX_MAX_SDT &&
	    !rd->sdt_plc[i]) {
		rd->sdt_plc[i] = 1;
		rd->suppress++;
	} else if (w14 && rd->depth == rd->skip + 1 &&
	           strcmp((const char *)name, "checkbox") == 0) {
		rd->sdt_box = 1;
	} else if (w14 && rd->sdt_box && rd->depth == rd->skip + 2 &&
	           strcmp((const char *)name, "checked") == 0) {
		rd->sdt_box_checked = attr_on(nattr, attrs);
	}
}

/* The end of a w:sdtPr holding a checkbox: the box stands for the
 * control's content (the glyph Word drew, in whatever font). */
static void sdtpr_done(struct reader *rd)
{
	unsigned i = rd->nsdt - 1;      /* sdtpr_own: nsdt > 0 */

	if (!rd->sdt_box)
		return;
	if (!rd->suppress)
		emit_box(rd, rd->sdt_box_checked);
	if (i < DOCX_MAX_SDT && !rd->sdt_plc[i]) {
		rd->sdt_plc[i] = 1;
		rd->suppress++;
	}
	rd->sdt_box = rd->sdt_box_checked = 0;
}

static void sax_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
                      const xmlChar *uri, int nns, const xmlChar **nsv,
                      int nattr, int ndef, const xmlChar **attrs)
{
	struct reader *rd = ctx;
	enum w_kind k;

	(void)prefix; (void)nns; (void)nsv; (void)ndef;
	rd->depth++;
	if (rd->refused || rd->full)
		return;
	if (rd->skip) {
		if (rd->sdtpr_own && rd->depth <= rd->skip + 2)
			skipped_element(rd, w_kind_of(rd, name, uri), name, uri,
			                nattr, attrs);
		else if (rd->rpr_own && rd->depth == rd->skip + 1 && is_w_uri(uri) &&
		         (strcmp((const char *)name, "strike") == 0 ||
		          strcmp((const char *)name, "dstrike") == 0))
			rd->strike = attr_on(nattr, attrs);
		return;
	}
	k = w_kind_of(rd, name, uri);
	if (rd->depth == 1 && k != W_DOCUMENT) {
		rd->refused = 1;        /* not a WordprocessingML document */
		xmlStopParser(rd->ctxt);
		return;
	}
	if (rd->body == 0) {
		if (rd->depth == 2 && k == W_BODY && !rd->body_done)
			rd->body = rd->depth;
		return;
	}
	/* elements inside w:t are not Word's, and their text not the run's */
	if (k == W_SKIP || k == W_SDTPR || k == W_RPR || rd->t) {
		rd->skip = rd->depth;
		rd->sdtpr_own = k == W_SDTPR && rd->nsdt > 0 &&
		                rd->nsdt <= DOCX_MAX_SDT &&
		                rd->sdt_depth[rd->nsdt - 1] + 1 == rd->depth;
		rd->rpr_own = k == W_RPR && !rd->t;
		rd->sdt_box = rd->sdt_box_checked = 0;
		return;
	}
	if (rd->ff_box && (k == W_FFDEFAULT || k == W_FFCHECKED)) {
		if (k == W_FFDEFAULT)
			rd->ff_default = attr_on(nattr, attrs);
		else
			rd->ff_checked = attr_on(nattr, attrs);
	}
	enter(rd, k);
}

static void sax_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
                    const xmlChar *uri)
{
	struct reader *rd = ctx;

	(void)prefix;
	if (rd->skip) {
		if (rd->skip == rd->depth) {
			if (rd->sdtpr_own)
				sdtpr_done(rd);
			rd->skip = 0;
			rd->sdtpr_own = rd->rpr_own = 0;
		}
	} else if (rd->body != 0 && !rd->refused && !rd->full) {
		if (rd->depth == rd->body) {
			rd->body = 0;
			rd->body_done = 1;
		} else {
			leave(rd, w_kind_of(rd, name, uri));
		}
		if (table_text_full(rd->tt)) {
			/* nothing more will be kept: stop inflating */
			rd->full = 1;
			xmlStopParser(rd->ctxt);
		}
	}
	rd->depth--;
}

/* Text: only a w:t's own text is read. */
static void sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct reader *rd = ctx;

	if (rd->t != 0 && rd->t == rd->depth && !rd->skip && !rd->suppress &&
	    len > 0)
		emit_text(rd, ch, (size_t)len);
}

static int feed(void *arg, const char *p, size_t n)
{
	struct reader *rd = arg;

	/* A fatal error, a DTD or the output cap stop libxml2 (disableSAX)
	 * and the reading with it.  Its return value also counts errors it
	 * recovers from (namespace warnings), so it is not the test. */
	(void)xmlParseChunk(rd->ctxt, p, (int)n, 0);
	return rd->ctxt->disableSAX != 0;
}

static xmlParserCtxtPtr new_push_parser(xmlSAXHandler *sax, void *user)
{
	xmlParserCtxtPtr ctxt;

	table_text_libxml_init();
	ctxt = xmlCreatePushParserCtxt(sax, user, NULL, 0, "docx.xml");
	if (ctxt == NULL)
		return NULL;
	/* No XML_PARSE_NOENT (entities stay references), no DTD loading,
	 * no network, no XML_PARSE_HUGE (libxml2 keeps its depth and text
	 * node limits). */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING);
	ctxt->_private = NULL;
	return ctxt;
}

/* Stream the main part `idx` through the SAX reader into `tt`.  Returns
 * 0 (read, or cut: see rd->xml_cut) or -1 (not a readable document). */
static int read_main_part(zip_t *za, zip_int64_t idx, struct table_text *tt,
                          struct docx_read *dr)
{
	xmlSAXHandler sax;
	struct reader rd;
	int rc, ok;

	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	sax.cdataBlock = sax_text;
	sax.ignorableWhitespace = sax_text;
	sax.internalSubset = sax_dtd;
	/* no error handlers: libxml2 then reports nothing */
	memset(&rd, 0, sizeof rd);
	rd.tt = tt;
	rd.ctxt = new_push_parser(&sax, &rd);
	if (rd.ctxt == NULL)
		return -1;
	rc = ooxml_zip_stream(za, idx, dr->xml_limit, feed, &rd, &dr->xml_read);
	if (rc == 0 && !rd.full && !rd.refused)
		(void)xmlParseChunk(rd.ctxt, NULL, 0, 1);   /* the end */
	/* Readable: sound so far and, when read to its end, with a body;
	 * cut short (rc 1) by the output cap or by the XML bound. */
	ok = rc >= 0 && !rd.refused && (rd.full || rd.ctxt->wellFormed) &&
	     (rc == 1 || rd.body_done);
	dr->xml_cut = ok && rc == 1 && !rd.full;
	xmlFreeParserCtxt(rd.ctxt);
	return ok ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* The main part's name                                                 */

/* _rels/.rels is a few hundred bytes: a tree is fine for it. */
static xmlDoc *parse_rels(const char *buf, size_t len)
{
	xmlParserCtxtPtr ctxt;
	xmlDoc *doc;
	int dtd;

	table_text_libxml_init();
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return NULL;
	ctxt->_private = NULL;
	if (ctxt->sax != NULL)
		ctxt->sax->internalSubset = rels_dtd;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "rels.xml", NULL,
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

static int is_relationship(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       n->ns->href != NULL &&
	       strcmp((const char *)n->ns->href, NS_RELS) == 0 &&
	       strcmp((const char *)n->name, "Relationship") == 0;
}

/* The main document part named by _rels/.rels (Word Online, for one,
 * writes word/document2.xml), else word/document.xml.  Writes the
 * entry name to `name`. */
static void main_part_name(zip_t *za, char *name, size_t namesz)
{
	static const char fallback[] = "word/document.xml";
	zip_int64_t idx;
	size_t got;
	struct strbuf rels;
	xmlDoc *doc = NULL;
	xmlNode *root, *n;

	snprintf(name, namesz, "%s", fallback);
	idx = zip_name_locate(za, "_rels/.rels", ZIP_FL_NOCASE);
	if (idx < 0)
		return;
	strbuf_init(&rels, DOCX_MAX_RELS);
	if (ooxml_zip_stream(za, idx, DOCX_MAX_RELS, ooxml_to_strbuf, &rels, &got) == 0)
		doc = parse_rels(strbuf_str(&rels), rels.len);
	strbuf_free(&rels);
	if (doc == NULL)
		return;
	root = xmlDocGetRootElement(doc);
	for (n = root ? root->children : NULL; n != NULL; n = n->next) {
		xmlChar *type, *target;
		size_t tl;

		if (!is_relationship(n))
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
/* API                                                                  */

char *docx_read_text(const void *data, size_t len, struct docx_read *dr,
                     size_t *outlen)
{
	zip_t *za;
	zip_int64_t nent, idx;
	char name[DOCX_MAX_NAME + 1];
	struct table_text *tt;
	char *res;
	size_t rlen = 0;
	int rc = -1;

	if (outlen != NULL)
		*outlen = 0;
	dr->xml_read = 0;
	dr->xml_cut = 0;
	dr->text_cut = 0;
	if (dr->xml_limit == 0 || dr->xml_limit > DOCX_MAX_XML)
		dr->xml_limit = DOCX_MAX_XML;
	/* The smallest ZIP (an empty central directory) is 22 bytes. */
	if (data == NULL || len < 22)
		return NULL;
	za = ooxml_zip_open(data, len);
	if (za == NULL)
		return NULL;
	nent = zip_get_num_entries(za, 0);
	tt = table_text_new(dr->text_limit ? dr->text_limit : DOCX_DEFAULT_OUT);
	if (nent > 0 && nent <= DOCX_MAX_ENTRIES && tt != NULL) {
		main_part_name(za, name, sizeof(name));
		idx = zip_name_locate(za, name, ZIP_FL_NOCASE);
		if (idx >= 0)
			rc = read_main_part(za, idx, tt, dr);
	}
	/* read-only: discard, as closing would try to write */
	zip_discard(za);
	if (tt == NULL)
		return NULL;
	dr->text_cut = table_text_full(tt);
	res = table_text_finish(tt, &rlen);
	if (rc != 0) {
		free(res);
		return NULL;
	}
	if (res != NULL && outlen != NULL)
		*outlen = rlen;
	return res;
}

char *docx_to_text(const void *data, size_t len, size_t limit, size_t *outlen)
{
	struct docx_read dr;

	memset(&dr, 0, sizeof dr);
	dr.text_limit = limit;
	return docx_read_text(data, len, &dr, outlen);
}
