#!/bin/sh
# The bounds of the man page's LIMITS section that build, the
# configuration and sendmail-check apply, each at its edge: an input
# exactly at the bound is read, one a step past it is refused with one
# clear error naming the input and the bound, the published store stays
# byte-identical, within 60 s and 1 GiB of address space (not under
# AddressSanitizer).  The download, AIA and server reply bounds are tested
# at their edges in update.sh and probe.sh.
. "$(dirname "$0")/../harness/lib.sh"

S=$W/store
L=$W/in
mkdir -p "$S" "$L" "$W/o"
"$TB" -q build --bundle "$S/bundle.crt" --capath "$S/certs" "$FIX/roots.pem" \
    >/dev/null 2>&1
ra_sha=$(pem_sha256s "$FIX/root-a.pem")
not() { ! "$@"; }

# at NAME SOURCE: the source at its bound is read, root-a in the bundle
at() {
	bounded "$TB" build --bundle "$W/o/b.pem" "$2"
	if [ "$rc" = 0 ]; then ok "$1: read ($secs s)"; else
		nok "$1: exit $rc, want 0"
		sed 's/^/#   /' "$W/err" | head -5
	fi
	check "$1: root-a is in the bundle" \
	    [ "$(pem_sha256s "$W/o/b.pem" 2>/dev/null)" = "$ra_sha" ]
	rm -f "$W/o/b.pem"
}

# past NAME PATTERN SOURCE: one step past, refused, the store untouched
past() {
	before=$(snapshot "$S")
	bounded "$TB" build --bundle "$S/bundle.crt" --capath "$S/certs" "$3"
	if [ "$rc" = 1 ]; then ok "$1: refused, exit 1 ($secs s)"; else
		nok "$1: exit $rc, want 1"
		sed 's/^/#   /' "$W/err" | head -5
	fi
	err_has "$1: the message" "$2"
	one_error "$1"
	check "$1: the store is byte-identical" [ "$(snapshot "$S")" = "$before" ]
}

# --- a source file: 128 MiB ---
# root-a, then newlines up to exactly N bytes
pad_pem() {
	cp "$FIX/root-a.pem" "$2"
	head -c $(($1 - $(wc -c <"$FIX/root-a.pem"))) /dev/zero | tr '\0' '\n' \
	    >>"$2"
}
pad_pem $((128 << 20)) "$L/file-128m.pem"
at "a PEM file of exactly 128 MiB" "$L/file-128m.pem"
printf '\n' >>"$L/file-128m.pem"
past "a PEM file of 128 MiB + 1 byte" \
    "'$L/file-128m.pem': larger than 128 MiB; refused" \
    "$L/file-128m.pem"
rm -f "$L/file-128m.pem"

# --- directory nesting: 8 levels below the source ---
deep=$L/tree
i=1
while [ $i -le 8 ]; do deep=$deep/$i; i=$((i + 1)); done
mkdir -p "$deep"
cp "$FIX/root-a.pem" "$deep/a.pem"
at "a certificate 8 directories below the source" "$L/tree"
mkdir "$deep/9"
mv "$deep/a.pem" "$deep/9/a.pem"
past "a directory 9 below the source" \
    "'$deep/9': more than 8 directories below the source; refused" "$L/tree"

# --- archives ---
# mkarchive OUT SPEC...: a tar (gzipped if OUT ends in .gz), written as a
# stream; each SPEC is NAME:KIND:SIZE, where KIND is "root" (root-a.pem),
# "fill" (SIZE bytes of text: some random hex, then newlines), "empty"
# (SIZE empty members of that NAME) or "file" (SIZE is a path)
mkarchive() {
	python3 - "$FIX/root-a.pem" "$@" <<'PY'
import gzip, os, sys, tarfile

root = open(sys.argv[1], 'rb').read()
out = sys.argv[2]

class Fill:
    """SIZE bytes of text: up to 1 MiB of random hex lines, then LFs."""
    def __init__(self, size):
        hexlines = os.urandom(min(size, 1 << 20) // 2).hex().encode()
        self.head = hexlines[:size]
        self.left = size
    def read(self, n=-1):
        if n < 0:
            n = self.left
        n = min(n, self.left)
        h = self.head[:n]
        self.head = self.head[len(h):]
        self.left -= n
        return h + b'\n' * (n - len(h))

raw = open(out, 'wb')
f = gzip.GzipFile(fileobj=raw, mode='wb', compresslevel=1, mtime=0) \
    if out.endswith('.gz') else raw
with tarfile.open(fileobj=f, mode='w', format=tarfile.USTAR_FORMAT) as t:
    for spec in sys.argv[3:]:
        name, kind, arg = spec.split(':', 2)
        if kind == 'empty':
            h = tarfile.TarInfo(name).tobuf(format=tarfile.USTAR_FORMAT)
            for _ in range(int(arg)):
                t.fileobj.write(h)
                t.offset += len(h)
            continue
        i = tarfile.TarInfo(name)
        if kind == 'root':
            data = root
        elif kind == 'file':
            data = open(arg, 'rb').read()
        if kind == 'fill':
            i.size = int(arg)
            t.addfile(i, Fill(i.size))
        else:
            i.size = len(data)
            import io
            t.addfile(i, io.BytesIO(data))
if f is not raw:
    f.close()
raw.close()
PY
}
rsize=$(wc -c <"$FIX/root-a.pem")
MiB=1048576

# members: 100000 in the whole tree (a selector, so the empty ones are
# only counted)
mkarchive "$L/m100000.tar.gz" root-a.pem:root: empty:empty:99999
at "an archive of exactly 100000 members" "$L/m100000.tar.gz#*.pem"
mkarchive "$L/m100001.tar.gz" root-a.pem:root: empty:empty:100000
past "an archive of 100001 members" \
    "'$L/m100001.tar.gz': more than 100000 members; refused" \
    "$L/m100001.tar.gz#*.pem"
rm -f "$L"/m1000*

# one member: 64 MiB, as the tar header says and as read from a stream
mkarchive "$L/member.tar" root-a.pem:root: big.txt:fill:$((64 * MiB))
at "a tar member of exactly 64 MiB" "$L/member.tar#*.pem"
mkarchive "$L/member.tar" root-a.pem:root: big.txt:fill:$((64 * MiB + 1))
past "a tar member of 64 MiB + 1 byte" \
    "'$L/member.tar#big.txt': member larger than 64 MiB; not a certificate source" \
    "$L/member.tar#*.pem"
rm -f "$L/member.tar"
# a gzipped PEM file (no archive: one member of unknown size)
pad_pem $((64 * MiB)) "$L/raw.pem"
python3 -c 'import os, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[4096:4096 + (1 << 20)] = os.urandom(1 << 19).hex().encode()
open(sys.argv[1], "wb").write(b)' "$L/raw.pem"
gzip -1 -c "$L/raw.pem" >"$L/raw64.pem.gz"
at "a gzipped PEM file of exactly 64 MiB" "$L/raw64.pem.gz"
printf '\n' >>"$L/raw.pem"
gzip -1 -c "$L/raw.pem" >"$L/raw64.pem.gz"
past "a gzipped PEM file of 64 MiB + 1 byte" \
    "'$L/raw64.pem.gz': member larger than 64 MiB; not a certificate source" \
    "$L/raw64.pem.gz"
rm -f "$L/raw.pem" "$L/raw64.pem.gz"

# the whole tree: 512 MiB uncompressed (eight members, each at most 64)
spec="root-a.pem:root:"
i=1
while [ $i -le 7 ]; do spec="$spec f$i.txt:fill:$((64 * MiB))"; i=$((i + 1)); done
mkarchive "$L/total.tar.gz" $spec "f8.txt:fill:$((64 * MiB - rsize))"
at "an archive of exactly 512 MiB uncompressed" "$L/total.tar.gz#*.pem"
mkarchive "$L/total.tar.gz" $spec "f8.txt:fill:$((64 * MiB - rsize + 1))"
past "an archive of 512 MiB + 1 byte uncompressed" \
    "'$L/total.tar.gz#f8.txt': more than 512 MiB uncompressed; refusing" \
    "$L/total.tar.gz#*.pem"
rm -f "$L/total.tar.gz"

# archives in archives: 4 deep
mkarchive "$L/n0.tar" root-a.pem:root:
i=0
while [ $i -lt 5 ]; do
	mkarchive "$L/n$((i + 1)).tar" "inner.tar:file:$L/n$i.tar"
	i=$((i + 1))
done
at "archives nested 4 deep" "$L/n4.tar"
past "archives nested 5 deep" \
    "'$L/n5.tar#inner.tar#inner.tar#inner.tar#inner.tar#inner.tar': archives nested deeper than 4; refused" \
    "$L/n5.tar"

# the expansion ratio: 200, once past 16 MiB.  The file's size is
# measured and the filler sized until uncompressed / compressed, in whole
# numbers, is exactly 200 (read) or 201 (refused).
ratio() {	# OUT RATIO
	python3 - "$FIX/root-a.pem" "$1" "$2" <<'PY'
import gzip, io, os, sys, tarfile
root = open(sys.argv[1], 'rb').read()
want = int(sys.argv[3])
noise = os.urandom(80 << 10).hex().encode()
def make(fill):
    b = io.BytesIO()
    with gzip.GzipFile(fileobj=b, mode='wb', compresslevel=6, mtime=0) as g:
        with tarfile.open(fileobj=g, mode='w', format=tarfile.USTAR_FORMAT) as t:
            for name, data in (('root-a.pem', root),
                               ('fill.txt', noise + b'\n' * fill)):
                i = tarfile.TarInfo(name); i.size = len(data)
                t.addfile(i, io.BytesIO(data))
    return b.getvalue()
fill = 20 << 20
for _ in range(50):
    out = make(fill)
    total = len(root) + len(noise) + fill
    if total // len(out) == want and total > 16 << 20:
        open(sys.argv[2], 'wb').write(out)
        print(total, len(out))
        sys.exit(0)
    fill = int((want + 0.5) * len(out)) - len(root) - len(noise)
sys.exit('ratio.py: no size converged')
PY
}
if ratio "$L/r200.tar.gz" 200 >"$W/r200"; then
	at "an archive expanding exactly 200-fold ($(cat "$W/r200"))" \
	    "$L/r200.tar.gz"
else
	nok "an archive expanding 200-fold is made"
fi
if ratio "$L/r201.tar.gz" 201 >"$W/r201"; then
	past "an archive expanding 201-fold ($(cat "$W/r201"))" \
	    "'$L/r201.tar.gz#fill.txt': expands more than 200-fold; refusing" \
	    "$L/r201.tar.gz"
else
	nok "an archive expanding 201-fold is made"
fi

# --- the configuration: 1 MiB, 64 sources, 1024 probes ---
CS=$W/cstore
mkdir -p "$CS"
# conf FILE [N_SOURCES [N_PROBES]]: update's configuration publishing to
# $CS, root-a as N sources (1 by default), N probes of a closed port, and
# the hooks of $HOOKS if set
conf() {
	{
		printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n' \
		    "$CS/bundle.crt" "$CS/certs" "$W/state"
		printf 'shrink-limit = 100%%\n'
		[ -n "${HOOKS:-}" ] && printf 'hooks = %s\n' "$HOOKS"
		printf '[fetch]\n'
		i=1
		while [ $i -le "${2:-1}" ]; do
			printf '[source s%d]\nurl = %s\n' $i "$FIX/root-a.pem"
			i=$((i + 1))
		done
		i=1
		while [ $i -le "${3:-0}" ]; do
			printf '[probe p%d]\nurl = smtp://127.0.0.1:9\ntimeout = 5\n' $i
			i=$((i + 1))
		done
	} >"$1"
}
# update_at NAME CONF: update reads it and publishes root-a
update_at() {
	rm -rf "$CS"/* "$W/state"
	bounded "$TB" -q -c "$2" update
	if [ "$rc" = 0 ] || [ "$rc" = 1 ] &&
	    ! grep -q "$2" "$W/err"; then
		ok "$1: read ($secs s)"
	else
		nok "$1: exit $rc"
		sed 's/^/#   /' "$W/err" | head -5
	fi
	check "$1: root-a is published" \
	    [ "$(pem_sha256s "$CS/bundle.crt" 2>/dev/null)" = "$ra_sha" ]
}
# update_past NAME CONF PATTERN: refused, nothing published
update_past() {
	rm -rf "$CS"/* "$W/state"
	bounded "$TB" -q -c "$2" update
	if [ "$rc" = 1 ]; then ok "$1: refused, exit 1"; else
		nok "$1: exit $rc, want 1"
		sed 's/^/#   /' "$W/err" | head -5
	fi
	err_has "$1: the message" "$3"
	one_error "$1"
	check "$1: nothing published" [ ! -e "$CS/bundle.crt" ]
}

conf "$L/1m.conf"
# comment lines of 4000 bytes, then one that ends the file at 1 MiB
python3 -c 'import sys
p, size = sys.argv[1], int(sys.argv[2])
with open(p, "ab") as f:
    left = size - f.tell()
    while left > 0:
        n = min(4000, left)
        f.write(b"#" * (n - 1) + b"\n")
        left -= n' "$L/1m.conf" $MiB
check "the 1 MiB configuration is 1048576 bytes" [ "$(wc -c <"$L/1m.conf")" = $MiB ]
update_at "a configuration of exactly 1 MiB" "$L/1m.conf"
printf '\n' >>"$L/1m.conf"
update_past "a configuration of 1 MiB + 1 byte" "$L/1m.conf" \
    "'$L/1m.conf': larger than 1 MiB"

conf "$L/s64.conf" 64
update_at "64 sources" "$L/s64.conf"
conf "$L/s65.conf" 65
update_past "65 sources" "$L/s65.conf" \
    "'$L/s65.conf': line 135: more than 64 sources at \\[source s65\\]"

# 1024 probes of a closed port: each fails at once, root-a is published
conf "$L/p1024.conf" 1 1024
update_at "1024 probes" "$L/p1024.conf"
conf "$L/p1025.conf" 1 1025
update_past "1025 probes" "$L/p1025.conf" \
    "'$L/p1025.conf': line [0-9]*: more than 1024 probes at \\[probe p1025\\]"

# --- probe --chain: 1 MiB ---
cat "$FIX/leaf.pem" "$FIX/int-a2.pem" "$FIX/int-a.pem" >"$L/chain.pem"
head -c $((MiB - $(wc -c <"$L/chain.pem"))) /dev/zero | tr '\0' '\n' \
    >>"$L/chain.pem"
bounded "$TB" probe --bundle "$FIX/root-a.pem" --chain "$L/chain.pem"
check "a saved chain of exactly 1 MiB: verify=OK" \
    grep -q "^verify=OK" "$W/out"
printf '\n' >>"$L/chain.pem"
bounded "$TB" probe --bundle "$FIX/root-a.pem" --chain "$L/chain.pem"
check "a saved chain of 1 MiB + 1 byte: exit 1" [ "$rc" = 1 ]
err_has "a saved chain of 1 MiB + 1 byte: the message" \
    "'$L/chain.pem': larger than 1 MiB; refused"
one_error "a saved chain of 1 MiB + 1 byte"

# --- hooks: 256 ---
# hooks_conf N: update publishing root-a to $CS, with N hooks that each
# append their name to $W/ran
hooks_conf() {
	rm -rf "$CS"/* "$W/state" "$W/hooks.d" "$W/ran"
	mkdir -p "$W/hooks.d"
	i=1
	while [ $i -le "$1" ]; do
		# 001-h, 002-h...: the name without a process of its own
		n=00$i
		n=${n#"${n%???}"}
		printf '#!/bin/sh\necho %d >>%s\n' $i "$W/ran" \
		    >"$W/hooks.d/$n-h"
		i=$((i + 1))
	done
	chmod 755 "$W"/hooks.d/*-h
	HOOKS=$W/hooks.d conf "$W/h.conf"
}
hooks_conf 256
bounded "$TB" -q -c "$W/h.conf" update
check "256 hooks: exit 0 ($secs s)" [ "$rc" = 0 ]
check "256 hooks: each ran once, in order" \
    [ "$(cat "$W/ran" 2>/dev/null | tr '\n' ' ')" = "$(seq 1 256 | tr '\n' ' ')" ]
hooks_conf 257
bounded "$TB" -q -c "$W/h.conf" update
check "257 hooks: exit 1" [ "$rc" = 1 ]
err_has "257 hooks: the message" "'$W/hooks.d': more than 256 hooks; none run"
one_error "257 hooks"
check "257 hooks: none ran" [ ! -e "$W/ran" ]
check "257 hooks: the store is published all the same" \
    [ "$(pem_sha256s "$CS/bundle.crt" 2>/dev/null)" = "$ra_sha" ]

# --- sendmail-check: lines of 4096 bytes ---
# smline LENGTH: a define of confCACERT_PATH, indented to LENGTH bytes
smline() {
	python3 -c 'import sys
n = int(sys.argv[1])
d = "define(`confCACERT_PATH'"'"', `/etc/mail/certs'"'"')"
sys.stdout.write(" " * (n - len(d)) + d + "\r\n")' "$1"
}
# a .mc: the define ending at byte 4096 of its line (CR not counted) is
# read whole; at 4097 the line is cut, and a note says so
for n in 4096 4097; do
	{
		echo "define(\`confCACERT', \`/etc/mail/certs/ca.crt')"
		smline $n
	} >"$L/$n.mc"
	: >"$L/empty.cf"
	bounded "$TB" sendmail-check --mc "$L/$n.mc" --cf "$L/empty.cf" \
	    --log /dev/null
	tag="a .mc line of $n bytes"
	if [ $n = 4096 ]; then
		check "$tag: its define is read" \
		    grep -q "^ok: *$L/$n.mc:2: confCACERT_PATH is '/etc/mail/certs'" "$W/out"
		check "$tag: no note of a long line" \
		    not grep -q "longer than" "$W/out"
	else
		# the cut takes the ")" only: what is within the bound is read
		check "$tag: the define's value, within 4096, is read" \
		    grep -q "^ok: *$L/$n.mc:2: confCACERT_PATH is '/etc/mail/certs'" "$W/out"
		check "$tag: a note names the line" grep -q \
		    "^note: *$L/$n.mc:2: a line longer than 4096 bytes; only its first 4096 were read" \
		    "$W/out"
	fi
done
# a .cf: the same, with O CACertPath=
for n in 4096 4097; do
	python3 -c 'import sys
n = int(sys.argv[1])
o = "O CACertPath=/etc/mail/certs"
print("O CACertFile=/etc/mail/certs/ca.crt")
print(o + " " * (n - len(o)))
print("O CACertPath=/etc/mail/other")' $n >"$L/$n.cf"
	bounded "$TB" sendmail-check --mc "$L/none.mc" --cf "$L/$n.cf" \
	    --log /dev/null
	tag="a .cf line of $n bytes"
	check "$tag: read as a line" grep -q \
	    "^ok: *$L/$n.cf:3: CACertPath=/etc/mail/other" "$W/out"
	if [ $n = 4096 ]; then
		check "$tag: no note" not grep -q "longer than" "$W/out"
	else
		check "$tag: a note names it" grep -q \
		    "^note: *$L/$n.cf:2: a line longer than 4096 bytes" "$W/out"
	fi
done
# the log: a verify=FAIL line of 4096 bytes is read, of 4097 skipped
for n in 4096 4097; do
	python3 -c 'import sys
n = int(sys.argv[1])
l = "Nov 28 10:00:00 mx sm-mta[7]: 3AS: STARTTLS=client, relay=smart.example.net., version=TLSv1.3, verify=FAIL, cipher=TLS_AES_256_GCM_SHA384, bits=256/256 "
print(l + "x" * (n - len(l)))' $n >"$L/$n.log"
	bounded "$TB" sendmail-check --mc "$L/4096.mc" --cf "$L/empty.cf" \
	    --log "$L/$n.log"
	tag="a log line of $n bytes"
	if [ $n = 4096 ]; then
		check "$tag: its relay is read" \
		    grep -q "relay smart.example.net.*verify=FAIL" "$W/out"
	else
		check "$tag: skipped, and said" grep -q \
		    "^note: *$L/$n.log: 1 line longer than 4096 bytes skipped" "$W/out"
		check "$tag: no relay read from it" \
		    not grep -q "relay smart.example.net" "$W/out"
	fi
done
# a log of 300 MiB (sparse: NULs, then the line): its last 256 MiB are read
truncate -s 300M "$L/big.log"
printf '\n' >>"$L/big.log"
cat "$L/4096.log" >>"$L/big.log"
bounded "$TB" sendmail-check --mc "$L/4096.mc" --cf "$L/empty.cf" \
    --log "$L/big.log"
check "a 300 MiB log: its last line's relay is read ($secs s)" \
    grep -q "relay smart.example.net.*verify=FAIL" "$W/out"
check "a 300 MiB log: a note says only the last 256 MiB were read" grep -q \
    "^note: *$L/big.log is larger than 256 MiB: only its last 256 MiB were read" \
    "$W/out"
rm -f "$L/big.log"
done_testing
