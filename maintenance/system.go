package maintenance

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"
)

// System is what the admin page, /metrics and `kiosk status` show of the
// terminal's updates.
type System struct {
	// LastRun is when unattended-upgrades last ran (zero if unknown).
	LastRun time.Time `json:"last_run,omitzero"`
	// LastResult is its result: "ok", "nothing to do", or the error line.
	LastResult string `json:"last_result,omitempty"`
	// LastPackages are the packages that run upgraded.
	LastPackages []string `json:"last_packages,omitempty"`
	// Waiting is the number of packages with an upgrade waiting (-1 if
	// unknown).
	Waiting int `json:"waiting"`
	// WebKitVersion is the installed libwebkit2gtk-4.0-37 version.
	WebKitVersion string `json:"webkit_version,omitempty"`
}

// DefaultUnattendedLog is unattended-upgrades' log.
const DefaultUnattendedLog = "/var/log/unattended-upgrades/unattended-upgrades.log"

// WebKitPackage is the Debian package of the browser engine.
const WebKitPackage = "libwebkit2gtk-4.0-37"

// ReadSystem gathers System: unattended-upgrades' log at logPath (empty:
// DefaultUnattendedLog), dpkg-query for WebKitGTK and a simulated
// apt-get upgrade for the waiting packages. Missing tools or files leave
// their fields empty.
func ReadSystem(ctx context.Context, logPath string) System {
	if logPath == "" {
		logPath = DefaultUnattendedLog
	}
	var s System
	if f, err := os.Open(logPath); err == nil {
		s.LastRun, s.LastResult, s.LastPackages = ParseUnattendedLog(f)
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		s.LastResult = "journal illisible : " + err.Error()
	}
	if out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${Version}", WebKitPackage).Output(); err == nil {
		s.WebKitVersion = strings.TrimSpace(string(out))
	}
	s.Waiting = -1
	if out, err := exec.CommandContext(ctx, "apt-get", "-s", "-o", "Debug::NoLocking=1", "upgrade").Output(); err == nil {
		s.Waiting = CountSimulatedUpgrades(string(out))
	}
	return s
}

// CountSimulatedUpgrades counts the "Inst " lines of `apt-get -s upgrade`.
func CountSimulatedUpgrades(out string) int {
	n := 0
	for l := range strings.Lines(out) {
		if strings.HasPrefix(l, "Inst ") {
			n++
		}
	}
	return n
}

// ParseUnattendedLog reads unattended-upgrades' log and returns its last
// run's start, result and upgraded packages.
func ParseUnattendedLog(r io.Reader) (run time.Time, result string, pkgs []string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		// "2026-12-07 06:25:01,123 INFO Starting unattended upgrades script"
		if len(line) < 24 {
			continue
		}
		at, err := time.ParseInLocation("2006-01-02 15:04:05", line[:19], time.Local)
		if err != nil {
			continue
		}
		level, msg, _ := strings.Cut(strings.TrimSpace(line[23:]), " ")
		switch {
		case strings.HasPrefix(msg, "Starting unattended upgrades script"):
			run, result, pkgs = at, "", nil
		case strings.HasPrefix(msg, "Packages that will be upgraded:"):
			pkgs = strings.Fields(strings.TrimPrefix(msg, "Packages that will be upgraded:"))
		case strings.HasPrefix(msg, "All upgrades installed"):
			result = "ok"
		case strings.HasPrefix(msg, "No packages found that can be upgraded unattended"):
			result = "nothing to do"
		case level == "ERROR" && result == "":
			result = msg
		}
	}
	return run, result, pkgs
}
