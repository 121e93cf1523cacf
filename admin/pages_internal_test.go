package admin

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/usage"
)

func TestServer_Setup(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	resp, body := f.get(c, "/setup")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Créer le mot de passe administrateur") {
		t.Fatalf("GET /setup = %s, want the form", resp.Status)
	}
	tok := csrfOf(t, body)
	testCases := []struct {
		name, pw, confirm string
		want              int
		wantText          string
	}{
		{"differ", "long enough password", "long enough passwordX", http.StatusBadRequest, "pas identiques"},
		{"short", "short", "short", http.StatusBadRequest, "au moins 10 caractères"},
	}
	for _, tc := range testCases {
		resp, body := f.post(c, "/setup", url.Values{"csrf": {tok}, "password": {tc.pw}, "confirm": {tc.confirm}})
		if resp.StatusCode != tc.want || !strings.Contains(body, tc.wantText) {
			t.Errorf("%s: POST /setup = %s, want %d with %q", tc.name, resp.Status, tc.want, tc.wantText)
		}
	}
	if _, err := os.Stat(f.srv.creds.path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("credentials written after refused setups: %v", err)
	}
	resp, _ = f.post(c, "/setup", url.Values{"csrf": {tok}, "password": {testPassword}, "confirm": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?msg=created" {
		t.Fatalf("POST /setup = %s %q, want 303 /login?msg=created", resp.Status, resp.Header.Get("Location"))
	}
	fi, err := os.Stat(f.srv.creds.path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v mode %v, want 0600", err, fi.Mode())
	}
	b, _ := os.ReadFile(f.srv.creds.path)
	if !bytes.Contains(b, []byte(`"hash": "$argon2id$v=19$`)) || bytes.Contains(b, []byte(testPassword)) {
		t.Fatalf("credentials file holds no argon2id hash, or the password:\n%s", b)
	}
	// Once set, the setup page is gone and cannot overwrite the password.
	resp, _ = f.get(c, "/setup")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /setup after setup = %s, want 303", resp.Status)
	}
	resp, _ = f.post(c, "/setup", url.Values{"csrf": {tok}, "password": {"attacker password"}, "confirm": {"attacker password"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("second POST /setup = %s, want 403", resp.Status)
	}
	f.login(c)
}

func TestServer_SetupRemoteRefused(t *testing.T) {
	f := newFixture(t)
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "http://127.0.0.1:8080/setup", nil)
	r.RemoteAddr = "192.0.2.10:4000"
	f.srv.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), `name="password"`) ||
		!strings.Contains(w.Body.String(), "kiosk admin passwd") {
		t.Fatalf("remote GET /setup = %d, want 403 without the form:\n%s", w.Code, w.Body)
	}
	form := url.Values{"csrf": {"x"}, "password": {testPassword}, "confirm": {testPassword}}
	r = httptest.NewRequest("POST", "http://127.0.0.1:8080/setup", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: "kiosk_form", Value: "x"})
	r.RemoteAddr = "192.0.2.10:4000"
	w = httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Fatalf("remote POST /setup = %d, want 403", w.Code)
	}
	if _, err := os.Stat(f.srv.creds.path); err == nil {
		t.Fatal("remote setup wrote a password")
	}
}

// knownSessions writes a fixed set of sessions on 2026-11-24 and -25.
func knownSessions(f *fixture) {
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, testLoc)
	f.addSession(day.Add(9*time.Hour+10*time.Minute), 10*time.Minute, usage.EndUser, "CAF")
	f.addSession(day.Add(9*time.Hour+40*time.Minute), 20*time.Minute, usage.EndIdle, "CAF", "Impôts")
	f.addSession(day.Add(14*time.Hour), 30*time.Minute, usage.EndTimeLimit, "Ameli")
	f.addSession(day.AddDate(0, 0, 1).Add(10*time.Hour), 40*time.Minute, usage.EndUser, "CAF")
	f.store.Count(usage.SatisfactionYes)
	f.store.Count(usage.SatisfactionYes)
	f.store.Count(usage.SatisfactionNo)
	f.store.Count(usage.HelpRequest)
	f.store.Count(usage.Print)
	f.store.Count(usage.Print)
}

func TestServer_Dashboard(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	knownSessions(f)
	c := f.client()
	f.login(c)
	resp, body := f.get(c, "/?from=2026-11-24&to=2026-11-25")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %s", resp.Status)
	}
	for _, want := range []string{
		`id="sessions">4<`, `id="median">25 min<`, `id="total">1 h 40<`, `id="help">1<`,
		`id="prints">2<`, `<span>impressions</span>`, `id="satisfaction">67`, `Du 24/11/2026 au 25/11/2026`,
		`<tr data-reason="user"><td>Terminée par l&#39;usager</td><td class="n">2</td><td class="n">50`,
		`<tr data-answer="no"><td>Non</td><td class="n">1</td>`,
		`<td>CAF<div`, `<svg class="chart"`, `aria-label="Sessions par heure de début"`,
		`<title>9 h : 2</title>`, `href="/export.csv?from=2026-11-24&amp;to=2026-11-25"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("body:\n%s", body)
	}
	for _, p := range []string{"today", "week", "month"} {
		if resp, _ := f.get(c, "/?p="+p); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /?p=%s = %s", p, resp.Status)
		}
	}
	for _, q := range []string{"from=2026-13-01", "from=2026-11-25&to=2026-11-01", "from=2020-01-01&to=2026-01-01", "p=year"} {
		resp, body := f.get(c, "/?"+q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Période invalide") {
			t.Errorf("GET /?%s = %s, want 400 with a message", q, resp.Status)
		}
	}
}

func TestServer_Blocked(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	for range 3 {
		f.store.Blocked("cdn.caf.fr", "www.caf.fr")
	}
	f.store.Blocked("tracker.example", "www.ameli.fr")
	c := f.client()
	f.login(c)
	_, body := f.get(c, "/blocked?days=7")
	for _, want := range []string{
		`<td class="host">cdn.caf.fr</td>`, `<td>www.caf.fr</td>`, `<td class="n">3</td>`,
		`<code class="yaml">      - cdn.caf.fr</code>`, `data-copy="      - cdn.caf.fr"`, "tracker.example",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("blocked page lacks %q", want)
		}
	}
	if i, j := strings.Index(body, "cdn.caf.fr"), strings.Index(body, "tracker.example"); i > j {
		t.Error("most frequent host not first")
	}
	if resp, _ := f.get(c, "/blocked?days=0"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("days=0: %s, want 400", resp.Status)
	}
}

func TestServer_AllowlistStatus(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	f.login(c)
	_, body := f.get(c, "/allowlist")
	if !strings.Contains(body, "/etc/kiosk/allowlist.yaml") || !strings.Contains(body, "25/11/2026 à 14:30") || !strings.Contains(body, `id="allowlist-ok"`) {
		t.Errorf("allowlist page lacks file, load time or OK:\n%s", body)
	}
	f.setStatus(func(s *Status) {
		s.AllowlistError = "allowlist.yaml:12:7: unknown key \"hots\""
		s.AllowlistErrorAt = f.clock.Now()
	})
	for _, p := range []string{"/allowlist", "/"} {
		_, body = f.get(c, p)
		if !strings.Contains(body, `allowlist.yaml:12:7: unknown key &#34;hots&#34;`) || !strings.Contains(body, `role="alert"`) {
			t.Errorf("%s does not show the reload error prominently", p)
		}
	}
}

func TestServer_LiveStatus(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	f.login(c)
	_, body := f.get(c, "/")
	if strings.Contains(body, `id="help-requested"`) {
		t.Error("help banner shown with no pending request")
	}
	f.setStatus(func(s *Status) {
		s.HelpRequested = time.Date(2026, 11, 25, 13, 5, 0, 0, time.UTC)
		s.Terminal = "Session en cours"
	})
	_, body = f.get(c, "/blocked")
	if !strings.Contains(body, `id="help-requested"`) || !strings.Contains(body, "depuis 14:05") {
		t.Errorf("help banner missing or not in local time")
	}
	_, body = f.get(c, "/allowlist")
	if !strings.Contains(body, `<td id="terminal">Session en cours</td>`) {
		t.Errorf("terminal state missing")
	}
}

func TestServer_ExportCSV(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	knownSessions(f)
	c := f.client()
	f.login(c)
	resp, body := f.get(c, "/export.csv?from=2026-11-23&to=2026-11-25")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), `filename="kiosk-2026-11-23-2026-11-25.csv"`) {
		t.Fatalf("export: %s %v", resp.Status, resp.Header)
	}
	want := "\ufeffDate;Sessions terminées;Sessions commencées;"
	if !strings.HasPrefix(body, want) {
		t.Fatalf("csv starts %q, want %q", body[:min(len(body), 60)], want)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	if len(lines) != 4 {
		t.Fatalf("csv has %d CRLF lines, want 4:\n%q", len(lines), body)
	}
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") {
		t.Error("bare LF in csv")
	}
	wantRows := []string{
		"2026-11-23;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0",
		"2026-11-24;3;0;0;60;20;60;0;1;1;1;0;0;0;0;0;0;0;0;0;0;0;0",
		"2026-11-25;1;0;0;40;40;40;0;1;0;0;0;0;2;0;1;1;0;0;0;0;0;2",
	}
	for i, w := range wantRows {
		if lines[i+1] != w {
			t.Errorf("row %d = %q, want %q", i+1, lines[i+1], w)
		}
	}
	if n := strings.Count(lines[0], ";"); n != len(csvHeader)-1 {
		t.Errorf("header has %d separators, want %d", n, len(csvHeader)-1)
	}
	// Prints come last, after the columns that existed before them.
	if !strings.HasSuffix(lines[0], ";Demandes d'aide;Déverrouillages agent;Prolongations;Dérogations;Échecs d'effacement;Requêtes bloquées;Impressions") {
		t.Errorf("header = %q, want the prints column last", lines[0])
	}
}

func TestServer_Report(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	knownSessions(f)
	c := f.client()
	f.login(c)
	resp, body := f.get(c, "/report?from=2026-10&to=2026-11")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /report = %s", resp.Status)
	}
	if n := strings.Count(body, `<article class="month">`); n != 2 {
		t.Errorf("report has %d month pages, want 2", n)
	}
	for _, want := range []string{"octobre 2026", "novembre 2026", `id="sessions">4<`, `id="prints">2<`, "2 jour(s) avec au moins une session"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	css, err := assets.ReadFile("static/admin.css")
	if err != nil || !bytes.Contains(css, []byte("@page { size: A4")) || !bytes.Contains(css, []byte("break-after: page")) {
		t.Error("style sheet lacks the A4 print rules")
	}
	if resp, _ := f.get(c, "/report?from=2024-01&to=2026-11"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("35 months: %s, want 400", resp.Status)
	}
}

func TestServer_ChangePassword(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	tok := f.login(c)
	resp, body := f.get(c, "/password")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="current"`) {
		t.Fatalf("GET /password = %s", resp.Status)
	}
	const newPW = "a new admin password"
	testCases := []struct {
		name                 string
		current, pw, confirm string
		want                 int
		wantText             string
	}{
		{"wrong current", "not the password", newPW, newPW, http.StatusUnauthorized, "actuel incorrect"},
		{"differ", testPassword, newPW, newPW + "!", http.StatusBadRequest, "pas identiques"},
		{"short", testPassword, "short", "short", http.StatusBadRequest, "au moins 10"},
	}
	for _, tc := range testCases {
		resp, body := f.post(c, "/password", url.Values{"csrf": {tok}, "current": {tc.current}, "password": {tc.pw}, "confirm": {tc.confirm}})
		if resp.StatusCode != tc.want || !strings.Contains(body, tc.wantText) {
			t.Errorf("%s: %s, want %d with %q", tc.name, resp.Status, tc.want, tc.wantText)
		}
	}
	resp, _ = f.post(c, "/password", url.Values{"current": {testPassword}, "password": {newPW}, "confirm": {newPW}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("change without CSRF token = %s, want 403", resp.Status)
	}
	resp, _ = f.post(c, "/password", url.Values{"csrf": {tok}, "current": {testPassword}, "password": {newPW}, "confirm": {newPW}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?msg=changed" {
		t.Fatalf("change = %s %q, want 303 /login?msg=changed", resp.Status, resp.Header.Get("Location"))
	}
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("old session after change: %s, want 303", resp.Status)
	}
	h, _ := f.srv.creds.adminHash()
	if ok, _ := verifyPassword(h, newPW); !ok {
		t.Error("new password not stored")
	}
}

func TestDailyChart_ByMonth(t *testing.T) {
	var days []usage.Day
	d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 100 { // Jan 1 – Apr 10
		days = append(days, usage.Day{Date: d.Format(dateLayout), Counts: usage.Counts{Sessions: 2}})
		d = d.AddDate(0, 0, 1)
	}
	svg := string(dailyChart(days))
	for _, want := range []string{`aria-label="Sessions par mois"`, "<title>01/2026 : 62</title>", "<title>02/2026 : 56</title>", "<title>04/2026 : 20</title>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if n := strings.Count(svg, "<rect"); n != 4 {
		t.Errorf("%d bars, want 4 months", n)
	}
}
