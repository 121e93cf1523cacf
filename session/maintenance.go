package session

import "time"

// Drain refuses new sessions for maintenance, if the terminal is idle: in
// the welcome state, with no session, agent unlock or satisfaction question
// under way, or out of order. It reports whether the terminal is now drained. While drained,
// Start and Unlock fail with ErrMaintenance and the snapshot says
// Maintenance, so that the portal shows the maintenance screen. Drain is
// atomic with Start: a session either started before it (Drain returns
// false) or is refused after it.
func (c *Controller) Drain() bool {
	drained := false
	_ = c.do(func(now time.Time) error {
		// Out of order, nobody can use the terminal either, and the
		// restart or reboot may be what repairs it (an update that broke
		// the browser, fixed by the next one).
		if c.state != StateWelcome && c.state != StateOutOfOrder {
			return nil
		}
		if !c.draining {
			c.draining = true
			c.bump()
		}
		drained = true
		return nil
	})
	return drained
}

// Undrain lets sessions start again after Drain (the maintenance action
// failed or was called off).
func (c *Controller) Undrain() {
	_ = c.do(func(time.Time) error {
		if c.draining {
			c.draining = false
			c.bump()
		}
		return nil
	})
}
