package maintenance_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/fakeclock"
	"github.com/communes/kiosk/maintenance"
	"github.com/communes/kiosk/session"
)

// clock is the tests' settable clock.
type clock = fakeclock.Clock

// newClock returns a clock that reads t.
func newClock(t time.Time) *clock { return fakeclock.New(t) }

// actions counts the restarts and reboots asked for (the system is a
// process edge).
type actions struct {
	mu                sync.Mutex
	restarts, reboots int
	fail              error
}

func (a *actions) restart(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.restarts++
	return a.fail
}

func (a *actions) reboot(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reboots++
	return a.fail
}

func (a *actions) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.restarts, a.reboots
}

// 21:00 local (UTC here): outside 22:00-06:00.
var evening = time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)

type fixture struct {
	clk     *clock
	ctl     *session.Controller
	act     *actions
	m       *maintenance.Maintainer
	reboot  string // the reboot-required file
	browser string // a watched binary
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{clk: newClock(evening), act: &actions{}, reboot: filepath.Join(dir, "reboot-required"), browser: filepath.Join(dir, "kiosk-browser")}
	if err := os.WriteFile(f.browser, []byte("v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctl, err := session.New(&session.Config{Now: f.clk.Now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	f.ctl = ctl
	w, err := maintenance.ParseWindow("22:00-06:00")
	if err != nil {
		t.Fatal(err)
	}
	f.m, err = maintenance.New(&maintenance.Config{
		Logger: log, Window: w, Now: f.clk.Now, Terminal: ctl,
		RebootRequired: f.reboot, Binaries: []string{f.browser},
		Restart: f.act.restart, Reboot: f.act.reboot,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) check(t *testing.T) maintenance.Status {
	t.Helper()
	if err := f.m.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	return f.m.Status()
}

func (f *fixture) needReboot(t *testing.T, since time.Time) {
	t.Helper()
	if err := os.WriteFile(f.reboot, []byte("*** System restart required ***\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(f.reboot, since, since); err != nil {
		t.Fatal(err)
	}
}

// endSession ends the open session the way a resident does: end, answer,
// wipe.
func (f *fixture) endSession(t *testing.T) {
	t.Helper()
	for _, err := range []error{f.ctl.End(session.ReasonUser), f.ctl.Satisfaction(session.AnswerYes), f.ctl.Wiped(true, "")} {
		if err != nil {
			t.Fatalf("ending the session: %v", err)
		}
	}
}

func TestMaintainer_RebootOnlyInWindowWhenIdle(t *testing.T) {
	f := newFixture(t)
	f.needReboot(t, evening.Add(-time.Hour))

	st := f.check(t)
	if st.Phase != maintenance.PhaseWaitWindow || st.Need != maintenance.NeedReboot {
		t.Fatalf("outside the window: status = %+v, want waiting_window, reboot", st)
	}
	if _, n := f.act.counts(); n != 0 {
		t.Fatalf("reboots outside the window = %d, want 0", n)
	}

	f.clk.Set(evening.Add(90 * time.Minute)) // 22:30
	st = f.check(t)
	if _, n := f.act.counts(); n != 1 || st.Phase != maintenance.PhaseActing {
		t.Fatalf("inside the window, idle: reboots = %d, phase %s; want 1, acting", n, st.Phase)
	}
	if !f.ctl.Snapshot().Maintenance {
		t.Error("snapshot.Maintenance = false after the drain, want true")
	}
	f.check(t)
	if r, n := f.act.counts(); n != 1 || r != 0 {
		t.Errorf("after a second check: reboots %d restarts %d, want 1 and 0", n, r)
	}
}

func TestMaintainer_StartDuringDrainRefused(t *testing.T) {
	f := newFixture(t)
	f.needReboot(t, evening)
	f.clk.Set(evening.Add(2 * time.Hour))
	f.check(t)
	err := f.ctl.Start("fr", false)
	if !errors.Is(err, session.ErrMaintenance) {
		t.Fatalf("Start during the drain: err = %v, want ErrMaintenance", err)
	}
	var coded interface{ Code() string }
	if !errors.As(err, &coded) || coded.Code() != "maintenance" {
		t.Errorf("Start's error code = %v, want maintenance", err)
	}
	if s := f.ctl.Snapshot(); s.State != session.StateWelcome || !s.Maintenance {
		t.Errorf("snapshot = %s maintenance=%v, want welcome with the maintenance screen", s.State, s.Maintenance)
	}
}

func TestMaintainer_SessionDelaysReboot(t *testing.T) {
	f := newFixture(t)
	f.needReboot(t, evening)
	if err := f.ctl.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(evening.Add(time.Hour + time.Minute)) // 22:01, session still running
	f.ctl.Activity()
	st := f.check(t)
	if _, n := f.act.counts(); n != 0 || st.Phase != maintenance.PhaseWaitIdle {
		t.Fatalf("during a session: reboots = %d, phase %s; want 0, waiting_idle", n, st.Phase)
	}
	if f.ctl.Snapshot().Maintenance {
		t.Fatal("the running session's terminal shows maintenance")
	}
	if err := f.ctl.End(session.ReasonUser); err != nil {
		t.Fatal(err)
	}
	f.check(t) // satisfaction question: still not idle
	if _, n := f.act.counts(); n != 0 {
		t.Fatalf("during the satisfaction question: reboots = %d, want 0", n)
	}
	if err := f.ctl.Satisfaction(session.AnswerYes); err != nil {
		t.Fatal(err)
	}
	if err := f.ctl.Wiped(true, ""); err != nil {
		t.Fatal(err)
	}
	f.check(t)
	if _, n := f.act.counts(); n != 1 {
		t.Fatalf("after the session: reboots = %d, want 1", n)
	}
}

func TestMaintainer_BinaryChangeRestarts(t *testing.T) {
	f := newFixture(t)
	f.clk.Set(evening.Add(2 * time.Hour))
	if st := f.check(t); st.Need != maintenance.NeedNone || st.Phase != maintenance.PhaseIdle {
		t.Fatalf("nothing changed: status = %+v, want none, idle", st)
	}
	// dpkg replaces a file by renaming a new one over it: a new inode.
	tmp := f.browser + ".dpkg-new"
	if err := os.WriteFile(tmp, []byte("v2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, f.browser); err != nil {
		t.Fatal(err)
	}
	st := f.check(t)
	if r, n := f.act.counts(); r != 1 || n != 0 || st.Need != maintenance.NeedRestart {
		t.Fatalf("after a new binary: restarts %d reboots %d need %s, want 1, 0, restart", r, n, st.Need)
	}
}

func TestMaintainer_FailedActionUndrains(t *testing.T) {
	f := newFixture(t)
	f.act.fail = errors.New("polkit said no")
	f.needReboot(t, evening)
	f.clk.Set(evening.Add(2 * time.Hour))
	if err := f.m.Check(context.Background()); err == nil {
		t.Fatal("Check with a failing reboot returned nil")
	}
	if st := f.m.Status(); st.LastError == "" {
		t.Error("Status.LastError is empty after a failed reboot")
	}
	if err := f.ctl.Start("fr", false); err != nil {
		t.Errorf("Start after a failed reboot: %v, want a session", err)
	}
	f.endSession(t)
}

func TestMaintainer_OverdueAfterSevenDays(t *testing.T) {
	f := newFixture(t)
	f.needReboot(t, evening.Add(-7*24*time.Hour+time.Minute))
	if st := f.check(t); st.Overdue {
		t.Fatalf("pending for 7 days minus a minute: Overdue = true")
	}
	f.clk.Set(evening.Add(2 * time.Minute))
	st := f.check(t)
	if !st.Overdue || st.Phase != maintenance.PhaseWaitWindow {
		t.Fatalf("pending for 7 days and a minute: status = %+v, want overdue, waiting_window", st)
	}
}
