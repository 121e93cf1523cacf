package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/communes/kiosk/internal/atomicfile"
	"github.com/communes/kiosk/internal/passhash"
	"io/fs"
	"os"
	"time"
)

// fileVersion is the schema version written to the accounts file. A file
// with a newer version is refused, never overwritten.
const fileVersion = 1

// fileDoc is the accounts file.
type fileDoc struct {
	Version int      `json:"version"`
	Agents  []record `json:"agents"`
}

// record is one account as stored.
type record struct {
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PINHash      string    `json:"pin_hash"`
	PasswordHash string    `json:"password_hash,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// account returns the public view of r.
func (r *record) account() Account {
	return Account{Name: r.Name, Role: r.Role, Created: r.Created, Updated: r.Updated, HasPassword: r.PasswordHash != ""}
}

// readDoc reads and checks the accounts file; a missing file is an empty
// document. A file that does not parse or check is refused with an error
// wrapping ErrBadFile.
func readDoc(path string) (*fileDoc, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &fileDoc{Version: fileVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading agents file: %w", err)
	}
	return parseDoc(path, b)
}

// parseDoc decodes and checks the bytes of the accounts file.
func parseDoc(path string, b []byte) (*fileDoc, error) {
	bad := func(why string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrBadFile, path, fmt.Sprintf(why, args...))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, bad("%v", err)
	}
	if dec.More() {
		return nil, bad("data after the JSON object")
	}
	switch {
	case doc.Version == 0:
		return nil, bad("no version")
	case doc.Version > fileVersion:
		return nil, bad("version %d is newer than this program (%d): upgrade kiosk", doc.Version, fileVersion)
	}
	for i := range doc.Agents {
		r := &doc.Agents[i]
		if err := r.check(); err != nil {
			return nil, bad("agent %d: %v", i+1, err)
		}
		for _, o := range doc.Agents[:i] {
			if sameName(o.Name, r.Name) {
				return nil, bad("agent %q listed twice", r.Name)
			}
		}
	}
	return &doc, nil
}

// check validates a stored record.
func (r *record) check() error {
	if n, err := cleanName(r.Name); err != nil || n != r.Name {
		return &ValidationError{"name", fmt.Sprintf("%q is not a valid display name", r.Name)}
	}
	if _, err := ParseRole(string(r.Role)); err != nil {
		return err
	}
	if err := passhash.Check(r.PINHash); err != nil {
		return fmt.Errorf("%s: pin_hash: %w", r.Name, err)
	}
	if r.PasswordHash != "" {
		if err := passhash.Check(r.PasswordHash); err != nil {
			return fmt.Errorf("%s: password_hash: %w", r.Name, err)
		}
	} else if r.Role == RoleAdmin {
		return fmt.Errorf("%s: an admin needs a password", r.Name)
	}
	return nil
}

// writeDoc replaces the accounts file with doc atomically: temporary file
// beside it (mode 0600), fsync, rename, fsync of the directory. The new
// file keeps the owner of the file it replaces (or of the directory), so
// that a change made by root stays readable by the service's user.
func writeDoc(path string, doc *fileDoc) error {
	doc.Version = fileVersion
	if doc.Agents == nil {
		doc.Agents = []record{}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding agents: %w", err)
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving agents file: %w", err)
	}
	return nil
}
