#!/bin/bash
# explain.sh - provenance (issue 12 item 9, SPEC 4): `cmectl parse
# --explain` says where each field was read (a labelled line, a table
# cell, a signature line, prose), `cmectl parse` alone prints exactly the
# JSON, and `cmectl show` shows where the case's child fields came from.
# Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
F=$top_srcdir/tests/fixtures/referrals
T=$(mktemp -d /tmp/cme-explain.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$top_srcdir/tests/lib/tap.sh"

# has FILE LINE DESCRIPTION: FILE holds LINE exactly
has() {
	grep -qxF -- "$2" "$1"
	ok $? "$3" || diag_tail "$1" 40
}

# the least configuration cmectl needs
printf '%s\n' "Mailbox cme@la.test" "DutyOfficer duty@la.test" "Database $T/db/cases.db" \
	"ReminderDir $T/db/reminders" "PolicyDir $top_srcdir/policies" \
	"CalendarDir $top_srcdir/calendars" "ShippedVocabularyDir $top_srcdir/vocabulary" \
	"UserID root" "Syslog no" > "$T/c.conf"
mkdir -p "$T/db"
"$CMECTL" -c "$T/c.conf" parse --explain "$F/401-gmail-plain-forward.eml" > "$T/fwd.out"
has "$T/fwd.out" 'children[0].dob = 2015-09-19  <- part 1 text/plain, line 16, label "Date of birth"' \
	"labelled line: part, line (counted through the forward) and label"
has "$T/fwd.out" 'referrer.role = Attendance Officer  <- signature line 2' \
	"signature field: its signature line"
has "$T/fwd.out" "referrer.email = r.dunn@elmtree.sch.test  <- the forwarded message's From: line" \
	"forwarded referrer: the forwarded From line"

"$CMECTL" -c "$T/c.conf" parse --explain "$F/12-html-rows.eml" > "$T/table.out"
has "$T/table.out" 'children[1].dob = 2011-11-19  <- part 1 text/html, line 7, table row 3 column 3' \
	"table cell: row and column"

"$CMECTL" -c "$T/c.conf" parse --explain "$F/03-hoy-prose-signature.eml" > "$T/prose.out"
has "$T/prose.out" 'children[0].last_attended = 2026-10-16  <- prose' \
	"a date read from a sentence: prose"
has "$T/prose.out" 'children[0].dob = 2013-03-03  <- part 1 text/plain, line 6, label "DOB"' \
	"a labelled field in the same message: its label"

# without --explain: the JSON and nothing else, the same JSON
"$CMECTL" -c "$T/c.conf" parse "$F/12-html-rows.eml" > "$T/plain.out"
sed '/^$/,$d' "$T/table.out" > "$T/table.json"
cmp -s "$T/plain.out" "$T/table.json"
ok $? "parse prints exactly the JSON parse --explain starts with"
$PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/plain.out"
ok $? "parse without --explain is one JSON document"

# cmectl show: the case's child fields and where they came from
"$CMECTL" -c "$T/c.conf" ingest --now 2026-11-22T10:00:00Z "$F/401-gmail-plain-forward.eml" \
	> "$T/ingest.out" 2>&1
ref=$(awk '{ print $NF }' "$T/ingest.out" | grep -m1 '^CME-')
"$CMECTL" -c "$T/c.conf" show "$ref" --json > "$T/show.out"
"$CMECTL" -c "$T/c.conf" show "$ref" > "$T/sheet.out"
is "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["provenance"]["dob"])' "$T/show.out" 2>&1)" \
	'part 1 text/plain, line 16, label "Date of birth"' "cmectl show: where the child's date of birth was read"
is "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["provenance"]["school"])' "$T/show.out" 2>&1)" \
	"the referrer's organisation" "cmectl show: a derived field says how it was derived"

grep -q "^  dob  *part 1 text/plain, line 16, label \"Date of birth\"" "$T/sheet.out"
ok $? "cmectl show's case sheet says where the date of birth was read" || diag_tail "$T/sheet.out" 40
echo "1..$n"
[ "$failed" -eq 0 ]
