package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/communes/kiosk/internal/passhash"
)

// Store gives access to the accounts file. Every method reads the file
// again when it changed on disk (another process wrote it), and every
// change is made under the file's lock, so several Stores, in one process
// or several, never lose an update. It's safe for concurrent use.
type Store struct {
	path string
	now  func() time.Time

	// wmu serialises this Store's writers (the file lock serialises the
	// processes).
	wmu sync.Mutex

	mu   sync.Mutex // guards the cache below
	info fs.FileInfo
	doc  *fileDoc
	err  error
}

// Open returns a Store for the accounts file at path (usually
// <data dir>/agents.json) and reads it. A missing file means no account;
// its directory must exist. A corrupt or newer file is an error wrapping
// ErrBadFile.
func Open(path string) (*Store, error) {
	if fi, err := os.Stat(dirOf(path)); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("opening agents file %s: directory %s not found", path, dirOf(path))
	}
	s := &Store{path: path, now: time.Now}
	if _, err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// dirOf returns the directory of path ("." when none).
func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		if i == 0 {
			return path[:1]
		}
		return path[:i]
	}
	return "."
}

// Path returns the file the Store reads.
func (s *Store) Path() string { return s.path }

// load returns the current document, from the cache when the file did not
// change (same file, size and modification time). The result must not be
// modified.
func (s *Store) load() (*fileDoc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.info, s.doc, s.err = nil, &fileDoc{Version: fileVersion}, nil
		return s.doc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading agents file: %w", err)
	}
	if s.info != nil && os.SameFile(s.info, fi) && s.info.ModTime().Equal(fi.ModTime()) && s.info.Size() == fi.Size() {
		return s.doc, s.err
	}
	doc, err := readDoc(s.path)
	s.info, s.doc, s.err = fi, doc, err
	return doc, err
}

// update applies change to a fresh copy of the file under the lock, then
// writes the file. change must not keep doc.
func (s *Store) update(change func(doc *fileDoc) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	unlock, err := lock(s.path)
	if err != nil {
		return err
	}
	defer unlock()
	doc, err := readDoc(s.path)
	if err != nil {
		return err
	}
	if err := change(doc); err != nil {
		return err
	}
	if err := writeDoc(s.path, doc); err != nil {
		return err
	}
	s.mu.Lock()
	s.info = nil // re-read on next load
	s.mu.Unlock()
	return nil
}

// find returns the index of the account named name, or -1.
func find(doc *fileDoc, name string) int {
	return slices.IndexFunc(doc.Agents, func(r record) bool { return sameName(r.Name, name) })
}

// pinUsed reports whether an account other than skip (an index, or -1)
// has pin. It verifies every other hash.
func pinUsed(doc *fileDoc, pin string, skip int) bool {
	used := false
	for i := range doc.Agents {
		if i == skip {
			continue
		}
		if ok, err := passhash.Verify(doc.Agents[i].PINHash, pin); err == nil && ok {
			used = true
		}
	}
	return used
}

// Add creates an account. pin must follow CheckPINPolicy and be unused;
// password is required for RoleAdmin and optional (empty) for RoleAgent.
// It fails with ErrExists, ErrPINInUse or a *ValidationError.
func (s *Store) Add(name string, role Role, pin, password string) (Account, error) {
	name, err := cleanName(name)
	if err != nil {
		return Account{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Account{}, err
	}
	if err := CheckPINPolicy(pin); err != nil {
		return Account{}, err
	}
	if password != "" || role == RoleAdmin {
		if err := CheckPasswordPolicy(password); err != nil {
			return Account{}, err
		}
	}
	pinHash, err := passhash.Hash(pin, hashParams)
	if err != nil {
		return Account{}, err
	}
	r := record{Name: name, Role: role, PINHash: pinHash}
	if password != "" {
		if r.PasswordHash, err = passhash.Hash(password, hashParams); err != nil {
			return Account{}, err
		}
	}
	err = s.update(func(doc *fileDoc) error {
		if find(doc, name) >= 0 {
			return fmt.Errorf("adding %q: %w", name, ErrExists)
		}
		if pinUsed(doc, pin, -1) {
			return fmt.Errorf("adding %q: %w", name, ErrPINInUse)
		}
		r.Created = s.now().UTC().Truncate(time.Second)
		r.Updated = r.Created
		doc.Agents = append(doc.Agents, r)
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	return r.account(), nil
}

// Remove deletes the account named name (ErrNotFound when none).
func (s *Store) Remove(name string) error {
	return s.update(func(doc *fileDoc) error {
		i := find(doc, name)
		if i < 0 {
			return fmt.Errorf("removing %q: %w", name, ErrNotFound)
		}
		doc.Agents = slices.Delete(doc.Agents, i, i+1)
		return nil
	})
}

// List returns the accounts sorted by name.
func (s *Store) List() ([]Account, error) {
	doc, err := s.load()
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(doc.Agents))
	for i := range doc.Agents {
		out = append(out, doc.Agents[i].account())
	}
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// Get returns the account named name (ErrNotFound when none).
func (s *Store) Get(name string) (Account, error) {
	doc, err := s.load()
	if err != nil {
		return Account{}, err
	}
	if i := find(doc, name); i >= 0 {
		return doc.Agents[i].account(), nil
	}
	return Account{}, fmt.Errorf("%q: %w", name, ErrNotFound)
}

// ResetPIN gives the account named name a new PIN, which must follow
// CheckPINPolicy and be unused by the other accounts.
func (s *Store) ResetPIN(name, pin string) error {
	if err := CheckPINPolicy(pin); err != nil {
		return err
	}
	h, err := passhash.Hash(pin, hashParams)
	if err != nil {
		return err
	}
	return s.update(func(doc *fileDoc) error {
		i := find(doc, name)
		if i < 0 {
			return fmt.Errorf("resetting the PIN of %q: %w", name, ErrNotFound)
		}
		if pinUsed(doc, pin, i) {
			return fmt.Errorf("resetting the PIN of %q: %w", name, ErrPINInUse)
		}
		doc.Agents[i].PINHash = h
		doc.Agents[i].Updated = s.nextUpdated(doc.Agents[i].Updated)
		return nil
	})
}

// SetPassword sets the admin page password of the account named name
// (CheckPasswordPolicy).
func (s *Store) SetPassword(name, password string) error {
	if err := CheckPasswordPolicy(password); err != nil {
		return err
	}
	h, err := passhash.Hash(password, hashParams)
	if err != nil {
		return err
	}
	return s.update(func(doc *fileDoc) error {
		i := find(doc, name)
		if i < 0 {
			return fmt.Errorf("setting the password of %q: %w", name, ErrNotFound)
		}
		doc.Agents[i].PasswordHash = h
		doc.Agents[i].Updated = s.nextUpdated(doc.Agents[i].Updated)
		return nil
	})
}

// nextUpdated returns the Updated time of a change made now to an account
// last updated at prev: now to the second, and always later than prev, so
// that the admin page's sessions stamped with prev end even when the change
// comes within the second of the login.
func (s *Store) nextUpdated(prev time.Time) time.Time {
	t := s.now().UTC().Truncate(time.Second)
	if !t.After(prev) {
		t = prev.Add(time.Second)
	}
	return t
}
