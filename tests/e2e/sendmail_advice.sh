#!/bin/sh
# The advice of sendmail-check and sendmail-setup, carried out exactly as
# printed (tests/harness/runadvice.py: each edit made, each snippet pasted,
# each command run), for eight kinds of sendmail.mc: Debian with
# starttls.m4 and without, Amazon Linux / RHEL style, a mailertable, the
# submission port, an IPv6 relay, one already correct and one half fixed.
# After it, sendmail-check finds no problem, the rebuilt .cf names the
# published store, and the [probe] it added was accepted by update and
# reached the relay on the right host and port (its intermediate, fetched
# through AIA from a real nginx, is published), with the relay's host name
# as the name asked for (SNI).  The relays are tests/harness/tlsd.py SMTP
# servers that send only their leaf.  Needs m4 and sendmail's cf macros.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
. "$HARNESS/tlsd.sh"

CFDIR=""
for d in /usr/share/sendmail/cf /usr/share/sendmail-cf; do
	[ -f "$d/m4/cf.m4" ] && CFDIR=$d && break
done
if [ -z "$CFDIR" ] || ! command -v m4 >/dev/null 2>&1; then
	skipped "the executed advice: no m4 or sendmail cf macros (install" \
	    "m4 and sendmail-cf)"
	done_testing
	exit 0
fi
P=$W/pki
aia_pki_start "$P"
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --log "$W/tlsd4.log" ||
    bail "the SMTP server"
PORT=$TLSD_PORT
tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --ipv6 --log "$W/tlsd6.log" ||
    bail "the IPv6 SMTP server"
PORT6=$TLSD_PORT
SUB=""
if tlsd_start smtp "$P/leaf.pem" "$P/leaf.key" --port 587 \
    --log "$W/tlsd587.log" 2>/dev/null; then
	SUB=587
fi
mkdir -p "$W/bin"
ln -s "$TB" "$W/bin/trustbuild"
PATH=$W/bin:$PATH
export PATH

# the common parts of a .mc that includes the cf macros itself
head_mc() {
	echo "divert(-1)dnl"
	echo "divert(0)dnl"
	echo "include(\`$CFDIR/m4/cf.m4')dnl"
	echo "OSTYPE(\`$1')dnl"
}
mc_debian_starttls() {
	head_mc debian
	echo "define(\`SMART_HOST', \`[127.0.0.1]')dnl"
	echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $PORT')dnl"
	echo "dnl define(\`confCACERT_PATH', \`/etc/mail/certs')dnl"
	echo "dnl define(\`confCACERT', \`/etc/mail/certs/ca.pem')dnl"
	echo "include(\`$1/starttls.m4')dnl"
	echo "MAILER_DEFINITIONS"
	echo "MAILER(\`local')dnl"
	echo "MAILER(\`smtp')dnl"
	{
		echo "dnl # made like Debian's /etc/mail/tls/starttls.m4"
		echo "define(\`confCACERT_PATH', \`/etc/ssl/certs')dnl   # <= EDIT"
		echo "define(\`confCACERT', \`/etc/ssl/certs/ca-certificates.crt')dnl   # <= EDIT"
	} >"$1/starttls.m4"
}
mc_debian_plain() {
	head_mc debian
	echo "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl"
	echo "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $PORT')dnl"
	echo "MAILER(\`local')dnl"
	echo "MAILER(\`smtp')dnl"
}
mc_rhel() {
	head_mc linux
	echo "dnl # Uncomment and edit if your outgoing mail goes through a smart host:"
	echo "define(\`SMART_HOST', \`localhost')dnl"
	echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $PORT')dnl"
	echo "dnl define(\`confCACERT_PATH', \`/etc/pki/tls/certs')dnl"
	echo "dnl define(\`confCACERT', \`/etc/pki/tls/certs/ca-bundle.crt')dnl"
	echo "FEATURE(\`smrsh', \`/usr/sbin/smrsh')dnl"
	echo "MAILER(smtp)dnl"
}
mc_mailertable() {
	head_mc linux
	echo "FEATURE(\`mailertable', \`hash -o $1/mailertable')dnl"
	echo "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $PORT')dnl"
	echo "define(\`confCACERT_PATH', \`/etc/ssl/certs')dnl"
	echo "MAILER(\`smtp')dnl"
	{
		echo "# the partner's mail goes through its gateway"
		echo ".example.org	esmtp:[127.0.0.1]"
		echo "local.example	local:"
	} >"$1/mailertable"
}
mc_submission() {
	head_mc linux
	echo "define(\`SMART_HOST', \`relay:[localhost]')dnl"
	echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h 587')dnl"
	echo "MAILER(\`smtp')dnl"
}
mc_half() {
	head_mc linux
	echo "define(\`SMART_HOST', \`[127.0.0.1]')dnl"
	echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $PORT')dnl"
	echo "MAILER(\`smtp')dnl"
}
mc_attack() {
	mc_debian_plain "$@"
}
mc_attack2() {
	mc_debian_plain "$@"
}
mc_ipv6() {
	head_mc linux
	echo "define(\`SMART_HOST', \`[IPv6:::1]')dnl"
	echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $PORT6')dnl"
	echo "dnl define(\`confCACERT_PATH', \`/etc/ssl/certs')dnl"
	echo "MAILER(\`smtp')dnl"
}

# setup NAME: DIR/sendmail.mc, its .cf, a configuration without probes
setup() {
	V=$W/$1
	mkdir -p "$V"
	"mc_$(echo "$1" | tr - _)" "$V" >"$V/sendmail.mc"
	m4 "$V/sendmail.mc" >"$V/sendmail.cf" 2>"$V/m4.err" ||
	    nok "$1: m4 builds the seed's .cf"
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
	"$TB" -c "$V/tb.conf" sendmail-check --json --aia-private \
	    --mc "$V/sendmail.mc" --cf "$V/sendmail.cf" --log /nonexistent \
	    --pidfile /nonexistent "$@"
}
problems() {
	python3 -c 'import json,sys; print(json.load(sys.stdin)["problems"])'
}

# variant NAME MODE URL: MODE json (sendmail-check --json's steps) or text
# (what sendmail-setup prints); URL the [probe] it must add
variant() {
	setup "$1"
	if [ "$2" = json ]; then
		chk >"$V/advice" 2>"$V/advice.err"
		check "$1: sendmail-check finds a problem" [ "$(problems \
		    <"$V/advice")" -ge 1 ]
	else
		"$TB" -c "$V/tb.conf" sendmail-setup --aia-private \
		    --mc "$V/sendmail.mc" --cf "$V/sendmail.cf" \
		    --pidfile /nonexistent >"$V/advice" 2>"$V/advice.err"
	fi
	if python3 "$HARNESS/runadvice.py" "$2" "$V/advice" >"$V/did" \
	    2>&1; then
		ok "$1: its advice ($2) carried out as printed"
	else
		nok "$1: its advice ($2) carried out as printed"
		sed 's/^/#   /' "$V/advice" "$V/did"
	fi
	check "$1: the [probe] added is $3" grep -qxF "url = $3" "$V/tb.conf"
	chk >"$V/after" 2>&1
	check "$1: then sendmail-check finds no problem" [ "$(problems \
	    <"$V/after")" = 0 ]
	check "$1: the rebuilt .cf names the published store" sh -c '
	    grep -qx "O CACertFile=$2/pub/ca-bundle.with.intermediate.crt" "$1" &&
	    grep -qx "O CACertPath=$2/pub/certs" "$1"' sh "$V/sendmail.cf" "$V"
	check "$1: update reached the relay: its intermediate is published" \
	    grep -q "^# Subject: CN=AIA Test Intermediate$" \
	    "$V/pub/ca-bundle.with.intermediate.crt"
}

variant debian-starttls text "smtp://127.0.0.1:$PORT"
check "debian-starttls: the winning file was edited, the dnl'd .mc lines not" \
    sh -c 'grep -q "pub/certs" "$1/starttls.m4" &&
    ! grep -q "pub/certs" "$1/sendmail.mc"' sh "$W/debian-starttls"
variant debian-plain json "smtp://127.0.0.1:$PORT"
check "debian-plain: the defines went before the first MAILER line" sh -c '
    d=$(grep -n "confCACERT_PATH" "$1" | cut -d: -f1)
    m=$(grep -n "^MAILER" "$1" | head -1 | cut -d: -f1)
    [ -n "$d" ] && [ "$d" -lt "$m" ]' sh "$W/debian-plain/sendmail.mc"
: >"$W/tlsd4.log"
variant rhel text "smtp://localhost:$PORT"
check "rhel: the relay's host name was asked for (SNI)" grep -q \
    "^sni localhost$" "$W/tlsd4.log"
variant mailertable json "smtp://127.0.0.1:$PORT"
check "mailertable: local: is no relay" sh -c \
    '! grep -q "url = .*local" "$1"' sh "$W/mailertable/tb.conf"
variant ipv6 json "smtp://[::1]:$PORT6"
check "ipv6: the relay was reached over IPv6" grep -q "^[0-9]* connect ::1" \
    "$W/tlsd6.log"
if [ -n "$SUB" ]; then
	variant submission text "submission://localhost:587"
else
	# no server on 587 here: the advice, not the connection
	setup submission
	chk >"$V/advice" 2>&1
	check "submission: the [probe] for port 587 is submission://" grep -q \
	    '"text":"# SMART_HOST of sendmail\\n\[probe relay-localhost-587\]\\nurl = submission://localhost:587' \
	    "$V/advice"
	skipped "submission: port 587 is taken here, not connected"
fi

# half fixed: the .mc is right, the .cf was not rebuilt
setup half
sed -i "/^MAILER(\`smtp')/i define(\`confCACERT_PATH', \`$V/pub/certs')dnl\\
define(\`confCACERT', \`$V/pub/ca-bundle.with.intermediate.crt')dnl" \
    "$V/sendmail.mc"
printf '[probe relay]\nurl = smtp://127.0.0.1:%s\naia-private = yes\n' "$PORT" \
    >>"$V/tb.conf"
"$TB" -q -c "$V/tb.conf" update >/dev/null 2>&1 || nok "half: update"
chk >"$V/advice" 2>&1
check "half: one problem" [ "$(problems <"$V/advice")" = 1 ]
check "half: the .cf was not rebuilt" grep -q "it was not rebuilt after the .mc changed" \
    "$V/advice"
check "half: it asks for no define that is there" sh -c \
    '! grep -q "\"do\":\"replace\"\|\"do\":\"insert\"" "$1"' sh "$V/advice"
python3 "$HARNESS/runadvice.py" json "$V/advice" >"$V/did" 2>&1 ||
    nok "half: its advice carried out"
chk >"$V/after" 2>&1
check "half: then no problem" [ "$(problems <"$V/after")" = 0 ]

# already correct: nothing to advise, nothing to do
V=$W/debian-starttls
chk >"$V/again" 2>&1
check "correct: no problem" [ "$(problems <"$V/again")" = 0 ]
check "correct: and no step" sh -c '! grep -q "\"steps\"" "$1"' sh \
    "$V/again"
run 0 "correct: sendmail-setup has nothing to do" "$TB" -c "$V/tb.conf" \
    sendmail-setup --mc "$V/sendmail.mc" --cf "$V/sendmail.cf" \
    --pidfile /nonexistent
check "(it says so)" grep -q "^nothing to do" "$W/out"

# as root, --apply signals only through a pid file no one else can write:
# one that another user could fill names any process of the host
setup attack
cat >"$W/standin.sh" <<'EOF2'
trap 'echo HUP >>"$1"' HUP
n=0
while [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
EOF2
server_start "$W/standin.out" sh "$W/standin.sh" "$W/hups"
STANDIN=$SERVER_PID
server_cleanup "server_stop $STANDIN"
echo "$STANDIN" >"$W/pidfile"
chmod 666 "$W/pidfile"
sleep 0.2
run 0 "--apply with a world-writable pid file" "$TB" -c "$V/tb.conf" \
    sendmail-setup --apply --aia-private --mc "$V/sendmail.mc" \
    --cf "$V/sendmail.cf" --pidfile "$W/pidfile"
err_has "sendmail is not signalled, and why" \
    "sendmail not reloaded: .*pidfile.: writable by group and others; as root trustbuild refuses a pid file"
check "(the process got no SIGHUP)" [ ! -e "$W/hups" ]
check "the rest was done: the .cf names the store" grep -qx \
    "O CACertFile=$V/pub/ca-bundle.with.intermediate.crt" "$V/sendmail.cf"
# a .mc that is a symbolic link is not written through
setup attack2
mv "$V/sendmail.mc" "$V/real.mc"
ln -s real.mc "$V/sendmail.mc"
cp "$V/real.mc" "$V/real.before"
cp "$V/tb.conf" "$V/tb.before"
run 1 "--apply on a symlinked .mc" "$TB" -c "$V/tb.conf" sendmail-setup \
    --apply --mc "$V/sendmail.mc" --cf "$V/sendmail.cf" --pidfile /nonexistent
err_has "is refused, with why" "not a regular file .a symbolic link.: trustbuild edits only the file itself"
check "its target is unchanged" cmp -s "$V/real.mc" "$V/real.before"
check "and so is the configuration" cmp -s "$V/tb.conf" "$V/tb.before"
done_testing
