package session

import (
	"fmt"
	"time"
)

// LockoutStore keeps the keypad lockout across restarts of the service,
// so that restarting it does not open a fresh set of PIN guesses
// (*usage.Store implements it). Only a count and a time are kept: nothing
// about who typed or which PIN.
type LockoutStore interface {
	// LoadLockout returns the saved wrong PINs in a row and the end of
	// the lock (zero when not locked); 0 and the zero time when nothing
	// was saved.
	LoadLockout() (failures int, lockedUntil time.Time, err error)
	// SaveLockout saves them durably before it returns.
	SaveLockout(failures int, lockedUntil time.Time) error
}

// loadLockout restores the saved lockout into a new controller. A lock
// that has ended is dropped; the count stays, so the next wrong PIN after
// a restart locks as it would have without one.
func (c *Controller) loadLockout() error {
	if c.conf.Lockout == nil {
		return nil
	}
	n, until, err := c.conf.Lockout.LoadLockout()
	if err != nil {
		return fmt.Errorf("loading the keypad lockout: %w", err)
	}
	c.pinFails = max(n, 0)
	if now := c.conf.Now(); now.Before(until) {
		// A clock set back must not stretch a lock past its longest.
		c.pinLockUntil = min64(until, now.Add(LockoutMax))
	}
	if c.pinFails > 0 || !c.pinLockUntil.IsZero() {
		c.log.Warn("keypad lockout restored", "in_a_row", c.pinFails, "locked_until", c.pinLockUntil)
	}
	return nil
}

// saveLockout saves the lockout after a PIN check that changed it; c.pinMu
// must be held (so saves keep the checks' order), c.mu must not. A failed
// save is logged: the count in memory still holds until the next restart.
func (c *Controller) saveLockout(fails int, until time.Time) {
	if c.conf.Lockout == nil {
		return
	}
	if err := c.conf.Lockout.SaveLockout(fails, until); err != nil {
		c.log.Error("saving the keypad lockout", "err", err)
	}
}

// min64 returns the earlier of a and b.
func min64(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
