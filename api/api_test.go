package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/session"
)

const allowlistYAML = "version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n"

// env is a real controller behind the API on a loopback test server.
type env struct {
	polling chan struct{} // receives when a long poll reaches the controller
	ctl     *session.Controller
	srv     *httptest.Server
	token   string
	file    string
	h       *api.Handler
}

func newEnv(t testing.TB, conf session.Config) *env {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if conf.Logger == nil {
		conf.Logger = quiet
	}
	ctl, err := session.New(&conf)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "api.token")
	polling := make(chan struct{}, 10)
	h, err := api.New(&api.Config{
		Logger:     quiet,
		Controller: ctl,
		State: func(ctx context.Context, since uint64) any {
			if since != 0 {
				polling <- struct{}{}
			}
			return ctl.Wait(ctx, since)
		},
		Settings:  func() any { return ctl.Settings() },
		Allowlist: func() (string, []byte) { return "/etc/kiosk/allowlist.yaml", []byte(allowlistYAML) },
		TokenFile: file,
	})
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tok, err := api.ReadTokenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return &env{polling: polling, ctl: ctl, srv: srv, token: tok, file: file, h: h}
}

// do sends a request with the token and decodes the JSON answer.
func (e *env) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	return e.doToken(t, method, path, body, "Bearer "+e.token)
}

func (e *env) doToken(t *testing.T, method, path, body, auth string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	m := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("%s %s: decoding answer: %v", method, path, err)
	}
	return resp.StatusCode, m
}

var allRoutes = []struct{ method, path string }{
	{"GET", "/api/config"}, {"GET", "/api/state"},
	{"POST", "/api/session/start"}, {"POST", "/api/session/activity"},
	{"POST", "/api/session/continue"}, {"POST", "/api/session/end"},
	{"POST", "/api/session/satisfaction"}, {"POST", "/api/session/wiped"},
	{"POST", "/api/session/unlock"}, {"POST", "/api/session/cancel"},
	{"POST", "/api/session/printed"},
	{"POST", "/api/override"}, {"POST", "/api/help"},
	{"POST", "/api/shell/hello"}, {"POST", "/api/shell/crash"},
	{"GET", "/api/nothing-here"},
}

func TestHandler_TokenRequired(t *testing.T) {
	e := newEnv(t, session.Config{})
	bad := []string{"", "Bearer", "Bearer " + strings.Repeat("0", 64), "Basic " + e.token, e.token, "Bearer " + e.token + "x"}
	for _, rt := range allRoutes {
		for _, auth := range bad {
			code, m := e.doToken(t, rt.method, rt.path, "", auth)
			if code != http.StatusUnauthorized || m["code"] != "unauthorized" {
				t.Errorf("%s %s with %q: %d %v, want 401 unauthorized", rt.method, rt.path, auth, code, m)
			}
		}
	}
	if s := e.ctl.Snapshot(); s.State != session.StateWelcome || s.ShellVersion != "" {
		t.Errorf("unauthorised requests changed the state: %+v", s)
	}
}

func TestHandler_TokenFile(t *testing.T) {
	e := newEnv(t, session.Config{})
	fi, err := os.Stat(e.file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != api.TokenFileMode {
		t.Errorf("token file mode %v, want %v", fi.Mode().Perm(), os.FileMode(api.TokenFileMode))
	}
	entries, _ := os.ReadDir(filepath.Dir(e.file))
	if len(entries) != 1 {
		t.Errorf("token dir holds %d files, want only the token (no temporary left)", len(entries))
	}
	// A restart writes a new token: the old one no longer works.
	h2, err := api.New(&api.Config{Controller: e.ctl, State: func(context.Context, uint64) any { return nil },
		Settings: func() any { return nil }, TokenFile: e.file})
	if err != nil {
		t.Fatal(err)
	}
	tok2, err := api.ReadTokenFile(e.file)
	if err != nil || tok2 == e.token {
		t.Fatalf("second token %q (err %v), want a new one", tok2, err)
	}
	if err := h2.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.file); !os.IsNotExist(err) {
		t.Errorf("token file after Close: %v, want removed", err)
	}
	if _, err := api.New(&api.Config{Controller: e.ctl, State: func(context.Context, uint64) any { return nil },
		Settings: func() any { return nil }, TokenFile: filepath.Join(t.TempDir(), "no", "dir", "tok")}); err == nil {
		t.Error("New with a missing directory: nil error")
	}
}

func TestHandler_Config(t *testing.T) {
	e := newEnv(t, session.Config{Mode: session.Mixed, WelcomeText: map[string]string{"fr": "Bienvenue"}})
	code, m := e.do(t, "GET", "/api/config", "")
	if code != 200 {
		t.Fatalf("GET /api/config: %d %v", code, m)
	}
	want := map[string]any{
		"mode": "mixed", "idle_timeout_s": 180.0, "idle_countdown_s": 30.0, "max_session_s": 2700.0,
		"max_supervised_s": 5400.0, "warning_s": 300.0, "satisfaction_s": 15.0,
		"portal_url": "http://kiosk.invalid/", "allowlist_file": "/etc/kiosk/allowlist.yaml",
		"allowlist_yaml": allowlistYAML,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("config[%q] = %#v, want %#v", k, m[k], v)
		}
	}
	if l, _ := m["languages"].([]any); len(l) != 7 || l[0] != "fr" || l[2] != "ar" {
		t.Errorf("languages = %v, want the 7, fr first", m["languages"])
	}
	if wt, _ := m["welcome_text"].(map[string]any); wt["fr"] != "Bienvenue" {
		t.Errorf("welcome_text = %v", m["welcome_text"])
	}
	if s, _ := m["allowlist_sha256"].(string); len(s) != 64 {
		t.Errorf("allowlist_sha256 = %q", s)
	}
}

func TestHandler_SessionFlow(t *testing.T) {
	e := newEnv(t, session.Config{})
	steps := []struct {
		method, path, body string
		wantCode           int
		want               map[string]any
	}{
		{"POST", "/api/shell/hello", `{"version":"1.2"}`, 200, map[string]any{"state": "welcome", "shell_version": "1.2"}},
		{"GET", "/api/state", "", 200, map[string]any{"state": "welcome", "lang": "fr", "mode": "self-service"}},
		{"POST", "/api/session/start", `{"lang":"ar"}`, 200, map[string]any{"state": "active", "lang": "ar", "supervised": false, "remaining_s": 2700.0}},
		{"POST", "/api/session/start", `{}`, 409, map[string]any{"code": "wrong_state"}},
		{"POST", "/api/session/activity", "", 200, map[string]any{"state": "active"}},
		{"POST", "/api/session/continue", "{}", 200, map[string]any{"state": "active"}},
		{"POST", "/api/help", "", 200, map[string]any{"state": "active"}},
		{"POST", "/api/session/printed", "", 200, map[string]any{"state": "active"}},
		{"POST", "/api/session/printed", "{}", 200, map[string]any{"state": "active"}},
		{"POST", "/api/session/end", `{"reason":"user"}`, 200, map[string]any{"state": "ending", "end_reason": "user", "ask_satisfaction": true}},
		{"POST", "/api/session/satisfaction", `{"answer":"peut-être"}`, 400, map[string]any{"code": "bad_request"}},
		{"POST", "/api/session/printed", "", 200, map[string]any{"state": "ending"}},
		{"POST", "/api/session/satisfaction", `{"answer":"oui"}`, 200, map[string]any{"state": "wiping", "end_reason": "user"}},
		{"POST", "/api/session/wiped", `{"ok":false,"error":"rm: busy"}`, 200, map[string]any{"state": "out_of_order", "error": "rm: busy"}},
		{"POST", "/api/session/printed", "", 409, map[string]any{"code": "wrong_state"}},
		{"POST", "/api/session/start", `{"lang":"fr"}`, 409, map[string]any{"code": "out_of_order"}},
		{"POST", "/api/session/wiped", `{"ok":true}`, 200, map[string]any{"state": "welcome"}},
		{"POST", "/api/session/start", `{"lang":"fr"}`, 200, map[string]any{"state": "active"}},
		{"POST", "/api/shell/crash", "", 200, map[string]any{"state": "wiping", "end_reason": "crash"}},
		{"POST", "/api/session/wiped", `{"ok":true}`, 200, map[string]any{"state": "welcome"}},
	}
	for i, s := range steps {
		code, m := e.do(t, s.method, s.path, s.body)
		if code != s.wantCode {
			t.Fatalf("step %d %s %s: status %d, want %d (%v)", i, s.method, s.path, code, s.wantCode, m)
		}
		for k, v := range s.want {
			if m[k] != v {
				t.Fatalf("step %d %s %s: [%q] = %#v, want %#v (%v)", i, s.method, s.path, k, m[k], v, m)
			}
		}
	}
}

func TestHandler_BadRequests(t *testing.T) {
	e := newEnv(t, session.Config{Mode: session.SupervisedOnly})
	testCases := []struct {
		name, method, path, body string
		wantCode                 int
		wantErr                  string
	}{
		{"unknown field", "POST", "/api/session/start", `{"lang":"fr","pin":"1"}`, 400, "bad_request"},
		{"not JSON", "POST", "/api/session/start", `lang=fr`, 400, "bad_request"},
		{"two values", "POST", "/api/session/start", `{} {}`, 400, "bad_request"},
		{"too big", "POST", "/api/shell/hello", `{"version":"` + strings.Repeat("x", 5000) + `"}`, 400, "bad_request"},
		{"unknown language", "POST", "/api/session/start", `{"lang":"de"}`, 400, "bad_request"},
		{"needs an agent", "POST", "/api/session/start", `{"lang":"fr"}`, 409, "unlock_required"},
		{"supervised", "POST", "/api/session/start", `{"lang":"fr","supervised":true}`, 409, "unlock_required"},
		{"wiped without ok", "POST", "/api/session/wiped", `{}`, 400, "bad_request"},
		{"bad reason", "POST", "/api/session/end", `{"reason":"bored"}`, 400, "bad_request"},
		{"end without session", "POST", "/api/session/end", ``, 409, "wrong_state"},
		{"body on activity", "POST", "/api/session/activity", `{"x":1}`, 400, "bad_request"},
		{"printed without session", "POST", "/api/session/printed", ``, 409, "wrong_state"},
		{"body on printed", "POST", "/api/session/printed", `{"copies":2}`, 400, "bad_request"},
		{"printed with GET", "GET", "/api/session/printed", ``, 405, "method_not_allowed"},
		{"unlock without agents", "POST", "/api/session/unlock", `{"pin":"123456"}`, 409, "unlock_required"},
		{"unlock unknown field", "POST", "/api/session/unlock", `{"pin":"123456","name":"x"}`, 400, "bad_request"},
		{"override IP", "POST", "/api/override", `{"pin":"123456","host":"192.0.2.1"}`, 400, "bad_request"},
		{"override URL", "POST", "/api/override", `{"pin":"123456","host":"https://x.fr/"}`, 400, "bad_request"},
		{"cancel in welcome", "POST", "/api/session/cancel", ``, 409, "wrong_state"},
		{"no route", "GET", "/api/nothing", ``, 404, "not_found"},
		{"wrong method", "GET", "/api/session/start", ``, 405, "method_not_allowed"},
		{"bad since", "GET", "/api/state?since=x", ``, 400, "bad_request"},
		{"bad wait", "GET", "/api/state?since=1&wait=-1", ``, 400, "bad_request"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			code, m := e.do(t, tc.method, tc.path, tc.body)
			if code != tc.wantCode || m["code"] != tc.wantErr {
				t.Errorf("%s %s: %d %v, want %d %s", tc.method, tc.path, code, m, tc.wantCode, tc.wantErr)
			}
			if msg, _ := m["error"].(string); msg == "" {
				t.Errorf("no error message: %v", m)
			}
		})
	}
	if s := e.ctl.Snapshot(); s.State != session.StateWelcome {
		t.Errorf("state after bad requests: %s, want welcome", s.State)
	}
}

func TestHandler_LongPoll(t *testing.T) {
	e := newEnv(t, session.Config{})
	_, m := e.do(t, "GET", "/api/state", "")
	v := int(m["version"].(float64))

	// Nothing changes: the poll returns the same version after its wait.
	code, m := e.do(t, "GET", "/api/state?since="+itoa(v)+"&wait=0", "")
	if code != 200 || int(m["version"].(float64)) != v {
		t.Fatalf("poll without change: %d %v, want version %d", code, m, v)
	}

	// A change wakes the poll at once.
	type result struct {
		m   map[string]any
		dur time.Duration
	}
	got := make(chan result, 1)
	begin := time.Now()
	go func() {
		_, m := e.do(t, "GET", "/api/state?since="+itoa(v)+"&wait=30", "")
		got <- result{m, time.Since(begin)}
	}()
	<-e.polling
	<-e.polling // the first poll above, then this one
	if err := e.ctl.Start("es", false); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.m["state"] != "active" || r.m["lang"] != "es" || int(r.m["version"].(float64)) <= v {
			t.Errorf("poll returned %v, want active es with a new version", r.m)
		}
		if r.dur >= 30*time.Second {
			t.Errorf("poll returned after %s, want at once after the change", r.dur)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("long poll did not return after the change")
	}
}

func itoa(v int) string { return strconv.Itoa(v) }

func TestHandler_Loopback(t *testing.T) {
	e := newEnv(t, session.Config{})
	req := httptest.NewRequest("GET", "/api/state", nil)
	req.RemoteAddr = "192.0.2.7:5555"
	req.Header.Set("Authorization", "Bearer "+e.token)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("non-loopback client: %d, want 403", rec.Code)
	}
}
