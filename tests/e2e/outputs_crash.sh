#!/bin/sh
# Four outputs of one update killed with SIGKILL at random instants: the
# bundle, the CApath, a PKCS#12 truststore and a PEM directory ([output
# NAME] sections) published from two root sets in turn.  After every kill
# each output is one complete generation (byte for byte what a build of
# one of the two sets writes there), and after the next run all four are
# of the same set, with nothing left behind.  The harness of crash.sh
# (content, pause); 40 rounds, each killed at a random instant within
# twice the length of a whole run, measured: round i within the i-th
# fortieth of that span, so that the kills cover it whatever the draw.
# Should none of them land before publishing (or none after), because the
# host's load changed the length of a run, up to 20 rounds more are
# killed where those are due (at the start, or past the measured end,
# later each time), each checked the same.  Without the corpus, the two
# sets are test fixtures (small: fewer kills land inside a run).
. "$(dirname "$0")/../harness/lib.sh"

if [ -f "$CORPUS/README.md" ]; then
	A=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
	B=$CORPUS/certdata/certdata-NSS_3_110_RTM-builtins2.74.txt
else
	A=$FIX/roots.pem
	B=$FIX/root-a.pem
fi

# content DIR: names, types, link targets and file contents; no times
content() {
	(cd "$1" && find . -printf '%p %y %l\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) |
	    sha256sum | cut -d' ' -f1
}

# gen DIR: the four outputs of DIR as one line per output
gen() {
	sha256sum <"$1/bundle.crt" | cut -d' ' -f1
	content "$1/certs/"
	sha256sum <"$1/trust.p12" | cut -d' ' -f1
	content "$1/pem/"
}

# the reference: what build writes for each set
for s in a b; do
	mkdir -p "$W/ref-$s"
	[ $s = a ] && src=$A || src=$B
	"$TB" -q build --bundle "$W/ref-$s/bundle.crt" --capath \
	    "$W/ref-$s/certs" --pkcs12 "$W/ref-$s/trust.p12" --pem-dir \
	    "$W/ref-$s/pem" "$src" >/dev/null 2>&1
done
gen "$W/ref-a" >"$W/ga"
gen "$W/ref-b" >"$W/gb"
check "the references differ in each output" sh -c \
    '[ "$(paste "$1" "$2" | awk "\$1 == \$2" | wc -l)" = 0 ]' sh \
    "$W/ga" "$W/gb"

O=$W/o
mkdir -p "$O"
conf() {
	printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\nshrink-limit = 100\n' \
	    "$O/bundle.crt" "$O/certs" "$O/state"
	printf '[output java]\nformat = pkcs12\npath = %s\n' "$O/trust.p12"
	printf '[output go]\nformat = pem-dir\npath = %s\n' "$O/pem"
	printf '[source s]\nurl = %s\n' "$1"
} >"$W/k.conf"

# whole: each output of O is one of the two generations (each on its
# own: the renames are one after the other) and no CApath link dangles;
# mixed counts the outputs of the set that was there before
whole() {
	gen "$O" >"$W/g" 2>/dev/null || return 1
	[ "$(find "$O/certs/" -maxdepth 1 -xtype l | wc -l)" = 0 ] || return 1
	paste "$W/g" "$W/ga" "$W/gb" | awk '$1 != $2 && $1 != $3 { bad++ }
	    END { exit bad > 0 }'
}

# pause FROM TO: a random pause of FROM to TO ms
pause() {
	_p=$(( $1 + $(od -An -N2 -tu2 /dev/urandom) % ($2 - $1 + 1) ))
	sleep "$((_p / 1000)).$(printf '%03d' $((_p % 1000)))"
}

conf "$A"
t0=$(date +%s%N)
"$TB" -q -c "$W/k.conf" update >/dev/null 2>&1
# twice its length: the kills fall before, inside and after publishing
# even when the load of the host changes the run's length
span=$(( ($(date +%s%N) - t0) / 1000000 * 2 + 100 ))
echo "# kills within $span ms of the start"
gen "$O" >"$W/g0"
check "update publishes the four outputs as build does" cmp "$W/ga" "$W/g0"

bad=0
split=0
old=0
new=0
# round FROM TO: the next round (i), publishing the other set, killed
# FROM to TO ms after its start; then each output whole, and where the
# kill landed counted
round() {
	if [ $((i % 2)) = 0 ]; then conf "$B"; else conf "$A"; fi
	gen "$O" >"$W/gp"
	force=""
	[ $((i % 4)) -lt 2 ] && force=--force
	"$TB" -q -c "$W/k.conf" update $force >/dev/null 2>&1 &
	p=$!
	pause "$1" "$2"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	whole || bad=$((bad + 1))
	# before the first rename, after the last, or between two
	if [ $((i % 2)) = 0 ]; then n=$W/gb; else n=$W/ga; fi
	if cmp -s "$W/gp" "$n"; then :	# it had nothing to do
	elif cmp -s "$W/g" "$W/gp"; then old=$((old + 1))
	elif cmp -s "$W/g" "$n"; then new=$((new + 1))
	else split=$((split + 1)); fi
	i=$((i + 1))
}
i=0
while [ $i -lt 40 ]; do
	round $((i * span / 40)) $(((i + 1) * span / 40 - 1))
done
# the kills that did not happen: at the start (before anything is
# published), or past the measured end, later each time
extra=0
while [ $extra -lt 20 ] && [ "$old" = 0 -o "$new" = 0 ]; do
	extra=$((extra + 1))
	if [ "$old" = 0 ]; then round 0 $((span / 8))
	else round $((span * extra / 2)) $((span * (extra + 1) / 2)); fi
done
[ $extra = 0 ] || echo "# $extra rounds more, for the kills of a side not hit"
check "$i SIGKILLs: after each, every output one complete generation" \
    [ "$bad" = 0 ]
echo "# of the kills of runs that had a change to make: $old before the" \
    "first rename, $new after the last, $split between two (the outputs" \
    "of two sets)"
check "some kills landed before publishing, some after" \
    [ "$old" -gt 0 -a "$new" -gt 0 ]

"$TB" -q -c "$W/k.conf" update --force >/dev/null 2>&1
check "the next update completes (exit 0 or 2)" [ $? != 1 ]
gen "$O" >"$W/g"
# the last round (i - 1) published A when odd, B when even
last=$W/ga
[ $(((i - 1) % 2)) = 0 ] && last=$W/gb
check "and all four outputs are of one set, the last one's" cmp "$W/g" \
    "$last"
check "nothing is left behind: no temp file, no link temp" \
    [ -z "$(find "$O" -name '.*.tmp.*' -o -name '.*.lnk.*')" ]
check "two generations at most of each directory" sh -c \
    '[ "$(find "$1" -maxdepth 1 -name ".certs.gen.*" | wc -l)" -le 2 ] &&
    [ "$(find "$1" -maxdepth 1 -name ".pem.gen.*" | wc -l)" -le 2 ]' sh "$O"
run 2 "and a consistent state: an offline --diff finds no change" \
    "$TB" -q -c "$W/k.conf" update --offline --diff

done_testing
