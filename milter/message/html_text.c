/*
 * html_text.c - reduce HTML to the plain text the extractor reads.
 * See html_text.h.
 *
 * Owns: the libxml2 document for the duration of one call and the
 * returned string.  Parsing is libxml2's forgiving HTML parser; this file
 * only walks the tree it builds.
 *
 * The output rules (TAB-separated rows, ", " inside a cell, collapsed
 * white space and blank lines, the output cap) belong to table_text.c;
 * this file decides what each HTML element means to them.
 *
 * The walk is iterative (parent/next pointers; table_text.c keeps the
 * table contexts) because a hostile message can nest elements tens of
 * thousands deep and a recursive walk would overflow the milter thread's
 * stack.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html_text.h"
#include "table_text.h"

/* Parsing more than this many bytes of HTML buys nothing for a referral
 * and costs memory; message.c bounds the text it hands over anyway. */
#define HTML_MAX_INPUT   (16u * 1024u * 1024u)
#define HTML_DEFAULT_OUT (4u * 1024u * 1024u)
struct walker {
	struct table_text *tt;
	int pre;                /* inside <pre>: keep newlines */
};

static int name_is(const xmlNode *n, const char *name)
{
	return n->name != NULL &&
	       xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

static int is_dropped(const xmlNode *n)
{
	return name_is(n, "script") || name_is(n, "style") ||
	       name_is(n, "head") || name_is(n, "title") ||
	       name_is(n, "template") || name_is(n, "noembed") ||
	       name_is(n, "object");
}

/* Elements that end a line (outside a table cell). */
static int is_block(const xmlNode *n)
{
	static const char *const blocks[] = {
		"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2",
		"h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "address",
		"section", "article", "header", "footer", "nav", "aside",
		"form", "fieldset", "center", "caption", "body", "html",
		"main", "figure", "figcaption", "details", "summary", NULL
	};
	size_t i;

	for (i = 0; blocks[i] != NULL; i++)
		if (name_is(n, blocks[i]))
			return 1;
	return 0;
}

static int is_paragraph(const xmlNode *n)
{
	return name_is(n, "p") || name_is(n, "h1") || name_is(n, "h2") ||
	       name_is(n, "h3") || name_is(n, "h4") || name_is(n, "h5") ||
	       name_is(n, "h6") || name_is(n, "blockquote");
}

static void emit_text(struct walker *w, const unsigned char *t)
{
	struct table_text *tt = w->tt;

	while (*t != '\0' && !table_text_full(tt)) {
		unsigned char c = *t;
		size_t n = 1;

		if (c == '\n' && w->pre && !table_text_in_cell(tt)) {
			/* <pre> keeps its line structure */
			table_text_hard_break(tt);
			t++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c < 0x20 || c == 0x7F) {
			/* Control characters are never text for an officer. */
			table_text_space(tt);
			t++;
			continue;
		}
		if (c >= 0xC0) {
			while (n < 4 && (t[n] & 0xC0) == 0x80)
				n++;
		}
		/* U+00A0 and U+202F (no-break spaces) are plain spaces here;
		 * U+200B and U+FEFF are invisible and dropped. */
		if (n == 2 && c == 0xC2 && t[1] == 0xA0) {
			table_text_space(tt);
		} else if (n == 3 && c == 0xE2 && t[1] == 0x80 &&
		           (t[2] == 0xAF || (t[2] >= 0x80 && t[2] <= 0x8A))) {
			table_text_space(tt);
		} else if (n == 3 && ((c == 0xE2 && t[1] == 0x80 &&
		                       t[2] == 0x8B) ||
		                      (c == 0xEF && t[1] == 0xBB &&
		                       t[2] == 0xBF))) {
			/* dropped */
		} else if (c >= 0x80 && c < 0xC0) {
			/* stray continuation byte: libxml2 should never hand
			 * us one, but the output must stay valid UTF-8 */
			table_text_char(tt, "\xEF\xBF\xBD", 3);
		} else {
			table_text_char(tt, (const char *)t, n);
		}
		t += n;
	}
}

/* Struck text (<s>, <del>, <strike>) reaches the extractor marked
 * "~~text~~": a struck "Yes" on a form is not the answer. */
static int is_struck(const xmlNode *n)
{
	return name_is(n, "s") || name_is(n, "del") || name_is(n, "strike");
}

/* Quoted history as mail clients mark it in HTML: the element, the
 * attribute and one of its space-separated words.  Gmail puts both its
 * reply quote and its forward in class gmail_quote; Apple Mail and
 * Thunderbird quote (and Apple Mail forwards) in <blockquote
 * type="cite">.  Outlook marks only the header block of what it quotes
 * (div#divRplyFwdMsg, a border-top div) and leaves the quoted body
 * unmarked after it: thread.c finds that block by its From:/Sent:
 * lines, so it needs no entry here. */
static const struct quote_mark {
	const char *element;    /* NULL: any element */
	const char *attr;
	const char *word;
} quote_marks[] = {
	{ "blockquote", "type", "cite" },
	{ NULL, "class", "gmail_quote" },
	{ NULL, "class", "yahoo_quoted" },
	{ NULL, "class", "protonmail_quote" },
	{ "blockquote", "class", "moz-cite" },
};

static int attr_has_word(const xmlNode *n, const char *attr, const char *word)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attr);
	size_t wl = strlen(word);
	int found = 0;

	if (v == NULL)
		return 0;
	for (const char *p = (const char *)v; *p != '\0' && !found; ) {
		size_t l;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		l = strcspn(p, " \t\r\n");
		found = l == wl && strncasecmp(p, word, wl) == 0;
		p += l;
	}
	xmlFree(v);
	return found;
}

static int is_quote(const xmlNode *n)
{
	for (size_t i = 0; i < sizeof quote_marks / sizeof quote_marks[0]; i++) {
		const struct quote_mark *q = &quote_marks[i];

		if ((q->element == NULL || name_is(n, q->element)) &&
		    attr_has_word(n, q->attr, q->word))
			return 1;
	}
	return 0;
}

static void enter(struct walker *w, const xmlNode *n)
{
	struct table_text *tt = w->tt;

	if (is_quote(n)) {
		table_text_line_break(tt, 1);
		table_text_quote(tt, 1);
	}
	if (is_struck(n)) {
		table_text_char(tt, "~~", 2);
	} else if (name_is(n, "table")) {
		table_text_push(tt, TABLE_TEXT_TABLE);
	} else if (name_is(n, "tr")) {
		table_text_push(tt, TABLE_TEXT_ROW);
	} else if (name_is(n, "td") || name_is(n, "th")) {
		table_text_push(tt, TABLE_TEXT_CELL);
	} else if (name_is(n, "br")) {
		/* in a cell ", "; outside, <br><br> is an empty line */
		if (table_text_in_cell(tt))
			table_text_cell_break(tt);
		else
			table_text_hard_break(tt);
	} else if (is_block(n)) {
		table_text_line_break(tt, 1);
		if (name_is(n, "pre"))
			w->pre++;
	}
}

static void leave(struct walker *w, const xmlNode *n)
{
	struct table_text *tt = w->tt;

	if (is_quote(n)) {
		table_text_line_break(tt, 1);
		table_text_quote(tt, -1);
	}
	if (is_struck(n)) {
		table_text_char(tt, "~~", 2);
	} else if (name_is(n, "table")) {
		table_text_pop(tt, TABLE_TEXT_TABLE);
	} else if (name_is(n, "tr")) {
		table_text_pop(tt, TABLE_TEXT_ROW);
	} else if (name_is(n, "td") || name_is(n, "th")) {
		table_text_pop(tt, TABLE_TEXT_CELL);
	} else if (is_block(n)) {
		if (name_is(n, "pre") && w->pre > 0)
			w->pre--;
		table_text_line_break(tt, is_paragraph(n) ? 2 : 1);
	}
}

static void walk(struct walker *w, xmlNode *root)
{
	xmlNode *n = root;

	while (n != NULL && !table_text_full(w->tt)) {
		int descend = 0;

		if (n->type == XML_HTML_DOCUMENT_NODE ||
		    n->type == XML_DOCUMENT_NODE) {
			descend = n->children != NULL;
		} else if (n->type == XML_ELEMENT_NODE) {
			if (!is_dropped(n)) {
				enter(w, n);
				descend = n->children != NULL;
				if (!descend)
					leave(w, n);
			}
		} else if (n->type == XML_TEXT_NODE ||
		           n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				emit_text(w, n->content);
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

char *html_to_text(const char *html, size_t len, size_t limit, size_t *outlen, int *cut)
{
	struct walker w = { NULL, 0 };
	htmlDocPtr doc;
	htmlParserCtxtPtr ctxt;

	if (outlen != NULL)
		*outlen = 0;
	if (cut != NULL)
		*cut = 0;
	if (limit == 0)
		limit = HTML_DEFAULT_OUT;
	if (html == NULL)
		len = 0;
	if (len > HTML_MAX_INPUT) {
		len = HTML_MAX_INPUT;
		while (len > 0 && ((unsigned char)html[len] & 0xC0) == 0x80)
			len--;
	}

	w.tt = table_text_new(limit);
	if (w.tt == NULL)
		return NULL;

	table_text_libxml_init();
	doc = NULL;
	ctxt = len > 0 ? htmlNewParserCtxt() : NULL;
	if (ctxt != NULL) {
		xmlErrorPtr e;

		doc = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
		                         HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		                         HTML_PARSE_NONET | HTML_PARSE_RECOVER);
		/* Recoverable HTML errors are the norm; a fatal one (libxml2's
		 * nesting limit of 256 elements, say) means the parser stopped
		 * and the rest of the part was not read: the caller says so. */
		e = xmlCtxtGetLastError(ctxt);
		if (cut != NULL && e != NULL && e->level == XML_ERR_FATAL)
			*cut = 1;
		htmlFreeParserCtxt(ctxt);
	}
	if (doc != NULL) {
		/* walk() treats its argument as the whole subtree, so start
		 * from the document node to include the root element */
		walk(&w, (xmlNode *)doc);
		xmlFreeDoc(doc);
	}
	return table_text_finish(w.tt, outlen);
}
