//go:build linux && e2e

package usbdoc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/kiosk/clamd/clamdtest"
	"github.com/communes/kiosk/kiosk/usbdoc"
	"github.com/communes/kiosk/kiosk/usbdoc/usbdoctest"
)

// want is a fixture's expected verdict.
type want struct {
	reason usbdoc.Reason
	kind   usbdoc.Kind
	pages  int
	threat string
}

// fixtures writes the set of files into dir (a key's root) and
// returns the expected verdicts by path. symlinks says whether the file
// system can hold symbolic links and control characters in names (FAT and
// exFAT cannot).
func fixtures(t testing.TB, dir string, symlinks bool) map[string]want {
	t.Helper()
	jpg, pngData := usbdoctest.Images(t)
	files := map[string][]byte{
		"avis-imposition.pdf":    usbdoctest.TwoPagePDF(),
		"photo.jpg":              jpg,
		"scan.png":               pngData,
		"IMG_0001.HEIC":          usbdoctest.HEIC(t, jpg),
		"eicar.com":              clamdtest.EICAR,
		"facture.pdf":            clamdtest.EICAR,
		"releve.pdf":             append(usbdoctest.TwoPagePDF(), clamdtest.Custom...),
		"programme.pdf":          append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 512)...),
		"gros.pdf":               append([]byte("%PDF-1.4\n"), make([]byte, 30<<20)...),
		"notes.txt":              []byte("a text file\n"),
		"..evil.pdf":             usbdoctest.TwoPagePDF(),
		"a/b/c/d/lettre.pdf":     usbdoctest.TwoPagePDF(),
		"a/b/c/d/e/f/g/deep.pdf": usbdoctest.TwoPagePDF(),
	}
	wants := map[string]want{
		"avis-imposition.pdf": {kind: usbdoc.KindPDF, pages: 2},
		"photo.jpg":           {kind: usbdoc.KindJPEG},
		"scan.png":            {kind: usbdoc.KindPNG},
		"IMG_0001.HEIC":       {kind: usbdoc.KindHEIC},
		"eicar.com":           {reason: usbdoc.ReasonThreat, threat: clamdtest.EICARName},
		"facture.pdf":         {reason: usbdoc.ReasonThreat, threat: clamdtest.EICARName},
		"releve.pdf":          {reason: usbdoc.ReasonThreat, kind: usbdoc.KindPDF, pages: 2, threat: clamdtest.CustomName},
		"programme.pdf":       {reason: usbdoc.ReasonType},
		"gros.pdf":            {reason: usbdoc.ReasonTooBig},
		"notes.txt":           {reason: usbdoc.ReasonType},
		"..evil.pdf":          {reason: usbdoc.ReasonName},
		"a/b/c/d/lettre.pdf":  {kind: usbdoc.KindPDF, pages: 2},
		"a/b/c/d/e/":          {reason: usbdoc.ReasonTooDeep},
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Hidden files are skipped silently.
	if err := os.WriteFile(filepath.Join(dir, "._photo.jpg"), jpg, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "lien.pdf")
	err := os.Symlink("avis-imposition.pdf", link)
	if !symlinks {
		if err == nil {
			t.Fatal("the file system took a symbolic link")
		}
		return wants
	}
	if err != nil {
		t.Fatal(err)
	}
	wants["lien.pdf"] = want{reason: usbdoc.ReasonNotRegular}
	if err := os.Symlink("/etc", filepath.Join(dir, "etc")); err != nil {
		t.Fatal(err)
	}
	wants["etc"] = want{reason: usbdoc.ReasonNotRegular}
	if err := os.WriteFile(filepath.Join(dir, "bad\x1b[31m.pdf"), usbdoctest.TwoPagePDF(), 0o644); err != nil {
		t.Fatal(err)
	}
	wants["bad\uFFFD[31m.pdf"] = want{reason: usbdoc.ReasonName}
	return wants
}

// checkListing compares a listing with the fixtures' verdicts.
func checkListing(t *testing.T, l *usbdoc.Listing, wants map[string]want) {
	t.Helper()
	got := map[string]usbdoc.File{}
	for _, f := range l.Files {
		got[f.Path] = f
	}
	for p, w := range wants {
		f, ok := got[p]
		if !ok {
			t.Errorf("%q not listed", p)
			continue
		}
		if f.Reason != w.reason || f.Threat != w.threat || (w.kind != "" && f.Kind != w.kind) || f.Pages != w.pages {
			t.Errorf("%q: reason %q threat %q kind %q pages %d, want %q %q %q %d",
				p, f.Reason, f.Threat, f.Kind, f.Pages, w.reason, w.threat, w.kind, w.pages)
		}
	}
	for p := range got {
		if _, ok := wants[p]; !ok {
			t.Errorf("%q listed, not expected", p)
		}
		if strings.Contains(p, "deep.pdf") || strings.HasPrefix(p, "._") {
			t.Errorf("%q listed", p)
		}
	}
	if l.ScanErr != nil {
		t.Errorf("ScanErr = %v", l.ScanErr)
	}
}
