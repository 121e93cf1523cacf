//go:build linux && e2e

package usbdoc_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/kiosk/clamd/clamdtest"
	"github.com/communes/kiosk/kiosk/usbdoc"
	"github.com/communes/kiosk/kiosk/usbdoc/usbdoctest"
)

// TestKey_BlockDevice lists and copies the fixtures from real file systems
// on loop devices, mounted read-only, nosuid, nodev, noexec as udisks2
// mounts a key: FAT, exFAT and ext4 (the types the polkit rule allows but
// NTFS). A kernel without the vfat or exfat driver (some CI VMs) gets the
// FUSE drivers (fusefat, exfat-fuse) on the same loop device.
func TestKey_BlockDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("losetup and mount need root: run the e2e tests as root, as CI does")
	}
	d := clamdtest.Start(t)
	for _, tc := range []struct {
		fs       string
		mkfs     []string
		symlinks bool
	}{
		{"vfat", []string{"mkfs.vfat", "-n", "CLE-TEST"}, false},
		{"exfat", []string{"mkfs.exfat", "-L", "CLE-TEST"}, false},
		{"ext4", []string{"mkfs.ext4", "-q", "-L", "CLE-TEST"}, true},
	} {
		t.Run(tc.fs, func(t *testing.T) {
			dev := usbdoctest.Loop(t, 64<<20, tc.mkfs...)
			dir := t.TempDir()

			// Fill the key (read-write), then mount it as udisks2 would.
			usbdoctest.Mount(t, tc.fs, dev, dir, "rw")
			wants := fixtures(t, dir, tc.symlinks)
			pdf, err := os.ReadFile(filepath.Join(dir, "avis-imposition.pdf"))
			if err != nil {
				t.Fatal(err)
			}
			usbdoctest.Unmount(t, dir)
			if usbdoctest.Mount(t, tc.fs, dev, dir, "ro,nosuid,nodev,noexec") && tc.fs == "vfat" {
				// fusefat shows the volume label as a file (the kernel's
				// vfat does not): it is listed, and refused.
				wants["CLE-TEST"] = want{reason: usbdoc.ReasonType}
			}
			t.Cleanup(func() { _, _ = exec.Command("umount", dir).CombinedOutput() })
			checkMountOptions(t, dir)

			k := open(t, dir, d)
			l, err := k.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			checkListing(t, l, wants)
			dst := t.TempDir()
			got, _, err := k.Copy(context.Background(), "avis-imposition.pdf", dst)
			if err != nil {
				t.Fatal(err)
			}
			if data, _ := os.ReadFile(got); !bytes.Equal(data, pdf) {
				t.Errorf("the PDF copied from the key differs from the one written (%d bytes, want %d)", len(data), len(pdf))
			}
			if _, _, err := k.Copy(context.Background(), "IMG_0001.HEIC", dst); err != nil {
				t.Errorf("Copy(HEIC): %v", err)
			}
			if err := k.Close(); err != nil {
				t.Fatal(err)
			}
			// Nothing holds the key open: it unmounts.
			usbdoctest.Unmount(t, dir)
		})
	}
}

// checkMountOptions checks that dir is mounted read-only, nosuid, nodev,
// noexec.
func checkMountOptions(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[4] != dir {
			continue
		}
		opts := "," + f[5] + ","
		for _, o := range []string{"ro", "nosuid", "nodev", "noexec"} {
			if !strings.Contains(opts, ","+o+",") {
				t.Errorf("%s mounted %s, without %s", dir, f[5], o)
			}
		}
		return
	}
	t.Fatalf("%s not in /proc/self/mountinfo", dir)
}
