#!/bin/sh
# fleet-sim.sh: a fleet on this machine, as "make fleet-sim" runs it from
# the project root.  Figures, not a test: a slow run never fails it; an
# error of a host does.
#
# A central host publishes Mozilla's set (the corpus's certdata.txt) and
# exports it ([export]); one nginx (tests/harness/httpd.sh) serves the
# directory; FLEET_HOSTS hosts (default 200), each with its own state and
# outputs (bundle and CApath), update from it ([source central], signer =),
# each starting at a random instant within FLEET_SPLAY seconds (default 10),
# as cron's RandomizedDelaySec would.  Three rounds:
#
#   first    every host fetches the manifest, its signature and each object
#   same     nothing changed: each host's one conditional GET, a 304
#   change   central leaves one root out (exclude =): each host fetches the
#            new manifest, its signature and the new set object only
#
# For each round, from nginx's log (the bytes it sent, headers included):
# requests and bytes per host, the statuses; the time from the round's
# start until the last host is done, and each host's own time (median and
# max, without its splay).  FLEET_DIR sets the work directory's parent
# (default ./.fleet-sim; it is removed at the end).
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
TB=$top/trustbuild
HOSTS=${FLEET_HOSTS:-200}
SPLAY=${FLEET_SPLAY:-10}
CERTDATA=../shared/corpus/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
HARNESS=$top/tests/harness

die() {
	echo "fleet-sim: $*" >&2
	exit 1
}
[ -x "$TB" ] || die "build ./trustbuild first (make)"
[ -f "$CERTDATA" ] || die "'$CERTDATA' absent: the corpus is needed"
command -v nginx >/dev/null || die "nginx is not installed (scripts/deps.sh)"
mkdir -p "${FLEET_DIR:-.fleet-sim}" || exit 1
W=$(mktemp -d "${FLEET_DIR:-$top/.fleet-sim}/run.XXXXXX") || exit 1
W=$(cd "$W" && pwd)
. "$HARNESS/httpd.sh"
server_cleanup "rm -rf '$W'"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# a host's CPU time (user + system, ms) as the last line of its stderr
TIME=""
[ -x /usr/bin/time ] && TIME="/usr/bin/time -f %U+%S"

# --- the central host ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/export.key" -out "$W/export.crt" -subj "/CN=fleet-sim" \
    -days 3650 2>/dev/null || die "openssl cannot make the export key"
chmod 600 "$W/export.key"
central() {
	printf '[output]\nbundle = %s\ncapath =\nstate = %s\n' \
	    "$W/central/bundle.crt" "$W/central/state"
	[ $# = 0 ] || printf 'exclude = %s\n' "$1"
	printf '[source mozilla]\nurl = %s\n' "$top/$CERTDATA"
	printf '[export]\ndir = %s\nkey = %s\ncert = %s\n' "$W/srv" \
	    "$W/export.key" "$W/export.crt"
}
mkdir -p "$W/central"
central >"$W/central.conf"
"$TB" -q -c "$W/central.conf" update >/dev/null ||
    die "the central host's update failed"
nobj=$(($(grep -c '' "$W/srv/manifest") - 4))
httpd_start "$W/srv" || die "nginx does not start"
BYTES=$HTTPD_DIR/bytes.log

i=0
while [ "$i" -lt "$HOSTS" ]; do
	mkdir -p "$W/h$i"
	printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n' \
	    "$W/h$i/bundle.crt" "$W/h$i/certs" "$W/h$i/state" >"$W/h$i.conf"
	printf '[source central]\nurl = %s/manifest\nsigner = %s\n' \
	    "$HTTPD_URL" "$W/export.crt" >>"$W/h$i.conf"
	i=$((i + 1))
done

# round NAME WANT: every host at a random instant within SPLAY s; each
# must exit WANT (0 published, 2 unchanged); then the figures
round() {
	: >"$BYTES"
	# each host's splay, in ms, drawn at once: the loop only forks
	awk -v n="$HOSTS" -v s="$SPLAY" -v seed="$(od -An -N4 -tu4 /dev/urandom)" \
	    'BEGIN { srand(seed); for (i = 0; i < n; i++) {
	    ms = int(rand() * s * 1000)
	    printf "%d %d.%03d\n", i, ms / 1000, ms % 1000 } }' >"$W/splay"
	t0=$(now_ms)
	pids=""
	while read -r i d; do
		(
			sleep "$d"
			a=$(now_ms)
			$TIME "$TB" -q -c "$W/h$i.conf" update >"$W/h$i.out" \
			    2>"$W/h$i.err"
			echo "$? $(($(now_ms) - a)) $(now_ms) $(tail -1 \
			    "$W/h$i.err")" >"$W/h$i.rc"
		) &
		pids="$pids $!"
	done <"$W/splay"
	for p in $pids; do wait "$p"; done	# not nginx
	bad=$(cat "$W"/h*.rc | awk -v w="$2" '$1 != w' | wc -l)
	[ "$bad" = 0 ] || { cat "$W"/h0.err; die "$1: $bad hosts did not exit $2"; }
	sleep 0.5	# nginx logs a request just after answering it
	end=$(cat "$W"/h*.rc | awk '$3 > m { m = $3 } END { print m }')
	cat "$W"/h*.rc | awk '{ print $2 }' | sort -n >"$W/times"
	med=$(awk -v n="$HOSTS" 'NR == int((n + 1) / 2)' "$W/times")
	max=$(tail -1 "$W/times")
	cpu=$(cat "$W"/h*.rc | awk '{ split($4, t, "+"); c += t[1] + t[2] }
	    END { printf "%.0f", c * 1000 / NR }')
	awk -v n="$HOSTS" -v name="$1" -v all=$((end - t0)) -v med="$med" \
	    -v max="$max" -v cpu="${TIME:+$cpu}" '
	    { bytes += $1; st[$2]++ }
	    END {
		s = ""
		for (k in st) s = s sprintf("%s %s×%d", s == "" ? "" : ",", k, st[k])
		printf "%-7s %9.1f %12.0f %9.1f %7.0f %7.0f %6s   %s\n", name,
		    NR / n, bytes / n, all / 1000, med, max, cpu, s
	    }' "$BYTES"
}

echo "fleet-sim: $HOSTS hosts, splay ${SPLAY} s, one nginx, a store of $nobj objects"
echo "($(grep -c BEGIN "$W/central/bundle.crt") certificates from $(basename "$CERTDATA"));" \
    "$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg) at the start"
echo
echo "round   req/host   bytes/host   all (s)  host ms median/max cpu ms  statuses"
round first 0
round same 2
sha=$(openssl x509 -in "$W/central/bundle.crt" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g')
central "$sha" >"$W/central.conf"
"$TB" -q -c "$W/central.conf" update >/dev/null ||
    die "the central host's update of the change failed"
round change 0
round same 2
echo
echo "'all' runs from the round's start to the last host done: it includes"
echo "the splay; 'host ms' is one host's own update, without it (wall time,"
echo "all hosts sharing the CPUs); 'cpu ms' its CPU time, the mean."
