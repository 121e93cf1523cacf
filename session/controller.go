// Package session is the service-side session controller of the kiosk.
//
// A Controller holds the state of the terminal (welcome, active, idle
// countdown, ending, wiping, out of order), enforces the idle timeout and
// the maximum session length, and reports usage events to a Recorder. The
// shell drives it through the local API (package api); the proxy asks it
// whether the session is supervised (Supervised, Override) and tells it
// which sites are visited (Visited).
//
// Time is injected (Config.Now). Deadlines fire in Tick, which Run calls
// from a background loop; tests call Tick with a fake clock instead of
// running the loop.
//
// Agents (issue 5): Config.CheckPIN verifies a PIN typed on the kiosk's
// keypad; Unlock opens an agent-supervised session (mode supervised-only,
// or "Session accompagnée" in mode mixed) and OverrideHost opens one
// blocked host for the rest of the session. Wrong PINs lock the keypad for
// a growing delay. The admin page's remote actions (EndByAgent, Extend,
// SetMessage, TakeHelp) and every agent action go to the Auditor.
package session

import (
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Controller is the session state machine. It's safe for concurrent use.
type Controller struct {
	conf Config
	log  *slog.Logger

	// supervised mirrors cur.supervised for the proxy's hot path.
	supervised atomic.Bool

	// recMu serialises Recorder calls so that they keep the event order.
	recMu sync.Mutex

	mu        sync.Mutex
	state     State
	version   uint64
	changed   chan struct{} // closed and replaced on every version bump
	wake      chan struct{} // wakes Run when deadlines may have moved
	cur       *current      // the open or just-ended session, nil in welcome
	lang      string        // session language, or the default one
	endReason string
	askSat    bool
	satEnd    time.Time // ending: when the question times out
	wipeEnd   time.Time // wiping: when the report is overdue
	wipeErr   string
	message   string
	helps     []helpRequest // this session's help requests, oldest first
	helpID    uint64        // last help request ID
	shellVer  string
	unlockEnd time.Time // unlock: when the keypad gives up
	draining  bool      // maintenance: new sessions are refused (Drain)
	events    []func()

	// overrides are the hosts opened by an agent for this session, read
	// by the proxy without the lock. The map is never modified once
	// stored: a change stores a new one.
	overrides atomic.Pointer[map[string]struct{}]

	// pinMu serialises PIN checks, so that parallel attempts cannot pass
	// the lockout; it's taken before mu.
	pinMu        sync.Mutex
	pinFails     int       // wrong PINs in a row
	pinLockUntil time.Time // keypad locked until then
}

// current is one session.
type current struct {
	supervised   bool
	agent        string // the supervising agent's display name
	started      time.Time
	deadline     time.Time
	lastActivity time.Time
	countdownEnd time.Time
	idle         time.Duration
	warned       bool
	extensions   int
	help         bool
	sites        map[string]struct{}
}

// New returns a controller in the welcome state. conf may be nil (all
// defaults). It returns an error wrapping ErrInvalid for a bad Config.
func New(conf *Config) (*Controller, error) {
	var c Config
	if conf != nil {
		c = *conf
	}
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	ctl := &Controller{
		conf:    c,
		log:     c.Logger.With("component", "session"),
		state:   StateWelcome,
		version: 1,
		changed: make(chan struct{}),
		wake:    make(chan struct{}, 1),
		lang:    c.Languages[0],
	}
	if err := ctl.loadLockout(); err != nil {
		return nil, err
	}
	return ctl, nil
}

// do runs f under the lock with the current time, then delivers the
// Recorder events f queued, in order and outside the lock.
func (c *Controller) do(f func(now time.Time) error) error {
	c.mu.Lock()
	err := f(c.conf.Now())
	ev := c.events
	c.events = nil
	if len(ev) == 0 {
		c.mu.Unlock()
		return err
	}
	c.recMu.Lock()
	c.mu.Unlock()
	defer c.recMu.Unlock()
	for _, e := range ev {
		e()
	}
	return err
}

// record queues a Recorder call; c.mu must be held.
func (c *Controller) record(e func(Recorder)) {
	if r := c.conf.Recorder; r != nil {
		c.events = append(c.events, func() { e(r) })
	}
}

// recordAgent queues an AgentRecorder call, when the Recorder has those
// methods; c.mu must be held.
func (c *Controller) recordAgent(e func(AgentRecorder)) {
	if r, ok := c.conf.Recorder.(AgentRecorder); ok {
		c.events = append(c.events, func() { e(r) })
	}
}

// audit queues an Auditor call; c.mu must be held.
func (c *Controller) audit(at time.Time, agent, action, detail string) {
	if a := c.conf.Auditor; a != nil {
		c.events = append(c.events, func() { a.Audit(at, agent, action, detail) })
	}
}

// bump marks a visible change: new version, long polls and Run woken.
// c.mu must be held.
func (c *Controller) bump() {
	c.version++
	close(c.changed)
	c.changed = make(chan struct{})
	c.wakeRun()
}

// setState moves to s and bumps; c.mu must be held.
func (c *Controller) setState(s State, now time.Time) {
	if c.state != s {
		c.log.Debug("state", "from", c.state, "to", s)
	}
	c.state = s
	c.bump()
}

// endLocked ends the open session for reason at time at (<= now: a late
// tick ends the session when its deadline passed). c.mu must be held and a
// session must be open.
func (c *Controller) endLocked(reason string, at, now time.Time) {
	s := c.cur
	if c.state == StateCountdown {
		s.idle += at.Sub(s.lastActivity)
	}
	sites := make([]string, 0, len(s.sites))
	for name := range s.sites {
		sites = append(sites, name)
	}
	slices.Sort(sites)
	d := at.Sub(s.started)
	e := End{
		Reason: reason, Started: s.started, Ended: at,
		Active: max(d-s.idle, 0), Idle: s.idle,
		Supervised: s.supervised, Lang: c.lang, Sites: sites,
		Extensions: s.extensions, Help: s.help,
	}
	c.record(func(r Recorder) {
		if err := r.Ended(e); err != nil {
			c.log.Error("recording session end", "err", err)
		}
	})
	c.log.Info("session ended", "reason", reason, "duration", d.Round(time.Second))
	c.supervised.Store(false)
	c.overrides.Store(nil)
	c.endReason = reason
	c.helps = nil
	c.message = ""
	if asksSatisfaction(reason) {
		c.askSat = true
		c.satEnd = now.Add(c.conf.SatisfactionTimeout)
		c.setState(StateEnding, now)
		return
	}
	c.toWiping(now)
}

// toWiping asks the shell to wipe; c.mu must be held.
func (c *Controller) toWiping(now time.Time) {
	c.askSat = false
	c.wipeEnd = now.Add(c.conf.WipeTimeout)
	c.setState(StateWiping, now)
}

// toOutOfOrder records a wipe failure; c.mu must be held.
func (c *Controller) toOutOfOrder(msg string, now time.Time) {
	c.wipeErr = msg
	if c.state != StateOutOfOrder {
		c.log.Error("terminal out of order", "err", msg)
		c.record(func(r Recorder) { r.WipeFailed() })
	}
	c.setState(StateOutOfOrder, now)
}

// toWelcome resets everything of the last session; c.mu must be held.
func (c *Controller) toWelcome(now time.Time) {
	c.cur = nil
	c.lang = c.conf.Languages[0]
	c.endReason = ""
	c.askSat = false
	c.wipeErr = ""
	c.helps = nil
	c.message = ""
	c.unlockEnd = time.Time{}
	c.setState(StateWelcome, now)
}

// clip shortens s to n runes after trimming spaces.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
