package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/logcapture"
	"github.com/communes/kiosk/internal/wait"
)

// reportingService is a local API that records the shell's calls with
// their bodies and times.
type reportingService struct {
	mu    sync.Mutex
	calls []apiCall
}

type apiCall struct {
	at   time.Time
	path string
	body map[string]any
}

func (f *reportingService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	c := apiCall{at: time.Now(), path: r.URL.Path, body: map[string]any{}}
	_ = json.NewDecoder(r.Body).Decode(&c.body)
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	_, _ = io.WriteString(w, `{"version":1,"state":"welcome"}`)
}

// of returns the calls to path, in order.
func (f *reportingService) of(path string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.path == path {
			out = append(out, c)
		}
	}
	return out
}

// all returns every call, in order.
func (f *reportingService) all() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls...)
}

// startShell runs the supervisor with conf's browser against a recording
// service until the test ends.
func startShell(t *testing.T, conf Config) (*reportingService, *logcapture.Buffer) {
	t.Helper()
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "api.token"), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	svc := &reportingService{}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	logs := &logcapture.Buffer{}
	conf.Logger = logs.Logger()
	conf.AdminURL, conf.ProxyAddr, conf.DataDir, conf.Bwrap = srv.URL, "127.0.0.1:1", data, "true"
	conf.Ping, conf.HangAfter = 100*time.Millisecond, 500*time.Millisecond
	if conf.Retry == 0 {
		conf.Retry = 100 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runSupervisor(ctx, &conf) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runSupervisor = %v", err)
		}
	})
	return svc, logs
}

// shScript returns a browser that runs script with sh (its arguments are
// the browser's flags): a real process, as an update that broke the
// browser leaves one.
func shScript(script string) (browser string, args []string) {
	return "/bin/sh", []string{"-c", script, "kiosk-browser"}
}

func waitReports(t *testing.T, svc *reportingService, n int) []apiCall {
	t.Helper()
	var got []apiCall
	wait.UntilErr(t, 20*time.Second, fmt.Sprintf("%d browser reports", n), func() error {
		if got = svc.of("/api/shell/browser"); len(got) < n {
			return fmt.Errorf("%d reports", len(got))
		}
		return nil
	})
	return got
}

// A browser that exits at once (a broken update) is tried three times
// quickly; then the terminal is out of order: the service is told, the
// out-of-order screen is tried, no wipe report puts the terminal back in
// order, and the next tries come after a growing pause.
func TestSupervisor_BrowserFailsToStart(t *testing.T) {
	argsLog := filepath.Join(t.TempDir(), "args")
	browser, args := shScript(`echo "$*" >>` + argsLog + `; exit 1`)
	svc, logs := startShell(t, Config{Browser: browser, BrowserArgs: args, MaxRetry: 4 * time.Second})
	got := waitReports(t, svc, 5)

	since := got[0].body["since"]
	for i, r := range got[:5] {
		wantOut := i+1 >= MaxStartFailures
		if r.body["failures"] != float64(i+1) || r.body["out_of_order"] != wantOut || r.body["since"] != since {
			t.Errorf("report %d = %v, want failures %d, out_of_order %v, since %v", i+1, r.body, i+1, wantOut, since)
		}
		if !strings.Contains(fmt.Sprint(r.body["error"]), "exit status 1") {
			t.Errorf("report %d names no cause: %v", i+1, r.body)
		}
	}
	// Quick retries first (Retry is 100 ms), then the pause: 10 retry
	// periods (1 s) after the third failure, doubled after the fourth.
	if gap := got[3].at.Sub(got[2].at); gap < time.Second {
		t.Errorf("4th try %v after the 3rd, want at least the 1 s pause", gap)
	}
	if gap := got[4].at.Sub(got[3].at); gap < 2*time.Second {
		t.Errorf("5th try %v after the 4th, want at least the doubled 2 s pause", gap)
	}
	// Out of order: no wipe report after the third failure says all is well.
	for _, c := range svc.all() {
		if c.path == "/api/session/wiped" && c.at.After(got[2].at) && c.body["ok"] == true {
			t.Errorf("wipe reported ok at %v, after the terminal went out of order at %v", c.at, got[2].at)
		}
	}
	// The out-of-order screen was tried between the tries.
	b, err := os.ReadFile(argsLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "--out-of-order Le navigateur ne démarre plus (3 essais)") || !strings.Contains(string(b), "--out-of-order-kind browser") {
		t.Errorf("the out-of-order screen was not tried; the browser's runs:\n%s", b)
	}
	if !strings.Contains(logs.String(), "the browser fails to start: terminal out of order") {
		t.Errorf("no out-of-order log line:\n%s", logs.String())
	}
}

// A fixed update brings the terminal back by itself: the first start that
// works after the failures ends the run, and the terminal is in order.
func TestSupervisor_BrowserStartsAgain(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KIOSK_FAKE_BROWSER", "done")
	count := filepath.Join(t.TempDir(), "count")
	browser, args := shScript(fmt.Sprintf(`case "$*" in *--out-of-order*) exit 1;; esac
n=$(($(cat %[1]s 2>/dev/null || echo 0) + 1)); echo $n >%[1]s
[ $n -le 3 ] && exit 1
exec %[2]s "$@"`, count, exe))
	svc, _ := startShell(t, Config{Browser: browser, BrowserArgs: args})
	got := waitReports(t, svc, 4)
	if got[2].body["out_of_order"] != true || got[3].body["failures"] != float64(0) {
		t.Fatalf("reports %v, %v; want out of order at the third, then failures 0", got[2].body, got[3].body)
	}
	wait.UntilErr(t, 20*time.Second, "a wipe reported ok after the recovery", func() error {
		for _, c := range svc.of("/api/session/wiped") {
			if c.at.After(got[3].at) && c.body["ok"] == true {
				return nil
			}
		}
		return fmt.Errorf("none")
	})
	if n := len(svc.of("/api/shell/browser")); n != 4 {
		t.Errorf("%d browser reports, want 4 (three failures, one recovery)", n)
	}
}

// A browser that runs and answers the heartbeat but never shows a screen
// is a failed start too, once ReadyGrace has passed.
func TestSupervisor_BrowserShowsNothing(t *testing.T) {
	browser, args := shScript(`while read -r l <&3; do echo pong >&4; done`)
	svc, _ := startShell(t, Config{Browser: browser, BrowserArgs: args, ReadyGrace: 500 * time.Millisecond})
	got := waitReports(t, svc, 1)
	if e := fmt.Sprint(got[0].body["error"]); !strings.Contains(e, "showed nothing within 500ms") {
		t.Errorf("report %v, want the cause: showed nothing within 500ms", got[0].body)
	}
}

func TestSupervisor_BrokenPause(t *testing.T) {
	s := &supervisor{conf: &Config{}}
	for n, want := range map[int]time.Duration{3: 30 * time.Second, 4: time.Minute, 5: 2 * time.Minute, 6: 4 * time.Minute, 7: 5 * time.Minute, 100: 5 * time.Minute} {
		if got := s.brokenPause(n); got != want {
			t.Errorf("brokenPause(%d) = %v, want %v", n, got, want)
		}
	}
}
