#!/bin/bash
# report.sh - reports that hold (issue 13 item 6, SPEC 5.5): a month's
# figures from the timeline's dated events.  Cases open in October; their
# visits are recorded in November, dated October; a case closes in
# November after its deadline passed; a duplicate is merged away; in
# December a case reopens and more mail arrives - and October's and
# November's figures are asserted line by line, before and after December.
# Then `report --csv --cases` (one row per case, RFC 4180, no formulas)
# and the termly census return.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
T=$(mktemp -d /tmp/cme-report.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$top_srcdir/tests/lib/tap.sh"

. "$top_srcdir/tests/lib/cmectl.sh"
C=$T/c.conf
cmectl_conf_write "$C" "$T"

# msg ID FORENAME SURNAME DOB GENDER YEAR REASON SCHOOL: a school's
# authenticated, labelled referral.
msg() {
	school_head "$1"
	printf 'Forename: %s\nSurname: %s\nDate of birth: %s\nGender: %s\nYear group: %s\n' \
		"$2" "$3" "$4" "$5" "$6"
	printf 'Address: 4 Mill Road, Ipswich IP4 1AA\nSchool: %s\n' "$8"
	printf 'Reason: %s\n' "$7"
}
# ingest AT ID ...: ingest the message at time AT, print its case reference
ingest() {
	local at=$1; shift
	msg "$@" > "$T/$1.eml"
	"$CMECTL" -c "$C" ingest --now "$at" "$T/$1.eml" | awk '{print $3}'
}
ctl() { "$CMECTL" -c "$C" "$@"; }
report() { ctl report --month "$1" --csv --now "$2"; }

# --- October: four cases --------------------------------------------------
A=$(ingest 2026-10-05T10:00:00Z a1 Amy Able 01/02/2016 Female 'Year 5' 'moved away, address unknown' 'Park Lane Primary School')
B=$(ingest 2026-10-05T11:00:00Z b1 Ben Brown 03/04/2014 Male 'Year 7' 'not returned after holiday abroad' 'Park Lane Primary School')
Cc=$(ingest 2026-10-06T10:00:00Z c1 Cara Cole 05/06/2017 Female 'Year 4' 'moved away, address unknown' '=HYPERLINK("http://evil.test","x")')
D=$(ingest 2026-10-07T10:00:00Z d1 Kara Cole 05/06/2017 Female 'Year 4' 'moved away, address unknown' 'Park Lane Primary School')
is "$(echo $A $B $Cc $D | wc -w)" "4" "October: four cases open ($A $B $Cc $D)"

# --- November: visits recorded late, a close after a missed deadline ----
# A's visit, recorded on 3 November, was made on 7 October: before its
# home-visit deadline (3 working days: 8 October 17:00).
ctl visit "$A" --date 07/10/2026 --found yes --now 2026-11-03T09:00:00Z > /dev/null
# C's visit, dated 2 November: after its deadline (9 October) - missed.
ctl visit "$Cc" --date 02/11/2026 --found no --now 2026-11-03T09:05:00Z > /dev/null
# B was never visited: its deadline passed; it closes on 10 November.
ctl close "$B" --outcome located-on-roll --now 2026-11-10T12:00:00Z > /dev/null
# D is C again (Kara/Cara): closed as a duplicate.
ctl close "$D" --outcome duplicate --now 2026-11-04T12:00:00Z > /dev/null

OCT='month,opened,closed,closed_in_borough,closed_left_area,open_at_month_end,long_term,deadlines_due,deadlines_met,deadlines_missed
2026-10,3,0,0,0,3,0,3,1,2'
NOV='month,opened,closed,closed_in_borough,closed_left_area,open_at_month_end,long_term,deadlines_due,deadlines_met,deadlines_missed
2026-11,0,1,1,0,2,0,3,0,3
2026-11,closed:located-on-roll,1'
# October: A, B, C opened (the duplicate D is not a case of its own);
# three home visits due: A's met by its visit's date (7 October), though
# recorded in November; B's never made; C's made after it was due.
is "$(report 2026-10 2026-12-01T00:00:00Z)" "$OCT" \
	"October: 3 opened, 3 open at the end, home visits 1 met (dated, recorded late) and 2 missed"
# November: B closed (in borough); three escalations fell due, all
# missed - B's too, though B closed after it (closing keeps the miss).
is "$(report 2026-11 2026-12-01T00:00:00Z)" "$NOV" \
	"November: 1 closed in borough (not the duplicate), 2 open, B's missed deadline kept after closing"
OCT_CASES=$(ctl report --month 2026-10 --csv --cases --now 2026-12-01T00:00:00Z)
NOV_CASES=$(ctl report --month 2026-11 --csv --cases --now 2026-12-01T00:00:00Z)

# --- December: B reopens, A closes, more mail -----------------------------
out=$(ingest 2026-12-02T10:00:00Z b2 Ben Brown 03/04/2014 Male 'Year 7' 'not returned after holiday abroad' 'Park Lane Primary School')
is "$out" "$B" "December: B referred again by its school reopens $B"
E=$(ingest 2026-12-03T10:00:00Z e1 Eve East 07/08/2015 Female 'Year 6' 'moved abroad' 'Park Lane Primary School')
ctl close "$A" --outcome moved-abroad --now 2026-12-04T10:00:00Z > /dev/null
ctl visit "$Cc" --date 03/12/2026 --found yes --now 2026-12-04T11:00:00Z > /dev/null
is "$(report 2026-10 2027-01-01T00:00:00Z)" "$OCT" "after December, October's figures are unchanged"
is "$(report 2026-11 2027-01-01T00:00:00Z)" "$NOV" "after December, November's figures are unchanged"
is "$(ctl report --month 2026-10 --csv --cases --now 2027-01-01T00:00:00Z)" "$OCT_CASES" \
	"and so are October's case rows"
is "$(ctl report --month 2026-11 --csv --cases --now 2027-01-01T00:00:00Z)" "$NOV_CASES" \
	"and November's"
# December: E opened; A closed (left the area); B reopened is not opened
# again; open at the end B, C, E; B's new home visit (due 7 December)
# not made: missed.
is "$(report 2026-12 2027-01-01T00:00:00Z)" \
"month,opened,closed,closed_in_borough,closed_left_area,open_at_month_end,long_term,deadlines_due,deadlines_met,deadlines_missed
2026-12,1,1,0,1,3,0,2,0,2
2026-12,closed:moved-abroad,1" "December: a reopen is not an opening; A left the area"

# --- one row per case ------------------------------------------------------
is "$(echo "$NOV_CASES" | head -1)" \
	"ref,opened,status_at_month_end,officer,school,reason,home-visit_due,home-visit,escalation_due,escalation,long-term-review_due,long-term-review,immediate_due,immediate,outcome,closed" \
	"report --cases: a header row"
is "$(echo "$NOV_CASES" | sed -n 3p)" \
	"$B,2026-10-05,closed,duty@la.test,Park Lane Primary School,not-returned-from-leave,2026-10-08T16:00Z,missed,2026-11-02T17:00Z,missed,2027-04-05T11:00Z,cancelled,,,located-on-roll,2026-11-10" \
	"B in November: closed, its home visit and escalation missed, closed on 10 November"
is "$(echo "$NOV_CASES" | sed -n 2p | cut -d, -f1-8)" \
	"$A,2026-10-05,visited,duty@la.test,Park Lane Primary School,moved-away-unknown,2026-10-08T16:00Z,met" \
	"A in November: visited, its home visit met"
echo "$NOV_CASES" | sed -n 4p | grep -qF "$Cc,2026-10-06,visited,duty@la.test,\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",moved-away-unknown,"
ok $? \
	"a school named like a formula is quoted (RFC 4180) and starts with an apostrophe"
is "$(echo "$NOV_CASES" | grep -c "$D")" "0" "the duplicate has no row of its own"
is "$(echo "$NOV_CASES" | wc -l)" "4" "one row per case open in November, after the header"
echo "1..$n"
