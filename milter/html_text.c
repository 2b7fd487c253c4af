/*
 * html_text.c - reduce HTML to the plain text the extractor reads.
 * See html_text.h.
 *
 * Owns: the libxml2 document for the duration of one call and the
 * returned string.  Parsing is libxml2's forgiving HTML parser; this file
 * only walks the tree it builds.
 *
 * The walk is iterative (parent/next pointers plus an explicit stack of
 * table contexts) because a hostile message can nest elements tens of
 * thousands deep and a recursive walk would overflow the milter thread's
 * stack.
 */
#include "build-config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html_text.h"
#include "strbuf.h"

/* Parsing more than this many bytes of HTML buys nothing for a referral
 * and costs memory; message.c bounds the text it hands over anyway. */
#define HTML_MAX_INPUT   (16u * 1024u * 1024u)
#define HTML_DEFAULT_OUT (4u * 1024u * 1024u)
/* Tables nested deeper than this are read as plain flow text. */
#define HTML_MAX_TABLES  64

enum tctx_kind { TC_TABLE, TC_ROW, TC_CELL };

struct tctx {
	enum tctx_kind kind;
	int cells;          /* TC_ROW: cells started so far */
	int content;        /* TC_CELL: text emitted into this cell */
};

struct walker {
	struct strbuf out;
	size_t limit;
	int full;               /* output limit reached: stop walking */
	int pending_space;      /* whitespace seen since last text */
	int pending_sep;        /* a line break inside a cell: ", " next */
	int pre;                /* inside <pre>: keep newlines */
	struct tctx tc[HTML_MAX_TABLES * 3];
	int ntc;
	int overflow;           /* table elements beyond the stack */
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	/* xmlInitParser is not safe to race on first use from several milter
	 * threads, so do it exactly once. */
	xmlInitParser();
}

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

static struct tctx *cur_cell(struct walker *w)
{
	/* The innermost table element decides: a <table> inside a cell
	 * starts fresh lines, a cell means we are inside one. */
	if (w->ntc > 0 && w->tc[w->ntc - 1].kind == TC_CELL)
		return &w->tc[w->ntc - 1];
	return NULL;
}

static struct tctx *cur_row(struct walker *w)
{
	int i;

	for (i = w->ntc - 1; i >= 0; i--) {
		if (w->tc[i].kind == TC_ROW)
			return &w->tc[i];
		if (w->tc[i].kind == TC_TABLE)
			return NULL;
	}
	return NULL;
}

static void put(struct walker *w, const char *s, size_t n)
{
	if (w->full)
		return;
	if (n > w->limit - w->out.len) {
		/* Cut at a character boundary so the output stays UTF-8. */
		n = w->limit - w->out.len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		w->full = 1;
	}
	if (n > 0 && strbuf_append(&w->out, s, n) != 0)
		w->full = 1;
}

static char last_char(const struct walker *w)
{
	return w->out.len ? w->out.data[w->out.len - 1] : '\n';
}

static size_t trailing_newlines(const struct walker *w)
{
	size_t k = 0;

	while (k < w->out.len && w->out.data[w->out.len - 1 - k] == '\n')
		k++;
	return k;
}

/* End the current line; `max_nl` 1 for a line break, 2 to leave a blank
 * line (paragraphs).  Never more, which collapses runs of blank lines. */
static void newline(struct walker *w, size_t max_nl)
{
	w->pending_space = 0;
	w->pending_sep = 0;
	while (w->out.len > 0 && w->out.data[w->out.len - 1] == ' ')
		w->out.data[--w->out.len] = '\0';
	if (w->out.len == 0)
		return;
	while (trailing_newlines(w) < max_nl && !w->full)
		put(w, "\n", 1);
}

/* Emit one visible character (UTF-8 sequence) with any pending
 * separator in front of it. */
static void emit_char(struct walker *w, const char *s, size_t n)
{
	struct tctx *cell = cur_cell(w);
	char lc = last_char(w);

	if (cell != NULL && w->pending_sep && cell->content)
		put(w, ", ", 2);
	else if (w->pending_space && lc != '\n' && lc != '\t' && lc != ' ')
		put(w, " ", 1);
	w->pending_space = 0;
	w->pending_sep = 0;
	if (cell != NULL)
		cell->content = 1;
	put(w, s, n);
}

static void emit_text(struct walker *w, const unsigned char *t)
{
	while (*t != '\0' && !w->full) {
		unsigned char c = *t;
		size_t n = 1;

		if (c == '\n' && w->pre && cur_cell(w) == NULL) {
			/* <pre> keeps its line structure */
			w->pending_space = 0;
			if (w->out.len > 0 && trailing_newlines(w) < 2)
				put(w, "\n", 1);
			t++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c < 0x20 || c == 0x7F) {
			/* Control characters are never text for an officer. */
			w->pending_space = 1;
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
			w->pending_space = 1;
		} else if (n == 3 && c == 0xE2 && t[1] == 0x80 &&
		           (t[2] == 0xAF || (t[2] >= 0x80 && t[2] <= 0x8A))) {
			w->pending_space = 1;
		} else if (n == 3 && ((c == 0xE2 && t[1] == 0x80 &&
		                       t[2] == 0x8B) ||
		                      (c == 0xEF && t[1] == 0xBB &&
		                       t[2] == 0xBF))) {
			/* dropped */
		} else if (c >= 0x80 && c < 0xC0) {
			/* stray continuation byte: libxml2 should never hand
			 * us one, but the output must stay valid UTF-8 */
			emit_char(w, "\xEF\xBF\xBD", 3);
		} else {
			emit_char(w, (const char *)t, n);
		}
		t += n;
	}
}

static void push_tc(struct walker *w, enum tctx_kind kind)
{
	if (w->ntc >= (int)(sizeof(w->tc) / sizeof(w->tc[0]))) {
		w->overflow++;
		return;
	}
	w->tc[w->ntc].kind = kind;
	w->tc[w->ntc].cells = 0;
	w->tc[w->ntc].content = 0;
	w->ntc++;
}

static void pop_tc(struct walker *w, enum tctx_kind kind)
{
	if (w->overflow > 0) {
		w->overflow--;
		return;
	}
	/* libxml2 gives a well-nested tree, so the top is ours; the loop
	 * is only a guard against popping a mismatched entry. */
	while (w->ntc > 0) {
		enum tctx_kind k = w->tc[w->ntc - 1].kind;

		w->ntc--;
		if (k == kind)
			break;
	}
}

static void enter(struct walker *w, const xmlNode *n)
{
	struct tctx *cell = cur_cell(w);

	if (name_is(n, "table")) {
		newline(w, 1);
		push_tc(w, TC_TABLE);
	} else if (name_is(n, "tr")) {
		newline(w, 1);
		push_tc(w, TC_ROW);
	} else if (name_is(n, "td") || name_is(n, "th")) {
		struct tctx *row = cur_row(w);

		if (row != NULL) {
			if (row->cells > 0 && !w->full) {
				/* trailing spaces of the previous cell */
				while (w->out.len > 0 &&
				       w->out.data[w->out.len - 1] == ' ')
					w->out.data[--w->out.len] = '\0';
				put(w, "\t", 1);
			}
			row->cells++;
		}
		w->pending_space = 0;
		w->pending_sep = 0;
		push_tc(w, TC_CELL);
	} else if (name_is(n, "br")) {
		if (cell != NULL) {
			w->pending_sep = 1;
		} else {
			w->pending_space = 0;
			while (w->out.len > 0 &&
			       w->out.data[w->out.len - 1] == ' ')
				w->out.data[--w->out.len] = '\0';
			if (w->out.len > 0 && trailing_newlines(w) < 2)
				put(w, "\n", 1);
		}
	} else if (is_block(n)) {
		if (cell != NULL)
			w->pending_sep = 1;
		else
			newline(w, 1);
		if (name_is(n, "pre"))
			w->pre++;
	}
}

static void leave(struct walker *w, const xmlNode *n)
{
	if (name_is(n, "table")) {
		pop_tc(w, TC_TABLE);
		newline(w, 1);
	} else if (name_is(n, "tr")) {
		pop_tc(w, TC_ROW);
		newline(w, 1);
	} else if (name_is(n, "td") || name_is(n, "th")) {
		pop_tc(w, TC_CELL);
		w->pending_space = 0;
		w->pending_sep = 0;
	} else if (is_block(n)) {
		if (name_is(n, "pre") && w->pre > 0)
			w->pre--;
		if (cur_cell(w) != NULL)
			w->pending_sep = 1;
		else
			newline(w, is_paragraph(n) ? 2 : 1);
	}
}

static void walk(struct walker *w, xmlNode *root)
{
	xmlNode *n = root;

	while (n != NULL && !w->full) {
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
	struct walker *w;
	htmlDocPtr doc;
	htmlParserCtxtPtr ctxt;
	char *res;
	size_t start;

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

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	/* one spare byte so a final newline never fails on the cap */
	strbuf_init(&w->out, limit + 1);
	w->limit = limit;

	pthread_once(&xml_once, xml_init);
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
		walk(w, (xmlNode *)doc);
		xmlFreeDoc(doc);
	}
	newline(w, 1);
	/* One final newline, not the blank line a closing <p> leaves. */
	while (w->out.len > 1 && w->out.data[w->out.len - 1] == '\n' &&
	       w->out.data[w->out.len - 2] == '\n')
		w->out.data[--w->out.len] = '\0';
	/* Drop the leading blank lines a leading <p> or <div> leaves. */
	start = 0;
	while (start < w->out.len && w->out.data[start] == '\n')
		start++;
	res = malloc(w->out.len - start + 1);
	if (res != NULL) {
		if (w->out.len > start)
			memcpy(res, w->out.data + start, w->out.len - start);
		res[w->out.len - start] = '\0';
		if (outlen != NULL)
			*outlen = w->out.len - start;
	}
	strbuf_free(&w->out);
	free(w);
	return res;
}
