#!/bin/bash
# tests/memory.sh - SPEC 8: "memory is bounded per message and in total
# (decompressed DOCX included), so a hundred hostile messages at once
# cannot exhaust the host".
#
# A private MX Postfix with cme-milter on 127.0.0.1 (tests/lib/postfix.sh)
# receives MEMORY_BURST (default 100) referrals at once, over as many SMTP
# sessions, each carrying the same hostile DOCX: ~28 kB of ZIP that
# inflates to 8 MB of WordprocessingML (short paragraphs, the shape that
# costs most per byte).  Asserted:
#   - the milter's peak RSS (VmHWM) stays under MEMORY_MAX_MB (512), in the
#     plain build only: ASan's shadow memory and quarantine change RSS;
#   - every message is delivered to the mailbox exactly once;
#   - every message has its case, and the case lists the bound the DOCX
#     went over as a problem (never a silent loss).
# Speaks TAP.  Needs root, postfix.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then top_builddir=${1:-$top_srcdir/_build}; fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
CME_MILTER=$top_builddir/cme-milter
PY=/usr/bin/python3
BURST=${MEMORY_BURST:-100}
MAX_MB=${MEMORY_MAX_MB:-512}
. "$here/lib/postfix.sh"
. "$here/lib/cme.sh"

n=0
ok() { local st=$1; shift; n=$((n + 1)); if [ "$st" -eq 0 ]; then echo "ok $n - $*"; else echo "not ok $n - $*"; fi; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
diag() { if [ $# -gt 0 ]; then echo "# $*"; else sed 's/^/# /'; fi; }
bail() { echo "Bail out! $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || bail "needs root"
command -v postfix >/dev/null || bail "needs postfix"
sanitized=0
grep -q -- '-fsanitize=address' "$top_builddir/Makefile" 2>/dev/null && sanitized=1

cme_test_dir memory KEEP_MEMORY
read -r MXPORT MILTERPORT < <(pf_free_ports 2 | tr '\n' ' ')
cme_conf_write "$CONF" "$T" "$MILTERPORT"
milter_start "$CME_MILTER" "$CONF" "$MILTERPORT" "$T/milter.log" 15 2>"$T/start.err" ||
	{ diag <"$T/start.err"; bail "milter did not start"; }
pf_instance_create "$T/mx" mx "$MXPORT" "$T/mail" "$MILTERPORT" || bail "mx config"
# one smtpd per sender, all at once
postconf -c "$T/mx/etc" default_process_limit=$((BURST + 20)) \
	milter_content_timeout=300s >/dev/null
pf_start "$T/mx" || bail "mx did not start"
CME_MD=$T/mail/cme

# The hostile attachment: 8 MB of short paragraphs of neutral words.
$PY - "$T/hostile.docx" <<'EOF' || bail "could not build the DOCX"
import sys, zipfile
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
para = "<w:p><w:r><w:t>lorem ipsum dolor sit amet consectetur</w:t></w:r></w:p>"
xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="%s"><w:body>%s'
       '</w:body></w:document>') % (W, para * (8000000 // len(para)))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("word/document.xml", xml)
EOF
diag "hostile.docx: $(stat -c %s "$T/hostile.docx") bytes, 8 MB of XML inflated"

# 1. the burst: everything accepted (a 451 is retried by burst.py, as an
# MTA would), everything delivered once
accepted=$(cme_burst "$MXPORT" "$BURST" "$BURST" mem --attach "$T/hostile.docx")
[ "$accepted" = "$BURST" ]
ok $? "all $BURST hostile DOCX messages accepted (got $accepted)"
# Under the sanitizers each message holds its MaxMemory share several
# times longer, so more of the burst is answered 451 and waits for
# Postfix's retry: nothing is lost, it takes longer.
wait_secs=120
[ "$sanitized" = 1 ] && wait_secs=360
pf_wait_delivery "$CME_MD" "$BURST" "$wait_secs" 2>&1 | diag
sort_ids() {
	cat "$CME_MD"/new/* 2>/dev/null |
		awk 'BEGIN { IGNORECASE = 1 } /^Message-ID:/ { print $2 }' | sort
}
sort_ids >"$T/ids"
[ "$(wc -l <"$T/ids")" -eq "$BURST" ] && [ "$(uniq -d "$T/ids" | wc -l)" -eq 0 ]
ok $? "each delivered exactly once ($(wc -l <"$T/ids") in the mailbox, $(uniq -d "$T/ids" | wc -l) doubled)"

# 2. peak memory of the milter process
hwm=$(awk '/^VmHWM:/ { print int($2 / 1024) }' "/proc/$MILTER_PID/status" 2>/dev/null)
rss=$(awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$MILTER_PID/status" 2>/dev/null)
diag "milter peak RSS (VmHWM) ${hwm:-?} MB, RSS after the burst ${rss:-?} MB"
if [ "$sanitized" = 1 ]; then
	skip "peak RSS bound: sanitizer build (shadow memory and quarantine)"
else
	[ -n "$hwm" ] && [ "$hwm" -lt "$MAX_MB" ]
	ok $? "milter peak RSS ${hwm:-?} MB < $MAX_MB MB"
fi

# 3. a case for every message, with the bound it went over as a problem
with_case=$(cme_db "SELECT count(DISTINCT m.message_id) FROM messages m
	JOIN message_cases mc ON mc.message_row = m.id
	WHERE m.message_id LIKE '<mem-%@burst.sch.test>'")
[ "$with_case" = "$BURST" ]
ok $? "every message has a case ($with_case of $BURST)"
noted=$(cme_db "SELECT count(DISTINCT m.message_id) FROM messages m
	JOIN message_cases mc ON mc.message_row = m.id
	JOIN cases c ON c.id = mc.case_id
	WHERE m.message_id LIKE '<mem-%@burst.sch.test>' AND c.problems LIKE '%more than%'")
[ "$noted" = "$BURST" ]
ok $? "every case lists the bound the DOCX went over ($noted of $BURST)"
cme_db "SELECT problems FROM cases LIMIT 1" | diag
grep -c "no room in MaxMemory" "$T/milter.log" | sed "s/^/answered 451 for want of MaxMemory, then retried: /" | diag
echo "1..$n"
