package session

import (
	"errors"
	"fmt"
	"time"
)

// Auditor receives every agent action, for the audit log of the admin
// page. detail never holds resident data (a host opened by an override is
// not resident data). The controller calls it outside its lock, one call at
// a time and in order, together with the Recorder; it must not call the
// Controller.
type Auditor interface {
	Audit(at time.Time, agent, action, detail string)
}

// AgentRecorder is implemented by a Recorder that also counts agent
// actions (usage.AgentUnlock, Extension, Override). The controller checks
// for it with a type assertion, so a plain Recorder still works.
type AgentRecorder interface {
	// AgentUnlock is called when an agent opens a supervised session.
	AgentUnlock()
	// Extension is called when an agent gives a session more time.
	Extension()
	// Override is called when an agent opens a blocked host.
	Override()
}

// Audited actions.
const (
	ActionUnlock    = "unlock"     // detail: "start" or "upgrade"
	ActionOverride  = "override"   // detail: the host
	ActionExtend    = "extend"     // detail: "+15m0s"
	ActionEnd       = "end"        // detail: ""
	ActionMessage   = "message"    // detail: "set" or "cleared" (never the text)
	ActionHelpTaken = "help_taken" // detail: the request's age ("2m30s")
	ActionPINFailed = "pin_failed" // agent "?"; detail: "unlock" or "override HOST"
	ActionLockout   = "pin_lockout"
)

// UnknownAgent is the agent name audited for a wrong PIN.
const UnknownAgent = "?"

// Keypad lockout: after LockoutAfter wrong PINs in a row, each further
// wrong PIN locks the keypad for LockoutBase, doubling each time, at most
// LockoutMax. A right PIN resets the count. The count and the lock's end
// are saved in Config.Lockout, so a restart does not reset them.
const (
	LockoutAfter = 5
	LockoutBase  = 30 * time.Second
	LockoutMax   = 15 * time.Minute
)

// MaxOverrides bounds the hosts opened in one session.
const MaxOverrides = 32

// lockoutDelay returns the lock after the n-th wrong PIN in a row.
func lockoutDelay(n int) time.Duration {
	if n < LockoutAfter {
		return 0
	}
	d := LockoutBase
	for i := LockoutAfter; i < n && d < LockoutMax; i++ {
		d *= 2
	}
	return min(d, LockoutMax)
}

// lockedLocked returns a *LockoutError while the keypad is locked; c.mu
// must be held.
func (c *Controller) lockedLocked(now time.Time) error {
	if now.Before(c.pinLockUntil) {
		left := c.pinLockUntil.Sub(now)
		return &LockoutError{Until: c.pinLockUntil.UTC(), Retry: time.Duration(secs(left)) * time.Second}
	}
	return nil
}

// checkPIN runs the PIN check of an action: pre checks the state under the
// lock, then the PIN is verified without the lock, then apply runs under
// the lock (after pre again: the state may have moved) with the agent's
// name. what describes the attempt in the audit of a wrong PIN.
func (c *Controller) checkPIN(pin, what string, pre func(now time.Time) error, apply func(agent string, now time.Time)) error {
	if c.conf.CheckPIN == nil {
		return fmt.Errorf("%w: no agent PIN check configured", ErrUnlockRequired)
	}
	c.pinMu.Lock()
	defer c.pinMu.Unlock()
	err := c.do(func(now time.Time) error {
		if err := pre(now); err != nil {
			return err
		}
		return c.lockedLocked(now)
	})
	if err != nil {
		return err
	}
	agent, cerr := c.conf.CheckPIN(pin)
	if cerr == nil && agent == "" {
		cerr = errors.New("PIN check returned no agent name")
	}
	var save bool
	var fails int
	var until time.Time
	defer func() {
		if save { // under pinMu, outside mu
			c.saveLockout(fails, until)
		}
	}()
	return c.do(func(now time.Time) error {
		switch {
		case errors.Is(cerr, ErrWrongPIN):
			err := c.wrongPINLocked(what, now)
			save, fails, until = true, c.pinFails, c.pinLockUntil
			return err
		case cerr != nil:
			return fmt.Errorf("checking the PIN: %w", cerr)
		}
		if c.pinFails > 0 || !c.pinLockUntil.IsZero() {
			c.pinFails, c.pinLockUntil = 0, time.Time{}
			save = true
			c.bump()
		}
		if err := pre(now); err != nil {
			return err
		}
		apply(clip(agent, 64), now)
		return nil
	})
}

// wrongPINLocked counts a wrong PIN, locks the keypad when due, and
// returns the error for the caller; c.mu must be held.
func (c *Controller) wrongPINLocked(what string, now time.Time) error {
	c.pinFails++
	c.audit(now, UnknownAgent, ActionPINFailed, what)
	c.log.Warn("wrong agent PIN", "attempt", what, "in_a_row", c.pinFails)
	d := lockoutDelay(c.pinFails)
	if d == 0 {
		c.bump()
		return fmt.Errorf("%w (%d in a row)", ErrWrongPIN, c.pinFails)
	}
	c.pinLockUntil = now.Add(d)
	c.audit(now, UnknownAgent, ActionLockout, d.String())
	c.bump()
	return c.lockedLocked(now)
}

// Unlock checks an agent's PIN and opens a supervised session (with the
// supervised sites and Config.MaxSupervised) in language lang (empty: the
// language chosen at Start, else the default). It works in welcome and
// unlock (mode supervised-only or mixed), and in an open self-service
// session of mode mixed, which becomes supervised (its limit becomes the
// supervised one if longer). It fails with ErrWrongPIN, a *LockoutError
// (ErrLocked), ErrWrongState, ErrOutOfOrder, ErrMaintenance, ErrInvalid (language, or mode
// self-service) or ErrUnlockRequired (no PIN check configured).
func (c *Controller) Unlock(pin, lang string) error {
	pre := func(time.Time) error {
		switch {
		case c.conf.Mode == SelfService:
			return fmt.Errorf("%w: mode self-service has no supervised sessions", ErrInvalid)
		case c.state == StateOutOfOrder:
			return ErrOutOfOrder
		case c.draining && !c.state.inSession():
			return ErrMaintenance
		case c.state == StateWelcome, c.state == StateUnlock:
		case c.state.inSession() && !c.cur.supervised && c.conf.Mode == Mixed:
		default:
			return fmt.Errorf("%w: unlock in state %s", ErrWrongState, c.state)
		}
		if lang == "" && c.state != StateWelcome {
			return nil
		}
		_, err := c.langOf(lang)
		return err
	}
	return c.checkPIN(pin, "unlock", pre, func(agent string, now time.Time) {
		c.recordAgent(func(r AgentRecorder) { r.AgentUnlock() })
		if c.state.inSession() {
			s := c.cur
			s.supervised, s.agent = true, agent
			if d := s.started.Add(c.conf.MaxSupervised); d.After(s.deadline) {
				s.deadline = d
				s.warned = s.deadline.Sub(now) <= c.conf.Warning
			}
			c.supervised.Store(true)
			c.audit(now, agent, ActionUnlock, "upgrade")
			c.log.Info("session supervised", "agent", agent)
			c.bump()
			return
		}
		l := c.lang
		if lang != "" || c.state == StateWelcome {
			l, _ = c.langOf(lang)
		}
		c.audit(now, agent, ActionUnlock, "start")
		c.startLocked(l, agent, now)
	})
}

// Cancel leaves the unlock state for welcome ("Annuler" on the keypad).
func (c *Controller) Cancel() error {
	return c.do(func(now time.Time) error {
		if c.state != StateUnlock {
			return fmt.Errorf("%w: cancel in state %s", ErrWrongState, c.state)
		}
		c.toWelcome(now)
		return nil
	})
}

// OverrideHost checks an agent's PIN and opens host for the rest of the
// open session only ("Demander à un agent" on the blocked page). host must
// be canonical (allowlist.CanonicalHost, not an IP address): lower case,
// no port, no trailing dot. It fails like Unlock, with ErrWrongState
// outside a session and ErrInvalid for a bad host or too many overrides.
func (c *Controller) OverrideHost(pin, host string) error {
	if !validHost(host) {
		return fmt.Errorf("%w: host %q: want a canonical host name", ErrInvalid, clip(host, 80))
	}
	pre := func(time.Time) error {
		if !c.state.inSession() {
			return fmt.Errorf("%w: no open session (state %s)", ErrWrongState, c.state)
		}
		if m := c.overrides.Load(); m != nil && len(*m) >= MaxOverrides {
			if _, ok := (*m)[host]; !ok {
				return fmt.Errorf("%w: at most %d hosts opened per session", ErrInvalid, MaxOverrides)
			}
		}
		return nil
	}
	return c.checkPIN(pin, "override "+host, pre, func(agent string, now time.Time) {
		m := map[string]struct{}{host: {}}
		if old := c.overrides.Load(); old != nil {
			for h := range *old {
				m[h] = struct{}{}
			}
		}
		c.overrides.Store(&m)
		c.recordAgent(func(r AgentRecorder) { r.Override() })
		c.audit(now, agent, ActionOverride, host)
		c.log.Info("host opened by an agent", "agent", agent, "host", host)
		c.bump()
	})
}

// validHost reports whether h looks like a canonical host name: 1 to 253
// bytes of [a-z0-9.-_], no empty label, not ending with a dot.
func validHost(h string) bool {
	if h == "" || len(h) > 253 || h[0] == '.' || h[len(h)-1] == '.' {
		return false
	}
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.':
			if h[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}
