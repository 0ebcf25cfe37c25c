# tlsd.sh: TLS and STARTTLS servers on 127.0.0.1 or ::1 for the end-to-end
# tests of "trustbuild probe", sourced by tests/e2e/*.sh after lib.sh:
#	. "$HARNESS/tlsd.sh"
# tlsd_stop runs at exit (server.sh's server_cleanup).
#
# tlsd_start PROTO CERTFILE KEYFILE [--mode MODE] [--ipv6] [--port N]
# [--lifetime S] [--log FILE] [--banner-lines N] [--reply-lines N] runs
# tlsd.py (see that file for the protocols, the modes and the options; the
# kernel picks the port unless --port says) in the background and waits up
# to 5 s for it to listen.  It returns 0 and
# exports, for the latest server: TLSD_PORT, TLSD_PID, TLSD_HOST
# (127.0.0.1, or ::1 with --ipv6: no brackets) and TLSD_LOG (the --log
# file; without --log, one in a temp directory, so each server's
# commands and messages can always be read).  Or it returns 1 with a
# message and tlsd.py's last words on stderr.  It may be called again for
# more servers; each one exits by itself after its lifetime (default
# 120 s).
# tlsd_stop stops every server started (TERM, up to 5 s, then KILL), waits
# for them and removes the temp directory; it may be called twice.
#
# tlsd.py is $HARNESS/tlsd.py (HARNESS, this directory, is set by lib.sh,
# absolute, so a test may cd afterwards); TLSD_PY overrides.  The
# processes are started, waited for and stopped by server.sh.
#
# The functions' own variables are named _t_*.

# shellcheck source=tests/harness/server.sh
. "${HARNESS:?}/server.sh"

# not taken from the environment: a parent's servers are not ours to stop
TLSD_DIR=""
TLSD_PIDS=""
TLSD_PID=""
TLSD_PORT=""
TLSD_HOST=""
TLSD_LOG=""

_TLSD_PY=${TLSD_PY:-$HARNESS/tlsd.py}

# tlsd_start PROTO CERTFILE KEYFILE [OPTION...]: 0 with the server at
# $TLSD_HOST port $TLSD_PORT, or 1
tlsd_start() {
	if [ $# -lt 3 ]; then
		echo "tlsd_start: usage: tlsd_start PROTO CERTFILE KEYFILE" \
		    "[--mode MODE] [--ipv6] [--lifetime S] [--log FILE]" \
		    "[--banner-lines N] [--reply-lines N]" >&2
		return 1
	fi
	if [ -z "$TLSD_DIR" ]; then
		TLSD_DIR=$(mktemp -d \
		    "${TMPDIR:-/tmp}/trustbuild-tlsd.XXXXXX") || return 1
	fi
	_t_n=$(echo "$TLSD_PIDS" | wc -w)
	_t_portfile=$TLSD_DIR/port.$_t_n
	# what the options say of the address and the log
	_t_host=127.0.0.1
	_t_log=""
	_t_prev=""
	for _t_a; do
		[ "$_t_a" = --ipv6 ] && _t_host=::1
		[ "$_t_prev" = --log ] && _t_log=$_t_a
		_t_prev=$_t_a
	done
	if [ -z "$_t_log" ]; then
		_t_log=$TLSD_DIR/cmds.$_t_n
		set -- "$@" --log "$_t_log"
	fi
	server_start "$TLSD_DIR/out.$_t_n" python3 "$_TLSD_PY" \
	    "$_t_portfile" "$@"
	TLSD_PIDS="$TLSD_PIDS $SERVER_PID"
	server_wait -s "$_t_portfile" || return 1
	TLSD_PID=$SERVER_PID
	TLSD_PORT=$(cat "$_t_portfile")
	TLSD_HOST=$_t_host
	TLSD_LOG=$_t_log
	export TLSD_PID TLSD_PORT TLSD_HOST TLSD_LOG
	return 0
}

# tlsd_smtp CERTFILE KEYFILE [OPTION...]: tlsd_start smtp, and SMTP set to
# its URL (smtp://HOST:PORT); or "not ok" (lib.sh's nok) and 1
tlsd_smtp() {
	if ! tlsd_start smtp "$@"; then
		nok "tlsd smtp starts"
		return 1
	fi
	SMTP=smtp://$TLSD_HOST:$TLSD_PORT
}

tlsd_stop() {
	# shellcheck disable=SC2086
	server_stop $TLSD_PIDS
	[ -z "$TLSD_DIR" ] || rm -rf "$TLSD_DIR"
	TLSD_PIDS="" TLSD_DIR="" TLSD_PID="" TLSD_PORT=""
}

server_cleanup 'tlsd_stop'
