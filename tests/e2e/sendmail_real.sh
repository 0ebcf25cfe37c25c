#!/bin/sh
# The motivating case with a real sendmail (Debian's sendmail-bin) as the
# client: it relays through SMART_HOST to a local SMTP server offering
# STARTTLS that sends only its leaf (tests/harness/tlsd.py).  With the root alone,
# sendmail logs verify=FAIL and sendmail-check names the relay; after
# "trustbuild update" with that server as a [probe] (the intermediate
# fetched through AIA from a real nginx), sendmail configured with the
# published bundle and CApath logs verify=OK.  With only one of the two CA
# settings, sendmail loads no CA data.  tests/harness/sendmail.sh keeps the host's
# /etc, /dev/log and host name untouched (namespaces) and stops everything.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"
. "$HARNESS/sendmail.sh"

if ! why=$(sendmail_available); then
	skipped "a real sendmail: $why"
	done_testing
	exit 0
fi
# what must be as it was at the end: /etc/mail, /etc/hosts, the host name
host_state() {
	{ find /etc/mail /etc/hosts -printf '%p %y %m %s %T@\n' 2>/dev/null |
	    LC_ALL=C sort; hostname; ls -l /dev/log 2>/dev/null; } | sha256sum
}
HOST_BEFORE=$(host_state)
P=$W/pki
aia_pki_start "$P"
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --log "$W/tlsd.log" ||
    bail "the SMTP server"
PORT=$TLSD_PORT

# the root alone: verify=FAIL
mkdir -p "$W/roots"
cp "$P/root.pem" "$W/roots/"
openssl rehash "$W/roots" 2>/dev/null
sendmail_setup "$W/a" "$PORT" "$P/root.pem" "$W/roots" ||
    nok "sendmail.cf for the root alone"
sendmail_send "$W/a" "root alone"
check "with the root alone, sendmail logs verify=FAIL" grep -q \
    "STARTTLS=client, relay=\\[127.0.0.1\\], version=TLSv1.[23], verify=FAIL" \
    "$W/a/maillog"
check "because of the missing intermediate" grep -q \
    "verifymsg=unable to get local issuer certificate" "$W/a/maillog"
run 1 "sendmail-check reads that log: exit 1" "$TB" sendmail-check \
    --mc "$W/a/sendmail.mc" --cf "$W/a/sendmail.cf" --log "$W/a/maillog"
check "it names the relay, the verdict and the reason" grep -q \
    "relay \\[127.0.0.1\\]: verify=FAIL verifymsg=unable to get local issuer certificate" \
    "$W/out"
check "and gives the [probe] for it on sendmail's port, not [127.0.0.1]" sh -c '
    grep -q "^ *\[probe relay-127.0.0.1-$2\]$" "$1" &&
    grep -q "^ *url = smtp://127.0.0.1:$2$" "$1"' sh "$W/out" "$PORT"

# trustbuild update with the smart host as a [probe]
mkdir -p "$W/tls"
cat >"$W/tb.conf" <<EOF
[output]
bundle = $W/tls/ca-bundle.with.intermediate.crt
capath = $W/tls/certs
state = $W/state
[source roots]
url = $P/root.pem
[probe smarthost]
url = smtp://127.0.0.1:$PORT
aia-private = yes
EOF
run 0 "trustbuild update with the smart host as a [probe]" "$TB" -q -c \
    "$W/tb.conf" update
check "it published the intermediate" grep -q \
    "^# Subject: CN=AIA Test Intermediate$" "$W/tls/ca-bundle.with.intermediate.crt"
run 0 "sendmail-setup prints the lines for that store" "$TB" -c "$W/tb.conf" \
    sendmail-setup --mc "$W/a/sendmail.mc"
check "(both defines)" grep -q "define(\`confCACERT_PATH', \`$W/tls/certs')dnl" \
    "$W/out"
sendmail_setup "$W/b" "$PORT" "$W/tls/ca-bundle.with.intermediate.crt" \
    "$W/tls/certs" || nok "sendmail.cf for the published store"
sendmail_send "$W/b" "published store"
check "with the published bundle and CApath, sendmail logs verify=OK" grep -q \
    "STARTTLS=client, relay=\\[127.0.0.1\\], version=TLSv1.[23], verify=OK" \
    "$W/b/maillog"
check "and the message reached the server over TLS" grep -q \
    "tls message from=<sender@example.net> to=<user@example.com>" "$W/tlsd.log"
# (the harness shows sendmail the CA file through a bind mount at
# /dev/tb-sendmail/cafile; sendmail-check runs outside: the real path)
for f in mc cf; do
	sed "s|/dev/tb-sendmail/cafile|$W/tls|g" "$W/b/sendmail.$f" \
	    >"$W/b/check.$f"
done
touch -d '-1 minute' "$W/b/check.mc"
run 0 "sendmail-check on that set-up and log: no problem" "$TB" -c \
    "$W/tb.conf" sendmail-check --mc "$W/b/check.mc" --cf \
    "$W/b/check.cf" --log "$W/b/maillog"
check "(the relay verified)" grep -q "relay \\[127.0.0.1\\]: verify=OK" "$W/out"

# only one of the two: sendmail loads no CA data at all
sendmail_setup "$W/c" "$PORT" "$W/tls/ca-bundle.with.intermediate.crt" "" ||
    nok "sendmail.cf with confCACERT alone"
sendmail_send "$W/c" "CA file alone"
check "with confCACERT alone, sendmail says CACertPath is missing" grep -q \
    "STARTTLS: CACertPath missing" "$W/c/maillog"
check "and logs verify=FAIL although the file has everything" grep -q \
    "relay=\\[127.0.0.1\\], version=TLSv1.[23], verify=FAIL" "$W/c/maillog"
run 1 "sendmail-check says why" "$TB" sendmail-check --mc "$W/c/sendmail.mc" \
    --cf "$W/c/sendmail.cf" --log "$W/c/maillog"
check "(both must be set)" grep -q \
    "sendmail loads no CA data (both CACertFile and CACertPath must be set)" \
    "$W/out"
sendmail_stop
check "the host's /etc/mail, /etc/hosts, name and /dev/log are as they were" \
    [ "$(host_state)" = "$HOST_BEFORE" ]
# (the kernel ends the PID namespace's processes as it tears it down:
# give it a few seconds)
# ours: processes named sendmail whose arguments hold our directory
ours() {
	pgrep -ax sendmail | grep -F "$W"
}
n=0
while ours >/dev/null && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
if ours >/dev/null; then
	nok "no sendmail of ours is left"
	ours | sed 's/^/#   /'
else
	ok "no sendmail of ours is left"
fi
done_testing
