#!/bin/bash
# tests/deb.sh -- the Debian package (issue 15, item 4): build it from a
# copy of the source tree (the tree itself stays clean), check it with
# lintian (no E: lines), install it with dpkg -i, run `cme-milter -n`
# against the installed default configuration, and purge it again.
#
# The shipped /etc/cme-milter/cme-milter.conf leaves the two site values
# an admin must choose, Mailbox and DutyOfficer, commented out: `-n` on it
# must name exactly those two and nothing else (policies, calendars,
# database, socket directory all resolve), and with them filled in `-n`
# must pass as the packaged cme-milter user.
#
# Speaks TAP.  Skips (TAP) without root, on a non-Debian machine, when the
# package tools are missing (apt-get install debhelper lintian fakeroot),
# or when cme-milter is already installed from a package (it would not be
# left as found).  It leaves the machine as found: the package is purged,
# and the cme-milter user is removed again if it did not exist before.
# Set CME_DEB_KEEP=DIR to keep the built .deb files in DIR.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
PATH=$PATH:/usr/sbin:/sbin
. "$top_srcdir/tests/lib/tap.sh"

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# quickstart's sanitizer pass: the package does not use that build.
[ "${CME_DEB_SKIP:-0}" = 1 ] && skip_all "CME_DEB_SKIP=1 (built once, in the plain pass)"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (dpkg -i)"
[ -f /etc/debian_version ] || skip_all "not a Debian system"
for p in dpkg-buildpackage dh lintian fakeroot; do
	command -v "$p" >/dev/null 2>&1 || skip_all "$p not installed"
done
[ -d "$top_srcdir/debian" ] || skip_all "no debian/ in $top_srcdir"
if dpkg-query -W -f='${Status}' cme-milter 2>/dev/null | grep -q 'installed'; then
	skip_all "cme-milter is already installed as a package"
fi

echo "1..8"
T=$(mktemp -d /tmp/cme-deb.XXXXXX) || bail "mktemp failed"
had_user=0
getent passwd cme-milter >/dev/null && had_user=1
installed=0
cleanup() {
	if [ "$installed" = 1 ]; then
		dpkg --purge cme-milter >"$T/purge.out" 2>&1 || diag <"$T/purge.out"
	fi
	if [ "$had_user" = 0 ] && getent passwd cme-milter >/dev/null; then
		deluser --system cme-milter >/dev/null 2>&1
		getent group cme-milter >/dev/null && delgroup --system cme-milter >/dev/null 2>&1
	fi
	[ -n "${CME_DEB_KEEP:-}" ] && cp "$T"/*.deb "$CME_DEB_KEEP"/ 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# 1: the package builds from a copy of the tree (no build products, no VCS).
mkdir "$T/src"
tar -C "$top_srcdir" --exclude=./.git --exclude='./_build*' --exclude=./autom4te.cache \
	--exclude=./debian/cme-milter --exclude=./debian/.debhelper -cf - . | tar -C "$T/src" -xf -
(cd "$T/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1)
ok $? "dpkg-buildpackage -us -uc -b builds" || diag_tail "$T/build.log" 30
DEB=$(ls "$T"/cme-milter_*.deb 2>/dev/null | head -n 1)
[ -n "$DEB" ] || bail "no cme-milter_*.deb built"

# 2: lintian finds no errors.
lintian --tag-display-limit 0 "$DEB" >"$T/lintian.out" 2>&1
! grep -q '^E:' "$T/lintian.out"
ok $? "lintian: no errors ($(grep -c '^W:' "$T/lintian.out") warnings)" || diag <"$T/lintian.out"
grep -E '^[EW]:' "$T/lintian.out" | diag

# 3: what an admin expects where an admin expects it.
contents=$(dpkg-deb -c "$DEB" | awk '{print $6}')
missing=""
for f in ./usr/sbin/cme-milter ./usr/bin/cmectl ./usr/share/man/man8/cme-milter.8.gz \
	./usr/share/man/man5/cme-milter.conf.5.gz ./usr/share/man/man8/cmectl.8.gz \
	./usr/share/cme-milter/policies/default.policy \
	./usr/share/cme-milter/calendars/england-and-wales-bank-holidays.ics \
	./etc/cme-milter/cme-milter.conf ./lib/systemd/system/cme-milter.service; do
	grep -qxF "$f" <<<"$contents" || missing="$missing $f"
done
dpkg-deb -f "$DEB" Package >/dev/null && dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles |
	grep -qx /etc/cme-milter/cme-milter.conf || missing="$missing conffile"
[ -z "$missing" ]
ok $? "binaries, man pages, policies, calendars, conffile, systemd unit shipped" || diag "missing:$missing"

# 4: it installs; postinst makes the system user and its state directory.
dpkg -i "$DEB" >"$T/install.out" 2>&1
st=$?
installed=1
ok $st "dpkg -i installs it" || diag <"$T/install.out"
[ "$(stat -c '%U %a' /var/lib/cme-milter 2>/dev/null)" = "cme-milter 750" ] &&
	[ "$(getent passwd cme-milter | cut -d: -f7)" = /usr/sbin/nologin ] &&
	[ "$(getent passwd cme-milter | cut -d: -f3)" -lt 1000 ]
ok $? "system user cme-milter, /var/lib/cme-milter 0750 owned by it" ||
	diag "$(getent passwd cme-milter) $(stat -c '%U %a' /var/lib/cme-milter 2>&1)"
grep -q '^RuntimeDirectory=cme-milter' /lib/systemd/system/cme-milter.service
ok $? "the unit makes /run/cme-milter (RuntimeDirectory)"

# 7: -n on the shipped configuration names the two site values, only them.
/usr/sbin/cme-milter -n -c /etc/cme-milter/cme-milter.conf >"$T/n.out" 2>&1
st=$?
[ "$st" -ne 0 ] && [ "$(grep -c . "$T/n.out")" -eq 2 ] &&
	grep -q 'Mailbox' "$T/n.out" && grep -q 'DutyOfficer' "$T/n.out"
ok $? "cme-milter -n on the default config asks for Mailbox and DutyOfficer only" || diag <"$T/n.out"

# 8: filled in, the installed configuration passes -n (run as root, as an
# admin would: the milter checks as its UserID, cme-milter).
sed -e 's/^#Mailbox .*/Mailbox cme@la.test/' -e 's/^#DutyOfficer .*/DutyOfficer duty@la.test/' \
	/etc/cme-milter/cme-milter.conf >"$T/filled.conf"
chgrp cme-milter "$T/filled.conf" && chmod 0640 "$T/filled.conf" && chmod 0755 "$T"
/usr/sbin/cme-milter -n -c "$T/filled.conf" >"$T/n2.out" 2>&1
ok $? "with Mailbox and DutyOfficer set, cme-milter -n passes on the installed files" || diag <"$T/n2.out"
