#!/bin/sh
# probe against real servers on 127.0.0.1 (tests/harness/tlsd.py speaking SMTP,
# IMAP, POP3, FTP and LDAP STARTTLS, or TLS at once) that send only their
# leaf; AIA chasing against nginx serving a test PKI made now (tests/
# mkpki.sh): each answer form, two URLs, two levels, and every hostile
# answer refused in bounded time; hostile servers; the bounds on reply
# lines and on AIA answers, URLs and levels, each at its edge and one past
# it; the real web chains of the corpus chased through nginx used as
# http_proxy.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

P=$W/pki
httpd_serve "$P/www"
STALL=""
if badhttp_start stall; then
	STALL=$BADHTTP_URL
fi
if ! STALL_URL=${STALL:+$STALL/stall.der} sh "$HARNESS/mkpki.sh" \
    "$P" "$BASE" >"$W/mkpki.log" 2>&1; then
	nok "the test PKI is made"
	sed 's/^/#   /' "$W/mkpki.log" | tail -5
	done_testing
	exit 1
fi

# --- smtp STARTTLS, the leaf alone ---
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" || nok "tlsd smtp starts"
S=smtp://127.0.0.1:$TLSD_PORT
run 1 "a leaf without its intermediate: exit 1" "$TB" probe \
    --bundle "$P/root.pem" "$S"
check "it says how it connected" grep -q \
    "^$S: connected to 127.0.0.1:$TLSD_PORT (smtp, STARTTLS), TLSv1" "$W/out"
check "it shows the one certificate sent" grep -q \
    "^chain as sent (1 certificate):" "$W/out"
check "with its caIssuers URL" grep -q "caIssuers: $BASE/int.der" "$W/out"
check "the verdict as sendmail logs it" grep -qx "verify=FAIL \
verifymsg=unable to get local issuer certificate (store: $P/root.pem)" "$W/out"
check "why: the intermediate was not sent" grep -q \
    "sent its certificate without the intermediate" "$W/out"
check "which one is missing" grep -qx "missing: CN=AIA Test Intermediate" \
    "$W/out"
check "where AIA says it is" grep -qx \
    "caIssuers says it is at: $BASE/int.der" "$W/out"
check "and the fix, with the [probe] section" grep -q \
    "a \\[probe\\] section with url = $S" "$W/out"
check "the name 127.0.0.1 is in the certificate: no name warning" \
    sh -c '! grep -q "^name:" "$1"' sh "$W/out"

n=$(grep -c "GET /int.der" "$LOG")
run 1 "--chase: still exit 1 (the store lacks it)" "$TB" probe --chase \
    --aia-private --bundle "$P/root.pem" "$S"
check "--chase fetched the intermediate" grep -q \
    "$BASE/int.der: CN=AIA Test Intermediate: the issuer of the certificate above" \
    "$W/out"
check "and it would verify with it" grep -qx \
    "with 1 intermediate fetched through AIA: verify=OK" "$W/out"
check "one request to nginx" httpd_log_wait "GET /int.der " $((n + 1))

run 0 "with the intermediate in the store: exit 0" "$TB" probe \
    --bundle "$P/ca-bundle.pem" "$S"
check "verify=OK" grep -qx "verify=OK (store: $P/ca-bundle.pem)" "$W/out"
mkdir -p "$W/capath"
cp "$P/root.pem" "$P/int.pem" "$W/capath/"
openssl rehash "$W/capath" 2>/dev/null
run 0 "a CApath works as the store too" "$TB" probe --capath "$W/capath" "$S"
run 0 "a name that is not the certificate's: still verify=OK, as sendmail sees it" \
    "$TB" probe --servername \
    mail.example.org --bundle "$P/ca-bundle.pem" "$S"
check "is named" grep -q "^name: 'mail.example.org' matches neither" "$W/out"
check "with sendmail's view of it" grep -q "sendmail's verify= does not check" \
    "$W/out"
run 1 "--json: exit 1 as without it" "$TB" probe --json --chase \
    --aia-private --bundle "$P/root.pem" "$S"
check "is one JSON object with the verdicts and the AIA steps" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["connected"] and d["verify"] == "FAIL", d
assert d["verifymsg"] == "unable to get local issuer certificate"
assert len(d["chain"]) == 1 and d["chain"][0]["subject"] == "CN=localhost"
assert d["chain"][0]["ca_issuers"] == [sys.argv[2] + "/int.der"]
assert d["verify_with_aia"] == "OK" and d["aia"][0]["ok"]
' "$W/out" "$BASE"

# a root with a distrust-after date (from certdata.txt, kept in the state's
# manifest, not read back from the bundle's comments), kept by
# distrust-after = keep: a leaf issued after it is named, though verify= is
# OK
sh "$HARNESS/mkcertdata.sh" "$P/root.pem:distrust-after" \
    >"$W/distrust-certdata.txt"
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\ndistrust-after = keep\n[source m]\nurl = %s\n[source i]\nurl = %s\nrole = intermediates\n' \
    "$W/distrust.pem" "$W/distrust-certs" "$W/distrust-state" \
    "$W/distrust-certdata.txt" "$P/int.pem" >"$W/distrust.conf"
"$TB" -q -c "$W/distrust.conf" update >/dev/null 2>&1
check "the bundle shows the distrust-after date" grep -q \
    "^# Server distrust after: 2020-04-01" "$W/distrust.pem"
check "and the manifest keeps it" grep -q " 1585699200 - " \
    "$W/distrust-state/manifest"
run 0 "a leaf issued after its root's distrust-after: verify=OK" "$TB" \
    -c "$W/distrust.conf" probe "$S"
check "and the distrust is explained" grep -q \
    "^distrust: the certificate was issued on .*, after 2020-04-01 00:00:00 UTC" \
    "$W/out"
run 0 "--json says it too" "$TB" -c "$W/distrust.conf" probe --json "$S"
check "(issued_after_distrust)" grep -q '"issued_after_distrust":true' "$W/out"
check "(distrust_after as RFC 3339)" grep -q '"distrust_after":"2020-04-01T00:00:00Z"' "$W/out"
sed 's/^-----BEGIN CERTIFICATE-----$/# Server distrust after: 2020-04-01 00:00:00 UTC\n&/' \
    "$P/ca-bundle.pem" >"$W/forged-comment.pem"
check "(the forged comment is there)" grep -q "^# Server distrust after: 2020-04-01" \
    "$W/forged-comment.pem"
run 0 "a bundle's comment is not read as trust data" "$TB" probe --bundle \
    "$W/forged-comment.pem" "$S"
check "(no distrust line from a comment)" sh -c '! grep -q "^distrust:" "$1"' sh "$W/out"
run 0 "a root without one: no such line" "$TB" probe --bundle \
    "$P/ca-bundle.pem" "$S"
check "(no distrust line)" sh -c '! grep -q "^distrust:" "$1"' sh "$W/out"
tlsd_stop

# --- every protocol ---
for proto in imap pop3 ftp ldap tls https; do
	if ! tlsd_start "$proto" "$P/leaf.pem" "$P/leaf.key"; then
		nok "tlsd $proto starts"
		continue
	fi
	case $proto in
	https) u=https://127.0.0.1:$TLSD_PORT ;;
	*) u=$proto://127.0.0.1:$TLSD_PORT ;;
	esac
	run 0 "$proto: verify=OK with the intermediate in the store" "$TB" \
	    probe --bundle "$P/ca-bundle.pem" "$u"
	check "$proto: one certificate sent" grep -q "(1 certificate)" "$W/out"
	run 1 "$proto: verify=FAIL without it" "$TB" probe --bundle \
	    "$P/root.pem" "$u"
done
tlsd_stop
if tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --ipv6; then
	run 0 "IPv6: smtp://[::1]:PORT" "$TB" probe --bundle "$P/ca-bundle.pem" \
	    "smtp://[::1]:$TLSD_PORT"
	check "connected to [::1]" grep -q "connected to \\[::1\\]:$TLSD_PORT" \
	    "$W/out"
	tlsd_stop
else
	skipped "IPv6: no ::1 here"
fi
if tlsd_start smtp "$P/leaf-chain.pem" "$P/leaf.key"; then
	run 0 "a server that sends its intermediate verifies with the root alone" \
	    "$TB" probe --bundle "$P/root.pem" "smtp://127.0.0.1:$TLSD_PORT"
	check "two certificates sent" grep -q "(2 certificates)" "$W/out"
	tlsd_stop
fi

# --- servers that misbehave: exit 3, a message, in bounded time ---
hostile() {
	proto=$1
	mode=$2
	expect=$3
	if ! tlsd_start "$proto" "$P/leaf.pem" "$P/leaf.key" --mode "$mode"; then
		nok "tlsd $proto --mode $mode starts"
		return
	fi
	t0=$(date +%s)
	run 3 "$proto $mode: exit 3" "$TB" probe --timeout 3 --bundle \
	    "$P/ca-bundle.pem" "$proto://127.0.0.1:$TLSD_PORT"
	err_has "$proto $mode: says what happened" "$expect"
	check "$proto $mode: within the timeout" [ $(($(date +%s) - t0)) -le 5 ]
	tlsd_stop
}
hostile smtp nostarttls "STARTTLS: the server does not offer it"
hostile smtp refuse "STARTTLS: refused: '454 4.7.0"
hostile smtp garbage "not an SMTP reply|closed the connection"
hostile smtp stall "greeting: no answer in time"
hostile smtp slowbanner "greeting: no answer in time"
hostile smtp longline "a reply line longer than 4096 bytes"
hostile smtp manylines "a reply of more than 100 lines"
hostile smtp close "greeting: the server closed the connection"
hostile smtp tlsfail "TLS handshake: |bytes after its STARTTLS answer, before TLS"
hostile imap nostarttls "STARTTLS: the server does not offer it"
hostile pop3 nostarttls "STLS: the server does not offer it"
hostile ftp refuse "AUTH TLS: refused: '431"
hostile ldap nostarttls "the LDAP server refused it \\(resultCode 2\\)"
hostile ldap garbage "not an LDAP ExtendedResponse|closed the connection"
# the edge of the line bound: 4096 bytes before the LF (CR included) are
# read, one more is refused; the server then hangs up after EHLO
edge() {
	python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(20)
c, _ = s.accept()
c.sendall(b"220 " + b"a" * (int(sys.argv[2]) - 5) + b"\r\n")
try:
    c.recv(100)
except OSError:
    pass
c.close()' "$W/edge.port" "$1" &
	ep=$!
	n=0
	while [ ! -s "$W/edge.port" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	run 3 "$2" "$TB" probe --timeout 5 "smtp://127.0.0.1:$(cat "$W/edge.port")"
	wait "$ep" 2>/dev/null
	rm -f "$W/edge.port"
}
edge 4096 "a greeting line of 4096 bytes is read"
err_has "(the EHLO answer is what fails)" "EHLO: the server closed the connection"
edge 4097 "a greeting line of 4097 bytes is refused"
err_has "(the greeting is)" "greeting: a reply line longer than 4096 bytes"
# the edge of the bound on lines: a reply of 100 lines is read and the
# probe goes on to verify=OK; one of 101 lines is refused
lines() {
	proto=$1
	opt=$2
	n=$3
	expect=$4
	lc="$proto $opt $n"
	if ! tlsd_start "$proto" "$P/leaf.pem" "$P/leaf.key" "$opt" "$n"; then
		nok "tlsd $lc starts"
		return
	fi
	t0=$(date +%s)
	if [ -z "$expect" ]; then
		run 0 "$lc: the reply is read, the probe goes on" "$TB" probe \
		    --timeout 5 --bundle "$P/ca-bundle.pem" \
		    "$proto://127.0.0.1:$TLSD_PORT"
		check "$lc: to TLS and verify=OK" grep -qx \
		    "verify=OK (store: $P/ca-bundle.pem)" "$W/out"
	else
		run 3 "$lc: the reply is refused: exit 3" "$TB" probe \
		    --timeout 5 --bundle "$P/ca-bundle.pem" \
		    "$proto://127.0.0.1:$TLSD_PORT"
		err_has "$lc: says so" "$expect"
	fi
	check "$lc: within 5 s" [ $(($(date +%s) - t0)) -le 5 ]
	tlsd_stop
}
lines smtp --banner-lines 100 ""
lines smtp --banner-lines 101 "greeting: a reply of more than 100 lines$"
lines smtp --reply-lines 100 ""
lines smtp --reply-lines 101 "EHLO: a reply of more than 100 lines$"
lines ftp --banner-lines 100 ""
lines ftp --banner-lines 101 "greeting: a reply of more than 100 lines$"
lines imap --reply-lines 100 ""
lines imap --reply-lines 101 "STARTTLS: more than 100 lines without an answer"
run 3 "nothing listening: exit 3" "$TB" probe smtp://127.0.0.1:9
err_has "the connection is refused" "cannot connect: 127.0.0.1:9: Connection refused"
run 1 "an unknown scheme: exit 1" "$TB" probe gopher://127.0.0.1
err_has "naming the schemes" "unknown scheme; use smtp, submission"

# --- AIA: each answer form, and every hostile answer ---
aia() {
	leaf=$1
	want_rc=$2
	expect=$3
	if ! tlsd_start tls "$P/$leaf.pem" "$P/$leaf.key"; then
		nok "tlsd serving $leaf starts"
		return
	fi
	t0=$(date +%s)
	run "$want_rc" "$leaf: --chase" "$TB" probe --chase --aia-private --bundle \
	    "$P/root.pem" "tls://127.0.0.1:$TLSD_PORT"
	if grep -Eq -- "$expect" "$W/out"; then ok "$leaf: $expect"; else
		nok "$leaf: stdout lacks /$expect/"
		sed 's/^/#   /' "$W/out" | tail -8
	fi
	if [ "$4" = ok ]; then
		check "$leaf: verify=OK with what AIA gave" grep -q \
		    "fetched through AIA: verify=OK" "$W/out"
	else
		check "$leaf: nothing admitted" grep -qx \
		    "with what AIA gave: still verify=FAIL" "$W/out"
	fi
	check "$leaf: within 30 s" [ $(($(date +%s) - t0)) -lt 30 ]
	tlsd_stop
}
aia leaf-p7c 1 "int.p7c: CN=AIA Test Intermediate: the issuer" ok
aia leaf-pem 1 "int.pem: CN=AIA Test Intermediate: the issuer" ok
aia leaf-p7pem 1 "int-p7.pem: CN=AIA Test Intermediate: the issuer" ok
aia leaf-2urls 1 "dead.der: could not be fetched \\(no connection, or no complete answer within 10 s\\)$" ok
aia leaf-deep 1 "with 2 intermediates fetched through AIA" ok
aia leaf-selfsigned 1 "evil-root.der: CN=AIA Test Intermediate: refused: a self-signed root" no
aia leaf-wrongkey 1 "wrongkey.der: CN=AIA Test Intermediate: refused: its key did not sign" no
aia leaf-nonca 1 "nonca.der: CN=AIA Test Not A CA: refused: not a CA certificate" no
aia leaf-expired 1 "expired.der: CN=AIA Test Intermediate: refused: expired on 2011" no
aia leaf-garbage 1 "garbage.der: no certificate in the answer" no
aia leaf-big 1 "big.der: larger than the limit of 65536 bytes" no
aia leaf-ldap 1 "ldap://127.0.0.1/cn=x\\?cACertificate: only http caIssuers URLs are followed" no
aia leaf-file 1 "file:///etc/ssl/certs/ca-certificates.crt: only http caIssuers URLs" no
aia leaf-loop 1 "an AIA loop" no
aia leaf-redirloop 1 "redirect/loop: more than 5 redirects" no
if [ -n "$STALL" ]; then
	aia leaf-stall 1 "stall.der: could not be fetched \\(no connection, or no complete answer within 10 s\\)$" no
fi

# --- AIA: the bounds of aia.h, each at its edge and one past it ---
# an answer of 65536 bytes (int.pem after lines of text), and of 65537
aia leaf-64k 1 "int-64k.pem: CN=AIA Test Intermediate: the issuer" ok
aia leaf-64k1 1 "int-64k1.pem: larger than the limit of 65536 bytes" no
# 16 certificates in one answer, the issuer the last of them; 17 refused
# whole, though the first 16 are the same
aia leaf-certs16 1 "certs16.p7c: CN=AIA Test Intermediate: the issuer" ok
check "leaf-certs16: the 15 others were each looked at" [ "$(grep -c \
    "certs16.p7c: CN=AIA Test Filler [0-9]*: refused: not the issuer" \
    "$W/out")" = 15 ]
aia leaf-certs17 1 "certs17.p7c: more than the limit of 16 certificates$" no
aia leaf-certs16pem 1 "certs16.pem: CN=AIA Test Intermediate: the issuer" ok
aia leaf-certs17pem 1 "certs17.pem: more than the limit of 16 certificates$" \
    no
# the issuer at the 5th caIssuers URL is found, after four 404s; at the
# 6th it is not: the first 5 are tried, and the 6th never asked for
aia leaf-5urls 1 "int-5th.der: CN=AIA Test Intermediate: the issuer" ok
check "leaf-5urls: the four before it were tried" [ "$(grep -c \
    "^  $BASE/absent/[1-4].der: .*404" "$W/out")" = 4 ]
aia leaf-6urls 1 "^  more than 5 caIssuers URLs; the first 5 are tried$" no
check "leaf-6urls: the 5th was tried" grep -q "^  $BASE/absent/5.der: .*404" \
    "$W/out"
check "leaf-6urls: the 6th was not" sh -c '! grep -q "int-6th" "$1"' sh \
    "$W/out"
check "leaf-6urls: nginx answered the 5th with 404" \
    httpd_log_wait "^404 GET /absent/5.der " 1
check "leaf-6urls: and never saw the 6th" sh -c \
    '! grep -q "GET /int-6th.der " "$1"' sh "$LOG"
# a chain that lacks 9 levels is refused after 8 fetches (the 9th, level1,
# never asked for); one that lacks 8 completes
aia leaf-depth9 1 \
    "^  more than 8 missing levels; stopped at the issuer CN=AIA Test Level 1$" no
check "leaf-depth9: 8 fetched" [ "$(grep -c \
    "level[2-9].der: CN=AIA Test Level [2-9]: the issuer" "$W/out")" = 8 ]
check "leaf-depth9: nginx served level2.der" \
    httpd_log_wait "^200 GET /level2.der " 1
check "leaf-depth9: and was not asked for level1.der" sh -c \
    '! grep -q "GET /level1.der " "$1"' sh "$LOG"
aia leaf-depth8 1 "with 8 intermediates fetched through AIA: verify=OK" ok
check "leaf-depth8: the last fetched was level 1" grep -q \
    "level1.der: CN=AIA Test Level 1: the issuer" "$W/out"

# --- the real web chains of the corpus, their AIA URLs through a proxy ---
if have_corpus "real chains through http_proxy"; then
	V=$P/www/vhosts
	n=0
	for d in "$CORPUS"/chains/web/*/; do
		h=$(basename "$d")
		[ -f "$d/leaf.pem" ] || continue
		# the chain in order: leaf, then its intermediates; each
		# certificate's caIssuers URLs serve the next one, in DER
		rm -rf "$W/c"
		mkdir -p "$W/c"
		cat "$d/leaf.pem" "$d/intermediates.pem" | awk -v d="$W/c" '
		    /-----BEGIN CERTIFICATE-----/ { f = sprintf("%s/%02d.pem", d, n++) }
		    f != "" { print > f }
		    /-----END CERTIFICATE-----/ { close(f); f = "" }'
		i=0
		first=1
		while [ -f "$W/c/$(printf %02d $((i + 1))).pem" ]; do
			cur=$W/c/$(printf %02d $i).pem
			next=$W/c/$(printf %02d $((i + 1))).pem
			for u in $(openssl x509 -in "$cur" -noout -ext \
			    authorityInfoAccess 2>/dev/null |
			    sed -n 's/.*CA Issuers - URI://p'); do
				# the first URL of a leaf with two is left
				# dead: the second must be tried
				if [ $first = 1 ] && [ "$h" = bing.com ]; then
					first=0
					continue
				fi
				hp=${u#http://}
				vh=${hp%%/*}
				path=${hp#"$vh"}
				path=$(python3 -c 'import sys, urllib.parse
print(urllib.parse.unquote(sys.argv[1]))' "$path")
				case $path in "" | /) path=/index.der ;; esac
				mkdir -p "$V/$vh$(dirname "$path")"
				openssl x509 -in "$next" -outform DER \
				    -out "$V/$vh$path"
			done
			i=$((i + 1))
		done
		t=$(date -d "$(cat "$d/validation_time")" +%s)
		env http_proxy="$BASE" "$TB" probe --chase --attime "$t" \
		    --bundle "$d/trusted.pem" --chain "$d/leaf.pem" \
		    >"$W/out" 2>"$W/err"
		if grep -q "fetched through AIA: verify=OK" "$W/out"; then
			ok "$h: AIA from the leaf finds its $i intermediate(s)"
		else
			nok "$h: AIA from the leaf finds its intermediates"
			sed 's/^/#   /' "$W/out" | tail -6
		fi
		n=$((n + 1))
	done
	check "14 real chains were chased" [ "$n" = 14 ]
	check "their requests went through the proxy" \
	    httpd_log_wait "GET http://i.pki.goog/we1.crt " 1
	check "bing.com: the second URL after a dead first one" \
	    httpd_log_wait "404 GET http://www.microsoft.com/pkiops/certs/" 1
fi


# --- --attime: expiry and the verdict are judged at that time ---
cat "$FIX/leaf.pem" "$FIX/int-a2.pem" "$FIX/int-a.pem" >"$W/at-chain.pem"
run 0 "probe --chain, now: verifies" "$TB" probe --bundle "$FIX/root-a.pem" \
    --chain "$W/at-chain.pem"
check "no certificate is marked, no --attime line" sh -c \
    '! grep -q "expired)\|valid)\|--attime" "$1"' sh "$W/out"
t2100=$(date -u -d 2100-01-01 +%s)
run 1 "probe --attime 2100: the chain has expired then" "$TB" probe \
    --bundle "$FIX/root-a.pem" --chain "$W/at-chain.pem" --attime "$t2100"
check "says the time it judges at" grep -qx \
    "as at 2100-01-01 00:00:00 UTC (--attime): expiry and the verdict are judged then" "$W/out"
check "marks each certificate expired then" \
    [ "$(grep -c '^   not after: .* (expired)$' "$W/out")" = 3 ]
check "the verdict: expired" grep -q '^verify=FAIL verifymsg=certificate has expired' "$W/out"
check "why: before the --attime date, not 'must renew it'" sh -c \
    'grep -q "^why: .* expires on .*, before the --attime date$" "$1" &&
    ! grep -q "must renew" "$1"' sh "$W/out"
t2000=$(date -u -d 2000-01-01 +%s)
run 1 "probe --attime 2000: not yet valid then" "$TB" probe \
    --bundle "$FIX/root-a.pem" --chain "$W/at-chain.pem" --attime "$t2000"
check "marked not yet valid" \
    [ "$(grep -c '^   not after: .* (not yet valid)$' "$W/out")" = 3 ]
check "why: after the --attime date, not this machine's clock" sh -c \
    'grep -q "^why: .* is not valid before .*, after the --attime date$" "$1" &&
    ! grep -q "clock" "$1"' sh "$W/out"
run 1 "probe --json --attime 2100" "$TB" probe --json --bundle \
    "$FIX/root-a.pem" --chain "$W/at-chain.pem" --attime "$t2100"
check "the JSON has attime and each certificate expired then" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["attime"] == "2100-01-01T00:00:00Z", d
assert all(c["expired"] and not c["not_yet_valid"] for c in d["chain"]), d
assert d["verify"] == "FAIL"
' "$W/out"
t2010=$(date -u -d 2010-06-01 +%s)
run 1 "an expired CA, --attime within its validity" "$TB" probe \
    --bundle "$FIX/root-a.pem" --chain "$FIX/expired.pem" --attime "$t2010"
check "is not marked expired then" grep -qx \
    '   not after: 2011-01-01 00:00:00 UTC' "$W/out"
run 1 "the same now" "$TB" probe --bundle "$FIX/root-a.pem" --chain \
    "$FIX/expired.pem"
check "is marked expired" grep -qx \
    '   not after: 2011-01-01 00:00:00 UTC (expired)' "$W/out"

done_testing
