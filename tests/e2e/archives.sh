#!/bin/sh
# Archives as sources: Debian packages and source tarball, an RPM, zip,
# cpio, cabinet and every tar compression, nested, with member selectors;
# then hostile archives: each gives one clear error, exit 1, the store
# untouched, in bounded time.
. "$(dirname "$0")/../harness/lib.sh"

count() { grep -c 'BEGIN CERTIFICATE' "$1"; }
sha_of() { pem_sha256s "$@"; }
mkdir -p "$W/a" "$W/o"

# the forms, made here from the test roots
cp "$FIX/root-a.pem" "$FIX/root-b.pem" "$W/a/"
(cd "$W/a" && tar cf plain.tar root-a.pem root-b.pem &&
    tar czf gz.tar.gz root-a.pem root-b.pem &&
    tar cjf bz.tar.bz2 root-a.pem root-b.pem &&
    tar cJf xz.tar.xz root-a.pem root-b.pem &&
    tar --zstd -cf zst.tar.zst root-a.pem root-b.pem &&
    zip -q z.zip root-a.pem root-b.pem &&
    printf 'root-a.pem\nroot-b.pem\n' | cpio -o -H newc --quiet >c.cpio &&
    ar rc a.ar root-a.pem root-b.pem &&
    gcab -c c.cab root-a.pem root-b.pem &&
    tar cf nested.tar gz.tar.gz z.zip)
roots_sha=$(sha_of "$FIX/roots.pem")
for f in plain.tar gz.tar.gz bz.tar.bz2 xz.tar.xz zst.tar.zst z.zip c.cpio \
    a.ar c.cab; do
	run 0 "$f: read" "$TB" build --bundle "$W/o/$f.pem" "$W/a/$f"
	check "$f: both roots" [ "$(sha_of "$W/o/$f.pem")" = "$roots_sha" ]
done
run 0 "archives in an archive" "$TB" build --bundle "$W/o/n.pem" "$W/a/nested.tar"
check "nested: both roots, once" [ "$(sha_of "$W/o/n.pem")" = "$roots_sha" ]
check "the source names the members" \
    grep -q "^# Source: $W/a/nested.tar#gz.tar.gz#root-a.pem, $W/a/nested.tar#z.zip#root-a.pem" "$W/o/n.pem"

# an RPM made with rpmbuild: RPM header, then a compressed cpio
mkdir -p "$W/rpm/SOURCES" "$W/rpm/SPECS"
cp "$FIX/roots.pem" "$W/rpm/SOURCES/"
cat >"$W/rpm/SPECS/t.spec" <<'SPEC'
Name: test-ca-certificates
Version: 1
Release: 1
Summary: test roots
License: MIT
BuildArch: noarch
Source0: roots.pem
%description
test roots
%install
mkdir -p %{buildroot}/etc/pki/ca-trust/extracted/pem
cp %{SOURCE0} %{buildroot}/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem
%files
/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem
SPEC
if rpmbuild --define "_topdir $W/rpm" -bb "$W/rpm/SPECS/t.spec" >"$W/rpm.log" 2>&1; then
	rpm=$(find "$W/rpm/RPMS" -name '*.rpm' | head -1)
	run 0 "an RPM package" "$TB" build --bundle "$W/o/rpm.pem" "$rpm"
	check "RPM: both roots" [ "$(sha_of "$W/o/rpm.pem")" = "$roots_sha" ]
	run 0 "an RPM with a selector" "$TB" build --bundle "$W/o/rpm2.pem" \
	    "$rpm#*/tls-ca-bundle.pem"
else
	nok "rpmbuild failed"
	sed 's/^/#   /' "$W/rpm.log" | tail -5
fi

# member selectors
run 0 "a selector picks one member" "$TB" build --bundle "$W/o/s.pem" \
    "$W/a/xz.tar.xz#root-b*"
check "only root B" [ "$(count "$W/o/s.pem")" = 1 ] 
check "and it is root B" grep -q 'CN=Test Root B' "$W/o/s.pem"
run 1 "a selector that matches nothing" "$TB" build --bundle "$W/o/s.pem" \
    "$W/a/xz.tar.xz#*.der"
err_has "says so" "'$W/a/xz.tar.xz': no member matches '\\*.der'"
run 1 "a selector on a file that is no archive" "$TB" build \
    --bundle "$W/o/s.pem" "$FIX/roots.pem#*"
err_has "says it needs an archive" "a member selector needs an archive, and '$FIX/roots.pem' is PEM"
cp "$FIX/root-a.pem" "$W/a/odd#name.pem"
run 0 "a file whose name holds '#' is read whole" "$TB" build \
    --bundle "$W/o/h.pem" "$W/a/odd#name.pem"

if have_corpus "real packages"; then
	for deb in "$CORPUS"/debian/*.deb; do
		v=$(basename "$deb" _all.deb)
		rm -rf "$W/deb"
		mkdir "$W/deb"
		(cd "$W/deb" && ar x "$deb" && tar xf data.tar.xz)
		sha_of "$W"/deb/usr/share/ca-certificates/mozilla/*.crt >"$W/deb.txt"
		n=$(wc -l <"$W/deb.txt")
		run 0 "$v: the .deb directly" "$TB" build --keep-expired \
		    --bundle "$W/o/deb.pem" --capath "$W/o/debcerts" "$deb"
		check "$v: the same $n roots as ar + tar extract" \
		    [ "$(sha_of "$W/o/deb.pem")" = "$(cat "$W/deb.txt")" ]
		# detection of each member once printed a stray "not CSV" line
		run 0 "$v: the .deb with -q" "$TB" -q build --keep-expired \
		    --bundle "$W/o/debq.pem" "$deb"
		check "$v: -q prints nothing" [ ! -s "$W/err" ]
		# the CApath against openssl rehash of the extracted files
		rm -rf "$W/r"
		mkdir "$W/r"
		for f in "$W"/deb/usr/share/ca-certificates/mozilla/*.crt; do
			cp "$f" "$W/r/$(basename "$f" .crt).pem"
		done
		openssl rehash "$W/r" 2>/dev/null
		check "$v: the same hash link names as openssl rehash" [ \
		    "$(links "$W/o/debcerts" | cut -d' ' -f1)" = \
		    "$(links "$W/r" | cut -d' ' -f1)" ]
	done
	deb=$CORPUS/debian/ca-certificates_20230311+deb12u1_all.deb
	run 0 "a .deb with a selector into data.tar.xz" "$TB" build \
	    --keep-expired --bundle "$W/o/sel.pem" \
	    "$deb#usr/share/ca-certificates/mozilla/ISRG*"
	check "ISRG Root X1 and X2" [ "$(count "$W/o/sel.pem")" = 2 ]

	src=$CORPUS/debian/ca-certificates_20230311+deb12u1.tar.xz
	cd_=$CORPUS/certdata/certdata-NSS_3_89_RTM-builtins2.60.txt
	run 0 "the source tarball with a selector" "$TB" build \
	    --bundle "$W/o/t.pem" "$src#*/mozilla/certdata.txt"
	"$TB" -q build --bundle "$W/o/t2.pem" "$cd_"
	check "gives what builtins 2.60 gives" \
	    [ "$(sha_of "$W/o/t.pem")" = "$(sha_of "$W/o/t2.pem")" ]
	run 0 "the whole source tarball" "$TB" build --bundle "$W/o/t3.pem" "$src"
	sha_of "$W/o/t2.pem" >"$W/t2.txt"
	sha_of "$W/o/t3.pem" >"$W/t3.txt"
	check "the whole tarball: builtins 2.60 and more" \
	    [ -z "$(comm -23 "$W/t2.txt" "$W/t3.txt")" ]
	check "the more: the two roots in mozilla/extra/" [ \
	    "$(comm -13 "$W/t2.txt" "$W/t3.txt" | wc -l)" = 2 -a \
	    "$(grep -c '^# Source: .*#ca-certificates/mozilla/extra/Sectigo_Public_Server_Authentication_Root_[ER]46.crt' "$W/o/t3.pem")" = 2 ]
fi

# --- hostile archives: each within 60 s and 512 MiB --------------------------
mkdir -p "$W/st"
"$TB" -q build --bundle "$W/st/b.pem" --capath "$W/st/certs" "$FIX/roots.pem"
before=$(snapshot "$W/st")
# memory: 512 MiB of address space (not under ASan, which maps terabytes)
if [ -z "${ASAN_OPTIONS:-}" ]; then MEM=524288; else MEM=unlimited; fi
hostile() {	# DESCRIPTION PATTERN FILE
	t0=$(date +%s)
	run 1 "$1: exit 1" sh -c 'ulimit -v "$0" && exec "$@"' "$MEM" \
	    timeout 60 "$TB" build --bundle "$W/st/b.pem" \
	    --capath "$W/st/certs" "$3"
	t1=$(date +%s)
	err_has "$1: message" "$2"
	check "$1: one message" [ "$(wc -l <"$W/err")" -le 2 ]
	check "$1: store untouched" [ "$(snapshot "$W/st")" = "$before" ]
	check "$1: in bounded time ($((t1 - t0)) s)" [ $((t1 - t0)) -lt 30 ]
}

# names that would leave the archive, and links: nothing is written
# anywhere, the archive is refused; a link alone is skipped
for kind in dotdot absolute; do
	python3 - "$W/a/$kind.tar" "$FIX/root-a.pem" "$kind" <<'PY'
import io, sys, tarfile
data = open(sys.argv[2], 'rb').read()
name = {'dotdot': '../../evil-dotdot.pem', 'absolute': '/tmp/evil-absolute.pem'}[sys.argv[3]]
with tarfile.open(sys.argv[1], 'w') as t:
    i = tarfile.TarInfo('good.pem'); i.size = len(data)
    t.addfile(i, io.BytesIO(data))
    i = tarfile.TarInfo(name); i.size = len(data)
    t.addfile(i, io.BytesIO(data))
PY
done
rm -f /tmp/evil-absolute.pem
hostile "a '../' member name" "#../../evil-dotdot.pem': a member name that leaves the archive" \
    "$W/a/dotdot.tar"
hostile "an absolute member name" "#/tmp/evil-absolute.pem': a member name that leaves the archive" \
    "$W/a/absolute.tar"
check "nothing was written outside" [ ! -e /tmp/evil-absolute.pem -a \
    ! -e "$W/../evil-dotdot.pem" -a ! -e "$W/../../evil-dotdot.pem" ]
python3 - "$W/a/links.tar" "$FIX/root-a.pem" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w') as t:
    i = tarfile.TarInfo('passwd.pem'); i.type = tarfile.SYMTYPE
    i.linkname = '/etc/passwd'; t.addfile(i)
    i = tarfile.TarInfo('shadow.pem'); i.type = tarfile.LNKTYPE
    i.linkname = '/etc/shadow'; t.addfile(i)
PY
hostile "an archive of links only" "'$W/a/links.tar': no certificates found" \
    "$W/a/links.tar"
run 1 "-v names the skipped links" "$TB" -v build --bundle "$W/o/l.pem" "$W/a/links.tar"
err_has "the symlink" "passwd.pem': a link or special file; skipped"
err_has "the hard link" "shadow.pem': a link or special file; skipped"

# a gzip bomb: 64 MiB of zeros in a tar, some 64 KiB compressed
python3 - "$W/a/bomb.tar.gz" <<'PY'
import gzip, io, sys, tarfile
with gzip.open(sys.argv[1], 'wb', compresslevel=9) as g:
    with tarfile.open(fileobj=g, mode='w') as t:
        i = tarfile.TarInfo('zeros.pem'); i.size = 64 << 20
        class Z(io.RawIOBase):
            left = i.size
            def readable(self): return True
            def readinto(self, b):
                n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
        t.addfile(i, io.BufferedReader(Z(), 1 << 20))
PY
hostile "a gzip bomb" "expands more than 200-fold; refusing what looks like a decompression bomb" \
    "$W/a/bomb.tar.gz"

# a tar of a million empty members (one header, repeated), gzipped
python3 - "$W/a/million.tar.gz" <<'PY'
import gzip, sys, tarfile
h = tarfile.TarInfo('empty').tobuf(format=tarfile.USTAR_FORMAT)
with gzip.open(sys.argv[1], 'wb', compresslevel=1) as g:
    for _ in range(100):
        g.write(h * 10000)
    g.write(bytes(1024))
PY
hostile "a million empty members" "more than 100000 members; refused" \
    "$W/a/million.tar.gz"

# a truncated xz
head -c 300 "$W/a/xz.tar.xz" >"$W/a/trunc.tar.xz"
hostile "a truncated xz" "'$W/a/trunc.tar.xz.*truncated" "$W/a/trunc.tar.xz"

# a zip whose stored member fails its CRC
(cd "$W/a" && zip -q -0 z0.zip root-a.pem root-b.pem)
python3 - "$W/a/z0.zip" "$W/a/crc.zip" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.find(b'MII')          # inside the first, stored, member
assert i > 0
d[i + 40] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PY
hostile "a zip member with a bad CRC" "'$W/a/crc.zip#root-a.pem': cannot read the member: .*CRC" "$W/a/crc.zip"

# archives nested five deep
cp "$W/a/plain.tar" "$W/a/n0.tar"
i=0
while [ $i -lt 5 ]; do
	(cd "$W/a" && mv "n$i.tar" inner.tar && tar cf "n$((i + 1)).tar" inner.tar)
	i=$((i + 1))
done
hostile "archives nested 5 deep" "nested deeper than 4; refused" "$W/a/n5.tar"
done_testing
