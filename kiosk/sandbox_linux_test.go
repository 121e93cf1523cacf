package kiosk

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCheckSandbox runs the real bubblewrap (a dependency of WebKitGTK,
// installed with it by make test) and a stand-in that fails.
func TestCheckSandbox(t *testing.T) {
	if _, err := exec.LookPath("bwrap"); err != nil {
		t.Fatalf("bwrap not installed (apt-get install bubblewrap): %v", err)
	}
	if err := checkSandbox(&Config{}); err != nil {
		t.Errorf("checkSandbox with bwrap: %v", err)
	}
	err := checkSandbox(&Config{Bwrap: "false"})
	if err == nil || !strings.Contains(err.Error(), "web sandbox (false)") {
		t.Errorf("checkSandbox with a failing bwrap: %v", err)
	}
	if err := checkSandbox(&Config{Bwrap: "false", NoSandbox: true}); err != nil {
		t.Errorf("checkSandbox with --no-sandbox: %v", err)
	}
}
