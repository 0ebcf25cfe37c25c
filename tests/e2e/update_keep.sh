#!/bin/sh
# probe-keep: a relay behind a load balancer whose two servers send two
# chains (leaf + "AIA Test Intermediate", or leaf-deep + "Int Two" + "Int
# One"), one per run: what a probe brought stays published for probe-keep
# days (default 30) after the probe last saw it in its chain (the state's
# manifest records when), so the bundle does not flap; past that, or with
# probe-keep = 0 (in [output] or in the [probe]), it goes.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

aia_pki_start "$W/pki"
RFC='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

# serve A|B: the load balancer's server of this run, at $U
serve() {
	tlsd_stop
	case $1 in
	A) tlsd_start smtp "$P/leaf-chain.pem" "$P/leaf.key" ;;
	B) tlsd_start smtp "$P/leaf-deep-chain.pem" "$P/leaf-deep.key" ;;
	esac || nok "tlsd serves chain $1"
	U=smtp://127.0.0.1:$TLSD_PORT
}
# conf NAME [[output] line] [[probe] line]
conf() {
	{ conf_output "$W/$1" ${2:+"$2"}
	    printf '[source roots]\nurl = %s\n' "$P/root.pem"
	    printf '[probe lb]\nurl = %s\naia-private = yes\n' "$U"
	    [ -z "${3:-}" ] || echo "$3"; } >"$W/$1.conf"
}
# sha NAME: the SHA-256 of $P/NAME.pem, by openssl
sha() {
	openssl x509 -in "$P/$1.pem" -noout -fingerprint -sha256 |
	    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}
INT=$(sha int) INT1=$(sha int1) INT2=$(sha int2)
# seen NAME SHA: the last-seen time of the manifest's probe line for SHA
seen() {
	sed -n "s/^probe $2 [^ ]* \\([^ ]*\\) lb\$/\\1/p" "$W/$1/state/manifest"
}
# in_bundle NAME CN...: each CN is in $W/NAME/bundle.crt
in_bundle() {
	_b=$1
	shift
	for _cn; do grep -q "^# Subject: CN=$_cn\$" "$W/$_b/bundle.crt" || return 1; done
}

serve A
conf k
run 0 "server A: its intermediate is published" "$TB" -q -c "$W/k.conf" update
check "(in the bundle)" in_bundle k "AIA Test Intermediate"
S1=$(seen k "$INT")
check "the manifest says when the probe saw it ($S1)" sh -c \
    'echo "$1" | grep -Eqx "$2"' sh "$S1" "$RFC"
sleep 1
serve B
conf k
run 0 "server B: its two intermediates are published" "$TB" -q -c \
    "$W/k.conf" update
check "(all three in the bundle)" in_bundle k "AIA Test Intermediate" \
    "AIA Test Int One" "AIA Test Int Two"
check "nothing was removed" sh -c '! grep -q "^- " "$1"' sh "$W/out"
check "A's intermediate keeps the time it was last seen" [ "$(seen k "$INT")" = "$S1" ]
S2=$(seen k "$INT1")
check "B's are seen now ($S2, after $S1)" sh -c \
    'echo "$1" | grep -Eqx "$3" && [ "$1" \> "$2" ]' sh "$S2" "$S1" "$RFC"
serve A
conf k
run 2 "server A again: unchanged, the bundle does not flap" "$TB" -q -c \
    "$W/k.conf" update
check "(all three in the bundle)" in_bundle k "AIA Test Intermediate" \
    "AIA Test Int One" "AIA Test Int Two"
check "B's keep their time" [ "$(seen k "$INT1"):$(seen k "$INT2")" = "$S2:$S2" ]
run 2 "an update --json says it" "$TB" -c "$W/k.conf" update --json
check "(the probe needs 3: 1 seen, 2 kept)" python3 -c '
import json, sys
[p] = json.load(open(sys.argv[1]))["probes"]
assert p["verified"] and p["intermediates"] == 3, p
' "$W/out"

# 31 days after the probe last saw B's (the manifest's time moved back)
OLD=$(date -u -d '31 days ago' +%Y-%m-%dT%H:%M:%SZ)
sed -i -E "s/^(probe ($INT1|$INT2) [^ ]+) $RFC lb\$/\\1 $OLD lb/" \
    "$W/k/state/manifest"
check "(the manifest now says $OLD)" [ "$(seen k "$INT1")" = "$OLD" ]
run 0 "31 days later, with A: B's intermediates go (probe-keep 30)" "$TB" \
    -v -c "$W/k.conf" update
check "the change removes both" [ "$(grep -c '^- ' "$W/out")" = 2 ]
check "(Int One)" grep -q "^- $INT1 CN=AIA Test Int One" "$W/out"
err_has "-v says why" "\\[probe lb\\]: \"CN=AIA Test Int One\", last in its chain on .*, is no longer kept \\(probe-keep = 30\\)"
check "A's stays" in_bundle k "AIA Test Intermediate"

# probe-keep = 0 in [output]: what the chain does not hold goes at once
serve B
conf z "probe-keep = 0"
run 0 "probe-keep = 0, server B: published" "$TB" -q -c "$W/z.conf" update
serve A
conf z "probe-keep = 0"
run 0 "probe-keep = 0, server A: B's intermediates go at once" "$TB" -q -c \
    "$W/z.conf" update
check "(the change removes both)" [ "$(grep -c '^- ' "$W/out")" = 2 ]
check "(A's is added)" grep -q "^+ $INT CN=AIA Test Intermediate" "$W/out"
# probe-keep = 0 in the [probe], over [output]'s 30
conf p "probe-keep = 30" "probe-keep = 0"
run 0 "[probe] probe-keep = 0 over [output]'s 30, server A: published" "$TB" \
    -q -c "$W/p.conf" update
serve B
conf p "probe-keep = 30" "probe-keep = 0"
run 0 "then server B: A's intermediate goes at once" "$TB" -q -c "$W/p.conf" \
    update
check "(the change removes it)" grep -q "^- $INT CN=AIA Test Intermediate" \
    "$W/out"

# a server down: kept for probe-keep days, too
tlsd_stop
run 2 "server down: A's intermediate is kept" "$TB" -q -c "$W/k.conf" update
err_has "(said)" "keeping the intermediates it found before"
sed -i -E "s/^(probe $INT [^ ]+) $RFC lb\$/\\1 $OLD lb/" "$W/k/state/manifest"
run 0 "server down, 31 days after the probe last saw it: it goes" "$TB" -q \
    -c "$W/k.conf" update
check "(the change removes it)" grep -q "^- $INT CN=AIA Test Intermediate" \
    "$W/out"
err_has "(said)" "nothing is kept from before"

done_testing
