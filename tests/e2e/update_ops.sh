#!/bin/sh
# update in operation: hooks and the reload command (and their failures),
# two runs at once (kill -9: e2e/crash.sh), an unwritable output
# directory, a full disk, https with an explicit CA, and the built-in
# configuration on a machine without network falling back to the system
# store.
. "$(dirname "$0")/../harness/lib.sh"
SPID=""
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; true' EXIT
trap 'exit 1' HUP INT PIPE TERM

# conf NAME URL [lines...]: $W/NAME.conf, outputs and state under $W/NAME
conf() {
	n=$1
	u=$2
	shift 2
	{ conf_output "$W/$n" "$@"; printf '[source up]\nurl = %s\n' "$u"; } \
	    >"$W/$n.conf"
}

# --- hooks ---
SRC=$W/src.pem
cp "$FIX/root-a.pem" "$SRC"
conf h "$SRC" "reload = echo reloaded \$TRUSTBUILD_ADDED >>$W/h/reload.log" \
    "hook-timeout = 2"
mkdir -p "$W/h/hooks.d"
cat >"$W/h/hooks.d/10-record" <<EOF
#!/bin/sh
cat >>"$W/h/hook.stdin"
echo "\$TRUSTBUILD_BUNDLE \$TRUSTBUILD_CAPATH +\$TRUSTBUILD_ADDED -\$TRUSTBUILD_REMOVED" >>"$W/h/hook.env"
EOF
chmod 755 "$W/h/hooks.d/10-record"
printf '#!/bin/sh\ntouch %s/h/ran-dpkg-old\n' "$W" >"$W/h/hooks.d/20-x.dpkg-old"
printf '#!/bin/sh\ntouch %s/h/ran-noexec\n' "$W" >"$W/h/hooks.d/30-noexec"
chmod 755 "$W/h/hooks.d/20-x.dpkg-old"
run 0 "a first publication runs the hooks" "$TB" -q -c "$W/h.conf" update
check "the hook saw the outputs in its environment" grep -qx \
    "$W/h/bundle.crt $W/h/certs +1 -0" "$W/h/hook.env"
check "and the change on its stdin" grep -q "^+ [0-9a-f]\{64\} CN=Test Root A" \
    "$W/h/hook.stdin"
check "the reload command ran after it" grep -qx "reloaded 1" "$W/h/reload.log"
check "names run-parts would skip are skipped" [ ! -e "$W/h/ran-dpkg-old" ]
check "files that are not executable are skipped" [ ! -e "$W/h/ran-noexec" ]
run 2 "no change: no hooks" "$TB" -q -c "$W/h.conf" update
check "the hook ran once" [ "$(wc -l <"$W/h/hook.env")" = 1 ]

# a failing hook: the store stays published, exit 1, and the hooks run
# again at the next update with the change they missed
printf '#!/bin/sh\nexit 3\n' >"$W/h/hooks.d/15-fails"
chmod 755 "$W/h/hooks.d/15-fails"
cat "$FIX/root-a.pem" "$FIX/root-b.pem" >"$SRC"
run 1 "a failing hook: exit 1" "$TB" -q -c "$W/h.conf" update
err_has "naming the hook and its status" "hook '.*/15-fails': failed with exit status 3"
err_has "saying the store is published and the hooks run again" \
    "published, but a hook failed; the hooks run again"
check "the store is published anyway" \
    [ "$(grep -c 'BEGIN CERTIFICATE' "$W/h/bundle.crt")" = 2 ]
check "the other hooks still ran" [ "$(wc -l <"$W/h/hook.env")" = 2 ]
rm "$W/h/hooks.d/15-fails"
: >"$W/h/hook.stdin"
run 2 "the next run, unchanged, reruns the hooks: exit 2" "$TB" -c \
    "$W/h.conf" update
err_has "and says so" "hooks of an earlier change failed; running them again"
check "the hook got the change it missed" grep -q "^+ .*CN=Test Root B" \
    "$W/h/hook.stdin"
check "the pending record is gone" [ ! -e "$W/h/state/hooks-pending" ]
run 2 "and then they are done" "$TB" -c "$W/h.conf" update
check "(no third run of the hook)" [ "$(wc -l <"$W/h/hook.env")" = 3 ]

# a hook that hangs is killed after hook-timeout
printf '#!/bin/sh\nsleep 60\n' >"$W/h/hooks.d/40-hangs"
chmod 755 "$W/h/hooks.d/40-hangs"
cp "$FIX/roots.pem" "$SRC"
cat "$FIX/expired-root.pem" >>"$SRC"
cp "$FIX/root-a.pem" "$W/c.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/c.key" -subj "/CN=Test Root C" -days 3650 \
    -addext basicConstraints=critical,CA:true -out "$W/c.pem" 2>/dev/null
cat "$W/c.pem" >>"$SRC"
t0=$(date +%s)
run 1 "a hanging hook: exit 1" "$TB" -q -c "$W/h.conf" update
err_has "it is killed after hook-timeout" "40-hangs': still running after 2 s.*killed"
check "within a few seconds" [ $(($(date +%s) - t0)) -lt 10 ]
rm "$W/h/hooks.d/40-hangs"

# --- two runs at once ---
if have_corpus "concurrent updates"; then
	conf cc "$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt"
	"$TB" -c "$W/cc.conf" update >"$W/cc1.out" 2>&1 &
	p1=$!
	"$TB" -c "$W/cc.conf" update >"$W/cc2.out" 2>&1 &
	p2=$!
	wait "$p1"
	r1=$?
	wait "$p2"
	r2=$?
	check "two updates at once: one publishes, one finds it done" \
	    [ "$r1$r2" = 02 -o "$r1$r2" = 20 ]
	check "each printed one summary line" \
	    [ "$(cat "$W/cc1.out" "$W/cc2.out" | grep -c 'for server-auth:')" = 2 ]
	check "openssl verifies the published bundle" openssl verify -CAfile \
	    "$W/cc/bundle.crt" -partial_chain "$W/cc/bundle.crt"
fi
conf lk "$FIX/roots.pem" "lock-wait = 1"
mkdir -p "$W/lk/state"
# flock -o: the lock is flock's own, so killing flock frees it; the
# sleep it runs is stopped too, by its recorded pid
flock -o "$W/lk/state/lock" sh -c "echo \$\$ >$W/lk/sleeper; exec sleep 30" &
SPID=$!
n=0
while [ ! -s "$W/lk/sleeper" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
t0=$(date +%s)
run 1 "a held lock with lock-wait = 1: exit 1" "$TB" -q -c "$W/lk.conf" update
err_has "saying another update holds it" "another 'trustbuild update'.*holds '.*/lk/state/lock'; waited 1 s"
check "after about a second" [ $(($(date +%s) - t0)) -lt 4 ]
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=""
kill "$(cat "$W/lk/sleeper")" 2>/dev/null
run 0 "the lock is free once its holder is gone" "$TB" -q -c "$W/lk.conf" update

# leftovers of an interrupted run beside the outputs and in the state are
# removed by the next run, even one that finds nothing changed
conf lo "$FIX/roots.pem"
"$TB" -q -c "$W/lo.conf" update >/dev/null 2>&1
echo partial >"$W/lo/.bundle.crt.tmp.AbC123"
mkdir "$W/lo/.certs.gen.Stale1"
echo partial >"$W/lo/state/.last-run.tmp.XyZ789"
run 2 "a run after an interrupted one: unchanged" "$TB" -q -c "$W/lo.conf" update
check "it removed the temp file, the stale generation and the state temp" \
    [ ! -e "$W/lo/.bundle.crt.tmp.AbC123" -a ! -e "$W/lo/.certs.gen.Stale1" \
    -a ! -e "$W/lo/state/.last-run.tmp.XyZ789" ]

# --- an output directory we cannot write ---
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	mkdir -p "$W/ro/out" "$W/ro/state"
	chmod 755 "$W/ro" "$W/ro/out"
	chown nobody "$W/ro/state"
	chmod o+x "$(dirname "$W")"	# run.sh's scratch: 0700 from mktemp
	chmod 755 "$W"
	cp "$FIX/roots.pem" "$W/ro/src.pem"
	chmod 644 "$W/ro/src.pem"
	printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n[source up]\nurl = %s\n' \
	    "$W/ro/out/b.crt" "$W/ro/out/certs" "$W/ro/state" \
	    "$W/ro/src.pem" >"$W/ro.conf"
	chmod 644 "$W/ro.conf"
	run 1 "an unwritable output directory: exit 1" setpriv --reuid=nobody \
	    --regid=nogroup --clear-groups "$TB" -c "$W/ro.conf" update
	err_has "naming the place and the reason" "ro/out.*Permission denied"
	check "nothing was created there" [ -z "$(ls -A "$W/ro/out")" ]
else
	skipped "unwritable output: needs root and setpriv"
fi

# --- a full disk: a file size limit the bundle does not fit in ---
if have_corpus "full disk"; then
	conf fd "$FIX/roots.pem"
	"$TB" -q -c "$W/fd.conf" update >/dev/null 2>&1
	before=$(find "$W/fd" ! -name lock -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum | sha256sum)
	conf fd "$CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt"
	run 1 "a write past 'ulimit -f': exit 1" sh -c \
	    "ulimit -f 64; exec \"$TB\" -q -c \"$W/fd.conf\" update --force"
	err_has "with the write error" "File too large"
	after=$(find "$W/fd" ! -name lock -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum | sha256sum)
	check "the store and the state are as before" [ "$before" = "$after" ]
	check "no temp file is left" [ -z "$(find "$W/fd" -name '.*.tmp.*')" ]
	mkdir -p "$W/tiny"
	if mount -t tmpfs -o size=96k tmpfs "$W/tiny" 2>/dev/null; then
		printf '[output]\nbundle = %s\ncapath = %s\nstate = %s\n[source up]\nurl = %s\n' \
		    "$W/tiny/b.crt" "$W/tiny/certs" "$W/tiny/state" \
		    "$FIX/roots.pem" >"$W/tiny.conf"
		"$TB" -q -c "$W/tiny.conf" update >/dev/null 2>&1
		cp "$W/tiny/b.crt" "$W/tiny-before.crt"
		sed -i "s|^url = .*|url = $CORPUS/certdata/certdata-NSS_3_123_1_RTM-builtins2.86.txt|" \
		    "$W/tiny.conf"
		run 1 "a full tmpfs: exit 1" "$TB" -q -c "$W/tiny.conf" update --force
		err_has "with the reason" "No space left on device"
		check "the published bundle is as before" cmp "$W/tiny/b.crt" \
		    "$W/tiny-before.crt"
		check "and the CApath still resolves" openssl verify -CApath \
		    "$W/tiny/certs" "$FIX/int-a.pem"
		umount "$W/tiny"
	else
		skipped "a full tmpfs: cannot mount one here"
	fi
fi

# --- https: verified against the system store, or an explicit ca ---
mkdir -p "$W/www"
cp "$FIX/roots.pem" "$W/www/roots.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/www/key.pem" -subj "/CN=127.0.0.1" -days 30 \
    -addext subjectAltName=IP:127.0.0.1 -out "$W/www/cert.pem" 2>/dev/null
port=""
for try in 1 2 3 4 5; do
	p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
	(cd "$W/www" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$p" \
	    -cert cert.pem -key key.pem) >/dev/null 2>&1 &
	SPID=$!
	n=0
	while [ $n -lt 50 ] && ! ss -ltn 2>/dev/null | grep -q "127.0.0.1:$p "; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$SPID" 2>/dev/null && [ $n -lt 50 ]; then port=$p; break; fi
	kill "$SPID" 2>/dev/null
	SPID=""
done
if [ -n "$port" ]; then
	conf tls "https://127.0.0.1:$port/roots.pem"
	run 1 "https to a server the system does not trust: exit 1" \
	    "$TB" -q -c "$W/tls.conf" update
	err_has "the TLS failure and the fix" "TLS: .*give 'ca = FILE'"
	conf tls "https://127.0.0.1:$port/roots.pem" "[fetch]" \
	    "ca = $W/www/cert.pem"
	run 0 "with 'ca = FILE' it verifies and publishes" \
	    "$TB" -q -c "$W/tls.conf" update
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=""
else
	nok "openssl s_server starts on 127.0.0.1"
fi

# --- the built-in configuration without network ---
SYS=/etc/ssl/certs/ca-certificates.crt
if [ -f "$SYS" ]; then
	run 0 "the default configuration without network publishes (--out)" \
	    env TRUSTBUILD_CONF=/nonexistent https_proxy=http://127.0.0.1:9 \
	    HTTPS_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY= \
	    "$TB" -v update --out "$W/def"
	err_has "it says the built-in configuration applies" \
	    "no '/nonexistent': the built-in configuration applies"
	err_has "that Mozilla's set could not be fetched" \
	    "'https://hg.mozilla.org/.*certdata.txt': "
	err_has "and that the system store is the fallback" \
	    "\\[source mozilla\\]: .*nothing is cached; using the fallback 'system' \\('$SYS'\\)"
	check "the bundle is under --out" [ -s "$W/def/ca-bundle.with.intermediate.crt" ]
	check "the CApath too" [ -L "$W/def/certs" ]
	check "the state too" [ -f "$W/def/state/last-run" ]
	run 2 "a second run: unchanged" \
	    env TRUSTBUILD_CONF=/nonexistent https_proxy=http://127.0.0.1:9 \
	    HTTPS_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY= \
	    "$TB" -q update --out "$W/def"
	err_has "still saying, even with -q, that it fell back" "using the fallback 'system'"
else
	skipped "default configuration: no $SYS"
fi

done_testing
