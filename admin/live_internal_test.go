package admin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/session"
)

// liveJSON fetches /live.json.
func (f *fixture) liveJSON(c *http.Client) liveView {
	f.t.Helper()
	resp, body := f.get(c, "/live.json")
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("GET /live.json: %s", resp.Status)
	}
	var v liveView
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		f.t.Fatalf("decoding /live.json: %v\n%s", err, body)
	}
	return v
}

func TestLive_JSONAnonymous(t *testing.T) {
	var ctl *session.Controller
	f := newFixture(t, withSession(&ctl))
	f.setPassword()
	resp, body := f.get(f.client(), "/live.json")
	if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "state") {
		t.Errorf("anonymous GET /live.json: %s %q, want 401 without the state", resp.Status, body)
	}
}

func TestLive_Unwired(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	csrf := f.login(c)
	if v := f.liveJSON(c); v.Known || v.State != "unknown" {
		t.Errorf("live view without a controller = %+v, want unknown", v)
	}
	resp, _ := f.post(c, "/live/end", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST /live/end without a controller: %s, want 503", resp.Status)
	}
}

func TestLive_States(t *testing.T) {
	var ctl *session.Controller
	f := newFixture(t, withSession(&ctl))
	f.setPassword()
	c := f.client()
	f.login(c)

	v := f.liveJSON(c)
	if !v.Known || v.State != "welcome" || v.InSession || v.Mode != "Mixte (libre-service et accompagné)" {
		t.Fatalf("welcome: %+v", v)
	}
	if err := ctl.Start("ar", false); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(70 * time.Second)
	v = f.liveJSON(c)
	if v.State != "active" || !v.InSession || v.Lang != "العربية" || v.Idle != "1 min 10 s" ||
		v.Remaining != "43 min 50 s" || v.Label != "Session en cours" || v.Version == 0 {
		t.Errorf("active: %+v", v)
	}
	f.clock.Add(session.DefaultIdleTimeout - 70*time.Second + 5*time.Second)
	ctl.Tick(f.clock.Now())
	if v = f.liveJSON(c); v.State != "countdown" || v.Countdown == "" {
		t.Errorf("countdown: %+v", v)
	}
	// The HTML page renders the same state.
	resp, body := f.get(c, "/live")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-state="countdown"`) {
		t.Errorf("GET /live: %s, state not rendered", resp.Status)
	}
}

func TestLive_PINFailures(t *testing.T) {
	var ctl *session.Controller
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withAgents(t, dir, &st), func(c *Config) {
		sc, err := session.New(&session.Config{Now: c.Now, Auditor: c.Store.(Auditor), Mode: session.Mixed,
			CheckPIN: func(pin string) (string, error) {
				a, err := st.CheckPIN(pin)
				if err != nil {
					return "", session.ErrWrongPIN
				}
				return a.Name, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		ctl, c.Session = sc, sc
	})
	c := f.client()
	f.loginAs(c, adminName, testPassword)
	for range session.LockoutAfter + 1 {
		_ = ctl.Unlock("000001", "fr")
	}
	v := f.liveJSON(c)
	if !strings.HasPrefix(v.PIN, "5 code(s) PIN erroné(s)") || !strings.Contains(v.PIN, "clavier verrouillé jusqu'à") {
		t.Errorf("live view PIN = %q, want the failures and the lockout", v.PIN)
	}
	if err := ctl.Unlock(agentPIN, "fr"); err == nil {
		t.Error("unlock during the lockout worked")
	}
	entries, err := f.store.AuditLog(f.clock.Now(), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == "pin_failed" {
			n++
			if e.Agent != "?" || strings.Contains(e.Detail, "000001") {
				t.Errorf("audit of a wrong PIN = %+v", e)
			}
		}
	}
	if n == 0 {
		t.Error("no pin_failed entry in the audit log")
	}
}

func TestLive_Actions(t *testing.T) {
	var ctl *session.Controller
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withSession(&ctl), withAgents(t, dir, &st))
	c := f.client()
	csrf := f.loginAs(c, agentName, agentPasswd)
	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		form.Set("csrf", csrf)
		return f.post(c, path, form)
	}

	// No session: the actions are refused with 409 and nothing is audited.
	if resp, body := post("/live/end", url.Values{}); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "Action impossible") {
		t.Errorf("end without a session: %s", resp.Status)
	}
	// Without the CSRF token: 403.
	if resp, _ := f.post(c, "/live/extend", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("extend without CSRF: %s, want 403", resp.Status)
	}

	if err := ctl.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	ends := ctl.Snapshot().EndsAt
	resp, _ := post("/live/extend", url.Values{})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/live?msg=extended" {
		t.Fatalf("extend: %s %q", resp.Status, resp.Header.Get("Location"))
	}
	if got := ctl.Snapshot().EndsAt.Sub(ends); got != 15*time.Minute {
		t.Errorf("extend added %v, want 15m", got)
	}
	if _, body := f.get(c, "/live?msg=extended"); !strings.Contains(body, "15 minutes ajoutées") {
		t.Error("no notice after extend")
	}

	resp, _ = post("/live/message", url.Values{"message": {"Un agent arrive\x00\n"}})
	if resp.StatusCode != http.StatusSeeOther || ctl.Snapshot().Message != "Un agent arrive" {
		t.Errorf("message: %s, kiosk shows %q", resp.Status, ctl.Snapshot().Message)
	}
	if v := f.liveJSON(c); v.Message != "Un agent arrive" {
		t.Errorf("live view message = %q", v.Message)
	}
	resp, _ = post("/live/message", url.Values{"message": {"x"}, "clear": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || ctl.Snapshot().Message != "" {
		t.Errorf("clear message: %s, kiosk shows %q", resp.Status, ctl.Snapshot().Message)
	}

	// A help request shows with its age; "Pris en charge" marks it taken.
	ctl.Help()
	f.clock.Add(3 * time.Minute)
	v := f.liveJSON(c)
	if v.Pending != 1 || len(v.Help) != 1 || v.Help[0].Age != "il y a 3 min" || v.Help[0].TakenBy != "" {
		t.Fatalf("help pending: %+v", v)
	}
	_, body := f.get(c, "/")
	if !strings.Contains(body, `id="help-requested"`) {
		t.Error("the dashboard does not show the pending help request")
	}
	id := strconv.FormatUint(v.Help[0].ID, 10)
	if resp, _ = post("/live/help", url.Values{"id": {id}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("take help: %s", resp.Status)
	}
	v = f.liveJSON(c)
	if v.Pending != 0 || v.Help[0].TakenBy != agentName {
		t.Errorf("after take: %+v", v)
	}
	if resp, _ = post("/live/help", url.Values{"id": {id}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("take twice: %s, want 409", resp.Status)
	}
	if resp, _ = post("/live/help", url.Values{"id": {"99"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("take unknown: %s, want 404", resp.Status)
	}
	if resp, _ = post("/live/help", url.Values{"id": {"x"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("take bad id: %s, want 400", resp.Status)
	}
	if _, body = f.get(c, "/"); strings.Contains(body, `id="help-requested"`) {
		t.Error("the dashboard still shows a taken help request")
	}

	resp, _ = post("/live/end", url.Values{})
	if resp.StatusCode != http.StatusSeeOther || ctl.Snapshot().State != session.StateEnding ||
		ctl.Snapshot().EndReason != session.ReasonAgent {
		t.Errorf("end: %s, state %s", resp.Status, ctl.Snapshot().State)
	}

	// Every action is in the audit log, by the agent logged in.
	entries, err := f.store.AuditLog(f.clock.Now(), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, strings.TrimSpace(e.Agent+" "+e.Action+" "+e.Detail))
	}
	want := []string{"Marie login agent", "Marie extend +15m0s", "Marie message set", "Marie message cleared",
		"Marie help_taken 3m0s", "Marie end"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit log = %q, want %q", got, want)
	}
}

func TestFmtSeconds(t *testing.T) {
	testCases := []struct {
		n    int
		want string
	}{{-5, "0 s"}, {0, "0 s"}, {45, "45 s"}, {60, "1 min"}, {150, "2 min 30 s"}, {900, "15 min"},
		{3600, "1 h 00 min"}, {5430, "1 h 30 min"}}
	for _, tc := range testCases {
		if got := fmtSeconds(tc.n); got != tc.want {
			t.Errorf("fmtSeconds(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := fmtAge(3 * time.Second); got != "à l'instant" {
		t.Errorf("fmtAge(3s) = %q", got)
	}
	if got := fmtAge(200 * time.Second); got != "il y a 3 min 20 s" {
		t.Errorf("fmtAge(200s) = %q", got)
	}
}
