#!/bin/sh
# provision.sh: set trustbuild up on a mail host, as root; safe to run
# again (it keeps an existing configuration).
#   sh scripts/provision.sh [--dry-run] [BUILDDIR]
# With BUILDDIR, "make install PREFIX=/usr/local" there first.  Then the
# configuration, one "trustbuild update", and the daily run: the systemd
# timer when systemd is PID 1, else the cron file.  --dry-run prints the
# commands and the configuration instead.
# With DESTDIR=DIR in the environment, every file goes below DIR (make
# install DESTDIR=DIR too), both the cron file and the units, and nothing
# runs on this host: no update, no systemctl (an image or a package tree).
set -u
here=$(cd "$(dirname "$0")" && pwd)
D=${DESTDIR:-}
TB=/usr/local/bin/trustbuild
CONF=$D/etc/trustbuild/trustbuild.conf
dry=0
if [ "${1:-}" = --dry-run ]; then
	dry=1
	shift
fi
case $#:${1:-} in
0:* | 1:[!-]*) ;;
*)
	echo "usage: provision.sh [--dry-run] [BUILDDIR]" >&2
	exit 1 ;;
esac

# run COMMAND...: run it, or only show it with --dry-run; failure ends all
run() {
	echo "+ $*"
	[ $dry = 1 ] && return 0
	"$@" || { echo "provision.sh: '$*' failed" >&2; exit 1; }
}

# the binary, its man page and stores/ (the Makefile builds what is needed)
[ $# = 1 ] && run make -C "$1" install PREFIX=/usr/local DESTDIR="$D"
if [ $dry = 0 ] && [ ! -x "$D$TB" ]; then
	echo "provision.sh: no $D$TB; give the build directory" >&2
	exit 1
fi

# the directories update writes to or reads hooks from; the systemd unit
# needs /etc/mail/tls to exist
run mkdir -p "$D/etc/trustbuild/hooks.d" "$D/etc/mail/tls" \
    "$D/var/lib/trustbuild"

# sendmail installed (its .mc there): its set-up follows the store
sm=""
[ -f "$D/etc/mail/sendmail.mc" ] && sm=1

# the configuration, only when there is none: an admin's edits stay
if [ ! -e "$CONF" ]; then
	echo "+ write $CONF"
	conf() {
		cat <<'EOF'
# trustbuild.conf: see trustbuild.conf(5)
[output]
bundle = /etc/mail/tls/ca-bundle.with.intermediate.crt
capath = /etc/mail/tls/certs
state = /var/lib/trustbuild
purpose = server-auth
EOF
		# sendmail reads its CA data as it starts: reload it on a change
		[ -z "$sm" ] || echo "reload = service sendmail reload"
		printf '\n[source mozilla]\nstore = mozilla\n'
	}
	if [ $dry = 1 ]; then
		conf | sed 's/^/    /'
	else
		(umask 022 && conf >"$CONF.tmp" && mv "$CONF.tmp" "$CONF") ||
			exit 1
	fi
fi

# one update now: 0 published, 2 unchanged; anything else fails here,
# before a schedule is set up around a broken configuration
if [ -n "$D" ]; then
	echo "+ not run below DESTDIR: $TB update"
else
	echo "+ $TB update"
fi
if [ $dry = 0 ] && [ -z "$D" ]; then
	"$TB" update
	st=$?
	if [ $st != 0 ] && [ $st != 2 ]; then
		echo "provision.sh: trustbuild update failed (exit $st)" >&2
		exit 1
	fi
fi

# sendmail: its CA defines, a [probe] per relay, the .cf rebuilt and
# sendmail reloaded, all or nothing (trustbuild sendmail-setup --apply)
if [ -n "$sm" ]; then
	if [ -n "$D" ]; then
		echo "+ not run below DESTDIR: $TB sendmail-setup --apply"
	elif [ $dry = 1 ]; then
		echo "+ $TB sendmail-setup --apply"
	else
		echo "+ $TB sendmail-setup --apply"
		"$TB" sendmail-setup --apply || echo "provision.sh: sendmail" \
		    "is not set up yet: see above, then run" \
		    "'$TB sendmail-setup --apply' again" >&2
	fi
fi

# the daily run; below DESTDIR both, to be enabled where they run
if [ -n "$D" ]; then
	run mkdir -p "$D/etc/systemd/system" "$D/etc/cron.d"
	run install -m 644 "$here/trustbuild.service" "$here/trustbuild.timer" \
	    "$D/etc/systemd/system/"
	run install -m 644 "$here/trustbuild.cron" "$D/etc/cron.d/trustbuild"
	echo "+ not run below DESTDIR: systemctl enable --now trustbuild.timer"
elif [ -d /run/systemd/system ]; then
	run install -m 644 "$here/trustbuild.service" "$here/trustbuild.timer" \
	    /etc/systemd/system/
	run systemctl daemon-reload
	run systemctl enable --now trustbuild.timer
else
	# Debian's cron ignores /etc/cron.d names with a dot
	run install -m 644 "$here/trustbuild.cron" /etc/cron.d/trustbuild
fi
