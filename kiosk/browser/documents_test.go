package browser

import "testing"

func TestScanFormat(t *testing.T) {
	for accept, want := range map[string]string{
		"":                           "pdf",
		"application/pdf":            "pdf",
		"image/jpeg,image/png":       "jpeg",
		"image/*":                    "jpeg",
		"image/png":                  "pdf", // no JPEG: PDF is the safer bet
		"application/pdf,image/jpeg": "pdf",
		" IMAGE/JPEG ":               "jpeg",
	} {
		if got := scanFormat(accept); got != want {
			t.Errorf("scanFormat(%q) = %q, want %q", accept, got, want)
		}
	}
}
