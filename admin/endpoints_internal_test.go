package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/usage"
	"github.com/prometheus/client_golang/prometheus"
)

// errStore is a Stats whose Healthy fails.
type errStore struct{ Stats }

func (errStore) Healthy() error { return errors.New("disk full") }

func TestServer_Healthz(t *testing.T) {
	testCases := []struct {
		name     string
		status   func(*Status)
		store    bool // broken store
		want     int
		wantBody string
	}{
		{"healthy", nil, false, 200, "ok\n"},
		{"proxy down", func(s *Status) { s.ProxyHealthy = errors.New("listen: address in use") }, false, 503, "proxy: not serving\n"},
		{"no allowlist", func(s *Status) { s.AllowlistLoaded = time.Time{} }, false, 503, "allowlist: not loaded\n"},
		{"reload failed", func(s *Status) { s.AllowlistError = "x.yaml:1:1: bad" }, false, 503, "allowlist: last reload failed\n"},
		{"store", nil, true, 503, "store: unhealthy\n"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []fixtureOpt
			if tc.store {
				opts = append(opts, func(c *Config) { c.Store = errStore{c.Store} })
			}
			f := newFixture(t, opts...)
			if tc.status != nil {
				f.setStatus(tc.status)
			}
			resp, body := f.get(http.DefaultClient, "/healthz")
			if resp.StatusCode != tc.want || body != tc.wantBody {
				t.Errorf("/healthz = %d %q, want %d %q", resp.StatusCode, body, tc.want, tc.wantBody)
			}
		})
	}
}

func TestServer_Metrics(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	cnt := prometheus.NewCounter(prometheus.CounterOpts{Name: "kiosk_test_total", Help: "test"})
	cnt.Add(7)
	f.reg.MustRegister(cnt)
	resp, body := f.get(http.DefaultClient, "/metrics")
	if resp.StatusCode != 200 || !strings.Contains(body, "kiosk_test_total 7") {
		t.Fatalf("loopback /metrics = %s:\n%s", resp.Status, body)
	}
	remote := func(user, pw string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "http://127.0.0.1:8080/metrics", nil)
		r.RemoteAddr = "192.0.2.50:9000"
		if user != "" {
			r.SetBasicAuth(user, pw)
		}
		w := httptest.NewRecorder()
		f.srv.ServeHTTP(w, r)
		return w
	}
	testCases := []struct {
		name, user, pw string
		want           int
	}{
		{"anonymous", "", "", 401},
		{"wrong password", "admin", "wrong password!", 401},
		{"wrong user", "root", testPassword, 401},
		{"admin", "admin", testPassword, 200},
		{"admin again (cached)", "admin", testPassword, 200},
	}
	for _, tc := range testCases {
		w := remote(tc.user, tc.pw)
		if w.Code != tc.want {
			t.Errorf("%s: remote /metrics = %d, want %d", tc.name, w.Code, tc.want)
		}
		if tc.want == 200 && !strings.Contains(w.Body.String(), "kiosk_test_total 7") {
			t.Errorf("%s: metrics body lacks the counter", tc.name)
		}
	}
	// A changed password invalidates the cached one.
	if err := SetPassword(f.srv.creds.path, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if w := remote("admin", testPassword); w.Code != 401 {
		t.Errorf("old password after change: %d, want 401", w.Code)
	}
}

func TestServer_StatsJSON(t *testing.T) {
	f := newFixture(t)
	knownSessions(f)
	tok := "0123456789abcdef0123456789abcdef"
	if err := os.WriteFile(f.srv.token.path, []byte(tok), 0o640); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", f.http.URL+"/stats.json?from=2026-11-24&to=2026-11-25", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep usage.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	if rep.From != "2026-11-24" || rep.To != "2026-11-25" || len(rep.Days) != 2 || rep.Totals.Sessions != 4 || rep.Totals.Prints != 2 {
		t.Errorf("stats.json = %+v, want 2 days, 4 sessions and 2 prints", rep)
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, &rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Période : du 2026-11-24 au 2026-11-25", "Sessions terminées           4", "Durée médiane                25 min", "Impressions                  2", "CAF", "Clés USB : menaces détectées (fichiers refusés par l'antivirus)\n  aucune\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestWriteText_Threats: kiosk stats lists the threats by signature, as
// the dashboard does.
func TestWriteText_Threats(t *testing.T) {
	rep := usage.Report{From: "2026-11-24", To: "2026-11-24"}
	rep.Totals.Threats = map[string]uint64{"Win.Test.EICAR_HDB-1": 3, "Doc.Malware.Agent-1": 1}
	var buf bytes.Buffer
	if err := WriteText(&buf, &rep); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	i, j := strings.Index(got, "  Win.Test.EICAR_HDB-1"), strings.Index(got, "  Doc.Malware.Agent-1")
	if i < 0 || j < i || !strings.Contains(got[i:], "3\n") || strings.Contains(got, "aucune") {
		t.Errorf("kiosk stats' threats, want the signatures by count (3 then 1):\n%s", got)
	}
}

func TestServer_APIMounted(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api:"+r.URL.Path) })
	f := newFixture(t, func(c *Config) { c.API = api })
	resp, body := f.get(http.DefaultClient, "/api/v1/state")
	if resp.StatusCode != 200 || body != "api:/api/v1/state" {
		t.Errorf("/api/ = %s %q, want the API handler with the path unchanged", resp.Status, body)
	}
}

func TestServer_Static(t *testing.T) {
	f := newFixture(t)
	for p, want := range map[string]int{"/static/admin.css": 200, "/static/admin.js": 200, "/static/": 404, "/static/../admin.go": 404, "/static/x.tmpl": 404} {
		resp, _ := f.get(http.DefaultClient, p)
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", p, resp.StatusCode, want)
		}
	}
}
