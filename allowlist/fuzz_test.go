package allowlist_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

// The seed corpus of both fuzz tests is also checked in under
// testdata/fuzz/. Run one with: go test -run '^$' -fuzz FuzzMatch ./allowlist/

func FuzzCanonicalHost(f *testing.F) {
	for _, s := range []string{
		"caf.fr", "WWW.CAF.FR.", "caf.fr..", "a..b", "c%61f.fr", "café.fr", "user@caf.fr",
		"127.1", "0x7f.1", "0177.0.0.1", "3232235777", "1.2.3.4.5", "a.0x", "[::1]", "::1",
		"[fe80::1%25eth0]", "[::ffff:127.0.0.1]", "[caf.fr]", strings.Repeat("a.", 127),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := allowlist.CanonicalHost(s)
		if err != nil {
			if c != "" {
				t.Fatalf("CanonicalHost(%q) = %q with error %v", s, c, err)
			}
			return
		}
		again, err := allowlist.CanonicalHost(c)
		if err != nil || again != c {
			t.Fatalf("CanonicalHost(%q) = %q, but CanonicalHost(%q) = %q, %v: not idempotent", s, c, c, again, err)
		}
		if addr, _, _ := strings.Cut(c, "%"); addr != strings.ToLower(addr) { // zones keep their case
			t.Fatalf("CanonicalHost(%q) = %q is not lower case", s, c)
		}
		if strings.HasPrefix(c, "[") {
			if _, ok := allowlist.ParseIP(c); !ok {
				t.Fatalf("CanonicalHost(%q) = %q: bracketed but not an address", s, c)
			}
			return
		}
		if allowlist.IsIPLiteral(c) {
			if a, ok := allowlist.ParseIP(c); !ok || a.String() != c {
				t.Fatalf("CanonicalHost(%q) = %q: an IPv4 literal but not a dotted quad", s, c)
			}
			return
		}
		if want := strings.ToLower(strings.TrimSuffix(s, ".")); c != want {
			t.Fatalf("CanonicalHost(%q) = %q, want %q", s, c, want)
		}
		if len(c) > 253 || c == "" {
			t.Fatalf("CanonicalHost(%q) = %q: bad length", s, c)
		}
		for _, label := range strings.Split(c, ".") {
			if label == "" || len(label) > 63 || strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
				t.Fatalf("CanonicalHost(%q) = %q: bad label %q", s, c, label)
			}
		}
	})
}

// fuzzListYAML is the fixed part of the list of FuzzMatch.
const fuzzListYAML = `version: 1
sites:
  - name: CAF
    hosts: [caf.fr, .www.impots.gouv.fr, "example.org:8443", café.fr]
  - name: IP
    ips: [192.0.2.10, "[2001:db8::1]", "192.0.2.20:8080"]
supervised:
  - name: Messagerie
    hosts: [laposte.net, .exact.example]
`

func FuzzMatch(f *testing.F) {
	f.Add("ameli.fr", "www.ameli.fr", uint16(0), false)
	f.Add("ameli.fr", "evilameli.fr", uint16(0), false)
	f.Add(".www.ameli.fr", "ameli.fr", uint16(0), true)
	f.Add("ameli.fr:8080", "a.ameli.fr", uint16(8080), false)
	f.Add("ameli.fr", "caf.fr.ameli.fr", uint16(0), false)
	f.Add("x", "caf.fr", uint16(0), false)
	f.Add("x", "a.b.caf.fr", uint16(443), false)
	f.Add("x", "laposte.net", uint16(0), false)
	f.Add("x", "2001:db8::1", uint16(0), false)
	f.Add("x", "192.0.2.20", uint16(8080), true)
	f.Add("x", ".caf.fr", uint16(0), true)
	f.Add("x", "xn--caf-dma.fr", uint16(0), true)
	f.Fuzz(func(t *testing.T, pattern, host string, port uint16, supervised bool) {
		yml := fuzzListYAML + "  - name: Fuzz\n    hosts: [" + strconv.Quote(pattern) + "]\n"
		l, err := allowlist.Parse([]byte(yml), "fuzz.yaml")
		if err != nil {
			if l, err = allowlist.Parse([]byte(fuzzListYAML), "fuzz.yaml"); err != nil {
				t.Fatal(err)
			}
		}
		for _, h := range []string{host, canonicalOrEmpty(host)} {
			d := l.Match(h, int(port), supervised)
			if d.Allowed != (d.Pattern != nil) {
				t.Fatalf("Match(%q) = %+v: Allowed and Pattern disagree", h, d)
			}
			if want := referenceMatch(l, h, int(port), supervised); d.Allowed != want {
				t.Fatalf("Match(%q, %d, %v) = %v, a linear scan says %v", h, port, supervised, d.Allowed, want)
			}
			if !d.Allowed {
				continue
			}
			p := d.Pattern
			if !patternCovers(p, h) {
				t.Fatalf("Match(%q) allowed by %q (host %q, exact %v): not that host nor a subdomain", h, p.Raw, p.Host, p.Exact)
			}
			if p.Port != int(port) {
				t.Fatalf("Match(%q, %d) allowed by %q with port %d", h, port, p.Raw, p.Port)
			}
			if !supervised && p.Site.Group != allowlist.Public {
				t.Fatalf("Match(%q) allowed by the supervised pattern %q in a public session", h, p.Raw)
			}
		}
	})
}

func canonicalOrEmpty(h string) string {
	c, _ := allowlist.CanonicalHost(h)
	return c
}

// patternCovers is the definition of a match, written plainly: the host
// itself, or (subdomain patterns) a name ending in "." + the pattern.
func patternCovers(p *allowlist.Pattern, h string) bool {
	if h == p.Host || h == "["+p.Host+"]" || "["+h+"]" == p.Host {
		return true
	}
	return !p.Exact && strings.HasSuffix(h, "."+p.Host) && isCanonical(h)
}

func isCanonical(h string) bool {
	c, err := allowlist.CanonicalHost(h)
	return err == nil && c == h && !allowlist.IsIPLiteral(h)
}

// referenceMatch scans every pattern: the slow, obvious matcher that Match
// must agree with.
func referenceMatch(l *allowlist.List, h string, port int, supervised bool) bool {
	if h == "" {
		return false
	}
	for _, s := range l.Sites {
		if s.Group == allowlist.Supervised && !supervised {
			continue
		}
		for _, p := range s.Patterns {
			if p.Port == port && patternCovers(p, h) {
				return true
			}
		}
	}
	return false
}

func TestReferenceMatch(t *testing.T) {
	// The oracle of FuzzMatch must itself tell allow from deny.
	l, err := allowlist.Parse([]byte(fuzzListYAML), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]bool{"a.caf.fr": true, "evilcaf.fr": false, "[2001:db8::1]": true, "impots.gouv.fr": false} {
		if got := referenceMatch(l, h, 0, false); got != want {
			t.Errorf("referenceMatch(%q) = %v, want %v", h, got, want)
		}
		if got := l.Match(h, 0, false).Allowed; got != want {
			t.Errorf("Match(%q) = %v, want %v", h, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/TestParse/*.yaml")
	for _, file := range append(files, shippedFile) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := allowlist.Parse(data, "f.yaml")
		if err != nil {
			var errs allowlist.Errors
			if l != nil || !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Parse = %v, %v: want a nil List and Errors", l, err)
			}
			for _, e := range errs {
				if e.Line < 1 || e.Col < 1 || e.File != "f.yaml" || e.Msg == "" {
					t.Fatalf("error without position or message: %q", e)
				}
				if strings.Contains(e.Msg, "parser failure") {
					t.Fatalf("Parse panicked: %v", e)
				}
			}
			return
		}
		if l.Version != 1 || len(l.Sites) == 0 {
			t.Fatalf("Parse accepted a list with version %d and %d sites", l.Version, len(l.Sites))
		}
		for _, s := range l.Sites {
			if s.Name == "" || len(s.Patterns) == 0 {
				t.Fatalf("site %q accepted with %d patterns", s.Name, len(s.Patterns))
			}
			for _, p := range s.Patterns {
				c, err := allowlist.CanonicalHost(p.Host)
				if err != nil || c != p.Host || p.Port < 0 || p.Port > 65535 || p.Port == 80 || p.Port == 443 {
					t.Fatalf("pattern %q: host %q port %d is not canonical", p.Raw, p.Host, p.Port)
				}
				if d := l.Match(p.Host, p.Port, true); !d.Allowed {
					t.Fatalf("pattern %q does not match its own host %q", p.Raw, p.Host)
				}
				if !strings.Contains(p.Host, ".") && !strings.HasPrefix(p.Host, "[") {
					t.Fatalf("pattern %q: single-label host %q accepted", p.Raw, p.Host)
				}
			}
		}
	})
}
