#!/bin/sh
# mkpki.sh OUTDIR AIA_BASE_URL: a test PKI for chasing AIA caIssuers URLs,
# made with the openssl CLI only (EC P-256 keys, "openssl ca" with an
# extensions file per certificate).  Every certificate is valid from
# yesterday until 3650 days from now, but the expired one.
#	sh tests/harness/mkpki.sh "$W/pki" "$HTTPD_URL"
# AIA_BASE_URL ($BASE) is where OUTDIR/www is served, e.g. by nginx from
# tests/harness/httpd.sh, started first so that its URL can go into the
# certificates: http://127.0.0.1:PORT, no trailing slash needed.  Every
# file an AIA URL names is written under OUTDIR/www; OUTDIR/README says
# what each file is for.  Keys and certificates are PEM in OUTDIR, each
# leaf with its own key (leaf-X.pem, leaf-X.key), every leaf with CN=
# localhost and SAN DNS:localhost, IP:127.0.0.1, IP:::1, so any of them
# can be served by tests/harness/tlsd.py.  STALL_URL (optional, a whole URL or a
# bare port of 127.0.0.1) adds leaf-stall.pem whose caIssuers is there.
#
# Existing files of the same names are replaced; nothing else in OUTDIR is
# touched (OUTDIR/www may already be nginx's docroot).  Before it exits 0,
# the script checks with "openssl verify" that each chain verifies or
# fails for the reason it is there for, and exits 1 naming any that does
# not.
set -eu
if [ $# -ne 2 ]; then
	echo "usage: sh mkpki.sh OUTDIR AIA_BASE_URL" >&2
	exit 2
fi
BASE=${2%/}
case $BASE in
http://?*) ;;
*)
	echo "mkpki.sh: '$2': the base URL must be" \
	    "http://HOST[:PORT][/PATH]" >&2
	exit 2 ;;
esac
# what openssl.cnf or an AIA list would take for syntax
for _m_u in "$BASE" "${STALL_URL:-}"; do
	case $_m_u in
	*[\ \	,\;\$\#\"\'\\]*)
		echo "mkpki.sh: '$_m_u': no blanks , ; \$ # quotes or \\ in" \
		    "a URL" >&2
		exit 2 ;;
	esac
done
# key, ca_init
. "$(dirname "$0")/ca.sh"
mkdir -p "$1/www"
cd "$1"
OUT=$(pwd)

# openssl ca's state, begun anew each run
ca_init ca/ca.cnf

# GNU date, else BSD date
START=$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ 2>/dev/null) ||
	START=$(date -u -v-1d +%Y%m%d%H%M%SZ)
DAYS=3650

# ext_ca PATHLEN [AIA-URL]: a CA's extensions in ca/ext
ext_ca() {
	{
		echo "basicConstraints = critical,CA:true${1:+,pathlen:$1}"
		echo "keyUsage = critical,keyCertSign,cRLSign"
		echo "subjectKeyIdentifier = hash"
		echo "authorityKeyIdentifier = keyid"
		[ -n "${2:-}" ] && echo "authorityInfoAccess = caIssuers;URI:$2"
		:
	} >ca/ext
}

# ext_leaf [AIA-URL...]: a TLS server's extensions in ca/ext, with one
# caIssuers access description per URL, in order
ext_leaf() {
	{
		echo "basicConstraints = critical,CA:false"
		echo "keyUsage = critical,digitalSignature"
		echo "extendedKeyUsage = serverAuth"
		echo "subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1"
		echo "subjectKeyIdentifier = hash"
		echo "authorityKeyIdentifier = keyid"
		if [ $# -gt 0 ]; then
			_m_aia=""
			for _m_u; do
				_m_aia="$_m_aia${_m_aia:+,}caIssuers;URI:$_m_u"
			done
			echo "authorityInfoAccess = $_m_aia"
		fi
	} >ca/ext
}

# cert NAME SUBJECT ISSUER [KEYNAME [STARTDATE ENDDATE]]: NAME.pem with
# the extensions in ca/ext and the public key of KEYNAME.key (made if
# absent; default NAME), signed by ISSUER.pem/ISSUER.key, or self-signed
# if ISSUER is "self"
cert() {
	_m_k=${4:-$1}
	_m_start=${5:-$START}
	_m_end=${6:-}
	[ -f "$_m_k.key" ] || key "$_m_k"
	openssl req -new -key "$_m_k.key" -subj "$2" -out ca/req.csr \
	    2>/dev/null
	_m_name=$1
	if [ "$3" = self ]; then
		set -- -selfsign -keyfile "$_m_k.key"
	else
		set -- -cert "$3.pem" -keyfile "$3.key"
	fi
	if [ -n "$_m_end" ]; then
		set -- "$@" -startdate "$_m_start" -enddate "$_m_end"
	else
		set -- "$@" -startdate "$_m_start" -days "$DAYS"
	fi
	if ! openssl ca -batch -config ca/ca.cnf -notext -preserveDN \
	    -extfile ca/ext "$@" -in ca/req.csr -out "$_m_name.pem" \
	    >ca/log 2>&1; then
		echo "mkpki.sh: $_m_name: openssl ca failed:" >&2
		cat ca/log >&2
		exit 1
	fi
}

# der NAME: www/NAME.der from NAME.pem
der() {
	openssl x509 -in "$1.pem" -outform DER -out "www/$1.der"
}

# leaf NAME ISSUER AIA-URL...: leaf-NAME.pem, leaf-NAME.key
leaf() {
	_m_n=$1
	_m_i=$2
	shift 2
	ext_leaf "$@"
	cert "leaf-$_m_n" /CN=localhost "$_m_i"
}

# random NAME BYTES: www/NAME, random bytes that are no DER (0xff first)
random() {
	printf '\377' >"www/$1"
	openssl rand -out ca/rand "$(($2 - 1))"
	cat ca/rand >>"www/$1"
	rm -f ca/rand
}

# -- the good chain: root -> int -> leaf
ext_ca ""
cert root "/CN=AIA Test Root" self
ext_ca 0 "$BASE/root.der"
cert int "/CN=AIA Test Intermediate" root
ext_leaf "$BASE/int.der"
cert leaf /CN=localhost int
der root
der int
cat root.pem int.pem >ca-bundle.pem
cat leaf.pem int.pem >leaf-chain.pem

# -- the same intermediate in the other forms
cp int.pem www/int.pem
openssl crl2pkcs7 -nocrl -certfile int.pem -outform DER -out www/int.p7c
openssl crl2pkcs7 -nocrl -certfile int.pem -out www/int-p7.pem
leaf p7c int "$BASE/int.p7c"
leaf pem int "$BASE/int.pem"
leaf p7pem int "$BASE/int-p7.pem"
# the first URL is dead: nothing listens on the discard port
leaf 2urls int http://127.0.0.1:9/dead.der "$BASE/int.der"

# -- a deeper chain: root -> int1 -> int2 -> leaf-deep
ext_ca 1 "$BASE/root.der"
cert int1 "/CN=AIA Test Int One" root
ext_ca 0 "$BASE/int1.der"
cert int2 "/CN=AIA Test Int Two" int1
der int1
der int2
leaf deep int2 "$BASE/int2.der"
cat leaf-deep.pem int2.pem int1.pem >leaf-deep-chain.pem

# -- hostile answers
# a self-signed CA named like the intermediate, which signs its leaf:
# admitted as an anchor, it would make leaf-selfsigned "verify"
ext_ca ""
cert evil-root "/CN=AIA Test Intermediate" self
der evil-root
leaf selfsigned evil-root "$BASE/evil-root.der"

# the intermediate's name, signed by the root, but another key, and no
# subjectKeyIdentifier, so that only the signature tells it from int
{
	echo "basicConstraints = critical,CA:true,pathlen:0"
	echo "keyUsage = critical,keyCertSign,cRLSign"
	echo "subjectKeyIdentifier = none"
	echo "authorityInfoAccess = caIssuers;URI:$BASE/root.der"
} >ca/ext
cert wrongkey "/CN=AIA Test Intermediate" root
der wrongkey
leaf wrongkey int "$BASE/wrongkey.der"

# the issuer of leaf-nonca, signed by the root, but CA:false and no
# keyUsage, so that only basicConstraints says it may not issue
{
	echo "basicConstraints = critical,CA:false"
	echo "subjectKeyIdentifier = hash"
	echo "authorityInfoAccess = caIssuers;URI:$BASE/root.der"
} >ca/ext
cert nonca "/CN=AIA Test Not A CA" root
der nonca
leaf nonca nonca "$BASE/nonca.der"

# the intermediate, its very key, but valid in 2010 only
ext_ca 0 "$BASE/root.der"
cert expired "/CN=AIA Test Intermediate" root int 20100101000000Z \
    20110101000000Z
der expired
leaf expired int "$BASE/expired.der"

random garbage.der 4096
leaf garbage int "$BASE/garbage.der"
leaf ldap int "ldap://127.0.0.1/cn=x?cACertificate"
leaf file int file:///etc/ssl/certs/ca-certificates.crt
random big.der 10485760
leaf big int "$BASE/big.der"

# two CAs that issued each other, each AIA naming the other; neither
# reaches the root.  A first, self-signed "Loop B" with B's key issues A
ext_ca "" "$BASE/loop-b.der"
cert loop-b0 "/CN=Loop B" self loop-b
cp loop-b.key loop-b0.key
cert loop-a "/CN=Loop A" loop-b0
# the self-signed B0 must not stand in for the real B below
rm -f loop-b0.pem loop-b0.key
ext_ca "" "$BASE/loop-a.der"
cert loop-b "/CN=Loop B" loop-a
der loop-a
der loop-b
leaf loop loop-a "$BASE/loop-a.der"

leaf redirloop int "$BASE/redirect/loop"
rm -f leaf-stall.pem leaf-stall.key
case ${STALL_URL:-} in
"") ;;
*[!0-9]*) leaf stall int "$STALL_URL" ;;
*) leaf stall int "http://127.0.0.1:$STALL_URL/stall.der" ;;
esac

# -- the bounds of aia.h, each at its edge and one past it
# padded NAME SIZE FILE: www/NAME, exactly SIZE bytes: lines of text, which
# a PEM reader skips before BEGIN (and no first byte 0x30, which would
# make it DER), then FILE
padded() {
	awk -v n="$(($2 - $(wc -c <"$3")))" 'BEGIN {
		t = "# text before BEGIN is no part of PEM: padding"
		while (length(t) < 63)
			t = t "."
		for (; n > 0; n -= l) {
			l = n > 64 ? 64 : n
			print substr(t, 1, l - 1)
		}
	}' >"www/$1"
	cat "$3" >>"www/$1"
}
# AIA_MAX_ANSWER: an answer of 65536 bytes, and one of 65537
padded int-64k.pem 65536 int.pem
padded int-64k1.pem 65537 int.pem
leaf 64k int "$BASE/int-64k.pem"
leaf 64k1 int "$BASE/int-64k1.pem"

# AIA_MAX_CERTS: 16 certificates in one answer, int the last of them, and
# 17; the others are CAs by root (made in ca/, one key for all), in
# PKCS#7 (DER) and in PEM
ext_ca 0
: >ca/fillers.pem
i=1
while [ $i -le 16 ]; do
	cert "ca/filler$i" "/CN=AIA Test Filler $i" root ca/filler
	cat "ca/filler$i.pem" >>ca/fillers.pem
	[ $i = 15 ] && cat ca/fillers.pem int.pem >www/certs16.pem
	i=$((i + 1))
done
cat ca/fillers.pem int.pem >www/certs17.pem
for f in certs16 certs17; do
	openssl crl2pkcs7 -nocrl -certfile "www/$f.pem" -outform DER \
	    -out "www/$f.p7c"
	leaf "$f" int "$BASE/$f.p7c"
	leaf "${f}pem" int "$BASE/$f.pem"
done

# AIA_MAX_URLS: int at the 5th caIssuers URL after four that are 404, and
# at the 6th after five
cp www/int.der www/int-5th.der
cp www/int.der www/int-6th.der
leaf 5urls int "$BASE/absent/1.der" "$BASE/absent/2.der" \
    "$BASE/absent/3.der" "$BASE/absent/4.der" "$BASE/int-5th.der"
leaf 6urls int "$BASE/absent/1.der" "$BASE/absent/2.der" \
    "$BASE/absent/3.der" "$BASE/absent/4.der" "$BASE/absent/5.der" \
    "$BASE/int-6th.der"

# AIA_MAX_DEPTH: nine CAs in a line below root, each AIA naming its
# issuer; the leaf of level 8 lacks 8 levels, that of level 9 lacks 9
ext_ca "" "$BASE/root.der"
cert level1 "/CN=AIA Test Level 1" root
der level1
i=2
while [ $i -le 9 ]; do
	ext_ca "" "$BASE/level$((i - 1)).der"
	cert "level$i" "/CN=AIA Test Level $i" "level$((i - 1))"
	der "level$i"
	i=$((i + 1))
done
leaf depth8 level8 "$BASE/level8.der"
leaf depth9 level9 "$BASE/level9.der"

cat >README <<EOF
A test PKI for AIA caIssuers chasing, made by tests/harness/mkpki.sh; \$BASE is
$BASE, where www/ is served.  Every leaf is CN=localhost, SAN
DNS:localhost, IP:127.0.0.1, IP:::1, serverAuth, with its .key beside it.

root.pem, root.key      CN=AIA Test Root, self-signed: the only anchor
int.pem, int.key        CN=AIA Test Intermediate, by root, pathlen:0, AIA \$BASE/root.der
leaf.pem, leaf.key      by int, AIA \$BASE/int.der: the leaf alone verifies only after int is fetched
ca-bundle.pem           root + int: with it, leaf.pem verifies without any fetch
leaf-chain.pem          leaf + int: a server that sends its whole chain
www/root.der, www/int.der  what the AIA URLs above fetch (DER)
leaf-p7c.pem            AIA \$BASE/int.p7c: certs-only PKCS#7 in DER is understood
leaf-pem.pem            AIA \$BASE/int.pem: a PEM answer is understood
leaf-p7pem.pem          AIA \$BASE/int-p7.pem: PKCS#7 in PEM is understood
leaf-2urls.pem          AIA http://127.0.0.1:9/dead.der then \$BASE/int.der: a dead first URL is skipped
int1.pem, int2.pem      CN=AIA Test Int One (by root, pathlen:1, AIA root.der), CN=AIA Test Int Two (by int1, pathlen:0, AIA int1.der)
leaf-deep.pem           by int2, AIA \$BASE/int2.der: two fetches, int2 then int1, complete the chain
leaf-deep-chain.pem     leaf-deep + int2 + int1
evil-root.pem           self-signed CA named CN=AIA Test Intermediate: a fetched self-signed cert is never admitted
leaf-selfsigned.pem     by evil-root, AIA \$BASE/evil-root.der: must not verify (openssl: error 19)
wrongkey.pem            CN=AIA Test Intermediate by root, another key, no SKI: the name matches, the signature does not
leaf-wrongkey.pem       by int, AIA \$BASE/wrongkey.der: must not verify (openssl: error 7)
nonca.pem               CN=AIA Test Not A CA by root, CA:false, no keyUsage: not allowed to issue
leaf-nonca.pem          by nonca, AIA \$BASE/nonca.der: must not verify (openssl 3: error 79, invalid CA certificate)
expired.pem             CN=AIA Test Intermediate by root with int's key, valid 2010-2011 only
leaf-expired.pem        by int, AIA \$BASE/expired.der: the fetched issuer has expired (openssl: error 10)
leaf-garbage.pem        AIA \$BASE/garbage.der: 4 KB of random bytes, no certificate
leaf-ldap.pem           AIA ldap://127.0.0.1/cn=x?cACertificate: a scheme that is not fetched
leaf-file.pem           AIA file:///etc/ssl/certs/ca-certificates.crt: a local file is never read
leaf-big.pem            AIA \$BASE/big.der: 10 MB of random bytes: the size cap
loop-a.pem, loop-b.pem  CN=Loop A by Loop B, CN=Loop B by Loop A, AIA pointing at each other, no way to root
leaf-loop.pem           by loop-a, AIA \$BASE/loop-a.der: chasing ends (depth, seen set) without verifying
leaf-redirloop.pem      AIA \$BASE/redirect/loop: a redirect loop (tests/harness/httpd.sh) ends
leaf-stall.pem          (with STALL_URL only) AIA there: a server that never answers hits the timeout
The bounds of src/aia.h, each at its edge and one past it:
leaf-64k.pem            AIA \$BASE/int-64k.pem: int.pem after text lines, 65536 bytes in all: the size cap, met
leaf-64k1.pem           AIA \$BASE/int-64k1.pem: the same, 65537 bytes: one byte past it
leaf-certs16.pem        AIA \$BASE/certs16.p7c: PKCS#7 (DER) of 16 certificates, 15 other CAs by root, then int
leaf-certs17.pem        AIA \$BASE/certs17.p7c: 17 certificates, 16 other CAs, then int: one past the count cap
leaf-certs16pem.pem     AIA \$BASE/certs16.pem: the same 16 certificates as PEM
leaf-certs17pem.pem     AIA \$BASE/certs17.pem: the same 17 as PEM
leaf-5urls.pem          AIA \$BASE/absent/1.der .. 4.der (404), then \$BASE/int-5th.der: int at the 5th URL
leaf-6urls.pem          AIA \$BASE/absent/1.der .. 5.der (404), then \$BASE/int-6th.der: int at the 6th, never tried
level1.pem .. level9.pem  CN=AIA Test Level 1 (by root, AIA root.der) .. Level 9 (by Level 8, AIA level8.der)
leaf-depth8.pem         by level8, AIA \$BASE/level8.der: 8 fetches complete the chain
leaf-depth9.pem         by level9, AIA \$BASE/level9.der: 9 levels are missing, one past the depth cap
www/                    int.der int.p7c int.pem int-p7.pem root.der int1.der int2.der evil-root.der wrongkey.der nonca.der expired.der garbage.der big.der loop-a.der loop-b.der int-64k.pem int-64k1.pem certs16.p7c certs17.p7c certs16.pem certs17.pem int-5th.der int-6th.der level1.der .. level9.der
ca/                     openssl ca's database and config (of no use to tests)
EOF

# -- the checks: verify ARGS... prints "OK" or the first error's number
verify() {
	_m_out=$(openssl verify -CAfile root.pem "$@" 2>&1) || :
	case $_m_out in
	*": OK") echo OK ;;
	*) echo "$_m_out" | sed -n 's/^error \([0-9]*\) at.*/\1/p' | head -1 ;;
	esac
}
bad=0
# verify_is WANT DESCRIPTION VERIFY-ARGS...
verify_is() {
	_m_want=$1
	_m_d=$2
	shift 2
	_m_got=$(verify "$@")
	if [ "$_m_got" != "$_m_want" ]; then
		echo "mkpki.sh: $_m_d: openssl verify says '$_m_got'," \
		    "not '$_m_want'" >&2
		bad=1
	fi
}
# pem FILE FORM: the certificates of a www file as PEM in ca/FILE.pem
pem() {
	case $2 in
	der) openssl x509 -inform DER -in "www/$1" -out "ca/$1.pem" ;;
	p7der) openssl pkcs7 -inform DER -in "www/$1" -print_certs \
	    -out "ca/$1.pem" ;;
	p7pem) openssl pkcs7 -in "www/$1" -print_certs -out "ca/$1.pem" ;;
	pem) cp "www/$1" "ca/$1.pem" ;;
	esac
}
for f in int.der:der int.p7c:p7der int.pem:pem int-p7.pem:p7pem \
    int1.der:der int2.der:der evil-root.der:der wrongkey.der:der \
    nonca.der:der expired.der:der loop-a.der:der loop-b.der:der; do
	pem "${f%:*}" "${f#*:}"
done
verify_is OK "leaf with int" -untrusted ca/int.der.pem leaf.pem
verify_is 20 "leaf alone" leaf.pem
verify_is OK "leaf-p7c with int.p7c" -untrusted ca/int.p7c.pem leaf-p7c.pem
verify_is OK "leaf-pem with int.pem" -untrusted ca/int.pem.pem leaf-pem.pem
verify_is OK "leaf-p7pem with int-p7.pem" -untrusted ca/int-p7.pem.pem \
    leaf-p7pem.pem
verify_is OK "leaf-2urls with int.der" -untrusted ca/int.der.pem leaf-2urls.pem
cat ca/int2.der.pem ca/int1.der.pem >ca/deep.pem
verify_is OK "leaf-deep with int2 and int1" -untrusted ca/deep.pem leaf-deep.pem
verify_is 20 "leaf-deep with int2 only" -untrusted ca/int2.der.pem leaf-deep.pem
verify_is 19 "leaf-selfsigned with evil-root" -untrusted ca/evil-root.der.pem \
    leaf-selfsigned.pem
verify_is 7 "leaf-wrongkey with wrongkey" -untrusted ca/wrongkey.der.pem \
    leaf-wrongkey.pem
verify_is 79 "leaf-nonca with nonca" -untrusted ca/nonca.der.pem leaf-nonca.pem
verify_is 10 "leaf-expired with expired" -untrusted ca/expired.der.pem \
    leaf-expired.pem
cat ca/loop-a.der.pem ca/loop-b.der.pem >ca/loop.pem
verify_is 20 "leaf-loop with loop-a and loop-b" -untrusted ca/loop.pem \
    leaf-loop.pem
for f in int-64k.pem:65536 int-64k1.pem:65537; do
	if [ "$(wc -c <"www/${f%:*}")" != "${f#*:}" ]; then
		echo "mkpki.sh: www/${f%:*} is not ${f#*:} bytes" >&2
		bad=1
	fi
done
# ncerts FILE FORM: how many certificates a www file holds
ncerts() {
	pem "$1" "$2"
	grep -c -- '-----BEGIN CERTIFICATE-----' "ca/$1.pem"
}
for f in certs16.p7c:p7der:16 certs17.p7c:p7der:17 certs16.pem:pem:16 \
    certs17.pem:pem:17; do
	_m_f=${f%%:*}
	_m_n=${f##*:}
	_m_form=${f#*:}
	_m_form=${_m_form%:*}
	if [ "$(ncerts "$_m_f" "$_m_form")" != "$_m_n" ]; then
		echo "mkpki.sh: www/$_m_f does not hold $_m_n certificates" >&2
		bad=1
	fi
	verify_is OK "leaf-${_m_f%.p7c} with $_m_f" \
	    -untrusted "ca/$_m_f.pem" "leaf-$(echo "$_m_f" |
	    sed 's/\.p7c$//; s/\.pem$/pem/').pem"
done
: >ca/levels.pem
i=9
while [ $i -ge 1 ]; do
	pem "level$i.der" der
	cat "ca/level$i.der.pem" >>ca/levels.pem
	[ $i = 2 ] && cp ca/levels.pem ca/levels2.pem
	i=$((i - 1))
done
verify_is OK "leaf-depth8 with levels 8 to 1" -untrusted ca/levels.pem \
    leaf-depth8.pem
verify_is OK "leaf-depth9 with levels 9 to 1" -untrusted ca/levels.pem \
    leaf-depth9.pem
verify_is 20 "leaf-depth9 with levels 9 to 2" -untrusted ca/levels2.pem \
    leaf-depth9.pem
for f in garbage.der big.der; do
	if openssl x509 -inform DER -in "www/$f" -noout 2>/dev/null; then
		echo "mkpki.sh: www/$f parses as a certificate" >&2
		bad=1
	fi
done
# every other leaf is int's, as its AIA answer would need
for f in leaf-garbage leaf-ldap leaf-file leaf-big leaf-redirloop \
    leaf-stall leaf-64k leaf-64k1 leaf-5urls leaf-6urls; do
	[ -f "$f.pem" ] || continue
	verify_is OK "$f with int" -untrusted int.pem "$f.pem"
done
if [ "$bad" != 0 ]; then
	echo "mkpki.sh: the PKI in '$OUT' is not what the tests need" >&2
	exit 1
fi
exit 0
