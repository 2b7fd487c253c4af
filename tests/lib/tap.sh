# tests/lib/tap.sh - sourced by the shell tests: TAP test points.
# Each test point is one assertion; automake's TAP driver counts them.
# ok and check return the point's status, so `ok $? DESC || diag ...`
# shows diagnostics only on failure.  Scripts must not use `set -e`: a
# failed point would end the script before the rest and its plan.

n=0
failed=0
# ok STATUS DESCRIPTION: one test point from an exit status.
ok() {
	local st=$1; shift
	n=$((n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $n - $*"
	else
		echo "not ok $n - $*"
		failed=$((failed + 1))
	fi
	return "$st"
}
# is GOT WANT DESCRIPTION: a test point comparing two strings; on failure
# both are shown.
is() {
	[ "$1" = "$2" ]
	ok $? "$3" || printf '#   got: %s\n#  want: %s\n' "$1" "$2"
}
# check DESCRIPTION CMD...: run CMD, record a test point from its status.
check() {
	local desc=$1 st; shift
	"$@"; st=$?
	ok "$st" "$desc"
}
# diag: TAP diagnostics (stdin or args), "# "-prefixed so the driver ignores them.
diag() {
	if [ $# -gt 0 ]; then printf '# %s\n' "$*"; else sed 's/^/# /'; fi
}
# diag_tail FILE [N]: show the end of a log after a failure.
diag_tail() {
	[ -f "$1" ] || { diag "($1 does not exist)"; return; }
	diag "--- last ${2:-15} lines of $1"
	tail -n "${2:-15}" "$1" | diag
}
# bail REASON: TAP "Bail out!" stops the whole run (the trap cleans up).
bail() {
	echo "Bail out! $*"
	exit 1
}
