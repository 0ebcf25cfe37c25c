#!/bin/sh
# A drop-in directory of update's configuration ([source local] url =
# DIR, as /etc/trustbuild/local.d): empty, it is not an error; with
# certificates they are published; emptied again, the shrink guard still
# stands; missing, it is an error naming it.
. "$(dirname "$0")/../harness/lib.sh"

D=$W/dropin
mkdir -p "$D/local.d"
{ conf_output "$D"; printf '[source a]\nurl = %s\n[source local]\nurl = %s\n' \
    "$FIX/roots.pem" "$D/local.d"; } >"$D/c.conf"
run 0 "update with an empty drop-in directory publishes" "$TB" -c "$D/c.conf" update
check "with nothing on stderr" [ ! -s "$W/err" ]
check "the roots of the other source" grep -q 'published (2 added' "$W/out"
run 2 "again, -v: unchanged" "$TB" -c "$D/c.conf" update -v --force
err_has "-v says the directory gave nothing" \
    "'$D/local.d': no certificate in this directory \\(no file in it\\); nothing added from it"
echo "put extra roots here" >"$D/local.d/README"
run 2 "only a README in it: not an error" "$TB" -c "$D/c.conf" update
err_has "the README is skipped with a warning" "local.d/README': not a certificate source; skipped"
cp "$FIX/int-b.pem" "$D/local.d/"
run 0 "a certificate dropped in is published" "$TB" -c "$D/c.conf" update
check "as an anchor" grep -q 'CN=Test Intermediate B' "$D/bundle.crt"
rm "$D/local.d/int-b.pem"
run 0 "taken out again, it is removed" "$TB" -c "$D/c.conf" update -q
check "and printed (cron mails it)" grep -q '^- .*CN=Test Intermediate B' "$W/out"
rm "$D/local.d/README"
rmdir "$D/local.d"
run 1 "a missing drop-in directory" "$TB" -c "$D/c.conf" update
one_error "a missing drop-in directory"
err_has "names it" "'$D/local.d': \\[source local\\]: No such file or directory"
mkdir "$D/local.d"
run 1 "build with an empty directory named on the command line" "$TB" build \
    --bundle "$D/b.pem" "$D/local.d"
err_has "is still an error there" "'$D/local.d': no certificates found \\(no file in it\\)"
done_testing
