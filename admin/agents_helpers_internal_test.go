package admin

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/session"
)

// Test accounts.
const (
	adminName   = "Claire Admin"
	adminPIN    = "482913"
	agentName   = "Marie"
	agentPIN    = "735184"
	agentPasswd = "mot de passe de Marie"
)

// withAgents wires a real accounts file in dir, holding an admin and an
// agent account, both with a password.
func withAgents(t testing.TB, dir string, st **agent.Store) fixtureOpt {
	return func(c *Config) {
		s, err := agent.Open(filepath.Join(dir, agent.FileName))
		if err != nil {
			t.Fatalf("agent.Open: %v", err)
		}
		if _, err = s.Add(adminName, agent.RoleAdmin, adminPIN, testPassword); err != nil {
			t.Fatalf("adding the admin account: %v", err)
		}
		if _, err = s.Add(agentName, agent.RoleAgent, agentPIN, agentPasswd); err != nil {
			t.Fatalf("adding the agent account: %v", err)
		}
		*st = s
		c.Agents = s
	}
}

// withSession wires a real session controller on the fixture's clock,
// auditing into the fixture's usage store.
func withSession(ctl **session.Controller) fixtureOpt {
	return func(c *Config) {
		sc, err := session.New(&session.Config{Now: c.Now, Auditor: c.Store.(Auditor), Mode: session.Mixed,
			Logger: c.Logger})
		if err != nil {
			panic(err)
		}
		*ctl = sc
		c.Session = sc
	}
}

// loginAs logs c in as name with password and returns the session's CSRF
// token.
func (f *fixture) loginAs(c *http.Client, name, password string) string {
	f.t.Helper()
	_, body := f.get(c, "/login")
	resp, body := f.post(c, "/login", url.Values{"csrf": {csrfOf(f.t, body)}, "name": {name},
		"password": {password}, "next": {"/live"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/live" {
		f.t.Fatalf("login as %q: %s %q\n%s", name, resp.Status, resp.Header.Get("Location"), body)
	}
	resp, body = f.get(c, "/live")
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("after login GET /live: %s", resp.Status)
	}
	return csrfOf(f.t, body)
}
