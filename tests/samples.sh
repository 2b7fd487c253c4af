#!/bin/sh
# samples.sh - the extractor against ../shared/samples, when that
# directory is present beside the repository (an extra check: the
# project's own fixtures in tests/fixtures/referrals are the main one).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
samples="$top_srcdir/../shared/samples"
if [ ! -d "$samples" ]; then
	echo "1..0 # SKIP ../shared/samples not present"
	exit 0
fi
exec /usr/bin/python3 "$top_srcdir/tests/accuracy.py" --tap --cmectl "$top_builddir/cmectl" "$samples"
