//go:build e2e

package pkgtest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUpdates_UnattendedOrigins runs Debian's unattended-upgrade (dry run)
// with the package's apt.conf.d file as the only configuration part: it
// must allow the Debian-Security origin and nothing else, and never reboot
// by itself.
func TestUpdates_UnattendedOrigins(t *testing.T) {
	if _, err := exec.LookPath("unattended-upgrade"); err != nil {
		t.Fatal("unattended-upgrade is missing: apt-get install unattended-upgrades (make test installs it)")
	}
	parts := t.TempDir()
	src, err := os.ReadFile("../apt/52kiosk-unattended-upgrades")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(parts, "52kiosk-unattended-upgrades"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "apt.conf")
	if err := os.WriteFile(conf, []byte("Dir::Etc::Parts \""+parts+"\";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "APT_CONFIG="+conf)

	cmd := exec.Command("apt-config", "dump")
	cmd.Env = env
	dump, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("apt-config dump: %v\n%s", err, dump)
	}
	for _, want := range []string{
		`Unattended-Upgrade::Automatic-Reboot "false";`,
		`APT::Periodic::Unattended-Upgrade "1";`,
		`APT::Periodic::Update-Package-Lists "1";`,
	} {
		if !strings.Contains(string(dump), want) {
			t.Errorf("apt-config dump lacks %s", want)
		}
	}

	// The dry run prints the allowed origins first, then simulates the
	// upgrades: stop it at the line.
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	uu := exec.CommandContext(ctx, "unattended-upgrade", "--dry-run", "--debug")
	uu.Env = env
	pr, pw := io.Pipe()
	uu.Stdout, uu.Stderr = pw, pw
	if err := uu.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = uu.Wait(); pw.Close() }()
	var origins string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if o, ok := strings.CutPrefix(sc.Text(), "Allowed origins are: "); ok {
			origins = o
			break
		}
	}
	cancel()
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain until the process is gone
	if !strings.HasPrefix(origins, "origin=Debian,codename=") || !strings.HasSuffix(origins, "-security,label=Debian-Security") {
		t.Errorf("unattended-upgrade allowed origins = %q, want only the Debian-Security origin", origins)
	}
	if strings.Contains(origins, ",label=Debian,") || strings.Count(origins, "origin=") != 1 {
		t.Errorf("unattended-upgrade allows more than Debian-Security: %q", origins)
	}
}

// TestUpdates_PolkitRule evaluates the package's polkit rule with node
// against a stand-in of polkitd's JavaScript API: the kiosk user may
// reboot, nothing else; the browser's account (kiosk-session, the active
// seat session) is refused the power actions logind would give it; no
// other user gets anything.
func TestUpdates_PolkitRule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is missing: apt-get install nodejs (make test installs it)")
	}
	rule, err := os.ReadFile("../polkit/50-kiosk-reboot.rules")
	if err != nil {
		t.Fatal(err)
	}
	script := `var rules = [];
var polkit = { Result: { YES: "yes", NO: "no", NOT_HANDLED: null }, addRule: function (f) { rules.push(f); } };
` + string(rule) + `
var out = {};
["kiosk", "kiosk-session", "root"].forEach(function (u) {
  ["org.freedesktop.login1.reboot", "org.freedesktop.login1.reboot-multiple-sessions",
   "org.freedesktop.login1.reboot-ignore-inhibit", "org.freedesktop.login1.power-off",
   "org.freedesktop.login1.suspend", "org.freedesktop.login1.set-reboot-to-firmware-setup",
   "org.freedesktop.login1.set-reboot-parameter", "org.freedesktop.login1.set-wall-message", "org.freedesktop.systemd1.manage-units",
   "org.freedesktop.packagekit.package-install"].forEach(function (a) {
    var r = null;
    rules.forEach(function (f) { if (r === null) { r = f({ id: a }, { user: u }); } });
    if (r !== null && r !== undefined) { out[u + " " + a] = r; }
  });
});
console.log(JSON.stringify(out));`
	out, err := exec.Command(node, "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := `{"kiosk org.freedesktop.login1.reboot":"yes","kiosk org.freedesktop.login1.reboot-multiple-sessions":"yes",` +
		`"kiosk-session org.freedesktop.login1.reboot":"no","kiosk-session org.freedesktop.login1.reboot-multiple-sessions":"no",` +
		`"kiosk-session org.freedesktop.login1.reboot-ignore-inhibit":"no","kiosk-session org.freedesktop.login1.power-off":"no",` +
		`"kiosk-session org.freedesktop.login1.suspend":"no","kiosk-session org.freedesktop.login1.set-reboot-to-firmware-setup":"no",` +
		`"kiosk-session org.freedesktop.login1.set-reboot-parameter":"no"}`
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("the rule's answers = %s, want %s (reboot for kiosk, nothing else; no power action for the browser's account)", got, want)
	}
}
