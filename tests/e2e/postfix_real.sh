#!/bin/sh
# A real Postfix (Debian's package, unpacked: tests/harness/postfix.sh)
# relays one message through relayhost [127.0.0.1]:PORT, a STARTTLS
# server that sends only its leaf (tests/harness/tlsd.py), in private
# namespaces, as shipped by Debian (smtp chrooted, smtp_tls_CApath only):
#   - it logs "Untrusted TLS connection established"; postfix-check,
#     reading that log, finds the chroot trap and the failing relay;
#   - with the roots alone as smtp_tls_CAfile at level verify it logs
#     "certificate verification failed ...: untrusted issuer";
#   - after postfix-setup --apply it logs "Trusted TLS connection
#     established" and postfix-check finds no problem;
#   - with the chroot on and the published CApath alone, Postfix finds no
#     CA data (the trap, for real), and postfix-check says why.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"
. "$HARNESS/postfix.sh"

if ! why=$(postfix_available); then
	skipped "a real Postfix: $why"
	done_testing
	exit 0
fi
postfix_unpack || bail "unpacking Debian's postfix"
P=$W/pki
aia_pki_start "$P"
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --log "$W/tlsd.log" ||
    bail "the SMTP server"
PORT=$TLSD_PORT
# Postfix's own users reach its queue and data: a directory of its own
# that they can traverse (the scratch directory's parent is private)
D=$(mktemp -d "${TMPDIR:-/tmp}/trustbuild-postfix.XXXXXX") ||
    bail "a directory for Postfix"
server_cleanup "rm -rf '$D'"
chmod 755 "$D"
postfix_main "$D"
printf 'relayhost = [127.0.0.1]:%s\nsmtp_tls_loglevel = 1\n' "$PORT" \
    >>"$D/main.cf"
cat >"$W/tb.conf" <<EOF2
[output]
bundle = $W/pub/bundle.crt
capath = $W/pub/certs
state = $W/state
[source roots]
url = $P/root.pem
EOF2
mkdir -p "$W/bin"
ln -s "$TB" "$W/bin/trustbuild"
PATH=$PF_BIN:$W/bin:$PATH
export PATH
R="127.0.0.1\\[127.0.0.1\\]:$PORT"

# Debian's default: Untrusted, and why
postfix_send "$D" before || nok "Postfix delivered (send.out: $(tail -3 "$D/send.out"))"
file_has "Postfix logs Untrusted TLS" "$D/maillog" \
    "postfix/smtp\\[[0-9]+\\]: Untrusted TLS connection established to $R: TLS"
file_has "and sends the mail all the same (level may)" "$D/maillog" \
    "status=sent"
run 1 "postfix-check on that log" "$TB" -c "$W/tb.conf" postfix-check \
    --config-dir "$D" --log "$D/maillog"
file_has "the chroot trap" "$W/out" "^PROBLEM: the chroot trap: smtp runs chrooted in $D/queue"
file_has "the relay, in Postfix's words" "$W/out" \
    "^PROBLEM: relay $R: \"Untrusted TLS connection established\""

# the roots alone, at level verify: the reason is logged
cp "$D/main.cf" "$D/main.debian"
postconf -c "$D" -e "smtp_tls_CAfile=$P/root.pem" \
    "smtp_tls_security_level=verify"
postfix_send "$D" roots || true
file_has "with the roots alone: certificate verification failed" \
    "$D/maillog" "certificate verification failed for $R: untrusted issuer"
run 1 "postfix-check says so" "$TB" -c "$W/tb.conf" postfix-check \
    --config-dir "$D" --log "$D/maillog"
file_has "with the reason" "$W/out" \
    "^PROBLEM: relay $R: \"certificate verification failed: untrusted issuer"
cp "$D/main.debian" "$D/main.cf"

# the fix, then Trusted
run 0 "postfix-setup --apply" "$TB" -c "$W/tb.conf" postfix-setup \
    --apply --aia-private --config-dir "$D"
file_has "the relay verifies with the store" "$W/out" "verify=OK"
postfix_send "$D" after || nok "Postfix delivered after the fix"
file_has "Postfix logs Trusted TLS now" "$D/maillog" \
    "postfix/smtp\\[[0-9]+\\]: Trusted TLS connection established to $R: TLS"
check "the message reached the relay" grep -q "trustbuild postfix test" \
    "$W/tlsd.log"
run 0 "postfix-check: no problem" "$TB" -c "$W/tb.conf" postfix-check \
    --config-dir "$D" --log "$D/maillog"
file_has "the relay ok" "$W/out" "^ok: +relay $R: \"Trusted TLS connection established\""

# the trap for real: chroot on, the published CApath alone
postconf -c "$D" -e "smtp_tls_CAfile=" "smtp_tls_CApath=$W/pub/certs"
postfix_send "$D" trap || true
check "chrooted, the CApath alone: Untrusted again" sh -c \
    'tail -5 "$1" | grep -q "Untrusted TLS connection established to"' sh \
    "$D/maillog"
run 1 "postfix-check explains it" "$TB" -c "$W/tb.conf" postfix-check \
    --config-dir "$D" --log "$D/maillog"
file_has "the trap, naming the path inside the chroot" "$W/out" \
    "the chroot trap: .*smtp_tls_CApath '$W/pub/certs' .* as '$D/queue$W/pub/certs', which does not exist"
done_testing
