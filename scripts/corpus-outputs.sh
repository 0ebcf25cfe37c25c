#!/bin/sh
# corpus-outputs.sh TRUSTBUILD OUTDIR: publish a store of every set of the
# corpus with the binary TRUSTBUILD into OUTDIR (bundle, CApath listing,
# stdout and stderr of each run), so two builds can be compared byte for
# byte with 'diff -r'.  A refactoring must leave this output unchanged.
#   TRUSTBUILD_CORPUS   the corpus (default ../shared/corpus)
set -u
tb=$1
out=$2
cd "$(dirname "$0")/.." || exit 1
C=${TRUSTBUILD_CORPUS:-../shared/corpus}
[ -f "$C/README.md" ] || { echo "corpus '$C' absent" >&2; exit 1; }
mkdir -p "$out"
export TRUSTBUILD_STORES="$(pwd)/stores"
n=0
one() {	# NAME ARGS...
	name=$1
	shift
	d=$out/$name
	rm -rf "$d"
	mkdir -p "$d"
	"$tb" build --bundle "$d/bundle.crt" --capath "$d/capath" "$@" \
	    >"$d/stdout" 2>"$d/stderr"
	echo "exit $?" >>"$d/stdout"
	# the generation directory's name is random: list the links instead
	if [ -d "$d/capath" ]; then
		(cd "$d/capath" && find . -printf '%p %y %l\n' | LC_ALL=C sort |
		    sed 's| [^ ]*gen[^ ]*$| GEN|') >"$d/capath.list"
		(cd "$d/capath/" && find -L . -type f -print0 |
		    LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$d/capath.sums"
		rm -rf "$d/capath" "$d"/.capath* "$d"/capath.*-gen* 2>/dev/null
		find "$d" -maxdepth 1 -name '.*' -exec rm -rf {} + 2>/dev/null
	fi
	sed -i "s|$d|OUT|g" "$d/stderr" "$d/stdout"
	n=$((n + 1))
}
for f in "$C"/certdata/*.txt; do
	b=$(basename "$f" .txt)
	one "$b" "$f"
	one "$b-email" --purpose email "$f"
	one "$b-any-compat" --purpose any --compat "$f"
done
for f in "$C"/curl-cacert/*.pem "$C"/legacy/*.pem; do
	one "$(basename "$f" .pem)" "$f"
done
for f in "$C"/debian/*; do
	one "$(basename "$f")" "$f"
done
latest=$(ls "$C"/certdata/*.txt | LC_ALL=C sort | tail -1)
for f in "$C"/ccadb/*; do
	one "ccadb-$(basename "$f")" --intermediates "$f" "$latest"
done
one "certdata-debian-deb" "$latest" "$C/debian/ca-certificates_20250419~deb12u2_all.deb"
echo "$n stores in $out"
