package admin

import (
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/communes/kiosk/agent"
)

// BuiltinAdmin is the name of the built-in account whose password is in the
// credentials file (credentials.json, `kiosk admin passwd`). It has the admin
// role (agent.RoleAdmin) and no PIN.
const BuiltinAdmin = "admin"

// Agents gives the admin page the agent accounts (<data>/agents.json);
// *agent.Store implements it. Its methods must be safe for concurrent use.
// Errors should wrap agent's sentinels (agent.ErrNotFound, agent.ErrExists,
// agent.ErrPINInUse, agent.ErrBadCredentials) or be an
// *agent.ValidationError, so that the page can say what went wrong in
// French; any other error is shown as an internal failure. Neither a PIN nor
// a password may appear in an error.
type Agents interface {
	// Authenticate returns the account named name when password is its
	// admin page password (agent.ErrBadCredentials otherwise).
	Authenticate(name, password string) (*agent.Account, error)
	// Get returns the account named name (agent.ErrNotFound).
	Get(name string) (agent.Account, error)
	// List returns the accounts sorted by name.
	List() ([]agent.Account, error)
	// Add creates an account; password may be empty for agent.RoleAgent.
	Add(name string, role agent.Role, pin, password string) (agent.Account, error)
	// Remove deletes an account.
	Remove(name string) error
	// ResetPIN gives an account a new PIN.
	ResetPIN(name, pin string) error
	// SetPassword sets an account's admin page password. A change ends the
	// account's admin sessions (its Updated time changes).
	SetPassword(name, password string) error
}

// user is who a web session belongs to.
type user struct {
	name    string
	role    agent.Role
	builtin bool   // the credentials file's admin
	stamp   string // builtin: password hash at login; agent: Updated at login
}

// builtinUser is the built-in admin logged in with the password hash h.
func builtinUser(h string) user {
	return user{name: BuiltinAdmin, role: agent.RoleAdmin, builtin: true, stamp: h}
}

// agentUser is the agent account a logged in.
func agentUser(a agent.Account) user {
	return user{name: a.Name, role: a.Role, stamp: a.Updated.UTC().Format(time.RFC3339Nano)}
}

// isAdmin reports whether u may manage accounts.
func (u user) isAdmin() bool { return u.role == agent.RoleAdmin }

// validUser reports whether the session of u may go on: the built-in admin's
// password did not change; an agent's account still exists with the same
// role and credentials and a password.
func (s *Server) validUser(u user) bool {
	if u.builtin {
		h, err := s.creds.adminHash()
		return err == nil && h != "" && h == u.stamp
	}
	if s.agents == nil {
		return false
	}
	a, err := s.agents.Get(u.name)
	return err == nil && a.HasPassword && a.Role == u.role && agentUser(a).stamp == u.stamp
}

// dummyHash is a hash no password matches, checked for a name that cannot
// log in, so that its answer takes as long as a wrong password's.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword(randomToken())
	return h
})

// hasLogin reports whether any account can log in (the built-in admin has a
// password, or an agent account has one). Until then the setup page shows.
func (s *Server) hasLogin() (bool, error) {
	h, err := s.creds.adminHash()
	if err != nil {
		return false, err
	}
	if h != "" {
		return true, nil
	}
	if s.agents == nil {
		return false, nil
	}
	list, err := s.agents.List()
	if err != nil {
		return false, err
	}
	for _, a := range list {
		if a.HasPassword {
			return true, nil
		}
	}
	return false, nil
}

// authenticate checks a login. An empty name, or "admin", tries the built-in
// admin first; any other name (or a failed "admin") the agent accounts. A
// name that no account could have still costs an argon2id run, so that the
// answer's time does not tell which names exist. At most two argon2id runs
// happen at once across the server.
func (s *Server) authenticate(name, password string) (user, bool) {
	name = strings.TrimSpace(name)
	builtin := name == "" || strings.EqualFold(name, BuiltinAdmin)
	if builtin {
		if h, err := s.creds.adminHash(); err == nil && h != "" && s.verify(h, password) {
			return builtinUser(h), true
		}
	}
	if s.agents == nil || name == "" {
		if !builtin {
			s.verify(dummyHash(), password) // as long as a wrong admin password
		}
		return user{}, false
	}
	s.hashSem <- struct{}{}
	a, err := s.agents.Authenticate(name, password)
	<-s.hashSem
	if err != nil {
		if !errors.Is(err, agent.ErrBadCredentials) {
			s.log.Error("checking an agent password", "err", err)
		}
		return user{}, false
	}
	if a.Role != agent.RoleAdmin && a.Role != agent.RoleAgent {
		return user{}, false
	}
	return agentUser(*a), true
}
