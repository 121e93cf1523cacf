package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/communes/kiosk/internal/atomicfile"
	"io/fs"
	"os"
	"sync"
	"time"
)

// CredentialsFileName is the name of the credentials file inside the data
// directory. It is JSON, mode 0600, replaced atomically on every change, and
// kept out of the bbolt store so that `kiosk admin passwd` works while the
// service holds the store's lock.
const CredentialsFileName = "credentials.json"

// credentialsVersion is the schema version written to the file.
const credentialsVersion = 1

// adminSecret is the "admin" entry of the credentials file.
type adminSecret struct {
	Hash    string    `json:"hash"`
	Updated time.Time `json:"updated"`
}

// ErrPasswordSet is returned by CreatePassword when a password already exists.
var ErrPasswordSet = errors.New("an admin password is already set")

// SetPassword hashes password with argon2id and stores it as the admin
// password in the credentials file at path, keeping the file's other entries
// (agents) as they are. The file is written atomically with mode 0600.
func SetPassword(path, password string) error {
	if err := checkPasswordPolicy(password); err != nil {
		return err
	}
	return updateAdmin(path, password, false)
}

// CreatePassword is SetPassword that fails with ErrPasswordSet when an admin
// password already exists.
func CreatePassword(path, password string) error {
	if err := checkPasswordPolicy(password); err != nil {
		return err
	}
	return updateAdmin(path, password, true)
}

// writeMu serialises writers inside one process.
var writeMu sync.Mutex

func updateAdmin(path, password string, onlyIfUnset bool) error {
	writeMu.Lock()
	defer writeMu.Unlock()
	doc, err := readCredentialsDoc(path)
	if err != nil {
		return err
	}
	if onlyIfUnset {
		if cur, _ := adminFromDoc(doc); cur.Hash != "" {
			return ErrPasswordSet
		}
	}
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(adminSecret{Hash: h, Updated: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("encoding admin secret: %w", err)
	}
	doc["admin"] = raw
	doc["version"] = json.RawMessage(fmt.Sprint(credentialsVersion))
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding credentials: %w", err)
	}
	return writeFileAtomic(path, append(out, '\n'))
}

// readCredentialsDoc reads the file as a map of raw entries; a missing file
// is an empty document. A file that is not valid JSON, or has a newer
// version, is refused (and so never overwritten).
func readCredentialsDoc(path string) (map[string]json.RawMessage, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]json.RawMessage{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading credentials: %w", err)
	}
	doc := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("reading credentials %s: %w", path, err)
	}
	if v, ok := doc["version"]; ok {
		var n int
		if err := json.Unmarshal(v, &n); err != nil || n < 1 || n > credentialsVersion {
			return nil, fmt.Errorf("reading credentials %s: unsupported version %s", path, v)
		}
	}
	return doc, nil
}

func adminFromDoc(doc map[string]json.RawMessage) (adminSecret, error) {
	var a adminSecret
	raw, ok := doc["admin"]
	if !ok {
		return a, nil
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("reading admin entry: %w", err)
	}
	return a, nil
}

// writeFileAtomic replaces the credentials file at path with b (mode 0600,
// atomically, keeping the owner of the file it replaces).
func writeFileAtomic(path string, b []byte) error {
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return fmt.Errorf("saving credentials: %w", err)
	}
	return nil
}

// credentialStore caches the admin hash and re-reads the file when it
// changes (other file, size or modification time). It's safe for concurrent
// use.
type credentialStore struct {
	path string

	mu   sync.Mutex
	info fs.FileInfo
	hash string
	err  error
}

// adminHash returns the current admin hash, "" when none is set.
func (c *credentialStore) adminHash() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fi, err := os.Stat(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		c.info, c.hash, c.err = nil, "", nil
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading credentials: %w", err)
	}
	if c.info != nil && os.SameFile(c.info, fi) && c.info.ModTime().Equal(fi.ModTime()) && c.info.Size() == fi.Size() {
		return c.hash, c.err
	}
	doc, err := readCredentialsDoc(c.path)
	var a adminSecret
	if err == nil {
		a, err = adminFromDoc(doc)
	}
	c.info, c.hash, c.err = fi, a.Hash, err
	return c.hash, c.err
}
