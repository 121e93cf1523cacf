package maintenance

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strings"
	"time"
)

// DefaultAptHistory is apt's history of package runs (unattended-upgrades'
// and IT's alike).
const DefaultAptHistory = "/var/log/apt/history.log"

// Update is one package run that installed or upgraded packages.
type Update struct {
	// At is when the run started (local time).
	At time.Time `json:"at"`
	// Packages are the packages it upgraded or installed, without their
	// architecture.
	Packages []string `json:"packages"`
}

// maxLogBytes bounds how much of a log file is read (the tail is kept:
// the runs that matter are the last ones).
const maxLogBytes = 8 << 20

// LastUpdateBefore returns the last package run that started before t:
// from apt's history at history (empty: DefaultAptHistory), else from
// unattended-upgrades' log at unattended (empty: DefaultUnattendedLog).
// ok is false when neither file names one.
func LastUpdateBefore(history, unattended string, t time.Time) (u Update, ok bool) {
	if history == "" {
		history = DefaultAptHistory
	}
	if unattended == "" {
		unattended = DefaultUnattendedLog
	}
	if r, err := openTail(history); err == nil {
		u, ok = ParseAptHistory(r, t)
		r.Close()
		if ok {
			return u, true
		}
	}
	r, err := openTail(unattended)
	if err != nil {
		return Update{}, false
	}
	defer r.Close()
	return unattendedRunBefore(r, t)
}

// tail is a file read from its last maxLogBytes.
type tail struct {
	io.Reader
	f *os.File
}

func (t tail) Close() error { return t.f.Close() }

// openTail opens path at most maxLogBytes before its end.
func openTail(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > maxLogBytes {
		if _, err := f.Seek(fi.Size()-maxLogBytes, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	return tail{Reader: f, f: f}, nil
}

// ParseAptHistory reads apt's history.log and returns the last run that
// started before t and upgraded or installed packages:
//
//	Start-Date: 2026-12-07  06:31:02
//	Commandline: /usr/bin/unattended-upgrade
//	Upgrade: libwebkit2gtk-4.0-37:amd64 (2.46.6-1~deb12u1, 2.48.3-1~deb12u1), …
//	End-Date: 2026-12-07  06:32:40
func ParseAptHistory(r io.Reader, t time.Time) (u Update, ok bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var cur Update
	var in bool
	for sc.Scan() {
		key, val, found := strings.Cut(sc.Text(), ": ")
		if !found {
			continue
		}
		switch key {
		case "Start-Date":
			at, err := time.ParseInLocation("2006-01-02 15:04:05", strings.Join(strings.Fields(val), " "), time.Local)
			in = err == nil && at.Before(t)
			cur = Update{At: at}
		case "Upgrade", "Install":
			if in {
				cur.Packages = append(cur.Packages, aptPackages(val)...)
			}
		case "End-Date":
			if in && len(cur.Packages) > 0 {
				u, ok = cur, true
			}
			in = false
		}
	}
	// A run still going (no End-Date yet) counts too.
	if in && len(cur.Packages) > 0 {
		u, ok = cur, true
	}
	return u, ok
}

// aptPackages returns the package names of a history.log list,
// "a:amd64 (1, 2), b:all (3, automatic)".
func aptPackages(list string) []string {
	var out []string
	for list != "" {
		item, rest, _ := strings.Cut(list, ")")
		list = strings.TrimPrefix(strings.TrimSpace(rest), ",")
		name, _, _ := strings.Cut(strings.TrimSpace(item), " ")
		name, _, _ = strings.Cut(name, ":")
		if name != "" {
			out = append(out, name)
		}
	}
	return out
}

// unattendedRunBefore returns the last run of unattended-upgrades' log
// that started before t and upgraded packages (ParseUnattendedLog on the
// lines written before t).
func unattendedRunBefore(r io.Reader, t time.Time) (Update, bool) {
	var before bytes.Buffer
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if len(line) >= 19 {
			if at, err := time.ParseInLocation("2006-01-02 15:04:05", line[:19], time.Local); err == nil && !at.Before(t) {
				break
			}
		}
		before.WriteString(line)
		before.WriteByte('\n')
	}
	run, _, pkgs := ParseUnattendedLog(&before)
	if run.IsZero() || len(pkgs) == 0 {
		return Update{}, false
	}
	return Update{At: run, Packages: pkgs}, true
}
