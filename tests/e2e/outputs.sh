#!/bin/sh
# Several outputs from one run, each read by its real consumer: update with
# [output NAME] sections (pkcs12, pem-dir, openssl-trusted-bundle) beside
# the plain [output]; a TLS server (tests/harness/tlsd.py) sends only its
# leaf, a [probe] fetches the intermediate through AIA (nginx).  Then:
# keytool lists every certificate as a trustedCertEntry; a Java client
# (tests/harness/TlsClient.java, -Djavax.net.ssl.trustStore=) verifies the
# server with the PKCS#12 and fails with a roots-only one; a Go client
# (SSL_CERT_DIR) with the pem-dir, the same; gnutls-cli --x509cafile with
# the bundle; openssl verify and s_client with the trusted bundle, whose
# purpose OpenSSL enforces; gnutls-cli refuses the trusted bundle.  The
# plain outputs are byte-identical to a run without the sections; hooks
# get the outputs that changed; build's --pkcs12, --pem-dir,
# --trusted-bundle with --purpose before each; hostile configurations.
# Java and Go are optional (skipped with a message): Debian's
# openjdk-17-jdk-headless and golang-go (scripts/deps.sh).
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

aia_pki_start "$W/pki"
tlsd_start tls "$P/leaf.pem" "$P/leaf.key" --lifetime 300 ||
    bail "tlsd tls starts"
PORT=$TLSD_PORT
SRV=tls://127.0.0.1:$PORT

# conf DIR [LINE...]: the plain [output] in DIR, the test root, the probe,
# a hook that records what it was told, then the LINEs
conf() {
	d=$1
	shift
	{
		conf_output "$d"
		printf '[source roots]\nurl = %s\n' "$P/root.pem"
		printf '[probe srv]\nurl = %s\naia-private = yes\n' "$SRV"
		[ $# = 0 ] || printf '%s\n' "$@"
	} >"$d.conf"
	chmod 600 "$d.conf"
	mkdir -p "$d/hooks.d"
	printf '#!/bin/sh\nprintf "%%s|%%s\\n" "$TRUSTBUILD_CHANGED" "$(printf %%s "$TRUSTBUILD_CHANGED_PATHS" | tr "\\n" " ")" >>%s\n' \
	    "$d/hooks.log" >"$d/hooks.d/record"
	chmod 755 "$d/hooks.d/record"
}

O=$W/o
conf "$O" "[output java]" "format = pkcs12" "path = $O/java/trust.p12" \
    "[output go]" "format = pem-dir" "path = $O/go/certs" \
    "[output ossl]" "format = openssl-trusted-bundle" \
    "path = $O/ossl/trusted.pem"
run 0 "update publishes five outputs" "$TB" -q -c "$O.conf" update
check "the hook was told the five, by name" grep -qx \
    "bundle capath java go ossl|$O/bundle.crt $O/certs $O/java/trust.p12 $O/go/certs $O/ossl/trusted.pem " \
    "$O/hooks.log"

# the plain outputs are those of a run without the [output NAME] sections
conf "$W/plain"
"$TB" -q -c "$W/plain.conf" update >/dev/null 2>&1
check "the bundle is byte-identical to a run without them" \
    cmp "$O/bundle.crt" "$W/plain/bundle.crt"
check "and the CApath's files and links" sh -c \
    '[ "$(cd "$1/certs/" && ls -l | sed "s/.* [0-9:]* //" | sort)" = "$(cd "$2/certs/" && ls -l | sed "s/.* [0-9:]* //" | sort)" ] && diff -r "$1/certs/" "$2/certs/"' \
    sh "$O" "$W/plain"
n=$(grep -c "BEGIN CERTIFICATE" "$O/bundle.crt")
check "the bundle holds the root and the probed intermediate" [ "$n" = 2 ]

# pem-dir: one file per certificate, no links
check "pem-dir: $n regular files, no links" sh -c \
    '[ "$(find "$1/" -type f -name "*.pem" | wc -l)" = "$2" ] &&
    [ "$(find "$1/" -type l | wc -l)" = 0 ]' sh "$O/go/certs" "$n"
a=$(pem_sha256s "$O"/go/certs/*.pem)
b=$(pem_sha256s "$O/bundle.crt")
check "pem-dir: its files hold the bundle's certificates" [ "$a" = "$b" ]

# GnuTLS and OpenSSL
if command -v gnutls-cli >/dev/null 2>&1; then
	check "gnutls-cli --x509cafile the bundle verifies the server" sh -c \
	    'gnutls-cli --x509cafile "$1" -p "$2" 127.0.0.1 </dev/null' sh \
	    "$O/bundle.crt" "$PORT"
	check "gnutls-cli with the root alone does not (no AIA)" sh -c \
	    '! gnutls-cli --x509cafile "$1" -p "$2" 127.0.0.1 </dev/null' sh \
	    "$P/root.pem" "$PORT"
	check "gnutls-cli refuses the trusted bundle (as documented)" sh -c \
	    '! gnutls-cli --x509cafile "$1" -p "$2" 127.0.0.1 </dev/null' sh \
	    "$O/ossl/trusted.pem" "$PORT"
else
	skipped "gnutls-cli absent (Debian gnutls-bin): no GnuTLS checks"
fi
check "trusted bundle: TRUSTED CERTIFICATE blocks, one per certificate" \
    [ "$(grep -c "BEGIN TRUSTED CERTIFICATE" "$O/ossl/trusted.pem")" = "$n" ]
check "openssl verify -purpose sslserver with it: OK" \
    openssl verify -purpose sslserver -CAfile "$O/ossl/trusted.pem" \
    "$P/leaf.pem"
check "openssl s_client -CAfile it verifies the server" sh -c \
    'openssl s_client -connect "127.0.0.1:$1" -verify_return_error \
    -CAfile "$2" </dev/null 2>&1 | grep -q "Verify return code: 0"' sh \
    "$PORT" "$O/ossl/trusted.pem"
run 0 "build --purpose email --trusted-bundle" "$TB" -q build \
    --intermediates "$P/int.pem" --purpose email --trusted-bundle \
    "$W/email-trusted.pem" "$P/root.pem"
check "openssl verify -purpose sslserver refuses a root trusted for email" \
    sh -c '! openssl verify -purpose sslserver -CAfile "$1" "$2"' sh \
    "$W/email-trusted.pem" "$P/leaf.pem"

# Java: keytool and a client
if command -v java >/dev/null 2>&1 && command -v keytool >/dev/null 2>&1
then
	keytool -list -keystore "$O/java/trust.p12" -storetype PKCS12 \
	    -storepass changeit >"$W/keytool.out" 2>&1
	check "keytool -list: $n entries, each a trustedCertEntry" sh -c \
	    '[ "$(grep -c ", trustedCertEntry," "$1")" = "$2" ] &&
	    grep -q "^Your keystore contains $2 entries" "$1"' sh \
	    "$W/keytool.out" "$n"
	file_has "keytool: friendly names are the subjects" "$W/keytool.out" \
	    "^cn=aia test intermediate, .*trustedCertEntry"
	"$TB" -q build --pkcs12 "$W/roots.p12" "$P/root.pem" >/dev/null 2>&1
	# one JVM for both: the output as javax.net.ssl.trustStore (the
	# default SSLContext, "-"), then the roots-only PKCS#12
	java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
	    -Djavax.net.ssl.trustStore="$O/java/trust.p12" \
	    -Djavax.net.ssl.trustStoreType=PKCS12 \
	    -Djavax.net.ssl.trustStorePassword=changeit \
	    "$HARNESS/TlsClient.java" 127.0.0.1 "$PORT" - "$W/roots.p12" \
	    >"$W/java.out" 2>&1
	grep '^-: ' "$W/java.out" >"$W/java.p12"
	grep "^$W/roots.p12: " "$W/java.out" >"$W/java.roots"
	check "a Java client verifies the server with the PKCS#12 output" \
	    sh -c '[ "$(grep -c "" "$1")" = 1 ] && ! grep -q failed "$1"' sh \
	    "$W/java.p12"
	file_has "Java: verified" "$W/java.p12" "^-: verified TLSv1"
	check "and fails with a roots-only PKCS#12" sh -c \
	    'grep -q "failed" "$1" && ! grep -q "verified" "$1"' sh \
	    "$W/java.roots"
	file_has "Java: no path to the root" "$W/java.roots" \
	    "unable to find valid certification path"
else
	skipped "java/keytool absent (Debian openjdk-17-jdk-headless): no Java checks"
fi

# Go: SSL_CERT_DIR
if command -v go >/dev/null 2>&1; then
	mkdir -p "$W/go"
	cp "$HARNESS/goclient/main.go" "$HARNESS/goclient/go.mod" "$W/go/"
	if (cd "$W/go" && GOCACHE=$W/go/cache GOPATH=$W/go/path \
	    GOFLAGS=-mod=mod GO111MODULE=on go build -o goclient .) \
	    >"$W/go.log" 2>&1; then
		gv() {
			SSL_CERT_DIR=$1 SSL_CERT_FILE=$W/none \
			    "$W/go/goclient" "127.0.0.1:$PORT"
		}
		run 0 "a Go client (SSL_CERT_DIR) verifies with the pem-dir" \
		    gv "$O/go/certs"
		mkdir -p "$W/rootsdir"
		"$TB" -q build --pem-dir "$W/rootsdir/certs" "$P/root.pem" \
		    >/dev/null 2>&1
		run 1 "and fails with a roots-only pem-dir" gv \
		    "$W/rootsdir/certs"
	else
		nok "go build of the client"
		sed 's/^/#   /' "$W/go.log" | head
	fi
else
	skipped "go absent (Debian golang-go): no Go checks"
fi

# outs: what the five outputs of O hold (not the state)
outs() {
	for f in certs/ java go/certs/ ossl; do
		snapshot "$O/$f"
	done
	stat -c '%i %Y' "$O/bundle.crt"
	sha256sum <"$O/bundle.crt"
}

# the next run: nothing changes, no hook; one output changed: only it
: >"$O/hooks.log"
snap=$(outs)
run 2 "update again: unchanged, exit 2" "$TB" -q -c "$O.conf" update
check "no output was touched" [ "$(outs)" = "$snap" ]
check "no hook ran" [ ! -s "$O/hooks.log" ]
cp "$O/java/trust.p12" "$W/before.p12"
sed -i 's|^path = .*trust.p12$|&\npassword = s3cret-pw|' "$O.conf"
run 0 "a new password: update publishes" "$TB" -q -c "$O.conf" update
check "the hook was told: java only" grep -qx \
    "java|$O/java/trust.p12 " "$O/hooks.log"
check "keytool opens it with the new password" keytool -list -keystore \
    "$O/java/trust.p12" -storetype PKCS12 -storepass s3cret-pw
check "the other outputs are as they were" cmp "$O/bundle.crt" \
    "$W/plain/bundle.crt"

# build: --purpose before each output applies to it
B=$W/build
mkdir -p "$B"
run 0 "build: --pkcs12 for email, then --pem-dir and --bundle for server-auth" \
    "$TB" -q build --purpose email --pkcs12 "$B/e.p12" --purpose \
    server-auth --pem-dir "$B/pd" --bundle "$B/b.pem" --trusted-bundle \
    "$B/t.pem" "$P/root.pem"
check "the trusted bundle says server-auth" grep -qx \
    "# Trusted for: server-auth" "$B/t.pem"
check "openssl pkcs12 reads it, the Oracle attribute on each bag" sh -c \
    'openssl pkcs12 -in "$1" -passin pass:changeit -nokeys -info 2>&1 |
    grep -q "2.16.840.1.113894.746875.1.1"' sh "$B/e.p12"
run 2 "the same build again: unchanged (the PKCS#12 is deterministic)" \
    "$TB" -q build --purpose email --pkcs12 "$B/e.p12" --purpose \
    server-auth --pem-dir "$B/pd" --bundle "$B/b.pem" --trusted-bundle \
    "$B/t.pem" "$P/root.pem"

# hostile and wrong configurations: one error, nothing published
H=$W/h
conf "$H"
snap=$(outs)
# herr DESCRIPTION LINE...: a configuration of O with the LINEs is refused
herr() {
	_d=$1
	shift
	{ cat "$O.conf"; printf '%s\n' "$@"; } >"$H.conf"
	run 1 "$_d: refused" "$TB" -c "$H.conf" update
	one_error "$_d"
}
herr "an empty password" "[output j2]" "format = pkcs12" \
    "path = $W/j2.p12" "password ="
err_has "the empty password: says so" "password needs a value"
herr "a password for a pem-dir" "[output p2]" "format = pem-dir" \
    "path = $W/p2" "password = x"
herr "an unknown format" "[output x]" "format = jks" "path = $W/x"
err_has "the formats are listed" \
    "pem-bundle, openssl-dir, pem-dir, pkcs12 or openssl-trusted-bundle"
herr "two outputs of one path" "[output y]" "format = pem-bundle" \
    "path = $O/bundle.crt"
herr "an output named as a plain writer" "[output bundle]" \
    "format = pkcs12" "path = $W/b.p12"
herr "a section without a path" "[output z]" "format = pkcs12"
check "none of it touched a published output" [ "$(outs)" = "$snap" ]
# a failure before publishing: a pkcs12 path that is a directory
mkdir -p "$W/isdir.p12/x"
{ cat "$O.conf"; printf '[output bad]\nformat = pkcs12\npath = %s\n' \
    "$W/isdir.p12"; } >"$H.conf"
run 1 "an output that cannot be published: refused" "$TB" -q -c "$H.conf" \
    update --force
check "and no other output changed" [ "$(outs)" = "$snap" ]
# a local user's links where the outputs go: never followed
echo victim >"$W/victim"
rm -f "$O/java/trust.p12"
ln -s "$W/victim" "$O/java/trust.p12"
run 0 "a symlink planted at the PKCS#12's path: update replaces it" "$TB" \
    -q -c "$O.conf" update --force
check "the file it pointed at is untouched" grep -qx victim "$W/victim"
check "the PKCS#12 is a regular file again" sh -c \
    '[ -f "$1" ] && [ ! -L "$1" ]' sh "$O/java/trust.p12"
snap=$(outs)
mkdir -p "$W/elsewhere"
mv "$O/go/certs" "$O/go/certs.moved"
ln -s "$W/elsewhere" "$O/go/certs"
run 1 "the pem-dir's link swapped for one to another directory: refused" \
    "$TB" -q -c "$O.conf" update --force
one_error "the swapped pem-dir link"
check "nothing was written into that directory" \
    [ -z "$(ls -A "$W/elsewhere")" ]
rm "$O/go/certs"
mv "$O/go/certs.moved" "$O/go/certs"
check "and no other output changed" [ "$(outs)" = "$snap" ]

# a password in a configuration others can read: a warning
sed 's/^password = .*/password = changeit2/' "$O.conf" >"$H.conf"
chmod 644 "$H.conf"
run 0 "a password readable by others: published" "$TB" -c "$H.conf" update
err_has "with a warning that says how to fix it" \
    "\\[output java\\]: its password is readable by every user \\(mode 0644\\); chmod o-r"

done_testing
