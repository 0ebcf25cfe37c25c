#!/bin/sh
# The trust boundary battery, points 1-4 of the gate: every certificate that
# can be published passes the one admission gate (policy.h), whatever
# brought it; the purpose is enforced; hostile text never reaches an output
# unescaped; our own bundle comments are never read back as trust data.
# A real nginx serves the AIA answers and a real SMTP server (tests/harness/tlsd.py)
# the chains; openssl s_client is the TLS client that agrees or not.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

aia_pki_start "$W/pki"
tlsd_smtp "$P/leaf.pem" "$P/leaf.key"
tlsd_start smtp "$P/leaf-chain.pem" "$P/leaf.key" || nok "tlsd smtp (chain)"
SMTP_CHAIN=smtp://127.0.0.1:$TLSD_PORT

sha() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' |
	    tr 'A-F' 'a-f'
}
INT=$(sha "$P/int.pem")

# conf NAME [lines...]: the test root as anchors, then the lines; each
# [probe] with aia-private = yes (its AIA URLs are nginx's, on 127.0.0.1)
conf() {
	n=$1
	shift
	rm -rf "$W/$n"
	mkdir -p "$W/$n"
	{
		printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n' \
		    "$W/$n/bundle.crt" "$W/$n/certs" "$W/$n/state"
		[ -n "${OUT:-}" ] && printf '%s\n' "$OUT"
		printf '[source roots]\nurl = %s\n' "${R:-$P/root.pem}"
		for l in "$@"; do
			printf '%s\n' "$l"
			case $l in "[probe "*) echo "aia-private = yes" ;; esac
		done
	} >"$W/$n.conf"
}
has_int() { grep -q "^# Subject: CN=AIA Test Intermediate$" "$1"; }

# --- 1. probes go through the gate ------------------------------------
conf p0 "[probe relay]" "url = $SMTP"
run 0 "1 baseline: a probe publishes the intermediate fetched through AIA" \
    "$TB" -q -c "$W/p0.conf" update
check "1 (it is in the bundle)" has_int "$W/p0/bundle.crt"

OUT="exclude = $INT" conf p1 "[probe relay]" "url = $SMTP"
run 0 "1a an excluded intermediate fetched through AIA: the anchors publish" \
    "$TB" -c "$W/p1.conf" update
check "1a but not the intermediate" sh -c '! grep -q "AIA Test Intermediate" "$1"' \
    sh "$W/p1/bundle.crt"
err_has "1a the probe says the gate refused it" \
    "\\[probe relay\\]: $SMTP: the intermediate $INT its chain needs is refused by the policy"

conf p2 "[source bad]" "url = $P/int.pem" "role = blocklist" \
    "[probe relay]" "url = $SMTP_CHAIN"
run 0 "1b an intermediate the server sends, listed by a role = blocklist source" \
    "$TB" -c "$W/p2.conf" update
check "1b is not published" sh -c '! grep -q "AIA Test Intermediate" "$1"' \
    sh "$W/p2/bundle.crt"

sh "$HARNESS/mkcertdata.sh" "$P/root.pem:anchor" \
    "$P/int.pem:distrust" >"$W/distrust.txt"
R=$W/distrust.txt conf p3 "[probe relay]" "url = $SMTP"
run 0 "1c an intermediate certdata marks CKT_NSS_NOT_TRUSTED, fetched through AIA" \
    "$TB" -c "$W/p3.conf" update
check "1c is not published" sh -c '! grep -q "AIA Test Intermediate" "$1"' \
    sh "$W/p3/bundle.crt"

# remembered from an earlier run: offered to the gate again, not admitted
# because it was once
conf p4 "[probe relay]" "url = $SMTP"
"$TB" -q -c "$W/p4.conf" update >/dev/null 2>&1
check "1d first run: published and remembered in the manifest" grep -Eq \
    "^probe $INT [A-Za-z0-9+/=]+ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z relay$" "$W/p4/state/manifest"
sed -i "s|^url = $SMTP\$|url = smtp://127.0.0.1:1|" "$W/p4.conf"
printf '[source bad]\nurl = %s\nrole = blocklist\n' "$P/int.pem" >>"$W/p4.conf"
run 0 "1d the server down, the intermediate now blocklisted" "$TB" -c \
    "$W/p4.conf" update
check "1d the remembered intermediate is not kept" sh -c \
    '! grep -q "AIA Test Intermediate" "$1"' sh "$W/p4/bundle.crt"
err_has "1d and that is said" "remembered from an earlier run is refused by the policy"

# --- 2. the purpose is enforced --------------------------------------
Q=$W/purpose
mkdir -p "$Q"
cat >"$Q/email-ca.ext" <<'EOF'
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
cat >"$Q/client.ext" <<'EOF'
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
EOF
mk() {	# NAME SUBJECT ISSUER EXT
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$Q/$1.key" 2>/dev/null
	openssl req -new -key "$Q/$1.key" -subj "$2" -out "$Q/$1.csr" 2>/dev/null
	openssl x509 -req -in "$Q/$1.csr" -CA "$3.pem" -CAkey "$3.key" \
	    -CAcreateserial -days 3650 -extfile "$4" -out "$Q/$1.pem" 2>/dev/null
}
mk email-ca "/CN=Email Only CA" "$P/root" "$Q/email-ca.ext"
mk client "/CN=localhost" "$P/int" "$Q/client.ext"
cat "$Q/client.pem" "$P/int.pem" >"$Q/client-chain.pem"
openssl req -new -x509 -key "$Q/email-ca.key" -subj "/CN=Email Only Root" \
    -days 3650 -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign,cRLSign \
    -addext extendedKeyUsage=emailProtection -out "$Q/email-root.pem" 2>/dev/null

run 0 "2a build with an email-only CA as --intermediates" "$TB" -v build \
    --intermediates "$Q/email-ca.pem" --bundle "$Q/server.pem" "$P/root.pem"
check "2a it is not admitted into a server-auth store" sh -c \
    '! grep -q "Email Only CA" "$1"' sh "$Q/server.pem"
err_has "2a and -v says why" 'refused intermediate "CN=Email Only CA": not a CA for server-auth'
run 0 "2b the same for --purpose email" "$TB" -q build --purpose email \
    --intermediates "$Q/email-ca.pem" --bundle "$Q/email.pem" "$P/root.pem"
check "2b admits it" grep -q "^# Subject: CN=Email Only CA$" "$Q/email.pem"
run 0 "2c an email-only root given as an anchor" "$TB" -q build \
    --bundle "$Q/server2.pem" "$Q/email-root.pem" "$P/root.pem"
check "2c is no anchor for server-auth" sh -c \
    '! grep -q "Email Only Root" "$1"' sh "$Q/server2.pem"

conf p5 "[probe relay]" "url = $SMTP"
sed -i 's/^\[source roots\]/[source email]\nurl = '"$(echo "$Q/email-ca.pem" | sed 's|/|\\/|g')"'\nrole = intermediates\n&/' "$W/p5.conf"
run 0 "2d update: an email-only CA from a role = intermediates source" "$TB" -q \
    -c "$W/p5.conf" update
check "2d is not admitted" sh -c '! grep -q "Email Only CA" "$1"' sh "$W/p5/bundle.crt"

tlsd_start smtp "$Q/client-chain.pem" "$Q/client.key" || nok "tlsd (clientAuth leaf)"
CLIENT=smtp://127.0.0.1:$TLSD_PORT
cat "$P/root.pem" >"$Q/roots.pem"
run 1 "2e probe of a server whose leaf is for clientAuth only: exit 1" "$TB" \
    probe --bundle "$Q/roots.pem" "$CLIENT"
check "2e verify=FAIL with OpenSSL's reason, as libssl in sendmail says it" \
    grep -q "^verify=FAIL verifymsg=unsuitable certificate purpose" "$W/out"
check "2e and why" grep -q "^why: CN=localhost is not for server-auth" "$W/out"
check "2e openssl s_client -starttls smtp refuses it for the same reason" \
    sh -c 'openssl s_client -connect "127.0.0.1:$1" -starttls smtp \
    -verify_return_error -CAfile "$2" </dev/null 2>&1 |
    grep -q "unsuitable certificate purpose"' sh "$TLSD_PORT" "$Q/roots.pem"
run 0 "2f the server-auth leaf of the same PKI verifies" "$TB" probe \
    --bundle "$Q/roots.pem" "$SMTP_CHAIN"

# --- 3. no hostile text reaches an output unescaped ------------------
H=$W/hostile
mkdir -p "$H"
# pax_tar OUT NAME FILE [NAME FILE...]: a PAX tar of the FILEs, each
# under its NAME, whatever bytes the name holds
pax_tar() {
	python3 -c '
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, path in zip(sys.argv[2::2], sys.argv[3::2]):
        data = open(path, "rb").read()
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
' "$@"
}
# a tar member whose name carries a newline and a whole PEM block of
# another root; the member itself is the test root
pax_tar "$H/inject.tar" "x
$(cat "$FIX/root-b.pem")
y.pem" "$P/root.pem"
run 0 "3a build from an archive whose member name holds a PEM block" \
    "$TB" -q build --bundle "$H/bundle.pem" "$H/inject.tar"
check "3a the bundle holds exactly one certificate (for OpenSSL too)" sh -c '
    [ "$(openssl crl2pkcs7 -nocrl -certfile "$1" | openssl pkcs7 -print_certs |
        grep -c "^subject=")" = 1 ]' sh "$H/bundle.pem"
check "3a no line of it starts a BEGIN but the certificate's own" sh -c \
    '[ "$(grep -c "^-----BEGIN" "$1")" = 1 ]' sh "$H/bundle.pem"
check "3a the name is there, escaped" grep -q \
    '^# Source: .*inject.tar#x\\n-----BEGIN CERTIFICATE-----\\n' "$H/bundle.pem"
check "3a and root B is not trusted by it" sh -c \
    '! openssl verify -CAfile "$1" "$2" >/dev/null 2>&1' sh "$H/bundle.pem" \
    "$FIX/root-b.pem"

# a subject with ESC and U+202E (right-to-left override), a caIssuers URL
# with ESC
ESC=$(printf '\033')
RLO=$(printf '\342\200\256')
printf 'authorityInfoAccess = caIssuers;URI:http://127.0.0.1/%s[2J.der\n' \
    "$ESC" >"$H/aia.ext"
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$H/evil.key" -utf8 -subj "/CN=evil${ESC}]0;owned${RLO}moc.elpmaxe" \
    -days 3650 -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign,cRLSign -out "$H/evil.pem" 2>/dev/null
openssl req -new -key "$H/evil.key" -subj "/CN=leaf" -out "$H/l.csr" 2>/dev/null
openssl x509 -req -in "$H/l.csr" -CA "$H/evil.pem" -CAkey "$H/evil.key" \
    -CAcreateserial -days 3650 -extfile "$H/aia.ext" -out "$H/leaf.pem" 2>/dev/null
clean() {	# FILE...: no ESC, no C1, no bidi override in them
	! LC_ALL=C grep -q "$ESC\|$RLO\|$(printf '\302\233')" "$@"
}
run 0 "3b build with a subject holding ESC and U+202E" "$TB" -v build \
    --bundle "$H/evil-bundle.pem" "$H/evil.pem"
check "3b the bundle has neither byte" clean "$H/evil-bundle.pem"
check "3b nor the log" clean "$W/err"
check "3b the subject is escaped" grep -q '^# Subject: CN=evil\\1B\]0\\;owned\\u{202e}moc.elpmaxe$' \
    "$H/evil-bundle.pem"
run 0 "3c list of it" "$TB" list "$H/evil.pem"
check "3c list's text is clean" clean "$W/out" "$W/err"
run 0 "3c list --json" "$TB" list --json "$H/evil.pem"
check "3c the JSON is clean and escapes U+202E" sh -c \
    'grep -q "u202e" "$1" && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$1"' \
    sh "$W/out"
check "3c (clean)" clean "$W/out"
run 1 "3d probe --chain of a leaf whose caIssuers URL holds ESC" "$TB" \
    probe --bundle "$P/root.pem" --chain "$H/leaf.pem"
check "3d probe's report and log are clean" clean "$W/out" "$W/err"
check "3d a caIssuers URL that is not printable ASCII is no URL at all" sh -c \
    '! grep -q "^   caIssuers:\\|caIssuers says" "$1"' sh "$W/out"
printf 'not a certificate\n' >"$H/notcert"
pax_tar "$H/names.tar" "$(printf '\033]2;pwned\007.pem')" "$H/notcert" \
    ok.pem "$P/root.pem"
run 0 "3e a member named with a terminal escape, skipped with a warning" \
    "$TB" -v build --bundle "$H/names-bundle.pem" "$H/names.tar"
check "3e the warning names it, escaped" grep -q 'names.tar#\\x1b\]2;pwned\\x07.pem' \
    "$W/err"
check "3e and the log is clean" sh -c '! LC_ALL=C grep -q "$(printf "\033\|\007")" "$1"' \
    sh "$W/err"

# --- 4. our comments are no input; the manifest is --------------------
cat >"$W/commented.pem" <<EOF
# Server distrust after: 2020-04-01 00:00:00 UTC
# Source: probe relay (smtp://example): caIssuers http://example/x.der, 2020-01-01
$(cat "$P/root.pem")
EOF
run 0 "4a build from a PEM whose comments mimic ours" "$TB" -q build \
    --bundle "$W/c4.pem" "$W/commented.pem"
check "4a no distrust-after comes from a comment" sh -c \
    '! grep -q "distrust after" "$1"' sh "$W/c4.pem"
check "4a no origin comes from a comment" sh -c \
    '! grep -q "example" "$1"' sh "$W/c4.pem"
run 0 "4b list of it: no distrust-after, no origin" "$TB" list "$W/commented.pem"
check "4b (none)" sh -c '! grep -q "distrust after\|origin\|example" "$1"' sh "$W/out"

run 0 "4c list without FILE: the published store and why each was admitted" \
    "$TB" -c "$W/p0.conf" list
check "4c the anchor: from its source, for the purpose" grep -q \
    "^admitted:   anchor for server-auth, from $P/root.pem; first published [0-9-]\{10\}$" \
    "$W/out"
check "4c the intermediate: through the probe and its caIssuers URL" grep -q \
    "^admitted:   intermediate for server-auth (chains to an anchor), from probe relay ($SMTP): caIssuers $BASE/int.der; first published" \
    "$W/out"
run 0 "4c --json" "$TB" -c "$W/p0.conf" list --json
check "4c JSON carries admitted" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 2 and all("admitted" in c for c in d), d
assert sorted(c["admitted"]["role"] for c in d) == ["anchor", "intermediate"]
' "$W/out"
# a forged bundle comment changes nothing the next run decides
sed -i 's/^# Source: .*/# Source: probe relay (smtp:\/\/forged): caIssuers http:\/\/forged\/x.der, 2000-01-01/' \
    "$W/p0/bundle.crt"
"$TB" -q -c "$W/p0.conf" list >/dev/null 2>&1
run 0 "4d a run after the bundle's comments were forged republishes" "$TB" \
    -q -c "$W/p0.conf" update
check "4d and no forged text came back" sh -c '! grep -q forged "$1" "$2"' sh \
    "$W/p0/bundle.crt" "$W/p0/state/manifest"
# a store published by a version without a manifest: the next run, though
# nothing changed, is a full one and writes it
conf p6
"$TB" -q -c "$W/p6.conf" update >/dev/null 2>&1
rm "$W/p6/state/manifest"
run 2 "4f a store published before manifests: unchanged" "$TB" -v -c \
    "$W/p6.conf" update
err_has "4f but the run is a full one" "has no manifest yet: a full run writes it"
check "4f and writes it" grep -q "^cert .* anchor server-auth" "$W/p6/state/manifest"
printf 'trustbuild-manifest 1\ncert zz\n' >"$W/p0/state/manifest"
run 2 "4e a damaged manifest: the run goes on (the store is as it was: 2)" \
    "$TB" -c "$W/p0.conf" update --force
err_has "4e and says so, naming it" "'$W/p0/state/manifest': line 2: a cert line without a SHA-256"
check "4e it is replaced by a good one" grep -q "^cert $INT intermediate" \
    "$W/p0/state/manifest"

done_testing
