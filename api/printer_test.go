package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/session"
)

// TestHandler_Printer checks that the shell's printer reports reach
// Config.Printer and that malformed ones are refused.
func TestHandler_Printer(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctl, err := session.New(&session.Config{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan api.PrinterReport, 4)
	file := filepath.Join(t.TempDir(), "api.token")
	h, err := api.New(&api.Config{
		Logger: quiet, Controller: ctl, TokenFile: file,
		State:    func(ctx context.Context, since uint64) any { return ctl.Wait(ctx, since) },
		Settings: func() any { return ctl.Settings() },
		Printer:  func(r api.PrinterReport) { got <- r },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tok, err := api.ReadTokenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	post := func(body string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/shell/printer", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"failing": true, "queued": 3}`); code != http.StatusOK {
		t.Fatalf("valid report: status %d, want 200", code)
	}
	if r := <-got; !r.Failing || r.Queued != 3 {
		t.Errorf("report = %+v, want failing with 3 queued", r)
	}
	for _, body := range []string{`{}`, `{"queued": 1}`, `{"failing": false, "queued": -1}`, `{"failing": false, "title": "x"}`} {
		if code := post(body); code != http.StatusBadRequest {
			t.Errorf("POST %s: status %d, want 400", body, code)
		}
	}
	if len(got) != 0 {
		t.Errorf("a refused report reached Config.Printer: %+v", <-got)
	}
}
