package usage

import (
	"strings"
	"testing"
)

func TestCleanHost(t *testing.T) {
	testCases := []struct {
		name, in, want string
	}{
		{"plain", "www.caf.fr", "www.caf.fr"},
		{"upper", "WWW.Caf.FR", "www.caf.fr"},
		{"path", "www.caf.fr/mon-compte?id=123#x", "www.caf.fr"},
		{"query only", "ameli.fr?nir=1234567890123", "ameli.fr"},
		{"url", "https://user:secret@www.impots.gouv.fr:443/espace", "www.impots.gouv.fr"},
		{"port", "cdn.example.net:8443", "cdn.example.net"},
		{"trailing dot", "example.org.", "example.org"},
		{"ipv6", "[2001:db8::1]:443", "2001:db8::1"},
		{"ipv4", "192.0.2.7:80", "192.0.2.7"},
		{"junk", "ex ample\x00.org\n<b>", "example.orgb"},
		{"empty", "", ""},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanHost(tc.in); got != tc.want {
				t.Errorf("cleanHost(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := cleanHost(strings.Repeat("a", 1000)); len(got) != maxHostLen {
		t.Errorf("cleanHost(1000 bytes) has %d bytes, want %d", len(got), maxHostLen)
	}
}

func TestCleanSites(t *testing.T) {
	got := cleanSites([]string{"CAF", " CAF ", "", "Impôts\x00\n", "\xff"})
	if want := []string{"CAF", "Impôts"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cleanSites = %q, want %q", got, want)
	}
	long := strings.Repeat("é", 100)
	if got := cleanLabel(long); len(got) > maxLabelLen || !strings.HasPrefix(long, got) {
		t.Errorf("cleanLabel(200 bytes) = %d bytes, want <= %d on a rune boundary", len(got), maxLabelLen)
	}
	for in, want := range map[string]string{"fr": "fr", "PT-BR": "pt-br", "<script>": "", "": ""} {
		if got := cleanLang(in); got != want {
			t.Errorf("cleanLang(%q) = %q, want %q", in, got, want)
		}
	}
}
