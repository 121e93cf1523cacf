package proxy

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the proxy's own work.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkServeHTTP_Denied measures the refusal path alone (parse, judge,
// record, answer), without network.
func BenchmarkServeHTTP_Denied(b *testing.B) {
	l := testListB(b)
	p, err := New(&Config{Logger: quietLogger(), Allowlist: func() *allowlist.List { return l }})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "http://www.example.com/1k", nil)
	r.RequestURI = "http://www.example.com/1k"
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		p.ServeHTTP(w, r)
	}
}

// BenchmarkJudge measures one decision on an allowed name.
func BenchmarkJudge(b *testing.B) {
	l := testListB(b)
	p, err := New(&Config{Logger: quietLogger(), Allowlist: func() *allowlist.List { return l }})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		t, err := parseAbsolute("http://www.caf.fr/1k")
		if err != nil || !p.judge(t, false).allowed {
			b.Fatal("not allowed")
		}
	}
}

func testListB(b *testing.B) *allowlist.List {
	l, err := allowlist.Parse([]byte("version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n"), "test.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return l
}
