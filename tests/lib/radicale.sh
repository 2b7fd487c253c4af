# tests/lib/radicale.sh - sourced by the tests that hand the product's
# events to a real CalDAV server (radicale.sh, reminders.sh): a private
# Radicale (Debian package radicale) on 127.0.0.1, no authentication, its
# collections under a test directory.  The caller's cleanup kills $RPID.

# radicale_start DIR: start it with DIR/radicale.conf and DIR/collections;
# sets RPORT and RPID.  Returns 1 when it does not listen within 5 s.
radicale_start() {
	local d=$1
	RPORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat > "$d/radicale.conf" <<CONF
[server]
hosts = 127.0.0.1:$RPORT
[auth]
type = none
[rights]
type = authenticated
[storage]
filesystem_folder = $d/collections
[logging]
level = warning
CONF
	radicale --config "$d/radicale.conf" > "$d/radicale.log" 2>&1 &
	RPID=$!
	for _ in $(seq 50); do
		/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$RPORT),1)" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# radicale_put FEED NAME: every VEVENT of FEED PUT as its own calendar
# object into the collection /officer/NAME/ (created) and read back.
# Prints "MKCALENDAR STATUS", then per event "PUT S GET S UID True|False
# SAME True|False UID": SAME when the UID, DTSTART, SUMMARY, DESCRIPTION
# and VALARM TRIGGER read back equal what was PUT (parsed by vobject).
radicale_put() {
	/usr/bin/python3 "$top_srcdir/tests/lib/caldav-put.py" "$RPORT" "$2" "$1"
}

# radicale_stop: end the server radicale_start started (for the cleanup trap).
radicale_stop() {
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	RPID=""
}
