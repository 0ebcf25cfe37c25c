#!/bin/sh
# update against a real nginx on 127.0.0.1: first fetch, a 304 that parses
# nothing and writes nothing, a changed upstream with its diff, the shrink
# guard, --diff, --offline, pins and checksum files, proxies, and each
# broken answer (404, 500, truncated, oversize, redirect to file://, slow)
# leaving the published store as it was with the message a user needs, and
# the bounds of a download (redirects, headers, the checksum file) at their
# edge: taken at the bound, refused one past it.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"

DOC=$W/doc
httpd_serve "$DOC" "$FIX/roots.pem"
U=$BASE

# conf NAME URL [more "key = value" lines of the source...]: a config in
# $W/NAME.conf publishing to $W/NAME/ with state in $W/NAME/state
conf() {
	_cf=$W/$1.conf
	conf_output "$W/$1" >"$_cf"
	printf '[fetch]\ntimeout = %s\nconnect-timeout = 5\n[source up]\nurl = %s\n' \
	    "${TO:-10}" "$2" >>"$_cf"
	shift 2
	[ $# = 0 ] || printf '%s\n' "$@" >>"$_cf"
}

# The store and the state, but not the lock file (a run writes its pid)
snap() {
	(cd "$1" && find . ! -name lock -printf '%p %y %l %m %T@\n' |
	    LC_ALL=C sort && find . -type f ! -name lock -print0 |
	    LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum
}

# requests STATUS PATH: how many such lines the access log has
requests() {
	grep -c "^$1 GET $2 " "$LOG"
}

# --- configuration errors ---
conf bad "$U/roots.pem"
echo "bundel = /x" >>"$W/bad.conf"
run 1 "an unknown key is an error" "$TB" -c "$W/bad.conf" update
err_has "it names the file, the line and the section" \
    "bad.conf': line 11: unknown key 'bundel' in \\[source\\]"
run 1 "a missing -c file is an error" "$TB" -c "$W/nonexistent.conf" update
err_has "naming the file" "nonexistent.conf'.*No such file"
run 1 "update takes no SOURCE arguments" "$TB" update "$FIX/roots.pem"
err_has "and says where sources come from" "configuration file"

# --- first fetch, then 304 ---
conf a "$U/roots.pem"
run 0 "first fetch publishes (exit 0)" "$TB" -c "$W/a.conf" update
check "nginx served it (200)" httpd_log_wait "^200 GET /roots.pem " 1
check "the bundle holds the two roots" \
    [ "$(pem_sha256s "$W/a/bundle.crt")" = "$(pem_sha256s "$FIX/roots.pem")" ]
check "openssl verifies against the CApath" openssl verify -CApath \
    "$W/a/certs" "$FIX/int-a.pem"
check "the download is cached under state" \
    cmp "$W/a/state/cache/up" "$FIX/roots.pem"
check "with its validators" grep -q '^etag "' "$W/a/state/cache/up.meta"
check "a first publication lists no diff (only the summary)" \
    [ "$(grep -c '^+ ' "$W/out")" = 0 ]
grep -q "2 anchors, 0 intermediates for server-auth: published" "$W/out" &&
    ok "the summary line" || nok "the summary line: $(cat "$W/out")"

before=$(snap "$W/a")
run 2 "second run: not modified, exit 2" "$TB" -v -c "$W/a.conf" update
check "nginx answered 304 to the conditional GET" \
    httpd_log_wait "^304 GET /roots.pem " 1
err_has "a 304 costs no parsing" "nothing to parse"
check "nothing was written (outputs and state)" \
    [ "$(snap "$W/a")" = "$before" ]
run 2 "-q and unchanged: exit 2" "$TB" -q -c "$W/a.conf" update
check "-q and unchanged: silent" [ ! -s "$W/out" ] && [ ! -s "$W/err" ]

# --- a changed upstream: exit 0 and the diff ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/c.key" -subj "/O=trustbuild test/CN=Test Root C" \
    -days 3650 -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$W/root-c.pem" 2>/dev/null
cat "$FIX/roots.pem" "$W/root-c.pem" >"$DOC/roots.pem"
touch -d '+1 minute' "$DOC/roots.pem"
csum=$(pem_sha256s "$W/root-c.pem")
run 0 "a changed upstream publishes (exit 0)" "$TB" -q -c "$W/a.conf" update
check "nginx sent the new body (200)" httpd_log_wait "^200 GET /roots.pem " 2
grep -qx "+ $csum CN=Test Root C,O=trustbuild test" "$W/out" &&
    ok "-q still shows the added root by SHA-256 and subject" ||
    nok "the diff line for root C: $(cat "$W/out")"
check "and the summary counts it" grep -q "published (1 added, 0 removed)" \
    "$W/out"
check "the bundle has three roots" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/a/bundle.crt")" = 3 ]

# --diff: what would change, nothing published
cp "$FIX/root-a.pem" "$DOC/roots.pem"
cat "$W/root-c.pem" >>"$DOC/roots.pem"
touch -d '+2 minutes' "$DOC/roots.pem"
before=$(snap "$W/a")
bsum=$(pem_sha256s "$FIX/root-b.pem")
run 0 "--diff with a change: exit 0" "$TB" -c "$W/a.conf" update --diff
check "--diff lists the removed root" grep -q "^- $bsum " "$W/out"
check "--diff says it would publish" grep -q "would publish" "$W/out"
check "--diff publishes nothing" \
    [ "$(pem_sha256s "$W/a/bundle.crt")" = "$(cat "$FIX/roots.pem" \
    "$W/root-c.pem" | (cat >"$W/abc.pem"; pem_sha256s "$W/abc.pem"))" ]

# --- the shrink guard: losing 1 of 3 roots is 33% > 10% ---
before=$(snap "$W/a")
run 1 "a set that shrinks past 10% is refused" "$TB" -c "$W/a.conf" update
err_has "with the numbers and the way out" \
    "drops 1 of the 3 root certificates.*33%.*--force"
check "and the store is untouched" [ "$(snap "$W/a")" = "$before" ]
run 0 "--force publishes it" "$TB" -c "$W/a.conf" update --force
check "the diff names the removed root" grep -q "^- $bsum " "$W/out"
printf '[output]\nshrink-limit = 50%%\n' >"$W/limit.conf"
sed -n '2,$p' "$W/a.conf" | sed 's/^\[output\]$//' >>"$W/limit.conf"
cp "$FIX/root-a.pem" "$DOC/roots.pem"
touch -d '+3 minutes' "$DOC/roots.pem"
run 0 "shrink-limit = 50% lets 1 of 2 go" "$TB" -c "$W/limit.conf" update

# --- a fetch that fails uses the cached copy ---
mv "$DOC/roots.pem" "$DOC/roots.pem.away"
before=$(snap "$W/a")
run 2 "upstream 404 with a cached copy: exit 2" "$TB" -q -c "$W/limit.conf" update
err_has "-q still reports the failure" "roots.pem': the server answered HTTP 404"
err_has "and that the cached copy is used" "using the copy cached on"
check "the store is untouched" [ "$(snap "$W/a")" = "$before" ]
mv "$DOC/roots.pem.away" "$DOC/roots.pem"

# --offline: no request at all
n=$(wc -l <"$LOG")
run 2 "--offline with a cache: exit 2" "$TB" -c "$W/limit.conf" update --offline
sleep 0.3
check "--offline made no request" [ "$(wc -l <"$LOG")" = "$n" ]
conf off "$U/never.pem"
run 1 "--offline with nothing cached: exit 1" "$TB" -c "$W/off.conf" update \
    --offline
err_has "saying how to get a cache" "nothing is cached.*without --offline"

# --- answers that never reach the store ---
# within 1 GiB of address space (lib.sh's AS_LIMIT)
# each: a fresh config and state, a published store made from a local
# copy first, then the broken source must leave it byte-identical.
# (Not "want": lib.sh's run sets that, and the message was then "1".)
broken() {
	name=$1
	url=$2
	msg=$3
	shift 3
	conf "$name" "$FIX/roots.pem"
	"$TB" -q -c "$W/$name.conf" update >/dev/null 2>&1
	conf "$name" "$url" "$@"
	before=$(snap "$W/$name")
	t0=$(date +%s)
	run 1 "$name: exit 1" sh -c "$AS_LIMIT exec \"\$@\"" sh "$TB" -q -c \
	    "$W/$name.conf" update
	err_has "$name: the message says what happened" "$msg"
	check "$name: the store is untouched" \
	    [ "$(snap "$W/$name")" = "$before" ]
	check "$name: within 20 s" [ $(($(date +%s) - t0)) -lt 20 ]
	check "$name: no temp files left" \
	    [ -z "$(find "$W/$name" -name '.*.tmp.*')" ]
}
broken http404 "$U/status/404" "status/404': the server answered HTTP 404; check the url"
broken http500 "$U/status/500" "answered HTTP 500"
broken nothing-cached "$U/status/500" "\\[source up\\]: nothing is cached in '.*/cache' to stand in for the download; .*: '.*/status/500': the server answered HTTP 500$"
broken redirfile "$U/redirect/file" "redirected to 'file:///etc/passwd'; only redirects to http URLs"
broken redirloop "$U/redirect/loop" "more than 5 redirects"
broken notcerts "$U/httpd-id" "no certificate"
head -c 300000 /dev/urandom | base64 >"$DOC/big.txt"
broken oversize "$U/big.txt" "larger than the limit of 1024 bytes; raise max-size" \
    "max-size = 1k"
# the edge of max-size: exactly the limit is taken, one byte more is not
{ head -c 1024 /dev/zero | tr '\0' '#'; echo; } >"$DOC/edge.pem"
cat "$FIX/root-a.pem" >>"$DOC/edge.pem"
sz=$(wc -c <"$DOC/edge.pem")
conf edge "$U/edge.pem" "max-size = $sz"
run 0 "a download of exactly max-size bytes is taken" "$TB" -q -c \
    "$W/edge.conf" update
conf edge1 "$U/edge.pem" "max-size = $((sz - 1))"
run 1 "one byte over max-size is refused" "$TB" -q -c "$W/edge1.conf" update
err_has "naming the limit" "larger than the limit of $((sz - 1)) bytes"
TO=2
broken slow "$U/slow/big.txt" "no complete answer within 2 s"
TO=10
broken pin "$U/roots.pem" "is not the pinned 0000000000000000000000000000000000000000000000000000000000000000" \
    "sha256 = 0000000000000000000000000000000000000000000000000000000000000000"
sha256sum "$DOC/roots.pem" | sed 's/ .*/  roots.pem/' >"$DOC/roots.pem.sha256"
echo "0123456789012345678901234567890123456789012345678901234567890123  roots.pem" \
    >"$DOC/wrong.sha256"
broken checksum "$U/roots.pem" "is not 0123456789.* from '.*wrong.sha256'; the download is refused" \
    "sha256-url = $U/wrong.sha256"
broken nochecksum "$U/roots.pem" "holds no SHA-256" "sha256-url = $U/httpd-id"
# a SHA256SUMS of several files, none of them this one
{
	echo "0123456789012345678901234567890123456789012345678901234567890123  other.pem"
	echo "$(sha256sum "$DOC/roots.pem" | cut -c1-64) *dir/roots.pem.old"
} >"$DOC/SUMS-none"
broken sums-none "$U/roots.pem" \
    "\\[source up\\]: .*'$U/SUMS-none': 2 SHA-256 lines, none for 'roots.pem'; the download is refused" \
    "sha256-url = $U/SUMS-none"

if badhttp_start truncated "$FIX/roots.pem"; then
	broken truncated "$BADHTTP_URL/roots.pem" "cut short after"
fi
if badhttp_start huge; then
	broken huge "$BADHTTP_URL/huge" "larger than the limit of 67108864 bytes"
fi
if badhttp_start headers-flood; then
	broken headers "$BADHTTP_URL/x" "headers pass 65536 bytes"
fi
if badhttp_start garbage; then
	broken garbage "$BADHTTP_URL/x" "'http://127.0.0.1:[0-9]*/x': "
fi
if badhttp_start stall; then
	TO=3
	broken stall "$BADHTTP_URL/x" "no complete answer within 3 s"
	TO=10
fi

# --- each bound of a download at its edge: the bound is taken and
# published, one past it is refused with the store byte-identical.  The
# files served hold the same roots as the store "broken" publishes first,
# so nothing but the bound can refuse them ---
# published NAME FILE: $W/NAME's bundle holds the certificates of FILE
published() {
	[ "$(pem_sha256s "$W/$1/bundle.crt")" = "$(pem_sha256s "$2")" ]
}

# redirects, at most 5 (FETCH_MAX_REDIRECTS): /redirect/chain/N/NAME is
# N 302s in a row (tests/harness/httpd.sh)
cp "$FIX/roots.pem" "$DOC/chain5.pem"
cp "$FIX/roots.pem" "$DOC/chain6.pem"
conf chain5 "$U/redirect/chain/5/chain5.pem"
run 0 "5 redirects in a row are followed" "$TB" -q -c "$W/chain5.conf" update
check "and what the fifth points at is published" published chain5 \
    "$DOC/chain5.pem"
check "nginx answered 5 redirects, then the file" \
    httpd_log_wait "^200 GET /chain5.pem " 1
check "(one 302 at each hop)" [ "$(grep -c \
    '^302 GET /redirect/chain/[1-5]/chain5.pem ' "$LOG")" = 5 ]
broken chain6 "$U/redirect/chain/6/chain6.pem" \
    "redirect/chain/6/chain6.pem': more than 5 redirects \\(last to 'http://127.0.0.1:$HTTPD_PORT/chain6.pem'\\)$"
check "chain6: nginx gave all 6 redirects" \
    httpd_log_wait "^302 GET /redirect/chain/1/chain6.pem " 1
sleep 0.3
check "chain6: its Location was never asked for" \
    [ "$(requests 200 /chain6.pem)" = 0 ]

# download headers, at most 65536 bytes (FETCH_MAX_HEADERS), counted as
# libcurl hands them to the header callback: the status line, each header
# line and the empty line that ends them, each with its CRLF
# head_bytes URL: the size of the head of URL's answer, by a client of
# our own (up to 5 s)
head_bytes() {
	python3 -c '
import socket, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = socket.create_connection((u.hostname, u.port), timeout=5)
c.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % u.path.encode())
b = b""
while b"\r\n\r\n" not in b:
    d = c.recv(65536)
    if not d:
        break
    b += d
print(b.index(b"\r\n\r\n") + 4 if b"\r\n\r\n" in b else -1)
' "$1"
}
if badhttp_start headers-size 65536 "$FIX/roots.pem"; then
	check "badhttp sends a head of 65536 bytes" \
	    [ "$(head_bytes "$BADHTTP_URL/roots.pem")" = 65536 ]
	conf head64k "$BADHTTP_URL/roots.pem"
	run 0 "headers of exactly 65536 bytes are taken" "$TB" -q -c \
	    "$W/head64k.conf" update
	check "and the body after them is published" published head64k \
	    "$FIX/roots.pem"
else
	nok "badhttp headers-size 65536 starts"
fi
if badhttp_start headers-size 65537 "$FIX/roots.pem"; then
	check "badhttp sends a head of 65537 bytes" \
	    [ "$(head_bytes "$BADHTTP_URL/roots.pem")" = 65537 ]
	broken head64k1 "$BADHTTP_URL/roots.pem" \
	    "roots.pem': the answer's headers pass 65536 bytes; refused$"
else
	nok "badhttp headers-size 65537 starts"
fi

# the checksum file, at most 65536 bytes (CHECKSUM_MAX in cmd_update.c),
# its bytes as served (nginx sends a Content-Length).  The SHA-256 is on
# its last line, after lines of "#" (no hex digit: skipped), so the whole
# file is read.  mksum FILE SIZE
cp "$FIX/roots.pem" "$DOC/sumroots.pem"
sumline="$(sha256sum "$DOC/sumroots.pem" | cut -c1-64)  sumroots.pem"
mksum() {
	awk -v n=$(($2 - ${#sumline} - 1)) -v l="$sumline" 'BEGIN {
	    s = "#"
	    while (length(s) < 64)
		s = s s
	    for (; n > 65; n -= 65)
		print s
	    if (n > 0)
		print substr(s, 1, n - 1)
	    print l
	}' >"$1"
}
mksum "$DOC/sum-65536.sha256" 65536
mksum "$DOC/sum-65537.sha256" 65537
check "the checksum files are 65536 and 65537 bytes" [ "$(wc -c \
    <"$DOC/sum-65536.sha256") $(wc -c <"$DOC/sum-65537.sha256")" = \
    "65536 65537" ]
conf sum64k "$U/sumroots.pem" "sha256-url = $U/sum-65536.sha256"
run 0 "a checksum file of exactly 65536 bytes is taken" "$TB" -q -c \
    "$W/sum64k.conf" update
check "and the download it vouches for is published" published sum64k \
    "$DOC/sumroots.pem"
broken sum64k1 "$U/sumroots.pem" \
    "\\[source up\\]: .*: checksum file '$U/sum-65537.sha256': larger than the limit of 65536 bytes; check sha256-url: without it the download is refused$" \
    "sha256-url = $U/sum-65537.sha256"
check "sum64k1: no advice to raise max-size (it does not apply)" \
    sh -c '! grep -q max-size "$1"' sh "$W/err"

# --- a progress bar on a terminal, none with -q or without one ---
if command -v script >/dev/null 2>&1; then
	{ cat "$FIX/roots.pem"; head -c 1500 /dev/zero | tr '\0' '#'; echo; } \
	    >"$DOC/padded.pem"
	conf tty "$U/slow/padded.pem"
	script -qec "\"$TB\" -c \"$W/tty.conf\" update" /dev/null >"$W/tty.out" 2>&1
	check "on a terminal a slow download draws a progress bar" \
	    grep -q "up  *\[[#.]*\] *[0-9]*% .* KiB of .* KiB" "$W/tty.out"
	conf ttyq "$U/slow/padded.pem"
	script -qec "\"$TB\" -q -c \"$W/ttyq.conf\" update" /dev/null \
	    >"$W/tty.out" 2>&1
	check "with -q it draws none" sh -c '! grep -q "KiB" "$1"' sh "$W/tty.out"
	conf notty "$U/slow/padded.pem"
	run 0 "without a terminal none either" "$TB" -c "$W/notty.conf" update
	check "(nothing on stderr)" sh -c '! grep -q "KiB" "$1"' sh "$W/err"
else
	skipped "progress bar: no script(1)"
fi

# --- good answers by other ways ---
conf redir "$U/redirect/to/roots.pem"
run 0 "a same-scheme redirect is followed" "$TB" -q -c "$W/redir.conf" update
conf sum "$U/roots.pem" "sha256-url = $U/roots.pem.sha256"
run 0 "a download matching its checksum file is published" \
    "$TB" -q -c "$W/sum.conf" update
# a SHA256SUMS of several files: the line naming this one, in either
# format, with a path or sha256sum's binary '*'
good=$(sha256sum "$DOC/roots.pem" | cut -c1-64)
bad=0123456789012345678901234567890123456789012345678901234567890123
printf '%s  a.pem\n%s *./pub/roots.pem\n%s  z.pem\n' "$bad" "$good" "$bad" \
    >"$DOC/SUMS-gnu"
printf 'SHA256 (a.pem) = %s\r\nSHA256 (roots.pem) = %s\r\n' "$bad" "$good" \
    >"$DOC/SUMS-bsd"
for f in gnu bsd; do
	conf "sums-$f" "$U/roots.pem?x=1" "sha256-url = $U/SUMS-$f"
	run 0 "a $f-style SHA256SUMS: the line for roots.pem is used" \
	    "$TB" -q -c "$W/sums-$f.conf" update
done
conf pinned "$U/roots.pem" "sha256 = $(sha256sum "$DOC/roots.pem" | cut -c1-64)"
run 0 "a download matching its pin is published" "$TB" -q -c "$W/pinned.conf" update

# http_proxy is honoured: nginx answers an absolute-URI request for
# another host from DOCROOT/vhosts/HOST (tests/harness/httpd.sh), so a host that
# does not exist is reached through it
mkdir -p "$DOC/vhosts/upstream.invalid"
cp "$FIX/roots.pem" "$DOC/vhosts/upstream.invalid/roots.pem"
conf proxy "http://upstream.invalid/roots.pem"
run 0 "http_proxy is used" env http_proxy="$U" "$TB" -q -c "$W/proxy.conf" update
check "the request went through the proxy" \
    httpd_log_wait "^200 GET http://upstream.invalid/roots.pem " 1
run 2 "without the proxy the host is not found: the cached copy" \
    env -u http_proxy -u HTTP_PROXY "$TB" -q -c "$W/proxy.conf" update
err_has "the failure is reported" "upstream.invalid/roots.pem': Could not resolve"
err_has "and that the cached copy is used" "using the copy cached on"

done_testing
