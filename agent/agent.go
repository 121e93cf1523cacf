// Package agent keeps the accounts of the agents who supervise the kiosk:
// a display name, a role, a personal PIN typed on the kiosk's keypad and,
// for the admin page, a password.
//
// Accounts live in one JSON file (<data dir>/agents.json, mode 0600) that
// both the service and `kiosk agent` change. Every change takes an
// exclusive lock on a lock file beside it, re-reads the file, applies the
// change and replaces the file atomically (temporary file, fsync, rename),
// so that no update is lost. Readers never lock: they see the old or the
// new file whole, and a Store re-reads it when it changes.
//
// PINs and passwords are hashed with argon2id and a per-account salt. A
// PIN identifies its agent, so PINs are unique across accounts; the
// uniqueness check verifies the new PIN against every stored hash. Neither
// a PIN nor a password is ever logged or written in clear.
//
// The package imports no project package but internal/passhash (the
// argon2id hashes, shared with the admin page's own password): the
// session controller gets a
// PIN check function from main, and the admin page an Authenticate
// function.
package agent

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FileName is the name of the accounts file inside the data directory.
const FileName = "agents.json"

// Role is what an account may do.
type Role string

const (
	// RoleAgent unlocks sessions, opens blocked sites for a session and
	// uses the admin page's live view and remote actions.
	RoleAgent Role = "agent"
	// RoleAdmin can do everything an agent can, and manage accounts and
	// settings on the admin page. It needs a password.
	RoleAdmin Role = "admin"
)

// ParseRole returns the role named s ("agent" or "admin").
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAgent, RoleAdmin:
		return r, nil
	}
	return "", &ValidationError{Field: "role", Reason: fmt.Sprintf("%q: want agent or admin", s)}
}

// Limits on the secrets and names.
const (
	// MinPINLength is the shortest PIN, in digits.
	MinPINLength = 6
	// MaxPINLength is the longest PIN, in digits.
	MaxPINLength = 12
	// MinPasswordLength is the shortest password, in characters.
	MinPasswordLength = 10
	// MaxPasswordLength bounds the work done on a password, in bytes.
	MaxPasswordLength = 1024
	// MaxNameLength is the longest display name, in characters.
	MaxNameLength = 40
)

// Account is an agent account as callers see it: never a hash.
type Account struct {
	// Name is the display name, unique (ignoring case).
	Name string `json:"name"`
	// Role is RoleAgent or RoleAdmin.
	Role Role `json:"role"`
	// Created is when the account was added.
	Created time.Time `json:"created"`
	// Updated is when its PIN or password last changed.
	Updated time.Time `json:"updated"`
	// HasPassword is true when the account can log in to the admin page.
	HasPassword bool `json:"has_password"`
}

// Sentinel errors; errors returned by a Store wrap one of them (or a
// *ValidationError, which wraps ErrInvalid).
var (
	// ErrNotFound means no account has that name.
	ErrNotFound = errors.New("no such agent")
	// ErrExists means an account already has that name.
	ErrExists = errors.New("an agent with this name already exists")
	// ErrPINInUse means another account already has that PIN.
	ErrPINInUse = errors.New("this PIN is already used by another agent")
	// ErrWrongPIN means no account has the PIN typed.
	ErrWrongPIN = errors.New("wrong PIN")
	// ErrBadCredentials means the name or the password is wrong (which
	// one is not said).
	ErrBadCredentials = errors.New("wrong name or password")
	// ErrInvalid means a bad name, role, PIN or password.
	ErrInvalid = errors.New("invalid value")
	// ErrBadFile means the accounts file is corrupt or from a newer
	// version; it is never overwritten.
	ErrBadFile = errors.New("unreadable agents file")
)

// ValidationError says which value is refused and why. It never holds a
// PIN or a password.
type ValidationError struct {
	// Field is "name", "role", "pin" or "password".
	Field string
	// Reason is a short explanation in English.
	Reason string
}

// Error implements the error interface.
func (e *ValidationError) Error() string { return "invalid " + e.Field + ": " + e.Reason }

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// cleanName trims name and checks it is a displayable name.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name):
		return "", &ValidationError{"name", "not valid UTF-8"}
	case n == 0:
		return "", &ValidationError{"name", "empty"}
	case n > MaxNameLength:
		return "", &ValidationError{"name", fmt.Sprintf("longer than %d characters", MaxNameLength)}
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "", &ValidationError{"name", "control or invisible character"}
		}
	}
	return name, nil
}

// sameName reports whether two display names are the same account.
func sameName(a, b string) bool { return strings.EqualFold(a, b) }

// CheckPINPolicy returns an error when pin is not an acceptable PIN: 6 to 12
// ASCII digits, not all the same digit, not a run like 123456 or 987654.
// The error never contains the PIN.
func CheckPINPolicy(pin string) error {
	if len(pin) < MinPINLength || len(pin) > MaxPINLength {
		return &ValidationError{"pin", fmt.Sprintf("want %d to %d digits", MinPINLength, MaxPINLength)}
	}
	same, up, down := true, true, true
	for i := 0; i < len(pin); i++ {
		c := pin[i]
		if c < '0' || c > '9' {
			return &ValidationError{"pin", "digits only"}
		}
		if i > 0 {
			p := pin[i-1]
			same = same && c == p
			up = up && c == p+1
			down = down && c+1 == p
		}
	}
	if same || up || down {
		return &ValidationError{"pin", "too easy to guess (same digit or a run)"}
	}
	return nil
}

// CheckPasswordPolicy returns an error when password is too short or too
// long. The error never contains the password.
func CheckPasswordPolicy(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return &ValidationError{"password", fmt.Sprintf("at least %d characters", MinPasswordLength)}
	case len(password) > MaxPasswordLength:
		return &ValidationError{"password", fmt.Sprintf("at most %d bytes", MaxPasswordLength)}
	}
	return nil
}
