#!/bin/sh
# bench/parse.sh - parse + extract throughput (target: >= 2,000 messages/s
# on one core).  Usage: bench/parse.sh [BUILDDIR] [SECONDS]
# The corpus is the project's fixtures (and ../shared/samples when
# present): a mix of plain, HTML, CSV, forwarded, DOCX and broken mail.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
secs=${2:-5}
make -C "$build" bench/bench_parse >/dev/null || exit 1
set -- "$top"/tests/fixtures/referrals/*.eml "$top"/tests/fixtures/message/*.eml
[ -d "$top/../shared/samples" ] && set -- "$@" "$top"/../shared/samples/*.eml
exec taskset -c 0 "$build/bench/bench_parse" -s "$secs" -V "$top/vocabulary" "$@"
