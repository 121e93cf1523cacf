package kiosk

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckUSB: --usb tells IT at start when clamd's socket or
// heif-convert is missing, and says nothing when both are there or --usb
// is off.
func TestCheckUSB(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "clamd.ctl")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "heif-convert"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, socket, path string
		usb                bool
		want               []string // substrings of the log, in order; none when empty
	}{
		{"off", "", t.TempDir(), false, nil},
		{"all there", sock, bin, true, nil},
		{"no socket", filepath.Join(dir, "none"), bin, true, []string{"clamd's socket is missing"}},
		{"not a socket", filepath.Join(bin, "heif-convert"), bin, true, []string{"clamd's socket is missing"}},
		{"no flag", "", bin, true, []string{"without --clamd-socket"}},
		{"no heif-convert", sock, t.TempDir(), true, []string{"heif-convert is missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", tc.path)
			var buf bytes.Buffer
			checkUSB(&Config{USB: tc.usb, ClamdSocket: tc.socket}, slog.New(slog.NewTextHandler(&buf, nil)))
			got := buf.String()
			if len(tc.want) == 0 && got != "" {
				t.Errorf("checkUSB logged %q, want nothing", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("checkUSB logged %q, want %q", got, w)
				}
			}
		})
	}
}
