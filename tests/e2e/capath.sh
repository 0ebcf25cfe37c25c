#!/bin/sh
# The CApath is what "openssl rehash" makes of the same certificates, link
# for link, for every real certdata.txt; the bundle holds the same set.
. "$(dirname "$0")/../harness/lib.sh"

rehash_same() {	# DIR [-compat]
	rm -rf "$W/r"
	mkdir "$W/r"
	cp "$1"/*.pem "$W/r/"
	openssl rehash ${2:-} "$W/r" 2>/dev/null
	links "$1" >"$W/ours"
	links "$W/r" >"$W/theirs"
	cmp -s "$W/ours" "$W/theirs"
}

if have_corpus capath; then
	for f in "$CORPUS"/certdata/*.txt; do
		v=$(basename "$f" .txt | sed 's/.*builtins//')
		rm -rf "$W/o"
		mkdir "$W/o"
		run 0 "$v: build bundle and CApath" "$TB" build \
		    --bundle "$W/o/bundle.pem" --capath "$W/o/certs" "$f"
		check "$v: CApath links equal openssl rehash's" rehash_same "$W/o/certs"
		n=$(ls "$W/o/certs"/*.pem | wc -l)
		nl=$(links "$W/o/certs" | wc -l)
		check "$v: one hash link per certificate ($n)" [ "$n" = "$nl" ]
		check "$v: bundle and CApath hold the same certificates" \
		    [ "$(pem_sha256s "$W/o/bundle.pem")" = \
		      "$(pem_sha256s "$W/o/certs"/*.pem)" ]
		# (one awk reads every link: a link that does not resolve
		# cannot be opened, and fails it)
		check "$v: every link resolves to a one-certificate file" sh -c '
		    awk "/BEGIN CERTIFICATE/ { n[FILENAME]++ }
		        END { for (i = 1; i < ARGC; i++)
		            if (n[ARGV[i]] != 1) exit 1 }" "$1"/*.[0-9]' \
		    sh "$W/o/certs"
	done

	# the known subject-hash collision of the 2023 Mozilla set
	f=$CORPUS/certdata/certdata-NSS_3_89_RTM-builtins2.60.txt
	rm -rf "$W/o"
	mkdir "$W/o"
	"$TB" -q build --capath "$W/o/certs" "$f"
	check "2.60: collision gives 3bde41ac.0 and 3bde41ac.1" \
	    [ -L "$W/o/certs/3bde41ac.0" -a -L "$W/o/certs/3bde41ac.1" ]
	check "2.60: no gap after the collision" [ ! -e "$W/o/certs/3bde41ac.2" ]
	check "2.60: the two links name different files" [ \
	    "$(readlink "$W/o/certs/3bde41ac.0")" != \
	    "$(readlink "$W/o/certs/3bde41ac.1")" ]

	# --compat adds the old MD5 links as openssl rehash -compat does
	rm -rf "$W/o"
	mkdir "$W/o"
	run 0 "--compat build" "$TB" build --compat --capath "$W/o/certs" "$f"
	check "--compat links equal openssl rehash -compat's" \
	    rehash_same "$W/o/certs" -compat
	n=$(ls "$W/o/certs"/*.pem | wc -l)
	check "--compat: two links per certificate" \
	    [ "$(links "$W/o/certs" | wc -l)" = $((n * 2)) ]

	# openssl reads the CApath and the bundle
	h=$CORPUS/chains/web/google.com
	f=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
	rm -rf "$W/o"
	mkdir "$W/o"
	"$TB" -q build --bundle "$W/o/b.pem" --capath "$W/o/certs" "$f"
	# (one openssl process: crl2pkcs7 fails on a file it cannot read,
	# and each file gives one certificate)
	check "openssl reads every CApath file" sh -c '
	    n=0; set -- "$1"/*.pem; a=""
	    for p; do a="$a -certfile $p"; n=$((n + 1)); done
	    [ "$(openssl crl2pkcs7 -nocrl $a | openssl pkcs7 -print_certs |
	    grep -c -- "-----BEGIN CERTIFICATE-----")" = "$n" ]' \
	    sh "$W/o/certs"
fi
done_testing
