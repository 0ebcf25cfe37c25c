#!/bin/sh
# AIA is no SSRF tool (the trust boundary, point 8): a caIssuers URL names
# whatever its certificate's maker chose, so without aia-private none that
# leads to a loopback, private, link-local or unspecified address is
# fetched, and no connection is even attempted (a listener on 127.0.0.1
# and ::1 counts the connections it is offered; nginx's access log stays
# empty); a redirect to another host is refused, naming both URLs; a
# closed port, a reset, a server that is not HTTP and one that never
# answers all read the same; through an http_proxy a name is asked for,
# an IP literal is not; and the AIA chases of two probes run at once.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"
LPID=""
server_cleanup 'server_stop $LPID'

aia_pki_start "$W/pki"
HP=$HTTPD_PORT

# a listener on 127.0.0.1 and [::1] (same port) that logs each connection
# it accepts ("count"), or resets it at once ("reset")
cat >"$W/listen.py" <<'EOF'
import socket, struct, sys, threading, time
portfile, mode, log = sys.argv[1], sys.argv[2], sys.argv[3]
s4 = socket.socket(); s4.bind(("127.0.0.1", 0)); s4.listen(16)
port = s4.getsockname()[1]
socks = [s4]
try:
    s6 = socket.socket(socket.AF_INET6); s6.bind(("::1", port)); s6.listen(16)
    socks.append(s6)
except OSError:
    pass
def serve(s):
    while True:
        c, a = s.accept()
        with open(log, "a") as f:
            f.write("connection from %s\n" % a[0])
        if mode == "reset":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        c.close()
for s in socks:
    threading.Thread(target=serve, args=(s,), daemon=True).start()
open(portfile + ".tmp", "w").write("%d %d\n" % (port, len(socks)))
import os; os.replace(portfile + ".tmp", portfile)
time.sleep(120)
EOF
# listen MODE NAME: LPORT and LV6 (1: ::1 too) of a new listener, its log
# $W/NAME.log
listen() {
	rm -f "$W/$2.port"
	: >"$W/$2.log"
	python3 "$W/listen.py" "$W/$2.port" "$1" "$W/$2.log" &
	LPID="$LPID $!"
	i=0
	while [ ! -s "$W/$2.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	read -r LPORT nsock <"$W/$2.port"
	LV6=$((nsock - 1))
}

# leaf NAME URL...: $P/NAME.pem (and .key), issued by the test
# intermediate, with one caIssuers URL per argument, in order
leaf() {
	n=$1
	shift
	a=""
	for u; do a="$a${a:+,}caIssuers;URI:$u"; done
	printf '%s\n' "basicConstraints = critical,CA:false" \
	    "subjectAltName = DNS:localhost,IP:127.0.0.1" \
	    "authorityKeyIdentifier = keyid" \
	    "authorityInfoAccess = $a" >"$P/$n.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$P/$n.key" -subj "/CN=$n" -out "$P/$n.csr" 2>/dev/null &&
	openssl x509 -req -in "$P/$n.csr" -CA "$P/int.pem" -CAkey \
	    "$P/int.key" -days 30 -extfile "$P/$n.ext" -out "$P/$n.pem" \
	    2>/dev/null || nok "the leaf $n is made"
}

# chase NAME [OPTION...]: probe --chase the saved chain of leaf NAME
# against the test root; stdout in $W/out
chase() {
	n=$1
	shift
	t0=$(date +%s)
	run 1 "$n: probe --chase $*: exit 1 (the store lacks the intermediate)" \
	    "$TB" probe --chase "$@" --bundle "$P/root.pem" --chain "$P/$n.pem"
	secs=$(($(date +%s) - t0))
}

# has DESCRIPTION ERE: stdout of the last run matches
has() {
	if grep -Eq -- "$2" "$W/out"; then ok "$1"; else
		nok "$1: stdout lacks /$2/"
		sed 's/^/#   /' "$W/out" | sed -n '/AIA:/,$p' | head -10
	fi
}

FIX_P="; give --aia-private for an internal PKI$"

# --- without aia-private: refused, and nothing connected to ---
listen count count
n0=$(grep -c . "$LOG")
refused() {	# NAME URL ADDRESS-TEXT
	leaf "$1" "$2"
	chase "$1"
	has "$1: '$2' is refused by policy, naming the address and the fix" \
	    "^  $(echo "$2" | sed 's/[]?*.[]/\\&/g'): refused: $3$FIX_P"
	check "$1: at once (no connection tried)" [ "$secs" -le 2 ]
}
refused loopback "http://127.0.0.1:$LPORT/int.der" \
    "the address 127.0.0.1 is loopback"
refused loopback-short "http://127.1:$LPORT/int.der" \
    "the address 127.0.0.1 is loopback"
refused loopback-nginx "$BASE/int.der" "the address 127.0.0.1 is loopback"
refused metadata "http://169.254.169.254/latest/meta-data/" \
    "the address 169.254.169.254 is link-local"
refused private10 "http://10.0.0.1/ca.crt" "the address 10.0.0.1 is private"
refused private192 "http://192.168.1.1/ca.crt" \
    "the address 192.168.1.1 is private"
refused unspecified "http://0.0.0.0:$LPORT/int.der" \
    "the address 0.0.0.0 is unspecified"
refused v6loopback "http://[::1]:$LPORT/int.der" "the address ::1 is loopback"
refused v6mapped "http://[::ffff:127.0.0.1]:$LPORT/int.der" \
    "the address ::ffff:127.0.0.1 is loopback"
refused v6linklocal "http://[fe80::1]/ca.crt" "the address fe80::1 is link-local"
refused localhost "http://localhost:$LPORT/int.der" \
    "the name localhost is loopback"
# a name that resolves to loopback (from /etc/hosts): refused where
# libcurl connects, after resolving it, before a socket exists
name=$(awk '$1 ~ /^127\./ { for (i = 2; i <= NF; i++) if ($i !~ /^#/ &&
    $i != "localhost" && $i !~ /\.localhost$/) { print $i; exit } }' \
    /etc/hosts 2>/dev/null)
if [ -n "$name" ] && getent hosts "$name" | grep -q '^127\.'; then
	addr=$(getent ahostsv4 "$name" | awk '{ print $1; exit }')
	refused hostsname "http://$name:$LPORT/int.der" \
	    "the address $addr is loopback"
else
	skipped "a name resolving to 127.x: none in /etc/hosts"
fi
sleep 0.3
check "the listener on 127.0.0.1 and ::1 was offered no connection" \
    [ ! -s "$W/count.log" ]
check "nginx was asked nothing" [ "$(grep -c . "$LOG")" = "$n0" ]
[ "$LV6" = 1 ] || skipped "no ::1 here: the [::1] listener is absent"

# --json marks each refused step
leaf json "http://10.0.0.1/ca.crt"
run 1 "--json: exit 1" "$TB" probe --chase --json --bundle "$P/root.pem" \
    --chain "$P/json.pem"
check "--json: the step is refused by policy" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["aia"][0]
assert s["refused"] is True and not s["ok"], s
assert s["result"] == "refused: the address 10.0.0.1 is private", s
' "$W/out"

# with --aia-private, the same loopback URL is fetched
chase loopback-nginx --aia-private
has "--aia-private: the loopback URL is fetched" \
    "int.der: CN=AIA Test Intermediate: the issuer of the certificate above"
has "--aia-private: and the chain verifies with it" \
    "fetched through AIA: verify=OK"
check "nginx served it" httpd_log_wait "^200 GET /int.der " 1

# --- update: refused in [probe NAME] without aia-private, the fix named ---
tlsd_smtp "$P/leaf.pem" "$P/leaf.key"
conf() {	# NAME [lines...]
	n=$1
	shift
	mkdir -p "$W/$n"
	{
		printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n' \
		    "$W/$n/bundle.crt" "$W/$n/certs" "$W/$n/state"
		printf 'hooks = %s\n[source roots]\nurl = %s\n' \
		    "$W/$n/hooks.d" "$P/root.pem"
		for l in "$@"; do echo "$l"; done
	} >"$W/$n.conf"
}
n0=$(grep -c "GET /int.der " "$LOG")
conf u "[probe smarthost]" "url = $SMTP"
run 0 "update: the anchors are published" "$TB" -c "$W/u.conf" update
err_has "update: the URL is refused, with the key that allows it" \
    "\\[probe smarthost\\]: .*: '$BASE/int.der': refused: the address 127.0.0.1 is loopback; set aia-private = yes in \\[probe smarthost\\] for an internal PKI"
err_has "update: the probe does not verify, for that reason (one line)" \
    "\\[probe smarthost\\]: $SMTP does not verify against the store being built: '$BASE/int.der': refused"
check "update: only the root is published" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/u/bundle.crt")" = 1 ]
sleep 0.3
check "update: nginx was not asked" \
    [ "$(grep -c "GET /int.der " "$LOG")" = "$n0" ]
conf u "[probe smarthost]" "url = $SMTP" "aia-private = yes"
run 0 "update with aia-private = yes publishes the intermediate" "$TB" -q \
    -c "$W/u.conf" update
check "the bundle holds it" grep -q "^# Subject: CN=AIA Test Intermediate$" \
    "$W/u/bundle.crt"
conf bad "[probe smarthost]" "url = $SMTP" "aia-private = maybe"
run 1 "aia-private = maybe: exit 1" "$TB" -c "$W/bad.conf" update
err_has "naming the line and the values" \
    "bad.conf': line [0-9]*: aia-private must be yes or no, not 'maybe'"
tlsd_stop

# --- redirects: only to the same host ---
# redirect NAME URL DESCRIPTION PATTERN: a leaf whose AIA is URL, chased
# with --aia-private; its stdout matches PATTERN
redirect() {
	leaf "$1" "$2"
	chase "$1" --aia-private
	has "$3" "$4"
}
n0=$(grep -c "GET /int.der " "$LOG")
redirect redir-other "$BASE/redirect/host/localhost:$HP/int.der" \
    "a redirect to another host is refused, naming both URLs" \
    "^  $BASE/redirect/host/localhost:$HP/int.der: redirected to 'http://localhost:$HP/int.der'; only redirects to the same host \\(http\\) are followed$"
redirect redir-port "$BASE/redirect/host/127.0.0.1:$LPORT/int.der" \
    "a redirect to another port of the host is refused" \
    "redirected to 'http://127.0.0.1:$LPORT/int.der'; only redirects to the same host"
redirect redir-meta "$BASE/redirect/host/169.254.169.254/latest/meta-data/" \
    "a redirect to the metadata address is refused" \
    "redirected to 'http://169.254.169.254/latest/meta-data/'; only redirects to the same host"
sleep 0.3
check "none of them reached the other host" \
    [ "$(grep -c "GET /int.der " "$LOG")" = "$n0" ]
check "(nor the listener)" [ ! -s "$W/count.log" ]
redirect redir-same "$BASE/redirect/to/int.der" \
    "a redirect within the same host is followed" \
    "redirect/to/int.der: CN=AIA Test Intermediate: the issuer"
redirect redir-chain "$BASE/redirect/chain/5/int.der" \
    "5 redirects within the host are followed" \
    "chain/5/int.der: CN=AIA Test Intermediate: the issuer"
redirect redir-6 "$BASE/redirect/chain/6/int.der" "6 are not" \
    "chain/6/int.der: more than 5 redirects"

# --- one text for a closed port, a reset, not HTTP and no answer ---
listen reset reset
RESET=$LPORT
badhttp_start garbage || nok "badhttp garbage starts"
GARBAGE=$BADHTTP_URL
badhttp_start stall || nok "badhttp stall starts"
STALL=$BADHTTP_URL
leaf opaque "http://127.0.0.1:9/closed.der" "http://127.0.0.1:$RESET/reset.der" \
    "$GARBAGE/garbage.der" "$STALL/stall.der"
chase opaque --aia-private
check "the reset listener was reached" [ -s "$W/reset.log" ]
sed -n 's/^  http:[^ ]*: //p' "$W/out" | sort -u >"$W/texts"
check "four failures, one text" [ "$(grep -c . "$W/texts"):$(grep -c \
    ': could not be fetched' "$W/out")" = 1:4 ]
check "which is 'could not be fetched' and the bound" grep -qx \
    "could not be fetched (no connection, or no complete answer within 10 s)" \
    "$W/texts"
check "no text of the socket layer leaks" sh -c \
    '! grep -Eiq "refused|reset|timed out|weird|HTTP/0.9|couldn.t" "$1"' \
    sh "$W/texts"

# --- through an http_proxy: a name is asked for, an IP literal is not ---
mkdir -p "$P/www/vhosts/pki.example.test"
cp "$P/www/int.der" "$P/www/vhosts/pki.example.test/int.der"
leaf proxied "http://pki.example.test/int.der"
run 1 "through the proxy: a name is fetched without --aia-private" env \
    http_proxy="$BASE" "$TB" probe --chase --bundle "$P/root.pem" \
    --chain "$P/proxied.pem"
has "(and the chain verifies with it)" "fetched through AIA: verify=OK"
check "the proxy was asked for it" \
    httpd_log_wait "^200 GET http://pki.example.test/int.der " 1
leaf proxied-ip "http://10.0.0.1/int.der" "http://127.0.0.1:$HP/int.der"
n0=$(grep -c . "$LOG")
run 1 "through the proxy: IP literals are still refused" env \
    http_proxy="$BASE" "$TB" probe --chase --bundle "$P/root.pem" \
    --chain "$P/proxied-ip.pem"
has "(10.0.0.1)" "10.0.0.1/int.der: refused: the address 10.0.0.1 is private"
has "(127.0.0.1)" "int.der: refused: the address 127.0.0.1 is loopback"
sleep 0.3
check "and the proxy was not asked" [ "$(grep -c . "$LOG")" = "$n0" ]

# --- the chases of two probes run at once ---
# each server's leaf names a URL of its own at a tarpit that never answers;
# one after the other they took two AIA timeouts (10 s each), at once one
leaf tarpit1 "$STALL/tarpit1.der"
leaf tarpit2 "$STALL/tarpit2.der"
tlsd_start tls "$P/tarpit1.pem" "$P/tarpit1.key" || nok "tlsd 1 starts"
T1=tls://127.0.0.1:$TLSD_PORT
tlsd_start tls "$P/tarpit2.pem" "$P/tarpit2.key" || nok "tlsd 2 starts"
T2=tls://127.0.0.1:$TLSD_PORT
conf tp "[probe t1]" "url = $T1" "aia-private = yes" \
    "[probe t2]" "url = $T2" "aia-private = yes"
t0=$(date +%s)
run 0 "two probes whose AIA URLs stall: update publishes the anchors" \
    timeout 60 "$TB" -c "$W/tp.conf" update
secs=$(($(date +%s) - t0))
echo "# two probes, one tarpit URL each: $secs s (one AIA timeout is 10 s)"
err_has "probe t1's URL could not be fetched" \
    "\\[probe t1\\]: $T1 does not verify against the store being built: '$STALL/tarpit1.der': could not be fetched"
err_has "probe t2's URL could not be fetched" \
    "\\[probe t2\\]: $T2 does not verify against the store being built: '$STALL/tarpit2.der': could not be fetched"
check "both stalled for one AIA timeout at least ($secs s)" [ "$secs" -ge 9 ]
check "both within about one AIA timeout, not two ($secs s < 16 s)" \
    [ "$secs" -lt 16 ]
tlsd_stop

done_testing
