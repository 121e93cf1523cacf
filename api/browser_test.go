package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/session"
)

// TestHandler_Browser checks that the shell's browser reports reach
// Config.Browser, that malformed ones are refused, and that the
// callback's session error is answered like a session action's.
func TestHandler_Browser(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctl, err := session.New(&session.Config{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan api.BrowserReport, 4)
	fail := make(chan error, 1)
	file := filepath.Join(t.TempDir(), "api.token")
	h, err := api.New(&api.Config{
		Logger: quiet, Controller: ctl, TokenFile: file,
		State:    func(ctx context.Context, since uint64) any { return ctl.Wait(ctx, since) },
		Settings: func() any { return ctl.Settings() },
		Browser: func(r api.BrowserReport) error {
			got <- r
			select {
			case err := <-fail:
				return err
			default:
				return nil
			}
		},
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
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/shell/browser", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"failures": 3, "since": "2026-12-07T06:40:00Z", "out_of_order": true, "error": "exit status 1"}`); code != http.StatusOK {
		t.Fatalf("valid report: status %d, want 200", code)
	}
	want := api.BrowserReport{Failures: 3, Since: time.Date(2026, 12, 7, 6, 40, 0, 0, time.UTC), OutOfOrder: true, Error: "exit status 1"}
	if r := <-got; r.Failures != want.Failures || !r.Since.Equal(want.Since) || !r.OutOfOrder || r.Error != want.Error {
		t.Errorf("report = %+v, want %+v", r, want)
	}
	if code := post(`{"failures": 0}`); code != http.StatusOK {
		t.Fatalf("recovery report: status %d, want 200", code)
	}
	if r := <-got; r.Failures != 0 || r.OutOfOrder {
		t.Errorf("recovery report = %+v", r)
	}
	for _, body := range []string{
		`{}`, `{"failures": -1}`, `{"failures": 2}`, `{"failures": 0, "out_of_order": true}`,
		`{"failures": 1, "since": "2026-12-07T06:40:00Z", "error": "` + strings.Repeat("x", 301) + `"}`,
		`{"failures": 1, "since": "2026-12-07T06:40:00Z", "url": "https://x"}`,
	} {
		if code := post(body); code != http.StatusBadRequest {
			t.Errorf("POST %s: status %d, want 400", body, code)
		}
	}
	if len(got) != 0 {
		t.Errorf("a refused report reached Config.Browser: %+v", <-got)
	}
	fail <- fmt.Errorf("reporting: %w", session.ErrWrongState)
	if code := post(`{"failures": 1, "since": "2026-12-07T06:40:00Z"}`); code != http.StatusConflict {
		t.Errorf("report refused by the session: status %d, want 409", code)
	}
}
