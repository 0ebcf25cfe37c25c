#!/bin/sh
# fixtures.sh DIR: make a test PKI with the openssl CLI (EC P-256, valid
# for 50 years, so it never expires under the tests) plus every form a
# certificate source can take.  Idempotent: does nothing if DIR/done exists.
set -eu
D=$1
[ -f "$D/done" ] && exit 0
# key, ca_init
. "$(dirname "$0")/ca.sh"
rm -rf "$D"
mkdir -p "$D"
cd "$D"

ext_ca='basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
ext_leaf='basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:mail.test.invalid
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
printf '%s\n' "$ext_ca" > ca.ext
printf '%s\n' "$ext_leaf" > leaf.ext

# self-signed root: NAME SUBJECT
root() {
	key "$1"
	openssl req -new -x509 -key "$1.key" -subj "$2" -days 18250 \
	    -addext basicConstraints=critical,CA:true \
	    -addext keyUsage=critical,keyCertSign,cRLSign \
	    -out "$1.pem" 2>/dev/null
}
# signed: NAME SUBJECT ISSUER EXTFILE [KEYNAME]
signed() {
	k=${5:-$1}
	[ -f "$k.key" ] || key "$k"
	openssl req -new -key "$k.key" -subj "$2" -out "$1.csr" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" \
	    -CAcreateserial -days 18250 -extfile "$4" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr"
}

root root-a "/O=trustbuild test/CN=Test Root A"
root root-b "/O=trustbuild test/CN=Test Root B"
signed int-a "/O=trustbuild test/CN=Test Intermediate A" root-a ca.ext
signed int-a2 "/O=trustbuild test/CN=Test Intermediate A2" int-a ca.ext
signed leaf "/O=trustbuild test/CN=mail.test.invalid" int-a2 leaf.ext
signed nonca "/O=trustbuild test/CN=Not A CA" root-a leaf.ext
# the right issuer name, the wrong key: an impostor root signs it
root impostor "/O=trustbuild test/CN=Test Root A"
signed wrongkey "/O=trustbuild test/CN=Test Intermediate Wrong Key" impostor ca.ext
# a CA under root B, for anchors that are not given
signed int-b "/O=trustbuild test/CN=Test Intermediate B" root-b ca.ext

# an expired CA under root A, made with openssl ca and explicit dates
ca_init ca.cnf
printf '[v3ca]\n%s\n' "$ext_ca" >>ca.cnf
key expired
openssl req -new -key expired.key -subj "/O=trustbuild test/CN=Test Expired CA" -out expired.csr 2>/dev/null
openssl ca -batch -config ca.cnf -cert root-a.pem -keyfile root-a.key \
    -startdate 20100101000000Z -enddate 20110101000000Z -extensions v3ca \
    -in expired.csr -out expired.pem -notext 2>/dev/null
# an expired self-signed root
openssl ca -batch -config ca.cnf -selfsign -keyfile expired.key \
    -startdate 20100101000000Z -enddate 20110101000000Z -extensions v3ca \
    -subj "/O=trustbuild test/CN=Test Expired Root" -in expired.csr \
    -out expired-root.pem -notext 2>/dev/null
rm -f expired.csr

# the forms of a source
openssl x509 -in root-a.pem -outform DER -out root-a.der
cat root-a.pem root-b.pem > roots.pem
openssl crl2pkcs7 -nocrl -certfile roots.pem -outform DER -out roots.p7b
openssl crl2pkcs7 -nocrl -certfile roots.pem -out roots-p7.pem
openssl x509 -in root-a.pem -addtrust serverAuth -out root-a-trusted.pem
openssl x509 -in root-b.pem -addreject serverAuth -out root-b-rejected.pem
openssl x509 -in root-b.pem -addtrust emailProtection -out root-b-email.pem
cat int-a.pem int-a2.pem nonca.pem wrongkey.pem int-b.pem expired.pem \
    > intermediates.pem
touch done
