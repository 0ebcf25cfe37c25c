#!/bin/sh
# run.sh: the main job, as "make run" does it: build a trust store from
# the best root set this machine has, into OUT (default ./out):
#   OUT/ca-bundle.with.intermediate.crt   the PEM bundle
#   OUT/certs                             the OpenSSL hashed CApath
# The root set is Mozilla's certdata.txt when one is found (TRUSTBUILD_SOURCE
# overrides), else the system's own store.  "trustbuild update" will take
# this job over with fetching and a configuration file.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$(pwd)/out}
src=${TRUSTBUILD_SOURCE:-}
if [ -z "$src" ]; then
	for f in ../shared/corpus/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt \
	    /usr/share/ca-certificates/mozilla \
	    /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem \
	    /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem \
	    /etc/ssl/ca-bundle.pem; do
		if [ -e "$f" ]; then
			src=$f
			break
		fi
	done
fi
if [ -z "$src" ]; then
	echo "trustbuild: no root set found on this machine; set" \
	    "TRUSTBUILD_SOURCE to a certdata.txt, PEM bundle or directory" >&2
	exit 1
fi
mkdir -p "$OUT" || exit 1
echo "trustbuild build: $src -> $OUT"
./trustbuild build --bundle "$OUT/ca-bundle.with.intermediate.crt" \
    --capath "$OUT/certs" "$src"
st=$?
# 0 published, 2 unchanged: both are success for the job
[ "$st" = 0 ] || [ "$st" = 2 ] || exit "$st"
n=$(grep -c 'BEGIN CERTIFICATE' "$OUT/ca-bundle.with.intermediate.crt")
echo "$n certificates in $OUT/ca-bundle.with.intermediate.crt and $OUT/certs"
