package session_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/session"
)

func TestController_Lockout(t *testing.T) {
	at := newAgentTest(t, session.Config{Mode: session.SupervisedOnly})
	c := at.c
	now := time.Duration(0)
	// Failures 1 to 4 do not lock; from the 5th on the lock grows.
	wantLock := []time.Duration{0, 0, 0, 0, 30 * sec, mn, 2 * mn, 4 * mn, 8 * mn, 15 * mn, 15 * mn}
	for i, lock := range wantLock {
		calls := at.pin.calls.Load()
		err := c.Unlock("000001", "")
		if at.pin.calls.Load() != calls+1 {
			t.Fatalf("failure %d: PIN not checked", i+1)
		}
		s := c.Snapshot()
		if lock == 0 {
			if !errors.Is(err, session.ErrWrongPIN) || s.PINRetry != 0 || !strings.HasPrefix(err.Error(), "wrong PIN") {
				t.Fatalf("failure %d: %v, retry %d s; want ErrWrongPIN, no lock", i+1, err, s.PINRetry)
			}
			continue
		}
		// The portal's keypad reads these messages when a shell passes
		// only the message on.
		if msg := err.Error(); !strings.HasPrefix(msg, "too many wrong PINs: the keypad is locked for "+lock.String()) {
			t.Fatalf("failure %d: message %q", i+1, msg)
		}
		var le *session.LockoutError
		if !errors.As(err, &le) || !errors.Is(err, session.ErrLocked) || le.RetryAfter() != lock {
			t.Fatalf("failure %d: %v, want a %s lockout", i+1, err, lock)
		}
		if s.PINRetry != int(lock/time.Second) || !s.PINLockedUntil.Equal(t0.Add(now+lock)) || s.PINFailures != i+1 {
			t.Fatalf("failure %d: snapshot retry %d s until %v failures %d, want %s", i+1, s.PINRetry, s.PINLockedUntil, s.PINFailures, lock)
		}
		// While locked, even the right PIN is not checked.
		now += lock - sec
		at.at(now)
		calls = at.pin.calls.Load()
		if err := c.Unlock("482913", ""); !errors.As(err, &le) || le.Retry != sec {
			t.Fatalf("failure %d: attempt 1 s before the end of the lock: %v, want 1s lockout", i+1, err)
		}
		if at.pin.calls.Load() != calls {
			t.Fatalf("failure %d: PIN checked while locked", i+1)
		}
		v := c.Snapshot().Version
		now += sec
		at.at(now)
		if s := c.Snapshot(); !s.PINLockedUntil.IsZero() || s.Version == v {
			t.Fatalf("failure %d: at the end of the lock: locked until %v, version %d (was %d); want unlocked and a new version", i+1, s.PINLockedUntil, s.Version, v)
		}
	}
	if err := c.Unlock("482913", ""); err != nil {
		t.Fatalf("right PIN after the lock: %v", err)
	}
	if s := c.Snapshot(); s.PINFailures != 0 || s.PINRetry != 0 {
		t.Errorf("after the right PIN: failures %d retry %d, want reset", s.PINFailures, s.PINRetry)
	}
	// Each failure is audited, without the PIN.
	aud := at.aud.String()
	if n := strings.Count(aud, "? pin_failed unlock"); n != len(wantLock) {
		t.Errorf("%d failed attempts audited, want %d: %s", n, len(wantLock), aud)
	}
	if !strings.Contains(aud, "? pin_lockout 30s") || !strings.Contains(aud, "? pin_lockout 15m0s") || strings.Contains(aud, "000001") {
		t.Errorf("audit %s: want lockouts of 30s and 15m0s, never the PIN", aud)
	}
}

func TestController_LockoutParallel(t *testing.T) {
	at := newAgentTest(t, session.Config{Mode: session.SupervisedOnly})
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = at.c.Unlock("000001", "")
		}()
	}
	wg.Wait()
	if n := at.pin.calls.Load(); n != session.LockoutAfter {
		t.Errorf("%d PINs checked by 40 parallel attempts, want %d (then locked)", n, session.LockoutAfter)
	}
}

func TestController_PINCheckError(t *testing.T) {
	at := newAgentTest(t, session.Config{Mode: session.SupervisedOnly})
	at.pin.err = errors.New("reading agents file: permission denied")
	for range 7 {
		err := at.c.Unlock("482913", "")
		if err == nil || errors.Is(err, session.ErrWrongPIN) || errors.Is(err, session.ErrLocked) {
			t.Fatalf("Unlock with a broken store = %v, want an internal error", err)
		}
	}
	if s := at.want(t, session.StateWelcome, false); s.PINFailures != 0 {
		t.Errorf("internal errors counted as wrong PINs: %d", s.PINFailures)
	}
	noPIN, _, _ := newTest(t, session.Config{Mode: session.Mixed})
	if err := noPIN.Unlock("482913", ""); !errors.Is(err, session.ErrUnlockRequired) {
		t.Errorf("Unlock without CheckPIN = %v, want ErrUnlockRequired", err)
	}
}

// lockoutStore is a LockoutStore of function fields (the real one, the
// bbolt usage store, is tested with a restart in the main package).
type lockoutStore struct {
	load func() (int, time.Time, error)
	save func(int, time.Time) error
}

func (s lockoutStore) LoadLockout() (int, time.Time, error) { return s.load() }
func (s lockoutStore) SaveLockout(n int, u time.Time) error { return s.save(n, u) }

// TestController_Lockout_store checks what the controller loads and saves:
// a saved lock is in force at once, and a failed load refuses to start
// (fail closed) rather than open a fresh set of guesses.
func TestController_Lockout_store(t *testing.T) {
	var saved []string
	store := lockoutStore{
		load: func() (int, time.Time, error) { return session.LockoutAfter, t0.Add(time.Hour), nil },
		save: func(n int, u time.Time) error {
			saved = append(saved, fmt.Sprintf("%d %v", n, u.Sub(t0)))
			return nil
		},
	}
	at := newAgentTest(t, session.Config{Mode: session.SupervisedOnly, Lockout: store})
	// A saved lock past LockoutMax (a clock set back) is cut to LockoutMax.
	var le *session.LockoutError
	if err := at.c.Unlock("482913", ""); !errors.As(err, &le) || le.Retry != session.LockoutMax {
		t.Fatalf("right PIN under a saved lock: %v, want a %v lockout", err, session.LockoutMax)
	}
	if s := at.c.Snapshot(); s.PINFailures != session.LockoutAfter {
		t.Fatalf("restored failures = %d, want %d", s.PINFailures, session.LockoutAfter)
	}
	at.at(session.LockoutMax)
	if err := at.c.Unlock("000001", ""); !errors.As(err, &le) || le.Retry != 2*session.LockoutBase {
		t.Fatalf("6th wrong PIN: %v, want a %v lockout", err, 2*session.LockoutBase)
	}
	at.at(session.LockoutMax + 2*session.LockoutBase)
	if err := at.c.Unlock("482913", ""); err != nil {
		t.Fatalf("right PIN after the lock: %v", err)
	}
	want := []string{"6 16m0s", "0 0s"}
	if got := saved; len(got) != 2 || got[0] != want[0] || !strings.HasPrefix(got[1], "0 ") {
		t.Errorf("saved %q, want %q then a reset", got, want)
	}

	broken := lockoutStore{load: func() (int, time.Time, error) { return 0, time.Time{}, errors.New("disk on fire") }}
	if _, err := session.New(&session.Config{Lockout: broken}); err == nil || !strings.Contains(err.Error(), "keypad lockout") {
		t.Errorf("New with a lockout store that fails = %v, want an error", err)
	}
}
