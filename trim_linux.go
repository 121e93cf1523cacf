package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"

	"golang.org/x/sys/unix"
)

// trimStartupPages drops from the process's page tables the file pages that
// start-up touched: the executable's code and read-only data, and shared
// libraries'. Package initialisation, template parsing, the usage file
// check and, for the shell, the dynamic loader touch megabytes that the
// running process never needs again; without this they stay counted in its
// resident memory. The pages stay in the page cache (another process, such
// as the shell's browser process, may be using them), so one that is needed
// again comes back with a minor fault, without reading the disk. It is best
// effort: errors are only logged at debug level.
func trimStartupPages(l *slog.Logger) {
	n, err := dropCleanFilePages()
	if err != nil {
		l.Debug("trimming start-up pages", "err", err)
		return
	}
	l.Debug("start-up pages trimmed", "bytes", n)
}

// dropCleanFilePages applies MADV_DONTNEED to every private, read-only file
// mapping of the process that holds no page of its own (no anonymous page in
// /proc/self/smaps: a page written through a private mapping becomes an
// anonymous copy). For such a mapping the advice only unmaps: every page
// reads back as the file's content. Mappings with copies (a library's data
// relocated by the dynamic loader and then made read-only, RELRO) are left
// alone, since dropping would lose what was written. Dirty page-cache pages
// (a binary written moments ago) are the file's content too, so they do not
// count. It returns the resident bytes it dropped.
func dropCleanFilePages() (uint64, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("reading smaps: %w", err)
	}
	maps, err := parseSmaps(f)
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("reading smaps: %w", err)
	}
	var dropped uint64
	for _, m := range maps {
		if !m.cleanReadOnlyFile() || m.rss == 0 {
			continue
		}
		if err := madvise(m.start, m.end-m.start, unix.MADV_DONTNEED); err != nil {
			return dropped, fmt.Errorf("madvise %#x-%#x: %w", m.start, m.end, err)
		}
		dropped += m.rss
	}
	return dropped, nil
}

// mapping is one entry of /proc/PID/smaps; sizes are in bytes.
type mapping struct {
	start, end     uintptr
	perms          [4]byte // "r-xp"
	file           bool    // its path is a file's ("/…"), not "[heap]" or none
	rss, anonymous uint64
}

// cleanReadOnlyFile reports whether m is a private, read-only mapping of a
// file whose resident pages are all the file's own.
func (m mapping) cleanReadOnlyFile() bool {
	return m.perms[0] == 'r' && m.perms[1] == '-' && m.perms[3] == 'p' && m.file && m.anonymous == 0
}

// parseSmaps reads the mappings of a /proc/PID/smaps text. A header line is
// "start-end perms offset dev inode [path]"; the lines after it are
// "Field: value kB" until the next header. It allocates only the result: a
// process that maps WebKit has a thousand mappings and twenty thousand lines,
// and start-up garbage would stay resident.
func parseSmaps(r io.Reader) ([]mapping, error) {
	out := make([]mapping, 0, 256)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		first, rest := nextField(sc.Bytes())
		if len(first) == 0 {
			continue
		}
		if key, ok := bytes.CutSuffix(first, []byte(":")); ok {
			if len(out) == 0 {
				continue
			}
			m := &out[len(out)-1]
			val, _ := nextField(rest)
			v, ok := parseUint(val, 10)
			if !ok {
				continue
			}
			switch string(key) { // no allocation: the compiler compares in place
			case "Rss":
				m.rss = v << 10
			case "Anonymous":
				m.anonymous = v << 10
			}
			continue
		}
		lo, hi, ok := bytes.Cut(first, []byte("-"))
		if !ok {
			continue
		}
		start, ok1 := parseUint(lo, 16)
		end, ok2 := parseUint(hi, 16)
		perms, rest := nextField(rest)
		if !ok1 || !ok2 || end <= start || len(perms) != 4 {
			continue
		}
		_, rest = nextField(rest) // offset
		_, rest = nextField(rest) // device
		_, rest = nextField(rest) // inode
		path, _ := nextField(rest)
		// Until its Anonymous line is read, a mapping may hold copies: one
		// whose line is missing is never dropped.
		m := mapping{start: uintptr(start), end: uintptr(end), file: len(path) > 0 && path[0] == '/', anonymous: unknown}
		copy(m.perms[:], perms)
		out = append(out, m)
	}
	return out, sc.Err()
}

// unknown marks a size smaps did not give.
const unknown = ^uint64(0)

// nextField returns the first space-separated field of b and what follows it.
func nextField(b []byte) (field, rest []byte) {
	b = bytes.TrimLeft(b, " \t")
	if i := bytes.IndexAny(b, " \t"); i >= 0 {
		return b[:i], b[i:]
	}
	return b, nil
}

// parseUint parses a decimal or hexadecimal number without allocating.
func parseUint(b []byte, base uint64) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		v = v*base + d
	}
	return v, true
}

func madvise(addr, length uintptr, advice int) error {
	_, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, length, uintptr(advice))
	if errno != 0 {
		return errno
	}
	return nil
}
