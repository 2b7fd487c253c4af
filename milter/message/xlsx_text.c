/*
 * xlsx_text.c - the first worksheet of an XLSX attachment as CSV text.
 * See xlsx_text.h.
 *
 * Owns: for one call, the archive (ooxml_zip.h), each part's XML
 * (bounded, freed once read), the shared-string table, the date-style
 * table and the output.  Each part is read with libxml2's pull reader
 * (xmlTextReader): no tree is built, and a DTD stops the read.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "ooxml_zip.h"
#include "strbuf.h"
#include "table_text.h"
#include "xlsx_text.h"
#include "ukdate.h"

#define XLSX_DEFAULT_OUT  ((size_t)4 * 1024 * 1024)
#define XLSX_MAX_FORMATS  256     /* custom number formats remembered */

struct book {
	zip_t *za;
	struct xlsx_read *xr;
	char **sst;                    /* shared strings */
	size_t nsst;
	unsigned char *date_style;     /* cellXfs index -> is a date */
	size_t nstyles;
	int fmt_id[XLSX_MAX_FORMATS];  /* custom formats that are dates */
	size_t nfmt;
	int date1904;
	struct strbuf out;
};

/* ------------------------------------------------------------------ */
/* Parts and the pull reader.                                           */

/* Part `name` into *xml, bounded by what is left of the XML budget.
 * Returns 0 read whole, 1 absent, -1 damaged or over the bound. */
static int read_part(struct book *b, const char *name, struct strbuf *xml)
{
	zip_int64_t idx = zip_name_locate(b->za, name, ZIP_FL_NOCASE);
	size_t left = b->xr->xml_limit > b->xr->xml_read ?
	              b->xr->xml_limit - b->xr->xml_read : 0, got = 0;
	int rc;

	if (idx < 0)
		return 1;
	if (left > XLSX_MAX_XML)
		left = XLSX_MAX_XML;
	strbuf_init(xml, left + 1);
	rc = ooxml_zip_stream(b->za, idx, left, ooxml_to_strbuf, xml, &got);
	b->xr->xml_read += got;
	if (rc != 0) {
		b->xr->cut = 1;
		strbuf_free(xml);
		return -1;
	}
	return 0;
}

static xmlTextReaderPtr open_reader(const struct strbuf *xml)
{
	table_text_libxml_init();
	/* no XML_PARSE_NOENT (entities stay references), no DTD loading,
	 * no network, no XML_PARSE_HUGE */
	return xmlReaderForMemory(xml->data ? xml->data : "", (int)xml->len, "xlsx.xml",
	                          NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	                          XML_PARSE_NOWARNING);
}

/* The next node: 1, or 0 at the end, -1 on malformed XML or a DTD. */
static int next_node(xmlTextReaderPtr r)
{
	int rc = xmlTextReaderRead(r);

	if (rc == 1 && xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE)
		return -1;
	return rc;
}

static int is_elem(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);

	return n != NULL && strcmp((const char *)n, local) == 0;
}

static int node_type(xmlTextReaderPtr r)
{
	return xmlTextReaderNodeType(r);
}

/* An attribute as an int, or `dflt`. */
static long attr_long(xmlTextReaderPtr r, const char *name, long dflt)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	long n = dflt;

	if (v != NULL) {
		char *end;
		long k = strtol((const char *)v, &end, 10);

		if (end != (char *)v && k >= 0 && k < 1000000)
			n = k;
		xmlFree(v);
	}
	return n;
}

static int text_node(xmlTextReaderPtr r)
{
	int t = node_type(r);

	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	       t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* Text appended to a cell's buffer, at most XLSX_MAX_CELL bytes. */
static void keep_text(xmlTextReaderPtr r, struct strbuf *cell, int *cut)
{
	const char *v = (const char *)xmlTextReaderConstValue(r);

	if (v != NULL && strbuf_append(cell, v, strlen(v)) != 0)
		*cut = 1;
}

/* ------------------------------------------------------------------ */
/* Shared strings, styles, workbook.                                    */

static int add_string(struct book *b, struct strbuf *s)
{
	char **n;

	if (b->nsst >= XLSX_MAX_STRINGS) {
		b->xr->cut = 1;
		return 0;
	}
	if ((b->nsst & (b->nsst - 1)) == 0) {   /* 0, 1, 2, 4...: grow */
		n = realloc(b->sst, (b->nsst ? b->nsst * 2 : 1) * sizeof *n);
		if (n == NULL)
			return -1;
		b->sst = n;
	}
	b->sst[b->nsst] = strdup(strbuf_str(s));
	if (b->sst[b->nsst] == NULL)
		return -1;
	b->nsst++;
	strbuf_reset(s);
	return 0;
}

/* <si> items: the text of their <t> elements, phonetic runs (<rPh>)
 * left out.  Returns 0, or -1 on malformed XML or out of memory. */
static int read_shared_strings(struct book *b)
{
	struct strbuf xml, cur;
	xmlTextReaderPtr r;
	int rc, in_t = 0, in_rph = 0, err = 0;

	if ((rc = read_part(b, "xl/sharedStrings.xml", &xml)) != 0)
		return rc > 0 ? 0 : -1;
	strbuf_init(&cur, XLSX_MAX_CELL);
	r = open_reader(&xml);
	while (r != NULL && (rc = next_node(r)) == 1 && !err) {
		int t = node_type(r);

		if (t == XML_READER_TYPE_ELEMENT && is_elem(r, "si") &&
		    xmlTextReaderIsEmptyElement(r))
			err = add_string(b, &cur);
		else if (t == XML_READER_TYPE_END_ELEMENT && is_elem(r, "si"))
			err = add_string(b, &cur);
		else if (is_elem(r, "rPh") && !xmlTextReaderIsEmptyElement(r))
			in_rph = t == XML_READER_TYPE_ELEMENT;
		else if (is_elem(r, "t") && !xmlTextReaderIsEmptyElement(r))
			in_t = t == XML_READER_TYPE_ELEMENT;
		else if (in_t && !in_rph && text_node(r))
			keep_text(r, &cur, &b->xr->cut);
	}
	if (r == NULL || rc < 0)
		err = -1;
	if (r != NULL)
		xmlFreeTextReader(r);
	strbuf_free(&cur);
	strbuf_free(&xml);
	return err;
}

/* A number format code that shows a date: d, m or y outside quoted
 * text, [colour] sections and backslash escapes ("dd/mm/yyyy",
 * "[$-809]d mmmm yyyy"); an elapsed-time or plain format is not. */
static int format_is_date(const char *code)
{
	int quoted = 0, bracket = 0;

	for (const char *p = code; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (*p == '\\' && p[1])
			p++;
		else if (*p == '[')
			bracket = 1;
		else if (*p == ']')
			bracket = 0;
		else if (!bracket && (tolower((unsigned char)*p) == 'd' ||
		                      tolower((unsigned char)*p) == 'y'))
			return 1;
	}
	return 0;
}

static int builtin_date(long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
	       (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

static int fmt_is_date(const struct book *b, long id)
{
	if (builtin_date(id))
		return 1;
	for (size_t i = 0; i < b->nfmt; i++)
		if (b->fmt_id[i] == id)
			return 1;
	return 0;
}

static void custom_format(struct book *b, xmlTextReaderPtr r)
{
	xmlChar *code = xmlTextReaderGetAttribute(r, (const xmlChar *)"formatCode");
	long id = attr_long(r, "numFmtId", -1);

	if (code != NULL && id >= 0 && b->nfmt < XLSX_MAX_FORMATS &&
	    format_is_date((const char *)code))
		b->fmt_id[b->nfmt++] = (int)id;
	xmlFree(code);
}

/* numFmts (custom formats) and cellXfs (a cell's s= index): which
 * styles show dates.  A missing styles part means none do. */
static int read_styles(struct book *b)
{
	struct strbuf xml;
	xmlTextReaderPtr r;
	int rc, in_xfs = 0, err = 0;

	if ((rc = read_part(b, "xl/styles.xml", &xml)) != 0)
		return rc > 0 ? 0 : -1;
	b->date_style = calloc(XLSX_MAX_STYLES, 1);
	r = b->date_style ? open_reader(&xml) : NULL;
	while (r != NULL && (rc = next_node(r)) == 1) {
		int t = node_type(r);

		if (is_elem(r, "cellXfs") && !xmlTextReaderIsEmptyElement(r))
			in_xfs = t == XML_READER_TYPE_ELEMENT;
		else if (t == XML_READER_TYPE_ELEMENT && is_elem(r, "numFmt"))
			custom_format(b, r);
		else if (t == XML_READER_TYPE_ELEMENT && in_xfs && is_elem(r, "xf") &&
		         b->nstyles < XLSX_MAX_STYLES)
			b->date_style[b->nstyles++] =
				(unsigned char)fmt_is_date(b, attr_long(r, "numFmtId", 0));
	}
	if (r == NULL || rc < 0)
		err = -1;
	if (r != NULL)
		xmlFreeTextReader(r);
	strbuf_free(&xml);
	return err;
}

static void read_workbook(struct book *b)
{
	struct strbuf xml;
	xmlTextReaderPtr r;

	if (read_part(b, "xl/workbook.xml", &xml) != 0)
		return;
	r = open_reader(&xml);
	while (r != NULL && next_node(r) == 1) {
		if (node_type(r) == XML_READER_TYPE_ELEMENT && is_elem(r, "workbookPr")) {
			xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)"date1904");

			b->date1904 = v != NULL && (strcmp((const char *)v, "1") == 0 ||
			                            strcmp((const char *)v, "true") == 0);
			xmlFree(v);
			break;
		}
	}
	if (r != NULL)
		xmlFreeTextReader(r);
	strbuf_free(&xml);
}

/* ------------------------------------------------------------------ */
/* Dates and cells.                                                     */

/* A serial date as "YYYY-MM-DD" into out[11]; 0 when out of range.
 * 1900 system: serial 1 is 1900-01-01 and Excel counts a 29 February
 * 1900 that never was (serial 60, shown here as 1900-02-28), so from
 * serial 61 on the days since 1899-12-30 are meant.  1904 system:
 * serial 0 is 1904-01-01. */
int xlsx_serial_date(double serial, int date1904, char out[11])
{
	long days, epoch;   /* epoch: days from 1970-01-01 */
	struct ymd ymd;

	if (!(serial >= 0 && serial < 2958466))
		return 0;
	days = (long)serial;          /* serial >= 0: truncation is floor */
	if (date1904)
		epoch = -24107;             /* 1904-01-01 */
	else if (days >= 61)
		epoch = -25569;             /* 1899-12-30 */
	else if (days == 60)
		return (void)snprintf(out, 11, "1900-02-28"), 1;
	else
		epoch = -25568;             /* 1899-12-31 */
	if (!date1904 && days < 1)
		return 0;
	ymd_from_days(epoch + days, &ymd);
	ymd_format(&ymd, out);
	return 1;
}

/* "BC12" -> 54 (0-based column), -1 when not a reference. */
static long column_of(const char *ref)
{
	long col = 0;
	int n = 0;

	while (isalpha((unsigned char)*ref) && n < 4) {
		col = col * 26 + (toupper((unsigned char)*ref) - 'A' + 1);
		ref++;
		n++;
	}
	return n == 0 || n == 4 ? -1 : col - 1;
}

struct sheet_row {
	struct strbuf cell[XLSX_MAX_COLUMNS];
	long ncol;               /* one past the last column holding text */
	long next;               /* column of a cell without a reference */
};

/* The cell's raw text made its shown value. */
static void settle_cell(struct book *b, struct strbuf *v, const char *type, long style)
{
	char date[11], *end;
	const char *s = strbuf_str(v);
	double num;

	if (strcmp(type, "s") == 0) {
		long i = strtol(s, &end, 10);

		strbuf_reset(v);
		if (end != s && i >= 0 && (size_t)i < b->nsst)
			(void)strbuf_append(v, b->sst[i], strlen(b->sst[i]));
	} else if (strcmp(type, "b") == 0) {
		int t = s[0] == '1';

		strbuf_reset(v);
		(void)strbuf_append(v, t ? "TRUE" : "FALSE", t ? 4 : 5);
	} else if (strcmp(type, "e") == 0) {
		strbuf_reset(v);        /* #N/A, #REF!: no value */
	} else if (strcmp(type, "n") == 0 && style >= 0 && (size_t)style < b->nstyles &&
	           b->date_style[style] && (num = strtod(s, &end), end != s) &&
	           xlsx_serial_date(num, b->date1904, date)) {
		strbuf_reset(v);
		(void)strbuf_append(v, date, 10);
	}
}

static void emit_row(struct book *b, struct sheet_row *row)
{
	for (long k = 0; k < row->ncol; k++) {
		const char *s = strbuf_str(&row->cell[k]);
		size_t n = row->cell[k].len;
		int quote = strpbrk(s, ",\"\n\r") != NULL;

		if (k > 0)
			(void)strbuf_append(&b->out, ",", 1);
		if (quote)
			(void)strbuf_append(&b->out, "\"", 1);
		for (size_t i = 0; i < n; i++)
			(void)strbuf_append(&b->out, s[i] == '"' ? "\"\"" : s + i,
			                    s[i] == '"' ? 2 : 1);
		if (quote)
			(void)strbuf_append(&b->out, "\"", 1);
		strbuf_reset(&row->cell[k]);
	}
	if (row->ncol > 0)
		(void)strbuf_append(&b->out, "\n", 1);
	row->ncol = 0;
	row->next = 0;
}

/* State of the worksheet walk. */
struct walk {
	struct sheet_row row;
	char type[16];          /* t= of the open cell ("n" when absent) */
	long style, col;        /* s= and column of the open cell */
	int in_cell, in_text, in_rph;
	size_t rows;
};

static void open_cell(struct walk *w, xmlTextReaderPtr r)
{
	xmlChar *ref = xmlTextReaderGetAttribute(r, (const xmlChar *)"r");
	xmlChar *t = xmlTextReaderGetAttribute(r, (const xmlChar *)"t");

	w->col = ref ? column_of((const char *)ref) : w->row.next;
	if (w->col < 0)
		w->col = w->row.next;
	snprintf(w->type, sizeof w->type, "%s", t ? (const char *)t : "n");
	w->style = attr_long(r, "s", -1);
	w->in_cell = 1;
	xmlFree(ref);
	xmlFree(t);
}

static void close_cell(struct book *b, struct walk *w)
{
	w->in_cell = 0;
	w->row.next = w->col + 1;
	if (w->col >= XLSX_MAX_COLUMNS) {
		b->xr->cut = 1;
		return;
	}
	settle_cell(b, &w->row.cell[w->col], w->type, w->style);
	if (w->row.cell[w->col].len > 0 && w->col + 1 > w->row.ncol)
		w->row.ncol = w->col + 1;
}

/* One node of the worksheet.  Returns 1 to stop (rows bound). */
static int sheet_node(struct book *b, struct walk *w, xmlTextReaderPtr r)
{
	int t = node_type(r), empty = xmlTextReaderIsEmptyElement(r);

	if (t == XML_READER_TYPE_ELEMENT && is_elem(r, "c")) {
		open_cell(w, r);
		if (empty)
			close_cell(b, w);
	} else if (t == XML_READER_TYPE_END_ELEMENT && is_elem(r, "c") && w->in_cell) {
		close_cell(b, w);
	} else if ((t == XML_READER_TYPE_END_ELEMENT || empty) && is_elem(r, "row")) {
		emit_row(b, &w->row);
		if (++w->rows >= XLSX_MAX_ROWS) {
			b->xr->cut = 1;
			return 1;
		}
	} else if (is_elem(r, "rPh") && !empty) {
		w->in_rph = t == XML_READER_TYPE_ELEMENT;
	} else if ((is_elem(r, "v") || is_elem(r, "t")) && !empty) {
		w->in_text = t == XML_READER_TYPE_ELEMENT;
	} else if (w->in_cell && w->in_text && !w->in_rph && text_node(r) &&
	           w->col < XLSX_MAX_COLUMNS) {
		keep_text(r, &w->row.cell[w->col], &b->xr->cut);
	}
	return b->out.len >= b->out.limit;
}

/* The first worksheet's part name into name[]; 0, or -1 if none. */
static int first_sheet(zip_t *za, char *name, size_t sz)
{
	zip_int64_t n = zip_get_num_entries(za, 0);

	snprintf(name, sz, "xl/worksheets/sheet1.xml");
	if (zip_name_locate(za, name, ZIP_FL_NOCASE) >= 0)
		return 0;
	for (zip_int64_t i = 0; i < n; i++) {
		const char *e = zip_get_name(za, (zip_uint64_t)i, 0);

		if (e && strncmp(e, "xl/worksheets/", 14) == 0 && strchr(e + 14, '/') == NULL &&
		    strlen(e) < sz) {
			snprintf(name, sz, "%s", e);
			return 0;
		}
	}
	return -1;
}

static int read_sheet(struct book *b)
{
	char name[256];
	struct strbuf xml;
	struct walk *w;
	xmlTextReaderPtr r;
	int rc = -1;

	if (first_sheet(b->za, name, sizeof name) != 0 || read_part(b, name, &xml) != 0)
		return -1;
	w = calloc(1, sizeof *w);
	if (w != NULL) {
		for (size_t k = 0; k < XLSX_MAX_COLUMNS; k++)
			strbuf_init(&w->row.cell[k], XLSX_MAX_CELL);
		r = open_reader(&xml);
		while (r != NULL && (rc = next_node(r)) == 1)
			if (sheet_node(b, w, r))
				break;
		if (rc == 1)
			rc = 0;        /* stopped at a bound: what was read is kept */
		emit_row(b, &w->row);
		if (r != NULL)
			xmlFreeTextReader(r);
		for (size_t k = 0; k < XLSX_MAX_COLUMNS; k++)
			strbuf_free(&w->row.cell[k]);
		free(w);
	}
	strbuf_free(&xml);
	return rc < 0 ? -1 : 0;
}

char *xlsx_read_text(const void *data, size_t len, struct xlsx_read *xr,
                     size_t *outlen)
{
	struct book b;
	zip_int64_t nent;
	int rc = -1;

	if (outlen != NULL)
		*outlen = 0;
	xr->xml_read = 0;
	xr->cut = 0;
	if (xr->xml_limit == 0)
		xr->xml_limit = 3 * XLSX_MAX_XML;
	if (data == NULL || len < 22)
		return NULL;
	memset(&b, 0, sizeof b);
	b.xr = xr;
	strbuf_init(&b.out, xr->text_limit ? xr->text_limit : XLSX_DEFAULT_OUT);
	if ((b.za = ooxml_zip_open(data, len)) == NULL)
		return NULL;
	nent = zip_get_num_entries(b.za, 0);
	if (nent > 0 && nent <= XLSX_MAX_ENTRIES) {
		read_workbook(&b);
		if (read_shared_strings(&b) == 0 && read_styles(&b) == 0)
			rc = read_sheet(&b);
	}
	zip_discard(b.za);
	for (size_t i = 0; i < b.nsst; i++)
		free(b.sst[i]);
	free(b.sst);
	free(b.date_style);
	if (rc != 0 || strbuf_append(&b.out, "", 0) != 0) {
		strbuf_free(&b.out);
		return NULL;
	}
	if (b.out.len >= b.out.limit)
		xr->cut = 1;
	if (outlen != NULL)
		*outlen = b.out.len;
	return strbuf_detach(&b.out);
}
