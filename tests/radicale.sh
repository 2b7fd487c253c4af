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
cleanup() { radicale_stop; rm -rf "$T"; }
trap cleanup EXIT
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/radicale.sh"

# A feed with real events: ingest the project's e2e fixtures.
. "$top_srcdir/tests/lib/cmectl-conf.sh"
cmectl_conf_write "$T/cme.conf" "$T"
for f in "$top_srcdir"/tests/fixtures/e2e/referral*.eml; do
	"$top_builddir/cmectl" -c "$T/cme.conf" ingest "$f" >/dev/null
done
FEED=$T/reminders/duty@la.test.ics
[ -s "$FEED" ]; ok $? "the officer's feed was written"

radicale_start "$T"
radicale_put "$FEED" cme > "$T/put.out" 2> "$T/put.err"
grep -q "^MKCALENDAR 201" "$T/put.out"; ok $? "Radicale creates the calendar collection"
nev=$(grep -c "^PUT" "$T/put.out")
[ "$nev" -ge 6 ]; ok $? "the feed holds the fixtures' events ($nev)"
[ "$nev" -gt 0 ] && ! grep "^PUT" "$T/put.out" | grep -qv "^PUT 201 GET 200 UID True SAME True"
ok $? "Radicale accepts every feed event (PUT 201) and returns it unchanged (UID, DTSTART, SUMMARY, DESCRIPTION, TRIGGER)" ||
	{ grep -v "^PUT 201 GET 200 UID True SAME True" "$T/put.out"; cat "$T/put.err"; } | diag
echo "1..$n"
