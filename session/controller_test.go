package session_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/session"
)

// step is one moment of a scenario: the clock is set to t0+at, the
// controller ticks, then do runs (if any).
type step struct {
	at      time.Duration
	do      func(c *session.Controller) error
	wantErr error
	want    session.State
}

func start(c *session.Controller) error     { return c.Start("fr", false) }
func endUser(c *session.Controller) error   { return c.End(session.ReasonUser) }
func cont(c *session.Controller) error      { return c.Continue() }
func activity(c *session.Controller) error  { c.Activity(); return nil }
func wipedOK(c *session.Controller) error   { return c.Wiped(true, "") }
func wipedFail(c *session.Controller) error { return c.Wiped(false, "removing profile: busy") }
func crash(c *session.Controller) error     { c.ShellCrash(); return nil }
func printed(c *session.Controller) error   { return c.Printed() }
func answer(a string) func(*session.Controller) error {
	return func(c *session.Controller) error { return c.Satisfaction(a) }
}

const (
	sec = time.Second
	mn  = time.Minute
)

func TestController_Transitions(t *testing.T) {
	testCases := []struct {
		name    string
		conf    session.Config
		steps   []step
		wantRec string
	}{{
		name: "idle countdown then end by idle, no question",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: 3*mn - sec, want: session.StateActive},
			{at: 3 * mn, want: session.StateCountdown},
			{at: 3*mn + 29*sec, want: session.StateCountdown},
			{at: 3*mn + 30*sec, want: session.StateWiping},
			{at: 3*mn + 31*sec, do: wipedOK, want: session.StateWelcome},
		},
		wantRec: "started fr false; ended idle",
	}, {
		name: "continuer keeps the session",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: 3*mn + 10*sec, do: cont, want: session.StateActive},
			{at: 6*mn + 9*sec, want: session.StateActive},
			{at: 6*mn + 10*sec, want: session.StateCountdown},
		},
		wantRec: "started fr false",
	}, {
		name: "activity resets the idle timer, not the countdown",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: 2 * mn, do: activity, want: session.StateActive},
			{at: 4*mn + 59*sec, want: session.StateActive},
			{at: 5 * mn, do: activity, want: session.StateCountdown},
			{at: 5*mn + 30*sec, want: session.StateWiping},
		},
		wantRec: "started fr false; ended idle",
	}, {
		name: "time limit ends with the question",
		conf: session.Config{IdleTimeout: time.Hour},
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: 45*mn - sec, want: session.StateActive},
			{at: 45 * mn, want: session.StateEnding},
			{at: 45*mn + sec, do: answer("oui"), want: session.StateWiping},
			{at: 45*mn + 2*sec, do: wipedOK, want: session.StateWelcome},
		},
		wantRec: "started fr false; ended timelimit; satisfaction oui",
	}, {
		name: "user end, question times out",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: endUser, want: session.StateEnding},
			{at: mn + 14*sec, want: session.StateEnding},
			{at: mn + 15*sec, want: session.StateWiping},
			{at: mn + 16*sec, do: answer("non"), wantErr: session.ErrWrongState, want: session.StateWiping},
		},
		wantRec: "started fr false; ended user",
	}, {
		name: "skip records no answer",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: endUser, want: session.StateEnding},
			{at: mn + sec, do: answer("skip"), want: session.StateWiping},
		},
		wantRec: "started fr false; ended user",
	}, {
		name: "agent end",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: func(c *session.Controller) error { return c.End(session.ReasonAgent) }, want: session.StateEnding},
			{at: mn + sec, do: answer("en_partie"), want: session.StateWiping},
		},
		wantRec: "started fr false; ended agent; satisfaction en_partie",
	}, {
		name: "crash in session goes straight to wiping",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: crash, want: session.StateWiping},
			{at: mn + sec, do: wipedOK, want: session.StateWelcome},
		},
		wantRec: "started fr false; ended crash",
	}, {
		name: "crash during the question drops it",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: endUser, want: session.StateEnding},
			{at: mn + sec, do: crash, want: session.StateWiping},
		},
		wantRec: "started fr false; ended user",
	}, {
		name: "crash on the welcome screen changes nothing",
		steps: []step{
			{at: 0, do: crash, want: session.StateWelcome},
		},
	}, {
		name: "shell restart ends an open session as crash",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: func(c *session.Controller) error { c.ShellHello("2"); return nil }, want: session.StateWiping},
		},
		wantRec: "started fr false; ended crash",
	}, {
		name: "wipe failure: out of order, no start until a good wipe",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: crash, want: session.StateWiping},
			{at: mn + sec, do: wipedFail, want: session.StateOutOfOrder},
			{at: mn + 2*sec, do: start, wantErr: session.ErrOutOfOrder, want: session.StateOutOfOrder},
			{at: mn + 3*sec, do: wipedFail, want: session.StateOutOfOrder},
			{at: 2 * mn, want: session.StateOutOfOrder},
			{at: 2*mn + sec, do: wipedOK, want: session.StateWelcome},
			{at: 2*mn + 2*sec, do: start, want: session.StateActive},
		},
		wantRec: "started fr false; ended crash; wipefailed; started fr false",
	}, {
		name: "wipe not reported in time: out of order",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: mn, do: crash, want: session.StateWiping},
			{at: 2*mn - sec, want: session.StateWiping},
			{at: 2 * mn, want: session.StateOutOfOrder},
		},
		wantRec: "started fr false; ended crash; wipefailed",
	}, {
		name: "wrong-state actions",
		steps: []step{
			{at: 0, do: endUser, wantErr: session.ErrWrongState, want: session.StateWelcome},
			{at: 0, do: cont, wantErr: session.ErrWrongState, want: session.StateWelcome},
			{at: 0, do: wipedOK, wantErr: session.ErrWrongState, want: session.StateWelcome},
			{at: 0, do: answer("oui"), wantErr: session.ErrWrongState, want: session.StateWelcome},
			{at: 0, do: start, want: session.StateActive},
			{at: 0, do: start, wantErr: session.ErrWrongState, want: session.StateActive},
			{at: 0, do: wipedOK, wantErr: session.ErrWrongState, want: session.StateActive},
		},
		wantRec: "started fr false",
	}, {
		name: "bad arguments",
		steps: []step{
			{at: 0, do: func(c *session.Controller) error { return c.Start("de", false) }, wantErr: session.ErrInvalid, want: session.StateWelcome},
			{at: 0, do: start, want: session.StateActive},
			{at: 0, do: func(c *session.Controller) error { return c.End("bored") }, wantErr: session.ErrInvalid, want: session.StateActive},
			{at: 0, do: endUser, want: session.StateEnding},
			{at: 0, do: answer("maybe"), wantErr: session.ErrInvalid, want: session.StateEnding},
		},
		wantRec: "started fr false; ended user",
	}, {
		name: "supervised-only without a PIN check cannot start",
		conf: session.Config{Mode: session.SupervisedOnly},
		steps: []step{
			{at: 0, do: start, wantErr: session.ErrUnlockRequired, want: session.StateWelcome},
		},
	}, {
		name: "mixed without a PIN check: self-service only",
		conf: session.Config{Mode: session.Mixed},
		steps: []step{
			{at: 0, do: func(c *session.Controller) error { return c.Start("ar", true) }, wantErr: session.ErrUnlockRequired, want: session.StateWelcome},
			{at: 0, do: func(c *session.Controller) error { return c.Start("ar", false) }, want: session.StateActive},
		},
		wantRec: "started ar false",
	}, {
		name: "self-service refuses a supervised session",
		steps: []step{
			{at: 0, do: func(c *session.Controller) error { return c.Start("fr", true) }, wantErr: session.ErrInvalid, want: session.StateWelcome},
		},
	}, {
		name: "help is counted once a minute",
		steps: []step{
			{at: 0, do: start, want: session.StateActive},
			{at: sec, do: func(c *session.Controller) error { c.Help(); return nil }, want: session.StateActive},
			{at: 2 * sec, do: func(c *session.Controller) error { c.Help(); return nil }, want: session.StateActive},
			{at: 62 * sec, do: func(c *session.Controller) error { c.Help(); return nil }, want: session.StateActive},
		},
		wantRec: "started fr false; help; help",
	}, {
		name: "prints are counted during a session and at its end only",
		steps: []step{
			{at: 0, do: printed, wantErr: session.ErrWrongState, want: session.StateWelcome},
			{at: 0, do: start, want: session.StateActive},
			{at: sec, do: printed, want: session.StateActive},
			{at: 2 * sec, do: printed, want: session.StateActive},
			// A print is not activity: the idle countdown still comes.
			{at: 3*mn + sec, do: printed, want: session.StateCountdown},
			{at: 3*mn + 2*sec, do: endUser, want: session.StateEnding},
			// The shell hands over a job sent just before the end.
			{at: 3*mn + 3*sec, do: printed, want: session.StateEnding},
			{at: 3*mn + 4*sec, do: answer("oui"), want: session.StateWiping},
			{at: 3*mn + 5*sec, do: printed, want: session.StateWiping},
			{at: 3*mn + 6*sec, do: wipedFail, want: session.StateOutOfOrder},
			{at: 3*mn + 7*sec, do: printed, wantErr: session.ErrWrongState, want: session.StateOutOfOrder},
		},
		wantRec: "started fr false; printed; printed; printed; ended user; printed; satisfaction oui; printed; wipefailed",
	}, {
		name: "no print in the unlock state",
		conf: session.Config{Mode: session.SupervisedOnly, CheckPIN: func(string) (string, error) { return "", session.ErrWrongPIN }},
		steps: []step{
			{at: 0, do: start, want: session.StateUnlock},
			{at: sec, do: printed, wantErr: session.ErrWrongState, want: session.StateUnlock},
		},
	}}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			c, clk, rec := newTest(t, tc.conf)
			for i, s := range tc.steps {
				now := t0.Add(s.at)
				clk.Set(now)
				c.Tick(now)
				var err error
				if s.do != nil {
					err = s.do(c)
				}
				if !errors.Is(err, s.wantErr) {
					t.Fatalf("step %d (at %s): err = %v, want %v", i, s.at, err, s.wantErr)
				}
				if got := c.Snapshot().State; got != s.want {
					t.Fatalf("step %d (at %s): state = %s, want %s", i, s.at, got, s.want)
				}
			}
			if got := rec.String(); got != tc.wantRec {
				t.Errorf("recorded %q, want %q", got, tc.wantRec)
			}
		})
	}
}

func TestController_Printed(t *testing.T) {
	c, _, rec := newTest(t, session.Config{})
	err := c.Printed()
	var se *session.Error
	if !errors.As(err, &se) || se.Code() != "wrong_state" {
		t.Fatalf("Printed in welcome = %v, want a wrong_state error", err)
	}
	if err = c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	v := c.Snapshot().Version
	if err = c.Printed(); err != nil {
		t.Fatalf("Printed in a session = %v", err)
	}
	if got := c.Snapshot().Version; got != v {
		t.Errorf("version after Printed = %d, want %d (nothing visible changed)", got, v)
	}
	// A job handed over while the session ends (the shell waits for it).
	if err = c.End(session.ReasonUser); err != nil {
		t.Fatal(err)
	}
	if err = c.Printed(); err != nil {
		t.Fatalf("Printed while the session ends = %v", err)
	}
	if got, want := rec.String(), "started fr false; printed; ended user; printed"; !strings.HasPrefix(got, "started fr false; printed; ended") || !strings.HasSuffix(got, "; printed") {
		t.Errorf("recorded %q, want %q", got, want)
	}
}
