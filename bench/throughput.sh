#!/bin/bash
# bench/throughput.sh - what cme-milter costs Postfix, measured.
#
#   bench/throughput.sh [BUILDDIR] [COUNT] [SESSIONS]
#
# One private Postfix MX on 127.0.0.1 delivering to Maildirs, driven by
# tests/lib/burst.py (COUNT distinct CME referrals, default 2000, over
# SESSIONS parallel SMTP sessions, default 20), in the same run:
#   plain     no milter
#   cme       cme-milter (NotifyOfficers no: the mails it would send are a
#             separate cost, reported by the "cme+imip" row)
#   cme+imip  cme-milter sending iMIP reminders through the same Postfix
#   opendkim  OpenDKIM in verify mode, the reference milter
# Throughput is messages delivered into the Maildir per second, from the
# first connection to the last delivery.  Also reported: the milter's own
# time at end of message (p50, p99, from its log), and its peak resident
# memory under 50 concurrent sessions.  Needs root, postfix, swaks,
# opendkim (apt-get install opendkim).  Traffic stays on 127.0.0.1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/_build}" && pwd)
COUNT=${2:-2000}
SESSIONS=${3:-20}
. "$top_srcdir/tests/lib/postfix.sh"
. "$top_srcdir/tests/lib/cme.sh"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

T=$(mktemp -d /tmp/cme-bench.XXXXXX)
MILTER_PID=""
ODPID=""
cleanup() {
	milter_stop
	[ -n "$ODPID" ] && kill "$ODPID" 2>/dev/null
	pf_stop_all 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cme_state_init "$T"

# run_mode NAME MILTERPORT: a fresh MX (with the milter at MILTERPORT, or
# none), the burst, and the time until the last message is delivered.
run_mode() {
	local name=$1 mport=$2 port start end rate
	port=$(pf_free_ports 1)
	rm -rf "$T/mx" "$T/mail"
	pf_instance_create "$T/mx" mx "$port" "$T/mail" "$mport" >/dev/null &&
		pf_start "$T/mx" >/dev/null || { echo "mx did not start" >&2; return 1; }
	start=$(date +%s.%N)
	/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$port" "$COUNT" "$SESSIONS" "$name" \
		--bench >"$T/burst.$name"
	pf_wait_delivery "$T/mail/cme" "$COUNT" 600 >/dev/null 2>&1
	end=$(date +%s.%N)
	rate=$(awk -v c="$COUNT" -v s="$start" -v e="$end" 'BEGIN { print c / (e - s) }')
	printf '%s %.1f %s\n' "$name" "$rate" "$(head -n 1 "$T/burst.$name")" >>"$T/results"
	pf_stop_all >/dev/null 2>&1
}

MPORT=$(pf_free_ports 1)
: >"$T/results"

# plain Postfix
run_mode plain ""

# cme-milter, reminders off
rm -rf "$T/state"/cases.db* "$T/state/reminders"/*
cme_conf_write "$T/cme.conf" "$T" "$MPORT"
milter_start "$top_builddir/cme-milter" "$T/cme.conf" "$MPORT" "$T/milter.log" 15 || exit 1
run_mode cme "$MPORT"
grep -o 'ms=[0-9.]*' "$T/milter.log" | cut -d= -f2 | sort -n >"$T/lat"
milter_stop

# cme-milter, reminders on: each referral also sends 3 iMIP mails back
# through the same Postfix (to a discarding transport).
rm -rf "$T/state"/cases.db* "$T/state/reminders"/*
cat >"$T/bin/sendmail" <<EOF
#!/bin/sh
exec swaks --silent 2 --server 127.0.0.1:\$(cat "$T/mxport") --from "\$3" --to "\$5" --data -
EOF
chmod 0755 "$T/bin/sendmail"
cme_conf_write "$T/cme2.conf" "$T" "$MPORT" NotifyOfficers yes SendmailPath "$T/bin/sendmail"
milter_start "$top_builddir/cme-milter" "$T/cme2.conf" "$MPORT" "$T/milter2.log" 15 || exit 1
port2=$(pf_free_ports 1)
echo "$port2" >"$T/mxport"
rm -rf "$T/mx" "$T/mail"
pf_instance_create "$T/mx" mx "$port2" "$T/mail" "$MPORT" >/dev/null && pf_start "$T/mx" >/dev/null
start=$(date +%s.%N)
/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$port2" "$COUNT" "$SESSIONS" imip --bench >"$T/burst.imip"
pf_wait_delivery "$T/mail/cme" "$COUNT" 600 >/dev/null 2>&1
end=$(date +%s.%N)
printf '%s %.1f %s\n' "cme+imip" "$(awk -v c="$COUNT" -v s="$start" -v e="$end" 'BEGIN { print c / (e - s) }')" "$(head -n 1 "$T/burst.imip")" >>"$T/results"
pf_stop_all >/dev/null 2>&1
milter_stop

# OpenDKIM, verify mode: the reference milter.
if command -v opendkim >/dev/null 2>&1; then
	cat >"$T/opendkim.conf" <<EOF
Mode                    v
Socket                  inet:$MPORT@127.0.0.1
Syslog                  no
UserID                  nobody
PidFile                 $T/opendkim.pid
Background              no
EOF
	opendkim -x "$T/opendkim.conf" -f >"$T/opendkim.log" 2>&1 &
	ODPID=$!
	pf_wait_port "$MPORT" 10 >/dev/null 2>&1
	run_mode opendkim "$MPORT"
	kill "$ODPID" 2>/dev/null
	wait "$ODPID" 2>/dev/null
	ODPID=""
fi

# Peak resident memory of the milter with 50 concurrent sessions.
rm -rf "$T/state"/cases.db* "$T/state/reminders"/*
milter_start "$top_builddir/cme-milter" "$T/cme.conf" "$MPORT" "$T/milter3.log" 15 || exit 1
port3=$(pf_free_ports 1)
rm -rf "$T/mx" "$T/mail"
postconf_extra="smtpd_client_connection_count_limit = 100"
pf_instance_create "$T/mx" mx "$port3" "$T/mail" "$MPORT" >/dev/null &&
	echo "$postconf_extra" >>"$T/mx/etc/main.cf" && pf_start "$T/mx" >/dev/null
/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$port3" 500 50 rss >/dev/null
pf_wait_delivery "$T/mail/cme" 500 300 >/dev/null 2>&1
rss=$(awk '/VmHWM/ {print $2}' "/proc/$MILTER_PID/status")
milter_stop
pf_stop_all >/dev/null 2>&1

plain=$(awk '$1 == "plain" {print $2}' "$T/results")
echo "cme-milter throughput benchmark: $COUNT distinct referrals, $SESSIONS SMTP sessions, $(nproc) cores"
printf '%-10s %10s %8s %10s\n' mode "msgs/s" ratio accepted
while read -r name rate acc; do
	printf '%-10s %10.1f %8.2f %10s\n' "$name" "$rate" "$(awk -v r="$rate" -v p="$plain" 'BEGIN { print r / p }')" "$acc"
done <"$T/results"
nlat=$(wc -l <"$T/lat")
if [ "$nlat" -gt 0 ]; then
	printf 'milter time at end of message: p50 %s ms, p99 %s ms (%s messages)\n' \
		"$(sed -n "$(( (nlat + 1) / 2 ))p" "$T/lat")" \
		"$(sed -n "$(( (nlat * 99 + 99) / 100 ))p" "$T/lat")" "$nlat"
fi
printf 'milter peak resident memory with 50 concurrent sessions: %s kB\n' "$rss"
