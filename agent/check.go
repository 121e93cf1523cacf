package agent

import (
	"strings"

	"github.com/communes/kiosk/internal/passhash"
)

// CheckPIN returns the account whose PIN is pin, or an error wrapping
// ErrWrongPIN. It verifies pin against every account's hash whatever
// matches, so its duration does not tell which account (if any) matched.
// Counting and locking out wrong attempts is the caller's job.
func (s *Store) CheckPIN(pin string) (*Account, error) {
	doc, err := s.load()
	if err != nil {
		return nil, err
	}
	var found *Account
	if len(pin) > MaxPINLength {
		pin = pin[:MaxPINLength+1] // bound the work; it cannot match
	}
	for i := range doc.Agents {
		r := &doc.Agents[i]
		ok, err := passhash.Verify(r.PINHash, pin)
		if err == nil && ok && found == nil {
			a := r.account()
			found = &a
		}
	}
	if len(doc.Agents) == 0 {
		passhash.Dummy(pin, hashParams)
	}
	if found == nil {
		return nil, ErrWrongPIN
	}
	return found, nil
}

// Authenticate returns the account named name when password is its admin
// page password, or an error wrapping ErrBadCredentials (unknown name, no
// password set, or wrong password: the duration is the same). A right
// password whose hash has other parameters than today's (an earlier hash)
// is hashed again with today's, so that a known name costs what an unknown
// one does.
func (s *Store) Authenticate(name, password string) (*Account, error) {
	doc, err := s.load()
	if err != nil {
		return nil, err
	}
	if len(password) > MaxPasswordLength {
		password = password[:MaxPasswordLength+1]
	}
	i := find(doc, strings.TrimSpace(name))
	if i < 0 || doc.Agents[i].PasswordHash == "" {
		passhash.Dummy(password, hashParams)
		return nil, ErrBadCredentials
	}
	r := &doc.Agents[i]
	if ok, err := passhash.Verify(r.PasswordHash, password); err != nil || !ok {
		return nil, ErrBadCredentials
	}
	if !passhash.HasParams(r.PasswordHash, hashParams) {
		s.rehashPassword(r.Name, r.PasswordHash, password)
	}
	a := r.account()
	return &a, nil
}

// rehashPassword replaces the password hash old of the account named name
// with a hash of password (which matched old) with today's parameters. The
// account's Updated time does not change: its admin sessions go on. It
// gives up when the hash changed meanwhile, and on any error: the old hash
// keeps verifying, and the next login tries again.
func (s *Store) rehashPassword(name, old, password string) {
	h, err := passhash.Hash(password, hashParams)
	if err != nil {
		return
	}
	_ = s.update(func(doc *fileDoc) error {
		if i := find(doc, name); i >= 0 && doc.Agents[i].PasswordHash == old {
			doc.Agents[i].PasswordHash = h
		}
		return nil
	})
}
