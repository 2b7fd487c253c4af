#!/bin/bash
# tests/echo.sh - every reminder committed to the outbox reaches the
# officer exactly once, and only our own mail is taken for our own.
#
# A real relay Postfix and a real MX Postfix whose smtpd_milters AND
# non_smtpd_milters are cme-milter, NotifyOfficers yes, SendmailPath the
# MX's own sendmail(1): every reminder passes back through the milter
# (its "echo") on its way to the officer's Maildir.
#   1. A forged echo: an outside SMTP client sends MAIL FROM the CME
#      mailbox with the Message-ID of a reminder still waiting in the
#      outbox (with a bad seal, and with none).  The reminder must stay
#      unsent and later arrive; the forgery is delivered as ordinary mail.
#   2. A burst of ECHO_BURST (500) referrals with two kill -9s of the
#      milter and three SIGUSR1 reloads during it.  Then every outbox
#      row's Message-ID + UID + SEQUENCE arrived exactly once, none still
#      carries the seal, every row saw its echo, and the MX log holds no
#      milter-discard.
# Speaks TAP.  Needs root, postfix, swaks.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then top_builddir=${1:-$top_srcdir/_build}; fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
CME_MILTER=$top_builddir/cme-milter
PY=/usr/bin/python3
BURST=${ECHO_BURST:-500}
export PATH=$PATH:/usr/sbin:/sbin
. "$here/lib/tap.sh"
. "$here/lib/postfix.sh"
. "$here/lib/cme.sh"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
command -v postfix >/dev/null && command -v swaks >/dev/null ||
	{ echo "1..0 # SKIP needs postfix and swaks"; exit 0; }

cme_test_dir echo KEEP_ECHO
read -r MXPORT RELAYPORT MILTERPORT < <(pf_free_ports 3 | tr '\n' ' ')
SENDMAIL=$(postconf -h sendmail_path 2>/dev/null)
SENDMAIL=${SENDMAIL:-/usr/sbin/sendmail}
# SendmailPath: the MX's own sendmail(1) (postdrop -> pickup -> cleanup
# -> non_smtpd_milters), held back (exit 75, "try later") while $T/hold
# exists.
cat >"$T/bin/sendmail" <<EOF
#!/bin/sh
[ -e "$T/hold" ] && exit 75
exec "$SENDMAIL" -C "$T/mx/etc" "\$@"
EOF
chmod 0755 "$T/bin/sendmail"
# The milter runs as root here: Postfix's sendmail(1) takes -C (a private
# instance) only from root, or from anyone when the system's main.cf
# lists the directory in alternate_config_directories - and the system's
# Postfix is not ours to configure.
#
# ReminderEchoWait and pickup's wakeup, scaled down together: a dead
# sender's mails wait ReminderEchoWait (90 s by default) for their echo
# because a mail it had already handed to postdrop comes back only when
# pickup retries it (every 60 s by default) once the milter is up again.
# Here pickup retries every 5 s and the wait is 30 s: the same order, with
# 25 s to spare for the backlog, instead of 90 s of the test waiting for
# the first kill's released mails.  A wait shorter than the echo would
# send a second copy, whose echo is discarded: the checks below fail so.
cme_conf_write "$CONF" "$T" "$MILTERPORT" NotifyOfficers yes SendmailPath "$T/bin/sendmail" \
	UserID root ReminderEchoWait "${ECHO_WAIT:-30}"
pf_instance_create "$T/mx" mx "$MXPORT" "$T/mail" "$MILTERPORT" &&
	postconf -c "$T/mx/etc" -e 'non_smtpd_milters = $smtpd_milters' &&
	postconf -c "$T/mx/etc" -F 'pickup/unix/wakeup = 5' &&
	pf_start "$T/mx" || bail "mx did not start"
pf_instance_create "$T/relay" relay "$RELAYPORT" "$MXPORT" && pf_start "$T/relay" ||
	bail "relay did not start"
starts=0
start_milter() {
	starts=$((starts + 1))
	milter_start "$CME_MILTER" "$CONF" "$MILTERPORT" "$T/milter.log.$starts" 15 2>>"$T/start.err"
}
start_milter || { diag <"$T/start.err"; bail "milter did not start"; }
MXLOG=$(pf_log "$T/mx")
DUTY=$T/mail/duty

# drain SECS: flush the relay until its queue is empty.
drain() {
	local i
	for ((i = 0; i < $1; i += 2)); do
		[ "$(pf_queue_count "$T/relay")" -eq 0 ] && return 0
		pf_flush "$T/relay" >/dev/null 2>&1
		sleep 2
	done
	return 1
}
# wait_for SECS SQL VALUE: poll the database until SQL prints VALUE.
wait_for() {
	local i
	for ((i = 0; i < $1 * 2; i++)); do
		[ "$(cme_db "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.5
	done
	return 1
}

# ============================================== 1. a forged echo ====
touch "$T/hold"
printf 'From: A <a@echo.sch.test>\r\nTo: cme@la.test\r\nSubject: referral\r\nMessage-ID: <held-1@echo.sch.test>\r\n\r\nName: Hela Heldback\r\nDate of birth: 02/03/2015\r\nPostcode: IP2 8JX\r\n' >"$T/held.eml"
swaks --server "127.0.0.1:$RELAYPORT" --from a@echo.sch.test --to cme@la.test \
	--data "@$T/held.eml" >>"$T/swaks.log" 2>&1
drain 60
wait_for 30 "SELECT count(*) > 0 FROM outbox WHERE attempts > 0 AND sent_at IS NULL" 1
ok $? "a reminder is queued and held back (the submission program says 'try later')"
MID=$(cme_db "SELECT message_id FROM outbox ORDER BY id LIMIT 1")
ZEROS=$(printf '0%.0s' $(seq 64))
for seal in "v1 $ZEROS" ""; do
	hdr=()
	[ -n "$seal" ] && hdr=(--add-header "X-Cmemilter-Seal: $seal")
	swaks --server "127.0.0.1:$MXPORT" --from cme@la.test --to duty.officer@la.test \
		--header "Message-Id: $MID" --header "Subject: forged echo" "${hdr[@]}" \
		--body "not a reminder" >>"$T/swaks.log" 2>&1
done
pf_wait_delivery "$DUTY" 2 30 2>/dev/null
forged=$(grep -l '^Subject: forged echo' "$DUTY"/new/* 2>/dev/null | wc -l)
is "$forged" 2 "both forged echoes (bad seal, no seal) are delivered as ordinary mail"
is "$(cme_db "SELECT count(*) FROM outbox WHERE message_id = '$MID' AND sent_at IS NULL AND echoed_at IS NULL")" 1 \
	"the forged echoes did not mark the queued reminder sent"
rm -f "$T/hold"

# ============================= 2. a burst with crashes and reloads ====
$PY "$top_srcdir/tests/lib/burst.py" "$RELAYPORT" "$BURST" 8 echo >"$T/burst.out" 2>&1 &
BURST_PID=$!
kills=0
reloads=0
for third in 1 2; do
	want=$((BURST * third / 3))
	for _ in $(seq 600); do
		[ "$(cme_db 'SELECT count(*) FROM cases' 2>/dev/null)" -ge "$want" ] 2>/dev/null && break
		sleep 0.2
	done
	if kill -9 "$MILTER_PID" 2>/dev/null; then
		wait "$MILTER_PID" 2>/dev/null
		kills=$((kills + 1))
	fi
	MILTER_PID=""
	start_milter || diag "milter did not restart"
	# One reload after the first restart, two after the second, each
	# waited for (signals sent while one is running would merge).
	for _ in 1 2; do
		[ "$third" = 1 ] && [ "$reloads" -ge 1 ] && break
		kill -USR1 "$MILTER_PID" 2>/dev/null && reloads=$((reloads + 1))
		for _ in $(seq 150); do
			[ "$(grep -c 'configuration and policy reloaded' "$T/milter.log.$starts")" -ge \
			  $((reloads - (third == 2 ? 1 : 0))) ] && break
			sleep 0.2
		done
	done
done
wait "$BURST_PID"
is "$kills" 2 "the milter was killed (-9) twice during the burst"
is "$(cat "$T/burst.out")" "$BURST" "the relay accepted all $BURST referrals"
drain 300
total=$((BURST + 1))
wait_for 120 "SELECT count(*) FROM cases" "$total"
ok $? "every referral has its case ($(cme_db 'SELECT count(*) FROM cases') of $total)"
# Every reminder sent and seen passing.  A dead sender's mails wait
# ReminderEchoWait (30 s here, see above) for their echo before they are
# sent again.
wait_for 400 "SELECT count(*) FROM outbox WHERE echoed_at IS NULL" 0
ok $? "every reminder's echo passed the milter ($(cme_db 'SELECT count(*) FROM outbox WHERE echoed_at IS NULL') left)"
# Let the last echoes reach the Maildir.
for _ in $(seq 60); do
	[ "$(pf_queue_count "$T/mx")" -eq 0 ] && [ -z "$(ls -A "$T/mx/queue/maildrop" 2>/dev/null)" ] && break
	sleep 1
done
sleep 2
rows=$(cme_db "SELECT count(*) FROM outbox")
[ "$rows" -ge $((3 * BURST)) ]
ok $? "the burst queued its reminders ($rows outbox rows for $total referrals)"
$PY "$top_srcdir/tests/reminder-echo.py" "$CME_DB" "$DUTY" >"$T/echo.out" 2>&1
ok $? "every outbox row (Message-ID, UID, SEQUENCE, METHOD) reached the officer exactly once, unsealed: $(head -n 1 "$T/echo.out")" ||
	diag <"$T/echo.out"
is "$(grep -c 'milter-discard' "$MXLOG")" 0 "the MX log holds no milter-discard"
is "$(cme_db "SELECT count(*) FROM outbox WHERE message_id = '$MID' AND sent_at IS NOT NULL")" 1 \
	"the reminder the forgeries named was sent once released"
delivered=$(grep -l '^X-CME-Case:' "$T/mail/cme/new/"* 2>/dev/null | wc -l)
is "$delivered" "$total" "each referral reached the CME mailbox once, tagged"
reloaded=$(cat "$T"/milter.log.* | grep -c 'configuration and policy reloaded')
[ "$reloads" -ge 3 ] && [ "$reloaded" -eq "$reloads" ]
ok $? "every SIGUSR1 under load reloaded the configuration ($reloaded of $reloads)"
grep -h 'releas\|second copy\|died' "$T"/milter.log.* | head -n 5 | diag
echo "1..$n"
