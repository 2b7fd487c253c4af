#!/bin/bash
# cmectl.sh - cmectl end to end on a real database: the ingest sequence
# of SPEC section 5 (on ../shared/samples when present, and always on the
# project's own fixtures), the officer tools, the monthly report figures,
# reopening, long-term and the retention purge.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
T=$(mktemp -d /tmp/cme-cmectl.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$top_srcdir/tests/lib/tap.sh"

. "$top_srcdir/tests/lib/cmectl-conf.sh"
# conf CONF DIR: the shared configuration, the LA portal trusted too, and
# officers notified (the default) unless a test says otherwise.
conf() {
	cmectl_conf_write "$1" "$2" TrustedSenderDomains portal.la.test \
		NotifyOfficers yes
}
# field REF KEY: a key of `cmectl show REF`
field() { "$CMECTL" -c "$C" show "$1" --json | $PY -c "import json,sys; d=json.load(sys.stdin); v=d.get('$2'); print('' if v is None else (v if isinstance(v,str) else json.dumps(v)))"; }
ncases() { "$CMECTL" -c "$C" cases --status "${1:-all}" --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

NOW=2026-11-22T10:00:00Z
S=$top_srcdir/../shared/samples

# --- SPEC 5: the samples in order into one empty database ---------------
if [ -d "$S" ]; then
	C=$T/s.conf; conf "$C" "$T/s"
	for f in "$S"/*.eml; do "$CMECTL" -c "$C" ingest --now "$NOW" "$f"; done > "$T/ingest.out" 2>&1
	act() { awk -v id="$1" '$1 == id { $1 = ""; sub(/^ /, ""); print }' "$T/ingest.out"; }
	is "$(act '<portal-20261103-0001@portal.la.test>')" "opened CME-2026-00001" "samples: 01 opens CME-2026-00001"
	is "$(act '<visit-1105-tr@la.test>')" "updated CME-2026-00001" "samples: 14 updates it"
	"$CMECTL" -c "$C" show CME-2026-00001 --json | grep -q '"detail": "home visit 2026-11-05 10:30: child not found (by t.reilly@la.test)"'
	ok $? "samples: 14 records a home visit (not found) on CME-2026-00001"
	is "$(act '<reply-1117-ps@northgate.sch.test>')" "closed CME-2026-00001" "samples: 06 closes it"
	is "$(field CME-2026-00001 outcome)" "located-on-roll" "samples: closed as located-on-roll"
	is "$(act '<spoof-77@attacker.test>')" "unverified CME-2026-00001" "samples: 07 is unverified"
	is "$(act '<ooo-1120@northgate.sch.test>')" "ignored" "samples: 08 opens nothing"
	is "$(act '<20261119120000.ABC123@mx.la.test>')" "ignored" "samples: 09 opens nothing"
	is "$(act '<evans-0911@randalcremer.sch.test>' | wc -w)" "3" "samples: 04 opens two cases"
	sib=$(act '<evans-0911@randalcremer.sch.test>' | awk '{print $3}')
	is "$(field "$(act '<evans-0911@randalcremer.sch.test>' | awk '{print $2}')" siblings)" "[\"$sib\"]" "samples: 04's two cases are linked as siblings"
	is "$(act '<csv-1112@eastbrook.sch.test>' | wc -w)" "4" "samples: 11 opens three cases"
	is "$(act '<broken-1@school.test>' | awk '{print $1}')" "triage" "samples: 13 opens a triage case"
	before=$(ncases)
	for f in "$S"/*.eml; do "$CMECTL" -c "$C" ingest --now "$NOW" "$f"; done > "$T/again.out" 2>&1
	is "$(awk '{print $2}' "$T/again.out" | sort -u)" "duplicate" "samples: re-ingesting everything says duplicate"
	is "$(ncases)" "$before" "samples: and changes nothing"
else
	echo "# ../shared/samples not present: sample sequence skipped"
fi

# --- the project's own fixtures ----------------------------------------
F=$top_srcdir/tests/fixtures/e2e
C=$T/o.conf; conf "$C" "$T/o"
out=$("$CMECTL" -c "$C" ingest --now 2026-11-02T10:00:00Z "$F/referral.eml")
ref=$(echo "$out" | awk '{print $3}')
is "$(echo "$out" | awk '{print $2}')" "opened" "fixture referral opens a case"
"$CMECTL" -c "$C" visit "$ref" --date 2026-11-03 --found no --note "no answer" --now 2026-11-03T11:00:00Z >/dev/null
ok $? "cmectl visit records a visit"
is "$(field "$ref" status)" "visited" "the case is visited"
"$CMECTL" -c "$C" show "$ref" --json | $PY -c '
import json,sys; d=json.load(sys.stdin)
hv=[x for x in d["deadlines"] if x["kind"]=="home-visit"][0]
sys.exit(0 if hv["status"]=="met" and hv["sequence"]==1 else 1)'
ok $? "the home-visit deadline is met and its SEQUENCE rose"
"$CMECTL" -c "$C" close "$ref" --outcome bogus 2>/dev/null
is "$?" "1" "close with an unknown outcome is a user error (exit 1)"
"$CMECTL" -c "$C" close NO-SUCH-REF --outcome duplicate 2>/dev/null
is "$?" "1" "close of an unknown case is a user error"
"$CMECTL" -c "$C" close "$ref" --outcome moved-out-of-area --now 2026-11-10T09:00:00Z >/dev/null
ok $? "cmectl close closes the case"
is "$(field "$ref" outcome)" "moved-out-of-area" "closed with its outcome"
"$CMECTL" -c "$C" report --month 2026-11 --csv --now 2026-12-01T00:00:00Z > "$T/r.csv"
is "$(sed -n 2p "$T/r.csv")" "2026-11,1,1,0,1,0,0,1,1,0" "report: opened 1, closed 1 (left the area), home visit met"
is "$(sed -n 3p "$T/r.csv")" "2026-11,closed:moved-out-of-area,1" "report: closures by outcome"
"$CMECTL" -c "$C" archive-form "$ref" | grep -q "Long-term CME case - 'archiving' form"
ok $? "archive-form prints the seed 001 Appendix 4 form"
# The form's databases are the policy's archive_check lines, in order.
{ grep -v '^archive_check' "$top_srcdir/policies/default.policy"
  printf 'archive_check = Our admissions system\narchive_check = Health visitors\n'; } > "$T/own.policy"
sed "s|^Policy .*|Policy $T/own.policy|" "$C" > "$T/own.conf"
"$CMECTL" -c "$T/own.conf" archive-form "$ref" > "$T/af.txt"
is "$(sed -n '/^Databases/,/^$/p' "$T/af.txt" | awk 'NF { sub(/ +$/, ""); print }' | tail -n +2 | paste -sd '|')" \
	"Our admissions system|Health visitors" "archive-form lists the policy's own databases"
grep -q 'Synergy' "$T/af.txt"
is "$?" "1" "and none of another borough's"
"$CMECTL" -c "$C" archive-form "$ref" | grep -q '^Synergy (Admissions) .*$'
ok $? "the shipped policies list the London borough's (Appendix 4)"
conf "$T/nv.conf" "$T/nv"
ref2=$("$CMECTL" -c "$T/nv.conf" ingest --now 2026-11-02T10:00:00Z "$F/referral2.eml" 2>/dev/null | awk '$2 == "opened" {print $3}')
"$CMECTL" -c "$T/nv.conf" archive-form "${ref2:-none}" | grep -q "last visit (if in-borough address): none recorded$"
ok $? "a case never visited says 'none recorded', whole"
# reopening: the same child referred again after closure
sed 's/^Message-ID: .*/Message-ID: <again-1@oak.sch.test>/' "$F/referral.eml" > "$T/again.eml"
out=$("$CMECTL" -c "$C" ingest --now 2026-11-20T10:00:00Z "$T/again.eml")
is "$out" "<again-1@oak.sch.test> opened $ref" "a closed child referred again reopens the same case"
is "$(field "$ref" status)" "open" "the case is open again"
is "$(field "$ref" outcome)" "" "reopened by a trusted sender: the old outcome is cleared"
"$CMECTL" -c "$C" show "$ref" --json | $PY -c '
import json,sys; d=json.load(sys.stdin)
noted = any(e["type"] == "state" and e["detail"].startswith("reopened") and
            "moved-out-of-area" in e["detail"] for e in d["timeline"])
hv = [x for x in d["deadlines"] if x["kind"] == "home-visit"][0]
sys.exit(0 if noted and hv["status"] == "pending" and "closed_at" not in d else 1)'
ok $? "the reopen is on the timeline with the old outcome, the home visit is due again"
# long-term after 6 months open
is "$("$CMECTL" -c "$C" cases --status long-term --now 2027-05-21T10:00:00Z --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')" "1" "open 6 months: long-term"
"$CMECTL" -c "$C" cases --status all --json | grep -q "\"$ref\""
ok $? "a long-term case is still listed and searchable"
# purge: DOB + 25 years
out2=$("$CMECTL" -c "$C" ingest --now 2026-11-20T10:00:00Z "$F/referral2.eml")
before=$(ncases)
"$CMECTL" -c "$C" purge --now 2030-01-01T00:00:00Z > "$T/p1"
is "$(ncases)" "$before" "purge removes nothing before DOB + 25 years"
"$CMECTL" -c "$C" purge --now 2045-01-01T00:00:00Z > "$T/p2" 2> "$T/p2.log"
grep -q "purged 2 case" "$T/p2"; ok $? "purge after DOB + 25 years removes the cases"
grep -q "retention purge: 2 case" "$T/p2.log"; ok $? "and logs that it did (counts only)"
is "$(ncases)" "0" "no case is left"
# --- SPEC 5.3: an unauthenticated referral of a closed child ---------
C=$T/u.conf; conf "$C" "$T/u"
ref=$("$CMECTL" -c "$C" ingest --now 2026-11-02T10:00:00Z "$F/referral.eml" | awk '{print $3}')
"$CMECTL" -c "$C" close "$ref" --outcome moved-out-of-area --now 2026-11-10T09:00:00Z >/dev/null
sed -e 's/^Message-ID: .*/Message-ID: <anon-1@public.test>/' \
    -e '/^Authentication-Results:/,/^ dmarc=/d' "$F/referral.eml" > "$T/anon.eml"
out=$("$CMECTL" -c "$C" ingest --now 2026-11-20T10:00:00Z "$T/anon.eml")
new=$(echo "$out" | awk '{print $3}')
is "$(echo "$out" | awk '{print $2}')" "opened" "unauthenticated referral of a closed child: a case opens"
[ -n "$new" ] && [ "$new" != "$ref" ]; ok $? "a new case ($new), not the closed $ref"
is "$(field "$new" previous_case)" "$ref" "cmectl show --json: the new case names the closed one"
is "$(field "$ref" later_cases)" "[\"$new\"]" "and the closed one lists the new one"
is "$(field "$ref" status) $(field "$ref" outcome) $(field "$ref" verified)" \
	"closed moved-out-of-area true" "the closed case is untouched: status, outcome, verified"
is "$(field "$new" verified)" "false" "the new case is unverified"

# --- SPEC 8: a school's MIS export; every child named gets a case -----
# mkcsv N ID SEED: a referral with an N-row CSV attachment
mkcsv() {
	$PY - "$@" <<'PYEOF'
import base64, sys
n, mid, seed = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = ["Surname,Forename,DOB,Gender,Year,Postcode,Date last attended,Reason"]
for i in range(n):
    a = seed + "".join(chr(97 + (i // 26 ** k) % 26) for k in range(3))
    rows.append("Row%s,Pupil%s,%02d/%02d/%d,%s,%d,IP%d %dQL,18/09/2026,Moved away"
                % (a, a, 1 + i % 28, 1 + (i // 28) % 12, 2010 + i % 8, "MF"[i % 2],
                   1 + i % 11, 1 + i % 9, i % 10))
csv = base64.encodebytes(("\r\n".join(rows) + "\r\n").encode()).decode()
print("Content-Type: multipart/mixed; boundary=B\nFrom: Data <data@east.sch.test>\n"
      "To: cme@la.test\nSubject: Removed from roll\nDate: Thu, 12 Nov 2026 13:00:00 +0000\n"
      "Message-ID: %s\n\n--B\nContent-Type: text/plain\n\nThe export is attached.\n\n"
      "--B\nContent-Type: text/csv\nContent-Transfer-Encoding: base64\n"
      "Content-Disposition: attachment; filename=export.csv\n\n%s\n--B--" % (mid, csv))
PYEOF
}
C=$T/x.conf; conf "$C" "$T/x"; echo "NotifyOfficers no" >> "$C"
mkcsv 500 '<mis-500@east.sch.test>' a > "$T/mis500.eml"
mkcsv 1010 '<mis-1010@east.sch.test>' b > "$T/mis1010.eml"
"$CMECTL" -c "$C" ingest --now "$NOW" "$T/mis500.eml" > "$T/mis500.out"
is "$(awk '{print $2, NF - 2}' "$T/mis500.out")" "opened 500" "a 500-row CSV export opens 500 cases"
is "$(ncases open)" "500" "500 open cases in the database"
"$CMECTL" -c "$C" ingest --now "$NOW" "$T/mis1010.eml" > "$T/mis1010.out"
is "$(awk '{print NF - 2}' "$T/mis1010.out")" "1001" "1010 rows: 1000 cases (the cap) and one more"
is "$(ncases triage)" "1" "the one more is a triage case"
tri=$("$CMECTL" -c "$C" cases --status triage --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["ref"])')
"$CMECTL" -c "$C" show "$tri" --json | $PY -c '
import json, sys
d = json.load(sys.stdin)
text = "".join(e["detail"] for e in d["timeline"] if e["type"] == "children")
want = ["Rowb%s, Pupilb%s" % (n, n) for n in
        ("".join(chr(97 + (i // 26 ** k) % 26) for k in range(3)) for i in range(1000, 1010))]
sys.exit(0 if all(w in text for w in want) and text.startswith("10 more children") else 1)'
ok $? "its timeline lists the 10 children past the cap, every one by name"
# One path for a visit (README, decisions): by email as by cmectl visit,
# a visit moves a triage case to visited and meets its home-visit deadline.
printf 'From: Tom Reilly <t.reilly@la.test>\nTo: cme@la.test\nSubject: Home visit - %s\nDate: Sat, 21 Nov 2026 13:00:00 +0000\nMessage-ID: <visit-tri@la.test>\nAuthentication-Results: mx.la.test; dkim=pass header.d=la.test header.s=sel1;\n spf=pass smtp.mailfrom=la.test; dmarc=pass header.from=la.test\n\nHome visit outcome\n\nCase: %s\nVisit date: 21/11/2026 10:30\nOutcome: No answer.\n' "$tri" "$tri" > "$T/visit-tri.eml"
is "$("$CMECTL" -c "$C" ingest --now "$NOW" "$T/visit-tri.eml")" "<visit-tri@la.test> updated $tri" "a visit by email to a triage case updates it"
is "$(field "$tri" status)" "visited" "and moves it to visited, as cmectl visit does"

# --- OfficerMap: postcode district, school, area; else DutyOfficer ----
C=$T/m.conf; conf "$C" "$T/m"
cat > "$T/officers.map" <<MAP
# district, school and area rules
HU1               ewo.hull@la.test
Oak Tree Academy  ewo.oak@la.test
IP                ewo.suffolk@la.test
MAP
echo "OfficerMap $T/officers.map" >> "$C"
mk() { printf 'From: a@b.sch.test\nTo: cme@la.test\nSubject: referral\nMessage-ID: <%s@b.sch.test>\n\nName: %s\nDate of birth: 01/02/2015\nPostcode: %s\nSchool: %s\n' "$@"; }
mk m1 "Ann One" "HU1 2AB" "Elm School" > "$T/m1.eml"
mk m2 "Bob Two" "HU9 9ZZ" "Oak Tree Academy" > "$T/m2.eml"
mk m3 "Cat Three" "IP4 1AA" "Elm School" > "$T/m3.eml"
mk m4 "Dan Four" "LS1 1AA" "Elm School" > "$T/m4.eml"
for i in 1 2 3 4; do "$CMECTL" -c "$C" ingest --now "$NOW" "$T/m$i.eml" > /dev/null; done
officers=$("$CMECTL" -c "$C" cases --json | $PY -c 'import json,sys; print(" ".join(c["officer"] for c in json.load(sys.stdin)))')
is "$officers" "ewo.hull@la.test ewo.oak@la.test ewo.suffolk@la.test duty@la.test" \
	"OfficerMap assigns by postcode district, then school, then area, else DutyOfficer"
[ -s "$T/m/reminders/ewo.hull@la.test.ics" ] && [ -s "$T/m/reminders/ewo.oak@la.test.ics" ]
ok $? "each assigned officer gets a feed of their own"
printf 'IP1\n' > "$T/bad.map"
sed -i "s|^OfficerMap .*|OfficerMap $T/bad.map|" "$C"
"$CMECTL" -c "$C" ingest --now "$NOW" "$T/m1.eml" > /dev/null 2> "$T/bad.err"
grep -q "bad.map:1:" "$T/bad.err"
ok $? "a broken OfficerMap is reported as file:line"

# --- reminders sent are on the timeline -------------------------------
C=$T/r.conf; conf "$C" "$T/r"
printf '#!/bin/sh\ncat > /dev/null\n' > "$T/sendmail-ok"; chmod +x "$T/sendmail-ok"
printf 'NotifyOfficers yes\nSendmailPath %s\n' "$T/sendmail-ok" >> "$C"
ref=$("$CMECTL" -c "$C" ingest --now "$NOW" "$F/referral.eml" | awk '{print $3}')
n_sent=$("$CMECTL" -c "$C" show "$ref" --json | $PY -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin)["timeline"] if e["type"] == "reminder"))')
# 3 events for a referral (alert_events digest: one event a deadline):
# the home visit, the escalation, the long-term review.
is "$n_sent" "3" "each reminder mail sent is a timeline event (3 for a new referral: one per deadline)"

# --- cme-milter: a live socket is never taken over, a stale one is -----
# optneg SOCKET: a milter protocol option negotiation on a unix socket;
# succeeds when a milter listening there answers it.
optneg() {
	$PY - "$1" <<'PYEOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(struct.pack(">IcIII", 13, b"O", 6, 0x1ff, 0x1fffff))
head = s.recv(5)
sys.exit(0 if len(head) == 5 and head[4:5] == b"O" else 1)
PYEOF
}
C=$T/s.conf; conf "$C" "$T/s"
SOCK=$T/s/milter.sock
echo "Socket local:$SOCK" >> "$C"
echo "StatusInterval 1" >> "$C"
"$top_builddir/cme-milter" -c "$C" -f > "$T/m1.log" 2>&1 &
m1=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
optneg "$SOCK"; ok $? "cme-milter listens on a local socket and answers" || diag < "$T/m1.log"
# StatusInterval: the periodic status line (issue 15 item 5)
for _ in $(seq 40); do grep -q 'status: messages processed' "$T/m1.log" && break; sleep 0.1; done
grep -q 'status: messages processed today [0-9]*, total [0-9]*; cases .*; reminder outbox [0-9]* unsent' "$T/m1.log"
ok $? "StatusInterval 1: the milter logs a one-line status (messages, cases, outbox)" || diag < "$T/m1.log"
"$top_builddir/cme-milter" -c "$C" -f > "$T/m2.log" 2>&1
is "$?" "1" "a second cme-milter on a live socket refuses to start"
grep -q "another milter is listening" "$T/m2.log"; ok $? "and says why" || diag < "$T/m2.log"
kill -0 "$m1" 2>/dev/null && optneg "$SOCK"; ok $? "and the first one still runs and answers"
# kill -9: no clean exit, so the socket file stays behind (on SIGTERM
# libmilter removes it, and there would be nothing stale to replace).
kill -KILL "$m1"; wait "$m1" 2>/dev/null
[ -S "$SOCK" ] && ! optneg "$SOCK" 2>/dev/null
ok $? "kill -9 leaves a stale socket file that nobody answers on"
"$top_builddir/cme-milter" -c "$C" -f > "$T/m3.log" 2>&1 &
m3=$!
for _ in $(seq 50); do optneg "$SOCK" 2>/dev/null && break; kill -0 "$m3" 2>/dev/null || break; sleep 0.1; done
kill -0 "$m3" 2>/dev/null && optneg "$SOCK"
ok $? "a stale socket left behind is replaced at start-up: the new milter runs and answers" ||
	diag < "$T/m3.log"
# SIGTERM: stop cleanly (cme-milter(8): exit 0).  libmilter leaves the
# socket file when it runs as root, as here: not checked.
kill -TERM "$m3"; wait "$m3"; st=$?
[ "$st" -eq 0 ] && grep -q "cme-milter stopping" "$T/m3.log"
ok $? "SIGTERM stops the milter cleanly: exit status 0 (got $st)" || diag < "$T/m3.log"

# --- policies: every shipped one loads; a broken one is refused -------
C=$T/p.conf; conf "$C" "$T/p"
for pol in "$top_srcdir"/policies/*.policy; do
	name=$(basename "$pol" .policy)
	"$CMECTL" -c "$C" deadlines --policy "$name" --from 2026-12-24T14:00:00Z > "$T/dl.out" 2>&1
	ok $? "shipped policy $name loads and computes deadlines"
done
is "$("$CMECTL" -c "$C" deadlines --policy default --from 2026-12-24T14:00:00Z | awk '/^home-visit/ {print $2}')" \
	"2026-12-31T17:00:00+00:00" "cmectl deadlines: 14:00 Thu 24 Dec 2026 -> home visit 17:00 Thu 31 Dec"
printf 'name = broken\nhome_visit = 3 fortnights\nimmediate = child-protection-plan no-such-flag\n' > "$T/broken.policy"
"$CMECTL" -c "$C" deadlines --policy "$T/broken.policy" --from 2026-12-24T14:00:00Z 2> "$T/broken.err"
is "$?" "1" "a broken policy is a user error (exit 1)"
grep -q "broken.policy:2:" "$T/broken.err" && grep -q "broken.policy:3:" "$T/broken.err"
ok $? "every problem of a broken policy is reported as file:line"
echo "1..$n"
