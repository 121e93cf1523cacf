package service

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/session"
	"github.com/communes/kiosk/usage"
)

// TestLockout_SurvivesRestart wires the real parts as New does (the
// bbolt usage store as the session's LockoutStore, the argon2id agent
// accounts as its PIN check) and restarts them on the same files: the
// keypad lock stays in force and the count of wrong PINs goes on, instead
// of a restart opening a fresh set of guesses.
func TestLockout_SurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	accounts, err := agent.Open(filepath.Join(dir, agent.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Add("Marie", agent.RoleAgent, "482913", ""); err != nil {
		t.Fatalf("adding an agent: %v", err)
	}
	clock := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// start opens the service's parts on dir, as New does.
	start := func() (*usage.Store, *session.Controller) {
		t.Helper()
		store, err := usage.Open(&usage.Config{Path: filepath.Join(dir, "usage.db"), Logger: quiet, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		agents, err := agent.Open(filepath.Join(dir, agent.FileName))
		if err != nil {
			t.Fatal(err)
		}
		ctl, err := session.New(&session.Config{Logger: quiet, Mode: session.SupervisedOnly, Now: now,
			CheckPIN: PINCheck(agents), Lockout: store, Auditor: store})
		if err != nil {
			t.Fatal(err)
		}
		return store, ctl
	}
	wantLock := func(err error, d time.Duration, when string) {
		t.Helper()
		var le *session.LockoutError
		if !errors.As(err, &le) || le.Retry != d {
			t.Fatalf("%s: %v, want the keypad locked for %v", when, err, d)
		}
	}

	store, ctl := start()
	for i := 1; i < session.LockoutAfter; i++ {
		if err := ctl.Unlock("000001", ""); !errors.Is(err, session.ErrWrongPIN) {
			t.Fatalf("wrong PIN %d: %v, want ErrWrongPIN", i, err)
		}
	}
	wantLock(ctl.Unlock("000001", ""), session.LockoutBase, "wrong PIN 5")
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart 10 s later: still locked for the rest, even for the right PIN.
	clock = clock.Add(10 * time.Second)
	store, ctl = start()
	wantLock(ctl.Unlock("482913", ""), session.LockoutBase-10*time.Second, "right PIN after a restart, during the lock")
	if s := ctl.Snapshot(); s.PINFailures != session.LockoutAfter || !s.PINLockedUntil.Equal(clock.Add(20*time.Second)) {
		t.Fatalf("after a restart: %d failures, locked until %v; want %d, %v", s.PINFailures, s.PINLockedUntil, session.LockoutAfter, clock.Add(20*time.Second))
	}
	// Once the lock ends, the next wrong PIN is the 6th: a 1 min lock.
	clock = clock.Add(20 * time.Second)
	wantLock(ctl.Unlock("000001", ""), 2*session.LockoutBase, "wrong PIN 6, after a restart")
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart after the lock ended: the count goes on (7th: 2 min).
	clock = clock.Add(2 * time.Minute)
	store, ctl = start()
	wantLock(ctl.Unlock("000001", ""), 4*session.LockoutBase, "wrong PIN 7, after a second restart")
	// The right PIN resets the count, and the reset is kept too.
	clock = clock.Add(2 * time.Minute)
	if err := ctl.Unlock("482913", ""); err != nil {
		t.Fatalf("right PIN after the lock: %v", err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store, ctl = start()
	defer store.Close()
	if s := ctl.Snapshot(); s.PINFailures != 0 || !s.PINLockedUntil.IsZero() {
		t.Fatalf("after a right PIN and a restart: %d failures, locked until %v; want none", s.PINFailures, s.PINLockedUntil)
	}
}
