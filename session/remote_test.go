package session_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/communes/kiosk/session"
)

func TestController_RemoteActions(t *testing.T) {
	at := newAgentTest(t, session.Config{})
	c := at.c
	for name, f := range map[string]func() error{
		"EndByAgent": func() error { return c.EndByAgent("Marie") },
		"Extend":     func() error { return c.Extend("Marie", 15*mn) },
		"SetMessage": func() error { return c.SetMessage("Marie", "x") },
	} {
		if err := f(); !errors.Is(err, session.ErrWrongState) {
			t.Errorf("%s outside a session = %v, want ErrWrongState", name, err)
		}
	}
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	c.Help()
	at.at(90 * sec)
	s := c.Snapshot()
	if len(s.Help) != 1 || s.Help[0].Age != 90 || !s.HelpAt.Equal(t0) || s.HelpTaken {
		t.Fatalf("help list %+v help_at %v, want one pending request aged 90 s", s.Help, s.HelpAt)
	}
	id := s.Help[0].ID
	if err := c.TakeHelp(id+7, "Marie"); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("TakeHelp(unknown) = %v, want ErrNotFound", err)
	}
	if err := c.TakeHelp(id, "Marie"); err != nil {
		t.Fatalf("TakeHelp: %v", err)
	}
	if err := c.TakeHelp(id, "Ahmed"); !errors.Is(err, session.ErrWrongState) {
		t.Errorf("TakeHelp twice = %v, want ErrWrongState", err)
	}
	s = c.Snapshot()
	if s.Help[0].TakenBy != "Marie" || !s.HelpTaken || !s.HelpAt.IsZero() {
		t.Errorf("after TakeHelp: %+v help_at %v taken %v", s.Help, s.HelpAt, s.HelpTaken)
	}
	// A new press after the request was taken is a new request.
	c.Help()
	if s := c.Snapshot(); len(s.Help) != 2 || s.HelpTaken || !s.HelpAt.Equal(t0.Add(90*sec)) {
		t.Errorf("second request: %+v", s.Help)
	}

	msg := "Un agent\u202e arrive\x07\n\n  tout de suite " + strings.Repeat("é", 200)
	if err := c.SetMessage("Marie", msg); err != nil {
		t.Fatal(err)
	}
	got := c.Snapshot().Message
	if !strings.HasPrefix(got, "Un agent arrive tout de suite é") || len([]rune(got)) != session.MaxMessage {
		t.Errorf("message %q (%d runes), want cleaned and cut at %d", got, len([]rune(got)), session.MaxMessage)
	}
	v := c.Snapshot().Version
	if err := c.Extend("Ahmed", 15*mn); err != nil {
		t.Fatal(err)
	}
	s = c.Snapshot()
	if !s.EndsAt.Equal(t0.Add(60*mn)) || s.Version == v {
		t.Errorf("after Extend: ends %v version %d (was %d), want +60 min and a new version", s.EndsAt, s.Version, v)
	}
	if err := c.EndByAgent("Ahmed"); err != nil {
		t.Fatal(err)
	}
	if s := c.Snapshot(); s.State != session.StateEnding || s.EndReason != session.ReasonAgent || len(s.Help) != 0 || s.Message != "" {
		t.Errorf("after EndByAgent: %+v, want ending/agent with help and message cleared", s)
	}
	if got, want := at.aud.String(), "Marie help_taken 1m30s; Marie message set; Ahmed extend +15m0s; Ahmed end"; got != want {
		t.Errorf("audit %q, want %q", got, want)
	}
	if e := at.rec.lastEnd(t); e.Extensions != 1 || !e.Help || e.Reason != session.ReasonAgent {
		t.Errorf("end record %+v, want 1 extension, help, reason agent", e)
	}
	if got, want := at.rec.String(), "started fr false; help; help; extension; ended agent"; got != want {
		t.Errorf("recorded %q, want %q", got, want)
	}
}
