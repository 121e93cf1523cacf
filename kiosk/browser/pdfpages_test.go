package browser

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// writeJPEG writes a w×h JPEG, grey or colour, and returns its path.
func writeJPEG(t *testing.T, dir, name string, w, h int, gray bool) string {
	t.Helper()
	var img image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = uint8(i)
		}
		img = g
	} else {
		c := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
			}
		}
		img = c
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWritePDF checks the file's structure: every cross-reference points
// at its object, the stream lengths are right, the pages have the size of
// the scans on paper (pdfinfo, a real reader, is in the e2e test).
func TestWritePDF(t *testing.T) {
	dir := t.TempDir()
	pages := []string{
		writeJPEG(t, dir, "1.jpg", 1654, 2339, false), // A4 at 200 dpi
		writeJPEG(t, dir, "2.jpg", 200, 100, true),
	}
	file := filepath.Join(dir, "doc.pdf")
	if err := writePDF(file, pages, 200); err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF: %.20q … %q", pdf, pdf[len(pdf)-10:])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 9\n")) {
		t.Fatalf("startxref %d points at %.12q, want the table of 9 entries", xref, pdf[xref:])
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n \n`).FindAllSubmatch(pdf[xref:], -1)
	if len(entries) != 8 {
		t.Fatalf("%d objects in the table, want 8", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := strconv.Itoa(i+1) + " 0 obj\n"; !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("object %d: offset %d points at %.12q", i+1, off, pdf[off:])
		}
	}
	for _, m := range regexp.MustCompile(`/Length (\d+) >>\nstream\n`).FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		if !bytes.HasPrefix(pdf[m[1]+n:], []byte("\nendstream\n")) {
			t.Errorf("a stream of /Length %d does not end there", n)
		}
	}
	for _, want := range []string{"/Count 2", "/MediaBox [0 0 595.44 842.04]", "/MediaBox [0 0 72.00 36.00]", "/ColorSpace /DeviceGray", "/ColorSpace /DeviceRGB"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if err := writePDF(file, nil, 200); err == nil {
		t.Error("writePDF with no page succeeded")
	}
	if err := writePDF(file, []string{file}, 200); err == nil {
		t.Error("writePDF with a page that is not a JPEG succeeded")
	}
}
