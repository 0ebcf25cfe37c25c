#!/bin/sh
# The advice of postfix-check and postfix-setup, carried out exactly as
# printed (tests/harness/runadvice.py: each snippet pasted, each command
# run: postconf -e and postfix check of Debian's package, unpacked by
# tests/harness/postfix.sh), for six kinds of Postfix configuration:
# Debian's default (smtp chrooted, CApath only), RHEL style (no chroot,
# its own CAfile), a relayhost by name with a port, TLS policy and
# transport maps, the level verify, and one already correct.  After it,
# postfix-check finds no problem, main.cf names the published bundle (and
# the CApath only where smtp is not chrooted), and the [probe] it added
# reached the relay (tests/harness/tlsd.py, which sends only its leaf):
# its intermediate, fetched through AIA from a real nginx, is published.
# Then --apply: backups, a failure restores everything, a symlinked
# main.cf is refused, a second run changes nothing.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"
. "$HARNESS/postfix.sh"

if ! why=$(postfix_available); then
	skipped "Postfix's advice: $why"
	done_testing
	exit 0
fi
postfix_unpack || bail "unpacking Debian's postfix"
P=$W/pki
aia_pki_start "$P"
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --log "$W/tlsd.log" ||
    bail "the SMTP server"
PORT=$TLSD_PORT
mkdir -p "$W/bin"
ln -s "$TB" "$W/bin/trustbuild"
PATH=$PF_BIN:$W/bin:$PATH
export PATH

# the main.cf lines of each kind, after postfix_main's Debian default
cf_debian() {
	echo "relayhost = [127.0.0.1]:$PORT"
}
cf_rhel() {
	sed -i '/^smtp_tls_CApath/d' "$1/main.cf"
	echo "smtp_tls_CAfile = /etc/pki/tls/certs/ca-bundle.crt"
	echo "relayhost = [127.0.0.1]:$PORT"
	sed -i 's/^\(smtp \{1,\}unix \{1,\}- \{1,\}- \{1,\}\)y/\1n/' \
	    "$1/master.cf"
}
cf_port() {
	echo "relayhost = [localhost]:$PORT"
}
cf_maps() {
	echo "transport_maps = hash:\$config_directory/transport"
	echo "smtp_tls_policy_maps = texthash:$1/tls_policy"
	printf 'example.org smtp:[127.0.0.1]:%s\nlocal.example local:\n' \
	    "$PORT" >"$1/transport"
	printf '[127.0.0.1]:%s verify\n' "$PORT" >"$1/tls_policy"
}
cf_verify() {
	sed -i 's/^smtp_tls_security_level=may/smtp_tls_security_level=verify/' \
	    "$1/main.cf"
	echo "relayhost = [127.0.0.1]:$PORT"
}

# setup NAME: DIR with main.cf, master.cf, a configuration without probes
setup() {
	V=$W/$1
	postfix_main "$V"
	sed -i '/^relayhost =/d' "$V/main.cf"
	"cf_$1" "$V" >"$V/extra"
	cat "$V/extra" >>"$V/main.cf"
	cat >"$V/tb.conf" <<EOF2
[output]
bundle = $V/pub/ca-bundle.with.intermediate.crt
capath = $V/pub/certs
state = $V/state
[source roots]
url = $P/root.pem
EOF2
}
chk() {
	"$TB" -c "$V/tb.conf" postfix-check --json --aia-private \
	    --config-dir "$V" --log /nonexistent "$@"
}
problems() {
	python3 -c 'import json,sys; print(json.load(sys.stdin)["problems"])'
}

# variant NAME MODE URL CHROOT: MODE json (postfix-check --json's steps)
# or text (what postfix-setup prints); URL the [probe] it must add
variant() {
	setup "$1"
	chk >"$V/before" 2>&1
	if [ "$2" = json ]; then
		chk >"$V/advice" 2>"$V/advice.err"
		check "$1: postfix-check says what to do" grep -q '"steps"' \
		    "$V/advice"
	else
		"$TB" -c "$V/tb.conf" postfix-setup --aia-private \
		    --config-dir "$V" >"$V/advice" 2>"$V/advice.err"
	fi
	if python3 "$HARNESS/runadvice.py" "$2" "$V/advice" >"$V/did" \
	    2>&1; then
		ok "$1: its advice ($2) carried out as printed"
	else
		nok "$1: its advice ($2) carried out as printed"
		sed 's/^/#   /' "$V/advice" "$V/did" | head -40
	fi
	check "$1: the [probe] added is $3" grep -qxF "url = $3" "$V/tb.conf"
	chk >"$V/after" 2>&1
	check "$1: then postfix-check finds no problem" [ "$(problems \
	    <"$V/after")" = 0 ]
	check "$1: main.cf names the published bundle (postconf -n)" sh -c '
	    postconf -c "$1" -n | grep -qx "smtp_tls_CAfile = $1/pub/ca-bundle.with.intermediate.crt"' sh "$V"
	if [ "$4" = chroot ]; then
		check "$1: chrooted: no CApath of ours" sh -c \
		    '! postconf -c "$1" -n | grep -q "pub/certs"' sh "$V"
	else
		check "$1: not chrooted: the CApath too" sh -c \
		    'postconf -c "$1" -n | grep -qx "smtp_tls_CApath = $1/pub/certs"' sh "$V"
	fi
	check "$1: update reached the relay: its intermediate is published" \
	    grep -q "^# Subject: CN=AIA Test Intermediate$" \
	    "$V/pub/ca-bundle.with.intermediate.crt"
}

variant debian text "smtp://127.0.0.1:$PORT" chroot
check "debian: the chroot trap was found" grep -q \
    '"level":"problem","message":"the chroot trap: smtp runs chrooted' \
    "$W/debian/before"
chk >"$V/trap" 2>&1
check "debian: after, the unusable CApath is a note" grep -q \
    "unusable to the chrooted smtp.*harmless" "$V/trap"
variant rhel json "smtp://127.0.0.1:$PORT" nochroot
: >"$W/tlsd.log"
variant port text "smtp://localhost:$PORT" chroot
check "port: the relay's host name was asked for (SNI)" grep -q \
    "^sni localhost$" "$W/tlsd.log"
variant maps json "smtp://127.0.0.1:$PORT" chroot
check "maps: the policy level said" grep -q \
    "smtp_tls_policy_maps says verify" "$W/maps/after"
check "maps: local: is no relay" sh -c '! grep -q "local" "$1"' sh \
    "$W/maps/tb.conf"
variant verify json "smtp://127.0.0.1:$PORT" chroot
check "verify: the level is ok" grep -q \
    '"level":"ok","message":"smtp_tls_security_level = verify' \
    "$W/verify/after"

# already correct: nothing to advise, nothing to do
V=$W/rhel
chk >"$V/again" 2>&1
check "correct: no problem" [ "$(problems <"$V/again")" = 0 ]
check "correct: and no step" sh -c '! grep -q "\"steps\"" "$1"' sh \
    "$V/again"
run 0 "correct: postfix-setup has nothing to do" "$TB" -c "$V/tb.conf" \
    postfix-setup --config-dir "$V"
check "(it says so)" grep -q "^nothing to do" "$W/out"
cp "$V/main.cf" "$V/main.before"
run 0 "correct: --apply changes nothing" "$TB" -c "$V/tb.conf" \
    postfix-setup --apply --config-dir "$V"
check "(main.cf as it was)" cmp -s "$V/main.cf" "$V/main.before"

# --apply on Debian's default: backups, postconf -e, check, relay probed
rm -rf "$W/debian"
setup debian
cp "$V/main.cf" "$V/main.before"
run 0 "--apply on Debian's default" "$TB" -c "$V/tb.conf" postfix-setup \
    --apply --aia-private --config-dir "$V"
file_has "main.cf backed up" "$W/out" "^backed up $V/main.cf to $V/main.cf.trustbuild-[0-9]{14}\$"
file_has "postconf -e run" "$W/out" "^running: postconf -c $V -e 'smtp_tls_CAfile="
file_has "what it wrote checked" "$W/out" "^checked $V/main.cf: smtp_tls_CAfile=$V/pub/"
file_has "postfix check run" "$W/out" "^running: postfix -c $V check\$"
file_has "not running: not reloaded" "$W/out" "Postfix is not running"
file_has "the relay verifies now" "$W/out" "verify=OK"
check "the backup is the old main.cf" cmp -s "$V/main.before" \
    "$(ls "$V"/main.cf.trustbuild-* | head -1)"
run 0 "a second --apply changes nothing" "$TB" -c "$V/tb.conf" \
    postfix-setup --apply --config-dir "$V"
file_has "(nothing to change)" "$W/out" "^nothing to change"

# a failing step restores every file
rm -rf "$W/verify"
setup verify
sed -i "s|^url = .*|url = $W/nonexistent.pem|" "$V/tb.conf"
cp "$V/main.cf" "$V/main.before"
cp "$V/tb.conf" "$V/tb.before"
run 1 "--apply with a failing update" "$TB" -c "$V/tb.conf" postfix-setup \
    --apply --aia-private --config-dir "$V"
err_has "says nothing was changed" "nothing was changed: every file is as it was"
check "main.cf as it was" cmp -s "$V/main.cf" "$V/main.before"
check "the configuration as it was" cmp -s "$V/tb.conf" "$V/tb.before"
# a main.cf that is a symbolic link is not written through
mv "$V/main.cf" "$V/real.cf"
ln -s real.cf "$V/main.cf"
sed -i "s|^url = .*|url = $P/root.pem|" "$V/tb.conf"
cp "$V/tb.conf" "$V/tb.before"
run 1 "--apply on a symlinked main.cf" "$TB" -c "$V/tb.conf" postfix-setup \
    --apply --config-dir "$V"
err_has "is refused, with why" "main.cf.*not a regular file .a symbolic link."
check "its target is unchanged" cmp -s "$V/real.cf" "$V/main.before"
check "and so is the configuration" cmp -s "$V/tb.conf" "$V/tb.before"
# --dry-run: a diff of the configuration, the commands, nothing changed
rm -rf "$W/port"
setup port
cp "$V/main.cf" "$V/main.before"
run 0 "--dry-run" "$TB" -c "$V/tb.conf" postfix-setup --dry-run \
    --config-dir "$V"
file_has "the [probe] as a diff" "$W/out" "^\\+url = smtp://localhost:$PORT"
file_has "the postconf it would run" "$W/out" "^would run: postconf -c $V -e"
check "nothing changed" cmp -s "$V/main.cf" "$V/main.before"
done_testing
