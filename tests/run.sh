#!/bin/sh
# run.sh: every test of trustbuild.  Makes the fixtures, runs the C unit
# tests, then each end-to-end script in tests/e2e/, and prints the total as
# "N passed, N failed".  Exit status 0 only if nothing failed.
#   TRUSTBUILD_CORPUS   the real-world corpus (default ../shared/corpus)
#   TESTS               a subset of tests/e2e/*.sh names to run
#   TEST_JOBS           how many e2e files run at once (default 2)
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
tally() {	# NAME LOGFILE STATUS; sets p and f
	p= f=
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

# the e2e files, TEST_JOBS (default 2) at a time, each with a scratch
# directory of its own ($W), its output in $scratch/NAME.log; started the
# slowest first (SLOW, measured), printed and counted in name order
SLOW="probe policy capath limits postfix_advice crash archives outputs_crash
    postfix_real sendmail_advice update trust_aia outputs"
names=""
for t in tests/e2e/*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${TESTS:-}" ] && ! echo " $TESTS " | grep -q " $name "; then
		continue
	fi
	names="$names $name"
done
SLOW=$(echo $SLOW)
queue=""
for name in $SLOW; do
	case " $names " in *" $name "*) queue="$queue $name" ;; esac
done
for name in $names; do
	case " $SLOW " in *" $name "*) ;; *) queue="$queue $name" ;; esac
done
# a background job of sh starts with SIGINT and SIGQUIT ignored: a test
# gets them as it would in the foreground
DFL=""
env --default-signal=INT,QUIT true 2>/dev/null &&
    DFL="env --default-signal=INT,QUIT"

# start NAME: the test in the background; NAME.done holds "STATUS SECONDS"
# once it has ended
start() {
	mkdir -p "$scratch/$1"
	(
		W=$scratch/$1
		export W
		t0=$(date +%s)
		$DFL timeout 600 sh "tests/e2e/$1.sh" \
		    >"$scratch/$1.log" 2>&1 </dev/null
		st=$?
		echo "$st $(($(date +%s) - t0))" >"$scratch/$1.tmp"
		mv "$scratch/$1.tmp" "$scratch/$1.done"
	) &
}

# report: the ended tests not yet printed, in name order, up to the first
# still running
pending=$names
report() {
	while [ -n "$pending" ]; do
		set -- $pending
		[ -e "$scratch/$1.done" ] || return 0
		read -r st secs <"$scratch/$1.done"
		echo "== $1"
		grep -vE '^ok - ' "$scratch/$1.log"
		tally "$1" "$scratch/$1.log" "$st"
		echo "$secs e2e/$1.sh: ${p:-0} passed, ${f:-1} failed, $secs s" \
		    >>"$scratch/times"
		shift
		pending=$*
	done
}

jobs_max=${TEST_JOBS:-2}
[ "$jobs_max" -ge 1 ] 2>/dev/null || jobs_max=1
running=""
set -- $queue
while :; do
	while [ $# -gt 0 ] &&
	    [ "$(echo $running | wc -w)" -lt "$jobs_max" ]; do
		start "$1"
		running="$running $1"
		shift
	done
	[ -z "$running" ] && break
	sleep 0.2
	still=""
	for name in $running; do
		[ -e "$scratch/$name.done" ] || still="$still $name"
	done
	running=$still
	report
done
wait
report

echo
if [ -s "$scratch/times" ]; then
	echo "== durations"
	sort -rn "$scratch/times" | cut -d' ' -f2-
fi
if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" = 0 ]
