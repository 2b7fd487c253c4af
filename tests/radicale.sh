#!/bin/bash
# radicale.sh - interoperability of the feed with a real CalDAV server:
# every event of an officer's feed, PUT as its own calendar object into a
# Radicale server on 127.0.0.1 (Debian package radicale), is accepted,
# and reads back with the same UID.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PY=/usr/bin/python3
if ! command -v radicale >/dev/null 2>&1; then
	echo "1..0 # SKIP radicale not installed"
	exit 0
fi
T=$(mktemp -d /tmp/cme-radicale.XXXXXX)
RPID=""
cleanup() { [ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
. "$top_srcdir/tests/lib/tap.sh"

# A feed with real events: ingest the project's e2e fixtures.
cat > "$T/cme.conf" <<CONF
Mailbox               cme@la.test
TrustedAuthservIDs    mx.la.test
InternalHosts         none
Policy                default
PolicyDir             $top_srcdir/policies
CalendarDir           $top_srcdir/calendars
ShippedVocabularyDir  $top_srcdir/vocabulary
DutyOfficer           duty@la.test
Database              $T/cases.db
ReminderDir           $T/reminders
UserID                root
NotifyOfficers        no
Syslog                no
CONF
for f in "$top_srcdir"/tests/fixtures/e2e/referral*.eml; do
	"$top_builddir/cmectl" -c "$T/cme.conf" ingest "$f" >/dev/null
done
FEED=$T/reminders/duty@la.test.ics
[ -s "$FEED" ]; ok $? "the officer's feed was written"

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$T/radicale.conf" <<CONF
[server]
hosts = 127.0.0.1:$PORT
[auth]
type = none
[rights]
type = authenticated
[storage]
filesystem_folder = $T/collections
[logging]
level = warning
CONF
radicale --config "$T/radicale.conf" > "$T/radicale.log" 2>&1 &
RPID=$!
for _ in $(seq 50); do
	$PY -c "import socket; socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null && break
	sleep 0.1
done

$PY - "$FEED" "$PORT" > "$T/put.out" 2> "$T/put.err" <<'PYEOF'
import sys, urllib.request
feed, port = sys.argv[1], sys.argv[2]
base = "http://127.0.0.1:%s/officer/cme/" % port
def req(method, url, body=None, ctype=None):
    r = urllib.request.Request(url, data=body, method=method)
    if ctype:
        r.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
mk = b'''<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:set><D:prop><D:displayname>CME</D:displayname></D:prop></D:set></C:mkcalendar>'''
req("MKCOL", "http://127.0.0.1:%s/officer/" % port)   # the principal's collection
print("MKCALENDAR", req("MKCALENDAR", base, mk, "application/xml")[0])
text = open(feed, newline="").read()
head, _, rest = text.partition("BEGIN:VEVENT")
head = head.replace("\r\n", "\n")
events = ["BEGIN:VEVENT" + e for e in ("BEGIN:VEVENT" + rest).split("BEGIN:VEVENT")[1:]]
for i, ev in enumerate(events):
    ev = ev.split("END:VCALENDAR")[0]
    uid = [l[4:] for l in ev.replace("\r\n ", "").split("\r\n") if l.startswith("UID:")][0]
    body = (head.replace("\n", "\r\n") + ev + "END:VCALENDAR\r\n").encode()
    st, _ = req("PUT", base + "ev%d.ics" % i, body, "text/calendar; charset=utf-8")
    st2, got = req("GET", base + "ev%d.ics" % i)
    print("PUT", st, "GET", st2, "UID", ("UID:" + uid) in got.decode().replace("\r\n ", ""), uid)
PYEOF
grep -q "^MKCALENDAR 201" "$T/put.out"; ok $? "Radicale creates the calendar collection"
nev=$(grep -c "^PUT" "$T/put.out")
[ "$nev" -ge 6 ]; ok $? "the feed holds the fixtures' events ($nev)"
[ "$nev" -gt 0 ] && ! grep "^PUT" "$T/put.out" | grep -qv "^PUT 201 GET 200 UID True"
ok $? "Radicale accepts every feed event (PUT 201) and returns it with its UID" ||
	{ grep -v "^PUT 201 GET 200 UID True" "$T/put.out"; cat "$T/put.err"; } | diag
echo "1..$n"
