package session

import (
	"fmt"
	"slices"
	"time"
)

// Start opens a session in language lang (empty means the first configured
// language). supervised asks for an agent-supervised session. A session
// that needs an agent (supervised, or mode supervised-only) does not open:
// the state goes to StateUnlock, where the keypad waits for Unlock (or
// Cancel, or Config.UnlockTimeout). Start fails with ErrOutOfOrder,
// ErrMaintenance (drained for maintenance), ErrWrongState (not in welcome), ErrInvalid (unknown language, or a
// supervised session in mode self-service) or ErrUnlockRequired (a session
// needs an agent but Config.CheckPIN is nil).
func (c *Controller) Start(lang string, supervised bool) error {
	return c.do(func(now time.Time) error {
		switch {
		case c.state == StateOutOfOrder:
			return ErrOutOfOrder
		case c.draining:
			return ErrMaintenance
		case c.state != StateWelcome && c.state != StateUnlock:
			return fmt.Errorf("%w: starting a session in state %s", ErrWrongState, c.state)
		}
		lang, err := c.langOf(lang)
		if err != nil {
			return err
		}
		if supervised && c.conf.Mode == SelfService {
			return fmt.Errorf("%w: mode self-service has no supervised sessions", ErrInvalid)
		}
		if supervised || c.conf.Mode == SupervisedOnly {
			if c.conf.CheckPIN == nil {
				return fmt.Errorf("%w (mode %s, no agent PIN check configured)", ErrUnlockRequired, c.conf.Mode)
			}
			c.lang = lang
			c.unlockEnd = now.Add(c.conf.UnlockTimeout)
			c.setState(StateUnlock, now)
			return nil
		}
		c.startLocked(lang, "", now)
		return nil
	})
}

// langOf returns lang, or the default language for "", or ErrInvalid.
func (c *Controller) langOf(lang string) (string, error) {
	if lang == "" {
		lang = c.conf.Languages[0]
	}
	if !slices.Contains(c.conf.Languages, lang) {
		return "", fmt.Errorf("%w: language %q: want one of %v", ErrInvalid, lang, c.conf.Languages)
	}
	return lang, nil
}

// startLocked opens the session, supervised by agent when not empty; c.mu
// must be held.
func (c *Controller) startLocked(lang, agent string, now time.Time) {
	supervised := agent != ""
	limit := c.conf.MaxSession
	if supervised {
		limit = c.conf.MaxSupervised
	}
	c.cur = &current{
		supervised:   supervised,
		agent:        agent,
		started:      now,
		deadline:     now.Add(limit),
		lastActivity: now,
		sites:        map[string]struct{}{},
	}
	c.lang = lang
	c.helps = nil
	c.message = ""
	c.unlockEnd = time.Time{}
	c.overrides.Store(nil)
	c.supervised.Store(supervised)
	c.record(func(r Recorder) { r.Started(now, supervised, lang) })
	c.log.Info("session started", "lang", lang, "supervised", supervised)
	c.setState(StateActive, now)
}

// Activity notes that the resident used the screen: it resets the idle
// timer of an active session. It is ignored in every other state (during
// the countdown only Continue keeps the session).
func (c *Controller) Activity() {
	_ = c.do(func(now time.Time) error {
		if c.state == StateActive {
			c.cur.lastActivity = now
			c.wakeRun()
		}
		return nil
	})
}

// Continue answers "Continuer" on the idle countdown: the session goes on
// with a fresh idle timer. In the active state it is a plain Activity.
func (c *Controller) Continue() error {
	return c.do(func(now time.Time) error {
		switch c.state {
		case StateActive:
			c.cur.lastActivity = now
			c.wakeRun()
			return nil
		case StateCountdown:
			c.cur.idle += now.Sub(c.cur.lastActivity)
			c.cur.lastActivity = now
			c.cur.countdownEnd = time.Time{}
			c.setState(StateActive, now)
			return nil
		}
		return fmt.Errorf("%w: continue in state %s", ErrWrongState, c.state)
	})
}

// Printed counts a print job that the shell handed to the printer, during
// a session or at its end (ending, wiping: the shell waits for the jobs
// the resident sent just before "Terminer ma session"). Only the count is
// recorded: nothing about the document. It is not resident activity (the
// idle timer is left alone) and changes nothing visible. It fails with
// ErrWrongState on the welcome, unlock or out-of-order screens.
func (c *Controller) Printed() error {
	return c.do(func(time.Time) error {
		if !c.state.inSession() && c.state != StateEnding && c.state != StateWiping {
			return fmt.Errorf("%w: printing outside a session (state %s)", ErrWrongState, c.state)
		}
		c.record(func(r Recorder) { r.Printed() })
		return nil
	})
}

// End ends the open session for reason (ReasonUser when empty). After
// ReasonIdle and ReasonCrash the state goes straight to wiping, otherwise
// to ending (the satisfaction question).
func (c *Controller) End(reason string) error {
	if reason == "" {
		reason = ReasonUser
	}
	if !validReason(reason) {
		return fmt.Errorf("%w: end reason %q: want user, idle, timelimit, agent or crash", ErrInvalid, reason)
	}
	return c.do(func(now time.Time) error {
		if !c.state.inSession() {
			return fmt.Errorf("%w: no open session to end (state %s)", ErrWrongState, c.state)
		}
		c.endLocked(reason, now, now)
		return nil
	})
}

// Satisfaction records the end-of-session answer (AnswerYes, AnswerPartly,
// AnswerNo; AnswerSkipped records nothing) and moves to wiping. It works
// only in the ending state.
func (c *Controller) Satisfaction(answer string) error {
	if !validAnswer(answer) {
		return fmt.Errorf("%w: answer %q: want oui, en_partie, non or skip", ErrInvalid, answer)
	}
	return c.do(func(now time.Time) error {
		if c.state != StateEnding {
			return fmt.Errorf("%w: satisfaction answer in state %s", ErrWrongState, c.state)
		}
		if answer != AnswerSkipped {
			c.record(func(r Recorder) { r.Satisfaction(answer) })
		}
		c.toWiping(now)
		return nil
	})
}

// Wiped is the shell's wipe report. ok moves wiping or out of order to
// welcome; a failure (msg says why) puts the terminal out of order.
func (c *Controller) Wiped(ok bool, msg string) error {
	return c.do(func(now time.Time) error {
		if c.state != StateWiping && c.state != StateOutOfOrder {
			return fmt.Errorf("%w: wipe report in state %s", ErrWrongState, c.state)
		}
		if ok {
			if c.state == StateOutOfOrder {
				c.log.Info("terminal back in order")
			}
			c.toWelcome(now)
			return nil
		}
		msg = clip(msg, 300)
		if msg == "" {
			msg = "wipe failed"
		}
		c.toOutOfOrder(msg, now)
		return nil
	})
}

// ShellHello notes that the shell (re)started with version. A session left
// open by an earlier shell ends as a crash and must be wiped.
func (c *Controller) ShellHello(version string) {
	_ = c.do(func(now time.Time) error {
		c.shellVer = clip(version, 64)
		if !c.crashLocked(now) {
			c.bump()
		}
		return nil
	})
}

// ShellCrash notes that the browser process died or hung: an open session
// ends as a crash, the satisfaction question is dropped, and the state
// goes to wiping. The unlock state goes back to welcome. Other states are
// left alone.
func (c *Controller) ShellCrash() {
	_ = c.do(func(now time.Time) error {
		c.crashLocked(now)
		return nil
	})
}

// crashLocked ends or abandons the session after a crash and reports
// whether the state changed; c.mu must be held.
func (c *Controller) crashLocked(now time.Time) bool {
	switch c.state {
	case StateActive, StateCountdown:
		c.endLocked(ReasonCrash, now, now)
		return true
	case StateEnding:
		c.toWiping(now)
		return true
	case StateUnlock:
		// Nothing was browsed: no wipe needed.
		c.toWelcome(now)
		return true
	}
	return false
}

// wakeRun tells Run that a deadline moved without a visible change;
// c.mu must be held.
func (c *Controller) wakeRun() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}
