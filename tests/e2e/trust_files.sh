#!/bin/sh
# The trust boundary (issue 12, points 9-13): root publishes into and keeps
# state in directories another user (nobody) may write, and that user
# cannot turn root's file operations: no link followed, no mode inherited,
# no lock held, no FIFO waited on, no configuration, hook or state of
# theirs obeyed.  Every command is bounded by timeout; the races by count
# and time (racer.c).
. "$(dirname "$0")/../harness/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	skipped "the trust boundary: needs root and setpriv"
	done_testing
	exit
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
RACER=$top/tests/harness/racer
if [ ! -x "$RACER" ]; then
	RACER=$W/racer
	cc -std=gnu11 -D_GNU_SOURCE -o "$RACER" "$top/tests/harness/racer.c" ||
	    { nok "cannot build tests/harness/racer.c"; done_testing; exit; }
fi
A=$FIX/roots.pem
B=$FIX/root-a.pem
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
T="timeout 20"

# nobody must reach $W; the binary and fixtures stay root's
chmod o+x "$(dirname "$W")"
chmod 755 "$W"
chmod o+rx "$RACER"

# --- 9: every operation below the output directory is relative to its fd ---
# a directory nobody writes; a victim only root may change
mkdir -p "$W/pub" "$W/victim" "$W/victim2"
chown nobody:nogroup "$W/pub"
echo precious >"$W/victim/keep"
echo precious >"$W/victim2/keep"
chmod 700 "$W/victim" "$W/victim2"
v1=$(snapshot "$W/victim")
v2=$(snapshot "$W/victim2")

# race CAPATH N SECS KEEP: N publishing builds of A and B in turn to
# CAPATH, as root, while the racer (rpid) runs, stopping after SECS or once
# KEEP is gone; then the racer is stopped.  i is the number of builds.
race() {
	i=0
	t0=$(date +%s)
	while [ $i -lt "$2" ] && [ $(($(date +%s) - t0)) -lt "$3" ] &&
	    [ -e "$4" ]; do
		[ $((i % 2)) = 0 ] && s=$A || s=$B
		$T "$TB" -q build --capath "$1" "$s" >/dev/null 2>&1
		i=$((i + 1))
	done
	kill $rpid 2>/dev/null
	wait $rpid 2>/dev/null
}

# stale-generation removal: ".certs.gen.evil" swapped with a link to the
# victim between root's look at it and root's emptying of it
as_nobody mkdir "$W/pub/.certs.gen.evil"
as_nobody ln -s "$W/victim" "$W/pub/x"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$RACER" exchange "$W/pub" .certs.gen.evil x 20 >"$W/racer1.out" &
rpid=$!
# 150 publishes, 15 s at most (the old code lost the victim within ~40)
race "$W/pub/certs" 150 15 "$W/victim/keep"
check "9: stale generations swapped for a link: the victim is untouched" \
    [ "$(snapshot "$W/victim")" = "$v1" ]
check "9: ... and root did not empty nobody's own directory" \
    sh -c '[ -d "$1/pub/.certs.gen.evil" ] || [ -d "$1/pub/x" ]' sh "$W"

# a new generation swapped for a link right after mkdir (the mkdtemp/chmod
# race): root neither chmods nor writes through it
rm -rf "$W/pub2"
mkdir -p "$W/pub2"
chown nobody:nogroup "$W/pub2"
as_nobody ln -s "$W/victim2" "$W/pub2/y"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$RACER" watch "$W/pub2" .certs.gen. y 20 >"$W/racer2.out" &
rpid=$!
sleep 0.2
race "$W/pub2/certs" 30 600 "$W/victim2/keep"
check "9: a fresh generation swapped for a link: the victim's mode and files are untouched" \
    [ "$(snapshot "$W/victim2")" = "$v2" -a "$(stat -c %a "$W/victim2")" = 700 ]
echo "# $i publishes raced; racers: $(cat "$W/racer1.out" 2>/dev/null), $(cat "$W/racer2.out" 2>/dev/null)"

# links planted under every name root uses: a temp file, a lock, .prev
mkdir -p "$W/pub3"
chown nobody:nogroup "$W/pub3"
echo precious >"$W/victim3"
as_nobody ln -s "$W/victim3" "$W/pub3/.trustbuild.lock"
as_nobody ln -s "$W/victim3" "$W/pub3/.certs.prev"
as_nobody ln -s "$W/victim3" "$W/pub3/b.pem"
run 0 "9: publishing beside planted links works" $T "$TB" -q build \
    --bundle "$W/pub3/b.pem" --capath "$W/pub3/certs" "$A"
check "9: the bundle replaced the link, the victim stays" \
    [ ! -L "$W/pub3/b.pem" -a "$(cat "$W/victim3")" = precious ]

# a setgid output directory (as /etc/mail may be): generations still made
mkdir -p "$W/sg"
chmod 2775 "$W/sg"
run 0 "9: a CApath in a setgid directory" $T "$TB" -q build \
    --capath "$W/sg/certs" "$A"
check "9: ... its generation is 0755" \
    [ "$(stat -c %a "$W/sg/$(readlink "$W/sg/certs")")" = 755 ]

# --- 10: the locks: never through a link, never another user's ---
mkdir -p "$W/l10/out"
# every configuration names its capath: never the host's default
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n[source a]\nurl = %s\n' \
    "$W/l10/out/b.pem" "$W/l10/out/certs" "$W/l10/state" "$A" >"$W/l10.conf"
run 0 "10: an update makes its state" $T "$TB" -q -c "$W/l10.conf" update
check "10: the state directory is 0700, its lock 0600" \
    [ "$(stat -c %a "$W/l10/state")" = 700 -a \
    "$(stat -c %a "$W/l10/state/lock")" = 600 ]
chmod 755 "$W/l10/state" "$W/l10"	# even where nobody can reach it
check "10: nobody cannot open the state lock to hold it" \
    sh -c '! setpriv --reuid=nobody --regid=nogroup --clear-groups \
    flock -n "$1" true 2>/dev/null' sh "$W/l10/state/lock"
chmod 700 "$W/l10/state"
rm -f "$W/l10/state/lock"
echo precious >"$W/victim4"
ln -s "$W/victim4" "$W/l10/state/lock"
run 1 "10: a link at state/lock is refused" $T "$TB" -q -c "$W/l10.conf" \
    update --force
err_has "10: ... saying so" "lock': a symbolic link.*remove it"
check "10: ... and not followed" [ "$(cat "$W/victim4")" = precious ]
rm -f "$W/l10/state/lock"
# nobody holding the output directory (flock on it, or anything in it)
mkdir -p "$W/l10b"
chown nobody:nogroup "$W/l10b"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    flock "$W/l10b" sleep 8 &
hpid=$!
sleep 0.3
run 0 "10: nobody's flock on the output directory does not stop root" \
    timeout 6 "$TB" -q build --bundle "$W/l10b/b.pem" "$A"
kill $hpid 2>/dev/null
wait $hpid 2>/dev/null

# --- 11: a new bundle's mode is ours, never inherited ---
mkdir -p "$W/m11"
chown nobody:nogroup "$W/m11"
as_nobody sh -c 'echo old >"$1"; chmod 4777 "$1"' sh "$W/m11/b.pem"
run 0 "11: a bundle over nobody's 4777 file" $T "$TB" -q build \
    --bundle "$W/m11/b.pem" "$A"
check "11: is root's, mode 644" \
    [ "$(stat -c %U:%a "$W/m11/b.pem")" = root:644 ]
chmod 6775 "$W/m11/b.pem"
chown root "$W/m11/b.pem"
run 0 "11: a change over root's own 6775 bundle" $T "$TB" -q build \
    --bundle "$W/m11/b.pem" "$B"
check "11: keeps 755 at most: no setuid, setgid, group write" \
    [ "$(stat -c %a "$W/m11/b.pem")" = 755 ]

# --- 12: no FIFO, socket or device opened where a file is expected ---
mkdir -p "$W/f12/out"
mkfifo "$W/f12/fifo"
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n[source a]\nurl = %s\n' \
    "$W/f12/out/b.pem" "$W/f12/out/certs" "$W/f12/state" "$W/f12/fifo" \
    >"$W/f12.conf"
run 1 "12: a FIFO as an update source: refused at once" timeout 10 \
    "$TB" -q -c "$W/f12.conf" update
err_has "12: ... named, not a regular file" "fifo': not a regular file"
run 1 "12: a FIFO as the configuration" timeout 10 "$TB" -q \
    -c "$W/f12/fifo" update
err_has "12: ... not a regular file" "fifo': not a regular file"
run 1 "12: a FIFO as --chain" timeout 10 "$TB" -q probe \
    --chain "$W/f12/fifo"
err_has "12: ... not a regular file" "fifo': not a regular file"
run 1 "12: a FIFO as a build source" timeout 10 "$TB" -q build \
    --bundle "$W/f12/out/x.pem" "$W/f12/fifo"
mkfifo "$W/f12/out/b.pem"
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n[source a]\nurl = %s\n' \
    "$W/f12/out/b.pem" "$W/f12/out/certs" "$W/f12/state" "$A" \
    >"$W/f12b.conf"
run 0 "12: a FIFO in place of the bundle (update): replaced, no hang" \
    timeout 10 "$TB" -q -c "$W/f12b.conf" update
check "12: ... by a regular file" [ -f "$W/f12/out/b.pem" ]
rm -f "$W/f12/out/b.pem"
mkfifo "$W/f12/out/b.pem"
run 0 "12: a FIFO in place of the bundle (build): replaced, no hang" \
    timeout 10 "$TB" -q build --bundle "$W/f12/out/b.pem" "$A"

# --- 13: as root, nothing another user can change is obeyed ---
mkdir -p "$W/o13" "$W/n13"
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\nhooks = %s\n[source a]\nurl = %s\n' \
    "$W/o13/b.pem" "$W/o13/certs" "$W/o13/state" "$W/o13/hooks.d" "$A" \
    >"$W/n13/c.conf"
chown nobody "$W/n13/c.conf"
run 1 "13: a configuration owned by nobody is refused" $T "$TB" -q \
    -c "$W/n13/c.conf" update
err_has "13: ... with the fix" "c.conf': owned by uid [0-9]+; as root trustbuild refuses.*chown root and chmod go-w, or pass --insecure-ok"
check "13: ... before anything is published" [ ! -e "$W/o13/b.pem" ]
run 0 "13: --insecure-ok accepts it" $T "$TB" -q --insecure-ok \
    -c "$W/n13/c.conf" update
chown root "$W/n13/c.conf"
chmod 664 "$W/n13/c.conf"
run 1 "13: a group-writable configuration is refused" $T "$TB" -q \
    -c "$W/n13/c.conf" update
err_has "13: ... saying who can write it" "writable by group"
chmod 644 "$W/n13/c.conf"
chown nobody "$W/n13"
run 1 "13: a configuration in nobody's directory is refused" $T "$TB" -q \
    -c "$W/n13/c.conf" update
err_has "13: ... naming the directory" "n13': owned by uid [0-9]+.*holds the configuration"
chown root "$W/n13"
run 2 "13: root's own configuration is accepted" $T "$TB" -q \
    -c "$W/n13/c.conf" update
mkdir -p "$W/o13/hooks.d"
printf '#!/bin/sh\ntouch "%s"\n' "$W/o13/ran" >"$W/o13/hooks.d/10-h"
chmod 755 "$W/o13/hooks.d/10-h"
chown nobody "$W/o13/hooks.d/10-h"
run 1 "13: a hook owned by nobody is refused" $T "$TB" -q \
    -c "$W/n13/c.conf" update --force
err_has "13: ... naming it" "10-h': owned by uid [0-9]+; .*refuses a hook"
check "13: ... and it never ran" [ ! -e "$W/o13/ran" ]
chown root "$W/o13/hooks.d/10-h"
chmod 777 "$W/o13/hooks.d"
run 1 "13: a hooks directory others can write is refused" $T "$TB" -q \
    -c "$W/n13/c.conf" update --force
err_has "13: ... naming it" "hooks.d': writable by group and others"
chmod 755 "$W/o13/hooks.d"
printf '#!/bin/sh\ntouch "%s"\n' "$W/o13/reloaded" >"$W/n13/reload"
chmod 755 "$W/n13/reload"
chown nobody "$W/n13/reload"
printf 'reload = %s --now\n' "$W/n13/reload" >"$W/n13/r.conf"
# the reload line goes into [output], after its other keys
{ sed -n '1,5p' "$W/n13/c.conf"; cat "$W/n13/r.conf"; sed -n '6,$p' "$W/n13/c.conf"; } \
    >"$W/n13/r2.conf"
run 1 "13: a reload program owned by nobody is refused" $T "$TB" -q \
    -c "$W/n13/r2.conf" update --force
err_has "13: ... naming it" "reload': owned by uid [0-9]+; .*reload program"
check "13: ... and it never ran" [ ! -e "$W/o13/reloaded" ]
chown nobody "$W/o13/state"
run 1 "13: a state directory owned by nobody is refused" $T "$TB" -q \
    -c "$W/n13/c.conf" update --force
err_has "13: ... with the fix" "state': owned by uid [0-9]+; .*state directory.*--insecure-ok"
run 2 "13: --insecure-ok accepts it (unchanged)" $T "$TB" -q \
    --insecure-ok -c "$W/n13/c.conf" update --force
# nobody on a tree of nobody's own: no check, it just works
mkdir -p "$W/own"
cp "$A" "$W/own/src.pem"
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\nhooks = %s\n[source a]\nurl = %s\n' \
    "$W/own/b.pem" "$W/own/certs" "$W/own/state" "$W/own/hooks.d" "$W/own/src.pem" \
    >"$W/own/c.conf"
chmod 666 "$W/own/c.conf"
chown -R nobody:nogroup "$W/own"
run 0 "13: nobody's own writable tree, run by nobody, works" $T \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$TB" -q -c "$W/own/c.conf" update

done_testing
