#!/bin/sh
# libcurl and libarchive are loaded at their first use only (src/dl.c):
# the binary is linked with libc and OpenSSL alone, a run from local
# files works where neither library can be loaded, and a run that needs
# one says, in one line, which library and which package to install.
# The libraries are hidden the honest way: in a private mount namespace,
# /dev/null is mounted over the file the dynamic loader would open.
. "$(dirname "$0")/../harness/lib.sh"

mkdir -p "$W/l" "$W/o"
if command -v ldd >/dev/null 2>&1; then
	ldd "$TB" >"$W/ldd" 2>&1
	file_lacks "not linked with libcurl nor libarchive" "$W/ldd" \
	    'libcurl|libarchive|libgssapi|libldap|libxml2'
	file_has "linked with OpenSSL" "$W/ldd" 'libcrypto\.so'
else
	skipped "ldd: not installed"
fi

# lib SONAME: the file the loader opens for SONAME (ldconfig's cache)
lib() {
	/sbin/ldconfig -p 2>/dev/null | awk -v s="$1" '$1 == s { print $NF; exit }'
}
# hidden "LIBFILE..." CMD...: CMD with each LIBFILE unreadable as a library
hidden() {
	_h_libs=$1
	shift
	unshare -m sh -c 'for l in $1; do mount --bind /dev/null "$l" || exit 99
	    done; shift; exec "$@"' sh "$_h_libs" "$@"
}
curl_so=$(lib libcurl.so.4)
arch_so=$(lib libarchive.so.13)
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 ||
    [ -z "$curl_so" ] || [ -z "$arch_so" ] ||
    ! unshare -m true 2>/dev/null; then
	skipped "hiding libraries: needs root, unshare(1) and ldconfig's cache"
	done_testing
	exit
fi

# Neither library: local files, list and build work.
cp "$FIX/roots.pem" "$W/l/roots.pem"
cp "$FIX/root-a.der" "$W/l/root-a.der"
run 0 "build from PEM without libcurl and libarchive" hidden "$curl_so $arch_so" \
    "$TB" build --bundle "$W/o/b.pem" --capath "$W/o/c" \
    "$W/l/roots.pem"
check "the bundle is written" [ -s "$W/o/b.pem" ]
run 0 "a DER file is read without libarchive" hidden "$arch_so" \
    "$TB" build --bundle "$W/o/d.pem" "$W/l/root-a.der"
run 0 "list without either library" hidden "$curl_so $arch_so" \
    "$TB" list "$W/l/roots.pem"

# An archive without libarchive: one error naming it and its package,
# the published bundle untouched.
(cd "$W/l" && tar czf roots.tar.gz roots.pem)
before=$(snapshot "$W/o")
run 1 "an archive without libarchive fails" hidden "$arch_so" \
    "$TB" build --bundle "$W/o/b.pem" "$W/l/roots.tar.gz"
one_error "an archive without libarchive"
err_has "the error names libarchive's soname and package" \
    "cannot load libarchive \('libarchive\.so\.13'\): .*install the libarchive13 package"
check "nothing published" [ "$(snapshot "$W/o")" = "$before" ]
run 0 "the same archive with libarchive" "$TB" build --bundle "$W/o/b.pem" \
    "$W/l/roots.tar.gz"

# A download without libcurl: the error names libcurl, before any
# connection is tried.
conf_output "$W/u" >"$W/u.conf"
printf '[source up]\nurl = http://127.0.0.1:9/roots.pem\n' >>"$W/u.conf"
run 1 "update of a url without libcurl fails" hidden "$curl_so" \
    "$TB" -c "$W/u.conf" update
err_has "the error names libcurl's soname and package" \
    "cannot load libcurl \('libcurl\.so\.4'\): .*install the libcurl4 package"
check "nothing published" [ ! -e "$W/u/bundle.crt" ]

done_testing
