#!/bin/sh
# The hostile-input battery of local entry points (tests/README lists it
# with the HTTP, server and AIA cases of update.sh and probe.sh): each
# input must give one clear error naming it and nothing else on stderr
# (one_error: exactly one line), the documented exit status, no crash, a
# published store byte-identical to before, within 60 s and 1 GiB of
# address space (not under AddressSanitizer, which reserves more).
. "$(dirname "$0")/../harness/lib.sh"

H=$W/in
S=$W/store
mkdir -p "$H" "$S"
"$TB" -q build --bundle "$S/bundle.crt" --capath "$S/certs" "$FIX/roots.pem" \
    >/dev/null 2>&1
printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n' "$S/bundle.crt" \
    "$S/certs" "$W/state" >"$W/head.conf"

# hostile NAME WANT_EXIT PATTERN COMMAND...
hostile() {
	name=$1
	wexit=$2
	pattern=$3
	shift 3
	before=$(snapshot "$S")
	bounded "$@"
	if [ "$rc" = "$wexit" ]; then ok "$name: exit $wexit"; else
		nok "$name: exit $rc, want $wexit"
		sed 's/^/#   /' "$W/err" | head -5
	fi
	err_has "$name: a clear error" "$pattern"
	one_error "$name"
	check "$name: the published store is byte-identical" \
	    [ "$(snapshot "$S")" = "$before" ]
	check "$name: in bounded time" [ "$secs" -lt 60 ]
}

build() {
	hostile "$1" 1 "$2" "$TB" build --bundle "$S/bundle.crt" --capath \
	    "$S/certs" "$H/$1"
}

# --- certificate files ---
: >"$H/empty"
build empty "'$H/empty'"
head -c 4096 /dev/urandom | tr '\055' x >"$H/random"
build random "'$H/random'"
head -c 4096 /dev/zero >"$H/zeros"
build zeros "'$H/zeros'"
head -n 5 "$FIX/root-a.pem" >"$H/pem-truncated"
build pem-truncated "pem-truncated': line 1: .*no END line; the file is truncated"
sed 's/END CERTIFICATE/END X509 CRL/' "$FIX/root-a.pem" >"$H/pem-mismatch"
build pem-mismatch "END does not match the BEGIN"
{ head -n 3 "$FIX/root-a.pem"; cat "$FIX/root-b.pem"; } >"$H/pem-spliced"
build pem-spliced "BEGIN inside the block"
printf -- '-----BEGIN CERTIFICATE-----\n@@@@ not base64 @@@@\n-----END CERTIFICATE-----\n' \
    >"$H/pem-badbase64"
build pem-badbase64 "pem-badbase64"
head -c 200 "$FIX/root-a.der" >"$H/der-truncated"
build der-truncated "der-truncated"
{ printf '\060\202\001\000'; head -c 256 /dev/urandom; } >"$H/der-garbage"
build der-garbage "der-garbage"
head -c 300 "$FIX/roots.p7b" >"$H/p7-truncated"
build p7-truncated "p7-truncated"
# --- certdata.txt ---
printf 'CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n' >"$H/certdata-nobegin"
build certdata-nobegin "before BEGINDATA|certdata-nobegin"
printf 'BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\\202\\1\n' \
    >"$H/certdata-badoctal"
build certdata-badoctal "bad octal escape|certdata-badoctal"
printf 'BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_BOGUS CK_BOGUS x\n' \
    >"$H/certdata-badattr"
build certdata-badattr "certdata-badattr"
if have_corpus "certdata truncated"; then
	# cut inside the DER of the 40th certificate (a cut between two
	# objects is a shorter file that nothing can tell apart: update's
	# shrink guard and pins are the defence there)
	cd40=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
	off=$(grep -b 'CKA_VALUE MULTILINE_OCTAL' "$cd40" | sed -n 40p |
	    cut -d: -f1)
	head -c $((off + 400)) "$cd40" >"$H/certdata-truncated"
	build certdata-truncated "certdata-truncated': line [0-9]+: (bad octal|.*without END)"
fi
# --- CCADB's CSV ---
printf '"Subject","SHA256","PEM"\n"CN=x","00","-----BEGIN CERTIFICATE-----\nMIIB\n' \
    >"$H/csv-unclosed"
hostile csv-unclosed 1 "csv-unclosed" "$TB" build --bundle "$S/bundle.crt" \
    --intermediates "$H/csv-unclosed" "$FIX/roots.pem"
printf '"Subject","SHA256","PEM"\n"CN=x","00"\n' >"$H/csv-fields"
hostile csv-fields 1 "csv-fields" "$TB" build --bundle "$S/bundle.crt" \
    --intermediates "$H/csv-fields" "$FIX/roots.pem"
# --- archives ---
mkdir -p "$W/t/sub"
cp "$FIX/root-a.pem" "$W/t/sub/a.pem"
(cd "$W/t/sub" && tar -cf "$H/tar-dotdot" --transform 's|^|../../|' a.pem)
build tar-dotdot "climbs out|\\.\\."
(cd "$W/t/sub" && tar -cPf "$H/tar-absolute" "$W/t/sub/a.pem")
build tar-absolute "absolute"
tar -C "$W/t" -czf "$W/ok.tgz" sub
head -c $(( $(wc -c <"$W/ok.tgz") / 2 )) "$W/ok.tgz" >"$H/tgz-truncated"
build tgz-truncated "tgz-truncated"
head -c 300000000 /dev/zero | gzip -1 >"$H/gzip-bomb"
build gzip-bomb "gzip-bomb"
cp "$W/ok.tgz" "$W/n0.tgz"
i=1
while [ $i -le 6 ]; do
	mkdir -p "$W/n$i"
	cp "$W/n$((i - 1)).tgz" "$W/n$i/"
	tar -C "$W/n$i" -czf "$W/n$i.tgz" "n$((i - 1)).tgz"
	i=$((i + 1))
done
cp "$W/n6.tgz" "$H/nested-deep"
build nested-deep "nested-deep"
(cd "$W/t/sub" && zip -q "$H/zip-corrupt" a.pem)
printf 'XXXXXXXXXXXXXXXX' | dd of="$H/zip-corrupt" bs=1 seek=40 conv=notrunc \
    2>/dev/null
build zip-corrupt "zip-corrupt"
truncate -s 129M "$H/huge"
build huge "larger than 128 MiB"
printf '!<arch>\ngarbage' >"$H/ar-garbage"
build ar-garbage "ar-garbage"
# --- member selectors and store names ---
hostile glob-nomatch 1 "matches no member|no member" "$TB" build --bundle \
    "$S/bundle.crt" "$W/ok.tgz#nothing/*.pem"
hostile store-traversal 1 "not a store name" "$TB" build --bundle \
    "$S/bundle.crt" --store ../../etc/passwd
# --- configuration files ---
conf() {
	cat "$W/head.conf" >"$H/$1.conf"
	printf '%b' "$2" >>"$H/$1.conf"
}
update() {
	hostile "$1" 1 "$2" "$TB" -c "$H/$1.conf" update
}
conf conf-nul '[source a]\nurl = /x\000y\n'
update conf-nul "a NUL byte"
conf conf-longline "[source a]\nurl = /$(head -c 5000 /dev/zero | tr '\0' a)\n"
update conf-longline "longer than 4095 bytes"
conf conf-section '[sauce a]\nurl = /x\n'
update conf-section "unknown section \\[sauce\\]"
conf conf-nourl '[source a]\nrole = anchors\n'
update conf-nourl "needs 'store = NAME' or 'url = URL'"
conf conf-scheme '[source a]\nurl = gopher://x/y\n'
update conf-scheme "must be https://"
head -c 2000 /dev/urandom >"$H/conf-binary.conf"
update conf-binary "conf-binary.conf': line"
conf conf-probe '[source a]\nurl = /x\n[probe p]\nurl = smtp://host/path\n'
update conf-probe "a probe URL has no path"
conf conf-fallback '[source a]\nurl = http://127.0.0.1:9/x\nfallback = /nonexistent\n'
hostile conf-fallback 1 "'/nonexistent'" "$TB" -c "$H/conf-fallback.conf" \
    update --offline
conf conf-empty-set "[source a]\nurl = $FIX/expired-root.pem\n"
update conf-empty-set "refusing to publish an empty set"
conf conf-blocklist-only "[source a]\nurl = $FIX/roots.pem\nrole = blocklist\n"
update conf-blocklist-only "no source has role anchors"
# --- sendmail files and probe chains ---
head -c 3000 /dev/urandom >"$H/mc-binary"
hostile mc-binary 3 "cannot read" "$TB" sendmail-check --mc /nonexistent \
    --cf /nonexistent --log "$H/mc-binary"
hostile chain-garbage 1 "random': no certificate" "$TB" probe --bundle "$FIX/roots.pem" \
    --chain "$H/random"
# a PKCS#7 bag whose certificate set is there but empty
printf '\060\045\006\011\052\206\110\206\367\015\001\007\002\240\030\060\026\002\001\001\061\000\060\013\006\011\052\206\110\206\367\015\001\007\001\240\000\061\000' \
    >"$H/p7-empty"
hostile chain-p7-empty 1 "p7-empty': a PKCS#7 structure without certificates" \
    "$TB" probe --bundle "$FIX/roots.pem" --chain "$H/p7-empty"
done_testing
