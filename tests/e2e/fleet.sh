#!/bin/sh
# A fleet: a central host's update exports its published store, signed
# ([export], 'trustbuild export'), nginx serves it, and hosts update from it
# ([source NAME] with signer =): the format checked by the openssl CLI;
# the key's mode; roles kept and the host's own gate applied; a 304 that
# writes nothing; each hostile mirror refused with one error and the store
# untouched (tampered object and manifest, unpinned key, replay, stale,
# missing object, object past max-size); kill -9 of the exporter at random
# instants; 50 hosts at once.
. "$(dirname "$0")/../harness/lib.sh"
. "$HARNESS/httpd.sh"
trap 'exit 1' HUP INT PIPE TERM

K=$W/keys
mkdir -p "$K"
# newkey NAME: an EC key and a self-signed certificate in $K
newkey() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$K/$1.key" -out "$K/$1.crt" -subj "/CN=trustbuild $1" \
	    -days 18250 2>/dev/null && chmod 600 "$K/$1.key"
}
newkey export || bail "openssl makes the export key"
newkey other

SRV=$W/srv
cp "$FIX/root-a.pem" "$W/roots.pem"
cp "$FIX/int-a.pem" "$W/ints.pem"
{
	conf_output "$W/c"
	printf '[source roots]\nurl = %s\n' "$W/roots.pem"
	printf '[source ints]\nurl = %s\nrole = intermediates\n' "$W/ints.pem"
	printf '[export]\ndir = %s\nkey = %s\ncert = %s\nvalid-for = 7d\n' \
	    "$SRV" "$K/export.key" "$K/export.crt"
} >"$W/central.conf"

# quiet DIR...: each file under the DIRs but STATE/lock (whose pid every
# run records) with its type, link, mode, mtime, inode and size: equal
# before and after = a run wrote nothing (a write sets the mtime, a rename
# brings another inode)
quiet() {
	find "$@" ! -name lock -printf '%p %y %l %m %T@ %i %s\n' |
	    LC_ALL=C sort | sha256sum
}

# cms_ok: the signature in $SRV checks with the openssl CLI alone
cms_ok() {
	(cd "$SRV" && openssl cms -verify -binary -content manifest \
	    -inform DER -in manifest.p7s -CAfile "$K/export.crt" \
	    -purpose any >/dev/null 2>&1)
}
# objects_ok: every object the manifest names is there, its size and hash
objects_ok() {
	tail -n +5 "$SRV/manifest" | while read -r h s n; do
		[ -f "$SRV/objects/$h" ] || { echo "missing $h ($n)"; exit 1; }
		[ "$(wc -c <"$SRV/objects/$h")" = "$s" ] || exit 1
		[ "$(sha256sum <"$SRV/objects/$h" | cut -c1-64)" = "$h" ] ||
		    exit 1
	done
}

# --- export ---
run 0 "update publishes and exports" "$TB" -q -c "$W/central.conf" update
check "the export has a manifest and its signature" \
    [ -f "$SRV/manifest" -a -f "$SRV/manifest.p7s" ]
check "openssl cms -verify checks the signature" cms_ok
check "every object the manifest names is there" objects_ok
file_has "the manifest says its format, serial and validity" "$SRV/manifest" \
    '^valid-until 20[0-9-]+T[0-9:]+Z$'
check "an anchor, an intermediate and the set object" \
    [ "$(tail -n +5 "$SRV/manifest" | awk '{print $3}' | sort | tr '\n' ' ')" \
    = "anchor intermediate set " ]
s0=$(snapshot "$SRV")
run 2 "export again: current, nothing written" "$TB" -c "$W/central.conf" export
check "the export directory is untouched" [ "$(snapshot "$SRV")" = "$s0" ]
chmod 640 "$K/export.key"
run 1 "a signing key others can read is refused" "$TB" -c "$W/central.conf" \
    export
one_error "the key's mode"
err_has "saying how to fix it" "readable by no one else.*chmod 600"
chmod 600 "$K/export.key"
cp "$SRV/manifest" "$W/manifest.1"
cp "$SRV/manifest.p7s" "$W/manifest.p7s.1"

# --- a host ---
httpd_serve "$SRV"
# host NAME [LINE...]: $W/NAME.conf, a host of the signed store; the
# LINEs go into its [source central]
host() {
	n=$1
	shift
	{
		conf_output "$W/$n"
		printf '[source central]\nurl = %s/manifest\nsigner = %s\n' \
		    "$BASE" "$K/export.crt"
		[ $# = 0 ] || printf '%s\n' "$@"
	} >"$W/$n.conf"
}
host h1
run 0 "a host publishes the signed store" "$TB" -q -c "$W/h1.conf" update
check "the same bundle as the central host" cmp -s "$W/c/bundle.crt" \
    "$W/h1/bundle.crt"
check "with the intermediate, admitted by the host's own gate" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/h1/bundle.crt")" = 2 ]
h0=$(quiet "$W/h1")
: >"$LOG"
run 2 "the next run: unchanged" "$TB" -q -c "$W/h1.conf" update
httpd_log_wait '^304 GET /manifest '
check "one request, answered 304" [ "$(cat "$LOG")" = "304 GET /manifest HTTP/1.1" ]
check "a 304 run writes nothing on the host" [ "$(quiet "$W/h1")" = "$h0" ]

# key rotation: two pinned signers (the one in use given first)
host h4 "signer = $K/other.crt"
run 0 "a host pinning two signers takes the store of either" "$TB" -q -c \
    "$W/h4.conf" update

# the host's exclude applies to what central sends
ia=$(openssl x509 -in "$FIX/int-a.pem" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g')
host h2
sed "s/^\\[output\\]\$/[output]\\nexclude = $ia/" "$W/h2.conf" >"$W/h2.conf.x"
mv "$W/h2.conf.x" "$W/h2.conf"
run 0 "a host that excludes the intermediate" "$TB" -q -c "$W/h2.conf" update
check "publishes the anchor only" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/h2/bundle.crt")" = 1 ]

# --- a change reaches the host ---
cat "$FIX/root-a.pem" "$FIX/root-b.pem" >"$W/roots.pem"
cat "$FIX/int-a.pem" "$FIX/int-b.pem" >"$W/ints.pem"
run 0 "central publishes a change" "$TB" -q -c "$W/central.conf" update
check "openssl cms -verify checks the new signature" cms_ok
run 0 "the host takes it" "$TB" -q -c "$W/h1.conf" update
check "the same bundle as the central host again" cmp -s "$W/c/bundle.crt" \
    "$W/h1/bundle.crt"
cp "$SRV/manifest" "$W/manifest.2"
cp "$SRV/manifest.p7s" "$W/manifest.p7s.2"

# refused NAME: the host's run fails with one error, its store untouched
refused() {
	b=$(quiet "$W/h1")
	bounded "$TB" -q -c "$W/h1.conf" update
	one_error "$1"
	check "$1: the store is untouched" [ "$(quiet "$W/h1")" = "$b" ]
}
# sign FILE [KEY]: FILE as $SRV/manifest with its signature by KEY
# (export), and an mtime of its own: nginx's ETag is the mtime's second
# and the size
T=0
sign() {
	cp "$1" "$SRV/manifest"
	openssl cms -sign -binary -outform DER -in "$SRV/manifest" \
	    -signer "$K/${2:-export}.crt" -inkey "$K/${2:-export}.key" \
	    -out "$SRV/manifest.p7s"
	T=$((T + 10))
	touch -d "@$(($(date +%s) + T))" "$SRV/manifest"
}
# put N: the export's manifest.N and its signature back in $SRV
put() {
	cp "$W/manifest.p7s.$1" "$SRV/manifest.p7s"
	cp "$W/manifest.$1" "$SRV/manifest"
	T=$((T + 10))
	touch -d "@$(($(date +%s) + T))" "$SRV/manifest"
}
# newer: manifest.2 as the next serial, into $W/next
newer() {
	awk -v s="$(($(sed -n 2p "$W/manifest.2" | cut -d' ' -f2) + $1))" \
	    'NR == 2 { $0 = "serial " s } { print }' "$W/manifest.2" >"$W/next"
}

newer 1
sign "$W/next" other
refused "a manifest signed by a key that is not pinned"
err_has "saying so" "not pinned"

newer 2
sign "$W/next"
sed 's/^valid-until 20/valid-until 21/' "$W/next" >"$SRV/manifest"
T=$((T + 10))	# an ETag of its own, as sign() gives
touch -d "@$(($(date +%s) + T))" "$SRV/manifest"
refused "a tampered manifest"
err_has "saying the signature does not verify" "signature .* does not verify"

put 1
refused "a replayed older manifest"
err_has "saying it is a rollback" "serial [0-9]+ is lower than the last accepted [0-9]+.*rollback"

newer 3
awk 'NR == 3 { $0 = "created 2020-01-01T00:00:00Z" }
    NR == 4 { $0 = "valid-until 2020-01-08T00:00:00Z" } { print }' \
    "$W/next" >"$W/stale"
sign "$W/stale"
refused "a stale manifest"
err_has "saying it is stale" "stale: serial [0-9]+ was valid until 2020-01-08"

# an object of ours, new to the host: a set object that names one more
# certificate, but root-b's object is altered (or missing, or too big)
rb=$(openssl x509 -in "$FIX/root-b.pem" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
cp "$SRV/objects/$rb" "$W/rb.der"
# tampered: root-b's bytes changed under its name, the host not having it
host h3
rm -rf "$W/h3"
printf 'x' >>"$SRV/objects/$rb"
sign "$W/manifest.2"
b3() { run 1 "$1" "$TB" -q -c "$W/h3.conf" update; one_error "$1"
	check "$1: nothing published" [ ! -e "$W/h3/bundle.crt" ]; }
b3 "a tampered object"
err_has "saying the mirror altered it" "object $rb is not what the manifest names.*altered"
rm "$SRV/objects/$rb"
b3 "a manifest naming a missing object"
err_has "naming the object" "object $rb: .*404"
cp "$W/rb.der" "$SRV/objects/$rb"
max=$(($(wc -c <"$SRV/manifest") + 1))
host h3 "max-size = $max"
b3 "an object larger than max-size"
err_has "saying so" "is [0-9]+ bytes, more than max-size $max"
put 2
run 2 "the mirror mended: the host is current" "$TB" -q -c "$W/h1.conf" update
: >"$LOG"
run 2 "--force on a 304: the kept objects are parsed" "$TB" -q -c \
    "$W/h1.conf" update --force
httpd_log_wait '^304 GET /manifest '
check "and nothing else is fetched" [ "$(grep -c '' "$LOG")" = 1 ]
# the clock past valid-until while the mirror answers 304 for ever
FT=faketime
case $TB in *asan*)
	FT="env ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 faketime" ;;
esac
if command -v faketime >/dev/null; then
	b=$(quiet "$W/h1")
	bounded $FT '+8 days' "$TB" -q -c "$W/h1.conf" update
	one_error "a manifest gone stale behind 304s"
	err_has "saying it is stale" "stale: serial [0-9]+ was valid until"
	check "the store stays" [ "$(quiet "$W/h1")" = "$b" ]
else
	skipped "a manifest gone stale behind 304s: faketime absent"
fi

# --- kill -9 of the exporter at random instants ---
# The central set alternates (one intermediate more or less), so that each
# run exports; after each kill, the manifest in $SRV names only objects
# that are there, whole.
i=0
bad=0
while [ $i -lt 20 ]; do
	if [ $((i % 2)) = 0 ]; then cp "$FIX/int-a.pem" "$W/ints.pem"
	else cat "$FIX/int-a.pem" "$FIX/int-b.pem" >"$W/ints.pem"; fi
	"$TB" -q -c "$W/central.conf" update >/dev/null 2>&1 &
	pid=$!
	# 0 to 255 ms: a whole run takes some 150 ms, exporting last
	sleep "0.$(printf '%03d' "$(od -An -N1 -tu1 /dev/urandom)")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	objects_ok >"$W/objects.log" 2>&1 || bad=$((bad + 1))
	i=$((i + 1))
done
check "20 kills at random instants: never a manifest naming a missing object" \
    [ "$bad" = 0 ]
bounded "$TB" -q -c "$W/central.conf" update
check "the next run after them exports" [ "$rc" = 0 -o "$rc" = 2 ]
check "and its signature checks" cms_ok

# --- old objects: kept one valid-for after they leave the manifest ---
old=0000000000000000000000000000000000000000000000000000000000000000
printf 'x' >"$SRV/objects/$old"
touch -d '8 days ago' "$SRV/objects/$old"
cp "$FIX/int-a.pem" "$W/ints.pem"
bounded "$TB" -q -c "$W/central.conf" update
ib=$(openssl x509 -in "$FIX/int-b.pem" -outform DER | sha256sum | cut -c1-64)
check "an object that has just left the manifest is kept" \
    [ -f "$SRV/objects/$ib" ] && ! grep -q "^$ib " "$SRV/manifest"
check "one that left it more than valid-for ago is removed" \
    [ ! -e "$SRV/objects/$old" ]

# --- the exporter as root in a directory others write ---
mkdir -p "$W/elsewhere"
rm -f "$SRV/manifest.p7s"
ln -s "$W/elsewhere/planted" "$SRV/manifest.p7s"
cat "$FIX/int-a.pem" "$FIX/int-b.pem" >"$W/ints.pem"
run 0 "a symbolic link planted as manifest.p7s" "$TB" -q -c \
    "$W/central.conf" update
check "is replaced, not followed" [ ! -e "$W/elsewhere/planted" -a \
    ! -L "$SRV/manifest.p7s" ]
check "and the signature checks" cms_ok
mv "$SRV/objects" "$W/objects.real"
ln -s "$W/elsewhere" "$SRV/objects"
cp "$FIX/int-a.pem" "$W/ints.pem"
run 1 "objects/ as a symbolic link" "$TB" -q -c "$W/central.conf" update
err_has "is refused" "objects': not a directory \(a symbolic link is not followed\)"
check "nothing is written through it" [ -z "$(ls "$W/elsewhere")" ]
rm "$SRV/objects"
mv "$W/objects.real" "$SRV/objects"
ln -s "$K/export.key" "$W/key.link"
sed "s|^key = .*|key = $W/key.link|" "$W/central.conf" >"$W/link.conf"
run 1 "a signing key behind a symbolic link" "$TB" -c "$W/link.conf" export
one_error "refused"
run 2 "the export mended (the store was published before)" "$TB" -q -c "$W/central.conf" update
check "its signature checks" cms_ok

# --- a mirror that sends a huge signature ---
head -c 300000 /dev/zero >"$W/big.p7s"
mv "$SRV/manifest.p7s" "$W/good.p7s"
cp "$W/big.p7s" "$SRV/manifest.p7s"
touch -d "@$(($(date +%s) + T + 20))" "$SRV/manifest"
T=$((T + 20))
refused "a signature past 256 KiB"
err_has "saying so" "signature .*larger than"
mv "$W/good.p7s" "$SRV/manifest.p7s"

# --- 50 hosts at once ---
# all NAME: every host f0..f49 at once; the number that exited 0 in ok0,
# 2 in ok2
all() {
	j=0
	pids=""
	while [ $j -lt 50 ]; do
		"$TB" -q -c "$W/f$j.conf" update >"$W/out$j" 2>&1 &
		pids="$pids $!"
		j=$((j + 1))
	done
	ok0=0
	ok2=0
	for p in $pids; do
		wait "$p"
		case $? in 0) ok0=$((ok0 + 1)) ;; 2) ok2=$((ok2 + 1)) ;; esac
	done
}
# same: how many hosts publish the central host's bundle
same() {
	j=0
	k=0
	while [ $j -lt 50 ]; do
		cmp -s "$W/c/bundle.crt" "$W/f$j/bundle.crt" && k=$((k + 1))
		j=$((j + 1))
	done
	echo "$k"
}
j=0
while [ $j -lt 50 ]; do host "f$j"; j=$((j + 1)); done
all
check "50 hosts at once: all publish" [ "$ok0" = 50 ]
check "all the central host's bundle" [ "$(same)" = 50 ]
cat "$FIX/int-a.pem" "$FIX/int-b.pem" "$FIX/int-a2.pem" >"$W/ints.pem"
run 0 "central publishes a change" "$TB" -q -c "$W/central.conf" update
all
check "the change reaches all 50 on their next run" \
    [ "$ok0" = 50 -a "$(same)" = 50 ]
quiet "$W"/f[0-9]* >"$W/before"
: >"$LOG"
all
check "a run without a change: all 50 unchanged" [ "$ok2" = 50 ]
httpd_log_wait '^304 ' 50
check "each one request, a 304" [ "$(grep -c '^304 GET /manifest ' "$LOG")" = 50 \
    -a "$(grep -c '' "$LOG")" = 50 ]
quiet "$W"/f[0-9]* >"$W/after"
check "and writes nothing on any host" cmp -s "$W/before" "$W/after"

done_testing
