package session_test

import (
	"errors"
	"testing"

	"github.com/communes/kiosk/session"
)

func TestController_DrainRefusesUnlock(t *testing.T) {
	clk := newClock(t0)
	c, err := session.New(&session.Config{Now: clk.Now, Mode: session.Mixed, CheckPIN: func(string) (string, error) { return "Agent", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Drain() {
		t.Fatal("Drain in welcome = false, want true")
	}
	if err := c.Unlock("1234", "fr"); !errors.Is(err, session.ErrMaintenance) {
		t.Errorf("Unlock while drained: err = %v, want ErrMaintenance", err)
	}
	c.Undrain()
	if err := c.Start("fr", false); err != nil {
		t.Fatalf("Start after Undrain: %v", err)
	}
	if c.Drain() {
		t.Error("Drain during a session = true, want false")
	}
}
