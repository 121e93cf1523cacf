package usbdoc

import (
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	testCases := []struct {
		name string
		head string
		want Kind
	}{
		{"pdf", "%PDF-1.7\n", KindPDF},
		{"pdf after garbage", "garbage %PDF-1.7\n", KindOther},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", KindJPEG},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", KindPNG},
		{"heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", KindHEIC},
		{"heif mif1 with heic", "\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf", KindHEIC},
		{"avif", "\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", KindOther},
		{"mif1 without hevc", "\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif", KindOther},
		{"mp4", "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", KindOther},
		{"exe", "MZ\x90\x00", KindOther},
		{"eicar", `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR`, KindOther},
		{"empty", "", KindOther},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect([]byte(tc.head)); got != tc.want {
				t.Errorf("Detect(%q) = %q, want %q", tc.head, got, tc.want)
			}
		})
	}
}

func TestPDFPages(t *testing.T) {
	testCases := []struct {
		name, pdf string
		want      int
	}{
		{"page tree", "%PDF-1.4 1 0 obj << /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >> endobj", 3},
		{"count first", "%PDF-1.4 1 0 obj <</Count 12/Kids[]/Type/Pages>> endobj", 12},
		{"nested, the root's", "<< /Type /Pages /Count 2 >> << /Type /Pages /Count 7 >>", 7},
		{"page objects only", "<< /Type /Page >> << /Type /Page >> << /Type /Pages >>", 2},
		{"compressed", "%PDF-1.5 stream xyz endstream", 0},
	}
	for _, tc := range testCases {
		if got := pdfPages([]byte(tc.pdf)); got != tc.want {
			t.Errorf("pdfPages(%s) = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestValidName(t *testing.T) {
	testCases := []struct {
		name string
		want bool
	}{
		{"avis.pdf", true},
		{"Relevé d'identité.pdf", true},
		{"...pdf", false},
		{"..evil.pdf", false},
		{`..\evil.pdf`, false},
		{"a/b", false},
		{"bad\x1b[31m.pdf", false},
		{"nul\x00.pdf", false},
		{"\xff.pdf", false},
		{"", false},
	}
	for _, tc := range testCases {
		if got := validName(tc.name); got != tc.want {
			t.Errorf("validName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestReason_Message: every reason has its text in every language, French
// for an unknown one.
func TestReason_Message(t *testing.T) {
	for r := range messages {
		for _, lang := range Languages {
			if r.Message(lang) == "" || (lang != "fr" && r.Message(lang) == r.Message("fr")) {
				t.Errorf("%q.Message(%q) = %q", r, lang, r.Message(lang))
			}
		}
		if r.Message("de") != r.Message("fr") {
			t.Errorf("%q.Message(de) is not the French", r)
		}
	}
	if len(messages) != 8 || ReasonNone.Message("fr") != "" {
		t.Errorf("%d reasons with messages, want 8; ReasonNone.Message = %q", len(messages), ReasonNone.Message("fr"))
	}
}

// TestSendName: the name a copy is sent under keeps the key's base name
// and nothing a site or a file system could misread.
func TestSendName(t *testing.T) {
	long := strings.Repeat("é", 80) + ".pdf"
	for rel, want := range map[string]string{
		"avis-imposition.pdf":            "avis-imposition",
		"a/b/Relevé de compte (2).PDF":   "Relevé de compte (2)",
		"IMG_0001.HEIC":                  "IMG_0001",
		"..":                             "document",
		".pdf":                           "pdf",
		"x/..pdf":                        "document",
		"CLE-MAIR\u00ad../../etc/passwd": "passwd",
		"fac\x00ture\n<script>.pdf":      "fac_ture__script_",
		"$(reboot);rm -rf ~.pdf":         "_(reboot)_rm -rf _",
		"???.pdf":                        "document",
		"note.tar.gz":                    "note.tar",
		long:                             strings.Repeat("é", 50),
	} {
		if got := sendName(rel); got != want {
			t.Errorf("sendName(%q) = %q, want %q", rel, got, want)
		}
	}
}
