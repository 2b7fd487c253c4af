#!/bin/bash
# census.sh - the termly DfE children-missing-education return (issue 13
# item 6): `cmectl census --term autumn-2026` counts the children missing
# education at the end of the term's census day (the first Thursday of
# October: 1 October 2026).  Referrals arrive from May to October: a case
# closed before the census date, a duplicate merged away after it, a case
# opened after it and a triage case are not counted; a case closed after
# the census date is; a case closed in June and reopened in September
# counts its time missing from the reopening.  The CSV is asserted line
# by line; a bad --term and a census date still to come are user errors.
# Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
T=$(mktemp -d /tmp/cme-census.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$top_srcdir/tests/lib/tap.sh"

. "$top_srcdir/tests/lib/cmectl.sh"
C=$T/c.conf
cmectl_conf_write "$C" "$T"
mkdir -p "$T/vocabulary.d"

# msg ID FORENAME SURNAME DOB GENDER REASON: a school's authenticated,
# labelled referral (no Gender line when GENDER is empty).
msg() {
	school_head "$1"
	printf 'Forename: %s\nSurname: %s\nDate of birth: %s\n' "$2" "$3" "$4"
	[ -n "$5" ] && printf 'Gender: %s\n' "$5"
	printf 'Address: 4 Mill Road, Ipswich IP4 1AA\nSchool: Park Lane School\n'
	printf 'Reason: %s\n' "$6"
}
# ingest AT ID ...: ingest the message at time AT, print its case reference
ingest() {
	local at=$1; shift
	msg "$@" > "$T/$1.eml"
	"$CMECTL" -c "$C" ingest --now "$at" "$T/$1.eml" | awk '{print $3}'
}
ctl() { "$CMECTL" -c "$C" "$@"; }
# has TEXT REGEX DESCRIPTION: a test point: a line of TEXT matches REGEX.
has() { echo "$1" | grep -qE -- "$2"; ok $? "$3" || echo "$1" | diag; }

H=$(ingest 2026-05-01T10:00:00Z h1 Harry Hill 05/05/2014 Male 'moved out of area to another local authority')
ctl close "$H" --outcome located-on-roll --now 2026-06-01T10:00:00Z > /dev/null
A=$(ingest 2026-06-10T10:00:00Z a1 Amy Able 01/02/2016 Female 'moved away, address unknown')
D=$(ingest 2026-09-01T10:00:00Z d1 Dan Dale 07/07/2013 Male 'moved away, address unknown')
G=$(ingest 2026-09-10T10:00:00Z g1 Gina Gold 10/10/2010 Female 'permanently excluded, no provision')
B=$(ingest 2026-09-15T10:00:00Z b1 Ben Brown 03/04/2022 Male 'moved into the area, no school place')
Cc=$(ingest 2026-09-20T10:00:00Z c1 Cara Cole 05/06/2012 '' 'not returned after the summer holiday')
E=$(ingest 2026-09-21T10:00:00Z e1 Kara Cole 05/06/2012 '' 'not returned after the summer holiday')
out=$(ingest 2026-09-22T10:00:00Z h2 Harry Hill 05/05/2014 Male 'moved out of area to another local authority')
is "$out" "$H" "a closed case referred again by its school reopens ($H)"
# a message nothing can be read from: a triage case
printf 'From: someone@example.test\nTo: cme@la.test\nSubject: help\nMessage-ID: <i1@example.test>\n\nplease call me\n' > "$T/i1.eml"
I=$(ctl ingest --now 2026-09-23T10:00:00Z "$T/i1.eml" | awk '{print $2, $3}')
ctl close "$D" --outcome located-on-roll --now 2026-09-25T10:00:00Z > /dev/null
F=$(ingest 2026-10-05T10:00:00Z f1 Fay Fox 02/03/2015 Female 'moved away, address unknown')
ctl close "$G" --outcome located-other-provision --now 2026-10-10T10:00:00Z > /dev/null
ctl close "$E" --outcome duplicate --now 2026-10-20T10:00:00Z > /dev/null
is "$(echo $H $A $D $G $B $Cc $E $F | wc -w)" "8" "eight cases opened"

census() { ctl census --term "$1" --csv --now 2026-12-01T00:00:00Z; }
CSV=$(census autumn-2026)
is "$(echo "$CSV" | sed -n 1p)" "ref,sex,year_group,days_missing,time_missing_band,reason,dfe_reason" \
	"census --csv: a header row"
# H: reopened 22 September, 9 days to the census date (not 153 from May)
is "$(echo "$CSV" | sed -n 2p)" \
	"$H,M,8,9,12 weeks or less,moved-out-of-area,\"Believed moved to another local authority, not confirmed\"" \
	"H: reopened in September, its time missing counts from the reopening; year 8 by its DOB"
is "$(echo "$CSV" | sed -n 3p)" "$A,F,6,113,more than 12 weeks,moved-away-unknown,Whereabouts unknown" \
	"A: referred in June in year 5, in year 6 at the census date, 113 days: more than 12 weeks"
is "$(echo "$CSV" | sed -n 4p)" \
	"$G,F,11,21,12 weeks or less,excluded-no-provision,\"Permanently excluded, no suitable provision\"" \
	"G: closed after the census date, so counted"
is "$(echo "$CSV" | sed -n 5p)" \
	"$B,M,R,16,12 weeks or less,moved-into-area-no-school,School application awaiting outcome" \
	"B: Reception, as the DfE publishes it"
is "$(echo "$CSV" | sed -n 6p)" \
	"$Cc,unknown,10,11,12 weeks or less,not-returned-from-leave,Did not return after a period away" \
	"C: no sex given is 'unknown'"
is "$(echo "$CSV" | wc -l)" "6" \
	"no row for the case closed before the census date, the duplicate, the triage case ($I), or the case opened after"
for r in "$D" "$E" "$F"; do
	! echo "$CSV" | grep -q "^$r,"
	ok $? "$r is not counted"
done

# The human form: the summary by sex, year group, band and reason.
HUMAN=$(ctl census --term autumn-2026 --now 2026-12-01T00:00:00Z)
has "$HUMAN" "census date Thursday 01 October 2026" "the census date is the first Thursday of October"
has "$HUMAN" "children missing education at the census date      5" "five children"
has "$HUMAN" "    Female  *2" "two girls"
has "$HUMAN" "    Sex unknown  *1" "one of unknown sex"
has "$HUMAN" "    more than 12 weeks  *1" "one missing more than 12 weeks"
has "$HUMAN" "    12 weeks or less  *4" "four missing 12 weeks or less"

# An LA's VocabularyDir file replaces a shipped category (saved by an
# editor that starts it with a UTF-8 byte order mark).
printf '\xEF\xBB\xBFmoved-away-unknown | Not known where the child is\n' > "$T/vocabulary.d/census-reasons.map"
is "$(census autumn-2026 | sed -n 3p)" "$A,F,6,113,more than 12 weeks,moved-away-unknown,Not known where the child is" \
	"an LA's census-reasons.map replaces the shipped category"
rm "$T/vocabulary.d/census-reasons.map"

# A bad line in the LA's map is a user error naming the file and line.
printf 'moved-away-unknown | Not known\nno bar on this line\n' > "$T/vocabulary.d/census-reasons.map"
ctl census --term autumn-2026 --csv --now 2026-12-01T00:00:00Z > /dev/null 2> "$T/err"
is "$?:$(cat "$T/err")" \
	"1:cmectl: $T/vocabulary.d/census-reasons.map:2: expected 'our-reason | DfE category'" \
	"a malformed census-reasons.map line is a user error naming the file and line"
rm "$T/vocabulary.d/census-reasons.map"

# The DfE's own date, when it sets another: 8 October, a week later.
is "$(ctl census --term autumn-2026 --census-date 08/10/2026 --csv --now 2026-12-01T00:00:00Z | sed -n 3p)" \
	"$A,F,6,120,more than 12 weeks,moved-away-unknown,Whereabouts unknown" \
	"--census-date moves the census: A missing 120 days at 8 October"
is "$(ctl census --term autumn-2026 --census-date 2026-10-08 --csv --now 2026-12-01T00:00:00Z | grep -c "^$F,")" \
	"1" "and F, opened on 5 October, is counted then"
# Easter 2026 is 5 April, 2027 28 March: spring ends on Easter Sunday.
for bad in 'autumn-2026 2027-01-05' 'autumn-2026 31/08/2026' 'spring-2026 06/04/2026' 'summer-2027 28/03/2027' 'autumn-2026 31/02/2026'; do
	set -- $bad
	ctl census --term "$1" --census-date "$2" --csv --now 2027-12-01T00:00:00Z > /dev/null 2>&1
	is "$?" "1" "--term $1 --census-date $2 (not in the term) is a user error"
done
is "$(ctl census --term spring-2026 --census-date 05/04/2026 --csv --now 2026-12-01T00:00:00Z | head -1)" \
	"ref,sex,year_group,days_missing,time_missing_band,reason,dfe_reason" \
	"Easter Sunday (5 April 2026) is still in the spring term"

# Every reason of our vocabulary has a DfE category.
missing=$(awk -F'|' '/^[a-z]/ {gsub(/ /, "", $1); print $1}' "$top_srcdir/vocabulary/reasons.vocab" | sort -u |
	while read -r r; do grep -q "^$r *|" "$top_srcdir/vocabulary/census-reasons.map" || echo "$r"; done)
is "$missing" "" "census-reasons.map maps every reason of reasons.vocab"

# Spring: census the third Thursday of January; not yet come at --now.
ctl census --term spring-2027 --csv --now 2026-12-01T00:00:00Z > /dev/null 2> "$T/err"
is "$?" "1" "a census date still to come is a user error"
is "$(wc -l < "$T/err")" "1" "with one line"
for bad in winter-2026 autumn autumn-26 autumn-2026x ''; do
	ctl census --term "$bad" --csv --now 2026-12-01T00:00:00Z > /dev/null 2> "$T/err"
	is "$?" "1" "--term '$bad' is a user error"
done
ctl census --csv > /dev/null 2>&1
is "$?" "1" "no --term is a user error"
echo "1..$n"
