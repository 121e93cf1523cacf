#!/usr/bin/env bash
# Builds the Debian 12 disk images of the virtual PC (make vm-image, make
# test-vm). Needs root (loop devices, chroot) and, for the first run only,
# the Debian mirror (as deb-test.sh).
#
# Usage: packaging/test/vm/image.sh DEB PLAIN_QCOW2 [TEST_RAW]
#
#   PLAIN_QCOW2  the image a town can try: Debian 12 with DEB installed the
#                way docs/install.md says (apt install ./kiosk_*.deb, GRUB
#                hidden), nothing else. qcow2.
#   TEST_RAW     the same image plus what the VM test needs to observe, and
#                only that: the QEMU guest agent, a test origin on a dummy
#                interface (203.0.113.10: demarches.test, interdit.test), its
#                CA, an allowlist naming demarches.test, the kernel log on
#                the serial line. Raw, for the test's qemu.
#
# The base disk (debootstrap + kernel + GRUB, with the .deb's dependencies
# and the guest agent downloaded but not installed) is cached under
# $KIOSK_TEST_CACHE (default /var/cache/kiosk-test), keyed by the package
# lists, so a rerun only copies it, installs the package and writes the
# images (no network).
set -euo pipefail

deb=${1:?usage: $0 DEB PLAIN_QCOW2 [TEST_RAW]}
plain=${2:?usage: $0 DEB PLAIN_QCOW2 [TEST_RAW]}
testraw=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${KIOSK_TEST_CACHE:-/var/cache/kiosk-test}
suite=bookworm
size=6G
# What a netinst install without a desktop has, plus what this image needs
# to boot (kernel with the DRM drivers, GRUB) and the IT account's sudo.
base_pkgs="linux-image-amd64 grub-pc udev ca-certificates sudo ifupdown isc-dhcp-client locales"
# Test additions, downloaded into the base, installed only in TEST_RAW.
test_pkgs="qemu-guest-agent"

say() { printf 'vm-image: %s\n' "$*"; }
fail() { echo "vm-image: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (loop devices, chroot)"
for tool in debootstrap sfdisk losetup mkfs.ext4 qemu-img dpkg-deb; do
	command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps.sh test installs it)"
done
[ -f "$deb" ] || fail "no package $deb (make package)"

# The .deb's Depends and Recommends, as package names: apt installs both
# (recommends are on by default), so the base downloads both.
deb_deps=$(dpkg-deb -f "$deb" Depends Recommends | sed -e 's/^[A-Za-z]*: //' | tr ',' '\n' |
	sed -e 's/|.*//' -e 's/(.*)//' -e 's/^ *//' -e 's/ *$//' | grep -v '^$' | sort -u | tr '\n' ' ')

mirror() { # as deb-test.sh: the mirror apt uses here, or $KIOSK_DEBIAN_MIRROR
	if [ -n "${KIOSK_DEBIAN_MIRROR:-}" ]; then
		echo "$KIOSK_DEBIAN_MIRROR"
		return
	fi
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

work=$(mktemp -d /tmp/kiosk-vm-image.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt"
loop=
cleanup() {
	for m in dev/pts dev proc sys run; do umount -l "$mnt/$m" 2>/dev/null || true; done
	umount -l "$mnt" 2>/dev/null || true
	[ -z "$loop" ] || losetup -d "$loop" 2>/dev/null || true
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT

attach() { # attach DISK: its partition (from 1 MiB) on a loop device, mounted on $mnt
	# The partition through an offset: partition scanning of loop devices is
	# not available everywhere (containers).
	loop=$(losetup --show -f -o $((2048 * 512)) "$1")
	mount "$loop" "$mnt"
	mount -t proc proc "$mnt/proc"
	mount -t sysfs sys "$mnt/sys"
	mount --bind /dev "$mnt/dev"
	mount --bind /dev/pts "$mnt/dev/pts"
	mount -t tmpfs tmpfs "$mnt/run"
}
detach() {
	local d
	for d in dev/pts dev proc sys run; do umount "$mnt/$d"; done
	umount "$mnt"
	losetup -d "$loop"
	loop=
}
in_root() { chroot "$mnt" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"; }

# --- the base disk (cached) ----------------------------------------------------
key=$(echo "$suite $size $base_pkgs | $deb_deps | $test_pkgs v1" | sha256sum | cut -c1-12)
base=$cache/vm-base-$suite-$key.raw
if [ ! -f "$base" ]; then
	say "base disk $(basename "$base") (first run: debootstrap, cached after)"
	t0=$SECONDS
	mkdir -p "$cache"
	m=$(mirror)
	truncate -s "$size" "$base.tmp"
	echo 'label: dos
start=2048, type=83, bootable' | sfdisk -q "$base.tmp"
	loop=$(losetup --show -f -o $((2048 * 512)) "$base.tmp")
	mkfs.ext4 -q -L kiosk-root "$loop"
	mount "$loop" "$mnt"
	debootstrap --include="$(echo "$base_pkgs" | tr ' ' ',')" "$suite" "$mnt" "$m" >"$cache/vm-debootstrap.log" 2>&1 ||
		{ tail -n 30 "$cache/vm-debootstrap.log" >&2; fail "debootstrap from $m"; }
	mount -t proc proc "$mnt/proc"
	mount -t sysfs sys "$mnt/sys"
	mount --bind /dev "$mnt/dev"
	mount --bind /dev/pts "$mnt/dev/pts"
	mount -t tmpfs tmpfs "$mnt/run"
	uuid=$(blkid -s UUID -o value "$loop")
	echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >"$mnt/etc/fstab"
	echo kiosk-vm >"$mnt/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tkiosk-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$mnt/etc/hosts"
	# Wired network by DHCP on the usual names of a virtual PC's card
	# (virt-manager, GNOME Boxes); the test's PC has no card at all.
	cat >"$mnt/etc/network/interfaces" <<-'EOF'
		source /etc/network/interfaces.d/*
		auto lo
		iface lo inet loopback
		allow-hotplug enp1s0
		iface enp1s0 inet dhcp
		allow-hotplug ens3
		iface ens3 inet dhcp
	EOF
	echo 'fr_FR.UTF-8 UTF-8' >>"$mnt/etc/locale.gen"
	in_root locale-gen >/dev/null
	echo 'LANG=fr_FR.UTF-8' >"$mnt/etc/default/locale"
	# docs/install.md, section 4.6: no boot menu.
	sed -i -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0\nGRUB_TIMEOUT_STYLE=hidden/' "$mnt/etc/default/grub"
	# GRUB in the MBR without grub-install (which wants the disk's device):
	# boot.img's code in the MBR, core.img right after it (sector 1, the
	# place boot.img and diskboot.img point to by default), and a grub.cfg
	# that finds the root by UUID. update-grub writes the full one at the
	# first kernel update on the PC itself; grub-pc's debconf names
	# /dev/vda, the disk of a virtio virtual PC.
	in_root grub-mkimage -O i386-pc -o /tmp/core.img -p "(hd0,msdos1)/boot/grub" biosdisk part_msdos ext2 search_fs_uuid >"$cache/vm-grub.log" 2>&1 ||
		{ cat "$cache/vm-grub.log" >&2; fail "grub-mkimage"; }
	[ "$(stat -c %s "$mnt/tmp/core.img")" -lt $((2047 * 512)) ] || fail "core.img does not fit before the partition"
	dd if="$mnt/usr/lib/grub/i386-pc/boot.img" of="$base.tmp" bs=440 count=1 conv=notrunc status=none
	dd if="$mnt/tmp/core.img" of="$base.tmp" bs=512 seek=1 conv=notrunc status=none
	rm -f "$mnt/tmp/core.img"
	mkdir -p "$mnt/boot/grub"
	cp -r "$mnt/usr/lib/grub/i386-pc" "$mnt/boot/grub/"
	cat >"$mnt/boot/grub/grub.cfg" <<-EOF
		# Written by the kiosk image build; update-grub replaces it.
		set timeout=0
		set timeout_style=hidden
		insmod part_msdos
		insmod ext2
		search --no-floppy --fs-uuid --set=root $uuid
		if [ -s /boot/grub/kiosk-cmdline.cfg ]; then source /boot/grub/kiosk-cmdline.cfg; fi
		menuentry "Debian GNU/Linux" {
			linux /vmlinuz root=UUID=$uuid ro quiet \$kiosk_cmdline
			initrd /initrd.img
		}
	EOF
	echo "grub-pc grub-pc/install_devices multiselect /dev/vda" | in_root debconf-set-selections
	# Nothing installed yet: the package's dependencies and the test's
	# additions are only downloaded, so that installing them later needs no
	# network and still goes through apt like on a real PC.
	in_root apt-get update -qq >"$cache/vm-apt.log" 2>&1 || { cat "$cache/vm-apt.log" >&2; fail "apt-get update"; }
	# shellcheck disable=SC2086
	in_root apt-get install -y -qq --download-only $deb_deps >>"$cache/vm-apt.log" 2>&1 ||
		{ tail -n 30 "$cache/vm-apt.log" >&2; fail "downloading the package's dependencies"; }
	mkdir -p "$mnt/var/cache/kiosk-test-debs/partial"
	# shellcheck disable=SC2086
	in_root apt-get install -y -qq --download-only -o Dir::Cache::archives=/var/cache/kiosk-test-debs/ $test_pkgs >>"$cache/vm-apt.log" 2>&1 ||
		{ tail -n 30 "$cache/vm-apt.log" >&2; fail "downloading the test additions"; }
	# Does "standard system utilities" (task-standard) bring polkit? Logged
	# for docs/install.md; the package depends on what it needs anyway.
	in_root apt-cache depends --recurse --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances task-standard 2>/dev/null |
		grep -E '^ *(Depends|Recommends): (polkitd|policykit-1|xwayland|libpam-systemd|dbus)$' | sort -u >"$cache/vm-task-standard.txt" || true
	detach
	mv "$base.tmp" "$base"
	say "base disk ready in $((SECONDS - t0))s ($m)"
else
	say "base disk from cache: $(basename "$base")"
fi

# --- the plain image: the package installed as docs/install.md says ----------
t0=$SECONDS
disk=$work/disk.raw
cp --sparse=always "$base" "$disk"
attach "$disk"
mv "$mnt/var/cache/kiosk-test-debs" "$work/test-debs"
cp "$deb" "$mnt/root/"
# docs/install.md, section 3.
in_root apt-get install -y -q "./root/$(basename "$deb")" </dev/null >"$work/install.log" 2>&1 ||
	{ tail -n 40 "$work/install.log" >&2; fail "apt install ./$(basename "$deb")"; }
rm -f "$mnt/root/$(basename "$deb")"
in_root apt-get clean
# The IT account of docs/install.md section 2 (a trial image: the password
# is "kiosk" and must be changed at the first login).
if ! in_root getent passwd it >/dev/null; then
	in_root adduser --quiet --disabled-password --gecos "IT" it
	echo 'it:kiosk' | in_root chpasswd
	in_root passwd -q -e it
	in_root adduser --quiet it sudo
fi
# A login prompt on the serial line: the trial image's only console for IT
# (tty1 is the kiosk's, and logind opens no other VT). virt-manager: View >
# Consoles > Serial 1.
ln -sf /lib/systemd/system/serial-getty@.service "$mnt/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service"
# sources.list for the town's PC: the public mirror and security updates.
cat >"$mnt/etc/apt/sources.list" <<-EOF
	deb http://deb.debian.org/debian $suite main
	deb http://deb.debian.org/debian $suite-updates main
	deb http://security.debian.org/debian-security $suite-security main
EOF
sync
detach
mkdir -p "$(dirname "$plain")"
qemu-img convert -O qcow2 "$disk" "$plain.tmp" && mv "$plain.tmp" "$plain"
say "plain image $plain ($((SECONDS - t0))s)"

[ -n "$testraw" ] || exit 0

# --- the test image: the plain one plus what the test observes with ----------
t0=$SECONDS
attach "$disk"
cp -r "$work/test-debs" "$mnt/root/test-debs"
in_root sh -c 'apt-get install -y -q /root/test-debs/*.deb' </dev/null >"$work/test-install.log" 2>&1 ||
	{ tail -n 30 "$work/test-install.log" >&2; fail "installing the test additions"; }
rm -rf "$mnt/root/test-debs"
in_root apt-get clean
# The test origin: a static Go program, its certificate and CA.
CGO_ENABLED=0 go -C "$repo" build -trimpath -o "$work/kiosk-test-origin" ./packaging/test/vm/origin
"$work/kiosk-test-origin" -gen "$work/certs"
install -m 0755 "$work/kiosk-test-origin" "$mnt/usr/local/sbin/kiosk-test-origin"
install -d -m 0755 "$mnt/etc/kiosk-test"
install -m 0644 "$work/certs/origin.crt" "$mnt/etc/kiosk-test/origin.crt"
install -m 0600 "$work/certs/origin.key" "$mnt/etc/kiosk-test/origin.key"
install -m 0644 "$work/certs/ca.crt" "$mnt/usr/local/share/ca-certificates/kiosk-test-ca.crt"
in_root update-ca-certificates >/dev/null 2>&1
install -m 0644 "$here/kiosk-test-origin.service" "$mnt/etc/systemd/system/kiosk-test-origin.service"
ln -sf /etc/systemd/system/kiosk-test-origin.service "$mnt/etc/systemd/system/multi-user.target.wants/kiosk-test-origin.service"
printf '203.0.113.10\tdemarches.test interdit.test\n' >>"$mnt/etc/hosts"
# docs/install.md section 4.2: IT edits the allowlist.
install -m 0644 "$here/allowlist.yaml" "$mnt/etc/kiosk/allowlist.yaml"
in_root /usr/bin/kiosk allowlist check /etc/kiosk/allowlist.yaml >/dev/null || fail "the test allowlist"
# docs/install.md, "USB keys and the antivirus": IT turns --usb on.
sed -i -e 's|^KIOSK_SHELL_ARGS="\(.*\)"$|KIOSK_SHELL_ARGS="\1 --usb"|' "$mnt/etc/default/kiosk-shell"
grep -q '^KIOSK_SHELL_ARGS=".* --usb"$' "$mnt/etc/default/kiosk-shell" || fail "--usb in /etc/default/kiosk-shell"
# clamd's signatures: freshclam cannot reach ClamAV's mirror from here, so
# the test image has a database built with sigtool from the EICAR test
# string and one custom signature (the ones of kiosk/clamd/clamdtest), and
# no freshclam. Debian's clamav-daemon.service starts only once freshclam
# has written main.cvd and daily.cvd: the drop-in asks for this database
# instead.
command -v sigtool >/dev/null || fail "sigtool is missing (package clamav; scripts/deps.sh test installs it)"
{
	printf 'Kiosk.Test.EICAR:0:*:%s\n' "$(printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' | sigtool --hex-dump)"
	printf 'Kiosk.Test.Custom:0:*:%s\n' "$(printf '%s' 'KIOSK-TEST-CUSTOM-SIGNATURE-7f3a9c' | sigtool --hex-dump)"
} >"$mnt/var/lib/clamav/kiosk-test.ndb"
in_root chown clamav:clamav /var/lib/clamav/kiosk-test.ndb
mkdir -p "$mnt/etc/systemd/system/clamav-daemon.service.d"
cat >"$mnt/etc/systemd/system/clamav-daemon.service.d/kiosk-test.conf" <<-'EOF'
	# The VM test's database (packaging/test/vm/image.sh): no freshclam here.
	[Unit]
	ConditionPathExistsGlob=
	ConditionPathExists=/var/lib/clamav/kiosk-test.ndb
EOF
in_root systemctl disable clamav-freshclam.service >/dev/null 2>&1 || true
in_root systemctl is-enabled clamav-daemon.service >/dev/null 2>&1 || fail "clamav-daemon is not enabled by its package"
# The kernel and systemd's messages on the serial line too (the test's log).
mkdir -p "$mnt/etc/default/grub.d"
echo 'GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200"' >"$mnt/etc/default/grub.d/kiosk-test.cfg"
echo 'set kiosk_cmdline="console=tty0 console=ttyS0,115200"' >"$mnt/boot/grub/kiosk-cmdline.cfg"
sync
detach
mv "$disk" "$testraw"
say "test image $testraw ($((SECONDS - t0))s)"
