//go:build e2e

package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/internal/testnet"
)

// TestServe_TokenRemovedOnStop checks that the local API's token file
// exists while the service runs and is gone once it stopped (SIGTERM), so a
// stopped service leaves no valid token behind (docs/api.md).
func TestServe_TokenRemovedOnStop(t *testing.T) {
	ns := testnet.New(t)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	cmd, logs := startServe(t, ns, al, "--data", data)
	tokenFile := filepath.Join(data, "api.token")
	if _, err := api.ReadTokenFile(tokenFile); err != nil {
		t.Fatalf("while running: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("kiosk serve exited with %v after SIGTERM\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("kiosk serve did not stop within 30 s of SIGTERM")
	}
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Errorf("after stop: stat %s = %v, want the file gone", tokenFile, err)
	}
}

// TestServe_TokenRemovedOnStartError checks that a start that fails after
// the token was written (the admin port is taken) removes it too.
func TestServe_TokenRemovedOnStartError(t *testing.T) {
	dir := t.TempDir()
	al := filepath.Join(dir, "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	data := filepath.Join(dir, "data")
	out, err := exec.Command(kioskBinary(t), "serve", "--allowlist", al, "--data", data,
		"--proxy-listen", "127.0.0.1:0", "--admin-listen", busy.Addr().String()).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "admin page cannot listen") {
		t.Fatalf("the start did not fail at the admin listener (after the token):\n%s", out)
	}
	tokenFile := filepath.Join(data, "api.token")
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Errorf("after a failed start: stat %s = %v, want the file gone", tokenFile, err)
	}
}
