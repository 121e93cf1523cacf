package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/session"
)

// agentAccounts adapts *agent.Store to Agents. It is the adapter that main
// uses (docs/admin.md, "Wiring"); the tests run it on a real accounts file.
type agentAccounts struct{ s *agent.Store }

func (a agentAccounts) Authenticate(name, password string) (Account, error) {
	acc, err := a.s.Authenticate(name, password)
	if err != nil {
		return Account{}, agentErr(err)
	}
	return adminAccount(*acc), nil
}

func (a agentAccounts) Get(name string) (Account, error) {
	acc, err := a.s.Get(name)
	if err != nil {
		return Account{}, agentErr(err)
	}
	return adminAccount(acc), nil
}

func (a agentAccounts) List() ([]Account, error) {
	list, err := a.s.List()
	if err != nil {
		return nil, agentErr(err)
	}
	out := make([]Account, len(list))
	for i, acc := range list {
		out[i] = adminAccount(acc)
	}
	return out, nil
}

func (a agentAccounts) Add(name string, role Role, pin, password string) error {
	r, err := agent.ParseRole(string(role))
	if err != nil {
		return agentErr(err)
	}
	_, err = a.s.Add(name, r, pin, password)
	return agentErr(err)
}

func (a agentAccounts) Remove(name string) error { return agentErr(a.s.Remove(name)) }

func (a agentAccounts) ResetPIN(name, pin string) error { return agentErr(a.s.ResetPIN(name, pin)) }

func (a agentAccounts) SetPassword(name, password string) error {
	return agentErr(a.s.SetPassword(name, password))
}

func adminAccount(a agent.Account) Account {
	return Account{Name: a.Name, Role: Role(a.Role), Created: a.Created, Updated: a.Updated, HasPassword: a.HasPassword}
}

// agentErr maps the agent package's errors to the admin page's.
func agentErr(err error) error {
	var ve *agent.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		return &InvalidAccountError{Field: ve.Field, Reason: ve.Reason}
	case errors.Is(err, agent.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrAccountNotFound, err)
	case errors.Is(err, agent.ErrExists):
		return fmt.Errorf("%w: %w", ErrAccountExists, err)
	case errors.Is(err, agent.ErrPINInUse):
		return fmt.Errorf("%w: %w", ErrPINInUse, err)
	case errors.Is(err, agent.ErrBadCredentials):
		return fmt.Errorf("%w: %w", ErrBadCredentials, err)
	}
	return err
}

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
		c.Agents = agentAccounts{s}
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
