#!/bin/bash
# tests/routed.sh -- the routed deployment (SPEC 3.5), end to end through
# real Postfix instances, configured from contrib/postfix-routed/ itself:
#
#   mx1  the CME host: public smtpd with NO milter; transport_maps sends
#        cme@la.test to its own loopback smtpd (contrib master.cf service),
#        which runs the milter and hands the mail on with content_filter
#        (the loop avoidance) to virtual(8) delivery.
#   mx2  a second MX: transport_maps sends cme@la.test to mx1's loopback
#        smtpd; everything else it delivers itself.
#
# Between Postfix and the milter sits tests/lib/tcpcount.py, which logs
# every milter connection: mail for other addresses must cause none (on a
# direct deployment, smtpd_milters on the MX, every SMTP session opens
# one).  With mx1 stopped, CME mail waits in mx2's queue and is delivered,
# with its case, once mx1 is back.
#
# Speaks TAP.  Needs root, postfix, swaks, /usr/bin/python3.  Traffic stays
# on 127.0.0.1; the instances live under a temp dir (KEEP_ROUTED=1 keeps it).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=${1:-$top_srcdir/_build}}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
: "${CME_MILTER:=$top_builddir/cme-milter}"
PY=/usr/bin/python3
FIX=$top_srcdir/tests/fixtures/e2e
: "${ROUTED:=$top_srcdir/contrib/postfix-routed}"   # overridable: the harness itself can be checked

echo "1..14"
. "$top_srcdir/tests/lib/tap.sh"
[ "$(id -u)" -eq 0 ] || bail "routed.sh needs root (private Postfix instances)"
PATH=$PATH:/usr/sbin:/sbin
for p in postfix postconf postqueue swaks; do
	command -v "$p" >/dev/null 2>&1 || bail "$p not installed"
done
[ -x "$PY" ] || bail "/usr/bin/python3 missing"
[ -x "$CME_MILTER" ] || bail "$CME_MILTER not built"
. "$top_srcdir/tests/lib/postfix.sh"
. "$top_srcdir/tests/lib/cme.sh"

T=""
COUNTER_PID=""
cleanup() {
	milter_stop
	[ -n "$COUNTER_PID" ] && kill "$COUNTER_PID" 2>/dev/null && wait "$COUNTER_PID" 2>/dev/null
	pf_stop_all
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${KEEP_ROUTED:-0}" = 1 ]; then diag "kept $T"; else rm -rf "$T"; fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

T=$(mktemp -d /tmp/cme-routed.XXXXXX) || bail "mktemp failed"
cme_state_init "$T" || bail "state dir"
read -r P1 P2 CPORT CNTPORT MPORT < <(pf_free_ports 5 | tr '\n' ' ')
[ -n "${MPORT:-}" ] || bail "no free ports"
diag "temp dir $T; mx1=$P1 mx2=$P2 cme-smtpd=$CPORT counter=$CNTPORT milter=$MPORT"
cme_conf_write "$T/cme.conf" "$T" "$MPORT"
CME_DB=$T/state/cases.db
COUNTS=$T/milter-connections.log
: >"$COUNTS"

# routed_main DIR: contrib main.cf's transport_maps line, for this test's
# mailbox and loopback port.  Only that line: the rest (non_smtpd_milters,
# header_checks) is about local submission and forged headers.
routed_main() {
	grep '^transport_maps' "$ROUTED/main.cf" |
		sed -e 's/cme@la\.example\.gov\.uk/cme@la.test/' \
		    -e "s/\[127\.0\.0\.1\]:10026/[127.0.0.1]:$CPORT/" >>"$1/etc/main.cf"
}
# routed_master DIR: contrib master.cf's loopback smtpd, with this test's
# port, the milter (through the counter) as an inet socket, no chroot, and
# the content_filter pointing at the test's final delivery (virtual(8)).
routed_master() {
	sed -n '/^127\.0\.0\.1:10026/,$p' "$ROUTED/master.cf" |
		sed -e "s/^127\.0\.0\.1:10026 inet  n       -       y/127.0.0.1:$CPORT inet  n       -       n/" \
		    -e "s|smtpd_milters=unix:/cme-milter/cme-milter.sock|smtpd_milters=inet:127.0.0.1:$CNTPORT|" \
		    -e 's/content_filter=relay:\[mailstore\.la\.example\.gov\.uk\]/content_filter=virtual:la.test/' \
		    >>"$1/etc/master.cf"
}

milter_start "$CME_MILTER" "$T/cme.conf" "$MPORT" "$T/milter.log" 15 2>"$T/start.err" ||
	{ diag <"$T/start.err"; bail "cme-milter did not start"; }
"$PY" "$top_srcdir/tests/lib/tcpcount.py" "$CNTPORT" "$MPORT" "$COUNTS" 2>"$T/counter.err" &
COUNTER_PID=$!
pf_wait_port "$CNTPORT" 10 || bail "milter connection counter did not start"
{
	pf_instance_create "$T/mx1" mx "$P1" "$T/mail" && routed_main "$T/mx1" &&
		routed_master "$T/mx1" && echo "$CPORT" >"$T/mx1/cport" &&
		postconf -c "$T/mx1/etc" >/dev/null && pf_start "$T/mx1" && pf_wait_port "$CPORT" 15 &&
	pf_instance_create "$T/mx2" mx "$P2" "$T/mail" && routed_main "$T/mx2" &&
		pf_start "$T/mx2"
} 2>"$T/start.err" || { diag <"$T/start.err"; bail "Postfix instances did not start"; }
CME_MD=$T/mail/cme
OTHER_MD=$T/mail/other

# send PORT RCPT FILE: one message over SMTP from a school's address.
send() {
	swaks --server "127.0.0.1:$1" --helo client.sch.test --from attendance@northgate.sch.test \
		--to "$2" --data "@$3" >>"$T/swaks.log" 2>&1
}
# cases: how many cases the database holds.
cases() { cme_db "SELECT count(*) FROM cases" 2>/dev/null || echo 0; }
# has_case FILE: FILE carries exactly one well-formed X-CME-Case header.
has_case() {
	local v
	v=$(pf_header "$1" X-CME-Case)
	[ "$(printf '%s\n' "$v" | grep -Ec '^CME-[0-9]{4}-[0-9]{5}$')" -eq 1 ] ||
		{ diag "X-CME-Case in $1: ${v:-<none>}"; return 1; }
}
newest() { ls -t "$1"/new/* 2>/dev/null | head -n 1; }

# ---- 1-4: other mail, through both MX hosts, never reaches the milter ----
send "$P1" other@la.test "$FIX/referral.eml" && send "$P2" other@la.test "$FIX/referral2.eml"
ok $? "other mail accepted by mx1 and mx2"
pf_wait_delivery "$OTHER_MD" 2 30 2>&1 | diag
ok "${PIPESTATUS[0]}" "other mail delivered by both MX hosts"
sleep 1
nconn=$(wc -l <"$COUNTS")
ok "$([ "$nconn" -eq 0 ]; echo $?)" "the milter got no connection for other mail (it got $nconn)"
! grep -q 'postfix-cme/smtpd.*connect from' "$T/mx1/log/maillog"
ok $? "the loopback CME smtpd saw no other mail" || grep 'postfix-cme' "$T/mx1/log/maillog" | diag

# ---- 5-8: CME mail on the CME host: routed, one case, no loop ----
send "$P1" cme@la.test "$FIX/referral.eml"
ok $? "CME mail accepted by mx1"
pf_wait_delivery "$CME_MD" 1 30 2>&1 | diag
ok "${PIPESTATUS[0]}" "CME mail delivered through the loopback smtpd"
f1=$(newest "$CME_MD")
[ -n "$f1" ] && has_case "$f1"
ok $? "it carries its case (X-CME-Case)"
sleep 3    # a looping message would come back within the retry interval
[ "$(pf_maildir_count "$CME_MD")" -eq 1 ] && [ "$(cases)" -eq 1 ] &&
	! grep -q 'loops back to myself\|mail forwarding loop' "$T/mx1/log/maillog"
ok $? "delivered once, one case, no mail loop" ||
	{ diag "cme/new: $(pf_maildir_count "$CME_MD"), cases: $(cases)"; diag_tail "$T/mx1/log/maillog"; }

# ---- 9-10: CME mail on the other MX is routed to the CME host ----
send "$P2" cme@la.test "$FIX/referral2.eml"
pf_wait_delivery "$CME_MD" 2 30 2>&1 | diag
[ "${PIPESTATUS[0]}" -eq 0 ] && has_case "$(newest "$CME_MD")"
ok $? "CME mail through mx2 reaches the CME host and gets its case"
[ "$(cases)" -eq 2 ] && [ "$(wc -l <"$COUNTS")" -ge 2 ]
ok $? "two cases; the milter saw the CME mail (the counter counts: $(wc -l <"$COUNTS"))"

# ---- 11-14: the CME host is down: CME mail waits in mx2's queue ----
pf_stop "$T/mx1"
cme_burst "$P2" 1 1 routed >"$T/burst.out" 2>&1
ok $? "mx2 accepts CME mail while the CME host is down"
sleep 4
[ "$(pf_queue_count "$T/mx2" cme@la.test)" -eq 1 ] && [ "$(pf_maildir_count "$CME_MD")" -eq 2 ]
ok $? "it waits in mx2's queue (queued: $(pf_queue_count "$T/mx2" cme@la.test))"
pf_start "$T/mx1" 2>"$T/start.err" && pf_wait_port "$CPORT" 15 2>>"$T/start.err" ||
	diag <"$T/start.err"
pf_flush "$T/mx2"
pf_wait_delivery "$CME_MD" 3 60 2>&1 | diag
[ "${PIPESTATUS[0]}" -eq 0 ] && has_case "$(newest "$CME_MD")"
ok $? "once the CME host is back it is delivered with its case" || diag_tail "$T/mx2/log/maillog"
[ "$(cases)" -eq 3 ] && [ "$(pf_queue_count "$T/mx2")" -eq 0 ] && [ "$(pf_maildir_count "$OTHER_MD")" -eq 2 ]
ok $? "three cases, mx2's queue empty, other mail untouched"
