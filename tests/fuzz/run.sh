#!/bin/sh
# run.sh: the fuzz targets of tests/fuzz/fuzz.c.
#   sh tests/fuzz/run.sh fuzz SECONDS [TARGET...]   libFuzzer (clang), each
#       target for SECONDS with ASan and UBSan, seeded from the fixtures,
#       the corpus and tests/fuzz/regress/; crashes land in
#       build-fuzz/crashes/TARGET/ ("make fuzz", FUZZ_TIME=600 by default)
#   sh tests/fuzz/run.sh regress DIR [TARGET...]   gcc, every seed and every
#       saved crash (tests/fuzz/regress/TARGET/) through each target once
#       ("make check" does this in DIR)
# Prints "N passed, N failed": a target passes when it ran clean.
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
mode=${1:?mode}
arg=${2:?seconds or dir}
shift 2
ALL="source certdata pem der ccadb config store replies url aia sendmail sums manifest maillog"
targets=${*:-$ALL}
CORPUS=${TRUSTBUILD_CORPUS:-$top/../shared/corpus}
PKG_CFLAGS=$(pkg-config --cflags openssl libcurl libarchive)
PKG_LIBS="$(pkg-config --libs openssl libcurl libarchive) -lpthread"
SRCS=$(ls src/*.c | grep -v '^src/main.c$')
pass=0
fail=0

num() {
	i=1
	for t in $ALL; do
		[ "$t" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 0
}

# seeds TARGET DIR: the starting inputs of TARGET
seeds() {
	d=$2
	mkdir -p "$d"
	fx=$W/fixtures
	case $1 in
	source | pem | der | aia)
		cp "$fx"/*.pem "$fx"/*.der "$fx"/*.p7b "$d/" 2>/dev/null
		[ -d "$CORPUS" ] && cp "$CORPUS/curl-cacert/cacert-2023-01-10.pem" \
		    "$CORPUS/chains/cert-manager.com-chain.pem" "$d/" 2>/dev/null
		if [ "$1" = source ]; then
			[ -d "$CORPUS" ] && cp \
			    "$CORPUS/debian/ca-certificates_20230311+deb12u1_all.deb" \
			    "$d/" 2>/dev/null
			tar -C "$fx" -czf "$d/roots.tgz" roots.pem root-a.der 2>/dev/null
		fi ;;
	certdata)
		sh tests/harness/mkcertdata.sh "$fx/root-a.pem:anchor" \
		    "$fx/root-b.pem:distrust-after" "$fx/int-a.pem:distrust" \
		    >"$d/synthetic.txt" 2>/dev/null
		[ -d "$CORPUS" ] && cp "$CORPUS/certdata/certdata-NSS_3_45_RTM-builtins2.34.txt" \
		    "$d/" 2>/dev/null ;;
	ccadb)
		[ -d "$CORPUS" ] && head -c 200000 \
		    "$CORPUS/ccadb/MozillaIntermediateCerts-20260725.csv" >"$d/head.csv" ;;
	config)
		cp "$top/scripts/provision.sh" "$d/" 2>/dev/null
		printf '[output]\nbundle = /a\ncapath = /b\n[fetch]\nmax-size = 1M\n[source m]\nstore = mozilla\nsha256 = %064d\n[probe p]\nurl = smtp://[::1]:25\n' 0 \
		    >"$d/full.conf" ;;
	store)
		cp stores/mozilla stores/system stores/debian "$d/" ;;
	replies)
		printf '220 mx ESMTP\r\n250-mx\r\n250-STARTTLS\r\n250 HELP\r\n220 go\r\n' >"$d/smtp"
		printf '* OK ready\r\ntb1 OK Begin TLS\r\n' >"$d/imap"
		printf '0\014\002\001\001x\007\012\001\000\004\000\004\000' >"$d/ldap" ;;
	url)
		printf 'smtp://[::1]:2525' >"$d/a"
		printf 'submission://mail.example.com.netsolmail.net:587' >"$d/b"
		printf 'tls://127.0.0.1:443' >"$d/c" ;;
	sendmail)
		printf 'dnl define(`confCACERT'"'"', `/a'"'"')dnl\ndefine(`SMART_HOST'"'"', `[m]'"'"')\n' >"$d/mc"
		printf 'O CACertFile=/a\n#O CACertPath\nDS[m]\nMrelay, A=TCP $h 587\n' >"$d/cf"
		printf '.example.org esmtp:[IPv6:::1]:[h]\nx relay:m\n' >"$d/mt"
		printf "m4trace:/etc/mail/tls/s.m4:3: -1- define(\`confCACERT', \`/b')\nm4trace:/etc/mail/sendmail.mc:9: -1- undefine(\`SMART_HOST')\n" >"$d/trace" ;;
	maillog)
		# (and the real sendmail's logs in tests/fuzz/regress/maillog/)
		printf 'Nov 28 mx sm-mta[1]: x: STARTTLS=client, relay=m., version=TLSv1.3, verify=FAIL, cipher=x\n' >"$d/log"
		printf '<22>1 2026-12-03T10:27:31.123Z h sendmail 9 - [a b="]"] STARTTLS=client, relay=[::1], verify=FAIL, c=x\n' >"$d/5424"
		printf '2026-12-03T10:27:31+0000 h sm-mta[9]: STARTTLS=client, get_verify: 20 get_peer: 0x1\n' >"$d/iso"
		printf 'trustbuild-sendmail-relays 1\nsince 5\nrelay [::1] smtp://[::1] 7\nrelay a smtp://a 1\n' >"$d/relays" ;;
	sums)
		h=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
		printf '%s  a.pem\n%s *pub/cacert.pem\n' $h $h >"$d/gnu"
		printf 'SHA256 (cacert.pem) = %s\r\n' $h >"$d/bsd"
		printf 'https://curl.se/ca/cacert.pem?x=1#y' >"$d/url" ;;
	manifest)
		h=304498e65a9af02a7aeeac01e1c92bfd19f45e1e59718452f201e7ef0f29bc1a
		printf 'trustbuild-manifest 1\n# c\ncert %s anchor server-auth 2026-12-02 - 1585699200 x, y\n' \
		    $h >"$d/cert"
		printf 'trustbuild-manifest 1\nprobe %s %s relay\n' $h \
		    "$(openssl x509 -in "$fx/int-a.pem" -outform DER | base64 -w0)" >"$d/probe"
		printf 'CN=\342\200\256x\033[2J\302\233\300\257\n' >"$d/esc"
		printf 'trustbuild-source 1\norigin http://x/certdata.txt\npurpose server-auth\nversion 1.87\nroot %s\ndropped %s\ndistrusted %s\n' \
		    $h $h $h >"$d/source" ;;
	esac
	[ -d "tests/fuzz/regress/$1" ] && cp tests/fuzz/regress/"$1"/* "$d/" 2>/dev/null
	true
}

W=$(mktemp -d "${TMPDIR:-/tmp}/trustbuild-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
sh tests/harness/fixtures.sh "$W/fixtures" >/dev/null 2>&1

case $mode in
fuzz)
	command -v clang >/dev/null 2>&1 || {
		echo "make fuzz needs clang with libFuzzer: apt-get install clang" >&2
		exit 1
	}
	out=$top/build-fuzz
	mkdir -p "$out"
	for t in $targets; do
		n=$(num "$t")
		[ "$n" = 0 ] && { echo "fuzz: no target '$t' ($ALL)" >&2; exit 1; }
		# shellcheck disable=SC2086
		if ! clang -g -O1 -fsanitize=fuzzer,address,undefined \
		    -fno-sanitize-recover=undefined -D_GNU_SOURCE -Isrc \
		    -DFUZZ_TARGET="$n" $PKG_CFLAGS -o "$out/fuzz_$t" \
		    tests/fuzz/fuzz.c $SRCS $PKG_LIBS; then
			fail=$((fail + 1))
			continue
		fi
		seeds "$t" "$W/seeds/$t"
		mkdir -p "$out/corpus/$t" "$out/crashes/$t"
		echo "== fuzz $t for $arg s"
		if "$out/fuzz_$t" -max_total_time="$arg" -timeout=10 \
		    -rss_limit_mb=2048 -max_len=1048576 \
		    -artifact_prefix="$out/crashes/$t/" \
		    "$out/corpus/$t" "$W/seeds/$t" >"$out/$t.log" 2>&1; then
			pass=$((pass + 1))
			tail -1 "$out/$t.log"
		else
			fail=$((fail + 1))
			tail -30 "$out/$t.log"
			echo "fuzz $t: crash kept in $out/crashes/$t/; copy it to tests/fuzz/regress/$t/"
		fi
	done ;;
regress)
	# the objects "make" built, when they are all there: quicker
	objs=$(echo "$SRCS" | sed 's/\.c$/.o/')
	for o in $objs; do [ -f "$o" ] || objs=$SRCS; done
	for t in $targets; do
		n=$(num "$t")
		# shellcheck disable=SC2086
		if ! ${CC:-cc} -std=gnu11 -g -O1 -D_GNU_SOURCE -Isrc \
		    -DFUZZ_TARGET="$n" $PKG_CFLAGS -o "$arg/fuzz_$t" \
		    tests/fuzz/fuzz.c tests/fuzz/standalone.c $objs $PKG_LIBS \
		    2>"$arg/fuzz_$t.cc"; then
			echo "not ok - fuzz target $t builds"
			sed 's/^/#   /' "$arg/fuzz_$t.cc" | head -5
			fail=$((fail + 1))
			continue
		fi
		seeds "$t" "$W/seeds/$t"
		if timeout 300 "$arg/fuzz_$t" "$t" "$W/seeds/$t" >"$arg/fuzz_$t.out" 2>&1
		then
			echo "ok - fuzz target $t: $(cat "$arg/fuzz_$t.out")"
			pass=$((pass + 1))
		else
			echo "not ok - fuzz target $t over its seeds and regressions"
			sed 's/^/#   /' "$arg/fuzz_$t.out" | tail -10
			fail=$((fail + 1))
		fi
	done ;;
*)
	echo "usage: run.sh fuzz SECONDS [TARGET...] | regress DIR [TARGET...]" >&2
	exit 2 ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
