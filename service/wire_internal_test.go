package service

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/communes/kiosk/allowlist/watch"
	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/session"
	"github.com/communes/kiosk/usage"
)

// TestSessionRecorder_PrintedThroughAPI joins the real parts the way New
// does: the shell's POST /api/session/printed goes through the local API to
// the session controller, whose recorder counts the print in the usage store
// (bbolt in a temp dir) and in the Prometheus metrics.
func TestSessionRecorder_PrintedThroughAPI(t *testing.T) {
	dir := t.TempDir()
	loc := time.FixedZone("CET", 3600)
	today := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	now := func() time.Time { return today }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	storeConf := &usage.Config{Path: filepath.Join(dir, "usage.db"), FlushInterval: -1, Now: now, Location: loc, Logger: quiet}
	store, err := usage.Open(storeConf)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	reg := prometheus.NewRegistry()
	metrics := newServiceMetrics(reg, &watch.Holder{})
	ctl, err := session.New(&session.Config{Logger: quiet, Now: now, Recorder: sessionRecorder{store: store, m: metrics}})
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "api.token")
	h, err := api.New(&api.Config{
		Logger: quiet, Controller: ctl,
		State:     func(ctx context.Context, since uint64) any { return ctl.Wait(ctx, since) },
		Settings:  func() any { return ctl.Settings() },
		TokenFile: tokenFile,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	token, err := api.ReadTokenFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	post := apiPoster(t, srv, token)
	prints := func() uint64 {
		t.Helper()
		rep, err := store.Report(today, today)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Days[0].Prints != rep.Totals.Prints {
			t.Errorf("day Prints %d != totals %d", rep.Days[0].Prints, rep.Totals.Prints)
		}
		return rep.Days[0].Prints
	}

	// Outside a session: refused, nothing counted.
	if code, m := post("/api/session/printed", ""); code != http.StatusConflict || m["code"] != "wrong_state" {
		t.Fatalf("printed in welcome: %d %v, want 409 wrong_state", code, m)
	}
	if n := prints(); n != 0 {
		t.Fatalf("Prints after a refused call = %d, want 0", n)
	}
	if code, m := post("/api/session/start", `{"lang":"fr"}`); code != http.StatusOK {
		t.Fatalf("start: %d %v", code, m)
	}
	if code, m := post("/api/session/printed", "{}"); code != http.StatusOK || m["state"] != "active" {
		t.Fatalf("printed in a session: %d %v, want 200 with the active state", code, m)
	}
	if n := prints(); n != 1 {
		t.Errorf("Prints after one print = %d, want 1", n)
	}
	if got := counterValue(t, reg, "kiosk_prints_total"); got != 1 {
		t.Errorf("kiosk_prints_total = %v, want 1", got)
	}
	if code, _ := post("/api/session/end", `{"reason":"user"}`); code != http.StatusOK {
		t.Fatalf("end: %d", code)
	}
	// A job handed to CUPS while the session ends still counts.
	if code, m := post("/api/session/printed", ""); code != http.StatusOK || m["state"] != "ending" {
		t.Fatalf("printed while the session ends: %d %v, want 200 with the ending state", code, m)
	}
	if n := prints(); n != 2 {
		t.Errorf("Prints after two prints = %d, want 2", n)
	}

	// The count is on disk after the store closes (flush on Close).
	if err = store.Close(); err != nil {
		t.Fatal(err)
	}
	store, err = usage.Open(storeConf)
	if err != nil {
		t.Fatal(err)
	}
	if n := prints(); n != 2 {
		t.Errorf("Prints after reopening = %d, want 2", n)
	}
	if got := counterValue(t, reg, "kiosk_prints_total"); got != 2 {
		t.Errorf("kiosk_prints_total = %v, want 2", got)
	}
}

// counterValue returns the value of the counter name gathered from reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no counter %s", name)
	return 0
}

// apiPoster returns a function that POSTs body to path of the local API
// served by srv, with token, and returns the status and the JSON answer.
func apiPoster(t *testing.T, srv *httptest.Server, token string) func(path, body string) (int, map[string]any) {
	return func(path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		m := map[string]any{}
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
}
