//go:build !windows

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ChownLike gives name the owner of ref, or of ref's directory when ref
// does not exist, so that a file made by root (a command-line tool) stays
// usable by the service's user. Only root may change owners: for others it
// does nothing.
func ChownLike(name, ref string) error {
	dir := filepath.Dir(ref)
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(ref)
	if errors.Is(err, fs.ErrNotExist) {
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return os.Lchown(name, int(st.Uid), int(st.Gid))
}

// syncDir makes a rename in dir durable (best effort: the file itself is
// already synced).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
