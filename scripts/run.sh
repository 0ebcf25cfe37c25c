#!/bin/sh
# run.sh: the main job, as "make run" does it: "trustbuild update" on the
# default configuration (/etc/trustbuild/trustbuild.conf when it exists,
# else the built-in one: Mozilla's root set, downloaded, with this
# machine's store as the fallback), published under OUT (default ./out)
# rather than in /etc:
#   OUT/ca-bundle.with.intermediate.crt   the PEM bundle
#   OUT/certs                             the OpenSSL hashed CApath
#   OUT/state                             the cached downloads
# Run it again: a second run asks the server for changes only (exit 2,
# "unchanged", when there are none).
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$(pwd)/out}
echo "trustbuild update --out $OUT"
./trustbuild update --out "$OUT"
st=$?
# 0 published, 2 unchanged: both are success for the job
[ "$st" = 0 ] || [ "$st" = 2 ] || exit "$st"
n=$(grep -c 'BEGIN CERTIFICATE' "$OUT/ca-bundle.with.intermediate.crt")
echo "$n certificates in $OUT/ca-bundle.with.intermediate.crt and $OUT/certs"
echo "to publish for sendmail in /etc/mail/tls: trustbuild update" \
    "(see scripts/provision.sh)"
