#!/bin/sh
# Publishing: equal input gives byte-equal output and exit 2 without
# touching anything; a change switches the CApath generation with one
# rename and keeps the previous one; a foreign directory is refused.
. "$(dirname "$0")/../harness/lib.sh"

A=$FIX/roots.pem
B=$FIX/root-a.pem
mkdir -p "$W/o"
run 0 "first build publishes" "$TB" build --bundle "$W/o/b.pem" \
    --capath "$W/o/certs" "$A"
check "the CApath is a symbolic link" [ -L "$W/o/certs" ]
gen1=$(readlink "$W/o/certs")
check "to a generation directory beside it" [ -d "$W/o/$gen1" ]
cp "$W/o/b.pem" "$W/b1.pem"
before=$(snapshot "$W/o")
sleep 1
run 2 "the same input again: exit 2" "$TB" build --bundle "$W/o/b.pem" \
    --capath "$W/o/certs" "$A"
check "unchanged: said on stdout" grep -q unchanged "$W/out"
check "unchanged: nothing written (names, mtimes, contents)" \
    [ "$(snapshot "$W/o")" = "$before" ]
run 2 "-q: exit 2 and silent" "$TB" -q build --bundle "$W/o/b.pem" \
    --capath "$W/o/certs" "$A"
check "-q: no output at all" [ ! -s "$W/out" -a ! -s "$W/err" ]

# a different set: new generation, previous kept, bundle replaced
run 0 "a change publishes" "$TB" build --bundle "$W/o/b.pem" \
    --capath "$W/o/certs" "$B"
gen2=$(readlink "$W/o/certs")
check "a new generation" [ "$gen1" != "$gen2" -a -d "$W/o/$gen2" ]
check "the previous generation is kept for rollback" \
    [ "$(readlink "$W/o/.certs.prev")" = "$gen1" -a -d "$W/o/$gen1" ]
check "the bundle holds the new set" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/o/b.pem")" = 1 ]
run 0 "and back" "$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$A"
run 0 "and again" "$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$B"
check "only two generations remain" \
    [ "$(ls -d "$W"/o/.certs.gen.* | wc -l)" = 2 ]
check "no temporary files remain" \
    [ -z "$(ls -a "$W/o" | grep -E '\.tmp\.|\.lnk\.')" ]

# byte-equal output from equal input, whatever the run
run 0 "back to the first set" "$TB" -q build --bundle "$W/o/b.pem" \
    --capath "$W/o/certs" "$A"
check "the bundle is byte-equal to the first run's" cmp "$W/o/b.pem" "$W/b1.pem"
check "no timestamp of now in the bundle" \
    sh -c '! grep -q "$(date -u +%Y-%m-%d)" "$1"' sh "$W/o/b.pem"

# the same certificates from two sources: once, both sources named
run 0 "overlapping sources" "$TB" build --bundle "$W/o/d.pem" "$A" "$B" \
    "$FIX/roots.p7b"
check "deduplicated: 2 certificates" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/o/d.pem")" = 2 ]
check "the header names every source" \
    grep -q "^# Source: $A, $B, $FIX/roots.p7b" "$W/o/d.pem"
if have_corpus "source order"; then
	c1=$CORPUS/curl-cacert/cacert-2026-02-11.pem
	c2=$CORPUS/certdata/certdata-NSS_3_110_RTM-builtins2.74.txt
	"$TB" -q build --bundle "$W/o/x.pem" "$c1" "$c2"
	"$TB" -q build --bundle "$W/o/y.pem" "$c2" "$c1"
	check "source order does not change the certificate order" [ \
	    "$(grep '^# SHA-256' "$W/o/x.pem")" = \
	    "$(grep '^# SHA-256' "$W/o/y.pem")" ]
fi

# the bundle keeps the mode it had
chmod 640 "$W/o/b.pem"
"$TB" -q build --bundle "$W/o/b.pem" "$B"
check "the bundle's mode is kept across a change" \
    [ "$(stat -c %a "$W/o/b.pem")" = 640 ]

# an empty directory becomes the link; a foreign directory is refused
mkdir -p "$W/e/certs"
run 0 "an empty directory at --capath is taken over" "$TB" build \
    --capath "$W/e/certs" "$A"
check "and is now a link" [ -L "$W/e/certs" ]
mkdir -p "$W/f/certs"
echo keep >"$W/f/certs/local.pem"
before=$(snapshot "$W/f")
run 1 "a non-empty directory at --capath is refused" "$TB" build \
    --capath "$W/f/certs" "$A"
err_has "the message says what to do" "does not manage.*move .* away"
check "the directory is untouched" [ "$(snapshot "$W/f")" = "$before" ]
mkdir -p "$W/g/elsewhere"
ln -s elsewhere "$W/g/certs"
before=$(snapshot "$W/g")
run 1 "a symbolic link trustbuild did not make is refused" "$TB" build \
    --capath "$W/g/certs" "$A"
err_has "the message names its target" "symbolic link trustbuild did not make \(to 'elsewhere'\)"
check "the link is untouched" [ "$(snapshot "$W/g")" = "$before" ]
run 1 "a missing output directory" "$TB" build --bundle "$W/nope/b.pem" "$A"
err_has "names the directory and the fix" "'$W/nope'.*create it first"

# a second run waits for the lock of the first
mkdir -p "$W/l"
# as root the lock is /run/trustbuild/publish-DEV-INO.lock (only root can
# open it); as another user, the directory itself
if [ "$(id -u)" = 0 ]; then
	mkdir -p -m 700 /run/trustbuild
	lk=/run/trustbuild/publish-$(stat -c %d-%i "$W/l").lock
	( flock -x 9; sleep 2 ) 9>>"$lk" &
else
	( flock -x 9; sleep 2 ) 9<"$W/l" &
fi
sleep 0.3
t0=$(date +%s)
run 0 "a build waits for a held lock" "$TB" -q build --bundle "$W/l/b.pem" "$A"
t1=$(date +%s)
check "and went on once it was free" [ $((t1 - t0)) -ge 1 ]
wait
done_testing
