#!/bin/sh
# sendmail-check on sendmail.mc / sendmail.cf files made like Amazon
# Linux's and Debian's defaults (written here, not copied): the dnl in
# front of confCACERT found with its line and column, only one of the two
# CA settings, a .cf not rebuilt, broken CA files and hash directories, a
# mail log with verify=FAIL; sendmail-setup's lines and configuration.
. "$(dirname "$0")/../harness/lib.sh"

D=$W/sm
mkdir -p "$D"
chmod 755 "$W" "$D"

# an Amazon Linux-like sendmail.mc: the TLS lines are there, commented out
cat >"$D/amazon.mc" <<'EOF'
divert(-1)dnl
dnl #
dnl # This is the sendmail macro config file for m4.
dnl #
include(`/usr/share/sendmail-cf/m4/cf.m4')dnl
VERSIONID(`setup for linux')dnl
OSTYPE(`linux')dnl
dnl # default logging level is 9, you might want to set it higher to
dnl # debug the configuration
dnl define(`confLOG_LEVEL', `9')dnl
dnl # Uncomment and edit if your outgoing mail goes through a smart host:
define(`SMART_HOST', `[mail.example.com.netsolmail.net]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h 587')dnl
define(`confDEF_USER_ID', ``8:12'')dnl
dnl # Basic sendmail TLS configuration
dnl define(`confCACERT_PATH', `/etc/pki/tls/certs')dnl
dnl define(`confCACERT', `/etc/pki/tls/certs/ca-bundle.crt')dnl
dnl define(`confSERVER_CERT', `/etc/pki/tls/certs/sendmail.pem')dnl
FEATURE(`no_default_msa', `dnl')dnl
FEATURE(`smrsh', `/usr/sbin/smrsh')dnl
MAILER(smtp)dnl
EOF
# its sendmail.cf, as cf.m4 writes options that are not defined
cat >"$D/amazon.cf" <<'EOF'
# CA directory
#O CACertPath
# CA file
#O CACertFile
# Server Cert
#O ServerCertFile
O LogLevel=9
DS[mail.example.com.netsolmail.net]
Mrelay,		P=[IPC], F=mDFMuXa8k, S=EnvFromSMTP/HdrFromSMTP, R=MasqSMTP, E=\r\n, L=2040,
		T=DNS/RFC822/SMTP,
		A=TCP $h 587
EOF
touch -d '-1 hour' "$D/amazon.mc"
run 1 "the Amazon-like defaults: problems, exit 1" "$TB" sendmail-check \
    --mc "$D/amazon.mc" --cf "$D/amazon.cf" --log /nonexistent
check "a log that cannot be read is a note with the reason" grep -q \
    "^note: *cannot read the mail log '/nonexistent': No such file or directory" \
    "$W/out"
# a FIFO as the log: refused at once, not waited on for a writer
mkfifo "$W/fifo.log"
run 1 "a FIFO as --log: no hang" timeout 10 "$TB" sendmail-check \
    --mc "$D/amazon.mc" --cf "$D/amazon.cf" --log "$W/fifo.log"
check "a FIFO as --log: not a regular file" grep -q \
    "^note: *cannot read the mail log '$W/fifo.log': not a regular file" \
    "$W/out"
check "the dnl before confCACERT_PATH, with line and column" grep -q \
    "confCACERT_PATH is commented out by 'dnl' ($D/amazon.mc:16:1)" "$W/out"
check "the dnl before confCACERT" grep -q \
    "confCACERT is commented out by 'dnl' ($D/amazon.mc:17:1)" "$W/out"
check "one problem for both, and what it means" grep -c \
    "^PROBLEM: sendmail loads no CA data (both CACertFile and CACertPath must be set), so every STARTTLS connection it makes logs verify=FAIL" \
    "$W/out"
check "the fix replaces that line with the published path" sh -c '
    grep -q "in $1/amazon.mc, replace line 17 with:" "$2" &&
    grep -q "define(.confCACERT., ./etc/mail/tls/ca-bundle.with.intermediate.crt.)dnl" "$2"' \
    sh "$D" "$W/out"
check "then rebuilds the .cf from the .mc (it includes cf.m4 itself)" grep -q \
    "run: m4 $D/amazon.mc > $D/amazon.cf" "$W/out"
check "and says --apply does it all" grep -q \
    "fix: trustbuild sendmail-setup --apply does all of this" "$W/out"
check "a client needs no certificate of its own" grep -q \
    "no ServerCertFile or ClientCertFile: fine for a host that only sends" \
    "$W/out"
check "the summary counts the problems" grep -q "^[0-9]* problems\{0,1\} found$" \
    "$W/out"

# a store published by trustbuild, and an .mc/.cf that use it
S=$W/store
mkdir -p "$S"
chmod 755 "$S"
"$TB" -q build --bundle "$S/ca.crt" --capath "$S/certs" "$FIX/roots.pem" \
    >/dev/null 2>&1
chmod 644 "$S/ca.crt"
good_mc() {
	cat <<EOF
include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(\`debian')dnl
define(\`confCACERT_PATH', \`$S/certs')dnl
define(\`confCACERT', \`$S/ca.crt')dnl
define(\`SMART_HOST', \`[mail.example.com]')dnl
define(\`confLOG_LEVEL', \`12')dnl
MAILER(\`smtp')dnl
EOF
}
good_cf() {
	printf 'O CACertPath=%s\nO CACertFile=%s\nO LogLevel=12\n' "$S/certs" \
	    "$S/ca.crt"
	echo "DS[mail.example.com]"
}
good_mc >"$D/good.mc"
good_cf >"$D/good.cf"
touch -d '-1 hour' "$D/good.mc"
cat >"$D/ok.log" <<'EOF'
Nov 28 10:05:00 mx sm-mta[101]: 3ASA02: STARTTLS=client, relay=mail.example.com., version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384, bits=256/256
EOF
run 0 "a good set-up: exit 0" "$TB" sendmail-check --mc "$D/good.mc" \
    --cf "$D/good.cf" --log "$D/ok.log"
check "it says no problem" grep -qx "no problem found" "$W/out"
check "it counts the CA file's certificates" grep -q \
    "CACertFile '$S/ca.crt' holds 2 certificates" "$W/out"
check "and checks every hash link" grep -q \
    "CACertPath '$S/certs': 2 hash links, all resolve to one certificate each" \
    "$W/out"
check "the relay verified" grep -q "relay mail.example.com: verify=OK" "$W/out"
run 0 "--json" "$TB" sendmail-check --json --mc "$D/good.mc" --cf \
    "$D/good.cf" --log "$D/ok.log"
check "is one JSON object with the findings" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["problems"] == 0 and len(d["findings"]) > 4
assert all(f["level"] in ("ok", "note", "problem") for f in d["findings"])
' "$W/out"

# a sendmail started before its CA data changed still uses the old set
# (any process stands in for it: only its start time is read)
sleep 30 &
fake=$!
echo "$fake" >"$W/sendmail.pid"
sleep 1.1
touch "$S/ca.crt"
run 1 "sendmail started before the CA file changed: exit 1" "$TB" \
    sendmail-check --mc "$D/good.mc" --cf "$D/good.cf" --log "$D/ok.log" \
    --pidfile "$W/sendmail.pid"
check "says it still uses the old set, and to restart it" grep -q \
    "sendmail (pid $fake) started .*, before its CA data changed .*: it still verifies with the old set" \
    "$W/out"
kill "$fake" 2>/dev/null
wait "$fake" 2>/dev/null

# a Debian-like .mc keeps its TLS defines in an included starttls.m4
{
	echo 'dnl # starttls.m4: the TLS settings, included by sendmail.mc'
	echo "define(\`confCACERT_PATH', \`$S/certs')dnl"
	echo "define(\`confCACERT', \`$S/ca.crt')dnl"
} >"$D/starttls.m4"
{
	echo 'divert(-1)dnl'
	echo "include(\`/usr/share/sendmail/cf/m4/cf.m4')dnl"
	echo "OSTYPE(\`debian')dnl"
	echo "DOMAIN(\`debian-mta')dnl"
	echo "undefine(\`confHOST_STATUS_DIRECTORY')dnl"
	echo "FEATURE(\`no_default_msa')dnl"
	echo "DAEMON_OPTIONS(\`Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl"
	echo "define(\`confLOG_LEVEL', \`12')dnl"
	echo "include(\`$D/starttls.m4')dnl"
	echo 'MAILER_DEFINITIONS'
	echo "MAILER(\`local')dnl"
	echo "MAILER(\`smtp')dnl"
} >"$D/debian.mc"
touch -d '-1 hour' "$D/debian.mc"
run 0 "a Debian-like .mc whose CA defines are in starttls.m4: exit 0" "$TB" \
    sendmail-check --mc "$D/debian.mc" --cf "$D/good.cf" --log "$D/ok.log"
check "the define is found in the included file" grep -q \
    "starttls.m4:3: confCACERT is '$S/ca.crt' (included by $D/debian.mc)" \
    "$W/out"
sed -i "s/^define(\`confCACERT'/dnl &/" "$D/starttls.m4"
run 1 "the dnl in the included file: exit 1" "$TB" sendmail-check \
    --mc "$D/debian.mc" --cf "$D/good.cf" --log "$D/ok.log"
check "is named in that file, with line and column" grep -q \
    "confCACERT is commented out by 'dnl' ($D/starttls.m4:3:1)" "$W/out"
check "and the fix edits that file, not the .mc" grep -q \
    "in $D/starttls.m4, replace line 3 with:" "$W/out"

# only one of the two
sed '/confCACERT_PATH/d' "$D/good.mc" >"$D/one.mc"
grep -v CACertPath "$D/good.cf" >"$D/one.cf"
touch -d '-1 hour' "$D/one.mc"
run 1 "only confCACERT: exit 1" "$TB" sendmail-check --mc "$D/one.mc" \
    --cf "$D/one.cf" --log "$D/ok.log"
check "sendmail loads no CA data unless both are set" grep -q \
    "sendmail loads no CA data (both CACertFile and CACertPath must be set).*confCACERT_PATH is not defined" \
    "$W/out"
check "the fix gives both lines" sh -c '
    grep -q "define(.confCACERT_PATH., .*)dnl" "$1" &&
    grep -q "define(.confCACERT., .*)dnl" "$1"' sh "$W/out"

# the .mc edited, the .cf not rebuilt
good_mc | sed "s|$S/ca.crt|/etc/mail/tls/new.crt|" >"$D/edited.mc"
cp "$D/good.cf" "$D/edited.cf"
touch -d '-1 hour' "$D/edited.cf"
run 1 "an .mc newer than and different from the .cf: exit 1" "$TB" \
    sendmail-check --mc "$D/edited.mc" --cf "$D/edited.cf" --log "$D/ok.log"
check "the .mc's define is read" grep -q \
    "edited.mc:4: confCACERT is '/etc/mail/tls/new.crt'" "$W/out"
check "and the .cf that disagrees named: not rebuilt" grep -q \
    "edited.cf has CACertPath=$S/certs and CACertFile=$S/ca.crt: it was not rebuilt after the .mc changed" \
    "$W/out"

# broken files
B=$W/broken
mkdir -p "$B/certs"
chmod 755 "$B" "$B/certs"
: >"$B/empty.crt"
cp "$S/ca.crt" "$B/gw.crt"
chmod 664 "$B/gw.crt"
cp "$FIX/roots.pem" "$B/certs/two.pem"
cp "$FIX/root-a.pem" "$B/certs/a.pem"
ha=$(openssl x509 -in "$FIX/root-a.pem" -noout -subject_hash)
ln -s a.pem "$B/certs/$ha.0"
ln -s a.pem "$B/certs/$ha.2"
ln -s two.pem "$B/certs/0badbeef.0"
ln -s gone.pem "$B/certs/deadbeef.0"
cp "$FIX/expired-root.pem" "$B/certs/old.pem"
ln -s old.pem "$B/certs/$(openssl x509 -in "$FIX/expired-root.pem" -noout -subject_hash).0"
printf 'O CACertPath=%s\nO CACertFile=%s\n' "$B/certs" "$B/empty.crt" \
    >"$D/broken.cf"
run 1 "broken CA files: exit 1" "$TB" sendmail-check --mc /nonexistent \
    --cf "$D/broken.cf" --log "$D/ok.log"
check "an empty CACertFile, and why it matters" grep -q \
    "holds no certificate; an empty or unreadable CACertFile makes OpenSSL drop the CACertPath too" \
    "$W/out"
check "a dangling hash link is named" grep -q \
    "1 hash link points nowhere: deadbeef.0" "$W/out"
check "a link to a file of two certificates" grep -q \
    "'0badbeef.0' holds 2 certificates; a hash link must point at exactly one" \
    "$W/out"
check "a gap in the numbers" grep -q "the links of hash $ha have a gap" "$W/out"
check "an expired certificate in the directory" grep -q \
    "1 certificate of CACertPath has expired (.*Test Expired Root" "$W/out"
printf 'O CACertPath=%s\nO CACertFile=%s\n' "$S/certs" "$B/gw.crt" \
    >"$D/gw.cf"
run 0 "a group-writable CACertFile: a note (sendmail still loads it)" \
    "$TB" sendmail-check \
    --mc /nonexistent --cf "$D/gw.cf" --log "$D/ok.log"
check "sendmail logs it as unsafe" grep -q \
    "note: *CACertFile '$B/gw.crt' is group or world writable: sendmail logs it as unsafe" \
    "$W/out"
mkdir -p "$W/ww/d"
chmod 777 "$W/ww"
cp "$S/ca.crt" "$W/ww/d/ca.crt"
printf 'O CACertPath=%s\nO CACertFile=%s\n' "$S/certs" "$W/ww/d/ca.crt" \
    >"$D/ww.cf"
run 0 "a world-writable directory on the path: a note" "$TB" sendmail-check \
    --mc /nonexistent --cf "$D/ww.cf" --log "$D/ok.log"
check "is named" grep -q "directory '$W/ww' on the path of CACertFile" "$W/out"

# a big CACertFile on a host that also answers STARTTLS
if have_corpus "a big CACertFile"; then
	"$TB" -q build --bundle "$S/big.crt" \
	    "$CORPUS/curl-cacert/cacert-2026-05-14.pem" >/dev/null 2>&1
	chmod 644 "$S/big.crt"
	printf 'O CACertPath=%s\nO CACertFile=%s\nO ServerCertFile=/etc/mail/tls/srv.pem\n' \
	    "$S/certs" "$S/big.crt" >"$D/big.cf"
	run 1 "a big CACertFile with a server certificate" "$TB" \
	    sendmail-check --mc /nonexistent --cf "$D/big.cf" --log "$D/ok.log"
	check "the acceptable client CA list is explained" grep -q \
	    "sends the 1[0-9][0-9] subjects of CACertFile as acceptable client CAs" \
	    "$W/out"
fi

# the mail log: a relay that fails, with and without verifymsg
cat >"$D/fail.log" <<'EOF'
Nov 28 10:00:00 mx sm-mta[100]: 3ASA01: STARTTLS=client, cert-subject=/CN=mail.example.com, cert-issuer=/C=US/O=Example/CN=Example RSA CA 2025, verifymsg=unable to get local issuer certificate
Nov 28 10:00:00 mx sm-mta[100]: 3ASA01: STARTTLS=client, relay=mail.example.com., version=TLSv1.3, verify=FAIL, cipher=TLS_AES_256_GCM_SHA384, bits=256/256
EOF
# (stamped now: a FAIL older than the store's last change is only a note)
sed -i "s/^Nov 28 10:00:00/$(date '+%b %e %H:%M:%S')/" "$D/fail.log"
run 1 "a relay with verify=FAIL in the log: exit 1" "$TB" sendmail-check \
    --mc "$D/good.mc" --cf "$D/good.cf" --log "$D/fail.log"
check "the relay, the verdict and the reason" grep -q \
    "relay mail.example.com: verify=FAIL verifymsg=unable to get local issuer certificate (1 connection" \
    "$W/out"
check "and the [probe] to add, a section update accepts" sh -c '
    grep -q "^ *\[probe relay-mail.example.com\]$" "$1" &&
    grep -q "^ *url = smtp://mail.example.com$" "$1" &&
    grep -q "run: trustbuild update" "$1"' sh "$W/out"
sed -n 2p "$D/fail.log" >"$D/fail9.log"
run 1 "without verifymsg lines" "$TB" sendmail-check --mc "$D/good.mc" \
    --cf "$D/good.cf" --log "$D/fail9.log"
check "it says to raise the LogLevel to 12" grep -q \
    "the log has no verifymsg lines: with LogLevel 12" "$W/out"

run 3 "neither file: exit 3" "$TB" sendmail-check --mc /nonexistent.mc \
    --cf /nonexistent.cf
err_has "naming both" "cannot read '/nonexistent.mc' or '/nonexistent.cf'"

# sendmail-setup: the lines for the configured store, the smart host
printf '[output]\nbundle = /etc/mail/tls/b.crt\ncapath = /etc/mail/tls/c\n[source m]\nstore = mozilla\n' \
    >"$D/tb.conf"
run 0 "sendmail-setup" "$TB" -c "$D/tb.conf" sendmail-setup --mc "$D/amazon.mc"
check "the two .mc lines, with the configured paths" sh -c '
    grep -q "^  *define(\`confCACERT_PATH'"'"', \`/etc/mail/tls/c'"'"')dnl$" "$1" &&
    grep -q "^  *define(\`confCACERT'"'"', \`/etc/mail/tls/b.crt'"'"')dnl$" "$1"' \
    sh "$W/out"
check "each where it goes: the line of the dnl'd define it replaces" grep -q \
    "in $D/amazon.mc, replace line 16 with:" "$W/out"
check "how to rebuild" grep -q "run: m4 $D/amazon.mc > /etc/mail/sendmail.cf" \
    "$W/out"
check "the smart host as a [probe], on its submission port" grep -q \
    "^  *url = submission://mail.example.com.netsolmail.net:587$" "$W/out"
check "publish before the .cf is rebuilt" sh -c '
    u=$(grep -n "run: trustbuild -c .* update" "$1" | cut -d: -f1)
    m=$(grep -n "run: m4 " "$1" | cut -d: -f1)
    [ -n "$u" ] && [ -n "$m" ] && [ "$u" -lt "$m" ]' sh "$W/out"
# the [probe] text it prints, pasted into the configuration: accepted
cp "$D/tb.conf" "$D/setup.conf"
sed -n '/add to /,/^ *[0-9]*\. run/p' "$W/out" | sed '1d;$d' |
    sed 's/^ *//' >>"$D/setup.conf"
check "the pasted text is a [probe] section" grep -q \
    "^\[probe relay-mail.example.com.netsolmail.net-587\]$" "$D/setup.conf"
run 0 "the configuration with it is valid" env TRUSTBUILD_CONF=/nonexistent \
    "$TB" -c "$D/setup.conf" sendmail-setup --mc "$D/amazon.mc"
check "and the relay is no longer advised: it is probed" sh -c \
    '! grep -q "\[probe" "$1"' sh "$W/out"
done_testing
