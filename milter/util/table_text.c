/*
 * table_text.c - the table-shaped text sink shared by the HTML and DOCX
 * readers.  See table_text.h.
 *
 * Owns: struct table_text, its output buffer and its table-context
 * stack.  The stack is a fixed array, not recursion or a list, because a
 * hostile document can nest tables thousands deep; what does not fit is
 * only counted (`overflow`) so the matching pops stay balanced.
 */
#include "build-config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "strbuf.h"
#include "table_text.h"

struct tctx {
	enum table_text_kind kind;
	int cells;          /* TABLE_TEXT_ROW: cells started so far */
	int content;        /* TABLE_TEXT_CELL: text emitted into this cell */
};

struct table_text {
	struct strbuf out;
	size_t limit;
	int full;               /* output limit reached: nothing more kept */
	int pending_space;      /* whitespace seen since last text */
	int pending_sep;        /* a line break inside a cell: ", " next */
	struct tctx tc[TABLE_TEXT_MAX_TABLES * 3];
	int ntc;
	int overflow;           /* table elements beyond the stack */
	int quote;              /* open quote containers (table_text_quote) */
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

void table_text_libxml_init(void)
{
	/* xmlInitParser is not safe to race on first use from several
	 * milter threads, so do it exactly once. */
	pthread_once(&xml_once, xml_init);
}

struct table_text *table_text_new(size_t limit)
{
	struct table_text *tt = calloc(1, sizeof(*tt));

	if (tt == NULL)
		return NULL;
	/* one spare byte so a final newline never fails on the cap */
	strbuf_init(&tt->out, limit + 1);
	tt->limit = limit;
	return tt;
}

int table_text_full(const struct table_text *tt)
{
	return tt->full;
}

static struct tctx *cur_cell(struct table_text *tt)
{
	/* The innermost table element decides: a table inside a cell
	 * starts fresh lines, a cell means we are inside one. */
	if (tt->ntc > 0 && tt->tc[tt->ntc - 1].kind == TABLE_TEXT_CELL)
		return &tt->tc[tt->ntc - 1];
	return NULL;
}

int table_text_in_cell(const struct table_text *tt)
{
	return tt->ntc > 0 && tt->tc[tt->ntc - 1].kind == TABLE_TEXT_CELL;
}

static struct tctx *cur_row(struct table_text *tt)
{
	int i;

	for (i = tt->ntc - 1; i >= 0; i--) {
		if (tt->tc[i].kind == TABLE_TEXT_ROW)
			return &tt->tc[i];
		if (tt->tc[i].kind == TABLE_TEXT_TABLE)
			return NULL;
	}
	return NULL;
}

static void put(struct table_text *tt, const char *s, size_t n)
{
	if (tt->full)
		return;
	if (n > tt->limit - tt->out.len) {
		/* Cut at a character boundary so the output stays UTF-8. */
		n = tt->limit - tt->out.len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		tt->full = 1;
	}
	if (n > 0 && strbuf_append(&tt->out, s, n) != 0)
		tt->full = 1;
}

/* A space is only ever written in front of a character, so one left at
 * a line or cell end is the cut-off of a full buffer or of a break:
 * never keep it. */
static void trim_spaces(struct table_text *tt)
{
	while (tt->out.len > 0 && tt->out.data[tt->out.len - 1] == ' ')
		tt->out.data[--tt->out.len] = '\0';
}

static char last_char(const struct table_text *tt)
{
	return tt->out.len ? tt->out.data[tt->out.len - 1] : '\n';
}

static size_t trailing_newlines(const struct table_text *tt)
{
	size_t k = 0;

	while (k < tt->out.len && tt->out.data[tt->out.len - 1 - k] == '\n')
		k++;
	return k;
}

void table_text_newline(struct table_text *tt, size_t max_nl)
{
	tt->pending_space = 0;
	tt->pending_sep = 0;
	trim_spaces(tt);
	if (tt->out.len == 0)
		return;
	while (trailing_newlines(tt) < max_nl && !tt->full)
		put(tt, "\n", 1);
}

void table_text_hard_break(struct table_text *tt)
{
	/* Unlike table_text_newline this adds a newline even after one, so
	 * <br><br> keeps its empty line; two is still the most. */
	tt->pending_space = 0;
	tt->pending_sep = 0;
	trim_spaces(tt);
	if (tt->out.len > 0 && trailing_newlines(tt) < 2)
		put(tt, "\n", 1);
}

void table_text_space(struct table_text *tt)
{
	tt->pending_space = 1;
}

void table_text_cell_break(struct table_text *tt)
{
	tt->pending_sep = 1;
}

void table_text_line_break(struct table_text *tt, size_t max_nl)
{
	if (cur_cell(tt) != NULL)
		table_text_cell_break(tt);
	else
		table_text_newline(tt, max_nl);
}

/* A line inside a quote container starts with "> ", one per level up
 * to TABLE_TEXT_MAX_QUOTE, the way a plain-text client quotes. */
static void quote_prefix(struct table_text *tt)
{
	if (tt->quote <= 0 || last_char(tt) != '\n')
		return;
	for (int i = 0; i < tt->quote && i < TABLE_TEXT_MAX_QUOTE; i++)
		put(tt, "> ", 2);
}

void table_text_quote(struct table_text *tt, int delta)
{
	/* the walkers are iterative and libxml2 caps nesting; the cap
	 * here only keeps the counter meaningful */
	if (delta > 0 && tt->quote < 1000000)
		tt->quote++;
	else if (delta < 0 && tt->quote > 0)
		tt->quote--;
}

void table_text_char(struct table_text *tt, const char *s, size_t n)
{
	struct tctx *cell = cur_cell(tt);
	char lc;

	quote_prefix(tt);
	lc = last_char(tt);

	/* The ", " only goes between text: a cell that starts with a
	 * break, or a break after a cell's last text, leaves none. */
	if (cell != NULL && tt->pending_sep && cell->content)
		put(tt, ", ", 2);
	else if (tt->pending_space && lc != '\n' && lc != '\t' && lc != ' ')
		put(tt, " ", 1);
	tt->pending_space = 0;
	tt->pending_sep = 0;
	if (cell != NULL)
		cell->content = 1;
	put(tt, s, n);
}

static void push_tc(struct table_text *tt, enum table_text_kind kind)
{
	if (tt->ntc >= (int)(sizeof(tt->tc) / sizeof(tt->tc[0]))) {
		tt->overflow++;
		return;
	}
	tt->tc[tt->ntc].kind = kind;
	tt->tc[tt->ntc].cells = 0;
	tt->tc[tt->ntc].content = 0;
	tt->ntc++;
}

static void pop_tc(struct table_text *tt, enum table_text_kind kind)
{
	if (tt->overflow > 0) {
		tt->overflow--;
		return;
	}
	/* Both parsers give a well-nested tree, so the top is ours; the
	 * loop only guards against popping a mismatched entry. */
	while (tt->ntc > 0) {
		enum table_text_kind k = tt->tc[tt->ntc - 1].kind;

		tt->ntc--;
		if (k == kind)
			break;
	}
}

void table_text_push(struct table_text *tt, enum table_text_kind kind)
{
	if (kind == TABLE_TEXT_CELL) {
		struct tctx *row = cur_row(tt);

		if (row != NULL) {
			quote_prefix(tt);
			if (row->cells > 0 && !tt->full) {
				/* trailing spaces of the previous cell */
				trim_spaces(tt);
				put(tt, "\t", 1);
			}
			row->cells++;
		}
		/* nothing pending carries across a cell boundary */
		tt->pending_space = 0;
		tt->pending_sep = 0;
	} else {
		table_text_newline(tt, 1);
	}
	push_tc(tt, kind);
}

void table_text_pop(struct table_text *tt, enum table_text_kind kind)
{
	pop_tc(tt, kind);
	if (kind == TABLE_TEXT_CELL) {
		tt->pending_space = 0;
		tt->pending_sep = 0;
	} else {
		/* a row is one line; a table ends its last one */
		table_text_newline(tt, 1);
	}
}

char *table_text_finish(struct table_text *tt, size_t *outlen)
{
	struct strbuf *o = &tt->out;
	size_t start;
	char *res;

	table_text_newline(tt, 1);
	/* One final newline, not the blank line a closing paragraph
	 * leaves. */
	while (o->len > 1 && o->data[o->len - 1] == '\n' &&
	       o->data[o->len - 2] == '\n')
		o->data[--o->len] = '\0';
	/* Drop the leading blank lines a leading paragraph leaves. */
	start = 0;
	while (start < o->len && o->data[start] == '\n')
		start++;
	/* The buffer itself is the result (no second copy of up to the
	 * whole output cap); an empty one was never allocated. */
	if (o->data == NULL) {
		res = calloc(1, 1);
	} else {
		memmove(o->data, o->data + start, o->len - start + 1);
		res = o->data;
	}
	if (res != NULL && outlen != NULL)
		*outlen = o->len - start;
	free(tt);
	return res;
}
