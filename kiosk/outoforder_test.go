//go:build webview && linux

package kiosk_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const outOfOrderTitle = "Terminal momentanément indisponible"

func TestShell_ServiceDownShowsOutOfOrder(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.stopServe()
	// The welcome page is reloaded as a resident would; with the proxy
	// gone nothing loads and the built-in screen shows.
	r.mustEval("location.reload(); 1")
	res := r.waitEval("the out-of-order screen", "document.title === '"+outOfOrderTitle+"'", 15*time.Second)
	if res.URI != "about:blank" {
		t.Errorf("out-of-order screen at %q, want about:blank (built in, not from the network)", res.URI)
	}
	mark := r.log.len()
	r.startServe()
	r.log.wait(t, "welcome ready", mark, 15*time.Second)
	r.waitEval("the welcome page back", "location.href === 'http://kiosk.invalid/' && document.querySelector('[data-start]')", 10*time.Second)
}

func TestShell_WipeFailureOutOfOrder(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	profile := r.log.wait(t, "browser started", 0, time.Second).fields["profile"]
	r.startSession()
	// A read-only bind mount inside the profile makes its removal fail
	// (EBUSY), as a broken disk would.
	empty := filepath.Join(r.dir, "empty")
	stuck := filepath.Join(profile, "stuck")
	for _, d := range []string{empty, stuck} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// The shell runs in the namespace's own mount namespace (ip netns
	// exec): mount there.
	inShell := func(args ...string) *exec.Cmd {
		return exec.Command("nsenter", append([]string{"-t", strconv.Itoa(r.shell.Process.Pid), "-m"}, args...)...)
	}
	if out, err := inShell("mount", "--bind", "-o", "ro", empty, stuck).CombinedOutput(); err != nil {
		t.Fatalf("mount --bind (needs root): %v %s", err, out)
	}
	mounted := true
	defer func() {
		if mounted {
			_ = inShell("umount", stuck).Run()
		}
	}()
	mark := r.log.len()
	r.touchEval("kioskEnd(); 1")
	r.waitEval("the satisfaction page", "document.querySelector('[data-answer=skip]')", 10*time.Second)
	r.mustEval("setTimeout(function () { document.querySelector('[data-answer=skip]').click(); }, 0); 1") // the process may exit before a direct answer
	r.log.wait(t, "wipe failed: terminal out of order", mark, 10*time.Second)
	r.waitEval("the out-of-order screen", "document.title === '"+outOfOrderTitle+"'", 10*time.Second)
	if _, ok := r.log.waitOK("welcome ready", mark, 2*time.Second); ok {
		t.Fatal("a welcome screen came on a dirty profile")
	}
	if out, err := inShell("umount", stuck).CombinedOutput(); err != nil {
		t.Fatalf("umount: %v %s", err, out)
	}
	mounted = false
	r.log.wait(t, "wipe succeeded: terminal back in order", mark, 15*time.Second)
	r.log.wait(t, "welcome ready", mark, 15*time.Second)
	if _, err := os.Lstat(profile); err == nil {
		t.Errorf("profile %s still there after the terminal came back", profile)
	}
}
