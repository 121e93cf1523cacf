#!/usr/bin/env bash
# Installs the Debian packages that `make run` or `make test` needs.
# Usage: scripts/deps.sh run|test
# As root it installs what is missing; otherwise it prints the exact
# sudo line and exits 1.
set -euo pipefail

run_pkgs=(libwebkit2gtk-4.0-dev libgtk-3-dev pkg-config gcc curl xvfb xauth matchbox-window-manager xdotool imagemagick)
test_pkgs=("${run_pkgs[@]}" chromium unattended-upgrades nodejs iproute2 nftables util-linux debootstrap lintian mingw-w64 cage ca-certificates minisign cups-daemon cups-client sane-utils libsane1 poppler-utils qemu-system-x86 qemu-utils fdisk prometheus prometheus-alertmanager clamav-daemon clamav libheif-examples dosfstools exfatprogs fusefat exfat-fuse espeak-ng sox)

case "${1:-}" in
run) want=("${run_pkgs[@]}") ;;
test) want=("${test_pkgs[@]}") ;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

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
[ ${#missing[@]} -eq 0 ] && exit 0

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
