#!/bin/sh
# The fuzz targets of every parser (tests/fuzz/fuzz.c), built with the
# plain compiler, run over their seeds and every input a fuzzer once
# crashed them with (tests/fuzz/regress/TARGET/): regressions stay fixed.
. "$(dirname "$0")/../harness/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
TRUSTBUILD_CORPUS=$CORPUS sh "$top/tests/fuzz/run.sh" regress "$W"
