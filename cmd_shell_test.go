package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/communes/kiosk/kiosk"
)

func TestRunShell_WithoutWebview(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runShell([]string{"--help"}, &stdout, &stderr)
	if kiosk.Available {
		if code != 0 || !strings.Contains(stderr.String(), "-proxy") {
			t.Errorf("kiosk shell --help = %d, %q; want 0 and the flags", code, stderr.String())
		}
		return
	}
	want := "this build has no webview: rebuild with -tags webview"
	if code != 2 || !strings.Contains(stderr.String(), want) {
		t.Errorf("kiosk shell (no webview) = %d, %q; want 2 and %q", code, stderr.String(), want)
	}
}

func TestRunShell_BadFlags(t *testing.T) {
	if !kiosk.Available {
		return // without the webview every use exits 2 (TestRunShell_WithoutWebview)
	}
	var stdout, stderr bytes.Buffer
	if code := runShell([]string{"--log-level", "loud"}, &stdout, &stderr); code != 2 {
		t.Errorf("kiosk shell --log-level loud = %d, want 2 (%s)", code, stderr.String())
	}
	if code := runShell([]string{"extra"}, &stdout, &stderr); code != 2 {
		t.Errorf("kiosk shell extra = %d, want 2", code)
	}
}
