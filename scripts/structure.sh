#!/bin/sh
# structure.sh: the size limits of HACKING, checked.  No source file over
# 700 lines, no function over 120 lines, no cmd_*.c over 300 lines.
# Prints one line per check and "N passed, N failed"; exit 1 on a failure.
cd "$(dirname "$0")/.." || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }

for f in src/*.c src/*.h; do
	n=$(wc -l <"$f")
	max=700
	case $f in src/cmd_*.c) max=300 ;; esac
	if [ "$n" -le "$max" ]; then ok "$f: $n lines (at most $max)"
	else nok "$f: $n lines, more than $max"; fi
done
# A function starts at an identifier and '(' in column 0 and ends at the
# next '}' in column 0 (the house style of every file in src/).
long=$(awk '
	/^[A-Za-z_][A-Za-z0-9_]*\(/ {
		name = $0; sub(/\(.*/, "", name); start = FNR; infn = 1
	}
	/^}/ && infn {
		if (FNR - start + 1 > 120)
			printf "%s:%d %s() is %d lines\n", FILENAME, start,
			    name, FNR - start + 1
		infn = 0
	}' src/*.c)
if [ -z "$long" ]; then ok "no function over 120 lines"
else echo "$long" | while read -r l; do echo "#   $l"; done
	nok "functions over 120 lines: $(echo "$long" | wc -l)"; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
