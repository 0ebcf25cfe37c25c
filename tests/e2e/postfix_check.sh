#!/bin/sh
# postfix-check on main.cf / master.cf files made like Debian's default
# (smtp chrooted, smtp_tls_CApath=/etc/ssl/certs) and RHEL's (no chroot,
# smtp_tls_CAfile the system bundle), relayhost in its forms, transport
# and TLS policy maps read as text, a master.cf -o override, an already
# correct one; log lines of Postfix's SMTP client (Untrusted, Trusted,
# certificate verification failed) as findings with their fix; exit 3
# and one error for a main.cf that cannot be read (a FIFO does not hang);
# postconf of the unpacked Debian package as the source of truth where it
# can be had (tests/harness/postfix.sh).
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/postfix.sh"

D=$W/pf
mkdir -p "$D/store"
chmod 755 "$W" "$D"
B=$D/store/bundle.crt
C=$D/store/certs
cp "$FIX/root-a.pem" "$B"
mkdir -p "$C"
conf_output "$D/store" >"$D/tb.conf"
sed -i "s|^bundle = .*|bundle = $B|; s|^capath = .*|capath = $C|" "$D/tb.conf"
printf '[source a]\nurl = %s\n' "$FIX/root-a.pem" >>"$D/tb.conf"
# published long before the log's failures
touch -d '2020-01-01 00:00' "$B" "$C"

master() {	# master.cf with the smtp client's chroot column $1
	cat <<EOS
# service type  private unpriv  chroot  wakeup  maxproc command + args
smtp      inet  n       -       $1       -       -       smtpd
pickup    unix  n       -       $1       60      1       pickup
qmgr      unix  n       -       n       300     1       qmgr
smtp      unix  -       -       $1       -       -       smtp
relay     unix  -       -       $1       -       -       smtp
        -o syslog_name=postfix/\$service_name
EOS
}

# Debian's default: CApath only, smtp chrooted, a relayhost with a port
mkdir -p "$D/debian"
cat >"$D/debian/main.cf" <<'EOF2'
smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
# TLS parameters
smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=may
smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache
relayhost = [127.0.0.1]:2525
EOF2
master y >"$D/debian/master.cf"
PATH_NOPF=$PATH
run 1 "Debian's default: problems" "$TB" -c "$D/tb.conf" postfix-check \
    --config-dir "$D/debian" --log /dev/null
file_has "the chroot trap, with the master.cf line" "$W/out" \
    "^PROBLEM: the chroot trap: smtp runs chrooted in /var/spool/postfix \\(master.cf:5\\), so smtp_tls_CApath '/etc/ssl/certs' \\(main.cf:3\\) is looked up inside the chroot"
file_has "CAfile recommended" "$W/out" "fix: set smtp_tls_CAfile .* reads it before the chroot"
file_has "no CA data" "$W/out" "^PROBLEM: Postfix's SMTP client loads no CA data"
file_has "the level explained" "$W/out" "smtp_tls_security_level = may \\(main.cf:4\\): .*Untrusted TLS connection established"
file_has "postconf -e of the CAfile alone (chrooted)" "$W/out" \
    "run: postconf -c $D/debian -e 'smtp_tls_CAfile=$B' 'smtp_tls_loglevel=1'\$"
file_has "the relay as a probe" "$W/out" "url = smtp://127.0.0.1:2525"
file_has "postfix check" "$W/out" "run: postfix -c $D/debian check"
file_lacks "no CApath set where chrooted" "$W/out" "smtp_tls_CApath="

# RHEL style: no chroot, its own CAfile; the -o override of smtp wins
mkdir -p "$D/rhel"
cat >"$D/rhel/main.cf" <<'EOF2'
queue_directory = /var/spool/postfix
smtp_tls_CAfile = /etc/pki/tls/certs/ca-bundle.crt
smtp_tls_security_level = may
relayhost = [mail.example.com]:587, mail.example.org
	[2001:db8::25]:25
EOF2
master n >"$D/rhel/master.cf"
printf '  -o smtp_tls_security_level=verify\n' >>"$D/rhel/master.cf"
sed -i 's/^smtp      unix.*/&\n  -o smtp_tls_security_level=verify/' "$D/rhel/master.cf"
run 0 "RHEL style: notes only" "$TB" -c "$D/tb.conf" postfix-check \
    --config-dir "$D/rhel" --log /dev/null
file_has "the override of master.cf" "$W/out" \
    "^ok: +smtp_tls_security_level = verify \\(master.cf:5, -o of smtp\\)"
file_has "its own CA data" "$W/out" "^note: +Postfix verifies with its own CA data"
file_has "CAfile and CApath set (no chroot)" "$W/out" \
    "run: postconf -c $D/rhel -e 'smtp_tls_CAfile=$B' 'smtp_tls_CApath=$C' 'smtp_tls_loglevel=1'"
file_has "[host]:587 -> submission" "$W/out" "relay submission://mail.example.com:587 \\(relayhost \\(main.cf:4\\)\\)"
file_has "host -> smtp" "$W/out" "relay smtp://mail.example.org "
file_has "[IPv6]:25, on a continuation line" "$W/out" "relay smtp://\\[2001:db8::25\\] "
file_lacks "no chroot trap" "$W/out" "chroot trap"

# maps: transport (hash: read as text) and TLS policy (texthash:)
mkdir -p "$D/maps"
cat >"$D/maps/main.cf" <<EOF2
smtp_tls_CAfile = $B
smtp_tls_CApath = $C
smtp_tls_loglevel = 1
smtp_tls_security_level = may
transport_maps = hash:\$config_directory/transport
smtp_tls_policy_maps = texthash:$D/maps/tls_policy, regexp:/x
EOF2
master n >"$D/maps/master.cf"
printf '# comment\nexample.com smtp:[mx.example.com]:2525\nlocal.example local:\n.example.net :[relay2.example.net]\n' >"$D/maps/transport"
printf '[relay.example.net]:587 verify\nexample.org secure\n' >"$D/maps/tls_policy"
run 1 "maps: relays not probed are a problem" "$TB" -c "$D/tb.conf" \
    postfix-check --config-dir "$D/maps" --log /dev/null
file_has "a transport map relay" "$W/out" "relay smtp://mx.example.com:2525 \\(transport_maps example.com\\)"
file_has "an empty transport" "$W/out" "relay smtp://relay2.example.net \\(transport_maps .example.net\\)"
file_has "a policy map relay and its level" "$W/out" \
    "relay submission://relay.example.net:587 \\(smtp_tls_policy_maps \\[relay.example.net\\]:587\\): smtp_tls_policy_maps says verify"
file_lacks "a local transport is no relay" "$W/out" "local.example"
file_has "3 relays to probe" "$W/out" "3 of its relays are not probed"
file_lacks "nothing to postconf" "$W/out" "postconf .*-e"

# already correct: the same with the relays probed
cp "$D/tb.conf" "$D/tb2.conf"
printf '[probe a]\nurl = smtp://mx.example.com:2525\n[probe b]\nurl = smtp://relay2.example.net\n[probe c]\nurl = submission://relay.example.net:587\n' >>"$D/tb2.conf"
run 0 "already correct: no problem" "$TB" -c "$D/tb2.conf" postfix-check \
    --config-dir "$D/maps" --log /dev/null
file_has "said so" "$W/out" "^ok: +Postfix reads the store trustbuild publishes \\($B\\), and each of its 3 relays is probed"
file_has "the CAfile's certificates" "$W/out" "^ok: +smtp_tls_CAfile '$B': 1 certificate"
file_has "no problem" "$W/out" "^no problem found"

# the log: Postfix's words, one finding per relay
cat >"$D/mail.log" <<'EOF2'
Dec  3 10:27:31 tb-test postfix/smtp[101]: Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:2525: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
Dec  3 10:27:32 tb-test postfix/smtp[101]: 4F1: to=<u@example.com>, relay=127.0.0.1[127.0.0.1]:2525, delay=1, status=sent (250 ok)
2026-12-03T10:28:01.5+00:00 tb-test postfix/smtp[102]: certificate verification failed for mx.example.com[192.0.2.7]:25: untrusted issuer /CN=Test Root
2026-12-03T10:28:01.6+00:00 tb-test postfix/smtp[102]: Untrusted TLS connection established to mx.example.com[192.0.2.7]:25: TLSv1.3
Dec  3 10:29:00 tb-test postfix/relay[103]: Trusted TLS connection established to ok.example.net[192.0.2.8]:587: TLSv1.3 with cipher X
Dec  3 10:29:00 tb-test postfix/smtp[104]: Anonymous TLS connection established to anon.example.net[192.0.2.9]:25: TLSv1.3
Dec  3 10:29:01 tb-test postfix/smtp[105]: Untrusted TLS connection established to evil.example[192.0.2.10]:25x: TLSv1.3
EOF2
printf 'Dec  3 10:29:02 tb-test postfix/smtp[106]: Untrusted TLS connection established to \033[31mred[192.0.2.11]:25: TLSv1.3\n' >>"$D/mail.log"
run 1 "the log: problems" "$TB" -c "$D/tb.conf" postfix-check \
    --config-dir "$D/debian" --log "$D/mail.log"
file_has "Untrusted, the relayhost" "$W/out" \
    "^PROBLEM: relay 127.0.0.1\\[127.0.0.1\\]:2525: \"Untrusted TLS connection established\" \\(1 connection in the log\\)"
file_has "the reason counted once" "$W/out" \
    "^PROBLEM: relay mx.example.com\\[192.0.2.7\\]:25: \"certificate verification failed: untrusted issuer /CN=Test Root\" \\(1 connection in the log\\)"
file_has "its [probe] on the port of the log" "$W/out" "url = smtp://mx.example.com\$"
file_has "Trusted" "$W/out" "^ok: +relay ok.example.net\\[192.0.2.8\\]:587: \"Trusted TLS connection established\""
file_has "Anonymous is a note" "$W/out" "^note: +relay anon.example.net"
file_has "the relayhost's [probe] port" "$W/out" "url = smtp://127.0.0.1:2525"
file_lacks "no raw escape" "$W/out" "$(printf '\033')"
run 1 "--json" "$TB" -c "$D/tb.conf" postfix-check --config-dir \
    "$D/debian" --log "$D/mail.log" --json
check "--json parses, steps runnable" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["problems"] >= 3
steps = [s for f in d["findings"] for s in f.get("steps", [])]
assert any(s["do"] == "run" and "postconf" in s["text"] for s in steps)
assert any(s["do"] == "conf" and "[probe" in s["text"] for s in steps)
' "$W/out"

# no TLS lines: smtp_tls_loglevel 0 said
printf 'Dec  3 10:27:31 tb-test postfix/smtp[101]: 4F1: to=<u@example.com>, status=sent\n' >"$D/quiet.log"
run 1 "a log without TLS lines" "$TB" -c "$D/tb.conf" postfix-check \
    --config-dir "$D/debian" --log "$D/quiet.log"
file_has "the log level said" "$W/out" "has no TLS lines of Postfix's SMTP client \\(smtp_tls_loglevel is 0"

# cannot read main.cf: exit 3, one error; a FIFO does not hang
run 3 "no main.cf: exit 3" "$TB" postfix-check --config-dir "$D/none"
one_error "no main.cf"
err_has "names the file and the option" "'$D/none/main.cf': .*--config-dir"
mkdir -p "$D/fifo"
mkfifo "$D/fifo/main.cf"
bounded "$TB" postfix-check --config-dir "$D/fifo"
if [ "$rc" = 3 ] && [ "$secs" -lt 10 ]; then ok "a FIFO main.cf: exit 3 at once"
else nok "a FIFO main.cf: exit $rc after $secs s"; fi
one_error "a FIFO main.cf"

# postconf of the unpacked Debian package is asked where it is there
if why=$(postfix_available); then
	postfix_unpack || bail "unpacking postfix"
	mkdir -p "$D/pc"
	cat >"$D/pc/main.cf" <<'EOF2'
smtp_tls_CAfile = $config_directory/ca.pem
smtp_tls_security_level = verify
EOF2
	master n >"$D/pc/master.cf"
	PATH=$PF_BIN:$PATH run 0 "with postconf" "$TB" -c "$D/tb.conf" \
	    postfix-check --config-dir "$D/pc" --log /dev/null
	file_lacks "postconf was asked" "$W/out" "postconf was not asked"
	file_has "postconf expanded \$config_directory" "$W/out" \
	    "smtp_tls_CAfile = $D/pc/ca.pem \\(main.cf:1\\)"
	run 0 "without postconf" "$TB" -c "$D/tb.conf" postfix-check \
	    --config-dir "$D/pc" --log /dev/null
	file_has "read by trustbuild" "$W/out" "postconf was not asked"
else
	skipped "postconf of Debian's package: $why"
fi
PATH=$PATH_NOPF
done_testing
