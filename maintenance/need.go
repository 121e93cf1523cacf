package maintenance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Need is what the terminal needs to take an update.
type Need string

// The needs, from least to most disruptive.
const (
	// NeedNone: nothing to do.
	NeedNone Need = "none"
	// NeedRestart: the service or browser binary changed on disk; the
	// service exits so that systemd restarts it (and the shell follows).
	NeedRestart Need = "restart"
	// NeedReboot: the system asks for a reboot (/run/reboot-required).
	NeedReboot Need = "reboot"
)

// DefaultRebootRequired is the file Debian's packages create when the
// system needs a reboot.
const DefaultRebootRequired = "/run/reboot-required"

// binary is a file watched for a change since the start: its identity
// (device and inode, through os.SameFile), modification time and size.
type binary struct {
	path string
	fi   fs.FileInfo // nil when missing at the start
}

// changed reports whether b's file is not the one seen at the start.
func (b binary) changed() bool {
	fi, err := os.Stat(b.path)
	if err != nil || b.fi == nil {
		return (err == nil) != (b.fi == nil)
	}
	return !os.SameFile(b.fi, fi) || !fi.ModTime().Equal(b.fi.ModTime()) || fi.Size() != b.fi.Size()
}

// rebootSince returns the modification time of the reboot-required file,
// or the zero time if it does not exist.
func rebootSince(path string) (time.Time, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("checking %s: %w", path, err)
	}
	return fi.ModTime(), nil
}
