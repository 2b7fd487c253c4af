#!/bin/bash
# feed-http.sh - an officer's calendar feed fetched as a client would
# (issue 14 item 7): a real web server on 127.0.0.1 (python3 -m
# http.server) serves the feed under an unguessable link name (INSTALL.md,
# "Publishing officers' calendar feeds safely"); curl fetches it, and
# libical (tests/ical-check) and vobject both accept what came over HTTP.
# Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PY=/usr/bin/python3
if ! command -v curl >/dev/null 2>&1; then
	echo "1..0 # SKIP curl not installed"
	exit 0
fi
T=$(mktemp -d /tmp/cme-feed-http.XXXXXX)
WPID=""
cleanup() { [ -n "$WPID" ] && kill "$WPID" 2>/dev/null && wait "$WPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
. "$top_srcdir/tests/lib/tap.sh"

. "$top_srcdir/tests/lib/cmectl-conf.sh"
cmectl_conf_write "$T/cme.conf" "$T"
for f in "$top_srcdir"/tests/fixtures/e2e/referral*.eml; do
	"$top_builddir/cmectl" -c "$T/cme.conf" ingest --now 2026-12-01T10:00:00Z "$f" >/dev/null
done
FEED=$T/reminders/duty@la.test.ics
[ -s "$FEED" ]; ok $? "the officer's feed was written"

# Published as INSTALL.md says: a random link name in the served
# directory, nothing else there (the web server lists no ReminderDir).
mkdir -p "$T/www"
NAME=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
ln -s "$FEED" "$T/www/$NAME.ics"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY -m http.server --bind 127.0.0.1 --directory "$T/www" "$PORT" > "$T/http.log" 2>&1 &
WPID=$!
for _ in $(seq 50); do
	$PY -c "import socket; socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null && break
	sleep 0.1
done
curl -sS -f -o "$T/got.ics" "http://127.0.0.1:$PORT/$NAME.ics" 2> "$T/curl.err"
ok $? "curl fetches the feed over HTTP by its link name" || diag < "$T/curl.err"
cmp -s "$FEED" "$T/got.ics"; ok $? "what came over HTTP is the feed, byte for byte"
"$top_builddir/tests/ical-check" "$T/got.ics" > "$T/ic.out" 2>&1
ok $? "libical (tests/ical-check) accepts the fetched feed" || diag < "$T/ic.out"
if $PY -c 'import vobject' 2>/dev/null; then
	$PY "$top_srcdir/tests/vobject-check.py" "$T/got.ics" > "$T/vo.out" 2>&1
	ok $? "vobject accepts the fetched feed" || diag < "$T/vo.out"
fi
tr -d '\r' < "$T/got.ics" | grep -qx 'REFRESH-INTERVAL;VALUE=DURATION:PT4H' &&
	tr -d '\r' < "$T/got.ics" | grep -qx 'X-PUBLISHED-TTL:PT4H'
ok $? "the feed asks to be refreshed every 4 hours (REFRESH-INTERVAL, X-PUBLISHED-TTL)"
nev=$(grep -c '^BEGIN:VEVENT' "$T/got.ics")
natt=$($PY -c 'import sys; t = open(sys.argv[1], newline="").read().replace("\r\n ", "")
print(sum(1 for l in t.split("\r\n") if l.startswith("ATTENDEE") and l.endswith(":mailto:duty@la.test")))' "$T/got.ics")
[ "$nev" -gt 0 ] && [ "$natt" -eq "$nev" ]
ok $? "every event names the officer as ATTENDEE ($natt of $nev)"
! tr -d '\r' < "$T/got.ics" | grep '^UID:' | grep -qv '@la\.test$'
ok $? "every UID ends @la.test (CalendarDomain), none the host name"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/duty@la.test.ics")
[ "$code" = 404 ]; ok $? "the feed is not served under the officer's address ($code)"
echo "1..$n"
