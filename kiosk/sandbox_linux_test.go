package kiosk

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
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

// The shell runs as an unprivileged user (kiosk-session): bwrap must work
// there too, through an unprivileged user namespace. As root (CI), the
// check runs as nobody.
func TestCheckSandbox_Unprivileged(t *testing.T) {
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		t.Fatalf("bwrap not installed (apt-get install bubblewrap): %v", err)
	}
	cmd := exec.Command(bwrap, sandboxCheckArgs...)
	cmd.Dir = "/"
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bwrap %v as an unprivileged user: %v: %s", sandboxCheckArgs, err, out)
	}
}
