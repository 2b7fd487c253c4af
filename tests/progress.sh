#!/bin/bash
# progress.sh - `cmectl ingest` of a Maildir (a backfill) shows one
# updating progress line on a terminal and nothing new when not on one
# (issue 15 item 5).  The terminal is a pty from script(1) (util-linux);
# stdout goes to a file, as in a backfill whose log is kept.  Speaks TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CMECTL=$top_builddir/cmectl
PY=/usr/bin/python3
T=$(mktemp -d /tmp/cme-progress.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cmectl.sh"

# A Maildir of N distinct school referrals, delivered in order.
N=40
M=$T/Maildir
mkdir -p "$M/cur" "$M/new" "$M/tmp"
first=(Amy Ben Cara Dan Eve Finn Gail Hugo Isla Jack)
last=(Able Brown Cole Dale East Ford Gray Hill Irwin Jones)
for i in $(seq 0 $((N - 1))); do
	f=${first[$((i % 10))]}; s=${last[$((i / 10))]}
	school_referral "p$(printf %03d "$i")" "$f" "$s" "moved away, address unknown" \
		"$((i + 1)) Mill Road, Ipswich IP4 1AA" > "$M/new/$((1790000000 + i)).M$i.host"
done

# --- not on a terminal: stdout's lines only, stderr quiet -----------------
cmectl_conf plain
"$CMECTL" -c "$T/plain.conf" ingest --now 2026-10-05T10:00:00Z "$M" > "$T/plain.out" 2> "$T/plain.err" < /dev/null
is "$?" "0" "ingest of a Maildir without a terminal succeeds"
is "$(wc -l < "$T/plain.out")" "$N" "one stdout line per message"
is "$(grep -cE '^<p[0-9]{3}@park\.sch\.test> [a-z]+( CME-[0-9]{4}-[0-9]{5})*$' "$T/plain.out")" "$N" \
	"each as before: KEY ACTION REF..."
is "$(wc -c < "$T/plain.err")" "0" "stderr not a terminal: no progress line"

# --- on a terminal --------------------------------------------------------
cmectl_conf tty
start=$(date +%s.%N)
script -qec "'$CMECTL' -c '$T/tty.conf' ingest --now 2026-10-05T10:00:00Z '$M' > '$T/tty.out'" \
	/dev/null > "$T/tty.log" < /dev/null
is "$?" "0" "ingest of a Maildir on a terminal succeeds"
end=$(date +%s.%N)
is "$(cat "$T/tty.out")" "$(cat "$T/plain.out")" "stdout's lines are the same on a terminal"
# The terminal's text: \r-separated redraws of one line, then the summary.
$PY - "$T/tty.log" "$N" "$start" "$end" > "$T/check" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", newline="").read().replace("\r\n", "\n")
n, elapsed = int(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3])
draws = re.findall(r"\ringest: ([0-9,]+) of ([0-9,]+) messages \(([0-9.]+)%\)([^\r\n\x1b]*)\x1b\[K",
                   text)
print("counted", bool(draws) and all(int(t.replace(",", "")) == n for _, t, _, _ in draws))
print("first", draws[0][0] if draws else "")
print("monotonic", int(all(int(a[0]) <= int(b[0]) for a, b in zip(draws, draws[1:]))))
# at most 4 redraws a second, plus the first and a last one
print("rate", int(len(draws) <= 2 + 4 * elapsed), len(draws), round(elapsed, 2))
last = text.split("\r")[-1].replace("\x1b[K", "")
summary = re.findall(r"^ingest: ([0-9,]+) messages in [0-9]+ (?:s|min)", last, re.M)
print("summary", summary[0] if summary else "")
print("lines", len([l for l in text.split("\n") if l.strip()]))
PY
grep -q '^counted True$' "$T/check"
ok $? "on a terminal: 'ingest: K of $N messages (P%)' lines" || diag < "$T/check"
is "$(sed -n 's/^first //p' "$T/check")" "0" "the first drawn before the first message"
is "$(sed -n 's/^monotonic //p' "$T/check")" "1" "the count only goes up"
grep -q '^rate 1 ' "$T/check"
ok $? "redrawn at most 4 times a second (redraws, seconds: $(sed -n "s/^rate [01] //p" "$T/check"))" ||
	diag < "$T/check"
is "$(sed -n 's/^summary //p' "$T/check")" "$N" "it ends with a summary line: '$N messages in ...'"
is "$(sed -n 's/^lines //p' "$T/check")" "1" "one line on the terminal: the redraws overwrite it"

# --- an error clears the line first --------------------------------------
cmectl_conf err
script -qec "'$CMECTL' -c '$T/err.conf' ingest --now 2026-10-05T10:00:00Z '$M' '$T/missing.eml' > '$T/err.out'" \
	/dev/null > "$T/err.log" < /dev/null
is "$?" "2" "a message that cannot be read: exit 2"
$PY - "$T/err.log" > "$T/errcheck" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8", newline="").read().replace("\r\n", "\n")
line = [l for l in text.split("\n") if "cannot read" in l]
print("cleared", int(bool(line) and line[0].split("\r")[-1].startswith("\x1b[Kcmectl: cannot read")))
print("failed", int(", 1 failed (see above)" in text.split("\r")[-1]))
PY
is "$(sed -n 's/^cleared //p' "$T/errcheck")" "1" "the error line replaces the progress line, not appended to it"
is "$(sed -n 's/^failed //p' "$T/errcheck")" "1" "the summary counts the failure"

echo "1..$n"
