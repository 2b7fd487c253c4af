# tests/lib/cmectl-conf.sh - sourced by the tests that drive cmectl alone
# (report, census): a configuration for a database in a temporary
# directory, run as root, with the shipped policies, calendars and
# vocabulary, a school domain trusted, and nothing mailed.

# cmectl_conf_write CONF T: CONF, for the database and reminders in T
# (T/reminders made), the LA's vocabulary in T/vocabulary.d.
cmectl_conf_write() {
	local conf=$1 t=$2
	cat > "$conf" <<CONF
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
	mkdir -p "$t/reminders"
}
