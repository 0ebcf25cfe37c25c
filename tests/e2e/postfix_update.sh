#!/bin/sh
# [postfix] in trustbuild.conf: update probes, without [probe] sections,
# the relays of Postfix's configuration (relayhost, the maps) and those
# its log shows failing ("Untrusted TLS connection established" on the
# port the log names), through the same path as [sendmail] (smrelay.c):
# each relay (tests/harness/tlsd.py, which sends only its leaf) reached,
# its intermediate fetched through AIA and published, the log's relays
# remembered in STATE/postfix-relays; a section with no key is refused.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

P=$W/pki
aia_pki_start "$P"
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --log "$W/tlsd.log" ||
    bail "the SMTP server"
PORT=$TLSD_PORT
mkdir -p "$W/pf"
printf 'relayhost = [127.0.0.1]:%s\n' "$PORT" >"$W/pf/main.cf"
NOW=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
printf '%s h postfix/smtp[7]: Untrusted TLS connection established to localhost[127.0.0.1]:%s: TLSv1.3\n' \
    "$NOW" "$PORT" >"$W/mail.log"
cat >"$W/tb.conf" <<EOF2
[output]
bundle = $W/pub/bundle.crt
capath = $W/pub/certs
state = $W/state
[source roots]
url = $P/root.pem
[postfix]
config-dir = $W/pf
log = $W/mail.log
aia-private = yes
EOF2
run 0 "update with [postfix]" "$TB" -v -c "$W/tb.conf" update
err_has "relayhost probed" "\\[postfix\\]: probing smtp://127.0.0.1:$PORT \\(postfix-127.0.0.1_$PORT\\): relayhost \\(main.cf:1\\) of $W/pf"
err_has "the log's failing relay learned, on the port it names" \
    "\\[postfix\\]: relay localhost\\[127.0.0.1\\]:$PORT logged \"Untrusted TLS connection established\" at .*: probed from now on"
err_has "and probed" "\\[postfix\\]: probing smtp://localhost:$PORT \\(postfix-localhost\\)"
check "the intermediate is published" grep -q \
    "^# Subject: CN=AIA Test Intermediate$" "$W/pub/bundle.crt"
check "the relay is remembered" grep -q "^relay localhost smtp://localhost:$PORT " \
    "$W/state/postfix-relays"
check "the relay's name was asked for (SNI)" grep -q "^sni localhost$" \
    "$W/tlsd.log"
printf '[source roots]\nurl = %s\n[postfix]\n' "$P/root.pem" >"$W/bad.conf"
run 1 "[postfix] with no key" "$TB" -c "$W/bad.conf" update
one_error "[postfix] with no key"
err_has "says what it needs" "\\[postfix\\] needs 'config-dir = DIR', 'log = FILE' or 'journal = yes'"
done_testing
