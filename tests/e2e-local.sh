#!/bin/bash
# tests/e2e-local.sh -- locally submitted mail: Postfix's sendmail(1)
# -> postdrop -> pickup -> cleanup with non_smtpd_milters = cme-milter
# -> virtual(8) -> Maildir.  Mail from scripts, cron jobs and web forms on
# the mail server itself never passes smtpd, so smtpd_milters alone would
# let it through untagged; contrib/postfix-main.cf.snippet sets both.
#
# Speaks TAP.  Run by `make check`, or by hand as root:
#     tests/e2e-local.sh [BUILDDIR]        (default BUILDDIR: <repo>/_build)
# Set KEEP_E2E=1 to keep the temp dir.  Needs root, postfix and
# /usr/bin/python3; uses the private instances of tests/lib/postfix.sh
# (the submission names the instance with `sendmail -C DIR/etc`), so
# /etc/postfix is never touched.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then
	if [ $# -ge 1 ]; then top_builddir=$1
	elif [ -d "$top_srcdir/_build" ]; then top_builddir=$top_srcdir/_build
	else top_builddir=$top_srcdir
	fi
fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

: "${CME_MILTER:=$top_builddir/cme-milter}"
: "${CMECTL:=$top_builddir/cmectl}"
PY=/usr/bin/python3
FIX=$top_srcdir/tests/fixtures/e2e
REF_RE='^CME-[0-9]{4}-[0-9]{5}$'
PATH=$PATH:/usr/sbin:/sbin

NTESTS=8
echo "1..$NTESTS"

# shellcheck source=lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

[ "$(id -u)" -eq 0 ] || bail "e2e-local needs root (private Postfix, milter UserID nobody)"
for p in postfix postconf postqueue; do
	command -v "$p" >/dev/null 2>&1 || bail "$p not installed (apt-get install postfix)"
done
[ -x "$PY" ] || bail "/usr/bin/python3 missing"
[ -x "$CME_MILTER" ] || bail "$CME_MILTER not built"
# Postfix's sendmail(1), which takes -C config_dir.
SENDMAIL=$(postconf -h sendmail_path 2>/dev/null)
SENDMAIL=${SENDMAIL:-/usr/sbin/sendmail}
[ -x "$SENDMAIL" ] || bail "$SENDMAIL missing"

# shellcheck source=lib/postfix.sh
. "$top_srcdir/tests/lib/postfix.sh"

T=""
cleanup() {
	milter_stop
	pf_stop_all
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${KEEP_E2E:-0}" = 1 ] || { [ "$failed" -gt 0 ] && [ "${KEEP_E2E:-}" != 0 ]; }; then
			diag "kept $T"
		else
			rm -rf "$T"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

T=$(mktemp -d /tmp/cme-e2e-local.XXXXXX) || bail "mktemp failed"
chmod 0755 "$T"
mkdir -p "$T/state/reminders" "$T/share" "$T/mail"
cp -R "$top_srcdir/policies" "$top_srcdir/calendars" "$top_srcdir/vocabulary" "$T/share/"
chmod -R a+rX "$T/share"
chown -R nobody:nogroup "$T/state"
chmod 0700 "$T/state"

read -r MXPORT MILTERPORT < <(pf_free_ports 2 | tr '\n' ' ')
[ -n "${MILTERPORT:-}" ] || bail "no free ports"
diag "temp dir $T; ports mx=$MXPORT milter=$MILTERPORT"

CONF=$T/cme-milter.conf
cat >"$CONF" <<EOF
# cme-milter configuration for tests/e2e-local.sh
Socket                inet:$MILTERPORT@127.0.0.1
UserID                nobody:nogroup
Syslog                no
Mailbox               cme@la.test
Database              $T/state/cases.db
PolicyDir             $T/share/policies
CalendarDir           $T/share/calendars
ShippedVocabularyDir  $T/share/vocabulary
ReminderDir           $T/state/reminders
DutyOfficer           duty.officer@la.test
TrustedAuthservIDs    mx.la.test
InternalHosts         none
TrustedSenderDomains  la.test *.sch.test
PublicSuffixes        sch.test
NotifyOfficers        no
SendmailPath          /bin/false
EOF
chmod 0644 "$CONF"

if ! milter_start "$CME_MILTER" "$CONF" "$MILTERPORT" "$T/milter.log" 15 2>"$T/start.err"; then
	diag <"$T/start.err"
	bail "cme-milter did not start"
fi
# The mx instance of tests/lib/postfix.sh, with the milter for local
# submissions as well (as in contrib/postfix-main.cf.snippet).
{ pf_instance_create "$T/mx" mx "$MXPORT" "$T/mail" "$MILTERPORT" &&
	postconf -c "$T/mx/etc" -e 'non_smtpd_milters = $smtpd_milters' &&
	pf_start "$T/mx"; } 2>"$T/start.err" || { diag <"$T/start.err"; bail "mx Postfix did not start"; }
MXLOG=$(pf_log "$T/mx")
[ "$(postconf -c "$T/mx/etc" -xh non_smtpd_milters)" = "inet:127.0.0.1:$MILTERPORT" ]
check "instance has non_smtpd_milters = inet:127.0.0.1:$MILTERPORT" test $? -eq 0

# ============================================== local submission, CME ====
"$SENDMAIL" -C "$T/mx/etc" -oi -f attendance@oakfield.sch.test cme@la.test \
	<"$FIX/referral.eml" 2>"$T/sendmail.err"
check "sendmail -C $T/mx/etc -oi cme@la.test exits 0" test $? -eq 0 || diag <"$T/sendmail.err"
pf_wait_delivery "$T/mail/cme" 1 30 2>&1 | diag
MSG=$(ls "$T"/mail/cme/new/* 2>/dev/null | head -n 1)
MSG=${MSG:-/nonexistent}
actions=$(pf_header "$MSG" X-CME-Action 2>/dev/null)
cases=$(pf_header "$MSG" X-CME-Case 2>/dev/null)
subject=$(pf_header "$MSG" Subject 2>/dev/null)
[ "$actions" = opened ]
check "locally submitted referral delivered with X-CME-Action: opened" test $? -eq 0 ||
	{ diag "X-CME-Action: $(tr '\n' '|' <<<"$actions")"; diag_tail "$MXLOG"; diag_tail "$T/milter.log"; }
[ "$(grep -c . <<<"$cases")" -eq 1 ] && grep -Eq "$REF_RE" <<<"$cases" && [ "$cases" != CME-2019-00007 ]
check "one X-CME-Case matching CME-YYYY-NNNNN" test $? -eq 0 || diag "X-CME-Case: $(tr '\n' '|' <<<"$cases")"
[ "$subject" = "[$cases] $(pf_header "$FIX/referral.eml" Subject)" ]
check "subject tagged [$cases]" test $? -eq 0 || diag "Subject: $subject"
# The queue ID in the milter's log is the one pickup/cleanup gave it.
qid=$(sed -En "s/^cme-milter: ([0-9A-Za-z]+): action=opened cases=$cases( .*)?\$/\1/p" "$T/milter.log" | head -n 1)
[ -n "$qid" ] && grep -q "$qid: uid=0 from=<attendance@oakfield.sch.test>" "$MXLOG"
check "milter logged the pickup queue ID ($qid)" test $? -eq 0 ||
	{ diag_tail "$T/milter.log" 5; grep pickup "$MXLOG" | tail -n 3 | diag; }

# ============================================= local submission, other ====
printf 'Subject: Rota\n\nThe rota is in the shared drive.\n' |
	"$SENDMAIL" -C "$T/mx/etc" -oi -f head@oakfield.sch.test other@la.test 2>>"$T/sendmail.err"
pf_wait_delivery "$T/mail/other" 1 30 2>&1 | diag
MSGO=$(ls "$T"/mail/other/new/* 2>/dev/null | head -n 1)
MSGO=${MSGO:-/nonexistent}
[ -f "$MSGO" ] && ! awk '/^\r?$/ { exit } { print }' "$MSGO" | grep -qi '^X-CME-' &&
	[ "$(pf_header "$MSGO" Subject)" = Rota ]
check "locally submitted mail for other@la.test untouched" test $? -eq 0 || diag_tail "$MXLOG"

mpid=$MILTER_PID
milter_stop
pid=$(pf_master_pid "$T/mx")
pf_stop_all
st=0
for p in $mpid $pid; do kill -0 "$p" 2>/dev/null && st=1; done
check "milter and Postfix stopped" test $st -eq 0

[ "$n" -eq "$NTESTS" ] || diag "ran $n tests, planned $NTESTS"
exit 0
