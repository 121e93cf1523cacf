package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/internal/logcapture"
	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/service"
	"github.com/communes/kiosk/usage"
)

const listA = "version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n"

// newConfig returns a Config on loopback ports chosen by the system, with
// the allowlist file al and a new data directory.
func newConfig(t *testing.T, al string) *service.Config {
	t.Helper()
	return &service.Config{
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		TerminalName: "Mairie annexe Nord",
		DataDir:      filepath.Join(t.TempDir(), "data"),
		Allowlist:    al,
		ProxyListen:  "127.0.0.1:0",
		AdminListen:  "127.0.0.1:0",
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// start runs s until the returned stop is called; stop returns Run's error.
func start(t *testing.T, s *service.Service) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	stopped := false
	stop = func() error {
		t.Helper()
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return within 30 s of its context's end")
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// apiGet GETs path of the local API of s with the token in dataDir.
func apiGet(t *testing.T, ctx context.Context, s *service.Service, dataDir, path string) (*http.Response, error) {
	t.Helper()
	token, err := api.ReadTokenFile(filepath.Join(dataDir, "api.token"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+s.AdminAddr().String()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

// allowlistInForce is the allowlist the local API gives the shell.
func allowlistInForce(t *testing.T, s *service.Service, dataDir string) string {
	t.Helper()
	resp, err := apiGet(t, context.Background(), s, dataDir, "/api/config")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		YAML string `json:"allowlist_yaml"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/config: %d %v", resp.StatusCode, err)
	}
	return m.YAML
}

// TestService_RunAndStop runs the whole service on loopback, then stops it
// while the shell's long poll is open: Run returns nil at once (the poll
// does not hold the stop until ShutdownTimeout), the refusal counted
// before the stop is on disk (the store was flushed and closed, its lock
// released) and the token file is gone.
func TestService_RunAndStop(t *testing.T) {
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	writeFile(t, al, listA)
	c := newConfig(t, al)
	s, err := service.New(c)
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(c.DataDir, "api.token")
	if _, err := os.Stat(tokenFile); err != nil {
		t.Fatalf("after New: %v, want the token file", err)
	}
	stop := start(t, s)

	// A request the proxy refuses, counted in the store.
	proxyURL := &url.URL{Scheme: "http", Host: s.ProxyAddr().String()}
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}, Timeout: 30 * time.Second}
	resp, err := client.Get("http://blocked.example/page")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("blocked host through the proxy: %d, want 403", resp.StatusCode)
	}

	// The shell's long poll, for a change after the current version: open
	// when the stop begins.
	resp, err = apiGet(t, context.Background(), s, c.DataDir, "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Version uint64 `json:"version"`
	}
	err = json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	if err != nil || state.Version == 0 {
		t.Fatalf("GET /api/state: %v, version %d", err, state.Version)
	}
	pollDone := make(chan error, 1)
	go func() {
		resp, err := apiGet(t, context.Background(), s, c.DataDir, fmt.Sprintf("/api/state?since=%d&wait=60", state.Version))
		if err == nil {
			resp.Body.Close()
		}
		pollDone <- err
	}()
	wait.Until(t, 10*time.Second, "the long poll is open (kiosk_shell_connected 1)", func() bool {
		resp, err := http.Get("http://" + s.AdminAddr().String() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "\nkiosk_shell_connected 1\n")
	})

	began := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("Run after its context ended = %v, want nil", err)
	}
	if d := time.Since(began); d >= service.ShutdownTimeout {
		t.Errorf("the stop took %v: the long poll held it up to ShutdownTimeout", d)
	}
	select {
	case <-pollDone:
	case <-time.After(10 * time.Second):
		t.Error("the long poll was still open after Run returned")
	}
	if _, err := os.Stat(tokenFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Run: stat %s = %v, want the file gone", tokenFile, err)
	}
	store, err := usage.Open(&usage.Config{Path: filepath.Join(c.DataDir, "usage.db"), Logger: c.Logger})
	if err != nil {
		t.Fatalf("reopening the usage store after Run: %v", err)
	}
	defer store.Close()
	now := time.Now()
	hosts, err := store.BlockedHosts(now.Add(-24*time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 1 || hosts[0].Host != "blocked.example" {
		t.Errorf("blocked hosts on disk after Run = %+v, want blocked.example", hosts)
	}
	if err := s.Run(context.Background()); err == nil {
		t.Error("a second Run = nil, want an error")
	}
}

// TestService_Reload: Reload re-reads the allowlist file even when no file
// event announces the change (here, the file is a symbolic link to another
// directory, whose changes the watcher does not see), and a file that does
// not validate leaves the last good list in force.
func TestService_Reload(t *testing.T) {
	real := filepath.Join(t.TempDir(), "real.yaml")
	writeFile(t, real, listA)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.Symlink(real, al); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, al)
	log := &logcapture.Buffer{}
	c.Logger = log.Logger()
	s, err := service.New(c)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, s)
	if got := allowlistInForce(t, s, c.DataDir); got != listA {
		t.Fatalf("allowlist in force = %q, want %q", got, listA)
	}

	listB := listA + "  - name: MSA\n    hosts: [msa.fr]\n"
	writeFile(t, real, listB)
	s.Reload()
	wait.Until(t, 10*time.Second, "the reloaded list in force", func() bool {
		return allowlistInForce(t, s, c.DataDir) == listB
	})

	// A broken file is refused: listB stays. The next good one is taken.
	writeFile(t, real, "version: 1\nsites:\n  - name: X\n    hostz: [x.fr]\n")
	s.Reload()
	wait.Until(t, 10*time.Second, "the broken file refused", func() bool {
		return strings.Contains(log.String(), "allowlist refused")
	})
	listC := listA + "  - name: Impots\n    hosts: [impots.gouv.fr]\n"
	if got := allowlistInForce(t, s, c.DataDir); got != listB {
		t.Errorf("after a broken file: allowlist in force = %q, want the last good one", got)
	}
	writeFile(t, real, listC)
	s.Reload()
	wait.Until(t, 10*time.Second, "the next good list in force", func() bool {
		return allowlistInForce(t, s, c.DataDir) == listC
	})
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestService_NewFails: a start that fails once the token is written (the
// admin port is taken) removes the token and releases the usage store.
func TestService_NewFails(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	writeFile(t, al, listA)
	c := newConfig(t, al)
	c.AdminListen = busy.Addr().String()
	s, err := service.New(c)
	if err == nil || s != nil || !strings.Contains(err.Error(), "admin page cannot listen") {
		t.Fatalf("New with the admin port taken = %v, %v; want no service and the listen error", s, err)
	}
	if _, err := os.Stat(filepath.Join(c.DataDir, "api.token")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after a failed New: stat api.token = %v, want the file gone", err)
	}
	store, err := usage.Open(&usage.Config{Path: filepath.Join(c.DataDir, "usage.db"), Logger: c.Logger})
	if err != nil {
		t.Fatalf("the usage store after a failed New: %v, want it released", err)
	}
	store.Close()

	for _, tc := range []struct {
		name string
		edit func(*service.Config)
	}{
		{"no data directory", func(c *service.Config) { c.DataDir = "" }},
		{"no allowlist", func(c *service.Config) { c.Allowlist = "" }},
		{"URL without key", func(c *service.Config) { c.AllowlistURL = "https://x.example/a.yaml" }},
		{"no terminal name", func(c *service.Config) { c.TerminalName = "" }},
		{"bad allowlist", func(c *service.Config) { c.Allowlist = filepath.Join(t.TempDir(), "missing.yaml") }},
	} {
		c := newConfig(t, al)
		tc.edit(c)
		if s, err := service.New(c); err == nil {
			t.Errorf("%s: New = %v, nil; want an error", tc.name, s)
		}
	}
}
