# lib.sh: helpers for the end-to-end tests, sourced by tests/e2e/*.sh as
#	. "$(dirname "$0")/../harness/lib.sh"
# The caller (tests/run.sh) exports TB (the binary), FIX (fixtures from
# fixtures.sh), CORPUS (../shared/corpus) and W (a scratch directory).
# HARNESS is set to this directory (absolute), where a test finds the
# servers (. "$HARNESS/httpd.sh") and the fixture makers (mkcertdata.sh).
set -u
HARNESS=$(cd "$(dirname "$0")/../harness" && pwd)
pass=0
fail=0
skip=0
: "${TB:?}" "${FIX:?}" "${CORPUS:?}" "${W:?}"

ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }
skipped() { skip=$((skip + 1)); echo "skip - $*"; }

# bounded COMMAND...: COMMAND within 60 s and 1 GiB of address space
# (AS_LIMIT; none under AddressSanitizer, which reserves more), stdout in
# $W/out, stderr in $W/err; its status in rc, its seconds in secs
AS_LIMIT="ulimit -v 1048576;"
case $TB in *asan*) AS_LIMIT="" ;; esac
bounded() {
	_b_t0=$(date +%s)
	sh -c "$AS_LIMIT exec timeout 60 \"\$@\"" sh "$@" >"$W/out" 2>"$W/err"
	rc=$?
	secs=$(($(date +%s) - _b_t0))
}

# bail DESCRIPTION: a set-up the rest needs failed: "not ok", the result
# line, exit 1
bail() {
	nok "$1"
	done_testing
	exit 1
}

# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
	_c_d=$1
	shift
	if "$@" >"$W/check.log" 2>&1; then ok "$_c_d"; else
		nok "$_c_d"
		sed 's/^/#   /' "$W/check.log" | head -10
	fi
}

# run WANT_STATUS DESCRIPTION COMMAND...: stdout in $W/out, stderr in $W/err
run() {
	_r_want=$1
	_r_d=$2
	shift 2
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" = "$_r_want" ]; then
		ok "$_r_d"
	else
		nok "$_r_d (exit $rc, want $_r_want)"
		sed 's/^/#   /' "$W/err" | head -20
	fi
}

# err_has DESCRIPTION PATTERN: the last run's stderr matches (grep -E)
err_has() {
	if grep -Eq -- "$2" "$W/err"; then ok "$1"; else
		nok "$1: stderr lacks /$2/"
		sed 's/^/#   /' "$W/err" | head -10
	fi
}

# one_error DESCRIPTION: the last command (run, or a battery's own
# runner: its status in rc, its stderr in $W/err) failed, and its stderr
# is exactly one line, the error ("trustbuild: ..."), nothing else
one_error() {
	_o_n=$(grep -c '' "$W/err")
	if [ "$rc" != 0 ] && [ "$_o_n" = 1 ] && grep -q '^trustbuild: ' "$W/err"
	then
		ok "$1: one error line"
	else
		nok "$1: exit $rc and $_o_n lines on stderr, want one error line"
		sed 's/^/#   /' "$W/err" | head -10
	fi
}

# conf_output DIR [LINE...]: an [output] section on stdout publishing
# DIR/bundle.crt and DIR/certs, the state in DIR/state and hooks from
# DIR/hooks.d, then the LINEs ("key = value" of [output]); DIR is made
conf_output() {
	mkdir -p "$1"
	printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\nhooks = %s\n' \
	    "$1/bundle.crt" "$1/certs" "$1/state" "$1/hooks.d"
	shift
	[ $# = 0 ] || printf '%s\n' "$@"
}

# file_has DESCRIPTION FILE ERE: a line of FILE matches
file_has() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else
		nok "$1: no /$3/ in:"
		sed 's/^/#   /' "$2" | head -20
	fi
}

# file_lacks DESCRIPTION FILE ERE: no line of FILE matches
file_lacks() {
	if grep -Eq -- "$3" "$2"; then
		nok "$1: /$3/ in:"
		grep -E -- "$3" "$2" | sed 's/^/#   /' | head -10
	else ok "$1"; fi
}

# A fingerprint of everything under DIR: names, types, link targets,
# modes, mtimes and contents.  Equal before and after = untouched.
snapshot() {
	(cd "$1" && find . -printf '%p %y %l %m %T@\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 -r sha256sum) | sha256sum
}

# The hash links of a CApath as "name target" lines.
links() {
	(cd "$1" && find . -maxdepth 1 -type l -printf '%f %l\n' |
	    LC_ALL=C sort)
}

# SHA-256s (lowercase hex, sorted) of the certificates in PEM files,
# computed by the openssl CLI, not by trustbuild: two openssl processes
# (crl2pkcs7 | pkcs7 -print_certs) parse every certificate and write each
# again as OpenSSL encodes it, the DER "openssl x509 -fingerprint" hashes;
# should they not give one for each (a certificate OpenSSL refuses), one
# "openssl x509 -fingerprint" a certificate, leaving out those it refuses
pem_sha256s() {
	rm -rf "$W/split"
	mkdir -p "$W/split"
	cat "$@" | awk -v d="$W/split" '
	    /-----BEGIN CERTIFICATE-----/ { f = d "/all.pem"; n++ }
	    f != "" { print > f }
	    /-----END CERTIFICATE-----/ { f = "" }
	    END { print n + 0 > (d "/count") }'
	[ "$(cat "$W/split/count")" = 0 ] && return 0
	if openssl crl2pkcs7 -nocrl -certfile "$W/split/all.pem" 2>/dev/null |
	    openssl pkcs7 -print_certs 2>/dev/null >"$W/split/parsed.pem" &&
	    [ "$(grep -c -- '-----BEGIN CERTIFICATE-----' \
	    "$W/split/parsed.pem")" = "$(cat "$W/split/count")" ]; then
		python3 -c '
import base64, hashlib, sys
b64 = None
for line in sys.stdin:
	line = line.strip()
	if line == "-----BEGIN CERTIFICATE-----":
		b64 = []
	elif line == "-----END CERTIFICATE-----":
		print(hashlib.sha256(base64.b64decode("".join(b64))).hexdigest())
		b64 = None
	elif b64 is not None:
		b64.append(line)' <"$W/split/parsed.pem" | LC_ALL=C sort
		return 0
	fi
	awk -v d="$W/split" '
	    /-----BEGIN CERTIFICATE-----/ { f = d "/" n++ ".pem" }
	    f != "" { print > f }
	    /-----END CERTIFICATE-----/ { close(f); f = "" }' \
	    "$W/split/all.pem"
	for f in "$W"/split/[0-9]*.pem; do
		[ -f "$f" ] || continue
		openssl x509 -in "$f" -noout -fingerprint -sha256 |
		    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
	done | LC_ALL=C sort
}

have_corpus() {
	if [ -f "$CORPUS/README.md" ]; then return 0; fi
	skipped "$1: corpus '$CORPUS' absent"
	return 1
}

done_testing() {
	if [ "$skip" -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	[ "$fail" = 0 ]
}
