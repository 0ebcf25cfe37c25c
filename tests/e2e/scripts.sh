#!/bin/sh
# scripts/: the crontab line maps "unchanged" to success and keeps errors,
# runs the real binary against a configuration; provision.sh --dry-run
# shows its steps; the systemd units pass systemd-analyze when it is here.
. "$(dirname "$0")/../harness/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
CRON=$top/scripts/trustbuild.cron

line=$(grep -E '^[0-9*]' "$CRON")
check "the cron file has one job line" [ "$(grep -cE '^[0-9*]' "$CRON")" = 1 ]
check "it runs as root, daily" sh -c 'echo "$1" | grep -Eq "^[0-9]+[[:space:]]+[0-9]+[[:space:]]+\* \* \*[[:space:]]+root[[:space:]]"' sh "$line"
# the command as cron's /bin/sh runs it: "\%" becomes "%", the sleep is
# cut to 0 and the binary is the one under test
cmd=$(echo "$line" | sed 's/^\([^[:space:]]*[[:space:]]*\)\{6\}//; s/\\%/%/g;
    s|/usr/local/bin/trustbuild|"$TB"|; s/sleep \$((\(.*\) % 3600 ))/sleep $((\1 % 1 ))/')
check "the splay is a random sleep of up to an hour" sh -c \
    'grep -q "sleep \$(( \$(od -An -N2 -tu2 /dev/urandom) \\\\% 3600 ))" "$1"' sh "$CRON"
mkdir -p "$W/c"
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n[source a]\nurl = %s\n' \
    "$W/c/b.crt" "$W/c/certs" "$W/c/state" "$FIX/roots.pem" >"$W/c.conf"
export TB
run 0 "the cron command: a change publishes, status 0" env \
    TRUSTBUILD_CONF="$W/c.conf" sh -c "$cmd"
check "and the change is printed (cron mails it)" grep -q published "$W/out"
run 0 "unchanged (trustbuild exits 2): status 0" env \
    TRUSTBUILD_CONF="$W/c.conf" sh -c "$cmd"
check "and nothing is printed (no mail)" [ ! -s "$W/out" ] && [ ! -s "$W/err" ]
echo "[source b]" >>"$W/c.conf"
run 1 "an error: status 1" env TRUSTBUILD_CONF="$W/c.conf" sh -c "$cmd"
check "and the error is printed" grep -q "needs 'store = NAME'" "$W/err"
# under systemd the timer does the job: the cron line stands back
mkdir -p "$W/systemd"
sdcmd=$(echo "$cmd" | sed "s|/run/systemd/system|$W/systemd|")
run 0 "the cron command where systemd runs: status 0" env \
    TRUSTBUILD_CONF="$W/c.conf" sh -c "$sdcmd"
check "and does nothing (the broken configuration is not even read)" \
    sh -c '[ ! -s "$1/out" ] && [ ! -s "$1/err" ]' sh "$W"
check "the guard is the path systemd makes" grep -q 'test -e /run/systemd/system ||' "$CRON"

run 0 "provision.sh --dry-run" sh "$top/scripts/provision.sh" --dry-run
check "it shows the configuration it would write, or keeps one" \
    grep -Eq "write /etc/trustbuild/trustbuild.conf|trustbuild update" "$W/out"
check "and the update and the schedule" sh -c \
    'grep -q "trustbuild update" "$1" && grep -Eq "cron.d/trustbuild|trustbuild.timer" "$1"' \
    sh "$W/out"
run 1 "provision.sh with bad arguments" sh "$top/scripts/provision.sh" -x
# provision.sh below DESTDIR: every file there, nothing run on this host
run 0 "DESTDIR=... provision.sh BUILDDIR" env DESTDIR="$W/p" \
    sh "$top/scripts/provision.sh" "$top"
check "installs the binary, the configuration and the daily run below it" \
    sh -c 'cd "$1" && [ -x usr/local/bin/trustbuild ] &&
    [ -f etc/trustbuild/trustbuild.conf ] && [ -d etc/trustbuild/hooks.d ] &&
    [ -d etc/mail/tls ] && [ -d var/lib/trustbuild ] &&
    [ "$(stat -c %a etc/cron.d/trustbuild)" = 644 ] &&
    [ "$(stat -c %a etc/systemd/system/trustbuild.timer)" = 644 ] &&
    [ "$(stat -c %a etc/systemd/system/trustbuild.service)" = 644 ]' sh "$W/p"
check "the configuration it writes is one update reads" \
    "$W/p/usr/local/bin/trustbuild" -c "$W/p/etc/trustbuild/trustbuild.conf" \
    update --help
check "runs neither update nor systemctl" sh -c '
    grep -q "not run below DESTDIR: .*trustbuild update" "$1" &&
    grep -q "not run below DESTDIR: systemctl" "$1" &&
    [ ! -e "$2/var/lib/trustbuild/manifest" ] && [ ! -e "$2/etc/mail/tls/certs" ]' \
    sh "$W/out" "$W/p"
check "and touches nothing outside DESTDIR" sh -c '
    ! ls /etc/trustbuild /usr/local/bin/trustbuild /etc/cron.d/trustbuild \
    /etc/systemd/system/trustbuild.timer 2>/dev/null | grep .'

check "the service treats exit 2 as success" grep -qx "SuccessExitStatus=2" \
    "$top/scripts/trustbuild.service"
check "and runs update quietly" grep -q "^ExecStart=.*trustbuild -q update$" \
    "$top/scripts/trustbuild.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	# the unit's binary is where make install puts it, not here: verify a
	# copy that runs the binary under test
	mkdir -p "$W/units"
	sed "s|/usr/local/bin/trustbuild|$TB|" "$top/scripts/trustbuild.service" \
	    >"$W/units/trustbuild.service"
	cp "$top/scripts/trustbuild.timer" "$W/units/"
	systemd-analyze verify "$W/units/trustbuild.service" \
	    "$W/units/trustbuild.timer" >"$W/sa.log" 2>&1
	check "systemd-analyze finds nothing but the uninstalled man page" \
	    sh -c '! grep -v "trustbuild(1)" "$1" | grep -q .' sh "$W/sa.log"
else
	skipped "systemd-analyze not installed"
fi
done_testing
