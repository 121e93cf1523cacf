package session

import (
	"context"
	"time"
)

// maxSleep bounds the sleep of Run, so that a jump of the wall clock
// (suspend, NTP) is noticed soon.
const maxSleep = time.Second

// Tick applies every deadline that has passed at now: the idle countdown,
// the end by idle or time limit, the time warning, the end of the
// satisfaction question, an overdue wipe report, the end of the keypad's
// unlock wait and of a PIN lockout. A late tick ends the
// session at the deadline that passed first, not at now.
func (c *Controller) Tick(now time.Time) {
	_ = c.do(func(time.Time) error {
		// Each pass makes at most one transition; a late tick may need
		// several (active -> countdown -> ending).
		for c.step(now) {
		}
		return nil
	})
}

// step makes the first transition due at now and reports whether it made
// one; c.mu must be held.
func (c *Controller) step(now time.Time) bool {
	if !c.pinLockUntil.IsZero() && !now.Before(c.pinLockUntil) {
		// The keypad takes PINs again: tell the shell.
		c.pinLockUntil = time.Time{}
		c.bump()
		return true
	}
	switch c.state {
	case StateActive:
		s := c.cur
		idleAt := s.lastActivity.Add(c.conf.IdleTimeout)
		switch {
		case !now.Before(s.deadline) && !s.deadline.After(idleAt):
			c.endLocked(ReasonTimeLimit, s.deadline, now)
		case !now.Before(idleAt):
			s.countdownEnd = idleAt.Add(c.conf.IdleCountdown)
			c.setState(StateCountdown, now)
		case !s.warned && !now.Before(s.deadline.Add(-c.conf.Warning)):
			s.warned = true
			c.bump()
		default:
			return false
		}
		return true
	case StateCountdown:
		s := c.cur
		switch {
		case !now.Before(s.deadline) && !s.deadline.After(s.countdownEnd):
			c.endLocked(ReasonTimeLimit, s.deadline, now)
		case !now.Before(s.countdownEnd):
			c.endLocked(ReasonIdle, s.countdownEnd, now)
		case !s.warned && !now.Before(s.deadline.Add(-c.conf.Warning)):
			s.warned = true
			c.bump()
		default:
			return false
		}
		return true
	case StateUnlock:
		if !now.Before(c.unlockEnd) {
			c.toWelcome(now)
			return true
		}
	case StateEnding:
		if !now.Before(c.satEnd) {
			c.toWiping(now)
			return true
		}
	case StateWiping:
		if !now.Before(c.wipeEnd) {
			c.toOutOfOrder("wipe not reported in time", now)
			return true
		}
	}
	return false
}

// next returns the earliest pending deadline, or the zero time; c.mu must
// be held.
func (c *Controller) next() time.Time {
	var ds []time.Time
	switch c.state {
	case StateActive:
		s := c.cur
		ds = append(ds, s.deadline, s.lastActivity.Add(c.conf.IdleTimeout))
		if !s.warned {
			ds = append(ds, s.deadline.Add(-c.conf.Warning))
		}
	case StateCountdown:
		s := c.cur
		ds = append(ds, s.deadline, s.countdownEnd)
		if !s.warned {
			ds = append(ds, s.deadline.Add(-c.conf.Warning))
		}
	case StateUnlock:
		ds = append(ds, c.unlockEnd)
	case StateEnding:
		ds = append(ds, c.satEnd)
	case StateWiping:
		ds = append(ds, c.wipeEnd)
	}
	if !c.pinLockUntil.IsZero() {
		ds = append(ds, c.pinLockUntil)
	}
	var first time.Time
	for _, d := range ds {
		if first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first
}

// Run applies the deadlines in real time until ctx is done, then returns
// nil (a cancelled context is the normal way to stop it). Call it once,
// from main; tests may instead call Tick.
func (c *Controller) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-c.wake:
		}
		now := c.conf.Now()
		c.Tick(now)
		c.mu.Lock()
		d := maxSleep
		if n := c.next(); !n.IsZero() {
			d = min(max(n.Sub(now), time.Millisecond), maxSleep)
		}
		c.mu.Unlock()
		t.Stop()
		t.Reset(d)
	}
}
