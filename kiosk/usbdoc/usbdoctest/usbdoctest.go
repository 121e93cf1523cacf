// Package usbdoctest builds USB keys for tests (kiosk/usbdoc's own and the
// shell's): documents of the kinds a resident brings, on a file system (FAT,
// exFAT, ext4) in an image on a loop device, mounted read-only, nosuid,
// nodev, noexec as udisks2 mounts a key. It needs root (losetup, mount); a
// kernel without the vfat or exfat driver gets the FUSE driver (fusefat,
// exfat-fuse).
package usbdoctest

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TwoPagePDF is a small valid PDF of two empty A4 pages.
func TwoPagePDF() []byte {
	var b bytes.Buffer
	var offsets []int
	b.WriteString("%PDF-1.4\n")
	for i, o := range []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	} {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// PDFOfSize is TwoPagePDF followed by a comment line that brings it to n
// bytes (readers skip what follows %%EOF's line).
func PDFOfSize(n int) []byte {
	pdf := TwoPagePDF()
	if n <= len(pdf)+2 {
		return pdf
	}
	out := make([]byte, 0, n)
	out = append(out, pdf...)
	out = append(out, '%')
	out = append(out, bytes.Repeat([]byte{'k'}, n-len(pdf)-2)...)
	return append(out, '\n')
}

// Images returns a small photo as JPEG and PNG.
func Images(t testing.TB) (jpg, pngData []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var j, p bytes.Buffer
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	return j.Bytes(), p.Bytes()
}

// HEIC encodes a JPEG as a HEIC photo with heif-enc (libheif-examples).
func HEIC(t testing.TB, jpg []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jpg"), filepath.Join(dir, "out.heic")
	if err := os.WriteFile(in, jpg, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command("heif-enc", "-q", "80", "-o", out, in).CombinedOutput(); err != nil {
		t.Fatalf("heif-enc (package libheif-examples): %v: %s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Key is a FAT file system on a loop device, mounted read-only.
type Key struct {
	// Dir is the mount point.
	Dir string
	// Dev is the loop device.
	Dev string
	// Label is the volume label.
	Label string
}

// FAT makes a FAT image of size bytes labelled label holding files (by
// slash-separated path), attaches it to a loop device and mounts it
// ro,nosuid,nodev,noexec; the test's cleanup unmounts and detaches it.
func FAT(t testing.TB, label string, size int64, files map[string][]byte) *Key {
	t.Helper()
	k := &Key{Dev: Loop(t, size, "mkfs.vfat", "-n", label), Dir: t.TempDir(), Label: label}
	Mount(t, "vfat", k.Dev, k.Dir, "rw")
	for name, data := range files {
		p := filepath.Join(k.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Unmount(t, k.Dir)
	Mount(t, "vfat", k.Dev, k.Dir, "ro,nosuid,nodev,noexec")
	t.Cleanup(func() { _, _ = exec.Command("umount", k.Dir).CombinedOutput() })
	return k
}

// Loop makes an empty image of size bytes, formats it with mkfs (a command
// and its arguments, to which the image's path is appended) and attaches it
// to a loop device, which it returns; the test's cleanup detaches it. It
// needs root.
func Loop(t testing.TB, size int64, mkfs ...string) (dev string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("losetup and mount need root: run the e2e tests as root, as CI does")
	}
	img := filepath.Join(t.TempDir(), "key.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, size); err != nil {
		t.Fatal(err)
	}
	run(t, append(mkfs, img)...)
	dev = strings.TrimSpace(run(t, "losetup", "--find", "--show", img))
	t.Cleanup(func() { _, _ = exec.Command("losetup", "-d", dev).CombinedOutput() })
	return dev
}

// Mounted says whether the key's file system is still mounted.
func (k *Key) Mounted(t testing.TB) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == k.Dir {
			return true
		}
	}
	return false
}

// Mount mounts dev on dir as fs (vfat, exfat, ext4) with opts, with the
// kernel's driver, or its FUSE driver (fusefat, exfat-fuse) when the kernel
// has none, and says which. The caller unmounts it (Unmount, or a cleanup).
func Mount(t testing.TB, fs, dev, dir, opts string) (fuse bool) {
	t.Helper()
	if kernelHas(t, fs) {
		run(t, "mount", "-t", fs, "-o", opts, dev, dir)
		return false
	}
	// exfat-fuse drops noexec: set the mount point's flags again.
	defer func() {
		if opts != "rw" {
			run(t, "mount", "-o", "remount,bind,"+opts, dir)
		}
	}()
	switch fs {
	case "vfat":
		fopts := opts
		if opts == "rw" {
			fopts = "rw+" // fusefat's read-write mode
		}
		run(t, "fusefat", "-o", fopts, dev, dir)
	case "exfat":
		run(t, "mount.exfat-fuse", "-o", opts, dev, dir)
	default:
		t.Fatalf("the kernel cannot mount %s", fs)
	}
	t.Logf("the kernel has no %s driver: mounted with FUSE", fs)
	return true
}

// Unmount unmounts dir, failing the test if it cannot (something still
// holds a file open).
func Unmount(t testing.TB, dir string) {
	t.Helper()
	run(t, "umount", dir)
}

// kernelHas says whether /proc/filesystems lists fs.
func kernelHas(t testing.TB, fs string) bool {
	data, err := os.ReadFile("/proc/filesystems")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(strings.TrimPrefix(line, "nodev")) == fs {
			return true
		}
	}
	return false
}

// run runs a command and returns its output.
func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
