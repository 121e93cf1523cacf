package kiosk

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// sandboxCheckArgs are bwrap's arguments for checkSandbox.
var sandboxCheckArgs = []string{"--ro-bind", "/", "/", "--unshare-user-try",
	"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--", "true"}

// checkSandbox runs bubblewrap the way WebKit's sandbox needs it (new user,
// PID, IPC and UTS namespaces, the root read-only) on a command that does
// nothing, unless conf turns the sandbox off. Where bwrap is missing or the
// system forbids unprivileged user namespaces it fails, and so would every
// web process.
func checkSandbox(conf *Config) error {
	if conf.NoSandbox {
		return nil
	}
	bwrap := conf.Bwrap
	if bwrap == "" {
		bwrap = "bwrap"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bwrap, sandboxCheckArgs...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("web sandbox (%s): %w: %s", bwrap, err, msg)
		}
		return fmt.Errorf("web sandbox (%s): %w", bwrap, err)
	}
	return nil
}
