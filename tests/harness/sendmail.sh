# sendmail.sh: a real sendmail (Berkeley sendmail 8, Debian's sendmail-bin)
# as an SMTP client for the end-to-end tests, sourced by tests/e2e/*.sh
# after lib.sh.  It relays one message through SMART_HOST [127.0.0.1] to a
# local SMTP server (tests/harness/tlsd.py smtp, via tests/harness/tlsd.sh) and logs, as a
# sendmail on a real host would, "STARTTLS=client, relay=[127.0.0.1],
# version=..., verify=OK|FAIL|NONE, ...":
#	. "$HARNESS/sendmail.sh"
# sendmail_stop runs at exit (server.sh's server_cleanup).
#
# sendmail_available: returns 0 if everything needed is there: root (for
# the namespaces), a Berkeley sendmail 8 built with STARTTLS, the sendmail
# cf macros (m4/cf.m4), m4, unshare, mount, timeout and python3, and
# private UTS, mount and PID namespaces can be made.  Else it prints why,
# one line on stdout (for a "skip" message), and returns 1.
#
# sendmail_setup DIR PORT CACERT_FILE CACERT_PATH writes DIR/sendmail.mc
# and builds DIR/sendmail.cf from it with m4 and the cf macros: SMART_HOST
# [127.0.0.1] on PORT (RELAY_MAILER_ARGS and ESMTP_MAILER_ARGS "TCP $h
# PORT"), LogLevel 15, no client certificate, and every file sendmail
# would use under DIR (DIR/mqueue, DIR/aliases, DIR/dead.letter...),
# nothing in /etc/mail.  CACERT_FILE becomes confCACERT, CACERT_PATH
# confCACERT_PATH; either may be "" to leave that define out (sendmail
# loads CA data only when both are set).  DIR is made if need be; the
# paths may be relative (made absolute, symbolic links kept) and may hold
# only letters, digits and / . _ + @ : = ~ % - (m4 and the .cf cannot
# quote the rest).  Returns 0, or 1 with a message on stderr.  It may be
# called again on the same DIR for another configuration.
#
# sendmail_send DIR [SUBJECT] runs one delivery attempt with DIR/sendmail.cf:
#	sendmail -C DIR/sendmail.cf -odi -oi -oep -v -f sender@example.net
#	    user@example.com
# with a message whose Subject is SUBJECT (default "trustbuild sendmail
# test"), as root, in private UTS, mount and PID namespaces (unshare), so
# that the host's name, /dev, /etc and processes are never touched:
#	- the host name is tb-test.example.org (no 60 s wait to qualify it),
#	  and a private /etc/hosts maps it to 192.0.2.1 and 2001:db8::1
#	  (no DNS lookup of it; not 127.0.0.1, which sendmail would then
#	  take for itself);
#	- /dev is a private tmpfs with null, zero, full, random, urandom and
#	  tty bound from the host's, and /dev/log the socket of a syslog
#	  listener of our own (python3, outside the namespaces);
#	- CACERT_FILE is read through a bind mount of its directory at
#	  /dev/tb-sendmail/cafile: sendmail checks that no directory on the
#	  path to CACertFile is group or world writable, which /tmp is, and
#	  logs "STARTTLS=client: file F unsafe: World writable directory"
#	  (it loads the file all the same).  Only the directory holding the
#	  file is checked then, as on a real host (/etc/mail/tls); no
#	  DontBlameSendmail option is used.  CACertPath is used as given
#	  (sendmail does not check its safety);
#	- every process of the attempt is in the PID namespace: when it ends,
#	  or when unshare is killed, the kernel kills whatever sendmail left.
# The attempt is bounded by SENDMAIL_TIMEOUT seconds (default 30; each
# SMTP and TLS step of sendmail has a 10 s timeout of its own).  It
# returns sendmail's exit status (0: delivered, or queued in DIR/mqueue
# after a temporary failure; 64-78: sysexits), or 124 if the attempt was
# cut short, or 1 with a message on stderr if the harness failed.  The
# syslog lines of the attempt, and only those, are left in DIR/maillog
# (SENDMAIL_LOG, exported), each as /var/log/mail.log has it (the host
# name short, sendmail's PID that in the PID namespace):
#	Nov 29 05:39:30 tb-test sendmail[21]: STARTTLS=client, relay=...
# sendmail's stdout and stderr (the SMTP dialogue, -v) are in
# DIR/sendmail.out.
#
# sendmail_stop stops whatever sendmail_send started and is still running
# (after a signal): the syslog listener and timeout(1), unshare and so the
# whole PID namespace (TERM, up to 5 s, then KILL), by PID; it may be
# called twice.  It leaves DIR to the caller.
#
# SENDMAIL_HOST is the host name in the namespaces, tb-test.example.org.
# SENDMAIL_BIN overrides the sendmail binary (default: the first of
# /usr/libexec/sendmail/sendmail, /usr/lib/sm.bin/sendmail,
# /usr/sbin/sendmail.sendmail, /usr/sbin/sendmail that is sendmail 8);
# SENDMAIL_CF_DIR the cf macros' directory (default /usr/share/sendmail/cf
# or /usr/share/sendmail-cf, the one with m4/cf.m4).
#
# The processes are started, waited for and stopped by server.sh.  The
# functions' own variables are named _s_*.

# shellcheck source=tests/harness/server.sh
. "${HARNESS:?}/server.sh"

# not taken from the environment: a parent's processes are not ours to stop
SENDMAIL_PIDS=""
SENDMAIL_LOG=""
SENDMAIL_HOST=tb-test.example.org

# the syslog listener: python3 -c "$_SENDMAIL_SYSLOGD" DIR LIFETIME HOST
# binds DIR/syslog.sock (relative, after a chdir: sun_path holds only 108
# bytes), appends each datagram to DIR/maillog as a mail.log line, and on
# TERM, or after LIFETIME seconds, reads what is still queued and exits
_SENDMAIL_SYSLOGD='
import os, re, signal, socket, sys, time
os.chdir(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
host = sys.argv[3].encode()
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("syslog.sock")
os.chmod("syslog.sock", 0o666)
out = open("maillog", "ab")
room = 10 * 1024 * 1024
pat = re.compile(rb"^<[0-9]{1,3}>([A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}) (.*)$",
                 re.S)

def put(d):
    global room
    d = d.rstrip(b"\0\r\n").replace(b"\n", b" ")
    m = pat.match(d)
    if m:
        d = m.group(1) + b" " + host + b" " + m.group(2)
    d = d[:min(65536, room)] + b"\n"
    if room > 0:
        out.write(d)
        out.flush()
        room -= len(d)

s.settimeout(0.2)
while not stop and time.monotonic() < end:
    try:
        put(s.recv(65536))
    except socket.timeout:
        pass
s.setblocking(False)
while True:
    try:
        put(s.recv(65536))
    except BlockingIOError:
        break
'

# _sendmail_forget PID: drop PID from SENDMAIL_PIDS
_sendmail_forget() {
	_s_left=""
	for _s_p in $SENDMAIL_PIDS; do
		[ "$_s_p" = "$1" ] || _s_left="$_s_left $_s_p"
	done
	SENDMAIL_PIDS=$_s_left
}

# _sendmail_bin: the path of a sendmail 8 binary, or failure
_sendmail_bin() {
	if [ -n "${SENDMAIL_BIN:-}" ]; then
		echo "$SENDMAIL_BIN"
		return 0
	fi
	for _s_b in /usr/libexec/sendmail/sendmail /usr/lib/sm.bin/sendmail \
	    /usr/sbin/sendmail.sendmail /usr/sbin/sendmail; do
		if [ -x "$_s_b" ] && [ ! -d "$_s_b" ]; then
			echo "$_s_b"
			return 0
		fi
	done
	return 1
}

# _sendmail_cf_dir: the directory of the cf macros, or failure
_sendmail_cf_dir() {
	for _s_d in ${SENDMAIL_CF_DIR:-/usr/share/sendmail/cf \
	    /usr/share/sendmail-cf}; do
		if [ -f "$_s_d/m4/cf.m4" ]; then
			echo "$_s_d"
			return 0
		fi
	done
	return 1
}

# _sendmail_path WHAT PATH: PATH made absolute (not resolved) on stdout,
# or 1 with a message if m4 or the .cf could not carry it
_sendmail_path() {
	case $2 in
	*[!A-Za-z0-9/._+@:=~%-]*)
		echo "sendmail_setup: $1 '$2': only letters, digits and" \
		    "/ . _ + @ : = ~ % - in a path" >&2
		return 1 ;;
	/*) echo "$2" ;;
	*) echo "$(pwd)/$2" ;;
	esac
}

# _sendmail_hosts: the /etc/hosts of the namespace, with the host name
# in IPv4 and IPv6: sendmail asks for both, and a name the file lacks goes
# to DNS (10 s and more when DNS is unreachable).  Not at 127.0.0.1:
# sendmail puts the addresses of its name in class w, the local host, and
# would then take SMART_HOST [127.0.0.1] for itself and skip it
_sendmail_hosts() {
	printf '192.0.2.1\t%s tb-test\n2001:db8::1\t%s tb-test\n' \
	    "$SENDMAIL_HOST" "$SENDMAIL_HOST"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n'
}

# _sendmail_define NAME VALUE: an m4 define line
_sendmail_define() {
	printf "define(\`%s', \`%s')dnl\n" "$1" "$2"
}

sendmail_available() {
	if [ "$(id -u)" != 0 ]; then
		echo "sendmail: needs root (namespaces and bind mounts)"
		return 1
	fi
	for _s_c in m4 unshare mount timeout python3; do
		if ! command -v "$_s_c" >/dev/null 2>&1; then
			echo "sendmail: no '$_s_c' command"
			return 1
		fi
	done
	if ! _s_bin=$(_sendmail_bin); then
		echo "sendmail: no sendmail binary (install sendmail-bin)"
		return 1
	fi
	if ! _sendmail_cf_dir >/dev/null; then
		echo "sendmail: no sendmail cf macros (m4/cf.m4; install" \
		    "sendmail-cf)"
		return 1
	fi
	# sendmail 8 says its version and options with -d0.1; in its own
	# UTS namespace with our /etc/hosts, lest it wait 60 s to qualify
	# an unqualified host name, or for DNS.  This proves the namespaces
	# too.
	_s_hosts=$(mktemp "${TMPDIR:-/tmp}/trustbuild-sendmail.XXXXXX") ||
		return 1
	_sendmail_hosts >"$_s_hosts"
	# shellcheck disable=SC2016  # the inner shell expands them
	_s_v=$(timeout -k 2 10 unshare --uts --mount --pid --fork \
	    --kill-child --propagation private sh -c '
	    hostname "$1" 2>/dev/null || echo "$1" >/proc/sys/kernel/hostname
	    [ -e /etc/hosts ] && mount --bind "$3" /etc/hosts
	    "$2" -d0.1 -bt -C /dev/null </dev/null' sh "$SENDMAIL_HOST" \
	    "$_s_bin" "$_s_hosts" 2>&1)
	rm -f "$_s_hosts"
	case $_s_v in
	*"Version 8."*STARTTLS*) return 0 ;;
	*"Version 8."*)
		echo "sendmail: '$_s_bin' is built without STARTTLS"
		return 1 ;;
	esac
	if ! timeout 10 unshare --uts --mount --pid --fork true \
	    >/dev/null 2>&1; then
		echo "sendmail: cannot make UTS, mount and PID namespaces" \
		    "(unshare; CAP_SYS_ADMIN?)"
		return 1
	fi
	echo "sendmail: '$_s_bin' is not sendmail 8 (-d0.1 says:" \
	    "$(echo "$_s_v" | head -1))"
	return 1
}

# sendmail_setup DIR PORT CACERT_FILE CACERT_PATH: 0 with DIR/sendmail.cf
# built, or 1
sendmail_setup() {
	if [ $# -ne 4 ]; then
		echo "sendmail_setup: usage: sendmail_setup DIR PORT" \
		    "CACERT_FILE CACERT_PATH (either CA may be \"\")" >&2
		return 1
	fi
	case $2 in
	'' | *[!0-9]* | 0*)
		echo "sendmail_setup: '$2': not a port number" >&2
		return 1 ;;
	esac
	if [ "$2" -gt 65535 ]; then
		echo "sendmail_setup: '$2': not a port number" >&2
		return 1
	fi
	_s_port=$2
	_s_cadir=""
	_s_cafile=""
	_s_capath=""
	if [ -n "$3" ]; then
		_s_f=$(_sendmail_path CACERT_FILE "$3") || return 1
		_s_cadir=$(dirname "$_s_f")
		_s_cafile=/dev/tb-sendmail/cafile/$(basename "$_s_f")
		if [ ! -d "$_s_cadir" ]; then
			echo "sendmail_setup: CACERT_FILE '$3': no directory" \
			    "'$_s_cadir'" >&2
			return 1
		fi
	fi
	if [ -n "$4" ]; then
		_s_capath=$(_sendmail_path CACERT_PATH "$4") || return 1
	fi
	_s_dir=$(_sendmail_path DIR "$1") || return 1
	mkdir -p "$_s_dir" || return 1
	_s_dir=$(cd "$_s_dir" && pwd) || return 1
	_sendmail_path DIR "$_s_dir" >/dev/null || return 1
	if ! _s_cfdir=$(_sendmail_cf_dir); then
		echo "sendmail_setup: no sendmail cf macros (m4/cf.m4)" >&2
		return 1
	fi
	if ! _s_bin=$(_sendmail_bin); then
		echo "sendmail_setup: no sendmail binary" >&2
		return 1
	fi
	_sendmail_path SENDMAIL_BIN "$_s_bin" >/dev/null || return 1
	mkdir -p "$_s_dir/mqueue" "$_s_dir/hostdev" || return 1
	chmod 700 "$_s_dir/mqueue"
	rm -f "$_s_dir/sendmail.cf" "$_s_dir/maillog"
	SENDMAIL_LOG=$_s_dir/maillog
	export SENDMAIL_LOG

	# the host name, for the resolver (/etc/hosts in the namespace) and
	# for sendmail's own host map
	_sendmail_hosts >"$_s_dir/hosts"
	printf 'hosts\tfiles\naliases\tfiles\n' >"$_s_dir/service.switch"
	: >"$_s_dir/aliases"

	{
		# dnl: what follows on the line is not expanded, unlike
		# text after divert(-1), where a path could hold a macro name
		echo "dnl sendmail.mc made by tests/harness/sendmail.sh: a client"
		echo "dnl relaying all to [127.0.0.1]:$_s_port over STARTTLS"
		[ -n "$_s_cafile" ] && echo "dnl CACertFile $_s_cafile is" \
		    "$_s_cadir/$(basename "$_s_cafile") seen through a bind" \
		    "mount"
		_sendmail_define MAIL_SETTINGS_DIR "$_s_dir/"
		echo "OSTYPE(\`linux')dnl"
		_sendmail_define confDOMAIN_NAME "$SENDMAIL_HOST"
		_sendmail_define SMART_HOST "[127.0.0.1]"
		_sendmail_define MAIL_HUB "[127.0.0.1]"
		_sendmail_define LOCAL_RELAY "[127.0.0.1]"
		_sendmail_define RELAY_MAILER_ARGS "TCP \$h $_s_port"
		_sendmail_define ESMTP_MAILER_ARGS "TCP \$h $_s_port"
		[ -n "$_s_cafile" ] && _sendmail_define confCACERT "$_s_cafile"
		[ -n "$_s_capath" ] &&
		    _sendmail_define confCACERT_PATH "$_s_capath"
		_sendmail_define confLOG_LEVEL 15
		_sendmail_define QUEUE_DIR "$_s_dir/mqueue"
		_sendmail_define ALIAS_FILE "$_s_dir/aliases"
		_sendmail_define confHOSTS_FILE "$_s_dir/hosts"
		_sendmail_define confSERVICE_SWITCH_FILE \
		    "$_s_dir/service.switch"
		_sendmail_define confDEAD_LETTER_DROP "$_s_dir/dead.letter"
		_sendmail_define confPID_FILE "$_s_dir/sendmail.pid"
		_sendmail_define confDONT_PROBE_INTERFACES True
		for _s_t in confTO_ICONNECT confTO_CONNECT confTO_INITIAL \
		    confTO_HELO confTO_STARTTLS confTO_MAIL confTO_RCPT \
		    confTO_DATAINIT confTO_DATABLOCK confTO_DATAFINAL \
		    confTO_RSET confTO_QUIT confTO_MISC; do
			_sendmail_define "$_s_t" 10s
		done
		echo "FEATURE(\`nocanonify')dnl"
		echo "MAILER(\`smtp')dnl"
	} >"$_s_dir/sendmail.mc"

	if ! m4 -D_CF_DIR_="$_s_cfdir/" "$_s_cfdir/m4/cf.m4" \
	    "$_s_dir/sendmail.mc" >"$_s_dir/sendmail.cf.new" \
	    2>"$_s_dir/m4.err" || grep -q ERROR "$_s_dir/m4.err"; then
		echo "sendmail_setup: m4 $_s_dir/sendmail.mc failed:" >&2
		tail -5 "$_s_dir/m4.err" >&2
		return 1
	fi
	# what m4 made of the paths (a word of one could be a macro name)
	_s_bad=""
	for _s_want in "O QueueDirectory=$_s_dir/mqueue" \
	    "O LogLevel=15" ${_s_cafile:+"O CACertFile=$_s_cafile"} \
	    ${_s_capath:+"O CACertPath=$_s_capath"} \
	    "A=TCP \$h $_s_port"; do
		grep -qxF -- "$_s_want" "$_s_dir/sendmail.cf.new" ||
		    grep -qF -- "	$_s_want" "$_s_dir/sendmail.cf.new" ||
		    _s_bad="$_s_bad '$_s_want'"
	done
	if [ -n "$_s_bad" ]; then
		echo "sendmail_setup: $_s_dir/sendmail.cf lacks$_s_bad (a" \
		    "path m4 mangled?)" >&2
		return 1
	fi
	mv "$_s_dir/sendmail.cf.new" "$_s_dir/sendmail.cf" || return 1

	# what runs inside the namespaces; ns.ready says it got to sendmail
	{
		echo "# ns.sh made by tests/harness/sendmail.sh: run by sendmail_send" \
		    "in private UTS, mount and PID namespaces"
		echo "set -u"
		echo "d='$_s_dir'"
		echo "cadir='$_s_cadir'"
		echo "bin='$_s_bin'"
		echo "host='$SENDMAIL_HOST'"
		cat <<'EOF'
fail() {
	echo "sendmail_send: in the namespace: $*" >&2
	exit 1
}
hostname "$host" 2>/dev/null || echo "$host" >/proc/sys/kernel/hostname ||
	fail "cannot set the host name"
mount --bind /dev "$d/hostdev" || fail "cannot bind /dev"
mount -t tmpfs -o mode=0755,size=1m,nosuid,noexec tmpfs /dev ||
	fail "cannot mount a tmpfs on /dev"
for n in null zero full random urandom tty; do
	[ -e "$d/hostdev/$n" ] || continue
	: >"/dev/$n" && mount --bind "$d/hostdev/$n" "/dev/$n" ||
		fail "cannot bind /dev/$n"
done
umount "$d/hostdev" 2>/dev/null
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
: >/dev/log && mount --bind "$d/syslog.sock" /dev/log ||
	fail "cannot bind /dev/log"
if [ -e /etc/hosts ]; then
	mount --bind "$d/hosts" /etc/hosts || fail "cannot bind /etc/hosts"
fi
if [ -n "$cadir" ]; then
	mkdir -p /dev/tb-sendmail/cafile &&
	    chmod 755 /dev/tb-sendmail /dev/tb-sendmail/cafile &&
	    mount --bind "$cadir" /dev/tb-sendmail/cafile ||
		fail "cannot bind '$cadir' at /dev/tb-sendmail/cafile"
fi
: >"$d/ns.ready"
"$bin" -C "$d/sendmail.cf" -odi -oi -oep -v -f sender@example.net \
    user@example.com <"$d/message"
EOF
	} >"$_s_dir/ns.sh"
	return 0
}

# sendmail_send DIR [SUBJECT]: sendmail's exit status, 124, or 1
sendmail_send() {
	if [ $# -lt 1 ] || [ $# -gt 2 ]; then
		echo "sendmail_send: usage: sendmail_send DIR [SUBJECT]" >&2
		return 1
	fi
	if ! _s_dir=$(cd "$1" 2>/dev/null && pwd) ||
	    [ ! -f "$_s_dir/sendmail.cf" ] || [ ! -f "$_s_dir/ns.sh" ]; then
		echo "sendmail_send: '$1': no sendmail.cf; run" \
		    "sendmail_setup first" >&2
		return 1
	fi
	_s_limit=${SENDMAIL_TIMEOUT:-30}
	rm -f "$_s_dir/syslog.sock" "$_s_dir/maillog" "$_s_dir/ns.ready" \
	    "$_s_dir/sendmail.out"
	SENDMAIL_LOG=$_s_dir/maillog
	export SENDMAIL_LOG
	{
		echo "From: sender@example.net"
		echo "To: user@example.com"
		echo "Subject: ${2:-trustbuild sendmail test}"
		echo
		echo "sent by tests/harness/sendmail.sh"
	} >"$_s_dir/message"

	server_start "$_s_dir/syslogd.out" python3 -c "$_SENDMAIL_SYSLOGD" \
	    "$_s_dir" $((_s_limit + 30)) "${SENDMAIL_HOST%%.*}"
	_s_log=$SERVER_PID
	SENDMAIL_PIDS="$SENDMAIL_PIDS $_s_log"
	if ! server_wait -S "$_s_dir/syslog.sock"; then
		server_stop "$_s_log"
		_sendmail_forget "$_s_log"
		return 1
	fi

	timeout -k 5 "$_s_limit" unshare --uts --mount --pid --fork \
	    --kill-child --propagation private sh "$_s_dir/ns.sh" \
	    </dev/null >"$_s_dir/sendmail.out" 2>&1 &
	_s_pid=$!
	SENDMAIL_PIDS="$SENDMAIL_PIDS $_s_pid"
	wait "$_s_pid"
	_s_rc=$?
	_sendmail_forget "$_s_pid"
	# the listener reads what sendmail sent before it goes
	server_stop "$_s_log"
	_sendmail_forget "$_s_log"
	rm -f "$_s_dir/syslog.sock"

	if [ "$_s_rc" = 124 ] || [ "$_s_rc" = 137 ]; then
		echo "sendmail_send: sendmail did not end within" \
		    "${_s_limit} s" >&2
		return 124
	fi
	if [ ! -f "$_s_dir/ns.ready" ]; then
		echo "sendmail_send: no sendmail run (exit $_s_rc):" >&2
		tail -5 "$_s_dir/sendmail.out" >&2
		return 1
	fi
	return "$_s_rc"
}

sendmail_stop() {
	if [ -n "$SENDMAIL_PIDS" ]; then
		# unshare too, under timeout(1): killed, it takes the whole
		# PID namespace with it (--kill-child)
		_s_all=$SENDMAIL_PIDS
		for _s_p in $SENDMAIL_PIDS; do
			_s_all="$_s_all $(ps -o pid= --ppid "$_s_p" \
			    2>/dev/null)"
		done
		# shellcheck disable=SC2086
		server_stop $_s_all
	fi
	SENDMAIL_PIDS=""
	return 0
}

server_cleanup 'sendmail_stop'
