#!/bin/bash
# tests/flood.sh - a flood of forged X-CME-* headers through a real Postfix
# (issue 10, item 5).  Postfix follows at most 10,000 "reverse jump"
# records per queue file and each header a milter removes costs one: a
# message with 20,000 forged headers whose every header the milter removed
# was deferred for ever ("too many reverse jump records"), after its case
# was committed.  Now:
#   A. 1,000 forged headers (the milter's own limit): all removed;
#   B. 20,000 forged headers, MTA without header_checks: delivered once,
#      with its case, the forged headers left and the case saying so;
#   C. 20,000 forged headers, MTA with contrib's header_checks line:
#      delivered once, with its case, and no X-CME-* header but ours.
# Speaks TAP.  Needs root, postfix, swaks.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then top_builddir=${1:-$top_srcdir/_build}; fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export PATH=$PATH:/usr/sbin:/sbin
. "$here/lib/tap.sh"
. "$here/lib/postfix.sh"
. "$here/lib/cme.sh"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
command -v postfix >/dev/null && command -v swaks >/dev/null ||
	{ echo "1..0 # SKIP needs postfix and swaks"; exit 0; }

cme_test_dir flood KEEP_FLOOD
read -r MXPORT MILTERPORT < <(pf_free_ports 2 | tr '\n' ' ')
cme_conf_write "$CONF" "$T" "$MILTERPORT"
milter_start "$top_builddir/cme-milter" "$CONF" "$MILTERPORT" "$T/milter.log" 15 2>"$T/start.err" ||
	{ diag <"$T/start.err"; bail "milter did not start"; }
pf_instance_create "$T/mx" mx "$MXPORT" "$T/mail" "$MILTERPORT" && pf_start "$T/mx" ||
	bail "mx did not start"
MD=$T/mail/cme

# flood ID N: send a referral for child "ID" with N forged X-CME-* headers.
flood() {
	/usr/bin/python3 - "$1" "$2" >"$T/$1.eml" <<'EOF'
import sys
name, n = sys.argv[1], int(sys.argv[2])
print("From: Head <head@oakfield.sch.test>\r\nTo: cme@la.test\r\nSubject: CME referral\r\n"
      "Message-ID: <flood-%s@oakfield.sch.test>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r" % name)
for i in range(n):
    print("X-CME-Action: closed\r" if i % 2 else "X-CME-Case: CME-2019-00007\r")
print("\r\nChild name: %s Flood\r\nDate of birth: 01/02/2015\r\nReason: moved away\r" % name)
EOF
	swaks --server "127.0.0.1:$MXPORT" --from head@oakfield.sch.test --to cme@la.test \
		--data "@$T/$1.eml" >"$T/$1.swaks" 2>&1
}
# delivered ID: the delivered copies of referral ID.
delivered() { grep -l "^Message-ID: <flood-$1@" "$MD"/new/* 2>/dev/null; }
# wait_delivered ID SECS
wait_delivered() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		[ -n "$(delivered "$1")" ] && return 0
		sleep 0.5
	done
	return 1
}
# xcme ID: the X-CME-* header lines of the delivered message, sorted.
xcme() { grep '^X-CME-' $(delivered "$1") | sort; }

# ------------------------------------------------------------ A. 1,000 ----
flood Kilo 1000
wait_delivered Kilo 60
ok $? "1,000 forged headers: delivered"
is "$(delivered Kilo | wc -l)" 1 "1,000 forged headers: delivered once"
ref=$(cme_db "SELECT ref FROM cases c JOIN children ch ON ch.case_id = c.id WHERE ch.surname = 'Flood' AND ch.forename = 'Kilo'")
[ -n "$ref" ]
ok $? "1,000 forged headers: the child has a case ($ref)"
is "$(xcme Kilo | tr '\n' ' ')" "X-CME-Action: opened X-CME-Case: $ref " \
	"1,000 forged headers: all removed, only the milter's remain"

# ---------------------------------------------- B. 20,000, no header_checks ----
flood Bravo 20000
wait_delivered Bravo 90
ok $? "20,000 forged headers, no header_checks: delivered (not deferred for ever)"
is "$(delivered Bravo | wc -l)" 1 "20,000 forged headers: delivered once"
ref=$(cme_db "SELECT ref FROM cases c JOIN children ch ON ch.case_id = c.id WHERE ch.surname = 'Flood' AND ch.forename = 'Bravo'")
[ -n "$ref" ]
ok $? "20,000 forged headers: the child has a case ($ref)"
grep -q "too many reverse jump" "$(pf_log "$T/mx")"
ok $((!$?)) "Postfix never gave up on the queue file"
cmectl_show=$("$top_builddir/cmectl" -c "$CONF" show "$ref" --json 2>/dev/null)
echo "$cmectl_show" | grep -q '20000 X-CME-\* header(s), which only cme-milter writes: too many to remove'
ok $? "the case says the message carried 20,000 forged headers, left in place"
grep -q "20000 forged X-CME-\* headers.*header_checks" "$T/milter.log"
ok $? "the milter's log says how to have the MTA drop them"

# ------------------------------------------- C. 20,000, with header_checks ----
cp "$top_srcdir/contrib/postfix-cme_header_checks" "$T/mx/etc/cme_header_checks"
postconf -c "$T/mx/etc" -e "header_checks = regexp:$T/mx/etc/cme_header_checks" &&
	postfix -c "$T/mx/etc" reload >/dev/null 2>&1
ok $? "the MX takes contrib's header_checks line"
sleep 1
flood Charlie 20000
wait_delivered Charlie 60
ok $? "20,000 forged headers, header_checks: delivered"
ref=$(cme_db "SELECT ref FROM cases c JOIN children ch ON ch.case_id = c.id WHERE ch.surname = 'Flood' AND ch.forename = 'Charlie'")
[ -n "$ref" ]
ok $? "20,000 forged headers, header_checks: the child has a case ($ref)"
is "$(xcme Charlie | tr '\n' ' ')" "X-CME-Action: opened X-CME-Case: $ref " \
	"20,000 forged headers, header_checks: only the milter's X-CME headers"
echo "1..$n"
