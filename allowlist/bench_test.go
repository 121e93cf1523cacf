package allowlist_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

// bigList returns a list of n patterns (one in ten exact, one in fifty
// with a port) spread over n/10 sites, half of them supervised.
func bigList(tb testing.TB, n int) *allowlist.List {
	tb.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nsites:\n")
	for s := 0; s < n/10; s++ {
		if s == n/20 {
			b.WriteString("supervised:\n")
		}
		fmt.Fprintf(&b, "  - name: Site %d\n    hosts:\n", s)
		for i := 0; i < 10; i++ {
			k := s*10 + i
			switch {
			case k%50 == 7:
				fmt.Fprintf(&b, "      - s%d.example-%d.fr:8443\n", k, k%97)
			case k%10 == 3:
				fmt.Fprintf(&b, "      - .www.s%d.example-%d.fr\n", k, k%97)
			default:
				fmt.Fprintf(&b, "      - s%d.example-%d.fr\n", k, k%97)
			}
		}
	}
	l, err := allowlist.Parse([]byte(b.String()), "big.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	if l.NumPatterns() != n {
		tb.Fatalf("NumPatterns() = %d, want %d", l.NumPatterns(), n)
	}
	return l
}

func BenchmarkList_Match(b *testing.B) {
	l := bigList(b, 10000)
	benchmarks := []struct {
		name, host string
		port       int
		want       bool
	}{
		{"hit-name", "s4242.example-71.fr", 0, true},
		{"hit-subdomain-3", "a.b.www.s4242.example-71.fr", 0, true},
		{"hit-exact", "www.s4243.example-72.fr", 0, true},
		{"hit-port", "s4257.example-86.fr", 8443, true},
		{"miss-2-labels", "unknown.fr", 0, false},
		{"miss-5-labels", "a.b.c.unknown.example.com", 0, false},
		{"miss-long", "a.b.c.d.e.f.g.h.i.j.unknown.example.com", 0, false},
	}
	for _, bm := range benchmarks {
		if got := l.Match(bm.host, bm.port, true).Allowed; got != bm.want {
			b.Fatalf("Match(%q) = %v, want %v", bm.host, got, bm.want)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.Match(bm.host, bm.port, true)
			}
		})
	}
}

func BenchmarkList_MatchURL(b *testing.B) {
	l := bigList(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.MatchURL("https://www.s4242.example-71.fr/mon-compte?x=1", true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCanonicalHost(b *testing.B) {
	for _, bm := range []struct{ name, host string }{
		{"canonical", "www.s4242.example-71.fr"},
		{"trailing-dot", "www.s4242.example-71.fr."},
		{"upper-case", "WWW.S4242.Example-71.FR"},
		{"ipv4-short", "127.1"},
		{"ipv6", "[2001:db8::1]"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := allowlist.CanonicalHost(bm.host); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	var buf strings.Builder
	buf.WriteString("version: 1\nsites:\n")
	for s := 0; s < 100; s++ {
		fmt.Fprintf(&buf, "  - name: Site %d\n    hosts: [s%d.example.fr, .www.t%d.example.fr, café%d.fr]\n", s, s, s, s)
	}
	data := []byte(buf.String())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := allowlist.Parse(data, "b.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestList_Match_bigList(t *testing.T) {
	l := bigList(t, 10000)
	testCases := []struct {
		host       string
		port       int
		supervised bool
		want       bool
	}{
		{"s1.example-1.fr", 0, false, true},
		{"x.s1.example-1.fr", 0, false, true},
		{"www.s3.example-3.fr", 0, false, true},
		{"x.www.s3.example-3.fr", 0, false, false},
		{"s3.example-3.fr", 0, false, false},
		{"s7.example-7.fr", 8443, false, true},
		{"s7.example-7.fr", 0, false, false},
		{"s9999.example-8.fr", 0, false, false},
		{"s9999.example-8.fr", 0, true, true},
		{"s1.example-2.fr", 0, true, false},
	}
	for _, tc := range testCases {
		if got := l.Match(tc.host, tc.port, tc.supervised).Allowed; got != tc.want {
			t.Errorf("Match(%q, %d, %v) = %v, want %v", tc.host, tc.port, tc.supervised, got, tc.want)
		}
	}
}
