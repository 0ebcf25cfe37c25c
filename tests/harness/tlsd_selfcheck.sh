#!/bin/sh
# tlsd_selfcheck.sh: a check of the test infrastructure for "trustbuild
# probe", not of trustbuild (and so not in tests/e2e/): tests/harness/mkpki.sh
# makes a PKI whose AIA URLs nginx (tests/harness/httpd.sh) serves, and
# tests/harness/tlsd.py (through tests/harness/tlsd.sh) serves its leaf alone over TLS and
# each STARTTLS protocol, friendly and hostile; the openssl CLI, curl and
# python3's smtplib, not trustbuild, say whether all is as described.
#	sh tests/tlsd_selfcheck.sh
# Prints "ok - ..." / "not ok - ..." lines, then "N passed, N failed";
# exit 0 only if nothing failed.  Takes about 30 s, and leaves no process
# and no file behind (KEEP=1 keeps the scratch directory and says where).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/selfcheck.sh
. "$here/selfcheck.sh"
# shellcheck source=tests/harness/httpd.sh
. "$here/httpd.sh"
# shellcheck source=tests/harness/tlsd.sh
. "$here/tlsd.sh"

# talk.py [-t SECONDS] HOST PORT PROTO [COMMAND...]: a plain-text client
# that prints each line the server sends, reading whole replies (smtp and
# ftp: up to "NNN "; pop3: one line, CAPA up to "."; imap: up to the
# command's tag), each within SECONDS (default 2), and ends with EOF,
# TIMEOUT (nothing in time), PARTIAL N (N bytes and no newline, at the
# end, in time or in 2 MiB), BINARY N (a line of non-text) or MANY (1000
# lines in one reply).  PROTO raw: each COMMAND is hex, or @FILE, to send;
# then what comes until EOF or a pause of SECONDS is printed in hex (or
# NOTHING).
cat >"$W/talk.py" <<'EOF'
import socket
import sys
import time

t = 2.0
a = sys.argv[1:]
if a[0] == "-t":
    t = float(a[1])
    a = a[2:]
host, port, proto, cmds = a[0], int(a[1]), a[2], a[3:]
s = socket.create_connection((host, port), timeout=3)
s.settimeout(t)
buf = b""
deadline = 0


def end(what):
    print(what)
    sys.exit(0)


def line():
    global buf
    while b"\n" not in buf:
        if len(buf) > 2 * 1024 * 1024:
            end("PARTIAL %d" % len(buf))
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise socket.timeout()
            s.settimeout(left)
            d = s.recv(65536)
        except socket.timeout:
            end("PARTIAL %d" % len(buf) if buf else "TIMEOUT")
        except OSError as e:
            end("ERROR %s" % e)
        if not d:
            end("PARTIAL %d" % len(buf) if buf else "EOF")
        buf += d
    i = buf.index(b"\n")
    l, buf = buf[:i].rstrip(b"\r"), buf[i + 1:]
    if any(c < 0x20 and c != 9 or c > 0x7e for c in l):
        end("BINARY %d" % len(l))
    print(l.decode())
    return l.decode()


def reply(cmd):
    global deadline
    deadline = time.monotonic() + t
    n = 0
    if proto in ("smtp", "ftp"):
        while True:
            l = line()
            n += 1
            if len(l) < 4 or l[3] != "-":
                return
            if n >= 1000:
                end("MANY")
    elif proto == "pop3":
        if line().startswith("+OK") and cmd.upper() == "CAPA":
            while line() != ".":
                n += 1
                if n >= 1000:
                    end("MANY")
    elif proto == "imap":
        tag = cmd.split(" ")[0] + " " if cmd else ""
        while True:
            l = line()
            n += 1
            if not tag or l.startswith(tag):
                return
            if n >= 1000:
                end("MANY")


if proto == "raw":
    for c in cmds:
        if c.startswith("@"):
            with open(c[1:], "rb") as f:
                s.sendall(f.read())
        else:
            s.sendall(bytes.fromhex(c))
        got = b""
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                got += d
        except socket.timeout:
            pass
        except OSError as e:
            print("ERROR %s" % e)
        print(got.hex() if got else "NOTHING")
    sys.exit(0)
reply("")
for c in cmds:
    s.sendall(c.encode() + b"\r\n")
    reply(c)
EOF
talk() { python3 "$W/talk.py" "$@" >"$W/talk" 2>&1; }

# sclient PROTO PORT [ARG...]: openssl s_client to 127.0.0.1, with
# -starttls but for tls and https, output in $W/sc, 5 s at most; its
# exit status
sclient() {
	_c_p=$1
	_c_port=$2
	shift 2
	case $_c_p in
	tls | https) ;;
	*) set -- -starttls "$_c_p" "$@" ;;
	esac
	timeout 5 openssl s_client -connect "127.0.0.1:$_c_port" \
	    -servername localhost "$@" </dev/null >"$W/sc" 2>&1
}
# the number of certificates s_client -showcerts printed
ncerts() { grep -c -- '-----BEGIN CERTIFICATE-----' "$W/sc"; }

P=$W/pki

# -- nginx, a stalling server, the PKI
mkdir -p "$P/www"
if ! httpd_start "$P/www"; then
	nok "nginx starts on 127.0.0.1"
	exit 1
fi
BASE=$HTTPD_URL
if badhttp_start stall; then
	STALL_URL=$BADHTTP_URL/stall.der
else
	nok "badhttp.py stall starts"
	STALL_URL=""
fi
if STALL_URL=$STALL_URL sh "$here/mkpki.sh" "$P" "$BASE" >"$W/mkpki.log" \
    2>&1; then
	ok "mkpki.sh makes the PKI and its own verify checks pass"
else
	nok "mkpki.sh"
	show "$W/mkpki.log" 30
	exit 1
fi

# -- the PKI, by the openssl CLI and curl
check "leaf.pem verifies with int.pem" \
    openssl verify -CAfile "$P/root.pem" -untrusted "$P/int.pem" \
    "$P/leaf.pem"
openssl verify -CAfile "$P/root.pem" "$P/leaf.pem" >"$W/v" 2>&1
file_has "leaf.pem alone: error 20" "$W/v" \
    '^error 20 at 0 depth lookup: unable to get local issuer certificate'
# aia NAME: the caIssuers URLs of NAME.pem, one a line, in $W/aia
aia() {
	openssl x509 -in "$P/$1.pem" -noout -ext authorityInfoAccess |
	    sed -n 's/^ *CA Issuers - URI://p' >"$W/aia"
}
# aia_is NAME URL...: exactly those URLs, in that order
aia_is() {
	_c_n=$1
	shift
	aia "$_c_n"
	printf '%s\n' "$@" >"$W/aia.want"
	if cmp -s "$W/aia" "$W/aia.want"; then ok "$_c_n: AIA $*"; else
		nok "$_c_n: AIA is not $*"
		show "$W/aia"
	fi
}
aia_is leaf "$BASE/int.der"
aia_is int "$BASE/root.der"
aia_is leaf-p7c "$BASE/int.p7c"
aia_is leaf-pem "$BASE/int.pem"
aia_is leaf-p7pem "$BASE/int-p7.pem"
aia_is leaf-2urls http://127.0.0.1:9/dead.der "$BASE/int.der"
aia_is leaf-deep "$BASE/int2.der"
aia_is int2 "$BASE/int1.der"
aia_is leaf-selfsigned "$BASE/evil-root.der"
aia_is leaf-wrongkey "$BASE/wrongkey.der"
aia_is leaf-nonca "$BASE/nonca.der"
aia_is leaf-expired "$BASE/expired.der"
aia_is leaf-garbage "$BASE/garbage.der"
aia_is leaf-ldap "ldap://127.0.0.1/cn=x?cACertificate"
aia_is leaf-file file:///etc/ssl/certs/ca-certificates.crt
aia_is leaf-big "$BASE/big.der"
aia_is leaf-loop "$BASE/loop-a.der"
aia_is loop-a "$BASE/loop-b.der"
aia_is loop-b "$BASE/loop-a.der"
aia_is leaf-redirloop "$BASE/redirect/loop"
[ -n "$STALL_URL" ] && aia_is leaf-stall "$STALL_URL"
aia_is leaf-64k "$BASE/int-64k.pem"
aia_is leaf-64k1 "$BASE/int-64k1.pem"
aia_is leaf-certs16 "$BASE/certs16.p7c"
aia_is leaf-certs17pem "$BASE/certs17.pem"
aia_is leaf-5urls "$BASE/absent/1.der" "$BASE/absent/2.der" \
    "$BASE/absent/3.der" "$BASE/absent/4.der" "$BASE/int-5th.der"
aia_is leaf-6urls "$BASE/absent/1.der" "$BASE/absent/2.der" \
    "$BASE/absent/3.der" "$BASE/absent/4.der" "$BASE/absent/5.der" \
    "$BASE/int-6th.der"
aia_is leaf-depth9 "$BASE/level9.der"
aia_is level2 "$BASE/level1.der"
aia_is level1 "$BASE/root.der"
for f in int-64k.pem:65536 int-64k1.pem:65537; do
	check "nginx serves ${f%:*} as ${f#*:} bytes" test \
	    "$(curl -s --max-time 5 "$BASE/${f%:*}" | wc -c)" = "${f#*:}"
done
curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' \
    "$BASE/absent/5.der" >"$W/code"
file_has "absent/5.der is a 404" "$W/code" '^404$'

curl -s "$BASE/int.der" | openssl x509 -inform DER -noout -subject \
    >"$W/subj" 2>&1
file_has "curl \$BASE/int.der | openssl x509: the intermediate" "$W/subj" \
    '^subject=CN = AIA Test Intermediate$'

# fetched NAME: follow NAME.pem's last caIssuers URL with curl, as PEM
# certificates in $W/fetched.pem; 1 if that is no certificate
fetched() {
	aia "$1"
	_c_u=$(tail -1 "$W/aia")
	curl -s --max-time 5 -o "$W/fetched" "$_c_u" || return 1
	case $_c_u in
	*.p7c) openssl pkcs7 -inform DER -in "$W/fetched" -print_certs ;;
	*-p7.pem) openssl pkcs7 -in "$W/fetched" -print_certs ;;
	*.pem) cat "$W/fetched" ;;
	*) openssl x509 -inform DER -in "$W/fetched" ;;
	esac >"$W/fetched.pem" 2>/dev/null
}
# verify_fetched NAME WANT: NAME.pem with what its AIA URL serves, for
# "openssl verify -CAfile root.pem": OK, or error WANT
verify_fetched() {
	if ! fetched "$1"; then
		nok "$1: its AIA URL serves a certificate"
		return
	fi
	openssl verify -CAfile "$P/root.pem" -untrusted "$W/fetched.pem" \
	    "$P/$1.pem" >"$W/v" 2>&1
	if [ "$2" = OK ]; then
		file_has "$1 + what its AIA URL serves: verifies" "$W/v" ': OK$'
	else
		file_has "$1 + what its AIA URL serves: error $2" "$W/v" \
		    "^error $2 at "
	fi
}
verify_fetched leaf OK
verify_fetched leaf-p7c OK
verify_fetched leaf-pem OK
verify_fetched leaf-p7pem OK
verify_fetched leaf-2urls OK
fetched leaf-deep && cp "$W/fetched.pem" "$W/deep.pem"
fetched int2 && cat "$W/fetched.pem" >>"$W/deep.pem"
check "leaf-deep verifies with int2 and int1 as fetched" \
    openssl verify -CAfile "$P/root.pem" -untrusted "$W/deep.pem" \
    "$P/leaf-deep.pem"
verify_fetched leaf-selfsigned 19
verify_fetched leaf-wrongkey 7
verify_fetched leaf-nonca 79
verify_fetched leaf-expired 10
fetched leaf-loop && cp "$W/fetched.pem" "$W/loop.pem"
fetched loop-a && cat "$W/fetched.pem" >>"$W/loop.pem"
openssl verify -CAfile "$P/root.pem" -untrusted "$W/loop.pem" \
    "$P/leaf-loop.pem" >"$W/v" 2>&1
file_has "leaf-loop with Loop A and Loop B: error 20" "$W/v" '^error 20 at 2 '
openssl x509 -in "$W/loop.pem" -noout -subject -issuer >"$W/v" 2>&1
file_has "loop-a.der is CN=Loop A, by CN=Loop B" "$W/v" '^issuer=CN = Loop B$'
openssl x509 -in "$P/loop-b.pem" -noout -issuer >"$W/v" 2>&1
file_has "loop-b.pem is by CN=Loop A" "$W/v" '^issuer=CN = Loop A$'
openssl x509 -in "$P/evil-root.pem" -noout -subject -issuer >"$W/v"
file_has "evil-root is self-signed CN=AIA Test Intermediate" "$W/v" \
    '^issuer=CN = AIA Test Intermediate$'
if fetched leaf-garbage; then
	nok "garbage.der is no certificate"
else ok "garbage.der is no certificate"; fi
check "garbage.der is 4096 bytes" \
    test "$(wc -c <"$W/fetched")" -eq 4096
curl -s -o "$W/big" "$BASE/big.der"
check "big.der is 10 MB" test "$(wc -c <"$W/big")" -eq 10485760
rm -f "$W/big"
curl -s -L --max-redirs 5 -o /dev/null "$BASE/redirect/loop"
check "redirect/loop loops (curl: too many redirects)" test $? = 47
curl -s -o /dev/null http://127.0.0.1:9/dead.der
check "port 9 refuses connections (curl exit 7)" test $? = 7
if [ -n "$STALL_URL" ]; then
	curl -s --max-time 1 -o /dev/null "$STALL_URL"
	check "STALL_URL stalls (curl exit 28)" test $? = 28
fi

# -- tlsd, normal, the leaf alone, each protocol
for p in tls smtp imap pop3 ftp ldap https; do
	if ! tlsd_start "$p" "$P/leaf.pem" "$P/leaf.key" --lifetime 60; then
		nok "tlsd $p starts"
		continue
	fi
	sclient "$p" "$TLSD_PORT" -showcerts
	check "$p: s_client -showcerts shows one certificate" \
	    test "$(ncerts)" = 1
	file_has "$p: the leaf, CN=localhost" "$W/sc" '^ 0 s:CN = localhost$'
	file_lacks "$p: no second certificate" "$W/sc" '^ 1 s:'
	sclient "$p" "$TLSD_PORT" -CAfile "$P/root.pem" -verify_return_error
	_st=$?
	check "$p: -CAfile root.pem -verify_return_error fails" test $_st != 0
	file_has "$p: ... unable to get local issuer certificate" "$W/sc" \
	    'verify error:num=20:unable to get local issuer certificate'
	sclient "$p" "$TLSD_PORT" -CAfile "$P/ca-bundle.pem" \
	    -verify_return_error -verify_hostname localhost
	_st=$?
	check "$p: -CAfile root+int -verify_hostname localhost succeeds" \
	    test $_st = 0
	file_has "$p: ... Verify return code: 0 (ok)" "$W/sc" \
	    'Verify return code: 0 \(ok\)'
	file_has "$p: tlsd logged the handshake" "$TLSD_LOG" '^[0-9]+ tls-ok TLSv1'
done

# the chain is sent as given
tlsd_start tls "$P/leaf-chain.pem" "$P/leaf.key" --lifetime 60
sclient tls "$TLSD_PORT" -showcerts -CAfile "$P/root.pem" \
    -verify_return_error
_st=$?
check "leaf-chain.pem: two certificates sent" test "$(ncerts)" = 2
check "leaf-chain.pem: verifies with root.pem alone" test $_st = 0

# ::1
if tlsd_start tls "$P/leaf.pem" "$P/leaf.key" --ipv6 --lifetime 60 \
    2>"$W/v6"; then
	check "--ipv6: TLSD_HOST is ::1" test "$TLSD_HOST" = ::1
	timeout 5 openssl s_client -connect "[::1]:$TLSD_PORT" -showcerts \
	    -CAfile "$P/ca-bundle.pem" -verify_return_error \
	    -verify_ip ::1 </dev/null >"$W/sc" 2>&1
	_st=$?
	check "--ipv6: s_client to [::1] verifies the leaf's IP:::1" \
	    test $_st = 0
	check "--ipv6: one certificate" test "$(ncerts)" = 1
else
	echo "# no ::1 here:"
	show "$W/v6"
fi

# -- a real SMTP client through STARTTLS
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --lifetime 60
printf 'Subject: tlsd check\r\n\r\nhello\r\n.leading dot\r\n' >"$W/msg"
curl -s --max-time 10 --ssl-reqd --cacert "$P/ca-bundle.pem" \
    --mail-from a@example.org --mail-rcpt b@example.org \
    --mail-rcpt c@example.org -T "$W/msg" \
    "smtp://127.0.0.1:$TLSD_PORT/client.example" >"$W/curl" 2>&1
check "curl delivers a message over STARTTLS" test $? = 0
file_has "log: EHLO after TLS" "$TLSD_LOG" '^[0-9]+ tls EHLO client.example$'
file_has "log: MAIL FROM" "$TLSD_LOG" '^[0-9]+ tls MAIL FROM:<a@example.org>'
rcpts='to=<b@example.org>,<c@example.org>'
file_has "log: the message, its envelope" "$TLSD_LOG" \
    "^[0-9]+ tls message from=<a@example.org> $rcpts bytes="
file_has "log: the message's text, dot-unstuffed" "$TLSD_LOG" \
    '^[0-9]+ \| \.leading dot$'
python3 - "$TLSD_PORT" "$P/ca-bundle.pem" >"$W/py" 2>&1 <<'EOF'
import smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), "py.example",
                  timeout=10) as s:
    s.ehlo()
    assert s.has_extn("starttls")
    s.starttls(context=ctx)
    s.ehlo()
    assert not s.has_extn("starttls")
    assert s.noop()[0] == 250
    s.mail("x@example.org")
    assert s.rset()[0] == 250
    assert s.docmd("DATA")[0] == 503
    assert s.docmd("BOGUS")[0] == 500
    s.sendmail("x@example.org", ["y@example.org"], "Subject: py\r\n\r\nhi\r\n")
EOF
_st=$?
check "smtplib: STARTTLS, NOOP, RSET, errors, sendmail" test $_st = 0
[ $_st = 0 ] || show "$W/py"
file_has "log: smtplib's message" "$TLSD_LOG" \
    '^[0-9]+ tls message from=<x@example.org> to=<y@example.org>'
SMTP_PORT=$TLSD_PORT
SMTP_OUT=$TLSD_DIR/out.$(($(echo "$TLSD_PIDS" | wc -w) - 1))

# https with curl
tlsd_start https "$P/leaf.pem" "$P/leaf.key" --lifetime 60
curl -s --max-time 5 --cacert "$P/ca-bundle.pem" \
    "https://127.0.0.1:$TLSD_PORT/x" >"$W/curl" 2>&1
file_has "https: curl with root+int gets 200 and the body" "$W/curl" '^tlsd ok$'
curl -s --max-time 5 --cacert "$P/root.pem" -o /dev/null \
    "https://127.0.0.1:$TLSD_PORT/x"
check "https: curl with root alone fails (exit 60)" test $? = 60

# -- hostile modes
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --mode nostarttls --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" smtp "EHLO x" STARTTLS QUIT
file_lacks "smtp nostarttls: EHLO does not offer STARTTLS" "$W/talk" STARTTLS
file_has "smtp nostarttls: STARTTLS -> 502 5.5.1" "$W/talk" '^502 5\.5\.1 '
sclient smtp "$TLSD_PORT"
_st=$?
check "smtp nostarttls: s_client -starttls smtp fails" test $_st != 0
file_has "smtp nostarttls: ... having found no STARTTLS" "$W/sc" \
    "Didn't find STARTTLS"
curl -s --max-time 5 --ssl-reqd --cacert "$P/ca-bundle.pem" \
    "smtp://127.0.0.1:$TLSD_PORT/" -o /dev/null
check "smtp nostarttls: curl --ssl-reqd refuses (exit 64)" test $? = 64

tlsd_start imap "$P/leaf.pem" "$P/leaf.key" --mode nostarttls --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" imap "a CAPABILITY" "b STARTTLS"
file_lacks "imap nostarttls: no STARTTLS capability" "$W/talk" STARTTLS$
file_has "imap nostarttls: STARTTLS -> BAD" "$W/talk" '^b BAD '
sclient imap "$TLSD_PORT"
check "imap nostarttls: s_client fails" test $? != 0

tlsd_start pop3 "$P/leaf.pem" "$P/leaf.key" --mode nostarttls --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" pop3 CAPA STLS
file_lacks "pop3 nostarttls: CAPA without STLS" "$W/talk" '^STLS$'
file_has "pop3 nostarttls: STLS -> -ERR" "$W/talk" '^-ERR '
sclient pop3 "$TLSD_PORT"
check "pop3 nostarttls: s_client fails" test $? != 0

tlsd_start ftp "$P/leaf.pem" "$P/leaf.key" --mode nostarttls --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" ftp FEAT "AUTH TLS"
file_lacks "ftp nostarttls: FEAT without AUTH TLS" "$W/talk" 'AUTH TLS'
file_has "ftp nostarttls: AUTH TLS -> 500" "$W/talk" '^500 '
sclient ftp "$TLSD_PORT"
check "ftp nostarttls: s_client fails" test $? != 0

tlsd_start ldap "$P/leaf.pem" "$P/leaf.key" --mode nostarttls --lifetime 60
sclient ldap "$TLSD_PORT"
check "ldap nostarttls: s_client fails" test $? != 0
file_has "ldap nostarttls: ... with resultCode 2" "$W/sc" \
    'LDAP Result Code: 2$'

tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --mode refuse --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" smtp "EHLO x" STARTTLS
file_has "smtp refuse: STARTTLS offered" "$W/talk" '^250-STARTTLS$'
file_has "smtp refuse: STARTTLS -> 454 4.7.0" "$W/talk" \
    '^454 4\.7\.0 TLS not available$'
sclient smtp "$TLSD_PORT"
check "smtp refuse: s_client fails" test $? != 0
for p in imap pop3 ftp; do
	tlsd_start "$p" "$P/leaf.pem" "$P/leaf.key" --mode refuse \
	    --lifetime 60
	case $p in
	imap) talk 127.0.0.1 "$TLSD_PORT" imap "a STARTTLS"
	      want='^a NO \[UNAVAILABLE\]' ;;
	pop3) talk 127.0.0.1 "$TLSD_PORT" pop3 STLS
	      want='^-ERR \[SYS/TEMP\]' ;;
	ftp) talk 127.0.0.1 "$TLSD_PORT" ftp "AUTH TLS"
	     want='^431 ' ;;
	esac
	file_has "$p refuse: a temporary failure" "$W/talk" "$want"
done
tlsd_start ldap "$P/leaf.pem" "$P/leaf.key" --mode refuse --lifetime 60
sclient ldap "$TLSD_PORT"
file_has "ldap refuse: resultCode 52 (unavailable)" "$W/sc" \
    'LDAP Result Code: 52$'

for p in smtp ldap tls; do
	tlsd_start "$p" "$P/leaf.pem" "$P/leaf.key" --mode garbage \
	    --lifetime 60
	talk 127.0.0.1 "$TLSD_PORT" raw 00
	check "$p garbage: about 4 KB of bytes, then the end" \
	    test "$(tr -d '\n' <"$W/talk" | wc -c)" = 8192
	sclient "$p" "$TLSD_PORT"
	check "$p garbage: s_client fails" test $? != 0
done
talk 127.0.0.1 "$TLSD_PORT" smtp
file_has "garbage: binary, not a banner" "$W/talk" '^BINARY '

tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --mode stall --lifetime 60
talk -t 0.5 127.0.0.1 "$TLSD_PORT" smtp
file_has "smtp stall: no banner within 0.5 s" "$W/talk" '^TIMEOUT$'
timeout 1 openssl s_client -connect "127.0.0.1:$TLSD_PORT" \
    -starttls smtp </dev/null >"$W/sc" 2>&1
check "smtp stall: s_client hangs (killed by timeout 1)" test $? = 124
tlsd_start tls "$P/leaf.pem" "$P/leaf.key" --mode stall --lifetime 60
timeout 1 openssl s_client -connect "127.0.0.1:$TLSD_PORT" </dev/null \
    >"$W/sc" 2>&1
check "tls stall: the handshake hangs (killed by timeout 1)" test $? = 124

# in_mode PROTO MODE DESCRIPTION ERE [-t S] [COMMAND...]: a PROTO server
# in MODE, talked to (talk.py, with the COMMANDs); what it says matches ERE
in_mode() {
	tlsd_start "$1" "$P/leaf.pem" "$P/leaf.key" --mode "$2" --lifetime 60
	_i_p=$1 _i_d=$3 _i_e=$4
	shift 4
	_i_t=2
	if [ "${1:-}" = -t ]; then
		_i_t=$2
		shift 2
	fi
	talk -t "$_i_t" 127.0.0.1 "$TLSD_PORT" "$_i_p" "$@"
	file_has "$_i_p $_i_d" "$W/talk" "$_i_e"
}

in_mode smtp longline "longline: 1 MiB and no newline" '^PARTIAL 1048576$' -t 1

in_mode smtp manylines "manylines: 220- lines without end" '^MANY$'
file_has "smtp manylines: ... of the form 220-" "$W/talk" '^220-localhost tlsd '
timeout 1 openssl s_client -connect "127.0.0.1:$TLSD_PORT" \
    -starttls smtp </dev/null >/dev/null 2>&1
check "smtp manylines: s_client reads on for ever (killed by timeout 1)" \
    test $? = 124
in_mode ftp manylines "manylines: 220- lines without end" '^MANY$'
in_mode imap manylines "manylines: untagged lines without end" '^MANY$' \
    "a CAPABILITY"
in_mode pop3 manylines "manylines: CAPA without end" '^MANY$' CAPA

in_mode smtp slowbanner "slowbanner: 1 or 2 bytes in 1.2 s" '^PARTIAL [12]$' \
    -t 1.2

in_mode smtp close "close: EOF at once" '^EOF$'

for p in smtp imap pop3 ftp ldap tls; do
	tlsd_start "$p" "$P/leaf.pem" "$P/leaf.key" --mode tlsfail \
	    --lifetime 60
	sclient "$p" "$TLSD_PORT" -showcerts
	_st=$?
	check "$p tlsfail: s_client fails" test $_st != 0
	check "$p tlsfail: ... with no certificate" test "$(ncerts)" = 0
	file_has "$p tlsfail: tlsd sent plain text" "$TLSD_LOG" \
	    '^[0-9]+ tlsfail sent plain text$'
done

if python3 "$HARNESS/tlsd.py" "$W/port" tls "$P/leaf.pem" "$P/leaf.key" \
    --mode manylines >"$W/v" 2>&1; then
	nok "tls manylines: a usage error"
else
	check "tls manylines: a usage error (exit 2)" test $? = 2
fi

# -- replies of N lines: --banner-lines, --reply-lines
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --banner-lines 100 \
    --reply-lines 101 --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" smtp "EHLO x"
check "smtp --banner-lines 100: a banner of 100 lines" \
    test "$(grep -c '^220' "$W/talk")" = 100
file_has "smtp --banner-lines 100: ... the last the usual one" "$W/talk" \
    '^220 localhost ESMTP tlsd$'
check "smtp --reply-lines 101: an EHLO reply of 101 lines" \
    test "$(grep -c '^250' "$W/talk")" = 101
file_has "smtp --reply-lines 101: ... STARTTLS among them" "$W/talk" \
    '^250-STARTTLS$'
file_has "smtp --reply-lines 101: ... the last 250 HELP" "$W/talk" '^250 HELP$'
sclient smtp "$TLSD_PORT" -CAfile "$P/ca-bundle.pem" -verify_return_error
check "smtp with both: s_client gets through to TLS" test $? = 0
tlsd_start ftp "$P/leaf.pem" "$P/leaf.key" --banner-lines 7 --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" ftp
check "ftp --banner-lines 7: a banner of 7 lines" \
    test "$(grep -c '^220' "$W/talk")" = 7
file_has "ftp --banner-lines 7: ... the last the usual one" "$W/talk" \
    '^220 tlsd ready$'
tlsd_start imap "$P/leaf.pem" "$P/leaf.key" --reply-lines 5 --lifetime 60
talk 127.0.0.1 "$TLSD_PORT" imap "a STARTTLS"
check "imap --reply-lines 5: 4 untagged lines before the answer" \
    test "$(grep -c '^\* OK tlsd line [1-4]$' "$W/talk")" = 4
file_has "imap --reply-lines 5: ... then the tagged OK" "$W/talk" \
    '^a OK Begin TLS negotiation now$'
sclient imap "$TLSD_PORT" -CAfile "$P/ca-bundle.pem" -verify_return_error
check "imap --reply-lines 5: s_client gets through to TLS" test $? = 0
for bad in "imap --banner-lines 2" "ftp --reply-lines 2" \
    "smtp --reply-lines 0" "smtp --banner-lines 100001"; do
	# shellcheck disable=SC2086
	set -- $bad
	python3 "$HARNESS/tlsd.py" "$W/port" "$1" "$P/leaf.pem" "$P/leaf.key" \
	    "$2" "$3" --lifetime 1 >"$W/v" 2>&1
	check "$bad: a usage error (exit 2)" test $? = 2
done

# -- LDAP's BER, byte by byte
STARTTLS_HEX=$(printf 1.3.6.1.4.1.1466.20037 | od -An -tx1 | tr -d ' \n')
NOTICE_HEX=$(printf 1.3.6.1.4.1.1466.20036 | od -An -tx1 | tr -d ' \n')
tlsd_start ldap "$P/leaf.pem" "$P/leaf.key" --lifetime 60
# messageID 300 (02 02 01 2c) and 128 (02 02 00 80, the sign byte kept)
talk -t 0.3 127.0.0.1 "$TLSD_PORT" raw "301e0202012c77188016$STARTTLS_HEX"
file_has "ldap: messageID 300 echoed, success, responseName" "$W/talk" \
    "^30250202012c781f0a0100040004008a16$STARTTLS_HEX\$"
talk -t 0.3 127.0.0.1 "$TLSD_PORT" raw "301e0202008077188016$STARTTLS_HEX"
file_has "ldap: messageID 128 echoed" "$W/talk" "^302502020080781f0a0100"
# s_client's own request: messageID 1, short lengths
talk -t 0.3 127.0.0.1 "$TLSD_PORT" raw "301d02010177188016$STARTTLS_HEX"
file_has "ldap: s_client's request" "$W/talk" \
    "^3024020101781f0a0100040004008a16$STARTTLS_HEX\$"
# a long-form length (81 1d) is BER all the same
talk -t 0.3 127.0.0.1 "$TLSD_PORT" raw "30811d02010177188016$STARTTLS_HEX"
file_has "ldap: a long-form length is understood" "$W/talk" "^3024020101781f"
# another extended operation: protocolError, no responseName
talk -t 0.3 127.0.0.1 "$TLSD_PORT" raw "300c020107770780053132332e34"
file_has "ldap: another OID -> protocolError (2)" "$W/talk" \
    '^30[0-9a-f]{2}02010778[0-9a-f]{2}0a0102'
for bad in 3080020101 3084ffffffff 3103020101 \
    300c020101600702010304008000 30050201017700; do
	talk -t 0.3 127.0.0.1 "$TLSD_PORT" raw "$bad"
	file_has "ldap: $bad -> a Notice of Disconnection" "$W/talk" \
	    "^30[0-9a-f]{2}02010078[0-9a-f]{2}0a0102.*8a16$NOTICE_HEX\$"
done
sclient ldap "$TLSD_PORT" -CAfile "$P/ca-bundle.pem" -verify_return_error
check "ldap: still serving after bad BER" test $? = 0
LDAP_OUT=$TLSD_DIR/out.$(($(echo "$TLSD_PIDS" | wc -w) - 1))

# -- a normal smtp server shrugs off misbehaving clients
# hex TEXT: TEXT in lowercase hex
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
# the first bytes of a ClientHello, with no STARTTLS before
talk 127.0.0.1 "$SMTP_PORT" raw 160301020001
file_has "smtp: TLS without STARTTLS -> 500, closed" "$W/talk" \
    "$(hex '500 5.5.2 TLS data without STARTTLS')"
head -c 100000 /dev/zero | tr '\0' a >"$W/long"
talk 127.0.0.1 "$SMTP_PORT" raw "@$W/long"
file_has "smtp: a 100 KB line -> 500 line too long" "$W/talk" \
    "$(hex '500 5.5.2 line too long')"
talk -t 0.3 127.0.0.1 "$SMTP_PORT" raw 00ff0d0a "$(hex 'EHLO x')0d0a"
file_has "smtp: a line of binary -> 500" "$W/talk" "^.*$(hex '500 5.5.2 ')"
file_has "smtp: ... and the session goes on" "$W/talk" "$(hex '250-localhost')"
talk 127.0.0.1 "$SMTP_PORT" smtp "EHLO x" "MAIL FROM:<a@b>" "RCPT TO:<c@d>" \
    DATA
file_has "smtp: DATA -> 354" "$W/talk" '^354 '
sclient smtp "$SMTP_PORT" -CAfile "$P/ca-bundle.pem" -verify_return_error
check "smtp: still serving" test $? = 0
file_lacks "smtp: no traceback" "$SMTP_OUT" Traceback
file_lacks "ldap: no traceback" "$LDAP_OUT" Traceback

# -- lifetime, then stop everything
tlsd_start tls "$P/leaf.pem" "$P/leaf.key" --lifetime 1
_pid=$TLSD_PID
_i=0
while [ $_i -lt 40 ] && _tlsd_alive "$_pid"; do
	sleep 0.1
	_i=$((_i + 1))
done
if _tlsd_alive "$_pid"; then nok "--lifetime 1: exits by itself"; else
	ok "--lifetime 1: exits by itself"; fi

pids="$TLSD_PIDS $HTTPD_PID $BADHTTP_PIDS"
tlsd_stop
tlsd_stop
httpd_stop
badhttp_stop
left=""
for p in $pids; do
	_tlsd_alive "$p" && left="$left $p"
done
check "every server stopped (pids$pids)" test -z "$left"
ps -o pid=,args= --ppid $$ >"$W/children"
file_lacks "no child process left" "$W/children" '(python3|nginx|openssl)'
check "tlsd_stop removed its temp directory" test -z "$TLSD_DIR"

if [ "$fail" -gt 0 ]; then
	echo "$pass passed, $fail failed"
	exit 1
fi
echo "$pass passed, $fail failed"
exit 0
