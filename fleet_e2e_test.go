//go:build e2e

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/internal/logcapture"
	"github.com/communes/kiosk/internal/testnet"
	"github.com/communes/kiosk/internal/wait"
)

// fleetPassword is the admin password of the test terminals.
const fleetPassword = "mot de passe du parc"

// fleetTerminal is one `kiosk serve` of the fleet tests, in the test's
// network namespace, with its admin page on every address (TLS).
type fleetTerminal struct {
	name, data string
	port       int
	cmd        *exec.Cmd
	log        *logcapture.Buffer
}

// adminURL is the terminal's admin page as the fleet sees it.
func (ft *fleetTerminal) adminURL() string {
	return fmt.Sprintf("https://%s:%d", testnet.OriginAddr, ft.port)
}

// fingerprint is the SHA-256 of the terminal's self-signed certificate.
func (ft *fleetTerminal) fingerprint(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ft.data, admin.SelfSignedCertFile))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(data)
	if blk == nil {
		t.Fatal("no PEM certificate")
	}
	sum := sha256.Sum256(blk.Bytes)
	return hex.EncodeToString(sum[:])
}

// newFleetTerminal prepares a terminal (data dir with the admin password).
func newFleetTerminal(t testing.TB, name string, port int) *fleetTerminal {
	t.Helper()
	return newFleetTerminalIn(t, t.TempDir(), name, port)
}

// newFleetTerminalIn is newFleetTerminal with its data in dir/data.
func newFleetTerminalIn(t testing.TB, dir, name string, port int) *fleetTerminal {
	t.Helper()
	ft := &fleetTerminal{name: name, data: filepath.Join(dir, "data"), port: port}
	if err := os.MkdirAll(ft.data, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := admin.SetPassword(filepath.Join(ft.data, admin.CredentialsFileName), fleetPassword); err != nil {
		t.Fatal(err)
	}
	return ft
}

// start runs the terminal's `kiosk serve` and waits until it started.
func (ft *fleetTerminal) start(t testing.TB, ns *testnet.NS, allowlist string) {
	t.Helper()
	ft.log = &logcapture.Buffer{}
	ft.cmd = ns.Command(kioskBinary(t), "serve", "--allowlist", allowlist, "--data", ft.data,
		"--terminal-name", ft.name, "--proxy-listen", fmt.Sprintf("127.0.0.1:%d", ft.port-5000),
		"--admin-listen", fmt.Sprintf("0.0.0.0:%d", ft.port))
	ft.cmd.Stderr = ft.log
	if err := ft.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmd := ft.cmd
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	waitUntil(t, 15*time.Second, ft.name+" started", func() (bool, string) {
		return strings.Contains(ft.log.String(), "kiosk service started"), ft.log.String()
	})
}

// kill stops the terminal at once (a power cut).
func (ft *fleetTerminal) kill(t *testing.T) {
	t.Helper()
	if err := ft.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = ft.cmd.Wait()
}

// waitUntil waits (internal/wait) until cond holds or d passes; then it
// fails with cond's last detail.
func waitUntil(t testing.TB, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	wait.UntilErr(t, d, what, func() error {
		if ok, detail := cond(); !ok {
			return errors.New(detail)
		}
		return nil
	})
}

// nsClient is an HTTP client that dials inside ns and accepts the test
// terminals' self-signed certificates.
func nsClient(ns *testnet.NS) *http.Client {
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		DialContext:     ns.DialContext,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // test terminals' own certificates
	}}
}

// api calls the terminal's local API (loopback, its token) and returns the
// state it answers.
func (ft *fleetTerminal) api(t *testing.T, c *http.Client, path, body string) string {
	t.Helper()
	tok, err := os.ReadFile(filepath.Join(ft.data, "api.token"))
	if err != nil {
		t.Fatal(err)
	}
	method := http.MethodPost
	if body == "" {
		method = http.MethodGet
	}
	req, _ := http.NewRequest(method, fmt.Sprintf("https://127.0.0.1:%d%s", ft.port, path), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", ft.name, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s %s: %s %s", ft.name, method, path, resp.Status, b)
	}
	var st struct {
		State string `json:"state"`
	}
	_ = json.Unmarshal(b, &st)
	return st.State
}

// session runs one resident session that asks for help and answers "Oui".
func (ft *fleetTerminal) session(t *testing.T, c *http.Client) {
	t.Helper()
	ft.api(t, c, "/api/session/start", `{"lang":"fr"}`)
	ft.api(t, c, "/api/help", `{}`)
	ft.api(t, c, "/api/session/end", `{"reason":"user"}`)
	ft.api(t, c, "/api/session/satisfaction", `{"answer":"oui"}`)
	if st := ft.api(t, c, "/api/session/wiped", `{"ok":true}`); st != "welcome" {
		t.Fatalf("%s: state %q after the wipe, want welcome", ft.name, st)
	}
}

// runEngine starts one of Prometheus's programs inside ns and waits until
// its readiness URL answers.
func runEngine(t *testing.T, ns *testnet.NS, c *http.Client, ready string, name string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is missing: make test installs Debian's prometheus and prometheus-alertmanager", name)
	}
	log := &logcapture.Buffer{}
	cmd := ns.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, log.String())
		}
	})
	waitUntil(t, 30*time.Second, name+" ready", func() (bool, string) {
		resp, err := c.Get(ready)
		if err != nil {
			return false, err.Error() + "\n" + log.String()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status + "\n" + log.String()
	})
}

// testRules writes a copy of the shipped rule files with every for: set to
// 2s, so that the test does not wait minutes.
func testRules(t *testing.T, dir string) []string {
	t.Helper()
	forRE := regexp.MustCompile(`(?m)^(\s+for:) \S+$`)
	var out []string
	for _, name := range []string{"kiosk-rules.yml", "kiosk-alerts.yml"} {
		b, err := os.ReadFile(filepath.Join("packaging", "prometheus", name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, forRE.ReplaceAll(b, []byte("$1 2s")), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// startMonitoring runs Alertmanager and Prometheus (Debian's) in ns,
// scraping the terminals every second with the shipped rules.
func startMonitoring(t *testing.T, ns *testnet.NS, c *http.Client, terms []*fleetTerminal) {
	t.Helper()
	dir := t.TempDir()
	amConf := filepath.Join(dir, "alertmanager.yml")
	writeFile(t, amConf, `route:
  receiver: "null"
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
`)
	runEngine(t, ns, c, "http://127.0.0.1:9093/-/ready", "prometheus-alertmanager",
		"--config.file="+amConf, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address=127.0.0.1:9093", "--cluster.listen-address=")

	// As docs/fleet.md says: the terminals' own certificates as the CA
	// bundle (each pins itself), the password in a file.
	var targets []string
	var bundle []byte
	for _, ft := range terms {
		targets = append(targets, fmt.Sprintf("%q", strings.TrimPrefix(ft.adminURL(), "https://")))
		pem, err := os.ReadFile(filepath.Join(ft.data, admin.SelfSignedCertFile))
		if err != nil {
			t.Fatal(err)
		}
		bundle = append(bundle, pem...)
	}
	caFile, passFile := filepath.Join(dir, "kiosk-terminals.pem"), filepath.Join(dir, "kiosk-admin-password")
	writeFile(t, caFile, string(bundle))
	writeFile(t, passFile, fleetPassword)
	rules := testRules(t, dir)
	promConf := filepath.Join(dir, "prometheus.yml")
	writeFile(t, promConf, fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [%q, %q]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:9093"]
scrape_configs:
  - job_name: kiosk
    scheme: https
    tls_config:
      ca_file: %q
    basic_auth:
      username: admin
      password_file: %q
    static_configs:
      - targets: [%s]
`, rules[0], rules[1], caFile, passFile, strings.Join(targets, ", ")))
	runEngine(t, ns, c, "http://127.0.0.1:9090/-/ready", "prometheus",
		"--config.file="+promConf, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address=127.0.0.1:9090", "--rules.alert.resend-delay=1s")
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// promQuery runs an instant query and returns its result, or the error
// Prometheus gave.
func promQuery(c *http.Client, expr string) ([]map[string]any, error) {
	resp, err := c.Get("http://127.0.0.1:9090/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status, Error string
		Data          struct {
			Result []map[string]any `json:"result"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", expr, body.Error)
	}
	return body.Data.Result, nil
}

// amAlerts returns the active alerts of Alertmanager (API v2) as
// "alertname terminal" strings.
func amAlerts(c *http.Client) ([]string, error) {
	resp, err := c.Get("http://127.0.0.1:9093/api/v2/alerts?active=true&silenced=false&inhibited=false")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var alerts []struct {
		Labels map[string]string `json:"labels"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		return nil, err
	}
	var out []string
	for _, a := range alerts {
		out = append(out, a.Labels["alertname"]+" "+a.Labels["terminal"])
	}
	return out, nil
}

// waitAlert waits until Alertmanager has (or, with want false, no longer
// has) the alert "name terminal".
func waitAlert(t *testing.T, c *http.Client, alert string, want bool) {
	t.Helper()
	waitUntil(t, 60*time.Second, fmt.Sprintf("alert %q active = %v in Alertmanager", alert, want), func() (bool, string) {
		got, err := amAlerts(c)
		if err != nil {
			return false, err.Error()
		}
		has := false
		for _, a := range got {
			has = has || a == alert
		}
		return has == want, fmt.Sprintf("active alerts: %q", got)
	})
}

// dashboardExprs returns every PromQL expression of the shipped dashboard.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("packaging", "prometheus", "kiosk-fleet.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("kiosk-fleet.json: %v", err)
	}
	var out []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	return out
}

// TestFleet_Monitoring runs three terminals scraped by a real Prometheus
// whose alerts go to a real Alertmanager (Debian's), with the shipped rules
// (for: shortened): a stopped terminal is "unreachable", one put out of
// order through its API raises its alerts, and both resolve once restored;
// a terminal without its shell says so. Every expression of the shipped
// dashboard is a valid query there. Then `kiosk report` reads the three
// terminals: the totals are the sums, a stopped terminal is named, a wrong
// certificate fingerprint is refused.
func TestFleet_Monitoring(t *testing.T) {
	ns := testnet.New(t)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	writeFile(t, al, testAllowlist)
	c := nsClient(ns)
	terms := []*fleetTerminal{
		newFleetTerminal(t, "Borne 1 (mairie)", 8441),
		newFleetTerminal(t, "Borne 2 (CCAS)", 8442),
		newFleetTerminal(t, "Borne 3 (annexe)", 8443),
	}
	for i, ft := range terms {
		ft.start(t, ns, al)
		for range i + 1 { // different usage: 1, 2 and 3 sessions
			ft.session(t, c)
		}
	}

	// A shell on terminal 2: it keeps the state's long poll open.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go fakeShell(ctx, c, terms[1])

	startMonitoring(t, ns, c, terms)
	waitUntil(t, 60*time.Second, "the three terminals scraped", func() (bool, string) {
		res, err := promQuery(c, `count(up{job="kiosk"} == 1 and on(instance) kiosk_terminal_info)`)
		if err != nil || len(res) != 1 {
			return false, fmt.Sprint(res, err)
		}
		return fmt.Sprint(res[0]["value"].([]any)[1]) == "3", fmt.Sprint(res)
	})

	t.Run("dashboard expressions", func(t *testing.T) {
		exprs := dashboardExprs(t)
		if len(exprs) < 10 {
			t.Fatalf("dashboard has %d expressions, want its 11", len(exprs))
		}
		for _, e := range exprs {
			if _, err := promQuery(c, e); err != nil {
				t.Errorf("dashboard query %q: %v", e, err)
			}
		}
		waitUntil(t, 30*time.Second, "one status row per terminal", func() (bool, string) {
			res, err := promQuery(c, "terminal:kiosk_status:code == 0")
			return err == nil && len(res) == 3, fmt.Sprint(res, err)
		})
	})

	t.Run("shell disconnected", func(t *testing.T) {
		waitAlert(t, c, "KioskShellDisconnected Borne 1 (mairie)", true)
		got, err := amAlerts(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got {
			if a == "KioskShellDisconnected Borne 2 (CCAS)" {
				t.Errorf("terminal 2 keeps its shell's poll open, but Alertmanager has %q", a)
			}
		}
	})

	t.Run("printer", func(t *testing.T) {
		terms[1].api(t, c, "/api/shell/printer", `{"failing":true,"queued":2}`)
		waitUntil(t, 30*time.Second, "the printer report on /metrics", func() (bool, string) {
			res, err := promQuery(c, `kiosk_printer_queued_jobs == 2 and on(instance) kiosk_printer_failing == 1`)
			return err == nil && len(res) == 1, fmt.Sprint(res, err)
		})
	})

	t.Run("unreachable", func(t *testing.T) {
		terms[2].kill(t)
		waitAlert(t, c, "KioskTerminalUnreachable Borne 3 (annexe)", true)
	})

	t.Run("out of order", func(t *testing.T) {
		ft := terms[0]
		ft.api(t, c, "/api/session/start", `{"lang":"fr"}`)
		ft.api(t, c, "/api/session/end", `{"reason":"idle"}`)
		if st := ft.api(t, c, "/api/session/wiped", `{"ok":false,"error":"removing profile: test"}`); st != "out_of_order" {
			t.Fatalf("state %q after a failed wipe, want out_of_order", st)
		}
		waitAlert(t, c, "KioskWipeFailed Borne 1 (mairie)", true)
		waitAlert(t, c, "KioskOutOfOrder Borne 1 (mairie)", true)
		res, err := promQuery(c, `kiosk_terminal_out_of_order_info{reason="removing profile: test"}`)
		if err != nil || len(res) != 1 {
			t.Errorf("out-of-order reason on /metrics: %v %v", res, err)
		}
	})

	// Restored (started here: a subtest's cleanup would stop it).
	if st := terms[0].api(t, c, "/api/session/wiped", `{"ok":true}`); st != "welcome" {
		t.Fatalf("state %q after a good wipe, want welcome", st)
	}
	terms[2].start(t, ns, al)
	t.Run("restored", func(t *testing.T) {
		waitAlert(t, c, "KioskOutOfOrder Borne 1 (mairie)", false)
		waitAlert(t, c, "KioskWipeFailed Borne 1 (mairie)", false)
		waitAlert(t, c, "KioskTerminalUnreachable Borne 3 (annexe)", false)
	})

	t.Run("report", func(t *testing.T) {
		testFleetReport(t, ns, terms)
	})
}

// fakeShell keeps a long poll of ft's state open, as the shell does.
func fakeShell(ctx context.Context, c *http.Client, ft *fleetTerminal) {
	tok, err := os.ReadFile(filepath.Join(ft.data, "api.token"))
	if err != nil {
		return
	}
	var version uint64
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
			fmt.Sprintf("https://127.0.0.1:%d/api/state?since=%d&wait=5", ft.port, version), nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
		resp, err := c.Do(req)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		var st struct {
			Version uint64 `json:"version"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		version = st.Version
	}
}

// runReportIn runs `kiosk report --csv` inside ns and returns its output and
// exit code.
func runReportIn(t *testing.T, ns *testnet.NS, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := ns.Command(kioskBinary(t), append([]string{"report", "--csv"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// csvRow returns the cells of the CSV row whose label is label.
func csvRow(t *testing.T, csv, label string) []string {
	t.Helper()
	for _, line := range strings.Split(strings.TrimPrefix(csv, "\ufeff"), "\r\n") {
		if cells := strings.Split(line, ";"); cells[0] == label {
			return cells[1:]
		}
	}
	t.Fatalf("no CSV row %q in\n%s", label, csv)
	return nil
}

func testFleetReport(t *testing.T, ns *testnet.NS, terms []*fleetTerminal) {
	dir := t.TempDir()
	conf := func(fingerprint0 string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "user: admin\npassword: %q\nterminals:\n", fleetPassword)
		for i, ft := range terms {
			fp := ft.fingerprint(t)
			if i == 0 && fingerprint0 != "" {
				fp = fingerprint0
			}
			fmt.Fprintf(&b, "  - url: %s\n    name: %q\n    fingerprint: %q\n", ft.adminURL(), ft.name, fp)
		}
		p := filepath.Join(dir, fmt.Sprintf("report-%d.yaml", len(fingerprint0)))
		writeFile(t, p, b.String())
		return p
	}
	today := time.Now().Format(time.DateOnly)
	good := conf("")

	out, errs, code := runReportIn(t, ns, "--config", good, "--from", today, "--to", today)
	if code != 0 {
		t.Fatalf("kiosk report: exit %d\n%s", code, errs)
	}
	if !strings.HasPrefix(out, "\ufeffPériode ") {
		t.Errorf("CSV does not start with the BOM and the header: %q", out[:min(len(out), 60)])
	}
	if got := csvRow(t, out, "Sessions terminées"); strings.Join(got, ";") != "2;2;3;7" {
		t.Errorf("sessions = %v, want 2 (one out of order), 2, 3 and the total 7", got)
	}
	if got := csvRow(t, out, "Satisfaction : Oui"); strings.Join(got, ";") != "1;2;3;6" {
		t.Errorf("\"Oui\" answers = %v, want 1;2;3;6", got)
	}
	if got := csvRow(t, out, "Demandes d'aide"); strings.Join(got, ";") != "1;2;3;6" {
		t.Errorf("help requests = %v, want 1;2;3;6", got)
	}
	if names := csvRow(t, out, "Période "+today+" – "+today); names[0] != terms[0].name || names[2] != terms[2].name {
		t.Errorf("columns = %v, want the terminals' names", names)
	}

	// A stopped terminal is named, not left out; the totals are the others'.
	terms[1].kill(t)
	out, errs, code = runReportIn(t, ns, "--config", good, "--from", today, "--to", today)
	if code != 1 || !strings.Contains(errs, terms[1].name) {
		t.Errorf("report with a stopped terminal: exit %d, stderr %q; want 1 naming %q", code, errs, terms[1].name)
	}
	if st := csvRow(t, out, "État")[1]; !strings.Contains(st, "injoignable") {
		t.Errorf("state of the stopped terminal = %q, want it named unreachable", st)
	}
	if got := csvRow(t, out, "Sessions terminées"); strings.Join(got, ";") != "2;;3;5" {
		t.Errorf("sessions with terminal 2 stopped = %v, want 2;;3;5", got)
	}

	// A certificate that is not the pinned one is refused.
	out, _, code = runReportIn(t, ns, "--config", conf(strings.Repeat("ab", 32)), "--from", today, "--to", today,
		"--terminal", terms[0].adminURL(), "--terminal", terms[2].adminURL())
	if code != 1 {
		t.Errorf("report with a wrong fingerprint: exit %d, want 1", code)
	}
	if st := csvRow(t, out, "État"); !strings.Contains(st[0], "certificat refusé") || st[1] != "comptée" {
		t.Errorf("states = %q, want terminal 1 refused (certificate) and terminal 3 counted", st)
	}
	if got := csvRow(t, out, "Sessions terminées"); strings.Join(got, ";") != ";3;3" {
		t.Errorf("sessions with terminal 1 refused = %v, want ;3;3", got)
	}
}
