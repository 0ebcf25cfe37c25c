# server.sh: start, wait for and stop the background servers of the tests
# (nginx, badhttp.py, tlsd.py, sendmail's syslog listener), by PID.
# Sourced by httpd.sh, tlsd.sh and sendmail.sh; a test stops in its EXIT
# trap what it started, and nothing else:
#	server_start OUT CMD [ARG...]    run CMD in the background, stdin
#	                                 /dev/null, stdout and stderr in OUT;
#	                                 its PID in SERVER_PID (the caller
#	                                 records it, to stop it)
#	server_wait TEST FILE            0 once "test TEST FILE" holds (a port
#	                                 file written: -s, a socket: -S) for
#	                                 the server started last, polled every
#	                                 0.1 s for 5 s at most and only while
#	                                 it lives; else 1, with its command
#	                                 and the last lines of its OUT on
#	                                 stderr
#	server_alive PID                 the process exists and is no zombie
#	server_stop PID...               TERM, up to 5 s for them to go, then
#	                                 KILL, and wait for them; never fails
#	server_cleanup CMD               run CMD at exit, the latest first;
#	                                 HUP, INT, PIPE and TERM exit 1, so
#	                                 that it runs after a signal too
# httpd.sh, tlsd.sh and sendmail.sh register their stop functions with
# server_cleanup when sourced: a test needs no trap of its own for them,
# and adds what else it starts with server_cleanup (a trap of its own
# would replace the registry's).
#
# The functions' own variables are named _sv_*.

# once per shell (httpd.sh and tlsd.sh both source this file); not taken
# from the environment: a parent's servers are not ours to stop
if [ -z "${_server_sh:-}" ]; then
	_server_sh=1
	SERVER_PID=""
	SERVER_OUT=""
	SERVER_CMD=""
	SERVER_CLEANUP=":"
fi

server_cleanup() {
	SERVER_CLEANUP="$1; $SERVER_CLEANUP"
	trap 'eval "$SERVER_CLEANUP"' EXIT
	trap 'exit 1' HUP INT PIPE TERM
}

server_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/stat" ] || return 0
	! sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

server_start() {
	SERVER_OUT=$1
	shift
	SERVER_CMD=$(printf "%.60s" "$*")
	"$@" </dev/null >"$SERVER_OUT" 2>&1 &
	SERVER_PID=$!
}

server_wait() {
	_sv_i=0
	while [ $_sv_i -lt 50 ] && server_alive "$SERVER_PID"; do
		test "$1" "$2" && return 0
		sleep 0.1
		_sv_i=$((_sv_i + 1))
	done
	test "$1" "$2" && return 0
	echo "server_wait: $SERVER_CMD: did not start:" >&2
	tail -5 "$SERVER_OUT" >&2
	return 1
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
