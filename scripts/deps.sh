#!/bin/sh
# deps.sh: install what trustbuild needs to build and to run its tests.
#   sh scripts/deps.sh           install (as root) with apt or dnf
#   sh scripts/deps.sh --check   exit 0 if everything is there, else list
#                                what is missing and exit 1
set -u

# build: compiler, make, pkg-config and the three libraries' headers;
# tests: the openssl CLI, ar + xz (Debian packages), python3 (JSON
# checks), setpriv (an unprivileged run), mandoc (man page lint), flock,
# p11-kit's trust and update-ca-certificates (benchmark peers); archives made
# at test time: rpmbuild, cpio, zip, gcab, bsdtar, zstd, bzip2; the HTTP
# server of the update tests: nginx; the real-sendmail test: sendmail-bin,
# sendmail-cf, m4 (where no other MTA is installed); the clock moved past
# stale-after (tests/e2e/sources_live.sh) and around distrust-after dates
# (tests/e2e/distrust.sh): faketime; the consumers of
# tests/e2e/outputs.sh: a JDK (keytool and a Java TLS client on the pkcs12
# output), Go (a client with SSL_CERT_DIR on the pem-dir output) and
# gnutls-cli (the bundle; it refuses the trusted bundle); scripts/bench.sh
# scenario H: GNU time (/usr/bin/time -f %M, the peak RSS)
APT="build-essential pkg-config libssl-dev libcurl4-openssl-dev
libarchive-dev openssl ca-certificates binutils xz-utils python3 util-linux
mandoc p11-kit rpm cpio zip gcab libarchive-tools zstd bzip2 nginx-light
faketime openjdk-17-jdk-headless golang-go gnutls-bin time"
DNF="gcc make pkgconf-pkg-config openssl-devel libcurl-devel libarchive-devel
openssl ca-certificates binutils xz python3 util-linux mandoc p11-kit-trust
rpm-build cpio zip gcab bsdtar zstd bzip2 nginx libfaketime
java-17-openjdk-devel golang gnutls-utils time"

missing() {
	m=""
	for c in cc make pkg-config openssl ar xz python3 setpriv flock mandoc \
	    rpmbuild cpio zip gcab bsdtar zstd bzip2 nginx faketime java keytool \
	    go gnutls-cli; do
		command -v "$c" >/dev/null 2>&1 || m="$m $c"
	done
	[ -x /usr/bin/time ] || m="$m time"	# a shell keyword too
	if command -v pkg-config >/dev/null 2>&1; then
		for p in openssl libcurl libarchive; do
			pkg-config --exists "$p" || m="$m $p-dev"
		done
	fi
	echo "$m"
}

if [ "${1:-}" = "--check" ]; then
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "trustbuild: missing:$m" >&2
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "trustbuild: deps.sh installs packages: run it as root" >&2
	exit 1
fi
if command -v apt-get >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	# The real-sendmail test needs Debian's sendmail as a client; it
	# would replace another MTA, so it is installed only where there is
	# none (the test says it skips otherwise)
	mta=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\n' \
	    2>/dev/null | awk '$1 == "ii" && /mail-transport-agent/ &&
	    $2 !~ /^sendmail/ { print $2 }')
	if [ -z "$mta" ]; then
		APT="$APT sendmail-bin sendmail-cf m4"
	else
		echo "trustbuild: $mta is installed; not installing sendmail" \
		    "(it would replace it): the real-sendmail test skips" >&2
	fi
	# The tests run nginx themselves on 127.0.0.1; keep the package's
	# postinst from starting a system-wide nginx on port 80 (a
	# policy-rc.d of our own, only for this install, only if none exists)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d &&
		    chmod 755 /usr/sbin/policy-rc.d &&
		    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	apt-get update -qq || exit 1
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $APT >/dev/null || exit 1
	# The Postfix tests (tests/harness/postfix.sh) run Debian's postfix
	# unpacked with dpkg -x, never installed (it conflicts with
	# sendmail-bin): its .deb, fetched once into this cache
	pfc=/var/cache/trustbuild-tests
	if ! ls "$pfc"/postfix_*.deb >/dev/null 2>&1; then
		mkdir -p "$pfc" && (cd "$pfc" && apt-get download -qq postfix \
		    >/dev/null 2>&1) || echo "trustbuild: could not fetch" \
		    "postfix's .deb: the Postfix tests skip" >&2
	fi
elif command -v dnf >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	dnf install -y -q $DNF || exit 1
else
	echo "trustbuild: no apt-get or dnf here; install by hand:" \
	    "a C compiler, make, pkg-config, the openssl, libcurl and" \
	    "libarchive development files, and for the tests:$(missing)" >&2
	exit 1
fi
m=$(missing)
if [ -n "$m" ]; then
	echo "trustbuild: still missing after the install:$m" >&2
	exit 1
fi
