package allowlist_test

import (
	"errors"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

// loadTestList loads testdata/match.yaml.
func loadTestList(t testing.TB) *allowlist.List {
	t.Helper()
	l, err := allowlist.Load("testdata/match.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestList_Match(t *testing.T) {
	l := loadTestList(t)
	testCases := []struct {
		name       string
		host       string
		port       int
		supervised bool
		want       string // the deciding pattern's Raw, "" for deny
	}{
		{"name itself", "caf.fr", 0, false, "caf.fr"},
		{"subdomain", "www.caf.fr", 0, false, "caf.fr"},
		{"deep subdomain", "a.b.c.caf.fr", 0, false, "caf.fr"},
		{"not a label boundary", "evilcaf.fr", 0, false, ""},
		{"suffix is not enough", "caf.fr.evil.example", 0, false, ""},
		{"prefix label", "caf.fr-evil.fr", 0, false, ""},
		{"tld alone", "fr", 0, false, ""},
		{"portless pattern, other port", "caf.fr", 8443, false, ""},
		{"exact", "www.impots.gouv.fr", 0, false, ".www.impots.gouv.fr"},
		{"exact, parent", "impots.gouv.fr", 0, false, ""},
		{"exact, child", "x.www.impots.gouv.fr", 0, false, ""},
		{"port pattern", "example.org", 8443, false, "example.org:8443"},
		{"port pattern, subdomain", "www.example.org", 8443, false, "example.org:8443"},
		{"port pattern, default port", "example.org", 0, false, ""},
		{"port pattern, other port", "example.org", 8444, false, ""},
		{"exact beside port pattern", "exact.example.org", 0, false, ".exact.example.org"},
		{"exact beside port pattern, child", "a.exact.example.org", 0, false, ""},
		{"supervised, public session", "laposte.net", 0, false, ""},
		{"supervised, supervised session", "laposte.net", 0, true, "laposte.net"},
		{"supervised subdomain", "www.laposte.net", 0, true, "laposte.net"},
		{"supervised exact", "exact.example", 0, true, ".exact.example"},
		{"supervised exact, public session", "exact.example", 0, false, ""},
		{"supervised exact, child", "a.exact.example", 0, true, ""},
		{"public in supervised session", "www.caf.fr", 0, true, "caf.fr"},
		{"unicode entry matches its A-label", "xn--caf-dma.fr", 0, false, "café.fr"},
		{"unicode entry, subdomain", "www.xn--caf-dma.fr", 0, false, "café.fr"},
		{"cyrillic homograph of caf.fr", "xn--cf-7kc.fr", 0, false, ""},
		{"ipv4", "192.0.2.10", 0, false, "192.0.2.10"},
		{"ipv4, other address", "192.0.2.1", 0, false, ""},
		{"ipv4, suffix of address", "0.2.10", 0, false, ""},
		{"ipv4 with port", "192.0.2.20", 8080, false, "192.0.2.20:8080"},
		{"ipv4 port pattern, default port", "192.0.2.20", 0, false, ""},
		{"ipv6 bracketed", "[2001:db8::1]", 0, false, "[2001:db8::1]"},
		{"ipv6 unbracketed", "2001:db8::1", 0, false, "[2001:db8::1]"},
		{"ipv6 other", "[2001:db8::2]", 0, false, ""},
		{"upper case is not canonical", "WWW.CAF.FR", 0, false, ""},
		{"trailing dot is not canonical", "caf.fr.", 0, false, ""},
		{"leading dot is not canonical", ".caf.fr", 0, false, ""},
		{"empty label is not canonical", "a..caf.fr", 0, false, ""},
		{"empty host", "", 0, false, ""},
		{"negative port", "caf.fr", -1, false, ""},
		{"port too big", "caf.fr", 65536, false, ""},
		{"port wraps to 0", "caf.fr", 65536, false, ""},
		{"port wraps to 8443", "example.org", 65536 + 8443, false, ""},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			d := l.Match(tc.host, tc.port, tc.supervised)
			got := ""
			if d.Pattern != nil {
				got = d.Pattern.Raw
			}
			if d.Allowed != (tc.want != "") || got != tc.want {
				t.Fatalf("Match(%q, %d, %v) = %v %q, want %q", tc.host, tc.port, tc.supervised, d.Allowed, got, tc.want)
			}
			if d.Allowed && d.Site() != d.Pattern.Site {
				t.Errorf("Site() = %v, want the pattern's site", d.Site())
			}
		})
	}
}

func TestList_Match_homograph(t *testing.T) {
	ascii, err := allowlist.Parse([]byte("version: 1\nsites:\n  - name: A\n    hosts: [caf.fr]\n"), "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	unicode, err := allowlist.Parse([]byte("version: 1\nsites:\n  - name: U\n    hosts: [CAFÉ.fr]\n"), "u.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := unicode.Sites[0].Patterns[0].Host; got != "xn--caf-dma.fr" {
		t.Errorf("Host of CAFÉ.fr = %q, want xn--caf-dma.fr", got)
	}
	if ascii.Match("xn--caf-dma.fr", 0, true).Allowed {
		t.Error("caf.fr matches xn--caf-dma.fr")
	}
	if unicode.Match("caf.fr", 0, true).Allowed {
		t.Error("café.fr matches caf.fr")
	}
	cyrillic, err := allowlist.Parse([]byte("version: 1\nsites:\n  - name: C\n    hosts: [c\u0430f.fr]\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cyrillic.Sites[0].Patterns[0].Host; got != "xn--cf-7kc.fr" {
		t.Errorf("Host of Cyrillic cаf.fr = %q, want xn--cf-7kc.fr", got)
	}
	if cyrillic.Match("caf.fr", 0, true).Allowed || ascii.Match("xn--cf-7kc.fr", 0, true).Allowed {
		t.Error("caf.fr and its Cyrillic homograph match each other")
	}
}

func TestList_Match_nil(t *testing.T) {
	var l *allowlist.List
	if d := l.Match("caf.fr", 0, true); d.Allowed || d.Site() != nil {
		t.Errorf("nil List: Match = %+v, want deny", d)
	}
}

func TestList_Match_allocs(t *testing.T) {
	l := loadTestList(t)
	for _, h := range []string{"a.b.c.caf.fr", "evilcaf.fr", "laposte.net", "192.0.2.10"} {
		n := testing.AllocsPerRun(100, func() { l.Match(h, 0, true) })
		if n != 0 {
			t.Errorf("Match(%q): %v allocations, want 0", h, n)
		}
	}
}

func TestList_MatchURL(t *testing.T) {
	l := loadTestList(t)
	testCases := []struct {
		name       string
		url        string
		supervised bool
		want       string // the deciding pattern's Raw, "" for deny
		wantErr    bool
		wantScheme bool // the error wraps ErrScheme
	}{
		{"https", "https://www.caf.fr/", false, "caf.fr", false, false},
		{"http", "http://www.caf.fr/x?y#z", false, "caf.fr", false, false},
		{"explicit 443", "https://www.caf.fr:443/", false, "caf.fr", false, false},
		{"explicit 80", "http://www.caf.fr:80/", false, "caf.fr", false, false},
		{"empty port", "https://caf.fr:/", false, "caf.fr", false, false},
		{"80 on https is not default", "https://www.caf.fr:80/", false, "", false, false},
		{"upper case", "HTTPS://WWW.CAF.FR/", false, "caf.fr", false, false},
		{"trailing dot", "https://caf.fr./", false, "caf.fr", false, false},
		{"no path", "https://caf.fr", false, "caf.fr", false, false},
		{"query only", "https://caf.fr?x", false, "caf.fr", false, false},
		{"denied host", "https://evilcaf.fr/", false, "", false, false},
		{"fragment hides nothing", "https://evil.example#@caf.fr/", false, "", false, false},
		{"port pattern", "https://example.org:8443/", false, "example.org:8443", false, false},
		{"supervised, public", "https://www.laposte.net/", false, "", false, false},
		{"supervised", "https://www.laposte.net/", true, "laposte.net", false, false},
		{"ip", "http://192.0.2.10/", false, "192.0.2.10", false, false},
		{"ip, hex spelling", "http://0xc0.0.2.10/", false, "192.0.2.10", false, false},
		{"ip, integer spelling", "http://3221225994/", false, "192.0.2.10", false, false},
		{"ipv6", "https://[2001:db8::1]/", false, "[2001:db8::1]", false, false},
		{"loopback", "http://127.0.0.1/", false, "", false, false},

		{"userinfo", "https://www.caf.fr@evil.example/", false, "", true, false},
		{"userinfo before", "https://user:pw@www.caf.fr/", false, "", true, false},
		{"backslash", `https://evil.example\@caf.fr/`, false, "", true, false},
		{"percent", "https://c%61f.fr/", false, "", true, false},
		{"non-ascii", "https://café.fr/", false, "", true, false},
		{"empty host", "https:///x", false, "", true, false},
		{"no slashes", "https:caf.fr", false, "", true, false},
		{"not absolute", "caf.fr", false, "", true, false},
		{"leading zero port", "https://example.org:08443/", false, "", true, false},
		{"port too big", "https://caf.fr:65536/", false, "", true, false},
		{"port zero", "https://caf.fr:0/", false, "", true, false},
		{"port sign", "https://caf.fr:+443/", false, "", true, false},
		{"ipv6 without brackets", "https://2001:db8::1/", false, "", true, false},
		{"invalid ipv4", "http://1.2.3.4.5/", false, "", true, false},
		{"file", "file:///etc/passwd", false, "", true, true},
		{"data", "data:text/html,<b>x</b>", false, "", true, true},
		{"javascript", "javascript:alert(1)", false, "", true, true},
		{"about", "about:blank", false, "", true, true},
		{"ftp", "ftp://caf.fr/", false, "", true, true},
		{"ws", "ws://caf.fr/", false, "", true, true},
		{"empty", "", false, "", true, false},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := l.MatchURL(tc.url, tc.supervised)
			if (err != nil) != tc.wantErr {
				t.Fatalf("MatchURL(%q) error = %v, want error %v", tc.url, err, tc.wantErr)
			}
			if errors.Is(err, allowlist.ErrScheme) != tc.wantScheme {
				t.Errorf("MatchURL(%q) error = %v, want ErrScheme %v", tc.url, err, tc.wantScheme)
			}
			got := ""
			if d.Pattern != nil {
				got = d.Pattern.Raw
			}
			if d.Allowed != (tc.want != "") || got != tc.want {
				t.Fatalf("MatchURL(%q, %v) = %v %q, want %q", tc.url, tc.supervised, d.Allowed, got, tc.want)
			}
		})
	}
}

func TestList_Sites(t *testing.T) {
	l := loadTestList(t)
	if got := len(l.PublicSites()); got != 5 {
		t.Errorf("len(PublicSites()) = %d, want 5", got)
	}
	sup := l.SupervisedSites()
	if len(sup) != 1 || sup[0].Name != "Messagerie" || sup[0].Group != allowlist.Supervised {
		t.Errorf("SupervisedSites() = %v, want [Messagerie]", sup)
	}
	if got := l.NumPatterns(); got != 10 {
		t.Errorf("NumPatterns() = %d, want 10", got)
	}
	if l.Version != 1 || l.File != "testdata/match.yaml" || len(l.Sites) != 6 {
		t.Errorf("List = version %d, file %q, %d sites", l.Version, l.File, len(l.Sites))
	}
}
