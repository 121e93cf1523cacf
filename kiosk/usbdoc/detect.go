package usbdoc

import (
	"bytes"
	"regexp"
	"strconv"
)

// Kind is a file's type, recognised from its content.
type Kind string

// The kinds a resident may attach; KindOther is everything else.
const (
	KindPDF   Kind = "pdf"
	KindJPEG  Kind = "jpeg"
	KindPNG   Kind = "png"
	KindHEIC  Kind = "heic"
	KindOther Kind = ""
)

// MIME is the kind's media type as a form receives it (a HEIC photo is
// attached as the JPEG made from it).
func (k Kind) MIME() string {
	switch k {
	case KindPDF:
		return "application/pdf"
	case KindJPEG, KindHEIC:
		return "image/jpeg"
	case KindPNG:
		return "image/png"
	}
	return ""
}

// headSize is how much of a file Detect needs.
const headSize = 64

// heifBrands are the ISO BMFF brands of HEIC/HEIF images (ISO/IEC 23008-12);
// "mif1" and "msf1" are generic and also start AVIF files, so they count
// only with a HEVC brand among the compatible ones.
var heifBrands = map[string]bool{"heic": true, "heix": true, "heim": true, "heis": true, "hevc": true, "hevx": true}

// Detect recognises a file from its first bytes (at least 64 of them when
// the file is that long), never from its name.
func Detect(head []byte) Kind {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return KindPDF
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return KindJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return KindPNG
	case isHEIF(head):
		return KindHEIC
	}
	return KindOther
}

// isHEIF reads the leading ftyp box: size, "ftyp", major brand, minor
// version, compatible brands.
func isHEIF(head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	size := int(head[0])<<24 | int(head[1])<<16 | int(head[2])<<8 | int(head[3])
	if size < 16 || size > len(head) {
		size = min(len(head), 64)
	}
	if heifBrands[string(head[8:12])] {
		return true
	}
	if major := string(head[8:12]); major != "mif1" && major != "msf1" {
		return false
	}
	for i := 16; i+4 <= size; i += 4 {
		if heifBrands[string(head[i:i+4])] {
			return true
		}
	}
	return false
}

var (
	pagesCount = regexp.MustCompile(`/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b`)
	pageObject = regexp.MustCompile(`/Type\s*/Page\b`)
)

// pdfPages returns a PDF's page count as its page tree says (the largest
// /Count of a /Pages node, the root's), else the number of /Page objects;
// 0 when neither can be read (object streams compress them). It is shown
// to the resident only, never trusted.
func pdfPages(data []byte) int {
	n := 0
	for _, m := range pagesCount.FindAllSubmatch(data, -1) {
		s := m[1]
		if s == nil {
			s = m[2]
		}
		if c, err := strconv.Atoi(string(s)); err == nil && c > n && c < 1e6 {
			n = c
		}
	}
	if n == 0 {
		n = len(pageObject.FindAllIndex(data, -1))
	}
	return n
}
