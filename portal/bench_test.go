package portal_test

import (
	"net/http/httptest"
	"testing"

	"github.com/communes/kiosk/portal"
)

func BenchmarkHandler_Welcome(b *testing.B) {
	h := newHandler(b, portal.Config{})
	req := httptest.NewRequest("GET", "http://kiosk.invalid/?lang=ar", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkHandler_Blocked(b *testing.B) {
	h := newHandler(b, portal.Config{})
	req := httptest.NewRequest("GET", "http://evil.example/", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.Blocked(rec, req, "evil.example")
		if rec.Code != 403 {
			b.Fatal(rec.Code)
		}
	}
}
