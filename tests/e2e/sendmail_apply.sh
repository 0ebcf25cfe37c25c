#!/bin/sh
# "trustbuild sendmail-setup --apply" with a real sendmail (Debian's
# sendmail-bin, tests/harness/sendmail.sh), from the seed's state: SMART_HOST
# [127.0.0.1] on a non-default port (RELAY_MAILER_ARGS), both CA defines
# commented out with dnl in the .mc, a Debian-like starttls.m4 included
# after them whose own defines win (/etc/ssl/certs and a server
# certificate), and a relay (tests/harness/tlsd.py) that sends only its
# leaf, its intermediate behind a caIssuers URL on a real nginx.  sendmail
# logs verify=FAIL; one --apply later it logs verify=OK for the next
# message; a second --apply changes nothing; --dry-run shows the diffs; a
# rebuild that fails (no m4) restores every file and leaves the running
# sendmail alone.  The running sendmail is a stand-in process with a pid
# file that records the SIGHUP it gets (the harness's sendmail runs once
# per message).
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"
. "$HARNESS/sendmail.sh"

if ! why=$(sendmail_available); then
	skipped "a real sendmail: $why"
	done_testing
	exit 0
fi
P=$W/pki
aia_pki_start "$P"
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --log "$W/tlsd.log" ||
    bail "the SMTP server"
PORT=$TLSD_PORT
S=$W/s
mkdir -p "$S/tls"

# the seed's state
sendmail_setup "$S" "$PORT" "" "" || bail "sendmail_setup"
cat >"$S/tls/starttls.m4" <<'EOF2'
dnl # starttls.m4: made like Debian's /etc/mail/tls/starttls.m4
define(`confTO_STARTTLS',     `2m')dnl   # <= EDIT
define(`confCACERT_PATH',     `/etc/ssl/certs')dnl   # <= EDIT
define(`confCACERT',           `/etc/ssl/certs/ca-certificates.crt')dnl   # <= EDIT
EOF2
awk -v inc="$S/tls/starttls.m4" '
/^MAILER\(`smtp/ {
	print "dnl define(`confCACERT_PATH'"'"', `/etc/mail/certs'"'"')dnl"
	print "dnl define(`confCACERT'"'"', `/etc/mail/certs/ca-bundle.crt'"'"')dnl"
	print "include(`" inc "'"'"')dnl"
}
{ print }' "$S/sendmail.mc" >"$S/mc.new" && mv "$S/mc.new" "$S/sendmail.mc"
CFDIR=$(for d in /usr/share/sendmail/cf /usr/share/sendmail-cf; do
	[ -f "$d/m4/cf.m4" ] && echo "$d" && break; done)
m4 -D_CF_DIR_="$CFDIR/" "$CFDIR/m4/cf.m4" "$S/sendmail.mc" >"$S/sendmail.cf" \
    2>/dev/null
check "the seed's .cf reads starttls.m4's CACertPath" grep -qx \
    "O CACertPath=/etc/ssl/certs" "$S/sendmail.cf"
sendmail_send "$S" "before"
check "sendmail logs verify=FAIL for the relay" grep -q \
    "STARTTLS=client, relay=\\[127.0.0.1\\], version=TLSv1.[23], verify=FAIL" \
    "$S/maillog"
cp "$S/maillog" "$W/maillog.before"

mkdir -p "$W/pub"
cat >"$W/tb.conf" <<EOF2
[output]
bundle = $W/pub/ca-bundle.with.intermediate.crt
capath = $W/pub/certs
state = $W/state
[source roots]
url = $P/root.pem
EOF2
# a stand-in for the running sendmail: it records each SIGHUP (bounded)
cat >"$W/standin.sh" <<'EOF2'
trap 'echo HUP >>"$1"' HUP
n=0
while [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
EOF2
server_start "$W/standin.out" sh "$W/standin.sh" "$W/hups"
STANDIN=$SERVER_PID
server_cleanup "server_stop $STANDIN"
echo "$STANDIN" >"$W/sendmail.pid"
sleep 0.2

run 1 "sendmail-check on the seed's state: exit 1" "$TB" -c "$W/tb.conf" \
    sendmail-check --mc "$S/sendmail.mc" --cf "$S/sendmail.cf" \
    --log "$W/maillog.before" --pidfile "$W/sendmail.pid"
check "the define that wins is named in starttls.m4" grep -q \
    "$S/tls/starttls.m4:3: confCACERT_PATH is '/etc/ssl/certs' (included by $S/sendmail.mc)" \
    "$W/out"
check "no 'not rebuilt' claim a rebuild cannot fix" sh -c \
    '! grep -q "not rebuilt" "$1"' sh "$W/out"
check "the fix edits starttls.m4, not the dnl'd lines of the .mc" sh -c '
    grep -q "in $2/tls/starttls.m4, replace line 3 with:" "$1" &&
    ! grep -q "in $2/sendmail.mc, replace" "$1"' sh "$W/out" "$S"

# --dry-run: diffs and commands, nothing changed
sum() {
	cat "$S/sendmail.mc" "$S/sendmail.cf" "$S/tls/starttls.m4" \
	    "$W/tb.conf" | sha256sum
}
BEFORE=$(sum)
run 0 "--dry-run" "$TB" -c "$W/tb.conf" sendmail-setup --dry-run \
    --mc "$S/sendmail.mc" --cf "$S/sendmail.cf" --pidfile "$W/sendmail.pid" \
    --aia-private
check "a diff of starttls.m4" grep -q \
    "^+define(\`confCACERT_PATH', \`$W/pub/certs')dnl   # <= EDIT$" "$W/out"
check "a diff of the configuration: the relay as a [probe]" grep -q \
    "^+\\[probe relay-127.0.0.1-$PORT\\]$" "$W/out"
check "the commands, update before the rebuild" sh -c '
    u=$(grep -n "^would run: trustbuild -c .* update$" "$1" | cut -d: -f1)
    m=$(grep -n "^would run: m4 " "$1" | cut -d: -f1)
    k=$(grep -n "^would run: kill -HUP" "$1" | cut -d: -f1)
    [ -n "$u" ] && [ -n "$m" ] && [ -n "$k" ] && [ "$u" -lt "$m" ] &&
    [ "$m" -lt "$k" ]' sh "$W/out"
mkdir -p "$W/nobin"
run 0 "--dry-run without diff(1) on the PATH" env PATH="$W/nobin" "$TB" \
    -c "$W/tb.conf" sendmail-setup --dry-run --mc "$S/sendmail.mc" \
    --cf "$S/sendmail.cf" --pidfile "$W/sendmail.pid" --aia-private
err_has "says which file would change, and why no diff" \
    "starttls.m4': would be changed; diff.1. could not run"
check "--dry-run changed nothing" [ "$(sum)" = "$BEFORE" ]
check "and left no backup" sh -c '! ls "$1"/*.trustbuild-* "$1"/tls/*.trustbuild-* "$2"/*.trustbuild-* 2>/dev/null | grep -q .' \
    sh "$S" "$W"

# the failure first: no m4 on the PATH, the rebuild fails, all restored
mkdir -p "$W/nobin"
run 1 "--apply without m4: the rebuild fails" env PATH="$W/nobin" \
    "$TB" -c "$W/tb.conf" sendmail-setup --apply --mc "$S/sendmail.mc" \
    --cf "$S/sendmail.cf" --pidfile "$W/sendmail.pid" --aia-private
err_has "it says the build failed" "m4 could not build the .cf"
err_has "and that nothing was changed" "nothing was changed: every file is as it was"
check "every file is as it was" [ "$(sum)" = "$BEFORE" ]
check "no backup left behind" sh -c '! ls "$1"/*.trustbuild-* "$1"/tls/*.trustbuild-* "$2"/*.trustbuild-* 2>/dev/null | grep -q .' \
    sh "$S" "$W"
check "the running sendmail got no signal" [ ! -e "$W/hups" ]
check "and runs on" server_alive "$STANDIN"

# --apply
run 0 "--apply" "$TB" -c "$W/tb.conf" sendmail-setup --apply \
    --mc "$S/sendmail.mc" --cf "$S/sendmail.cf" --pidfile "$W/sendmail.pid" \
    --aia-private
for f in "$S/tls/starttls.m4" "$W/tb.conf" "$S/sendmail.cf"; do
	check "backed up $(basename "$f")" sh -c \
	    'ls "$1".trustbuild-[0-9]* >/dev/null 2>&1' sh "$f"
done
check "the .mc itself was not changed (its define does not win)" sh -c \
    '! ls "$1".trustbuild-* >/dev/null 2>&1' sh "$S/sendmail.mc"
check "starttls.m4 names the published CApath, its comment kept" grep -qx \
    "define(\`confCACERT_PATH', \`$W/pub/certs')dnl   # <= EDIT" \
    "$S/tls/starttls.m4"
check "the configuration probes the relay on sendmail's port" sh -c '
    grep -qx "\[probe relay-127.0.0.1-$2\]" "$1" &&
    grep -qx "url = smtp://127.0.0.1:$2" "$1"' sh "$W/tb.conf" "$PORT"
check "update published the intermediate" grep -q \
    "^# Subject: CN=AIA Test Intermediate$" \
    "$W/pub/ca-bundle.with.intermediate.crt"
check "the new .cf names the bundle and the CApath" sh -c '
    grep -qx "O CACertFile=$2/pub/ca-bundle.with.intermediate.crt" "$1" &&
    grep -qx "O CACertPath=$2/pub/certs" "$1"' sh "$S/sendmail.cf" "$W"
check "sendmail was sent SIGHUP once" [ "$(cat "$W/hups" 2>/dev/null)" = HUP ]
check "the relay is reported as sendmail will verify it" grep -q \
    "^verify=OK" "$W/out"
sendmail_send "$S" "after"
check "the next message: sendmail logs verify=OK" grep -q \
    "STARTTLS=client, relay=\\[127.0.0.1\\], version=TLSv1.[23], verify=OK" \
    "$S/maillog"
check "and it reached the relay over TLS" grep -q \
    "tls message from=<sender@example.net>" "$W/tlsd.log"

# a second --apply changes nothing
AFTER=$(sum)
nb=$(ls "$S"/*.trustbuild-* "$S"/tls/*.trustbuild-* "$W"/*.trustbuild-* | wc -l)
run 0 "a second --apply" "$TB" -c "$W/tb.conf" sendmail-setup --apply \
    --mc "$S/sendmail.mc" --cf "$S/sendmail.cf" --pidfile "$W/sendmail.pid" \
    --aia-private
check "says there is nothing to change" grep -q "^nothing to change" "$W/out"
check "changes no file" [ "$(sum)" = "$AFTER" ]
check "makes no backup" [ "$(ls "$S"/*.trustbuild-* "$S"/tls/*.trustbuild-* \
    "$W"/*.trustbuild-* | wc -l)" = "$nb" ]
check "and does not signal sendmail again" [ "$(cat "$W/hups")" = HUP ]
# (the stand-in does not re-exec on SIGHUP as sendmail does: it is not
# the pid file of this check)
run 0 "sendmail-check after --apply: no problem" "$TB" -c "$W/tb.conf" \
    sendmail-check --mc "$S/sendmail.mc" --cf "$S/sendmail.cf" \
    --log "$S/maillog" --pidfile /nonexistent
done_testing
