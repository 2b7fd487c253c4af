# tests/lib/postfix.sh -- helpers for private Postfix instances (bash, sourced).
#
# Used by tests/e2e.sh and ./quickstart demo.  Everything here runs as root
# and touches nothing of the system's own Postfix: every instance lives in a
# directory of its own (config, queue, data, log), is started and stopped
# with `postfix -c DIR`, and listens on 127.0.0.1 only.
#
# Roles:
#   mx     listens on 127.0.0.1:MXPORT, runs the milter (when a milter port is
#          given), delivers @la.test with the virtual(8) agent into Maildirs
#          under MAILDIR (cme@la.test -> MAILDIR/cme/, other@la.test ->
#          MAILDIR/other/).
#   relay  listens on 127.0.0.1:RELAYPORT, no milter, relays everything to
#          [127.0.0.1]:MXPORT.  It is the sending MTA that keeps a message
#          queued when the mx answers 4xx.
#
# Functions (all return non-zero on failure, and say why on stderr):
#   pf_free_ports N                 print N distinct free TCP ports on 127.0.0.1
#   pf_wait_port PORT [SECS]        wait until something listens on 127.0.0.1:PORT
#   pf_instance_create DIR ROLE PORT [opts...]
#        mx:    pf_instance_create DIR mx MXPORT MAILDIR [MILTERPORT]
#        relay: pf_instance_create DIR relay RELAYPORT MXPORT
#   pf_start DIR / pf_stop DIR / pf_stop_all
#        (DIR is the instance; its config_directory for postfix -c is DIR/etc)
#   pf_flush DIR                    postqueue -f
#   pf_queue DIR                    postqueue -j (one JSON object per message)
#   pf_queue_count DIR [RCPT]       number of queued messages (to RCPT)
#   pf_log DIR                      path of the instance's log file
#   pf_wait_log DIR REGEX [SECS]    wait until the log matches an ERE
#   pf_maildir_count MAILDIR        files in MAILDIR/new
#   pf_wait_delivery MAILDIR N [SECS]  wait until MAILDIR/new holds >= N files
#   pf_header FILE NAME             print every (unfolded) value of header NAME
#   milter_start BIN CONF PORT LOGFILE [SECS]  /  milter_stop
#
# The caller owns cleanup: call pf_stop_all and milter_stop from an EXIT trap.

# Instance dirs this shell started, so pf_stop_all can stop exactly those.
PF_STARTED=()
# PID of the milter this shell started (empty when none).
MILTER_PID=""

# Fast retries: tests must not wait minutes for a deferred message.
: "${PF_RETRY:=2s}"

# pf_err MSG: print to stderr and fail; a helper so every error looks alike.
pf_err() {
	printf 'postfix.sh: %s\n' "$*" >&2
	return 1
}

# pf_free_ports N: print N distinct free ports.  The kernel chooses them
# (bind to port 0) and all N sockets are held open together so that no two
# answers can be the same port.  Falls back to probing random ports with
# bash's /dev/tcp when /usr/bin/python3 is missing.
pf_free_ports() {
	local n=$1 p i got=0 seen=" "
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 - "$n" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
EOF
		return
	fi
	for i in $(seq 1 200); do
		p=$(( 20000 + RANDOM % 40000 ))
		case $seen in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"; seen="$seen$p "; got=$((got + 1))
			[ "$got" -ge "$n" ] && return 0
		fi
	done
	pf_err "could not find $n free ports"
}

# pf_port_listening PORT: true when a TCP listener is bound to 127.0.0.1:PORT.
# ss is used when present because it does not open a connection (a probe
# connection shows up as noise in the milter's and smtpd's logs).
pf_port_listening() {
	local port=$1
	if command -v ss >/dev/null 2>&1; then
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q .
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
	fi
}

# pf_wait_port PORT [SECS]: poll until the port listens; services start
# asynchronously (postfix start returns before master has bound its sockets).
pf_wait_port() {
	local port=$1 secs=${2:-15} i
	for ((i = 0; i < secs * 10; i++)); do
		pf_port_listening "$port" && return 0
		sleep 0.1
	done
	pf_err "nothing listens on 127.0.0.1:$port after ${secs}s"
}

# pf_master_cf DIR LISTEN: write a minimal master.cf.  Every service runs
# with chroot n (a chroot would need copies of /etc files in each queue dir),
# and postlog is there so that maillog_file works without syslog.
pf_master_cf() {
	local dir=$1 listen=$2
	cat >"$dir/master.cf" <<EOF
# Private test instance: written by tests/lib/postfix.sh.
# service  type  private unpriv  chroot  wakeup  maxproc command + args
$listen    inet  n       -       n       -       -       smtpd
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
local      unix  -       n       n       -       -       local
virtual    unix  -       n       n       -       -       virtual
lmtp       unix  -       -       n       -       -       lmtp
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
EOF
}

# pf_instance_create DIR ROLE PORT ...: make DIR a complete private instance
# (see the header comment for the role arguments).  DIR must not exist or be
# empty; it is created root-owned 0755 because postfix(1) insists that the
# config directory is owned by root.
pf_instance_create() {
	local dir=$1 role=$2 port=$3
	local maildir="" milterport="" mxport="" hostname
	case $role in
	mx)
		maildir=${4:?pf_instance_create: mx needs MAILDIR}
		milterport=${5:-}
		hostname=mx.la.test
		;;
	relay)
		mxport=${4:?pf_instance_create: relay needs MXPORT}
		hostname=relay.sch.test
		;;
	*) pf_err "unknown role '$role'"; return 1 ;;
	esac

	# config_directory is DIR/etc, and queue, data and log lie beside it, not
	# inside: `postfix start` checks the config directory recursively and
	# warns about every postfix-owned queue directory found under it.
	mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/log" || return 1
	chown root:root "$dir" "$dir/etc" "$dir/queue" &&
		chmod 0755 "$dir" "$dir/etc" "$dir/queue"
	# data_directory holds master.lock and caches: postfix must own it.
	chown postfix "$dir/data" && chmod 0700 "$dir/data"
	chmod 0755 "$dir/log"

	pf_master_cf "$dir/etc" "127.0.0.1:$port"

	cat >"$dir/etc/main.cf" <<EOF
# Private test instance ($role): written by tests/lib/postfix.sh.
compatibility_level = 3.6
# Debian keeps postfix-files etc. here; a private config_directory lacks them.
meta_directory = /etc/postfix
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = cme-test-$role
# Log to a file via postlogd; the file must lie under maillog_file_prefixes
# or postfix(1) exits 1 and says so only in syslog.
maillog_file_prefixes = $dir
maillog_file = $dir/log/maillog
myhostname = $hostname
mydomain = ${hostname#*.}
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
append_dot_mydomain = no
biff = no
# No DNS at all: this machine has no resolver for *.test and no network.
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
# Fast retries: a deferred message is tried again within seconds.
queue_run_delay = $PF_RETRY
minimal_backoff_time = $PF_RETRY
maximal_backoff_time = $PF_RETRY
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
delay_warning_time = 0h
smtp_connect_timeout = 5s
smtpd_error_sleep_time = 0s
EOF

	case $role in
	mx)
		mkdir -p "$maildir" && chown nobody:nogroup "$maildir" || return 1
		cat >>"$dir/etc/main.cf" <<EOF
virtual_mailbox_domains = la.test
virtual_mailbox_base = $maildir
virtual_mailbox_maps = inline:{ cme@la.test=cme/, other@la.test=other/, duty.officer@la.test=duty/, manager@la.test=manager/ }
virtual_minimum_uid = 100
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
# A milter that cannot be reached must not let mail through untagged.
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 10s
EOF
		if [ -n "$milterport" ]; then
			echo "smtpd_milters = inet:127.0.0.1:$milterport" >>"$dir/etc/main.cf"
		fi
		;;
	relay)
		cat >>"$dir/etc/main.cf" <<EOF
relayhost = [127.0.0.1]:$mxport
EOF
		;;
	esac
	echo "$port" >"$dir/port"
	postconf -c "$dir/etc" >/dev/null 2>"$dir/log/postconf.err" ||
		{ cat "$dir/log/postconf.err" >&2; return 1; }
}

# pf_master_pid DIR: print the running master's PID (from its pid file) or fail.
pf_master_pid() {
	local f="$1/queue/pid/master.pid" pid
	[ -r "$f" ] || return 1
	pid=$(tr -dc 0-9 <"$f")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# pf_start DIR: start the instance and wait for its SMTP port.  The instance
# is recorded in PF_STARTED before starting so that a half-started one is
# still stopped by pf_stop_all.
pf_start() {
	local dir=$1 port
	port=$(cat "$dir/port") || return 1
	PF_STARTED+=("$dir")
	if ! postfix -c "$dir/etc" start >"$dir/log/start.out" 2>&1; then
		cat "$dir/log/start.out" >&2
		[ -f "$dir/log/maillog" ] && tail -n 20 "$dir/log/maillog" >&2
		pf_err "postfix -c $dir start failed"
		return 1
	fi
	pf_wait_port "$port" 15
}

# pf_stop DIR: stop the instance and wait for its master to exit, so that a
# following rm -rf does not race a daemon still writing.  Escalates to
# `postfix abort` and finally SIGKILL of that master's PID only.
pf_stop() {
	local dir=$1 pid i
	pid=$(pf_master_pid "$dir") || return 0
	postfix -c "$dir/etc" stop >/dev/null 2>&1
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	postfix -c "$dir/etc" abort >/dev/null 2>&1
	sleep 1
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	return 0
}

# pf_stop_all: stop every instance this shell started (newest first).
pf_stop_all() {
	local i
	for ((i = ${#PF_STARTED[@]} - 1; i >= 0; i--)); do
		pf_stop "${PF_STARTED[i]}"
	done
	PF_STARTED=()
}

# pf_flush DIR: ask the instance to retry its deferred mail now.
pf_flush() {
	postqueue -c "$1/etc" -f
}

# pf_queue DIR: the queue as JSON lines (postqueue -j).
pf_queue() {
	postqueue -c "$1/etc" -j
}

# pf_queue_count DIR [RCPT]: how many queued messages (with recipient RCPT).
pf_queue_count() {
	local dir=$1 rcpt=${2:-}
	if [ -n "$rcpt" ]; then
		pf_queue "$dir" | grep -F -c "\"address\": \"$rcpt\""
	else
		pf_queue "$dir" | grep -c '"queue_id"'
	fi
	return 0
}

# pf_log DIR: path of the instance's mail log.
pf_log() {
	echo "$1/log/maillog"
}

# pf_wait_log DIR ERE [SECS]: postlogd writes asynchronously, so poll.
pf_wait_log() {
	local log="$1/log/maillog" re=$2 secs=${3:-20} i
	for ((i = 0; i < secs * 5; i++)); do
		grep -Eq -- "$re" "$log" 2>/dev/null && return 0
		sleep 0.2
	done
	pf_err "'$re' not in $log after ${secs}s"
}

# pf_maildir_count MAILDIR: number of delivered (new/) messages.
pf_maildir_count() {
	local d="$1/new"
	[ -d "$d" ] || { echo 0; return 0; }
	find "$d" -maxdepth 1 -type f | wc -l
}

# pf_wait_delivery MAILDIR N [SECS]: poll until new/ holds at least N files.
pf_wait_delivery() {
	local md=$1 n=$2 secs=${3:-20} i
	for ((i = 0; i < secs * 5; i++)); do
		[ "$(pf_maildir_count "$md")" -ge "$n" ] && return 0
		sleep 0.2
	done
	pf_err "$md/new has $(pf_maildir_count "$md") message(s), wanted $n after ${secs}s"
}

# pf_header FILE NAME: print each value of header NAME (case-insensitive),
# unfolded, one per line, from the header block only.
pf_header() {
	local want
	want=$(printf '%s' "$2" | tr '[:upper:]' '[:lower:]')
	awk -v want="$want" '
		function flush() { if (have) { print val; have = 0 } }
		{ sub(/\r$/, "") }
		/^$/ { flush(); exit }
		/^[ \t]/ { if (have) { s = $0; sub(/^[ \t]+/, "", s); val = val " " s }; next }
		{
			flush()
			i = index($0, ":")
			if (i > 0 && tolower(substr($0, 1, i - 1)) == want) {
				val = substr($0, i + 1); sub(/^[ \t]+/, "", val); have = 1
			}
		}
		END { flush() }' "$1"
}

# milter_start BIN CONF PORT LOGFILE [SECS]: run the milter in the foreground
# (-f) as a background job so we know its PID, and wait for its port.  If it
# exits before listening, its output is shown and we fail.
milter_start() {
	local bin=$1 conf=$2 port=$3 log=$4 secs=${5:-10} i
	"$bin" -c "$conf" -f </dev/null >"$log" 2>&1 &
	MILTER_PID=$!
	for ((i = 0; i < secs * 10; i++)); do
		if ! kill -0 "$MILTER_PID" 2>/dev/null; then
			wait "$MILTER_PID" 2>/dev/null
			pf_err "milter exited with status $? before listening; its output:"
			sed 's/^/  | /' "$log" >&2
			MILTER_PID=""
			return 1
		fi
		pf_port_listening "$port" && return 0
		sleep 0.1
	done
	pf_err "milter not listening on 127.0.0.1:$port after ${secs}s"
	return 1
}

# milter_stop: SIGTERM the milter we started, SIGKILL after 5 s.  Its exit
# status is left in MILTER_EXIT (0: a clean stop; 137: it needed SIGKILL).
milter_stop() {
	local i
	[ -n "$MILTER_PID" ] || return 0
	kill -TERM "$MILTER_PID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$MILTER_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$MILTER_PID" 2>/dev/null && kill -KILL "$MILTER_PID" 2>/dev/null
	wait "$MILTER_PID" 2>/dev/null
	MILTER_EXIT=$?
	MILTER_PID=""
	return 0
}
