# tests/lib/cmectl.sh - sourced by the tests that run cmectl alone on a
# database of their own (no milter, no Postfix): its configuration and a
# school's referral.

# cmectl_conf NAME: $T/NAME.conf, a configuration for cmectl run as root
# on $T/NAME/cases.db, with the source tree's policies, calendars and
# vocabulary, and the samples' trust settings.
cmectl_conf() {
	mkdir -p "$T/$1/reminders"
	cat > "$T/$1.conf" <<CONF
Mailbox               cme@la.test
TrustedAuthservIDs    mx.la.test
TrustedSenderDomains  la.test *.sch.test
InternalHosts         none
Policy                default
PolicyDir             $top_srcdir/policies
CalendarDir           $top_srcdir/calendars
ShippedVocabularyDir  $top_srcdir/vocabulary
DutyOfficer           duty@la.test
Database              $T/$1/cases.db
ReminderDir           $T/$1/reminders
NotifyOfficers        no
UserID                root
Syslog                no
CONF
}

# school_referral ID FORENAME SURNAME REASON [ADDRESS]: on stdout, a
# school's authenticated, labelled referral of one child, Message-ID
# <ID@park.sch.test>.
school_referral() {
	printf 'Authentication-Results: mx.la.test; dkim=pass header.d=park.sch.test;\n'
	printf ' spf=pass smtp.mailfrom=park.sch.test; dmarc=pass header.from=park.sch.test\n'
	printf 'From: Attendance <attendance@park.sch.test>\nTo: cme@la.test\n'
	printf 'Subject: CME referral\nMessage-ID: <%s@park.sch.test>\n' "$1"
	printf 'Date: Mon, 05 Oct 2026 10:00:00 +0000\n\n'
	printf 'Forename: %s\nSurname: %s\nDate of birth: 01/02/2016\nGender: Female\n' "$2" "$3"
	printf 'Year group: Year 5\nAddress: %s\n' "${5:-4 Mill Road, Ipswich IP4 1AA}"
	printf 'School: Park Lane Primary School\nReason: %s\n' "$4"
}
