#!/bin/sh
# "trustbuild list" on bundles, CApath directories and sources, in text
# and JSON, agrees with what openssl says of the same certificates.
. "$(dirname "$0")/../harness/lib.sh"

mkdir -p "$W/o"
"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" \
    --intermediates "$FIX/intermediates.pem" "$FIX/root-a.pem"
run 0 "list a bundle" "$TB" list "$W/o/b.pem"
check "three certificates" [ "$(grep -c '^sha256:' "$W/out")" = 3 ]
sha=$(openssl x509 -in "$FIX/int-a.pem" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr A-F a-f)
check "the SHA-256 is openssl's" grep -q "^sha256: *$sha\$" "$W/out"
na=$(openssl x509 -in "$FIX/int-a.pem" -noout -enddate | sed 's/notAfter=//')
check "the not-after is openssl's" grep -q "^not after: *$(date -u -d "$na" '+%Y-%m-%d %H:%M:%S') UTC\$" "$W/out"
check "CA: yes for all three" [ "$(grep -c '^ca: *yes' "$W/out")" = 3 ]
cp "$W/out" "$W/bundle.txt"
run 0 "list the CApath" "$TB" list "$W/o/certs"
check "the CApath lists the same (links are not counted twice)" \
    [ "$(grep -v '^source:' "$W/out" | sha256sum)" = \
      "$(grep -v '^source:' "$W/bundle.txt" | sha256sum)" ]
run 0 "list a leaf and an expired CA" "$TB" list "$FIX/leaf.pem" "$FIX/expired.pem"
check "the leaf is not a CA" grep -q '^ca: *no' "$W/out"
check "the expired CA is marked expired" grep -q '^expired: *yes' "$W/out"
check "with (expired) after its date" grep -q '^not after: *2011-01-01 00:00:00 UTC (expired)' "$W/out"

run 0 "list --json" "$TB" list --json "$W/o/b.pem" "$FIX/expired.pem"
check "is valid JSON" python3 -m json.tool "$W/out"
check "with four objects" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 4
assert sum(1 for c in d if c["expired"]) == 1
assert all(len(c["sha256"]) == 64 for c in d)
' "$W/out"

sh "$HARNESS/mkcertdata.sh" "$FIX/root-a.pem:distrust-after" \
    "$FIX/root-b.pem:email" >"$W/cd.txt"
run 0 "list a certdata.txt" "$TB" list "$W/cd.txt"
check "shows the trust per purpose" grep -q '^trust: *email trusted-delegator' "$W/out"
check "shows the distrust-after date" grep -q '^server distrust after: 2020-04-01 00:00:00 UTC' "$W/out"
run 0 "list --json a certdata.txt" "$TB" list --json "$W/cd.txt"
check "JSON has the trust and distrust-after" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
a = [c for c in d if c.get("label") == "root-a"][0]
assert a["server_distrust_after"] == "2020-04-01T00:00:00Z", a
assert a["email_distrust_after"] is False
assert a["trust"]["server-auth"] == "trusted-delegator"
' "$W/out"

if have_corpus "list corpus"; then
	f=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
	run 0 "list builtins 2.86" "$TB" list --json "$f"
	check "167 certificates, 6 with a server distrust-after date" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 167, len(d)
assert sum(1 for c in d if "server_distrust_after" in c and c["server_distrust_after"]) == 6
' "$W/out"
fi
printf '[output]\nbundle = %s\ncapath = %s/none/certs\nstate = %s\n[source a]\nurl = %s\n' \
    "$W/none/bundle.crt" "$W" "$W/none/state" "$FIX/root-a.pem" >"$W/none.conf"
run 1 "list without FILE, nothing published yet" "$TB" -c "$W/none.conf" list
err_has "says so, and what to do" \
    "list: nothing is published yet at '$W/none/bundle.crt' \\(the configuration $W/none.conf\\); run 'trustbuild update'"
run 1 "list a missing file" "$TB" list "$W/absent"
err_has "names it" "'$W/absent': No such file or directory"
# CCADB detection once printed "'': line 1: unexpected 'x' after a field"
printf '"abc"x,def\n' >"$W/odd.txt"
run 1 "list a file in no certificate format" "$TB" list "$W/odd.txt"
err_has "one error naming the formats tried" \
    "^trustbuild: '$W/odd.txt': no certificates found \(tried archive, certdata.txt, CCADB CSV, PEM, DER/PKCS#7: none matched\)\$"
check "and no other line" [ "$(wc -l <"$W/err")" -eq 1 ]
# the label: the source's (certdata's CKA_LABEL, a TRUSTED CERTIFICATE's
# alias), and for the published store the manifest's
openssl x509 -in "$FIX/root-b.pem" -addtrust serverAuth -setalias "My Root B" \
    -trustout -out "$W/trusted-b.pem"
run 0 "list a TRUSTED CERTIFICATE with an alias" "$TB" list "$W/trusted-b.pem"
check "shows its alias as the label" grep -qx 'label:      My Root B' "$W/out"
mkdir -p "$W/lab"
{ conf_output "$W/lab" "distrust-after = keep"; printf '[source cd]\nurl = %s\n[source t]\nurl = %s\n' \
    "$W/cd.txt" "$W/trusted-b.pem"; } >"$W/lab.conf"
run 0 "update from a certdata.txt and the TRUSTED CERTIFICATE" "$TB" \
    -c "$W/lab.conf" update
run 0 "list the published store" "$TB" list -c "$W/lab.conf"
check "shows the certdata label" grep -qx 'label:      root-a' "$W/out"
check "and the alias" grep -qx 'label:      My Root B' "$W/out"
check "each with its certificate" sh -c 'grep -A2 "^subject: *CN=Test Root A," "$1" |
    grep -qx "label:      root-a"' sh "$W/out"
run 0 "list --json the published store" "$TB" list --json -c "$W/lab.conf"
check "the JSON has each label" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
labels = sorted(c.get("label") for c in d)
assert labels == ["My Root B", "root-a"], labels
' "$W/out"
check "the manifest keeps them" grep -q '^label [0-9a-f]\{64\} root-a$' \
    "$W/lab/state/manifest"
done_testing
