package kiosk

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/wait"
)

// The supervisor's tests run the test binary itself as the browser process
// (KIOSK_FAKE_BROWSER set): it speaks the heartbeat protocol without GTK.
// The service is an httptest server recording the shell's calls.
func init() {
	mode := os.Getenv("KIOSK_FAKE_BROWSER")
	if mode == "" {
		return
	}
	os.Exit(fakeBrowser(mode))
}

// fakeBrowser writes a file in its profile, says ready, then: "done" exits
// 0 after three pings, "crash" exits 1, "hang" stops answering.
func fakeBrowser(mode string) int {
	if mode == "nodisplay" {
		return 1 // dies before any message, as without a display
	}
	home := os.Getenv("HOME")
	if err := os.WriteFile(filepath.Join(home, "data", "cookies"), []byte("resident data"), 0o600); err != nil {
		return 9
	}
	in, out := os.NewFile(3, "in"), os.NewFile(4, "out")
	_, _ = io.WriteString(out, MsgReady+"\n")
	sc := bufio.NewScanner(in)
	for pings := 0; sc.Scan(); pings++ {
		switch {
		case mode == "crash":
			return 1
		case mode == "hang" && pings > 0:
			time.Sleep(time.Hour)
		case mode == "done" && pings >= 3:
			_, _ = io.WriteString(out, MsgExiting+"\n")
			return 0
		}
		_, _ = io.WriteString(out, MsgPong+"\n")
	}
	return 0
}

// fakeService records the API calls.
type fakeService struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeService) handler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"bad token","code":"unauthorized"}`)
			return
		}
		call := r.Method + " " + r.URL.Path
		if r.URL.Path == "/api/session/wiped" {
			var body struct{ OK bool }
			_ = json.NewDecoder(r.Body).Decode(&body)
			if !body.OK {
				call += " failed"
			}
		}
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		_, _ = io.WriteString(w, `{"version":1,"state":"welcome"}`)
	})
}

func (f *fakeService) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

func runTestSupervisor(t *testing.T, mode string) (*fakeService, string, context.CancelFunc, chan error) {
	t.Helper()
	return runTestSupervisorWith(t, mode, "true") // bubblewrap: see TestCheckSandbox
}

// runTestSupervisorWith is runTestSupervisor with bwrap as Config.Bwrap.
func runTestSupervisorWith(t *testing.T, mode, bwrap string) (*fakeService, string, context.CancelFunc, chan error) {
	t.Helper()
	t.Setenv("KIOSK_FAKE_BROWSER", mode)
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "api.token"), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A leftover of an earlier run must be wiped before anything starts.
	if err := os.MkdirAll(filepath.Join(data, "profiles", "p-old", "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	svc := &fakeService{}
	srv := httptest.NewServer(svc.handler(t))
	t.Cleanup(srv.Close)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runSupervisor(ctx, &Config{
			Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
			AdminURL: srv.URL, ProxyAddr: "127.0.0.1:1", DataDir: data,
			Browser: exe, Ping: 100 * time.Millisecond,
			HangAfter: 500 * time.Millisecond, Retry: 100 * time.Millisecond, Bwrap: bwrap,
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return svc, data, cancel, done
}

func waitCalls(t *testing.T, svc *fakeService, call string, n int) {
	t.Helper()
	wait.UntilErr(t, 10*time.Second, fmt.Sprintf("%q called %d times", call, n), func() error {
		if got := svc.count(call); got < n {
			return fmt.Errorf("called %d times", got)
		}
		return nil
	})
}

func TestSupervisor_WipesEachSession(t *testing.T) {
	svc, data, cancel, done := runTestSupervisor(t, "done")
	waitCalls(t, svc, "POST /api/session/wiped", 2)
	if n := svc.count("POST /api/shell/crash"); n != 0 {
		t.Errorf("shell/crash called %d times for clean exits", n)
	}
	if n := svc.count("POST /api/shell/hello"); n != 1 {
		t.Errorf("shell/hello called %d times, want 1", n)
	}
	if _, err := os.Lstat(filepath.Join(data, "profiles", "p-old")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("leftover profile: Lstat = %v, want not exist", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("runSupervisor = %v", err)
	}
	done <- nil // for the cleanup
	entries, _ := os.ReadDir(filepath.Join(data, "profiles"))
	if len(entries) != 0 {
		t.Errorf("profiles left after the shell stopped: %d", len(entries))
	}
}

func TestSupervisor_CrashAndHang(t *testing.T) {
	for _, mode := range []string{"crash", "hang"} {
		t.Run(mode, func(t *testing.T) {
			svc, data, _, _ := runTestSupervisor(t, mode)
			waitCalls(t, svc, "POST /api/shell/crash", 2)
			waitCalls(t, svc, "POST /api/session/wiped", 2)
			entries, _ := os.ReadDir(filepath.Join(data, "profiles"))
			if len(entries) > 1 {
				t.Errorf("%d profiles at once, want at most the running one", len(entries))
			}
		})
	}
}

func TestAPIClient_RereadsTokenOn401(t *testing.T) {
	svc := &fakeService{}
	srv := httptest.NewServer(svc.handler(t))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "api.token")
	if err := os.WriteFile(file, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := NewAPIClient(srv.URL, file)
	_, err := c.State(context.Background(), -1, 0)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "unauthorized" {
		t.Fatalf("state with a wrong token = %v, want unauthorized", err)
	}
	if err := os.WriteFile(file, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := c.State(context.Background(), -1, 0)
	if err != nil || st.State != "welcome" || !strings.Contains(string(st.Raw), `"version":1`) {
		t.Fatalf("state after the token changed = %+v, %v", st, err)
	}
}

func TestSupervisor_BacksOffWhenTheBrowserCannotStart(t *testing.T) {
	svc, _, _, _ := runTestSupervisor(t, "nodisplay")
	waitCalls(t, svc, "POST /api/shell/crash", 2)
	time.Sleep(time.Second) // counting tries over a fixed time: no event for "not called"
	// Retry is 100 ms here: a try takes at least that long.
	if n := svc.count("POST /api/shell/crash"); n > 14 {
		t.Errorf("%d tries in about 1.2 s with a 100 ms back-off: the supervisor loops", n)
	}
}

func TestSupervisor_BrowserFlags(t *testing.T) {
	s := &supervisor{conf: &Config{AdminURL: "http://127.0.0.1:8080", ProxyAddr: "127.0.0.1:3128", DataDir: "/var/lib/kiosk"}}
	if got := strings.Join(s.browserFlags(""), " "); strings.Contains(got, "--no-sandbox") || strings.Contains(got, "--windowed") {
		t.Errorf("default browser flags %q: want the sandbox on and fullscreen", got)
	}
	// The out-of-order screen loads nothing: it runs without the sandbox,
	// which may be what is out of order.
	if got := strings.Join(s.browserFlags("no sandbox"), " "); !strings.Contains(got, "--no-sandbox --out-of-order no sandbox") {
		t.Errorf("out-of-order browser flags %q", got)
	}
	s.conf.NoSandbox, s.conf.Windowed = true, true
	got := strings.Join(s.browserFlags(""), " ")
	for _, want := range []string{"--no-sandbox", "--windowed", "--proxy 127.0.0.1:3128"} {
		if !strings.Contains(got, want) {
			t.Errorf("browser flags %q lack %q", got, want)
		}
	}
}

// Where bubblewrap cannot run, no web page is shown: the terminal is out of
// order (reported to the service) until it can.
func TestSupervisor_OutOfOrderWithoutSandbox(t *testing.T) {
	svc, _, _, _ := runTestSupervisorWith(t, "done", "false")
	waitCalls(t, svc, "POST /api/session/wiped failed", 1)
	if n := svc.count("POST /api/shell/hello"); n != 0 {
		t.Errorf("shell/hello sent %d times while the sandbox cannot run: no session may start", n)
	}
}
