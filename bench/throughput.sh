#!/bin/bash
# bench/throughput.sh - what cme-milter costs Postfix, measured.
#
#   bench/throughput.sh [BUILDDIR] [COUNT] [SESSIONS]
#   (env: ROUNDS=3, IMIP=0, PACED_RATES="100 200", PACED_COUNT=1000,
#    MODES="plain null durable busy cme opendkim": which of the modes below
#    run, BUSY_MS=1.1, MILTER_NICE=N: every milter runs at nice N, as a
#    unit's Nice=N would run it)
#
# One private Postfix MX on 127.0.0.1 delivering to Maildirs, driven by
# tests/lib/burst.py (COUNT distinct CME referrals, default 2000, over
# SESSIONS parallel SMTP sessions, default 20), in the same run:
#   plain     no milter
#   null      bench/nullmilter: a milter that does nothing, on cme-milter's
#             protocol path (same options, macros and callbacks; reads
#             headers and body of CME mail, accepts at end of message):
#             the floor for any milter that reads the message
#   durable   the do-nothing milter, also writing each CME message's 4 KB
#             record and fdatasyncing it before it accepts (nullmilter -d):
#             the floor for a milter that replies only once the message is
#             on disk; its time at end of message is cme-milter's floor
#   busy      the same, also computing BUSY_MS (default 1.1) ms of CPU per
#             CME message before its record (nullmilter -w): cme-milter's
#             CPU per referral beyond the do-nothing milter's, without its
#             serialised writer: what that much work costs at saturation
#   cme       cme-milter (NotifyOfficers no)
#   cme+imip  (IMIP=1 only) cme-milter also sending its iMIP reminders (3
#             per referral) back through the same Postfix: 4 messages for 1
#   opendkim  OpenDKIM in verify mode, the reference milter (if installed)
# Ratios are to plain; cme/null is cme-milter against the floor.
# Throughput is messages delivered into the Maildir per second, from the
# first connection to the last delivery.  The modes run in turn, ROUNDS
# times, and each mode's median is reported: this is a shared VM whose
# speed drifts, and interleaving makes every mode meet the same drift.
# Also reported: the milter's own time at end of message (p50, p99, from
# its log), the disk's floor for it under the same load (bench/fsyncprobe:
# a 16 KB append and fdatasync every 5 ms beside the do-nothing milter,
# p50/p99), where it went stage by stage (bench/stages.py: parse, extract,
# commit queue, writer lock, statements, COMMIT, after-commit work, reply;
# p50/p99 each, and the mean batch per COMMIT) and its peak resident
# memory under 50 concurrent sessions.  Last, cme-milter alone with the
# referrals offered at each of PACED_RATES messages a second (an open
# loop below saturation, PACED_COUNT each): its time at end of message
# p50/p99 when a core is free, as at an LA's real load.
# Needs root, postfix, swaks, opendkim.  Traffic stays on 127.0.0.1.
# The load generator (python) shares the 2 cores with Postfix, as smtp-source
# would; it sends distinct referrals, which smtp-source cannot (it repeats
# one message, and a repeated message is a duplicate to cme-milter).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/_build}" && pwd)
COUNT=${2:-2000}
SESSIONS=${3:-20}
ROUNDS=${ROUNDS:-3}
IMIP=${IMIP:-0}
PACED_RATES=${PACED_RATES:-100 200}   # "" for none
PACED_COUNT=${PACED_COUNT:-1000}
MODES=${MODES:-plain null durable busy cme opendkim}
BUSY_MS=${BUSY_MS:-1.1}
MILTER_NICE=${MILTER_NICE:-0}
want() { case " $MODES " in *" $1 "*) return 0 ;; esac; return 1; }
. "$top_srcdir/tests/lib/postfix.sh"
. "$top_srcdir/tests/lib/cme.sh"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

make -C "$top_builddir" bench/nullmilter bench/fsyncprobe >/dev/null ||
	{ echo "cannot build bench/nullmilter and bench/fsyncprobe" >&2; exit 1; }
T=$(mktemp -d /tmp/cme-bench.XXXXXX)
MILTER_PID=""
OTHERPID=""     # the do-nothing milter or OpenDKIM, while one runs
cleanup() {
	milter_stop
	[ -n "$OTHERPID" ] && kill "$OTHERPID" 2>/dev/null
	pf_stop_all 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cme_state_init "$T"
MPORT=$(pf_free_ports 1)
: >"$T/results"
: >"$T/cpu"

# run_mode NAME MILTERPORT: a fresh MX (with the milter at MILTERPORT, or
# none), the burst, and the time until the last message is delivered.
run_mode() {
	local name=$1 mport=$2 port start end rate
	port=$(pf_free_ports 1)
	echo "$port" >"$T/mxport"
	rm -rf "$T/mx" "$T/mail"
	pf_instance_create "$T/mx" mx "$port" "$T/mail" "$mport" >/dev/null &&
		pf_start "$T/mx" >/dev/null || { echo "mx did not start" >&2; return 1; }
	s0=$(head -n 1 /proc/stat)
	start=$(date +%s.%N)
	/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$port" "$COUNT" "$SESSIONS" "$name" \
		--bench >"$T/burst.$name"
	pf_wait_delivery "$T/mail/cme" "$COUNT" 600 >/dev/null 2>&1
	end=$(date +%s.%N)
	s1=$(head -n 1 /proc/stat)
	rate=$(awk -v c="$COUNT" -v s="$start" -v e="$end" 'BEGIN { print c / (e - s) }')
	printf '%s %.1f %s\n' "$name" "$rate" "$(head -n 1 "$T/burst.$name")" >>"$T/results"
	# the whole machine's CPU per message over the same interval (user,
	# nice, system, irq, softirq; and steal: time the hypervisor took)
	printf '%s\n%s\n' "$s0" "$s1" | awk -v m="$name" -v c="$COUNT" -v hz="$(getconf CLK_TCK)" '
		NR == 1 { for (i = 2; i <= 9; i++) a[i] = $i }
		NR == 2 { for (i = 2; i <= 9; i++) d[i] = $i - a[i]
		          printf "%s %.3f %.3f\n", m, (d[2] + d[3] + d[4] + d[7] + d[8]) * 1000 / hz / c,
		                 d[9] * 1000 / hz / c }' >>"$T/cpu"
	pf_stop_all >/dev/null 2>&1
}

# The iMIP mode's SendmailPath posts reminders back into the MX under test.
printf '#!/bin/sh\nexec swaks --silent 2 --server 127.0.0.1:$(cat "%s/mxport") --from "$3" --to "$5" --data -\n' \
	"$T" >"$T/bin/sendmail"
chmod 0755 "$T/bin/sendmail"
cme_conf_write "$T/cme.conf" "$T" "$MPORT"
# every milter at MILTER_NICE: cme-milter through a wrapper that execs it
# (milter_start keeps the wrapper's PID, which becomes the milter's)
CME_MILTER=$top_builddir/cme-milter
if [ "$MILTER_NICE" != 0 ]; then
	printf '#!/bin/sh\nexec nice -n %s "%s" "$@"\n' "$MILTER_NICE" "$CME_MILTER" >"$T/bin/cme-milter"
	chmod 0755 "$T/bin/cme-milter"
	CME_MILTER=$T/bin/cme-milter
fi
cme_conf_write "$T/cme2.conf" "$T" "$MPORT" NotifyOfficers yes SendmailPath "$T/bin/sendmail"
printf 'Mode v\nSocket inet:%s@127.0.0.1\nSyslog no\nUserID nobody\nBackground no\n' \
	"$MPORT" >"$T/opendkim.conf"

# run_with_milter NAME CMD...: start the milter CMD (which must stay in the
# foreground, listening on MPORT), run mode NAME against it, stop it.
run_with_milter() {
	local name=$1
	shift
	nice -n "$MILTER_NICE" "$@" >"$T/$name.$round.log" 2>&1 &
	OTHERPID=$!
	pf_wait_port "$MPORT" 10 >/dev/null 2>&1
	run_mode "$name" "$MPORT"
	kill "$OTHERPID" 2>/dev/null
	wait "$OTHERPID" 2>/dev/null
	OTHERPID=""
}

# fresh_state: an empty database and feed directory for the next run.
fresh_state() { rm -rf "$T/state"/cases.db* "$T/state/reminders"/*; }

# latencies LOG...: the milliseconds of each "ms=" (a milter's time at end
# of message: cme-milter's log line, nullmilter -d's own line), sorted.
latencies() { cat "$@" 2>/dev/null | grep -o 'ms=[0-9.]*' | cut -d= -f2 | sort -n; }

# p50_p99 FILE: "p50 A ms, p99 B ms (N messages)" of a latencies file
# (nearest rank); false and nothing printed when it is empty.
p50_p99() {
	local n
	n=$(wc -l <"$1")
	[ "$n" -gt 0 ] || return 1
	printf 'p50 %s ms, p99 %s ms (%s messages)' "$(sed -n "$(((n + 1) / 2))p" "$1")" \
		"$(sed -n "$(((n * 99 + 99) / 100))p" "$1")" "$n"
}

for round in $(seq "$ROUNDS"); do
	want plain && run_mode plain ""

	# the disk's floor under this load: a 16 KB append + fdatasync every
	# 5 ms beside the do-nothing milter (bench/fsyncprobe.c)
	if want null; then
		"$top_builddir/bench/fsyncprobe" "$T/state/probe" 5 >"$T/probe.$round" &
		probe=$!
		run_with_milter null "$top_builddir/bench/nullmilter" -p "inet:$MPORT@127.0.0.1" -m cme@la.test
		kill "$probe" 2>/dev/null
		wait "$probe" 2>/dev/null
	fi

	want durable &&
		run_with_milter durable "$top_builddir/bench/nullmilter" -p "inet:$MPORT@127.0.0.1" \
			-m cme@la.test -d "$T/state/durable"
	want busy &&
		run_with_milter busy "$top_builddir/bench/nullmilter" -p "inet:$MPORT@127.0.0.1" \
			-m cme@la.test -d "$T/state/durable" -w "$BUSY_MS"

	if want cme; then
		fresh_state
		milter_start "$CME_MILTER" "$T/cme.conf" "$MPORT" "$T/milter.$round.log" 15 || exit 1
		run_mode cme "$MPORT"
		milter_stop
	fi

	if [ "$IMIP" = 1 ]; then
		fresh_state
		milter_start "$CME_MILTER" "$T/cme2.conf" "$MPORT" "$T/imip.$round.log" 15 || exit 1
		run_mode cme+imip "$MPORT"
		milter_stop
	fi

	if want opendkim && command -v opendkim >/dev/null 2>&1; then
		run_with_milter opendkim opendkim -x "$T/opendkim.conf" -f
	fi
done
latencies "$T"/milter.*.log >"$T/lat"
latencies "$T"/durable.*.log >"$T/dlat"
latencies "$T"/busy.*.log >"$T/blat"

# The same referrals offered at a steady rate below saturation (an open
# loop, burst.py --rate): the milter's time at end of message when the
# two cores are not all taken.  Under the closed-loop burst above every
# thread waits for a core (the latency there is queueing, not work).
: >"$T/paced"
for rate in $PACED_RATES; do
	fresh_state
	milter_start "$CME_MILTER" "$T/cme.conf" "$MPORT" "$T/paced.$rate.log" 15 || exit 1
	port=$(pf_free_ports 1)
	rm -rf "$T/mx" "$T/mail"
	pf_instance_create "$T/mx" mx "$port" "$T/mail" "$MPORT" >/dev/null &&
		pf_start "$T/mx" >/dev/null || { echo "mx did not start" >&2; exit 1; }
	start=$(date +%s.%N)
	/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$port" "$PACED_COUNT" "$SESSIONS" \
		"paced$rate" --rate "$rate" >/dev/null
	pf_wait_delivery "$T/mail/cme" "$PACED_COUNT" 600 >/dev/null 2>&1
	end=$(date +%s.%N)
	milter_stop
	pf_stop_all >/dev/null 2>&1
	latencies "$T/paced.$rate.log" >"$T/plat"
	pct=$(p50_p99 "$T/plat") && printf 'offered %s/s: delivered %.1f/s, milter time at end of message %s\n' \
		"$rate" "$(awk -v c="$PACED_COUNT" -v s="$start" -v e="$end" 'BEGIN { print c / (e - s) }')" \
		"$pct" >>"$T/paced"
done

# Peak resident memory of the milter with 50 concurrent sessions.
fresh_state
milter_start "$CME_MILTER" "$T/cme.conf" "$MPORT" "$T/milter-rss.log" 15 || exit 1
port3=$(pf_free_ports 1)
rm -rf "$T/mx" "$T/mail"
pf_instance_create "$T/mx" mx "$port3" "$T/mail" "$MPORT" >/dev/null &&
	echo "smtpd_client_connection_count_limit = 100" >>"$T/mx/etc/main.cf" &&
	pf_start "$T/mx" >/dev/null
/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$port3" 500 50 rss >/dev/null
pf_wait_delivery "$T/mail/cme" 500 300 >/dev/null 2>&1
rss=$(awk '/VmHWM/ {print $2}' "/proc/$MILTER_PID/status")
milter_stop
pf_stop_all >/dev/null 2>&1

# median_of FILE NAME FIELD: the median over the rounds of field FIELD of
# a mode's lines in FILE; median NAME: its msgs/s.
median_of() {
	awk -v m="$2" -v f="$3" '$1 == m {print $f}' "$1" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
median() { median_of "$T/results" "$1" 2; }
plain=$(median plain)
echo "cme-milter throughput benchmark: $COUNT distinct referrals, $SESSIONS SMTP sessions, $(nproc) cores, median of $ROUNDS rounds"
printf '%-10s %10s %8s   %s\n' mode "msgs/s" ratio "each round"
for mode in plain null durable busy cme cme+imip opendkim; do
	med=$(median "$mode")
	[ -n "$med" ] || continue
	printf '%-10s %10.1f %8.2f   %s\n' "$mode" "$med" \
		"$(awk -v r="$med" -v p="$plain" 'BEGIN { print r / p }')" \
		"$(awk -v m="$mode" '$1 == m {printf "%s ", $2}' "$T/results")"
done
null=$(median null)
cme=$(median cme)
[ -n "$null" ] && [ -n "$cme" ] &&
	printf 'cme-milter / do-nothing milter: %.2f\n' "$(awk -v a="$cme" -v b="$null" 'BEGIN { print a / b }')"
# The same runs by CPU: the whole machine's CPU time per message (median
# over the rounds), which the hypervisor's steal does not inflate.  At
# saturation on 2 cores, msgs/s is about 2000 / (ms per message), so the
# ratio of these medians is what the msgs/s ratio would be on an
# undisturbed machine.
cpu_median() { median_of "$T/cpu" "$1" "$2"; }
printf '%-10s %12s %12s\n' mode "CPU ms/msg" "steal ms/msg"
for mode in plain null durable busy cme cme+imip opendkim; do
	c=$(cpu_median "$mode" 2)
	[ -n "$c" ] && printf '%-10s %12.2f %12.2f\n' "$mode" "$c" "$(cpu_median "$mode" 3)"
done
cnull=$(cpu_median null 2)
ccme=$(cpu_median cme 2)
[ -n "$cnull" ] && [ -n "$ccme" ] &&
	printf 'cme-milter / do-nothing milter by CPU per message: %.2f\n' \
		"$(awk -v a="$ccme" -v b="$cnull" 'BEGIN { print b / a }')"
pct=$(p50_p99 "$T/lat") && printf 'milter time at end of message: %s\n' "$pct"
# Its floor: the durable mode's time at end of message, a 4 KB record
# written and fdatasync'd per message at the same saturation.
pct=$(p50_p99 "$T/dlat") &&
	printf 'floor, the do-nothing milter syncing 4 KB per message: %s\n' "$pct"
pct=$(p50_p99 "$T/blat") &&
	printf 'the same, computing %s ms of CPU first: %s\n' "$BUSY_MS" "$pct"
# A durable write alone, under the null mode's load.
cat "$T"/probe.* 2>/dev/null | sort -t" " -k8 -n | awk '{ l[NR] = $0 } END {
	if (NR) print "floor, a 16 KB fdatasync beside the do-nothing milter (median round): " \
		substr(l[int((NR + 1) / 2)], 8) }'
# Where that time went, stage by stage (include/stage_timing.h), over the
# same cme rounds as the ratios above.
/usr/bin/python3 "$here/stages.py" "$T"/milter.*.log
printf 'milter peak resident memory with 50 concurrent sessions: %s kB\n' "$rss"
cat "$T/paced"
