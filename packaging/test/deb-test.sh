#!/usr/bin/env bash
# Tests the kiosk .deb: lintian, then install / upgrade / remove / purge in a
# fresh Debian 12 root made with debootstrap (chroot). Needs root.
#
# Usage: packaging/test/deb-test.sh DEB DEB_NEXT
#   DEB_NEXT is the same package rebuilt with a higher version (the upgrade).
#
# The prepared root (debootstrap + the package's dependencies) is cached as a
# tar under $KIOSK_TEST_CACHE (default /var/cache/kiosk-test), keyed by the
# dependency list, so reruns take seconds. debootstrap uses the Debian mirror
# that apt already uses on this machine (or $KIOSK_DEBIAN_MIRROR).
set -euo pipefail

deb=${1:?usage: $0 DEB DEB_NEXT}
deb_next=${2:?usage: $0 DEB DEB_NEXT}
cache=${KIOSK_TEST_CACHE:-/var/cache/kiosk-test}
suite=bookworm
# Keep in step with depends: in packaging/nfpm.yaml (plus what the test uses).
deps="libc6 libwebkit2gtk-4.0-37 libgtk-3-0 cage xwayland libpam-systemd dbus polkitd nftables adduser systemd init-system-helpers"

fail() { echo "deb-test: FAIL: $*" >&2; exit 1; }
step() { printf 'deb-test: %-60s ' "$*"; }
ok() { echo "ok${1:+ ($1)}"; }
passed=0
errlog=$(mktemp)
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@" >/dev/null 2>"$errlog"; then passed=$((passed + 1)); else cat "$errlog" >&2; fail "$what"; fi
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot); run it through make test"
for tool in lintian debootstrap chroot dpkg-deb; do
	command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps.sh test installs it)"
done

# --- lintian -----------------------------------------------------------------
step "lintian $(basename "$deb")"
t0=$SECONDS
lintian_out=$(lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1 | { grep -v "running with root privileges" || true; }) || {
	echo "$lintian_out" >&2
	fail "lintian reports errors"
}
passed=$((passed + 1))
ok "$(grep -c '^[EWI]:' <<<"$lintian_out" || true) tags, no error, $((SECONDS - t0))s"
[ -z "$lintian_out" ] || sed 's/^/    /' <<<"$lintian_out"

# --- the Debian 12 root --------------------------------------------------------
mirror() {
	if [ -n "${KIOSK_DEBIAN_MIRROR:-}" ]; then
		echo "$KIOSK_DEBIAN_MIRROR"
		return
	fi
	# deb822 (URIs: ...) or one-line (deb URI suite ...) sources, the first
	# one that serves the main archive (not -security).
	local f u
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		u=$(awk '/^URIs:/ {print $2} /^deb / {print ($2 ~ /^\[/ ? $3 : $2)}' "$f" |
			grep -E '/debian/?$' | grep -v security | head -n1)
		if [ -n "$u" ]; then
			echo "$u"
			return
		fi
	done
	echo "http://deb.debian.org/debian"
}

key=$(echo "$suite $deps v1" | sha256sum | cut -c1-12)
tarball="$cache/$suite-kiosk-$key.tar"
root=$(mktemp -d /tmp/kiosk-deb-test.XXXXXX)
cleanup() {
	umount -l "$root/proc" 2>/dev/null || true
	rm -rf --one-file-system "$root"
	rm -f "$errlog"
}
trap cleanup EXIT

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

if [ ! -f "$tarball" ]; then
	step "debootstrap $suite (first run, cached after)"
	t0=$SECONDS
	m=$(mirror)
	mkdir -p "$cache"
	debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$m" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$cache/debootstrap.log" >&2; fail "debootstrap from $m"; }
	mount -t proc proc "$root/proc"
	# shellcheck disable=SC2086
	in_root apt-get install -y -qq --no-install-recommends $deps >"$cache/apt.log" 2>&1 ||
		{ tail -n 30 "$cache/apt.log" >&2; fail "installing the dependencies in the root"; }
	in_root apt-get clean
	umount "$root/proc"
	tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	ok "$m, $((SECONDS - t0))s"
else
	step "Debian 12 root from cache"
	t0=$SECONDS
	tar -C "$root" -xf "$tarball"
	ok "$(basename "$tarball"), $((SECONDS - t0))s"
fi
chmod 0755 "$root" # the chroot's /: mktemp made it 0700
mount -t proc proc "$root/proc"

cp "$deb" "$root/tmp/kiosk.deb"
cp "$deb_next" "$root/tmp/kiosk-next.deb"
version=$(dpkg-deb -f "$deb" Version)
version_next=$(dpkg-deb -f "$deb_next" Version)
dpkg --compare-versions "$version_next" gt "$version" || fail "$deb_next ($version_next) is not newer than $deb ($version)"

# --- install -----------------------------------------------------------------
step "install $version"
t0=$SECONDS
in_root apt-get install -y -qq --no-install-recommends /tmp/kiosk.deb </dev/null >"$root/tmp/install.log" 2>&1 ||
	{ cat "$root/tmp/install.log" >&2; fail "apt-get install"; }
ok "$((SECONDS - t0))s"

step "files, accounts, directories, units"
for f in /usr/bin/kiosk /etc/kiosk/allowlist.yaml /etc/kiosk/kiosk.nft /etc/default/kiosk /etc/default/kiosk-shell \
	/lib/systemd/system/kiosk.service /lib/systemd/system/kiosk-shell.service /lib/systemd/system/kiosk-nftables.service \
	/usr/lib/systemd/logind.conf.d/kiosk.conf /usr/lib/sysctl.d/90-kiosk.conf /usr/share/doc/kiosk/copyright /usr/lib/kiosk/kiosk-cage; do
	check "$f installed" test -f "$root$f"
done
check "kiosk runs in the root" in_root /usr/bin/kiosk version
check "kiosk account" in_root getent passwd kiosk
check "kiosk-session account" in_root getent passwd kiosk-session
check "kiosk-session is in group kiosk" bash -c "chroot '$root' id -nG kiosk-session | tr ' ' '\n' | grep -qx kiosk"
check "kiosk-session is in group audio (read-aloud)" bash -c "chroot '$root' id -nG kiosk-session | tr ' ' '\n' | grep -qx audio"
check "kiosk-session is not in group sudo" bash -c "! chroot '$root' id -nG kiosk-session | tr ' ' '\n' | grep -qx sudo"
check "/var/lib/kiosk kiosk:kiosk 750" test "$(in_root stat -c '%U:%G %a' /var/lib/kiosk)" = "kiosk:kiosk 750"
check "/var/lib/kiosk/profiles kiosk-session 700" test "$(in_root stat -c '%U %a' /var/lib/kiosk/profiles)" = "kiosk-session 700"
check "conffiles" bash -c "chroot '$root' dpkg-query -W -f='\${Conffiles}' kiosk | grep -q ' /etc/kiosk/allowlist.yaml '"
check "kiosk.service enabled" test -L "$root/etc/systemd/system/multi-user.target.wants/kiosk.service"
check "kiosk-shell.service enabled" test -L "$root/etc/systemd/system/multi-user.target.wants/kiosk-shell.service"
check "kiosk-nftables.service enabled" test -L "$root/etc/systemd/system/sysinit.target.wants/kiosk-nftables.service"
check "ctrl-alt-del.target masked" test "$(readlink "$root/etc/systemd/system/ctrl-alt-del.target")" = /dev/null
check "units verify" in_root systemd-analyze verify --man=no /lib/systemd/system/kiosk.service \
	/lib/systemd/system/kiosk-nftables.service /lib/systemd/system/kiosk-shell.service
check "allowlist valid" in_root /usr/bin/kiosk allowlist check /etc/kiosk/allowlist.yaml
# The shell never starts without the egress lockdown: bound to its unit, and
# checking the table before each session (kiosk shell accepts the flag).
check "kiosk-shell binds to kiosk-nftables" grep -qx 'BindsTo=kiosk-nftables.service' "$root/lib/systemd/system/kiosk-shell.service"
check "kiosk-shell requires the lockdown" grep -q '^ExecStart=.* /usr/bin/kiosk shell --require-egress-lockdown ' "$root/lib/systemd/system/kiosk-shell.service"
check "kiosk shell knows --require-egress-lockdown" bash -c "chroot '$root' /usr/bin/kiosk shell --help 2>&1 | grep -q -- -require-egress-lockdown"
check "the lockdown is loaded again after nftables reloads" grep -qx 'ReloadPropagatedFrom=nftables.service' "$root/lib/systemd/system/kiosk-nftables.service"
# USB: the rule that authorizes storage also has its driver probed; the
# probe refuses anything but an interface name; udisks2's notices (the
# key's label) are dropped.
check "70-kiosk-usb.rules probes what it authorizes" grep -q 'ATTR{authorized}="1", RUN+="/usr/lib/kiosk/kiosk-usb-lock probe %k"' "$root/usr/lib/udev/rules.d/70-kiosk-usb.rules"
check "kiosk-usb-lock probe refuses a path" bash -c "chroot '$root' /usr/lib/kiosk/kiosk-usb-lock probe ../../x; test \$? -eq 2"
check "udisks2's notices dropped" grep -qx 'LogLevelMax=warning' "$root/lib/systemd/system/udisks2.service.d/kiosk.conf"
ok "$passed checks"

# The service starts as kiosk with the package's directories and flags, in a
# private network namespace (its ports never touch the host's), and the
# shell's account can read the API token and write session profiles.
step "serve runs as kiosk; kiosk-session reads only the token"
serve_check() {
	unshare --net -- bash -s "$root" <<'INNER'
root=$1
ip link set lo up
# shellcheck disable=SC1091
. "$root/etc/default/kiosk"
# shellcheck disable=SC2086
chroot "$root" runuser -u kiosk -- /usr/bin/kiosk serve $KIOSK_ARGS >"$root/tmp/serve.log" 2>&1 &
pid=$!
healthy=
for _ in $(seq 100); do
	if chroot "$root" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3 && cat <&3' 2>/dev/null | head -n1 | grep -q ' 200'; then
		healthy=1
		break
	fi
	sleep 0.1
done
token_ok=
if [ -n "$healthy" ] && chroot "$root" runuser -u kiosk-session -- cat /var/lib/kiosk/api.token >/dev/null &&
	chroot "$root" runuser -u kiosk-session -- mkdir /var/lib/kiosk/profiles/check && rmdir "$root/var/lib/kiosk/profiles/check"; then
	token_ok=1
fi
# The token is the only file of the service that kiosk-session may read (not
# the usage store, not the admin credentials).
readable=$(chroot "$root" runuser -u kiosk-session -- find /var/lib/kiosk -path /var/lib/kiosk/profiles -prune -o -type f -readable -print 2>/dev/null)
if [ "$readable" != /var/lib/kiosk/api.token ]; then
	echo "kiosk-session may read: $readable" >&2
	token_ok=
fi
kill "$pid"
wait "$pid" || true
[ -n "$healthy" ] || { echo "kiosk serve did not answer /healthz:" >&2; cat "$root/tmp/serve.log" >&2; exit 1; }
[ -n "$token_ok" ] || { echo "kiosk-session cannot read the token or write profiles, or reads more:" >&2; ls -la "$root/var/lib/kiosk" >&2; exit 1; }
INNER
}
check "serve healthy as kiosk, token readable by kiosk-session" serve_check
ok

# --- upgrade keeps IT's edits --------------------------------------------------
step "upgrade to $version_next keeps the edited conffile"
echo "# edited by IT on $(date -u +%F)" >>"$root/etc/kiosk/allowlist.yaml"
edited=$(sha256sum <"$root/etc/kiosk/allowlist.yaml")
in_root apt-get install -y -qq --no-install-recommends /tmp/kiosk-next.deb </dev/null >"$root/tmp/upgrade.log" 2>&1 ||
	{ cat "$root/tmp/upgrade.log" >&2; fail "upgrade"; }
check "upgraded" test "$(in_root dpkg-query -W -f='${Version}' kiosk)" = "$version_next"
check "edited allowlist kept" test "$(sha256sum <"$root/etc/kiosk/allowlist.yaml")" = "$edited"
check "no .dpkg-dist/.dpkg-new left" test -z "$(find "$root/etc/kiosk" -name '*.dpkg-*')"
check "accounts kept" in_root getent passwd kiosk-session
ok

# --- remove, then purge --------------------------------------------------------
step "remove keeps settings, undoes the lockdown"
in_root apt-get remove -y -qq kiosk </dev/null >"$root/tmp/remove.log" 2>&1 || { cat "$root/tmp/remove.log" >&2; fail "remove"; }
check "binary removed" test ! -e "$root/usr/bin/kiosk"
check "units removed" test ! -e "$root/lib/systemd/system/kiosk-shell.service"
check "conffile kept on remove" test "$(sha256sum <"$root/etc/kiosk/allowlist.yaml")" = "$edited"
check "ctrl-alt-del unmasked" test ! -L "$root/etc/systemd/system/ctrl-alt-del.target"
check "logind drop-in removed" test ! -e "$root/usr/lib/systemd/logind.conf.d/kiosk.conf"
ok

step "purge removes settings and data"
in_root apt-get purge -y -qq kiosk </dev/null >"$root/tmp/purge.log" 2>&1 || { cat "$root/tmp/purge.log" >&2; fail "purge"; }
check "conffile removed on purge" test ! -e "$root/etc/kiosk/allowlist.yaml"
check "/etc/default/kiosk removed" test ! -e "$root/etc/default/kiosk"
check "data removed" test ! -e "$root/var/lib/kiosk"
check "no unit link left" test -z "$(find "$root/etc/systemd/system" -name 'kiosk*')"
check "dpkg forgot it" bash -c "! chroot '$root' dpkg-query -W kiosk >/dev/null 2>&1 || chroot '$root' dpkg-query -W -f='\${Status}' kiosk | grep -q not-installed"
ok

step "install again over the kept accounts"
in_root apt-get install -y -qq --no-install-recommends /tmp/kiosk.deb </dev/null >"$root/tmp/reinstall.log" 2>&1 ||
	{ cat "$root/tmp/reinstall.log" >&2; fail "reinstall after purge"; }
check "fresh conffile" cmp -s "$root/etc/kiosk/allowlist.yaml" <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./etc/kiosk/allowlist.yaml)
ok

echo "deb-test: $passed passed, 0 failed"
