#!/bin/bash
# tests/backup.sh - cmectl backup under load, cmectl verify, and the
# restore procedure of INSTALL.md ("Backups and restore"), through a real
# Postfix with cme-milter on 127.0.0.1 (tests/lib/postfix.sh):
#   - `cmectl backup` in the middle of a burst: the copy passes
#     integrity_check and holds every case committed before it started,
#     while the milter kept committing during the copy;
#   - `cmectl verify` is clean on the live database and on the copy, and
#     lists planted orphan rows and a broken reference sequence;
#   - restoring the older copy: verify and the milter refuse it (the
#     reference record; the milter before it ever listens),
#     accept-restore keeps it, and the next referral gets a reference
#     above every one issued before (none issued twice);
#   - `cmectl status` (text and --json) counts messages and cases as the
#     database holds them, and shows a stuck reminder outbox (exit 1).
# Speaks TAP.  Needs root, postfix, swaks.  BACKUP_BURST overrides the
# burst size (default 800).
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
BURST=${BACKUP_BURST:-800}
. "$here/lib/postfix.sh"
. "$here/lib/cme.sh"
. "$here/lib/tap.sh"
[ "$(id -u)" -eq 0 ] || bail "needs root"
command -v postfix >/dev/null && command -v swaks >/dev/null || bail "needs postfix and swaks"

cme_test_dir backup KEEP_BACKUP
mkdir -p "$T/backups" && chown nobody:nogroup "$T/backups"
read -r MXPORT MILTERPORT < <(pf_free_ports 2 | tr '\n' ' ')
cme_conf_write "$CONF" "$T" "$MILTERPORT"
start_milter() {
	MILTER_LOG=$T/milter.log.$1
	milter_start "$CME_MILTER" "$CONF" "$MILTERPORT" "$MILTER_LOG" 15
}
start_milter 0 2>"$T/start.err" || { diag <"$T/start.err"; bail "milter did not start"; }
pf_instance_create "$T/mx" mx "$MXPORT" "$T/mail" "$MILTERPORT" && pf_start "$T/mx" ||
	bail "mx did not start"
# sqlq DB SQL: a query on any database file, read-only.
sqlq() {
	$PY -c 'import sqlite3,sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for row in c.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$1" "$2"
}

# ================================================ backup under load ====
cme_burst "$MXPORT" "$BURST" 20 bk >"$T/burst.out" &
burst_pid=$!
for _ in $(seq 600); do
	[ "$(cme_db 'SELECT count(*) FROM cases')" -ge $((BURST / 4)) ] && break
	sleep 0.1
done
before_id=$(cme_db 'SELECT max(id) FROM cases')
cme_db "SELECT ref FROM cases WHERE id <= $before_id ORDER BY ref" >"$T/refs-before"
"$CMECTL" -c "$CONF" backup --step-pages 4 "$T/backups/b1.db" >"$T/backup.out" 2>&1
backup_st=$?
after_id=$(cme_db 'SELECT max(id) FROM cases')
kill -0 "$burst_pid" 2>/dev/null
still_sending=$?
# Small steps: the copy takes many, with the milter committing between them.
ok "$backup_st" "cmectl backup during the burst: $(cat "$T/backup.out")" || diag <"$T/backup.out"
diag "cases: $before_id before the backup, $after_id after it; burst still running: $([ $still_sending = 0 ] && echo yes || echo no)"
[ "$after_id" -gt "$before_id" ] && [ "$still_sending" -eq 0 ]
ok $? "the milter kept committing cases while the copy was made (not held back)"
[ "$(sqlq "$T/backups/b1.db" 'PRAGMA integrity_check')" = ok ]
ok $? "the copy passes PRAGMA integrity_check"
sqlq "$T/backups/b1.db" "SELECT ref FROM cases WHERE id <= $before_id ORDER BY ref" >"$T/refs-copy"
[ -s "$T/refs-before" ] && cmp -s "$T/refs-before" "$T/refs-copy"
ok $? "the copy holds every case committed before the backup started ($(wc -l <"$T/refs-before") cases)"
[ "$(stat -c %a "$T/backups/b1.db")" = 600 ] && [ ! -e "$T/backups/b1.db.refs" ]
ok $? "the copy is private (0600) and no reference record is written beside it"
wait "$burst_pid"
[ "$(head -n 1 "$T/burst.out")" = "$BURST" ]
ok $? "the burst was accepted whole ($(head -n 1 "$T/burst.out") of $BURST)"

# ============================================================ verify ====
"$CMECTL" -c "$CONF" verify >"$T/verify-live" 2>&1
ok $? "cmectl verify is clean on the live database" || diag <"$T/verify-live"
"$CMECTL" -c "$CONF" verify "$T/backups/b1.db" >"$T/verify-copy" 2>&1
ok $? "cmectl verify is clean on the copy" || diag <"$T/verify-copy"
cp "$T/backups/b1.db" "$T/backups/planted.db"
$PY -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA foreign_keys=OFF")
c.execute("INSERT INTO events (case_id, at, type, source) VALUES (987654, 0, \"note\", \"test\")")
c.execute("INSERT INTO message_cases (message_row, case_id) VALUES (1, 987655)")
c.execute("UPDATE ref_counter SET last = last - 1")' "$T/backups/planted.db" && chown nobody:nogroup "$T/backups/planted.db"
"$CMECTL" -c "$CONF" verify "$T/backups/planted.db" >"$T/verify-planted" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q '^orphan row: events row [0-9]* refers to a missing row of cases$' "$T/verify-planted" &&
	grep -q '^orphan row: message_cases row [0-9]* refers to a missing row of cases$' "$T/verify-planted" &&
	grep -q "^reference above its year's counter: CME-" "$T/verify-planted"
ok $? "cmectl verify exits 1 and lists planted orphan rows and references above the counter" ||
	diag <"$T/verify-planted"

# =========================================== restore the older copy ====
cme_db 'SELECT ref FROM cases' | sort >"$T/issued"
milter_stop
cp "$T/backups/b1.db" "$CME_DB" && rm -f "$CME_DB-wal" "$CME_DB-shm" && chown nobody:nogroup "$CME_DB"
"$CMECTL" -c "$CONF" verify >"$T/verify-restored" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q '^reference record: .*older than its references' "$T/verify-restored"
ok $? "after the restore, cmectl verify says the database is older than its reference record" ||
	diag <"$T/verify-restored"
# Refusing is exiting with the reason logged.  The milter checks the
# database (as its user) before it opens its socket, so a refused start
# never listens and milter_start fails at once; wait for the exit all the
# same, not for the port (a listener seen for a moment would make
# milter_start return success; the next test point shows there is none).
start_milter 1 2>/dev/null
for _ in $(seq 150); do
	{ [ -z "$MILTER_PID" ] || ! kill -0 "$MILTER_PID" 2>/dev/null; } && break
	sleep 0.1
done
! { [ -n "$MILTER_PID" ] && kill -0 "$MILTER_PID" 2>/dev/null; } &&
	grep -q 'older than its references' "$MILTER_LOG"
ok $? "and the milter refuses to start on it (it exits, saying why)" || diag_tail "$MILTER_LOG"
milter_stop      # reaps it (or stops one that did not refuse)
# A refused start must be invisible to the MTA: had the socket existed,
# even for a moment, Postfix could have connected and had the connection
# dropped (the message tempfailed).  On a unix socket that is provable:
# libmilter makes the file when it binds and listens, and a milter that
# exits without smfi_main leaves it behind.  The check ran as the
# milter's user: nothing in the state directory belongs to root.
sed '/^Socket /d' "$CONF" >"$T/refuse.conf" && echo "Socket local:$T/refuse.sock" >>"$T/refuse.conf"
"$CME_MILTER" -c "$T/refuse.conf" -f </dev/null >"$T/refuse.log" 2>&1 &
refuse_pid=$!
for _ in $(seq 150); do kill -0 "$refuse_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$refuse_pid" 2>/dev/null && kill -KILL "$refuse_pid"
wait "$refuse_pid"
st=$?
[ "$st" -eq 1 ] && [ ! -e "$T/refuse.sock" ] && grep -q 'older than its references' "$T/refuse.log" &&
	[ -z "$(find "$T/state" -user root)" ]
ok $? "a refused start never opened its socket (exit $st; $([ -e "$T/refuse.sock" ] && echo "$T/refuse.sock was made" || echo "no socket file")) and left no root-owned file" ||
	{ diag_tail "$T/refuse.log"; find "$T/state" -user root | diag; }
"$CMECTL" -c "$CONF" accept-restore >"$T/accept.out" 2>&1
ok $? "cmectl accept-restore keeps it: $(cat "$T/accept.out")"
"$CMECTL" -c "$CONF" verify >"$T/verify-accepted" 2>&1
ok $? "cmectl verify is clean after accept-restore" || diag <"$T/verify-accepted"
start_milter 2 2>"$T/start.err"
ok $? "the milter starts on the restored database" || diag <"$T/start.err"
before=$(pf_maildir_count "$T/mail/cme")
cme_burst "$MXPORT" 3 1 after >/dev/null
pf_wait_delivery "$T/mail/cme" $((before + 3)) 30 >/dev/null 2>&1
cme_db "SELECT c.ref FROM cases c JOIN message_cases mc ON mc.case_id = c.id JOIN messages m
        ON m.id = mc.message_row WHERE m.message_id LIKE '<after-%'" | sort >"$T/new-refs"
top_issued=$(sed 's/.*-//' "$T/issued" | sort -n | tail -n 1)
low_new=$(sed 's/.*-//' "$T/new-refs" | sort -n | head -n 1)
[ "$(wc -l <"$T/new-refs")" -eq 3 ] && [ -z "$(comm -12 "$T/issued" "$T/new-refs")" ] &&
	[ "$((10#$low_new))" -gt "$((10#$top_issued))" ]
ok $? "new referrals get references above every one issued before the restore (new from $low_new, issued up to $top_issued)" ||
	diag <"$T/new-refs"

# ============================================================ status ====
"$CMECTL" -c "$CONF" status --json >"$T/status.json" 2>"$T/status.err"
st=$?
want=$(cme_db "SELECT count(*) || ' ' || (SELECT count(*) FROM cases WHERE status = 'open') FROM messages")
got=$($PY -c 'import json,sys; s = json.load(open(sys.argv[1]))
print(s["messages"]["total"], s["cases"]["open"], s["messages"]["today"] == s["messages"]["total"],
      s["outbox"]["unsent"], s["outbox"]["stuck"])' "$T/status.json")
[ "$st" -eq 0 ] && [ "$got" = "$want True 0 False" ]
ok $? "cmectl status --json: messages and open cases as in the database, an empty outbox ($got; want $want True 0 False)" ||
	diag <"$T/status.json"
milter_stop
$PY -c 'import sqlite3,sys,time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
now = int(time.time())
c.execute("INSERT INTO outbox (case_id, uid, method, recipient, message, created_at, attempts,"
          " next_attempt_at, last_error) VALUES ((SELECT min(id) FROM cases), \"u1\", \"REQUEST\","
          " \"o@la.test\", \"x\", ?, 3, ?, \"connect to 127.0.0.1:25: Connection refused\")",
          (now - 7200, now + 600))
c.execute("INSERT INTO outbox (case_id, uid, method, recipient, message, created_at,"
          " next_attempt_at) VALUES ((SELECT min(id) FROM cases), \"u2\", \"REQUEST\","
          " \"o@la.test\", \"x\", ?, ?)", (now - 60, now))' "$CME_DB" &&
	chown nobody:nogroup "$T/state"/*
"$CMECTL" -c "$CONF" status >"$T/status.txt" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q '^reminder outbox     2 unsent (1 failing), the oldest waiting 2h [0-9]*m (STUCK?' "$T/status.txt" &&
	grep -q '^last outbox error   connect to 127.0.0.1:25: Connection refused$' "$T/status.txt"
ok $? "cmectl status shows a stuck outbox (2 unsent, the oldest 2h), its last error, and exits 1" ||
	diag <"$T/status.txt"
"$CMECTL" -c "$CONF" status --json >"$T/status.json" 2>&1
$PY -c 'import json,sys; o = json.load(open(sys.argv[1]))["outbox"]
sys.exit(not (o["unsent"] == 2 and o["failing"] == 1 and o["stuck"] is True and
              7200 <= o["oldest_unsent_age_seconds"] < 7300 and "refused" in o["last_error"]))' "$T/status.json"
ok $? "and in --json: unsent 2, failing 1, stuck, the oldest's age, the last error" || diag <"$T/status.json"
echo "1..$n"
