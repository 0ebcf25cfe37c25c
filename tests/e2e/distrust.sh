#!/bin/sh
# distrust-after for OpenSSL consumers: a root with a Mozilla distrust-after
# date is kept (keep), left out from the date (drop), or left out once its
# leaves issued before the date have expired (drop-when-safe, the default),
# for server-auth by the server date and for email by the email date.
# Under faketime at three instants around a generated root's dates; then
# update's record, list and probe, and the real certdata 2.86 at the real
# now (its dates printed).
. "$(dirname "$0")/../harness/lib.sh"

mk() { sh "$HARNESS/mkcertdata.sh" "$@"; }
has_a() { grep -q 'CN=Test Root A' "$1"; }
lacks() { ! grep -q "$1" "$2"; }
# at DATE COMMAND...: the command as run at DATE (faketime; ASan must
# accept libfaketime preloaded before it)
at() {
	_t=$1
	shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    faketime "$_t" "$@"
}

pfx=$(openssl x509 -in "$FIX/root-a.pem" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' | cut -c1-16)
# root A: server distrust-after 2030-01-01, email 2031-01-01; root B plain
mk "$FIX/root-a.pem:distrust-after=300101000000Z,310101000000Z" \
    "$FIX/root-b.pem:anchor" >"$W/cd.txt"

if ! command -v faketime >/dev/null 2>&1; then
	skipped "three instants around the dates: faketime is not installed (Debian package faketime; sh scripts/deps.sh)"
elif [ "$(faketime 2031-06-01 date -u +%Y)" != 2031 ]; then
	skipped "three instants around the dates: faketime does not work here"
else
	# PURPOSE WHAT DATE: instants before, between date and date + 398
	# days, after; what each mode does at each
	for row in "server-auth server 2030-01-01 2029-06-01 2030-06-01 2031-06-01" \
	    "email email 2031-01-01 2030-06-01 2031-06-01 2032-06-01"; do
		set -- $row
		p=$1 what=$2 date=$3
		shift 3
		i=0
		for t in "$@"; do
			i=$((i + 1))
			for m in keep drop drop-when-safe; do
				case $m:$i in
				keep:*|drop:1|drop-when-safe:[12]) want=kept ;;
				*) want=out ;;
				esac
				b=$W/$p-$i-$m.pem
				run 0 "$p, $m, at $t: published" at "$t" "$TB" \
				    build --purpose "$p" --distrust-after "$m" \
				    --intermediates "$FIX/int-a.pem" --bundle "$b" \
				    "$W/cd.txt"
				if [ $want = kept ]; then
					check "(root A and its intermediate kept)" \
					    sh -c 'grep -q "CN=Test Root A" "$1" &&
					    grep -q "CN=Test Intermediate A" "$1"' sh "$b"
					file_lacks "(nothing said)" "$W/err" "left out"
					continue
				fi
				check "(root A left out, root B kept)" sh -c \
				    '! grep -q "CN=Test Root A" "$1" &&
				    grep -q "CN=Test Root B" "$1"' sh "$b"
				check "(one line names it, its SHA-256 and the $what date)" \
				    [ "$(grep -c 'root "root-a"' "$W/err")" = 1 ]
				err_has "(the line)" "^trustbuild: warning: left out root \"root-a\" \\[sha256 $pfx\\]: Mozilla trusts no $what certificate it issued after $date 00:00:00 UTC.*\\(distrust-after = $m"
				check "(its intermediate too, said)" sh -c \
				    '! grep -q "CN=Test Intermediate A" "$1" &&
				    grep -q "left out intermediate .*chains only to roots left out" "$2"' \
				    sh "$b" "$W/err"
			done
		done
	done
	run 0 "-v between the dates: why root A stays, and until when" at \
	    2030-06-01 "$TB" -v build --bundle "$W/v.pem" "$W/cd.txt"
	err_has "(kept until the date + 398 days)" "kept root \"root-a\" \\[sha256 $pfx\\] until 2031-02-03 00:00:00 UTC: Mozilla trusts no server certificate it issued after 2030-01-01"
	run 0 "--leaf-lifetime 30: left out 30 days after the date" at \
	    2030-06-01 "$TB" build --leaf-lifetime 30 --bundle "$W/l.pem" \
	    "$W/cd.txt"
	err_has "(said with the lifetime)" "those issued before expired by 2030-01-31 00:00:00 UTC \\(distrust-after = drop-when-safe, leaf-lifetime = 30\\)"
	check "(root A left out)" lacks 'CN=Test Root A' "$W/l.pem"
	run 0 "purpose any: kept while the email date allows it" at \
	    2031-06-01 "$TB" build --purpose any --bundle "$W/any.pem" \
	    "$W/cd.txt"
	check "(root A in it)" has_a "$W/any.pem"
	run 0 "purpose any: left out when both dates say so" at 2032-06-01 \
	    "$TB" build --purpose any --bundle "$W/any.pem" "$W/cd.txt"
	err_has "(both dates said)" "no server certificate it issued after 2030-01-01 00:00:00 UTC nor an email certificate it issued after 2031-01-01"

	# update: the default mode; the record of a run must not outlive
	# the day the root goes (the sources are the same then)
	# (one root of two is 50%: the shrink guard would refuse it)
	{ conf_output "$W/u" "shrink-limit = 50%"
	    printf '[source m]\nurl = %s\n' "$W/cd.txt"; } >"$W/u.conf"
	run 0 "update between the dates: root A published" at 2030-06-01 \
	    "$TB" -c "$W/u.conf" update
	check "(in the bundle)" has_a "$W/u/bundle.crt"
	run 2 "again the same day: the sources are as published" at \
	    2030-06-01 "$TB" -v -c "$W/u.conf" update
	err_has "(nothing parsed)" "nothing to parse"
	run 0 "a day after date + 398 days, same sources: a full run drops it" \
	    at 2031-02-04 "$TB" -v -c "$W/u.conf" update
	file_lacks "(no shortcut)" "$W/err" "nothing to parse"
	err_has "(said)" 'left out root "root-a"'
	check "(gone from the bundle)" lacks 'CN=Test Root A' "$W/u/bundle.crt"
	check "(and from the CApath)" sh -c '! grep -rq "Test Root A" "$1"/' \
	    sh "$W/u/certs"
fi

# the config keys; a hostile value: one error, the store untouched
{ conf_output "$W/k" "distrust-after = keep" "leaf-lifetime = 30"
    printf '[source m]\nurl = %s\n' "$W/cd.txt"; } >"$W/k.conf"
run 0 "[output] distrust-after = keep" "$TB" -c "$W/k.conf" update
before=$(snapshot "$W/k")
for v in "distrust-after = sometimes" "distrust-after = KEEP" \
    "distrust-after =" "leaf-lifetime = 0" "leaf-lifetime = -1" \
    "leaf-lifetime = 99999999999999999999" "leaf-lifetime = 3651" \
    "leaf-lifetime = 1y"; do
	{ conf_output "$W/k" "$v"; printf '[source m]\nurl = %s\n' \
	    "$W/cd.txt"; } >"$W/bad.conf"
	run 1 "'$v' refused" "$TB" -c "$W/bad.conf" update
	one_error "($v)"
done
err_has "(the line names the key and its range)" \
    "line 6: leaf-lifetime must be a number from 1 to 3650, not '1y'"
check "(the store untouched)" [ "$(snapshot "$W/k")" = "$before" ]
for v in "--distrust-after sometimes" "--leaf-lifetime 0" \
    "--leaf-lifetime 12x"; do
	# shellcheck disable=SC2086
	run 1 "build $v refused" "$TB" build $v --bundle "$W/x.pem" "$W/cd.txt"
	one_error "($v)"
done
check "(nothing written)" [ ! -e "$W/x.pem" ]
mk "$FIX/root-a.pem:distrust-after" >"$W/only.txt"
run 1 "the only root left out (dated 2020): refused" "$TB" build \
    --bundle "$W/only.pem" "$W/only.txt"
err_has "(the error says why and what keeps it)" \
    "refusing to publish an empty set: .*; 1 left out by distrust-after \(see above; distrust-after = keep keeps them\)"
check "(nothing written)" [ ! -e "$W/only.pem" ]
# a label is hostile text: the line escapes it
evil="$W/$(printf 'evil\033]2;x\007')"
cp "$FIX/root-a.pem" "$evil.pem"
mk "$evil.pem:distrust-after" "$FIX/root-b.pem:anchor" >"$W/evil.txt"
run 0 "a root whose label holds a terminal escape, left out" "$TB" build \
    --bundle "$W/evil-out.pem" "$W/evil.txt"
err_has "(named, escaped)" 'left out root "evil\\x1b\]2;x\\x07"'
check "(no control byte in the log)" sh -c \
    '! LC_ALL=C grep -q "$(printf "\033\|\007")" "$1"' sh "$W/err"

# [output NAME] may have its own mode and leaf lifetime, for its purpose:
# root A dated 2020 for server and email, root B plain
mk "$FIX/root-a.pem:distrust-after=200401000000Z,200401000000Z" \
    "$FIX/root-b.pem:anchor" >"$W/cd2.txt"
n=$W/n
{ conf_output "$n" "[output keep]" "format = pem-bundle" \
    "path = $n/keep.pem" "distrust-after = keep" \
    "[output long]" "format = pem-bundle" "path = $n/long.pem" \
    "leaf-lifetime = 3650" \
    "[output mail]" "format = pem-bundle" "path = $n/mail.pem" \
    "purpose = email" \
    "[output mailkeep]" "format = pem-dir" "path = $n/mailkeep" \
    "purpose = email" "distrust-after = keep"
    printf '[source m]\nurl = %s\n' "$W/cd2.txt"; } >"$W/n.conf"
run 0 "[output NAME] with a mode of its own: published" "$TB" -c \
    "$W/n.conf" update
check "([output] leaves root A out)" lacks 'CN=Test Root A' \
    "$n/bundle.crt"
check "([output keep] has it)" has_a "$n/keep.pem"
check "([output long], 10 years' leaves: has it)" has_a "$n/long.pem"
check "([output mail], email as [output]: left out)" lacks \
    'CN=Test Root A' "$n/mail.pem"
check "([output mailkeep], email, keep: has it)" sh -c \
    'cat "$1"/* | grep -q "CN=Test Root A"' sh "$n/mailkeep"
check "(root B everywhere)" sh -c 'for f in "$@"; do
    grep -q "CN=Test Root B" "$f" || exit 1; done' sh "$n/bundle.crt" \
    "$n/keep.pem" "$n/long.pem" "$n/mail.pem"
{ conf_output "$n" "distrust-after = keep" "[output drop]" \
    "format = pem-bundle" "path = $n/drop.pem" "distrust-after = drop"
    printf '[source m]\nurl = %s\n' "$W/cd2.txt"; } >"$W/n2.conf"
run 0 "[output] keep, [output drop] drop" "$TB" -c "$W/n2.conf" update
check "([output] has root A)" has_a "$n/bundle.crt"
check "([output drop] has not)" lacks 'CN=Test Root A' "$n/drop.pem"
err_has "(said, with the output's name)" \
    '^trustbuild: warning: \[output drop\]: left out root "root-a"'
for v in "distrust-after = often" "leaf-lifetime = 0"; do
	{ conf_output "$n" "[output x]" "format = pem-bundle" \
	    "path = $n/x.pem" "$v"
	    printf '[source m]\nurl = %s\n' "$W/cd2.txt"; } >"$W/n3.conf"
	run 1 "[output x] $v: refused" "$TB" -c "$W/n3.conf" update
	one_error "($v)"
done

# list says what NSS does with the leaves, for a source and for the store
run 0 "list of the certdata" "$TB" list "$W/cd.txt"
file_has "(the date)" "$W/out" "^server distrust after: 2030-01-01 00:00:00 UTC"
file_has "(what NSS does after it)" "$W/out" \
    "^note: +NSS \\(Firefox, Thunderbird\\) does not trust server leaves it issued"
file_has "(the email one)" "$W/out" "^email distrust after: 2031-01-01"
run 0 "list of the published store (keep)" "$TB" -c "$W/k.conf" list
file_has "(the note)" "$W/out" "does not trust email leaves it issued"

# probe: a leaf issued before the date (the store keeps its root) and one
# issued after it (a root dated 2020, kept by keep)
cat "$FIX/leaf.pem" "$FIX/int-a2.pem" "$FIX/int-a.pem" >"$W/chain.pem"
run 0 "probe a chain to root A (issued before its date)" "$TB" \
    -c "$W/k.conf" probe --chain "$W/chain.pem"
file_has "(verify=OK)" "$W/out" "verify=OK"
file_has "(NSS accepts it too, said)" "$W/out" \
    "^distrust: NSS trusts no certificate of the root .*Test Root A"
file_has "(with the date)" "$W/out" "issued after 2030-01-01 00:00:00 UTC"
mk "$FIX/root-a.pem:distrust-after" >"$W/cd2020.txt"
{ conf_output "$W/o" "distrust-after = keep"
    printf '[source m]\nurl = %s\n' "$W/cd2020.txt"; } >"$W/o.conf"
"$TB" -q -c "$W/o.conf" update >/dev/null 2>&1
run 0 "probe a leaf issued after its root's date (kept by keep)" "$TB" \
    -c "$W/o.conf" probe --chain "$W/chain.pem"
file_has "(NSS and Firefox would fail, said)" "$W/out" \
    "this chain would fail in NSS and Firefox"

# the real certdata 2.86 at the real now: each root with a date, printed
if have_corpus "certdata 2.86"; then
	cd86=$(ls "$CORPUS"/certdata/*builtins2.86.txt)
	run 0 "2.86: list" "$TB" list --json "$cd86"
	python3 -c '
import json, sys
for c in json.load(open(sys.argv[1])):
    if c.get("server_distrust_after"):
        print("#   %s: server distrust after %s, server-auth %s" % (
            c.get("label"), c["server_distrust_after"],
            c["trust"]["server-auth"]))' "$W/out"
	for m in keep drop drop-when-safe; do
		run 0 "2.86, $m: published" "$TB" build --distrust-after "$m" \
		    --bundle "$W/86-$m.pem" "$cd86"
		grep 'left out root' "$W/err" | sed 's/^/#   /'
		cp "$W/err" "$W/86-$m.err"
	done
	now=$(date -u +%s)
	# from the dates: ePKI 2025-04-15, Izenpe 2026-04-15 (server), each
	# left out by drop from its date, by drop-when-safe 398 days later
	for r in "ePKI Root Certification Authority:1744761599" \
	    "Izenpe.com:1776297599"; do
		name=${r%:*}
		da=${r##*:}
		for m in drop drop-when-safe; do
			lim=$da
			[ $m = drop-when-safe ] && lim=$((da + 398 * 86400))
			if [ "$now" -gt "$lim" ]; then
				check "2.86, $m: \"$name\" left out, said" grep -q \
				    "left out root \"$name\"" "$W/86-$m.err"
			else
				check "2.86, $m: \"$name\" kept" sh -c \
				    '! grep -q "left out root \"$1\"" "$2"' sh \
				    "$name" "$W/86-$m.err"
			fi
		done
	done
	check "2.86, keep: nothing left out" sh -c \
	    '! grep -q "left out root" "$1"' sh "$W/86-keep.err"
	check "2.86, keep: the bundle has what drop leaves out, and more" \
	    [ "$(grep -c BEGIN "$W/86-keep.pem")" -ge \
	    "$(grep -c BEGIN "$W/86-drop-when-safe.pem")" ]
fi

done_testing
