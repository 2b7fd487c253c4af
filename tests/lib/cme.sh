# tests/lib/cme.sh - sourced by the tests that run cme-milter behind private
# Postfix instances (e2e, faults, backup, echo, flood, memory, hostile): the
# test's directory and its clean-up, the state directory, the milter's
# configuration and a burst sender.  Needs tests/lib/postfix.sh sourced too.

# cme_state_init T: T/state (the database and feeds, owned by nobody, the
# milter's UserID) and T/share (policies and calendars readable by nobody
# even when the source tree is not, e.g. a CI clone under /root).
cme_state_init() {
	local t=$1
	chmod 0755 "$t"
	mkdir -p "$t/state/reminders" "$t/share" "$t/bin" "$t/mail" || return 1
	cp -R "$top_srcdir/policies" "$top_srcdir/calendars" "$top_srcdir/vocabulary" "$t/share/" || return 1
	chmod -R a+rX "$t/share"
	chown -R nobody:nogroup "$t/state"
	chmod 0700 "$t/state"
}

# cme_test_dir NAME KEEPVAR: T, a new directory /tmp/cme-NAME.XXXXXX
# with its state (cme_state_init), CONF and CME_DB (the milter's
# configuration and database paths in it), and an exit trap (cme_cleanup).
# Bails out (tap.sh) when T cannot be made.
cme_test_dir() {
	T=$(mktemp -d "/tmp/cme-$1.XXXXXX") || bail "mktemp"
	CME_KEEP_VAR=$2
	MILTER_PID=""
	CONF=$T/cme-milter.conf
	CME_DB=$T/state/cases.db
	trap cme_cleanup EXIT
	cme_state_init "$T" || bail "state dir"
}

# cme_cleanup: stop the milter and every private Postfix instance, run the
# test's own cme_cleanup_more if it defines one, and remove T unless the
# variable named by cme_test_dir's KEEPVAR is 1 (then say where T is).
cme_cleanup() {
	milter_stop
	pf_stop_all 2>/dev/null
	if declare -F cme_cleanup_more >/dev/null; then cme_cleanup_more; fi
	if [ "${!CME_KEEP_VAR:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}

# cme_conf_write CONF T MILTERPORT [KEY VALUE]...: a milter configuration for
# the private instances: inet socket on loopback, nobody, the samples'
# trust settings, relay traffic NOT counted as authenticated.  Extra
# "Key Value" pairs are appended (later lines win for single-value keys).
cme_conf_write() {
	local conf=$1 t=$2 port=$3
	shift 3
	{
		echo "Socket                inet:$port@127.0.0.1"
		echo "UserID                nobody:nogroup"
		echo "Syslog                no"
		echo "PidFile               $t/milter.pid"
		echo "Mailbox               cme@la.test"
		echo "Database              $t/state/cases.db"
		echo "Policy                default"
		echo "PolicyDir             $t/share/policies"
		echo "CalendarDir           $t/share/calendars"
		echo "ShippedVocabularyDir  $t/share/vocabulary"
		echo "ReminderDir           $t/state/reminders"
		echo "DutyOfficer           duty.officer@la.test"
		echo "SubjectTag            yes"
		echo "TrustedAuthservIDs    mx.la.test"
		echo "InternalHosts         none"
		echo "TrustedSenderDomains  la.test *.sch.test"
		echo "PublicSuffixes        sch.test"
		echo "On-InternalError      tempfail"
		echo "NotifyOfficers        no"
		while [ $# -ge 2 ]; do
			printf '%-21s %s\n' "$1" "$2"
			shift 2
		done
	} >"$conf"
	chmod 0644 "$conf"
}

# cme_burst PORT COUNT THREADS PREFIX: send COUNT distinct referrals (one
# child each, Message-ID <PREFIX-N@burst.sch.test>) over THREADS parallel
# SMTP sessions to 127.0.0.1:PORT, retrying a refused message on a new
# session.  Prints how many the server accepted.
cme_burst() {
	/usr/bin/python3 "$top_srcdir/tests/lib/burst.py" "$@"
}

# cme_db SQL: run a query on the test database (as root, read-only use).
cme_db() {
	/usr/bin/python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for row in c.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$CME_DB" "$1"
}
