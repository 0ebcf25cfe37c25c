# server.sh: start, wait for and stop the background servers of the tests
# (nginx, badhttp.py, tlsd.py, sendmail's syslog listener), by PID.
# Sourced by httpd.sh, tlsd.sh and sendmail.sh; a test stops in its EXIT
# trap what it started, and nothing else:
#	server_start OUT CMD [ARG...]    run CMD in the background, stdin
#	                                 /dev/null, stdout and stderr in OUT;
#	                                 its PID in SERVER_PID
#	server_wait PID TEST FILE [N]    0 once "test TEST FILE" holds (a port
#	                                 file written: -s, a socket: -S),
#	                                 polled every 0.1 s, N times at most
#	                                 (default 50: 5 s) and only while PID
#	                                 lives; else 1
#	server_alive PID                 the process exists and is no zombie
#	server_stop PID...               TERM, up to 5 s for them to go, then
#	                                 KILL, and wait for them; never fails
#
# The functions' own variables are named _sv_*.

SERVER_PID=""

server_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/stat" ] || return 0
	! sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

server_start() {
	_sv_out=$1
	shift
	"$@" </dev/null >"$_sv_out" 2>&1 &
	# shellcheck disable=SC2034  # read by the caller
	SERVER_PID=$!
}

server_wait() {
	_sv_i=0
	while [ "$_sv_i" -lt "${4:-50}" ] && server_alive "$1"; do
		test "$2" "$3" && return 0
		sleep 0.1
		_sv_i=$((_sv_i + 1))
	done
	test "$2" "$3"
}

server_stop() {
	[ $# = 0 ] && return 0
	kill -TERM "$@" 2>/dev/null
	_sv_i=0
	while [ $_sv_i -lt 50 ]; do
		_sv_alive=""
		for _sv_p in "$@"; do
			server_alive "$_sv_p" && _sv_alive="$_sv_alive $_sv_p"
		done
		[ -z "$_sv_alive" ] && break
		sleep 0.1
		_sv_i=$((_sv_i + 1))
	done
	# shellcheck disable=SC2086
	[ -n "$_sv_alive" ] && kill -KILL $_sv_alive 2>/dev/null
	for _sv_p in "$@"; do
		wait "$_sv_p" 2>/dev/null
	done
	return 0
}
