# httpd.sh: real HTTP servers on 127.0.0.1 for the end-to-end tests,
# sourced by tests/e2e/*.sh after lib.sh (which sets HARNESS, this
# directory; a script without lib.sh sets it first):
#	. "$HARNESS/httpd.sh"
# httpd_stop and badhttp_stop run at exit (server.sh's server_cleanup).
#
# httpd_start DOCROOT runs one nginx (daemon off, in the background, as
# the current user) with its own nginx.conf, pid, logs and temp paths in a temp
# directory, on a free random port in 20000-60000, and exports HTTPD_PORT,
# HTTPD_PID (the master) and HTTPD_URL=http://127.0.0.1:$HTTPD_PORT.  Files
# under DOCROOT are served with nginx's defaults: ETag and Last-Modified, a
# 304 on a matching If-None-Match or on an If-Modified-Since equal to the
# Last-Modified (nginx's "if_modified_since exact").  Special locations:
#	/status/404, /status/500   that status
#	/redirect/file             302 to file:///etc/passwd
#	/redirect/to/NAME          302 to $HTTPD_URL/NAME (to be followed)
#	/redirect/host/HOST[:PORT]/NAME
#	                           302 to http://HOST[:PORT]/NAME: another host
#	/redirect/loop             302 to itself, forever
#	/redirect/chain/N/NAME     N redirects in a row (N = 1..9): 302 to
#	                           /redirect/chain/N-1/NAME, from 1 to /NAME
#	/slow/NAME                 DOCROOT/NAME at 1 KB/s (limit_rate 1k): a
#	                           200 KB file takes minutes (a request cut
#	                           short is still logged as 200)
#	/httpd-id                  a token: httpd_start's check that it is
#	                           this nginx that answers
# There is no built-in big file: a test writes its own into DOCROOT.
# With HTTPD_TLS=DIR (DIR/cert.pem and DIR/key.pem, a test CA's server
# certificate for 127.0.0.1 and localhost), the same server also speaks
# https on a second port: HTTPD_TLS_PORT, HTTPD_TLS_URL.  With
# HTTPD_INCLUDE=FILE, FILE's directives (more locations; $server_port is
# the port asked) are included in the server block.
# A request for another host name, as sent to nginx used as http_proxy
# (http_proxy=$HTTPD_URL), is served from DOCROOT/vhosts/HOST/ ("/" is
# index.der there): the public hosts of real AIA URLs, offline.
# httpd_log prints the access log's path.  Its lines are "STATUS REQUEST",
# e.g. "304 GET /roots.pem HTTP/1.1"; nginx writes one when it has finished
# a request, which may be just after the client has its answer, so count
# them with httpd_log_wait.  HTTPD_DIR/bytes.log has the same lines with
# the bytes sent first: "BYTES STATUS REQUEST" (fleet-sim.sh).  httpd_stop
# stops nginx (TERM, then KILL) and removes the temp directory; it may be
# called twice.
#
# As root, nginx's workers would switch to "nobody", who cannot read a
# DOCROOT under a mode 700 mktemp directory: then the config says "user
# root;".  As anyone else the "user" directive is left out (nginx ignores
# it then, with a warning).
#
# badhttp_start MODE [ARG...] runs $HARNESS/badhttp.py (BADHTTP_PY
# overrides), a hostile server for what nginx will not do: truncated FILE,
# stall, garbage, huge, headers-flood, headers-size N FILE (see that file);
# it exits by itself after 120 s.  It may be called again for another
# mode; it exports BADHTTP_URL and BADHTTP_PID of the latest one;
# badhttp_stop stops every one started.
#
# The processes are started, waited for and stopped by server.sh.  The
# functions' own variables are named _h_*.

# shellcheck source=tests/harness/server.sh
. "${HARNESS:?}/server.sh"

# not taken from the environment: a parent's servers are not ours to stop
HTTPD_DIR=""
HTTPD_PID=""
BADHTTP_DIR=""
BADHTTP_PIDS=""
BADHTTP_PID=""

# _httpd_get URL: the body, or failure; 2 s at most (https unverified: it
# only asks for the token)
_httpd_get() {
	python3 -c '
import ssl, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2,
            context=ssl._create_unverified_context()) as r:
        sys.stdout.write(r.read().decode("latin-1"))
except Exception:
    sys.exit(1)
' "$1" 2>/dev/null
}

_httpd_random_port() {
	_h_n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + _h_n % 40001))
}

# _httpd_conf DOCROOT PORT TOKEN [TLSPORT]: nginx.conf on stdout
_httpd_conf() {
	echo 'daemon off;'
	[ "$(id -u)" = 0 ] && echo 'user root;'
	cat <<EOF
worker_processes 1;
pid "$HTTPD_DIR/nginx.pid";
error_log "$HTTPD_DIR/error.log" info;
events {
	worker_connections 256;
}
http {
	log_format tb '\$status \$request';
	access_log "$HTTPD_DIR/access.log" tb;
	log_format tbbytes '\$bytes_sent \$status \$request';
	access_log "$HTTPD_DIR/bytes.log" tbbytes;
	client_body_temp_path "$HTTPD_DIR/tmp/body";
	proxy_temp_path "$HTTPD_DIR/tmp/proxy";
	fastcgi_temp_path "$HTTPD_DIR/tmp/fastcgi";
	uwsgi_temp_path "$HTTPD_DIR/tmp/uwsgi";
	scgi_temp_path "$HTTPD_DIR/tmp/scgi";
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$2;
		root "$1";
EOF
	if [ -n "${4:-}" ]; then
		printf '\t\tlisten 127.0.0.1:%s ssl;\n' "$4"
		printf '\t\tssl_certificate "%s/cert.pem";\n' "$HTTPD_TLS"
		printf '\t\tssl_certificate_key "%s/key.pem";\n' "$HTTPD_TLS"
	fi
	[ -n "${HTTPD_INCLUDE:-}" ] &&
	    printf '\t\tinclude "%s";\n' "$HTTPD_INCLUDE"
	cat <<EOF
		location = /httpd-id {
			return 200 "$3";
		}
		location = /status/404 {
			return 404;
		}
		location = /status/500 {
			return 500;
		}
		location = /redirect/file {
			return 302 file:///etc/passwd;
		}
		location = /redirect/loop {
			return 302 http://127.0.0.1:$2/redirect/loop;
		}
		location ~ ^/redirect/to/(.*)\$ {
			return 302 http://127.0.0.1:$2/\$1;
		}
		location ~ ^/redirect/host/([^/]+)/(.*)\$ {
			return 302 http://\$1/\$2;
		}
EOF
	_h_n=1
	while [ $_h_n -le 9 ]; do
		_h_to=redirect/chain/$((_h_n - 1))/
		[ $_h_n = 1 ] && _h_to=""
		printf '\t\tlocation ~ ^/redirect/chain/%d/(.*)$ {\n' $_h_n
		printf '\t\t\treturn 302 http://127.0.0.1:%s/%s$1;\n' "$2" \
		    "$_h_to"
		printf '\t\t}\n'
		_h_n=$((_h_n + 1))
	done
	cat <<EOF
		location /slow/ {
			alias "$1/";
			limit_rate 1k;
		}
	}
	# any other host name (with a letter in its last label), as asked
	# for through nginx used as an http_proxy: DOCROOT/vhosts/HOST/
	server {
		listen 127.0.0.1:$2;
		server_name ~^(?<vh>[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z][a-z0-9-]*)\$;
		root "$1/vhosts/\$vh";
		location = / {
			try_files /index.der =404;
		}
	}
}
EOF
}

# httpd_start DOCROOT: 0 with nginx answering at $HTTPD_URL, or 1 with
# a message on stderr
httpd_start() {
	if [ -n "$HTTPD_PID" ]; then
		echo "httpd_start: nginx already running (pid $HTTPD_PID)" >&2
		return 1
	fi
	_h_docroot=$(cd "$1" 2>/dev/null && pwd) || {
		echo "httpd_start: '$1': no such directory" >&2
		return 1
	}
	case $_h_docroot in
	*[\"\$\;\{\}\\]*)
		echo "httpd_start: '$_h_docroot': nginx.conf cannot quote it" \
		    >&2
		return 1 ;;
	esac
	HTTPD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trustbuild-httpd.XXXXXX") ||
		return 1
	mkdir "$HTTPD_DIR/tmp"
	_h_token=$(basename "$HTTPD_DIR")
	_h_tries=0
	while [ $_h_tries -lt 10 ]; do
		_h_tries=$((_h_tries + 1))
		_h_port=$(_httpd_random_port)
		_h_tport=""
		[ -n "${HTTPD_TLS:-}" ] && _h_tport=$(_httpd_random_port)
		_httpd_conf "$_h_docroot" "$_h_port" "$_h_token" "$_h_tport" \
		    >"$HTTPD_DIR/nginx.conf"
		rm -f "$HTTPD_DIR/nginx.pid"
		server_start "$HTTPD_DIR/nginx.out" nginx -p "$HTTPD_DIR" \
		    -e "$HTTPD_DIR/error.log" -c "$HTTPD_DIR/nginx.conf"
		_h_pid=$SERVER_PID
		# up to 5 s for it to answer with our token.  nginx writes its
		# pid file once it listens: ask no one before.  On a port
		# already taken, try another without waiting for nginx's retries
		_h_i=0
		while [ $_h_i -lt 50 ] && server_alive "$_h_pid"; do
			grep -q 'Address already in use' \
			    "$HTTPD_DIR/error.log" "$HTTPD_DIR/nginx.out" \
			    2>/dev/null && break
			_h_id=""
			[ -s "$HTTPD_DIR/nginx.pid" ] && _h_id=$(_httpd_get \
			    "http://127.0.0.1:$_h_port/httpd-id")
			[ -n "$_h_tport" ] && [ "$_h_id" = "$_h_token" ] &&
			    _h_id=$(_httpd_get \
			    "https://127.0.0.1:$_h_tport/httpd-id")
			if [ "$_h_id" = "$_h_token" ]; then
				HTTPD_TLS_PORT=$_h_tport
				HTTPD_TLS_URL=https://127.0.0.1:$_h_tport
				export HTTPD_TLS_PORT HTTPD_TLS_URL
				HTTPD_PID=$_h_pid
				HTTPD_PORT=$_h_port
				HTTPD_URL=http://127.0.0.1:$_h_port
				export HTTPD_PID HTTPD_PORT HTTPD_URL
				return 0
			fi
			sleep 0.1
			_h_i=$((_h_i + 1))
		done
		server_stop "$_h_pid"
		grep -q 'Address already in use' "$HTTPD_DIR/nginx.out" \
		    "$HTTPD_DIR/error.log" 2>/dev/null || break
		: >"$HTTPD_DIR/error.log"
	done
	echo "httpd_start: nginx did not come up ($_h_tries tries):" >&2
	cat "$HTTPD_DIR/nginx.out" "$HTTPD_DIR/error.log" 2>/dev/null |
	    tail -5 >&2
	rm -rf "$HTTPD_DIR"
	HTTPD_DIR=""
	return 1
}

httpd_log() {
	echo "$HTTPD_DIR/access.log"
}

# httpd_log_wait ERE [N]: 0 once at least N (default 1) access log lines
# match, waiting up to 2 s; else 1
httpd_log_wait() {
	_h_i=0
	while :; do
		_h_n=$(grep -Ec -- "$1" "$HTTPD_DIR/access.log" 2>/dev/null)
		[ "${_h_n:-0}" -ge "${2:-1}" ] && return 0
		[ $_h_i -ge 20 ] && return 1
		sleep 0.1
		_h_i=$((_h_i + 1))
	done
}

httpd_stop() {
	if [ -n "$HTTPD_PID" ]; then
		# the workers too, should the master need a KILL
		_h_workers=$(ps -o pid= --ppid "$HTTPD_PID" 2>/dev/null)
		# shellcheck disable=SC2086
		server_stop "$HTTPD_PID" $_h_workers
	fi
	[ -n "$HTTPD_DIR" ] && rm -rf "$HTTPD_DIR"
	HTTPD_PID=""
	HTTPD_DIR=""
	return 0
}

# badhttp_start MODE [ARG...]: 0 with the server at $BADHTTP_URL, or 1
badhttp_start() {
	_h_py=${BADHTTP_PY:-$HARNESS/badhttp.py}
	if [ -z "$BADHTTP_DIR" ]; then
		BADHTTP_DIR=$(mktemp -d \
		    "${TMPDIR:-/tmp}/trustbuild-badhttp.XXXXXX") || return 1
	fi
	_h_n=$(echo "$BADHTTP_PIDS" | wc -w)
	_h_portfile=$BADHTTP_DIR/port.$_h_n
	server_start "$BADHTTP_DIR/log.$_h_n" python3 "$_h_py" \
	    "$_h_portfile" "$@"
	BADHTTP_PIDS="$BADHTTP_PIDS $SERVER_PID"
	server_wait -s "$_h_portfile" || return 1
	BADHTTP_PID=$SERVER_PID
	BADHTTP_URL=http://127.0.0.1:$(cat "$_h_portfile")
	export BADHTTP_PID BADHTTP_URL
	return 0
}

badhttp_stop() {
	# shellcheck disable=SC2086
	server_stop $BADHTTP_PIDS
	[ -z "$BADHTTP_DIR" ] || rm -rf "$BADHTTP_DIR"
	BADHTTP_PIDS="" BADHTTP_DIR="" BADHTTP_PID=""
}

# httpd_serve DOCROOT [FILE...]: DOCROOT made, the FILEs copied into it,
# nginx serving it; sets BASE (the nginx URL) and LOG (its access log).
# If nginx cannot start, "not ok" and the end of the test (lib.sh's bail).
httpd_serve() {
	mkdir -p "$1"
	_h_doc=$1
	shift
	[ $# = 0 ] || cp "$@" "$_h_doc/"
	httpd_start "$_h_doc" || bail "nginx starts on 127.0.0.1"
	BASE=$HTTPD_URL
	LOG=$(httpd_log)
}

# aia_pki_start DIR: nginx serving DIR/www (httpd_serve), and in DIR the
# AIA test PKI of mkpki.sh whose caIssuers URLs point at that nginx (its
# log in $W/mkpki.log); sets P (DIR), BASE and LOG.  If either cannot be
# had, "not ok" and the end of the test.
aia_pki_start() {
	P=$1
	httpd_serve "$P/www"
	sh "$HARNESS/mkpki.sh" "$P" "$BASE" >"$W/mkpki.log" 2>&1 ||
	    bail "the test PKI (mkpki.sh)"
}

server_cleanup 'httpd_stop; badhttp_stop'
