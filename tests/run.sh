#!/bin/sh
# run.sh: every test of trustbuild.  Makes the fixtures, runs the C unit
# tests, then each end-to-end script in tests/e2e/, and prints the total as
# "N passed, N failed".  Exit status 0 only if nothing failed.
#   TRUSTBUILD_CORPUS   the real-world corpus (default ../shared/corpus)
#   TESTS               a subset of tests/e2e/*.sh names to run
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
CORPUS=${TRUSTBUILD_CORPUS:-$top/../shared/corpus}
[ -d "$CORPUS" ] && CORPUS=$(cd "$CORPUS" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/trustbuild-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
FIX=$scratch/fixtures
TB=${TB:-$top/trustbuild}
# the catalogue of this tree, wherever the binary under test lives
TRUSTBUILD_STORES=${TRUSTBUILD_STORES:-$top/stores}
export TB FIX CORPUS TRUSTBUILD_STORES

[ -f "$CORPUS/README.md" ] ||
	echo "note: corpus '$CORPUS' absent: tests that need it are skipped"
if ! sh tests/harness/fixtures.sh "$FIX" >"$scratch/fixtures.log" 2>&1; then
	cat "$scratch/fixtures.log"
	echo "0 passed, 1 failed"
	exit 1
fi

total_pass=0
total_fail=0
total_skip=0
tally() {	# NAME LOGFILE STATUS
	line=$(grep -E '^([a-z]+: )?[0-9]+ passed, [0-9]+ failed' "$2" | tail -1)
	if [ -z "$line" ]; then
		echo "$1: no result line (exit $3)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/^([a-z]+: )?([0-9]+) passed.*/\2/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + ${s:-0}))
	if [ "$f" = 0 ] && [ "$3" != 0 ]; then
		echo "$1: exit $3 with no failed check"
		total_fail=$((total_fail + 1))
	fi
}

echo "== unit"
${UNIT:-./tests/unit/run_unit} "$FIX" "$CORPUS" >"$scratch/unit.log" 2>"$scratch/unit.err"
st=$?
grep -E '^(FAIL|skip)' "$scratch/unit.log" "$scratch/unit.err" | sed 's/^[^:]*://'
tail -1 "$scratch/unit.log"
tally unit "$scratch/unit.log" $st

for t in tests/e2e/*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${TESTS:-}" ] && ! echo " $TESTS " | grep -q " $name "; then
		continue
	fi
	echo "== $name"
	W=$scratch/$name
	mkdir -p "$W"
	export W
	timeout 600 sh "$t" >"$scratch/$name.log" 2>&1
	st=$?
	grep -vE '^ok - ' "$scratch/$name.log"
	tally "$name" "$scratch/$name.log" $st
done

echo
if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" = 0 ]
