#!/bin/sh
# tests/fuzz.sh - a short libFuzzer run of every fuzz target (TAP).
#
# Builds fuzz/fuzz_*.c with clang's libFuzzer, ASan and UBSan (see
# fuzz/build.sh) into a scratch directory and runs each target for a
# bounded time over a COPY of its seed corpus (libFuzzer adds to the
# corpus it is given; the repository's seeds stay as they are).  One TAP
# point per target: ok when libFuzzer exits 0 and wrote no crash, leak,
# timeout or out-of-memory file.  A longer campaign: fuzz/README.md.
#
# FUZZ_SECONDS sets every target's time (default 15 s for fuzz_message,
# 5 s for the others).  Skipped when clang is not installed.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}

if [ "${FUZZ_SECONDS:-}" = 0 ]; then
	# ./quickstart check's sanitizer pass: the fuzzers are sanitized
	# builds already and ran in the plain pass.
	echo "1..0 # SKIP FUZZ_SECONDS=0"
	exit 0
fi
if ! command -v clang >/dev/null 2>&1; then
	echo "1..0 # SKIP clang not installed"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cme-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$top_srcdir/fuzz/build.sh" "$tmp/bin" >"$tmp/build.log" 2>&1; then
	# no libFuzzer runtime (clang without compiler-rt) is a missing tool,
	# not a failing test; anything else is a failure
	if grep -q "libclang_rt.fuzzer\|-fsanitize=fuzzer" "$tmp/build.log" &&
	   ! grep -q "error:" "$tmp/build.log"; then
		echo "1..0 # SKIP clang has no libFuzzer runtime"
		exit 0
	fi
	echo "1..1"
	echo "not ok 1 - fuzz targets build"
	sed 's/^/# /' "$tmp/build.log" | tail -n 40
	exit 1
fi

# docx and xlsx seeds are ZIP files, made rather than stored in the repository
mkdir -p "$tmp/corpus"
for d in message calendar policy config; do
	cp -R "$top_srcdir/fuzz/corpus/$d" "$tmp/corpus/$d"
done
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 "$top_srcdir/fuzz/make-seeds.py" --docx "$tmp/corpus" \
		>/dev/null 2>&1 || mkdir -p "$tmp/corpus/docx" "$tmp/corpus/xlsx"
else
	mkdir -p "$tmp/corpus/docx" "$tmp/corpus/xlsx"
fi

targets="message calendar policy config docx xlsx"
echo "1..$(echo $targets | wc -w)"
n=0
status=0
for t in $targets; do
	n=$((n + 1))
	case $t in
	message) secs=${FUZZ_SECONDS:-15} ;;
	*)       secs=${FUZZ_SECONDS:-5} ;;
	esac
	mkdir -p "$tmp/art-$t"
	"$tmp/bin/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 \
		-artifact_prefix="$tmp/art-$t/" "$tmp/corpus/$t" \
		>"$tmp/log-$t" 2>&1
	rc=$?
	found=$(ls "$tmp/art-$t" 2>/dev/null | head -n 5)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/log-$t")
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		echo "ok $n - fuzz_$t: ${execs:-?} runs in ${secs}s, no crash"
	else
		echo "not ok $n - fuzz_$t (exit $rc)"
		status=1
		# keep the reproducer where a developer can find it
		keep="${TMPDIR:-/tmp}/cme-fuzz-crash-$t-$$"
		mkdir -p "$keep" && cp "$tmp/art-$t"/* "$keep"/ 2>/dev/null
		echo "# reproducers kept in $keep: $found"
		grep -E "ERROR|SUMMARY|#[0-9]+ 0x" "$tmp/log-$t" | head -n 30 |
			sed 's/^/# /'
	fi
done
exit $status
