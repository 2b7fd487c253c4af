#!/bin/bash
# digest.sh - the daily work of issue 14 (SPEC 7) on a private database,
# through cmectl: reminders that say what to do, the immediate mail that
# interrupts, the daily digest on a given --now, missed deadlines that
# escalate once, minimal mode, and exactly once across two runs.
# Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
F=$top_srcdir/tests/fixtures/referrals
T=$(mktemp -d /tmp/cme-digest.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cme.sh"

# setup DIR [KEY VALUE]...: a configuration whose SendmailPath keeps each
# mail as DIR/mail/N.eml
setup() {
	local d=$1; shift
	mkdir -p "$d/mail"
	printf '#!/bin/sh\nn=$(ls %s | wc -l)\ncat > %s/$((n + 1)).eml\n' "$d/mail" "$d/mail" > "$d/sendmail"
	chmod +x "$d/sendmail"
	# the shared configuration, then this test's keys (later lines win)
	cme_conf_write "$d/c.conf" "$d" 0 UserID root Database "$d/cases.db" \
		PolicyDir "$top_srcdir/policies" CalendarDir "$top_srcdir/calendars" \
		ShippedVocabularyDir "$top_srcdir/vocabulary" \
		ReminderDir "$d/reminders" DutyOfficer duty@la.test \
		EscalationContact manager@la.test NotifyOfficers yes SendmailPath "$d/sendmail" "$@"
}
# text_of FILE: the text/plain part of a mail, decoded
text_of() {
	$PY -c 'import email,sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_content_type() == "text/plain":
        sys.stdout.write(p.get_payload(decode=True).decode())' "$1"
}
subject_of() { $PY -c 'import email,email.header,sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(str(email.header.make_header(email.header.decode_header(m["Subject"]))))' "$1"; }
mails_to() { grep -l "^To: <$2>" "$1"/mail/*.eml 2>/dev/null; }
nmail() { ls "$1/mail" | wc -l; }

# Tuesday 1 December 2026 10:00: a child-protection referral (immediate);
# Wednesday 2 December 10:00: a plain one; Thursday 3 December 10:00: one
# more.  Home visits (3 working days) fall due Fri 4, Mon 7 and Tue 8.
D=$T/a; setup "$D"
C="$CMECTL -c $D/c.conf"
$C ingest --now 2026-12-01T10:00:00Z "$F/16-base64-child-protection.eml" > "$D/in1" 2>&1
$C ingest --now 2026-12-02T10:00:00Z "$F/01-sims-deletion-labels.eml" > "$D/in2" 2>&1
$C ingest --now 2026-12-03T10:00:00Z "$F/02-portal-synonyms-postcode.eml" > "$D/in3" 2>&1
r1=$(awk '{print $3}' "$D/in1"); r2=$(awk '{print $3}' "$D/in2"); r3=$(awk '{print $3}' "$D/in3")
is "$r1 $r2 $r3" "CME-2026-00001 CME-2026-00002 CME-2026-00003" "three cases open"

# --- item 5 and 2: what the first mails say -----------------------------
urgent=$(grep -l '^Subject: URGENT' "$D"/mail/*.eml | head -1)
[ -n "$urgent" ] && grep -q '^Importance: high' "$urgent" && grep -q '^X-Priority: 1' "$urgent"
ok $? "the immediate escalation's mail has Importance: high and X-Priority: 1"
is "$(subject_of "$urgent" | grep -o URGENT | wc -l)" "1" "URGENT once in its subject"
text_of "$urgent" > "$D/urgent.txt"
grep -q "What to do: Contact the MASH" "$D/urgent.txt" && grep -q "Immediate: done" "$D/urgent.txt" &&
	grep -q "cmectl done $r1 immediate" "$D/urgent.txt"
ok $? "it says what to do (the policy's immediate_action) and how to mark it done" || diag < "$D/urgent.txt"
hv=$(grep -l "^Subject: Home visit due: $r1" "$D"/mail/*.eml | head -1)
text_of "$hv" > "$D/hv.txt"
grep -q "by Friday 4 December, 17:00\." "$D/hv.txt"
ok $? "a home visit reminder gives the local time in words" || diag < "$D/hv.txt"
grep -q "^  Visit: DD/MM/YYYY HH:MM seen" "$D/hv.txt" &&
	grep -q "^mailto:cme@la.test?subject=%5B$r1%5D%20Visit&body=Visit%3A" "$D/hv.txt"
ok $? "and the reply line with a mailto: to the mailbox, [REF] in its subject" || diag < "$D/hv.txt"
! grep -l '^Importance' $(grep -L '^Subject: URGENT' "$D"/mail/*.eml) > /dev/null 2>&1
ok $? "no other reminder claims high importance"

# --- item 3: the digest on a given --now ------------------------------------
n_before=$(nmail "$D")
$C digest --officer duty@la.test --now 2026-12-07T08:00:00Z > "$D/digest.txt" 2>&1
sed -n '/^Overdue:/,/^$/p' "$D/digest.txt" > "$D/overdue"
sed -n '/^Due today:/,/^$/p' "$D/digest.txt" > "$D/today"
sed -n '/^Due in the next 5 working days:/,/^$/p' "$D/digest.txt" > "$D/soon"
grep -q "$r1 .*home visit, due Friday 4 December, 17:00 - 3 days late" "$D/overdue"
ok $? "Monday 7 December 08:00: $r1's home visit is overdue, 3 days late" || diag < "$D/digest.txt"
grep -q "$r1 .*immediate escalation" "$D/overdue"
ok $? "and its immediate escalation, not marked done, is overdue too" || diag < "$D/digest.txt"
grep -q "$r2 .*home visit, due Monday 7 December, 17:00" "$D/today" && ! grep -q "$r2" "$D/overdue"
ok $? "$r2's home visit is due today" || diag < "$D/digest.txt"
grep -q "$r3 .*home visit, due Tuesday 8 December, 17:00" "$D/soon"
ok $? "$r3's is in the next 5 working days" || diag < "$D/digest.txt"
! grep -q "long-term review" "$D/digest.txt" && ! grep -q "escalation, due .* January" "$D/digest.txt"
ok $? "nothing due further away is listed" || diag < "$D/digest.txt"
is "$(nmail "$D")" "$n_before" "printing the digest sends nothing"
$C show "$r1" --json | grep -q '"status": "missed"'
is "$?" "1" "printing the digest changes nothing (no deadline marked missed)"

# --- minimal mode: no name anywhere; no name in any subject in full mode ----
names=$($C show "$r1" --json | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["forename"]); print(d["surname"])')
for ref in "$r2" "$r3"; do
	names="$names
$($C show "$ref" --json | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["forename"] or ""); print(d["surname"] or "")')"
done
names=$(echo "$names" | grep -v '^$')
[ "$(echo "$names" | wc -l)" -ge 4 ]; ok $? "the children's names are known (the leak checks below are not empty)"
leak=0; while read -r nm; do grep -qF "$nm" "$D/digest.txt" && leak=1; done <<< "$names"
is "$leak" "0" "minimal mode: no forename or surname in the digest"

# --- item 4: missed deadlines escalate once, exactly once across runs -------
$C digest --send --now 2026-12-07T09:30:00Z > "$D/send1" 2>&1
ok $? "cmectl digest --send" || diag < "$D/send1"
n1=$(nmail "$D")
$C digest --send --now 2026-12-07T09:45:00Z > "$D/send2" 2>&1
is "$(nmail "$D")" "$n1" "a second run the same day sends nothing more"
missed=$(grep -l "^Subject: Missed: home visit $r1" "$D"/mail/*.eml)
is "$(echo "$missed" | grep -c .)" "1" "the missed home visit is reported exactly once"
grep -q '^To: <manager@la.test>' $missed
ok $? "to the EscalationContact"
is "$($C show "$r1" --json | $PY -c 'import json,sys; print([d["status"] for d in json.load(sys.stdin)["deadlines"] if d["kind"] == "home-visit"][0])')" \
	"missed" "its status is missed"
$C show "$r1" --json | grep -q '"detail": "missed: home-visit due Friday 4 December, 17:00"'
ok $? "and it is on the timeline"
$C report --month 2026-12 --now 2026-12-07T12:00:00Z > "$D/report" 2>&1
grep -Eq '^ +missed +[1-9]' "$D/report"
ok $? "the report counts it missed" || diag < "$D/report"
is "$(mails_to "$D" duty@la.test | xargs grep -l '^Subject: CME daily digest 2026-12-07' | wc -l)" "1" \
	"the officer gets one digest"
is "$(mails_to "$D" manager@la.test | xargs grep -l '^Subject: CME overdue deadlines 2026-12-07' | wc -l)" "1" \
	"the EscalationContact gets one overdue digest"
rep=$(grep -l "^Subject: Not yet done: URGENT" "$D"/mail/*.eml | wc -l)
is "$rep" "2" "the immediate escalation not done is repeated to the officer and the contact"
urg=$(grep -l "^Subject: Not yet done: URGENT" "$D"/mail/*.eml | head -1)
grep -q '^Importance: high' "$urg"; ok $? "the repeat is high importance too"
$C digest --send --now 2026-12-08T09:30:00Z > /dev/null 2>&1
is "$(grep -l "^Subject: Not yet done: URGENT" "$D"/mail/*.eml | wc -l)" "4" "and repeated the next working day"
is "$(grep -l "^Subject: Missed: home visit $r1" "$D"/mail/*.eml | wc -l)" "1" \
	"a later day reports the same missed deadline no more"
$C digest --send --now 2026-12-12T09:30:00Z > /dev/null 2>&1
n_sat=$(grep -l "^Subject: Not yet done: URGENT" "$D"/mail/*.eml | wc -l)
is "$n_sat" "4" "no repeat on a Saturday"
leak=0
for m in "$D"/mail/*.eml; do
	s=$(subject_of "$m"); t=$(text_of "$m")
	while read -r nm; do
		case "$s$t" in *"$nm"*) leak=1; echo "# $nm in $m";; esac
	done <<< "$names"
done
is "$leak" "0" "minimal mode: no name in any mail, subject or text"

# --- full mode: the name in the text, never in a subject --------------------
E=$T/b; setup "$E" ReminderDetail full
CE="$CMECTL -c $E/c.conf"
$CE ingest --now 2026-12-01T10:00:00Z "$F/16-base64-child-protection.eml" > /dev/null 2>&1
$CE digest --send --now 2026-12-07T09:30:00Z > /dev/null 2>&1
sur=$($CE show "$r1" --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["surname"])')
insub=0; for m in "$E"/mail/*.eml; do subject_of "$m" | grep -qF "$sur" && insub=1; done
is "$insub" "0" "full mode: no surname in any subject"
$CE digest --officer duty@la.test --now 2026-12-07T08:00:00Z | grep -qF "$sur"
ok $? "full mode: the digest text names the child"

# --- digest_time is a policy key, checked with file:line --------------------
sed 's/^name .*/name = bad/' "$top_srcdir/policies/default.policy" > "$T/bad.policy"
echo "digest_time      = 25:99" >> "$T/bad.policy"
$CMECTL -c "$D/c.conf" deadlines --policy "$T/bad.policy" --from 2026-12-01T10:00:00Z > "$T/bad.out" 2>&1
grep -q "bad.policy:$(wc -l < "$T/bad.policy"):.*digest_time" "$T/bad.out"
ok $? "a bad digest_time is reported as file:line" || diag < "$T/bad.out"

echo "1..$n"
[ "$failed" -eq 0 ]
