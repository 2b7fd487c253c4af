#!/bin/bash
# tests/e2e-officer.sh - officers act by email (SPEC 5.6), end to end: a
# relay Postfix -> an MX Postfix with cme-milter -> Maildirs, with the
# milter's mails (reminders, confirmations) submitted back through the MX.
# An officer corrects a surname by email and gets a confirmation, records
# a visit written in prose, and reassigns the case: the old officer's
# CANCELs and the new officer's REQUESTs are delivered.
# Speaks TAP.  Needs root, postfix, swaks; everything on 127.0.0.1 in
# private instances (tests/lib/postfix.sh), stopped by PID at the end.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then top_builddir=${1:-$top_srcdir/_build}; fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
CME_MILTER=$top_builddir/cme-milter
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
FIX=$top_srcdir/tests/fixtures
. "$here/lib/postfix.sh"
. "$here/lib/cme.sh"
. "$here/lib/tap.sh"
[ "$(id -u)" -eq 0 ] || bail "needs root"
command -v postfix >/dev/null && command -v swaks >/dev/null || bail "needs postfix and swaks"

T=$(mktemp -d /tmp/cme-e2e-officer.XXXXXX) || bail "mktemp"
MILTER_PID=""
cleanup() {
	milter_stop
	pf_stop_all 2>/dev/null
	if [ "${KEEP_E2E:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
cme_state_init "$T" || bail "state dir"
read -r MXPORT RELAYPORT MILTERPORT < <(pf_free_ports 3 | tr '\n' ' ')
[ -n "${MILTERPORT:-}" ] || bail "no free ports"
# The milter (as nobody) submits over SMTP to the private MX, as e2e.sh.
cat >"$T/bin/sendmail" <<EOF
#!/bin/sh
exec swaks --silent 2 --server 127.0.0.1:$MXPORT --from "\$3" --to "\$5" --data -
EOF
chmod 0755 "$T/bin/sendmail"
CONF=$T/cme-milter.conf
cme_conf_write "$CONF" "$T" "$MILTERPORT" NotifyOfficers yes SendmailPath "$T/bin/sendmail"
milter_start "$CME_MILTER" "$CONF" "$MILTERPORT" "$T/milter.log" 15 2>"$T/start.err" ||
	{ diag <"$T/start.err"; bail "milter did not start"; }
pf_instance_create "$T/mx" mx "$MXPORT" "$T/mail" "$MILTERPORT" || bail "mx not created"
# Two more officers' mailboxes on this MX.
postconf -c "$T/mx/etc" -e "virtual_mailbox_maps = inline:{ cme@la.test=cme/, \
duty.officer@la.test=duty/, jo.bloggs@la.test=jo/, sam.smith@la.test=sam/ }" ||
	bail "postconf"
pf_start "$T/mx" || bail "mx did not start"
pf_instance_create "$T/relay" relay "$RELAYPORT" "$MXPORT" && pf_start "$T/relay" ||
	bail "relay did not start"
MD=$T/mail

# send FILE FROM: through the relay, as the sender's MTA would.
send() {
	swaks --server "127.0.0.1:$RELAYPORT" --helo client.la.test --from "$2" \
		--to cme@la.test --data "@$1" >>"$T/swaks.log" 2>&1
}
# show KEY: a key of the case's `cmectl show --json`; events TYPE: its
# timeline details of TYPE.
show() {
	timeout 30 "$CMECTL" -c "$CONF" show "$REF" --json 2>>"$T/cmectl.err" |
		$PY -c "import json,sys; v=json.load(sys.stdin).get('$1'); print('' if v is None else v)"
	chown -R nobody:nogroup "$T/state"
}
events() {
	timeout 30 "$CMECTL" -c "$CONF" show "$REF" --json 2>>"$T/cmectl.err" |
		$PY -c "import json,sys; [print(e['detail']) for e in json.load(sys.stdin)['timeline'] if e['type']=='$1']"
	chown -R nobody:nogroup "$T/state"
}
# imip MAILDIR: "METHOD UID-KIND SEQUENCE" of each calendar mail delivered.
imip() {
	$PY - "$1" <<'PYEOF'
import email, glob, re, sys
for f in sorted(glob.glob(sys.argv[1] + "/new/*")):
    m = email.message_from_binary_file(open(f, "rb"))
    for part in m.walk():
        if part.get_content_type() == "text/calendar":
            cal = part.get_payload(decode=True).decode()
            meth = re.search(r"^METHOD:(\S+)", cal, re.M).group(1)
            uid = re.search(r"^UID:CME-\d{4}-\d{5}-([a-z-]+?)-\d+@", cal, re.M).group(1)
            seq = re.search(r"^SEQUENCE:(\d+)", cal, re.M).group(1)
            print(meth, uid, seq)
PYEOF
}
# body FILE: the decoded text of a one-part mail.
body() {
	$PY -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); print(m.get_payload(decode=True).decode())' "$1"
}

# --- the referral --------------------------------------------------------
send "$FIX/e2e/referral.eml" attendance@oakfield.sch.test
pf_wait_delivery "$MD/cme" 1 30 2>&1 | diag
REF=$(pf_header "$(ls "$MD"/cme/new/* | head -1)" X-CME-Case 2>/dev/null)
is "$REF" "CME-2026-00001" "(the referral opens CME-2026-00001)" || diag_tail "$T/milter.log"
pf_wait_delivery "$MD/duty" 3 30 2>&1 | diag
is "$(imip "$MD/duty" | awk '{print $1}' | sort | uniq -c | tr -s ' ')" " 3 REQUEST" \
	"(the duty officer has its three reminders)"

# --- a correction by email, and its confirmation --------------------------
send "$FIX/officer/correct-surname.eml" jo.bloggs@la.test
pf_wait_delivery "$MD/cme" 2 30 2>&1 | diag
m=$(grep -l 'officer-correct-1@la.test' "$MD"/cme/new/* | head -1)
is "$(pf_header "${m:-/dev/null}" X-CME-Action) $(show surname)" "updated Brennan" \
	"the officer's correction is an update: the surname is corrected"
is "$(events edit)" 'surname corrected: "Hartley" -> "Brennan" (by jo.bloggs@la.test)' \
	"the correction is on the timeline: who, old, new"
pf_wait_delivery "$MD/jo" 1 30 2>&1 | diag
c=$(ls "$MD"/jo/new/* 2>/dev/null | head -1)
is "$(pf_header "${c:-/dev/null}" Subject)" "CME case CME-2026-00001: your update was recorded" \
	"the officer gets a confirmation (the reference in its Subject, no name)"
body "${c:-/dev/null}" > "$T/confirm.txt" 2>/dev/null
grep -q 'surname corrected: "Hartley" -> "Brennan"' "$T/confirm.txt" &&
	grep -q 'Colour of door: blue' "$T/confirm.txt"
ok $? "it says what changed and what was not understood" || diag <"$T/confirm.txt"

# --- a visit in prose -----------------------------------------------------
send "$FIX/officer/prose-visit.eml" jo.bloggs@la.test
pf_wait_delivery "$MD/cme" 3 30 2>&1 | diag
is "$(events visit)" "home visit 2026-11-04: child seen (by jo.bloggs@la.test)" \
	"a visit written in prose is recorded (child seen)"
is "$(show status)" "visited" "the case is visited"
pf_wait_delivery "$MD/duty" 4 30 2>&1 | diag
is "$(imip "$MD/duty" | grep CANCEL)" "CANCEL home-visit 1" "the met home visit's reminder is cancelled"

# --- reassignment: CANCEL to the old officer, REQUEST to the new ----------
send "$FIX/officer/reassign.eml" jo.bloggs@la.test
pf_wait_delivery "$MD/cme" 4 30 2>&1 | diag
pf_wait_delivery "$MD/duty" 6 30 2>&1 | diag
pf_wait_delivery "$MD/sam" 2 30 2>&1 | diag
is "$(show officer)" "sam.smith@la.test" "the case is reassigned"
is "$(imip "$MD/duty" | grep CANCEL | sort | paste -sd '|')" \
	"CANCEL escalation 1|CANCEL home-visit 1|CANCEL long-term-review 1" \
	"the old officer's live reminders are cancelled (CANCEL delivered, SEQUENCE raised)"
is "$(imip "$MD/sam" | sort | paste -sd '|')" "REQUEST escalation 1|REQUEST long-term-review 1" \
	"the new officer's REQUESTs are delivered"
pf_wait_delivery "$MD/jo" 3 30 2>&1 | diag
is "$(pf_maildir_count "$MD/jo")" "3" "one confirmation per officer message"
echo "1..$n"
[ "$failed" -eq 0 ]
