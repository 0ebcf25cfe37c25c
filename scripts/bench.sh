#!/bin/sh
# bench.sh: how long "trustbuild build" takes next to "openssl rehash" on the
# same certificates, as "make bench" runs it from the project root.  These
# are figures, not a test: slowness never fails it; an error of a tool does.
#
#   A  trustbuild build --bundle --capath CERTDATA
#      vs openssl rehash of the same roots, one PEM file each
#   B  A plus --intermediates (CCADB's Mozilla intermediates)
#      vs openssl rehash of the roots plus all those intermediates
#   C  for context: Debian's update-ca-certificates (bundle + linked, rehashed
#      directory) and p11-kit's trust extract (openssl-directory,
#      pem-bundle) on the same sets, as a ratio to openssl rehash
#   D  trustbuild build onto the identical, already published store
#      ("unchanged", exit 2) vs openssl rehash
#   S  start-up: trustbuild --version vs openssl version, and trustbuild
#      list of one PEM certificate vs openssl x509 -noout of it
#   F  A while another process keeps >= 1 GiB dirty on the same filesystem
#      (dd of BENCH_DIRTY_MB, default 1200, without sync, just before):
#      durability must cost what our own files cost, as a ratio to A
#
#   G  generated: one root and 1,000 / 10,000 / 20,000 intermediates it
#      signed (P-256, python3-cryptography), trustbuild build --intermediates
#      --bundle --capath vs openssl rehash of the same files: time per
#      certificate (BENCH_G_SIZES; BENCH_G_RUNS runs each, default 3)
#   H  generated: 50,000 self-signed P-256 roots in one PEM file
#      (BENCH_H_SIZE; python3-cryptography): trustbuild build --bundle
#      --capath to fresh paths vs openssl rehash of the same roots split one
#      a file, time and peak RSS (/usr/bin/time -f %M) of each; then the
#      same build again onto what it published ("unchanged", exit 2, no
#      certificate parsed): its time as a ratio to the full build, and its
#      peak RSS (BENCH_H_RUNS runs each, default 3)
#
# BENCH_ONLY="A F" runs only the scenarios named (default: all); BENCH_TB
# names the binary measured (default ./trustbuild, say an older build).
#
# Each figure is the median wall time of BENCH_RUNS runs (default 7), taken
# with date +%s%N around the command; the scenarios take turns in each round
# so drift hits them all alike.  Every timed run starts from the same state,
# after a sync: trustbuild writes to fresh paths (else it would take its
# "unchanged" shortcut), and openssl rehash, which only adds links, gets a
# fresh copy of the split files, without links; the copying is not timed.
#
# trustbuild publishes durably (fsync() of each file it wrote and of each
# directory it changed) and openssl rehash does not, so the filesystem of
# the work directory matters: it is reported.  BENCH_DIR sets where the work
# directory goes (default ./.bench; /dev/shm gives the CPU-only figures).
# On ext4 without a journal, creating files is slow for some minutes after
# many were deleted (ext4 skips recently freed inodes), and this run itself
# deletes some 100,000 files at the end: leave 6 minutes between two runs.
set -u
cd "$(dirname "$0")/.." || exit 1

CORPUS=../shared/corpus
CERTDATA=$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt
INTER=$CORPUS/ccadb/MozillaIntermediateCerts-atc0005-20260808.pem
RUNS=${BENCH_RUNS:-7}
TB=${BENCH_TB:-./trustbuild}
ONLY=${BENCH_ONLY:-A B C D F S G H}
G_SIZES=${BENCH_G_SIZES:-1000 10000 20000}
G_RUNS=${BENCH_G_RUNS:-3}
H_SIZE=${BENCH_H_SIZE:-50000}
H_RUNS=${BENCH_H_RUNS:-3}
DIRTY_MB=${BENCH_DIRTY_MB:-1200}
PARENT=${BENCH_DIR:-.bench}

want() {	# SCENARIO: 0 if BENCH_ONLY names it
	case " $ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

die() {
	echo "bench: $*" >&2
	exit 1
}

warn() {
	echo "bench: warning: $*" >&2
}

if [ ! -d "$CORPUS" ]; then
	echo "bench: skipped: '$CORPUS' is absent (the shared test corpus)"
	exit 0
fi
for f in "$CERTDATA" "$INTER"; do
	[ -r "$f" ] || die "'$f': not found in the corpus"
done
case $RUNS in
''|*[!0-9]*|0) die "BENCH_RUNS='$RUNS': want a whole number of runs, 1 or more" ;;
esac
[ -x "$TB" ] || die "'$TB' is not built; run 'make' first"
command -v openssl >/dev/null 2>&1 || die "'openssl' not found; install openssl"
case $(date +%N) in
*[!0-9]*|'') die "'date +%N' gives no nanoseconds; this needs GNU date" ;;
esac

mkdir -p "$PARENT" || exit 1
W=$(mktemp -d "$PARENT/bench.XXXXXX") || die "'$PARENT': cannot make a work directory"
W=$(cd "$W" && pwd) || exit 1
trap 'rm -rf "$W"; rmdir "$PARENT" 2>/dev/null' EXIT
trap 'exit 130' HUP INT TERM
chmod 755 "$W"		# p11-kit may run as nobody below; it is all public
LOG=$W/log

# timed SAMPLES CMD...: run CMD, its output to $LOG; append its wall time in
# nanoseconds to the file SAMPLES and leave its exit status in $st.  A sync
# first, untimed, so that each run starts alike (scenario F is the run that
# starts with other processes' dirty pages); timed_nosync skips it.
timed() {
	sync
	timed_nosync "$@"
}
timed_nosync() {
	_samples=$1
	shift
	_t0=$(date +%s%N)
	"$@" >>"$LOG" 2>&1
	st=$?
	_t1=$(date +%s%N)
	echo $((_t1 - _t0)) >>"$_samples"
}

# median SAMPLES: the median of the file's numbers (ns), printed in ms
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		  printf "%.1f\n", m / 1e6 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "n/a" }'
}

failed() {
	echo "bench: $1 failed (exit $st); its output:" >&2
	tail -n 20 "$LOG" >&2
	exit 1
}

# --- preparation, outside any timing ---------------------------------------

# The roots as trustbuild itself selects them: the *.pem files of its CApath
# are single-certificate PEM files.
"$TB" build --capath "$W/seed" "$CERTDATA" >>"$LOG" 2>&1 ||
    { st=$?; failed "trustbuild build (preparing the roots)"; }
mkdir "$W/roots" "$W/all" "$W/roots-rerun"
cp "$W"/seed/*.pem "$W/roots/" || die "no roots in trustbuild's CApath"
cp "$W"/roots/*.pem "$W/all/"
cp "$W"/roots/*.pem "$W/roots-rerun/"
awk -v dir="$W/all" '
/-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/int-%04d.pem", dir, n); p = 1 }
p { print > f }
/-----END CERTIFICATE-----/ { if (p) close(f); p = 0 }' "$INTER"

cp "$W/roots/$(ls "$W/roots" | head -n 1)" "$W/one.pem"

count_files() {	# DIR GLOB
	find "$1" -type f -name "$2" | wc -l | tr -d ' '
}
count_links() {
	find "$1" -type l | wc -l | tr -d ' '
}
n_roots=$(count_files "$W/roots" '*.pem')
n_inter=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$INTER")
n_all=$(count_files "$W/all" '*.pem')
[ "$n_all" = $((n_roots + n_inter)) ] ||
    die "'$INTER': split into $((n_all - n_roots)) files, expected $n_inter"

# The published store for D, and the rehash that D's re-run row repeats.
mkdir "$W/pub"
"$TB" build --bundle "$W/pub/bundle.pem" --capath "$W/pub/capath" \
    "$CERTDATA" >>"$LOG" 2>&1 || { st=$?; failed "trustbuild build (publishing for D)"; }
openssl rehash "$W/roots-rerun" >>"$LOG" 2>&1 || { st=$?; failed "openssl rehash"; }

# p11-kit's trust module reads its paths from a module config; a private one
# under a private HOME points it at the same sets.  p11-kit ignores the user
# config of root, so as root it runs as nobody.
P11=
AS=
p11_why=
if ! want C; then
	p11_why="not asked for (BENCH_ONLY)"
elif ! command -v trust >/dev/null 2>&1; then
	p11_why="p11-kit trust not installed"
elif [ "$(id -u)" = 0 ]; then
	nobody_uid=$(id -u nobody 2>/dev/null)
	nobody_gid=$(id -g nobody 2>/dev/null)
	if [ -z "$nobody_uid" ]; then
		p11_why="running as root and there is no user 'nobody' to run p11-kit trust as"
	elif command -v setpriv >/dev/null 2>&1; then
		AS="setpriv --reuid=$nobody_uid --regid=$nobody_gid --clear-groups"
	else
		p11_why="running as root and setpriv (util-linux) is missing to run p11-kit trust as nobody"
	fi
fi
p11_setup() {	# NAME SRCDIR: a store and a HOME for set NAME
	mkdir -p "$W/p11/$1/store" "$W/p11/$1/home/.config/pkcs11/modules"
	cp -R "$2" "$W/p11/$1/store/anchors"
	find "$W/p11/$1/store/anchors" -type l -exec rm -f {} +
	printf '%s\n' 'module: p11-kit-trust.so' 'priority: 1' 'trust-policy: yes' \
	    "x-init-reserved: paths=$W/p11/$1/store" \
	    >"$W/p11/$1/home/.config/pkcs11/modules/p11-kit-trust.module"
	[ -z "$AS" ] || chown -R "$nobody_uid:$nobody_gid" "$W/p11/$1"
}
p11_extract() {	# NAME FORMAT OUT: trust extract of set NAME to path OUT
	$AS env HOME="$W/p11/$1/home" trust extract --format="$2" \
	    --filter=ca-anchors --purpose=server-auth "$3"
}
if [ -z "$p11_why" ]; then
	p11_setup roots "$W/roots"
	p11_setup all "$W/all"
	mkdir "$W/p11/check"
	[ -z "$AS" ] || chown "$nobody_uid:$nobody_gid" "$W/p11/check"
	if p11_extract roots pem-bundle "$W/p11/check/roots.pem" >>"$LOG" 2>&1 &&
	    n=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$W/p11/check/roots.pem") &&
	    [ "$n" = "$n_roots" ]; then
		P11=yes
	else
		p11_why="p11-kit trust could not be pointed at the benchmark roots"
		p11_why="$p11_why (got ${n:-no} certificates, want $n_roots)"
	fi
fi

# Debian's update-ca-certificates, pointed at private copies of the same sets
# by its own options: it writes a bundle, links each certificate into the
# directory and runs openssl rehash there: the same two outputs.
UCA=
uca_why=
if ! want C; then
	uca_why="not asked for (BENCH_ONLY)"
elif ! command -v update-ca-certificates >/dev/null 2>&1; then
	uca_why="update-ca-certificates not installed"
else
	for set in roots all; do
		mkdir -p "$W/uca/$set/certs"
		for f in "$W/$set"/*.pem; do
			b=$(basename "$f" .pem)
			cp "$f" "$W/uca/$set/certs/$b.crt"
			echo "$b.crt"
		done >"$W/uca/$set/conf"
	done
	mkdir -p "$W/uca/local" "$W/uca/hooks"
	UCA=yes
fi
uca_run() {	# SAMPLES SET
	fresh
	timed "$1" update-ca-certificates --fresh --certsconf "$W/uca/$2/conf" \
	    --certsdir "$W/uca/$2/certs" --localcertsdir "$W/uca/local" \
	    --etccertsdir "$dir" --hooksdir "$W/uca/hooks"
	[ "$st" = 0 ] || failed "update-ca-certificates ($2)"
}

# --- the runs ----------------------------------------------------------------

S=$W/samples
mkdir "$S" "$W/o"

# Nothing is removed between timed runs: every run writes to a directory of
# its own, and the rehash runs get fresh copies of the split files.  ext4's
# inode allocator skips inodes deleted in the last minutes, and deleting
# thousands of them slows every later run that creates files.
n_out=0
fresh() {	# a new empty directory, its name in $dir
	n_out=$((n_out + 1))
	dir=$W/o/$n_out
	mkdir "$dir"
}

tb_fresh() {	# SAMPLES [BUILD-OPTIONS...]: trustbuild build into fresh paths
	_s=$1
	shift
	fresh
	timed "$_s" "$TB" build "$@" --bundle "$dir/bundle.pem" \
	    --capath "$dir/capath" "$CERTDATA"
	case $st in
	0) ;;
	2) warn "trustbuild build to fresh paths said 'unchanged'" ;;
	*) failed "trustbuild build $*" ;;
	esac
}

tb_unchanged() {	# SAMPLES: trustbuild build onto the published store
	timed "$1" "$TB" build --bundle "$W/pub/bundle.pem" \
	    --capath "$W/pub/capath" "$CERTDATA"
	case $st in
	2) ;;
	0) unchanged_missed=$((unchanged_missed + 1)) ;;
	*) failed "trustbuild build (unchanged)" ;;
	esac
}

rehash_fresh() {	# SAMPLES DIR: openssl rehash of a copy of DIR, no links
	fresh
	cp "$2"/*.pem "$dir/"
	timed "$1" openssl rehash "$dir"
	[ "$st" = 0 ] || failed "openssl rehash '$dir'"
}

rehash_rerun() {	# SAMPLES DIR: openssl rehash where its links already are
	timed "$1" openssl rehash "$2"
	[ "$st" = 0 ] || failed "openssl rehash '$2'"
}

p11_run() {	# SAMPLES NAME FORMAT
	fresh
	[ -z "$AS" ] || chown "$nobody_uid:$nobody_gid" "$dir"
	timed "$1" p11_extract "$2" "$3" "$dir/out"
	[ "$st" = 0 ] || failed "p11-kit trust extract --format=$3 ($2)"
}

# tb_dirty SAMPLES: A, started right after DIRTY_MB were written (not synced)
# to the same filesystem; the dirty kB then (/proc/meminfo) into $S/dirty
tb_dirty() {
	sync
	dd if=/dev/zero of="$W/dirty" bs=1M count="$DIRTY_MB" 2>/dev/null ||
	    die "dd of $DIRTY_MB MB into '$W' failed"
	awk '/^Dirty:/ { print $2 }' /proc/meminfo >>"$S/dirty"
	fresh
	timed_nosync "$1" "$TB" build --bundle "$dir/bundle.pem" \
	    --capath "$dir/capath" "$CERTDATA"
	[ "$st" = 0 ] || failed "trustbuild build (F)"
	rm -f "$W/dirty"	# dropped unwritten: no disk traffic for it
}

startup() {	# SUFFIX: start-up figures, 3 of each
	for _i in 1 2 3; do
		timed_nosync "$S/tbV$1" "$TB" --version
		timed_nosync "$S/osV$1" openssl version
		timed_nosync "$S/tbL$1" "$TB" list "$W/one.pem"
		[ "$st" = 0 ] || failed "trustbuild list"
		timed_nosync "$S/osL$1" openssl x509 -noout -in "$W/one.pem"
	done
}

round() {	# SUFFIX: one run of each; SUFFIX "" keeps the figures
	_x=$1
	want S && startup "$_x"
	tb_fresh "$S/tbA$_x"
	tbA_dir=$dir
	rehash_fresh "$S/rhA$_x" "$W/roots"
	rhA_dir=$dir
	if want F; then
		tb_dirty "$S/tbF$_x"
	fi
	if want B; then
		tb_fresh "$S/tbB$_x" --intermediates "$INTER"
		tbB_dir=$dir
		rehash_fresh "$S/rhB$_x" "$W/all"
		rhB_dir=$dir
	fi
	want D && tb_unchanged "$S/tbD$_x"
	timed "$S/floor$_x" /bin/true
	want C || return 0
	if [ -n "$P11" ]; then
		p11_run "$S/p11dA$_x" roots openssl-directory
		p11_run "$S/p11bA$_x" roots pem-bundle
		p11_run "$S/p11dB$_x" all openssl-directory
		p11_run "$S/p11bB$_x" all pem-bundle
	fi
	if [ -n "$UCA" ]; then
		uca_run "$S/ucaA$_x" roots
		uca_run "$S/ucaB$_x" all
	fi
	# shellcheck disable=SC2086 # $AS is a command line, split on purpose
	[ -z "$AS" ] || timed "$S/asfloor$_x" $AS /bin/true
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
unchanged_missed=0
echo "bench: warming up, then $RUNS rounds ..." >&2
round .warmup
unchanged_missed=0
i=0
while [ "$i" -lt "$RUNS" ]; do
	round ""
	i=$((i + 1))
done
# Last, as each of these runs removes and remakes the links.
if want D; then
	rehash_rerun "$S/rhD.warmup" "$W/roots-rerun"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		rehash_rerun "$S/rhD" "$W/roots-rerun"
		i=$((i + 1))
	done
fi

# G: generated sets, each size in turns of trustbuild and rehash
g_why=
if want G && ! python3 -c 'import cryptography' 2>/dev/null; then
	g_why="python3 with the cryptography module is needed to generate the set"
elif want G; then
	mkdir "$W/g"
	for n in $G_SIZES; do
		python3 "$(pwd)/scripts/bench_gen.py" "$n" "$W/g/root.pem" \
		    "$W/g/int$n.pem" || die "generating $n intermediates failed"
		mkdir "$W/g/split$n"
		cat "$W/g/root.pem" "$W/g/int$n.pem" | awk -v dir="$W/g/split$n" '
		/-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/c-%05d.pem", dir, n) }
		{ print > f }
		/-----END CERTIFICATE-----/ { close(f) }'
		i=0
		while [ "$i" -lt "$G_RUNS" ]; do
			fresh
			timed "$S/tbG$n" "$TB" build --intermediates "$W/g/int$n.pem" \
			    --bundle "$dir/bundle.pem" --capath "$dir/capath" "$W/g/root.pem"
			[ "$st" = 0 ] || failed "trustbuild build (G, $n)"
			g_admitted=$(($(grep -c -- '-----BEGIN CERTIFICATE-----' "$dir/bundle.pem") - 1))
			[ "$g_admitted" = "$n" ] ||
			    warn "G: $g_admitted of $n intermediates admitted"
			rehash_fresh "$S/rhG$n" "$W/g/split$n"
			i=$((i + 1))
		done
	done
fi

# H: many roots: a full build and rehash in turns, then the unchanged
# build onto each full build's outputs; peak RSS (kB) of each run from
# /usr/bin/time into $S/NAME.rss
h_why=
rss() {	# SAMPLES CMD...: timed CMD, its peak RSS (kB) appended to SAMPLES.rss
	_r=$1
	shift
	timed "$_r" /usr/bin/time -f %M -o "$W/rss" "$@"
	tail -n 1 "$W/rss" >>"$_r.rss"
}
if want H && ! python3 -c 'import cryptography' 2>/dev/null; then
	h_why="python3 with the cryptography module is needed to generate the set"
elif want H && [ ! -x /usr/bin/time ]; then
	h_why="GNU time (/usr/bin/time) is needed for the peak RSS: sh scripts/deps.sh"
elif want H; then
	mkdir -p "$W/h/split"
	python3 "$(pwd)/scripts/bench_gen.py" --roots "$H_SIZE" "$W/h/roots.pem" ||
	    die "generating $H_SIZE roots failed"
	awk -v dir="$W/h/split" '
	/-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/r-%06d.pem", dir, n) }
	{ print > f }
	/-----END CERTIFICATE-----/ { close(f) }' "$W/h/roots.pem"
	i=0
	while [ "$i" -lt "$H_RUNS" ]; do
		fresh
		rss "$S/tbH" "$TB" build --bundle "$dir/bundle.pem" \
		    --capath "$dir/capath" "$W/h/roots.pem"
		[ "$st" = 0 ] || failed "trustbuild build (H)"
		rss "$S/tbHu" "$TB" build --bundle "$dir/bundle.pem" \
		    --capath "$dir/capath" "$W/h/roots.pem"
		[ "$st" = 2 ] || { [ "$st" = 0 ] && warn "H: the unchanged build published a change"; } ||
		    failed "trustbuild build (H, unchanged)"
		h_certs=$(count_files "$dir/capath/" '*.pem')
		fresh	# not cp split/*.pem: 50,000 names pass ARG_MAX
		cp -R "$W/h/split/." "$dir/" || die "copying the H roots failed"
		[ "$(count_files "$dir" '*.pem')" = "$H_SIZE" ] ||
		    die "'$dir': the $H_SIZE roots were not all copied"
		rss "$S/rhH" openssl rehash "$dir"
		[ "$st" = 0 ] || failed "openssl rehash (H)"
		i=$((i + 1))
	done
fi

# Counts, from what the last round wrote.
tbA_certs=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$tbA_dir/bundle.pem")
tbA_links=$(count_links "$tbA_dir/capath/")
rhA_links=$(count_links "$rhA_dir")
if want B; then
	tbB_certs=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$tbB_dir/bundle.pem")
	tbB_links=$(count_links "$tbB_dir/capath/")
	rhB_links=$(count_links "$rhB_dir")
fi

# --- the report --------------------------------------------------------------

# median SAMPLES, or "n/a" when the scenario did not run
med() {
	if [ -s "$1" ]; then median "$1"; else echo n/a; fi
}
tbA=$(med "$S/tbA") rhA=$(med "$S/rhA")
tbB=$(med "$S/tbB") rhB=$(med "$S/rhB")
tbD=$(med "$S/tbD") rhD=$(med "$S/rhD")
tbF=$(med "$S/tbF")
tbV=$(med "$S/tbV") osV=$(med "$S/osV") tbL=$(med "$S/tbL") osL=$(med "$S/osL")
rV=$(ratio "$tbV" "$osV") rL=$(ratio "$tbL" "$osL")
rA=$(ratio "$tbA" "$rhA") rB=$(ratio "$tbB" "$rhB")
rD=$(ratio "$tbD" "$rhA") rD2=$(ratio "$tbD" "$rhD")
rF=$(ratio "$tbF" "$tbA")
floor=$(median "$S/floor")

mb() {	# SAMPLES of kB: the largest, in MB
	sort -n "$1" | tail -n 1 | awk '{ printf "%.1f\n", $1 / 1024 }'
}

verdict() {	# RATIO LIMIT
	awk -v r="$1" -v l="$2" 'BEGIN { print (r + 0 <= l + 0) ? "met" : "missed" }'
}

fs=$(df -T "$W" | awk 'NR == 2 { print $2 " (" $1 " on " $NF ")" }')

# rows, tab-separated: scenario, subject, certs, subject ms, peer, peer ms, ratio
ROWS=$W/rows
{
	printf 'A\ttrustbuild build --bundle --capath\t%s\t%s\topenssl rehash\t%s\t%s\n' \
	    "$n_roots" "$tbA" "$rhA" "$rA"
	want B && printf 'B\ttrustbuild build --intermediates --bundle --capath\t%s + %s\t%s\topenssl rehash\t%s\t%s\n' \
	    "$n_roots" "$n_inter" "$tbB" "$rhB" "$rB"
	if want D; then
		printf 'D\ttrustbuild build, unchanged (exit 2)\t%s\t%s\topenssl rehash\t%s\t%s\n' \
		    "$n_roots" "$tbD" "$rhA" "$rD"
		printf 'D\ttrustbuild build, unchanged (exit 2)\t%s\t%s\topenssl rehash, links already there\t%s\t%s\n' \
		    "$n_roots" "$tbD" "$rhD" "$rD2"
	fi
	want F && printf 'F\tA, %s MB of others dirty (median %s MiB at start)\t%s\t%s\tA\t%s\t%s\n' \
	    "$DIRTY_MB" "$(sort -n "$S/dirty" | awk '{ v[NR] = $1 } END { printf "%d", v[int((NR + 1) / 2)] / 1024 }')" \
	    "$n_roots" "$tbF" "$tbA" "$rF"
	if want S; then
		printf 'S\ttrustbuild --version\t-\t%s\topenssl version\t%s\t%s\n' \
		    "$tbV" "$osV" "$rV"
		printf 'S\ttrustbuild list ONE.pem\t1\t%s\topenssl x509 -noout\t%s\t%s\n' \
		    "$tbL" "$osL" "$rL"
	fi
	if want G && [ -z "$g_why" ]; then
		for n in $G_SIZES; do
			tb=$(median "$S/tbG$n") rh=$(median "$S/rhG$n")
			printf 'G\ttrustbuild build --intermediates, %s us/cert\t1 + %s\t%s\topenssl rehash, %s us/cert\t%s\t%s\n' \
			    "$(awk -v t="$tb" -v n="$n" 'BEGIN { printf "%.0f", t * 1000 / (n + 1) }')" \
			    "$n" "$tb" \
			    "$(awk -v t="$rh" -v n="$n" 'BEGIN { printf "%.0f", t * 1000 / (n + 1) }')" \
			    "$rh" "$(ratio "$tb" "$rh")"
		done
	fi
	if want H && [ -z "$h_why" ]; then
		tb=$(median "$S/tbH") tbu=$(median "$S/tbHu") rh=$(median "$S/rhH")
		printf 'H\ttrustbuild build --bundle --capath\t%s\t%s\topenssl rehash\t%s\t%s\n' \
		    "$h_certs" "$tb" "$rh" "$(ratio "$tb" "$rh")"
		printf 'H\ttrustbuild build, unchanged (exit 2)\t%s\t%s\tthe full build (H)\t%s\t%s\n' \
		    "$h_certs" "$tbu" "$tb" "$(ratio "$tbu" "$tb")"
		tbr=$(mb "$S/tbH.rss") tbur=$(mb "$S/tbHu.rss") rhr=$(mb "$S/rhH.rss")
		printf 'H\ttrustbuild build, peak RSS in MB (not ms)\t%s\t%s\topenssl rehash, peak RSS in MB\t%s\t%s\n' \
		    "$h_certs" "$tbr" "$rhr" "$(ratio "$tbr" "$rhr")"
		printf 'H\ttrustbuild build unchanged, peak RSS in MB\t%s\t%s\topenssl rehash, peak RSS in MB\t%s\t%s\n' \
		    "$h_certs" "$tbur" "$rhr" "$(ratio "$tbur" "$rhr")"
	fi
	if want C && [ -n "$UCA" ]; then
		for set in A B; do
			rh=$rhA certs=$n_roots
			[ $set = A ] || { rh=$rhB; certs="$n_roots + $n_inter"; }
			ms=$(median "$S/uca$set")
			printf 'C (%s set)\tupdate-ca-certificates --fresh\t%s\t%s\topenssl rehash\t%s\t%s\n' \
			    "$set" "$certs" "$ms" "$rh" "$(ratio "$ms" "$rh")"
		done
	fi
	if want C && [ -n "$P11" ]; then
		for set in A B; do
			rh=$rhA certs=$n_roots
			[ $set = A ] || { rh=$rhB; certs="$n_roots + $n_inter"; }
			for fmt in openssl-directory pem-bundle; do
				k=d
				[ $fmt = openssl-directory ] || k=b
				ms=$(median "$S/p11$k$set")
				printf 'C (%s set)\tp11-kit trust extract --format=%s\t%s\t%s\topenssl rehash\t%s\t%s\n' \
				    "$set" "$fmt" "$certs" "$ms" "$rh" "$(ratio "$ms" "$rh")"
			done
		done
	fi
} >"$ROWS"

targets() {
	echo "A target: <= 1.0x openssl rehash -- now ${rA}x: $(verdict "$rA" 1.0)"
	want B && echo "B target: <= 1.5x openssl rehash -- now ${rB}x: $(verdict "$rB" 1.5)"
	want D && echo "D target: <= 1.1x openssl rehash -- now ${rD}x: $(verdict "$rD" 1.1)"
	want F && echo "F target: <= 1.5x A -- now ${rF}x: $(verdict "$rF" 1.5)"
	if want G && [ -z "$g_why" ]; then
		g1=$(set -- $G_SIZES; echo "$1") gN=$(set -- $G_SIZES; eval echo "\${$#}")
		pc1=$(awk -v t="$(median "$S/tbG$g1")" -v n="$g1" 'BEGIN { print t / (n + 1) }')
		pcN=$(awk -v t="$(median "$S/tbG$gN")" -v n="$gN" 'BEGIN { print t / (n + 1) }')
		rG=$(ratio "$pcN" "$pc1")
		worst=$(for n in $G_SIZES; do ratio "$(median "$S/tbG$n")" "$(median "$S/rhG$n")"; done | sort -n | tail -n 1)
		echo "G target: per certificate at $gN <= 1.3x at $g1 -- now ${rG}x: $(verdict "$rG" 1.3);" \
		    "<= 2x openssl rehash at every size -- worst ${worst}x: $(verdict "$worst" 2)"
	fi
	want G && [ -n "$g_why" ] && echo "G: skipped: $g_why"
	if want H && [ -z "$h_why" ]; then
		rH=$(ratio "$(median "$S/tbHu")" "$(median "$S/tbH")")
		echo "H target: unchanged <= 0.3x the full build -- now ${rH}x: $(verdict "$rH" 0.3);" \
		    "peak RSS <= 120 MB -- now $(mb "$S/tbH.rss") MB: $(verdict "$(mb "$S/tbH.rss")" 120)"
	fi
	want H && [ -n "$h_why" ] && echo "H: skipped: $h_why"
	want S && echo "S target: <= 1.5x openssl -- now ${rV}x (--version)," \
	    "${rL}x (list): $(verdict "$rV" 1.5), $(verdict "$rL" 1.5)"
	true
}

notes() {
	echo "median of $RUNS runs each, wall time; work directory on $fs;" \
	    "load average at the start $load0, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
	case $fs in
	ext4*) echo "ext4: give the filesystem 6 minutes after large deletions" \
	    "(a previous run's cleanup) or file creation is slow" ;;
	esac
	echo "$("$TB" --version 2>&1 | head -n 1);" \
	    "$(openssl version | cut -d' ' -f1-2)${P11:+; p11-kit $(dpkg-query -W -f '${Version}' p11-kit 2>/dev/null || echo '?')}"
	echo "timer floor (date + fork/exec of /bin/true): $floor ms, in every figure"
	want C && [ -n "$P11" ] && [ -n "$AS" ] &&
	    echo "p11-kit runs as nobody through setpriv (root's user config is ignored): +$(median "$S/asfloor") ms floor"
	echo "certificates: $n_roots roots from certdata (trustbuild's server-auth selection);" \
	    "$n_inter intermediates in the CCADB file"
	_b=
	[ -z "${tbB_certs:-}" ] || _b="; B: $tbB_certs certs ($((tbB_certs - tbA_certs)) intermediates admitted), $tbB_links hash links"
	echo "  trustbuild wrote A: $tbA_certs certs, $tbA_links hash links$_b"
	_b=
	[ -z "${rhB_links:-}" ] || _b="; B: $rhB_links of $n_all files"
	echo "  openssl rehash linked A: $rhA_links of $n_roots files$_b"
	if want H && [ -z "$h_why" ]; then
		echo "H: $H_SIZE generated roots in one PEM file ($(du -k "$W/h/roots.pem" | cut -f1) kB)," \
		    "median of $H_RUNS runs; peak RSS (/usr/bin/time %M): the largest of the runs"
	fi
	[ "$unchanged_missed" = 0 ] ||
	    echo "  warning: $unchanged_missed of $RUNS 'unchanged' runs published a change (exit 0)"
	true
}

echo
echo "trustbuild vs openssl rehash"
notes
echo
awk -F '\t' '
BEGIN { printf "%-10s %-52s %11s %9s  %-36s %9s %7s\n", "scenario", "subject", "certs",
	    "ms", "peer", "peer ms", "ratio" }
{ printf "%-10s %-52s %11s %9s  %-36s %9s %6sx\n", $1, $2, $3, $4, $5, $6, $7 }' "$ROWS"
echo
targets
if want C; then
	[ -n "$P11" ] || echo "C: skipped: $p11_why"
	[ -n "$UCA" ] || echo "C: skipped: $uca_why"
fi

echo
echo "<!-- bench:begin -->"
echo "| scenario | subject | certs | ms | peer | peer ms | ratio |"
echo "|---|---|--:|--:|---|--:|--:|"
awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s | %sx |\n", $1, $2, $3, $4, $5, $6, $7 }' "$ROWS"
echo
targets | sed 's/^/- /'
if want C; then
	[ -n "$P11" ] || echo "- C: skipped: $p11_why"
	[ -n "$UCA" ] || echo "- C: skipped: $uca_why"
fi
echo
notes | sed 's/^  /  - /; s/^\([^ ]\)/- \1/'
echo "<!-- bench:end -->"
