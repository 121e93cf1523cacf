package browser

import (
	"bytes"
	"fmt"
	"image/color"
	"image/jpeg"
	"os"
)

// scanDPI is the resolution pages are scanned at (scan), which gives their
// size on paper.
const scanDPI = 200

// writePDF writes the JPEG pages (scanned at dpi) as one PDF, a page each,
// at their size on paper. The JPEG data go in as they are (DCTDecode): no
// re-encoding, no loss. No library in the dependencies writes PDF, and
// this needs a few objects only.
func writePDF(file string, pages []string, dpi int) error {
	if len(pages) == 0 {
		return fmt.Errorf("writing %s: no page", file)
	}
	var out bytes.Buffer
	var offsets []int // byte offset of each object, object n at offsets[n-1]
	obj := func(body string, stream []byte) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\n", len(offsets), body)
		if stream != nil {
			out.WriteString("stream\n")
			out.Write(stream)
			out.WriteString("\nendstream\n")
		}
		out.WriteString("endobj\n")
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Objects: 1 catalog, 2 pages, then per page: page, image, contents.
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	for i, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("writing %s: %w", file, err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("writing %s: page %d: %w", file, i+1, err)
		}
		space := "/DeviceRGB"
		switch cfg.ColorModel {
		case color.GrayModel:
			space = "/DeviceGray"
		case color.CMYKModel:
			space = "/DeviceCMYK /Decode [1 0 1 0 1 0 1 0]" // Adobe's inverted CMYK JPEGs
		}
		w := float64(cfg.Width) * 72 / float64(dpi)
		h := float64(cfg.Height) * 72 / float64(dpi)
		img := 4 + 3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>",
			w, h, img, img+1), nil)
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			cfg.Width, cfg.Height, space, len(data)), data)
		draw := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", w, h)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), []byte(draw))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	if err := os.WriteFile(file, out.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return nil
}
