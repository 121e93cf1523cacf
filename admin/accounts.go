package admin

import (
	"errors"
	"strings"
	"sync"
	"time"
)

// Role is what a logged-in account may do on the admin page.
type Role string

// Roles.
const (
	// RoleAgent sees every page except the agents page and the audit log,
	// and uses the live view's remote actions.
	RoleAgent Role = "agent"
	// RoleAdmin also manages agent accounts and reads the audit log.
	RoleAdmin Role = "admin"
)

// BuiltinAdmin is the name of the built-in account whose password is in the
// credentials file (credentials.json, `kiosk admin passwd`). It has the admin
// role and no PIN.
const BuiltinAdmin = "admin"

// Account is an agent account as the admin page sees it: never a hash.
type Account struct {
	// Name is the display name, unique ignoring case.
	Name string
	// Role is RoleAgent or RoleAdmin.
	Role Role
	// Created is when the account was added.
	Created time.Time
	// Updated is when its PIN or password last changed. A change ends the
	// account's admin sessions.
	Updated time.Time
	// HasPassword is true when the account can log in to the admin page.
	HasPassword bool
}

// Agents gives the admin page the agent accounts (<data>/agents.json, package
// agent); main adapts *agent.Store to it. Its methods must be safe for
// concurrent use. Errors should wrap the sentinels below (ErrAccountNotFound,
// ErrAccountExists, ErrPINInUse, ErrBadCredentials) or be an
// *InvalidAccountError, so that the page can say what went wrong in French;
// any other error is shown as an internal failure. Neither a PIN nor a
// password may appear in an error.
type Agents interface {
	// Authenticate returns the account named name when password is its
	// admin page password (ErrBadCredentials otherwise).
	Authenticate(name, password string) (Account, error)
	// Get returns the account named name (ErrAccountNotFound).
	Get(name string) (Account, error)
	// List returns the accounts sorted by name.
	List() ([]Account, error)
	// Add creates an account; password may be empty for RoleAgent.
	Add(name string, role Role, pin, password string) error
	// Remove deletes an account.
	Remove(name string) error
	// ResetPIN gives an account a new PIN.
	ResetPIN(name, pin string) error
	// SetPassword sets an account's admin page password.
	SetPassword(name, password string) error
}

// Errors an Agents implementation returns (wrapped).
var (
	// ErrAccountNotFound means no account has that name.
	ErrAccountNotFound = errors.New("no such agent")
	// ErrAccountExists means an account already has that name.
	ErrAccountExists = errors.New("an agent with this name already exists")
	// ErrPINInUse means another account already has that PIN.
	ErrPINInUse = errors.New("this PIN is already used by another agent")
	// ErrBadCredentials means a wrong name or password.
	ErrBadCredentials = errors.New("wrong name or password")
	// ErrInvalidAccount is wrapped by *InvalidAccountError.
	ErrInvalidAccount = errors.New("invalid account value")
)

// InvalidAccountError says which value of an account was refused.
type InvalidAccountError struct {
	// Field is "name", "role", "pin" or "password".
	Field string
	// Reason is a short explanation in English (logged, not shown).
	Reason string
}

// Error implements the error interface.
func (e *InvalidAccountError) Error() string { return "invalid " + e.Field + ": " + e.Reason }

// Unwrap returns ErrInvalidAccount.
func (e *InvalidAccountError) Unwrap() error { return ErrInvalidAccount }

// user is who a web session belongs to.
type user struct {
	name    string
	role    Role
	builtin bool   // the credentials file's admin
	stamp   string // builtin: password hash at login; agent: Updated at login
}

// builtinUser is the built-in admin logged in with the password hash h.
func builtinUser(h string) user {
	return user{name: BuiltinAdmin, role: RoleAdmin, builtin: true, stamp: h}
}

// agentUser is the agent account a logged in.
func agentUser(a Account) user {
	return user{name: a.Name, role: a.Role, stamp: a.Updated.UTC().Format(time.RFC3339Nano)}
}

// isAdmin reports whether u may manage accounts.
func (u user) isAdmin() bool { return u.role == RoleAdmin }

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
		if !errors.Is(err, ErrBadCredentials) {
			s.log.Error("checking an agent password", "err", err)
		}
		return user{}, false
	}
	if a.Role != RoleAdmin && a.Role != RoleAgent {
		return user{}, false
	}
	return agentUser(a), true
}
