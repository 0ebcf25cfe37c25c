#!/bin/sh
# update with a [sendmail] section: relays found by themselves.  A real
# SMTP server (tests/harness/tlsd.py) that sends only its leaf, whose
# intermediate is fetched through AIA from a real nginx:
#   - named by the mail log (a real sendmail 8.17's verify=FAIL lines with
#     get_verify 20 and verifymsg, kept in tests/fuzz/regress/maillog/ and
#     stamped anew) and listening where sendmail would connect, port 25:
#     one update publishes its intermediate, openssl s_client verifies;
#     the relay is remembered (STATE/sendmail-relays) and probed while it
#     fails, forgotten 30 days after its last failure; with a real
#     sendmail's own log (tests/harness/sendmail.sh), its next message
#     logs verify=OK; the same through the journal (journal = yes);
#   - named by sendmail.mc (SMART_HOST [127.0.0.1] with RELAY_MAILER_ARGS
#     TCP $h PORT, or a mailertable entry): probed on that port, every run;
# at most 32 new relays a run, the rest the next run; a FAIL for another
# reason, or from before the last run, is not learned; a relay already a
# [probe] is not probed twice; update --diff records nothing.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"
. "$HARNESS/sendmail.sh"

REAL=$HARNESS/../fuzz/regress/maillog/sendmail-8.17-fail.log
[ -f "$REAL" ] || bail "the real sendmail log $REAL"
aia_pki_start "$W/pki"

# restamp WHEN [RELAY]: the real log stamped WHEN, the relay renamed
restamp() {
	_st=$(date -d "$1" '+%b %e %H:%M:%S')
	sed "s/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\}/$_st/; s/relay=\\[127.0.0.1\\]/relay=${2:-[127.0.0.1]}/" \
	    "$REAL"
}
# conf NAME [lines...]: anchors from the test root, then the lines
conf() {
	_n=$1
	shift
	{
		conf_output "$W/$_n"
		printf '[source roots]\nurl = %s\n' "$P/root.pem"
		printf '%s\n' "$@"
	} >"$W/$_n.conf"
}
# verifies PORT FILE: openssl s_client -starttls smtp verifies with it
verifies() {
	openssl s_client -connect "127.0.0.1:$1" -starttls smtp \
	    -verify_return_error -CAfile "$2" </dev/null >"$W/sc.log" 2>&1
}
has_int() { grep -q "^# Subject: CN=AIA Test Intermediate$" "$1"; }
# relays NAME: the hosts STATE/sendmail-relays remembers, one a line
relays() { sed -n 's/^relay \([^ ]*\) .*/\1/p' "$W/$1/state/sendmail-relays"; }

# (a) the relay of sendmail.mc, on the port of RELAY_MAILER_ARGS
tlsd_smtp "$P/leaf.pem" "$P/leaf.key"
MPORT=$TLSD_PORT
cat >"$W/sendmail.mc" <<EOF
divert(-1)dnl
include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(\`debian')dnl
define(\`SMART_HOST', \`[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $MPORT')dnl
MAILER(\`smtp')dnl
EOF
conf mc "[sendmail]" "mc = $W/sendmail.mc" "aia-private = yes"
run 0 "[sendmail] mc =: update publishes" "$TB" -v -c "$W/mc.conf" update
check "the intermediate of the .mc's relay" has_int "$W/mc/bundle.crt"
err_has "probed on the port of RELAY_MAILER_ARGS" \
    "\\[sendmail\\]: probing smtp://127.0.0.1:$MPORT \\(sendmail-127.0.0.1_$MPORT\\): SMART_HOST of $W/sendmail.mc"
check "openssl s_client verifies the relay with the bundle" verifies \
    "$MPORT" "$W/mc/bundle.crt"
conf mcp "[probe smarthost]" "url = smtp://127.0.0.1:$MPORT" \
    "aia-private = yes" "[sendmail]" "mc = $W/sendmail.mc"
run 0 "a relay already a [probe]" "$TB" -v -c "$W/mcp.conf" update
file_lacks "is not probed twice" "$W/err" "probing smtp://127.0.0.1:$MPORT"
# a relay of the mailertable, on the port of its mailer (esmtp)
cat >"$W/mt.mc" <<EOF
divert(-1)dnl
include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(\`debian')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $MPORT')dnl
FEATURE(\`mailertable', \`hash -o $W/mailertable')dnl
MAILER(\`smtp')dnl
EOF
printf 'example.org\tesmtp:[127.0.0.1]\n' >"$W/mailertable"
conf mt "[sendmail]" "mc = $W/mt.mc" "aia-private = yes"
run 0 "[sendmail] mc = with a mailertable: update publishes" "$TB" -v -c \
    "$W/mt.conf" update
check "the intermediate of the mailertable's relay" has_int "$W/mt/bundle.crt"
err_has "probed on esmtp's port, the entry named" \
    "\\[sendmail\\]: probing smtp://127.0.0.1:$MPORT \\(sendmail-127.0.0.1_$MPORT\\): mailertable example.org of $W/mt.mc"

# the smart host failed in the log: it is the .mc's relay, on its port
restamp '-1 hour' >"$W/smart.log"
conf mcl "[sendmail]" "mc = $W/sendmail.mc" "log = $W/smart.log" \
    "aia-private = yes"
run 0 "the .mc's relay failing in the log" "$TB" -v -c "$W/mcl.conf" update
file_lacks "is not probed on port 25 too" "$W/err" "probing smtp://127.0.0.1 "
check "nor remembered: the .mc names it" sh -c '! grep -q "^relay" "$0"' \
    "$W/mcl/state/sendmail-relays"
# what cannot be read is said, even with -q, and the run goes on
conf bad "[sendmail]" "mc = $W/none.mc" "log = $W/none.log"
run 0 "a .mc and a log that cannot be read: the run goes on" "$TB" -q \
    -c "$W/bad.conf" update
err_has "the .mc named" \
    "\\[sendmail\\] cannot read '$W/none.mc': No such file or directory; its relays are not probed"
err_has "the log named" "cannot read the mail log '$W/none.log': No such file"
printf 'trustbuild-sendmail-relays 1\nrelay $(reboot) smtp://x 1\n' \
    >"$W/bad/state/sendmail-relays"
run 2 "a damaged state file" "$TB" -q -c "$W/bad.conf" update
err_has "is said, and the relays are learned again" \
    "'$W/bad/state/sendmail-relays' is damaged: the relays of the log are learned again"
check "(it is replaced)" grep -qx "trustbuild-sendmail-relays 1" \
    "$W/bad/state/sendmail-relays"

# (b) a relay of the log, on port 25
if ! tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --port 25 2>"$W/tlsd25.err"
then
	skipped "a relay of the log on port 25: it is taken here ($(tail -1 "$W/tlsd25.err"))"
	done_testing
	exit 0
fi
check "before: the root alone does not verify the relay" sh -c \
    '! openssl s_client -connect 127.0.0.1:25 -starttls smtp \
    -verify_return_error -CAfile "$0" </dev/null >/dev/null 2>&1' \
    "$P/root.pem"
restamp '-2 hours' >"$W/mail.log"
conf log "[sendmail]" "log = $W/mail.log" "aia-private = yes"
run 0 "--diff: nothing recorded" "$TB" -c "$W/log.conf" update --diff
check "(no state file)" test ! -e "$W/log/state/sendmail-relays"
run 0 "[sendmail] log =: one update publishes" "$TB" -v -c "$W/log.conf" \
    update
check "the intermediate of the relay that failed" has_int "$W/log/bundle.crt"
check "openssl s_client verifies it with the bundle" verifies 25 \
    "$W/log/bundle.crt"
err_has "the relay, what it logged and when" \
    "\\[sendmail\\]: relay \\[127.0.0.1\\] logged verify=FAIL verifymsg=unable to get local issuer certificate at [0-9-]+ [0-9:]+ UTC: probed from now on"
err_has "probed as sendmail connects to it" \
    "\\[sendmail\\]: probing smtp://127.0.0.1 \\(sendmail-127.0.0.1\\)"
run 0 "list: the probe that brought it" "$TB" -c "$W/log.conf" list
file_has "the gate admitted it from that probe" "$W/out" \
    "^admitted: +intermediate .*from probe sendmail-127.0.0.1 \\(smtp://127.0.0.1\\)"
file_has "remembered, root-safely" "$W/log/state/sendmail-relays" \
    "^relay 127.0.0.1 smtp://127.0.0.1 [0-9]+$"
check "(mode 0600, in the state directory)" test \
    "$(stat -c %a "$W/log/state/sendmail-relays")" = 600
run 2 "the next run: nothing new in the log, still probed" "$TB" -v -c \
    "$W/log.conf" update
err_has "(probed)" "\\[sendmail\\]: probing smtp://127.0.0.1 "
# 31 days after its last failure it is forgotten
sed -i "s/^\\(relay 127.0.0.1 smtp:\\/\\/127.0.0.1\\) .*/\\1 $(($(date +%s) - 31 * 86400))/" \
    "$W/log/state/sendmail-relays"
run 2 "a relay without a failure for 31 days" "$TB" -v -c "$W/log.conf" update
err_has "is forgotten" "\\[sendmail\\]: relay 127.0.0.1 forgotten: no verify=FAIL since"
file_lacks "and no longer probed" "$W/err" "probing smtp://127.0.0.1 "
check "nor remembered" sh -c '! grep -q "^relay" "$0"' \
    "$W/log/state/sendmail-relays"

# journal = yes: a real systemd-journald of our own (private /run/systemd
# and /run/log in a mount namespace), the real lines sent as sm-mta
JD=""
for f in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
	[ -x "$f" ] && JD=$f && break
done
if [ -n "$JD" ] && command -v journalctl >/dev/null &&
    command -v logger >/dev/null &&
    unshare --mount --propagation private true 2>/dev/null; then
	restamp '-1 minute' | sed -E 's/^.{15} [^ ]* [^ ]*: //' >"$W/msgs"
	cat >"$W/journal.sh" <<'EOF'
set -u
jd=$1 msgs=$2
shift 2
for d in /run/systemd /run/log; do
	mkdir -p "$d" && mount -t tmpfs tmpfs "$d" || exit 1
done
mkdir -p /run/systemd/journal
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
sleep 1
"$@"
rc=$?
kill "$pid"
wait "$pid"
exit $rc
EOF
	conf jrn "[sendmail]" "journal = yes" "aia-private = yes"
	run 0 "[sendmail] journal = yes: one update publishes" timeout 120 \
	    unshare --mount --propagation private sh "$W/journal.sh" "$JD" \
	    "$W/msgs" "$TB" -v -c "$W/jrn.conf" update
	check "the intermediate of the relay the journal named" has_int \
	    "$W/jrn/bundle.crt"
	err_has "learned from sm-mta's lines" \
	    "\\[sendmail\\]: relay \\[127.0.0.1\\] logged verify=FAIL verifymsg=unable to get local issuer certificate at .*: probed from now on"
else
	skipped "journal = yes: no systemd-journald, journalctl, logger or private mount namespace here"
fi

# from symptom to verify=OK with a real sendmail: it relays to the port-25
# server with the root alone and logs verify=FAIL; its own log, given as
# [sendmail] log =, is all update needs; then the same sendmail with the
# published store logs verify=OK
if why=$(sendmail_available); then
	mkdir -p "$W/roots"
	cp "$P/root.pem" "$W/roots/"
	openssl rehash "$W/roots" 2>/dev/null
	sendmail_setup "$W/sm" 25 "$P/root.pem" "$W/roots" ||
	    nok "sendmail.cf for the root alone"
	sendmail_send "$W/sm" "root alone"
	check "with the root alone, sendmail logs verify=FAIL" grep -q \
	    "STARTTLS=client, relay=\\[127.0.0.1\\], version=TLSv1.[23], verify=FAIL" \
	    "$W/sm/maillog"
	conf real "[sendmail]" "log = $W/sm/maillog" "aia-private = yes"
	run 0 "update with sendmail's own log" "$TB" -q -c "$W/real.conf" update
	check "publishes the intermediate" has_int "$W/real/bundle.crt"
	sendmail_setup "$W/sm2" 25 "$W/real/bundle.crt" "$W/real/certs" ||
	    nok "sendmail.cf for the published store"
	sendmail_send "$W/sm2" "published store"
	check "and the next message: sendmail logs verify=OK" grep -q \
	    "STARTTLS=client, relay=\\[127.0.0.1\\], version=TLSv1.[23], verify=OK" \
	    "$W/sm2/maillog"
	sendmail_stop
else
	skipped "a real sendmail: $why"
fi

# what is not learned: a FAIL for another reason, an old FAIL
{
	restamp '-1 hour' r-expired.example. |
	    sed 's/get_verify: 20/get_verify: 10/; s/verifymsg=unable to get local issuer certificate/verifymsg=certificate has expired/'
	restamp '-40 days' r-old.example.
	restamp '-1 hour' r-new.example.
} >"$W/mail.log"
conf sel "[sendmail]" "log = $W/mail.log"
run 0 "a log with other failures" "$TB" -v -c "$W/sel.conf" update
check "only the relay of error 20 is learned" test "$(relays sel)" = \
    "r-new.example"

# the bound: 40 new relays that fail, 32 a run
i=1
while [ $i -le 40 ]; do
	restamp '-1 hour' "[127.0.1.$i]"
	i=$((i + 1))
done >"$W/many.log"
conf many "[sendmail]" "log = $W/many.log"
run 0 "40 relays that failed" "$TB" -c "$W/many.conf" update
check "32 learned" test "$(relays many | wc -l)" = 32
err_has "the rest wait, said once" \
    "\\[sendmail\\]: 8 more relays logged verify=FAIL: probed from the next run on \\(32 a run\\)"
run 2 "the next run" "$TB" -c "$W/many.conf" update
check "learns the other 8" test "$(relays many | wc -l)" = 40
file_lacks "and nothing waits" "$W/err" "more relays"
done_testing
