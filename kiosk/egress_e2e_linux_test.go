//go:build e2e

package kiosk

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/internal/testnet"
)

// The probe's helper process: with KIOSK_EGRESS_PROBE set, the test
// binary runs probeEgress and prints its result.
func init() {
	if os.Getenv("KIOSK_EGRESS_PROBE") == "" {
		return
	}
	if err := probeEgress(); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("in force")
	os.Exit(0)
}

// TestProbeEgress runs the probe as kiosk-session in a network namespace
// of its own: refused (in force) with the packaged kiosk.nft loaded, not
// refused without it, and not in force for another user (a shell run by
// the wrong account fails closed).
func TestProbeEgress(t *testing.T) {
	for _, tool := range []string{"nft", "setpriv", "useradd"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (scripts/deps.sh test installs nftables, util-linux, passwd): %v", tool, err)
		}
	}
	if exec.Command("getent", "passwd", "kiosk-session").Run() != nil {
		if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "kiosk-session").CombinedOutput(); err != nil {
			t.Fatalf("useradd kiosk-session: %v\n%s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("userdel", "kiosk-session").Run() })
	}
	// The test binary, where another account may run it.
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "probe")
	copyFile(t, bin)
	ns := testnet.New(t)
	probe := func(user string) string {
		t.Helper()
		cmd := ns.Command("setpriv", "--reuid="+user, "--regid="+user, "--clear-groups", "--", bin)
		cmd.Env = []string{"KIOSK_EGRESS_PROBE=1", "PATH=/usr/bin:/bin"}
		out, _ := cmd.CombinedOutput()
		return strings.TrimSpace(string(out))
	}
	if got := probe("kiosk-session"); !strings.Contains(got, "not in force") {
		t.Errorf("probe without the table = %q, want not in force", got)
	}
	rules, err := filepath.Abs("../packaging/nftables/kiosk.nft")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := ns.Command("nft", "-f", rules).CombinedOutput(); err != nil {
		t.Fatalf("nft -f %s: %v\n%s", rules, err, out)
	}
	if got := probe("kiosk-session"); got != "in force" {
		t.Errorf("probe as kiosk-session with the table = %q, want in force", got)
	}
	if got := probe("65534"); !strings.Contains(got, "not in force") {
		t.Errorf("probe as nobody (65534) with the table = %q, want not in force (the rules do not apply to it)", got)
	}
	if out, err := ns.Command("nft", "flush", "ruleset").CombinedOutput(); err != nil {
		t.Fatalf("nft flush ruleset: %v\n%s", err, out)
	}
	if got := probe("kiosk-session"); !strings.Contains(got, "not in force") {
		t.Errorf("probe after `nft flush ruleset` (systemctl reload nftables) = %q, want not in force", got)
	}
}

// copyFile copies the running test binary to dst, executable by all.
func copyFile(t *testing.T, dst string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
