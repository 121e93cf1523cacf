package main

import (
	"bytes"
	"strings"
	"testing"
)

// kiosk shell is the supervisor, pure Go: it builds and runs without the
// webview tag (the browser is the separate kiosk-browser program).
func TestRunShell_Help(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runShell([]string{"--help"}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stderr.String(), "-proxy") || !strings.Contains(stderr.String(), "-browser-path") || !strings.Contains(stderr.String(), "-audio") {
		t.Errorf("kiosk shell --help = %d, %q; want 0 and the flags", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "-heartbeat") {
		t.Errorf("kiosk shell --help lists the browser's internal flags: %q", stderr.String())
	}
}

func TestRunShell_BadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runShell([]string{"--log-level", "loud"}, &stdout, &stderr); code != 2 {
		t.Errorf("kiosk shell --log-level loud = %d, want 2 (%s)", code, stderr.String())
	}
	if code := runShell([]string{"extra"}, &stdout, &stderr); code != 2 {
		t.Errorf("kiosk shell extra = %d, want 2", code)
	}
	if code := runShell([]string{"--audio=loud"}, &stdout, &stderr); code != 2 {
		t.Errorf("kiosk shell --audio=loud = %d, want 2", code)
	}
	if code := runShell([]string{"--browser"}, &stdout, &stderr); code != 2 {
		t.Errorf("kiosk shell --browser = %d, want 2: the browser is kiosk-browser now", code)
	}
}
