//go:build !windows

package admin

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// chownLike gives name the owner of ref, or of dir when ref does not exist,
// so that a password set by root stays readable by the service's user. Only
// root may change owners; others keep their own.
func chownLike(name, ref, dir string) error {
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
	return os.Chown(name, int(st.Uid), int(st.Gid))
}

// syncDir flushes the directory entry of a rename; errors are ignored since
// the file itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
