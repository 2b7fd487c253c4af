/*
 * NAME
 *	report_html.c - the monthly management report as one HTML page with
 *	inline SVG charts.  See report_html.h.
 *
 * OWNS
 *	The page's layout and the two chart kinds: vertical bars by month
 *	(grouped or stacked, with an optional line) and horizontal bars by
 *	name.  Coordinates are whole pixels (no locale-dependent decimals).
 *	Every text goes through put_text(); colours and labels of the
 *	page's own are constants here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "case_types.h"
#include "report_html.h"

/* ------------------------------------------------------------------ */
/* Text.                                                                */

/* Text or an attribute value, escaped for HTML and XML alike. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* control characters have no business in a label */
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
		}
	}
}

/* "Nov 2026" from "2026-11" (the month as given when it is not one). */
static void month_words(const char *month, char *buf, size_t size)
{
	static const char *const names[12] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	int y, m;

	if (sscanf(month, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12)
		snprintf(buf, size, "%s %d", names[m - 1], y);
	else
		snprintf(buf, size, "%s", month);
}

/* ------------------------------------------------------------------ */
/* Charts.                                                              */

struct series {
	const char *name, *colour;
	long long v[REPORT_HTML_MAX_MONTHS > REPORT_HTML_MAX_REASONS + 1 ?
	            REPORT_HTML_MAX_MONTHS : REPORT_HTML_MAX_REASONS + 1];
};

struct chart {
	const char *title;              /* the chart's <title> */
	const char *const *labels;      /* one per position */
	size_t n;
	const struct series *bars;
	size_t n_bars;
	int stacked;
	const struct series *line;      /* NULL: none */
};

/* A scale's step (1, 2 or 5 times a power of ten) for at most 5 ticks
 * up to max; *top: the axis's end, a multiple of the step >= max. */
static long long scale_step(long long max, long long *top)
{
	long long step = 1;

	for (int i = 0; max > step * 5 && i < 18; i++) {
		if (max <= step * 2 * 5) {
			step *= 2;
			break;
		}
		if (max <= step * 5 * 5) {
			step *= 5;
			break;
		}
		step *= 10;
	}
	*top = (max + step - 1) / step * step;
	if (*top == 0)
		*top = step;
	return step;
}

/* The largest value a chart draws (a stack's total). */
static long long chart_max(const struct chart *c)
{
	long long max = 0;

	for (size_t i = 0; i < c->n; i++) {
		long long sum = 0;

		for (size_t s = 0; s < c->n_bars; s++) {
			long long v = c->bars[s].v[i];

			if (c->stacked)
				sum += v;
			else if (v > sum)
				sum = v;
		}
		if (c->line && c->line->v[i] > sum)
			sum = c->line->v[i];
		if (sum > max)
			max = sum;
	}
	return max;
}

static void legend(FILE *f, const struct chart *c, int x, int y)
{
	size_t n = c->n_bars + (c->line != NULL);

	for (size_t s = 0; s < n; s++) {
		const struct series *se = s < c->n_bars ? &c->bars[s] : c->line;

		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", x, y - 9,
		        se->colour);
		fprintf(f, "<text x=\"%d\" y=\"%d\">", x + 14, y);
		put_text(f, se->name);
		fputs("</text>\n", f);
		x += 24 + 7 * (int)strlen(se->name);
	}
}

/* One <rect> with its figure as a tooltip. */
static void bar(FILE *f, int x, int y, int w, int h, const char *colour, const char *label,
                const char *name, long long v)
{
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>", x, y,
	        w, h, colour);
	put_text(f, label);
	fputs(": ", f);
	put_text(f, name);
	fprintf(f, " %lld</title></rect>\n", v);
}

#define VW 720                  /* a vertical chart's width and height */
#define VH 260
#define VL 44                   /* its margins: left, right, top, bottom */
#define VR 12
#define VT 28
#define VB 34

static void v_axis(FILE *f, long long step, long long top)
{
	int ph = VH - VT - VB;

	for (long long t = 0; t <= top; t += step) {
		int y = VT + ph - (int)(ph * t / top);

		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
		        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>\n",
		        VL, y, VW - VR, y, VL - 6, y + 4, t);
	}
}

/* Bars by month, grouped or stacked, and an optional line with dots. */
static void chart_vertical(FILE *f, const struct chart *c)
{
	long long top, step = scale_step(chart_max(c), &top);
	int pw = VW - VL - VR, ph = VH - VT - VB;
	int gw = pw / (int)c->n, every = (int)(c->n + 11) / 12;
	int bw = c->stacked ? gw * 7 / 10 : gw * 7 / 10 / (int)c->n_bars;

	if (bw < 1)
		bw = 1;
	fprintf(f, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">"
	        "<title>", VW, VH, VW, VH);
	put_text(f, c->title);
	fputs("</title>\n", f);
	v_axis(f, step, top);
	for (size_t i = 0; i < c->n; i++) {
		int x = VL + gw * (int)i + (gw - (c->stacked ? bw : bw * (int)c->n_bars)) / 2;
		int base = VT + ph;

		for (size_t s = 0; s < c->n_bars; s++) {
			long long v = c->bars[s].v[i];
			int h = (int)(ph * v / top);

			bar(f, x, base - h, bw, h, c->bars[s].colour, c->labels[i], c->bars[s].name, v);
			if (c->stacked)
				base -= h;
			else
				x += bw;
		}
		if (i % (size_t)every == 0) {
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
			        VL + gw * (int)i + gw / 2, VH - VB + 16);
			put_text(f, c->labels[i]);
			fputs("</text>\n", f);
		}
	}
	if (c->line) {
		fputs("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"", f);
		fputs(c->line->colour, f);
		fputs("\" points=\"", f);
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, "%s%d,%d", i ? " " : "", VL + gw * (int)i + gw / 2,
			        VT + ph - (int)(ph * c->line->v[i] / top));
		fputs("\"/>\n", f);
		for (size_t i = 0; i < c->n; i++) {
			fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"><title>",
			        VL + gw * (int)i + gw / 2, VT + ph - (int)(ph * c->line->v[i] / top),
			        c->line->colour);
			put_text(f, c->labels[i]);
			fputs(": ", f);
			put_text(f, c->line->name);
			fprintf(f, " %lld</title></circle>\n", c->line->v[i]);
		}
	}
	legend(f, c, VL, 14);
	fputs("</svg>\n", f);
}

#define HW 720                  /* a horizontal chart's width, label column, row */
#define HL 200
#define HROW 24

/* Bars by name, stacked, each row's total at its end. */
static void chart_horizontal(FILE *f, const struct chart *c)
{
	long long top, max = chart_max(c);
	int pw = HW - HL - 60, h = VT + HROW * (int)c->n + 8;

	scale_step(max, &top);
	fprintf(f, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\"><title>", HW,
	        h, HW, h);
	put_text(f, c->title);
	fputs("</title>\n", f);
	for (size_t i = 0; i < c->n; i++) {
		int y = VT + HROW * (int)i, x = HL;
		long long sum = 0;

		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", HL - 8, y + 14);
		put_text(f, c->labels[i]);
		fputs("</text>\n", f);
		for (size_t s = 0; s < c->n_bars; s++) {
			long long v = c->bars[s].v[i];
			int w = (int)(pw * v / top);

			bar(f, x, y + 3, w, HROW - 8, c->bars[s].colour, c->labels[i], c->bars[s].name, v);
			x += w;
			sum += v;
		}
		fprintf(f, "<text x=\"%d\" y=\"%d\">%lld</text>\n", x + 6, y + 14, sum);
	}
	if (c->n_bars > 1)
		legend(f, c, HL, 14);
	fputs("</svg>\n", f);
}

/* ------------------------------------------------------------------ */
/* The page.                                                            */

static const char style[] =
	"body{font-family:sans-serif;max-width:760px;margin:1em auto;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #bbb;padding:2px 8px}td.n{text-align:right}"
	"th{background:#eee;text-align:left}"
	"svg{font:11px sans-serif;max-width:100%;height:auto}"
	"svg .grid{stroke:#ddd}p.note{color:#555;font-size:.9em}"
	"@media print{h2{page-break-after:avoid}svg{page-break-inside:avoid}}";

/* One indicator row: its CSV column name, its words, its figure. */
static void indicator(FILE *f, const char *key, const char *words, long long v, int indent)
{
	fputs("<tr data-key=\"", f);
	put_text(f, key);
	fprintf(f, "\"><td>%s", indent ? "&#160;&#160;&#160;&#160;" : "");
	put_text(f, words);
	fprintf(f, "</td><td class=\"n\">%lld</td></tr>\n", v);
}

static void indicators_table(FILE *f, const struct case_report *r)
{
	fputs("<table id=\"indicators\">\n<tr><th>Indicator</th><th>Count</th></tr>\n", f);
	indicator(f, "opened", "Cases opened", r->opened, 0);
	indicator(f, "closed", "Cases closed", r->closed, 0);
	for (size_t i = 0; i < r->n_outcomes; i++) {
		char key[48];

		snprintf(key, sizeof key, "closed:%s", r->outcomes[i].outcome);
		indicator(f, key, r->outcomes[i].outcome, r->outcomes[i].count, 1);
	}
	indicator(f, "closed_in_borough", "of which in borough", r->closed_in_borough, 1);
	indicator(f, "closed_left_area", "of which left the area", r->closed_left_area, 1);
	indicator(f, "open_at_month_end", "Open at the month's end", r->open_at_end, 0);
	indicator(f, "long_term", "Long-term (open 6+ months)", r->long_term, 0);
	indicator(f, "deadlines_due", "Deadlines due in the month", r->deadlines_due, 0);
	indicator(f, "deadlines_met", "met on time", r->deadlines_met, 1);
	indicator(f, "deadlines_missed", "missed", r->deadlines_missed, 1);
	fputs("</table>\n", f);
}

/* Deadlines of the month by kind: a table and a chart. */
static void kinds_section(FILE *f, const struct case_report *r)
{
	struct series s[2] = { { "met on time", "#2e7d32", { 0 } },
	                              { "missed", "#c62828", { 0 } } };
	const char *labels[DL_KIND_COUNT];
	struct chart c = { "Deadlines due in the month by kind: met and missed", labels, 0, s, 2,
	                   1, NULL };

	fputs("<h2>Deadlines due in the month, by kind</h2>\n<table id=\"kinds\">\n"
	      "<tr><th>Kind</th><th>Due</th><th>Met on time</th><th>Missed</th></tr>\n", f);
	for (int k = 0; k < DL_KIND_COUNT; k++) {
		if (k == DL_KIND_LONG_TERM_REVIEW)
			continue;       /* not a performance deadline (case_report.h) */
		fputs("<tr><td>", f);
		put_text(f, deadline_kind_name((enum deadline_kind)k));
		fprintf(f, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
		        "<td class=\"n\">%lld</td></tr>\n", r->by_kind[k].due, r->by_kind[k].met,
		        r->by_kind[k].missed);
		labels[c.n] = deadline_kind_name((enum deadline_kind)k);
		s[0].v[c.n] = r->by_kind[k].met;
		s[1].v[c.n] = r->by_kind[k].missed;
		c.n++;
	}
	fputs("</table>\n", f);
	chart_horizontal(f, &c);
}

/* The last months: two charts and their figures. */
static void months_section(FILE *f, const struct report_html *h)
{
	struct series cases[3] = { { "opened", "#1565c0", { 0 } },
	                                  { "closed", "#9e9e9e", { 0 } },
	                                  { "open at month end", "#ef6c00", { 0 } } };
	struct series dl[2] = { { "met on time", "#2e7d32", { 0 } },
	                               { "missed", "#c62828", { 0 } } };
	const char *labels[REPORT_HTML_MAX_MONTHS];
	struct chart c1 = { "Cases opened and closed each month, and open at each month's end",
	                    labels, h->n_months, cases, 2, 0, &cases[2] };
	struct chart c2 = { "Deadlines due each month: met and missed", labels, h->n_months, dl, 2,
	                    1, NULL };

	for (size_t i = 0; i < h->n_months; i++) {
		const struct case_report *r = &h->months[i].r;

		labels[i] = h->months[i].month;
		cases[0].v[i] = r->opened;
		cases[1].v[i] = r->closed;
		cases[2].v[i] = r->open_at_end;
		dl[0].v[i] = r->deadlines_met;
		dl[1].v[i] = r->deadlines_missed;
	}
	fprintf(f, "<h2>Cases over the last %zu month%s</h2>\n", h->n_months,
	        h->n_months == 1 ? "" : "s");
	chart_vertical(f, &c1);
	fputs("<h2>Deadlines met and missed</h2>\n", f);
	chart_vertical(f, &c2);
	fputs("<table id=\"months\">\n<tr><th>Month</th><th>Opened</th><th>Closed</th>"
	      "<th>Open at end</th><th>Long-term</th><th>Deadlines due</th><th>Met</th>"
	      "<th>Missed</th></tr>\n", f);
	for (size_t i = 0; i < h->n_months; i++) {
		const struct case_report *r = &h->months[i].r;

		fputs("<tr><td data-key=\"month\">", f);
		put_text(f, h->months[i].month);
		fprintf(f, "</td><td class=\"n\" data-key=\"opened\">%lld</td>"
		        "<td class=\"n\" data-key=\"closed\">%lld</td>"
		        "<td class=\"n\" data-key=\"open_at_month_end\">%lld</td>"
		        "<td class=\"n\" data-key=\"long_term\">%lld</td>"
		        "<td class=\"n\" data-key=\"deadlines_due\">%lld</td>"
		        "<td class=\"n\" data-key=\"deadlines_met\">%lld</td>"
		        "<td class=\"n\" data-key=\"deadlines_missed\">%lld</td></tr>\n",
		        r->opened, r->closed, r->open_at_end, r->long_term, r->deadlines_due,
		        r->deadlines_met, r->deadlines_missed);
	}
	fputs("</table>\n", f);
}

static void reasons_section(FILE *f, const struct report_html *h)
{
	struct series s[1] = { { "open cases", "#6a1b9a", { 0 } } };
	const char *labels[REPORT_HTML_MAX_REASONS + 1];
	struct chart c = { "Cases open at the month's end by reason", labels, 0, s, 1, 1, NULL };

	fputs("<h2>Open at the month's end, by reason</h2>\n", f);
	if (h->n_reasons == 0) {
		fputs("<p>No case was open at the month's end.</p>\n", f);
		return;
	}
	fputs("<table id=\"reasons\">\n<tr><th>Reason</th><th>Open cases</th></tr>\n", f);
	for (size_t i = 0; i < h->n_reasons && i < REPORT_HTML_MAX_REASONS + 1; i++) {
		labels[i] = *h->reasons[i].name ? h->reasons[i].name : "(no reason given)";
		s[0].v[i] = h->reasons[i].count;
		c.n++;
		fputs("<tr><td>", f);
		put_text(f, labels[i]);
		fprintf(f, "</td><td class=\"n\">%lld</td></tr>\n", h->reasons[i].count);
	}
	fputs("</table>\n", f);
	chart_horizontal(f, &c);
}

int report_html_write(FILE *f, const struct report_html *h)
{
	const struct report_html_month *m;
	char words[32], when[32];
	struct tm tm;

	if (h->n_months == 0 || h->n_months > REPORT_HTML_MAX_MONTHS)
		return -1;
	m = &h->months[h->n_months - 1];
	month_words(m->month, words, sizeof words);
	gmtime_r(&h->generated, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>", f);
	fputs("Children Missing Education: ", f);
	put_text(f, words);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>Children Missing Education: "
	        "performance indicators, ", style);
	put_text(f, words);
	fputs("</h1>\n<p class=\"note\">Counts only: no child's details are in this page.  "
	      "Months are calendar months in UTC.  Computed ", f);
	put_text(f, when);
	fputs(" by cmectl report from the case timeline, so a month's figures do not move "
	      "when a case changes later.</p>\n<h2>The month</h2>\n", f);
	indicators_table(f, &m->r);
	kinds_section(f, &m->r);
	months_section(f, h);
	reasons_section(f, h);
	fputs("</body>\n</html>\n", f);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
