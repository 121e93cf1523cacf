package kiosk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Run runs the shell's supervisor until ctx is done: one browser process
// (kiosk-browser: WebKitGTK on Linux, WebView2 on Windows) per resident
// session, each in a fresh profile wiped before the next.
func Run(ctx context.Context, conf *Config) error { return runSupervisor(ctx, conf) }

// BrowserName is the browser program's file name.
var BrowserName = "kiosk-browser" + exeSuffix()

// DefaultBrowserPath is where the Debian package installs kiosk-browser: a
// program the kiosk starts, not a command for people (so not in /usr/bin).
const DefaultBrowserPath = "/usr/lib/kiosk/kiosk-browser"

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// BrowserPath finds kiosk-browser: next to the running executable (a
// build's bin/, dist/windows), else DefaultBrowserPath (not on Windows).
func BrowserPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding own executable: %w", err)
	}
	tried := []string{filepath.Join(filepath.Dir(exe), BrowserName)}
	if runtime.GOOS != "windows" {
		tried = append(tried, DefaultBrowserPath)
	}
	for _, p := range tried {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("finding the browser program (kiosk shell --browser-path): none of %q: %w", tried, os.ErrNotExist)
}
