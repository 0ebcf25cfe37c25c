#!/bin/sh
# build's record (DIR/.BASENAME.trustbuild beside the first output): a build
# whose sources and options are as when the store was last published exits
# 2 having parsed nothing, the outputs untouched; any change of a source, an
# option, an output, the time past a not-after or a distrust date, or the
# leftovers of an interrupted run make a full run.  A record planted by
# someone who can write the directory (another owner, mode 666, a symbolic
# link, a FIFO, a hard link) is ignored: a store is never frozen by one.
. "$(dirname "$0")/../harness/lib.sh"

O=$W/o
R=$O/.ca.pem.trustbuild
cat "$FIX/root-a.pem" "$FIX/root-b.pem" >"$W/src.pem"
cp "$W/src.pem" "$W/old.pem"
TBV="$TB -v build --bundle $O/ca.pem --capath $O/certs"
tb() { $TBV "$@"; }
# full DESC WANT ARGS...: a run that parsed (-v: the source's count) and
# said no "nothing to parse"
full() {
	_f_d=$1
	_f_w=$2
	shift 2
	run "$_f_w" "$_f_d: a full run (exit $_f_w)" tb "$@"
	err_has "($_f_d: the sources parsed)" "'$W/src.pem': [0-9]+ certificates"
	file_lacks "($_f_d: no shortcut)" "$W/err" "nothing to parse"
}
# same DESC ARGS...: the shortcut, the directory as it was
same() {
	_s_d=$1
	shift
	_s_before=$(snapshot "$O")
	run 2 "$_s_d: unchanged (exit 2)" tb "$@"
	err_has "($_s_d: -v says nothing was parsed)" "^trustbuild: the sources are as when the store was last published: nothing to parse$"
	file_lacks "($_s_d: no source parsed)" "$W/err" "certificates$"
	check "($_s_d: the outputs and the record untouched, mtimes too)" \
	    [ "$_s_before" = "$(snapshot "$O")" ]
}

mkdir "$O"
run 0 "first build: published" tb --intermediates "$FIX/int-a.pem" "$W/src.pem"
check "the record is beside the bundle, 0600" \
    [ "$(stat -c %a "$R")" = 600 -a -f "$R" ]
same "the same build again" --intermediates "$FIX/int-a.pem" "$W/src.pem"
check "(the summary line from the record)" \
    grep -qx "2 anchors, 1 intermediate for server-auth: unchanged" "$W/out"
run 2 "without -v: one line, nothing on stderr" "$TB" build --bundle "$O/ca.pem" \
    --capath "$O/certs" --intermediates "$FIX/int-a.pem" "$W/src.pem"
check "(no message)" [ ! -s "$W/err" ]

# each input
printf '\n' >>"$W/src.pem"
full "one byte more in a source" 2 --intermediates "$FIX/int-a.pem" "$W/src.pem"
same "after it" --intermediates "$FIX/int-a.pem" "$W/src.pem"
full "--intermediates dropped" 0 "$W/src.pem"
full "--keep-expired" 2 --keep-expired "$W/src.pem"
full "--compat" 0 --compat "$W/src.pem"
full "--purpose email" 0 --purpose email "$W/src.pem"
full "--distrust-after keep" 2 --distrust-after keep "$W/src.pem"
full "--leaf-lifetime 30" 2 --leaf-lifetime 30 "$W/src.pem"
b=$(openssl x509 -in "$FIX/root-b.pem" -noout -fingerprint -sha256 |
    sed 's/.*=//')
full "--exclude" 0 --exclude "$b" "$W/src.pem"
full "back to none" 0 "$W/src.pem"
same "and again" "$W/src.pem"
full "an output added" 0 --pem-dir "$O/pd" "$W/src.pem"
same "with it" --pem-dir "$O/pd" "$W/src.pem"
full "the output dropped" 2 "$W/src.pem"
printf '# by hand\n' >>"$O/ca.pem"
full "the bundle edited by hand" 0 "$W/src.pem"
check "(made again)" sh -c '! grep -q "by hand" "$1"' sh "$O/ca.pem"
g=$(readlink "$O/certs")
cp -a "$O/$g" "$O/.certs.gen.byhand"
rm "$O/.certs.gen.byhand/$(ls "$O/certs" | grep '\.pem$' | head -1)"
ln -sfn .certs.gen.byhand "$O/certs"
full "the CApath link repointed" 0 "$W/src.pem"
check "(a generation of its own again)" [ "$(readlink "$O/certs")" != .certs.gen.byhand ]
rm -rf "$O/.certs.gen.byhand"
rm -rf "$O/$(readlink "$O/certs")"
full "the generation removed" 0 "$W/src.pem"
rm "$O/certs/$(ls "$O/certs" | grep '\.pem$' | head -1)"
full "a file removed from the generation" 0 "$W/src.pem"
: >"$O/.ca.pem.tmp.XXXX1"
full "leftovers of an interrupted run" 2 "$W/src.pem"
err_has "(said)" "leftovers of an interrupted run: a full run removes them"
check "(removed)" [ ! -e "$O/.ca.pem.tmp.XXXX1" ]
same "after them" "$W/src.pem"
mkdir "$W/dir"
cp "$W/src.pem" "$W/dir/"
run 0 "a directory source" tb "$W/dir"
err_has "(-v: no record of a directory)" "'$W/dir': not a file: every run parses the sources"
run 2 "a directory source again: parsed" tb "$W/dir"
file_lacks "(no shortcut)" "$W/err" "nothing to parse"

# time: a not-after passed, a distrust date passed.  NO_FAKE_STAT: the
# files' times as they are (libfaketime would shift them too, each run by
# its own offset)
at() {
	_t=$1
	shift
	NO_FAKE_STAT=1 \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    faketime "$_t" "$@"
}
if ! command -v faketime >/dev/null 2>&1 ||
    [ "$(faketime 2031-06-01 date -u +%Y 2>/dev/null)" != 2031 ]; then
	skipped "time moved on: faketime is not installed or does not work (sh scripts/deps.sh)"
else
	openssl req -new -x509 -key "$FIX/root-a.key" -subj "/CN=Short Root" \
	    -days 2 -addext basicConstraints=critical,CA:true \
	    -addext keyUsage=critical,keyCertSign,cRLSign \
	    -out "$W/short.pem" 2>/dev/null
	cat "$W/short.pem" "$FIX/root-b.pem" >"$W/src.pem"
	run 0 "a root that expires in 2 days: published" tb "$W/src.pem"
	same "again at once" "$W/src.pem"
	later=$(date -u -d '+3 days' '+%Y-%m-%d %H:%M:%S')
	run 0 "3 days later: a full run leaves it out" at "$later" $TBV "$W/src.pem"
	check "(the expired root is gone)" sh -c '! grep -q "Short Root" "$1"' \
	    sh "$O/ca.pem"
	sh "$HARNESS/mkcertdata.sh" \
	    "$FIX/root-a.pem:distrust-after=300101000000Z,310101000000Z" \
	    "$FIX/root-b.pem:anchor" >"$W/cd.txt"
	run 0 "distrust-after 2030-01-01, in 2029: published" \
	    at 2029-06-01 $TBV --distrust-after drop "$W/cd.txt"
	run 2 "a day later: unchanged" at 2029-06-02 $TBV --distrust-after drop "$W/cd.txt"
	err_has "(from the record)" "nothing to parse"
	run 0 "in 2030, the date passed: a full run leaves root A out" \
	    at 2030-01-02 $TBV --distrust-after drop "$W/cd.txt"
	check "(root A gone)" sh -c '! grep -q "Test Root A" "$1"' sh "$O/ca.pem"
fi

# attacks: a record planted where someone else can write.  The forgery is
# the record of the old sources with the inputs of the new ones: trusted,
# it would keep the old store published for ever.
cp "$W/old.pem" "$W/src.pem"
cat "$FIX/root-b.pem" >"$W/new.pem"
tbq() { "$TB" -q build --bundle "$O/ca.pem" --capath "$O/certs" "$@"; }
tbq "$W/new.pem"
new=$(sed -n 's/^inputs //p' "$R")
tbq "$W/src.pem"
forge() { sed "s/^inputs .*/inputs $new/" "$R" >"$W/forged"; }
forge
has_old() { grep -q "Test Root A" "$O/ca.pem"; }
cp "$W/forged" "$R"
run 2 "control: the forgery, ours and 0600, would freeze the store" tb "$W/new.pem"
check "(the old store stays: the attack is real)" has_old
attack() {	# DESC: $R planted by the caller, then the new sources
	run 0 "planted record, $1: ignored, a full run publishes" tb "$W/new.pem"
	check "($1: the new store)" sh -c '! grep -q "Test Root A" "$1"' sh "$O/ca.pem"
	check "($1: our own record replaces it)" sh -c '[ -f "$1" ] &&
	    [ ! -L "$1" ] && [ "$(stat -c %a:%u:%h "$1")" = "600:$(id -u):1" ]' \
	    sh "$R"
	rm -f "$R"
	tbq "$W/src.pem"
	forge		# the record of the store now: a new generation
}
cp "$W/forged" "$R"
chmod 666 "$R"
attack "mode 666"
err_has "(-v says why)" "not a record of ours \\(owner, links or mode\\); ignored"
cp "$W/forged" "$R"
chmod 620 "$R"
attack "group-writable"
cp "$W/forged" "$W/forged-ours"
chmod 600 "$W/forged-ours"
rm -f "$R"
ln -s "$W/forged-ours" "$R"
attack "a symbolic link to a forgery of ours"
rm -f "$R"
mkfifo "$R"
attack "a FIFO"
rm -f "$R"
ln "$W/forged-ours" "$R"
attack "a hard link to a forgery of ours"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	cp "$W/forged" "$R"
	chmod 600 "$R"
	chown nobody "$R"
	attack "owned by nobody"
else
	skipped "a record owned by another user: needs root"
fi
# two builds of different sources into the same outputs at once: the
# record always names the sources of what is published (it is written
# before the outputs' directory is unlocked)
race() {
	for _i in 1 2 3 4 5 6; do
		tbq "$W/src.pem" & tbq "$W/new.pem" & wait
		for _s in src new; do
			$TBV "$W/$_s.pem" >/dev/null 2>&1
			_rc=$?
			[ $_rc = 2 ] || [ $_rc = 0 ] || return 1
			if [ $_s = src ]; then has_old || return 1
			else ! has_old || return 1; fi
		done
	done
}
check "concurrent builds: an unchanged run's store is its sources'" race
rm -f "$R"
mkdir "$R"
run 0 "a directory at the record's name: published all the same" tb "$W/src.pem"
err_has "(a warning says the record is not kept)" "cannot keep the record of this run"
rmdir "$R"
# The record is written without fsync (a cache, see README "Durability"):
# what a power cut can leave of it must never be believed.  Torn, empty,
# or the record before (the one of other sources, while the outputs are
# already the new ones): each makes a full run.
rm -rf "$O"
mkdir "$O"
cp "$W/old.pem" "$W/src.pem"
run 0 "cut: sources 1 published" tb "$W/src.pem"
cp -p "$R" "$W/rec1"
cat "$FIX/root-a.pem" >"$W/src2.pem"
run 0 "cut: sources 2 published" tb "$W/src2.pem"
cp -p "$R" "$W/rec2"
head -c $(($(wc -c <"$R") / 2)) "$W/rec2" >"$R"
run 2 "cut: a torn record: a full run (exit 2)" tb "$W/src2.pem"
err_has "(torn: sources parsed)" "'$W/src2.pem': 1 certificate$"
file_lacks "(torn: no shortcut)" "$W/err" "nothing to parse"
: >"$R"
run 2 "cut: an empty record: a full run (exit 2)" tb "$W/src2.pem"
file_lacks "(empty: no shortcut)" "$W/err" "nothing to parse"
cp -p "$W/rec1" "$R"
run 0 "cut: the record before, with its own sources back: a full run publishes them" \
    tb "$W/src.pem"
file_lacks "(the record before: no shortcut)" "$W/err" "nothing to parse"
check "(the store is sources 1's again: root B back)" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$O/ca.pem")" = 2 ]
run 2 "cut: and after that full run, the shortcut again" tb "$W/src.pem"
err_has "(nothing parsed)" "nothing to parse"

done_testing
