# tests/lib/cmectl.sh - sourced by the tests that run cmectl alone on a
# database of their own (no milter, no Postfix): a configuration per
# database (tests/lib/cmectl-conf.sh's) and a school's referral.

. "$top_srcdir/tests/lib/cmectl-conf.sh"

# cmectl_conf NAME: $T/NAME.conf, cmectl_conf_write's configuration for
# the database and reminders in $T/NAME.
cmectl_conf() {
	cmectl_conf_write "$T/$1.conf" "$T/$1"
}

# school_head ID: on stdout, the header of a school's authenticated
# referral (Park Lane, 5 October 2026), Message-ID <ID@park.sch.test>, and
# the blank line that ends it.
school_head() {
	printf 'Authentication-Results: mx.la.test; dkim=pass header.d=park.sch.test;\n'
	printf ' spf=pass smtp.mailfrom=park.sch.test; dmarc=pass header.from=park.sch.test\n'
	printf 'From: Attendance <attendance@park.sch.test>\nTo: cme@la.test\n'
	printf 'Subject: CME referral\nMessage-ID: <%s@park.sch.test>\n' "$1"
	printf 'Date: Mon, 05 Oct 2026 10:00:00 +0000\n\n'
}

# school_referral ID FORENAME SURNAME REASON [ADDRESS]: on stdout, a
# school's authenticated, labelled referral of one child, Message-ID
# <ID@park.sch.test>.
school_referral() {
	school_head "$1"
	printf 'Forename: %s\nSurname: %s\nDate of birth: 01/02/2016\nGender: Female\n' "$2" "$3"
	printf 'Year group: Year 5\nAddress: %s\n' "${5:-4 Mill Road, Ipswich IP4 1AA}"
	printf 'School: Park Lane Primary School\nReason: %s\n' "$4"
}
