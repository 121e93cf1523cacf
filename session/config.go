package session

import (
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Mode says how sessions start.
type Mode string

const (
	// SelfService lets residents start sessions alone.
	SelfService Mode = "self-service"
	// SupervisedOnly needs an agent's PIN for every session (issue 5).
	SupervisedOnly Mode = "supervised-only"
	// Mixed lets residents start alone; a supervised session needs a PIN.
	Mixed Mode = "mixed"
)

// ParseMode returns the Mode named by s, or an error naming the valid modes.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case SelfService, SupervisedOnly, Mixed:
		return m, nil
	}
	return "", fmt.Errorf("%w: mode %q: want self-service, supervised-only or mixed", ErrInvalid, s)
}

// Default values of the Config fields.
const (
	DefaultIdleTimeout         = 3 * time.Minute
	DefaultIdleCountdown       = 30 * time.Second
	DefaultMaxSession          = 45 * time.Minute
	DefaultMaxSupervised       = 90 * time.Minute
	DefaultWarning             = 5 * time.Minute
	DefaultSatisfactionTimeout = 15 * time.Second
	DefaultWipeTimeout         = 60 * time.Second
	DefaultUnlockTimeout       = 2 * time.Minute
)

// DefaultLanguages are the languages of the shell, French first. They are
// also the only languages a Config may name: the portal has a translation
// for each.
var DefaultLanguages = []string{"fr", "en", "ar", "es", "pt", "ru", "tr"}

// Config is the configuration of a Controller. The zero value is valid and
// gives the documented defaults.
type Config struct {
	// Logger receives the controller's messages. If nil, slog.Default() is used.
	Logger *slog.Logger
	// Recorder receives the usage events. If nil, nothing is recorded.
	// When it also implements AgentRecorder, it gets the agent counts.
	Recorder Recorder
	// Auditor receives every agent action (unlock, override, extend,
	// end, message, help taken, wrong PIN). If nil, nothing is audited.
	Auditor Auditor
	// CheckPIN verifies a PIN typed on the kiosk's keypad and returns
	// the display name of the agent it belongs to. A wrong PIN must
	// return an error wrapping ErrWrongPIN (it counts towards the
	// lockout); any other error is an internal failure (not counted). It
	// is called without the controller's lock, one call at a time, and
	// must not call the Controller. If nil, no session can be unlocked
	// nor host opened (ErrUnlockRequired).
	CheckPIN func(pin string) (agent string, err error)
	// Lockout keeps the keypad lockout (wrong PINs in a row, end of the
	// lock) across restarts: New loads it and every PIN check that
	// changes it saves it. If nil, the lockout lives in memory only and a
	// restart resets it.
	Lockout LockoutStore
	// Now returns the current time. If nil, time.Now is used. Tests inject
	// a fake clock and drive the deadlines with Controller.Tick instead of
	// running Controller.Run.
	Now func() time.Time
	// Mode says how sessions start. If empty, SelfService is used.
	Mode Mode
	// IdleTimeout is the time without activity before the idle countdown
	// shows. If zero, DefaultIdleTimeout (3 min) is used.
	IdleTimeout time.Duration
	// IdleCountdown is the length of the "Vous êtes toujours là ?"
	// countdown. If zero, DefaultIdleCountdown (30 s) is used.
	IdleCountdown time.Duration
	// MaxSession is the longest self-service session. If zero,
	// DefaultMaxSession (45 min) is used.
	MaxSession time.Duration
	// MaxSupervised is the longest agent-supervised session. If zero,
	// DefaultMaxSupervised (90 min) is used.
	MaxSupervised time.Duration
	// Warning is how long before the session limit the warning shows. If
	// zero, DefaultWarning (5 min) is used. It must be shorter than
	// MaxSession.
	Warning time.Duration
	// SatisfactionTimeout is how long the end-of-session question stays.
	// If zero, DefaultSatisfactionTimeout (15 s) is used.
	SatisfactionTimeout time.Duration
	// WipeTimeout is how long the shell has to report a wipe before the
	// terminal goes out of order. If zero, DefaultWipeTimeout (60 s) is used.
	WipeTimeout time.Duration
	// UnlockTimeout is how long the keypad waits for an agent's PIN in
	// the unlock state before going back to welcome. If zero,
	// DefaultUnlockTimeout (2 min) is used.
	UnlockTimeout time.Duration
	// Languages are the languages offered on the welcome screen, the first
	// being the default. If empty, DefaultLanguages is used. Each must be
	// one of DefaultLanguages.
	Languages []string
	// WelcomeText is an optional text of the town for the welcome screen,
	// by language code. Missing languages use the portal's own text.
	WelcomeText map[string]string
}

// withDefaults returns a copy of c with the defaults filled in, or an error
// describing every invalid field.
func (c Config) withDefaults() (Config, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Mode == "" {
		c.Mode = SelfService
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.IdleCountdown, DefaultIdleCountdown)
	def(&c.MaxSession, DefaultMaxSession)
	def(&c.MaxSupervised, DefaultMaxSupervised)
	def(&c.Warning, DefaultWarning)
	def(&c.SatisfactionTimeout, DefaultSatisfactionTimeout)
	def(&c.WipeTimeout, DefaultWipeTimeout)
	def(&c.UnlockTimeout, DefaultUnlockTimeout)
	if len(c.Languages) == 0 {
		c.Languages = DefaultLanguages
	}
	c.Languages = slices.Clone(c.Languages)
	return c, c.validate()
}

// validate checks a Config whose defaults are filled in.
func (c *Config) validate() error {
	if _, err := ParseMode(string(c.Mode)); err != nil {
		return fmt.Errorf("session config: %w", err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"IdleTimeout", c.IdleTimeout}, {"IdleCountdown", c.IdleCountdown},
		{"MaxSession", c.MaxSession}, {"MaxSupervised", c.MaxSupervised},
		{"Warning", c.Warning}, {"SatisfactionTimeout", c.SatisfactionTimeout},
		{"WipeTimeout", c.WipeTimeout}, {"UnlockTimeout", c.UnlockTimeout},
	} {
		if d.v < 0 {
			return fmt.Errorf("session config: %w: %s is negative (%s)", ErrInvalid, d.name, d.v)
		}
	}
	if c.Warning >= c.MaxSession || c.Warning >= c.MaxSupervised {
		return fmt.Errorf("session config: %w: Warning (%s) must be shorter than MaxSession (%s) and MaxSupervised (%s)",
			ErrInvalid, c.Warning, c.MaxSession, c.MaxSupervised)
	}
	seen := map[string]bool{}
	for _, l := range c.Languages {
		if !slices.Contains(DefaultLanguages, l) {
			return fmt.Errorf("session config: %w: language %q: want one of %v", ErrInvalid, l, DefaultLanguages)
		}
		if seen[l] {
			return fmt.Errorf("session config: %w: language %q listed twice", ErrInvalid, l)
		}
		seen[l] = true
	}
	for l := range c.WelcomeText {
		if !slices.Contains(DefaultLanguages, l) {
			return fmt.Errorf("session config: %w: welcome text language %q: want one of %v", ErrInvalid, l, DefaultLanguages)
		}
	}
	return nil
}
