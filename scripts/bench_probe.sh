#!/bin/sh
# bench_probe.sh: "trustbuild update" with 200 [probe] servers, the probes
# at once (probe-parallel = 16, the default) against one by one
# (probe-parallel = 1), as "make bench" runs it.  Figures, not a test.
#
# The servers (scripts/tlsfarm.py, one process) send only their leaf, whose
# caIssuers URL points at a real nginx (tests/harness/httpd.sh) serving the
# intermediate; each waits BENCH_DELAY_MS (default 100) before its
# handshake, as a server some round trips away would: on loopback a probe
# is otherwise pure CPU, and two cores cannot run 16 handshakes at once.
# Also counted: how many times the one AIA URL was requested in each run
# (it must be once).  BENCH_PROBES sets the number of servers.
set -u
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_PROBES:-200}
DELAY=${BENCH_DELAY_MS:-100}
[ -x ./trustbuild ] || { echo "bench: './trustbuild' is not built" >&2; exit 1; }
command -v nginx >/dev/null 2>&1 ||
	{ echo "bench: probes skipped: nginx is not installed (scripts/deps.sh)"; exit 0; }
WB=$(mktemp -d "${TMPDIR:-/tmp}/trustbuild-benchp.XXXXXX") || exit 1
FARM=""
# httpd.sh wants HARNESS, which lib.sh sets for the tests
HARNESS=$(pwd)/tests/harness
. tests/harness/httpd.sh
trap 'httpd_stop; [ -n "$FARM" ] && kill "$FARM" 2>/dev/null; rm -rf "$WB"' EXIT
trap 'exit 1' HUP INT TERM
mkdir -p "$WB/pki/www"
httpd_start "$WB/pki/www" || exit 1
sh tests/harness/mkpki.sh "$WB/pki" "$HTTPD_URL" >"$WB/mkpki.log" 2>&1 ||
	{ cat "$WB/mkpki.log" >&2; exit 1; }
python3 scripts/tlsfarm.py "$WB/ports" "$N" "$WB/pki/leaf.pem" \
    "$WB/pki/leaf.key" "$DELAY" 600 &
FARM=$!
i=0
while [ ! -s "$WB/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$WB/ports" ] || { echo "bench: tlsfarm did not start" >&2; exit 1; }

# conf NAME PARALLEL: N probes, anchors from the test root
conf() {
	{
		printf '[output]\nbundle = %s/%s/b.crt\ncapath = %s/%s/certs\n' \
		    "$WB" "$1" "$WB" "$1"
		printf 'state = %s/%s/state\nprobe-parallel = %s\n' "$WB" "$1" "$2"
		printf '[source roots]\nurl = %s\n' "$WB/pki/root.pem"
		k=0
		while read -r port; do
			k=$((k + 1))
			printf '[probe s%d]\nurl = tls://127.0.0.1:%s\n' "$k" "$port"
			printf 'aia-private = yes\n'
		done <"$WB/ports"
	} >"$WB/$1.conf"
	mkdir -p "$WB/$1"
}

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# run NAME: wall ms of one update, and the AIA requests it made
run() {
	before=$(grep -c "GET /int.der " "$(httpd_log)")
	t0=$(date +%s%N)
	./trustbuild -q -c "$WB/$1.conf" update >"$WB/$1.out" 2>&1
	st=$?
	t=$(ms "$t0")
	sleep 0.3
	after=$(grep -c "GET /int.der " "$(httpd_log)")
	if [ $st != 0 ] || ! grep -q "1 intermediate for" "$WB/$1.out"; then
		echo "bench: update $1 failed (exit $st):" >&2
		cat "$WB/$1.out" >&2
		exit 1
	fi
	echo "$t $((after - before))"
}

conf seq 1
conf par 16
echo "bench: $N probes, each server answering after $DELAY ms ..." >&2
set -- $(run seq)
seq_ms=$1 seq_aia=$2
set -- $(run par)
par_ms=$1 par_aia=$2
ratio=$(awk -v a="$seq_ms" -v b="$par_ms" 'BEGIN { printf "%.1f", a / b }')
verdict=missed
awk -v r="$ratio" 'BEGIN { exit !(r >= 10) }' && verdict=met
echo
echo "<!-- bench-probe:begin -->"
echo "| scenario | probes | probe-parallel | ms | AIA requests |"
echo "|---|--:|--:|--:|--:|"
echo "| E one by one | $N | 1 | $seq_ms | $seq_aia |"
echo "| E at once | $N | 16 | $par_ms | $par_aia |"
echo
echo "- E target: at once >= 10x faster than one by one -- now ${ratio}x: $verdict"
echo "- each server waits $DELAY ms before its handshake (a remote server's round trips); the leaf alone is sent, its intermediate comes through AIA from nginx"
echo "- AIA: one request per run for the one URL all $N servers name (want 1 in each run)"
echo "<!-- bench-probe:end -->"
