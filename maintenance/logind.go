package maintenance

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// LogindReboot asks systemd-logind to reboot the machine through its D-Bus
// API (org.freedesktop.login1.Manager.Reboot, not interactive), with
// busctl: polkit decides, and the package's rule allows it to the kiosk
// user. It returns once logind accepted the request.
func LogindReboot(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, "busctl", "--system", "call",
		"org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
		"Reboot", "b", "false")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("asking logind to reboot: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
