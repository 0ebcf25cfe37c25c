#!/bin/sh
# tsan.sh TSAN_BINARY: the commands whose work runs on several threads
# (pool.c: reading a PEM file, decoding keys, admitting intermediates),
# each under ThreadSanitizer on the corpus's real sets; a check fails on
# any report.  "make check-tsan" builds the binary and runs this.
set -u
TB=${1:?usage: tsan.sh TSAN_BINARY}
CORPUS=${CORPUS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus}
W=$(mktemp -d "${TMPDIR:-/tmp}/tb-tsan.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
trap 'exit 130' HUP INT TERM
pass=0
fail=0
skip=0

# tsan_run DESCRIPTION WANT_STATUS ARGS...: no report, the status wanted
tsan_run() {
	_d=$1
	_want=$2
	shift 2
	rm -f "$W"/report.*
	TSAN_OPTIONS="exitcode=66:log_path=$W/report" \
	    timeout 300 "$TB" "$@" >"$W/out" 2>"$W/err"
	_st=$?
	if ls "$W"/report.* >/dev/null 2>&1; then
		cat "$W"/report.*
		fail=$((fail + 1))
		echo "not ok - $_d: ThreadSanitizer reports above"
	elif [ "$_st" != "$_want" ]; then
		cat "$W/err"
		fail=$((fail + 1))
		echo "not ok - $_d: exit $_st, wanted $_want"
	else
		pass=$((pass + 1))
		echo "ok - $_d"
	fi
}

CCADB=$CORPUS/ccadb/MozillaIntermediateCerts-atc0005-20260808.pem
CERTDATA=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
if [ -f "$CCADB" ] && [ -f "$CERTDATA" ]; then
	tsan_run "list of CCADB's 1,764 intermediates (PEM read on threads)" \
	    0 list "$CCADB"
	tsan_run "build of certdata 2.86 + CCADB (keys and checks on threads)" \
	    0 build --intermediates "$CCADB" --bundle "$W/b.pem" \
	    --capath "$W/c" "$CERTDATA"
	tsan_run "the same build again: unchanged" \
	    2 build --intermediates "$CCADB" --bundle "$W/b.pem" \
	    --capath "$W/c" "$CERTDATA"
	tsan_run "build of the bundle alone, to another path" \
	    0 build --intermediates "$CCADB" --bundle "$W/b2.pem" "$CERTDATA"
else
	skip=$((skip + 1))
	echo "skip - corpus '$CORPUS' absent: nothing to run on"
fi
echo "tsan: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
