#!/bin/sh
# kill -9 at random instants while publishing two alternating root sets:
# the bundle and the CApath are always one complete set or the other, and
# every hash link resolves.  A following run cleans up what was left.
. "$(dirname "$0")/../harness/lib.sh"

if [ -f "$CORPUS/README.md" ]; then
	A=$CORPUS/certdata/certdata-NSS_3_89_RTM-builtins2.60.txt
	B=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
else
	A=$FIX/roots.pem
	B=$FIX/root-a.pem
fi
ROUNDS=${KILL_ROUNDS:-40}

content() {	# names, types, link targets and file contents; no times
	(cd "$1" && find . -printf '%p %y %l\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) |
	    sha256sum | cut -d' ' -f1
}

for s in A B; do
	eval src=\$$s
	mkdir -p "$W/ref$s"
	"$TB" -q build --bundle "$W/ref$s/b.pem" --capath "$W/ref$s/certs" "$src"
	eval ref_b_$s=\$\(sha256sum \<"$W/ref$s/b.pem" \| cut -d\' \' -f1\)
	eval ref_c_$s=\$\(content "$W/ref$s/certs/"\)
done

mkdir -p "$W/o"
"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$A"
# how long a publishing build takes, to spread the kills over it
t0=$(date +%s%N)
"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$B"
t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 + 5 ))
echo "# a publishing build takes about ${span} ms; $ROUNDS kills"

bad_bundle=0
bad_capath=0
bad_links=0
interrupted=0
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	if [ $((i % 2)) = 0 ]; then src=$A; else src=$B; fi
	delay=$(awk -v s="$span" -v seed="$i$$" 'BEGIN { srand(seed);
	    printf "%.3f", rand() * s / 1000 }')
	"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$src" \
	    >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	b=$(sha256sum <"$W/o/b.pem" | cut -d' ' -f1)
	[ "$b" = "$ref_b_A" ] || [ "$b" = "$ref_b_B" ] || bad_bundle=$((bad_bundle + 1))
	c=$(content "$W/o/certs/")
	# the kill landed before the switch: the old set is still live
	if [ $((i % 2)) = 0 ]; then want=$ref_c_A; else want=$ref_c_B; fi
	[ "$c" = "$want" ] || interrupted=$((interrupted + 1))
	[ "$c" = "$ref_c_A" ] || [ "$c" = "$ref_c_B" ] || bad_capath=$((bad_capath + 1))
	for l in "$W"/o/certs/*.[0-9]; do
		[ -f "$l" ] || { bad_links=$((bad_links + 1)); break; }
	done
	i=$((i + 1))
done
check "after every kill the bundle is set A or set B ($bad_bundle bad)" [ "$bad_bundle" = 0 ]
check "after every kill the CApath is set A or set B ($bad_capath bad)" [ "$bad_capath" = 0 ]
check "after every kill every hash link resolves ($bad_links bad)" [ "$bad_links" = 0 ]
check "some kills landed before the switch ($interrupted of $ROUNDS)" \
    [ "$interrupted" -gt 0 ]

# the next complete run repairs: no temp files, at most two generations
"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$A"
"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$B"
check "a following run leaves no temporary files" \
    [ -z "$(ls -a "$W/o" | grep -E '\.tmp\.|\.lnk\.')" ]
check "and at most two generations" \
    [ "$(ls -d "$W"/o/.certs.gen.* | wc -l)" -le 2 ]
check "and the store is set B" [ "$(content "$W/o/certs/")" = "$ref_c_B" ]

# SIGTERM and SIGINT: clean exit, no temp file left
for sig in TERM INT; do
	"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$A" \
	    >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v s="$span" 'BEGIN { printf "%.3f", s / 3000 }')"
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	check "SIGTERM/SIGINT ($sig): no temporary bundle left" \
	    [ -z "$(ls -a "$W/o" | grep -E '\.b\.pem\.tmp\.')" ]
	b=$(sha256sum <"$W/o/b.pem" | cut -d' ' -f1)
	check "SIGTERM/SIGINT ($sig): the bundle is a complete set" \
	    [ "$b" = "$ref_b_A" -o "$b" = "$ref_b_B" ]
done
done_testing
