package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/service"
)

const webkitUpgrade = `Start-Date: 2026-12-07  06:31:02
Commandline: /usr/bin/unattended-upgrade
Upgrade: libwebkit2gtk-4.0-37:amd64 (2.46.6-1~deb12u1, 2.48.3-1~deb12u1), libjavascriptcoregtk-4.0-18:amd64 (2.46.6-1~deb12u1, 2.48.3-1~deb12u1)
End-Date: 2026-12-07  06:32:40
`

// The shell's third failed browser start puts the terminal out of order
// with a message naming the update found in apt's history, and /metrics
// counts the failures; the recovery report sets the count back to 0.
func TestService_BrowserFailsAfterUpdate(t *testing.T) {
	dir := t.TempDir()
	al := filepath.Join(dir, "allowlist.yaml")
	writeFile(t, al, listA)
	c := newConfig(t, al)
	c.AptHistory = filepath.Join(dir, "history.log")
	c.UnattendedLog = filepath.Join(dir, "none.log")
	writeFile(t, c.AptHistory, webkitUpgrade)
	s, err := service.New(c)
	if err != nil {
		t.Fatal(err)
	}
	start(t, s)
	since := time.Date(2026, 12, 7, 6, 40, 0, 0, time.Local).Format(time.RFC3339)
	for n := 1; n <= 3; n++ {
		body := fmt.Sprintf(`{"failures": %d, "since": %q, "out_of_order": %v, "error": "exit status 127"}`, n, since, n == 3)
		if code := apiPost(t, s, c.DataDir, "/api/shell/browser", body); code != http.StatusOK {
			t.Fatalf("report %d: status %d", n, code)
		}
	}
	resp, err := apiGet(t, context.Background(), s, c.DataDir, "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ State, Error string }
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	want := "Le navigateur ne démarre plus depuis la mise à jour du 07/12/2026 à 06:31 (libwebkit2gtk-4.0-37, libjavascriptcoregtk-4.0-18)"
	if err != nil || st.State != "out_of_order" || st.Error != want {
		t.Errorf("state = %+v (%v), want out_of_order with %q", st, err, want)
	}
	if m := metric(t, s, "kiosk_browser_start_failures"); m != "3" {
		t.Errorf("kiosk_browser_start_failures = %q, want 3", m)
	}
	if code := apiPost(t, s, c.DataDir, "/api/shell/browser", `{"failures": 0}`); code != http.StatusOK {
		t.Fatalf("recovery report: status %d", code)
	}
	if m := metric(t, s, "kiosk_browser_start_failures"); m != "0" {
		t.Errorf("kiosk_browser_start_failures after recovery = %q, want 0", m)
	}
}

// apiPost POSTs body to path of the local API of s; it returns the status.
func apiPost(t *testing.T, s *service.Service, dataDir, path, body string) int {
	t.Helper()
	token, err := api.ReadTokenFile(filepath.Join(dataDir, "api.token"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.AdminAddr().String()+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// metric returns the value of the unlabelled metric name on /metrics.
func metric(t *testing.T, s *service.Service, name string) string {
	t.Helper()
	resp, err := http.Get("http://" + s.AdminAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), name+" "); ok {
			return v
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return ""
}

// A failure the shell reports with nothing to wipe (the egress lockdown
// missing, the sandbox unable to start) puts the terminal out of order
// with its cause, and the next successful report puts it back.
func TestService_ShellFailureAtWelcome(t *testing.T) {
	dir := t.TempDir()
	al := filepath.Join(dir, "allowlist.yaml")
	writeFile(t, al, listA)
	c := newConfig(t, al)
	s, err := service.New(c)
	if err != nil {
		t.Fatal(err)
	}
	start(t, s)
	const cause = "egress lockdown not in force: nftables table inet kiosk not loaded (systemctl restart kiosk-nftables)"
	if code := apiPost(t, s, c.DataDir, "/api/session/wiped", `{"ok": false, "error": "`+cause+`"}`); code != http.StatusOK {
		t.Fatalf("failure report at welcome: status %d, want 200", code)
	}
	state := func() (string, string) {
		t.Helper()
		resp, err := apiGet(t, context.Background(), s, c.DataDir, "/api/state")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st struct{ State, Error string }
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st.State, st.Error
	}
	if st, e := state(); st != "out_of_order" || e != cause {
		t.Errorf("state = %s %q, want out_of_order with the cause", st, e)
	}
	if m := metric(t, s, "kiosk_wipe_failures_total"); m != "0" {
		t.Errorf("kiosk_wipe_failures_total = %s, want 0: nothing was wiped", m)
	}
	if code := apiPost(t, s, c.DataDir, "/api/session/wiped", `{"ok": true}`); code != http.StatusOK {
		t.Fatalf("success report: status %d", code)
	}
	if st, _ := state(); st != "welcome" {
		t.Errorf("state after the success report = %s, want welcome", st)
	}
}
