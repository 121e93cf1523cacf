package session

import (
	"fmt"
	"time"
)

// OutOfOrder puts the terminal out of order for a cause other than a wipe,
// msg (the browser no longer starts, reported by the shell): Start and
// Unlock fail with ErrOutOfOrder until the shell reports a successful wipe
// (Wiped(true, "")), as after a failed wipe. Unlike a failed wipe, it
// counts no wipe failure. It fails with ErrWrongState while a session is
// open or an agent unlocks; it's safe for concurrent use.
func (c *Controller) OutOfOrder(msg string) error {
	return c.do(func(now time.Time) error {
		switch c.state {
		case StateWelcome, StateWiping, StateOutOfOrder:
		default:
			return fmt.Errorf("%w: out of order in state %s", ErrWrongState, c.state)
		}
		msg = clip(msg, 300)
		if msg == "" {
			msg = "out of order"
		}
		if c.state != StateOutOfOrder {
			c.log.Error("terminal out of order", "err", msg)
		}
		c.wipeErr = msg
		c.setState(StateOutOfOrder, now)
		return nil
	})
}
