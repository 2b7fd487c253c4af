#!/bin/bash
# integrity.sh - SPEC 8: a database that lost cases (truncated to 0 bytes,
# restored from an older backup) never hands out a reference already
# issued, and cme-milter -n and start-up refuse it with a one-line reason
# and the fix; a corrupt database is reported by -n and refused at
# start-up.  cmectl and cme-milter on real files.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
MILTER=$top_builddir/cme-milter
T=$(mktemp -d /tmp/cme-integrity.XXXXXX)
trap '[ "${KEEP_INTEGRITY:-0}" = 1 ] || rm -rf "$T"' EXIT
n=0
ok() { local st=$1; shift; n=$((n + 1)); if [ "$st" -eq 0 ]; then echo "ok $n - $*"; else echo "not ok $n - $*"; fi; }
diag() { sed 's/^/# /'; }

D=$T/state
C=$T/cme.conf
PORT=$((20000 + RANDOM % 20000))
. "$top_srcdir/tests/lib/cmectl-conf.sh"
cmectl_conf_write "$C" "$D" Socket "inet:$PORT@127.0.0.1"
R=$top_srcdir/tests/fixtures/referrals
NOW=2026-11-22T10:00:00Z
ISSUED=$T/issued

# ingest FILE: run it, remember every reference it opened; prints the refs.
ingest() {
	"$CMECTL" -c "$C" ingest --now "$NOW" "$1" 2>"$T/ingest.err" | tee -a "$T/ingest.out" |
		awk '$2 == "opened" || $2 == "triage" { for (i = 3; i <= NF; i++) print $i }' |
		tee -a "$ISSUED"
}
refnum() { sed -n 's/^CME-2026-0*\([0-9][0-9]*\)$/\1/p'; }
max_issued() { refnum <"$ISSUED" | sort -n | tail -n 1; }
# refuses_start PATTERN: cme-milter -f exits at once with status != 0 and says why.
refuses_start() {
	timeout 10 "$MILTER" -c "$C" -f >"$T/start.out" 2>&1
	local st=$?
	[ "$st" -ne 0 ] && [ "$st" -ne 124 ] && grep -q "$1" "$T/start.out"
}
# refuses_n WHAT PATTERN: cme-milter -n exits non-zero with one line, PATTERN.
refuses_n() {
	"$MILTER" -c "$C" -n >"$T/n.out" 2>&1
	local st=$?
	[ "$st" -ne 0 ] && grep -q "$2" "$T/n.out" && [ "$(grep -c . "$T/n.out")" -eq 1 ]
	ok $? "$1: cme-milter -n exits $st with one line: reason and fix" || diag <"$T/n.out"
}
# accepted WHAT FILE: the admin's fix (cmectl accept-restore) is taken, -n
# is content, and FILE's case gets a reference above every one issued.
accepted() {
	local high next
	high=$(max_issued)
	"$CMECTL" -c "$C" accept-restore >"$T/accept.out" 2>&1
	ok $? "$1: cmectl accept-restore keeps the database" || diag <"$T/accept.out"
	"$MILTER" -c "$C" -n >"$T/n.out" 2>&1
	ok $? "$1: after accept-restore, cme-milter -n says OK" || diag <"$T/n.out"
	next=$(ingest "$2" | head -n 1 | refnum)
	[ -n "$next" ] && [ "$next" -gt "$high" ]
	ok $? "$1: the next reference ($next) is above every one issued ($high)"
	[ -z "$(sort "$ISSUED" | uniq -d)" ]
	ok $? "$1: no reference was issued twice"
}
# backup FILE: a consistent copy, as cmectl backup / sqlite3 .backup make.
backup() { sqlite3 "$D/cases.db" ".backup '$1'"; }
restore() { rm -f "$D/cases.db-wal" "$D/cases.db-shm"; cp "$1" "$D/cases.db"; }

# --- a fresh installation starts normally, numbering from 00001 ----------
"$MILTER" -c "$C" -n >"$T/n.out" 2>&1
ok $? "fresh installation: cme-milter -n says OK" || diag <"$T/n.out"
first=$(ingest "$R/01-sims-deletion-labels.eml" | head -n 1)
[ "$first" = CME-2026-00001 ]
ok $? "fresh installation: the first case is CME-2026-00001 ($first)"
backup "$T/old.db"
for f in 02-portal-synonyms-postcode 03-hoy-prose-signature 04-arbor-temp-upn-from; do
	ingest "$R/$f.eml" >/dev/null
done
[ "$(refnum <"$ISSUED" | sort -n | tr '\n' ' ')" = "$(seq 1 "$(max_issued)" | tr '\n' ' ')" ]
ok $? "numbering stays dense across cmectl runs (1..$(max_issued))"
[ -f "$D/cases.db.refs" ] && grep -q '^database-id [0-9a-f]\{32\}$' "$D/cases.db.refs"
ok $? "the reference record cases.db.refs exists beside the database"
high=$(max_issued)

# --- restored from an older backup: refused, then accepted --------------
restore "$T/old.db"
refuses_n "older backup restored" 'older than its references.*restore the newest backup.*cmectl accept-restore'
refuses_start 'older than its references'
ok $? "older backup restored: cme-milter refuses to start" || diag <"$T/start.out"
out=$(ingest "$R/05-invalid-upn.eml")
[ -z "$out" ] && grep -q 'older than its references' "$T/ingest.err"
ok $? "older backup restored: cmectl ingest refuses and opens nothing" || diag <"$T/ingest.err"
accepted "older backup restored" "$R/05-invalid-upn.eml"

# --- truncated to 0 bytes: refused, then accepted -----------------------
rm -f "$D/cases.db-wal" "$D/cases.db-shm"
: >"$D/cases.db"
refuses_n "truncated database" 'not the database whose references.*restore the newest backup.*cmectl accept-restore'
rm -f "$D/cases.db-wal" "$D/cases.db-shm"
: >"$D/cases.db"
refuses_start 'not the database whose references'
ok $? "truncated database: cme-milter refuses to start" || diag <"$T/start.out"
out=$(ingest "$R/06-html-table-nbsp.eml")
[ -z "$out" ]
ok $? "truncated database: cmectl ingest opens nothing (no CME-2026-00001 again)" || echo "$out" | diag
accepted "truncated database" "$R/06-html-table-nbsp.eml"

# --- a corrupt page -----------------------------------------------------
for f in "$R"/1*.eml; do ingest "$f" >/dev/null; done
sqlite3 "$D/cases.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
pages=$(sqlite3 "$D/cases.db" 'PRAGMA page_count')
psize=$(sqlite3 "$D/cases.db" 'PRAGMA page_size')
[ "$pages" -ge 6 ]
ok $? "the test database has several pages ($pages)"
"$MILTER" -c "$C" -n >"$T/n.out" 2>&1
ok $? "before the damage: cme-milter -n says OK" || diag <"$T/n.out"
# Garbage over two pages in the middle of the file, as a bad disk would.
head -c $((2 * psize)) /dev/zero | tr '\0' '\377' |
	dd of="$D/cases.db" bs="$psize" seek=$((pages / 2)) conv=notrunc 2>/dev/null
refuses_n "corrupt page" 'the database is corrupt (quick_check: .*restore the newest backup.*\.recover'
refuses_start 'the database is corrupt'
ok $? "corrupt page: cme-milter refuses to start" || diag <"$T/start.out"

# --- a UserID that does not exist: said once, by -n and at start ---------
if [ "$(id -u)" -eq 0 ]; then
	cp "$C" "$T/nouser.conf"
	echo "UserID                nosuchuser-cme" >>"$T/nouser.conf"
	"$MILTER" -c "$T/nouser.conf" -n >"$T/n.out" 2>&1
	st=$?
	[ "$st" -ne 0 ] && [ "$(grep -c 'nosuchuser-cme: no such user or group' "$T/n.out")" -eq 1 ] &&
		[ "$(grep -c . "$T/n.out")" -eq 1 ]
	ok $? "UserID no such user: cme-milter -n exits $st with that one line" || diag <"$T/n.out"
	timeout 10 "$MILTER" -c "$T/nouser.conf" -f >"$T/start.out" 2>&1
	st=$?
	[ "$st" -ne 0 ] && [ "$st" -ne 124 ] &&
		[ "$(grep -c 'nosuchuser-cme' "$T/start.out")" -eq 1 ]
	ok $? "UserID no such user: cme-milter refuses to start and says so once" || diag <"$T/start.out"
fi

echo "1..$n"
