# tests/lib/cmectl-conf.sh - sourced by the tests that run cmectl on a
# database of their own (no milter behind Postfix): the one cmectl
# configuration they all start from.  Needs top_srcdir.

# cmectl_conf_write CONF T [KEY VALUE]...: CONF, a configuration for cmectl
# run as root on T/cases.db and T/reminders (T/reminders made), with the
# source tree's policies, calendars and shipped vocabulary, the LA's
# vocabulary in T/vocabulary.d (there only if the test makes it), the
# samples' trust settings, and nothing mailed.  Extra "Key Value" pairs
# are appended: a list key's later line adds to it, a single-value key's
# later line wins.
cmectl_conf_write() {
	local conf=$1 t=$2
	shift 2
	mkdir -p "$t/reminders"
	{
		cat <<CONF
Mailbox               cme@la.test
TrustedAuthservIDs    mx.la.test
TrustedSenderDomains  la.test *.sch.test
InternalHosts         none
Policy                default
PolicyDir             $top_srcdir/policies
CalendarDir           $top_srcdir/calendars
ShippedVocabularyDir  $top_srcdir/vocabulary
VocabularyDir         $t/vocabulary.d
DutyOfficer           duty@la.test
Database              $t/cases.db
ReminderDir           $t/reminders
NotifyOfficers        no
UserID                root
Syslog                no
CONF
		while [ $# -ge 2 ]; do
			printf '%-21s %s\n' "$1" "$2"
			shift 2
		done
	} > "$conf"
}
