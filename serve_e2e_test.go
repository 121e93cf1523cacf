//go:build e2e

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/testnet"
)

// kioskBinary builds the kiosk binary (without the shell) once per test run.
func kioskBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kiosk-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "kiosk")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

const testAllowlist = `version: 1
sites:
  - name: CAF
    category: famille
    home: http://www.caf.fr/
    hosts: [caf.fr]
`

// startOrigin serves a small page on testnet.OriginAddr:80 inside ns and
// returns a channel of the Host headers that reached it.
func startOrigin(t *testing.T, ns *testnet.NS) <-chan string {
	t.Helper()
	ln, err := ns.Listen("tcp", testnet.OriginAddr+":80")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 100)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case seen <- r.Host:
		default:
		}
		io.WriteString(w, "<html><body>origin "+r.Host+"</body></html>")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return seen
}

// startServe runs `kiosk serve` inside ns and waits until it logs that it
// started. It returns the process; the test's cleanup stops it.
func startServe(t *testing.T, ns *testnet.NS, allowlist string, extra ...string) (*exec.Cmd, *logTail) {
	t.Helper()
	return startServeB(t, ns, allowlist, extra...)
}

func startServeB(t testing.TB, ns *testnet.NS, allowlist string, extra ...string) (*exec.Cmd, *logTail) {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"serve", "--allowlist", allowlist, "--data", filepath.Join(dir, "data"),
		"--proxy-listen", "127.0.0.1:3128", "--admin-listen", "127.0.0.1:8080"}, extra...)
	cmd := ns.Command(kioskBinary(t), args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lt := newLogTail(stderr)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	if !lt.waitFor("kiosk service started", 10*time.Second) {
		t.Fatalf("kiosk serve did not start:\n%s", lt.String())
	}
	return cmd, lt
}

// TestServe_Curl drives the real binary with Debian's curl inside a private
// namespace: an allowlisted name reaches the origin, another gets the 403.
func TestServe_Curl(t *testing.T) {
	ns := testnet.New(t, "www.caf.fr", "www.example.com")
	seen := startOrigin(t, ns)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	startServe(t, ns, al)

	code, body := curl(t, ns, "http://www.caf.fr/demarche")
	if code != "200" || !strings.Contains(body, "origin www.caf.fr") {
		t.Fatalf("allowed: status %s body %q", code, body)
	}
	if h := <-seen; h != "www.caf.fr" {
		t.Errorf("origin saw Host %q, want www.caf.fr", h)
	}
	code, body = curl(t, ns, "http://www.example.com/")
	if code != "403" {
		t.Fatalf("refused: status %s, want 403", code)
	}
	if !strings.Contains(body, "Retour") {
		t.Errorf("block page lacks \"Retour\": %q", body)
	}
	select {
	case h := <-seen:
		t.Fatalf("a refused request reached the origin (Host %q)", h)
	default:
	}

	// OPTIONS * is not a proxy request: 400 from the proxy, not Go's 200.
	out, err := ns.Command("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "OPTIONS",
		"--request-target", "*", "http://127.0.0.1:3128").Output()
	if err != nil || string(out) != "400" {
		t.Errorf("OPTIONS *: %q %v, want 400", out, err)
	}

	// Monitoring on the admin listener, from the machine itself.
	admin := &http.Client{Transport: &http.Transport{DialContext: ns.DialContext}}
	get := func(path string) (int, string) {
		resp, err := admin.Get("http://127.0.0.1:8080" + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 {
		t.Errorf("/healthz: %d %q, want 200", code, body)
	}
	mcode, metrics := get("/metrics")
	if mcode != 200 {
		t.Fatalf("/metrics: %d", mcode)
	}
	for _, want := range []string{
		`kiosk_allowlist_reloads_total 1`,
		`kiosk_allowlist_reload_errors_total 0`,
		`kiosk_terminal_state{state="welcome"} 1`,
		`kiosk_sessions_ended_total{reason="idle"} 0`,
		`kiosk_proxy_requests_total{`,
		`kiosk_proxy_request_duration_seconds_bucket{`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestServe_Reload changes the file under the running service: a valid edit
// applies (file watch), a broken one is refused and the last good list
// stays in force (SIGHUP too).
func TestServe_Reload(t *testing.T) {
	ns := testnet.New(t, "www.caf.fr", "www.ameli.fr")
	startOrigin(t, ns)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, logs := startServe(t, ns, al)
	if code, _ := curl(t, ns, "http://www.ameli.fr/"); code != "403" {
		t.Fatalf("ameli before reload: %s, want 403", code)
	}

	withAmeli := testAllowlist + "  - name: Ameli\n    hosts: [ameli.fr]\n"
	writeAtomically(t, al, withAmeli)
	if !logs.waitFor("allowlist reloaded", 10*time.Second) {
		t.Fatalf("no reload after the file changed:\n%s", logs.String())
	}
	if code, _ := curl(t, ns, "http://www.ameli.fr/"); code != "200" {
		t.Fatalf("ameli after reload: %s, want 200", code)
	}

	// A broken file: refused, ameli stays open, caf too.
	writeAtomically(t, al, "version: 1\nsites:\n  - name: Ameli\n    hostz: [ameli.fr]\n")
	if !logs.waitFor("allowlist refused", 10*time.Second) {
		t.Fatalf("broken file not refused:\n%s", logs.String())
	}
	for _, u := range []string{"http://www.ameli.fr/", "http://www.caf.fr/"} {
		if code, _ := curl(t, ns, u); code != "200" {
			t.Fatalf("%s after a broken reload: %s, want 200 (last good list)", u, code)
		}
	}

	// SIGHUP re-reads the (fixed) file.
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Process.Signal(syscall.SIGHUP) // ip netns exec execs the kiosk binary in place
	if !logs.waitFor("allowlist reloaded", 10*time.Second) {
		t.Fatalf("no reload:\n%s", logs.String())
	}
	if code, _ := curl(t, ns, "http://www.ameli.fr/"); code != "403" {
		t.Fatalf("ameli after removal: %s, want 403", code)
	}
}

// TestServe_StartErrors checks that each start failure exits 1 with one
// clear line.
func TestServe_StartErrors(t *testing.T) {
	bin := kioskBinary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "allowlist.yaml")
	if err := os.WriteFile(good, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nsites:\n  - name: X\n    hosts: [\"*\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	roData := ro
	if os.Geteuid() == 0 {
		// root writes anywhere: use a path under a regular file instead.
		roData = filepath.Join(good, "data")
	}
	corrupt := filepath.Join(dir, "corrupt")
	if err := os.Mkdir(corrupt, 0o750); err != nil {
		t.Fatal(err)
	}
	garbage := []byte(strings.Repeat("not a bbolt file\n", 1000))
	if err := os.WriteFile(filepath.Join(corrupt, "usage.db"), garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	testCases := []struct {
		name string
		args []string
		want string
	}{
		{"missing allowlist", []string{"--allowlist", filepath.Join(dir, "nope.yaml")}, "no such file"},
		{"invalid allowlist", []string{"--allowlist", bad}, "bad.yaml:4:"},
		{"port in use", []string{"--allowlist", good, "--proxy-listen", busy.Addr().String()}, "cannot listen on " + busy.Addr().String()},
		{"data not writable", []string{"--allowlist", good, "--data", roData}, "data directory"},
		{"bad upstream", []string{"--allowlist", good, "--upstream-proxy", "socks5://x"}, "--upstream-proxy"},
		{"corrupt usage file", []string{"--allowlist", good, "--data", corrupt}, "move " + filepath.Join(corrupt, "usage.db") + " aside"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--data", filepath.Join(t.TempDir(), "d"),
				"--proxy-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, tc.args...)
			cmd := exec.Command(bin, args...)
			out, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "kiosk serve: ") || !strings.Contains(last, tc.want) {
				t.Fatalf("last line %q, want \"kiosk serve: …%s…\"\n%s", last, tc.want, out)
			}
		})
	}
}

// TestServe_SecondInstance checks that a second service on the same data
// directory fails at once (the usage store's lock) instead of hanging.
func TestServe_SecondInstance(t *testing.T) {
	ns := testnet.New(t)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	startServe(t, ns, al, "--data", data)
	start := time.Now()
	out, err := ns.Command(kioskBinary(t), "serve", "--allowlist", al, "--data", data,
		"--proxy-listen", "127.0.0.1:3129", "--admin-listen", "127.0.0.1:8081").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("second instance: %v, want exit status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "in use by another process") {
		t.Errorf("second instance said %q, want the lock message", out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second instance took %v to fail, want about the 1 s lock timeout", d)
	}
}

func curl(t *testing.T, ns *testnet.NS, url string) (code, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Accept: text/html makes a refused request a page request, which gets the
	// French block page (other refusals get a short text).
	out, err := ns.CommandContext(ctx, "curl", "-s", "-H", "Accept: text/html", "-x", "http://127.0.0.1:3128",
		"-w", "\n%{http_code}", url).Output()
	if err != nil {
		t.Fatalf("curl %s: %v", url, err)
	}
	s := string(out)
	i := strings.LastIndex(s, "\n")
	return s[i+1:], s[:i]
}

func writeAtomically(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// logTail collects a process's log lines and lets a test wait for one.
type logTail struct {
	lines chan string
	all   strings.Builder
}

func newLogTail(r io.Reader) *logTail {
	lt := &logTail{lines: make(chan string, 1000)}
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			lt.lines <- s.Text()
		}
		close(lt.lines)
	}()
	return lt
}

// waitFor waits for a new line containing substr (lines seen by an earlier
// waitFor are not matched again).
func (lt *logTail) waitFor(substr string, d time.Duration) bool {
	deadline := time.After(d)
	for {
		select {
		case line, ok := <-lt.lines:
			if !ok {
				return false
			}
			lt.all.WriteString(line + "\n")
			if strings.Contains(line, substr) {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func (lt *logTail) String() string { return lt.all.String() }
