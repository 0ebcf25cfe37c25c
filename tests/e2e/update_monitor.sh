#!/bin/sh
# update for monitoring: warn-days warns, even with -q, before a
# certificate a probed relay depends on expires (here an intermediate
# that expires in 10 days), naming the relay and the certificate.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/tlsd.sh"

# a PKI of the openssl CLI: a root, an intermediate valid for 10 days, a
# leaf; the server sends leaf and intermediate
K=$W/pki
mkdir -p "$K"
printf '%s\n' "basicConstraints = critical,CA:true" \
    "keyUsage = critical,keyCertSign,cRLSign" \
    "subjectKeyIdentifier = hash" >"$K/root.ext"
{ cat "$K/root.ext"; echo "authorityKeyIdentifier = keyid"; } >"$K/int.ext"
printf '%s\n' "basicConstraints = critical,CA:false" \
    "extendedKeyUsage = serverAuth" \
    "subjectAltName = DNS:localhost,IP:127.0.0.1" \
    "authorityKeyIdentifier = keyid" >"$K/leaf.ext"
# ca NAME SUBJECT DAYS [ISSUER]: $K/NAME.pem (self-signed without ISSUER)
# with the extensions of $K/NAME.ext and a new key $K/NAME.key
ca() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$K/$1.key" -subj "$2" -out "$K/$1.csr" 2>/dev/null || return 1
	if [ -z "${4:-}" ]; then set -- "$1" "$3" -signkey "$K/$1.key"
	else set -- "$1" "$3" -CA "$K/$4.pem" -CAkey "$K/$4.key"; fi
	_n=$1 _d=$2
	shift 2
	openssl x509 -req -in "$K/$_n.csr" "$@" -days "$_d" \
	    -extfile "$K/$_n.ext" -out "$K/$_n.pem" 2>/dev/null
}
ca root "/CN=Soon Test Root" 3000 && ca int "/CN=Soon Test Intermediate" 10 root &&
    ca leaf /CN=localhost 300 int || bail "the test PKI"
cat "$K/leaf.pem" "$K/int.pem" >"$K/chain.pem"
INT_END=$(date -u -d "$(openssl x509 -in "$K/int.pem" -noout -enddate |
    sed 's/^notAfter=//')" '+%Y-%m-%d %H:%M:%S UTC')
tlsd_smtp "$K/chain.pem" "$K/leaf.key" || bail "tlsd"

# conf NAME [[output] lines...]
conf() {
	n=$1
	shift
	{ conf_output "$W/$n" "$@"; printf '[source roots]\nurl = %s\n' "$K/root.pem"
	    printf '[probe relay]\nurl = %s\n' "$SMTP"; } >"$W/$n.conf"
}

# --- warn-days ---
conf w
run 0 "a relay whose intermediate expires in 10 days: published" "$TB" -q \
    -c "$W/w.conf" update
check "-q: one line on stderr" [ "$(grep -c '' "$W/err")" = 1 ]
err_has "naming the relay and the certificate, its date and the days left" \
    "^trustbuild: \\[probe relay\\]: $SMTP depends on the intermediate \"CN=Soon Test Intermediate\", which expires on $INT_END, in (9|10) days \\(warn-days = 30\\)$"
run 2 "the next run: unchanged, and warned again" "$TB" -q -c "$W/w.conf" update
err_has "(the same line)" "depends on the intermediate \"CN=Soon Test Intermediate\""
conf w "warn-days = 9"
run 2 "warn-days = 9: no warning" "$TB" -q -c "$W/w.conf" update
check "(nothing on stderr)" [ ! -s "$W/err" ]
conf w "warn-days = 400"
run 2 "warn-days = 400: the leaf too (300 days), not the root" "$TB" -q -c \
    "$W/w.conf" update
err_has "the leaf" "\\[probe relay\\]: $SMTP depends on the leaf \"CN=localhost\", which expires on .*, in (299|300) days \\(warn-days = 400\\)"
err_has "the intermediate" "depends on the intermediate \"CN=Soon Test Intermediate\""
check "not the root" sh -c '! grep -q "Soon Test Root" "$1"' sh "$W/err"
conf w "warn-days = 3650"
run 2 "warn-days = 3650: the root too (3000 days)" "$TB" -q -c "$W/w.conf" update
err_has "the root" "depends on the root \"CN=Soon Test Root\""
conf w "warn-days = 0"
run 2 "warn-days = 0: no warning" "$TB" -q -c "$W/w.conf" update
check "(nothing on stderr)" [ ! -s "$W/err" ]
conf w "warn-days = 3651"
run 1 "warn-days = 3651: refused" "$TB" -q -c "$W/w.conf" update
one_error "warn-days out of bounds"
err_has "naming the line and the bounds" \
    "w.conf': line [0-9]+: warn-days must be a number from 0 to 3650"

done_testing
