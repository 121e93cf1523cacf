// Package atomicfile replaces small files (credentials, accounts) so that
// a reader, or a power cut, sees the old file or the new one whole, never a
// mix, and so that a file rewritten by root (a command-line tool) keeps the
// owner the service needs to read it.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data: a temporary file beside it with mode perm,
// fsync, the owner of the file it replaces (or of the directory, for a new
// file) when running as root, rename over path, then fsync of the
// directory. On error path is unchanged and the temporary file is removed.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return fmt.Errorf("creating temporary file: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after the rename
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ChownLike(name, path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("replacing %s: %w", filepath.Base(path), err)
	}
	syncDir(dir)
	return nil
}
