//go:build !windows

package monitor

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// diskSpace returns the bytes available to unprivileged users and the size
// of the file system holding dir.
func diskSpace(dir string) (free, size uint64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	bs := uint64(st.Bsize)
	return uint64(st.Bavail) * bs, uint64(st.Blocks) * bs, nil
}
