#!/bin/sh
# structure.sh: the size limits of HACKING.md (no source file over 700
# lines, no function over 120, no cmd_*.c over 300), as part of the suite.
cd "$(dirname "$0")/../.." || exit 1
exec sh scripts/structure.sh
