#!/bin/bash
# bench/growth.sh - does cme-milter slow down as the database grows?
#
#   bench/growth.sh [BUILDDIR] [COUNT] [SIZES...]
#
# For each size (default 1000 100000 1000000 existing cases, made by
# bench/populate.py: an LA's history, mostly closed), a private Postfix MX
# with the milter on 127.0.0.1 receives COUNT (default 1000) new distinct
# referrals over 20 SMTP sessions; reported: messages delivered per second
# and the milter's own p50/p99 time at end of message.  Target: flat
# within 20% from the smallest to the largest database.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/_build}" && pwd)
COUNT=${2:-1000}
shift 2 2>/dev/null
SIZES=${*:-1000 100000 1000000}
. "$top_srcdir/tests/lib/postfix.sh"
. "$top_srcdir/tests/lib/cme.sh"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
T=$(mktemp -d /tmp/cme-growth.XXXXXX)
MILTER_PID=""
cleanup() { milter_stop; pf_stop_all 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
cme_state_init "$T"
MPORT=$(pf_free_ports 1)
cme_conf_write "$T/cme.conf" "$T" "$MPORT"
printf '%-10s %10s %10s %10s %12s\n' cases "msgs/s" "p50 ms" "p99 ms" "db size MB"
for size in $SIZES; do
	rm -rf "$T/state"/cases.db* "$T/state/reminders"/*
	"$top_builddir/cmectl" -c "$T/cme.conf" cases --json >/dev/null
	/usr/bin/python3 "$here/populate.py" "$T/state/cases.db" "$size" >/dev/null
	chown -R nobody:nogroup "$T/state"
	# A real database of this size has long been on disk: write back the
	# GB populate.py just wrote before the burst, not under it (the
	# commits' fsyncs would wait behind the kernel's writeback).
	sync
	dbmb=$(du -m "$T/state/cases.db" | cut -f1)
	milter_start "$top_builddir/cme-milter" "$T/cme.conf" "$MPORT" "$T/milter.$size.log" 30 || exit 1
	# What is measured is ingest as the database grows, not a restart:
	# the sender thread rewrites every officer's feed on start-up (about
	# 1.4 s of CPU at a million cases), so the burst waits until the
	# milter is idle (under 5 ticks of CPU in half a second, at most 30 s).
	prev=-100
	for _ in $(seq 60); do
		now=$(awk '{ print $14 + $15 }' "/proc/$MILTER_PID/stat")
		[ $((now - prev)) -lt 5 ] && break
		prev=$now
		sleep 0.5
	done
	port=$(pf_free_ports 1)
	rm -rf "$T/mx" "$T/mail"
	pf_instance_create "$T/mx" mx "$port" "$T/mail" "$MPORT" >/dev/null && pf_start "$T/mx" >/dev/null
	start=$(date +%s.%N)
	/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$port" "$COUNT" 20 "g$size" >/dev/null
	pf_wait_delivery "$T/mail/cme" "$COUNT" 600 >/dev/null 2>&1
	end=$(date +%s.%N)
	pf_stop_all >/dev/null 2>&1
	milter_stop
	grep -o 'ms=[0-9.]*' "$T/milter.$size.log" | cut -d= -f2 | sort -n >"$T/lat"
	nl=$(wc -l <"$T/lat")
	printf '%-10s %10.1f %10s %10s %12s\n' "$size" \
		"$(awk -v c="$COUNT" -v s="$start" -v e="$end" 'BEGIN { print c / (e - s) }')" \
		"$(sed -n "$(( (nl + 1) / 2 ))p" "$T/lat")" "$(sed -n "$(( (nl * 99 + 99) / 100 ))p" "$T/lat")" \
		"$dbmb"
done
