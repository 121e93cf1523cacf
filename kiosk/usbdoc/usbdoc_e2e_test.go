//go:build linux && e2e

package usbdoc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/clamd"
	"github.com/communes/kiosk/kiosk/clamd/clamdtest"
	"github.com/communes/kiosk/kiosk/usbdoc"
	"github.com/communes/kiosk/kiosk/usbdoc/usbdoctest"
)

// open opens dir as a key scanned by d.
func open(t testing.TB, dir string, d *clamdtest.Daemon) *usbdoc.Key {
	t.Helper()
	k, err := usbdoc.Open(usbdoc.Config{Dir: dir, Scanner: &clamd.Client{Socket: d.Socket, Timeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func TestKey_List(t *testing.T) {
	d := clamdtest.Start(t)
	dir := t.TempDir()
	wants := fixtures(t, dir, true)
	l, err := open(t, dir, d).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkListing(t, l, wants)
	if got := len(l.Threats()); got != 3 {
		t.Errorf("Threats() = %v, want 3", l.Threats())
	}
}

func TestKey_Copy(t *testing.T) {
	d := clamdtest.Start(t)
	dir := t.TempDir()
	fixtures(t, dir, true)
	k := open(t, dir, d)
	dst := t.TempDir()
	ctx := context.Background()

	got, f, err := k.Copy(ctx, "avis-imposition.pdf", dst)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "avis-imposition.pdf"))
	if data, _ := os.ReadFile(got); !bytes.Equal(data, want) || f.Kind != usbdoc.KindPDF || filepath.Base(got) != "avis-imposition.pdf" {
		t.Errorf("Copy(pdf) = %s (%d bytes, %q), want the PDF byte for byte", got, len(data), f.Kind)
	}
	got, _, err = k.Copy(ctx, "a/b/c/d/lettre.pdf", dst)
	// Each copy in a new directory of dst, under the key's file name.
	if err != nil || filepath.Dir(filepath.Dir(got)) != dst || filepath.Base(got) != "lettre.pdf" || !strings.HasPrefix(filepath.Base(filepath.Dir(got)), "usb-") {
		t.Errorf("Copy(a/b/c/d/lettre.pdf) = %s, %v", got, err)
	}

	got, f, err = k.Copy(ctx, "IMG_0001.HEIC", dst)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(got); usbdoc.Detect(data) != usbdoc.KindJPEG || filepath.Base(got) != "IMG_0001.jpg" || f.Kind.MIME() != "image/jpeg" {
		t.Errorf("Copy(heic) = %s, not a JPEG", got)
	}

	for _, tc := range []struct {
		rel    string
		reason usbdoc.Reason
	}{
		{"facture.pdf", usbdoc.ReasonThreat},
		{"eicar.com", usbdoc.ReasonThreat},
		{"releve.pdf", usbdoc.ReasonThreat},
		{"programme.pdf", usbdoc.ReasonType},
		{"gros.pdf", usbdoc.ReasonTooBig},
		{"lien.pdf", usbdoc.ReasonNotRegular},
		{"etc/passwd", usbdoc.ReasonName},
		{"../" + filepath.Base(dir) + "/photo.jpg", usbdoc.ReasonName},
		{"a/../photo.jpg", usbdoc.ReasonName},
		{"/etc/passwd", usbdoc.ReasonName},
		{"a/b/c/d/e/f/g/deep.pdf", usbdoc.ReasonName},
	} {
		got, f, err := k.Copy(ctx, tc.rel, dst)
		if !errors.Is(err, usbdoc.ErrNotAttachable) || f.Reason != tc.reason || got != "" {
			t.Errorf("Copy(%q) = %q, %q, %v; want ErrNotAttachable, %q", tc.rel, got, f.Reason, err, tc.reason)
		}
	}
	entries, _ := os.ReadDir(dst)
	if len(entries) != 3 {
		t.Errorf("%d files in the documents directory, want the 3 copies (no .heic copy, nothing refused)", len(entries))
	}
}

func TestKey_FailsClosed(t *testing.T) {
	d := clamdtest.Start(t)
	dir := t.TempDir()
	fixtures(t, dir, true)
	k := open(t, dir, d)
	d.Stop()
	l, err := k.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(l.ScanErr, clamd.ErrUnavailable) {
		t.Errorf("ScanErr = %v, want clamd.ErrUnavailable", l.ScanErr)
	}
	for _, f := range l.Files {
		if f.Attachable() {
			t.Errorf("%q attachable with clamd stopped", f.Path)
		}
	}
	if _, f, err := k.Copy(context.Background(), "photo.jpg", t.TempDir()); !errors.Is(err, usbdoc.ErrNotAttachable) || f.Reason != usbdoc.ReasonNoScan {
		t.Errorf("Copy() with clamd stopped: %q, %v", f.Reason, err)
	}

	// No scanner at all: nothing either.
	k, err = usbdoc.Open(usbdoc.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	l, err = k.List(context.Background())
	if err != nil || !errors.Is(l.ScanErr, usbdoc.ErrNoScanner) {
		t.Fatalf("List() without scanner: %v, %v", l.ScanErr, err)
	}
	for _, f := range l.Files {
		if f.Attachable() {
			t.Errorf("%q attachable without a scanner", f.Path)
		}
	}
}

func TestKey_ListLimits(t *testing.T) {
	d := clamdtest.Start(t)
	dir := t.TempDir()
	for i := range 250 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.txt", i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := open(t, dir, d).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Files) != usbdoc.DefaultMaxFiles || !l.Truncated {
		t.Errorf("List() of 250 files: %d files, truncated %v; want %d, true", len(l.Files), l.Truncated, usbdoc.DefaultMaxFiles)
	}
}

// BenchmarkKey_List: a key of 20 files, 30 MB in all, listed with their
// verdicts (the target: under 5 s).
func BenchmarkKey_List(b *testing.B) {
	d := clamdtest.Start(b)
	dir := b.TempDir()
	for i := range 20 {
		data := append(usbdoctest.TwoPagePDF(), bytes.Repeat([]byte{byte(i)}, 30<<20/20)...)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("doc%02d.pdf", i)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	k := open(b, dir, d)
	for b.Loop() {
		l, err := k.List(context.Background())
		if err != nil || len(l.Files) != 20 || !l.Files[19].Attachable() {
			b.Fatalf("List() = %+v, %v", l, err)
		}
	}
}

// BenchmarkKey_Copy: attaching a 5 MB PDF (target: under 1 s).
func BenchmarkKey_Copy(b *testing.B) {
	d := clamdtest.Start(b)
	dir := b.TempDir()
	data := append(usbdoctest.TwoPagePDF(), bytes.Repeat([]byte("0123456789abcdef"), 5<<20/16)...)
	if err := os.WriteFile(filepath.Join(dir, "doc.pdf"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	k := open(b, dir, d)
	dst := b.TempDir()
	for b.Loop() {
		got, _, err := k.Copy(context.Background(), "doc.pdf", dst)
		if err != nil {
			b.Fatal(err)
		}
		_ = os.Remove(got)
	}
}

// TestKey_ErrorsNameNothing: no error names a file of the key or its mount
// point (udisks2 names it after the volume label), so a caller that logs
// an error logs neither (issue 15, privacy).
func TestKey_ErrorsNameNothing(t *testing.T) {
	d := clamdtest.Start(t)
	const secret = "Dupont-Jeanne"
	if _, err := usbdoc.Open(usbdoc.Config{Dir: filepath.Join(t.TempDir(), "CLE-"+secret)}); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("Open(missing mount) error = %v", err)
	}
	dir := filepath.Join(t.TempDir(), "CLE-"+secret)
	if err := os.MkdirAll(filepath.Join(dir, "impots-"+secret), 0o755); err != nil {
		t.Fatal(err)
	}
	// Looks like a HEIC photo, is not one: heif-convert fails on the copy.
	fake := append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 100)...)
	if err := os.WriteFile(filepath.Join(dir, "photo-"+secret+".heic"), fake, 0o644); err != nil {
		t.Fatal(err)
	}
	k := open(t, dir, d)
	dst := t.TempDir()
	for _, rel := range []string{
		"avis-" + secret + ".pdf",
		"impots-" + secret + "/avis-" + secret + ".pdf",
		"absent-" + secret + "/avis.pdf",
		"photo-" + secret + ".heic",
	} {
		_, _, err := k.Copy(context.Background(), rel, dst)
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("Copy(%q) error = %v, want one that does not name the file", rel, err)
		}
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 0 {
		t.Errorf("%d files left in the documents directory after failed copies", len(entries))
	}
}
