//go:build webview && linux

package kiosk_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/logcapture"
	"github.com/communes/kiosk/internal/testnet"
	"github.com/communes/kiosk/internal/wait"
)

// The shell's tests run the real programs, built once by TestMain: `kiosk`
// (pure Go, CGO_ENABLED=0 unless -race needs cgo) and, next to it,
// `kiosk-browser` (-tags webview,kiosktest): `kiosk serve` and `kiosk
// shell`, which starts kiosk-browser, inside a private network namespace
// whose origin server answers for the test names, under Xvfb. They drive
// the page through the browser process's test control socket (WebKit's own
// JavaScript evaluation), which exists only in kiosktest builds.

var kioskBin string

func TestMain(m *testing.M) {
	// KIOSK_TEST_BIN names a kiosk binary with a kiosk-browser built with
	// -tags webview,kiosktest next to it (to test a build made elsewhere).
	if kioskBin = os.Getenv("KIOSK_TEST_BIN"); kioskBin != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "kiosk-shell-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kioskBin = filepath.Join(dir, "kiosk")
	for _, b := range []struct {
		out, pkg, tags string
		cgo            bool
	}{
		{kioskBin, "github.com/communes/kiosk", "", raceEnabled},
		{filepath.Join(dir, "kiosk-browser"), "github.com/communes/kiosk/cmd/kiosk-browser", "webview,kiosktest", true},
	} {
		args := []string{"build", "-o", b.out}
		if b.tags != "" {
			args = append(args, "-tags", b.tags)
		}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, b.pkg)...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if !b.cgo {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		}
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", b.pkg+":", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Test names, mapped to the origin inside the namespace.
const (
	siteHost    = "www.caf.fr"
	siteURL     = "http://" + siteHost + "/"
	blockedHost = "blocked.example"
)

const testAllowlist = `version: 1
sites:
  - name: CAF
    category: famille
    home: http://www.caf.fr/
    hosts:
      - .www.caf.fr
`

// rigOptions change the service's settings.
type rigOptions struct {
	serveArgs []string // extra flags of kiosk serve
	wm        bool     // run matchbox-window-manager
	allowlist string   // appended to testAllowlist (a supervised: group...)
	hosts     []string // more test names served by the origin
	agentPIN  string   // if set, agent "Marie" with this PIN exists before the service starts
	shellArgs []string // extra flags of kiosk shell
	shellEnv  []string // extra environment of kiosk shell
}

// rig is one running kiosk: Xvfb, origin, service and shell.
type rig struct {
	t       testing.TB
	ns      *testnet.NS
	dir     string
	data    string
	ctl     string
	display string
	origin  *origin
	opts    rigOptions

	serve    *exec.Cmd
	serveLog *logcapture.Buffer
	shell    *exec.Cmd
	log      *logWatch
}

func newRig(t testing.TB, opts rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, opts: opts, dir: t.TempDir()}
	r.data = filepath.Join(r.dir, "data")
	r.ctl = filepath.Join(r.dir, "ctl")
	for _, d := range []string{r.data, r.ctl} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(r.dir, "allowlist.yaml"), []byte(testAllowlist+opts.allowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	if opts.agentPIN != "" {
		add := exec.Command(kioskBin, "agent", "add", agentName, "--role", "agent", "--data", r.data)
		add.Stdin = strings.NewReader(opts.agentPIN + "\n" + opts.agentPIN + "\n")
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("kiosk agent add: %v\n%s", err, out)
		}
	}
	r.ns = testnet.New(t, append([]string{siteHost, blockedHost}, opts.hosts...)...)
	r.origin = startOrigin(t, r.ns)
	r.display = startX(t, opts.wm)
	t.Cleanup(r.stop)
	r.startServe()
	r.startShell()
	return r
}

// startX starts Xvfb on a free display (and a window manager if wm) and
// returns the DISPLAY value.
func startX(t testing.TB, wm bool) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Fatal("Xvfb is missing: `make test` installs xvfb")
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{pw}
	if err := x.Start(); err != nil {
		t.Fatalf("starting Xvfb: %v", err)
	}
	pw.Close()
	t.Cleanup(func() { _ = x.Process.Kill(); _ = x.Wait() })
	line, err := bufio.NewReader(pr).ReadString('\n')
	pr.Close()
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}
	display := ":" + strings.TrimSpace(line)
	if wm {
		m := exec.Command("matchbox-window-manager", "-use_titlebar", "no")
		m.Env = append(os.Environ(), "DISPLAY="+display)
		if err := m.Start(); err != nil {
			t.Fatalf("starting matchbox-window-manager (make test installs it): %v", err)
		}
		t.Cleanup(func() { _ = m.Process.Kill(); _ = m.Wait() })
	}
	return display
}

// startServe starts `kiosk serve` in the namespace and waits for its API.
func (r *rig) startServe() {
	r.t.Helper()
	_ = os.Remove(filepath.Join(r.data, "api.token"))
	args := append([]string{"serve",
		"--allowlist", filepath.Join(r.dir, "allowlist.yaml"), "--data", r.data,
		"--proxy-listen", "127.0.0.1:3128", "--admin-listen", "127.0.0.1:8080",
		"--languages", "fr,en,ar"}, r.opts.serveArgs...)
	r.serve = r.ns.Command(kioskBin, args...)
	r.serveLog = &logcapture.Buffer{}
	r.serve.Stdout, r.serve.Stderr = r.serveLog, r.serveLog
	if err := r.serve.Start(); err != nil {
		r.t.Fatalf("starting kiosk serve: %v", err)
	}
	r.waitFor("kiosk serve's API", 10*time.Second, func() bool {
		if _, err := os.Stat(filepath.Join(r.data, "api.token")); err != nil {
			return false
		}
		c, err := r.ns.DialContext(context.Background(), "tcp", "127.0.0.1:3128")
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// stopServe stops `kiosk serve` (API and proxy).
func (r *rig) stopServe() {
	if r.serve == nil {
		return
	}
	_ = r.serve.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.serve.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = r.serve.Process.Kill()
		<-done
	}
	r.serve = nil
}

// startShell starts `kiosk shell` in the namespace on the rig's display.
func (r *rig) startShell() {
	r.t.Helper()
	r.shell = r.ns.Command(kioskBin, append([]string{"shell", "--data", r.data, "--admin", "http://127.0.0.1:8080",
		// The on-screen keyboard opens from "Clavier" only, unless a test
		// says --touch (a later flag wins): the test machine may have no
		// keyboard in /proc/bus/input/devices.
		"--proxy", "127.0.0.1:3128", "--log-level", "debug", "--touch=off"}, r.opts.shellArgs...)...)
	r.shell.Env = append(append(os.Environ(), "DISPLAY="+r.display, "KIOSK_TEST_CONTROL="+r.ctl), r.opts.shellEnv...)
	r.shell.Dir = r.dir
	stderr, err := r.shell.StderrPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	r.log = newLogWatch(stderr)
	if err := r.shell.Start(); err != nil {
		r.t.Fatalf("starting kiosk shell: %v", err)
	}
}

// stopShell stops the shell and waits for it (it wipes on the way out).
func (r *rig) stopShell() {
	if r.shell == nil {
		return
	}
	_ = r.shell.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.shell.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(8 * time.Second):
		_ = r.shell.Process.Kill()
		<-done
	}
	r.shell = nil
}

func (r *rig) stop() {
	failed := r.t.Failed()
	if failed {
		r.screenshot(filepath.Join(os.TempDir(), "kiosk-test-failures", sanitize(r.t.Name())+".png"))
	}
	r.stopShell()
	r.stopServe()
	for _, l := range []string{r.log.text(), r.serveLog.String()} {
		if strings.Contains(l, "WARNING: DATA RACE") {
			r.t.Errorf("the race detector reported a data race:\n%s", l)
		}
	}
	if r.t.Failed() {
		r.t.Logf("shell log (tail):\n%s", tail(r.log.text(), 200))
		r.t.Logf("serve log (tail):\n%s", tail(r.serveLog.String(), 30))
	}
}

// screenshot saves the screen to path.
func (r *rig) screenshot(path string) {
	_ = os.MkdirAll(filepath.Dir(path), 0o755)
	cmd := exec.Command("import", "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Logf("screenshot %s: %v %s", path, err, out)
		return
	}
	r.t.Logf("screenshot: %s", path)
}

// waitFor polls cond until it holds or the timeout passes (no event exists
// for these conditions).
func (r *rig) waitFor(what string, timeout time.Duration, cond func() bool) {
	r.t.Helper()
	wait.Until(r.t, timeout, "waiting for "+what, cond)
}

// evalResult is the answer of the browser's test control socket.
type evalResult struct {
	Result json.RawMessage `json:"result"`
	URI    string          `json:"uri"`
	Error  string          `json:"error"`
}

// eval evaluates js in the current page of the current browser process.
func (r *rig) eval(js string) (evalResult, error) {
	return r.control(map[string]any{"js": js})
}

// touchEval records a touch of the resident (as GTK's input signals do),
// then evaluates js: what the toolbar does when the resident presses it.
func (r *rig) touchEval(js string) evalResult {
	r.t.Helper()
	res, err := r.control(map[string]any{"js": js, "input": true})
	if err != nil {
		r.t.Fatalf("eval %q after a touch: %v", js, err)
	}
	return res
}

// control sends one request to the browser process's test socket.
func (r *rig) control(msg map[string]any) (evalResult, error) {
	var res evalResult
	c, err := net.DialTimeout("unix", filepath.Join(r.ctl, "browser.sock"), time.Second)
	if err != nil {
		return res, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	req, _ := json.Marshal(msg)
	if _, err := c.Write(append(req, '\n')); err != nil {
		return res, err
	}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return res, err
	}
	if res.Error != "" {
		return res, fmt.Errorf("page: %s", res.Error)
	}
	return res, nil
}

// mustEval is eval that fails the test on error.
func (r *rig) mustEval(js string) evalResult {
	r.t.Helper()
	res, err := r.eval(js)
	if err != nil {
		r.t.Fatalf("eval %q: %v", js, err)
	}
	return res
}

// waitEval polls js (a JS expression) until it is true.
func (r *rig) waitEval(what, js string, timeout time.Duration) evalResult {
	r.t.Helper()
	var last evalResult
	wait.UntilErr(r.t, timeout, "waiting for "+what+" ("+js+")", func() error {
		var err error
		last, err = r.eval("!!(" + js + ")")
		switch {
		case err != nil:
			return err
		case string(last.Result) != "true":
			return fmt.Errorf("false on %q", last.URI)
		}
		return nil
	})
	return last
}

// waitURI waits until the page's URI satisfies ok.
func (r *rig) waitURI(what string, timeout time.Duration, ok func(string) bool) string {
	r.t.Helper()
	var uri string
	r.waitFor(what, timeout, func() bool {
		res, err := r.eval("document.readyState === 'complete'")
		uri = res.URI
		return err == nil && string(res.Result) == "true" && ok(res.URI)
	})
	return uri
}

// startSession presses "Commencer" on the welcome page and waits for the
// session's start page.
func (r *rig) startSession() {
	r.t.Helper()
	r.waitEval("the welcome page", "location.host === 'kiosk.invalid' && location.pathname === '/' && document.querySelector('[data-start]')", 10*time.Second)
	r.mustEval("document.querySelector('[data-start]').click(); 1")
	r.waitEval("the start page", "location.pathname === '/home' && document.readyState === 'complete'", 10*time.Second)
}

// pressToolbar presses the toolbar's button of class cls with the real
// pointer: the toolbar acts on the resident's own presses only.
func (r *rig) pressToolbar(cls string) {
	r.t.Helper()
	btn := "document.querySelector('kiosk-toolbar').shadowRoot.querySelector('button." + cls + "')"
	r.waitEval("the toolbar's "+cls+" button", btn+" && "+btn+".getClientRects().length > 0", 5*time.Second)
	r.press(btn)
}

// sessionOn starts a session and opens path on the test site.
func (r *rig) sessionOn(path string) {
	r.t.Helper()
	r.startSession()
	r.openPage(path)
}

// openPage opens path on the test site and waits for it.
func (r *rig) openPage(path string) {
	r.t.Helper()
	r.mustEval("location.href = '" + siteURL + path + "'; 1")
	r.waitEval("the site's page /"+path, "location.href === '"+siteURL+path+"' && document.readyState === 'complete'", 10*time.Second)
}

// endSession presses "Terminer ma session", skips the question, and waits
// for the next browser process's welcome screen. It returns that event.
func (r *rig) endSession() event {
	r.t.Helper()
	mark := r.log.len()
	r.pressToolbar("end")
	r.pressToolbar("yes")
	r.waitEval("the satisfaction page", "location.pathname === '/end' && document.querySelector('[data-answer=skip]')", 10*time.Second)
	r.mustEval("setTimeout(function () { document.querySelector('[data-answer=skip]').click(); }, 0); 1") // the process may exit before a direct answer
	return r.log.wait(r.t, "welcome ready", mark, 10*time.Second)
}

// metric returns the value of a Prometheus sample of the service (the
// first line starting with prefix, such as
// `kiosk_proxy_requests_total{decision="allowed",kind="http"}`), 0 if absent.
func (r *rig) metric(prefix string) float64 {
	r.t.Helper()
	client := &http.Client{Transport: &http.Transport{DialContext: r.ns.DialContext}, Timeout: 5 * time.Second}
	resp, err := client.Get("http://127.0.0.1:8080/metrics")
	if err != nil {
		r.t.Fatalf("reading the service's metrics: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, prefix)), 64)
			return v
		}
	}
	return 0
}
