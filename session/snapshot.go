package session

import (
	"context"
	"maps"
	"slices"
	"time"
)

// Snapshot is the state of the terminal at one moment, for the shell (local
// API), the admin page and the portal. Its JSON form is the "state object"
// of docs/api.md.
type Snapshot struct {
	// Version increases on every visible change (not on plain activity).
	Version uint64 `json:"version"`
	// State is the terminal state.
	State State `json:"state"`
	// Mode is the configured mode.
	Mode Mode `json:"mode"`
	// Supervised is true during an agent-supervised session.
	Supervised bool `json:"supervised"`
	// Lang is the session language, or the default language.
	Lang string `json:"lang"`
	// Now is the controller's clock when the snapshot was taken.
	Now time.Time `json:"now"`
	// StartedAt and EndsAt are the session's start and hard limit (active
	// and countdown states).
	StartedAt time.Time `json:"started_at,omitzero"`
	EndsAt    time.Time `json:"ends_at,omitzero"`
	// Remaining is the time left before the limit, in seconds.
	Remaining int `json:"remaining_s,omitempty"`
	// Warning is true when the session is near its limit.
	Warning bool `json:"warning,omitempty"`
	// Idle is the time since the last activity, in seconds.
	Idle int `json:"idle_s,omitempty"`
	// CountdownEndsAt and Countdown are the end of the idle countdown and
	// the seconds left (countdown state).
	CountdownEndsAt time.Time `json:"countdown_ends_at,omitzero"`
	Countdown       int       `json:"countdown_s,omitempty"`
	// AskSatisfaction and SatisfactionEndsAt say whether and until when
	// the end-of-session question shows (ending state).
	AskSatisfaction    bool      `json:"ask_satisfaction,omitempty"`
	SatisfactionEndsAt time.Time `json:"satisfaction_ends_at,omitzero"`
	// EndReason is why the last session ended (ending and wiping states).
	EndReason string `json:"end_reason,omitempty"`
	// Message is a short message from an agent.
	Message string `json:"message,omitempty"`
	// HelpAt is when help was last requested, zero if not pending.
	HelpAt time.Time `json:"help_at,omitzero"`
	// HelpTaken is true when an agent took the last help request.
	HelpTaken bool `json:"help_taken,omitempty"`
	// Help lists the session's help requests, oldest first.
	Help []HelpRequest `json:"help,omitempty"`
	// Agent is the display name of the agent who unlocked the session.
	Agent string `json:"agent,omitempty"`
	// Overrides are the hosts an agent opened for this session, sorted.
	Overrides []string `json:"overrides,omitempty"`
	// UnlockEndsAt is when the keypad gives up (unlock state).
	UnlockEndsAt time.Time `json:"unlock_ends_at,omitzero"`
	// PINFailures is the number of wrong PINs in a row.
	PINFailures int `json:"pin_failures,omitempty"`
	// PINLockedUntil and PINRetry say until when and for how many
	// seconds the keypad is locked after wrong PINs.
	PINLockedUntil time.Time `json:"pin_locked_until,omitzero"`
	PINRetry       int       `json:"pin_retry_s,omitempty"`
	// Maintenance is true while the terminal is drained for maintenance
	// (Controller.Drain): the welcome screen shows the maintenance screen
	// and no session starts.
	Maintenance bool `json:"maintenance,omitempty"`
	// ShellVersion is the version of the shell that said hello.
	ShellVersion string `json:"shell_version,omitempty"`
	// Error says why the terminal is out of order.
	Error string `json:"error,omitempty"`
}

// secs rounds d up to whole seconds, never below zero.
func secs(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// Snapshot returns the current state.
func (c *Controller) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapshotLocked(c.conf.Now())
}

// snapshotLocked builds the snapshot; c.mu must be held.
func (c *Controller) snapshotLocked(now time.Time) Snapshot {
	s := Snapshot{
		Version: c.version, State: c.state, Mode: c.conf.Mode,
		Supervised: c.supervised.Load(), Lang: c.lang, Now: now.UTC(),
		Message: c.message, ShellVersion: c.shellVer, Maintenance: c.draining,
	}
	for _, h := range c.helps {
		s.Help = append(s.Help, HelpRequest{ID: h.id, At: h.at.UTC(), Age: int(max(now.Sub(h.at), 0) / time.Second), TakenBy: h.takenBy, TakenAt: h.takenAt.UTC()})
	}
	if n := len(c.helps); n > 0 {
		if last := c.helps[n-1]; last.takenBy == "" {
			s.HelpAt = last.at.UTC()
		} else {
			s.HelpTaken = true
		}
	}
	s.PINFailures = c.pinFails
	if now.Before(c.pinLockUntil) {
		s.PINLockedUntil = c.pinLockUntil.UTC()
		s.PINRetry = secs(c.pinLockUntil.Sub(now))
	}
	switch c.state {
	case StateUnlock:
		s.UnlockEndsAt = c.unlockEnd.UTC()
	case StateActive, StateCountdown:
		cur := c.cur
		s.Agent = cur.agent
		if m := c.overrides.Load(); m != nil {
			s.Overrides = slices.Sorted(maps.Keys(*m))
		}
		s.StartedAt, s.EndsAt = cur.started.UTC(), cur.deadline.UTC()
		s.Remaining = secs(cur.deadline.Sub(now))
		s.Warning = cur.warned
		s.Idle = int(max(now.Sub(cur.lastActivity), 0) / time.Second)
		if c.state == StateCountdown {
			s.CountdownEndsAt = cur.countdownEnd.UTC()
			s.Countdown = secs(cur.countdownEnd.Sub(now))
		}
	case StateEnding:
		s.EndReason = c.endReason
		s.AskSatisfaction = c.askSat
		s.SatisfactionEndsAt = c.satEnd.UTC()
	case StateWiping:
		s.EndReason = c.endReason
	case StateOutOfOrder:
		s.Error = c.wipeErr
	}
	return s
}

// Wait returns the state as soon as its version differs from since, or
// when ctx is done (then with the current state, maybe the same version).
func (c *Controller) Wait(ctx context.Context, since uint64) Snapshot {
	for {
		c.mu.Lock()
		if c.version != since {
			s := c.snapshotLocked(c.conf.Now())
			c.mu.Unlock()
			return s
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return c.Snapshot()
		}
	}
}

// Settings are the session settings the shell and the portal need (the
// "config" of docs/api.md without the allowlist).
type Settings struct {
	Mode                Mode              `json:"mode"`
	IdleTimeout         int               `json:"idle_timeout_s"`
	IdleCountdown       int               `json:"idle_countdown_s"`
	MaxSession          int               `json:"max_session_s"`
	MaxSupervised       int               `json:"max_supervised_s"`
	Warning             int               `json:"warning_s"`
	SatisfactionTimeout int               `json:"satisfaction_s"`
	Languages           []string          `json:"languages"`
	WelcomeText         map[string]string `json:"welcome_text"`
}

// Settings returns the settings in force (a copy).
func (c *Controller) Settings() Settings {
	wt := maps.Clone(c.conf.WelcomeText)
	if wt == nil {
		wt = map[string]string{}
	}
	return Settings{
		Mode:                c.conf.Mode,
		IdleTimeout:         secs(c.conf.IdleTimeout),
		IdleCountdown:       secs(c.conf.IdleCountdown),
		MaxSession:          secs(c.conf.MaxSession),
		MaxSupervised:       secs(c.conf.MaxSupervised),
		Warning:             secs(c.conf.Warning),
		SatisfactionTimeout: secs(c.conf.SatisfactionTimeout),
		Languages:           slices.Clone(c.conf.Languages),
		WelcomeText:         wt,
	}
}
