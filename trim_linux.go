package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// trimStartupPages asks the kernel to page out the read-only file pages
// (the executable's code and data, and shared libraries') once the process
// has started. Start-up (package initialisation, template parsing, the
// usage file check, the dynamic loader for the shell) touches megabytes of
// code and read-only data that the running process never needs again;
// without this they stay counted in its resident memory. Pages that are
// used again come back on the next access, from the page cache; pages that
// another process also maps are left alone by the kernel. It is best
// effort: errors (an old kernel without MADV_PAGEOUT) are only logged at
// debug level.
func trimStartupPages(l *slog.Logger) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	var trimmed uint64
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		// address perms offset dev inode path: file-backed, readable, not writable.
		if len(f) < 6 || f[5][0] != '/' || f[1][0] != 'r' || f[1][1] == 'w' {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		if err := madvise(uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT); err != nil {
			l.Debug("trimming start-up pages", "err", err)
			return
		}
		trimmed += end - start
	}
	l.Debug("start-up pages trimmed", "bytes", trimmed)
}

func madvise(addr, length uintptr, advice int) error {
	_, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, length, uintptr(advice))
	if errno != 0 {
		return errno
	}
	return nil
}
