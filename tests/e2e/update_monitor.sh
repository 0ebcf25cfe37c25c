#!/bin/sh
# update for monitoring: warn-days warns, even with -q, before a
# certificate a probed relay depends on expires (here an intermediate
# that expires in 10 days), naming the relay and the certificate;
# update --json says what a run did in one JSON object (read here by
# python's json module), with RFC 3339 dates as in probe --json.
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

# --- update --json ---
INT_RFC=$(date -u -d "$(openssl x509 -in "$K/int.pem" -noout -enddate |
    sed 's/^notAfter=//')" '+%Y-%m-%dT%H:%M:%SZ')
conf j
run 0 "update --json: a first run publishes (exit 0)" "$TB" -c "$W/j.conf" \
    update --json
check "stderr is empty: the warnings are in the JSON" [ ! -s "$W/err" ]
check "stdout is one JSON object: the outcome, the counts, the sources, the probes, the warnings" \
    python3 - "$W/out" "$SMTP" "$INT_RFC" "$K/root.pem" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, text
d = json.loads(text)
assert d["outcome"] == "published" and d["changed"] is True, d
assert d["exit"] == 0 and d["purpose"] == "server-auth", d
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d["time"]), d["time"]
assert (d["anchors"], d["intermediates"], d["added"], d["removed"]) == (1, 1, 2, 0), d
assert len(d["changes"]) == 2 and all(c[:2] == "+ " for c in d["changes"]), d
[s] = d["sources"]
assert s == {"name": "roots", "url": None, "path": sys.argv[4],
    "origin": "local file", "answered": None, "stale": False,
    "certificates": 1}, s
[p] = d["probes"]
assert p["name"] == "relay" and p["url"] == sys.argv[2], p
assert p["connected"] and p["verified"] and p["error"] is None, p
assert p["intermediates"] == 1, p
[e] = p["expiring"]
assert e["role"] == "intermediate", e
assert e["subject"] == "CN=Soon Test Intermediate", e
assert e["not_after"] == sys.argv[3], (e, sys.argv[3])
assert e["days"] in (9, 10), e
[w] = d["warnings"]
assert "depends on the intermediate" in w and "warn-days = 30" in w, w
assert d["failures"] == [], d
PY
run 2 "update --json: the next run, unchanged (exit 2)" "$TB" -c "$W/j.conf" \
    update --json
check "outcome unchanged, changed false, exit 2" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["outcome"], d["changed"], d["exit"]) == ("unchanged", False, 2), d
assert d["changes"] == [] and d["added"] == 0, d
' "$W/out"
# a failure: the source gone, the relay down
mv "$K/root.pem" "$K/root.away"
tlsd_stop
run 1 "update --json: a run that fails (exit 1)" "$TB" -c "$W/j.conf" \
    update --json
check "(stderr empty)" [ ! -s "$W/err" ]
check "outcome failed, the failure said, no counts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["outcome"], d["changed"], d["exit"]) == ("failed", False, 1), d
assert "anchors" not in d, d
[f] = d["failures"]
assert "root.pem" in f, f
' "$W/out"
mv "$K/root.away" "$K/root.pem"
run 2 "update --json: the relay down (exit 2)" "$TB" -c "$W/j.conf" \
    update --json
check "the probe: not connected, why, what it keeps; a warning" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
[p] = d["probes"]
assert not p["connected"] and not p["verified"], p
assert "cannot connect" in p["error"], p
assert p["intermediates"] == 1 and p["expiring"] == [], p
assert any("keeping the intermediates it found before" in w
    for w in d["warnings"]), d
' "$W/out"

# --- one date format in every JSON: probe --json ---
tlsd_smtp "$K/chain.pem" "$K/leaf.key" || bail "tlsd"
run 0 "probe --json verifies the relay" "$TB" probe --json --bundle \
    "$K/root.pem" "$SMTP"
check "its dates are RFC 3339 (the intermediate's is openssl's)" python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
for c in d["chain"]:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["not_after"]), c
assert d["chain"][1]["not_after"] == sys.argv[2], d["chain"]
' "$W/out" "$INT_RFC"

done_testing
