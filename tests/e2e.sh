#!/bin/bash
# tests/e2e.sh -- end-to-end test: swaks -> relay Postfix -> mx Postfix with
# cme-milter -> Maildir, plus the case database, the duty officer's feed and
# the "database cannot commit -> 451 4.3.0 -> sender keeps it queued" path.
#
# Speaks TAP.  Run by `make check` (automake's TAP driver exports
# top_srcdir/top_builddir), or by hand as root:
#     tests/e2e.sh [BUILDDIR]          (default BUILDDIR: <repo>/_build)
# Set KEEP_E2E=1 to keep the temp dir for inspection.
# Needs root (private Postfix instances, a milter dropping to nobody),
# postfix, swaks and /usr/bin/python3.  Everything runs on 127.0.0.1, in
# private instances under a temp dir; /etc/postfix is never touched.

# The Makefile may run us with sh; the helpers need bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then
	if [ $# -ge 1 ]; then top_builddir=$1
	elif [ -d "$top_srcdir/_build" ]; then top_builddir=$top_srcdir/_build
	else top_builddir=$top_srcdir
	fi
fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

# Programs under test; overridable so the harness itself can be exercised.
: "${CME_MILTER:=$top_builddir/cme-milter}"
: "${CMECTL:=$top_builddir/cmectl}"
: "${ICAL_CHECK:=$top_builddir/tests/ical-check}"
: "${VOBJECT_CHECK:=$top_srcdir/tests/vobject-check.py}"
PY=/usr/bin/python3          # the pyenv python3 on PATH has no vobject
FIX=$top_srcdir/tests/fixtures/e2e
REF_RE='^CME-[0-9]{4}-[0-9]{5}$'

NTESTS=41
echo "1..$NTESTS"

# ---------------------------------------------------------------- TAP ----
# shellcheck source=lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

# ------------------------------------------------------- preconditions ----
[ "$(id -u)" -eq 0 ] || bail "e2e needs root (private Postfix instances, milter UserID nobody)"
for p in postfix postconf postqueue swaks; do
	command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
	command -v "$p" >/dev/null 2>&1 || bail "$p not installed (apt-get install postfix swaks)"
done
[ -x "$PY" ] || bail "/usr/bin/python3 missing"
[ -x "$CME_MILTER" ] || bail "$CME_MILTER not built"

# shellcheck source=lib/postfix.sh
. "$top_srcdir/tests/lib/postfix.sh"

# ------------------------------------------------------------ cleanup ----
T=""
# cleanup: stop exactly what we started (milter by PID, instances with
# postfix -c DIR stop), then remove the temp dir.  Runs on every exit.
cleanup() {
	milter_stop
	pf_stop_all
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${KEEP_E2E:-0}" = 1 ] || { [ "$failed" -gt 0 ] && [ "${KEEP_E2E:-}" != 0 ]; }; then
			diag "kept $T"
		else
			rm -rf "$T"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ------------------------------------------------------------- set-up ----
# /tmp itself is 1777; our dir must be 0755 so that nobody (the milter's
# UserID and virtual(8)'s uid) can reach state/ and mail/ below it.
T=$(mktemp -d /tmp/cme-e2e.XXXXXX) || bail "mktemp failed"
chmod 0755 "$T"
mkdir -p "$T/state/reminders" "$T/share" "$T/bin" "$T/outbox" "$T/mail"
# Policies and calendars are copied so that the milter can read them after
# dropping to nobody even when the source tree is not world-readable
# (a CI clone under /root, say).
cp -R "$top_srcdir/policies" "$top_srcdir/calendars" "$top_srcdir/vocabulary" "$T/share/"
chmod -R a+rX "$T/share"
# SendmailPath: the milter (as nobody) cannot use Postfix's sendmail with a
# private config dir (Postfix trusts alternate config dirs only for root),
# so reminder mails are submitted over SMTP to the private MX instead, and
# travel through Postfix to the officer's Maildir like any other mail.
# Arguments as the milter gives them: -oi -f FROM -- TO.
cat >"$T/bin/sendmail" <<EOF
#!/bin/sh
from=\$3; to=\$5
exec swaks --silent 2 --server 127.0.0.1:\$(cat "$T/mxport") --from "\$from" --to "\$to" --data -
EOF
chmod 0755 "$T/bin/sendmail"
chown -R nobody:nogroup "$T/state" "$T/outbox"
chmod 0700 "$T/state"

read -r MXPORT RELAYPORT MILTERPORT < <(pf_free_ports 3 | tr '\n' ' ')
[ -n "${MILTERPORT:-}" ] || bail "no free ports"
diag "temp dir $T; ports mx=$MXPORT relay=$RELAYPORT milter=$MILTERPORT"
echo "$MXPORT" >"$T/mxport"

CONF=$T/cme-milter.conf
cat >"$CONF" <<EOF
# cme-milter configuration for tests/e2e.sh
Socket                inet:$MILTERPORT@127.0.0.1
UserID                nobody:nogroup
Syslog                no
PidFile               $T/milter.pid
Mailbox               cme@la.test
Database              $T/state/cases.db
Policy                default
PolicyDir             $T/share/policies
CalendarDir           $T/share/calendars
ShippedVocabularyDir  $T/share/vocabulary
ReminderDir           $T/state/reminders
DutyOfficer           duty.officer@la.test
SubjectTag            yes
TrustedAuthservIDs    mx.la.test
# Mail reaches this MX from the test relay on 127.0.0.1: that must not
# count as authenticated, or every update would be trusted.
InternalHosts         none
TrustedSenderDomains  la.test *.sch.test
PublicSuffixes        sch.test
On-InternalError      tempfail
NotifyOfficers        yes
SendmailPath          $T/bin/sendmail
EscalationContact     manager@la.test
EOF
chmod 0644 "$CONF"

# Start the milter, then the mx (milter configured) and the relay.  Any of
# them failing to come up makes every later assertion meaningless: bail.
if ! milter_start "$CME_MILTER" "$CONF" "$MILTERPORT" "$T/milter.log" "${E2E_STARTUP_SECS:-15}" 2>"$T/start.err"; then
	diag <"$T/start.err"
	bail "cme-milter did not start (see diagnostics above)"
fi
pf_instance_create "$T/mx" mx "$MXPORT" "$T/mail" "$MILTERPORT" 2>"$T/start.err" &&
	pf_start "$T/mx" 2>>"$T/start.err" ||
	{ diag <"$T/start.err"; bail "mx Postfix did not start"; }
pf_instance_create "$T/relay" relay "$RELAYPORT" "$MXPORT" 2>"$T/start.err" &&
	pf_start "$T/relay" 2>>"$T/start.err" ||
	{ diag <"$T/start.err"; bail "relay Postfix did not start"; }
MXLOG=$(pf_log "$T/mx")
RELAYLOG=$(pf_log "$T/relay")
CME_MD=$T/mail/cme
OTHER_MD=$T/mail/other

# ------------------------------------------------------------ helpers ----
# send_relay FILE|- RCPT FROM [swaks args...]: submit through the relay, as a
# school's MTA would.  A non-zero status means the relay itself refused.
send_relay() {
	local data=$1 rcpt=$2 from=$3; shift 3
	local args=(--server "127.0.0.1:$RELAYPORT" --helo client.sch.test
		--from "$from" --to "$rcpt" "$@")
	[ "$data" != - ] && args+=(--data "@$data")
	swaks "${args[@]}" >>"$T/swaks.log" 2>&1
}
# cmectl_json ARGS...: run cmectl (as root, bounded in time) and give the
# state dir back to nobody: a root-run sqlite may leave -wal/-shm files that
# the milter (nobody) could not open afterwards.
cmectl_json() {
	timeout 30 "$CMECTL" -c "$CONF" "$@" 2>>"$T/cmectl.err"
	local st=$?
	chown -R nobody:nogroup "$T/state"
	return $st
}
# newest_other_than MAILDIR FILE: the message in MAILDIR/new that is not FILE.
newest_other_than() {
	local f
	for f in "$1"/new/*; do
		[ -f "$f" ] && [ "$f" != "$2" ] && { echo "$f"; return 0; }
	done
	return 1
}
# json_case_check FILE REF SURNAME: the case list in FILE has REF, open,
# with SURNAME (case-insensitive).  Prints what it found on failure.
json_case_check() {
	"$PY" - "$@" <<'PYEOF'
import json, sys
path, ref, surname = sys.argv[1:4]
try:
    cases = json.load(open(path))
except Exception as e:
    print("# cases --json is not JSON: %s" % e); sys.exit(1)
hit = [c for c in cases if isinstance(c, dict) and c.get("ref") == ref]
if not hit:
    print("# %s not among %s" % (ref, [c.get("ref") for c in cases if isinstance(c, dict)])); sys.exit(1)
c = hit[0]
if str(c.get("surname", "")).strip().lower() != surname.lower() or c.get("status") != "open":
    print("# case %s: surname=%r status=%r" % (ref, c.get("surname"), c.get("status"))); sys.exit(1)
PYEOF
}
# json_has_deadline FILE REF KIND: that case has a deadline of KIND.
json_has_deadline() {
	"$PY" - "$@" <<'PYEOF'
import json, sys
path, ref, kind = sys.argv[1:4]
try:
    cases = json.load(open(path))
    c = [c for c in cases if c.get("ref") == ref][0]
except Exception as e:
    print("# no case %s: %s" % (ref, e)); sys.exit(1)
kinds = [d.get("kind") for d in c.get("deadlines") or []]
if kind not in kinds:
    print("# deadlines of %s: %s" % (ref, kinds)); sys.exit(1)
PYEOF
}
# json_count FILE: number of cases in the list.
json_count() {
	"$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$1" 2>/dev/null || echo -1
}
# ics_has_uid FILE UID-PREFIX: an (unfolded) UID line starts with the prefix.
ics_has_uid() {
	awk 'NR > 1 && /^[ \t]/ { sub(/^[ \t]/, ""); line = line $0; next }
	     { if (NR > 1) print line; line = $0 } END { print line }' "$1" |
		tr -d '\r' | grep -q "^UID:$2"
}

# ====================================================== a, b: referral ====
send_relay "$FIX/referral.eml" cme@la.test attendance@oakfield.sch.test
pf_wait_delivery "$CME_MD" 1 30 2>&1 | diag
check "referral via relay arrives in the cme Maildir" test "$(pf_maildir_count "$CME_MD")" -eq 1 ||
	{ diag_tail "$MXLOG"; diag_tail "$RELAYLOG" 5; diag_tail "$T/milter.log"; }
MSG1=$(ls "$CME_MD"/new/* 2>/dev/null | head -n 1)
MSG1=${MSG1:-/nonexistent}

actions=$(pf_header "$MSG1" X-CME-Action 2>/dev/null)
cases=$(pf_header "$MSG1" X-CME-Case 2>/dev/null)
subject=$(pf_header "$MSG1" Subject 2>/dev/null)
REF1=$cases
orig_subject=$(pf_header "$FIX/referral.eml" Subject)
grep -qx 'opened' <<<"$actions"
check "referral tagged X-CME-Action: opened" test $? -eq 0 || diag "X-CME-Action: ${actions:-<none>}"
# (CME-2019-00007 is the forged one the fixture carries, not a real answer.)
[ "$(grep -c . <<<"$cases")" -eq 1 ] && grep -Eq "$REF_RE" <<<"$cases" &&
	[ "$cases" != CME-2019-00007 ]
check "exactly one X-CME-Case, matching CME-YYYY-NNNNN" test $? -eq 0 || diag "X-CME-Case: ${cases:-<none>}"
[ "$subject" = "[$REF1] $orig_subject" ]
check "subject prefixed once with [$REF1]" test $? -eq 0 || diag "Subject: $subject"
# b: the fixture carries a forged "X-CME-Action: closed" and X-CME-Case.
[ "$actions" = opened ] && ! grep -q 'CME-2019-00007' <<<"$cases"
check "forged X-CME-* headers from outside removed (one X-CME-Action: opened)" test $? -eq 0 ||
	diag "X-CME-Action: $(tr '\n' '|' <<<"$actions") X-CME-Case: $(tr '\n' '|' <<<"$cases")"

# ============================================ c: not for the CME mailbox ====
other_subject="Staff training rota for December"
send_relay - other@la.test head@oakfield.sch.test \
	--header "Subject: $other_subject" --body "Rota attached in the shared drive."
pf_wait_delivery "$OTHER_MD" 1 30 2>&1 | diag
check "message to other@la.test delivered" test "$(pf_maildir_count "$OTHER_MD")" -eq 1 ||
	diag_tail "$MXLOG"
MSG_OTHER=$(ls "$OTHER_MD"/new/* 2>/dev/null | head -n 1)
MSG_OTHER=${MSG_OTHER:-/nonexistent}
[ -f "$MSG_OTHER" ] && ! awk '/^\r?$/ { exit } { print }' "$MSG_OTHER" | grep -qi '^X-CME-'
check "no X-CME- header on mail for other mailboxes" test $? -eq 0 ||
	awk '/^\r?$/ { exit } { print }' "$MSG_OTHER" 2>/dev/null | grep -i '^X-CME-' | diag
got=$(pf_header "$MSG_OTHER" Subject 2>/dev/null)
[ "$got" = "$other_subject" ]
check "subject of mail for other mailboxes unchanged" test $? -eq 0 || diag "Subject: $got"

# ============================================================ d: cases ====
cmectl_json cases --json >"$T/cases1.json"
check "cmectl cases --json exits 0" test $? -eq 0 || diag_tail "$T/cmectl.err" 5
json_case_check "$T/cases1.json" "$REF1" Hartley
check "case $REF1 listed: surname Hartley, status open" test $? -eq 0
json_has_deadline "$T/cases1.json" "$REF1" home-visit
check "case $REF1 has a home-visit deadline" test $? -eq 0

# ============================================= e: duty officer's feed ====
FEED=$T/state/reminders/duty.officer@la.test.ics
for _ in $(seq 30); do ics_has_uid "$FEED" "$REF1-home-visit-1@" 2>/dev/null && break; sleep 0.2; done
check "duty officer's feed exists" test -s "$FEED" || ls -la "$T/state/reminders" 2>&1 | diag
if [ -x "$ICAL_CHECK" ]; then
	"$ICAL_CHECK" "$FEED" >"$T/ical-check.out" 2>&1
	check "feed passes ical-check (libical)" test $? -eq 0 || diag_tail "$T/ical-check.out" 10
else
	ok 1 "feed passes ical-check (libical): $ICAL_CHECK not built"
fi
if [ -f "$VOBJECT_CHECK" ]; then
	"$PY" "$VOBJECT_CHECK" "$FEED" >"$T/vobject-check.out" 2>&1
	check "feed passes vobject-check.py" test $? -eq 0 || diag_tail "$T/vobject-check.out" 10
else
	ok 1 "feed passes vobject-check.py: $VOBJECT_CHECK missing"
fi
ics_has_uid "$FEED" "$REF1-home-visit-1@" 2>/dev/null
check "feed has UID $REF1-home-visit-1@..." test $? -eq 0 ||
	grep -a '^UID' "$FEED" 2>/dev/null | head -n 5 | diag

# ============================================ i: iMIP to the officer ====
# The referral's deadlines reach the duty officer's mailbox as iMIP
# REQUESTs through Postfix; the escalation also reaches the manager.
DUTY_MD=$T/mail/duty
# How many reminder mails the duty officer is owed so far: one per event,
# and a deadline's alerts are events of their own (their number depends on
# the time of day), so the database says how many to wait for.
duty_owed() {
	"$PY" -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(c.execute("SELECT count(*) FROM outbox WHERE recipient = ?", ("duty.officer@la.test",)).fetchone()[0])' \
		"$T/state/cases.db" 2>/dev/null || echo 0
}
# wait_owed MIN: wait until more than MIN mails are owed, then for them all.
wait_owed() {
	local i n
	for ((i = 0; i < 150; i++)); do
		n=$(duty_owed)
		[ "$n" -gt "$1" ] && break
		sleep 0.2
	done
	pf_wait_delivery "$DUTY_MD" "$n" 30
}
wait_owed 2 2>&1 | diag
# imip_summary MAILDIR: "METHOD UID SEQUENCE method-param FILE" per
# text/calendar part (each calendar saved to FILE for the validators).
imip_summary() {
	"$PY" - "$1" "$T/imip" <<'PYEOF'
import email, glob, os, sys
os.makedirs(sys.argv[2], exist_ok=True)
for f in sorted(glob.glob(sys.argv[1] + "/new/*") + glob.glob(sys.argv[1] + "/cur/*")):
    m = email.message_from_binary_file(open(f, "rb"))
    for p in m.walk():
        if p.get_content_type() != "text/calendar":
            continue
        cal = p.get_payload(decode=True)
        out = os.path.join(sys.argv[2], os.path.basename(f) + ".ics")
        open(out, "wb").write(cal)
        text = cal.decode().replace("\r\n ", "")
        fields = {}
        for line in text.splitlines():
            k, _, v = line.partition(":")
            if k in ("METHOD", "UID", "SEQUENCE") and k not in fields:
                fields[k] = v
        print(fields.get("METHOD"), fields.get("UID"), fields.get("SEQUENCE"),
              p.get_param("method"), out)
PYEOF
}
imip_summary "$DUTY_MD" >"$T/imip1.txt"
grep -cE "^REQUEST $REF1-(home-visit|escalation|long-term-review)-1@" "$T/imip1.txt" | grep -qx 3
check "duty officer received 3 iMIP REQUESTs for $REF1's deadlines (home visit, escalation, review), and one per alert" test $? -eq 0 ||
	diag <"$T/imip1.txt"
awk '$1 != $4 { bad = 1 } END { exit bad }' "$T/imip1.txt"
check "each iMIP part is text/calendar with method= matching METHOD" test $? -eq 0
st=0
for f in $(awk '{print $5}' "$T/imip1.txt"); do
	"$ICAL_CHECK" "$f" >/dev/null 2>&1 || st=1
	"$PY" "$VOBJECT_CHECK" "$f" >/dev/null 2>&1 || st=1
done
check "every iMIP calendar passes libical and vobject" test $st -eq 0
# the manager (EscalationContact) is not invited to every case's
# escalation on the day it opens (issue 14): nothing for REF1 yet
sleep 2
! imip_summary "$T/mail/manager" 2>/dev/null | grep -q "$REF1-escalation"
check "the EscalationContact is not invited to a new case's 20-day escalation" test $? -eq 0
# An authenticated home-visit outcome threaded to the referral: the home
# visit deadline is met, so its event is cancelled with a higher SEQUENCE.
owed=$(duty_owed)
send_relay "$FIX/visit.eml" cme@la.test t.reilly@la.test
wait_owed "$owed" 2>&1 | diag
imip_summary "$DUTY_MD" >"$T/imip2.txt"
grep -q "^CANCEL $REF1-home-visit-1@[^ ]* 1 " "$T/imip2.txt"
check "home-visit email: CANCEL for the home-visit event with SEQUENCE 1" test $? -eq 0 ||
	diag <"$T/imip2.txt"
# The milter rewrites a feed at most every 2 s, once the commits pause for 1 s.
for _ in $(seq 30); do ics_has_uid "$FEED" "$REF1-home-visit-1@" || break; sleep 0.2; done
! ics_has_uid "$FEED" "$REF1-home-visit-1@" && ics_has_uid "$FEED" "$REF1-escalation-1@"
check "the feed drops the met home visit and keeps the escalation" test $? -eq 0
# The school's authenticated "located" reply closes the case: the
# remaining events are cancelled, and the feed holds none of them.
owed=$(duty_owed)
send_relay "$FIX/located.eml" cme@la.test attendance@oakfield.sch.test
wait_owed "$owed" 2>&1 | diag
imip_summary "$DUTY_MD" >"$T/imip3.txt"
grep -q "^CANCEL $REF1-escalation-1@[^ ]* 1 " "$T/imip3.txt" &&
	grep -q "^CANCEL $REF1-long-term-review-1@[^ ]* 1 " "$T/imip3.txt"
check "case closed by email: CANCEL for the escalation and the review, SEQUENCE 1" test $? -eq 0 ||
	diag <"$T/imip3.txt"
for _ in $(seq 30); do ics_has_uid "$FEED" "$REF1-" || break; sleep 0.2; done
! ics_has_uid "$FEED" "$REF1-"
check "the feed holds no event of the closed case" test $? -eq 0

# ===================================== f: database cannot commit -> 451 ====
# The milter opens the database per message as nobody: a 0400 file makes
# every commit fail, so it must answer 451 4.3.0 and the relay must keep the
# message queued.  (Root ignores modes: no cmectl call until it is restored.)
chmod 0400 "$T/state/cases.db" 2>&1 | diag
send_relay "$FIX/referral2.eml" cme@la.test ewo@westfield.sch.test
pf_wait_log "$T/relay" 'said: 451 4\.3\.0' 30 2>&1 | diag
grep -q 'said: 451 4\.3\.0' "$RELAYLOG" 2>/dev/null
check "relay log: mx answered 451 4.3.0 while the database is read-only" test $? -eq 0 ||
	{ grep 'said:' "$RELAYLOG" | tail -n 3 | diag; diag_tail "$T/milter.log" 10; }
q=$(pf_queue_count "$T/relay" cme@la.test)
check "second referral still queued at the relay" test "$q" -eq 1 || pf_queue "$T/relay" | diag
msgid2=$(pf_header "$FIX/referral2.eml" Message-ID)
! grep -lqF "$msgid2" "$CME_MD"/new/* "$CME_MD"/cur/* 2>/dev/null &&
	[ "$(pf_maildir_count "$CME_MD")" -eq 3 ]
check "second referral not in the cme Maildir" test $? -eq 0

# Restore as an admin would: the database's files, not only cases.db.  In
# WAL mode sqlite creates cases.db-shm with the main file's mode, so a -shm
# made during the outage is 0400 too and would keep every later commit
# failing ("attempt to write a readonly database").
for f in "$T"/state/cases.db-*; do
	[ -f "$f" ] && [ "$(stat -c %a "$f")" = 400 ] &&
		diag "note: ${f##*/} was created 0400 during the outage"
done
chmod 0600 "$T"/state/cases.db* 2>&1 | diag
pf_flush "$T/relay" 2>&1 | diag
pf_wait_delivery "$CME_MD" 4 30 2>&1 | diag
MSG2=$(grep -lF "$msgid2" "$CME_MD"/new/* 2>/dev/null | head -n 1)
MSG2=${MSG2:-/nonexistent}
[ -f "$MSG2" ] && grep -qF "$msgid2" "$MSG2" && [ "$(pf_queue_count "$T/relay")" -eq 0 ]
check "after restore and flush: delivered, relay queue empty" test $? -eq 0 ||
	{ diag_tail "$RELAYLOG" 5; diag_tail "$T/milter.log" 10; }
actions2=$(pf_header "$MSG2" X-CME-Action 2>/dev/null)
REF2=$(pf_header "$MSG2" X-CME-Case 2>/dev/null)
[ "$actions2" = opened ] && grep -Eq "$REF_RE" <<<"$REF2" && [ "$REF2" != "$REF1" ]
check "second referral opened a new case ($REF2)" test $? -eq 0 ||
	diag "X-CME-Action: $actions2; X-CME-Case: $REF2 (first was $REF1)"
cmectl_json cases --status all --json >"$T/cases2.json"
[ "$(json_count "$T/cases2.json")" -eq 2 ] && json_case_check "$T/cases2.json" "$REF2" Nowak
check "cmectl cases --json now has 2 cases" test $? -eq 0 ||
	diag "cases: $(json_count "$T/cases2.json")"

# ============================================ g: SIGUSR1 reload ============
# A broken configuration is refused and the running one kept; a good one
# takes effect without a restart and without dropping the milter.
cp "$CONF" "$T/conf.good"
printf 'NoSuchKey yes\n' >>"$CONF"
kill -USR1 "$MILTER_PID"
for _ in $(seq 100); do grep -q 'reload refused' "$T/milter.log" && break; sleep 0.2; done
grep -q 'reload refused' "$T/milter.log" && kill -0 "$MILTER_PID" 2>/dev/null
check "SIGUSR1 with a broken config: refused, milter still running" test $? -eq 0 ||
	diag_tail "$T/milter.log" 5
sed 's/^SubjectTag .*/SubjectTag            no/' "$T/conf.good" >"$CONF"
kill -USR1 "$MILTER_PID"
for _ in $(seq 100); do grep -q 'configuration and policy reloaded' "$T/milter.log" && break; sleep 0.2; done
grep -q 'configuration and policy reloaded' "$T/milter.log"
check "SIGUSR1 with a good config: reloaded" test $? -eq 0 || diag_tail "$T/milter.log" 5
sed 's/^Message-ID: .*/Message-ID: <reload-check@oakfield.sch.test>/' "$FIX/referral.eml" >"$T/reload.eml"
send_relay "$T/reload.eml" cme@la.test attendance@oakfield.sch.test
pf_wait_delivery "$CME_MD" 5 30 2>&1 | diag
MSG3=$(grep -lF 'reload-check@' "$CME_MD"/new/* 2>/dev/null | head -n 1)
MSG3=${MSG3:-/nonexistent}
subj3=$(pf_header "$MSG3" Subject 2>/dev/null)
act3=$(pf_header "$MSG3" X-CME-Action 2>/dev/null)
[ -f "$MSG3" ] && [ -n "$act3" ] && ! grep -q '^\[CME-' <<<"$subj3"
check "after reload the new config is in force (SubjectTag no: subject untouched, X-CME-Action $act3)" \
	test $? -eq 0 || diag "subject: $subj3"
kill -0 "$MILTER_PID" 2>/dev/null
check "the milter kept running through both reloads" test $? -eq 0

# =================================== j: urgent, and missed deadlines ====
# An immediate referral's mail interrupts: Importance: high, one URGENT.
# Deadlines past due escalate to the EscalationContact exactly once, even
# when the daily work runs twice (cmectl digest --send, through the MTA).
send_relay "$top_srcdir/tests/fixtures/referrals/16-base64-child-protection.eml" cme@la.test \
	dsl@rosehill.sch.test
URG=""
for _ in $(seq 150); do
	URG=$(grep -l '^Subject: URGENT' "$DUTY_MD"/new/* 2>/dev/null | head -n 1)
	[ -n "$URG" ] && break
	sleep 0.2
done
[ -n "$URG" ] && grep -q '^Importance: high' "$URG" && grep -q '^X-Priority: 1' "$URG"
check "an immediate referral's reminder has Importance: high and X-Priority: 1" test $? -eq 0 ||
	diag_tail "$T/milter.log" 5
[ -n "$URG" ] && [ "$(pf_header "$URG" Subject | grep -o URGENT | wc -l)" -eq 1 ]
check "and URGENT exactly once in its subject" test $? -eq 0 || diag "$(pf_header "${URG:-/dev/null}" Subject)"
cmectl_json digest --send --now 2027-02-01T10:00:00Z >/dev/null
cmectl_json digest --send --now 2027-02-01T10:05:00Z >/dev/null
missed_mails() { grep -h '^Subject: Missed:' "$T/mail/manager"/new/* "$T/mail/manager"/cur/* 2>/dev/null; }
for _ in $(seq 150); do [ -n "$(missed_mails)" ] && break; sleep 0.2; done
sleep 3      # anything a second run queued would have arrived by now
nm=$(missed_mails | wc -l); nu=$(missed_mails | sort -u | wc -l)
[ "$nm" -ge 1 ]
check "missed deadlines reach the EscalationContact through Postfix ($nm)" test $? -eq 0 ||
	{ cat "$T/cmectl.err" | diag; diag_tail "$MXLOG" 5; }
[ "$nm" -eq "$nu" ]
check "each missed deadline exactly once though the daily work ran twice" test $? -eq 0 ||
	missed_mails | diag

# ===================================== h: no personal data in the logs ====
# One line per message with queue ID, action and cases; never the child's
# name, date of birth or address (fixture: Amelia Hartley, 14/09/2016...).
# Dates are matched whole: a bare "2016" also matches a process ID in
# Postfix's log ("cleanup[12016]").
grep -q 'action=opened cases=CME-' "$T/milter.log"
check "the milter logs one line per message with action and cases" test $? -eq 0 ||
	diag_tail "$T/milter.log" 5
# ...and where its time at end of message went (stage_timing.h): every
# stage, a batch of at least one, a COMMIT and a WAL fdatasync that took
# time, and stages that add up to no more than the whole (ms=, rounded to 0.01 each).
grep 'action=opened cases=CME-' "$T/milter.log" | awk '
	{ delete v; for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) v[kv[1]] = kv[2]
	  sum = 0; ok = v["batch"] >= 1 && v["commit"] > 0 && v["sync"] > 0
	  n = split("parse extract queue lock txn commit after sync wake reply", st, " ")
	  for (i = 1; i <= n; i++) { if (!(st[i] in v)) ok = 0; sum += v[st[i]] }
	  if (!ok || sum > v["ms"] + 0.05) bad++; lines++ }
	END { exit !(lines > 0 && bad == 0) }'
check "the line also carries the stage timings (parse .. reply, batch) within ms=" test $? -eq 0 ||
	grep 'action=opened' "$T/milter.log" | head -n 3 | diag
! grep -qiE 'Hartley|Amelia|Nowak|Kacper|14/09/2016|2016-09-14|03/02/2013|2013-02-03|Oakfield Road|B801200005001' "$T/milter.log" "$MXLOG"
check "no child's name, DOB, UPN or address in the milter's or Postfix's log" test $? -eq 0 ||
	grep -iE 'Hartley|Amelia|Nowak|Kacper' "$T/milter.log" | head -n 3 | diag

# ============================================================ teardown ====
# Stopping is part of the contract too: the milter exits on SIGTERM and both
# instances stop; leftovers would be found by the next run's port probes.
mpid=$MILTER_PID
milter_stop
pids=""
for d in "$T/mx" "$T/relay"; do pids="$pids $(pf_master_pid "$d")"; done
pf_stop_all
st=0
for p in $mpid $pids; do kill -0 "$p" 2>/dev/null && st=1; done
check "milter and both Postfix instances stopped" test $st -eq 0

[ "$n" -eq "$NTESTS" ] || diag "ran $n tests, planned $NTESTS"
exit 0
