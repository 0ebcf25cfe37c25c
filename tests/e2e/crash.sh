#!/bin/sh
# Crash consistency and concurrency, the one place kill -9 is tested: build
# and update killed with SIGKILL at 200 random instants while they publish
# alternating root sets leave, after each kill, a bundle that is one whole
# set and a CApath that is one whole set (the same names, links and
# contents as a build of that set) whose every hash link resolves; some
# kills land before the switch; a following run removes the leftovers and
# leaves a consistent state.  SIGTERM and SIGINT end a run cleanly, temp
# files removed.  Eight updates at once publish once and never mix their
# output; a lock holder killed frees the lock for the one waiting.  Without
# the corpus, the two sets are test fixtures (small: fewer kills land
# inside a run).
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"

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

"$TB" -q build --bundle "$W/ref-a.crt" --capath "$W/ref-a" "$A" >/dev/null 2>&1
"$TB" -q build --bundle "$W/ref-b.crt" --capath "$W/ref-b" "$B" >/dev/null 2>&1
ha=$(sha256sum <"$W/ref-a.crt")
hb=$(sha256sum <"$W/ref-b.crt")
ca=$(content "$W/ref-a/")
cb=$(content "$W/ref-b/")

# whole OUT: the bundle is one of the two sets, the CApath is one of the
# two sets (not necessarily the same: they are published one after the
# other) and no link in it dangles; c is the CApath's content
whole() {
	h=$(sha256sum <"$1/bundle.crt")
	c=$(content "$1/certs/")
	d=$(find "$1/certs/" -maxdepth 1 -xtype l | wc -l)
	[ "$d" = 0 ] || return 1
	{ [ "$h" = "$ha" ] || [ "$h" = "$hb" ]; } &&
	    { [ "$c" = "$ca" ] || [ "$c" = "$cb" ]; }
}

# a random pause of 0 to 250 ms
pause() {
	sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 250 )))"
}

# kill100 START: 100 rounds of "START SET" (which runs a publishing
# command in the background on B, then A, alternately) killed with SIGKILL
# at a random instant; bad counts the rounds after which $O is not whole,
# early those after which the CApath is still the set before
kill100() {
	bad=0
	early=0
	i=0
	while [ $i -lt 100 ]; do
		if [ $((i % 2)) = 0 ]; then "$1" "$B"; else "$1" "$A"; fi
		p=$!
		pause
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		whole "$O" || bad=$((bad + 1))
		if [ $((i % 2)) = 0 ]; then [ "$c" = "$ca" ]; else
			[ "$c" = "$cb" ]; fi && early=$((early + 1))
		i=$((i + 1))
	done
}

# 100 kills of build
O=$W/kb
mkdir -p "$O"
"$TB" -q build --bundle "$O/bundle.crt" --capath "$O/certs" "$A" >/dev/null 2>&1
start_build() {
	"$TB" -q build --bundle "$O/bundle.crt" --capath "$O/certs" "$1" \
	    >/dev/null 2>&1 &
}
kill100 start_build
check "build: 100 SIGKILLs, after each a whole set and a resolving CApath" \
    [ "$bad" = 0 ]
check "some kills landed before the switch ($early of 100)" [ "$early" -gt 0 ]
"$TB" -q build --bundle "$O/bundle.crt" --capath "$O/certs" "$B" >/dev/null 2>&1
check "the next build leaves no temp file" \
    [ -z "$(find "$O" -name '.*.tmp.*' -o -name '.*.lnk.*')" ]
check "and two generations at most" \
    [ "$(find "$O" -maxdepth 1 -name '.certs.gen.*' | wc -l)" -le 2 ]
check "and the store is the set it built" \
    [ "$(content "$O/certs/")" = "$cb" ]

# 100 kills of update
conf() {
	printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\nshrink-limit = 100\n[source s]\nurl = %s\n' \
	    "$O/bundle.crt" "$O/certs" "$O/state" "$1" >"$W/k.conf"
}
O=$W/ku
mkdir -p "$O"
conf "$A"
"$TB" -q -c "$W/k.conf" update >/dev/null 2>&1
# half the rounds with --force (publish even what the state says is live)
n=0
start_update() {
	conf "$1"
	n=$((n + 1))
	force=""
	[ $((n % 4)) -lt 2 ] && force=--force
	"$TB" -q -c "$W/k.conf" update $force >/dev/null 2>&1 &
}
kill100 start_update
check "update: 100 SIGKILLs, after each a whole set and a resolving CApath" \
    [ "$bad" = 0 ]
"$TB" -q -c "$W/k.conf" update --force >/dev/null 2>&1
check "the next update completes (exit 0 or 2)" [ $? != 1 ]
check "and leaves no temp file, in the outputs or the state" \
    [ -z "$(find "$O" -name '.*.tmp.*' -o -name '.*.lnk.*')" ]
run 2 "and a consistent state: an offline --diff finds no change" \
    "$TB" -q -c "$W/k.conf" update --offline --diff

# SIGTERM and SIGINT: a clean end, temp files removed
"$TB" -q build --bundle "$O/bundle.crt" --capath "$O/certs" "$A" \
    >/dev/null 2>&1	# no leftovers of the kills above
for sig in TERM INT; do
	left=0
	gens=0
	i=0
	while [ $i -lt 10 ]; do
		if [ $((i % 2)) = 0 ]; then s=$B; else s=$A; fi
		"$TB" -q build --bundle "$O/bundle.crt" --capath "$O/certs" \
		    "$s" >/dev/null 2>&1 &
		p=$!
		pause
		kill -"$sig" "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		[ -z "$(find "$O" -maxdepth 1 -name '.bundle.crt.tmp.*')" ] ||
		    left=$((left + 1))
		whole "$O" || left=$((left + 1))
		# the staged generation, or an old one being removed, is gone
		# too (publish_tmp.h): the live one and .prev at most
		[ "$(find "$O" -maxdepth 1 -name '.certs.gen.*' | wc -l)" -le 2 ] ||
		    gens=$((gens + 1))
		[ -z "$(find "$O" -maxdepth 1 -name '.certs.lnk.*')" ] ||
		    gens=$((gens + 1))
		i=$((i + 1))
	done
	check "SIG$sig 10 times: no temp bundle left, the store whole" \
	    [ "$left" = 0 ]
	check "SIG$sig 10 times: only the live generation and .prev left" \
	    [ "$gens" = 0 ]
done

# eight updates at once: one publishes, all end, none mixes its output
O=$W/c8
mkdir -p "$O"
conf "$A"
pids=""
i=1
while [ $i -le 8 ]; do
	"$TB" -c "$W/k.conf" update >"$W/c8.$i.out" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
zeros=0
twos=0
for p in $pids; do
	wait "$p"
	case $? in 0) zeros=$((zeros + 1)) ;; 2) twos=$((twos + 1)) ;; esac
done
check "8 updates at once: one publishes (0), seven find it done (2)" \
    [ "$zeros" = 1 -a "$twos" = 7 ]
mixed=0
i=1
while [ $i -le 8 ]; do
	[ "$(grep -c 'for server-auth: ' "$W/c8.$i.out")" = 1 ] ||
	    mixed=$((mixed + 1))
	grep -v '^trustbuild: \|^[0-9]* anchors, \|^[+-] [0-9a-f]\{64\} ' \
	    "$W/c8.$i.out" | grep -q . && mixed=$((mixed + 1))
	i=$((i + 1))
done
check "each printed its own whole lines, one summary each" [ "$mixed" = 0 ]
check "the store is whole" whole "$O"

# a lock holder killed: the waiting run goes on
mkdir -p "$W/www"
cp "$A" "$W/www/certdata.txt"
if httpd_start "$W/www"; then
	O=$W/lk
	mkdir -p "$O"
	conf "$HTTPD_URL/slow/certdata.txt"
	printf '[fetch]\ntimeout = 600\n' >>"$W/k.conf"
	cp "$W/k.conf" "$W/slow.conf"
	"$TB" -q -c "$W/slow.conf" update >/dev/null 2>&1 &
	holder=$!
	sleep 1
	conf "$A"
	sed -i 's/^shrink-limit = 100$/shrink-limit = 100\nlock-wait = 30/' \
	    "$W/k.conf"
	t0=$(date +%s)
	"$TB" -q -c "$W/k.conf" update >"$W/lk.out" 2>&1 &
	waiter=$!
	sleep 1
	check "the second update waits for the lock" kill -0 "$waiter"
	kill -9 "$holder"
	wait "$holder" 2>/dev/null
	wait "$waiter"
	st=$?
	check "the holder killed, the waiter publishes (exit 0)" [ "$st" = 0 ]
	check "soon after" [ $(($(date +%s) - t0)) -lt 15 ]
	check "a whole store" whole "$O"
else
	nok "nginx starts"
fi
done_testing
