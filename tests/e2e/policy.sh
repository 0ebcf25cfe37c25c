#!/bin/sh
# Trust policy as a user sees it in the published bundle.
. "$(dirname "$0")/../harness/lib.sh"

count() { grep -c 'BEGIN CERTIFICATE' "$1"; }
mk() { sh "$HARNESS/mkcertdata.sh" "$@"; }

# certdata trust: anchors, distrust with and without a certificate
mk "$FIX/root-a.pem:anchor" "$FIX/root-b.pem:distrust" \
    "$FIX/int-b.pem:distrust-only" "$FIX/expired-root.pem:notrust" \
    >"$W/cd.txt"
run 0 "certdata + a PEM bringing the distrusted root" "$TB" -v build \
    --bundle "$W/b.pem" --intermediates "$FIX/intermediates.pem" \
    "$W/cd.txt" "$FIX/roots.pem"
check "only root A is an anchor" [ "$(grep -c '^# Role' "$W/b.pem")" = 2 -a \
    "$(grep '^# Subject' "$W/b.pem" | grep -c 'Root')" = 1 ]
check "root B is blocked although roots.pem brings it" \
    sh -c '! grep -q "CN=Test Root B" "$1"' sh "$W/b.pem"
err_has "-v says who distrusts root B" 'blocked anchor "CN=Test Root B,O=trustbuild test": distrusted by .*cd.txt:[0-9]+ \("root-b"\)'
err_has "-v: a trust object without certificate blocks int-b" \
    'blocked intermediate "CN=Test Intermediate B.*distrusted by'
err_has "-v: a certificate without trust object is no anchor" \
    '"expired-root" has no trust object'

# purposes
mk "$FIX/root-a.pem:anchor" "$FIX/root-b.pem:email" >"$W/cd2.txt"
"$TB" -q build --bundle "$W/s.pem" "$W/cd2.txt"
"$TB" -q build --purpose email --bundle "$W/e.pem" "$W/cd2.txt"
"$TB" -q build --purpose any --bundle "$W/a.pem" "$W/cd2.txt"
"$TB" -q build --purpose code-signing --bundle "$W/c.pem" "$W/cd2.txt" 2>"$W/err"
rc=$?
check "server-auth: root A only" [ "$(count "$W/s.pem")" = 1 ] 
check "email: both roots" [ "$(count "$W/e.pem")" = 2 ]
check "any: both roots" [ "$(count "$W/a.pem")" = 2 ]
check "code-signing: no anchor, nothing published" [ "$rc" = 1 -a ! -e "$W/c.pem" ]

# --exclude, with or without colons, either case
sha=$(openssl x509 -in "$FIX/root-b.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
run 0 "--exclude with colons" "$TB" build --exclude "$sha" --bundle "$W/x.pem" \
    "$FIX/roots.pem"
check "--exclude leaves the certificate out" [ "$(count "$W/x.pem")" = 1 ]
low=$(echo "$sha" | tr -d : | tr A-F a-f)
run 0 "--exclude as plain lowercase hex" "$TB" build --exclude "$low" \
    --bundle "$W/x2.pem" "$FIX/roots.pem"
check "same result" cmp "$W/x.pem" "$W/x2.pem"

# distrust-after = keep: metadata, not removal (distrust.sh tests the modes)
mk "$FIX/root-a.pem:distrust-after" >"$W/cd3.txt"
run 0 "a root with a distrust-after date, kept" "$TB" build \
    --distrust-after keep --bundle "$W/d.pem" "$W/cd3.txt"
check "stays in the bundle, with the date in its header" \
    grep -q '^# Server distrust after: 2020-04-01 00:00:00 UTC' "$W/d.pem"

if have_corpus "corpus policy"; then
	# the legacy bundle: 61 of 152 expired
	L=$CORPUS/legacy/certifi-14.5.15-cacert.pem
	total=$(pem_sha256s "$L" | uniq | wc -l)
	run 0 "legacy bundle" "$TB" build --bundle "$W/l.pem" "$L"
	err_has "expired anchors are counted on stderr" "left out 61 expired anchors"
	check "91 anchors remain" [ "$(count "$W/l.pem")" = $((total - 61)) ]
	run 0 "-v names each expired anchor" "$TB" -v build --bundle "$W/l2.pem" "$L"
	check "61 'dropped expired anchor' lines" \
	    [ "$(grep -c 'dropped expired anchor' "$W/err")" = 61 ]
	run 0 "--keep-expired" "$TB" build --keep-expired --bundle "$W/l3.pem" "$L"
	check "keeps all $total" [ "$(count "$W/l3.pem")" = "$total" ]
	run 0 "MD5- and MD2-signed roots are read" "$TB" list "$L"
	check "list shows all $total" [ "$(grep -c '^sha256:' "$W/out")" = "$total" ]

	# Debian's package of builtins 2.60 is our set plus two roots
	# Debian added (Sectigo Public Server Authentication E46 and R46);
	# Debian keeps the roots with a distrust-after date (TrustCor): keep
	deb=$CORPUS/debian/ca-certificates_20230311+deb12u1_all.deb
	mkdir -p "$W/deb"
	(cd "$W/deb" && ar x "$deb" && tar xf data.tar.xz)
	pem_sha256s "$W"/deb/usr/share/ca-certificates/mozilla/*.crt >"$W/deb.txt"
	"$TB" -q build --keep-expired --distrust-after keep --bundle "$W/m.pem" \
	    "$CORPUS/certdata/certdata-NSS_3_89_RTM-builtins2.60.txt"
	pem_sha256s "$W/m.pem" >"$W/ours.txt"
	check "Debian has 142 roots" [ "$(wc -l <"$W/deb.txt")" = 142 ]
	check "every root we trust for server-auth is in Debian's package" \
	    [ -z "$(comm -23 "$W/ours.txt" "$W/deb.txt")" ]
	comm -13 "$W/ours.txt" "$W/deb.txt" >"$W/extra.txt"
	pem_sha256s "$W"/deb/usr/share/ca-certificates/mozilla/Sectigo_Public_Server_Authentication_Root_[ER]46.crt \
	    >"$W/sectigo.txt"
	check "Debian's two extras are the Sectigo E46/R46 roots" sh -c '
	    [ "$(wc -l <"$1")" = 2 ] && cmp -s "$1" "$2"' sh "$W/extra.txt" \
	    "$W/sectigo.txt"

	# CCADB: 1,764 intermediates, admitted when they chain to 2.86 roots
	I=$CORPUS/ccadb/MozillaIntermediateCerts-atc0005-20260808.pem
	R=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
	run 0 "CCADB intermediates over builtins 2.86" "$TB" build \
	    --bundle "$W/i.pem" --capath "$W/icerts" --intermediates "$I" "$R"
	na=$(sed -n 's/^\([0-9]*\) anchors, \([0-9]*\) intermediates.*/\1/p' "$W/out")
	ni=$(sed -n 's/^\([0-9]*\) anchors, \([0-9]*\) intermediates.*/\2/p' "$W/out")
	check "most of them are admitted ($ni)" [ "${ni:-0}" -gt 1000 ]
	check "the bundle holds anchors + admitted ($na + $ni)" \
	    [ "$(count "$W/i.pem")" = $((na + ni)) ]
	# every admitted intermediate verifies with openssl against the roots
	"$TB" -q build --bundle "$W/roots.pem" "$R"
	awk '/^# Role: intermediate/{f=1} f&&/BEGIN/{p=1} p{print} /END CERT/{if(p){p=0;f=0}}' \
	    "$W/i.pem" >"$W/admitted.pem"
	check "openssl verifies every admitted intermediate from the roots" sh -c '
	    cd "$1" && rm -rf sp && mkdir sp &&
	    awk "/-----BEGIN/{f=\"sp/\" n++ \".pem\"} {print > f} /-----END/{close(f)}" admitted.pem &&
	    [ "$(ls sp | wc -l)" = "$2" ] || exit 1
	    openssl verify -CAfile roots.pem -untrusted admitted.pem sp/*.pem \
	        >verify.out 2>&1
	    [ "$(grep -c ": OK\$" verify.out)" = "$2" ] || {
	        grep -v ": OK\$" verify.out | head -5; exit 1; }' sh "$W" "$ni"

	# the CCADB CSV report is a source too, checked row by row
	CSV=$CORPUS/ccadb/MozillaIntermediateCerts-20260725.csv
	run 0 "CCADB CSV report as --intermediates" "$TB" build \
	    --bundle "$W/csv.pem" --intermediates "$CSV" "$R"
	nc=$(sed -n 's/^[0-9]* anchors, \([0-9]*\) intermediates.*/\1/p' "$W/out")
	check "most of its 1759 rows are admitted ($nc)" [ "${nc:-0}" -gt 1000 ]
	sed '0,/"4E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840"/s//"0E93BCADD5D4E95331AE362DF9C6066CCA7F942A8FDE4D3EE011DE34074F5840"/' \
	    "$CSV" >"$W/bad.csv"
	run 0 "a row whose SHA256 does not match" "$TB" build \
	    --bundle "$W/csv2.pem" --intermediates "$W/bad.csv" "$R"
	err_has "is reported with its line and subject" \
	    "'$W/bad.csv': line 2: skipping \"CN=3CX CA RSA R1; O=3CX; C=CY\": the SHA256 column does not match the certificate"
	check "and left out" [ "$(count "$W/csv2.pem")" = $(( $(count "$W/csv.pem") - 1 )) ]
fi
# -v refusal lines end with a SHA-256 prefix: two certificates of one name
# (root A and its impostor) are told apart
cat "$FIX/root-a.pem" "$FIX/impostor.pem" >"$W/two-a.pem"
run 0 "two certificates named Test Root A, refused as intermediates" "$TB" \
    build -v --bundle "$W/two.pem" --intermediates "$W/two-a.pem" \
    "$FIX/root-b.pem"
for f in root-a impostor; do
	fp=$(openssl x509 -in "$FIX/$f.pem" -noout -fingerprint -sha256 |
	    sed 's/.*=//; s/://g' | tr A-F a-f | cut -c1-16)
	err_has "-v names $f by its SHA-256 prefix" \
	    "refused intermediate \"CN=Test Root A,O=trustbuild test\": .* \\[sha256 $fp\\]\$"
done
check "every refusal line of -v carries one" sh -c \
    '! grep -E "refused|blocked|excluded|dropped|not an anchor" "$1" |
    grep -v "\[sha256 [0-9a-f]\{16\}\]$"' sh "$W/err"
done_testing
