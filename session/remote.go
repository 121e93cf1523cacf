package session

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// helpRepeat is the time during which a repeated "Besoin d'aide" is not
// counted again.
const helpRepeat = time.Minute

// MaxMessage is the longest agent message shown on the kiosk, in
// characters.
const MaxMessage = 140

// helpRequest is one "Besoin d'aide" of the session.
type helpRequest struct {
	id      uint64
	at      time.Time
	takenBy string
	takenAt time.Time
}

// HelpRequest is a help request as the admin page shows it.
type HelpRequest struct {
	// ID identifies the request for TakeHelp.
	ID uint64 `json:"id"`
	// At is when the resident asked.
	At time.Time `json:"at"`
	// Age is the time since At, in whole seconds.
	Age int `json:"age_s"`
	// TakenBy is the agent who took it, empty while pending.
	TakenBy string `json:"taken_by,omitempty"`
	// TakenAt is when it was taken.
	TakenAt time.Time `json:"taken_at,omitzero"`
}

// Help records a help request ("Besoin d'aide"). A press within a minute
// of a pending request is shown but not counted again. Requests go with
// the session.
func (c *Controller) Help() {
	_ = c.do(func(now time.Time) error {
		if n := len(c.helps); n > 0 {
			if last := c.helps[n-1]; last.takenBy == "" && now.Sub(last.at) < helpRepeat {
				return nil
			}
		}
		c.helpID++
		c.helps = append(c.helps, helpRequest{id: c.helpID, at: now})
		if c.cur != nil && c.state.inSession() {
			c.cur.help = true
		}
		c.record(func(r Recorder) { r.Help() })
		c.bump()
		return nil
	})
}

// TakeHelp marks the help request id as taken by agent (admin page). It
// fails with ErrNotFound for an unknown or gone request and ErrWrongState
// when it is already taken.
func (c *Controller) TakeHelp(id uint64, agent string) error {
	agent = clip(agent, 64)
	return c.do(func(now time.Time) error {
		for i := range c.helps {
			h := &c.helps[i]
			if h.id != id {
				continue
			}
			if h.takenBy != "" {
				return fmt.Errorf("%w: help request %d already taken by %s", ErrWrongState, id, h.takenBy)
			}
			h.takenBy, h.takenAt = agentName(agent), now
			c.audit(now, h.takenBy, ActionHelpTaken, now.Sub(h.at).Round(time.Second).String())
			c.bump()
			return nil
		}
		return fmt.Errorf("%w: help request %d", ErrNotFound, id)
	})
}

// agentName returns name, or UnknownAgent for an empty one.
func agentName(name string) string {
	if name == "" {
		return UnknownAgent
	}
	return name
}

// EndByAgent ends the open session from the admin page (ReasonAgent: the
// satisfaction question shows).
func (c *Controller) EndByAgent(agent string) error {
	agent = agentName(clip(agent, 64))
	return c.do(func(now time.Time) error {
		if !c.state.inSession() {
			return fmt.Errorf("%w: no open session to end (state %s)", ErrWrongState, c.state)
		}
		c.audit(now, agent, ActionEnd, "")
		c.endLocked(ReasonAgent, now, now)
		return nil
	})
}

// Extend gives the open session more time (an agent's "+15 min").
func (c *Controller) Extend(agent string, by time.Duration) error {
	if by <= 0 || by > 4*time.Hour {
		return fmt.Errorf("%w: extension %s must be positive and at most 4h", ErrInvalid, by)
	}
	agent = agentName(clip(agent, 64))
	return c.do(func(now time.Time) error {
		if !c.state.inSession() {
			return fmt.Errorf("%w: no open session to extend (state %s)", ErrWrongState, c.state)
		}
		c.cur.deadline = c.cur.deadline.Add(by)
		c.cur.extensions++
		if c.cur.deadline.Sub(now) > c.conf.Warning {
			c.cur.warned = false
		}
		c.recordAgent(func(r AgentRecorder) { r.Extension() })
		c.audit(now, agent, ActionExtend, "+"+by.String())
		c.log.Info("session extended", "by", by, "agent", agent)
		c.bump()
		return nil
	})
}

// SetMessage shows a short message from an agent on the kiosk ("Un agent
// arrive"): control characters are removed, spaces collapsed, and the text
// cut at MaxMessage characters; empty clears it. It needs an open session
// and goes with it. The text is not audited.
func (c *Controller) SetMessage(agent, text string) error {
	agent = agentName(clip(agent, 64))
	text = cleanMessage(text)
	return c.do(func(now time.Time) error {
		if !c.state.inSession() {
			return fmt.Errorf("%w: no open session to show a message (state %s)", ErrWrongState, c.state)
		}
		detail := "set"
		if text == "" {
			detail = "cleared"
		}
		c.message = text
		c.audit(now, agent, ActionMessage, detail)
		c.bump()
		return nil
	})
}

// cleanMessage returns s with control and format characters removed,
// runs of spaces made one, trimmed, at most MaxMessage characters.
func cleanMessage(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == unicode.ReplacementChar:
			return -1
		}
		return r
	}, s)
	return clip(strings.Join(strings.Fields(s), " "), MaxMessage)
}
