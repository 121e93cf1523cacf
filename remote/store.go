package remote

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Names of the kept copy inside Config.Dir.
const (
	keptName    = "remote-allowlist.yaml"
	keptSigName = keptName + ".minisig"
)

// errNoCopy means no copy has been kept yet.
var errNoCopy = errors.New("no kept copy")

// store keeps the last good copy and its signature in a directory. The
// signature is written last, so a half-written pair fails verification and is
// never used.
type store struct {
	dir string
}

func (s store) load() (data, sig []byte, err error) {
	data, err = os.ReadFile(filepath.Join(s.dir, keptName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, errNoCopy
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading kept copy: %w", err)
	}
	sig, err = os.ReadFile(filepath.Join(s.dir, keptSigName))
	if err != nil {
		return nil, nil, fmt.Errorf("reading kept signature (the copy is not used without it): %w", err)
	}
	return data, sig, nil
}

// savedAt is when the kept pair was last saved (the signature is written
// last), or zero when there is none.
func (s store) savedAt() time.Time {
	fi, err := os.Stat(filepath.Join(s.dir, keptSigName))
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

func (s store) save(data, sig []byte) error {
	if err := writeAtomic(filepath.Join(s.dir, keptName), data); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, keptSigName), sig)
}

// writeAtomic writes data to a temporary file beside name, syncs it and
// renames it over name.
func writeAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".tmp*")
	if err != nil {
		return fmt.Errorf("keeping %s: %w", name, err)
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("keeping %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("keeping %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keeping %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("keeping %s: %w", name, err)
	}
	return nil
}
