package api_test

import (
	"net/http"
	"testing"

	"github.com/communes/kiosk/session"
)

// BenchmarkHandler_State measures GET /api/state over loopback HTTP (the
// shell's poll when it is not long-polling).
func BenchmarkHandler_State(b *testing.B) {
	e := newEnv(b, session.Config{})
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/state", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	c := e.srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}
