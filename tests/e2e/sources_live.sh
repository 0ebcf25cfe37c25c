#!/bin/sh
# sources_live.sh: sources that stay live.  nginx (httpd.sh, with https
# from a test CA) serves the corpus certdata.txt under the layouts Mozilla
# publishes it at: the Firefox repository on GitHub (new), NSS's own on
# GitHub, and the old Mercurial URL.  A source's urls are mirrors tried in
# order: the first down, the second answers and is recorded (state, -v,
# --json); a mirror whose bytes are refused passes to the next; a 301 from
# the old host to the new one (https) is followed; a downgrade to http,
# and a plain http redirect to another host, are refused.  A download
# answering 304 for ever, the clock moved past stale-after (faketime): one
# line per run naming the source, its url and the date of its last change,
# the exit status as without it.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"

C86=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
if [ ! -f "$C86" ]; then
	skipped "sources_live: no corpus certdata 2.86 in $CORPUS"
	done_testing
	exit 0
fi

# a test CA and its server certificate for 127.0.0.1 and localhost, valid
# long enough for the clock moved by faketime
mkdir -p "$W/tls"
(
	cd "$W/tls" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout ca.key -subj "/CN=Live Test CA" -days 3650 -out ca.pem &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout key.pem -subj "/CN=localhost" -out srv.csr &&
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 3650 -extfile ext -out cert.pem
) >"$W/tls.log" 2>&1 || bail "a test CA (openssl)"

NEW=mozilla-firefox/firefox/refs/heads/release/security/nss/lib/ckfw/builtins/certdata.txt
NSS=nss-dev/nss/refs/heads/master/lib/ckfw/builtins/certdata.txt
OLD=projects/nss/raw-file/default/lib/ckfw/builtins/certdata.txt
D=$W/www
for p in $NEW $NSS $OLD; do
	mkdir -p "$D/$(dirname "$p")"
	cp "$C86" "$D/$p"
done
mkdir -p "$D/bad"
cp "$FIX/roots.pem" "$D/bad/certdata.txt"	# a mirror with the wrong bytes
cat >"$W/inc.conf" <<'NGX'
location ~ ^/moved/(.*)$ {
	return 301 https://127.0.0.1:$server_port/$1;
}
location ~ ^/downgrade/(.*)$ {
	return 301 http://127.0.0.1:$server_port/$1;
}
NGX
HTTPD_TLS=$W/tls HTTPD_INCLUDE=$W/inc.conf httpd_serve "$D"
T=$HTTPD_TLS_URL
TL=https://localhost:$HTTPD_TLS_PORT
DOWN=https://127.0.0.1:1

# FT: faketime; ASan refuses a preloaded library before its runtime:
# let it be
FT="faketime"
case $TB in *asan*)
	FT="env ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 faketime" ;;
esac

# conf NAME LINE...: $W/NAME.conf publishing into $W/NAME (distrust-after
# = keep: the set does not change with the clock), [fetch] ca the test CA,
# then the LINEs
conf() {
	_n=$1
	shift
	{ conf_output "$W/$_n" "distrust-after = keep"
	    printf '[fetch]\nca = %s\n' "$W/tls/ca.pem"
	    printf '%s\n' "$@"; } >"$W/$_n.conf"
}

# --- mirrors: the first down, the second answers ---
conf m "[source moz]" "url = $DOWN/$NEW" "url = $T/$NEW" "url = $T/$OLD"
run 0 "the first mirror down: the second answers, published" \
    "$TB" -v -c "$W/m.conf" update
err_has "-v says the first did not answer and which is tried next" \
    "^trustbuild: \\[source moz\\]: .*'$DOWN/$NEW'.*; trying mirror 1 of 2, '$T/$NEW'$"
err_has "-v says which one answered" \
    "^trustbuild: \\[source moz\\]: '$T/$NEW' answered \\(a mirror\\)$"
file_has "the state records the mirror that answered" "$W/m/state/cache/moz.meta" \
    "^url $T/$NEW$"
file_has "and when the content last changed" "$W/m/state/cache/moz.meta" \
    "^changed [0-9]+$"
check "nothing asked of the third" [ "$(grep -c "GET /$OLD" "$LOG")" = 0 ]
run 2 "again, --json: unchanged" "$TB" -c "$W/m.conf" update --json
check "--json names the url that answered" grep -q \
    "\"answered\":\"$T/$NEW\"" "$W/out"
check "--json: the date of the last change, not stale" grep -Eq \
    '"changed_at":"[0-9-]+T[0-9:]+Z","stale":false' "$W/out"
httpd_log_wait "^304 GET /$NEW " || true
check "the second run asked the mirror that answered, conditionally (304)" \
    grep -q "^304 GET /$NEW " "$LOG"

# a mirror whose bytes are refused is passed over too
conf bad "[source moz]" "url = $T/bad/certdata.txt" "url = $T/$NSS" \
    "format = certdata"
run 0 "the first mirror's bytes refused (not certdata): the next answers" \
    "$TB" -v -c "$W/bad.conf" update
err_has "-v: why the first was passed over" \
    "\\[source moz\\]: .*is certdata.txt, but this is PEM; trying mirror 1 of 1, '$T/$NSS'$"
file_has "the state records it" "$W/bad/state/cache/moz.meta" "^url $T/$NSS$"

# a mirror over plain http, unpinned, that answers is warned about by name
conf hm "[source moz]" "url = $DOWN/$NEW" "url = $BASE/$NEW"
run 0 "https down, a plain http mirror answers" "$TB" -c "$W/hm.conf" update
err_has "warned: that mirror is plain http and unchecked" \
    "^trustbuild: warning: \\[source moz\\]: '$BASE/$NEW' is plain http, checked by neither"

# every mirror down: one error, each mirror's reason in the order tried
conf all "[source moz]" "url = $DOWN/$NEW" "url = $T/status/404"
run 1 "every mirror down, nothing cached: exit 1" "$TB" -c "$W/all.conf" update
one_error "every mirror down"
err_has "the error gives each mirror's reason in order" \
    "'$DOWN/$NEW': .*; '$T/status/404': the server answered HTTP 404"
check "nothing published" [ ! -e "$W/all/bundle.crt" ]

# a hostile (or stale) mirror cannot roll the store back: what a source
# gave before is kept under its first url, whichever mirror answers
C74=$CORPUS/certdata/certdata-NSS_3_110_RTM-builtins2.74.txt
if [ -f "$C74" ]; then
	mkdir -p "$D/m1" "$D/m2"
	cp "$C74" "$D/m1/certdata.txt"
	cp "$C74" "$D/m2/certdata.txt"
	conf rb "[source moz]" "url = $T/m1/certdata.txt" \
	    "url = $T/m2/certdata.txt"
	run 0 "the first mirror gives 2.74: published" "$TB" -q \
	    -c "$W/rb.conf" update
	cp "$C86" "$D/m1/certdata.txt"
	run 0 "then 2.86, which drops roots of 2.74 (--force: past shrink-limit)" \
	    "$TB" -q -c "$W/rb.conf" update --force
	cp "$W/rb/bundle.crt" "$W/rb.before"
	rm "$D/m1/certdata.txt"
	run 1 "the first gone, the second still gives 2.74: refused" \
	    "$TB" -q -c "$W/rb.conf" update
	err_has "as a rollback, naming the source's url" \
	    "^trustbuild: \\[source moz\\]: '$T/m1/certdata.txt' went back to an older set"
	check "the published bundle is as it was" cmp "$W/rb/bundle.crt" \
	    "$W/rb.before"
else
	skipped "mirror rollback: no corpus certdata 2.74"
fi

# --- redirects ---
conf moved "[source moz]" "url = $TL/moved/$NEW"
run 0 "a 301 from the old host to the new one over https is followed" \
    "$TB" -c "$W/moved.conf" update
httpd_log_wait "^301 GET /moved/$NEW " || true
check "nginx answered 301, then the file" grep -q "^200 GET /$NEW " "$LOG"
conf down "[source moz]" "url = $TL/downgrade/$NEW"
run 1 "a redirect from https down to http is refused" "$TB" \
    -c "$W/down.conf" update
one_error "the downgrade"
err_has "naming both urls and why" \
    "'$TL/downgrade/$NEW': redirected to 'http://127.0.0.1:$HTTPD_TLS_PORT/$NEW'; only redirects to https URLs are followed \\(a downgrade to plain http is refused\\)"
check "nothing published" [ ! -e "$W/down/bundle.crt" ]
conf xhost "[source moz]" \
    "url = $BASE/redirect/host/localhost:$HTTPD_PORT/$NEW" \
    "sha256 = $(sha256sum "$C86" | cut -c1-64)"
run 1 "a plain http redirect to another host is refused" "$TB" \
    -c "$W/xhost.conf" update
err_has "saying only https crosses hosts" \
    "redirected to 'http://localhost:$HTTPD_PORT/$NEW', another host, over plain http; only https redirects are followed across hosts"
conf same "[source moz]" "url = $BASE/redirect/to/$NEW" \
    "sha256 = $(sha256sum "$C86" | cut -c1-64)"
run 0 "a plain http redirect on the same host is still followed" "$TB" \
    -q -c "$W/same.conf" update

# --- a store definition with mirrors, its stale-after the default ---
mkdir -p "$W/stores"
cat >"$W/stores/live" <<DEF
name = live
description = the live test set
why = a test: the new layout first, the old one after
url = $DOWN/$NEW
url = $T/$OLD
format = certdata
role = anchors
integrity = https
stale-after = 180
DEF
run 0 "trustbuild stores lists the mirrors and stale-after" env \
    TRUSTBUILD_STORES="$W/stores" "$TB" stores
check "the url, then mirror 1" grep -A1 -q "^  url:        $DOWN/$NEW$" "$W/out"
check "mirror 1 is the old layout" grep -q "^  mirror 1:   $T/$OLD$" "$W/out"
check "and why" grep -q "^  why:        a test: the new layout first" "$W/out"
check "and stale-after" grep -q "^  stale after 180 days unchanged$" "$W/out"
run 0 "stores --json too" env TRUSTBUILD_STORES="$W/stores" "$TB" stores --json
check "its url, mirrors in order, why and stale-after" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))[0]
assert s["url"] == sys.argv[2] and s["mirrors"] == [sys.argv[3]], s
assert s["why"].startswith("a test") and s["stale_after_days"] == 180, s
' "$W/out" "$DOWN/$NEW" "$T/$OLD"

# a URL frozen long ago (its Last-Modified) is stale from its first run
mkdir -p "$D/frozen"
cp "$C86" "$D/frozen/certdata.txt"
touch -d '2025-05-01 12:00:00 UTC' "$D/frozen/certdata.txt"
conf fz "[source fz]" "url = $T/frozen/certdata.txt" "stale-after = 180"
run 0 "a download last modified in May 2025: published" "$TB" -q \
    -c "$W/fz.conf" update
err_has "and said stale at once, dated by its Last-Modified" \
    "^trustbuild: \\[source fz\\]: '$T/frozen/certdata.txt' has not changed since 2025-05-01 12:00 UTC, [0-9]+ days ago \\(stale-after = 180\\)"
file_has "the date kept in the state" "$W/fz/state/cache/fz.meta" \
    "^changed $(date -u -d '2025-05-01 12:00:00' +%s)$"

if command -v faketime >/dev/null 2>&1; then
	conf st "[source live]" "store = live"
	run 0 "the store's source: fetched from its mirror" env \
	    TRUSTBUILD_STORES="$W/stores" "$TB" -q -c "$W/st.conf" update
	check "no stale line on the day it changed" [ ! -s "$W/err" ]
	run 2 "200 days later, 304 from the mirror: unchanged, exit 2 as always" \
	    env TRUSTBUILD_STORES="$W/stores" $FT -f +200d "$TB" -q \
	    -c "$W/st.conf" update
	err_has "one line naming the source, its url and the date of its last change" \
	    "^trustbuild: \\[source live\\]: '$T/$OLD' has not changed since $(date -u +%Y-%m-%d) [0-9:]+ UTC, 200 days ago \\(stale-after = 180\\): an upstream that moved answers 'not modified' for ever; check where it publishes now \\('trustbuild stores'\\)$"
	check "once per run: the only line" [ "$(grep -c '' "$W/err")" = 1 ]
	run 2 "--json carries it" env TRUSTBUILD_STORES="$W/stores" $FT \
	    -f +200d "$TB" -q -c "$W/st.conf" update --json
	check "\"stale\":true in its source" grep -q '"stale":true' "$W/out"
	check "and in the warnings" grep -q 'has not changed since' "$W/out"
	conf st "[source live]" "store = live" "stale-after = off"
	run 2 "stale-after = off in [source]: no line" env \
	    TRUSTBUILD_STORES="$W/stores" $FT -f +200d "$TB" -q \
	    -c "$W/st.conf" update
	check "nothing on stderr" [ ! -s "$W/err" ]
	conf loc "[source l]" "url = $C86" "stale-after = 1"
	run 0 "a local path: published" "$TB" -q -c "$W/loc.conf" update
	run 2 "a local path is never stale" $FT -f +200d "$TB" -q \
	    -c "$W/loc.conf" update
	check "nothing on stderr" [ ! -s "$W/err" ]
else
	skipped "stale-after: no faketime (scripts/deps.sh installs it)"
fi

# --- cross-check = curl: two channels must agree ---
C74=$CORPUS/certdata/certdata-NSS_3_110_RTM-builtins2.74.txt
CURL=$CORPUS/curl-cacert/cacert-2026-05-14.pem
if [ -f "$C74" ] && [ -f "$CURL" ]; then
	mkdir -p "$D/ca" "$D/tampered" "$W/xstores"
	cp "$CURL" "$D/ca/cacert.pem"
	(cd "$D/ca" && sha256sum cacert.pem >cacert.pem.sha256)
	cp "$CURL" "$D/tampered/cacert.pem"
	echo "# one more line" >>"$D/tampered/cacert.pem"
	cp "$D/ca/cacert.pem.sha256" "$D/tampered/"
	xstore() {
		printf 'name = curl\ndescription = test\nurl = %s/cacert.pem\nformat = pem\nrole = anchors\nintegrity = sha256-url\nsha256-url = %s/cacert.pem.sha256\n' \
		    "$1" "$1" >"$W/xstores/curl"
	}
	xstore "$T/ca"
	XS="env TRUSTBUILD_STORES=$W/xstores"
	conf x86 "[source mozilla]" "url = $C86" "cross-check = curl"
	run 0 "certdata 2.86 and curl's cacert of 2026-05-14: published" \
	    $XS "$TB" -v -c "$W/x86.conf" update
	err_has "they agree" \
	    "^trustbuild: \\[source mozilla\\]: cross-check with curl: the [0-9]+ server-auth roots agree$"
	check "and nothing differs" [ "$(grep -c 'is in .* set and not in' "$W/err")" = 0 ]
	check "curl's copy checked and cached beside the source's" \
	    [ -f "$W/x86/state/cache/mozilla.cross-check.meta" ]
	cp "$W/x86/bundle.crt" "$W/x86.before"

	# what differs, by openssl: 2.74's server-auth anchors (expired too)
	# against curl's, as SHA-256
	fps() {
		awk -v cmd="openssl x509 -noout -fingerprint -sha256" '
		    /-----BEGIN CERTIFICATE-----/ { f = 1; c = "" }
		    f { c = c $0 "\n" }
		    /-----END CERTIFICATE-----/ {
			f = 0; printf "%s", c | cmd; close(cmd)
		    }' "$1" | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' | sort -u
	}
	"$TB" -q build --keep-expired --distrust-after keep --bundle "$W/a74.pem" "$C74" 2>/dev/null
	fps "$W/a74.pem" >"$W/a74.fp"
	fps "$CURL" >"$W/curl.fp"
	comm -3 "$W/a74.fp" "$W/curl.fp" | tr -d '\t' >"$W/diff.fp"
	ndiff=$(grep -c '' "$W/diff.fp")
	check "openssl finds roots that differ ($ndiff)" [ "$ndiff" -gt 0 ]

	conf x74 "[source mozilla]" "url = $C74" "cross-check = curl"
	run 0 "certdata 2.74 against the same: first seen today, within the grace" \
	    $XS "$TB" -q -c "$W/x74.conf" update
	check "nothing said within the 14 days" [ ! -s "$W/err" ]
	check "first-seen recorded per root" [ "$(grep -c '' \
	    "$W/x74/state/crosscheck/mozilla")" = "$ndiff" ]
	if command -v faketime >/dev/null 2>&1; then
		run 2 "15 days later: unchanged, exit 2 as always" $XS $FT -f +15d \
		    "$TB" -q -c "$W/x74.conf" update
		check "one line per root that differs" \
		    [ "$(grep -c ': cross-check with curl: ' "$W/err")" = "$ndiff" ]
		miss=0
		while read -r fp; do
			grep -q "(SHA-256 $fp) is in" "$W/err" || miss=$((miss + 1))
		done <"$W/diff.fp"
		check "naming every root openssl finds different, by SHA-256" \
		    [ "$miss" = 0 ]
		err_has "with its subject, the side it is on, and since when" \
		    "^trustbuild: \\[source mozilla\\]: cross-check with curl: CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE \\(SHA-256 ebd41040e4bb3ec742c9e381d31ef2a41a48b6685c96e7cef3c1df6cd4331c99\\) is in mozilla's set and not in curl's, since $(date -u +%Y-%m-%d) [0-9:]+ UTC$"
		err_has "both ways" \
		    "CN=TrustAsia TLS ECC Root CA,.* is in curl's set and not in mozilla's"
	else
		skipped "cross-check-grace: no faketime"
	fi

	# --strict: an error, nothing published
	conf x86 "[source mozilla]" "url = $C74" "cross-check = curl" \
	    "cross-check-grace = 0"
	run 1 "--strict, 2.74 where 2.86 is published: exit 1" $XS "$TB" -q \
	    -c "$W/x86.conf" update --strict
	check "every root that differs is an error" \
	    [ "$(grep -c '; refusing to publish (--strict)$' "$W/err")" = "$ndiff" ]
	check "nothing published: the bundle is as it was" \
	    cmp "$W/x86/bundle.crt" "$W/x86.before"
	run 0 "without --strict the same is said and published" $XS "$TB" -q \
	    -c "$W/x86.conf" update
	check "one notice per root" \
	    [ "$(grep -c ': cross-check with curl: ' "$W/err")" = "$ndiff" ]

	conf xr "[source mozilla]" "url = $C86" "cross-check = curl" \
	    "[source i]" "url = $C86" "role = intermediates" "cross-check = curl"
	run 1 "cross-check on a source that gives no anchors: refused" $XS \
	    "$TB" -q -c "$W/xr.conf" update
	one_error "cross-check on intermediates"
	err_has "saying what to change" \
	    "\\[source i\\]: cross-check compares roots, and this source's role is not anchors; remove cross-check from it"

	# a tampered cacert.pem (its checksum file does not vouch): no check
	xstore "$T/tampered"
	conf xt "[source mozilla]" "url = $C86" "cross-check = curl"
	run 0 "curl's file tampered: the run goes on" $XS "$TB" -q \
	    -c "$W/xt.conf" update
	err_has "saying there is no cross-check this run, and why" \
	    "^trustbuild: \\[source mozilla\\]: no cross-check with curl this run: .*SHA-256 [0-9a-f]+ is not [0-9a-f]+ from '$T/tampered/cacert.pem.sha256'; the download is refused$"
	run 1 "with --strict that is an error" $XS "$TB" -q -c "$W/xt.conf" \
	    update --strict
	err_has "saying nothing is published" \
	    "no cross-check with curl this run \\(--strict: nothing is published\\)"
else
	skipped "cross-check: no corpus certdata 2.74 or cacert 2026-05-14"
fi

done_testing
