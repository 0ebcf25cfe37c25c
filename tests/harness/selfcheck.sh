# selfcheck.sh: the start of a check of the harness itself (not of
# trustbuild, and not part of the suite), sourced by *_selfcheck.sh:
#	. "$(dirname "$0")/selfcheck.sh"
# It makes the scratch directory W, removed at exit (KEEP=1 keeps it and
# says where), sources lib.sh (ok, nok, check, file_has, done_testing...)
# and server.sh (whose cleanup registry the servers' stops join when
# httpd.sh, tlsd.sh or sendmail.sh is sourced), and defines show.
set -u
W=$(mktemp -d "${TMPDIR:-/tmp}/trustbuild-selfcheck.XXXXXX") || exit 1
# lib.sh wants these; a self-check uses none of them
TB=${TB:-unused}
FIX=${FIX:-unused}
CORPUS=${CORPUS:-unused}
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/harness/server.sh
. "$HARNESS/server.sh"
server_cleanup 'if [ "${KEEP:-}" = 1 ]; then echo "# kept $W"; else
	rm -rf "$W"; fi'

# show FILE [N]: its first N (10) lines as a diagnostic
show() { sed 's/^/#   /' "$1" | head -"${2:-10}"; }
