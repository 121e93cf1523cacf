#!/usr/bin/env bash
# Installs the Debian packages that `make run` or `make test` needs.
# Usage: scripts/deps.sh run|test
# As root it installs what is missing; otherwise it prints the exact
# sudo line and exits 1.
set -euo pipefail

run_pkgs=(libwebkit2gtk-4.0-dev libgtk-3-dev pkg-config gcc curl xvfb xauth matchbox-window-manager xdotool imagemagick)
test_pkgs=("${run_pkgs[@]}" chromium unattended-upgrades nodejs iproute2 nftables util-linux debootstrap lintian mingw-w64 cage ca-certificates minisign cups-daemon cups-client sane-utils libsane1 poppler-utils qemu-system-x86 qemu-utils fdisk prometheus prometheus-alertmanager clamav-daemon clamav libheif-examples dosfstools mtools exfatprogs fusefat exfat-fuse espeak-ng sox dbus-daemon)

case "${1:-}" in
run) want=("${run_pkgs[@]}") ;;
test) want=("${test_pkgs[@]}") ;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

# axe-core, for the accessibility audit of the kiosk's pages (make test:
# internal/axetest, docs/accessibility.md): from the npm registry at this
# version, checked against its pinned integrity, unpacked into a cache
# outside the repository (never vendored). Bump both lines together
# (npm view axe-core@VERSION dist.integrity).
axe_version=4.14.1
axe_integrity=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==

# test_cache is where the test assets go: /var/cache/kiosk-test as root,
# else the user's cache. internal/axetest looks in the same places.
test_cache() {
	if [ "$(id -u)" -eq 0 ]; then echo /var/cache/kiosk-test; else echo "${XDG_CACHE_HOME:-$HOME/.cache}/kiosk-test"; fi
}

# fetch_test_assets fetches what the tests need beyond Debian packages.
fetch_test_assets() {
	[ "$1" = test ] || return 0
	local dir tmp tgz got
	dir="$(test_cache)/axe-core"
	if [ -f "$dir/axe.min.js" ] && [ "$(node -p "require(process.argv[1]).version" "$dir/package.json" 2>/dev/null)" = "$axe_version" ]; then
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is required to fetch axe-core: apt-get install npm" >&2
		exit 1
	fi
	echo "Fetching axe-core $axe_version from the npm registry into $dir" >&2
	tmp=$(mktemp -d)
	(cd "$tmp" && npm pack --silent --cache "$tmp/npm-cache" "axe-core@$axe_version" >/dev/null)
	tgz="$tmp/axe-core-$axe_version.tgz"
	got=$(node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")
	if [ "$got" != "$axe_integrity" ]; then
		echo "axe-core $axe_version: integrity $got, want $axe_integrity; refusing it" >&2
		rm -rf "$tmp"
		exit 1
	fi
	tar -xzf "$tgz" -C "$tmp"
	mkdir -p "$(dirname "$dir")"
	rm -rf "$dir"
	mv "$tmp/package" "$dir"
	rm -rf "$tmp"
}

if ! command -v go >/dev/null 2>&1; then
	echo "Go 1.26 is required (https://go.dev/doc/install); put it on PATH (/usr/local/go/bin)." >&2
	exit 1
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
# npm: Debian's nodejs comes without it (NodeSource's has it).
if [ "$1" = test ] && ! command -v npm >/dev/null 2>&1; then
	missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && { fetch_test_assets "$1"; exit 0; }

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "Missing Debian packages. Run:" >&2
	echo "  sudo apt-get update && sudo $line" >&2
	exit 1
fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fetch_test_assets "$1"
