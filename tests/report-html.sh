#!/bin/bash
# report-html.sh - `cmectl report --month M --html [--months N]`, the page
# for the monthly management meeting (issue 15 item 5): valid HTML5 with
# well-formed inline SVG (xmllint, python's html.parser), the same figures
# as `report --csv` for the month and for each month charted, every text
# escaped, nothing fetched from elsewhere.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
T=$(mktemp -d /tmp/cme-report-html.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cmectl.sh"

cmectl_conf r
ctl() { "$CMECTL" -c "$T/r.conf" "$@"; }
# ingest AT ID FORENAME SURNAME REASON: print the case reference
ingest() {
	school_referral "$2" "$3" "$4" "$5" > "$T/$2.eml"
	ctl ingest --now "$1" "$T/$2.eml" | awk '{print $3}'
}

# --- four months of cases -------------------------------------------------
A=$(ingest 2026-08-10T10:00:00Z a Amy Able 'moved away, address unknown')
B=$(ingest 2026-08-11T10:00:00Z b Ben Brown 'not returned after holiday abroad')
C=$(ingest 2026-09-14T10:00:00Z c Cara Cole 'moved abroad')
D=$(ingest 2026-10-12T10:00:00Z d Dan Dale 'moved away, address unknown')
E=$(ingest 2026-11-09T10:00:00Z e Eve East 'moved away, address unknown')
ctl visit "$A" --date 11/08/2026 --found yes --now 2026-08-11T15:00:00Z > /dev/null
ctl close "$A" --outcome located-on-roll --now 2026-09-02T10:00:00Z > /dev/null
ctl visit "$D" --date 13/10/2026 --found no --now 2026-10-13T15:00:00Z > /dev/null
ctl close "$C" --outcome moved-abroad --now 2026-11-03T10:00:00Z > /dev/null
is "$(echo $A $B $C $D $E | wc -w)" "5" "five cases over four months"
NOW=2026-12-01T00:00:00Z

# --- the page -------------------------------------------------------------
ctl report --month 2026-11 --html --now "$NOW" > "$T/page.html" 2> "$T/page.err"
is "$?" "0" "report --html exits 0"
is "$(wc -c < "$T/page.err")" "0" "and says nothing on stderr"
xmllint --noout "$T/page.html" 2> "$T/xml.err"
ok $? "the page is well-formed XML too (xmllint)" || diag < "$T/xml.err"
# libxml2's HTML parser is HTML 4: it knows no SVG element.  Anything
# else it says is a fault of the page.
xmllint --html --noout "$T/page.html" 2> "$T/html.err"
ok $? "xmllint --html reads the page" || diag < "$T/html.err"
grep 'error' "$T/html.err" | grep -vE 'Tag (svg|rect|text|line|polyline|circle) invalid' > "$T/html.other"
is "$(wc -l < "$T/html.other")" "0" "xmllint --html: no error but SVG tags it does not know" ||
	diag < "$T/html.other"

# html.parser: the tables, the <svg> elements, anything external.
$PY - "$T/page.html" "$T" > "$T/parsed" <<'PY'
import html.parser, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.table = None; self.key = None; self.row = []; self.cell = None
        self.tables = {}; self.keyed = {}; self.tags = set(); self.stack = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); self.tags.add(tag)
        if tag == "table": self.table = a.get("id"); self.tables[self.table] = []
        if tag == "tr": self.row = []; self.key = a.get("data-key")
        if tag in ("td", "th"): self.cell = ""
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip()); self.cell = None
        if tag == "tr" and self.table:
            self.tables[self.table].append(self.row)
            if self.table == "indicators" and self.key: self.keyed[self.key] = self.row[-1]
        if tag == "table": self.table = None
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
p = P(); p.feed(page); p.close()
svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
for i, s in enumerate(svgs):
    open("%s/chart%d.svg" % (sys.argv[2], i), "w", encoding="utf-8").write(s)
print(json.dumps({"indicators": p.keyed, "tables": p.tables, "svgs": len(svgs),
                  "tags": sorted(p.tags)}))
PY
ok $? "python's html.parser reads the page"
get() { $PY -c "import json,sys; d=json.load(open('$T/parsed')); print($1)"; }

# The month's indicators equal report --csv, column by column.
ctl report --month 2026-11 --csv --now "$NOW" > "$T/nov.csv"
$PY - "$T/nov.csv" "$T/parsed" > "$T/cmp" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
want = dict(zip(rows[0][1:], rows[1][1:]))
want.update({r[1]: r[2] for r in rows[2:]})         # closed:OUTCOME rows
got = json.load(open(sys.argv[2]))["indicators"]
print("same" if got == want else "differ: got %s want %s" % (got, want))
PY
is "$(cat "$T/cmp")" "same" "the indicators table holds report --csv's figures, closed:OUTCOME rows too"
is "$(get "d['indicators'].get('open_at_month_end')")" "3" "and they are this month's (B, D, E open)"

# Each month charted equals report --csv for that month.
is "$(get "len(d['tables']['months']) - 1")" "12" "the months table: the last 12 months by default"
is "$(get "d['tables']['months'][-1][0]")" "2026-11" "ending with the report's month"
is "$(get "d['tables']['months'][1][0]")" "2025-12" "beginning 11 months before it"
bad=0
for m in 2025-12 2026-01 2026-02 2026-03 2026-04 2026-05 2026-06 2026-07 2026-08 2026-09 2026-10 2026-11; do
	csv=$(ctl report --month "$m" --csv --now "$NOW" | sed -n 2p |
		awk -F, '{print $1","$2","$3","$6","$7","$8","$9","$10}')
	row=$(get "','.join(next(r for r in d['tables']['months'] if r[0] == '$m'))")
	[ "$csv" = "$row" ] || { bad=1; diag "$m: csv $csv, page $row"; }
done
is "$bad" "0" "every month's row equals report --csv for that month"
is "$(get "sum(int(r[1]) for r in d['tables']['kinds'][1:])")" \
	"$(get "d['indicators']['deadlines_due']")" "deadlines by kind add up to those due"
is "$(get "sum(int(r[1]) for r in d['tables']['reasons'][1:])")" "3" \
	"open cases by reason add up to those open at the month's end"
is "$(get "sorted(r[0] for r in d['tables']['reasons'][1:])")" \
	"['moved-away-unknown', 'not-returned-from-leave']" "by their reasons' names"

# Four charts, each well-formed XML on its own.
is "$(get "d['svgs']")" "4" "four inline SVG charts"
bad=0
for f in "$T"/chart*.svg; do xmllint --noout "$f" 2>> "$T/svg.err" || bad=1; done
is "$bad" "0" "each <svg> passes xmllint as XML" || diag < "$T/svg.err"
grep -c '<rect' "$T/chart1.svg" > /dev/null
ok $? "the monthly chart draws bars"

# Self-contained: nothing fetched, nothing run.
is "$(grep -ciE 'https?:|//[a-z]|<script|<link|<img|<iframe|<object|url\(|src=|href=|@import' "$T/page.html")" "0" \
	"no http(s) reference, script, link, image or import"
is "$(get "[t for t in d['tags'] if t in ('script', 'link', 'img', 'iframe', 'object')]")" "[]" \
	"the parser agrees"

# --months N, and what is refused.
ctl report --month 2026-11 --html --months 3 --now "$NOW" > "$T/three.html"
is "$(grep -c 'data-key="month"' "$T/three.html")" "3" "--months 3: three months"
ctl report --month 2026-11 --html --months 61 --now "$NOW" > /dev/null 2>&1
is "$?" "1" "--months 61 is refused"
ctl report --month 2026-11 --html --csv --now "$NOW" > /dev/null 2>&1
is "$?" "1" "--html with --csv is refused"

# --- every text escaped, even a name no vocabulary gives -----------------
sqlite3 "$T/r/cases.db" "UPDATE children SET reason = '<script>alert(1)</script> & \"x''' WHERE case_id = (SELECT id FROM cases WHERE ref = '$E')"
sqlite3 "$T/r/cases.db" "UPDATE case_history SET outcome = 'a<b>&c' WHERE outcome = 'moved-abroad'"
ctl report --month 2026-11 --html --now "$NOW" > "$T/odd.html"
xmllint --noout "$T/odd.html" 2> "$T/odd.err"
ok $? "a reason and an outcome with markup: the page is still well-formed" || diag < "$T/odd.err"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&#39;' "$T/odd.html"
ok $? "the reason is escaped"
grep -q 'data-key="closed:a&lt;b&gt;&amp;c"' "$T/odd.html"
ok $? "the outcome is escaped in its attribute too"
is "$(grep -c '<script' "$T/odd.html")" "0" "no <script> element"

echo "1..$n"
