#!/bin/sh
# sendmail_selfcheck.sh: a check of the test infrastructure for sendmail,
# not of trustbuild (and so not in tests/e2e/): tests/harness/sendmail.sh runs a
# real sendmail that relays through SMART_HOST to tests/harness/tlsd.py smtp,
# which offers STARTTLS and sends only its leaf (tests/harness/mkpki.sh's
# leaf.pem, issued by int, issued by root).  What sendmail logs says
# whether all is as described:
#	a  CA file root.pem, CA path with root      verify=FAIL
#	b  CA file ca-bundle.pem, CA path root+int  verify=OK, and tlsd got
#	                                            the message over TLS
#	c  CA file ca-bundle.pem, no CA path        no CA data: verify=FAIL
#	d  no CA file, CA path root+int             no CA data: verify=FAIL
# (sendmail installs its verify callback, which logs "STARTTLS: TLS cert
# verify: depth=0 ...", only when it has loaded CA data: in a and b.)
# Then no process of the harness is left, and /etc/mail, /etc/hosts,
# /dev/log, the host name, sendmail's spool and the mount table are as
# they were.
#	sh tests/sendmail_selfcheck.sh
# Prints "ok - ..." / "not ok - ..." lines (VERBOSE=1: each case's
# STARTTLS log lines too), then "N passed, N failed" ("..., 1 skipped"
# when sendmail_available says no); exit 0 only if nothing failed.  Runs
# as root; takes a few seconds and leaves no process and no file behind
# (KEEP=1 keeps the scratch directory and says where).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/selfcheck.sh
. "$here/selfcheck.sh"
# shellcheck source=tests/harness/tlsd.sh
. "$here/tlsd.sh"
# shellcheck source=tests/harness/sendmail.sh
. "$here/sendmail.sh"

if ! why=$(sendmail_available); then
	skipped "$why"
	done_testing
	exit
fi

# what the host looks like: compared at the end
host_state() {
	echo "hostname $(hostname)"
	for d in /etc/mail /var/spool/mqueue /var/spool/mqueue-client \
	    /var/lib/sendmail /run/sendmail; do
		if [ -d "$d" ]; then echo "$d $(snapshot "$d")"; else
			echo "$d absent"; fi
	done
	for f in /etc/hosts /etc/hostname /etc/aliases /etc/mailname; do
		if [ -e "$f" ]; then
			echo "$f $(stat -c '%F %a %u %Y' "$f")" \
			    "$(sha256sum <"$f")"
		else echo "$f absent"; fi
	done
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		echo "/dev/log $(stat -c '%F %i %a %u %N' /dev/log)"
	else echo "/dev/log absent"; fi
	echo "mounts:"
	awk '{ print $5, $9 }' /proc/self/mountinfo | LC_ALL=C sort
}
# the sendmail processes running now in another PID namespace than ours,
# as the harness runs them, as "PID NAMESPACE ARGS" lines (a sendmail
# of the host's, e.g. from cron, is in ours)
sendmails() {
	_ns=$(readlink /proc/self/ns/pid)
	ps -eo pid=,comm=,args= | awk '$2 ~ /sendmail/' |
	while read -r _p _c _a; do
		_pns=$(readlink "/proc/$_p/ns/pid" 2>/dev/null) || continue
		[ "$_pns" = "$_ns" ] || echo "$_p $_pns $_a"
	done
}
host_state >"$W/before"
sendmails >"$W/sendmails.before"

P=$W/pki
if ! sh "$here/mkpki.sh" "$P" http://127.0.0.1:9 >"$W/mkpki.log" 2>&1; then
	nok "mkpki.sh makes the PKI"
	show "$W/mkpki.log"
	done_testing
	exit
fi
# hashed directories, as openssl rehash makes them
mkdir "$W/capath-root" "$W/capath-both"
cp "$P/root.pem" "$W/capath-root/"
cp "$P/root.pem" "$P/int.pem" "$W/capath-both/"
openssl rehash "$W/capath-root" "$W/capath-both"
check "capath-root: one hash link" \
    test "$(find "$W/capath-root" -type l | wc -l)" = 1
check "capath-both: two hash links" \
    test "$(find "$W/capath-both" -type l | wc -l)" = 2

if ! tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --log "$W/tlsd.log"; then
	nok "tlsd smtp starts"
	done_testing
	exit
fi
ok "tlsd smtp on port $TLSD_PORT, sending the leaf alone"

# what sendmail logs of the relay's TLS, fixed parts only
REL='STARTTLS=client, relay=\[127\.0\.0\.1\], version=TLSv1\.[23], '
MSG='verifymsg=unable to get local issuer certificate'
# sendmail's verify callback, installed only once CA data is loaded
CB='STARTTLS: TLS cert verify: depth=0 /CN=localhost, state='

# case NAME CAFILE CAPATH: sendmail_setup and sendmail_send in $W/NAME;
# 0 if sendmail ran and exited 0
case_run() {
	_n=$1
	if ! sendmail_setup "$W/$_n" "$TLSD_PORT" "$2" "$3" \
	    >"$W/$_n.setup" 2>&1; then
		nok "$_n: sendmail_setup"
		show "$W/$_n.setup"
		return 1
	fi
	check "$_n: SENDMAIL_LOG is $W/$_n/maillog" \
	    test "$SENDMAIL_LOG" = "$W/$_n/maillog"
	_t0=$(date +%s)
	sendmail_send "$W/$_n" "sendmail selfcheck case $_n" \
	    >"$W/$_n.send" 2>&1
	_rc=$?
	_t=$(($(date +%s) - _t0))
	if [ "$_rc" = 0 ]; then
		ok "$_n: sendmail exits 0 (${_t} s)"
	else
		nok "$_n: sendmail exits $_rc (${_t} s)"
		show "$W/$_n.send"
		show "$W/$_n/sendmail.out" 30
	fi
	if [ "${VERBOSE:-}" = 1 ] && [ -f "$W/$_n/maillog" ]; then
		grep STARTTLS "$W/$_n/maillog" | sed "s/^/# $_n: /"
	fi
	[ "$_rc" = 0 ]
}

# delivered NAME: tlsd's log has the message of case NAME, received
# after STARTTLS
delivered() {
	_subj="Subject: sendmail selfcheck case $1"
	_c=$(sed -n "s/^\([0-9]*\) | $_subj\$/\1/p" "$W/tlsd.log" | head -1)
	_env="from=<sender@example.net> to=<user@example.com>"
	if [ -n "$_c" ] && grep -q "^$_c tls-ok " "$W/tlsd.log" &&
	    grep -q "^$_c tls message $_env " "$W/tlsd.log"; then
		ok "$1: tlsd got the message over TLS (connection $_c)"
	else
		nok "$1: no message of case $1 over TLS in tlsd's log:"
		show "$W/tlsd.log" 40
	fi
}

# a: the root alone cannot verify a leaf sent without its intermediate
if case_run a "$P/root.pem" "$W/capath-root"; then
	L=$W/a/maillog
	file_has "a: verify=FAIL" "$L" "${REL}verify=FAIL,"
	file_has "a: $MSG" "$L" "$MSG"
	file_has "a: OpenSSL error 20" "$L" 'get_verify: 20 '
	file_has "a: CA data loaded (sendmail's verify callback ran)" "$L" \
	    "${CB}0, reason=unable to get local issuer certificate"
	file_lacks "a: no 'unsafe' file" "$L" 'unsafe'
	file_lacks "a: no 'load verify locs ... failed'" "$L" 'load verify locs'
	delivered a
fi

# b: with the intermediate in both, it verifies
if case_run b "$P/ca-bundle.pem" "$W/capath-both"; then
	L=$W/b/maillog
	file_has "b: verify=OK" "$L" "${REL}verify=OK,"
	file_has "b: verifymsg=ok" "$L" 'verifymsg=ok$'
	file_has "b: CA data loaded (sendmail's verify callback ran)" "$L" \
	    "${CB}1, reason=ok"
	file_lacks "b: no verify=FAIL" "$L" 'verify=FAIL'
	file_lacks "b: no 'unsafe' file" "$L" 'unsafe'
	file_has "b: a mail.log line" "$L" \
	    '^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} tb-test sendmail\[[0-9]+\]: '
	file_has "b: delivered to the smart host" "$L" \
	    'to=user@example\.com, .*mailer=relay, .*stat=Sent'
	delivered b
	file_has "b: sendmail -v shows the SMTP dialogue" "$W/b/sendmail.out" \
	    '^>>> STARTTLS'
fi

# c and d: one of the two alone, and sendmail loads no CA data at all,
# though both hold root and int
# no_ca CASE SETTING: sendmail logged "SETTING missing", loaded no CA data
# and could not verify; the message was delivered all the same
no_ca() {
	L=$W/$1/maillog
	file_has "$1: '$2 missing'" "$L" "STARTTLS: $2 missing"
	file_has "$1: verify=FAIL" "$L" "${REL}verify=FAIL,"
	file_has "$1: $MSG" "$L" "$MSG"
	file_lacks "$1: no CA data (no verify callback)" "$L" 'TLS cert verify:'
	delivered "$1"
}
case_run c "$P/ca-bundle.pem" "" && no_ca c CACertPath
case_run d "" "$W/capath-both" && no_ca d CACertFile

# the harness: usage errors, and nothing left behind
sendmail_setup "$W/e" 0 "" "" >"$W/e.out" 2>&1
check "sendmail_setup refuses port 0" test $? = 1
sendmail_setup "$W/e" "$TLSD_PORT" "$W/a b/ca.pem" "" >"$W/e.out" 2>&1
check "sendmail_setup refuses a blank in a path" test $? = 1
sendmail_send "$W/nonesuch" >"$W/e.out" 2>&1
check "sendmail_send refuses a DIR without sendmail.cf" test $? = 1

sendmail_stop
sendmail_stop
check "sendmail_stop leaves no PID to stop" test -z "$SENDMAIL_PIDS"
tlsd_stop
sendmails >"$W/sendmails.after"
if diff "$W/sendmails.before" "$W/sendmails.after" | grep -q '^>'; then
	nok "no sendmail process left in a PID namespace:"
	diff "$W/sendmails.before" "$W/sendmails.after" | sed 's/^/#   /'
else ok "no sendmail process left in a PID namespace"; fi
# shellcheck disable=SC2009  # pgrep -f takes a pattern, $W is a string
ps -eo pid=,args= | grep -F -- "$W" | grep -v grep >"$W/left"
file_lacks "no process with the scratch directory in its arguments" \
    "$W/left" .
ps -o pid=,args= --ppid $$ >"$W/children"
file_lacks "no child process left" "$W/children" '(python3|sendmail|unshare|timeout)'
host_state >"$W/after"
if cmp -s "$W/before" "$W/after"; then
	ok "/etc/mail, /etc/hosts, /dev/log, host name, spool, mounts unchanged"
else
	nok "the host changed:"
	diff "$W/before" "$W/after" | sed 's/^/#   /' | head -20
fi

done_testing
