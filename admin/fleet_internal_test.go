package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestServer_StatsJSON_basicAuth checks what `kiosk report` relies on:
// /stats.json answers the admin account's Basic auth, with the terminal's
// name and its sites' France Services operators; a wrong password does not.
func TestServer_StatsJSON_basicAuth(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.SiteOperators = func() map[string]string { return map[string]string{"CAF": "CAF"} }
	})
	f.setStatus(func(s *Status) { s.TerminalName = "Mairie annexe Nord" })
	get := func(user, pass string) (*http.Response, statsJSON) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.http.URL+"/stats.json?from=2026-11-01&to=2026-11-25", nil)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body statsJSON
		if resp.StatusCode == http.StatusOK {
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
		}
		return resp, body
	}
	if resp, _ := get("admin", testPassword); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no password set yet: status %d, want 401", resp.StatusCode)
	}
	f.setPassword()
	resp, body := get("admin", testPassword)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Basic admin: status %d, want 200", resp.StatusCode)
	}
	if body.Terminal != "Mairie annexe Nord" || body.SiteOperators["CAF"] != "CAF" || body.Report == nil || body.From != "2026-11-01" {
		t.Errorf("stats.json = %+v, want the terminal's name, its operators and the report", body)
	}
	for _, c := range []struct{ user, pass string }{{"admin", "wrong password!"}, {"marie", testPassword}} {
		if resp, _ := get(c.user, c.pass); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Basic %s/%s: status %d, want 401", c.user, c.pass, resp.StatusCode)
		}
	}
}

// TestServer_TerminalName shows the terminal's name on every page and in
// the monthly report.
func TestServer_TerminalName(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	f.setStatus(func(s *Status) { s.TerminalName = "Mairie <annexe> Nord" })
	c := f.client()
	f.login(c)
	for _, path := range []string{"/", "/report"} {
		_, body := f.get(c, path)
		if !strings.Contains(body, `<span id="terminal-name">Mairie &lt;annexe&gt; Nord</span>`) {
			t.Errorf("GET %s: no escaped terminal name in the header", path)
		}
	}
	if _, body := f.get(c, "/report"); !strings.Contains(body, "« Mairie &lt;annexe&gt; Nord »") {
		t.Errorf("monthly report does not name the terminal")
	}
}
