//go:build linux && e2e

package browser

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// saneTest makes SANE's "test" backend (a virtual scanner, in libsane1)
// the only one, through a configuration directory of the test's own.
func saneTest(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Fatal("scanimage is missing: make test installs sane-utils")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dll.conf"), []byte("test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SANE_CONFIG_DIR", dir)
}

// TestScan runs scanimage on SANE's virtual scanner and reports a device
// that does not exist.
func TestScan(t *testing.T) {
	saneTest(t)
	dir := filepath.Join(t.TempDir(), "documents")
	file := filepath.Join(dir, "page.jpg")
	if err := scan(context.Background(), "test:0", dir, file); err != nil {
		t.Fatalf("scan: %v", err)
	}
	data, err := os.ReadFile(file)
	if err != nil || !bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}) {
		t.Errorf("scan wrote %.8q (%v), want a JPEG", data, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("documents directory: %v %v, want mode 0700", fi, err)
	}
	file = filepath.Join(dir, "none.jpg")
	err = scan(context.Background(), "test:9", dir, file)
	if err == nil || !strings.Contains(err.Error(), "scanimage") {
		t.Errorf("scan on a missing device = %v, want scanimage's error", err)
	}
	if _, serr := os.Stat(file); !os.IsNotExist(serr) {
		t.Errorf("a failed scan left %s (%v)", file, serr)
	}
}

// TestScanPagesToPDF scans two pages on the virtual scanner and makes one
// PDF of them, which poppler's pdfinfo reads: two A4-sized pages.
func TestScanPagesToPDF(t *testing.T) {
	saneTest(t)
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Fatal("pdfinfo is missing: make test installs poppler-utils")
	}
	dir := filepath.Join(t.TempDir(), "documents")
	var pages []string
	for _, name := range []string{"p1.jpg", "p2.jpg"} {
		p := filepath.Join(dir, name)
		if err := scan(context.Background(), "test:0", dir, p); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
	file := filepath.Join(dir, "document.pdf")
	if err := writePDF(file, pages, scanDPI); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Pages:           2\n") {
		t.Errorf("pdfinfo:\n%s", out)
	}
	t.Logf("pdfinfo:\n%s", out)
}
