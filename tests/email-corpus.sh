#!/bin/sh
# tests/email-corpus.sh - run `cmectl parse` over CPython's email test
# messages (TAP).
#
# Python's test suite (Debian: libpython3.11-testsuite) ships ~50 odd
# messages collected over two decades of email-package bugs: broken
# boundaries, nested rfc822, odd charsets, missing headers.  Each must
# parse (exit 0) and print valid JSON.  Under a sanitizer build
# (--enable-sanitizers) an ASan or UBSan report aborts cmectl, so the
# same points also prove the parse is memory-clean.  One point per file;
# skipped when the test suite is not installed.

top_builddir=${top_builddir:-.}
dir=${EMAIL_CORPUS_DIR:-/usr/lib/python3.11/test/test_email/data}
cmectl="$top_builddir/cmectl"
py=/usr/bin/python3

if [ ! -d "$dir" ]; then
	echo "1..0 # SKIP $dir missing (apt-get install libpython3.11-testsuite)"
	exit 0
fi
if [ ! -x "$py" ]; then
	echo "1..0 # SKIP $py missing (needed to check the JSON)"
	exit 0
fi
set -- "$dir"/msg_*.txt
if [ ! -e "$1" ]; then
	echo "1..0 # SKIP no msg_*.txt in $dir"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cme-corpus.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# make UBSan reports fatal and visible even if the build forgot to
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS ASAN_OPTIONS

echo "1..$#"
n=0
status=0
for f in "$@"; do
	n=$((n + 1))
	name=$(basename "$f")
	"$cmectl" parse "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "not ok $n - $name: cmectl parse exited $rc"
		head -n 20 "$tmp/err" | sed 's/^/# /'
		status=1
	elif grep -q "runtime error:\|Sanitizer" "$tmp/err"; then
		echo "not ok $n - $name: sanitizer report"
		head -n 20 "$tmp/err" | sed 's/^/# /'
		status=1
	elif ! "$py" -c 'import json,sys; json.load(sys.stdin)' \
	        <"$tmp/out" 2>"$tmp/pyerr"; then
		echo "not ok $n - $name: output is not valid JSON"
		tail -n 1 "$tmp/pyerr" | sed 's/^/# /'
		status=1
	else
		echo "ok $n - $name: parsed, valid JSON"
	fi
done
exit $status
