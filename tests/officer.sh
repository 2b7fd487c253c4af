#!/bin/bash
# officer.sh - the officer's actions (SPEC 3.3, 5.6; issue 13): cmectl
# edit, note, assign, merge, reopen, transfer and done on a real database,
# each checked for the change, its timeline event (who, old and new) and
# the reminder mails it queues (CANCEL/REQUEST rows in the outbox, and
# what SendmailPath was given).  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
T=$(mktemp -d /tmp/cme-officer.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$top_srcdir/tests/lib/tap.sh"
F=$top_srcdir/tests/fixtures/e2e

. "$top_srcdir/tests/lib/cme.sh"
cme_state_init "$T" || bail "cannot make the state directory"
# A submission program that keeps each mail (recipient first) in $T/mail.
cat > "$T/sendmail" <<EOF
#!/bin/sh
for a; do to=\$a; done
f=\$(mktemp "$T/mail/m.XXXXXX")
{ echo "X-Test-To: \$to"; cat; } > "\$f"
EOF
chmod +x "$T/sendmail"
C=$T/o.conf
cme_conf_write "$C" "$T" 0 UserID root NotifyOfficers yes SendmailPath "$T/sendmail" \
	DutyOfficer duty@la.test
ctl() { "$CMECTL" -c "$C" "$@"; }
# field REF KEY: a key of `cmectl show REF --json` (JSON text for non-strings)
field() { ctl show "$1" --json | $PY -c "import json,sys; d=json.load(sys.stdin); v=d.get('$2'); print('' if v is None else (v if isinstance(v,str) else json.dumps(v)))"; }
# events REF TYPE: the details of REF's timeline events of TYPE, one a line
events() { ctl show "$1" --json | $PY -c "import json,sys; [print(e['detail']) for e in json.load(sys.stdin)['timeline'] if e['type']=='$2']"; }
sql() { sqlite3 "$T/state/cases.db" "$1"; }
# refused DESC TEXT CMD...: the command exits 1 with TEXT in its one-line error.
refused() {
	local desc=$1 want=$2 st; shift 2
	ctl "$@" >/dev/null 2>"$T/refused.err"; st=$?
	[ "$st" = 1 ] && [ "$(wc -l < "$T/refused.err")" = 1 ] && grep -qF -- "$want" "$T/refused.err"
	ok $? "$desc" || diag "exit $st: $(cat "$T/refused.err")"
}

a=$(ctl ingest --now 2026-11-02T10:00:00Z "$F/referral.eml" | awk '{print $3}')
b=$(ctl ingest --now 2026-11-02T10:05:00Z "$F/referral2.eml" | awk '{print $3}')
is "$a $b" "CME-2026-00001 CME-2026-00002" "two referrals open two cases"

# --- edit ---------------------------------------------------------------
ctl edit "$a" surname=Brennan dob=06/11/2015 --now 2026-11-03T09:00:00Z >/dev/null
ok $? "edit: exit 0"
is "$(field "$a" surname) $(field "$a" dob)" "Brennan 2015-11-06" "edit: surname and a UK-form DOB stored (DOB as ISO)"
is "$(events "$a" edit | paste -sd '|')" 'surname corrected: "Hartley" -> "Brennan"|dob corrected: "2016-09-14" -> "2015-11-06"' \
	"edit: one timeline event per field, with the old and the new value"
is "$(sql "SELECT source FROM events WHERE type = 'edit' GROUP BY source")" "cmectl" "edit: the events' source is cmectl"
ctl edit "$a" surname=Other dob=31/02/2015 2>"$T/err"; st=$?
is "$st:$(field "$a" surname)" "1:Brennan" "edit: a bad value is a user error and nothing is stored (not even the good one)"
grep -q 'dob' "$T/err"; ok $? "edit: the error names the field"
refused "edit: a date of birth in the future is refused" "date of birth cannot be in the future" \
	edit "$a" dob=2030-01-01 --now 2026-11-03T09:00:00Z
refused "edit: a UPN whose check letter fails is refused" "not a valid UPN" edit "$a" upn=B801200005002
refused "edit: an unknown field is a user error" "unknown field colour" edit "$a" colour=red
ctl edit "$a" year_group=Reception "postcode=ip4 3ql" "reason=moved out of area" --now 2026-11-03T09:01:00Z >/dev/null
is "$(field "$a" year_group) $(field "$a" postcode) $(field "$a" reason)" "0 IP4 3QL moved-out-of-area" \
	"edit: year group, postcode and reason normalised"

# --- note ---------------------------------------------------------------
ctl note "$a" "Neighbour says the family left in October" --now 2026-11-03T11:00:00Z >/dev/null
is "$(events "$a" note)" "note: Neighbour says the family left in October" "note: on the timeline"
refused "note: an empty note is a user error" "an empty note" note "$a" ""

# --- assign -------------------------------------------------------------
before=$(sql "SELECT max(id) FROM outbox")
ctl assign "$a" jo.bloggs@la.test --now 2026-11-04T09:00:00Z >/dev/null
ok $? "assign: exit 0"
is "$(field "$a" officer)" "jo.bloggs@la.test" "assign: the case's officer changed"
is "$(events "$a" assign)" 'assigned: "duty@la.test" -> "jo.bloggs@la.test"' "assign: old and new officer on the timeline"
is "$(sql "SELECT method || ' ' || recipient || ' ' || uid FROM outbox WHERE id > $before ORDER BY id" | sed 's/@[^@]*$//' | paste -sd '|')" \
	"CANCEL duty@la.test CME-2026-00001-escalation-1|CANCEL duty@la.test CME-2026-00001-home-visit-1|CANCEL duty@la.test CME-2026-00001-long-term-review-1|REQUEST jo.bloggs@la.test CME-2026-00001-escalation-1|REQUEST jo.bloggs@la.test CME-2026-00001-home-visit-1|REQUEST jo.bloggs@la.test CME-2026-00001-long-term-review-1" \
	"assign: each live reminder is cancelled for the old officer and requested of the new"
is "$(sql "SELECT count(*) FROM outbox WHERE id > $before AND sent_at IS NOT NULL")" "6" "assign: the six mails were submitted"
R=$T/state/reminders
is "$(grep -c "^UID:$a-" "$R/duty@la.test.ics") $(grep -c "^UID:$a-" "$R/jo.bloggs@la.test.ics")" "0 3" \
	"assign: the case's events leave the old officer's feed and join the new officer's"
grep -l '^X-Test-To: jo.bloggs@la.test' "$T"/mail/m.* | xargs grep -l 'method=REQUEST' | wc -l | tr -d ' ' > "$T/n"
is "$(cat "$T/n")" "3" "assign: the new officer was sent three REQUESTs"
refused "assign: a bad address is a user error" "not-an-address is not an email address" assign "$a" not-an-address

# --- merge --------------------------------------------------------------
ctl merge "$b" "$(echo "$a" | tr A-Z a-z)" --now 2026-11-05T09:00:00Z >/dev/null
ok $? "merge: exit 0 (references case-insensitive)"
is "$(field "$b" status) $(field "$b" outcome) $(field "$b" merged_into)" "closed duplicate $a" \
	"merge: the duplicate is closed as duplicate and names the survivor"
is "$(field "$a" merged_cases)" "[\"$b\"]" "merge: the survivor lists the duplicate"
ctl show "$a" --json | $PY -c '
import json,sys; d=json.load(sys.stdin)
g={(x["role"], x["name"]) for x in d.get("gained", [])}
sys.exit(0 if ("school","Westfield Academy") in g and ("referrer","Tom Okafor") in g else 1)'
ok $? "merge: the survivor gains the duplicate's school and referrer"
events "$a" state | grep -q "^\[from $b\] opened from ewo@westfield.sch.test"
ok $? "merge: the duplicate's timeline is visible from the survivor"
is "$(events "$b" state | head -1)|$(events "$b" merge)" "opened from ewo@westfield.sch.test|merged into $a" \
	"merge: the duplicate keeps its own timeline, and says where it went"
is "$(sql "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.ref = '$b' AND method = 'CANCEL'")" "3" \
	"merge: the duplicate's live reminders are cancelled"
cat > "$T/reply.eml" <<'EOF'
Authentication-Results: mx.la.test;
 dkim=pass header.d=westfield.sch.test header.s=mail;
 spf=pass smtp.mailfrom=westfield.sch.test;
 dmarc=pass header.from=westfield.sch.test
From: Tom Okafor <ewo@westfield.sch.test>
To: cme@la.test
Subject: Re: Referral to CME
Date: Fri, 06 Nov 2026 09:00:00 +0000
Message-ID: <reply-1@westfield.sch.test>
In-Reply-To: <20261118140537.77310@westfield.sch.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Any news?
EOF
is "$(ctl ingest --now 2026-11-06T09:00:00Z "$T/reply.eml" | awk '{print $3}')" "$a" \
	"merge: a reply to the duplicate's message finds the survivor"
refused "merge: a case into itself is a user error" "cannot be merged into itself" merge "$a" "$a"
refused "merge: a case merged already is a user error" "$b was merged into $a already" merge "$b" "$a"

# --- transfer, reopen ---------------------------------------------------
ctl transfer "$a" --to-la "Leeds City Council" --email cme@leeds.test --now 2026-11-09T09:00:00Z >/dev/null
ok $? "transfer: exit 0"
is "$(field "$a" status) $(field "$a" outcome)" "closed moved-out-of-area" "transfer: closed as moved-out-of-area"
is "$(field "$a" transferred_to)" '{"la": "Leeds City Council", "email": "cme@leeds.test"}' "transfer: the receiving LA recorded"
m=$(grep -l '^X-Test-To: cme@leeds.test' "$T"/mail/m.* | head -1)
$PY - "$m" <<'EOF'
import email, sys
m = email.message_from_file(open(sys.argv[1]))
body = m.get_payload(decode=True).decode()
want = ["Surname: Brennan", "Date of birth: 2015-11-06", "UPN: B801200005001",
        "Last known address: 7 Mill Close", "Last school: Oakfield Primary School",
        "Our reference: CME-2026-00001", "Our contact: cme@la.test", "Family:"]
missing = [w for w in want if w not in body]
sys.exit(1 if missing or "Brennan" in m["Subject"] or m.get_content_type() != "text/plain" else 0)
EOF
ok $? "transfer: the LA is sent a plain-text notification of the child (no name in its Subject)"
refused "transfer: a closed case is not transferred again" "is closed already" transfer "$a" --to-la "Leeds"
pre=$(field "$a" status)
before=$(sql "SELECT max(id) FROM outbox")
ctl reopen "$a" --now 2026-11-20T09:00:00Z >/dev/null
ok $? "reopen: exit 0"
is "$pre>$(field "$a" status):$(field "$a" outcome):$(field "$a" transferred_to)" "closed>open::" "reopen: closed to open, the old outcome and transfer cleared"
events "$a" state | grep -q '^reopened (was closed, outcome moved-out-of-area)'
ok $? "reopen: the old outcome kept on the timeline"
is "$(sql "SELECT method || ' ' || recipient FROM outbox WHERE id > $before GROUP BY method, recipient")" "REQUEST jo.bloggs@la.test" \
	"reopen: new REQUESTs for the case's officer"
is "$(sql "SELECT generation FROM cases WHERE ref = '$a'")" "2" "reopen: the case's reminder generation rose (new event UIDs)"
ctl show "$a" --json | $PY -c '
import json,sys; d=json.load(sys.stdin)
hv=[x for x in d["deadlines"] if x["kind"]=="home-visit"][0]
sys.exit(0 if hv["status"]=="pending" and hv["due"] > "2026-11-20" else 1)'
ok $? "reopen: new deadlines from the reopening time"
refused "reopen: an open case is a user error" "is not closed (it is open)" reopen "$a"
refused "reopen: a merged duplicate is not reopened" "was merged into $a" reopen "$b"

# --- done immediate -----------------------------------------------------
refused "done: a case without an immediate step is a user error" "has no pending immediate step" done "$a" immediate
c=$(ctl ingest --now 2026-11-21T09:00:00Z "$top_srcdir/tests/fixtures/referrals/16-base64-child-protection.eml" | awk '{print $3}')
is "$(ctl show "$c" --json | $PY -c 'import json,sys; print([x["status"] for x in json.load(sys.stdin)["deadlines"] if x["kind"]=="immediate"])')" "['pending']" \
	"(a child-protection referral has a pending immediate step)"
before=$(sql "SELECT max(id) FROM outbox")
ctl done "$c" immediate --now 2026-11-21T10:00:00Z >/dev/null
ok $? "done: exit 0"
is "$(ctl show "$c" --json | $PY -c 'import json,sys; print([x["status"] for x in json.load(sys.stdin)["deadlines"] if x["kind"]=="immediate"])')" "['met']" \
	"done: the immediate step is met"
is "$(sql "SELECT DISTINCT method || ' ' || uid FROM outbox WHERE id > $before" | sed 's/@[^@]*$//')" "CANCEL $c-immediate-1" \
	"done: its reminder is cancelled"
refused "done: only the immediate step" "only the immediate step is marked done" done "$c" escalation

# --- SPEC 5.6: officers act by email --------------------------------------
E=$top_srcdir/tests/fixtures/officer
rm -f "$T"/mail/m.* "$T"/state/cases.db*
ingest() { ctl ingest --now "$1" "$2" | awk '{print $2, $3}'; }
is "$(ingest 2026-11-02T10:00:00Z "$F/referral.eml")" "opened CME-2026-00001" "(email) a referral opens CME-2026-00001"
is "$(ingest 2026-11-03T08:00:00Z "$E/calendar-reply.eml")" "ignored CME-2026-00001" \
	"a calendar REPLY (Accepted) changes nothing"
is "$(events CME-2026-00001 ack)" "calendar reply from jo.bloggs@la.test: accepted (an acknowledgement; nothing changed)" \
	"it is recorded as an acknowledgement"
before=$(sql "SELECT max(id) FROM outbox")
is "$(ingest 2026-11-03T09:11:00Z "$E/correct-surname.eml")" "updated CME-2026-00001" "an officer's correction by email: updated"
is "$(field CME-2026-00001 surname)" "Brennan" "the surname is corrected"
is "$(events CME-2026-00001 edit)" 'surname corrected: "Hartley" -> "Brennan" (by jo.bloggs@la.test)' \
	"the edit is on the timeline with who, old and new"
is "$(sql "SELECT source FROM events WHERE type = 'edit'")" "<officer-correct-1@la.test>" "its source is the message"
events CME-2026-00001 message | grep '^Colour of door: blue$' >/dev/null
ok $? "the officer's whole text is kept on the timeline"
is "$(sql "SELECT method || ' ' || recipient FROM outbox WHERE id > $before")" "NOTICE jo.bloggs@la.test" \
	"one confirmation, to the officer, through the outbox"
m=$(grep -l '^X-Test-To: jo.bloggs@la.test' "$T"/mail/m.* | head -1)
$PY - "$m" <<'EOF'
import email, sys
m = email.message_from_file(open(sys.argv[1]))
body = m.get_payload(decode=True).decode()
ok = ('surname corrected: "Hartley" -> "Brennan"' in body and "Not understood" in body
      and "Colour of door: blue" in body and "CME-2026-00001" in m["Subject"]
      and "Amelia" not in m["Subject"] and "Brennan" not in m["Subject"])
sys.exit(0 if ok else 1)
EOF
ok $? "the confirmation says what changed and what was not understood (no name in its Subject)"
is "$(ingest 2026-11-03T09:12:00Z "$E/unauthenticated.eml" | awk '{print $1}')$(field CME-2026-00001 surname)" "unverifiedBrennan" \
	"the same lines unauthenticated change nothing (unverified, no new case)"
before=$(sql "SELECT max(id) FROM outbox")
is "$(ingest 2026-11-03T09:13:00Z "$E/out-of-office.eml") $(sql "SELECT count(*) FROM outbox WHERE id > $before")" "ignored  0" \
	"an officer's out-of-office reply is no action and gets no confirmation"
is "$(ingest 2026-11-04T16:31:00Z "$E/prose-visit.eml")|$(events CME-2026-00001 visit)" \
	"updated CME-2026-00001|home visit 2026-11-04: child seen (by jo.bloggs@la.test)" \
	"a visit written in prose is recorded as a visit, child seen"
is "$(field CME-2026-00001 status)" "visited" "the case is visited"
before=$(sql "SELECT max(id) FROM outbox")
is "$(ingest 2026-11-05T08:01:00Z "$E/reassign.eml")|$(field CME-2026-00001 officer)" \
	"updated CME-2026-00001|sam.smith@la.test" "a reassignment by email gives the case its new officer"
is "$(sql "SELECT method || ' ' || recipient || ' ' || substr(uid, 16) FROM outbox WHERE id > $before AND method <> 'NOTICE' ORDER BY id" | sed 's/@[^@]*$//' | paste -sd '|')" \
	"CANCEL duty@la.test escalation-1|CANCEL duty@la.test long-term-review-1|REQUEST sam.smith@la.test escalation-1|REQUEST sam.smith@la.test long-term-review-1" \
	"the old officer's live reminders are cancelled, the new officer's requested"
is "$(ingest 2026-11-18T14:06:00Z "$F/referral2.eml")" "opened CME-2026-00002" "(email) a second school's referral opens CME-2026-00002"
n0=$(sql "SELECT count(*) FROM cases")
is "$(ingest 2026-11-19T09:01:00Z "$E/school-correction.eml")" "updated CME-2026-00002" \
	"a school's authenticated reply correcting its referral updates its case"
is "$(sql "SELECT count(*) FROM cases")" "$n0" "and opens no second case"
is "$(field CME-2026-00002 surname) $(field CME-2026-00002 dob)" "Nowakowski 2012-04-03" "surname and DOB corrected"
is "$(events CME-2026-00002 edit | paste -sd '|')" \
	'surname corrected: "Nowak" -> "Nowakowski" (by ewo@westfield.sch.test)|dob corrected: "2013-02-03" -> "2012-04-03" (by ewo@westfield.sch.test)|year_group corrected: "9" -> "10" (by ewo@westfield.sch.test)' \
	"old and new on the timeline, with who (the year group follows the new DOB, as the extractor reads it)"

# a reply to one of our reminder mails names its case (no reference in it)
mid=$(sql "SELECT message_id FROM outbox WHERE method = 'REQUEST' AND recipient = 'sam.smith@la.test' LIMIT 1")
sed -e '/^Subject:/,$d' "$E/reassign.eml" > "$T/reply-reminder.eml"
cat >> "$T/reply-reminder.eml" <<EOF
Subject: RE: Escalation due
Date: Fri, 06 Nov 2026 17:00:00 +0000
Message-ID: <officer-reply-reminder-1@la.test>
In-Reply-To: $mid
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

visited today, no answer
EOF
sed -i 's/^From: .*/From: Sam Smith <sam.smith@la.test>/' "$T/reply-reminder.eml"
is "$(ingest 2026-11-06T17:01:00Z "$T/reply-reminder.eml")|$(events CME-2026-00001 visit | tail -1)" \
	"updated CME-2026-00001|home visit 2026-11-06: child not found (by sam.smith@la.test)" \
	"a reply to a reminder mail acts on its case: a visit today, no answer"
before=$(sql "SELECT max(id) FROM outbox")
is "$(ingest 2026-11-20T10:01:00Z "$E/transfer.eml")|$(field CME-2026-00002 outcome)|$(field CME-2026-00002 transferred_to)" \
	'closed CME-2026-00002|moved-out-of-area|{"la": "Leeds City Council", "email": "cme@leeds.test"}' \
	"Transfer: by email closes the case as moved out of area, the LA recorded"
is "$(sql "SELECT recipient FROM outbox WHERE id > $before AND method = 'NOTICE' ORDER BY id" | paste -sd ' ')" \
	"cme@leeds.test jo.bloggs@la.test" "the receiving LA is notified, the officer confirmed"
is "$(ingest 2026-11-23T10:01:00Z "$E/reopen-merge.eml")|$(field CME-2026-00002 outcome)|$(field CME-2026-00002 merged_into)" \
	"closed CME-2026-00002|duplicate|CME-2026-00001" \
	"Reopen then Merge: by email: the case reopened, then merged into the one named"
events CME-2026-00002 state | grep '^reopened (was closed, outcome moved-out-of-area)' >/dev/null
ok $? "the reopening is on its timeline"
m=$(ls -t "$T"/mail/m.* | xargs grep -l '^X-Test-To: jo.bloggs@la.test' | head -1)
$PY -c 'import email,sys; m=email.message_from_file(open(sys.argv[1])); print(m.get_payload(decode=True).decode())' "$m" |
	grep 'Immediate: done -- CME-2026-00002 has no pending immediate step' >/dev/null
ok $? "a refused line (no immediate step) is reported in the confirmation with its reason"

sed -e 's/CME-2026-00002/CME-2026-00001/' -e 's/officer-transfer-1/officer-outcome-1/' \
    -e 's/^Transfer: .*/Outcome: located-on-roll, Park Lane Primary/' "$E/transfer.eml" > "$T/outcome.eml"
is "$(ingest 2026-11-24T10:01:00Z "$T/outcome.eml")|$(field CME-2026-00001 outcome)|$(field CME-2026-00001 new_school)" \
	"closed CME-2026-00001|located-on-roll|Park Lane Primary" \
	"Outcome: located-on-roll, SCHOOL closes the case and records the new school"

# merge of a child with a sibling: the sibling is the survivor's
mkdir -p "$T/sib"
sed -e "s|$T/state/|$T/sib/|" "$C" > "$T/sib.conf"
sib() { "$CMECTL" -c "$T/sib.conf" "$@"; }
sib ingest --now 2026-11-02T10:00:00Z "$F/referral.eml" "$top_srcdir/tests/fixtures/referrals/11-child-blocks.eml" >/dev/null
sibs() { sib show "$1" --json | $PY -c 'import json,sys; print(",".join(json.load(sys.stdin).get("siblings") or []))'; }
pre="$(sibs CME-2026-00003)"
sib merge CME-2026-00002 CME-2026-00001 --now 2026-11-03T10:00:00Z >/dev/null
is "$pre > $(sibs CME-2026-00001)|$(sibs CME-2026-00002)|$(sibs CME-2026-00003)" "CME-2026-00002 > CME-2026-00003||CME-2026-00001" \
	"merge: the duplicate's sibling becomes the survivor's, and the duplicate leaves the group"

# NotifyOfficers no: the change is made, no mail is queued
mkdir -p "$T/quiet"
sed -e "s|^NotifyOfficers .*|NotifyOfficers        no|" -e "s|$T/state/|$T/quiet/|" "$C" > "$T/quiet.conf"
"$CMECTL" -c "$T/quiet.conf" ingest --now 2026-11-02T10:00:00Z "$F/referral.eml" >/dev/null
"$CMECTL" -c "$T/quiet.conf" ingest --now 2026-11-03T09:11:00Z "$E/correct-surname.eml" >/dev/null
is "$("$CMECTL" -c "$T/quiet.conf" show CME-2026-00001 --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["surname"])') $(sqlite3 "$T/quiet/cases.db" "SELECT count(*) FROM outbox")" \
	"Brennan 0" "NotifyOfficers no: the correction is made and no confirmation is queued"

# --- help ---------------------------------------------------------------
bad=
for cmd in edit note assign merge reopen transfer done; do
	ctl "$cmd" --help | grep -q "^usage: cmectl .*$cmd" || bad="$bad $cmd"
done
is "$bad" "" "every officer command has --help (exit 0)"

echo "1..$n"
[ "$failed" -eq 0 ]
