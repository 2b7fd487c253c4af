#!/bin/bash
# tests/summary.sh -- turn automake's test results into one closing line:
#     N passed, N failed[, N skipped]
#
# Usage: tests/summary.sh [BUILDDIR [MAKE_STATUS]]...
#   BUILDDIR     where `make check` ran (default: _build); every *.trs under
#                it is read.
#   MAKE_STATUS  exit status of `make check`; when it is non-zero but no
#                failed test point was found (a test program that did not
#                compile leaves no .trs at all), one failure is counted so
#                that a broken build can never read as green.
#
# The TAP driver writes one ":test-result: X" line per test point, so the
# counts are assertions, not programs.  PASS and XFAIL count as passed;
# FAIL, XPASS and ERROR (a crash, a "Bail out!", a bad plan) as failed;
# SKIP as skipped.  Exits 1 when anything failed, else 0.  The closing line
# is the last line printed.
set -u

# Several runs (e.g. the plain build and the sanitizer build) are summed:
#   tests/summary.sh DIR1 STATUS1 [DIR2 STATUS2 ...]
[ $# -eq 0 ] && set -- _build 0
[ $# -eq 1 ] && set -- "$1" 0

pass=0 fail=0 skip=0
while [ $# -ge 1 ]; do
	builddir=$1 make_status=${2:-0}
	shift 2 2>/dev/null || shift
	if [ ! -d "$builddir" ]; then
		echo "summary: no build directory $builddir" >&2
		fail=$((fail + 1))
		continue
	fi
	dfail=0
	# Count result lines across every .trs file (find: .trs files live
	# next to each test, in subdirectories such as tests/).
	while IFS= read -r res; do
		case $res in
		PASS | XFAIL) pass=$((pass + 1)) ;;
		FAIL | XPASS | ERROR) dfail=$((dfail + 1)) ;;
		SKIP) skip=$((skip + 1)) ;;
		esac
	done < <(find "$builddir" -name '*.trs' -type f -exec sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' {} + 2>/dev/null)
	# Name what failed (from the .trs files), so the closing line is not
	# the only clue; to stderr, so that it comes before the line.
	if [ "$dfail" -gt 0 ]; then
		find "$builddir" -name '*.trs' -type f -exec grep -lE '^:test-result: *(FAIL|XPASS|ERROR)' {} + 2>/dev/null |
			sed -e 's|\.trs$||' -e 's|^|summary: failures in |' >&2
	fi
	if [ "$make_status" -ne 0 ] && [ "$dfail" -eq 0 ]; then
		echo "summary: make check in $builddir exited $make_status with no failed test point (build error?)" >&2
		dfail=1
	fi
	fail=$((fail + dfail))
done

line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
