#!/bin/sh
# update as cron runs it (-q): every failure keeps its reason in its one
# line (a probe's AIA host down, its AIA answer refused as expired or not a
# certificate, an address AIA may not reach, the server down); the
# built-in configuration without network, and a source of its own url,
# say in one line how to stop trying, and that advice, followed, works.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

aia_pki_start "$W/pki"

# conf NAME [lines...]: anchors from the test root, then the lines
conf() {
	n=$1
	shift
	{ conf_output "$W/$n"; printf '[source roots]\nurl = %s\n' "$P/root.pem"
	    for l in "$@"; do echo "$l"; done; } >"$W/$n.conf"
}

# quiet NAME LEAF DESCRIPTION ERE [LINES]: update -q with a probe of a
# server sending leaf-LEAF (no server: LEAF is "-"); its stderr is
# exactly one line, matching ERE
quiet() {
	_n=$1 _l=$2 _d=$3 _e=$4
	shift 4
	if [ "$_l" = - ]; then u=smtp://127.0.0.1:9; else
		tlsd_start smtp "$P/$_l.pem" "$P/$_l.key" || nok "$_n: tlsd starts"
		u=smtp://127.0.0.1:$TLSD_PORT
	fi
	conf "$_n" "[probe relay]" "url = $u" "$@"
	run 0 "$_n: update -q publishes the anchors" "$TB" -q -c "$W/$_n.conf" \
	    update
	check "$_n: one line on stderr" [ "$(grep -c '' "$W/err")" = 1 ]
	err_has "$_n: $_d" "^trustbuild: \\[probe relay\\]: $u$_e"
}

V=" does not verify against the store being built: "
quiet expired leaf-expired "the AIA answer refused as expired, with its date" \
    "$V'$BASE/expired.der': CN=AIA Test Intermediate: refused: expired on 2011-01-01 00:00:00 UTC; nothing is admitted" \
    "aia-private = yes"
quiet garbage leaf-garbage "the AIA answer that is no certificate" \
    "$V'$BASE/garbage.der': no certificate in the answer" "aia-private = yes"
quiet private leaf "the address AIA may not reach, and the key that allows it" \
    "$V'$BASE/int.der': refused: the address 127.0.0.1 is loopback; set aia-private = yes in \\[probe relay\\] for an internal PKI; nothing is admitted"
quiet down - "the server down" \
    ": cannot connect: 127.0.0.1:9: Connection refused; nothing is kept" \
    "aia-private = yes"
# the AIA host down: nginx stopped (its answers are cached per run)
httpd_stop
quiet aiadown leaf "the AIA host down" \
    "$V'$BASE/int.der': could not be fetched \\(no connection, or no complete answer within 10 s\\); nothing is admitted" \
    "aia-private = yes"
# without -q the reason is said once, in the same line
run 2 "the AIA host down, without -q: unchanged" "$TB" -c "$W/aiadown.conf" update
check "the URL is said once" [ "$(grep -c "'$BASE/int.der'" "$W/err")" = 1 ]
tlsd_stop

# --- the built-in configuration without network ---
SYS=/etc/ssl/certs/ca-certificates.crt
NONET="https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY="
if [ -f "$SYS" ]; then
	# shellcheck disable=SC2086
	run 0 "the built-in configuration without network: published" \
	    env TRUSTBUILD_CONF="$W/tb.conf" $NONET "$TB" -q update --out "$W/def"
	# shellcheck disable=SC2086
	run 2 "the next run, as cron runs it: unchanged" \
	    env TRUSTBUILD_CONF="$W/tb.conf" $NONET "$TB" -q update --out "$W/def"
	check "one line" [ "$(grep -c '' "$W/err")" = 1 ]
	err_has "why, what stands in, and the fix" \
	    "^trustbuild: \\[source mozilla\\]: nothing is cached; using the fallback 'system' \\('$SYS'\\): 'https://raw.githubusercontent.com/mozilla-firefox/firefox/refs/heads/release/.*': .*; 'https://raw.githubusercontent.com/nss-dev/nss/.*': .*; 'https://hg.mozilla.org/.*': .*; if this host is not to reach it, set 'store = system' in \\[source mozilla\\] of '$W/tb.conf'$"
	# the advice, followed
	printf '[source mozilla]\nstore = system\n' >"$W/tb.conf"
	# shellcheck disable=SC2086
	run 2 "with the fix: the same store, unchanged" \
	    env TRUSTBUILD_CONF="$W/tb.conf" $NONET "$TB" -q update --out "$W/def"
	check "and nothing on stderr" [ ! -s "$W/err" ]
	# a source of its own url, with the system store as its fallback
	{ conf_output "$W/own"; printf '[source up]\nurl = %s\nfallback = system\n' \
	    http://127.0.0.1:9/roots.pem; } >"$W/own.conf"
	run 0 "a url that cannot be reached, with a fallback: published" "$TB" \
	    -q -c "$W/own.conf" update
	check "one line" [ "$(grep -c '' "$W/err")" = 1 ]
	err_has "the fix says what replaces the url" \
	    "^trustbuild: \\[source up\\]: nothing is cached; using the fallback 'system' \\('$SYS'\\): 'http://127.0.0.1:9/roots.pem': .*; if this host is not to reach it, set 'store = system' in place of its 'url' in \\[source up\\] of '$W/own.conf'$"
	sed -i 's|^url = http://127.0.0.1:9/roots.pem$|store = system|' "$W/own.conf"
	run 2 "with the fix: the same store, unchanged" "$TB" -q -c \
	    "$W/own.conf" update
	check "and nothing on stderr" [ ! -s "$W/err" ]
else
	skipped "default configuration: no $SYS"
fi

done_testing
