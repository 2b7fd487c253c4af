#!/bin/bash
# tests/valgrind.sh - the end-to-end run (tests/e2e.sh: real Postfix, real
# mail, reload, a database fault, iMIP) with cme-milter under valgrind's
# memcheck, which must report no invalid access and no leak.  Speaks TAP:
# e2e.sh's own points, then the memcheck verdict.  Slow (valgrind), so it
# runs in `./quickstart check`'s plain pass only.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then top_builddir=${1:-$top_srcdir/_build}; fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind not installed"
	exit 0
fi
if [ -n "${VALGRIND_SKIP:-}" ]; then
	echo "1..0 # SKIP VALGRIND_SKIP set (e.g. the sanitizer pass: ASan and valgrind do not mix)"
	exit 0
fi
T=$(mktemp -d /tmp/cme-valgrind.XXXXXX)
chmod 0777 "$T"     # the milter writes its valgrind log as nobody
trap '[ "${KEEP_VALGRIND:-0}" = 1 ] && echo "# kept $T" || rm -rf "$T"' EXIT

# The wrapper the e2e test starts instead of cme-milter.  Errors and
# definite/indirect leaks are what fail; "still reachable" memory (libical
# and libxml2 keep their global tables until exit) does not.
cat >"$T/cme-milter" <<EOF
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \\
	--show-leak-kinds=definite,indirect --track-fds=no --num-callers=30 \\
	--child-silent-after-fork=yes \\
	--log-file=$T/memcheck.%p.log "$top_builddir/cme-milter" "\$@"
EOF
chmod 0755 "$T/cme-milter"

# e2e.sh prints its plan first and its points; pass them on, then add
# ours.  Its milter start-up allows for valgrind's slow start.
CME_MILTER=$T/cme-milter E2E_STARTUP_SECS=60 bash "$here/e2e.sh" "$top_builddir" >"$T/e2e.tap" 2>&1
plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$T/e2e.tap" | head -n 1)
grep -E '^(ok|not ok) ' "$T/e2e.tap"
grep -E '^#' "$T/e2e.tap"
n=${plan:-0}
logs=$(ls "$T"/memcheck.*.log 2>/dev/null)
n=$((n + 1))
# Every memcheck log must end in a summary (the milter exited and was
# checked, not killed) that counts no error.
verdict=0
[ -n "$logs" ] || verdict=1
for f in $logs; do
	grep -q 'ERROR SUMMARY: 0 errors' "$f" || verdict=1
done
if [ "$verdict" -eq 0 ]; then
	echo "ok $n - memcheck: no invalid access and no definite or indirect leak in cme-milter"
else
	echo "not ok $n - memcheck: no invalid access and no definite or indirect leak in cme-milter"
	for f in $logs; do
		grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|Invalid|uninitialised' "$f" | head -n 10 | sed 's/^/# /'
	done
fi
echo "1..$n"
