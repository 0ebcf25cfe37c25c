#!/bin/sh
# The command line: help, version, usage errors, and the man page in step
# with --help.
. "$(dirname "$0")/../harness/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$top/man/trustbuild.1

run 0 "--help" "$TB" --help
check "--help lists every command" sh -c 'grep -q "^  build " "$1" && grep -q "^  list " "$1"' sh "$W/out"
run 0 "--version" "$TB" --version
check "--version prints a version" grep -Eq '^trustbuild [0-9]+\.[0-9]+' "$W/out"
run 0 "build --help" "$TB" build --help
cp "$W/out" "$W/build-help"
run 0 "help build" "$TB" help build
check "'help build' is 'build --help'" cmp "$W/out" "$W/build-help"
run 0 "list --help" "$TB" list --help
cp "$W/out" "$W/list-help"
run 0 "update --help" "$TB" update --help
cp "$W/out" "$W/update-help"
for c in probe sendmail-check sendmail-setup postfix-check postfix-setup; do
	run 0 "$c --help" "$TB" "$c" --help
	cp "$W/out" "$W/$c-help"
	check "the man page documents $c" grep -q "^\.Cm $c\$" "$MAN"
done
check "--help lists update" [ "$("$TB" --help | grep -c '^  update ')" = 1 ]
run 1 "an unknown command" "$TB" frobnicate
err_has "says so and where to look" "'frobnicate' is not a command; see 'trustbuild --help'"
run 1 "an unknown option" "$TB" build --frob
run 1 "no command" "$TB"

if command -v mandoc >/dev/null; then
	check "the man page is clean under mandoc -Tlint" \
	    sh -c '! mandoc -Tlint -W warning "$1" | grep .' sh "$MAN"
	for o in $(grep -Eo -- '--[a-z][a-z0-9-]+' "$W/build-help" "$W/list-help" \
	    "$W/update-help" "$W/probe-help" "$W/sendmail-check-help" \
	    "$W/sendmail-setup-help" "$W/postfix-check-help" "$W/postfix-setup-help" |
	    sed 's/.*://' | sort -u); do
		check "the man page documents $o" grep -Eq -- \
		    "Fl -${o#--}( |\$)" "$MAN"
	done
	mandoc -Tascii "$MAN" | sed 's/.\x08//g' >"$W/man.txt"
	check "the man page has EXIT STATUS, FILES, EXAMPLES, SEE ALSO" sh -c '
	    for s in "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
	        grep -q "^$s" "$1" || exit 1; done' sh "$W/man.txt"
	check "the man page shows the sendmail.mc lines" \
	    grep -q "confCACERT_PATH" "$W/man.txt"
	check "the man page shows the crontab line" \
	    grep -qF 'trustbuild -q update || [ $? -eq 2 ]' "$W/man.txt"
	CONF5=$top/man/trustbuild.conf.5
	check "trustbuild.conf.5 is clean under mandoc -Tlint" \
	    sh -c '! mandoc -Tlint -W warning "$1" | grep .' sh "$CONF5"
	# every key the parser knows (from its own "unknown key" messages)
	# is documented, and nothing else is
	for sec in "[output]" "[output x]" "[fetch]" "[source x]" "[probe x]" \
	    "[sendmail]" "[postfix]" "[export]"; do
		printf '%s\nzzz = 1\n' "$sec" >"$W/keys.conf"
		"$TB" -c "$W/keys.conf" update 2>&1 | sed -n 's/.*(\(.*\))$/\1/p' |
		    tr ',' '\n' | tr -d ' '
	done | sort -u >"$W/keys"
	check "the parser names its keys" [ "$(wc -l <"$W/keys")" -ge 20 ]
	for k in $(cat "$W/keys"); do
		check "trustbuild.conf.5 documents '$k'" grep -q "^\.It Ic $k No" \
		    "$CONF5"
	done
	for k in $(sed -n 's/^\.It Ic \([a-z0-9-]*\) No.*/\1/p' "$CONF5" | sort -u); do
		check "the key '$k' of trustbuild.conf.5 exists" grep -qx "$k" \
		    "$W/keys"
	done
else
	skipped "man page checks: mandoc not installed"
fi
# make install honours PREFIX and DESTDIR
run 0 "make install DESTDIR=... PREFIX=/usr" make -s -C "$top" install \
    DESTDIR="$W/root" PREFIX=/usr
check "installs the binary" [ -x "$W/root/usr/bin/trustbuild" ]
check "installs the man page" [ -f "$W/root/usr/share/man/man1/trustbuild.1" ]
check "installs trustbuild.conf.5" \
    [ -f "$W/root/usr/share/man/man5/trustbuild.conf.5" ]
check "installs stores/" [ -d "$W/root/usr/share/trustbuild/stores" ]
check "the installed binary runs" "$W/root/usr/bin/trustbuild" --version
check "and finds its installed stores" env -u TRUSTBUILD_STORES \
    "$W/root/usr/bin/trustbuild" stores
check "installs the cron file as /etc/cron.d/trustbuild, mode 644" \
    [ "$(stat -c %a "$W/root/etc/cron.d/trustbuild")" = 644 ]
check "and the systemd units in PREFIX/lib/systemd/system, mode 644" sh -c '
    for u in service timer; do
        [ "$(stat -c %a "$1/usr/lib/systemd/system/trustbuild.$u")" = 644 ] ||
        exit 1; done' sh "$W/root"
check "which run the installed binary" sh -c '
    grep -q " /usr/bin/trustbuild -q update " "$1/etc/cron.d/trustbuild" &&
    grep -qx "ExecStart=/usr/bin/trustbuild -q update" \
        "$1/usr/lib/systemd/system/trustbuild.service" &&
    ! grep -rq /usr/local/bin/trustbuild "$1/etc" "$1/usr/lib"' sh "$W/root"
find "$W/root" -type f | sed "s|^$W/root||" | grep -v '^/usr/share/trustbuild/stores/' |
    sort >"$W/installed"
printf '%s\n' /etc/cron.d/trustbuild /usr/bin/trustbuild \
    /usr/lib/systemd/system/trustbuild.service \
    /usr/lib/systemd/system/trustbuild.timer \
    /usr/share/man/man1/trustbuild.1 /usr/share/man/man5/trustbuild.conf.5 \
    >"$W/want-installed"
check "and nothing else" diff "$W/want-installed" "$W/installed"
check "nothing outside DESTDIR: no /etc/cron.d/trustbuild, no /usr/bin/trustbuild, no units" \
    sh -c '! ls /etc/cron.d/trustbuild /usr/bin/trustbuild \
        /usr/lib/systemd/system/trustbuild.service 2>/dev/null | grep .'
# the configuration is loaded by main, once, for the commands that take it
printf '[output]\nbundel = /x\n' >"$W/broken.conf"
for how in "-c $W/broken.conf update" "update -c $W/broken.conf" \
    "update --config=$W/broken.conf" "-c $W/broken.conf sendmail-setup" \
    "-c $W/broken.conf list"; do
	# shellcheck disable=SC2086
	run 1 "a broken configuration: $how" "$TB" $how
	one_error "$how"
	err_has "$how: file, line and the keys" "broken.conf': line 2: unknown key 'bundel' in \\[output\\] \\(bundle, "
done
run 0 "update --help needs no configuration" "$TB" -c "$W/broken.conf" update --help
run 0 "stores needs none" "$TB" -c "$W/broken.conf" stores
check "and says nothing of it" [ ! -s "$W/err" ]
# the global options go after the command's name too, for every command
{ conf_output "$W/g"; printf '[source a]\nurl = %s\n' "$FIX/root-a.pem"; } \
    >"$W/g.conf"
run 0 "update -c FILE (first run)" "$TB" update -c "$W/g.conf"
run 2 "update -c FILE, nothing changed" "$TB" update -c "$W/g.conf"
check "says so on stdout, and nothing on stderr" sh -c \
    'grep -q unchanged "$1/out" && [ ! -s "$1/err" ]' sh "$W"
for how in "update -q -c $W/g.conf" "update --config $W/g.conf --quiet" \
    "update -qc$W/g.conf" "update -c $W/g.conf -vq" "-v update -q -c $W/g.conf"; do
	# shellcheck disable=SC2086
	run 2 "$how" "$TB" $how
	check "$how: prints nothing" sh -c \
	    '[ ! -s "$1/out" ] && [ ! -s "$1/err" ]' sh "$W"
done
run 2 "update -c FILE --insecure-ok" "$TB" update -c "$W/g.conf" --insecure-ok
run 2 "update -c FILE -v" "$TB" update -c "$W/g.conf" -v
err_has "-v after the command: says why nothing was parsed" \
    "the sources are as when the store was last published"
run 0 "list -c FILE lists the published store" "$TB" list -c "$W/g.conf"
check "the published root" grep -q '^admitted: *anchor' "$W/out"
run 0 "build -q after the command" "$TB" build -q --bundle "$W/g/b.pem" \
    "$FIX/root-a.pem"
check "prints no summary" [ ! -s "$W/out" ]
run 0 "stores -v" "$TB" stores -v
"$TB" -v -c "$W/g.conf" sendmail-check --mc "$W/absent.mc" >"$W/before.out" \
    2>"$W/before.err"
run 1 "sendmail-check --mc F -v -c FILE" "$TB" sendmail-check --mc \
    "$W/absent.mc" -v -c "$W/g.conf"
check "does what -v -c FILE sendmail-check --mc F does" sh -c \
    'cmp "$1/out" "$1/before.out" && cmp "$1/err" "$1/before.err"' sh "$W"
run 1 "a -c without FILE after the command" "$TB" list -c
one_error "-c without FILE"
err_has "names the option" "option '-c' needs a FILE"
check "no command has a short option -q, -v or -c of its own" sh -c '
    ! grep -h "getopt_long(argc, argv, \"" "$1"/src/cmd_*.c |
    sed "s/.*argv, \"\([^\"]*\)\".*/\1/" | grep "[qvc]"' sh "$top"
run 0 "after --, a word is an operand" "$TB" list -- "$FIX/root-a.pem"
run 1 "after --, -q is not an option" "$TB" list -- -q
err_has "but a file" "'-q'"
for c in build list probe sendmail-check sendmail-setup postfix-check postfix-setup stores update; do
	run 0 "$c --help" "$TB" "$c" --help
	check "$c --help says the global options go after its name too" \
	    grep -q 'go before or after' "$W/out"
done
check "the man page says so" grep -q 'or after its name' "$MAN"
# counts in messages: "1 anchor, 1 intermediate", not "1 anchors"
run 0 "build one anchor and one intermediate" "$TB" build --bundle \
    "$W/one.pem" --intermediates "$FIX/int-a.pem" "$FIX/root-a.pem"
check "the summary is singular" grep -qx \
    '1 anchor, 1 intermediate for server-auth: published' "$W/out"
run 0 "build two intermediates" "$TB" build --bundle "$W/two.pem" \
    --intermediates "$FIX/int-a.pem" --intermediates "$FIX/int-a2.pem" \
    "$FIX/root-a.pem"
check "and plural for two" grep -qx \
    '1 anchor, 2 intermediates for server-auth: published' "$W/out"
done_testing
