#!/bin/sh
# update with [probe] sections: a real SMTP server (tests/harness/tlsd.py) that
# sends only its leaf; update fetches the intermediate through AIA from a
# real nginx and publishes it; then openssl s_client -starttls smtp
# verifies against the bundle and the CApath.  A probe that fails keeps
# what it found; a change that would break a verifying server is refused;
# each AIA URL is fetched once per run however many servers name it;
# hostile AIA answers never reach the store.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

aia_pki_start "$W/pki"
tlsd_smtp "$P/leaf.pem" "$P/leaf.key"
SPORT=$TLSD_PORT

# conf NAME [lines...]: anchors from the test root, then the lines
conf() {
	n=$1
	shift
	mkdir -p "$W/$n"
	{
		printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n' \
		    "$W/$n/bundle.crt" "$W/$n/certs" "$W/$n/state"
		printf 'hooks = %s\n' "$W/$n/hooks.d"
		[ -n "${OUT_EXTRA:-}" ] && echo "$OUT_EXTRA"
		printf '[source roots]\nurl = %s\n' "${R:-$P/root.pem}"
		for l in "$@"; do echo "$l"; done
	} >"$W/$n.conf"
}

# verifies PORT FILE|DIR: openssl s_client -starttls smtp verifies with it
verifies() {
	if [ -d "$2" ]; then set -- "$1" -CApath "$2"; else set -- "$1" -CAfile "$2"; fi
	openssl s_client -connect "127.0.0.1:$1" -starttls smtp \
	    -verify_return_error "$2" "$3" </dev/null >"$W/sc.log" 2>&1
}

check "before: openssl s_client cannot verify the smarthost with the root" \
    sh -c '! openssl s_client -connect "127.0.0.1:$1" -starttls smtp \
    -verify_return_error -CAfile "$2" </dev/null >/dev/null 2>&1' sh \
    "$SPORT" "$P/root.pem"

conf a "[probe smarthost]" "url = $SMTP" "aia-private = yes"
run 0 "update with the smarthost as a [probe] publishes" "$TB" -q -c \
    "$W/a.conf" update
check "the summary counts one intermediate" grep -q \
    "1 anchor, 1 intermediate for server-auth: published" "$W/out"
check "the bundle holds the intermediate" grep -q \
    "^# Subject: CN=AIA Test Intermediate$" "$W/a/bundle.crt"
check "openssl s_client -starttls smtp verifies with the bundle" \
    verifies "$SPORT" "$W/a/bundle.crt"
check "and with the CApath" verifies "$SPORT" "$W/a/certs"
run 0 "list shows why the intermediate was admitted" "$TB" -c "$W/a.conf" list
check "the gate, the probe, the server, the URL and the day" grep -q \
    "^admitted:   intermediate for server-auth (chains to an anchor), from probe smarthost ($SMTP): caIssuers $BASE/int.der; first published [0-9-]\{10\}$" \
    "$W/out"
check "and it is remembered in the state's manifest, with when it was seen" grep -Eq \
    "^probe [0-9a-f]{64} [A-Za-z0-9+/=]+ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z smarthost$" "$W/a/state/manifest"

n=$(grep -c "GET /int.der " "$LOG")
before=$(sha256sum <"$W/a/bundle.crt")
run 2 "the next run: unchanged, exit 2" "$TB" -q -c "$W/a.conf" update
check "it asked for the AIA answer conditionally (304)" \
    httpd_log_wait "^304 GET /int.der " 1
check "the bundle is byte-identical (the first date stays)" \
    [ "$(sha256sum <"$W/a/bundle.crt")" = "$before" ]

# the server down: what it found before is kept, and said even with -q
tlsd_stop
run 2 "the smarthost down: exit 2" "$TB" -q -c "$W/a.conf" update
err_has "the failure is reported" \
    "\\[probe smarthost\\]: $SMTP: cannot connect.*keeping the intermediates it found before"
check "the intermediate stays published" grep -q \
    "^# Subject: CN=AIA Test Intermediate$" "$W/a/bundle.crt"
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --lifetime 600 ||
    nok "tlsd restarts"
SMTP=smtp://127.0.0.1:$TLSD_PORT
SPORT=$TLSD_PORT
conf a "[probe smarthost]" "url = $SMTP" "aia-private = yes"
run 2 "back up (on another port): unchanged" "$TB" -q -c "$W/a.conf" update

# a new set in which the smarthost no longer verifies: refused
R=$FIX/root-a.pem
OUT_EXTRA="shrink-limit = 100"
conf a "[probe smarthost]" "url = $SMTP" "aia-private = yes"
R=""
OUT_EXTRA=""
before=$(sha256sum <"$W/a/bundle.crt")
run 1 "a change that would break the smarthost is refused" "$TB" -c \
    "$W/a.conf" update
err_has "naming the server" \
    "\\[probe smarthost\\]: $SMTP verifies against the published store but would not against the new one"
err_has "and the way out" "would stop verifying.*--force"
check "nothing was published" [ "$(sha256sum <"$W/a/bundle.crt")" = "$before" ]
run 0 "--force publishes it" "$TB" -q -c "$W/a.conf" update --force

# many servers naming one AIA URL: probed at once, the URL fetched once
conf m
for i in $(seq 1 20); do
	printf '[probe s%d]\nurl = %s\naia-private = yes\n' "$i" "$SMTP" \
	    >>"$W/m.conf"
done
n=$(grep -c "GET /int.der " "$LOG")
run 0 "20 probes of servers that lack the same intermediate" "$TB" -q -c \
    "$W/m.conf" update
sleep 0.3
check "the AIA URL was fetched once in that run" \
    [ "$(grep -c "GET /int.der " "$LOG")" = $((n + 1)) ]
check "the intermediate is published once, with each probe as a source" \
    [ "$(grep -c '^# Subject: CN=AIA Test Intermediate$' "$W/m/bundle.crt")" = 1 ]

# hostile AIA answers never reach the store
for leaf in selfsigned wrongkey nonca expired garbage loop; do
	tlsd_start smtp "$P/leaf-$leaf.pem" "$P/leaf-$leaf.key" ||
	    nok "tlsd for leaf-$leaf"
	conf "h-$leaf" "[probe bad]" "url = smtp://127.0.0.1:$TLSD_PORT" \
	    "aia-private = yes"
	run 0 "leaf-$leaf: the anchors are published" "$TB" -c \
	    "$W/h-$leaf.conf" update
	err_has "leaf-$leaf: the probe is said not to verify" \
	    "\\[probe bad\\]: .* does not verify against the store being built"
	check "leaf-$leaf: only the root is published" \
	    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/h-$leaf/bundle.crt")" = 1 ]
done
err_has "the refusal is given with its reason" "refused|AIA loop"

done_testing
