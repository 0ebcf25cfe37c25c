#!/bin/sh
# The trust boundary of update's sources (issue 12, points 5-7), against a
# real nginx on 127.0.0.1:
#  5. a cached download is checked against its pin or checksum file each
#     time it is used (after a 304, with --offline, as the fallback); a
#     changed pin drops it; a tampered cache is one error, nothing
#     published;
#  6. a source that goes back to an older set (a root it dropped, a
#     certificate it distrusted, an older CVS_ID) is refused unless
#     --force, naming what came back; the six corpus certdata.txt in order
#     are not; a plain http source left unchecked is warned about once;
#  7. a directory source is fingerprinted by the content it loads,
#     symbolic links by their targets'; --force skips the shortcut.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"

mk() { sh "$HARNESS/mkcertdata.sh" "$@"; }
sha() { sha256sum "$1" | cut -c1-64; }

DOC=$W/doc
httpd_serve "$DOC" "$FIX/roots.pem"
U=$BASE

# conf NAME URL [more "key = value" lines of the source...]: $W/NAME.conf
# publishing to $W/NAME/pub/, state in $W/NAME/state
conf() {
	mkdir -p "$W/$1/pub"
	printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n' \
	    "$W/$1/pub/bundle.crt" "$W/$1/pub/certs" "$W/$1/state" >"$W/$1.conf"
	printf 'shrink-limit = 100%%\n[fetch]\ntimeout = 10\nconnect-timeout = 5\n' \
	    >>"$W/$1.conf"
	printf '[source up]\nurl = %s\n' "$2" >>"$W/$1.conf"
	_f=$W/$1.conf
	shift 2
	[ $# = 0 ] || printf '%s\n' "$@" >>"$_f"
}

# has_cert FILE PEM: the bundle FILE holds the certificate of PEM
has_cert() {
	_want=$(pem_sha256s "$2")
	pem_sha256s "$1" >"$W/has"
	grep -qx "$_want" "$W/has"
}


# tampered NAME RUN_DESC ERR_DESC ERE: NAME's cache tampered with, an
# update is refused (exit 1) with one error line, matching ERE; before is
# the snapshot of NAME's store from before
tampered() {
	tamper "$1"
	before=$(snapshot "$W/$1/pub")
	run 1 "$2" "$TB" -q -c "$W/$1.conf" update
	err_has "$3" "$4"
	one_error "$3"
}

# a root nobody should trust, for the tampered caches
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/evil.key" -subj "/O=trustbuild test/CN=Evil Root" \
    -days 3650 -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$W/evil.pem" 2>/dev/null

# tamper NAME: replace the cached copy of [source up] by the evil root and
# make its .meta agree (the sha256 line; with "all" the vouched line too)
tamper() {
	c=$W/$1/state/cache/up
	cp "$W/evil.pem" "$c"
	e=$(sha "$c")
	sed -i "s/^sha256 .*/sha256 $e/" "$c.meta"
	[ "${2:-}" = all ] && sed -i "s/^vouched .*/vouched $e/" "$c.meta"
	return 0
}

# === 5. the cache is verified every time it is used ===
pin=$(sha "$DOC/roots.pem")
conf pin "$U/roots.pem" "sha256 = $pin"
run 0 "5: a pinned download is published" "$TB" -q -c "$W/pin.conf" update
check "5: its .meta records the pin it was checked against" \
    grep -qx "pin $pin" "$W/pin/state/cache/up.meta"
tampered pin "5: a tampered cache after a 304 is refused (exit 1)" \
    "5: one error naming the cache file and the pin" \
    "^trustbuild: '$W/pin/state/cache/up': SHA-256 $(sha "$W/evil.pem") is not the pinned $pin of \\[source up\\]; the cached copy was altered: remove it and its .meta to download anew$"
check "5: the published store is byte-identical" \
    [ "$(snapshot "$W/pin/pub")" = "$before" ]
run 1 "5: the tampered cache with --offline: exit 1" \
    "$TB" -q -c "$W/pin.conf" update --offline
err_has "5: --offline: the same error" "cache/up': SHA-256 .* is not the pinned $pin"
one_error "5: --offline"
mv "$DOC/roots.pem" "$DOC/roots.pem.away"
run 1 "5: the tampered cache as the fallback of a 404: exit 1" \
    "$TB" -q -c "$W/pin.conf" update
err_has "5: fallback: the same error" "cache/up': SHA-256 .* is not the pinned $pin"
mv "$DOC/roots.pem.away" "$DOC/roots.pem"
check "5: after all three the store is byte-identical" \
    [ "$(snapshot "$W/pin/pub")" = "$before" ]
check "5: and holds no evil root" sh -c '! grep -q "Evil Root" "$1"' sh \
    "$W/pin/pub/bundle.crt"

# a changed pin drops the cache: the upstream still has the old file (a
# conditional GET would get a 304), the configuration pins another
conf pin2 "$U/roots.pem" "sha256 = $pin"
"$TB" -q -c "$W/pin2.conf" update >/dev/null 2>&1
conf pin2 "$U/roots.pem" "sha256 = $(sha "$FIX/root-b.pem")"
before=$(snapshot "$W/pin2/pub")
n304=$(grep -c "^304 GET /roots.pem " "$LOG")
run 1 "5: a changed pin: the cache is not used --offline (exit 1)" \
    "$TB" -q -c "$W/pin2.conf" update --offline
err_has "5: nothing usable is cached" "nothing is cached"
n200=$(grep -c "^200 GET /roots.pem " "$LOG")
run 1 "5: a changed pin: online, the old file is refused (exit 1)" \
    "$TB" -q -c "$W/pin2.conf" update
err_has "5: by the new pin" "is not the pinned $(sha "$FIX/root-b.pem")"
check "5: it was fetched whole, not conditionally" \
    httpd_log_wait "^200 GET /roots.pem " $((n200 + 1))
check "5: (no 304 for it)" [ "$(grep -c "^304 GET /roots.pem " "$LOG")" = "$n304" ]
check "5: the store is byte-identical" [ "$(snapshot "$W/pin2/pub")" = "$before" ]
cp "$FIX/root-b.pem" "$DOC/rootb.pem"
conf pin2 "$U/rootb.pem" "sha256 = $(sha "$FIX/root-b.pem")"
run 0 "5: the new pin with the file it pins is published" \
    "$TB" -q -c "$W/pin2.conf" update

# a checksum file: recorded in the .meta, fetched again on every 304
sha256sum "$DOC/roots.pem" | sed 's/ .*/  roots.pem/' >"$DOC/roots.pem.sha256"
conf sum "$U/roots.pem" "sha256-url = $U/roots.pem.sha256"
run 0 "5: a download checked by its checksum file is published" \
    "$TB" -q -c "$W/sum.conf" update
check "5: its .meta records the checksum file and what it vouched for" \
    grep -qx "vouched $pin" "$W/sum/state/cache/up.meta"
nsum=$(grep -c "^200 GET /roots.pem.sha256 " "$LOG")
run 2 "5: a 304 with a checksum file: unchanged (exit 2)" \
    "$TB" -q -c "$W/sum.conf" update
check "5: the checksum file was fetched again" \
    httpd_log_wait "^200 GET /roots.pem.sha256 " $((nsum + 1))
tampered sum "5: a tampered cache checked by a checksum file: exit 1" \
    "5: one error naming the cache file and the checksum file" \
    "^trustbuild: '$W/sum/state/cache/up': SHA-256 $(sha "$W/evil.pem") is not the $pin that '$U/roots.pem.sha256' gave for it; the cached copy was altered"
run 1 "5: the same --offline: exit 1" "$TB" -q -c "$W/sum.conf" update --offline
check "5: the store is byte-identical" [ "$(snapshot "$W/sum/pub")" = "$before" ]
# who can edit every line of the .meta: online the checksum file is
# asked again, disagrees, and the file is fetched anew (offline only the
# .meta is there to ask: a pin is what protects an offline cache)
tamper sum all
run 2 "5: a cache and .meta both altered: online, fetched anew (exit 2)" \
    "$TB" -q -c "$W/sum.conf" update
check "5: the cache is the upstream's file again" \
    cmp "$W/sum/state/cache/up" "$DOC/roots.pem"
check "5: no evil root was published" \
    sh -c '! grep -q "Evil Root" "$1"' sh "$W/sum/pub/bundle.crt"

# === 6. rollback is visible ===
# the six corpus certdata.txt in their order are forward updates
if have_corpus "6: corpus forward updates"; then
	conf moz "$U/certdata.txt" "sha256-url = $U/certdata.txt.sha256"
	i=0
	fwd=ok
	for v in 2.34 2.60 2.64 2.68 2.74 2.86; do
		i=$((i + 1))
		cp "$CORPUS"/certdata/certdata-*-builtins$v.txt "$DOC/certdata.txt"
		touch -d "+$i minutes" "$DOC/certdata.txt"
		sha256sum "$DOC/certdata.txt" |
		    sed 's/ .*/  certdata.txt/' >"$DOC/certdata.txt.sha256"
		"$TB" -q -c "$W/moz.conf" update >"$W/out" 2>"$W/err"
		rc=$?
		if [ $rc != 0 ] || grep -q "went back" "$W/err"; then
			fwd="builtins $v: exit $rc: $(head -3 "$W/err")"
			break
		fi
	done
	[ "$fwd" = ok ] && ok "6: 2.34 to 2.86 in order: each published" ||
	    nok "6: forward updates: $fwd"
	check "6: the source's record keeps what it dropped" \
	    grep -q "^dropped " "$W/moz/state/sources/up"
	check "6: and what it distrusted (2.34 has 27 such)" \
	    grep -q "^distrusted " "$W/moz/state/sources/up"
	# serve 2.60 again: the roots 2.64..2.86 dropped come back
	"$TB" -q build --bundle "$W/b260.pem" \
	    "$CORPUS"/certdata/certdata-*-builtins2.60.txt
	"$TB" -q build --bundle "$W/b286.pem" \
	    "$CORPUS"/certdata/certdata-*-builtins2.86.txt
	pem_sha256s "$W/b260.pem" >"$W/s260"
	pem_sha256s "$W/b286.pem" >"$W/s286"
	LC_ALL=C comm -23 "$W/s260" "$W/s286" >"$W/back"
	cp "$CORPUS"/certdata/certdata-*-builtins2.60.txt "$DOC/certdata.txt"
	touch -d "+10 minutes" "$DOC/certdata.txt"
	sha256sum "$DOC/certdata.txt" |
	    sed 's/ .*/  certdata.txt/' >"$DOC/certdata.txt.sha256"
	before=$(snapshot "$W/moz/pub")
	rec=$(sha "$W/moz/state/sources/up")
	run 1 "6: 2.60 served after 2.86 is refused (exit 1)" \
	    "$TB" -q -c "$W/moz.conf" update
	err_has "6: naming the source, the URL and the fix" \
	    "^trustbuild: \\[source up\\]: '$U/certdata.txt' went back to an older set; refusing to publish: check the source, or run 'trustbuild update --force' if this is intended:$"
	err_has "6: and each root that came back, by SHA-256 and subject" \
	    "^trustbuild:   ebd41040e4bb3ec742c9e381d31ef2a41a48b6685c96e7cef3c1df6cd4331c99 \"CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE\": dropped by this source earlier, back$"
	missing=""
	for h in $(cat "$W/back"); do
		grep -q "^trustbuild:   $h \"" "$W/err" || missing="$missing $h"
	done
	check "6: every root of 2.60 that 2.86 lacks is named ($(wc -l \
	    <"$W/back"))" [ -s "$W/back" ] && [ -z "$missing" ]
	check "6: the store is byte-identical" \
	    [ "$(snapshot "$W/moz/pub")" = "$before" ]
	check "6: the record is unchanged" \
	    [ "$(sha "$W/moz/state/sources/up")" = "$rec" ]
	run 0 "6: --diff shows the rollback without failing (exit 0)" \
	    "$TB" -c "$W/moz.conf" update --diff
	err_has "6: --diff: as a warning" \
	    "went back to an older set; update refuses it without --force"
	check "6: --diff: the change is listed" grep -q "would publish" "$W/out"
	check "6: --diff: the record is unchanged" \
	    [ "$(sha "$W/moz/state/sources/up")" = "$rec" ]
	run 0 "6: --force publishes the rollback" \
	    "$TB" -q -c "$W/moz.conf" update --force
	err_has "6: --force: said even with -q" "went back to an older set; published as --force says"
	check "6: --force: GlobalSign Root CA is published again" \
	    grep -q "GlobalSign Root CA" "$W/moz/pub/bundle.crt"
	cp "$CORPUS"/certdata/certdata-*-builtins2.86.txt "$DOC/certdata.txt"
	touch -d "+11 minutes" "$DOC/certdata.txt"
	sha256sum "$DOC/certdata.txt" |
	    sed 's/ .*/  certdata.txt/' >"$DOC/certdata.txt.sha256"
	run 0 "6: forward to 2.86 again after a forced rollback is published" \
	    "$TB" -q -c "$W/moz.conf" update
fi

# a certificate the source distrusted, trusted again
mk "$FIX/root-a.pem:anchor" "$FIX/root-b.pem:distrust" >"$DOC/cd.txt"
conf dis "$U/cd.txt"
run 0 "6: a certdata.txt distrusting root B is published" \
    "$TB" -q -c "$W/dis.conf" update
mk "$FIX/root-a.pem:anchor" "$FIX/root-b.pem:anchor" >"$DOC/cd.txt"
touch -d "+1 minute" "$DOC/cd.txt"
before=$(snapshot "$W/dis/pub")
run 1 "6: the same source trusting root B again is refused" \
    "$TB" -q -c "$W/dis.conf" update
err_has "6: naming root B and why" \
    "^trustbuild:   $(pem_sha256s "$FIX/root-b.pem") \"CN=Test Root B,O=trustbuild test\": distrusted by this source earlier, trusted again$"
check "6: the store is byte-identical" [ "$(snapshot "$W/dis/pub")" = "$before" ]
# a root dropped, then back (a PEM source: no distrust, no version)
cp "$FIX/roots.pem" "$DOC/pem.pem"
conf drop "$U/pem.pem"
"$TB" -q -c "$W/drop.conf" update >/dev/null 2>&1
cp "$FIX/root-a.pem" "$DOC/pem.pem"
touch -d "+1 minute" "$DOC/pem.pem"
run 0 "6: a PEM source dropping root B is published" \
    "$TB" -q -c "$W/drop.conf" update
cp "$FIX/roots.pem" "$DOC/pem.pem"
touch -d "+2 minutes" "$DOC/pem.pem"
run 1 "6: root B back in it is refused" "$TB" -q -c "$W/drop.conf" update
err_has "6: naming root B" "Test Root B,O=trustbuild test\": dropped by this source earlier, back$"

# an older CVS_ID revision (the certdata.txt of the CVS era)
cvs() {	# REVISION: a certdata.txt with that CVS_ID
	mk "$FIX/root-a.pem:anchor" | sed "1a\\
CVS_ID \"@(#) \$RCSfile: certdata.txt,v \$ \$Revision: $1 \$ \$Date: 2012/12/29 16:32:45 \$\""
}
cvs 1.86 >"$DOC/cvs.txt"
conf cvs "$U/cvs.txt"
run 0 "6: a certdata.txt with a CVS_ID line is read" \
    "$TB" -q -c "$W/cvs.conf" update
check "6: its revision is recorded" grep -qx "version 1.86" \
    "$W/cvs/state/sources/up"
cvs 1.87 >"$DOC/cvs.txt"
touch -d "+1 minute" "$DOC/cvs.txt"
run 2 "6: revision 1.87 after 1.86 is taken (the same roots: exit 2)" \
    "$TB" -q -c "$W/cvs.conf" update
check "6: its revision is recorded" grep -qx "version 1.87" \
    "$W/cvs/state/sources/up"
cvs 1.9 >"$DOC/cvs.txt"
touch -d "+2 minutes" "$DOC/cvs.txt"
run 1 "6: revision 1.9 after 1.87 is refused" "$TB" -q -c "$W/cvs.conf" update
err_has "6: naming both revisions" \
    "^trustbuild:   CVS_ID revision 1.9, older than the 1.87 seen before$"

# plain http without a pin or checksum file: one warning per run
conf plain "$U/roots.pem"
run 0 "6: a plain http source is published" "$TB" -c "$W/plain.conf" update
err_has "6: with a warning naming the source and the fix" \
    "^trustbuild: warning: \\[source up\\]: '$U/roots.pem' is plain http, checked by neither 'sha256 =' nor 'sha256-url ='; anyone on the way can change it: use https, or pin it$"
check "6: once" [ "$(grep -c "is plain http" "$W/err")" = 1 ]
run 2 "6: again, unchanged" "$TB" -c "$W/plain.conf" update
check "6: still once in that run" [ "$(grep -c "is plain http" "$W/err")" = 1 ]
run 2 "6: with -q: no warning" "$TB" -q -c "$W/plain.conf" update
check "6: (nothing on stderr)" [ ! -s "$W/err" ]
run 2 "6: a pinned http source: no warning" "$TB" -c "$W/pin2.conf" update \
    --offline
check "6: (no such line)" sh -c '! grep -q "plain http" "$1"' sh "$W/err"

# === 7. directory sources are fingerprinted by what is loaded ===
# pemfile OUT CERT: CERT padded with a comment to 2000 bytes
pemfile() {
	cp "$2" "$1"
	n=$((2000 - $(wc -c <"$2") - 1))
	printf '%*s\n' "$n" "" | tr ' ' '#' >>"$1"
}
mkdir -p "$W/dir/src" "$W/dir/other"
pemfile "$W/dir/src/a.pem" "$FIX/root-a.pem"
touch -d "2020-01-01 00:00" "$W/dir/src/a.pem"
cat >"$W/dirc.conf" <<EOF
[output]
bundle = $W/dir/pub/bundle.crt
capath = $W/dir/pub/certs
state = $W/dir/state
shrink-limit = 100%
[source d]
url = $W/dir/src
EOF
run 0 "7: a directory source is published" "$TB" -q -c "$W/dirc.conf" update
pemfile "$W/dir/src/a.pem" "$FIX/root-b.pem"
touch -d "2020-01-01 00:00" "$W/dir/src/a.pem"
check "7: same size, same mtime, other content" \
    [ "$(stat -c '%s %Y' "$W/dir/src/a.pem")" = "2000 $(date -d '2020-01-01 00:00' +%s)" ]
run 0 "7: a file changed in content only is published (exit 0)" \
    "$TB" -q -c "$W/dirc.conf" update
check "7: the bundle holds the new content" \
    has_cert "$W/dir/pub/bundle.crt" "$FIX/root-b.pem"
# a symbolic link repointed to a file of the same size and mtime
pemfile "$W/dir/other/x.pem" "$FIX/root-a.pem"
pemfile "$W/dir/other/y.pem" "$FIX/int-a.pem"
touch -d "2020-01-01 00:00" "$W/dir/other/x.pem" "$W/dir/other/y.pem"
ln -s ../other/x.pem "$W/dir/src/link.pem"
run 0 "7: a symbolic link in it is loaded" "$TB" -q -c "$W/dirc.conf" update
ln -sfn ../other/y.pem "$W/dir/src/link.pem"
touch -h -d "2020-01-01 00:00" "$W/dir/src/link.pem"
run 0 "7: the link repointed is published (exit 0)" \
    "$TB" -q -c "$W/dirc.conf" update
check "7: the bundle holds the new target's certificate" \
    has_cert "$W/dir/pub/bundle.crt" "$FIX/int-a.pem"
# the target itself changed under the link
pemfile "$W/dir/other/y.pem" "$FIX/root-a.pem"
touch -d "2020-01-01 00:00" "$W/dir/other/y.pem"
run 0 "7: the link's target changed in content is published" \
    "$TB" -q -c "$W/dirc.conf" update
# --force: no shortcut
run 2 "7: unchanged: exit 2" "$TB" -v -c "$W/dirc.conf" update
err_has "7: through the shortcut" "nothing to parse"
run 2 "7: unchanged with --force: a full run, still exit 2" \
    "$TB" -v -c "$W/dirc.conf" update --force
err_has "7: --force says it skips the shortcut" \
    "as when the store was last published; --force: a full run all the same"
err_has "7: and parses the source" "\\[source d\\]: [0-9]+ certificates \\(local directory\\)"
check "7: (no 'nothing to parse')" sh -c '! grep -q "nothing to parse" "$1"' \
    sh "$W/err"

done_testing
