#!/bin/sh
# Bad input: one clear message naming the file (and line), exit 1, the
# published store untouched, no crash.
. "$(dirname "$0")/../harness/lib.sh"

mkdir -p "$W/o" "$W/in"
"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$FIX/roots.pem"
before=$(snapshot "$W/o")

# bad NAME PATTERN FILE...: build must fail, say PATTERN, touch nothing
bad() {
	d=$1
	p=$2
	shift 2
	run 1 "$d: exit 1" "$TB" build --bundle "$W/o/b.pem" \
	    --capath "$W/o/certs" "$@"
	err_has "$d: message" "$p"
	one_error "$d"
	check "$d: store untouched" [ "$(snapshot "$W/o")" = "$before" ]
}

printf 'hello, world\n' >"$W/in/text.txt"
bad "not a certificate source" \
    "'$W/in/text.txt': no certificates found \(tried archive, certdata.txt, CCADB CSV, PEM, DER/PKCS#7: none matched\)" \
    "$W/in/text.txt"

head -c 1000 "$FIX/roots.pem" >"$W/in/trunc.pem"
n=$(grep -n BEGIN "$W/in/trunc.pem" | tail -1 | cut -d: -f1)
bad "truncated PEM" "'$W/in/trunc.pem': line $n: 'CERTIFICATE' block has no END line; the file is truncated" \
    "$W/in/trunc.pem"

head -c 300 "$FIX/root-a.der" >"$W/in/trunc.der"
bad "truncated DER" "'$W/in/trunc.der': not a DER certificate or PKCS#7" \
    "$W/in/trunc.der"

: >"$W/in/empty.pem"
bad "empty file" "'$W/in/empty.pem': no certificates found" "$W/in/empty.pem"

head -c 2000 /dev/urandom >"$W/in/random.bin"
bad "random bytes" "'$W/in/random.bin':" "$W/in/random.bin"

bad "missing file" "'$W/in/absent.pem': No such file or directory" \
    "$W/in/absent.pem"

mkfifo "$W/in/fifo"
bad "a FIFO" "'$W/in/fifo': not a file or directory" "$W/in/fifo"

sh "$HARNESS/mkcertdata.sh" "$FIX/root-a.pem:anchor" \
    "$FIX/root-b.pem:anchor" >"$W/in/certdata.txt"
sed '0,/CKA_TRUST_SERVER_AUTH CK_TRUST CKT_NSS_TRUSTED_DELEGATOR/s//CKA_TRUST_SERVER_AUTH CK_TRUST CKT_BOGUS/' \
    "$W/in/certdata.txt" >"$W/in/c1.txt"
n=$(grep -n CKT_BOGUS "$W/in/c1.txt" | cut -d: -f1)
bad "certdata: unknown trust value" "'$W/in/c1.txt': line $n: unknown trust value 'CKT_BOGUS'" \
    "$W/in/c1.txt"
n=$(grep -n '^CKA_VALUE' "$W/in/certdata.txt" | head -1 | cut -d: -f1)
head -n $((n + 3)) "$W/in/certdata.txt" >"$W/in/c2.txt"
bad "certdata: truncated inside a value" "'$W/in/c2.txt': line $n: MULTILINE_OCTAL value without END; the file is truncated" \
    "$W/in/c2.txt"
sh "$HARNESS/mkcertdata.sh" "$FIX/root-a.pem:badsha1" >"$W/in/c3.txt"
n=$(grep -n '^CKA_CERT_SHA1_HASH' "$W/in/c3.txt" | cut -d: -f1)
bad "certdata: SHA-1 of the trust object does not match" \
    "'$W/in/c3.txt': line $n: CKA_CERT_SHA1_HASH does not match the certificate of \"root-a\"" \
    "$W/in/c3.txt"
sed 's/^CKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST/CKA_CLASS CK_OBJECT_CLASS CKO_NSS_FUTURE/' \
    "$W/in/certdata.txt" >"$W/in/c4.txt"
n=$(grep -n CKO_NSS_FUTURE "$W/in/c4.txt" | head -1 | cut -d: -f1)
bad "certdata: unknown object class" "line $n: unknown object class 'CKO_NSS_FUTURE'" \
    "$W/in/c4.txt"

# a directory: its unreadable part fails the build (as an unprivileged user)
mkdir -p "$W/in/dir/sub"
cp "$FIX/root-a.pem" "$W/in/dir/"
cp "$FIX/root-b.pem" "$W/in/dir/sub/"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 700 "$W/in/dir/sub"
	chmod o+x "$(dirname "$W")"
	chmod 755 "$W" "$W/in" "$W/in/dir"
	chmod -R a+rX "$W/o" "$TB" 2>/dev/null
	chmod 600 "$W/o/.b.pem.trustbuild"	# build's record, as it was
	run 1 "unreadable directory: exit 1" setpriv --reuid=65534 \
	    --regid=65534 --clear-groups "$TB" build \
	    --bundle "$W/o/b.pem" "$W/in/dir"
	err_has "unreadable directory: named" "'$W/in/dir/sub': Permission denied"
	check "unreadable directory: store untouched" \
	    [ "$(snapshot "$W/o")" = "$before" ]
	chmod 755 "$W/in/dir/sub"
else
	skipped "unreadable directory: needs root and setpriv"
fi

# a directory with a stray file: skipped with a warning, the rest is read
echo "README" >"$W/in/dir/README"
run 0 "a directory with a non-certificate file" "$TB" build \
    --bundle "$W/o2.pem" "$W/in/dir"
err_has "the stray file is named and skipped" "'$W/in/dir/README': not a certificate source; skipped"
check "both roots were read" [ "$(grep -c 'BEGIN CERTIFICATE' "$W/o2.pem")" = 2 ]

# a bad certificate inside an otherwise good source: warned and skipped
{ cat "$FIX/root-a.pem"; printf -- '-----BEGIN CERTIFICATE-----\nMIIBAAAAAAAA\n-----END CERTIFICATE-----\n'; } >"$W/in/onebad.pem"
run 0 "a bad certificate in a good bundle" "$TB" build --bundle "$W/o3.pem" \
    "$W/in/onebad.pem"
err_has "is skipped with a warning naming the line" "'$W/in/onebad.pem': line 1[0-9]: skipping a certificate that does not decode"

# nothing trusted: an empty set is never published
bad "only expired anchors" "refusing to publish an empty set" "$FIX/expired-root.pem"
# usage errors
run 1 "no SOURCE" "$TB" build --bundle "$W/o/b.pem"
err_has "no SOURCE: says what is missing" "no SOURCE given"
run 1 "no output" "$TB" build "$FIX/roots.pem"
err_has "no output: says what to add" "give --bundle FILE and/or --capath DIR"
run 1 "bad --purpose" "$TB" build --purpose web --bundle "$W/o/b.pem" "$FIX/roots.pem"
err_has "bad --purpose: lists the purposes" "'web' is not a purpose"
run 1 "bad --exclude" "$TB" build --exclude abc --bundle "$W/o/b.pem" "$FIX/roots.pem"
err_has "bad --exclude: says the format" "not a SHA-256 fingerprint"
check "after all of it: store untouched" [ "$(snapshot "$W/o")" = "$before" ]
done_testing
