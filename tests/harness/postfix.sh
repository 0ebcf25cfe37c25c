# postfix.sh: Debian's Postfix for the end-to-end tests, sourced by
# tests/e2e/postfix_*.sh after lib.sh.  Debian's postfix conflicts with
# sendmail-bin (which the sendmail tests need), so it is never installed:
# its .deb (fetched once by scripts/deps.sh with "apt-get download
# postfix" into $POSTFIX_CACHE, default /var/cache/trustbuild-tests, or
# here when missing and apt-get can) is unpacked with dpkg -x into a
# private root, and run from there:
#
# postfix_available: 0 if the package can be had and unpacked and
# unshare (mount namespaces, as root) works; else prints why on stdout
# (for a "skip" message) and returns 1.
#
# postfix_unpack: unpacks it into $W/pfroot (once; PF_ROOT) and writes
# $W/pfbin (PF_BIN) with postconf and postfix: wrappers that run the
# unpacked programs (LD_LIBRARY_PATH of its libraries), postfix in a
# private mount namespace where /etc/passwd and /etc/group also have the
# users postfix needs (postfix, postdrop), nothing of the host changed.
# Put $PF_BIN first on the PATH for trustbuild to find them.
#
# postfix_dirs DIR: the lines a main.cf in DIR needs for the unpacked
# Postfix (its directories under PF_ROOT, queue_directory DIR/queue,
# data_directory DIR/data, the environment its programs need), on stdout.
#
# postfix_main DIR: a main.cf like Debian's default (written here, as its
# postinst writes it) with postfix_dirs, into DIR/main.cf; and the
# package's own master.cf (smtp chrooted: the y column) as DIR/master.cf.
# Postfix logs into DIR/maillog (maillog_file, postlogd), as
# /var/log/mail.log has it.
#
# postfix_send DIR [SUBJECT] runs the real Postfix of DIR for one
# delivery attempt: in private mount, PID and UTS namespaces (unshare; the
# host name tb-test.example.org, /etc/passwd and /etc/group with its
# users; every process of the attempt ends with the namespace) it starts
# Postfix (postfix -c DIR start: master, pickup, qmgr, and smtp, chrooted
# in DIR/queue where master.cf says so), submits one message with
# Postfix's sendmail to user@example.com (relayhost decides where it
# goes), waits up to POSTFIX_TIMEOUT seconds (default 30) for its
# "status=" line in DIR/maillog, and stops Postfix.  The queue is emptied
# first: each attempt is one message.  Returns 0, or 1 with the reason in
# DIR/send.out.
POSTFIX_CACHE=${POSTFIX_CACHE:-/var/cache/trustbuild-tests}

postfix_deb() {
	ls "$POSTFIX_CACHE"/postfix_*.deb 2>/dev/null | tail -1
}

postfix_available() {
	if [ "$(id -u)" != 0 ]; then
		echo "not root (mount namespaces)"
		return 1
	fi
	for _p_c in dpkg-deb unshare mount; do
		if ! command -v "$_p_c" >/dev/null 2>&1; then
			echo "no $_p_c"
			return 1
		fi
	done
	if [ -z "$(postfix_deb)" ] && command -v apt-get >/dev/null 2>&1; then
		mkdir -p "$POSTFIX_CACHE" &&
		    (cd "$POSTFIX_CACHE" && timeout 120 apt-get download -qq \
		    postfix >/dev/null 2>&1)
	fi
	if [ -z "$(postfix_deb)" ]; then
		echo "no postfix .deb in $POSTFIX_CACHE (sh scripts/deps.sh" \
		    "fetches it)"
		return 1
	fi
	if ! unshare -m true 2>/dev/null; then
		echo "no mount namespace can be made"
		return 1
	fi
	return 0
}

postfix_unpack() {
	PF_ROOT=$W/pfroot
	PF_BIN=$W/pfbin
	if [ ! -x "$PF_ROOT/usr/sbin/postconf" ]; then
		rm -rf "$PF_ROOT"
		dpkg-deb -x "$(postfix_deb)" "$PF_ROOT" || return 1
	fi
	mkdir -p "$PF_BIN"
	(cat /etc/passwd
	    echo "postfix:x:64242:64242::/nonexistent:/usr/sbin/nologin"
	    ) >"$W/pf.passwd"
	(cat /etc/group; echo "postfix:x:64242:"; echo "postdrop:x:64243:"
	    ) >"$W/pf.group"
	chmod 644 "$W/pf.passwd" "$W/pf.group"
	cat >"$PF_BIN/postconf" <<EOS
#!/bin/sh
LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix exec $PF_ROOT/usr/sbin/postconf "\$@"
EOS
	cat >"$PF_BIN/postfix" <<EOS
#!/bin/sh
exec unshare -m sh -c 'mount --bind $W/pf.passwd /etc/passwd &&
    mount --bind $W/pf.group /etc/group &&
    LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix exec $PF_ROOT/usr/sbin/postfix "\$@"' sh "\$@"
EOS
	chmod 755 "$PF_BIN/postconf" "$PF_BIN/postfix"
}

postfix_dirs() {
	echo "daemon_directory = $PF_ROOT/usr/lib/postfix/sbin"
	echo "shlib_directory = $PF_ROOT/usr/lib/postfix"
	echo "meta_directory = $PF_ROOT/etc/postfix"
	echo "command_directory = $PF_ROOT/usr/sbin"
	echo "queue_directory = $1/queue"
	echo "data_directory = $1/data"
	echo "import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ" \
	    "LANG=C LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix"
	echo "export_environment = TZ MAIL_CONFIG LANG" \
	    "LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix"
	echo "maillog_file = $1/maillog"
	echo "maillog_file_prefixes = $1"
}

postfix_main() {
	mkdir -p "$1"
	cat >"$1/main.cf" <<'EOS'
# See /usr/share/postfix/main.cf.dist for a commented, more complete version

smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
compatibility_level = 3.6

# TLS parameters
smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level=may

smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=may
smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache

myhostname = tb-test.example.org
alias_maps = hash:/etc/aliases
mydestination = $myhostname, localhost
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
inet_interfaces = loopback-only
inet_protocols = all
EOS
	postfix_dirs "$1" >>"$1/main.cf"
	cp "$PF_ROOT/usr/share/postfix/master.cf.dist" "$1/master.cf"
	mkdir -p "$1/queue" "$1/data"
	chown 64242 "$1/data"
}

postfix_send() {
	_p_d=$1
	for _p_q in deferred active incoming maildrop defer bounce; do
		rm -rf "${_p_d:?}/queue/$_p_q"/* 2>/dev/null
	done
	_p_before=$(grep -c 'status=' "$_p_d/maillog" 2>/dev/null)
	cat >"$_p_d/send.sh" <<EOS
mount --bind $W/pf.passwd /etc/passwd || exit 1
mount --bind $W/pf.group /etc/group || exit 1
hostname tb-test.example.org
export LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix
$PF_ROOT/usr/sbin/postfix -c $_p_d start || exit 1
printf 'Subject: %s\\n\\ntrustbuild postfix test\\n' "${2:-trustbuild postfix test}" |
    $PF_ROOT/usr/sbin/sendmail -C $_p_d -f sender@example.net user@example.com
n=0
while [ \$n -lt $((${POSTFIX_TIMEOUT:-30} * 10)) ]; do
	[ "\$(grep -c 'status=' $_p_d/maillog)" -gt "${_p_before:-0}" ] && break
	sleep 0.1
	n=\$((n + 1))
done
$PF_ROOT/usr/sbin/postfix -c $_p_d stop
[ "\$(grep -c 'status=' $_p_d/maillog)" -gt "${_p_before:-0}" ]
EOS
	timeout $((${POSTFIX_TIMEOUT:-30} + 30)) unshare -m -p -f -u \
	    --mount-proc sh "$_p_d/send.sh" >"$_p_d/send.out" 2>&1
}
