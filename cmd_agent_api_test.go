package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/service"
	"github.com/communes/kiosk/session"
)

// TestAgentPINCheck_ThroughAPI joins the real parts: `kiosk agent add`
// writes the accounts file while the service's store is open, and the PIN
// typed on the keypad goes through the local API to the session controller,
// which checks it with the real argon2id hashes.
func TestAgentPINCheck_ThroughAPI(t *testing.T) {
	dir := t.TempDir()
	agents, err := agent.Open(filepath.Join(dir, agent.FileName))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctl, err := session.New(&session.Config{Logger: quiet, Mode: session.SupervisedOnly, CheckPIN: service.PINCheck(agents)})
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.New(&api.Config{
		Logger: quiet, Controller: ctl,
		State:     func(ctx context.Context, since uint64) any { return ctl.Wait(ctx, since) },
		Settings:  func() any { return ctl.Settings() },
		TokenFile: filepath.Join(dir, "api.token"),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	token, err := api.ReadTokenFile(filepath.Join(dir, "api.token"))
	if err != nil {
		t.Fatal(err)
	}
	post := apiPoster(t, srv, token)

	if code, m := post("/api/session/unlock", `{"pin":"482913"}`); code != http.StatusForbidden || m["code"] != "wrong_pin" {
		t.Fatalf("unlock before any account: %d %v, want 403 wrong_pin", code, m)
	}
	var out bytes.Buffer
	if code := agentMain([]string{"add", "Marie", "--role", "agent", "--data", dir}, strings.NewReader("482913\n482913\n"), &out, &out); code != 0 {
		t.Fatalf("kiosk agent add: %s", out.String())
	}
	code, m := post("/api/session/unlock", `{"pin":"482913","lang":"tr"}`)
	if code != http.StatusOK || m["agent"] != "Marie" || m["supervised"] != true || m["lang"] != "tr" {
		t.Fatalf("unlock with the new account's PIN: %d %v", code, m)
	}
	if code, m := post("/api/override", `{"pin":"482913","host":"www.ameli.fr"}`); code != http.StatusOK || !ctl.Override("www.ameli.fr") {
		t.Fatalf("override: %d %v", code, m)
	}
	// reset-pin while the service runs: the old PIN stops working at once.
	if code := agentMain([]string{"reset-pin", "Marie", "--data", dir}, strings.NewReader("615243\n615243\n"), &out, &out); code != 0 {
		t.Fatalf("kiosk agent reset-pin: %s", out.String())
	}
	if code, m := post("/api/override", `{"pin":"482913","host":"www.caf.fr"}`); code != http.StatusForbidden {
		t.Errorf("override with the old PIN: %d %v, want 403", code, m)
	}
	if code, m := post("/api/override", `{"pin":"615243","host":"www.caf.fr"}`); code != http.StatusOK {
		t.Errorf("override with the new PIN: %d %v", code, m)
	}
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
