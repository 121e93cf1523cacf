package maintenance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Terminal is the part of the session controller the Maintainer needs.
// *session.Controller implements it.
type Terminal interface {
	// Drain refuses new sessions if the terminal is idle in the welcome
	// state and reports whether it did; it must be atomic with the start
	// of a session.
	Drain() bool
	// Undrain lets sessions start again.
	Undrain()
}

// Phase is where the Maintainer is.
type Phase string

// The phases.
const (
	// PhaseIdle: nothing pending.
	PhaseIdle Phase = "idle"
	// PhaseWaitWindow: something is pending, outside the window.
	PhaseWaitWindow Phase = "waiting_window"
	// PhaseWaitIdle: inside the window, a session (or an unlock, or the
	// satisfaction question) is under way.
	PhaseWaitIdle Phase = "waiting_idle"
	// PhaseActing: drained, the restart or reboot was requested.
	PhaseActing Phase = "acting"
)

// Defaults.
const (
	DefaultInterval     = 30 * time.Second
	DefaultOverdueAfter = 7 * 24 * time.Hour
	// DefaultActTimeout is how long the terminal stays drained after
	// asking for a restart or reboot that does not come.
	DefaultActTimeout = 10 * time.Minute
	// ActTimeout bounds the restart or reboot request itself (the
	// Maintainer's status waits for it).
	ActTimeout = 30 * time.Second
)

// Config configures a Maintainer.
type Config struct {
	// Logger receives the messages. If nil, slog.Default() is used.
	Logger *slog.Logger
	// Window is when restarts and reboots may happen. The zero Window
	// never opens: updates stay pending (and become overdue).
	Window Window
	// Now returns the current time, in the window's location. If nil,
	// time.Now is used.
	Now func() time.Time
	// Terminal is drained before acting. It must not be nil.
	Terminal Terminal
	// RebootRequired is the file whose existence means a reboot is
	// needed. If empty, DefaultRebootRequired is used.
	RebootRequired string
	// Binaries are the files (the service's and the browser's binaries)
	// whose change on disk since New means a restart is needed.
	Binaries []string
	// Restart restarts the service and the shell (the service exits with
	// a code its service manager restarts). It must not be nil.
	Restart func(ctx context.Context) error
	// Reboot asks the system to reboot. It must not be nil.
	Reboot func(ctx context.Context) error
	// Interval is the time between checks in Run. If zero,
	// DefaultInterval is used.
	Interval time.Duration
	// OverdueAfter is how long a pending update may wait before Status
	// says Overdue. If zero, DefaultOverdueAfter (7 days) is used.
	OverdueAfter time.Duration
}

// Status is the Maintainer's state, for the admin page, /metrics and
// `kiosk status`.
type Status struct {
	// Window is the maintenance window ("22:00-06:00", or "off").
	Window string `json:"window"`
	// Need is what is pending.
	Need Need `json:"need"`
	// Phase is where the Maintainer is.
	Phase Phase `json:"phase"`
	// PendingSince is when the pending need appeared (zero if none).
	PendingSince time.Time `json:"pending_since,omitzero"`
	// Overdue is true when the need has waited longer than OverdueAfter.
	Overdue bool `json:"overdue,omitempty"`
	// LastError is the last failure of a check or an action.
	LastError string `json:"last_error,omitempty"`
}

// Maintainer decides when to restart or reboot. It's safe for concurrent
// use.
type Maintainer struct {
	conf Config
	log  *slog.Logger
	bins []binary

	mu           sync.Mutex
	status       Status
	restartSince time.Time // first check that saw a binary change
	actedAt      time.Time // PhaseActing: when the action was requested
}

// New returns a Maintainer and notes the binaries' identity now.
func New(conf *Config) (*Maintainer, error) {
	c := *conf
	if c.Terminal == nil || c.Restart == nil || c.Reboot == nil {
		return nil, errors.New("maintenance: Terminal, Restart and Reboot must not be nil")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RebootRequired == "" {
		c.RebootRequired = DefaultRebootRequired
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.OverdueAfter <= 0 {
		c.OverdueAfter = DefaultOverdueAfter
	}
	m := &Maintainer{conf: c, log: c.Logger.With("component", "maintenance")}
	for _, p := range c.Binaries {
		fi, err := os.Stat(p)
		if err != nil {
			m.log.Warn("watching a binary that is missing", "path", p, "err", err)
		}
		m.bins = append(m.bins, binary{path: p, fi: fi})
	}
	m.status = Status{Window: c.Window.String(), Need: NeedNone, Phase: PhaseIdle}
	return m, nil
}

// Status returns the state of the last check.
func (m *Maintainer) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

// Run checks every Config.Interval until ctx ends, then returns nil.
func (m *Maintainer) Run(ctx context.Context) error {
	t := time.NewTicker(m.conf.Interval)
	defer t.Stop()
	for {
		if err := m.Check(ctx); err != nil {
			m.log.Error("maintenance check", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// need returns what is pending and since when.
func (m *Maintainer) need(now time.Time) (Need, time.Time, error) {
	since, err := rebootSince(m.conf.RebootRequired)
	if err != nil {
		return NeedNone, time.Time{}, err
	}
	if !since.IsZero() {
		return NeedReboot, since, nil
	}
	for _, b := range m.bins {
		if b.changed() {
			if m.restartSince.IsZero() {
				m.restartSince = now
			}
			return NeedRestart, m.restartSince, nil
		}
	}
	m.restartSince = time.Time{}
	return NeedNone, time.Time{}, nil
}

// Check looks at what is pending and, inside the window with the terminal
// idle, drains it and restarts or reboots. It returns the action's error
// (the terminal is then undrained and the next check tries again).
func (m *Maintainer) Check(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.conf.Now()
	need, since, err := m.need(now)
	st := &m.status
	if err != nil {
		st.LastError = err.Error()
		return err
	}
	st.Need, st.PendingSince = need, since
	st.Overdue = need != NeedNone && now.Sub(since) > m.conf.OverdueAfter
	if st.Phase == PhaseActing {
		if now.Sub(m.actedAt) < DefaultActTimeout {
			return nil
		}
		m.log.Warn("the restart or reboot did not happen: sessions allowed again", "need", need)
		m.conf.Terminal.Undrain()
	}
	switch {
	case need == NeedNone:
		st.Phase = PhaseIdle
		return nil
	case !m.conf.Window.Contains(now):
		st.Phase = PhaseWaitWindow
		return nil
	case !m.conf.Terminal.Drain():
		st.Phase = PhaseWaitIdle
		return nil
	}
	m.log.Info("maintenance: terminal drained", "need", need, "pending_since", since)
	act := m.conf.Restart
	if need == NeedReboot {
		act = m.conf.Reboot
	}
	actCtx, cancel := context.WithTimeout(ctx, ActTimeout)
	defer cancel()
	if err := act(actCtx); err != nil {
		m.conf.Terminal.Undrain()
		st.Phase, st.LastError = PhaseWaitIdle, err.Error()
		return fmt.Errorf("maintenance %s: %w", need, err)
	}
	st.Phase, st.LastError, m.actedAt = PhaseActing, "", now
	return nil
}
