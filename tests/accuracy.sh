#!/bin/sh
# accuracy.sh - the extractor against the project's own fixture set.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec /usr/bin/python3 "$top_srcdir/tests/accuracy.py" --tap --cmectl "$top_builddir/cmectl" \
	"$top_srcdir/tests/fixtures/referrals"
