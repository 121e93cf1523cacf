package session_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/communes/kiosk/session"
)

// pins is a fake PIN check (the agent store is a process edge here; the
// agent package tests the real one): PIN -> agent name.
type pins struct {
	m     map[string]string
	calls atomic.Int32
	err   error // returned for every PIN when set
}

func (p *pins) check(pin string) (string, error) {
	p.calls.Add(1)
	if p.err != nil {
		return "", p.err
	}
	if name, ok := p.m[pin]; ok {
		return name, nil
	}
	return "", fmt.Errorf("checking: %w", session.ErrWrongPIN)
}

// auditor keeps the audit lines as "agent action detail".
type auditor struct {
	mu    sync.Mutex
	lines []string
}

func (a *auditor) Audit(at time.Time, agent, action, detail string) {
	a.mu.Lock()
	a.lines = append(a.lines, strings.TrimSpace(agent+" "+action+" "+detail))
	a.mu.Unlock()
}

func (a *auditor) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return strings.Join(a.lines, "; ")
}

// agentTest is a controller with agents Marie (482913) and Ahmed (730461).
type agentTest struct {
	c   *session.Controller
	clk *clock
	rec *recorder
	aud *auditor
	pin *pins
}

func newAgentTest(t *testing.T, conf session.Config) *agentTest {
	t.Helper()
	at := &agentTest{aud: &auditor{}, pin: &pins{m: map[string]string{"482913": "Marie", "730461": "Ahmed"}}}
	conf.CheckPIN = at.pin.check
	conf.Auditor = at.aud
	at.c, at.clk, at.rec = newTest(t, conf)
	return at
}

// at moves the clock to t0+d and ticks.
func (at *agentTest) at(d time.Duration) {
	at.clk.Set(t0.Add(d))
	at.c.Tick(t0.Add(d))
}

func (at *agentTest) want(t *testing.T, st session.State, supervised bool) session.Snapshot {
	t.Helper()
	s := at.c.Snapshot()
	if s.State != st || s.Supervised != supervised || at.c.Supervised() != supervised {
		t.Fatalf("state %s supervised %v (policy %v), want %s %v", s.State, s.Supervised, at.c.Supervised(), st, supervised)
	}
	return s
}

func TestController_SupervisedOnly(t *testing.T) {
	at := newAgentTest(t, session.Config{Mode: session.SupervisedOnly})
	c := at.c
	if err := c.Start("ar", false); err != nil {
		t.Fatalf("Start: %v", err)
	}
	s := at.want(t, session.StateUnlock, false)
	if s.Lang != "ar" || !s.UnlockEndsAt.Equal(t0.Add(2*mn)) {
		t.Errorf("unlock snapshot: lang %q unlock_ends_at %v, want ar and +2 min", s.Lang, s.UnlockEndsAt)
	}
	if err := c.Unlock("111111", ""); !errors.Is(err, session.ErrWrongPIN) {
		t.Fatalf("Unlock(wrong) = %v, want ErrWrongPIN", err)
	}
	at.want(t, session.StateUnlock, false)
	at.at(10 * sec)
	if err := c.Unlock("482913", ""); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	s = at.want(t, session.StateActive, true)
	if s.Agent != "Marie" || s.Lang != "ar" || !s.EndsAt.Equal(t0.Add(10*sec+90*mn)) || s.PINFailures != 0 {
		t.Errorf("supervised session: agent %q lang %q ends %v failures %d, want Marie, ar, +90 min, 0", s.Agent, s.Lang, s.EndsAt, s.PINFailures)
	}
	if err := c.Unlock("730461", ""); !errors.Is(err, session.ErrWrongState) {
		t.Errorf("Unlock in a supervised session = %v, want ErrWrongState", err)
	}
	if err := c.End(session.ReasonUser); err != nil {
		t.Fatal(err)
	}
	at.want(t, session.StateEnding, false)
	// The next session needs a PIN again; Unlock works from welcome too.
	if err := c.Satisfaction("oui"); err != nil {
		t.Fatal(err)
	}
	if err := c.Wiped(true, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Unlock("730461", "es"); err != nil {
		t.Fatalf("Unlock from welcome: %v", err)
	}
	if s := at.want(t, session.StateActive, true); s.Agent != "Ahmed" || s.Lang != "es" {
		t.Errorf("second session: agent %q lang %q, want Ahmed es", s.Agent, s.Lang)
	}
	if got, want := at.aud.String(), "? pin_failed unlock; Marie unlock start; Ahmed unlock start"; got != want {
		t.Errorf("audit %q, want %q", got, want)
	}
	if got, want := at.rec.String(), "agent_unlock; started ar true; ended user; satisfaction oui; agent_unlock; started es true"; got != want {
		t.Errorf("recorded %q, want %q", got, want)
	}
	if e := at.rec.lastEnd(t); !e.Supervised {
		t.Errorf("ended session not marked supervised: %+v", e)
	}
}

func TestController_UnlockCancelAndTimeout(t *testing.T) {
	at := newAgentTest(t, session.Config{Mode: session.Mixed, UnlockTimeout: time.Minute})
	c := at.c
	if err := c.Start("fr", true); err != nil {
		t.Fatal(err)
	}
	at.want(t, session.StateUnlock, false)
	if err := c.Cancel(); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	at.want(t, session.StateWelcome, false)
	if err := c.Cancel(); !errors.Is(err, session.ErrWrongState) {
		t.Errorf("Cancel in welcome = %v, want ErrWrongState", err)
	}
	if err := c.Start("fr", true); err != nil {
		t.Fatal(err)
	}
	at.at(59 * sec)
	at.want(t, session.StateUnlock, false)
	at.at(60 * sec)
	at.want(t, session.StateWelcome, false)
	// A restarted shell shows the welcome screen again.
	if err := c.Start("fr", true); err != nil {
		t.Fatal(err)
	}
	c.ShellHello("2.0")
	at.want(t, session.StateWelcome, false)
	// A resident who changes their mind starts alone from the keypad.
	if err := c.Start("fr", true); err != nil {
		t.Fatal(err)
	}
	if err := c.Start("fr", false); err != nil {
		t.Fatalf("Start(alone) from unlock in mixed mode: %v", err)
	}
	at.want(t, session.StateActive, false)
	if got := at.rec.String(); got != "started fr false" {
		t.Errorf("recorded %q: the keypad must not count sessions", got)
	}
}

func TestController_Mixed(t *testing.T) {
	at := newAgentTest(t, session.Config{Mode: session.Mixed, IdleTimeout: 3 * time.Hour})
	c := at.c
	// "Session accompagnée" from the welcome screen.
	if err := c.Unlock("482913", "pt"); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if s := at.want(t, session.StateActive, true); !s.EndsAt.Equal(t0.Add(90 * mn)) {
		t.Errorf("supervised limit: ends %v, want +90 min", s.EndsAt)
	}
	if err := c.End(session.ReasonIdle); err != nil {
		t.Fatal(err)
	}
	if err := c.Wiped(true, ""); err != nil {
		t.Fatal(err)
	}
	// A resident alone, then an agent joins: the session becomes supervised.
	at.at(time.Hour)
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	at.want(t, session.StateActive, false)
	at.at(time.Hour + 41*mn) // warning shown (4 min left)
	if s := c.Snapshot(); !s.Warning {
		t.Fatalf("no warning 4 min before the self-service limit")
	}
	if err := c.Unlock("730461", ""); err != nil {
		t.Fatalf("Unlock during a session: %v", err)
	}
	s := at.want(t, session.StateActive, true)
	if !s.EndsAt.Equal(t0.Add(time.Hour+90*mn)) || s.Warning || s.Agent != "Ahmed" {
		t.Errorf("upgraded session: ends %v warning %v agent %q, want start+90 min, no warning, Ahmed", s.EndsAt, s.Warning, s.Agent)
	}
	if got, want := at.aud.String(), "Marie unlock start; Ahmed unlock upgrade"; got != want {
		t.Errorf("audit %q, want %q", got, want)
	}

	self := newAgentTest(t, session.Config{})
	if err := self.c.Unlock("482913", ""); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Unlock in mode self-service = %v, want ErrInvalid", err)
	}
	if n := self.pin.calls.Load(); n != 0 {
		t.Errorf("PIN checked %d times for a refused unlock, want 0", n)
	}
}

func TestController_Overrides(t *testing.T) {
	at := newAgentTest(t, session.Config{})
	c := at.c
	if err := c.OverrideHost("482913", "www.impots.gouv.fr"); !errors.Is(err, session.ErrWrongState) {
		t.Fatalf("OverrideHost outside a session = %v, want ErrWrongState", err)
	}
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"", "WWW.X.FR", "x.fr.", "a..b", "x.fr:443", "x.fr/path", strings.Repeat("a", 254)} {
		if err := c.OverrideHost("482913", h); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("OverrideHost(%q) = %v, want ErrInvalid", h, err)
		}
	}
	if err := c.OverrideHost("999999", "www.ameli.fr"); !errors.Is(err, session.ErrWrongPIN) {
		t.Errorf("OverrideHost(wrong PIN) = %v, want ErrWrongPIN", err)
	}
	if c.Override("www.ameli.fr") {
		t.Fatal("host opened by a wrong PIN")
	}
	if err := c.OverrideHost("482913", "www.ameli.fr"); err != nil {
		t.Fatalf("OverrideHost: %v", err)
	}
	if err := c.OverrideHost("730461", "docs.example.org"); err != nil {
		t.Fatalf("OverrideHost: %v", err)
	}
	for h, want := range map[string]bool{"www.ameli.fr": true, "docs.example.org": true, "ameli.fr": false, "x.www.ameli.fr": false} {
		if got := c.Override(h); got != want {
			t.Errorf("Override(%q) = %v, want %v", h, got, want)
		}
	}
	s := at.want(t, session.StateActive, false)
	if strings.Join(s.Overrides, ",") != "docs.example.org,www.ameli.fr" {
		t.Errorf("snapshot overrides %v", s.Overrides)
	}
	// The overrides go with the session.
	if err := c.End(session.ReasonUser); err != nil {
		t.Fatal(err)
	}
	if c.Override("www.ameli.fr") {
		t.Error("override still open after the session ended")
	}
	_ = c.Satisfaction("skip")
	_ = c.Wiped(true, "")
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	if c.Override("www.ameli.fr") || len(c.Snapshot().Overrides) != 0 {
		t.Error("override open again in the next session")
	}
	if got, want := at.aud.String(), "? pin_failed override www.ameli.fr; Marie override www.ameli.fr; Ahmed override docs.example.org"; got != want {
		t.Errorf("audit %q, want %q", got, want)
	}
	if got := at.rec.String(); strings.Count(got, "override") != 2 {
		t.Errorf("recorded %q, want two overrides", got)
	}
}

func TestController_OverrideLimit(t *testing.T) {
	at := newAgentTest(t, session.Config{})
	if err := at.c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	for i := range session.MaxOverrides {
		if err := at.c.OverrideHost("482913", fmt.Sprintf("h%d.example", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := at.c.OverrideHost("482913", "one-more.example"); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("override beyond the limit = %v, want ErrInvalid", err)
	}
	if err := at.c.OverrideHost("482913", "h1.example"); err != nil {
		t.Errorf("opening an open host again = %v, want nil", err)
	}
}

func TestController_ModesStart(t *testing.T) {
	testCases := []struct {
		mode       session.Mode
		supervised bool
		wantErr    error
		want       session.State
		unlockErr  error // Unlock from welcome
	}{
		{session.SelfService, false, nil, session.StateActive, session.ErrInvalid},
		{session.SelfService, true, session.ErrInvalid, session.StateWelcome, session.ErrInvalid},
		{session.Mixed, false, nil, session.StateActive, nil},
		{session.Mixed, true, nil, session.StateUnlock, nil},
		{session.SupervisedOnly, false, nil, session.StateUnlock, nil},
		{session.SupervisedOnly, true, nil, session.StateUnlock, nil},
	}
	for _, tc := range testCases {
		t.Run(fmt.Sprintf("%s/%v", tc.mode, tc.supervised), func(t *testing.T) {
			at := newAgentTest(t, session.Config{Mode: tc.mode})
			if err := at.c.Start("fr", tc.supervised); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Start = %v, want %v", err, tc.wantErr)
			}
			at.want(t, tc.want, false)
			fresh := newAgentTest(t, session.Config{Mode: tc.mode})
			err := fresh.c.Unlock("482913", "")
			if !errors.Is(err, tc.unlockErr) {
				t.Fatalf("Unlock from welcome = %v, want %v", err, tc.unlockErr)
			}
			if err == nil {
				fresh.want(t, session.StateActive, true)
			}
		})
	}
}
