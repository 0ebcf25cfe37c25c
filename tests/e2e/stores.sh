#!/bin/sh
# The stores/ catalogue: "trustbuild stores" lists the definitions, and
# "build --store NAME=PATH" takes format, member, role and pin from them.
. "$(dirname "$0")/../harness/lib.sh"

run 0 "stores" "$TB" stores
for s in mozilla curl system ccadb-intermediates nss-tarball debian; do
	check "lists $s" grep -q "^$s: " "$W/out"
done
run 0 "stores --json" "$TB" stores --json
check "is valid JSON with a role for each" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) >= 6 and all(s["role"] in ("anchors", "intermediates") for s in d)
' "$W/out"

# a definition directory of one's own
mkdir -p "$W/defs"
printf 'name = test\ndescription = the test roots\npath = %s\nformat = pem\nrole = anchors\n' \
    "$FIX/roots.pem" >"$W/defs/test"
printf 'name = test-int\nurl = https://example.invalid/i.pem\nformat = pem\nrole = intermediates\n' \
    >"$W/defs/test-int"
run 0 "TRUSTBUILD_STORES points elsewhere" env TRUSTBUILD_STORES="$W/defs" "$TB" stores
check "and only those are listed" [ "$(grep -c '^[a-z-]*: ' "$W/out")" = 2 ]
run 0 "--store NAME uses the definition's path" env TRUSTBUILD_STORES="$W/defs" \
    "$TB" build --bundle "$W/a.pem" --store test
check "2 roots" [ "$(grep -c 'BEGIN CERTIFICATE' "$W/a.pem")" = 2 ]
run 0 "--store with role intermediates" env TRUSTBUILD_STORES="$W/defs" \
    "$TB" build --bundle "$W/i.pem" --store test-int="$FIX/intermediates.pem" \
    "$FIX/root-a.pem"
check "the intermediates that chain are admitted" \
    [ "$(grep -c '^# Role: intermediate' "$W/i.pem")" = 2 ]
printf 'name = test\nformat = pem\nrole = anchors\npath = /x\ncolour = blue\n' \
    >"$W/defs/test"
run 1 "a broken definition" env TRUSTBUILD_STORES="$W/defs" "$TB" build \
    --bundle "$W/a.pem" --store test
err_has "names the file and line" "'$W/defs/test': line 5: unknown key 'colour'"
run 1 "an unknown store" "$TB" build --bundle "$W/a.pem" --store nosuch=/x
err_has "says where to look" "'nosuch': no such store; 'trustbuild stores' lists them"
run 1 "a published store without a local copy" "$TB" build \
    --bundle "$W/a.pem" --store mozilla
err_has "asks for one" "give a local copy of https://.*: --store mozilla=PATH"

if have_corpus "stores with the corpus"; then
	run 0 "--store mozilla=certdata.txt and ccadb-intermediates=CSV" "$TB" build \
	    --distrust-after keep --bundle "$W/m.pem" \
	    --store mozilla="$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt" \
	    --store ccadb-intermediates="$CORPUS/ccadb/MozillaIntermediateCerts-20260725.csv"
	check "roots and intermediates" grep -q "^120 anchors, 17[0-9][0-9] intermediates" "$W/out"
	run 1 "the wrong format for the store" "$TB" build --bundle "$W/m.pem" \
	    --store mozilla="$CORPUS/curl-cacert/cacert-2026-05-14.pem"
	err_has "is named" "the mozilla store is certdata, but this file is PEM"
	run 0 "--store debian: the pinned .deb, its member selector" "$TB" build \
	    --keep-expired --bundle "$W/d.pem" \
	    --store debian="$CORPUS/debian/ca-certificates_20230311+deb12u1_all.deb"
	check "142 roots, no placeholder warning" [ \
	    "$(grep -c 'BEGIN CERTIFICATE' "$W/d.pem")" = 142 -a ! -s "$W/err" ]
	run 1 "another version of the .deb fails the pin" "$TB" build \
	    --bundle "$W/d.pem" \
	    --store debian="$CORPUS/debian/ca-certificates_20250419~deb12u2_all.deb"
	err_has "says which pin" "is not the debian store's pin 0d5f444f"
fi
done_testing
