package session

import (
	"fmt"
	"slices"
	"time"
)

// Start opens a session in language lang (empty means the first configured
// language). supervised asks for an agent-supervised session. It fails with
// ErrOutOfOrder, ErrWrongState (not in welcome), ErrInvalid (unknown
// language) or ErrUnlockRequired (mode supervised-only, or a supervised
// session: agent unlock comes with issue 5).
func (c *Controller) Start(lang string, supervised bool) error {
	return c.do(func(now time.Time) error {
		switch {
		case c.state == StateOutOfOrder:
			return ErrOutOfOrder
		case c.state != StateWelcome:
			return fmt.Errorf("%w: starting a session in state %s", ErrWrongState, c.state)
		}
		if lang == "" {
			lang = c.conf.Languages[0]
		}
		if !slices.Contains(c.conf.Languages, lang) {
			return fmt.Errorf("%w: language %q: want one of %v", ErrInvalid, lang, c.conf.Languages)
		}
		if supervised || c.conf.Mode == SupervisedOnly {
			// TODO(issue 5): go to StateUnlock and wait for an agent's PIN.
			return fmt.Errorf("%w (mode %s)", ErrUnlockRequired, c.conf.Mode)
		}
		c.startLocked(lang, false, now)
		return nil
	})
}

// startLocked opens the session; c.mu must be held.
func (c *Controller) startLocked(lang string, supervised bool, now time.Time) {
	limit := c.conf.MaxSession
	if supervised {
		limit = c.conf.MaxSupervised
	}
	c.cur = &current{
		supervised:   supervised,
		started:      now,
		deadline:     now.Add(limit),
		lastActivity: now,
		sites:        map[string]struct{}{},
	}
	c.lang = lang
	c.helpAt = time.Time{}
	c.message = ""
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

// helpRepeat is the time during which a repeated "Besoin d'aide" is not
// counted again.
const helpRepeat = time.Minute

// Help records a help request ("Besoin d'aide"). Presses repeated within a
// minute are shown but counted once.
func (c *Controller) Help() {
	_ = c.do(func(now time.Time) error {
		if !c.helpAt.IsZero() && now.Sub(c.helpAt) < helpRepeat {
			return nil
		}
		c.helpAt = now
		if c.cur != nil && c.state.inSession() {
			c.cur.help = true
		}
		c.record(func(r Recorder) { r.Help() })
		c.bump()
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
// goes to wiping. Other states are left alone.
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
	}
	return false
}

// Extend gives the open session more time (an agent's "+15 min").
func (c *Controller) Extend(by time.Duration) error {
	if by <= 0 {
		return fmt.Errorf("%w: extension %s must be positive", ErrInvalid, by)
	}
	return c.do(func(now time.Time) error {
		if !c.state.inSession() {
			return fmt.Errorf("%w: no open session to extend (state %s)", ErrWrongState, c.state)
		}
		c.cur.deadline = c.cur.deadline.Add(by)
		c.cur.extensions++
		if c.cur.deadline.Sub(now) > c.conf.Warning {
			c.cur.warned = false
		}
		c.log.Info("session extended", "by", by)
		c.bump()
		return nil
	})
}

// SetMessage shows a short message from an agent on the kiosk (at most 200
// characters; empty clears it). The message goes with the session.
func (c *Controller) SetMessage(msg string) {
	_ = c.do(func(now time.Time) error {
		c.message = clip(msg, 200)
		c.bump()
		return nil
	})
}

// wakeRun tells Run that a deadline moved without a visible change;
// c.mu must be held.
func (c *Controller) wakeRun() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}
