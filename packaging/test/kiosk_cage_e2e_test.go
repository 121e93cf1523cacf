//go:build e2e

package pkgtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeCage writes a `cage` that behaves as Debian 12's cage 0.1.4 does on a
// display it cannot use: it hangs after "Unable to create the wlroots
// backend" instead of exiting, unless WLR_RENDERER is one of works; then it
// runs the command after "--", as the real one does.
func fakeCage(t *testing.T, works string) (bin, runtime string) {
	t.Helper()
	bin = t.TempDir()
	runtime = t.TempDir()
	script := `#!/bin/sh
echo "fake cage: renderer ${WLR_RENDERER:-auto}" >&2
case " ` + works + ` " in
*" ${WLR_RENDERER:-auto} "*) ;;
*" dies "*)
	# spawns the shell and dies at once (kms_swrast on a virtual GPU): the
	# shell starts after its cage is gone.
	while [ "$1" != -- ]; do shift; done
	shift
	(sleep 0.5; exec "$@") &
	exit 1 ;;
*) echo "Unable to create the wlroots backend" >&2; exec sleep 600 ;;
esac
while [ "$1" != -- ]; do shift; done
shift
"$@"
`
	if err := os.WriteFile(filepath.Join(bin, "cage"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, runtime
}

func runKioskCage(t *testing.T, bin, runtime string, env []string, args ...string) (string, int, time.Duration) {
	t.Helper()
	cmd := exec.Command("../shell/kiosk-cage", args...)
	cmd.Env = append([]string{"PATH=" + bin + ":/usr/bin:/bin", "XDG_RUNTIME_DIR=" + runtime, "KIOSK_CAGE_START_TIMEOUT=2", "KIOSK_CAGE_RETRY_DELAY=0"}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code, time.Since(t0)
}

// A cage that hangs on the GPU renderer is killed after the start timeout
// and cage is started again with pixman, which runs the shell; the shell's
// exit status is the script's (systemd restarts the unit on it).
func TestKioskCage_HungCageKilledThenPixman(t *testing.T) {
	bin, runtime := fakeCage(t, "pixman")
	out, code, took := runKioskCage(t, bin, runtime, nil, "sh", "-c", "sleep 1; echo shell ran; exit 7")
	if code != 7 {
		t.Fatalf("exit %d, want the shell's 7; output:\n%s", code, out)
	}
	for _, want := range []string{
		"fake cage: renderer auto", "did not start the shell within 2s (renderer auto): stopping it",
		"fake cage: renderer pixman", "cage started (renderer pixman)", "shell ran",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if took > 30*time.Second {
		t.Errorf("took %s", took)
	}
}

// When no renderer works, the console gets the message for IT (French and
// English) and the script exits 1 (the unit fails visibly and is retried),
// leaving no cage behind.
func TestKioskCage_NoRendererTellsIT(t *testing.T) {
	bin, runtime := fakeCage(t, "none")
	console := filepath.Join(t.TempDir(), "tty1")
	out, code, _ := runKioskCage(t, bin, runtime, []string{"KIOSK_CAGE_CONSOLE=" + console, "KIOSK_CAGE_RETRY_DELAY=0"}, "true")
	if code != 1 {
		t.Fatalf("exit %d, want 1; output:\n%s", code, out)
	}
	msg, err := os.ReadFile(console)
	if err != nil {
		t.Fatalf("no message on the console: %v", err)
	}
	for _, want := range []string{"BORNE KIOSK HORS SERVICE", "KIOSK TERMINAL OUT OF ORDER", "journalctl -b -t kiosk-shell"} {
		if !strings.Contains(string(msg), want) {
			t.Errorf("console message lacks %q:\n%s", want, msg)
		}
	}
	if !strings.Contains(out, "no renderer works on this display") {
		t.Errorf("log lacks the failure:\n%s", out)
	}
	if b, _ := exec.Command("pgrep", "-f", "^sleep 600$").Output(); len(b) > 0 {
		t.Errorf("a hung cage survived: pids %s", b)
	}
}

// A cage that dies while its shell starts is given up, and so is that shell
// (it starts late and exits): only the shell of the cage that works runs.
// Two shells would both run browsers and wipe each other's profiles, as
// the first VM runs showed.
func TestKioskCage_ShellOfADeadCageEnded(t *testing.T) {
	bin, runtime := fakeCage(t, "pixman dies")
	pids := filepath.Join(t.TempDir(), "pids")
	out, code, _ := runKioskCage(t, bin, runtime, nil, "sh", "-c",
		`echo $$ >>`+pids+`; if [ "$WLR_RENDERER" = pixman ]; then sleep 1; exit 7; fi; exec sleep 600`)
	if code != 7 {
		t.Fatalf("exit %d, want 7; output:\n%s", code, out)
	}
	b, err := os.ReadFile(pids)
	if err != nil {
		t.Fatal(err)
	}
	// The late shell of the first cage exits before it runs the command.
	if shells := strings.Fields(string(b)); len(shells) != 1 {
		t.Fatalf("shells started: %q, want only pixman's; output:\n%s", shells, out)
	}
	if !strings.Contains(out, "cage exited before starting the shell (renderer auto)") {
		t.Errorf("output:\n%s", out)
	}
}

// WLR_RENDERER set by IT is the only renderer tried.
func TestKioskCage_RendererFromSettings(t *testing.T) {
	bin, runtime := fakeCage(t, "gles2")
	out, code, _ := runKioskCage(t, bin, runtime, []string{"WLR_RENDERER=gles2"}, "sleep", "1")
	if code != 0 || !strings.Contains(out, "cage started (renderer gles2)") || strings.Contains(out, "pixman") {
		t.Fatalf("exit %d; output:\n%s", code, out)
	}
}
