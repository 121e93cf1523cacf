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
	"time"

	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/session"
	"github.com/communes/kiosk/usage"
)

// TestHandler_Threat: the shell's threat reports reach the usage store by
// signature name; a file name, a bad body or an unknown field is refused
// and nothing is stored for it.
func TestHandler_Threat(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctl, err := session.New(&session.Config{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	store, err := usage.Open(&usage.Config{Path: filepath.Join(t.TempDir(), "usage.db"), FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	file := filepath.Join(t.TempDir(), "api.token")
	h, err := api.New(&api.Config{
		Logger: quiet, Controller: ctl, TokenFile: file,
		State:    func(ctx context.Context, since uint64) any { return ctl.Wait(ctx, since) },
		Settings: func() any { return ctl.Settings() },
		Threat:   store.Threat,
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
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/shell/threat", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"signature": "Win.Test.EICAR_HDB-1"}`); code != http.StatusOK {
		t.Fatalf("valid report: status %d, want 200", code)
	}
	for _, body := range []string{`{}`, `{"signature": "avis d'imposition.pdf"}`, `{"signature": "X", "file": "a.pdf"}`, `[]`} {
		if code := post(body); code != http.StatusBadRequest {
			t.Errorf("POST %s: status %d, want 400", body, code)
		}
	}
	now := time.Now()
	r, err := store.Report(now, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Totals.Threats; len(got) != 1 || got["Win.Test.EICAR_HDB-1"] != 1 {
		t.Errorf("stored threats = %v, want the one signature once", got)
	}
}
