#!/bin/sh
# "openssl verify" succeeds with the published store on the real web
# chains of the corpus, and with --intermediates the leaf alone verifies:
# the case of a server that does not send its intermediate.
. "$(dirname "$0")/../harness/lib.sh"

if have_corpus verify; then
	f=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
	mkdir -p "$W/o"
	run 0 "build from builtins 2.86" "$TB" build --bundle "$W/o/b.pem" \
	    --capath "$W/o/certs" "$f"
	for h in "$CORPUS"/chains/web/*/; do
		n=$(basename "$h")
		at=$(date -d "$(cat "$h/validation_time")" +%s)
		check "$n: verify -CApath with the sent intermediates" \
		    openssl verify -attime "$at" -CApath "$W/o/certs" \
		    -untrusted "$h/intermediates.pem" "$h/leaf.pem"
		check "$n: verify -CAfile with the sent intermediates" \
		    openssl verify -attime "$at" -CAfile "$W/o/b.pem" \
		    -untrusted "$h/intermediates.pem" "$h/leaf.pem"
		openssl verify -attime "$at" -CApath "$W/o/certs" \
		    "$h/leaf.pem" >"$W/v" 2>&1
		check "$n: without the intermediate: error 20" \
		    grep -q "error 20 at 0 depth lookup: unable to get local issuer certificate" "$W/v"
	done

	# the intermediates go into the store
	set --
	for h in "$CORPUS"/chains/web/*/; do
		set -- "$@" --intermediates "$h/intermediates.pem"
	done
	run 0 "build with the chains' intermediates" "$TB" build \
	    --bundle "$W/o/bi.pem" --capath "$W/o/ci" "$@" "$f"
	for h in "$CORPUS"/chains/web/*/; do
		n=$(basename "$h")
		at=$(date -d "$(cat "$h/validation_time")" +%s)
		check "$n: the leaf alone verifies against the CApath" \
		    openssl verify -attime "$at" -CApath "$W/o/ci" "$h/leaf.pem"
		check "$n: the leaf alone verifies against the bundle" \
		    openssl verify -attime "$at" -CAfile "$W/o/bi.pem" "$h/leaf.pem"
	done
	check "admitted intermediates are marked in the bundle" \
	    grep -q '^# Role: intermediate' "$W/o/bi.pem"

	# a leaf is never admitted as an intermediate
	run 0 "leaves offered as intermediates" "$TB" -v build \
	    --bundle "$W/o/bl.pem" --intermediates \
	    "$CORPUS/chains/web/google.com/leaf.pem" "$f"
	err_has "the leaf is refused: not a CA" 'refused intermediate .*not a CA certificate'
	check "the leaf is not in the bundle" sh -c '! grep -q "Role: intermediate" "$1"' \
	    sh "$W/o/bl.pem"
fi

# the test PKI: leaf -> int-a2 -> int-a -> root-a
mkdir -p "$W/p"
run 0 "PKI: build with intermediates" "$TB" build --bundle "$W/p/b.pem" \
    --capath "$W/p/certs" --intermediates "$FIX/intermediates.pem" \
    "$FIX/root-a.pem"
check "PKI: leaf verifies against the CApath alone" \
    openssl verify -CApath "$W/p/certs" "$FIX/leaf.pem"
check "PKI: leaf verifies against the bundle alone" \
    openssl verify -CAfile "$W/p/b.pem" "$FIX/leaf.pem"
check "PKI: 3 certificates published (root, 2 intermediates)" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/p/b.pem")" = 3 ]
done_testing
