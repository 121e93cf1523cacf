//go:build linux && e2e

package kiosk

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/testcups"
)

// submit queues a small document on queue as uid (0: the test's user) and
// returns its job id.
func submit(t *testing.T, cups *testcups.Server, queue string, uid uint32) string {
	t.Helper()
	cmd := exec.Command("lp", "-d", queue, "-t", "attestation")
	cmd.Env = append(os.Environ(), cups.Env()...)
	cmd.Stdin = strings.NewReader("%PDF-1.4 a resident's document\n")
	if uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lp: %v: %s", err, out)
	}
	// "request id is queue-7 (1 file(s))"
	f := strings.Fields(string(out))
	if len(f) < 4 || !strings.HasPrefix(f[3], queue+"-") {
		t.Fatalf("lp said %q", out)
	}
	return f[3]
}

func testQueue(t *testing.T, name string, grace time.Duration) *printQueue {
	return &printQueue{name: name, grace: grace, l: slog.New(slog.NewTextHandler(t.Output(), nil))}
}

// TestPrintQueue_AfterSession: the jobs a session left in a stopped queue
// (a printer out of paper) are cancelled after the grace and their spool
// files go (PreserveJobFiles No); a job of the next session is not touched.
func TestPrintQueue_AfterSession(t *testing.T) {
	cups := testcups.Start(t)
	cups.AddQueue("kiosk-test", true)
	t.Setenv("CUPS_SERVER", cups.Socket)
	a, b := submit(t, cups, "kiosk-test", 0), submit(t, cups, "kiosk-test", 0)
	if got := cups.Jobs("kiosk-test"); !slices.Equal(got, []string{a, b}) {
		t.Fatalf("queued jobs = %q, want %q", got, []string{a, b})
	}
	if n := len(cups.DataFiles()); n != 2 {
		t.Fatalf("%d spool files, want 2", n)
	}
	q := testQueue(t, "kiosk-test", 300*time.Millisecond)
	if err := q.afterSession(context.Background(), true); err != nil {
		t.Fatalf("afterSession: %v", err)
	}
	// The grace runs: the next resident's job comes in meanwhile.
	if got := cups.Jobs("kiosk-test"); !slices.Equal(got, []string{a, b}) {
		t.Errorf("jobs cancelled before the grace: %q", got)
	}
	next := submit(t, cups, "kiosk-test", 0)
	q.wait()
	if got := cups.Jobs("kiosk-test"); !slices.Equal(got, []string{next}) {
		t.Errorf("after the grace, queued jobs = %q, want only the next session's %q", got, next)
	}
	if n := len(cups.DataFiles()); n != 1 {
		t.Errorf("%d spool files after the grace, want 1 (the next session's)", n)
	}
	// At start, whatever is queued goes (leftovers of a killed shell).
	if err := q.clearAll(context.Background()); err != nil {
		t.Fatalf("clearAll: %v", err)
	}
	if got := cups.Jobs("kiosk-test"); len(got) != 0 {
		t.Errorf("after clearAll, queued jobs = %q", got)
	}
	if files := cups.DataFiles(); len(files) != 0 {
		t.Errorf("spool files left: %q", files)
	}
}

// TestPrintQueue_Shutdown: a shell that stops does not wait for the grace,
// and still cancels.
func TestPrintQueue_Shutdown(t *testing.T) {
	cups := testcups.Start(t)
	cups.AddQueue("kiosk-test", true)
	t.Setenv("CUPS_SERVER", cups.Socket)
	submit(t, cups, "kiosk-test", 0)
	q := testQueue(t, "kiosk-test", time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.afterSession(ctx, true); err != nil {
		t.Fatalf("afterSession: %v", err)
	}
	cancel()
	q.wait()
	if got := cups.Jobs("kiosk-test"); len(got) != 0 {
		t.Errorf("after shutdown, queued jobs = %q", got)
	}
}

// TestPrintQueue_Unreachable: CUPS down after a session that printed is a
// failed wipe (the terminal goes out of order); after one that did not,
// only a warning.
func TestPrintQueue_Unreachable(t *testing.T) {
	if _, err := exec.LookPath("lpstat"); err != nil {
		t.Fatal("lpstat is missing: make test installs cups-client")
	}
	t.Setenv("CUPS_SERVER", t.TempDir()+"/no-cupsd.sock")
	q := testQueue(t, "kiosk-test", time.Millisecond)
	if err := q.afterSession(context.Background(), false); err != nil {
		t.Errorf("afterSession without a print: %v", err)
	}
	err := q.afterSession(context.Background(), true)
	if err == nil || !strings.Contains(err.Error(), "print queue kiosk-test") {
		t.Errorf("afterSession after a print with CUPS down = %v, want an error", err)
	}
	if err := q.clearAll(context.Background()); err == nil {
		t.Error("clearAll with CUPS down succeeded")
	}
}

// TestPrintQueue_Unprivileged: the shell's user (kiosk-session) owns its
// jobs and may list and cancel them under Debian's default CUPS policy. As root (CI), the commands run as nobody.
func TestPrintQueue_Unprivileged(t *testing.T) {
	cups := testcups.Start(t)
	cups.AddQueue("kiosk-test", true)
	const nobody = 65534
	id := submit(t, cups, "kiosk-test", nobody)
	run := func(args ...string) string {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), cups.Env()...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v as nobody: %v: %s", args, err, out)
		}
		return string(out)
	}
	if got := parseLpstat([]byte(run("lpstat", "-o", "kiosk-test")), "kiosk-test"); !slices.Equal(got, []string{id}) {
		t.Fatalf("lpstat as nobody lists %q, want %q", got, id)
	}
	run(cancelArgs([]string{id})...)
	if got := cups.Jobs("kiosk-test"); len(got) != 0 {
		t.Errorf("after cancel as nobody, queued jobs = %q", got)
	}
	if files := cups.DataFiles(); len(files) != 0 {
		t.Errorf("spool files left: %q", files)
	}
}

// TestCheckPrintTools: with --printer, lpstat and cancel must exist, or
// the terminal is out of order (nothing may print that cannot be cleared).
func TestCheckPrintTools(t *testing.T) {
	if err := checkPrintTools(); err != nil {
		t.Fatalf("checkPrintTools with cups-client installed: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	err := checkPrintTools()
	if err == nil || !strings.Contains(err.Error(), "apt-get install cups-client") {
		t.Errorf("checkPrintTools without lpstat = %v", err)
	}
}
