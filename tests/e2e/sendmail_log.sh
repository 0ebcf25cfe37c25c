#!/bin/sh
# sendmail-check's mail log as admins have it: standard input (--log -),
# the default log with its rotations (mail.log.1, mail.log.2.gz, oldest
# first; /var/log seen through a private mount namespace), RFC 3164, RFC
# 3339 (rsyslog) and RFC 5424 lines, the systemd journal (--journal,
# journalctl on a real systemd-journald run in a private mount
# namespace), a verify=FAIL older than the published store's last change
# as a note, and hostile logs (binary, a huge line, a truncated gzip, a
# gzip bomb): one clear note each, no crash.  The lines are those a real
# sendmail 8.17 logged (tests/harness/sendmail.sh, kept in
# tests/fuzz/regress/maillog/), stamped anew.
. "$(dirname "$0")/../harness/lib.sh"

REAL=$HARNESS/../fuzz/regress/maillog/sendmail-8.17-fail.log
[ -f "$REAL" ] || bail "the real sendmail log $REAL"
D=$W/sm
mkdir -p "$D"

# restamp WHEN [RELAY]: the real log's lines, stamped WHEN (date -d) as
# syslog writes them (RFC 3164), the relay renamed to RELAY
restamp() {
	_st=$(date -d "$1" '+%b %e %H:%M:%S')
	sed "s/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\}/$_st/; s/relay=\\[127.0.0.1\\]/relay=${2:-[127.0.0.1]}/" \
	    "$REAL"
}
# okstamp WHEN RELAY: one verify=OK line of the same sendmail
okstamp() {
	restamp "$1" "$2" | sed -n 's/verify=FAIL/verify=OK/p'
}
# as5424 / as3339: RFC 3164 lines on stdin in those formats, stamped WHEN
as5424() {
	_st=$(date -u -d "$1" '+%Y-%m-%dT%H:%M:%S.123Z')
	sed -E "s/^.{15} ([^ ]*) ([a-z-]*)\\[([0-9]*)\\]: /<22>1 $_st \\1 \\2 \\3 - - /"
}
as3339() {
	_st=$(date -d "$1" '+%Y-%m-%dT%H:%M:%S.123456%:z')
	sed -E "s/^.{15} /$_st /"
}

# a published store, and a set-up that uses it: the log is all that is
# checked
S=$W/store
mkdir -p "$S"
chmod 755 "$W" "$S" "$D"
"$TB" -q build --bundle "$S/ca.crt" --capath "$S/certs" "$FIX/roots.pem" \
    >/dev/null 2>&1 || bail "a store to check against"
chmod 644 "$S/ca.crt"
printf '[output]\nbundle = %s\ncapath = %s\n[source m]\nstore = mozilla\n' \
    "$S/ca.crt" "$S/certs" >"$D/tb.conf"
printf 'O CACertPath=%s\nO CACertFile=%s\nO LogLevel=15\nDS[127.0.0.1]\n' \
    "$S/certs" "$S/ca.crt" >"$D/good.cf"
# the store changed an hour ago
touch -d '-1 hour' "$S/ca.crt"
touch -h -d '-1 hour' "$S/certs"
sm() {
	"$TB" -c "$D/tb.conf" sendmail-check --mc /nonexistent --cf \
	    "$D/good.cf" "$@"
}

# standard input
restamp '-10 minutes' >"$D/now.log"
run 1 "--log -: the log on standard input, a FAIL: exit 1" sh -c \
    '"$@" <"$0"' "$D/now.log" "$TB" -c "$D/tb.conf" sendmail-check \
    --mc /nonexistent --cf "$D/good.cf" --log -
file_has "the relay, its verdict and the reason, from standard input" \
    "$W/out" "^PROBLEM: relay \\[127.0.0.1\\]: verify=FAIL verifymsg=unable to get local issuer certificate \\(1 connection"
run 0 "an empty standard input: no problem" sh -c '"$@" </dev/null' sh \
    "$TB" -c "$D/tb.conf" sendmail-check --mc /nonexistent --cf \
    "$D/good.cf" --log -
file_has "and says so" "$W/out" "standard input has no STARTTLS=client lines"

# a FAIL before the store changed is a note, one after it a problem
restamp '-2 hours' >"$D/old.log"
run 0 "a FAIL from before the store changed: exit 0" sm --log "$D/old.log"
file_has "it is a note, with the date of the change" "$W/out" \
    "^note: +relay \\[127.0.0.1\\]: verify=FAIL verifymsg=unable to get local issuer certificate before the store changed at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} UTC \\(1 connection in the log\\); none since"
file_lacks "not a problem" "$W/out" "^PROBLEM"
cat "$D/old.log" "$D/now.log" >"$D/both.log"
run 1 "and a FAIL after it: exit 1" sm --log "$D/both.log"
file_has "a problem, 2 connections" "$W/out" \
    "^PROBLEM: relay \\[127.0.0.1\\]: verify=FAIL .*\\(2 connections in the log\\)"
{ restamp '-2 hours'; okstamp '-30 minutes' '[127.0.0.1]'; } >"$D/fixed.log"
run 0 "a FAIL, then an OK: exit 0" sm --log "$D/fixed.log"
file_has "the relay verifies" "$W/out" "^ok: +relay \\[127.0.0.1\\]: verify=OK \\(2 connections"

# RFC 5424 and RFC 3339 lines: the same findings, the stamps read
as5424 '-2 hours' <"$D/old.log" >"$D/old5424.log"
grep -q '^<22>1 [0-9-]*T[0-9:.]*Z tb-test sendmail 21 - - STARTTLS=client, relay=' \
    "$D/old5424.log" || nok "the RFC 5424 log is made"
run 0 "RFC 5424 lines from before the store changed: exit 0" sm --log \
    "$D/old5424.log"
file_has "read: the note, its reason" "$W/out" \
    "^note: +relay \\[127.0.0.1\\]: verify=FAIL verifymsg=unable to get local issuer certificate before the store changed"
as3339 '-10 minutes' <"$D/now.log" >"$D/now3339.log"
as3339 '-2 hours' <"$D/old.log" >"$D/old3339.log"
run 0 "rsyslog's RFC 3339 lines from before: exit 0" sm --log "$D/old3339.log"
file_has "the note" "$W/out" "verify=FAIL .* before the store changed"
run 1 "and from after: exit 1" sm --log "$D/now3339.log"
file_has "the problem" "$W/out" "^PROBLEM: relay \\[127.0.0.1\\]: verify=FAIL"

# the default log and its rotations, in a private /var/log
if unshare --mount --propagation private true 2>/dev/null; then
	V=$W/varlog
	mkdir -p "$V"
	# newest to oldest: a.example verifies now, failed before; b.example
	# verified long ago and failed since; c.example is only in the oldest
	okstamp '-5 minutes' a.example. >"$V/mail.log"
	{ restamp '-3 days' a.example.; restamp '-40 minutes' b.example.; } \
	    >"$V/mail.log.1"
	{ okstamp '-9 days' b.example.; restamp '-9 days' c.example.; } |
	    gzip >"$V/mail.log.2.gz"
	: >"$V/mail.log.10.gz"		# empty: not gzip at all
	echo "not a rotation" >"$V/mail.log.old"
	run 1 "the default log: exit 1" unshare --mount --propagation private \
	    sh -c 'mount --bind "$0" /var/log && exec "$@"' "$V" "$TB" -c \
	    "$D/tb.conf" sendmail-check --mc /nonexistent --cf "$D/good.cf"
	file_has "a relay's last verdict is the newest file's" "$W/out" \
	    "^ok: +relay a.example: verify=OK \\(2 connections"
	file_has "the older rotations read oldest first" "$W/out" \
	    "^PROBLEM: relay b.example: verify=FAIL .*\\(2 connections"
	file_has "mail.log.2.gz read through gzip" "$W/out" \
	    "relay c.example: verify=FAIL .*before the store changed"
	file_lacks "the empty .10.gz is not an error" "$W/err" "."
	file_lacks "mail.log.old is no rotation" "$W/out" "mail.log.old"
	# RHEL: maillog, logrotate's dateext
	rm -f "$V"/mail.log*
	{ okstamp '-9 days' d.example.; } >"$V/maillog-20200101"
	restamp '-40 minutes' d.example. >"$V/maillog-20200108"
	okstamp '-5 minutes' e.example. >"$V/maillog"
	run 1 "RHEL's maillog with dateext rotations: exit 1" unshare --mount \
	    --propagation private sh -c 'mount --bind "$0" /var/log &&
	    exec "$@"' "$V" "$TB" -c "$D/tb.conf" sendmail-check --mc \
	    /nonexistent --cf "$D/good.cf"
	file_has "maillog-YYYYMMDD read, oldest first" "$W/out" \
	    "^PROBLEM: relay d.example: verify=FAIL .*\\(2 connections"
	file_has "and maillog" "$W/out" "^ok: +relay e.example: verify=OK"
else
	skipped "the default log's rotations: no private mount namespace (unshare)"
fi

# hostile logs: one note each, no crash, within 60 s and 1 GiB
hostile() {	# NAME DESCRIPTION PATTERN
	bounded "$TB" -c "$D/tb.conf" sendmail-check --mc /nonexistent \
	    --cf "$D/good.cf" --log "$D/$1"
	if [ "$rc" -le 1 ] && [ ! -s "$W/err" ]; then
		ok "$2: exit $rc, nothing on stderr"
	else
		nok "$2: exit $rc"
		sed 's/^/#   /' "$W/err" | head -5
	fi
	_n=$(grep -Ec -- "$3" "$W/out")
	if [ "$_n" = 1 ]; then ok "$2: one note"; else
		nok "$2: $_n notes /$3/ in:"
		sed 's/^/#   /' "$W/out" | head -20
	fi
}
{ head -c 200000 /dev/urandom; printf '\000'; } >"$D/binary"
hostile binary "a binary file" \
    "^note: +'$D/binary': [0-9]+ of its [0-9]+ lines hold NUL bytes and were skipped: not a text log \\(for the systemd journal use --journal\\)"
{ restamp '-10 minutes' | head -3; head -c 20000000 /dev/zero | tr '\0' x;
    echo; restamp '-10 minutes'; } >"$D/huge"
hostile huge "a 20 MB line" \
    "^note: +$D/huge: 1 line longer than 4096 bytes skipped"
file_has "the lines after it are read" "$W/out" "relay \\[127.0.0.1\\]: verify=FAIL"
restamp '-10 minutes' | gzip >"$D/whole.gz"
head -c $(($(wc -c <"$D/whole.gz") / 2)) "$D/whole.gz" >"$D/truncated.gz"
hostile truncated.gz "a truncated gzip file" \
    "^note: +(cannot read the mail log )?'$D/truncated.gz'.*truncated gzip input"
head -c 300000000 /dev/zero | gzip -1 >"$D/bomb.gz"
hostile bomb.gz "a gzip bomb (300 MB of zeros)" \
    "^note: +'$D/bomb.gz' decompresses to more than 256 MiB: only its first 256 MiB were read"
rm -f "$D/bomb.gz"
run 1 "--log FILE.gz: read through gzip" sm --log "$D/whole.gz"
file_has "its relay" "$W/out" "^PROBLEM: relay \\[127.0.0.1\\]: verify=FAIL"

# the journal
run 1 "--log and --journal: refused" sm --log "$D/now.log" --journal
one_error "--log and --journal"
run 0 "--journal without journalctl: exit 0" env PATH=/nonexistent \
    "$TB" -c "$D/tb.conf" sendmail-check --mc /nonexistent --cf \
    "$D/good.cf" --journal
file_has "one note: journalctl could not run, and what to install" \
    "$W/out" "^note: +journalctl failed \\(exit 127\\): cannot run journalctl: No such file or directory; is systemd's journalctl installed\\?"
JD=""
for f in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
	[ -x "$f" ] && JD=$f && break
done
if [ -n "$JD" ] && command -v journalctl >/dev/null &&
    command -v logger >/dev/null &&
    unshare --mount --propagation private true 2>/dev/null; then
	# a journald of our own: /run/systemd and /run/log private (tmpfs;
	# its runtime journal kept in $W/journal); the real lines
	# sent by logger as sm-mta with sendmail's pid, then our check
	mkdir -p "$W/journal"
	restamp '-1 minute' | sed -E 's/^.{15} [^ ]* [^ ]*: //' >"$D/msgs"
	cat >"$W/journal.sh" <<'EOF'
set -u
jd=$1 journal=$2 msgs=$3
shift 3
for d in /run/systemd /run/log; do
	mkdir -p "$d" && mount -t tmpfs tmpfs "$d" || exit 1
done
mkdir -p /run/systemd/journal /run/log/journal
mount --bind "$journal" /run/log/journal || exit 1
"$jd" >/dev/null 2>&1 &
pid=$!
n=0
while [ ! -S /run/systemd/journal/dev-log ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
while IFS= read -r m; do
	logger -u /run/systemd/journal/dev-log -t sm-mta --id=21 -- "$m"
done <"$msgs"
logger -u /run/systemd/journal/dev-log -t other -- \
    "STARTTLS=client, relay=not.sendmail., version=TLSv1.3, verify=FAIL, x=y"
sleep 1
"$@"
rc=$?
kill "$pid"
wait "$pid"
exit $rc
EOF
	run 1 "--journal on a real journald: the FAIL, exit 1" timeout 60 \
	    unshare --mount --propagation private sh "$W/journal.sh" "$JD" \
	    "$W/journal" "$D/msgs" "$TB" -c "$D/tb.conf" sendmail-check \
	    --mc /nonexistent --cf "$D/good.cf" --journal
	file_has "sm-mta's lines read from journalctl, with the reason" \
	    "$W/out" "^PROBLEM: relay \\[127.0.0.1\\]: verify=FAIL verifymsg=unable to get local issuer certificate \\(1 connection"
	file_lacks "only sendmail's identifiers" "$W/out" "not.sendmail"
	run 1 "--journal=DIR: the journal files it left" "$TB" -c \
	    "$D/tb.conf" sendmail-check --mc /nonexistent --cf "$D/good.cf" \
	    --journal="$W/journal"
	file_has "the same relay" "$W/out" \
	    "^PROBLEM: relay \\[127.0.0.1\\]: verify=FAIL verifymsg=unable"
else
	skipped "--journal live: no systemd-journald, journalctl, logger or private mount namespace here"
fi
run 0 "--journal=DIR without journal files: exit 0" "$TB" -c "$D/tb.conf" \
    sendmail-check --mc /nonexistent --cf "$D/good.cf" --journal="$D"
file_has "a note naming it" "$W/out" \
    "^note: +the journal in '$D' has no STARTTLS=client lines"
run 0 "--journal=DIR that does not exist: exit 0" "$TB" -c "$D/tb.conf" \
    sendmail-check --mc /nonexistent --cf "$D/good.cf" --journal="$W/none"
file_has "one note: what journalctl said" "$W/out" \
    "^note: +journalctl failed \\(exit 1\\): .*$W/none"
done_testing
