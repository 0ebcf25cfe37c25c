#!/bin/sh
# The command line: help, version, usage errors, and the man page in step
# with --help.
. "$(dirname "$0")/../lib.sh"
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
run 1 "an unknown command" "$TB" frobnicate
err_has "says so and where to look" "'frobnicate' is not a command; see 'trustbuild --help'"
run 1 "an unknown option" "$TB" build --frob
run 1 "no command" "$TB"

if command -v mandoc >/dev/null; then
	check "the man page is clean under mandoc -Tlint" \
	    sh -c '! mandoc -Tlint -W warning "$1" | grep .' sh "$MAN"
	for o in $(grep -Eo -- '--[a-z][a-z-]+' "$W/build-help" "$W/list-help" |
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
else
	skipped "man page checks: mandoc not installed"
fi
# make install honours PREFIX and DESTDIR
run 0 "make install DESTDIR=... PREFIX=/usr" make -s -C "$top" install \
    DESTDIR="$W/root" PREFIX=/usr
check "installs the binary" [ -x "$W/root/usr/bin/trustbuild" ]
check "installs the man page" [ -f "$W/root/usr/share/man/man1/trustbuild.1" ]
check "installs stores/" [ -d "$W/root/usr/share/trustbuild/stores" ]
check "the installed binary runs" "$W/root/usr/bin/trustbuild" --version
check "and finds its installed stores" env -u TRUSTBUILD_STORES \
    "$W/root/usr/bin/trustbuild" stores
done_testing
