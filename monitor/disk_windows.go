package monitor

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// diskSpace returns the bytes available to the service's account and the
// size of the volume holding dir.
func diskSpace(dir string) (free, size uint64, err error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, 0, fmt.Errorf("disk space of %s: %w", dir, err)
	}
	var avail, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &totalFree); err != nil {
		return 0, 0, fmt.Errorf("disk space of %s: %w", dir, err)
	}
	return avail, total, nil
}
